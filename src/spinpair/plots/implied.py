"""Figure: what the paper's chi1 ≈ 0.37 implies for the 85Rb a_F differences (issue 10).

Draws :class:`spinpair.studies.implied.ImpliedMap` results (computes no physics): for each
thermal model a colour map of chi1 at the hold time over (a0 − a4, a2 − a4), the contours
chi1 = 0.32 and 0.42 that bound the band 0.37 ± 0.05 (the paper's 0.37; the ±0.05 is
this map's setting, the paper quotes no uncertainty), the built-in (coupled-channel) a_F and
a0 = a2 = a4. Object-oriented Matplotlib (:class:`matplotlib.figure.Figure`, no pyplot
state, no backend switching).

Examples
--------
>>> from spinpair.studies.implied import implied_map
>>> m = implied_map("relaxation", [-300.0, 0.0, 300.0], [-300.0, 0.0, 300.0])
>>> fig = plot_implied_maps([{"relaxation": m}])
>>> len(fig.axes)          # one panel and its colour bar
2
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..fileio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..studies.implied import ImpliedMap

_STYLE: Any = {  # rc parameters (matplotlib types them by literal key)
    "font.size": 8,
    "axes.labelsize": 8,
    "axes.titlesize": 8,
    "legend.fontsize": 6,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "axes.linewidth": 0.6,
}

#: Upper end of the colour scale (chi1); the band 0.32–0.42 sits in its upper part.
CHI1_MAX = 0.45


def plot_implied_maps(
    rows: Sequence[Mapping[str, ImpliedMap]],
    row_titles: Sequence[str] | None = None,
    panel_in: float = 2.1,
) -> Figure:
    """One row per mapping model → :class:`ImpliedMap` (e.g. a wide and a zoomed grid),
    one column per model. Colour: chi1 at the hold time (0 to 0.45); white lines: chi1 =
    0.32 and 0.42 (solid: the band's edges); star: the built-in a_F (coupled channels,
    status computed); plus: a0 = a2 = a4 (no spin change). Axes in Bohr radii."""
    import matplotlib
    from matplotlib.figure import Figure

    if not rows or not all(rows):
        raise ValueError("rows must be non-empty mappings of model -> ImpliedMap")
    models = list(rows[0])
    ncol, nrow = len(models), len(rows)
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(panel_in * ncol + 0.7, panel_in * nrow), layout="constrained")
        axes = fig.subplots(nrow, ncol, squeeze=False)
        mesh = None
        for r, row in enumerate(rows):
            for c, model in enumerate(models):
                ax = axes[r, c]
                m = row[model]
                x, y = m.d0_bohr, m.d2_bohr
                z = m.chi1.T  # rows: a2 − a4 (y), columns: a0 − a4 (x)
                # rasterized in the PDF (at savefig.dpi): a vector mesh is one path per
                # grid cell, slow to write and to view, with hairline seams between cells
                mesh = ax.pcolormesh(
                    x,
                    y,
                    z,
                    shading="nearest",
                    cmap="viridis",
                    vmin=0.0,
                    vmax=CHI1_MAX,
                    rasterized=True,
                )
                lo, hi = m.target - m.tolerance, m.target + m.tolerance
                if x.size > 1 and y.size > 1:
                    levels = [v for v in (lo, hi) if z.min() < v < z.max()]
                    if levels:
                        ax.contour(x, y, z, levels=levels, colors="white", linewidths=0.8)
                inside = m.inside.T
                if inside.any():
                    xx, yy = np.meshgrid(x, y)
                    ax.plot(xx[inside], yy[inside], ".", color="white", ms=1.2, alpha=0.6)
                px, py = m.builtin
                ax.plot(
                    [px],
                    [py],
                    "*",
                    color="#e74c3c",
                    mec="k",
                    mew=0.4,
                    ms=8,
                    label="built-in a0, a2 (coupled channels, status computed)",
                )
                ax.plot([0], [0], "+", color="k", ms=6, mew=1.0, label="a0 = a2 = a4")
                ax.set_xlim(x.min(), x.max())
                ax.set_ylim(y.min(), y.max())
                ax.set_aspect("equal")
                title = model if r == 0 else None
                if title:
                    ax.set_title(title)
                if r == nrow - 1:
                    ax.set_xlabel(r"$a_0 - a_4$ ($a_B$)")
                if c == 0:
                    label = r"$a_2 - a_4$ ($a_B$)"
                    if row_titles:
                        label = f"{row_titles[r]}\n{label}"
                    ax.set_ylabel(label)
        assert mesh is not None  # rows are non-empty
        # one legend for every panel, below them: inside a panel it would cover the map
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        cb = fig.colorbar(mesh, ax=axes, shrink=0.8)
        m0 = rows[0][models[0]]
        cb.set_label(
            rf"$\chi_1$ after {m0.hold_time_s * 1e3:g} ms "
            rf"({m0.field_gauss:g} G, {m0.temperature_k * 1e6:g} µK, rate_scale 1)"
        )
        for v in (m0.target - m0.tolerance, m0.target + m0.tolerance):
            cb.ax.axhline(v, color="white", lw=0.8)
    return fig


def save_implied_figure(
    fig: Figure, path: str | Path, formats: Sequence[str] = (".png", ".pdf")
) -> list[Path]:
    """Save ``fig`` atomically in each of ``formats`` (PNG at 200 dpi); return the paths."""
    base = Path(path).with_suffix("")
    out = []
    for ext in formats:
        target = base.with_suffix(ext)
        atomic_write(target, lambda p: fig.savefig(p, dpi=200, bbox_inches="tight"))
        out.append(target)
    return out


__all__ = ["CHI1_MAX", "plot_implied_maps", "save_implied_figure"]
