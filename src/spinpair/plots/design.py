"""Figures of the design tools: the preparation landscape and the designed τ grid.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.design import optimise_preparation
>>> r = optimise_preparation(Params(), knobs=["hold_time_s", "depth_hz"],
...                          max_evaluations=60, landscape_points=5)
>>> len(landscape_figure(r).axes)
2
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .style import new_figure, save_single, style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Axis label and factor from SI of each knob.
KNOB_AXES = {
    "hold_time_s": ("Hold time (ms)", 1e3),
    "field_gauss": ("Hold field (G)", 1.0),
    "field2_gauss": ("Field after the ramp (G)", 1.0),
    "ramp_fraction": ("Share of the hold at the first field", 1.0),
    "depth_hz": ("Trap depth $U_0/h$ (MHz)", 1e-6),
    "temperature_k": ("Temperature (µK)", 1e6),
}
TARGET_LABELS = {
    "chi1": r"$P(\chi_1)$",
    "chi1+chi2": r"$P(\chi_1) + P(\chi_2)$",
    "gain": r"$I / I_\mathrm{SQL}$",
}


def _d(r: Any) -> Mapping[str, Any]:
    return r if isinstance(r, Mapping) else r.as_dict()


def landscape_figure(result: Any, paper_knobs: Mapping[str, float] | None = None) -> Figure:
    """The objective over the two leading knobs (filled contours), the starting point of
    the parameter file (white circle, "paper" by default) and the optimum (star)."""
    with style():
        fig, axes = new_figure(width_in=3.6, height_in=2.9)
        _draw_landscape(fig, axes[0, 0], result, paper_knobs)
    return fig


def _draw_landscape(
    fig: Figure, ax: Any, result: Any, paper_knobs: Mapping[str, float] | None = None
) -> None:
    d = _d(result)
    land = d["landscape"]
    if land is None:
        raise ValueError("no landscape: fewer than two continuous knobs, or landscape_points=0")
    kx, ky = land["x_knob"], land["y_knob"]
    (lx, fx), (ly, fy) = KNOB_AXES[kx], KNOB_AXES[ky]
    x = np.asarray(land["x"], dtype=float) * fx
    y = np.asarray(land["y"], dtype=float) * fy
    z = np.array([[np.nan if v is None else v for v in row] for row in land["objective"]])
    base = dict(paper_knobs or d["baseline"]["knobs"])
    opt = d["optimum"]["knobs"]
    cs = ax.contourf(x, y, z, levels=14, cmap="viridis")
    ax.contour(x, y, z, levels=cs.levels[::2], colors="k", linewidths=0.3, alpha=0.5)
    cb = fig.colorbar(cs, ax=ax)
    cb.set_label(TARGET_LABELS.get(d["target"], d["target"]))
    if kx in base and ky in base:
        ax.plot(base[kx] * fx, base[ky] * fy, "o", mfc="w", mec="k", ms=6, label="paper")
    ax.plot(opt[kx] * fx, opt[ky] * fy, "*", color="#d62728", mec="k", ms=11, label="optimum")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda v, _pos: f"{v:g}")
    if land.get("log_x"):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plain)
    if land.get("log_y"):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain)
        ax.yaxis.set_minor_formatter(plain)
    ax.set_xlabel(lx)
    ax.set_ylabel(ly)
    ax.legend(loc="lower left", fontsize="small", frameon=True, facecolor="white", framealpha=0.9)


def plot_landscape(result: Any, path: str | Path) -> Path:
    """Write :func:`landscape_figure` to ``path`` (format from the suffix)."""
    return save_single(landscape_figure(result), path)


def design_figure(design: Any) -> Figure:
    """Fisher information about F per run versus τ (line), the designed shots (bars) and
    the uniform grid (ticks)."""
    with style():
        fig, axes = new_figure(width_in=3.6, height_in=2.5)
        _draw_design(axes[0, 0], design)
    return fig


def plot_design_summary(preparation: Any, scan: Any) -> Figure:
    """Report figure: (a) the preparation landscape, (b) the designed τ points."""
    with style():
        fig, axes = new_figure(1, 2, width_in=7.2, height_in=2.9)
        _draw_landscape(fig, axes[0, 0], preparation)
        _draw_design(axes[0, 1], scan)
        for ax, tag in zip(axes[0], "ab", strict=True):
            ax.set_title(f"({tag})", loc="left", fontsize="medium")
    return fig


def _draw_design(ax: Any, design: Any) -> None:
    d = _d(design)
    cand = np.asarray(d["candidates_tau_s"], dtype=float) * 1e6
    info = np.array([np.nan if v is None else v for v in d["information_per_run"]])
    ax.plot(cand, info, "k-", lw=1.2, label="information per run")
    ax.set_xlabel(r"Raman pulse length $\tau$ (µs)")
    ax.set_ylabel("Fisher information on $F$ per run")
    ax2 = ax.twinx()
    w = 0.6 * (cand[1] - cand[0]) if cand.size > 1 else 0.1
    ax2.bar(
        np.asarray(d["tau_s"]) * 1e6,
        d["shots"],
        width=w,
        color="#1f77b4",
        alpha=0.7,
        label="designed shots",
    )
    ax2.plot(
        np.asarray(d["uniform_tau_s"]) * 1e6,
        d["uniform_shots"],
        "|",
        color="#ff7f0e",
        ms=10,
        mew=2,
        label="uniform grid",
    )
    ax2.set_ylabel("Shots")
    ax2.set_ylim(bottom=0)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize="small", framealpha=0.8)


__all__ = [
    "KNOB_AXES",
    "design_figure",
    "landscape_figure",
    "plot_design_summary",
    "plot_landscape",
]
