"""Spin-changing collision dynamics: five models behind one registry (spec §3).

* ``ground-state`` — both atoms in the motional ground state; coherent oscillations
  (optionally with the exact Busch energies of an isotropic trap).
* ``secular`` — thermal ensemble of harmonic motional eigenstates, each with its own
  contact density (degenerate manifolds treated together).
* ``ergodic`` — every pair of relative energy E feels the microcanonical contact density
  ρ_c(E) with energy-dependent amplitudes; thermal average by quadrature (the default).
* ``relaxation`` — incoherent Lindblad collisions with s-wave rates and detailed balance;
  ``ergodic+relaxation`` adds these jumps to every ergodic node.

The models are listed once, in the registry :data:`MODELS` (:mod:`~.models`: name → its
:class:`ModelSpec`), each with a frozen, validated options class (:mod:`~.options`).

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

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..params import Params
from ..provenance import Provenance
from ..spin import PairBasis, f_from_dim, named_ket, named_state
from ..validation import instance, text
from .engine import Ensemble, check_times, evolve_checked, evolve_ensemble
from .models import MODELS, ModelSpec, model_spec
from .options import (
    ErgodicOptions,
    ErgodicRelaxationOptions,
    GroundStateOptions,
    ModelOptions,
    RelaxationOptions,
    SecularOptions,
)
from .setup import CollisionSetup

Array = NDArray[np.complex128]


def model_ensemble(
    model: str, setup: CollisionSetup, options: ModelOptions | None = None, **values: Any
) -> Callable[[Array], Ensemble]:
    """The ensemble builder of ``model`` (its :data:`MODELS` entry) with ``options`` (the
    model's options class, or its fields as keywords ``values``).

    Raises
    ------
    spinpair.errors.InputError
        For an unknown model, an options object of another model, an unknown option
        (naming the model's options) or a bad option value.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> build = model_ensemble("ergodic", CollisionSetup.from_params(Params()), nodes=16)
    >>> callable(build)
    True
    """
    instance("setup", setup, CollisionSetup, "a CollisionSetup (CollisionSetup.from_params)")
    spec = model_spec(model)
    return spec.build(setup, spec.resolve_options(options, values))


def population_names(f: int) -> tuple[str, ...]:
    """The named states whose populations a result shows by default: ``00``, ``chi1``, …,
    ``chi{f}``.

    Examples
    --------
    >>> population_names(2)
    ('00', 'chi1', 'chi2')
    """
    from ..spin import _check_f

    return ("00", *(f"chi{k}" for k in range(1, _check_f(f) + 1)))


@dataclass(frozen=True)
class DynamicsResult:
    """Pair spin density matrices ``states`` (nt, d², d²) at ``time_s`` (s) for ``model``.

    What :func:`evolve` and :func:`evolve_params` return: the pair's spin state on the
    (2f+1)² pair space (d = 2f+1) at each hold time; :meth:`populations` gives the
    populations of named states and :meth:`chi1_coherence` the chi1 coherence c(t).
    A result made with ``e_ops`` (:func:`evolve`) holds only the populations ``expect``
    (named state → (nt,)) and ``states`` is None: where only populations are needed (the
    30 001-time ground-state curve of Fig. 1b), the (nt, d², d²) array (300 MB there) is
    never made.

    Attributes
    ----------
    model : str
        The dynamics model that made the result (a key of :data:`MODELS`).
    time_s : numpy.ndarray
        Hold times t (nt,) [s].
    states : numpy.ndarray or None
        Pair spin density matrices ρ(t) (nt, d², d²), complex [1]; None for a result made
        with ``e_ops``.
    info : dict
        Further output of the model, such as the regime check ``regime`` and its
        ``warnings`` (JSON-ready parts go into :meth:`as_dict`).
    provenance : Provenance or None
        The status of these numbers and what they rest on (the weakest input's status).
    expect : dict of str to numpy.ndarray, or None
        With ``e_ops``: the population (nt,) [1] of each named state; else None.
    manifold_f : int or None
        The hyperfine manifold f [1] of a result without states (``e_ops``); else None
        (the property :attr:`f` reads f from ``states``).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> r = evolve_params(Params(), [0.0, 0.1], model="relaxation")
    >>> r.model, r.time_s.tolist(), r.states.shape, r.f
    ('relaxation', [0.0, 0.1], (2, 25, 25), 2)
    >>> round(float(r.populations()["chi1"][1]), 2)
    0.39
    >>> setup = CollisionSetup.from_params(Params())
    >>> r = evolve("relaxation", setup, [0.0, 0.1], e_ops=["chi1"])
    >>> r.states is None, r.manifold_f, round(float(r.expect["chi1"][1]), 2)
    (True, 2, 0.39)
    """

    model: str
    time_s: NDArray[np.float64]
    states: Array | None
    info: dict[str, Any] = field(default_factory=dict)
    #: The status of these numbers and what they rest on
    #: (:class:`spinpair.provenance.Provenance`; the weakest input's status).
    provenance: Provenance | None = None
    expect: dict[str, NDArray[np.float64]] | None = None
    #: f of a result without states (``e_ops``)
    manifold_f: int | None = None

    @property
    def f(self) -> int:
        """Hyperfine manifold f."""
        if self.states is None:
            assert self.manifold_f is not None  # set with e_ops
            return self.manifold_f
        return f_from_dim(self.states.shape[-1])

    def populations(self, names: Sequence[str] | None = None) -> dict[str, NDArray[np.float64]]:
        """⟨ψ|ρ(t)|ψ⟩ for named states (default ``00``, ``chi1``, …, ``chi{f}``)."""
        if self.states is None:
            have = self.expect or {}
            names = tuple(have) if names is None else tuple(names)
            missing = [n for n in names if n not in have]
            if missing:
                raise InputError(
                    "names", missing, f"states whose populations were kept: {list(have)}"
                )
            return {n: have[n] for n in names}
        f = self.f
        if names is None:
            names = population_names(f)
        kets = np.stack([named_ket(n, f) for n in names], axis=1)  # (d², K)
        # ⟨ψ_k|ρ(t)|ψ_k⟩ = Σ_a conj(ψ_ka) (ρ(t) ψ_k)_a: one BLAS product for every state
        rho_kets = np.asarray(self.states) @ kets  # (nt, d², K)
        values = np.real(np.einsum("ak,tak->tk", kets.conj(), rho_kets))
        return {n: np.ascontiguousarray(values[:, i]) for i, n in enumerate(names)}

    def chi1_coherence(self) -> NDArray[np.float64]:
        """c(t) = 2 Re⟨1,−1|ρ|−1,1⟩ / (ρ_{1−1,1−1} + ρ_{−11,−11})

        1 for pure chi1; NaN where the chi1 block is empty."""
        if self.states is None:
            raise InputError("states", None, "a result with states (evolve without e_ops)")
        b = PairBasis(self.f)
        i, j = b.index(1, -1), b.index(-1, 1)
        pop = np.real(self.states[:, i, i] + self.states[:, j, j])
        coh = 2 * np.real(self.states[:, i, j])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(pop > 1e-15, coh / np.where(pop > 1e-15, pop, 1.0), np.nan)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``model``, ``time_s``, ``populations`` (named states → lists), and
        the ``regime`` check and its ``warnings`` (:mod:`~.regime`) when it ran."""
        return {
            "model": self.model,
            "time_s": self.time_s.tolist(),
            "populations": {k: v.tolist() for k, v in self.populations().items()},
            **{
                k: v
                for k, v in self.info.items()
                if isinstance(v, (int, float, str, list)) or k == "regime"
            },
        }


@functools.lru_cache(maxsize=64)
def _kets(names: tuple[str, ...], f: int) -> Array:
    """Named kets as columns (d², K), read-only (cached: asked at every call)."""
    kets = np.stack([named_ket(n, f) for n in names], axis=1)
    kets.setflags(write=False)
    return kets


@functools.lru_cache(maxsize=64)
def _named_initial(state: str, f: int) -> Array:
    """A named initial state, made once (read-only: the engine never writes its input)."""
    rho = named_state(state, f)
    rho.setflags(write=False)
    return rho


def _initial(state: str | ArrayLike, f: int) -> Array:
    if isinstance(state, str):
        return _named_initial(state, f)
    from ..spin import check_state

    return check_state(state, "state", f=f)


def _propagate(
    build: Callable[[Array], Ensemble], rho0: Array, t: NDArray, kets: Array | None = None
) -> Array:
    """The model's own ``propagate`` if it has one (secular clusters), else the engine;
    with ``kets`` (d², K) only ⟨ψ_K|ρ(t)|ψ_K⟩ (nt, K)."""
    own = getattr(build, "propagate", None)
    if own is None:
        # rho0, t and kets are checked by the callers (named states, check_state, check_times)
        return evolve_checked(
            np.asarray(rho0, dtype=complex), f_from_dim(rho0.shape[0]), t, build, K=kets
        )
    states = own(rho0, t)
    if kets is None:
        return states
    # the secular model's own propagation returns states (left to dynamics/secular.py)
    return np.einsum("ak,tab,bk->tk", kets.conj(), states, kets)


@functools.lru_cache(maxsize=256)
def _result_provenance(
    model: str, setup: CollisionSetup, refused: bool, warnings: tuple[str, ...]
) -> Provenance:
    """The provenance of an :func:`evolve` result (immutable, so shared between calls with
    the same setup, model and regime verdict: it is asked at every call)."""
    prov = setup.provenance(method=f"{model} model ({setup.rates} rates)")
    return Provenance.build(
        prov.inputs,
        prov.sources,
        method=prov.method,
        # a model run outside its regime on request gives illustrative numbers
        method_status="illustrative" if refused else "computed",
        warnings=warnings,
    )


def evolve(
    model: str,
    setup: CollisionSetup,
    times_s: ArrayLike,
    state: str | ArrayLike = "00",
    *,
    e_ops: Sequence[str] | None = None,
    outside_regime: str = "raise",
    options: ModelOptions | None = None,
    **option_values: Any,
) -> DynamicsResult:
    """Evolve a pair spin state under a collision model in the tweezer.

    Parameters
    ----------
    model : str
        ``ground-state``, ``secular``, ``ergodic``, ``relaxation`` or ``ergodic+relaxation``
        (the keys of :data:`MODELS`; physics in docs/dynamics.md).
    setup : CollisionSetup
        Species with its a_F, pair trap at temperature T, hold field [G], rate scale and rate
        source; :meth:`CollisionSetup.from_params` builds it from a parameter set.
    times_s : array_like
        Hold times t [s], ≥ 0 (1-D).
    state : str or array_like, optional
        Initial pair state: a name (``00``, ``chi1``, ``-1,1`` …) or a density matrix of
        dimension (2f+1)² (default ``00``).
    e_ops : sequence of str, optional
        Named states (QuTiP's name for what is measured) whose populations alone are
        kept; the result's ``states`` is then None and the (nt, d², d²) array is never
        made (equal populations to 1e-12, tested).
    outside_regime : {"raise", "warn", "ignore"}, optional
        The model's regime of validity is checked first
        (:func:`~spinpair.dynamics.regime.check_regime`): ``"raise"`` (default) raises
        :class:`~spinpair.dynamics.regime.RegimeError` where the model refuses and warns
        where it is stretched; ``"warn"`` only warns; ``"ignore"`` skips the check. The
        verdict is in ``info["regime"]``, its texts in ``info["warnings"]`` and in the
        result's ``provenance``.
    options : ModelOptions, optional
        The model's options (the class ``MODELS[model].options``:
        :class:`GroundStateOptions`, :class:`SecularOptions`, :class:`ErgodicOptions`,
        :class:`RelaxationOptions`, :class:`ErgodicRelaxationOptions`; default their
        defaults).
    **option_values
        The same options as keywords (``busch=True``, ``nodes=512``, ``max_levels=16`` …),
        applied on top of ``options``.

    Returns
    -------
    DynamicsResult
        ``states`` ρ(t) with shape (len(times_s), (2f+1)², (2f+1)²) at ``time_s`` [s]
        (None with ``e_ops``); ``populations()`` and ``chi1_coherence()`` read them;
        ``provenance`` says what the numbers rest on.

    Raises
    ------
    spinpair.errors.InputError
        For an unknown model, an unknown option (naming the model's options) or a bad
        option value, negative or non-finite times, or a bad state;
        :class:`~spinpair.dynamics.regime.RegimeError` (an InputError) outside the model's
        regime with ``outside_regime="raise"``.

    Examples
    --------
    >>> from spinpair import CollisionSetup, Params, evolve
    >>> r = evolve("relaxation", CollisionSetup.from_params(Params()), [0.0, 0.1])
    >>> round(float(r.populations()["chi1"][-1]), 2)
    0.39
    >>> r = evolve("ergodic", CollisionSetup.from_params(Params()), [0.1],
    ...            options=ErgodicOptions(nodes=256))
    >>> round(float(r.populations()["chi1"][0]), 2)
    0.08
    """
    from .regime import OUTSIDE_REGIME, enforce

    if not isinstance(outside_regime, str) or outside_regime not in OUTSIDE_REGIME:
        raise InputError("outside_regime", outside_regime, f"one of {list(OUTSIDE_REGIME)}")
    instance("setup", setup, CollisionSetup, "a CollisionSetup (CollisionSetup.from_params)")
    spec = model_spec(model)
    opts = spec.resolve_options(options, option_values)
    t = check_times(times_s)
    rho0 = _initial(state, setup.f)
    build = spec.build(setup, opts)
    info: dict[str, Any] = {}
    warned: tuple[str, ...] = ()
    refused = False
    if outside_regime != "ignore":
        regime = spec.check_regime(setup, float(np.max(t, initial=0.0)), opts, build)
        warned = tuple(enforce(regime, outside_regime))
        refused = regime.status == "refuse"
        info = {"regime": regime.as_dict(), "warnings": list(warned)}
    prov = _result_provenance(model, setup, refused, warned)
    if e_ops is None:
        return DynamicsResult(model, t, _propagate(build, rho0, t), info, provenance=prov)
    names = tuple(e_ops)
    kets = _kets(names, setup.f)  # (d², K)
    values = np.real(_propagate(build, rho0, t, kets))
    expect = {n: np.ascontiguousarray(values[:, i]) for i, n in enumerate(names)}
    return DynamicsResult(model, t, None, info, provenance=prov, expect=expect, manifold_f=setup.f)


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
    params: Params,
    times_s: ArrayLike,
    state: str | ArrayLike = "00",
    model: str | None = None,
    *,
    e_ops: Sequence[str] | None = None,
    outside_regime: str = "raise",
    options: ModelOptions | None = None,
    **option_values: Any,
) -> DynamicsResult:
    """:func:`evolve` with the setup and collision model of a parameter set.

    Parameters
    ----------
    params : spinpair.params.Params
        The parameter set (species, trap, ``collisions`` and ``scattering_lengths_bohr``).
    times_s : array_like
        Hold times t [s], ≥ 0.
    state : str or array_like, optional
        Initial pair state (default ``00``).
    model : str, optional
        Collision model (default ``params.collisions.model``; ``given`` has no dynamics).
    e_ops : sequence of str, optional
        Named states whose populations alone are kept, as in :func:`evolve`.
    outside_regime : {"raise", "warn", "ignore"}, optional
        As in :func:`evolve`.
    options : ModelOptions, optional
        The model's options as in :func:`evolve`; the options a parameter set fixes (the
        secular cluster criterion's ``hold_time_s`` from ``collisions.hold_time_s``) are
        taken from ``params`` unless given here.
    **option_values
        The same options as keywords.

    Returns
    -------
    DynamicsResult
        As :func:`evolve`; its ``provenance`` names the parameters' statuses (the paper's
        values, the computed a_F, the user's settings).

    Raises
    ------
    spinpair.errors.InputError
        If the model is ``given`` or unknown, or as :func:`evolve`.

    Examples
    --------
    >>> from spinpair import Params, evolve_params
    >>> r = evolve_params(Params(), [0.1])
    >>> r.model, round(float(r.populations()["chi1"][0]), 2)
    ('relaxation', 0.39)
    """
    instance("params", params, Params, "a Params (spinpair.Params)")
    model = params.collisions.model if model is None else text("model", model)
    if model == "given":
        raise InputError("collisions.model", model, f"a dynamics model, one of {list(MODELS)}")
    opts = _params_options(params, model, options, option_values)
    setup = CollisionSetup.from_params(params)
    r = evolve(
        model, setup, times_s, state, e_ops=e_ops, outside_regime=outside_regime, options=opts
    )
    used = DYNAMICS_INPUTS + (("collisions.rate_scale",) if setup.rate_scale != 1 else ())
    base = Provenance.from_params(params, used=used)
    prov = Provenance.build(
        base.inputs,
        base.sources,
        method=f"{model} model ({setup.rates} rates)",
        method_status=r.provenance.method_status if r.provenance else "computed",
        warnings=r.info.get("warnings", ()),
    )
    return replace(r, provenance=prov)


def _params_options(
    params: Params, model: str, options: ModelOptions | None, values: dict[str, Any]
) -> ModelOptions:
    """The options of ``model`` with the defaults that ``params`` sets, where not given."""
    spec = model_spec(model)
    resolved = spec.resolve_options(options, values)  # checks the options object first
    given = {**(options.as_kwargs() if options is not None else {}), **values}
    return resolved.with_params(params, given)


def collision_spin_map(
    params: Params,
    *,
    outside_regime: str = "raise",
    options: ModelOptions | None = None,
    **option_values: Any,
) -> Callable[[Array], Array]:
    """The hold step as a map on batches of pair spin density matrices (n, d², d²).

    Used by :meth:`spinpair.sequence.MeasurementSequence.from_params` for the dynamics models: every
    pair spin state (every sector, so preparation errors evolve too) is propagated for
    ``collisions.hold_time_s`` at ``collisions.field_gauss``. The model's regime is
    checked at the hold time as in :func:`evolve` (``outside_regime``, default ``"raise"``).
    """
    from .regime import OUTSIDE_REGIME, enforce

    instance("params", params, Params, "a Params (spinpair.Params)")
    if not isinstance(outside_regime, str) or outside_regime not in OUTSIDE_REGIME:
        raise InputError("outside_regime", outside_regime, f"one of {list(OUTSIDE_REGIME)}")
    model = params.collisions.model
    spec = model_spec(model)
    opts = _params_options(params, model, options, option_values)
    setup = CollisionSetup.from_params(params)
    build = spec.build(setup, opts)
    t = np.array([params.collisions.hold_time_s])
    if outside_regime != "ignore":
        enforce(spec.check_regime(setup, float(t[0]), opts, build), outside_regime)

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
    "ErgodicOptions",
    "ErgodicRelaxationOptions",
    "GroundStateOptions",
    "ModelOptions",
    "ModelSpec",
    "RelaxationOptions",
    "SecularOptions",
    "collision_spin_map",
    "evolve",
    "evolve_ensemble",
    "evolve_params",
    "model_ensemble",
    "model_spec",
    "named_state",
    "population_names",
]
