"""Two-atom spin algebra and entanglement measures."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Rational
from sympy.physics.wigner import clebsch_gordan as cg_sympy

from spinpair.errors import InputError
from spinpair.spin import (
    PairBasis,
    channel_operator,
    clebsch_gordan,
    concurrence_pm1,
    exchange_operator,
    fidelity,
    from_qutip,
    named_ket,
    named_state,
    negativity,
    partial_transpose,
    populations,
    purity,
    rho_family,
    symmetric_sector,
    to_qutip,
    total_spin_projector,
    total_spin_state,
)

FS = (1, 2, 3)


def test_basis_order_matches_qutip_jmat():
    qutip = pytest.importorskip("qutip")
    jz = np.real(np.diag(qutip.jmat(2, "z").full()))
    assert list(jz) == list(PairBasis(2).ms)


@pytest.mark.parametrize("f", FS)
def test_clebsch_gordan_against_sympy(f):
    for F in range(0, 2 * f + 1):
        for M in range(-F, F + 1):
            for m1 in range(-f, f + 1):
                m2 = M - m1
                if abs(m2) > f:
                    continue
                ref = float(cg_sympy(Rational(f), Rational(f), Rational(F), m1, m2, M))
                assert clebsch_gordan(f, m1, f, m2, F, M) == pytest.approx(ref, abs=1e-12)


def test_clebsch_gordan_half_integer_against_sympy():
    h = Rational(1, 2)
    for j2, m1, m2, j in [(1, h, 0, Rational(3, 2)), (1, -h, 1, h), (Rational(3, 2), h, -h, 1)]:
        ref = float(cg_sympy(h, j2, j, m1, m2, m1 + m2))
        assert clebsch_gordan(0.5, float(m1), float(j2), float(m2), float(j), float(m1 + m2)) == (
            pytest.approx(ref, abs=1e-12)
        )


@pytest.mark.parametrize("f", FS)
def test_projectors_orthogonal_complete_hermitian(f):
    d2 = (2 * f + 1) ** 2
    total = np.zeros((d2, d2), dtype=complex)
    Ps = [total_spin_projector(f, F) for F in range(2 * f + 1)]
    for F, P in enumerate(Ps):
        assert np.allclose(P, P.conj().T)
        assert np.allclose(P @ P, P)
        assert np.trace(P).real == pytest.approx(2 * F + 1)
        for G in range(F):
            assert np.allclose(P @ Ps[G], 0.0)
        total += P
    assert np.allclose(total, np.eye(d2))


@pytest.mark.parametrize("f", FS)
def test_exchange_parity_of_total_spin(f):
    S = exchange_operator(f)
    assert np.allclose(S @ S, np.eye(S.shape[0]))
    for F in range(2 * f + 1):
        P = total_spin_projector(f, F)
        assert np.allclose(S @ P, (-1) ** F * P)


@pytest.mark.parametrize("f", FS)
def test_total_spin_states_are_eigenstates_of_F2(f):
    """Independent check: |F,M> built from CG is an eigenvector of (F1+F2)² with F(F+1)."""
    qutip = pytest.importorskip("qutip")
    J = [
        qutip.tensor(qutip.jmat(f, a), qutip.qeye(2 * f + 1))
        + qutip.tensor(qutip.qeye(2 * f + 1), qutip.jmat(f, a))
        for a in "xyz"
    ]
    F2 = sum(j * j for j in J).full()
    Fz = J[2].full()
    for F in range(2 * f + 1):
        for M in (-F, 0, F):
            v = total_spin_state(f, F, M)
            assert np.allclose(F2 @ v, F * (F + 1) * v)
            assert np.allclose(Fz @ v, M * v)


def test_v_matrix_table_of_physics_md():
    """PHYSICS.md §3a: Σ a_F P_F on (|0,0>, chi1, chi2), in units of a_B."""
    rng = np.random.default_rng(1)
    a0, a2, a4 = rng.normal(size=3) * 100
    V = symmetric_sector(2, 0).restrict(channel_operator(2, {0: a0, 2: a2, 4: a4})).real
    r2 = math.sqrt(2)
    expected = np.array(
        [
            [
                a0 / 5 + 2 * a2 / 7 + 18 * a4 / 35,
                r2 * (-7 * a0 - 5 * a2 + 12 * a4) / 35,
                r2 * (7 * a0 - 10 * a2 + 3 * a4) / 35,
            ],
            [0, 2 * a0 / 5 + a2 / 7 + 16 * a4 / 35, -2 * a0 / 5 + 2 * a2 / 7 + 4 * a4 / 35],
            [0, 0, 2 * a0 / 5 + 4 * a2 / 7 + a4 / 35],
        ]
    )
    expected = np.triu(expected) + np.triu(expected, 1).T
    assert np.allclose(V, expected, atol=1e-10)


def test_overlaps_of_physics_md():
    s = symmetric_sector(2, 0)
    table = {
        0: (1 / math.sqrt(5), -math.sqrt(2 / 5), math.sqrt(2 / 5)),
        2: (-math.sqrt(2 / 7), 1 / math.sqrt(7), 2 / math.sqrt(7)),
        4: (3 * math.sqrt(70) / 35, 4 / math.sqrt(35), 1 / math.sqrt(35)),
    }
    for F, row in table.items():
        got = s.vectors.conj().T @ total_spin_state(2, F, 0)
        assert np.allclose(got.real, row, atol=1e-12)


@pytest.mark.parametrize("f", FS)
def test_sectors_partition_the_pair_space(f):
    d2 = (2 * f + 1) ** 2
    blocks = [
        symmetric_sector(f, M, sym).vectors
        for M in range(-2 * f, 2 * f + 1)
        for sym in (True, False)
    ]
    B = np.concatenate(blocks, axis=1)
    assert B.shape == (d2, d2)
    assert np.allclose(B.conj().T @ B, np.eye(d2))
    S = exchange_operator(f)
    for M in range(-2 * f, 2 * f + 1):
        for sym in (True, False):
            v = symmetric_sector(f, M, sym).vectors
            assert np.allclose(S @ v, (1 if sym else -1) * v)


@pytest.mark.parametrize("f", FS)
def test_collisions_conserve_m_and_exchange(f):
    rng = np.random.default_rng(f)
    V = channel_operator(f, {F: rng.normal() for F in range(0, 2 * f + 1, 2)})
    b = PairBasis(f)
    Mtot = np.diag(b.total_m).astype(complex)
    assert np.allclose(V @ Mtot, Mtot @ V)
    assert np.allclose(V @ exchange_operator(f), exchange_operator(f) @ V)


@pytest.mark.parametrize("f", FS)
def test_named_states_normalised_with_expected_entanglement(f):
    for name in ["00", *[f"chi{k}" for k in range(1, f + 1)], "chi_minus", "phi_plus"]:
        rho = named_state(name, f)
        assert np.trace(rho).real == pytest.approx(1.0)
        assert purity(rho) == pytest.approx(1.0)
        expected = 0.0 if name == "00" else 0.5
        assert negativity(rho) == pytest.approx(expected, abs=1e-12)
    assert negativity(named_state("mixed", f)) == pytest.approx(0.0, abs=1e-12)
    assert purity(named_state("mixed", f)) == pytest.approx(0.5)
    assert negativity(named_state("1,-1", f)) == pytest.approx(0.0, abs=1e-12)


@given(c=st.floats(-1, 1))
@settings(max_examples=40, deadline=None)
def test_rho_family_closed_forms(c):
    rho = rho_family(c)
    assert fidelity(rho, named_ket("chi1")) == pytest.approx((1 + c) / 2, abs=1e-12)
    assert concurrence_pm1(rho) == pytest.approx(abs(c), abs=1e-7)
    # negativity of the two-qubit X state: |c|/2
    assert negativity(rho) == pytest.approx(abs(c) / 2, abs=1e-10)
    assert purity(rho) == pytest.approx((1 + c**2) / 2)
    w = np.linalg.eigvalsh(rho)
    assert w.min() > -1e-12


def test_uhlmann_fidelity_against_qutip():
    qutip = pytest.importorskip("qutip")
    rng = np.random.default_rng(3)
    for _ in range(5):
        A = rng.normal(size=(9, 9)) + 1j * rng.normal(size=(9, 9))
        B = rng.normal(size=(9, 9)) + 1j * rng.normal(size=(9, 9))
        r, s = A @ A.conj().T, B @ B.conj().T
        r, s = r / np.trace(r), s / np.trace(s)
        ref = qutip.fidelity(to_qutip(r), to_qutip(s)) ** 2
        assert fidelity(r, s) == pytest.approx(ref, rel=1e-6)


def test_negativity_against_qutip_partial_transpose():
    qutip = pytest.importorskip("qutip")
    rng = np.random.default_rng(5)
    A = rng.normal(size=(25, 25)) + 1j * rng.normal(size=(25, 25))
    r = A @ A.conj().T
    r /= np.trace(r)
    pt = qutip.partial_transpose(to_qutip(r), [0, 1]).full()
    assert np.allclose(partial_transpose(r), pt)


def test_qutip_round_trip():
    rho = rho_family(0.3)
    q = to_qutip(rho)
    assert q.dims == [[5, 5], [5, 5]]
    assert np.allclose(from_qutip(q), rho)
    k = named_ket("chi2")
    assert np.allclose(from_qutip(to_qutip(k)), k)


def test_populations_of_named_states():
    p = populations(named_state("chi2"))
    assert p == pytest.approx({"00": 0.0, "chi1": 0.0, "chi2": 1.0, "chi_minus": 0.0})


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: named_state("chi3", 2), "state"),
        (lambda: named_state("banana", 2), "state"),
        (lambda: named_state("3,0", 2), "state"),
        (lambda: rho_family(1.5), "chi1_coherence"),
        (lambda: rho_family(float("nan")), "chi1_coherence"),
        (lambda: PairBasis(0), "f"),
        (lambda: symmetric_sector(2, 5), "M"),
    ],
)
def test_bad_input(call, field):
    with pytest.raises(InputError) as e:
        call()
    assert e.value.field == field
