"""Second-order error estimate of the secular model (docs/secular.md, "Error estimate").

The model solves every cluster of motional levels exactly and drops the contact couplings
between clusters, c_ℓm V with c_ℓm = g β_ℓ β_m (Hz/m), V = Σ_F a_F P_F (m), g = 2ħ/m
(Hz·m²), β² the contact densities (m⁻³) and E_ℓ − E_m the level splittings (Hz). Second-order
perturbation theory in the dropped couplings gives two errors per level ℓ:

* **admixture** (bounded in time): the level's state is mixed with level m with amplitude
  c_ℓm‖V‖/(E_ℓ − E_m); the spin state changes by at most the admixed weight
  ε²_ℓ = Σ_m g²β_ℓ²β_m² max_F a_F² / (E_ℓ − E_m)²;
* **dephasing** (growing with the hold time t): the effective Hamiltonian of level ℓ gains
  δH_ℓ = s_ℓ V², s_ℓ = Σ_m c_ℓm² / (E_ℓ − E_m) (signed: levels above push down, below push
  up). Only the part of δH_ℓ that is not a multiple of the identity acts on the spin,
  ‖δH_ℓ − λ‖ = |s_ℓ| (max_F a_F² − min_F a_F²)/2, and by Duhamel's formula the trace
  distance of the evolved spin states is at most D_ℓ(t) = 2π t ‖δH_ℓ − λ‖, i.e.
  ~ C² t/(ħ ΔE): linear in t, quadratic in the interaction.

Levels that merge states spread over σ_ℓ (Hz) add 2π σ_ℓ t (Duhamel again, for the
dropped spread), weighted with all the level's states. The estimate is

    err(t) = Σ_ℓ w_ℓ min(1, ε²_ℓ + D_ℓ(t)) + Σ_ℓ W_ℓ min(1, 2π σ_ℓ t),

w_ℓ the bright weight, W_ℓ the weight of all states of a merged level: a bound on the trace
distance of the thermal spin state (so on every population) from the motion ⊗ spin solution
in the same kept basis, to second order. The sums over m run over every kept level of
another cluster (exactly near ℓ, by a multipole expansion about each block's centroid far
from it; relative error below 10⁻³).

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.dynamics import CollisionSetup
>>> from spinpair.dynamics.secular import secular_nodes
>>> s = CollisionSetup.from_params(Params())
>>> est = secular_error(s, secular_nodes(s))
>>> parts = est.parts(0.1)              # the paper's conditions: far outside
>>> parts["dephasing"] > 1e3, round(parts["estimate"] - float(est.bright_weight.sum()), 6)
(True, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ...validation import Interval, instance, real_values
from ..hamiltonian import contact_coupling_hz_m2
from ..setup import CollisionSetup
from .clusters import SecularLevels, SecularNodes

#: Levels per block of the far-field expansion.
_BLOCK = 256
#: A block is "near" a level (summed exactly) closer than this many block radii.
_NEAR_RADII = 8.0
#: Pair entries per chunk of the sums (bounds memory to ~100 MB).
_CHUNK = 4_000_000


@dataclass(frozen=True)
class SecularError:
    """Per-level ingredients of the secular error estimate.

    ``bright_weight`` w_ℓ, ``admixture`` ε²_ℓ (dimensionless), ``dephasing_hz`` the rate
    2π‖δH_ℓ − λ‖ (1/s) so that D_ℓ(t) = dephasing_hz·t, ``state_weight`` W_ℓ and
    ``span_hz`` σ_ℓ of the merged levels.
    """

    bright_weight: NDArray[np.float64]
    admixture: NDArray[np.float64]
    dephasing_hz: NDArray[np.float64]
    state_weight: NDArray[np.float64]
    span_hz: NDArray[np.float64]

    def estimate(self, t_s: float) -> float:
        """err(t): a bound on the trace distance of the spin state at time ``t_s`` (s)."""
        t = float(t_s)
        per = np.minimum(1.0, self.admixture + self.dephasing_hz * t)
        merged = np.minimum(1.0, 2 * np.pi * self.span_hz * t)
        return float(
            min(1.0, np.sum(self.bright_weight * per) + np.sum(self.state_weight * merged))
        )

    def parts(self, t_s: float) -> dict[str, float]:
        """The three contributions at ``t_s`` (s), uncapped: ``admixture``, ``dephasing``,
        ``merged_levels`` (each a weighted sum), and the capped ``estimate``."""
        t = float(t_s)
        w = self.bright_weight
        return {
            "admixture": float(np.sum(w * self.admixture)),
            "dephasing": float(np.sum(w * self.dephasing_hz) * t),
            "merged_levels": float(np.sum(self.state_weight * 2 * np.pi * self.span_hz) * t),
            "estimate": self.estimate(t),
        }


def _pair_sums(
    e: NDArray[np.float64], q: NDArray[np.float64], cluster: NDArray[np.int64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(Σ_m q_m/(e_ℓ − e_m), Σ_m q_m/(e_ℓ − e_m)²) over m in other clusters, for every ℓ.

    ``e`` sorted. Blocks of :data:`_BLOCK` consecutive levels: blocks whose centroid is
    within :data:`_NEAR_RADII` radii of a level are summed exactly, the others by their
    monopole and quadrupole about the centroid (the dipole vanishes there), whose neglected
    next order is ≤ (1/_NEAR_RADII)³ relative."""
    n = e.size
    s1 = np.zeros(n)
    s2 = np.zeros(n)
    starts = np.arange(0, n, _BLOCK)
    ends = np.minimum(starts + _BLOCK, n)
    Q = np.add.reduceat(q, starts)
    safe_Q = np.where(Q > 0, Q, 1.0)
    c = np.add.reduceat(q * e, starts) / safe_Q
    c = np.where(Q > 0, c, 0.5 * (e[starts] + e[ends - 1]))
    cb = np.repeat(c, ends - starts)
    M2 = np.add.reduceat(q * (e - cb) ** 2, starts)
    radius = np.maximum(c - e[starts], e[ends - 1] - c)
    reach = _NEAR_RADII * radius
    # near blocks: the levels within reach of each block, exactly (same cluster excluded)
    for b in range(starts.size):
        lo = int(np.searchsorted(e, c[b] - reach[b], side="left"))
        hi = int(np.searchsorted(e, c[b] + reach[b], side="right"))
        lo, hi = min(lo, starts[b]), max(hi, ends[b])
        step = max(1, _CHUNK // max(1, ends[b] - starts[b]))
        eb, qb, kb = e[starts[b] : ends[b]], q[starts[b] : ends[b]], cluster[starts[b] : ends[b]]
        for r in range(lo, hi, step):
            rr = slice(r, min(hi, r + step))
            d = e[rr, None] - eb[None, :]
            other = cluster[rr, None] != kb[None, :]
            with np.errstate(divide="ignore", invalid="ignore"):
                inv = np.where(other & (d != 0), 1.0 / np.where(d != 0, d, 1.0), 0.0)
            s1[rr] += inv @ qb
            s2[rr] += (inv * inv) @ qb
    # far blocks: multipoles, chunked over levels
    rows = max(1, _CHUNK // starts.size)
    for r in range(0, n, rows):
        x = e[r : r + rows, None]
        d = x - c[None, :]
        far = np.abs(d) > reach[None, :]
        lo_b = np.searchsorted(starts, np.arange(r, min(n, r + rows)), side="right") - 1
        far[np.arange(far.shape[0]), lo_b] = False  # a level's own block is always near
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(far, 1.0 / np.where(far, d, 1.0), 0.0)
        s1[r : r + rows] += inv @ Q + (inv**3) @ M2
        s2[r : r + rows] += (inv**2) @ Q + 3 * (inv**4) @ M2
    return s1, s2


def secular_error(setup: CollisionSetup, nodes: SecularNodes) -> SecularError:
    """The error estimate of the secular model ``nodes`` of ``setup`` (see the module
    docstring); :meth:`SecularError.estimate` evaluates it at a hold time.

    The sums couple every level to every kept level of another cluster; clusters are
    solved exactly and contribute nothing. Cost ∝ levels × blocks (12 687 levels of the
    paper tweezer at 40 µK: well under a second).
    """
    instance("setup", setup, CollisionSetup, "a CollisionSetup (CollisionSetup.from_params)")
    instance("nodes", nodes, SecularNodes, "SecularNodes (secular_nodes(setup))")
    lv: SecularLevels | None = nodes.levels
    if lv is None:  # pragma: no cover - secular_nodes always fills it
        raise ValueError("nodes without a level table")
    order = np.argsort(lv.energy_hz, kind="stable")
    e = lv.energy_hz[order]
    q = lv.density_m3[order]
    s1_sorted, s2_sorted = _pair_sums(e, q, lv.cluster[order])
    s1 = np.empty_like(s1_sorted)
    s2 = np.empty_like(s2_sorted)
    s1[order], s2[order] = s1_sorted, s2_sorted
    a = np.array([setup.species.scattering_length_m(F) for F in setup.species.channels])
    g = contact_coupling_hz_m2(setup.species)
    g2q = g * g * lv.density_m3  # Hz²·m⁻² per (m⁻³/Hz²)…: c_ℓm² = g² q_ℓ q_m
    spread_a2 = float(np.max(a * a) - np.min(a * a))
    return SecularError(
        bright_weight=lv.bright_weight,
        admixture=g2q * float(np.max(a * a)) * s2,
        dephasing_hz=2 * np.pi * g2q * np.abs(s1) * spread_a2 / 2,
        state_weight=np.where(lv.span_hz > 0, lv.state_weight, 0.0),
        span_hz=lv.span_hz,
    )


def error_estimate(setup: CollisionSetup, nodes: SecularNodes, times_s: ArrayLike) -> NDArray:
    """err(t) (:meth:`SecularError.estimate`) at each of ``times_s`` (s).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> from spinpair.dynamics import CollisionSetup
    >>> from spinpair.dynamics.secular import secular_nodes
    >>> s = CollisionSetup.from_params(Params())
    >>> error_estimate(s, secular_nodes(s), [0.0]).tolist()[0] < 0.1
    True
    """
    est = secular_error(setup, nodes)
    t = np.atleast_1d(real_values("times_s", times_s, Interval(0.0, None), "s"))
    return np.array([est.estimate(x) for x in t.ravel()])


__all__ = ["SecularError", "error_estimate", "secular_error"]
