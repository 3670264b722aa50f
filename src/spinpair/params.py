"""The full parameter set, its validation, and the TOML file format of ``CLI.md``.

A TOML file maps 1:1 onto :class:`Params`; missing keys take the paper's defaults
(paper, main text and appendix; see ``PAPER_DEFAULTS_NOTE``). Unknown keys, wrong types and
out-of-range values raise :class:`~spinpair.errors.InputError` naming the key.

Example
-------
>>> p = Params.from_toml_string('[trap]\\ntemperature_k = 20e-6')
>>> p.trap.temperature_k, p.trap.depth_hz
(2e-05, 22000000.0)
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import InputError, check_range
from .imperfections import IMPERFECTION_DOCS, Imperfections
from .species import Species, get_species

SCHEMA_VERSION = 1

COLLISION_MODELS = (
    "ground-state",
    "secular",
    "ergodic",
    "relaxation",
    "ergodic+relaxation",
    "given",
)

PAPER_DEFAULTS_NOTE = (
    "Defaults are the paper's conditions: 85Rb f=2, tweezer h x 22 MHz deep, 1064 nm, waist "
    "1 um, T = 40 uK; hold 100 ms at 0.5 G; Raman pulses at 8.5 G; preparation efficiency "
    "0.93; chi1 prepared with probability ~0.37 (given-mode populations). The Raman Rabi "
    "frequency (156 kHz) is this package's choice (not stated in the paper)."
)


def _unknown_keys(table: str, data: Mapping[str, Any], known: set[str]) -> None:
    for k in data:
        if k not in known:
            prefix = f"{table}." if table else ""
            raise InputError(f"{prefix}{k}", data[k], f"a key among {sorted(known)}")


def _prefixed(table: str, err: InputError) -> InputError:
    name = err.field if err.field.startswith(f"{table}.") else f"{table}.{err.field}"
    return InputError(name, err.value, err.allowed, err.detail)


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
        check_range("depth_hz", self.depth_hz, 0.0, None, lo_open=True)
        check_range("waist_m", self.waist_m, 0.0, None, lo_open=True)
        check_range("wavelength_m", self.wavelength_m, 0.0, None, lo_open=True)
        check_range("temperature_k", self.temperature_k, 0.0, None, lo_open=True)
        if self.frequencies_hz is not None:
            fr = tuple(self.frequencies_hz)
            if len(fr) != 3:
                raise InputError("frequencies_hz", list(fr), "three frequencies [fx, fy, fz] in Hz")
            fr = tuple(check_range("frequencies_hz", x, 0.0, None, lo_open=True) for x in fr)
            object.__setattr__(self, "frequencies_hz", fr)
        for name in ("depth_hz", "waist_m", "wavelength_m", "temperature_k"):
            object.__setattr__(self, name, float(getattr(self, name)))


@dataclass(frozen=True)
class CollisionParams:
    """The hold step in which spin-changing collisions act (PHYSICS.md §3).

    ``model``: one of :data:`COLLISION_MODELS`; ``hold_time_s`` (s); ``field_gauss`` (G);
    ``rate_scale`` (dimensionless) multiplies the relaxation rates. In ``given`` mode
    ``populations`` (of ``00``, ``chi1``, ``chi2``, …) and ``chi1_coherence`` c replace the
    dynamics.
    """

    model: str = "ergodic"
    hold_time_s: float = 0.1
    field_gauss: float = 0.5
    rate_scale: float = 1.0
    populations: Mapping[str, float] = field(
        default_factory=lambda: {"00": 0.4, "chi1": 0.37, "chi2": 0.23}
    )
    chi1_coherence: float = 1.0

    def __post_init__(self) -> None:
        if self.model not in COLLISION_MODELS:
            raise InputError("model", self.model, f"one of {list(COLLISION_MODELS)}")
        object.__setattr__(self, "hold_time_s", check_range("hold_time_s", self.hold_time_s, 0.0))
        object.__setattr__(self, "field_gauss", check_range("field_gauss", self.field_gauss, 0.0))
        object.__setattr__(self, "rate_scale", check_range("rate_scale", self.rate_scale, 0.0))
        object.__setattr__(
            self, "chi1_coherence", check_range("chi1_coherence", self.chi1_coherence, -1.0, 1.0)
        )
        pops = {}
        for k, v in dict(self.populations).items():
            pops[str(k)] = check_range(f"populations.{k}", v, 0.0, 1.0)
        total = sum(pops.values())
        if abs(total - 1.0) > 1e-6:
            raise InputError("populations", pops, "values summing to 1", f"sum = {total:.6g}")
        object.__setattr__(self, "populations", MappingProxyType(pops))


@dataclass(frozen=True)
class RamanParams:
    """Raman pulses between |1⟩ and |-1⟩: Ω/2π (Hz), δ/2π (Hz), bias field during them (G)."""

    rabi_frequency_hz: float = 156e3
    detuning_hz: float = 0.0
    field_gauss: float = 8.5

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "rabi_frequency_hz",
            check_range("rabi_frequency_hz", self.rabi_frequency_hz, 0.0, None, lo_open=True),
        )
        object.__setattr__(self, "detuning_hz", check_range("detuning_hz", self.detuning_hz))
        object.__setattr__(self, "field_gauss", check_range("field_gauss", self.field_gauss, 0.0))


@dataclass(frozen=True)
class Params:
    """Everything a simulation needs, validated; maps 1:1 onto the TOML file of ``CLI.md``.

    Example
    -------
    >>> Params().species_data().name
    'rb85'
    """

    species: str = "rb85"
    f: int = 2
    trap: TrapParams = field(default_factory=TrapParams)
    collisions: CollisionParams = field(default_factory=CollisionParams)
    scattering_lengths_bohr: Mapping[str, float] = field(default_factory=dict)
    raman: RamanParams = field(default_factory=RamanParams)
    imperfections: Imperfections = field(default_factory=Imperfections)

    def __post_init__(self) -> None:
        sp = get_species(self.species, self.f)  # validates species and f
        object.__setattr__(self, "species", sp.name)
        a = {}
        for k, v in dict(self.scattering_lengths_bohr).items():
            key = str(k)
            ch = key[1:] if key.startswith("a") else key
            if not ch.isdigit() or int(ch) not in sp.channels:
                raise InputError(
                    f"scattering_lengths_bohr.{key}",
                    v,
                    f"keys among {[f'a{c}' for c in sp.channels]}",
                )
            a[f"a{int(ch)}"] = check_range(f"scattering_lengths_bohr.{key}", v)
        object.__setattr__(self, "scattering_lengths_bohr", MappingProxyType(a))

    def species_data(self) -> Species:
        """The :class:`Species` with any scattering-length overrides applied."""
        sp = get_species(self.species, self.f)
        if self.scattering_lengths_bohr:
            sp = sp.with_scattering_lengths(
                {int(k[1:]): v for k, v in self.scattering_lengths_bohr.items()},
                "user parameter file",
            )
        return sp

    # ------------------------------------------------------------------ I/O

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Params:
        """Build from a nested dictionary with the TOML layout; validates every key."""
        if not isinstance(data, Mapping):
            raise InputError("params", type(data).__name__, "a TOML table")
        top = {
            "species",
            "f",
            "trap",
            "collisions",
            "scattering_lengths_bohr",
            "raman",
            "imperfections",
            "schema_version",
        }
        _unknown_keys("", data, top)
        if "schema_version" in data and data["schema_version"] != SCHEMA_VERSION:
            raise InputError("schema_version", data["schema_version"], f"{SCHEMA_VERSION}")
        kw: dict[str, Any] = {}
        if "species" in data:
            kw["species"] = data["species"]
        if "f" in data:
            kw["f"] = data["f"]
        tables = {"trap": TrapParams, "collisions": CollisionParams, "raman": RamanParams}
        for name, klass in tables.items():
            if name in data:
                table = data[name]
                if not isinstance(table, Mapping):
                    raise InputError(name, table, "a TOML table")
                _unknown_keys(name, table, {x.name for x in dataclasses.fields(klass)})
                try:
                    t = dict(table)
                    if name == "trap" and "frequencies_hz" in t:
                        t["frequencies_hz"] = tuple(t["frequencies_hz"])
                    kw[name] = klass(**t)
                except InputError as e:
                    raise _prefixed(name, e) from None
                except TypeError as e:
                    raise InputError(name, table, "keys of the right type", str(e)) from None
        if "imperfections" in data:
            if not isinstance(data["imperfections"], Mapping):
                raise InputError("imperfections", data["imperfections"], "a TOML table")
            kw["imperfections"] = Imperfections.from_dict(data["imperfections"])
        if "scattering_lengths_bohr" in data:
            if not isinstance(data["scattering_lengths_bohr"], Mapping):
                raise InputError(
                    "scattering_lengths_bohr", data["scattering_lengths_bohr"], "a TOML table"
                )
            kw["scattering_lengths_bohr"] = dict(data["scattering_lengths_bohr"])
        return cls(**kw)

    @classmethod
    def from_toml_string(cls, text: str) -> Params:
        """Parse TOML text; a syntax error raises :class:`InputError` naming the line."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise InputError("params", "TOML", "valid TOML", str(e)) from None
        return cls.from_dict(data)

    @classmethod
    def from_toml(cls, path: str | Path) -> Params:
        """Read a parameter file (TOML, keys of ``CLI.md``)."""
        p = Path(path)
        if not p.is_file():
            raise InputError("--params", str(path), "an existing TOML file")
        return cls.from_toml_string(p.read_text(encoding="utf-8"))

    def to_dict(self) -> dict[str, Any]:
        """Nested dictionary with the TOML layout (round-trips through :meth:`from_dict`)."""
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


#: Unit and meaning of every key, for ``spinpair params --show``.
PARAM_DOCS: dict[str, str] = {
    "species": "atomic species: rb85, rb87, na23",
    "f": "hyperfine manifold of both atoms",
    "trap.depth_hz": "tweezer depth U0/h [Hz]",
    "trap.waist_m": "1/e^2 intensity waist w0 [m]",
    "trap.wavelength_m": "tweezer wavelength [m]",
    "trap.temperature_k": "temperature of the relative motion [K]",
    "trap.frequencies_hz": "explicit trap frequencies [fx, fy, fz] [Hz] (optional)",
    "collisions.model": "collision model: " + " | ".join(COLLISION_MODELS),
    "collisions.hold_time_s": "hold time with collisions [s]",
    "collisions.field_gauss": "bias field during the hold [G]",
    "collisions.rate_scale": "scale of the relaxation rates [1]",
    "collisions.populations": "given-mode populations of 00, chi1, chi2 [1]",
    "collisions.chi1_coherence": "given-mode chi1 coherence c in [-1, 1]; fidelity (1+c)/2",
    "scattering_lengths_bohr": "overrides of a_F per channel, keys a0, a2, ... [Bohr radii]",
    "raman.rabi_frequency_hz": "Raman Rabi frequency Omega/2pi [Hz]",
    "raman.detuning_hz": "Raman detuning delta/2pi [Hz]",
    "raman.field_gauss": "bias field during the Raman pulses [G]",
    **{f"imperfections.{k}": v for k, v in IMPERFECTION_DOCS.items()},
}

__all__ = [
    "COLLISION_MODELS",
    "PARAM_DOCS",
    "SCHEMA_VERSION",
    "CollisionParams",
    "Imperfections",
    "Params",
    "RamanParams",
    "TrapParams",
]
