"""``spinpair dynamics``: populations of the collision products versus hold time.

Contract (``CLI.md``): ``spinpair dynamics --model M [--params FILE] [--species S] [--f F]
[--field G] [--temperature K] --times T… --json`` prints ``time_s`` and ``populations``
(named states → lists). Extra keys: ``model``, ``chi1_coherence``, ``trap`` (thermal
quantities), ``quadrature_error`` (ergodic models: largest population change when the
energy nodes are halved).
"""

from __future__ import annotations

import argparse
import math
import sys

import numpy as np

from .errors import InputError


def _params(a: argparse.Namespace):
    from .cli import load_params
    from .params import Params

    p = load_params(a.params)
    d = p.to_dict()
    if a.species is not None:
        d["species"] = a.species
        if a.f is None:
            d.pop("f", None)
            d.pop("scattering_lengths_bohr", None)
    if a.f is not None:
        d["f"] = a.f
    if a.field is not None:
        d["collisions"]["field_gauss"] = a.field
    if a.temperature is not None:
        d["trap"]["temperature_k"] = a.temperature
    if a.rate_scale is not None:
        d["collisions"]["rate_scale"] = a.rate_scale
    if a.species is not None and a.f is None:
        from .species import get_species

        d["f"] = get_species(a.species).f
    return Params.from_dict(d)


def cmd_dynamics(a: argparse.Namespace) -> int:
    """Run one collision model and print the populations (and extras) per time."""
    from .cli import emit
    from .dynamics import MODELS, CollisionSetup, evolve

    p = _params(a)
    model = a.model or p.collisions.model
    if model not in MODELS:
        raise InputError("--model", model, f"one of {list(MODELS)}")
    times = np.asarray(a.times, dtype=float)
    options = {}
    if a.nodes is not None:
        if not model.startswith("ergodic"):
            raise InputError("--nodes", a.nodes, "only with the ergodic models")
        options["nodes"] = a.nodes
    if a.busch:
        if model != "ground-state":
            raise InputError("--busch", True, "only with --model ground-state")
        options["busch"] = True
    setup = CollisionSetup.from_params(p)
    res = evolve(model, setup, times, a.state, **options)
    out = res.as_dict()
    coh = res.chi1_coherence()
    out["chi1_coherence"] = [None if not math.isfinite(c) else float(c) for c in coh]
    sp = setup.species
    out["trap"] = setup.trap.summary(float(np.mean(list(sp.scattering_lengths_bohr.values()))))
    if model.startswith("ergodic"):
        from .dynamics.ergodic import DEFAULT_NODES
        from .dynamics.relaxation import ERGODIC_RELAXATION_NODES

        n = options.get(
            "nodes", DEFAULT_NODES if model == "ergodic" else ERGODIC_RELAXATION_NODES
        )
        half = evolve(model, setup, times, a.state, **{**options, "nodes": max(8, n // 2)})
        out["quadrature_error"] = float(
            max(np.max(np.abs(res.populations()[k] - v)) for k, v in half.populations().items())
        )
    if a.json:
        emit(out)
    else:
        pops = res.populations()
        print(f"# model {model}; populations of the named pair states", file=sys.stderr)
        print(f"{'time_s':>12s}" + "".join(f"{k:>12s}" for k in pops))
        for i, t in enumerate(res.time_s):
            print(f"{t:12.6g}" + "".join(f"{v[i]:12.6f}" for v in pops.values()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair dynamics`` to the ``spinpair`` parser."""
    sp = sub.add_parser("dynamics", help="populations of 00, chi1, chi2 versus hold time")
    sp.add_argument(
        "--model",
        default=None,
        help="ground-state | secular | ergodic | relaxation | ergodic+relaxation "
        "(default: collisions.model of the parameters)",
    )
    sp.add_argument("--params", metavar="FILE.toml")
    sp.add_argument("--species", default=None, help="rb85, rb87, na23")
    sp.add_argument("--f", type=int, default=None, help="hyperfine manifold f")
    sp.add_argument("--field", type=float, default=None, help="hold field [G]")
    sp.add_argument("--temperature", type=float, default=None, help="temperature [K]")
    sp.add_argument("--rate-scale", type=float, default=None, help="relaxation rate scale")
    sp.add_argument("--state", default="00", help="initial pair state (default 00)")
    sp.add_argument("--nodes", type=int, default=None, help="energy nodes (ergodic models)")
    sp.add_argument("--busch", action="store_true", help="exact Busch energies (isotropic)")
    sp.add_argument("--times", type=float, nargs="+", required=True, help="hold times [s]")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_dynamics)
