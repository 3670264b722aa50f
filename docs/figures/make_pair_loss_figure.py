"""Make docs/figures/pair_loss.png and print the numbers docs/sequence.md quotes: paper
Fig. 2b and Fig. 3a (zero-atom curve P0) with the computed inelastic pair loss beside the
paper's fixed probability.

Run from the repository root:  .venv/bin/python docs/figures/make_pair_loss_figure.py
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pathlib import Path

import numpy as np

from spinpair.paper import pair_loss_comparison, paper_like_params
from spinpair.plots.pair_loss import pair_loss_figure
from spinpair.plots.style import save_single
from spinpair.sequence.pair_loss import equivalent_dwell_s, pair_loss_rates

HERE = Path(__file__).parent
DWELL_S = 1e-3  # the default setting: the paper gives no transfer-to-push-out time


def main() -> None:
    p = paper_like_params()
    tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, 41)  # 0 to a pi pulse
    t_eq = equivalent_dwell_s(p)
    rates = pair_loss_rates(p)
    print(
        f"contact density rho_c = {rates.contact_density_m3:.3g} m^-3 "
        f"at {rates.field_gauss} G, {rates.temperature_k * 1e6:g} uK"
    )
    for m, gs, ga, (ke, ko) in zip(
        rates.m_values,
        rates.symmetric_per_s,
        rates.antisymmetric_per_s,
        rates.rate_coefficients_m3_s,
        strict=True,
    ):
        print(
            f"  |3,1>|2,{m:+d}>: K_even {ke:.3e}  K_odd {ko:.3e} m^3/s;  "
            f"Gamma_S {gs:.2f} /s  Gamma_A {ga:.3f} /s"
        )
    print(
        f"equivalent dwell (p = {p.imperfections.p_inelastic_pair} for chi1's pair): "
        f"{t_eq * 1e3:.1f} ms"
    )
    results = {}
    for destroy in (False, True):
        for dwell in (DWELL_S, t_eq):
            d = pair_loss_comparison(p, tau, destroy=destroy, dwell_s=dwell)
            results[(destroy, dwell)] = d
            name = "Fig. 3a" if destroy else "Fig. 2b"
            print(
                f"{name}, dwell {dwell * 1e3:.1f} ms: max |P0(ent) - P0(unent)|: "
                f"fixed {d['p0_separation']['fixed']['max_abs_dP0']:.4f} "
                f"(tau {d['p0_separation']['fixed']['tau_s'] * 1e6:.2f} us), "
                f"computed {d['p0_separation']['computed']['max_abs_dP0']:.4f} "
                f"(tau {d['p0_separation']['computed']['tau_s'] * 1e6:.2f} us); "
                f"max |dP2| fixed vs computed {d['p2_unchanged']:.2g}"
            )
            for model in ("fixed", "computed"):
                c = d["curves"][model]
                i = len(tau) // 2
                print(
                    f"    {model:8s} P0 at pi/2: entangled {c['entangled']['P0'][i]:.4f}, "
                    f"unentangled {c['unentangled']['P0'][i]:.4f}; at 0: "
                    f"{c['entangled']['P0'][0]:.4f}"
                )
    fig = pair_loss_figure(
        {
            "Fig. 2b": [results[(False, DWELL_S)], results[(False, t_eq)]],
            "Fig. 3a (destroyed)": [results[(True, DWELL_S)], results[(True, t_eq)]],
        }
    )
    save_single(fig, HERE / "pair_loss.png", dpi=150)


if __name__ == "__main__":
    main()
