"""Typed, validated options of the collision models (one frozen dataclass per model).

Every model of :data:`spinpair.dynamics.MODELS` names its options class;
:func:`~spinpair.dynamics.evolve` takes an instance
(``options=SecularOptions(max_levels=16)``) or the same fields as keywords
(``max_levels=16``), which are converted here: an unknown keyword is an
:class:`~spinpair.errors.InputError` that names the keywords the model takes, a bad value one
that names the option and its allowed range. Options change how a model is computed (its
numerics and approximations), never the physical parameters (those are in
:class:`~spinpair.dynamics.CollisionSetup`).

This module is light on purpose (no model is imported): the registry, the CLI and the
sweep read the options without loading the models' numerics.

Examples
--------
>>> SecularOptions(max_levels=16).max_levels
16
>>> ErgodicOptions.from_values({"nodes": 64}).nodes
64
>>> ErgodicOptions.from_values({"node": 64}, owner="the ergodic model")
Traceback (most recent call last):
...
spinpair.errors.InputError: options = 'node' is invalid: allowed an option of the ergodic model: ...
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    from ..params import Params

#: Energy nodes of the ergodic quadrature by default (Gauss–Legendre panels of 8).
DEFAULT_NODES = 1024
#: Fewer energy nodes for ergodic+relaxation: the jumps damp the fast phases, and every node
#: needs a Liouvillian exponential.
ERGODIC_RELAXATION_NODES = 256
#: Fewest and most energy nodes an ergodic model accepts (the cost grows linearly).
MIN_NODES, MAX_NODES = 8, 16384
#: Default hold time t_hold (s) of the secular cluster criterion (the paper's 100 ms).
DEFAULT_HOLD_TIME_S = 0.1
#: Energy resolution (in units of 1/t_hold, Hz) below which states of a secular cluster are
#: merged into one level: a phase error ≤ π·0.01 over the hold time.
LEVEL_RESOLUTION = 0.01

_O = TypeVar("_O", bound="ModelOptions")


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InputError(field, value, "True or False")
    return bool(value)


def _whole(field: str, value: Any, lo: int, hi: int | None = None) -> int:
    """An integral number (int, numpy integer, or a float such as 2.0) in [lo, hi]."""
    allowed = f"an integer {lo} … {hi}" if hi is not None else f"an integer >= {lo}"
    if isinstance(value, (bool, np.bool_, str)):
        raise InputError(field, value, allowed)
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(field, value, allowed) from None
    if n != value or n < lo or (hi is not None and n > hi):
        raise InputError(field, value, allowed)
    return n


def _number(
    field: str, value: Any, lo: float, hi: float | None = None, *, open_lo: bool = False
) -> float:
    """A finite real number in [lo, hi] ((lo, hi] with ``open_lo``)."""
    left = "(" if open_lo else "["
    allowed = f"{left}{lo:g}, {'inf' if hi is None else f'{hi:g}'}]"
    if isinstance(value, (bool, np.bool_, str)):
        raise InputError(field, value, allowed)
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(field, value, allowed) from None
    if not math.isfinite(x) or x < lo or (open_lo and x == lo) or (hi is not None and x > hi):
        raise InputError(field, value, allowed)
    return x


@dataclass(frozen=True)
class ModelOptions:
    """Base of every model's options: conversion from keywords and back.

    Subclasses are frozen dataclasses whose ``__post_init__`` validates (and normalises) each
    field; ``from_values`` builds one from keywords, refusing unknown ones.
    """

    #: The parameter-file entries a model option defaults to (option name → dotted key).
    FROM_PARAMS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names, in declaration order.

        Examples
        --------
        >>> GroundStateOptions.names()
        ('busch',)
        """
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_values(
        cls: type[_O], values: Mapping[str, Any], base: _O | None = None, owner: str = "this model"
    ) -> _O:
        """Options from keywords ``values`` (on top of ``base``, default the defaults);
        ``owner`` names the model in the message for an unknown keyword.

        Raises
        ------
        spinpair.errors.InputError
            For a keyword that is not an option of this model (naming the allowed ones), or a
            bad value (naming the option and its range).
        """
        allowed = cls.names()
        for key in values:
            if key not in allowed:
                raise InputError("options", key, f"an option of {owner}: {list(allowed)}")
        if base is None:
            return cls(**values)
        if type(base) is not cls:
            raise InputError("options", type(base).__name__, f"{cls.__name__} ({owner}) or None")
        return dataclasses.replace(base, **values)

    def with_params(self: _O, params: Params, given: Mapping[str, Any] | None = None) -> _O:
        """These options with the defaults that ``params`` sets (:attr:`FROM_PARAMS`) filled
        in, where ``given`` (the caller's keywords) does not name them."""
        given = given or {}
        updates: dict[str, Any] = {}
        for name, key in self.FROM_PARAMS.items():
            if name in given:
                continue
            value: Any = params
            for part in key.split("."):
                value = getattr(value, part)
            if value is not None and value > 0:  # 0: the parameter file leaves it unset
                updates[name] = value
        return dataclasses.replace(self, **updates) if updates else self

    def as_kwargs(self) -> dict[str, Any]:
        """The options as keywords of the model's builder.

        Examples
        --------
        >>> ErgodicOptions(nodes=64).as_kwargs()
        {'nodes': 64, 'born': False}
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True)
class GroundStateOptions(ModelOptions):
    """Options of the ``ground-state`` model.

    Parameters
    ----------
    busch : bool, optional
        Add the exact Busch energy shifts of an isotropic trap to first order's contact
        interaction (default False).

    Examples
    --------
    >>> GroundStateOptions(busch=True).busch
    True
    """

    busch: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "busch", _flag("busch", self.busch))


@dataclass(frozen=True)
class ErgodicOptions(ModelOptions):
    """Options of the ``ergodic`` model.

    Parameters
    ----------
    nodes : int, optional
        Energy nodes of the thermal quadrature, 8 … 16384, rounded up to a multiple of 8
        (Gauss–Legendre panels; default 1024).
    born : bool, optional
        Born (energy-independent) scattering amplitudes instead of the effective-range ones.

    Examples
    --------
    >>> ErgodicOptions().nodes, ErgodicOptions(nodes=64, born=True).born
    (1024, True)
    """

    nodes: int = DEFAULT_NODES
    born: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", _whole("nodes", self.nodes, MIN_NODES, MAX_NODES))
        object.__setattr__(self, "born", _flag("born", self.born))


@dataclass(frozen=True)
class ErgodicRelaxationOptions(ErgodicOptions):
    """Options of the ``ergodic+relaxation`` model: those of :class:`ErgodicOptions` with
    fewer nodes by default (256).

    Examples
    --------
    >>> ErgodicRelaxationOptions().nodes
    256
    """

    nodes: int = ERGODIC_RELAXATION_NODES


@dataclass(frozen=True)
class RelaxationOptions(ModelOptions):
    """Options of the ``relaxation`` model: none yet (its numerics have no knob a user
    needs); the class exists so that every model takes an options object.

    Examples
    --------
    >>> RelaxationOptions().as_kwargs()
    {}
    """


@dataclass(frozen=True)
class SecularOptions(ModelOptions):
    """Options of the ``secular`` model: the truncation and the cluster rules
    (:mod:`spinpair.dynamics.secular`, docs/secular.md).

    Parameters
    ----------
    weight_tolerance : float, optional
        Largest even-parity thermal weight left out, 1e-12 … 0.5 (default 1e-6).
    max_states : int, optional
        Cap on the number of kept even-parity states, >= 1 (an InputError beyond it;
        default 2 000 000).
    hold_time_s : float, optional
        Hold time t_hold of the cluster criterion [s], > 0 (use the longest time you
        evaluate; default 0.1 s, or ``collisions.hold_time_s`` of a parameter set).
    cluster_factor : float, optional
        κ >= 0: adjacent bright states closer than κ × their coupling or κ/t_hold are
        solved together (default 1; 0: only floating-point ties are merged).
    max_levels : int, optional
        Most levels per cluster in the exact diagonalisation, 1 … 16 (default 8).
    level_resolution : float, optional
        r >= 0: states of a cluster closer than r/t_hold are one level (default 0.01).

    Examples
    --------
    >>> SecularOptions(cluster_factor=3).cluster_factor
    3.0
    >>> SecularOptions(max_levels=17)
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: max_levels = 17 is invalid: allowed an integer 1 … 16
    """

    FROM_PARAMS: ClassVar[Mapping[str, str]] = {"hold_time_s": "collisions.hold_time_s"}

    weight_tolerance: float = 1e-6
    max_states: int = 2_000_000
    hold_time_s: float = DEFAULT_HOLD_TIME_S
    cluster_factor: float = 1.0
    max_levels: int = 8
    level_resolution: float = LEVEL_RESOLUTION

    def __post_init__(self) -> None:
        checks = {
            "weight_tolerance": _number("weight_tolerance", self.weight_tolerance, 1e-12, 0.5),
            "max_states": _whole("max_states", self.max_states, 1),
            "hold_time_s": _number("hold_time_s", self.hold_time_s, 0.0, open_lo=True),
            "cluster_factor": _number("cluster_factor", self.cluster_factor, 0.0),
            "max_levels": _whole("max_levels", self.max_levels, 1, 16),
            "level_resolution": _number("level_resolution", self.level_resolution, 0.0),
        }
        for name, value in checks.items():
            object.__setattr__(self, name, value)


__all__ = [
    "DEFAULT_HOLD_TIME_S",
    "DEFAULT_NODES",
    "ERGODIC_RELAXATION_NODES",
    "LEVEL_RESOLUTION",
    "MAX_NODES",
    "MIN_NODES",
    "ErgodicOptions",
    "ErgodicRelaxationOptions",
    "GroundStateOptions",
    "ModelOptions",
    "RelaxationOptions",
    "SecularOptions",
]
