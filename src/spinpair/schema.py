"""The parameter schema: each parameter declared once, with its default, unit, allowed
range, status and meaning, from which validation, docs, TOML comments and CLI limits come.

A parameter table (:class:`~spinpair.params.TrapParams`, ``CollisionParams``,
``RamanParams``, :class:`~spinpair.imperfections.Imperfections`) is a frozen dataclass
whose fields are declared with :func:`param`; the :class:`Spec` in each field's metadata
is the one place that says what the field may hold. :class:`Table` validates every field
from its :class:`Spec` in one loop (``__post_init__``), raising
:class:`~spinpair.errors.InputError` that names the dotted key (``collisions.field_gauss``),
the value and the allowed range with its unit; a table adds the rules that are not ranges
(a sum of populations, a row-stochastic matrix) in its ``_check`` hook, and the rules that
tie tables together live in :meth:`spinpair.params.Params._check_consistency`.

The design follows Pulser's ``NoiseModel`` (a frozen dataclass that validates groups of
fields in one place), with the ranges moved into the field declarations so that nothing
else repeats them: the docs table (:func:`markdown_table`), the comments of
``spinpair params --show`` (``PARAM_DOCS``) and the command-line options that set a
parameter (:func:`spinpair.cli.common.add_param_option`) all read the :class:`Spec`.

Examples
--------
>>> import dataclasses
>>> @dataclasses.dataclass(frozen=True)
... class Hold(Table):
...     TABLE = "hold"
...     time_s: float = param(0.1, unit="s", range=Interval(0.0, 1e3), doc="hold time")
>>> Hold(2.0).time_s
2.0
>>> Hold(-1.0)
Traceback (most recent call last):
...
spinpair.errors.InputError: hold.time_s = -1.0 is invalid: allowed a real number in [0, 1000] s
>>> specs(Hold)["hold.time_s"].allowed
'a real number in [0, 1000] s'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from .status import STATUSES
from .validation import Interval, choice, real, real_array

#: Metadata key under which a field's :class:`Spec` is stored.
SPEC = "spinpair.spec"

#: How a field is checked: one real number, a string among ``choices``, an array of reals
#: (``length`` entries, or any number), or by the table's own ``_check`` (``custom``:
#: tables of populations, the detection matrix; the :class:`Spec` still documents it).
Kind = Literal["real", "choice", "reals", "custom"]


@dataclass(frozen=True)
class Spec:
    """What one parameter may hold, and what it means.

    ``unit`` is the SI unit symbol (``"Hz"``, ``"K"``, ``"G"`` …; ``""`` for a number
    without unit), ``range`` the allowed :class:`~spinpair.validation.Interval` (for
    ``kind`` ``"reals"`` and ``"custom"``: of each entry), ``choices`` the allowed strings,
    ``length`` the number of entries of an array (None: any), ``optional`` whether None
    (absent) is allowed, ``reason`` the physical reason for the range, ``note`` a rule
    beyond the range (shown in the docs and the TOML comment), ``status`` the provenance
    of the default (:data:`spinpair.provenance.STATUSES`), ``options`` the ``spinpair``
    options that set it. ``key`` is the dotted key, filled in by :func:`specs`.
    """

    kind: Kind = "real"
    unit: str = ""
    range: Interval | None = None
    choices: tuple[str, ...] = ()
    length: int | None = None
    optional: bool = False
    doc: str = ""
    reason: str = ""
    note: str = ""
    status: str | None = None
    options: tuple[str, ...] = ()
    default: Any = None
    key: str = ""

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")
        if self.kind in ("real", "reals") and self.range is None:
            raise ValueError("a real parameter needs a range")
        if self.kind == "choice" and not self.choices:
            raise ValueError("a choice parameter needs choices")

    @property
    def range_text(self) -> str:
        """The allowed values in words: ``[0, 1e4] G``, ``one of ['fixed', 'computed']``."""
        if self.kind == "choice":
            return f"one of {list(self.choices)}"
        if self.range is None:
            return ""
        return f"{self.range}" + (f" {self.unit}" if self.unit else "")

    @property
    def allowed(self) -> str:
        """The ``allowed`` part of the error message for this parameter (the same for a
        parameter file, a Python constructor and a command-line option)."""
        if self.kind == "choice":
            return self.range_text
        each = " each" if self.kind in ("reals", "custom") else ""
        return f"a real number{each} in {self.range_text}"

    def check(self, value: Any, name: str | None = None) -> Any:
        """``value`` validated and normalised (ints to floats, lists to tuples); else
        :class:`InputError` naming ``name`` (default: the dotted key).

        Examples
        --------
        >>> Spec(unit="G", range=Interval(0.0, 1e4), key="collisions.field_gauss").check(1)
        1.0
        """
        name = name or self.key
        if self.optional and value is None:
            return None
        if self.kind == "choice":
            return choice(name, value, self.choices)
        assert self.range is not None
        if self.kind == "reals":
            return real_array(name, value, self.range, self.unit, self.length)
        if self.kind == "real":
            return real(name, value, self.range, self.unit)
        return value  # custom: the table's _check validates it

    def check_entry(self, value: Any, name: str) -> float:
        """One entry of a table- or matrix-valued parameter (``kind`` ``"custom"``) as a
        real number in ``range``, named ``name`` (``collisions.populations.chi1``)."""
        assert self.range is not None
        return real(name, value, self.range, self.unit)

    def help(self) -> str:
        """One line for ``--help`` and TOML comments: meaning, unit, range, rule."""
        unit = f" [{self.unit or '1'}]" if self.range is not None else ""
        each = " each" if self.kind in ("reals", "custom") else ""
        rng = f"{each} in {self.range}" if self.range is not None else ""
        if self.kind == "choice":
            unit, rng = "", ": " + " | ".join(self.choices)
        note = f", {self.note}" if self.note else ""
        return f"{self.doc}{unit}{rng}{note}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description (``spinpair params --json``, key ``schema``)."""
        out: dict[str, Any] = {"unit": self.unit, "doc": self.doc, "kind": self.kind}
        if self.range is not None:
            r = self.range
            out["range"] = {"lo": r.lo, "hi": r.hi, "lo_open": r.lo_open, "hi_open": r.hi_open}
        if self.choices:
            out["choices"] = list(self.choices)
        if self.status:
            out["status"] = self.status
        if self.note:
            out["note"] = self.note
        if self.options:
            out["options"] = list(self.options)
        return out


def param(
    default: Any = dataclasses.MISSING,
    *,
    default_factory: Callable[[], Any] | None = None,
    **spec: Any,
) -> Any:
    """A dataclass field whose metadata holds its :class:`Spec` (keywords of ``Spec``).

    Examples
    --------
    >>> f = param(0.5, unit="G", range=Interval(0.0, 1e4), doc="bias field")
    >>> f.metadata[SPEC].unit, f.default
    ('G', 0.5)
    """
    if default_factory is not None:
        s = Spec(default=default_factory(), **spec)
        return dataclasses.field(default_factory=default_factory, metadata={SPEC: s})
    s = Spec(default=default, **spec)
    return dataclasses.field(default=default, metadata={SPEC: s})


class Table:
    """Base of the parameter tables: validates every declared field from its :class:`Spec`.

    A subclass sets ``TABLE`` (the TOML table name, the prefix of its dotted keys), declares
    its fields with :func:`param` and may add rules that are not ranges in ``_check``
    (called after the loop, with the fields already normalised).
    """

    TABLE: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            spec = f.metadata.get(SPEC)
            if spec is not None:
                value = spec.check(getattr(self, f.name), f"{self.TABLE}.{f.name}")
                object.__setattr__(self, f.name, value)
        self._check()

    def _check(self) -> None:
        """Rules of this table that are not ranges (override)."""


def specs(cls: type, prefix: str | None = None) -> dict[str, Spec]:
    """The :class:`Spec` of every declared field of a table class, by dotted key.

    Examples
    --------
    >>> from spinpair.params import RamanParams
    >>> list(specs(RamanParams))
    ['raman.rabi_frequency_hz', 'raman.detuning_hz', 'raman.field_gauss']
    """
    table = getattr(cls, "TABLE", "") if prefix is None else prefix
    out = {}
    for f in dataclasses.fields(cls):
        spec = f.metadata.get(SPEC)
        if spec is not None:
            key = f"{table}.{f.name}" if table else f.name
            out[key] = dataclasses.replace(spec, key=key)
    return out


def markdown_table(schema: dict[str, Spec]) -> str:
    """The docs table of the parameters (key, default, unit, allowed, status, meaning).

    Generated into ``docs/reference/params.md`` by ``docs/scripts/params_table.py``; a test
    checks that the file holds exactly this text.
    """
    rows = [
        "| key | default | unit | allowed | status | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for key, s in schema.items():
        allowed = s.range_text.removesuffix(f" {s.unit}") if s.unit else s.range_text
        if s.kind in ("reals", "custom") and s.range is not None:
            allowed = f"each in {allowed}"
        allowed = "; ".join(x for x in (allowed, s.note) if x)
        meaning = s.doc + (f" ({s.reason})" if s.reason else "")
        cells = [
            f"`{key}`",
            _cell(_default_text(s.default)),
            s.unit or ("1" if s.range is not None else ""),
            _cell(allowed),
            s.status or "",
            _cell(meaning),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (no column break, no HTML tag)."""
    return text.replace("|", "\\|").replace("<", "&lt;")


def field_spec(cls: type, name: str) -> Spec:
    """The :class:`Spec` of field ``name`` of a table class (with its dotted key)."""
    return specs(cls)[f"{getattr(cls, 'TABLE', '')}.{name}"]


def _default_text(value: Any) -> str:
    from .validation import fmt

    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return fmt(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list) and not value:
        return "[]"
    if isinstance(value, dict) or hasattr(value, "items"):
        return "{" + ", ".join(f"{k} = {_default_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_default_text(v) for v in value) + "]"
    return str(value)


#: Markers around the generated table in ``docs/reference/params.md``.
DOC_BEGIN = "<!-- parameter table: generated by docs/scripts/params_table.py; do not edit -->"
DOC_END = "<!-- end of parameter table -->"


def replace_generated(text: str, table: str) -> str:
    """``text`` with the part between :data:`DOC_BEGIN` and :data:`DOC_END` replaced."""
    head, sep, rest = text.partition(DOC_BEGIN)
    if not sep:
        raise ValueError("no generated-table marker in the page")
    _, sep2, tail = rest.partition(DOC_END)
    if not sep2:
        raise ValueError("no end marker of the generated table")
    return f"{head}{DOC_BEGIN}\n\n{table}\n{DOC_END}{tail}"


__all__ = [
    "DOC_BEGIN",
    "DOC_END",
    "SPEC",
    "Spec",
    "Table",
    "field_spec",
    "markdown_table",
    "param",
    "replace_generated",
    "specs",
]
