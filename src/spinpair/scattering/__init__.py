"""Coupled-channel s-wave scattering of two ground-state alkali atoms (spec §3a, update).

From published singlet and triplet potentials (Rb2: Strauss et al., PRA 82, 052514 (2010))
with the hyperfine and Zeeman interactions of both atoms, spinpair computes

* the scattering-length matrix and the F-resolved a_F of a hyperfine manifold
  (:func:`scattering_lengths`),
* the open-channel K and S matrices and |S_fi(E)|² per s-wave collision at any collision
  energy and field (:func:`s_matrix`),
* Feshbach resonance positions and zero crossings (:mod:`.uncertainty`), and the band the
  potentials leave open on every a_F,

and ships tables of both (:mod:`.tables`) so that the collision models use S-matrix rates
without propagating at run time. Modules: :mod:`.potentials` (the curves), :mod:`.channels`
(atomic states, pair channels, singlet/triplet projectors), :mod:`.propagator` (Johnson's
log-derivative method), :mod:`.solver` (matching, K, S, a_F), :mod:`.tables`,
:mod:`.uncertainty`.

Examples
--------
>>> from spinpair.species import get_species
>>> r = scattering_lengths(get_species("rb85"), 0.0)
>>> [round(r.a_f_bohr[F]) for F in (0, 2, 4)]
[-933, -702, -470]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError, check_finite
from ..species import Species
from .solver import (
    POTENTIALS,
    Numerics,
    ScatteringLengths,
    SMatrixResult,
    s_matrix,
    scattering_lengths,
)

#: Largest collision energy (µK) the s-wave-only solver accepts: beyond ~1 mK higher
#: partial waves matter for 85Rb/87Rb.
MAX_ENERGY_UK = 3000.0
#: Largest number of energies in one call.
MAX_ENERGIES = 1000
#: Field range (G) of the solver.
MAX_FIELD_GAUSS = 1000.0


def transition_name(f: int, m1: int, m2: int) -> str:
    """``00``, ``chi1``, … for the M = 0 states |m, −m⟩ of manifold f."""
    if m1 == 0 and m2 == 0:
        return "00"
    return f"chi{abs(m1)}"


def _check_energies_uk(energies_uk: ArrayLike) -> np.ndarray:
    E = np.atleast_1d(np.asarray(energies_uk, dtype=float))
    if E.ndim != 1 or E.size == 0 or E.size > MAX_ENERGIES:
        raise InputError("--energies-uk", E.size, f"1 .. {MAX_ENERGIES} energies")
    bad = ~np.isfinite(E) | (E <= 0) | (E > MAX_ENERGY_UK)
    if np.any(bad):
        raise InputError(
            "--energies-uk", float(E[bad][0]), f"finite energies in (0, {MAX_ENERGY_UK:g}] µK"
        )
    return E


def scattering_summary(
    species: Species, field_gauss: float = 0.0, energies_uk: ArrayLike | None = None
) -> dict[str, Any]:
    """JSON-ready coupled-channel result (the ``spinpair scattering`` output).

    ``scattering_lengths_bohr``: a0, a2, … each ``{value, uncertainty, status, source}``
    (uncertainty from :mod:`.uncertainty` as shipped in the tables, at zero field); with
    ``energies_uk``, ``probabilities`` maps ``"00->chi1"`` etc. to |S_fi|² per s-wave
    collision at those collision energies (µK above the |f,0⟩+|f,0⟩ threshold).

    Examples
    --------
    >>> from spinpair.species import get_species
    >>> d = scattering_summary(get_species("rb87", f=1), 0.5)
    >>> d["scattering_lengths_bohr"]["a0"]["status"]
    'computed'
    """
    from ..species import Species
    from ..validation import instance
    from .tables import has_table, load_table

    instance("species", species, Species, "a Species (spinpair.get_species)")
    if species.name not in POTENTIALS:
        raise InputError(
            "--species", species.name, f"one with coupled-channel potentials: {sorted(POTENTIALS)}"
        )
    field_gauss = check_finite("--field", field_gauss)
    if not (0.0 <= field_gauss <= MAX_FIELD_GAUSS):
        raise InputError("--field", field_gauss, f"0 .. {MAX_FIELD_GAUSS:g} (gauss)")
    E = _check_energies_uk(energies_uk) if energies_uk is not None else None
    res = scattering_lengths(species, field_gauss)
    unc: dict[int, float | None] = dict.fromkeys(species.channels)
    method = "not available (no shipped table for this species and manifold)"
    if has_table(species.name, species.f):
        t = load_table(species.name, species.f)
        unc = {F: float(u) for F, u in zip(t.channels, t.a_f_uncertainty, strict=True)}
        method = (
            "potential knobs sized on the 85Rb 155 G resonance (spinpair.scattering.uncertainty)"
        )
    from .potentials import RB2_STRAUSS_2010

    source = (
        "spinpair.scattering coupled-channel s-wave solver (Johnson log-derivative), "
        f"{RB2_STRAUSS_2010.source}; zero energy at {float(field_gauss):g} G; uncertainty: "
        f"{method}"
    )
    out: dict[str, Any] = {
        "species": species.name,
        "f": species.f,
        "field_gauss": float(field_gauss),
        "scattering_lengths_bohr": {
            f"a{F}": {
                "value": res.a_f_bohr[F],
                "uncertainty": unc.get(F),
                "status": "computed",
                "source": source,
            }
            for F in sorted(res.a_f_bohr)
        },
        "cg_overlap": {f"a{F}": v for F, v in res.cg_overlap.items()},
        "builtin_scattering_lengths_bohr": {
            f"a{F}": species.scattering_length_data[F].as_dict() for F in species.channels
        },
    }
    if any(v for v in res.loss_bohr.values()):
        out["loss_bohr"] = {f"a{F}": v for F, v in res.loss_bohr.items()}
    if energies_uk is not None:
        assert E is not None
        sm = s_matrix(species, field_gauss, E * 1e-6)
        f = species.f
        probs = {}
        for k in range(0, f + 1):
            name = transition_name(f, k, -k)
            probs[f"00->{name}"] = sm.probability((f, k, f, -k)).tolist()
        out["energies_uk"] = E.tolist()
        out["probabilities"] = probs
        out["probabilities_note"] = (
            "|S_fi|^2 per s-wave collision from |f,0>+|f,0> at the collision energy above "
            "its threshold; 0 where the final channel is closed"
        )
    return out


__all__ = [
    "MAX_ENERGY_UK",
    "MAX_FIELD_GAUSS",
    "Numerics",
    "SMatrixResult",
    "ScatteringLengths",
    "s_matrix",
    "scattering_lengths",
    "scattering_summary",
]
