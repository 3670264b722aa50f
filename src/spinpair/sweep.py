"""Parameter sweeps: a grid of parameter sets, each simulated, locally or on a Dask cluster.

A sweep file (TOML) names the base parameters, what to compute at each grid point, and the
axes (dotted parameter keys with lists of values)::

    params = "paper-calibrated.toml"   # optional, relative to this file; default: paper
    compute = "raman"                  # raman | dynamics
    tau_s = [0.0, 0.8e-6, 1.6e-6]      # raman: tau_s or area; optional chi1_coherence
    # compute = "dynamics": times_s = [...], optional model = "ergodic"

    [axes]
    "trap.temperature_k" = [20e-6, 40e-6, 60e-6]
    "collisions.field_gauss" = [0.5, 1.0]

Every point is an independent, validated :class:`~spinpair.params.Params`. Every axis value
is checked before anything runs, and so is every grid point of a grid up to
:data:`FULL_VALIDATION_POINTS` points; on larger grids a combination that is invalid only
together (say a temperature too high for one of the trap depths) is reported when its
point is computed. Results come back in grid order whatever the executor, so a sweep is
reproducible.

Where it runs: in process (``workers=1``), on local worker processes (``workers=N``, each
started with one BLAS thread), or on any Dask cluster through a ``distributed.Client``
(``client=``) or a scheduler address (``scheduler=``): a ``LocalCluster``, or a
``dask_jobqueue.SLURMCluster`` on a batch cluster (docs/scaling.md).

Files (:func:`sweep_to_file`): results are streamed, one chunk of grid points at a time,
into ``OUT.parts/`` next to the output (a manifest and one JSON file per finished chunk),
so memory stays bounded by a chunk. When every chunk is done the output is assembled from
the chunk files into a temporary file and renamed onto ``OUT`` (``.csv``: long table,
``.json``: one object per point, ``.nc``: an xarray Dataset in NetCDF-4 with the grid axes
as coordinates and the parameters and provenance as attributes), then ``OUT.parts/`` is
removed. An interrupted sweep keeps its finished chunks; running the same sweep file with
the same output again skips them.

Limits (:func:`check_size`): a grid over :data:`MAX_POINTS` points is refused; one over
:data:`CONFIRM_POINTS` points, or estimated (one point timed first) to take longer than
:data:`CONFIRM_SECONDS`, runs only when confirmed (``yes=True``, ``--yes``).

Examples
--------
>>> spec = SweepSpec.from_toml_string('compute = "dynamics"\\ntimes_s = [0.0, 0.01]\\n'
...     'model = "relaxation"\\n[axes]\\n"collisions.rate_scale" = [1.0, 2.0]')
>>> rows = run_sweep(spec)
>>> [r["collisions.rate_scale"] for r in rows]
[1.0, 2.0]
>>> bool(rows[1]["populations"]["chi1"][1] > rows[0]["populations"]["chi1"][1])
True
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import copy
import csv
import datetime
import hashlib
import itertools
import json
import math
import os
import shutil
import signal
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._pool import pool_processes, terminate_pool
from .errors import InputError
from .fileio import atomic_write, atomic_write_text
from .params import Params

COMPUTE = ("raman", "dynamics")

#: Grids larger than this are refused outright (split the sweep into several files).
MAX_POINTS = 10**7
#: Grids larger than this need confirmation (``--yes``).
CONFIRM_POINTS = 10**5
#: Sweeps estimated to take longer than this (seconds, wall clock) need confirmation.
CONFIRM_SECONDS = 3600.0
#: Grids up to this size have every point validated before anything runs.
FULL_VALIDATION_POINTS = 2000
#: How long to try to reach a Dask scheduler given by address.
CONNECT_TIMEOUT = "10s"
#: Output formats by file suffix.
FORMATS = (".csv", ".json", ".nc")
#: Environment variables that set the thread count of BLAS/OpenMP libraries.
BLAS_ENV = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
_MANIFEST = "manifest.json"
_FORMAT_VERSION = 1


def _log(msg: str) -> None:
    print(f"spinpair: sweep: {msg}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base parameter dictionary, what to compute, and the axes.

    ``source`` is the sweep file's text (kept as provenance, not part of the fingerprint).
    """

    base: Mapping[str, Any]
    compute: str
    settings: Mapping[str, Any]
    axes: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    source: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values along each axis, in axis order."""
        return tuple(len(v) for v in self.axes.values())

    @property
    def n_points(self) -> int:
        """Number of grid points (the product of the axis lengths; 1 without axes)."""
        return math.prod(self.shape)

    def point(self, index: int) -> dict[str, Any]:
        """Grid point number ``index`` (row-major, last axis fastest)."""
        out: dict[str, Any] = {}
        rest = index
        keys = list(self.axes)
        for key, n in zip(reversed(keys), reversed(self.shape), strict=True):
            rest, i = divmod(rest, n)
            out[key] = self.axes[key][i]
        return {k: out[k] for k in keys}

    def iter_points(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """Grid points ``start`` to ``stop`` (exclusive), in order, without building a list."""
        stop = self.n_points if stop is None else stop
        for i in range(start, stop):
            yield self.point(i)

    def points(self) -> list[dict[str, Any]]:
        """The grid, in order: one mapping axis key → value per point."""
        return list(self.iter_points())

    def fingerprint(self) -> str:
        """SHA-256 of what the sweep computes (resolved base parameters, compute, settings,
        axes): equal fingerprints give equal results. Comments and layout do not count."""
        blob = json.dumps(
            {
                "base": self.base,
                "compute": self.compute,
                "settings": self.settings,
                "axes": {k: list(v) for k, v in self.axes.items()},
            },
            sort_keys=True,
            default=repr,
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def params_at(self, point: Mapping[str, Any]) -> Params:
        """The validated parameters of one grid point."""
        d = copy.deepcopy(dict(self.base))
        for key, value in point.items():
            *tables, leaf = key.split(".")
            node = d
            for t in tables:
                node = node.setdefault(t, {})
                if not isinstance(node, dict):
                    raise InputError(f"axes.{key}", value, "a dotted key into a parameter table")
            node[leaf] = value
        return Params.from_dict(d)

    def _validate(self) -> None:
        def check(point: Mapping[str, Any]) -> None:
            try:
                self.params_at(point)
            except InputError as e:
                where = ", ".join(f"{k} = {v}" for k, v in point.items())
                raise InputError(e.field, e.value, e.allowed, f"at grid point {where}") from None

        if self.n_points <= FULL_VALIDATION_POINTS:
            for point in self.iter_points():
                check(point)
            return
        first = self.point(0)
        for key, values in self.axes.items():  # every value once, the others at their first
            for v in values:
                check({**first, key: v})

    @classmethod
    def from_toml_string(cls, text: str, folder: Path | None = None) -> SweepSpec:
        """Parse and validate a sweep file's text (``folder`` resolves ``params``)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise InputError("sweep", "TOML", "valid TOML", str(e)) from None
        known = {"params", "compute", "axes", "tau_s", "area", "chi1_coherence", "times_s", "model"}
        for k in data:
            if k not in known:
                raise InputError(k, data[k], f"a key among {sorted(known)}")
        base: dict[str, Any] = {}
        if "params" in data:
            if not isinstance(data["params"], str):
                raise InputError("params", data["params"], "a parameter file name (string)")
            path = Path(data["params"])
            if folder is not None and not path.is_absolute():
                path = folder / path
            base = Params.from_toml(path).to_dict()
        compute = data.get("compute", "raman")
        if compute not in COMPUTE:
            raise InputError("compute", compute, f"one of {list(COMPUTE)}")
        settings: dict[str, Any] = {
            k: data[k] for k in ("tau_s", "area", "chi1_coherence", "times_s", "model") if k in data
        }
        if compute == "raman" and ("tau_s" in settings) == ("area" in settings):
            raise InputError("tau_s", None, "exactly one of tau_s or area for compute = raman")
        if compute == "dynamics" and "times_s" not in settings:
            raise InputError("times_s", None, "a list of hold times (s) for compute = dynamics")
        for k in ("tau_s", "area", "times_s"):
            if k in settings:
                v = settings[k]
                if (
                    not isinstance(v, list)
                    or not v
                    or not all(
                        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                        for x in v
                    )
                ):
                    raise InputError(k, v, "a non-empty list of finite numbers")
        axes = data.get("axes", {})
        if not isinstance(axes, Mapping):
            raise InputError("axes", axes, "a table of dotted key = [values]")
        for k, v in axes.items():
            if not isinstance(v, list) or not v:
                raise InputError(f"axes.{k}", v, "a non-empty list of values")
        spec = cls(base, compute, settings, dict(axes), text)
        n = spec.n_points
        if n > MAX_POINTS:
            shape = " x ".join(str(s) for s in spec.shape)
            raise InputError(
                "axes",
                f"{n:.3g} grid points ({shape})",
                f"at most {MAX_POINTS:.0e} points",
                "split the sweep into several files",
            )
        spec._validate()  # before anything runs
        return spec

    @classmethod
    def from_toml(cls, path: str | Path) -> SweepSpec:
        """Read a sweep file."""
        p = Path(path)
        if not p.is_file():
            raise InputError("sweep", str(path), "an existing TOML file")
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise InputError("sweep", str(path), "a UTF-8 text file", str(e)) from None
        return cls.from_toml_string(text, p.parent)


# --------------------------------------------------------------------------- computing


#: The module each kind of computation imports on its first point; local workers import it
#: (and compute one point, to load what that point loads lazily) while they start
#: (:class:`LocalPool` ``preload`` and ``warm_up``), not inside their first chunk.
COMPUTE_MODULES = {"raman": "spinpair.sequence", "dynamics": "spinpair.dynamics"}


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with one BLAS thread (threadpoolctl, through :mod:`spinpair._threads`).

    A sweep parallelises over grid points; each point is small-matrix work where extra BLAS
    threads only compete with the other workers for the same cores. The controller that
    finds the BLAS libraries is built once per process and kept (``threadpool_limits``
    builds a new one on every call, which took milliseconds: more than a small chunk's
    points), and the engine's own one-thread caps nested inside cost nothing.
    """
    from ._threads import blas_threads

    with blas_threads(1):
        yield


def evaluate_point(spec: SweepSpec, point: Mapping[str, Any]) -> dict[str, Any]:
    """Compute one grid point (a pure function: safe in a worker process)."""
    params = spec.params_at(point)
    s = spec.settings
    row: dict[str, Any] = dict(point)
    if spec.compute == "raman":
        from .sequence import MeasurementSequence

        seq = MeasurementSequence.from_params(params, chi1_coherence=s.get("chi1_coherence"))
        counts = seq.run(tau_s=s.get("tau_s"), area=s.get("area"))
        row.update(counts.as_dict())
    else:
        from .dynamics import evolve_params

        dyn = evolve_params(params, s["times_s"], model=s.get("model"))
        row["time_s"] = dyn.time_s.tolist()
        row["populations"] = {k: v.tolist() for k, v in dyn.populations().items()}
    return row


def evaluate_chunk(spec: SweepSpec, start: int, stop: int) -> list[dict[str, Any]]:
    """Compute grid points ``start`` to ``stop`` (exclusive) with one BLAS thread."""
    with one_blas_thread():
        return [evaluate_point(spec, p) for p in spec.iter_points(start, stop)]


def _init_local_worker() -> None:
    """Initializer of local worker processes: one BLAS thread; SIGINT is the parent's job."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for k in BLAS_ENV:
        os.environ[k] = "1"
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)  # for the life of the worker


def _start_worker(preload: Sequence[str] = (), warm_up: SweepSpec | None = None) -> int:
    """First task of every local worker: import ``preload`` (the modules the sweep's points
    need), compute the first grid point of ``warm_up`` and drop it (the imports and caches a
    point needs beyond its module: the model's own module, parts of scipy), and return the
    worker's pid. An error in the warm-up point is left for its chunk to report."""
    import importlib

    for name in preload:
        importlib.import_module(name)
    if warm_up is not None:
        with contextlib.suppress(Exception), one_blas_thread():
            evaluate_point(warm_up, warm_up.point(0))
    return os.getpid()


def _worker_threads() -> dict[str, Any]:
    """What a worker runs with: BLAS thread counts (threadpoolctl) and the environment."""
    info: dict[str, Any] = {"env": {k: os.environ.get(k) for k in BLAS_ENV}, "pid": os.getpid()}
    try:
        from threadpoolctl import threadpool_info

        info["blas_threads"] = [d["num_threads"] for d in threadpool_info()]
    except ImportError:  # pragma: no cover
        info["blas_threads"] = None
    return info


@contextlib.contextmanager
def _blas_env() -> Iterator[None]:
    """Set BLAS_ENV to 1 while local workers are spawned (they inherit it before numpy loads)."""
    old = {k: os.environ.get(k) for k in BLAS_ENV}
    os.environ.update(dict.fromkeys(BLAS_ENV, "1"))
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class LocalPool:
    """``workers`` spawned processes with one BLAS thread each, that never outlive the sweep.

    A context manager around :class:`concurrent.futures.ProcessPoolExecutor` ('spawn'
    context, so each worker imports numpy with the thread variables already set). The
    pool's first tasks, one per worker, import the modules named in ``preload`` and compute
    the first point of ``warm_up`` (should one worker take two of them, the other warms up
    on its first chunk); entering the pool does
    not wait for them (the caller goes on, for example timing a point for the size check,
    while the workers import), :meth:`wait_started` does. On any exit, normal or not
    (exception, KeyboardInterrupt, a signal turned into an exception), pending work is
    cancelled and every worker process is terminated and joined.
    """

    def __init__(
        self, workers: int, preload: Sequence[str] = (), warm_up: SweepSpec | None = None
    ) -> None:
        self.workers = int(workers)
        self.preload = tuple(preload)
        self.warm_up = warm_up
        self.executor: cf.ProcessPoolExecutor | None = None
        self.started: list[cf.Future] = []

    def __enter__(self) -> cf.ProcessPoolExecutor:
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        with _blas_env():
            ex = cf.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=_init_local_worker
            )
            self.executor = ex
            try:  # each submit spawns a worker now, while the environment says one thread
                self.started = [
                    ex.submit(_start_worker, self.preload, self.warm_up)
                    for _ in range(self.workers)
                ]
            except BaseException:
                self.close()
                raise
        return ex

    def wait_started(self) -> list[int]:
        """Block until every worker has started and imported ``preload``; their pids."""
        return [f.result() for f in self.started]

    def processes(self) -> list[Any]:
        """The worker processes (multiprocessing.Process objects)."""
        return pool_processes(self.executor)

    def close(self) -> None:
        """Cancel pending work, terminate and join every worker."""
        terminate_pool(self.executor)
        self.executor = None

    def __exit__(self, *exc: object) -> None:
        self.close()


def max_local_workers() -> int:
    """The most local worker processes a sweep may start: twice the CPUs this process may
    use (at least 2). Points are CPU-bound, so processes beyond the CPUs only share them
    (and each holds its own interpreter, numpy and model caches).

    >>> max_local_workers() >= 2
    True
    """
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return max(2, 2 * n)


def _check_workers(workers: Any) -> int:
    top = max_local_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= top:
        raise InputError(
            "--workers",
            workers,
            f"an integer from 1 to {top} (twice the CPUs this process may use; more "
            "processes would only share them)",
        )
    return workers


#: Dask settings for clusters of single-threaded workers on few cores: a worker's own
#: monitors sample every 10–100 ms by default, a share of a small machine that the
#: workers feel (``docs/scaling.md`` gives what an idle LocalCluster takes with and
#: without these settings, measured by ``benchmarks/bench_sweep.py``). Apply them where
#: the cluster starts: ``with dask.config.set(DASK_CONFIG): LocalCluster(...)``, or as
#: environment variables (:func:`dask_environment`) in a batch job's prologue. What each
#: one gives up:
DASK_CONFIG: dict[str, object] = {
    # the statistical profiler samples every worker thread 100 times a second (the
    # dashboard's "Profile" page stays empty without it)
    "distributed.worker.profile.enabled": False,
    # event-loop responsiveness check, 20 ms by default (a blocked loop is then reported
    # after 200 ms instead of 20 ms)
    "distributed.admin.tick.interval": "200ms",
    # memory limit checks (pause, spill, restart), 100 ms by default: a sweep's chunk
    # holds a few MB
    "distributed.worker.memory.monitor-interval": "1s",
    # CPU/memory/network history for the dashboard, 500 ms by default
    "distributed.admin.system-monitor.interval": "2s",
    # the nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so that glibc hands freed
    # memory back to the OS at once; a point's numpy temporaries are then faulted in anew
    # each time: about 2.4 times the page faults and system CPU of glibc's default, and
    # more time per point (docs/scaling.md gives both, measured by the benchmark). None
    # leaves the variable unset (glibc's default); a worker's unmanaged memory may then
    # stay higher between tasks
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def dask_environment(config: Mapping[str, object] | None = None) -> dict[str, str]:
    """``config`` (default :data:`DASK_CONFIG`) as the environment variables Dask reads at
    start-up, for a batch job's prologue or a shell, e.g.
    ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``. Dask lower-cases the names of
    such variables, so a key that names an environment variable (upper case, as
    ``MALLOC_TRIM_THRESHOLD_`` under ``distributed.nanny.pre-spawn-environ``) goes into
    one variable for its parent, holding a Python dict literal that Dask merges into the
    parent (quote it in a shell: ``shlex.quote``).

    >>> dask_environment({"distributed.admin.tick.interval": "200ms"})
    {'DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL': '200ms'}
    >>> dask_environment({"distributed.nanny.environ.MY_VAR": None})
    {'DASK_DISTRIBUTED__NANNY__ENVIRON': "{'MY_VAR': None}"}
    """
    env: dict[str, str] = {}
    merged: dict[str, dict[str, object]] = {}
    for key, value in (DASK_CONFIG if config is None else config).items():
        *parents, last = key.split(".")
        if last != last.lower():  # a case-sensitive name: merged into its parent's dict
            path, entry = parents, {last: value}
        else:
            path, entry = key.split("."), None
        name = "DASK_" + "__".join(part.upper().replace("-", "_") for part in path)
        if entry is None:
            env[name] = str(value)
        else:
            merged.setdefault(name, {}).update(entry)
    env.update({name: repr(d) for name, d in merged.items()})
    return env


def _dask_client(scheduler: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--scheduler", scheduler, "Dask installed: pip install 'spinpair[dask]'"
        ) from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise InputError(
            "--scheduler", scheduler, "the address of a running Dask scheduler", str(e)
        ) from None


def client_threads(client: Any) -> int:
    """Total worker threads of a ``distributed.Client`` (at least 1: a cluster may still be
    starting its workers)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:
        return 1


@contextlib.contextmanager
def _executor(
    workers: int,
    client: Any = None,
    scheduler: str | None = None,
    warm_up: SweepSpec | None = None,
) -> Iterator[tuple[cf.Executor | None, int]]:
    """(executor, parallelism): None for in-process; cancels and stops on every exit.
    ``warm_up``: the sweep whose module and first point local workers import and compute
    as they start (a Dask cluster's workers warm up on their first task)."""
    if client is None and scheduler:
        client = _dask_client(scheduler)
        own = client
    else:
        own = None
    try:
        if client is not None:
            ex = client.get_executor(pure=False)
            try:
                yield ex, client_threads(client)
            finally:
                ex.shutdown(wait=False)  # cancels what is still pending on the cluster
        elif workers == 1:
            yield None, 1
        else:
            preload = (COMPUTE_MODULES[warm_up.compute],) if warm_up is not None else ()
            with LocalPool(workers, preload, warm_up) as ex:
                yield ex, workers
    finally:
        if own is not None:
            own.close()


def _run_chunks(
    spec: SweepSpec,
    chunks: Sequence[tuple[int, int, int]],
    executor: cf.Executor | None,
    parallelism: int,
    done: Callable[[int, list[dict[str, Any]]], None],
) -> None:
    """Evaluate ``chunks`` (index, start, stop); call ``done(index, rows)`` in the parent as
    each finishes. At most ``2 * parallelism`` chunks are in flight (bounded memory)."""
    if executor is None:
        for k, a, b in chunks:
            done(k, evaluate_chunk(spec, a, b))
        return
    todo = iter(chunks)
    pending: dict[cf.Future, int] = {}
    try:
        for k, a, b in itertools.islice(todo, 2 * parallelism):
            pending[executor.submit(evaluate_chunk, spec, a, b)] = k
        while pending:
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for f in finished:
                k = pending.pop(f)
                done(k, f.result())
                for k2, a, b in itertools.islice(todo, 1):
                    pending[executor.submit(evaluate_chunk, spec, a, b)] = k2
    finally:
        for f in pending:
            f.cancel()


def run_sweep(
    spec: SweepSpec,
    workers: int = 1,
    scheduler: str | None = None,
    *,
    client: Any = None,
    chunk_size: int | None = None,
) -> list[dict[str, Any]]:
    """Evaluate every grid point in memory and return the rows in grid order.

    ``workers`` > 1 uses local processes; ``client`` (a ``distributed.Client``, or any
    object with its ``get_executor`` and ``nthreads``) or ``scheduler`` (an address) a Dask
    cluster (``pip install 'spinpair[dask]'``). For large grids use :func:`sweep_to_file`,
    which streams to disk, resumes, and checks the size first.
    """
    workers = _check_workers(workers)
    n = spec.n_points
    out: list[list[dict[str, Any]] | None] = []
    with _executor(workers, client, scheduler, spec) as (ex, par):
        size = chunk_size or default_chunk_size(n, par)
        chunks = _chunks(n, size)
        out = [None] * len(chunks)
        bar = _progress(n)
        try:

            def done(k: int, rows: list[dict[str, Any]]) -> None:
                out[k] = rows
                if bar:
                    bar.update(len(rows))

            _run_chunks(spec, chunks, ex, par, done)
        finally:
            if bar:
                bar.close()
    return [r for rows in out for r in (rows or [])]


def default_chunk_size(n_points: int, parallelism: int) -> int:
    """Points per chunk: about 8 chunks per worker (load balance), at most 256 points (a
    chunk is the unit of memory, of a task on Dask and of what a resume can skip)."""
    return max(1, min(256, math.ceil(n_points / (8 * max(1, parallelism)))))


def _chunks(n: int, size: int) -> list[tuple[int, int, int]]:
    return [(k, a, min(a + size, n)) for k, a in enumerate(range(0, n, size))]


def _progress(total: int) -> Any:
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc="sweep", unit="point", file=sys.stderr)
    return None


# --------------------------------------------------------------------------- size check


def time_one_point(spec: SweepSpec, index: int = 0) -> float:
    """Wall time of one grid point (s), one BLAS thread, measured after one warm-up call
    (skipped when the first call alone took over a second)."""
    point = spec.point(index)
    with one_blas_thread():
        t0 = time.perf_counter()
        evaluate_point(spec, point)
        first = time.perf_counter() - t0
        if first > 1.0:
            return first
        t0 = time.perf_counter()
        evaluate_point(spec, point)
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


# --------------------------------------------------------------------------- files


def parts_folder(out: str | Path) -> Path:
    """The folder of finished chunks of a sweep writing ``out``: ``OUT.parts`` beside it."""
    p = Path(out)
    return p.with_name(p.name + ".parts")


def check_output(out: str | Path) -> Path:
    """Check an output path before anything runs: a known suffix, an existing writable
    folder, not a folder itself; ``.nc`` needs xarray and h5netcdf ('spinpair[dask]')."""
    p = Path(out)
    if p.suffix not in FORMATS:
        raise InputError("--out", str(out), "a file name ending in .csv, .json or .nc")
    if p.suffix == ".nc":
        try:
            import h5netcdf  # noqa: F401
            import xarray  # noqa: F401
        except ImportError:
            raise InputError(
                "--out", str(out), ".csv or .json, or .nc with pip install 'spinpair[dask]'"
            ) from None
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("--out", str(out), "a path in an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("--out", str(out), "a path in a writable folder")
    if p.is_dir():
        raise InputError("--out", str(out), "a file name, not a folder")
    return p


def provenance(spec: SweepSpec) -> dict[str, Any]:
    """Attributes that say where a sweep's results come from."""
    from . import __version__

    return {
        "spinpair_version": __version__,
        "sweep_sha256": spec.fingerprint(),
        "sweep_file": spec.source,
        "compute": spec.compute,
        "settings_json": json.dumps(spec.settings, sort_keys=True),
        "base_params_json": json.dumps(spec.base, sort_keys=True, default=repr),
        "axes": json.dumps(list(spec.axes)),
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


class _Store:
    """``OUT.parts/``: a manifest (fingerprint, chunk size) and one JSON file per chunk."""

    def __init__(self, spec: SweepSpec, out: Path, chunk_size: int) -> None:
        self.spec = spec
        self.folder = parts_folder(out)
        self.chunk_size = chunk_size
        self.resumed = False
        fp = spec.fingerprint()
        manifest = self.folder / _MANIFEST
        if manifest.is_file():
            try:
                m = json.loads(manifest.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                m = {}
            if m.get("sweep_sha256") != fp or m.get("n_points") != spec.n_points:
                raise InputError(
                    "--out",
                    str(out),
                    f"the sweep file of the unfinished run kept in {self.folder}",
                    f"this sweep file differs; delete {self.folder} to start over, "
                    "or choose another --out",
                )
            self.chunk_size = int(m["chunk_size"])
            self.resumed = True
        elif self.folder.exists():
            raise InputError(
                "--out", str(out), f"an output whose folder {self.folder} is a sweep's or absent"
            )
        else:
            self.folder.mkdir()
            atomic_write_text(
                manifest,
                json.dumps(
                    {
                        "format": _FORMAT_VERSION,
                        "sweep_sha256": fp,
                        "n_points": spec.n_points,
                        "chunk_size": chunk_size,
                        "sweep_file": spec.source,
                    },
                    indent=1,
                ),
            )
        self.chunks = _chunks(spec.n_points, self.chunk_size)

    def path(self, k: int) -> Path:
        return self.folder / f"chunk-{k:08d}.json"

    def finished(self) -> set[int]:
        """Indices of chunks already on disk (complete: written atomically, checked)."""
        done = set()
        for k, a, b in self.chunks:
            p = self.path(k)
            if p.is_file():
                try:
                    d = json.loads(p.read_text(encoding="utf-8"))
                    if d["start"] == a and d["stop"] == b and len(d["rows"]) == b - a:
                        done.add(k)
                except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                    p.unlink()
        return done

    def write(self, k: int, rows: list[dict[str, Any]]) -> None:
        _, a, b = self.chunks[k]
        atomic_write_text(
            self.path(k), json.dumps({"start": a, "stop": b, "rows": rows}, allow_nan=False)
        )

    def read(self, k: int) -> list[dict[str, Any]]:
        return json.loads(self.path(k).read_text(encoding="utf-8"))["rows"]

    def rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(first grid index, rows) of every chunk in order, one chunk in memory at a time."""
        for k, a, _ in self.chunks:
            yield a, self.read(k)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_to_file` did: grid points in the output, points skipped because a
    previous run had finished them, and chunks computed now."""

    out: Path
    points: int
    skipped: int
    computed_chunks: int
    estimate: SizeEstimate | None


def sweep_to_file(
    spec: SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    client: Any = None,
    scheduler: str | None = None,
    yes: bool = False,
    chunk_size: int | None = None,
    log: Callable[[str], None] = _log,
) -> SweepReport:
    """Run a sweep into ``out`` (.csv, .json or .nc): size check, chunks streamed to
    ``OUT.parts/``, resume from finished chunks, atomic assembly of the output.

    ``client`` is a ``distributed.Client`` (or an object with its ``get_executor`` and
    ``nthreads``), for example built from a ``LocalCluster`` or a
    ``dask_jobqueue.SLURMCluster``; ``scheduler`` is a scheduler address; otherwise
    ``workers`` local processes. On any interruption (exception, KeyboardInterrupt, a
    signal handler that raises) the workers are stopped, temporary files removed, and the
    finished chunks kept for the next run.
    """
    workers = _check_workers(workers)
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise InputError("--chunk-size", chunk_size, "an integer >= 1")
    p = check_output(out)
    if not parts_folder(p).exists() and holds_sweep(p, spec):
        log(f"{p} already holds this sweep's {spec.n_points} points: nothing to do")
        return SweepReport(p, spec.n_points, spec.n_points, 0, None)
    with _executor(workers, client, scheduler, spec) as (ex, par):
        store = _Store(spec, p, chunk_size or default_chunk_size(spec.n_points, par))
        done = store.finished()
        skipped = sum(b - a for k, a, b in store.chunks if k in done)
        if store.resumed:
            log(f"resuming from {store.folder}: skipped {skipped} of {spec.n_points} points")
        todo = [c for c in store.chunks if c[0] not in done]
        try:
            est = check_size(spec, spec.n_points - skipped, par, yes, todo[0][1] if todo else 0)
        except InputError:
            if not done:
                store.remove()  # refused before anything ran: leave nothing behind
            raise
        if est is not None:
            log(est.describe())
        bar = _progress(spec.n_points)
        if bar:
            bar.update(skipped)
        try:

            def finished(k: int, rows: list[dict[str, Any]]) -> None:
                store.write(k, rows)
                if bar:
                    bar.update(len(rows))

            _run_chunks(spec, todo, ex, par, finished)
        finally:
            if bar:
                bar.close()
    write_sweep_chunks(store.rows(), spec, p)
    store.remove()
    return SweepReport(p, spec.n_points, skipped, len(todo), est)


def holds_sweep(path: str | Path, spec: SweepSpec) -> bool:
    """Whether ``path`` is a finished output of this very sweep (.nc and .json carry the
    sweep's fingerprint; a .csv has no room for it and is always recomputed)."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        if p.suffix == ".nc":
            import h5netcdf

            with h5netcdf.File(p, "r") as f:
                return f.attrs.get("sweep_sha256") == spec.fingerprint()
        if p.suffix == ".json":
            with p.open(encoding="utf-8") as f:
                head = f.read(1 << 20)
            key = '{"provenance": '
            if head.startswith(key):
                prov, _ = json.JSONDecoder().raw_decode(head, len(key))
                return prov.get("sweep_sha256") == spec.fingerprint()
    except Exception:  # not ours, unreadable, truncated: compute anew
        return False
    return False


# --------------------------------------------------------------------------- writers


def _flat_rows(rows: list[dict[str, Any]], axes: Sequence[str]) -> tuple[list[str], list[list]]:
    """Long format: one line per grid point and setting."""
    header: list[str] = list(axes)
    out: list[list] = []
    for r in rows:
        if "populations" in r:
            names = list(r["populations"])
            if len(header) == len(axes):
                header += ["time_s", *names]
            for i, t in enumerate(r["time_s"]):
                out.append([r[a] for a in axes] + [t] + [r["populations"][n][i] for n in names])
        else:
            setting = "tau_s" if "tau_s" in r else "area"
            if len(header) == len(axes):
                header += [setting, "P0", "P1", "P2"]
            for i, x in enumerate(r[setting]):
                out.append([r[a] for a in axes] + [x, r["P0"][i], r["P1"][i], r["P2"][i]])
    return header, out


def _write_csv(chunks: Iterator[tuple[int, list[dict[str, Any]]]], spec: SweepSpec, f) -> None:
    w = csv.writer(f, lineterminator="\n")
    first = True
    for _, rows in chunks:
        header, table = _flat_rows(rows, list(spec.axes))
        if first:
            w.writerow(header)
            first = False
        w.writerows(table)


def _write_json(chunks: Iterator[tuple[int, list[dict[str, Any]]]], spec: SweepSpec, f) -> None:
    head = {"provenance": provenance(spec), "axes": list(spec.axes), "compute": spec.compute}
    f.write(json.dumps(head)[:-1] + ', "points": [')
    sep = ""
    for _, rows in chunks:
        for r in rows:
            f.write(sep + json.dumps(r, allow_nan=False))
            sep = ", "
    f.write("]}\n")


def _coord_values(values: Sequence[Any]) -> tuple[Any, str]:
    """Axis values as an array for a NetCDF coordinate, and a note on their type."""
    import numpy as np

    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        if all(isinstance(v, int) for v in values):
            return np.asarray(values, dtype=np.int64), "number"
        return np.asarray(values, dtype=np.float64), "number"
    return np.asarray([str(v) for v in values], dtype=object), "text"


def _write_nc(chunks: Iterator[tuple[int, list[dict[str, Any]]]], spec: SweepSpec, path) -> None:
    """NetCDF-4 (HDF5) through h5netcdf, filled one chunk at a time (bounded memory); read it
    with ``xarray.open_dataset(path)``."""
    import h5netcdf
    import h5py
    import numpy as np

    axes = list(spec.axes)
    shape = spec.shape
    s = spec.settings
    if spec.compute == "raman":
        setting = "tau_s" if "tau_s" in s else "area"
        svals = s[setting]
    else:
        setting, svals = "time_s", s["times_s"]
    with h5netcdf.File(path, "w") as f:
        f.dimensions = {**dict(zip(axes, shape, strict=True)), setting: len(svals)}
        for a in axes:
            vals, kind = _coord_values(spec.axes[a])
            dtype = h5py.string_dtype() if kind == "text" else vals.dtype
            v = f.create_variable(a, (a,), dtype, data=vals)
            v.attrs["long_name"] = f"sweep axis: parameter {a}"
        v = f.create_variable(setting, (setting,), np.float64, data=np.asarray(svals, float))
        v.attrs["units"] = {"tau_s": "s", "time_s": "s", "area": "rad"}[setting]
        variables: dict[str, Any] = {}
        states: list[str] | None = None
        dims = (*axes, setting)
        chunking = (*([1] * len(axes[:-1])), *([min(shape[-1], 256)] if axes else []), len(svals))

        def create(name: str, dims: tuple[str, ...], chunks: tuple[int, ...], desc: str):
            var = f.create_variable(
                name, dims, np.float64, fillvalue=np.nan, chunks=chunks, compression="gzip"
            )
            var.attrs["long_name"] = desc
            var.attrs["units"] = "1"
            return var

        for start, rows in chunks:
            if spec.compute == "raman" and not variables:
                for name, desc in (
                    ("P0", "probability to count 0 atoms"),
                    ("P1", "probability to count 1 atom"),
                    ("P2", "probability to count 2 atoms"),
                ):
                    variables[name] = create(name, dims, chunking, desc)
            if spec.compute == "dynamics" and states is None:
                states = list(rows[0]["populations"])
                f.dimensions["state"] = len(states)
                f.create_variable(
                    "state", ("state",), h5py.string_dtype(), data=np.asarray(states, dtype=object)
                )
                variables["population"] = create(
                    "population",
                    (*axes, "state", setting),
                    (*chunking[:-1], len(states), len(svals)),
                    "population of each named pair spin state",
                )
            if spec.compute == "raman":
                block = {n: np.array([r[n] for r in rows], dtype=float) for n in ("P0", "P1", "P2")}
            else:
                if any(list(r["populations"]) != states for r in rows):
                    raise InputError(
                        "axes",
                        axes,
                        "axes that keep the named states (species, f) for .nc output",
                        "use .csv or .json",
                    )
                assert states is not None  # set from the first chunk above
                block = {
                    "population": np.array(
                        [[r["populations"][n] for n in states] for r in rows], dtype=float
                    )
                }
            for name, data in block.items():
                _write_block(variables[name], data, start, shape)
        for k, v in provenance(spec).items():
            f.attrs[k] = v
        f.attrs["title"] = f"spinpair sweep ({spec.compute})"
        f.attrs["Conventions"] = "CF-1.8"


def _write_block(var: Any, data: Any, start: int, shape: tuple[int, ...]) -> None:
    """Write rows ``start`` … of the flattened grid into ``var`` (dims: axes…, rest…), in
    runs along the last axis."""
    import numpy as np

    if not shape:
        var[...] = data[0]
        return
    n = len(data)
    i = 0
    while i < n:
        idx = np.unravel_index(start + i, shape)
        run = min(n - i, shape[-1] - int(idx[-1]))
        lead = tuple(int(x) for x in idx[:-1])
        var[(*lead, slice(int(idx[-1]), int(idx[-1]) + run))] = data[i : i + run]
        i += run


def write_sweep_chunks(
    chunks: Iterator[tuple[int, list[dict[str, Any]]]], spec: SweepSpec, path: str | Path
) -> None:
    """Write (first index, rows) chunks in grid order to ``path`` atomically, one chunk in
    memory at a time: ``.csv`` (long table), ``.json`` (provenance and one object per
    point) or ``.nc`` (xarray Dataset, NetCDF-4)."""
    p = Path(path)
    if p.suffix == ".csv":

        def writer(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as f:
                _write_csv(chunks, spec, f)
    elif p.suffix == ".json":

        def writer(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8") as f:
                _write_json(chunks, spec, f)
    elif p.suffix == ".nc":

        def writer(tmp: Path) -> None:
            _write_nc(chunks, spec, tmp)
    else:
        raise InputError("--out", str(path), "a file name ending in .csv, .json or .nc")
    atomic_write(p, writer)


def write_sweep(rows: list[dict[str, Any]], spec: SweepSpec, path: str | Path) -> None:
    """Write in-memory results (:func:`run_sweep`) atomically (.csv, .json or .nc)."""
    check_output(path)
    write_sweep_chunks(iter([(0, rows)]), spec, path)


def to_dataset(rows: list[dict[str, Any]], spec: SweepSpec) -> Any:
    """In-memory results as an ``xarray.Dataset``: grid axes as coordinates (dimension
    names are the dotted parameter keys), provenance as attributes."""
    import numpy as np
    import xarray as xr

    axes = list(spec.axes)
    shape = spec.shape
    coords: dict[str, Any] = {a: _coord_values(spec.axes[a])[0] for a in axes}
    s = spec.settings
    if spec.compute == "raman":
        setting = "tau_s" if "tau_s" in s else "area"
        coords[setting] = np.asarray(s[setting], float)
        data = {
            n: ((*axes, setting), np.array([r[n] for r in rows], float).reshape(*shape, -1))
            for n in ("P0", "P1", "P2")
        }
    else:
        states = list(rows[0]["populations"])
        coords["state"] = states
        coords["time_s"] = np.asarray(s["times_s"], float)
        pops = np.array([[r["populations"][n] for n in states] for r in rows], float)
        data = {"population": ((*axes, "state", "time_s"), pops.reshape(*shape, len(states), -1))}
    return xr.Dataset(data, coords=coords, attrs=provenance(spec))


__all__ = [
    "CONFIRM_POINTS",
    "CONFIRM_SECONDS",
    "DASK_CONFIG",
    "MAX_POINTS",
    "LocalPool",
    "SizeEstimate",
    "SweepReport",
    "SweepSpec",
    "check_output",
    "check_size",
    "dask_environment",
    "evaluate_chunk",
    "evaluate_point",
    "parts_folder",
    "run_sweep",
    "sweep_to_file",
    "to_dataset",
    "write_sweep",
    "write_sweep_chunks",
]
