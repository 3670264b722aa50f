"""Worker pools that are ours alone, stopped at once on an interrupt, and never outliving
this process (sweeps, ``reproduce``); public multiprocessing API only.

:func:`process_pool` makes a :class:`concurrent.futures.ProcessPoolExecutor` from a
multiprocessing *context* (``spawn`` by default): no process-wide multiprocessing state is
read or changed, so pools that the user or Dask make before, during or after ours are not
touched. Its context records the worker processes it starts (:func:`pool_processes`), so
that :func:`terminate_pool` can end them: ``ProcessPoolExecutor.shutdown`` waits for the
tasks already running, while after Ctrl-C or SIGTERM a user expects the workers gone now.
:func:`exit_with_parent` (in a worker's initializer) and :func:`guard_descendants` (around
a block of the parent) make sure no worker outlives this process, even after ``kill -9``.

Examples
--------
>>> with process_pool(1) as pool:  # doctest: +SKIP
...     pool.submit(abs, -2).result()
2
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


class _RecordingContext:
    """A multiprocessing context that keeps the processes it makes: everything is the
    wrapped context's (:func:`multiprocessing.get_context`), except that each
    ``Process(...)`` it returns is also appended to :attr:`processes`."""

    def __init__(self, ctx: Any) -> None:
        self._ctx = ctx
        self.processes: list[Any] = []
        self._lock = threading.Lock()

    def Process(self, *args: Any, **kwargs: Any) -> Any:
        proc = self._ctx.Process(*args, **kwargs)
        with self._lock:
            self.processes.append(proc)
        return proc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


#: The recording context of each pool made by :func:`process_pool`.
_CONTEXTS: weakref.WeakKeyDictionary[ProcessPoolExecutor, _RecordingContext] = (
    weakref.WeakKeyDictionary()
)


def process_pool(
    workers: int,
    *,
    method: str = "spawn",
    initializer: Callable[..., Any] | None = None,
    initargs: Sequence[Any] = (),
) -> ProcessPoolExecutor:
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of ``workers`` processes started
    by the multiprocessing start ``method`` ('spawn': a fresh interpreter per worker, no
    state shared with this process or its other pools), each running
    ``initializer(*initargs)`` first. Its processes are listed by :func:`pool_processes`.
    Raises what the executor raises where no pool can be made (OSError without POSIX
    semaphores, ValueError for an unknown method)."""
    import concurrent.futures
    import multiprocessing

    ctx = _RecordingContext(multiprocessing.get_context(method))
    pool: Any = concurrent.futures.ProcessPoolExecutor  # typed: the context is duck-typed
    ex: ProcessPoolExecutor = pool(
        max_workers=int(workers),
        mp_context=ctx,
        initializer=initializer,
        initargs=tuple(initargs),
    )
    _CONTEXTS[ex] = ctx
    return ex


def pool_processes(executor: ProcessPoolExecutor | None) -> list[Any]:
    """The worker processes (``multiprocessing.Process``, also the ended ones, with their
    ``exitcode``) that ``executor`` has started; [] for a pool not made by
    :func:`process_pool`."""
    ctx = _CONTEXTS.get(executor) if executor is not None else None
    if ctx is None:
        return []
    with ctx._lock:
        return list(ctx.processes)


def terminate_pool(executor: ProcessPoolExecutor | None) -> None:
    """Cancel pending work, terminate every worker (SIGTERM, then SIGKILL after 5 s) and
    join it; then shut the executor down."""
    terminate_processes(executor, pool_processes(executor))


def terminate_processes(executor: Any, processes: Sequence[Any]) -> None:
    """Cancel the pending work of ``executor``, terminate ``processes`` (SIGTERM, then
    SIGKILL after 5 s) and join them; then shut the executor down."""
    if executor is None:
        return
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        with contextlib.suppress(Exception):
            p.terminate()
    for p in processes:
        with contextlib.suppress(Exception):
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
    with contextlib.suppress(Exception):
        executor.shutdown(wait=True)


#: How often (s) a worker checks that the process that started it is still alive.
PARENT_POLL_SECONDS = 0.5


def exit_with_parent(parent_pid: int, deathsig: bool = True) -> None:
    """Make this (worker) process end when ``parent_pid``, its parent, ends, however it
    ends (also ``kill -9``, which runs no cleanup in the parent): on Linux the kernel sends
    SIGKILL at once (``prctl(PR_SET_PDEATHSIG)``, only with ``deathsig``: the signal
    follows the parent's thread that started the worker, so pass True only where that is
    the parent's main thread), and everywhere a daemon thread checks every
    :data:`PARENT_POLL_SECONDS` that the parent is still this process's parent."""
    if deathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the parent died before the signal was set
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="spinpair-parent-watch", daemon=True).start()


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
    no-op. Used by ``spinpair reproduce`` around its figure-saving workers (which also
    end with their parent on their own, :func:`exit_with_parent`) and whatever else the
    block starts.
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
