"""χ² tests and the χ²(F) scan without scipy.stats/optimize: p-values against
scipy.stats.chi2, the refined best F and Δχ² crossings against a dense brute-force grid,
JSON policy for non-finite numbers, and the calibration objective against scipy's G-test."""

import math

import numpy as np
import pytest
from scipy import stats

from spinpair.analysis.chi2 import Chi2Result, chi2_sf, chi2_test, chi2_value, fidelity_scan
from spinpair.analysis.data import CountData
from spinpair.analysis.model import ONE_SIDED_95, FidelityModel, json_float


@pytest.mark.parametrize("dof", [1, 2, 7, 30])
def test_p_value_is_the_chi2_survival_function(dof):
    for x in (0.0, 0.3, dof, 3.0 * dof + 10):
        assert chi2_sf(x, dof) == pytest.approx(stats.chi2.sf(x, dof), rel=1e-12, abs=1e-300)
    assert math.isnan(chi2_sf(5.0, 0))  # no degrees of freedom: undefined (null in JSON)


def test_one_sided_95_constant_is_the_normal_quantile_squared():
    assert ONE_SIDED_95 == pytest.approx(stats.norm.ppf(0.95) ** 2, rel=1e-14)


@pytest.fixture(scope="module")
def case():
    p_unent = np.array([[0.25, 0.45, 0.30], [0.20, 0.40, 0.40], [0.30, 0.40, 0.30]])
    p_ent = np.array([[0.25, 0.10, 0.65], [0.20, 0.30, 0.50], [0.30, 0.05, 0.65]])
    model = FidelityModel(p_unent, p_ent)
    rng = np.random.default_rng(11)
    n = np.array([rng.multinomial(400, q) for q in model.probs(0.85)])
    data = CountData("area", np.array([0.5, 1.0, 1.5]), np.full(3, 400), *n.T)
    return data, model


@pytest.mark.parametrize("curve", ["P1", "P2", "all"])
def test_scan_best_and_crossings_match_a_dense_grid(case, curve):
    data, model = case
    s = fidelity_scan(data, model, curve)
    dense = fidelity_scan(data, model, curve, points=200_001)  # brute force: spacing 5e-6
    # the refined minimum is at least as low as any dense grid point, and next to the best
    assert s.chi2_min <= dense.chi2.min() + 1e-12
    assert abs(s.best - dense.fidelity[np.argmin(dense.chi2)]) <= 5e-6
    # the crossings sit exactly on Δχ² = 1 and 2.71 (unless at the boundary)
    lo, hi = s.interval_68
    for x, level in ((lo, 1.0), (hi, 1.0), (s.lower_95, ONE_SIDED_95)):
        if 0.0 < x < 1.0:
            assert chi2_value(data, model.probs(x), curve) - s.chi2_min == pytest.approx(
                level, abs=1e-8
            )
    assert lo <= s.best <= hi and s.lower_95 <= lo
    assert s.p_value == pytest.approx(stats.chi2.sf(s.chi2_min, s.dof), rel=1e-12)
    # rejection of F = 1/2 (Wilks): √Δχ² with χ²(1/2) by scipy's Pearson test and the
    # minimum of the brute-force grid (the grid contains F = 1/2; its minimum is within
    # ~curvature·spacing² of the refined one)
    chi2_half = _pearson_scipy(data, model.probs(0.5), curve)
    expected_sigma = np.sqrt(chi2_half - dense.chi2.min())
    assert dense.fidelity[100_000] == 0.5
    assert s.unentangled_rejection_sigma == pytest.approx(expected_sigma, rel=1e-8)


def _pearson_scipy(data, probs, curve):
    """Pearson χ² by scipy.stats.chisquare row by row: the three counts against N p for
    ``all``; for one curve the two outcomes k and N − k against N p_k, N (1 − p_k)."""
    total = 0.0
    for n_row, N, p in zip(data.counts, data.runs, np.asarray(probs), strict=True):
        if curve == "all":
            obs, exp = n_row, N * p
        else:
            k = int(curve[1])
            obs, exp = [n_row[k], N - n_row[k]], [N * p[k], N * (1 - p[k])]
        total += stats.chisquare(obs, exp).statistic
    return total


@pytest.mark.parametrize("curve", ["P0", "P1", "P2", "all"])
@pytest.mark.parametrize("fidelity", [0.3, 0.85, 1.0])
def test_chi2_value_is_scipys_pearson_statistic(case, curve, fidelity):
    data, model = case
    probs = model.probs(fidelity)
    assert chi2_value(data, probs, curve) == pytest.approx(
        _pearson_scipy(data, probs, curve), rel=1e-12
    )


def test_no_rejection_sigma_when_the_best_fidelity_is_at_most_one_half(case):
    _, model = case
    rng = np.random.default_rng(5)
    n = np.array([rng.multinomial(400, q) for q in model.probs(0.2)])
    data = CountData("area", np.array([0.5, 1.0, 1.5]), np.full(3, 400), *n.T)
    s = fidelity_scan(data, model, "all")
    assert s.best < 0.5
    assert s.unentangled_rejection_sigma == 0.0


def test_chi2_test_p_value_and_non_finite_json(case):
    data, model = case
    r = chi2_test(data, model.probs(1.0), "all")
    assert r.p_value == pytest.approx(stats.chi2.sf(r.chi2, 6), rel=1e-12) and r.dof == 6
    assert Chi2Result(float("nan"), 3, float("nan")).as_dict() == {
        "chi2": None,
        "dof": 3,
        "p_value": None,
    }  # a failed number is null, never a perfect-looking 0
    assert json_float(float("inf")) is None and json_float(2.5) == 2.5


def test_calibration_objective_is_half_the_g_statistic():
    """The calibration's NLL (the one likelihood, saturated normalisation) equals half of
    scipy's G-test statistic summed over hold times (an independent implementation)."""
    from spinpair.analysis.calibrate import _Objective
    from spinpair.dynamics import CollisionSetup
    from spinpair.montecarlo import simulate_populations
    from spinpair.params import Params

    setup = CollisionSetup.from_params(Params())
    data = simulate_populations(setup, "relaxation", [0.01, 0.05, 0.2], 300, seed=4)
    obj = _Objective(data, setup, "relaxation", [], {})
    p = obj.probs(setup)
    g = sum(
        stats.power_divergence(obj.obs[:, i], 300 * p[:, i], lambda_="log-likelihood").statistic
        for i in range(obj.obs.shape[1])
    )
    assert 2 * obj() == pytest.approx(g, rel=1e-10)


def test_the_fit_path_loads_no_scipy():
    """What ``spinpair fit`` computes (χ² table, scans, likelihood fit with MINOS, Wilson
    intervals) runs on numpy and iminuit alone (importing scipy.special, stats and optimize
    cost most of the command's time)."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from spinpair.analysis import CountData, FidelityModel, chi2_table, fidelity_scan\n"
        "from spinpair.analysis import fidelity_likelihood, interval\n"
        "m = FidelityModel(np.array([[0.3, 0.4, 0.3], [0.2, 0.5, 0.3]]),\n"
        "                  np.array([[0.3, 0.1, 0.6], [0.2, 0.2, 0.6]]))\n"
        "d = CountData('area', np.array([1.0, 2.0]), np.array([200, 200]),\n"
        "              np.array([60, 40]), np.array([30, 45]), np.array([110, 115]))\n"
        "chi2_table(d, m); fidelity_scan(d, m, 'P2'); fidelity_scan(d, m, 'all')\n"
        "fit = fidelity_likelihood(d, m, 'P2'); interval(d.counts, d.runs[:, None])\n"
        "assert 0 < fit.best <= 1\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] == 'scipy'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 9, 10, 45, 200])
def test_chi2_survival_closed_form_equals_scipy(dof):
    """The closed-form Q(k/2, x/2) for integer dof against scipy.stats.chi2.sf, from the
    bulk far into both tails (relative 1e-12 where the p-value is above 1e-300)."""
    from scipy import stats

    from spinpair.analysis.chi2 import chi2_sf

    for x in np.concatenate([[1e-8, 0.01, 0.5], np.linspace(0.1, 4, 7) * dof, [50.0 * dof + 100]]):
        want = stats.chi2.sf(x, dof)
        got = chi2_sf(float(x), dof)
        if want > 1e-300:
            assert got == pytest.approx(want, rel=1e-12, abs=1e-300)
    assert chi2_sf(0.0, dof) == 1.0 and chi2_sf(float("inf"), dof) == 0.0


def test_xlogy_without_scipy_equals_scipy():
    from scipy.special import xlogy

    from spinpair.analysis.likelihood import _xlogy

    x = np.array([0.0, 0.0, 1.0, 2.5, 3.0])
    y = np.array([0.0, 0.3, 0.0, 0.2, 1.0])
    assert np.array_equal(_xlogy(x, y), xlogy(x, y))


def test_scans_hold_memory_linear_in_the_rows():
    """χ²(F) over the 1001-point grid never builds the (F, rows, 3) stack: with 20 000
    rows the scans' peak allocation stays below 100 MB (the stack alone would be 480 MB),
    and the column path equals the full-model χ² to rounding."""
    import tracemalloc

    from spinpair.analysis.chi2 import _chi2_many, _chi2_of_fidelity

    rng = np.random.default_rng(7)
    rows = 20_000
    pu = rng.dirichlet([2, 3, 4], rows)
    pe = rng.dirichlet([2, 3, 4], rows)
    m = FidelityModel(pu, pe)
    runs = np.full(rows, 50)
    c = np.array([rng.multinomial(50, p) for p in 0.5 * (pu + pe)])
    d = CountData("area", np.linspace(0, 3, rows), runs, c[:, 0], c[:, 1], c[:, 2])
    F = np.linspace(0, 1, 7)
    for curve in ("P0", "P2", "all"):
        np.testing.assert_allclose(
            _chi2_of_fidelity(d, m, curve)(F), _chi2_many(d, m.probs(F), curve), rtol=1e-12
        )
    tracemalloc.start()
    try:
        for curve in ("P2", "all"):
            fidelity_scan(d, m, curve)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100e6, peak
