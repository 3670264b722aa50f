"""Ramsey figures in the house style of :mod:`spinpair.plots.style` (style file, object-oriented
Figure API, no backend switching).

* :func:`plot_ramsey_fringes`: paper Fig. 4 style, one panel per case (entangled pair on
  top, unentangled atoms below), data points with error bars and fitted fringes;
* :func:`plot_crb_vs_preparation`: Cramér–Rao bound per run versus the chi1 preparation
  probability, with and without post-selection, against the standard quantum limit.

Plotting never computes physics: every function takes results and draws them.

Examples
--------
>>> import numpy as np
>>> d = np.linspace(-1e5, 1e5, 41)
>>> tr = FringeTrace("P1", d, np.cos(2 * np.pi * d * 7e-6) ** 2)
>>> fig = plot_ramsey_fringes({"chi1": [tr]})
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from .style import new_figure, save_figure, style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..analysis.fringes import FringeFit

#: Okabe–Ito colours for the Ramsey signals.
SIGNAL_COLORS = {
    "P0": "#1f4e9c",
    "P1": "#c0392b",
    "P2": "#2e8b57",
    "survival": "#0072B2",
    "mean_number": "#009E73",
}


@dataclass(frozen=True)
class FringeTrace:
    """One signal to draw: detunings (Hz), values, optional 1σ errors and fitted fringe."""

    label: str
    detuning_hz: ArrayLike
    y: ArrayLike
    yerr: ArrayLike | None = None
    fit: FringeFit | None = None
    color: str | None = None
    model: ArrayLike | None = None  # an exact model curve on the same detunings (thin line)


def plot_ramsey_fringes(
    panels: Mapping[str, Sequence[FringeTrace]],
    *,
    fit_points: int = 600,
) -> Figure:
    """Paper Fig. 4 style: probability versus Raman detuning δ (kHz), one panel per entry of
    ``panels`` (title → traces). Points (with error bars when given) are drawn as markers,
    exact model curves as solid lines, cosine fits as dashed lines; each has a legend entry
    (the fit's with its period). Legends sit to the right of the panels, and the y range
    follows the data (no empty headroom).
    """
    n = len(panels)
    with style():
        fig, axes = new_figure(n, 1, width_in=5.0, height_in=1.75 * n + 0.4, sharex=True)
        for ax, (title, traces) in zip(axes[:, 0], panels.items(), strict=True):
            lo, hi = np.inf, -np.inf
            ylo, yhi = np.inf, -np.inf
            for i, tr in enumerate(traces):
                x = np.asarray(tr.detuning_hz, dtype=float)
                y = np.asarray(tr.y, dtype=float)
                lo, hi = min(lo, x.min()), max(hi, x.max())
                ylo, yhi = min(ylo, float(np.nanmin(y))), max(yhi, float(np.nanmax(y)))
                color = tr.color or SIGNAL_COLORS.get(tr.label, f"C{i}")
                if tr.yerr is not None:
                    ax.errorbar(
                        x / 1e3,
                        y,
                        yerr=np.asarray(tr.yerr, dtype=float),
                        fmt="o",
                        ms=2.2,
                        color=color,
                        elinewidth=0.5,
                        label=f"{tr.label} (data)",
                    )
                elif tr.model is None:
                    ax.plot(
                        x / 1e3,
                        y,
                        "-",
                        color=color,
                        lw=2.4,
                        alpha=0.35,
                        label=f"{tr.label} (exact model)",
                    )
                if tr.model is not None:
                    ax.plot(
                        x / 1e3,
                        np.asarray(tr.model),
                        "-",
                        lw=0.7,
                        color=color,
                        alpha=0.6,
                        label=f"{tr.label} (model)",
                    )
                if tr.fit is not None and tr.fit.has_fringe:
                    xf = np.linspace(x.min(), x.max(), fit_points)
                    ax.plot(
                        xf / 1e3,
                        tr.fit(xf),
                        "--",
                        lw=1.0,
                        color=color,
                        label=f"{tr.label} cosine fit, period {tr.fit.period_hz / 1e3:.2f} kHz",
                    )
            ax.set_xlim(lo / 1e3, hi / 1e3)
            pad = 0.05 * max(yhi - ylo, 0.05)
            ax.set_ylim(max(ylo - pad, -0.02), min(yhi + pad, 1.02))
            ax.set_ylabel("Probability")
            ax.set_title(title, loc="left", fontsize=7, pad=3)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.8)
        axes[-1, 0].set_xlabel(r"Raman detuning $\delta/2\pi$ (kHz)")
    return fig


def plot_crb_vs_preparation(
    p_chi1: ArrayLike,
    bounds_hz: Mapping[str, ArrayLike],
    sql_bound_hz: float,
    *,
    slope_hz_per_gauss: float | None = None,
    paper_p: float | None = 0.37,
    heisenberg_bound_hz: float | None = None,
) -> Figure:
    """Cramér–Rao bound per run, Δδ·√N (Hz), versus the chi1 preparation probability, one
    line per scheme (``bounds_hz``: label → bound for each p), with the SQL of two
    independent atoms (and optionally the Heisenberg limit) as horizontal lines. With
    ``slope_hz_per_gauss`` a right axis gives the field bound ΔB·√N in mG.

    Examples
    --------
    >>> p = np.linspace(0.1, 1, 10)
    >>> fig = plot_crb_vs_preparation(p, {"per run": 1e4 / np.sqrt(p)}, 1.6e4)
    >>> len(fig.axes[0].lines)          # the scheme, the SQL and the paper's p = 0.37
    3
    """
    p = np.asarray(p_chi1, dtype=float)
    styles = ["-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1))]
    colors = ["#D55E00", "#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9"]
    with style():
        fig, axes = new_figure(height_in=3.1)
        ax = axes[0, 0]
        for i, (label, b) in enumerate(bounds_hz.items()):
            ax.plot(
                p,
                np.asarray(b, dtype=float) / 1e3,
                ls=styles[i % len(styles)],
                color=colors[i % len(colors)],
                label=label,
            )
        ax.axhline(sql_bound_hz / 1e3, color="k", lw=0.8, label="SQL, two atoms")
        if heisenberg_bound_hz is not None:
            ax.axhline(
                heisenberg_bound_hz / 1e3, color="0.5", lw=0.8, ls=":", label="Heisenberg limit"
            )
        if paper_p is not None:
            ax.axvline(paper_p, color="0.6", lw=0.6, ls="--")
            ax.text(
                paper_p,
                0.02,
                " paper",
                transform=ax.get_xaxis_transform(),
                fontsize=6,
                va="bottom",
                color="0.4",
            )
        ax.set_ylim(0, None)
        ax.set_xlim(p.min(), p.max())
        ax.set_xlabel(r"chi1 preparation probability $p_{\chi_1}$")
        ax.set_ylabel(r"$\Delta\delta\,\sqrt{N}$ per run (kHz)")
        ax.legend(
            frameon=False,
            fontsize=5.5,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            ncol=2,
            handlelength=2.4,
            columnspacing=1.0,
        )
        if slope_hz_per_gauss:
            s = float(slope_hz_per_gauss)
            sec = ax.secondary_yaxis(
                "right", functions=(lambda y: y * 1e3 / s * 1e3, lambda b: b / 1e3 * s / 1e3)
            )
            sec.set_ylabel(r"$\Delta B\,\sqrt{N}$ (mG)")
    return fig


__all__ = [
    "SIGNAL_COLORS",
    "FringeTrace",
    "plot_crb_vs_preparation",
    "plot_ramsey_fringes",
    "save_figure",
]
