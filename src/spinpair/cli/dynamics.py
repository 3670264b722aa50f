"""``spinpair dynamics``: populations of the collision products versus hold time.

Contract (``docs/cli.md``): ``spinpair dynamics --model M [--params FILE] [--species S] [--f F]
[--field G] [--temperature K] --times T… --json`` prints ``time_s`` and ``populations``
(named states → lists). Extra keys: ``model``, ``chi1_coherence``, ``trap`` (thermal
quantities), ``quadrature_error`` (ergodic models: largest population change when the
energy nodes are halved), ``regime`` (the model's regime-of-validity check: ``status`` ok |
warn | refuse, ``reasons``, ``numbers``, ``alternative``) and ``warnings`` (its texts). A
model outside its regime exits 2 with the reason, unless ``--allow-outside-regime``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError

if TYPE_CHECKING:
    from ..params import Params


def _params(a: argparse.Namespace) -> Params:
    """The parameters of ``--params`` (or the defaults) with the command-line overrides
    applied through :meth:`~spinpair.params.Params.replace`: ``--species`` (without
    ``--f``: that species' manifold and its own scattering lengths), ``--f``, ``--rates``
    and the options that set a parameter (``--field``, ``--temperature``,
    ``--rate-scale``: range and unit from the schema)."""
    from .common import apply_param_options, load_params

    values: dict[str, Any] = {}
    if a.species is not None:
        values["species"] = a.species
        if a.f is None:
            from ..species import get_species

            values["f"] = get_species(a.species).f
            values["scattering_lengths_bohr"] = {}
    if a.f is not None:
        values["f"] = a.f
    if getattr(a, "rates", None) is not None:
        values["collisions.rates"] = a.rates
    return apply_param_options(load_params(a.params), a, values)


#: Most energy nodes accepted by ``--nodes`` (the default is 1024; cost grows linearly).
MAX_NODES = 16384


def cmd_dynamics(a: argparse.Namespace) -> int:
    """Run one collision model and print the populations (and extras) per time."""
    from ..dynamics import MODELS, CollisionSetup, evolve
    from .common import emit, note_placeholders

    p = _params(a)
    model = a.model or p.collisions.model
    if model not in MODELS:
        raise InputError("--model", model, f"one of {list(MODELS)}")
    times = np.asarray(a.times, dtype=float)
    options = {}
    if a.nodes is not None:
        if not model.startswith("ergodic"):
            raise InputError("--nodes", a.nodes, "only with the ergodic models")
        if not 8 <= a.nodes <= MAX_NODES:
            raise InputError("--nodes", a.nodes, f"an integer in [8, {MAX_NODES}]")
        options["nodes"] = a.nodes
    if a.busch:
        if model != "ground-state":
            raise InputError("--busch", True, "only with --model ground-state")
        options["busch"] = True
    setup = CollisionSetup.from_params(p)
    outside = "warn" if a.allow_outside_regime else "raise"
    import warnings

    from ..dynamics.regime import RegimeWarning

    with warnings.catch_warnings():  # reported below, once, as "spinpair: warning: …"
        warnings.simplefilter("ignore", RegimeWarning)
        res = evolve(model, setup, times, a.state, outside_regime=outside, **options)
    out = res.as_dict()
    for w in out.get("warnings", []):
        print(f"spinpair: warning: dynamics: {w}", file=sys.stderr)
    coh = res.chi1_coherence()
    out["chi1_coherence"] = [None if not math.isfinite(c) else float(c) for c in coh]
    sp = setup.species
    out["trap"] = setup.trap.summary(float(np.mean(list(sp.scattering_lengths_bohr.values()))))
    if model.startswith("ergodic"):
        from ..dynamics.ergodic import DEFAULT_NODES
        from ..dynamics.relaxation import ERGODIC_RELAXATION_NODES

        n = options.get("nodes", DEFAULT_NODES if model == "ergodic" else ERGODIC_RELAXATION_NODES)
        half = evolve(
            model,
            setup,
            times,
            a.state,
            outside_regime="ignore",
            **{**options, "nodes": max(8, n // 2)},
        )
        out["quadrature_error"] = float(
            max(np.max(np.abs(res.populations()[k] - v)) for k, v in half.populations().items())
        )
    from ..species import scattering_length_status

    out["scattering_lengths"] = scattering_length_status(sp)
    out["rates"] = setup.rates
    from ..dynamics import DYNAMICS_INPUTS
    from ..provenance import Provenance

    used = DYNAMICS_INPUTS + (("collisions.rate_scale",) if setup.rate_scale != 1 else ())
    out["provenance"] = Provenance.from_params(
        p, used=used, method=f"{model} model ({setup.rates} rates)"
    ).as_dict()
    from ..dynamics.prediction import RATE_MODELS, predict_populations

    if model in RATE_MODELS and a.state == "00" and setup.rates == "s-matrix":
        out["prediction_band"] = predict_populations(p, times, model=model).as_dict()
    note_placeholders(out, (p, model))
    if a.json:
        emit(out)
    else:
        pops = res.populations()
        print(f"# model {model}; populations of the named pair states", file=sys.stderr)
        print(f"{'time_s':>12s}" + "".join(f"{k:>12s}" for k in pops))
        for i, t in enumerate(res.time_s):
            print(f"{t:12.6g}" + "".join(f"{v[i]:12.6f}" for v in pops.values()))
        band = out.get("prediction_band")
        if band:
            print(f"{'lower':>12s}" + "".join(f"{band['lower'][k][-1]:12.6f}" for k in pops))
            print(f"{'upper':>12s}" + "".join(f"{band['upper'][k][-1]:12.6f}" for k in pops))
            print(
                "# range at the last time: potentials (sized on the 85Rb 155 G resonance) and "
                f"T ± {band['temperature_sigma_k'] * 1e6:g} µK (a setting)",
                file=sys.stderr,
            )
    return 0


def _calibrate_output_path(path: str | None, field: str) -> None:
    """Check an output path before any computation (docs/cli.md): the parent folder exists and
    is writable, the target is not a folder, the suffix is an image format."""
    import os
    from pathlib import Path

    if path is None:
        return
    p = Path(path)
    if p.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise InputError(field, path, "a file name ending in .png, .pdf or .svg")
    if p.is_dir():
        raise InputError(field, path, "a file path, not a folder")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(field, path, "a path in an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(field, path, "a path in a writable folder")


def _key_values(items: list[str] | None, field: str, example: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        k, sep, v = item.partition("=")
        if not sep or not k or not v:
            raise InputError(field, item, f"KEY=VALUE, e.g. {example}")
        out[k.strip()] = v.strip()
    return out


def _finite(field: str, text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise InputError(field, text, "a number") from None
    if not math.isfinite(x):
        raise InputError(field, text, "a finite number")
    return x


def cmd_calibrate(a: argparse.Namespace) -> int:
    """Fit scattering-length differences (default) and/or rate_scale to measured
    populations (paper Fig. S1): every minimum, MINOS intervals, profiles, verdict."""
    from ..analysis.calibrate import calibrate
    from ..analysis.data import read_population_csv
    from ..dynamics import MODELS, CollisionSetup
    from .common import emit

    _calibrate_output_path(a.profile, "--profile")
    if a.budget is not None and not (math.isfinite(a.budget) and a.budget > 0):
        raise InputError("--budget", a.budget, "a positive time in seconds (deprecated, ignored)")
    if a.max_evaluations < MIN_CALIBRATE_EVALUATIONS:
        raise InputError("--max-evaluations", a.max_evaluations, f">= {MIN_CALIBRATE_EVALUATIONS}")
    if not (math.isfinite(a.resolution) and a.resolution > 0):
        raise InputError("--resolution", a.resolution, "a positive length in Bohr radii")
    if not (math.isfinite(a.resolution_rate_scale) and a.resolution_rate_scale > 0):
        raise InputError("--resolution-rate-scale", a.resolution_rate_scale, "a positive factor")
    p = _params(a)
    model = a.model or p.collisions.model
    if model not in MODELS:
        raise InputError("--model", model, f"one of {list(MODELS)}")
    starts = _key_values(a.start, "--start", "a0=-600")
    start = {k: _finite(f"--start {k}", v) for k, v in starts.items()}
    limits = {}
    for k, v in _key_values(a.limits, "--limits", "a0=-2000,0").items():
        parts = v.split(",")
        if len(parts) != 2:
            raise InputError(f"--limits {k}", v, "LO,HI, e.g. a0=-2000,0")
        limits[k] = (_finite(f"--limits {k}", parts[0]), _finite(f"--limits {k}", parts[1]))
    data = read_population_csv(a.data)
    setup = CollisionSetup.from_params(p)
    free = tuple(a.free) if a.free else None
    for k in limits:
        if k not in (free or [f"a{F}" for F in setup.species.channels[:-1]]):
            raise InputError("--limits", k, "a free parameter")
    fit = calibrate(
        data,
        setup,
        model,
        free=free,
        start=start,
        limits=limits,
        grid=a.grid,
        profile_points=a.profile_points,
        max_evaluations=a.max_evaluations,
        resolution_bohr=a.resolution,
        resolution_rate_scale=a.resolution_rate_scale,
        progress=sys.stderr.isatty(),
        rests_on=_rests_on(p, fit_free=free or [f"a{F}" for F in setup.species.channels[:-1]]),
    )
    if a.profile:
        from ..plots.calibrate import plot_calibration
        from ..plots.style import save_single as save_figure

        save_figure(plot_calibration(fit), a.profile)
    out = fit.as_dict()
    if a.budget is not None:
        out["warnings"] = [*out["warnings"], BUDGET_DEPRECATED]
    for w in out["warnings"]:
        print(f"spinpair: warning: calibrate: {w}", file=sys.stderr)
    if not fit.identified:
        print(f"spinpair: warning: calibrate: {fit.verdict}", file=sys.stderr)
    if a.json:
        emit(out)
    else:
        fixed = ", ".join(f"{k} = {v:g}" for k, v in fit.fixed.items())
        print(f"# {fit.model_label}; fixed: {fixed}; values are {fit.status} (effective)")
        for i, m in enumerate(fit.minima):
            print(f"minimum {i + 1}: Δnll = {m.delta_nll:.3f}, valid = {m.valid}")
            for name, value in m.values.items():
                iv = m.intervals[name]
                txt = f"[{iv[0]:.6g}, {iv[1]:.6g}]" if iv else f"none ({m.interval_notes[name]})"
                print(f"  {name:>12s} = {value:.6g}   68 %: {txt}")
        print(f"deviance 2·nll = {2 * fit.nll:.2f} (dof {out['dof']}); verdict: {fit.verdict}")
        res = ", ".join(f"{k} {v:g} a_B" for k, v in out["search"]["resolution_bohr"].items())
        ev = out["search"]["evaluations"]
        print(f"# search: resolution {res or '-'}; {ev['total']} model evaluations")
    return 0


#: Fewest model evaluations ``calibrate --max-evaluations`` accepts.
MIN_CALIBRATE_EVALUATIONS = 100
#: What ``calibrate --budget`` says now that it is ignored.
BUDGET_DEPRECATED = (
    "--budget (seconds) is deprecated and ignored: the search is bounded by "
    "--max-evaluations (model evaluations), so that its result does not depend on the "
    "machine's load"
)


def _rests_on(p: Params, fit_free: Sequence[str]) -> dict[str, str]:
    """Statuses (docs/cli.md) of the parameters a calibration's model rests on: the trap, the
    temperature, the hold field and (when fixed) rate_scale; the fixed a_F come from the
    species data inside :func:`~spinpair.analysis.calibrate.calibrate`."""
    from ..presets import parameter_rows

    used = ("trap", "collisions.field_gauss", "collisions.rate_scale", "scattering_lengths_bohr")
    out = {}
    for r in parameter_rows(p, used=used):
        key = r["key"]
        if key == "collisions.rate_scale" and "rate_scale" in fit_free:
            continue
        if key.startswith("scattering_lengths_bohr.") and key.rsplit(".", 1)[-1] in fit_free:
            continue
        out[key] = r["status"]
    return out


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair dynamics`` and ``spinpair calibrate`` to the ``spinpair`` parser."""
    from ..analysis.gridsearch import (
        DEFAULT_MAX_EVALUATIONS,
        DEFAULT_RESOLUTION_BOHR,
        DEFAULT_RESOLUTION_RATE_SCALE,
    )
    from .common import add_param_option

    sp = sub.add_parser(
        "calibrate",
        help="fit a_F differences (default) or rate_scale to populations vs hold time",
        description="Fit the collision model to populations versus hold time: a grid "
        "scan refined wherever the nll can come within Δnll < 2 of the best down to a "
        "stated resolution, MIGRAD from every separated grid minimum, MINOS 68 %% intervals "
        "of every minimum within Δnll < 2, a profile of each free parameter and an "
        "identifiability verdict. Default: fit every a_F but the highest channel's, "
        "rate_scale fixed. Every budget is counted in model evaluations: the same data and "
        "options give the same output on any machine.",
    )
    sp.add_argument("data", help="CSV: time_s, runs, and counts per pair state (00, chi1, …)")
    sp.add_argument("--model", default=None, help="collision model (default: the params')")
    sp.add_argument("--params", metavar="FILE.toml")
    sp.add_argument("--species", default=None)
    sp.add_argument("--f", type=int, default=None)
    add_param_option(sp, "--field", "collisions.field_gauss", help="hold field")
    add_param_option(sp, "--temperature", "trap.temperature_k", help="temperature")
    add_param_option(
        sp, "--rate-scale", "collisions.rate_scale", help="rate_scale held fixed (default 1)"
    )
    sp.add_argument(
        "--free",
        nargs="+",
        default=None,
        help="parameters to fit: a0, a2, … (Bohr radii) and/or rate_scale "
        "(default: every a_F but the highest channel's)",
    )
    sp.add_argument("--start", nargs="*", metavar="KEY=VALUE", help="starting values")
    sp.add_argument(
        "--limits",
        nargs="*",
        metavar="KEY=LO,HI",
        help="search limits (default ±1000 a_B around the start; rate_scale 1e-3,1e4)",
    )
    sp.add_argument(
        "--grid",
        type=int,
        default=None,
        help="coarse grid points per free parameter before refinement (default 41, 21, 11 "
        "for 1, 2, 3 free parameters)",
    )
    sp.add_argument(
        "--resolution",
        type=float,
        default=DEFAULT_RESOLUTION_BOHR,
        help="node spacing [a_B] the grid reaches for the a_F wherever the nll can come "
        f"within Δnll < 2 of the best (default {DEFAULT_RESOLUTION_BOHR:g})",
    )
    sp.add_argument(
        "--resolution-rate-scale",
        type=float,
        default=DEFAULT_RESOLUTION_RATE_SCALE,
        help="the same for rate_scale, as a relative step "
        f"(default {DEFAULT_RESOLUTION_RATE_SCALE:g})",
    )
    sp.add_argument(
        "--max-evaluations",
        type=int,
        default=DEFAULT_MAX_EVALUATIONS,
        help="model evaluations the calibration may spend, grid (up to 75 %%), MIGRAD and "
        f"MINOS together (default {DEFAULT_MAX_EVALUATIONS})",
    )
    sp.add_argument(
        "--profile-points",
        type=int,
        default=None,
        help="0: no nll profiles (default: profiles read off the grid nodes)",
    )
    sp.add_argument(
        "--budget",
        type=float,
        default=None,
        help="deprecated and ignored (was a time budget in seconds, which made the result "
        "depend on the machine's load): use --max-evaluations",
    )
    sp.add_argument("--profile", metavar="FILE.png", help="plot the nll profiles to this file")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_calibrate)

    from .common import COMMON_HELP, integer

    sp = sub.add_parser(
        "dynamics",
        help="populations of 00, chi1, chi2 versus hold time",
        description="Spin-changing collisions of the pair in the tweezer: populations of the\n"
        "named pair states (00, chi1, chi2, ...) versus hold time for one collision model,\n"
        "with the chi1 coherence and the thermal trap quantities.",
        epilog="example:\n  spinpair dynamics --model ergodic --times 0 0.05 0.1 --json\n"
        "  spinpair dynamics --model relaxation --species rb87 --field 1 --times 0.1 --json",
    )
    sp.add_argument(
        "--model",
        default=None,
        help="ground-state | secular | ergodic | relaxation | ergodic+relaxation "
        "(default: collisions.model of the parameters)",
    )
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument("--species", default=None, help="rb85, rb87, na23")
    sp.add_argument("--f", type=integer, default=None, help="hyperfine manifold f")
    add_param_option(sp, "--field", "collisions.field_gauss", help="hold field")
    add_param_option(sp, "--temperature", "trap.temperature_k", help="temperature")
    add_param_option(sp, "--rate-scale", "collisions.rate_scale", help="relaxation rate scale")
    sp.add_argument(
        "--rates",
        choices=("s-matrix", "zero-range"),
        default=None,
        help="relaxation rates from the coupled-channel S-matrix (default) or the zero-range "
        "amplitudes in the a_F",
    )
    sp.add_argument(
        "--state", default="00", help="initial pair state (default 00; e.g. chi1, -1,1)"
    )
    sp.add_argument(
        "--nodes",
        type=integer,
        default=None,
        help=f"energy nodes (ergodic models), 8 .. {MAX_NODES}",
    )
    sp.add_argument("--busch", action="store_true", help="exact Busch energies (isotropic)")
    sp.add_argument(
        "--allow-outside-regime",
        action="store_true",
        help="run a model outside its regime of validity with a warning instead of exit 2",
    )
    add_param_option(
        sp,
        "--times",
        "collisions.hold_time_s",
        help="hold times, non-decreasing",
        override=False,
        nargs="+",
        required=True,
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_dynamics)
