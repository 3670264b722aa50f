"""The knobs a lab controls when it prepares the pair, with their units and stated ranges.

A knob maps onto one parameter of :class:`spinpair.params.Params` (``hold_time_s`` →
``collisions.hold_time_s`` …) or shapes the hold (``field2_gauss``, ``ramp_fraction``: the
field is held at ``field_gauss`` for the first ``ramp_fraction`` of the hold time, then at
``field2_gauss``; the switch is sudden on the collision time scale, adiabatic for the
spins). ``postselect`` is discrete (eject |0⟩ and |±2⟩ before the Ramsey pulses and discard
those runs, the paper's proposal) and matters only for the ``gain`` target.

The default ranges are settings of this package, stated here and in the output:

==================  =================  ================================================
knob                default range      why
==================  =================  ================================================
``hold_time_s``     [1 ms, 1 s]        a tweezer keeps a pair for seconds; background
                                       loss during the hold is not in the model
``field_gauss``     [0, 10] G          the shipped S-matrix tables (``scattering``)
``field2_gauss``    [0, 10] G          as above
``ramp_fraction``   [0, 1]             the share of the hold at ``field_gauss``
``depth_hz``        [0.5, 2] × U0/h    within a factor two of the lab's tweezer power
``temperature_k``   [0.5, 1.5] × T     what cooling in the tweezer changes in practice
==================  =================  ================================================

Examples
--------
>>> from spinpair.params import Params
>>> default_bounds(Params(), ["hold_time_s", "depth_hz"])["depth_hz"]
(11000000.0, 44000000.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import InputError
from ..params import Params


@dataclass(frozen=True)
class Knob:
    """One control: its name, the parameter it sets (None: shapes the hold), unit, doc."""

    name: str
    key: str | None
    unit: str
    doc: str


KNOBS: dict[str, Knob] = {
    k.name: k
    for k in (
        Knob("hold_time_s", "collisions.hold_time_s", "s", "hold time with collisions"),
        Knob("field_gauss", "collisions.field_gauss", "G", "bias field during the hold"),
        Knob("field2_gauss", None, "G", "bias field after the ramp (two-step hold)"),
        Knob("ramp_fraction", None, "", "share of the hold at field_gauss (two-step hold)"),
        Knob("depth_hz", "trap.depth_hz", "Hz", "tweezer depth U0/h"),
        Knob("temperature_k", "trap.temperature_k", "K", "temperature of the pair"),
        Knob("postselect", None, "", "eject |0> and |+-2> before the Ramsey pulses"),
    )
}
#: Knobs optimised when none are named.
DEFAULT_KNOBS = ("hold_time_s", "field_gauss", "depth_hz", "temperature_k")
#: Continuous knobs (all but ``postselect``).
CONTINUOUS = tuple(k for k in KNOBS if k != "postselect")


def check_knobs(knobs: Sequence[str]) -> tuple[str, ...]:
    """The knob names, checked (unknown or repeated names raise InputError); the two-step
    hold needs ``field2_gauss`` and ``ramp_fraction`` together."""
    out = tuple(str(k) for k in knobs)
    if not out:
        raise InputError("knobs", [], f"one or more of {list(KNOBS)}")
    for k in out:
        if k not in KNOBS:
            raise InputError("knobs", k, f"one of {list(KNOBS)}")
    if len(set(out)) != len(out):
        raise InputError("knobs", list(out), "each knob once")
    if ("field2_gauss" in out) != ("ramp_fraction" in out):
        raise InputError(
            "knobs", list(out), "field2_gauss and ramp_fraction together (the two-step hold)"
        )
    return out


def baseline_values(params: Params, knobs: Sequence[str]) -> dict[str, float]:
    """The knobs' values in ``params`` (the two-step hold starts as a one-step hold:
    ``field2_gauss`` = ``field_gauss``, ``ramp_fraction`` = 1; ``postselect`` = 0)."""
    base = {
        "hold_time_s": params.collisions.hold_time_s,
        "field_gauss": params.collisions.field_gauss,
        "field2_gauss": params.collisions.field_gauss,
        "ramp_fraction": 1.0,
        "depth_hz": params.trap.depth_hz,
        "temperature_k": params.trap.temperature_k,
        "postselect": 0.0,
    }
    return {k: float(base[k]) for k in knobs}


def default_bounds(params: Params, knobs: Sequence[str]) -> dict[str, tuple[float, float]]:
    """The stated default range of each continuous knob (see the module docstring)."""
    from ..scattering.tables import TABLE_FIELDS_G

    b_hi = float(TABLE_FIELDS_G[-1])
    table = {
        "hold_time_s": (1e-3, 1.0),
        "field_gauss": (0.0, b_hi),
        "field2_gauss": (0.0, b_hi),
        "ramp_fraction": (0.0, 1.0),
        "depth_hz": (0.5 * params.trap.depth_hz, 2.0 * params.trap.depth_hz),
        "temperature_k": (0.5 * params.trap.temperature_k, 1.5 * params.trap.temperature_k),
    }
    return {k: table[k] for k in knobs if k in table}


def resolve_bounds(
    params: Params, knobs: Sequence[str], bounds: Mapping[str, tuple[float, float]] | None
) -> dict[str, tuple[float, float]]:
    """Default ranges with the user's ``bounds`` laid over them, each checked: finite,
    lower < upper, and inside the parameter schema (a trial point outside the schema is
    refused by :class:`~spinpair.params.Params`, so the range is tested at both ends)."""
    out = default_bounds(params, knobs)
    for k, lim in (bounds or {}).items():
        if k not in out:
            raise InputError("bounds", k, f"a continuous knob being optimised: {sorted(out)}")
        try:
            lo, hi = (float(x) for x in lim)
        except (TypeError, ValueError):
            raise InputError(f"bounds.{k}", lim, "two numbers (lower, upper)") from None
        if not (lo < hi) or lo != lo or hi != hi:
            raise InputError(f"bounds.{k}", [lo, hi], "finite numbers with lower < upper")
        out[k] = (lo, hi)
    for k, (lo, hi) in out.items():
        key = KNOBS[k].key
        if key is None:
            if k == "ramp_fraction" and not (0.0 <= lo and hi <= 1.0):
                raise InputError("bounds.ramp_fraction", [lo, hi], "inside [0, 1]")
            if k == "field2_gauss":
                for end in (lo, hi):
                    try:
                        params.replace({"collisions.field_gauss": end})
                    except InputError as e:
                        raise InputError(f"bounds.{k}", [lo, hi], e.allowed) from None
            continue
        if k != "temperature_k":  # the temperature is checked against the depth per point
            for end in (lo, hi):
                try:
                    params.replace({key: end})
                except InputError as e:
                    raise InputError(f"bounds.{k}", [lo, hi], e.allowed, e.detail) from None
    return out


__all__ = [
    "CONTINUOUS",
    "DEFAULT_KNOBS",
    "KNOBS",
    "Knob",
    "baseline_values",
    "check_knobs",
    "default_bounds",
    "resolve_bounds",
]
