"""What the entangled pair buys for magnetometry (spec §6, paper p. 4).

Units: the estimated parameter is the Raman detuning δ in Hz; Fisher informations are per
run in Hz⁻², Cramér–Rao bounds in Hz, field bounds in G.

* :mod:`~spinpair.metrology.bounds`: Fisher information of outcome probabilities,
  Cramér–Rao bound, standard quantum and Heisenberg limits, quantum Fisher information of
  pair states (pure functions, no sequence);
* :mod:`~spinpair.metrology.field`: detuning bounds → magnetic-field bounds (Breit–Rabi
  slope);
* :mod:`~spinpair.metrology.readout`: Fisher information of the Ramsey readouts of one
  state through the full measurement sequence;
* :mod:`~spinpair.metrology.preparation`: prepared mixtures (chi1 with probability p) with
  and without post-selection, and the thresholds that beat the SQL.

Every public name is re-exported here.

Examples
--------
>>> from spinpair.params import Params
>>> T = 5e-6
>>> fr = ramsey_fisher(Params(), "chi1", T, None, [1e3], ideal=True, instantaneous=True)
>>> round(float(fr.counts[0] / sql_fisher(T)), 6)   # Heisenberg: twice the SQL
2.0
"""

from .bounds import (
    classical_fisher,
    cramer_rao_bound_hz,
    derivative_step_hz,
    fisher_information,
    heisenberg_fisher,
    moment_fisher,
    phase_generator,
    probability_derivatives,
    qfi_after_first_pulse,
    qfi_mixed,
    qfi_pure,
    sql_fisher,
    state_after_first_pulse,
)
from .field import detuning_per_gauss, field_bound_gauss
from .preparation import (
    COMPONENTS,
    PreparationCurves,
    PreparationFisher,
    mixture_weights,
    preparation_curves,
    preparation_fisher,
    sql_thresholds,
)
from .readout import RamseyFisher, ramsey_fisher

__all__ = [
    "COMPONENTS",
    "PreparationCurves",
    "PreparationFisher",
    "RamseyFisher",
    "classical_fisher",
    "cramer_rao_bound_hz",
    "derivative_step_hz",
    "detuning_per_gauss",
    "field_bound_gauss",
    "fisher_information",
    "heisenberg_fisher",
    "mixture_weights",
    "moment_fisher",
    "phase_generator",
    "preparation_curves",
    "preparation_fisher",
    "probability_derivatives",
    "qfi_after_first_pulse",
    "qfi_mixed",
    "qfi_pure",
    "ramsey_fisher",
    "sql_fisher",
    "sql_thresholds",
    "state_after_first_pulse",
]
