"""χ² goodness of fit and the χ²(F) fidelity scan (spec §5; paper Table S1, Fig. S4).

* :func:`chi2_table` — χ² of the entangled (F = 1) and unentangled (F = ½) models per
  curve (0, 1, 2 atoms; binomial variances N p (1 − p)) and for all curves together
  (multinomial Pearson χ² Σ_k (n_k − N p_k)²/(N p_k), two independent curves per row);
  dof = points (nothing fitted) and the p-value — the Table S1 analogue.
* :func:`fidelity_scan` — χ²(F) on a grid of F ∈ [0, 1] for one curve (the paper scans the
  2-atom curve, which the inelastic pair loss does not touch) or all: best F, the 68 %
  interval (Δχ² = 1), the one-sided 95 % lower bound (Δχ² = 1.645² = 2.71) and
  √Δχ²(½) — Fig. S4. The best F and the crossings are refined by nested vectorised grids
  (χ²(F) is cheap to evaluate on many F at once) to 1e-12 in F.

p-values are the χ² survival function for integer degrees of freedom in closed form
(:func:`chi2_sf`, tested against ``scipy.stats.chi2.sf``), so the fit path imports no
scipy module at all (``spinpair fit`` is mostly import time).

Examples
--------
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> from spinpair.montecarlo import sample_counts
>>> p = Params.from_toml(preset_path("paper-like"))
>>> m = FidelityModel.from_params(p, "area", [0.0, 0.8, 1.5707963])
>>> d = sample_counts(m.probs(1.0), "area", [0.0, 0.8, 1.5707963], 2000, seed=2)
>>> s = fidelity_scan(d, m, "P2")
>>> s.interval_68[0] < s.best <= s.interval_68[1] and s.lower_95 <= s.interval_68[0]
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..validation import Interval, instance, real_values, size
from .data import CountData
from .model import (
    CURVES,
    EPS,
    MAX_PROBABILITY_VALUES,
    ONE_SIDED_95,
    FidelityModel,
    check_curve,
    check_fit_inputs,
    json_float,
    normalise_curve,
    over_fidelities,
)


def chi2_sf(chi2: float, dof: int) -> float:
    """P(χ²_dof > ``chi2``): the p-value of a χ² test, for integer dof; NaN when dof ≤ 0
    (no degrees of freedom left: the test says nothing, and JSON shows null).

    The regularised upper incomplete gamma function Q(k/2, x/2) in closed form (Abramowitz
    & Stegun 26.4.4–26.4.5): with y = x/2, for even k, Q = e^{−y} Σ_{j<k/2} y^j/j!; for odd
    k, Q = erfc(√y) + e^{−y} Σ_{j<(k−1)/2} y^{j+½}/Γ(j + 3/2). The terms are positive and
    summed in log space, so the result keeps full relative precision far into the tail.

    >>> round(chi2_sf(3.84145882, 1), 6), round(chi2_sf(5.99146455, 2), 6)
    (0.05, 0.05)
    """
    k = int(dof)
    if k != dof:
        raise InputError("dof", dof, "an integer")
    if k <= 0:
        return math.nan
    x = float(chi2)
    if math.isnan(x):
        return math.nan
    if x <= 0:
        return 1.0
    if math.isinf(x):
        return 0.0
    y = 0.5 * x
    log_y = math.log(y)
    if k % 2 == 0:
        terms = [j * log_y - math.lgamma(j + 1) for j in range(k // 2)]
        head = 0.0
    else:
        terms = [(j + 0.5) * log_y - math.lgamma(j + 1.5) for j in range((k - 1) // 2)]
        head = math.erfc(math.sqrt(y))
    if not terms:
        return head
    top = max(terms)
    series = math.exp(top - y) * math.fsum(math.exp(t - top) for t in terms)
    return min(1.0, head + series)


#: Most grid points of :func:`fidelity_scan` (a typo such as 10**30 is an InputError).
MAX_SCAN_POINTS = 10**7


@dataclass(frozen=True)
class Chi2Result:
    """χ², degrees of freedom and p-value (probability of a larger χ² if the model holds)."""

    chi2: float
    dof: int
    p_value: float

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON-ready ``{"chi2", "dof", "p_value"}`` (NaN as None)."""
        return {
            "chi2": json_float(self.chi2),
            "dof": int(self.dof),
            "p_value": json_float(self.p_value),
        }


def chi2_value(data: CountData, probs: NDArray, curve: str) -> float:
    """χ² of one curve (binomial variance N p (1 − p)) or of all curves (multinomial
    Pearson Σ_k (n_k − N p_k)²/(N p_k)) for model probabilities ``probs`` (rows, 3)."""
    return float(_chi2_many(data, np.asarray(probs)[None], curve)[0])


def _chi2_many(data: CountData, probs: NDArray, curve: str) -> NDArray[np.float64]:
    """χ² for a stack of models (m, rows, 3) → (m,)."""
    k = check_curve(curve)
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
    return len(data) * (2 if check_curve(curve) is None else 1) - fitted


def chi2_test(data: CountData, probs: NDArray, curve: str | int, fitted: int = 0) -> Chi2Result:
    """χ² goodness of fit of model probabilities (rows, 3) on one curve or ``all``."""
    curve = normalise_curve(curve)
    instance("data", data, CountData, "a CountData (spinpair.read_csv, simulate_counts)")
    probs = real_values("probs", probs, Interval(0.0, 1.0), ndim=2)
    if probs.shape != (len(data), 3):
        raise InputError("probs", list(probs.shape), f"shape [{len(data)}, 3], one row per setting")
    fitted = size("fitted", fitted, 0, chi2_dof(data, curve))
    chi2 = chi2_value(data, probs, curve)
    dof = chi2_dof(data, curve, fitted)
    p = chi2_sf(chi2, dof)
    return Chi2Result(chi2, dof, p)


def chi2_table(
    data: CountData, model: FidelityModel
) -> dict[str, dict[str, dict[str, float | int | None]]]:
    """χ² tests of the entangled (F = 1) and unentangled (F = ½) models (Table S1 analogue).

    Nothing is fitted, so each test has as many degrees of freedom as points (``all``: two per
    setting).

    Parameters
    ----------
    data : CountData
        Counts per setting.
    model : FidelityModel
        Model probabilities at the data's settings.

    Returns
    -------
    dict
        ``{"entangled" | "unentangled": {"P0" | "P1" | "P2" | "all": {"chi2", "dof",
        "p_value"}}}``; a p-value that is undefined (0 degrees of freedom) is None.

    Examples
    --------
    >>> from spinpair import Params, simulate_counts
    >>> from spinpair.analysis.model import FidelityModel
    >>> from spinpair.paper import preset_path
    >>> p = Params.from_toml(preset_path("paper-like"))
    >>> d = simulate_counts(p, tau_s=[0.0, 8e-7, 1.6e-6], runs=2000, seed=1)
    >>> m = FidelityModel.from_params(p, "tau_s", d.setting)
    >>> chi2_table(d, m)["entangled"]["all"]["dof"]
    6
    """
    check_fit_inputs(data, model)
    out: dict[str, dict[str, dict[str, float | int | None]]] = {}
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
        return chi2_sf(self.chi2_min, self.dof)

    def as_dict(self, grid: bool = True) -> dict[str, Any]:
        """JSON-ready summary (with the grid unless ``grid=False``)."""
        d: dict[str, Any] = {
            "curve": self.curve,
            "best": json_float(self.best),
            "chi2_min": json_float(self.chi2_min),
            "dof": int(self.dof),
            "p_value": json_float(self.p_value),
            "interval_68": [json_float(x) for x in self.interval_68],
            "lower_95": json_float(self.lower_95),
            "unentangled_rejection_sigma": json_float(self.unentangled_rejection_sigma),
        }
        if grid:
            d["fidelity"] = [json_float(x) for x in self.fidelity]
            d["chi2"] = [json_float(x) for x in self.chi2]
        return d


def _refine_min(fun: Callable[[NDArray], NDArray], a: float, b: float) -> tuple[float, float]:
    """Minimum of ``fun`` (vectorised over F) on [a, b] by nested grids of 21 points
    (each narrows the bracket 10×) down to a width of 1e-12."""
    while b - a > 1e-12:
        x = np.linspace(a, b, 21)
        i = int(np.argmin(fun(x)))
        a, b = float(x[max(i - 1, 0)]), float(x[min(i + 1, 20)])
    x = np.array([a, 0.5 * (a + b), b])
    y = fun(x)
    i = int(np.argmin(y))
    return float(x[i]), float(y[i])


def _crossing(
    fun: Callable[[NDArray], NDArray], F: NDArray, y: NDArray, level: float, i0: int, direction: int
) -> float:
    """First F from grid index ``i0`` in ``direction`` where ``fun`` (vectorised) rises
    through ``level``: bracketed on the grid, narrowed by bisection to 1e-12 (one χ²
    evaluation per step, so the cost is linear in the rows) and interpolated linearly; the
    grid end (0 or 1) when it never rises."""
    i = i0
    while 0 <= i + direction < F.size:
        j = i + direction
        if y[j] > level:
            a, b = float(F[i]), float(F[j])  # fun(a) <= level < fun(b); a is the near end
            fa, fb = min(float(y[i]), level), float(y[j])  # the near end is inside
            while abs(b - a) > 1e-12:
                m = 0.5 * (a + b)
                fm = float(fun(np.array([m]))[0])
                if fm > level:
                    b, fb = m, fm
                else:
                    a, fa = m, fm
            return a if fb == fa else a + (level - fa) * (b - a) / (fb - fa)
        i = j
    return float(F[i])


def _chi2_of_fidelity(
    data: CountData, model: FidelityModel, curve: str
) -> Callable[[NDArray], NDArray]:
    """χ²(F) vectorised over an array of F, in memory linear in the rows. For one curve
    only its column is built (p_k = p_k,u + (2F − 1)(p_k,e − p_k,u), clipped as
    :meth:`FidelityModel.probs` clips): the same numbers as
    ``_chi2_many(data, model.probs(F), curve)`` at a third of the work."""
    k = check_curve(curve)
    if k is None:
        return lambda x: over_fidelities(
            model, np.atleast_1d(x), lambda p: _chi2_many(data, p, curve)
        )
    pu = model.p_unentangled[:, k]
    d = model.p_entangled[:, k] - pu
    nk = data.counts[:, k].astype(float)
    N = data.runs.astype(float)
    per = max(1, MAX_PROBABILITY_VALUES // max(1, pu.size))

    def fun(x: NDArray) -> NDArray:
        c = 2.0 * np.atleast_1d(np.asarray(x, dtype=float)) - 1.0
        out = np.empty(c.size)
        for i in range(0, c.size, per):
            p = np.clip(pu + c[i : i + per, None] * d, EPS, 1 - EPS)
            p = np.clip(p, EPS, 1 - EPS)  # as _chi2_many: probs() clips, then χ² clips again
            out[i : i + per] = np.sum((nk - N * p) ** 2 / (N * p * (1 - p)), axis=-1)
        return out

    return fun


def fidelity_scan(
    data: CountData, model: FidelityModel, curve: str | int = "P2", points: int = 1001
) -> FidelityScan:
    """χ²(F) on a grid of F ∈ [0, 1] (paper Fig. S4), with the best F and its intervals.

    The best F and the Δχ² crossings are refined to 1e-12 in F.

    Parameters
    ----------
    data : CountData
        Counts per setting.
    model : FidelityModel
        Model probabilities at the data's settings (checked:
        :meth:`~spinpair.analysis.model.FidelityModel.check_data`).
    curve : str or int, optional
        ``P0``, ``P1``, ``P2`` (default) or ``all``, or as on the command line: ``0``,
        ``1``, ``2``.
    points : int, optional
        Grid points, ≥ 11 (default 1001).

    Returns
    -------
    FidelityScan
        ``fidelity`` and ``chi2`` on the grid, ``best``, ``chi2_min``, ``interval_68``
        (Δχ² = 1), ``lower_95`` (one-sided), ``dof``, ``unentangled_rejection_sigma``.

    Raises
    ------
    spinpair.errors.InputError
        For an unknown curve or fewer than 11 points.

    Examples
    --------
    >>> from spinpair import Params, simulate_counts
    >>> from spinpair.analysis.model import FidelityModel
    >>> from spinpair.paper import preset_path
    >>> p = Params.from_toml(preset_path("paper-like"))
    >>> d = simulate_counts(p, tau_s=[0.0, 8e-7, 1.6e-6], runs=2000, seed=1)
    >>> m = FidelityModel.from_params(p, "tau_s", d.setting)
    >>> s = fidelity_scan(d, m)
    >>> round(s.best, 2), s.dof
    (0.94, 2)
    """
    curve = normalise_curve(curve)
    check_fit_inputs(data, model)
    F = np.linspace(0.0, 1.0, size("points", points, 11, MAX_SCAN_POINTS))

    fun = _chi2_of_fidelity(data, model, curve)

    chi2 = fun(F)
    i = int(np.argmin(chi2))
    best, cmin = _refine_min(fun, float(F[max(i - 1, 0)]), float(F[min(i + 1, F.size - 1)]))
    if cmin > chi2[i]:  # pragma: no cover - the refined bracket contains the grid point
        best, cmin = float(F[i]), float(chi2[i])
    j = int(np.argmin(np.abs(F - best)))
    lo = _crossing(fun, F, chi2, cmin + 1.0, j, -1)
    hi = _crossing(fun, F, chi2, cmin + 1.0, j, +1)
    low95 = _crossing(fun, F, chi2, cmin + ONE_SIDED_95, j, -1)
    lo, hi = min(lo, best), max(hi, best)
    sigma = (
        math.sqrt(max(0.0, chi2_value(data, model.probs(0.5), curve) - cmin)) if best > 0.5 else 0.0
    )
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


__all__ = [
    "Chi2Result",
    "FidelityScan",
    "chi2_dof",
    "chi2_sf",
    "chi2_table",
    "chi2_test",
    "chi2_value",
    "fidelity_scan",
]
