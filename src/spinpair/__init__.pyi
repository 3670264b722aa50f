# Type stub of the top-level package. `spinpair/__init__.py` imports the later steps of the
# flow lazily (module `__getattr__`, so that `import spinpair` stays light), which type
# checkers and IDEs cannot follow: this stub states every public name with its real
# origin, so `spinpair.evolve` has its signature and docstring. Keep it equal to `__all__`
# and `_LAZY` of `__init__.py` (tests/test_api_reference.py checks both).

from ._options import get_options as get_options
from ._options import set_options as set_options
from .analysis import CountData as CountData
from .analysis import chi2_table as chi2_table
from .analysis import fidelity_likelihood as fidelity_likelihood
from .analysis import fidelity_scan as fidelity_scan
from .analysis import read_csv as read_csv
from .analysis.calibrate import calibrate as calibrate
from .analysis.fringes import fringe_fits as fringe_fits
from .analysis.planning import plan_runs as plan_runs
from .dynamics import CollisionSetup as CollisionSetup
from .dynamics import evolve as evolve
from .dynamics import evolve_params as evolve_params
from .errors import InputError as InputError
from .imperfections import Imperfections as Imperfections
from .montecarlo import simulate_counts as simulate_counts
from .params import Params as Params
from .raman import CountProbabilities as CountProbabilities
from .raman import ideal_counts as ideal_counts
from .raman import raman_unitary as raman_unitary
from .sequence import MeasurementSequence as MeasurementSequence
from .sequence import RamseyProtocol as RamseyProtocol
from .sequence import entangled_vs_unentangled as entangled_vs_unentangled
from .sequence.ramsey_scan import ramsey_signals as ramsey_signals
from .species import Species as Species
from .species import get_species as get_species
from .species import pair_zeeman_shift_hz as pair_zeeman_shift_hz
from .species import zeeman_energy_hz as zeeman_energy_hz
from .spin import PairBasis as PairBasis
from .spin import concurrence_pm1 as concurrence_pm1
from .spin import fidelity as fidelity
from .spin import named_ket as named_ket
from .spin import named_state as named_state
from .spin import negativity as negativity
from .spin import purity as purity
from .spin import rho_family as rho_family
from .spin import symmetric_sector as symmetric_sector
from .spin import total_spin_projector as total_spin_projector

__version__: str

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
