"""Figure of the computed pair loss: the zero-atom curve P0 of Fig. 2b (and 3a) with the
m_F-resolved hyperfine-changing loss beside the paper's single fixed probability.

Examples
--------
>>> import numpy as np
>>> from spinpair.paper import paper_like_params
>>> from spinpair.paper import pair_loss_comparison
>>> p = paper_like_params()
>>> tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, 5)
>>> panels = {"Fig. 2b": [pair_loss_comparison(p, tau, dwell_s=1e-3)]}
>>> len(pair_loss_figure(panels).axes)
1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .style import new_figure, style

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Colours of the computed-loss curves, one per dwell (the fixed model is black).
DWELL_COLOURS = ("C0", "C3", "C2", "C4")


def pair_loss_figure(panels: Mapping[str, Sequence[Mapping[str, Any]]]) -> Figure:
    """One panel per entry of ``panels`` (title → list of
    :func:`~spinpair.paper.pair_loss_comparison` results at different
    dwells, same τ grid): P0 versus τ, the fixed model in black (from the first result),
    the computed loss in colour, one colour per dwell; solid entangled, dashed
    unentangled."""
    with style():
        n = len(panels)
        fig, axes = new_figure(1, n, width_in=3.4 * n, height_in=3.0, sharey=True)
        for ax, (title, results) in zip(axes[0], panels.items(), strict=True):
            first = results[0]
            us = np.asarray(first["tau_s"]) * 1e6
            fixed = first["curves"]["fixed"]
            p_fix = first["p_inelastic_pair_fixed"]
            ax.plot(us, fixed["entangled"]["P0"], "k-", lw=1.2, label=f"fixed p = {p_fix:g}, ent.")
            ax.plot(us, fixed["unentangled"]["P0"], "k--", lw=1.2, label="fixed, unent.")
            for d, col in zip(results, DWELL_COLOURS, strict=False):
                c = d["curves"]["computed"]
                lab = f"computed, {d['dwell_s'] * 1e3:.3g} ms"
                ax.plot(us, c["entangled"]["P0"], "-", color=col, lw=1.2, label=lab + ", ent.")
                ax.plot(us, c["unentangled"]["P0"], "--", color=col, lw=1.2, label=lab + ", unent.")
            ax.set_title(title, fontsize="medium")
            ax.set_xlabel(r"Raman pulse duration $\tau$ (µs)")
        axes[0, 0].set_ylabel(r"$P_0$ (zero atoms)")
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=6)
    return fig


__all__ = ["pair_loss_figure"]
