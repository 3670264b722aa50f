"""The status vocabulary: one ordered list, strongest first, and the rule that a number's
status is the weakest of what it rests on (docs/cli.md; the table is in
:mod:`spinpair.provenance`, which builds on this module).

It stands at the bottom of the package (it imports nothing of spinpair but the error
class), so that the parameter schema can name statuses without importing provenance.

Examples
--------
>>> weakest(["paper", "computed", "setting"])
'setting'
>>> rank("paper") < rank("placeholder")
True
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import InputError

#: The statuses, strongest first.
STATUSES: tuple[str, ...] = (
    "paper",
    "measured",
    "computed",
    "setting",
    "calibrated",
    "tuned",
    "illustrative",
    "placeholder",
)

#: What each status means (the report prints this legend; docs/cli.md quotes it).
STATUS_MEANING: dict[str, str] = {
    "paper": "quoted in the paper (Ruksasakchai et al. 2026)",
    "measured": "measured elsewhere, with the source named",
    "computed": "computed by spinpair by a validated method from values of status paper, "
    "measured or setting only (the coupled-channel a_F and S-matrix rates: from published "
    "Rb2 potentials fitted to measured spectra, nothing fitted to the paper)",
    "setting": "an exact choice of the user or of the package (model, grid, seed, switch, "
    "a time the paper does not give), not a physical measurement",
    "calibrated": "fitted by spinpair to data, with the model named",
    "tuned": "chosen to reproduce a number of the paper: agreement with that number is by "
    "construction, not a prediction",
    "illustrative": "not in the paper: a plausible value chosen to make curves like the "
    "paper's, or a number computed from such values",
    "placeholder": "unknown: a stand-in value without a source; results depending on it are "
    "not predictions",
}

#: Statuses below which a result is no prediction: a warning names each such input.
WARN_AT = ("tuned", "illustrative", "placeholder")
_SHORT = {
    "tuned": "chosen to reproduce a paper number, so agreement with it is by construction",
    "illustrative": "a plausible value, not from the paper or a measurement",
    "placeholder": "a stand-in without a source: the result is not a prediction",
}


def check_status(status: str) -> str:
    """``status`` if it is one of :data:`STATUSES`; :class:`InputError` otherwise."""
    if status not in STATUSES:
        raise InputError("status", status, f"one of {list(STATUSES)}")
    return status


def rank(status: str) -> int:
    """Position of ``status`` in :data:`STATUSES` (0 = strongest)."""
    return STATUSES.index(check_status(status))


def weakest(statuses: Iterable[str]) -> str:
    """The weakest of ``statuses`` (``"setting"`` for none: a number that rests on
    nothing but choices is an exact setting).

    >>> weakest(["computed", "tuned"]), weakest([])
    ('tuned', 'setting')
    """
    found = [check_status(s) for s in statuses]
    return max(found, key=STATUSES.index) if found else "setting"


__all__ = [
    "STATUSES",
    "STATUS_MEANING",
    "WARN_AT",
    "check_status",
    "rank",
    "weakest",
]
