"""Report section "Fig. 2a": the ideal readout of chi1 and of the unentangled mixture versus
the Raman pulse area (:func:`spinpair.paper.fig2a_data`)."""

from __future__ import annotations

import numpy as np

from ... import paper
from ..context import Context, Number, Section


def build(ctx: Context) -> Section:
    """Compute the counts into ``res["fig2a"]`` and their values at Ωτ = π/2 into
    ``res["fig2a_at_half_pi"]``, queue the figure, return the section."""
    from ...plots.paper import plot_counts_vs_area

    res, points = ctx.res, ctx.points
    d2a = paper.fig2a_data(points)
    ctx.figs.draw(
        "fig2a",
        plot_counts_vs_area,
        {"chi1 (entangled)": d2a["chi1"], "mixed (unentangled)": d2a["mixed"]},
    )
    res["fig2a"] = {name: c.as_dict() for name, c in d2a.items()}
    i_half = int(np.argmin(np.abs(np.asarray(d2a["chi1"].setting) - np.pi / 2)))
    res["fig2a_at_half_pi"] = {
        "area": float(d2a["chi1"].setting[i_half]),
        **{f"{k}_P1": float(c.P1[i_half]) for k, c in d2a.items()},
    }
    res["params"]["fig2a"] = {
        "preset": "none: ideal readout",
        "values": {"state": ["chi1", "mixed"], "imperfections": "none"},
        "rows": [
            {
                "key": "state",
                "value": "chi1, mixed",
                "unit": "",
                "status": "setting",
                "source": "this figure",
            },
            {
                "key": "area",
                "value": f"0 … π, {points} points",
                "unit": "rad",
                "status": "setting",
                "source": "this figure",
            },
            {
                "key": "imperfections",
                "value": "none (ideal Raman pulse and readout)",
                "unit": "",
                "status": "setting",
                "source": "this figure",
            },
        ],
    }
    return Section(
        "fig2a",
        "Fig. 2a: ideal readout",
        "Probabilities to keep 1 (red) or 2 (green) atoms after a Raman pulse of area Ωτ "
        "and removal of atoms in |1⟩; solid: chi1 (entangled), dashed: the equal mixture of "
        "|1,−1⟩ and |−1,1⟩ (unentangled). P0 = P2 in both cases. At Ωτ = π/2, chi1 gives "
        "P1 = 0 and the mixture P1 = 1/2.",
        "fig2a.png",
        numbers=[
            Number(
                "P1 of chi1 at Ωτ = π/2",
                "fig2a_at_half_pi.chi1_P1",
                ".3f",
                method="ideal readout, closed form",
                status="computed",
            ),
            Number(
                "P1 of the mixture at Ωτ = π/2",
                "fig2a_at_half_pi.mixed_P1",
                ".3f",
                method="ideal readout, closed form",
                status="computed",
            ),
        ],
        params=["fig2a"],
    )
