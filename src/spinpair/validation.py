"""Strict checks of user values: the one place that decides what counts as a number.

TOML, JSON and Python all let a value pass for a number that a physicist would not write:
``true`` (bool is a subclass of int in Python), ``"22e6"`` (``float("22e6")`` succeeds),
``nan`` and ``inf``. Every parameter of :class:`spinpair.params.Params` goes through the
functions here, which accept exactly:

* a real number: ``int`` or ``float`` (and numpy's real scalars), never ``bool`` or ``str``,
  finite, inside a documented :class:`Interval`; integers are accepted where floats are
  expected and returned as ``float``;
* an integer: ``int`` (not ``bool``, not ``2.0``);
* a string among a fixed list of choices;
* tables (mappings) and arrays (lists/tuples) of the above, with their length checked.

Every failure raises :class:`~spinpair.errors.InputError` naming the (dotted) field, the
value and what is allowed.

Examples
--------
>>> real("trap.depth_hz", 22e6, Interval(1e3, 1e9), "Hz")
22000000.0
>>> real("imperfections.prep_efficiency", True, Interval(0.0, 1.0))
Traceback (most recent call last):
...
spinpair.errors.InputError: imperfections.prep_efficiency = True is invalid: ... (got a bool; ...)
"""

from __future__ import annotations

import decimal
import math
import numbers
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from .errors import InputError


def fmt(x: float) -> str:
    """A float written short (``%g``) when that is exact, else with full precision.

    Bounds in error messages are never rounded, so a rejected value can never look allowed.

    Examples
    --------
    >>> fmt(1e9), fmt(-2e-7), fmt(0.1), fmt(1 / 3)
    ('1e9', '-2e-7', '0.1', '0.3333333333333333')
    """
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    short = _tidy_exponent(f"{x:g}")
    return short if float(short) == x else repr(float(x))


def _tidy_exponent(s: str) -> str:
    """'1e+09' -> '1e9', '2e-07' -> '2e-7' (still valid Python/TOML numbers)."""
    if "e" not in s:
        return s
    mantissa, exp = s.split("e")
    return f"{mantissa}e{int(exp)}"


def fmt_down(x: float, digits: int = 6) -> str:
    """``x`` written with ``digits`` significant digits, rounded toward −∞.

    For printing an upper bound: the printed number never exceeds the true bound, so a value
    the check rejected can never look allowed.

    Examples
    --------
    >>> fmt_down(0.26552999), fmt_down(2 / 3)
    ('0.26552', '0.666666')
    """
    if not math.isfinite(x):
        return fmt(x)
    d = decimal.Context(prec=digits, rounding=decimal.ROUND_FLOOR).create_decimal(x)
    return _tidy_exponent(format(d, "g"))


@dataclass(frozen=True)
class Interval:
    """An allowed range [lo, hi] (either bound optionally open) of a real parameter.

    Examples
    --------
    >>> str(Interval(0.0, None, lo_open=True))
    '(0, inf)'
    >>> Interval(0.0, 1.0).contains(1.0)
    True
    """

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False

    def contains(self, x: float) -> bool:
        """Whether the finite number ``x`` lies inside the interval."""
        if self.lo is not None and (x < self.lo or (self.lo_open and x == self.lo)):
            return False
        return not (self.hi is not None and (x > self.hi or (self.hi_open and x == self.hi)))

    def __str__(self) -> str:
        left = "(" if self.lo_open or self.lo is None else "["
        right = ")" if self.hi_open or self.hi is None else "]"
        lo = "-inf" if self.lo is None else fmt(self.lo)
        hi = "inf" if self.hi is None else fmt(self.hi)
        return f"{left}{lo}, {hi}{right}"


ANY_REAL = Interval()


def is_real_number(value: Any) -> bool:
    """True for int, float and numpy real scalars; False for bool, str and everything else."""
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, numbers.Real)


def _type_hint(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "got a bool; write a number such as 0.5"
    if isinstance(value, str):
        return "got a string; write the number without quotes"
    return f"got {type(value).__name__}"


def real(field: str, value: Any, interval: Interval = ANY_REAL, unit: str = "") -> float:
    """``value`` as a finite float inside ``interval``; else :class:`InputError`.

    ``unit`` (for example ``"Hz"``) is appended to the allowed range in the message.
    """
    allowed = f"a real number in {interval}" + (f" {unit}" if unit else "")
    if not is_real_number(value):
        raise InputError(field, value, allowed, _type_hint(value))
    try:
        x = float(value)
    except (OverflowError, ValueError):  # an integer too large for a float
        raise InputError(field, value, allowed, "too large") from None
    if not math.isfinite(x):
        raise InputError(field, value, allowed, "not finite")
    if not interval.contains(x):
        raise InputError(field, value, allowed)
    return x


def integer(field: str, value: Any, choices: tuple[int, ...] | None = None) -> int:
    """``value`` as an int (not a bool, not a float such as 2.0), optionally among ``choices``."""
    allowed = "an integer" + (f" among {list(choices)}" if choices is not None else "")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputError(field, value, allowed, _type_hint(value))
    n = int(value)
    if choices is not None and n not in choices:
        raise InputError(field, value, allowed)
    return n


def choice(field: str, value: Any, choices: tuple[str, ...]) -> str:
    """``value`` as one of the strings ``choices``."""
    allowed = f"one of {list(choices)}"
    if not isinstance(value, str):
        raise InputError(field, value, allowed, _type_hint(value))
    if value not in choices:
        raise InputError(field, value, allowed)
    return value


def table(field: str, value: Any) -> Mapping[str, Any]:
    """``value`` as a TOML table (a mapping with string keys)."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InputError(field, value, "a TOML table", _type_hint(value))
    return value


def known_keys(prefix: str, data: Mapping[str, Any], allowed: Any) -> None:
    """Reject the first key of ``data`` not in ``allowed``, listing the allowed keys."""
    names = sorted(allowed)
    for k in data:
        if k not in names:
            name = f"{prefix}.{k}" if prefix else str(k)
            raise InputError(name, data[k], f"a key among {names}", "unknown key")


def array(field: str, value: Any, length: int | None = None) -> tuple[Any, ...]:
    """``value`` as a tuple (from a list, tuple or numpy array), optionally of ``length``."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    allowed = "an array" + (f" of {length} entries" if length is not None else "")
    if not isinstance(value, (list, tuple)):
        raise InputError(field, value, allowed, _type_hint(value))
    if length is not None and len(value) != length:
        raise InputError(field, list(value), allowed, f"got {len(value)} entries")
    return tuple(value)


def real_array(
    field: str,
    value: Any,
    interval: Interval = ANY_REAL,
    unit: str = "",
    length: int | None = None,
) -> tuple[float, ...]:
    """A tuple of finite floats inside ``interval`` (each entry named ``field[i]``)."""
    return tuple(
        real(f"{field}[{i}]", x, interval, unit) for i, x in enumerate(array(field, value, length))
    )


K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """An immutable, hashable, picklable mapping (insertion order kept).

    Used for the table-valued parameters (``collisions.populations``,
    ``scattering_lengths_bohr``) so that :class:`~spinpair.params.Params` can be hashed,
    pickled and deep-copied. It compares equal to any mapping with the same items.

    Examples
    --------
    >>> m = FrozenMap({"00": 0.4, "chi1": 0.6})
    >>> m["chi1"], m == {"chi1": 0.6, "00": 0.4}, hash(m) == hash(FrozenMap(dict(m)))
    (0.6, True, True)
    """

    __slots__ = ("_d", "_h")
    _d: dict[K, V]
    _h: int | None

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        object.__setattr__(self, "_d", dict(data or {}))
        object.__setattr__(self, "_h", None)

    def __getitem__(self, key: K) -> V:
        return self._d[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __hash__(self) -> int:
        # immutable: hashed once (parameter sets and setups are cache keys at every call)
        if self._h is None:
            object.__setattr__(self, "_h", hash(frozenset(self._d.items())))
        assert self._h is not None
        return self._h

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._d == dict(other.items())
        return NotImplemented

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (self._d,))

    def __copy__(self) -> FrozenMap[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenMap[K, V]:
        return self

    def __repr__(self) -> str:
        return f"FrozenMap({self._d!r})"


__all__ = [
    "ANY_REAL",
    "FrozenMap",
    "Interval",
    "array",
    "broadcast",
    "choice",
    "fmt",
    "fmt_down",
    "function",
    "instance",
    "integer",
    "is_real_number",
    "known_keys",
    "mapping",
    "real",
    "real_array",
    "real_values",
    "size",
    "switch",
    "table",
    "text",
]


def finite_array(name: str, x: Any) -> Any:
    """``x`` as a 1-D float array of finite numbers (a scalar becomes length 1).

    Raises :class:`~spinpair.errors.InputError` naming ``name`` for a 2-D input or a NaN or
    infinite entry.

    >>> finite_array("tau_s", 1e-6)
    array([1.e-06])
    """
    a = np.atleast_1d(_float_array(name, x))
    if a.ndim != 1:
        raise InputError(name, a.shape, "a scalar or a 1-D list of numbers")
    bad = ~np.isfinite(a)
    if np.any(bad):
        raise InputError(name, float(a[bad][0]), "finite numbers")
    return a


def _float_array(name: str, x: Any) -> NDArray[np.float64]:
    """``x`` as a float array of any shape; InputError for what numpy cannot read as real
    numbers (strings, None, objects, complex values, ragged lists)."""
    allowed = "real numbers (a number, a list or an array)"
    if isinstance(x, (str, bytes, Mapping)) or x is None:
        raise InputError(name, x, allowed, _type_hint(x))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            a = np.asarray(x, dtype=float)
    except (TypeError, ValueError, OverflowError, np.exceptions.ComplexWarning):
        raise InputError(name, _short(x), allowed) from None
    if np.iscomplexobj(x):
        raise InputError(name, _short(x), allowed, "got complex numbers")
    return a


def _short(x: Any) -> Any:
    """``x`` for a message: an array or a long list by its shape."""
    if isinstance(x, np.ndarray):
        return f"array of shape {list(x.shape)} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)) and len(x) > 6:
        return f"{type(x).__name__} of {len(x)} entries"
    return x


def real_values(
    name: str, x: Any, interval: Interval = ANY_REAL, unit: str = "", *, ndim: int | None = None
) -> NDArray[np.float64]:
    """``x`` (a number or an array of any shape, or of ``ndim`` dimensions) as a float
    array of finite numbers inside ``interval``; else :class:`InputError` naming ``name``.

    Examples
    --------
    >>> real_values("field_gauss", [0.5, 1.0], Interval(0.0, None), "G")
    array([0.5, 1. ])
    >>> real_values("field_gauss", [0.5, -1.0], Interval(0.0, None), "G")
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: field_gauss = -1.0 is invalid: allowed finite numbers in [0, inf) G
    """
    a = _float_array(name, x)
    if ndim is not None and a.ndim != ndim:
        raise InputError(name, _short(x), f"{ndim}-D real numbers", f"got {a.ndim}-D")
    allowed = f"finite numbers in {interval}" + (f" {unit}" if unit else "")
    bad = ~np.isfinite(a)
    if not bad.any():
        lo, hi = interval.lo, interval.hi
        if lo is not None:
            bad |= (a < lo) if not interval.lo_open else (a <= lo)
        if hi is not None:
            bad |= (a > hi) if not interval.hi_open else (a >= hi)
    if bad.any():
        raise InputError(name, float(a[bad].ravel()[0]), allowed)
    return a


def broadcast(**arrays: NDArray[Any]) -> tuple[NDArray[Any], ...]:
    """The arrays broadcast to one shape, or :class:`InputError` naming the second one whose
    shape does not fit the others.

    Examples
    --------
    >>> [a.shape for a in broadcast(m=np.zeros(3), field_gauss=np.zeros(1))]
    [(3,), (3,)]
    """
    names = list(arrays)
    for i in range(1, len(names)):
        try:
            np.broadcast_shapes(*(np.shape(arrays[n]) for n in names[: i + 1]))
        except ValueError:
            shapes = {n: list(np.shape(arrays[n])) for n in names[: i + 1]}
            raise InputError(
                names[i], list(np.shape(arrays[names[i]])), f"a shape that broadcasts with {shapes}"
            ) from None
    return tuple(np.broadcast_arrays(*arrays.values()))


def size(name: str, value: Any, lo: int = 0, hi: int | None = None) -> int:
    """``value`` as an int (not a bool or a float) in [lo, hi]; else :class:`InputError`.

    For counts and sizes (points, runs, f): ``hi`` keeps a typo such as 10**30 from
    asking for more memory than the machine has.

    Examples
    --------
    >>> size("points", 101, 2, 10**6)
    101
    """
    allowed = f"an integer in [{lo}, {'inf' if hi is None else hi}]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InputError(name, _short(value), allowed, _type_hint(value))
    n = int(value)
    if n < lo or (hi is not None and n > hi):
        raise InputError(name, n, allowed)
    return n


def switch(name: str, value: Any) -> bool:
    """``value`` as a bool (True or False, numpy's too); else :class:`InputError`.

    >>> switch("check", False)
    False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(name, _short(value), "True or False", _type_hint(value))
    return bool(value)


def text(name: str, value: Any, choices: tuple[str, ...] | None = None) -> str:
    """``value`` as a string (among ``choices`` when given); else :class:`InputError`.

    >>> text("method", "wilson", ("wilson", "clopper-pearson"))
    'wilson'
    """
    if choices is not None:
        return choice(name, value, choices)
    if not isinstance(value, str):
        raise InputError(name, _short(value), "a string", _type_hint(value))
    return value


def instance(name: str, value: Any, kind: type | tuple[type, ...], what: str = "") -> Any:
    """``value`` if it is an instance of ``kind``; else :class:`InputError` naming what was
    expected (``what``, or the class names).

    >>> instance("weights", {"a": 1.0}, dict)
    {'a': 1.0}
    """
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        allowed = what or " or ".join(f"a {k.__name__}" for k in kinds)
        raise InputError(name, _short(value), allowed, f"got {type(value).__name__}")
    return value


def mapping(name: str, value: Any) -> Mapping[Any, Any]:
    """``value`` if it is a mapping (a dict); else :class:`InputError`."""
    return instance(name, value, Mapping, "a mapping (a dict)")


def function(name: str, value: Any) -> Any:
    """``value`` if it can be called; else :class:`InputError`."""
    if not callable(value):
        raise InputError(name, _short(value), "a function", f"got {type(value).__name__}")
    return value
