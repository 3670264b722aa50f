"""The secular thermal ensemble: contact densities, weights, the single-state limit, exact
conservation laws, degenerate manifolds against a brute-force motion ⊗ spin solve, f = 1,
the hot-trap interacting fraction, and bad input."""

import math

import numpy as np
import pytest
import scipy.linalg
from scipy import constants, special

from spinpair.dynamics import CollisionSetup, evolve
from spinpair.dynamics.engine import evolve_ensemble
from spinpair.dynamics.hamiltonian import (
    conserved_sectors,
    contact_coupling_hz_m2,
    interaction_operator_m,
)
from spinpair.dynamics.secular import (
    contact_density_m3,
    contact_factor,
    secular_ensemble,
    secular_nodes,
    secular_summary,
)
from spinpair.errors import InputError
from spinpair.species import get_species
from spinpair.spin import PairBasis, named_state, symmetric_sector
from spinpair.trap import PairTrap

RB85 = get_species("rb85")
PAPER_FREQS = (102.3e3, 102.3e3, 24.5e3)
# incommensurate frequencies: no exact degeneracies among the states that matter
NONDEG = (40e3, 40e3 * math.sqrt(2), 40e3 * math.sqrt(3) * 0.61)


def setup_for(freqs, temperature_k, species=RB85, field_gauss=0.5):
    return CollisionSetup(species, PairTrap(freqs, species.mass_kg, temperature_k), field_gauss)


def psi0_density(trap):
    """|ψ_0(0)|² = Π_j √(μω_j/(πħ)) (m⁻³)."""
    return float(np.prod(np.sqrt(trap.reduced_mass_kg * trap.omega / (math.pi * constants.hbar))))


def test_contact_density_equals_hermite_wavefunction_at_origin():
    trap = PairTrap(NONDEG, RB85.mass_kg, 10e-6)
    mu, hbar = trap.reduced_mass_kg, constants.hbar
    for n in range(0, 31):
        nvec = np.array([n, (n + 2) % 7, 2 * (n % 4)])
        direct = 1.0
        for nj, w in zip(nvec, trap.omega, strict=True):
            # ψ_n(0) = (μω/πħ)^{1/4} H_n(0) / √(2^n n!)
            amp = (mu * w / (math.pi * hbar)) ** 0.25 * special.eval_hermite(int(nj), 0.0)
            direct *= amp**2 / (2.0 ** int(nj) * math.factorial(int(nj)))
        got = float(contact_density_m3(trap, nvec))
        assert got == pytest.approx(direct, rel=1e-11, abs=1e-300 * psi0_density(trap))
    # log-gamma keeps large n finite: C(n, n/2)/2^n → √(2/(πn))
    assert contact_factor(20000) == pytest.approx(math.sqrt(2 / (math.pi * 20000)), rel=1e-4)


def test_weights_normalised_and_truncation_reported():
    s = setup_for(PAPER_FREQS, 40e-6)
    nodes = secular_nodes(s)
    assert nodes.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(nodes.weights >= 0)
    assert nodes.density_m3[0] == 0.0 and np.all(nodes.density_m3[1:] > 0)
    info = nodes.info
    assert 0 < info["omitted_weight"] <= 1e-6
    assert info["motional_states"] > 10**6
    assert info["nodes"] == nodes.weights.size < info["bright_manifolds"] <= info["all_even_states"]
    # a looser tolerance keeps fewer states and omits more weight, still within it
    loose = secular_summary(s, weight_tolerance=1e-3)
    assert loose["motional_states"] < info["motional_states"]
    assert info["omitted_weight"] < loose["omitted_weight"] <= 1e-3


def test_single_motional_state_equals_direct_ground_state_calculation():
    s = setup_for(PAPER_FREQS, 0.05e-6)  # k_B T ≪ ħω: only n = 0 carries weight
    assert secular_summary(s)["motional_states"] == 1
    t = np.linspace(0, 0.02, 7)
    states = evolve("secular", s, t).states
    sector = symmetric_sector(2, 0)
    g = contact_coupling_hz_m2(s.species) * psi0_density(s.trap)
    H = sector.restrict(g * interaction_operator_m(s.species) + s.zeeman_hz)
    B = sector.vectors
    for ti, rho in zip(t, states, strict=True):
        psi = B @ (scipy.linalg.expm(-2j * np.pi * H * ti) @ np.array([1.0, 0, 0]))
        assert np.max(np.abs(rho - np.outer(psi, psi.conj()))) < 1e-12
    assert np.real(states[-1][PairBasis(2).index(1, -1), PairBasis(2).index(1, -1)]) > 1e-4


def test_trace_positivity_and_conserved_sectors_for_a_random_state():
    s = setup_for(PAPER_FREQS, 2e-6)
    rng = np.random.default_rng(7)
    A = rng.normal(size=(25, 25)) + 1j * rng.normal(size=(25, 25))
    rho0 = A @ A.conj().T
    rho0 /= np.trace(rho0)
    t = np.linspace(0, 0.05, 11)
    states = evolve("secular", s, t, state=rho0).states
    projectors = [sec.vectors @ sec.vectors.conj().T for sec in conserved_sectors(2)]
    for rho in states:
        assert np.trace(rho).real == pytest.approx(1.0, abs=1e-12)
        assert np.allclose(rho, rho.conj().T, atol=1e-14)
        assert np.linalg.eigvalsh(rho).min() > -1e-12
        for P in projectors:  # population of every (M, exchange symmetry) sector
            assert np.trace(P @ rho).real == pytest.approx(np.trace(P @ rho0).real, abs=1e-12)
    # |0,0> stays in its sector (M = 0, symmetric)
    P0 = symmetric_sector(2, 0).vectors
    P0 = P0 @ P0.conj().T
    r = evolve("secular", s, t).states
    assert np.max(np.abs(r - P0 @ r @ P0)) < 1e-13


def test_chi1_internal_coherence_stays_one():
    s = setup_for(PAPER_FREQS, 2e-6)
    res = evolve("secular", s, np.linspace(0, 0.05, 21), state="chi1")
    b = PairBasis(2)
    i, j = b.index(1, -1), b.index(-1, 1)
    assert np.allclose(res.states[:, i, j], res.states[:, i, i], atol=1e-14)
    assert np.allclose(res.chi1_coherence(), 1.0, atol=1e-10)
    assert res.populations()["chi1"][-1] < 0.999  # it does move


def test_uniform_and_scattered_times_agree():
    """The engine's table/block-phase path (uniform grid) against per-time evaluation."""
    s = setup_for(NONDEG, 3e-6)
    build = secular_ensemble(s)
    rho0 = named_state("00")
    t = np.linspace(0, 0.08, 301)
    grid = evolve_ensemble(rho0, t, build)
    scattered = evolve_ensemble(rho0, t[::-37][::-1] * (1 + 1e-7), build)
    single = np.array([evolve_ensemble(rho0, [ti], build)[0] for ti in t[::60]])
    assert np.max(np.abs(grid[::60] - single)) < 1e-12
    assert np.max(np.abs(grid[::-37][::-1] - scattered)) < 1e-5  # 1e-7 time shift


def test_degenerate_shells_against_brute_force_motion_times_spin():
    """Isotropic trap: each shell N is degenerate. Solve motion ⊗ spin inside every shell
    with the explicit rank-one contact operator (eigenvalue Σ|ψ_n(0)|²), motion maximally
    mixed within the shell, and compare with the model."""
    nu = 30e3
    s = setup_for((nu, nu, nu), 0.55e-6).with_scattering_lengths({0: -380.0, 2: -520.0})
    t = np.array([0.0, 2e-4, 1e-3, 3e-3])
    model = evolve("secular", s, t, weight_tolerance=1e-9).populations()
    x = constants.h * nu / s.trap.kt_j
    g = contact_coupling_hz_m2(s.species)
    sector = symmetric_sector(2, 0)
    V = sector.restrict(interaction_operator_m(s.species)).real  # real symmetric here
    Hz = sector.restrict(s.zeeman_hz).real
    z_even, pops = 0.0, np.zeros((t.size, 3))
    assert x > 2.6  # shells up to N = 12 carry all but ~e^{-14·2.6} of the weight
    for N in range(0, 14, 2):
        states = np.array([(a, b, N - a - b) for a in range(N + 1) for b in range(N + 1 - a)])
        amp = np.sqrt(contact_density_m3(s.trap, states))  # real ψ_n(0) up to sign
        G = np.outer(amp, amp)  # rank-one contact interaction in the shell (m⁻³)
        assert np.linalg.eigvalsh(G)[-1] == pytest.approx(amp @ amp, rel=1e-12)
        H = g * np.kron(G, V) + np.kron(np.eye(len(states)), Hz)
        w = math.exp(-N * x)
        z_even += w * len(states)
        E, W = np.linalg.eigh(H)
        for i, ti in enumerate(t):
            U = (W * np.exp(-2j * np.pi * E * ti)) @ W.conj().T
            # columns with spin |0,0> and motional state m; trace over the motion
            u = U[:, 0::3].reshape(len(states), 3, len(states))
            pops[i] += w * np.einsum("asm,asm->s", u, u.conj()).real
    pops /= z_even
    for k, name in enumerate(("00", "chi1", "chi2")):
        assert np.allclose(model[name], pops[:, k], atol=1e-8)
    assert pops[-1, 1] > 1e-3  # the check has teeth


def test_cylindrical_trap_has_one_bright_state_per_shell():
    """ω_x = ω_y: the shell n_x + n_y = N (even) has one bright state; the 2-D shell sum of
    the contact factors is 1, so the coupling depends on n_z alone."""
    s = setup_for((50e3, 50e3, 8e3 * math.sqrt(1.1)), 4e-6)  # ω_z incommensurate
    nodes = secular_nodes(s, weight_tolerance=1e-8)
    info = nodes.info
    c, _ = nodes.manifolds
    levels = c / psi0_density(s.trap)
    n_shells = info["bright_manifolds"]
    assert n_shells < info["all_even_states"]
    allowed = contact_factor(np.arange(0, 1000, 2))
    assert np.min(np.abs(levels[:, None] - allowed[None, :]), axis=1).max() < 1e-12
    distinct = 1 + np.count_nonzero(np.diff(np.sort(levels)) > 1e-12)
    assert info["nodes"] - 1 == distinct  # one node per n_z
    # bright weight: one state per shell, i.e. Σ_N e^{-N x_r} Σ_{n_z even} e^{-n_z x_z}
    x = constants.h * np.array(s.trap.frequencies_hz) / s.trap.kt_j
    z_bright = 1 / (1 - np.exp(-2 * x[0])) / (1 - np.exp(-2 * x[2]))
    z_even = 0.5 * (np.prod(1 / (1 - np.exp(-x))) + np.prod(1 / (1 + np.exp(-x))))
    assert info["interacting_fraction"] == pytest.approx(z_bright / z_even, rel=1e-6)


def test_f1_species_against_direct_two_state_problem():
    sp = get_species("rb87", f=1)
    s = setup_for((80e3, 80e3 * math.sqrt(1.3), 20e3), 0.03e-6, species=sp, field_gauss=0.3)
    t = np.linspace(0, 0.05, 6)
    res = evolve("secular", s, t)
    assert set(res.populations()) == {"00", "chi1"}
    sector = symmetric_sector(1, 0)
    assert sector.size == 2
    g = contact_coupling_hz_m2(sp) * psi0_density(s.trap)
    H = sector.restrict(g * interaction_operator_m(sp) + s.zeeman_hz)
    for ti, rho in zip(t, res.states, strict=True):
        psi = sector.vectors @ (scipy.linalg.expm(-2j * np.pi * H * ti) @ np.array([1.0, 0]))
        assert np.max(np.abs(rho - np.outer(psi, psi.conj()))) < 1e-12
    hot = evolve("secular", setup_for((80e3, 90e3, 20e3), 5e-6, species=sp), t)
    assert np.allclose(np.trace(hot.states, axis1=1, axis2=2), 1.0)


def test_interacting_fraction_tends_to_quarter_for_nondegenerate_trap():
    def closed_form(temperature_k):  # Z(all n_j even) / Z(even parity)
        x = constants.h * np.array(NONDEG) / (constants.k * temperature_k)
        z_all_even = np.prod(1 / (1 - np.exp(-2 * x)))
        z_even = 0.5 * (np.prod(1 / (1 - np.exp(-x))) + np.prod(1 / (1 + np.exp(-x))))
        return z_all_even / z_even

    fractions = []
    for temperature_k in (2e-6, 20e-6):
        info = secular_summary(setup_for(NONDEG, temperature_k))
        assert info["bright_manifolds"] == info["all_even_states"]  # no degeneracies
        assert info["interacting_fraction"] == pytest.approx(closed_form(temperature_k), rel=1e-5)
        fractions.append(info["interacting_fraction"])
    assert fractions[0] > fractions[1] > 0.25
    assert fractions[1] < 0.3  # k_B T ≈ 10 ħω: corrections O(ħω/k_BT) left
    assert closed_form(1.0) == pytest.approx(0.25, abs=1e-4)  # the hot limit
    # the paper's cylindrical tweezer has far fewer bright states
    paper = secular_summary(setup_for(PAPER_FREQS, 40e-6))
    assert paper["interacting_fraction"] < 0.1 < paper["all_even_fraction"]


def test_bad_input_is_a_clear_error():
    s = setup_for(PAPER_FREQS, 40e-6)
    with pytest.raises(InputError, match="max_states"):
        secular_nodes(s, max_states=1000)
    with pytest.raises(InputError, match="max_states"):
        secular_nodes(setup_for(PAPER_FREQS, 1e-3))  # 1 mK: far beyond the default cap
    with pytest.raises(InputError, match="weight_tolerance"):
        secular_nodes(s, weight_tolerance=0.0)
    with pytest.raises(InputError, match="max_states"):
        evolve("secular", s, [0.0, 0.1], max_states=10)
