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


def _hand_pulse_and_z(f: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """One atom's ideal instantaneous π/2 pulse exp(-iπ/4 X) (X: σx on |1>, |-1>, identity
    on the other m) and the diagonal Z (±1 on m = ±1, 0 else), built here from scratch."""
    from scipy.linalg import expm

    b = PairBasis(f)
    up, down = b.single_index(1), b.single_index(-1)
    X = np.zeros((b.d, b.d))
    X[up, down] = X[down, up] = 1.0
    Z = np.zeros(b.d)
    Z[up], Z[down] = 1.0, -1.0
    return expm(-1j * np.pi / 4 * X), Z


def _fisher_by_differences(psi0: np.ndarray, pair: bool, wait_s: float, det_hz: float) -> float:
    """Σ_k (∂p_k/∂δ)²/p_k (1/Hz²) of the m-resolved outcomes of the Ramsey sequence pulse,
    free evolution exp(iπδT Z), pulse on ``psi0`` (one atom, or both atoms of a pair);
    ∂/∂δ by central differences."""
    pulse, Z = _hand_pulse_and_z()
    h = 1.0  # Hz, against fringe periods of 100 kHz: O(h²) error ~ 1e-9

    def probs(d: float) -> np.ndarray:
        U = pulse @ np.diag(np.exp(1j * np.pi * d * wait_s * Z)) @ pulse
        return np.abs((np.kron(U, U) if pair else U) @ psi0) ** 2

    p = probs(det_hz)
    dp = (probs(det_hz + h) - probs(det_hz - h)) / (2 * h)
    keep = p > 1e-12
    assert np.all(np.abs(dp[~keep]) < 1e-9)  # outcomes never seen carry no information
    return float(np.sum(dp[keep] ** 2 / p[keep]))


@pytest.mark.parametrize("wait_s", [T, 12e-6])
@pytest.mark.parametrize("det_hz", [3e3, 21e3, 40e3])
def test_limits_equal_fisher_of_actual_states_under_ramsey(wait_s, det_hz):
    """The closed forms n (2πT)² and n² (2πT)² against the Fisher information of the
    m-resolved readout, computed by differentiating the outcome probabilities of a Ramsey
    sequence built here: one atom in |1> and the product |1,1> reach the SQL, the pair
    state chi1 (whose first pulse makes a GHZ state) the Heisenberg limit."""
    one = np.eye(5)[PairBasis(2).single_index(1)]
    F1 = _fisher_by_differences(one, False, wait_s, det_hz)
    F11 = _fisher_by_differences(named_ket("1,1"), True, wait_s, det_hz)
    Fchi = _fisher_by_differences(named_ket("chi1"), True, wait_s, det_hz)
    assert sql_fisher(wait_s, n_atoms=1) == pytest.approx(F1, rel=1e-6)
    assert heisenberg_fisher(wait_s, n_atoms=1) == pytest.approx(F1, rel=1e-6)
    assert sql_fisher(wait_s) == pytest.approx(F11, rel=1e-6)
    assert heisenberg_fisher(wait_s) == pytest.approx(Fchi, rel=1e-6)


@pytest.mark.parametrize("name, limit", [("chi1", heisenberg_fisher), ("1,1", sql_fisher)])
def test_limits_equal_qfi_four_variance_of_generator(name, limit):
    """QFI = 4 Var(G) of the pure state after the first pulse, with G = 2πT (Z₁ + Z₂)/2
    built here: the Heisenberg limit for chi1, the SQL for the product state."""
    pulse, Z = _hand_pulse_and_z()
    G = 2 * np.pi * T * (np.kron(Z, np.ones(5)) + np.kron(np.ones(5), Z)) / 2
    psi = np.kron(pulse, pulse) @ named_ket(name)
    mean = np.vdot(psi, G * psi).real
    var = np.vdot(psi, G**2 * psi).real - mean**2
    assert limit(T) == pytest.approx(4 * var, rel=1e-10)


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
