"""Secular thermal ensemble over harmonic motional eigenstates (spec §3a).

Relative-motion states n = (n_x, n_y, n_z) of the harmonic pair trap, energies
E_n = ħΣ_j ω_j(n_j + ½), thermal weights e^{−E_n/k_BT} restricted to even parity
(n_x + n_y + n_z even: the pair starts spin-symmetric, so its relative wavefunction is
even) and normalised over the kept even-parity states. A state's contact density is

    |ψ_n(0)|² = Π_j √(μω_j/(πħ)) · C(n_j, n_j/2) / 2^{n_j}   if every n_j is even, else 0

(m⁻³, μ = m/2), and it evolves its own spin Hamiltonian (Hz)

    H_n = (2ħ/m) |ψ_n(0)|² Σ_F a_F P_F + H_Z.

The secular approximation keeps motional states apart when their splitting is resolved.
Inside a set of quasi-degenerate states the contact interaction |ψ(0)⟩⟨ψ(0)| has rank one:
at exact degeneracy one "bright" combination carries the summed contact density
Σ|ψ_n(0)|² and the thermal weight Σ_n w_n|ψ_n(0)|²/Σ|ψ_n(0)|² (one state's weight for a
thermal, uniform manifold); every other state of the manifold is dark. States with zero
contact density never change spin. For a non-degenerate trap the interacting fraction of
the even-parity weight is Z(all n_j even)/Z(even parity) → 1/4 at high temperature.

Clusters (which states are solved together) come from physical scales, not from a
floating-point tolerance. With C_AB = g|β_A β_B|·max_F|a_F| (Hz) the contact coupling of
two adjacent levels (β² their contact densities) and t_hold the hold time:

1. states closer than ``level_resolution``/t_hold (default 0.01/t_hold) are one level
   (their bright combination, exactly as for a degeneracy);
2. adjacent levels with ΔE/h < κ·min(C_AB, 1/t_hold) (unresolved by the coupling and by
   the hold time) form a group that always stays together;
3. adjacent groups join when ΔE/h < κ·max(C_AB, 1/t_hold) (unresolved by either), with
   C_AB from the groups' summed densities, as long as the cluster keeps at most
   ``max_levels`` groups; κ = ``cluster_factor`` (default 1);
4. every cluster is solved exactly: the motion ⊗ spin Hamiltonian
   H = Σ_ℓ E_ℓ|ℓ⟩⟨ℓ| ⊗ 1 + 1 ⊗ H_Z + g|β⟩⟨β| ⊗ Σ_F a_F P_F (splittings on the diagonal)
   is diagonalised (batched over clusters), the thermal state Σ_ℓ w_ℓ|ℓ⟩⟨ℓ| ⊗ ρ evolved and
   the motion traced out. A cluster of more than ``max_levels`` levels keeps one level per
   group, and a lone group of more than ``max_levels`` levels is cut into ``max_levels``
   equal energy bins; the largest energy spread merged into one level is reported.

Couplings neglected between separate clusters change populations by ≲ (C/ΔE)²; the weight
of levels whose separate neighbour is closer than their coupling is reported as
``unresolved_weight`` (there the secular approximation does not hold). At exact
degeneracy every cluster reduces to the rank-one bright state; results are continuous in
splittings far below min(C, 1/t_hold) (tested: ν_y = ν_x(1 + 10⁻⁸)).

Numerics (all vectorised; memory ≈ 40 bytes per state with every n_j even):

* truncation: the even-parity states with E_n − E_0 ≤ E_cut, E_cut the smallest energy
  (bisection) at which the omitted even-parity weight, computed exactly from the
  closed-form partition function Z_even = ½(Π 1/(1−e^{−x_j}) + Π 1/(1+e^{−x_j})),
  x_j = ħω_j/k_BT, is ≤ ``weight_tolerance``. Kept states are counted and weighted by
  geometric sums along the axis with the most levels, without enumerating them; more than
  ``max_states`` kept states is an :class:`~spinpair.errors.InputError`.
* only states with every n_j even are enumerated (≈ 40 bytes each); single-level clusters
  with equal contact density to a relative tolerance :data:`COUPLING_RTOL` (10⁻¹⁰) are
  merged into one node (weights summed), all dark weight is one g = 0 node, and each node
  is one k×k problem of the batched engine (:mod:`~.engine`); multi-level clusters are
  batched by size L (one stacked L·k-dimensional ``eigh`` per chunk, real symmetric when
  the spin operators are real), oscillating terms below :data:`PRUNE_BUDGET` in total are
  dropped. Short or non-uniform time grids come from exact phase tables (cost ∝ times ×
  terms); uniform grids of at least :data:`NUFFT_MIN_TIMES` times sum the terms of nodes
  and clusters with a type-1 non-uniform FFT (FINUFFT, relative precision
  :data:`NUFFT_EPS`; cost ∝ terms + times·log(times)).

Examples
--------
>>> from spinpair.params import Params
>>> s = CollisionSetup.from_params(Params())          # paper: 102/102/24.5 kHz, 40 µK
>>> info = secular_summary(s)
>>> info["motional_states"] > 10**6, info["nodes"] < 10**3, info["omitted_weight"] <= 1e-6
(True, True, True)

The model's own interaction scale against its level spacings (paper trap, 40 µK): the
|0,0⟩ interaction energy of the bright levels (thermal mean, maximum) and the median gap
between adjacent bright levels, in kHz, beside ħω_z/h:

>>> [round(info[k] / 1e3, 1) for k in ("interaction_00_mean_hz", "interaction_00_max_hz",
...  "median_level_gap_hz")], round(s.trap.frequencies_hz[2] / 1e3, 1)
([9.3, 39.0, 0.7], 24.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants, special

from ..errors import InputError
from ..spin import f_from_dim, named_ket
from ..trap import PairTrap
from .engine import (
    Ensemble,
    _blocks,
    _cos_sin_sums,
    _hermitian_from_vec,
    _hermitian_vec,
    _uniform_grid,
    check_times,
    evolve_ensemble,
)
from .hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from .setup import CollisionSetup

Array = NDArray[np.complex128]

#: Default hold time t_hold (s) of the cluster criterion (the paper's 100 ms).
DEFAULT_HOLD_TIME_S = 0.1
#: Energy resolution (in units of 1/t_hold, Hz) below which states of a cluster are merged
#: into one level: a phase error ≤ π·0.01 over the hold time.
LEVEL_RESOLUTION = 0.01
#: Relative tolerance for merging equal contact densities into one node.
COUPLING_RTOL = 1e-10
#: Largest change of any density-matrix element from dropping negligible oscillating
#: terms of the exact cluster solutions (per group of clusters with the same size).
PRUNE_BUDGET = 1e-9
#: Grid cells (n_a, n_b) processed at once when counting or enumerating states.
_CELLS_PER_CHUNK = 1 << 20


def contact_factor(n: ArrayLike) -> NDArray[np.float64]:
    """C(n, n/2)/2^n for even n, 0 for odd n: the 1-D oscillator's |φ_n(0)|² in units of
    √(μω/(πħ)). Log-gamma, so n may be large.

    Examples
    --------
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

    Examples
    --------
    >>> round(even_parity_partition([50.0, 50.0, 50.0]), 12)    # only n = 0
    1.0
    """
    x = np.asarray(x, dtype=float)
    return 0.5 * float(np.prod(-1 / np.expm1(-x)) + np.prod(1 / (1 + np.exp(-x))))


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
class SecularNodes:
    """Nodes of the secular ensemble.

    ``density_m3``: distinct contact densities (m⁻³) of the single-level clusters, the first
    is the g = 0 node of all dark weight; ``weights``: their thermal weights;
    ``clusters``: the multi-level clusters (one :class:`SecularClusters` per L), solved
    exactly; ``weights`` plus all cluster weights sum to 1 over the kept states.
    ``manifolds``: per bright level (contact density m⁻³, bright weight), levels of
    multi-level clusters included; ``info``: bookkeeping and the validity diagnostics.
    """

    density_m3: NDArray[np.float64]
    weights: NDArray[np.float64]
    manifolds: tuple[NDArray[np.float64], NDArray[np.float64]]
    clusters: tuple[SecularClusters, ...]
    info: dict[str, Any]


def _max_abs_scattering_length_m(setup: CollisionSetup) -> float:
    """max_F |a_F| (m): the norm of Σ_F a_F P_F, the largest contact coupling per density."""
    return max(abs(setup.species.scattering_length_m(F)) for F in setup.species.channels)


def _check_cluster_options(hold_time_s: float, cluster_factor: float, max_levels: int) -> None:
    if not (np.isfinite(hold_time_s) and hold_time_s > 0):
        raise InputError("hold_time_s", hold_time_s, "> 0 (s)")
    if not (np.isfinite(cluster_factor) and cluster_factor >= 0):
        raise InputError("cluster_factor", cluster_factor, ">= 0")
    if int(max_levels) != max_levels or not (1 <= int(max_levels) <= 16):
        raise InputError("max_levels", max_levels, "an integer 1 … 16")


def secular_nodes(
    setup: CollisionSetup,
    *,
    weight_tolerance: float = 1e-6,
    max_states: int = 2_000_000,
    hold_time_s: float = DEFAULT_HOLD_TIME_S,
    cluster_factor: float = 1.0,
    max_levels: int = 8,
    level_resolution: float = LEVEL_RESOLUTION,
) -> SecularNodes:
    """Enumerate, weight and cluster the motional states (see the module docstring).

    ``weight_tolerance``: largest even-parity thermal weight left out (10⁻¹² … 0.5);
    ``max_states``: cap on the number of kept even-parity states (InputError beyond it);
    ``hold_time_s`` (s): the hold time t_hold of the cluster criterion (use the longest
    time you evaluate); ``cluster_factor`` κ: adjacent bright states with
    ΔE/h < κ·min(C_nm, 1/t_hold) are one cluster (0 keeps every state alone, only exact
    floating-point ties are merged); ``level_resolution`` r: adjacent states of a cluster
    closer than r/t_hold (Hz) are one level (their bright combination, as for an exact
    degeneracy); ``max_levels``: most levels per cluster (1 … 16) in the exact
    diagonalisation; a cluster with more is cut into max_levels equal energy bins (the
    largest energy spread merged into one level is reported as ``max_level_span_hz``).
    """
    if not (1e-12 <= weight_tolerance <= 0.5):
        raise InputError("weight_tolerance", weight_tolerance, "1e-12 … 0.5")
    if int(max_states) < 1:
        raise InputError("max_states", max_states, ">= 1")
    _check_cluster_options(hold_time_s, cluster_factor, max_levels)
    if not (np.isfinite(level_resolution) and level_resolution >= 0):
        raise InputError("level_resolution", level_resolution, ">= 0")
    max_levels = int(max_levels)
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
    return SecularNodes(density, weights, (beta2 * scale, w_lvl), tuple(clusters), info)


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


# ---------------------------------------------------------------- exact cluster dynamics

#: Uniform time grids with at least this many times sum the oscillating cluster terms with
#: a type-1 non-uniform FFT (:func:`_nufft_phase_sums`) when ``finufft`` is installed;
#: shorter or non-uniform grids use the engine's exact phase tables.
NUFFT_MIN_TIMES = 128
#: Requested relative precision of the non-uniform FFT (FINUFFT's ``eps``): the error of
#: every matrix element is ≲ NUFFT_EPS·Σ_p|C_p| (Σ_p|C_p| ≲ the cluster weight, ≤ 1).
NUFFT_EPS = 1e-14
#: Memory (bytes) a :class:`SecularModel` may keep for cluster eigenpairs reused across
#: states, blocks and calls.
EIG_CACHE_BYTES = 256 * 2**20
#: Multiply-adds of one chunk of clusters (bounds the memory of the term tables).
_CLUSTER_CHUNK = 3_000_000


def _herm_vec(A: NDArray[np.complex128], k: int) -> NDArray[np.float64]:
    """k² reals of Hermitian (…, k, k) (the engine's packing)."""
    return _hermitian_vec(A, np.triu_indices(k), np.triu_indices(k, 1))


def _herm_from_vec(h: NDArray[np.float64], k: int) -> NDArray[np.complex128]:
    return _hermitian_from_vec(h, k, np.triu_indices(k), np.triu_indices(k, 1))


def _finufft():
    """The ``finufft`` module, or None if it is not installed."""
    try:
        import finufft
    except ImportError:  # pragma: no cover - finufft is a dependency
        return None
    return finufft


def _nufft_phase_sums(omega: NDArray[np.float64], C: Array, t: NDArray[np.float64]) -> Array:
    """S(t_j) = Σ_p C_p e^{−2πiω_p t_j} (nt, k, k) on a uniform grid t_j = t_0 + jΔt.

    With φ_p = ω_pΔt reduced to [−½, ½) (e^{−2πiω_p jΔt} = e^{−2πiφ_p j} for integer j),
    S is FINUFFT's type-1 transform f_k = Σ_p c_p e^{−ik x_p}, x_p = 2πφ_p, at the modes
    k = j − ⌊nt/2⌋, with c_p = C_p e^{−2πiω_p t_0} e^{−i⌊nt/2⌋x_p}."""
    finufft = _finufft()
    nt, k = t.size, C.shape[-1]
    dt = (t[-1] - t[0]) / (nt - 1)
    phi = omega * dt
    phi = phi - np.floor(phi + 0.5)
    x = 2 * np.pi * phi
    half = nt // 2
    c = np.empty((k * k, omega.size), dtype=complex)
    np.multiply(C.reshape(-1, k * k).T, np.exp(-2j * np.pi * omega * t[0] - 1j * half * x), out=c)
    f = finufft.nufft1d1(x, c, nt, eps=NUFFT_EPS, isign=-1, nthreads=1)
    return f.T.reshape(nt, k, k)


def _use_nufft(t: NDArray[np.float64]) -> bool:
    return t.size >= NUFFT_MIN_TIMES and _uniform_grid(t) and _finufft() is not None


def _cluster_eigh(
    E: NDArray[np.float64],
    beta: NDArray[np.float64],
    V: Array,
    Z: Array,
    g_hz_m2: float,
) -> tuple[NDArray[np.float64], NDArray]:
    """Eigenvalues (m, D) and eigenvectors (m, D, D) of m clusters' motion ⊗ spin
    Hamiltonians (D = L·k), one stacked ``eigh``; real symmetric when V and Z are real."""
    k = V.shape[0]
    m, L = E.shape
    D = L * k
    real = not (np.iscomplexobj(V) and np.any(V.imag)) and not (
        np.iscomplexobj(Z) and np.any(Z.imag)
    )
    Vr, Zr = (V.real, Z.real) if real else (V, Z)
    bb = g_hz_m2 * beta[:, :, None] * beta[:, None, :]  # (m, L, L) Hz/m
    H = bb[:, :, None, :, None] * Vr[None, None, :, None, :]  # (m, L, k, L, k)
    for ell in range(L):
        H[:, ell, :, ell, :] += Zr
    H = H.reshape(m, D, D)
    diag = np.arange(D)
    H[:, diag, diag] += np.repeat(E, k, axis=1)
    return np.linalg.eigh(H)


def _cluster_terms(
    rho: Array,
    lam: NDArray[np.float64],
    W: NDArray,
    w: NDArray[np.float64],
    threshold: float,
) -> tuple[Array, NDArray[np.float64], Array]:
    """Exact solution of m clusters with L levels each (eigenpairs from
    :func:`_cluster_eigh`, thermal level weights w (m, L)), as (constant part (k, k),
    frequencies ω_p (Hz), coefficients C_p (P, k, k)): Σ_clusters ρ_spin(t) = const +
    Σ_p C_p e^{−2πiω_p t} + h.c. Terms with max|C_p| < ``threshold`` are dropped."""
    k = rho.shape[0]
    m, L = w.shape
    D = L * k
    if not np.iscomplexobj(W) and not np.any(rho.imag):
        rho = rho.real  # type: ignore[assignment]  # then every coefficient is real too
    Wr = W.reshape(m, L, k, D)
    A = np.matmul(rho.T, Wr.conj())  # Σ_s W*_{ℓsa} ρ_{st}: (m, L, k, D)
    A *= w[:, :, None, None]
    M = np.matmul(A.reshape(m, D, D).transpose(0, 2, 1), W)  # ⟨a|X|b⟩, X = Σ w_ℓ|ℓ⟩⟨ℓ|⊗ρ
    # G[a, s, b, t] = Σ_ℓ W_{ℓsa} W*_{ℓtb} = ⟨s|Tr_motion|a⟩⟨b|·|t⟩, one batched product
    Wt = Wr.transpose(0, 3, 2, 1).reshape(m, D * k, L)
    G = np.matmul(Wt, Wt.conj().transpose(0, 2, 1)).reshape(m, D, k, D, k)
    const = np.einsum("maa,masat->st", M, G)
    au, bu = np.triu_indices(D, 1)
    Mp = M[:, au, bu]
    # drop terms below PRUNE_BUDGET / (number of terms): every matrix element then
    # changes by at most PRUNE_BUDGET (most terms of a weakly mixed cluster are ~0).
    # |G_ab[s, t]| ≤ 1 (Cauchy–Schwarz), so only pairs with |M_ab| ≥ threshold can stay
    ci, cp = np.nonzero(np.abs(Mp) >= threshold)
    Gp = G[ci, au[cp], :, bu[cp], :]  # (candidates, k, k)
    Mc = Mp[ci, cp]
    keep = np.abs(Mc) * np.max(np.abs(Gp), axis=(1, 2)) >= threshold
    C = Gp[keep] * Mc[keep][:, None, None]
    omega = (lam[ci, au[cp]] - lam[ci, bu[cp]])[keep]
    return const, omega, C


def cluster_spin_states(
    rho: Array,
    times_s: NDArray[np.float64],
    cl: SecularClusters,
    V: Array,
    Z: Array,
    g_hz_m2: float,
    *,
    method: str = "auto",
    prune: bool = True,
    eig_cache: dict | None = None,
) -> Array:
    """Σ over the clusters of Σ_ℓ w_ℓ Tr_motion[U(t) (|ℓ⟩⟨ℓ| ⊗ ρ) U(t)†]: (nt, k, k).

    Exact diagonalisation of each cluster's motion ⊗ spin Hamiltonian (Hz)

        H = Σ_ℓ E_ℓ |ℓ⟩⟨ℓ| ⊗ 1 + 1 ⊗ Z + g |β⟩⟨β| ⊗ V,   |β⟩ = Σ_ℓ β_ℓ |ℓ⟩,

    (Z, V: Zeeman Hamiltonian (Hz) and Σ_F a_F P_F (m) on the k-dimensional spin support,
    g = 2ħ/m in Hz·m², β_ℓ in m^{-3/2}), batched over clusters (one stacked ``eigh`` per
    chunk; real symmetric when V and Z are real). ``rho`` (k, k) Hermitian.

    ``method`` sums the oscillating terms: ``"table"`` with the engine's exact phase tables
    (every time, cost ∝ times × terms), ``"nufft"`` with a type-1 non-uniform FFT on a
    uniform grid (FINUFFT, relative precision :data:`NUFFT_EPS`, cost ∝ terms + times·log),
    ``"auto"`` the latter on uniform grids of at least :data:`NUFFT_MIN_TIMES` times.
    ``prune``: drop terms below :data:`PRUNE_BUDGET` / (number of terms) (False keeps all).
    ``eig_cache``: a dict for these clusters, V and Z, filled with (and then reused for) the
    eigenpairs of each chunk of clusters, so that other states reuse the diagonalisation.
    """
    if method not in ("auto", "table", "nufft"):
        raise InputError("method", method, "'auto', 'table' or 'nufft'")
    k = rho.shape[0]
    n, L = cl.energy_hz.shape
    D = L * k
    t = np.asarray(times_s, dtype=float)
    nufft = _use_nufft(t) if method == "auto" else method == "nufft"
    if nufft and _finufft() is None:  # pragma: no cover - finufft is a dependency
        raise InputError("method", method, "'table' or 'auto' (finufft is not installed)")
    if nufft and not _uniform_grid(t):
        raise InputError("times", t.size, "a uniform grid of >= 3 times for method='nufft'")
    threshold = PRUNE_BUDGET / (2 * n * max(1, D * (D - 1) // 2)) if prune else 0.0
    const = np.zeros((k, k), dtype=complex)
    acc = np.zeros((t.size, k * k))
    osc = np.zeros((t.size, k, k), dtype=complex)
    step = max(1, _CLUSTER_CHUNK // (D * D * k * k))
    for i in range(0, n, step):
        sl = slice(i, i + step)
        if eig_cache is not None and i in eig_cache:
            lam, W = eig_cache[i]
        else:
            lam, W = _cluster_eigh(cl.energy_hz[sl], cl.amplitude[sl], V, Z, g_hz_m2)
            if eig_cache is not None:
                eig_cache[i] = (lam, W)
        c0, omega, C = _cluster_terms(rho, lam, W, cl.weights[sl], threshold)
        const += c0
        if omega.size == 0:
            continue
        if nufft:
            osc += _nufft_phase_sums(omega, C, t)
        else:
            # C e^{−iθ} + C† e^{iθ} = P cos θ + Q sin θ, P = C + C†, Q = −i(C − C†) Hermitian
            Ch = C.conj().transpose(0, 2, 1)
            acc += _cos_sin_sums(omega, _herm_vec(C + Ch, k), _herm_vec(-1j * (C - Ch), k), t)
    out = _herm_from_vec(acc, k) + const[None]
    if nufft:
        out += osc + osc.conj().transpose(0, 2, 1)
    return out


class SecularModel:
    """The secular model's propagator: engine nodes plus exactly solved clusters.

    Calling it with a support basis returns the :class:`~.engine.Ensemble` of the
    single-level nodes (the engine's interface); :meth:`propagate` evolves a pair spin
    state under the whole model (nodes and clusters) and is what :func:`spinpair.dynamics.
    evolve` uses. Calling it while the model has multi-level clusters is an error, since
    the engine alone would leave them out.
    """

    def __init__(self, setup: CollisionSetup, nodes: SecularNodes) -> None:
        self.setup = setup
        self.nodes = nodes
        self.g_hz_m2 = contact_coupling_hz_m2(setup.species)
        self.V = interaction_operator_m(setup.species)
        # the single-level nodes as one-level clusters (E = 0, β² = density)
        n = nodes.density_m3.size
        self._node_clusters = SecularClusters(
            np.zeros((n, 1)), np.sqrt(nodes.density_m3)[:, None], nodes.weights[:, None]
        )
        self._eig_cache: dict[bytes, list[dict | None]] = {}
        self._eig_bytes = 0

    def _node_ensemble(self, basis: Array) -> Ensemble:
        Vk = basis.conj().T @ self.V @ basis
        Hz = basis.conj().T @ self.setup.zeeman_hz @ basis
        g = self.g_hz_m2 * self.nodes.density_m3
        return Ensemble(g[:, None, None] * Vk[None] + Hz[None], self.nodes.weights)

    def __call__(self, basis: Array) -> Ensemble:
        if self.nodes.clusters:
            raise InputError(
                "secular clusters",
                self.nodes.info["clusters"],
                "0 for the bare engine interface",
                "use spinpair.dynamics.evolve('secular', …) or SecularModel.propagate",
            )
        return self._node_ensemble(basis)

    def _caches(self, basis: Array, Vk: Array, Zk: Array) -> list[dict | None]:
        """Eigenpair caches of one support basis (nodes, then each cluster size), or Nones
        once :data:`EIG_CACHE_BYTES` are used: later states and calls (the measurement
        sequence propagates many states) reuse the diagonalisations."""
        groups = (self._node_clusters, *self.nodes.clusters)
        key = basis.tobytes()
        if key in self._eig_cache:
            return self._eig_cache[key]
        item = 16 if np.any(Vk.imag) or np.any(Zk.imag) else 8
        k = basis.shape[1]
        need = sum(cl.energy_hz.size * k * (cl.energy_hz.shape[1] * k + 1) for cl in groups)
        if self._eig_bytes + item * need > EIG_CACHE_BYTES:
            return [None] * len(groups)
        self._eig_bytes += item * need
        self._eig_cache[key] = [{} for _ in groups]
        return self._eig_cache[key]

    def propagate(self, rho0: ArrayLike, times_s: ArrayLike) -> Array:
        """Pair spin density matrices (nt, d², d²) at ``times_s`` (s) from ``rho0`` (d², d²);
        linear in ``rho0``."""
        rho = np.asarray(rho0, dtype=complex)
        if rho.ndim != 2 or rho.shape[0] != rho.shape[1]:
            raise InputError("rho0", rho.shape, "a square pair density matrix")
        t = check_times(times_s)
        # without clusters the nodes' exact phase tables are cheaper (measured: 204 nodes,
        # 200-10^4 times, 1.6-3x faster); with clusters the FFT pays (paper tweezer 2.3x)
        nufft = bool(self.nodes.clusters) and _use_nufft(t)
        if nufft:  # nodes and clusters together, all oscillating terms by one NUFFT each
            out = np.zeros((t.size, *rho.shape), dtype=complex)
        else:
            out = evolve_ensemble(rho, t, self._node_ensemble)
            if not self.nodes.clusters:
                return out
        f = f_from_dim(rho.shape[0])
        herm = 0.5 * (rho + rho.conj().T)
        anti = -0.5j * (rho - rho.conj().T)  # rho = herm + i·anti, both Hermitian
        for sign, part_rho in ((1.0, herm), (1j, anti)):
            if np.max(np.abs(part_rho)) == 0:
                continue
            for basis, part in _blocks(part_rho, f):
                Vk = basis.conj().T @ self.V @ basis
                Zk = basis.conj().T @ self.setup.zeeman_hz @ basis
                caches = self._caches(basis, Vk, Zk)
                sub = np.zeros((t.size, *part.shape), dtype=complex)
                opts: dict[str, Any] = dict(eig_cache=caches[0], prune=False)
                if nufft:  # the single-level nodes, unpruned, as the engine has them
                    sub += cluster_spin_states(
                        part, t, self._node_clusters, Vk, Zk, self.g_hz_m2, **opts
                    )
                for cl, cache in zip(self.nodes.clusters, caches[1:], strict=True):
                    sub += cluster_spin_states(part, t, cl, Vk, Zk, self.g_hz_m2, eig_cache=cache)
                if nufft:
                    sub = 0.5 * (sub + sub.conj().transpose(0, 2, 1))
                out += sign * ((basis[None] @ sub) @ basis.conj().T)
        return out


def secular_ensemble(
    setup: CollisionSetup,
    *,
    weight_tolerance: float = 1e-6,
    max_states: int = 2_000_000,
    hold_time_s: float = DEFAULT_HOLD_TIME_S,
    cluster_factor: float = 1.0,
    max_levels: int = 8,
    level_resolution: float = LEVEL_RESOLUTION,
) -> SecularModel:
    """The secular model (options as for :func:`secular_nodes`).

    Single-level clusters are nodes of the batched engine: one node per distinct contact
    density ρ (plus the g = 0 node of the dark weight), H = g V_k + H_Z,k (Hz) with
    g = (2ħ/m)ρ and V_k, H_Z,k the interaction Σ_F a_F P_F (m) and the Zeeman Hamiltonian
    restricted to the support basis. Multi-level clusters are diagonalised exactly
    (:func:`cluster_spin_states`). Use :meth:`SecularModel.propagate`.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> from spinpair.spin import named_state
    >>> model = secular_ensemble(CollisionSetup.from_params(Params()))
    >>> rho = model.propagate(named_state("00"), [0.0, 0.1])
    >>> rho.shape, round(float(np.trace(rho[1]).real), 12)
    ((2, 25, 25), 1.0)
    """
    nodes = secular_nodes(
        setup,
        weight_tolerance=weight_tolerance,
        max_states=max_states,
        hold_time_s=hold_time_s,
        cluster_factor=cluster_factor,
        max_levels=max_levels,
        level_resolution=level_resolution,
    )
    return SecularModel(setup, nodes)


def secular_summary(setup: CollisionSetup, **options: Any) -> dict[str, Any]:
    """Bookkeeping of the secular ensemble (``options`` as for :func:`secular_nodes`).

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
    closer than their coupling C_nm: there the secular approximation does not hold).
    """
    return dict(secular_nodes(setup, **options).info)


__all__ = [
    "COUPLING_RTOL",
    "DEFAULT_HOLD_TIME_S",
    "LEVEL_RESOLUTION",
    "NUFFT_EPS",
    "NUFFT_MIN_TIMES",
    "PRUNE_BUDGET",
    "SecularClusters",
    "SecularModel",
    "SecularNodes",
    "cluster_spin_states",
    "contact_density_m3",
    "contact_factor",
    "density_scale_m3",
    "even_parity_partition",
    "secular_ensemble",
    "secular_nodes",
    "secular_summary",
]
