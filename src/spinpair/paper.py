"""The paper's parameter set and one function per figure or table it shows.

Each ``figN_data`` function returns the numbers behind a figure; plotting and file output
live in :mod:`spinpair.plots` and :mod:`spinpair.report`.

Examples
--------
>>> d = fig2a_data(points=3)
>>> [round(float(x), 3) for x in d["chi1"].P1]
[1.0, 0.0, 1.0]
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError
from .params import SCHEMA, Params
from .provenance import STATUS_MEANING as STATUS_MEANING
from .provenance import weakest
from .raman import CountProbabilities, ideal_counts
from .sequence import EntanglementCurves, entangled_vs_unentangled
from .spin import named_state


def paper_params() -> Params:
    """The paper's conditions (all defaults of :class:`~spinpair.params.Params`)."""
    return Params()


def preset_path(name: str) -> Path:
    """Path of a built-in parameter file: ``paper-predicted`` (relaxation dynamics with
    coupled-channel S-matrix rates: nothing fitted), ``paper-like`` (given populations) or
    ``paper-calibrated`` (ergodic + relaxation dynamics calibrated to the paper, zero-range
    rates; superseded by paper-predicted)."""
    p = files("spinpair") / "presets" / f"{name}.toml"
    if not p.is_file():
        raise InputError("preset", name, "paper-predicted, paper-like or paper-calibrated")
    return Path(str(p))


#: The two readings of the paper's "about 0.37" for chi1. ``prepared`` (the default, the
#: presets' reading): the chi1 fraction among pairs prepared in |0,0⟩, so overall
#: 0.93² × 0.37 = 0.32 of all pairs are in chi1; ``overall``: 0.37 of all pairs, so the
#: fraction among prepared pairs is 0.37 / 0.93² = 0.43. The paper's sentence ("the lower
#: probability (about 0.37) with which the entangled state is prepared compared to the
#: initial state for the unentangled pair") allows both.
CHI1_READINGS: tuple[str, ...] = ("prepared", "overall")


def chi1_population(reading: str = "prepared", prep_efficiency: float = 0.93) -> float:
    """The ``collisions.populations.chi1`` that gives the paper's 0.37 under ``reading``
    (:data:`CHI1_READINGS`), with the per-atom preparation efficiency ``prep_efficiency``
    (a pair is in |0,0⟩ with probability ``prep_efficiency``²).

    >>> chi1_population("prepared"), round(chi1_population("overall"), 4)
    (0.37, 0.4278)
    """
    if reading not in CHI1_READINGS:
        raise InputError("chi1_reading", reading, f"one of {list(CHI1_READINGS)}")
    return 0.37 if reading == "prepared" else 0.37 / prep_efficiency**2


def paper_like_params(chi1_reading: str = "prepared") -> Params:
    """The paper's conditions with illustrative imperfections (``presets/paper-like.toml``):
    ``given`` populations with chi1 = 0.37 and imperfection values that are *not* in the paper
    but make curves resembling Fig. 2b. See the comments in the file.

    ``chi1_reading`` (:data:`CHI1_READINGS`): ``overall`` sets chi1 so that 0.37 of *all*
    pairs are in chi1 (0.4278 among the prepared ones) and scales 00 and chi2 down in
    proportion; ``prepared`` (default) is the preset as written.

    >>> p = paper_like_params("overall")
    >>> round(p.collisions.populations["chi1"] * p.imperfections.prep_efficiency**2, 4)
    0.37
    """
    p = Params.from_toml(preset_path("paper-like"))
    if chi1_reading == "prepared":
        return p
    chi1 = chi1_population(chi1_reading, p.imperfections.prep_efficiency)
    pops = dict(p.collisions.populations)
    rest = {k: v for k, v in pops.items() if k != "chi1"}
    scale = (1.0 - chi1) / sum(rest.values())
    new = {**{k: v * scale for k, v in rest.items()}, "chi1": chi1}
    return p.replace({"collisions.populations": new})


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
#: Status of each entry of :data:`PAPER_POPULATIONS`.
PAPER_POPULATIONS_STATUS = {"00": "illustrative", "chi1": "paper", "chi2": "illustrative"}


def _grid_with(t: np.ndarray, t0: float) -> np.ndarray:
    """``t`` with ``t0`` on it exactly (replacing grid points within 1e-12 s of it)."""
    return np.sort(np.append(t[np.abs(t - t0) > 1e-12], t0))


def paper_predicted_params() -> Params:
    """The paper's experiment with the collision step predicted from first principles
    (``presets/paper-predicted.toml``: relaxation model, coupled-channel S-matrix rates,
    computed a_F, rate_scale 1; nothing fitted)."""
    return Params.from_toml(preset_path("paper-predicted"))


def fig1b_data(points: int = 201, models: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Collision dynamics at the paper's conditions (paper Fig. 1b, S1): populations versus
    hold time (0–150 ms) for every first-principles model, and the prediction of the
    paper-predicted preset with its band (:func:`spinpair.studies.prediction.predict_populations`).
    Every time grid contains the hold time of the parameters (the paper's 100 ms)
    exactly, so :func:`fig1b_table` reads populations there without interpolation.
    Returns ``{"models": {name: DynamicsResult}, "predicted": DynamicsResult,
    "band": Prediction}``."""
    import warnings

    from .dynamics import MODELS, evolve_params, population_names
    from .dynamics.regime import RegimeWarning
    from .studies.prediction import predict_populations

    p = paper_params()
    hold = p.collisions.hold_time_s
    t = _grid_with(np.linspace(0.0, 0.15, points), hold)
    out = {}
    for m in models or MODELS:
        # coherent ground-state oscillations run at kHz: sample them densely
        tm = _grid_with(np.linspace(0.0, 0.15, 30001), hold) if m == "ground-state" else t
        try:
            # populations only: no (times, d², d²) states (300 MB for ground-state); the
            # figure compares every model at the paper's conditions, also those outside
            # their regime (secular refuses, ground-state warns): the verdict stays in
            # out[m].info["regime"] for the figure to show, not raised or printed
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RegimeWarning)
                out[m] = evolve_params(
                    p, tm, model=m, e_ops=population_names(p.f), outside_regime="warn"
                )
        except ImportError:  # a model module not installed in this build
            continue
    pp = paper_predicted_params()
    pred = evolve_params(pp, t)
    band = predict_populations(pp, t)
    return {"models": out, "predicted": pred, "band": band}


#: Ranges of the prediction figure: field (G), temperature (K), trap depth (Hz).
PREDICTION_SCANS: dict[str, tuple[float, float, int]] = {
    "collisions.field_gauss": (0.0, 10.0, 41),
    "trap.temperature_k": (10e-6, 90e-6, 17),  # + 10 µK band edge ≤ U0/(10 k_B) = 106 µK
    "trap.depth_hz": (12e6, 60e6, 9),  # 50 µK band edge ≤ U0/(10 k_B) needs ≥ 10.4 MHz
}


def prediction_data() -> dict[str, Any]:
    """The sharper predictions of the paper-predicted preset (issue 20): 00, chi1, chi2 at
    100 ms with their band versus field (0–10 G: the paper ramps to 8.5 G before the Raman
    pulse), temperature and trap depth, and the time scale (hold time at which chi1 peaks
    and at which it first reaches half of its 100 ms value)."""
    from .studies.prediction import scan_prediction

    pp = paper_predicted_params()
    scans = {
        key: scan_prediction(pp, key, np.linspace(lo, hi, n))
        for key, (lo, hi, n) in PREDICTION_SCANS.items()
    }
    return {"scans": scans}


#: The report's design study: evaluation budget, landscape points, total shots, and the
#: nuisance profiled in the fidelity design (p_loss = 0.02 ± 0.01: illustrative, as the
#: paper-like preset's imperfections are).
DESIGN_STUDY: dict[str, Any] = {
    "max_evaluations": 240,
    "landscape_points": 13,
    "shots": 2000,
    "nuisance": {"p_loss": (0.02, 0.01)},
    "toys": 200,
    "seed": 0,
}


def design_data() -> dict[str, Any]:
    """The design tools on the paper's conditions: the preparation optimum of the
    paper-predicted preset (chi1 over hold time, field, depth and temperature) and the
    designed tau points of the paper-like fidelity measurement (Fig. 2b / S4)."""
    from .design import DEFAULT_KNOBS, optimise_preparation
    from .design.measurement import design_fidelity_scan

    c = DESIGN_STUDY
    prep = optimise_preparation(
        paper_predicted_params(),
        "chi1",
        DEFAULT_KNOBS,
        max_evaluations=c["max_evaluations"],
        landscape_points=c["landscape_points"],
        seed=c["seed"],
    )
    scan = design_fidelity_scan(
        paper_like_params(), c["shots"], nuisance=c["nuisance"], toys=c["toys"], seed=c["seed"]
    )
    return {"preparation": prep, "fidelity_scan": scan}


def prediction_numbers(band: Any, time_s: float = 0.1) -> dict[str, Any]:
    """Predicted populations at ``time_s`` with σ, and the time scale, from a
    :class:`~spinpair.studies.prediction.Prediction` on a time grid containing it."""
    t = np.asarray(band.time_s)
    i = int(np.argmin(np.abs(t - time_s)))
    out: dict[str, Any] = {"time_s": float(t[i])}
    for k, v in band.populations.items():
        out[k] = {
            "value": float(v[i]),
            "lower": float(band.lower[k][i]),
            "upper": float(band.upper[k][i]),
            "status": "computed",
        }
    chi1 = band.populations["chi1"]
    j = int(np.argmax(chi1))
    half = np.flatnonzero(chi1 >= 0.5 * chi1[i])
    out["chi1_peak"] = {"time_s": float(t[j]), "value": float(chi1[j]), "status": "computed"}
    out["chi1_half_time_s"] = {
        "value": float(t[half[0]]) if half.size else None,
        "status": "computed",
    }
    return out


def figs4_data(runs: int = 200, points: int = 15, seed: int = 2024) -> dict[str, Any]:
    """Paper Fig. S4 / Table S1 on a virtual dataset: the paper-like preset sampled at
    ``points`` pulse durations (0 to a π pulse) with ``runs`` runs each (seeded), then the
    χ² table, the χ²(F) scan on the 2-atom curve and the likelihood fit."""
    from .analysis.chi2 import chi2_table, fidelity_scan
    from .analysis.likelihood import fidelity_likelihood
    from .analysis.model import FidelityModel
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


# ---------------------------------------------------------------------------------------
# Parameter provenance: which value came from where (shown next to every figure)
# ---------------------------------------------------------------------------------------


def _paper_values() -> dict[str, object]:
    out = {k: v.default for k, v in SCHEMA.items() if v.status == "paper"}
    out["collisions.populations.chi1"] = 0.37  # the paper's P(chi1); 00 and chi2 illustrative
    return out


#: Values the paper quotes (spec §7), by dotted parameter key: the defaults the schema
#: marks ``paper`` (:data:`spinpair.params.SCHEMA`), and the given-mode P(chi1).
PAPER_VALUES: dict[str, object] = _paper_values()

#: Where in the paper a value that is not quoted as a number comes from.
PAPER_SOURCES: dict[str, str] = {
    "imperfections.destroy_coherence": "Ruksasakchai et al. 2026, Fig. 3 text: the destroyed "
    "state is 'an equal mixture of chi_minus and chi1' (coherence 0), and the data agree "
    "with the unentangled model",
}

_TAG = re.compile(
    r"^\s*([A-Za-z0-9_\"]+)\s*=.*#\s*\[(paper|illustrative|calibrated|placeholder|measured"
    r"|computed|setting|tuned)\]"
)
_TABLE = re.compile(r"^\s*\[([A-Za-z0-9_.]+)\]\s*$")


def preset_status(name: str) -> dict[str, str]:
    """Status tags of a built-in preset, read from its ``# [status]`` comments (the preset
    files are the one place where each value's provenance is written down)."""
    out: dict[str, str] = {}
    table = ""
    for line in preset_path(name).read_text(encoding="utf-8").splitlines():
        if m := _TABLE.match(line):
            table = m.group(1) + "."
            continue
        if m := _TAG.match(line):
            out[table + m.group(1).strip('"')] = m.group(2)
    return out


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _unit(key: str) -> str:
    """The unit of a dotted parameter key, from the schema (``1``: a plain number)."""
    if key.startswith("scattering_lengths_bohr."):
        return "a_B"
    if key.startswith("collisions.populations."):
        key = "collisions.populations"
    spec = SCHEMA.get(key)
    if spec is None or spec.range is None:
        return ""
    return spec.unit or "1"


def parameter_rows(
    params: Params,
    preset: str | None = None,
    *,
    ideal: bool = False,
    used: tuple[str, ...] | None = None,
    extra: Mapping[str, tuple[object, str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The exact parameters behind a figure, one row per dotted key with ``value``,
    ``unit``, ``status`` (see :data:`STATUS_MEANING`) and ``source``.

    ``preset`` names the built-in preset ``params`` came from (its ``# [status]`` tags take
    precedence); otherwise a value equal to the paper's is ``paper``, the scattering
    lengths carry their species status (``computed``, ``measured``; a user's value is a
    ``setting``), and the rest are defaults
    (``setting`` for switches, ``illustrative`` for numbers). ``ideal`` marks every
    imperfection as switched off; ``used`` keeps only keys with these prefixes;
    ``extra`` adds figure settings (key → (value, unit, status)).

    Examples
    --------
    >>> rows = {r["key"]: r for r in parameter_rows(paper_like_params(), "paper-like")}
    >>> rows["collisions.populations.chi1"]["status"], rows["collisions.populations.00"]["status"]
    ('paper', 'illustrative')
    >>> rows["scattering_lengths_bohr.a4"]["status"]
    'computed'
    """
    tags = preset_status(preset) if preset else {}
    if not preset:  # defaults equal to a tagged value of the paper-like preset share its tag
        like = _flatten(paper_like_params().to_dict())
        tags = {k: v for k, v in preset_status("paper-like").items() if k in like}
        default = _flatten(params.to_dict())
        tags = {k: v for k, v in tags.items() if default.get(k) == like[k]}
    flat = _flatten({k: v for k, v in params.to_dict().items() if k != "schema_version"})
    flat = {k: v for k, v in flat.items() if not k.startswith("scattering_lengths_bohr.")}
    sp = params.species_data()
    for ch, a in sorted(sp.scattering_lengths_bohr.items()):
        flat[f"scattering_lengths_bohr.a{ch}"] = float(a)
    rows = []
    for key, value in flat.items():
        if used is not None and not any(key == u or key.startswith(u + ".") for u in used):
            continue
        source = f"preset {preset}" if preset else "spinpair default"
        leaf = key.rsplit(".", 1)[-1]
        if key.startswith("collisions.populations."):
            overall = chi1_population("overall", params.imperfections.prep_efficiency)
            status = "illustrative"
            if leaf == "chi1" and abs(float(value) - 0.37) < 1e-12:
                status = "paper"
                source = "paper's 0.37 read as the chi1 fraction among prepared pairs"
            elif leaf == "chi1" and abs(float(value) - overall) < 1e-12:
                status = "paper"
                source = "paper's 0.37 read as the overall chi1 fraction (0.37 / prep_efficiency²)"
            if params.collisions.model != "given":
                status, source = "setting", "unused: the collision model computes populations"
        elif key.startswith("scattering_lengths_bohr."):
            data = sp.scattering_length_data[int(leaf[1:])]
            if tags.get(key) in ("calibrated", "tuned", "illustrative"):
                status = weakest(
                    [str(tags[key]), data.status if data.status != "user" else "setting"]
                )
                source = data.source
            else:
                status, source = data.status, data.source
                if status == "user":
                    status = "setting"
        elif key in ("collisions.chi1_coherence", "imperfections.prep_error_weights"):
            status = "setting"
        elif key in tags:
            status = tags[key]
        elif key in PAPER_VALUES and value == PAPER_VALUES[key]:
            status = "paper"
        elif isinstance(value, (str, bool)) or value is None or key.endswith("detuning_hz"):
            status = "setting"
        else:
            status = "illustrative" if preset else "setting"
        unused_given = key == "collisions.rate_scale" or key.startswith("scattering_lengths")
        if params.collisions.model == "given" and unused_given:
            source = f"not used: collision model 'given' ({source})"
            if key == "collisions.rate_scale":
                status = "setting"
        if status == "paper" and key in PAPER_SOURCES:
            source = PAPER_SOURCES[key]
        if ideal and key.startswith("imperfections."):
            value, status, source = "off (ideal apparatus)", "setting", "ideal=True"
        if isinstance(value, (list, tuple)):
            value = json.dumps(value)
        rows.append(
            {"key": key, "value": value, "unit": _unit(key), "status": status, "source": source}
        )
    for key, (value, unit, status) in (extra or {}).items():
        rows.append(
            {"key": key, "value": value, "unit": unit, "status": status, "source": "this figure"}
        )
    return rows


def figure_params(
    params: Params,
    preset: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """What ``results.json → params`` records for one figure: the preset's name, the full
    parameter set (TOML layout) and the status rows of :func:`parameter_rows`."""
    return {
        "preset": preset or "defaults (spinpair.params.Params())",
        "values": params.to_dict(),
        "rows": parameter_rows(params, preset, **kw),
    }


# ---------------------------------------------------------------------------------------
# Numbers behind the figures
# ---------------------------------------------------------------------------------------


def populations_at(result: Any, time_s: float) -> dict[str, float]:
    """Populations of a :class:`~spinpair.dynamics.DynamicsResult` at exactly ``time_s``
    (which must be on its time grid; raises ``ValueError`` otherwise)."""
    t = np.asarray(result.time_s, dtype=float)
    hit = np.flatnonzero(np.abs(t - time_s) <= 1e-12 * max(1.0, abs(time_s)))
    if hit.size == 0:
        raise ValueError(f"time {time_s} s is not on the grid")
    i = int(hit[np.argmin(np.abs(t[hit] - time_s))])
    return {"time_s": float(t[i]), **{k: float(v[i]) for k, v in result.populations().items()}}


def fig1b_table(d: Mapping[str, Any], time_s: float = 0.1) -> dict[str, dict[str, float]]:
    """Populations at exactly ``time_s`` (default the paper's 100 ms) of each curve of
    :func:`fig1b_data` (first-principles models and ``predicted``)."""
    curves = {**d["models"], "predicted": d["predicted"]}
    return {name: populations_at(res, time_s) for name, res in curves.items()}


def fig2b_numbers(curves: EntanglementCurves) -> dict[str, Any]:
    """P1 and P2 of the entangled and unentangled models at the π/2 pulse (where they differ
    most) from :func:`fig2b_data` curves whose grid runs from 0 to a π pulse."""
    tau = np.asarray(curves.entangled.setting, dtype=float)
    i = int(np.argmin(np.abs(tau - tau[-1] / 2)))
    return {
        "tau_s": float(tau[i]),
        **{
            f"{sig}_{name}": float(getattr(getattr(curves, name), sig)[i])
            for name in ("entangled", "unentangled")
            for sig in ("P0", "P1", "P2")
        },
    }


def fig4_data(
    params: Params | None = None,
    wait_s: float = 5e-6,
    points: int = 101,
) -> dict[str, Any]:
    """Paper Fig. 4: Ramsey signals versus detuning for chi1 and for two atoms starting in
    |1⟩ (ideal sequence, finite π/2 pulses of the parameters' Rabi frequency), their cosine
    fits, and the period table of :func:`spinpair.analysis.fringes.fringe_period_table`.

    The stated periods are first-order: 1/(2 T_eff) for chi1 and 1/T_eff per atom with
    T_eff = T + 4τ/π. With finite pulses the Ramsey phase is not exactly linear in δ (each
    pulse adds a δ-dependent phase, a chirp), so a one-period cosine fitted over the whole
    scan finds a period about 1 % (chi1) to 3 % (two-harmonic P0/P2 of |1,1⟩) different;
    ``period_narrow_hz`` is the chi1 P1 period fitted over the central ± one fringe only,
    which approaches the first-order value.
    """
    from .analysis.fringes import fit_fringe, fringe_fits, fringe_period_table
    from .sequence.protocol import RamseyProtocol
    from .sequence.ramsey_scan import ramsey_signals

    p = params or paper_params()
    ideal = RamseyProtocol(wait_s, ideal=True).resolved(p.raman.rabi_frequency_hz)
    det = ideal.detunings(points=points)
    scan = ideal.with_detunings(det)
    panels: dict[str, Any] = {}
    for key, state, names in (
        ("chi1", "chi1", ("P1",)),
        ("1,1", "1,1", ("P1", "survival")),
    ):
        sig = ramsey_signals(p, state, protocol=scan)
        panels[key] = {"signals": sig, "fits": fringe_fits(sig, names), "names": names}
    table = fringe_period_table(p, protocol=ideal)
    t_eff = ideal.effective_time_s
    fine = np.linspace(-0.5 / t_eff, 0.5 / t_eff, 61)
    s_fine = ramsey_signals(p, "chi1", protocol=ideal.with_detunings(fine))
    narrow = fit_fringe(fine, s_fine.P1, period_guess_hz=0.5 / t_eff)
    return {
        "protocol": ideal,
        "wait_s": wait_s,
        "half_pi_s": ideal.half_pi_s,
        "effective_time_s": float(t_eff),
        "detuning_hz": det,
        "panels": panels,
        "period_table": table,
        "expected_period_hz": {"pair": 0.5 / t_eff, "single_atom": 1.0 / t_eff},
        "span_hz": [float(det.min()), float(det.max())],
        "period_narrow_hz": float(narrow.period_hz) if narrow.has_fringe else None,
        "narrow_span_hz": [float(fine.min()), float(fine.max())],
    }


def fig4_mixture_data(
    wait_s: float = 5e-6, points: int = 101, chi1_reading: str = "prepared"
) -> dict[str, Any]:
    """Paper Fig. 4 (top) as the experiment ran it: the prepared mixture of the paper-like
    preset (chi1 with the paper's 0.37, 00 and chi2, preparation errors and the other
    illustrative imperfections), entangled (chi1 coherence 1) and unentangled (0), its
    one-atom probability P1 versus detuning, its ``contrast`` (the fitted cosine's
    amplitude, :attr:`~spinpair.analysis.fringes.FringeFit.contrast`; 0 without a
    significant fringe) and ``peak_to_peak`` (max − min of P1 over the scan).

    Examples
    --------
    >>> c = fig4_mixture_data(points=41)["contrast"]
    >>> 0.0 < c.get("unentangled") < c.get("entangled") < 0.15
    True
    """
    from .analysis.fringes import fit_fringe
    from .sequence.protocol import RamseyProtocol
    from .sequence.ramsey_scan import ramsey_signals

    base = paper_like_params(chi1_reading)
    protocol = RamseyProtocol(wait_s).resolved(base.raman.rabi_frequency_hz)
    det = protocol.detunings(points=points)
    protocol = protocol.with_detunings(det)
    out: dict[str, Any] = {
        "protocol": protocol,
        "wait_s": wait_s,
        "half_pi_s": protocol.half_pi_s,
        "detuning_hz": det,
        "chi1_reading": chi1_reading,
        "signals": {},
        "fits": {},
        "contrast": {},
        "peak_to_peak": {},
    }
    for name, c in (("entangled", 1.0), ("unentangled", 0.0)):
        p = base.replace({"collisions.chi1_coherence": c})
        sig = ramsey_signals(p, None, protocol=protocol)
        fit = fit_fringe(det, sig.P1, period_guess_hz=0.5 / sig.effective_time_s)
        out["signals"][name] = sig
        out["fits"][name] = fit
        out["peak_to_peak"][name] = float(np.max(sig.P1) - np.min(sig.P1))
        out["contrast"][name] = abs(float(fit.contrast)) if fit.has_fringe else 0.0
    out["effective_time_s"] = float(out["signals"]["entangled"].effective_time_s)
    return out


def zeeman_table(params: Params | None = None) -> dict[str, dict[str, float]]:
    """Pair Zeeman shifts E(chi_k) − E(00) (Hz, Breit–Rabi) at the hold and Raman fields."""
    from .species import pair_zeeman_shift_hz

    p = params or paper_params()
    sp = p.species_data()
    return {
        f"{b:g} G": {f"chi{k}": float(pair_zeeman_shift_hz(sp, k, b)) for k in range(1, sp.f + 1)}
        for b in (p.collisions.field_gauss, p.raman.field_gauss)
    }
