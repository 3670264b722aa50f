"""Calibrate a collision model on measured populations versus hold time (paper Fig. S1).

Data: for each hold time, the number of runs and how many ended in each named pair state
(``00``, ``chi1``, ``chi2``, …; states not listed are lumped into "other"). The free
parameters are any of ``rate_scale`` and the scattering lengths ``a0``, ``a2``, … (Bohr
radii); the others stay at the values of the :class:`CollisionSetup`. The fit maximises
the multinomial likelihood with iminuit (``errordef = LIKELIHOOD``); 68 % intervals come
from MINOS profile likelihoods.

Example
-------
>>> import numpy as np
>>> from spinpair.params import CollisionParams, Params
>>> from spinpair.dynamics import CollisionSetup
>>> setup = CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=30.0)))
>>> data = simulate_populations(setup, "relaxation", [0.02, 0.05, 0.1], 4000, seed=1)
>>> fit = calibrate(data, setup, "relaxation", free=("rate_scale",), start={"rate_scale": 5})
>>> lo, hi = fit.intervals["rate_scale"]
>>> bool(lo < 30.0 < hi)
True
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from . import evolve
from .engine import check_times
from .setup import CollisionSetup


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


def _model_probs(
    setup: CollisionSetup, model: str, data: PopulationData, options: Mapping[str, Any]
) -> NDArray[np.float64]:
    res = evolve(model, setup, data.time_s, "00", **options)
    pops = res.populations(tuple(data.counts))
    p = np.array([pops[k] for k in data.counts])  # (states, times)
    other = 1.0 - p.sum(axis=0)
    return np.clip(np.vstack([p, other[None]]), 1e-300, 1.0)


def _apply(setup: CollisionSetup, names: Sequence[str], values: Sequence[float]):
    a = {}
    rate = setup.rate_scale
    for n, v in zip(names, values, strict=True):
        if n == "rate_scale":
            rate = float(v)
        else:
            a[int(n[1:])] = float(v)
    s = dataclasses.replace(setup, rate_scale=max(rate, 0.0))
    return s.with_scattering_lengths(a) if a else s


@dataclass(frozen=True)
class CalibrationResult:
    """Best values, parabolic errors and MINOS 68 % intervals of the free parameters."""

    model: str
    values: dict[str, float]
    errors: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    nll: float
    valid: bool
    setup: CollisionSetup

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "model": self.model,
            "values": self.values,
            "errors": self.errors,
            "intervals_68": {k: list(v) for k, v in self.intervals.items()},
            "nll": self.nll,
            "valid": self.valid,
        }


def calibrate(
    data: PopulationData,
    setup: CollisionSetup,
    model: str,
    free: Sequence[str] = ("rate_scale",),
    start: Mapping[str, float] | None = None,
    limits: Mapping[str, tuple[float, float]] | None = None,
    minos: bool = True,
    scan_points: int = 0,
    **options: Any,
) -> CalibrationResult:
    """Fit ``free`` parameters of ``model`` to ``data`` by maximum multinomial likelihood.

    ``free`` names: ``rate_scale`` (dimensionless) and ``a0``, ``a2``, … (Bohr radii).
    ``start`` and ``limits`` default to the setup's values and to (0, 1e6) for the rate
    scale, ±200 a_B around the start for scattering lengths. Coherent models give a
    likelihood with many local minima (oscillation phases); ``scan_points`` > 0 first
    scans that many points on the grid of the limits (``Minuit.scan``), then runs MIGRAD.
    """
    from iminuit import Minuit

    names = list(free)
    channels = {f"a{F}" for F in setup.species.channels}
    for n in names:
        if n != "rate_scale" and n not in channels:
            raise InputError("free", n, f"rate_scale or one of {sorted(channels)}")
    start = dict(start or {})
    x0 = []
    for n in names:
        if n in start:
            x0.append(float(start[n]))
        elif n == "rate_scale":
            x0.append(setup.rate_scale)
        else:
            x0.append(setup.species.scattering_lengths_bohr[int(n[1:])])
    obs = np.vstack([*data.counts.values(), data.runs - np.sum(list(data.counts.values()), 0)])
    # saturated log-likelihood, so that 2·nll is a deviance (≈ χ² with dof)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = obs / data.runs
        sat = float(np.sum(np.where(obs > 0, obs * np.log(np.where(frac > 0, frac, 1)), 0)))

    def nll(*x: float) -> float:
        p = _model_probs(_apply(setup, names, x), model, data, options)
        return float(sat - np.sum(obs * np.log(p)))

    m = Minuit(nll, *x0, name=names)
    m.errordef = Minuit.LIKELIHOOD
    for n, x in zip(names, x0, strict=True):
        if limits and n in limits:
            m.limits[n] = limits[n]
        elif n == "rate_scale":
            m.limits[n] = (0.0, 1e6)
        else:
            m.limits[n] = (x - 200.0, x + 200.0)
        m.errors[n] = 0.1 * abs(x) if x != 0 else 0.1
    if scan_points:
        m.scan(ncall=int(scan_points))
    m.migrad()
    intervals = {}
    if minos and m.valid:
        try:
            m.minos()
            for n in names:
                me = m.merrors[n]
                intervals[n] = (m.values[n] + me.lower, m.values[n] + me.upper)
        except RuntimeError:
            pass
    for n in names:
        intervals.setdefault(n, (m.values[n] - m.errors[n], m.values[n] + m.errors[n]))
    values = {n: float(m.values[n]) for n in names}
    return CalibrationResult(
        model=model,
        values=values,
        errors={n: float(m.errors[n]) for n in names},
        intervals={k: (float(a), float(b)) for k, (a, b) in intervals.items()},
        nll=float(m.fval),
        valid=bool(m.valid),
        setup=_apply(setup, names, list(values.values())),
    )


def simulate_populations(
    setup: CollisionSetup,
    model: str,
    times_s: ArrayLike,
    runs: int,
    seed: int | np.random.Generator,
    names: Sequence[str] | None = None,
    **options: Any,
) -> PopulationData:
    """Seeded multinomial draws of pair-state counts from ``model`` (a virtual Fig. S1)."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    if int(runs) != runs or runs <= 0:
        raise InputError("runs", runs, "a positive integer")
    t = check_times(times_s)
    names = tuple(names or ("00", *(f"chi{k}" for k in range(1, setup.f + 1))))
    res = evolve(model, setup, t, "00", **options)
    pops = res.populations(names)
    p = np.clip(np.array([pops[k] for k in names]), 0.0, 1.0)
    other = np.clip(1.0 - p.sum(axis=0), 0.0, 1.0)
    probs = np.vstack([p, other[None]])
    probs /= probs.sum(axis=0)
    draws = np.array([rng.multinomial(int(runs), probs[:, i]) for i in range(t.size)])
    counts = {k: draws[:, j] for j, k in enumerate(names)}
    return PopulationData(t, np.full(t.size, int(runs)), counts)


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
    "PopulationData",
    "calibrate",
    "populations_from_paper",
    "simulate_populations",
]
