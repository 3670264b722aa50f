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

Couplings neglected between separate clusters are not small in general: to second order
they admix neighbouring levels, ≲ (C/ΔE)², and shift each level's spin Hamiltonian by
~C²/ΔE, a phase error ~C²t/(ħΔE) that grows with the hold time. :mod:`~.error` computes
this estimate from the model's own levels and :mod:`~.regime` turns it into ok / warn /
refuse. The weight of levels whose separate neighbour is closer than their coupling, or
that merge states spread wider than the resolution, is reported as ``unresolved_weight``. At exact
degeneracy every cluster reduces to the rank-one bright state; results are continuous in
splittings far below min(C, 1/t_hold) (tested: ν_y = ν_x(1 + 10⁻⁸)).

Modules: :mod:`~.levels` (harmonic states, contact densities, the energy grid),
:mod:`~.clusters` (levels, clusters, nodes, bookkeeping), :mod:`~.propagate` (exact
propagation), :mod:`~.error` (second-order error estimate), :mod:`~.regime` (the run-time
regime check).

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
>>> from spinpair.dynamics import CollisionSetup
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

from .clusters import (
    COUPLING_RTOL,
    DEFAULT_HOLD_TIME_S,
    LEVEL_RESOLUTION,
    SecularClusters,
    SecularLevels,
    SecularNodes,
    secular_nodes,
    secular_summary,
)
from .error import SecularError, error_estimate, secular_error
from .levels import (
    contact_density_m3,
    contact_factor,
    density_scale_m3,
    even_parity_partition,
)
from .propagate import (
    NUFFT_EPS,
    NUFFT_MIN_TIMES,
    PRUNE_BUDGET,
    SecularModel,
    cluster_spin_states,
    secular_ensemble,
)
from .regime import secular_regime

__all__ = [
    "COUPLING_RTOL",
    "DEFAULT_HOLD_TIME_S",
    "LEVEL_RESOLUTION",
    "NUFFT_EPS",
    "NUFFT_MIN_TIMES",
    "PRUNE_BUDGET",
    "SecularClusters",
    "SecularError",
    "SecularLevels",
    "SecularModel",
    "SecularNodes",
    "cluster_spin_states",
    "contact_density_m3",
    "contact_factor",
    "density_scale_m3",
    "error_estimate",
    "even_parity_partition",
    "secular_ensemble",
    "secular_error",
    "secular_nodes",
    "secular_regime",
    "secular_summary",
]
