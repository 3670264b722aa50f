"""``spinpair simulate``, ``spinpair fit`` and ``spinpair plan`` (contract: ``CLI.md``).

``fit`` prints ``fidelity``, ``fidelity_interval_68``, ``fidelity_lower_95``,
``chi2_table`` (per model and curve: ``chi2``, ``dof``, ``p_value``) and
``unentangled_rejection_sigma`` from the maximum-likelihood fit, plus ``fidelity_scan``
(the χ²(F) result of paper Fig. S4), ``curve`` and ``method``.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .errors import InputError

_CURVE_ALIASES = {"0": "P0", "1": "P1", "2": "P2", "P0": "P0", "P1": "P1", "P2": "P2", "all": "all"}


def _curve(name: str) -> str:
    if name not in _CURVE_ALIASES:
        raise InputError("--curve", name, "0, 1, 2 or all (the 2-atom curve by default)")
    return _CURVE_ALIASES[name]


def _nuisance(items: list[str] | None) -> dict[str, tuple[float, float]]:
    from .imperfections import IMPERFECTION_DOCS

    out = {}
    for item in items or []:
        try:
            key, rest = item.split("=")
            mean, sigma = (float(x) for x in rest.split(","))
        except ValueError:
            raise InputError("--nuisance", item, "KEY=MEAN,SIGMA, e.g. p_loss=0.02,0.01") from None
        if key not in IMPERFECTION_DOCS or key in ("detection", "prep_error_weights"):
            raise InputError("--nuisance", key, "a probability-valued imperfection key")
        if not (0 <= mean <= 1) or not sigma > 0:
            raise InputError(f"--nuisance {key}", item, "mean in [0, 1] and sigma > 0")
        out[key] = (mean, sigma)
    return out


def cmd_simulate(a: argparse.Namespace) -> int:
    """Write seeded virtual count data (CSV) from the sequence model."""
    from .analysis.data import write_csv
    from .cli import _scan_setting, load_params
    from .montecarlo import simulate_counts

    if not a.out.endswith(".csv"):
        raise InputError("--out", a.out, "a .csv file name")
    p = load_params(a.params)
    name, setting = _scan_setting(a, p.raman.rabi_frequency_hz)
    if a.runs <= 0:
        raise InputError("--runs", a.runs, "a positive integer")
    data = simulate_counts(
        p, **{name: setting}, runs=a.runs, seed=a.seed, fidelity=a.fidelity, destroy=a.destroy
    )
    write_csv(data, a.out)
    print(f"wrote {data.setting.size} settings x {a.runs} runs to {a.out}", file=sys.stderr)
    return 0


def cmd_fit(a: argparse.Namespace) -> int:
    """Fit the fidelity of the chi1 part to a count CSV."""
    from .analysis.data import read_csv
    from .analysis.fits import (
        FidelityModel,
        chi2_table,
        fidelity_likelihood,
        fidelity_scan,
        model_factory,
    )
    from .cli import emit, load_params

    curve = _curve(a.curve)
    nuis = _nuisance(a.nuisance)
    if a.plot and not (a.plot.endswith(".png") or a.plot.endswith(".pdf")):
        raise InputError("--plot", a.plot, "a .png or .pdf file name")
    data = read_csv(a.data)
    p = load_params(a.params)
    model = FidelityModel.from_params(p, data.setting_name, data.setting, destroy=a.destroy)
    scan = fidelity_scan(data, model, curve)
    fit = fidelity_likelihood(
        data,
        model,
        curve,
        nuisance=nuis,
        factory=model_factory(p, data, destroy=a.destroy) if nuis else None,
    )
    out = {
        "fidelity": fit.best,
        "fidelity_interval_68": list(fit.interval_68),
        "fidelity_lower_95": fit.lower_95,
        "chi2_table": chi2_table(data, model),
        "unentangled_rejection_sigma": fit.unentangled_rejection_sigma,
        "curve": curve,
        "method": "multinomial likelihood, MINOS"
        if curve == "all"
        else "binomial likelihood, MINOS",
        "nuisance": fit.nuisance,
        "fidelity_scan": {k: v for k, v in scan.as_dict().items() if k not in ("fidelity", "chi2")},
    }
    if a.plot:
        from .plots import save_figure
        from .plots_analysis import plot_fidelity_scan

        save_figure(plot_fidelity_scan(scan, fit), a.plot)
    if a.json:
        emit(out)
    else:
        lo, hi = fit.interval_68
        print(
            f"fidelity of the chi1 part: {fit.best:.3f}  (68 %: [{lo:.3f}, {hi:.3f}], "
            f"95 % lower bound {fit.lower_95:.3f}; {curve} curve)"
        )
        print(f"F <= 1/2 (no entanglement) rejected at {fit.unentangled_rejection_sigma:.1f} sigma")
        print(
            f"chi2 scan: best {scan.best:.3f}, 68 % [{scan.interval_68[0]:.3f}, "
            f"{scan.interval_68[1]:.3f}], chi2_min {scan.chi2_min:.1f} / {scan.dof} dof"
        )
        for model_name, rows in out["chi2_table"].items():
            cells = "  ".join(
                f"{c}: {v['chi2']:.1f}/{v['dof']} (p={v['p_value']:.3g})" for c, v in rows.items()
            )
            print(f"{model_name:>12s}  {cells}")
    return 0


def cmd_plan(a: argparse.Namespace) -> int:
    """Runs per setting needed to reject F <= 1/2 at --sigma with --probability."""
    from .analysis.fits import FidelityModel
    from .cli import _scan_setting, emit, load_params
    from .montecarlo import plan_runs

    p = load_params(a.params)
    name, setting = _scan_setting(a, p.raman.rabi_frequency_hz)
    model = FidelityModel.from_params(p, name, setting)
    plan = plan_runs(
        model,
        name,
        setting,
        fidelity=a.fidelity,
        sigma=a.sigma,
        probability=a.probability,
        curve=_curve(a.curve),
        trials=a.trials,
        seed=a.seed,
        **({"candidates": a.candidates} if a.candidates else {}),
    )
    out = plan.as_dict() | {"settings": np.asarray(setting).tolist(), "setting_name": name}
    if a.json:
        emit(out)
    else:
        for n, pw in zip(plan.candidates, plan.power, strict=True):
            print(f"{int(n):8d} runs/setting: P(reject F<=1/2 at {a.sigma:g} sigma) = {pw:.2f}")
        print(f"=> {plan.runs_per_setting} runs per setting ({plan.total_runs} in all)")
    return 0


def _setting_args(sp: argparse.ArgumentParser) -> None:
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--tau", type=float, nargs="+", help="pulse durations [s]")
    g.add_argument("--area", type=float, nargs="+", help="pulse areas Omega*tau [rad]")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``simulate``, ``fit`` and ``plan`` to the ``spinpair`` parser."""
    sp = sub.add_parser("simulate", help="seeded virtual count data (CSV) from the model")
    sp.add_argument("--params", metavar="FILE.toml")
    _setting_args(sp)
    sp.add_argument("--runs", type=int, required=True, help="runs per setting")
    sp.add_argument("--seed", type=int, required=True, help="random seed")
    sp.add_argument("--fidelity", type=float, default=None, help="override F = (1 + c)/2")
    sp.add_argument("--destroy", action="store_true", help="with entanglement destruction")
    sp.add_argument("--out", required=True, help="output CSV")
    sp.set_defaults(func=cmd_simulate)

    sp = sub.add_parser("fit", help="fidelity with intervals and model tests from count data")
    sp.add_argument("data", help="CSV with tau_s or area, runs, n0, n1, n2")
    sp.add_argument("--params", metavar="FILE.toml")
    sp.add_argument("--curve", default="2", help="0, 1, 2 or all (default 2, as the paper)")
    sp.add_argument(
        "--nuisance",
        nargs="*",
        metavar="KEY=MEAN,SIGMA",
        help="imperfections to profile with Gaussian constraints",
    )
    sp.add_argument("--destroy", action="store_true", help="the model includes destruction")
    sp.add_argument("--plot", default=None, help="write the chi2(F) scan (Fig. S4) here")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_fit)

    sp = sub.add_parser("plan", help="runs needed to reject F <= 1/2 (virtual experiments)")
    sp.add_argument("--params", metavar="FILE.toml")
    _setting_args(sp)
    sp.add_argument("--fidelity", type=float, default=1.0, help="assumed true fidelity")
    sp.add_argument("--sigma", type=float, default=3.0, help="rejection significance")
    sp.add_argument("--probability", type=float, default=0.9, help="required power")
    sp.add_argument("--curve", default="2")
    sp.add_argument("--trials", type=int, default=200, help="virtual experiments per size")
    sp.add_argument("--candidates", type=int, nargs="+", default=None, help="runs to try")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_plan)
