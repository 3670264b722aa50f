"""The ``spinpair`` command (contract: ``CLI.md``). Thin: parse, call, print or write.

Built on the standard library's ``argparse`` (it supports the contract's variadic options
such as ``--area 0 0.785 1.571``). Exit status: 0 success, 2 bad input (one line on
stderr naming the field), 1 internal error (a bug: input, files and signals never cause
it), 130/143 on SIGINT/SIGTERM (temporary files removed, one line on stderr). With
``--json`` stdout holds exactly one JSON object.

Negative numbers work as option values (``--state -1,1``, ``--detuning -5e3``): the
parser treats any ``-<number>`` or ``-<number>,<number>…`` word as a value, never as an
option.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import InputError, UsageError

#: A word that is a value, not an option: a negative number (``-1e-6``, ``-.5``, ``-inf``)
#: or a comma-separated list starting with one (``-1,1``: a product state m1,m2).
_NUMBER = r"(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf(?:inity)?|nan"
NEGATIVE_VALUE = re.compile(rf"^-(?:{_NUMBER})(?:,[-+]?(?:{_NUMBER}))*$", re.IGNORECASE | re.ASCII)
_REAL = re.compile(rf"^[-+]?(?:{_NUMBER})$", re.IGNORECASE | re.ASCII)


def real(text: str) -> float:
    """argparse type: a finite real number in ASCII (``1.5e-6``, ``-5e3``).

    Stricter than ``float``: no ``nan``/``inf``, no underscores, no non-ASCII digits.
    """
    t = text.strip()
    if not _REAL.match(t):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number (write it with ASCII digits, e.g. 1.5e-6 or -5e3)"
        )
    x = float(t)
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return x


def integer(text: str) -> int:
    """argparse type: an integer in ASCII (``200``, ``-3``, or an integral ``1e3``)."""
    t = text.strip()
    if re.fullmatch(r"[-+]?[0-9]+", t):
        return int(t)
    try:
        x = real(t)
    except argparse.ArgumentTypeError:
        x = math.nan
    if not math.isfinite(x) or x != round(x) or abs(x) > 2**53:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer (|n| <= 2**53, ASCII digits)")
    return int(x)


#: Help for options that many subcommands share (filled in where a module left it out).
COMMON_HELP = {
    "json": "print one JSON object on stdout (keys in CLI.md) instead of a table",
    "params": "parameter file (TOML); missing keys take the paper's defaults "
    "(see `spinpair params --show`)",
    "species": "atomic species: rb85, rb87 or na23",
    "f": "hyperfine manifold f of the pair (default: the species' usual one)",
    "seed": "seed of the random-number generator (integer >= 0; same seed, same result)",
    "rate_scale": "multiply the relaxation rates by this factor",
    "field": "magnetic field [G]",
    "temperature": "temperature of the pair [K]",
    "curve": "count curve: 0, 1, 2 (atoms) or all",
    "out": "output file",
}


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (exit status 2), examples kept as written, and
    negative numbers accepted as option values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        # no abbreviations: `ramsey --detuning 5e3` must not silently mean --detuning-span
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        # argparse only takes "-1" and "-1.5" as values; "-1,1", "-1e-6" and "-inf" would be
        # read as unknown options (it looks at this attribute for every word).
        self._negative_number_matcher = NEGATIVE_VALUE

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _finite_json(x: Any) -> Any:
    """NaN and infinities become null (CLI.md: never 0); numpy values become Python ones."""
    if isinstance(x, dict):
        return {str(k): _finite_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_finite_json(v) for v in x]
    if isinstance(x, np.ndarray):
        return _finite_json(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    return x


def emit(obj: dict[str, Any]) -> None:
    """Print one JSON object on stdout (the ``--json`` contract; NaN and inf as null)."""
    sys.stdout.write(json.dumps(_finite_json(obj), allow_nan=False) + "\n")


def check_input_file(field: str, path: str) -> str:
    """Check that ``path`` is an existing, readable UTF-8 text file; return it.

    Raises :class:`InputError` naming ``field`` and the user's path (a binary or Latin-1
    file, a folder, a missing or unreadable file), so that no input file makes the
    command exit 1.
    """
    if not os.path.exists(path):
        raise InputError(field, path, "an existing file")
    if os.path.isdir(path):
        raise InputError(field, path, "a file (this is a folder)")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise InputError(field, path, "a readable file", e.strerror or str(e)) from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            field, path, "a UTF-8 text file", f"byte 0x{data[e.start]:02x} at offset {e.start}"
        ) from None
    return path


def load_params(path: str | None):
    """The validated :class:`~spinpair.params.Params` from ``path``, or the paper defaults."""
    from .params import Params

    if not path:
        return Params()
    check_input_file("--params", path)
    return Params.from_toml(path)


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

#: Largest spin f accepted by ``spinpair state`` (the pair space has (2f+1)^2 states).
MAX_STATE_F = 8


def cmd_state(a: argparse.Namespace) -> int:
    """Entanglement measures of a named pair state."""
    from .spin import concurrence_pm1, named_ket, named_state, negativity, populations, purity

    if not 1 <= a.f <= MAX_STATE_F:
        raise InputError("--f", a.f, f"an integer in [1, {MAX_STATE_F}]")
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

#: Largest field of ``spinpair zeeman`` [G]: beyond 100 T the pair shifts (differences of
#: energies growing as B) lose double precision, and no tweezer experiment gets near it.
MAX_ZEEMAN_FIELD_GAUSS = 1e6


def cmd_zeeman(a: argparse.Namespace) -> int:
    """Breit-Rabi pair Zeeman shifts."""
    from .errors import check_range
    from .species import (
        check_field_gauss,
        get_species,
        pair_zeeman_shift_hz,
        quadratic_zeeman_hz_per_gauss2,
        zeeman_energy_hz,
    )

    sp = get_species(a.species, a.f)
    check_range("--field", a.field, 0.0, MAX_ZEEMAN_FIELD_GAUSS, unit="gauss")
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

#: Largest pulse area |Omega tau| accepted [rad] (1.6e5 Rabi cycles): far beyond any
#: coherent pulse, and beyond it the pulse phase is numerically meaningless.
MAX_PULSE_AREA = 1e6


#: Largest |Raman detuning| accepted by ``--detuning`` [Hz].
MAX_DETUNING_HZ = 1e8


def max_pulse_area(p_spont_per_pi: float = 0.0) -> tuple[float, str]:
    """Largest pulse area [rad] and the reason: ``MAX_PULSE_AREA``, or π/p_spont_per_pi
    where the spontaneous-emission probability p_spont_per_pi · area/π would exceed 1."""
    if p_spont_per_pi > 0 and math.pi / p_spont_per_pi < MAX_PULSE_AREA:
        return (
            math.pi / p_spont_per_pi,
            f"imperfections.p_spont_per_pi = {p_spont_per_pi:g} per pi of area: a longer "
            "pulse would emit with probability > 1",
        )
    return MAX_PULSE_AREA, "about 1.6e5 Rabi cycles, beyond any coherent pulse"


def check_pulse_time(
    option: str, tau_s: float, rabi_frequency_hz: float, p_spont_per_pi: float = 0.0
) -> float:
    """Check one pulse duration [s] against the pulse-area limit (message in seconds)."""
    limit, why = max_pulse_area(p_spont_per_pi)
    tau_max = limit / (2 * math.pi * rabi_frequency_hz)
    if tau_s > tau_max:
        from .errors import format_bound

        raise InputError(
            option,
            float(tau_s),
            f"<= {format_bound(tau_max, tau_s)} s at Omega/2pi = {rabi_frequency_hz:g} Hz",
            f"pulse area Omega*tau <= {limit:.6g} rad: {why}",
        )
    return tau_s


def check_settings(
    name: str,
    values: np.ndarray,
    rabi_frequency_hz: float,
    p_spont_per_pi: float = 0.0,
    field: str | None = None,
) -> np.ndarray:
    """Check pulse settings (``name`` ``"area"`` [rad] or ``"tau_s"`` [s]): finite, τ >= 0,
    and |area| (or 2π Ω τ) within :func:`max_pulse_area`. ``field`` names the option or
    column in messages (``{i}`` is replaced by the 1-based row)."""
    from .errors import format_bound

    def where(i: int) -> str:
        return (field or f"--{name.removesuffix('_s')}").replace("{i}", str(i + 1))

    limit, why = max_pulse_area(p_spont_per_pi)
    for i, v in enumerate(np.asarray(values, dtype=float)):
        if not math.isfinite(v):
            raise InputError(where(i), float(v), "finite numbers")
        if name == "area":
            if abs(v) > limit:
                raise InputError(
                    where(i), float(v), f"|area| <= {format_bound(limit, abs(v))} rad", why
                )
        elif v < 0:
            raise InputError(where(i), float(v), ">= 0 (seconds): a pulse duration")
        else:
            check_pulse_time(where(i), float(v), rabi_frequency_hz, p_spont_per_pi)
    return np.asarray(values, dtype=float)


def _scan_setting(
    a: argparse.Namespace, rabi_frequency_hz: float, p_spont_per_pi: float = 0.0
) -> tuple[str, np.ndarray]:
    """``("area", areas)`` or ``("tau_s", durations)`` from ``--area``/``--tau``, checked
    by :func:`check_settings`."""
    if a.area is not None:
        return "area", check_settings("area", a.area, rabi_frequency_hz, p_spont_per_pi)
    return "tau_s", check_settings("tau_s", a.tau, rabi_frequency_hz, p_spont_per_pi)


def _sequence_params(a: argparse.Namespace):
    """Parameters for a sequence command: with a named --state and no --params, no
    preparation error (``--state collisions`` keeps the collision step and its errors)."""
    import dataclasses

    p = _load_params(a.params)
    if getattr(a, "state", None) not in (None, "collisions") and not a.params:
        imp = dataclasses.replace(p.imperfections, prep_efficiency=1.0)
        p = dataclasses.replace(p, imperfections=imp)
    return p


def _params_file_sets(path: str, table: str) -> bool:
    """Whether the TOML file ``path`` (already validated) has a ``[table]``."""
    import tomllib

    with open(path, "rb") as fh:
        return table in tomllib.load(fh)


def check_ideal_params(a: argparse.Namespace) -> None:
    """``--ideal`` with a ``--params`` file that sets ``[imperfections]`` is a conflict:
    one of the two would be ignored silently."""
    if a.ideal and a.params and _params_file_sets(a.params, "imperfections"):
        raise InputError(
            "--ideal",
            True,
            "only with a --params file without [imperfections]",
            f"--ideal turns every imperfection off, but {a.params} sets them",
        )


def cmd_raman(a: argparse.Namespace) -> int:
    """P0/P1/P2 after the Raman pulse, ejection and counting."""
    from .sequence import Sequence as MeasurementSequence

    if a.compare and a.coherence is not None:
        raise InputError(
            "--coherence", a.coherence, "only without --compare (it sets c = 1 and c = 0)"
        )
    if a.compare and a.state is not None:
        raise InputError("--compare", True, "only without --state (it uses the collision step)")
    if a.coherence is not None and a.state is not None:
        raise InputError(
            "--coherence", a.coherence, "only without --state (use the collision model)"
        )
    if a.coherence is not None and not -1.0 <= a.coherence <= 1.0:
        raise InputError("--coherence", a.coherence, "[-1, 1]")
    p = _sequence_params(a)
    check_ideal_params(a)
    if a.detuning is not None:
        import dataclasses

        from .errors import check_range

        check_range(
            "--detuning",
            a.detuning,
            -MAX_DETUNING_HZ,
            MAX_DETUNING_HZ,
            unit="Hz; a detuning "
            "within one hyperfine manifold, far below the GHz hyperfine splitting",
        )
        p = dataclasses.replace(p, raman=dataclasses.replace(p.raman, detuning_hz=a.detuning))
    ps = 0.0 if a.ideal else p.imperfections.p_spont_per_pi
    name, setting = _scan_setting(a, p.raman.rabi_frequency_hz, ps)
    kw = {"area": setting} if name == "area" else {"tau_s": setting}

    def build(c):
        return MeasurementSequence.from_params(
            p, state=a.state, ideal=a.ideal, destroy=a.destroy, chi1_coherence=c
        )

    res = build(a.coherence).run(**kw)
    out = res.as_dict()
    if a.compare:
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
    """Every figure and table, into a temporary folder renamed onto --out at the end."""
    from .fileio import atomic_folder, check_output_folder

    check_output_folder("--out", a.out)
    from .paper import paper_params
    from .report import reproduce

    with atomic_folder(a.out) as tmp:
        reproduce(tmp)
    note_placeholders(None, (paper_params(), "ergodic"))  # fig. 1b: first-principles models
    print(f"wrote {a.out}/report.html and {a.out}/results.json", file=sys.stderr)
    return 0


# ----------------------------------------------------------------------------- parser

#: The overview printed by bare ``spinpair`` and ``spinpair --help``.
OVERVIEW = """\
Spin-entangled atom pairs in an optical tweezer: simulate the collisions that make them,
the Raman / Ramsey readout that detects them, and analyse count data.

Every computing subcommand takes --json (one JSON object on stdout). Exit status: 0 ok,
2 bad input (one line on stderr naming the field and the allowed range), 130/143 when
interrupted (SIGINT/SIGTERM; no partial file is left). `spinpair COMMAND --help` shows
each command's options and an example.
"""

OVERVIEW_EXAMPLES = """\
examples:
  spinpair state chi1 --json
  spinpair raman --ideal --state chi1 --area 0 1.5708 3.1416 --json
  spinpair simulate --params examples/paper-like.toml --tau 0 8e-7 1.6e-6 \\
      --runs 500 --seed 1 --out data.csv
  spinpair fit data.csv --params examples/paper-like.toml --json
  spinpair reproduce --out results

Negative numbers work as option values: --state -1,1  --detuning -5e3  --tau -1e-6
(the last is rejected: a duration is >= 0). Every rejected input and its message:
docs/errors.md.
"""

#: Description and example of each subcommand, used where its module gives none.
SUBCOMMAND_DOCS: dict[str, tuple[str, str]] = {
    "params": (
        "Print the full, validated parameter set with units: the paper's defaults, or\n"
        "FILE.toml with missing keys filled in. The TOML output reads back unchanged.",
        "spinpair params --show > my.toml\n  spinpair params --params my.toml --json",
    ),
    "state": (
        "Entanglement measures of a named two-atom spin state (spec section 1):\n"
        "negativity, fidelity with chi1, purity, the +-1 concurrence and populations.\n"
        "NAME: 00, chi1..chif, chi_minus, phi_plus, mixed, or a product state m1,m2.",
        "spinpair state chi1 --json\n  spinpair state -1,1 --f 1 --json",
    ),
    "zeeman": (
        "Breit-Rabi Zeeman energies of one atom and the pair shifts\n"
        "E(|k,-k>) - E(|0,0>) in hertz, at a field in gauss.",
        "spinpair zeeman --species rb85 --field 0.5 --json",
    ),
    "raman": (
        "Probabilities P0, P1, P2 of counting 0, 1 or 2 atoms after the collision step,\n"
        "a Raman pulse of area Omega*tau, ejection of |1> and detection (paper Fig. 2).",
        "spinpair raman --ideal --state chi1 --area 0 0.785 1.571 3.142 --json\n"
        "  spinpair raman --params examples/paper-like.toml --compare --tau 0 8e-7 --json",
    ),
    "reproduce": (
        "Every figure and table of the paper into one folder: fig1b, fig2a, fig2b,\n"
        "fig2b_data, fig3, figS4 and fig4 (PNG), results.json (every number shown, with\n"
        "the parameters that made it) and report.html (the page that shows them all).\n"
        "The set is written into a temporary folder next to --out and renamed at the end:\n"
        "an interrupted run leaves nothing, a finished one the whole set. An existing\n"
        "--out folder must be empty or a previous result (it holds results.json); it is\n"
        "then replaced as a whole.",
        "spinpair reproduce --out results",
    ),
    "sweep": (
        "A parameter sweep from a sweep file (TOML), run on local worker processes or on\n"
        "a Dask cluster; results to .json, .csv or .nc.",
        "spinpair sweep sweep.toml --workers 2 --out sweep.csv",
    ),
    "calibrate": (
        "Fit the collision model's rate scale and/or scattering lengths to measured\n"
        "populations of the pair states versus hold time (CSV: time_s, runs, counts).",
        "spinpair calibrate pops.csv --model relaxation --free rate_scale --json",
    ),
}


def _complete_help(parser: argparse.ArgumentParser, name: str) -> None:
    """Fill in a description, an example and the help of common options where missing."""
    desc, example = SUBCOMMAND_DOCS.get(name, (None, None))
    if not parser.description:
        parser.description = desc
    if not parser.epilog and example:
        parser.epilog = "example:\n  " + example
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if not action.help:
            action.help = COMMON_HELP.get(action.dest)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``spinpair`` command."""
    from . import __version__

    p = _Parser(prog="spinpair", description=OVERVIEW, epilog=OVERVIEW_EXAMPLES)
    p.add_argument("--version", action="version", version=f"spinpair {__version__}")
    sub = p.add_subparsers(
        dest="command", metavar="COMMAND", title="commands", parser_class=_Parser
    )

    def add(name: str, help: str) -> argparse.ArgumentParser:
        desc, example = SUBCOMMAND_DOCS[name]
        return sub.add_parser(name, help=help, description=desc, epilog="example:\n  " + example)

    sp = add("params", "print the validated parameter set with units")
    sp.add_argument("--show", action="store_true", help="print the parameters (the default)")
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_params)

    sp = add("state", "entanglement measures of a named pair state")
    sp.add_argument("name", help="00, chi1, chi2, chi_minus, phi_plus, mixed or m1,m2 (e.g. -1,1)")
    sp.add_argument(
        "--f", type=integer, default=2, help=f"spin f of each atom, 1..{MAX_STATE_F} (default 2)"
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_state)

    sp = add("zeeman", "Breit-Rabi pair Zeeman shifts E(|k,-k>) - E(|0,0>)")
    sp.add_argument("--species", default="rb85", help="rb85 (default), rb87 or na23")
    sp.add_argument(
        "--f", type=integer, default=None, help="hyperfine manifold f (default: the species')"
    )
    sp.add_argument(
        "--field",
        type=real,
        required=True,
        help=f"bias field [G], 0 .. {MAX_ZEEMAN_FIELD_GAUSS:g}",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_zeeman)

    sp = add("raman", "P0/P1/P2 after a Raman pulse, eject |1> and counting")
    sp.add_argument(
        "--ideal",
        action="store_true",
        help="every imperfection off (not with a --params file that sets [imperfections])",
    )
    sp.add_argument(
        "--state",
        default=None,
        help="replace the collision step by this named state (chi1, mixed, -1,1, ...)",
    )
    g = sp.add_mutually_exclusive_group(required=True)
    g.add_argument("--area", type=real, nargs="+", help="pulse areas Omega*tau [rad]")
    g.add_argument("--tau", type=real, nargs="+", help="pulse durations [s], >= 0")
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument(
        "--detuning",
        type=real,
        default=None,
        metavar="HZ",
        help="Raman detuning delta/2pi [Hz] (replaces raman.detuning_hz; e.g. -5e3)",
    )
    sp.add_argument("--destroy", action="store_true", help="insert entanglement destruction")
    sp.add_argument(
        "--coherence",
        type=real,
        default=None,
        help="override the chi1 coherence c in [-1, 1] (F = (1 + c)/2); not with --state "
        "or --compare",
    )
    sp.add_argument(
        "--compare",
        action="store_true",
        help="add curves for c = 1 and c = 0 (paper Fig. 2b); not with --state or --coherence",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_raman)

    sp = add("reproduce", "every figure and table of the paper, report.html, results.json")
    sp.add_argument(
        "--out",
        default="results",
        help="output folder (default results/): a new name, an empty folder or a previous "
        "result; its parent folder must exist",
    )
    sp.set_defaults(func=cmd_reproduce)

    # subcommands that live in their own modules (one module per job)
    import importlib

    for module in EXTRA_COMMAND_MODULES:
        importlib.import_module(f"spinpair.{module}").register(sub)
    for name, parser in sub.choices.items():
        _complete_help(parser, name)
    return p


#: Modules that add subcommands: each has ``register(subparsers)`` adding its parsers with
#: ``set_defaults(func=...)``; they use :func:`emit`, :func:`load_params` from this module.
EXTRA_COMMAND_MODULES = ("cli_dynamics", "cli_analysis", "cli_ramsey", "cli_sweep")


# ----------------------------------------------------------------------------- running


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: unwinds like Ctrl-C so every ``finally`` and
    :func:`~spinpair.fileio.atomic_write` cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    # The first signal unwinds (cleanup runs); a second one ends the process at once, so
    # a cleanup that hangs (e.g. waiting for a worker) can still be stopped.
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, _on_signal)


def _one_line(text: str) -> str:
    """The message on a single line (values may hold newlines), at most 2000 characters."""
    line = " ".join(str(text).split("\n"))
    line = " ".join(line.splitlines())
    return line if len(line) <= 2000 else line[:1997] + "..."


def _undecodable_input(args: argparse.Namespace | None) -> tuple[str, str] | None:
    """The input option and file that is not UTF-8 text, if any."""
    if args is None:
        return None
    for dest in ("data", "params", "file"):
        path = getattr(args, dest, None)
        if isinstance(path, str) and os.path.isfile(path):
            try:
                with open(path, "rb") as fh:
                    fh.read().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                return dest, path
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null (after a broken pipe, so that exiting does not complain)."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _error(message: str) -> None:
    print(_one_line(f"spinpair: error: {message}"), file=sys.stderr)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status (never calls sys.exit).

    0 success; 2 bad input, a bad or unreadable input file, an unwritable output (one
    line on stderr); 130/143 on SIGINT/SIGTERM (see :func:`main`); 1 only for a bug.
    """
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        return int(args.func(args) or 0)
    except SystemExit as e:  # --help / --version
        return e.code if isinstance(e.code, int) else 0
    except InputError as e:
        _error(str(e))
        return 2
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        print(f"spinpair: interrupted by {signal.Signals(signum).name}", file=sys.stderr)
        return 128 + int(signum)
    except UnicodeDecodeError as e:
        bad = _undecodable_input(args)
        where = f"{bad[0]} = {bad[1]!r}" if bad else "an input file"
        _error(f"{where} is invalid: allowed a UTF-8 text file ({e.reason})")
        return 2
    except BrokenPipeError:
        # the reader of stdout went away (`spinpair ... | head`): nothing left to say
        _silence_stdout()
        return 141
    except OSError as e:
        what = e.filename if e.filename is not None else "a file"
        _error(f"{what!r}: {e.strerror or e}")
        return 2
    except MemoryError:
        _error("out of memory: ask for fewer points, settings or runs")
        return 2
    except Exception as e:  # internal error
        if os.environ.get("SPINPAIR_DEBUG"):
            traceback.print_exc()
        print(_one_line(f"spinpair: internal error: {type(e).__name__}: {e}"), file=sys.stderr)
        return 1


def main() -> None:
    """Console-script entry point: signals become exit 130/143 with one line on stderr."""
    install_signal_handlers()
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = code or 141
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
