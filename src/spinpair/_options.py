"""spinpair's run-time options: :func:`set_options` (also a context manager) and
:func:`get_options`.

Options change how fast or how loudly spinpair works, never a result:

``blas_threads`` (int ≥ 1, or None; default 1)
    BLAS threads for spinpair's small-matrix numerics (3×3 spin blocks, 49×49 level-space
    states), where a second thread buys nothing and, on busy cores, costs 3–11×
    (``benchmarks/RESULTS.md``). None: no cap, the libraries' own default. The command
    line and every worker process (sweeps, ``reproduce``) cap their BLAS to this once, at
    start (:func:`spinpair._threads.cap_process`); in a Python session the engine's entry
    points cap each call (:func:`spinpair._threads.single_thread`).
``workers`` (int ≥ 0, or None; default None)
    Processes that draw and save the figures of :func:`spinpair.report.reproduce` (and
    compute part of its data) while the data are computed. None: one CPU fewer than this
    process may use, at most 2, while the load average leaves a CPU free, else none; 0:
    everything in this process. The files are the same either way.
``debug`` (bool; default False)
    On an internal error, the command line also prints the Python traceback. The
    environment variable ``SPINPAIR_DEBUG`` (any non-empty value) sets it at start, the
    command line's way to ask for it (``docs/errors.md``).

The options are process-wide (a lock guards them; a thread that changes them changes them
for every thread). Invalid names or values raise :class:`spinpair.errors.InputError`
naming the option and what it allows, and change nothing.

Examples
--------
>>> get_options()["blas_threads"]
1
>>> with set_options(blas_threads=2, workers=0):
...     get_options()["workers"]
0
>>> get_options()["workers"] is None
True
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from .errors import InputError

#: The current options (read them with :func:`get_options`).
OPTIONS: dict[str, Any] = {
    "blas_threads": 1,
    "workers": None,
    "debug": bool(os.environ.get("SPINPAIR_DEBUG")),
}

_LOCK = threading.RLock()


def _count(minimum: int) -> Callable[[str, Any], Any]:
    def check(name: str, v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
            raise InputError(name, v, f"an integer ≥ {minimum} or None")
        return int(v)

    return check


def _flag(name: str, v: Any) -> Any:
    if not isinstance(v, bool):
        raise InputError(name, v, "True or False")
    return v


_VALIDATORS: dict[str, Callable[[str, Any], Any]] = {
    "blas_threads": _count(1),
    "workers": _count(0),
    "debug": _flag,
}


def get_options() -> dict[str, Any]:
    """A copy of the current options (see :mod:`spinpair._options` for their meaning)."""
    with _LOCK:
        return dict(OPTIONS)


class set_options:
    """Set spinpair's options, for the rest of the session or, used as a context manager,
    for a block (the previous values come back at its end, also after an exception).

    Options: ``blas_threads`` (int ≥ 1 or None; BLAS threads of the small-matrix
    numerics, default 1), ``workers`` (int ≥ 0 or None; figure-saving processes of
    ``reproduce``, default None: automatic), ``debug`` (bool; tracebacks of internal
    errors on the command line). Bad names or values raise
    :class:`~spinpair.errors.InputError` and change nothing.

    Examples
    --------
    >>> import spinpair
    >>> with spinpair.set_options(workers=0):
    ...     spinpair.get_options()["workers"]
    0
    """

    def __init__(self, **options: Any) -> None:
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise InputError(
                "set_options",
                ", ".join(unknown),
                f"the options {', '.join(sorted(OPTIONS))}",
            )
        new = {k: _VALIDATORS[k](k, v) for k, v in options.items()}
        with _LOCK:
            self._previous = {k: OPTIONS[k] for k in new}
            OPTIONS.update(new)

    def __enter__(self) -> set_options:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with _LOCK:
            OPTIONS.update(self._previous)


__all__ = ["OPTIONS", "get_options", "set_options"]
