"""Report section "Predictions to test": 00, chi1 and chi2 after 100 ms versus the field,
the temperature and the trap depth, one at a time (:func:`spinpair.paper.prediction_data`)."""

from __future__ import annotations

import numpy as np

from ... import paper
from ..context import DYNAMICS_RESTS_ON, Context, Number, Section


def build(ctx: Context) -> Section:
    """Compute the scans into ``res["prediction_scans"]`` and the populations at 8.5 G into
    ``res["prediction_at_8p5G"]``, queue the figure, return the section."""
    from ...plots.prediction import plot_prediction_scans

    res = ctx.res
    dpred = ctx.computed(paper.prediction_data)
    res["prediction_scans"] = {k: sc.as_dict() for k, sc in dpred["scans"].items()}
    res["params"]["prediction"] = paper.figure_params(ctx.p_pred, "paper-predicted")
    ctx.figs.draw("prediction", plot_prediction_scans, res["prediction_scans"])
    fs = dpred["scans"]["collisions.field_gauss"]
    i85 = int(np.argmin(np.abs(fs.values - 8.5)))
    res["prediction_at_8p5G"] = {
        k: {
            "value": float(v[i85]),
            "lower": float(fs.lower[k][i85]),
            "upper": float(fs.upper[k][i85]),
            "status": "computed",
        }
        for k, v in fs.populations.items()
    }
    return Section(
        "prediction",
        "Predictions to test: field, temperature and trap depth",
        "00, chi1 and chi2 after 100 ms predicted by the paper-predicted preset versus "
        "one condition at a time (the others at the paper's: 0.5 G, 40 µK, h × 22 MHz), "
        "with the range the inputs leave open. Field: the quadratic Zeeman energy "
        "(36 Hz × (B/0.5 G)² for chi1) "
        "enters the S-matrix and the detailed balance; at the 8.5 G of the Raman pulses "
        "the collisions keep running at a similar rate (no freeze). Temperature and depth "
        "set the contact density and the collision energies. The trap depth is read as "
        "h × 22 MHz (U0/k_B = 1.06 mK); the appendix's ħ × 22 MHz (h × 3.5 MHz, "
        "U0/k_B = 0.17 mK) would hold a 40 µK pair only 4 k_BT deep, outside this "
        "package's harmonic models (k_BT ≤ U0/10). The paper's 0.37 is read as the chi1 "
        "fraction among pairs prepared in |0,0⟩ (0.32 of all pairs with the 0.93 "
        "preparation per atom); paper_like_params(chi1_reading='overall') selects the other "
        "reading (docs: physics, two readings).",
        "prediction.png",
        numbers=[
            Number(
                f"{k} at 100 ms and 8.5 G",
                f"prediction_at_8p5G.{k}.value",
                ".3f",
                method="relaxation, S-matrix rates at 8.5 G",
                status="computed",
                rests_on=DYNAMICS_RESTS_ON,
            )
            for k in ("00", "chi1", "chi2")
        ],
        params=["prediction"],
    )
