"""The sequence's population step as a batched matrix product (issue 26) equals the einsum
it replaced, and the density-matrix reference."""

from __future__ import annotations

import numpy as np
from tests.sequence.reference import counts, reference_counts, spy_on_step

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
