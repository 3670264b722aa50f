"""Planning an experiment: how many runs reject F ≤ ½ (spec §5).

* :func:`plan_runs` — how many runs per setting reject F ≤ ½ at ``sigma`` standard
  deviations with probability ``probability`` when the truth is ``fidelity``: virtual
  experiments (:mod:`spinpair.montecarlo`) at each candidate size, starting from the
  Asimov estimate (:func:`asimov_sigma_per_run`) and refined by geometric steps and
  bisection.
* :func:`rejection_sigma_batch` — the likelihood-ratio significance of many virtual
  datasets at once, with the one likelihood
  (:func:`~spinpair.analysis.likelihood.multinomial_nll`).
* :func:`fidelity_fisher_information` — the Fisher information about F per run at each
  setting: where the runs are worth most (the π/2 pulse for the 2-atom curve).

Examples
--------
>>> m = FidelityModel(np.array([[0.3, 0.4, 0.3]]), np.array([[0.3, 0.1, 0.6]]))
>>> plan = plan_runs(m, "area", [1.57], sigma=3.0, trials=100, seed=1)
>>> plan.runs_per_setting is not None and plan.asimov_runs_per_setting > 0
True
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from .._rng import as_generator
from ..errors import InputError, check_range
from ..params import Params
from ..validation import Interval, instance, real_values, size
from .data import MAX_COUNT, CountData
from .likelihood import curve_counts, multinomial_nll
from .model import EPS, FidelityModel, check_curve, normalise_curve

special = lazy_module("scipy.special")


def _curve_arrays(model: FidelityModel, curve: str) -> tuple[NDArray, NDArray]:
    """p(F) = a + b F per row and outcome (rows, m) for the outcomes the curve uses."""
    k = check_curve(curve)
    d = model.p_entangled - model.p_unentangled
    a, b = model.p_unentangled - d, 2 * d
    if k is None:
        return a, b
    return np.stack([a[:, k], 1 - a[:, k]], axis=1), np.stack([b[:, k], -b[:, k]], axis=1)


def rejection_sigma_batch(
    counts: NDArray, model: FidelityModel, curve: str = "P2"
) -> NDArray[np.float64]:
    """Likelihood-ratio Z for rejecting F ≤ ½ for a batch of datasets (T, rows, 3) at the
    model's settings, exactly as :func:`~spinpair.analysis.likelihood.fidelity_likelihood`
    (without nuisances): the NLL is convex in F, so the maximum on [½, 1] is found by
    vectorised bisection of its derivative.

    Examples
    --------
    >>> m = FidelityModel(np.array([[0.3, 0.4, 0.3]]), np.array([[0.3, 0.1, 0.6]]))
    >>> float(rejection_sigma_batch(np.array([[[30, 40, 30]]]), m)[0])
    0.0
    """
    a, b = _curve_arrays(model, curve)
    n = curve_counts(counts, curve)
    if n.ndim == 2:
        n = n[None]

    def p(F: NDArray) -> NDArray:
        return np.clip(a + b * F[:, None, None], EPS, 1 - EPS)

    def nll(F: NDArray) -> NDArray:
        return np.sum(multinomial_nll(n, p(F), check=False), axis=-1)

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
    model.check_data(data)
    return float(rejection_sigma_batch(data.counts[None], model, curve)[0])


def fidelity_fisher_information(
    model: FidelityModel, fidelity: float, curve: str = "P2"
) -> NDArray[np.float64]:
    """Fisher information about F per run at each setting (rows,), at ``fidelity``:
    Σ_k (∂p_k/∂F)²/p_k over the outcomes the curve uses (the general tool for any
    parameter is :func:`spinpair.metrology.fisher_information`)."""
    instance("model", model, FidelityModel, "a FidelityModel (FidelityModel.from_data)")
    fidelity = check_range("fidelity", fidelity, 0.0, 1.0)
    a, b = _curve_arrays(model, normalise_curve(curve))
    p = np.clip(a + b * fidelity, EPS, 1 - EPS)
    return np.sum(b**2 / p, axis=1)


def asimov_sigma_per_run(model: FidelityModel, fidelity: float, curve: str = "P2") -> float:
    """Expected ('Asimov') Z for one run per setting; Z grows as √runs: the likelihood
    ratio of F = ½ against the truth for data equal to their expectation, i.e. the
    saturated-model NLL of the expected counts at F = ½."""
    a, b = _curve_arrays(model, curve)
    expected = np.clip(a + b * fidelity, EPS, 1 - EPS)
    half = np.clip(a + b * 0.5, EPS, 1 - EPS)
    if fidelity <= 0.5:
        return 0.0
    nll = np.sum(multinomial_nll(expected, half, constant="saturated"))
    return float(np.sqrt(max(0.0, 2 * nll)))


#: Most virtual experiments per candidate size in :func:`plan_runs`.
MAX_TRIALS = 10**6


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
    """How many runs per setting reject F ≤ ½ at ``sigma`` with ``probability``.

    ``trials`` virtual experiments per candidate size are fitted as the data would be. With
    ``candidates`` the sizes are exactly those; otherwise the search starts at the Asimov
    estimate N₀ = ((sigma + z_probability)/Z₁)², steps geometrically (×2 or ÷2) to bracket
    the goal and bisects until the bracket is within ``rel_tol``. A progress bar is shown
    only when stderr is a terminal.

    Parameters
    ----------
    model : FidelityModel or spinpair.params.Params
        The model at the settings, or a parameter set to build it from.
    setting_name : str
        ``tau_s`` (durations [s]) or ``area`` (pulse areas [rad]).
    setting : array_like
        The settings measured.
    fidelity : float, optional
        Assumed true fidelity F (default 1).
    sigma : float, optional
        Required rejection significance [standard deviations] (default 3).
    probability : float, optional
        Required power, in (0, 1) (default 0.9).
    curve : str, optional
        ``P0``, ``P1``, ``P2`` (default) or ``all``.
    candidates : array_like, optional
        Runs per setting to try (positive integers).
    trials : int, optional
        Virtual experiments per size (default 200).
    seed : int or numpy.random.Generator, optional
        Seed (the same seed gives the same plan).
    rel_tol : float, optional
        Relative width of the final bracket (default 0.1).
    max_runs : int, optional
        Largest runs per setting considered.

    Returns
    -------
    Plan
        ``runs_per_setting`` (None if no size reached the goal), ``total_runs``, the sizes
        tried with their simulated ``power``, the Asimov estimate and the Fisher information
        about F per run at each setting.

    Raises
    ------
    spinpair.errors.InputError
        For a probability outside (0, 1), or non-positive trials or sizes.

    Examples
    --------
    >>> from spinpair import Params, plan_runs
    >>> from spinpair.paper import preset_path
    >>> p = Params.from_toml(preset_path("paper-like"))
    >>> plan = plan_runs(p, "tau_s", [1.6e-6], fidelity=0.9, trials=50, seed=0)
    >>> plan.runs_per_setting
    1360
    """
    check_range("sigma", sigma, 0.0, None, lo_open=True)
    check_range("probability", probability, 0.0, 1.0, lo_open=True, hi_open=True)
    check_range("fidelity", fidelity, 0.0, 1.0)
    check_range("rel_tol", rel_tol, 0.0, 1.0, lo_open=True)
    trials = size("trials", trials, 1, MAX_TRIALS)
    max_runs = size("max_runs", max_runs, 1, MAX_COUNT)
    curve = normalise_curve(curve)
    instance("model", model, (FidelityModel, Params), "a FidelityModel or Params")
    x = real_values("setting", setting, ndim=1)
    if isinstance(model, Params):
        model = FidelityModel.from_params(model, setting_name, setting)
    rng = as_generator(seed)
    probs = model.probs(fidelity)
    if probs.shape[0] != x.size:
        raise InputError("setting", x.size, f"{probs.shape[0]} settings, as in the model")
    z1 = asimov_sigma_per_run(model, fidelity, curve)
    asimov = ((sigma + special.ndtri(probability)) / z1) ** 2 if z1 > 0 else None

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
            cand = real_values("candidates", candidates, Interval(1.0, MAX_COUNT))
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
        information_per_run=tuple(
            float(v) for v in fidelity_fisher_information(model, fidelity, curve)
        ),
    )


__all__ = [
    "Plan",
    "asimov_sigma_per_run",
    "fidelity_fisher_information",
    "plan_runs",
    "rejection_sigma_batch",
    "rejection_sigma_grid",
]
