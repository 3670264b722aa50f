"""The one timing harness of the benchmarks (issue 26): fair peers, interleaved repetitions.

Rules every ``bench_*.py`` case follows through :func:`compare`:

* **Same threads for everyone.** :func:`same_threads` caps every BLAS/OpenMP pool of the
  process (OpenBLAS, MKL, …, via threadpoolctl) at ``BENCH_THREADS`` (default 1): the
  whole run, and again around every timing loop after the warm-up (so that pools loaded
  by a first call are capped too). spinpair, QuTiP and the numpy alternatives all run with
  that many threads; the pools seen during the timing are recorded with every case
  (:func:`thread_record`).
* **Imports and first calls outside the timing.** Every callable is called once before
  timing (imports, caches that a first call fills, JIT-free warm-up of QuTiP's data
  layer). Where a cache of spinpair's matters, a case times a cold variant too.
* **Interleaved repetitions.** ``repeats`` rounds (≥ 5 in a real run); in each round every
  callable runs once, the order rotating between rounds, so a change of the machine's load
  hits every contender alike. Reported: median, min and max per callable and the ratio of
  medians against spinpair with its range (min and max of the per-round ratios).
* **The load is recorded** (``os.getloadavg`` at start and end of every case): ratios
  measured in the same interleaved run are what count; absolute times depend on the load.
* **Physical bound.** :func:`zgemm_peak_gflops` measures the complex matrix-product peak of
  this process (one thread); a kernel's bound is its FLOP count at that peak.

Examples
--------
>>> res = compare({"spinpair": lambda: sum(range(100)), "peer": lambda: sum(range(200))}, 1)
>>> sorted(res["timings"]), res["repeats"]
(['peer', 'spinpair'], 1)
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Repetitions of a real run (``make bench``); the smoke test uses 1.
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
#: Threads of every BLAS/OpenMP pool during the run (spinpair and every peer).
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
#: Tiny sizes for the smoke test (``BENCH_SMOKE=1``): the harness runs, numbers mean nothing.
SMOKE = os.environ.get("BENCH_SMOKE", "") == "1"


def load() -> list[float]:
    """Load average (1, 5, 15 min), rounded."""
    return [round(v, 2) for v in os.getloadavg()]


@contextmanager
def same_threads(threads: int = THREADS) -> Iterator[None]:
    """Every BLAS/OpenMP pool of the process at ``threads`` threads (threadpoolctl)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        yield


def thread_record() -> list[dict[str, Any]]:
    """The thread pools loaded in this process and their current sizes."""
    from threadpoolctl import threadpool_info

    return [
        {k: p.get(k) for k in ("user_api", "internal_api", "num_threads", "version")}
        for p in threadpool_info()
    ]


def compare(
    fns: dict[str, Callable[[], Any]], repeats: int | None = None, ours: str = "spinpair"
) -> dict[str, Any]:
    """Time every callable ``repeats`` (default :data:`REPEATS`) times, interleaved (rotating
    order), after one untimed warm-up call each; medians, ranges and ratios of medians
    against ``ours``."""
    repeats = REPEATS if repeats is None else repeats
    names = list(fns)
    for n in names:
        fns[n]()  # warm-up: imports, first-call costs
    times: dict[str, list[float]] = {n: [] for n in names}
    load0 = load()
    # capped again after the warm-up: a pool loaded by a first call (scipy's OpenBLAS,
    # QuTiP's libraries) is then capped too
    with same_threads():
        pools = thread_record()
        for r in range(repeats):
            order = names[r % len(names) :] + names[: r % len(names)]
            for n in order:
                t0 = time.perf_counter()
                fns[n]()
                times[n].append(time.perf_counter() - t0)
    out: dict[str, Any] = {
        "repeats": repeats,
        "threads": THREADS,
        "thread_pools_during_timing": pools,
        "load_average_start": load0,
        "load_average_end": load(),
        "timings": {
            n: {
                "median_s": statistics.median(v),
                "min_s": min(v),
                "max_s": max(v),
            }
            for n, v in times.items()
        },
    }
    if ours in times:
        base = statistics.median(times[ours])
        for n in names:
            if n == ours:
                continue
            per_round = [a / b for a, b in zip(times[n], times[ours], strict=True)]
            out[f"ratio {n}/{ours}"] = statistics.median(times[n]) / base
            out[f"range {n}/{ours}"] = [min(per_round), max(per_round)]
    return out


def zgemm_peak_gflops(n: int = 256, repeats: int = 7) -> float:
    """Complex double matrix-product peak (GFLOP/s) of this process at the current thread
    settings: best of ``repeats`` products of two n×n matrices, 8n³ real FLOPs each."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    b = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 8 * n**3 / best / 1e9


def dgemm_peak_gflops(n: int = 256, repeats: int = 7) -> float:
    """Real double matrix-product peak (GFLOP/s) of this process at the current thread
    settings: best of ``repeats`` products of two n×n matrices, 2n³ FLOPs each (the bound
    of kernels that work in real arithmetic)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.normal(size=(n, n))
    b = rng.normal(size=(n, n))
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def bound_record(flops: float, seconds: float, peak_gflops: float) -> dict[str, float]:
    """A kernel against its FLOP bound: the bound (s) at the measured zgemm peak and the
    ratio measured/bound (1 = at the machine's peak)."""
    bound = flops / (peak_gflops * 1e9)
    return {"flops": flops, "bound_s": bound, "ratio to FLOP bound": seconds / bound}


__all__ = [
    "REPEATS",
    "SMOKE",
    "THREADS",
    "bound_record",
    "compare",
    "dgemm_peak_gflops",
    "load",
    "same_threads",
    "thread_record",
    "zgemm_peak_gflops",
]
