"""Errors raised for bad input.

Every check on user input raises :class:`InputError`, which names the offending field,
the value received and the allowed range. The command line turns it into exit code 2.
"""

from __future__ import annotations

import math
from typing import Any


class InputError(ValueError):
    """Bad user input: names the field, the value and what is allowed.

    Example
    -------
    >>> err = InputError("field_gauss", -1.0, ">= 0")
    >>> str(err)
    'field_gauss = -1.0 is invalid: allowed >= 0'
    """

    def __init__(self, field: str, value: Any, allowed: str, detail: str = "") -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.detail = detail
        msg = f"{field} = {value!r} is invalid: allowed {allowed}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


def check_finite(field: str, value: Any) -> float:
    """Return ``value`` as a float, or raise :class:`InputError` if it is not a finite number."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "a finite real number") from None
    if not math.isfinite(x):
        raise InputError(field, value, "a finite real number")
    return x


def check_range(
    field: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Check that ``value`` is finite and inside [lo, hi] (bounds optionally open).

    Example
    -------
    >>> check_range("prep_efficiency", 0.93, 0.0, 1.0)
    0.93
    """
    x = check_finite(field, value)
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    allowed = f"{left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"
    if lo is not None and (x < lo or (lo_open and x == lo)):
        raise InputError(field, value, allowed)
    if hi is not None and (x > hi or (hi_open and x == hi)):
        raise InputError(field, value, allowed)
    return x


def check_probability(field: str, value: Any) -> float:
    """Check that ``value`` is a probability in [0, 1]."""
    return check_range(field, value, 0.0, 1.0)


class UsageError(InputError):
    """Malformed command line (unknown option, missing argument, wrong type)."""

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, message)
        self.field = "arguments"
        self.value = None
        self.allowed = "see --help"
        self.detail = message
