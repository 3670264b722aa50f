"""``spinpair raman``: count probabilities P0, P1, P2 after the collision step, a Raman
pulse of area Omega*tau, ejection of |1> and detection (paper Fig. 2)."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import InputError
from .common import (
    COMMON_HELP,
    add_command,
    add_param_option,
    apply_param_options,
    check_ideal_params,
    emit,
    note_placeholders,
    real,
    scan_setting,
    sequence_params,
)


def cmd_raman(a: argparse.Namespace) -> int:
    """P0/P1/P2 after the Raman pulse, ejection and counting."""
    from ..sequence import MeasurementSequence

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
    p = apply_param_options(sequence_params(a), a)  # --detuning; --coherence checked
    check_ideal_params(a)
    ps = 0.0 if a.ideal else p.imperfections.p_spont_per_pi
    name, setting = scan_setting(a, p.raman.rabi_frequency_hz, ps)
    kw = {"area": setting} if name == "area" else {"tau_s": setting}

    def build(c: float | None) -> MeasurementSequence:
        return MeasurementSequence.from_params(
            p, state=a.state, ideal=a.ideal, destroy=a.destroy, chi1_coherence=c
        )

    res = build(a.coherence).run(**kw)
    out: dict[str, Any] = res.as_dict()
    if res.provenance is not None:
        prov = res.provenance
        if name == "area" and ps == 0.0:  # Ωτ given: the Rabi frequency plays no part
            from ..provenance import Provenance

            ins = {k: v for k, v in prov.inputs.items() if k != "raman.rabi_frequency_hz"}
            prov = Provenance.build(ins, prov.sources, method=prov.method)
        out["provenance"] = prov.as_dict()
    if a.compare:
        out["entangled"] = build(1.0).run(**kw).as_dict()
        out["unentangled"] = build(0.0).run(**kw).as_dict()
    note_placeholders(out, (p, None if a.state is not None else p.collisions.model))
    if a.json:
        emit(out)
    else:
        print(f"{name:>14s} {'P0':>10s} {'P1':>10s} {'P2':>10s}")
        for x, q0, q1, q2 in zip(setting, res.P0, res.P1, res.P2, strict=True):
            print(f"{x:14.6g} {q0:10.6f} {q1:10.6f} {q2:10.6f}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``spinpair raman`` to the ``spinpair`` parser."""
    sp = add_command(sub, "raman", "P0/P1/P2 after a Raman pulse, eject |1> and counting")
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
    add_param_option(sp, "--detuning", "raman.detuning_hz", metavar="HZ")
    sp.add_argument("--destroy", action="store_true", help="insert entanglement destruction")
    add_param_option(
        sp,
        "--coherence",
        "collisions.chi1_coherence",
        help="the chi1 coherence c (F = (1 + c)/2) instead of the collision model's; not with "
        "--state or --compare",
        override=False,
    )
    sp.add_argument(
        "--compare",
        action="store_true",
        help="add curves for c = 1 and c = 0 (paper Fig. 2b); not with --state or --coherence",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_raman)
