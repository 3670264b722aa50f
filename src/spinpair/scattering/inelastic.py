"""Hyperfine-changing collisions of an upper- and a lower-manifold atom: loss rate coefficients.

Why one file of ~640 lines: the rate coefficients, their thermal average, their
uncertainty and the table they are shipped in are one computation in four steps.

A pair with one atom in |f+1, m1⟩ and one in |f, m2⟩ (85Rb: F = 3 and F = 2) can leave
through the open channels with both atoms in manifold f, releasing the hyperfine energy
(3.04 GHz × h ≈ 146 mK × k_B for 85Rb): both atoms leave the tweezer. This module computes
the rate coefficient of that loss from the coupled-channel solver (:mod:`.solver`, the same
potentials and numerics as the a_F), partial wave by partial wave.

Conventions (stated once, used everywhere):

* Partial waves: without the magnetic dipole–dipole coupling (10⁻⁴ of the exchange
  coupling, neglected; it alone mixes L) L is conserved, so each L is its own
  coupled-channel problem with the centrifugal term ħ²L(L+1)/(2μR²). The two atoms are
  identical bosons: an internal state of exchange symmetry (−1)^L goes with partial wave L,
  so even L use the symmetric channels (|a⟩|b⟩ + |b⟩|a⟩)/√2 and odd L the antisymmetric
  ones (|a⟩|b⟩ − |b⟩|a⟩)/√2. The entrance |f+1, m1⟩ ≠ |f, m2⟩ exists in both.
* Rate coefficient: for two different internal states a ≠ b of identical bosons,
  dn_a/dt = dn_b/dt = −K n_a n_b with

      K(E) = (π ħ / (μ k)) Σ_L (2L + 1) Σ_exit |S^L_{exit, in}(E)|²,   g = 1,

  k = √(2μE)/ħ, μ = m/2, the exits being the channels with both atoms in manifold f.
  This is K = ⟨σ v⟩ with v the relative speed and σ the loss cross-section of
  distinguishable particles in the normalised (anti)symmetrised channel (Hutson,
  New J. Phys. 9, 152 (2007), and Julienne's convention: the identical-particle factor
  g = 2 applies only to two atoms in the same internal state; each loss event removes one
  a and one b atom). Even and odd L are reported separately (``even``, ``odd``), because
  in a trap the internal symmetry of the pair fixes the parity of its relative motion
  (:mod:`spinpair.sequence.pair_loss`).
* Thermal average over the Maxwell–Boltzmann distribution of collision energies at T,
  p(E) dE = (2/√π) (k_BT)^{-3/2} √E e^{−E/k_BT} dE, by generalised Gauss–Laguerre
  quadrature (weight √x e^{−x}, x = E/k_BT; ``nodes`` nodes, 16 by default) for direct
  solves, or by integrating a shipped K_L(E) table (:class:`InelasticTable`).
* Uncertainty: the two potential knobs of :mod:`.uncertainty` (δ_S, δ_T at ±1σ, sized on
  the 85Rb 155 G resonance) propagated by central differences and added in quadrature,
  as for the a_F.

Other inelastic channels (one atom's m changes, or the F = f+1 excitation moves to the
other atom: both atoms stay in the trap) are counted separately as ``exchange``; they do
not lose the pair. Not included: three-body loss, light-assisted loss during the push-out,
dipolar relaxation.

Examples
--------
>>> from spinpair.species import get_species
>>> sp = get_species("rb85")
>>> r = thermal_rate_coefficients(sp, 0.5, 1, -1, 40e-6, l_max=0, nodes=4)
>>> 1e-19 < r.by_l[0] < 1e-18          # s-wave loss rate coefficient (m³/s)
True
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import constants
from scipy.special import gamma, roots_genlaguerre

from ..errors import InputError, check_range
from ..species import Species, get_species
from .solver import POTENTIALS, Numerics, s_matrix

#: Shipped table of K_L(E) (regenerate: ``python -m spinpair.scattering.inelastic``).
TABLE_FILE = "inelastic_tables.npz"
#: Fields (G) of the shipped table: the paper's hold field and its Raman/push-out field.
TABLE_FIELDS_G: tuple[float, ...] = (0.5, 8.5)
#: Collision energies (K) of the table: covers thermal averages for 5–150 µK.
TABLE_ENERGIES_K = np.geomspace(0.1e-6, 1.5e-3, 28)
#: Partial waves in the table (L = 3 is below 1e-8 of the s-wave at 40 µK: tested).
TABLE_L: tuple[int, ...] = (0, 1, 2)
#: Partial waves with potential-knob variants in the table (d-wave: central value only).
VARIANT_L: tuple[int, ...] = (0, 1)
#: Temperatures (K) the table's energy grid supports.
TEMPERATURE_RANGE_K: tuple[float, float] = (5e-6, 150e-6)
#: Default number of Gauss–Laguerre nodes of a direct thermal average.
DEFAULT_NODES = 16


def check_upper_lower(species: Species) -> None:
    """The species must be a lower manifold f = I − ½ with coupled-channel potentials."""
    if species.name not in POTENTIALS:
        raise InputError(
            "--species", species.name, f"one with coupled-channel potentials: {sorted(POTENTIALS)}"
        )
    lower = round(species.nuclear_spin - 0.5)
    if species.f != lower:
        raise InputError(
            "--f",
            species.f,
            f"{lower} (the lower manifold f = I - 1/2: the entrance pair is one atom in "
            "F = f+1 and one in F = f)",
        )


def entrance_pairs(species: Species) -> list[tuple[int, int]]:
    """All (m1, m2): one atom in |f+1, m1⟩, one in |f, m2⟩ (m1 outer, descending)."""
    f = species.f
    return [(m1, m2) for m1 in range(f + 1, -f - 2, -1) for m2 in range(f, -f - 1, -1)]


def _check_pair(species: Species, m1: int, m2: int) -> None:
    f = species.f
    if not (isinstance(m1, (int, np.integer)) and abs(m1) <= f + 1):
        raise InputError("m1", m1, f"an integer in -{f + 1} .. {f + 1} (atom in F = f+1)")
    if not (isinstance(m2, (int, np.integer)) and abs(m2) <= f):
        raise InputError("m2", m2, f"an integer in -{f} .. {f} (atom in F = f)")


def loss_probabilities(
    species: Species,
    field_gauss: float,
    m1: int,
    m2: int,
    energies_k: ArrayLike,
    L: int = 0,
    *,
    wall_shift_hartree: tuple[float, float] = (0.0, 0.0),
    numerics: Numerics | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per collision energy (K, above the entrance threshold): (Σ|S|² to the channels with
    both atoms in manifold f, Σ|S|² to every other channel) in partial wave ``L`` from
    |f+1, m1⟩ + |f, m2⟩ at ``field_gauss`` (G).

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> p, x = loss_probabilities(get_species("rb85"), 0.5, 1, -1, [40e-6])
    >>> round(float(p[0]), 5)
    0.00892
    """
    check_upper_lower(species)
    _check_pair(species, m1, m2)
    f = species.f
    ent = (f + 1, int(m1), f, int(m2))
    res = s_matrix(
        species,
        field_gauss,
        energies_k,
        entrance=ent,
        wall_shift_hartree=wall_shift_hartree,
        numerics=numerics,
        L=L,
    )
    i_ent = res.labels.index(ent) if ent in res.labels else res.labels.index((f, m2, f + 1, m1))
    lower = np.array([lab[0] == f and lab[2] == f for lab in res.labels])
    p_loss = np.zeros(res.energies_k.size)
    p_other = np.zeros(res.energies_k.size)
    for e, (op, S) in enumerate(zip(res.open_channels, res.S, strict=True)):
        col = int(np.flatnonzero(op == i_ent)[0])
        prob = np.abs(S[:, col]) ** 2
        is_lower = lower[op]
        p_loss[e] = float(prob[is_lower].sum())
        mask = ~is_lower
        mask[col] = False
        p_other[e] = float(prob[mask].sum())
    return p_loss, p_other


def rate_from_probability(
    species: Species, energies_k: ArrayLike, probability: ArrayLike, L: int
) -> NDArray[np.float64]:
    """K_L(E) = π ħ (2L+1) P / (μ k) in m³/s, k = √(2μ k_B E)/ħ (E in K)."""
    E = np.asarray(energies_k, dtype=float)
    mu = species.reduced_mass_kg
    k = np.sqrt(2 * mu * constants.k * E) / constants.hbar
    return np.asarray(
        np.pi * constants.hbar * (2 * L + 1) * np.asarray(probability, dtype=float) / (mu * k)
    )


def thermal_nodes(
    temperature_k: float, nodes: int = DEFAULT_NODES
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Collision energies (K) and weights (summing to 1) of the Maxwell–Boltzmann average
    ⟨g⟩ = ∫ g(E) (2/√π) (k_BT)^{-3/2} √E e^{−E/k_BT} dE (generalised Gauss–Laguerre, α = ½).

    Examples
    --------
    >>> E, w = thermal_nodes(40e-6, 8)
    >>> round(float(w.sum()), 12), round(float((w * E).sum() / 40e-6), 9)   # ⟨E⟩ = 3/2 k_BT
    (1.0, 1.5)
    """
    T = check_range("temperature_k", temperature_k, 0.0, 1.0, lo_open=True)
    if isinstance(nodes, bool) or not isinstance(nodes, (int, np.integer)) or not 1 <= nodes <= 200:
        raise InputError("nodes", nodes, "an integer 1 .. 200")
    x, w = roots_genlaguerre(int(nodes), 0.5)
    return np.asarray(x * T), np.asarray(w / gamma(1.5))


@dataclass(frozen=True)
class InelasticRate:
    """Thermally averaged loss rate coefficients (m³/s) of one entrance pair.

    Attributes
    ----------
    m1, m2 : the atom in |f+1, m1⟩ and the atom in |f, m2⟩.
    field_gauss, temperature_k : field (G) and temperature (K).
    by_l : L → ⟨K_L⟩ (m³/s), loss to the lower manifold.
    exchange_by_l : L → ⟨K_L⟩ (m³/s) to the other channels (no loss).
    uncertainty_by_l : L → 1σ-like uncertainty from the potential knobs (m³/s; None if not
        computed).
    method : how it was obtained (table or direct quadrature, node count).
    """

    m1: int
    m2: int
    field_gauss: float
    temperature_k: float
    by_l: dict[int, float]
    exchange_by_l: dict[int, float] = field(default_factory=dict)
    uncertainty_by_l: dict[int, float | None] = field(default_factory=dict)
    method: str = ""

    @property
    def value(self) -> float:
        """Σ_L ⟨K_L⟩ (m³/s): the gas-phase loss rate coefficient of the pair."""
        return float(sum(self.by_l.values()))

    @property
    def even(self) -> float:
        """Σ over even L (m³/s): loss of an exchange-symmetric pair (even relative motion)."""
        return float(sum(v for L, v in self.by_l.items() if L % 2 == 0))

    @property
    def odd(self) -> float:
        """Σ over odd L (m³/s): loss of an exchange-antisymmetric pair (odd motion)."""
        return float(sum(v for L, v in self.by_l.items() if L % 2 == 1))

    def _sigma(self, parity: int | None) -> float | None:
        vals = [u for L, u in self.uncertainty_by_l.items() if parity is None or L % 2 == parity]
        if not vals or any(u is None for u in vals):
            return None
        return float(np.sqrt(sum(float(u) ** 2 for u in vals if u is not None)))

    @property
    def uncertainty(self) -> float | None:
        """1σ-like uncertainty of :attr:`value` (m³/s; partial waves in quadrature)."""
        return self._sigma(None)

    @property
    def even_uncertainty(self) -> float | None:
        """Uncertainty of :attr:`even` (m³/s)."""
        return self._sigma(0)

    @property
    def odd_uncertainty(self) -> float | None:
        """Uncertainty of :attr:`odd` (m³/s)."""
        return self._sigma(1)

    @property
    def p_wave_share(self) -> float:
        """⟨K_1⟩ / Σ_L ⟨K_L⟩."""
        return float(self.by_l.get(1, 0.0) / self.value) if self.value > 0 else 0.0


def thermal_rate_coefficients(
    species: Species,
    field_gauss: float,
    m1: int,
    m2: int,
    temperature_k: float,
    *,
    l_max: int = 2,
    nodes: int = DEFAULT_NODES,
    wall_shift_hartree: tuple[float, float] = (0.0, 0.0),
    numerics: Numerics | None = None,
) -> InelasticRate:
    """Direct solve: ⟨K_L⟩ for L = 0 .. ``l_max`` at ``temperature_k`` (K) by Gauss–Laguerre
    quadrature with ``nodes`` collision energies (no uncertainty; see
    :func:`inelastic_rates` for the tabulated values with uncertainties).

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> r = thermal_rate_coefficients(get_species("rb85"), 0.5, 1, 2, 40e-6, l_max=0, nodes=4)
    >>> r.by_l[0] > 0
    True
    """
    E, w = thermal_nodes(temperature_k, nodes)
    by_l: dict[int, float] = {}
    ex_l: dict[int, float] = {}
    for L in range(0, int(l_max) + 1):
        p, x = loss_probabilities(
            species,
            field_gauss,
            m1,
            m2,
            E,
            L,
            wall_shift_hartree=wall_shift_hartree,
            numerics=numerics,
        )
        by_l[L] = float(np.sum(w * rate_from_probability(species, E, p, L)))
        ex_l[L] = float(np.sum(w * rate_from_probability(species, E, x, L)))
    return InelasticRate(
        int(m1),
        int(m2),
        float(field_gauss),
        float(temperature_k),
        by_l,
        ex_l,
        {},
        f"direct coupled-channel solve, generalised Gauss-Laguerre with {nodes} nodes, "
        f"L = 0..{l_max}",
    )


# ------------------------------------------------------------------------------- table


def thermal_average_grid(
    energies_k: NDArray[np.float64], rate: NDArray[np.float64], L: int, temperature_k: float
) -> NDArray[np.float64]:
    """⟨K⟩ at ``temperature_k`` from K_L(E) on an energy grid (last axis of ``rate``):
    linear in log E between grid points, threshold law K_L ∝ E^L below the grid and
    K ∝ E^{-1/2} (unitarity-limited) above; integrated on a fine grid in x = E/k_BT
    (4000 points to x = 40)."""
    T = float(temperature_k)
    x = np.linspace(0.0, 40.0, 4001)[1:]
    dx = x[1] - x[0]
    wts = (2 / np.sqrt(np.pi)) * np.sqrt(x) * np.exp(-x) * dx
    wts /= wts.sum()
    E = x * T
    lg = np.log(energies_k)
    le = np.log(np.clip(E, energies_k[0], energies_k[-1]))
    r2 = rate.reshape(-1, rate.shape[-1])
    vals = np.stack([np.interp(le, lg, row) for row in r2])  # (n, nx)
    low = E < energies_k[0]
    high = E > energies_k[-1]
    vals[:, low] *= (E[low] / energies_k[0]) ** L
    vals[:, high] *= (energies_k[-1] / E[high]) ** 0.5
    out: NDArray[np.float64] = (vals @ wts).reshape(rate.shape[:-1])
    return out


@dataclass(frozen=True)
class InelasticTable:
    """Shipped K_L(E) (m³/s) of every entrance pair at :data:`TABLE_FIELDS_G`.

    ``rates[iB, ipair, iL, iE]`` (central potentials), ``exchange`` the same for the
    non-loss channels, ``variants[name][iB, ipair, iLv, iE]`` with a potential knob at
    ±1σ for L in :data:`VARIANT_L`.
    """

    species: str
    f: int
    fields_g: NDArray[np.float64]
    energies_k: NDArray[np.float64]
    pairs: tuple[tuple[int, int], ...]
    partial_waves: tuple[int, ...]
    rates: NDArray[np.float64]
    exchange: NDArray[np.float64]
    variant_l: tuple[int, ...]
    variants: dict[str, NDArray[np.float64]]
    provenance: dict[str, Any]

    def field_index(self, field_gauss: float) -> int | None:
        """Index of ``field_gauss`` among the table fields (None if not tabulated)."""
        hit = np.flatnonzero(np.abs(self.fields_g - float(field_gauss)) < 1e-9)
        return int(hit[0]) if hit.size else None

    def rate(self, m1: int, m2: int, field_gauss: float, temperature_k: float) -> InelasticRate:
        """Thermal rate coefficients of (m1, m2) with uncertainties from the variants."""
        iB = self.field_index(field_gauss)
        if iB is None:
            raise InputError(
                "--field", field_gauss, f"one of the tabulated fields {self.fields_g.tolist()} G"
            )
        T = check_range("temperature_k", temperature_k, *TEMPERATURE_RANGE_K)
        ip = self.pairs.index((int(m1), int(m2)))
        by_l: dict[int, float] = {}
        ex_l: dict[int, float] = {}
        unc: dict[int, float | None] = {}
        for iL, L in enumerate(self.partial_waves):
            by_l[L] = float(thermal_average_grid(self.energies_k, self.rates[iB, ip, iL], L, T))
            ex_l[L] = float(thermal_average_grid(self.energies_k, self.exchange[iB, ip, iL], L, T))
            if L in self.variant_l and self.variants:
                iv = self.variant_l.index(L)
                d = {
                    v: float(thermal_average_grid(self.energies_k, a[iB, ip, iv], L, T))
                    for v, a in self.variants.items()
                }
                unc[L] = float(
                    np.hypot(
                        (d["singlet+"] - d["singlet-"]) / 2, (d["triplet+"] - d["triplet-"]) / 2
                    )
                )
            else:
                unc[L] = 0.0  # d-wave: below 1e-3 of the total; its knob spread is negligible
        return InelasticRate(
            int(m1),
            int(m2),
            float(field_gauss),
            T,
            by_l,
            ex_l,
            unc,
            f"shipped table {TABLE_FILE} ({self.energies_k.size} energies "
            f"{self.energies_k[0] * 1e6:g}-{self.energies_k[-1] * 1e6:g} uK, L = "
            f"{list(self.partial_waves)}), Maxwell-Boltzmann average on a fine grid",
        )


def _data_path() -> Path:
    return Path(str(resources.files("spinpair") / "data" / TABLE_FILE))


def has_inelastic_table() -> bool:
    """True when the shipped table file exists."""
    return _data_path().exists()


@cache
def load_inelastic_table(path: str | None = None) -> InelasticTable:
    """The shipped table (or the one at ``path``, as written by :func:`regenerate`)."""
    file = Path(path) if path is not None else _data_path()
    if not file.exists():
        raise InputError(
            "inelastic tables",
            str(file),
            "the shipped file (python -m spinpair.scattering.inelastic regenerates it)",
        )
    with np.load(file, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        variants = {v: np.array(z[f"variant_{v}"]) for v in meta["variants"]}
        return InelasticTable(
            meta["species"],
            int(meta["f"]),
            np.array(z["fields_g"]),
            np.array(z["energies_k"]),
            tuple(tuple(p) for p in meta["pairs"]),
            tuple(meta["partial_waves"]),
            np.array(z["rates"]),
            np.array(z["exchange"]),
            tuple(meta["variant_l"]),
            variants,
            meta["provenance"],
        )


def regenerate(
    path: Path | None = None,
    progress: bool = True,
    *,
    fields_g: tuple[float, ...] = TABLE_FIELDS_G,
    energies_k: NDArray[np.float64] = TABLE_ENERGIES_K,
    pairs_by_field: dict[float, list[tuple[int, int]]] | None = None,
    partial_waves: tuple[int, ...] = TABLE_L,
    variant_l: tuple[int, ...] = VARIANT_L,
) -> Path:
    """Recompute the table with the solver and write it atomically (85Rb, f = 2).

    ``pairs_by_field`` limits the entrance pairs per field (default: every pair at 0.5 G,
    the pairs with m1 = 1, the state the paper's readout transfers |1⟩ to, at 8.5 G;
    missing entries are stored as NaN). About 30 minutes on one core with the defaults.
    """
    from .tables import variant_shift

    sp = get_species("rb85")
    pairs = entrance_pairs(sp)
    if pairs_by_field is None:
        pairs_by_field = {
            B: (pairs if abs(B - 0.5) < 1e-9 else [p for p in pairs if p[0] == 1]) for B in fields_g
        }
    path = path or _data_path()
    knob = _knob_sigma_hartree()
    variants = ("singlet+", "singlet-", "triplet+", "triplet-")
    nB, nP, nL, nE = len(fields_g), len(pairs), len(partial_waves), len(energies_k)
    rates = np.full((nB, nP, nL, nE), np.nan)
    exch = np.full((nB, nP, nL, nE), np.nan)
    var = {v: np.full((nB, nP, len(variant_l), nE), np.nan) for v in variants}
    t0 = time.perf_counter()
    for iB, B in enumerate(fields_g):
        for pair in pairs_by_field.get(B, []):
            ip = pairs.index(pair)
            for iL, L in enumerate(partial_waves):
                p, x = loss_probabilities(sp, B, pair[0], pair[1], energies_k, L)
                rates[iB, ip, iL] = rate_from_probability(sp, energies_k, p, L)
                exch[iB, ip, iL] = rate_from_probability(sp, energies_k, x, L)
                if L in variant_l:
                    for v in variants:
                        shift = variant_shift(v, knob)
                        pv, _ = loss_probabilities(
                            sp, B, pair[0], pair[1], energies_k, L, wall_shift_hartree=shift
                        )
                        var[v][iB, ip, variant_l.index(L)] = rate_from_probability(
                            sp, energies_k, pv, L
                        )
            if progress:
                print(
                    f"inelastic B={B:g} G pair {pair} ({time.perf_counter() - t0:6.0f} s)",
                    file=sys.stderr,
                )
    from .potentials import RB2_STRAUSS_2010

    meta = {
        "species": "rb85",
        "f": 2,
        "pairs": [list(p) for p in pairs],
        "partial_waves": list(partial_waves),
        "variant_l": list(variant_l),
        "variants": list(variants),
        "provenance": {
            "method": "spinpair.scattering coupled-channel solver (Johnson log-derivative), "
            "partial waves L conserved, exchange symmetry (-1)^L; K_L(E) = pi hbar (2L+1) "
            "sum_exit |S|^2 / (mu k), exits: both atoms in F = f",
            "potentials": RB2_STRAUSS_2010.source,
            "numerics": Numerics().__dict__,
            "knob_sigma_hartree": knob,
            "pairs_by_field": {str(B): [list(p) for p in v] for B, v in pairs_by_field.items()},
            "regenerate": "python -m spinpair.scattering.inelastic",
        },
    }
    arrays: dict[str, Any] = {
        "fields_g": np.asarray(fields_g, dtype=float),
        "energies_k": np.asarray(energies_k, dtype=float),
        "rates": rates,
        "exchange": exch,
        **{f"variant_{v}": a for v, a in var.items()},
        "meta": np.array(json.dumps(meta)),
    }
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)
    load_inelastic_table.cache_clear()
    return path


def _knob_sigma_hartree() -> dict[str, float]:
    """σ_S, σ_T (hartree) of the potential knobs, as stored with the shipped a_F tables."""
    from .tables import _data_path as a_f_path

    with np.load(a_f_path(), allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
    return {k: float(v) for k, v in meta["tables"]["rb85_f2"]["knob_sigma_hartree"].items()}


# ------------------------------------------------------------------------------- summary


def inelastic_rates(
    species: Species, field_gauss: float, temperature_k: float, up_m: int | None = None
) -> dict[tuple[int, int], InelasticRate]:
    """Thermal loss rate coefficients of every entrance pair (or those with m1 = ``up_m``):
    from the shipped table at a tabulated field (with uncertainties), otherwise by direct
    solves (16 nodes, L ≤ 2, no uncertainty; about 5 s per pair).

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> r = inelastic_rates(get_species("rb85"), 0.5, 40e-6, up_m=1)
    >>> sorted(r)[:2]
    [(1, -2), (1, -1)]
    """
    check_upper_lower(species)
    T = check_range("temperature_k", temperature_k, *TEMPERATURE_RANGE_K)
    pairs = [p for p in entrance_pairs(species) if up_m is None or p[0] == up_m]
    table = load_inelastic_table() if has_inelastic_table() else None
    out: dict[tuple[int, int], InelasticRate] = {}
    for m1, m2 in pairs:
        iB = None if table is None else table.field_index(field_gauss)
        ok = (
            table is not None
            and iB is not None
            and species.name == table.species
            and species.f == table.f
            and (m1, m2) in table.pairs
            and bool(np.all(np.isfinite(table.rates[iB, table.pairs.index((m1, m2))])))
        )
        if ok:
            assert table is not None
            out[(m1, m2)] = table.rate(m1, m2, field_gauss, T)
        else:
            out[(m1, m2)] = thermal_rate_coefficients(species, field_gauss, m1, m2, T)
    return out


def inelastic_summary(species: Species, field_gauss: float, temperature_k: float) -> dict[str, Any]:
    """JSON-ready ``inelastic_rate_coefficients_m3_s`` (``spinpair scattering --inelastic``):
    ``"m1,m2"`` → ``{value, uncertainty, status, source, even, odd, by_partial_wave,
    p_wave_share, exchange}`` (m³/s), plus the conventions."""
    from .potentials import RB2_STRAUSS_2010

    rates = inelastic_rates(species, field_gauss, temperature_k)
    coeffs: dict[str, Any] = {}
    for (m1, m2), r in rates.items():
        coeffs[f"{m1},{m2}"] = {
            "value": r.value,
            "uncertainty": r.uncertainty,
            "status": "computed",
            "source": f"spinpair.scattering.inelastic: {r.method}; {RB2_STRAUSS_2010.source}",
            "even": r.even,
            "odd": r.odd,
            "by_partial_wave": {str(L): v for L, v in r.by_l.items()},
            "p_wave_share": r.p_wave_share,
            "exchange": sum(r.exchange_by_l.values()),
        }
    return {
        "inelastic_rate_coefficients_m3_s": coeffs,
        "inelastic_temperature_k": float(temperature_k),
        "inelastic_note": (
            f"thermal (Maxwell-Boltzmann, T = {temperature_k:g} K) rate coefficients K for "
            f"loss of a pair |{species.f + 1},m1> + |{species.f},m2> to the channels with both "
            "atoms in F = f (hyperfine-changing collisions), dn1/dt = -K n1 n2 (g = 1: two "
            "different internal states), K = <sigma v>, partial waves L = 0, 1, 2 (even: "
            "exchange-symmetric channels, odd: antisymmetric), no dipolar coupling; "
            "uncertainty: potential knobs at +-1 sigma (s and p wave), in quadrature; "
            "'exchange' is the rate to other channels that keep both atoms"
        ),
    }


__all__ = [
    "DEFAULT_NODES",
    "TABLE_FIELDS_G",
    "InelasticRate",
    "InelasticTable",
    "entrance_pairs",
    "inelastic_rates",
    "inelastic_summary",
    "load_inelastic_table",
    "loss_probabilities",
    "rate_from_probability",
    "regenerate",
    "thermal_nodes",
    "thermal_rate_coefficients",
]


if __name__ == "__main__":  # pragma: no cover - the regeneration script
    out = regenerate(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(out)
