"""Ground-state model: both atoms in the motional ground state, coherent spin oscillations.

H/h = (2ħ/m)|ψ_0(0)|² Σ_F a_F P_F + H_Z, with |ψ_0(0)|² = Π_j √(μω_j/(πħ)) the density at
contact of the relative ground state (first order in a). As an option (isotropic traps
only), the exact interaction shifts of Busch et al., Found. Phys. 28, 549 (1998):
the relative ground-state energy E (units ħω) solves

    √2 Γ(−E/2 + 3/4) / Γ(−E/2 + 1/4) = ℓ / a,    ℓ = √(ħ/(m ω)) = √(ħ/(2μω)),

on the branch connected to E = 3/2 at a = 0 (between 1/2 and 3/2 for a < 0, between 3/2
and 5/2 for a > 0); channel F is shifted by (E_F − 3/2)ħω. The
length ℓ is the one for which the small-a limit reproduces first-order perturbation theory
(2/√π)(a/√(ħ/μω))ħω — tested in ``tests/dynamics/test_dynamics.py``.

Examples
--------
>>> from spinpair.species import get_species
>>> from spinpair.trap import PairTrap
>>> t = PairTrap((100e3, 100e3, 100e3), get_species("rb87", 2).mass_kg, 1e-6)
>>> round(busch_shift_hz(t, 100 * 5.29177210903e-11) / 1e3, 2)  # kHz, a = 100 a_B
12.68
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .. import _constants as constants
from .._lazy import lazy_module
from ..errors import InputError
from ..spin import total_spin_projector
from ..trap import PairTrap
from .engine import Ensemble
from .hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from .setup import CollisionSetup

optimize = lazy_module("scipy.optimize")

Array = NDArray[np.complex128]


def ground_state_contact_density_m3(trap: PairTrap) -> float:
    """|ψ_0(0)|² = Π_j √(μ ω_j / (π ħ)) of the relative motional ground state (m⁻³)."""
    mu = trap.reduced_mass_kg
    return float(np.prod(np.sqrt(mu * trap.omega / (math.pi * constants.hbar))))


def _isotropic_omega(trap: PairTrap) -> float:
    w = trap.omega
    if np.ptp(w) > 1e-9 * np.max(w):
        raise InputError(
            "trap.frequencies_hz",
            list(trap.frequencies_hz),
            "equal frequencies (an isotropic trap) for the exact Busch energies",
        )
    return float(w[0])


def busch_energy(a_over_l: float) -> float:
    """Relative ground-state energy in units of ħω for a/ℓ (ℓ = √(ħ/(mω))), Busch branch.

    Examples
    --------
    >>> round(busch_energy(0.0), 12), round(busch_energy(-1e9), 6)
    (1.5, 0.5)
    """
    if a_over_l == 0.0:
        return 1.5
    if math.isnan(a_over_l):
        raise InputError("a_over_l", a_over_l, "a ratio a/ℓ (±inf allowed)")
    inv = 1.0 / a_over_l  # 0 at unitarity

    def h(e: float) -> float:
        return math.sqrt(2) * special.rgamma(-e / 2 + 0.25) - inv * special.rgamma(-e / 2 + 0.75)

    lo, hi = (0.5, 1.5) if a_over_l < 0 else (1.5, 2.5)
    for end in (lo, hi):
        if h(end) == 0.0:
            return end
    return float(optimize.brentq(h, lo, hi, xtol=1e-15, rtol=1e-14))


def busch_shift_hz(trap: PairTrap, a_m: float) -> float:
    """Exact interaction shift (E − 3/2 ħω)/h in Hz of the relative ground state, isotropic."""
    w = _isotropic_omega(trap)
    ell = math.sqrt(constants.hbar / (trap.mass_kg * w))
    return (busch_energy(a_m / ell) - 1.5) * w / (2 * math.pi)


def ground_state_hamiltonian_hz(setup: CollisionSetup, busch: bool = False) -> Array:
    """Full pair-space Hamiltonian (d², d²) in Hz of the ground-state model."""
    sp = setup.species
    if busch:
        H = np.zeros_like(setup.zeeman_hz)
        for F in sp.channels:
            H += busch_shift_hz(setup.trap, sp.scattering_length_m(F)) * total_spin_projector(
                sp.f, F
            )
    else:
        g = contact_coupling_hz_m2(sp) * ground_state_contact_density_m3(setup.trap)
        H = g * interaction_operator_m(sp)
    return H + setup.zeeman_hz


def ground_state_ensemble(
    setup: CollisionSetup, *, busch: bool = False
) -> Callable[[Array], Ensemble]:
    """Ensemble builder for :func:`~.engine.evolve_ensemble`: one node, weight 1."""
    H = ground_state_hamiltonian_hz(setup, busch)

    def build(basis: Array) -> Ensemble:
        return Ensemble(basis.conj().T @ H @ basis, np.ones(1))

    return build


__all__ = [
    "busch_energy",
    "busch_shift_hz",
    "ground_state_contact_density_m3",
    "ground_state_ensemble",
    "ground_state_hamiltonian_hz",
]
