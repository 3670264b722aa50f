"""``spinpair sweep FILE.toml [--workers N | --scheduler ADDRESS] --out FILE [--yes]``.

SIGINT and SIGTERM during a sweep: the workers are stopped, temporary files removed, the
finished chunks kept in ``OUT.parts/`` for a resume, one line printed on stderr, exit status
130 / 143. A local worker process that dies (killed by someone, out of memory): the other
workers are stopped, the finished chunks kept, one line on stderr saying so, exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator

from ..errors import InputError


class SweepInterrupted(BaseException):
    """Raised by the sweep's signal handlers (BaseException: no ``except Exception`` eats it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise :class:`SweepInterrupted`."""

    def handler(signum: int, frame: object) -> None:
        # ignore a second signal while the first is being handled (cleanup must finish)
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        raise SweepInterrupted(signum)

    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def cmd_sweep(a: argparse.Namespace) -> int:
    """Validate the sweep file, check the size, run the grid in chunks, write atomically."""
    from .._extras import require

    # optional extras first, before the sweep module (and its own imports) load: a missing
    # package is bad input naming the pip extra (exit 2), never an internal error later
    if str(a.out).endswith(".nc"):
        require("netcdf", "--out")
    if a.scheduler is not None:
        require("dask", "--scheduler")
    from ..sweep import (
        SweepSpec,
        WorkerLost,
        _check_workers,
        check_output,
        check_scheduler,
        parts_folder,
        sweep_to_file,
    )
    from .common import emit, note_placeholders

    if a.workers is not None:
        _check_workers(a.workers)
    if a.scheduler is not None:
        check_scheduler(a.scheduler)
    if a.chunk_size is not None and a.chunk_size < 1:
        raise InputError("--chunk-size", a.chunk_size, "an integer >= 1")
    check_output(a.out)  # before reading or computing anything
    spec = SweepSpec.from_toml(a.file)
    try:
        with _signals_raise():
            rep = sweep_to_file(
                spec,
                a.out,
                workers=a.workers or 1,
                scheduler=a.scheduler,
                yes=a.yes,
                chunk_size=a.chunk_size,
            )
    except SweepInterrupted as e:
        name = signal.Signals(e.signum).name
        print(
            f"spinpair: sweep interrupted by {name}: workers stopped, finished chunks kept in "
            f"{parts_folder(a.out)}; run the same command again to resume",
            file=sys.stderr,
        )
        return 128 + e.signum
    except WorkerLost as e:  # not a bug, not bad input: said in one line, exit 2
        print(f"spinpair: sweep: {e}", file=sys.stderr)
        return 2
    first = spec.params_at(spec.point(0))  # said after the run: an error keeps its one line
    summary: dict = {
        "out": str(a.out),
        "points": rep.points,
        "skipped": rep.skipped,
        "computed_chunks": rep.computed_chunks,
    }
    note_placeholders(summary, (first, spec.settings.get("model") or first.collisions.model))
    print(f"spinpair: sweep: wrote {rep.points} grid points to {a.out}", file=sys.stderr)
    if a.json:
        emit(summary)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair sweep`` to the ``spinpair`` parser."""
    sp = sub.add_parser(
        "sweep",
        help="a parameter sweep, locally or on a Dask cluster",
        description=(
            "Run a parameter grid. Results stream to OUT.parts/ chunk by chunk; re-running "
            "the same sweep file with the same --out resumes. Grids over 1e5 points or an "
            "estimated hour need --yes; grids over 1e7 points are refused."
        ),
    )
    sp.add_argument("file", help="sweep file (TOML): params, compute, settings, [axes]")
    g = sp.add_mutually_exclusive_group()
    g.add_argument(
        "--workers",
        type=int,
        default=None,
        help="local worker processes (1 to twice the CPUs this process may use; default 1)",
    )
    g.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address (tcp://HOST:PORT or tls://HOST:PORT)",
    )
    sp.add_argument("--out", required=True, help="results file (.csv, .json or .nc)")
    sp.add_argument(
        "--json",
        action="store_true",
        help="also print a JSON summary on stdout (out, points, skipped, computed_chunks)",
    )
    sp.add_argument("--yes", action="store_true", help="run grids over the size or time limit")
    sp.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="grid points per chunk file (default: about 8 chunks per worker, at most 256)",
    )
    sp.set_defaults(func=cmd_sweep)
