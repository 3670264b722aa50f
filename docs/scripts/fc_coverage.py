"""Coverage of the fidelity intervals at and near the physical boundary F = 1: the
profile-likelihood interval (Δχ² ≤ 1 on the 2-atom curve, what `spinpair fit` reports as
interval_68) against the Feldman–Cousins unified interval
(spinpair.analysis.unified.feldman_cousins), on seeded virtual experiments of the
paper-like preset (15 pulse durations from 0 to a π pulse, RUNS runs each).

Run from the repository root (several minutes; not part of the test suite):

    .venv/bin/python docs/scripts/fc_coverage.py [EXPERIMENTS]

It prints, for each true F, the fraction of experiments whose interval contains it.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from spinpair.analysis.chi2 import fidelity_scan
from spinpair.analysis.model import FidelityModel
from spinpair.analysis.unified import feldman_cousins
from spinpair.montecarlo import simulate_counts
from spinpair.paper import paper_like_params

RUNS = 200
TRUE_F = (1.0, 0.95, 0.8)


def main(experiments: int = 200) -> None:
    p = paper_like_params()
    tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, 15)
    model = FidelityModel.from_params(p, "tau_s", tau)
    for f_true in TRUE_F:
        hit_chi2 = hit_fc = 0
        for seed in range(experiments):
            d = simulate_counts(p, tau_s=tau, runs=RUNS, seed=10_000 + seed, fidelity=f_true)
            lo, hi = fidelity_scan(d, model, "P2").interval_68
            hit_chi2 += lo <= f_true <= hi
            u = feldman_cousins(d, model, "P2", toys=400, grid=51, seed=seed)
            hit_fc += u.interval[0] <= f_true <= u.interval[1]
        n = experiments
        se = np.sqrt(0.6827 * 0.3173 / n)
        print(
            f"F = {f_true:.2f}: coverage of the 68.3 % intervals over {n} experiments "
            f"(±{se:.3f}): Δχ² ≤ 1 {hit_chi2 / n:.3f}, Feldman–Cousins {hit_fc / n:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
