"""Metrology: Fisher information by hand, SQL and Heisenberg limits, QFI, field slope and the
preparation / post-selection scenario (closed forms with ideal pulses)."""

import numpy as np
import pytest
from scipy import constants

from spinpair.metrology import (
    classical_fisher,
    cramer_rao_bound_hz,
    detuning_per_gauss,
    fisher_information,
    heisenberg_fisher,
    mixture_weights,
    moment_fisher,
    phase_generator,
    preparation_curves,
    preparation_fisher,
    qfi_after_first_pulse,
    qfi_mixed,
    qfi_pure,
    ramsey_fisher,
    sql_fisher,
    sql_thresholds,
    state_after_first_pulse,
)
from spinpair.params import Params
from spinpair.species import get_species
from spinpair.spin import PairBasis, named_ket, rho_family

T = 5e-6
A = 2 * np.pi * T  # rad/Hz


@pytest.mark.parametrize("a", [0.7, 3.0, 12.5])
def test_fisher_two_outcome_cos2_by_hand(a):
    d = np.array([0.03, 0.11, 0.4])  # away from the zeros of p
    p = np.stack([np.cos(a * d) ** 2, np.sin(a * d) ** 2], axis=1)
    dp = np.stack([-a * np.sin(2 * a * d), a * np.sin(2 * a * d)], axis=1)
    np.testing.assert_allclose(fisher_information(p, dp), 4 * a**2, rtol=1e-12)

    def model(x):
        return np.stack([np.cos(a * x) ** 2, np.sin(a * x) ** 2], axis=1)

    F, _, _ = classical_fisher(model, d, 1e-6)
    np.testing.assert_allclose(F, 4 * a**2, rtol=1e-6)
    # a coarse-grained readout never has more information
    x = np.array([0.0, 1.0])
    assert np.all(moment_fisher(x, p, dp) <= F * (1 + 1e-9))


def test_cramer_rao_scaling():
    assert cramer_rao_bound_hz(4.0, runs=25) == pytest.approx(0.1)
    assert np.isinf(cramer_rao_bound_hz(0.0))


def test_limits():
    assert sql_fisher(T) == pytest.approx(2 * A**2)
    assert heisenberg_fisher(T) == pytest.approx(2 * sql_fisher(T))


def test_qfi_chi1_is_twice_product_state():
    q_chi1 = qfi_after_first_pulse("chi1", T)
    q_prod = qfi_after_first_pulse("1,1", T)
    assert q_chi1 == pytest.approx(4 * A**2, rel=1e-12)
    assert q_prod == pytest.approx(2 * A**2, rel=1e-12)  # = SQL
    assert q_chi1 / q_prod == pytest.approx(2.0)
    # pure-state formula agrees with the mixed-state (SLD) one
    G = phase_generator(2, T)
    psi = state_after_first_pulse("chi1")
    _, v = np.linalg.eigh(psi)
    assert qfi_pure(v[:, -1], G) == pytest.approx(q_chi1, rel=1e-10)
    # no coherence between |1,-1> and |-1,1>: a mixed pair is only as good as the SQL, and
    # fidelity F with chi1 gives 4F (2πT)²
    assert qfi_after_first_pulse(rho_family(0.0), T) == pytest.approx(2 * A**2, rel=1e-10)
    assert qfi_after_first_pulse(rho_family(0.6), T) == pytest.approx(4 * 0.8 * A**2, rel=1e-10)
    assert qfi_mixed(np.outer(named_ket("00"), named_ket("00")), G) == pytest.approx(0.0)


def test_ramsey_fisher_ideal_instantaneous():
    d = np.array([3e3, 21e3, 40e3])
    kw = dict(ideal=True, instantaneous=True)
    chi1 = ramsey_fisher(Params(), "chi1", T, None, d, **kw)
    np.testing.assert_allclose(chi1.counts, 2 * chi1.sql, rtol=1e-6)  # Heisenberg
    np.testing.assert_allclose(chi1.p1_binary, chi1.counts, rtol=1e-6)  # P0 = P2
    np.testing.assert_allclose(chi1.mean_number, 0.0, atol=1e-6 * chi1.sql)  # flat
    assert chi1.qfi == pytest.approx(2 * chi1.sql)
    pair = ramsey_fisher(Params(), "1,1", T, None, d, **kw)
    np.testing.assert_allclose(pair.counts, pair.sql, rtol=1e-6)  # SQL, all δ
    np.testing.assert_allclose(pair.mean_number, pair.sql, rtol=1e-6)  # mean N is enough
    one = ramsey_fisher(Params(), "single", T, None, d, **kw)
    np.testing.assert_allclose(one.counts, one.sql / 2, rtol=1e-6)


def test_finite_pulses_below_ceiling():
    fr = ramsey_fisher(Params(), "chi1", T, None, None, ideal=True)
    assert fr.effective_time_s == pytest.approx(T + 4 * 0.25 / 156e3 / np.pi)
    assert np.all(fr.counts <= fr.qfi * (1 + 1e-6))
    assert fr.best()[1] == pytest.approx(fr.qfi, rel=1e-3)  # reached near δ = 0


def test_detuning_slope_linear_zeeman():
    sp = get_species("rb85")
    g_f = sp.g_i - (sp.g_j - sp.g_i) / (2 * sp.nuclear_spin + 1)
    mu_b_hz_per_gauss = constants.physical_constants["Bohr magneton in Hz/T"][0] * 1e-4
    assert detuning_per_gauss(sp, 1e-3) == pytest.approx(2 * abs(g_f) * mu_b_hz_per_gauss, rel=1e-5)
    assert detuning_per_gauss(sp, 8.5) == pytest.approx(0.935e6, rel=2e-3)


def test_mixture_weights():
    w = mixture_weights(0.37, 0.9)
    assert sum(w.values()) == pytest.approx(1.0)
    assert w["chi1"] == pytest.approx(0.333)
    assert w["00"] / w["chi2"] == pytest.approx(0.40 / 0.23)


@pytest.fixture(scope="module")
def ideal_curves():
    return preparation_curves(Params(), T, ideal=True, instantaneous=True)


@pytest.mark.parametrize("p,F", [(1.0, 1.0), (0.37, 1.0), (0.6, 0.9), (0.2, 0.75)])
def test_preparation_closed_forms(ideal_curves, p, F):
    r = preparation_fisher(ideal_curves, p, F)
    assert r.acceptance == pytest.approx(p)
    assert r.per_postselected_run == pytest.approx(4 * F * A**2, rel=1e-4)
    assert r.postselected_per_attempt == pytest.approx(4 * p * F * A**2, rel=1e-4)
    assert r.per_run <= r.postselected_per_attempt * (1 + 1e-4)


def test_sql_thresholds_closed_forms(ideal_curves):
    for F in (1.0, 0.9):
        t = sql_thresholds(ideal_curves, F)
        assert t["postselected_per_attempt"] == pytest.approx(1 / (2 * F), abs=1e-3)
        assert t["fidelity_per_postselected_run"] == pytest.approx(0.5, abs=1e-3)
        assert t["per_run"] >= t["postselected_per_attempt"] - 1e-3
    assert sql_thresholds(ideal_curves, 1.0)["per_run"] == pytest.approx(0.5, abs=5e-3)
    assert sql_thresholds(ideal_curves, 0.45)["postselected_per_attempt"] is None
    paper = preparation_fisher(ideal_curves, 0.37, 1.0).beats_sql()
    assert paper == {
        "per_run": False,
        "postselected_per_attempt": False,
        "per_postselected_run": True,
    }


def test_phase_generator_convention():
    b = PairBasis(2)
    g = phase_generator(2, T)
    assert g[b.index(1, 1)] == pytest.approx(A)
    assert g[b.index(-1, -1)] == pytest.approx(-A)
    assert g[b.index(2, -2)] == 0.0 and g[b.index(1, 0)] == pytest.approx(A / 2)


def test_ramsey_fisher_postselected_mixture_is_per_kept_run():
    from spinpair.params import CollisionParams

    pops = {"00": 0.4, "chi1": 0.37, "chi2": 0.23}
    p = Params(collisions=CollisionParams(model="given", populations=pops))
    d = np.array([5e3, 30e3])
    kw = dict(ideal=True, instantaneous=True)
    kept = ramsey_fisher(p, None, T, None, d, postselect=True, **kw)
    np.testing.assert_allclose(kept.counts, 2 * kept.sql, rtol=1e-6)
    raw = ramsey_fisher(p, None, T, None, d, **kw)
    assert np.all(raw.counts < 0.37 * 2 * raw.sql * (1 + 1e-6))


# ----------------------------------------------------------------------------- δ = 0 limit


@pytest.mark.parametrize("state", ["chi1", "1,1"])
@pytest.mark.parametrize("instantaneous", [True, False])
def test_fisher_at_exact_resonance_is_the_limit(state, instantaneous):
    """At δ = 0 exactly, outcomes with p_k = 0 are 0/0; the Fisher information must equal its
    limit δ → 0 (the values at small finite δ), not drop to 0 (issue 10)."""
    T = 5e-6
    det = [0.0, 0.5, 2.0, -2.0]  # Hz: |phase| ≤ 2π·1e-5 away from resonance
    fr = ramsey_fisher(Params(), state, T, None, det, ideal=True, instantaneous=instantaneous)
    for F in (fr.counts, fr.p1_binary, fr.mean_number):
        assert F[0] == pytest.approx(np.mean(F[1:]), rel=1e-4, abs=1e-6 * fr.sql)
    assert fr.counts[0] == pytest.approx((2.0 if state == "chi1" else 1.0) * fr.sql, rel=1e-4)


def test_fisher_zero_probability_limit_by_hand():
    """p = (sin aδ)², 1 − p: at δ = 0 the p term is 0/0 with limit 2 p'' = 4a² (= F anywhere)."""
    a = 3.0
    d = np.array([0.0, 1e-3])

    def model(x):
        return np.stack([np.sin(a * x) ** 2, np.cos(a * x) ** 2], axis=1)

    F, _, _ = classical_fisher(model, d, 1e-5)
    assert F == pytest.approx([4 * a**2, 4 * a**2], rel=1e-6)
    # without curvature information the old behaviour (term dropped) is kept
    p = model(d)
    dp = np.stack([a * np.sin(2 * a * d), -a * np.sin(2 * a * d)], axis=1)
    assert fisher_information(p, dp)[0] == 0.0
    # moment information of X = outcome index: also the limit, not 0
    d2p = np.stack([2 * a**2 * np.cos(2 * a * d), -2 * a**2 * np.cos(2 * a * d)], axis=1)
    m = moment_fisher([0.0, 1.0], p, dp, d2p)
    assert m[0] == pytest.approx(4 * a**2, rel=1e-9)
    assert m[1] == pytest.approx(4 * a**2, rel=1e-5)


def test_preparation_fisher_at_exact_resonance():
    """Post-selected ideal chi1 at δ = 0 exactly: twice the SQL per kept run (the limit)."""
    c = preparation_curves(Params(), 5e-6, None, [0.0], ideal=True, instantaneous=True)
    r = preparation_fisher(c, 1.0, 1.0)
    assert r.per_run / r.sql == pytest.approx(2.0, rel=1e-4)
    assert r.per_postselected_run / r.sql == pytest.approx(2.0, rel=1e-4)
