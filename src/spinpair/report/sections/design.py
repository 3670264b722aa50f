"""Report section "Design the next experiment": the preparation optimum and the designed
τ points (:func:`spinpair.paper.design_data`)."""

from __future__ import annotations

from typing import Any

from ... import paper
from ..context import DYNAMICS_RESTS_ON, Context, Number, Section


def build(ctx: Context) -> Section:
    """Compute the design study into ``res["design"]``, queue its figure, return the
    section."""
    from ...plots.design import plot_design_summary

    res, figs = ctx.res, ctx.figs
    d = ctx.computed(paper.design_data)
    prep, scan = d["preparation"].as_dict(), d["fidelity_scan"].as_dict()
    res["design"] = {"preparation": prep, "fidelity_scan": scan, "study": _study()}
    res["params"]["design"] = paper.figure_params(ctx.p_pred, "paper-predicted")
    figs.draw("design", plot_design_summary, prep, scan)
    opt, base = prep["optimum"], prep["baseline"]
    land = prep["landscape"] or {}
    kx, ky = land.get("x_knob", "?"), land.get("y_knob", "?")
    sens_rows = [
        [
            k,
            s["unit"],
            f"{opt['knobs'][k]:.4g}",
            f"{s['within_0.01'][0]:.4g} – {s['within_0.01'][1]:.4g}",
            f"{s['span']:.3f}" if s["span"] is not None else "n/a",
        ]
        for k, s in prep["sensitivity"].items()
    ]
    caption = (
        "(a) P(chi1) after the hold, predicted by the relaxation model with S-matrix rates "
        f"(paper-predicted preset), over the two knobs that move it most ({kx}, {ky}; the "
        "other knobs at the optimum), with the paper's conditions (circle) and the optimum "
        "found by `spinpair optimise` (star: seeded differential evolution and Powell, "
        f"{prep['evaluations']} model evaluations). The maximum, "
        f"{opt['objective']:.3f} (range {opt['band']['lower']:.3f}–{opt['band']['upper']:.3f}), "
        f"barely exceeds the paper's point ({base['objective']:.3f}): the contact density "
        "scales every rate alike, so hold time, depth and temperature trade along a ridge, "
        "and the rate ratios that cap chi1 hardly depend on the field. A rate model that "
        "starts in |0,0⟩ cannot prepare chi1 with much more than 0.4; higher probabilities "
        "need another scheme (coherent collisions in the secular regime, or post-selection). "
        "(b) Fisher information about the fidelity per run versus the Raman pulse length "
        "(paper-like preset, 2-atom curve) and the shots of the designed measurement "
        f"({scan['total_shots']} in all, p_loss profiled with an illustrative prior "
        "0.02 ± 0.01): most at the π/2 pulse, the rest at the π pulse, which separates atom "
        "loss from a lower fidelity. The uniform 11-point grid needs "
        f"{scan['shots_ratio']:.2f}× the shots for the same expected interval "
        f"(seeded toys: {scan['toys']['shots_ratio']:.2f}×, F refitted alone)."
    )
    if prep["warnings"]:
        caption += " Warnings: " + "; ".join(prep["warnings"]) + "."
    return Section(
        "design",
        "Design the next experiment: preparation and measurement",
        caption,
        "design.png",
        numbers=[
            Number(
                "best P(chi1) after the hold",
                "design.preparation.optimum.objective",
                ".3f",
                method="relaxation, S-matrix rates, optimised over the knobs",
                status=prep["status"],
                rests_on=DYNAMICS_RESTS_ON,
            ),
            Number(
                "P(chi1) at the paper's conditions",
                "design.preparation.baseline.objective",
                ".3f",
                method="relaxation, S-matrix rates",
                status=prep["status"],
                rests_on=DYNAMICS_RESTS_ON,
            ),
            Number(
                "shots ratio, uniform ÷ designed (Fisher)",
                "design.fidelity_scan.shots_ratio",
                ".2f",
                method="c-optimal design, paper-like preset",
                status="illustrative",
            ),
            Number(
                "shots ratio, uniform ÷ designed (toys)",
                "design.fidelity_scan.toys.shots_ratio",
                ".2f",
                method="seeded virtual experiments",
                status="illustrative",
            ),
        ],
        tables=[
            {
                "caption": "Sensitivity: each knob's range that keeps P(chi1) within 0.01 of "
                "the optimum, and how much P(chi1) changes over the knob's stated range "
                "(results.json → design.preparation.sensitivity)",
                "header": ["knob", "unit", "optimum", "within 0.01", "span over range"],
                "rows": sens_rows,
            }
        ],
        params=["design"],
    )


def _study() -> dict[str, Any]:
    c = dict(paper.DESIGN_STUDY)
    c["nuisance"] = {k: list(v) for k, v in c["nuisance"].items()}
    return c
