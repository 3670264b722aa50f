"""The reproduction report: every number on the page traceable to results.json with its
method and status, the exact parameters of each figure, populations at exactly 100 ms,
no double escaping, the figure data coming from spinpair.paper.

One ``spinpair reproduce`` run per test session (shared on disk with
tests/report/test_browser.py)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from spinpair import paper
from spinpair.provenance import STATUSES
from spinpair.report import lookup, render, to_jsonable


@pytest.fixture(scope="session")
def results(report_dir: Path) -> dict:
    return json.loads((report_dir / "results.json").read_text())


@pytest.fixture(scope="session")
def page(report_dir: Path) -> str:
    return (report_dir / "report.html").read_text()


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.imgs: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.details = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "img":
            self.imgs.append(a["src"])
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "details":
            self.details += 1

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._skip:
            self.text.append(data)


def _parse(page: str) -> _Collector:
    c = _Collector()
    c.feed(page)
    return c


def test_every_number_on_the_page_is_in_results_json(results, page):
    text = " ".join(_parse(page).text)
    figures = results["figures"]
    assert set(figures) >= {"fig1b", "fig2a", "fig2b", "fig3", "figS4", "fig2b_data", "fig4"}
    n = 0
    for fig in figures.values():
        for num in fig["numbers"]:
            assert lookup(results, num["path"]) == num["value"]  # same value, by its key path
            assert num["method"], num
            assert num["status"] in STATUSES
            assert num["text"] in text and num["path"] in text  # shown, with its key path
            n += 1
    assert n >= 25


def test_numbers_from_illustrative_inputs_say_so(results):
    """Fig. 2b, 3 and S4 are computed from the paper-like preset (illustrative
    imperfections): their numbers carry the status illustrative, never a bare "computed";
    every status on the page has a meaning in the legend."""
    meaning = results["status_meaning"]
    for sid, fig in results["figures"].items():
        for n in fig["numbers"]:
            assert n["status"] in meaning, (sid, n["label"], n["status"])
            if sid in ("fig2b", "fig3", "figS4") and n["status"] not in ("setting", "tuned"):
                assert n["status"] == "illustrative", (sid, n["label"])
    for group in results["params"].values():
        for row in group.get("rows", []):
            assert row["status"] in meaning, row


def test_parameter_units_are_units(results):
    """The unit column holds the SI unit the key's name promises (not the allowed range)."""
    suffix_unit = {"_hz": "Hz", "_m": "m", "_k": "K", "_s": "s", "_gauss": "G"}
    allowed = {"", "1", "Hz", "m", "K", "s", "G", "a_B", "rad"}
    seen = 0
    for group in results["params"].values():
        for row in group.get("rows", []):
            assert row["unit"] in allowed, row
            for suffix, unit in suffix_unit.items():
                if row["key"].endswith(suffix):
                    assert row["unit"] == unit, row
                    seen += 1
    assert seen > 10


def test_each_figure_has_its_own_parameters_with_status(results):
    params = results["params"]
    for fig in results["figures"].values():
        assert fig["params"], fig["title"]
        for key in fig["params"]:
            rows = params[key]["rows"]
            assert rows and all(r["status"] in STATUSES for r in rows), key
    rows = {r["key"]: r for r in params["fig2b"]["rows"]}
    assert params["fig2b"]["preset"] == "paper-like"
    assert rows["collisions.model"]["value"] == "given"
    assert rows["collisions.populations.chi1"]["status"] == "paper"
    assert rows["collisions.populations.00"]["status"] == "illustrative"
    assert rows["collisions.populations.chi2"]["status"] == "illustrative"
    assert rows["imperfections.prep_efficiency"]["status"] == "paper"
    assert rows["imperfections.p_inelastic_pair"]["status"] == "illustrative"
    # the predicted curve records the preset that made it: nothing calibrated
    pred = {r["key"]: r for r in params["fig1b_predicted"]["rows"]}
    assert params["fig1b_predicted"]["preset"] == "paper-predicted"
    assert params["fig1b_predicted"]["values"]["collisions"]["model"] == "relaxation"
    assert params["fig1b_predicted"]["values"]["collisions"]["rates"] == "s-matrix"
    assert not any(r["status"] == "calibrated" for r in pred.values())
    assert pred["collisions.rate_scale"]["status"] == "setting"
    # first-principles curves: the a_F are computed (coupled channels) with their source
    for rows_ in (pred, {r["key"]: r for r in params["fig1b_models"]["rows"]}):
        for k in ("a0", "a2", "a4"):
            r = rows_[f"scattering_lengths_bohr.{k}"]
            assert r["status"] == "computed" and "Strauss" in r["source"]
    assert "calibrated_values" not in results


def test_populations_read_at_exactly_100_ms(results):
    for name, pops in results["fig1b_populations_at_100ms"].items():
        assert pops["time_s"] == 0.1, name
        assert pops["00"] + pops["chi1"] + pops["chi2"] == pytest.approx(1.0, abs=1e-6)
    # the prediction at 100 ms is the relaxation curve there, with a band
    pred = results["fig1b_populations_at_100ms"]["predicted"]
    pr = results["prediction"]
    for k in ("00", "chi1", "chi2"):
        assert pr[k]["value"] == pytest.approx(pred[k], abs=1e-12)
        assert (
            pr[k]["lower"] <= pr[k]["value"] <= pr[k]["upper"] and pr[k]["upper"] > pr[k]["lower"]
        )
    assert results["fig1b_populations_at_100ms"]["relaxation"]["chi1"] == pytest.approx(
        pred["chi1"], abs=1e-9
    )
    assert 0.3 < pr["chi1"]["value"] < 0.45
    t = results["fig1b_targets"]
    assert t["chi1"]["status"] == "paper"
    assert t["00"]["status"] == t["chi2"]["status"] == "illustrative"


def test_fig_s4_numbers_keep_their_method(results, page):
    s4 = results["figS4"]
    scan, fit = s4["scan"], s4["fit"]
    # the χ² scan's significance is √(χ²(½) − χ²_min), from its own grid
    F, chi2 = np.array(scan["fidelity"]), np.array(scan["chi2"])
    assert scan["unentangled_rejection_sigma"] == pytest.approx(
        np.sqrt(np.interp(0.5, F, chi2) - scan["chi2_min"]), rel=1e-3
    )
    nums = {(n["path"]): n for n in results["figures"]["figS4"]["numbers"]}
    for path, n in nums.items():
        method = {"fit": "likelihood", "scan": "chi2 scan", "unified": "Feldman-Cousins"}
        assert method[path.split(".")[1]] in n["method"], n
    assert fit["interval_68"] != scan["interval_68"]  # two methods, two sets of numbers
    assert "χ²(F) − χ²_min" in page
    # the page names the interval to quote; the unified one stays inside [0, 1]
    assert s4["quote"] == "fit" and "Which to quote" in page
    lo, hi = s4["unified"]["interval"]
    assert 0.0 <= lo <= hi <= 1.0


def test_fig4_caption_explains_the_fitted_periods(results, page):
    f4 = results["fig4"]
    pair = f4["expected_period_hz"]["pair"]
    assert pair == pytest.approx(0.5 / f4["effective_time_s"])
    # the full-span fit is off by the finite-pulse chirp; the central-fringe fit is not
    assert abs(f4["chi1_P1_period_hz"] / pair - 1) > 3 * abs(
        f4["chi1_P1_period_narrow_hz"] / pair - 1
    )
    assert abs(f4["chi1_P1_period_narrow_hz"] / pair - 1) < 5e-3
    assert "chirp" in page and "T = 5 µs" in page


def test_page_structure_and_escaping(report_dir, page):
    c = _parse(page)
    text = " ".join(c.text)
    assert "&micro;" not in page and "&amp;micro;" not in page
    assert not re.search(r"&[a-zA-Z]+;|&#\d+;", text)  # no entity survives as text
    for img in c.imgs:
        assert (report_dir / img).stat().st_size > 10_000
    assert "fig2b_data.png" in c.imgs
    for href in c.hrefs:
        if href.startswith("#"):
            assert href[1:] in c.ids  # the contents list points at real sections
    assert c.details >= 7


def test_template_autoescapes(results):
    from spinpair.report.build import Number, Section

    r = dict(results)
    r["x"] = {"v": 1.0}
    html = render(r, [Section("s", "<b>bold</b> & co", "a < b", None, [Number("n", "x.v")])])
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "<b>bold</b>" not in html


def test_jsonable_writes_nan_as_null():
    d = to_jsonable({"a": np.array([1.0, np.nan]), "b": (np.float64(np.inf),), "c": np.int64(3)})
    assert d == {"a": [1.0, None], "b": [None], "c": 3}
    json.dumps(d, allow_nan=False)


def test_preset_status_tags_parsed():
    tags = paper.preset_status("paper-calibrated")
    assert tags["collisions.rate_scale"] == "illustrative"  # fitted to illustrative targets
    assert tags["raman.rabi_frequency_hz"] == "tuned"
    assert tags["trap.depth_hz"] == "paper"
    assert tags["imperfections.detection"] == "illustrative"


def test_results_have_no_placeholder_scattering_lengths(results):
    """Fig. 1b(a) runs first-principles models on the coupled-channel 85Rb a_F: nothing in
    results.json rests on a placeholder."""
    assert results["placeholders"] == [] and results["warnings"] == []


def test_prediction_section_scans_field_temperature_and_depth(results, report_dir):
    """The sharper predictions: 00, chi1, chi2 at 100 ms with their band versus field
    (0–10 G, through the 8.5 G of the Raman pulses), temperature and depth."""
    scans = results["prediction_scans"]
    assert set(scans) == {"collisions.field_gauss", "trap.temperature_k", "trap.depth_hz"}
    f = scans["collisions.field_gauss"]
    assert f["values"][0] == 0.0 and f["values"][-1] == 10.0
    for sc in scans.values():
        tot = np.sum([sc["populations"][k] for k in ("00", "chi1", "chi2")], axis=0)
        assert np.allclose(tot, 1.0, atol=1e-9)
        for k in sc["populations"]:
            assert np.all(np.array(sc["lower"][k]) <= np.array(sc["populations"][k]) + 1e-12)
            assert np.all(np.array(sc["upper"][k]) >= np.array(sc["populations"][k]) - 1e-12)
    # at the paper's conditions the scans meet the Fig. 1b prediction
    i = f["values"].index(0.5)
    assert f["populations"]["chi1"][i] == pytest.approx(results["prediction"]["chi1"]["value"])
    assert (report_dir / "prediction.png").stat().st_size > 10_000
    assert results["prediction_at_8p5G"]["chi1"]["status"] == "computed"


def test_pair_loss_section_compares_computed_and_fixed_loss(results, report_dir, page):
    """Fig. 2b's zero-atom curve with computed m_F-resolved pair loss: rates computed and
    positive, the equivalent dwell loses chi1's pair with the fixed probability, P0 sums
    with P1, P2 to one, and the page says whether the computed loss explains P0."""
    r = results["pair_loss"]
    assert r["rates"]["status"] == "computed" and r["rates"]["source"]
    gs = r["chi1_pair"]["symmetric_per_s"]
    assert gs > 0 and r["chi1_pair"]["antisymmetric_per_s"] > 0
    p_fixed = paper.paper_like_params().imperfections.p_inelastic_pair
    assert -np.expm1(-gs * r["equivalent_dwell_s"]) == pytest.approx(p_fixed, rel=1e-12)
    for curves in r["curves"].values():
        for model in curves.values():
            for st in model.values():
                tot = np.asarray(st["P0"]) + np.asarray(st["P1"]) + np.asarray(st["P2"])
                assert np.allclose(tot, 1.0, atol=1e-12)
    assert r["fig2b"]["p2_change"] < 0.005  # pair loss moves weight between P0 and P1
    assert (report_dir / "pair_loss.png").stat().st_size > 10_000
    text = " ".join(_parse(page).text)
    assert "do not explain" in text and "light-assisted" in text


def test_results_layout_unchanged_by_the_sections_split(results):
    """The report's sections live in one module each (spinpair.report.sections), run in the
    order of one registry: results.json keeps every key, figure, parameter set and number
    path it had when one function computed them all (tests/data/report_layout.json, made
    from the last single-function run; the numbers themselves were compared exactly then).
    A new section adds its keys here."""
    from spinpair.report.sections import SECTIONS

    layout = json.loads((Path(__file__).parents[1] / "data" / "report_layout.json").read_text())
    assert sorted(results) == layout["top_level"]
    assert list(results["figures"]) == layout["figures"]
    assert [m.__name__.rsplit(".", 1)[1] for m in SECTIONS] == layout["figures"]
    assert sorted(results["params"]) == layout["params"]
    for fid, fig in results["figures"].items():
        assert [n["path"] for n in fig["numbers"]] == layout["numbers"][fid], fid
        assert fig["image"] == layout["images"][fid], fid


def test_each_section_is_one_module_with_build(results):
    """Each registry entry is a module with build(ctx) -> Section whose id is the module's
    name and whose numbers and parameter sets all exist in results.json."""
    import inspect

    from spinpair.report.sections import SECTIONS

    for module in SECTIONS:
        assert list(inspect.signature(module.build).parameters) == ["ctx"], module.__name__
        fid = module.__name__.rsplit(".", 1)[1]
        for n in results["figures"][fid]["numbers"]:
            assert lookup(results, n["path"]) == n["value"]
        assert set(results["figures"][fid]["params"]) <= set(results["params"])


def _square(x: int) -> int:
    return x * x


@pytest.mark.slow  # measured > 4 s idle (make durations)
def test_a_users_process_pools_work_before_and_after_reproduce(tmp_path):
    """reproduce's figure workers are a pool of its own: a pool the user made before
    (forkserver, which the report used to share and stop) keeps working, new pools work
    after it, and no process of reproduce is left behind."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from spinpair.report import reproduce

    fs = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(2, mp_context=fs) as before:
        assert before.submit(_square, 3).result() == 9
        mine = {p.pid for p in multiprocessing.active_children()}
        out = reproduce(tmp_path / "r", points=21, workers=2, formats="png,pdf")
        assert (out / "report.html").is_file() and (out / "fig1b.pdf").is_file()
        # nothing of reproduce is left, the user's workers are untouched
        assert {p.pid for p in multiprocessing.active_children()} == mine
        assert list(before.map(_square, range(8))) == [i * i for i in range(8)]
    for method in ("forkserver", "spawn"):
        ctx = multiprocessing.get_context(method)
        with ProcessPoolExecutor(2, mp_context=ctx) as after:
            assert list(after.map(_square, range(4))) == [0, 1, 4, 9]


def test_early_data_come_from_the_worker_or_are_computed_here():
    """A section's data function computed early by a worker (a future) is taken from it,
    once; without one, or the second time, it is computed in place."""
    from concurrent.futures import Future

    from spinpair.report.context import Context

    calls = []

    def prediction_data():
        calls.append(1)
        return "here"

    done: Future = Future()
    done.set_result("worker")
    ctx = Context(points=21, early={"prediction_data": done})
    assert ctx.computed(prediction_data) == "worker" and calls == []
    assert ctx.computed(prediction_data) == "here" and calls == [1]


@pytest.mark.slow  # two reproduce runs: seconds
def test_workers_change_no_number_and_pdf_only_on_request(tmp_path):
    """With a worker (figures and the EARLY data drawn and computed in another process)
    results.json is the same as without one, number for number; the same figures are
    written, PNG only unless PDF is asked for, and the page links exactly those files."""
    from spinpair.report import reproduce
    from spinpair.report.build import EARLY

    assert EARLY  # the worker computes some data, not only figures
    here = reproduce(tmp_path / "here", points=21, workers=0)
    there = reproduce(tmp_path / "there", points=21, workers=1, formats="png,pdf")
    a, b = (json.loads((d / "results.json").read_text()) for d in (here, there))
    for r in (a, b):
        r.pop("generated_utc")
    assert a == b
    pngs = {p.name for p in here.glob("*.png")}
    assert len(pngs) >= 10 and not list(here.glob("*.pdf"))
    assert {p.name for p in there.glob("*.pdf")} == {n.replace(".png", ".pdf") for n in pngs}
    for d, suffixes in ((here, {".png"}), (there, {".png", ".pdf"})):
        links = set(re.findall(r'class="files">(.*?)</span>', (d / "report.html").read_text()))
        linked = {f for line in links for f in re.findall(r'href="([^"]+)"', line)}
        assert linked == {p.name for p in d.iterdir() if p.suffix in suffixes}


def test_statuses_are_computed_never_above_what_numbers_rest_on(results):
    """Each number's status is the weakest of its method's and of the figure parameters
    it rests on (computed by code): never above any parameter that set it; Fig. 4's
    periods rest on the tuned Rabi frequency; the coupled-channel prediction stays
    computed; the prepared mixture's contrast is illustrative."""
    from spinpair.provenance import rank

    for fid, fig in results["figures"].items():
        rows = [r for k in fig["params"] for r in results["params"][k]["rows"]]
        status = {r["key"]: r["status"] for r in rows}
        for n in fig["numbers"]:
            for key in n["status_set_by"]:
                assert rank(n["status"]) >= rank(status[key]), (fid, n["label"], key)
    nums = {(f, n["label"]): n for f, fig in results["figures"].items() for n in fig["numbers"]}
    t_eff = nums[("fig4", "T_eff = T + 4τ/π")]
    assert t_eff["status"] == "tuned" and "raman.rabi_frequency_hz" in t_eff["status_set_by"]
    assert nums[("fig1b", "chi1 at 100 ms, predicted")]["status"] == "computed"
    assert nums[("fig4", "P1 contrast of the prepared mixture, entangled")]["status"] == (
        "illustrative"
    )
    c = results["fig4_mixture"]["contrast"]
    assert 0 < c["unentangled"] < c["entangled"]
