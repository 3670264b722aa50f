"""``spinpair scattering``: the coupled-channel a_F and |S_fi(E)|² of a species."""

from __future__ import annotations

import argparse

from .common import COMMON_HELP, add_command, emit, integer, real


def cmd_scattering(a: argparse.Namespace) -> int:
    """Compute the a_F (and |S_fi|² at the given energies) with the coupled-channel solver."""
    from ..scattering import scattering_summary
    from ..species import get_species

    sp = get_species(a.species, a.f)
    out = scattering_summary(sp, a.field, a.energies_uk)
    if a.json:
        emit(out)
        return 0
    print(f"{sp.name} f={sp.f} at {out['field_gauss']:g} G (coupled channels, s wave, E -> 0)")
    for k, d in out["scattering_lengths_bohr"].items():
        u = d["uncertainty"]
        unc = f" +- {u:.1f}" if u is not None else ""
        print(f"  {k:3s} {d['value']:10.2f}{unc} a_B   [{d['status']}]")
    if "probabilities" in out:
        names = list(out["probabilities"])
        print("  E [uK]      " + "  ".join(f"{n:>12s}" for n in names))
        for i, e in enumerate(out["energies_uk"]):
            row = "  ".join(f"{out['probabilities'][n][i]:12.5g}" for n in names)
            print(f"  {e:10.4g}  {row}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``scattering`` to the ``spinpair`` parser."""
    sp = add_command(
        sub,
        "scattering",
        "coupled-channel scattering lengths a_F and spin-changing probabilities |S_fi(E)|^2",
    )
    sp.add_argument("--species", default="rb85", help="rb85 (default) or rb87")
    sp.add_argument(
        "--f", type=integer, default=None, help="hyperfine manifold f (default: the species')"
    )
    sp.add_argument("--field", type=real, default=0.0, help="bias field [G], 0 .. 1000 (default 0)")
    sp.add_argument(
        "--energies-uk",
        type=real,
        nargs="+",
        default=None,
        metavar="E",
        help="collision energies [uK] above the |f,0>+|f,0> threshold, in (0, 3000]: "
        "adds |S_fi|^2 per s-wave collision (a few seconds per 100 energies)",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_scattering)
