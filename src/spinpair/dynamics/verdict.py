"""The verdict of a collision model's regime check: :class:`Regime` (``ok`` | ``warn`` |
``refuse`` with reasons and numbers), what a refusal raises (:class:`RegimeError`) and warns
(:class:`RegimeWarning`), and :func:`enforce`, which acts on a verdict. The checks
themselves are in :mod:`spinpair.dynamics.regime` (one per model, named in the registry
:data:`spinpair.dynamics.models.MODELS`); this module is what both of them share.

Examples
--------
>>> r = Regime("relaxation", "warn", ("collisions are 2 % of a trap period",), {}, "ergodic")
>>> r.message()
'relaxation model: warn: collisions are 2 % of a trap period; use the ergodic model instead'
>>> enforce(Regime("ergodic", "ok"))
[]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

STATUSES = ("ok", "warn", "refuse")


class RegimeWarning(UserWarning):
    """A model runs where one of its assumptions is stretched (status ``warn``)."""


class RegimeError(InputError):
    """A model was asked for numbers outside its regime (status ``refuse``)."""

    def __init__(self, regime: Regime) -> None:
        super().__init__(
            "collisions.model",
            regime.model,
            "a model inside its regime of validity at these parameters",
            regime.message(),
        )
        self.regime = regime


@dataclass(frozen=True)
class Regime:
    """The verdict of a model's regime check: ``status`` (``ok`` | ``warn`` | ``refuse``),
    ``reasons`` (one sentence per stretched assumption, with its numbers), ``numbers``
    (the checked quantities), ``alternative`` (a model to use instead, or None)."""

    model: str
    status: str
    reasons: tuple[str, ...] = ()
    numbers: dict[str, float] = field(default_factory=dict)
    alternative: str | None = None

    def message(self) -> str:
        """One line: status, reasons and the alternative."""
        text = f"{self.model} model: {self.status}"
        if self.reasons:
            text += ": " + "; ".join(self.reasons)
        if self.alternative and self.status != "ok":
            text += f"; use the {self.alternative} model instead"
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``model``, ``status``, ``reasons``, ``numbers``, ``alternative``."""
        return {
            "model": self.model,
            "status": self.status,
            "reasons": list(self.reasons),
            "numbers": {k: float(v) for k, v in self.numbers.items()},
            "alternative": self.alternative,
        }


def _grade(value: float, ok: float, refuse: float | None) -> str:
    if value <= ok:
        return "ok"
    if refuse is not None and value > refuse:
        return "refuse"
    return "warn"


def _worst(*statuses: str) -> str:
    return max(statuses, key=STATUSES.index) if statuses else "ok"


#: What :func:`enforce` accepts for ``outside_regime``.
OUTSIDE_REGIME = ("raise", "warn", "ignore")


def enforce(regime: Regime, outside_regime: str = "raise") -> list[str]:
    """Act on a regime: ``"raise"`` a :class:`RegimeError` on refusal and warn
    (:class:`RegimeWarning`) on ``warn``; ``"warn"``: warn on both; ``"ignore"``: neither.
    Returns the warning texts (empty when ok)."""
    if outside_regime not in OUTSIDE_REGIME:
        raise InputError("outside_regime", outside_regime, f"one of {list(OUTSIDE_REGIME)}")
    if regime.status == "ok":
        return []
    if regime.status == "refuse" and outside_regime == "raise":
        raise RegimeError(regime)
    text = regime.message()
    if outside_regime != "ignore":
        warnings.warn(text, RegimeWarning, stacklevel=3)
    return [text]


__all__ = ["OUTSIDE_REGIME", "STATUSES", "Regime", "RegimeError", "RegimeWarning", "enforce"]
