"""Ergodic thermal ensemble: every pair of relative energy E feels ρ_c(E) (spec §3a).

In an anharmonic tweezer the motional eigenstates of one energy are mixed, so a pair with
relative energy E sees the microcanonical contact density. Exchange-symmetric pairs
occupy only even relative states, which doubles the classical value:
ρ_c(E) = 2 √2 μ^{3/2} ω_xω_yω_z / (π² E^{3/2}). Each pair evolves coherently under

    H(E)/h = (2ħ/m) ρ_c(E) Σ_F ã_F(E) P_F + H_Z,   ã_F = a_F / (1 + k² a_F²),  k = √(2μE)/ħ,

and the spin state is averaged over p(E) = E² e^{−E/k_BT} / (2 (k_BT)³) by composite
Gauss–Legendre quadrature in u = √(E/k_BT) on [0, √60] (panels of 8 points, ``nodes`` in
all): in u the weight is u⁵ e^{−u²} and ρ_c ∝ u^{−3}, so the thermal average of ρ_c(E) is a
smooth integral (exact to 10⁻¹²), and the fast phases of the rare slow pairs are resolved
by the panels near u = 0. The quadrature error is estimated by repeating with half the nodes.

What the model does at the paper's conditions depends on the coupling against the Zeeman
energy. When the couplings exceed the pair Zeeman shifts (zero field, or large a_F
differences), the spread of ρ_c(E) dephases the coherent mixing into an apparent
relaxation: at 0 G with the built-in 85Rb a_F (a0, a2 placeholders) chi1 grows
monotonically (0.034 at 100 ms, 0.066 at 200 ms). At 0.5 G with the same a_F the couplings
are below the 36 Hz chi1 Zeeman shift and the small chi1 is mostly a static, off-resonant
dressing of |0,0⟩, not relaxation: at 100 ms the chi1 population is 0.0013 while the
coherence |⟨0,0|ρ|chi1⟩| is 0.017 (a relaxation would leave none), and the population does
not grow (0.0011, 0.0007, 0.0013, 0.0003 at 10, 50, 100, 200 ms).

The classical ρ_c(E) is not meaningful below E ≈ ħω (it diverges as E^{−3/2}); it is capped
at the contact density of the relative ground state |ψ_0(0)|² = Π_j √(μω_j/(πħ)). Those
energies carry a thermal weight of order (ħω/k_BT)³ (≈ 10⁻⁴ for the paper), which bounds
the size of this modelling choice.

Examples
--------
>>> import numpy as np
>>> from spinpair.params import Params
>>> s = CollisionSetup.from_params(Params())
>>> E, w = energy_nodes(s.trap, 64)
>>> round(float(w.sum()), 12)
1.0
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..trap import PairTrap
from .engine import Ensemble
from .hamiltonian import (
    channel_projectors,
    contact_coupling_hz_m2,
    effective_scattering_lengths_m,
)
from .options import DEFAULT_NODES
from .setup import CollisionSetup

Array = NDArray[np.complex128]

PANEL_POINTS = 8
U_MAX = float(np.sqrt(60.0))  # e^{−60} 60^{5/2}: thermal weight beyond is < 1e-22


def energy_nodes(trap: PairTrap, nodes: int = DEFAULT_NODES) -> tuple[NDArray, NDArray]:
    """Quadrature energies (J) and weights (sum 1) for p(E) = E² e^{−E/k_BT}/(2(k_BT)³).

    ``nodes`` is rounded up to a multiple of 8 (Gauss–Legendre panels in u = √(E/k_BT)).
    """
    if int(nodes) != nodes or nodes < PANEL_POINTS:
        raise InputError("nodes", nodes, f"an integer >= {PANEL_POINTS}")
    panels = -(-int(nodes) // PANEL_POINTS)
    g, gw = np.polynomial.legendre.leggauss(PANEL_POINTS)
    # panels uniform in log u above u = 0.02 (the phases ∝ ρ_c(E) ∝ u^{-3} vary fastest at
    # small u), one panel below it (thermal weight < 1e-10)
    edges = np.concatenate([[0.0], np.geomspace(0.02, U_MAX, panels)])
    half = np.diff(edges)[:, None] / 2
    u = (edges[:-1, None] + half * (g[None, :] + 1)).ravel()
    wu = (half * gw[None, :]).ravel()
    w = wu * u**5 * np.exp(-(u**2))  # x² e^{−x}/2 dx with x = u², dx = 2u du
    return u**2 * trap.kt_j, w / w.sum()


def ergodic_couplings(
    setup: CollisionSetup, energies_j: NDArray, born: bool = False
) -> NDArray[np.float64]:
    """Per-energy channel couplings (n, f+1) in Hz: (2ħ/m) ρ_c(E) ã_F(E)."""
    from .ground_state import ground_state_contact_density_m3

    trap = setup.trap
    rho_max = ground_state_contact_density_m3(trap)
    rho = np.minimum(2.0 * trap.contact_density_at_energy_m3(energies_j), rho_max)
    a_eff = effective_scattering_lengths_m(setup.species, trap.wavenumber_m(energies_j), born)
    return contact_coupling_hz_m2(setup.species) * rho[:, None] * a_eff


def ergodic_hamiltonians_hz(
    setup: CollisionSetup, basis: Array, nodes: int = DEFAULT_NODES, born: bool = False
) -> tuple[Array, NDArray[np.float64]]:
    """Hamiltonians (n, k, k) in Hz restricted to ``basis`` and their weights."""
    E, w = energy_nodes(setup.trap, nodes)
    g = ergodic_couplings(setup, E, born)
    P = channel_projectors(setup.f)
    Pk = np.einsum("ai,Fab,bj->Fij", basis.conj(), P, basis)
    Hz = basis.conj().T @ setup.zeeman_hz @ basis
    return np.einsum("nF,Fij->nij", g, Pk) + Hz[None], w


def ergodic_ensemble(
    setup: CollisionSetup, *, nodes: int = DEFAULT_NODES, born: bool = False
) -> Callable[[Array], Ensemble]:
    """Ensemble builder for :func:`~.engine.evolve_ensemble` (``nodes`` energy points)."""

    def build(basis: Array) -> Ensemble:
        H, w = ergodic_hamiltonians_hz(setup, basis, nodes, born)
        return Ensemble(H, w)

    return build


__all__ = [
    "DEFAULT_NODES",
    "energy_nodes",
    "ergodic_couplings",
    "ergodic_ensemble",
    "ergodic_hamiltonians_hz",
]
