"""Report section "Fig. 2b with the virtual data": the seeded virtual dataset of Fig. S4 as
points with Wilson intervals on Fig. 2b's model curves."""

from __future__ import annotations

from ..context import Context, Section
from .figS4 import virtual_params


def build(ctx: Context) -> Section:
    """Store the virtual counts in ``res["virtual_data"]``, queue the figure, return the
    section."""
    from ...analysis.intervals import data_points
    from ...plots.paper import plot_entanglement_curves

    res, s4 = ctx.res, ctx.virtual
    runs, seed = ctx.VIRTUAL_RUNS, ctx.VIRTUAL_SEED
    label = f"virtual data, {runs} runs per point"
    ctx.figs.draw(
        "fig2b_data",
        plot_entanglement_curves,
        {label: ctx.fig2b_curves},
        data={label: data_points(s4["data"])},
    )
    res["virtual_data"] = {
        "runs_per_point": runs,
        "points": ctx.VIRTUAL_POINTS,
        "seed": seed,
        "setting_name": s4["data"].setting_name,
        "setting": s4["data"].setting,
        "counts": s4["data"].counts,
    }
    res["params"]["fig2b_data"] = virtual_params(ctx)
    return Section(
        "fig2b_data",
        "Fig. 2b with the virtual data",
        f"The virtual dataset of Fig. S4 ({runs} runs per point, seed {seed}; results.json "
        "→ virtual_data) as points with 68 % Wilson intervals on the entangled (solid) and "
        "unentangled (dashed) model curves of Fig. 2b.",
        "fig2b_data.png",
        params=["fig2b_data"],
    )
