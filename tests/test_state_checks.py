"""The validation layer for quantum objects (issue 23): every public measure refuses
unphysical states with an InputError naming the argument, accepts kets and qutip.Qobj, and
never answers a finite input with a foreign exception or NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spinpair import ideal_counts
from spinpair.errors import InputError
from spinpair.spin import (
    STATE_TOL,
    check_state,
    concurrence_pm1,
    fidelity,
    from_qutip,
    named_ket,
    named_state,
    negativity,
    partial_transpose,
    populations,
    purity,
    rho_family,
    to_qutip,
)

MEASURES = (negativity, purity, concurrence_pm1, populations, partial_transpose)
CHI1 = named_state("chi1")


@pytest.mark.parametrize(
    ("state", "value", "allowed"),
    [
        (2 * CHI1, "trace 2", "unit trace"),
        (np.zeros((25, 25)), "trace 0", "unit trace"),
        (CHI1 + 0.1j * np.triu(np.ones((25, 25)), 1), "rho^dagger", "Hermitian"),
        (
            np.diag([1.5, -0.5] + [0.0] * 23).astype(complex),
            "eigenvalue -0.5",
            "positive semidefinite",
        ),
        (np.eye(3) / 3, [3, 3], "(2f + 1)^2"),
        (np.array([1.0, 2.0, 3.0]), [3], "(2f + 1)^2"),
        (3 * named_ket("chi1"), "norm 3", "normalised"),
        (np.full((25, 25), np.nan), "non-finite", "finite"),
        (np.ones((25, 24)), [25, 24], "square"),
    ],
)
@pytest.mark.parametrize("measure", MEASURES)
def test_unphysical_states_are_refused_with_the_argument_named(state, value, allowed, measure):
    with pytest.raises(InputError) as e:
        measure(state)
    assert e.value.field == "rho"
    assert str(value) in str(e.value.value)
    assert allowed in e.value.allowed


def test_tolerance_and_the_check_switch():
    near = CHI1 * (1 + 0.5 * STATE_TOL)
    assert negativity(near) == pytest.approx(0.5)
    # check=False skips the checks (inner loops): the formula is applied as is
    assert negativity(2 * CHI1, check=False) == pytest.approx(1.0)


def test_ideal_counts_refuse_an_unnormalised_state():
    with pytest.raises(InputError, match="trace 5"):
        ideal_counts(5 * CHI1, 1.0)


def test_fidelity_convention_against_qutip():
    qutip = pytest.importorskip("qutip")
    rho = rho_family(0.8)
    for target in (named_ket("chi1"), named_state("chi2"), rho_family(-0.3)):
        ours = fidelity(rho, target)
        theirs = qutip.fidelity(to_qutip(rho), to_qutip(target))
        assert ours == pytest.approx(theirs**2, abs=1e-9)  # ours is the squared convention
    assert fidelity(rho, named_ket("chi1")) == pytest.approx(0.9)
    with pytest.raises(InputError) as e:
        fidelity(CHI1, 3 * named_ket("chi1"))
    assert e.value.field == "target"


def test_qobj_in_and_out():
    pytest.importorskip("qutip")
    q = to_qutip(CHI1)
    assert negativity(q) == pytest.approx(0.5)
    assert purity(to_qutip(named_ket("chi2"))) == pytest.approx(1.0)
    np.testing.assert_allclose(from_qutip(q), CHI1)
    np.testing.assert_allclose(from_qutip(to_qutip(named_ket("chi1"))), named_ket("chi1"))
    with pytest.raises(InputError, match=r"qutip\.Qobj"):
        from_qutip(np.eye(25))


def _random_state(seed: int, rank: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(25, rank)) + 1j * rng.normal(size=(25, rank))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


@given(seed=st.integers(0, 10**6), rank=st.integers(1, 25))
def test_measures_of_physical_states_are_finite_and_in_range(seed, rank):
    rho = _random_state(seed, rank)
    assert check_state(rho).shape == (25, 25)
    n = negativity(rho)
    assert 0.0 <= n <= 2.0 + 1e-12  # (d - 1)/2 for d = 5
    assert 1 / 25 - 1e-12 <= purity(rho) <= 1 + 1e-12
    assert 0.0 <= concurrence_pm1(rho) <= 1 + 1e-12
    pops = populations(rho)
    assert all(-1e-12 <= v <= 1 + 1e-12 for v in pops.values())
    assert sum(pops.values()) <= 1 + 1e-9  # named states are orthonormal


@given(
    a=arrays(
        np.float64,
        st.sampled_from([(3,), (9,), (25,), (9, 9), (25, 25), (4, 4), (25, 5)]),
        elements=st.floats(-1e3, 1e3, allow_nan=False),
    )
)
def test_arbitrary_finite_input_gives_a_number_or_an_input_error(a):
    for measure in (negativity, purity, concurrence_pm1):
        try:
            v = measure(a)
        except InputError:
            continue
        assert math.isfinite(v)


def test_spin_and_name_errors_stay_small():
    """f is capped (a pair matrix has (2f+1)⁴ entries) and an unknown state name gives a
    short message whatever f or the name: no 10⁷-name list, no echo of a huge name."""
    from spinpair.spin import MAX_F, named_state

    with pytest.raises(
        InputError, match=rf"f = 10000000 is invalid: allowed an integer in \[1, {MAX_F}\]"
    ):
        named_state("chi1", 10**7)
    for name in ("zz", "x" * 100_000):
        with pytest.raises(InputError) as e:
            named_state(name, MAX_F)
        assert len(str(e.value)) < 300
    assert named_state("chi12", MAX_F).shape == ((2 * MAX_F + 1) ** 2,) * 2
