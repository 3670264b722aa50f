"""``spinpair reproduce``: every figure and table of the paper, ``report.html`` and
``results.json``, written into a temporary folder and swapped with ``--out`` at the end
(one atomic step on Linux: ``--out`` always names a complete result). No process it starts
outlives it, even after ``kill -9`` (:func:`spinpair._pool.guard_descendants`)."""

from __future__ import annotations

import argparse
import sys
from concurrent.futures.process import BrokenProcessPool

from ..errors import InputError
from .common import add_command, emit, note_placeholders


def cmd_reproduce(a: argparse.Namespace) -> int:
    """Every figure and table, into a temporary folder renamed onto --out at the end."""
    from .._pool import guard_descendants
    from ..fileio import atomic_folder, check_output_folder

    check_output_folder("--out", a.out)
    from ..paper import paper_params
    from ..plots.style import figure_formats
    from ..report import reproduce
    from ..report.build import DEFAULT_FORMATS

    formats = figure_formats(DEFAULT_FORMATS if a.formats is None else a.formats, "--formats")
    if "png" not in formats:  # before any work: the page shows the PNG
        raise InputError("--formats", a.formats, "png or png,pdf (the page shows the PNG)")

    # no worker (nor their forkserver) outlives this process, even after kill -9
    try:
        with guard_descendants(), atomic_folder(a.out) as tmp:
            reproduce(tmp, formats=formats)
    except BrokenProcessPool:  # a figure worker was killed: not a bug, not bad input
        print(
            f"spinpair: reproduce: a figure-saving worker process died (killed by someone, "
            f"or out of memory); {a.out} is as it was before (no partial result); run the "
            "same command again",
            file=sys.stderr,
        )
        return 2
    summary: dict = {
        "out": str(a.out),
        "report": f"{a.out}/report.html",
        "results": f"{a.out}/results.json",
    }
    note_placeholders(summary, (paper_params(), "ergodic"))  # fig. 1b: first-principles models
    print(f"wrote {a.out}/report.html and {a.out}/results.json", file=sys.stderr)
    if a.json:
        emit(summary)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair reproduce`` to the ``spinpair`` parser."""
    sp = add_command(
        sub, "reproduce", "every figure and table of the paper, report.html, results.json"
    )
    sp.add_argument(
        "--out",
        default="results",
        help="output folder (default results/): a new name, an empty folder or a previous "
        "result; its parent folder must exist",
    )
    sp.add_argument(
        "--formats",
        default=None,
        help="figure files, comma-separated: png (default; the page shows it) or png,pdf "
        "(also a vector PDF of each figure, ~3 s more)",
    )
    sp.add_argument(
        "--json",
        action="store_true",
        help="also print a JSON summary on stdout (out, report, results)",
    )
    sp.set_defaults(func=cmd_reproduce)
