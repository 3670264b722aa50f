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
import errno
import hashlib
import itertools
import json
import math
import os
import re
import signal
import stat
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._pool import pool_processes, process_pool, terminate_pool
from .errors import InputError
from .fileio import (
    atomic_write,
    atomic_write_bytes,
    atomic_write_text,
    fitting_name,
    read_input_bytes,
    remove_temporaries,
)
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
#: Version of the layout of the output files and of ``OUT.parts/``; part of the
#: fingerprint, so that a change of layout never resumes from chunks of the old one.
SCHEMA_VERSION = 2
_MANIFEST = "manifest.json"
_SUMS = "chunks.sha256"
_LOCK = "lock"
_CHUNK = re.compile(r"chunk-\d{8}\.json\Z")
_SUM_LINE = re.compile(r"([0-9a-f]{64})  (chunk-\d{8}\.json)\Z")
#: Hidden temporaries of atomic writes into ``OUT.parts/`` (a kill while writing).
_OWN_TEMP = re.compile(r"\.(chunk-\d{8}\.json|manifest\.json)\.[a-z0-9_]{8}\.json\Z")
_OWN_NAME = re.compile(
    rf"({_CHUNK.pattern}|{re.escape(_MANIFEST)}\Z|{re.escape(_SUMS)}\Z|{_LOCK}\Z|{_OWN_TEMP.pattern})"
)


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
        """SHA-256 of everything that defines the sweep's points and their order: the axes
        in their order with their values, the resolved base parameters, compute, the
        settings and :data:`SCHEMA_VERSION`. Equal fingerprints give equal results (and
        equal files); comments and layout of the sweep file do not count."""
        blob = json.dumps(
            {
                "schema": SCHEMA_VERSION,
                "base": self.base,
                "compute": self.compute,
                "settings": self.settings,
                "axes": [[k, list(v)] for k, v in self.axes.items()],  # in order
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
        if not p.exists():
            raise InputError("sweep", str(path), "an existing TOML file")
        raw = read_input_bytes("sweep", path)  # a regular file of at most 1 MB
        try:
            text = raw.decode("utf-8")
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


#: How often (s) a local worker checks that the process that started it is still alive.
PARENT_POLL_SECONDS = 0.5


def _exit_with_parent(main_pid: int, deathsig: bool) -> None:
    """Make this worker end when ``main_pid``, its parent, ends, however it ends (also
    ``kill -9``, which runs no cleanup in the parent): on Linux the kernel sends SIGKILL
    at once (``prctl(PR_SET_PDEATHSIG)``, only with ``deathsig``: set where the parent's
    thread that started the worker is its main thread, since the signal follows that
    thread), and everywhere a daemon thread checks every :data:`PARENT_POLL_SECONDS` that
    the parent is still this process's parent and exits otherwise."""
    import threading

    if deathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != main_pid:  # the parent died before the signal was set
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != main_pid:
                os._exit(1)

    threading.Thread(target=watch, name="spinpair-parent-watch", daemon=True).start()


def _init_local_worker(main_pid: int | None = None, deathsig: bool = False) -> None:
    """Initializer of local worker processes: end with the parent ``main_pid``
    (:func:`_exit_with_parent`), one BLAS thread; SIGINT is the parent's job."""
    if main_pid is not None:
        _exit_with_parent(main_pid, deathsig)
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
    cancelled and every worker process is terminated and joined. Should this process die
    without cleaning up (``kill -9``), the workers notice and exit
    (:func:`_exit_with_parent`): no worker outlives it.
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
        import threading

        # workers are started by this thread (the submits below): the kernel's parent-death
        # signal follows it, so it is set only where this is the main thread
        deathsig = threading.current_thread() is threading.main_thread()
        with _blas_env():
            ex = process_pool(  # 'spawn', its processes listed by pool_processes
                self.workers,
                method="spawn",
                initializer=_init_local_worker,
                initargs=(os.getpid(), deathsig),
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


_ADDRESS = re.compile(
    r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?)"
    r"(:(\d{1,5}))?\Z"
)


def check_scheduler(address: Any) -> str:
    """Check a Dask scheduler address before connecting: ``tcp://HOST[:PORT]`` or
    ``tls://HOST[:PORT]`` (HOST a name, an IPv4 address or ``[IPv6]``, PORT 1 to 65535).

    >>> check_scheduler("tls://10.0.0.5:8786")
    'tls://10.0.0.5:8786'
    """
    m = _ADDRESS.match(address) if isinstance(address, str) else None
    if m is None or (m.group(5) is not None and not 1 <= int(m.group(5)) <= 65535):
        raise InputError(
            "--scheduler",
            address,
            "a Dask scheduler address tcp://HOST:PORT or tls://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786)",
        )
    return address


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
    if client is None and scheduler is not None:
        client = _dask_client(check_scheduler(scheduler))
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
    return p.with_name(fitting_name(p.name, len(".parts")) + ".parts")


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
    """Attributes that say where a sweep's results come from. Nothing in them depends on
    the run (no time stamp): the same sweep gives the same bytes, whatever the chunk size,
    the workers and the number of resumes."""
    from . import __version__

    return {
        "spinpair_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "sweep_sha256": spec.fingerprint(),
        "sweep_file": spec.source,
        "compute": spec.compute,
        "settings_json": json.dumps(spec.settings, sort_keys=True),
        "base_params_json": json.dumps(spec.base, sort_keys=True, default=repr),
        "axes": json.dumps(list(spec.axes)),
    }


def _fault_point(name: str) -> None:
    """Named places of :func:`sweep_to_file` where a crash leaves the most to repair
    (``chunk-written``: a chunk file renamed into place, its checksum not yet recorded;
    ``chunk-recorded``; ``manifest``: before the manifest is written; ``published``: the
    output renamed into place, ``OUT.parts/`` not yet removed; ``removing``: the manifest
    removed, the chunk files not yet). Does nothing; the fault-injection tests replace it,
    for example with a ``kill -9`` of the process."""


class WorkerLost(Exception):
    """A local worker process died while the sweep ran (killed, or out of memory): not a
    bug of the sweep and not bad input. The finished chunks are kept; running the same
    sweep again resumes. The command line reports it in one line with exit status 2."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} in a chunk file")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_own(path: Path, limit: int | None = None) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not a symbolic link); else None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read() if limit is None else f.read(limit)
    except OSError:
        return None
    finally:
        os.close(fd)


class _Store:
    """``OUT.parts/``: a lock, a manifest (fingerprint, chunk size), one JSON file per
    finished chunk and ``chunks.sha256`` (the SHA-256 of each chunk file, appended as each
    is written, in the format of ``sha256sum``).

    One runner at a time: :meth:`open` takes an exclusive ``flock`` on ``OUT.parts/lock``
    (released by the system when the process ends, however it ends, so the lock of a dead
    run is taken over at once). A folder that is a symbolic link, belongs to another user
    or holds files that are not a sweep's is refused; one without a manifest (a run killed
    before writing it) or with a damaged one is started over; a chunk whose bytes do not
    match its recorded checksum is recomputed, with a note on stderr.
    """

    def __init__(self, spec: SweepSpec, out: Path, log: Callable[[str], None]) -> None:
        self.spec = spec
        self.out = out
        self.log = log
        self.folder = parts_folder(out)
        self.chunk_size = 0
        self.resumed = False
        self.chunks: list[tuple[int, int, int]] = []
        self.sums: dict[str, str] = {}
        self._lock_fd: int | None = None
        self._sums_fd: int | None = None
        self._manifest: dict[str, Any] | None = None

    # ---------------------------------------------------------------- folder and lock

    def _refuse(self, why: str) -> InputError:
        return InputError(
            "--out", str(self.out), f"an output whose folder {self.folder} is a sweep's own", why
        )

    def _check_folder(self) -> bool:
        """Whether the folder exists; refuse it if it is not one of ours."""
        try:
            st = os.lstat(self.folder)
        except FileNotFoundError:
            return False
        if stat.S_ISLNK(st.st_mode):
            raise self._refuse("it is a symbolic link: spinpair makes this folder itself")
        if not stat.S_ISDIR(st.st_mode):
            raise self._refuse("it is not a folder: remove it or choose another --out")
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            raise self._refuse("it belongs to another user")
        foreign = sorted(n for n in os.listdir(self.folder) if not _OWN_NAME.match(n))
        if foreign:
            raise self._refuse(
                f"it holds files that are not a sweep's ({', '.join(foreign[:3])}): remove "
                "the folder or choose another --out"
            )
        return True

    def open(self) -> None:
        """Check and lock the folder (creating it), remove what killed runs left, read the
        manifest. Refuses (InputError) a folder that is not ours, one another live run
        holds, and a manifest of another sweep."""
        for _ in range(10):
            if not self._check_folder():
                with contextlib.suppress(FileExistsError):
                    os.mkdir(self.folder)
                self._check_folder()
            if self._try_lock():
                break
        else:  # pragma: no cover - the folder kept vanishing under us
            raise self._refuse("another process keeps removing it")
        try:
            self._check_folder()  # nothing planted between the check and the lock
            for e in os.scandir(self.folder):
                if _OWN_TEMP.match(e.name):
                    with contextlib.suppress(OSError):
                        os.unlink(e.path)
            remove_temporaries(self.out)
            self._manifest = self._read_manifest()
        except BaseException:
            self.close()
            raise

    def _try_lock(self) -> bool:
        path = self.folder / _LOCK
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
        try:
            fd = os.open(path, flags, 0o666)
        except FileNotFoundError:
            return False  # the folder was removed meanwhile (a run finishing): again
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise self._refuse(f"{path} is a symbolic link") from None
            raise InputError(
                "--out", str(self.out), "a writable output folder", e.strerror or ""
            ) from None
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except ImportError:  # pragma: no cover - not POSIX: no lock
                pass
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
                raise InputError(
                    "--out",
                    str(self.out),
                    "an output that no other sweep is writing now",
                    f"a running spinpair sweep (pid {holder or 'unknown'}) holds {path}: "
                    "wait for it to finish, or stop it and run again to resume",
                ) from None
            try:  # still the lock file of the folder (not one a finishing run removed)?
                same = os.path.samestat(os.stat(path, follow_symlinks=False), os.fstat(fd))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                return False
            before = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            if before and before != str(os.getpid()):
                self.log(
                    f"taking over {self.folder} from an earlier run (pid {before}) that is "
                    "no longer running"
                )
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
        self._lock_fd = fd
        return True

    def close(self) -> None:
        """Release the lock (the folder stays)."""
        for name in ("_sums_fd", "_lock_fd"):
            fd = getattr(self, name)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, None)

    # ---------------------------------------------------------------- manifest

    def _read_manifest(self) -> dict[str, Any] | None:
        """The manifest if valid and of this sweep; None if absent or damaged (start
        over); refuses (InputError) the valid manifest of another sweep."""
        raw = _read_own(self.folder / _MANIFEST, 1 << 22)
        if raw is None:
            if any(_CHUNK.match(n) for n in os.listdir(self.folder)):
                self.log(
                    f"{self.folder} has no manifest (an earlier run was stopped before "
                    "writing it): starting over"
                )
            return None
        try:
            m = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            ok = (
                isinstance(m, dict)
                and m.get("format") == SCHEMA_VERSION
                and isinstance(m.get("sweep_sha256"), str)
                and type(m.get("n_points")) is int
                and type(m.get("chunk_size")) is int
                and m["chunk_size"] >= 1
            )
        except (ValueError, UnicodeDecodeError):
            ok = False
        if not ok:
            self.log(
                f"{self.folder / _MANIFEST} is damaged or from another version of spinpair: "
                "starting over"
            )
            return None
        if m["sweep_sha256"] != self.spec.fingerprint():
            raise InputError(
                "--out",
                str(self.out),
                f"the sweep file of the unfinished run kept in {self.folder}",
                f"this sweep file differs (axes, their order, values, base parameters or "
                f"settings); delete {self.folder} to start over, or choose another --out",
            )
        if m["n_points"] != self.spec.n_points:
            self.log(f"{self.folder / _MANIFEST} does not match its sweep: starting over")
            return None
        return m

    def prepare(self, chunk_size: int) -> None:
        """Resume from the manifest read by :meth:`open`, or start over with ``chunk_size``:
        old chunk files removed, then a new manifest written."""
        if self._manifest is not None:
            self.chunk_size = int(self._manifest["chunk_size"])
            self.resumed = True
            self.sums = self._read_sums()
        else:
            for e in os.scandir(self.folder):
                if _CHUNK.match(e.name) or e.name in (_SUMS, _MANIFEST):
                    os.unlink(e.path)
            self.chunk_size = chunk_size
            _fault_point("manifest")
            atomic_write_text(
                self.folder / _MANIFEST,
                json.dumps(
                    {
                        "format": SCHEMA_VERSION,
                        "sweep_sha256": self.spec.fingerprint(),
                        "n_points": self.spec.n_points,
                        "chunk_size": chunk_size,
                        "sweep_file": self.spec.source,
                    },
                    indent=1,
                ),
            )
        self.chunks = _chunks(self.spec.n_points, self.chunk_size)

    # ---------------------------------------------------------------- chunks

    def _read_sums(self) -> dict[str, str]:
        raw = _read_own(self.folder / _SUMS) or b""
        sums = {}
        for line in raw.split(b"\n")[:-1]:  # a last line without newline is torn
            m = _SUM_LINE.match(line.decode("ascii", "replace"))
            if m:
                sums[m.group(2)] = m.group(1)
        return sums

    def _record(self, name: str, digest: str) -> None:
        """Append ``digest  name`` to ``chunks.sha256`` (one write of one line)."""
        try:
            self._append(name, digest)
        except OSError as e:  # a full disk, a quota: named by the user's path
            raise InputError(
                "--out",
                str(self.out),
                f"an output whose folder {self.folder} can be written",
                e.strerror or str(e),
            ) from None

    def _append(self, name: str, digest: str) -> None:
        if self._sums_fd is None:
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
            self._sums_fd = os.open(self.folder / _SUMS, flags | os.O_CLOEXEC, 0o666)
            size = os.fstat(self._sums_fd).st_size
            if size and os.pread(self._sums_fd, 1, size - 1) != b"\n":
                os.write(self._sums_fd, b"\n")  # after a torn last line
        os.write(self._sums_fd, f"{digest}  {name}\n".encode())
        self.sums[name] = digest

    def path(self, k: int) -> Path:
        return self.folder / f"chunk-{k:08d}.json"

    def _load(self, k: int) -> list[dict[str, Any]] | None:
        """Rows of chunk ``k`` if its file matches its recorded checksum and its range."""
        _, a, b = self.chunks[k]
        p = self.path(k)
        raw = _read_own(p)
        if raw is None or self.sums.get(p.name) != _sha256(raw):
            return None
        try:
            d = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            if d["start"] == a and d["stop"] == b and len(d["rows"]) == b - a:
                return list(d["rows"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            pass
        return None

    def finished(self) -> set[int]:
        """Indices of chunks already on disk and intact (their checksum recorded and
        matching); any other chunk file is removed (noted on stderr if it had a checksum:
        edited or damaged)."""
        present = {n for n in os.listdir(self.folder) if _CHUNK.match(n)}
        done = set()
        for k, _, _ in self.chunks:
            name = self.path(k).name
            if name not in present:
                continue
            present.discard(name)
            if self._load(k) is not None:
                done.add(k)
                continue
            if name in self.sums:
                self.log(
                    f"{self.path(k)} does not match its checksum or range (edited or "
                    "damaged): recomputing it"
                )
            self.path(k).unlink(missing_ok=True)
        for name in present:  # beyond the grid: not this sweep's
            (self.folder / name).unlink(missing_ok=True)
        return done

    def write(self, k: int, rows: list[dict[str, Any]]) -> None:
        """Write chunk ``k`` atomically, then record its checksum."""
        _, a, b = self.chunks[k]
        data = json.dumps({"start": a, "stop": b, "rows": rows}, allow_nan=False).encode()
        atomic_write_bytes(self.path(k), data)
        _fault_point("chunk-written")
        self._record(self.path(k).name, _sha256(data))
        _fault_point("chunk-recorded")

    def rows(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(first grid index, rows) of every chunk in order, one chunk in memory at a
        time, each checked against its checksum again (a chunk changed since the resume
        check is recomputed here, with a note on stderr)."""
        for k, a, b in self.chunks:
            rows = self._load(k)
            if rows is None:
                self.log(f"{self.path(k)} changed after it was checked: recomputing it")
                rows = json.loads(json.dumps(evaluate_chunk(self.spec, a, b), allow_nan=False))
                self.write(k, rows)
            yield a, rows

    def remove(self) -> None:
        """Remove the folder: the manifest first (a kill half-way leaves a folder without
        one, which the next run starts over), then the chunks, the lock, the folder."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / _MANIFEST)
        _fault_point("removing")
        for e in os.scandir(self.folder):
            if e.name != _LOCK:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(e.path)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / _LOCK)
        self.close()
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_to_file` did: grid points in the output, points skipped because a
    previous run had finished them, and chunks computed now."""

    out: Path
    points: int
    skipped: int
    computed_chunks: int
    estimate: SizeEstimate | None


def _lost_worker(executor: Any, parts: Path) -> WorkerLost:
    """The error for a local worker that died: which one and how, where the chunks are."""
    how = "ended unexpectedly"
    ended = [
        (p.pid, p.exitcode)
        for p in pool_processes(executor)
        if getattr(p, "exitcode", None) not in (None, 0)
    ]
    # the pool ends the survivors of a broken pool with SIGTERM: the one that died first
    # is the one that did not end so (where there is one)
    ended.sort(key=lambda e: e[1] == -signal.SIGTERM)
    if ended:
        pid, code = ended[0]
        how = f"(pid {pid}) exited with status {code}"
        if code < 0:
            with contextlib.suppress(ValueError):
                how = f"(pid {pid}) was killed by {signal.Signals(-code).name}"
    return WorkerLost(
        f"a worker process {how} (stopped by someone, or out of memory); the other workers "
        f"were stopped, finished chunks kept in {parts}; run the same command again to resume"
    )


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
    finished chunks kept for the next run; a local worker that dies raises
    :class:`WorkerLost`.

    What is guaranteed after a crash (``kill -9``, a lost node) at any instant: ``out`` is
    absent, the previous file, or the complete new one; the next run with the same sweep
    resumes from the intact chunks (each checked against its SHA-256), removes the
    temporary files the crash left, and writes the same bytes as an uninterrupted run.
    The output is flushed to disk (``fsync``) before and after its final rename, so a
    power loss after the run has returned cannot lose or truncate it; chunk files are not
    flushed, and one damaged by a power loss fails its checksum and is recomputed.
    """
    workers = _check_workers(workers)
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise InputError("--chunk-size", chunk_size, "an integer >= 1")
    if scheduler is not None:
        check_scheduler(scheduler)
    p = check_output(out)
    if not os.path.lexists(parts_folder(p)) and holds_sweep(p, spec):
        log(f"{p} already holds this sweep's {spec.n_points} points: nothing to do")
        return SweepReport(p, spec.n_points, spec.n_points, 0, None)
    store = _Store(spec, p, log)
    store.open()  # refuses a folder not ours, a live lock, another sweep's manifest
    try:
        if holds_sweep(p, spec):  # published by a run killed while removing its chunks
            store.remove()
            log(f"{p} already holds this sweep's {spec.n_points} points: nothing to do")
            return SweepReport(p, spec.n_points, spec.n_points, 0, None)
        with _executor(workers, client, scheduler, spec) as (ex, par):
            store.prepare(chunk_size or default_chunk_size(spec.n_points, par))
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

                try:
                    _run_chunks(spec, todo, ex, par, finished)
                except cf.process.BrokenProcessPool:
                    raise _lost_worker(ex, store.folder) from None
            finally:
                if bar:
                    bar.close()
        write_sweep_chunks(store.rows(), spec, p, durable=True)
        _fault_point("published")
        store.remove()
    finally:
        store.close()
    return SweepReport(p, spec.n_points, skipped, len(todo), est)


def holds_sweep(path: str | Path, spec: SweepSpec) -> bool:
    """Whether ``path`` is a complete, intact output of this very sweep. A ``.json`` output
    ends with the SHA-256 of its bytes (``file_sha256``), checked in full with the head
    (provenance: fingerprint, version); a ``.nc`` output must open (HDF5 detects a
    truncated file), carry the sweep's fingerprint and version, and hold no unwritten
    value. A ``.csv`` has no room for either and is always recomputed."""
    p = Path(path)
    if not p.is_file() or p.is_symlink():
        return False
    try:
        if p.suffix == ".nc":
            return _nc_complete(p, spec)
        if p.suffix == ".json":
            return _json_complete(p, spec)
    except Exception:  # not ours, unreadable, truncated: compute anew
        return False
    return False


def _json_complete(p: Path, spec: SweepSpec) -> bool:
    head = _json_head(spec).encode()
    with p.open("rb") as f:
        if f.read(len(head)) != head:
            return False
        size = os.fstat(f.fileno()).st_size
        end = size - len(_json_trailer("0" * 64))
        if end < len(head) + 2:
            return False
        h = hashlib.sha256(head)
        left = end - len(head)
        while left > 0:
            block = f.read(min(left, 1 << 20))
            if not block:
                return False
            h.update(block)
            left -= len(block)
        return f.read() == _json_trailer(h.hexdigest()).encode()


def _nc_complete(p: Path, spec: SweepSpec) -> bool:
    import h5netcdf
    import numpy as np

    with h5netcdf.File(p, "r") as f:
        attrs = provenance(spec)
        if any(f.attrs.get(k) != attrs[k] for k in ("sweep_sha256", "spinpair_version")):
            return False
        names = ("population",) if spec.compute == "dynamics" else ("P0", "P1", "P2")
        for name in names:
            var = f.variables[name]
            first = var.shape[0] if var.ndim > 1 and var.shape else 1
            for i in range(first):
                block = np.asarray(var[i] if var.ndim > 1 else var[...])
                if np.isnan(block).any():
                    return False
    return True


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


def _json_head(spec: SweepSpec) -> str:
    """The start of a ``.json`` output, up to its ``"points": [`` (a function of the
    sweep alone)."""
    head = {"provenance": provenance(spec), "axes": list(spec.axes), "compute": spec.compute}
    return json.dumps(head)[:-1] + ', "points": ['


def _json_trailer(digest: str) -> str:
    """The end of a ``.json`` output: the SHA-256 of every byte before it."""
    return f', "file_sha256": "{digest}"}}\n'


def _write_json(chunks: Iterator[tuple[int, list[dict[str, Any]]]], spec: SweepSpec, f) -> None:
    """One JSON object: provenance, axes, compute, the points, and ``file_sha256`` (the
    SHA-256 of the bytes before that key, so that a truncated or edited file is known)."""
    h = hashlib.sha256()

    def put(text: str) -> None:
        data = text.encode("utf-8")
        h.update(data)
        f.write(data)

    put(_json_head(spec))
    sep = ""
    for _, rows in chunks:
        for r in rows:
            put(sep + json.dumps(r, allow_nan=False))
            sep = ", "
    put("]")
    f.write(_json_trailer(h.hexdigest()).encode())


def _coord_values(values: Sequence[Any]) -> tuple[Any, str]:
    """Axis values as an array for a NetCDF coordinate, and a note on their type."""
    import numpy as np

    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        if all(isinstance(v, int) for v in values):
            return np.asarray(values, dtype=np.int64), "number"
        return np.asarray(values, dtype=np.float64), "number"
    return np.asarray([str(v) for v in values], dtype=object), "text"


def _aligned(
    chunks: Iterator[tuple[int, list[dict[str, Any]]]], shape: tuple[int, ...], width: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Regroup (start, rows) chunks into blocks that each fill one HDF5 chunk of a NetCDF
    variable (``width`` points along the last axis, within one row of it), so that every
    HDF5 chunk is written once, in order: the file's bytes then do not depend on how the
    sweep cut its rows into chunks. At most ``width`` rows are held."""
    if not shape:
        yield from chunks
        return
    last = shape[-1]
    block: list[dict[str, Any]] = []
    first = 0
    key: tuple[int, int] | None = None
    for start, rows in chunks:
        for i, row in enumerate(rows):
            index = start + i
            k = (index // last, (index % last) // width)
            if block and k != key:
                yield first, block
                block = []
            if not block:
                first = index
            key = k
            block.append(row)
    if block:
        yield first, block


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

        for start, rows in _aligned(chunks, shape, chunking[-2] if axes else 1):
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
    chunks: Iterator[tuple[int, list[dict[str, Any]]]],
    spec: SweepSpec,
    path: str | Path,
    *,
    durable: bool = False,
) -> None:
    """Write (first index, rows) chunks in grid order to ``path`` atomically, one chunk in
    memory at a time: ``.csv`` (long table), ``.json`` (provenance and one object per
    point) or ``.nc`` (xarray Dataset, NetCDF-4). The bytes depend on the rows alone, not
    on how they are cut into chunks. ``durable``: flushed to disk (``fsync``) before and
    after the rename."""
    p = Path(path)
    if p.suffix == ".csv":

        def writer(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as f:
                _write_csv(chunks, spec, f)
    elif p.suffix == ".json":

        def writer(tmp: Path) -> None:
            with tmp.open("wb") as f:
                _write_json(chunks, spec, f)
    elif p.suffix == ".nc":

        def writer(tmp: Path) -> None:
            _write_nc(chunks, spec, tmp)
    else:
        raise InputError("--out", str(path), "a file name ending in .csv, .json or .nc")
    atomic_write(p, writer, durable=durable)


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
    "SCHEMA_VERSION",
    "LocalPool",
    "SizeEstimate",
    "SweepReport",
    "SweepSpec",
    "WorkerLost",
    "check_output",
    "check_scheduler",
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
