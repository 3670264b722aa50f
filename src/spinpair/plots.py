"""Figures in a journal style (single column 3.4 in wide, vector PDF and 300 dpi PNG).

Plotting never computes physics: every function takes results and draws them. Every
function builds a :class:`matplotlib.figure.Figure` with the object-oriented API (no
pyplot state, no backend switching, safe in notebooks and threads) inside the package
style file ``spinpair/styles/spinpair.mplstyle`` (:data:`STYLE_PATH`).

Examples
--------
>>> from spinpair.paper import fig2a_data
>>> fig = plot_counts_vs_area(fig2a_data())
>>> type(fig).__name__, len(fig.axes)
('Figure', 1)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .fileio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .raman import CountProbabilities

#: The package's matplotlib style file (shipped as package data).
STYLE_PATH = Path(str(files("spinpair") / "styles" / "spinpair.mplstyle"))

#: Colours of the paper: 0 atoms blue, 1 atom red, 2 atoms green.
COUNT_COLORS = {"P0": "#1f4e9c", "P1": "#c0392b", "P2": "#2e8b57"}
COUNT_LABELS = {"P0": "0 atoms", "P1": "1 atom", "P2": "2 atoms"}


def _load_style() -> dict[str, Any]:
    from matplotlib import rc_params_from_file

    rc = rc_params_from_file(str(STYLE_PATH), use_default_template=False)
    return dict(rc)


#: The style file as a dict of rc parameters (for ``matplotlib.rc_context(_STYLE)``).
_STYLE: dict[str, Any] = _load_style()


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


def plot_counts_vs_area(
    curves: Mapping[str, CountProbabilities],
    *,
    signals: tuple[str, ...] = ("P1", "P2"),
    title: str | None = None,
) -> Figure:
    """P_N versus pulse area Ωτ (units of π); one line style per curve (first solid).

    ``curves`` maps a legend name (for example ``"chi1 (entangled)"``) to count
    probabilities with ``setting_name == "area"``.
    """
    styles = ["-", "--", ":", "-."]
    with style():
        fig, axes = new_figure(height_in=2.5)
        ax = axes[0, 0]
        x = np.zeros(1)
        for i, (name, c) in enumerate(curves.items()):
            x = np.asarray(c.setting) / np.pi
            for sig in signals:
                ax.plot(
                    x,
                    getattr(c, sig),
                    ls=styles[i % len(styles)],
                    color=COUNT_COLORS[sig],
                    label=f"{COUNT_LABELS[sig]}, {name}",
                )
        ax.set_xlabel(r"Raman pulse area $\Omega\tau$ (units of $\pi$)")
        ax.set_ylabel("Probability")
        ax.set_xlim(float(x.min()), float(x.max()))
        ax.set_ylim(-0.02, 1.02)
        ax.legend(loc="lower center", ncol=2, bbox_to_anchor=(0.5, 1.0))
        if title:
            ax.set_title(title)
    return fig


#: OpenType tables a PDF never reads: text in a PDF is placed glyph by glyph, so the
#: shaping (GSUB, GPOS, GDEF, JSTF), baseline (BASE) and math-layout (MATH) tables of an
#: embedded font are dead weight; closing the subset over them is most of the PDF's time.
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF", "MATH", "BASE", "JSTF")
_SAVE_LOCK = threading.RLock()
#: Parsed mathtext shared by all renderers (see :func:`_fast_save`); bounded.
_MATHTEXT: dict[Any, Any] = {}


@contextmanager
def _fast_save() -> Iterator[None]:
    """Two savings while a figure is saved, neither changing a pixel or a glyph:

    * mathtext (every tick label: the style sets ``axes.formatter.use_mathtext``) is
      parsed once per expression, size and dpi instead of once per renderer: matplotlib
      caches parses per renderer, and ``savefig`` makes two renderers per file;
    * PDF font subsets are embedded without their OpenType layout tables
      (:data:`_LAYOUT_TABLES`); outlines, metrics and the text's Unicode map stay.

    Both wrap a matplotlib / fontTools function for the duration only, under a lock; if
    either has another shape in the installed version it is left alone.
    """
    import matplotlib as mpl

    with _SAVE_LOCK:
        restore = []
        try:
            from matplotlib.mathtext import MathTextParser

            cached = MathTextParser.__dict__["_parse_cached"]
            parse_uncached = cached.__wrapped__
        except (ImportError, KeyError, AttributeError):  # pragma: no cover
            pass
        else:
            # the parse also reads rcParams (mathtext.*, text.*, font.*): they join the key
            rc = tuple(
                (k, repr(v))
                for k, v in sorted(mpl.rcParams.items())
                if k.startswith(("mathtext.", "text.", "font."))
            )

            def parse(self: Any, *args: Any) -> Any:
                key = (self._output_type, rc, args)
                hit = _MATHTEXT.get(key)
                if hit is None:
                    hit = parse_uncached(self, *args)
                    if len(_MATHTEXT) >= 4096:
                        _MATHTEXT.clear()
                    _MATHTEXT[key] = hit
                return hit

            MathTextParser._parse_cached = parse  # type: ignore[method-assign]
            restore.append(lambda: setattr(MathTextParser, "_parse_cached", cached))
        try:
            from fontTools import subset
        except ImportError:  # pragma: no cover - matplotlib requires fontTools
            pass
        else:
            load_font = subset.load_font

            def lean(*args: Any, **kwargs: Any) -> Any:
                font = load_font(*args, **kwargs)
                for tag in _LAYOUT_TABLES:
                    if tag in font:
                        del font[tag]
                return font

            subset.load_font = lean
            restore.append(lambda: setattr(subset, "load_font", load_font))
        try:
            yield
        finally:
            for undo in reversed(restore):
                undo()


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Save ``fig`` atomically as PNG (300 dpi) and PDF next to each other; return paths.

    The PDF reuses the PNG's layout; mathtext parses are shared and PDF font subsets are
    lean (:func:`_fast_save`)."""
    base = Path(path).with_suffix("")
    out = []
    engine = fig.get_layout_engine()
    with style(), _fast_save():
        try:
            for ext in (".png", ".pdf"):
                target = base.with_suffix(ext)
                atomic_write(target, lambda p, ext=ext: fig.savefig(p, format=ext[1:]))
                out.append(target)
                # the layout found for the PNG holds for the PDF (same size in inches):
                # skip the second constrained-layout pass (about a third of the save time)
                fig.set_layout_engine("none")
        finally:
            fig.set_layout_engine(engine)
    return out


def plot_entanglement_curves(
    panels: Mapping[str, object],
    *,
    data: Mapping[str, object] | None = None,
) -> Figure:
    """Paper Fig. 2b/3 style: P0 (blue), P1 (red), P2 (green) versus τ (µs) or Ωτ (π);
    solid: entangled model (c = 1), dashed: unentangled (c = 0). One panel per entry of
    ``panels`` (name → :class:`~spinpair.sequence.EntanglementCurves`); ``data`` optionally
    maps a panel name to a count table with ``setting``, ``fraction`` (n, 3) and ``err``
    (2, n, 3) to draw as points with error bars.
    """
    n = len(panels)
    xlabel = ""
    with style():
        fig, axes = new_figure(n, 1, height_in=1.9 * n + 0.5, sharex=True)
        for ax, (title, curves) in zip(axes[:, 0], panels.items(), strict=True):
            ent, une = curves.entangled, curves.unentangled  # type: ignore[attr-defined]
            if ent.setting_name == "tau_s":
                x, xlabel = np.asarray(ent.setting) * 1e6, r"Raman pulse duration $\tau$ (µs)"
            else:
                x = np.asarray(ent.setting) / np.pi
                xlabel = r"Pulse area $\Omega\tau$ (units of $\pi$)"
            for sig in ("P0", "P1", "P2"):
                ax.plot(x, getattr(ent, sig), "-", color=COUNT_COLORS[sig], label=COUNT_LABELS[sig])
                ax.plot(x, getattr(une, sig), "--", color=COUNT_COLORS[sig])
            has_data = bool(data and title in data)
            if has_data:
                d: Any = data[title]  # type: ignore[index]
                xs = np.asarray(d["setting"]) * (1e6 if ent.setting_name == "tau_s" else 1 / np.pi)
                for k, sig in enumerate(("P0", "P1", "P2")):
                    ax.errorbar(
                        xs,
                        d["fraction"][:, k],
                        yerr=d["err"][:, :, k],
                        fmt="o",
                        ms=2.5,
                        color=COUNT_COLORS[sig],
                        elinewidth=0.6,
                    )
            ax.set_ylabel("Probability")
            ax.set_ylim(0, 1)
            ax.set_xlim(float(x.min()), float(x.max()))
            ax.set_title(title, loc="left", fontsize=7, pad=2)
        axes[-1, 0].set_xlabel(xlabel)
        handles, labels = axes[0, 0].get_legend_handles_labels()
        extra = [line_handle(ls="-"), line_handle(ls="--")]
        extra_labels = ["entangled (c = 1)", "unentangled (c = 0)"]
        if data:
            extra.append(line_handle(ls="none", marker="o", ms=2.5))
            extra_labels.append("virtual data, 68 % Wilson")
        # legend filled column by column: first row the atom numbers, second the models
        order_h: list[Any] = []
        order_l: list[str] = []
        for i in range(max(len(handles), len(extra))):
            for hs, ls in ((handles, labels), (extra, extra_labels)):
                if i < len(hs):
                    order_h.append(hs[i])
                    order_l.append(ls[i])
        fig.legend(
            order_h,
            order_l,
            loc="outside upper center",
            ncol=3,
            handlelength=1.5,
        )
    return fig


#: One colour per collision model (colour-blind safe, Okabe–Ito).
MODEL_COLORS = {
    "ground-state": "#E69F00",
    "secular": "#56B4E9",
    "ergodic": "#009E73",
    "relaxation": "#CC79A7",
    "ergodic+relaxation": "#0072B2",
}
STATE_COLORS = {"00": "#555555", "chi1": "#D55E00", "chi2": "#0072B2"}
STATE_LABELS = {"00": r"$|0,0\rangle$", "chi1": r"$\chi_1$", "chi2": r"$\chi_2$"}


def plot_dynamics(
    first_principles: Mapping[str, object],
    calibrated: object | None = None,
    *,
    paper_point: Mapping[str, float] | None = None,
    paper_time_s: float = 0.1,
    point_status: Mapping[str, str] | None = None,
) -> Figure:
    """Paper Fig. 1b/S1 style. (a) chi1 population versus hold time (ms, log scale) for
    each model's first-principles prediction (name → :class:`~spinpair.dynamics.DynamicsResult`)
    and the calibrated model (black); (b) populations of 00, chi1, chi2 of the calibrated
    model with the target populations at ``paper_time_s`` as points.

    ``point_status`` maps each state of ``paper_point`` to its status (``"paper"`` or
    ``"illustrative"``; default: ``chi1`` paper, the rest illustrative): paper values are
    drawn as filled markers, illustrative ones as open squares, each with its own legend
    entry. Legends sit outside the axes, panel labels are titles: nothing covers a curve.
    """
    status = dict(point_status or {})
    if paper_point:
        for k in paper_point:
            status.setdefault(k, "paper" if k == "chi1" else "illustrative")
    n = 2 if calibrated is not None else 1
    t_max = 0.0
    with style():
        fig, axes = new_figure(n, 1, width_in=5.0, height_in=2.1 * n + 0.3)
        ax = axes[0, 0]
        for name, res in first_principles.items():
            t = np.asarray(res.time_s) * 1e3  # type: ignore[attr-defined]
            t_max = max(t_max, float(t.max()))
            y = np.clip(res.populations()["chi1"], 1e-7, None)  # type: ignore[attr-defined]
            thin = {"lw": 0.3, "alpha": 0.7} if t.size > 5000 else {}
            ax.plot(t, y, color=MODEL_COLORS.get(name, "0.3"), label=name, **thin)
        if calibrated is not None:
            t = np.asarray(calibrated.time_s) * 1e3  # type: ignore[attr-defined]
            t_max = max(t_max, float(t.max()))
            ax.plot(
                t,
                np.clip(calibrated.populations()["chi1"], 1e-7, None),  # type: ignore[attr-defined]
                "k-",
                lw=1.6,
                label=f"{calibrated.model}, calibrated",  # type: ignore[attr-defined]
            )
        if paper_point and "chi1" in paper_point:
            ax.plot(
                [paper_time_s * 1e3],
                [paper_point["chi1"]],
                "o",
                color="k",
                ms=4,
                label=f"paper: {paper_point['chi1']:g} at {paper_time_s * 1e3:g} ms",
            )
        ax.set_yscale("log")
        ax.set_ylim(1e-5, 1.5)
        ax.set_xlim(0, t_max)
        ax.set_ylabel(r"Population of $\chi_1$")
        ax.set_xlabel("Hold time (ms)")
        ax.set_title("a   first-principles models (placeholder $a_0$, $a_2$)", loc="left")
        leg = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.4)
        for line in leg.get_lines():
            line.set_linewidth(1.2)
            line.set_alpha(1.0)
        if calibrated is not None:
            ax2 = axes[1, 0]
            pops = calibrated.populations()  # type: ignore[attr-defined]
            t = np.asarray(calibrated.time_s) * 1e3  # type: ignore[attr-defined]
            for k, v in pops.items():
                ax2.plot(t, v, color=STATE_COLORS.get(k, "k"), label=STATE_LABELS.get(k, k))
            if paper_point:
                for st, marker, fill in (("paper", "o", None), ("illustrative", "s", "white")):
                    keys = [k for k in paper_point if status.get(k) == st]
                    for k in keys:
                        ax2.plot(
                            [paper_time_s * 1e3],
                            [paper_point[k]],
                            marker,
                            color=STATE_COLORS.get(k, "k"),
                            mfc=fill or STATE_COLORS.get(k, "k"),
                            ms=4.5,
                            zorder=3,
                        )
                    if keys:
                        names = ", ".join(STATE_LABELS.get(k, k) for k in keys)
                        ax2.plot(
                            [],
                            [],
                            marker,
                            color="k",
                            mfc=fill or "k",
                            ms=4.5,
                            label=f"{st}: {names}",
                        )
            ax2.set_ylim(0, 1)
            ax2.set_xlim(0, t_max)
            ax2.set_ylabel("Population")
            ax2.set_xlabel("Hold time (ms)")
            ax2.set_title(f"b   {calibrated.model}, calibrated", loc="left")  # type: ignore[attr-defined]
            ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.4)
    return fig


__all__ = [
    "COUNT_COLORS",
    "COUNT_LABELS",
    "MODEL_COLORS",
    "STATE_COLORS",
    "STYLE_PATH",
    "new_figure",
    "plot_counts_vs_area",
    "plot_dynamics",
    "plot_entanglement_curves",
    "save_figure",
    "style",
]
