"""``spinpair simulate``, ``spinpair fit`` and ``spinpair plan`` (contract: ``docs/cli.md``).

Why one file of ~600 lines: the three commands share the count-data options, parsing
and messages.

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
import contextlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from .fitting import check_plot_path, curve_option, fit_params, nuisance_option

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.data import CountData
    from ..params import Params
    from ..provenance import Provenance


def _p_text(p: float | None) -> str:
    """A p-value for the text output; None (no degrees of freedom) as "n/a"."""
    return "n/a" if p is None else f"{p:.3g}"


def _check_spont_nuisance(
    nuis: list, setting_name: str, setting: np.ndarray, rabi_frequency_hz: float
) -> None:
    """A free p_spont_per_pi must stay <= π/|area| at every setting (emission probability
    p_spont_per_pi · area/π <= 1): check its range before fitting."""
    from ..errors import format_bound

    x = np.abs(np.asarray(setting, dtype=float))
    area = x if setting_name == "area" else 2 * np.pi * rabi_frequency_hz * x
    top = float(np.max(area)) if area.size else 0.0
    for nu in nuis:
        if nu.name == "p_spont_per_pi" and top > 0 and nu.bounds[1] * top / np.pi > 1.0:
            limit = np.pi / top
            raise InputError(
                "--nuisance",
                f"p_spont_per_pi up to {nu.bounds[1]:g}",
                f"a range within [0, {format_bound(limit, nu.bounds[1])}] = pi/largest area "
                f"({top:.6g} rad) of these settings",
            )


#: Largest runs per setting accepted (counts stay exact in a float64 CSV reader).
MAX_RUNS = 10**12
#: Largest number of virtual experiments per size in ``plan``.
MAX_TRIALS = 100_000


#: Appended to a data file's name for its provenance sidecar (JSON).
SIDECAR = ".provenance.json"


def _check_seed(seed: int) -> int:
    if seed < 0:
        raise InputError("--seed", seed, "an integer >= 0")
    return seed


def cmd_simulate(a: argparse.Namespace) -> int:
    """Write seeded virtual count data (CSV) from the sequence model."""
    from ..analysis.data import write_csv
    from ..fileio import check_output_path
    from ..montecarlo import simulate_counts
    from .common import emit, note_placeholders, scan_setting

    if not a.out.endswith(".csv"):
        raise InputError("--out", a.out, "a .csv file name")
    check_output_path("--out", a.out)
    if len(os.fsencode(os.path.basename(a.out) + SIDECAR)) > 255:
        raise InputError(
            "--out",
            a.out,
            f"a file name of at most {255 - len(SIDECAR)} bytes ({SIDECAR} is added)",
        )
    if not 1 <= a.runs <= MAX_RUNS:
        raise InputError("--runs", a.runs, f"an integer in [1, {MAX_RUNS:.0e}]")
    _check_seed(a.seed)
    if a.fidelity is not None and not 0.0 <= a.fidelity <= 1.0:
        raise InputError("--fidelity", a.fidelity, "[0, 1]")
    p = fit_params(a.params)
    name, setting = scan_setting(a, p.raman.rabi_frequency_hz, p.imperfections.p_spont_per_pi)
    summary: dict = {"out": a.out}
    note_placeholders(summary, (p, p.collisions.model))
    data = simulate_counts(
        p,
        tau_s=setting if name == "tau_s" else None,
        area=setting if name == "area" else None,
        runs=a.runs,
        seed=a.seed,
        fidelity=a.fidelity,
        destroy=a.destroy,
    )
    prov = simulation_provenance(p, a.destroy, a.fidelity)
    side = write_with_provenance(
        a.out,
        lambda: write_csv(data, a.out),
        {
            "provenance": prov.as_dict(),
            "command": "spinpair simulate",
            "options": {
                "setting": name,
                "runs": a.runs,
                "seed": a.seed,
                "fidelity": a.fidelity,
                "destroy": bool(a.destroy),
            },
            "params": p.to_dict(),
        },
    )
    print(
        f"wrote {len(data)} settings x {a.runs} runs to {a.out} (provenance: {side})",
        file=sys.stderr,
    )
    if a.json:
        emit(
            {
                **summary,
                "setting": name,
                "points": len(data),
                "runs": a.runs,
                "seed": a.seed,
                "provenance": prov.as_dict(),
                "provenance_file": side,
            }
        )
    return 0


def simulation_provenance(params: Params, destroy: bool, fidelity: float | None) -> Provenance:
    """What simulated counts rest on: the sequence's inputs, and the sampling (exact)."""
    from ..provenance import Provenance
    from ..sequence.core import sequence_inputs

    used = sequence_inputs(params, destroy=destroy, override=fidelity is not None)
    return Provenance.from_params(
        params, used=used, method="measurement sequence, seeded multinomial sampling"
    )


def write_with_provenance(out: str, write: Callable[[], object], meta: dict[str, Any]) -> str:
    """Write the sidecar ``OUT.provenance.json`` (atomically), then the data file with
    ``write()``; the sidecar is removed again if the data file cannot be written, so a
    data file never stands without its provenance. Returns the sidecar's path."""
    import json

    from .. import __version__
    from ..fileio import atomic_write_text, to_jsonable

    side = out + SIDECAR
    doc = {"schema_version": 1, "data_file": os.path.basename(out), "spinpair": __version__}
    atomic_write_text(side, json.dumps(to_jsonable({**doc, **meta}), indent=1) + "\n")
    try:
        write()
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(side)
        raise
    return side


def cmd_fit(a: argparse.Namespace) -> int:
    """Fit the fidelity of the chi1 part to a count CSV (one library call:
    :func:`spinpair.analysis.fidelity.fidelity_analysis`)."""
    from ..analysis.data import read_csv
    from ..analysis.fidelity import fidelity_analysis
    from .common import check_settings, emit, note_placeholders

    curve = curve_option(a.curve)
    nuis = nuisance_option(a.nuisance)
    check_plot_path("--plot", a.plot)
    check_plot_path("--plot-data", a.plot_data)
    if a.plot is not None and a.plot == a.plot_data:
        raise InputError("--plot-data", a.plot_data, "a different file from --plot")
    if not 0.0 < a.cl < 1.0:
        raise InputError("--cl", a.cl, "(0, 1)")
    data = read_csv(a.data)
    if data.setting_name == "detuning_hz":
        return fit_ramsey_data(a, data)
    if a.harmonics != 1:
        raise InputError("--harmonics", a.harmonics, "1 for a Raman scan (tau_s or area data)")
    p = fit_params(a.params)
    check_settings(
        data.setting_name,
        data.setting,
        p.raman.rabi_frequency_hz,
        p.imperfections.p_spont_per_pi,
        field=f"data row {{i}}, column {data.setting_name}",
    )
    _check_spont_nuisance(nuis, data.setting_name, data.setting, p.raman.rabi_frequency_hz)
    res = fidelity_analysis(
        data,
        p,
        curve=curve,
        nuisance=nuis,
        destroy=a.destroy,
        interval_method=a.interval,
        cl=a.cl,
    )
    fit, scan = res.fit, res.scan
    out = res.as_dict()
    note_placeholders(out, (p, p.collisions.model))
    if not res.informative:  # said after the fit: an error on the way keeps its one line
        print(
            f"spinpair: warning: with these parameters the entangled and unentangled models "
            f"differ by at most {res.contrast:.2g} in any probability at these settings, so "
            "the data cannot constrain the fidelity (either the settings carry no contrast, "
            f"e.g. only tau = 0, or the collision model '{p.collisions.model}' makes almost "
            "no chi1: pass --params with your measured collision populations, e.g. "
            "examples/paper-like.toml)",
            file=sys.stderr,
        )
    if a.plot or a.plot_data:
        from ..analysis.fidelity import model_curves
        from ..plots.analysis import plot_data_vs_model, plot_fidelity_scan
        from ..plots.style import save_single

        if a.plot:
            save_single(plot_fidelity_scan(scan, fit), a.plot)
        if a.plot_data:
            curves = model_curves(data, p, destroy=a.destroy)
            fig = plot_data_vs_model(data, curves, method=a.interval, cl=a.cl, fit=fit)
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
        for model_name, rows in res.chi2_table.items():
            cells = "  ".join(
                f"{c}: {v['chi2']:.1f}/{v['dof']} (p={_p_text(v['p_value'])})"
                for c, v in rows.items()
            )
            print(f"{model_name:>12s}  {cells}")
    return 0


def fit_ramsey_data(
    a: argparse.Namespace,
    data: CountData,
    *,
    wait_s: float | None = None,
    half_pi_s: float | None = None,
) -> int:
    """``spinpair fit`` (and ``spinpair ramsey --data``) on measured Ramsey counts
    (``detuning_hz``, ``runs``, ``n0``, ``n1``, ``n2``): the fringe fit of every signal,
    :func:`spinpair.analysis.ramsey_counts.fit_ramsey_counts`. JSON keys as
    ``spinpair ramsey`` where they mean the same (``detuning_hz``, ``P0``, ``P1``, ``P2``,
    ``survival``, ``mean_number``, ``fringe_period_hz``, ``fringe_fits``), plus ``runs``,
    ``sigma``, ``harmonics``, ``method``, ``setting_name``."""
    from ..analysis.ramsey_counts import fit_ramsey_counts
    from .common import emit

    for opt, bad in (
        ("--nuisance", getattr(a, "nuisance", None)),
        ("--destroy", getattr(a, "destroy", False) or None),
        ("--plot", getattr(a, "plot", None)),
        ("--plot-data", getattr(a, "plot_data", None)),
    ):
        if bad is not None:
            raise InputError(opt, bad, "only with Raman-scan data (tau_s or area column)")
    if a.harmonics not in (1, 2):
        raise InputError("--harmonics", a.harmonics, "1 or 2")
    res = fit_ramsey_counts(
        data,
        harmonics=a.harmonics,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        instantaneous=bool(getattr(a, "instantaneous", False)),
    )
    if a.json:
        emit(res.to_dict())
        return 0
    print(
        f"Ramsey counts: {len(data)} rows at {np.unique(data.setting).size} distinct "
        f"detunings, {int(data.runs.sum())} runs"
    )
    for name, f in res.fits.items():
        if not f.has_fringe:
            print(f"{name:>12s}: no significant fringe (contrast {f.contrast:.3g})")
            continue
        print(
            f"{name:>12s}: period {f.period_hz:.6g} +- {f.errors['period_hz']:.2g} Hz, "
            f"contrast {f.contrast:.3f} +- {f.errors['contrast']:.3f}, phase "
            f"{f.phase:.3f} rad, chi2 {f.chi2:.1f} / {f.dof} dof"
        )
    if res.expected_period_hz is not None:
        e = res.expected_period_hz
        print(
            f"first order: pair 1/(2 T_eff) = {e['pair']:.6g} Hz, "
            f"one atom 1/T_eff = {e['single_atom']:.6g} Hz"
        )
    return 0


def cmd_plan(a: argparse.Namespace) -> int:
    """Runs per setting needed to reject F <= 1/2 at --sigma with --probability (with
    ``--design``: where to put the shots, :mod:`spinpair.cli.design`)."""
    from ..analysis.model import FidelityModel
    from ..analysis.planning import plan_runs
    from .common import emit, scan_setting

    if a.design:
        from .design import cmd_plan_design

        return cmd_plan_design(a)
    for opt in ("shots", "data", "nuisance", "calibration", "fidelity_set"):
        if getattr(a, opt) is not None:
            raise InputError("--" + opt.replace("_", "-"), getattr(a, opt), "only with --design")
    if not a.tau and not a.area:
        raise InputError("--tau/--area", None, "one of them (the settings to plan for)")
    curve = curve_option(a.curve)
    if not 0.5 < a.fidelity <= 1.0:
        raise InputError(
            "--fidelity",
            a.fidelity,
            "(0.5, 1]",
            "the assumed true fidelity must exceed 1/2: data from a state with F <= 1/2 "
            "cannot reject F <= 1/2, whatever the number of runs",
        )
    if not 0.0 < a.sigma <= 40.0:
        raise InputError("--sigma", a.sigma, "(0, 40] (standard deviations)")
    if not 0.0 < a.probability < 1.0:
        raise InputError("--probability", a.probability, "(0, 1)")
    if not 1 <= a.trials <= MAX_TRIALS:
        raise InputError("--trials", a.trials, f"an integer in [1, {MAX_TRIALS}]")
    for n in a.candidates or []:
        if not 1 <= n <= MAX_RUNS:
            raise InputError("--candidates", n, f"integers in [1, {MAX_RUNS:.0e}]")
    _check_seed(a.seed)
    p = fit_params(a.params)
    name, setting = scan_setting(a, p.raman.rabi_frequency_hz, p.imperfections.p_spont_per_pi)
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
    info = np.asarray(plan.information_per_run, dtype=float)
    if info.size and not np.any(info > 0):
        opt = "--area" if name == "area" else "--tau"
        raise InputError(
            opt,
            np.asarray(setting).tolist(),
            "settings where the counts depend on F",
            "they carry no information about the fidelity, e.g. area 0 (no pulse)",
        )
    out = plan.as_dict() | {"settings": np.asarray(setting).tolist(), "setting_name": name}
    if plan.runs_per_setting is None:
        top = int(np.max(plan.candidates)) if len(plan.candidates) else 0
        out["reason"] = (
            f"no run number tried (up to {top} per setting) rejects F <= 1/2 at "
            f"{a.sigma:g} sigma with probability {a.probability:g}"
            + ("" if a.candidates else f" (the search stops at {10**7} runs per setting)")
        )
        print(f"spinpair: note: {out['reason']}", file=sys.stderr)
    if a.json:
        emit(out)
    else:
        for n, pw in zip(plan.candidates, plan.power, strict=True):
            print(f"{int(n):8d} runs/setting: P(reject F<=1/2 at {a.sigma:g} sigma) = {pw:.2f}")
        print(f"=> {plan.runs_per_setting} runs per setting ({plan.total_runs} in all)")
    return 0


def _setting_args(sp: argparse.ArgumentParser, required: bool = True) -> None:
    from .common import real

    g = sp.add_mutually_exclusive_group(required=required)
    g.add_argument("--tau", type=real, nargs="+", help="pulse durations [s], >= 0")
    g.add_argument("--area", type=real, nargs="+", help="pulse areas Omega*tau [rad]")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``simulate``, ``fit`` and ``plan`` to the ``spinpair`` parser."""
    from .common import COMMON_HELP, integer, real

    sp = sub.add_parser(
        "simulate",
        help="seeded virtual count data (CSV) from the model",
        description="Virtual experiment: for each pulse duration (or area), draw --runs\n"
        "outcomes of 0, 1 or 2 atoms from the sequence model with a seeded generator and\n"
        "write them as CSV (tau_s or area, runs, n0, n1, n2). Same seed, same file.",
        epilog="example:\n  spinpair simulate --params examples/paper-like.toml "
        "--tau 0 4e-7 8e-7 1.2e-6 1.6e-6 \\\n      --runs 500 --seed 1 --out data.csv",
    )
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    _setting_args(sp)
    sp.add_argument(
        "--runs", type=integer, required=True, help=f"runs per setting, 1 .. {MAX_RUNS:.0e}"
    )
    sp.add_argument("--seed", type=integer, required=True, help=COMMON_HELP["seed"])
    sp.add_argument(
        "--fidelity",
        type=real,
        default=None,
        help="override the fidelity F = (1 + c)/2 of the chi1 part, in [0, 1]",
    )
    sp.add_argument("--destroy", action="store_true", help="with entanglement destruction")
    sp.add_argument(
        "--out",
        required=True,
        help="output CSV file (its folder must exist; written atomically)",
    )
    sp.add_argument(
        "--json",
        action="store_true",
        help="also print a JSON summary on stdout (out, setting, points, runs, seed)",
    )
    sp.set_defaults(func=cmd_simulate)

    sp = sub.add_parser(
        "fit",
        help="fidelity with intervals and model tests from count data",
        description="Fit the fidelity F of the chi1 part to count data (CSV: tau_s or area,\n"
        "runs, n0, n1, n2) by maximum likelihood, with 68 % and one-sided 95 % intervals,\n"
        "chi2 tests of the entangled and unentangled models and the significance with\n"
        "which F <= 1/2 is rejected. The model comes from --params.\n"
        "Ramsey counts (a detuning_hz column instead): the fringe of every signal (P0, P1,\n"
        "P2, survival, mean number) is fitted, repeated scans included; --params unused.",
        epilog="example:\n  spinpair fit data.csv --params examples/paper-like.toml --json "
        "--plot s4.png\n  spinpair fit ramsey.csv --json",
    )
    sp.add_argument(
        "data", help="CSV with tau_s, area or detuning_hz, runs, n0, n1, n2 (ASCII digits)"
    )
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument("--curve", default="2", help="0, 1, 2 or all (default 2, as the paper)")
    sp.add_argument(
        "--nuisance",
        nargs="+",
        metavar="KEY=MEAN,SIGMA|KEY=LO:HI",
        help="imperfections to profile: Gaussian prior (p_loss=0.02,0.01) or flat range "
        "(push_efficiency=0.9:1)",
    )
    sp.add_argument("--destroy", action="store_true", help="the model includes destruction")
    sp.add_argument(
        "--interval",
        default="wilson",
        choices=["wilson", "clopper-pearson"],
        help="per-point binomial interval of the observed fractions (default wilson)",
    )
    sp.add_argument(
        "--cl", type=real, default=0.682689492, help="per-point interval level, in (0, 1)"
    )
    sp.add_argument(
        "--plot", default=None, help="write the chi2(F) scan (Fig. S4) here (.png/.pdf/.svg)"
    )
    sp.add_argument(
        "--plot-data", default=None, help="write data vs models (Fig. 2b) here (.png/.pdf/.svg)"
    )
    sp.add_argument(
        "--harmonics",
        type=integer,
        default=1,
        help="Ramsey data: 1 (cosine) or 2 (with its second harmonic); default 1",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_fit)

    sp = sub.add_parser(
        "plan",
        help="runs needed to reject F <= 1/2 (virtual experiments)",
        description="How many runs per setting reject F <= 1/2 at --sigma with probability\n"
        "--probability, when the true fidelity is --fidelity (> 1/2): --trials virtual\n"
        "experiments per candidate size, each fitted as the data would be.",
        epilog="example:\n  spinpair plan --params examples/paper-like.toml --area 1.5708 "
        "--fidelity 0.9 --json",
    )
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    _setting_args(sp, required=False)
    sp.add_argument("--fidelity", type=real, default=1.0, help="assumed true fidelity, in (0.5, 1]")
    sp.add_argument(
        "--sigma", type=real, default=3.0, help="rejection significance [standard deviations]"
    )
    sp.add_argument("--probability", type=real, default=0.9, help="required power, in (0, 1)")
    sp.add_argument("--curve", default="2", help="0, 1, 2 or all (default 2, as the paper)")
    sp.add_argument(
        "--trials",
        type=integer,
        default=200,
        help=f"virtual experiments per size, 1 .. {MAX_TRIALS}",
    )
    sp.add_argument(
        "--candidates",
        type=integer,
        nargs="+",
        default=None,
        help="run numbers to try (default: a search from the Asimov estimate)",
    )
    sp.add_argument("--seed", type=integer, default=0, help=COMMON_HELP["seed"])
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    from .design import add_design_options

    add_design_options(sp)
    sp.set_defaults(func=cmd_plan)
