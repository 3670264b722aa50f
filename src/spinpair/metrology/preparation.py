"""Prepared mixtures and post-selection: what the paper's chi1 preparation buys for
magnetometry (spec §6, paper p. 4).

The paper makes chi1 with probability p ≈ 0.37; the rest of the collision
products (|0,0⟩, chi2) have no atom in m = ±1: they ignore the pulses, are never ejected and
always count 2 atoms, diluting the signal. The chi1 part has fidelity F_chi1 = (1 + c)/2
(a mixture with chi_minus, which is invariant under U⊗U and always gives one atom).
:func:`preparation_fisher` evaluates three figures of merit per run:

* ``per_run``: the mixture as measured, F_C of p_k = Σ_s w_s p_k^s;
* ``postselected_per_attempt``: the paper's proposal — eject atoms in |0⟩ and |±2⟩ first
  and discard those runs — modelled as conditioning on both atoms in m = ±1 before the
  pulses (the discard carries no information on δ), counted per attempted run;
* ``per_postselected_run``: the same per kept run (divided by the acceptance).

Ideal pulses give closed forms: per kept run F = 4 F_chi1 (2π T_eff)², so post-selected
pairs beat the SQL iff F_chi1 > ½ (exactly the entanglement threshold); per attempted run
F = 4 p F_chi1 (2π T_eff)², beating the SQL iff p F_chi1 > ½; without post-selection the
mixture needs p > ½ even at F_chi1 = 1. :func:`sql_thresholds` solves for these numbers
through the full sequence model. Fisher informations are per run in Hz⁻².

Examples
--------
>>> from spinpair.params import Params
>>> d = np.linspace(-5e4, 5e4, 41)                      # Hz, includes δ = 0
>>> c = preparation_curves(Params(), 5e-6, None, d, ideal=True, instantaneous=True)
>>> r = preparation_fisher(c, 0.37)                       # the paper's p, F_chi1 = 1
>>> round(r.postselected_per_attempt / r.sql, 3), round(r.per_postselected_run / r.sql, 3)
(0.74, 2.0)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._lazy import lazy_module
from ..errors import InputError, check_probability, check_range
from ..params import Params
from ..sequence.protocol import RamseyProtocol
from ..sequence.ramsey_scan import count_model, ramsey_sequence
from ..validation import instance, mapping
from .bounds import derivative_step_hz, fisher_information, probability_derivatives, sql_fisher

optimize = lazy_module("scipy.optimize")


#: Pair spin states whose count curves make up every prepared mixture (linear model).
COMPONENTS = ("chi1", "chi_minus", "00", "chi2")


@dataclass(frozen=True)
class PreparationCurves:
    """Count probabilities (n, 3) and their δ-derivatives for each component state, through
    the full sequence, with and without post-selection (post-selected curves unnormalised:
    they sum to the acceptance). Everything else is linear in the mixture weights."""

    detuning_hz: NDArray[np.float64]
    effective_time_s: float
    probs: dict[str, NDArray[np.float64]]
    dprobs: dict[str, NDArray[np.float64]]
    post_probs: dict[str, NDArray[np.float64]]
    post_dprobs: dict[str, NDArray[np.float64]]
    d2probs: dict[str, NDArray[np.float64]] | None = None
    post_d2probs: dict[str, NDArray[np.float64]] | None = None


def preparation_curves(
    params: Params,
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    ideal: bool = False,
    instantaneous: bool = False,
    protocol: RamseyProtocol | None = None,
) -> PreparationCurves:
    """Evaluate the component curves once (8 sequence scans) for :func:`preparation_fisher`.

    ``protocol`` (:class:`~spinpair.sequence.protocol.RamseyProtocol`, or its fields as the
    loose arguments; its ``postselect`` is not used: both readings are computed). Default
    detunings: one full chi1 period, ±1/(2 T_eff), 240 points (no point on δ = 0).
    """
    instance("params", params, Params, "a Params (spinpair.Params)")
    pr = RamseyProtocol.from_arguments(
        protocol,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        detuning_hz=detuning_hz,
        ideal=ideal,
        instantaneous=instantaneous,
    ).resolved(params.raman.rabi_frequency_hz)
    T_eff = pr.effective_time_s
    if T_eff <= 0:
        raise InputError("wait_s", pr.wait_s, "> 0 (no phase time, no information)")
    if pr.detuning_hz is None:
        det = np.linspace(-0.5 / T_eff, 0.5 / T_eff, 240)
    else:
        det = pr.detunings()
    h = derivative_step_hz(T_eff)
    out: dict[str, dict[str, NDArray]] = {k: {} for k in ("p", "dp", "d2p", "pp", "pdp", "pd2p")}
    for name in COMPONENTS:
        for post in (False, True):
            seq = ramsey_sequence(params, name, protocol=dataclasses.replace(pr, postselect=post))
            p, dp, d2p = probability_derivatives(count_model(seq), det, h)
            out["pp" if post else "p"][name] = p
            out["pdp" if post else "dp"][name] = dp
            out["pd2p" if post else "d2p"][name] = d2p
    return PreparationCurves(
        det, T_eff, out["p"], out["dp"], out["pp"], out["pdp"], out["d2p"], out["pd2p"]
    )


def mixture_weights(
    p_chi1: float, fidelity: float, others: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Weights of chi1, chi_minus, 00, chi2: the chi1 part p with fidelity F is
    p(F chi1 + (1-F) chi_minus); the rest 1 - p is split as ``others`` (default the presets'
    00 : chi2 = 0.40 : 0.23, illustrative: the paper quotes only chi1 ≈ 0.37).

    Examples
    --------
    >>> w = mixture_weights(0.37, 1.0)
    >>> round(w["chi1"], 2), round(w["00"] + w["chi2"], 2)
    (0.37, 0.63)
    """
    p = check_probability("p_chi1", p_chi1)
    F = check_probability("fidelity", fidelity)
    rest = dict(mapping("others", others)) if others is not None else {"00": 0.40, "chi2": 0.23}
    for k, v in rest.items():
        if k not in ("00", "chi2"):
            raise InputError(f"others.{k}", v, "keys 00 and chi2")
        check_range(f"others.{k}", v, 0.0)
    total = sum(rest.values())
    if total <= 0:
        raise InputError("others", rest, "non-negative weights, not all zero")
    return {
        "chi1": p * F,
        "chi_minus": p * (1 - F),
        "00": (1 - p) * rest.get("00", 0.0) / total,
        "chi2": (1 - p) * rest.get("chi2", 0.0) / total,
    }


@dataclass(frozen=True)
class PreparationFisher:
    """Best Fisher information per run (1/Hz², maximised over δ) for a prepared mixture.

    ``per_run``: no post-selection; ``postselected_per_attempt``: with post-selection,
    per attempted run; ``per_postselected_run``: per kept run; ``acceptance``: fraction
    kept; ``sql`` = 2 (2π T_eff)²; ``*_detuning_hz`` where the maximum lies.
    """

    p_chi1: float
    fidelity: float
    per_run: float
    postselected_per_attempt: float
    per_postselected_run: float
    acceptance: float
    sql: float
    per_run_detuning_hz: float
    postselected_detuning_hz: float

    def beats_sql(self) -> dict[str, bool]:
        """Which figure of merit exceeds the SQL."""
        return {
            "per_run": self.per_run > self.sql,
            "postselected_per_attempt": self.postselected_per_attempt > self.sql,
            "per_postselected_run": self.per_postselected_run > self.sql,
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary, with the ratios to the SQL."""
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["ratio_to_sql"] = {
            k: getattr(self, k) / self.sql
            for k in ("per_run", "postselected_per_attempt", "per_postselected_run")
        }
        d["beats_sql"] = self.beats_sql()
        return d


def preparation_fisher(
    curves: PreparationCurves,
    p_chi1: float,
    fidelity: float = 1.0,
    others: Mapping[str, float] | None = None,
) -> PreparationFisher:
    """Fisher information of a prepared mixture, with and without post-selection.

    Examples
    --------
    >>> d = np.linspace(-5e4, 5e4, 41)                      # Hz, includes δ = 0
    >>> c = preparation_curves(Params(), 5e-6, None, d, ideal=True, instantaneous=True)
    >>> r = preparation_fisher(c, 1.0, 1.0)
    >>> round(r.per_run / r.sql, 3), round(r.per_postselected_run / r.sql, 3)
    (2.0, 2.0)
    """
    instance("curves", curves, PreparationCurves, "PreparationCurves (preparation_curves)")
    w = mixture_weights(p_chi1, fidelity, others)
    P = sum(w[k] * curves.probs[k] for k in COMPONENTS)
    dP = sum(w[k] * curves.dprobs[k] for k in COMPONENTS)
    Q = sum(w[k] * curves.post_probs[k] for k in COMPONENTS)
    dQ = sum(w[k] * curves.post_dprobs[k] for k in COMPONENTS)
    d2P = d2Q = None
    if curves.d2probs is not None and curves.post_d2probs is not None:
        d2P = sum(w[k] * curves.d2probs[k] for k in COMPONENTS)
        d2Q = sum(w[k] * curves.post_d2probs[k] for k in COMPONENTS)
    F_run = fisher_information(P, dP, d2probs=d2P)
    F_att = fisher_information(Q, dQ, d2probs=d2Q)
    acc = float(np.mean(np.sum(Q, axis=1)))  # δ-independent: selection precedes the pulses
    i, j = int(np.argmax(F_run)), int(np.argmax(F_att))
    return PreparationFisher(
        p_chi1=float(p_chi1),
        fidelity=float(fidelity),
        per_run=float(F_run[i]),
        postselected_per_attempt=float(F_att[j]),
        per_postselected_run=float(F_att[j] / acc) if acc > 0 else 0.0,
        acceptance=acc,
        sql=sql_fisher(curves.effective_time_s),
        per_run_detuning_hz=float(curves.detuning_hz[i]),
        postselected_detuning_hz=float(curves.detuning_hz[j]),
    )


def sql_thresholds(
    curves: PreparationCurves,
    fidelity: float = 1.0,
    others: Mapping[str, float] | None = None,
) -> dict[str, float | None]:
    """Smallest chi1 preparation probability p that beats the SQL per run, for the given
    chi1 fidelity: ``per_run`` (no post-selection) and ``postselected_per_attempt``; and
    the smallest fidelity that beats it per post-selected run (at p = 1). None: never.

    Examples
    --------
    >>> d = np.linspace(-5e4, 5e4, 41)                      # Hz, includes δ = 0
    >>> c = preparation_curves(Params(), 5e-6, None, d, ideal=True, instantaneous=True)
    >>> t = sql_thresholds(c, 1.0)
    >>> round(t["postselected_per_attempt"], 3), round(t["fidelity_per_postselected_run"], 3)
    (0.5, 0.5)
    """
    out: dict[str, float | None] = {}
    for key in ("per_run", "postselected_per_attempt"):

        def gap(p: float, key: str = key) -> float:
            r = preparation_fisher(curves, p, fidelity, others)
            return getattr(r, key) / r.sql - 1.0

        if gap(1.0) <= 0:
            out[key] = None
        elif gap(1e-6) > 0:
            out[key] = 0.0
        else:
            out[key] = float(optimize.brentq(gap, 1e-6, 1.0, xtol=1e-6))

    def gap_f(F: float) -> float:
        r = preparation_fisher(curves, 1.0, F, others)
        return r.per_postselected_run / r.sql - 1.0

    if gap_f(1.0) <= 0:
        out["fidelity_per_postselected_run"] = None
    elif gap_f(0.0) > 0:
        out["fidelity_per_postselected_run"] = 0.0
    else:
        out["fidelity_per_postselected_run"] = float(optimize.brentq(gap_f, 0.0, 1.0, xtol=1e-6))
    return out


__all__ = [
    "COMPONENTS",
    "PreparationCurves",
    "PreparationFisher",
    "mixture_weights",
    "preparation_curves",
    "preparation_fisher",
    "sql_thresholds",
]
