"""Ramsey fringe fits (paper Fig. 4; spec §6): a cosine fit of any y(δ), and the fits and
period table of the simulated signals of :mod:`spinpair.sequence.ramsey_scan`.

Why one file of ~590 lines: the fringe model, its periodogram starts, the fit and the
period table share one set of conventions (harmonics, signal names, Hz); the periodogram
itself is :mod:`.periodogram`.

Models, with δ the Raman detuning in Hz:

* ``harmonics=1``: y(δ) = offset + contrast·cos(2π δ/period + phase)
  (``contrast`` is the amplitude, half the peak-to-peak swing);
* ``harmonics=2``: y(δ) = offset + contrast·cos(2π δ/period + phase)
  + contrast2·cos(4π δ/period + phase2), for signals that carry the doubled frequency
  too: the pair signal P1 of two *independent* atoms is 2q(1-q) with q the single-atom
  survival, i.e. sin²(2πδT)/2 for ideal pulses — a pure second harmonic of the single-atom
  period 1/T with half the contrast of chi1's P1; imperfections add a first harmonic.

Which period is which: per-atom signals of unentangled atoms (survival, mean number)
oscillate at the single-atom period 1/T_eff, chi1's P1 (and P0, P2) at 1/(2 T_eff); chi1's
per-atom signals are flat. So compare chi1's P1 with the unentangled *survival* to see the
factor of two of the paper (71 kHz against 142 kHz at T = 5 µs).

The starting period comes from a Lomb–Scargle periodogram (any grid, weights 1/σ²;
by FFT on uniform grids, :mod:`spinpair.analysis.periodogram`); the three strongest peaks
are each refined by ``scipy.optimize.curve_fit`` and the best χ²
wins. Intervals (68 %) are ±1σ from the covariance matrix: with ``sigma`` given
(``absolute_sigma``, e.g. binomial errors of count data) they are statistical errors;
without it the covariance is scaled by the residuals (model curves, for a period).

Examples
--------
>>> import numpy as np
>>> d = np.linspace(-150e3, 150e3, 121)
>>> y = 0.5 + 0.4 * np.cos(2 * np.pi * d / 71e3 + 0.3)
>>> fit = fit_fringe(d, y)
>>> round(fit.period_hz / 1e3, 3), round(fit.contrast, 3), round(fit.phase, 3)
(71.0, 0.4, 0.3)
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from ..errors import InputError
from ..params import Params
from ..sequence.protocol import RamseyProtocol
from ..sequence.ramsey_scan import (
    SIGNALS,
    SINGLE_ATOM,
    RamseySignals,
    expected_periods,
    ramsey_references,
)
from ..validation import instance, real_values
from .periodogram import periodogram
from .results import named_covariance

optimize = lazy_module("scipy.optimize")


#: Parameter names of the two models, in the order of the fit vector.
PARAM_NAMES = {
    1: ("offset", "contrast", "period_hz", "phase"),
    2: ("offset", "contrast", "period_hz", "phase", "contrast2", "phase2"),
}


def fringe_model(
    detuning_hz: ArrayLike,
    offset: float,
    contrast: float,
    period_hz: float,
    phase: float,
    contrast2: float = 0.0,
    phase2: float = 0.0,
) -> NDArray[np.float64]:
    """offset + contrast·cos(2πδ/period + phase) + contrast2·cos(4πδ/period + phase2).

    Examples
    --------
    >>> float(fringe_model(0.0, 0.5, 0.5, 71e3, 0.0))
    1.0
    """
    x = 2 * np.pi * np.asarray(detuning_hz, dtype=float) / period_hz
    return offset + contrast * np.cos(x + phase) + contrast2 * np.cos(2 * x + phase2)


def _wrap(phase: float) -> float:
    return float((phase + np.pi) % (2 * np.pi) - np.pi)


@dataclass(frozen=True)
class FringeFit:
    """A fitted fringe: values, 1σ errors and 68 % intervals (δ in Hz, phases in rad).

    ``has_fringe`` is False when the contrast is not significant (below 3σ or below
    ``min_contrast``): then the period means nothing (for example chi1's per-atom survival,
    which is flat). ``covariance`` is the parameter covariance in the order of
    :attr:`parameters`, a numpy array that also takes names
    (``fit.covariance["period_hz", "period_hz"]``, as ``iminuit.Minuit.covariance``); the
    fit is a least-squares ``scipy.optimize.curve_fit``, not a Minuit fit.
    """

    harmonics: int
    values: dict[str, float]
    errors: dict[str, float]
    chi2: float
    dof: int
    absolute_sigma: bool
    has_fringe: bool
    covariance: NDArray[np.float64] = field(repr=False)

    @property
    def offset(self) -> float:
        """Offset (signal units)."""
        return self.values["offset"]

    @property
    def contrast(self) -> float:
        """Amplitude of the first harmonic (≥ 0; half the peak-to-peak swing of a cosine)."""
        return self.values["contrast"]

    @property
    def period_hz(self) -> float:
        """Fringe period in detuning (Hz)."""
        return self.values["period_hz"]

    @property
    def phase(self) -> float:
        """Phase of the first harmonic in (-π, π] (rad)."""
        return self.values["phase"]

    @property
    def intervals_68(self) -> dict[str, tuple[float, float]]:
        """value ± 1σ for every parameter."""
        return {k: (v - self.errors[k], v + self.errors[k]) for k, v in self.values.items()}

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameter names, in the order of :attr:`covariance`."""
        return PARAM_NAMES[self.harmonics]

    def __call__(self, detuning_hz: ArrayLike) -> NDArray[np.float64]:
        """The fitted curve at ``detuning_hz`` (Hz)."""
        return fringe_model(detuning_hz, **self.values)

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame``, one row per parameter (index ``parameter``): ``value``,
        ``error``, ``lower_68``, ``upper_68``. Needs pandas: ``pip install
        'spinpair[pandas]'``."""
        from .results import dataframe

        return dataframe(
            [
                {
                    "parameter": k,
                    "value": v,
                    "error": self.errors[k],
                    "lower_68": self.intervals_68[k][0],
                    "upper_68": self.intervals_68[k][1],
                }
                for k, v in self.values.items()
            ],
            index="parameter",
        )

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`as_dict`."""
        return self.as_dict()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary: values, errors, intervals, χ², dof."""
        return {
            "model": "cosine" if self.harmonics == 1 else "two-harmonic",
            **self.values,
            "errors": dict(self.errors),
            "intervals_68": {k: list(v) for k, v in self.intervals_68.items()},
            "chi2": self.chi2,
            "dof": self.dof,
            "absolute_sigma": self.absolute_sigma,
            "has_fringe": self.has_fringe,
        }


def _peaks(freqs: NDArray, power: NDArray, k: int) -> list[float]:
    inner = np.flatnonzero((power[1:-1] >= power[:-2]) & (power[1:-1] >= power[2:])) + 1
    cand = [int(i) for i in inner]
    for edge in (0, power.size - 1):
        cand.append(edge)
    cand = sorted(set(cand), key=lambda i: -power[i])
    return [float(freqs[i]) for i in cand[:k]]


def _linear_start(x: NDArray, y: NDArray, w: NDArray, freq: float, harmonics: int) -> list[float]:
    cols = [np.ones_like(x)]
    for h in range(1, harmonics + 1):
        cols += [np.cos(2 * np.pi * h * freq * x), np.sin(2 * np.pi * h * freq * x)]
    A = np.stack(cols, axis=1)
    coef = np.linalg.lstsq(A * w[:, None], y * w, rcond=None)[0]
    start = [coef[0]]
    for h in range(harmonics):
        a, b = coef[1 + 2 * h], coef[2 + 2 * h]  # a cos + b sin = r cos(θ + φ), φ = atan2(-b, a)
        r, ph = float(np.hypot(a, b)), float(np.arctan2(-b, a))
        start += [r, 1.0 / freq, ph] if h == 0 else [r, ph]
    return start


def _jacobian(x: NDArray, p: NDArray, harmonics: int) -> NDArray:
    """∂model/∂parameters (n, k), analytic."""
    th = 2 * np.pi * x / p[2]
    cols = [np.ones_like(x), np.cos(th + p[3])]
    d_period = p[1] * np.sin(th + p[3]) * th / p[2]
    if harmonics == 2:
        d_period = d_period + 2 * p[4] * np.sin(2 * th + p[5]) * th / p[2]
    cols += [d_period, -p[1] * np.sin(th + p[3])]
    if harmonics == 2:
        cols += [np.cos(2 * th + p[5]), -p[4] * np.sin(2 * th + p[5])]
    return np.stack(cols, axis=1)


#: A fit candidate: (start frequency (1/Hz), values, covariance, χ²).
_Candidate = tuple[float, NDArray[np.float64], NDArray[np.float64], float]


def _fit_one(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    s: NDArray[np.float64] | None,
    start: Sequence[float],
    harmonics: int,
    scale: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """curve_fit in scaled detuning units; covariance from the analytic Jacobian (absolute
    with σ given, else scaled by χ²/dof). Returns (values, covariance, χ²)."""
    names = PARAM_NAMES[harmonics]

    def model(xx: NDArray[np.float64], *p: float) -> NDArray[np.float64]:
        return fringe_model(xx, **dict(zip(names, p, strict=True)))

    def jac(xx: NDArray[np.float64], *p: float) -> NDArray[np.float64]:
        return _jacobian(xx, np.asarray(p), harmonics)

    p0 = np.array(start, dtype=float)
    p0[2] = p0[2] / scale  # period in units of the scan width
    xs = x / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optimize.OptimizeWarning)
        popt, _ = optimize.curve_fit(model, xs, y, p0=p0, sigma=s, jac=jac, maxfev=20000)
    w = 1.0 if s is None else 1.0 / s
    resid = (y - model(xs, *popt)) * w
    chi2 = float(np.sum(resid**2))
    popt = np.array(popt, dtype=float)
    popt[2] *= scale
    J = _jacobian(x, popt, harmonics) * np.broadcast_to(w, x.shape)[:, None]
    cov = np.linalg.pinv(J.T @ J)
    if s is None:
        cov = cov * chi2 / max(x.size - popt.size, 1)
    return popt, cov, chi2


def fit_fringe(
    detuning_hz: ArrayLike,
    y: ArrayLike,
    sigma: ArrayLike | None = None,
    *,
    harmonics: int = 1,
    period_guess_hz: float | None = None,
    min_contrast: float = 1e-6,
) -> FringeFit:
    """Fit a Ramsey fringe y(δ) (δ in Hz); see the module docstring for the models.

    ``sigma``: standard errors of y (then χ² is meaningful and the intervals absolute).
    ``period_guess_hz``: start from this period instead of the periodogram. With
    ``harmonics=2`` and no guess, the fundamental is either the strongest periodogram peak or
    half its frequency; half is chosen only when that first harmonic is significant (> 3σ).

    Examples
    --------
    >>> d = np.linspace(-150e3, 150e3, 121)
    >>> y = np.sin(2 * np.pi * d * 7.04e-6) ** 2 / 2 + 0.02 * np.cos(2 * np.pi * d * 7.04e-6)
    >>> fit = fit_fringe(d, y, harmonics=2)
    >>> round(fit.period_hz / 1e3, 1), round(fit.values["contrast2"], 3)
    (142.0, 0.25)
    """
    x = real_values("detuning_hz", detuning_hz).ravel()
    yy = real_values("signal", y).ravel()
    if isinstance(harmonics, (bool, np.bool_)) or harmonics not in (1, 2):
        raise InputError("harmonics", harmonics, "1 or 2")
    if x.shape != yy.shape or x.size < 5:
        raise InputError("detuning_hz", x.size, ">= 5 points, one per signal value")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(yy))):
        raise InputError("signal", "non-finite value", "finite numbers")
    if np.unique(x).size < 2:  # repeated detunings are more data; one detuning is no scan
        raise InputError("detuning_hz", x.tolist()[:3], "at least two distinct detunings")
    s = None
    if sigma is not None:
        s = np.broadcast_to(np.asarray(sigma, dtype=float), yy.shape).copy()
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise InputError("sigma", "non-positive or non-finite", "finite values > 0")
    names = PARAM_NAMES[harmonics]
    n_par = len(names)
    if x.size <= n_par:
        raise InputError("detuning_hz", x.size, f"> {n_par} points for this model")
    scale = float(np.ptp(x)) or 1.0
    w = np.ones_like(yy) if s is None else 1.0 / s
    if np.ptp(yy) == 0.0:  # flat: no fringe, nothing to fit
        vals = {k: 0.0 for k in names}
        vals["offset"] = float(yy[0])
        vals["period_hz"] = float("nan")
        return FringeFit(
            harmonics,
            vals,
            {k: float("nan") for k in names},
            0.0,
            x.size - n_par,
            s is not None,
            False,
            named_covariance(names, np.full((n_par, n_par), np.nan)),
        )
    if period_guess_hz is not None:
        freqs = [1.0 / float(period_guess_hz)]
    else:
        f_grid, power = periodogram(x, yy, s)
        freqs = _peaks(f_grid, power, 3)
    cands: list[_Candidate] = []
    for f0 in freqs:
        trial = [f0] if (harmonics == 1 or period_guess_hz is not None) else [f0, f0 / 2]
        for ft in trial:
            try:
                start = _linear_start(x, yy, w, ft, harmonics)
                popt, pcov, chi2 = _fit_one(x, yy, s, start, harmonics, scale)
            except (RuntimeError, ValueError, np.linalg.LinAlgError):
                continue
            if not np.isfinite(chi2) or popt[2] == 0:
                continue
            cands.append((ft, popt, pcov, chi2))
    if not cands:
        raise InputError("signal", "no convergence", "a signal with a visible fringe")
    best = min(cands, key=lambda c: c[3])
    if harmonics == 2 and period_guess_hz is None:
        # prefer the shorter fundamental unless the longer one's first harmonic is significant
        best = _prefer_short(cands, best)
    _, popt, pcov, chi2 = best
    popt = popt.copy()
    sign = np.ones(n_par)  # parameters negated below: their covariances change sign too
    popt[2] = abs(popt[2])  # a negative period is the same fringe with the phase mirrored
    if best[1][2] < 0:
        popt[3] = -popt[3]
        sign[[2, 3]] = -1.0
        if harmonics == 2:
            popt[5] = -popt[5]
            sign[5] = -1.0
    # canonical form: non-negative amplitudes, phases in (-π, π]
    for ci, pi in ((1, 3), (4, 5)) if harmonics == 2 else ((1, 3),):
        if popt[ci] < 0:
            popt[ci], popt[pi] = -popt[ci], popt[pi] + np.pi
            sign[ci] = -sign[ci]
        popt[pi] = _wrap(popt[pi])
    pcov = pcov * np.outer(sign, sign)
    err = np.sqrt(np.clip(np.diag(pcov), 0.0, None))
    values = {k: float(v) for k, v in zip(names, popt, strict=True)}
    errors = {k: float(e) for k, e in zip(names, err, strict=True)}
    strongest = max(values["contrast"], values.get("contrast2", 0.0))
    strongest_err = errors["contrast"] if strongest == values["contrast"] else errors["contrast2"]
    has = bool(strongest > max(min_contrast, 3 * strongest_err))
    return FringeFit(
        harmonics,
        values,
        errors,
        chi2,
        x.size - n_par,
        s is not None,
        has,
        named_covariance(names, pcov),
    )


def _prefer_short(cands: Sequence[_Candidate], best: _Candidate) -> _Candidate:
    """Two-harmonic fits: keep the best one, unless its fundamental was a halved periodogram
    peak whose first harmonic is not significant; then take the fit at the peak itself."""
    popt, pcov = best[1], best[2]
    c1, e1 = abs(popt[1]), float(np.sqrt(max(pcov[1, 1], 0.0)))
    doubled = [c for c in cands if np.isclose(c[0], 2 * best[0])]
    if doubled and not c1 > max(1e-6, 3 * e1):
        return min(doubled, key=lambda c: c[3])
    return best


def fit_fringe_counts(
    detuning_hz: ArrayLike,
    k: ArrayLike,
    n: ArrayLike,
    *,
    harmonics: int = 1,
    period_guess_hz: float | None = None,
) -> FringeFit:
    """Fit the fraction k/n of runs with a given outcome (for example one atom left), with
    binomial errors σ = √(p̂(1-p̂)/n), p̂ = (k + ½)/(n + 1) (never zero).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> d = np.linspace(-150e3, 150e3, 61)
    >>> k = rng.binomial(200, np.cos(2 * np.pi * d * 7.04e-6) ** 2)
    >>> fit = fit_fringe_counts(d, k, 200)
    >>> abs(fit.period_hz - 1 / (2 * 7.04e-6)) < 3 * fit.errors["period_hz"]
    True
    """
    kk = np.asarray(k, dtype=float)
    nn = np.broadcast_to(np.asarray(n, dtype=float), kk.shape)
    if np.any(nn <= 0) or np.any(kk < 0) or np.any(kk > nn):
        raise InputError("counts", "k, n", "0 <= k <= n, n > 0")
    p_hat = (kk + 0.5) / (nn + 1.0)
    sigma = np.sqrt(p_hat * (1 - p_hat) / nn)
    return fit_fringe(
        detuning_hz, kk / nn, sigma, harmonics=harmonics, period_guess_hz=period_guess_hz
    )


# ----------------------------------------------------------------------------- Ramsey signals


def fringe_fits(
    signals: RamseySignals,
    names: tuple[str, ...] = SIGNALS,
    *,
    harmonics: int = 1,
) -> dict[str, FringeFit]:
    """Fringe fit (:func:`fit_fringe`) of each named signal of a simulated Ramsey scan.

    The fits of model curves carry no statistical weight (σ = 1, covariance scaled by the
    residuals): their errors measure how far the curve is from a pure cosine.

    Parameters
    ----------
    signals : spinpair.sequence.ramsey_scan.RamseySignals
        The scan (detunings [Hz] and probabilities).
    names : tuple of str, optional
        Signals to fit, from ``P0``, ``P1``, ``P2``, ``survival``, ``mean_number``.
    harmonics : int, optional
        Harmonics of the fringe model (default 1, a cosine).

    Returns
    -------
    dict of str to FringeFit
        Per signal: values (offset, contrast, ``period_hz`` [Hz], phase [rad]), errors,
        68 % intervals, χ², ``has_fringe``.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> from spinpair.sequence.ramsey_scan import ramsey_signals
    >>> s = ramsey_signals(Params(), "single", 5e-6, None, None, ideal=True)
    >>> round(fringe_fits(s, ("survival",))["survival"].period_hz / 1e3)
    143
    """
    instance("signals", signals, RamseySignals, "RamseySignals (spinpair.ramsey_signals)")
    names = signal_names("names", names, SIGNALS)
    return {
        n: fit_fringe(signals.detuning_hz, signals.signal(n), harmonics=harmonics) for n in names
    }


def signal_names(field: str, names: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` as a tuple of signal names among ``allowed`` (a single name is one)."""
    if isinstance(names, str):
        names = (names,)
    if not isinstance(names, (tuple, list)):
        raise InputError(field, names, f"a tuple of names among {list(allowed)}")
    for n in names:
        if not isinstance(n, str) or n not in allowed:
            raise InputError(field, n, f"names among {list(allowed)}")
    return tuple(names)


def fringe_periods(
    signals: RamseySignals, names: tuple[str, ...] = SIGNALS
) -> dict[str, float | None]:
    """Fitted period (Hz) of each signal; None where the signal shows no fringe.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> from spinpair.sequence.ramsey_scan import ramsey_signals
    >>> s = ramsey_signals(Params(), "chi1", 5e-6, None, np.linspace(-60e3, 60e3, 61),
    ...                    ideal=True)
    >>> round(fringe_periods(s)["P1"] / 1e3)          # kHz: 1/(2 T_eff), T_eff = 7.04 µs
    71
    >>> fringe_periods(s)["survival"] is None         # chi1's per-atom signal is flat
    True
    >>> s = ramsey_signals(Params(), "1,1", 5e-6, 0.0, np.linspace(-50e3, 50e3, 41),
    ...                    ideal=True)   # τ = 0: zero pulse area, both atoms stay in |1⟩
    >>> fringe_periods(s, ("P1", "P0"))
    {'P1': None, 'P0': None}
    """
    fits = fringe_fits(signals, names)
    return {n: (f.period_hz if f.has_fringe else None) for n, f in fits.items()}


def fringe_period_rows(references: Mapping[str, RamseySignals]) -> list[dict[str, Any]]:
    """Fitted periods (Hz) of every signal of chi1, |1,1⟩ and one atom (keys ``chi1``,
    ``1,1``, ``single`` of ``references``, as from
    :func:`~spinpair.sequence.ramsey_scan.ramsey_references`), each with the first-order
    expectation 1/(2 T_eff) or 1/T_eff (None where the signal should be flat). For the P1
    of |1,1⟩ a two-harmonic fit is added (its fundamental is the single-atom period).
    """
    rows: list[dict[str, Any]] = []
    for state, sig in references.items():
        exp = expected_periods(sig.wait_s, sig.half_pi_s, instantaneous=sig.instantaneous)
        names = ("P1", "survival") if state == SINGLE_ATOM else SIGNALS
        fits = fringe_fits(sig, names)
        if state == "1,1":  # fundamental pinned near the single-atom period
            fits["P1 (two-harmonic)"] = fit_fringe(
                sig.detuning_hz, sig.P1, harmonics=2, period_guess_hz=exp["single_atom"]
            )
        for name, fit in fits.items():
            per_atom = name in ("survival", "mean_number") or state == SINGLE_ATOM
            harmonic = name.endswith("(two-harmonic)")
            expected: float | None
            if state == "chi1" or (state == "1,1" and name == "P1"):
                expected = exp["pair"]
            elif per_atom or harmonic or name in ("P0", "P2"):
                expected = exp["single_atom"]
            else:  # pragma: no cover
                expected = float("nan")
            if state == "chi1" and per_atom:
                expected = None  # flat
            rows.append(
                {
                    "state": state,
                    "signal": name,
                    "period_hz": fit.period_hz if fit.has_fringe else None,
                    "period_err_hz": fit.errors["period_hz"] if fit.has_fringe else None,
                    "contrast": fit.contrast,
                    "has_fringe": fit.has_fringe,
                    "expected_period_hz": expected,
                    "effective_time_s": sig.effective_time_s,
                }
            )
    return rows


def fringe_period_table(
    params: Params,
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    ideal: bool = True,
    instantaneous: bool = False,
    protocol: RamseyProtocol | None = None,
) -> list[dict[str, Any]]:
    """Paper Fig. 4 check: simulate chi1, |1,1⟩ and one atom
    (:func:`~spinpair.sequence.ramsey_scan.ramsey_references`, arguments as there; an ideal
    sequence by default) and tabulate their fitted periods (Hz) with
    :func:`fringe_period_rows`.

    Examples
    --------
    >>> from spinpair.params import Params
    >>> rows = fringe_period_table(Params(), 5e-6)
    >>> r = {(x["state"], x["signal"]): x for x in rows}
    >>> ratio = r[("single", "survival")]["period_hz"] / r[("chi1", "P1")]["period_hz"]
    >>> round(ratio, 2)
    2.0
    """
    pr = RamseyProtocol.from_arguments(
        protocol,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        detuning_hz=detuning_hz,
        ideal=ideal if protocol is None else False,
        instantaneous=instantaneous,
    )
    return fringe_period_rows(ramsey_references(params, protocol=pr))


__all__ = [
    "PARAM_NAMES",
    "FringeFit",
    "fit_fringe",
    "fit_fringe_counts",
    "fringe_fits",
    "fringe_model",
    "fringe_period_rows",
    "fringe_period_table",
    "fringe_periods",
    "periodogram",
]
