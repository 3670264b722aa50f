"""The whole fidelity analysis of one Raman count scan, in one call (spec §5, §6).

:func:`fidelity_analysis` runs what a physicist reports for a scan: the likelihood fit of
the chi1 fidelity F with MINOS intervals and the rejection of F ≤ 1/2, the χ² scan of F on
the chosen curve and on all curves, the χ² table of the entangled and unentangled models,
the goodness of fit at the best F, per-point binomial intervals and the model's contrast
(how much the data can say about F at all). The command ``spinpair fit`` prints it; a
script or notebook gets the same numbers from the same function.

Examples
--------
>>> from spinpair.paper import paper_params, preset_path
>>> from spinpair.params import Params
>>> from spinpair.montecarlo import simulate_counts
>>> p = Params.from_toml(preset_path("paper-like"))
>>> data = simulate_counts(p, tau_s=[0.0, 0.8e-6, 1.6e-6], runs=400, seed=1)
>>> res = fidelity_analysis(data, p, curve="P2")
>>> 0.0 <= res.fit.best <= 1.0, sorted(res.chi2_table)
(True, ['entangled', 'unentangled'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..provenance import Provenance

if TYPE_CHECKING:  # pragma: no cover
    from ..params import Params
    from .chi2 import FidelityScan
    from .data import CountData
    from .likelihood import FidelityFit
    from .model import FidelityModel, Nuisance

#: Below this largest |P_entangled − P_unentangled| the data cannot constrain F.
MIN_CONTRAST = 0.01


@dataclass(frozen=True)
class FidelityAnalysis:
    """Every number of one fidelity analysis (see :func:`fidelity_analysis`).

    ``contrast``: the largest |P_N(F = 1) − P_N(F = 0)| over settings and N; below
    :data:`MIN_CONTRAST` the data carry no information on F (``informative`` is False).
    """

    data: CountData
    params: Params
    model: FidelityModel
    curve: str
    fit: FidelityFit
    scan: FidelityScan
    scan_all: FidelityScan
    chi2_table: dict[str, dict[str, dict[str, float | int | None]]]
    chi2_best_fit: dict[str, dict[str, float | int | None]]
    interval_method: str
    cl: float
    lower: np.ndarray
    upper: np.ndarray
    contrast: float

    @property
    def provenance(self) -> Provenance:
        """What the fitted fidelity rests on: the model's inputs (the sequence at c = 0
        and 1; fitted nuisances count as ``calibrated``) and the fit itself
        (``calibrated``: fitted to data, with the model named). Never above the weakest."""
        base = self.model.provenance or Provenance.from_params(self.params)
        inputs = dict(base.inputs)
        for name in self.fit.nuisance:
            key = name if "." in name else f"imperfections.{name}"
            if key in inputs:
                inputs[key] = "calibrated"
        return Provenance.build(
            inputs,
            base.sources,
            method=f"{self.fit.method}, {self.curve} curve; model: {base.method}",
            method_status="calibrated",
        )

    @property
    def informative(self) -> bool:
        """Whether the entangled and unentangled models differ by ≥ :data:`MIN_CONTRAST`."""
        return self.contrast >= MIN_CONTRAST

    def as_dict(self) -> dict[str, Any]:
        """The ``spinpair fit --json`` object (keys fixed by ``docs/cli.md``; NaN kept as NaN,
        the JSON writer turns it into ``null``)."""
        fit = self.fit.as_dict()
        d = self.data
        return {
            "fidelity": self.fit.best,
            "fidelity_interval_68": list(self.fit.interval_68),
            "fidelity_lower_95": self.fit.lower_95,
            "chi2_table": self.chi2_table,
            "unentangled_rejection_sigma": self.fit.unentangled_rejection_sigma,
            "curve": self.curve,
            "method": self.fit.method,
            "at_boundary": self.fit.at_boundary,
            "nuisance": fit["nuisance"],
            "nuisance_errors": fit["nuisance_errors"],
            "chi2_best_fit": self.chi2_best_fit,
            "fidelity_scan": self.scan.as_dict(),
            "fidelity_scan_all": self.scan_all.as_dict(grid=False),
            "contrast": self.contrast,
            "provenance": self.provenance.as_dict(),
            "points": {
                "setting_name": d.setting_name,
                "setting": d.setting.tolist(),
                "runs": d.runs.tolist(),
                "fraction": d.fractions().tolist(),
                "lower": self.lower.tolist(),
                "upper": self.upper.tolist(),
                "interval": self.interval_method,
                "cl": self.cl,
            },
        }


def fidelity_analysis(
    data: CountData,
    params: Params,
    *,
    curve: str | int = "P2",
    nuisance: Sequence[Nuisance] | Mapping[str, tuple[float, float]] | None = None,
    destroy: bool = False,
    interval_method: str = "wilson",
    cl: float = 0.682689492,
) -> FidelityAnalysis:
    """Fit the chi1 fidelity of a Raman count scan and test the models (spec §5, §6).

    ``data``: counts versus pulse duration (``tau_s`` [s]) or area (``area`` [rad]);
    ``params``: the apparatus (collision populations, Raman Rabi frequency [Hz],
    imperfections); ``curve``: ``"P0"``, ``"P1"``, ``"P2"`` or ``"all"`` for the fit and the
    scan (or as on the command line: ``0``, ``1``, ``2``); ``nuisance``: imperfections
    fitted alongside F with Gaussian or flat priors;
    ``destroy``: the entanglement-destruction step is in the sequence; ``interval_method``
    and ``cl``: per-point binomial intervals (``"wilson"`` or ``"clopper-pearson"``).

    The fit is :func:`~spinpair.analysis.likelihood.fidelity_likelihood` (MINOS intervals, or
    a stated reason where none is found); the scan is
    :func:`~spinpair.analysis.chi2.fidelity_scan`.
    """
    from ..errors import check_range
    from ..validation import text
    from .chi2 import chi2_table, chi2_test, fidelity_scan
    from .intervals import interval
    from .likelihood import fidelity_likelihood
    from .model import FidelityModel, NuisanceModel, as_nuisances, normalise_curve

    curve = normalise_curve(curve)
    text("interval_method", interval_method)
    check_range("cl", cl, 0.0, 1.0, lo_open=True, hi_open=True)
    nus = as_nuisances(nuisance)
    model = FidelityModel.from_data(params, data, destroy=destroy)
    contrast = float(np.max(np.abs(model.p_entangled - model.p_unentangled)))
    factory = (
        NuisanceModel(params, data.setting_name, data.setting, nus, destroy=destroy)
        if nus
        else None
    )
    scan = fidelity_scan(data, model, curve)
    scan_all = scan if curve == "all" else fidelity_scan(data, model, "all")
    fit = fidelity_likelihood(data, model, curve, nuisance=nus, factory=factory)
    best_model = model if factory is None else factory(fit.nuisance)
    best = best_model.probs(fit.best)
    lo, hi = interval(data.counts, data.runs[:, None], interval_method, cl)
    return FidelityAnalysis(
        data=data,
        params=params,
        model=model,
        curve=curve,
        fit=fit,
        scan=scan,
        scan_all=scan_all,
        chi2_table=chi2_table(data, model),
        chi2_best_fit={
            c: chi2_test(data, best, c, fitted=1 + len(nus)).as_dict()
            for c in ("P0", "P1", "P2", "all")
        },
        interval_method=interval_method,
        cl=cl,
        lower=np.asarray(lo),
        upper=np.asarray(hi),
        contrast=contrast,
    )


@dataclass(frozen=True)
class ModelCurves:
    """The entangled/unentangled :class:`~spinpair.analysis.model.FidelityModel` on a dense
    grid of settings (``setting``: s or rad), for drawing model lines through data."""

    setting: np.ndarray
    model: FidelityModel


def model_curves(
    data: CountData, params: Params, *, destroy: bool = False, points: int = 201
) -> ModelCurves:
    """The entangled/unentangled model on ``points`` settings from 0 to 1.02 × the largest
    setting of ``data`` (what :func:`spinpair.plots.analysis.plot_data_vs_model` draws)."""
    from .model import FidelityModel

    x_dense = np.linspace(0.0, float(np.max(data.setting)) * 1.02 or 1.0, int(points))
    m = FidelityModel.from_params(params, data.setting_name, x_dense, destroy=destroy)
    return ModelCurves(x_dense, m)


__all__ = ["MIN_CONTRAST", "FidelityAnalysis", "ModelCurves", "fidelity_analysis", "model_curves"]
