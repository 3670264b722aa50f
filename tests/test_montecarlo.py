"""The virtual experiment (seeded multinomial sampling) and the run planner."""

import numpy as np
import pytest
from scipy import stats

from spinpair.analysis.likelihood import fidelity_likelihood
from spinpair.analysis.model import FidelityModel
from spinpair.analysis.planning import (
    asimov_sigma_per_run,
    fidelity_fisher_information,
    plan_runs,
    rejection_sigma_batch,
)
from spinpair.errors import InputError
from spinpair.montecarlo import sample_counts, simulate_counts
from spinpair.paper import preset_path
from spinpair.params import Params
from spinpair.sequence import MeasurementSequence

PARAMS = Params.from_toml(preset_path("paper-like"))
TAU = np.linspace(0, 3.2e-6, 9)


@pytest.fixture(scope="module")
def model() -> FidelityModel:
    return FidelityModel.from_params(PARAMS, "tau_s", TAU)


def test_simulation_is_seeded_and_unbiased(model):
    a = simulate_counts(PARAMS, tau_s=TAU, runs=500, seed=1, fidelity=1.0)
    b = simulate_counts(PARAMS, tau_s=TAU, runs=500, rng=np.random.default_rng(1), fidelity=1.0)
    c = simulate_counts(PARAMS, tau_s=TAU, runs=500, seed=2, fidelity=1.0)
    assert np.array_equal(a.counts, b.counts) and not np.array_equal(a.counts, c.counts)
    assert np.all(a.counts.sum(axis=1) == 500)
    big = sample_counts(model.probs(0.75), "tau_s", TAU, 200_000, seed=3)
    # every fraction within 4.5 binomial standard deviations of its probability
    p = model.probs(0.75)
    assert np.all(np.abs(big.fractions() - p) < 4.5 * np.sqrt(p * (1 - p) / 200_000))


def test_simulation_uses_the_sequence_and_fidelity_override(model):
    n = 400_000
    d = simulate_counts(PARAMS, area=[0.4, 1.5707963], runs=n, seed=7, fidelity=0.5)
    seq = MeasurementSequence.from_params(PARAMS, chi1_coherence=0.0)
    ref = seq.run(area=[0.4, 1.5707963])
    expect = np.stack([ref.P0, ref.P1, ref.P2], axis=1)
    assert np.all(np.abs(d.fractions() - expect) < 4.5 * np.sqrt(expect / n))
    # a built MeasurementSequence is accepted (its own coherence), per-setting runs too
    d2 = simulate_counts(seq, area=[0.4, 1.5707963], runs=[10, 20], seed=7)
    assert d2.runs.tolist() == [10, 20] and d2.setting_name == "area"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"tau_s": TAU, "runs": 0, "seed": 1}, "runs"),
        ({"tau_s": TAU, "runs": [1, 2], "seed": 1}, "runs"),
        ({"tau_s": TAU, "runs": 5}, "seed"),
        ({"tau_s": TAU, "runs": 5, "seed": -3}, "seed"),
        ({"tau_s": TAU, "runs": 5, "seed": 1, "fidelity": 1.2}, "fidelity"),
        ({"runs": 5, "seed": 1}, "setting"),
        ({"tau_s": TAU, "area": TAU, "runs": 5, "seed": 1}, "setting"),
        ({"tau_s": [-1e-6], "runs": 5, "seed": 1}, "tau_s"),
    ],
)
def test_simulation_bad_input(kwargs, field):
    with pytest.raises(InputError, match=field):
        simulate_counts(PARAMS, **kwargs)


def test_fast_rejection_sigma_equals_the_likelihood_fit(model):
    rng = np.random.default_rng(5)
    for truth in (0.45, 0.6, 0.8, 1.0):
        for curve in ("P2", "all"):
            d = sample_counts(model.probs(truth), "tau_s", TAU, 300, rng=rng)
            z_fast = rejection_sigma_batch(d.counts, model, curve)[0]
            z_fit = fidelity_likelihood(d, model, curve).unentangled_rejection_sigma
            assert z_fast == pytest.approx(z_fit, abs=2e-3)


def test_rejection_sigma_is_asimov_on_average(model):
    """The mean Z of many experiments approaches the Asimov Z = Z1 √runs, and Z of
    unentangled (F = ½) data is a half-normal-like null: P(Z ≥ 2) ≈ 2.3 %."""
    rng = np.random.default_rng(8)
    counts = rng.multinomial(2000, np.broadcast_to(model.probs(0.8), (400, TAU.size, 3)))
    z = rejection_sigma_batch(counts, model, "P2")
    asimov = asimov_sigma_per_run(model, 0.8, "P2") * np.sqrt(2000)
    assert np.mean(z) == pytest.approx(asimov, abs=0.15)
    null = rng.multinomial(2000, np.broadcast_to(model.probs(0.5), (2000, TAU.size, 3)))
    frac = np.mean(rejection_sigma_batch(null, model, "P2") >= 2.0)
    ref = stats.norm.sf(2.0)
    assert abs(frac - ref) < 4 * np.sqrt(ref * (1 - ref) / 2000)


def test_fisher_information_peaks_away_from_tau_zero(model):
    info = fidelity_fisher_information(model, 1.0, "P2")
    assert info[0] == pytest.approx(0.0, abs=1e-12)  # τ = 0: models coincide
    assert np.argmax(info) not in (0, TAU.size - 1)


def test_planner_power_grows_with_runs(model, capsys):
    plan = plan_runs(model, "tau_s", TAU, candidates=[20, 200, 2000], trials=100, seed=0)
    assert plan.power[0] < plan.power[1] <= plan.power[2]
    assert plan.power[-1] == 1.0
    assert plan.runs_per_setting in (200, 2000) and plan.total_runs == 9 * plan.runs_per_setting
    assert capsys.readouterr().err == ""  # no progress bar without a terminal


def test_planner_search_brackets_the_goal_near_the_asimov_estimate(model):
    plan = plan_runs(
        model, "tau_s", TAU, sigma=3.0, probability=0.9, trials=200, seed=1, rel_tol=0.1
    )
    n = plan.runs_per_setting
    assert n is not None
    tried = dict(zip(plan.candidates.tolist(), plan.power.tolist(), strict=True))
    assert tried[n] >= 0.9
    below = [k for k, v in tried.items() if k < n]
    assert below and tried[max(below)] < 0.9 and (n - max(below)) <= max(1, 0.1 * n)
    assert 0.6 * plan.asimov_runs_per_setting < n < 1.6 * plan.asimov_runs_per_setting
    d = plan.as_dict()
    assert d["runs_per_setting"] == n and len(d["information_per_run"]) == TAU.size


def test_planner_bad_input(model):
    with pytest.raises(InputError, match="probability"):
        plan_runs(model, "tau_s", TAU, probability=1.0)
    with pytest.raises(InputError, match="candidates"):
        plan_runs(model, "tau_s", TAU, candidates=[0, 10])
    with pytest.raises(InputError, match="setting"):
        plan_runs(model, "tau_s", TAU[:3], trials=2)
