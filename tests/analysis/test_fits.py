"""χ² goodness of fit, the χ²(F) scan and the likelihood fit of the fidelity: linearity of
the model in the chi1 coherence, round trips, coverage, model rejection, nuisances."""

import numpy as np
import pytest
from scipy import stats

from spinpair.analysis.chi2 import chi2_dof, chi2_table, chi2_value, fidelity_scan
from spinpair.analysis.data import CountData
from spinpair.analysis.likelihood import fidelity_likelihood
from spinpair.analysis.model import (
    ONE_SIDED_95,
    FidelityModel,
    Nuisance,
    NuisanceModel,
    model_factory,
    params_with,
)
from spinpair.errors import InputError
from spinpair.montecarlo import sample_counts, simulate_counts
from spinpair.paper import preset_path
from spinpair.params import CollisionParams, Params
from spinpair.sequence import MeasurementSequence

PARAMS = Params.from_toml(preset_path("paper-like"))
TAU = np.linspace(0, 3.2e-6, 9)


@pytest.fixture(scope="module")
def model() -> FidelityModel:
    return FidelityModel.from_params(PARAMS, "tau_s", TAU)


def test_model_is_linear_in_chi1_coherence(model):
    for c in (-0.6, 0.0, 0.3, 0.8, 1.0):
        r = MeasurementSequence.from_params(PARAMS, chi1_coherence=c).run(tau_s=TAU)
        direct = np.stack([r.P0, r.P1, r.P2], axis=1)
        assert np.allclose(model.probs((1 + c) / 2), direct, atol=1e-12)
    assert np.allclose(model.probs(np.array([0.2, 0.7])).sum(axis=-1), 1.0)
    # the two models coincide at tau = 0 and differ elsewhere (the measurement tests c)
    d = np.abs(model.p_entangled - model.p_unentangled)
    assert d[0].max() < 1e-12 and d[1:].max() > 0.02
    # the default parameter set (given model) is linear as well
    p = Params(collisions=CollisionParams(model="given"))
    m = FidelityModel.from_params(p, "area", [0.3, 1.2])
    r = MeasurementSequence.from_params(p, chi1_coherence=0.4).run(area=[0.3, 1.2])
    assert np.allclose(m.probs(0.7), np.stack([r.P0, r.P1, r.P2], axis=1), atol=1e-12)


def test_chi2_of_true_model_follows_its_dof(model):
    """Mean χ² over many datasets equals the dof (var 2 dof): checks the binomial
    variances and the multinomial dof = 2 per row."""
    rng = np.random.default_rng(42)
    trials = 300
    for curve in ("P0", "P2", "all"):
        chi = [
            chi2_value(
                sample_counts(model.probs(0.8), "tau_s", TAU, 400, rng=rng), model.probs(0.8), curve
            )
            for _ in range(trials)
        ]
        dof = chi2_dof(sample_counts(model.probs(0.8), "tau_s", TAU, 4, seed=0), curve)
        assert dof == (2 * TAU.size if curve == "all" else TAU.size)
        assert abs(np.mean(chi) - dof) < 4 * np.sqrt(2 * dof / trials)
        assert np.var(chi) == pytest.approx(2 * dof, rel=0.35)


def test_unentangled_rejected_for_f1_not_for_half(model):
    d1 = sample_counts(model.probs(1.0), "tau_s", TAU, 2000, seed=5)
    dh = sample_counts(model.probs(0.5), "tau_s", TAU, 2000, seed=5)
    t1, th = chi2_table(d1, model), chi2_table(dh, model)
    for curve in ("P1", "P2", "all"):
        assert t1["unentangled"][curve]["p_value"] < 1e-3
        assert th["unentangled"][curve]["p_value"] > 1e-3
        assert t1["entangled"][curve]["p_value"] > 1e-3
    assert th["entangled"]["all"]["p_value"] < 1e-3
    # τ = 0 carries no information on F: P0 differs little, yet dof and keys are complete
    assert set(t1) == {"entangled", "unentangled"}
    assert set(t1["entangled"]) == {"P0", "P1", "P2", "all"}
    assert fidelity_likelihood(d1, model).unentangled_rejection_sigma > 5
    assert fidelity_likelihood(dh, model).unentangled_rejection_sigma < 3
    assert fidelity_scan(d1, model).unentangled_rejection_sigma > 5


def test_chi2_minimum_and_likelihood_maximum_agree_on_large_samples(model):
    d = sample_counts(model.probs(0.8), "tau_s", TAU, 100_000, seed=11)
    for curve in ("P2", "all"):
        scan = fidelity_scan(d, model, curve)
        fit = fidelity_likelihood(d, model, curve)
        width_fit = fit.interval_68[1] - fit.interval_68[0]
        assert scan.best == pytest.approx(fit.best, abs=0.1 * width_fit)
        assert scan.interval_68[1] - scan.interval_68[0] == pytest.approx(width_fit, rel=0.05)
        assert abs(fit.best - 0.8) < 3 * width_fit
        assert scan.unentangled_rejection_sigma == pytest.approx(
            fit.unentangled_rejection_sigma, rel=0.05
        )
        # one-sided 95 % bound: Δχ² = 2.71 below the best, i.e. 1.645 half-widths
        assert fit.best - fit.lower_95 == pytest.approx(
            np.sqrt(ONE_SIDED_95) * width_fit / 2, rel=0.05
        )


@pytest.mark.parametrize("truth, expected", [(0.5, 0.683), (0.8, 0.683), (1.0, 0.841)])
def test_68_percent_intervals_cover_the_truth(model, truth, expected):
    """Coverage over 200 seeded experiments. Interior truths: 68.3 %. At the boundary
    F = 1 the interval [F_lo, 1] covers whenever the unconstrained estimate exceeds
    1 − σ: 50 % + 34.1 % = 84.1 % (honest over-coverage)."""
    rng = np.random.default_rng(123)
    trials = 200
    hits_ml = hits_chi2 = hits_95 = 0
    for _ in range(trials):
        d = sample_counts(model.probs(truth), "tau_s", TAU, 300, rng=rng)
        fit = fidelity_likelihood(d, model)
        lo, hi = fit.interval_68
        hits_ml += lo <= truth <= hi
        hits_95 += fit.lower_95 <= truth
        slo, shi = fidelity_scan(d, model, points=201).interval_68
        hits_chi2 += slo <= truth <= shi
    tol = 3.5 * np.sqrt(expected * (1 - expected) / trials)  # binomial, ~3.5σ
    assert abs(hits_ml / trials - expected) < tol
    assert abs(hits_chi2 / trials - expected) < tol
    assert abs(hits_95 / trials - 0.95) < 3.5 * np.sqrt(0.95 * 0.05 / trials) + 0.01


def test_fidelity_one_gives_boundary_interval_and_high_lower_bound(model):
    d = sample_counts(model.probs(1.0), "tau_s", TAU, 1000, seed=9)
    fit = fidelity_likelihood(d, model)
    assert fit.best <= 1.0 and fit.interval_68[1] == 1.0
    assert 0.5 < fit.lower_95 < fit.interval_68[0] < 1.0
    out = fit.as_dict()
    assert out["interval_68"][1] == 1.0 and all(np.isfinite(out["interval_68"]))


def test_fidelity_zero_is_handled_at_the_lower_boundary(model):
    d = sample_counts(model.probs(0.0), "tau_s", TAU, 1000, seed=3)
    fit = fidelity_likelihood(d, model, "all")
    assert fit.unentangled_rejection_sigma == 0.0
    assert fit.interval_68[0] == 0.0 and fit.interval_68[1] < 0.5
    scan = fidelity_scan(d, model, "all")
    assert scan.interval_68[0] == 0.0 and scan.unentangled_rejection_sigma == 0.0


def test_nuisance_model_is_exact_and_fast():
    nus = [Nuisance("p_loss", 0.02, 0.01), Nuisance("push_efficiency", lower=0.9, upper=1.0)]
    nm = NuisanceModel(PARAMS, "tau_s", TAU, nus)
    assert nm.exact_interpolation
    for vals in (
        {"p_loss": 0.031, "push_efficiency": 0.913},
        {"p_loss": 0.0, "push_efficiency": 1.0},
    ):
        a, b = nm(vals), FidelityModel.from_params(params_with(PARAMS, vals), "tau_s", TAU)
        assert np.allclose(a.p_entangled, b.p_entangled, atol=1e-10)
        assert np.allclose(a.p_unentangled, b.p_unentangled, atol=1e-10)


def test_nuisance_parameters_widen_the_interval_and_recover_the_truth():
    truth = params_with(PARAMS, {"p_loss": 0.06})
    d = simulate_counts(truth, tau_s=TAU, runs=1500, seed=4, fidelity=0.9)
    nominal = FidelityModel.from_params(PARAMS, "tau_s", TAU)  # p_loss = 0.02: biased
    plain = fidelity_likelihood(d, nominal, "all")
    free = fidelity_likelihood(
        d, nominal, "all", nuisance=[Nuisance("p_loss", lower=0.0, upper=0.2)], params=PARAMS
    )
    err = free.nuisance_errors["p_loss"]
    assert abs(free.nuisance["p_loss"] - 0.06) < 3 * err
    w_plain = plain.interval_68[1] - plain.interval_68[0]
    w_free = free.interval_68[1] - free.interval_68[0]
    assert w_free > w_plain
    assert free.interval_68[0] - 2 * w_free <= 0.9 <= free.interval_68[1] + 2 * w_free
    # a tight Gaussian prior at the wrong value pulls p_loss towards it
    tight = fidelity_likelihood(
        d,
        nominal,
        "all",
        nuisance={"p_loss": (0.02, 0.002)},
        factory=model_factory(PARAMS, d, {"p_loss": (0.02, 0.002)}),
    )
    assert abs(tight.nuisance["p_loss"] - 0.02) < abs(free.nuisance["p_loss"] - 0.02)


def test_nuisance_input_errors(model):
    d = sample_counts(model.probs(1.0), "tau_s", TAU, 50, seed=1)
    with pytest.raises(InputError, match="nuisance"):
        fidelity_likelihood(d, model, nuisance={"p_loss": (0.02, 0.01)})
    with pytest.raises(InputError, match="nuisance"):
        Nuisance("rabi_frequency_hz", 1.0, 0.1)
    with pytest.raises(InputError):
        Nuisance("p_loss", mean=0.02, sigma=-1)
    odd = params_with(PARAMS, {})
    import dataclasses

    odd = dataclasses.replace(
        odd,
        imperfections=dataclasses.replace(
            odd.imperfections, detection=((0.9, 0.1, 0.0), (0.0, 1.0, 0.0), (0.0, 0.5, 0.5))
        ),
    )
    with pytest.raises(InputError, match="false-rate"):
        params_with(odd, {"p_false_neg": 0.01})
    with pytest.raises(InputError, match="curve"):
        fidelity_scan(d, model, "P3")


def test_fit_results_are_json_ready(model):
    import json

    d = CountData(
        "tau_s",
        TAU,
        np.full(9, 20),
        *sample_counts(model.probs(0.7), "tau_s", TAU, 20, seed=2).counts.T,
    )
    for obj in (fidelity_scan(d, model, "all"), fidelity_likelihood(d, model, "P1")):
        json.dumps(obj.as_dict(), allow_nan=False)
    json.dumps(chi2_table(d, model), allow_nan=False)
    p = chi2_table(d, model)["entangled"]["P2"]
    assert p["p_value"] == pytest.approx(stats.chi2.sf(p["chi2"], p["dof"]))
