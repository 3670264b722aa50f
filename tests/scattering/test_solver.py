"""Coupled-channel scattering (spinpair.scattering): closed forms, an independent
propagator, measurements and MOLSCAT's numbers for the same potentials.

Measurements the solver must reproduce with nothing fitted:
* 87Rb f=1 a0, a2 (van Kempen et al., PRL 88, 093201 (2002): 101.8(2), 100.4(1) a_B);
* 87Rb f=2 a2 − a0, a4 − a2 (Widera et al., NJP 8, 152 (2006): 3.51(54), 6.95(35) a_B);
* 85Rb |2,−2⟩ + |2,−2⟩: resonance 155.041(18) G, zero crossing 165.75(1) G, and
  a(B → 0) = a_bg(1 + Δ/B0) (Claussen et al., PRA 67, 060701 (2003)).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.special import spherical_jn

from spinpair.errors import InputError
from spinpair.scattering import s_matrix, scattering_lengths, scattering_summary
from spinpair.scattering.channels import atom_states, pair_channels
from spinpair.scattering.potentials import HARTREE_PER_CM, RB2_STRAUSS_2010
from spinpair.scattering.propagator import log_derivative, numerov_reference
from spinpair.scattering.solver import HARTREE_PER_HZ, HARTREE_PER_K, CoupledProblem, Numerics
from spinpair.species import get_species, zeeman_shift_from_m0_hz

MOLSCAT = json.loads((Path(__file__).parents[1] / "data" / "molscat_reference.json").read_text())


@pytest.fixture(scope="module")
def rb85():
    return get_species("rb85")


@pytest.fixture(scope="module")
def rb85_a(rb85):
    return scattering_lengths(rb85, 0.01)


# ----------------------------------------------------------------------------- propagator


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_log_derivative_constant_potential(sign):
    """Q = ±k² constant: Y = k cot(k(R − R0)) (open) or κ coth(κ(R − R0)) (closed), to
    1e-7 with 30 panels (kh = 0.035)."""
    k = 0.7
    edges = np.linspace(1.0, 4.0, 61)
    Y = log_derivative(edges, lambda r: np.full((r.size, 1, 1, 1), sign * k * k), 1, 1)
    exact = k / np.tan(3 * k) if sign > 0 else k / np.tanh(3 * k)
    assert Y[0, 0, 0] == pytest.approx(exact, rel=1e-7)


def test_log_derivative_is_fourth_order_against_riccati_bessel():
    """Centrifugal Q = k² − l(l+1)/R² from the exact Y of R j_l(kR): error falls 16× per
    halving of the step (Johnson's method is fourth order)."""
    k, l, r0, r1 = 1.3, 2, 0.5, 6.0

    def psi(r):
        return r * spherical_jn(l, k * r)

    def dpsi(r):
        return spherical_jn(l, k * r) + k * r * spherical_jn(l, k * r, derivative=True)

    errs = []
    for n in (50, 100, 200):
        Y = log_derivative(
            np.linspace(r0, r1, n + 1),
            lambda r: (k**2 - l * (l + 1) / r**2)[:, None, None, None],
            1,
            1,
            y0=np.array([[[dpsi(r0) / psi(r0)]]]),
        )
        errs.append(abs(Y[0, 0, 0] - dpsi(r1) / psi(r1)))
    assert 12 < errs[0] / errs[1] < 20 and 12 < errs[1] / errs[2] < 20


def test_johnson_agrees_with_renormalised_numerov_on_the_coupled_rb87_equations():
    """An independent propagator (Numerov's method for the wavefunction ratio) gives the
    same log-derivative matrix for the 8 coupled 87Rb f=1 channels through the deep wells."""
    sp = get_species("rb87", f=1)
    pb = CoupledProblem(sp, 0.5, 0)
    ch = pb.channels
    thr = (ch.thresholds_hz - ch.thresholds_hz[ch.index((1, 0, 1, 0))]) * HARTREE_PER_HZ
    q = pb.q_function(np.array([10e-6 * HARTREE_PER_K]), thr)
    r0, r1 = pb.r_start(), 16.0
    YJ = log_derivative(np.linspace(r0, r1, 8001), q, ch.size, 1)[0]
    YN = numerov_reference(r0, r1, 16000, q, ch.size, 1)[0]
    assert np.max(np.abs(YJ - YN)) < 1e-5 * np.max(np.abs(YJ))


# ----------------------------------------------------------------------------- potentials


def test_potentials_continuity_conditions_reproduce_the_published_wall():
    """Our continuity conditions (value and slope at R_SR, value at R_LR) give back the
    inner-wall constants A_SR, B_SR that Strauss et al. publish (cm⁻¹, Å)."""
    for curve, (a_sr, b_sr) in (
        (RB2_STRAUSS_2010.singlet, (-0.638904880e4, 0.112005361e7)),
        (RB2_STRAUSS_2010.triplet, (-0.619088543e3, 0.956231677e6)),
    ):
        _, a, b = curve.matched
        assert a == pytest.approx(a_sr, rel=1e-6) and b == pytest.approx(b_sr, rel=1e-6)
        for r in (curve.r_sr, curve.r_lr):
            lo, hi = curve.energy_cm(np.array([r * (1 - 1e-12), r * (1 + 1e-12)]))
            assert hi == pytest.approx(lo, abs=1e-6)


def test_potential_depths_and_c6():
    """Well depths D_e(X) = 3993.6 cm⁻¹ and D_e(a) = 241.5 cm⁻¹; C6 = 4710 atomic units."""
    s, t = RB2_STRAUSS_2010.singlet, RB2_STRAUSS_2010.triplet
    r = np.linspace(3.5, 8.0, 20001)
    assert s.energy_cm(r).min() == pytest.approx(-3993.59, abs=0.05)
    assert t.energy_cm(r).min() == pytest.approx(-241.50, abs=0.05)
    from spinpair.scattering.potentials import ANGSTROM_PER_BOHR

    c6_au = s.c6 * HARTREE_PER_CM / ANGSTROM_PER_BOHR**6
    assert c6_au == pytest.approx(4710, abs=5)


# ----------------------------------------------------------------------------- channels


@pytest.mark.parametrize("field", [0.5, 8.5, 100.0])
def test_atom_states_are_breit_rabi(rb85, field):
    """Diagonalised hyperfine + Zeeman energies equal the closed Breit–Rabi form."""
    a = atom_states(rb85, field)
    e = dict(zip(a.labels, a.energies_hz, strict=True))
    for m in range(-2, 3):
        got = e[(2, m)] - e[(2, 0)]
        assert got == pytest.approx(float(zeeman_shift_from_m0_hz(rb85, m, field)), abs=1e-4)


def test_singlet_projector_and_zero_field_singlet_fractions(rb85):
    """P_S is a projector; at zero field ⟨F,0|P_S|F,0⟩ = 5/12, 1/3, 5/36 for F = 0, 2, 4
    (the recoupling fractions of f = 2, I = 5/2)."""
    from spinpair.spin import clebsch_gordan

    ch = pair_channels(rb85, 0.0, 0)
    PS = ch.singlet
    assert np.allclose(PS @ PS, PS, atol=1e-12) and np.allclose(PS + ch.triplet, np.eye(ch.size))
    idx = [ch.index((2, m, 2, -m)) for m in (0, 1, 2)]
    sub = PS[np.ix_(idx, idx)]
    for F, want in ((0, 5 / 12), (2, 1 / 3), (4, 5 / 36)):
        v = np.array(
            [clebsch_gordan(2, 0, 2, 0, F, 0)]
            + [np.sqrt(2) * clebsch_gordan(2, m, 2, -m, F, 0) for m in (1, 2)]
        )
        assert v @ sub @ v == pytest.approx(want, abs=1e-12)


# ----------------------------------------------------------------------------- measurements


def test_rb87_f1_against_van_kempen_2002():
    r = scattering_lengths(get_species("rb87", f=1), 0.0)
    assert abs(r.a_f_bohr[0] - 101.8) < 1.0 and abs(r.a_f_bohr[2] - 100.4) < 1.0


def test_rb87_f2_differences_against_widera_2006():
    r = scattering_lengths(get_species("rb87", f=2), 0.0)
    a = r.a_f_bohr
    assert abs((a[2] - a[0]) - 3.51) < 1.0 and abs((a[4] - a[2]) - 6.95) < 1.0
    # the upper manifold decays to f = 1: the a_F carry a (small) loss part
    assert r.loss_bohr[2] > 0 and r.loss_bohr[4] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.slow
def test_rb85_resonance_and_zero_crossing_against_claussen_2003():
    from spinpair.scattering.uncertainty import (
        rb85_resonance_field,
        rb85_zero_crossing_field,
    )

    b0 = rb85_resonance_field()
    zero = rb85_zero_crossing_field()
    assert abs(b0 - 155.041) < 2.0 and abs(zero - 165.75) < 2.0
    # and MOLSCAT on the same potentials, to its 0.01 G scan
    assert b0 == pytest.approx(MOLSCAT["summary"]["rb85_2m2_pole_G"], abs=0.02)
    assert zero == pytest.approx(MOLSCAT["summary"]["rb85_2m2_zero_crossing_G"], abs=0.02)


def test_rb85_a4_low_field_is_not_the_background_length(rb85):
    """a(|2,−2⟩+|2,−2⟩, B → 0) = a_bg(1 + Δ/B0) = −443(1 + 10.71/155.041) = −473.6 a_B
    (Claussen's resonance parameters), not a_bg = −443; it equals a4 of the M = 0 channels."""
    a_stretched = scattering_lengths(rb85, 0.0, M=-4).a_f_bohr[4]
    assert a_stretched == pytest.approx(-443.0 * (1 + 10.71 / 155.041), abs=6.0)
    assert abs(a_stretched - (-443.0)) > 20
    a4 = scattering_lengths(rb85, 0.0).a_f_bohr[4]
    assert a4 == pytest.approx(a_stretched, abs=0.01)


# ----------------------------------------------------------------------------- MOLSCAT


def test_a_f_agree_with_molscat(rb85_a):
    ref = MOLSCAT["summary"]
    for k, v in ref["rb85_f2_a_F_bohr_0p01G"].items():
        assert rb85_a.a_f_bohr[int(k[1:])] == pytest.approx(v, abs=0.1)
    r = scattering_lengths(get_species("rb87", f=1), 0.01)
    for k, v in ref["rb87_f1_a_F_bohr_0p01G"].items():
        assert r.a_f_bohr[int(k[1:])] == pytest.approx(v, abs=0.05)
    r = scattering_lengths(get_species("rb87", f=2), 0.01)
    for k, v in ref["rb87_f2_a_F_bohr_0p01G_complex_re_im"].items():
        re, im = (v, 0.0) if isinstance(v, float) else v
        assert r.a_f_bohr[int(k[1:])] == pytest.approx(re, abs=0.05)
        assert -r.loss_bohr[int(k[1:])] == pytest.approx(im, abs=0.01)


def test_f_channels_are_the_clebsch_gordan_vectors(rb85_a):
    """The eigenvectors of the 85Rb scattering-length matrix are the |F, 0⟩ (overlap 1)."""
    assert all(v > 0.9999 for v in rb85_a.cg_overlap.values())
    assert sorted(rb85_a.eigenvalues_bohr) == pytest.approx(sorted(rb85_a.a_f_bohr.values()))


@pytest.mark.parametrize("field", ["0.5G", "8.5G"])
def test_spin_changing_probabilities_agree_with_molscat(rb85, field):
    ref = MOLSCAT[f"rb85_f2_m0_smatrix_{field}"]
    E = np.array(ref["energies_uK"]) * 1e-6
    res = s_matrix(rb85, float(ref["field_G"]), E)
    for key, lab in (("P_00_00", (2, 0, 2, 0)), ("P_00_chi1", (2, 1, 2, -1))):
        got = res.probability(lab)
        want = np.array(ref[key], dtype=float)
        assert got == pytest.approx(want, rel=2e-3, abs=1e-6)
    want2 = np.array([np.nan if v is None else v for v in ref["P_00_chi2"]])
    got2 = res.probability((2, 2, 2, -2))
    ok = np.isfinite(want2)
    assert got2[ok] == pytest.approx(want2[ok], rel=5e-3, abs=1e-6)
    assert np.all(got2[~ok] == 0.0)  # closed channel


def test_s_matrix_is_unitary_and_symmetric(rb85):
    res = s_matrix(rb85, 0.5, [2e-6, 40e-6])
    for S, K in zip(res.S, res.K, strict=True):
        assert np.allclose(S @ S.conj().T, np.eye(S.shape[0]), atol=1e-10)
        assert np.allclose(S, S.T, atol=1e-10) and np.allclose(K, K.T)


# ----------------------------------------------------------------------------- limits


def test_s_matrix_approaches_zero_range_as_ka_goes_to_zero(rb85, rb85_a):
    """At k|a| ≪ 1 the S-matrix spin-changing cross-section equals the zero-range one of
    the relaxation model built from the solver's own a_F (same normalisation):
    |S_{chi1,00}|²/(4k²) = |Σ_F a_F ⟨chi1|P_F|00⟩|² with the CG vectors."""
    from spinpair.spin import clebsch_gordan

    E = 2e-11  # K: k a ≈ 0.02 at zero field
    res = s_matrix(rb85, 0.0, [E])
    mu = rb85.reduced_mass_kg / 9.1093837139e-31
    k = np.sqrt(2 * mu * E * HARTREE_PER_K)
    amp = 0.0
    for F in (0, 2, 4):
        amp += (
            rb85_a.a_f_bohr[F]
            * clebsch_gordan(2, 0, 2, 0, F, 0)
            * np.sqrt(2)
            * clebsch_gordan(2, 1, 2, -1, F, 0)
        )
    got = res.probability((2, 1, 2, -1))[0] / (4 * k * k)
    assert got == pytest.approx(amp**2, rel=0.02)
    assert k * abs(rb85_a.a_f_bohr[0]) < 0.05


def test_convergence_in_step_range_and_matching_radius(rb85, rb85_a):
    """Halving the step, moving the closed-channel elimination out and matching 4× further
    out change the a_F by less than 0.05 a_B (the docs' convergence table)."""
    for num in (
        Numerics(step_fraction=0.0125),
        Numerics(r_eliminate=300.0),
        Numerics(r_max=20000.0),
    ):
        r = scattering_lengths(rb85, 0.01, numerics=num)
        for F in (0, 2, 4):
            assert r.a_f_bohr[F] == pytest.approx(rb85_a.a_f_bohr[F], abs=0.05)


def test_convergence_of_probabilities_in_energy_grid(rb85):
    """|S(00→chi1)|² is smooth in E: the table's log grid interpolates it to 1 %."""
    from spinpair.scattering.tables import load_table

    t = load_table("rb85", 2)
    e_mid = np.sqrt(t.energies_k[30] * t.energies_k[31])
    fresh = s_matrix(rb85, 0.5, [e_mid]).probability((2, 1, 2, -1))[0]
    table = t.probabilities(0, 0.5, [e_mid])[0, 1, 0]
    assert table == pytest.approx(fresh, rel=0.01)


# ----------------------------------------------------------------------------- tables


@pytest.mark.parametrize(("name", "f"), [("rb85", 2), ("rb87", 1), ("rb87", 2)])
def test_tables_equal_a_fresh_computation(name, f):
    from spinpair.scattering.tables import TABLE_ENERGIES_K, load_table, sector_probabilities

    sp = get_species(name, f)
    t = load_table(name, f)
    for B in (0.0, 7.5):
        fresh = scattering_lengths(sp, B).a_f_bohr
        tab = t.a_f_bohr(B)
        for F in sp.channels:
            assert tab[F] == pytest.approx(fresh[F], abs=1e-6)
    e = TABLE_ENERGIES_K[[10, 45]]
    _, P = sector_probabilities(sp, 2.0, e, 0)
    assert t.probabilities(0, 2.0, e) == pytest.approx(P, abs=1e-9)


def test_tables_interpolate_in_field(rb85):
    """Between table fields (0.75 G) linear interpolation is within 1 % of the solver."""
    from spinpair.scattering.tables import load_table, sector_probabilities

    t = load_table("rb85", 2)
    e = np.array([5e-6, 40e-6])
    _, P = sector_probabilities(rb85, 0.75, e, 0)
    assert t.probabilities(0, 0.75, e)[:, 1, 0] == pytest.approx(P[:, 1, 0], rel=0.01)


def test_table_probabilities_are_symmetric_and_bounded():
    from spinpair.scattering.tables import load_table

    t = load_table("rb85", 2)
    for M, sec in t.sectors.items():
        P = sec.probabilities
        assert np.all(P >= -1e-12) and np.all(P <= 1 + 1e-12)
        assert np.allclose(P, np.swapaxes(P, -1, -2), atol=1e-8), M  # reciprocity
        # within the lower manifold nothing is lost: the column of an open entrance state
        # sums to 1, that of a closed one (below its threshold at high field) to 0
        col = P.sum(axis=-2)
        assert np.all(np.isclose(col, 1.0, atol=1e-8) | np.isclose(col, 0.0, atol=1e-12)), M
        assert np.all(np.isclose(col[:, :, 0], 1.0, atol=1e-8))  # the entrance is always open


def test_shipped_species_values_equal_the_tables():
    from spinpair.scattering.tables import load_table

    sp = get_species("rb85")
    t = load_table("rb85", 2)
    for F, a in t.a_f_bohr(0.0).items():
        d = sp.scattering_length_data[F]
        assert d.status == "computed" and d.value_bohr == pytest.approx(a, abs=0.01)
        assert d.uncertainty_bohr == pytest.approx(
            float(t.a_f_uncertainty[t.channels.index(F)]), abs=0.1
        )


def test_table_refuses_fields_outside_it():
    from spinpair.scattering.tables import load_table

    with pytest.raises(InputError, match=r"collisions\.field_gauss"):
        load_table("rb85", 2).probabilities(0, 12.0, [1e-5])


# ----------------------------------------------------------------------------- input


def test_bad_input_names_the_field(rb85):
    with pytest.raises(InputError, match="species"):
        scattering_summary(get_species("na23"))
    with pytest.raises(InputError, match="--energies-uk"):
        scattering_summary(rb85, 0.5, [1.0, -2.0])
    with pytest.raises(InputError, match="--energies-uk"):
        scattering_summary(rb85, 0.5, [float("nan")])
    with pytest.raises(InputError, match="--field"):
        scattering_summary(rb85, -1.0)
    with pytest.raises(InputError, match="energies_k"):
        s_matrix(rb85, 0.5, [0.0])


def test_cli_scattering_json(capsys):
    from spinpair.cli import run

    code = run(
        ["scattering", "--species", "rb85", "--field", "0.5", "--energies-uk", "5", "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    a = out["scattering_lengths_bohr"]
    assert set(a) == {"a0", "a2", "a4"}
    for d in a.values():
        assert d["status"] == "computed" and d["uncertainty"] > 0 and "Strauss" in d["source"]
    p = out["probabilities"]
    assert set(p) == {"00->00", "00->chi1", "00->chi2"}
    assert sum(v[0] for v in p.values()) == pytest.approx(1.0, abs=1e-10)
    assert p["00->chi1"][0] == pytest.approx(0.0504463, rel=2e-3)  # MOLSCAT, 5 µK
    code = run(["scattering", "--species", "na23", "--json"])
    err = capsys.readouterr().err
    assert code == 2 and "--species" in err


@pytest.mark.slow
def test_regeneration_script_reproduces_the_shipped_tables(tmp_path):
    """``regenerate`` (the script behind the shipped file) on a small grid writes a file
    that reads back and equals the shipped tables at those points (variants included)."""
    from spinpair.scattering.tables import TABLE_ENERGIES_K, load_table, regenerate

    fields = np.array([0.5, 1.0])
    energies = TABLE_ENERGIES_K[[20, 50]]  # on the shipped grid: no interpolation
    out = regenerate(
        tmp_path / "t.npz",
        progress=False,
        species=(("rb85", 2),),
        fields_g=fields,
        energies_k=energies,
    )
    mine = load_table("rb85", 2, str(out))
    shipped = load_table("rb85", 2)
    assert mine.a_f_uncertainty == pytest.approx(shipped.a_f_uncertainty, rel=1e-6)
    for B in fields:
        assert mine.a_f_bohr(B) == pytest.approx(shipped.a_f_bohr(B), abs=1e-6)
        for M in (0, 1, 2):
            assert mine.probabilities(M, B, energies) == pytest.approx(
                shipped.probabilities(M, B, energies), abs=1e-9
            )
        for v in ("singlet+", "triplet-"):
            assert mine.probabilities(0, B, energies, v) == pytest.approx(
                shipped.probabilities(0, B, energies, v), abs=1e-9
            )
    assert not list(tmp_path.glob("*.tmp*"))
