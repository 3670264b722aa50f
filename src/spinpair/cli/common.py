"""Helpers shared by every ``spinpair`` subcommand: strict argparse types, the JSON
output policy (NaN and infinities as ``null``), input-file and parameter loading, the
placeholder notice, and the pulse-setting checks of the sequence commands.

Examples
--------
>>> real("-5e3")
-5000.0
>>> integer("1e3")
1000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError, UsageError
from ..fileio import to_jsonable

if TYPE_CHECKING:
    from ..params import Params

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
    "json": "print one JSON object on stdout instead of a table (keys and schema: see docs/cli.md)",
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


class Parser(argparse.ArgumentParser):
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


#: Name of the JSON Schema of the running subcommand's ``--json`` object (set by
#: :func:`spinpair.cli.main.run`; ``None`` outside a command).
JSON_SCHEMA: ContextVar[str | None] = ContextVar("spinpair_json_schema", default=None)


def emit(obj: dict[str, Any]) -> None:
    """Print one JSON object on stdout (the ``--json`` contract; NaN and inf as null).

    The object starts with ``schema_version``, the version of the running subcommand's
    schema (:mod:`spinpair.schemas`), unless it has that key already.
    """
    name = JSON_SCHEMA.get()
    if name is not None and "schema_version" not in obj:
        from ..schemas import schema_version

        obj = {"schema_version": schema_version(name), **obj}
    sys.stdout.write(json.dumps(to_jsonable(obj), allow_nan=False) + "\n")


def check_input_file(field: str, path: str) -> str:
    """Check that ``path`` is an existing, readable UTF-8 text file (a regular file of at
    most :data:`~spinpair.fileio.MAX_INPUT_BYTES` bytes); return it.

    Raises :class:`InputError` naming ``field`` and the user's path (a binary or Latin-1
    file, a folder, a missing or unreadable file), so that no input file makes the
    command exit 1.
    """
    from ..fileio import read_input_bytes

    if not os.path.exists(path):
        raise InputError(field, path, "an existing file")
    if os.path.isdir(path):
        raise InputError(field, path, "a file (this is a folder)")
    data = read_input_bytes(field, path)  # a regular file of at most 1 MB, read with a cap
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(
            field, path, "a UTF-8 text file", f"byte 0x{data[e.start]:02x} at offset {e.start}"
        ) from None
    return path


def load_params(path: str | None) -> Params:
    """The validated :class:`~spinpair.params.Params` from ``path``, or the paper defaults."""
    from ..params import Params

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
    from ..species import placeholder_notice

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


# ----------------------------------------------------------------------------- parameter options


def add_param_option(
    sp: argparse.ArgumentParser,
    option: str,
    key: str,
    *,
    help: str | None = None,
    override: bool = True,
    **kwargs: Any,
) -> argparse.Action:
    """Add ``option``, which sets the parameter ``key`` (a dotted key of
    :data:`spinpair.params.SCHEMA`): a real number whose unit, range and help come from the
    schema, so that its message states the same range as a parameter file's.

    ``help`` replaces the schema's one-line meaning; ``override`` False marks an option
    that is checked against the parameter's range but not written into the parameters
    (``dynamics --times``: hold times of a scan). Other keywords go to ``add_argument``.
    Read the values with :func:`param_overrides` (or :func:`apply_param_options`).

    Examples
    --------
    >>> p = Parser(prog="demo")
    >>> _ = add_param_option(p, "--field", "collisions.field_gauss")
    >>> param_overrides(p.parse_args(["--field", "2"]))
    {'collisions.field_gauss': 2.0}
    >>> param_overrides(p.parse_args(["--field", "5e4"]))
    Traceback (most recent call last):
    ...
    spinpair.errors.InputError: --field = 50000.0 is invalid: allowed ... in [0, 10000] G ...
    """
    from ..params import SCHEMA

    spec = SCHEMA[key]
    unit = f" [{spec.unit or '1'}]"
    kwargs.setdefault("default", None)
    action = sp.add_argument(
        option,
        type=real,
        help=f"{help or spec.doc}{unit} in {spec.range} ({_relation(key, override)})",
        **kwargs,
    )
    table = dict(sp.get_default("param_options") or {})
    table[action.dest] = (option, key, override)
    sp.set_defaults(param_options=table)
    return action


def _relation(key: str, override: bool) -> str:
    return f"sets {key}" if override else f"the range of {key}"


def check_param_option(option: str, key: str, value: Any, override: bool = True) -> Any:
    """``value`` of ``option`` checked against the schema's range for ``key``; the
    :class:`InputError` names the option and states the parameter's range and unit."""
    from ..params import SCHEMA

    try:
        return SCHEMA[key].check(value, option)
    except InputError as e:
        detail = e.detail or f"{option}: {_relation(key, override)}"
        raise InputError(option, value, e.allowed, detail) from None


def param_overrides(a: argparse.Namespace) -> dict[str, Any]:
    """The parameter options given on the command line, checked, as dotted keys → values
    (for :meth:`spinpair.params.Params.replace`); options given as lists are checked per
    entry."""
    out: dict[str, Any] = {}
    for dest, (option, key, override) in (getattr(a, "param_options", None) or {}).items():
        value = getattr(a, dest, None)
        if value is None:
            continue
        if isinstance(value, list):
            value = [check_param_option(option, key, v, override) for v in value]
        else:
            value = check_param_option(option, key, value, override)
        if override:
            out[key] = value
    return out


def apply_param_options(
    p: Params, a: argparse.Namespace, extra: dict[str, Any] | None = None
) -> Params:
    """``p`` (:class:`~spinpair.params.Params`) with the parameter options of ``a`` and the
    dotted-key values ``extra`` applied by :meth:`~spinpair.params.Params.replace`. A rule
    across fields that fails for an option's value (k_B T ≤ U0/10 for ``--temperature``)
    is reported under the option's name."""
    overrides = param_overrides(a)
    by_key = {key: option for option, key, _ in (getattr(a, "param_options", None) or {}).values()}
    values = {**(extra or {}), **overrides}
    if not values:
        return p
    try:
        return p.replace(values)
    except InputError as e:
        option = by_key.get(e.field) if e.field in overrides else None
        if option is None:
            raise
        relation = f"{option}: sets {e.field}"
        detail = f"{e.detail}; {relation}" if e.detail else relation
        raise InputError(option, e.value, e.allowed, detail) from None


#: Largest field of ``spinpair zeeman`` [G]: beyond 100 T the pair shifts (differences of
#: energies growing as B) lose double precision, and no tweezer experiment gets near it.
MAX_ZEEMAN_FIELD_GAUSS = 1e6


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
        from ..errors import format_bound

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
    from ..errors import format_bound

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


def scan_setting(
    a: argparse.Namespace, rabi_frequency_hz: float, p_spont_per_pi: float = 0.0
) -> tuple[str, np.ndarray]:
    """``("area", areas)`` or ``("tau_s", durations)`` from ``--area``/``--tau``, checked
    by :func:`check_settings`."""
    if a.area is not None:
        return "area", check_settings("area", a.area, rabi_frequency_hz, p_spont_per_pi)
    return "tau_s", check_settings("tau_s", a.tau, rabi_frequency_hz, p_spont_per_pi)


def sequence_params(a: argparse.Namespace) -> Params:
    """Parameters for a sequence command: with a named --state and no --params, no
    preparation error (``--state collisions`` keeps the collision step and its errors)."""
    p = load_params(a.params)
    if getattr(a, "state", None) not in (None, "collisions") and not a.params:
        p = p.replace({"imperfections.prep_efficiency": 1.0})
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


#: Description and example of each subcommand, used where its module gives none.
SUBCOMMAND_DOCS: dict[str, tuple[str, str]] = {
    "optimise": (
        "Maximise P(chi1), P(chi1) + P(chi2) or the metrological gain I/I_SQL after the hold\n"
        "over the knobs a lab controls (hold time, field and a two-step field ramp, trap depth,\n"
        "temperature within a stated range, post-selection): seeded differential evolution and\n"
        "a local polish, counted in model evaluations. Prints the optimum with the band from the\n"
        "potentials and the temperature, the sensitivity to each knob, and regime warnings.",
        "spinpair optimise --target chi1 --knobs hold_time_s field_gauss depth_hz --json",
    ),
    "scattering": (
        "Coupled-channel s-wave scattering of two ground-state atoms from published singlet\n"
        "and triplet potentials (Rb2: Strauss et al. 2010): the scattering lengths a_F of the\n"
        "manifold (status computed, with the band the potentials leave open) and, with\n"
        "--energies-uk, the probabilities |S_fi|^2 per s-wave collision from |f,0>+|f,0>.\n"
        "With --inelastic --temperature K: the thermal rate coefficients [m^3/s] of\n"
        "hyperfine-changing loss of every pair |f+1,m1>+|f,m2> (s, p, d waves).",
        "spinpair scattering --species rb85 --field 0.5 --energies-uk 1 10 40 --json\n"
        "  spinpair scattering --field 0.5 --inelastic --temperature 40e-6 --json",
    ),
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
        "fig2b_data, fig3, figS4 and fig4 (PNG; also PDF with --formats png,pdf),\n"
        "results.json (every number shown, with the parameters that made it) and\n"
        "report.html (the page that shows them all).\n"
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


def add_command(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with its description and example from :data:`SUBCOMMAND_DOCS`."""
    desc, example = SUBCOMMAND_DOCS[name]
    return sub.add_parser(name, help=help, description=desc, epilog="example:\n  " + example)
