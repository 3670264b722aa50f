"""Where a sweep's chunks run: in this process, on local worker processes
(:class:`LocalPool`), or on a Dask cluster, all behind one :func:`map_chunks`.

:func:`open_executor` picks and starts the executor (and stops it on every exit);
:func:`map_chunks` evaluates chunks on it with at most ``2 × parallelism`` in flight
(bounded memory) and hands each chunk's rows back in this process as it finishes. The rows
of a chunk do not depend on where it ran.

Local workers are spawned by :class:`concurrent.futures.ProcessPoolExecutor` ('spawn'
context) through its public interface only: the pool's ``initializer`` caps BLAS threads
in each worker (threadpoolctl) and ties the worker's life to this process; this process's
own environment is never edited. The worker processes are known because the
multiprocessing context given to the pool records each process it creates.

Examples
--------
>>> from spinpair.sweep import SweepSpec
>>> spec = SweepSpec.from_toml_string('compute = "raman"\\narea = [0.0]\\n[axes]\\n'
...     '"imperfections.p_loss" = [0.0, 0.1, 0.2]')
>>> got = {}
>>> with open_executor(1) as ex:
...     ex.map_chunks(spec, [(0, 0, 2), (1, 2, 3)], lambda k, rows: got.update({k: rows}))
>>> [len(got[0]), len(got[1])]
[2, 1]
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .._pool import pool_processes, process_pool, terminate_pool
from ..errors import InputError
from . import evaluate as _evaluate
from .cluster import client_threads, dask_client
from .spec import SweepSpec

#: Environment variables that set the thread count of BLAS/OpenMP libraries; each local
#: worker sets them to 1 in its own environment (for anything it starts) as it starts.
BLAS_ENV = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)

#: What :func:`map_chunks` calls in this process as each chunk finishes: (index, rows).
ChunkDone = Callable[[int, list[dict[str, Any]]], None]


class WorkerLost(Exception):
    """A local worker process died while the sweep ran (killed, or out of memory): not a
    bug of the sweep and not bad input. The finished chunks are kept; running the same
    sweep again resumes. The command line reports it in one line with exit status 2."""


# --------------------------------------------------------------------------- in a worker


def _exit_with_parent(main_pid: int, deathsig: bool) -> None:
    """Make this worker end when ``main_pid``, its parent, ends, however it ends
    (:func:`spinpair._pool.exit_with_parent`)."""
    from .._pool import exit_with_parent

    exit_with_parent(main_pid, deathsig)


def _init_local_worker(main_pid: int | None = None, deathsig: bool = False) -> None:
    """Initializer of local worker processes: end with the parent ``main_pid``
    (:func:`_exit_with_parent`), one BLAS thread for the life of the worker (threadpoolctl,
    and :data:`BLAS_ENV` in the worker's own environment); SIGINT is the parent's job."""
    if main_pid is not None:
        _exit_with_parent(main_pid, deathsig)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(dict.fromkeys(BLAS_ENV, "1"))  # this worker's environment only
    with contextlib.suppress(ImportError):
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)  # every BLAS/OpenMP library loaded so far


def _start_worker(preload: Sequence[str] = (), warm_up: SweepSpec | None = None) -> int:
    """First task of every local worker: import ``preload`` (the modules the sweep's points
    need), compute the first grid point of ``warm_up`` and drop it (the imports and caches a
    point needs beyond its module: the model's own module, parts of scipy), and return the
    worker's pid. An error in the warm-up point is left for its chunk to report."""
    import importlib

    for name in preload:
        importlib.import_module(name)
    if warm_up is not None:
        with contextlib.suppress(Exception), _evaluate.one_blas_thread():
            _evaluate.evaluate_point(warm_up, warm_up.point(0))
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


# --------------------------------------------------------------------------- local pool


def stop_processes(executor: cf.Executor | None, processes: Sequence[Any]) -> None:
    """Cancel the pending work of ``executor``, terminate ``processes`` (SIGTERM, then
    SIGKILL after 5 s) and join them; then shut the executor down. A pool made by
    :func:`spinpair._pool.process_pool` knows its processes: use
    :func:`spinpair._pool.terminate_pool`."""
    from .._pool import terminate_processes

    terminate_processes(executor, processes)


class LocalPool:
    """``workers`` spawned processes with one BLAS thread each, that never outlive the sweep.

    A context manager around :class:`concurrent.futures.ProcessPoolExecutor` ('spawn'
    context). The pool's first tasks, one per worker, import the modules named in
    ``preload`` and compute the first point of ``warm_up`` (should one worker take two of
    them, the other warms up on its first chunk); entering the pool does not wait for them
    (the caller goes on, for example timing a point for the size check, while the workers
    import), :meth:`wait_started` does. On any exit, normal or not (exception,
    KeyboardInterrupt, a signal turned into an exception), pending work is cancelled and
    every worker process is terminated and joined. Should this process die without
    cleaning up (``kill -9``), the workers notice and exit (:func:`_exit_with_parent`): no
    worker outlives it.
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
        # workers are started by this thread (the submits below): the kernel's parent-death
        # signal follows it, so it is set only where this is the main thread
        deathsig = threading.current_thread() is threading.main_thread()
        ex = process_pool(
            self.workers, initializer=_init_local_worker, initargs=(os.getpid(), deathsig)
        )
        self.executor = ex
        try:  # each submit spawns a worker now
            self.started = [
                ex.submit(_start_worker, self.preload, self.warm_up) for _ in range(self.workers)
            ]
        except BaseException:
            self.close()
            raise
        return ex

    def wait_started(self) -> list[int]:
        """Block until every worker has started and imported ``preload``; their pids."""
        return [f.result() for f in self.started]

    def processes(self) -> list[Any]:
        """The worker processes (``multiprocessing.Process`` objects) started so far."""
        return pool_processes(self.executor)

    def close(self) -> None:
        """Cancel pending work, terminate and join every worker."""
        terminate_pool(self.executor)
        self.executor = None

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lost_worker(self) -> WorkerLost:
        """The error for a worker that died: which one and how."""
        how = "ended unexpectedly"
        ended = [
            (p.pid, p.exitcode)
            for p in self.processes()
            if getattr(p, "exitcode", None) not in (None, 0)
        ]
        # the pool ends the survivors of a broken pool with SIGTERM: the one that died
        # first is the one that did not end so (where there is one)
        ended.sort(key=lambda e: e[1] == -signal.SIGTERM)
        if ended:
            pid, code = ended[0]
            how = f"(pid {pid}) exited with status {code}"
            if code < 0:
                with contextlib.suppress(ValueError):
                    how = f"(pid {pid}) was killed by {signal.Signals(-code).name}"
        return WorkerLost(
            f"a worker process {how} (stopped by someone, or out of memory); the other "
            "workers were stopped"
        )


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


# --------------------------------------------------------------------------- one interface


@dataclass
class ChunkExecutor:
    """An open executor: ``executor`` (None: in this process), its ``parallelism`` (worker
    threads or processes) and, for local processes, the ``pool``."""

    executor: cf.Executor | None
    parallelism: int
    pool: LocalPool | None = None

    def map_chunks(
        self, spec: SweepSpec, chunks: Sequence[tuple[int, int, int]], done: ChunkDone
    ) -> None:
        """:func:`map_chunks` on this executor."""
        map_chunks(spec, chunks, done, self.executor, self.parallelism, self.pool)


@contextlib.contextmanager
def open_executor(
    workers: int = 1,
    client: Any = None,
    scheduler: str | None = None,
    warm_up: SweepSpec | None = None,
) -> Iterator[ChunkExecutor]:
    """The executor of a sweep, stopped (pending work cancelled) on every exit: a Dask
    ``client`` (or one connected to ``scheduler``, closed at the end), ``workers`` > 1
    local processes, or this process. ``warm_up``: the sweep whose module and first point
    local workers import and compute as they start (a Dask cluster's workers warm up on
    their first task)."""
    own = dask_client(scheduler) if client is None and scheduler is not None else None
    client = client if own is None else own
    try:
        if client is not None:
            ex = client.get_executor(pure=False)
            try:
                yield ChunkExecutor(ex, client_threads(client))
            finally:
                ex.shutdown(wait=False)  # cancels what is still pending on the cluster
        elif workers == 1:
            yield ChunkExecutor(None, 1)
        else:
            modules = _evaluate.COMPUTE_MODULES
            preload = (modules[warm_up.compute],) if warm_up is not None else ()
            pool = LocalPool(workers, preload, warm_up)
            with pool as ex:
                yield ChunkExecutor(ex, workers, pool)
    finally:
        if own is not None:
            own.close()


def map_chunks(
    spec: SweepSpec,
    chunks: Sequence[tuple[int, int, int]],
    done: ChunkDone,
    executor: cf.Executor | None = None,
    parallelism: int = 1,
    pool: LocalPool | None = None,
) -> None:
    """Evaluate ``chunks`` (index, start, stop) of ``spec``
    (:func:`~spinpair.sweep.evaluate.evaluate_chunk`) on ``executor`` (None: in this
    process, in order) and call ``done(index, rows)`` in this process as each finishes. At
    most ``2 * parallelism`` chunks are in flight (bounded memory); on any exit the chunks
    still pending are cancelled. A local worker that dies (``pool``) raises
    :class:`WorkerLost`."""
    if executor is None:
        for k, a, b in chunks:
            done(k, _evaluate.evaluate_chunk(spec, a, b))
        return
    todo = iter(chunks)
    pending: dict[cf.Future, int] = {}

    def submit(n: int) -> None:
        for k, a, b in itertools.islice(todo, n):
            pending[executor.submit(_evaluate.evaluate_chunk, spec, a, b)] = k

    try:
        submit(2 * max(1, parallelism))
        while pending:
            finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for f in finished:
                k = pending.pop(f)
                done(k, f.result())
                submit(1)
    except cf.process.BrokenProcessPool:
        if pool is None:
            raise
        raise pool.lost_worker() from None
    finally:
        for f in pending:
            f.cancel()


__all__ = [
    "BLAS_ENV",
    "ChunkExecutor",
    "LocalPool",
    "WorkerLost",
    "map_chunks",
    "max_local_workers",
    "open_executor",
    "stop_processes",
]
