"""What a sweep will cost before it runs: the point-count limits and the wall-time
estimate from one timed point (:func:`check_size`), which a sweep over the limits needs
confirming (``yes=True``, ``--yes``).

Examples
--------
>>> SizeEstimate(points=1000, seconds_per_point=0.01, parallelism=2).seconds
5.0
>>> SizeEstimate(1000, 0.01, 2).describe()
'1000 points, estimated 5 s on 2 workers (0.01 s per point, measured)'
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import InputError
from . import evaluate as _evaluate
from .spec import SweepSpec

#: Grids larger than this need confirmation (``--yes``).
CONFIRM_POINTS = 10**5
#: Sweeps estimated to take longer than this (seconds, wall clock) need confirmation.
CONFIRM_SECONDS = 3600.0


def time_one_point(spec: SweepSpec, index: int = 0) -> float:
    """Wall time of one grid point (s), one BLAS thread, measured after one warm-up call
    (skipped when the first call alone took over a second)."""
    point = spec.point(index)
    with _evaluate.one_blas_thread():
        t0 = time.perf_counter()
        _evaluate.evaluate_point(spec, point)
        first = time.perf_counter() - t0
        if first > 1.0:
            return first
        t0 = time.perf_counter()
        _evaluate.evaluate_point(spec, point)
        return time.perf_counter() - t0


@dataclass(frozen=True)
class SizeEstimate:
    """What a sweep will cost: points to compute, seconds per point (measured), and the
    estimated wall time on ``parallelism`` workers (s)."""

    points: int
    seconds_per_point: float
    parallelism: int

    @property
    def seconds(self) -> float:
        """Estimated wall time (s): points × seconds per point / parallelism."""
        return self.points * self.seconds_per_point / self.parallelism

    def describe(self) -> str:
        """One line for stderr."""
        return (
            f"{self.points} points, estimated {_duration(self.seconds)} on {self.parallelism} "
            f"worker{'s' if self.parallelism > 1 else ''} "
            f"({self.seconds_per_point:.3g} s per point, measured)"
        )


def _duration(s: float) -> str:
    if s < 1:
        return "under 1 s"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 172800:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def check_size(
    spec: SweepSpec, remaining: int, parallelism: int, yes: bool, first_index: int = 0
) -> SizeEstimate | None:
    """Refuse (InputError) a sweep over :data:`CONFIRM_POINTS` points or estimated to take
    over :data:`CONFIRM_SECONDS` unless ``yes``; return the estimate (None: nothing to do).

    The point count is checked first, so a huge grid is refused at once; then one point
    (``first_index``) is timed in this process.
    """
    if remaining == 0:
        return None
    if remaining > CONFIRM_POINTS and not yes:
        raise InputError(
            "axes",
            f"{remaining} grid points",
            f"at most {CONFIRM_POINTS} points without --yes",
            "pass --yes to run it anyway",
        )
    est = SizeEstimate(remaining, time_one_point(spec, first_index), max(1, parallelism))
    if est.seconds > CONFIRM_SECONDS and not yes:
        raise InputError(
            "axes",
            est.describe(),
            f"an estimated {_duration(CONFIRM_SECONDS)} or less without --yes",
            "pass --yes to run it anyway, or add workers",
        )
    return est


__all__ = ["CONFIRM_POINTS", "CONFIRM_SECONDS", "SizeEstimate", "check_size", "time_one_point"]
