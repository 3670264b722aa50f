"""Figures of the count-data analysis: the χ²(F) scan (paper Fig. S4) and data against
the entangled and unentangled models (paper Fig. 2b with points).

Journal style of :mod:`spinpair.plots.style` (style file, object-oriented Figure API, no backend
switching); colours of the paper (0 atoms blue, 1 atom red, 2 atoms green). Plotting
computes no statistics.

Examples
--------
>>> import numpy as np
>>> from spinpair.analysis.chi2 import FidelityScan
>>> F = np.linspace(0, 1, 11)
>>> s = FidelityScan("P2", F, (F - 0.9) ** 2 * 100, 0.9, 0.0, (0.8, 1.0), 0.74, 14, 4.0)
>>> fig = plot_fidelity_scan(s)
>>> len(fig.axes)
1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis.intervals import data_points
from .style import COUNT_COLORS, COUNT_LABELS, line_handle, new_figure, save_single, style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..analysis.chi2 import FidelityScan
    from ..analysis.data import CountData
    from ..analysis.fidelity import ModelCurves
    from ..analysis.likelihood import FidelityFit

_BLUE, _VERMILION, _GREY = "#0072B2", "#D55E00", "0.35"


def plot_fidelity_scan(scan: FidelityScan, fit: FidelityFit | None = None) -> Figure:
    """Paper Fig. S4: Δχ²(F) = χ²(F) − χ²_min on one curve, with what the χ² scan gives
    (68 % band where Δχ² ≤ 1, one-sided 95 % lower bound where Δχ² = 2.71, significance
    √Δχ²(½)) and, if ``fit`` is given, the binomial-likelihood (MINOS) results as a
    separate, labelled legend block, so every number sits next to the method that made it.
    """
    F, dchi2 = np.asarray(scan.fidelity), np.asarray(scan.chi2) - scan.chi2_min
    lo, hi = scan.interval_68
    with style():
        fig, axes = new_figure(width_in=3.8, height_in=3.4)
        ax = axes[0, 0]
        ax.axvspan(lo, hi, color=_BLUE, alpha=0.18, lw=0, label=f"68 %: [{lo:.3f}, {hi:.3f}]")
        ax.plot(F, dchi2, "k-", lw=1.2, label=rf"$\Delta\chi^2(F)$, {_curve_label(scan.curve)}")
        ax.axhline(1.0, color=_GREY, lw=0.7)
        ax.text(
            0.02,
            1.0,
            r"$\Delta\chi^2 = 1$",
            color=_GREY,
            fontsize=6,
            va="bottom",
            transform=ax.get_yaxis_transform(),
        )
        ax.axvline(
            scan.lower_95, color=_BLUE, ls=":", lw=1, label=f"95 % lower bound {scan.lower_95:.3f}"
        )
        ax.axvline(0.5, color=_VERMILION, ls="--", lw=1, label=r"$F=\frac{1}{2}$ (unentangled)")
        ax.plot(
            [scan.best],
            [0.0],
            "o",
            color=_BLUE,
            ms=3.5,
            zorder=3,
            clip_on=False,
            label=f"best F = {scan.best:.3f}; F ≤ ½ rejected at "
            f"{scan.unentangled_rejection_sigma:.2f}σ",
        )
        y_half = float(np.interp(0.5, F, dchi2))
        top = max(y_half, 8.0) * 1.15
        ax.set_ylim(-0.03 * top, top)
        ax.set_xlim(0, 1)
        ax.set_xlabel(r"Fidelity $F$ of the $\chi_1$ part")
        ax.set_ylabel(rf"$\chi^2(F) - \chi^2_{{\min}}$ ({scan.dof + 1} points)")
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside lower left",
            title=r"$\chi^2$ scan",
            title_fontsize=6.5,
            alignment="left",
            handlelength=1.6,
        )
        if fit is not None:
            flo, fhi = fit.interval_68
            fig.legend(
                [line_handle(ls="none") for _ in range(3)],
                [
                    f"F = {fit.best:.3f}, 68 %: [{flo:.3f}, {fhi:.3f}]",
                    f"95 % lower bound {fit.lower_95:.3f}",
                    f"F ≤ ½ rejected at {fit.unentangled_rejection_sigma:.2f}σ",
                ],
                loc="outside lower right",
                title="binomial likelihood (MINOS)",
                title_fontsize=6.5,
                handlelength=0,
                handletextpad=0,
                alignment="left",
            )
    return fig


def _curve_label(curve: str) -> str:
    return {"P0": "0-atom curve", "P1": "1-atom curve", "P2": "2-atom curve"}.get(
        curve, "all curves"
    )


def plot_data_vs_model(
    data: CountData,
    model: ModelCurves,
    *,
    method: str = "wilson",
    cl: float = 0.682689492,
    fit: FidelityFit | None = None,
) -> Figure:
    """Observed fractions of 0, 1, 2 atoms with per-point intervals (``method`` at
    confidence ``cl``) on the entangled (F = 1, solid) and unentangled (F = ½, dashed)
    model curves; with ``fit`` also the best-fit model (dotted) when F < 1.

    ``model``: the entangled/unentangled model on a dense grid
    (:func:`spinpair.analysis.fidelity.model_curves`); plotting computes no physics."""
    name = data.setting_name
    x_dense = np.asarray(model.setting, dtype=float)
    curves = model.model
    scale = 1e6 if name == "tau_s" else 1 / np.pi
    xlabel = (
        r"Raman pulse duration $\tau$ (µs)"
        if name == "tau_s"
        else r"Pulse area $\Omega\tau$ (units of $\pi$)"
    )
    pts = data_points(data, method, cl)
    with style():
        fig, axes = new_figure(height_in=2.7)
        ax = axes[0, 0]
        for k, sig in enumerate(("P0", "P1", "P2")):
            col = COUNT_COLORS[sig]
            ax.plot(x_dense * scale, curves.p_entangled[:, k], "-", color=col, lw=1.0)
            ax.plot(x_dense * scale, curves.p_unentangled[:, k], "--", color=col, lw=1.0)
            if fit is not None and fit.best < 1.0:
                ax.plot(x_dense * scale, curves.probs(fit.best)[:, k], ":", color=col, lw=1.0)
            ax.errorbar(
                data.setting * scale,
                pts["fraction"][:, k],
                yerr=pts["err"][:, :, k],
                fmt="o",
                ms=2.5,
                color=col,
                elinewidth=0.6,
                label=COUNT_LABELS[sig],
            )
        handles: list[Any] = [line_handle(ls="-"), line_handle(ls="--")]
        labels = ["entangled", "unentangled"]
        if fit is not None and fit.best < 1.0:
            handles.append(line_handle(ls=":"))
            labels.append(f"best fit F = {fit.best:.2f}")
        h, lab = ax.get_legend_handles_labels()
        ax.legend(
            h + handles,
            lab + labels,
            ncol=5 if len(labels) == 2 else 3,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            handlelength=1.5,
            columnspacing=0.8,
        )
        ax.set_xlim(0, x_dense[-1] * scale)
        ax.set_ylim(0, 1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Probability")
    return fig


__all__ = [
    "plot_data_vs_model",
    "plot_fidelity_scan",
    "save_single",
]
