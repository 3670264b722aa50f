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


# ----------------------------------------------------------------------------- provenance
from spinpair.species import (  # noqa: E402
    CALIBRATED_SETS,
    SCATTERING_LENGTH_STATUSES,
    placeholder_fields,
    placeholder_notice,
    scattering_length_status,
    species_summary,
)


@pytest.mark.parametrize(("name", "f"), BUILTIN)
def test_every_scattering_length_has_status_and_source(name, f):
    s = get_species(name, f)
    st = scattering_length_status(s)
    assert sorted(st) == sorted(f"a{F}" for F in s.channels)
    for key, d in st.items():
        assert d["status"] in SCATTERING_LENGTH_STATUSES
        assert d["source"] and d["value_bohr"] == s.scattering_lengths_bohr[int(key[1:])]
        if d["status"] == "placeholder":
            assert d["uncertainty_bohr"] is None  # no invented error bars
        if d["status"] == "measured":
            assert d["uncertainty_bohr"] is not None and d["uncertainty_bohr"] > 0
    # the uncertainty mapping only holds values that have one
    assert set(s.scattering_lengths_uncertainty_bohr) == {
        F for F in s.channels if st[f"a{F}"]["uncertainty_bohr"] is not None
    }


def test_rb85_a_f_are_computed_with_uncertainty_and_no_builtin_has_placeholders():
    """85Rb a0, a2, a4 come from spinpair's coupled-channel solver (status computed, with
    the potentials' band); a4 is not Claussen's background length −443 a_B."""
    st = scattering_length_status(get_species("rb85"))
    for k in ("a0", "a2", "a4"):
        assert st[k]["status"] == "computed"
        assert st[k]["uncertainty_bohr"] > 0
        assert "Strauss" in st[k]["source"] and "spinpair.scattering" in st[k]["source"]
    assert st["a4"]["value_bohr"] == pytest.approx(-470.0, abs=0.1)
    assert abs(st["a4"]["value_bohr"] - (-443.0)) > 5 * st["a4"]["uncertainty_bohr"]
    for name, f in BUILTIN:
        assert placeholder_fields(get_species(name, f)) == []
    # 87Rb f=2: absolute values computed, only the differences were measured
    st87 = scattering_length_status(get_species("rb87", 2))
    assert all(d["status"] == "computed" and "differences" in d["source"] for d in st87.values())


def test_dis_projection_contradicts_measured_a4():
    """Why the DIS projection is not used: with van Kempen's a_S, a_T (singlet fractions
    from 9j recoupling, f = 2, I = 5/2) it gives a4 ≈ +54 a_B, far from the coupled-channel
    a4 ≈ −470 a_B and from Claussen's −443 a_B near 155 G (PHYSICS.md §3a)."""
    from sympy import Rational, sqrt
    from sympy.physics.wigner import wigner_9j

    s, i, f = Rational(1, 2), Rational(5, 2), 2
    a_s, a_t = 2795.0, -388.0
    frac = {
        F: float(
            sum(
                (sqrt(25 * (2 * ii + 1)) * wigner_9j(s, i, f, s, i, f, 0, ii, F)) ** 2
                for ii in range(6)
            )
        )
        for F in (0, 2, 4)
    }
    assert frac == pytest.approx({0: 5 / 12, 2: 1 / 3, 4: 5 / 36}, abs=1e-12)
    dis = {F: frac[F] * a_s + (1 - frac[F]) * a_t for F in frac}
    assert dis[0] == pytest.approx(938.25) and dis[2] == pytest.approx(673.0)
    a4 = get_species("rb85").scattering_length_data[4]
    assert abs(dis[4] - a4.value_bohr) > 100 * a4.uncertainty_bohr


def test_override_status_user_and_restated_values_keep_provenance():
    a4 = get_species("rb85").scattering_lengths_bohr[4]
    s = get_species("rb85").with_scattering_lengths({0: -500.0, 4: a4}, "my file")
    st = scattering_length_status(s)
    assert st["a0"]["status"] == "user" and st["a0"]["source"] == "my file"
    assert st["a0"]["uncertainty_bohr"] is None
    assert st["a4"]["status"] == "computed" and st["a4"]["uncertainty_bohr"] == 4.4
    assert st["a2"]["status"] == "computed"
    assert placeholder_fields(s) == []
    # replacing the numbers without the method cannot keep a stale status
    import dataclasses

    t = dataclasses.replace(s, scattering_lengths_bohr={0: -500.0, 2: -470.0, 4: a4})
    assert t.scattering_length_data[2].status == "user"
    # an explicit placeholder is flagged as one
    g = get_species("rb85").with_scattering_lengths({2: -460.0}, "a guess", "placeholder")
    assert placeholder_fields(g) == ["a2_bohr"]


def test_params_statuses_user_and_calibrated():
    """The paper-calibrated set was fitted to partly illustrative targets: its a_F are
    illustrative (never above what they rest on), in the species data and in the rows."""
    from spinpair.paper import parameter_rows, preset_path
    from spinpair.params import Params

    p = Params.from_toml(preset_path("paper-calibrated"))
    st = scattering_length_status(p)
    assert st["a0"]["status"] == st["a2"]["status"] == st["a4"]["status"] == "illustrative"
    rows = {r["key"]: r["status"] for r in parameter_rows(p, "paper-calibrated")}
    assert rows["scattering_lengths_bohr.a0"] == rows["collisions.rate_scale"] == "illustrative"
    assert rows["raman.rabi_frequency_hz"] == "tuned"
    assert placeholder_notice(p, p.collisions.model) == {}
    q = Params(scattering_lengths_bohr={"a0": -454.66})  # half of a calibrated set: user
    assert scattering_length_status(q)["a0"]["status"] == "user"
    assert scattering_length_status(q)["a2"]["status"] == "computed"
    assert placeholder_fields(q) == []


def test_calibrated_registry_matches_the_presets():
    """Every registered calibrated set is the one a shipped preset uses (no drift)."""
    from spinpair.paper import preset_path
    from spinpair.params import Params

    p = Params.from_toml(preset_path("paper-calibrated"))
    (cal,) = CALIBRATED_SETS
    assert (cal.species, cal.f) == (p.species, p.f)
    for F, v in cal.values_bohr.items():
        assert p.scattering_lengths_bohr[f"a{F}"] == v


def test_placeholder_notice_depends_on_the_model():
    from spinpair.params import Params

    guess = get_species("rb85").with_scattering_lengths({0: -445.0}, "a guess", "placeholder")
    assert placeholder_notice(guess, "given") == {}
    assert placeholder_notice(guess, None) == {}
    n = placeholder_notice(guess, "relaxation")
    assert n["placeholders"] == ["a0_bohr"] and len(n["warnings"]) == 1
    assert placeholder_notice(Params(), "relaxation") == {}
    assert placeholder_notice(Params(species="rb87", f=2), "ergodic") == {}
    d = species_summary(get_species("rb85"))
    assert d["placeholders"] == []
    assert d["scattering_lengths"]["a4"]["status"] == "computed"


def _run_cli(args, capsys):
    import json

    from spinpair.cli import run

    code = run(args)
    cap = capsys.readouterr()
    return code, (json.loads(cap.out) if cap.out.strip() else None), cap.err


def test_cli_default_outputs_carry_computed_scattering_lengths_and_no_placeholders(capsys):
    """With no parameter file the collision models run on the coupled-channel a_F: no
    placeholder flag, and dynamics says which a_F (status, source, uncertainty) it used."""
    code, out, err = _run_cli(
        ["dynamics", "--model", "relaxation", "--times", "0", "0.1", "--json"], capsys
    )
    assert code == 0 and "placeholders" not in out and "placeholder" not in err
    for d in out["scattering_lengths"].values():
        assert d["status"] == "computed" and d["uncertainty_bohr"] > 0
    assert out["rates"] == "s-matrix"
    code, out, err = _run_cli(["raman", "--area", "0", "1.57", "--json"], capsys)
    assert code == 0 and "placeholders" not in out


def test_species_can_be_sent_anywhere():
    """A Species pickles (to Dask, joblib, multiprocessing), deep-copies and hashes, and its
    tables stay read-only."""
    import copy
    import pickle

    for name, f in (("rb85", 2), ("rb87", 1), ("na23", 1)):
        s = get_species(name, f)
        back = pickle.loads(pickle.dumps(s))
        assert back == s and hash(back) == hash(s)
        assert copy.deepcopy(s) == s
        assert dict(back.scattering_lengths_bohr) == dict(s.scattering_lengths_bohr)
        with pytest.raises((TypeError, AttributeError)):
            s.scattering_lengths_bohr[0] = 1.0  # type: ignore[index]
