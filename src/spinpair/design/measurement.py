"""Design the fidelity measurement (Fig. 2b / S4): which pulse lengths τ, how many shots each.

The counts at pulse length τ follow P_k(τ; F) = P_k(τ; ½) + (2F − 1)[P_k(τ; 1) − P_k(τ; ½)]
(:class:`spinpair.analysis.model.FidelityModel`), so the Fisher information about F per
run at τ is Σ_k (∂P_k/∂F)²/P_k over the outcomes the fit uses (the 2-atom curve ``P2``,
binomial, as the paper; or ``all``). Imperfections named as nuisances (Gaussian priors,
the ``fit --nuisance`` syntax) add rows and columns to the Fisher matrix (derivatives by
central differences through the full sequence), and F's variance is the profiled one,
[(Σ n_i M_i + P)⁻¹]_FF. The design minimises it for a total number of shots
(:mod:`spinpair.design.allocation`).

Without nuisances the answer is one point: every shot at the τ where a run says most about F
(the model is then assumed exact). With nuisances the design spreads over the τ that pin
them. The comparison is the uniform grid (default 11 points over the τ range of Fig. 2b,
[0, 1/(2Ω)], a setting: the paper does not list its τ points); ``shots_ratio`` is the
factor more shots the uniform grid needs for the same expected interval width. It is
checked by seeded virtual experiments (``toys``): counts drawn at both designs and fitted
for F (the exact Δ NLL = ½ interval, F in [0, 1]); the toys refit F only, so they check
the design without nuisances.

Examples
--------
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> p = Params.from_toml(preset_path("paper-like"))
>>> d = design_fidelity_scan(p, 2000, toys=0)
>>> d.shots.sum(), bool(d.shots_ratio > 1)
(np.int64(2000), True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..analysis.data import CountData
from ..analysis.model import EPS, FidelityModel, Nuisance, as_nuisances, check_curve, params_with
from ..errors import InputError
from ..params import Params
from .allocation import c_optimal_weights, fisher_per_run, greedy_increment, round_allocation
from .allocation import variance as design_variance

#: Points of the default candidate grid and of the uniform comparison grid.
CANDIDATE_POINTS = 41
UNIFORM_POINTS = 11
#: Relative step of the nuisance derivatives (of the nuisance's distance to its bounds).
NUISANCE_STEP = 1e-3
#: z for a two-sided 68.27 % interval: the expected width is 2 z √V.
Z68 = 1.0


def default_tau_s(params: Params, points: int) -> NDArray[np.float64]:
    """``points`` pulse lengths over the τ range of Fig. 2b, [0, 1/(2Ω)] (s)."""
    return np.linspace(0.0, 0.5 / params.raman.rabi_frequency_hz, int(points))


def _outcomes(probs: NDArray, k: int | None) -> NDArray:
    """(rows, m) probabilities of the outcomes the curve uses."""
    if k is None:
        return probs
    return np.stack([probs[..., k], 1.0 - probs[..., k]], axis=-1)


def fidelity_information(
    params: Params,
    tau_s: ArrayLike,
    fidelity: float,
    curve: str = "P2",
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    *,
    destroy: bool = False,
) -> tuple[NDArray, NDArray, FidelityModel]:
    """Fisher matrices per run (rows, q, q) at each τ (parameter 0: F; then the
    nuisances), the prior information diag(1/σ²) (q,), and the FidelityModel at τ."""
    k = check_curve(curve)
    tau = np.asarray(tau_s, dtype=float)
    model = FidelityModel.from_params(params, "tau_s", tau, destroy=destroy)
    p = _outcomes(model.probs(fidelity), k)
    jac = [_outcomes(2.0 * (model.p_entangled - model.p_unentangled), k)]
    if k is not None:
        jac[0][..., 1] = -jac[0][..., 0]
    prior = [0.0]
    for nu in as_nuisances(nuisance):
        if not nu.gaussian:
            raise InputError(f"nuisance {nu.name}", "flat", "a Gaussian prior (KEY=MEAN,SIGMA)")
        lo, hi = nu.bounds
        x0 = float(nu.mean)  # type: ignore[arg-type]
        h = NUISANCE_STEP * max(hi - lo, 1e-6)
        a, b = max(lo, x0 - h), min(hi, x0 + h)
        pa = FidelityModel.from_params(
            params_with(params, {nu.name: a}), "tau_s", tau, destroy=destroy
        )
        pb = FidelityModel.from_params(
            params_with(params, {nu.name: b}), "tau_s", tau, destroy=destroy
        )
        d = (_outcomes(pb.probs(fidelity), k) - _outcomes(pa.probs(fidelity), k)) / (b - a)
        jac.append(d)
        prior.append(1.0 / float(nu.sigma) ** 2)  # type: ignore[arg-type]
    J = np.stack(jac, axis=-1)
    return fisher_per_run(p, J), np.array(prior), model


# ---------------------------------------------------------------------- toys


def _curve_ab(model: FidelityModel, k: int | None) -> tuple[NDArray, NDArray]:
    """p(F) = a + b F for the outcomes the curve uses (rows, m)."""
    d = model.p_entangled - model.p_unentangled
    a, b = model.p_unentangled - d, 2.0 * d
    if k is None:
        return a, b
    return np.stack([a[:, k], 1 - a[:, k]], axis=1), np.stack([b[:, k], -b[:, k]], axis=1)


def fit_fidelity_batch(
    counts: NDArray, model: FidelityModel, curve: str = "P2", iterations: int = 60
) -> tuple[NDArray, NDArray, NDArray]:
    """Best F in [0, 1] and the 68 % interval (Δ NLL = ½) for a batch of datasets
    (T, rows, 3) at the model's settings, F only: the NLL is convex in F (p linear in F),
    so every root is found by vectorised bisection. Returns (best, lower, upper)."""
    k = check_curve(curve)
    a, b = _curve_ab(model, k)
    c = np.asarray(counts, dtype=float)
    n = c if k is None else np.stack([c[..., k], c.sum(axis=-1) - c[..., k]], axis=-1)
    if n.ndim == 2:
        n = n[None]

    def p(F: NDArray) -> NDArray:
        return np.clip(a + b * F[:, None, None], EPS, 1 - EPS)

    def nll(F: NDArray) -> NDArray:
        return -np.sum(n * np.log(p(F)), axis=(1, 2))

    def grad(F: NDArray) -> NDArray:
        return -np.sum(n * b / p(F), axis=(1, 2))

    T = n.shape[0]
    lo, hi = np.zeros(T), np.ones(T)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        up = grad(mid) > 0
        hi, lo = np.where(up, mid, hi), np.where(up, lo, mid)
    best = np.where(grad(np.zeros(T)) >= 0, 0.0, np.where(grad(np.ones(T)) <= 0, 1.0, lo))
    level = nll(best) + 0.5

    def root(edge: float) -> NDArray:
        e = np.full(T, edge)
        inside = nll(e) <= level  # the interval reaches the edge
        x, y = e.copy(), best.copy()  # nll(x) > level >= nll(y)
        for _ in range(iterations):
            mid = 0.5 * (x + y)
            above = nll(mid) > level
            x, y = np.where(above, mid, x), np.where(above, y, mid)
        return np.where(inside, edge, y)

    return best, root(0.0), root(1.0)


def toy_widths(
    model: FidelityModel,
    runs: ArrayLike,
    fidelity: float,
    curve: str,
    trials: int,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """68 % interval widths of ``trials`` virtual experiments with ``runs`` per setting."""
    r = np.asarray(runs, dtype=np.int64)
    keep = r > 0
    sub = FidelityModel(model.p_unentangled[keep], model.p_entangled[keep])
    probs = sub.probs(fidelity)
    probs = probs / probs.sum(axis=1, keepdims=True)
    counts = rng.multinomial(r[keep], np.broadcast_to(probs, (int(trials), *probs.shape)))
    _, lo, hi = fit_fidelity_batch(counts, sub, curve)
    return hi - lo


# ---------------------------------------------------------------------- design


@dataclass(frozen=True)
class FidelityDesign:
    """Result of :func:`design_fidelity_scan` (``as_dict``: the ``plan --design`` keys of
    ``docs/cli.md``: ``tau_s``, ``shots``, ``expected_interval_width``,
    ``uniform_interval_width``, ``shots_ratio``)."""

    curve: str
    fidelity: float
    total_shots: int
    nuisances: tuple[str, ...]
    candidates_tau_s: NDArray[np.float64]
    information_per_run: NDArray[np.float64]
    tau_s: NDArray[np.float64]
    shots: NDArray[np.int64]
    expected_interval_width: float
    uniform_tau_s: NDArray[np.float64]
    uniform_shots: NDArray[np.int64]
    uniform_interval_width: float
    shots_ratio: float
    efficiency_gap: float
    toys: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        return {
            "tau_s": self.tau_s.tolist(),
            "shots": [int(x) for x in self.shots],
            "expected_interval_width": num(self.expected_interval_width),
            "uniform_interval_width": num(self.uniform_interval_width),
            "shots_ratio": num(self.shots_ratio),
            "uniform_tau_s": self.uniform_tau_s.tolist(),
            "uniform_shots": [int(x) for x in self.uniform_shots],
            "total_shots": int(self.total_shots),
            "fidelity": self.fidelity,
            "curve": self.curve,
            "nuisances": list(self.nuisances),
            "candidates_tau_s": self.candidates_tau_s.tolist(),
            "information_per_run": [num(x) for x in self.information_per_run],
            "efficiency_gap": num(self.efficiency_gap),
            "interval": "68 % (expected width 2 sqrt(V), V the profiled variance of F)",
            "toys": self.toys,
            "notes": list(self.notes),
        }


def _check_shots(shots: int) -> int:
    if isinstance(shots, bool) or int(shots) != shots or not 1 <= shots <= 10**9:
        raise InputError("shots", shots, "an integer in [1, 1e9]")
    return int(shots)


def _check_tau(name: str, tau: ArrayLike) -> NDArray[np.float64]:
    t = np.atleast_1d(np.asarray(tau, dtype=float))
    if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t < 0):
        raise InputError(name, t.tolist(), "one or more finite pulse lengths >= 0 s")
    return t


def _ratio_for_same_width(
    M_u: NDArray, runs_u: NDArray, prior: NDArray, target_var: float
) -> float:
    """Factor s such that s × ``runs_u`` reaches variance ``target_var``."""

    def var(s: float) -> float:
        return design_variance(s * runs_u, M_u, prior)

    if not math.isfinite(target_var):
        return float("nan")
    lo, hi = 1e-6, 1.0
    while var(hi) > target_var and hi < 1e9:
        hi *= 2.0
    if var(hi) > target_var:
        return float("inf")
    for _ in range(80):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if var(mid) > target_var else (lo, mid)
    return hi


def design_fidelity_scan(
    params: Params,
    shots: int,
    *,
    fidelity: float | None = None,
    curve: str = "P2",
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    candidates_tau_s: ArrayLike | None = None,
    uniform_tau_s: ArrayLike | None = None,
    toys: int = 200,
    seed: int = 0,
    destroy: bool = False,
) -> FidelityDesign:
    """The τ points and shots per point that minimise the expected 68 % interval width of
    the fidelity for ``shots`` runs in all, compared with a uniform grid.

    ``fidelity``: the assumed true F (default (1 + c)/2 from ``collisions.chi1_coherence``);
    ``candidates_tau_s`` (s): where shots may go (default 41 points over [0, 1/(2Ω)]);
    ``uniform_tau_s``: the comparison grid (default 11 points over the same range);
    ``toys``: seeded virtual experiments per design to check the ratio (0: none).
    """
    n = _check_shots(shots)
    F = 0.5 * (1 + params.collisions.chi1_coherence) if fidelity is None else float(fidelity)
    if not 0.0 <= F <= 1.0:
        raise InputError("fidelity", F, "[0, 1]")
    cand = _check_tau(
        "candidates_tau_s",
        default_tau_s(params, CANDIDATE_POINTS) if candidates_tau_s is None else candidates_tau_s,
    )
    uni = _check_tau(
        "uniform_tau_s",
        default_tau_s(params, UNIFORM_POINTS) if uniform_tau_s is None else uniform_tau_s,
    )
    if int(toys) != toys or not 0 <= toys <= 100_000:
        raise InputError("toys", toys, "an integer in [0, 100000]")
    M, prior, model = fidelity_information(params, cand, F, curve, nuisance, destroy=destroy)
    info = M[:, 0, 0]
    if not np.any(info > 0):
        raise InputError(
            "candidates_tau_s", cand.tolist(), "pulse lengths where the counts depend on F"
        )
    alloc = c_optimal_weights(M, n, prior)
    runs = round_allocation(alloc.weights, n)
    keep = runs > 0
    var_d = design_variance(runs, M, prior)
    M_u, _, model_u = fidelity_information(params, uni, F, curve, nuisance, destroy=destroy)
    runs_u = round_allocation(np.ones(uni.size), n)
    var_u = design_variance(runs_u, M_u, prior)
    ratio = _ratio_for_same_width(M_u, runs_u.astype(float), prior, var_d)
    notes = [
        "the design assumes the model of the parameter file (Rabi frequency, imperfections); "
        "nuisances named with --nuisance are profiled with their Gaussian priors",
        "uniform grid: the comparison is a setting (the paper does not list its tau points)",
    ]
    if keep.sum() == 1:
        notes.append(
            "every shot goes to one tau: without nuisances a run there says most about F; "
            "name the imperfections you do not trust as nuisances to spread the design"
        )
    toy_out = None
    if toys:
        rng = np.random.default_rng(seed)
        wd = toy_widths(model, runs, F, curve, toys, rng)
        wu = toy_widths(model_u, runs_u, F, curve, toys, rng)
        toy_out = {
            "trials": int(toys),
            "seed": int(seed),
            "designed_width_mean": float(np.mean(wd)),
            "uniform_width_mean": float(np.mean(wu)),
            "shots_ratio": float((np.mean(wu) / np.mean(wd)) ** 2),
            "refits": "F only (no nuisance refitted)",
        }
    return FidelityDesign(
        curve=curve,
        fidelity=F,
        total_shots=n,
        nuisances=tuple(nu.name for nu in as_nuisances(nuisance)),
        candidates_tau_s=cand,
        information_per_run=info,
        tau_s=cand[keep],
        shots=runs[keep],
        expected_interval_width=2 * Z68 * math.sqrt(var_d),
        uniform_tau_s=uni,
        uniform_shots=runs_u,
        uniform_interval_width=2 * Z68 * math.sqrt(var_u),
        shots_ratio=ratio,
        efficiency_gap=alloc.efficiency_gap,
        toys=toy_out,
        notes=notes,
    )


# ---------------------------------------------------------------------- sequential


@dataclass(frozen=True)
class NextShots:
    """Where the next ``shots`` should go, given the counts so far."""

    tau_s: NDArray[np.float64]
    shots: NDArray[np.int64]
    fidelity: float
    interval_68: tuple[float, float]
    expected_width_after: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "tau_s": self.tau_s.tolist(),
            "shots": [int(x) for x in self.shots],
            "fidelity": self.fidelity,
            "interval_68": list(self.interval_68),
            "width_now": self.interval_68[1] - self.interval_68[0],
            "expected_width_after": self.expected_width_after,
        }


def next_shots(
    data: CountData,
    params: Params,
    shots: int,
    *,
    curve: str = "P2",
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    candidates_tau_s: ArrayLike | None = None,
    chunks: int = 20,
) -> NextShots:
    """Sequential design: fit F to ``data`` (counts versus ``tau_s`` so far), then place
    ``shots`` more runs, in ``chunks`` equal parts, each where it lowers the expected
    variance of F most (Fisher information at the current estimate, plus what the data
    already hold)."""
    n = _check_shots(shots)
    if data.setting_name != "tau_s":
        raise InputError("data", data.setting_name, "a tau_s column (pulse lengths in s)")
    cand = _check_tau(
        "candidates_tau_s",
        default_tau_s(params, CANDIDATE_POINTS) if candidates_tau_s is None else candidates_tau_s,
    )
    model_d = FidelityModel.from_params(params, "tau_s", data.setting)
    best, lo, hi = fit_fidelity_batch(data.counts[None], model_d, curve)
    F = float(best[0])
    M_d, prior, _ = fidelity_information(params, data.setting, F, curve, nuisance)
    existing = np.einsum("i,iqr->qr", data.runs.astype(float), M_d) + np.diag(prior)
    M, _, _ = fidelity_information(params, cand, F, curve, nuisance)
    add = greedy_increment(existing, M, n, chunks=chunks)
    keep = add > 0
    A = existing + np.einsum("i,iqr->qr", add.astype(float), M)
    try:
        var = float(np.linalg.solve(A, np.eye(A.shape[0])[:, 0])[0])
    except np.linalg.LinAlgError:
        var = float("inf")
    return NextShots(
        tau_s=cand[keep],
        shots=add[keep],
        fidelity=F,
        interval_68=(float(lo[0]), float(hi[0])),
        expected_width_after=2 * Z68 * math.sqrt(var) if var > 0 else float("inf"),
    )


__all__ = [
    "FidelityDesign",
    "NextShots",
    "default_tau_s",
    "design_fidelity_scan",
    "fidelity_information",
    "fit_fidelity_batch",
    "next_shots",
    "toy_widths",
]
