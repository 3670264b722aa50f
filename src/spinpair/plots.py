"""Figures in a journal style (single column 3.4 in wide, vector PDF and 300 dpi PNG).

Plotting never computes physics: every function takes results and draws them.

Example
-------
>>> from spinpair.paper import fig2a_data
>>> fig = plot_counts_vs_area(fig2a_data())
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .fileio import atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .raman import CountProbabilities

#: Colours of the paper: 0 atoms blue, 1 atom red, 2 atoms green.
COUNT_COLORS = {"P0": "#1f4e9c", "P1": "#c0392b", "P2": "#2e8b57"}
COUNT_LABELS = {"P0": "0 atoms", "P1": "1 atom", "P2": "2 atoms"}

_STYLE = {
    "font.size": 8,
    "axes.labelsize": 8,
    "axes.titlesize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "lines.linewidth": 1.2,
    "axes.linewidth": 0.6,
    "savefig.bbox": "tight",
    "savefig.dpi": 300,
    "figure.dpi": 150,
}


def _new_figure(width_in: float = 3.4, height_in: float = 2.4) -> tuple[Figure, object]:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(width_in, height_in), layout="constrained")
    return fig, ax


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
    import matplotlib.pyplot as plt

    with plt.rc_context(_STYLE):
        fig, ax = _new_figure()
        styles = ["-", "--", ":", "-."]
        for i, (name, c) in enumerate(curves.items()):
            x = np.asarray(c.setting) / np.pi
            for sig in signals:
                ax.plot(
                    x,
                    getattr(c, sig),
                    styles[i % len(styles)],
                    color=COUNT_COLORS[sig],
                    label=f"{COUNT_LABELS[sig]}, {name}",
                )
        ax.set_xlabel(r"Raman pulse area $\Omega\tau$ ($\pi$)")
        ax.set_ylabel("Probability")
        ax.set_xlim(x.min(), x.max())
        ax.set_ylim(-0.02, 1.02)
        ax.legend(frameon=False, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 1.32))
        if title:
            ax.set_title(title)
    return fig


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Save ``fig`` atomically as PNG (300 dpi) and PDF next to each other; return paths."""
    import matplotlib.pyplot as plt

    base = Path(path).with_suffix("")
    out = []
    for ext in (".png", ".pdf"):
        target = base.with_suffix(ext)
        atomic_write(target, lambda p: fig.savefig(p))
        out.append(target)
    plt.close(fig)
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
    import matplotlib.pyplot as plt

    n = len(panels)
    with plt.rc_context(_STYLE):
        import matplotlib

        matplotlib.use("Agg", force=False)
        fig, axes = plt.subplots(
            n, 1, figsize=(3.4, 2.1 * n), layout="constrained", sharex=True, squeeze=False
        )
        for ax, (title, curves) in zip(axes[:, 0], panels.items(), strict=True):
            ent, une = curves.entangled, curves.unentangled
            if ent.setting_name == "tau_s":
                x, xlabel = np.asarray(ent.setting) * 1e6, r"Raman pulse duration $\tau$ ($\mu$s)"
            else:
                x, xlabel = np.asarray(ent.setting) / np.pi, r"Pulse area $\Omega\tau$ ($\pi$)"
            for sig in ("P0", "P1", "P2"):
                ax.plot(x, getattr(ent, sig), "-", color=COUNT_COLORS[sig], label=COUNT_LABELS[sig])
                ax.plot(x, getattr(une, sig), "--", color=COUNT_COLORS[sig])
            if data and title in data:
                d = data[title]
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
                        capsize=1.2,
                    )
            ax.set_ylabel("Probability")
            ax.set_ylim(0, 1)
            ax.set_xlim(x.min(), x.max())
            ax.text(0.02, 0.95, title, transform=ax.transAxes, va="top", fontsize=7)
        axes[-1, 0].set_xlabel(xlabel)
        h = [plt.Line2D([], [], color="k", ls="-"), plt.Line2D([], [], color="k", ls="--")]
        handles, labels = axes[0, 0].get_legend_handles_labels()
        axes[0, 0].legend(
            handles + h,
            [*labels, "entangled", "unentangled"],
            frameon=False,
            ncol=5,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            fontsize=6,
            handlelength=1.5,
            columnspacing=0.8,
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


def plot_dynamics(
    first_principles: Mapping[str, object],
    calibrated: object | None = None,
    *,
    paper_point: Mapping[str, float] | None = None,
    paper_time_s: float = 0.1,
) -> Figure:
    """Paper Fig. 1b/S1 style. (a) chi1 population versus hold time (ms, log scale) for
    each model's first-principles prediction (name → :class:`~spinpair.dynamics.DynamicsResult`)
    and the calibrated model (black); (b) populations of 00, chi1, chi2 of the calibrated
    model with the paper's populations at ``paper_time_s`` as points."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n = 2 if calibrated is not None else 1
    with plt.rc_context(_STYLE):
        fig, axes = plt.subplots(n, 1, figsize=(3.4, 2.2 * n), layout="constrained", squeeze=False)
        ax = axes[0, 0]
        for name, res in first_principles.items():
            t = np.asarray(res.time_s) * 1e3
            y = np.clip(res.populations()["chi1"], 1e-7, None)
            thin = {"lw": 0.25, "alpha": 0.7} if t.size > 5000 else {}
            ax.plot(t, y, color=MODEL_COLORS.get(name, "k"), label=name, **thin)
        if calibrated is not None:
            t = np.asarray(calibrated.time_s) * 1e3
            ax.plot(t, np.clip(calibrated.populations()["chi1"], 1e-7, None), "k-", lw=1.6,
                    label=f"{calibrated.model}, calibrated")
        if paper_point and "chi1" in paper_point:
            ax.plot([paper_time_s * 1e3], [paper_point["chi1"]], "o", color="k", ms=4,
                    mfc="white", label="paper, 100 ms")
        ax.set_yscale("log")
        ax.set_ylim(1e-5, 1.5)
        ax.set_xlim(0, t.max())
        ax.set_ylabel(r"Population of $\chi_1$")
        leg = ax.legend(frameon=False, fontsize=6, loc="lower right", ncol=2)
        for line in leg.get_lines():
            line.set_linewidth(1.2)
            line.set_alpha(1.0)
        ax.text(0.02, 0.95, "a: first-principles models", transform=ax.transAxes, va="top",
                fontsize=7)
        if calibrated is not None:
            ax2 = axes[1, 0]
            pops = calibrated.populations()
            t = np.asarray(calibrated.time_s) * 1e3
            for k, v in pops.items():
                ax2.plot(t, v, color=STATE_COLORS.get(k, "k"), label=k.replace("chi", "χ"))
                if paper_point and k in paper_point:
                    ax2.plot([paper_time_s * 1e3], [paper_point[k]], "o",
                             color=STATE_COLORS.get(k, "k"), ms=4, mfc="white")
            ax2.set_ylim(0, 1)
            ax2.set_xlim(0, t.max())
            ax2.set_ylabel("Population")
            ax2.legend(frameon=False, fontsize=6, loc="center right")
            ax2.text(0.02, 0.95, f"b: {calibrated.model}, calibrated (points: paper)",
                     transform=ax2.transAxes, va="top", fontsize=7)
        axes[-1, 0].set_xlabel("Hold time (ms)")
    return fig
