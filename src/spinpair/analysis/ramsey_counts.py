"""Fringe fits of *measured* Ramsey counts: what ``spinpair fit FILE.csv`` (a
``detuning_hz`` column) and ``spinpair ramsey --data FILE.csv`` print.

The data are count rows (:class:`~spinpair.analysis.data.CountData` with setting
``detuning_hz`` in Hz: ``runs``, ``n0``, ``n1``, ``n2``). Repeated scans are just more
rows: the same detunings measured twice and concatenated are fitted together (only fewer
than two distinct detunings is an error). Each signal of :data:`SIGNALS` is fitted with
:func:`~spinpair.analysis.fringes.fit_fringe` (offset + contrast·cos(2πδ/period + phase),
optionally with a second harmonic), weighted by its statistical error per row:

* ``P0``, ``P1``, ``P2`` — fractions k/N with binomial errors √(p̂(1 − p̂)/N),
  p̂ = (k + ½)/(N + 1) (never zero);
* ``mean_number`` — (n1 + 2 n2)/N with the error √(Var n / N) of the mean of the reported
  atom number n ∈ {0, 1, 2} (p̂ as above), and ``survival`` = mean_number/2 (per atom).

The intervals are ±1σ from the covariance (absolute errors: χ²/dof tests the model). With
``wait_s`` (and ``half_pi_s``) the first-order periods 1/(2 T_eff) and 1/T_eff are added
for comparison, T_eff = T + 4τ/π.

Examples
--------
>>> import numpy as np
>>> from spinpair.montecarlo import sample_counts
>>> d = np.tile(np.linspace(-100e3, 100e3, 41), 2)       # two scans, concatenated
>>> p1 = 0.5 + 0.4 * np.cos(2 * np.pi * d / 71e3)
>>> probs = np.stack([(1 - p1) / 2, p1, (1 - p1) / 2], axis=1)
>>> res = fit_ramsey_counts(sample_counts(probs, "detuning_hz", d, 300, seed=2))
>>> fit = res.fits["P1"]
>>> abs(fit.period_hz - 71e3) < 3 * fit.errors["period_hz"]
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..sequence.protocol import RamseyProtocol
from ..sequence.ramsey_scan import SIGNALS
from ..validation import instance, switch
from .data import CountData
from .fringes import FringeFit, fit_fringe, signal_names


def _p_hat(k: NDArray, n: NDArray) -> NDArray:
    """(k + ½)/(n + 1): a fraction that is never 0 or 1 (errors never vanish)."""
    return (k + 0.5) / (n + 1.0)


def count_signals(
    data: CountData,
) -> tuple[dict[str, NDArray[np.float64]], dict[str, NDArray[np.float64]]]:
    """Observed signals of :data:`SIGNALS` per row and their standard errors (see the
    module docstring): two dicts, signal → array (rows,)."""
    n = data.runs.astype(float)
    y: dict[str, NDArray[np.float64]] = {}
    s: dict[str, NDArray[np.float64]] = {}
    for i, name in enumerate(("P0", "P1", "P2")):
        k = data.counts[:, i].astype(float)
        q = _p_hat(k, n)
        y[name], s[name] = k / n, np.sqrt(q * (1 - q) / n)
    q1, q2 = _p_hat(data.n1.astype(float), n), _p_hat(data.n2.astype(float), n)
    var = q1 + 4 * q2 - (q1 + 2 * q2) ** 2  # Var of the reported number n ∈ {0, 1, 2}
    y["mean_number"] = (data.n1 + 2 * data.n2) / n
    s["mean_number"] = np.sqrt(np.maximum(var, 1e-12) / n)
    y["survival"], s["survival"] = y["mean_number"] / 2, s["mean_number"] / 2
    return {k: y[k] for k in SIGNALS}, {k: s[k] for k in SIGNALS}


@dataclass(frozen=True)
class RamseyCountFit:
    """Fringe fits of measured Ramsey counts (see the module docstring).

    ``signals`` and ``sigma``: observed value and standard error per row of each signal;
    ``fits``: one :class:`~spinpair.analysis.fringes.FringeFit` per signal;
    ``expected_period_hz``: the first-order periods (Hz) when the wait was given, else
    None."""

    data: CountData
    signals: dict[str, NDArray[np.float64]]
    sigma: dict[str, NDArray[np.float64]]
    fits: dict[str, FringeFit]
    harmonics: int
    wait_s: float | None = None
    half_pi_s: float | None = None
    expected_period_hz: dict[str, float] | None = None

    @property
    def fringe_period_hz(self) -> dict[str, float | None]:
        """Fitted period (Hz) of every signal; None where the signal has no significant
        fringe."""
        return {k: (f.period_hz if f.has_fringe else None) for k, f in self.fits.items()}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``setting_name`` (``detuning_hz``), ``detuning_hz``, ``runs``, the
        observed ``P0``, ``P1``, ``P2``, ``survival``, ``mean_number`` (lists, one per row)
        and their ``sigma`` (signal → list), ``fringe_period_hz``, ``fringe_fits``,
        ``harmonics``, ``method``, and with a wait ``wait_s``, ``half_pi_s``,
        ``expected_period_hz`` (NaN left as NaN: the JSON writer prints null)."""
        out: dict[str, Any] = {
            "setting_name": "detuning_hz",
            "detuning_hz": self.data.setting.tolist(),
            "runs": self.data.runs.tolist(),
        }
        out.update({k: v.tolist() for k, v in self.signals.items()})
        out["sigma"] = {k: v.tolist() for k, v in self.sigma.items()}
        out["fringe_period_hz"] = self.fringe_period_hz
        out["fringe_fits"] = {k: f.as_dict() for k, f in self.fits.items()}
        out["harmonics"] = self.harmonics
        out["method"] = (
            "weighted least squares (scipy curve_fit), binomial/multinomial errors per row"
        )
        if self.expected_period_hz is not None:
            out["wait_s"] = self.wait_s
            out["half_pi_s"] = self.half_pi_s
            out["expected_period_hz"] = dict(self.expected_period_hz)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`."""
        return self.to_dict()

    def to_dataframe(self) -> Any:
        """A ``pandas.DataFrame`` of every fitted parameter: one row per (``signal``,
        ``parameter``) with ``value``, ``error``, ``lower_68``, ``upper_68``,
        ``has_fringe``. Needs pandas: ``pip install 'spinpair[pandas]'``."""
        from .results import dataframe

        rows = [
            {
                "signal": name,
                "parameter": k,
                "value": v,
                "error": f.errors[k],
                "lower_68": f.intervals_68[k][0],
                "upper_68": f.intervals_68[k][1],
                "has_fringe": f.has_fringe,
            }
            for name, f in self.fits.items()
            for k, v in f.values.items()
        ]
        return dataframe(rows).set_index(["signal", "parameter"])


def fit_ramsey_counts(
    data: CountData,
    *,
    harmonics: int = 1,
    signals: tuple[str, ...] = SIGNALS,
    wait_s: float | None = None,
    half_pi_s: float | None = None,
    instantaneous: bool = False,
    protocol: RamseyProtocol | None = None,
) -> RamseyCountFit:
    """Fit the fringes of measured Ramsey counts (``data.setting_name == "detuning_hz"``).

    ``harmonics``: 1 (a cosine) or 2 (with its second harmonic, for independent atoms'
    P1); ``signals``: which of :data:`SIGNALS` to fit; ``protocol`` (the
    :class:`~spinpair.sequence.protocol.RamseyProtocol` the data were taken with), or its
    ``wait_s`` T and ``half_pi_s`` τ (s) loose, adds the first-order periods (τ needed
    unless ``instantaneous``; the protocol's detunings are the data's, not used).
    """
    instance("data", data, CountData, "a CountData (spinpair.read_csv)")
    signals = signal_names("signals", signals, SIGNALS)
    if isinstance(harmonics, (bool, np.bool_)) or harmonics not in (1, 2):
        raise InputError("harmonics", harmonics, "1 or 2")
    if protocol is not None:
        loose = {"wait_s": wait_s, "half_pi_s": half_pi_s, "instantaneous": instantaneous or None}
        if any(v is not None for v in loose.values()):
            raise InputError(
                "protocol", [k for k, v in loose.items() if v is not None], "a protocol or these"
            )
        wait_s, half_pi_s = protocol.wait_s, protocol.half_pi_s
        instantaneous = protocol.instantaneous
    instantaneous = switch("instantaneous", instantaneous)
    if data.setting_name != "detuning_hz":
        raise InputError(
            "data", data.setting_name, "a detuning_hz column (Hz) for a Ramsey fringe fit"
        )
    for name in signals:
        if name not in SIGNALS:
            raise InputError("signals", name, f"one of {list(SIGNALS)}")
    expected = None
    if wait_s is not None:
        if half_pi_s is None and not instantaneous:
            raise InputError("half_pi_s", None, "the pulse duration tau (s) with wait_s")
        expected = RamseyProtocol(wait_s, half_pi_s, instantaneous=instantaneous).expected_periods
    y, s = count_signals(data)
    fits = {
        name: fit_fringe(data.setting, y[name], s[name], harmonics=harmonics) for name in signals
    }
    return RamseyCountFit(
        data=data,
        signals={k: y[k] for k in signals},
        sigma={k: s[k] for k in signals},
        fits=fits,
        harmonics=harmonics,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        expected_period_hz=expected,
    )


__all__ = ["RamseyCountFit", "count_signals", "fit_ramsey_counts"]
