"""The objective of the collision-model calibration (:mod:`spinpair.analysis.calibrate`):
the negative log-likelihood of population counts versus hold time as a function of the
free parameters, their internal coordinates (ln rate_scale, a_F in Bohr radii), their
default starts and limits.

Examples
--------
>>> from spinpair.dynamics import CollisionSetup
>>> from spinpair.params import Params
>>> to_user("rate_scale", to_internal("rate_scale", 2.0))
2.0
>>> check_free(CollisionSetup.from_params(Params()), None)   # 85Rb: a4 stays fixed
['a0', 'a2']
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..dynamics import ModelOptions, evolve, model_spec
from ..dynamics.pauli import relaxation_populations
from ..dynamics.setup import CollisionSetup
from ..errors import InputError
from .data import PopulationData
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


class Objective:
    """nll(u) with u the internal coordinates: ln(rate_scale) and a_F (Bohr radii)."""

    def __init__(
        self,
        data: PopulationData,
        setup: CollisionSetup,
        model: str,
        names: Sequence[str],
        options: Mapping[str, Any] | ModelOptions,
    ) -> None:
        self.data, self.setup, self.model, self.names = data, setup, model, list(names)
        spec = model_spec(model, "model")
        if isinstance(options, ModelOptions):
            self.options = spec.resolve_options(options)
        else:
            self.options = spec.resolve_options(values=options)
        self.states = tuple(data.counts)
        counts = np.array([data.counts[k] for k in self.states])
        self.obs = np.vstack([counts, data.runs - counts.sum(axis=0)])  # (cells, times)
        self.fast = (
            relaxation_populations(setup, self.states)
            if model == "relaxation" and self.options == spec.options()
            else None
        )
        self.calls = 0

    def evaluate(
        self, u: Sequence[float] | NDArray[np.float64]
    ) -> tuple[float, NDArray[np.float64]]:
        """(nll, model probabilities (cells, times)) at internal coordinates ``u``."""
        self.calls += 1
        p = self.probs(self.setup_at(u))
        val = float(np.sum(multinomial_nll(self.obs, p, axis=0, constant="saturated", check=False)))
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
            # the search probes parameters far from the answer (rate_scale up to 10⁴):
            # no regime check per evaluation (spinpair.dynamics.regime checks a result)
            res = evolve(
                self.model, s, self.data.time_s, "00", outside_regime="ignore", options=self.options
            )
            pops = res.populations(self.states)
            p = np.array([pops[k] for k in self.states])
        return np.clip(np.vstack([p, 1.0 - p.sum(axis=0)]), 1e-300, 1.0)

    def __call__(self, *u: float) -> float:
        self.calls += 1
        if not all(math.isfinite(x) for x in u):  # MIGRAD can probe NaN on a flat nll
            return 1e300
        p = self.probs(self.setup_at(u))
        # relative to the saturated model, so that 2·nll is a deviance (≈ χ² with dof)
        val = float(np.sum(multinomial_nll(self.obs, p, axis=0, constant="saturated", check=False)))
        return val if math.isfinite(val) else 1e300


def to_user(name: str, u: float) -> float:
    """A value in user units (rate_scale, a_F in a_B) from internal coordinates."""
    return float(math.exp(u)) if name == "rate_scale" else float(u)


def to_internal(name: str, x: float) -> float:
    """Internal coordinates (ln rate_scale, a_F in a_B) from a value in user units."""
    return float(math.log(x)) if name == "rate_scale" else float(x)


def check_free(setup: CollisionSetup, free: Sequence[str] | None) -> list[str]:
    """The free parameter names, checked (default: every a_F but the highest channel's)."""
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


def limits_for(
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


def default_start(
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


__all__ = [
    "A_HALF_RANGE_BOHR",
    "LEVEL_68",
    "MINIMA_WINDOW",
    "RATE_SCALE_LIMITS",
    "Objective",
    "check_free",
    "default_start",
    "limits_for",
    "to_internal",
    "to_user",
]
