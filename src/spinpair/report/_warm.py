"""Preloaded by the forkserver of the figure-saving workers of
:func:`spinpair.report.build.reproduce`, never imported by the main process.

Importing this module imports the plotting modules, the classes of the figure jobs' data,
and matplotlib's figure, Agg, PDF, mathtext and font-subsetting code, and saves one small
styled figure as PNG and PDF into memory, so that the font files, the mathtext grammar and
the renderers' caches are loaded once, in the forkserver, and inherited by every worker it
forks. Nothing is written to disk and no figure is kept.
"""

from __future__ import annotations

import io

from ..analysis import chi2, fringes  # noqa: F401  (the classes of the jobs' data)
from ..dynamics import implied as implied_maps  # noqa: F401
from ..plots import analysis, implied, paper, ramsey  # noqa: F401  (what the jobs draw with)
from ..sequence import ramsey_scan  # noqa: F401
from . import _save_worker  # noqa: F401  (the workers' tasks, imported once here)


def _warm_up() -> None:
    """Draw and save (into memory) one small figure with the package style: a log axis,
    mathtext labels and a legend, as the report's figures have."""
    from ..plots.style import _fast_save, new_figure, style

    with style():
        fig, axes = new_figure(width_in=2.0, height_in=1.5)
        ax = axes[0, 0]
        ax.plot([1e-3, 1.0], [0.5, -0.5], label=r"$\chi_1$")
        ax.set_xscale("log")
        ax.set_xlabel(r"$\tau$ (µs)")
        ax.set_title("a", loc="left")
        ax.legend()
    with style(), _fast_save():
        for fmt in ("png", "pdf"):
            fig.savefig(io.BytesIO(), format=fmt)


_warm_up()
