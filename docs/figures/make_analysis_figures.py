"""Make docs/figures/fig_s4.png and docs/figures/fit_data.png (seeded virtual data).

Run from the repository root:  .venv/bin/python docs/figures/make_analysis_figures.py
"""

from pathlib import Path

from spinpair.paper import fig2b_data, figs4_data
from spinpair.plots import plot_entanglement_curves, save_figure
from spinpair.plots_analysis import data_points, plot_fidelity_scan

HERE = Path(__file__).parent

if __name__ == "__main__":
    s4 = figs4_data()
    fit, scan = s4["fit"], s4["scan"]
    save_figure(plot_fidelity_scan(scan, fit), HERE / "fig_s4")
    label = "virtual data, 200 runs per point"
    save_figure(
        plot_entanglement_curves({label: fig2b_data(201)}, data={label: data_points(s4["data"])}),
        HERE / "fit_data",
    )
    for p in HERE.glob("*.pdf"):
        p.unlink()
    print(fit.as_dict())
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in scan.as_dict().items()
           if k not in ("fidelity", "chi2")})
    for m, rows in s4["table"].items():
        print(m, {c: (round(v["chi2"], 1), v["dof"], f"{v['p_value']:.2g}") for c, v in rows.items()})
