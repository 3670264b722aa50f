"""The first-principles prediction versus field, temperature and trap depth (issue 20).

Draws :class:`~spinpair.studies.prediction.PredictionScan` data (or their ``as_dict``):
one panel per scanned parameter, the populations of 00, chi1 and chi2 at the hold time
with the range the inputs leave open (potentials and temperature), the paper's chi1 = 0.37
at its own conditions, and in the field panel the 8.5 G of the Raman pulses.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.studies.prediction import scan_prediction
>>> s = scan_prediction(Params(), "collisions.field_gauss", [0.0, 5.0, 10.0])
>>> fig = plot_prediction_scans({"collisions.field_gauss": s})
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .paper import STATE_COLORS, STATE_LABELS
from .style import new_figure, style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: x-axis of each scanned key: (label, factor from SI).
_AXES = {
    "collisions.field_gauss": ("Hold field (G)", 1.0),
    "trap.temperature_k": ("Temperature (µK)", 1e6),
    "trap.depth_hz": ("Trap depth $U_0/h$ (MHz)", 1e-6),
    "collisions.hold_time_s": ("Hold time (ms)", 1e3),
}
#: The paper's conditions per key (SI), where its chi1 = 0.37 is drawn.
_PAPER_X = {
    "collisions.field_gauss": 0.5,
    "trap.temperature_k": 40e-6,
    "trap.depth_hz": 22e6,
    "collisions.hold_time_s": 0.1,
}


def _get(scan: Any, name: str) -> Any:
    return scan[name] if isinstance(scan, Mapping) else getattr(scan, name)


def plot_prediction_scans(
    scans: Mapping[str, Any], paper_chi1: float | None = 0.37, raman_field_gauss: float = 8.5
) -> Figure:
    """One panel per scan (key → :class:`PredictionScan` or its dict), side by side."""
    n = len(scans)
    with style():
        fig, axes = new_figure(1, n, width_in=2.3 * n + 1.2, height_in=2.5, sharey=True)
        for ax, (key, scan) in zip(axes[0], scans.items(), strict=True):
            label, factor = _AXES.get(key, (key, 1.0))
            x = np.asarray(_get(scan, "values"), dtype=float) * factor
            pops = _get(scan, "populations")
            lows, highs = _get(scan, "lower"), _get(scan, "upper")
            for k, v in pops.items():
                v = np.asarray(v, dtype=float)
                c = STATE_COLORS.get(k, "k")
                ax.plot(x, v, color=c, label=STATE_LABELS.get(k, k))
                lo = np.clip(np.asarray(lows[k], dtype=float), 0, 1)
                hi = np.clip(np.asarray(highs[k], dtype=float), 0, 1)
                ax.fill_between(x, lo, hi, color=c, alpha=0.22, lw=0)
            if paper_chi1 is not None and key in _PAPER_X:
                ax.plot(
                    [_PAPER_X[key] * factor],
                    [paper_chi1],
                    "o",
                    color="k",
                    ms=4,
                    zorder=4,
                    label=f"paper: $\\chi_1$ = {paper_chi1:g}",
                )
            if key == "collisions.field_gauss" and raman_field_gauss is not None:
                ax.axvline(raman_field_gauss, color="0.5", ls=":", lw=0.8)
                ax.text(
                    raman_field_gauss,
                    0.97,
                    " Raman\n field",
                    va="top",
                    ha="left",
                    fontsize=6,
                    color="0.35",
                )
            ax.set_xlabel(label)
            ax.set_xlim(x.min(), x.max())
        axes[0, 0].set_ylim(0, 1)
        t = float(_get(next(iter(scans.values())), "time_s"))
        axes[0, 0].set_ylabel(f"Population at {t * 1e3:g} ms")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=len(labels), frameon=False)
    return fig


__all__ = ["plot_prediction_scans"]
