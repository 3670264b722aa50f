"""``spinpair optimise`` and ``spinpair plan --design`` (contract: ``docs/cli.md``).

* ``optimise`` maximises P(chi1), P(chi1) + P(chi2) or the metrological gain over the
  knobs a lab controls (:func:`spinpair.design.optimise_preparation`).
* ``plan --design`` chooses the pulse lengths and shots of a fidelity measurement
  (:func:`spinpair.design.measurement.design_fidelity_scan`), the next shots given the
  counts so far (``--data``: :func:`spinpair.design.measurement.next_shots`), or the hold
  times of a calibration run (``--calibration a0 a2``).
"""

from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from .common import COMMON_HELP, add_command, emit, integer, real

#: Largest evaluation budget accepted by ``optimise``.
MAX_EVALUATIONS = 100_000
#: Library argument names → the command-line options that set them.
_OPTIONS = {
    "knobs": "--knobs",
    "target": "--target",
    "free": "--calibration",
    "candidates_tau_s": "--tau",
    "max_evaluations": "--max-evaluations",
    "landscape_points": "--landscape-points",
}


def _as_option(e: InputError) -> InputError:
    """The same error, naming the command-line option (``bounds.X`` → ``--bounds X``)."""
    name = e.field
    if name.startswith("bounds."):
        name = "--bounds " + name.split(".", 1)[1]
    elif name == "bounds":
        name = "--bounds"
    else:
        name = _OPTIONS.get(name, name)
    if name == e.field:
        return e
    return InputError(name, e.value, e.allowed, e.detail)


def _bounds(items: list[str] | None) -> dict[str, tuple[float, float]]:
    """``KNOB=LO:HI`` items."""
    out: dict[str, tuple[float, float]] = {}
    for item in items or []:
        key, _, rest = item.partition("=")
        parts = rest.split(":")
        try:
            if len(parts) != 2:
                raise argparse.ArgumentTypeError(rest)
            lo, hi = (real(x) for x in parts)
        except argparse.ArgumentTypeError:
            raise InputError("--bounds", item, "KNOB=LO:HI, e.g. hold_time_s=0.01:0.5") from None
        if key in out:
            raise InputError("--bounds", key, "each knob at most once")
        out[key] = (lo, hi)
    return out


def cmd_optimise(a: argparse.Namespace) -> int:
    """Maximise the target over the knobs; print the optimum, its band and sensitivity."""
    from ..design import optimise_preparation
    from .common import load_params

    if not 10 <= a.max_evaluations <= MAX_EVALUATIONS:
        raise InputError(
            "--max-evaluations", a.max_evaluations, f"an integer in [10, {MAX_EVALUATIONS}]"
        )
    if a.seed < 0:
        raise InputError("--seed", a.seed, "an integer >= 0")
    from .fitting import check_plot_path

    check_plot_path("--plot", a.plot)  # checked before any computation
    if a.plot and a.landscape_points < 2:
        raise InputError("--landscape-points", a.landscape_points, ">= 2 with --plot")
    if a.plot and len([k for k in a.knobs if k != "postselect"]) < 2:
        raise InputError("--knobs", list(a.knobs), "two or more continuous knobs with --plot")
    p = load_params(a.params)
    try:
        r = optimise_preparation(
            p,
            a.target,
            a.knobs,
            bounds=_bounds(a.bounds),
            max_evaluations=a.max_evaluations,
            seed=a.seed,
            landscape_points=a.landscape_points,
        )
    except InputError as e:
        raise _as_option(e) from None
    for w in r.warnings:
        print(f"spinpair: warning: {w}", file=sys.stderr)
    if a.plot:
        from ..plots.design import plot_landscape

        plot_landscape(r, a.plot)
    if a.json:
        emit(r.as_dict())
        return 0
    units = {k: r.as_dict()["units"][k] for k in r.knobs}
    print(f"target {r.target} ({r.model} model, {r.rates} rates; status {r.status})")
    print(f"  baseline  {r.baseline.objective:.4f}  " + _fmt(r.baseline.knobs, units))
    b = r.band
    print(
        f"  optimum   {r.optimum.objective:.4f}  [{b['lower']:.4f}, {b['upper']:.4f}]  "
        + _fmt(r.optimum.knobs, units)
    )
    for k, s in r.sensitivity.items():
        lo, hi = s["within_0.01"]
        print(f"  {k:14s} within 0.01 of the optimum for {lo:.4g} .. {hi:.4g} {s['unit']}")
    print(f"  {r.evaluations} model evaluations, seed {r.seed}")
    return 0


def _fmt(values: dict[str, float], units: dict[str, str]) -> str:
    return ", ".join(f"{k} = {v:.4g}{(' ' + units.get(k, '')).rstrip()}" for k, v in values.items())


def cmd_plan_design(a: argparse.Namespace) -> int:
    """``plan --design``: the fidelity scan, the next shots (``--data``) or the hold
    times of a calibration run (``--calibration``)."""
    try:
        return _plan_design(a)
    except InputError as e:
        raise _as_option(e) from None


def _plan_design(a: argparse.Namespace) -> int:
    from .fitting import curve_option, fit_params, nuisance_option

    if a.shots is None:
        raise InputError("--shots", "missing", "an integer in [1, 1e9] (the total to place)")
    if not 1 <= a.shots <= 10**9:
        raise InputError("--shots", a.shots, "an integer in [1, 1e9]")
    if a.calibration:
        from ..design.calibration import design_hold_times
        from .common import load_params

        out = design_hold_times(load_params(a.params), a.shots, tuple(a.calibration)).as_dict()
        if a.json:
            emit(out)
        else:
            for t, n in zip(out["time_s"], out["runs"], strict=True):
                print(f"  hold {t * 1e3:9.3f} ms : {n} runs")
            print(f"uniform grid needs {out['runs_ratio']:.2f}x the runs for the same variance")
        return 0
    curve = curve_option(a.curve)
    p = fit_params(a.params)
    nuis = nuisance_option(a.nuisance)
    for nu in nuis:
        if not nu.gaussian:
            raise InputError(
                "--nuisance", nu.name, "KEY=MEAN,SIGMA (a Gaussian prior) for --design"
            )
    tau = a.tau if a.tau else None
    if a.area:
        raise InputError("--area", a.area, "--tau (pulse lengths in s) with --design")
    if a.data:
        from ..analysis.data import read_csv
        from ..design.measurement import next_shots

        r = next_shots(
            read_csv(a.data), p, a.shots, curve=curve, nuisance=nuis, candidates_tau_s=tau
        )
        out = r.as_dict()
    else:
        from ..design.measurement import design_fidelity_scan

        fid = None if a.fidelity_set is None else a.fidelity_set
        d = design_fidelity_scan(
            p,
            a.shots,
            fidelity=fid,
            curve=curve,
            nuisance=nuis,
            candidates_tau_s=tau,
            toys=a.trials,
            seed=a.seed,
        )
        out = d.as_dict()
    if a.json:
        emit(out)
        return 0
    for t, n in zip(out["tau_s"], out["shots"], strict=True):
        print(f"  tau {t * 1e6:8.4f} us : {n} shots")
    if "shots_ratio" in out:
        print(
            f"expected 68% width {out['expected_interval_width']:.4f}; uniform grid "
            f"{out['uniform_interval_width']:.4f}; the uniform grid needs "
            f"{out['shots_ratio']:.2f}x the shots"
        )
    else:
        lo, hi = out["interval_68"]
        print(
            f"F = {out['fidelity']:.4f} [{lo:.4f}, {hi:.4f}] now; expected width after "
            f"these shots {out['expected_width_after']:.4f}"
        )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``optimise`` to the ``spinpair`` parser (``plan --design`` lives on ``plan``)."""
    from ..design.knobs import DEFAULT_KNOBS, KNOBS
    from ..design.preparation import TARGETS

    sp = add_command(
        sub, "optimise", "the hold, field and trap that make chi1 (or the gain) most likely"
    )
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument("--target", default="chi1", choices=list(TARGETS), help="what to maximise")
    sp.add_argument(
        "--knobs",
        nargs="+",
        default=list(DEFAULT_KNOBS),
        metavar="K",
        help=f"knobs to vary, from {list(KNOBS)} (default {' '.join(DEFAULT_KNOBS)})",
    )
    sp.add_argument(
        "--bounds",
        nargs="+",
        default=None,
        metavar="KNOB=LO:HI",
        help="override a knob's stated range (SI units: s, G, Hz, K)",
    )
    sp.add_argument(
        "--max-evaluations",
        type=integer,
        default=600,
        help=f"model evaluations of the search, 10 .. {MAX_EVALUATIONS} (default 600)",
    )
    sp.add_argument(
        "--landscape-points",
        type=integer,
        default=21,
        help="points per axis of the landscape over the two leading knobs, 0 .. 101",
    )
    sp.add_argument("--plot", default=None, help="write the landscape here (.png/.pdf/.svg)")
    sp.add_argument("--seed", type=integer, default=0, help=COMMON_HELP["seed"])
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_optimise)


def add_design_options(sp: argparse.ArgumentParser) -> None:
    """The ``--design`` options of ``spinpair plan``."""
    g = sp.add_argument_group("measurement design (--design)")
    g.add_argument(
        "--design",
        action="store_true",
        help="choose the tau points and shots per point (with --tau: the candidates)",
    )
    g.add_argument("--shots", type=integer, default=None, help="total shots to place, 1 .. 1e9")
    g.add_argument(
        "--data",
        default=None,
        metavar="COUNTS.csv",
        help="counts so far (tau_s, runs, n0, n1, n2): where the next --shots should go",
    )
    g.add_argument(
        "--nuisance",
        nargs="+",
        default=None,
        metavar="KEY=MEAN,SIGMA",
        help="imperfections to profile in the design (Gaussian priors)",
    )
    g.add_argument(
        "--calibration",
        nargs="+",
        default=None,
        metavar="aF",
        help="design the hold times of a calibration of these a_F instead (e.g. a0 a2)",
    )
    g.add_argument(
        "--assume-fidelity",
        dest="fidelity_set",
        type=real,
        default=None,
        help="assumed true F for --design (default (1 + chi1_coherence)/2)",
    )
