"""The paper's parameter set and one function per figure or table it shows.

Each ``figN_data`` function returns the numbers behind a figure; plotting and file output
live in :mod:`spinpair.plots` and :mod:`spinpair.report`.

Example
-------
>>> d = fig2a_data(points=3)
>>> [round(float(x), 3) for x in d["chi1"].P1]
[1.0, 0.0, 1.0]
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import numpy as np

from .errors import InputError
from .params import Params
from .raman import CountProbabilities, ideal_counts
from .sequence import EntanglementCurves, entangled_vs_unentangled
from .spin import named_state


def paper_params() -> Params:
    """The paper's conditions (all defaults of :class:`~spinpair.params.Params`)."""
    return Params()


def preset_path(name: str) -> Path:
    """Path of a built-in parameter file: ``paper-like`` (given populations) or
    ``paper-calibrated`` (ergodic + relaxation dynamics calibrated to the paper)."""
    p = files("spinpair") / "presets" / f"{name}.toml"
    if not p.is_file():
        raise InputError("preset", name, "paper-like or paper-calibrated")
    return Path(str(p))


def paper_like_params() -> Params:
    """The paper's conditions with illustrative imperfections (``presets/paper-like.toml``):
    ``given`` populations with chi1 = 0.37 and imperfection values that are *not* in the paper
    but make curves resembling Fig. 2b. See the comments in the file."""
    return Params.from_toml(preset_path("paper-like"))


def fig2b_data(points: int = 101, destroy: bool = False) -> EntanglementCurves:
    """Paper Fig. 2b (``destroy=False``) or Fig. 3a (``destroy=True``): P0, P1, P2 versus
    pulse duration τ from 0 to a π pulse, entangled (c = 1) and unentangled (c = 0) models,
    with the paper-like preset."""
    p = paper_like_params()
    tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, points)
    return entangled_vs_unentangled(p, tau_s=tau, destroy=destroy)


def fig2a_data(points: int = 201, f: int = 2) -> dict[str, CountProbabilities]:
    """Paper Fig. 2a: ideal P0, P1, P2 versus Ωτ ∈ [0, π] for chi1 and the mixed state."""
    area = np.linspace(0.0, np.pi, points)
    return {
        "chi1": ideal_counts(named_state("chi1", f), area),
        "mixed": ideal_counts(named_state("mixed", f), area),
    }


#: The paper's collision products after 100 ms at 0.5 G (chi1 quoted; the split of the
#: rest between 00 and chi2 is this package's illustrative choice).
PAPER_POPULATIONS = {"00": 0.40, "chi1": 0.37, "chi2": 0.23}


def fig1b_data(points: int = 201, models: tuple[str, ...] | None = None) -> dict[str, object]:
    """Collision dynamics at the paper's conditions (paper Fig. 1b, S1): populations versus
    hold time (0–150 ms) for every first-principles model, and for the paper-calibrated
    preset. Returns ``{"models": {name: DynamicsResult}, "calibrated": DynamicsResult}``."""
    from .dynamics import MODELS, evolve_params

    t = np.linspace(0.0, 0.15, points)
    p = paper_params()
    out = {}
    for m in models or MODELS:
        # coherent ground-state oscillations run at kHz: sample them densely
        tm = np.linspace(0.0, 0.15, 30001) if m == "ground-state" else t
        try:
            out[m] = evolve_params(p, tm, model=m)
        except ImportError:  # a model module not installed in this build
            continue
    cal = evolve_params(Params.from_toml(preset_path("paper-calibrated")), t)
    return {"models": out, "calibrated": cal}


def figs4_data(runs: int = 200, points: int = 15, seed: int = 2024) -> dict[str, object]:
    """Paper Fig. S4 / Table S1 on a virtual dataset: the paper-like preset sampled at
    ``points`` pulse durations (0 to a π pulse) with ``runs`` runs each (seeded), then the
    χ² table, the χ²(F) scan on the 2-atom curve and the likelihood fit."""
    from .analysis.fits import FidelityModel, chi2_table, fidelity_likelihood, fidelity_scan
    from .montecarlo import simulate_counts

    p = paper_like_params()
    tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, points)
    data = simulate_counts(p, tau_s=tau, runs=runs, seed=seed)
    model = FidelityModel.from_params(p, "tau_s", tau)
    return {
        "data": data,
        "model": model,
        "table": chi2_table(data, model),
        "scan": fidelity_scan(data, model, "P2"),
        "fit": fidelity_likelihood(data, model, "P2"),
    }
