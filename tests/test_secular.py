"""The secular thermal ensemble: contact densities, degenerate manifolds, limits, and a
brute-force solve of the motion ⊗ spin problem inside degenerate shells."""

import math

import numpy as np
import pytest
import scipy.linalg
from scipy import constants, special

from spinpair.dynamics import CollisionSetup, evolve
from spinpair.dynamics.ground_state import ground_state_contact_density_m3
from spinpair.dynamics.hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from spinpair.dynamics.secular import contact_factor, secular_nodes
from spinpair.errors import InputError
from spinpair.params import Params, TrapParams
from spinpair.spin import symmetric_sector


def setup_for(freqs, temperature_k, **kw):
    return CollisionSetup.from_params(
        Params(trap=TrapParams(frequencies_hz=freqs, temperature_k=temperature_k), **kw)
    )


def test_contact_factor_equals_hermite_wavefunction_at_origin():
    for n in range(0, 24):
        # |φ_n(0)|² √π ℓ = H_n(0)² / (2^n n!)
        direct = special.eval_hermite(n, 0.0) ** 2 / (2.0**n * math.factorial(n))
        assert contact_factor(np.array([n]))[0] == pytest.approx(direct, rel=1e-12, abs=1e-300)


def test_weights_normalised_and_omitted_weight_small():
    nodes = secular_nodes(CollisionSetup.from_params(Params()))
    assert nodes.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(nodes.weights >= 0)
    assert nodes.info["omitted_weight"] < 1e-6
    assert nodes.info["motional_states"] > 10**6


def test_single_motional_state_equals_ground_state_model():
    s = setup_for((102e3, 102e3, 24.5e3), 0.05e-6)  # k_B T ≪ ħω: only n = 0 is populated
    t = np.linspace(0, 0.02, 7)
    sec = evolve("secular", s, t).states
    gs = evolve("ground-state", s, t).states
    assert np.max(np.abs(sec - gs)) < 1e-6
    # and the ground-state model is a direct exponential of the 3×3 problem
    sector = symmetric_sector(2, 0)
    g = contact_coupling_hz_m2(s.species) * ground_state_contact_density_m3(s.trap)
    H = sector.restrict(g * interaction_operator_m(s.species) + s.zeeman_hz)
    psi = scipy.linalg.expm(-2j * np.pi * H * t[-1]) @ np.array([1, 0, 0])
    assert abs(psi[1]) ** 2 == pytest.approx(
        evolve("secular", s, t).populations()["chi1"][-1], abs=1e-6
    )


def test_interacting_fraction_tends_to_quarter_for_nondegenerate_trap():
    freqs = (40e3, 40e3 * math.sqrt(2), 40e3 * math.sqrt(3) * 0.61)

    def closed_form(temperature_k):  # Z(all n_j even) / Z(even parity)
        x = constants.h * np.array(freqs) / (constants.k * temperature_k)
        z_all_even = np.prod(1 / (1 - np.exp(-2 * x)))
        z_even = 0.5 * (np.prod(1 / (1 - np.exp(-x))) + np.prod(1 / (1 + np.exp(-x))))
        return z_all_even / z_even

    info = secular_nodes(setup_for(freqs, 20e-6)).info  # k_B T ≈ 10 ħω
    assert info["bright_fraction"] == pytest.approx(closed_form(20e-6), rel=1e-6)
    assert closed_form(1.0) == pytest.approx(0.25, abs=1e-4)  # the hot limit
    assert info["bright_fraction"] == pytest.approx(info["all_even_fraction"], rel=1e-9)
    # the paper's degenerate tweezer (ω_x = ω_y) has far fewer bright states
    paper = secular_nodes(CollisionSetup.from_params(Params())).info
    assert paper["bright_fraction"] < 0.1 < paper["all_even_fraction"]


def test_degenerate_shells_against_brute_force_motion_times_spin():
    """Isotropic trap: every shell N (even) is degenerate; solve motion ⊗ spin exactly."""
    nu = 30e3
    s = setup_for((nu, nu, nu), 1.2e-6, scattering_lengths_bohr={"a0": -380.0, "a2": -520.0})
    t = np.array([0.0, 2e-4, 1e-3, 3e-3])
    model = evolve("secular", s, t).populations()
    x = constants.h * nu / s.trap.kt_j
    mu = s.trap.reduced_mass_kg
    psi0_1d = math.sqrt(mu * 2 * math.pi * nu / (math.pi * constants.hbar))
    g = contact_coupling_hz_m2(s.species)
    sector = symmetric_sector(2, 0)
    V = sector.restrict(interaction_operator_m(s.species))
    Hz = sector.restrict(s.zeeman_hz)
    z_even, pops = 0.0, np.zeros((t.size, 3))
    assert x > 1.1  # shells up to N = 22 carry all but e^{-24} of the weight
    for N in range(0, 24, 2):
        states = [(a, b, N - a - b) for a in range(N + 1) for b in range(N + 1 - a)]
        amp = np.array(
            [
                np.prod(
                    [math.sqrt(contact_factor(np.array([n]))[0]) * math.sqrt(psi0_1d) for n in st]
                )
                for st in states
            ]
        )
        G = np.outer(amp, amp)  # rank-one contact interaction in the shell (m⁻³)
        H = g * np.kron(G, V) + np.kron(np.eye(len(states)), Hz)
        w = math.exp(-N * x)
        z_even += w * len(states)
        E, W = np.linalg.eigh(H)
        for i, ti in enumerate(t):
            U = (W * np.exp(-2j * np.pi * E * ti)) @ W.conj().T
            # motion maximally mixed in the shell, spin in |0,0>: columns 3m of U
            u = U[:, 0::3].reshape(len(states), 3, len(states))
            rho = np.einsum("asm,bsm->ab", u.transpose(1, 0, 2), u.conj().transpose(1, 0, 2))
            pops[i] += w * np.real(np.diag(rho))
    pops /= z_even
    assert np.allclose(model["chi1"], pops[:, 1], atol=2e-5)
    assert np.allclose(model["chi2"], pops[:, 2], atol=2e-5)
    assert pops[-1, 1] > 1e-3  # the check has teeth


def test_too_many_states_is_a_clear_error():
    with pytest.raises(InputError, match="max_states"):
        secular_nodes(CollisionSetup.from_params(Params()), max_states=1000)
