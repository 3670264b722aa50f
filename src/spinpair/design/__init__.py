"""Design the next experiment: the preparation that makes chi1 most likely
(:func:`optimise_preparation`) and the measurement that pins the fidelity fastest
(:func:`design_fidelity_scan`, :func:`next_shots`).

Examples
--------
>>> from spinpair.params import Params
>>> r = optimise_preparation(Params(), knobs=["hold_time_s"], max_evaluations=120)
>>> r.target
'chi1'
"""

from .knobs import DEFAULT_KNOBS, KNOBS, Knob
from .preparation import TARGETS, PreparationDesign, PreparationObjective, optimise_preparation

__all__ = [
    "DEFAULT_KNOBS",
    "KNOBS",
    "TARGETS",
    "Knob",
    "PreparationDesign",
    "PreparationObjective",
    "optimise_preparation",
]
