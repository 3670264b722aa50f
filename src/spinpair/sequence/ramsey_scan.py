"""Ramsey scans of the full measurement sequence: signals versus detuning (paper Fig. 4;
spec §6).

This module simulates; the fringe fits of these signals are in
:mod:`spinpair.analysis.fringes` and the Fisher information in :mod:`spinpair.metrology`.
The single Raman pulse of the measurement sequence is replaced by π/2 – T – π/2 on each
atom (finite square pulses, exact propagation, detuning δ during pulses and wait; see
:mod:`spinpair.sequence.ramsey`), and every other step — preparation, collisions or a named
state, ejection of |1⟩, losses, detection — is kept. Signals versus δ (Hz):

* ``P0``, ``P1``, ``P2``: probabilities to report 0, 1, 2 atoms;
* ``mean_number`` = P1 + 2 P2 (for the one-atom reference: P1);
* ``survival`` = mean_number / n_atoms, the per-atom probability to remain
  ((P1 + 2 P2)/2 for pairs).

Which signal shows what (instantaneous ideal pulses, φ = 2πδT):

* chi1: P1 = cos²φ, P0 = P2 = sin²φ/2 — period 1/(2T); the per-atom signals are flat
  (each atom of chi1 alone is maximally mixed, survival = ½ for every δ).
* two independent atoms in |1,1⟩: survival = cos²(φ/2), period 1/T (the single-atom fringe);
  P2 = cos⁴(φ/2) has the same fundamental; but P1 = sin²φ/2 is a pure second harmonic at
  1/(2T) with half chi1's contrast.
* one atom in |1⟩ (state ``single``): P1 = survival = cos²(φ/2), period 1/T.

So the paper's "twice as dense" compares chi1's P1 with the *per-atom* signals of
unentangled atoms. Finite π/2 pulses of duration τ lengthen the phase time to
T_eff = T + 4τ/π, to first order in δ/Ω; far from resonance (|δ| ~ Ω) the pulses lose
fidelity and the fringes chirp, so a fitted period depends slightly on the scan width.

Examples
--------
>>> import numpy as np
>>> from spinpair.params import Params
>>> s = ramsey_signals(Params(), "chi1", 5e-6, None, np.linspace(-60e3, 60e3, 61), ideal=True)
>>> round(s.effective_time_s * 1e6, 2)            # µs: T_eff = T + 4τ/π
7.04
>>> bool(np.ptp(s.P1) > 0.9), bool(np.ptp(s.survival) < 1e-9)  # chi1: per-atom signal flat
(True, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..imperfections import Imperfections
from ..params import Params
from ..validation import instance, text
from .core import MeasurementSequence
from .protocol import RamseyProtocol, default_detunings, expected_periods
from .ramsey import (
    PostSelectPM1,
    RamseyPulses,
    SingleAtomReference,
    effective_time_s,
)

#: Signals of a Ramsey scan, in output order.
SIGNALS = ("P0", "P1", "P2", "survival", "mean_number")

#: The entangled pair and the unentangled references of paper Fig. 4.
REFERENCE_STATES = ("chi1", "1,1", "single")

#: ``state`` values that are not named pair states.
SINGLE_ATOM = "single"
FROM_PARAMS = "collisions"


@dataclass(frozen=True)
class RamseySignals:
    """Ramsey signals versus detuning δ (Hz) for one initial state.

    ``n_atoms`` is 2 for pair states and 1 for the one-atom reference. ``acceptance`` is
    the probability that a run survives post-selection (None without post-selection); the
    probabilities are then conditional on acceptance. Times in s, Ω/2π in Hz, area in rad.
    """

    state: str
    n_atoms: int
    detuning_hz: NDArray[np.float64]
    P0: NDArray[np.float64]
    P1: NDArray[np.float64]
    P2: NDArray[np.float64]
    wait_s: float
    half_pi_s: float
    rabi_frequency_hz: float
    instantaneous: bool = False
    acceptance: NDArray[np.float64] | None = None

    @property
    def mean_number(self) -> NDArray[np.float64]:
        """Mean reported atom number P1 + 2 P2."""
        return self.P1 + 2 * self.P2

    @property
    def survival(self) -> NDArray[np.float64]:
        """Per-atom probability to remain: mean_number / n_atoms."""
        return self.mean_number / self.n_atoms

    @property
    def pulse_area_rad(self) -> float:
        """Pulse area Ωτ (rad)."""
        return float(2 * np.pi * self.rabi_frequency_hz * self.half_pi_s)

    @property
    def effective_time_s(self) -> float:
        """T_eff = T + 4τ/π (s), or T for instantaneous pulses."""
        if self.instantaneous:
            return self.wait_s
        return effective_time_s(self.wait_s, self.half_pi_s)

    @property
    def probabilities(self) -> NDArray[np.float64]:
        """(n, 3) array of P0, P1, P2."""
        return np.stack([self.P0, self.P1, self.P2], axis=1)

    def signal(self, name: str) -> NDArray[np.float64]:
        """One of :data:`SIGNALS` by name."""
        if name not in SIGNALS:
            raise InputError("signal", name, f"one of {list(SIGNALS)}")
        return np.asarray(getattr(self, name), dtype=float)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: settings and every signal as lists."""
        out: dict[str, Any] = {
            "state": self.state,
            "n_atoms": self.n_atoms,
            "wait_s": self.wait_s,
            "half_pi_s": self.half_pi_s,
            "rabi_frequency_hz": self.rabi_frequency_hz,
            "pulse_area_rad": self.pulse_area_rad,
            "instantaneous": self.instantaneous,
            "effective_time_s": self.effective_time_s,
            "detuning_hz": self.detuning_hz.tolist(),
            **{k: self.signal(k).tolist() for k in SIGNALS},
        }
        if self.acceptance is not None:
            out["acceptance"] = self.acceptance.tolist()
        return out


def ramsey_sequence(
    params: Params,
    state: str | None = "chi1",
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    *,
    ideal: bool = False,
    instantaneous: bool = False,
    postselect: bool = False,
    protocol: RamseyProtocol | None = None,
) -> MeasurementSequence:
    """The measurement sequence of ``params`` with its Raman pulse replaced by Ramsey pulses.

    ``state``: a named pair state (``chi1``, ``1,1``, ``mixed`` …, spec §1) replacing
    the collision step for pairs prepared in |0,0⟩; ``"single"``: one atom in |1⟩ (the second
    atom removed; the same single-atom channels act on the first); None or ``"collisions"``:
    the collision step of ``params`` (dynamics model or given populations). ``protocol``
    (:class:`~spinpair.sequence.protocol.RamseyProtocol`, or its fields as the loose
    arguments ``wait_s``, ``half_pi_s``, ``ideal``, ``instantaneous``, ``postselect``): τ
    defaults to the π/2 time 1/(4 Ω/2π) of ``params.raman.rabi_frequency_hz`` (Ω is always
    taken from ``params``; another τ gives another pulse area); ``ideal`` turns every
    imperfection off; ``postselect`` inserts :class:`~spinpair.sequence.ramsey.PostSelectPM1`
    before the pulses (the counts are then unnormalised; :func:`ramsey_signals`
    normalises them). The protocol's detunings are not used here (the sequence is scanned
    by :meth:`MeasurementSequence.scan`).

    Examples
    --------
    >>> [s.name for s in ramsey_sequence(Params(), "chi1", 5e-6, ideal=True).steps][:3]
    ['prepare', 'collide', 'raman']
    """
    instance("params", params, Params, "a Params (spinpair.Params)")
    if state is not None:
        text("state", state)
    pr = RamseyProtocol.from_arguments(
        protocol,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        ideal=ideal,
        instantaneous=instantaneous,
        postselect=postselect,
    )
    rabi = params.raman.rabi_frequency_hz
    pr = pr.resolved(rabi)
    assert pr.half_pi_s is not None  # resolved
    imp = Imperfections.ideal() if pr.ideal else params.imperfections
    key = None if state is None else str(state).strip()
    single = key == SINGLE_ATOM
    if key == FROM_PARAMS:
        key = None
    seq = MeasurementSequence.from_params(params, state=None if single else key, ideal=pr.ideal)
    step = RamseyPulses(
        seq.levels, rabi, pr.half_pi_s, pr.wait_s, imp.p_spont_per_pi, pr.instantaneous
    )
    seq = seq.with_step("raman", step)
    if single:
        seq = seq.with_step("collide", SingleAtomReference(seq.levels))
    if pr.postselect:
        if single:
            raise InputError("postselect", True, "only for pair states (not 'single')")
        steps = list(seq.steps)
        i = next(k for k, s in enumerate(steps) if s.name == "raman")
        steps.insert(i, PostSelectPM1(seq.levels))
        seq = dataclasses.replace(seq, steps=tuple(steps))
    return seq


def count_model(
    seq: MeasurementSequence, *, conditional: bool = False
) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """The count probabilities of a Ramsey sequence as a function of the detuning: δ (Hz,
    shape (n,)) → (n, 3) array of P0, P1, P2 (one :meth:`MeasurementSequence.scan` per call).

    ``conditional`` divides by the acceptance P0 + P1 + P2 (for a sequence with
    post-selection, whose counts are unnormalised; rows with zero acceptance are left as
    they are). This is the model that :mod:`spinpair.metrology` differentiates.

    Examples
    --------
    >>> seq = ramsey_sequence(Params(), "chi1", 5e-6, ideal=True, postselect=True)
    >>> model = count_model(seq, conditional=True)
    >>> np.round(model(np.array([0.0])), 6)
    array([[0., 1., 0.]])
    """

    def model(detuning_hz: NDArray[np.float64]) -> NDArray[np.float64]:
        r = seq.scan("detuning_hz", detuning_hz)
        P = np.stack([r.P0, r.P1, r.P2], axis=1)
        if conditional:
            acc = P.sum(axis=1, keepdims=True)
            P = P / np.where(acc > 0, acc, 1.0)
        return P

    return model


def ramsey_signals(
    params: Params,
    state: str | None = "chi1",
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    ideal: bool = False,
    instantaneous: bool = False,
    postselect: bool = False,
    protocol: RamseyProtocol | None = None,
) -> RamseySignals:
    """P0, P1, P2, survival and mean atom number versus the Raman detuning δ.

    Parameters
    ----------
    params : spinpair.params.Params
        The parameter set (Ω/2π from ``params.raman.rabi_frequency_hz``).
    state : str or None, optional
        A named pair state (``chi1``, ``1,1``, ``mixed`` …), ``single`` (one atom in |1⟩) or
        ``collisions``/None (the collision step of ``params``); default ``chi1``.
    wait_s : float, optional
        Free time T between the two π/2 pulses [s], ≥ 0.
    half_pi_s : float, optional
        Pulse duration τ [s] (default the π/2 time 1/(4 Ω/2π)).
    detuning_hz : array_like, optional
        Detunings δ/2π [Hz] (default :func:`default_detunings`).
    ideal : bool, optional
        Turn every imperfection off.
    instantaneous : bool, optional
        No detuning during the pulses (τ → 0).
    postselect : bool, optional
        Condition on both atoms in m = ±1 before the pulses; the probability of that is
        ``acceptance``.
    protocol : RamseyProtocol, optional
        All of the above but ``params`` and ``state`` as one value
        (:class:`~spinpair.sequence.protocol.RamseyProtocol`); then leave the loose
        arguments at their defaults.

    Returns
    -------
    RamseySignals
        The signals (dimensionless probabilities) per detuning and the sequence's times [s].

    Raises
    ------
    spinpair.errors.InputError
        For a negative time, a bad state name or non-finite detunings, or a protocol given
        together with loose arguments.

    Examples
    --------
    >>> s = ramsey_signals(Params(), "1,1", 5e-6, None, [0.0], ideal=True)
    >>> float(s.survival[0]), float(s.P2[0])           # δ = 0: π in total, |1⟩ → |-1⟩
    (1.0, 1.0)
    >>> pr = RamseyProtocol(5e-6, detuning_hz=(0.0,), ideal=True)
    >>> float(ramsey_signals(Params(), "1,1", protocol=pr).P2[0])
    1.0
    """
    instance("params", params, Params, "a Params (spinpair.Params)")
    pr = RamseyProtocol.from_arguments(
        protocol,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        detuning_hz=detuning_hz,
        ideal=ideal,
        instantaneous=instantaneous,
        postselect=postselect,
    ).resolved(params.raman.rabi_frequency_hz)
    seq = ramsey_sequence(params, state, protocol=pr)
    step = next(s for s in seq.steps if s.name == "raman")
    det = pr.detunings()
    r = seq.scan("detuning_hz", det)
    P = np.stack([r.P0, r.P1, r.P2], axis=1)
    acceptance = None
    if pr.postselect:
        acceptance = P.sum(axis=1)
        if np.any(acceptance <= 0):
            raise InputError("postselect", True, "a state with some weight on m = ±1 pairs")
        P = P / acceptance[:, None]
    name = params.collisions.model if state in (None, FROM_PARAMS) else str(state).strip()
    return RamseySignals(
        state=name,
        n_atoms=1 if name == SINGLE_ATOM else 2,
        detuning_hz=det,
        P0=P[:, 0],
        P1=P[:, 1],
        P2=P[:, 2],
        wait_s=step.wait_s,
        half_pi_s=step.half_pi_s,
        rabi_frequency_hz=step.rabi_frequency_hz,
        instantaneous=pr.instantaneous,
        acceptance=acceptance,
    )


def ramsey_references(
    params: Params,
    wait_s: float = 5e-6,
    half_pi_s: float | None = None,
    detuning_hz: ArrayLike | None = None,
    *,
    states: tuple[str, ...] = REFERENCE_STATES,
    ideal: bool = False,
    instantaneous: bool = False,
    protocol: RamseyProtocol | None = None,
) -> dict[str, RamseySignals]:
    """Signals of chi1 and of the unentangled references (``1,1`` and ``single``), under
    one ``protocol`` (or its fields as the loose arguments; no post-selection).

    Examples
    --------
    >>> r = ramsey_references(Params(), 5e-6, None, [0.0], ideal=True)
    >>> sorted(r)
    ['1,1', 'chi1', 'single']
    """
    pr = RamseyProtocol.from_arguments(
        protocol,
        wait_s=wait_s,
        half_pi_s=half_pi_s,
        detuning_hz=detuning_hz,
        ideal=ideal,
        instantaneous=instantaneous,
    )
    return {s: ramsey_signals(params, s, protocol=pr) for s in states}


__all__ = [
    "FROM_PARAMS",
    "REFERENCE_STATES",
    "SIGNALS",
    "SINGLE_ATOM",
    "RamseyProtocol",
    "RamseySignals",
    "count_model",
    "default_detunings",
    "expected_periods",
    "ramsey_references",
    "ramsey_sequence",
    "ramsey_signals",
]
