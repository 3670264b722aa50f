"""Measurement sequence: CPTP channels, ideal limit, closed forms for single imperfections."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sequence.reference import counts, reference_counts, reference_states, spy_on_step

from spinpair.errors import InputError
from spinpair.imperfections import Imperfections
from spinpair.params import CollisionParams, Params, RamanParams
from spinpair.raman import ideal_counts
from spinpair.sequence import Levels, MeasurementSequence, entangled_vs_unentangled
from spinpair.sequence import channels as ch
from spinpair.spin import PairBasis, named_state

AREA = np.linspace(0, np.pi, 9)


def random_dm(dim, rng, rank=None):
    rank = rank or dim
    A = rng.normal(size=(dim, rank)) + 1j * rng.normal(size=(dim, rank))
    r = A @ A.conj().T
    return r / np.trace(r)


def channel_list(lv, area=0.9):
    a = np.array([area])
    d = lv.d
    spin_map = lambda b: b  # noqa: E731  identity map on the spin block
    return {
        "prepare": lambda r: ch.prepare(r, lv, 0.8, ()),
        "replace_00": lambda r: ch.replace_00(
            r, lv, named_state("chi1", lv.f) * 0.5 + named_state("00", lv.f) * 0.5
        ),
        "spin_map": lambda r: ch.apply_spin_map(r, lv, spin_map),
        "dephase": lambda r: ch.dephase_exchange(r, lv, 0.3),
        "raman": lambda r: ch.apply_local_kraus(r, ch.raman_kraus(lv, a, 0.2, 0.3), lv),
        "transfer": lambda r: ch.apply_local_kraus(r, ch.transfer_kraus(lv, 0.7), lv),
        "inelastic": lambda r: ch.inelastic_pair_loss(r, lv, 0.4),
        "push": lambda r: ch.apply_local_kraus(r, ch.push_kraus(lv, 0.8), lv),
        "loss": lambda r: ch.apply_local_kraus(r, ch.loss_kraus(lv, 0.1), lv),
        "_d": d,
    }


def choi(channel, dim):
    """Choi matrix Σ_ij |i><j| ⊗ Φ(|i><j|) from the channel's action on all basis operators."""
    E = np.zeros((dim * dim, dim, dim), dtype=complex)
    for i in range(dim):
        for j in range(dim):
            E[i * dim + j, i, j] = 1.0
    out = channel(E)
    C = np.zeros((dim * dim, dim * dim), dtype=complex)
    for i in range(dim):
        for j in range(dim):
            C[i * dim : (i + 1) * dim, j * dim : (j + 1) * dim] = out[i * dim + j]
    return C, out


@pytest.mark.parametrize(
    "name",
    [
        "prepare",
        "replace_00",
        "spin_map",
        "dephase",
        "raman",
        "transfer",
        "inelastic",
        "push",
        "loss",
    ],
)
def test_every_channel_is_cptp(name):
    lv = Levels(1)  # D = 5, pair space 25: the Choi matrix is 625 x 625
    chans = channel_list(lv)
    dim = lv.D**2
    C, out = choi(chans[name], dim)
    # trace preserving: Tr Φ(|i><j|) = δ_ij
    tr = np.trace(out, axis1=1, axis2=2).reshape(dim, dim)
    assert np.allclose(tr, np.eye(dim), atol=1e-12)
    # completely positive: Choi matrix Hermitian and positive semidefinite
    assert np.allclose(C, C.conj().T, atol=1e-12)
    assert np.linalg.eigvalsh(C).min() > -1e-10


@given(seed=st.integers(0, 2**31 - 1), area=st.floats(0, 2 * np.pi))
@settings(max_examples=15, deadline=None)
def test_channels_keep_trace_and_positivity_f2(seed, area):
    lv = Levels(2)
    rng = np.random.default_rng(seed)
    rho = random_dm(lv.D**2, rng, rank=3)[None]
    for name, chan in channel_list(lv, area).items():
        if name == "_d":
            continue
        out = chan(rho)
        assert np.trace(out[0]).real == pytest.approx(1.0, abs=1e-10), name
        assert np.allclose(out[0], out[0].conj().T, atol=1e-12), name
        assert np.linalg.eigvalsh(out[0]).min() > -1e-10, name


@pytest.mark.parametrize(
    ("state", "f"),
    [(s, f) for f in (1, 2) for s in ("chi1", "mixed", "00", "1,1", "1,-1", "phi_plus")]
    + [("chi2", 2), ("2,-1", 2)],
)
def test_ideal_sequence_equals_ideal_readout(state, f):
    seq = MeasurementSequence.from_params(Params(species="rb87", f=f), state=state, ideal=True)
    got = seq.run(area=AREA)
    ref = ideal_counts(named_state(state, f), AREA)
    for k in ("P0", "P1", "P2"):
        assert np.allclose(getattr(got, k), getattr(ref, k), atol=1e-12)


def _run(state="chi1", area=AREA, **imp):
    params = Params(imperfections=Imperfections(**{"prep_efficiency": 1.0, **imp}))
    return MeasurementSequence.from_params(params, state=state).run(area=area)


@pytest.mark.parametrize("field", ["push_efficiency", "transfer_efficiency"])
def test_closed_form_incomplete_removal(field):
    eta = 0.8
    u = 1 - eta
    got = _run(**{field: eta})
    P = ideal_counts(named_state("chi1"), AREA)
    assert np.allclose(got.P2, P.P2 + P.P1 * u + P.P0 * u**2)
    assert np.allclose(got.P1, P.P1 * (1 - u) + 2 * P.P0 * u * (1 - u))
    assert np.allclose(got.P0, P.P0 * (1 - u) ** 2)


def test_closed_form_background_loss():
    p = 0.07
    got = _run(p_loss=p)
    P = ideal_counts(named_state("chi1"), AREA)
    assert np.allclose(got.P2, P.P2 * (1 - p) ** 2)
    assert np.allclose(got.P1, P.P1 * (1 - p) + 2 * P.P2 * p * (1 - p))
    assert np.allclose(got.P0, P.P0 + P.P1 * p + P.P2 * p**2)


def test_closed_form_inelastic_pair_loss():
    p = 0.3
    got = _run(p_inelastic_pair=p)
    P = ideal_counts(named_state("chi1"), AREA)
    assert np.allclose(got.P1, P.P1 * (1 - p))
    assert np.allclose(got.P0, P.P0 + P.P1 * p)
    assert np.allclose(got.P2, P.P2)


def test_closed_form_detection_matrix():
    M = ((0.98, 0.02, 0.0), (0.05, 0.95, 0.0), (0.0025, 0.095, 0.9025))
    got = _run(detection=M)
    P = ideal_counts(named_state("chi1"), AREA)
    ref = np.stack([P.P0, P.P1, P.P2], axis=1) @ np.array(M)
    assert np.allclose(np.stack([got.P0, got.P1, got.P2], axis=1), ref)


def test_closed_form_spontaneous_emission_on_spectators():
    # |0,0> does not see the pulse; emission sends each atom to |1> with prob p/(2f+1)
    ps = 0.05
    got = _run(state="00", p_spont_per_pi=ps)
    q = ps * AREA / np.pi / 5
    assert np.allclose(got.P2, (1 - q) ** 2)
    assert np.allclose(got.P1, 2 * q * (1 - q))
    assert np.allclose(got.P0, q**2)


def test_closed_form_preparation_error():
    eta = 0.93
    got = MeasurementSequence.from_params(
        Params(imperfections=Imperfections(prep_efficiency=eta)), state="chi1"
    ).run(area=AREA)
    w = {m: (eta if m == 0 else (1 - eta) / 4) for m in range(-2, 3)}
    ref = np.zeros((3, AREA.size))
    for m1 in range(-2, 3):
        for m2 in range(-2, 3):
            st_ = "chi1" if (m1, m2) == (0, 0) else f"{m1},{m2}"
            P = ideal_counts(named_state(st_), AREA)
            ref += w[m1] * w[m2] * np.stack([P.P0, P.P1, P.P2])
    assert np.allclose(np.stack([got.P0, got.P1, got.P2]), ref)


def test_destroy_turns_chi1_into_mixed():
    params = Params(imperfections=Imperfections(prep_efficiency=1.0, destroy_coherence=0.0))
    got = MeasurementSequence.from_params(params, state="chi1", destroy=True).run(area=AREA)
    ref = ideal_counts(named_state("mixed"), AREA)
    assert np.allclose(got.P1, ref.P1)
    # with heating loss: binomial thinning of the mixed-state counts
    p = 0.1
    params = Params(imperfections=Imperfections(prep_efficiency=1.0, destroy_loss=p))
    got = MeasurementSequence.from_params(params, state="chi1", destroy=True).run(area=AREA)
    assert np.allclose(got.P2, ref.P2 * (1 - p) ** 2)


def test_probabilities_sum_to_one_with_everything_on():
    imp = Imperfections(
        prep_efficiency=0.9,
        transfer_efficiency=0.95,
        push_efficiency=0.97,
        p_inelastic_pair=0.2,
        p_loss=0.03,
        p_spont_per_pi=0.02,
        detection=((0.99, 0.01, 0), (0.02, 0.98, 0), (0, 0.03, 0.97)),
    )
    params = Params(
        collisions=CollisionParams(model="given", chi1_coherence=0.5),
        imperfections=imp,
        raman=RamanParams(detuning_hz=20e3),
    )
    p = MeasurementSequence.from_params(params).run(tau_s=np.linspace(0, 5e-6, 11))
    total = p.P0 + p.P1 + p.P2
    assert np.allclose(total, 1.0)
    assert np.all((p.P0 >= 0) & (p.P1 >= 0) & (p.P2 >= 0))


def test_entangled_and_unentangled_curves():
    params = Params(collisions=CollisionParams(model="given"))
    area = np.linspace(0, np.pi, 41)
    c = entangled_vs_unentangled(params, area=area)
    diff = np.abs(c.entangled.P1 - c.unentangled.P1)
    assert diff[0] == pytest.approx(0.0, abs=1e-12)
    assert area[diff.argmax()] == pytest.approx(np.pi / 2)
    # the model is linear in c: c = 0.5 lies halfway
    half = MeasurementSequence.from_params(params, chi1_coherence=0.5).run(area=area)
    assert np.allclose(half.P1, 0.5 * (c.entangled.P1 + c.unentangled.P1))


@pytest.mark.slow
def test_full_sequence_against_qutip():
    """Independent implementation with QuTiP superoperators (kraus_to_super) and expm."""
    qutip = pytest.importorskip("qutip")
    f, D = 2, 7
    lv = Levels(f)
    eta_prep, eta_t, eta_p, p_in, p_l = 0.9, 0.95, 0.9, 0.25, 0.05
    pops = {"00": 0.4, "chi1": 0.37, "chi2": 0.23}
    imp = Imperfections(
        prep_efficiency=eta_prep,
        transfer_efficiency=eta_t,
        push_efficiency=eta_p,
        p_inelastic_pair=p_in,
        p_loss=p_l,
    )
    params = Params(
        collisions=CollisionParams(model="given", populations=pops, chi1_coherence=1.0),
        imperfections=imp,
    )
    theta = 1.1
    ours = MeasurementSequence.from_params(params).run(area=[theta])

    def ket(i):
        return qutip.basis(D, i)

    i = {m: lv.index(m) for m in range(-2, 3)}
    UP, LOST = lv.UP, lv.LOST
    single = sum(
        ((eta_prep if m == 0 else (1 - eta_prep) / 4) * ket(i[m]).proj()) for m in range(-2, 3)
    )
    rho = qutip.tensor(single, single)

    # collide: |0,0> -> given state
    def pk(a, b):
        return qutip.tensor(ket(i[a]), ket(i[b]))

    chi1 = (pk(1, -1) + pk(-1, 1)).unit()
    chi2 = (pk(2, -2) + pk(-2, 2)).unit()
    target = 0.4 * pk(0, 0).proj() + 0.37 * chi1.proj() + 0.23 * chi2.proj()
    w00 = qutip.expect(pk(0, 0).proj(), rho)
    Q = qutip.qeye([D, D]) - pk(0, 0).proj()
    rho = Q * rho * Q + w00 * target
    # Raman: H = -(1/2)(|1><-1| + h.c.) per atom for time theta
    sx = ket(i[1]) * ket(i[-1]).dag() + ket(i[-1]) * ket(i[1]).dag()
    U1 = (1j * theta / 2 * sx).expm()
    U = qutip.tensor(U1, U1)
    rho = U * rho * U.dag()

    def local(kraus):
        s1 = qutip.kraus_to_super([qutip.tensor(k, qutip.qeye(D)) for k in kraus])
        s2 = qutip.kraus_to_super([qutip.tensor(qutip.qeye(D), k) for k in kraus])
        return s2 * s1

    def apply(sup, r):
        return qutip.vector_to_operator(sup * qutip.operator_to_vector(r))

    P1 = ket(i[1]).proj()
    tr = [qutip.qeye(D) - (1 - np.sqrt(1 - eta_t)) * P1, np.sqrt(eta_t) * ket(UP) * ket(i[1]).dag()]
    rho = apply(local(tr), rho)
    # inelastic pair loss
    man = sum(ket(i[m]).proj() for m in range(-2, 3))
    Qin = qutip.tensor(ket(UP).proj(), man) + qutip.tensor(man, ket(UP).proj())
    ops = [qutip.qeye([D, D]) - (1 - np.sqrt(1 - p_in)) * Qin]
    for a in [UP] + [i[m] for m in range(-2, 3)]:
        for b in [UP] + [i[m] for m in range(-2, 3)]:
            if (a == UP) != (b == UP):
                ops.append(
                    np.sqrt(p_in)
                    * qutip.tensor(ket(LOST), ket(LOST))
                    * qutip.tensor(ket(a), ket(b)).dag()
                )
    rho = apply(qutip.kraus_to_super(ops), rho)
    push = [
        qutip.qeye(D) - ket(UP).proj(),
        np.sqrt(eta_p) * ket(LOST) * ket(UP).dag(),
        np.sqrt(1 - eta_p) * ket(i[1]) * ket(UP).dag(),
    ]
    rho = apply(local(push), rho)
    loss = [np.sqrt(1 - p_l) * (qutip.qeye(D) - ket(LOST).proj()) + ket(LOST).proj()]
    loss += [np.sqrt(p_l) * ket(LOST) * ket(a).dag() for a in range(D) if a != LOST]
    rho = apply(local(loss), rho)
    present = qutip.qeye(D) - ket(LOST).proj()
    absent = ket(LOST).proj()
    p2 = qutip.expect(qutip.tensor(present, present), rho)
    p0 = qutip.expect(qutip.tensor(absent, absent), rho)
    p1 = 1 - p0 - p2
    assert ours.P0[0] == pytest.approx(p0, abs=1e-10)
    assert ours.P1[0] == pytest.approx(p1, abs=1e-10)
    assert ours.P2[0] == pytest.approx(p2, abs=1e-10)


def test_levels_count_and_embedding():
    lv = Levels(2)
    assert lv.labels == ("2", "1", "0", "-1", "-2", "up", "lost")
    rho = lv.embed_spin_state(named_state("chi1"))
    assert np.allclose(lv.spin_block(rho), named_state("chi1"))
    assert np.allclose(lv.atom_number_distribution(rho), [0, 0, 1])
    assert PairBasis(2).dim == 25


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: _run(area=[float("nan")]), "area"),
        (
            lambda: MeasurementSequence.from_params(Params(), state="chi1").run(tau_s=[-1.0]),
            "tau_s",
        ),
        (lambda: _run(p_spont_per_pi=0.6, area=[2 * np.pi]), "p_spont_per_pi"),
        (
            lambda: MeasurementSequence.from_params(
                Params(
                    collisions=CollisionParams(model="given", populations={"00": 0.5, "chi7": 0.5})
                )
            ),
            "collisions.populations.chi7",
        ),
        (lambda: ch.prep_distribution(Levels(2), 0.9, (1.0, 2.0)), "prep_error_weights"),
    ],
)
def test_bad_input(call, field):
    with pytest.raises(InputError) as e:
        call()
    assert e.value.field == field


# ----------------------------------------------------------------------------- fast path

EVERYTHING_ON = Imperfections(
    prep_efficiency=0.9,
    prep_error_weights=(1.0, 2.0, 3.0, 4.0),
    transfer_efficiency=0.95,
    push_efficiency=0.97,
    p_inelastic_pair=0.2,
    p_loss=0.03,
    p_spont_per_pi=0.02,
    destroy_coherence=0.3,
    destroy_loss=0.05,
    detection=((0.99, 0.01, 0), (0.02, 0.98, 0), (0, 0.03, 0.97)),
)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"state": "chi1"},
        {"state": "mixed", "ideal": True},
        {"chi1_coherence": 0.4, "destroy": True},
        {"destroy": True},
        {"state": "phi_plus"},
    ],
)
@pytest.mark.parametrize("f", [1, 2])
def test_fast_count_path_equals_density_matrix_path(kwargs, f):
    """MeasurementSequence.run (populations only, fixed steps in the Heisenberg picture) equals the
    straightforward propagation of the full density matrix through every step."""
    if f == 2:
        params = Params(
            collisions=CollisionParams(model="given", chi1_coherence=0.7),
            imperfections=EVERYTHING_ON,
            raman=RamanParams(detuning_hz=20e3),
        )
    else:
        params = Params(
            f=1,
            species="rb87",
            collisions=CollisionParams(model="given", populations={"00": 0.5, "chi1": 0.5}),
            imperfections=Imperfections(**{**EVERYTHING_ON.__dict__, "prep_error_weights": ()}),
            raman=RamanParams(detuning_hz=20e3),
        )
    if kwargs.get("state") == "phi_plus" and f == 1:
        kwargs = {"state": "chi1"}
    seq = MeasurementSequence.from_params(params, **kwargs)
    area = np.linspace(0.0, 3 * np.pi, 200)
    spied, spy = spy_on_step(seq)
    fast = spied.run(area=area)
    assert spy.took_fast_path(), spy.calls
    ref = reference_counts(seq, area)
    assert np.max(np.abs(counts(fast) - ref)) <= 1e-12
    # the public final states are the same density-matrix path
    assert np.max(np.abs(seq.final_states(area=area) - reference_states(seq, area))) <= 1e-14


def test_fast_path_falls_back_for_steps_it_cannot_see_through():
    """A post-pulse step whose Kraus operators turn coherences into populations (a
    Hadamard-like mixing of |1⟩ and |-1⟩) forces the density-matrix path; results agree."""
    from spinpair.sequence import LocalChannel

    lv = Levels(2)
    seq = MeasurementSequence.from_params(Params(), state="chi1")
    H = np.eye(lv.D, dtype=complex)
    i, j = lv.index(1), lv.index(-1)
    H[np.ix_([i, j], [i, j])] = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    steps = (*seq.steps, LocalChannel(lv, H[None], "mix"))
    from dataclasses import replace

    seq2 = replace(seq, steps=steps)
    area = np.linspace(0.0, np.pi, 9)
    spied, spy = spy_on_step(seq2)
    p = spied.run(area=area)
    assert spy.calls == [("apply", area.size)]  # the density-matrix path, whole scan at once
    assert np.allclose(counts(p), reference_counts(seq2, area), atol=1e-15)


def test_fast_path_long_scan_in_blocks():
    from spinpair.sequence import core

    seq = MeasurementSequence.from_params(Params(imperfections=EVERYTHING_ON), state="chi1")
    area = np.linspace(0.0, 2 * np.pi, 301)
    whole = seq.run(area=area)
    spied, spy = spy_on_step(seq)
    old = core.SETTING_CHUNK
    try:
        core.SETTING_CHUNK = 64
        blocks = spied.run(area=area)
    finally:
        core.SETTING_CHUNK = old
    assert spy.calls == [("population_rows", 64)] * 4 + [("population_rows", 45)]
    assert np.max(np.abs(whole.P1 - blocks.P1)) < 1e-15


def test_raman_population_rows_equal_kraus_sum():
    lv = Levels(2)
    area = np.array([0.3, 1.7, 3.0])
    K = ch.raman_kraus(lv, area, 0.2, 0.05)
    S = ch.raman_population_rows(lv, area, 0.2, 0.05)
    ref = np.einsum("qnai,qnak->naik", K, K.conj())
    assert np.max(np.abs(S - ref)) < 1e-15
