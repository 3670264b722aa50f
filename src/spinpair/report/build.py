"""Build the reproduction report: compute the figure data (:mod:`spinpair.paper`), draw the
figures (:mod:`spinpair.plots`), write ``results.json`` and render ``report.html`` from the
Jinja2 template ``templates/report.html.j2``.

The report only renders: every number on the page is a value of ``results.json``, listed
with the key path it is stored under, the method that produced it and its status.
"""

from __future__ import annotations

import functools
import json
import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..fileio import atomic_write_text, to_jsonable

#: Folder of the Jinja2 template and its stylesheet (package data).
TEMPLATES = Path(__file__).parent / "templates"


def lookup(results: Mapping[str, Any], path: str) -> Any:
    """The value of ``results`` at a dotted key path (list indices as integers), e.g.
    ``"figS4.fit.interval_68.0"``."""
    node: Any = results
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@dataclass
class Number:
    """One number shown on the page, by its key path in ``results.json``."""

    label: str
    path: str
    fmt: str = ".4g"
    unit: str = ""
    method: str = ""
    status: str = "computed"
    scale: float = 1.0

    def render(self, results: Mapping[str, Any]) -> dict[str, Any]:
        v = lookup(results, self.path)
        text = "n/a" if v is None else format(v * self.scale, self.fmt)
        return {
            "label": self.label,
            "path": self.path,
            "value": v,
            "text": text,
            "unit": self.unit,
            "method": self.method,
            "status": self.status,
        }


@dataclass
class Section:
    """One figure or table of the report."""

    id: str
    title: str
    caption: str
    image: str | None = None
    numbers: list[Number] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    params: list[str] = field(default_factory=list)  # keys of results["params"]
    notes: list[str] = field(default_factory=list)


def _fmt_p(p: float | None) -> str:
    return "n/a" if p is None else f"{p:.2g}"


#: The order of the sections on the page (paper order, then what spinpair adds).
REPORT_ORDER = (
    "fig1b",
    "prediction",
    "fig2a",
    "fig2b",
    "fig3",
    "pair_loss",
    "figS4",
    "fig2b_data",
    "fig4",
    "implied_map",
    "design",
    "zeeman",
)


@dataclass(frozen=True)
class FigureJob:
    """One figure still to draw: ``plot(*args, **kwargs)``, a plotting function of
    :mod:`spinpair.plots` and the data it draws. Picklable (the function by reference, the
    data by value), so a worker process can draw and save it: the process that computes the
    data then never imports matplotlib, and no figure object crosses between processes."""

    plot: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self) -> Any:
        """Draw the figure; returns a :class:`matplotlib.figure.Figure`."""
        return self.plot(*self.args, **self.kwargs)


class _Figures(dict[str, FigureJob]):
    """The figures of :func:`compute` by file stem, as :class:`FigureJob`; with
    ``on_figure`` each goes there as soon as its data exist (and is not kept)."""

    def __init__(self, on_figure: Callable[[str, FigureJob], None] | None = None) -> None:
        super().__init__()
        self._on_figure = on_figure

    def draw(self, stem: str, plot: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """The figure ``stem`` is ``plot(*args, **kwargs)``."""
        job = FigureJob(plot, args, kwargs)
        if self._on_figure is None:
            self[stem] = job
        else:
            self._on_figure(stem, job)


def compute(
    points: int = 201, on_figure: Callable[[str, FigureJob], None] | None = None
) -> tuple[dict[str, Any], list[Section], dict[str, FigureJob]]:
    """Compute every figure's data. Returns ``(results, sections, figures)`` where
    ``figures`` maps a file stem to a :class:`FigureJob` (call it for the
    :class:`matplotlib.figure.Figure`); with ``on_figure(stem, job)`` each job goes there as
    soon as its data exist instead (and ``figures`` comes back empty), so that drawing and
    saving can overlap the rest of the computation."""
    from .. import paper
    from ..analysis.intervals import data_points
    from ..plots.analysis import plot_fidelity_scan
    from ..plots.paper import (
        PopulationTrace,
        plot_counts_vs_area,
        plot_dynamics,
        plot_entanglement_curves,
    )
    from ..plots.ramsey import FringeTrace, plot_ramsey_fringes

    res: dict[str, Any] = {
        "schema_version": 1,  # spinpair/schemas/results.schema.json
        "spinpair_version": __version__,
        "generated_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "params": {},
        "status_meaning": paper.STATUS_MEANING,
    }
    sections: list[Section] = []
    figs = _Figures(on_figure)
    half = points // 2 + 1
    p_paper = paper.paper_params()
    p_like = paper.paper_like_params()
    from ..species import placeholder_notice

    # Fig. 1b(a) runs the first-principles models on the built-in 85Rb a_F
    notice = placeholder_notice(p_paper, "ergodic")
    res["placeholders"] = notice["placeholders"] if notice else []
    res["warnings"] = notice["warnings"] if notice else []

    # ---- what the paper implies for the 85Rb scattering lengths (issue 10) ------------
    # the figures are made in the order of their save time (longest first, so that the
    # saving workers finish together: implied map, Fig. 4, 1b, 3, 2b, 2b data, S4, 2a);
    # the sections are listed in REPORT_ORDER
    from ..dynamics.implied import shipped_implied_maps
    from ..plots.implied import plot_implied_maps

    maps, prov = shipped_implied_maps()
    figs.draw(
        "implied_map",
        plot_implied_maps,
        [maps["wide"], maps["zoom"]],
        row_titles=["±1500 $a_B$", "±400 $a_B$"],
    )
    res["implied_map"] = {
        "provenance": prov,
        "summary": {g: {m: r.summary() for m, r in ms.items()} for g, ms in maps.items()},
    }
    any_map = maps["zoom"]["relaxation"]
    res["params"]["implied_map"] = {
        "preset": "paper trap and conditions, rate_scale 1, zero-range rates, a4 computed",
        "values": {
            "hold_time_s": any_map.hold_time_s,
            "field_gauss": any_map.field_gauss,
            "temperature_k": any_map.temperature_k,
            "a4_bohr": any_map.a4_bohr,
        },
        "rows": [
            {
                "key": "collisions.hold_time_s",
                "value": _num(any_map.hold_time_s),
                "unit": "s",
                "status": "paper",
                "source": "Ruksasakchai et al. 2026",
            },
            {
                "key": "collisions.field_gauss",
                "value": _num(any_map.field_gauss),
                "unit": "G",
                "status": "paper",
                "source": "Ruksasakchai et al. 2026",
            },
            {
                "key": "trap.temperature_k",
                "value": _num(any_map.temperature_k),
                "unit": "K",
                "status": "paper",
                "source": "Ruksasakchai et al. 2026",
            },
            {
                "key": "a4",
                "value": _num(any_map.a4_bohr),
                "unit": "a_B",
                "status": "computed",
                "source": "spinpair.scattering (coupled channels, Strauss et al. 2010 potentials)",
            },
            {
                "key": "collisions.rates",
                "value": "zero-range",
                "unit": "",
                "status": "setting",
                "source": "the map asks which zero-range a_F reproduce the paper",
            },
            {
                "key": "a0 − a4, a2 − a4",
                "value": "grid axes",
                "unit": "a_B",
                "status": "setting",
                "source": "this figure",
            },
            {
                "key": "built-in a_F (star)",
                "value": ", ".join(_num(v) for v in any_map.builtin),
                "unit": "a_B",
                "status": "computed",
                "source": "spinpair.scattering (coupled channels)",
            },
            {
                "key": "collisions.rate_scale",
                "value": "1",
                "unit": "",
                "status": "setting",
                "source": "first principles (no calibration)",
            },
            {
                "key": "target chi1",
                "value": _num(any_map.target),
                "unit": "1",
                "status": "paper",
                "source": "chi1 ≈ 0.37 after 100 ms (paper; no uncertainty given)",
            },
            {
                "key": "band half-width around the target",
                "value": _num(any_map.tolerance),
                "unit": "1",
                "status": "setting",
                "source": "this figure (the paper quotes no uncertainty)",
            },
        ],
    }
    rows_tab = []
    for g, ms in res["implied_map"]["summary"].items():
        for m, sm in ms.items():
            small = sm["smallest_difference_scale_bohr"]
            rows_tab.append(
                [
                    g,
                    m,
                    f"{sm['chi1_at_builtin']:.2e}",
                    f"{sm['points_inside']}/{sm['grid_points']}",
                    "none" if small is None else f"{small:g}",
                ]
            )
    sections.append(
        Section(
            "implied_map",
            "What the paper implies for the 85Rb scattering lengths",
            "chi1 after 100 ms at 0.5 G and 40 µK (paper trap, rate_scale 1, zero-range "
            "amplitudes in the a_F) over the differences a0 − a4 and a2 − a4, with a4 at its "
            "coupled-channel value. White contours: chi1 = 0.32 and 0.42, a band of ±0.05 "
            "(this figure's setting: the paper quotes no uncertainty) around the paper's "
            "0.37; white dots: grid points inside that band; star: the built-in coupled-"
            "channel a_F (status computed), inside the band for both relaxation models. The "
            "band contains 1/3, the equal-population steady state, so it bounds the "
            "differences from below rather than fixing them. Precomputed by "
            f"{prov.get('script', 'docs/figures/make_implied_figure.py')} (spinpair "
            f"{prov.get('spinpair_version', '?')}); rerun it to refresh.",
            "implied_map.png",
            tables=[
                {
                    "caption": "Per grid and model (results.json → implied_map.summary): chi1 "
                    "at the built-in a_F, grid points inside the band, and the smallest "
                    "max(|a0 − a4|, |a2 − a4|) inside it (a_B)",
                    "header": [
                        "grid",
                        "model",
                        "chi1 at built-in a_F",
                        "inside band",
                        "smallest difference (a_B)",
                    ],
                    "rows": rows_tab,
                }
            ],
            params=["implied_map"],
        )
    )

    # ---- Fig. 4 -----------------------------------------------------------------------
    d4 = paper.fig4_data(p_paper, 5e-6, points=half)
    chi1_fit = d4["panels"]["chi1"]["fits"]["P1"]
    panels = {}
    titles = {
        "chi1": "chi1 (entangled), ideal sequence",
        "1,1": "both atoms start in |1⟩, ideal sequence",
    }
    for key, pan in d4["panels"].items():
        sig = pan["signals"]
        panels[titles[key]] = [
            FringeTrace(n, sig.detuning_hz, sig.signal(n), None, pan["fits"].get(n))
            for n in pan["names"]
        ]
    figs.draw("fig4", plot_ramsey_fringes, panels)
    res["fig4_periods"] = d4["period_table"]
    res["fig4"] = {
        "wait_s": d4["wait_s"],
        "half_pi_s": d4["half_pi_s"],
        "effective_time_s": d4["effective_time_s"],
        "expected_period_hz": d4["expected_period_hz"],
        "fit_span_hz": d4["span_hz"],
        "chi1_P1_period_hz": chi1_fit.period_hz,
        "chi1_P1_period_narrow_hz": d4["period_narrow_hz"],
        "narrow_span_hz": d4["narrow_span_hz"],
        "method": "one-period cosine fit (spinpair.analysis.fringes.fit_fringe) of the exact "
        "finite-pulse sequence model over the scanned span",
    }
    res["params"]["fig4"] = paper.figure_params(
        p_paper,
        None,
        ideal=True,
        used=("species", "f", "raman"),
        extra={
            "wait_s": (d4["wait_s"], "s", "paper"),
            "half_pi_s": (d4["half_pi_s"], "s", "setting"),
            "detuning_span_hz": (
                f"{d4['span_hz'][0]:.0f} … {d4['span_hz'][1]:.0f}",
                "Hz",
                "setting",
            ),
        },
    )

    def _period(r: Mapping[str, Any]) -> str:
        return "flat" if r["period_hz"] is None else f"{r['period_hz'] / 1e3:.2f}"

    def _exp(r: Mapping[str, Any]) -> str:
        e = r["expected_period_hz"]
        return "flat" if e is None else f"{e / 1e3:.2f}"

    def _p(state: str, signal: str) -> str:
        row = next(r for r in d4["period_table"] if (r["state"], r["signal"]) == (state, signal))
        return _period(row)

    per_rows = [
        [str(r["state"]), str(r["signal"]), _period(r), _exp(r)] for r in d4["period_table"]
    ]
    t_eff = d4["effective_time_s"]
    rabi = p_paper.raman.rabi_frequency_hz
    sections.append(
        Section(
            "fig4",
            f"Fig. 4: Ramsey fringes (T = {d4['wait_s'] * 1e6:g} µs)",
            "Signals versus the Raman detuning after π/2 – T – π/2 with finite square pulses "
            f"(Ω/2π = {rabi / 1e3:g} kHz, τ = {d4['half_pi_s'] * 1e6:.3f} µs, effective time "
            f"T_eff = T + 4τ/π = {t_eff * 1e6:.2f} µs). chi1's 1-atom probability oscillates "
            f"with period ≈ 1/(2 T_eff) = {0.5 / t_eff / 1e3:.2f} kHz (paper: 71 kHz); "
            f"unentangled atoms' per-atom survival with ≈ 1/T_eff = {1 / t_eff / 1e3:.1f} kHz, "
            "while their pair signal P1 also shows the doubled frequency at half the contrast. "
            "Why the fitted periods differ from these first-order values (by up to 3 %): "
            "with finite pulses the Ramsey phase is not exactly linear in δ (each pulse adds a "
            "δ-dependent phase, a chirp that grows away from resonance), and a one-period "
            f"cosine fitted over the whole scan (±{d4['span_hz'][1] / 1e3:.0f} kHz) averages "
            "the chirped fringe (the per-atom survival: "
            f"{_p('1,1', 'survival')} kHz against {1 / t_eff / 1e3:.2f}). P0 and P2 of two "
            "independent atoms are moreover not pure cosines (products of the two atoms' "
            "signals, they hold the doubled frequency too), which pulls a one-period fit to "
            f"{_p('1,1', 'P0')} and {_p('1,1', 'P2')} kHz, on either side. Fitted over the "
            "central fringe only (±"
            f"{d4['narrow_span_hz'][1] / 1e3:.1f} kHz) chi1's P1 gives the period listed "
            "below, close to 1/(2 T_eff). Dashed: cosine fits (legend: fitted period).",
            "fig4.png",
            numbers=[
                Number(
                    "T_eff = T + 4τ/π",
                    "fig4.effective_time_s",
                    ".3f",
                    "µs",
                    method="first-order finite-pulse Ramsey",
                    status="computed",
                    scale=1e6,
                ),
                Number(
                    "expected period, chi1",
                    "fig4.expected_period_hz.pair",
                    ".2f",
                    "kHz",
                    method="1/(2 T_eff)",
                    status="computed",
                    scale=1e-3,
                ),
                Number(
                    "fitted period, chi1 P1 (full scan)",
                    "fig4.chi1_P1_period_hz",
                    ".2f",
                    "kHz",
                    method="cosine fit over the full scan",
                    status="computed",
                    scale=1e-3,
                ),
                Number(
                    "fitted period, chi1 P1 (central fringe)",
                    "fig4.chi1_P1_period_narrow_hz",
                    ".2f",
                    "kHz",
                    method="cosine fit over ±1/(2 T_eff)",
                    status="computed",
                    scale=1e-3,
                ),
                Number(
                    "expected period, one atom",
                    "fig4.expected_period_hz.single_atom",
                    ".2f",
                    "kHz",
                    method="1/T_eff",
                    status="computed",
                    scale=1e-3,
                ),
            ],
            tables=[
                {
                    "caption": "Fitted and first-order periods in kHz (results.json → "
                    "fig4_periods); 'flat': no fringe",
                    "header": ["state", "signal", "fitted", "first order"],
                    "rows": per_rows,
                }
            ],
            params=["fig4"],
        )
    )

    # ---- Fig. 1b / S1: the first-principles prediction -----------------------------------
    d1b = paper.fig1b_data(half)
    hold = p_paper.collisions.hold_time_s
    table1b = paper.fig1b_table(d1b, hold)
    res["fig1b_populations_at_100ms"] = table1b
    res["fig1b_targets"] = {
        k: {"value": v, "status": paper.PAPER_POPULATIONS_STATUS[k]}
        for k, v in paper.PAPER_POPULATIONS.items()
    }
    band = d1b["band"]
    res["prediction"] = paper.prediction_numbers(band, hold)
    res["prediction_band"] = {
        "contributions": sorted(band.contributions),
        "temperature_k": band.temperature_k,
        "temperature_sigma_k": band.temperature_sigma_k,
        "temperature_sigma_status": "setting",
        "notes": band.notes,
    }
    p_pred = paper.paper_predicted_params()
    res["params"]["fig1b_models"] = paper.figure_params(
        p_paper, None, extra={"models": (", ".join(d1b["models"]), "", "setting")}
    )
    res["params"]["fig1b_predicted"] = paper.figure_params(p_pred, "paper-predicted")
    bands = {
        k: (np.clip(band.lower[k], 0, 1), np.clip(band.upper[k], 0, 1))
        for k, v in band.populations.items()
    }
    figs.draw(
        "fig1b",
        plot_dynamics,
        {name: PopulationTrace.of(r) for name, r in d1b["models"].items()},
        PopulationTrace.of(d1b["predicted"]),
        paper_point=paper.PAPER_POPULATIONS,
        paper_time_s=hold,
        point_status=paper.PAPER_POPULATIONS_STATUS,
        reference_label="relaxation, S-matrix rates: predicted",
        band=bands,
    )
    rows = [
        [name, f"{v['time_s'] * 1e3:g}", f"{v['00']:.4f}", f"{v['chi1']:.4f}", f"{v['chi2']:.4f}"]
        for name, v in table1b.items()
    ]
    pr = res["prediction"]
    sections.append(
        Section(
            "fig1b",
            "Fig. 1b / S1: spin-changing collisions, predicted",
            "Populations after a hold at 0.5 G and 40 µK starting from |0,0⟩, with nothing "
            "fitted. (a) chi1 from each collision model with the coupled-channel 85Rb a_F "
            "(spinpair.scattering: a0, a2, a4 = −933, −702, −470 a_B from the Rb2 potentials "
            "of Strauss et al. 2010; status computed) and the relaxation models' rates from "
            "the thermally averaged S-matrix. (b) The prediction of the paper-predicted preset "
            "(relaxation, S-matrix rates, rate_scale 1) with the range its inputs leave open "
            "(shaded: the potentials' uncertainty, sized on the 85Rb 155 G resonance, and "
            "T = 40 ± 10 µK, one at a time, each side in quadrature). "
            "The paper's chi1 = 0.37 (filled circle) lies inside the predicted range "
            "(0.36–0.39: chi1 at 100 ms is near its maximum, so every input moves it down); "
            "the paper quotes "
            "no 00 or chi2 (open squares: this package's illustrative split). chi1 at 100 ms "
            "sits near its transient peak, so it is not a sharp test: the time scale and the "
            "00 and chi2 populations are (next section). The coherent ergodic model alone "
            "stays near 0.07; the secular and ground-state models do not describe a 40 µK pair.",
            "fig1b.png",
            numbers=[
                Number(
                    "chi1 at 100 ms, predicted",
                    "prediction.chi1.value",
                    ".3f",
                    method="relaxation, coupled-channel S-matrix rates, preset paper-predicted",
                    status="computed",
                ),
                Number(
                    "its lower end",
                    "prediction.chi1.lower",
                    ".3f",
                    method="potential knobs ±1σ, T ± 10 µK: downward excursions in quadrature",
                    status="computed",
                ),
                Number(
                    "its upper end",
                    "prediction.chi1.upper",
                    ".3f",
                    method="upward excursions in quadrature (chi1 is near its maximum)",
                    status="computed",
                ),
                Number(
                    "00 at 100 ms, predicted",
                    "prediction.00.value",
                    ".3f",
                    method="as chi1",
                    status="computed",
                ),
                Number(
                    "chi2 at 100 ms, predicted",
                    "prediction.chi2.value",
                    ".3f",
                    method="as chi1",
                    status="computed",
                ),
                Number(
                    "hold time of the chi1 peak",
                    "prediction.chi1_peak.time_s",
                    "g",
                    "ms",
                    method="maximum of chi1 on the time grid",
                    status="computed",
                    scale=1e3,
                ),
                Number(
                    "time the populations are read at",
                    "prediction.time_s",
                    "g",
                    "ms",
                    method="exact grid point (no interpolation)",
                    status="setting",
                    scale=1e3,
                ),
                *[
                    Number(
                        f"target {k} at 100 ms",
                        f"fig1b_targets.{k}.value",
                        ".2f",
                        method="quoted" if s == "paper" else "chosen by spinpair",
                        status=s,
                    )
                    for k, s in paper.PAPER_POPULATIONS_STATUS.items()
                ],
            ],
            tables=[
                {
                    "caption": "Populations at exactly 100 ms (results.json → "
                    "fig1b_populations_at_100ms)",
                    "header": ["model", "t (ms)", "00", "chi1", "chi2"],
                    "rows": rows,
                },
                {
                    "caption": "Prediction at 100 ms with the range the potentials and "
                    "T = 40 ± 10 µK leave open (results.json → prediction)",
                    "header": ["state", "predicted", "range", "paper"],
                    "rows": [
                        [
                            k,
                            f"{pr[k]['value']:.3f}",
                            f"{pr[k]['lower']:.3f}–{pr[k]['upper']:.3f}",
                            "0.37" if k == "chi1" else "not quoted",
                        ]
                        for k in ("00", "chi1", "chi2")
                    ],
                },
            ],
            params=["fig1b_models", "fig1b_predicted"],
        )
    )

    # ---- the sharper predictions: field, temperature, trap depth ------------------------
    dpred = paper.prediction_data()
    res["prediction_scans"] = {k: sc.as_dict() for k, sc in dpred["scans"].items()}
    res["params"]["prediction"] = paper.figure_params(p_pred, "paper-predicted")
    from ..plots.prediction import plot_prediction_scans

    figs.draw("prediction", plot_prediction_scans, res["prediction_scans"])
    fs = dpred["scans"]["collisions.field_gauss"]
    i85 = int(np.argmin(np.abs(fs.values - 8.5)))
    res["prediction_at_8p5G"] = {
        k: {
            "value": float(v[i85]),
            "lower": float(fs.lower[k][i85]),
            "upper": float(fs.upper[k][i85]),
            "status": "computed",
        }
        for k, v in fs.populations.items()
    }
    sections.append(
        Section(
            "prediction",
            "Predictions to test: field, temperature and trap depth",
            "00, chi1 and chi2 after 100 ms predicted by the paper-predicted preset versus "
            "one condition at a time (the others at the paper's: 0.5 G, 40 µK, h × 22 MHz), "
            "with the range the inputs leave open. Field: the quadratic Zeeman energy "
            "(36 Hz × (B/0.5 G)² for chi1) "
            "enters the S-matrix and the detailed balance; at the 8.5 G of the Raman pulses "
            "the collisions keep running at a similar rate (no freeze). Temperature and depth "
            "set the contact density and the collision energies. The trap depth is read as "
            "h × 22 MHz; the appendix's ħ × 22 MHz (h × 3.5 MHz) would hold a 40 µK pair "
            "only 2 k_BT deep, outside this package's harmonic models (k_BT ≤ U0/10).",
            "prediction.png",
            numbers=[
                Number(
                    f"{k} at 100 ms and 8.5 G",
                    f"prediction_at_8p5G.{k}.value",
                    ".3f",
                    method="relaxation, S-matrix rates at 8.5 G",
                    status="computed",
                )
                for k in ("00", "chi1", "chi2")
            ],
            params=["prediction"],
        )
    )

    # ---- Fig. 2b and 3 ----------------------------------------------------------------
    d2b = paper.fig2b_data(half)
    d3a = paper.fig2b_data(half, destroy=True)
    figs.draw(
        "fig3",
        plot_entanglement_curves,
        {"a: with entanglement destruction": d3a, "b: without (interleaved)": d2b},
    )
    figs.draw("fig2b", plot_entanglement_curves, {"paper-like preset": d2b})
    res["fig2b"] = {"entangled": d2b.entangled.as_dict(), "unentangled": d2b.unentangled.as_dict()}
    res["fig2b_at_half_pi"] = paper.fig2b_numbers(d2b)
    res["fig3a"] = {"entangled": d3a.entangled.as_dict(), "unentangled": d3a.unentangled.as_dict()}
    res["fig3a_at_half_pi"] = paper.fig2b_numbers(d3a)
    grid = {"tau_s": (f"0 … π pulse, {half} points", "s", "setting")}
    res["params"]["fig2b"] = paper.figure_params(p_like, "paper-like", extra=grid)
    res["params"]["fig3"] = paper.figure_params(
        p_like, "paper-like", extra={**grid, "destroy": ("on in panel a", "", "setting")}
    )
    seq = "sequence model, preset paper-like"
    # computed from the paper-like preset, whose imperfections (and 00/chi2 split) are
    # illustrative: so are these numbers (the virtual data of Fig. S4 too)
    ill = "illustrative"
    sections.append(
        Section(
            "fig2b",
            "Fig. 2b: the realistic sequence",
            "Probabilities to detect 0 (blue), 1 (red) and 2 (green) atoms after a Raman pulse "
            "of duration τ (0 to a π pulse), ejection of |1⟩ and counting, with the paper-like "
            "preset: chi1 made with probability 0.37 and preparation efficiency 0.93 (paper); "
            "the other imperfections are illustrative. Solid: chi1 fully coherent (entangled); "
            "dashed: the same populations without chi1 coherence (unentangled). The curves "
            "coincide at τ = 0 and differ most at the π/2 pulse.",
            "fig2b.png",
            numbers=[
                Number(
                    "τ of the π/2 pulse",
                    "fig2b_at_half_pi.tau_s",
                    ".3f",
                    "µs",
                    method="grid point nearest to half the π pulse",
                    status="setting",
                    scale=1e6,
                ),
                Number(
                    "P1 entangled at π/2",
                    "fig2b_at_half_pi.P1_entangled",
                    ".3f",
                    method=seq,
                    status=ill,
                ),
                Number(
                    "P1 unentangled at π/2",
                    "fig2b_at_half_pi.P1_unentangled",
                    ".3f",
                    method=seq,
                    status=ill,
                ),
                Number(
                    "P2 entangled at π/2",
                    "fig2b_at_half_pi.P2_entangled",
                    ".3f",
                    method=seq,
                    status=ill,
                ),
                Number(
                    "P2 unentangled at π/2",
                    "fig2b_at_half_pi.P2_unentangled",
                    ".3f",
                    method=seq,
                    status=ill,
                ),
            ],
            params=["fig2b"],
        )
    )
    sections.append(
        Section(
            "fig3",
            "Fig. 3: entanglement destruction",
            "(a) With the destruction step (extra atom loss from heating) between the "
            "collisions and the Raman pulse; solid: the chi1 coherence survives (entangled), "
            "dashed: it is destroyed (equal mixture of chi1 and chi_minus, unentangled). The "
            "paper's data follow the dashed curves. (b) Without destruction (as Fig. 2b), "
            "interleaved in the experiment.",
            "fig3.png",
            numbers=[
                Number(
                    "P1 entangled at π/2, with destruction",
                    "fig3a_at_half_pi.P1_entangled",
                    ".3f",
                    method=seq + ", destroy step on",
                    status=ill,
                ),
                Number(
                    "P1 unentangled at π/2, with destruction",
                    "fig3a_at_half_pi.P1_unentangled",
                    ".3f",
                    method=seq + ", destroy step on",
                    status=ill,
                ),
            ],
            params=["fig3"],
        )
    )

    # ---- Table S1, Fig. S4 and the virtual data -----------------------------------------
    runs, n_tau, seed = 200, 15, 2024
    s4 = paper.figs4_data(runs=runs, points=n_tau, seed=seed)
    fit, scan = s4["fit"], s4["scan"]
    figs.draw(
        "fig2b_data",
        plot_entanglement_curves,
        {f"virtual data, {runs} runs per point": d2b},
        data={f"virtual data, {runs} runs per point": data_points(s4["data"])},
    )
    figs.draw("figS4", plot_fidelity_scan, scan, fit)
    scan_d = scan.as_dict()
    scan_d["method"] = (
        "chi2 scan on the 2-atom curve: 68 % where chi2 - chi2_min <= 1, one-sided 95 % "
        "lower bound where chi2 - chi2_min = 2.71, significance sqrt(chi2(1/2) - chi2_min)"
    )
    res["figS4"] = {"fit": fit.as_dict(), "scan": scan_d, "table_S1": s4["table"]}
    res["virtual_data"] = {
        "runs_per_point": runs,
        "points": n_tau,
        "seed": seed,
        "setting_name": s4["data"].setting_name,
        "setting": s4["data"].setting,
        "counts": s4["data"].counts,
    }
    extra = {
        "runs_per_point": (runs, "", "setting"),
        "pulse_durations": (f"{n_tau}, 0 … π pulse", "", "setting"),
        "seed": (seed, "", "setting"),
        "curve": ("P2 (2 atoms)", "", "setting"),
    }
    res["params"]["figS4"] = paper.figure_params(p_like, "paper-like", extra=extra)
    res["params"]["fig2b_data"] = res["params"]["figS4"]
    table_rows = [
        [m]
        + [
            f"{v[c]['chi2']:.1f}/{v[c]['dof']} (p = {_fmt_p(v[c]['p_value'])})"
            for c in ("P0", "P1", "P2", "all")
        ]
        for m, v in s4["table"].items()
    ]
    lik = f"{fit.method}, 2-atom curve"
    chi = "chi2 scan on the 2-atom curve"
    sections.append(
        Section(
            "figS4",
            "Table S1 and Fig. S4 on virtual data",
            f"A seeded virtual experiment with the paper-like preset ({n_tau} pulse durations, "
            f"{runs} runs each, chi1 fully coherent), analysed as the paper does. Fig. S4 shows "
            "χ²(F) − χ²_min of the 2-atom curve versus the fidelity F of the chi1 part. Two "
            "methods give the fidelity, and each number below is quoted with its own: the χ² "
            "scan (the figure's left legend block: 68 % where χ² − χ²_min ≤ 1, 95 % lower "
            "bound where it reaches 2.71, significance √(χ²(½) − χ²_min)) and the binomial "
            "likelihood with MINOS profile intervals (right block; significance from the "
            "likelihood ratio). The χ²/dof table is the analogue of Table S1 (no parameter "
            "fitted).",
            "figS4.png",
            numbers=[
                n
                for key, how in (("scan", chi), ("fit", lik))
                for n in (
                    Number("best F", f"figS4.{key}.best", ".3f", method=how, status=ill),
                    Number(
                        "68 % interval, low end",
                        f"figS4.{key}.interval_68.0",
                        ".3f",
                        method=how,
                        status=ill,
                    ),
                    Number(
                        "68 % interval, high end",
                        f"figS4.{key}.interval_68.1",
                        ".3f",
                        method=how,
                        status=ill,
                    ),
                    Number(
                        "one-sided 95 % lower bound",
                        f"figS4.{key}.lower_95",
                        ".3f",
                        method=how,
                        status=ill,
                    ),
                    Number(
                        "F ≤ ½ rejected at",
                        f"figS4.{key}.unentangled_rejection_sigma",
                        ".2f",
                        "σ",
                        method=how,
                        status=ill,
                    ),
                )
            ],
            tables=[
                {
                    "caption": "Table S1 analogue: χ²/dof (p-value) per curve, nothing fitted "
                    "(results.json → figS4.table_S1)",
                    "header": ["model", "0 atoms", "1 atom", "2 atoms", "all"],
                    "rows": table_rows,
                }
            ],
            params=["figS4"],
        )
    )
    sections.append(
        Section(
            "fig2b_data",
            "Fig. 2b with the virtual data",
            f"The virtual dataset of Fig. S4 ({runs} runs per point, seed {seed}; results.json "
            "→ virtual_data) as points with 68 % Wilson intervals on the entangled (solid) and "
            "unentangled (dashed) model curves of Fig. 2b.",
            "fig2b_data.png",
            params=["fig2b_data"],
        )
    )

    # ---- Fig. 2a ----------------------------------------------------------------------
    d2a = paper.fig2a_data(points)
    figs.draw(
        "fig2a",
        plot_counts_vs_area,
        {"chi1 (entangled)": d2a["chi1"], "mixed (unentangled)": d2a["mixed"]},
    )
    res["fig2a"] = {name: c.as_dict() for name, c in d2a.items()}
    i_half = int(np.argmin(np.abs(np.asarray(d2a["chi1"].setting) - np.pi / 2)))
    res["fig2a_at_half_pi"] = {
        "area": float(d2a["chi1"].setting[i_half]),
        **{f"{k}_P1": float(c.P1[i_half]) for k, c in d2a.items()},
    }
    res["params"]["fig2a"] = {
        "preset": "none: ideal readout",
        "values": {"state": ["chi1", "mixed"], "imperfections": "none"},
        "rows": [
            {
                "key": "state",
                "value": "chi1, mixed",
                "unit": "",
                "status": "setting",
                "source": "this figure",
            },
            {
                "key": "area",
                "value": f"0 … π, {points} points",
                "unit": "rad",
                "status": "setting",
                "source": "this figure",
            },
            {
                "key": "imperfections",
                "value": "none (ideal Raman pulse and readout)",
                "unit": "",
                "status": "setting",
                "source": "this figure",
            },
        ],
    }
    sections.append(
        Section(
            "fig2a",
            "Fig. 2a: ideal readout",
            "Probabilities to keep 1 (red) or 2 (green) atoms after a Raman pulse of area Ωτ "
            "and removal of atoms in |1⟩; solid: chi1 (entangled), dashed: the equal mixture of "
            "|1,−1⟩ and |−1,1⟩ (unentangled). P0 = P2 in both cases. At Ωτ = π/2, chi1 gives "
            "P1 = 0 and the mixture P1 = 1/2.",
            "fig2a.png",
            numbers=[
                Number(
                    "P1 of chi1 at Ωτ = π/2",
                    "fig2a_at_half_pi.chi1_P1",
                    ".3f",
                    method="ideal readout, closed form",
                    status="computed",
                ),
                Number(
                    "P1 of the mixture at Ωτ = π/2",
                    "fig2a_at_half_pi.mixed_P1",
                    ".3f",
                    method="ideal readout, closed form",
                    status="computed",
                ),
            ],
            params=["fig2a"],
        )
    )

    # ---- Zeeman table -----------------------------------------------------------------
    zee = paper.zeeman_table(p_paper)
    res["pair_zeeman_shift_hz"] = zee
    res["params"]["zeeman"] = paper.figure_params(p_paper, None, used=("species", "f"))
    ks = list(next(iter(zee.values())))
    sections.append(
        Section(
            "zeeman",
            "Pair Zeeman shifts of 85Rb f = 2 (Breit–Rabi)",
            "E(chi_k) − E(|0,0⟩) at the hold field (collisions) and at the Raman field, from "
            "the Breit–Rabi formula with Steck's atomic data.",
            None,
            tables=[
                {
                    "caption": "Pair shifts in Hz (results.json → pair_zeeman_shift_hz)",
                    "header": ["field", *[f"{k} (Hz)" for k in ks]],
                    "rows": [[b, *[f"{v[k]:.2f}" for k in ks]] for b, v in zee.items()],
                }
            ],
            params=["zeeman"],
        )
    )
    # ---- design the next experiment (its own room) --------------------------------------
    from .sections import design as design_section
    from .sections import pair_loss as pair_loss_section

    sections.append(pair_loss_section.build(res, figs))

    sections.append(design_section.build(res, figs))
    sections.sort(key=lambda sec: REPORT_ORDER.index(sec.id))
    return res, sections, figs


def _num(v: Any) -> Any:
    """Numbers as a reader writes them (``2.2e+07``, ``1e-06``, ``156000``); others as given."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    return format(v, ".6g")


_NUMERIC = re.compile(r"^[-+−0-9.eE/ ()p=,]+$")


def _numeric(v: Any) -> bool:
    """True for a table cell that is a number or a number-like compound ("13.1/15 (p = 0.59)")."""
    return isinstance(v, (int, float)) or bool(_NUMERIC.match(str(v)))


def _display_width(png: Path, dpi: float = 300.0, css_px_per_inch: float = 160.0) -> int:
    """On-screen width (CSS px) of a figure saved at ``dpi``: its printed size × 1.67, so
    a single-column figure (3.4 in) shows at about 540 px (the page caps it at 100 %)."""
    head = png.read_bytes()[:24]
    return round(struct.unpack(">I", head[16:20])[0] / dpi * css_px_per_inch)


@functools.cache
def _template() -> Any:
    """The page template (``templates/report.html.j2``), loaded and compiled once."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.tests["numeric"] = _numeric
    return env.get_template("report.html.j2")


def render(
    results: Mapping[str, Any],
    sections: list[Section],
    widths: Mapping[str, int] | None = None,
) -> str:
    """The HTML page (Jinja2, autoescaped) for ``results`` and ``sections``; ``widths``
    maps image files to their display width in CSS pixels."""
    ctx_sections = []
    for s in sections:
        ctx_sections.append(
            {
                "id": s.id,
                "title": s.title,
                "caption": s.caption,
                "image": s.image,
                "pdf": s.image.replace(".png", ".pdf") if s.image else None,
                "width": (widths or {}).get(s.image or ""),
                "numbers": [n.render(results) for n in s.numbers],
                "tables": s.tables,
                "params": [{"name": k, **results["params"][k]} for k in s.params],
            }
        )
    return _template().render(
        version=results["spinpair_version"],
        generated=results["generated_utc"],
        sections=ctx_sections,
        status_meaning=results["status_meaning"],
    )


def _save_workers() -> int:
    """Processes that save figures while :func:`compute` runs: 2 when this process may use
    2 or more CPUs, else 0 (save here). Measured on 2 cores (``reproduce`` wall time, 2
    runs each): with no other load, and with 1 and with 3 other CPU-bound processes, 2
    workers were faster than saving here each time (under 3 busy processes 28–30 s
    against 33–37 s): the workers' own start-up is small against the CPU share that three
    processes get instead of one. One worker gained nothing under load."""
    import os

    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return 2 if n >= 2 else 0


#: What the forkserver of the figure-saving workers imports once before forking them: the
#: module warms matplotlib up (see :mod:`spinpair.report._warm`).
_WORKER_PRELOAD = ["spinpair.report._warm"]


def reproduce(
    out_dir: str | Path = "results", points: int = 201, workers: int | None = None
) -> Path:
    """Write the paper's figures (PNG and PDF), ``results.json`` and ``report.html`` into
    ``out_dir`` (created if missing); every file is written atomically. Returns the folder.

    ``results.json`` holds every number the page shows (each listed on the page with its
    key path, method and status), and under ``params`` the exact parameter set of each
    figure with the status of every value.

    Figures are drawn and saved by ``workers`` processes (each gets a :class:`FigureJob`:
    plotting function and data) while the data of the next figures are computed (drawing
    and writing the 16 files is most of the run; this process then never imports
    matplotlib); 0 draws and saves in this process; default: 2 where 2 CPUs may be used,
    else 0 (:func:`_save_workers`). The files are the same either way.
    """
    from ..plots.style import save_figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_workers = _save_workers() if workers is None else max(int(workers), 0)
    pngs: dict[str, Any] = {}
    pool = _process_pool(n_workers) if n_workers else None
    if pool is not None:
        import multiprocessing
        import pickle
        import threading
        from concurrent.futures import Future
        from multiprocessing import forkserver

        from .._pool import kill_forkserver, stop_forkserver, terminate_pool
        from ._save_worker import draw_and_save, ready

        ctx = multiprocessing.get_context("forkserver")
        # the preload list is the process's (one forkserver): put the caller's back after;
        # it is read when the first worker starts
        preload_before = list(getattr(forkserver._forkserver, "_preload_modules", ["__main__"]))
        ctx.set_forkserver_preload(_WORKER_PRELOAD)

        stopping = threading.Event()

        def start_workers() -> None:
            # a worker starts only once the forkserver has loaded and warmed matplotlib
            # (~1.5 s); meanwhile this process computes
            try:
                for _ in range(n_workers):
                    if stopping.is_set():
                        return
                    pool.submit(ready)
            except Exception:  # shut down or stopped meanwhile, or no worker
                pass  # processes here: then the figures are saved in this process

        starter = threading.Thread(target=start_workers, name="spinpair-save-workers")
        starter.daemon = True
        starter.start()
        try:

            def submit(stem: str, job: FigureJob) -> None:
                blob = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
                try:
                    pngs[stem] = pool.submit(draw_and_save, blob, str(out / stem))
                except (OSError, RuntimeError):  # no worker processes here: save in this one
                    done: Future[str] = Future()
                    done.set_result(str(save_figure(job(), out / stem)[0]))
                    pngs[stem] = done

            res, sections, _ = compute(points, on_figure=submit)
            results = _write_results(out, res, sections)  # while the workers save
            _template()  # load and compile the page template meanwhile too
            pngs = {stem: Path(f.result()) for stem, f in pngs.items()}
        except BaseException:  # interrupted or failed: stop every worker now
            stopping.set()
            while starter.is_alive():  # a worker is starting: end the forkserver's warm-up
                kill_forkserver()
                starter.join(0.05)
            terminate_pool(pool)
            raise
        finally:
            starter.join()
            pool.shutdown()
            stop_forkserver()
            ctx.set_forkserver_preload(preload_before)
    else:
        res, sections, figs = compute(points)
        pngs = {stem: save_figure(job(), out / stem)[0] for stem, job in figs.items()}
        results = _write_results(out, res, sections)
    widths = {f"{stem}.png": _display_width(png) for stem, png in pngs.items()}
    atomic_write_text(out / "report.html", render(results, sections, widths))
    return out


def _process_pool(workers: int) -> Any:
    """A pool of ``workers`` processes started by a forkserver, or None where this system
    cannot make one (no forkserver on this platform; no POSIX semaphores, as in some
    containers): the figures are then saved in this process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))
    except (OSError, ValueError, NotImplementedError, ImportError):
        return None


def _write_results(out: Path, res: dict[str, Any], sections: list[Section]) -> dict[str, Any]:
    """``results.json`` (with each section's numbers as shown) written into ``out``;
    returns its content."""
    results = to_jsonable(res)
    for s in sections:
        results.setdefault("figures", {})[s.id] = {
            "title": s.title,
            "image": s.image,
            "numbers": [n.render(results) for n in s.numbers],
            "params": s.params,
        }
    atomic_write_text(out / "results.json", json.dumps(results, indent=2, allow_nan=False) + "\n")
    return results
