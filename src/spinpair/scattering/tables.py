"""Shipped coupled-channel tables: a_F(B) and |S_fi(E, B)|² within each spin sector.

The solver (:mod:`.solver`) takes 0.1–1 s per field for the a_F and seconds for a
spectrum of |S|², so the default paths read tables computed once by
``python -m spinpair.scattering.tables`` (the regeneration script; about 10 minutes) and
shipped in ``spinpair/data/scattering_tables.npz``:

* per built-in (species, f) with potentials (85Rb f=2, 87Rb f=1, 87Rb f=2): fields
  0–10 G, collision energies 0.05 µK – 3 mK (log grid, relative to the entrance channel);
* ``a_f`` (bohr) at every field, and their 1σ uncertainties from the potentials
  (:mod:`.uncertainty`);
* for each exchange-symmetric sector M ≥ 0 with more than one state, the probabilities
  P[s′, s] = |S_{s′s}(E)|² per s-wave collision between its states, ordered as
  :func:`spinpair.spin.symmetric_sector` orders them (sector −M uses the table of M with
  mirrored states, exact at zero field and good to the quadratic Zeeman shift otherwise).

Reading: linear interpolation in B and in log E; below the energy grid the off-diagonal
probabilities scale as E (threshold law |S_{s′s}|² ∝ k_s k_s′), above it as 1/E.

Examples
--------
>>> t = load_table("rb85", 2)
>>> round(t.a_f_bohr(0.0)[0])
-933
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError

if TYPE_CHECKING:
    from ..species import Species

#: Package data file of the tables.
TABLE_FILE = "scattering_tables.npz"
#: Fields (G) and collision energies (K) of the shipped tables.
TABLE_FIELDS_G = np.round(np.arange(0.0, 10.0001, 0.5), 6)
TABLE_ENERGIES_K = np.geomspace(0.05e-6, 3e-3, 72)
#: Species with tables (name, f).
TABLE_SPECIES: tuple[tuple[str, int], ...] = (("rb85", 2), ("rb87", 1), ("rb87", 2))
#: Upper hyperfine manifolds: their collisions also relax the hyperfine state (pair loss,
#: ≈ 1e-3 per s-wave collision for 87Rb f=2 at 40 µK, as large as the spin exchange), which
#: the relaxation model does not describe; S-matrix spin-exchange rates alone would hide it.
LOSSY_MANIFOLDS: tuple[tuple[str, int], ...] = (("rb87", 2),)
#: Potential-knob variants shipped for the M = 0 sector of 85Rb (bands on predictions).
VARIANTS: tuple[str, ...] = ("singlet+", "singlet-", "triplet+", "triplet-")
VARIANT_SPECIES: tuple[tuple[str, int], ...] = (("rb85", 2),)


def variant_shift(variant: str, knob_sigma_hartree: dict[str, float]) -> tuple[float, float]:
    """(δ_S, δ_T) in hartree of a variant name such as ``"triplet-"``."""
    name, sign = variant[:-1], 1.0 if variant.endswith("+") else -1.0
    d = sign * knob_sigma_hartree[name]
    return (d, 0.0) if name == "singlet" else (0.0, d)


@dataclass(frozen=True)
class SectorTable:
    """|S_{s′s}|² of one sector: ``probabilities[iB, iE, s′, s]`` on the table grid."""

    M: int
    labels: tuple[str, ...]
    probabilities: NDArray[np.float64]


@dataclass(frozen=True)
class ScatteringTable:
    """The shipped coupled-channel data of one (species, f)."""

    species: str
    f: int
    fields_g: NDArray[np.float64]
    energies_k: NDArray[np.float64]
    a_f: NDArray[np.float64]  # (nB, n_F), bohr
    channels: tuple[int, ...]
    a_f_uncertainty: NDArray[np.float64]  # (n_F,), bohr
    sectors: dict[int, SectorTable]
    provenance: dict
    #: M = 0 probabilities with the potential knobs at ±1σ (``singlet+`` …), for bands.
    variants: dict[str, NDArray[np.float64]] = dataclasses.field(default_factory=dict)

    def _field_weights(self, field_gauss: float) -> tuple[int, int, float]:
        b = float(field_gauss)
        lo, hi = float(self.fields_g[0]), float(self.fields_g[-1])
        if not (lo <= b <= hi):
            raise InputError(
                "collisions.field_gauss",
                b,
                f"{lo:g} to {hi:g} G for the shipped s-matrix tables of {self.species} "
                f'f={self.f} (use collisions.rates = "zero-range", or extend the tables '
                "with python -m spinpair.scattering.tables)",
            )
        i = int(np.clip(np.searchsorted(self.fields_g, b) - 1, 0, self.fields_g.size - 2))
        t = (b - self.fields_g[i]) / (self.fields_g[i + 1] - self.fields_g[i])
        return i, i + 1, float(t)

    def a_f_bohr(self, field_gauss: float) -> dict[int, float]:
        """F → a_F (bohr) at ``field_gauss``, linear in B between table fields."""
        i, j, t = self._field_weights(field_gauss)
        a = (1 - t) * self.a_f[i] + t * self.a_f[j]
        return {F: float(v) for F, v in zip(self.channels, a, strict=True)}

    def probabilities(
        self, M: int, field_gauss: float, energies_k: ArrayLike, variant: str | None = None
    ) -> NDArray[np.float64]:
        """P[e, s′, s] = |S_{s′s}|² at collision energies (K) in sector ``M`` (states
        ordered as ``spinpair.spin.symmetric_sector(f, M)``). ``variant`` (one of
        :data:`VARIANTS`) reads the M = 0 table computed with a potential knob at ±1σ."""
        sec = self.sectors.get(abs(int(M)))
        if sec is None:
            raise InputError("M", M, f"one of ±{sorted(self.sectors)} (sectors with > 1 state)")
        table = sec.probabilities
        if variant is not None and M == 0:
            if variant not in self.variants:
                raise InputError(
                    "variant", variant, f"one of {sorted(self.variants)} for {self.species}"
                )
            table = self.variants[variant]
        i, j, t = self._field_weights(field_gauss)
        P_b = (1 - t) * table[i] + t * table[j]  # (nE, n, n)
        E = np.atleast_1d(np.asarray(energies_k, dtype=float))
        if np.any(~np.isfinite(E)) or np.any(E <= 0):
            raise InputError("energies_k", energies_k, "finite collision energies > 0 (K)")
        x = np.log(self.energies_k)
        xe = np.log(np.clip(E, self.energies_k[0], self.energies_k[-1]))
        n = P_b.shape[-1]
        flat = P_b.reshape(P_b.shape[0], n * n)
        out = np.stack([np.interp(xe, x, flat[:, c]) for c in range(n * n)], axis=-1)
        out = out.reshape(E.size, n, n)
        off = ~np.eye(n, dtype=bool)
        low = E < self.energies_k[0]
        high = E > self.energies_k[-1]
        scale = np.ones(E.size)
        scale[low] = E[low] / self.energies_k[0]
        scale[high] = self.energies_k[-1] / E[high]
        out[:, off] *= scale[:, None]
        return out


def _data_path() -> Path:
    return Path(str(resources.files("spinpair") / "data" / TABLE_FILE))


@cache
def load_table(species: str, f: int, path: str | None = None) -> ScatteringTable:
    """The shipped table of (``species``, ``f``) (or the one in the file ``path``, as
    written by :func:`regenerate`); InputError if there is none."""
    key = f"{species}_f{f}"
    file = Path(path) if path is not None else _data_path()
    if not file.exists():
        raise InputError("scattering tables", str(file), "the shipped file (reinstall spinpair)")
    with np.load(file, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if key not in meta["tables"]:
            raise InputError(
                "species",
                f"{species} f={f}",
                "one with coupled-channel tables: "
                + ", ".join(f"{s} f={ff}" for s, ff in TABLE_SPECIES),
            )
        m = meta["tables"][key]
        sectors = {
            int(M): SectorTable(int(M), tuple(lab), np.array(z[f"{key}_P_M{M}"]))
            for M, lab in m["sectors"].items()
        }
        return ScatteringTable(
            species,
            int(f),
            np.array(z["fields_g"]),
            np.array(z["energies_k"]),
            np.array(z[f"{key}_a_f"]),
            tuple(m["channels"]),
            np.array(m["a_f_uncertainty"]),
            sectors,
            {**meta["provenance"], **m.get("provenance", {})},
            {v: np.array(z[f"{key}_P_M0_{v}"]) for v in m.get("variants", [])},
        )


def check_rates_species(species: str, f: int) -> None:
    """Refuse S-matrix relaxation rates for an upper manifold (:data:`LOSSY_MANIFOLDS`)."""
    if (species, int(f)) in LOSSY_MANIFOLDS:
        raise InputError(
            "collisions.rates",
            "s-matrix",
            f"'zero-range' for {species} f={f}: its collisions also change the hyperfine "
            "state and lose the pair (about as often as they exchange spin), which the "
            "relaxation model does not describe",
        )


def has_table(species: str, f: int) -> bool:
    """True when spinpair ships coupled-channel tables for (``species``, ``f``)."""
    return (species, int(f)) in TABLE_SPECIES


# ------------------------------------------------------------------------- regeneration


def sector_probabilities(
    species_obj: Species,
    field_gauss: float,
    energies_k: NDArray,
    M: int,
    wall_shift_hartree: tuple[float, float] = (0.0, 0.0),
) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """|S_{s′s}|² (nE, n, n) between the states of symmetric sector M ≥ 0, from the solver
    (``wall_shift_hartree``: the potential knobs of :mod:`.uncertainty`)."""
    from ..spin import symmetric_sector
    from .solver import s_matrix

    f = species_obj.f
    sec = symmetric_sector(f, M)
    pairs = []
    for lab in sec.labels:
        pairs.append(_label_to_ms(lab, M))
    # entrance: the sector state of lowest threshold is not needed; use the first state
    m1, m2 = pairs[0]
    res = s_matrix(
        species_obj,
        field_gauss,
        energies_k,
        entrance=(f, m1, f, m2),
        wall_shift_hartree=wall_shift_hartree,
    )
    n = len(pairs)
    P = np.zeros((energies_k.size, n, n))
    for a, (ma1, ma2) in enumerate(pairs):
        for b, (mb1, mb2) in enumerate(pairs):
            P[:, a, b] = res.probability((f, ma1, f, ma2), (f, mb1, f, mb2))
    return sec.labels, P


def _label_to_ms(label: str, M: int) -> tuple[int, int]:
    if label == "00":
        return 0, 0
    if label.startswith("chi"):
        k = int(label[3:])
        return k, -k
    body = label.strip("{}+-")
    if label.startswith("{"):
        body = label[1 : label.index("}")]
    a, b = (int(x) for x in body.split(","))
    assert a + b == M
    return a, b


def regenerate(
    path: Path | None = None,
    progress: bool = True,
    *,
    species: tuple[tuple[str, int], ...] = TABLE_SPECIES,
    fields_g: NDArray[np.float64] = TABLE_FIELDS_G,
    energies_k: NDArray[np.float64] = TABLE_ENERGIES_K,
) -> Path:
    """Recompute every table with the solver and write the package data file (or ``path``).

    About 20 minutes on one core with the default grids (``species``, ``fields_g`` and
    ``energies_k`` may be smaller, for a check). Writes atomically (temporary file, then
    rename).
    """
    from ..species import get_species
    from .solver import scattering_lengths
    from .uncertainty import a_f_uncertainties

    path = path or _data_path()
    arrays: dict[str, NDArray] = {
        "fields_g": np.asarray(fields_g, dtype=float),
        "energies_k": np.asarray(energies_k, dtype=float),
    }
    tables_meta: dict[str, dict] = {}
    t0 = time.perf_counter()
    for name, f in species:
        sp = get_species(name, f)
        key = f"{name}_f{f}"
        a_rows = []
        for B in fields_g:
            r = scattering_lengths(sp, float(B))
            a_rows.append([r.a_f_bohr[F] for F in sp.channels])
        arrays[f"{key}_a_f"] = np.array(a_rows)
        unc = a_f_uncertainties(sp)
        sectors_meta = {}
        for M in range(0, 2 * f + 1):
            from ..spin import symmetric_sector

            if symmetric_sector(f, M).size < 2:
                continue
            Ps = []
            labels: tuple[str, ...] = ()
            for B in fields_g:
                labels, P = sector_probabilities(sp, float(B), energies_k, M)
                Ps.append(P)
                if progress:
                    print(
                        f"{key} M={M} B={B:4.1f} G  ({time.perf_counter() - t0:6.0f} s)",
                        file=sys.stderr,
                    )
            arrays[f"{key}_P_M{M}"] = np.array(Ps)
            sectors_meta[str(M)] = list(labels)
        variants = list(VARIANTS) if (name, f) in VARIANT_SPECIES else []
        for v in variants:
            shift = variant_shift(v, unc.knob_sigma_hartree)
            arrays[f"{key}_P_M0_{v}"] = np.array(
                [sector_probabilities(sp, float(B), energies_k, 0, shift)[1] for B in fields_g]
            )
            if progress:
                print(f"{key} variant {v} ({time.perf_counter() - t0:6.0f} s)", file=sys.stderr)
        tables_meta[key] = {
            "channels": list(sp.channels),
            "a_f_uncertainty": [unc.sigma_bohr[F] for F in sp.channels],
            "knob_sigma_hartree": unc.knob_sigma_hartree,
            "uncertainty_method": unc.method,
            "sectors": sectors_meta,
            "variants": variants,
        }
    from .potentials import RB2_STRAUSS_2010
    from .solver import Numerics

    meta = {
        "provenance": {
            "method": "spinpair.scattering coupled-channel s-wave solver (Johnson "
            "log-derivative), M-resolved exchange-symmetric channels",
            "potentials": RB2_STRAUSS_2010.source,
            "numerics": Numerics().__dict__,
            "regenerate": "python -m spinpair.scattering.tables",
        },
        "tables": tables_meta,
    }
    arrays["meta"] = np.array(json.dumps(meta))
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)
    load_table.cache_clear()
    return path


if __name__ == "__main__":  # pragma: no cover - the regeneration script
    out = regenerate(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(out)
