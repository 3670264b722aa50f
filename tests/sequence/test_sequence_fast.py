"""The sequence's population step (issue 26) — a real bilinear form in Hermitian
coordinates, batched BLAS products in reused buffers, the fixed steps computed once per
sequence — equals the complex einsum it replaced and the density-matrix reference."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.sequence.reference import counts, reference_counts, spy_on_step

from spinpair.errors import InputError
from spinpair.imperfections import Imperfections
from spinpair.params import Params
from spinpair.sequence import MeasurementSequence
from spinpair.sequence import channels as ch


def _old_einsum_path(seq, setting):
    """The previous fast path (population step by einsum; true atom numbers), kept for
    comparison."""
    steps = list(seq.steps)
    k = next(i for i, st in enumerate(steps) if hasattr(st, "population_rows"))
    D = seq.levels.D
    M = np.eye(D * D)
    for st in steps[k + 1 :]:
        M = st.population_map() @ M
    counts = M.T @ ch.atom_number_indicator(seq.levels)
    rho = np.zeros((1, D * D, D * D), dtype=complex)
    rho[0, 0, 0] = 1.0
    for st in steps[:k]:
        rho = st.apply(rho, setting[:1])
    R = rho[0].reshape(D, D, D, D).transpose(0, 2, 1, 3).reshape(D * D, D * D)
    S1, S2 = steps[k].population_rows(setting)
    n = S1.shape[0]
    X = S1.reshape(n * D, D * D) @ R
    pop = np.einsum("nbx,nax->nab", S2.reshape(n, D, D * D), X.reshape(n, D, D * D))
    return np.real(pop.reshape(n, D * D)) @ counts


def test_batched_matmul_population_step_equals_einsum_and_reference():
    imp = Imperfections(
        prep_efficiency=0.93,
        transfer_efficiency=0.95,
        push_efficiency=0.97,
        p_inelastic_pair=0.2,
        p_loss=0.03,
        p_spont_per_pi=0.02,
        detection=((0.99, 0.01, 0.0), (0.02, 0.98, 0.0), (0.0, 0.03, 0.97)),
    )
    seq = MeasurementSequence.from_params(Params(imperfections=imp), state="chi1")
    area = np.linspace(0.0, 3 * np.pi, 301)
    spied, spy = spy_on_step(seq)
    new = counts(spied.run(area=area))
    assert spy.took_fast_path(), spy.calls
    old = ch.detect(_old_einsum_path(seq, area), seq.detection)
    assert np.allclose(new, old, rtol=0, atol=1e-14)
    ref = reference_counts(seq, area)
    assert np.allclose(new, ref, rtol=0, atol=1e-12)
    assert np.allclose(new.sum(axis=1), 1.0, atol=1e-12)  # a distribution over 0, 1, 2 atoms


def _random_channel_rows(rng, n, D, kraus=3):
    """Population rows S[n, a, i, k] = Σ_κ K[a, i] K[a, k]* of random channels."""
    K = rng.normal(size=(kraus, n, D, D)) + 1j * rng.normal(size=(kraus, n, D, D))
    return np.einsum("qnai,qnak->naik", K, K.conj())


def test_real_bilinear_form_equals_the_complex_contraction():
    """pop[a, b] = h¹[a]·Q·h²[b] (real coordinates of Hermitian rows and the real form of
    a Hermitian ρ) equals Σ S¹[a, i, k] S²[b, j, l] ρ[(i, j), (k, l)] for random channels
    and a random (non-product, complex) density matrix, to 1e-12 relative."""
    rng = np.random.default_rng(3)
    D, n = 5, 7
    A = rng.normal(size=(D * D, D * D)) + 1j * rng.normal(size=(D * D, D * D))
    rho = A @ A.conj().T
    rho /= np.trace(rho).real
    S1 = _random_channel_rows(rng, n, D)
    S2 = _random_channel_rows(rng, n, D)
    want = np.einsum("naik,nbjl,ijkl->nab", S1, S2, rho.reshape(D, D, D, D))
    h1, h2 = ch.hermitian_coordinates(S1), ch.hermitian_coordinates(S2)
    Q = ch.pair_population_form(rho, D)
    assert Q.dtype == np.float64 and h1.shape == (n, D, D * D)
    got = np.einsum("nax,xy,nby->nab", h1, Q, h2)
    scale = np.max(np.abs(want))
    assert np.max(np.abs(got - want.real)) <= 1e-12 * scale
    assert np.max(np.abs(want.imag)) <= 1e-12 * scale  # populations are real
    # the buffer variant writes the same numbers and rejects a wrong buffer
    buf = np.empty((n, D, D * D))
    assert ch.hermitian_coordinates(S1, out=buf) is buf and np.array_equal(buf, h1)
    with pytest.raises(InputError, match="out"):
        ch.hermitian_coordinates(S1, out=np.empty((n, D, D * D + 1)))


def _seq():
    imp = Imperfections(prep_efficiency=0.9, p_spont_per_pi=0.02, p_loss=0.03)
    return MeasurementSequence.from_params(Params(imperfections=imp), state="chi1")


def test_fixed_steps_are_computed_once_per_sequence():
    """The Heisenberg-picture detection and the state before the pulse are kept with the
    sequence: a second run reads them and gives the same numbers; a sequence with another
    step gets its own."""
    seq = _seq()
    area = np.linspace(0.0, 2 * np.pi, 50)
    first = counts(seq.run(area=area))
    plan = seq.__dict__["_population_plan"]  # kept with the sequence by the first run
    assert np.array_equal(counts(seq.run(area=area)), first)
    assert seq.__dict__["_population_plan"] is plan
    lossy = seq.with_step("loss", replace(seq.steps[-1], kraus=ch.loss_kraus(seq.levels, 0.5)))
    spied, spy = spy_on_step(lossy)
    other = counts(spied.run(area=area))
    assert spy.took_fast_path(), spy.calls
    assert spied.__dict__["_population_plan"] is not plan
    assert np.allclose(other, reference_counts(lossy, area), rtol=0, atol=1e-12)
    assert other[0, 2] < first[0, 2]  # more loss, fewer pairs counted


def test_reused_buffers_give_the_same_numbers_across_sizes_and_threads():
    """The per-thread buffers of the population step: scans of different lengths (one
    block, several blocks) interleaved and on two threads at once give the numbers of the
    density-matrix path."""
    from concurrent.futures import ThreadPoolExecutor

    from spinpair.sequence import core

    seq = _seq()
    scans = [np.linspace(0.0, x, n) for x, n in ((np.pi, 3), (3 * np.pi, 700), (2.0, 40))]
    want = [reference_counts(seq, a) for a in scans]
    for a, w in zip(scans * 2, want * 2, strict=True):
        assert np.allclose(counts(seq.run(area=a)), w, rtol=0, atol=1e-12)
    assert core.CACHE_CHUNK < 700  # the long scan took several blocks
    with ThreadPoolExecutor(2) as ex:
        got = list(ex.map(lambda a: counts(seq.run(area=a)), scans * 4))
    for g, w in zip(got, want * 4, strict=True):
        assert np.allclose(g, w, rtol=0, atol=1e-12)
