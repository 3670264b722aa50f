"""Stopping worker processes at once: the one place that ends a
:class:`concurrent.futures.ProcessPoolExecutor` on an interrupt (sweeps, ``reproduce``).

``ProcessPoolExecutor.shutdown`` waits for the tasks already running; after Ctrl-C or
SIGTERM a user expects the workers gone now, so :func:`terminate_pool` cancels what is
pending, terminates the workers and joins them. :func:`stop_forkserver` ends
multiprocessing's forkserver, which CPython otherwise keeps (unreaped) until exit.
:func:`guard_descendants` makes sure no process a block starts outlives this one, even
after ``kill -9``.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
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


#: The watchdog of :func:`guard_descendants`: a separate Python process (``-I -S``: no
#: site, no spinpair) that records, every 0.2 s, the processes descended from the guarded
#: one (pid and start time, from ``/proc``) and that started after the watchdog, and kills
#: them (SIGKILL) if the guarded process ends without saying so first (``kill -9``). It
#: ignores SIGINT (Ctrl-C reaches the whole process group: the guarded process stops its
#: own workers then and disarms the watchdog).
_GUARD = r"""
import os, select, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
main, me = int(sys.argv[1]), os.getpid()

def table():
    out = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/" + d + "/stat", "rb") as f:
                    data = f.read()
            except OSError:
                continue
            rest = data[data.rindex(b")") + 2:].split()
            out[int(d)] = (int(rest[1]), rest[19])
    return out

def below(t, roots):
    kids = {}
    for pid, (ppid, _) in t.items():
        kids.setdefault(ppid, []).append(pid)
    seen, todo = set(), list(roots)
    while todo:
        for c in kids.get(todo.pop(), ()):
            if c not in seen and c != me:
                seen.add(c)
                todo.append(c)
    return seen

t = table()
before = {(p, t[p][1]) for p in below(t, [main])}
known = {}
os.write(1, b"r")
while True:
    r, _, _ = select.select([0], [], [], 0.2)
    if r:
        b = os.read(0, 1)
        if b == b"d":
            sys.exit(0)
        if not b:
            break
    t = table()
    for p in below(t, [main]):
        if (p, t[p][1]) not in before:
            known[p] = t[p][1]
t = table()
for p in below(t, list(known)):
    if (p, t[p][1]) not in before:
        known.setdefault(p, t[p][1])
for p, start in known.items():
    if p in t and t[p][1] == start:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
"""


@contextlib.contextmanager
def guard_descendants() -> Iterator[None]:
    """While the block runs, no process this one starts (directly or not: a forkserver
    and the workers it forks) outlives it, even if it is killed with SIGKILL and runs no
    cleanup: a small watchdog process (:data:`_GUARD`) then kills them. On any normal
    exit of the block, also by an exception, the watchdog is told so and ends without
    touching anything (the block's own cleanup stops its workers). Processes that
    existed before the block are never touched. Linux only (``/proc``); elsewhere a
    no-op. Used by ``spinpair reproduce``, whose figure-saving workers are forked by
    multiprocessing's forkserver, which outlives a killed parent otherwise.
    """
    import subprocess
    import sys

    if not os.path.isdir("/proc/self") or not sys.executable:
        yield
        return
    try:
        guard = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _GUARD, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
        )
    except OSError:  # pragma: no cover - cannot start a process: no guard
        yield
        return
    try:
        assert guard.stdout is not None
        guard.stdout.read(1)  # ready: it has seen which processes existed before
        yield
    finally:
        with contextlib.suppress(OSError, ValueError):
            assert guard.stdin is not None
            guard.stdin.write(b"d")
            guard.stdin.close()
        with contextlib.suppress(Exception):
            guard.wait(timeout=5)
        if guard.poll() is None:  # pragma: no cover - it should have ended at once
            guard.kill()
            guard.wait()
        if guard.stdout is not None:
            guard.stdout.close()
