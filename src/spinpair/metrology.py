"""What the entangled pair buys for magnetometry (spec §6, paper p. 4).

Units. The estimated parameter is the Raman detuning δ in Hz. The Ramsey phase of one atom
is φ = 2π δ T_eff (rad) with T_eff = T + 4τ/π (s); Fisher informations are per run in
1/Hz², Cramér–Rao bounds in Hz, and :func:`detuning_per_gauss` converts to the magnetic
field B (G) through the Breit–Rabi slope of the |1⟩ ↔ |-1⟩ resonance.

* **Classical Fisher information** of one run with outcome probabilities p_k(δ):
  F_C(δ) = Σ_k (∂p_k/∂δ)²/p_k (the derivatives come from central differences of the exact
  model). Where an outcome probability vanishes (p_k = 0, for example P0 and P2 of chi1 at
  exactly δ = 0) its term is 0/0; a smooth p_k ≥ 0 has a double zero there, p_k ≈ ½ p_k'' ε²,
  so the term tends to 2 p_k'' (the value it has at every nearby δ), which is used instead
  of dropping it. Cramér–Rao: Δδ ≥ 1/√(N F_C) after N runs.
* **Standard quantum limit.** One atom in an ideal Ramsey sequence ends in |-1⟩ with
  probability cos²(φ/2): F_φ = (∂p/∂φ)²/(p(1-p)) = 1 for every φ, so F_δ = (2π T_eff)²
  per atom (1/Hz²). Two independent atoms: F_SQL = 2 (2π T_eff)² per run.
* **Entangled pair.** chi1 after the first π/2 pulse is i(|1,1⟩ + |-1,-1⟩)/√2, phase 2φ:
  P1 = cos²(2π δ T_eff), F = 4 (2π T_eff)² = 2 F_SQL (the two-atom Heisenberg limit).
* **Quantum Fisher information** of the state after the first pulse, with the phase
  generator G = 2π T_eff (σz⁽¹⁾ + σz⁽²⁾)/2 (σz = ±1 on m = ±1, 0 elsewhere; U = e^{iδG}):
  F_Q = 4 Var(G) for pure states, F_Q = 2 Σ_ij (λ_i - λ_j)²/(λ_i + λ_j) |G_ij|² for mixed
  ones. chi1: 4 (2π T_eff)², a product state |1,1⟩: 2 (2π T_eff)² — a factor 2 per pair.
  It is the ceiling of every measurement after the phase encoding.

Preparation. The paper makes chi1 with probability p ≈ 0.37; the rest of the collision
products (|0,0⟩, chi2) have no atom in m = ±1: they ignore the pulses, are never ejected and
always count 2 atoms, diluting the signal. The chi1 part has fidelity F_chi1 = (1 + c)/2
(a mixture with chi_minus, which is invariant under U⊗U and always gives one atom).
:func:`preparation_fisher` evaluates three figures of merit per run:

* ``per_run``: the mixture as measured, F_C of p_k = Σ_s w_s p_k^s;
* ``postselected_per_attempt``: the paper's proposal — eject atoms in |0⟩ and |±2⟩ first
  and discard those runs — modelled as conditioning on both atoms in m = ±1 before the
  pulses (the discard carries no information on δ), counted per attempted run;
* ``per_postselected_run``: the same per kept run (divided by the acceptance).

Ideal pulses give closed forms: per kept run F = 4 F_chi1 (2π T_eff)², so post-selected
pairs beat the SQL iff F_chi1 > ½ (exactly the entanglement threshold); per attempted run
F = 4 p F_chi1 (2π T_eff)², beating the SQL iff p F_chi1 > ½; without post-selection the
mixture needs p > ½ even at F_chi1 = 1. :func:`sql_thresholds` solves for these numbers
through the full sequence model.

Examples
--------
>>> from spinpair.params import Params
>>> T = 5e-6
>>> fr = ramsey_fisher(Params(), "chi1", T, None, [1e3], ideal=True, instantaneous=True)
>>> round(float(fr.counts[0] / sql_fisher(T)), 6)   # Heisenberg: twice the SQL
2.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._lazy import lazy_module
from .errors import InputError, check_probability, check_range
from .params import Params
from .ramsey import ramsey_sequence
from .species import Species, zeeman_shift_from_m0_hz
from .spin import PairBasis, as_density_matrix, f_from_dim, named_state
from .validation import finite_array

optimize = lazy_module("scipy.optimize")

# ----------------------------------------------------------------------------- classical


def fisher_information(
    probs: ArrayLike,
    dprobs: ArrayLike,
    *,
    axis: int = -1,
    eps: float = 1e-12,
    d2probs: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """F_C = Σ_k (∂p_k/∂δ)²/p_k along ``axis`` (the outcomes).

    Terms with p_k ≤ eps are 0/0 at a zero of p_k: with ``d2probs`` (∂²p_k/∂δ²) they take
    their limit 2 max(p_k'', 0) (p_k ≈ ½ p_k'' ε² near a double zero); without it they are
    dropped. Units: 1/(unit of δ)², e.g. 1/Hz² per run.

    Examples
    --------
    >>> a, d = 3.0, 0.2                      # p = cos²(a d): F = 4 a² for every d
    >>> p = np.array([np.cos(a * d) ** 2, np.sin(a * d) ** 2])
    >>> dp = np.array([-a * np.sin(2 * a * d), a * np.sin(2 * a * d)])
    >>> round(float(fisher_information(p, dp)), 9)
    36.0
    """
    p = np.asarray(probs, dtype=float)
    dp = np.asarray(dprobs, dtype=float)
    safe = np.where(p > eps, p, 1.0)
    if d2probs is None:
        limit = np.zeros_like(p)
    else:
        limit = 2.0 * np.maximum(np.asarray(d2probs, dtype=float), 0.0)
    return np.sum(np.where(p > eps, dp**2 / safe, limit), axis=axis)


def derivative_step_hz(effective_time_s: float) -> float:
    """Central-difference step for δ (Hz): a phase step 2π·10⁻⁴ at T_eff (1 Hz if T_eff=0)."""
    return 1e-4 / effective_time_s if effective_time_s > 0 else 1.0


def classical_fisher(
    model: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    detuning_hz: ArrayLike,
    step_hz: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """F_C(δ) per run for a model δ (n,) → outcome probabilities (n, K), by central
    differences with step ``step_hz`` (one model call on 3n points).

    Returns (F, p, ∂p/∂δ) with F in 1/Hz².

    Examples
    --------
    >>> model = lambda d: np.stack([np.cos(2 * d) ** 2, np.sin(2 * d) ** 2], axis=1)
    >>> F, p, dp = classical_fisher(model, [0.1, 0.3], 1e-5)
    >>> np.round(F, 6)
    array([16., 16.])
    """
    p, dp, d2p = probability_derivatives(model, detuning_hz, step_hz)
    return fisher_information(p, dp, d2probs=d2p), p, dp


def probability_derivatives(
    model: Callable[[NDArray[np.float64]], NDArray[np.float64]],
    detuning_hz: ArrayLike,
    step_hz: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(p, ∂p/∂δ, ∂²p/∂δ²) of a model δ (n,) → probabilities (n, K) by central differences
    with step ``step_hz`` (one model call on 3n points); derivatives per Hz and Hz².

    Examples
    --------
    >>> model = lambda d: np.stack([np.cos(2 * d) ** 2, np.sin(2 * d) ** 2], axis=1)
    >>> p, dp, d2p = probability_derivatives(model, [0.0], 1e-4)
    >>> np.round(d2p, 4)                              # ∓8 cos(4d) at d = 0
    array([[-8.,  8.]])
    """
    det = finite_array("detuning_hz", detuning_hz)
    h = check_range("step_hz", step_hz, 0.0, None, lo_open=True)
    allp = np.asarray(model(np.concatenate([det - h, det + h, det])), dtype=float)
    n = det.size
    lo, hi, p = allp[:n], allp[n : 2 * n], allp[2 * n :]
    return p, (hi - lo) / (2 * h), (hi + lo - 2 * p) / h**2


def moment_fisher(
    values: ArrayLike,
    probs: ArrayLike,
    dprobs: ArrayLike,
    d2probs: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Error-propagation information (∂⟨X⟩/∂δ)²/Var X of an estimator that uses only the mean
    of X (for example the atom number, X = 0, 1, 2); ≤ the full F_C.

    Where Var X = 0 (a point where X is certain) the ratio is 0/0; with ``d2probs`` it takes
    its limit 2 ⟨X⟩''² / Var'' (both vanish quadratically), else 0.

    Examples
    --------
    >>> p = np.array([[0.25, 0.5, 0.25]]); dp = np.array([[-0.1, 0.0, 0.1]])
    >>> round(float(moment_fisher([0, 1, 2], p, dp)[0]), 6)     # (0.2)² / 0.5
    0.08
    """
    x = np.asarray(values, dtype=float)
    p = np.asarray(probs, dtype=float)
    dp = np.asarray(dprobs, dtype=float)
    mean = p @ x
    var = p @ x**2 - mean**2
    dmean = dp @ x
    if d2probs is None:
        limit = np.zeros_like(var)
    else:
        d2 = np.asarray(d2probs, dtype=float)
        d2mean = d2 @ x
        d2var = d2 @ x**2 - 2 * mean * d2mean - 2 * dmean**2
        ok = d2var > 1e-300
        limit = np.where(ok, 2 * d2mean**2 / np.where(ok, d2var, 1.0), 0.0)
    return np.where(var > 1e-15, dmean**2 / np.where(var > 1e-15, var, 1.0), limit)


def cramer_rao_bound_hz(fisher_per_run: ArrayLike, runs: int = 1) -> NDArray[np.float64]:
    """Δδ ≥ 1/√(N F) (Hz) after N runs; infinite where F = 0.

    Examples
    --------
    >>> round(float(cramer_rao_bound_hz(1e-8, runs=100)), 3)
    1000.0
    """
    n = check_range("runs", runs, 1.0)
    f = np.asarray(fisher_per_run, dtype=float)
    return np.where(f > 0, 1.0 / np.sqrt(n * np.where(f > 0, f, 1.0)), np.inf)


def sql_fisher(effective_time_s: float, n_atoms: int = 2) -> float:
    """Standard quantum limit n (2π T_eff)² (1/Hz² per run) for n independent atoms.

    Examples
    --------
    >>> round(sql_fisher(5e-6) * 1e9, 4)
    1.9739
    """
    T = check_range("effective_time_s", effective_time_s, 0.0)
    return float(n_atoms * (2 * np.pi * T) ** 2)


def heisenberg_fisher(effective_time_s: float, n_atoms: int = 2) -> float:
    """Heisenberg limit n² (2π T_eff)² (1/Hz² per run); chi1 reaches it for n = 2.

    Examples
    --------
    >>> round(heisenberg_fisher(5e-6) / sql_fisher(5e-6), 6)
    2.0
    """
    T = check_range("effective_time_s", effective_time_s, 0.0)
    return float(n_atoms**2 * (2 * np.pi * T) ** 2)


# ----------------------------------------------------------------------------- field


def detuning_per_gauss(species: Species, field_gauss: float, step_gauss: float = 1e-4) -> float:
    """|∂δ/∂B| in Hz/G: the slope of the Raman resonance E(1) - E(-1) (Breit–Rabi, h = 1)
    at ``field_gauss``, by central differences. A field change ΔB moves the resonance, hence
    the detuning, by |∂δ/∂B| ΔB.

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> rb85 = get_species("rb85")
    >>> round(detuning_per_gauss(rb85, 8.5) / 1e6, 4)   # MHz/G; 2|g_F| μ_B/h, g_F ≈ -0.334
    0.9352
    """
    b = check_range("field_gauss", field_gauss, 0.0)
    h = check_range("step_gauss", step_gauss, 0.0, None, lo_open=True)
    lo, hi = max(b - h, 0.0), b + h

    def split(x: float) -> float:
        return float(
            zeeman_shift_from_m0_hz(species, 1, x) - zeeman_shift_from_m0_hz(species, -1, x)
        )

    return abs(split(hi) - split(lo)) / (hi - lo)


def field_bound_gauss(detuning_bound_hz: ArrayLike, slope_hz_per_gauss: float) -> NDArray:
    """Convert a bound on δ (Hz) into one on B (G): ΔB = Δδ / |∂δ/∂B|.

    Examples
    --------
    >>> round(float(field_bound_gauss(933.0, 0.933e6)) * 1e3, 6)     # mG
    1.0
    """
    s = check_range("slope_hz_per_gauss", slope_hz_per_gauss, 0.0, None, lo_open=True)
    return np.asarray(detuning_bound_hz, dtype=float) / s


# ----------------------------------------------------------------------------- quantum


def phase_generator(f: int, effective_time_s: float) -> NDArray[np.float64]:
    """Diagonal of G = 2π T_eff (σz⁽¹⁾ + σz⁽²⁾)/2 on the pair space (rad/Hz), σz = ±1 on
    m = ±1 and 0 on the other m; the free evolution is e^{iδG} (δ in Hz).

    Examples
    --------
    >>> g = phase_generator(2, 1.0 / (2 * np.pi))
    >>> float(g[PairBasis(2).index(1, 1)]), float(g[PairBasis(2).index(1, -1)])
    (1.0, 0.0)
    """
    b = PairBasis(f)
    s = np.where(np.abs(b.ms) == 1, b.ms, 0).astype(float)
    T = check_range("effective_time_s", effective_time_s, 0.0)
    return 2 * np.pi * T * 0.5 * (s[:, None] + s[None, :]).ravel()


def qfi_pure(psi: ArrayLike, generator: ArrayLike) -> float:
    """F_Q = 4 Var(G) of a pure state (G diagonal (n,) or a matrix (n, n)).

    Examples
    --------
    >>> round(qfi_pure(np.array([1, 1]) / np.sqrt(2), np.array([0.5, -0.5])), 6)
    1.0
    """
    v = np.asarray(psi, dtype=complex)
    v = v / np.linalg.norm(v)
    G = np.asarray(generator)
    Gm = np.diag(G) if G.ndim == 1 else G
    m1 = np.real(v.conj() @ Gm @ v)
    m2 = np.real(v.conj() @ Gm @ Gm @ v)
    return float(4 * (m2 - m1**2))


def qfi_mixed(rho: ArrayLike, generator: ArrayLike, tol: float = 1e-12) -> float:
    """F_Q = 2 Σ_ij (λ_i - λ_j)²/(λ_i + λ_j) |⟨i|G|j⟩|² for ρ(δ) = e^{iδG} ρ e^{-iδG}.

    Examples
    --------
    >>> rho = np.diag([0.5, 0.5]).astype(complex)            # no coherence: no information
    >>> qfi_mixed(rho, np.array([0.5, -0.5]))
    0.0
    """
    r = as_density_matrix(rho)
    G = np.asarray(generator)
    Gm = np.diag(G).astype(complex) if G.ndim == 1 else np.asarray(G, dtype=complex)
    lam, V = np.linalg.eigh(0.5 * (r + r.conj().T))
    Gv = V.conj().T @ Gm @ V
    s = lam[:, None] + lam[None, :]
    d = (lam[:, None] - lam[None, :]) ** 2
    mask = s > tol
    return float(2 * np.sum(d[mask] / s[mask] * np.abs(Gv[mask]) ** 2))


def state_after_first_pulse(state: str | ArrayLike, f: int = 2) -> NDArray[np.complex128]:
    """The pair density matrix after an ideal instantaneous π/2 pulse on each atom.

    Examples
    --------
    >>> rho = state_after_first_pulse("chi1")
    >>> b = PairBasis(2)
    >>> round(float(rho[b.index(1, 1), b.index(1, 1)].real), 6)
    0.5
    """
    from .raman import apply_local_unitary, raman_unitary

    rho = named_state(state, f) if isinstance(state, str) else as_density_matrix(state)
    f = f_from_dim(rho.shape[0])
    return apply_local_unitary(rho, raman_unitary(f, np.pi / 2))[0]


def qfi_after_first_pulse(state: str | ArrayLike, effective_time_s: float, f: int = 2) -> float:
    """Quantum Fisher information (1/Hz²) w.r.t. δ of the state after the first π/2 pulse,
    phase time T_eff: the ceiling of every Ramsey readout of that state.

    Examples
    --------
    >>> T = 5e-6
    >>> round(qfi_after_first_pulse("chi1", T) / qfi_after_first_pulse("1,1", T), 6)
    2.0
    """
    rho = state_after_first_pulse(state, f)
    return qfi_mixed(rho, phase_generator(f_from_dim(rho.shape[0]), effective_time_s))


# ----------------------------------------------------------------------------- Ramsey


@dataclass(frozen=True)
class RamseyFisher:
    """Classical Fisher information per run (1/Hz²) of the Ramsey readouts of one state.

    ``counts``: the full 0/1/2-atom count distribution; ``p1_binary``: only "one atom or
    not"; ``mean_number``: an estimator using the mean atom number (equivalently the
    per-atom survival). ``sql`` = 2 (2π T_eff)², ``qfi`` the ceiling of the ideal state
    (None for the one-atom reference and collision-model states).
    """

    state: str
    detuning_hz: NDArray[np.float64]
    effective_time_s: float
    counts: NDArray[np.float64]
    p1_binary: NDArray[np.float64]
    mean_number: NDArray[np.float64]
    sql: float
    qfi: float | None

    def best(self, readout: str = "counts") -> tuple[float, float]:
        """(δ in Hz, F in 1/Hz²) where the readout's Fisher information is largest."""
        F = getattr(self, readout)
        i = int(np.argmax(F))
        return float(self.detuning_hz[i]), float(F[i])

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (arrays as lists)."""
        return {
            "state": self.state,
            "detuning_hz": self.detuning_hz.tolist(),
            "effective_time_s": self.effective_time_s,
            "fisher_counts": self.counts.tolist(),
            "fisher_p1_binary": self.p1_binary.tolist(),
            "fisher_mean_number": self.mean_number.tolist(),
            "sql": self.sql,
            "qfi": self.qfi,
        }


def _count_model(seq, normalise: bool = False) -> Callable[[NDArray], NDArray]:
    def model(d: NDArray[np.float64]) -> NDArray[np.float64]:
        r = seq.scan("detuning_hz", d)
        P = np.stack([r.P0, r.P1, r.P2], axis=1)
        if normalise:  # conditional on acceptance (post-selection)
            acc = P.sum(axis=1, keepdims=True)
            P = P / np.where(acc > 0, acc, 1.0)
        return P

    return model


def ramsey_fisher(
    params: Params,
    state: str | None = "chi1",
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    ideal: bool = False,
    instantaneous: bool = False,
    postselect: bool = False,
) -> RamseyFisher:
    """Fisher information per run of each Ramsey readout versus δ (Hz), through the full
    sequence model (arguments as :func:`spinpair.ramsey.ramsey_signals`; default detunings:
    one chi1 fringe, ±1/(4 T_eff)). With ``postselect`` the information is per kept run.

    Examples
    --------
    >>> fr = ramsey_fisher(Params(), "1,1", 5e-6, None, [2e4], ideal=True, instantaneous=True)
    >>> round(float(fr.counts[0] / fr.sql), 6)         # independent atoms: the SQL
    1.0
    """
    seq = ramsey_sequence(
        params,
        state,
        wait_s,
        half_pi_s,
        ideal=ideal,
        instantaneous=instantaneous,
        postselect=postselect,
    )
    step = next(s for s in seq.steps if s.name == "raman")
    T_eff = step.effective_time_s
    if T_eff <= 0:
        raise InputError("wait_s", wait_s, "> 0 (no phase time, no information)")
    if detuning_hz is None:
        det = np.linspace(-0.25 / T_eff, 0.25 / T_eff, 101)
    else:
        det = finite_array("detuning_hz", detuning_hz)
    p, dp, d2p = probability_derivatives(
        _count_model(seq, postselect), det, derivative_step_hz(T_eff)
    )
    F = fisher_information(p, dp, d2probs=d2p)
    q, dq, d2q = p[:, 1], dp[:, 1], d2p[:, 1]
    binary = fisher_information(
        np.stack([q, 1 - q], 1), np.stack([dq, -dq], 1), d2probs=np.stack([d2q, -d2q], 1)
    )
    mean = moment_fisher([0.0, 1.0, 2.0], p, dp, d2p)
    qfi = None
    name = params.collisions.model if state is None else str(state)
    if state is not None and name not in ("single", "collisions"):
        qfi = qfi_after_first_pulse(name, T_eff, params.f)
    return RamseyFisher(name, det, T_eff, F, binary, mean, sql_fisher(T_eff), qfi)


# ----------------------------------------------------------------------------- preparation

#: Pair spin states whose count curves make up every prepared mixture (linear model).
COMPONENTS = ("chi1", "chi_minus", "00", "chi2")


@dataclass(frozen=True)
class PreparationCurves:
    """Count probabilities (n, 3) and their δ-derivatives for each component state, through
    the full sequence, with and without post-selection (post-selected curves unnormalised:
    they sum to the acceptance). Everything else is linear in the mixture weights."""

    detuning_hz: NDArray[np.float64]
    effective_time_s: float
    probs: dict[str, NDArray[np.float64]]
    dprobs: dict[str, NDArray[np.float64]]
    post_probs: dict[str, NDArray[np.float64]]
    post_dprobs: dict[str, NDArray[np.float64]]
    d2probs: dict[str, NDArray[np.float64]] | None = None
    post_d2probs: dict[str, NDArray[np.float64]] | None = None


def preparation_curves(
    params: Params,
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    ideal: bool = False,
    instantaneous: bool = False,
) -> PreparationCurves:
    """Evaluate the component curves once (8 sequence scans) for :func:`preparation_fisher`.

    Default detunings: one full chi1 period, ±1/(2 T_eff), 240 points (no point on δ = 0).
    """
    probe = ramsey_sequence(
        params, "chi1", wait_s, half_pi_s, ideal=ideal, instantaneous=instantaneous
    )
    T_eff = next(s for s in probe.steps if s.name == "raman").effective_time_s
    if T_eff <= 0:
        raise InputError("wait_s", wait_s, "> 0 (no phase time, no information)")
    if detuning_hz is None:
        det = np.linspace(-0.5 / T_eff, 0.5 / T_eff, 240)
    else:
        det = finite_array("detuning_hz", detuning_hz)
    h = derivative_step_hz(T_eff)
    out: dict[str, dict[str, NDArray]] = {k: {} for k in ("p", "dp", "d2p", "pp", "pdp", "pd2p")}
    for name in COMPONENTS:
        for post in (False, True):
            seq = ramsey_sequence(
                params,
                name,
                wait_s,
                half_pi_s,
                ideal=ideal,
                instantaneous=instantaneous,
                postselect=post,
            )
            p, dp, d2p = probability_derivatives(_count_model(seq), det, h)
            out["pp" if post else "p"][name] = p
            out["pdp" if post else "dp"][name] = dp
            out["pd2p" if post else "d2p"][name] = d2p
    return PreparationCurves(
        det, T_eff, out["p"], out["dp"], out["pp"], out["pdp"], out["d2p"], out["pd2p"]
    )


def mixture_weights(
    p_chi1: float, fidelity: float, others: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Weights of chi1, chi_minus, 00, chi2: the chi1 part p with fidelity F is
    p(F chi1 + (1-F) chi_minus); the rest 1 - p is split as ``others`` (default the presets'
    00 : chi2 = 0.40 : 0.23, illustrative: the paper quotes only chi1 ≈ 0.37).

    Examples
    --------
    >>> w = mixture_weights(0.37, 1.0)
    >>> round(w["chi1"], 2), round(w["00"] + w["chi2"], 2)
    (0.37, 0.63)
    """
    p = check_probability("p_chi1", p_chi1)
    F = check_probability("fidelity", fidelity)
    rest = dict(others) if others is not None else {"00": 0.40, "chi2": 0.23}
    for k, v in rest.items():
        if k not in ("00", "chi2"):
            raise InputError(f"others.{k}", v, "keys 00 and chi2")
        check_range(f"others.{k}", v, 0.0)
    total = sum(rest.values())
    if total <= 0:
        raise InputError("others", rest, "non-negative weights, not all zero")
    return {
        "chi1": p * F,
        "chi_minus": p * (1 - F),
        "00": (1 - p) * rest.get("00", 0.0) / total,
        "chi2": (1 - p) * rest.get("chi2", 0.0) / total,
    }


@dataclass(frozen=True)
class PreparationFisher:
    """Best Fisher information per run (1/Hz², maximised over δ) for a prepared mixture.

    ``per_run``: no post-selection; ``postselected_per_attempt``: with post-selection,
    per attempted run; ``per_postselected_run``: per kept run; ``acceptance``: fraction
    kept; ``sql`` = 2 (2π T_eff)²; ``*_detuning_hz`` where the maximum lies.
    """

    p_chi1: float
    fidelity: float
    per_run: float
    postselected_per_attempt: float
    per_postselected_run: float
    acceptance: float
    sql: float
    per_run_detuning_hz: float
    postselected_detuning_hz: float

    def beats_sql(self) -> dict[str, bool]:
        """Which figure of merit exceeds the SQL."""
        return {
            "per_run": self.per_run > self.sql,
            "postselected_per_attempt": self.postselected_per_attempt > self.sql,
            "per_postselected_run": self.per_postselected_run > self.sql,
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary, with the ratios to the SQL."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["ratio_to_sql"] = {
            k: getattr(self, k) / self.sql
            for k in ("per_run", "postselected_per_attempt", "per_postselected_run")
        }
        d["beats_sql"] = self.beats_sql()
        return d


def preparation_fisher(
    curves: PreparationCurves,
    p_chi1: float,
    fidelity: float = 1.0,
    others: Mapping[str, float] | None = None,
) -> PreparationFisher:
    """Fisher information of a prepared mixture, with and without post-selection.

    Examples
    --------
    >>> d = np.linspace(-5e4, 5e4, 41)                      # Hz, includes δ = 0
    >>> c = preparation_curves(Params(), 5e-6, None, d, ideal=True, instantaneous=True)
    >>> r = preparation_fisher(c, 1.0, 1.0)
    >>> round(r.per_run / r.sql, 3), round(r.per_postselected_run / r.sql, 3)
    (2.0, 2.0)
    """
    w = mixture_weights(p_chi1, fidelity, others)
    P = sum(w[k] * curves.probs[k] for k in COMPONENTS)
    dP = sum(w[k] * curves.dprobs[k] for k in COMPONENTS)
    Q = sum(w[k] * curves.post_probs[k] for k in COMPONENTS)
    dQ = sum(w[k] * curves.post_dprobs[k] for k in COMPONENTS)
    d2P = d2Q = None
    if curves.d2probs is not None and curves.post_d2probs is not None:
        d2P = sum(w[k] * curves.d2probs[k] for k in COMPONENTS)
        d2Q = sum(w[k] * curves.post_d2probs[k] for k in COMPONENTS)
    F_run = fisher_information(P, dP, d2probs=d2P)
    F_att = fisher_information(Q, dQ, d2probs=d2Q)
    acc = float(np.mean(np.sum(Q, axis=1)))  # δ-independent: selection precedes the pulses
    i, j = int(np.argmax(F_run)), int(np.argmax(F_att))
    return PreparationFisher(
        p_chi1=float(p_chi1),
        fidelity=float(fidelity),
        per_run=float(F_run[i]),
        postselected_per_attempt=float(F_att[j]),
        per_postselected_run=float(F_att[j] / acc) if acc > 0 else 0.0,
        acceptance=acc,
        sql=sql_fisher(curves.effective_time_s),
        per_run_detuning_hz=float(curves.detuning_hz[i]),
        postselected_detuning_hz=float(curves.detuning_hz[j]),
    )


def sql_thresholds(
    curves: PreparationCurves,
    fidelity: float = 1.0,
    others: Mapping[str, float] | None = None,
) -> dict[str, float | None]:
    """Smallest chi1 preparation probability p that beats the SQL per run, for the given
    chi1 fidelity: ``per_run`` (no post-selection) and ``postselected_per_attempt``; and
    the smallest fidelity that beats it per post-selected run (at p = 1). None: never.

    Examples
    --------
    >>> d = np.linspace(-5e4, 5e4, 41)                      # Hz, includes δ = 0
    >>> c = preparation_curves(Params(), 5e-6, None, d, ideal=True, instantaneous=True)
    >>> t = sql_thresholds(c, 1.0)
    >>> round(t["postselected_per_attempt"], 3), round(t["fidelity_per_postselected_run"], 3)
    (0.5, 0.5)
    """
    out: dict[str, float | None] = {}
    for key in ("per_run", "postselected_per_attempt"):

        def gap(p: float, key: str = key) -> float:
            r = preparation_fisher(curves, p, fidelity, others)
            return getattr(r, key) / r.sql - 1.0

        if gap(1.0) <= 0:
            out[key] = None
        elif gap(1e-6) > 0:
            out[key] = 0.0
        else:
            out[key] = float(optimize.brentq(gap, 1e-6, 1.0, xtol=1e-6))

    def gap_f(F: float) -> float:
        r = preparation_fisher(curves, 1.0, F, others)
        return r.per_postselected_run / r.sql - 1.0

    if gap_f(1.0) <= 0:
        out["fidelity_per_postselected_run"] = None
    elif gap_f(0.0) > 0:
        out["fidelity_per_postselected_run"] = 0.0
    else:
        out["fidelity_per_postselected_run"] = float(optimize.brentq(gap_f, 0.0, 1.0, xtol=1e-6))
    return out


__all__ = [
    "COMPONENTS",
    "PreparationCurves",
    "PreparationFisher",
    "RamseyFisher",
    "classical_fisher",
    "cramer_rao_bound_hz",
    "derivative_step_hz",
    "detuning_per_gauss",
    "field_bound_gauss",
    "fisher_information",
    "heisenberg_fisher",
    "mixture_weights",
    "moment_fisher",
    "phase_generator",
    "preparation_curves",
    "preparation_fisher",
    "probability_derivatives",
    "qfi_after_first_pulse",
    "qfi_mixed",
    "qfi_pure",
    "ramsey_fisher",
    "sql_fisher",
    "sql_thresholds",
    "state_after_first_pulse",
]
