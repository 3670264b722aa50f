"""Stopping worker processes at once: the one place that ends a
:class:`concurrent.futures.ProcessPoolExecutor` on an interrupt (sweeps, ``reproduce``).

``ProcessPoolExecutor.shutdown`` waits for the tasks already running; after Ctrl-C or
SIGTERM a user expects the workers gone now, so :func:`terminate_pool` cancels what is
pending, terminates the workers and joins them. :func:`stop_forkserver` ends
multiprocessing's forkserver, which CPython otherwise keeps (unreaped) until exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def pool_processes(executor: ProcessPoolExecutor | None) -> list[Any]:
    """The worker processes (``multiprocessing.Process``) of ``executor`` now."""
    return list((getattr(executor, "_processes", None) or {}).values()) if executor else []


def terminate_pool(executor: ProcessPoolExecutor | None) -> None:
    """Cancel pending work, terminate every worker (SIGTERM, then SIGKILL after 5 s) and
    join it; then shut the executor down."""
    if executor is None:
        return
    procs = pool_processes(executor)
    executor.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
    with contextlib.suppress(Exception):
        executor.shutdown(wait=True)


def kill_forkserver() -> None:
    """Kill multiprocessing's forkserver at once (SIGKILL), even while it is still
    importing its preload modules; a process waiting for a new worker then gets an
    error instead of waiting. :func:`stop_forkserver` reaps it."""
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def stop_forkserver() -> None:
    """Stop multiprocessing's forkserver and reap it; call it once its pool is shut down.
    The forkserver only forks workers and owns nothing to clean up, so it is killed
    (:func:`kill_forkserver`) rather than asked to exit: a clean exit tears down its
    interpreter, 0.3 s with matplotlib loaded, which ``reproduce`` would wait for. Uses the
    forkserver's ``_stop`` (CPython ≥ 3.8) to reap it; where that is missing, nothing
    happens. A later ``forkserver`` pool starts a new one."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if server is None or not callable(stop):  # pragma: no cover - another Python
        return
    kill_forkserver()
    try:
        stop()
    except (OSError, ChildProcessError):  # already gone or reaped
        server._forkserver_pid = None
        server._forkserver_alive_fd = None
