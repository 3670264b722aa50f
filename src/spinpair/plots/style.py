"""The house style of every spinpair figure and the one place figures are written to disk.

Journal style: single column 3.4 in wide, vector PDF and 300 dpi PNG, from the package
style file ``spinpair/styles/spinpair.mplstyle`` (:data:`STYLE_PATH`). Every figure is a
:class:`matplotlib.figure.Figure` built with the object-oriented API (no pyplot state, no
backend switching, safe in notebooks and threads). Files are written atomically.

Examples
--------
>>> with style():
...     fig, axes = new_figure()
>>> axes.shape
(1, 1)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..fileio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


#: The package's matplotlib style file (shipped as package data).
STYLE_PATH = Path(str(files("spinpair") / "styles" / "spinpair.mplstyle"))

#: Colours of the paper: 0 atoms blue, 1 atom red, 2 atoms green.
COUNT_COLORS = {"P0": "#1f4e9c", "P1": "#c0392b", "P2": "#2e8b57"}
COUNT_LABELS = {"P0": "0 atoms", "P1": "1 atom", "P2": "2 atoms"}


@contextmanager
def style() -> Iterator[None]:
    """Context in which the package style applies (does not touch the backend)."""
    import matplotlib.style

    with matplotlib.style.context(str(STYLE_PATH)):
        yield


def new_figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    width_in: float = 3.4,
    height_in: float = 2.4,
    **subplots: Any,
) -> tuple[Figure, np.ndarray]:
    """A styled :class:`~matplotlib.figure.Figure` (constrained layout) and its axes as a
    2-D array (``squeeze=False``). Call inside :func:`style` so that text picks up the
    style's fonts."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots)
    return fig, axes


def _new_figure(width_in: float = 3.4, height_in: float = 2.4) -> tuple[Figure, Axes]:
    """One styled figure with one axes (kept for modules that use the old helper)."""
    with style():
        fig, axes = new_figure(width_in=width_in, height_in=height_in)
    return fig, axes[0, 0]


def line_handle(color: str = "k", ls: Any = "-", **kw: Any) -> Any:
    """A legend handle for a line style (no artist is added to any axes)."""
    from matplotlib.lines import Line2D

    return Line2D([], [], color=color, ls=ls, **kw)


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Save ``fig`` atomically as PNG (300 dpi) and PDF next to each other; return paths.

    The layout (constrained) and the tight bounding box are found once, by a dry-run draw
    at the PNG's resolution, and both files reuse them: a plain ``savefig`` with
    ``bbox_inches="tight"`` draws every file twice and runs the layout each time. Only
    matplotlib's public API is used: nothing of matplotlib or fontTools is patched."""
    import matplotlib as mpl

    base = Path(path).with_suffix("")
    out = []
    engine = fig.get_layout_engine()
    dpi = fig.dpi
    with style():
        try:
            fig.set_dpi(float(mpl.rcParams["savefig.dpi"]))
            try:
                fig.draw_without_rendering()  # the layout engine runs here, once
                pad = float(mpl.rcParams["savefig.pad_inches"])
                bbox = fig.get_tightbbox().padded(pad)  # inches
            finally:
                fig.set_dpi(dpi)
            fig.set_layout_engine("none")
            for ext in (".png", ".pdf"):
                target = base.with_suffix(ext)

                def write(p: Path, fmt: str = ext[1:]) -> None:
                    fig.savefig(p, format=fmt, bbox_inches=bbox)

                atomic_write(target, write)
                out.append(target)
        finally:
            fig.set_layout_engine(engine)
    return out


def save_single(fig: Figure, path: str | Path, *, dpi: float | None = None) -> Path:
    """Save ``fig`` to exactly ``path`` (format from the suffix, PNG if none), atomically.

    Example: ``save_single(fig, "scan.pdf")``.
    """
    target = Path(path)
    fmt = target.suffix[1:] or "png"
    with style():
        atomic_write(target, lambda p: fig.savefig(p, format=fmt, dpi=dpi or "figure"))
    return target


__all__ = [
    "COUNT_COLORS",
    "COUNT_LABELS",
    "STYLE_PATH",
    "line_handle",
    "new_figure",
    "save_figure",
    "save_single",
    "style",
]
