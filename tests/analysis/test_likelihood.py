"""The one count likelihood (spinpair.analysis.likelihood.multinomial_nll) against scipy's
multinomial and binomial log-pmf, its broadcasting and zero-count cells, and its callers
(planning, calibration) against their closed forms."""

import numpy as np
import pytest
from scipy import stats

from spinpair.analysis.data import CountData
from spinpair.analysis.likelihood import count_nll, curve_cells, multinomial_nll
from spinpair.analysis.model import FidelityModel
from spinpair.analysis.planning import asimov_sigma_per_run, rejection_sigma_batch
from spinpair.errors import InputError

RNG = np.random.default_rng(7)


def _random_case(rows: int, cells: int, runs: int):
    p = RNG.dirichlet(np.ones(cells), size=rows)
    n = np.array([RNG.multinomial(runs, q) for q in p])
    return n, p


@pytest.mark.parametrize("cells", [2, 3, 5])
def test_pmf_normalisation_equals_scipy_multinomial_logpmf(cells):
    n, p = _random_case(20, cells, 37)
    ours = multinomial_nll(n, p, constant="pmf")
    ref = -np.array([stats.multinomial.logpmf(k, 37, q) for k, q in zip(n, p, strict=True)])
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_binomial_curve_equals_scipy_binom_logpmf():
    n, p = _random_case(15, 3, 50)
    for k, curve in enumerate(("P0", "P1", "P2")):
        cells, probs = curve_cells(n, p, curve)
        ours = multinomial_nll(cells, probs, constant="pmf")
        ref = -stats.binom.logpmf(n[:, k], 50, p[:, k])
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_normalisations_differ_by_data_only_constants():
    """'none', 'pmf' and 'saturated' differ by terms that do not depend on p, so every
    difference of NLLs between two models is the same in all three."""
    n, p = _random_case(10, 3, 40)
    _, q = _random_case(10, 3, 40)
    diffs = [
        multinomial_nll(n, p, constant=c) - multinomial_nll(n, q, constant=c)
        for c in ("none", "pmf", "saturated")
    ]
    np.testing.assert_allclose(diffs[0], diffs[1], atol=1e-11)
    np.testing.assert_allclose(diffs[0], diffs[2], atol=1e-11)


def test_saturated_is_half_the_deviance_and_zero_at_the_data():
    n, p = _random_case(12, 3, 60)
    frac = n / n.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(multinomial_nll(n, frac, constant="saturated"), 0.0, atol=1e-12)
    # G-test statistic G = 2 Σ n ln(n / (N p)) is scipy's power_divergence with lambda 0
    g = np.array(
        [
            stats.power_divergence(k, 60 * q, lambda_="log-likelihood").statistic
            for k, q in zip(n, p, strict=True)
        ]
    )
    np.testing.assert_allclose(2 * multinomial_nll(n, p, constant="saturated"), g, rtol=1e-10)


def test_zero_count_cells_contribute_nothing_even_where_p_is_zero():
    n = np.array([[5, 0, 3]])
    p = np.array([[0.5, 0.0, 0.5]])
    for c in ("none", "pmf", "saturated"):
        assert np.isfinite(multinomial_nll(n, p, constant=c)).all()
    assert multinomial_nll(n, p)[0] == pytest.approx(-8 * np.log(0.5))
    assert multinomial_nll(n, p, constant="pmf")[0] == pytest.approx(
        -stats.multinomial.logpmf([5, 0, 3], 8, [0.5, 0.0, 0.5])
    )
    # an observed cell with probability 0 is impossible: +inf, not NaN
    assert multinomial_nll([[1, 1, 0]], [[0.0, 0.5, 0.5]])[0] == np.inf


def test_broadcasting_over_models_and_axis():
    n, p = _random_case(6, 3, 30)
    stack = np.stack([p, np.roll(p, 1, axis=1), np.full_like(p, 1 / 3)])  # (3, rows, 3)
    out = multinomial_nll(n, stack)
    assert out.shape == (3, 6)
    for i in range(3):
        np.testing.assert_allclose(out[i], multinomial_nll(n, stack[i]), rtol=1e-14)
    # cells along axis 0 (as the calibration stores them: cells × times)
    np.testing.assert_allclose(
        multinomial_nll(n.T, p.T, axis=0, constant="saturated"),
        multinomial_nll(n, p, constant="saturated"),
        rtol=1e-14,
    )


def test_count_nll_sums_rows_and_vectorises_over_fidelity():
    n, p0 = _random_case(5, 3, 100)
    _, p1 = _random_case(5, 3, 100)
    model = FidelityModel(p0, p1)
    data = CountData("area", np.linspace(0, 1, 5), np.full(5, 100), *n.T)
    F = np.linspace(0, 1, 7)
    for curve in ("P0", "P1", "P2", "all"):
        grid = count_nll(data, model.probs(F), curve)
        assert grid.shape == (7,)
        for f, g in zip(F, grid, strict=True):
            assert count_nll(data, model.probs(f), curve) == pytest.approx(g, rel=1e-13)


def test_bad_constant_and_curve_raise_input_error():
    with pytest.raises(InputError):
        multinomial_nll([1, 2], [0.5, 0.5], constant="full")
    with pytest.raises(InputError):
        curve_cells([[1, 2, 3]], [[0.2, 0.3, 0.5]], "P3")


def test_rejection_sigma_batch_equals_a_brute_force_profile():
    """Z from the planner's vectorised bisection equals √(2 ΔNLL) with the maximum over
    F ∈ [½, 1] found on a fine grid with scipy's binomial log-pmf (independent method)."""
    p0, p1 = np.array([[0.3, 0.4, 0.3], [0.2, 0.5, 0.3]]), np.array([[0.3, 0.1, 0.6]] * 2)
    model = FidelityModel(p0, p1)
    counts = np.array([[[28, 25, 47], [20, 22, 58]], [[30, 40, 30], [20, 50, 30]]])
    z = rejection_sigma_batch(counts, model, "P2")
    F = np.linspace(0.5, 1.0, 200001)
    for zi, c in zip(z, counts, strict=True):
        ll = sum(stats.binom.logpmf(c[r, 2], 100, model.probs(F)[:, r, 2]) for r in range(2))
        ref = np.sqrt(max(0.0, 2 * (ll.max() - ll[0])))
        assert zi == pytest.approx(ref, abs=1e-4)


def test_asimov_sigma_is_the_likelihood_ratio_of_the_expected_data():
    p0, p1 = np.array([[0.3, 0.4, 0.3]]), np.array([[0.3, 0.1, 0.6]])
    model = FidelityModel(p0, p1)
    runs = 10_000
    expected = runs * model.probs(0.9)
    # the Asimov dataset has non-integer counts (scipy's logpmf takes integers), so the
    # log-likelihood ratio is written out: Σ n ln p(F = 0.9) − Σ n ln p(F = ½)
    dll = np.sum(expected * (np.log(model.probs(0.9)) - np.log(model.probs(0.5))))
    assert asimov_sigma_per_run(model, 0.9, "all") * np.sqrt(runs) == pytest.approx(
        np.sqrt(2 * dll), rel=1e-9
    )


def test_bad_probabilities_and_counts_are_named_not_nan():
    """Finite input never gives NaN: probabilities outside [0, 1] or NaN, and negative
    counts, are an InputError naming the argument (check=False for a minimiser's probes)."""
    import math

    from spinpair.analysis.likelihood import multinomial_nll
    from spinpair.errors import InputError

    for probs in ([-0.5, 1.5], [float("nan"), 1.0], [0.5, 1.2]):
        with pytest.raises(InputError, match="probs"):
            multinomial_nll([1, 2], probs)
    with pytest.raises(InputError, match="counts"):
        multinomial_nll([-1, 2], [0.5, 0.5])
    assert math.isnan(float(multinomial_nll([1, 2], [float("nan"), 1.0], check=False)))


def test_zeeman_energy_refuses_fields_beyond_any_magnet():
    from spinpair import get_species, zeeman_energy_hz
    from spinpair.errors import InputError
    from spinpair.species import MAX_FIELD_GAUSS

    sp = get_species("rb85")
    assert np.isfinite(zeeman_energy_hz(sp, 2, MAX_FIELD_GAUSS))
    with pytest.raises(InputError, match="at most 1e\\+08 gauss"):
        zeeman_energy_hz(sp, 0, 1e200)
