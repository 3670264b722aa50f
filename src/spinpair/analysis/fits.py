"""Goodness of fit and the entanglement fidelity from count data (spec §5; paper
Table S1, Fig. S4).

The sequence model is linear in the chi1 coherence c, and the fidelity of the chi1 part
with chi1 is F = (1 + c)/2, so for any parameter set

    P_k(setting; F) = P_k(setting; c = 0) + (2F − 1) [P_k(setting; c = 1) − P_k(setting; c = 0)]

(:class:`FidelityModel`; two sequence runs give every F). On top of it:

* :func:`chi2_table` — χ² of the entangled (F = 1) and unentangled (F = ½) models per
  curve (0, 1, 2 atoms; binomial variances N p (1 − p)) and for all curves together
  (multinomial Pearson χ² Σ_k (n_k − N p_k)²/(N p_k), two independent curves per row);
  dof = points (nothing fitted) and the p-value — the Table S1 analogue.
* :func:`fidelity_scan` — χ²(F) on a grid of F ∈ [0, 1] for one curve (the paper scans the
  2-atom curve, which the inelastic pair loss does not touch) or all: best F, the 68 %
  interval (Δχ² = 1), the one-sided 95 % lower bound (Δχ² = 1.645² = 2.71) and
  √Δχ²(½) — Fig. S4.
* :func:`fidelity_likelihood` — the binomial (one curve) or multinomial (all curves)
  likelihood maximised with iminuit (``errordef = Minuit.LIKELIHOOD``), 68 % MINOS
  (profile-likelihood) interval, one-sided 95 % lower bound (the lower end of the 90 %
  two-sided MINOS interval), optional nuisance parameters (:class:`Nuisance`: any
  probability-valued imperfection, or the detection errors ``p_false_pos`` /
  ``p_false_neg``, with a Gaussian prior or a bounded flat range), and the significance
  with which F ≤ ½ is rejected,
  Z = √(2 [min NLL(F ≤ ½) − min NLL]) (nuisances profiled; 0 when the best F ≤ ½).

Boundaries. F is a fidelity and is bounded to [0, 1]; we never report an unphysical best
fit. When the maximum sits on the boundary (typically F = 1 for a perfectly entangled
pair), the 68 % interval is [F_lo, 1] with F_lo where ΔNLL = ½ (Δχ² = 1): this covers the
truth F = 1 whenever the unconstrained estimate would lie above 1 − σ, i.e. with
probability ≈ 84 % instead of 68 % (it over-covers, it never under-covers; see the
coverage tests). The one-sided lower bound and Z are unaffected by the upper boundary.

Nuisance models are exact and fast: every imperfection enters the pair model as a
per-atom channel (or one pair channel, or the detection matrix) that is linear in its
parameter, so P_k is a polynomial of degree ≤ 2 in each nuisance; :class:`NuisanceModel`
evaluates the sequence on a 3-point grid per nuisance, interpolates exactly, verifies the
interpolation at an independent point and falls back to direct (cached) evaluation if it
does not hold.

Examples
--------
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> p = Params.from_toml(preset_path("paper-like"))
>>> m = FidelityModel.from_params(p, "area", [0.0, 1.5707963])
>>> bool(np.allclose(m.probs(0.5), m.p_unentangled))
True
>>> from spinpair.montecarlo import sample_counts
>>> d = sample_counts(m.probs(1.0), "area", [0.0, 1.5707963], 5000, seed=1)
>>> fit = fidelity_likelihood(d, m)
>>> fit.interval_68[0] < 1.0 and fit.unentangled_rejection_sigma > 5
True
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from ..errors import InputError
from ..imperfections import PROBABILITY_FIELDS
from ..params import Params
from .data import CountData

optimize, stats = lazy_module("scipy.optimize"), lazy_module("scipy.stats")


CURVES = {"P0": 0, "P1": 1, "P2": 2, "all": None}
#: Δχ² (= 2 ΔNLL) of a one-sided 95 % bound: 1.645².
ONE_SIDED_95 = 2.705543454095413  # = scipy.stats.norm.ppf(0.95) ** 2 (no stats import)
EPS = 1e-12

#: Imperfection keys that may be nuisance parameters (all probabilities in [0, 1]).
NUISANCE_KEYS = (*PROBABILITY_FIELDS, "p_false_pos", "p_false_neg")


def _curve(curve: str) -> int | None:
    if curve not in CURVES:
        raise InputError("curve", curve, f"one of {list(CURVES)} (P2: the 2-atom curve)")
    return CURVES[curve]


def _f(x: float) -> float:
    """A JSON-safe float (no NaN or inf)."""
    x = float(x)
    return x if math.isfinite(x) else 0.0


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class FidelityModel:
    """Model count probabilities (rows, 3) for c = 0 (``p_unentangled``) and c = 1
    (``p_entangled``) at the data's settings; :meth:`probs` gives any F."""

    p_unentangled: NDArray[np.float64]
    p_entangled: NDArray[np.float64]

    def probs(self, fidelity: ArrayLike) -> NDArray[np.float64]:
        """P_k at fidelity F (scalar → (rows, 3); array (m,) → (m, rows, 3)), clipped to
        [1e-12, 1 − 1e-12] so that logarithms stay finite."""
        F = np.asarray(fidelity, dtype=float)
        c = 2 * F - 1
        d = self.p_entangled - self.p_unentangled
        out = self.p_unentangled + (c[..., None, None] * d if F.ndim else c * d)
        return np.clip(out, EPS, 1 - EPS)

    @classmethod
    def from_params(
        cls, params: Params, setting_name: str, setting: ArrayLike, *, destroy: bool = False
    ) -> FidelityModel:
        """Run the measurement sequence of ``params`` at c = 0 and c = 1 (``setting_name``
        ``tau_s``: durations in s; ``area``: Ωτ in rad)."""
        from ..sequence import Sequence as MeasurementSequence

        if setting_name not in ("tau_s", "area"):
            raise InputError("setting", setting_name, "tau_s or area for a Raman-scan fit")
        out = []
        for c in (0.0, 1.0):
            seq = MeasurementSequence.from_params(params, destroy=destroy, chi1_coherence=c)
            r = seq.run(**{setting_name: setting})
            out.append(np.stack([r.P0, r.P1, r.P2], axis=1))
        return cls(out[0], out[1])


# ----------------------------------------------------------------------------- χ²


@dataclass(frozen=True)
class Chi2Result:
    """χ², degrees of freedom and p-value (probability of a larger χ² if the model holds)."""

    chi2: float
    dof: int
    p_value: float

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready ``{"chi2", "dof", "p_value"}``."""
        return {"chi2": _f(self.chi2), "dof": int(self.dof), "p_value": _f(self.p_value)}


def chi2_value(data: CountData, probs: NDArray, curve: str) -> float:
    """χ² of one curve (binomial variance N p (1 − p)) or of all curves (multinomial
    Pearson Σ_k (n_k − N p_k)²/(N p_k)) for model probabilities ``probs`` (rows, 3)."""
    return float(_chi2_many(data, np.asarray(probs)[None], curve)[0])


def _chi2_many(data: CountData, probs: NDArray, curve: str) -> NDArray[np.float64]:
    """χ² for a stack of models (m, rows, 3) → (m,)."""
    k = _curve(curve)
    n = data.counts.astype(float)
    N = data.runs.astype(float)[:, None]
    p = np.clip(probs, EPS, 1 - EPS)
    if k is None:
        return np.sum((n - N * p) ** 2 / (N * p), axis=(-2, -1))
    pk = p[..., k]
    return np.sum((n[:, k] - N[:, 0] * pk) ** 2 / (N[:, 0] * pk * (1 - pk)), axis=-1)


def chi2_dof(data: CountData, curve: str, fitted: int = 0) -> int:
    """Degrees of freedom: points per curve (2 per row for all three curves, since
    n0 + n1 + n2 = runs) minus ``fitted`` parameters."""
    return len(data) * (2 if _curve(curve) is None else 1) - fitted


def chi2_test(data: CountData, probs: NDArray, curve: str, fitted: int = 0) -> Chi2Result:
    """χ² goodness of fit of model probabilities (rows, 3) on one curve or ``all``."""
    chi2 = chi2_value(data, probs, curve)
    dof = chi2_dof(data, curve, fitted)
    p = float(stats.chi2.sf(chi2, dof)) if dof > 0 else 1.0
    return Chi2Result(chi2, dof, p)


def chi2_table(data: CountData, model: FidelityModel) -> dict[str, dict[str, dict[str, float]]]:
    """Table S1 analogue: ``{"entangled" | "unentangled": {"P0" | "P1" | "P2" | "all":
    {"chi2", "dof", "p_value"}}}`` for F = 1 and F = ½ (nothing fitted)."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, F in (("entangled", 1.0), ("unentangled", 0.5)):
        p = model.probs(F)
        out[name] = {curve: chi2_test(data, p, curve).as_dict() for curve in CURVES}
    return out


# ----------------------------------------------------------------------------- χ² scan


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
    unentangled_rejection_sigma: float = 0.0

    @property
    def p_value(self) -> float:
        """Goodness of fit of the best F (χ²_min with dof = points − 1)."""
        return float(stats.chi2.sf(self.chi2_min, self.dof)) if self.dof > 0 else 1.0

    def as_dict(self, grid: bool = True) -> dict[str, Any]:
        """JSON-ready summary (with the grid unless ``grid=False``)."""
        d: dict[str, Any] = {
            "curve": self.curve,
            "best": _f(self.best),
            "chi2_min": _f(self.chi2_min),
            "dof": int(self.dof),
            "p_value": _f(self.p_value),
            "interval_68": [_f(x) for x in self.interval_68],
            "lower_95": _f(self.lower_95),
            "unentangled_rejection_sigma": _f(self.unentangled_rejection_sigma),
        }
        if grid:
            d["fidelity"] = [_f(x) for x in self.fidelity]
            d["chi2"] = [_f(x) for x in self.chi2]
        return d


def _crossing(
    fun: Callable[[float], float], F: NDArray, y: NDArray, level: float, i0: int, direction: int
) -> float:
    """First F from grid index ``i0`` in ``direction`` where ``fun`` rises through
    ``level`` (bracketed on the grid, refined by Brent's method); the grid end (0 or 1)
    when it never does."""
    i = i0
    while 0 <= i + direction < F.size:
        j = i + direction
        if y[j] > level:
            a, b = sorted((float(F[i]), float(F[j])))
            try:
                return float(optimize.brentq(lambda x: fun(x) - level, a, b, xtol=1e-10))
            except ValueError:  # not bracketed after the refined minimum: interpolate
                return float(F[i] + (level - y[i]) * (F[j] - F[i]) / (y[j] - y[i]))
        i = j
    return float(F[i])


def fidelity_scan(
    data: CountData, model: FidelityModel, curve: str = "P2", points: int = 1001
) -> FidelityScan:
    """χ²(F) over ``points`` values of F ∈ [0, 1] on ``curve`` (``P0``, ``P1``, ``P2`` or
    ``all``); the best F is refined by bounded minimisation and the Δχ² crossings by
    root finding."""
    _curve(curve)
    if int(points) != points or points < 11:
        raise InputError("points", points, "an integer >= 11")
    F = np.linspace(0.0, 1.0, int(points))
    chi2 = _chi2_many(data, model.probs(F), curve)

    def fun(x: float) -> float:
        return chi2_value(data, model.probs(x), curve)

    i = int(np.argmin(chi2))
    lo_b, hi_b = F[max(i - 1, 0)], F[min(i + 1, F.size - 1)]
    res = optimize.minimize_scalar(fun, bounds=(lo_b, hi_b), method="bounded")
    best, cmin = (float(res.x), float(res.fun)) if res.fun <= chi2[i] else (float(F[i]), chi2[i])
    j = int(np.argmin(np.abs(F - best)))
    lo = _crossing(fun, F, chi2, cmin + 1.0, j, -1)
    hi = _crossing(fun, F, chi2, cmin + 1.0, j, +1)
    low95 = _crossing(fun, F, chi2, cmin + ONE_SIDED_95, j, -1)
    lo, hi = min(lo, best), max(hi, best)
    sigma = math.sqrt(max(0.0, fun(0.5) - cmin)) if best > 0.5 else 0.0
    return FidelityScan(
        curve,
        F,
        chi2,
        best,
        float(cmin),
        (lo, hi),
        min(low95, lo),
        chi2_dof(data, curve, 1),
        sigma,
    )


# ----------------------------------------------------------------------------- nuisances


@dataclass(frozen=True)
class Nuisance:
    """A free imperfection in a likelihood fit.

    ``name``: one of :data:`NUISANCE_KEYS`. Either a Gaussian prior (``mean``, ``sigma``;
    the parameter is then confined to mean ± 5σ within its physical range) or a flat prior
    on [``lower``, ``upper``] (``mean`` and ``sigma`` None; the start value is the
    midpoint unless ``mean`` is given).

    Examples
    --------
    >>> Nuisance("p_loss", mean=0.02, sigma=0.01).bounds
    (0.0, 0.07)
    >>> Nuisance("push_efficiency", lower=0.9, upper=1.0).start
    0.95
    """

    name: str
    mean: float | None = None
    sigma: float | None = None
    lower: float = 0.0
    upper: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in NUISANCE_KEYS:
            raise InputError("nuisance", self.name, f"one of {list(NUISANCE_KEYS)}")
        lo, hi = float(self.lower), float(self.upper)
        if not (0.0 <= lo < hi <= 1.0):
            raise InputError(f"nuisance {self.name}", (lo, hi), "0 <= lower < upper <= 1")
        if self.sigma is not None:
            if self.mean is None or not (float(self.sigma) > 0 and math.isfinite(self.sigma)):
                raise InputError(f"nuisance {self.name}", self.sigma, "a mean and sigma > 0")
        if self.mean is not None and not (lo <= float(self.mean) <= hi):
            raise InputError(f"nuisance {self.name}", self.mean, f"a mean in [{lo}, {hi}]")

    @property
    def gaussian(self) -> bool:
        """True for a Gaussian prior, False for a flat bounded range."""
        return self.sigma is not None

    @property
    def bounds(self) -> tuple[float, float]:
        """The range the fit may explore."""
        if self.gaussian:
            m, s = float(self.mean), float(self.sigma)  # type: ignore[arg-type]
            return (round(max(self.lower, m - 5 * s), 12), round(min(self.upper, m + 5 * s), 12))
        return (float(self.lower), float(self.upper))

    @property
    def start(self) -> float:
        """Start value of the fit."""
        if self.mean is not None:
            return float(self.mean)
        return 0.5 * (self.lower + self.upper)

    def penalty(self, x: float) -> float:
        """−log prior (up to a constant): ½((x − mean)/sigma)² or 0."""
        if not self.gaussian:
            return 0.0
        return 0.5 * ((x - float(self.mean)) / float(self.sigma)) ** 2  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return {
            "name": self.name,
            "mean": self.mean,
            "sigma": self.sigma,
            "bounds": list(self.bounds),
        }


def as_nuisances(
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None,
) -> list[Nuisance]:
    """Normalise ``{"p_loss": (mean, sigma)}`` or a list of :class:`Nuisance`."""
    if not nuisance:
        return []
    if isinstance(nuisance, Mapping):
        out = []
        for k, v in nuisance.items():
            if isinstance(v, Nuisance):
                out.append(v)
            else:
                mean, sigma = v
                out.append(Nuisance(k, mean=float(mean), sigma=float(sigma)))
        return out
    out = list(nuisance)
    names = [n.name for n in out]
    if len(set(names)) != len(names):
        raise InputError("nuisance", names, "each parameter at most once")
    return out


def params_with(params: Params, values: Mapping[str, float]) -> Params:
    """``params`` with imperfections replaced; ``p_false_pos``/``p_false_neg`` rebuild the
    detection matrix (which must then have the false-rate form of
    :func:`spinpair.imperfections.detection_from_false_rates`)."""
    from ..imperfections import detection_from_false_rates

    imp = params.imperfections
    plain = {k: float(v) for k, v in values.items() if k not in ("p_false_pos", "p_false_neg")}
    for k in plain:
        if k not in NUISANCE_KEYS:
            raise InputError("nuisance", k, f"one of {list(NUISANCE_KEYS)}")
    if "p_false_pos" in values or "p_false_neg" in values:
        det = imp.detection_matrix
        fp, fn = float(det[0, 1]), float(det[1, 0])
        if not np.allclose(det, np.array(detection_from_false_rates(fp, fn)), atol=1e-9):
            raise InputError(
                "nuisance p_false_pos/p_false_neg",
                det.tolist(),
                "a detection matrix of the false-rate form (p_false_pos, p_false_neg)",
            )
        fp = float(values.get("p_false_pos", fp))
        fn = float(values.get("p_false_neg", fn))
        plain["detection"] = detection_from_false_rates(fp, fn)  # type: ignore[assignment]
    return dataclasses.replace(params, imperfections=dataclasses.replace(imp, **plain))


def _lagrange3(nodes: NDArray, x: float) -> NDArray:
    """Quadratic Lagrange basis at ``x`` for three nodes."""
    a, b, c = nodes
    return np.array(
        [
            (x - b) * (x - c) / ((a - b) * (a - c)),
            (x - a) * (x - c) / ((b - a) * (b - c)),
            (x - a) * (x - b) / ((c - a) * (c - b)),
        ]
    )


class NuisanceModel:
    """``values → FidelityModel`` for a parameter set with some imperfections free.

    Exact quadratic interpolation on a 3^k grid (k nuisances), verified at an independent
    point against a direct sequence run; direct cached evaluation if the check fails.

    Examples
    --------
    >>> from spinpair.paper import preset_path
    >>> p = Params.from_toml(preset_path("paper-like"))
    >>> nm = NuisanceModel(p, "area", [0.0, 1.57], [Nuisance("p_loss", 0.02, 0.01)])
    >>> nm.exact_interpolation
    True
    """

    def __init__(
        self,
        params: Params,
        setting_name: str,
        setting: ArrayLike,
        nuisances: Sequence[Nuisance],
        *,
        destroy: bool = False,
    ) -> None:
        self.params = params
        self.setting_name = setting_name
        self.setting = np.asarray(setting, dtype=float)
        self.nuisances = list(nuisances)
        self.names = [n.name for n in self.nuisances]
        self.destroy = destroy
        self._cache: dict[tuple, FidelityModel] = {}
        params_with(params, {n.name: n.start for n in self.nuisances})  # validate early
        self.nodes = [np.linspace(*n.bounds, 3) for n in self.nuisances]
        k = len(self.nuisances)
        grid = np.empty((2,) + (3,) * k + (self.setting.size, 3))
        for idx in itertools.product(range(3), repeat=k):
            m = self.direct(
                {
                    nm: float(self.nodes[i][j])
                    for i, (nm, j) in enumerate(zip(self.names, idx, strict=True))
                }
            )
            grid[(0, *idx)] = m.p_unentangled
            grid[(1, *idx)] = m.p_entangled
        self._grid = grid
        # verify at an independent interior point (golden-ratio fractions of each range)
        probe = {
            nm: float(lo + (hi - lo) * ((0.618034 * (i + 1)) % 1.0))
            for i, (nm, (lo, hi)) in enumerate(
                zip(self.names, (n.bounds for n in nuisances), strict=True)
            )
        }
        a, b = self._interpolate(probe), self.direct(probe)
        err = max(
            np.abs(a.p_entangled - b.p_entangled).max(),
            np.abs(a.p_unentangled - b.p_unentangled).max(),
        )
        self.exact_interpolation = bool(err < 1e-9)

    def direct(self, values: Mapping[str, float]) -> FidelityModel:
        """Run the sequence (cached) with ``values`` substituted."""
        key = tuple(sorted((k, round(float(v), 13)) for k, v in values.items()))
        if key not in self._cache:
            self._cache[key] = FidelityModel.from_params(
                params_with(self.params, values),
                self.setting_name,
                self.setting,
                destroy=self.destroy,
            )
        return self._cache[key]

    def _interpolate(self, values: Mapping[str, float]) -> FidelityModel:
        g = self._grid
        for i, nm in enumerate(self.names):
            w = _lagrange3(self.nodes[i], float(values[nm]))
            g = np.tensordot(g, w, axes=([1], [0]))  # contract the next nuisance axis
        return FidelityModel(np.asarray(g[0]), np.asarray(g[1]))

    def __call__(self, values: Mapping[str, float]) -> FidelityModel:
        if self.exact_interpolation:
            return self._interpolate(values)
        return self.direct(values)


def model_factory(
    params: Params,
    data: CountData,
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    *,
    destroy: bool = False,
) -> Callable[[Mapping[str, float]], FidelityModel]:
    """``values → FidelityModel`` with imperfections replaced (for nuisance fits). With
    ``nuisance`` given, a fast exact :class:`NuisanceModel`; else direct cached runs."""
    nus = as_nuisances(nuisance)
    if nus:
        return NuisanceModel(params, data.setting_name, data.setting, nus, destroy=destroy)
    cache: dict[tuple, FidelityModel] = {}

    def build(values: Mapping[str, float]) -> FidelityModel:
        key = tuple(sorted((k, round(float(v), 13)) for k, v in values.items()))
        if key not in cache:
            cache[key] = FidelityModel.from_params(
                params_with(params, values), data.setting_name, data.setting, destroy=destroy
            )
        return cache[key]

    return build


# ----------------------------------------------------------------------------- likelihood


def _nll(data: CountData, probs: NDArray, curve: str) -> float:
    """−log L (constant terms dropped): binomial on one curve or multinomial on all."""
    k = _curve(curve)
    n, N = data.counts.astype(float), data.runs.astype(float)
    if k is None:
        return float(-np.sum(n * np.log(probs)))
    p = probs[:, k]
    return float(-np.sum(n[:, k] * np.log(p) + (N - n[:, k]) * np.log1p(-p)))


@dataclass(frozen=True)
class FidelityFit:
    """Maximum-likelihood fidelity with MINOS intervals and the F ≤ ½ rejection.

    ``interval_68``: profile-likelihood (MINOS) 68.3 % interval, clipped to [0, 1];
    ``lower_95``: one-sided 95 % lower bound; ``unentangled_rejection_sigma``: the
    likelihood-ratio significance Z with which F ≤ ½ is rejected (0 if best F ≤ ½);
    ``at_boundary``: the best F is 0 or 1; ``nuisance``: fitted nuisance values."""

    curve: str
    best: float
    interval_68: tuple[float, float]
    lower_95: float
    unentangled_rejection_sigma: float
    nll_min: float
    valid: bool
    nuisance: dict[str, float] = field(default_factory=dict)
    nuisance_errors: dict[str, float] = field(default_factory=dict)
    at_boundary: bool = False
    method: str = "likelihood"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "curve": self.curve,
            "best": _f(self.best),
            "interval_68": [_f(x) for x in self.interval_68],
            "lower_95": _f(self.lower_95),
            "unentangled_rejection_sigma": _f(self.unentangled_rejection_sigma),
            "nll_min": _f(self.nll_min),
            "valid": bool(self.valid),
            "at_boundary": bool(self.at_boundary),
            "method": self.method,
            "nuisance": {k: _f(v) for k, v in self.nuisance.items()},
            "nuisance_errors": {k: _f(v) for k, v in self.nuisance_errors.items()},
        }


def _minos(m: Any, name: str, cl: float | None, best: float) -> tuple[float | None, ...]:
    """Both ends of a MINOS interval; an end is None where MINOS failed, and the limit
    (0 or 1) where the profile does not rise enough before the boundary."""
    try:
        m.minos(name, cl=cl)
    except RuntimeError:
        return None, None
    me = m.merrors[name]
    lo = 0.0 if me.at_lower_limit else (best + me.lower if me.lower_valid else None)
    hi = 1.0 if me.at_upper_limit else (best + me.upper if me.upper_valid else None)
    return lo, hi


def fidelity_likelihood(
    data: CountData,
    model: FidelityModel,
    curve: str = "P2",
    *,
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    factory: Callable[[Mapping[str, float]], FidelityModel] | None = None,
    params: Params | None = None,
) -> FidelityFit:
    """Fit F ∈ [0, 1] by maximum likelihood with iminuit on ``curve`` (binomial on one
    curve, multinomial on ``all``).

    ``nuisance``: ``{key: (mean, sigma)}`` Gaussian constraints or a list of
    :class:`Nuisance`; it needs ``params`` (the fast exact :class:`NuisanceModel` is
    built) or ``factory`` (``values → FidelityModel``, e.g. :func:`model_factory`).
    """
    from iminuit import Minuit

    _curve(curve)
    nus = as_nuisances(nuisance)
    if nus and factory is None:
        if params is None:
            raise InputError(
                "nuisance", [n.name for n in nus], "params or a model factory (model_factory)"
            )
        factory = NuisanceModel(params, data.setting_name, data.setting, nus)
    names = ["fidelity", *(n.name for n in nus)]

    def nll(*x: float) -> float:
        m = model if not nus else factory({n.name: v for n, v in zip(nus, x[1:], strict=True)})
        pen = sum(n.penalty(v) for n, v in zip(nus, x[1:], strict=True))
        return _nll(data, m.probs(x[0]), curve) + pen

    def make(start_f: float, f_limits: tuple[float, float]) -> Minuit:
        m = Minuit(nll, start_f, *(n.start for n in nus), name=names)
        m.errordef = Minuit.LIKELIHOOD
        m.limits["fidelity"] = f_limits
        m.errors["fidelity"] = 0.05
        for n in nus:
            m.limits[n.name] = n.bounds
            m.errors[n.name] = n.sigma if n.gaussian else (n.bounds[1] - n.bounds[0]) / 10
        return m

    # start from the best grid point at the nominal nuisances (unimodal in F)
    grid = np.linspace(0, 1, 201)
    base = model if not nus else factory({n.name: n.start for n in nus})
    k = _curve(curve)
    n_ = data.counts.astype(float)
    pg = base.probs(grid)
    if k is None:
        nll_grid = -np.sum(n_ * np.log(pg), axis=(1, 2))
    else:
        nll_grid = -np.sum(
            n_[:, k] * np.log(pg[..., k]) + (data.runs - n_[:, k]) * np.log1p(-pg[..., k]),
            axis=1,
        )
    f0 = float(grid[np.argmin(nll_grid)])
    m = make(min(max(f0, 0.01), 0.99), (0.0, 1.0))
    m.migrad()
    if not m.valid:
        m.migrad()
    best = float(m.values["fidelity"])
    nll_min = float(m.fval)
    err = float(m.errors["fidelity"])

    def profile(fval: float) -> float:
        """min NLL at fixed F (nuisances profiled)."""
        if not nus:
            return nll(fval)
        mp = make(fval, (0.0, 1.0))
        for n in nus:
            mp.values[n.name] = float(m.values[n.name])
        mp.fixed["fidelity"] = True
        mp.migrad()
        return float(mp.fval)

    def crossing(level: float, side: str) -> float:
        """Where the profile rises by ``level`` (root finding; fallback for MINOS)."""
        end = 0.0 if side == "lower" else 1.0
        if abs(end - best) < 1e-12 or profile(end) - nll_min < level:
            return end
        return float(
            optimize.brentq(lambda f: profile(f) - nll_min - level, *sorted((best, end)), xtol=1e-8)
        )

    # Minuit approaches a limit only asymptotically: snap to the boundary when the
    # (profile) likelihood there is as good as at the numerical optimum
    for end in (0.0, 1.0):
        if abs(best - end) < 1e-3:
            at_end = profile(end)
            if at_end <= nll_min + 1e-7:
                best, nll_min = end, min(nll_min, at_end)
    f_min = float(m.values["fidelity"])
    lo, hi = _minos(m, "fidelity", None, f_min)
    low95, _ = _minos(m, "fidelity", 0.90, f_min)
    lo = crossing(0.5, "lower") if lo is None else lo
    hi = crossing(0.5, "upper") if hi is None else hi
    low95 = crossing(0.5 * ONE_SIDED_95, "lower") if low95 is None else low95

    # F ≤ 1/2: the best fit constrained to F ∈ [0, 1/2] (nuisances free)
    if best > 0.5:
        if nus:
            m0 = make(0.49, (0.0, 0.5))
            for n in nus:
                m0.values[n.name] = float(m.values[n.name])
            m0.migrad()
            nll_half = min(float(m0.fval), profile(0.5))
        else:
            nll_half = nll(0.5)  # the NLL is convex in F: the constrained minimum is F = 1/2
        sigma = math.sqrt(max(0.0, 2 * (nll_half - nll_min)))
    else:
        sigma = 0.0
    return FidelityFit(
        curve=curve,
        best=best,
        interval_68=(float(max(0.0, min(lo, best))), float(min(1.0, max(hi, best)))),
        lower_95=float(max(0.0, min(low95, best))),
        unentangled_rejection_sigma=sigma,
        nll_min=nll_min,
        valid=bool(m.valid) and math.isfinite(err),
        nuisance={n.name: float(m.values[n.name]) for n in nus},
        nuisance_errors={n.name: float(m.errors[n.name]) for n in nus},
        at_boundary=best in (0.0, 1.0),
        method=("multinomial" if curve == "all" else "binomial") + " likelihood, MINOS",
    )


__all__ = [
    "CURVES",
    "NUISANCE_KEYS",
    "ONE_SIDED_95",
    "Chi2Result",
    "FidelityFit",
    "FidelityModel",
    "FidelityScan",
    "Nuisance",
    "NuisanceModel",
    "as_nuisances",
    "chi2_dof",
    "chi2_table",
    "chi2_test",
    "chi2_value",
    "fidelity_likelihood",
    "fidelity_scan",
    "model_factory",
    "params_with",
]
