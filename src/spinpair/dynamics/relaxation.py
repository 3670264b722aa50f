"""Collisional relaxation: an incoherent Lindblad model inside each conserved sector.

Within a sector (fixed M and exchange symmetry) with basis states s (for M = 0: |0,0⟩,
chi1, chi2, …), the collision amplitude is M_{s′s}(k) = Σ_F f_F(k) ⟨s′|P_F|s⟩ with the s-wave
amplitudes f_F(k) = −a_F/(1 + i k a_F). The rate of s → s′ (s′ ≠ s) is

    Γ_{s→s′} = rate_scale · ρ_c · ⟨8π |M_{s′s}(k)|² v⟩,

averaged over the Maxwell distribution of the relative speed v (reduced mass μ,
k = μv/ħ) by Gauss–Laguerre quadrature in E = μv²/2; ρ_c is the classical thermal contact
density of :class:`~spinpair.trap.PairTrap`; 8π|M|² is the cross-section of identical
bosons. Rates towards higher Zeeman energy carry the Boltzmann factor exp(−ΔE/k_BT)
(detailed balance). The master equation has jump operators √Γ |s′⟩⟨s| and H = H_Z;
coherences between different s decay, while chi1's internal coherence (between |1,−1⟩ and
|−1,1⟩) is untouched because chi1 is itself a basis state. ``rate_scale`` absorbs the
uncertainty of the overall size (a calibration parameter, spec §3).

With ``setup.rates == "s-matrix"`` the cross-section comes from the coupled-channel
S-matrix instead (:mod:`spinpair.scattering.tables`, shipped tables): for identical bosons
in the s wave, 8π|M_{s′s}|² = 2π |S_{s′s}(E)|²/k², which equals the zero-range value when
S is built from f_F(k) (same normalisation; tested as k·a → 0). Both use the same Maxwell
average and the same contact density. The S-matrix is read at the total energy of the
initial channel s (its kinetic energy plus its Zeeman energy) for the downhill rates, whose
final channel is open at every energy; an uphill rate is the reverse downhill rate times
exp(−ΔE/k_BT) (detailed balance, which microscopic reversibility of S guarantees; a
quadrature across the uphill threshold would break it by up to 10 % at 8.5 G). The
zero-range rates carry the same Boltzmann factor.

Examples
--------
>>> from spinpair.params import Params
>>> s = CollisionSetup.from_params(Params())
>>> G = sector_rates(s, 0)            # M = 0 symmetric sector: 00, chi1, chi2
>>> G.shape, bool(np.all(np.diag(G) == 0))
((3, 3), True)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .. import _constants as constants
from ..spin import symmetric_sector
from .engine import Ensemble
from .ergodic import ergodic_hamiltonians_hz
from .hamiltonian import channel_projectors, conserved_sectors, scattering_amplitudes_m
from .options import ERGODIC_RELAXATION_NODES
from .setup import CollisionSetup

Array = NDArray[np.complex128]

SPEED_NODES = 64
#: Maxwell-average nodes for the S-matrix rates (tabulated, piecewise linear in log E).
S_MATRIX_NODES = 256


def sector_rates(
    setup: CollisionSetup, M: int = 0, symmetric: bool = True, nodes: int = SPEED_NODES
) -> NDArray[np.float64]:
    """Rates Γ[s′, s] (1/s) of s → s′ in the sector (M, symmetric); zero diagonal.

    Cached per (setup, sector, nodes): the setup is a frozen dataclass, its own key."""
    return _sector_rates(setup, M, symmetric, nodes).copy()


#: Setups whose rates and jump operators are kept (a fit or scan changes the setup at
#: every step; repeated evaluations of one setup, as in a benchmark or a plot, reuse them).
RATE_CACHE_SIZE = 64


@functools.lru_cache(maxsize=RATE_CACHE_SIZE)
def _sector_rates(setup: CollisionSetup, M: int, symmetric: bool, nodes: int) -> NDArray:
    sec = symmetric_sector(setup.f, M, symmetric)
    G = _rates(setup, sec.vectors, nodes, M if symmetric else None)
    G.setflags(write=False)
    return G


@functools.cache
def _speed_quadrature(nodes: int) -> tuple[NDArray, NDArray]:
    """Gauss–Laguerre nodes x (E = x k_BT) and weights (sum 1) for p(E) ∝ √E e^{−E/k_BT}."""
    x, w = special.roots_genlaguerre(nodes, 0.5)
    x.setflags(write=False)
    w = w / w.sum()
    w.setflags(write=False)
    return x, w


def _rates(
    setup: CollisionSetup, vecs: Array, nodes: int, sector_M: int | None = None
) -> NDArray[np.float64]:
    """Rates between the columns of ``vecs`` (a symmetric sector; ``sector_M`` its M, which
    selects the S-matrix table; None: zero-range)."""
    trap = setup.trap
    x, w = _speed_quadrature(nodes)
    E = x * trap.kt_j
    v = np.sqrt(2 * E / trap.reduced_mass_kg)
    k = trap.wavenumber_m(E)
    e = np.real(np.einsum("ai,ab,bi->i", vecs.conj(), setup.zeeman_hz, vecs))  # Hz
    if setup.rates == "s-matrix" and sector_M is not None:
        from ..scattering.tables import check_rates_species, load_table

        check_rates_species(setup.species.name, setup.f)
        table = load_table(setup.species.name, setup.f)
        # the table is piecewise linear in log E: integrate it with more nodes than the
        # smooth zero-range form needs (64 nodes: 1 % off for 00 → chi2; 256: converged)
        x, w = _speed_quadrature(max(nodes, S_MATRIX_NODES))
        E = x * trap.kt_j
        v = np.sqrt(2 * E / trap.reduced_mass_kg)
        k = trap.wavenumber_m(E)
        variant = setup.potential_variant if sector_M == 0 else None
        # column s: collision energy E in channel s, i.e. E + E_s − E_0 above the table's
        # entrance threshold (state 0 of the sector); used for the downhill rates (every
        # final channel open), the uphill ones follow from detailed balance below
        prob = np.zeros((E.size, e.size, e.size))
        for s in range(e.size):
            e_tot = E + (e[s] - e[0]) * constants.h
            e_tot = np.maximum(e_tot, 1e-3 * float(table.energies_k[0]) * constants.k)
            prob[:, :, s] = table.probabilities(
                sector_M, setup.field_gauss, e_tot / constants.k, variant
            )[:, :, s]
        M2 = prob / (4 * k[:, None, None] ** 2)
    else:
        fF = scattering_amplitudes_m(setup.species, k)  # (n, F)
        P = np.einsum("ai,Fab,bj->Fij", vecs.conj(), channel_projectors(setup.f), vecs).real
        M2 = np.abs(np.einsum("nF,Fij->nij", fF, P)) ** 2  # |M_{s's}|², (n, s', s)
    sigma_v = 8 * math.pi * np.einsum("n,nij,n->ij", w, M2, v)
    G = setup.rate_scale * trap.contact_density_m3 * sigma_v
    np.fill_diagonal(G, 0.0)
    if G.size:
        dE = (e[:, None] - e[None, :]) * constants.h  # E(s') − E(s), J
        if setup.rates == "s-matrix" and sector_M is not None:
            # uphill s → s′ (dE > 0) from the downhill s′ → s: Γ_up = Γ_down e^{−ΔE/k_BT}
            up = dE > 0
            G = np.where(up, G.T * np.exp(-np.clip(dE, 0.0, None) / trap.kt_j), G)
        else:
            G = G * np.exp(-np.clip(dE, 0.0, None) / trap.kt_j)
    return G


def jump_operators(setup: CollisionSetup, nodes: int = SPEED_NODES) -> Array:
    """All jump operators √Γ |s′⟩⟨s| on the pair space, shape (J, d², d²) in √(1/s).

    Cached per (setup, nodes) (the setup, a frozen dataclass, is the immutable key); the
    array returned is read-only."""
    return _jump_operators(setup, nodes)


@functools.lru_cache(maxsize=RATE_CACHE_SIZE)
def _jump_operators(setup: CollisionSetup, nodes: int) -> Array:
    jumps = []
    for sec in conserved_sectors(setup.f):
        if sec.size < 2 or not sec.symmetric:
            continue
        G = _rates(setup, sec.vectors, nodes, sec.M)
        for i in range(sec.size):
            for j in range(sec.size):
                if i != j and G[i, j] > 0:
                    jumps.append(
                        math.sqrt(G[i, j]) * np.outer(sec.vectors[:, i], sec.vectors[:, j].conj())
                    )
    d2 = (2 * setup.f + 1) ** 2
    out = np.array(jumps) if jumps else np.zeros((0, d2, d2), dtype=complex)
    out.setflags(write=False)
    return out


def max_escape_rate_per_s(setup: CollisionSetup, nodes: int = SPEED_NODES) -> float:
    """Largest total collision rate out of a pair state, ‖Σ_j L_j†L_j‖₂ (1/s).

    With L_j = √Γ_{s→s′} |s′⟩⟨s| the sum is diagonal in the sector bases,
    Σ_s (Σ_{s′} Γ_{s→s′}) |s⟩⟨s|, so its norm is the largest total rate out of a state.
    Cached per (setup, nodes) like the jump operators (the regime check asks for it at
    every :func:`~spinpair.dynamics.evolve` call).

    Parameters
    ----------
    setup : CollisionSetup
        Species, trap, field and rate scale.
    nodes : int, optional
        Gauss–Laguerre nodes of the Maxwell average (default :data:`SPEED_NODES`).

    Returns
    -------
    float
        max_s Σ_{s′} Γ_{s→s′} in 1/s (0 without jumps).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> s = CollisionSetup.from_params(Params())
    >>> G = sector_rates(s, 0)
    >>> bool(max_escape_rate_per_s(s) >= G.sum(axis=0).max())
    True
    """
    return _max_escape_rate(setup, nodes)


@functools.lru_cache(maxsize=RATE_CACHE_SIZE)
def _max_escape_rate(setup: CollisionSetup, nodes: int) -> float:
    jumps = _jump_operators(setup, nodes)
    if not len(jumps):
        return 0.0
    d = jumps.shape[-1]
    # Σ_j L_j†L_j as one BLAS product: (d, J·d) @ (J·d, d)
    stacked = np.ascontiguousarray(jumps).reshape(-1, d)
    LdL = stacked.conj().T @ stacked
    return float(np.linalg.norm(LdL, 2))


def _restricted_jumps(jumps: Array, basis: Array) -> Array:
    J = np.einsum("ai,jab,bk->jik", basis.conj(), jumps, basis)
    keep = np.max(np.abs(J), axis=(1, 2), initial=0.0) > 0
    return J[keep][None]


def _per_basis(fn: Callable[[Array], Ensemble]) -> Callable[[Array], Ensemble]:
    """``fn`` with its result kept per support basis (its bytes): the engine asks for the
    same few sector bases at every call of one setup's builder."""
    memo: dict[tuple, Ensemble] = {}

    def build(basis: Array) -> Ensemble:
        key = (basis.shape, basis.tobytes())
        if key not in memo:
            memo[key] = fn(basis)
        return memo[key]

    return build


@functools.lru_cache(maxsize=RATE_CACHE_SIZE)
def relaxation_ensemble(setup: CollisionSetup) -> Callable[[Array], Ensemble]:
    """Ensemble builder: H = H_Z plus the collisional jumps (one node). Cached per setup
    (the builder keeps its ensemble per support basis)."""

    jumps = jump_operators(setup)

    def build(basis: Array) -> Ensemble:
        H = basis.conj().T @ setup.zeeman_hz @ basis
        return Ensemble(H[None], np.ones(1), _restricted_jumps(jumps, basis))

    return _per_basis(build)


@functools.lru_cache(maxsize=RATE_CACHE_SIZE)
def ergodic_relaxation_ensemble(
    setup: CollisionSetup, *, nodes: int = ERGODIC_RELAXATION_NODES, born: bool = False
) -> Callable[[Array], Ensemble]:
    """The ergodic coherent nodes with the relaxation jumps added to every node. Cached
    per (setup, nodes, born) (the builder keeps its ensemble per support basis)."""

    jumps = jump_operators(setup)

    def build(basis: Array) -> Ensemble:
        H, w = ergodic_hamiltonians_hz(setup, basis, nodes, born)
        return Ensemble(H, w, _restricted_jumps(jumps, basis))

    return _per_basis(build)


def clear_caches() -> None:
    """Forget every cached rate, jump operator, ensemble builder, regime verdict, block
    decomposition and Liouvillian eigendecomposition (for cold-start timings and tests)."""
    from .engine import _BLOCK_CACHE, _EIG_CACHE
    from .regime import _ergodic_regime, _relaxation_regime

    for fn in (
        _sector_rates,
        _jump_operators,
        _max_escape_rate,
        relaxation_ensemble,
        ergodic_relaxation_ensemble,
        _relaxation_regime,
        _ergodic_regime,
    ):
        fn.cache_clear()
    _EIG_CACHE.clear()
    _BLOCK_CACHE.clear()


__all__ = [
    "clear_caches",
    "ergodic_relaxation_ensemble",
    "jump_operators",
    "max_escape_rate_per_s",
    "relaxation_ensemble",
    "sector_rates",
]
