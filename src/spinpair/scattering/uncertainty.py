"""What the potentials leave open, propagated into the a_F.

The Strauss et al. 2010 potentials put the 85Rb |2,−2⟩ + |2,−2⟩ Feshbach resonance at
154.72 G (this solver and MOLSCAT agree); Claussen et al., PRA 67, 060701 (2003) measured
B0 = 155.041(18) G. The gap measures how well the potentials fix the short-range phases.
Two knobs move those phases without touching the long range: a constant δ_S (δ_T) added
to the singlet (triplet) potential inside 9 bohr, tapered to zero by 15 bohr
(:func:`spinpair.scattering.solver._wall_shift`). For each knob we find the size σ_X
that moves B0 by the gap plus the measurement's uncertainty, and take

    σ(a_F)² = (∂a_F/∂δ_S · σ_S)² + (∂a_F/∂δ_T · σ_T)²

(central finite differences). This is a 1σ-like band for "any potential that places the
resonance within its observed error of the measurement", not a statistical interval:
the knobs are independent here, while the data constrain them jointly, so the band is
generous. The same knobs applied to 87Rb give the change they would make there (the
potentials are mass-independent), which the tests compare with the 87Rb measurements.

Examples
--------
>>> B0_MEASURED_G
155.041
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ..species import Species, get_species
from .solver import scattering_lengths

#: Claussen et al., PRA 67, 060701 (2003): resonance position and zero crossing (G).
B0_MEASURED_G = 155.041
B0_MEASURED_SIGMA_G = 0.018
ZERO_CROSSING_MEASURED_G = 165.75
ZERO_CROSSING_MEASURED_SIGMA_G = 0.01
#: Width Δ (G) and background scattering length (bohr) of the same measurement.
DELTA_MEASURED_G = 10.71
A_BG_MEASURED_BOHR = -443.0

#: Finite-difference step of the knobs (hartree).
KNOB_STEP_HARTREE = 2e-8


def rb85_stretched_a(field_gauss: float, shift: tuple[float, float] = (0.0, 0.0)) -> float:
    """Scattering length (bohr) of 85Rb |2,−2⟩ + |2,−2⟩ at ``field_gauss``."""
    r = scattering_lengths(get_species("rb85"), field_gauss, M=-4, wall_shift_hartree=shift)
    return r.a_f_bohr[4]


def rb85_resonance_field(
    shift: tuple[float, float] = (0.0, 0.0), bracket: tuple[float, float] = (150.0, 160.0)
) -> float:
    """Pole B0 (G) of the 85Rb |2,−2⟩ + |2,−2⟩ resonance near 155 G (root of 1/a)."""
    return float(optimize.brentq(lambda b: 1.0 / rb85_stretched_a(b, shift), *bracket, xtol=1e-4))


def rb85_zero_crossing_field(
    shift: tuple[float, float] = (0.0, 0.0), bracket: tuple[float, float] = (160.0, 175.0)
) -> float:
    """Zero crossing (G) of the 85Rb |2,−2⟩ + |2,−2⟩ scattering length above the pole."""
    return float(optimize.brentq(lambda b: rb85_stretched_a(b, shift), *bracket, xtol=1e-4))


@dataclass(frozen=True)
class AFUncertainty:
    """1σ-like uncertainties (bohr) of the a_F, with how they were obtained."""

    sigma_bohr: dict[int, float]
    knob_sigma_hartree: dict[str, float]
    derivatives_bohr_per_hartree: dict[str, dict[int, float]]
    method: str


def a_f_uncertainties(species: Species, field_gauss: float = 0.0) -> AFUncertainty:
    """σ(a_F) of ``species`` from the two potential knobs sized on the 85Rb resonance.

    Takes ~10 s (four resonance searches and four a_F solves): table generation only.
    """
    b0 = rb85_resonance_field()
    gap = abs(b0 - B0_MEASURED_G) + B0_MEASURED_SIGMA_G
    step = KNOB_STEP_HARTREE
    knob_sigma: dict[str, float] = {}
    derivs: dict[str, dict[int, float]] = {}
    for name, unit in (("singlet", (1.0, 0.0)), ("triplet", (0.0, 1.0))):
        plus = (unit[0] * step, unit[1] * step)
        minus = (-unit[0] * step, -unit[1] * step)
        dB = (rb85_resonance_field(plus) - rb85_resonance_field(minus)) / (2 * step)
        knob_sigma[name] = gap / abs(dB) if dB != 0 else float("inf")
        a_p = scattering_lengths(species, field_gauss, wall_shift_hartree=plus).a_f_bohr
        a_m = scattering_lengths(species, field_gauss, wall_shift_hartree=minus).a_f_bohr
        derivs[name] = {F: (a_p[F] - a_m[F]) / (2 * step) for F in a_p}
    sigma = {
        F: float(
            np.hypot(
                derivs["singlet"][F] * knob_sigma["singlet"],
                derivs["triplet"][F] * knob_sigma["triplet"],
            )
        )
        for F in species.channels
    }
    method = (
        f"potential knobs δ_S, δ_T (constant inside 9 bohr, tapered to 0 at 15 bohr) each "
        f"sized to move the 85Rb |2,-2>+|2,-2> resonance by |B0_model - B0_measured| + "
        f"σ_meas = {gap:.3f} G (model {b0:.3f} G, Claussen et al. 2003: "
        f"{B0_MEASURED_G} ± {B0_MEASURED_SIGMA_G} G); σ_S = {knob_sigma['singlet']:.3g} Eh, "
        f"σ_T = {knob_sigma['triplet']:.3g} Eh; a_F errors added in quadrature"
    )
    return AFUncertainty(sigma, knob_sigma, derivs, method)


__all__ = [
    "B0_MEASURED_G",
    "AFUncertainty",
    "a_f_uncertainties",
    "rb85_resonance_field",
    "rb85_stretched_a",
    "rb85_zero_crossing_field",
]
