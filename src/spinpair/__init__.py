"""spinpair: spin entanglement of an atomic pair through coupling to its thermal motion.

Simulate, analyse and plan tweezer experiments in which spin-changing collisions carry two
atoms from |0,0⟩ into the entangled states chi1 and chi2 (Ruksasakchai et al., 2026).
Docstrings cite the model specification as "spec §N": ``docs/specification.md``, section N.

Examples
--------
>>> import numpy as np
>>> from spinpair import named_state, ideal_counts
>>> float(ideal_counts(named_state("chi1"), np.pi / 2).P1[0])
0.0
"""

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


def __getattr__(name: str):
    """``__version__`` is read from the installed metadata on first use (importlib.metadata
    costs ~70 ms of import time that most commands never need)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("spinpair")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            v = "0.0.0+unknown"
        globals()["__version__"] = v
        return v
    raise AttributeError(f"module 'spinpair' has no attribute {name!r}")


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
