"""Spin-changing collision dynamics: four models behind one interface (spec §3).

* ``ground-state`` — both atoms in the motional ground state; coherent oscillations
  (optionally with the exact Busch energies of an isotropic trap).
* ``secular`` — thermal ensemble of harmonic motional eigenstates, each with its own
  contact density (degenerate manifolds treated together).
* ``ergodic`` — every pair of relative energy E feels the microcanonical contact density
  ρ_c(E) with energy-dependent amplitudes; thermal average by quadrature (the default).
* ``relaxation`` — incoherent Lindblad collisions with s-wave rates and detailed balance;
  ``ergodic+relaxation`` adds these jumps to every ergodic node.

Input: a pair spin state (density matrix on the (2f+1)² pair space, or a name), times
(s), and a :class:`CollisionSetup` (species with a_F, trap, temperature, field, rate scale).
Output: a :class:`DynamicsResult` with the density matrix at each time and the populations
of the named states.

Examples
--------
>>> from spinpair.params import Params
>>> r = evolve_params(Params(), [0.0, 0.1], model="relaxation")
>>> p = r.populations()
>>> round(float(p["00"][0]), 6), bool(p["chi1"][1] > 0)
(1.0, True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..params import DYNAMICS_MODELS
from ..provenance import Provenance
from ..spin import PairBasis, f_from_dim, named_ket, named_state
from .engine import Ensemble, check_times, evolve_ensemble
from .setup import CollisionSetup

Array = NDArray[np.complex128]

#: Collision models with dynamics (``given`` in the parameter file has none).
MODELS = DYNAMICS_MODELS  # one list, defined with the parameters


def model_ensemble(
    model: str, setup: CollisionSetup, **options: Any
) -> Callable[[Array], Ensemble]:
    """The ensemble builder of ``model`` (options: ``busch`` for ground-state; ``nodes``,
    ``born`` for the ergodic models; the secular model's truncation options)."""
    if model == "ground-state":
        from .ground_state import ground_state_ensemble

        return ground_state_ensemble(setup, **options)
    if model == "secular":
        from .secular import secular_ensemble

        return secular_ensemble(setup, **options)
    if model == "ergodic":
        from .ergodic import ergodic_ensemble

        return ergodic_ensemble(setup, **options)
    if model == "relaxation":
        from .relaxation import relaxation_ensemble

        return relaxation_ensemble(setup, **options)
    if model == "ergodic+relaxation":
        from .relaxation import ergodic_relaxation_ensemble

        return ergodic_relaxation_ensemble(setup, **options)
    raise InputError("collisions.model", model, f"one of {list(MODELS)}")


@dataclass(frozen=True)
class DynamicsResult:
    """Pair spin density matrices ``states`` (nt, d², d²) at ``time_s`` (s) for ``model``."""

    model: str
    time_s: NDArray[np.float64]
    states: Array
    info: dict[str, Any] = field(default_factory=dict)
    #: The status of these numbers and what they rest on
    #: (:class:`spinpair.provenance.Provenance`; the weakest input's status).
    provenance: Provenance | None = None

    @property
    def f(self) -> int:
        """Hyperfine manifold f."""
        return f_from_dim(self.states.shape[-1])

    def populations(self, names: Sequence[str] | None = None) -> dict[str, NDArray[np.float64]]:
        """⟨ψ|ρ(t)|ψ⟩ for named states (default ``00``, ``chi1``, …, ``chi{f}``)."""
        f = self.f
        if names is None:
            names = ("00", *(f"chi{k}" for k in range(1, f + 1)))
        kets = np.stack([named_ket(n, f) for n in names], axis=1)  # (d², K)
        # ⟨ψ_k|ρ(t)|ψ_k⟩ = Σ_a conj(ψ_ka) (ρ(t) ψ_k)_a: one BLAS product for every state
        rho_kets = np.asarray(self.states) @ kets  # (nt, d², K)
        values = np.real(np.einsum("ak,tak->tk", kets.conj(), rho_kets))
        return {n: np.ascontiguousarray(values[:, i]) for i, n in enumerate(names)}

    def chi1_coherence(self) -> NDArray[np.float64]:
        """c(t) = 2 Re⟨1,−1|ρ|−1,1⟩ / (ρ_{1−1,1−1} + ρ_{−11,−11})

        1 for pure chi1; NaN where the chi1 block is empty."""
        b = PairBasis(self.f)
        i, j = b.index(1, -1), b.index(-1, 1)
        pop = np.real(self.states[:, i, i] + self.states[:, j, j])
        coh = 2 * np.real(self.states[:, i, j])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(pop > 1e-15, coh / np.where(pop > 1e-15, pop, 1.0), np.nan)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``model``, ``time_s``, ``populations`` (named states → lists)."""
        return {
            "model": self.model,
            "time_s": self.time_s.tolist(),
            "populations": {k: v.tolist() for k, v in self.populations().items()},
            **{k: v for k, v in self.info.items() if isinstance(v, (int, float, str, list))},
        }


def _initial(state: str | ArrayLike, f: int) -> Array:
    if isinstance(state, str):
        return named_state(state, f)
    from ..spin import check_state

    return check_state(state, "state", f=f)


def _propagate(build: Callable[[Array], Ensemble], rho0: Array, t: NDArray) -> Array:
    """The model's own ``propagate`` if it has one (secular clusters), else the engine."""
    own = getattr(build, "propagate", None)
    return own(rho0, t) if own is not None else evolve_ensemble(rho0, t, build)


def evolve(
    model: str,
    setup: CollisionSetup,
    times_s: ArrayLike,
    state: str | ArrayLike = "00",
    **options: Any,
) -> DynamicsResult:
    """Evolve ``state`` (a name or a density matrix) under ``model`` for ``times_s`` (s)."""
    t = check_times(times_s)
    rho0 = _initial(state, setup.f)
    build = model_ensemble(model, setup, **options)
    prov = setup.provenance(method=f"{model} model ({setup.rates} rates)")
    return DynamicsResult(model, t, _propagate(build, rho0, t), provenance=prov)


#: The parameter values a dynamics result rests on (dotted-key prefixes). Model choices
#: (``collisions.rates``, the model) are the method, named in ``Provenance.method``;
#: ``collisions.rate_scale`` counts only when it scales (≠ 1).
DYNAMICS_INPUTS = (
    "species",
    "f",
    "trap",
    "collisions.field_gauss",
    "scattering_lengths_bohr",
)


def evolve_params(
    params,
    times_s: ArrayLike,
    state: str | ArrayLike = "00",
    model: str | None = None,
    **options: Any,
) -> DynamicsResult:
    """:func:`evolve` with the setup and model of a :class:`spinpair.params.Params`."""
    model = model or params.collisions.model
    if model == "given":
        raise InputError("collisions.model", model, f"a dynamics model, one of {list(MODELS)}")
    if model == "secular" and params.collisions.hold_time_s > 0:
        options.setdefault("hold_time_s", params.collisions.hold_time_s)
    setup = CollisionSetup.from_params(params)
    r = evolve(model, setup, times_s, state, **options)
    used = DYNAMICS_INPUTS + (("collisions.rate_scale",) if setup.rate_scale != 1 else ())
    prov = Provenance.from_params(params, used=used, method=f"{model} model ({setup.rates} rates)")
    return replace(r, provenance=prov)


def collision_spin_map(params, **options: Any) -> Callable[[Array], Array]:
    """The hold step as a map on batches of pair spin density matrices (n, d², d²).

    Used by :meth:`spinpair.sequence.MeasurementSequence.from_params` for the dynamics models: every
    pair spin state (every sector, so preparation errors evolve too) is propagated for
    ``collisions.hold_time_s`` at ``collisions.field_gauss``.
    """
    model = params.collisions.model
    setup = CollisionSetup.from_params(params)
    if model == "secular" and params.collisions.hold_time_s > 0:
        options.setdefault("hold_time_s", params.collisions.hold_time_s)
    build = model_ensemble(model, setup, **options)
    t = np.array([params.collisions.hold_time_s])

    def spin_map(rho_batch: Array) -> Array:
        r = np.asarray(rho_batch, dtype=complex)
        return np.array([_propagate(build, x, t)[0] for x in r])

    return spin_map


def with_rate_scale(setup: CollisionSetup, rate_scale: float) -> CollisionSetup:
    """A copy of ``setup`` with another ``rate_scale``."""
    return replace(setup, rate_scale=rate_scale)


__all__ = [
    "MODELS",
    "CollisionSetup",
    "DynamicsResult",
    "Ensemble",
    "collision_spin_map",
    "evolve",
    "evolve_ensemble",
    "evolve_params",
    "model_ensemble",
    "named_state",
]
