"""``spinpair params``, ``spinpair state`` and ``spinpair zeeman``: the parameter set with
units, entanglement measures of a named pair state, and Breit-Rabi pair shifts."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ..errors import InputError
from .common import (
    COMMON_HELP,
    MAX_ZEEMAN_FIELD_GAUSS,
    add_command,
    emit,
    integer,
    load_params,
    real,
)


def cmd_params(a: argparse.Namespace) -> int:
    from ..params import PAPER_DEFAULTS_NOTE, PARAM_DOCS, SCHEMA
    from ..species import species_summary

    p = load_params(a.params)
    if a.json:
        emit(
            {
                "params": p.to_dict(),
                "units": PARAM_DOCS,
                "schema": {k: v.as_dict() for k, v in SCHEMA.items()},
                "species_data": species_summary(p.species_data()),
                "note": PAPER_DEFAULTS_NOTE,
            }
        )
    else:
        sys.stdout.write(p.to_toml())
    return 0


#: Largest spin f accepted by ``spinpair state`` (the pair space has (2f+1)^2 states).
MAX_STATE_F = 8


def cmd_state(a: argparse.Namespace) -> int:
    """Entanglement measures of a named pair state."""
    from ..spin import concurrence_pm1, named_ket, named_state, negativity, populations, purity

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
        emit(out)
    else:
        for k, v in out.items():
            print(f"{k:16s} {v}")
    return 0


def cmd_zeeman(a: argparse.Namespace) -> int:
    """Breit-Rabi pair Zeeman shifts."""
    from ..errors import check_range
    from ..species import (
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
        emit(out)
    else:
        print(f"{sp.name} f={sp.f} at {b} G: E(|k,-k>) - E(|0,0>)")
        for k, v in shifts.items():
            print(f"  {k:6s} {v:14.4f} Hz")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``params``, ``state`` and ``zeeman`` to the ``spinpair`` parser."""
    sp = add_command(sub, "params", "print the validated parameter set with units")
    sp.add_argument("--show", action="store_true", help="print the parameters (the default)")
    sp.add_argument("--params", metavar="FILE.toml", help=COMMON_HELP["params"])
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_params)

    sp = add_command(sub, "state", "entanglement measures of a named pair state")
    sp.add_argument("name", help="00, chi1, chi2, chi_minus, phi_plus, mixed or m1,m2 (e.g. -1,1)")
    sp.add_argument(
        "--f", type=integer, default=2, help=f"spin f of each atom, 1..{MAX_STATE_F} (default 2)"
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_state)

    sp = add_command(sub, "zeeman", "Breit-Rabi pair Zeeman shifts E(|k,-k>) - E(|0,0>)")
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
