"""Make docs/figures/dynamics.png and print the table of docs/dynamics.md ("What the
models predict for the paper").

Run from the repository root:  .venv/bin/python docs/figures/make_dynamics_figures.py
"""

from pathlib import Path

import numpy as np

from spinpair.dynamics import MODELS, evolve_params
from spinpair.paper import PAPER_POPULATIONS, PAPER_POPULATIONS_STATUS, fig1b_data
from spinpair.params import Params
from spinpair.plots import plot_dynamics, save_figure
from spinpair.species import get_species
from spinpair.studies.prediction import RATE_MODELS, predict_populations

HERE = Path(__file__).parent


def model_table() -> str:
    """chi1 at 100 ms for every model with the coupled-channel a_F (relaxation models:
    S-matrix rates), and its range over the potentials' band: the S-matrix knob variants for
    the relaxation models, a0, a2 = value ± 1σ (a4 fixed, 9 combinations) for the others."""
    rows = [
        "| model | chi1 at 100 ms | over the potentials' band | regime |",
        "|---|---|---|---|",
    ]
    base = Params()
    sp = get_species("rb85")
    a = sp.scattering_lengths_bohr
    s = sp.scattering_lengths_uncertainty_bohr
    for model in MODELS:
        try:
            res = evolve_params(base, [0.1], model=model, outside_regime="warn")
            centre = res.populations()["chi1"][0]
        except ImportError:
            continue
        status = res.info["regime"]["status"]
        if model in RATE_MODELS:
            pr = predict_populations(base, [0.1], model=model, temperature_sigma_k=0.0)
            lo, hi = float(pr.lower["chi1"][0]), float(pr.upper["chi1"][0])
            rows.append(f"| {model} | {centre:.3f} | {lo:.3f} – {hi:.3f} | {status} |")
            continue
        vals = []
        for d0 in (-1, 0, 1):
            for d2 in (-1, 0, 1):
                p = Params(scattering_lengths_bohr={"a0": a[0] + d0 * s[0], "a2": a[2] + d2 * s[2]})
                r = evolve_params(p, [0.1], model=model, outside_regime="ignore")
                vals.append(r.populations()["chi1"][0])
        rows.append(f"| {model} | {centre:.2e} | {min(vals):.2e} – {max(vals):.2e} | {status} |")
    return "\n".join(rows)


if __name__ == "__main__":
    d = fig1b_data(301)
    band = d["band"]
    bands = {
        k: (np.clip(band.lower[k], 0, 1), np.clip(band.upper[k], 0, 1))
        for k, v in band.populations.items()
    }
    save_figure(
        plot_dynamics(
            d["models"],
            d["predicted"],
            paper_point=PAPER_POPULATIONS,
            point_status=PAPER_POPULATIONS_STATUS,
            reference_label="relaxation, S-matrix rates: predicted",
            band=bands,
        ),
        HERE / "dynamics",
    )
    from spinpair.paper import prediction_data
    from spinpair.plots.prediction import plot_prediction_scans

    save_figure(plot_prediction_scans(prediction_data()["scans"]), HERE / "prediction")
    print(model_table())
    i = int(np.argmin(np.abs(band.time_s - 0.1)))
    print(
        "predicted at 100 ms:",
        {
            k: (
                round(float(band.lower[k][i]), 3),
                round(float(v[i]), 3),
                round(float(band.upper[k][i]), 3),
            )
            for k, v in band.populations.items()
        },
    )
