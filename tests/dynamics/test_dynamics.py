"""Collision dynamics: trap numbers, invariants of every model, closed forms and limits,
and agreement with independent solvers (scipy expm, brute-force energy integration, QuTiP)."""

import functools
import math

import numpy as np
import pytest
import scipy.linalg
from scipy import constants, integrate

from spinpair.dynamics import CollisionSetup, evolve_params
from spinpair.dynamics import evolve as _evolve
from spinpair.dynamics.ergodic import energy_nodes, ergodic_couplings
from spinpair.dynamics.ground_state import (
    busch_energy,
    busch_shift_hz,
    ground_state_contact_density_m3,
    ground_state_hamiltonian_hz,
)
from spinpair.dynamics.hamiltonian import (
    contact_coupling_hz_m2,
    interaction_operator_m,
    zeeman_hamiltonian_hz,
)
from spinpair.dynamics.relaxation import jump_operators, sector_rates
from spinpair.errors import InputError
from spinpair.params import CollisionParams, Params, TrapParams
from spinpair.species import get_species
from spinpair.spin import (
    PairBasis,
    exchange_operator,
    named_ket,
    named_state,
    total_spin_state,
)
from spinpair.trap import PairTrap

#: These tests check invariants of the propagation (trace, sectors, linearity, limits) also
#: where a model is outside its regime of validity (the secular model at 4 µK, a rate scale
#: of 10⁴ to reach the steady state): they skip the run-time regime check, which
#: tests/dynamics/test_regime.py tests.
evolve = functools.partial(_evolve, outside_regime="ignore")

COHERENT = ["ground-state", "secular", "ergodic"]
ALL = ["ground-state", "secular", "ergodic", "relaxation", "ergodic+relaxation"]


def paper_setup(**kw) -> CollisionSetup:
    return CollisionSetup.from_params(Params(**kw))


def random_density_matrix(d: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = a @ a.conj().T
    return rho / np.trace(rho)


# ----------------------------------------------------------------------------- trap


def test_trap_matches_paper_numbers():
    t = PairTrap.from_params(Params())
    assert t.frequencies_hz[0] == pytest.approx(102e3, rel=0.01)
    assert t.frequencies_hz[2] == pytest.approx(24.5e3, rel=0.01)
    assert t.contact_density_m3 == pytest.approx(5.8e18, rel=0.02)
    s = t.summary(-445.0)
    assert 1.5 < s["k_times_a"] < 3.0 and 0.3 < abs(s["a_over_a_ho"]) < 0.7


def test_ergodic_contact_density_averages_to_classical():
    t = PairTrap.from_params(Params())
    kt = t.kt_j

    def integrand(x):  # x = E / kT, p(E) dE = x² e^{-x} / 2 dx
        return t.contact_density_at_energy_m3(x * kt) * x**2 * np.exp(-x) / 2

    avg, _ = integrate.quad(integrand, 0, np.inf)
    assert avg == pytest.approx(t.contact_density_m3, rel=1e-8)
    E, w = energy_nodes(t, 96)
    assert np.sum(w * t.contact_density_at_energy_m3(E)) == pytest.approx(
        t.contact_density_m3, rel=1e-6
    )


def test_maxwell_speed_distribution_normalised_with_mean():
    t = PairTrap.from_params(Params())
    vmax = 20 * t.mean_relative_speed_m_s
    norm, _ = integrate.quad(t.relative_speed_pdf, 0, vmax)
    mean, _ = integrate.quad(lambda v: v * t.relative_speed_pdf(v), 0, vmax)
    assert norm == pytest.approx(1.0, rel=1e-9)
    assert mean == pytest.approx(t.mean_relative_speed_m_s, rel=1e-9)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"temperature_k": 0.0}, "temperature_k"),
        ({"temperature_k": -1e-6}, "temperature_k"),
        ({"depth_hz": -1e6}, "depth_hz"),
    ],
)
def test_unphysical_trap_rejected(kwargs, field):
    with pytest.raises(InputError, match=field):
        Params(trap=TrapParams(**kwargs))
    with pytest.raises(InputError, match=field):
        sp = get_species("rb85")
        args = dict(depth_hz=22e6, waist_m=1e-6, wavelength_m=1064e-9, temperature_k=40e-6)
        args.update(kwargs)
        PairTrap.from_tweezer(sp, **args)


@pytest.mark.parametrize("times", [[0.1, 0.05], [0.0, float("nan")], [-0.1, 0.0], []])
def test_bad_times_rejected(times):
    with pytest.raises(InputError, match="times"):
        evolve_params(Params(), times, model="ergodic")


# ----------------------------------------------------------------------------- invariants


@pytest.mark.parametrize(
    ("model", "temperature_k"),
    [(m, None) for m in ALL if m != "secular"]
    # secular: a cold pair (4 µK, few motional states) is quick; at the paper's temperature
    # it takes ~30 s of CPU, so that case runs with the slow tests
    + [("secular", 4e-6), pytest.param("secular", None, marks=pytest.mark.slow)],
)
def test_trace_positivity_and_conservation_laws(model, temperature_k):
    rng = np.random.default_rng(7)
    trap = TrapParams() if temperature_k is None else TrapParams(temperature_k=temperature_k)
    setup = paper_setup(collisions=CollisionParams(rate_scale=200.0), trap=trap)
    rho0 = random_density_matrix(25, rng)
    t = np.linspace(0, 0.05, 6)
    opts = {"nodes": 64} if model.startswith("ergodic") else {}
    r = evolve(model, setup, t, rho0, **opts)
    b = PairBasis(2)
    M = b.total_m
    S = exchange_operator(2)
    for rho in r.states:
        assert np.trace(rho).real == pytest.approx(1.0, abs=1e-10)
        assert np.allclose(rho, rho.conj().T, atol=1e-12)
        assert np.linalg.eigvalsh(rho).min() > -1e-10
        for m in range(-4, 5):  # population of every M sector conserved
            sel = M == m
            assert np.trace(rho[np.ix_(sel, sel)]).real == pytest.approx(
                np.trace(rho0[np.ix_(sel, sel)]).real, abs=1e-10
            )
        assert np.trace(rho @ S).real == pytest.approx(np.trace(rho0 @ S).real, abs=1e-10)
    # the state actually moves (the test could fail)
    assert np.max(np.abs(r.states[-1] - rho0)) > 1e-4


@pytest.mark.parametrize("model", ALL)
def test_chi1_internal_coherence_stays_one(model):
    setup = paper_setup(collisions=CollisionParams(rate_scale=50.0))
    r = evolve(model, setup, [0.01, 0.05, 0.1], "00")
    pop = r.populations()["chi1"]
    assert np.all(pop > 1e-6)
    assert np.allclose(r.chi1_coherence(), 1.0, atol=1e-9)
    # nothing leaks into chi_minus (exchange symmetry)
    assert np.allclose(r.populations(["chi_minus"])["chi_minus"], 0.0, atol=1e-12)


@pytest.mark.parametrize("model", COHERENT)
def test_zero_field_evolution_is_diagonal_in_total_spin_basis(model):
    setup = paper_setup(collisions=CollisionParams(field_gauss=0.0))
    t = [0.0, 0.02, 0.1]
    for F in (0, 2, 4):
        v = total_spin_state(2, F, 0)
        r = evolve(model, setup, t, np.outer(v, v.conj()))
        for rho in r.states:
            assert np.real(v.conj() @ rho @ v) == pytest.approx(1.0, abs=1e-10)
    # while |0,0>, which is not an F eigenstate, does change
    r = evolve(model, setup, t, "00")
    assert r.populations()["00"][-1] < 1 - 1e-5


@pytest.mark.parametrize("model", ALL)
def test_f1_species_work(model):
    p = Params(species="na23", f=1, collisions=CollisionParams(rate_scale=100.0))
    r = evolve_params(p, [0.0, 0.01, 0.1], model=model, outside_regime="ignore")
    pop = r.populations()
    assert set(pop) == {"00", "chi1"}
    total = pop["00"] + pop["chi1"]
    assert np.allclose(total, 1.0, atol=1e-10)  # M = 0 symmetric sector of f = 1
    assert pop["chi1"][-1] > 1e-6


# ----------------------------------------------------------------------------- ground state


def test_ground_state_model_equals_direct_exponential():
    setup = paper_setup()
    H = ground_state_hamiltonian_hz(setup)
    t = np.array([0.0, 0.013, 0.1])
    r = evolve("ground-state", setup, t, "00")
    psi0 = named_ket("00")
    for ti, rho in zip(t, r.states, strict=True):
        psi = scipy.linalg.expm(-2j * np.pi * H * ti) @ psi0
        assert np.allclose(rho, np.outer(psi, psi.conj()), atol=1e-9)


def test_ground_state_contact_density_is_the_overlap_of_two_atoms_densities():
    """|ψ_rel(0)|² of the relative ground state equals ∫ n_1(r) n_2(r) d³r, the overlap of
    the two atoms' own ground-state densities (mass m each, not μ), integrated here by
    quadrature axis by axis. (The coupling 4πħ²/m is checked against Busch's exact
    energies in test_busch_limits_and_first_order.)"""
    setup = paper_setup()
    t = setup.trap
    m, hbar = setup.species.mass_kg, constants.hbar
    overlap = 1.0
    for w in t.omega:
        length = math.sqrt(hbar / (m * w))

        def density(x, length=length):
            return math.exp(-((x / length) ** 2)) / (math.sqrt(math.pi) * length)

        value, _ = integrate.quad(lambda x: density(x) ** 2, -12 * length, 12 * length)
        overlap *= value
    assert ground_state_contact_density_m3(t) == pytest.approx(overlap, rel=1e-10)


def test_busch_limits_and_first_order():
    trap = PairTrap((80e3, 80e3, 80e3), get_species("rb87", 2).mass_kg, 1e-6)
    a = 1e-3 * trap.oscillator_length_m
    first_order = contact_coupling_hz_m2(get_species("rb87", 2)) * (
        ground_state_contact_density_m3(trap) * a
    )
    assert busch_shift_hz(trap, a) == pytest.approx(first_order, rel=2e-3)
    assert busch_shift_hz(trap, -a) == pytest.approx(-first_order, rel=2e-3)
    # unitarity: the attractive branch ends at 1/2, the repulsive one at 5/2
    assert busch_energy(-1e12) == pytest.approx(0.5, abs=1e-6)
    assert busch_energy(1e12) == pytest.approx(2.5, abs=1e-6)
    # repulsive branch saturates below the next level 7/2; attractive stays above 1/2
    assert 1.5 < busch_energy(3.0) < 2.5 and 0.5 < busch_energy(-3.0) < 1.5


def test_busch_needs_isotropic_trap():
    with pytest.raises(InputError, match="frequencies"):
        evolve("ground-state", paper_setup(), [0.0, 0.1], "00", busch=True)


def test_busch_option_runs_on_isotropic_trap():
    p = Params(trap=TrapParams(frequencies_hz=(60e3, 60e3, 60e3)))
    r = evolve_params(p, [0.0, 0.01], model="ground-state", busch=True)
    assert np.trace(r.states[-1]).real == pytest.approx(1.0)
    assert r.populations()["chi1"][-1] > 1e-4


# ----------------------------------------------------------------------------- ergodic


def test_ergodic_quadrature_converged():
    setup = paper_setup(scattering_lengths_bohr={"a0": -400.0, "a2": -500.0})
    t = [0.05, 0.1]
    a = evolve("ergodic", setup, t, "00", nodes=1024).populations()["chi1"]
    b = evolve("ergodic", setup, t, "00", nodes=2048).populations()["chi1"]
    assert np.allclose(a, b, atol=1e-4)
    paper = paper_setup()  # coupled-channel a_F (|a| up to 933 a_B): 4e-5 at 1024 nodes
    a = evolve("ergodic", paper, t, "00", nodes=1024).populations()["chi1"]
    b = evolve("ergodic", paper, t, "00", nodes=2048).populations()["chi1"]
    c = evolve("ergodic", paper, t, "00", nodes=4096).populations()["chi1"]
    assert np.allclose(a, b, atol=1e-4)
    assert np.max(np.abs(b - c)) < np.max(np.abs(a - b))  # converging


@pytest.mark.slow
def test_ergodic_against_brute_force_energy_integration():
    """Independent method: per-energy 3x3 propagators by expm on a fine energy grid."""
    setup = paper_setup(scattering_lengths_bohr={"a0": -400.0, "a2": -520.0})
    t_hold = 0.1
    model = evolve("ergodic", setup, [t_hold], "00").populations()["chi1"][0]
    kt = setup.trap.kt_j
    x = np.linspace(1e-3, 40, 8001)
    E = x * kt
    g = ergodic_couplings(setup, E)  # (n, F) Hz
    from spinpair.spin import total_spin_projector

    P = [total_spin_projector(2, F) for F in (0, 2, 4)]
    HZ = zeeman_hamiltonian_hz(setup.species, setup.field_gauss)
    v0, v1 = named_ket("00"), named_ket("chi1")
    vals = []
    for gi in g:
        H = sum(gi[k] * P[k] for k in range(3)) + HZ
        psi = scipy.linalg.expm(-2j * np.pi * H * t_hold) @ v0
        vals.append(abs(v1.conj() @ psi) ** 2)
    pdf = x**2 * np.exp(-x) / 2
    brute = np.trapezoid(np.array(vals) * pdf, x)
    assert model == pytest.approx(brute, abs=3e-4)
    assert model > 5e-4  # a real signal, not a trivial zero


# ----------------------------------------------------------------------------- relaxation


def test_relaxation_rates_symmetric_when_hot():
    G = sector_rates(paper_setup(), 0)
    assert np.all(G[~np.eye(3, dtype=bool)] > 0)
    assert np.allclose(G, G.T, rtol=1e-3)  # k_B T >> Zeeman energies (36 Hz vs 833 kHz)


def test_relaxation_steady_state_obeys_detailed_balance():
    p = Params(
        trap=TrapParams(temperature_k=5e-6),
        collisions=CollisionParams(field_gauss=40.0, rate_scale=1e4),
    )
    setup = CollisionSetup.from_params(p)
    G = sector_rates(setup, 0)
    r = evolve("relaxation", setup, [200.0 / G[G > 0].min()], "00")
    pop = r.populations()
    e = np.real(np.diag(setup.zeeman_hz))
    b = PairBasis(2)
    e_chi = [e[b.index(0, 0)], e[b.index(1, -1)], e[b.index(2, -2)]]
    boltz = np.exp(-np.array(e_chi) * constants.h / setup.trap.kt_j)
    boltz /= boltz.sum()
    got = np.array([pop["00"][-1], pop["chi1"][-1], pop["chi2"][-1]])
    assert np.allclose(got, boltz, atol=1e-6)
    assert boltz[0] - boltz[2] > 0.05  # the Boltzmann factors matter here


def test_relaxation_rate_scale_is_linear():
    a = sector_rates(paper_setup(collisions=CollisionParams(rate_scale=1.0)), 0)
    b = sector_rates(paper_setup(collisions=CollisionParams(rate_scale=3.0)), 0)
    assert np.allclose(b, 3 * a)


@pytest.mark.slow  # measured > 4 s idle (make durations)
def test_relaxation_agrees_with_qutip_mesolve():
    qutip = pytest.importorskip("qutip")
    setup = paper_setup(collisions=CollisionParams(rate_scale=20.0))
    t = np.linspace(0, 0.2, 5)
    ours = evolve("relaxation", setup, t, "00").populations()
    H = qutip.Qobj(2 * np.pi * setup.zeeman_hz)
    c_ops = [qutip.Qobj(L) for L in jump_operators(setup)]
    v0 = named_ket("00")
    e_ops = [qutip.Qobj(np.outer(named_ket(n), named_ket(n).conj())) for n in ("chi1", "chi2")]
    res = qutip.mesolve(
        H,
        qutip.Qobj(np.outer(v0, v0.conj())),
        t,
        c_ops,
        e_ops=e_ops,
        options={"atol": 1e-12, "rtol": 1e-10},
    )
    assert np.allclose(ours["chi1"], np.real(res.expect[0]), atol=1e-7)
    assert np.allclose(ours["chi2"], np.real(res.expect[1]), atol=1e-7)
    assert ours["chi1"][-1] > 0.01


def test_interaction_operator_in_m0_sector_matches_table():
    sp = get_species("rb85")
    V = interaction_operator_m(sp) / 5.29177210903e-11
    a0, a2, a4 = (sp.scattering_lengths_bohr[F] for F in (0, 2, 4))
    v = [named_ket(n) for n in ("00", "chi1", "chi2")]
    Vs = np.array([[x.conj() @ V @ y for y in v] for x in v]).real
    assert Vs[0, 0] == pytest.approx(a0 / 5 + 2 * a2 / 7 + 18 * a4 / 35, rel=1e-4)
    assert Vs[1, 2] == pytest.approx(-2 * a0 / 5 + 2 * a2 / 7 + 4 * a4 / 35, rel=1e-4)


# ----------------------------------------------------------------------------- engine paths


@pytest.mark.parametrize(
    "model", ["relaxation", pytest.param("ergodic+relaxation", marks=pytest.mark.slow)]
)
def test_liouvillian_eigendecomposition_equals_expm(model):
    from spinpair.dynamics import model_ensemble
    from spinpair.dynamics.engine import evolve_ensemble

    setup = paper_setup(collisions=CollisionParams(rate_scale=30.0))
    build = model_ensemble(model, setup, **({"nodes": 32} if "ergodic" in model else {}))
    t = np.concatenate([[0.0], np.geomspace(1e-5, 0.2, 12)])
    for state in ("00", "chi1"):  # the M = 0 sector: phases of at most a few kHz
        fast = evolve_ensemble(named_state(state), t, build, method="eig")
        ref = evolve_ensemble(named_state(state), t, build, method="expm")
        assert np.max(np.abs(fast - ref)) < 1e-13
    # every block: coherences between M sectors turn at the linear Zeeman frequencies
    # (~1 MHz, phases ~10⁶ rad by 0.2 s), where both paths carry rounding ~ε·‖L‖t
    rho0 = random_density_matrix(25, np.random.default_rng(7))
    fast = evolve_ensemble(rho0, t, build, method="eig")
    ref = evolve_ensemble(rho0, t, build, method="expm")
    assert np.max(np.abs(fast - ref)) < 1e-11
    assert np.allclose(np.trace(fast, axis1=1, axis2=2), 1.0, atol=1e-12)


def test_defective_liouvillian_falls_back_to_expm():
    """A driven decaying two-level node at its exceptional point (drive Ω = γ/4) has a
    non-diagonalisable Liouvillian: the eigenvector matrix is singular to rounding, the
    engine must fall back to expm and still agree with it."""
    from spinpair.dynamics import engine

    g = 3.0  # decay rate γ (1/s)
    J = np.array([[[0.0, np.sqrt(g)], [0.0, 0.0]]], dtype=complex)  # √γ |0⟩⟨1|
    om = g / 4  # Rabi rate (rad/s) at the exceptional point
    H = np.array([[[0.0, om / 2], [om / 2, 0.0]]], dtype=complex) / (2 * np.pi)  # Hz
    _, R = np.linalg.eig(engine.liouvillian(H[0], J))
    assert np.linalg.cond(R) > engine.MAX_EIGVEC_CONDITION
    rho = np.array([[0.0, 0.0], [0.0, 1.0]], dtype=complex)
    t = np.linspace(0.0, 4.0, 9)
    fast = engine._dissipative(rho, t, H, np.ones(1), J[None])
    ref = engine._dissipative(rho, t, H, np.ones(1), J[None], method="expm")
    assert np.max(np.abs(fast - ref)) < 1e-14
    # off the exceptional point the eigendecomposition path is used and agrees
    H2 = 3 * H
    fast = engine._dissipative(rho, t, H2, np.ones(1), J[None])
    ref = engine._dissipative(rho, t, H2, np.ones(1), J[None], method="expm")
    assert np.max(np.abs(fast - ref)) < 1e-12


@pytest.mark.parametrize(
    "model", [*COHERENT, "relaxation", pytest.param("ergodic+relaxation", marks=pytest.mark.slow)]
)
def test_evolution_is_linear_for_non_hermitian_operators(model):
    """Φ(X) = Φ(A) + iΦ(B) for X = A + iB with A, B Hermitian (no symmetrisation of X)."""
    from spinpair.dynamics import _propagate, model_ensemble

    def evolve_ensemble(rho, times, build):  # the model's own path (secular clusters)
        return _propagate(build, rho, times)

    # secular: a cold pair (4 µK: few motional states, several multi-level clusters) keeps
    # the test quick; the map's linearity does not depend on the temperature
    trap = TrapParams(temperature_k=4e-6) if model == "secular" else TrapParams()
    setup = paper_setup(collisions=CollisionParams(rate_scale=30.0), trap=trap)
    opts = {"nodes": 64} if "ergodic" in model else {}
    build = model_ensemble(model, setup, **opts)
    rng = np.random.default_rng(11)
    A = random_density_matrix(25, rng)
    B = random_density_matrix(25, rng) - random_density_matrix(25, rng)
    X = A + 1j * B
    assert not np.allclose(X, X.conj().T)
    t = np.array([0.0, 0.01, 0.05])
    lhs = evolve_ensemble(X, t, build)
    rhs = evolve_ensemble(A, t, build) + 1j * evolve_ensemble(B, t, build)
    assert np.max(np.abs(lhs - rhs)) < 1e-12
    assert np.allclose(lhs[0], X, atol=1e-12)
    # an operator such as |00⟩⟨chi1| stays non-Hermitian: the old symmetrisation lost it
    v, u = named_ket("00"), named_ket("chi1")
    out = evolve_ensemble(np.outer(v, u.conj()), t, build)
    # the secular clusters drop terms below their stated pruning bound (1e-9 per element)
    atol = 1e-8 if model == "secular" else 1e-12
    assert np.allclose(out[0], np.outer(v, u.conj()), rtol=0, atol=atol)


def test_builtin_constants_equal_scipy_constants():
    """spinpair._constants (no scipy.constants import) carries scipy's CODATA values."""
    from scipy import constants as sc

    from spinpair import _constants as c

    assert c.h == sc.h and c.k == sc.k
    assert c.hbar == pytest.approx(sc.hbar, rel=1e-15)
    # identical with scipy >= 1.15 (CODATA 2022); older scipy ships CODATA 2018 (≤ 2e-9)
    for name, (value, unit, _) in c.physical_constants.items():
        ref = sc.physical_constants[name]
        assert unit == ref[1]
        assert value == pytest.approx(ref[0], rel=2e-9)


def test_times_beyond_double_precision_are_rejected():
    """At 1e12 s the ground-state phases lose precision (a population of -0.04 came out);
    the library refuses times beyond MAX_TIME_S and stays a probability distribution up to it."""
    from spinpair.dynamics import CollisionSetup, evolve
    from spinpair.dynamics.engine import MAX_TIME_S
    from spinpair.errors import InputError
    from spinpair.params import Params

    setup = CollisionSetup.from_params(Params())
    with pytest.raises(InputError, match="times"):
        evolve("ground-state", setup, [0.0, 10 * MAX_TIME_S])
    pops = evolve("ground-state", setup, [1.0, MAX_TIME_S]).populations()
    total = sum(np.asarray(v) for v in pops.values())
    assert all(np.all(np.asarray(v) >= -1e-9) for v in pops.values())
    assert np.all(total <= 1 + 1e-9)
