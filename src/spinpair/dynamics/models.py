"""The registry of collision models: one :class:`ModelSpec` per model, keyed by its name.

:data:`MODELS` is the one list of models. :func:`~spinpair.dynamics.evolve`, the regime check
(:func:`~spinpair.dynamics.regime.check_regime`), ``spinpair dynamics`` and ``spinpair
calibrate`` read it; the parameter file's choices (``collisions.model``,
:data:`spinpair.param_tables.DYNAMICS_MODELS`) equal its keys (tested). A model's builder
and regime check are named by their import path and loaded on first use, so that reading the
registry (``"secular" in MODELS``, ``list(MODELS)``, the options classes) loads none of the
models' numerics.

Adding a model (docs/dynamics.md, "Adding a collision model"): a module with its builder
``setup, **options -> build`` and a regime check, an options class in
:mod:`~spinpair.dynamics.options`, and one entry here.

Examples
--------
>>> list(MODELS)
['ground-state', 'secular', 'ergodic', 'relaxation', 'ergodic+relaxation']
>>> spec = MODELS["ergodic"]
>>> spec.options.names(), spec.regime_needs
(('nodes', 'born'), ())
>>> spec.resolve_options(values={"nodes": 64})
ErgodicOptions(nodes=64, born=False)
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .options import (
    ErgodicOptions,
    ErgodicRelaxationOptions,
    GroundStateOptions,
    ModelOptions,
    RelaxationOptions,
    SecularOptions,
)

if TYPE_CHECKING:
    from .engine import Ensemble
    from .setup import CollisionSetup
    from .verdict import Regime

Array = NDArray[np.complex128]

#: What a regime check may ask for beyond the setup (see :attr:`ModelSpec.regime_needs`).
REGIME_INPUTS = ("t_s", "options", "nodes")


_DEFAULTS: dict[str, ModelOptions] = {}


def _default_options(kind: type[ModelOptions]) -> ModelOptions:
    """The default options of a model (frozen, so one instance serves every call)."""
    hit = _DEFAULTS.get(kind.__qualname__)
    if hit is None or type(hit) is not kind:
        hit = _DEFAULTS[kind.__qualname__] = kind()
    return hit


@functools.cache
def _load(path: str) -> Any:
    """The object at ``"package.module:name"`` (imported once, then remembered: asked at
    every call of :func:`~spinpair.dynamics.evolve`)."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class ModelSpec:
    """One collision model: its name, what it is, its options, its builder, its regime check.

    Parameters
    ----------
    name : str
        The model's name (``collisions.model``, ``--model``).
    description : str
        One line: the physics the model keeps.
    options : type[ModelOptions]
        Its options class (frozen, validated; :mod:`~spinpair.dynamics.options`).
    builder_path : str
        ``"module:function"`` of the ensemble builder, called as
        ``function(setup, **options.as_kwargs())``; it returns the per-basis ensemble builder
        of :func:`~spinpair.dynamics.engine.evolve_ensemble` (optionally with its own
        ``propagate``).
    regime_path : str
        ``"module:function"`` of its regime check, called as ``function(setup, **needs)``
        and returning a :class:`~spinpair.dynamics.regime.Regime`.
    regime_needs : tuple of str, optional
        What the regime check needs beyond the setup, among :data:`REGIME_INPUTS`: ``t_s``
        the longest hold time [s], ``options`` the model's options, ``nodes`` the levels of
        a built model (its ``nodes`` attribute, or None).

    Examples
    --------
    >>> MODELS["secular"].regime_needs
    ('t_s', 'options', 'nodes')
    """

    name: str
    description: str
    options: type[ModelOptions]
    builder_path: str
    regime_path: str
    regime_needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [n for n in self.regime_needs if n not in REGIME_INPUTS]
        if unknown:
            raise InputError("regime_needs", unknown, f"names among {list(REGIME_INPUTS)}")

    @property
    def builder(self) -> Callable[..., Callable[[Array], Ensemble]]:
        """The ensemble builder (imported on first use)."""
        return _load(self.builder_path)  # type: ignore[no-any-return,unused-ignore]

    @property
    def regime(self) -> Callable[..., Regime]:
        """The regime check (imported on first use)."""
        return _load(self.regime_path)  # type: ignore[no-any-return,unused-ignore]

    def resolve_options(
        self, options: ModelOptions | None = None, values: Mapping[str, Any] | None = None
    ) -> ModelOptions:
        """This model's options from an options object and/or keywords (keywords win).

        Raises
        ------
        spinpair.errors.InputError
            For an options object of another model, an unknown keyword (naming the allowed
            ones) or a bad value.
        """
        if options is not None and type(options) is not self.options:
            raise InputError(
                "options",
                type(options).__name__,
                f"{self.options.__name__} (the options of the {self.name} model)",
            )
        if options is None and not values:
            return _default_options(self.options)  # asked at every call of evolve
        return self.options.from_values(values or {}, options, f"the {self.name} model")

    def build(self, setup: CollisionSetup, options: ModelOptions) -> Callable[[Array], Ensemble]:
        """The model's ensemble builder at ``setup`` with ``options``."""
        return self.builder(setup, **self.resolve_options(options).as_kwargs())

    def check_regime(
        self,
        setup: CollisionSetup,
        t_s: float,
        options: ModelOptions | None = None,
        build: Any = None,
    ) -> Regime:
        """The model's regime at ``setup`` for hold times up to ``t_s`` (s); ``build`` the
        model's builder if already made (the secular check reuses its levels)."""
        given = {
            "t_s": t_s,
            "options": self.resolve_options(options),
            "nodes": getattr(build, "nodes", None),
        }
        return self.regime(setup, **{k: given[k] for k in self.regime_needs})


def _spec(
    name: str, description: str, options: type[ModelOptions], builder: str, regime: str, *needs: str
) -> ModelSpec:
    return ModelSpec(name, description, options, builder, regime, tuple(needs))


_D = "spinpair.dynamics"

#: The collision models with dynamics, by name (``given`` in the parameter file has none).
MODELS: Mapping[str, ModelSpec] = MappingProxyType(
    {
        s.name: s
        for s in (
            _spec(
                "ground-state",
                "both atoms in the relative motional ground state: coherent oscillations",
                GroundStateOptions,
                f"{_D}.ground_state:ground_state_ensemble",
                f"{_D}.regime:ground_state_regime",
                "options",
            ),
            _spec(
                "secular",
                "thermal harmonic eigenstates, each with its contact density; "
                "quasi-degenerate levels solved together",
                SecularOptions,
                f"{_D}.secular:secular_ensemble",
                f"{_D}.secular.regime:secular_regime",
                "t_s",
                "options",
                "nodes",
            ),
            _spec(
                "ergodic",
                "microcanonical contact density ρ_c(E), thermal average by quadrature",
                ErgodicOptions,
                f"{_D}.ergodic:ergodic_ensemble",
                f"{_D}.regime:ergodic_regime",
            ),
            _spec(
                "relaxation",
                "incoherent Lindblad collisions with s-wave rates and detailed balance",
                RelaxationOptions,
                f"{_D}.relaxation:relaxation_ensemble",
                f"{_D}.regime:relaxation_regime",
            ),
            _spec(
                "ergodic+relaxation",
                "the ergodic nodes with the relaxation jumps added to every node",
                ErgodicRelaxationOptions,
                f"{_D}.relaxation:ergodic_relaxation_ensemble",
                f"{_D}.regime:ergodic_relaxation_regime",
            ),
        )
    }
)


def model_spec(model: str, field: str = "collisions.model") -> ModelSpec:
    """The registry entry of ``model``.

    Raises
    ------
    spinpair.errors.InputError
        For a name that is not a key of :data:`MODELS` (``field`` names where it came from).

    Examples
    --------
    >>> model_spec("relaxation").options.__name__
    'RelaxationOptions'
    """
    try:
        return MODELS[model]
    except (KeyError, TypeError):
        raise InputError(field, model, f"one of {list(MODELS)}") from None


__all__ = ["MODELS", "REGIME_INPUTS", "ModelSpec", "model_spec"]
