"""What a sweep will cost before it runs: the point-count limits, the wall-time estimate
from one timed point (:func:`check_size`), which a sweep over the limits needs confirming
(``yes=True``, ``--yes``), and the disk the chunk files take (the same point's size).

Examples
--------
>>> SizeEstimate(points=1000, seconds_per_point=0.01, parallelism=2).seconds
5.0
>>> SizeEstimate(1000, 0.01, 2, bytes_per_point=2500).describe().split(" (")[1]
'0.01 s per point, measured; about 2.5 MB of chunk files)'
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from ..errors import InputError
from ..validation import instance, switch
from ..validation import size as count_in
from . import evaluate as _evaluate
from .spec import SweepSpec

#: Grids larger than this need confirmation (``--yes``).
CONFIRM_POINTS = 10**5
#: Sweeps estimated to take longer than this (seconds, wall clock) need confirmation.
CONFIRM_SECONDS = 3600.0


def measure_one_point(spec: SweepSpec, index: int = 0) -> tuple[float, int]:
    """Wall time of one grid point (s), one BLAS thread, measured after one warm-up call
    (skipped when the first call alone took over a second), and the bytes its row takes
    in a chunk file (JSON, with its separator)."""
    point = spec.point(index)
    with _evaluate.one_blas_thread():
        t0 = time.perf_counter()
        row = _evaluate.evaluate_point(spec, point)
        seconds = time.perf_counter() - t0
        if seconds <= 1.0:
            t0 = time.perf_counter()
            _evaluate.evaluate_point(spec, point)
            seconds = time.perf_counter() - t0
    return seconds, len(json.dumps(row, allow_nan=False).encode()) + 2


def time_one_point(spec: SweepSpec, index: int = 0) -> float:
    """Wall time of one grid point (s) (:func:`measure_one_point`)."""
    return measure_one_point(spec, index)[0]


@dataclass(frozen=True)
class SizeEstimate:
    """What a sweep will cost: points to compute, seconds per point (measured), the
    estimated wall time on ``parallelism`` workers (s), and the bytes one point's row takes
    in a chunk file (measured on the same point; 0: not measured)."""

    points: int
    seconds_per_point: float
    parallelism: int
    bytes_per_point: int = 0

    @property
    def seconds(self) -> float:
        """Estimated wall time (s): points × seconds per point / parallelism."""
        return self.points * self.seconds_per_point / self.parallelism

    @property
    def disk_bytes(self) -> int:
        """Estimated size of the chunk files in ``OUT.parts/`` (bytes): points × bytes per
        point. A ``.json`` output is about as large (plus its provenance); ``.csv`` and
        ``.nc`` are smaller."""
        return self.points * self.bytes_per_point

    def describe(self) -> str:
        """One line for stderr."""
        disk = f"; about {_size(self.disk_bytes)} of chunk files" if self.bytes_per_point else ""
        return (
            f"{self.points} points, estimated {_duration(self.seconds)} on {self.parallelism} "
            f"worker{'s' if self.parallelism > 1 else ''} "
            f"({self.seconds_per_point:.3g} s per point, measured{disk})"
        )


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.2g} {unit}"
    return f"{n} bytes"


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
    instance("spec", spec, SweepSpec, "a SweepSpec (SweepSpec.from_toml)")
    remaining = count_in("remaining", remaining, 0, spec.n_points)
    parallelism = count_in("parallelism", parallelism, 1, 10**6)
    yes = switch("yes", yes)
    first_index = count_in("first_index", first_index, 0, max(0, spec.n_points - 1))
    if remaining == 0:
        return None
    if remaining > CONFIRM_POINTS and not yes:
        raise InputError(
            "axes",
            f"{remaining} grid points",
            f"at most {CONFIRM_POINTS} points without --yes",
            "pass --yes to run it anyway",
        )
    seconds, size = measure_one_point(spec, first_index)
    est = SizeEstimate(remaining, seconds, max(1, parallelism), size)
    if est.seconds > CONFIRM_SECONDS and not yes:
        raise InputError(
            "axes",
            est.describe(),
            f"an estimated {_duration(CONFIRM_SECONDS)} or less without --yes",
            "pass --yes to run it anyway, or add workers",
        )
    return est


__all__ = [
    "CONFIRM_POINTS",
    "CONFIRM_SECONDS",
    "SizeEstimate",
    "check_size",
    "measure_one_point",
    "time_one_point",
]
