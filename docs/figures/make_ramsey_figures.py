"""Make docs/figures/ramsey_fringes.png and ramsey_crb.png and print the tables of
docs/ramsey.md (fringe periods, SQL thresholds).

Run from the repository root:  .venv/bin/python docs/figures/make_ramsey_figures.py
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only cost time

from pathlib import Path

import numpy as np

from spinpair.analysis.fringes import fit_fringe, fit_fringe_counts, fringe_period_table
from spinpair.metrology import (
    cramer_rao_bound_hz,
    detuning_per_gauss,
    heisenberg_fisher,
    preparation_curves,
    preparation_fisher,
    sql_fisher,
    sql_thresholds,
)
from spinpair.paper import paper_like_params
from spinpair.params import Params
from spinpair.plots.ramsey import (
    FringeTrace,
    plot_crb_vs_preparation,
    plot_ramsey_fringes,
    save_figure,
)
from spinpair.sequence.ramsey_scan import default_detunings, expected_periods, ramsey_signals

HERE = Path(__file__).parent
WAIT = 5e-6  # s, paper Fig. 4
RUNS = 200  # runs per detuning in the virtual experiment
SEED = 2026


def save_png(fig, name: str) -> None:
    """Save the PNG only (the docs show PNGs; save_figure also writes a PDF)."""
    for path in save_figure(fig, HERE / name):
        if path.suffix == ".pdf":
            path.unlink()


def fringe_figure() -> None:
    """Fig. 4 analogue: virtual data (paper-like preset) with fitted fringes."""
    params = paper_like_params()
    rng = np.random.default_rng(SEED)
    tau = 0.25 / params.raman.rabi_frequency_hz
    det = default_detunings(WAIT, tau, points=61)
    pair = ramsey_signals(params, "collisions", WAIT, None, det)
    ref = ramsey_signals(params, "1,1", WAIT, None, det)
    panels = {}
    for title, sig in (
        (r"Collision products ($\chi_1$ with $p = 0.37$), virtual data", pair),
        (r"Unentangled: both atoms start in $|1\rangle$", ref),
    ):
        counts = np.array([rng.multinomial(RUNS, p / p.sum()) for p in sig.probabilities])
        traces = []
        k1 = counts[:, 1]
        fit1 = fit_fringe_counts(det, k1, RUNS)
        p1 = k1 / RUNS
        traces.append(
            FringeTrace(
                "P1 (one atom)",
                det,
                p1,
                np.sqrt(np.clip(p1 * (1 - p1), 1e-4, None) / RUNS),
                fit1,
                "#c0392b",
                sig.P1,
            )
        )
        if sig is ref:
            x = (counts[:, 1] * 0.5 + counts[:, 2] * 1.0) / RUNS  # per-atom survival
            x2 = (counts[:, 1] * 0.25 + counts[:, 2] * 1.0) / RUNS
            err = np.sqrt(np.clip(x2 - x**2, 1e-4, None) / RUNS)
            fit_s = fit_fringe(det, x, err)
            traces.append(
                FringeTrace("survival (per atom)", det, x, err, fit_s, "#0072B2", sig.survival)
            )
        panels[title] = traces
    save_png(plot_ramsey_fringes(panels), "ramsey_fringes")


def period_tables() -> None:
    """Fringe periods at the paper's T = 5 µs, Ω/2π = 156 kHz, ideal sequence."""
    params = Params()
    tau = 0.25 / params.raman.rabi_frequency_hz
    exp = expected_periods(WAIT, tau)
    print(
        f"T = {WAIT * 1e6:g} us, tau = {tau * 1e6:.4f} us, T_eff = {1e6 / exp['single_atom']:.4f}"
        f" us; 1/(2 T_eff) = {exp['pair'] / 1e3:.2f} kHz, 1/T_eff = {exp['single_atom'] / 1e3:.2f}"
        " kHz"
    )
    print("| state | signal | fitted period (kHz) | first-order period (kHz) | amplitude |")
    print("|---|---|---|---|---|")
    for r in fringe_period_table(params, WAIT):
        per = "no fringe" if r["period_hz"] is None else f"{r['period_hz'] / 1e3:.2f}"
        expd = "—" if r["expected_period_hz"] is None else f"{r['expected_period_hz'] / 1e3:.2f}"
        print(f"| {r['state']} | {r['signal']} | {per} | {expd} | {r['contrast']:.3f} |")
    print("\nchi1 P1 fitted period versus the width of the scan (ideal):")
    for span in (0.5, 1.0, 2.0, 3.0):
        det = default_detunings(WAIT, tau, span / (WAIT + 4 * tau / np.pi), 241)
        s = ramsey_signals(params, "chi1", WAIT, None, det, ideal=True)
        one = ramsey_signals(params, "single", WAIT, None, det, ideal=True)
        a = fit_fringe(det, s.P1).period_hz
        b = fit_fringe(det, one.survival).period_hz
        print(
            f"  span {span:.1f}/T_eff = ±{det[-1] / 1e3:.0f} kHz: chi1 {a / 1e3:.2f} kHz, "
            f"single atom {b / 1e3:.2f} kHz, ratio {b / a:.3f}"
        )
    inst = ramsey_signals(params, "chi1", WAIT, None, det, ideal=True, instantaneous=True)
    print(
        f"  instantaneous pulses: chi1 {fit_fringe(det, inst.P1).period_hz / 1e3:.2f} kHz "
        f"(1/(2T) = {0.5 / WAIT / 1e3:.2f} kHz)"
    )


def metrology() -> None:
    """CRB versus preparation probability, thresholds table."""
    ideal = Params()
    like = paper_like_params()
    slope = detuning_per_gauss(ideal.species_data(), ideal.raman.field_gauss)
    c_ideal = preparation_curves(ideal, WAIT, ideal=True)
    c_like = preparation_curves(like, WAIT)
    T_eff = c_ideal.effective_time_s
    ps = np.linspace(0.05, 1.0, 96)
    res = [preparation_fisher(c_ideal, p, 1.0) for p in ps]
    res9 = [preparation_fisher(c_ideal, p, 0.9) for p in ps]
    res_like = [preparation_fisher(c_like, p, 1.0) for p in ps]
    bounds = {
        "no post-selection, $F_{\\chi_1}=1$": cramer_rao_bound_hz([r.per_run for r in res]),
        "no post-selection, $F_{\\chi_1}=0.9$": cramer_rao_bound_hz([r.per_run for r in res9]),
        "post-selected, per attempt, $F_{\\chi_1}=1$": cramer_rao_bound_hz(
            [r.postselected_per_attempt for r in res]
        ),
        "post-selected, per attempt, $F_{\\chi_1}=0.9$": cramer_rao_bound_hz(
            [r.postselected_per_attempt for r in res9]
        ),
        "per kept run, $F_{\\chi_1}=1$": cramer_rao_bound_hz([r.per_postselected_run for r in res]),
        "per kept run, paper-like imperfections": cramer_rao_bound_hz(
            [r.per_postselected_run for r in res_like]
        ),
    }
    fig = plot_crb_vs_preparation(
        ps,
        bounds,
        float(cramer_rao_bound_hz(sql_fisher(T_eff))),
        slope_hz_per_gauss=slope,
        heisenberg_bound_hz=float(cramer_rao_bound_hz(heisenberg_fisher(T_eff))),
    )
    save_png(fig, "ramsey_crb")
    sql = sql_fisher(T_eff)
    print(
        f"\nT_eff = {T_eff * 1e6:.4f} us, F_SQL = {sql:.4g} /Hz^2, SQL bound per run "
        f"{1 / np.sqrt(sql) / 1e3:.2f} kHz = {1 / np.sqrt(sql) / slope * 1e3:.2f} mG;"
        f" slope {slope / 1e6:.4f} MHz/G"
    )
    print(
        "| sequence | chi1 fidelity | p* no post-selection | p* post-selected (per attempt) |"
        " F* per kept run |"
    )
    print("|---|---|---|---|---|")
    for label, c in (("ideal, finite pulses", c_ideal), ("paper-like imperfections", c_like)):
        for F in (1.0, 0.95, 0.9, 0.8, 0.7):
            t = sql_thresholds(c, F)

            def fmt(v):
                return "never" if v is None else f"{v:.3f}"

            print(
                f"| {label} | {F:.2f} | {fmt(t['per_run'])} | "
                f"{fmt(t['postselected_per_attempt'])} | "
                f"{fmt(t['fidelity_per_postselected_run'])} |"
            )
    for label, c in (("ideal", c_ideal), ("paper-like", c_like)):
        r = preparation_fisher(c, 0.37, 1.0)
        rr = r.as_dict()["ratio_to_sql"]
        print(
            f"p = 0.37, F = 1, {label}: F/F_SQL per run {rr['per_run']:.3f}, post-selected per "
            f"attempt {rr['postselected_per_attempt']:.3f}, per kept run "
            f"{rr['per_postselected_run']:.3f} (acceptance {r.acceptance:.3f})"
        )


if __name__ == "__main__":
    fringe_figure()
    period_tables()
    metrology()
