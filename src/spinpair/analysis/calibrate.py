"""Calibrate a collision model on measured populations versus hold time (paper Fig. S1).

Why one file of ~550 lines: it is the one entry point, :func:`calibrate` (160 lines of
module documentation, then the function: input checks, the stages search → MINOS →
profiles → verdict in order, and the result); the objective, the search and the verdict
themselves are :mod:`.calibrate_objective`, :mod:`.calibrate_search` and
:mod:`.calibrate_verdict`. Cutting the ordered stages apart would hide their order.

Data (:class:`PopulationData`): for each hold time, the number of runs and how many ended
in each named pair state (``00``, ``chi1``, ``chi2``, …; states not listed are lumped into
"other"); virtual data come from :func:`spinpair.montecarlo.simulate_populations`. The fit
maximises the multinomial likelihood (:func:`spinpair.analysis.likelihood.multinomial_nll`);
``nll`` is half the deviance against the saturated model (so 2·nll ≈ χ² with dof =
counted cells − free parameters).

What is fitted
--------------
By default the scattering lengths of every channel but the highest, with that one (for
85Rb the measured a4) and ``rate_scale`` held fixed: the collision rates depend only on the
differences a_F − a_2f (Σ_F P_F = 1 removes a common part), so this fits the differences.
``rate_scale`` can be freed too, but in the Born limit the rates only depend on
rate_scale·|a_F − a_2f|², so it trades off against the differences; when both are free the
trade-off is looked for and reported (``verdict``), never hidden in an interval.

How the minima are found
------------------------
Every budget is counted in model evaluations, never in seconds: the same data and
options give the same output on any machine, idle or loaded.

1. A global stage: an adaptive grid over the limits (:mod:`spinpair.analysis.gridsearch`;
   ``rate_scale`` on a log scale). A coarse grid is refined, cell by cell, wherever a
   lower bound of the nll inside the cell (from the model probabilities at its corners
   and their curvature) comes within Δnll < 2 of the best node, down to a stated
   resolution (default 5 a_B for the a_F, 2 % for rate_scale); cells over which the nll
   provably varies by less than 0.1 stay coarse. So a minimum whose Δnll < 2 basin is
   wider than the resolution cannot be missed (to the accuracy of the curvature
   estimate). The resolution reached and the evaluations spent are reported (``search``).
2. MIGRAD from every separated minimum of the grid (0-dimensional persistence: minima
   that a path of grid nodes joins without a barrier of Δnll ≥ ¼ are one); MIGRAD results
   with no barrier between them (along the straight line) are merged.
3. Every minimum within Δnll < 2 of the best is reported, with MINOS 68 % intervals
   (Δnll = ½). An interval is given only if MINOS found both ends inside the limits;
   otherwise it is ``None`` with the reason.
4. A profile of nll for each free parameter, read off the grid nodes and (with two or
   more free parameters) re-minimised by MIGRAD walking out from the best minimum, and a
   plain-words identifiability verdict (``flat`` when Δnll < 2 holds over most of the
   limits, ``mirror`` for separated minima, …).

Where the code lives
--------------------
This module is the orchestration (:func:`calibrate`) and keeps every public name
importable; the parts are :mod:`~spinpair.analysis.calibrate_objective` (the nll, its
coordinates, starts and limits), :mod:`~spinpair.analysis.gridsearch` and
:mod:`~spinpair.analysis.calibrate_search` (global grid, MIGRAD starts, merging,
profiles), :mod:`~spinpair.analysis.minos` (intervals), :mod:`~spinpair.analysis.calibrate_verdict`
(identifiability and status) and :mod:`~spinpair.analysis.calibrate_result` (the result
objects). Its length (a little over 500 lines) is this user documentation and one
function, :func:`calibrate`, whose stages share one evaluation budget.

Status
------
Fitted a_F are effective parameters of the model they were fitted with (with zero-range
rates: effective zero-range lengths), not a measurement of the true a_F: they carry the
status ``calibrated`` and the model is named (``model_label``). The status is never
above the weakest fixed input the fit rests on (fixed a_F, rate_scale, and what the
caller passes in ``rests_on``, e.g. the trap); placeholder or illustrative inputs raise a
warning (``warnings``).

The model's parameters ``rate_scale`` (dimensionless, > 0) and ``aF`` (Bohr radii) are the
free names. For ``model="relaxation"`` the populations come from the Pauli rate equation in
the M = 0 symmetric sector (:func:`spinpair.dynamics.pauli.relaxation_populations`), which
agrees with :func:`spinpair.dynamics.evolve` to rounding and is ~20× faster.

Examples
--------
Effective zero-range a_F (the rates then depend on them), with a4 held at −443 a_B:

>>> from spinpair.params import CollisionParams, Params
>>> from spinpair.dynamics import CollisionSetup
>>> from spinpair.montecarlo import simulate_populations
>>> p = Params(collisions=CollisionParams(rates="zero-range"),
...            scattering_lengths_bohr={"a0": -445.0, "a2": -460.0, "a4": -443.0})
>>> setup = CollisionSetup.from_params(p)
>>> truth = setup.with_scattering_lengths({0: -600.0, 2: -330.0})
>>> data = simulate_populations(truth, "relaxation", [0.01, 0.03, 0.1], 2000, seed=5)
>>> fit = calibrate(data, setup, "relaxation", resolution_bohr=10.0)  # a0, a2 free
>>> fit.verdict_code, len(fit.minima)
('mirror', 2)
>>> [m.contains({"a0": -600.0, "a2": -330.0}) for m in fit.minima]
[True, False]
>>> fit.status, fit.search["resolution_bohr"]
('calibrated', {'a0': 10.0, 'a2': 10.0})
"""

from __future__ import annotations

import dataclasses
import math
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..dynamics.setup import CollisionSetup
from ..errors import InputError
from ..validation import instance, size, switch
from .calibrate_objective import (
    A_HALF_RANGE_BOHR,
    LEVEL_68,
    MINIMA_WINDOW,
    RATE_SCALE_LIMITS,
    Objective,
    check_free,
    default_start,
    limits_for,
    to_internal,
    to_user,
)
from .calibrate_result import CalibrationResult, Minimum, Profile, _num
from .calibrate_search import (
    grid_profile,
    minuit_for,
    refine_profile,
    resolution_text,
    same_minimum,
)
from .calibrate_verdict import (
    STATUS_ORDER,
    identifiability_verdict,
    profile_status,
    rests_on_statuses,
    weakest_status,
    with_minima,
)
from .data import PopulationData
from .gridsearch import (
    BARRIER_DNLL,
    CURVATURE_SAFETY,
    DEFAULT_MAX_EVALUATIONS,
    DEFAULT_RESOLUTION_BOHR,
    DEFAULT_RESOLUTION_RATE_SCALE,
    RESOLVED_DNLL,
    adaptive_grid,
)
from .minos import minos_interval

if TYPE_CHECKING:  # pragma: no cover
    from tqdm import tqdm

#: The objective under its former private name (kept importable for scripts and tests).
_Objective = Objective

#: Points of the coarse grid on the most demanding axis, by number of free parameters.
DEFAULT_GRID = {1: 41, 2: 21, 3: 11}
#: Share of ``max_evaluations`` the adaptive grid may use; MIGRAD and MINOS get the rest.
GRID_SHARE = 0.75


def _bar(total: int | None, desc: str, progress: bool) -> tqdm:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not progress, file=sys.stderr, leave=False)


def calibrate(
    data: PopulationData,
    setup: CollisionSetup,
    model: str,
    free: Sequence[str] | None = None,
    start: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
    minos: bool = True,
    grid: int | None = None,
    profile_points: int | None = None,
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
    resolution_bohr: float = DEFAULT_RESOLUTION_BOHR,
    resolution_rate_scale: float = DEFAULT_RESOLUTION_RATE_SCALE,
    max_starts: int = 12,
    profile_ncall: int = 200,
    progress: bool = False,
    rests_on: Mapping[str, str] | None = None,
    budget_s: float | None = None,
    **options: Any,
) -> CalibrationResult:
    """Fit ``free`` parameters of ``model`` to ``data``: every separated minimum, its MINOS
    intervals, profiles and an identifiability verdict (see the module docstring).

    Parameters
    ----------
    free : ``rate_scale`` (dimensionless) and ``aF`` (Bohr radii); default: every a_F but
        the highest channel's, with rate_scale fixed at ``setup.rate_scale``.
    start : starting values; they centre the default limits. Default: the species'
        built-in a_F where they are ``computed`` or ``measured`` (85Rb: the coupled-channel
        −932.94, −701.86 a_B), else the setup's; ``setup.rate_scale``.
    limits : (lo, hi) per parameter; default ±1000 a_B around the start for a_F and
        (1e-3, 1e4) for rate_scale.
    minos : compute MINOS intervals (else every interval is None, "MINOS not run").
    grid : points of the coarse grid on the most demanding axis (default by dimension:
        41, 21, 11 for one, two, three free parameters; the lattice takes at least this
        many and fewer than twice as many).
    profile_points : 0: no profiles. Else (default 21 for up to two free parameters, 13
        for more) the profile of each parameter: read off the adaptive grid (the lowest
        node at each coordinate), and, with two or more free parameters, re-minimised by
        MIGRAD (that parameter fixed, at most ``profile_ncall`` calls, from the lowest
        node nearby) at this many points across the grid's Δnll < 3 range, plus the
        minima found.
    profile_ncall : call limit of each re-minimised profile point.
    max_evaluations : model evaluations the whole calibration may spend (deterministic:
        no decision depends on the clock). The adaptive grid may use up to
        :data:`GRID_SHARE` of it (a refinement level that does not fit is not started,
        and the resolution reached is reported); MIGRAD and MINOS use what is left (the
        first MIGRAD always runs to iminuit's own call limit; further starts and MINOS ends
        that no longer fit are skipped, with the reason).
    resolution_bohr : node spacing (a_B) the adaptive grid reaches for every a_F wherever
        the nll can come within Δnll < 2 of the best.
    resolution_rate_scale : the same for rate_scale, as a relative step (0.02: 2 %).
    max_starts : MIGRAD runs from at most this many separated grid minima (lowest first).
    progress : tqdm progress bars on stderr.
    rests_on : statuses (docs/cli.md vocabulary) of further fixed inputs the model rests on,
        e.g. ``{"trap.temperature_k": "paper"}``; the fixed a_F and rate_scale are added
        from ``setup``. The result's status is the weakest of ``calibrated`` and these;
        placeholders and illustrative values raise a warning.
    budget_s : deprecated and ignored (the old wall-clock budget, which made the result
        depend on the machine's load); use ``max_evaluations``.
    options : the model's options as keywords (e.g. ``nodes``; its options class in
        :data:`spinpair.dynamics.MODELS`), checked before any evaluation.
    """
    from ..dynamics import model_spec

    instance("data", data, PopulationData, "a PopulationData (counts per hold time)")
    instance("setup", setup, CollisionSetup, "a CollisionSetup (CollisionSetup.from_params)")
    minos = switch("minos", minos)
    progress = switch("progress", progress)
    if grid is not None:
        grid = size("grid", grid, 3, 10**6)
    if profile_points is not None:
        profile_points = size("profile_points", profile_points, 0, 10**6)
    for name, value in (
        ("max_evaluations", max_evaluations),
        ("max_starts", max_starts),
        ("profile_ncall", profile_ncall),
    ):
        size(name, value, 1, 10**9)
    options_ = model_spec(model, "model").resolve_options(values=options)
    names = check_free(setup, free)
    warn: list[str] = []
    if budget_s is not None:
        warnings.warn(
            "calibrate(budget_s=...) is deprecated and ignored: the search is bounded by "
            "max_evaluations (model evaluations), so its result does not depend on the "
            "machine's load",
            DeprecationWarning,
            stacklevel=2,
        )
    rates_note = None
    a_free = [n for n in names if n != "rate_scale"]
    if setup.rates == "s-matrix" and a_free:
        # S-matrix rates come from the coupled-channel tables and do not depend on the a_F:
        # fitted a_F are effective zero-range lengths
        setup = dataclasses.replace(setup, rates="zero-range")
        rates_note = (
            "rates: zero-range amplitudes in the fitted a_F (the S-matrix rates of the "
            "coupled-channel tables do not depend on the a_F): the fitted a_F are effective "
            "zero-range scattering lengths"
        )
    if grid is not None and (
        isinstance(grid, bool) or int(grid) != grid or grid < 3 or grid ** len(names) > 10**6
    ):
        raise InputError(
            "grid", grid, "an integer >= 3 (coarse points per free parameter), at most 10^6 in all"
        )
    if profile_points is not None and (
        int(profile_points) != profile_points or (profile_points != 0 and profile_points < 5)
    ):
        raise InputError("profile_points", profile_points, "0 or an integer >= 5")
    if (
        isinstance(max_evaluations, bool)
        or not isinstance(max_evaluations, (int, np.integer))
        or max_evaluations < 100
    ):
        raise InputError("max_evaluations", max_evaluations, "an integer >= 100")
    for key, val in (
        ("resolution_bohr", resolution_bohr),
        ("resolution_rate_scale", resolution_rate_scale),
    ):
        if not (isinstance(val, (int, float)) and math.isfinite(val) and val > 0):
            raise InputError(key, val, "a positive number")
    for k in limits or {}:
        if k not in names:
            raise InputError("limits", k, f"one of the free parameters {names}")
    start = dict(start or {})
    for k in start:
        if k not in names:
            raise InputError("start", k, f"one of the free parameters {names}")
    x0, start_from = default_start(setup, names, start)
    if "rate_scale" in names and not x0[names.index("rate_scale")] > 0:
        raise InputError("start.rate_scale", x0[names.index("rate_scale")], "> 0")
    lim = limits_for(names, x0, limits, explicit=tuple(start))
    ulim = {n: (to_internal(n, lo), to_internal(n, hi)) for n, (lo, hi) in lim.items()}
    fcn = Objective(data, setup, model, names, options_)
    d = len(names)
    notes = [] if rates_note is None else [rates_note]

    # -- global stage: adaptive grid down to the stated resolution (counted in evaluations)
    res_u = [
        math.log1p(resolution_rate_scale) if n == "rate_scale" else float(resolution_bohr)
        for n in names
    ]
    coarse_target = int(grid) if grid is not None else DEFAULT_GRID.get(d, 7)
    grid_budget = int(GRID_SHARE * max_evaluations)
    with _bar(None, "calibrate: grid", progress) as bar:
        try:
            gs = adaptive_grid(
                fcn.evaluate,
                fcn.obs.astype(float),
                [ulim[n][0] for n in names],
                [ulim[n][1] for n in names],
                res_u,
                coarse_target,
                MINIMA_WINDOW,
                grid_budget,
                progress=bar.update,
            )
        except ValueError as e:
            raise InputError(
                "max_evaluations", max_evaluations, f"more: {e} (its grid share)"
            ) from None
    if not gs.complete:
        notes.append(
            "the adaptive grid stopped at the evaluation budget: resolution "
            + ", ".join(
                f"{n} {resolution_text(n, x)}" for n, x in zip(names, gs.spacing, strict=True)
            )
            + " instead of the requested one (raise max_evaluations or coarsen the resolution)"
        )
    grid_evals = gs.evaluations
    steps = {n: float(x) for n, x in zip(names, gs.spacing, strict=True)}

    # -- local stage: MIGRAD from every separated grid minimum; merge those without a
    #    barrier. MIGRAD and MINOS share what is left of max_evaluations
    calls_left = max_evaluations - fcn.calls
    candidates = gs.separated_minima(MINIMA_WINDOW, BARRIER_DNLL)
    if len(candidates) > max_starts:
        notes.append(
            f"MIGRAD ran from the {max_starts} lowest of {len(candidates)} separated grid "
            "minima (max_starts)"
        )
        candidates = candidates[:max_starts]
    found: list[tuple[float, NDArray[np.float64], Any]] = []
    for i_start, (_, idx) in enumerate(candidates):
        if i_start > 0 and calls_left <= 0:
            notes.append(
                f"MIGRAD ran from {i_start} of {len(candidates)} grid minima: evaluation "
                "budget (max_evaluations) spent"
            )
            break
        m = minuit_for(fcn, gs.coords(idx), ulim, steps)
        before = fcn.calls
        m.migrad(ncall=None if i_start == 0 else calls_left)
        calls_left -= fcn.calls - before
        if i_start > 0 and m.fmin.has_reached_call_limit:
            notes.append("a MIGRAD run stopped at the evaluation budget: its minimum is left out")
            continue
        found.append((float(m.fval), np.array(m.values), m))
    found.sort(key=lambda r: r[0])
    distinct: list[tuple[float, NDArray[np.float64], Any]] = []
    for f, u, m in found:
        before = fcn.calls
        same = any(same_minimum(fcn, u, f, v, g) for g, v, _ in distinct)
        calls_left -= fcn.calls - before
        if not same:
            distinct.append((f, u, m))
    best_f = distinct[0][0]
    kept = [r for r in distinct if r[0] - best_f < MINIMA_WINDOW]
    if len(distinct) > len(kept):
        notes.append(f"{len(distinct) - len(kept)} further local minima with Δnll ≥ 2")

    minima = []
    for f, u, m in kept:
        if minos:
            if not m.valid and calls_left > 0:
                before = fcn.calls
                m.migrad(ncall=calls_left)
                calls_left -= fcn.calls - before
            iv: dict[str, tuple[float, float] | None] = {}
            why: dict[str, str] = {}
            for n in names:
                if calls_left <= 0:
                    iv[n], why[n] = None, "MINOS not run: evaluation budget (max_evaluations) spent"
                    continue
                before = fcn.calls
                mi = minos_interval(m, n, ncall=calls_left)
                iv[n] = (
                    None
                    if mi.interval is None
                    else (to_user(n, mi.interval[0]), to_user(n, mi.interval[1]))
                )
                why[n] = mi.note
                calls_left -= fcn.calls - before
                m.values = u  # MINOS leaves the state at the minimum; be explicit
        else:
            iv = dict.fromkeys(names)
            why = dict.fromkeys(names, "MINOS not run")
        minima.append(
            Minimum(
                values={n: to_user(n, x) for n, x in zip(names, u, strict=True)},
                nll=f,
                delta_nll=f - best_f,
                errors={
                    n: float(m.errors[n]) * (to_user(n, x) if n == "rate_scale" else 1.0)
                    for n, x in zip(names, u, strict=True)
                },
                intervals=iv,
                interval_notes=why,
                migrad_valid=bool(m.valid),
            )
        )
    if gs.best[0] < best_f - 0.01:
        notes.append(
            f"a grid node lies {best_f - gs.best[0]:.3g} below the best MIGRAD minimum: "
            "MIGRAD did not converge there"
        )

    # -- profiles, read off the adaptive grid (no further evaluations)
    profiles: dict[str, Profile] = {}
    n_prof = (21 if d <= 2 else 13) if profile_points is None else int(profile_points)
    if n_prof:
        for i_free, name in enumerate(names):
            pg, prof = grid_profile(gs, i_free, [(r[1][i_free], r[0]) for r in kept])
            if d > 1:
                before = fcn.calls
                pg, prof = refine_profile(
                    fcn,
                    gs,
                    i_free,
                    pg,
                    prof,
                    (best_f, kept[0][1]),
                    ulim,
                    steps,
                    n_prof,
                    profile_ncall,
                    calls_left,
                )
                calls_left -= fcn.calls - before
            delta = prof - best_f
            profiles[name] = Profile(
                name,
                np.array([to_user(name, x) for x in pg]),
                delta,
                with_minima(profile_status(pg, delta), name, minima),
            )

    verdict, code = identifiability_verdict(names, minima, profiles)
    best_u = kept[0][1]
    fixed = {"rate_scale": setup.rate_scale} if "rate_scale" not in names else {}
    fixed.update(
        {
            f"a{F}": float(v)
            for F, v in setup.species.scattering_lengths_bohr.items()
            if f"a{F}" not in names
        }
    )
    basis = rests_on_statuses(setup, names, rests_on)
    status = weakest_status(["calibrated", *basis.values()])
    weak = {k: v for k, v in basis.items() if v in ("illustrative", "placeholder")}
    if weak:
        listed = ", ".join(f"{k} ({v})" for k, v in weak.items())
        warn.append(
            f"calibrate rests on fixed values that are not known: {listed}; the fitted values "
            f"are {status}, no stronger than them"
        )
    model_label = f"{model} model with {setup.rates} rates" + (
        f", rate_scale {setup.rate_scale:g}" if "rate_scale" not in names else ""
    )
    cells = int(fcn.obs.shape[1] * (fcn.obs.shape[0] - 1))
    search = {
        "resolution_bohr": {
            n: _num(s) for n, s in zip(names, gs.spacing, strict=True) if n != "rate_scale"
        },
        "resolution_rate_scale": (
            _num(math.expm1(steps["rate_scale"])) if "rate_scale" in names else None
        ),
        "requested_resolution_bohr": float(resolution_bohr),
        "requested_resolution_rate_scale": float(resolution_rate_scale),
        "complete": gs.complete,
        "evaluations": {
            "grid": grid_evals,
            "local": fcn.calls - grid_evals,
            "total": fcn.calls,
            "max": int(max_evaluations),
        },
        "grid": {
            "coarse_points": list(gs.coarse),
            "levels": len(gs.refined),
            "cells_refined_per_level": list(gs.refined),
            "cells_at_resolution": gs.leaf_count("finest"),
            "cells_flat": gs.leaf_count("resolved"),
            "refine_within_dnll": MINIMA_WINDOW,
            "flat_below_dnll": RESOLVED_DNLL,
            "curvature_safety": CURVATURE_SAFETY,
        },
        "separated_grid_minima": len(candidates),
        "barrier_dnll": BARRIER_DNLL,
        "migrad_starts": len(found),
        "distinct_minima": len(distinct),
        "start": {n: _num(x) for n, x in zip(names, x0, strict=True)},
        "start_from": start_from,
    }
    return CalibrationResult(
        model=model,
        free=tuple(names),
        minima=tuple(minima),
        profiles=profiles,
        verdict=verdict,
        verdict_code=code,
        limits=lim,
        fixed=fixed,
        search=search,
        setup=fcn.setup_at(best_u),
        notes=tuple(notes),
        status=status,
        model_label=model_label,
        rests_on=basis,
        warnings=tuple(warn),
        dof=cells - d,
    )


def populations_from_paper(
    populations: Mapping[str, float], time_s: float, runs: int
) -> PopulationData:
    """A single-time dataset from quoted populations (e.g. the paper's 0.4/0.37/0.23)."""
    counts = {k: np.array([round(v * runs)]) for k, v in populations.items()}
    if not math.isfinite(time_s):
        raise InputError("time_s", time_s, "a finite time (s)")
    return PopulationData(np.array([float(time_s)]), np.array([int(runs)]), counts)


__all__ = [
    "A_HALF_RANGE_BOHR",
    "LEVEL_68",
    "MINIMA_WINDOW",
    "RATE_SCALE_LIMITS",
    "STATUS_ORDER",
    "CalibrationResult",
    "Minimum",
    "PopulationData",
    "Profile",
    "calibrate",
    "populations_from_paper",
]
