"""Figure of a calibration: the nll profile of every free parameter.

One panel per free parameter: Δnll (the others re-minimised) against the parameter on
the profile's fixed grid, the 68 % level (Δnll = ½) and the Δnll = 2 window, every
reported minimum (marker) with its MINOS 68 % interval where one was found, and the
profile's identifiability status in the title. Built with the object-oriented API
(:class:`matplotlib.figure.Figure`), no pyplot state and no backend switching; saved
atomically. Plotting computes no statistics.

Examples
--------
>>> import numpy as np
>>> from spinpair.analysis.calibrate import Profile
>>> dnll = np.array([9, 4, 1, 0, 1, 4, 9.0])
>>> prof = Profile("a0", np.linspace(-600, -300, 7), dnll, "identified")
>>> fig = plot_profiles({"a0": prof})
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..analysis.calibrate import CalibrationResult, Minimum, Profile

_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_UNITS = {"rate_scale": "rate_scale (dimensionless)"}


def plot_profiles(
    profiles: Mapping[str, Profile],
    minima: Sequence[Minimum] = (),
    verdict: str | None = None,
) -> Figure:
    """Δnll profiles (one panel per parameter) with the reported minima and intervals."""
    from matplotlib.figure import Figure

    names = list(profiles)
    n = max(1, len(names))
    fig = Figure(figsize=(3.4 * n, 3.0), dpi=150, layout="constrained")
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, name in zip(axes, names, strict=False):
        p = profiles[name]
        ax.plot(p.values, p.delta_nll, "o-", color="0.2", ms=3, lw=1, label="profile")
        ax.axhline(0.5, color="0.5", ls="--", lw=0.8, label="Δnll = ½ (68 %)")
        ax.axhline(2.0, color="0.5", ls=":", lw=0.8, label="Δnll = 2")
        for i, m in enumerate(minima):
            c = _COLORS[i % len(_COLORS)]
            ax.plot([m.values[name]], [m.delta_nll], "D", color=c, ms=5, label=f"minimum {i + 1}")
            iv = m.intervals.get(name)
            if iv is not None:
                ax.axvspan(iv[0], iv[1], color=c, alpha=0.2, lw=0)
        finite = p.delta_nll[np.isfinite(p.delta_nll)]
        top = min(float(np.max(finite)) if finite.size else 10.0, 10.0)
        ax.set_ylim(-0.2, max(top, 3.0))
        near = np.asarray(p.values)[np.isfinite(p.delta_nll) & (p.delta_nll < 10.0)]
        if near.size and name != "rate_scale":
            pad = max(0.1 * (near.max() - near.min()), 20.0)
            ax.set_xlim(near.min() - pad, near.max() + pad)
        if name == "rate_scale":
            ax.set_xscale("log")
        ax.set_xlabel(_UNITS.get(name, f"{name} (Bohr radii)"))
        ax.set_ylabel("Δnll")
        ax.set_title(f"{name}: {p.status}", fontsize=8)
    axes[0].legend(fontsize=6, loc="upper right")
    if verdict:
        fig.suptitle(verdict if len(verdict) < 90 else verdict[:87] + "…", fontsize=8)
    return fig


def plot_calibration(result: CalibrationResult) -> Figure:
    """:func:`plot_profiles` of a :class:`~spinpair.analysis.calibrate.CalibrationResult`."""
    return plot_profiles(result.profiles, result.minima, result.verdict)


__all__ = ["plot_calibration", "plot_profiles"]
