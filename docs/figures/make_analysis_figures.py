"""Make docs/figures/fig_s4.png and docs/figures/fit_data.png and print the numbers that
docs/analysis.md quotes (fit of a virtual paper-like dataset, coverage, planning).

Run from the repository root:  .venv/bin/python docs/figures/make_analysis_figures.py
"""

from pathlib import Path

import numpy as np

from spinpair.analysis import FidelityModel, chi2_table, fidelity_likelihood, fidelity_scan
from spinpair.analysis.fidelity import model_curves
from spinpair.analysis.planning import plan_runs
from spinpair.montecarlo import sample_counts, simulate_counts
from spinpair.paper import preset_path
from spinpair.params import Params
from spinpair.plots.analysis import plot_data_vs_model, plot_fidelity_scan
from spinpair.plots.style import save_single

HERE = Path(__file__).parent


def main() -> None:
    p = Params.from_toml(preset_path("paper-like"))
    tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, 15)  # 0 to a pi pulse
    data = simulate_counts(p, tau_s=tau, runs=200, seed=2024)  # chi1 fully coherent
    model = FidelityModel.from_params(p, "tau_s", tau)

    scan = fidelity_scan(data, model, "P2")
    fit = fidelity_likelihood(data, model, "P2")
    fit_all = fidelity_likelihood(data, model, "all")
    save_single(plot_fidelity_scan(scan, fit), HERE / "fig_s4.png")
    save_single(plot_data_vs_model(data, model_curves(data, p), fit=fit), HERE / "fit_data.png")

    print("Table S1 analogue (chi2/dof, p):")
    for m, rows in chi2_table(data, model).items():
        print(
            f"  {m:12s}",
            "  ".join(
                f"{c}: {v['chi2']:.1f}/{v['dof']} (p={v['p_value']:.2g})" for c, v in rows.items()
            ),
        )
    print(f"chi2 scan P2: {scan.as_dict(grid=False)}")
    print(f"likelihood P2: {fit.as_dict()}")
    print(f"likelihood all: {fit_all.as_dict()}")

    rng = np.random.default_rng(1)
    for truth in (0.5, 0.8, 1.0):
        hits = low = 0
        trials = 1000
        for _ in range(trials):
            d = sample_counts(model.probs(truth), "tau_s", tau, 200, rng=rng)
            f = fidelity_likelihood(d, model, "P2")
            hits += f.interval_68[0] <= truth <= f.interval_68[1]
            low += f.lower_95 <= truth
        print(f"coverage at F = {truth}: 68 %: {hits / trials:.3f}, 95 % lower: {low / trials:.3f}")

    for curve in ("P2", "all"):
        plan = plan_runs(model, "tau_s", tau, sigma=3.0, probability=0.9, curve=curve, trials=400)
        print(
            f"plan {curve}: {plan.runs_per_setting} runs/setting "
            f"(Asimov {plan.asimov_runs_per_setting:.0f})"
        )


if __name__ == "__main__":
    main()
