"""Global stage of the calibration: an adaptive grid with a stated resolution.

The negative log-likelihood of population data is sharp (``nll = N·KL``: with 2000 runs a
population change of 0.02 moves it by ~1), so its valleys in the scattering lengths can be
~10 a_B wide, far below any affordable uniform grid over ±1000 a_B. The model
*probabilities* are smooth on that scale, though, so the search bounds the likelihood from
below through them:

1. A coarse grid over the limits (every node evaluated).
2. For every cell (a box between neighbouring nodes) the model probabilities inside are
   bounded by the box spanned by its corners' probabilities, widened by the multilinear
   interpolation error ``Σ_k h_k²/8·|∂²p/∂x_k²|`` (second differences of the nodes along
   each axis, times a safety factor). The smallest nll any probabilities in that box can
   give (a convex problem, solved exactly per hold time) is a lower bound on the nll in the
   cell.
3. Every cell whose lower bound comes within ``threshold`` (Δnll) of the best node is
   split in 2^d, and its new nodes are evaluated; the others are left. Repeat until the
   node spacing reaches the requested resolution.

So every region where the nll can come within ``threshold`` of the best is sampled at the
stated resolution (to the accuracy of the curvature estimate), at a cost that grows with
the size of those regions, not with the volume of the limits. Everything is counted in
model evaluations: the same data and options give the same nodes on any machine.

Coordinates are the calibration's internal ones (a_F in Bohr radii, ln rate_scale).
Indices are integers on the finest lattice: node ``i`` sits at ``lower + i·step``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

#: Node spacing (a_B) the calibration's grid reaches for the a_F by default wherever the
#: nll can come within Δnll < 2 of the best: the valleys of relaxation data with a few
#: hundred runs per time are ~10 a_B wide.
DEFAULT_RESOLUTION_BOHR = 5.0
#: The same for rate_scale, relative (2 %).
DEFAULT_RESOLUTION_RATE_SCALE = 0.02
#: Model evaluations a calibration may spend by default (the relaxation model costs
#: 0.3–6 ms per evaluation; the full-engine models far more: coarsen the resolution there).
DEFAULT_MAX_EVALUATIONS = 20000

#: Two minima are one unless every path of nodes between them climbs at least this Δnll.
BARRIER_DNLL = 0.25
#: A cell over which the nll provably varies by less than this (Δnll) is not split further:
#: it cannot hide a minimum separated from its corners by a barrier (flat regions stay
#: coarse).
RESOLVED_DNLL = BARRIER_DNLL

#: Factor on the second-difference estimate of the interpolation error (the curvature
#: inside a cell can exceed the one measured across its nodes).
CURVATURE_SAFETY = 3.0

Index = tuple[int, ...]


def lattice(
    span: Sequence[float], resolution: Sequence[float], coarse_points: int
) -> tuple[int, list[int]]:
    """Refinement levels ``L`` and coarse points per axis so that the finest spacing,
    ``span_k / ((n_k − 1)·2^L)``, is at most ``resolution[k]``, with at least
    ``coarse_points`` (and fewer than twice as many) coarse points on the most demanding
    axis, and at least 3 on every axis."""
    need = [s / r for s, r in zip(span, resolution, strict=True)]  # fine intervals needed
    levels = max(0, max(math.floor(math.log2(n / (coarse_points - 1)) + 1e-9) for n in need))
    coarse = [max(3, math.ceil(n / 2**levels - 1e-9) + 1) for n in need]
    return levels, coarse


def min_nll_in_box(
    obs: NDArray[np.float64], lo: NDArray[np.float64], hi: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Smallest saturated multinomial nll ``Σ n ln(n/(N p))`` over probabilities ``p`` with
    ``lo ≤ p ≤ hi`` and ``Σ p = 1``, summed over times.

    ``obs``: counts (cells, times); ``lo``, ``hi``: (boxes, cells, times). Returns one lower
    bound per box. The optimum is ``p_j = clip(λ n_j, lo_j, hi_j)`` for cells with counts
    (cells with none cost nothing and take up the slack), λ found by bisection.
    """
    n = np.broadcast_to(obs[None], lo.shape)
    pos = n > 0
    total = obs.sum(axis=0)[None]  # (1, times)
    slack_lo = np.where(pos, 0.0, lo).sum(axis=1)  # empty cells at their lowest
    slack_hi = np.where(pos, 0.0, hi).sum(axis=1)

    def filled(log_lam: NDArray[np.float64]) -> NDArray[np.float64]:
        p = np.clip(n * np.exp(log_lam)[:, None, :], lo, hi)
        return np.where(pos, p, 0.0).sum(axis=1)

    a = np.full(slack_lo.shape, math.log(1e-15))
    b = np.zeros(slack_lo.shape)  # λ = 1: n λ ≥ 1 ≥ hi for every cell with counts
    for _ in range(60):
        m = 0.5 * (a + b)
        low = filled(m) + slack_lo < 1.0
        a = np.where(low, m, a)
        b = np.where(low, b, m)
    p = np.clip(n * np.exp(b)[:, None, :], lo, hi)
    # if even every counted cell at hi and the empty ones at hi cannot reach 1, the box
    # holds no probabilities at all (cannot happen for boxes around real nodes)
    infeasible = (np.where(pos, hi, 0.0).sum(axis=1) + slack_hi) < 1.0 - 1e-9
    with np.errstate(divide="ignore"):
        ratio = np.where(pos, n, 1.0) / (total * np.maximum(p, 1e-300))
        terms = np.where(pos, n * np.log(ratio), 0.0)
    out = terms.sum(axis=(1, 2))
    return np.where(infeasible.any(axis=1), np.inf, out)


@dataclass
class GridSearch:
    """Nodes of the adaptive grid and what the search reached.

    ``nll[i]`` for every evaluated node index ``i``; ``stride``: the finest node spacing
    reached, in lattice units (1 when the requested resolution was reached); ``leaves``:
    every cell that was not split, as (lower corner, side in lattice units, why) with why
    ``"finest"`` (at the finest spacing reached), ``"above"`` (its lower bound is not
    within the threshold of the best) or ``"resolved"`` (the nll varies by less than
    :data:`RESOLVED_DNLL` inside); ``refined``: cells split per level; ``complete``: every
    level ran within the evaluation budget.
    """

    lower: NDArray[np.float64]
    step: NDArray[np.float64]
    fine: tuple[int, ...]
    coarse: tuple[int, ...]
    levels: int
    stride: int = 0
    nll: dict[Index, float] = field(default_factory=dict)
    leaves: list[tuple[Index, int, str]] = field(default_factory=list)
    refined: list[int] = field(default_factory=list)
    evaluations: int = 0
    complete: bool = True

    def coords(self, idx: Sequence[int]) -> NDArray[np.float64]:
        """Internal coordinates of a lattice index."""
        return self.lower + np.asarray(idx, dtype=float) * self.step

    @property
    def spacing(self) -> NDArray[np.float64]:
        """Node spacing reached per axis (internal units)."""
        return self.step * self.stride

    @property
    def best(self) -> tuple[float, Index]:
        """Lowest node: (nll, index)."""
        i = min(self.nll, key=lambda k: (self.nll[k], k))
        return self.nll[i], i

    def leaf_count(self, why: str) -> int:
        """Number of unsplit cells of one kind (``finest``, ``above``, ``resolved``)."""
        return sum(1 for _, _, w in self.leaves if w == why)

    def separated_minima(self, window: float, barrier: float) -> list[tuple[float, Index]]:
        """Minima of the nodes within ``window`` of the best that no path of neighbouring
        nodes (corners of one unsplit cell) joins to a lower one without climbing at
        least ``barrier``: lowest first (0-dimensional persistence)."""
        best, _ = self.best
        cut = best + window + barrier
        nbrs: dict[Index, set[Index]] = {}
        corners = list(itertools.product((0, 1), repeat=len(self.fine)))
        for c, s, _ in self.leaves:
            pts = [tuple(a + s * b for a, b in zip(c, m, strict=True)) for m in corners]
            pts = [k for k in pts if self.nll[k] < cut]
            for k in pts:
                nbrs.setdefault(k, set()).update(pts)
        keep = sorted((self.nll[k], k) for k in nbrs)
        parent: dict[Index, Index] = {}
        low: dict[Index, tuple[float, Index]] = {}  # component root -> its minimum
        found: list[tuple[float, Index]] = []

        def root(k: Index) -> Index:
            while parent[k] != k:
                parent[k] = parent[parent[k]]
                k = parent[k]
            return k

        for v, k in keep:
            parent[k] = k
            low[k] = (v, k)
            for nb in sorted(nbrs[k]):
                if nb == k or nb not in parent:
                    continue
                ra, rb = root(k), root(nb)
                if ra == rb:
                    continue
                if low[ra] > low[rb]:
                    ra, rb = rb, ra
                # the higher minimum (that of rb) dies here, at level v
                vb, kb = low[rb]
                if v - vb >= barrier and kb != k:
                    found.append((vb, kb))
                parent[rb] = ra
        found += [low[k] for k in parent if parent[k] == k]
        return sorted({(v, k) for v, k in found if v < best + window})


def adaptive_grid(
    evaluate: Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]],
    obs: NDArray[np.float64],
    lower: Sequence[float],
    upper: Sequence[float],
    resolution: Sequence[float],
    coarse_points: int,
    threshold: float,
    max_evaluations: int,
    progress: Callable[[int], None] | None = None,
) -> GridSearch:
    """Run the adaptive grid (module docstring).

    Parameters
    ----------
    evaluate : ``u -> (nll, p)`` with ``p`` the model probabilities (cells, times).
    obs : observed counts (cells, times).
    lower, upper : limits per axis (internal units).
    resolution : finest node spacing wanted per axis (internal units).
    coarse_points : points of the coarse grid on the most demanding axis.
    threshold : cells whose lower bound is within this Δnll of the best node are refined.
    max_evaluations : model evaluations the search may spend; a level that does not fit is
        not started (``complete`` False; the spacing reached is reported).
    progress : called with the number of new evaluations after each batch.
    """
    lo = np.asarray(lower, dtype=float)
    span = np.asarray(upper, dtype=float) - lo
    levels, coarse = lattice(span.tolist(), list(resolution), coarse_points)
    s0 = 2**levels
    fine = tuple((c - 1) * s0 for c in coarse)
    g = GridSearch(lo, span / np.array(fine, dtype=float), fine, tuple(coarse), levels)
    d = len(fine)
    probs: dict[Index, NDArray[np.float64]] = {}

    def run(indices: list[Index]) -> None:
        for k in indices:
            v, p = evaluate(g.coords(k))
            g.nll[k] = float(v)
            probs[k] = np.asarray(p, dtype=float)
        g.evaluations += len(indices)
        if progress is not None:
            progress(len(indices))

    coarse_nodes = [
        tuple(int(i) * s0 for i in idx) for idx in itertools.product(*(range(c) for c in coarse))
    ]
    if len(coarse_nodes) > max_evaluations:
        raise ValueError(
            f"the coarse grid ({' x '.join(map(str, coarse))} = {len(coarse_nodes)} points) "
            f"exceeds max_evaluations = {max_evaluations}"
        )
    run(coarse_nodes)
    g.stride = s0
    cells = [
        tuple(int(i) * s0 for i in idx)
        for idx in itertools.product(*(range(c - 1) for c in coarse))
    ]
    corners = list(itertools.product((0, 1), repeat=d))
    for level in range(levels):
        s = s0 >> level
        bounds, var = _lower_bounds(cells, s, probs, obs, corners)
        best = min(g.nll.values())
        chosen = []
        for c, b, v in zip(cells, bounds, var, strict=True):
            if not b < best + threshold:
                g.leaves.append((c, s, "above"))
            elif v < RESOLVED_DNLL:
                g.leaves.append((c, s, "resolved"))
            else:
                chosen.append(c)
        h = s // 2
        new: list[Index] = []
        seen: set[Index] = set()
        for c in chosen:
            for m in itertools.product((0, 1, 2), repeat=d):
                k = tuple(a + h * b for a, b in zip(c, m, strict=True))
                if k not in g.nll and k not in seen:
                    seen.add(k)
                    new.append(k)
        if g.evaluations + len(new) > max_evaluations:
            g.complete = False
            g.leaves += [(c, s, "finest") for c in chosen]
            return g
        run(sorted(new))
        g.refined.append(len(chosen))
        cells = [
            tuple(a + h * b for a, b in zip(c, m, strict=True)) for c in chosen for m in corners
        ]
        g.stride = h
    g.leaves += [(c, g.stride, "finest") for c in cells]
    return g


def _lower_bounds(
    cells: list[Index],
    s: int,
    probs: dict[Index, NDArray[np.float64]],
    obs: NDArray[np.float64],
    corners: list[tuple[int, ...]],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lower bound of the nll over each cell (lower corner, side ``s`` lattice units),
    and a bound on how much the nll can vary inside it, ``Σ n ln(hi/lo)``."""
    if not cells:
        return np.zeros(0), np.zeros(0)
    d = len(cells[0])
    out = np.empty(len(cells))
    var = np.empty(len(cells))
    chunk = 2048
    for start in range(0, len(cells), chunk):
        part = cells[start : start + chunk]
        pmin, pmax, marg = [], [], []
        for c in part:
            pts = [tuple(a + s * b for a, b in zip(c, m, strict=True)) for m in corners]
            P = np.stack([probs[k] for k in pts])
            curv = np.zeros(P.shape[1:])
            for ax in range(d):
                e = tuple(s if j == ax else 0 for j in range(d))
                worst = np.zeros(P.shape[1:])
                for k in pts:
                    dd = _second_difference(k, e, probs)
                    if dd is None:
                        worst = np.full(P.shape[1:], np.inf)
                        break
                    worst = np.maximum(worst, dd)
                curv = curv + worst
            pmin.append(P.min(axis=0))
            pmax.append(P.max(axis=0))
            marg.append(CURVATURE_SAFETY * curv / 8.0)
        m = np.array(marg)
        lo = np.clip(np.array(pmin) - m, 0.0, 1.0)
        hi = np.clip(np.array(pmax) + m, 0.0, 1.0)
        out[start : start + len(part)] = min_nll_in_box(obs, lo, hi)
        with np.errstate(divide="ignore"):
            ratio = np.log(np.maximum(hi, 1e-300) / np.maximum(lo, 1e-300))
        var[start : start + len(part)] = np.sum(obs[None] * ratio, axis=(1, 2))
    return out, var


def _second_difference(
    k: Index, e: Index, probs: dict[Index, NDArray[np.float64]]
) -> NDArray[np.float64] | None:
    """|p(k−e) − 2p(k) + p(k+e)| from the nodes present (centred, else one-sided)."""
    for shift in (0, 1, -1):
        mid = tuple(a + shift * b for a, b in zip(k, e, strict=True))
        left = tuple(a - b for a, b in zip(mid, e, strict=True))
        right = tuple(a + b for a, b in zip(mid, e, strict=True))
        if left in probs and mid in probs and right in probs:
            return np.abs(probs[left] - 2 * probs[mid] + probs[right])
    return None


__all__ = [
    "BARRIER_DNLL",
    "CURVATURE_SAFETY",
    "DEFAULT_MAX_EVALUATIONS",
    "DEFAULT_RESOLUTION_BOHR",
    "DEFAULT_RESOLUTION_RATE_SCALE",
    "RESOLVED_DNLL",
    "GridSearch",
    "adaptive_grid",
    "lattice",
    "min_nll_in_box",
]
