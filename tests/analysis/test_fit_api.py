"""The fit API a lab scripts against (issue 23 items 3, 4): curve names as on the command
line, models from the data's own settings (a mismatch is an error, never a silent fit),
results exposing Minuit, the covariance with names, dicts and DataFrames; the one MINOS
wrapper; the import structure of spinpair.analysis (issue 24)."""

import ast
import json
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

from spinpair._extras import MissingExtraError
from spinpair.analysis.data import CountData
from spinpair.analysis.likelihood import FidelityFit, fidelity_likelihood
from spinpair.analysis.minos import minos_interval
from spinpair.analysis.model import FidelityModel, normalise_curve
from spinpair.errors import InputError
from spinpair.montecarlo import sample_counts
from spinpair.paper import preset_path
from spinpair.params import Params

SRC = Path(__file__).resolve().parents[2] / "src" / "spinpair"
TAU = np.array([0.0, 0.4e-6, 0.8e-6, 1.2e-6, 1.6e-6])


@pytest.fixture(scope="module")
def params():
    return Params.from_toml(preset_path("paper-like"))


@pytest.fixture(scope="module")
def model(params):
    return FidelityModel.from_params(params, "tau_s", TAU)


@pytest.fixture(scope="module")
def data(model):
    return sample_counts(model.probs(0.9), "tau_s", TAU, 400, seed=11)


# ----------------------------------------------------------------------------- curves


@pytest.mark.parametrize("spelling", [2, "2", "P2", "p2", np.int64(2)])
def test_every_spelling_of_a_curve_fits_the_same(data, model, spelling):
    ref = fidelity_likelihood(data, model, "P2")
    fit = fidelity_likelihood(data, model, spelling)
    assert fit.curve == "P2"
    assert (fit.best, fit.interval_68, fit.lower_95) == (ref.best, ref.interval_68, ref.lower_95)


def test_curve_names_of_cli_and_library_are_one_normaliser():
    assert [normalise_curve(c) for c in (0, 1, 2, "all")] == ["P0", "P1", "P2", "all"]
    from spinpair.cli.fitting import curve_option

    assert [curve_option(c) for c in ("0", "1", "2", "all", "P1")] == [
        "P0",
        "P1",
        "P2",
        "all",
        "P1",
    ]


@pytest.mark.parametrize("bad", [3, "3", "P3", True, 2.0, "two", None])
def test_bad_curve_names_list_the_allowed_ones(data, model, bad):
    with pytest.raises(InputError) as e:
        fidelity_likelihood(data, model, bad)
    assert e.value.field == "curve"
    assert "0, 1, 2" in e.value.allowed and "P0, P1, P2" in e.value.allowed
    assert "all" in e.value.allowed


# ----------------------------------------------------------------------------- models from data


def test_model_from_data_equals_model_at_the_data_settings(params, data, model):
    m = FidelityModel.from_data(params, data)
    assert m.setting_name == "tau_s"
    np.testing.assert_array_equal(m.setting, data.setting)
    np.testing.assert_array_equal(m.p_entangled, model.p_entangled)
    np.testing.assert_array_equal(m.p_unentangled, model.p_unentangled)
    # a Params in the model's place builds the same model: the same fit, exactly
    a, b = fidelity_likelihood(data, params, 2), fidelity_likelihood(data, model, 2)
    assert (a.best, a.interval_68, a.nll_min) == (b.best, b.interval_68, b.nll_min)


def test_model_at_shifted_tau_is_refused_naming_both(params, data):
    """Issue 23: τ shifted by 0.1 µs used to fit silently."""
    shifted = FidelityModel.from_params(params, "tau_s", TAU + 0.1e-6)
    with pytest.raises(InputError) as e:
        fidelity_likelihood(data, shifted)
    msg = str(e.value)
    assert e.value.field == "model settings"
    assert "model tau_s = [1e-07" in msg and "data tau_s = [0.0" in msg


def test_model_of_other_length_is_an_input_error_not_a_broadcast_error(params, data):
    short = FidelityModel.from_params(params, "tau_s", TAU[:3])
    with pytest.raises(InputError, match="3 model rows for 5 data rows"):
        fidelity_likelihood(data, short)
    bare = FidelityModel(short.p_unentangled, short.p_entangled)  # no settings recorded
    with pytest.raises(InputError, match="model rows"):
        fidelity_likelihood(data, bare)


def test_model_of_other_setting_column_is_refused(params, data):
    by_area = FidelityModel.from_params(params, "area", TAU * 2 * np.pi * 156e3)
    with pytest.raises(InputError, match="model area, data tau_s"):
        fidelity_likelihood(data, by_area)


def test_scan_and_table_check_the_model_too(params, data):
    from spinpair.analysis.chi2 import chi2_table, fidelity_scan

    shifted = FidelityModel.from_params(params, "tau_s", TAU * 1.01)
    for call in (lambda: fidelity_scan(data, shifted, 2), lambda: chi2_table(data, shifted)):
        with pytest.raises(InputError, match="model settings"):
            call()


# ----------------------------------------------------------------------------- result objects


def test_covariance_is_minuits_with_names(data, model):
    fit = fidelity_likelihood(data, model, "all")
    assert fit.minuit is not None and fit.minuit.valid
    np.testing.assert_array_equal(np.asarray(fit.covariance), np.asarray(fit.minuit.covariance))
    assert fit.parameters == ("fidelity",)
    assert fit.covariance["fidelity", "fidelity"] == fit.minuit.covariance[0, 0] > 0
    assert fit.errors["fidelity"] == fit.minuit.errors["fidelity"]
    # a copy: changing it does not change the Minuit object
    cov = fit.covariance
    cov[0, 0] = -1.0
    assert fit.minuit.covariance[0, 0] > 0


def test_covariance_with_nuisances_names_every_parameter(params, data):
    fit = fidelity_likelihood(data, params, "P2", nuisance={"p_loss": (0.02, 0.01)})
    assert fit.parameters == ("fidelity", "p_loss")
    cov = fit.covariance
    np.testing.assert_array_equal(np.asarray(cov), np.asarray(fit.minuit.covariance))
    assert cov["p_loss", "fidelity"] == cov[1, 0] == cov[0, 1]
    assert np.all(np.linalg.eigvalsh(np.asarray(cov)) > 0)  # a covariance: positive definite


def test_to_dict_is_json_and_keeps_the_old_keys(data, model):
    fit = fidelity_likelihood(data, model)
    d = json.loads(json.dumps(fit.to_dict()))
    old = {"curve", "best", "interval_68", "lower_95", "unentangled_rejection_sigma"}
    assert old <= set(d) and d == fit.as_dict()
    assert d["parameters"] == ["fidelity"]
    assert d["covariance"] == [[float(fit.minuit.covariance[0, 0])]]
    assert d["interval_notes"]["lower"] in ("valid", "at limit")


def test_to_dataframe(data, model):
    pytest.importorskip("pandas")
    fit = fidelity_likelihood(data, model)
    df = fit.to_dataframe()
    assert list(df.index) == ["fidelity"]
    assert df.loc["fidelity", "value"] == fit.best
    assert (df.loc["fidelity", "lower_68"], df.loc["fidelity", "upper_68"]) == fit.interval_68


def test_to_dataframe_without_pandas_names_the_extra(data, model, monkeypatch):
    fit = fidelity_likelihood(data, model)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'spinpair\[pandas\]'"):
        fit.to_dataframe()


def test_a_pickled_fit_keeps_its_numbers_and_drops_minuit(data, model):
    fit = fidelity_likelihood(data, model)
    back = pickle.loads(pickle.dumps(fit))
    assert isinstance(back, FidelityFit) and back.minuit is None
    assert (back.best, back.interval_68) == (fit.best, fit.interval_68)
    assert np.all(np.isnan(np.asarray(back.covariance)))


# ----------------------------------------------------------------------------- MINOS


def _parabola_minuit(limits=None):
    from iminuit import Minuit

    m = Minuit(lambda x: (x - 1.0) ** 2, x=0.2)
    m.errordef = Minuit.LEAST_SQUARES
    if limits:
        m.limits["x"] = limits
    m.migrad()
    return m


def test_minos_wrapper_on_a_parabola_gives_the_closed_form():
    iv = minos_interval(_parabola_minuit(), "x")
    assert iv.note == "valid"
    assert iv.interval == pytest.approx((0.0, 2.0), abs=1e-6)
    iv90 = minos_interval(_parabola_minuit(), "x", cl=0.9)
    half = 1.6448536269514722  # Δχ² = z² of the two-sided 90 % interval
    assert iv90.interval == pytest.approx((1 - half, 1 + half), abs=1e-5)


def test_minos_wrapper_limits_are_a_boundary_or_unavailable():
    m = _parabola_minuit((0.5, 1.2))
    box = minos_interval(m, "x")
    assert box.interval is None and box.lower is None and box.upper is None
    assert box.note == "lower end at parameter limit; upper end at parameter limit"
    phys = minos_interval(m, "x", at_limit="limit")
    assert phys.interval == (0.5, 1.2) and phys.note == "valid"


def test_minos_wrapper_never_raises_on_a_failed_minimum():
    from iminuit import Minuit

    m = Minuit(lambda x: -abs(x), x=0.0)  # unbounded below: MIGRAD fails
    m.errordef = Minuit.LEAST_SQUARES
    m.migrad(ncall=50)
    assert not m.valid
    iv = minos_interval(m, "x")
    assert iv.interval is None and iv.note == "MIGRAD did not converge: MINOS not run"


# ----------------------------------------------------------------------------- imports


def _imports(path: Path) -> set[str]:
    """Absolute module names a spinpair module imports anywhere (also inside functions,
    not under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text())
    pkg = ["spinpair", *path.relative_to(SRC).with_suffix("").parts[:-1]]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = pkg[: len(pkg) - node.level + 1] if node.level else []
            mod = ".".join([*base, *(node.module.split(".") if node.module else [])])
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_analysis_imports_form_no_circle_and_nothing_above():
    """Issue 24: data → calibrate → likelihood → data was a circle, and planning imported
    montecarlo (which imports analysis). Every import inside spinpair.analysis now points
    down: no cycle among its modules, none into montecarlo, cli, report or plots."""
    mods = {p.stem: p for p in (SRC / "analysis").glob("*.py") if p.stem != "__init__"}
    graph = {
        m: {
            n.split(".")[2]
            for n in _imports(p)
            if n.startswith("spinpair.analysis.") and n.split(".")[2] in mods
        }
        - {m}
        for m, p in mods.items()
    }
    for m, p in mods.items():
        up = {
            n
            for n in _imports(p)
            if n.split(".")[:2]
            in (["spinpair", x] for x in ("montecarlo", "cli", "report", "plots", "sweep"))
        }
        assert not up, (m, up)
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if state.get(m) == 1:
            raise AssertionError("import circle: " + " -> ".join([*path, m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for n in graph[m]:
            visit(n, [*path, m])
        state[m] = 2

    for m in graph:
        visit(m, [])
    assert "calibrate" not in graph["data"]


def test_population_data_lives_in_data_and_is_the_same_class_everywhere():
    import spinpair.analysis as analysis
    from spinpair.analysis.calibrate import PopulationData as A
    from spinpair.analysis.data import PopulationData as B

    assert A is B is analysis.PopulationData


def test_calibrate_keeps_its_public_names():
    import spinpair.analysis.calibrate as cal

    for name in cal.__all__:
        assert hasattr(cal, name), name
    assert cal._Objective is cal.Objective  # tests and scripts imported the private name
    assert max(len(p.read_text().splitlines()) for p in (SRC / "analysis").glob("cal*.py")) < 600


def test_data_with_one_row_per_setting_round_trips(tmp_path):
    """CountData is what fits and simulations exchange: the CSV round trip is exact."""
    from spinpair.analysis.data import read_csv, write_csv

    d = CountData("detuning_hz", [-1e3, 0.0, -1e3], [10, 10, 10], [1, 2, 3], [4, 4, 4], [5, 4, 3])
    write_csv(d, tmp_path / "r.csv")
    back = read_csv(tmp_path / "r.csv")
    np.testing.assert_array_equal(back.setting, d.setting)
    np.testing.assert_array_equal(back.counts, d.counts)
