"""The identifiability verdict of the collision-model calibration
(:mod:`spinpair.analysis.calibrate`): the words for each profile, the verdict over all
minima and profiles, and the status (docs/cli.md vocabulary) of the fitted values, never above
the weakest fixed input they rest on.

Examples
--------
>>> weakest_status(["calibrated", "paper", "placeholder"])
'placeholder'
>>> import numpy as np
>>> u = np.linspace(-1.0, 1.0, 21)
>>> profile_status(u, 50 * u**2)
'identified'
>>> profile_status(u, 0.1 * u**2)
'flat'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from ..dynamics.setup import CollisionSetup
from ..errors import InputError
from ..provenance import STATUSES, weakest
from .calibrate_objective import LEVEL_68, MINIMA_WINDOW
from .calibrate_result import Minimum, Profile
from .gridsearch import BARRIER_DNLL

#: Statuses, strongest first: the one list of :mod:`spinpair.provenance`.
STATUS_ORDER: tuple[str, ...] = STATUSES


def weakest_status(statuses: Sequence[str]) -> str:
    """The weakest of ``statuses`` (:func:`spinpair.provenance.weakest`)."""
    return weakest(statuses)


def rests_on_statuses(
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
        out[k] = weakest_status([out[k], v]) if k in out else v
    return out


def profile_status(u: NDArray[np.float64], delta: NDArray[np.float64]) -> str:
    """Words for one profile (internal coordinates ``u``, Δnll ``delta``): ``flat`` when
    one connected Δnll < ½ region spans more than a quarter of the limits or both ends,
    or Δnll < 2 holds over more than half of the limits,
    ``bounded on one side only`` when it reaches one limit, ``several separated values``
    when Δnll < 2 splits into separate regions, else ``identified`` (then checked against
    the minima by :func:`with_minima`)."""
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


def with_minima(status: str, name: str, minima: Sequence[Minimum]) -> str:
    """A profile that looks identified is not, if the reported minima disagree on the
    parameter beyond their intervals or an interval is missing."""
    if status != "identified":
        return status
    ivs = [m.intervals[name] for m in minima]
    if any(iv is None for iv in ivs):
        return "no valid interval"
    lo, hi = max(iv[0] for iv in ivs), min(iv[1] for iv in ivs)  # type: ignore[index]
    return "several separated values" if lo > hi else "identified"


def identifiability_verdict(
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


__all__ = [
    "STATUS_ORDER",
    "identifiability_verdict",
    "profile_status",
    "rests_on_statuses",
    "weakest_status",
    "with_minima",
]
