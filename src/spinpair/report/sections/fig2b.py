"""Report section "Fig. 2b": the 0/1/2-atom probabilities after the realistic sequence
versus the Raman pulse length, entangled and unentangled (:func:`spinpair.paper.fig2b_data`,
shared with Fig. 3 and Fig. 2b with the virtual data through the context)."""

from __future__ import annotations

from typing import Any

from ... import paper
from ..context import Context, Number, Section

#: The method of the sequence-model numbers of Fig. 2b and 3.
SEQ = "sequence model, preset paper-like"
#: Computed from the paper-like preset, whose imperfections (and 00/chi2 split) are
#: illustrative: so are these numbers (the virtual data of Fig. S4 too).
ILL = "illustrative"


def tau_grid(ctx: Context) -> dict[str, tuple[Any, str, str]]:
    """The pulse-duration grid as a parameter row (``extra`` of
    :func:`spinpair.paper.figure_params`)."""
    return {"tau_s": (f"0 … π pulse, {ctx.half} points", "s", "setting")}


def build(ctx: Context) -> Section:
    """Store the curves in ``res["fig2b"]`` and the values at the π/2 pulse in
    ``res["fig2b_at_half_pi"]``, queue the figure, return the section."""
    from ...plots.paper import plot_entanglement_curves

    res, d2b = ctx.res, ctx.fig2b_curves
    ctx.figs.draw("fig2b", plot_entanglement_curves, {"paper-like preset": d2b})
    res["fig2b"] = {"entangled": d2b.entangled.as_dict(), "unentangled": d2b.unentangled.as_dict()}
    res["fig2b_at_half_pi"] = paper.fig2b_numbers(d2b)
    res["params"]["fig2b"] = paper.figure_params(ctx.p_like, "paper-like", extra=tau_grid(ctx))
    return Section(
        "fig2b",
        "Fig. 2b: the realistic sequence",
        "Probabilities to detect 0 (blue), 1 (red) and 2 (green) atoms after a Raman pulse "
        "of duration τ (0 to a π pulse), ejection of |1⟩ and counting, with the paper-like "
        "preset: chi1 made with probability 0.37 and preparation efficiency 0.93 (paper); "
        "the other imperfections are illustrative. Solid: chi1 fully coherent (entangled); "
        "dashed: the same populations without chi1 coherence (unentangled). The curves "
        "coincide at τ = 0 and differ most at the π/2 pulse.",
        "fig2b.png",
        numbers=[
            Number(
                "τ of the π/2 pulse",
                "fig2b_at_half_pi.tau_s",
                ".3f",
                "µs",
                method="grid point nearest to half the π pulse",
                status="setting",
                rests_on=("raman.rabi_frequency_hz",),
                scale=1e6,
            ),
            Number(
                "P1 entangled at π/2",
                "fig2b_at_half_pi.P1_entangled",
                ".3f",
                method=SEQ,
                status=ILL,
            ),
            Number(
                "P1 unentangled at π/2",
                "fig2b_at_half_pi.P1_unentangled",
                ".3f",
                method=SEQ,
                status=ILL,
            ),
            Number(
                "P2 entangled at π/2",
                "fig2b_at_half_pi.P2_entangled",
                ".3f",
                method=SEQ,
                status=ILL,
            ),
            Number(
                "P2 unentangled at π/2",
                "fig2b_at_half_pi.P2_unentangled",
                ".3f",
                method=SEQ,
                status=ILL,
            ),
        ],
        params=["fig2b"],
    )
