"""Figures from data objects, in one house style (:mod:`spinpair.plots.style`).

One module per stage of the flow: :mod:`~spinpair.plots.paper` (the paper's Fig. 1b-3),
:mod:`~spinpair.plots.analysis` (data against model, Fig. S4), :mod:`~spinpair.plots.ramsey`
(Fig. 4 and metrology), :mod:`~spinpair.plots.implied` (what the paper implies for the
scattering lengths) and :mod:`~spinpair.plots.calibrate` (calibration profiles). Plotting
never computes physics and never switches the matplotlib backend; matplotlib is imported
only when a figure is drawn.
"""

from .paper import plot_counts_vs_area, plot_dynamics, plot_entanglement_curves
from .style import STYLE_PATH, new_figure, save_figure, save_single, style

__all__ = [
    "STYLE_PATH",
    "new_figure",
    "plot_counts_vs_area",
    "plot_dynamics",
    "plot_entanglement_curves",
    "save_figure",
    "save_single",
    "style",
]
