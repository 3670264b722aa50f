"""Atomic data for the built-in species and Breit–Rabi Zeeman energies.

Why one file of ~760 lines: the species table (data with sources, most of the length) and
the Breit–Rabi energies that read it.

A :class:`Species` is data: the mass, nuclear spin, hyperfine manifold ``f``, ground-state
hyperfine splitting, g-factors and the s-wave scattering lengths ``a_F`` of the
exchange-symmetric pair channels (F = 0, 2, …, 2f), each with the source it comes from.

Units: masses in kg (``mass_kg``; ``mass_u`` in unified atomic mass units), frequencies
in Hz, fields in gauss (1 G = 1e-4 T), scattering lengths in Bohr radii.

Sources (see also ``docs/physics.md``):

* 85Rb: D. A. Steck, "Rubidium 85 D Line Data", rev. 2.3.3 (2024).
* 87Rb: D. A. Steck, "Rubidium 87 D Line Data", rev. 2.3.3 (2024).
* 23Na: D. A. Steck, "Sodium D Line Data", rev. 2.3.3 (2024).
* Scattering lengths: per species and channel, each a :class:`ScatteringLength` with its
  value, status (``measured`` / ``computed`` / ``placeholder`` / ``user`` /
  ``calibrated``), source and 1σ uncertainty where the source gives one. The 85Rb a0, a2,
  a4 are **computed** by spinpair's coupled-channel solver from the Rb2 potentials of
  Strauss et al. 2010 (:mod:`spinpair.scattering`; see :data:`RB85_COMPUTED_NOTE`);
  :func:`placeholder_fields` and :func:`placeholder_notice` say which outputs depend on
  placeholders where a user or a species still has any.

Examples
--------
>>> rb85 = get_species("rb85")
>>> round(float(pair_zeeman_shift_hz(rb85, 1, 0.5)), 1)
35.9
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _constants as constants
from .errors import InputError, check_finite, check_range
from .validation import FrozenMap, broadcast, instance, real_values

#: Atomic mass constant in kg (CODATA via scipy.constants).
ATOMIC_MASS_KG: float = constants.physical_constants["atomic mass constant"][0]
#: Bohr radius in m (CODATA via scipy.constants).
BOHR_RADIUS_M: float = constants.physical_constants["Bohr radius"][0]
#: Bohr magneton in J/T (CODATA via scipy.constants).
BOHR_MAGNETON_J_PER_T: float = constants.physical_constants["Bohr magneton"][0]
#: One gauss in tesla.
GAUSS_T: float = 1e-4


#: Status of a scattering length: ``measured`` (a measurement, or a coupled-channel value
#: from potentials fitted to measured spectra, as the source says), ``computed`` (by
#: spinpair's coupled-channel solver, :mod:`spinpair.scattering`, from published
#: potentials, or an absolute value computed by the cited authors where only differences
#: were measured), ``placeholder`` (no source: a stand-in so that the models run), ``user``
#: (given by the user), ``calibrated`` (fitted by spinpair to populations, see the source
#: for to what), ``illustrative`` (a registered set tuned to illustrative targets, so
#: agreement with them is by construction; see :data:`CALIBRATED_SETS`).
SCATTERING_LENGTH_STATUSES: tuple[str, ...] = (
    "measured",
    "computed",
    "placeholder",
    "user",
    "calibrated",
    "illustrative",
)


@dataclass(frozen=True)
class ScatteringLength:
    """One s-wave scattering length a_F of a symmetric pair channel F, with its provenance.

    Attributes
    ----------
    channel : total pair spin F.
    value_bohr : a_F in Bohr radii.
    status : one of :data:`SCATTERING_LENGTH_STATUSES`.
    source : citation, or why there is none.
    uncertainty_bohr : 1σ uncertainty in Bohr radii, or None where no source gives one
        (placeholders have none: an invented error bar would claim knowledge).

    Examples
    --------
    >>> get_species("rb85").scattering_length_data[4].status
    'computed'
    """

    channel: int
    value_bohr: float
    status: str
    source: str
    uncertainty_bohr: float | None = None

    def __post_init__(self) -> None:
        if self.status not in SCATTERING_LENGTH_STATUSES:
            raise InputError("status", self.status, f"one of {list(SCATTERING_LENGTH_STATUSES)}")
        object.__setattr__(self, "channel", int(self.channel))
        object.__setattr__(self, "value_bohr", check_finite(f"a{self.channel}", self.value_bohr))
        if self.uncertainty_bohr is not None:
            object.__setattr__(
                self,
                "uncertainty_bohr",
                check_range(f"a{self.channel}.uncertainty_bohr", self.uncertainty_bohr, 0.0),
            )

    def as_dict(self) -> dict:
        """JSON-ready: ``value_bohr``, ``status``, ``source``, ``uncertainty_bohr`` (or None)."""
        return {
            "value_bohr": self.value_bohr,
            "status": self.status,
            "source": self.source,
            "uncertainty_bohr": self.uncertainty_bohr,
        }


@dataclass(frozen=True)
class Species:
    """One alkali species in one ground hyperfine manifold ``f``.

    Attributes
    ----------
    name : short name, for example ``"rb85"``.
    mass_u : atomic mass in unified atomic mass units.
    nuclear_spin : I.
    f : the hyperfine manifold the atoms occupy (I - 1/2 or I + 1/2).
    hyperfine_splitting_hz : ground-state hyperfine splitting ΔE_hfs / h in Hz.
    g_j, g_i : electron and nuclear g-factors (Steck's sign convention, g_I μ_B m B).
    scattering_lengths_bohr : mapping F -> a_F (Bohr radii) for F = 0, 2, …, 2f.
    scattering_lengths_uncertainty_bohr : mapping F -> 1σ uncertainty (Bohr radii), only for
        the channels whose source gives one.
    sources : mapping field name -> citation.
    scattering_length_data : mapping F -> :class:`ScatteringLength` (value, status, source,
        uncertainty). Channels without an entry, or whose entry disagrees with
        ``scattering_lengths_bohr``, get status ``user`` with the ``scattering_lengths_bohr``
        source: a value never keeps the status of another value.

    Examples
    --------
    >>> s = get_species("rb87", f=1)
    >>> s.channels
    (0, 2)
    """

    name: str
    mass_u: float
    nuclear_spin: float
    f: int
    hyperfine_splitting_hz: float
    g_j: float
    g_i: float
    scattering_lengths_bohr: Mapping[int, float]
    scattering_lengths_uncertainty_bohr: Mapping[int, float] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    scattering_length_data: Mapping[int, ScatteringLength] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_range("mass_u", self.mass_u, 0.0, None, lo_open=True)
        check_range("hyperfine_splitting_hz", self.hyperfine_splitting_hz, 0.0, None, lo_open=True)
        check_finite("g_j", self.g_j)
        check_finite("g_i", self.g_i)
        two_i = 2 * self.nuclear_spin
        if two_i < 0 or abs(two_i - round(two_i)) > 1e-12 or round(two_i) % 2 != 1:
            raise InputError("nuclear_spin", self.nuclear_spin, "a half-integer > 0")
        if self.f not in (self.nuclear_spin - 0.5, self.nuclear_spin + 0.5):
            raise InputError(
                "f", self.f, f"{self.nuclear_spin - 0.5:g} or {self.nuclear_spin + 0.5:g}"
            )
        a = {int(k): float(v) for k, v in self.scattering_lengths_bohr.items()}
        if sorted(a) != list(self.channels):
            raise InputError(
                "scattering_lengths_bohr",
                sorted(a),
                f"one value for each channel F in {list(self.channels)}",
            )
        for k, v in a.items():
            check_finite(f"scattering_lengths_bohr.a{k}", v)
        object.__setattr__(self, "f", int(self.f))
        object.__setattr__(self, "scattering_lengths_bohr", FrozenMap(a))
        object.__setattr__(
            self,
            "scattering_lengths_uncertainty_bohr",
            FrozenMap(dict(self.scattering_lengths_uncertainty_bohr)),
        )
        object.__setattr__(self, "sources", FrozenMap(dict(self.sources)))
        unc = dict(self.scattering_lengths_uncertainty_bohr)
        given = {int(k): v for k, v in dict(self.scattering_length_data).items()}
        info: dict[int, ScatteringLength] = {}
        for ch, value in a.items():
            entry = given.get(ch)
            if entry is None or entry.value_bohr != value or entry.channel != ch:
                entry = ScatteringLength(
                    ch,
                    value,
                    "user",
                    self.sources.get("scattering_lengths_bohr", "not stated"),
                    unc.get(ch),
                )
            info[ch] = entry
        object.__setattr__(self, "scattering_length_data", FrozenMap(info))

    @property
    def mass_kg(self) -> float:
        """Atomic mass in kg."""
        return self.mass_u * ATOMIC_MASS_KG

    @property
    def reduced_mass_kg(self) -> float:
        """Reduced mass of a pair of identical atoms, m/2, in kg."""
        return 0.5 * self.mass_kg

    @property
    def channels(self) -> tuple[int, ...]:
        """Exchange-symmetric total-spin channels F = 0, 2, …, 2f."""
        return tuple(range(0, 2 * self.f + 1, 2))

    @property
    def is_lower_manifold(self) -> bool:
        """True when f = I - 1/2 (85Rb f=2, 87Rb f=1, 23Na f=1)."""
        return self.f == self.nuclear_spin - 0.5

    def scattering_length_m(self, channel: int) -> float:
        """a_F in metres."""
        return self.scattering_lengths_bohr[channel] * BOHR_RADIUS_M

    def with_scattering_lengths(
        self, values_bohr: Mapping[int, float], source: str, status: str | None = None
    ) -> Species:
        """A copy with some or all a_F replaced (Bohr radii), citing ``source``.

        ``status`` of the replaced values: ``None`` (default) means the registered set's
        status (``calibrated`` or ``illustrative``) when the
        replaced values contain a whole registered calibrated set of this species
        (:data:`CALIBRATED_SETS`, e.g. the ``paper-calibrated`` preset's a0, a2) with the
        same values, else ``user``; a value equal to the current one keeps its record (the
        measured a4 restated in a file stays ``measured``, a restated placeholder stays a
        placeholder). Replaced values carry no uncertainty.

        Examples
        --------
        >>> s = get_species("rb85").with_scattering_lengths({2: -470.0}, "my fit")
        >>> s.scattering_lengths_bohr[2], s.scattering_length_data[2].status
        (-470.0, 'user')
        >>> s.with_scattering_lengths({2: -460.0}, "x").scattering_length_data[2].status
        'user'
        >>> t = get_species("rb85").with_scattering_lengths({2: -701.86}, "x")  # restated
        >>> t.scattering_length_data[2].status
        'computed'
        """
        a = dict(self.scattering_lengths_bohr)
        new: dict[int, float] = {}
        for k, v in values_bohr.items():
            if int(k) not in a:
                raise InputError("scattering_lengths_bohr", f"a{k}", f"channels a{list(a)}")
            new[int(k)] = check_finite(f"scattering_lengths_bohr.a{k}", v)
        a.update(new)
        info = dict(self.scattering_length_data)
        cal = _matching_calibrated_set(self, new) if status is None else None
        for ch, v in new.items():
            old = self.scattering_length_data[ch]
            if status is None and old.value_bohr == v and old.status != "user":
                continue  # the same number keeps its provenance (measured or placeholder)
            if cal is not None and ch in cal.values_bohr:
                info[ch] = ScatteringLength(ch, v, cal.status, cal.source)
            else:
                info[ch] = ScatteringLength(ch, v, status or "user", source)
        sources = dict(self.sources)
        sources["scattering_lengths_bohr"] = source
        unc = {
            k: u
            for k, u in self.scattering_lengths_uncertainty_bohr.items()
            if info[k] is self.scattering_length_data[k]
        }
        return dataclasses.replace(
            self,
            scattering_lengths_bohr=a,
            scattering_lengths_uncertainty_bohr=unc,
            sources=sources,
            scattering_length_data=info,
        )


@dataclass(frozen=True)
class CalibratedSet:
    """Scattering lengths that spinpair fitted (``calibrated``), recognised by value.

    A parameter file cannot carry a status (its keys are values only), so a set of a_F
    that equals a registered calibration is labelled with this ``status`` and ``source``:
    ``calibrated`` when it was fitted to data, ``illustrative`` when the targets it was
    fitted to are themselves illustrative (a status is never above what it rests on).
    """

    species: str
    f: int
    values_bohr: Mapping[int, float]
    source: str
    status: str = "calibrated"


#: The calibrations shipped with spinpair (the presets that contain them are tested to match).
CALIBRATED_SETS: tuple[CalibratedSet, ...] = (
    CalibratedSet(
        "rb85",
        2,
        {0: -454.66, 2: -463.43, 4: -443.0},
        "calibrated: paper-calibrated preset (spinpair.analysis.calibrate, ergodic+relaxation "
        "model, zero-range rates, fitted together with rate_scale = 89.05, a4 held at -443, "
        "Claussen's background length) to 00 = 0.40, "
        "chi1 = 0.37, chi2 = 0.23 after 100 ms at 0.5 G, 40 uK; only chi1 = 0.37 is quoted "
        "in the paper, the 00/chi2 split is illustrative; three parameters for two numbers: "
        "not unique. Status illustrative: tuned to illustrative targets, so the model's "
        "agreement with them is by construction",
        "illustrative",
    ),
)


def _matching_calibrated_set(species: Species, new: Mapping[int, float]) -> CalibratedSet | None:
    for cal in CALIBRATED_SETS:
        if (cal.species, cal.f) != (species.name, species.f):
            continue
        if all(ch in new and new[ch] == v for ch, v in cal.values_bohr.items()):
            return cal
    return None


_STECK_RB85 = 'D. A. Steck, "Rubidium 85 D Line Data", revision 2.3.3 (2024), Tables 1, 2, 4'
_STECK_RB87 = 'D. A. Steck, "Rubidium 87 D Line Data", revision 2.3.3 (2024), Tables 1, 2, 4'
_STECK_NA23 = 'D. A. Steck, "Sodium D Line Data", revision 2.3.3 (2024), Tables 1, 2, 4'

#: Where the 85Rb f=2 a_F come from (spinpair.scattering; the shipped tables hold them per
#: field, these are the zero-field values).
RB85_COMPUTED_NOTE = (
    "computed: spinpair.scattering coupled-channel s-wave solver (Johnson log-derivative) "
    "with the Rb2 X1Sigma_g+ / a3Sigma_u+ potentials of Strauss et al., PRA 82, 052514 "
    "(2010), zero energy, zero field; agrees with MOLSCAT (Hutson & Le Sueur, CPC 241, 9 "
    "(2019)) on the same potentials to 0.1 a_B; uncertainty: potential knobs sized on the "
    "85Rb 155 G resonance (Claussen et al., PRA 67, 060701 (2003)), see "
    "spinpair.scattering.uncertainty. a4 is NOT the -443 a_B of Claussen et al.: that is "
    "the background length a_bg near 155 G; a_bg(1 + Delta/B0) = -474 a_B at low field"
)
#: Kept for scripts that printed it: the placeholders are gone (see RB85_COMPUTED_NOTE).
RB85_A0_A2_NOTE = RB85_COMPUTED_NOTE
_RB87_F1 = (
    "measured: coupled-channel values from potentials fitted to measured spectra, "
    "van Kempen et al., PRL 88, 093201 (2002)"
)
_RB87_F2 = (
    "computed: absolute values from coupled-channel theory quoted by Widera et al., New J. "
    "Phys. 8, 152 (2006); measured there are only the differences a2 - a0 = 3.51(54) and "
    "a4 - a2 = 6.95(35) a_B"
)
_NA23_F1 = (
    "measured: coupled-channel values fitted to Feshbach spectroscopy, "
    "Knoop et al., PRA 83, 042704 (2011)"
)


def _lengths(values: dict[int, tuple[float, str, str, float | None]]) -> dict:
    """Species keyword arguments for the scattering lengths: F -> (value, status, source, σ)."""
    return dict(
        scattering_lengths_bohr={F: v[0] for F, v in values.items()},
        scattering_lengths_uncertainty_bohr={
            F: v[3] for F, v in values.items() if v[3] is not None
        },
        scattering_length_data={F: ScatteringLength(F, *v) for F, v in values.items()},
    )


_DATA: dict[tuple[str, int], dict] = {
    ("rb85", 2): dict(
        name="rb85",
        mass_u=84.911789738,
        nuclear_spin=2.5,
        f=2,
        hyperfine_splitting_hz=3.035732439e9,
        g_j=2.00233113,
        g_i=-0.00029364,
        **_lengths(
            {
                0: (-932.94, "computed", RB85_COMPUTED_NOTE, 13.3),
                2: (-701.86, "computed", RB85_COMPUTED_NOTE, 7.3),
                4: (-469.95, "computed", RB85_COMPUTED_NOTE, 4.4),
            }
        ),
        sources={
            "atomic": _STECK_RB85,
            "scattering_lengths_bohr": "a0, a2, a4: computed by spinpair.scattering from the "
            "Strauss et al. 2010 Rb2 potentials (see scattering_length_data)",
        },
    ),
    ("rb87", 1): dict(
        name="rb87",
        mass_u=86.909180531,
        nuclear_spin=1.5,
        f=1,
        hyperfine_splitting_hz=6.834682610904290e9,
        g_j=2.00233113,
        g_i=-0.0009951414,
        **_lengths({0: (101.8, "measured", _RB87_F1, 0.2), 2: (100.4, "measured", _RB87_F1, 0.1)}),
        sources={"atomic": _STECK_RB87, "scattering_lengths_bohr": _RB87_F1},
    ),
    ("rb87", 2): dict(
        name="rb87",
        mass_u=86.909180531,
        nuclear_spin=1.5,
        f=2,
        hyperfine_splitting_hz=6.834682610904290e9,
        g_j=2.00233113,
        g_i=-0.0009951414,
        **_lengths(
            {F: (v, "computed", _RB87_F2, None) for F, v in ((0, 87.93), (2, 91.28), (4, 99.18))}
        ),
        sources={"atomic": _STECK_RB87, "scattering_lengths_bohr": _RB87_F2},
    ),
    ("na23", 1): dict(
        name="na23",
        mass_u=22.9897692820,
        nuclear_spin=1.5,
        f=1,
        hyperfine_splitting_hz=1.7716261288e9,
        g_j=2.00229600,
        g_i=-0.00080461080,
        **_lengths(
            {0: (47.36, "measured", _NA23_F1, 0.80), 2: (52.98, "measured", _NA23_F1, 0.40)}
        ),
        sources={"atomic": _STECK_NA23, "scattering_lengths_bohr": _NA23_F1},
    ),
}

#: Default manifold per species name.
DEFAULT_F: dict[str, int] = {"rb85": 2, "rb87": 1, "na23": 1}

#: Built-in (species, f) pairs.
BUILTIN: tuple[tuple[str, int], ...] = tuple(_DATA)


def get_species(name: str, f: int | None = None) -> Species:
    """A built-in species with cited atomic data and scattering lengths.

    Parameters
    ----------
    name : str
        ``rb85`` (f = 2), ``rb87`` (f = 1 or 2) or ``na23`` (f = 1).
    f : int, optional
        Hyperfine manifold of both atoms (default: the species' usual one).

    Returns
    -------
    Species
        Frozen atomic data: mass [u], nuclear spin, hyperfine splitting [Hz], g-factors and
        the a_F [Bohr radii] with status and source.

    Raises
    ------
    spinpair.errors.InputError
        For an unknown name or manifold.

    Examples
    --------
    >>> get_species("rb85").f
    2
    """
    key = str(name).lower().replace("-", "").replace("_", "")
    if key not in DEFAULT_F:
        raise InputError("species", name, f"one of {sorted(DEFAULT_F)}")
    if f is None:
        f = DEFAULT_F[key]
    allowed = sorted(ff for (n, ff) in _DATA if n == key)
    try:
        f_int = int(f)
    except (TypeError, ValueError):
        raise InputError("f", f, f"one of {allowed} for {key}") from None
    if f_int != f or (key, f_int) not in _DATA:
        raise InputError("f", f, f"one of {allowed} for {key}")
    return Species(**_DATA[(key, f_int)])


def _x_parameter(species: Species, field_gauss: ArrayLike) -> NDArray[np.float64]:
    b = np.asarray(field_gauss, dtype=float) * GAUSS_T
    return (
        (species.g_j - species.g_i)
        * BOHR_MAGNETON_J_PER_T
        * b
        / (constants.h * species.hyperfine_splitting_hz)
    )


#: The largest field any function of this module takes (G): 10⁸ G = 10⁴ T, far beyond any
#: laboratory magnet and where the Breit–Rabi terms stay finite in double precision.
MAX_FIELD_GAUSS = 1e8


def check_field_gauss(field_gauss: ArrayLike, name: str = "field_gauss") -> NDArray[np.float64]:
    """Validate a magnetic field in gauss: finite, in [0, :data:`MAX_FIELD_GAUSS`]."""
    b = real_values(name, field_gauss)
    bad_mask = ~np.isfinite(b) | (b < 0) | (b > MAX_FIELD_GAUSS)
    if np.any(bad_mask):
        bad = b[bad_mask].ravel()[0] if b.ndim else float(b)
        if np.isfinite(bad) and bad > MAX_FIELD_GAUSS:
            raise InputError(name, float(bad), f"at most {MAX_FIELD_GAUSS:g} gauss (10⁴ T)")
        raise InputError(name, float(bad), "finite and >= 0 (gauss)")
    return b


def _breit_rabi_terms(
    species: Species, m: ArrayLike, field_gauss: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Linear nuclear term g_I μ_B m B/h and ±(ΔE/2)(√(1 + 4mx/(2I+1) + x²) - 1), in Hz.

    Kept apart from the GHz-size constant so that pair energy differences of millihertz
    keep full double precision.
    """
    instance("species", species, Species)
    b = check_field_gauss(field_gauss)
    m_arr = real_values("m", m)
    broadcast(m=m_arr, field_gauss=b)
    if np.any(np.abs(m_arr) > species.f + 1e-12):
        raise InputError("m", m, f"|m| <= f = {species.f}")
    two_i_plus_1 = 2 * species.nuclear_spin + 1
    x = _x_parameter(species, b)
    y = 4 * m_arr * x / two_i_plus_1 + x**2
    # sqrt(1 + y) - 1 without cancellation; stretched states use the signed root 1 ± x.
    root_minus_1 = y / (np.sqrt(1.0 + y) + 1.0)
    stretched = np.isclose(np.abs(m_arr), species.nuclear_spin + 0.5)
    root_minus_1 = np.where(stretched, np.sign(m_arr) * x, root_minus_1)
    sign = -1.0 if species.is_lower_manifold else 1.0
    lin = species.g_i * BOHR_MAGNETON_J_PER_T * m_arr * b * GAUSS_T / constants.h
    return lin, sign * (species.hyperfine_splitting_hz / 2) * root_minus_1


def zeeman_energy_hz(species: Species, m: ArrayLike, field_gauss: ArrayLike) -> NDArray[np.float64]:
    """Breit–Rabi energy E(f, m)/h of the species' manifold ``f``.

    E/h = −ΔE/(2(2I+1)) + g_I μ_B m B/h ± (ΔE/2) √(1 + 4 m x/(2I+1) + x²),
    x = (g_J − g_I) μ_B B / ΔE, with the minus sign for f = I − 1/2 and the plus sign for
    f = I + 1/2 (for the stretched states m = ±(I+1/2) the root is 1 ± x, signed). Energies
    are measured from the hyperfine centroid.

    Parameters
    ----------
    species : Species
        The atom and its manifold f.
    m : array_like
        Magnetic quantum numbers (integers in −f … f).
    field_gauss : array_like
        Magnetic field B [G]; broadcasts with ``m``.

    Returns
    -------
    numpy.ndarray
        E/h [Hz], the broadcast shape of ``m`` and ``field_gauss``.

    Examples
    --------
    >>> rb85 = get_species("rb85")
    >>> round(float(zeeman_energy_hz(rb85, 0, 0.0)) / 1e9, 6)
    -1.770844
    """
    lin, quad = _breit_rabi_terms(species, m, field_gauss)
    dE = species.hyperfine_splitting_hz
    sign = -1.0 if species.is_lower_manifold else 1.0
    return -dE / (2 * (2 * species.nuclear_spin + 1)) + sign * dE / 2 + lin + quad


def zeeman_shift_from_m0_hz(
    species: Species, m: ArrayLike, field_gauss: ArrayLike
) -> NDArray[np.float64]:
    """E(m) - E(0) in Hz, computed without the GHz-size constant (full precision)."""
    m_arr = real_values("m", m)
    lin, quad = _breit_rabi_terms(species, m_arr, field_gauss)
    _, quad0 = _breit_rabi_terms(species, 0.0 * m_arr, field_gauss)
    return lin + quad - quad0


def pair_zeeman_shift_hz(
    species: Species, k: ArrayLike, field_gauss: ArrayLike
) -> NDArray[np.float64]:
    """Pair energy E(|k,−k⟩) − E(|0,0⟩) divided by h (Breit–Rabi, exact).

    The linear Zeeman terms cancel; at low field the result is ≈ 2 k² ΔE x²/(2I+1)².

    Parameters
    ----------
    species : Species
        The atom and its manifold f.
    k : array_like
        m of the first atom (the pair is |k,−k⟩), integers in −f … f.
    field_gauss : array_like
        Magnetic field B [G]; broadcasts with ``k``.

    Returns
    -------
    numpy.ndarray
        The shift [Hz].

    Examples
    --------
    >>> round(float(pair_zeeman_shift_hz(get_species("rb85"), 2, 0.5)), 0)
    144.0
    """
    k_arr = real_values("k", k)
    return zeeman_shift_from_m0_hz(species, k_arr, field_gauss) + zeeman_shift_from_m0_hz(
        species, -k_arr, field_gauss
    )


def quadratic_zeeman_hz_per_gauss2(species: Species) -> float:
    """Low-field quadratic Zeeman coefficient q per atom: E(m) ⊃ ∓ q m² B² (Hz/G²).

    q = (g_J - g_I)² μ_B² / (h² ΔE (2I+1)²) · (1 G)²; the pair shift of |k,-k⟩ is 2 q k² B².

    Examples
    --------
    >>> round(quadratic_zeeman_hz_per_gauss2(get_species("rb85")), 1)
    71.9
    """
    x1 = float(_x_parameter(species, 1.0))
    return species.hyperfine_splitting_hz * x1**2 / (2 * species.nuclear_spin + 1) ** 2


def pair_zeeman_energies_hz(species: Species, field_gauss: float) -> NDArray[np.float64]:
    """Diagonal of the pair Zeeman Hamiltonian E(m1) + E(m2) in Hz, relative to |0,0⟩.

    Index order is that of :class:`spinpair.spin.PairBasis` (m = f - i per atom).

    Examples
    --------
    >>> e = pair_zeeman_energies_hz(get_species("rb85"), 0.5)
    >>> e.shape
    (25,)
    """
    ms = np.arange(species.f, -species.f - 1, -1, dtype=float)
    e1 = zeeman_shift_from_m0_hz(species, ms, field_gauss)
    return (e1[:, None] + e1[None, :]).ravel()


def _as_species(obj: Species | object) -> Species:
    if isinstance(obj, Species) or hasattr(obj, "scattering_length_data"):
        return obj  # type: ignore[return-value]
    getter = getattr(obj, "species_data", None)
    if getter is None:
        raise InputError("species", type(obj).__name__, "a Species or a Params")
    return getter()


def scattering_length_status(obj: Species | object) -> dict[str, dict]:
    """Value, status, source and uncertainty of every a_F of a :class:`Species` or of the
    species of a :class:`spinpair.params.Params` (its overrides applied).

    Keys ``a0``, ``a2``, …; values as :meth:`ScatteringLength.as_dict` (Bohr radii).

    Examples
    --------
    >>> st = scattering_length_status(get_species("rb85"))
    >>> [st[k]["status"] for k in ("a0", "a2", "a4")]
    ['computed', 'computed', 'computed']
    """
    sp = _as_species(obj)
    return {f"a{ch}": sp.scattering_length_data[ch].as_dict() for ch in sp.channels}


def placeholder_fields(obj: Species | object) -> list[str]:
    """Names (``a0_bohr``, …) of the scattering lengths of ``obj`` that are placeholders.

    Examples
    --------
    >>> placeholder_fields(get_species("rb85"))
    []
    >>> guess = get_species("rb85").with_scattering_lengths({0: -445.0}, "a guess", "placeholder")
    >>> placeholder_fields(guess)
    ['a0_bohr']
    """
    sp = _as_species(obj)
    return [
        f"a{ch}_bohr" for ch in sp.channels if sp.scattering_length_data[ch].status == "placeholder"
    ]


#: Collision models whose results do not depend on the scattering lengths.
_NO_COLLISION_PHYSICS = (None, "given")


def placeholder_notice(obj: Species | object, model: str | None) -> dict[str, list[str]]:
    """What an output computed with collision model ``model`` must say about placeholders.

    Empty when ``model`` is None or ``"given"`` (no collision dynamics: the a_F are not
    used) or when no a_F is a placeholder; else ``{"placeholders": [...], "warnings":
    [one sentence]}``, ready to merge into a JSON output (the CLI prints the sentence once
    on stderr).

    Examples
    --------
    >>> guess = get_species("rb85").with_scattering_lengths({0: -445.0}, "a guess", "placeholder")
    >>> placeholder_notice(guess, "ergodic")["placeholders"]
    ['a0_bohr']
    >>> placeholder_notice(guess, "given")
    {}
    """
    if model in _NO_COLLISION_PHYSICS:
        return {}
    sp = _as_species(obj)
    names = placeholder_fields(sp)
    if not names:
        return {}
    listed = ", ".join(n.removesuffix("_bohr") for n in names)
    text = (
        f"the {model} collision model uses placeholder scattering lengths ({listed} of "
        f"{sp.name} f={sp.f}: no source), so its populations are not predictions; set "
        "them in [scattering_lengths_bohr] or calibrate on your data"
    )
    return {"placeholders": names, "warnings": [text]}


def species_summary(species: Species) -> dict:
    """A JSON-ready summary of a species (values with units and sources)."""
    return {
        "name": species.name,
        "f": species.f,
        "nuclear_spin": species.nuclear_spin,
        "mass_u": species.mass_u,
        "hyperfine_splitting_hz": species.hyperfine_splitting_hz,
        "g_j": species.g_j,
        "g_i": species.g_i,
        "scattering_lengths_bohr": {f"a{k}": v for k, v in species.scattering_lengths_bohr.items()},
        "scattering_lengths_uncertainty_bohr": {
            f"a{k}": v for k, v in species.scattering_lengths_uncertainty_bohr.items()
        },
        "scattering_lengths": scattering_length_status(species),
        "placeholders": placeholder_fields(species),
        "quadratic_zeeman_hz_per_gauss2": quadratic_zeeman_hz_per_gauss2(species),
        "sources": dict(species.sources),
    }


__all__ = [
    "ATOMIC_MASS_KG",
    "BOHR_RADIUS_M",
    "BUILTIN",
    "CALIBRATED_SETS",
    "DEFAULT_F",
    "RB85_A0_A2_NOTE",
    "RB85_COMPUTED_NOTE",
    "SCATTERING_LENGTH_STATUSES",
    "CalibratedSet",
    "ScatteringLength",
    "Species",
    "check_field_gauss",
    "get_species",
    "pair_zeeman_energies_hz",
    "pair_zeeman_shift_hz",
    "placeholder_fields",
    "placeholder_notice",
    "quadratic_zeeman_hz_per_gauss2",
    "scattering_length_status",
    "species_summary",
    "zeeman_energy_hz",
    "zeeman_shift_from_m0_hz",
]
