"""Figures of the count-data analysis: the χ²(F) scan (paper Fig. S4) and data against
the entangled and unentangled models (Fig. 2b with points).

Example
-------
>>> import numpy as np
>>> from spinpair.analysis.fits import FidelityScan
>>> s = FidelityScan("P2", np.linspace(0, 1, 11), (np.linspace(0, 1, 11) - 0.9) ** 2 * 100,
...                  0.9, 0.0, (0.8, 1.0), 0.74, 14)
>>> fig = plot_fidelity_scan(s)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .plots import _STYLE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .analysis.fits import FidelityFit, FidelityScan


def plot_fidelity_scan(scan: FidelityScan, fit: FidelityFit | None = None) -> Figure:
    """Δχ²(F) = χ²(F) − χ²_min with the best F, the 68 % band (Δχ² = 1), the one-sided
    95 % bound (Δχ² = 2.71) and F = ½ (no entanglement) marked."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(3.4, 2.4), layout="constrained")
        d = scan.chi2 - scan.chi2_min
        ax.plot(scan.fidelity, d, "k-", label=rf"$\chi^2$ scan, {scan.curve} curve")
        lo, hi = scan.interval_68
        ax.axvspan(lo, hi, color="#0072B2", alpha=0.2, lw=0, label=f"68 %: [{lo:.2f}, {hi:.2f}]")
        ax.axvline(
            scan.lower_95,
            color="#0072B2",
            ls=":",
            lw=1,
            label=f"95 % lower bound {scan.lower_95:.2f}",
        )
        ax.axvline(0.5, color="#D55E00", ls="--", lw=1, label="F = 1/2 (unentangled)")
        ax.axhline(1.0, color="0.5", lw=0.5)
        if fit is not None:
            ax.plot(
                [fit.best],
                [0],
                "o",
                color="#0072B2",
                ms=4,
                label=f"ML: F = {fit.best:.2f}, {fit.unentangled_rejection_sigma:.1f}σ",
            )
        top = max(10.0, float(d[np.argmin(np.abs(scan.fidelity - 0.5))]) * 1.15)
        ax.set_ylim(0, min(top, float(np.max(d)) * 1.05 + 1))
        ax.set_xlim(0, 1)
        ax.set_xlabel(r"Fidelity $F$ of the $\chi_1$ part")
        ax.set_ylabel(r"$\chi^2(F) - \chi^2_{\min}$")
        ax.legend(frameon=False, fontsize=6, loc="lower left")
    return fig


def data_points(data, method: str = "wilson") -> dict:
    """Fractions and asymmetric error bars (2, rows, 3) of count data for plotting."""
    from .analysis.intervals import interval

    frac = data.fractions()
    lo, hi = interval(data.counts, data.runs[:, None], method)
    return {"setting": data.setting, "fraction": frac, "err": np.stack([frac - lo, hi - frac])}


__all__ = ["data_points", "plot_fidelity_scan"]
