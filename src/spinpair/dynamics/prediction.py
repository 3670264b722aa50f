"""Predicted populations with the band that the inputs leave open.

The relaxation models with S-matrix rates (``collisions.rates = "s-matrix"``) predict
the pair's populations from first principles: coupled-channel |S_fi(E)|² from the Rb2
potentials of Strauss et al. 2010, the thermal collision energies and the trap's contact
density; nothing is fitted. Two inputs are not pinned down, and each is propagated:

* **the potentials**: the shipped tables hold |S|² recomputed with each potential knob at
  ±1σ (:mod:`spinpair.scattering.uncertainty`: knobs sized so that the 85Rb 155 G
  resonance moves by its model–measurement gap);
* **the temperature**: T ± ``temperature_sigma_k`` (default 10 µK: the paper quotes
  "T ≈ 40 µK" with no uncertainty; ±10 µK is this package's setting).

The band is a range, not a Gaussian error: a population can sit at an extremum of an input
(chi1 at 100 ms is near its maximum as a function of the rates, so both T + 10 µK and
T − 10 µK lower it), where a symmetric σ = |P(X+) − P(X−)|/2 would invent an upper side.
For each source X the downward and upward excursions d_X = max(0, P − min(P(X+), P(X−)))
and u_X = max(0, max(P(X+), P(X−)) − P) are kept apart and added in quadrature per side:
``lower`` = P − √Σ d_X², ``upper`` = P + √Σ u_X² (one input at a time; the contributions
are listed separately).
The trap depth is read as h × 22 MHz (the paper's appendix writes ħ × 22 MHz, which would
lower every frequency by √(2π) and the contact density ≈ 16×): that reading is a stated
setting, not part of the band.

Examples
--------
>>> from spinpair.params import Params
>>> p = predict_populations(Params(), [0.1])
>>> [round(float(x[0]), 3) for x in (p.lower["chi1"], p.populations["chi1"], p.upper["chi1"])]
[0.36, 0.39, 0.391]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from .setup import CollisionSetup

if TYPE_CHECKING:
    from ..params import Params

#: Default half-range of the temperature in the band (K): a setting (the paper gives none).
TEMPERATURE_SIGMA_K = 10e-6
#: Models whose populations depend on the relaxation rates.
RATE_MODELS = ("relaxation", "ergodic+relaxation")


@dataclass(frozen=True)
class Prediction:
    """Populations (named states → arrays over ``time_s``) with the range the inputs leave
    open: ``lower`` ≤ ``populations`` ≤ ``upper``.

    ``contributions`` maps each source (``potentials: singlet``, ``potentials: triplet``,
    ``temperature``) to its per-state ``{"down": d_X, "up": u_X}`` excursions; ``notes``
    says what the band leaves out.
    """

    model: str
    time_s: NDArray[np.float64]
    populations: dict[str, NDArray[np.float64]]
    lower: dict[str, NDArray[np.float64]]
    upper: dict[str, NDArray[np.float64]]
    contributions: dict[str, dict[str, dict[str, NDArray[np.float64]]]]
    temperature_k: float
    temperature_sigma_k: float
    notes: list[str] = field(default_factory=list)

    @property
    def half_width(self) -> dict[str, NDArray[np.float64]]:
        """(upper − lower)/2 per state: a size, not a standard deviation."""
        return {k: 0.5 * (self.upper[k] - self.lower[k]) for k in self.populations}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``populations``, ``lower``, ``upper`` (clipped to [0, 1]) and the
        ``contributions`` (``down``/``up`` per source and state), lists over ``time_s``."""
        return {
            "model": self.model,
            "time_s": self.time_s.tolist(),
            "populations": {k: v.tolist() for k, v in self.populations.items()},
            "lower": {k: np.clip(v, 0, 1).tolist() for k, v in self.lower.items()},
            "upper": {k: np.clip(v, 0, 1).tolist() for k, v in self.upper.items()},
            "contributions": {
                src: {k: {side: x.tolist() for side, x in d.items()} for k, d in c.items()}
                for src, c in self.contributions.items()
            },
            "band": "range over the inputs' variations, one at a time, each side added in "
            "quadrature (not a Gaussian sigma)",
            "temperature_k": self.temperature_k,
            "temperature_sigma_k": self.temperature_sigma_k,
            "status": "computed",
            "notes": list(self.notes),
        }


def _excursions(
    central: dict[str, NDArray], a: dict[str, NDArray], b: dict[str, NDArray]
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Per state: how far the pair of variations ``a``, ``b`` goes below and above."""
    out = {}
    for k, p in central.items():
        lo = np.minimum(a[k], b[k])
        hi = np.maximum(a[k], b[k])
        out[k] = {"down": np.maximum(0.0, p - lo), "up": np.maximum(0.0, hi - p)}
    return out


def predict_populations(
    params: Params,
    times_s: ArrayLike,
    *,
    model: str | None = None,
    temperature_sigma_k: float = TEMPERATURE_SIGMA_K,
    state: str = "00",
) -> Prediction:
    """Populations of the relaxation model(s) at ``times_s`` (s) with their band.

    ``params``: a :class:`spinpair.params.Params` (its ``collisions.rates`` should be
    ``"s-matrix"`` for the potentials' part of the band; with ``"zero-range"`` only the
    temperature part is given, and a note says so).
    """
    from ..scattering.tables import VARIANT_SPECIES

    model = model or params.collisions.model
    if model not in RATE_MODELS:
        raise InputError("collisions.model", model, f"one of {list(RATE_MODELS)} for a band")
    sig_t = float(temperature_sigma_k)
    t_k = params.trap.temperature_k
    if not (0.0 <= sig_t < t_k):
        raise InputError(
            "temperature_sigma_k", sig_t, f"in [0, {t_k:g}) K (below the temperature itself)"
        )
    setup = CollisionSetup.from_params(params)
    run = _runner(model, setup, times_s, state)
    central = run(setup)
    contributions: dict[str, dict[str, dict[str, NDArray[np.float64]]]] = {}
    notes: list[str] = []
    has_variants = (setup.species.name, setup.f) in VARIANT_SPECIES
    if setup.rates == "s-matrix" and has_variants:
        for knob in ("singlet", "triplet"):
            ph = run(replace(setup, potential_variant=f"{knob}+"))
            pl = run(replace(setup, potential_variant=f"{knob}-"))
            contributions[f"potentials: {knob}"] = _excursions(central, ph, pl)
    else:
        notes.append(
            "no potential band: "
            + (
                "zero-range rates (set collisions.rates = 's-matrix')"
                if setup.rates != "s-matrix"
                else f"no potential variants shipped for {setup.species.name} f={setup.f}"
            )
        )
    if sig_t > 0:
        pt = []
        for T in (t_k + sig_t, t_k - sig_t):
            d = params.to_dict()
            d["trap"]["temperature_k"] = T
            pt.append(run(CollisionSetup.from_params(type(params).from_dict(d))))
        contributions["temperature"] = _excursions(central, pt[0], pt[1])
    lower, upper = {}, {}
    for k, v in central.items():
        down = (
            np.sqrt(sum(c[k]["down"] ** 2 for c in contributions.values()))
            if contributions
            else 0.0
        )
        up = np.sqrt(sum(c[k]["up"] ** 2 for c in contributions.values())) if contributions else 0.0
        lower[k] = v - down
        upper[k] = v + up
    notes.append(
        "trap depth read as h x depth_hz (the appendix's hbar x 22 MHz would lower the "
        "contact density about 16x); the band covers the potentials and the temperature only"
    )
    t = np.atleast_1d(np.asarray(times_s, dtype=float))
    return Prediction(model, t, central, lower, upper, contributions, t_k, sig_t, notes)


def _runner(
    model: str, setup: CollisionSetup, times_s: ArrayLike, state: str
) -> Callable[[CollisionSetup], dict[str, NDArray[np.float64]]]:
    """populations(setup) for ``model`` at ``times_s`` from ``state``: the Pauli rate
    equation for the relaxation model from 00 (exact there, ~20× faster), else evolve."""
    from . import evolve
    from .pauli import relaxation_populations

    names = ("00", *(f"chi{k}" for k in range(1, setup.f + 1)))
    t = np.atleast_1d(np.asarray(times_s, dtype=float))
    fast = relaxation_populations(setup, names) if model == "relaxation" and state == "00" else None

    def run(s: CollisionSetup) -> dict[str, NDArray[np.float64]]:
        if fast is not None:
            P = fast(s, t)
            return {k: P[i] for i, k in enumerate(names)}
        return evolve(model, s, t, state).populations()

    return run


@dataclass(frozen=True)
class PredictionScan:
    """Populations at ``time_s`` versus one parameter (``key``, values ``values``), with the
    range of :func:`predict_populations` at every point."""

    key: str
    unit: str
    values: NDArray[np.float64]
    time_s: float
    populations: dict[str, NDArray[np.float64]]
    lower: dict[str, NDArray[np.float64]]
    upper: dict[str, NDArray[np.float64]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready lists."""
        return {
            "key": self.key,
            "unit": self.unit,
            "values": self.values.tolist(),
            "time_s": self.time_s,
            "populations": {k: v.tolist() for k, v in self.populations.items()},
            "lower": {k: v.tolist() for k, v in self.lower.items()},
            "upper": {k: v.tolist() for k, v in self.upper.items()},
        }


#: Parameters a prediction can be scanned over, with their unit.
SCAN_KEYS = {
    "collisions.field_gauss": "G",
    "trap.temperature_k": "K",
    "trap.depth_hz": "Hz",
    "collisions.hold_time_s": "s",
}


def scan_prediction(
    params: Params,
    key: str,
    values: ArrayLike,
    *,
    time_s: float | None = None,
    model: str | None = None,
    temperature_sigma_k: float = TEMPERATURE_SIGMA_K,
) -> PredictionScan:
    """:func:`predict_populations` at ``time_s`` (default the hold time) for each value of
    the parameter ``key`` (one of :data:`SCAN_KEYS`: field, temperature, depth, hold time).

    Examples
    --------
    >>> from spinpair.params import Params
    >>> s = scan_prediction(Params(), "collisions.field_gauss", [0.5, 8.5])
    >>> s.populations["chi1"].shape
    (2,)
    """
    if key not in SCAN_KEYS:
        raise InputError("key", key, f"one of {sorted(SCAN_KEYS)}")
    vals = np.atleast_1d(np.asarray(values, dtype=float))
    t = float(params.collisions.hold_time_s if time_s is None else time_s)
    pops: dict[str, list[float]] = {}
    lows: dict[str, list[float]] = {}
    highs: dict[str, list[float]] = {}
    table, name = key.split(".")
    for v in vals:
        d = params.to_dict()
        if key == "collisions.hold_time_s":
            t_now = float(v)
        else:
            d[table][name] = float(v)
            t_now = t
        p = type(params).from_dict(d)
        pr = predict_populations(
            p,
            [t_now],
            model=model,
            temperature_sigma_k=min(temperature_sigma_k, 0.5 * p.trap.temperature_k),
        )
        for k in pr.populations:
            pops.setdefault(k, []).append(float(pr.populations[k][0]))
            lows.setdefault(k, []).append(float(pr.lower[k][0]))
            highs.setdefault(k, []).append(float(pr.upper[k][0]))
    return PredictionScan(
        key,
        SCAN_KEYS[key],
        vals,
        t,
        {k: np.array(v) for k, v in pops.items()},
        {k: np.array(v) for k, v in lows.items()},
        {k: np.array(v) for k, v in highs.items()},
    )


__all__ = [
    "RATE_MODELS",
    "SCAN_KEYS",
    "TEMPERATURE_SIGMA_K",
    "Prediction",
    "PredictionScan",
    "predict_populations",
    "scan_prediction",
]
