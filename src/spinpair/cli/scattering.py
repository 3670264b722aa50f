"""``spinpair scattering``: the coupled-channel a_F and |S_fi(E)|² of a species, and with
``--inelastic`` the hyperfine-changing loss rate coefficients of |f+1, m1⟩ + |f, m2⟩."""

from __future__ import annotations

import argparse

from ..errors import InputError
from .common import COMMON_HELP, add_command, emit, integer, real


def cmd_scattering(a: argparse.Namespace) -> int:
    """Compute the a_F (and |S_fi|² at the given energies) with the coupled-channel solver."""
    from ..scattering import scattering_summary
    from ..species import get_species

    sp = get_species(a.species, a.f)
    if a.temperature is not None and not a.inelastic:
        raise InputError("--temperature", a.temperature, "only together with --inelastic")
    if a.inelastic:
        from ..scattering.inelastic import TEMPERATURE_RANGE_K, check_upper_lower

        check_upper_lower(sp)
        if a.temperature is None:
            raise InputError("--temperature", None, "a temperature [K] with --inelastic")
        lo, hi = TEMPERATURE_RANGE_K
        if not lo <= a.temperature <= hi:
            raise InputError(
                "--temperature",
                a.temperature,
                f"{lo:g} .. {hi:g} (kelvin: the range the collision-energy grid of the "
                "inelastic tables covers)",
            )
    out = scattering_summary(sp, a.field, a.energies_uk)
    if a.inelastic:
        from ..scattering.inelastic import inelastic_summary

        out.update(inelastic_summary(sp, a.field, a.temperature))
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
    if "inelastic_rate_coefficients_m3_s" in out:
        print(
            f"  loss rate coefficients |{sp.f + 1},m1> + |{sp.f},m2> -> F={sp.f}+F={sp.f} at "
            f"{out['inelastic_temperature_k'] * 1e6:g} uK [m^3/s] (p-wave share)"
        )
        for key, d in out["inelastic_rate_coefficients_m3_s"].items():
            u = d["uncertainty"]
            unc = f" +- {u:.2e}" if u is not None else ""
            print(f"  {key:>6s}  {d['value']:.3e}{unc}  ({d['p_wave_share']:.3f})  [{d['status']}]")
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
    sp.add_argument(
        "--inelastic",
        action="store_true",
        help="add the thermal loss rate coefficients [m^3/s] of every pair |f+1,m1>+|f,m2> "
        "to the lower channels (hyperfine-changing collisions; needs --temperature and "
        "the lower manifold f = I - 1/2; shipped table at 0.5 G, direct solves otherwise, "
        "about 5 s per pair)",
    )
    sp.add_argument(
        "--temperature",
        type=real,
        default=None,
        help="temperature [K] of the thermal average, 5e-6 .. 1.5e-4 (with --inelastic)",
    )
    sp.add_argument("--json", action="store_true", help=COMMON_HELP["json"])
    sp.set_defaults(func=cmd_scattering)
