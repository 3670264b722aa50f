"""Result objects of the collision-model calibration (:mod:`spinpair.analysis.calibrate`):
one :class:`Minimum` per local minimum, one :class:`Profile` per free parameter, and the
:class:`CalibrationResult` that holds them with the verdict.

Examples
--------
>>> import numpy as np
>>> p = Profile("a0", np.array([-500.0, -450.0]), np.array([0.0, 1.0]), "identified")
>>> p.as_dict()["delta_nll"]
[0.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..dynamics.setup import CollisionSetup


def _num(x: float) -> float | None:
    """A JSON-ready float: None for NaN or ±inf."""
    x = float(x)
    return x if math.isfinite(x) else None


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


__all__ = ["CalibrationResult", "Minimum", "Profile"]
