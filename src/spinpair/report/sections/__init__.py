"""The report's sections, one module (a "room") per figure or table, in page order.

Each module has ``build(ctx: spinpair.report.context.Context) -> Section``: it computes its
data into ``ctx.res`` (the content of ``results.json``), queues its figure with
``ctx.figs.draw(stem, plot_function, *data)`` and returns the
:class:`~spinpair.report.context.Section` that the page shows. :data:`SECTIONS` is the one
registry: :func:`spinpair.report.build.compute` runs the modules in its order, which is also
the order on the page. To add a figure, write one module here and add it to the tuple.

Inputs that several sections use (presets, the Fig. 2b curves, the virtual data) are
computed once, on first use, by the context (:class:`~spinpair.report.context.Context`).

Examples
--------
>>> [m.__name__.rsplit(".", 1)[1] for m in SECTIONS][:3]
['fig1b', 'prediction', 'fig2a']
"""

from __future__ import annotations

from types import ModuleType

from . import (
    design,
    fig1b,
    fig2a,
    fig2b,
    fig2b_data,
    fig3,
    fig4,
    figS4,
    implied_map,
    pair_loss,
    prediction,
    zeeman,
)

#: The section modules in page order (paper order, then what spinpair adds).
SECTIONS: tuple[ModuleType, ...] = (
    fig1b,
    prediction,
    fig2a,
    fig2b,
    fig3,
    pair_loss,
    figS4,
    fig2b_data,
    fig4,
    implied_map,
    design,
    zeeman,
)

__all__ = ["SECTIONS"]
