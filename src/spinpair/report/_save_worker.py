"""The figure-saving worker processes of :func:`spinpair.report.build.reproduce`: their
initializer (:func:`init_worker`) and their task (:func:`draw_and_save`).

Each worker is a fresh interpreter (a 'spawn' pool of our own, :func:`spinpair._pool.
process_pool`). Its initializer ends it with its parent, caps its BLAS threads, and warms
matplotlib up: it imports the plotting modules and the classes of the figure jobs' data,
and saves one small styled figure in the run's formats (into a temporary folder), so that
the font files, the mathtext grammar and the renderers' caches are loaded while the parent
still computes. Nothing of it is kept.
"""

from __future__ import annotations

import gc
import pickle
import signal
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def init_worker(
    parent_pid: int,
    deathsig: bool,
    options: Mapping[str, Any],
    formats: Sequence[str] = ("png", "pdf"),
) -> None:
    """Initializer of a figure worker: end with ``parent_pid``
    (:func:`spinpair._pool.exit_with_parent`), take the parent's ``options``
    (:func:`spinpair.set_options`, which caps the BLAS threads), leave SIGINT to the
    parent, then warm matplotlib up for ``formats`` (:func:`_warm_up`)."""
    from .._options import set_options
    from .._pool import exit_with_parent
    from .._threads import cap_process

    exit_with_parent(parent_pid, deathsig)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    set_options(**options)
    cap_process()
    _warm_up(formats)
    # what is alive now (modules, matplotlib's caches) lives as long as the worker: the
    # collection after each figure (draw_and_save) then scans only that figure's objects
    gc.freeze()


def _warm_up(formats: Sequence[str] = ("png", "pdf")) -> None:
    """Import what the figure jobs draw with, then draw and save (into a temporary folder,
    in ``formats``) one small figure with the package style: a log axis, mathtext labels
    and a legend, as the report's figures have."""
    from ..analysis import chi2, fringes  # noqa: F401  (the classes of the jobs' data)
    from ..plots import analysis, implied, paper, ramsey  # noqa: F401  (what jobs draw with)
    from ..plots.style import new_figure, save_figure, style
    from ..sequence import ramsey_scan  # noqa: F401
    from ..studies import implied as implied_maps  # noqa: F401

    with style():
        fig, axes = new_figure(width_in=2.0, height_in=1.5)
        ax = axes[0, 0]
        ax.plot([1e-3, 1.0], [0.5, -0.5], label=r"$\chi_1$")
        ax.set_xscale("log")
        ax.set_xlabel(r"$\tau$ (µs)")
        ax.set_title("a", loc="left")
        ax.legend()
    with tempfile.TemporaryDirectory() as tmp:
        save_figure(fig, Path(tmp) / "warm", formats)


def draw_and_save(blob: bytes, base: str, formats: Sequence[str] = ("png", "pdf")) -> str:
    """Unpickle a :class:`spinpair.report.context.FigureJob`, draw its figure and save it in
    ``formats`` (:func:`spinpair.plots.save_figure`); return the first file's path."""
    from ..plots.style import save_figure

    job = pickle.loads(blob)
    path = str(save_figure(job(), base, formats)[0])
    gc.collect()  # a figure is a web of reference cycles: ~20 MB freed now, not later
    return path
