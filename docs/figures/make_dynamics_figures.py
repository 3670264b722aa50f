"""Make docs/figures/dynamics.png and print the scattering-length sensitivity table.

Run from the repository root:  .venv/bin/python docs/figures/make_dynamics_figures.py
"""

from pathlib import Path

import numpy as np

from spinpair.dynamics import MODELS, evolve_params
from spinpair.paper import PAPER_POPULATIONS, fig1b_data
from spinpair.params import Params
from spinpair.plots import plot_dynamics, save_figure

HERE = Path(__file__).parent


def sensitivity_table() -> str:
    """chi1 at 100 ms for every model with the built-in a_F (a0, a2 placeholders), and its
    spread over a0, a2 = placeholder ± 20 a_B (a sensitivity probe, not an uncertainty)."""
    rows = [
        "| model | chi1 at 100 ms (placeholder a0, a2) | over a0, a2 = placeholder ± 20 a_B |",
        "|---|---|---|",
    ]
    base = Params()
    a0, a2 = -445.0, -460.0
    for model in MODELS:
        vals = []
        try:
            centre = evolve_params(base, [0.1], model=model).populations()["chi1"][0]
        except ImportError:
            continue
        for d0 in (-20, 0, 20):
            for d2 in (-20, 0, 20):
                p = Params(scattering_lengths_bohr={"a0": a0 + d0, "a2": a2 + d2})
                vals.append(evolve_params(p, [0.1], model=model).populations()["chi1"][0])
        rows.append(f"| {model} | {centre:.2e} | {min(vals):.2e} – {max(vals):.2e} |")
    return "\n".join(rows)


if __name__ == "__main__":
    d = fig1b_data(301)
    save_figure(
        plot_dynamics(d["models"], d["calibrated"], paper_point=PAPER_POPULATIONS),
        HERE / "dynamics",
    )
    print(sensitivity_table())
    cal = d["calibrated"].populations()
    i = int(np.argmin(np.abs(d["calibrated"].time_s - 0.1)))
    print("calibrated at 100 ms:", {k: round(float(v[i]), 4) for k, v in cal.items()})
