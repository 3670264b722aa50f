"""BLAS thread caps for small-matrix code (threadpoolctl).

numpy and scipy each load OpenBLAS with one thread per core. spinpair's hot loops work on
batches of tiny matrices (3×3 spin blocks, 49×49 level-space states), where a second BLAS
thread buys nothing and, when the cores are busy with other work, costs a lot: the threads
spin-wait for each other (measured 3–11× slower under load; ``benchmarks/RESULTS.md``).
The cap is the option ``blas_threads`` (:func:`spinpair.set_options`, default 1; None: no
cap).

* The command line and every worker process cap their BLAS once, at start
  (:func:`cap_process`): the libraries loaded so far through threadpoolctl, those loaded
  later (scipy's) through the thread variables they read when they load.
* In a Python session the engine and sequence entry points cap each call
  (:func:`single_thread`); the one product that is large enough to gain (the secular
  engine's phase-table product) asks for the process default back (:func:`blas_threads`
  with ``None``). The caps nest: an inner cap equal to the current one costs nothing.

OpenBLAS's thread count is process-wide, so the current cap is too: it is kept under a
lock, and a thread that changes it changes it for every thread (a speed setting; results
never depend on it).

Examples
--------
>>> with blas_threads(1):
...     current_limit()
1
>>> current_limit() is None
True
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ._options import get_options

F = TypeVar("F", bound=Callable[..., Any])

#: The thread variables BLAS and OpenMP libraries read when they load.
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

_LOCK = threading.RLock()
#: controller: threadpoolctl's; key: the number of imported modules when it was made (any
#: import may load a BLAS or OpenMP library: scipy.linalg's OpenBLAS, finufft's OpenMP);
#: limit: the current cap (None: the default); default: the libraries' own thread
#: count; process: the cap of :func:`cap_process` (None: none).
_state: dict[str, Any] = {
    "controller": None,
    "limit": None,
    "default": None,
    "key": None,
    "process": None,
    "libs": [],
    "libs_of": None,
}


def _key() -> int:
    """What says that a library may have been loaded since the controller was made."""
    return len(sys.modules)


def _controller() -> Any:
    """The threadpoolctl controller of the BLAS libraries loaded so far (numpy's, and
    scipy's once ``scipy.linalg`` is imported); rebuilt when a module has been imported
    since (any import may load a library: the count of ``sys.modules`` is the key, cheap to
    read at every call and constant once a session has warmed up). Importing scipy.linalg
    only to cap it would cost ~0.3 s for numpy-only callers."""
    key = _key()
    with _LOCK:
        if _state["controller"] is None or _state["key"] != key:
            import numpy  # noqa: F401
            from threadpoolctl import ThreadpoolController

            ctrl = ThreadpoolController()
            blas = [lib.num_threads for lib in ctrl.lib_controllers if lib.user_api == "blas"]
            if _state["default"] is None:
                _state["default"] = max(blas, default=1)
            _state["controller"], _state["key"] = ctrl, key
        return _state["controller"]


def current_limit() -> int | None:
    """The BLAS thread cap set by this module (None: the process default)."""
    with _LOCK:
        return _state["limit"]


def cap_process(n: int | None = None) -> int | None:
    """Cap this process's BLAS threads at ``n`` (default: the option ``blas_threads``) for
    the rest of its life: the libraries loaded so far now (threadpoolctl), those loaded
    later by the thread variables (:data:`BLAS_ENV`, set for this process and the
    processes it starts). Called once by the command line at start and by every worker
    process. None (the option's None): nothing is capped. Returns the cap."""
    if n is None:
        n = get_options()["blas_threads"]
    if n is None:
        return None
    n = int(n)
    with _LOCK:
        os.environ.update(dict.fromkeys(BLAS_ENV, str(n)))
        _controller().limit(limits=n, user_api="blas")
        _state["limit"] = _state["process"] = n
    return n


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Run the block with at most ``n`` BLAS threads; ``n=None`` restores the process
    default inside an outer cap (for a product large enough to gain from threads)."""
    with _LOCK:
        fresh = _state["key"] == _key()
        same = n == _state["limit"] and (fresh or n == _state["process"])
    if same:
        yield  # already capped, and no BLAS library loaded since the cap was set
        return
    libs = _blas_libraries()
    with _LOCK:
        previous = _state["limit"]
        limit = _state["default"] if n is None else int(n)
        # set only the pools not already at the limit, and restore exactly those (what
        # threadpoolctl's ``limit`` does, without its per-call info dictionaries: a cap
        # costs ~2 µs instead of ~20 µs, paid at every engine call in a session)
        before = [lib.num_threads for lib in libs]
        changed = [(lib, b) for lib, b in zip(libs, before, strict=True) if b != limit]
        for lib, _ in changed:
            lib.set_num_threads(limit)
        _state["limit"] = n
    try:
        yield
    finally:
        with _LOCK:
            for lib, b in changed:
                lib.set_num_threads(b)
            _state["limit"] = previous


def _blas_libraries() -> list[Any]:
    """The BLAS library controllers of :func:`_controller` (rebuilt with it)."""
    ctrl = _controller()
    with _LOCK:
        if _state.get("libs_of") is not ctrl:
            _state["libs"] = [lib for lib in ctrl.lib_controllers if lib.user_api == "blas"]
            _state["libs_of"] = ctrl
        return list(_state["libs"])


def single_thread(func: F) -> F:
    """Decorator: run ``func`` with the option ``blas_threads`` as BLAS cap (default 1;
    with None, uncapped). Small-matrix code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        n = get_options()["blas_threads"]
        if n is None:
            return func(*args, **kwargs)
        with blas_threads(n):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


__all__ = ["BLAS_ENV", "blas_threads", "cap_process", "current_limit", "single_thread"]
