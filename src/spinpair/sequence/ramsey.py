"""Ramsey π/2 – T – π/2 on each atom: single-atom propagators and the sequence step.

Convention (that of :mod:`spinpair.raman`): on span{|1⟩, |-1⟩} of one atom, in the frame
rotating with the two-photon Raman drive,

    H/ħ = -(Ω/2)(|1⟩⟨-1| + |-1⟩⟨1|) - (δ/2)(|1⟩⟨1| - |-1⟩⟨-1|),

with Ω/2π and δ/2π given in Hz. The detuning acts during both square pulses *and* during the
free wait T (drive off), so the exact single-atom propagator is

    U(δ) = U_pulse(τ, δ) · U_free(T, δ) · U_pulse(τ, δ),
    U_free(T, δ) = exp(+i π δ T σz) = diag(e^{iπδT}, e^{-iπδT}) on (|1⟩, |-1⟩),

identity on the other m (their phases never reach the atom count). All functions are
batched over δ.

Closed forms with instantaneous π/2 pulses (U_pulse = (1 + iσx)/√2), φ = 2π δ T:
one atom from |1⟩ ends in |-1⟩ (survives the ejection of |1⟩) with probability
cos²(φ/2) = cos²(π δ T): single-atom fringe period 1/T. For chi1 the first pulse gives
i(|1,1⟩ + |-1,-1⟩)/√2, whose relative phase grows at 2φ, and P1 = cos²(2π δ T): period
1/(2T). Two independent atoms in |1,1⟩ give P1 = 2q(1-q) = sin²(2π δ T)/2 with
q = cos²(π δ T): the *pair* signal P1 of unentangled atoms oscillates at the doubled
frequency too, with half the contrast, while their per-atom signals (survival, mean number)
oscillate at the single-atom period 1/T. With finite square π/2 pulses of duration τ the
phase keeps accumulating during the pulses: to first order in δ/Ω the fringes are those of
instantaneous pulses with the effective time T_eff = T + 4τ/π (:func:`effective_time_s`).

Examples
--------
>>> U = ramsey_unitary(2, 156e3, 0.25 / 156e3, 5e-6, [0.0])
>>> round(float(abs(U[0, 3, 1]) ** 2), 6)  # δ = 0: π/2 + π/2 = π, |1⟩ → |-1⟩
1.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_probability, check_range
from ..raman import raman_unitary
from ..validation import finite_array
from .channels import apply_local_kraus
from .levels import Levels

Array = NDArray[np.complex128]


def effective_time_s(wait_s: float, half_pi_s: float) -> float:
    """Effective Ramsey time T_eff = T + 4τ/π (s) of two square π/2 pulses of duration τ.

    Derivation: to first order in δ/Ω a square π/2 pulse with detuning δ equals an ideal
    instantaneous π/2 pulse preceded (first pulse) or followed (second pulse) by free
    evolution for 2τ/π; so the two pulses add 4τ/π to the wait T.

    Examples
    --------
    >>> round(effective_time_s(5e-6, 0.25 / 156e3) * 1e6, 4)  # µs, paper T = 5 µs
    7.0405
    """
    T = check_range("wait_s", wait_s, 0.0)
    tau = check_range("half_pi_s", half_pi_s, 0.0)
    return T + 4.0 * tau / np.pi


def half_pi_duration_s(rabi_frequency_hz: float) -> float:
    """Duration τ (s) of a π/2 pulse, Ωτ = π/2, for a Rabi frequency Ω/2π in Hz.

    Examples
    --------
    >>> round(half_pi_duration_s(156e3) * 1e6, 4)
    1.6026
    """
    rabi = check_range("rabi_frequency_hz", rabi_frequency_hz, 0.0, None, lo_open=True)
    return 0.25 / rabi


def pulse_unitary(
    f: int,
    rabi_frequency_hz: float,
    duration_s: float,
    detuning_hz: ArrayLike,
    *,
    instantaneous: bool = False,
) -> NDArray[np.complex128]:
    """Square Raman pulse of duration τ (s) at Rabi frequency Ω/2π (Hz), one per detuning δ/2π
    (Hz); shape (n, 2f+1, 2f+1). ``instantaneous``: the same pulse area Ωτ applied with no
    detuning during it (the limit τ → 0 at fixed area).

    Examples
    --------
    >>> U = pulse_unitary(1, 100e3, 2.5e-6, [0.0])   # Ωτ = π/2
    >>> round(float(abs(U[0, 0, 2]) ** 2), 6)
    0.5
    """
    rabi = check_range("rabi_frequency_hz", rabi_frequency_hz, 0.0, None, lo_open=True)
    tau = check_range("half_pi_s", duration_s, 0.0)
    det = finite_array("detuning_hz", detuning_hz)
    area = np.full(det.shape, 2 * np.pi * rabi * tau)
    ratio = np.zeros_like(det) if instantaneous else det / rabi
    return raman_unitary(f, area, ratio)


def free_unitary(f: int, wait_s: float, detuning_hz: ArrayLike) -> NDArray[np.complex128]:
    """Free evolution for T (s) at detuning δ/2π (Hz): exp(+iπδT σz) on span{|1⟩, |-1⟩},
    identity on the other m; shape (n, 2f+1, 2f+1).

    Examples
    --------
    >>> U = free_unitary(1, 1e-6, [250e3])        # πδT = π/4
    >>> complex(np.round(U[0, 0, 0] ** 2, 6))     # e^{iπ/2}
    1j
    """
    T = check_range("wait_s", wait_s, 0.0)
    det = finite_array("detuning_hz", detuning_hz)
    d = 2 * f + 1
    U = np.broadcast_to(np.eye(d, dtype=complex), (det.size, d, d)).copy()
    i_p, i_m = f - 1, f + 1  # indices of |1⟩ and |-1⟩ (m = f - i)
    U[:, i_p, i_p] = np.exp(1j * np.pi * det * T)
    U[:, i_m, i_m] = np.exp(-1j * np.pi * det * T)
    return U


def ramsey_unitary(
    f: int,
    rabi_frequency_hz: float,
    half_pi_s: float,
    wait_s: float,
    detuning_hz: ArrayLike,
    *,
    instantaneous: bool = False,
) -> NDArray[np.complex128]:
    """Exact single-atom Ramsey propagator U_pulse · U_free · U_pulse, batched over δ/2π (Hz).

    Ω/2π in Hz, pulse duration τ = ``half_pi_s`` and wait T = ``wait_s`` in seconds.
    Returns shape (n, 2f+1, 2f+1).

    Examples
    --------
    >>> U = ramsey_unitary(2, 156e3, 0.25 / 156e3, 5e-6, [0.0, 50e3])
    >>> U.shape
    (2, 5, 5)
    """
    P = pulse_unitary(f, rabi_frequency_hz, half_pi_s, detuning_hz, instantaneous=instantaneous)
    F = free_unitary(f, wait_s, detuning_hz)
    return P @ F @ P


def _embed(levels: Levels, U: Array, p_emit: float = 0.0) -> Array:
    """The no-emission Kraus operator (1, n, D, D): √(1-p) U on manifold f, 1 on up, lost."""
    n, d, D = U.shape[0], levels.d, levels.D
    K0 = np.zeros((n, D, D), dtype=complex)
    K0[:, :d, :d] = np.sqrt(1.0 - p_emit) * U
    K0[:, d:, d:] = np.eye(D - d)
    return K0[None]


def _superop(K: Array) -> Array:
    """Row-major superoperator K ⊗ K* (n, D², D²) of ρ → K ρ K† for K (n, D, D)."""
    n, D = K.shape[0], K.shape[-1]
    return (K[:, :, None, :, None] * K.conj()[:, None, :, None, :]).reshape(n, D * D, D * D)


def apply_pulse_with_emission(
    rho: ArrayLike, levels: Levels, U: Array, p_emit: float, atoms: str = "both"
) -> Array:
    """One pulse on each atom (or the first only): the channel of
    :func:`spinpair.sequence.channels.raman_kraus`, K0 = √(1-p) U ⊕ 1_(up, lost) and
    K_(m,m') = √(p/(2f+1)) |m⟩⟨m'|, applied in closed form (the emission part is a
    replacement by the maximally mixed state of manifold f), so that no (2f+1)² Kraus
    operators need to be summed. ``U`` has shape (n, 2f+1, 2f+1); returns (n, D², D²).
    """
    lv = levels
    out = apply_local_kraus(rho, _embed(lv, U, p_emit), lv, "first")
    r0 = np.asarray(rho, dtype=complex)
    r0 = r0[None] if r0.ndim == 2 else r0
    d, D = lv.d, lv.D
    if p_emit > 0.0:
        r4 = np.broadcast_to(r0, (out.shape[0], *r0.shape[1:])).reshape(-1, D, D, D, D)
        tr1 = np.einsum("njbje->nbe", r4[:, :d, :, :d, :])  # trace of atom 1 over manifold f
        em = np.zeros_like(r4)
        idx = np.arange(d)
        em[:, idx, :, idx, :] = (p_emit / d) * tr1
        out = out + em.reshape(out.shape)
    if atoms == "first":
        return out
    mid = out
    out = apply_local_kraus(mid, _embed(lv, U, p_emit), lv, "second")
    if p_emit > 0.0:
        r4 = mid.reshape(-1, D, D, D, D)
        tr2 = np.einsum("najcj->nac", r4[:, :, :d, :, :d])
        em = np.zeros_like(r4)
        idx = np.arange(d)
        em[:, :, idx, :, idx] = (p_emit / d) * tr2
        out = out + em.reshape(out.shape)
    return out


@dataclass(frozen=True)
class RamseyPulses:
    """Sequence step ``raman``: π/2 – T – π/2 on each atom, scanned over the detuning (Hz).

    ``rabi_frequency_hz`` Ω/2π (Hz), ``half_pi_s`` pulse duration τ (s), ``wait_s`` free
    time T (s) between the pulses. Spontaneous emission per pulse with probability
    ``p_spont_per_pi`` · Ωτ/π (modelled at the end of each pulse, as in the single Raman
    pulse). ``instantaneous`` applies the pulses with no detuning during them.
    ``atoms``: ``"both"`` or ``"first"`` (the single-atom reference).

    Use it with ``MeasurementSequence.from_params(...).with_step("raman", RamseyPulses(...))`` and
    ``MeasurementSequence.scan("detuning_hz", deltas)``.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> from spinpair.sequence import MeasurementSequence
    >>> seq = MeasurementSequence.from_params(Params(), state="chi1", ideal=True)
    >>> seq = seq.with_step("raman", RamseyPulses(seq.levels, 156e3, 0.25 / 156e3, 5e-6))
    >>> round(float(seq.scan("detuning_hz", [0.0]).P1[0]), 6)
    1.0
    """

    levels: Levels
    rabi_frequency_hz: float
    half_pi_s: float
    wait_s: float
    p_spont_per_pi: float = 0.0
    instantaneous: bool = False
    atoms: str = "both"
    name: str = "raman"

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "rabi_frequency_hz",
            check_range("rabi_frequency_hz", self.rabi_frequency_hz, 0.0, None, lo_open=True),
        )
        object.__setattr__(self, "half_pi_s", check_range("half_pi_s", self.half_pi_s, 0.0))
        object.__setattr__(self, "wait_s", check_range("wait_s", self.wait_s, 0.0))
        ps = check_probability("p_spont_per_pi", self.p_spont_per_pi)
        if ps * self.area / np.pi > 1.0:
            raise InputError("p_spont_per_pi", ps, f"<= pi/area = {np.pi / self.area:.3g}")
        object.__setattr__(self, "p_spont_per_pi", ps)
        if self.atoms not in ("both", "first"):
            raise InputError("atoms", self.atoms, "'both' or 'first'")

    @property
    def area(self) -> float:
        """Pulse area Ωτ in radians (π/2 for a π/2 pulse)."""
        return 2 * np.pi * self.rabi_frequency_hz * self.half_pi_s

    @property
    def effective_time_s(self) -> float:
        """T_eff = T + 4τ/π (s); for instantaneous pulses T."""
        return self.wait_s if self.instantaneous else effective_time_s(self.wait_s, self.half_pi_s)

    def unitary(self, detuning_hz: ArrayLike) -> NDArray[np.complex128]:
        """The single-atom propagator (n, 2f+1, 2f+1) for each detuning δ/2π (Hz)."""
        return ramsey_unitary(
            self.levels.f,
            self.rabi_frequency_hz,
            self.half_pi_s,
            self.wait_s,
            detuning_hz,
            instantaneous=self.instantaneous,
        )

    def population_rows(self, detuning_hz: NDArray[np.float64]) -> tuple[Array, Array]:
        """Per atom, the rows of the Ramsey channel that give output populations,
        S[n, a, i, k] (population of level a ← ρ[i, k]), shape (n, D, D, D): from the
        composed single-atom superoperator pulse ∘ free ∘ pulse (emission as a replacement
        by the maximally mixed manifold state). Atom 2 gets the identity for ``"first"``."""
        det = finite_array("detuning_hz", detuning_hz)
        lv = self.levels
        n, d, D = det.size, lv.d, lv.D
        p = self.p_spont_per_pi * self.area / np.pi
        if p == 0.0:
            K = _embed(lv, self.unitary(det))[0]
            S = K[:, :, :, None] * K.conj()[:, :, None, :]
        else:
            P = _embed(lv, self._pulse(det), p)[0]
            F = _embed(lv, free_unitary(lv.f, self.wait_s, det))[0]
            EP = _superop(P)
            idx = np.arange(d)
            em = np.zeros((D, D, D, D))
            em[idx[:, None], idx[:, None], idx[None, :], idx[None, :]] = p / d
            EP += em.reshape(D * D, D * D)[None]
            full = EP @ _superop(F) @ EP  # (n, D², D²)
            rows = np.arange(D) * (D + 1)  # (a, a)
            S = full[:, rows, :].reshape(n, D, D, D)
        if self.atoms == "first":
            eye = np.zeros((D, D, D))
            eye[np.arange(D), np.arange(D), np.arange(D)] = 1.0
            return S, np.broadcast_to(eye.astype(complex), S.shape)
        return S, S

    def _pulse(self, det: NDArray[np.float64]) -> Array:
        return pulse_unitary(
            self.levels.f,
            self.rabi_frequency_hz,
            self.half_pi_s,
            det,
            instantaneous=self.instantaneous,
        )

    def apply(self, rho: Array, detuning_hz: NDArray[np.float64]) -> Array:
        det = finite_array("detuning_hz", detuning_hz)
        lv = self.levels
        p = self.p_spont_per_pi * self.area / np.pi
        if p == 0.0:
            return apply_local_kraus(rho, _embed(lv, self.unitary(det)), lv, self.atoms)
        P = pulse_unitary(
            lv.f, self.rabi_frequency_hz, self.half_pi_s, det, instantaneous=self.instantaneous
        )
        out = apply_pulse_with_emission(rho, lv, P, p, self.atoms)
        U_free = _embed(lv, free_unitary(lv.f, self.wait_s, det))
        out = apply_local_kraus(out, U_free, lv, self.atoms)
        return apply_pulse_with_emission(out, lv, P, p, self.atoms)


@dataclass(frozen=True)
class SingleAtomReference:
    """Sequence step ``collide`` for the one-atom reference: atom 1, if prepared in |0⟩, is
    put in |m⟩ (default |1⟩; preparation errors are kept, as for pair states); atom 2 is
    removed (level ``lost``). The rest of the sequence then acts on one atom only, through
    the same single-atom channels: the count is 0 or 1 and P1 is the survival probability.

    Examples
    --------
    >>> lv = Levels(2)
    >>> rho = np.zeros((1, 49, 49), complex); rho[0, 2 * 7 + 2, 2 * 7 + 2] = 1  # |0,0>
    >>> out = SingleAtomReference(lv).apply(rho, np.zeros(1))
    >>> i = lv.index(1) * lv.D + lv.LOST
    >>> round(float(out[0, i, i].real), 6)
    1.0
    """

    levels: Levels
    m: int = 1
    name: str = "collide"
    label: str = "single"
    setting_free = True  # class attribute: apply ignores the scanned setting

    def apply(self, rho: Array, setting: NDArray[np.float64]) -> Array:
        lv = self.levels
        i0, im = lv.index(0), lv.index(self.m)
        K_move = np.zeros((lv.D, lv.D), dtype=complex)
        K_move[im, i0] = 1.0
        K_keep = np.eye(lv.D, dtype=complex)
        K_keep[i0, i0] = 0.0
        out = apply_local_kraus(rho, np.stack([K_move, K_keep]), lv, "first")
        K_lose = np.zeros((lv.D, lv.D, lv.D), dtype=complex)
        for j in range(lv.D):
            K_lose[j, lv.LOST, j] = 1.0
        return apply_local_kraus(out, K_lose, lv, "second")


@dataclass(frozen=True)
class PostSelectPM1:
    """Post-selection step (paper p. 4: eject atoms in |0⟩ and |±2⟩ first and discard those
    runs): keeps only the part of ρ with both atoms present in m = ±1, ρ → Π ρ Π. Not trace
    preserving: the trace left is the acceptance probability; divide the counts by it.

    Examples
    --------
    >>> lv = Levels(2)
    >>> rho = np.eye(49, dtype=complex)[None] / 49
    >>> round(float(np.trace(PostSelectPM1(lv).apply(rho, np.zeros(1))[0]).real), 6)  # 4/49
    0.081633
    """

    levels: Levels
    name: str = "postselect"
    setting_free = True  # class attribute: apply ignores the scanned setting

    def apply(self, rho: Array, setting: NDArray[np.float64]) -> Array:
        lv = self.levels
        keep1 = np.zeros(lv.D)
        keep1[[lv.index(1), lv.index(-1)]] = 1.0
        keep = np.kron(keep1, keep1)
        r = np.asarray(rho, dtype=complex)
        return keep[:, None] * r * keep[None, :]


__all__ = [
    "PostSelectPM1",
    "RamseyPulses",
    "SingleAtomReference",
    "apply_pulse_with_emission",
    "effective_time_s",
    "free_unitary",
    "half_pi_duration_s",
    "pulse_unitary",
    "ramsey_unitary",
]
