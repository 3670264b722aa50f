"""The tweezer and the thermal relative motion of the pair (spec §3a, "Trap").

A Gaussian tweezer of depth U0, waist w0 and wavelength λ is approximated near its bottom by
a harmonic trap with

    ω_r = √(4 U0 / (m w0²)),   ω_z = √(2 U0 / (m z_R²)),   z_R = π w0² / λ

(paper: ≈ 102 kHz and 24.5 kHz). Two atoms of mass m in it separate into centre of mass
and relative motion; the relative motion has the same frequencies and the reduced mass
μ = m/2. Thermal quantities of the relative motion at temperature T:

* classical contact density  ρ_c = (m / (4π k_B T))^{3/2} ω_x ω_y ω_z  (m⁻³);
* microcanonical contact density at relative energy E
  ρ_c^cl(E) = √2 μ^{3/2} ω_x ω_y ω_z / (π² E^{3/2}), whose thermal average over
  p(E) = E² e^{−E/k_B T} / (2 (k_B T)³) is ρ_c;
* Maxwell distribution of the relative speed, mean ⟨v⟩ = √(8 k_B T / (π μ)).

Frequencies are stored in Hz (ν = ω/2π); energies in J; lengths in m.

Allowed ranges are declared once, with their reasons, in :class:`TrapParams` (the
``[trap]`` table of a parameter file; the generated table of every parameter is in the
docs' parameter reference); the constants below (:data:`DEPTH_HZ_RANGE` …) are read from
it. Every range is checked before any arithmetic, so no input overflows or divides by zero.

Two rules tie fields together:

* **Temperature against depth:** η = U0/(k_B T) ≥ :data:`MIN_DEPTH_OVER_KT` = 10. The
  harmonic frequencies and the thermal (Boltzmann) pair quantities below assume that the
  atoms sample only the bottom of the Gaussian well. At η = 10 the fraction of a 3D
  harmonic Boltzmann distribution above the trap rim, e^{−η}(1 + η + η²/2), is 0.3 %, and
  the anharmonic correction to the mean energy is of order k_B T/U0 = 10 %; at smaller η
  atoms evaporate and the models are meaningless (the paper has η ≈ 26: 22 MHz, 40 µK).
* **Waist against wavelength:** w0 ≥ λ/π, i.e. far-field divergence λ/(π w0) ≤ 1 rad; the
  Gaussian-beam (paraxial) Rayleigh range z_R = π w0²/λ means nothing for tighter foci.

Examples
--------
>>> from spinpair.species import get_species
>>> t = PairTrap.from_tweezer(get_species("rb85"), 22e6, 1e-6, 1064e-9, 40e-6)
>>> [round(x / 1e3, 1) for x in t.frequencies_hz]
[102.3, 102.3, 24.5]
>>> f"{t.contact_density_m3:.2e}"
'5.83e+18'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _constants as constants
from .errors import InputError
from .schema import Table, param, specs
from .species import BOHR_RADIUS_M, Species
from .validation import Interval, fmt, fmt_down, real, real_array

HBAR = constants.hbar
KB = constants.k
H_PLANCK = constants.h


@dataclass(frozen=True)
class TrapParams(Table):
    """Optical tweezer and temperature of the pair's relative motion (``[trap]``).

    A Gaussian tweezer of depth U0, waist w0 and wavelength λ, approximated near its bottom
    by a harmonic trap (:class:`PairTrap` builds it); the atoms' relative motion is thermal
    at temperature T. Each field is checked against its range when the table is made
    (an :class:`~spinpair.errors.InputError` names ``trap.<field>``); the rules that tie
    the fields together (k_B T ≤ U0/10, w0 ≥ λ/π) are checked by
    :class:`~spinpair.params.Params`. Defaults are the paper's trap.

    Attributes
    ----------
    depth_hz : float
        Trap depth U0/h [Hz], in [1e3, 1e9] (default 22e6, the paper's 22 MHz).
    waist_m : float
        1/e² intensity radius w0 [m], in [1e-7, 1e-3] and ≥ λ/π (default 1e-6).
    wavelength_m : float
        Tweezer wavelength λ [m], in [2e-7, 2e-5] (default 1064e-9).
    temperature_k : float
        Temperature T of the relative motion [K], in [1e-9, 10] and k_B T ≤ U0/10
        (default 40e-6).
    frequencies_hz : tuple of float or None
        Explicit trap frequencies (ν_x, ν_y, ν_z) [Hz], each in [1, 1e7]; when given they
        override the Gaussian-beam harmonic frequencies (default None).

    Examples
    --------
    >>> t = TrapParams(temperature_k=20e-6)
    >>> t.depth_hz, t.waist_m, t.temperature_k
    (22000000.0, 1e-06, 2e-05)
    >>> TrapParams(frequencies_hz=[1e5, 1e5, 2.5e4]).frequencies_hz
    (100000.0, 100000.0, 25000.0)
    """

    TABLE = "trap"

    depth_hz: float = param(
        22e6,
        unit="Hz",
        range=Interval(1e3, 1e9),
        doc="tweezer depth U0/h",
        reason="≈ 50 nK·k_B, below which nothing laser-cooled stays trapped, to ≈ 48 mK·k_B, "
        "ten times the deepest optical tweezers; outside is a unit error",
        status="paper",
    )
    waist_m: float = param(
        1.0e-6,
        unit="m",
        range=Interval(1e-7, 1e-3),
        doc="1/e^2 intensity waist w0",
        note=">= wavelength/pi",
        reason="sub-wavelength to millimetre dipole traps",
        status="paper",
    )
    wavelength_m: float = param(
        1064e-9,
        unit="m",
        range=Interval(2e-7, 2e-5),
        doc="tweezer wavelength",
        reason="UV to CO2-laser (10.6 µm) traps",
        status="paper",
    )
    temperature_k: float = param(
        40e-6,
        unit="K",
        range=Interval(1e-9, 10.0),
        doc="temperature of the relative motion",
        note="and k_B T <= U0/10",
        reason="the depth rule binds first: <= 105.6 µK in the paper's 22 MHz trap",
        status="paper",
        options=("dynamics --temperature", "calibrate --temperature"),
    )
    frequencies_hz: tuple[float, float, float] | None = param(
        None,
        kind="reals",
        length=3,
        optional=True,
        unit="Hz",
        range=Interval(1.0, 1e7),
        doc="explicit trap frequencies [fx, fy, fz] (optional)",
        reason="from very weak to the tightest (ion-trap-like) traps",
    )


_TRAP = specs(TrapParams)


def _range(key: str) -> Interval:
    r = _TRAP[key].range
    assert r is not None
    return r


#: Allowed U0/h (Hz), from :class:`TrapParams`.
DEPTH_HZ_RANGE: Interval = _range("trap.depth_hz")
#: Allowed 1/e² intensity waist w0 (m).
WAIST_M_RANGE: Interval = _range("trap.waist_m")
#: Allowed tweezer wavelength λ (m).
WAVELENGTH_M_RANGE: Interval = _range("trap.wavelength_m")
#: Allowed temperature T (K) on its own; the binding upper bound is the depth rule k_B T ≤ U0/10.
TEMPERATURE_K_RANGE: Interval = _range("trap.temperature_k")
#: Allowed explicit trap frequency ν (Hz), each axis (``trap.frequencies_hz``).
FREQUENCY_HZ_RANGE: Interval = _range("trap.frequencies_hz")
#: Frequencies a :class:`PairTrap` accepts (Hz): wider than :data:`FREQUENCY_HZ_RANGE`,
#: since a shallow, wide tweezer in the allowed box has an axial frequency far below 1 Hz;
#: the upper end keeps ω³ finite.
PAIR_TRAP_FREQUENCY_HZ_RANGE = Interval(0.0, 1e8, lo_open=True)
#: Allowed atomic mass (kg): hydrogen (1.7e-27) to beyond the heaviest atoms (≈ 4e-25).
MASS_KG_RANGE = Interval(1e-27, 1e-23)
#: Smallest allowed η = U0/(k_B T) (dimensionless): k_B T ≤ U0/10.
MIN_DEPTH_OVER_KT = 10.0


def max_temperature_k(depth_hz: float) -> float:
    """The highest temperature (K) allowed in a trap of depth U0 = h·depth_hz: U0/(10 k_B).

    Examples
    --------
    >>> round(max_temperature_k(22e6) * 1e6, 1)
    105.6
    """
    return H_PLANCK * depth_hz / (MIN_DEPTH_OVER_KT * KB)


def check_temperature_against_depth(
    temperature_k: float, depth_hz: float, field: str = "trap.temperature_k"
) -> None:
    """Raise :class:`InputError` unless k_B T ≤ U0/10 (see the module docstring for why).

    Examples
    --------
    >>> check_temperature_against_depth(1.0, 22e6)
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: trap.temperature_k = 1.0 is invalid: allowed <= ...
    """
    t_max = max_temperature_k(depth_hz)
    if temperature_k > t_max:
        raise InputError(
            field,
            temperature_k,
            f"<= U0/({fmt(MIN_DEPTH_OVER_KT)} k_B) = {fmt_down(t_max)} K for depth_hz = "
            f"{fmt(depth_hz)}",
            f"U0/(k_B T) = {depth_hz * H_PLANCK / (KB * temperature_k):.3g}: the harmonic "
            "and thermal models need the atoms deep in the well (lower T or a deeper trap)",
        )


def check_waist_against_wavelength(
    waist_m: float, wavelength_m: float, prefix: str = "trap."
) -> None:
    """Raise :class:`InputError` unless w0 ≥ λ/π (divergence ≤ 1 rad, Gaussian-beam model)."""
    if waist_m < wavelength_m / math.pi:
        raise InputError(
            f"{prefix}waist_m",
            waist_m,
            f">= {prefix}wavelength_m/pi = {fmt(wavelength_m / math.pi)} m",
            "a tighter focus is outside the Gaussian-beam (paraxial) model",
        )


def check_tweezer(
    depth_hz: float, waist_m: float, wavelength_m: float, prefix: str = "trap."
) -> tuple[float, float, float]:
    """Check a Gaussian tweezer's depth (Hz), waist (m) and wavelength (m) against their
    ranges and w0 ≥ λ/π; return them as floats."""
    d = real(f"{prefix}depth_hz", depth_hz, DEPTH_HZ_RANGE, "Hz")
    w = real(f"{prefix}waist_m", waist_m, WAIST_M_RANGE, "m")
    lam = real(f"{prefix}wavelength_m", wavelength_m, WAVELENGTH_M_RANGE, "m")
    check_waist_against_wavelength(w, lam, prefix)
    return d, w, lam


def tweezer_frequencies_hz(
    mass_kg: float, depth_hz: float, waist_m: float, wavelength_m: float
) -> tuple[float, float, float]:
    """Harmonic frequencies (ν_x, ν_y, ν_z) in Hz of a Gaussian tweezer of depth U0 = h·depth_hz.

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> nu = tweezer_frequencies_hz(get_species("rb85").mass_kg, 22e6, 1e-6, 1064e-9)
    >>> round(nu[2] / 1e3, 1)
    24.5
    """
    depth_hz, waist_m, wavelength_m = check_tweezer(depth_hz, waist_m, wavelength_m)
    mass_kg = real("mass_kg", mass_kg, MASS_KG_RANGE, "kg")
    return _harmonic_frequencies_hz(mass_kg, depth_hz, waist_m, wavelength_m)


def _harmonic_frequencies_hz(
    mass_kg: float, depth_hz: float, waist_m: float, wavelength_m: float
) -> tuple[float, float, float]:
    """:func:`tweezer_frequencies_hz` without the checks (for values already validated)."""
    u0 = H_PLANCK * depth_hz
    z_r = math.pi * waist_m**2 / wavelength_m
    w_r = math.sqrt(4 * u0 / (mass_kg * waist_m**2))
    w_z = math.sqrt(2 * u0 / (mass_kg * z_r**2))
    return (w_r / (2 * math.pi), w_r / (2 * math.pi), w_z / (2 * math.pi))


@dataclass(frozen=True)
class PairTrap:
    """Relative motion of two identical atoms in a harmonic trap at temperature T.

    ``frequencies_hz`` (ν_x, ν_y, ν_z) in Hz, ``mass_kg`` the atomic mass (kg),
    ``temperature_k`` (K). The relative motion has reduced mass μ = m/2.
    """

    frequencies_hz: tuple[float, float, float]
    mass_kg: float
    temperature_k: float

    def __post_init__(self) -> None:
        fr = real_array(
            "trap.frequencies_hz", self.frequencies_hz, PAIR_TRAP_FREQUENCY_HZ_RANGE, "Hz", 3
        )
        object.__setattr__(self, "frequencies_hz", fr)
        object.__setattr__(self, "mass_kg", real("mass_kg", self.mass_kg, MASS_KG_RANGE, "kg"))
        object.__setattr__(
            self,
            "temperature_k",
            real("trap.temperature_k", self.temperature_k, TEMPERATURE_K_RANGE, "K"),
        )

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_tweezer(
        cls,
        species: Species,
        depth_hz: float,
        waist_m: float,
        wavelength_m: float,
        temperature_k: float,
    ) -> PairTrap:
        """The harmonic approximation of a Gaussian tweezer (see the module docstring);
        checks every range and k_B T ≤ U0/10."""
        nu = tweezer_frequencies_hz(species.mass_kg, depth_hz, waist_m, wavelength_m)
        trap = cls(nu, species.mass_kg, temperature_k)
        check_temperature_against_depth(trap.temperature_k, float(depth_hz))
        return trap

    @classmethod
    def from_params(cls, params: Any) -> PairTrap:
        """From a :class:`spinpair.params.Params` (explicit ``frequencies_hz`` win).

        The trap fields were validated by the parameter schema (ranges) and
        :class:`~spinpair.params.Params` (k_B T ≤ U0/10, w0 ≥ λ/π): they are not checked
        again here; only the derived frequencies are (:data:`PAIR_TRAP_FREQUENCY_HZ_RANGE`).
        """
        sp = params.species_data()
        t = params.trap
        if t.frequencies_hz is not None:
            return cls(tuple(t.frequencies_hz), sp.mass_kg, t.temperature_k)
        nu = _harmonic_frequencies_hz(sp.mass_kg, t.depth_hz, t.waist_m, t.wavelength_m)
        return cls(nu, sp.mass_kg, t.temperature_k)

    # ------------------------------------------------------------------ basic quantities

    @property
    def omega(self) -> NDArray[np.float64]:
        """Angular frequencies (ω_x, ω_y, ω_z) in rad/s."""
        return 2 * np.pi * np.asarray(self.frequencies_hz)

    @property
    def reduced_mass_kg(self) -> float:
        """μ = m/2 (kg)."""
        return 0.5 * self.mass_kg

    @property
    def kt_j(self) -> float:
        """k_B T in J."""
        return KB * self.temperature_k

    @property
    def oscillator_length_m(self) -> float:
        """√(ħ / (μ ω̄)) of the relative motion, ω̄ the geometric mean (m)."""
        wbar = float(np.prod(self.omega)) ** (1 / 3)
        return math.sqrt(HBAR / (self.reduced_mass_kg * wbar))

    @property
    def contact_density_m3(self) -> float:
        """Classical thermal pair density at contact ρ_c = (m/(4π k_B T))^{3/2} ω_xω_yω_z (m⁻³)."""
        return (self.mass_kg / (4 * math.pi * self.kt_j)) ** 1.5 * float(np.prod(self.omega))

    def contact_density_at_energy_m3(self, energy_j: ArrayLike) -> NDArray[np.float64]:
        """Classical microcanonical contact density ρ_c^cl(E) (m⁻³) at relative energy E (J).

        Exchange-symmetric pairs occupy only even relative states, which doubles it
        (spec §3a); this function returns the classical value without that factor.
        """
        e = np.asarray(energy_j, dtype=float)
        bad = ~np.isfinite(e) | (e <= 0)
        if np.any(bad):
            raise InputError("energy_j", float(np.ravel(e)[np.ravel(bad)][0]), "finite > 0 (J)")
        mu = self.reduced_mass_kg
        return math.sqrt(2) * mu**1.5 * float(np.prod(self.omega)) / (math.pi**2 * e**1.5)

    @property
    def mean_relative_speed_m_s(self) -> float:
        """Maxwell mean relative speed ⟨v⟩ = √(8 k_B T / (π μ)) (m/s)."""
        return math.sqrt(8 * self.kt_j / (math.pi * self.reduced_mass_kg))

    def relative_speed_pdf(self, v_m_s: ArrayLike) -> NDArray[np.float64]:
        """Maxwell distribution of the relative speed (s/m), normalised over v ≥ 0."""
        v = np.asarray(v_m_s, dtype=float)
        mu, kt = self.reduced_mass_kg, self.kt_j
        return 4 * np.pi * (mu / (2 * np.pi * kt)) ** 1.5 * v**2 * np.exp(-mu * v**2 / (2 * kt))

    def wavenumber_m(self, energy_j: ArrayLike) -> NDArray[np.float64]:
        """Relative wavenumber k = √(2 μ E)/ħ (1/m) at relative kinetic energy E (J)."""
        return np.sqrt(2 * self.reduced_mass_kg * np.asarray(energy_j, dtype=float)) / HBAR

    @property
    def thermal_wavenumber_m(self) -> float:
        """k at the mean relative speed, μ⟨v⟩/ħ (1/m)."""
        return self.reduced_mass_kg * self.mean_relative_speed_m_s / HBAR

    def summary(self, scattering_length_bohr: float | None = None) -> dict[str, Any]:
        """JSON-ready thermal quantities; with a scattering length also k·a and a/a_ho."""
        out: dict[str, Any] = {
            "frequencies_hz": list(self.frequencies_hz),
            "temperature_k": self.temperature_k,
            "contact_density_m3": self.contact_density_m3,
            "mean_relative_speed_m_s": self.mean_relative_speed_m_s,
            "oscillator_length_m": self.oscillator_length_m,
            "kT_over_h_hz": self.kt_j / H_PLANCK,
        }
        if scattering_length_bohr is not None:
            a = scattering_length_bohr * BOHR_RADIUS_M
            out["k_times_a"] = self.thermal_wavenumber_m * abs(a)
            out["a_over_a_ho"] = a / self.oscillator_length_m
        return out


__all__ = [
    "DEPTH_HZ_RANGE",
    "FREQUENCY_HZ_RANGE",
    "MIN_DEPTH_OVER_KT",
    "PAIR_TRAP_FREQUENCY_HZ_RANGE",
    "TEMPERATURE_K_RANGE",
    "WAIST_M_RANGE",
    "WAVELENGTH_M_RANGE",
    "PairTrap",
    "TrapParams",
    "check_temperature_against_depth",
    "check_tweezer",
    "check_waist_against_wavelength",
    "max_temperature_k",
    "tweezer_frequencies_hz",
]
