"""The paper's figures (Fig. 1b, 2a, 2b, 3): count probabilities versus pulse area,
entangled versus unentangled curves, and the collision dynamics of every model.

Plotting never computes physics: every function takes results (from
:mod:`spinpair.paper`) and draws them in the house style of :mod:`spinpair.plots.style`.

Examples
--------
>>> from spinpair.paper import fig2a_data
>>> fig = plot_counts_vs_area(fig2a_data())
>>> type(fig).__name__, len(fig.axes)
('Figure', 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .style import COUNT_COLORS, COUNT_LABELS, line_handle, new_figure, style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..raman import CountProbabilities


@dataclass(frozen=True)
class PopulationTrace:
    """What :func:`plot_dynamics` draws of a :class:`~spinpair.dynamics.DynamicsResult`:
    the model's name, the hold times (s) and the populations of the named states, without
    the density matrices (a few kB instead of hundreds of MB for the secular ensemble, so
    that a worker process can draw it).

    Examples
    --------
    >>> tr = PopulationTrace("given", [0.0, 0.1], {"chi1": [0.0, 0.37]})
    >>> float(tr.populations()["chi1"][1])
    0.37
    """

    model: str
    time_s: ArrayLike
    values: Mapping[str, ArrayLike]

    @classmethod
    def of(cls, result: Any) -> PopulationTrace:
        """The trace of a :class:`~spinpair.dynamics.DynamicsResult`."""
        return cls(result.model, np.asarray(result.time_s), result.populations())

    def populations(self) -> dict[str, NDArray[np.float64]]:
        """Named state → populations, as :meth:`DynamicsResult.populations`."""
        return {k: np.asarray(v, dtype=float) for k, v in self.values.items()}


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
    reference_label: str | None = None,
    band: Mapping[str, tuple[ArrayLike, ArrayLike]] | None = None,
) -> Figure:
    """Paper Fig. 1b/S1 style. (a) chi1 population versus hold time (ms, log scale) for
    each model's first-principles prediction (name → :class:`~spinpair.dynamics.DynamicsResult`
    or its :class:`PopulationTrace`) and a reference curve (black; ``calibrated``: e.g. the
    paper-predicted preset's prediction, named by ``reference_label``); (b) populations of
    00, chi1, chi2 of the reference with its ``band`` (state → (lower, upper) arrays on
    the reference's times) shaded and the target populations at ``paper_time_s`` as points.

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
                label=reference_label or f"{calibrated.model}, calibrated",  # type: ignore[attr-defined]
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
        ax.set_title("a   first-principles models (coupled-channel $a_F$)", loc="left")
        leg = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.4)
        for line in leg.get_lines():
            line.set_linewidth(1.2)
            line.set_alpha(1.0)
        if calibrated is not None:
            ax2 = axes[1, 0]
            pops = calibrated.populations()  # type: ignore[attr-defined]
            t = np.asarray(calibrated.time_s) * 1e3  # type: ignore[attr-defined]
            for k, v in pops.items():
                c = STATE_COLORS.get(k, "k")
                ax2.plot(t, v, color=c, label=STATE_LABELS.get(k, k))
                if band and k in band:
                    lo, hi = (np.asarray(x, dtype=float) for x in band[k])
                    ax2.fill_between(t, lo, hi, color=c, alpha=0.22, lw=0)
            if band:
                ax2.fill_between(
                    [], [], [], color="0.5", alpha=0.3, lw=0, label="range of the inputs"
                )
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
            title = reference_label or f"{calibrated.model}, calibrated"  # type: ignore[attr-defined]
            ax2.set_title(f"b   {title}", loc="left")
            ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), handlelength=1.4)
    return fig


__all__ = [
    "MODEL_COLORS",
    "STATE_COLORS",
    "STATE_LABELS",
    "plot_counts_vs_area",
    "plot_dynamics",
    "plot_entanglement_curves",
]
