"""Plots: object-oriented Figure API with the package style file; no pyplot state, no
backend switching (safe in notebooks); axes carry units; Fig. 1b marks only chi1 as the
paper's number; Fig. 4 gives every dashed fit a legend entry and no empty headroom."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from spinpair.plots import STYLE_PATH

SCRIPT = textwrap.dedent(
    """
    import matplotlib
    matplotlib.use("svg")          # a user's own choice, which plotting must not change
    import numpy as np
    import matplotlib.pyplot as plt
    from spinpair.paper import fig2a_data
    from spinpair.plots import plot_counts_vs_area, save_figure
    from spinpair.plots.analysis import plot_fidelity_scan
    from spinpair.plots.ramsey import FringeTrace, plot_ramsey_fringes, plot_crb_vs_preparation
    from spinpair.analysis.chi2 import FidelityScan
    F = np.linspace(0, 1, 11)
    s = FidelityScan("P2", F, (F - 0.9) ** 2 * 100, 0.9, 0.0, (0.8, 1.0), 0.74, 14, 4.0)
    d = np.linspace(-1e5, 1e5, 41)
    figs = [
        plot_counts_vs_area(fig2a_data(11)),
        plot_fidelity_scan(s),
        plot_ramsey_fringes({"x": [FringeTrace("P1", d, np.cos(d * 4e-5) ** 2)]}),
        plot_crb_vs_preparation(np.linspace(0.1, 1, 5), {"a": np.ones(5)}, 1.0),
    ]
    save_figure(figs[0], "{out}")
    print(matplotlib.get_backend(), len(plt.get_fignums()), type(figs[0]).__module__)
    """
)


@pytest.mark.slow  # a fresh Python that imports matplotlib and spinpair: seconds
def test_plots_keep_the_users_backend_and_pyplot_state(tmp_path):
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT.replace("{out}", str(tmp_path / "f"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    backend, n_pyplot, module = r.stdout.split()
    assert backend == "svg"
    assert n_pyplot == "0"  # no figure registered with pyplot
    assert module == "matplotlib.figure"
    assert (tmp_path / "f.png").stat().st_size > 5_000
    assert (tmp_path / "f.pdf").read_bytes()[:4] == b"%PDF"


def test_no_matplotlib_use_in_the_package():
    import spinpair

    src = STYLE_PATH.parents[1]
    offenders = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if "matplotlib.use(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert STYLE_PATH.is_file() and "font.size" in STYLE_PATH.read_text()
    assert spinpair.__name__ == "spinpair"


def test_style_file_applies():
    from spinpair.plots import new_figure, style

    with style():
        _fig, axes = new_figure()
        ax = axes[0, 0]
        label = ax.set_xlabel("x (s)")
    assert label.get_fontsize() == pytest.approx(8.0)
    from matplotlib.lines import TICKUP

    assert ax.xaxis.get_major_ticks()[0].tick1line.get_marker() == TICKUP  # ticks inside


def test_fig1b_marks_only_chi1_as_paper():
    from types import SimpleNamespace

    from spinpair.paper import PAPER_POPULATIONS, PAPER_POPULATIONS_STATUS
    from spinpair.plots import plot_dynamics

    t = np.linspace(0, 0.15, 31)
    pops = {"00": 1 - 0.6 * t / 0.15, "chi1": 0.37 * t / 0.15, "chi2": 0.23 * t / 0.15}
    res = SimpleNamespace(time_s=t, model="ergodic+relaxation", populations=lambda: pops)
    fig = plot_dynamics(
        {"relaxation": res},
        res,
        paper_point=PAPER_POPULATIONS,
        point_status=PAPER_POPULATIONS_STATUS,
    )
    texts = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert any(s.startswith("paper") and "chi" in s.replace("\\", "") for s in texts)
    paper_entries = [s for s in texts if s.startswith("paper:") and "ms" not in s]
    assert paper_entries == [r"paper: $\chi_1$"]
    assert any(s.startswith("illustrative:") and "0,0" in s and "chi_2" in s for s in texts)
    # panel labels are titles and legends sit outside the axes: nothing on the curves
    for ax in fig.axes:
        assert ax.get_title(loc="left")[:1] in ("a", "b")
        assert ax.get_legend()._loc != 0 or ax.get_legend().get_bbox_to_anchor() is not None
        assert ax.get_xlabel() == "Hold time (ms)"


def test_fig4_fits_in_legend_and_y_range_follows_data():
    from spinpair.analysis.fringes import fit_fringe
    from spinpair.plots.ramsey import FringeTrace, plot_ramsey_fringes

    d = np.linspace(-1.4e5, 1.4e5, 141)
    y = np.cos(np.pi * d / 71e3) ** 2
    fig = plot_ramsey_fringes({"chi1": [FringeTrace("P1", d, y, fit=fit_fringe(d, y))]})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().texts]
    assert any("cosine fit" in s and "kHz" in s for s in labels)  # the dashed curve
    lo, hi = ax.get_ylim()
    assert hi <= 1.02 + 1e-12 and lo >= -0.02 - 1e-12  # no empty band above 1
    assert "kHz" in ax.get_xlabel()


def _log_figure():
    """A small figure with mathtext tick labels (log axis) and a mathtext axis label."""
    from spinpair.plots import new_figure, style

    with style():
        fig, axes = new_figure()
        ax = axes[0, 0]
        t = np.linspace(0.0, 1.0, 50)
        ax.plot(t, np.exp(-8 * t) + 1e-4, label=r"$\chi_1$")
        ax.set_yscale("log")
        ax.set_xlabel(r"Pulse area $\Omega\tau$ (units of $\pi$)")
        ax.legend()
    return fig


def _png(path):
    from PIL import Image

    return np.asarray(Image.open(path).convert("RGBA"))


def _pixel_box(fig, dpi=300.0, pad=0.02):
    """The figure's tight box (after a draw), padded and widened outward to whole pixels."""
    import math

    from matplotlib.transforms import Bbox

    bb = fig.get_tightbbox().padded(pad)
    return Bbox.from_extents(
        math.floor(bb.x0 * dpi) / dpi,
        math.floor(bb.y0 * dpi) / dpi,
        math.ceil(bb.x1 * dpi) / dpi,
        math.ceil(bb.y1 * dpi) / dpi,
    )


def test_save_figure_png_is_savefigs_image_of_the_same_box(tmp_path):
    """save_figure draws the figure once and keeps the part of the canvas inside the
    tight box widened to whole pixels: pixel for pixel what savefig writes for that box,
    and at most one pixel more on each side than savefig(bbox_inches="tight")."""
    from spinpair.plots import save_figure, style

    (png,) = save_figure(_log_figure(), tmp_path / "fast", "png")
    assert not (tmp_path / "fast.pdf").exists()
    fig = _log_figure()
    with style():
        fig.savefig(tmp_path / "tight.png", format="png")  # the style's bbox: tight
        fig.set_dpi(300)
        fig.draw_without_rendering()
        box = _pixel_box(fig)
        fig.set_layout_engine("none")
        fig.savefig(tmp_path / "box.png", format="png", bbox_inches=box)
    a, b, tight = _png(png), _png(tmp_path / "box.png"), _png(tmp_path / "tight.png")
    assert a.shape[1] > 900  # 300 dpi, 3.4 in wide
    assert a.shape == b.shape and np.array_equal(a, b)
    assert all(0 <= n - m <= 2 for n, m in zip(a.shape[:2], tight.shape[:2], strict=True))


def test_save_figure_keeps_what_lies_outside_the_figure(tmp_path):
    """A figure legend wider than the figure (as Fig. 2b with the data has) is whole in
    the PNG: the image is wider than the figure (savefig with the box, not a crop of the
    canvas)."""
    from spinpair.plots import new_figure, save_figure, style

    with style():
        fig, axes = new_figure()
        (line,) = axes[0, 0].plot([0, 1], [0, 1])
        labels = [f"a rather long legend entry {i}" for i in range(3)]
        fig.legend([line] * 3, labels, loc="outside upper center", ncol=3)
    (png,) = save_figure(fig, tmp_path / "wide", ["png"])
    width = _png(png).shape[1]
    assert width > 3.4 * 300 + 100
    assert not _png(png)[:, -50:, :3].min() == 255  # the legend text reaches the right part


def test_save_figure_restores_the_figure_and_checks_formats(tmp_path):
    """The figure keeps its canvas, dpi and layout engine (it can be shown or saved
    again); formats are PNG and/or PDF, anything else is refused before any drawing."""
    from spinpair.errors import InputError
    from spinpair.plots import save_figure
    from spinpair.plots.style import figure_formats

    fig = _log_figure()
    canvas, dpi, engine = fig.canvas, fig.dpi, fig.get_layout_engine()
    paths = save_figure(fig, tmp_path / "f.png", "pdf,png")
    assert [p.name for p in paths] == ["f.png", "f.pdf"]
    assert (fig.canvas, fig.dpi, fig.get_layout_engine()) == (canvas, dpi, engine)
    assert figure_formats(["PDF"]) == ("pdf",)
    for bad in ("svg", "", "png,png", ["png", 3], []):
        with pytest.raises(InputError, match="formats"):
            save_figure(fig, tmp_path / "g", bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.pdf", "f.png"]


def _embedded_fonts(pdf_bytes: bytes):
    """The TrueType fonts embedded in a PDF written by matplotlib (FontFile2 streams)."""
    import io
    import re
    import zlib

    from fontTools.ttLib import TTFont

    fonts = []
    for ref in re.findall(rb"/FontFile2 (\d+) 0 R", pdf_bytes):
        m = re.search(rb"\n" + ref + rb" 0 obj\s*<<(.*?)>>\s*stream\r?\n", pdf_bytes, re.S)
        assert m is not None
        start = m.end()
        end = pdf_bytes.index(b"endstream", start)
        data = pdf_bytes[start:end]
        if b"/FlateDecode" in m.group(1):
            data = zlib.decompressobj().decompress(data)
        fonts.append(TTFont(io.BytesIO(data)))
    return fonts


def test_pdf_embeds_truetype_subsets_as_a_plain_savefig(tmp_path):
    """Journals need every font embedded: the PDF keeps TrueType (Type 42) subsets with
    their outlines, metrics and glyph names, the same glyphs as a plain savefig."""
    from spinpair.plots import save_figure, style

    _, pdf = save_figure(_log_figure(), tmp_path / "f")
    fonts = _embedded_fonts(pdf.read_bytes())
    assert fonts, "no embedded TrueType font"
    with style():
        _log_figure().savefig(tmp_path / "plain.pdf", format="pdf")
    plain = _embedded_fonts((tmp_path / "plain.pdf").read_bytes())
    assert len(fonts) == len(plain)
    for font, full in zip(fonts, plain, strict=True):
        assert {"glyf", "hmtx", "cmap", "head"} <= set(font.keys())
        assert font["name"].getDebugName(6) == full["name"].getDebugName(6)
        names = font.getGlyphOrder()
        assert len(names) > 4 and names == full.getGlyphOrder()
        for g in names:
            assert font["hmtx"][g] == full["hmtx"][g]
            assert font["glyf"][g] == full["glyf"][g]


def test_pdf_embeds_each_font_once_with_every_glyph(tmp_path):
    """One TrueType subset per font file, holding the ASCII and the non-ASCII glyphs (−, χ,
    σ) together: matplotlib 3.11 sizes the PDF's subsets by ps.fonttype, which the style
    sets to 42 (with Type 3's 256 codes each font was embedded twice)."""
    from spinpair.plots import save_figure

    fig = _log_figure()
    fig.axes[0].set_title("σ = −1", loc="left")
    pdf = save_figure(fig, tmp_path / "fonts")[1]
    fonts = _embedded_fonts(pdf.read_bytes())
    names = [f["name"].getDebugName(6) for f in fonts]
    assert len(names) == len(set(names)), names
    regular = [f for f in fonts if f["name"].getDebugName(6) == "DejaVuSans"]
    assert regular, names
    cmap = regular[0].getBestCmap()
    assert {ord(c) for c in "σ=−1"} <= set(cmap), sorted(cmap)


def test_figure_drawn_by_a_worker_process_is_identical(tmp_path):
    """reproduce hands pickled figure jobs (plotting function and data) to its own worker
    processes (spawned, warmed up by their initializer): the worker draws and saves the
    same PNG as this process."""
    import pickle

    from spinpair.analysis.chi2 import FidelityScan
    from spinpair.plots import save_figure
    from spinpair.plots.analysis import plot_fidelity_scan
    from spinpair.report import build
    from spinpair.report._save_worker import draw_and_save
    from spinpair.report.build import FigureJob

    F = np.linspace(0, 1, 11)
    scan = FidelityScan("P2", F, (F - 0.9) ** 2 * 100, 0.9, 0.0, (0.8, 1.0), 0.74, 14, 4.0)
    job = FigureJob(plot_fidelity_scan, (scan,))
    here = save_figure(job(), tmp_path / "here")[0]
    with build._process_pool(1) as pool:
        there = pool.submit(draw_and_save, pickle.dumps(job), str(tmp_path / "there")).result()
    assert np.array_equal(_png(here), _png(there))


def test_population_trace_draws_as_the_dynamics_result():
    """Fig. 1b's job carries PopulationTrace (populations only, not the density matrices):
    the same curves as drawing the DynamicsResult itself, at a fraction of the bytes."""
    import pickle

    from spinpair.dynamics import evolve_params
    from spinpair.paper import paper_params
    from spinpair.plots.paper import PopulationTrace, plot_dynamics

    res = evolve_params(paper_params(), np.linspace(0.0, 0.1, 11), model="ergodic")
    trace = PopulationTrace.of(res)
    assert trace.model == res.model
    for k, v in res.populations().items():
        np.testing.assert_array_equal(trace.populations()[k], v)
    a, b = plot_dynamics({"ergodic": res}, res), plot_dynamics({"ergodic": trace}, trace)
    for ax_a, ax_b in zip(a.axes, b.axes, strict=True):
        for la, lb in zip(ax_a.get_lines(), ax_b.get_lines(), strict=True):
            np.testing.assert_array_equal(la.get_xydata(), lb.get_xydata())
    assert len(pickle.dumps(trace)) < len(pickle.dumps(res)) / 5


def test_save_workers_leave_one_cpu_to_the_computation(monkeypatch):
    """On an idle machine, worker processes draw figures wherever this process may use 2
    CPUs: one CPU fewer than it may use, at most 2 (see _save_workers); with one CPU,
    figures are drawn here."""
    import os

    from spinpair.report import build

    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2), raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert build._save_workers() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert build._save_workers() == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert build._save_workers() == 0


def test_no_save_workers_under_load(monkeypatch):
    """With no CPU to spare (two busy processes on 2 CPUs: load average 2 or more) a
    spawned worker only costs its imports: every figure is drawn in this process. A
    half-idle machine still gets its worker."""
    import os

    from spinpair.report import build

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    for load, workers in ((1.2, 1), (1.6, 0), (2.0, 0), (3.5, 0)):
        monkeypatch.setattr(os, "getloadavg", lambda load=load: (load, 1.0, 1.0))
        assert build._save_workers() == workers, load
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert build._save_workers() == 2  # load 3.5 on 8 CPUs: idle enough


def test_save_workers_follow_the_option(monkeypatch):
    """spinpair.set_options(workers=...) overrides the automatic choice, for a block."""
    import os

    import spinpair
    from spinpair.report import build

    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.2, 0.2), raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    with spinpair.set_options(workers=0):
        assert build._save_workers() == 0
    with spinpair.set_options(workers=3):
        assert build._save_workers() == 3
    assert build._save_workers() == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (5.0, 5.0, 5.0))
    with spinpair.set_options(workers=1):  # a user's choice holds also under load
        assert build._save_workers() == 1


def test_no_process_pool_here_means_saving_in_this_process(monkeypatch):
    """Where no process pool can be made (no POSIX semaphores), reproduce
    gets None and saves the figures itself instead of failing."""
    import concurrent.futures

    from spinpair.report import build

    def no_semaphores(*args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_semaphores)
    assert build._process_pool(2) is None
    monkeypatch.undo()
    pool = build._process_pool(1)
    try:
        assert pool is not None
    finally:
        pool.shutdown()


@pytest.mark.slow  # a fresh Python that computes every figure's data: seconds
def test_computing_the_report_data_never_imports_matplotlib():
    """With workers, reproduce's own process computes data only: every figure is a
    picklable FigureJob, drawn in the workers; matplotlib is never imported here."""
    code = (
        "import json, pickle, sys\n"
        "from spinpair.report.build import compute\n"
        "jobs = {}\n"
        "compute(51, on_figure=lambda s, j: jobs.setdefault(s, pickle.dumps(j)))\n"
        "print(json.dumps({'stems': sorted(jobs), 'mpl': 'matplotlib' in sys.modules,\n"
        "                  'bytes': max(map(len, jobs.values()))}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert {"fig1b", "fig4", "implied_map"} <= set(got["stems"])
    assert got["mpl"] is False
    assert got["bytes"] < 5_000_000  # data, not density matrices


def test_linear_tick_labels_are_plain_text_and_log_ones_mathtext():
    """The style writes linear tick labels as plain text (no mathtext parse per renderer,
    the same glyphs and Unicode minus), while log axes keep their 10ⁿ mathtext labels."""
    from spinpair.plots import new_figure, style

    with style():
        fig, axes = new_figure(1, 2)
        axes[0, 0].plot([-1.0, 1.0], [0.0, 2.0])
        axes[0, 1].plot([1e-3, 1.0], [1.0, 2.0])
        axes[0, 1].set_xscale("log")
        fig.draw_without_rendering()
    linear = [t.get_text() for t in axes[0, 0].get_xticklabels() if t.get_text()]
    log = [t.get_text() for t in axes[0, 1].get_xticklabels() if t.get_text()]
    assert linear and all("$" not in s for s in linear)
    assert any(s.startswith("−") for s in linear)  # Unicode minus, as mathtext drew it
    assert log and all(s.startswith("$") for s in log)
