"""Count-data analysis: data validation, intervals, χ² and likelihood fits, coverage,
the virtual experiment and the planner."""

import numpy as np
import pytest
from scipy import stats

from spinpair.analysis.data import parse_csv, read_csv, write_csv
from spinpair.analysis.fits import (
    FidelityModel,
    chi2_table,
    fidelity_likelihood,
    fidelity_scan,
    model_factory,
)
from spinpair.analysis.intervals import clopper_pearson, wilson
from spinpair.errors import InputError
from spinpair.montecarlo import plan_runs, sample_counts, simulate_counts
from spinpair.paper import preset_path
from spinpair.params import Params
from spinpair.sequence import Sequence

PARAMS = Params.from_toml(preset_path("paper-like"))
TAU = np.linspace(0, 3.2e-6, 9)


@pytest.fixture(scope="module")
def model() -> FidelityModel:
    return FidelityModel.from_params(PARAMS, "tau_s", TAU)


# ----------------------------------------------------------------------------- data


def test_csv_round_trip(tmp_path):
    d = simulate_counts(PARAMS, tau_s=TAU, runs=50, seed=2)
    write_csv(d, tmp_path / "d.csv")
    back = read_csv(tmp_path / "d.csv")
    assert np.array_equal(back.setting, d.setting) and np.array_equal(back.counts, d.counts)
    assert np.all(back.counts.sum(axis=1) == back.runs)


@pytest.mark.parametrize(
    "text, field",
    [
        ("", "data"),
        ("tau_s,runs,n0,n1\n0,10,1,9\n", "n2"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,-1,10\n", "row 1, column n1"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,7\n", "row 1, column runs"),
        ("tau_s,runs,n0,n1,n2\nnan,10,1,1,8\n", "row 1, column tau_s"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,8\n1e-6,10,1.5,1,7.5\n", "row 2, column n0"),
        ("tau_s,area,runs,n0,n1,n2\n0,0,10,1,1,8\n", "header"),
        ("tau_s,runs,n0,n1,n2\n0,10,x,1,8\n", "row 1, column n0"),
        ("tau_s,runs,n0,n1,n2\n", "data"),
    ],
)
def test_malformed_csv_rejected_with_row_and_column(text, field):
    with pytest.raises(InputError, match=field):
        parse_csv(text)


# ----------------------------------------------------------------------------- intervals


@pytest.mark.parametrize("k, n", [(0, 20), (5, 20), (20, 20), (137, 400)])
def test_intervals_match_scipy_binomtest(k, n):
    for cl in (0.6827, 0.95):
        ref_w = stats.binomtest(k, n).proportion_ci(confidence_level=cl, method="wilson")
        ref_cp = stats.binomtest(k, n).proportion_ci(confidence_level=cl, method="exact")
        lo, hi = wilson(k, n, cl)
        assert (lo, hi) == pytest.approx((ref_w.low, ref_w.high), abs=1e-9)
        lo, hi = clopper_pearson(k, n, cl)
        assert (lo, hi) == pytest.approx((ref_cp.low, ref_cp.high), abs=1e-9)
    assert clopper_pearson(0, n)[0] == 0 and clopper_pearson(n, n)[1] == 1


# ----------------------------------------------------------------------------- model


def test_model_is_linear_in_chi1_coherence(model):
    for c in (-0.6, 0.3, 0.8):
        r = Sequence.from_params(PARAMS, chi1_coherence=c).run(tau_s=TAU)
        direct = np.stack([r.P0, r.P1, r.P2], axis=1)
        assert np.allclose(model.probs((1 + c) / 2), direct, atol=1e-12)
    assert np.allclose(model.probs(0.7).sum(axis=1), 1.0)


def test_unentangled_rejected_for_f1_not_for_half(model):
    d1 = sample_counts(model.probs(1.0), "tau_s", TAU, 2000, seed=5)
    dh = sample_counts(model.probs(0.5), "tau_s", TAU, 2000, seed=5)
    t1, th = chi2_table(d1, model), chi2_table(dh, model)
    assert t1["unentangled"]["P2"]["p_value"] < 1e-3
    assert t1["unentangled"]["all"]["p_value"] < 1e-3
    assert th["unentangled"]["P2"]["p_value"] > 1e-3
    assert t1["entangled"]["all"]["p_value"] > 1e-3
    assert fidelity_likelihood(d1, model).unentangled_rejection_sigma > 5
    assert fidelity_likelihood(dh, model).unentangled_rejection_sigma < 3


def test_chi2_minimum_and_likelihood_maximum_agree_on_large_samples(model):
    d = sample_counts(model.probs(0.8), "tau_s", TAU, 100_000, seed=11)
    for curve in ("P2", "all"):
        scan = fidelity_scan(d, model, curve)
        fit = fidelity_likelihood(d, model, curve)
        assert scan.best == pytest.approx(fit.best, abs=2e-3)
        width_scan = scan.interval_68[1] - scan.interval_68[0]
        width_fit = fit.interval_68[1] - fit.interval_68[0]
        assert width_scan == pytest.approx(width_fit, rel=0.1)
        assert abs(fit.best - 0.8) < 3 * width_fit


@pytest.mark.parametrize("truth", [0.5, 0.75])
def test_68_percent_intervals_cover_the_truth(model, truth):
    rng = np.random.default_rng(123)
    trials, hits = 150, 0
    for _ in range(trials):
        d = sample_counts(model.probs(truth), "tau_s", TAU, 300, rng)
        lo, hi = fidelity_likelihood(d, model).interval_68
        hits += lo <= truth <= hi
    # 68.3 % with a binomial 99.7 % band for 150 trials: ± 0.114
    assert abs(hits / trials - 0.683) < 0.114


def test_fidelity_one_gives_boundary_interval_and_high_lower_bound(model):
    d = sample_counts(model.probs(1.0), "tau_s", TAU, 1000, seed=9)
    fit = fidelity_likelihood(d, model)
    assert fit.interval_68[1] == pytest.approx(1.0)
    assert 0.5 < fit.lower_95 < fit.interval_68[0] < 1.0


def test_nuisance_parameters_widen_the_interval():
    d = simulate_counts(PARAMS, tau_s=TAU, runs=400, seed=4)
    model = FidelityModel.from_params(PARAMS, "tau_s", TAU)
    plain = fidelity_likelihood(d, model)
    nuis = fidelity_likelihood(
        d, model, nuisance={"p_loss": (0.02, 0.01)}, factory=model_factory(PARAMS, d)
    )
    assert "p_loss" in nuis.nuisance
    assert (
        nuis.interval_68[1] - nuis.interval_68[0]
        >= plain.interval_68[1] - plain.interval_68[0] - 1e-3
    )
    with pytest.raises(InputError, match="nuisance"):
        fidelity_likelihood(d, model, nuisance={"p_loss": (0.02, 0.01)})


# ----------------------------------------------------------------------------- virtual experiment


def test_simulation_is_seeded_and_unbiased(model):
    a = sample_counts(model.probs(1.0), "tau_s", TAU, 500, seed=1)
    b = sample_counts(model.probs(1.0), "tau_s", TAU, 500, seed=1)
    assert np.array_equal(a.counts, b.counts)
    big = sample_counts(model.probs(1.0), "tau_s", TAU, 200_000, seed=3)
    assert np.allclose(big.fractions(), model.probs(1.0), atol=5e-3)


def test_planner_power_grows_with_runs(model):
    plan = plan_runs(model, "tau_s", TAU, candidates=[20, 200, 2000], trials=60, seed=0)
    assert plan.power[0] < plan.power[1] <= plan.power[2]
    assert plan.runs_per_setting in (200, 2000)
    assert plan.power[-1] == 1.0
