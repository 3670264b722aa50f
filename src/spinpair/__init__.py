"""spinpair: spin entanglement of an atomic pair through coupling to its thermal motion.

Simulate, analyse and plan tweezer experiments in which spin-changing collisions carry two
atoms from |0,0⟩ into the entangled states chi1 and chi2 (Ruksasakchai et al., 2026).

Example
-------
>>> import numpy as np
>>> from spinpair import named_state, ideal_counts
>>> float(ideal_counts(named_state("chi1"), np.pi / 2).P1[0])
0.0
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("spinpair")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from .errors import InputError
from .imperfections import Imperfections
from .params import Params
from .raman import CountProbabilities, ideal_counts, raman_unitary
from .species import Species, get_species, pair_zeeman_shift_hz, zeeman_energy_hz
from .spin import (
    PairBasis,
    concurrence_pm1,
    fidelity,
    named_ket,
    named_state,
    negativity,
    purity,
    rho_family,
    symmetric_sector,
    total_spin_projector,
)

__all__ = [
    "CountProbabilities",
    "Imperfections",
    "InputError",
    "PairBasis",
    "Params",
    "Species",
    "__version__",
    "concurrence_pm1",
    "fidelity",
    "get_species",
    "ideal_counts",
    "named_ket",
    "named_state",
    "negativity",
    "pair_zeeman_shift_hz",
    "purity",
    "raman_unitary",
    "rho_family",
    "symmetric_sector",
    "total_spin_projector",
    "zeeman_energy_hz",
]
