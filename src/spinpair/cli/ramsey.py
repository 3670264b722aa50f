"""The ``spinpair ramsey`` subcommand (registered by :mod:`spinpair.cli`; contract: docs/cli.md).

``spinpair ramsey [--state NAME] --wait T [--half-pi TAU] [--detuning-span HZ] [--points N]
[--params FILE] [--ideal] [--instantaneous] [--postselect] [--fisher] --json``

JSON keys: ``detuning_hz``, ``P0``, ``P1``, ``P2``, ``survival``, ``mean_number`` (lists),
``fringe_period_hz`` (signal → fitted period in Hz, or null where the signal shows no
fringe), ``fringe_fits`` (signal → offset, contrast, period, phase with 1σ errors and 68 %
intervals), ``expected_period_hz`` (1/(2 T_eff) and 1/T_eff), the settings, and with
``--fisher`` the Fisher information per run of each readout.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from ..errors import InputError

#: Longest Ramsey wait accepted [s]: atoms live seconds in a tweezer, and far beyond
#: it the fringe fit overflows.
MAX_WAIT_S = 10.0


#: Most detunings a scan may have, set by memory: a scan keeps about 2.3 kB per detuning
#: (signals, fit Jacobians, the FFT periodogram's ~5 frequencies per detuning) and writes
#: ~120 B of JSON per detuning; 200 001 points peak at ~0.5 GB and a 24 MB JSON (26 s on
#: a loaded 2-core machine). The periodogram is an FFT on the uniform detuning grid, so
#: time grows as points·log(points). Scans in experiments have a few hundred.
MAX_POINTS = 200_001


def _finite(name: str, value: float | None, unit: str, *, strict: bool = False) -> float | None:
    """A finite number >= 0 (> 0 if ``strict``), or None when the option was not given."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise InputError(name, value, f"a finite number ({unit})")
    if value < 0 or (strict and value == 0):
        raise InputError(name, value, f"{'> 0' if strict else '>= 0'} ({unit})")
    return float(value)


def cmd_ramsey(a: argparse.Namespace) -> int:
    """Run the Ramsey scan and print the signals, fringe fits and (optionally) Fisher info."""
    import numpy as np

    from ..analysis.ramsey import ramsey_analysis
    from ..sequence.protocol import RamseyProtocol
    from ..sequence.ramsey_scan import SIGNALS
    from .common import (
        MAX_DETUNING_HZ,
        check_ideal_params,
        check_pulse_time,
        emit,
        note_placeholders,
        sequence_params,
    )

    if a.data is not None:
        return _ramsey_data(a)
    wait = _finite("--wait", a.wait, "seconds")
    tau = _finite("--half-pi", a.half_pi, "seconds", strict=True)
    span = _finite("--detuning-span", a.detuning_span, "Hz", strict=True)
    assert wait is not None  # --wait is required and finite
    if wait > MAX_WAIT_S:
        raise InputError(
            "--wait", wait, f"<= {MAX_WAIT_S:g} s", "longer than atoms live in a tweezer"
        )
    if span is not None and span > 2 * MAX_DETUNING_HZ:
        raise InputError(
            "--detuning-span",
            span,
            f"<= {2 * MAX_DETUNING_HZ:g} Hz",
            "detunings within one hyperfine manifold, far below the GHz hyperfine splitting",
        )
    if a.points < 5 or a.points > MAX_POINTS:
        raise InputError(
            "--points",
            a.points,
            f"an integer in [5, {MAX_POINTS}] (memory: about 2.3 kB per detuning, "
            f"{MAX_POINTS} points peak at ~0.5 GB)",
        )
    p = sequence_params(a)
    check_ideal_params(a)
    rabi = p.raman.rabi_frequency_hz
    tau_used = 0.25 / rabi if tau is None else tau
    check_pulse_time(
        "--half-pi", tau_used, rabi, 0.0 if a.ideal else p.imperfections.p_spont_per_pi
    )
    area = 2 * np.pi * rabi * tau_used
    if abs(area / (np.pi / 2) - 1) > 0.01:
        print(
            f"spinpair: note: pulse area Omega*tau = {area / np.pi:.3f} pi "
            f"(not pi/2) at Omega/2pi = {rabi:g} Hz",
            file=sys.stderr,
        )
    protocol = RamseyProtocol(
        wait,
        tau_used,
        ideal=a.ideal,
        instantaneous=a.instantaneous,
        postselect=a.postselect,
    )
    res = ramsey_analysis(
        p, a.state, span_hz=span, points=a.points, fisher=a.fisher, protocol=protocol
    )
    sig = res.signals
    out: dict[str, Any] = res.as_dict()
    note_placeholders(out, (p, p.collisions.model if a.state in (None, "collisions") else None))
    if a.json:
        emit(out)
        return 0
    print(
        f"state {sig.state}: T = {wait:g} s, tau = {tau_used:g} s, "
        f"T_eff = {sig.effective_time_s:g} s"
    )
    print(f"{'detuning_hz':>14s} " + " ".join(f"{s:>11s}" for s in SIGNALS))
    for i, d in enumerate(sig.detuning_hz):
        print(f"{d:14.6g} " + " ".join(f"{sig.signal(s)[i]:11.6f}" for s in SIGNALS))
    for k, v in out["fringe_period_hz"].items():
        print(f"fringe period {k:12s} " + ("no fringe" if v is None else f"{v:.6g} Hz"))
    return 0


def _ramsey_data(a: argparse.Namespace) -> int:
    """``--data FILE``: fit the fringes of measured counts instead of simulating; the wait
    (and τ, default the π/2 time of --params) give the first-order periods to compare."""
    from ..analysis.data import read_csv
    from ..sequence.protocol import RamseyProtocol
    from .analysis import fit_ramsey_data
    from .common import sequence_params

    for opt, given in (
        ("--detuning-span", a.detuning_span),
        ("--fisher", a.fisher or None),
        ("--postselect", a.postselect or None),
    ):
        if given is not None:
            raise InputError(opt, given, "only for a simulated scan (without --data)")
    wait = _finite("--wait", a.wait, "seconds")
    tau = _finite("--half-pi", a.half_pi, "seconds", strict=True)
    assert wait is not None  # --wait is required and finite
    protocol = RamseyProtocol(wait, tau, instantaneous=bool(a.instantaneous))
    if not a.instantaneous:
        protocol = protocol.resolved(sequence_params(a).raman.rabi_frequency_hz)
    data = read_csv(a.data)
    if data.setting_name != "detuning_hz":
        raise InputError("--data", a.data, "a CSV with a detuning_hz column (Hz), runs, n0, n1, n2")
    return fit_ramsey_data(a, data, protocol=protocol)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair ramsey`` to the ``spinpair`` parser."""
    from .common import COMMON_HELP, integer, real

    sp = sub.add_parser(
        "ramsey",
        help="Ramsey fringes (pi/2 - T - pi/2) versus the Raman detuning, with fits",
        description="Ramsey sequence pi/2 - T - pi/2 on a pair state, scanned over the Raman\n"
        "detuning: P0, P1, P2, the survival per atom, fitted fringe periods (chi1 shows\n"
        "twice the single-atom frequency: period 1/(2 T_eff)) and, with --fisher, the\n"
        "Fisher information per run.",
        epilog="example:\n  spinpair ramsey --state chi1 --wait 5e-6 --points 101 --json\n"
        "  spinpair ramsey --state -1,1 --wait 5e-6 --detuning-span 4e5 --json\n"
        "  spinpair ramsey --data ramsey.csv --wait 5e-6 --json",
    )
    sp.add_argument(
        "--state",
        default="chi1",
        help="named pair state (chi1, 1,1, -1,1, mixed, ...), 'single' (one atom in |1>) or "
        "'collisions' (the collision step of --params); default chi1",
    )
    sp.add_argument(
        "--wait",
        type=real,
        required=True,
        help=f"free time T between pulses [s], 0 .. {MAX_WAIT_S:g}",
    )
    sp.add_argument(
        "--half-pi",
        type=real,
        default=None,
        help="pulse duration tau [s]; default the pi/2 time 1/(4 Omega/2pi) of --params",
    )
    sp.add_argument(
        "--detuning-span",
        type=real,
        default=None,
        help="full width of the detuning scan, centred on 0 [Hz]; default 2/T_eff",
    )
    sp.add_argument(
        "--points",
        type=integer,
        default=201,
        help=f"number of detunings, 5 .. {MAX_POINTS} (the cap is memory: ~2.3 kB each)",
    )
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument(
        "--ideal",
        action="store_true",
        help="every imperfection off (not with a --params file that sets [imperfections])",
    )
    sp.add_argument(
        "--instantaneous", action="store_true", help="no detuning during the pulses (tau -> 0)"
    )
    sp.add_argument(
        "--postselect",
        action="store_true",
        help="keep only runs with both atoms in m = +-1 before the pulses (conditional P)",
    )
    sp.add_argument(
        "--fisher", action="store_true", help="add the Fisher information per run [1/Hz^2]"
    )
    sp.add_argument(
        "--data",
        metavar="FILE.csv",
        default=None,
        help="fit measured counts (detuning_hz, runs, n0, n1, n2; repeated scans welcome) "
        "instead of simulating; --wait and --half-pi give the first-order periods",
    )
    sp.add_argument(
        "--harmonics",
        type=integer,
        default=1,
        help="with --data: 1 (cosine) or 2 (with its second harmonic); default 1",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_ramsey)
