"""Optimal allocation of runs over candidate settings for one parameter of interest.

Each candidate setting i has a Fisher information matrix per run M_i (q × q, parameter 0
the one of interest, the others nuisances) from count probabilities p_ik and their
derivatives J_ik = ∂p_ik/∂θ: M_i = Σ_k J_ik J_ikᵀ / p_ik (multinomial over the outcomes k).
Prior (Gaussian) knowledge of the nuisances adds P = diag(1/σ²), which does not grow with
the runs. With n_i runs at setting i the asymptotic variance of the estimate of θ₀ (the
others profiled) is

    V(n) = [(Σ_i n_i M_i + P)⁻¹]₀₀,

and the design problem is c-optimal (c = e₀): minimise V over n ≥ 0 with Σ n_i = N.
:func:`c_optimal_weights` solves the continuous relaxation w = n/N with the multiplicative
algorithm (Silvey, Titterington & Torsney 1978; Pukelsheim, *Optimal Design of
Experiments*, 1993, ch. 5): w_i ← w_i d_i / Σ_j w_j d_j with d_i = cᵀA⁻¹M_iA⁻¹c, which
converges to the optimum; the equivalence theorem (max_i d_i = Σ_j w_j d_j at the optimum)
is reported as ``efficiency_gap``. :func:`round_allocation` turns weights into integer runs
(largest remainders).

Examples
--------
>>> M = np.array([[[1.0]], [[4.0]], [[2.0]]])     # one parameter: all runs on the best
>>> w = c_optimal_weights(M, total=100).weights
>>> [round(float(x), 3) for x in w]
[0.0, 1.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError

#: Iterations of the multiplicative algorithm.
ITERATIONS = 4000
#: Weights below this are set to zero at the end (then renormalised).
PRUNE = 1e-4


def fisher_per_run(probs: ArrayLike, jacobian: ArrayLike, eps: float = 1e-12) -> NDArray:
    """Fisher matrices per run (n, q, q) from probabilities (n, m) over m outcomes and
    their derivatives (n, m, q)."""
    p = np.clip(np.asarray(probs, dtype=float), eps, None)
    J = np.asarray(jacobian, dtype=float)
    if J.ndim != 3 or J.shape[:2] != p.shape:
        raise InputError("jacobian", list(J.shape), f"shape {(*p.shape, 'q')}")
    return np.einsum("nkq,nkr,nk->nqr", J, J, 1.0 / p)


def _columns(q: int, index: int | tuple[int, ...]) -> NDArray:
    """The unit vectors of the parameters of interest (q × r)."""
    idx = (index,) if isinstance(index, int) else tuple(index)
    return np.eye(q)[:, list(idx)]


def variance(
    runs: ArrayLike,
    fisher: NDArray,
    prior: ArrayLike | None = None,
    index: int | tuple[int, ...] = 0,
) -> float:
    """V = Σ_j [(Σ n_i M_i + P)⁻¹]_jj over the parameters ``index`` (one index: that
    parameter's variance; several: the A-optimal sum); inf where not identified."""
    n = np.asarray(runs, dtype=float)
    A = np.einsum("i,iqr->qr", n, fisher)
    if prior is not None:
        A = A + np.diag(np.asarray(prior, dtype=float))
    C = _columns(A.shape[0], index)
    try:
        v = float(np.trace(C.T @ np.linalg.solve(A, C)))
    except np.linalg.LinAlgError:
        return float("inf")
    return v if v > 0 and np.isfinite(v) else float("inf")


@dataclass(frozen=True)
class Allocation:
    """Weights over the candidates, the variance per unit total (at ``total`` runs), and
    the equivalence-theorem gap (0 at the optimum)."""

    weights: NDArray[np.float64]
    variance: float
    efficiency_gap: float
    iterations: int


def c_optimal_weights(
    fisher: NDArray,
    total: float,
    prior: ArrayLike | None = None,
    index: int | tuple[int, ...] = 0,
    iterations: int = ITERATIONS,
    start: ArrayLike | None = None,
) -> Allocation:
    """Weights w (Σ = 1) minimising V(total · w) for parameter ``index`` (c-optimal; a
    tuple of indices: A-optimal, the sum of their variances)."""
    M = np.asarray(fisher, dtype=float)
    n, q = M.shape[0], M.shape[1]
    if total <= 0:
        raise InputError("shots", total, "> 0")
    P = np.zeros((q, q)) if prior is None else np.diag(np.asarray(prior, dtype=float))
    C = _columns(q, index)
    w = np.full(n, 1.0 / n) if start is None else np.asarray(start, dtype=float).copy()
    w = w / w.sum()
    ridge = 1e-12 * max(1.0, float(np.max(np.abs(M))))
    d = np.zeros(n)
    for it in range(iterations):  # noqa: B007
        A = total * np.einsum("i,iqr->qr", w, M) + P + ridge * np.eye(q)
        G = np.linalg.solve(A, C)
        d = np.einsum("qj,iqr,rj->i", G, M, G)
        s = float(w @ d)
        if s <= 0:
            break
        new = w * d / s
        new /= new.sum()
        if np.max(np.abs(new - w)) < 1e-13:
            w = new
            break
        w = new
    w = np.where(w < PRUNE, 0.0, w)
    w = w / w.sum()
    A = total * np.einsum("i,iqr->qr", w, M) + P + ridge * np.eye(q)
    G = np.linalg.solve(A, C)
    d = np.einsum("qj,iqr,rj->i", G, M, G)
    s = float(w @ d)
    gap = float(np.max(d) / s - 1.0) if s > 0 else float("inf")
    return Allocation(w, variance(total * w, M, np.diag(P), index), gap, it + 1)


def round_allocation(weights: ArrayLike, total: int) -> NDArray[np.int64]:
    """Integer runs summing to ``total``, proportional to ``weights`` (largest remainders).

    Examples
    --------
    >>> round_allocation([0.5, 0.3, 0.2], 7).tolist()
    [4, 2, 1]
    """
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    raw = w * int(total)
    n = np.floor(raw).astype(np.int64)
    rest = int(total) - int(n.sum())
    order = np.argsort(-(raw - n), kind="stable")
    n[order[:rest]] += 1
    return n


def greedy_increment(
    existing_fisher: NDArray,
    fisher: NDArray,
    shots: int,
    chunks: int = 20,
    index: int | tuple[int, ...] = 0,
) -> NDArray[np.int64]:
    """Where ``shots`` more runs lower V most, given the information ``existing_fisher``
    (q × q, including any prior) already gathered: ``chunks`` equal parts, each to the
    candidate that lowers V most (sequential design)."""
    M = np.asarray(fisher, dtype=float)
    A = np.asarray(existing_fisher, dtype=float).copy()
    out = np.zeros(M.shape[0], dtype=np.int64)
    sizes = round_allocation(np.ones(min(chunks, shots)), shots)
    q = A.shape[0]
    C = _columns(q, index)
    ridge = 1e-12 * max(1.0, float(np.max(np.abs(M))))
    for size in sizes:
        best, best_v = 0, np.inf
        for i in range(M.shape[0]):
            try:
                v = float(np.trace(C.T @ np.linalg.solve(A + size * M[i] + ridge * np.eye(q), C)))
            except np.linalg.LinAlgError:
                continue
            if v < best_v:
                best, best_v = i, v
        A = A + size * M[best]
        out[best] += size
    return out


__all__ = [
    "Allocation",
    "c_optimal_weights",
    "fisher_per_run",
    "greedy_increment",
    "round_allocation",
    "variance",
]
