"""The one MINOS wrapper of spinpair, with one failure policy: an interval end MINOS does
not find is reported as unavailable (None) with the reason, never raised.

Both likelihood fits use it: the fidelity fit (:mod:`spinpair.analysis.likelihood`, where
F ∈ [0, 1] is a physical boundary, so an end at the limit *is* the limit) and the
collision-model calibration (:mod:`spinpair.analysis.calibrate`, where the limits are a
search box, so an end at the limit is unavailable). ``at_limit`` says which.

Reasons (``notes`` per end, joined in ``note``): ``"MIGRAD did not converge: MINOS not
run"``, ``"MINOS failed: <iminuit's message>"``, ``"<side> end at parameter limit"``,
``"MINOS failed: found a lower minimum on the <side> side"``, ``"MINOS failed: <side> end
not found (call limit)"``, ``"MINOS failed: <side> end not found"``.

Examples
--------
>>> from iminuit import Minuit
>>> m = Minuit(lambda x: (x - 1.0) ** 2, x=0.0)
>>> m.errordef = Minuit.LEAST_SQUARES
>>> _ = m.migrad()
>>> iv = minos_interval(m, "x")
>>> [round(v, 6) for v in iv.interval], iv.note
([0.0, 2.0], 'valid')
>>> m.limits["x"] = (0.5, 1.5)
>>> _ = m.migrad()
>>> minos_interval(m, "x").note
'lower end at parameter limit; upper end at parameter limit'
>>> minos_interval(m, "x", at_limit="limit").interval
(0.5, 1.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

#: How an end at a parameter limit is reported: ``"unavailable"`` (the limits are a search
#: box: None with the reason) or ``"limit"`` (a physical boundary: the limit itself).
AT_LIMIT = ("unavailable", "limit")


@dataclass(frozen=True)
class MinosInterval:
    """Ends of one MINOS interval in Minuit's parameter coordinates (None where
    unavailable) and why.

    ``notes``: per end (``"lower"``, ``"upper"``), ``"valid"``, ``"at limit"`` (only with
    ``at_limit="limit"``: the end is the limit) or the reason it is unavailable."""

    lower: float | None
    upper: float | None
    notes: dict[str, str]

    @property
    def valid(self) -> bool:
        """Both ends found (an end at a physical limit counts as found)."""
        return self.lower is not None and self.upper is not None

    @property
    def interval(self) -> tuple[float, float] | None:
        """(lower, upper), or None unless both ends were found."""
        if self.lower is None or self.upper is None:
            return None
        return (self.lower, self.upper)

    @property
    def note(self) -> str:
        """``"valid"``, or the reasons of the unavailable ends joined by ``"; "``."""
        bad = [v for v in self.notes.values() if v not in ("valid", "at limit")]
        return "; ".join(dict.fromkeys(bad)) if bad else "valid"


def _unavailable(reason: str) -> MinosInterval:
    return MinosInterval(None, None, {"lower": reason, "upper": reason})


def minos_interval(
    m: Any,
    name: str,
    *,
    cl: float | None = None,
    ncall: int | None = None,
    at_limit: str = "unavailable",
) -> MinosInterval:
    """Run MINOS on parameter ``name`` of the ``iminuit.Minuit`` object ``m`` (after MIGRAD)
    and return both ends, None where unavailable, with the reasons.

    ``cl``: confidence level (None: iminuit's default, 68.3 % for one parameter; 0.9 gives
    the ends of the 90 % interval, whose lower end is a one-sided 95 % bound); ``ncall``:
    call limit per end; ``at_limit``: see :data:`AT_LIMIT`. Never raises for a failed
    MINOS: every failure is a reason.
    """
    if at_limit not in AT_LIMIT:
        raise InputError("at_limit", at_limit, f"one of {list(AT_LIMIT)}")
    if not m.valid:
        return _unavailable("MIGRAD did not converge: MINOS not run")
    try:
        m.minos(name, cl=cl, ncall=ncall)
    except (RuntimeError, ValueError) as e:  # iminuit refuses (e.g. an invalid minimum)
        return _unavailable(f"MINOS failed: {e}")
    me = m.merrors[name]
    x = float(m.values[name])
    lo_lim, hi_lim = (float(v) for v in m.limits[name])
    span = hi_lim - lo_lim if math.isfinite(hi_lim - lo_lim) else math.inf
    ends: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for side, d, valid, at_lim, new_min, max_fcn, bound in (
        (
            "lower",
            me.lower,
            me.lower_valid,
            me.at_lower_limit,
            me.lower_new_min,
            me.at_lower_max_fcn,
            lo_lim,
        ),
        (
            "upper",
            me.upper,
            me.upper_valid,
            me.at_upper_limit,
            me.upper_new_min,
            me.at_upper_max_fcn,
            hi_lim,
        ),
    ):
        end = x + float(d)
        if at_lim or (math.isfinite(bound) and abs(end - bound) < 1e-6 * span):
            if at_limit == "limit":
                ends[side], notes[side] = bound, "at limit"
            else:
                ends[side], notes[side] = None, f"{side} end at parameter limit"
        elif new_min:
            notes[side] = f"MINOS failed: found a lower minimum on the {side} side"
            ends[side] = None
        elif max_fcn:
            ends[side], notes[side] = None, f"MINOS failed: {side} end not found (call limit)"
        elif not valid:
            ends[side], notes[side] = None, f"MINOS failed: {side} end not found"
        else:
            ends[side], notes[side] = end, "valid"
    return MinosInterval(ends["lower"], ends["upper"], notes)


__all__ = ["AT_LIMIT", "MinosInterval", "minos_interval"]
