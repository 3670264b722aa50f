"""Feldman–Cousins interval of the fidelity: inside [0, 1] by construction, equal to the
profile-likelihood (Δχ² ≤ 1) interval away from the boundary, reproducible with a seed,
and covering its confidence level at the boundary (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from spinpair.analysis.chi2 import fidelity_scan
from spinpair.analysis.model import FidelityModel
from spinpair.analysis.unified import feldman_cousins
from spinpair.errors import InputError
from spinpair.montecarlo import simulate_counts
from spinpair.paper import paper_like_params


@pytest.fixture(scope="module")
def setup():
    p = paper_like_params()
    tau = np.linspace(0.0, 0.5 / p.raman.rabi_frequency_hz, 15)
    return p, tau, FidelityModel.from_params(p, "tau_s", tau)


def test_equals_the_profile_interval_away_from_the_boundary(setup):
    """Wilks' regime (F = 0.75, 2000 runs per point): both constructions agree to about
    the grid spacing (0.01)."""
    p, tau, m = setup
    d = simulate_counts(p, tau_s=tau, runs=2000, seed=3, fidelity=0.75)
    lo, hi = fidelity_scan(d, m, "P2").interval_68
    u = feldman_cousins(d, m, "P2", toys=500, grid=101, seed=1)
    assert u.interval[0] == pytest.approx(lo, abs=0.005)
    assert u.interval[1] == pytest.approx(hi, abs=0.005)
    assert u.interval[0] < u.best < u.interval[1]


def test_at_the_boundary_stays_inside_and_is_reproducible(setup):
    p, tau, m = setup
    d = simulate_counts(p, tau_s=tau, runs=200, seed=5, fidelity=1.0)
    u = feldman_cousins(d, m, "P2", toys=300, grid=51, seed=7)
    assert 0.0 <= u.interval[0] <= u.best <= u.interval[1] <= 1.0
    v = feldman_cousins(d, m, "P2", toys=300, grid=51, seed=7)
    assert u.interval == v.interval
    assert np.all(np.diff(u.grid) > 0) and np.all(u.t_critical >= 0)
    all_curves = feldman_cousins(d, m, "all", toys=300, grid=51, seed=7)
    assert 0.0 <= all_curves.interval[0] <= all_curves.interval[1] <= 1.0


def test_bad_options_are_refused(setup):
    p, tau, m = setup
    d = simulate_counts(p, tau_s=tau, runs=20, seed=1)
    for kw, field in (({"cl": 1.0}, "cl"), ({"grid": 5}, "grid"), ({"toys": 10}, "toys")):
        with pytest.raises(InputError, match=field):
            feldman_cousins(d, m, "P2", **kw)
    with pytest.raises(InputError, match="curve"):
        feldman_cousins(d, m, "P3")
    other = FidelityModel(m.p_unentangled[:3], m.p_entangled[:3])
    with pytest.raises(InputError, match="model"):
        feldman_cousins(d, other, "P2")


@pytest.mark.slow
def test_covers_68_percent_at_the_boundary(setup):
    """At F = 1 the Δχ² ≤ 1 interval over-covers (its Gaussian half-tail lies outside
    [0, 1]); the unified interval covers 68.3 % within the experiments' statistical error
    (3σ over 120 seeded experiments)."""
    p, tau, m = setup
    n = 120
    hits = 0
    for seed in range(n):
        d = simulate_counts(p, tau_s=tau, runs=200, seed=500 + seed, fidelity=1.0)
        u = feldman_cousins(d, m, "P2", toys=300, grid=41, seed=seed)
        hits += u.interval[0] <= 1.0 <= u.interval[1]
    se = np.sqrt(0.6827 * 0.3173 / n)
    assert abs(hits / n - 0.6827) < 3 * se, hits / n
