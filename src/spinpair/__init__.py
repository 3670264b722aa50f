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

from ._options import get_options, set_options
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

#: The main objects of the later steps of the paper's flow, imported on first use so that
#: ``import spinpair`` stays light (scipy.optimize/stats load only when a fit needs them).
_LAZY = {
    # collision dynamics
    "evolve": "spinpair.dynamics",
    "evolve_params": "spinpair.dynamics",
    "CollisionSetup": "spinpair.dynamics",
    "calibrate": "spinpair.analysis.calibrate",
    # measurement sequence
    "MeasurementSequence": "spinpair.sequence",
    "entangled_vs_unentangled": "spinpair.sequence",
    # count data and fits
    "CountData": "spinpair.analysis",
    "read_csv": "spinpair.analysis",
    "chi2_table": "spinpair.analysis",
    "fidelity_scan": "spinpair.analysis",
    "fidelity_likelihood": "spinpair.analysis",
    "simulate_counts": "spinpair.montecarlo",
    "plan_runs": "spinpair.analysis.planning",
    # Ramsey magnetometry
    "RamseyProtocol": "spinpair.sequence",
    "ramsey_signals": "spinpair.sequence.ramsey_scan",
    "fringe_fits": "spinpair.analysis.fringes",
}


def __getattr__(name: str):
    """Lazy attributes: ``__version__`` (read from the installed metadata on first use;
    importlib.metadata costs ~70 ms that most commands never need) and the objects in
    ``_LAZY``."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            v = version("spinpair")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            v = "0.0.0+unknown"
        globals()["__version__"] = v
        return v
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name])
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spinpair' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CollisionSetup",
    "CountData",
    "CountProbabilities",
    "Imperfections",
    "InputError",
    "MeasurementSequence",
    "PairBasis",
    "Params",
    "RamseyProtocol",
    "Species",
    "__version__",
    "calibrate",
    "chi2_table",
    "concurrence_pm1",
    "entangled_vs_unentangled",
    "evolve",
    "evolve_params",
    "fidelity",
    "fidelity_likelihood",
    "fidelity_scan",
    "fringe_fits",
    "get_options",
    "get_species",
    "ideal_counts",
    "named_ket",
    "named_state",
    "negativity",
    "pair_zeeman_shift_hz",
    "plan_runs",
    "purity",
    "raman_unitary",
    "ramsey_signals",
    "read_csv",
    "rho_family",
    "set_options",
    "simulate_counts",
    "symmetric_sector",
    "total_spin_projector",
    "zeeman_energy_hz",
]
