"""Raman rotation between |1⟩ and |-1⟩ of each atom, and the ideal atom-counting readout.

Single-atom Hamiltonian in the rotating frame, on span{|1⟩, |-1⟩} (other m untouched):

    H/ħ = -(Ω/2)(|1⟩⟨-1| + |-1⟩⟨1|) - (δ/2)(|1⟩⟨1| - |-1⟩⟨-1|),

so that with δ = 0 a pulse of area θ = Ωτ maps |±1⟩ → cos(θ/2)|±1⟩ + i sin(θ/2)|∓1⟩
(paper, p. 3). Ω and δ are angular frequencies here; the ``*_hz`` arguments are Ω/2π, δ/2π.

The ideal readout removes every atom found in |1⟩ and counts the rest: P0, P1, P2 are the
probabilities that 0, 1 or 2 atoms remain (paper Fig. 2a).

Examples
--------
>>> from spinpair.spin import named_state
>>> p = ideal_counts(named_state("chi1"), [0.0, np.pi / 2])
>>> np.round(p.P1, 6)
array([1., 0.])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError
from .provenance import Provenance
from .spin import PairBasis, _check_f, as_density_matrix, f_from_dim
from .validation import finite_array

Array = NDArray[np.complex128]


def raman_unitary(
    f: int, area: ArrayLike, detuning_over_rabi: ArrayLike = 0.0
) -> NDArray[np.complex128]:
    """Single-atom Raman propagators, batched over pulse areas.

    With Ω_eff = Ω√(1 + (δ/Ω)²), U = cos(Ω_eff τ/2) 1 + i sin(Ω_eff τ/2)(Ω σx + δ σz)/Ω_eff
    on span{|1⟩, |−1⟩} (σz|1⟩ = |1⟩), identity on the other m.

    Parameters
    ----------
    f : int
        Spin f of the atom.
    area : array_like
        Pulse areas θ = Ωτ [rad], n of them.
    detuning_over_rabi : array_like, optional
        δ/Ω (dimensionless), scalar or one per area.

    Returns
    -------
    numpy.ndarray
        Complex unitaries, shape (n, 2f+1, 2f+1).

    Examples
    --------
    >>> U = raman_unitary(2, np.pi)
    >>> round(float(abs(U[0, 1, 3])), 6)  # |1⟩ → |-1⟩ for a π pulse
    1.0
    """
    theta = finite_array("area", area)
    ratio = finite_array("detuning_over_rabi", detuning_over_rabi)
    if ratio.size not in (1, theta.size):
        raise InputError(
            "detuning_over_rabi", list(ratio.shape), f"one value or {theta.size}, one per area"
        )
    ratio = np.broadcast_to(ratio, theta.shape)
    b = PairBasis(_check_f(f))
    d = b.d
    i_p, i_m = b.single_index(1), b.single_index(-1)
    gen = np.hypot(1.0, ratio)
    phi = 0.5 * theta * gen
    if not np.all(np.isfinite(phi)):
        raise InputError(
            "area", float(np.max(np.abs(theta))), "a finite phase |area| √(1 + (δ/Ω)²) (rad)"
        )
    c, s = np.cos(phi), np.sin(phi)
    U = np.broadcast_to(np.eye(d, dtype=complex), (theta.size, d, d)).copy()
    U[:, i_p, i_p] = c + 1j * s * ratio / gen
    U[:, i_m, i_m] = c - 1j * s * ratio / gen
    U[:, i_p, i_m] = 1j * s / gen
    U[:, i_m, i_p] = 1j * s / gen
    return U


def raman_unitary_time(
    f: int, rabi_frequency_hz: float, duration_s: ArrayLike, detuning_hz: ArrayLike = 0.0
) -> NDArray[np.complex128]:
    """Single-atom Raman propagators for pulse durations τ (s), Ω/2π and δ/2π in Hz."""
    rabi = float(rabi_frequency_hz)
    if not np.isfinite(rabi) or rabi <= 0:
        raise InputError("rabi_frequency_hz", rabi_frequency_hz, "finite and > 0 (Hz)")
    tau = finite_array("tau_s", duration_s)
    if np.any(tau < 0):
        raise InputError("tau_s", float(tau[tau < 0][0]), ">= 0 (seconds)")
    det = finite_array("detuning_hz", detuning_hz)
    return raman_unitary(f, 2 * np.pi * rabi * tau, det / rabi)


def apply_local_unitary(rho: ArrayLike, U: ArrayLike, V: ArrayLike | None = None) -> Array:
    """(U ⊗ V) ρ (U ⊗ V)† for a batch of single-atom unitaries U (n, d, d); V defaults to U.

    ρ may be one pair density matrix (d², d²) or a batch (n, d², d²). Returns (n, d², d²).
    """
    Ub = np.asarray(U, dtype=complex)
    Vb = Ub if V is None else np.asarray(V, dtype=complex)
    if Ub.ndim == 2:
        Ub = Ub[None]
    if Vb.ndim == 2:
        Vb = Vb[None]
    r = np.asarray(rho, dtype=complex)
    d = Ub.shape[-1]
    r4 = r.reshape((*r.shape[:-2], d, d, d, d))
    out = np.einsum(
        "nai,nbj,...ijkl,nck,ndl->nabcd", Ub, Vb, r4, Ub.conj(), Vb.conj(), optimize=True
    )
    return out.reshape(out.shape[0], d * d, d * d)


@dataclass(frozen=True)
class CountProbabilities:
    """Probabilities to report 0, 1 or 2 atoms at each setting.

    ``setting`` holds the scanned values (pulse areas in rad, durations in s or detunings
    in Hz, as named by ``setting_name``).
    """

    setting_name: str
    setting: NDArray[np.float64]
    P0: NDArray[np.float64]
    P1: NDArray[np.float64]
    P2: NDArray[np.float64]
    #: What these numbers rest on (:class:`spinpair.provenance.Provenance`), when known.
    provenance: Provenance | None = None

    def as_dict(self) -> dict[str, list[float]]:
        """JSON-ready dictionary: the setting and P0, P1, P2 lists."""
        return {
            self.setting_name: self.setting.tolist(),
            "P0": self.P0.tolist(),
            "P1": self.P1.tolist(),
            "P2": self.P2.tolist(),
        }


def count_probabilities_after_eject(rho_batch: ArrayLike) -> tuple[NDArray, NDArray, NDArray]:
    """Ideal eject-|1⟩-and-count on a batch of pair density matrices (n, d², d²)."""
    r = np.asarray(rho_batch, dtype=complex)
    if r.ndim == 2:
        r = r[None]
    f = f_from_dim(r.shape[-1])
    b = PairBasis(f)
    pops = np.real(np.einsum("nii->ni", r)).reshape(-1, b.d, b.d)
    ip = b.single_index(1)
    in1_a = np.zeros(b.d, dtype=bool)
    in1_a[ip] = True
    n_removed = in1_a[:, None].astype(int) + in1_a[None, :].astype(int)
    P0 = pops[:, n_removed == 2].sum(axis=1)
    P1 = pops[:, n_removed == 1].sum(axis=1)
    P2 = pops[:, n_removed == 0].sum(axis=1)
    return P0, P1, P2


def ideal_counts(
    rho: ArrayLike, area: ArrayLike, detuning_over_rabi: float = 0.0
) -> CountProbabilities:
    """Ideal readout (paper Fig. 2a): a Raman pulse of area θ = Ωτ on both atoms, removal of
    every atom in |1⟩, and counting of the rest.

    Parameters
    ----------
    rho : array_like or qutip.Qobj
        Pair state (ket or density matrix of dimension (2f+1)²), checked to be physical.
    area : array_like
        Pulse areas θ = Ωτ [rad]; scalar or 1-D (vectorised).
    detuning_over_rabi : float, optional
        Raman detuning δ/Ω (dimensionless, default 0).

    Returns
    -------
    CountProbabilities
        ``P0``, ``P1``, ``P2`` (probabilities of counting 0, 1, 2 atoms), one entry per area;
        ``setting_name`` is ``"area"``.

    Raises
    ------
    spinpair.errors.InputError
        If ``rho`` is not a physical pair state or ``area`` is not finite.

    Examples
    --------
    >>> from spinpair.spin import named_state
    >>> p = ideal_counts(named_state("mixed"), np.pi / 2)
    >>> float(p.P1[0])
    0.5
    """
    theta = finite_array("area", area)
    r = as_density_matrix(rho, check=True, name="rho")
    f = f_from_dim(r.shape[0])
    out = apply_local_unitary(r, raman_unitary(f, theta, detuning_over_rabi))
    P0, P1, P2 = count_probabilities_after_eject(out)
    return CountProbabilities("area", theta, P0, P1, P2)


__all__ = [
    "CountProbabilities",
    "apply_local_unitary",
    "count_probabilities_after_eject",
    "ideal_counts",
    "raman_unitary",
    "raman_unitary_time",
]
