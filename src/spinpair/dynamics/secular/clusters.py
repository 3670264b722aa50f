"""Levels and clusters of the secular model: which motional states are solved together.

The rules (physical scales, not floating-point tolerances) are in the package docstring
of :mod:`spinpair.dynamics.secular` and in ``docs/secular.md``; :func:`secular_nodes`
applies them and returns the single-level nodes, the multi-level clusters, the level table
used by the error estimate (:mod:`~.error`) and the bookkeeping.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.dynamics import CollisionSetup
>>> nodes = secular_nodes(CollisionSetup.from_params(Params()))
>>> nodes.info["nodes"] < 10**3, len(nodes.levels.energy_hz) == nodes.info["bright_manifolds"]
(True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import constants, special

from ...errors import InputError
from ...spin import named_ket
from ...trap import PairTrap
from ...validation import instance
from ..hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from ..options import DEFAULT_HOLD_TIME_S, LEVEL_RESOLUTION, SecularOptions
from ..setup import CollisionSetup
from .levels import _Grid, _runs, density_scale_m3, even_parity_partition

#: Relative tolerance for merging equal contact densities into one node.
COUPLING_RTOL = 1e-10


@dataclass(frozen=True)
class SecularClusters:
    """Quasi-degenerate clusters with the same number L ≥ 2 of levels (n clusters).

    ``energy_hz`` (n, L): level energies E_ℓ/h (Hz) from the cluster's lowest level;
    ``amplitude`` (n, L): β_ℓ = (Σ_{i∈ℓ} |ψ_i(0)|²)^{1/2} (m^{-3/2}), the contact amplitude of
    the level's bright combination; ``weights`` (n, L): thermal weight of each level's
    bright combination (normalised like :attr:`SecularNodes.weights`).
    """

    energy_hz: NDArray[np.float64]
    amplitude: NDArray[np.float64]
    weights: NDArray[np.float64]


@dataclass(frozen=True)
class SecularLevels:
    """The kept bright levels in order of energy (one row per level, n levels).

    ``energy_hz``: E_ℓ/h (Hz) from the lowest kept state; ``density_m3``: β_ℓ², the contact
    density of the level's bright combination (m⁻³); ``bright_weight``: its thermal weight;
    ``state_weight``: the thermal weight of all the level's motional states (bright and
    dark); ``span_hz``: the energy spread merged into the level (0 for one state or an exact
    degeneracy); ``cluster``: the cluster each level belongs to (levels of one cluster are
    consecutive and solved together). Used by :mod:`~.error` for the couplings the model
    neglects between clusters.
    """

    energy_hz: NDArray[np.float64]
    density_m3: NDArray[np.float64]
    bright_weight: NDArray[np.float64]
    state_weight: NDArray[np.float64]
    span_hz: NDArray[np.float64]
    cluster: NDArray[np.int64]


@dataclass(frozen=True)
class SecularNodes:
    """Nodes of the secular ensemble.

    ``density_m3``: distinct contact densities (m⁻³) of the single-level clusters, the first
    is the g = 0 node of all dark weight; ``weights``: their thermal weights;
    ``clusters``: the multi-level clusters (one :class:`SecularClusters` per L), solved
    exactly; ``weights`` plus all cluster weights sum to 1 over the kept states.
    ``manifolds``: per bright level (contact density m⁻³, bright weight), levels of
    multi-level clusters included; ``info``: bookkeeping and the validity diagnostics;
    ``levels``: the level table (:class:`SecularLevels`).
    """

    density_m3: NDArray[np.float64]
    weights: NDArray[np.float64]
    manifolds: tuple[NDArray[np.float64], NDArray[np.float64]]
    clusters: tuple[SecularClusters, ...]
    info: dict[str, Any]
    levels: SecularLevels | None = None


def _max_abs_scattering_length_m(setup: CollisionSetup) -> float:
    """max_F |a_F| (m): the norm of Σ_F a_F P_F, the largest contact coupling per density."""
    return max(abs(setup.species.scattering_length_m(F)) for F in setup.species.channels)


def secular_nodes(
    setup: CollisionSetup, options: SecularOptions | None = None, **values: Any
) -> SecularNodes:
    """Enumerate, weight and cluster the motional states (see the module docstring).

    ``options`` (:class:`~spinpair.dynamics.options.SecularOptions`, or its fields as
    keywords ``values``): ``weight_tolerance``: largest even-parity thermal weight left out
    (10⁻¹² … 0.5); ``max_states``: cap on the number of kept even-parity states (InputError
    beyond it); ``hold_time_s`` (s): the hold time t_hold of the cluster criterion (use the
    longest time you evaluate); ``cluster_factor`` κ: adjacent bright states with
    ΔE/h < κ·min(C_nm, 1/t_hold) are one cluster (0 keeps every state alone, only exact
    floating-point ties are merged); ``level_resolution`` r: adjacent states of a cluster
    closer than r/t_hold (Hz) are one level (their bright combination, as for an exact
    degeneracy); ``max_levels``: most levels per cluster (1 … 16) in the exact
    diagonalisation; a cluster with more is cut into max_levels equal energy bins (the
    largest energy spread merged into one level is reported as ``max_level_span_hz``).
    """
    o = SecularOptions.from_values(values, options)
    weight_tolerance, max_states, hold_time_s = o.weight_tolerance, o.max_states, o.hold_time_s
    cluster_factor, max_levels = o.cluster_factor, o.max_levels
    level_resolution = o.level_resolution
    instance("setup", setup, CollisionSetup, "a CollisionSetup (CollisionSetup.from_params)")
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

    # bright states (every n_j even) in order of energy
    e, c = grid.bright_states(e_cut)
    order = np.argsort(e, kind="stable")
    e, c = e[order], c[order]
    w = np.exp(-e) / kept  # thermal weight of each state
    e_hz = e * (trap.kt_j / constants.h)  # (E_n − E_0)/h
    scale = density_scale_m3(trap)
    g = contact_coupling_hz_m2(setup.species)
    c_hz = g * scale * _max_abs_scattering_length_m(setup)  # Hz per unit contact factor

    # fine levels: adjacent states closer than the resolution (exact ties included) act
    # as one degenerate level whose bright combination carries the summed density
    resolution_hz = level_resolution / hold_time_s
    f_start = np.concatenate([[0], np.flatnonzero(np.diff(e_hz) > resolution_hz) + 1])
    f_beta2 = np.add.reduceat(c, f_start)
    f_e = (
        np.add.reduceat(
            c * (e_hz - e_hz[f_start].repeat(np.diff(np.append(f_start, e.size)))), f_start
        )
        / f_beta2
        + e_hz[f_start]
    )
    f_wb = np.add.reduceat(w * c, f_start)  # Σ w|ψ|² (divide by β² for the bright weight)
    f_w = np.add.reduceat(w, f_start)  # all the weight of the level's states
    f_lo = e_hz[f_start]
    f_hi = e_hz[np.append(f_start[1:], e.size) - 1]

    # clusters, in two passes over adjacent levels. (1) groups: levels whose splitting is
    # small against both the coupling C and the hold-time resolution, ΔE/h < κ·min(C,
    # 1/t_hold), act as one manifold. (2) adjacent groups join when the gap is small
    # against either, ΔE/h < κ·max(C_AB, 1/t_hold) with C_AB from the groups' summed
    # densities, unless that makes a cluster of more than max_levels levels.
    gap = np.diff(f_e)
    coupling = c_hz * np.sqrt(f_beta2[1:] * f_beta2[:-1])  # g|β_A β_B|·max|a_F| (Hz)
    inv_t = 1.0 / hold_time_s
    strict = gap < cluster_factor * np.minimum(coupling, inv_t)
    g_start = np.flatnonzero(np.concatenate([[True], ~strict]))
    g_end = np.append(g_start[1:], f_e.size) - 1
    g_beta2 = np.add.reduceat(f_beta2, g_start)
    g_gap = f_e[g_start[1:]] - f_e[g_end[:-1]]
    g_coupling = c_hz * np.sqrt(g_beta2[1:] * g_beta2[:-1])
    loose = g_gap < cluster_factor * np.maximum(g_coupling, inv_t)
    lid = np.concatenate([[0], np.cumsum(~loose)])
    keep_joined = np.bincount(lid)[lid[:-1]] <= max_levels  # at most max_levels groups
    link = strict.copy()
    link[g_start[1:] - 1] = loose & keep_joined  # the gaps between groups
    new_cluster = np.concatenate([[True], ~link])
    cid = np.cumsum(new_cluster) - 1
    cstart = np.flatnonzero(new_cluster)
    csize = np.diff(np.append(cstart, f_e.size))  # levels per cluster
    # levels of a cluster: its fine levels if there are at most max_levels; else each
    # group is one level (its bright combination); a lone group with more than max_levels
    # fine levels is cut into max_levels equal energy bins
    gid = np.cumsum(np.concatenate([[True], ~strict])) - 1  # group of each fine level
    g_in = gid - gid[cstart][cid]
    n_groups = g_in[cstart + csize - 1] + 1
    e_rel = f_e - f_e[cstart][cid]
    span = e_rel[cstart + csize - 1]
    b = np.minimum(np.floor(e_rel / (span / max_levels + 1e-300)[cid]), max_levels - 1)
    sub = np.where(
        csize[cid] <= max_levels,
        np.arange(f_e.size) - cstart[cid],
        np.where(n_groups[cid] > 1, g_in, b.astype(np.int64)),
    )
    key = cid * (int(csize.max()) + 1) + sub
    lstart = np.concatenate([[0], np.flatnonzero(np.diff(key)) + 1])
    beta2 = np.add.reduceat(f_beta2, lstart)  # contact factor of each level's bright state
    e_lvl = np.add.reduceat(f_beta2 * e_rel, lstart) / beta2  # ⟨b|E|b⟩ from the cluster
    w_lvl = np.add.reduceat(f_wb, lstart) / beta2  # ⟨b|ρ_th|b⟩
    l_end = np.append(lstart[1:], f_e.size) - 1
    level_span = f_hi[l_end] - f_lo[lstart]
    l_cid = cid[lstart]
    lvl_n = np.bincount(l_cid, minlength=cstart.size)[l_cid]  # levels in the level's cluster

    # validity: separate neighbours closer than their coupling (secular approximation off)
    bad_gap = ~link & (gap < coupling)
    bad = np.zeros(f_e.size, dtype=bool)
    bad[:-1] |= bad_gap
    bad[1:] |= bad_gap
    # … and levels that merge states spread wider than the resolution promised (max_levels
    # bins, whole groups as one level): their states dephase within the hold time
    f_level = np.repeat(np.arange(lstart.size), np.diff(np.append(lstart, f_e.size)))
    bad |= level_span[f_level] * hold_time_s > max(level_resolution, 1e-6) * (1 + 1e-9)

    # single-level clusters: one node per distinct coupling (equal couplings merged)
    single = lvl_n == 1
    order = np.argsort(beta2[single], kind="stable")
    c_sorted, w_sorted = beta2[single][order], w_lvl[single][order]
    cstarts = _runs(c_sorted, COUPLING_RTOL) if c_sorted.size else np.zeros(0, dtype=int)
    sizes = np.diff(np.append(cstarts, c_sorted.size))
    c_node = np.add.reduceat(c_sorted, cstarts) / sizes if c_sorted.size else c_sorted
    w_node = np.add.reduceat(w_sorted, cstarts) if c_sorted.size else w_sorted
    clusters = []
    for L in range(2, max_levels + 1):
        flat = np.flatnonzero(lvl_n == L)
        if flat.size == 0:
            continue
        sel = flat.reshape(-1, L)  # levels of one cluster are consecutive
        clusters.append(
            SecularClusters(e_lvl[sel] - e_lvl[sel[:, :1]], np.sqrt(beta2[sel] * scale), w_lvl[sel])
        )
    bright = float(w_lvl.sum())
    density = np.concatenate([[0.0], c_node * scale])
    weights = np.concatenate([[max(0.0, 1.0 - bright)], w_node])
    # weight of each cluster's total bright combination Σ_ℓ β_ℓ|ℓ⟩ (the interacting weight)
    beta2_cl = np.bincount(l_cid, weights=beta2)
    w_cl = np.bincount(l_cid, weights=w_lvl * beta2) / beta2_cl
    interacting = float(w_cl.sum())
    k00 = named_ket("00", setup.f)
    v00 = abs(float(np.real(k00.conj() @ interaction_operator_m(setup.species) @ k00)))
    u00 = g * scale * v00 * beta2  # |⟨00|U|00⟩|/h of each level's bright combination
    multi = csize > 1
    n_states_cl = np.bincount(cid, weights=np.diff(np.append(f_start, e.size)))
    x_all_even = 2 * x
    info = {
        "motional_states": int(n_states),
        "all_even_states": int(e.size),
        "bright_manifolds": int(lstart.size),
        "nodes": int(density.size),
        "clusters": int(np.count_nonzero(np.bincount(l_cid) > 1)),
        "clustered_states": int(n_states_cl[multi].sum()),
        "largest_cluster_states": int(n_states_cl.max()),
        "max_level_span_hz": float(np.max(level_span)),
        "omitted_weight": float(max(0.0, 1.0 - kept_fraction)),
        "interacting_fraction": interacting,
        "all_even_fraction": float(np.prod(-1 / np.expm1(-x_all_even))) / z_even,
        "energy_cut_kT": float(e_cut),
        "weight_tolerance": float(weight_tolerance),
        "hold_time_s": float(hold_time_s),
        "cluster_factor": float(cluster_factor),
        "max_levels": max_levels,
        "level_resolution": float(level_resolution),
        "interaction_00_mean_hz": float(np.sum(w_lvl * u00) / np.sum(w_lvl)),
        "interaction_00_max_hz": float(u00.max()),
        "coupling_max_hz": float(c_hz * c.max()),
        "median_level_gap_hz": float(np.median(gap)) if gap.size else math.inf,
        "median_cluster_gap_hz": float(np.median(gap[~link])) if np.any(~link) else math.inf,
        "unresolved_weight": float(np.sum(f_w[bad]) / np.sum(f_w)),
    }
    levels = SecularLevels(
        energy_hz=e_lvl + f_e[cstart][l_cid],
        density_m3=beta2 * scale,
        bright_weight=w_lvl,
        state_weight=np.add.reduceat(f_w, lstart),
        span_hz=level_span,
        cluster=l_cid,
    )
    return SecularNodes(density, weights, (beta2 * scale, w_lvl), tuple(clusters), info, levels)


def _raise_max_states(max_states: int, needed: str, trap: PairTrap) -> None:
    raise InputError(
        "max_states",
        int(max_states),
        f">= {needed} motional states at T = {trap.temperature_k:g} K",
        "pass max_states=… (or a larger weight_tolerance=…) to the Python API, e.g. "
        "spinpair.dynamics.evolve('secular', setup, times, max_states=…) or "
        "secular_ensemble(setup, max_states=…): the CLI and parameter file do not set it; "
        "or lower the temperature",
    )


def secular_summary(
    setup: CollisionSetup, options: SecularOptions | None = None, **values: Any
) -> dict[str, Any]:
    """Bookkeeping of the secular ensemble (``options`` and ``values`` as for
    :func:`secular_nodes`).

    Keys: ``motional_states`` (kept even-parity states), ``all_even_states`` (states with
    contact), ``bright_manifolds`` (levels), ``nodes`` (distinct couplings of single-level
    clusters + the g = 0 node), ``clusters`` (multi-level clusters, solved exactly),
    ``clustered_states``, ``largest_cluster_states``, ``max_level_span_hz`` (largest energy
    spread merged into one level), ``omitted_weight``, ``interacting_fraction`` (thermal
    weight of each cluster's bright combination, summed), ``all_even_fraction`` (closed
    form Z(all n_j even)/Z_even), ``energy_cut_kT``, ``weight_tolerance``, the cluster
    options, and the regime-of-validity numbers: ``interaction_00_mean_hz`` and
    ``interaction_00_max_hz`` (|⟨00|U|00⟩|/h of the bright combinations, thermal mean and
    maximum), ``coupling_max_hz`` (largest C_nn), ``median_level_gap_hz`` and
    ``median_cluster_gap_hz`` (median gap between adjacent bright levels, clusters),
    ``unresolved_weight`` (share of the contact-state weight next to a separate cluster
    closer than their coupling C_nm, or in a level that merges states spread wider than
    ``level_resolution``/t_hold: there the secular approximation does not hold).
    ``unresolved_weight`` (share of the contact-state weight next to a separate cluster
    closer than their coupling C_nm: there the secular approximation does not hold).
    """
    return dict(secular_nodes(setup, options, **values).info)


__all__ = [
    "COUPLING_RTOL",
    "DEFAULT_HOLD_TIME_S",
    "LEVEL_RESOLUTION",
    "SecularClusters",
    "SecularLevels",
    "SecularNodes",
    "secular_nodes",
    "secular_summary",
]
