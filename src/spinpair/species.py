"""Atomic data for the built-in species and Breit–Rabi Zeeman energies.

A :class:`Species` is data: the mass, nuclear spin, hyperfine manifold ``f``, ground-state
hyperfine splitting, g-factors and the s-wave scattering lengths ``a_F`` of the
exchange-symmetric pair channels (F = 0, 2, …, 2f), each with the source it comes from.

Units: masses in kg (``mass_kg``; ``mass_u`` in unified atomic mass units), frequencies
in Hz, fields in gauss (1 G = 1e-4 T), scattering lengths in Bohr radii.

Sources (see also ``docs/physics.md``):

* 85Rb: D. A. Steck, "Rubidium 85 D Line Data", rev. 2.3.3 (2024).
* 87Rb: D. A. Steck, "Rubidium 87 D Line Data", rev. 2.3.3 (2024).
* 23Na: D. A. Steck, "Sodium D Line Data", rev. 2.3.3 (2024).
* Scattering lengths: per species, in :data:`BUILTIN`.

Example
-------
>>> rb85 = get_species("rb85")
>>> round(float(pair_zeeman_shift_hz(rb85, 1, 0.5)), 1)
35.9
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _constants as constants
from .errors import InputError, check_finite, check_range

#: Atomic mass constant in kg (CODATA via scipy.constants).
ATOMIC_MASS_KG: float = constants.physical_constants["atomic mass constant"][0]
#: Bohr radius in m (CODATA via scipy.constants).
BOHR_RADIUS_M: float = constants.physical_constants["Bohr radius"][0]
#: Bohr magneton in J/T (CODATA via scipy.constants).
BOHR_MAGNETON_J_PER_T: float = constants.physical_constants["Bohr magneton"][0]
#: One gauss in tesla.
GAUSS_T: float = 1e-4


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
    scattering_lengths_uncertainty_bohr : mapping F -> 1σ uncertainty (Bohr radii).
    sources : mapping field name -> citation.

    Example
    -------
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
        object.__setattr__(self, "scattering_lengths_bohr", MappingProxyType(a))
        object.__setattr__(
            self,
            "scattering_lengths_uncertainty_bohr",
            MappingProxyType(dict(self.scattering_lengths_uncertainty_bohr)),
        )
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))

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

    def with_scattering_lengths(self, values_bohr: Mapping[int, float], source: str) -> Species:
        """A copy with some or all a_F replaced (Bohr radii), citing ``source``.

        Example
        -------
        >>> s = get_species("rb85").with_scattering_lengths({2: -460.0}, "user")
        >>> s.scattering_lengths_bohr[2]
        -460.0
        """
        a = dict(self.scattering_lengths_bohr)
        for k, v in values_bohr.items():
            if int(k) not in a:
                raise InputError("scattering_lengths_bohr", f"a{k}", f"channels a{list(a)}")
            a[int(k)] = check_finite(f"scattering_lengths_bohr.a{k}", v)
        sources = dict(self.sources)
        sources["scattering_lengths_bohr"] = source
        return dataclasses.replace(self, scattering_lengths_bohr=a, sources=sources)


_STECK_RB85 = 'D. A. Steck, "Rubidium 85 D Line Data", revision 2.3.3 (2024), Tables 1, 2, 4'
_STECK_RB87 = 'D. A. Steck, "Rubidium 87 D Line Data", revision 2.3.3 (2024), Tables 1, 2, 4'
_STECK_NA23 = 'D. A. Steck, "Sodium D Line Data", revision 2.3.3 (2024), Tables 1, 2, 4'

_RB85_A = (
    "Provisional set, see docs/physics.md#scattering-lengths: a4 = -443 a_B is the |2,-2> "
    "background value (Claussen et al., PRA 67, 060701 (2003)); a0 and a2 from the "
    "degenerate-internal-state projection of the singlet/triplet lengths of van Kempen et "
    "al., PRL 88, 093201 (2002); approximate for Rb"
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
        scattering_lengths_bohr={0: -445.0, 2: -460.0, 4: -443.0},
        scattering_lengths_uncertainty_bohr={0: 20.0, 2: 20.0, 4: 3.0},
        sources={"atomic": _STECK_RB85, "scattering_lengths_bohr": _RB85_A},
    ),
    ("rb87", 1): dict(
        name="rb87",
        mass_u=86.909180531,
        nuclear_spin=1.5,
        f=1,
        hyperfine_splitting_hz=6.834682610904290e9,
        g_j=2.00233113,
        g_i=-0.0009951414,
        scattering_lengths_bohr={0: 101.8, 2: 100.4},
        scattering_lengths_uncertainty_bohr={0: 0.2, 2: 0.1},
        sources={
            "atomic": _STECK_RB87,
            "scattering_lengths_bohr": "van Kempen et al., PRL 88, 093201 (2002)",
        },
    ),
    ("rb87", 2): dict(
        name="rb87",
        mass_u=86.909180531,
        nuclear_spin=1.5,
        f=2,
        hyperfine_splitting_hz=6.834682610904290e9,
        g_j=2.00233113,
        g_i=-0.0009951414,
        scattering_lengths_bohr={0: 87.93, 2: 91.28, 4: 99.18},
        scattering_lengths_uncertainty_bohr={0: 0.2, 2: 0.2, 4: 0.2},
        sources={
            "atomic": _STECK_RB87,
            "scattering_lengths_bohr": "Widera et al., New J. Phys. 8, 152 (2006)",
        },
    ),
    ("na23", 1): dict(
        name="na23",
        mass_u=22.9897692820,
        nuclear_spin=1.5,
        f=1,
        hyperfine_splitting_hz=1.7716261288e9,
        g_j=2.00229600,
        g_i=-0.00080461080,
        scattering_lengths_bohr={0: 47.36, 2: 52.98},
        scattering_lengths_uncertainty_bohr={0: 0.80, 2: 0.40},
        sources={
            "atomic": _STECK_NA23,
            "scattering_lengths_bohr": "Knoop et al., PRA 83, 042704 (2011)",
        },
    ),
}

#: Default manifold per species name.
DEFAULT_F: dict[str, int] = {"rb85": 2, "rb87": 1, "na23": 1}

#: Built-in (species, f) pairs.
BUILTIN: tuple[tuple[str, int], ...] = tuple(_DATA)


def get_species(name: str, f: int | None = None) -> Species:
    """Return a built-in species: ``rb85`` (f=2), ``rb87`` (f=1 or 2), ``na23`` (f=1).

    Raises :class:`InputError` for an unknown name or manifold.

    Example
    -------
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


def check_field_gauss(field_gauss: ArrayLike, name: str = "field_gauss") -> NDArray[np.float64]:
    """Validate a magnetic field in gauss: finite and >= 0."""
    b = np.asarray(field_gauss, dtype=float)
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        bad = b[~np.isfinite(b) | (b < 0)].ravel()[0] if b.ndim else float(b)
        raise InputError(name, float(bad), "finite and >= 0 (gauss)")
    return b


def _breit_rabi_terms(
    species: Species, m: ArrayLike, field_gauss: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Linear nuclear term g_I μ_B m B/h and ±(ΔE/2)(√(1 + 4mx/(2I+1) + x²) - 1), in Hz.

    Kept apart from the GHz-size constant so that pair energy differences of millihertz
    keep full double precision.
    """
    b = check_field_gauss(field_gauss)
    m_arr = np.asarray(m, dtype=float)
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
    """Breit–Rabi energy E(f, m)/h in Hz of the species' manifold ``f``.

    E/h = -ΔE/(2(2I+1)) + g_I μ_B m B/h ± (ΔE/2) √(1 + 4 m x/(2I+1) + x²),
    x = (g_J - g_I) μ_B B / ΔE, with the minus sign for f = I - 1/2 and the plus sign for
    f = I + 1/2 (for the stretched states m = ±(I+1/2) the root is 1 ± x, signed). Energies
    are measured from the hyperfine centroid. ``m`` and ``field_gauss`` broadcast.

    Example
    -------
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
    m_arr = np.asarray(m, dtype=float)
    lin, quad = _breit_rabi_terms(species, m_arr, field_gauss)
    _, quad0 = _breit_rabi_terms(species, 0.0 * m_arr, field_gauss)
    return lin + quad - quad0


def pair_zeeman_shift_hz(
    species: Species, k: ArrayLike, field_gauss: ArrayLike
) -> NDArray[np.float64]:
    """Pair energy E(|k,-k⟩) - E(|0,0⟩) in Hz (Breit–Rabi, exact).

    The linear Zeeman terms cancel; at low field the result is ≈ 2 m² ΔE x²/(2I+1)².

    Example
    -------
    >>> round(float(pair_zeeman_shift_hz(get_species("rb85"), 2, 0.5)), 0)
    144.0
    """
    k_arr = np.asarray(k, dtype=float)
    return zeeman_shift_from_m0_hz(species, k_arr, field_gauss) + zeeman_shift_from_m0_hz(
        species, -k_arr, field_gauss
    )


def quadratic_zeeman_hz_per_gauss2(species: Species) -> float:
    """Low-field quadratic Zeeman coefficient q per atom: E(m) ⊃ ∓ q m² B² (Hz/G²).

    q = (g_J - g_I)² μ_B² / (h² ΔE (2I+1)²) · (1 G)²; the pair shift of |k,-k⟩ is 2 q k² B².

    Example
    -------
    >>> round(quadratic_zeeman_hz_per_gauss2(get_species("rb85")), 1)
    71.9
    """
    x1 = float(_x_parameter(species, 1.0))
    return species.hyperfine_splitting_hz * x1**2 / (2 * species.nuclear_spin + 1) ** 2


def pair_zeeman_energies_hz(species: Species, field_gauss: float) -> NDArray[np.float64]:
    """Diagonal of the pair Zeeman Hamiltonian E(m1) + E(m2) in Hz, relative to |0,0⟩.

    Index order is that of :class:`spinpair.spin.PairBasis` (m = f - i per atom).

    Example
    -------
    >>> e = pair_zeeman_energies_hz(get_species("rb85"), 0.5)
    >>> e.shape
    (25,)
    """
    ms = np.arange(species.f, -species.f - 1, -1, dtype=float)
    e1 = zeeman_shift_from_m0_hz(species, ms, field_gauss)
    return (e1[:, None] + e1[None, :]).ravel()


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
        "quadratic_zeeman_hz_per_gauss2": quadratic_zeeman_hz_per_gauss2(species),
        "sources": dict(species.sources),
    }


__all__ = [
    "ATOMIC_MASS_KG",
    "BOHR_RADIUS_M",
    "BUILTIN",
    "DEFAULT_F",
    "Species",
    "check_field_gauss",
    "get_species",
    "pair_zeeman_energies_hz",
    "pair_zeeman_shift_hz",
    "quadratic_zeeman_hz_per_gauss2",
    "species_summary",
    "zeeman_energy_hz",
    "zeeman_shift_from_m0_hz",
]
