"""Errors raised for bad input.

Every check on user input raises :class:`InputError`, which names the offending field,
the value received and the allowed range. The command line turns it into exit code 2.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


class InputError(ValueError):
    """Bad user input: names the field, the value and what is allowed.

    Examples
    --------
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
    """Return ``value`` as a float, or raise :class:`InputError` if it is not a finite number.

    Types are strict: a bool or a string is not a number (``true`` and ``"22e6"`` in a
    parameter file are rejected, not read as 1 and 2.2e7).
    """
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise InputError(field, value, "a finite real number (not a bool or a string)")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "a finite real number") from None
    if not math.isfinite(x):
        raise InputError(field, value, "a finite real number")
    return x


def format_bound(bound: float, value: float | None = None) -> str:
    """``bound`` printed with as few significant digits (at least 3) as keep the comparison
    with ``value`` visible: a rejected value never looks allowed because of rounding.

    Examples
    --------
    >>> format_bound(0.26548245743669, 0.26552)
    '0.265'
    >>> format_bound(1.0, 1.5)
    '1'
    """
    b = float(bound)
    if not math.isfinite(b):
        return "inf" if b > 0 else "-inf" if b < 0 else "nan"
    for digits in range(3, 18):
        s = f"{b:.{digits}g}"
        shown = float(s)
        if value is None or not math.isfinite(value):
            if shown == b or digits >= 6:
                return s
            continue
        if value == b:
            if shown == b:
                return s
            continue
        if shown != value and (shown > value) == (b > value):
            return s
    return repr(b)


def check_range(
    field: str,
    value: Any,
    lo: float | None = None,
    hi: float | None = None,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    unit: str = "",
) -> float:
    """Check that ``value`` is finite and inside [lo, hi] (bounds optionally open).

    The bounds in the message carry enough digits to show why the value is rejected
    (``0.26552 is invalid: allowed [0, 0.265]``, never ``[0, 0.266]``).

    Examples
    --------
    >>> check_range("prep_efficiency", 0.93, 0.0, 1.0)
    0.93
    >>> check_range("x", 0.26552, 0.0, 0.26548245743669)
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: x = 0.26552 is invalid: allowed [0, 0.265]
    """
    x = check_finite(field, value)
    left = "(" if lo_open else "["
    right = ")" if hi_open else "]"
    lo_s = "-inf" if lo is None else format_bound(lo, x)
    hi_s = "inf" if hi is None else format_bound(hi, x)
    allowed = f"{left}{lo_s}, {hi_s}{right}" + (f" ({unit})" if unit else "")
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
