"""The one count likelihood of spinpair, and the maximum-likelihood fidelity fit (spec §5;
paper Fig. S4).

:func:`multinomial_nll` is the negative log-likelihood of multinomial counts, vectorised
over any leading axes; every fit and planner in the package calls it (the fidelity fit and
its start grid, the planner's rejection significance and Asimov estimate in
:mod:`spinpair.analysis.planning`, the collision-model calibration in
:mod:`spinpair.analysis.calibrate`). A binomial curve (one outcome against the rest) is the
two-cell case (:func:`curve_cells`). Three normalisations, which differ by terms that do
not depend on the model probabilities:

* ``constant="none"`` — −Σ_k n_k ln p_k (the kernel; constants dropped);
* ``constant="pmf"`` — −ln P(n | N, p), the exact multinomial log-pmf
  (adds −ln N! + Σ_k ln n_k!);
* ``constant="saturated"`` — −Σ_k n_k ln(p_k N / n_k), the NLL relative to the saturated
  model p_k = n_k / N: half the deviance, so 2·NLL ≈ χ² with dof = free cells − fitted.

Cells with n_k = 0 contribute 0 whatever p_k (0 ln 0 = 0).

:func:`fidelity_likelihood` fits F ∈ [0, 1] on one curve (binomial) or all curves
(multinomial) with iminuit (``errordef = Minuit.LIKELIHOOD``): the 68 % MINOS
(profile-likelihood) interval, the one-sided 95 % lower bound (the lower end of the 90 %
two-sided MINOS interval), optional nuisance parameters
(:class:`~spinpair.analysis.model.Nuisance`, a Gaussian prior or a bounded flat range),
and the significance with which F ≤ ½ is rejected,
Z = √(2 [min NLL(F ≤ ½) − min NLL]) (nuisances profiled; 0 when the best F ≤ ½).

Boundaries. F is a fidelity and is bounded to [0, 1]; we never report an unphysical best
fit. When the maximum sits on the boundary (typically F = 1 for a perfectly entangled
pair), the 68 % interval is [F_lo, 1] with F_lo where ΔNLL = ½ (Δχ² = 1): this covers the
truth F = 1 whenever the unconstrained estimate would lie above 1 − σ, i.e. with
probability ≈ 84 % instead of 68 % (it over-covers, it never under-covers; see the
coverage tests). The one-sided lower bound and Z are unaffected by the upper boundary.

Examples
--------
>>> import numpy as np
>>> float(multinomial_nll([2, 0, 1], [0.5, 0.25, 0.25], constant="pmf").round(6))
1.673976
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> from spinpair.analysis.model import FidelityModel
>>> from spinpair.montecarlo import sample_counts
>>> p = Params.from_toml(preset_path("paper-like"))
>>> m = FidelityModel.from_params(p, "area", [0.0, 1.5707963])
>>> d = sample_counts(m.probs(1.0), "area", [0.0, 1.5707963], 5000, seed=1)
>>> fit = fidelity_likelihood(d, m)
>>> fit.interval_68[0] < 1.0 and fit.unentangled_rejection_sigma > 5
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from ..errors import InputError
from ..params import Params
from .data import CountData
from .model import (
    CURVES,
    ONE_SIDED_95,
    FidelityModel,
    Nuisance,
    NuisanceModel,
    as_nuisances,
    check_curve,
    json_float,
    over_fidelities,
)

# scipy.optimize only for the rare fallback when MINOS fails
optimize = lazy_module("scipy.optimize")

#: Normalisations of :func:`multinomial_nll`.
CONSTANTS = ("none", "pmf", "saturated")


def multinomial_nll(
    counts: ArrayLike, probs: ArrayLike, *, axis: int = -1, constant: str = "none"
) -> NDArray[np.float64]:
    """Negative log-likelihood of multinomial ``counts`` given cell probabilities
    ``probs`` (both broadcast; the cells along ``axis``, which is summed out).

    ``constant``: ``"none"`` (−Σ n ln p), ``"pmf"`` (−ln of the multinomial pmf) or
    ``"saturated"`` (−Σ n ln(p N/n): half the deviance). Counts may be non-integer (e.g.
    expected counts of Asimov data) except with ``"pmf"``, which uses ln Γ. A cell with
    n = 0 contributes 0; a cell with n > 0 and p = 0 gives +inf.

    Examples
    --------
    >>> float(multinomial_nll([3, 1], [0.75, 0.25], constant="saturated"))
    0.0
    >>> multinomial_nll([[1, 1], [2, 0]], [0.5, 0.5]).round(4).tolist()
    [1.3863, 1.3863]
    """
    if constant not in CONSTANTS:
        raise InputError("constant", constant, f"one of {list(CONSTANTS)}")
    n = np.asarray(counts, dtype=float)
    p = np.asarray(probs, dtype=float)
    if constant == "saturated":
        n_b, p_b = np.broadcast_arrays(n, p)
        total = np.sum(n, axis=axis, keepdims=True)
        return np.asarray(
            -np.sum(_xlogy(n_b, p_b * total / np.where(n_b > 0, n_b, 1.0)), axis=axis)
        )
    out = -np.sum(_xlogy(n, p), axis=axis)
    if constant == "pmf":
        from scipy.special import gammaln

        out = out - gammaln(np.sum(n, axis=axis) + 1) + np.sum(gammaln(n + 1), axis=axis)
    return np.asarray(out)


def _xlogy(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """x ln y with 0 ln y = 0 for every y (as ``scipy.special.xlogy``, without importing
    scipy on the fit path); x > 0 and y = 0 gives −inf."""
    x, y = np.broadcast_arrays(x, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def curve_counts(counts: ArrayLike, curve: str) -> NDArray[np.float64]:
    """The cells of ``counts`` (..., rows, 3) a fit on ``curve`` uses: all three outcomes
    for ``all``; (n_k, N − n_k) for ``P0``/``P1``/``P2`` → (..., rows, 3 or 2)."""
    k = check_curve(curve)
    n = np.asarray(counts, dtype=float)
    if k is None:
        return n
    return np.stack([n[..., k], n.sum(axis=-1) - n[..., k]], axis=-1)


def curve_cells(
    counts: ArrayLike, probs: ArrayLike, curve: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Counts and probabilities (..., rows, 3) → the cells a fit on ``curve`` uses:
    the three outcomes for ``all``; for ``P0``/``P1``/``P2`` the binomial (n_k, N − n_k)
    with (p_k, 1 − p_k)."""
    return curve_counts(counts, curve), _cell_probs(probs, check_curve(curve))


def _cell_probs(probs: ArrayLike, k: int | None) -> NDArray[np.float64]:
    p = np.asarray(probs, dtype=float)
    if k is None:
        return p
    out = np.empty((*p.shape[:-1], 2))
    out[..., 0] = p[..., k]
    out[..., 1] = 1.0 - p[..., k]
    return out


def count_nll(
    data: CountData, probs: ArrayLike, curve: str = "all", *, constant: str = "none"
) -> NDArray[np.float64] | float:
    """NLL of count data under model probabilities ``probs`` (rows, 3), or a stack of
    models (..., rows, 3) → (...): binomial on one curve, multinomial on ``all``, summed
    over the rows (:func:`multinomial_nll`). A float for one model."""
    n, p = curve_cells(data.counts, probs, curve)
    out = np.sum(multinomial_nll(n, p, constant=constant), axis=-1)
    return float(out) if np.ndim(out) == 0 else out


# ----------------------------------------------------------------------------- fit


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
            "best": json_float(self.best),
            "interval_68": [json_float(x) for x in self.interval_68],
            "lower_95": json_float(self.lower_95),
            "unentangled_rejection_sigma": json_float(self.unentangled_rejection_sigma),
            "nll_min": json_float(self.nll_min),
            "valid": bool(self.valid),
            "at_boundary": bool(self.at_boundary),
            "method": self.method,
            "nuisance": {k: json_float(v) for k, v in self.nuisance.items()},
            "nuisance_errors": {k: json_float(v) for k, v in self.nuisance_errors.items()},
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
    :class:`~spinpair.analysis.model.Nuisance`; it needs ``params`` (the fast exact
    :class:`~spinpair.analysis.model.NuisanceModel` is built) or ``factory``
    (``values → FidelityModel``, e.g. :func:`~spinpair.analysis.model.model_factory`).
    """
    from iminuit import Minuit

    k = check_curve(curve)
    nus = as_nuisances(nuisance)
    if nus and factory is None:
        if params is None:
            raise InputError(
                "nuisance", [n.name for n in nus], "params or a model factory (model_factory)"
            )
        factory = NuisanceModel(params, data.setting_name, data.setting, nus)
    names = ["fidelity", *(n.name for n in nus)]
    cells = curve_counts(data.counts, curve)  # once: MIGRAD and MINOS call nll often

    build = factory  # not None when there are nuisances (checked above)

    def nll(*x: float) -> float:
        if not nus or build is None:
            m = model
        else:
            m = build({n.name: v for n, v in zip(nus, x[1:], strict=True)})
        pen = sum(n.penalty(v) for n, v in zip(nus, x[1:], strict=True))
        return float(np.sum(multinomial_nll(cells, _cell_probs(m.probs(x[0]), k)))) + pen

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
    base = model if not nus or build is None else build({n.name: n.start for n in nus})
    f0 = float(grid[np.argmin(over_fidelities(base, grid, lambda p: count_nll(data, p, curve)))])
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
    "CONSTANTS",
    "CURVES",
    "FidelityFit",
    "count_nll",
    "curve_cells",
    "curve_counts",
    "fidelity_likelihood",
    "multinomial_nll",
]
