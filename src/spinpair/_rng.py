"""Seeded random generators: the one place that turns a seed into a
``numpy.random.Generator`` (the virtual experiment of :mod:`spinpair.montecarlo` and the
planner of :mod:`spinpair.analysis.planning` both draw through it; it imports nothing of
spinpair but the errors, so neither imports the other).

Examples
--------
>>> g = as_generator(3)
>>> bool(g.integers(10) == as_generator(3).integers(10))
True
"""

from __future__ import annotations

import numpy as np

from .errors import InputError


def as_generator(
    seed: int | np.random.Generator | None, rng: np.random.Generator | None = None
) -> np.random.Generator:
    """The ``numpy.random.Generator`` to draw from: ``rng`` if given, else ``seed`` if it
    is one, else a new generator seeded with the non-negative integer ``seed``."""
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise InputError("rng", type(rng).__name__, "a numpy.random.Generator")
        return rng
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise InputError("seed", None, "a non-negative integer or a numpy.random.Generator")
    try:
        ok = int(seed) == seed and seed >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError("seed", seed, "a non-negative integer")
    return np.random.default_rng(int(seed))


__all__ = ["as_generator"]
