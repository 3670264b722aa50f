"""Analysis of count data: data model, intervals, chi-square and likelihood fits, fidelity,
fringe fits (spec §5, §6).

The count-data names are re-exported here; Ramsey fringe fits live in their own module.
"""

from .data import CountData, parse_csv, read_csv, write_csv
from .fits import (
    Chi2Result,
    FidelityFit,
    FidelityModel,
    FidelityScan,
    Nuisance,
    NuisanceModel,
    chi2_table,
    chi2_test,
    fidelity_likelihood,
    fidelity_scan,
)
from .intervals import clopper_pearson, interval, wilson

__all__ = [
    "Chi2Result",
    "CountData",
    "FidelityFit",
    "FidelityModel",
    "FidelityScan",
    "Nuisance",
    "NuisanceModel",
    "chi2_table",
    "chi2_test",
    "clopper_pearson",
    "fidelity_likelihood",
    "fidelity_scan",
    "interval",
    "parse_csv",
    "read_csv",
    "wilson",
    "write_csv",
]
