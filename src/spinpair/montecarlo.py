"""Virtual experiment: seeded multinomial runs from the sequence model, and a planner.

Example
-------
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> p = Params.from_toml(preset_path("paper-like"))
>>> d = simulate_counts(p, tau_s=[0.0, 1.6e-6], runs=200, seed=1)
>>> int(d.runs.sum()), d.setting_name
(400, 'tau_s')
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .analysis.data import CountData
from .analysis.fits import FidelityModel, _nll
from .errors import InputError, check_range
from .params import Params


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if int(seed) != seed or seed < 0:
        raise InputError("seed", seed, "a non-negative integer")
    return np.random.default_rng(int(seed))


def sample_counts(
    probs: NDArray[np.float64],
    setting_name: str,
    setting: ArrayLike,
    runs: int | ArrayLike,
    seed: int | np.random.Generator,
) -> CountData:
    """Multinomial draws of (n0, n1, n2) per row from probabilities (rows, 3)."""
    rng = _rng(seed)
    p = np.clip(np.asarray(probs, dtype=float), 0, 1)
    p = p / p.sum(axis=1, keepdims=True)
    n = np.broadcast_to(np.asarray(runs), (p.shape[0],))
    if np.any(n <= 0) or np.any(n != np.round(n)):
        raise InputError("runs", int(np.min(n)), "a positive integer")
    draws = np.array([rng.multinomial(int(k), row) for k, row in zip(n, p, strict=True)])
    return CountData(setting_name, np.asarray(setting, dtype=float), n, *draws.T)


def simulate_counts(
    params: Params,
    *,
    tau_s: ArrayLike | None = None,
    area: ArrayLike | None = None,
    runs: int = 200,
    seed: int | np.random.Generator = 0,
    fidelity: float | None = None,
    destroy: bool = False,
) -> CountData:
    """Seeded virtual data from the measurement sequence of ``params``.

    ``fidelity`` (F = (1 + c)/2) overrides the chi1 coherence; by default the parameter
    file's own collision step decides."""
    from .sequence import Sequence

    if (tau_s is None) == (area is None):
        raise InputError("setting", None, "exactly one of tau_s or area")
    name, setting = ("tau_s", tau_s) if tau_s is not None else ("area", area)
    c = None if fidelity is None else 2 * check_range("fidelity", fidelity, 0.0, 1.0) - 1
    r = Sequence.from_params(params, destroy=destroy, chi1_coherence=c).run(**{name: setting})
    probs = np.stack([r.P0, r.P1, r.P2], axis=1)
    return sample_counts(probs, name, r.setting, runs, seed)


@dataclass(frozen=True)
class Plan:
    """Outcome of :func:`plan_runs`: the smallest runs per setting that reach the goal,
    and the power (probability to reject F ≤ ½ at ``sigma``) of every candidate."""

    runs_per_setting: int | None
    total_runs: int | None
    candidates: NDArray[np.int64]
    power: NDArray[np.float64]
    sigma: float
    probability: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "runs_per_setting": self.runs_per_setting,
            "total_runs": self.total_runs,
            "candidates": self.candidates.tolist(),
            "power": self.power.tolist(),
            "sigma": self.sigma,
            "probability": self.probability,
        }


def rejection_sigma_grid(
    data: CountData, model: FidelityModel, curve: str = "P2", points: int = 401
) -> float:
    """Fast Z for rejecting F ≤ ½: likelihood on a grid of F (used by the planner)."""
    F = np.linspace(0.5, 1.0, points)
    nll = np.array([_nll(data, p, curve) for p in model.probs(F)])
    return float(np.sqrt(max(0.0, 2 * (nll[0] - nll.min()))))


def plan_runs(
    model: FidelityModel,
    setting_name: str,
    setting: ArrayLike,
    *,
    fidelity: float = 1.0,
    sigma: float = 3.0,
    probability: float = 0.9,
    curve: str = "P2",
    candidates: ArrayLike = (25, 50, 100, 200, 400, 800, 1600, 3200),
    trials: int = 200,
    seed: int | np.random.Generator = 0,
) -> Plan:
    """How many runs per setting reject F ≤ ½ at ``sigma`` with ``probability``, when the
    truth is ``fidelity``: simulate ``trials`` experiments per candidate and count."""
    check_range("sigma", sigma, 0.0, None, lo_open=True)
    check_range("probability", probability, 0.0, 1.0, lo_open=True, hi_open=True)
    rng = _rng(seed)
    cand = np.asarray(candidates, dtype=np.int64)
    if cand.ndim != 1 or cand.size == 0 or np.any(cand <= 0):
        raise InputError("candidates", cand.tolist(), "positive run numbers")
    probs = model.probs(check_range("fidelity", fidelity, 0.0, 1.0))
    x = np.asarray(setting, dtype=float)
    power = []
    bar = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=cand.size * trials, desc="planning", unit="exp", file=sys.stderr)
    for n in cand:
        hits = 0
        for _ in range(trials):
            d = sample_counts(probs, setting_name, x, int(n), rng)
            hits += rejection_sigma_grid(d, model, curve) >= sigma
        if bar:
            bar.update(trials)
        power.append(hits / trials)
    if bar:
        bar.close()
    power_arr = np.array(power)
    ok = np.nonzero(power_arr >= probability)[0]
    best = int(cand[ok[0]]) if ok.size else None
    return Plan(best, None if best is None else best * x.size, cand, power_arr, sigma, probability)


__all__ = ["Plan", "plan_runs", "rejection_sigma_grid", "sample_counts", "simulate_counts"]
