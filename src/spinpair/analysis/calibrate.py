"""Calibrate a collision model on measured populations versus hold time (paper Fig. S1).

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
1. A global stage: the likelihood on a grid over the limits (``rate_scale`` on a log
   grid). The cost of one model evaluation is measured first and the grid is shrunk to fit
   ``budget_s``.
2. MIGRAD from every local minimum of the grid; minima with no likelihood barrier between
   them (along the straight line) are merged.
3. Every minimum within Δnll < 2 of the best is reported, with MINOS 68 % intervals
   (Δnll = ½). An interval is given only if MINOS found both ends inside the limits;
   otherwise it is ``None`` with the reason.
4. A profile of nll over a fixed grid of each free parameter (the others re-minimised
   from every reported minimum) and a plain-words identifiability verdict.

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
>>> fit = calibrate(data, setup, "relaxation", grid=9, profile_points=7)  # a0, a2 free
>>> fit.verdict_code, len(fit.minima)
('mirror', 2)
>>> [m.contains({"a0": -600.0, "a2": -330.0}) for m in fit.minima]
[True, False]
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..dynamics import evolve
from ..dynamics.engine import check_times
from ..dynamics.pauli import relaxation_populations
from ..dynamics.setup import CollisionSetup
from ..errors import InputError
from .likelihood import multinomial_nll

#: Δnll of a 68 % (1σ) profile interval for one parameter.
LEVEL_68 = 0.5
#: Minima up to this Δnll above the best are reported (CLI.md: "Δnll < 2").
MINIMA_WINDOW = 2.0
#: Default half-width of the a_F limits around the start (Bohr radii). Beyond ~±1000 a_B
#: around a_2f the 85Rb pair equilibrates (1/3 each) within 20 ms at rate_scale 1, so the
#: likelihood is flat there (unitarity caps |f_F| at 1/k).
A_HALF_RANGE_BOHR = 1000.0
#: Default limits of rate_scale (dimensionless); the fit runs in ln(rate_scale), so the
#: value stays > 0.
RATE_SCALE_LIMITS = (1e-3, 1e4)
#: Grid points per free parameter of the global stage, by number of free parameters
#: (shrunk to the time budget).
DEFAULT_GRID = {1: 41, 2: 21, 3: 11}


@dataclass(frozen=True)
class PopulationData:
    """Counts of pair states per hold time: ``counts[name][i]`` of ``runs[i]`` runs at
    ``time_s[i]`` (s)."""

    time_s: NDArray[np.float64]
    runs: NDArray[np.int64]
    counts: Mapping[str, NDArray[np.int64]]

    def __post_init__(self) -> None:
        t = check_times(self.time_s)
        runs = np.asarray(self.runs)
        if runs.shape != t.shape or np.any(runs <= 0) or np.any(runs != np.round(runs)):
            raise InputError("runs", runs.tolist(), "positive integers, one per time")
        counts = {}
        for k, v in self.counts.items():
            c = np.asarray(v, dtype=float)
            if c.shape != t.shape or np.any(~np.isfinite(c)) or np.any(c < 0):
                raise InputError(f"counts.{k}", c.tolist(), "non-negative integers, one per time")
            if np.any(c != np.round(c)):
                raise InputError(f"counts.{k}", c.tolist(), "integers")
            counts[k] = c.astype(np.int64)
        if not counts:
            raise InputError("counts", {}, "at least one named state")
        total = np.sum(list(counts.values()), axis=0)
        if np.any(total > runs):
            i = int(np.argmax(total > runs))
            raise InputError("counts", int(total[i]), f"at most runs = {int(runs[i])} at row {i}")
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "runs", runs.astype(np.int64))
        object.__setattr__(self, "counts", counts)

    def fractions(self) -> dict[str, NDArray[np.float64]]:
        """Measured population of each named state per time."""
        return {k: v / self.runs for k, v in self.counts.items()}


class _Objective:
    """nll(u) with u the internal coordinates: ln(rate_scale) and a_F (Bohr radii)."""

    def __init__(
        self,
        data: PopulationData,
        setup: CollisionSetup,
        model: str,
        names: Sequence[str],
        options: Mapping[str, Any],
    ) -> None:
        self.data, self.setup, self.model, self.names = data, setup, model, list(names)
        self.options = dict(options)
        self.states = tuple(data.counts)
        counts = np.array([data.counts[k] for k in self.states])
        self.obs = np.vstack([counts, data.runs - counts.sum(axis=0)])  # (cells, times)
        self.fast = (
            relaxation_populations(setup, self.states)
            if model == "relaxation" and not self.options
            else None
        )
        self.calls = 0

    def setup_at(self, u: Sequence[float] | NDArray[np.float64]) -> CollisionSetup:
        a, rate = {}, self.setup.rate_scale
        for n, v in zip(self.names, u, strict=True):
            if n == "rate_scale":
                rate = float(math.exp(v))
            else:
                a[int(n[1:])] = float(v)
        s = dataclasses.replace(self.setup, rate_scale=rate)
        return s.with_scattering_lengths(a) if a else s

    def probs(self, s: CollisionSetup) -> NDArray[np.float64]:
        """Model probabilities (states + other, times)."""
        if self.fast is not None:
            p = self.fast(s, self.data.time_s)
        else:
            res = evolve(self.model, s, self.data.time_s, "00", **self.options)
            pops = res.populations(self.states)
            p = np.array([pops[k] for k in self.states])
        return np.clip(np.vstack([p, 1.0 - p.sum(axis=0)]), 1e-300, 1.0)

    def __call__(self, *u: float) -> float:
        self.calls += 1
        if not all(math.isfinite(x) for x in u):  # MIGRAD can probe NaN on a flat nll
            return 1e300
        p = self.probs(self.setup_at(u))
        # relative to the saturated model, so that 2·nll is a deviance (≈ χ² with dof)
        val = float(np.sum(multinomial_nll(self.obs, p, axis=0, constant="saturated")))
        return val if math.isfinite(val) else 1e300


def _to_user(name: str, u: float) -> float:
    return float(math.exp(u)) if name == "rate_scale" else float(u)


def _to_internal(name: str, x: float) -> float:
    return float(math.log(x)) if name == "rate_scale" else float(x)


@dataclass(frozen=True)
class Minimum:
    """One local minimum of the negative log-likelihood.

    ``intervals[name]`` is the MINOS 68 % interval (user units) or ``None`` when MINOS did
    not find both ends inside the limits; ``interval_notes[name]`` says ``"valid"`` or why
    not. ``valid`` is True when MIGRAD converged and every interval is valid.
    """

    values: dict[str, float]
    nll: float
    delta_nll: float
    errors: dict[str, float]
    intervals: dict[str, tuple[float, float] | None]
    interval_notes: dict[str, str]
    migrad_valid: bool

    @property
    def valid(self) -> bool:
        """MIGRAD converged and every MINOS interval was found."""
        return self.migrad_valid and all(v is not None for v in self.intervals.values())

    def contains(self, point: Mapping[str, float]) -> bool:
        """True if every coordinate of ``point`` lies in this minimum's valid interval."""
        for k, x in point.items():
            iv = self.intervals.get(k)
            if iv is None or not iv[0] <= x <= iv[1]:
                return False
        return True

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (non-finite numbers as None)."""
        return {
            "values": {k: _num(v) for k, v in self.values.items()},
            "nll": _num(self.nll),
            "delta_nll": _num(self.delta_nll),
            "errors": {k: _num(v) for k, v in self.errors.items()},
            "intervals_68": {
                k: (None if v is None else [_num(v[0]), _num(v[1])])
                for k, v in self.intervals.items()
            },
            "interval_notes": dict(self.interval_notes),
            "migrad_valid": self.migrad_valid,
            "valid": self.valid,
        }


@dataclass(frozen=True)
class Profile:
    """nll profile of one free parameter: ``values`` (user units) on a fixed grid, the
    others re-minimised; ``delta_nll`` relative to the best minimum; ``status`` in words."""

    name: str
    values: NDArray[np.float64]
    delta_nll: NDArray[np.float64]
    status: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "values": [_num(v) for v in self.values],
            "delta_nll": [_num(v) for v in self.delta_nll],
            "status": self.status,
        }


@dataclass(frozen=True)
class CalibrationResult:
    """Every minimum within Δnll < 2 of the best (best first), the profiles, the verdict.

    ``values``, ``intervals``, ``nll``, ``valid`` and ``setup`` are those of the best
    minimum. ``verdict`` is a plain-words identifiability statement and ``verdict_code``
    one of ``identified``, ``mirror``, ``flat``, ``degenerate``, ``unresolved``.
    """

    model: str
    free: tuple[str, ...]
    minima: tuple[Minimum, ...]
    profiles: dict[str, Profile]
    verdict: str
    verdict_code: str
    limits: dict[str, tuple[float, float]]
    fixed: dict[str, float]
    global_stage: dict[str, Any]
    setup: CollisionSetup
    notes: tuple[str, ...] = field(default=())

    @property
    def best(self) -> Minimum:
        """The minimum with the lowest nll."""
        return self.minima[0]

    @property
    def values(self) -> dict[str, float]:
        """Best-fit values (user units)."""
        return self.best.values

    @property
    def intervals(self) -> dict[str, tuple[float, float] | None]:
        """MINOS 68 % intervals of the best minimum (None where not found)."""
        return self.best.intervals

    @property
    def nll(self) -> float:
        """Lowest nll (half the deviance)."""
        return self.best.nll

    @property
    def valid(self) -> bool:
        """The best minimum converged with valid intervals."""
        return self.best.valid

    @property
    def identified(self) -> bool:
        """One minimum, valid intervals, no flat direction."""
        return self.verdict_code == "identified"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (CLI.md ``calibrate``); fitted numbers are ``calibrated``."""
        best = self.best.as_dict()
        return {
            "model": self.model,
            "status": "calibrated",
            "free": list(self.free),
            "fixed": {k: _num(v) for k, v in self.fixed.items()},
            "limits": {k: [_num(a), _num(b)] for k, (a, b) in self.limits.items()},
            "values": best["values"],
            "intervals_68": best["intervals_68"],
            "interval_notes": best["interval_notes"],
            "nll": best["nll"],
            "deviance": _num(2 * self.best.nll),
            "dof": self.global_stage.get("dof"),
            "valid": self.valid,
            "identified": self.identified,
            "verdict": self.verdict,
            "verdict_code": self.verdict_code,
            "minima": [m.as_dict() for m in self.minima],
            "profiles": {k: p.as_dict() for k, p in self.profiles.items()},
            "global_stage": self.global_stage,
            "notes": list(self.notes),
        }


def _num(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _check_free(setup: CollisionSetup, free: Sequence[str] | None) -> list[str]:
    channels = [f"a{F}" for F in setup.species.channels]
    if free is None:
        return channels[:-1]  # the differences to the highest channel (85Rb: measured a4)
    if isinstance(free, str):
        free = (free,)
    names = list(free)
    if not names:
        raise InputError("free", [], f"at least one of rate_scale, {', '.join(channels)}")
    for n in names:
        if n != "rate_scale" and n not in channels:
            raise InputError("free", n, f"rate_scale or one of {channels}")
    if len(set(names)) != len(names):
        raise InputError("free", names, "each parameter once")
    if set(channels) <= set(names):
        raise InputError(
            "free",
            names,
            f"at most {len(channels) - 1} of {channels}: the rates depend only on the "
            "differences a_F - a_F', so one scattering length must stay fixed",
        )
    return names


def _limits_for(
    names: Sequence[str],
    x0: Sequence[float],
    limits: Mapping[str, tuple[float, float]] | None,
) -> dict[str, tuple[float, float]]:
    out = {}
    for n, x in zip(names, x0, strict=True):
        if limits and n in limits:
            try:
                lo, hi = (float(v) for v in limits[n])
            except (TypeError, ValueError):
                raise InputError(f"limits.{n}", limits[n], "two numbers (lo, hi)") from None
        elif n == "rate_scale":
            lo, hi = RATE_SCALE_LIMITS
        else:
            lo, hi = x - A_HALF_RANGE_BOHR, x + A_HALF_RANGE_BOHR
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InputError(f"limits.{n}", [lo, hi], "finite lo < hi")
        if n == "rate_scale" and lo <= 0:
            raise InputError("limits.rate_scale", [lo, hi], "0 < lo < hi (rate_scale > 0)")
        if not lo <= x <= hi:
            raise InputError(f"start.{n}", x, f"inside the limits [{lo:g}, {hi:g}]")
        out[n] = (lo, hi)
    return out


def _bar(total: int, desc: str, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not progress, file=sys.stderr, leave=False)


def _grid_minima(vals: NDArray[np.float64], max_n: int) -> list[tuple[int, ...]]:
    """Indices of the grid's local minima (≤ every neighbour, diagonals included), lowest
    first, skipping those next to a lower accepted one (plateaus)."""
    from scipy.ndimage import minimum_filter

    low = minimum_filter(vals, size=3, mode="nearest")
    idx = np.argwhere(vals <= low)
    idx = idx[np.argsort(vals[tuple(idx.T)], kind="stable")]
    out: list[tuple[int, ...]] = []
    for i in idx:
        if any(np.max(np.abs(i - np.array(j))) <= 1 for j in out):
            continue
        out.append(tuple(int(v) for v in i))
        if len(out) >= max_n:
            break
    return out


def _minuit(fcn: _Objective, u0: Sequence[float] | NDArray[np.float64], ulim, steps):
    from iminuit import Minuit

    m = Minuit(fcn, *u0, name=fcn.names)
    m.errordef = Minuit.LIKELIHOOD
    for n in fcn.names:
        m.limits[n] = ulim[n]
        m.errors[n] = steps[n]
    m.print_level = 0
    return m


def _minos(
    m, name: str, ulim: tuple[float, float], ncall: int | None = None
) -> tuple[tuple[float, float] | None, str]:
    """MINOS 68 % interval of ``name`` in user units (at most ``ncall`` calls per end), or
    None with the reason."""
    if not m.valid:
        return None, "MIGRAD did not converge: MINOS not run"
    try:
        m.minos(name, ncall=ncall)
    except RuntimeError as e:  # iminuit refuses (e.g. invalid minimum)
        return None, f"MINOS failed: {e}"
    me = m.merrors[name]
    x = m.values[name]
    span = ulim[1] - ulim[0]
    problems = []
    for side, d, valid, at_lim, new_min, max_fcn, bound in (
        (
            "lower",
            me.lower,
            me.lower_valid,
            me.at_lower_limit,
            me.lower_new_min,
            me.at_lower_max_fcn,
            ulim[0],
        ),
        (
            "upper",
            me.upper,
            me.upper_valid,
            me.at_upper_limit,
            me.upper_new_min,
            me.at_upper_max_fcn,
            ulim[1],
        ),
    ):
        if at_lim or abs(x + d - bound) < 1e-6 * span:
            problems.append(f"{side} end at parameter limit")
        elif new_min:
            problems.append(f"MINOS failed: found a lower minimum on the {side} side")
        elif max_fcn:
            problems.append(f"MINOS failed: {side} end not found (call limit)")
        elif not valid:
            problems.append(f"MINOS failed: {side} end not found")
    if problems:
        return None, "; ".join(problems)
    lo, hi = _to_user(name, x + me.lower), _to_user(name, x + me.upper)
    return (lo, hi), "valid"


def _same_minimum(fcn: _Objective, ua, fa, ub, fb, n: int = 9) -> bool:
    """No barrier of Δnll ≥ ¼ on the straight line between two MIGRAD results."""
    ua, ub = np.asarray(ua), np.asarray(ub)
    top = max(fa, fb)
    for s in np.linspace(0, 1, n + 2)[1:-1]:
        if fcn(*(ua + s * (ub - ua))) > top + 0.25:
            return False
    return True


def _profile_status(u: NDArray[np.float64], delta: NDArray[np.float64]) -> str:
    """Words for one profile (internal coordinates ``u``, Δnll ``delta``): ``flat`` when
    one connected Δnll < ½ region spans more than a quarter of the limits or both ends,
    ``bounded on one side only`` when it reaches one limit, ``several separated values``
    when Δnll < 2 splits into separate regions, else ``identified`` (then checked against
    the minima by :func:`_with_minima`)."""
    inside = delta < LEVEL_68
    span, j0 = 0.0, None  # widest contiguous Δnll < ½ run, as a fraction of the limits
    for j, ok in enumerate([*inside, False]):
        if ok and j0 is None:
            j0 = j
        elif not ok and j0 is not None:
            span = max(span, (u[j - 1] - u[j0]) / (u[-1] - u[0]))
            j0 = None
    if span > 0.25 or (inside[0] and inside[-1]):
        return "flat"
    if inside[0] or inside[-1]:
        return "bounded on one side only"
    allowed = delta < MINIMA_WINDOW
    runs = int(np.sum(allowed[1:] & ~allowed[:-1]) + allowed[0])
    return "several separated values" if runs > 1 else "identified"


def _with_minima(status: str, name: str, minima: Sequence[Minimum]) -> str:
    """A profile that looks identified is not, if the reported minima disagree on the
    parameter beyond their intervals or an interval is missing."""
    if status != "identified":
        return status
    ivs = [m.intervals[name] for m in minima]
    if any(iv is None for iv in ivs):
        return "no valid interval"
    lo, hi = max(iv[0] for iv in ivs), min(iv[1] for iv in ivs)  # type: ignore[index]
    return "several separated values" if lo > hi else "identified"


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
    budget_s: float = 60.0,
    max_starts: int = 8,
    max_profile_starts: int = 3,
    profile_ncall: int = 300,
    progress: bool = False,
    **options: Any,
) -> CalibrationResult:
    """Fit ``free`` parameters of ``model`` to ``data``: every separated minimum, its MINOS
    intervals, profiles and an identifiability verdict (see the module docstring).

    Parameters
    ----------
    free : ``rate_scale`` (dimensionless) and ``aF`` (Bohr radii); default: every a_F but
        the highest channel's, with rate_scale fixed at ``setup.rate_scale``.
    start : starting values (default: the setup's); only used to centre default limits.
    limits : (lo, hi) per parameter; default ±1000 a_B around the start for a_F and
        (1e-3, 1e4) for rate_scale.
    minos : compute MINOS intervals (else every interval is None, "MINOS not run").
    grid : points per free parameter of the global stage (default by dimension, shrunk so
        that the grid costs at most ``budget_s`` seconds).
    budget_s : time budget (s) of the grid; separately of the MIGRAD and MINOS runs
        together (the first MIGRAD always runs to iminuit's call limit; further starts and
        MINOS ends that no longer fit are skipped, with the reason); and separately of the
        default profiles. The budgets are counted in model evaluations of the cost
        measured first, so they hold to that measurement's accuracy.
    profile_points : points of each profile's fixed grid (default 21 for up to two free
        parameters, 13 for more; 0: no profiles, the verdict then rests on the minima and
        intervals only). Every minimum's value is added to the grid.
    max_starts : MIGRAD runs from at most this many grid minima.
    max_profile_starts, profile_ncall : each profile point is re-minimised from at most
        this many of the lowest minima (continuation along the grid), with this call limit.
    progress : tqdm progress bars on stderr.
    options : passed to the model (e.g. ``nodes``).
    """
    from ..dynamics import MODELS

    if model not in MODELS:
        raise InputError("model", model, f"one of {list(MODELS)}")
    names = _check_free(setup, free)
    rates_note = None
    if setup.rates == "s-matrix" and any(n != "rate_scale" for n in names):
        # S-matrix rates come from the coupled-channel tables and do not depend on the a_F:
        # fitted a_F are effective zero-range lengths
        from dataclasses import replace as _replace

        setup = _replace(setup, rates="zero-range")
        rates_note = (
            "rates: zero-range amplitudes in the fitted a_F (the S-matrix rates of the "
            "coupled-channel tables do not depend on the a_F): the fitted a_F are effective "
            "zero-range scattering lengths"
        )
    if grid is not None and (int(grid) != grid or grid < 3 or grid ** len(names) > 10**6):
        raise InputError(
            "grid", grid, "an integer >= 3 (points per free parameter), at most 10^6 in all"
        )
    auto_profile = profile_points is None
    if profile_points is None:
        profile_points = 21 if len(names) <= 2 else 13
    if int(profile_points) != profile_points or (profile_points != 0 and profile_points < 5):
        raise InputError("profile_points", profile_points, "0 or an integer >= 5")
    if not (isinstance(budget_s, (int, float)) and math.isfinite(budget_s) and budget_s > 0):
        raise InputError("budget_s", budget_s, "a positive time (s)")
    for k in limits or {}:
        if k not in names:
            raise InputError("limits", k, f"one of the free parameters {names}")
    start = dict(start or {})
    for k in start:
        if k not in names:
            raise InputError("start", k, f"one of the free parameters {names}")
    x0 = []
    for n in names:
        if n in start:
            x0.append(float(start[n]))
        elif n == "rate_scale":
            x0.append(setup.rate_scale)
        else:
            x0.append(float(setup.species.scattering_lengths_bohr[int(n[1:])]))
    if "rate_scale" in names and not x0[names.index("rate_scale")] > 0:
        raise InputError("start.rate_scale", x0[names.index("rate_scale")], "> 0")
    lim = _limits_for(names, x0, limits)
    ulim = {n: (_to_internal(n, lo), _to_internal(n, hi)) for n, (lo, hi) in lim.items()}
    fcn = _Objective(data, setup, model, names, options)
    d = len(names)

    # -- global stage: grid over the limits, sized to the budget
    u_start = [_to_internal(n, x) for n, x in zip(names, x0, strict=True)]
    fcn(*u_start)  # warm-up (caches)
    t0 = time.perf_counter()
    for _ in range(3):
        fcn(*u_start)
    eval_s = (time.perf_counter() - t0) / 3
    n_grid = int(grid) if grid is not None else DEFAULT_GRID.get(d, 7)
    notes = [] if rates_note is None else [rates_note]
    if grid is None:
        afford = int((budget_s / max(eval_s, 1e-9)) ** (1.0 / d))
        if afford < n_grid:
            n_grid = max(5, afford)
            notes.append(f"grid shrunk to {n_grid} points per parameter to fit the time budget")
    axes = [np.linspace(*ulim[n], n_grid) for n in names]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, d)
    vals = np.empty(len(mesh))
    t1 = time.perf_counter()
    with _bar(len(mesh), "calibrate: grid", progress) as bar:
        for i, u in enumerate(mesh):
            vals[i] = fcn(*u)
            bar.update()
    grid_s = time.perf_counter() - t1
    vals = vals.reshape((n_grid,) * d)
    steps = {n: float(ax[1] - ax[0]) / 2 for n, ax in zip(names, axes, strict=True)}

    # -- local stage: MIGRAD from every grid minimum, merge those without a barrier. The
    #    MIGRAD and MINOS runs share one budget of budget_s, counted in calls of the
    #    measured cost; only the first MIGRAD always runs to iminuit's own call limit
    calls_left = int(budget_s / max(eval_s, 1e-9))
    found: list[tuple[float, NDArray[np.float64], Any]] = []
    grid_minima = _grid_minima(vals, max_starts)
    for i_start, idx in enumerate(grid_minima):
        if i_start > 0 and calls_left <= 0:
            notes.append(
                f"MIGRAD ran from {i_start} of {len(grid_minima)} grid minima: time budget spent"
            )
            break
        m = _minuit(fcn, [axes[k][i] for k, i in enumerate(idx)], ulim, steps)
        m.migrad(ncall=None if i_start == 0 else calls_left)
        calls_left -= m.nfcn
        if i_start > 0 and m.fmin.has_reached_call_limit:
            notes.append("a MIGRAD run stopped at the time budget: its minimum is left out")
            continue
        found.append((float(m.fval), np.array(m.values), m))
    found.sort(key=lambda r: r[0])
    distinct: list[tuple[float, NDArray[np.float64], Any]] = []
    for f, u, m in found:
        if not any(_same_minimum(fcn, u, f, v, g) for g, v, _ in distinct):
            distinct.append((f, u, m))
    best_f = distinct[0][0]
    kept = [r for r in distinct if r[0] - best_f < MINIMA_WINDOW]
    if len(distinct) > len(kept):
        notes.append(f"{len(distinct) - len(kept)} further local minima with Δnll ≥ 2")

    minima = []
    for f, u, m in kept:
        if minos:
            if not m.valid:
                m.migrad()
            iv: dict[str, tuple[float, float] | None] = {}
            why: dict[str, str] = {}
            for n in names:
                if calls_left <= 0:
                    iv[n], why[n] = None, "MINOS not run: time budget (budget_s) spent"
                    continue
                before = m.nfcn
                iv[n], why[n] = _minos(m, n, ulim[n], ncall=calls_left)
                calls_left -= m.nfcn - before
                m.values = u  # MINOS leaves the state at the minimum; be explicit
        else:
            iv = dict.fromkeys(names)
            why = dict.fromkeys(names, "MINOS not run")
        minima.append(
            Minimum(
                values={n: _to_user(n, x) for n, x in zip(names, u, strict=True)},
                nll=f,
                delta_nll=f - best_f,
                errors={
                    n: float(m.errors[n]) * (_to_user(n, x) if n == "rate_scale" else 1.0)
                    for n, x in zip(names, u, strict=True)
                },
                intervals=iv,
                interval_notes=why,
                migrad_valid=bool(m.valid),
            )
        )

    # -- profiles: fixed grid per parameter, the others re-minimised from every minimum
    profiles: dict[str, Profile] = {}
    if profile_points:
        starts = kept[:max_profile_starts]
        # ~30 calls per warm-started profile point (measured with the relaxation model)
        per_point = eval_s * (30 * len(starts) if d > 1 else 1)
        if auto_profile and profile_points * d * per_point > budget_s:
            starts = starts[:1]
            per_point = eval_s * (30 if d > 1 else 1)
            profile_points = max(7, min(profile_points, int(budget_s / (d * per_point))))
            notes.append(
                f"profiles cut to {profile_points} points from the best minimum only "
                "to fit the time budget"
            )
        total = (profile_points + len(kept)) * d * (len(starts) if d > 1 else 1)
        with _bar(total, "calibrate: profiles", progress) as bar:
            for i_free, name in enumerate(names):
                # the fixed grid plus every minimum's value, so that narrow dips show
                pg = np.union1d(
                    np.linspace(*ulim[name], int(profile_points)), [r[1][i_free] for r in kept]
                )
                prof = np.full(pg.size, np.inf)
                if d == 1:
                    for j, x in enumerate(pg):
                        prof[j] = fcn(x)
                        bar.update()
                else:
                    for _, u, _ in starts:
                        j0 = int(np.argmin(np.abs(pg - u[i_free])))
                        for order in (range(j0, pg.size), range(j0 - 1, -1, -1)):
                            cur = u.copy()
                            for j in order:
                                cur[i_free] = pg[j]
                                pm = _minuit(fcn, cur, ulim, steps)
                                pm.fixed[name] = True
                                pm.migrad(ncall=profile_ncall)
                                prof[j] = min(prof[j], float(pm.fval))
                                cur = np.array(pm.values)
                                bar.update()
                delta = prof - best_f
                if np.min(delta) < -0.01:
                    notes.append(
                        f"the profile of {name} went {-np.min(delta):.3g} below the best "
                        "minimum: the global stage missed a lower region"
                    )
                profiles[name] = Profile(
                    name,
                    np.array([_to_user(name, x) for x in pg]),
                    delta,
                    _with_minima(_profile_status(pg, delta), name, minima),
                )

    verdict, code = _verdict(names, minima, profiles)
    best_u = kept[0][1]
    fixed = {"rate_scale": setup.rate_scale} if "rate_scale" not in names else {}
    fixed.update(
        {
            f"a{F}": float(v)
            for F, v in setup.species.scattering_lengths_bohr.items()
            if f"a{F}" not in names
        }
    )
    cells = int(fcn.obs.shape[1] * (fcn.obs.shape[0] - 1))
    return CalibrationResult(
        model=model,
        free=tuple(names),
        minima=tuple(minima),
        profiles=profiles,
        verdict=verdict,
        verdict_code=code,
        limits=lim,
        fixed=fixed,
        global_stage={
            "grid_points_per_parameter": n_grid,
            "grid_evaluations": len(mesh),
            "model_evaluation_ms": 1e3 * eval_s,
            "grid_seconds": grid_s,
            "migrad_starts": len(found),
            "distinct_minima": len(distinct),
            "total_evaluations": fcn.calls,
            "dof": cells - d,
        },
        setup=fcn.setup_at(best_u),
        notes=tuple(notes),
    )


def _verdict(
    names: Sequence[str], minima: Sequence[Minimum], profiles: Mapping[str, Profile]
) -> tuple[str, str]:
    """Plain-words identifiability verdict and its code."""
    status = {n: p.status for n, p in profiles.items()}
    loose = [n for n, s in status.items() if s in ("flat", "bounded on one side only")]
    unsure = [n for n, s in status.items() if s == "no valid interval"]
    a_free = [n for n in names if n != "rate_scale"]
    rate_loose = (
        bool(loose)
        or len(minima) > 1
        or status.get("rate_scale") == "several separated values"
        or any(not m.valid for m in minima)
        or bool(unsure)
    )
    if "rate_scale" in names and a_free and rate_loose:
        return (
            "flat: rate_scale and a_F differences trade off (in the Born limit the rates depend on "
            "rate_scale·|a_F − a_F'|²); fix rate_scale (default 1) to measure the "
            "differences, or fix the a_F to measure rate_scale",
            "degenerate",
        )
    if loose:
        what = ", ".join(f"{n} ({status[n]})" for n in loose)
        return f"flat: the data do not pin {what} within the limits", "flat"
    several = [n for n, s in status.items() if s == "several separated values"]
    if len(minima) > 1 or several:
        k = len(minima)
        return (
            f"mirror solutions: data cannot tell them apart ({k} minima within Δnll < 2"
            + (f"; separated profile regions in {', '.join(several)}" if several else "")
            + ")",
            "mirror",
        )
    bad = [n for n, v in minima[0].intervals.items() if v is None]
    if bad or not minima[0].migrad_valid:
        return (
            f"not identified: no valid 68 % interval for {', '.join(bad) or 'the fit'}",
            "unresolved",
        )
    return "identified", "identified"


def populations_from_paper(
    populations: Mapping[str, float], time_s: float, runs: int
) -> PopulationData:
    """A single-time dataset from quoted populations (e.g. the paper's 0.4/0.37/0.23)."""
    counts = {k: np.array([round(v * runs)]) for k, v in populations.items()}
    if not math.isfinite(time_s):
        raise InputError("time_s", time_s, "a finite time (s)")
    return PopulationData(np.array([float(time_s)]), np.array([int(runs)]), counts)


__all__ = [
    "CalibrationResult",
    "Minimum",
    "PopulationData",
    "Profile",
    "calibrate",
    "populations_from_paper",
]
