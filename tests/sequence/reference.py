"""Test oracles of the measurement sequence, built from its public pieces only.

``reference_counts`` is the straightforward path (the full pair density matrix through every
step's ``apply``, then :meth:`Levels.atom_number_distribution` and :func:`channels.detect`)
that the fast count path of :meth:`MeasurementSequence.run` / ``scan`` must equal; it lived
in production code as ``MeasurementSequence._count_reference`` until issue 24.

``spy_on_step`` tells which path a sequence took without calling its private methods: the
fast path asks the scanned step for its ``population_rows`` and never calls its ``apply``;
the density-matrix path calls ``apply`` with the whole scan.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from spinpair.sequence import MeasurementSequence
from spinpair.sequence import channels as ch


def reference_states(seq: MeasurementSequence, setting: ArrayLike) -> NDArray[np.complex128]:
    """Pair level-space states (n, D², D²) after the last step: one ρ pushed through every
    step of ``seq.steps`` with the whole scan ``setting`` (pulse areas in rad, or whatever
    the steps read, e.g. detunings in Hz)."""
    s = np.atleast_1d(np.asarray(setting, dtype=float))
    D2 = seq.levels.D**2
    rho = np.zeros((1, D2, D2), dtype=complex)
    rho[0, 0, 0] = 1.0  # any normalised state: the first step is a preparation
    for step in seq.steps:
        rho = step.apply(rho, s)
    return np.broadcast_to(rho, (s.size, D2, D2))


def reference_counts(seq: MeasurementSequence, setting: ArrayLike) -> NDArray[np.float64]:
    """Reported-count probabilities (n, 3) (columns 0, 1, 2 atoms) by the density-matrix
    path: :func:`reference_states`, the atom-number distribution, the detection matrix."""
    true_n = seq.levels.atom_number_distribution(reference_states(seq, setting))
    return np.clip(ch.detect(true_n, seq.detection), 0.0, 1.0)


def counts(p: Any) -> NDArray[np.float64]:
    """The (n, 3) array of a :class:`~spinpair.raman.CountProbabilities`."""
    return np.stack([p.P0, p.P1, p.P2], axis=1)


class StepSpy:
    """A step that forwards to ``inner`` and records the calls the sequence makes:
    ``("apply", n)`` and ``("population_rows", n)`` with n the number of settings."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.calls: list[tuple[str, int]] = []

    def apply(self, rho: NDArray[np.complex128], setting: NDArray[np.float64]) -> Any:
        self.calls.append(("apply", len(setting)))
        return self.inner.apply(rho, setting)

    def population_rows(self, setting: NDArray[np.float64]) -> Any:
        self.calls.append(("population_rows", len(setting)))
        return self.inner.population_rows(setting)

    def took_fast_path(self) -> bool:
        """Population rows were asked for and the full channel was never applied."""
        kinds = {k for k, _ in self.calls}
        return kinds == {"population_rows"}


def spy_on_step(
    seq: MeasurementSequence, name: str = "raman"
) -> tuple[MeasurementSequence, StepSpy]:
    """``seq`` with the step called ``name`` wrapped in a :class:`StepSpy` (public
    :meth:`MeasurementSequence.with_step`), and the spy."""
    (inner,) = [s for s in seq.steps if s.name == name]
    spy = StepSpy(inner)
    return seq.with_step(name, spy), spy
