"""Goodness of fit and the entanglement fidelity from count data (PHYSICS.md §5; paper
Table S1, Fig. S4).

The sequence model is linear in the chi1 coherence c, and the fidelity of the chi1 part
with chi1 is F = (1 + c)/2, so for any parameter set

    P_k(setting; F) = P_k(setting; c = 0) + (2F − 1) [P_k(setting; c = 1) − P_k(setting; c = 0)]

(:class:`FidelityModel`; two sequence runs give every F). On top of it:

* :func:`chi2_table` — χ² of the entangled (F = 1) and unentangled (F = ½) models per
  curve (0, 1, 2 atoms; binomial variances N p (1 − p)) and for all curves together
  (multinomial Pearson χ² Σ (n − Np)²/(Np)); dof = number of points (nothing fitted),
  and the p-value (the Table S1 analogue).
* :func:`fidelity_scan` — χ²(F) on a grid (the paper scans the 2-atom curve, which the
  inelastic pair loss does not touch): best F, the 68 % interval (Δχ² = 1), the one-sided
  95 % lower bound (Δχ² = 2.71) — Fig. S4.
* :func:`fidelity_likelihood` — the binomial (one curve) or multinomial (all curves)
  likelihood maximised with iminuit, 68 % MINOS profile interval, the one-sided 95 % lower
  bound (MINOS at 90 % two-sided), optional nuisance parameters (imperfections with
  Gaussian constraints), and the significance with which F ≤ ½ is rejected,
  Z = √(2 [NLL(F = ½, profiled) − NLL_min]) (0 when the best F ≤ ½).

F is bounded to [0, 1]; when the best F sits on the boundary F = 1 the upper end of the
interval is 1 and MINOS reports only the lower side, which is what a physicist quotes.

Example
-------
>>> from spinpair.analysis.data import CountData
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> p = Params.from_toml(preset_path("paper-like"))
>>> m = FidelityModel.from_params(p, "area", [0.0, 1.5707963])
>>> bool(np.allclose(m.probs(0.5), m.p_unentangled))
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from ..errors import InputError
from ..params import Params
from .data import CountData

CURVES = {"P0": 0, "P1": 1, "P2": 2, "all": None}
ONE_SIDED_95 = stats.norm.ppf(0.95) ** 2  # Δχ² = 2.706
EPS = 1e-12


def _curve(curve: str) -> int | None:
    if curve not in CURVES:
        raise InputError("curve", curve, f"one of {list(CURVES)} (P2: the 2-atom curve)")
    return CURVES[curve]


@dataclass(frozen=True)
class FidelityModel:
    """Model count probabilities (rows, 3) for c = 0 and c = 1 at the data's settings."""

    p_unentangled: NDArray[np.float64]
    p_entangled: NDArray[np.float64]

    def probs(self, fidelity: ArrayLike) -> NDArray[np.float64]:
        """P_k at fidelity F (scalar → (rows, 3); array (m,) → (m, rows, 3))."""
        F = np.asarray(fidelity, dtype=float)
        c = 2 * F - 1
        d = self.p_entangled - self.p_unentangled
        out = self.p_unentangled + c[..., None, None] * d if F.ndim else self.p_unentangled + c * d
        return np.clip(out, EPS, 1 - EPS)

    @classmethod
    def from_params(
        cls, params: Params, setting_name: str, setting: ArrayLike, *, destroy: bool = False
    ) -> FidelityModel:
        """Run the measurement sequence of ``params`` at c = 0 and c = 1."""
        from ..sequence import Sequence

        if setting_name not in ("tau_s", "area"):
            raise InputError("setting", setting_name, "tau_s or area for a Raman-scan fit")
        out = []
        for c in (0.0, 1.0):
            seq = Sequence.from_params(params, destroy=destroy, chi1_coherence=c)
            r = seq.run(**{setting_name: setting})
            out.append(np.stack([r.P0, r.P1, r.P2], axis=1))
        return cls(out[0], out[1])


# ----------------------------------------------------------------------------- χ²


def chi2_value(data: CountData, probs: NDArray, curve: str) -> float:
    """χ² of one curve (binomial variance) or of all curves (multinomial Pearson)."""
    k = _curve(curve)
    n, N = data.counts.astype(float), data.runs[:, None].astype(float)
    p = np.clip(probs, EPS, 1 - EPS)
    if k is None:
        return float(np.sum((n - N * p) ** 2 / (N * p)))
    return float(np.sum((n[:, k] - N[:, 0] * p[:, k]) ** 2 / (N[:, 0] * p[:, k] * (1 - p[:, k]))))


def chi2_dof(data: CountData, curve: str, fitted: int = 0) -> int:
    """Degrees of freedom: points per curve (2 per row for all three curves) − fitted."""
    return data.setting.size * (2 if _curve(curve) is None else 1) - fitted


def chi2_table(data: CountData, model: FidelityModel) -> dict[str, dict[str, dict[str, float]]]:
    """Table S1 analogue: χ², dof, p-value per curve and for all curves, for the entangled
    (F = 1) and unentangled (F = ½) models (nothing fitted)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, F in (("entangled", 1.0), ("unentangled", 0.5)):
        p = model.probs(F)
        out[name] = {}
        for curve in CURVES:
            chi2 = chi2_value(data, p, curve)
            dof = chi2_dof(data, curve)
            out[name][curve] = {
                "chi2": chi2,
                "dof": dof,
                "p_value": float(stats.chi2.sf(chi2, dof)),
            }
    return out


@dataclass(frozen=True)
class FidelityScan:
    """χ²(F) on a grid and what follows from it (Fig. S4)."""

    curve: str
    fidelity: NDArray[np.float64]
    chi2: NDArray[np.float64]
    best: float
    chi2_min: float
    interval_68: tuple[float, float]
    lower_95: float
    dof: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (with the grid)."""
        return {
            "curve": self.curve,
            "best": self.best,
            "chi2_min": self.chi2_min,
            "dof": self.dof,
            "interval_68": list(self.interval_68),
            "lower_95": self.lower_95,
            "fidelity": self.fidelity.tolist(),
            "chi2": self.chi2.tolist(),
        }


def _crossing(F: NDArray, y: NDArray, level: float, i0: int, direction: int) -> float:
    """First F from index i0 in ``direction`` where y rises above ``level`` (interpolated);
    the grid end when it never does."""
    i = i0
    while 0 <= i + direction < F.size:
        j = i + direction
        if y[j] > level:
            return float(F[i] + (level - y[i]) * (F[j] - F[i]) / (y[j] - y[i]))
        i = j
    return float(F[i])


def fidelity_scan(
    data: CountData, model: FidelityModel, curve: str = "P2", points: int = 1001
) -> FidelityScan:
    """χ²(F) over F ∈ [0, 1]; best F refined by bounded minimisation."""
    _curve(curve)
    if points < 11:
        raise InputError("points", points, ">= 11")
    F = np.linspace(0.0, 1.0, int(points))
    chi2 = np.array([chi2_value(data, p, curve) for p in model.probs(F)])
    i = int(np.argmin(chi2))
    lo_b, hi_b = F[max(i - 1, 0)], F[min(i + 1, F.size - 1)]
    res = optimize.minimize_scalar(
        lambda x: chi2_value(data, model.probs(x), curve), bounds=(lo_b, hi_b), method="bounded"
    )
    best, cmin = (float(res.x), float(res.fun)) if res.fun <= chi2[i] else (float(F[i]), chi2[i])
    j = int(np.argmin(np.abs(F - best)))
    lo = _crossing(F, chi2, cmin + 1.0, j, -1)
    hi = _crossing(F, chi2, cmin + 1.0, j, +1)
    low95 = _crossing(F, chi2, cmin + ONE_SIDED_95, j, -1)
    return FidelityScan(
        curve, F, chi2, best, float(cmin), (lo, hi), low95, chi2_dof(data, curve, fitted=1)
    )


# ----------------------------------------------------------------------------- likelihood


def _nll(data: CountData, probs: NDArray, curve: str) -> float:
    k = _curve(curve)
    n, N = data.counts.astype(float), data.runs.astype(float)
    if k is None:
        return float(-np.sum(n * np.log(probs)))
    p = probs[:, k]
    return float(-np.sum(n[:, k] * np.log(p) + (N - n[:, k]) * np.log1p(-p)))


@dataclass(frozen=True)
class FidelityFit:
    """Maximum-likelihood fidelity with MINOS intervals and the F ≤ ½ rejection."""

    curve: str
    best: float
    interval_68: tuple[float, float]
    lower_95: float
    unentangled_rejection_sigma: float
    nll_min: float
    valid: bool
    nuisance: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "curve": self.curve,
            "best": self.best,
            "interval_68": list(self.interval_68),
            "lower_95": self.lower_95,
            "unentangled_rejection_sigma": self.unentangled_rejection_sigma,
            "nll_min": self.nll_min,
            "valid": self.valid,
            "nuisance": self.nuisance,
        }


def model_factory(
    params: Params, data: CountData, *, destroy: bool = False
) -> Callable[[Mapping[str, float]], FidelityModel]:
    """``values → FidelityModel`` with imperfection keys replaced (for nuisance fits)."""
    cache: dict[tuple, FidelityModel] = {}

    def build(values: Mapping[str, float]) -> FidelityModel:
        key = tuple(sorted((k, round(float(v), 12)) for k, v in values.items()))
        if key not in cache:
            imp = dataclasses.replace(params.imperfections, **dict(values))
            p = dataclasses.replace(params, imperfections=imp)
            cache[key] = FidelityModel.from_params(
                p, data.setting_name, data.setting, destroy=destroy
            )
        return cache[key]

    return build


def fidelity_likelihood(
    data: CountData,
    model: FidelityModel,
    curve: str = "P2",
    *,
    nuisance: Mapping[str, tuple[float, float]] | None = None,
    factory: Callable[[Mapping[str, float]], FidelityModel] | None = None,
) -> FidelityFit:
    """Fit F by maximum likelihood (iminuit); ``nuisance`` maps imperfection keys to
    (mean, σ) Gaussian constraints and needs ``factory`` (:func:`model_factory`)."""
    from iminuit import Minuit

    _curve(curve)
    names = ["fidelity"]
    constraints = dict(nuisance or {})
    if constraints and factory is None:
        raise InputError("nuisance", list(constraints), "a model factory (model_factory)")
    names += list(constraints)

    def nll(*x: float) -> float:
        m = model if not constraints else factory(dict(zip(names[1:], x[1:], strict=True)))
        pen = sum(
            0.5 * ((v - mu) / s) ** 2
            for v, (mu, s) in zip(x[1:], constraints.values(), strict=True)
        )
        return _nll(data, m.probs(x[0]), curve) + pen

    # start from the best grid point (the likelihood is smooth and unimodal in F)
    grid = np.linspace(0, 1, 201)
    base = model if not constraints else factory({k: v[0] for k, v in constraints.items()})
    f0 = float(grid[np.argmin([_nll(data, base.probs(f), curve) for f in grid])])
    start = [min(max(f0, 0.02), 0.98)] + [v[0] for v in constraints.values()]
    m = Minuit(nll, *start, name=names)
    m.errordef = Minuit.LIKELIHOOD
    m.limits["fidelity"] = (0.0, 1.0)
    for k, (mu, s) in constraints.items():
        m.errors[k] = s
        m.limits[k] = (max(0.0, mu - 6 * s), min(1.0, mu + 6 * s))
    m.errors["fidelity"] = 0.05
    m.migrad()
    best = float(m.values["fidelity"])
    nll_min = float(m.fval)
    lo, hi = best - m.errors["fidelity"], best + m.errors["fidelity"]
    low95 = best - 1.645 * m.errors["fidelity"]
    try:
        m.minos("fidelity")
        me = m.merrors["fidelity"]
        lo, hi = best + me.lower, best + me.upper
        m.minos("fidelity", cl=0.90)
        low95 = best + m.merrors["fidelity"].lower
    except RuntimeError:
        pass
    # the F ≤ 1/2 hypothesis: profile at F = 1/2
    if best > 0.5:
        m0 = Minuit(nll, 0.5, *start[1:], name=names)
        m0.errordef = Minuit.LIKELIHOOD
        m0.fixed["fidelity"] = True
        for k, (mu, s) in constraints.items():
            m0.errors[k] = s
            m0.limits[k] = (max(0.0, mu - 6 * s), min(1.0, mu + 6 * s))
        if constraints:
            m0.migrad()
            nll_half = float(m0.fval)
        else:
            nll_half = nll(0.5)
        sigma = float(np.sqrt(max(0.0, 2 * (nll_half - nll_min))))
    else:
        sigma = 0.0
    return FidelityFit(
        curve=curve,
        best=best,
        interval_68=(float(max(0.0, lo)), float(min(1.0, hi))),
        lower_95=float(max(0.0, low95)),
        unentangled_rejection_sigma=sigma,
        nll_min=nll_min,
        valid=bool(m.valid),
        nuisance={k: float(m.values[k]) for k in constraints},
    )


__all__ = [
    "CURVES",
    "FidelityFit",
    "FidelityModel",
    "FidelityScan",
    "chi2_dof",
    "chi2_table",
    "chi2_value",
    "fidelity_likelihood",
    "fidelity_scan",
    "model_factory",
]
