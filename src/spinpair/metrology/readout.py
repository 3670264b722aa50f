"""Fisher information of the Ramsey readouts of one pair state through the full measurement
sequence (spec §6, paper Fig. 4).

The count probabilities come from :func:`spinpair.sequence.ramsey_scan.count_model` (the
exact sequence with finite pulses and imperfections), their δ-derivatives from central
differences, and the information from :func:`spinpair.metrology.bounds.fisher_information`
(per run, Hz⁻²). Three readouts: the full 0/1/2-atom count distribution, "one atom or not",
and the mean atom number.

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.metrology.bounds import sql_fisher
>>> T = 5e-6
>>> fr = ramsey_fisher(Params(), "chi1", T, None, [1e3], ideal=True, instantaneous=True)
>>> round(float(fr.counts[0] / sql_fisher(T)), 6)   # Heisenberg: twice the SQL
2.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..params import Params
from ..sequence.protocol import RamseyProtocol
from ..sequence.ramsey_scan import count_model, ramsey_sequence
from ..validation import instance
from .bounds import (
    derivative_step_hz,
    fisher_information,
    moment_fisher,
    probability_derivatives,
    qfi_after_first_pulse,
    sql_fisher,
)


@dataclass(frozen=True)
class RamseyFisher:
    """Classical Fisher information per run (1/Hz²) of the Ramsey readouts of one state.

    ``counts``: the full 0/1/2-atom count distribution; ``p1_binary``: only "one atom or
    not"; ``mean_number``: an estimator using the mean atom number (equivalently the
    per-atom survival). ``sql`` = 2 (2π T_eff)², ``qfi`` the ceiling of the ideal state
    (None for the one-atom reference and collision-model states).
    """

    state: str
    detuning_hz: NDArray[np.float64]
    effective_time_s: float
    counts: NDArray[np.float64]
    p1_binary: NDArray[np.float64]
    mean_number: NDArray[np.float64]
    sql: float
    qfi: float | None

    def best(self, readout: str = "counts") -> tuple[float, float]:
        """(δ in Hz, F in 1/Hz²) where the readout's Fisher information is largest."""
        F = getattr(self, readout)
        i = int(np.argmax(F))
        return float(self.detuning_hz[i]), float(F[i])

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (arrays as lists)."""
        return {
            "state": self.state,
            "detuning_hz": self.detuning_hz.tolist(),
            "effective_time_s": self.effective_time_s,
            "fisher_counts": self.counts.tolist(),
            "fisher_p1_binary": self.p1_binary.tolist(),
            "fisher_mean_number": self.mean_number.tolist(),
            "sql": self.sql,
            "qfi": self.qfi,
        }


def ramsey_fisher(
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
) -> RamseyFisher:
    """Fisher information per run (Hz⁻²) of each Ramsey readout versus δ (Hz), through the
    full sequence model (arguments as :func:`spinpair.sequence.ramsey_scan.ramsey_signals`;
    default detunings: one chi1 fringe, ±1/(4 T_eff); ``protocol`` as there). With
    ``postselect`` the information is per kept run.

    Examples
    --------
    >>> fr = ramsey_fisher(Params(), "1,1", 5e-6, None, [2e4], ideal=True, instantaneous=True)
    >>> round(float(fr.counts[0] / fr.sql), 6)         # independent atoms: the SQL
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
    T_eff = pr.effective_time_s
    if T_eff <= 0:
        raise InputError("wait_s", pr.wait_s, "> 0 (no phase time, no information)")
    if pr.detuning_hz is None:
        det = np.linspace(-0.25 / T_eff, 0.25 / T_eff, 101)
    else:
        det = pr.detunings()
    p, dp, d2p = probability_derivatives(
        count_model(seq, conditional=pr.postselect), det, derivative_step_hz(T_eff)
    )
    F = fisher_information(p, dp, d2probs=d2p)
    q, dq, d2q = p[:, 1], dp[:, 1], d2p[:, 1]
    binary = fisher_information(
        np.stack([q, 1 - q], 1), np.stack([dq, -dq], 1), d2probs=np.stack([d2q, -d2q], 1)
    )
    mean = moment_fisher([0.0, 1.0, 2.0], p, dp, d2p)
    qfi = None
    name = params.collisions.model if state is None else str(state)
    if state is not None and name not in ("single", "collisions"):
        qfi = qfi_after_first_pulse(name, T_eff, params.f)
    return RamseyFisher(name, det, T_eff, F, binary, mean, sql_fisher(T_eff), qfi)


__all__ = ["RamseyFisher", "ramsey_fisher"]
