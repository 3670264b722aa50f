"""Analysis of count data along the flow (spec §5, §6):

* :mod:`~spinpair.analysis.data` — the count CSV (validated reading and atomic writing);
* :mod:`~spinpair.analysis.model` — count probabilities versus the fidelity, nuisances;
* :mod:`~spinpair.analysis.likelihood` — the one multinomial likelihood and the
  maximum-likelihood fidelity fit with MINOS intervals;
* :mod:`~spinpair.analysis.chi2` — χ² tests (Table S1) and the χ²(F) scan (Fig. S4);
* :mod:`~spinpair.analysis.intervals` — Wilson and Clopper–Pearson intervals;
* :mod:`~spinpair.analysis.fidelity` — the whole fidelity analysis of a scan in one call
  (what ``spinpair fit`` prints);
* :mod:`~spinpair.analysis.fringes` — Ramsey fringe fits;
* :mod:`~spinpair.analysis.ramsey` — a Ramsey scan and its analysis in one call (what
  ``spinpair ramsey`` prints);
* :mod:`~spinpair.analysis.ramsey_counts` — fringe fits of measured Ramsey counts (what
  ``spinpair fit`` prints for a ``detuning_hz`` file);
* :mod:`~spinpair.analysis.minos` — the one MINOS wrapper (unavailable ends with a reason);
* :mod:`~spinpair.analysis.results` — what fit results share (named covariance, DataFrames);
* :mod:`~spinpair.analysis.calibrate` — collision-model calibration on populations (its
  parts: ``calibrate_objective``, ``calibrate_search``, ``calibrate_verdict``,
  ``calibrate_result``);
* :mod:`~spinpair.analysis.planning` — how many runs an experiment needs.

The main names are re-exported here; those of ``calibrate`` and ``planning`` on first use
(they pull in the collision dynamics and the virtual experiment). The calibration function
itself is ``spinpair.analysis.calibrate.calibrate`` (or ``spinpair.calibrate``): the
package attribute ``calibrate`` is the module.
"""

from typing import Any

from .chi2 import Chi2Result, FidelityScan, chi2_table, chi2_test, fidelity_scan
from .data import CountData, PopulationData, parse_csv, read_csv, write_csv
from .fidelity import FidelityAnalysis, fidelity_analysis
from .intervals import clopper_pearson, interval, wilson
from .likelihood import FidelityFit, fidelity_likelihood, multinomial_nll
from .minos import MinosInterval, minos_interval
from .model import FidelityModel, Nuisance, NuisanceModel, normalise_curve

_LAZY = {
    "CalibrationResult": "calibrate",
    "Plan": "planning",
    "RamseyCountFit": "ramsey_counts",
    "fit_ramsey_counts": "ramsey_counts",
    "plan_runs": "planning",
    "fidelity_fisher_information": "planning",
}


def __getattr__(name: str) -> Any:
    """The names of the heavier submodules, imported on first use."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CalibrationResult",
    "Chi2Result",
    "CountData",
    "FidelityAnalysis",
    "FidelityFit",
    "FidelityModel",
    "FidelityScan",
    "MinosInterval",
    "Nuisance",
    "NuisanceModel",
    "Plan",
    "PopulationData",
    "RamseyCountFit",
    "chi2_table",
    "chi2_test",
    "clopper_pearson",
    "fidelity_analysis",
    "fidelity_fisher_information",
    "fidelity_likelihood",
    "fidelity_scan",
    "fit_ramsey_counts",
    "interval",
    "minos_interval",
    "multinomial_nll",
    "normalise_curve",
    "parse_csv",
    "plan_runs",
    "read_csv",
    "wilson",
    "write_csv",
]
