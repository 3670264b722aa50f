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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..dynamics import evolve
from ..dynamics.engine import check_times
from ..dynamics.pauli import relaxation_populations
from ..dynamics.setup import CollisionSetup
from ..errors import InputError
from .gridsearch import (
    BARRIER_DNLL,
    DEFAULT_MAX_EVALUATIONS,
    DEFAULT_RESOLUTION_BOHR,
    DEFAULT_RESOLUTION_RATE_SCALE,
)
from .likelihood import multinomial_nll

#: Δnll of a 68 % (1σ) profile interval for one parameter.
LEVEL_68 = 0.5
#: Minima up to this Δnll above the best are reported (docs/cli.md: "Δnll < 2").
MINIMA_WINDOW = 2.0
#: Default half-width of the a_F limits around the start (Bohr radii). Beyond ~±1000 a_B
#: around a_2f the 85Rb pair equilibrates (1/3 each) within 20 ms at rate_scale 1, so the
#: likelihood is flat there (unitarity caps |f_F| at 1/k).
A_HALF_RANGE_BOHR = 1000.0
#: Default limits of rate_scale (dimensionless); the fit runs in ln(rate_scale), so the
#: value stays > 0.
RATE_SCALE_LIMITS = (1e-3, 1e4)
#: Points of the coarse grid on the most demanding axis, by number of free parameters.
DEFAULT_GRID = {1: 41, 2: 21, 3: 11}
#: Share of ``max_evaluations`` the adaptive grid may use; MIGRAD and MINOS get the rest.
GRID_SHARE = 0.75


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

    def evaluate(
        self, u: Sequence[float] | NDArray[np.float64]
    ) -> tuple[float, NDArray[np.float64]]:
        """(nll, model probabilities (cells, times)) at internal coordinates ``u``."""
        self.calls += 1
        p = self.probs(self.setup_at(u))
        val = float(np.sum(multinomial_nll(self.obs, p, axis=0, constant="saturated")))
        return (val if math.isfinite(val) else 1e300), p

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
    ``status`` is the docs/cli.md status of the fitted values: ``calibrated`` unless a fixed
    input they rest on (``rests_on``: key → status) is weaker; ``model_label`` names the
    model they are parameters of (fitted a_F are effective parameters of that model, not
    a measurement of the true a_F); ``warnings`` name placeholder or illustrative inputs;
    ``search`` says what the global stage did (resolution reached, evaluations).
    """

    model: str
    free: tuple[str, ...]
    minima: tuple[Minimum, ...]
    profiles: dict[str, Profile]
    verdict: str
    verdict_code: str
    limits: dict[str, tuple[float, float]]
    fixed: dict[str, float]
    search: dict[str, Any]
    setup: CollisionSetup
    notes: tuple[str, ...] = field(default=())
    status: str = "calibrated"
    model_label: str = ""
    rests_on: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = field(default=())
    dof: int = 0

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
        """JSON-ready summary (docs/cli.md ``calibrate``); fitted numbers carry ``status``."""
        best = self.best.as_dict()
        what = {
            n: (
                f"effective {n} of the {self.model_label}: a parameter of that model fitted "
                f"to these data, not a measurement of the true {n}"
                if n != "rate_scale"
                else f"rate_scale of the {self.model_label}"
            )
            for n in self.free
        }
        return {
            "model": self.model,
            "model_label": self.model_label,
            "status": self.status,
            "values_status": {n: {"status": self.status, "meaning": what[n]} for n in self.free},
            "rests_on": dict(self.rests_on),
            "warnings": list(self.warnings),
            "free": list(self.free),
            "fixed": {k: _num(v) for k, v in self.fixed.items()},
            "limits": {k: [_num(a), _num(b)] for k, (a, b) in self.limits.items()},
            "values": best["values"],
            "intervals_68": best["intervals_68"],
            "interval_notes": best["interval_notes"],
            "nll": best["nll"],
            "deviance": _num(2 * self.best.nll),
            "dof": self.dof,
            "valid": self.valid,
            "identified": self.identified,
            "verdict": self.verdict,
            "verdict_code": self.verdict_code,
            "minima": [m.as_dict() for m in self.minima],
            "profiles": {k: p.as_dict() for k, p in self.profiles.items()},
            "search": self.search,
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
    explicit: Sequence[str] = (),
) -> dict[str, tuple[float, float]]:
    """Limits per parameter; a start given explicitly (``explicit``) must lie inside."""
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
        if n in explicit and not lo <= x <= hi:
            raise InputError(f"start.{n}", x, f"inside the limits [{lo:g}, {hi:g}]")
        out[n] = (lo, hi)
    return out


def _bar(total: int | None, desc: str, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, disable=not progress, file=sys.stderr, leave=False)


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
    """No barrier of Δnll ≥ :data:`BARRIER_DNLL` on the straight line between two MIGRAD
    results."""
    ua, ub = np.asarray(ua), np.asarray(ub)
    top = max(fa, fb)
    for s in np.linspace(0, 1, n + 2)[1:-1]:
        if fcn(*(ua + s * (ub - ua))) > top + BARRIER_DNLL:
            return False
    return True


def _profile_status(u: NDArray[np.float64], delta: NDArray[np.float64]) -> str:
    """Words for one profile (internal coordinates ``u``, Δnll ``delta``): ``flat`` when
    one connected Δnll < ½ region spans more than a quarter of the limits or both ends,
    or Δnll < 2 holds over more than half of the limits,
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
    allowed = delta < MINIMA_WINDOW
    # a grid profile lies above the true one by up to the nll change over one node
    # spacing: a single node just above the window between two allowed ones is no gap
    allowed[1:-1] |= (delta[1:-1] < MINIMA_WINDOW + BARRIER_DNLL) & allowed[:-2] & allowed[2:]
    # length of the axis where Δnll < 2 (each node stands for half the gaps to its
    # neighbours): most of the limits allowed means the data do not pin the parameter
    edges = np.concatenate([[u[0]], 0.5 * (u[1:] + u[:-1]), [u[-1]]])
    covered = float(np.sum(np.diff(edges)[allowed])) / float(u[-1] - u[0])
    if span > 0.25 or (inside[0] and inside[-1]) or covered > 0.5:
        return "flat"
    if inside[0] or inside[-1]:
        return "bounded on one side only"
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
    options : passed to the model (e.g. ``nodes``).
    """
    from ..dynamics import MODELS

    if model not in MODELS:
        raise InputError("model", model, f"one of {list(MODELS)}")
    names = _check_free(setup, free)
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
    x0, start_from = _default_start(setup, names, start)
    if "rate_scale" in names and not x0[names.index("rate_scale")] > 0:
        raise InputError("start.rate_scale", x0[names.index("rate_scale")], "> 0")
    lim = _limits_for(names, x0, limits, explicit=tuple(start))
    ulim = {n: (_to_internal(n, lo), _to_internal(n, hi)) for n, (lo, hi) in lim.items()}
    fcn = _Objective(data, setup, model, names, options)
    d = len(names)
    notes = [] if rates_note is None else [rates_note]

    # -- global stage: adaptive grid down to the stated resolution (counted in evaluations)
    from .gridsearch import CURVATURE_SAFETY, RESOLVED_DNLL, adaptive_grid

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
                f"{n} {_resolution_user(n, x)}" for n, x in zip(names, gs.spacing, strict=True)
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
        m = _minuit(fcn, gs.coords(idx), ulim, steps)
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
        same = any(_same_minimum(fcn, u, f, v, g) for g, v, _ in distinct)
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
                iv[n], why[n] = _minos(m, n, ulim[n], ncall=calls_left)
                calls_left -= fcn.calls - before
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
            pg, prof = _grid_profile(gs, i_free, [(r[1][i_free], r[0]) for r in kept])
            if d > 1:
                before = fcn.calls
                pg, prof = _refine_profile(
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
    basis = _rests_on(setup, names, rests_on)
    status = _weakest(["calibrated", *basis.values()])
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


def _resolution_user(name: str, step: float) -> str:
    """A node spacing in words: a_B for a_F, a relative step for rate_scale."""
    if name == "rate_scale":
        return f"{100 * math.expm1(step):.3g} %"
    return f"{step:.3g} a_B"


def _default_start(
    setup: CollisionSetup, names: Sequence[str], start: Mapping[str, float]
) -> tuple[list[float], dict[str, str]]:
    """Starting values and where each comes from: the user's, else the species' built-in
    a_F when computed or measured, else the setup's value."""
    from ..species import get_species

    try:
        builtin = get_species(setup.species.name, setup.species.f).scattering_length_data
    except InputError:  # a species not among the built-ins
        builtin = {}
    x0, src = [], {}
    for n in names:
        if n in start:
            x0.append(float(start[n]))
            src[n] = "start"
        elif n == "rate_scale":
            x0.append(float(setup.rate_scale))
            src[n] = "setup"
        else:
            ch = int(n[1:])
            b = builtin.get(ch)
            if b is not None and b.status in ("computed", "measured"):
                x0.append(float(b.value_bohr))
                src[n] = f"{b.status} (built-in {setup.species.name})"
            else:
                x0.append(float(setup.species.scattering_lengths_bohr[ch]))
                src[n] = setup.species.scattering_length_data[ch].status
    return x0, src


def _grid_profile(
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


def _refine_profile(
    fcn: _Objective,
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
        m = _minuit(fcn, u0, ulim, steps)
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


#: Statuses of docs/cli.md, strongest first; a derived number takes the weakest of its inputs.
STATUS_ORDER: tuple[str, ...] = (
    "paper",
    "measured",
    "computed",
    "setting",
    "calibrated",
    "tuned",
    "illustrative",
    "placeholder",
)


def _weakest(statuses: Sequence[str]) -> str:
    return max(statuses, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 0)


def _rests_on(
    setup: CollisionSetup, names: Sequence[str], extra: Mapping[str, str] | None
) -> dict[str, str]:
    """Statuses of the fixed inputs a calibration rests on: the fixed a_F (species data;
    a user's value is a ``setting``), a fixed rate_scale (``setting``) and ``extra``."""
    out: dict[str, str] = {}
    for ch, info in sorted(setup.species.scattering_length_data.items()):
        if f"a{ch}" in names:
            continue
        out[f"scattering_lengths_bohr.a{ch}"] = "setting" if info.status == "user" else info.status
    if "rate_scale" not in names:
        out["collisions.rate_scale"] = "setting"
    for k, v in (extra or {}).items():
        if v not in STATUS_ORDER:
            raise InputError(f"rests_on.{k}", v, f"one of {list(STATUS_ORDER)}")
        if k == "collisions.rate_scale" and "rate_scale" in names:
            continue
        if k.startswith("scattering_lengths_bohr.") and k.rsplit(".", 1)[-1] in names:
            continue
        out[k] = _weakest([out[k], v]) if k in out else v
    return out


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
