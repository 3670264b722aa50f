"""Raman rotation and the ideal counting readout (paper Fig. 2a)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spinpair.errors import InputError
from spinpair.raman import (
    apply_local_unitary,
    ideal_counts,
    raman_unitary,
    raman_unitary_time,
)
from spinpair.spin import PairBasis, named_ket, named_state, rho_family

AREAS = np.linspace(0, 2 * np.pi, 37)


def test_unitary_and_paper_map():
    U = raman_unitary(2, AREAS, 0.3)
    eye = np.eye(5)
    for u in U:
        assert np.allclose(u @ u.conj().T, eye)
    b = PairBasis(2)
    th = 0.7
    u = raman_unitary(2, th)[0]
    ip, im = b.single_index(1), b.single_index(-1)
    # |1> -> cos(th/2)|1> + i sin(th/2)|-1>
    assert u[ip, ip] == pytest.approx(np.cos(th / 2))
    assert u[im, ip] == pytest.approx(1j * np.sin(th / 2))
    assert u[b.single_index(0), b.single_index(0)] == 1


def test_chi1_goes_to_phi_plus_at_half_pi():
    out = apply_local_unitary(named_state("chi1"), raman_unitary(2, np.pi / 2))[0]
    phi = named_ket("phi_plus")
    assert np.real(phi.conj() @ out @ phi) == pytest.approx(1.0)


def test_mixed_goes_to_phi_plus_chi_minus_mixture_at_half_pi():
    out = apply_local_unitary(named_state("mixed"), raman_unitary(2, np.pi / 2))[0]
    expected = 0.5 * (named_state("phi_plus") + named_state("chi_minus"))
    assert np.allclose(out, expected)


@pytest.mark.parametrize("f", [1, 2, 3])
def test_fig2a_closed_forms(f):
    """chi1: P1 = cos²θ, P0 = P2 = sin²θ/2; mixed: P1 = 1 - sin²θ/2, P0 = P2 = sin²θ/4."""
    ent = ideal_counts(named_state("chi1", f), AREAS)
    mix = ideal_counts(named_state("mixed", f), AREAS)
    s2 = np.sin(AREAS) ** 2
    assert np.allclose(ent.P1, np.cos(AREAS) ** 2)
    assert np.allclose(ent.P0, s2 / 2)
    assert np.allclose(ent.P2, s2 / 2)
    assert np.allclose(mix.P1, 1 - s2 / 2)
    assert np.allclose(mix.P0, s2 / 4)
    assert np.allclose(mix.P2, s2 / 4)


def test_fig2a_values_at_quarter_points():
    area = [0, np.pi / 4, np.pi / 2, np.pi]
    ent = ideal_counts(named_state("chi1"), area)
    mix = ideal_counts(named_state("mixed"), area)
    assert ent.P1 == pytest.approx([1, 0.5, 0, 1], abs=1e-12)
    assert mix.P1 == pytest.approx([1, 0.75, 0.5, 1], abs=1e-12)
    # entangled and unentangled agree at 0 and differ most at pi/2
    diff = np.abs(ent.P1 - mix.P1)
    assert diff[0] == pytest.approx(0) and diff.argmax() == 2


@given(c=st.floats(-1, 1), theta=st.floats(0, 2 * np.pi))
@settings(max_examples=50, deadline=None)
def test_readout_is_linear_in_coherence_and_sums_to_one(c, theta):
    p = ideal_counts(rho_family(c), theta)
    assert float(p.P0[0] + p.P1[0] + p.P2[0]) == pytest.approx(1.0)
    # P1(c) = (1 - s²/2) - c s²/2
    s2 = np.sin(theta) ** 2
    assert float(p.P1[0]) == pytest.approx(1 - s2 / 2 - c * s2 / 2, abs=1e-12)


def test_zero_area_and_spectator_states():
    # |0,0> and |2,-2> never see the pulse: both atoms always counted
    for name in ["00", "chi2"]:
        p = ideal_counts(named_state(name), AREAS)
        assert np.allclose(p.P2, 1.0)
    # both atoms in |1> at area 0: both removed
    assert ideal_counts(named_state("1,1"), 0.0).P0[0] == pytest.approx(1.0)


def test_pair_rabi_evolution_against_qutip_sesolve():
    """Independent method: integrate H = -(Ω/2)(σx⊗1 + 1⊗σx) - (δ/2)(σz⊗1 + 1⊗σz) with sesolve."""
    qutip = pytest.importorskip("qutip")
    b = PairBasis(2)
    ip, im = b.single_index(1), b.single_index(-1)
    sx = np.zeros((5, 5), dtype=complex)
    sx[ip, im] = sx[im, ip] = 1
    sz = np.zeros((5, 5), dtype=complex)
    sz[ip, ip], sz[im, im] = 1, -1
    omega, delta = 2 * np.pi * 156e3, 2 * np.pi * 40e3
    h1 = -(omega / 2) * sx - (delta / 2) * sz
    one = np.eye(5)
    H = qutip.Qobj(np.kron(h1, one) + np.kron(one, h1), dims=[[5, 5], [5, 5]])
    psi0 = qutip.Qobj(named_ket("chi1").reshape(-1, 1), dims=[[5, 5], [1, 1]])
    tau = np.linspace(0, 6e-6, 13)
    res = qutip.sesolve(H, psi0, tau, options={"atol": 1e-11, "rtol": 1e-9})
    U = raman_unitary_time(2, 156e3, tau, 40e3)
    ours = apply_local_unitary(named_state("chi1"), U)
    for k, st_ in enumerate(res.states):
        v = st_.full()[:, 0]
        assert np.allclose(ours[k], np.outer(v, v.conj()), atol=1e-7)


@pytest.mark.parametrize("bad", [[float("nan")], [0.0, float("inf")]])
def test_bad_area(bad):
    with pytest.raises(InputError, match="area"):
        ideal_counts(named_state("chi1"), bad)


def test_bad_time_inputs():
    with pytest.raises(InputError, match="tau_s"):
        raman_unitary_time(2, 156e3, [-1e-6])
    with pytest.raises(InputError, match="rabi_frequency_hz"):
        raman_unitary_time(2, 0.0, [1e-6])
