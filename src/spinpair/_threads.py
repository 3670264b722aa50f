"""BLAS thread caps for small-matrix code (threadpoolctl).

numpy and scipy each load OpenBLAS with one thread per core. spinpair's hot loops work on
batches of tiny matrices (3×3 spin blocks, 49×49 level-space states), where a second BLAS
thread buys nothing and, when the cores are busy with other work, costs a lot: the threads
spin-wait for each other (measured 3–11× slower under load; ``benchmarks/RESULTS.md``).
So the engine and sequence entry points run with one BLAS thread (:func:`single_thread`),
and only the one product that is large enough to gain (the secular engine's phase-table
product) asks for the process default back (:func:`blas_threads` with ``None``).

The caps nest: an inner cap equal to the current one costs nothing, so decorated functions
may call each other freely (unless scipy's BLAS was loaded inside the outer cap: then the
inner one sets it too). Set ``SPINPAIR_BLAS_THREADS=0`` to turn the caps off (every
call then runs with the process default, for example to measure them).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: OpenBLAS's thread count is process-wide, so the current cap is module state (not
#: per Python thread); the caps are a speed setting and never change results.
_state: dict[str, Any] = {"controller": None, "limit": None, "default": None, "key": None}


def _enabled() -> bool:
    return os.environ.get("SPINPAIR_BLAS_THREADS", "1").strip() != "0"


def _controller():
    """The threadpoolctl controller of the BLAS libraries loaded so far (numpy's, and
    scipy's once ``scipy.linalg`` is imported); rebuilt when scipy's has been loaded since.
    Importing scipy.linalg only to cap it would cost ~0.3 s for numpy-only callers."""
    key = "scipy.linalg" in sys.modules
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
    return _state["limit"]


@contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Run the block with at most ``n`` BLAS threads; ``n=None`` restores the process
    default inside an outer cap (for a product large enough to gain from threads)."""
    fresh = _state["key"] == ("scipy.linalg" in sys.modules)
    if not _enabled() or (n == _state["limit"] and fresh):
        yield  # already capped, and no BLAS library loaded since the cap was set
        return
    ctrl = _controller()
    previous = _state["limit"]
    with ctrl.limit(limits=_state["default"] if n is None else int(n), user_api="blas"):
        _state["limit"] = n
        try:
            yield
        finally:
            _state["limit"] = previous


def single_thread(func: F) -> F:
    """Decorator: run ``func`` with one BLAS thread (small-matrix code)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with blas_threads(1):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


__all__ = ["blas_threads", "current_limit", "single_thread"]
