"""Figures of the count-data analysis: the χ²(F) scan (paper Fig. S4) and data against
the entangled and unentangled models (paper Fig. 2b with points).

Journal style of :mod:`spinpair.plots` (single column, 3.4 in wide, 300 dpi); colours of
the paper (0 atoms blue, 1 atom red, 2 atoms green). Plotting computes no statistics.

Example
-------
>>> import numpy as np
>>> from spinpair.analysis.fits import FidelityScan
>>> F = np.linspace(0, 1, 11)
>>> s = FidelityScan("P2", F, (F - 0.9) ** 2 * 100, 0.9, 0.0, (0.8, 1.0), 0.74, 14, 4.0)
>>> fig = plot_fidelity_scan(s)
>>> len(fig.axes)
1
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .fileio import atomic_write
from .plots import _STYLE, COUNT_COLORS, COUNT_LABELS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .analysis.data import CountData
    from .analysis.fits import FidelityFit, FidelityScan
    from .params import Params

_BLUE, _VERMILION = "#0072B2", "#D55E00"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def save_single(fig: Figure, path: str | Path) -> Path:
    """Save ``fig`` to exactly ``path`` (format from the suffix), atomically, and close it."""
    plt = _pyplot()
    target = Path(path)
    atomic_write(target, lambda p: fig.savefig(p))
    plt.close(fig)
    return target


def plot_fidelity_scan(scan: FidelityScan, fit: FidelityFit | None = None) -> Figure:
    """χ²(F) (paper Fig. S4): the scan, χ²_min + 1 with the 68 % band it defines, the
    one-sided 95 % lower bound, F = ½ (no entanglement) and, if given, the
    maximum-likelihood F with its significance."""
    plt = _pyplot()
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(3.4, 2.9), layout="constrained")
        F, chi2 = scan.fidelity, scan.chi2
        lo, hi = scan.interval_68
        ax.axvspan(lo, hi, color=_BLUE, alpha=0.18, lw=0, label=f"68 %: [{lo:.3f}, {hi:.3f}]")
        ax.plot(F, chi2, "k-", lw=1.2, label=rf"$\chi^2(F)$, {_curve_label(scan.curve)}")
        ax.axhline(scan.chi2_min + 1.0, color="0.45", lw=0.7, ls="-")
        ax.text(
            0.56,
            scan.chi2_min + 1.0,
            r"$\chi^2_{\min}+1$",
            color="0.35",
            fontsize=6,
            va="bottom",
            transform=ax.get_yaxis_transform(),
        )
        ax.axvline(
            scan.lower_95, color=_BLUE, ls=":", lw=1, label=f"95 % lower bound {scan.lower_95:.3f}"
        )
        ax.axvline(0.5, color=_VERMILION, ls="--", lw=1, label=r"$F=\frac{1}{2}$ (unentangled)")
        ax.plot([scan.best], [scan.chi2_min], "o", color=_BLUE, ms=3.5, zorder=3)
        if fit is not None:
            ax.plot(
                [],
                [],
                " ",
                label=f"max. likelihood: F = {fit.best:.3f},\n"
                f"F ≤ ½ rejected at {fit.unentangled_rejection_sigma:.1f}σ",
            )
        y_half = float(np.interp(0.5, F, chi2))
        span = max(y_half - scan.chi2_min, 8.0)
        ax.set_ylim(max(0.0, scan.chi2_min - 0.15 * span), scan.chi2_min + 1.35 * span)
        ax.set_xlim(0, 1)
        ax.set_xlabel(r"Fidelity $F$ of the $\chi_1$ part")
        ax.set_ylabel(rf"$\chi^2$ ({scan.dof + 1} points)")
        ax.legend(
            frameon=False,
            fontsize=6,
            ncol=2,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            handlelength=1.6,
            columnspacing=1.0,
        )
    return fig


def _curve_label(curve: str) -> str:
    return {"P0": "0-atom curve", "P1": "1-atom curve", "P2": "2-atom curve"}.get(
        curve, "all curves"
    )


def data_points(data: CountData, method: str = "wilson", cl: float = 0.682689492) -> dict:
    """Fractions (rows, 3) and asymmetric error bars (2, rows, 3) of count data."""
    from .analysis.intervals import interval

    frac = data.fractions()
    lo, hi = interval(data.counts, data.runs[:, None], method, cl)
    return {
        "setting": data.setting,
        "fraction": frac,
        "err": np.stack([np.maximum(frac - lo, 0), np.maximum(hi - frac, 0)]),
    }


def plot_data_vs_model(
    data: CountData,
    params: Params,
    *,
    destroy: bool = False,
    method: str = "wilson",
    cl: float = 0.682689492,
    fit: FidelityFit | None = None,
    points: int = 201,
) -> Figure:
    """Observed fractions of 0, 1, 2 atoms with per-point intervals (``method`` at
    confidence ``cl``) on the entangled (F = 1, solid) and unentangled (F = ½, dashed)
    model curves; with ``fit`` also the best-fit model (dotted) when F < 1."""
    from .analysis.fits import FidelityModel

    plt = _pyplot()
    name = data.setting_name
    x_dense = np.linspace(0.0, float(np.max(data.setting)) * 1.02 or 1.0, int(points))
    model = FidelityModel.from_params(params, name, x_dense, destroy=destroy)
    scale = 1e6 if name == "tau_s" else 1 / np.pi
    xlabel = (
        r"Raman pulse duration $\tau$ ($\mu$s)"
        if name == "tau_s"
        else r"Pulse area $\Omega\tau$ ($\pi$)"
    )
    pts = data_points(data, method, cl)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(3.4, 2.5), layout="constrained")
        for k, sig in enumerate(("P0", "P1", "P2")):
            col = COUNT_COLORS[sig]
            ax.plot(x_dense * scale, model.p_entangled[:, k], "-", color=col, lw=1.0)
            ax.plot(x_dense * scale, model.p_unentangled[:, k], "--", color=col, lw=1.0)
            if fit is not None and fit.best < 1.0:
                ax.plot(x_dense * scale, model.probs(fit.best)[:, k], ":", color=col, lw=1.0)
            ax.errorbar(
                data.setting * scale,
                pts["fraction"][:, k],
                yerr=pts["err"][:, :, k],
                fmt="o",
                ms=2.5,
                color=col,
                elinewidth=0.6,
                capsize=1.2,
                label=COUNT_LABELS[sig],
            )
        handles: list[Any] = [
            plt.Line2D([], [], color="k", ls="-"),
            plt.Line2D([], [], color="k", ls="--"),
        ]
        labels = ["entangled", "unentangled"]
        if fit is not None and fit.best < 1.0:
            handles.append(plt.Line2D([], [], color="k", ls=":"))
            labels.append(f"best fit F = {fit.best:.2f}")
        h, lab = ax.get_legend_handles_labels()
        ax.legend(
            h + handles,
            lab + labels,
            frameon=False,
            fontsize=6,
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


__all__ = ["data_points", "plot_data_vs_model", "plot_fidelity_scan", "save_single"]
