"""The ``spinpair`` command (contract: ``CLI.md``). Thin: parse, call, print or write.

Built on the standard library's ``argparse`` (it supports the contract's variadic options
such as ``--area 0 0.785 1.571``). Exit status: 0 success, 2 bad input (one line on
stderr naming the field), 1 internal error. With ``--json`` stdout holds exactly one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InputError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def emit(obj: dict[str, Any]) -> None:
    """Print one JSON object on stdout (the ``--json`` contract)."""
    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")


def load_params(path: str | None):
    """The validated :class:`~spinpair.params.Params` from ``path``, or the paper defaults."""
    from .params import Params

    return Params.from_toml(path) if path else Params()


def note_placeholders(out: dict[str, Any] | None, *uses: tuple[Any, str | None]) -> None:
    """Flag an output that depends on placeholder scattering lengths (issue 10).

    ``uses``: (params, collision model) pairs the output was computed with; the model is
    None or ``"given"`` when no collision dynamics ran. If any a_F used is a placeholder,
    merge ``placeholders`` (e.g. ``["a0_bohr", "a2_bohr"]``) and ``warnings`` into ``out``
    (when given) and print one warning line on stderr.
    """
    from .species import placeholder_notice

    names: list[str] = []
    text = None
    for params, model in uses:
        notice = placeholder_notice(params, model)
        if notice:
            names += [n for n in notice["placeholders"] if n not in names]
            text = text or notice["warnings"][0]
    if text is None:
        return
    print(f"spinpair: warning: {text}", file=sys.stderr)
    if out is not None:
        out["placeholders"] = names
        out["warnings"] = [*out.get("warnings", []), text]


_emit = emit
_load_params = load_params


# ----------------------------------------------------------------------------- params


def cmd_params(a: argparse.Namespace) -> int:
    from .params import PAPER_DEFAULTS_NOTE, PARAM_DOCS
    from .species import species_summary

    p = _load_params(a.params)
    if a.json:
        _emit(
            {
                "params": p.to_dict(),
                "units": PARAM_DOCS,
                "species_data": species_summary(p.species_data()),
                "note": PAPER_DEFAULTS_NOTE,
            }
        )
    else:
        sys.stdout.write(p.to_toml())
    return 0


# ----------------------------------------------------------------------------- state


def cmd_state(a: argparse.Namespace) -> int:
    from .spin import concurrence_pm1, named_ket, named_state, negativity, populations, purity

    rho = named_state(a.name, a.f)
    out = {
        "name": a.name,
        "f": a.f,
        "negativity": negativity(rho),
        "fidelity_chi1": float(
            np.real(named_ket("chi1", a.f).conj() @ rho @ named_ket("chi1", a.f))
        ),
        "purity": purity(rho),
        "concurrence_pm1": concurrence_pm1(rho),
        "populations": populations(rho),
    }
    if a.json:
        _emit(out)
    else:
        for k, v in out.items():
            print(f"{k:16s} {v}")
    return 0


# ----------------------------------------------------------------------------- zeeman


def cmd_zeeman(a: argparse.Namespace) -> int:
    from .species import (
        check_field_gauss,
        get_species,
        pair_zeeman_shift_hz,
        quadratic_zeeman_hz_per_gauss2,
        zeeman_energy_hz,
    )

    sp = get_species(a.species, a.f)
    b = float(check_field_gauss(a.field, "field"))
    shifts = {f"chi{k}": float(pair_zeeman_shift_hz(sp, k, b)) for k in range(1, sp.f + 1)}
    ms = list(range(sp.f, -sp.f - 1, -1))
    e0 = float(zeeman_energy_hz(sp, 0, b))
    out = {
        "species": sp.name,
        "f": sp.f,
        "field_gauss": b,
        "pair_shift_hz": shifts,
        "energy_hz": {str(m): float(zeeman_energy_hz(sp, m, b)) - e0 for m in ms},
        "quadratic_zeeman_hz_per_gauss2": quadratic_zeeman_hz_per_gauss2(sp),
    }
    if a.json:
        _emit(out)
    else:
        print(f"{sp.name} f={sp.f} at {b} G: E(|k,-k>) - E(|0,0>)")
        for k, v in shifts.items():
            print(f"  {k:6s} {v:14.4f} Hz")
    return 0


# ----------------------------------------------------------------------------- raman


def _finite_list(name: str, values: Sequence[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    for v in arr:
        if not math.isfinite(v):
            raise InputError(name, float(v), "finite numbers")
    return arr


def _scan_setting(a: argparse.Namespace, rabi_frequency_hz: float):
    if a.area is not None:
        return "area", _finite_list("area", a.area)
    tau = _finite_list("tau", a.tau)
    if np.any(tau < 0):
        raise InputError("tau", float(tau[tau < 0][0]), ">= 0 (seconds)")
    return "tau_s", tau


def _sequence_params(a: argparse.Namespace):
    """Parameters for a sequence command: with --state and no --params, no preparation error."""
    import dataclasses

    p = _load_params(a.params)
    if getattr(a, "state", None) and not a.params:
        imp = dataclasses.replace(p.imperfections, prep_efficiency=1.0)
        p = dataclasses.replace(p, imperfections=imp)
    return p


def cmd_raman(a: argparse.Namespace) -> int:
    from .sequence import Sequence as MeasurementSequence

    p = _sequence_params(a)
    name, setting = _scan_setting(a, p.raman.rabi_frequency_hz)
    kw = {"area": setting} if name == "area" else {"tau_s": setting}
    if a.coherence is not None and (a.state is not None):
        raise InputError(
            "--coherence", a.coherence, "only without --state (use the collision model)"
        )

    def build(c):
        return MeasurementSequence.from_params(
            p, state=a.state, ideal=a.ideal, destroy=a.destroy, chi1_coherence=c
        )

    res = build(a.coherence).run(**kw)
    out = res.as_dict()
    if a.compare:
        if a.state is not None:
            raise InputError("--compare", True, "only without --state")
        out["entangled"] = build(1.0).run(**kw).as_dict()
        out["unentangled"] = build(0.0).run(**kw).as_dict()
    note_placeholders(out, (p, None if a.state is not None else p.collisions.model))
    if a.json:
        _emit(out)
    else:
        print(f"{name:>14s} {'P0':>10s} {'P1':>10s} {'P2':>10s}")
        for x, q0, q1, q2 in zip(setting, res.P0, res.P1, res.P2, strict=True):
            print(f"{x:14.6g} {q0:10.6f} {q1:10.6f} {q2:10.6f}")
    return 0


# ----------------------------------------------------------------------------- reproduce


def cmd_reproduce(a: argparse.Namespace) -> int:
    from .paper import paper_params
    from .report import reproduce

    out = reproduce(a.out)
    note_placeholders(None, (paper_params(), "ergodic"))  # fig. 1b: first-principles models
    print(f"wrote {out}/report.html and {out}/results.json", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``spinpair`` command."""
    from . import __version__

    p = _Parser(prog="spinpair", description="Spin-entangled atom pairs in a tweezer.")
    p.add_argument("--version", action="version", version=f"spinpair {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sp = sub.add_parser("params", help="print the validated parameter set with units")
    sp.add_argument("--show", action="store_true", help="print the parameters (default)")
    sp.add_argument("--params", metavar="FILE.toml")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_params)

    sp = sub.add_parser("state", help="entanglement measures of a named pair state")
    sp.add_argument("name", help="00, chi1, chi2, chi_minus, phi_plus, mixed or m1,m2")
    sp.add_argument("--f", type=int, default=2)
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_state)

    sp = sub.add_parser("zeeman", help="Breit-Rabi pair Zeeman shifts E(|k,-k>) - E(|0,0>)")
    sp.add_argument("--species", default="rb85")
    sp.add_argument("--f", type=int, default=None)
    sp.add_argument("--field", type=float, required=True, help="bias field [G]")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_zeeman)

    sp = sub.add_parser("raman", help="P0/P1/P2 after a Raman pulse, eject |1> and counting")
    sp.add_argument("--ideal", action="store_true", help="every imperfection off")
    sp.add_argument("--state", default=None, help="replace the collision step by this state")
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--area", type=float, nargs="+", help="pulse areas Omega*tau [rad]")
    g.add_argument("--tau", type=float, nargs="+", help="pulse durations [s]")
    sp.add_argument("--params", metavar="FILE.toml")
    sp.add_argument("--destroy", action="store_true", help="insert entanglement destruction")
    sp.add_argument(
        "--coherence", type=float, default=None, help="override the chi1 coherence c in [-1, 1]"
    )
    sp.add_argument(
        "--compare", action="store_true", help="add curves for c = 1 and c = 0 (paper Fig. 2b)"
    )
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_raman)

    sp = sub.add_parser("reproduce", help="every figure and table of the paper")
    sp.add_argument("--out", default="results", help="output folder (default results/)")
    sp.set_defaults(func=cmd_reproduce)

    # subcommands that live in their own modules (one module per job)
    import importlib

    for module in EXTRA_COMMAND_MODULES:
        importlib.import_module(f"spinpair.{module}").register(sub)
    return p


#: Modules that add subcommands: each has ``register(subparsers)`` adding its parsers with
#: ``set_defaults(func=...)``; they use :func:`emit`, :func:`load_params` from this module.
EXTRA_COMMAND_MODULES = ("cli_dynamics", "cli_analysis", "cli_ramsey", "cli_sweep")


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status (never calls sys.exit)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except SystemExit as e:  # --help / --version
        return int(e.code or 0)
    except InputError as e:
        print(f"spinpair: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("spinpair: interrupted", file=sys.stderr)
        return 1
    except Exception as e:  # internal error
        if os.environ.get("SPINPAIR_DEBUG"):
            traceback.print_exc()
        print(f"spinpair: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())


if __name__ == "__main__":  # pragma: no cover
    main()
