"""From bounds on the detuning to bounds on the magnetic field (spec §6).

A field change ΔB moves the |1⟩ ↔ |-1⟩ Raman resonance, hence the detuning δ, by
|∂δ/∂B| ΔB; the slope comes from the Breit–Rabi energies of :mod:`spinpair.species`
(h = 1, Hz). A Cramér–Rao bound Δδ (Hz) becomes ΔB = Δδ / |∂δ/∂B| (G).

Examples
--------
>>> from spinpair.species import get_species
>>> slope = detuning_per_gauss(get_species("rb85"), 8.5)       # Hz/G
>>> round(float(field_bound_gauss(1e3, slope)) * 1e3, 2)         # mG for Δδ = 1 kHz
1.07
"""

from __future__ import annotations

from numpy.typing import ArrayLike, NDArray

from ..errors import check_range
from ..species import MAX_FIELD_GAUSS, Species, zeeman_shift_from_m0_hz
from ..validation import instance, real_values


def detuning_per_gauss(species: Species, field_gauss: float, step_gauss: float = 1e-4) -> float:
    """|∂δ/∂B| in Hz/G: the slope of the Raman resonance E(1) - E(-1) (Breit–Rabi, h = 1)
    at ``field_gauss``, by central differences. A field change ΔB moves the resonance, hence
    the detuning, by |∂δ/∂B| ΔB.

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> rb85 = get_species("rb85")
    >>> round(detuning_per_gauss(rb85, 8.5) / 1e6, 4)   # MHz/G; 2|g_F| μ_B/h, g_F ≈ -0.334
    0.9352
    """
    instance("species", species, Species, "a Species (spinpair.get_species)")
    b = check_range("field_gauss", field_gauss, 0.0, MAX_FIELD_GAUSS, unit="G")
    h = check_range("step_gauss", step_gauss, 0.0, None, lo_open=True)
    lo, hi = max(b - h, 0.0), b + h

    def split(x: float) -> float:
        return float(
            zeeman_shift_from_m0_hz(species, 1, x) - zeeman_shift_from_m0_hz(species, -1, x)
        )

    return abs(split(hi) - split(lo)) / (hi - lo)


def field_bound_gauss(detuning_bound_hz: ArrayLike, slope_hz_per_gauss: float) -> NDArray:
    """Convert a bound on δ (Hz) into one on B (G): ΔB = Δδ / |∂δ/∂B|.

    Examples
    --------
    >>> round(float(field_bound_gauss(933.0, 0.933e6)) * 1e3, 6)     # mG
    1.0
    """
    s = check_range("slope_hz_per_gauss", slope_hz_per_gauss, 0.0, None, lo_open=True)
    return real_values("detuning_bound_hz", detuning_bound_hz) / s


__all__ = ["detuning_per_gauss", "field_bound_gauss"]
