"""Ramsey sequence: closed forms, finite pulses (T_eff), QuTiP cross-check, the sequence
with imperfections, references, post-selection, fringe-period table and the CLI."""

import json

import numpy as np
import pytest
from tests.sequence.reference import counts, reference_counts, spy_on_step

from spinpair.analysis.fringes import fringe_period_table, fringe_periods
from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.paper import paper_like_params
from spinpair.params import CollisionParams, Params
from spinpair.sequence import Levels
from spinpair.sequence import channels as ch
from spinpair.sequence.ramsey import (
    RamseyPulses,
    apply_pulse_with_emission,
    effective_time_s,
    free_unitary,
    pulse_unitary,
    ramsey_unitary,
)
from spinpair.sequence.ramsey_scan import (
    count_model,
    default_detunings,
    ramsey_sequence,
    ramsey_signals,
)
from spinpair.spin import PairBasis, named_ket

RABI = 156e3  # Hz, Params() default
TAU = 0.25 / RABI  # π/2 time, s
T = 5e-6  # s
DET = np.linspace(-180e3, 170e3, 57)  # Hz, not symmetric on purpose


def sig(state, det=DET, **kw):
    kw.setdefault("ideal", True)
    return ramsey_signals(Params(), state, T, None, det, **kw)


# ----------------------------------------------------------------------------- closed forms


def test_instantaneous_closed_forms():
    phi = 2 * np.pi * DET * T
    chi1 = sig("chi1", instantaneous=True)
    np.testing.assert_allclose(chi1.P1, np.cos(phi) ** 2, atol=1e-12)
    np.testing.assert_allclose(chi1.P2, np.sin(phi) ** 2 / 2, atol=1e-12)
    np.testing.assert_allclose(chi1.survival, 0.5, atol=1e-12)  # flat per-atom signal
    both = sig("1,1", instantaneous=True)
    np.testing.assert_allclose(both.P1, np.sin(phi) ** 2 / 2, atol=1e-12)
    np.testing.assert_allclose(both.P2, np.cos(phi / 2) ** 4, atol=1e-12)
    np.testing.assert_allclose(both.survival, np.cos(phi / 2) ** 2, atol=1e-12)
    one = sig("single", instantaneous=True)
    assert one.n_atoms == 1
    np.testing.assert_allclose(one.P1, np.cos(phi / 2) ** 2, atol=1e-12)
    np.testing.assert_allclose(one.P2, 0.0, atol=1e-12)
    np.testing.assert_allclose(one.survival, one.P1)


def test_free_evolution_sign_matches_hamiltonian():
    # H/ħ = -(δ/2)(|1><1| - |-1><-1|): |1> acquires exp(+iδt/2) = exp(+iπ δ_Hz t)
    U = free_unitary(2, 1e-6, [1e5])[0]
    b = PairBasis(2)
    i1, im = b.single_index(1), b.single_index(-1)
    assert U[i1, i1] == pytest.approx(np.exp(1j * np.pi * 1e5 * 1e-6))
    assert U[im, im] == pytest.approx(np.exp(-1j * np.pi * 1e5 * 1e-6))
    assert U[b.single_index(0), b.single_index(0)] == 1.0
    # a pulse with no wait is the same as one pulse of twice the duration
    P2 = pulse_unitary(2, RABI, 2 * TAU, [3e4])
    np.testing.assert_allclose(ramsey_unitary(2, RABI, TAU, 0.0, [3e4]), P2, atol=1e-12)


def test_finite_pulses_effective_time_first_order():
    T_eff = effective_time_s(T, TAU)
    assert T_eff == pytest.approx(T + 4 * TAU / np.pi)
    # curvature of chi1's P1 at δ = 0: P1 = 1 - (2π T_eff δ)² + O(δ⁴)
    h = np.array([50.0, 100.0])
    s = sig("chi1", det=h)
    t_est = np.sqrt(1 - s.P1) / (2 * np.pi * h)
    np.testing.assert_allclose(t_est, T_eff, rtol=2e-4)
    assert not np.allclose(t_est, T, rtol=0.05)  # the pulses matter
    # fit of the fringes near resonance (|δ| << Ω)
    d = np.linspace(-25e3, 25e3, 61)
    fit_period = fringe_periods(sig("chi1", det=d), ("P1",))["P1"]
    assert fit_period == pytest.approx(1 / (2 * T_eff), rel=2e-3)
    single = fringe_periods(sig("single", det=np.linspace(-60e3, 60e3, 81)), ("survival",))
    assert single["survival"] == pytest.approx(1 / T_eff, rel=5e-3)


def test_qutip_sesolve_cross_check():
    qutip = pytest.importorskip("qutip")
    delta = 2 * np.pi * 37e3  # rad/s
    omega = 2 * np.pi * RABI
    sx, sz = qutip.sigmax(), qutip.sigmaz()  # basis (|1>, |-1>), σz|1> = |1>
    H_on = -0.5 * omega * sx - 0.5 * delta * sz
    H_off = -0.5 * delta * sz
    psi = qutip.basis(2, 0)
    opts = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 100000}
    for H, dt in ((H_on, TAU), (H_off, T), (H_on, TAU)):
        psi = qutip.sesolve(H, psi, [0.0, dt], options=opts).states[-1]
    U = ramsey_unitary(2, RABI, TAU, T, [37e3])[0]
    b = PairBasis(2)
    i1, im = b.single_index(1), b.single_index(-1)
    ours = np.array([U[i1, i1], U[im, i1]])
    np.testing.assert_allclose(ours, psi.full().ravel(), atol=1e-7)


# ----------------------------------------------------------------------------- sequence


def _direct_counts(state: str, det) -> np.ndarray:
    """Pure-state calculation: (U ⊗ U)|ψ>, eject |1>, count the rest."""
    b = PairBasis(2)
    psi = named_ket(state, 2)
    U = ramsey_unitary(2, RABI, TAU, T, det)
    n_in_1 = np.array([int(m1 == 1) + int(m2 == 1) for m1 in b.ms for m2 in b.ms])
    out = []
    for u in U:
        amp = np.kron(u, u) @ psi
        pop = np.abs(amp) ** 2
        out.append([pop[n_in_1 == 2].sum(), pop[n_in_1 == 1].sum(), pop[n_in_1 == 0].sum()])
    return np.array(out)


@pytest.mark.parametrize("state", ["chi1", "1,1", "1,-1", "phi_plus", "chi_minus"])
def test_sequence_ideal_equals_direct_pure_state(state):
    s = sig(state)
    np.testing.assert_allclose(s.probabilities, _direct_counts(state, DET), atol=1e-12)


def test_step_inside_sequence_via_with_step_and_scan():
    from spinpair.sequence import MeasurementSequence

    seq = MeasurementSequence.from_params(Params(), state="chi1", ideal=True)
    seq = seq.with_step("raman", RamseyPulses(seq.levels, RABI, TAU, T))
    p = seq.scan("detuning_hz", DET)
    np.testing.assert_allclose(p.P1, sig("chi1").P1, atol=1e-14)


@pytest.mark.parametrize("state", ["chi1", "1,1", "mixed", "single", "collisions"])
def test_probabilities_normalised_with_every_imperfection(state):
    s = ramsey_signals(paper_like_params(), state, T, None, DET[::4])
    P = s.probabilities
    assert np.all(P >= -1e-12) and np.all(P <= 1 + 1e-12)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-10)
    assert np.all((s.survival >= -1e-12) & (s.survival <= 1 + 1e-12))


def test_emission_closed_form_equals_kraus_sum():
    lv = Levels(2)
    rng = np.random.default_rng(7)
    A = rng.normal(size=(49, 49)) + 1j * rng.normal(size=(49, 49))
    rho = A @ A.conj().T
    rho /= np.trace(rho)
    det = np.array([0.0, 4e4])
    U = pulse_unitary(2, RABI, TAU, det)
    p = 0.15
    K0 = np.zeros((2, 7, 7), complex)
    K0[:, :5, :5] = np.sqrt(1 - p) * U
    K0[:, 5:, 5:] = np.eye(2)
    Ks = np.zeros((25, 2, 7, 7), complex)
    for a in range(5):
        for c in range(5):
            Ks[a * 5 + c, :, a, c] = np.sqrt(p / 5)
    ref = ch.apply_local_kraus(rho, np.concatenate([K0[None], Ks]), lv)
    np.testing.assert_allclose(apply_pulse_with_emission(rho, lv, U, p), ref, atol=1e-14)


def test_spontaneous_emission_reduces_contrast():
    base = Params()
    imp = type(base.imperfections)(prep_efficiency=1.0, p_spont_per_pi=0.05)
    p = Params(imperfections=imp)
    clean = ramsey_signals(base, "chi1", T, None, DET, ideal=True)
    noisy = ramsey_signals(p, "chi1", T, None, DET)
    assert np.ptp(noisy.P1) < np.ptp(clean.P1) - 0.02


def test_postselection_conditions_on_pm1_pairs():
    pops = {"00": 0.4, "chi1": 0.37, "chi2": 0.23}
    p = Params(collisions=CollisionParams(model="given", populations=pops))
    post = ramsey_signals(p, None, T, None, DET, ideal=True, postselect=True)
    np.testing.assert_allclose(post.acceptance, 0.37, atol=1e-12)
    np.testing.assert_allclose(post.probabilities, sig("chi1").probabilities, atol=1e-12)
    raw = ramsey_signals(p, None, T, None, DET, ideal=True)
    np.testing.assert_allclose(raw.P2, 0.37 * sig("chi1").P2 + 0.63, atol=1e-12)


def test_fringe_period_table_paper_factor_two():
    rows = fringe_period_table(Params(), T)
    r = {(x["state"], x["signal"]): x for x in rows}
    chi1 = r[("chi1", "P1")]["period_hz"]
    assert chi1 == pytest.approx(1 / (2 * effective_time_s(T, TAU)), rel=0.02)
    assert chi1 == pytest.approx(71e3, rel=0.02)  # paper Fig. 4
    for key in (("single", "survival"), ("1,1", "survival"), ("1,1", "mean_number")):
        assert r[key]["period_hz"] / chi1 == pytest.approx(2.0, rel=0.02)
    assert r[("1,1", "P1")]["period_hz"] / chi1 == pytest.approx(1.0, rel=0.01)
    assert r[("chi1", "survival")]["period_hz"] is None


def test_count_model_is_the_scan_of_ramsey_signals():
    """The model metrology differentiates is the same scan as the signals, and its
    conditional form equals the post-selected (normalised) probabilities."""
    pops = {"00": 0.4, "chi1": 0.37, "chi2": 0.23}
    p = Params(collisions=CollisionParams(model="given", populations=pops))
    raw = count_model(ramsey_sequence(p, None, T))(DET)
    np.testing.assert_allclose(raw, ramsey_signals(p, None, T, None, DET).probabilities)
    seq = ramsey_sequence(p, None, T, postselect=True)
    post = count_model(seq, conditional=True)(DET)
    ref = ramsey_signals(p, None, T, None, DET, postselect=True)
    np.testing.assert_allclose(post, ref.probabilities, atol=1e-12)
    np.testing.assert_allclose(post.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(count_model(seq)(DET).sum(axis=1), ref.acceptance, atol=1e-12)


def test_one_module_named_ramsey_and_top_level_names():
    import importlib.util

    import spinpair
    from spinpair.analysis import fringes
    from spinpair.sequence import ramsey_scan

    assert importlib.util.find_spec("spinpair.ramsey") is None
    assert spinpair.ramsey_signals is ramsey_scan.ramsey_signals
    assert spinpair.fringe_fits is fringes.fringe_fits


def test_bad_input():
    with pytest.raises(InputError):
        ramsey_sequence(Params(), "chi1", -1e-6)
    with pytest.raises(InputError):
        ramsey_signals(Params(), "chi1", T, None, [0.0, float("nan")])
    with pytest.raises(InputError):
        default_detunings(T, TAU, points=4)
    with pytest.raises(InputError):
        RamseyPulses(Levels(2), RABI, -TAU, T)
    with pytest.raises(InputError):
        ramsey_signals(Params(), "single", T, postselect=True)


# ----------------------------------------------------------------------------- CLI


def call(capsys, *argv):
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_json_keys(capsys):
    code, out, _ = call(
        capsys, "ramsey", "--wait", "5e-6", "--half-pi", str(TAU), "--points", "61", "--json"
    )
    assert code == 0
    d = json.loads(out)
    for key in ("detuning_hz", "P0", "P1", "P2", "survival", "mean_number", "fringe_period_hz"):
        assert key in d
    assert len(d["P1"]) == 61 and d["state"] == "chi1"
    assert set(d["fringe_period_hz"]) == {"P0", "P1", "P2", "survival", "mean_number"}
    assert d["fringe_period_hz"]["P1"] == pytest.approx(71e3, rel=0.02)
    assert d["fringe_period_hz"]["survival"] is None
    assert d["detuning_hz"][0] == pytest.approx(-d["detuning_hz"][-1])


def test_cli_reference_state_and_fisher(capsys):
    code, out, _ = call(
        capsys,
        "ramsey",
        "--state",
        "1,1",
        "--wait",
        "5e-6",
        "--points",
        "41",
        "--detuning-span",
        "2e5",
        "--ideal",
        "--fisher",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    assert d["fringe_period_hz"]["survival"] == pytest.approx(142e3, rel=0.02)
    assert d["detuning_hz"][-1] == pytest.approx(1e5)
    assert max(d["fisher"]["fisher_counts"]) <= d["fisher"]["qfi"] * (1 + 1e-6)


@pytest.mark.parametrize(
    "argv",
    [
        ["--wait", "-1e-6"],
        ["--wait", "nan"],
        ["--wait", "5e-6", "--points", "4"],
        ["--wait", "5e-6", "--half-pi", "-1"],
        ["--wait", "5e-6", "--detuning-span", "0"],
        ["--wait", "5e-6", "--state", "bogus"],
        ["--half-pi", "1e-6"],
    ],
)
def test_cli_bad_input_exit_2(capsys, argv):
    code, out, err = call(capsys, "ramsey", *argv, "--json")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("state", ["chi1", "1,1", "single", "mixed"])
@pytest.mark.parametrize("spont", [0.0, 0.03])
@pytest.mark.parametrize("postselect", [False, True])
def test_fast_ramsey_scan_equals_density_matrix_path(state, spont, postselect):
    """MeasurementSequence.scan through the Ramsey step's population rows (composed single-atom
    superoperators) equals propagating the full density matrix through every step."""
    from spinpair.imperfections import Imperfections

    if postselect and state == "single":
        pytest.skip("post-selection is for pair states")
    imp = Imperfections(
        prep_efficiency=0.9,
        transfer_efficiency=0.95,
        push_efficiency=0.9,
        p_inelastic_pair=0.2,
        p_loss=0.03,
        p_spont_per_pi=spont,
    )
    seq = ramsey_sequence(Params(imperfections=imp), state, 5e-6, postselect=postselect)
    det = np.linspace(-150e3, 150e3, 101)
    spied, spy = spy_on_step(seq)
    r = spied.scan("detuning_hz", det)
    assert spy.took_fast_path(), spy.calls
    ref = reference_counts(seq, det)
    assert np.max(np.abs(counts(r) - ref)) <= 1e-12


@pytest.mark.parametrize(
    "argv, state, kwargs",
    [
        (["--state", "chi1", "--points", "41"], "chi1", {"points": 41}),
        (
            ["--state", "1,1", "--points", "31", "--ideal", "--fisher"],
            "1,1",
            {"points": 31, "ideal": True, "fisher": True},
        ),
        (["--state", "collisions", "--points", "21"], "collisions", {"points": 21}),
    ],
)
def test_cli_ramsey_prints_exactly_the_library_result(argv, state, kwargs, capsys):
    """`spinpair ramsey --json` is one library call, ramsey_analysis(...).as_dict() (a named
    state without --params starts with both atoms present: docs/cli.md)."""
    import dataclasses

    from spinpair.analysis.ramsey import ramsey_analysis
    from spinpair.fileio import to_jsonable

    assert run(["ramsey", "--wait", "5e-6", *argv, "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    cli.pop("placeholders", None), cli.pop("warnings", None)
    assert cli.pop("schema_version") == 1  # the CLI adds its schema's version (docs/cli.md)
    p = Params()
    if state != "collisions":
        imp = dataclasses.replace(p.imperfections, prep_efficiency=1.0)
        p = dataclasses.replace(p, imperfections=imp)
    lib = to_jsonable(ramsey_analysis(p, state, 5e-6, **kwargs).as_dict())
    assert cli == lib
    for key in ("detuning_hz", "P0", "P1", "P2", "survival", "fringe_period_hz"):
        assert key in lib  # keys fixed by docs/cli.md


def test_ramsey_analysis_chi1_fringes_at_twice_the_single_atom_frequency():
    """Physics through the one-call analysis: chi1's P1 oscillates with period 1/(2 T_eff)
    and its per-atom survival stays flat; for |1,1⟩ the survival oscillates at 1/T_eff
    (first order in δ/Ω; the finite-pulse chirp moves the fitted periods by ~1-3 %)."""
    from spinpair.analysis.ramsey import ramsey_analysis

    chi1 = ramsey_analysis(Params(), "chi1", 5e-6, ideal=True)
    single = ramsey_analysis(Params(), "1,1", 5e-6, ideal=True)
    assert chi1.fringe_period_hz["P1"] == pytest.approx(chi1.expected_period_hz["pair"], rel=0.03)
    assert chi1.fringe_period_hz["survival"] is None or chi1.fits["survival"].contrast < 1e-6
    assert single.fringe_period_hz["survival"] == pytest.approx(
        single.expected_period_hz["single_atom"], rel=0.03
    )
    assert chi1.collision_model is None and chi1.fisher is None
