"""``spinpair sweep FILE.toml [--workers N | --scheduler ADDRESS] --out FILE``."""

from __future__ import annotations

import argparse
import sys

from .errors import InputError


def cmd_sweep(a: argparse.Namespace) -> int:
    """Validate the sweep file, run every grid point, write the results atomically."""
    from .cli import note_placeholders
    from .sweep import SweepSpec, run_sweep, write_sweep

    if not (a.out.endswith(".json") or a.out.endswith(".csv")):
        raise InputError("--out", a.out, "a .json or .csv file name")
    spec = SweepSpec.from_toml(a.file)
    grid = [spec.params_at(point) for point in spec.points()]
    note_placeholders(None, *((q, spec.settings.get("model") or q.collisions.model) for q in grid))
    rows = run_sweep(spec, workers=a.workers, scheduler=a.scheduler)
    write_sweep(rows, spec, a.out)
    print(f"wrote {len(rows)} grid points to {a.out}", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair sweep`` to the ``spinpair`` parser."""
    sp = sub.add_parser("sweep", help="a parameter sweep, locally or on a Dask cluster")
    sp.add_argument("file", help="sweep file (TOML): params, compute, settings, [axes]")
    g = sp.add_mutually_exclusive_group()
    g.add_argument("--workers", type=int, default=1, help="local worker processes")
    g.add_argument("--scheduler", default=None, help="Dask scheduler address")
    sp.add_argument("--out", required=True, help="results file (.json or .csv)")
    sp.set_defaults(func=cmd_sweep)
