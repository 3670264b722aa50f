"""Atomic data and Breit–Rabi energies."""

import numpy as np
import pytest
from scipy import constants

from spinpair.errors import InputError
from spinpair.species import (
    BUILTIN,
    get_species,
    pair_zeeman_energies_hz,
    pair_zeeman_shift_hz,
    quadratic_zeeman_hz_per_gauss2,
    zeeman_energy_hz,
)


@pytest.mark.parametrize(("name", "f"), BUILTIN)
def test_builtin_species_are_consistent(name, f):
    s = get_species(name, f)
    assert s.f == f
    assert s.channels == tuple(range(0, 2 * f + 1, 2))
    assert set(s.scattering_lengths_bohr) == set(s.channels)
    assert "atomic" in s.sources and "scattering_lengths_bohr" in s.sources
    # zero field: all m of a manifold are degenerate at -dE/(2(2I+1)) -/+ dE/2
    e = zeeman_energy_hz(s, np.arange(-f, f + 1), 0.0)
    assert np.ptp(e) == pytest.approx(0.0, abs=1e-6)


def test_hyperfine_splitting_between_manifolds_at_zero_field():
    lo = get_species("rb87", 1)
    hi = get_species("rb87", 2)
    split = zeeman_energy_hz(hi, 0, 0.0) - zeeman_energy_hz(lo, 0, 0.0)
    assert split == pytest.approx(lo.hyperfine_splitting_hz, rel=1e-12)


def test_breit_rabi_matches_exact_diagonalisation():
    """Independent method: diagonalise A I·J + (g_J m_J + g_I m_I) μB B in the |m_J, m_I> basis."""
    s = get_species("rb85")
    I, J = s.nuclear_spin, 0.5
    A = s.hyperfine_splitting_hz / (I + 0.5)
    muB_h = constants.physical_constants["Bohr magneton"][0] / constants.h * 1e-4  # Hz/G
    for B in (0.5, 8.5, 300.0):
        mJ = np.array([0.5, -0.5])
        mI = np.arange(I, -I - 1, -1)
        dim = 2 * len(mI)
        H = np.zeros((dim, dim))
        idx = {(a, b): i for i, (a, b) in enumerate((a, b) for a in mJ for b in mI)}
        for (a, b), i in idx.items():
            H[i, i] = A * a * b + muB_h * B * (s.g_j * a + s.g_i * b)
            # A/2 (J+ I- + J- I+)
            if a == -0.5 and b > -I:
                j = idx[(0.5, b - 1)]
                v = 0.5 * A * np.sqrt((J - a) * (J + a + 1)) * np.sqrt((I + b) * (I - b + 1))
                H[i, j] = H[j, i] = v
        w, v = np.linalg.eigh(H)
        # states of the lower manifold: mF = mJ + mI, pick lowest energy per mF
        mF_of = np.array([a + b for (a, b) in idx])
        for m in range(-s.f, s.f + 1):
            sel = [k for k in range(dim) if abs((np.abs(v[:, k]) ** 2) @ mF_of - m) < 1e-6]
            e_low = min(w[k] for k in sel)
            assert zeeman_energy_hz(s, m, B) == pytest.approx(e_low, abs=1e-3)


def test_pair_shift_numbers_of_the_paper():
    s = get_species("rb85")
    assert pair_zeeman_shift_hz(s, 1, 0.5) == pytest.approx(35.94, abs=0.05)
    assert pair_zeeman_shift_hz(s, 2, 0.5) == pytest.approx(143.8, abs=0.1)
    assert pair_zeeman_shift_hz(s, 1, 8.5) == pytest.approx(10.39e3, rel=2e-3)
    assert quadratic_zeeman_hz_per_gauss2(s) == pytest.approx(71.9, abs=0.05)


@pytest.mark.parametrize(("name", "f"), BUILTIN)
def test_low_field_pair_shift_is_quadratic(name, f):
    s = get_species(name, f)
    q = quadratic_zeeman_hz_per_gauss2(s)
    sign = 1.0 if s.is_lower_manifold else -1.0
    for k in range(1, f + 1):
        for B in (1e-3, 1e-2, 0.1):
            exact = pair_zeeman_shift_hz(s, k, B)
            assert exact == pytest.approx(sign * 2 * q * k**2 * B**2, rel=2e-3)


def test_linear_zeeman_cancels_in_pair_energies():
    s = get_species("rb85")
    e = pair_zeeman_energies_hz(s, 0.5).reshape(5, 5)
    # |m,-m> and |-m,m> are degenerate; |1,1> differs by a linear term
    assert e[1, 3] == pytest.approx(e[3, 1])
    assert e[2, 2] == pytest.approx(0.0, abs=1e-9)
    assert e[1, 3] == pytest.approx(pair_zeeman_shift_hz(s, 1, 0.5), rel=1e-9)


def test_arc_cross_check_if_available():
    arc = pytest.importorskip("arc")
    ref = arc.Rubidium85()
    s = get_species("rb85")
    assert s.mass_kg == pytest.approx(ref.mass, rel=1e-8)
    assert s.nuclear_spin == ref.I
    assert s.g_i == pytest.approx(ref.gI, rel=1e-6)
    A_hz = ref.getHFSCoefficients(5, 0, 0.5)[0]
    assert s.hyperfine_splitting_hz == pytest.approx(A_hz * (ref.I + 0.5), rel=1e-8)


def test_steck_tabulated_constants():
    """Cross-check against Steck's tables (85Rb: A(5S1/2) = h x 1.0119108130 GHz)."""
    s = get_species("rb85")
    assert s.hyperfine_splitting_hz / 3 == pytest.approx(1.0119108130e9, rel=1e-10)
    assert s.mass_kg == pytest.approx(1.409993199e-25, rel=1e-6)  # older CODATA u


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(name="cs133"), "species"),
        (dict(name="rb85", f=3), "f"),
        (dict(name="na23", f=2), "f"),
    ],
)
def test_bad_species_input(kwargs, field):
    with pytest.raises(InputError) as e:
        get_species(**kwargs)
    assert e.value.field == field


@pytest.mark.parametrize("B", [-0.1, float("nan"), float("inf")])
def test_bad_field(B):
    with pytest.raises(InputError, match="field_gauss"):
        zeeman_energy_hz(get_species("rb85"), 0, B)


def test_scattering_length_override():
    s = get_species("rb85").with_scattering_lengths({0: -400.0}, "test")
    assert s.scattering_lengths_bohr[0] == -400.0
    assert s.sources["scattering_lengths_bohr"] == "test"
    with pytest.raises(InputError):
        get_species("rb85").with_scattering_lengths({1: 1.0}, "test")
