"""The paper's parameter set and one function per figure or table it shows.

Each ``figN_data`` function returns the numbers behind a figure; plotting and file output
live in :mod:`spinpair.plots` and :mod:`spinpair.report`.

Example
-------
>>> d = fig2a_data(points=3)
>>> [round(float(x), 3) for x in d["chi1 (entangled)"].P1]
[1.0, 0.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from .params import Params
from .raman import CountProbabilities, ideal_counts
from .spin import named_state


def paper_params() -> Params:
    """The paper's conditions (all defaults of :class:`~spinpair.params.Params`)."""
    return Params()


def fig2a_data(points: int = 201, f: int = 2) -> dict[str, CountProbabilities]:
    """Paper Fig. 2a: ideal P0, P1, P2 versus Ωτ ∈ [0, π] for chi1 and the mixed state."""
    area = np.linspace(0.0, np.pi, points)
    return {
        "chi1 (entangled)": ideal_counts(named_state("chi1", f), area),
        "mixed (unentangled)": ideal_counts(named_state("mixed", f), area),
    }
