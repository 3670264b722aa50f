"""The local search of the collision-model calibration (:mod:`spinpair.analysis.calibrate`),
after the global adaptive grid of :mod:`spinpair.analysis.gridsearch`: Minuit set up on the
objective, the barrier test that merges MIGRAD results, and the nll profiles (read off the
grid, then re-minimised by MIGRAD). MINOS intervals come from the one wrapper,
:func:`spinpair.analysis.minos.minos_interval`.

Examples
--------
>>> resolution_text("rate_scale", 0.0198)
'2 %'
>>> resolution_text("a0", 5.0)
'5 a_B'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .calibrate_objective import MINIMA_WINDOW, Objective
from .gridsearch import BARRIER_DNLL

if TYPE_CHECKING:  # pragma: no cover
    from iminuit import Minuit


def minuit_for(
    fcn: Objective,
    u0: Sequence[float] | NDArray[np.float64],
    ulim: Mapping[str, tuple[float, float]],
    steps: Mapping[str, float],
) -> Minuit:
    """A ``Minuit`` on ``fcn`` from ``u0`` with limits ``ulim`` and steps ``steps`` (internal
    coordinates), errordef LIKELIHOOD."""
    from iminuit import Minuit

    m = Minuit(fcn, *u0, name=fcn.names)
    m.errordef = Minuit.LIKELIHOOD
    for n in fcn.names:
        m.limits[n] = ulim[n]
        m.errors[n] = steps[n]
    m.print_level = 0
    return m


def same_minimum(
    fcn: Objective, ua: ArrayLike, fa: float, ub: ArrayLike, fb: float, n: int = 9
) -> bool:
    """No barrier of Δnll ≥ :data:`BARRIER_DNLL` on the straight line between two MIGRAD
    results."""
    ua, ub = np.asarray(ua), np.asarray(ub)
    top = max(fa, fb)
    for s in np.linspace(0, 1, n + 2)[1:-1]:
        if fcn(*(ua + s * (ub - ua))) > top + BARRIER_DNLL:
            return False
    return True


def resolution_text(name: str, step: float) -> str:
    """A node spacing in words: a_B for a_F, a relative step for rate_scale."""
    if name == "rate_scale":
        return f"{100 * math.expm1(step):.3g} %"
    return f"{step:.3g} a_B"


def grid_profile(
    gs: Any, axis: int, extra: Sequence[tuple[float, float]]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Profile of one parameter from the grid nodes: for every coordinate a node has, the
    lowest nll among the nodes sharing it; ``extra`` (coordinate, nll) pairs are added."""
    best: dict[float, float] = {}
    for k, v in gs.nll.items():
        x = float(gs.lower[axis] + k[axis] * gs.step[axis])
        if v < best.get(x, math.inf):
            best[x] = v
    for x, v in extra:
        best[float(x)] = min(best.get(float(x), math.inf), float(v))
    xs = np.array(sorted(best))
    return xs, np.array([best[x] for x in xs])


def refine_profile(
    fcn: Objective,
    gs: Any,
    axis: int,
    pg: NDArray[np.float64],
    prof: NDArray[np.float64],
    best: tuple[float, NDArray[np.float64]],
    ulim: Mapping[str, tuple[float, float]],
    steps: Mapping[str, float],
    n_points: int,
    ncall: int,
    calls_left: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Re-minimise a grid profile (the grid nodes lie up to the nll change over one
    spacing above the valley floor): MIGRAD with the parameter fixed, walking out from
    the best minimum in steps of 1/(n_points − 1) of the grid's Δnll < 3 range, each point
    started from the previous one (and from the lowest grid node nearby where the grid is
    lower), until beyond that range the profile exceeds Δnll = 3 or the limit is reached.
    Points stop when ``calls_left`` is spent (the grid values stay there)."""
    best_f, best_u = best
    cut = best_f + MINIMA_WINDOW + 1.0
    window = prof < cut
    x_best = float(best_u[axis])
    lo = min(float(pg[window].min()), x_best)
    hi = max(float(pg[window].max()), x_best)
    name = fcn.names[axis]
    lim_lo, lim_hi = ulim[name]
    dx = (hi - lo) / (n_points - 1) if hi > lo else float(gs.spacing[axis])
    spacing = float(gs.spacing[axis])
    nodes = [(v, k) for k, v in gs.nll.items() if v < cut]
    walked: dict[float, float] = {x_best: best_f}

    def run(u0: NDArray[np.float64], x: float) -> tuple[float, NDArray[np.float64]]:
        nonlocal calls_left
        u0 = u0.copy()
        u0[axis] = x
        m = minuit_for(fcn, u0, ulim, steps)
        m.fixed[name] = True
        before = fcn.calls
        m.migrad(ncall=max(1, min(ncall, calls_left)))
        calls_left -= fcn.calls - before
        return float(m.fval), np.array(m.values)

    for sign in (1.0, -1.0):
        x, cur = x_best, np.asarray(best_u, dtype=float)
        for _ in range(4 * n_points):
            if calls_left <= 0:
                break
            x = min(max(x + sign * dx, lim_lo), lim_hi)
            f, u = run(cur, x)
            j = int(np.argmin(np.abs(pg - x)))
            if abs(pg[j] - x) <= spacing and prof[j] < f - 0.1 and calls_left > 0:
                near = [(v, k) for v, k in nodes if abs(gs.coords(k)[axis] - x) <= spacing]
                if near:
                    f2, u2 = run(gs.coords(min(near)[1]), x)
                    if f2 < f:
                        f, u = f2, u2
            walked[x] = min(walked.get(x, math.inf), f)
            cur = u
            outside = x > hi if sign > 0 else x < lo
            if x in (lim_lo, lim_hi) or (outside and f > cut):
                break
    a, b = min(walked), max(walked)
    keep = {x: v for x, v in zip(pg.tolist(), prof.tolist(), strict=True) if not a <= x <= b}
    for x, v in zip(pg.tolist(), prof.tolist(), strict=True):
        if a <= x <= b and v <= best_f + 1e-9:  # the minima themselves
            keep[x] = v
    for x, v in walked.items():
        keep[x] = min(keep.get(x, math.inf), v)
    grid = np.array(sorted(keep))
    return grid, np.array([keep[x] for x in grid])


__all__ = ["grid_profile", "minuit_for", "refine_profile", "resolution_text", "same_minimum"]
