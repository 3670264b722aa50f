"""Fisher information, Cramér–Rao bounds, the standard quantum and Heisenberg limits, and
the quantum Fisher information: pure functions of outcome probabilities and pair states
(spec §6, paper p. 4).

Units. The estimated parameter is the Raman detuning δ in Hz. The Ramsey phase of one atom
is φ = 2π δ T_eff (rad) with T_eff = T + 4τ/π (s); Fisher informations are per run in
Hz⁻², Cramér–Rao bounds in Hz (:mod:`spinpair.metrology.field` converts them to the magnetic
field).

* **Classical Fisher information** of one run with outcome probabilities p_k(δ):
  F_C(δ) = Σ_k (∂p_k/∂δ)²/p_k (the derivatives come from central differences of the exact
  model). Where an outcome probability vanishes (p_k = 0, for example P0 and P2 of chi1 at
  exactly δ = 0) its term is 0/0; a smooth p_k ≥ 0 has a double zero there, p_k ≈ ½ p_k'' ε²,
  so the term tends to 2 p_k'' (the value it has at every nearby δ), which is used instead
  of dropping it. Cramér–Rao: Δδ ≥ 1/√(N F_C) after N runs.
* **Standard quantum limit.** One atom in an ideal Ramsey sequence ends in |-1⟩ with
  probability cos²(φ/2): F_φ = (∂p/∂φ)²/(p(1-p)) = 1 for every φ, so F_δ = (2π T_eff)²
  per atom (Hz⁻²). Two independent atoms: F_SQL = 2 (2π T_eff)² per run.
* **Entangled pair.** chi1 after the first π/2 pulse is i(|1,1⟩ + |-1,-1⟩)/√2, phase 2φ:
  P1 = cos²(2π δ T_eff), F = 4 (2π T_eff)² = 2 F_SQL (the two-atom Heisenberg limit).
* **Quantum Fisher information** of the state after the first pulse, with the phase
  generator G = 2π T_eff (σz⁽¹⁾ + σz⁽²⁾)/2 (σz = ±1 on m = ±1, 0 elsewhere; U = e^{iδG}):
  F_Q = 4 Var(G) for pure states, F_Q = 2 Σ_ij (λ_i - λ_j)²/(λ_i + λ_j) |G_ij|² for mixed
  ones. chi1: 4 (2π T_eff)², a product state |1,1⟩: 2 (2π T_eff)² — a factor 2 per pair.
  It is the ceiling of every measurement after the phase encoding.

Nothing here runs the measurement sequence: :mod:`spinpair.metrology.readout` and
:mod:`spinpair.metrology.preparation` feed it the sequence's count probabilities.

Examples
--------
>>> T = 5e-6
>>> round(heisenberg_fisher(T) / sql_fisher(T), 6)          # two atoms: a factor 2
2.0
>>> round(qfi_after_first_pulse("chi1", T) / sql_fisher(T), 6)
2.0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError, check_range
from ..spin import PairBasis, _as_array, as_density_matrix, f_from_dim, named_state
from ..validation import (
    Interval,
    _short,
    broadcast,
    finite_array,
    function,
    real_values,
    size,
)

# ----------------------------------------------------------------------------- classical


def fisher_information(
    probs: ArrayLike,
    dprobs: ArrayLike,
    *,
    axis: int = -1,
    eps: float = 1e-12,
    d2probs: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Classical Fisher information per run, F_C(δ) = Σ_k (∂p_k/∂δ)²/p_k, of the outcome
    probabilities p_k of one run (for example the 0/1/2-atom count probabilities P0, P1, P2)
    with respect to the Raman detuning δ; the outcomes run along ``axis``.

    ``probs``: p_k(δ); ``dprobs``: ∂p_k/∂δ in Hz⁻¹ (then F_C is in Hz⁻² per run; in general
    in 1/(unit of δ)²). Terms with p_k ≤ eps are 0/0 at a zero of p_k: with ``d2probs``
    (∂²p_k/∂δ², Hz⁻²) they take their limit 2 max(p_k'', 0) (p_k ≈ ½ p_k'' ε² near a double
    zero); without it they are dropped. Not to be confused with the Fisher information about
    the chi1 fidelity that the analysis package uses to plan runs (a different parameter).

    Examples
    --------
    >>> a, d = 3.0, 0.2                      # p = cos²(a d): F = 4 a² for every d
    >>> p = np.array([np.cos(a * d) ** 2, np.sin(a * d) ** 2])
    >>> dp = np.array([-a * np.sin(2 * a * d), a * np.sin(2 * a * d)])
    >>> round(float(fisher_information(p, dp)), 9)
    36.0
    """
    p = real_values("probs", probs, Interval(0.0, 1.0))
    dp = real_values("dprobs", dprobs)
    eps = check_range("eps", eps, 0.0, 1.0)
    d2 = None if d2probs is None else real_values("d2probs", d2probs)
    p, dp, *rest = broadcast(probs=p, dprobs=dp, **({} if d2 is None else {"d2probs": d2}))
    if p.ndim == 0:
        raise InputError("probs", float(p), "an array of outcome probabilities")
    axis = size("axis", axis, -p.ndim, p.ndim - 1)
    safe = np.where(p > eps, p, 1.0)
    if d2 is None:
        limit = np.zeros_like(p)
    else:
        limit = 2.0 * np.maximum(rest[0], 0.0)
    return np.sum(np.where(p > eps, dp**2 / safe, limit), axis=axis)


#: The longest effective Ramsey time (s) the bounds take (a day; beyond, (2πT)² overflows
#: long before any experiment).
MAX_EFFECTIVE_TIME_S = 86400.0


def _effective_time(value: float) -> float:
    return check_range("effective_time_s", value, 0.0, MAX_EFFECTIVE_TIME_S, unit="s")


def _generator(generator: ArrayLike, n: int) -> NDArray[np.complex128]:
    """A finite generator: its diagonal (n,) or a matrix (n, n), as an (n, n) matrix."""
    G = _as_array(generator, "generator")
    if G.shape not in ((n,), (n, n)) or not np.all(np.isfinite(G)):
        raise InputError("generator", _short(G), f"finite numbers of shape ({n},) or ({n}, {n})")
    return np.diag(G) if G.ndim == 1 else G


def derivative_step_hz(effective_time_s: float) -> float:
    """Central-difference step for δ (Hz): a phase step 2π·10⁻⁴ at T_eff (1 Hz if T_eff=0)."""
    T = _effective_time(effective_time_s)
    return 1e-4 / T if T > 0 else 1.0


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
    function("model", model)
    det = finite_array("detuning_hz", detuning_hz)
    # a numpy float: h² beyond the double range is inf (caught below), not an OverflowError
    h = np.float64(check_range("step_hz", step_hz, 0.0, None, lo_open=True))
    allp = real_values("model(detuning_hz)", model(np.concatenate([det - h, det + h, det])))
    n = det.size
    if allp.ndim == 0 or allp.shape[0] != 3 * n:
        raise InputError(
            "model(detuning_hz)", list(allp.shape), "probabilities (n, K), one row per detuning"
        )
    lo, hi, p = allp[:n], allp[n : 2 * n], allp[2 * n :]
    with np.errstate(all="ignore"):
        d1, d2 = (hi - lo) / (2 * h), (hi + lo - 2 * p) / h**2
    if not (np.all(np.isfinite(d1)) and np.all(np.isfinite(d2))):
        raise InputError("step_hz", h, "a step whose first and second differences are finite")
    return p, d1, d2


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
    x = real_values("values", values, ndim=1)
    p = real_values("probs", probs, Interval(0.0, 1.0))
    dp = real_values("dprobs", dprobs)
    for name, a in (("probs", p), ("dprobs", dp)):
        if a.ndim == 0 or a.shape[-1] != x.size:
            raise InputError(name, list(a.shape), f"(..., {x.size}): one entry per value")
    mean = p @ x
    var = p @ x**2 - mean**2
    dmean = dp @ x
    if d2probs is None:
        limit = np.zeros_like(var)
    else:
        d2 = real_values("d2probs", d2probs)
        if d2.ndim == 0 or d2.shape[-1] != x.size:
            raise InputError("d2probs", list(d2.shape), f"(..., {x.size}): one entry per value")
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
    f = real_values("fisher_per_run", fisher_per_run)
    return np.where(f > 0, 1.0 / np.sqrt(n * np.where(f > 0, f, 1.0)), np.inf)


def sql_fisher(effective_time_s: float, n_atoms: int = 2) -> float:
    """Standard quantum limit n (2π T_eff)² (1/Hz² per run) for n independent atoms.

    Examples
    --------
    >>> round(sql_fisher(5e-6) * 1e9, 4)
    1.9739
    """
    T = _effective_time(effective_time_s)
    return float(size("n_atoms", n_atoms, 1, 10**9) * (2 * np.pi * T) ** 2)


def heisenberg_fisher(effective_time_s: float, n_atoms: int = 2) -> float:
    """Heisenberg limit n² (2π T_eff)² (1/Hz² per run); chi1 reaches it for n = 2.

    Examples
    --------
    >>> round(heisenberg_fisher(5e-6) / sql_fisher(5e-6), 6)
    2.0
    """
    T = _effective_time(effective_time_s)
    return float(size("n_atoms", n_atoms, 1, 10**9) ** 2 * (2 * np.pi * T) ** 2)


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
    T = _effective_time(effective_time_s)
    return 2 * np.pi * T * 0.5 * (s[:, None] + s[None, :]).ravel()


def qfi_pure(psi: ArrayLike, generator: ArrayLike) -> float:
    """F_Q = 4 Var(G) of a pure state (G diagonal (n,) or a matrix (n, n)).

    Examples
    --------
    >>> round(qfi_pure(np.array([1, 1]) / np.sqrt(2), np.array([0.5, -0.5])), 6)
    1.0
    """
    v = _as_array(psi, "psi")
    if v.ndim != 1 or not np.all(np.isfinite(v)) or not np.linalg.norm(v) > 0:
        raise InputError("psi", _short(v), "a non-zero finite ket (n,)")
    v = v / np.linalg.norm(v)
    Gm = _generator(generator, v.size)
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
    r = _as_array(rho, "rho")
    if r.ndim == 1:
        r = np.outer(r, r.conj())
    if r.ndim != 2 or r.shape[0] != r.shape[1] or r.size == 0 or not np.all(np.isfinite(r)):
        raise InputError("rho", _short(r), "a finite ket (n,) or density matrix (n, n)")
    Gm = _generator(generator, r.shape[0])
    tol = check_range("tol", tol, 0.0, None)
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
    from ..raman import apply_local_unitary, raman_unitary

    rho = (
        named_state(state, f)
        if isinstance(state, str)
        else as_density_matrix(state, check=True, name="state")
    )
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


__all__ = [
    "classical_fisher",
    "cramer_rao_bound_hz",
    "derivative_step_hz",
    "fisher_information",
    "heisenberg_fisher",
    "moment_fisher",
    "phase_generator",
    "probability_derivatives",
    "qfi_after_first_pulse",
    "qfi_mixed",
    "qfi_pure",
    "sql_fisher",
    "state_after_first_pulse",
]
