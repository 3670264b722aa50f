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

from collections.abc import Iterator, Sequence
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


#: The file formats :func:`save_figure` can write (PNG at ``savefig.dpi``, vector PDF).
FIGURE_FORMATS: tuple[str, ...] = ("png", "pdf")


def figure_formats(formats: str | Sequence[str], field: str = "formats") -> tuple[str, ...]:
    """``formats`` checked and in the order of :data:`FIGURE_FORMATS`: a sequence of format
    names or one comma-separated string (``"png,pdf"``; case and blanks ignored).

    Parameters
    ----------
    formats : str or sequence of str
        Some of ``"png"`` and ``"pdf"``, each at most once.
    field : str
        The name bad input is reported under (an argument or a command-line option).

    Returns
    -------
    tuple of str
        The formats, lower case, PNG first.

    Raises
    ------
    spinpair.errors.InputError
        If ``formats`` is empty, repeats a format or names one not in :data:`FIGURE_FORMATS`.

    Examples
    --------
    >>> figure_formats("PDF, png")
    ('png', 'pdf')
    """
    from ..errors import InputError

    allowed = "one or more of png, pdf (comma-separated, each once)"
    names = formats.split(",") if isinstance(formats, str) else list(formats)
    if not all(isinstance(n, str) for n in names):
        raise InputError(field, formats, allowed)
    chosen = [n.strip().lower() for n in names]
    if not chosen or len(set(chosen)) != len(chosen) or not set(chosen) <= set(FIGURE_FORMATS):
        raise InputError(field, formats, allowed)
    return tuple(f for f in FIGURE_FORMATS if f in chosen)


@contextmanager
def _no_layout_engine(fig: Figure) -> Iterator[None]:
    """Within the block ``fig`` has no layout engine (its axes stay where the last layout
    put them, and ``savefig`` draws once, without a dry run); the engine comes back after."""
    import matplotlib as mpl

    def set_engine(engine: Any) -> None:
        # None means "as the rcParams say" (constrained in the package style): read none
        with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(engine)

    engine = fig.get_layout_engine()
    set_engine(None)
    try:
        yield
    finally:
        set_engine(engine)


def save_figure(
    fig: Figure, path: str | Path, formats: str | Sequence[str] = FIGURE_FORMATS
) -> list[Path]:
    """Save ``fig`` atomically as PNG (``savefig.dpi``, 300) and/or PDF, cropped to its
    tight bounding box (padded by ``savefig.pad_inches``); return the paths, PNG first.

    The figure is drawn once on an Agg canvas at the PNG's resolution (its layout engine,
    constrained, runs in that draw), its tight box is read from the same renderer and
    widened to whole pixels, and the PNG is that part of the canvas (written by
    :func:`matplotlib.image.imsave`, as ``savefig`` writes it). Where the box reaches
    outside the figure (a legend placed beside the axes), the PNG is saved by ``savefig``
    with that box instead. The PDF reuses the box with the layout engine off: one more
    draw, no layout. ``savefig(bbox_inches="tight")`` would draw each file two or three
    times and run the layout each time. Public matplotlib API only; ``fig``'s canvas, dpi
    and layout engine are restored.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (drawn in the package style).
    path : str or pathlib.Path
        Where to write, without or with a suffix: ``base.png`` and/or ``base.pdf``.
    formats : str or sequence of str
        ``"png"``, ``"pdf"`` or both (default both), see :func:`figure_formats`.

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of :data:`FIGURE_FORMATS`.

    Raises
    ------
    spinpair.errors.InputError
        For formats other than PNG and PDF.

    Examples
    --------
    >>> import tempfile
    >>> with style():
    ...     fig, axes = new_figure()
    >>> [p.suffix for p in save_figure(fig, tempfile.mkdtemp() + "/f", "png")]
    ['.png']
    """
    import matplotlib as mpl
    import matplotlib.image
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fmts = figure_formats(formats)
    base = Path(path).with_suffix("")
    out: list[Path] = []
    dpi0, canvas0 = fig.dpi, fig.canvas
    with style():
        dpi = float(mpl.rcParams["savefig.dpi"])
        pad = float(mpl.rcParams["savefig.pad_inches"])
        try:
            fig.set_dpi(dpi)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()  # the one full draw; the layout engine runs in it
            box, pixels = _pixel_box(fig.get_tightbbox(canvas.get_renderer()).padded(pad), dpi)
            crop = _crop(np.asarray(canvas.buffer_rgba()), pixels)
            with _no_layout_engine(fig):
                for fmt in fmts:

                    def write(p: Path, fmt: str = fmt) -> None:
                        if fmt == "png" and crop is not None:  # the drawn canvas
                            matplotlib.image.imsave(p, crop, format="png", dpi=dpi)
                        else:  # a draw without layout, positions as laid out above
                            fig.savefig(p, format=fmt, dpi=dpi, bbox_inches=box)

                    target = base.with_suffix("." + fmt)
                    atomic_write(target, write)
                    out.append(target)
        finally:
            fig.set_canvas(canvas0)
            fig.set_dpi(dpi0)
    return out


def _pixel_box(bbox: Any, dpi: float) -> tuple[Any, tuple[int, int, int, int]]:
    """``bbox`` (inches) widened to whole pixels at ``dpi``: the box in inches and its
    pixel extents ``(x0, y0, x1, y1)`` from the figure's lower left corner."""
    import math

    from matplotlib.transforms import Bbox

    x0, y0 = math.floor(bbox.x0 * dpi), math.floor(bbox.y0 * dpi)
    x1, y1 = math.ceil(bbox.x1 * dpi), math.ceil(bbox.y1 * dpi)
    return Bbox.from_extents(x0 / dpi, y0 / dpi, x1 / dpi, y1 / dpi), (x0, y0, x1, y1)


def _crop(rgba: np.ndarray, pixels: tuple[int, int, int, int]) -> np.ndarray | None:
    """The part of a drawn canvas (``rgba``: rows from the top) inside ``pixels``
    (:func:`_pixel_box`), as a new array; None if the box reaches outside the canvas."""
    x0, y0, x1, y1 = pixels
    height, width = rgba.shape[:2]
    if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
        return None
    return np.ascontiguousarray(rgba[height - y1 : height - y0, x0:x1])


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
    "FIGURE_FORMATS",
    "STYLE_PATH",
    "figure_formats",
    "line_handle",
    "new_figure",
    "save_figure",
    "save_single",
    "style",
]
