"""The measurement sequence of the paper with every experimental imperfection (spec §4).

Examples
--------
>>> from spinpair.params import Params
>>> from spinpair.sequence import MeasurementSequence
>>> seq = MeasurementSequence.from_params(Params(), state="mixed", ideal=True)
>>> round(float(seq.run(area=[np.pi / 2]).P1[0]), 6)
0.5
"""

import numpy as np  # noqa: F401  (used by the doctest)

from .core import (
    CollideDynamics,
    CollideGiven,
    Destroy,
    EntanglementCurves,
    InelasticPairLoss,
    LocalChannel,
    MeasurementSequence,
    Prepare,
    RamanPulse,
    Step,
    entangled_vs_unentangled,
    given_spin_state,
)
from .levels import Levels
from .protocol import RamseyProtocol

__all__ = [
    "CollideDynamics",
    "CollideGiven",
    "Destroy",
    "EntanglementCurves",
    "InelasticPairLoss",
    "Levels",
    "LocalChannel",
    "MeasurementSequence",
    "Prepare",
    "RamanPulse",
    "RamseyProtocol",
    "Step",
    "entangled_vs_unentangled",
    "given_spin_state",
]
