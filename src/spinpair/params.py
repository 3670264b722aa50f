"""The full parameter set, its validation, and the TOML file format of ``docs/cli.md``.

A TOML file maps 1:1 onto :class:`Params`; missing keys take the paper's defaults
(paper, main text and appendix; see ``PAPER_DEFAULTS_NOTE``). Unknown keys, wrong types and
out-of-range values raise :class:`~spinpair.errors.InputError` naming the dotted key (for
example ``imperfections.prep_efficiency``), the value and the allowed type and range.

Design: plain frozen dataclasses holding only floats, ints, strings, tuples and
:class:`~spinpair.validation.FrozenMap` (an immutable mapping), so that a ``Params`` is
hashable, compares by value, and pickles and deep-copies (to Dask, joblib or
multiprocessing workers) with no custom code. We chose this over pydantic v2 because
(1) the rest of the package already builds and edits these objects with the standard
``dataclasses.replace``/``fields``; (2) every check must raise our own ``InputError`` with a
dotted name and a physical range, which pydantic would need a translation layer for;
(3) pydantic's "strict" mode still differs from the contract (it has no notion of our
cross-field physical rules) and would add a compiled dependency for ~100 lines of checks.
Strict typing lives in :mod:`spinpair.validation`. Each field is declared once, with its
default, unit, allowed range, status and meaning, by :func:`spinpair.schema.param` in its
table class (:class:`~spinpair.trap.TrapParams`, :class:`CollisionParams`,
:class:`RamanParams`, :class:`~spinpair.imperfections.Imperfections`); one loop
(:class:`spinpair.schema.Table`) validates them, and :data:`SCHEMA` collects them by dotted
key. The docs' parameter table, the comments of ``spinpair params --show``
(:data:`PARAM_DOCS`) and the limits and help of the command-line options that set a
parameter (``--field``, ``--temperature`` …) are generated from :data:`SCHEMA`; the
table of every key, default, unit, range and status is in the parameter reference of the
docs (``docs/reference/params.md``). The rules that tie fields together live in one place,
:meth:`Params._check_consistency`.

Rules across fields (:meth:`Params._check_consistency`):

* k_B T ≤ U0/10 (the harmonic and thermal models need the atoms deep in the well; reason
  and numbers in :mod:`spinpair.trap`): ``temperature_k = 1.0`` in the 22 MHz trap is
  rejected, the largest allowed temperature there is 105.6 µK. U0 = h·``depth_hz`` also
  when explicit ``frequencies_hz`` are given (set ``depth_hz`` to your trap's depth);
* waist ≥ wavelength/π (Gaussian-beam model);
* ``collisions.populations`` keys are ``00``, ``chi1`` … ``chi<f>`` (in ``given`` mode);
* ``imperfections.prep_error_weights`` has 2f entries (one per m ≠ 0), or none.

Raman pulse durations are not parameters but scan settings; the rule that ties them to
``p_spont_per_pi`` (τ ≤ 1/(2·rabi_frequency_hz·p_spont_per_pi)) is documented and checked
in :mod:`spinpair.imperfections`; :attr:`Params.max_raman_duration_s` gives the bound.

Examples
--------
>>> p = Params.from_toml_string('[trap]\\ntemperature_k = 20e-6')
>>> p.trap.temperature_k, p.trap.depth_hz
(2e-05, 22000000.0)
>>> Params.from_toml_string(p.to_toml()) == p
True
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import tomlkit

from .errors import InputError
from .imperfections import (
    SPAM_ALIASES,
    Imperfections,
    detection_from_false_rates,
    raman_duration_range_s,
)
from .param_tables import (
    COLLISION_MODELS,
    COLLISION_RATES,
    DYNAMICS_MODELS,
    SCATTERING_LENGTH_SPEC,
    CollisionParams,
    RamanParams,
)
from .schema import Spec, specs
from .species import DEFAULT_F, Species, get_species
from .trap import TrapParams, check_temperature_against_depth, check_waist_against_wavelength
from .validation import FrozenMap, integer, known_keys, table

SCHEMA_VERSION = 1

PAPER_DEFAULTS_NOTE = (
    "Defaults are the paper's conditions: 85Rb f=2, tweezer h x 22 MHz deep, 1064 nm, waist "
    "1 um, T = 40 uK; hold 100 ms at 0.5 G; Raman pulses at 8.5 G; preparation efficiency "
    "0.93; chi1 prepared with probability ~0.37 (given-mode populations). The Raman Rabi "
    "frequency (156 kHz) is this package's choice (not stated in the paper)."
)

_MAX_FILE_BYTES = 1 << 20

#: The parameter tables of a file, by TOML table name.
_TABLES: dict[str, type] = {
    "trap": TrapParams,
    "collisions": CollisionParams,
    "raman": RamanParams,
    "imperfections": Imperfections,
}


def _table_from_dict(name: str, data: Any) -> Any:
    """One parameter table from its TOML table (unknown keys and bad values raise)."""
    if name == "imperfections":
        return Imperfections.from_dict(data)
    klass = _TABLES[name]
    t = dict(table(name, data))
    known_keys(name, t, [x.name for x in dataclasses.fields(klass)])
    return klass(**t)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _instance(name: str, value: Any, klass: type) -> Any:
    if not isinstance(value, klass):
        raise InputError(name, value, f"a {klass.__name__}", f"got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Params:
    """Everything a simulation needs, validated; maps 1:1 onto the TOML file of ``docs/cli.md``.

    The top-level keys of a parameter file (species and hyperfine manifold) and its tables,
    each a frozen dataclass of its own. Every field defaults to the paper's conditions
    (``PAPER_DEFAULTS_NOTE``); construction checks each value and the rules that tie
    fields together (listed in the module docstring) and raises
    :class:`~spinpair.errors.InputError` naming the dotted key. Frozen, hashable, compared
    by value, picklable and deep-copyable: send it to any worker. Change it with
    :meth:`replace` (dotted keys, validated); read and write it with :meth:`from_toml`,
    :meth:`from_dict`, :meth:`to_toml` and :meth:`to_dict`.

    Attributes
    ----------
    species : str
        Atomic species, one of ``rb85``, ``rb87``, ``na23`` (default ``rb85``) [1].
    f : int
        Hyperfine manifold f of both atoms (default 2; the species' usual one) [1].
    trap : TrapParams
        The tweezer and the temperature of the relative motion (``[trap]``; Hz, m, K).
    collisions : CollisionParams
        The hold step with spin-changing collisions (``[collisions]``; s, G, 1).
    scattering_lengths_bohr : Mapping[str, float]
        Overrides of the scattering lengths a_F by channel (``a0``, ``a2`` …) [Bohr radii,
        a0 = 5.29e-11 m]; empty (default): the species' values. An immutable mapping.
    raman : RamanParams
        The Raman pulses between |1⟩ and |−1⟩ (``[raman]``; Hz, G).
    imperfections : Imperfections
        Preparation, transfer, push-out, loss and detection errors (``[imperfections]``;
        probabilities [1], s).

    Examples
    --------
    >>> Params().species_data().name
    'rb85'
    >>> p = Params(trap=TrapParams(temperature_k=20e-6))
    >>> p.trap.temperature_k, p.collisions.hold_time_s, p.raman.field_gauss
    (2e-05, 0.1, 8.5)
    >>> import pickle
    >>> pickle.loads(pickle.dumps(Params())) == Params() and hash(Params()) == hash(Params())
    True
    """

    species: str = "rb85"
    f: int = 2
    trap: TrapParams = field(default_factory=TrapParams)
    collisions: CollisionParams = field(default_factory=CollisionParams)
    scattering_lengths_bohr: Mapping[str, float] = field(default_factory=FrozenMap)
    raman: RamanParams = field(default_factory=RamanParams)
    imperfections: Imperfections = field(default_factory=Imperfections)

    def __post_init__(self) -> None:
        if not isinstance(self.species, str):
            raise InputError("species", self.species, f"one of {sorted(DEFAULT_F)}", "not a string")
        sp = get_species(self.species, integer("f", self.f))  # validates species and f
        _set(self, "species", sp.name)
        _set(self, "f", sp.f)
        _instance("trap", self.trap, TrapParams)
        _instance("collisions", self.collisions, CollisionParams)
        _instance("raman", self.raman, RamanParams)
        _instance("imperfections", self.imperfections, Imperfections)
        allowed = [f"a{c}" for c in sp.channels]
        a = {}
        for key, v in table("scattering_lengths_bohr", self.scattering_lengths_bohr).items():
            name = f"scattering_lengths_bohr.{key}"
            if key not in allowed:
                raise InputError(name, v, f"keys among {allowed} for {sp.name} f={sp.f}")
            a[key] = SCATTERING_LENGTH_SPEC.check_entry(v, name)
        _set(self, "scattering_lengths_bohr", FrozenMap(a))
        self._check_consistency()

    def _check_consistency(self) -> None:
        """Every rule that ties fields together (the one place for them)."""
        t = self.trap
        check_temperature_against_depth(t.temperature_k, t.depth_hz, "trap.temperature_k")
        check_waist_against_wavelength(t.waist_m, t.wavelength_m, "trap.")
        col = self.collisions
        if col.model == "given":
            allowed = ["00", *[f"chi{k}" for k in range(1, self.f + 1)]]
            for k, v in col.populations.items():
                if k not in allowed:
                    raise InputError(
                        f"collisions.populations.{k}", v, f"keys among {allowed} for f={self.f}"
                    )
        w = self.imperfections.prep_error_weights
        if w and len(w) != 2 * self.f:
            raise InputError(
                "imperfections.prep_error_weights",
                list(w),
                f"{2 * self.f} weights (one per m != 0 for f={self.f}) or an empty list",
            )

    def species_data(self) -> Species:
        """The :class:`Species` with any scattering-length overrides applied."""
        sp = get_species(self.species, self.f)
        if self.scattering_lengths_bohr:
            sp = sp.with_scattering_lengths(
                {int(k[1:]): v for k, v in self.scattering_lengths_bohr.items()},
                "user parameter file",
            )
        return sp

    @property
    def max_raman_duration_s(self) -> float:
        """Longest Raman pulse (s) whose spontaneous emission stays a probability:
        1/(2·rabi_frequency_hz·p_spont_per_pi), infinite without emission."""
        return raman_duration_range_s(
            self.imperfections.p_spont_per_pi, self.raman.rabi_frequency_hz
        )[1]

    # ------------------------------------------------------------------ I/O

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Params:
        """Build from a nested dictionary with the TOML layout; validates every key."""
        data = table("params", data)
        top = [x.name for x in dataclasses.fields(cls)]
        known_keys("", data, [*top, "schema_version"])
        if "schema_version" in data:
            integer("schema_version", data["schema_version"], (SCHEMA_VERSION,))
        kw: dict[str, Any] = {}
        if "species" in data:
            kw["species"] = data["species"]
            if "f" not in data and isinstance(data["species"], str):
                # a species without f takes that species' default manifold
                key = data["species"].lower().replace("-", "").replace("_", "")
                kw["f"] = DEFAULT_F.get(key, 2)
        if "f" in data:
            kw["f"] = data["f"]
        for name in _TABLES:
            if name in data:
                kw[name] = _table_from_dict(name, data[name])
        if "scattering_lengths_bohr" in data:
            kw["scattering_lengths_bohr"] = table(
                "scattering_lengths_bohr", data["scattering_lengths_bohr"]
            )
        return cls(**kw)

    @classmethod
    def from_toml_string(cls, text: str, source: str = "params") -> Params:
        """Parse TOML text; a syntax error raises :class:`InputError` naming ``source``
        and the line."""
        if not isinstance(text, str):
            raise InputError(source, type(text).__name__, "TOML text (str)")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise InputError(source, "TOML", "valid TOML", str(e)) from None
        except RecursionError:
            raise InputError(source, "TOML", "valid TOML", "nested too deeply") from None
        return cls.from_dict(data)

    @classmethod
    def from_toml(cls, path: str | Path) -> Params:
        """Read a parameter file (UTF-8 TOML, keys of ``docs/cli.md``).

        A missing file, a folder, an unreadable or non-UTF-8 (binary, Latin-1) file raise
        :class:`InputError` naming the file, as field ``--params``.
        """
        from .fileio import read_input_bytes

        name = "--params"
        p = Path(path)
        if p.is_dir():
            raise InputError(name, str(path), "a TOML file, not a folder")
        if not p.exists():
            raise InputError(name, str(path), "an existing TOML file")
        # a regular file of at most 1 MB: /dev/zero, a FIFO or a device is refused at once
        raw = read_input_bytes(name, path, _MAX_FILE_BYTES)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(
                name,
                str(path),
                "a UTF-8 encoded TOML file",
                f"byte {raw[e.start]:#04x} at offset {e.start} is not UTF-8 "
                "(binary file, or saved as Latin-1?)",
            ) from None
        text = text.removeprefix("\ufeff")
        try:
            return cls.from_toml_string(text, source=name)
        except InputError as e:
            if e.field == name:  # a syntax error: name the file
                raise InputError(name, str(path), e.allowed, e.detail) from None
            raise

    def replace(self, values: Mapping[str, Any]) -> Params:
        """A copy with dotted keys replaced (``{"collisions.field_gauss": 1.0}``), validated
        as a parameter file is (unknown keys and out-of-range values raise InputError).

        The one path by which code changes parameters by name (the command-line overrides,
        sweep grid points, fit nuisances, optimiser knobs). The Pulser-style aliases
        ``imperfections.state_prep_error``, ``imperfections.p_false_pos`` and
        ``imperfections.p_false_neg`` work too; the false rates keep the other rate of the
        current detection matrix, which must then have their form
        (:func:`~spinpair.imperfections.detection_from_false_rates`).

        Examples
        --------
        >>> Params().replace({"trap.temperature_k": 20e-6}).trap.temperature_k
        2e-05
        >>> Params().replace({"imperfections.state_prep_error": 0.25}).imperfections.prep_efficiency
        0.75
        """
        touched = {str(k).split(".")[0] for k in values}
        only_tables = touched <= set(_TABLES)
        if only_tables:  # rebuild only the tables named, keep the rest as it is
            d = {name: self._table_dict(name) for name in touched}
        else:
            d = self.to_dict()
        aliases: dict[str, Any] = {}
        for key, value in values.items():
            parts = str(key).split(".")
            if len(parts) == 2 and parts[0] == "imperfections" and parts[1] in SPAM_ALIASES:
                aliases[parts[1]] = value
                continue
            node = d
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise InputError("key", key, "a dotted parameter key such as trap.depth_hz")
                node = node[part]
            node[parts[-1]] = value
        if aliases:
            self._apply_aliases(d["imperfections"], aliases, values)
        if only_tables:
            kw = {name: _table_from_dict(name, d[name]) for name in touched}
            return dataclasses.replace(self, **kw)
        return type(self).from_dict(d)

    def _apply_aliases(
        self, imp: dict[str, Any], aliases: dict[str, Any], values: Mapping[str, Any]
    ) -> None:
        """Turn alias replacements into the stored fields (see :meth:`replace`)."""
        if "state_prep_error" in aliases:
            if "imperfections.prep_efficiency" in values:
                raise InputError(
                    "imperfections.state_prep_error",
                    aliases["state_prep_error"],
                    "either state_prep_error or prep_efficiency, not both",
                )
            del imp["prep_efficiency"]
            imp["state_prep_error"] = aliases["state_prep_error"]
        rates = {k: v for k, v in aliases.items() if k in ("p_false_pos", "p_false_neg")}
        if not rates:
            return
        name = next(iter(rates))
        if "imperfections.detection" in values:
            raise InputError(
                f"imperfections.{name}",
                rates[name],
                "either detection or p_false_pos/p_false_neg, not both",
            )
        det = self.imperfections.detection
        fp, fn = det[0][1], det[1][0]
        if not np.allclose(det, detection_from_false_rates(fp, fn), rtol=0.0, atol=1e-9):
            raise InputError(
                f"imperfections.{name}",
                rates[name],
                "a change of p_false_pos/p_false_neg only from a detection matrix of the "
                "false-rate form",
                f"detection = {[list(r) for r in det]}",
            )
        del imp["detection"]
        imp["p_false_pos"] = rates.get("p_false_pos", fp)
        imp["p_false_neg"] = rates.get("p_false_neg", fn)

    def to_dict(self) -> dict[str, Any]:
        """Nested dictionary with the TOML layout (round-trips through :meth:`from_dict`);
        plain dicts and lists, ready for JSON."""
        return {
            "schema_version": SCHEMA_VERSION,
            "species": self.species,
            "f": self.f,
            "trap": self._table_dict("trap"),
            "collisions": self._table_dict("collisions"),
            "scattering_lengths_bohr": dict(self.scattering_lengths_bohr),
            "raman": self._table_dict("raman"),
            "imperfections": self._table_dict("imperfections"),
        }

    def _table_dict(self, name: str) -> dict[str, Any]:
        """One table of :meth:`to_dict` (plain dicts and lists)."""
        obj = getattr(self, name)
        if name == "imperfections":
            return obj.to_dict()
        out = {x.name: getattr(obj, x.name) for x in dataclasses.fields(obj)}
        if name == "trap":
            if out["frequencies_hz"] is None:
                del out["frequencies_hz"]
            else:
                out["frequencies_hz"] = list(out["frequencies_hz"])
        elif name == "collisions":
            out["populations"] = dict(out["populations"])
        return out

    def to_toml(self) -> str:
        """The parameter file, commented with units and ranges; reads back identically.

        Written with ``tomlkit`` (a maintained TOML library that, unlike ``tomli-w``, writes
        comments), so that ``spinpair params --show`` prints a file a user can edit.
        """
        d = self.to_dict()
        doc = tomlkit.document()
        doc.add(tomlkit.comment("spinpair parameters (units and allowed ranges in the comments)"))
        doc.add(tomlkit.comment(PAPER_DEFAULTS_NOTE))
        for key in ("schema_version", "species", "f"):
            doc.add(key, d[key])
            if key in PARAM_DOCS:
                doc[key].comment(PARAM_DOCS[key])
        for name in ("trap", "collisions", "scattering_lengths_bohr", "raman", "imperfections"):
            t = tomlkit.table()
            if name in PARAM_DOCS:
                t.comment(PARAM_DOCS[name])
            for k, v in d[name].items():
                if isinstance(v, dict):
                    it = tomlkit.inline_table()
                    it.update(v)
                    t.add(k, it)
                else:
                    t.add(k, v)
                doc_key = f"{name}.{k}"
                if doc_key in PARAM_DOCS:
                    t[k].comment(PARAM_DOCS[doc_key])
            if name == "trap" and "frequencies_hz" not in d[name]:
                t.add(
                    tomlkit.comment(
                        "frequencies_hz = [fx, fy, fz]  # " + PARAM_DOCS["trap.frequencies_hz"]
                    )
                )
            doc.add(name, t)
        return tomlkit.dumps(doc)


#: The top-level keys of a parameter file (their checks are in :class:`Params`).
_TOP: dict[str, Spec] = {
    "schema_version": Spec(
        kind="custom", doc=f"parameter-file format version ({SCHEMA_VERSION})", default=1
    ),
    "species": Spec(
        kind="choice",
        choices=tuple(sorted(DEFAULT_F)),
        doc="atomic species",
        default="rb85",
        status="paper",
    ),
    "f": Spec(
        kind="custom",
        doc="hyperfine manifold f of both atoms",
        note="rb85: 2; rb87: 1 or 2; na23: 1 (default: the species' usual one)",
        default=2,
        status="paper",
    ),
}

#: Every parameter by dotted key, in file order: the one schema (see :mod:`spinpair.schema`).
#: Table-valued keys (``collisions.populations``, ``scattering_lengths_bohr``) appear once;
#: the range applies to each entry.
SCHEMA: dict[str, Spec] = {
    **{k: dataclasses.replace(v, key=k) for k, v in _TOP.items()},
    **specs(TrapParams),
    **specs(CollisionParams),
    "scattering_lengths_bohr": SCATTERING_LENGTH_SPEC,
    **specs(RamanParams),
    **specs(Imperfections),
}

#: Unit, allowed range and meaning of every key, for ``spinpair params --show`` (generated
#: from :data:`SCHEMA`).
PARAM_DOCS: dict[str, str] = {k: v.help() for k, v in SCHEMA.items()}

__all__ = [
    "COLLISION_MODELS",
    "COLLISION_RATES",
    "DYNAMICS_MODELS",
    "PARAM_DOCS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "CollisionParams",
    "FrozenMap",
    "Imperfections",
    "Params",
    "RamanParams",
    "TrapParams",
]
