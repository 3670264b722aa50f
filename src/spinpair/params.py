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
Strict typing lives in :mod:`spinpair.validation` (bool is not a number, a string is not a
number, integers are accepted where floats are expected), range checks in each class's
``__post_init__``, and the rules that tie fields together in one place,
:meth:`Params._check_consistency`.

Ranges (each with its physical reason; the trap's are in :mod:`spinpair.trap`):

=========================================  ================  ==================================
key                                        allowed           reason
=========================================  ================  ==================================
``trap.depth_hz``                          [1e3, 1e9] Hz     :mod:`spinpair.trap`
``trap.waist_m``                           [1e-7, 1e-3] m    :mod:`spinpair.trap`
``trap.wavelength_m``                      [2e-7, 2e-5] m    :mod:`spinpair.trap`
``trap.temperature_k``                     [1e-9, 10] K      and k_B T ≤ U0/10 (below)
``trap.frequencies_hz``                    [1, 1e7] Hz       :mod:`spinpair.trap`
``collisions.hold_time_s``                 [0, 1000] s       beyond any tweezer lifetime
``collisions.field_gauss``                 [0, 1e4] G        lab magnets reach ~1 T
``collisions.rate_scale``                  [0, 1e6]          fits use up to ~1e4
``collisions.chi1_coherence``              [-1, 1]           a coherence
``collisions.populations.*``               [0, 1], sum 1     probabilities
``scattering_lengths_bohr.a*``             [-1e4, 1e4] a0    ~5× the largest background
                                                             alkali values (Cs ≈ 2000 a0)
``raman.rabi_frequency_hz``                [1, 1e8] Hz       Raman Rabi frequencies are ≲ MHz
``raman.detuning_hz``                      [-1e9, 1e9] Hz    well below hyperfine splittings
``raman.field_gauss``                      [0, 1e4] G        as above
``imperfections.*``                        [0, 1]            probabilities (coherence [-1, 1])
=========================================  ================  ==================================

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
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from .errors import InputError
from .imperfections import IMPERFECTION_DOCS, Imperfections, raman_duration_range_s
from .species import DEFAULT_F, Species, get_species
from .trap import (
    DEPTH_HZ_RANGE,
    FREQUENCY_HZ_RANGE,
    TEMPERATURE_K_RANGE,
    WAIST_M_RANGE,
    WAVELENGTH_M_RANGE,
    check_temperature_against_depth,
    check_waist_against_wavelength,
)
from .validation import (
    FrozenMap,
    Interval,
    choice,
    integer,
    known_keys,
    real,
    real_array,
    table,
)

SCHEMA_VERSION = 1

#: The collision dynamics models (``spinpair.dynamics.MODELS`` is this tuple).
DYNAMICS_MODELS = ("ground-state", "secular", "ergodic", "relaxation", "ergodic+relaxation")
#: Values of ``collisions.model``: a dynamics model, or ``given`` populations.
COLLISION_MODELS = (*DYNAMICS_MODELS, "given")
#: Where the relaxation rates come from: the coupled-channel S-matrix (shipped tables of
#: :mod:`spinpair.scattering.tables`), the zero-range form f_F(k) = −a_F/(1 + i k a_F), or
#: ``auto`` (the default): the S-matrix where spinpair ships tables for the species and
#: the hold field (85Rb f=2, 87Rb f=1 and f=2, 0–10 G), else zero-range.
COLLISION_RATES = ("auto", "s-matrix", "zero-range")

PAPER_DEFAULTS_NOTE = (
    "Defaults are the paper's conditions: 85Rb f=2, tweezer h x 22 MHz deep, 1064 nm, waist "
    "1 um, T = 40 uK; hold 100 ms at 0.5 G; Raman pulses at 8.5 G; preparation efficiency "
    "0.93; chi1 prepared with probability ~0.37 (given-mode populations). The Raman Rabi "
    "frequency (156 kHz) is this package's choice (not stated in the paper)."
)

#: Allowed hold time (s): longer than any vacuum-limited tweezer lifetime.
HOLD_TIME_S_RANGE = Interval(0.0, 1e3)
#: Allowed bias field (G): up to 1 T, beyond laboratory bias coils.
FIELD_GAUSS_RANGE = Interval(0.0, 1e4)
#: Allowed scale of the first-principles relaxation rates (dimensionless).
RATE_SCALE_RANGE = Interval(0.0, 1e6)
#: Allowed populations and probabilities.
PROBABILITY_RANGE = Interval(0.0, 1.0)
#: Allowed coherence c.
COHERENCE_RANGE = Interval(-1.0, 1.0)
#: Allowed scattering length (Bohr radii).
SCATTERING_LENGTH_BOHR_RANGE = Interval(-1e4, 1e4)
#: Allowed Raman Rabi frequency Ω/2π (Hz).
RABI_FREQUENCY_HZ_RANGE = Interval(1.0, 1e8)
#: Allowed Raman detuning δ/2π (Hz).
DETUNING_HZ_RANGE = Interval(-1e9, 1e9)
#: Tolerance on the sum of the given-mode populations.
POPULATION_SUM_TOLERANCE = 1e-6

_POPULATION_KEY = re.compile(r"^(00|chi[1-9][0-9]*)$")
_MAX_FILE_BYTES = 1 << 20


@dataclass(frozen=True)
class TrapParams:
    """Optical tweezer and temperature of the pair's relative motion.

    ``depth_hz`` is U0/h (Hz), ``waist_m`` the 1/e² intensity radius w0 (m),
    ``wavelength_m`` λ (m), ``temperature_k`` T (K). ``frequencies_hz`` (ν_x, ν_y, ν_z),
    when given, overrides the Gaussian-beam harmonic frequencies.
    """

    depth_hz: float = 22e6
    waist_m: float = 1.0e-6
    wavelength_m: float = 1064e-9
    temperature_k: float = 40e-6
    frequencies_hz: tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        _set(self, "depth_hz", real("trap.depth_hz", self.depth_hz, DEPTH_HZ_RANGE, "Hz"))
        _set(self, "waist_m", real("trap.waist_m", self.waist_m, WAIST_M_RANGE, "m"))
        _set(
            self,
            "wavelength_m",
            real("trap.wavelength_m", self.wavelength_m, WAVELENGTH_M_RANGE, "m"),
        )
        _set(
            self,
            "temperature_k",
            real("trap.temperature_k", self.temperature_k, TEMPERATURE_K_RANGE, "K"),
        )
        if self.frequencies_hz is not None:
            fr = real_array("trap.frequencies_hz", self.frequencies_hz, FREQUENCY_HZ_RANGE, "Hz", 3)
            _set(self, "frequencies_hz", fr)


@dataclass(frozen=True)
class CollisionParams:
    """The hold step in which spin-changing collisions act (spec §3).

    ``model``: one of :data:`COLLISION_MODELS`; ``hold_time_s`` (s); ``field_gauss`` (G);
    ``rate_scale`` (dimensionless) multiplies the relaxation rates; ``rates`` says where
    they come from (:data:`COLLISION_RATES`: the coupled-channel S-matrix, the zero-range
    amplitudes in the a_F, which ``calibrate`` fits, or ``auto``: the S-matrix wherever
    tables exist). In ``given`` mode
    ``populations`` (of ``00``, ``chi1``, ``chi2``, …; an immutable mapping) and
    ``chi1_coherence`` c replace the dynamics.
    """

    model: str = "relaxation"
    hold_time_s: float = 0.1
    field_gauss: float = 0.5
    rate_scale: float = 1.0
    populations: Mapping[str, float] = field(
        default_factory=lambda: FrozenMap({"00": 0.4, "chi1": 0.37, "chi2": 0.23})
    )
    chi1_coherence: float = 1.0
    rates: str = "auto"

    def __post_init__(self) -> None:
        _set(self, "model", choice("collisions.model", self.model, COLLISION_MODELS))
        _set(
            self,
            "hold_time_s",
            real("collisions.hold_time_s", self.hold_time_s, HOLD_TIME_S_RANGE, "s"),
        )
        _set(
            self,
            "field_gauss",
            real("collisions.field_gauss", self.field_gauss, FIELD_GAUSS_RANGE, "G"),
        )
        _set(self, "rate_scale", real("collisions.rate_scale", self.rate_scale, RATE_SCALE_RANGE))
        _set(self, "rates", choice("collisions.rates", self.rates, COLLISION_RATES))
        _set(
            self,
            "chi1_coherence",
            real("collisions.chi1_coherence", self.chi1_coherence, COHERENCE_RANGE),
        )
        pops = {}
        for k, v in table("collisions.populations", self.populations).items():
            if not _POPULATION_KEY.match(k):
                raise InputError(
                    f"collisions.populations.{k}", v, "keys 00, chi1, chi2, ... (up to chi<f>)"
                )
            pops[k] = real(f"collisions.populations.{k}", v, PROBABILITY_RANGE)
        total = sum(pops.values())
        if abs(total - 1.0) > POPULATION_SUM_TOLERANCE:
            raise InputError(
                "collisions.populations", pops, "values summing to 1", f"sum = {total!r}"
            )
        _set(self, "populations", FrozenMap(pops))


@dataclass(frozen=True)
class RamanParams:
    """Raman pulses between |1⟩ and |-1⟩: Ω/2π (Hz), δ/2π (Hz), bias field during them (G)."""

    rabi_frequency_hz: float = 156e3
    detuning_hz: float = 0.0
    field_gauss: float = 8.5

    def __post_init__(self) -> None:
        _set(
            self,
            "rabi_frequency_hz",
            real("raman.rabi_frequency_hz", self.rabi_frequency_hz, RABI_FREQUENCY_HZ_RANGE, "Hz"),
        )
        _set(
            self,
            "detuning_hz",
            real("raman.detuning_hz", self.detuning_hz, DETUNING_HZ_RANGE, "Hz"),
        )
        _set(
            self, "field_gauss", real("raman.field_gauss", self.field_gauss, FIELD_GAUSS_RANGE, "G")
        )


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _instance(name: str, value: Any, klass: type) -> Any:
    if not isinstance(value, klass):
        raise InputError(name, value, f"a {klass.__name__}", f"got {type(value).__name__}")
    return value


@dataclass(frozen=True)
class Params:
    """Everything a simulation needs, validated; maps 1:1 onto the TOML file of ``docs/cli.md``.

    Frozen, hashable, compared by value, picklable and deep-copyable: send it to any worker.

    Examples
    --------
    >>> Params().species_data().name
    'rb85'
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
            a[key] = real(name, v, SCATTERING_LENGTH_BOHR_RANGE, "Bohr radii")
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
        tables = {"trap": TrapParams, "collisions": CollisionParams, "raman": RamanParams}
        for name, klass in tables.items():
            if name in data:
                t = dict(table(name, data[name]))
                known_keys(name, t, [x.name for x in dataclasses.fields(klass)])
                kw[name] = klass(**t)
        if "imperfections" in data:
            kw["imperfections"] = Imperfections.from_dict(data["imperfections"])
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

        Examples
        --------
        >>> Params().replace({"trap.temperature_k": 20e-6}).trap.temperature_k
        2e-05
        """
        d = self.to_dict()
        for key, value in values.items():
            parts = str(key).split(".")
            node = d
            for part in parts[:-1]:
                if not isinstance(node.get(part), dict):
                    raise InputError("key", key, "a dotted parameter key such as trap.depth_hz")
                node = node[part]
            node[parts[-1]] = value
        return type(self).from_dict(d)

    def to_dict(self) -> dict[str, Any]:
        """Nested dictionary with the TOML layout (round-trips through :meth:`from_dict`);
        plain dicts and lists, ready for JSON."""
        trap = dataclasses.asdict(self.trap)
        if trap["frequencies_hz"] is None:
            del trap["frequencies_hz"]
        else:
            trap["frequencies_hz"] = list(trap["frequencies_hz"])
        col = {
            x.name: getattr(self.collisions, x.name) for x in dataclasses.fields(self.collisions)
        }
        col["populations"] = dict(self.collisions.populations)
        return {
            "schema_version": SCHEMA_VERSION,
            "species": self.species,
            "f": self.f,
            "trap": trap,
            "collisions": col,
            "scattering_lengths_bohr": dict(self.scattering_lengths_bohr),
            "raman": dataclasses.asdict(self.raman),
            "imperfections": self.imperfections.to_dict(),
        }

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


def _r(interval: Interval, unit: str = "") -> str:
    return f"{interval}" + (f" {unit}" if unit else "")


#: Unit, allowed range and meaning of every key, for ``spinpair params --show``.
PARAM_DOCS: dict[str, str] = {
    "schema_version": f"parameter-file format version ({SCHEMA_VERSION})",
    "species": "atomic species: " + ", ".join(sorted(DEFAULT_F)),
    "f": "hyperfine manifold of both atoms",
    "trap.depth_hz": f"tweezer depth U0/h [Hz] in {_r(DEPTH_HZ_RANGE)}",
    "trap.waist_m": f"1/e^2 intensity waist w0 [m] in {_r(WAIST_M_RANGE)}, >= wavelength/pi",
    "trap.wavelength_m": f"tweezer wavelength [m] in {_r(WAVELENGTH_M_RANGE)}",
    "trap.temperature_k": f"temperature of the relative motion [K] in {_r(TEMPERATURE_K_RANGE)}"
    ", and k_B T <= U0/10",
    "trap.frequencies_hz": "explicit trap frequencies [fx, fy, fz] [Hz] "
    f"in {_r(FREQUENCY_HZ_RANGE)} (optional)",
    "collisions.model": "collision model: " + " | ".join(COLLISION_MODELS),
    "collisions.hold_time_s": f"hold time with collisions [s] in {_r(HOLD_TIME_S_RANGE)}",
    "collisions.field_gauss": f"bias field during the hold [G] in {_r(FIELD_GAUSS_RANGE)}",
    "collisions.rate_scale": f"scale of the relaxation rates [1] in {_r(RATE_SCALE_RANGE)}",
    "collisions.rates": "where the relaxation rates come from: " + " | ".join(COLLISION_RATES),
    "collisions.populations": "given-mode populations of 00, chi1, ..., chi<f> [1], sum 1",
    "collisions.chi1_coherence": "given-mode chi1 coherence c in [-1, 1]; fidelity (1+c)/2",
    "scattering_lengths_bohr": "overrides of a_F per channel, keys a0, a2, ... [Bohr radii] "
    f"in {_r(SCATTERING_LENGTH_BOHR_RANGE)}",
    "raman.rabi_frequency_hz": f"Raman Rabi frequency Omega/2pi [Hz] in "
    f"{_r(RABI_FREQUENCY_HZ_RANGE)}",
    "raman.detuning_hz": f"Raman detuning delta/2pi [Hz] in {_r(DETUNING_HZ_RANGE)}",
    "raman.field_gauss": f"bias field during the Raman pulses [G] in {_r(FIELD_GAUSS_RANGE)}",
    **{f"imperfections.{k}": v for k, v in IMPERFECTION_DOCS.items()},
}

__all__ = [
    "COLLISION_MODELS",
    "COLLISION_RATES",
    "DYNAMICS_MODELS",
    "PARAM_DOCS",
    "SCHEMA_VERSION",
    "CollisionParams",
    "FrozenMap",
    "Imperfections",
    "Params",
    "RamanParams",
    "TrapParams",
]
