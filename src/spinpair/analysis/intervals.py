"""Confidence intervals for binomial fractions k/n: Wilson score and Clopper–Pearson
(the normal quantile from the standard library, ``statistics.NormalDist``; beta quantiles
from ``scipy.special.betaincinv``, imported only for Clopper–Pearson).

Examples
--------
>>> lo, hi = wilson(5, 20)
>>> round(float(lo), 4), round(float(hi), 4)
(0.1667, 0.3571)
>>> lo, hi = clopper_pearson(0, 20)
>>> float(lo), round(float(hi), 4)
(0.0, 0.0879)
"""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from ..errors import InputError, check_range
from ..validation import Interval, broadcast, real_values, text

if TYPE_CHECKING:  # pragma: no cover
    from .data import CountData

special = lazy_module("scipy.special")


def _check(k: ArrayLike, n: ArrayLike, cl: float) -> tuple[NDArray, NDArray]:
    k, n = broadcast(k=real_values("k", k), n=real_values("n", n, Interval(1.0, None)))
    if np.any(k < 0) or np.any(k > n):
        raise InputError("counts", "k, n", "0 <= k <= n, n >= 1")
    check_range("confidence_level", cl, 0.0, 1.0, lo_open=True, hi_open=True)
    return k, n


def wilson(k: ArrayLike, n: ArrayLike, cl: float = 0.682689492) -> tuple[NDArray, NDArray]:
    """Wilson score interval (lower, upper) for k successes in n trials at confidence
    level ``cl`` (default 68.27 %, ±1σ); vectorised over broadcastable k and n. The limits
    are exact at k = 0 (lower 0) and k = n (upper 1)."""
    k, n = _check(k, n, cl)
    z = NormalDist().inv_cdf(0.5 + cl / 2)
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    lo = np.where(k == 0, 0.0, np.clip(centre - half, 0, 1))  # exact limits, no rounding
    hi = np.where(k == n, 1.0, np.clip(centre + half, 0, 1))
    return lo, hi


def clopper_pearson(k: ArrayLike, n: ArrayLike, cl: float = 0.682689492) -> tuple[NDArray, NDArray]:
    """Exact (conservative) Clopper–Pearson interval (lower, upper) from beta quantiles:
    lower = B⁻¹(α/2; k, n − k + 1), upper = B⁻¹(1 − α/2; k + 1, n − k), α = 1 − ``cl``;
    0 at k = 0 and 1 at k = n."""
    k, n = _check(k, n, cl)
    a = 1 - cl
    lo = np.where(k > 0, special.betaincinv(k, n - k + 1, a / 2), 0.0)
    hi = np.where(k < n, special.betaincinv(k + 1, n - k, 1 - a / 2), 1.0)
    return lo, hi


def interval(
    k: ArrayLike, n: ArrayLike, method: str = "wilson", cl: float = 0.682689492
) -> tuple[NDArray, NDArray]:
    """Per-point interval of k/n by ``method`` = ``wilson`` or ``clopper-pearson``."""
    text("method", method)
    if method == "wilson":
        return wilson(k, n, cl)
    if method in ("clopper-pearson", "clopper_pearson", "exact"):
        return clopper_pearson(k, n, cl)
    raise InputError("method", method, "wilson or clopper-pearson")


def data_points(data: CountData, method: str = "wilson", cl: float = 0.682689492) -> dict:
    """Observed fractions (rows, 3) of 0, 1, 2 atoms and their asymmetric error bars
    (2, rows, 3) from :func:`interval` (``method`` at confidence ``cl``): what a plot of
    count data draws.

    >>> import numpy as np
    >>> from spinpair.analysis.data import CountData
    >>> d = CountData("area", np.array([0.0]), np.array([100]), np.array([10]),
    ...               np.array([30]), np.array([60]))
    >>> data_points(d)["fraction"].tolist()
    [[0.1, 0.3, 0.6]]
    """
    frac = data.fractions()
    lo, hi = interval(data.counts, data.runs[:, None], method, cl)
    return {
        "setting": data.setting,
        "fraction": frac,
        "err": np.stack([np.maximum(frac - lo, 0), np.maximum(hi - frac, 0)]),
    }


__all__ = [
    "clopper_pearson",
    "data_points",
    "interval",
    "wilson",
]
