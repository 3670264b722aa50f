"""What the paper implies for the 85Rb scattering-length differences (issue 10).

The paper quotes one collision number: chi1 ≈ 0.37 after a 100 ms hold at 0.5 G and 40 µK
(the 00 = 0.40, chi2 = 0.23 split used by the presets is illustrative, not the paper's).
This module maps, for each thermal collision model at the paper's conditions with
``rate_scale`` = 1 and the **zero-range** amplitudes in the a_F (the S-matrix rates do not
depend on the a_F), chi1 at the hold time over a grid of the two differences
(a0 − a4, a2 − a4) with a4 fixed at the built-in (coupled-channel) value, and marks the
built-in a_F (:mod:`spinpair.scattering`, status computed). It answers "which effective
zero-range a_F would reproduce the paper", and returns the region where
chi1 = 0.37 ± 0.05. The paper gives 0.37 with no uncertainty: the ±0.05 band is this
map's setting (``tolerance``), not the paper's. Pure computation:
:mod:`spinpair.plots.implied` draws it.

Only differences matter to first order (a common shift of every a_F is a multiple of the
identity in the M = 0 sector), but the energy-dependent amplitudes ã_F = a_F/(1 + k²a_F²)
make the absolute values matter too, which is why a4 is fixed (at the computed value).

Cost (measured by ``docs/figures/make_implied_figure.py`` on one core of a loaded 2-core
machine): one evaluation at one hold time takes 0.045 s (ergodic, 1024 energy nodes),
0.032 s (relaxation) and 0.125 s (ergodic+relaxation, 256 nodes), so a 21 × 21 grid of all
three models takes about 1.5 min; :attr:`ImpliedMap.seconds_per_evaluation` reports it.

Examples
--------
>>> from spinpair.params import Params
>>> m = implied_map("relaxation", [0.0], [0.0], Params())   # a0 = a2 = a4: no spin change
>>> float(m.chi1[0, 0])
0.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..dynamics import evolve
from ..dynamics.setup import CollisionSetup
from ..errors import InputError, check_range
from ..species import get_species

#: chi1 after 100 ms at 0.5 G, 40 µK: the only collision number the paper quotes.
PAPER_CHI1: float = 0.37
#: Half-width of the band around PAPER_CHI1 that the map counts as agreeing with the paper
#: (chi1 = 0.37 ± 0.05): a setting of this map; the paper quotes no uncertainty.
PAPER_CHI1_TOLERANCE: float = 0.05
#: The thermal models mapped (the ground-state model does not describe a 40 µK pair).
THERMAL_MODELS: tuple[str, ...] = ("ergodic", "relaxation", "ergodic+relaxation")
#: The built-in 85Rb a4 (coupled channels, spinpair.scattering; status computed), Bohr radii.
A4_BOHR: float = float(get_species("rb85").scattering_lengths_bohr[4])


def _paper_setup(params: Any | None) -> tuple[CollisionSetup, float]:
    """Collision setup of ``params`` (default: the paper's conditions) with rate_scale 1,
    and the hold time (s)."""
    from ..params import Params

    p = Params() if params is None else params
    if p.species != "rb85" or p.f != 2:
        raise InputError("species", f"{p.species} f={p.f}", "rb85 f=2 (the paper's atoms)")
    setup = replace(CollisionSetup.from_params(p), rate_scale=1.0, rates="zero-range")
    return setup, float(p.collisions.hold_time_s)


def chi1_at(
    setup: CollisionSetup,
    model: str,
    d0_bohr: float,
    d2_bohr: float,
    a4_bohr: float,
    time_s: float,
    **options: Any,
) -> float:
    """chi1 population at ``time_s`` (s) starting from |0,0⟩ with a0 = a4 + ``d0_bohr``,
    a2 = a4 + ``d2_bohr``, a4 = ``a4_bohr`` (Bohr radii), under ``model``."""
    sp = setup.species.with_scattering_lengths(
        {0: a4_bohr + d0_bohr, 2: a4_bohr + d2_bohr, 4: a4_bohr}, "implied-map grid", "user"
    )
    res = evolve(model, replace(setup, species=sp), [time_s], "00", **options)
    return float(res.populations(["chi1"])["chi1"][0])


@dataclass(frozen=True)
class ImpliedMap:
    """chi1 at the hold time over a grid of (a0 − a4, a2 − a4) for one model.

    ``chi1[i, j]`` belongs to a0 − a4 = ``d0_bohr[i]`` and a2 − a4 = ``d2_bohr[j]`` (Bohr
    radii); a4 = ``a4_bohr``; ``rate_scale`` is 1. ``builtin`` is the (a0 − a4, a2 − a4)
    of the built-in (computed) a_F, ``chi1_builtin`` the model's value there.
    """

    model: str
    d0_bohr: NDArray[np.float64]
    d2_bohr: NDArray[np.float64]
    chi1: NDArray[np.float64]
    a4_bohr: float
    hold_time_s: float
    field_gauss: float
    temperature_k: float
    builtin: tuple[float, float]
    chi1_builtin: float
    target: float = PAPER_CHI1
    tolerance: float = PAPER_CHI1_TOLERANCE
    seconds_per_evaluation: float = field(default=float("nan"), compare=False)

    @property
    def inside(self) -> NDArray[np.bool_]:
        """Grid points with |chi1 − target| ≤ tolerance."""
        return np.abs(self.chi1 - self.target) <= self.tolerance

    def region_points(self) -> NDArray[np.float64]:
        """(n, 2) array of (a0 − a4, a2 − a4) grid points inside the band (Bohr radii)."""
        i, j = np.nonzero(self.inside)
        return np.stack([self.d0_bohr[i], self.d2_bohr[j]], axis=1)

    def summary(self) -> dict[str, Any]:
        """Plain numbers: points inside, their extent, the smallest difference scale that
        reaches the band (max(|a0 − a4|, |a2 − a4|) over the region), chi1 range, and
        chi1 at the built-in a_F."""
        pts = self.region_points()
        n = int(pts.shape[0])
        out: dict[str, Any] = {
            "model": self.model,
            "grid_points": int(self.chi1.size),
            "points_inside": n,
            "chi1_min": float(np.min(self.chi1)),
            "chi1_max": float(np.max(self.chi1)),
            "chi1_at_builtin": self.chi1_builtin,
            "builtin_inside": bool(abs(self.chi1_builtin - self.target) <= self.tolerance),
        }
        if n:
            scale = np.max(np.abs(pts), axis=1)
            out["d0_range_bohr"] = [float(pts[:, 0].min()), float(pts[:, 0].max())]
            out["d2_range_bohr"] = [float(pts[:, 1].min()), float(pts[:, 1].max())]
            out["smallest_difference_scale_bohr"] = float(scale.min())
        else:
            out["d0_range_bohr"] = out["d2_range_bohr"] = None
            out["smallest_difference_scale_bohr"] = None
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ImpliedMap:
        """Inverse of :meth:`as_dict` (the summary is recomputed, not read)."""
        return cls(
            model=str(d["model"]),
            d0_bohr=np.asarray(d["d0_bohr"], dtype=float),
            d2_bohr=np.asarray(d["d2_bohr"], dtype=float),
            chi1=np.asarray(d["chi1"], dtype=float),
            a4_bohr=float(d["a4_bohr"]),
            hold_time_s=float(d["hold_time_s"]),
            field_gauss=float(d["field_gauss"]),
            temperature_k=float(d["temperature_k"]),
            builtin=(float(d["builtin"][0]), float(d["builtin"][1])),
            chi1_builtin=float(d["summary"]["chi1_at_builtin"]),
            target=float(d["target"]),
            tolerance=float(d["tolerance"]),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the grid, chi1 on it, the conditions and :meth:`summary`."""
        return {
            "model": self.model,
            "d0_bohr": self.d0_bohr.tolist(),
            "d2_bohr": self.d2_bohr.tolist(),
            "chi1": self.chi1.tolist(),
            "a4_bohr": self.a4_bohr,
            "rate_scale": 1.0,
            "hold_time_s": self.hold_time_s,
            "field_gauss": self.field_gauss,
            "temperature_k": self.temperature_k,
            "target": self.target,
            "tolerance": self.tolerance,
            "builtin": list(self.builtin),
            "summary": self.summary(),
        }


def builtin_differences(a4_bohr: float = A4_BOHR) -> tuple[float, float]:
    """(a0 − a4, a2 − a4) of the built-in 85Rb a_F (coupled channels; Bohr radii)."""
    a = get_species("rb85").scattering_lengths_bohr
    return float(a[0] - a4_bohr), float(a[2] - a4_bohr)


def implied_map(
    model: str,
    d0_bohr: ArrayLike,
    d2_bohr: ArrayLike,
    params: Any | None = None,
    *,
    a4_bohr: float = A4_BOHR,
    target: float = PAPER_CHI1,
    tolerance: float = PAPER_CHI1_TOLERANCE,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> ImpliedMap:
    """chi1 at the hold time of ``params`` (default: the paper's conditions, 100 ms,
    0.5 G, 40 µK) for ``model`` on the grid a0 − a4 = ``d0_bohr`` × a2 − a4 = ``d2_bohr``
    (Bohr radii), a4 = ``a4_bohr``, rate_scale 1. ``options`` go to the model (e.g.
    ``nodes``); ``progress(done, total)`` is called after each point.
    """
    import time

    if model not in THERMAL_MODELS:
        raise InputError("model", model, f"one of {list(THERMAL_MODELS)}")
    d0 = np.atleast_1d(np.asarray(d0_bohr, dtype=float))
    d2 = np.atleast_1d(np.asarray(d2_bohr, dtype=float))
    for name, arr in (("d0_bohr", d0), ("d2_bohr", d2)):
        if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
            raise InputError(name, arr.tolist(), "a non-empty 1-D list of finite numbers")
    check_range("a4_bohr", a4_bohr)
    check_range("tolerance", tolerance, 0.0, None, lo_open=True)
    setup, t = _paper_setup(params)
    chi1 = np.empty((d0.size, d2.size))
    total = chi1.size
    t0 = time.perf_counter()
    for i, x in enumerate(d0):
        for j, y in enumerate(d2):
            chi1[i, j] = chi1_at(setup, model, float(x), float(y), a4_bohr, t, **options)
            if progress is not None:
                progress(i * d2.size + j + 1, total)
    per_eval = (time.perf_counter() - t0) / total
    ph = builtin_differences(a4_bohr)
    chi_ph = chi1_at(setup, model, ph[0], ph[1], a4_bohr, t, **options)
    return ImpliedMap(
        model=model,
        d0_bohr=d0,
        d2_bohr=d2,
        chi1=chi1,
        a4_bohr=float(a4_bohr),
        hold_time_s=t,
        field_gauss=setup.field_gauss,
        temperature_k=setup.trap.temperature_k,
        builtin=ph,
        chi1_builtin=chi_ph,
        target=float(target),
        tolerance=float(tolerance),
        seconds_per_evaluation=per_eval,
    )


def implied_maps(
    models: Sequence[str] = THERMAL_MODELS,
    span_bohr: float = 1500.0,
    points: int = 21,
    params: Any | None = None,
    **kwargs: Any,
) -> dict[str, ImpliedMap]:
    """:func:`implied_map` for each of ``models`` on a square ``points`` × ``points`` grid
    over ±``span_bohr`` in both differences (the default 21 × 21 over ±1500 a_B has a
    150 a_B step and contains the built-in a_F and a0 = a2 = a4)."""
    check_range("span_bohr", span_bohr, 0.0, None, lo_open=True)
    if int(points) != points or points < 2:
        raise InputError("points", points, "an integer >= 2")
    axis = np.linspace(-span_bohr, span_bohr, int(points))
    return {m: implied_map(m, axis, axis, params, **kwargs) for m in models}


__all__ = [
    "A4_BOHR",
    "PAPER_CHI1",
    "PAPER_CHI1_TOLERANCE",
    "THERMAL_MODELS",
    "ImpliedMap",
    "builtin_differences",
    "chi1_at",
    "implied_map",
    "implied_maps",
]


#: The maps shipped with the package (written by docs/figures/make_implied_figure.py).
SHIPPED_MAPS = "data/implied_map.json"


def shipped_implied_maps() -> tuple[dict[str, dict[str, ImpliedMap]], dict[str, Any]]:
    """The precomputed maps that ship with spinpair: ``({grid: {model: ImpliedMap}},
    provenance)``. ``grid`` is ``"wide"`` (21 × 21 over ±1500 a_B) or ``"zoom"`` (33 × 33
    over ±400 a_B). Recompute with ``docs/figures/make_implied_figure.py`` (minutes).

    Examples
    --------
    >>> maps, prov = shipped_implied_maps()
    >>> sorted(maps["zoom"])
    ['ergodic', 'ergodic+relaxation', 'relaxation']
    """
    import json
    from importlib.resources import files

    raw = json.loads(files("spinpair").joinpath(SHIPPED_MAPS).read_text(encoding="utf-8"))
    prov = raw.pop("provenance", {})
    maps = {g: {m: ImpliedMap.from_dict(d) for m, d in ms.items()} for g, ms in raw.items()}
    return maps, prov
