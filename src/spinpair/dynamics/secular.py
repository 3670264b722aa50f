"""Secular thermal ensemble over harmonic motional eigenstates (PHYSICS.md §3a).

Relative-motion states n = (n_x, n_y, n_z) of the harmonic pair trap, energies
E_n = ħΣ_j ω_j(n_j + ½), thermal weights e^{−E_n/k_BT} restricted to even parity
(n_x + n_y + n_z even: the pair starts spin-symmetric, so its relative wavefunction is
even) and normalised over the kept even-parity states. A state's contact density is

    |ψ_n(0)|² = Π_j √(μω_j/(πħ)) · C(n_j, n_j/2) / 2^{n_j}   if every n_j is even, else 0

(m⁻³, μ = m/2), and it evolves its own spin Hamiltonian (Hz)

    H_n = (2ħ/m) |ψ_n(0)|² Σ_F a_F P_F + H_Z.

The secular approximation (interaction energies ≪ motional level spacings) keeps motional
states apart, except exactly degenerate ones: inside a degenerate manifold the contact
interaction |ψ(0)⟩⟨ψ(0)| has rank one, so one "bright" combination carries the summed
contact density Σ|ψ_n(0)|² and the thermal weight of one state, and every other state of the
manifold is dark. States with zero contact density never change spin. This caps what the
model predicts for hot pairs: for a non-degenerate trap the interacting (bright) fraction of
the even-parity weight is Z(all n_j even)/Z(even parity) → 1/4 at high temperature; a
cylindrical trap (ω_x = ω_y, the paper's tweezer) has far fewer bright states (6 % at the
paper's 40 µK), because each shell n_x + n_y = N has one bright state only.

Numerics (all vectorised; memory ≈ 40 bytes per state with every n_j even):

* truncation: the even-parity states with E_n − E_0 ≤ E_cut, E_cut the smallest energy
  (bisection) at which the omitted even-parity weight, computed exactly from the
  closed-form partition function Z_even = ½(Π 1/(1−e^{−x_j}) + Π 1/(1+e^{−x_j})),
  x_j = ħω_j/k_BT, is ≤ ``weight_tolerance``. Kept states are counted and weighted by
  geometric sums along the axis with the most levels, without enumerating them; more than
  ``max_states`` kept states is an :class:`~spinpair.errors.InputError`.
* only states with every n_j even are enumerated; degenerate manifolds are runs of equal
  energy to a relative tolerance :data:`DEGENERACY_RTOL` (10⁻⁹ of E_n);
* manifolds with equal contact density to a relative tolerance :data:`COUPLING_RTOL`
  (10⁻¹⁰) are merged into one node (weights summed); all dark weight is one g = 0 node.
  Each node is one k×k problem of the batched engine (:mod:`~.engine`).

Example
-------
>>> from spinpair.params import Params
>>> s = CollisionSetup.from_params(Params())          # paper: 102/102/24.5 kHz, 40 µK
>>> info = secular_summary(s)
>>> info["motional_states"] > 10**6, info["nodes"] < 10**3
(True, True)
>>> round(info["interacting_fraction"], 3), info["omitted_weight"] <= 1e-6
(0.062, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants, special

from ..errors import InputError
from ..trap import PairTrap
from .engine import Ensemble
from .hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from .setup import CollisionSetup

Array = NDArray[np.complex128]

#: Relative energy tolerance (of E_n, zero point included) for exact degeneracy.
DEGENERACY_RTOL = 1e-9
#: Relative tolerance for merging equal contact densities into one node.
COUPLING_RTOL = 1e-10
#: Grid cells (n_a, n_b) processed at once when counting or enumerating states.
_CELLS_PER_CHUNK = 1 << 20


def contact_factor(n: ArrayLike) -> NDArray[np.float64]:
    """C(n, n/2)/2^n for even n, 0 for odd n: the 1-D oscillator's |φ_n(0)|² in units of
    √(μω/(πħ)). Log-gamma, so n may be large.

    Example
    -------
    >>> contact_factor([0, 1, 2, 4]).tolist()
    [1.0, 0.0, 0.5, 0.375]
    """
    n = np.asarray(n)
    val = np.exp(special.gammaln(n + 1) - 2 * special.gammaln(n / 2 + 1) - n * math.log(2))
    return np.where(n % 2 == 0, val, 0.0)


def density_scale_m3(trap: PairTrap) -> float:
    """Π_j √(μω_j/(πħ)) (m⁻³): the contact density of the relative ground state."""
    mu = trap.reduced_mass_kg
    return float(np.prod(np.sqrt(mu * trap.omega / (math.pi * constants.hbar))))


def contact_density_m3(trap: PairTrap, n: ArrayLike) -> NDArray[np.float64]:
    """|ψ_n(0)|² (m⁻³) of relative-motion states n (…, 3) of ``trap`` (x, y, z order)."""
    n = np.asarray(n)
    return density_scale_m3(trap) * np.prod(contact_factor(n), axis=-1)


def even_parity_partition(x: ArrayLike) -> float:
    """Z_even = ½(Π 1/(1−e^{−x_j}) + Π 1/(1+e^{−x_j})), x_j = ħω_j/k_BT, energies from
    the zero point.

    Example
    -------
    >>> round(even_parity_partition([50.0, 50.0, 50.0]), 12)    # only n = 0
    1.0
    """
    x = np.asarray(x, dtype=float)
    return 0.5 * float(np.prod(-1 / np.expm1(-x)) + np.prod(1 / (1 + np.exp(-x))))


@dataclass(frozen=True)
class SecularNodes:
    """Nodes of the secular ensemble.

    ``density_m3``: distinct contact densities (m⁻³), the first is the g = 0 node of all
    dark weight; ``weights``: their thermal weights (sum 1 over the kept states);
    ``manifolds``: per bright degenerate manifold before merging, (contact density m⁻³,
    weight of one state, normalised like ``weights``); ``info``: bookkeeping.
    """

    density_m3: NDArray[np.float64]
    weights: NDArray[np.float64]
    manifolds: tuple[NDArray[np.float64], NDArray[np.float64]]
    info: dict[str, Any]


class _Grid:
    """Even-parity states below an energy cut, by (n_a, n_b) cells and geometric sums
    along the axis c with the most levels (axes reordered so that x_c is smallest)."""

    def __init__(self, x: NDArray[np.float64]) -> None:
        self.x = np.sort(x)[::-1]  # a, b: the largest spacings; c: the smallest

    def _cells(self, e_cut: float, step: int = 1):
        """Yield (n_a, n_b, e_ab) chunks of cells with e_ab ≤ e_cut, n_a, n_b multiples
        of ``step``."""
        xa, xb = self.x[0], self.x[1]
        na_max = math.floor(e_cut / xa) + 1  # one spare: the mask decides
        nb_all = np.arange(0, math.floor(e_cut / xb) + 2, step)
        rows = max(1, _CELLS_PER_CHUNK // nb_all.size)
        na_all = np.arange(0, na_max + 1, step)
        for s in range(0, na_all.size, rows):
            na = na_all[s : s + rows, None]
            e_ab = xa * na + xb * nb_all[None, :]
            ok = e_ab <= e_cut
            na_ok = np.broadcast_to(na, e_ab.shape)[ok]
            yield na_ok, np.broadcast_to(nb_all, e_ab.shape)[ok], e_ab[ok]

    def _kmax(self, e_ab: NDArray, e_cut: float) -> NDArray[np.int64]:
        return np.floor((e_cut - e_ab) / self.x[2] + 1e-12).astype(np.int64)

    def count_and_weight(self, e_cut: float) -> tuple[int, float]:
        """(number, Σ e^{−(E−E_0)/k_BT}) of even-parity states with E − E_0 ≤ e_cut (k_BT)."""
        xc = self.x[2]
        count, weight = 0, 0.0
        for na, nb, e_ab in self._cells(e_cut):
            K = self._kmax(e_ab, e_cut)
            p = (na + nb) % 2  # n_c ≡ p (mod 2): n_c = p, p + 2, …, ≤ K
            m = np.where(K >= p, (K - p) // 2 + 1, 0)
            count += int(m.sum())
            weight += float(
                np.sum(np.exp(-e_ab - xc * p) * np.expm1(-2 * xc * m) / np.expm1(-2 * xc))
            )
        return count, weight

    def bright_states(self, e_cut: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Energies (k_BT, from the zero point) and contact factors Π C(n_j, n_j/2)/2^{n_j}
        of every state with all n_j even below the cut."""
        xc = self.x[2]
        n_c_max = math.floor(e_cut / xc + 1e-9) + 2  # ≥ every K below
        fc = contact_factor(np.arange(0, n_c_max + 1, 2))
        es, cs = [], []
        for na, nb, e_ab in self._cells(e_cut, step=2):
            m = self._kmax(e_ab, e_cut) // 2 + 1  # n_c = 0, 2, …, 2(m − 1)
            cell = np.repeat(np.arange(m.size), m)
            half = np.arange(cell.size) - np.repeat(np.cumsum(m) - m, m)  # n_c / 2
            es.append(e_ab[cell] + xc * (2 * half))
            cs.append((contact_factor(na) * contact_factor(nb))[cell] * fc[half])
        return np.concatenate(es), np.concatenate(cs)


def _runs(sorted_values: NDArray[np.float64], rtol: float, floor: float = 0.0) -> NDArray:
    """Start indices of runs of equal values (consecutive differences ≤ rtol·(|v| + floor))."""
    v = sorted_values
    new = np.diff(v) > rtol * (np.abs(v[1:]) + floor)
    return np.concatenate([[0], np.flatnonzero(new) + 1])


def secular_nodes(
    setup: CollisionSetup, *, weight_tolerance: float = 1e-6, max_states: int = 2_000_000
) -> SecularNodes:
    """Enumerate, weight and group the motional states (see the module docstring).

    ``weight_tolerance``: largest even-parity thermal weight left out (10⁻¹² … 0.5);
    ``max_states``: cap on the number of kept even-parity states (InputError beyond it).
    """
    if not (1e-12 <= weight_tolerance <= 0.5):
        raise InputError("weight_tolerance", weight_tolerance, "1e-12 … 0.5")
    if int(max_states) < 1:
        raise InputError("max_states", max_states, ">= 1")
    trap = setup.trap
    x = constants.hbar * trap.omega / trap.kt_j  # level spacings in units of k_B T
    z_even = even_parity_partition(x)
    grid = _Grid(x)

    def omitted(e_cut: float) -> float:
        return 1.0 - grid.count_and_weight(e_cut)[1] / z_even

    def too_many(e_cut: float) -> None:
        # semiclassical count first, so that an absurd request fails before any grid
        guess = (e_cut + x.sum()) ** 3 / (12 * float(np.prod(x)))
        if guess > 8 * max_states:
            _raise_max_states(max_states, f"about {guess:.3g}", trap)

    # bracket the cut: the classical tail Γ(3, E)/2 of a 3-D oscillator as first guess
    hi = max(float(special.gammainccinv(3, weight_tolerance)), float(x.min()))
    too_many(hi)
    while omitted(hi) > weight_tolerance:
        hi *= 1.25
        too_many(hi)
    lo = 0.0
    if omitted(lo) <= weight_tolerance:
        hi = lo
    for _ in range(60):
        if hi - lo <= 1e-12 * hi:
            break
        mid = 0.5 * (lo + hi)
        if omitted(mid) <= weight_tolerance:
            hi = mid
        else:
            lo = mid
    e_cut = hi
    n_states, kept = grid.count_and_weight(e_cut)
    if n_states > max_states:
        _raise_max_states(max_states, str(n_states), trap)
    kept_fraction = kept / z_even

    # bright states and exactly degenerate manifolds (runs of equal energy)
    e, c = grid.bright_states(e_cut)
    order = np.argsort(e, kind="stable")
    e, c = e[order], c[order]
    starts = _runs(e, DEGENERACY_RTOL, floor=0.5 * float(x.sum()))
    c_man = np.add.reduceat(c, starts)
    w_man = np.exp(-e[starts]) / kept  # one state's weight per manifold
    # merge equal couplings
    order = np.argsort(c_man, kind="stable")
    c_sorted, w_sorted = c_man[order], w_man[order]
    cstarts = _runs(c_sorted, COUPLING_RTOL)
    sizes = np.diff(np.append(cstarts, c_sorted.size))
    c_node = np.add.reduceat(c_sorted, cstarts) / sizes
    w_node = np.add.reduceat(w_sorted, cstarts)
    bright = float(w_man.sum())
    scale = density_scale_m3(trap)
    density = np.concatenate([[0.0], c_node * scale])
    weights = np.concatenate([[max(0.0, 1.0 - bright)], w_node])
    x_all_even = 2 * x
    info = {
        "motional_states": int(n_states),
        "all_even_states": int(e.size),
        "bright_manifolds": int(starts.size),
        "nodes": int(density.size),
        "omitted_weight": float(max(0.0, 1.0 - kept_fraction)),
        "interacting_fraction": bright,
        "all_even_fraction": float(np.prod(-1 / np.expm1(-x_all_even))) / z_even,
        "energy_cut_kT": float(e_cut),
        "weight_tolerance": float(weight_tolerance),
    }
    return SecularNodes(density, weights, (c_man * scale, w_man), info)


def _raise_max_states(max_states: int, needed: str, trap: PairTrap) -> None:
    raise InputError(
        "max_states",
        int(max_states),
        f">= {needed} motional states at T = {trap.temperature_k:g} K",
        "raise max_states or weight_tolerance, or lower the temperature",
    )


def secular_ensemble(
    setup: CollisionSetup, *, weight_tolerance: float = 1e-6, max_states: int = 2_000_000
) -> Callable[[Array], Ensemble]:
    """Ensemble builder for :func:`~.engine.evolve_ensemble`.

    One node per distinct contact density ρ_n (plus the g = 0 node of the dark weight):
    H_n = g_n V_k + H_Z,k (Hz) with g_n = (2ħ/m)ρ_n and V_k, H_Z,k the interaction
    Σ_F a_F P_F (m) and the Zeeman Hamiltonian restricted to the support basis.

    Example
    -------
    >>> from spinpair.params import Params
    >>> from spinpair.spin import symmetric_sector
    >>> build = secular_ensemble(CollisionSetup.from_params(Params()))
    >>> ens = build(symmetric_sector(2, 0).vectors)
    >>> ens.hamiltonians_hz.shape[1:], round(float(ens.weights.sum()), 12)
    ((3, 3), 1.0)
    """
    nodes = secular_nodes(setup, weight_tolerance=weight_tolerance, max_states=max_states)
    g = contact_coupling_hz_m2(setup.species) * nodes.density_m3  # Hz per metre of a
    V = interaction_operator_m(setup.species)

    def build(basis: Array) -> Ensemble:
        Vk = basis.conj().T @ V @ basis
        Hz = basis.conj().T @ setup.zeeman_hz @ basis
        return Ensemble(g[:, None, None] * Vk[None] + Hz[None], nodes.weights)

    return build


def secular_summary(setup: CollisionSetup, **options: Any) -> dict[str, Any]:
    """Bookkeeping of the secular ensemble (``options`` as for :func:`secular_ensemble`).

    Keys: ``motional_states`` (kept even-parity states), ``all_even_states``,
    ``bright_manifolds``, ``nodes`` (distinct couplings + the g = 0 node),
    ``omitted_weight``, ``interacting_fraction`` (bright share of the kept even-parity
    weight), ``all_even_fraction`` (closed form Z(all n_j even)/Z_even, its value for a
    non-degenerate trap), ``energy_cut_kT``, ``weight_tolerance``.
    """
    return dict(secular_nodes(setup, **options).info)


__all__ = [
    "COUPLING_RTOL",
    "DEGENERACY_RTOL",
    "SecularNodes",
    "contact_density_m3",
    "contact_factor",
    "density_scale_m3",
    "even_parity_partition",
    "secular_ensemble",
    "secular_nodes",
    "secular_summary",
]
