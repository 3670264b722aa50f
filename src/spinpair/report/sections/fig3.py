"""Report section "Fig. 3": the sequence with the entanglement-destruction step (a) beside
the one without (b, as Fig. 2b)."""

from __future__ import annotations

from ... import paper
from ..context import Context, Number, Section
from .fig2b import ILL, SEQ, tau_grid


def build(ctx: Context) -> Section:
    """Store the curves with destruction in ``res["fig3a"]`` and their values at the π/2
    pulse in ``res["fig3a_at_half_pi"]``, queue the figure, return the section."""
    from ...plots.paper import plot_entanglement_curves

    res, d2b, d3a = ctx.res, ctx.fig2b_curves, ctx.fig3a_curves
    ctx.figs.draw(
        "fig3",
        plot_entanglement_curves,
        {"a: with entanglement destruction": d3a, "b: without (interleaved)": d2b},
    )
    res["fig3a"] = {"entangled": d3a.entangled.as_dict(), "unentangled": d3a.unentangled.as_dict()}
    res["fig3a_at_half_pi"] = paper.fig2b_numbers(d3a)
    res["params"]["fig3"] = paper.figure_params(
        ctx.p_like,
        "paper-like",
        extra={**tau_grid(ctx), "destroy": ("on in panel a", "", "setting")},
    )
    return Section(
        "fig3",
        "Fig. 3: entanglement destruction",
        "(a) With the destruction step (extra atom loss from heating) between the "
        "collisions and the Raman pulse; solid: the chi1 coherence survives (entangled), "
        "dashed: it is destroyed (equal mixture of chi1 and chi_minus, unentangled). The "
        "paper's data follow the dashed curves. (b) Without destruction (as Fig. 2b), "
        "interleaved in the experiment.",
        "fig3.png",
        numbers=[
            Number(
                "P1 entangled at π/2, with destruction",
                "fig3a_at_half_pi.P1_entangled",
                ".3f",
                method=SEQ + ", destroy step on",
                status=ILL,
            ),
            Number(
                "P1 unentangled at π/2, with destruction",
                "fig3a_at_half_pi.P1_unentangled",
                ".3f",
                method=SEQ + ", destroy step on",
                status=ILL,
            ),
        ],
        params=["fig3"],
    )
