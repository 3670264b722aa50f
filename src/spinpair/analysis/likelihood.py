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
from ..validation import Interval, broadcast, instance, real_values, size, switch
from .data import CountData
from .minos import minos_interval
from .model import (
    CURVES,
    ONE_SIDED_95,
    FidelityModel,
    Nuisance,
    NuisanceModel,
    as_nuisances,
    check_curve,
    check_fit_inputs,
    json_float,
    normalise_curve,
    over_fidelities,
)

# scipy.optimize only for the rare fallback when MINOS fails
optimize = lazy_module("scipy.optimize")

#: Normalisations of :func:`multinomial_nll`.
CONSTANTS = ("none", "pmf", "saturated")


def multinomial_nll(
    counts: ArrayLike,
    probs: ArrayLike,
    *,
    axis: int = -1,
    constant: str = "none",
    check: bool = True,
) -> NDArray[np.float64]:
    """Negative log-likelihood of multinomial ``counts`` given cell probabilities
    ``probs`` (both broadcast; the cells along ``axis``, which is summed out). Probabilities
    outside [0, 1] (or NaN) and negative or non-finite counts are an InputError;
    ``check=False`` skips that for inner loops (a minimiser's probes).

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
    if not isinstance(constant, str) or constant not in CONSTANTS:
        raise InputError("constant", constant, f"one of {list(CONSTANTS)}")
    if switch("check", check):
        n = real_values("counts", counts, Interval(0.0, None))
        p = real_values("probs", probs, Interval(0.0, 1.0))
        n_b, _ = broadcast(counts=n, probs=p)
        if n_b.ndim == 0:
            raise InputError("counts", float(n), "an array of counts (one axis of outcomes)")
        axis = size("axis", axis, -n_b.ndim, n_b.ndim - 1)
    else:
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


def curve_counts(counts: ArrayLike, curve: str | int) -> NDArray[np.float64]:
    """The cells of ``counts`` (..., rows, 3) a fit on ``curve`` uses: all three outcomes
    for ``all``; (n_k, N − n_k) for ``P0``/``P1``/``P2`` → (..., rows, 3 or 2)."""
    k = check_curve(curve)
    n = np.asarray(counts, dtype=float)
    if k is None:
        return n
    return np.stack([n[..., k], n.sum(axis=-1) - n[..., k]], axis=-1)


def curve_cells(
    counts: ArrayLike, probs: ArrayLike, curve: str | int
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

    ``curve``: the canonical curve name (``P0``, ``P1``, ``P2``, ``all``);
    ``interval_68``: profile-likelihood (MINOS) 68.3 % interval, clipped to [0, 1];
    ``lower_95``: one-sided 95 % lower bound; ``unentangled_rejection_sigma``: the
    likelihood-ratio significance Z with which F ≤ ½ is rejected (0 if best F ≤ ½);
    ``at_boundary``: the best F is 0 or 1; ``nuisance``: fitted nuisance values;
    ``interval_notes``: per end of ``interval_68`` (``lower``, ``upper``) and for
    ``lower_95``: ``"valid"``, ``"at limit"``, or why MINOS failed (then the
    profile-likelihood crossing gives the end, and the note says so).

    For iminuit and lmfit users: ``minuit`` is the ``iminuit.Minuit`` object of the fit
    (after MIGRAD and MINOS; dropped when the result is pickled), :attr:`covariance` its
    covariance matrix with parameter names, :attr:`parameters`, :attr:`values` and
    :attr:`errors`; :meth:`to_dict` and :meth:`to_dataframe` (pandas) summarise it.
    """

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
    interval_notes: dict[str, str] = field(default_factory=dict)
    minuit: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the Minuit object (its cost function is a local closure)."""
        return {**self.__dict__, "minuit": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            object.__setattr__(self, k, v)

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameter names in the order of :attr:`covariance`: ``fidelity``, then the
        nuisances."""
        return ("fidelity", *self.nuisance)

    @property
    def values(self) -> dict[str, float]:
        """Best-fit value of every parameter (the fidelity as reported: snapped to 0 or 1
        when the likelihood there is as good as at Minuit's numerical optimum)."""
        return {"fidelity": self.best, **self.nuisance}

    @property
    def errors(self) -> dict[str, float]:
        """Parabolic (HESSE) 1σ error of every parameter; NaN without a Minuit object."""
        m = self.minuit
        return {n: float(m.errors[n]) if m is not None else math.nan for n in self.parameters}

    @property
    def covariance(self) -> NDArray[np.float64]:
        """Covariance matrix of :attr:`parameters` at the minimum: a copy of Minuit's
        ``covariance`` (an ``iminuit.util.Matrix``: a numpy array that also takes
        parameter names, ``fit.covariance["fidelity", "fidelity"]``). All NaN where Minuit
        has none (no Minuit object, e.g. after pickling, or HESSE failed)."""
        m = self.minuit
        if m is None or m.covariance is None:
            from iminuit.util import Matrix

            out = Matrix(self.parameters)
            out[:] = np.nan
            return out
        return m.covariance.copy()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (NaN and ±inf as None): the values, intervals, significance,
        ``parameters``, ``errors`` and ``covariance`` (nested lists in the order of
        ``parameters``)."""
        cov = np.asarray(self.covariance, dtype=float)
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
            "interval_notes": dict(self.interval_notes),
            "parameters": list(self.parameters),
            "errors": {k: json_float(v) for k, v in self.errors.items()},
            "covariance": [[json_float(x) for x in row] for row in cov],
        }

    def as_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_dict` (the name used elsewhere in spinpair)."""
        return self.to_dict()

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``, one row per parameter (index ``parameter``): ``value``,
        ``error`` (HESSE) and ``lower_68``/``upper_68`` (the MINOS interval of the
        fidelity; NaN for nuisances). Needs pandas: ``pip install 'spinpair[pandas]'``."""
        from .results import dataframe

        rows = []
        for n in self.parameters:
            lo, hi = self.interval_68 if n == "fidelity" else (math.nan, math.nan)
            rows.append(
                {
                    "parameter": n,
                    "value": self.values[n],
                    "error": self.errors[n],
                    "lower_68": lo,
                    "upper_68": hi,
                }
            )
        return dataframe(rows, index="parameter")


def fidelity_likelihood(
    data: CountData,
    model: FidelityModel | Params,
    curve: str | int = "P2",
    *,
    nuisance: Mapping[str, tuple[float, float]] | Sequence[Nuisance] | None = None,
    factory: Callable[[Mapping[str, float]], FidelityModel] | None = None,
    params: Params | None = None,
) -> FidelityFit:
    """Fit the fidelity F ∈ [0, 1] of the chi1 part by maximum likelihood (iminuit, MINOS).

    Binomial likelihood on one curve, multinomial on ``all``; optional nuisance
    imperfections are profiled.

    Parameters
    ----------
    data : CountData
        Counts n0, n1, n2 out of ``runs`` per setting.
    model : FidelityModel or Params
        Model probabilities at c = 0 and c = 1 at the data's settings (checked: a model
        built at other settings is an InputError naming both), or a
        :class:`~spinpair.params.Params`, from which the model is built at the data's own
        settings (:meth:`~spinpair.analysis.model.FidelityModel.from_data`).
    curve : str or int, optional
        ``P0``, ``P1``, ``P2`` (default, as the paper) or ``all``, or as on the command
        line: ``0``, ``1``, ``2``.
    nuisance : mapping or sequence of Nuisance, optional
        ``{key: (mean, sigma)}`` Gaussian constraints on imperfections (dimensionless
        probabilities such as ``p_loss``) or a list of
        :class:`~spinpair.analysis.model.Nuisance`; needs ``params`` or ``factory``.
    factory : callable, optional
        ``values → FidelityModel`` (e.g. :func:`~spinpair.analysis.model.model_factory`).
    params : spinpair.params.Params, optional
        Parameter set from which the fast exact nuisance model is built.

    Returns
    -------
    FidelityFit
        ``best`` F, ``interval_68`` (MINOS, clipped to [0, 1]), ``lower_95`` (one-sided),
        ``unentangled_rejection_sigma`` (likelihood-ratio Z of F ≤ ½, in standard
        deviations), ``at_boundary``, ``nuisance``.

    Raises
    ------
    spinpair.errors.InputError
        For an unknown curve, or nuisances without ``params`` or ``factory``.

    Examples
    --------
    >>> from spinpair import Params, simulate_counts
    >>> from spinpair.analysis.model import FidelityModel
    >>> from spinpair.paper import preset_path
    >>> p = Params.from_toml(preset_path("paper-like"))
    >>> d = simulate_counts(p, tau_s=[0.0, 8e-7, 1.6e-6], runs=2000, seed=1)
    >>> m = FidelityModel.from_params(p, "tau_s", d.setting)
    >>> fit = fidelity_likelihood(d, m)
    >>> round(fit.best, 2), round(fit.lower_95, 2)
    (0.94, 0.83)
    """
    from iminuit import Minuit

    curve = normalise_curve(curve)
    k = check_curve(curve)
    if isinstance(model, Params):
        if params is None:
            params = model
        instance("data", data, CountData, "a CountData (spinpair.read_csv, simulate_counts)")
        model = FidelityModel.from_data(model, data)
    check_fit_inputs(data, model)
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
        # a minimiser may probe any x (NaN too): no input check inside the fit
        p = _cell_probs(m.probs(x[0]), k)
        return float(np.sum(multinomial_nll(cells, p, check=False))) + pen

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
    # MINOS, F ∈ [0, 1] a physical boundary (an end at the limit is the limit); where it
    # fails, the profile crossing (root finding) instead, and the note says so
    iv68 = minos_interval(m, "fidelity", at_limit="limit")
    iv90 = minos_interval(m, "fidelity", cl=0.90, at_limit="limit")
    notes = {"lower": iv68.notes["lower"], "upper": iv68.notes["upper"]}
    notes["lower_95"] = iv90.notes["lower"]
    for key, found in (("lower", iv68.lower), ("upper", iv68.upper), ("lower_95", iv90.lower)):
        if found is None:
            notes[key] += "; the profile-likelihood crossing is used instead"
    lo = crossing(0.5, "lower") if iv68.lower is None else iv68.lower
    hi = crossing(0.5, "upper") if iv68.upper is None else iv68.upper
    low95 = crossing(0.5 * ONE_SIDED_95, "lower") if iv90.lower is None else iv90.lower

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
        interval_notes=notes,
        minuit=m,
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
