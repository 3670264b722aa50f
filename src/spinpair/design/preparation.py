"""Optimise the preparation: the hold that makes chi1 (or chi1 + chi2, or metrological gain)
most likely, over the knobs a lab controls.

Why one file of ~630 lines: the objective, its search and the result's sensitivity,
band and landscape all evaluate the same populations.

Model
-----
The pair starts in |0,0⟩ and relaxes in the M = 0 exchange-symmetric sector by thermal
spin-changing collisions: the Pauli rate equation dp/dt = W p of the relaxation model
(:mod:`spinpair.dynamics.pauli`, exact for this start), with rates from the coupled-channel
S-matrix where spinpair ships tables (``collisions.rates``), else the zero-range form in the
a_F. A two-step hold (``field_gauss`` for a share ``ramp_fraction`` of the hold, then
``field2_gauss``) multiplies two propagators exp(W₂ t₂) exp(W₁ t₁). Targets:

* ``chi1``: P(chi1) after the hold;
* ``chi1+chi2``: P(chi1) + P(chi2) (every entangled product);
* ``gain``: the Ramsey Fisher information per attempted run over the standard quantum
  limit, I/I_SQL, of the prepared mixture through the full sequence (detection and pulse
  imperfections of the parameter set), with post-selection when the knob ``postselect`` is
  on (:mod:`spinpair.metrology.preparation`; chi1 part with fidelity (1 + c)/2 from
  ``collisions.chi1_coherence``).

Search
------
Differential evolution (:func:`scipy.optimize.differential_evolution`, Sobol start, seeded)
on the box of stated ranges (hold time and depth on a log scale), then Powell's bounded
local search from its best point. Both stop at a count of evaluations
(``max_evaluations``), never at a clock, so the same inputs give the same optimum on any
machine. Why this and not ``nevergrad`` or ``optuna``: at most six continuous knobs, a box,
an objective of ≈ 10 ms that is smooth but may have several maxima; scipy's seeded global
stage plus a local polish finds the optimum in a few hundred evaluations and adds no
dependency.

Reported with the optimum: the **sensitivity** (the objective along each knob through the
optimum, and the range of the knob that keeps it within 0.01 of the best), the **band**
from the inputs (potential knobs at ±1σ and T ± 10 µK, as
:func:`spinpair.studies.prediction.predict_populations`), a **landscape** over the two
knobs that matter most, and **warnings** where the optimum sits on a range bound or
outside the model's regime.

Examples
--------
>>> from spinpair.params import Params
>>> r = optimise_preparation(Params(), knobs=["hold_time_s"], max_evaluations=120)
>>> bool(r.optimum.objective >= r.baseline.objective - 1e-9)
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._lazy import lazy_module
from ..errors import InputError, check_range
from ..params import Params
from ..validation import instance, size
from .knobs import CONTINUOUS, KNOBS, baseline_values, check_knobs, resolve_bounds

optimize = lazy_module("scipy.optimize")

#: Optimisation targets.
TARGETS = ("chi1", "chi1+chi2", "gain")
#: Knobs searched on a log scale (they span decades).
LOG_KNOBS = ("hold_time_s", "depth_hz")
#: A knob range keeps the objective "near the optimum" within this much (absolute).
SENSITIVITY_TOLERANCE = 0.01
#: Points of each sensitivity scan and of each landscape axis.
SCAN_POINTS = 21
#: Below this many motional quanta k_B T/(h ν_max) the thermal rate model leaves its regime.
MIN_THERMAL_QUANTA = 3.0
#: Above this hold time (s) background loss, not in the model, matters in most tweezers.
LONG_HOLD_S = 0.5


@dataclass(frozen=True)
class Point:
    """Knob values, the objective there and the populations after the hold."""

    knobs: dict[str, float]
    objective: float
    populations: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "knobs": dict(self.knobs),
            "objective": _num(self.objective),
            "populations": {k: _num(v) for k, v in self.populations.items()},
        }


def _num(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


class PreparationObjective:
    """The objective as a function of the knob values (``{name: value}``; knobs not given
    keep their value in ``params``). Counts its evaluations in :attr:`evaluations`.

    ``variant``: a potential-knob variant of the S-matrix tables (``"singlet+"`` …) and
    ``temperature_shift_k``: T + shift, for the band.
    """

    def __init__(self, params: Params, target: str = "chi1", *, wait_s: float = 5e-6) -> None:
        if target not in TARGETS:
            raise InputError("target", target, f"one of {list(TARGETS)}")
        self.params = params
        self.target = target
        self.f = params.f
        self.names = ("00", *(f"chi{k}" for k in range(1, self.f + 1)))
        if target == "chi1+chi2" and self.f < 2:
            raise InputError("target", target, "chi1 or gain for f = 1 (there is no chi2)")
        self.evaluations = 0
        self._sector: tuple[NDArray, NDArray, NDArray] | None = None
        self._curves: Any = None
        self._wait_s = float(wait_s)
        self._fidelity = 0.5 * (1.0 + params.collisions.chi1_coherence)

    # ------------------------------------------------------------------ pieces
    def _projection(self) -> tuple[NDArray, NDArray, NDArray]:
        if self._sector is None:
            from ..spin import named_ket, symmetric_sector

            sec = symmetric_sector(self.f, 0, True)
            K = np.array(
                [np.abs(named_ket(k, self.f).conj() @ sec.vectors) ** 2 for k in self.names]
            )
            p0 = np.abs(sec.vectors.conj().T @ named_ket("00", self.f)) ** 2
            self._sector = (sec.vectors, K, p0)
        return self._sector

    def params_at(self, values: Mapping[str, float], temperature_shift_k: float = 0.0) -> Params:
        """``params`` with the knobs' parameters set (the two-step hold's second field is
        not a parameter: it is applied by :meth:`populations`)."""
        v = baseline_values(self.params, CONTINUOUS) | {
            k: float(x) for k, x in values.items() if k != "postselect"
        }
        return self.params.replace(
            {
                "collisions.hold_time_s": v["hold_time_s"],
                "collisions.field_gauss": v["field_gauss"],
                "trap.depth_hz": v["depth_hz"],
                "trap.temperature_k": v["temperature_k"] + temperature_shift_k,
            }
        )

    def populations(
        self,
        values: Mapping[str, float],
        *,
        variant: str | None = None,
        temperature_shift_k: float = 0.0,
    ) -> dict[str, float]:
        """Populations of ``00``, ``chi1`` … after the hold (relaxation model from 00)."""
        from ..dynamics import CollisionSetup
        from ..dynamics.pauli import propagate_populations
        from ..dynamics.relaxation import sector_rates

        v = baseline_values(self.params, CONTINUOUS) | {k: float(x) for k, x in values.items()}
        p = self.params_at(values, temperature_shift_k)
        t = v["hold_time_s"]
        r = v["ramp_fraction"] if "ramp_fraction" in values else 1.0
        segments = [(v["field_gauss"], r * t)]
        if "ramp_fraction" in values and r < 1.0:
            segments.append((v["field2_gauss"], (1.0 - r) * t))
        _, K, P = self._projection()
        for b, dt in segments:
            if dt <= 0:
                continue
            setup = CollisionSetup.from_params(p.replace({"collisions.field_gauss": b}))
            if variant is not None and setup.rates == "s-matrix":
                setup = replace(setup, potential_variant=variant)
            G = sector_rates(setup, 0)
            W = G - np.diag(G.sum(axis=0))
            P = propagate_populations(W, np.array([dt]), P)[0]
        pops = K @ P
        return {k: float(pops[i]) for i, k in enumerate(self.names)}

    def _gain(self, pops: Mapping[str, float], postselect: bool) -> float:
        from ..metrology.preparation import preparation_curves, preparation_fisher

        if self._curves is None:
            self._curves = preparation_curves(self.params, self._wait_s)
        others = {"00": pops["00"], "chi2": pops.get("chi2", 0.0)}
        if sum(others.values()) <= 0:
            others = {"00": 1.0}
        pchi1 = min(max(pops["chi1"], 0.0), 1.0)
        r = preparation_fisher(self._curves, pchi1, self._fidelity, others)
        fi = r.postselected_per_attempt if postselect else r.per_run
        return float(fi / r.sql)

    def value(self, pops: Mapping[str, float], values: Mapping[str, float]) -> float:
        """The target from the populations (and the ``postselect`` knob for ``gain``)."""
        if self.target == "chi1":
            return pops["chi1"]
        if self.target == "chi1+chi2":
            return pops["chi1"] + pops["chi2"]
        return self._gain(pops, bool(values.get("postselect", 0.0) >= 0.5))

    def __call__(
        self,
        values: Mapping[str, float],
        *,
        variant: str | None = None,
        temperature_shift_k: float = 0.0,
    ) -> float:
        """The objective at ``values``; counts one evaluation."""
        self.evaluations += 1
        pops = self.populations(values, variant=variant, temperature_shift_k=temperature_shift_k)
        return self.value(pops, values)

    def point(self, values: Mapping[str, float]) -> Point:
        """Objective and populations at ``values``."""
        self.evaluations += 1
        pops = self.populations(values)
        return Point(dict(values), self.value(pops, values), pops)


# ---------------------------------------------------------------------- result


@dataclass(frozen=True)
class PreparationDesign:
    """Result of :func:`optimise_preparation` (``as_dict`` follows ``docs/cli.md``'s
    ``optimise`` keys: ``target``, ``baseline``, ``optimum``, ``sensitivity``,
    ``warnings``)."""

    target: str
    model: str
    rates: str
    knobs: tuple[str, ...]
    bounds: dict[str, tuple[float, float]]
    baseline: Point
    optimum: Point
    band: dict[str, Any]
    sensitivity: dict[str, dict[str, Any]]
    landscape: dict[str, Any] | None
    evaluations: int
    seed: int
    status: str
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN → null)."""
        opt = self.optimum.as_dict() | {"band": self.band}
        return {
            "target": self.target,
            "model": self.model,
            "rates": self.rates,
            "knobs": list(self.knobs),
            "bounds": {k: list(v) for k, v in self.bounds.items()},
            "units": {k: KNOBS[k].unit for k in self.knobs},
            "baseline": self.baseline.as_dict(),
            "optimum": opt,
            "sensitivity": self.sensitivity,
            "landscape": self.landscape,
            "evaluations": self.evaluations,
            "seed": self.seed,
            "status": self.status,
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------------- search


class _Box:
    """Map between the unit cube and the knobs' ranges (log scale where stated)."""

    def __init__(self, bounds: Mapping[str, tuple[float, float]]) -> None:
        self.names = tuple(bounds)
        self.lo = np.empty(len(self.names))
        self.hi = np.empty(len(self.names))
        self.log = np.array([n in LOG_KNOBS and bounds[n][0] > 0 for n in self.names])
        for i, n in enumerate(self.names):
            lo, hi = bounds[n]
            self.lo[i], self.hi[i] = (math.log(lo), math.log(hi)) if self.log[i] else (lo, hi)

    def to_knobs(self, u: NDArray) -> dict[str, float]:
        x = self.lo + np.clip(u, 0.0, 1.0) * (self.hi - self.lo)
        x = np.where(self.log, np.exp(x), x)
        return {n: float(x[i]) for i, n in enumerate(self.names)}

    def to_unit(self, values: Mapping[str, float]) -> NDArray:
        x = np.array([values[n] for n in self.names], dtype=float)
        x = np.where(self.log, np.log(np.maximum(x, 1e-300)), x)
        return np.clip((x - self.lo) / (self.hi - self.lo), 0.0, 1.0)


def _safe(fun: Callable[[Mapping[str, float]], float], values: Mapping[str, float]) -> float:
    """fun(values), or NaN where the knobs leave the parameter schema (e.g. k_B T > U0/10)."""
    try:
        return float(fun(values))
    except InputError:
        return float("nan")


def _search(
    objective: PreparationObjective,
    box: _Box,
    fixed: Mapping[str, float],
    start: NDArray,
    max_evaluations: int,
    seed: int,
) -> tuple[dict[str, float], float]:
    """Global (differential evolution) then local (Powell) search, both counted."""
    n = len(box.names)
    used = {"n": 0}

    def neg(u: NDArray) -> float:
        used["n"] += 1
        val = _safe(objective, {**fixed, **box.to_knobs(u)})
        return 1.0 if not math.isfinite(val) else -val  # outside the schema: worst

    popsize = 8
    per_generation = popsize * n
    global_budget = int(0.7 * max_evaluations)
    maxiter = max(1, global_budget // per_generation - 1)
    de = optimize.differential_evolution(
        neg,
        [(0.0, 1.0)] * n,
        maxiter=maxiter,
        popsize=popsize,
        init="sobol" if per_generation >= 2 else "latinhypercube",
        seed=seed,
        polish=False,
        tol=1e-8,
        x0=np.clip(start, 0.0, 1.0),
        updating="immediate",
    )
    best_u, best_f = np.asarray(de.x, dtype=float), float(de.fun)
    rest = max_evaluations - used["n"]
    if rest > 2 * n:
        loc = optimize.minimize(
            neg,
            best_u,
            method="Powell",
            bounds=[(0.0, 1.0)] * n,
            options={"maxfev": rest, "xtol": 1e-6, "ftol": 1e-10},
        )
        if float(loc.fun) < best_f:
            best_u, best_f = np.asarray(loc.x, dtype=float), float(loc.fun)
    return box.to_knobs(best_u), -best_f


def _sensitivity(
    objective: PreparationObjective,
    best: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
) -> dict[str, dict[str, Any]]:
    """Objective along each continuous knob through the optimum."""
    best_val = _safe(objective, best)
    out: dict[str, dict[str, Any]] = {}
    for k, (lo, hi) in bounds.items():
        box = _Box({k: (lo, hi)})
        xs = [box.to_knobs(np.array([u]))[k] for u in np.linspace(0.0, 1.0, SCAN_POINTS)]
        xs = sorted({*xs, best[k]})
        ys = [_safe(objective, dict(best) | {k: x}) for x in xs]
        i0 = xs.index(best[k])
        lo_ok = hi_ok = best[k]
        for j in range(i0, -1, -1):
            if not ys[j] >= best_val - SENSITIVITY_TOLERANCE:
                break
            lo_ok = xs[j]
        for j in range(i0, len(xs)):
            if not ys[j] >= best_val - SENSITIVITY_TOLERANCE:
                break
            hi_ok = xs[j]
        finite = [y for y in ys if math.isfinite(y)]
        out[k] = {
            "unit": KNOBS[k].unit,
            "values": xs,
            "objective": [_num(y) for y in ys],
            f"within_{SENSITIVITY_TOLERANCE:g}": [lo_ok, hi_ok],
            "span": (max(finite) - min(finite)) if finite else None,
        }
    return out


def _band(
    objective: PreparationObjective, best: Mapping[str, float], temperature_sigma_k: float
) -> dict[str, Any]:
    """Range of the objective at the optimum over the inputs, as in
    :func:`spinpair.studies.prediction.predict_populations`."""
    from ..scattering.tables import VARIANT_SPECIES

    centre = objective(best)
    contributions: dict[str, dict[str, float]] = {}
    p = objective.params
    rates = objective.params_at(best)
    from ..dynamics.setup import resolve_rates

    r = resolve_rates(rates.collisions.rates, p.species, p.f, float(rates.collisions.field_gauss))
    if r == "s-matrix" and (p.species, p.f) in VARIANT_SPECIES:
        for knob in ("singlet", "triplet"):
            a = objective(best, variant=f"{knob}+")
            b = objective(best, variant=f"{knob}-")
            contributions[f"potentials: {knob}"] = {
                "down": max(0.0, centre - min(a, b)),
                "up": max(0.0, max(a, b) - centre),
            }
    T = best.get("temperature_k", p.trap.temperature_k)
    sig = min(temperature_sigma_k, 0.5 * T)
    if sig > 0:
        vals = [_safe(partial(objective, temperature_shift_k=s), best) for s in (sig, -sig)]
        vals = [x for x in vals if math.isfinite(x)]
        if vals:
            contributions["temperature"] = {
                "down": max(0.0, centre - min(vals)),
                "up": max(0.0, max(vals) - centre),
            }
    down = math.sqrt(sum(c["down"] ** 2 for c in contributions.values()))
    up = math.sqrt(sum(c["up"] ** 2 for c in contributions.values()))
    return {
        "lower": centre - down,
        "upper": centre + up,
        "contributions": contributions,
        "temperature_sigma_k": sig,
        "band": "range over the inputs' variations, one at a time, each side added in "
        "quadrature (not a Gaussian sigma)",
    }


def _landscape(
    objective: PreparationObjective,
    best: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
    sensitivity: Mapping[str, Mapping[str, Any]],
    points: int,
) -> dict[str, Any] | None:
    """The objective over the two knobs whose scans span the most."""
    ranked = sorted(
        (k for k in bounds if sensitivity[k]["span"] is not None),
        key=lambda k: -float(sensitivity[k]["span"]),
    )
    if len(ranked) < 2:
        return None
    kx, ky = ranked[0], ranked[1]
    bx, by = _Box({kx: bounds[kx]}), _Box({ky: bounds[ky]})
    us = np.linspace(0.0, 1.0, points)
    xs = [bx.to_knobs(np.array([u]))[kx] for u in us]
    ys = [by.to_knobs(np.array([u]))[ky] for u in us]
    z = [[_num(_safe(objective, dict(best) | {kx: x, ky: y})) for x in xs] for y in ys]
    return {
        "x_knob": kx,
        "y_knob": ky,
        "x": xs,
        "y": ys,
        "objective": z,
        "log_x": kx in LOG_KNOBS,
        "log_y": ky in LOG_KNOBS,
    }


def _warnings(
    objective: PreparationObjective,
    best: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
    rates: str,
) -> list[str]:
    from scipy.constants import h
    from scipy.constants import k as kB

    out: list[str] = []
    for k, (lo, hi) in bounds.items():
        span = hi - lo
        if k in LOG_KNOBS and lo > 0:
            at_lo = math.log(best[k] / lo) < 0.01 * math.log(hi / lo)
            at_hi = math.log(hi / best[k]) < 0.01 * math.log(hi / lo)
        else:
            at_lo, at_hi = best[k] - lo < 0.01 * span, hi - best[k] < 0.01 * span
        if at_lo or at_hi:
            out.append(
                f"{k} = {best[k]:.4g} {KNOBS[k].unit} lies on the {'lower' if at_lo else 'upper'}"
                f" end of its stated range [{lo:.4g}, {hi:.4g}]: the range, not the physics, "
                "limits the optimum"
            )
    p = objective.params_at(best)
    from ..trap import PairTrap

    trap = PairTrap.from_params(p)
    quanta = kB * p.trap.temperature_k / (h * max(trap.frequencies_hz))
    if quanta < MIN_THERMAL_QUANTA:
        out.append(
            f"k_B T / (h nu_max) = {quanta:.2g} < {MIN_THERMAL_QUANTA:g} at the optimum: few "
            "motional levels are occupied and the thermal rate model leaves its regime "
            "(use the secular model, `spinpair dynamics --model secular`)"
        )
    if best.get("hold_time_s", p.collisions.hold_time_s) > LONG_HOLD_S:
        out.append(
            f"hold time {best.get('hold_time_s', 0.0):.3g} s > {LONG_HOLD_S:g} s: background "
            "and light-assisted loss during the hold are not in the model"
        )
    if rates != "s-matrix":
        out.append(
            "zero-range rates (no coupled-channel tables here): the a_F set the rates, and "
            "the band has no potential part"
        )
    return out


def _status(objective: PreparationObjective, rates: str) -> str:
    """``computed`` with S-matrix rates; else the weakest status of the a_F used."""
    if rates == "s-matrix":
        return "computed"
    from ..species import SCATTERING_LENGTH_STATUSES

    data = objective.params.species_data().scattering_length_data
    statuses = [d.status for d in data.values()]
    return max(statuses, key=SCATTERING_LENGTH_STATUSES.index) if statuses else "placeholder"


def optimise_preparation(
    params: Params,
    target: str = "chi1",
    knobs: Sequence[str] | None = None,
    *,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    max_evaluations: int = 600,
    seed: int = 0,
    landscape_points: int = SCAN_POINTS,
    temperature_sigma_k: float = 10e-6,
) -> PreparationDesign:
    """Maximise ``target`` (``chi1``, ``chi1+chi2`` or ``gain``) over ``knobs``
    (default :data:`~spinpair.design.knobs.DEFAULT_KNOBS`) within ``bounds`` (default the
    stated ranges of :mod:`spinpair.design.knobs`).

    ``max_evaluations`` bounds the search (global + local; the sensitivity, landscape and
    band add ≈ ``SCAN_POINTS`` × (knobs + ``landscape_points``) more); ``seed`` makes it
    reproducible. Hold time in s, field in G, depth in Hz (U0/h), temperature in K.

    Examples
    --------
    >>> r = optimise_preparation(Params(), knobs=["hold_time_s"], max_evaluations=120)
    >>> 0.3 < r.optimum.objective < 0.5
    True
    """
    from ..dynamics.setup import resolve_rates

    names = check_knobs(
        knobs if knobs is not None else ("hold_time_s", "field_gauss", "depth_hz", "temperature_k")
    )
    instance("params", params, Params, "a Params (spinpair.Params)")
    max_evaluations = size("max_evaluations", max_evaluations, 10, 10**7)
    seed = size("seed", seed, 0, 2**32 - 1)
    landscape_points = size("landscape_points", landscape_points, 0, 101)
    check_range("temperature_sigma_k", temperature_sigma_k, 0.0, 1e-3)
    if "postselect" in names and target != "gain":
        raise InputError("knobs", "postselect", "only with target gain (it changes no population)")
    objective = PreparationObjective(params, target)
    cont = [k for k in names if k != "postselect"]
    lims = resolve_bounds(params, cont, bounds)
    base_vals = baseline_values(params, names)
    baseline = objective.point(base_vals)
    choices = [0.0, 1.0] if "postselect" in names else [None]
    best: dict[str, float] | None = None
    best_val = -math.inf
    for ps in choices:
        fixed = {} if ps is None else {"postselect": ps}
        if cont:
            box = _Box(lims)
            start = box.to_unit({k: min(max(base_vals[k], lims[k][0]), lims[k][1]) for k in cont})
            budget = max_evaluations // len(choices)
            vals, val = _search(objective, box, fixed, start, budget, seed)
            vals = fixed | vals
        else:
            vals = dict(fixed)
            val = _safe(objective, vals)
        if val > best_val:
            best, best_val = vals, val
    assert best is not None
    optimum = objective.point(best)
    inside = all(lims[k][0] <= base_vals[k] <= lims[k][1] for k in cont)
    if inside and baseline.objective > optimum.objective:  # never worse than the start
        optimum = objective.point(base_vals)
        best = dict(base_vals)
    sens = _sensitivity(objective, best, lims) if cont else {}
    land = _landscape(objective, best, lims, sens, landscape_points) if landscape_points else None
    band = _band(objective, best, temperature_sigma_k)
    p_best = objective.params_at(best)
    rates = resolve_rates(
        p_best.collisions.rates, params.species, params.f, float(p_best.collisions.field_gauss)
    )
    notes = [
        "model: relaxation (Pauli rate equation from |0,0>), whatever collisions.model says",
        "trap depth read as h x depth_hz (the appendix's hbar x 22 MHz would lower the contact "
        "density about 16x)",
    ]
    if target == "gain":
        notes.append(
            "gain: Fisher information per attempted run over the SQL, Ramsey sequence of the "
            "parameter set (wait 5 us), best detuning; the collision knobs change only the "
            "prepared mixture"
        )
    return PreparationDesign(
        target=target,
        model="relaxation",
        rates=rates,
        knobs=names,
        bounds=lims,
        baseline=baseline,
        optimum=optimum,
        band=band,
        sensitivity=sens,
        landscape=land,
        evaluations=objective.evaluations,
        seed=int(seed),
        status=_status(objective, rates),
        warnings=_warnings(objective, best, lims, rates),
        notes=notes,
    )


__all__ = [
    "TARGETS",
    "Point",
    "PreparationDesign",
    "PreparationObjective",
    "optimise_preparation",
]
