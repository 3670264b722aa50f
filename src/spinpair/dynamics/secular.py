"""Secular thermal ensemble over harmonic motional eigenstates (PHYSICS.md §3a).

Relative-motion states n = (n_x, n_y, n_z) of the harmonic trap, energies
ħΣω_j(n_j + ½), thermal weights at T restricted to even parity (n_x + n_y + n_z even: the
pair starts spin-symmetric, so its relative wavefunction is even). A state's contact
density is

    |ψ_n(0)|² = Π_j √(μω_j/(πħ)) · C(n_j, n_j/2) / 2^{n_j}   if every n_j is even, else 0,

and it evolves its own spin Hamiltonian H_n = (2ħ/m)|ψ_n(0)|² Σ_F a_F P_F + H_Z (Hz).
The secular approximation (interaction energies ≪ level spacings) keeps motional
states apart, except for exactly degenerate ones: inside a degenerate manifold the contact
interaction has rank one, so one "bright" combination carries the summed contact density
and the thermal weight of one state, and the other states of the manifold are dark.

States with zero contact density never change spin. This caps what the model predicts for
hot pairs: for a non-degenerate trap the interacting fraction of the even-parity weight
tends to 1/4 at high temperature (all three n_j even, out of the even-parity states); a
degenerate trap (ω_x = ω_y, the paper's tweezer) has even fewer bright states.

Numerics: the bright states (all n_j even) are enumerated on a grid truncated at the energy
where the omitted even-parity weight falls below ``weight_tolerance`` (the omitted weight is
computed from the closed-form partition function and reported); degenerate manifolds are
found by equal energies (relative tolerance 1e-10); nodes with equal couplings are merged
(relative tolerance 1e-12); all dark weight becomes one g = 0 node. Then every node is one
3×3 problem of the batched engine (:mod:`~.engine`).

Example
-------
>>> from spinpair.params import Params
>>> s = CollisionSetup.from_params(Params())
>>> info = secular_summary(s)
>>> info["motional_states"] > 10**6, round(info["bright_fraction"], 3)
(True, 0.062)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import constants, special

from ..errors import InputError
from .engine import Ensemble
from .hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from .setup import CollisionSetup

Array = NDArray[np.complex128]


def contact_factor(n: NDArray) -> NDArray[np.float64]:
    """C(n, n/2)/2^n for even n (the 1-D oscillator's |φ_n(0)|² in units of √(μω/πħ));
    0 for odd n. Uses log-gamma, so n may be large."""
    n = np.asarray(n)
    val = np.exp(special.gammaln(n + 1) - 2 * special.gammaln(n / 2 + 1) - n * math.log(2))
    return np.where(n % 2 == 0, val, 0.0)


def _even_parity_partition(x: NDArray) -> float:
    """Z_even = (Π 1/(1−e^{−x_j}) + Π 1/(1+e^{−x_j}))/2, energies from the zero point."""
    return 0.5 * (float(np.prod(1 / (1 - np.exp(-x)))) + float(np.prod(1 / (1 + np.exp(-x)))))


@dataclass(frozen=True)
class SecularNodes:
    """Distinct contact densities ``density_m3`` (m⁻³, one 0 node for all dark weight) and
    their thermal ``weights`` (sum 1 over the kept states); bookkeeping in ``info``."""

    density_m3: NDArray[np.float64]
    weights: NDArray[np.float64]
    info: dict[str, Any]
    #: per bright manifold before merging: (contact density m⁻³, thermal weight of one
    #: state relative to the full even-parity partition function)
    manifolds: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None


def secular_nodes(
    setup: CollisionSetup, *, weight_tolerance: float = 1e-6, max_states: int = 50_000_000
) -> SecularNodes:
    """Enumerate, weight, merge degenerate manifolds and equal couplings (see module doc)."""
    if not (0 < weight_tolerance < 1):
        raise InputError("weight_tolerance", weight_tolerance, "(0, 1)")
    trap = setup.trap
    hbar = constants.hbar
    omega = trap.omega
    x = hbar * omega / trap.kt_j  # level spacings in units of k_B T
    z_even = _even_parity_partition(x)
    # energy cut: the weight beyond E_cut (a 3-D oscillator tail, bounded by the Gamma
    # distribution's tail) below the tolerance
    e_cut = 3.0
    while special.gammaincc(3, e_cut) * (1 / np.prod(x)) / z_even > weight_tolerance:
        e_cut *= 1.25
    e_cut += float(np.sum(x))  # margin for the discreteness of the levels
    nmax = np.floor(e_cut / x).astype(int)
    # the even-parity states below the cut: the ensemble, counted and weighted exactly
    kept_weight, n_states = _kept_even_states(x, e_cut, z_even, max_states)
    if n_states > max_states:
        raise InputError(
            "max_states",
            max_states,
            f">= {n_states} motional states needed at T = {trap.temperature_k:g} K",
            "raise max_states or weight_tolerance",
        )
    nx = np.arange(0, nmax[0] + 1, 2)
    ny = np.arange(0, nmax[1] + 1, 2)
    nz = np.arange(0, nmax[2] + 1, 2)
    cx, cy, cz = contact_factor(nx), contact_factor(ny), contact_factor(nz)
    energies, dens = [], []
    ex, ey = x[0] * nx, x[1] * ny
    exy = ex[:, None] + ey[None, :]
    cxy = cx[:, None] * cy[None, :]
    for k, n in enumerate(nz):  # loop over n_z layers only; each layer vectorised
        e = exy + x[2] * n
        keep = e <= e_cut
        energies.append(e[keep])
        dens.append(cxy[keep] * cz[k])
    e_b = np.concatenate(energies)
    c_b = np.concatenate(dens)
    # weights of single states, relative to the (closed-form) even-parity partition function
    w_state = np.exp(-e_b) / z_even
    # degenerate manifolds: equal energies (relative 1e-10) → one bright state each
    key = np.round(e_b / (1e-10 * max(1.0, float(e_b.max()))))
    uniq, inv = np.unique(key, return_inverse=True)
    c_man = np.bincount(inv, weights=c_b)
    w_man = np.exp(-np.bincount(inv, weights=e_b) / np.bincount(inv)) / z_even
    n_bright_states = int(e_b.size)
    manifolds = (c_man * _density_scale(trap), w_man)
    # merge equal couplings
    ckey = np.round(np.log(c_man) * 1e12)
    _, cinv = np.unique(ckey, return_inverse=True)
    c_node = np.bincount(cinv, weights=c_man) / np.bincount(cinv)
    w_node = np.bincount(cinv, weights=w_man)
    bright = float(w_node.sum())
    omitted = max(0.0, 1.0 - kept_weight)
    dark = max(0.0, kept_weight - bright)
    density = np.concatenate([[0.0], c_node * _density_scale(trap)])
    weights = np.concatenate([[dark], w_node])
    weights = weights / weights.sum()  # normalised over the kept states
    info = {
        "motional_states": n_states,
        "bright_states": n_bright_states,
        "degenerate_manifolds": int(uniq.size),
        "nodes": int(density.size),
        "bright_fraction": bright / (1.0 - omitted),
        "omitted_weight": omitted,
        "energy_cut_kT": e_cut,
        "all_even_fraction": float(w_state.sum()) / kept_weight,
    }
    return SecularNodes(density, weights, info, manifolds)


def _density_scale(trap) -> float:
    """Π_j √(μω_j/(πħ)) in m⁻³."""
    mu = trap.reduced_mass_kg
    return float(np.prod(np.sqrt(mu * trap.omega / (math.pi * constants.hbar))))


def _kept_even_states(
    x: NDArray, e_cut: float, z_even: float, max_states: int
) -> tuple[float, int]:
    """(Σ e^{−E}/Z_even, count) over even-parity states with E ≤ e_cut, by layers in n_z."""
    nmax = np.floor(e_cut / x).astype(int)
    nx = np.arange(nmax[0] + 1)
    ny = np.arange(nmax[1] + 1)
    exy = x[0] * nx[:, None] + x[1] * ny[None, :]
    pxy = (nx[:, None] + ny[None, :]) % 2
    total, count = 0.0, 0
    for n in range(nmax[2] + 1):
        e = exy + x[2] * n
        ok = (e <= e_cut) & ((pxy + n) % 2 == 0)
        total += float(np.exp(-e[ok]).sum())
        count += int(ok.sum())
        if count > max_states:
            break
    return total / z_even, count


def secular_ensemble(
    setup: CollisionSetup, *, weight_tolerance: float = 1e-6, max_states: int = 50_000_000
) -> Callable[[Array], Ensemble]:
    """Ensemble builder for :func:`~.engine.evolve_ensemble`: one node per distinct
    contact density, H = (2ħ/m)ρ_n V + H_Z restricted to the support basis."""
    nodes = secular_nodes(setup, weight_tolerance=weight_tolerance, max_states=max_states)
    g = contact_coupling_hz_m2(setup.species) * nodes.density_m3  # Hz per metre of a
    V = interaction_operator_m(setup.species)

    def build(basis: Array) -> Ensemble:
        Vk = basis.conj().T @ V @ basis
        Hz = basis.conj().T @ setup.zeeman_hz @ basis
        return Ensemble(g[:, None, None] * Vk[None] + Hz[None], nodes.weights)

    return build


def secular_summary(setup: CollisionSetup, **options: Any) -> dict[str, Any]:
    """Bookkeeping of the secular ensemble: states, manifolds, nodes, weights."""
    return secular_nodes(setup, **options).info


__all__ = [
    "SecularNodes",
    "contact_factor",
    "secular_ensemble",
    "secular_nodes",
    "secular_summary",
]
