"""``spinpair reproduce``: every figure and table of the paper that the package can make,
plus ``results.json`` and ``report.html``, written atomically into one folder.

Example
-------
>>> import tempfile
>>> out = reproduce(tempfile.mkdtemp(), points=21)  # doctest: +SKIP
>>> sorted(p.name for p in out.iterdir())[:2]  # doctest: +SKIP
['fig1b.pdf', 'fig1b.png']

(Run by ``tests/test_cli.py::test_reproduce_writes_report``; skipped here for speed.)
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .fileio import atomic_write_text
from .paper import PAPER_POPULATIONS, fig1b_data, fig2a_data, fig2b_data, paper_params
from .plots import plot_counts_vs_area, plot_dynamics, plot_entanglement_curves, save_figure
from .species import get_species, pair_zeeman_shift_hz


def _to_jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_to_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x


def reproduce(out_dir: str | Path = "results", points: int = 201) -> Path:
    """Write the paper's figures and tables, ``results.json`` and ``report.html``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = paper_params()
    results: dict[str, Any] = {"spinpair_version": __version__, "params": params.to_dict()}
    sections: list[tuple[str, str, str | None]] = []

    # Fig. 1b / S1: the collision dynamics that make chi1.
    d1b = fig1b_data(points // 2 + 1)
    save_figure(
        plot_dynamics(d1b["models"], d1b["calibrated"], paper_point=PAPER_POPULATIONS),
        out / "fig1b",
    )
    at_100ms = {}
    for name, res in {**d1b["models"], "calibrated": d1b["calibrated"]}.items():
        i = int(np.argmin(np.abs(res.time_s - 0.1)))
        at_100ms[name] = {k: float(v[i]) for k, v in res.populations().items()}
    results["fig1b_populations_at_100ms"] = at_100ms
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{v['00']:.4f}</td><td>{v['chi1']:.4f}</td>"
        f"<td>{v['chi2']:.4f}</td></tr>"
        for n, v in at_100ms.items()
    )
    sections.append(
        (
            "Fig. 1b / S1: spin-changing collisions",
            "Populations after a hold at 0.5 G and 40 &micro;K starting from |0,0&rang;. a: "
            "first-principles predictions of each model with the provisional 85Rb scattering "
            "lengths; b: the ergodic + relaxation model calibrated (rate scale and a0, a2) to "
            "the paper's populations at 100 ms (points). The first-principles models fall "
            "far short of the paper's chi1 = 0.37: see the user guide on the open question of "
            "the 85Rb couplings.<table><tr><th>model (100 ms)</th><th>00</th><th>chi1</th>"
            "<th>chi2</th></tr>" + rows + "</table>",
            "fig1b.png",
        )
    )

    # Fig. 2a: ideal readout of chi1 and the mixed state.
    d2a = fig2a_data(points)
    fig = plot_counts_vs_area(d2a, signals=("P1", "P2"))
    save_figure(fig, out / "fig2a")
    results["fig2a"] = {name: c.as_dict() for name, c in d2a.items()}
    sections.append(
        (
            "Fig. 2a: ideal readout",
            "Probabilities to keep 1 (red) or 2 (green) atoms after a Raman pulse of area "
            "&Omega;&tau; and removal of atoms in |1&rang;; solid: chi1 (entangled), dashed: "
            "equal mixture of |1,-1&rang; and |-1,1&rang; (unentangled). P0 = P2 in both "
            "cases. At &Omega;&tau; = &pi;/2, chi1 gives P1 = 0 and the mixture P1 = 1/2.",
            "fig2a.png",
        )
    )

    # Fig. 2b and Fig. 3: the realistic sequence, entangled versus unentangled models.
    d2b = fig2b_data(points // 2 + 1)
    d3a = fig2b_data(points // 2 + 1, destroy=True)
    save_figure(plot_entanglement_curves({"paper-like preset": d2b}), out / "fig2b")
    save_figure(
        plot_entanglement_curves(
            {"a: with entanglement destruction": d3a, "b: without (interleaved)": d2b}
        ),
        out / "fig3",
    )
    results["fig2b"] = {
        "entangled": d2b.entangled.as_dict(),
        "unentangled": d2b.unentangled.as_dict(),
    }
    results["fig3a"] = {
        "entangled": d3a.entangled.as_dict(),
        "unentangled": d3a.unentangled.as_dict(),
    }
    sections.append(
        (
            "Fig. 2b: the realistic sequence",
            "Probabilities to detect 0 (blue), 1 (red) and 2 (green) atoms after a Raman pulse "
            "of duration &tau; (0 to a &pi; pulse), eject of |1&rang; and counting, with the "
            "paper-like preset (chi1 prepared with probability 0.37, preparation efficiency "
            "0.93; the other imperfections are illustrative, not the paper's). Solid: chi1 "
            "fully coherent (entangled); dashed: the same populations with no chi1 coherence "
            "(unentangled). The curves coincide at &tau; = 0 and differ most at the &pi;/2 "
            "pulse.",
            "fig2b.png",
        )
    )
    sections.append(
        (
            "Fig. 3: entanglement destruction",
            "a: with the destruction step (extra atom loss from heating) between collisions "
            "and the Raman pulse; solid: the chi1 coherence survives (entangled), dashed: it "
            "is destroyed (equal mixture of chi1 and chi_minus, unentangled). The paper's "
            "data follow the dashed curves. b: without destruction (as Fig. 2b), interleaved "
            "in the experiment.",
            "fig3.png",
        )
    )

    # Fig. S4 and Table S1 on a virtual dataset (seeded).
    from .paper import figs4_data
    from .plots_analysis import data_points, plot_fidelity_scan

    s4 = figs4_data()
    save_figure(plot_fidelity_scan(s4["scan"], s4["fit"]), out / "figS4")
    save_figure(
        plot_entanglement_curves(
            {"virtual data, 200 runs per point": fig2b_data(points // 2 + 1)},
            data={"virtual data, 200 runs per point": data_points(s4["data"])},
        ),
        out / "fig2b_data",
    )
    fit = s4["fit"]
    results["figS4"] = {"fit": fit.as_dict(), "scan": s4["scan"].as_dict(), "table_S1": s4["table"]}
    rows = "".join(
        f"<tr><td>{m}</td>"
        + "".join(
            f"<td>{v[c]['chi2']:.1f}/{v[c]['dof']} (p = {v[c]['p_value']:.2g})</td>"
            for c in ("P0", "P1", "P2", "all")
        )
        + "</tr>"
        for m, v in s4["table"].items()
    )
    sections.append(
        (
            "Table S1 and Fig. S4 on virtual data",
            "A seeded virtual experiment with the paper-like preset (15 pulse durations, 200 "
            "runs each, chi1 fully coherent) analysed as the paper does. &chi;&sup2;/dof and "
            "p-value per curve:<table><tr><th>model</th><th>0 atoms</th><th>1 atom</th>"
            "<th>2 atoms</th><th>all</th></tr>" + rows + "</table>"
            f"Fidelity of the chi1 part from the 2-atom curve: F = {fit.best:.3f}, 68 % "
            f"interval [{fit.interval_68[0]:.3f}, {fit.interval_68[1]:.3f}], one-sided 95 % "
            f"lower bound {fit.lower_95:.3f}; F &le; 1/2 rejected at "
            f"{fit.unentangled_rejection_sigma:.1f}&sigma;. The figure shows "
            "&chi;&sup2;(F) &minus; &chi;&sup2;<sub>min</sub> (Fig. S4); fig2b_data.png shows "
            "the data with Wilson 68 % intervals on the model curves.",
            "figS4.png",
        )
    )

    # Fig. 4: Ramsey fringes, chi1 against unentangled atoms, with the period table.
    from .plots_ramsey import FringeTrace, plot_ramsey_fringes
    from .ramsey import default_detunings, fringe_fits, fringe_period_table, ramsey_signals

    wait = 5e-6
    tau = 0.25 / params.raman.rabi_frequency_hz
    det = default_detunings(wait, tau, points=points // 2 + 1)
    panels = {}
    for title, state, names in (
        ("chi1 (entangled), ideal sequence", "chi1", ("P1",)),
        ("both atoms start in |1>, ideal sequence", "1,1", ("P1", "survival")),
    ):
        sig = ramsey_signals(params, state, wait, None, det, ideal=True)
        fits = fringe_fits(sig, names)
        panels[title] = [
            FringeTrace(n, det, sig.signal(n), None, fits.get(n), None, None) for n in names
        ]
    save_figure(plot_ramsey_fringes(panels), out / "fig4")
    table = fringe_period_table(params, wait)
    results["fig4_periods"] = table

    def _period(r: dict) -> str:
        return "flat" if r["period_hz"] is None else f"{r['period_hz'] / 1e3:.2f}"

    rows = "".join(
        f"<tr><td>{html.escape(str(r['state']))}</td><td>{html.escape(str(r['signal']))}</td>"
        f"<td>{_period(r)}</td></tr>"
        for r in table
    )
    sections.append(
        (
            "Fig. 4: Ramsey fringes (T = 5 &micro;s)",
            "Signals versus the Raman detuning after &pi;/2 &ndash; T &ndash; &pi;/2 with "
            "finite square pulses (&Omega;/2&pi; = 156 kHz, effective time T + 4&tau;/&pi; = "
            "7.04 &micro;s). chi1's 1-atom probability oscillates with period 1/(2T_eff) "
            "&asymp; 71 kHz (paper: 71 kHz); unentangled atoms' per-atom survival with "
            "1/T_eff &asymp; 142 kHz, while their pair signal P1 also shows the doubled "
            "frequency at half the contrast. Fitted periods (kHz):<table><tr><th>state</th>"
            "<th>signal</th><th>period</th></tr>" + rows + "</table>",
            "fig4.png",
        )
    )

    # Zeeman shifts that set the hold and Raman energy scales.
    rb85 = get_species("rb85")
    zee = {
        f"{b} G": {f"chi{k}": float(pair_zeeman_shift_hz(rb85, k, b)) for k in (1, 2)}
        for b in (params.collisions.field_gauss, params.raman.field_gauss)
    }
    results["pair_zeeman_shift_hz"] = zee
    rows = "".join(
        f"<tr><td>{html.escape(b)}</td><td>{v['chi1']:.2f}</td><td>{v['chi2']:.2f}</td></tr>"
        for b, v in zee.items()
    )
    sections.append(
        (
            "Pair Zeeman shifts of 85Rb f = 2 (Breit–Rabi)",
            "<table><tr><th>field</th><th>chi1 [Hz]</th><th>chi2 [Hz]</th></tr>"
            + rows
            + "</table>",
            None,
        )
    )

    atomic_write_text(out / "results.json", json.dumps(_to_jsonable(results), indent=2))
    body = "".join(
        f"<h2>{html.escape(t)}</h2><p>{text}</p>"
        + (f'<img src="{img}" alt="{html.escape(t)}" style="max-width:640px">' if img else "")
        for t, text, img in sections
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>spinpair report</title>"
        "<style>body{font-family:sans-serif;max-width:760px;margin:2em auto}"
        "td,th{padding:2px 10px;text-align:right}</style></head><body>"
        f"<h1>spinpair {html.escape(__version__)}: paper reproduction</h1>{body}</body></html>"
    )
    atomic_write_text(out / "report.html", page)
    return out
