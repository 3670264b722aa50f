"""Operators of the collisional spin dynamics on the (2f+1)² pair space (spec §3, §3a).

All Hamiltonians are in Hz (E/h). The contact interaction of a pair with contact density ρ
(m⁻³) is

    U/h = (4πħ²/m) ρ Σ_F a_F P_F / h = (2ħ/m) ρ Σ_F a_F P_F,

with a_F in metres (Bohr radii × a_B) and P_F the projector on total pair spin F.

Examples
--------
>>> from spinpair.species import get_species
>>> sp = get_species("rb85")
>>> V = interaction_operator_m(sp)
>>> bool(np.allclose(V, V.conj().T))
True
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _constants as constants
from ..species import BOHR_RADIUS_M, Species, pair_zeeman_energies_hz
from ..spin import Sector, symmetric_sector, total_spin_projector

Array = NDArray[np.complex128]


def contact_coupling_hz_m2(species: Species) -> float:
    """(4πħ²/m)/h = 2ħ/m in Hz·m²: multiply by ρ (m⁻³) and a (m) to get Hz."""
    return 2 * constants.hbar / species.mass_kg


def interaction_operator_m(species: Species, a_m: dict[int, float] | None = None) -> Array:
    """Σ_F a_F P_F (metres) on the pair space; ``a_m`` overrides the species' a_F (m)."""
    if a_m is None:
        a_m = {F: species.scattering_length_m(F) for F in species.channels}
    V = np.zeros(((2 * species.f + 1) ** 2,) * 2, dtype=complex)
    for F, a in a_m.items():
        V += float(a) * total_spin_projector(species.f, int(F))
    return V


def channel_projectors(f: int) -> Array:
    """Stack of the exchange-symmetric projectors P_F, F = 0, 2, …, 2f: shape (f+1, d², d²)."""
    return np.array([total_spin_projector(f, F) for F in range(0, 2 * f + 1, 2)])


def effective_scattering_lengths_m(
    species: Species, k_m: ArrayLike, born: bool = False
) -> NDArray[np.float64]:
    """ã_F(k) = Re[−f_F(k)] = a_F/(1 + k²a_F²) in metres, shape (n_k, f+1) over F = 0, 2, ….

    With ``born`` the bare a_F (first Born approximation)."""
    k = np.atleast_1d(np.asarray(k_m, dtype=float))
    a = np.array([species.scattering_length_m(F) for F in species.channels])
    if born:
        return np.broadcast_to(a, (k.size, a.size)).copy()
    return a[None, :] / (1 + (k[:, None] * a[None, :]) ** 2)


def scattering_amplitudes_m(species: Species, k_m: ArrayLike) -> NDArray[np.complex128]:
    """s-wave amplitudes f_F(k) = −a_F/(1 + i k a_F) (m), shape (n_k, f+1) over F = 0, 2, …."""
    k = np.atleast_1d(np.asarray(k_m, dtype=float))
    a = np.array([species.scattering_length_m(F) for F in species.channels])
    return -a[None, :] / (1 + 1j * k[:, None] * a[None, :])


def zeeman_hamiltonian_hz(species: Species, field_gauss: float) -> Array:
    """Pair Zeeman Hamiltonian (diagonal, Hz) relative to |0,0⟩, from Breit–Rabi."""
    return np.diag(pair_zeeman_energies_hz(species, field_gauss)).astype(complex)


@cache
def conserved_sectors(f: int) -> tuple[Sector, ...]:
    """Every sector of conserved (M, exchange symmetry): together an orthonormal basis.

    Examples
    --------
    >>> sum(s.size for s in conserved_sectors(2))
    25
    """
    out = []
    for M in range(-2 * f, 2 * f + 1):
        for sym in (True, False):
            s = symmetric_sector(f, M, sym)
            if s.size:
                out.append(s)
    return tuple(out)


__all__ = [
    "BOHR_RADIUS_M",
    "channel_projectors",
    "conserved_sectors",
    "contact_coupling_hz_m2",
    "effective_scattering_lengths_m",
    "interaction_operator_m",
    "scattering_amplitudes_m",
    "zeeman_hamiltonian_hz",
]
