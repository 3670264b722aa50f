"""Virtual experiment: seeded multinomial runs from the sequence model, and a planner
(spec §5).

* :func:`simulate_counts` — for a parameter set (or a built
  :class:`~spinpair.sequence.Sequence`) and a scan of pulse durations ``tau_s`` (s) or
  areas ``area`` (rad), draw (n0, n1, n2) for ``runs`` runs per setting with
  ``numpy.random.Generator.multinomial``.
* :func:`plan_runs` — how many runs per setting reject F ≤ ½ at ``sigma`` standard
  deviations with probability ``probability`` when the truth is ``fidelity``: virtual
  experiments at each candidate size, starting from the Asimov estimate and refined by
  geometric steps and bisection. The per-setting Fisher information tells at which settings
  the runs are worth most (the π/2 pulse for the 2-atom curve).

Only seeded ``numpy.random.Generator`` objects are used: the same seed gives the same data.

Examples
--------
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> p = Params.from_toml(preset_path("paper-like"))
>>> d = simulate_counts(p, tau_s=[0.0, 1.6e-6], runs=200, seed=1)
>>> int(d.runs.sum()), d.setting_name
(400, 'tau_s')
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._lazy import lazy_module
from .analysis.data import CountData
from .analysis.fits import CURVES, EPS, FidelityModel
from .errors import InputError, check_range
from .params import Params

stats = lazy_module("scipy.stats")


if TYPE_CHECKING:  # pragma: no cover
    from .sequence import Sequence


def _rng(seed: int | np.random.Generator | None, rng: np.random.Generator | None = None):
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise InputError("rng", type(rng).__name__, "a numpy.random.Generator")
        return rng
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise InputError("seed", None, "a non-negative integer or a numpy.random.Generator")
    try:
        ok = int(seed) == seed and seed >= 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError("seed", seed, "a non-negative integer")
    return np.random.default_rng(int(seed))


def _runs(runs: int | ArrayLike, rows: int) -> NDArray[np.int64]:
    r = np.asarray(runs, dtype=float)
    if r.ndim > 1 or (r.ndim == 1 and r.size != rows):
        raise InputError("runs", r.tolist(), f"one integer or {rows} integers (one per setting)")
    r = np.broadcast_to(r, (rows,))
    bad = ~np.isfinite(r) | (r <= 0) | (r != np.round(r))
    if np.any(bad):
        raise InputError("runs", float(r[bad][0]), "a positive integer")
    return r.astype(np.int64)


def sample_counts(
    probs: NDArray[np.float64],
    setting_name: str,
    setting: ArrayLike,
    runs: int | ArrayLike,
    seed: int | np.random.Generator | None = None,
    *,
    rng: np.random.Generator | None = None,
) -> CountData:
    """Multinomial draws of (n0, n1, n2) per row from probabilities (rows, 3).

    Examples
    --------
    >>> d = sample_counts(np.array([[0.2, 0.3, 0.5]]), "area", [1.57], 100, seed=3)
    >>> int(d.n0[0] + d.n1[0] + d.n2[0])
    100
    """
    g = _rng(seed, rng)
    p = np.clip(np.asarray(probs, dtype=float), 0, 1)
    if p.ndim != 2 or p.shape[1] != 3:
        raise InputError("probs", p.shape, "an array (rows, 3) of P0, P1, P2")
    p = p / p.sum(axis=1, keepdims=True)
    n = _runs(runs, p.shape[0])
    draws = g.multinomial(n, p)
    return CountData(setting_name, np.asarray(setting, dtype=float), n, *draws.T)


def simulate_counts(
    params: Params | Sequence,
    *,
    tau_s: ArrayLike | None = None,
    area: ArrayLike | None = None,
    runs: int | ArrayLike,
    seed: int | np.random.Generator | None = None,
    rng: np.random.Generator | None = None,
    fidelity: float | None = None,
    destroy: bool = False,
) -> CountData:
    """Seeded virtual data from the measurement sequence.

    ``params``: a :class:`~spinpair.params.Params` or a built
    :class:`~spinpair.sequence.Sequence`; exactly one of ``tau_s`` (s) or ``area`` (rad);
    ``runs`` per setting (one integer or one per setting); ``seed`` (integer) or ``rng``
    (a ``numpy.random.Generator``). ``fidelity`` F = (1 + c)/2 overrides the chi1
    coherence (only with ``params``); by default the parameter file decides.
    """
    from .sequence import Sequence as MeasurementSequence

    if (tau_s is None) == (area is None):
        raise InputError("setting", None, "exactly one of tau_s or area")
    name, setting = ("tau_s", tau_s) if tau_s is not None else ("area", area)
    g = _rng(seed, rng)
    if isinstance(params, MeasurementSequence):
        if fidelity is not None or destroy:
            raise InputError(
                "fidelity", fidelity, "None with a built Sequence (pass Params to override)"
            )
        seq = params
    else:
        c = None if fidelity is None else 2 * check_range("fidelity", fidelity, 0.0, 1.0) - 1
        seq = MeasurementSequence.from_params(params, destroy=destroy, chi1_coherence=c)
    r = seq.run(**{name: setting})
    probs = np.stack([r.P0, r.P1, r.P2], axis=1)
    return sample_counts(probs, name, r.setting, runs, rng=g)


# ----------------------------------------------------------------------------- planning


def _curve_arrays(model: FidelityModel, curve: str) -> tuple[NDArray, NDArray]:
    """p(F) = a + b F per row and outcome (rows, m) for the outcomes the curve uses."""
    if curve not in CURVES:
        raise InputError("curve", curve, f"one of {list(CURVES)}")
    d = model.p_entangled - model.p_unentangled
    a, b = model.p_unentangled - d, 2 * d
    k = CURVES[curve]
    if k is None:
        return a, b
    return np.stack([a[:, k], 1 - a[:, k]], axis=1), np.stack([b[:, k], -b[:, k]], axis=1)


def _curve_counts(counts: NDArray, curve: str) -> NDArray:
    """(..., rows, 3) counts → (..., rows, m) counts of the outcomes the curve uses."""
    k = CURVES[curve]
    if k is None:
        return counts
    return np.stack([counts[..., k], counts.sum(axis=-1) - counts[..., k]], axis=-1)


def rejection_sigma_batch(
    counts: NDArray, model: FidelityModel, curve: str = "P2"
) -> NDArray[np.float64]:
    """Likelihood-ratio Z for rejecting F ≤ ½ for a batch of datasets (T, rows, 3) at the
    model's settings, exactly as :func:`~spinpair.analysis.fits.fidelity_likelihood`
    (without nuisances): the NLL is convex in F, so the maximum on [½, 1] is found by
    vectorised bisection of its derivative.

    Examples
    --------
    >>> m = FidelityModel(np.array([[0.3, 0.4, 0.3]]), np.array([[0.3, 0.1, 0.6]]))
    >>> float(rejection_sigma_batch(np.array([[[30, 40, 30]]]), m)[0])
    0.0
    """
    a, b = _curve_arrays(model, curve)
    n = _curve_counts(np.asarray(counts, dtype=float), curve)
    if n.ndim == 2:
        n = n[None]

    def p(F: NDArray) -> NDArray:
        return np.clip(a + b * F[:, None, None], EPS, 1 - EPS)

    def nll(F: NDArray) -> NDArray:
        return -np.sum(n * np.log(p(F)), axis=(1, 2))

    def grad(F: NDArray) -> NDArray:
        return -np.sum(n * b / p(F), axis=(1, 2))

    T = n.shape[0]
    lo, hi = np.full(T, 0.5), np.full(T, 1.0)
    g_lo, g_hi = grad(lo), grad(hi)
    for _ in range(45):
        mid = 0.5 * (lo + hi)
        up = grad(mid) > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    best = np.where(g_lo >= 0, 0.5, np.where(g_hi <= 0, 1.0, 0.5 * (lo + hi)))
    return np.sqrt(np.maximum(0.0, 2 * (nll(np.full(T, 0.5)) - nll(best))))


def rejection_sigma_grid(
    data: CountData, model: FidelityModel, curve: str = "P2", points: int = 401
) -> float:
    """Z for rejecting F ≤ ½ of one dataset (``points`` is kept for compatibility: the
    maximum is found exactly, see :func:`rejection_sigma_batch`)."""
    return float(rejection_sigma_batch(data.counts[None], model, curve)[0])


def fisher_information(model: FidelityModel, fidelity: float, curve: str = "P2") -> NDArray:
    """Fisher information about F per run at each setting (rows,), at ``fidelity``:
    Σ_k (∂p_k/∂F)²/p_k over the outcomes the curve uses."""
    a, b = _curve_arrays(model, curve)
    p = np.clip(a + b * fidelity, EPS, 1 - EPS)
    return np.sum(b**2 / p, axis=1)


def asimov_sigma_per_run(model: FidelityModel, fidelity: float, curve: str = "P2") -> float:
    """Expected ('Asimov') Z for one run per setting; Z grows as √runs."""
    a, b = _curve_arrays(model, curve)
    expected = np.clip(a + b * fidelity, EPS, 1 - EPS)
    half = np.clip(a + b * 0.5, EPS, 1 - EPS)
    if fidelity <= 0.5:
        return 0.0
    return float(np.sqrt(max(0.0, 2 * np.sum(expected * np.log(expected / half)))))


@dataclass(frozen=True)
class Plan:
    """Outcome of :func:`plan_runs`: the smallest runs per setting found to reach the
    goal (None if no candidate did), the simulated power (probability to reject F ≤ ½ at
    ``sigma``) of every size tried, the Asimov estimate, and the Fisher information about
    F per run at each setting (where the runs are worth most)."""

    runs_per_setting: int | None
    total_runs: int | None
    candidates: NDArray[np.int64]
    power: NDArray[np.float64]
    sigma: float
    probability: float
    fidelity: float = 1.0
    curve: str = "P2"
    trials: int = 0
    asimov_runs_per_setting: float | None = None
    information_per_run: tuple[float, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "runs_per_setting": self.runs_per_setting,
            "total_runs": self.total_runs,
            "candidates": [int(x) for x in self.candidates],
            "power": [float(x) for x in self.power],
            "sigma": float(self.sigma),
            "probability": float(self.probability),
            "fidelity": float(self.fidelity),
            "curve": self.curve,
            "trials": int(self.trials),
            "asimov_runs_per_setting": self.asimov_runs_per_setting,
            "information_per_run": [float(x) for x in self.information_per_run],
        }


def plan_runs(
    model: FidelityModel | Params,
    setting_name: str,
    setting: ArrayLike,
    *,
    fidelity: float = 1.0,
    sigma: float = 3.0,
    probability: float = 0.9,
    curve: str = "P2",
    candidates: ArrayLike | None = None,
    trials: int = 200,
    seed: int | np.random.Generator = 0,
    rel_tol: float = 0.1,
    max_runs: int = 10**7,
) -> Plan:
    """How many runs per setting (at the given ``setting`` values: durations in s or
    areas in rad) reject F ≤ ½ at ``sigma`` with ``probability`` when the truth is
    ``fidelity``: ``trials`` virtual experiments per size.

    With ``candidates`` the sizes are exactly those; otherwise the search starts at the
    Asimov estimate N₀ = ((sigma + z_probability)/Z₁)², steps geometrically (×2 or ÷2) to
    bracket the goal and bisects until the bracket is within ``rel_tol``. A progress bar
    is shown only when stderr is a terminal.
    """
    check_range("sigma", sigma, 0.0, None, lo_open=True)
    check_range("probability", probability, 0.0, 1.0, lo_open=True, hi_open=True)
    check_range("fidelity", fidelity, 0.0, 1.0)
    check_range("rel_tol", rel_tol, 0.0, 1.0, lo_open=True)
    if int(trials) != trials or trials < 1:
        raise InputError("trials", trials, "a positive integer")
    if curve not in CURVES:
        raise InputError("curve", curve, f"one of {list(CURVES)}")
    if isinstance(model, Params):
        model = FidelityModel.from_params(model, setting_name, setting)
    rng = _rng(seed)
    x = np.asarray(setting, dtype=float)
    probs = model.probs(fidelity)
    if probs.shape[0] != x.size:
        raise InputError("setting", x.size, f"{probs.shape[0]} settings, as in the model")
    z1 = asimov_sigma_per_run(model, fidelity, curve)
    asimov = ((sigma + stats.norm.ppf(probability)) / z1) ** 2 if z1 > 0 else None

    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(desc="planning", unit="size", file=sys.stderr, leave=False)
    tried: dict[int, float] = {}

    def power(nr: int) -> float:
        if nr not in tried:
            counts = rng.multinomial(nr, np.broadcast_to(probs, (int(trials), *probs.shape)))
            z = rejection_sigma_batch(counts, model, curve)
            tried[nr] = float(np.mean(z >= sigma))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(runs=nr, power=f"{tried[nr]:.2f}")
        return tried[nr]

    try:
        if candidates is not None:
            cand = np.asarray(candidates, dtype=float)
            if cand.ndim != 1 or cand.size == 0 or np.any(cand <= 0) or np.any(cand % 1):
                raise InputError("candidates", cand.tolist(), "positive integer run numbers")
            for nr in cand.astype(int):
                power(int(nr))
            ok = [int(nr) for nr in cand.astype(int) if tried[int(nr)] >= probability]
            best = min(ok) if ok else None
        elif asimov is None:
            best = None
        else:
            nr = int(min(max(1, math.ceil(asimov)), max_runs))
            lo_fail: int | None = None
            hi_pass: int | None = None
            if power(nr) >= probability:  # step down geometrically
                hi_pass = nr
                while hi_pass > 1:
                    nr = max(1, hi_pass // 2)
                    if power(nr) < probability:
                        lo_fail = nr
                        break
                    hi_pass = nr
            else:  # step up geometrically
                lo_fail = nr
                while lo_fail < max_runs:
                    nr = min(2 * lo_fail, max_runs)
                    if power(nr) >= probability:
                        hi_pass = nr
                        break
                    lo_fail = nr
            if hi_pass is not None and lo_fail is not None:
                while hi_pass - lo_fail > max(1, rel_tol * hi_pass):  # bisect
                    mid = (lo_fail + hi_pass) // 2
                    if power(mid) >= probability:
                        hi_pass = mid
                    else:
                        lo_fail = mid
            best = hi_pass
    finally:
        if bar is not None:
            bar.close()
    sizes = np.array(sorted(tried), dtype=np.int64)
    return Plan(
        runs_per_setting=best,
        total_runs=None if best is None else int(best * x.size),
        candidates=sizes,
        power=np.array([tried[int(s)] for s in sizes]),
        sigma=float(sigma),
        probability=float(probability),
        fidelity=float(fidelity),
        curve=curve,
        trials=int(trials),
        asimov_runs_per_setting=None if asimov is None else float(asimov),
        information_per_run=tuple(float(v) for v in fisher_information(model, fidelity, curve)),
    )


__all__ = [
    "Plan",
    "asimov_sigma_per_run",
    "fisher_information",
    "plan_runs",
    "rejection_sigma_batch",
    "rejection_sigma_grid",
    "sample_counts",
    "simulate_counts",
]
