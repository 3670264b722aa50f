"""``spinpair simulate``, ``spinpair fit`` and ``spinpair plan`` (contract: ``CLI.md``).

* ``simulate`` writes seeded virtual count data (CSV: ``tau_s`` or ``area``, ``runs``,
  ``n0``, ``n1``, ``n2``) atomically.
* ``fit`` prints ``fidelity``, ``fidelity_interval_68``, ``fidelity_lower_95``,
  ``chi2_table`` (per model ``entangled``/``unentangled`` and curve ``P0``/``P1``/``P2``/
  ``all``: ``chi2``, ``dof``, ``p_value``) and ``unentangled_rejection_sigma`` from the
  maximum-likelihood fit, plus ``fidelity_scan`` (the χ²(F) result of paper Fig. S4 on the
  chosen curve, grid included), ``fidelity_scan_all`` (all curves), ``chi2_best_fit``,
  ``points`` (observed fractions with per-point intervals), ``curve``, ``method``,
  ``nuisance``. ``--plot`` writes Fig. S4, ``--plot-data`` the data against the models.
* ``plan`` estimates the runs per setting needed to reject F ≤ ½.

Every input is validated before any file is written: bad input writes nothing.
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


def _nuisance(items: list[str] | None) -> list:
    """``KEY=MEAN,SIGMA`` (Gaussian prior) or ``KEY=LO:HI`` (flat bounded range)."""
    from .analysis.fits import NUISANCE_KEYS, Nuisance

    out = []
    for item in items or []:
        key, _, rest = item.partition("=")
        try:
            if ":" in rest:
                lo, hi = (float(x) for x in rest.split(":"))
                nu = Nuisance(key, lower=lo, upper=hi)
            else:
                mean, sigma = (float(x) for x in rest.split(","))
                nu = Nuisance(key, mean=mean, sigma=sigma)
        except ValueError:
            if key not in NUISANCE_KEYS:
                raise InputError("--nuisance", key, f"one of {list(NUISANCE_KEYS)}") from None
            raise InputError(
                "--nuisance", item, "KEY=MEAN,SIGMA or KEY=LO:HI, e.g. p_loss=0.02,0.01"
            ) from None
        out.append(nu)
    if len({n.name for n in out}) != len(out):
        raise InputError("--nuisance", [n.name for n in out], "each key at most once")
    return out


def _fit_params(path: str | None):
    """Model parameters for ``fit``/``plan``: ``--params``, else the package defaults; if
    the defaults need a collision-dynamics module that is not available, the paper-like
    preset (``model = "given"``) with a note on stderr."""
    from .cli import load_params

    p = load_params(path)
    if path or p.collisions.model == "given":
        return p
    try:
        import spinpair.dynamics  # noqa: F401
    except ImportError:
        from .paper import preset_path

        print(
            "spinpair: note: collision dynamics unavailable; using the paper-like preset",
            file=sys.stderr,
        )
        return load_params(str(preset_path("paper-like")))
    return p


def cmd_simulate(a: argparse.Namespace) -> int:
    """Write seeded virtual count data (CSV) from the sequence model."""
    from .analysis.data import write_csv
    from .cli import _scan_setting, note_placeholders
    from .montecarlo import simulate_counts

    if not a.out.endswith(".csv"):
        raise InputError("--out", a.out, "a .csv file name")
    if a.runs <= 0:
        raise InputError("--runs", a.runs, "a positive integer")
    if a.seed < 0:
        raise InputError("--seed", a.seed, "a non-negative integer")
    if a.fidelity is not None and not 0.0 <= a.fidelity <= 1.0:
        raise InputError("--fidelity", a.fidelity, "[0, 1]")
    p = _fit_params(a.params)
    name, setting = _scan_setting(a, p.raman.rabi_frequency_hz)
    note_placeholders(None, (p, p.collisions.model))
    data = simulate_counts(
        p, **{name: setting}, runs=a.runs, seed=a.seed, fidelity=a.fidelity, destroy=a.destroy
    )
    write_csv(data, a.out)
    print(f"wrote {len(data)} settings x {a.runs} runs to {a.out}", file=sys.stderr)
    return 0


def _plot_path(option: str, path: str | None) -> None:
    if path is not None and not path.endswith((".png", ".pdf", ".svg")):
        raise InputError(option, path, "a .png, .pdf or .svg file name")


def cmd_fit(a: argparse.Namespace) -> int:
    """Fit the fidelity of the chi1 part to a count CSV."""
    from .analysis.data import read_csv
    from .analysis.fits import (
        FidelityModel,
        NuisanceModel,
        chi2_table,
        chi2_test,
        fidelity_likelihood,
        fidelity_scan,
    )
    from .analysis.intervals import interval
    from .cli import emit, note_placeholders

    curve = _curve(a.curve)
    nuis = _nuisance(a.nuisance)
    _plot_path("--plot", a.plot)
    _plot_path("--plot-data", a.plot_data)
    if not 0.0 < a.cl < 1.0:
        raise InputError("--cl", a.cl, "(0, 1)")
    data = read_csv(a.data)
    if data.setting_name not in ("tau_s", "area"):
        raise InputError("data", data.setting_name, "a tau_s or area column (Raman scan)")
    p = _fit_params(a.params)
    model = FidelityModel.from_params(p, data.setting_name, data.setting, destroy=a.destroy)
    contrast = float(np.max(np.abs(model.p_entangled - model.p_unentangled)))
    if contrast < 0.01:
        print(
            f"spinpair: warning: with these parameters the entangled and unentangled models "
            f"differ by at most {contrast:.2g} in any probability (collision model "
            f"'{p.collisions.model}' makes almost no chi1), so the data cannot constrain the "
            "fidelity; pass --params with your measured collision populations, e.g. "
            "examples/paper-like.toml",
            file=sys.stderr,
        )
    factory = (
        NuisanceModel(p, data.setting_name, data.setting, nuis, destroy=a.destroy) if nuis else None
    )
    scan = fidelity_scan(data, model, curve)
    scan_all = scan if curve == "all" else fidelity_scan(data, model, "all")
    fit = fidelity_likelihood(data, model, curve, nuisance=nuis, factory=factory)
    best_model = model if factory is None else factory(fit.nuisance)
    lo, hi = interval(data.counts, data.runs[:, None], a.interval, a.cl)
    out = {
        "fidelity": fit.best,
        "fidelity_interval_68": list(fit.interval_68),
        "fidelity_lower_95": fit.lower_95,
        "chi2_table": chi2_table(data, model),
        "unentangled_rejection_sigma": fit.unentangled_rejection_sigma,
        "curve": curve,
        "method": fit.method,
        "at_boundary": fit.at_boundary,
        "nuisance": fit.as_dict()["nuisance"],
        "nuisance_errors": fit.as_dict()["nuisance_errors"],
        "chi2_best_fit": {
            c: chi2_test(data, best_model.probs(fit.best), c, fitted=1 + len(nuis)).as_dict()
            for c in ("P0", "P1", "P2", "all")
        },
        "fidelity_scan": scan.as_dict(),
        "fidelity_scan_all": scan_all.as_dict(grid=False),
        "points": {
            "setting_name": data.setting_name,
            "setting": data.setting.tolist(),
            "runs": data.runs.tolist(),
            "fraction": data.fractions().tolist(),
            "lower": lo.tolist(),
            "upper": hi.tolist(),
            "interval": a.interval,
            "cl": a.cl,
        },
    }
    note_placeholders(out, (p, p.collisions.model))
    if a.plot or a.plot_data:
        from .plots_analysis import plot_data_vs_model, plot_fidelity_scan, save_single

        if a.plot:
            save_single(plot_fidelity_scan(scan, fit), a.plot)
        if a.plot_data:
            fig = plot_data_vs_model(
                data, p, destroy=a.destroy, method=a.interval, cl=a.cl, fit=fit
            )
            save_single(fig, a.plot_data)
    if a.json:
        emit(out)
    else:
        lo68, hi68 = fit.interval_68
        print(
            f"fidelity of the chi1 part: {fit.best:.3f}  (68 %: [{lo68:.3f}, {hi68:.3f}], "
            f"one-sided 95 % lower bound {fit.lower_95:.3f}; {fit.method}, {curve} curve)"
        )
        print(f"F <= 1/2 (no entanglement) rejected at {fit.unentangled_rejection_sigma:.1f} sigma")
        print(
            f"chi2 scan ({curve}): best {scan.best:.3f}, 68 % [{scan.interval_68[0]:.3f}, "
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
    from .cli import _scan_setting, emit
    from .montecarlo import plan_runs

    curve = _curve(a.curve)
    p = _fit_params(a.params)
    name, setting = _scan_setting(a, p.raman.rabi_frequency_hz)
    model = FidelityModel.from_params(p, name, setting)
    plan = plan_runs(
        model,
        name,
        setting,
        fidelity=a.fidelity,
        sigma=a.sigma,
        probability=a.probability,
        curve=curve,
        trials=a.trials,
        seed=a.seed,
        candidates=a.candidates,
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
        nargs="+",
        metavar="KEY=MEAN,SIGMA|KEY=LO:HI",
        help="imperfections to profile: Gaussian prior (p_loss=0.02,0.01) or flat range "
        "(push_efficiency=0.9:1)",
    )
    sp.add_argument("--destroy", action="store_true", help="the model includes destruction")
    sp.add_argument("--interval", default="wilson", choices=["wilson", "clopper-pearson"])
    sp.add_argument("--cl", type=float, default=0.682689492, help="per-point interval level")
    sp.add_argument("--plot", default=None, help="write the chi2(F) scan (Fig. S4) here")
    sp.add_argument("--plot-data", default=None, help="write data vs models (Fig. 2b) here")
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
