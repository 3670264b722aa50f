"""The log-derivative propagator's fast forms (issue 26) equal the step-by-step form:
the block-scaled sweep bit for bit, the energy-batched form with the potential evaluated
once bit for bit below EIGH_MIN_ENERGIES and to rounding above it (midpoint corrections
from one eigendecomposition per radius)."""

from __future__ import annotations

import numpy as np
import pytest

from spinpair.scattering import propagator as prop
from spinpair.scattering.solver import HARTREE_PER_HZ, HARTREE_PER_K, CoupledProblem
from spinpair.species import get_species


def _step_by_step(edges, q_of_r, n, n_energies, block=256):
    """The propagator as it was written before issue 26: every Simpson term and free
    half-panel propagator applied step by step (the reference of the fast forms)."""
    eye = np.eye(n)
    Y = np.broadcast_to(prop.Y_START * eye, (n_energies, n, n)).copy()
    a_all, b_all = edges[:-1], edges[1:]
    for start in range(0, a_all.size, block):
        a, b = a_all[start : start + block], b_all[start : start + block]
        h = 0.5 * (b - a)
        c = a + h
        Qa, Qc, Qb = q_of_r(a), q_of_r(c), q_of_r(b)
        h2 = (h * h)[:, None, None, None]
        Uc = np.linalg.solve(eye + h2 * Qc / 6.0, Qc)
        for k in range(a.size):
            hk = h[k]
            Y -= (hk / 3.0) * Qa[k]
            Y = eye / hk - np.linalg.inv(Y + eye / hk) / (hk * hk)
            Y -= (4.0 * hk / 3.0) * Uc[k]
            Y = eye / hk - np.linalg.inv(Y + eye / hk) / (hk * hk)
            Y -= (hk / 3.0) * Qb[k]
    return 0.5 * (Y + np.swapaxes(Y, -1, -2))


def _problem(L=0):
    sp = get_species("rb85")
    pb = CoupledProblem(sp, 0.5, 0, L=L)
    ch = pb.channels
    i0 = 0 if L % 2 else ch.index((2, 0, 2, 0))
    thr = (ch.thresholds_hz - ch.thresholds_hz[i0]) * HARTREE_PER_HZ
    return pb, thr


@pytest.mark.parametrize("L", [0, 1])
def test_block_sweep_equals_the_step_by_step_form_bit_for_bit(L):
    pb, thr = _problem(L)
    E = np.array([3e-6, 40e-6]) * HARTREE_PER_K
    edges = np.linspace(pb.r_start(), 14.0, 700)  # through the wells, several blocks
    q = pb.q_function(E, thr)
    want = _step_by_step(edges, q, pb.channels.size, E.size, block=256)
    got = prop.log_derivative(edges, q, pb.channels.size, E.size)
    assert np.array_equal(got, want)
    # the energy-batched form with the potential once: the same numbers below the
    # eigendecomposition threshold
    cen = pb.centrifugal if L else None
    shifted = prop.log_derivative_shifted(edges, pb.w_function(thr), 2 * pb.mu, E, cen)
    assert E.size < prop.EIGH_MIN_ENERGIES and np.array_equal(shifted, want)


@pytest.mark.parametrize("L", [0, 2])
def test_eigendecomposition_midpoint_form_equals_the_direct_one(L):
    """From EIGH_MIN_ENERGIES energies on, U = Q(1 + h²Q/6)⁻¹ per energy comes from one
    eigendecomposition per radius: Y equals the step-by-step form to 1e-10 relative, and
    each energy equals its own single-energy propagation."""
    pb, thr = _problem(L)
    E = np.geomspace(0.1e-6, 200e-6, prop.EIGH_MIN_ENERGIES + 1) * HARTREE_PER_K
    edges = pb.short_range_edges(float(E.max()), thr)[:1500]
    cen = pb.centrifugal if L else None
    got = prop.log_derivative_shifted(edges, pb.w_function(thr), 2 * pb.mu, E, cen)
    want = _step_by_step(edges, pb.q_function(E, thr), pb.channels.size, E.size)
    scale = np.max(np.abs(want), axis=(1, 2))
    assert np.all(np.max(np.abs(got - want), axis=(1, 2)) <= 1e-10 * scale)
    one = prop.log_derivative_shifted(edges, pb.w_function(thr), 2 * pb.mu, E[3:4], cen)
    assert np.max(np.abs(one[0] - got[3])) <= 1e-10 * scale[3]
