"""Computed inelastic pair loss in the readout (issue 27): the channel, its reduction to the
fixed-probability model, exchange symmetry, and the Fig. 2b/3 comparison."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from tests.sequence.reference import reference_counts

from spinpair.errors import InputError
from spinpair.imperfections import Imperfections
from spinpair.paper import pair_loss_comparison, paper_like_params
from spinpair.params import Params
from spinpair.sequence import Levels, LocalChannel, MeasurementSequence
from spinpair.sequence import channels as ch
from spinpair.sequence.pair_loss import ComputedPairLoss, with_pair_loss

TAU = np.linspace(0.0, 3.2e-6, 9)


def _choi(channel, dim):
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


def test_computed_pair_loss_is_cptp():
    lv = Levels(1)
    D2 = lv.D**2
    gs, ga = (30.0, 5.0, 80.0), (1.0, 0.0, 2.0)
    C, out = _choi(lambda r: ch.computed_pair_loss(r, lv, gs, ga, 0.02), D2)
    assert np.linalg.eigvalsh(0.5 * (C + C.conj().T)).min() > -1e-12
    traces = np.einsum("nii->n", out).reshape(D2, D2)
    np.testing.assert_allclose(traces, np.eye(D2), atol=1e-12)


@pytest.mark.parametrize("c", [1.0, 0.0])
def test_equal_rates_reduce_to_the_fixed_probability_model(c):
    """Γ_S = Γ_A = Γ for every m: the computed step is the fixed model with p = 1 − e^{−Γt},
    on the fast path and on the density-matrix path."""
    lv = Levels(2)
    G, t = 40.0, 0.012
    p = paper_like_params()
    fixed = replace(p, imperfections=replace(p.imperfections, p_inelastic_pair=-np.expm1(-G * t)))
    a = MeasurementSequence.from_params(fixed, chi1_coherence=c)
    coherent = LocalChannel(lv, ch.coherent_transfer_kraus(lv, 0.97), "transfer")
    b = a.with_step("inelastic", ComputedPairLoss(lv, (G,) * 5, (G,) * 5, t))
    b = b.with_step("transfer", coherent)
    ra, rb = a.run(tau_s=TAU), b.run(tau_s=TAU)
    for s in ("P0", "P1", "P2"):
        np.testing.assert_allclose(getattr(ra, s), getattr(rb, s), atol=1e-13)
    area = 2 * np.pi * p.raman.rabi_frequency_hz * TAU
    np.testing.assert_allclose(reference_counts(a, area), reference_counts(b, area), atol=1e-13)


def test_symmetric_and_antisymmetric_pairs_are_lost_at_their_own_rates():
    """chi1 stays exchange-symmetric through the pulse and transfer, chi_minus antisymmetric:
    with loss only in the symmetric channel, chi_minus loses no pair (P0 = 0) and chi1 does."""
    lv = Levels(2)
    base = Params()
    for state, sym_rate, anti_rate, lost in (
        ("chi1", 100.0, 0.0, True),
        ("chi_minus", 100.0, 0.0, False),
        ("chi1", 0.0, 100.0, False),
        ("chi_minus", 0.0, 100.0, True),
    ):
        seq = MeasurementSequence.from_params(base, state=state, ideal=True)
        seq = seq.with_step(
            "inelastic", ComputedPairLoss(lv, (sym_rate,) * 5, (anti_rate,) * 5, 0.01)
        )
        seq = seq.with_step(
            "transfer", LocalChannel(lv, ch.coherent_transfer_kraus(lv, 1.0), "transfer")
        )
        p0 = seq.run(area=[0.0]).P0[0]  # |1,-1>, |-1,1> components: one atom up
        assert (p0 > 0.1) if lost else (p0 < 1e-12), (state, sym_rate, anti_rate, p0)


@pytest.mark.parametrize("c", [1.0, 0.0])
def test_coherent_transfer_gives_the_fixed_model_the_same_counts(c):
    """The coherent transfer (used with the computed loss) and the incoherent one give the
    same P0, P1, P2 in the fixed-probability model: only exchange coherences differ."""
    lv = Levels(2)
    p = paper_like_params()
    a = MeasurementSequence.from_params(p, chi1_coherence=c)
    b = a.with_step("transfer", LocalChannel(lv, ch.coherent_transfer_kraus(lv, 0.97), "transfer"))
    area = 2 * np.pi * p.raman.rabi_frequency_hz * TAU
    np.testing.assert_allclose(reference_counts(a, area), reference_counts(b, area), atol=1e-13)


def test_pair_loss_parameters_are_validated():
    with pytest.raises(InputError, match=r"imperfections\.pair_loss"):
        Imperfections(pair_loss="rates")
    with pytest.raises(InputError, match=r"imperfections\.upper_dwell_s"):
        Imperfections(upper_dwell_s=-1e-3)
    with pytest.raises(InputError, match=r"imperfections\.upper_dwell_s"):
        Imperfections.from_dict({"upper_dwell_s": "1e-3"})
    assert Imperfections().pair_loss == "fixed"  # existing presets keep their behaviour


def test_from_params_chooses_the_pair_loss_step():
    p = paper_like_params()
    seq = MeasurementSequence.from_params(with_pair_loss(p, "computed"))
    step = next(s for s in seq.steps if s.name == "inelastic")
    assert isinstance(step, ComputedPairLoss)
    assert step.dwell_s == p.imperfections.upper_dwell_s
    assert all(g > 0 for g in step.symmetric_per_s)
    seq = MeasurementSequence.from_params(p)
    assert not isinstance(next(s for s in seq.steps if s.name == "inelastic"), ComputedPairLoss)


def test_comparison_p2_untouched_and_p0_separates():
    """With a perfect push-out P2 does not see the pair loss (fixed or computed); the computed
    loss acts on symmetric pairs (s wave) far more than on antisymmetric ones (p wave), so it
    separates entangled and unentangled in P0 more than the fixed probability does."""
    p = paper_like_params()
    p = replace(p, imperfections=replace(p.imperfections, push_efficiency=1.0))
    d = pair_loss_comparison(p, np.linspace(0, 1.6e-6, 5), dwell_s=0.05)
    assert d["p2_unchanged"] < 1e-12
    r = d["rates"]
    assert all(
        s > 3 * a for s, a in zip(r["symmetric_per_s"], r["antisymmetric_per_s"], strict=True)
    )
    i = r["m"].index(-1)  # the partner of |3,1> in chi1 / chi_minus
    assert r["symmetric_per_s"][i] > 20 * r["antisymmetric_per_s"][i]
    assert r["status"] == "computed"
    c = d["curves"]["computed"]
    assert c["entangled"]["P0"][2] > c["unentangled"]["P0"][2]


def test_rates_use_twice_the_contact_density_per_parity():
    """Γ_S = 2 ρ_c K_even, Γ_A = 2 ρ_c K_odd; a product pair is half of each."""
    from spinpair.sequence.pair_loss import pair_loss_rates

    r = pair_loss_rates(paper_like_params())
    assert r.contact_density_m3 == pytest.approx(5.83e18, rel=1e-2)
    assert (r.field_gauss, r.temperature_k) == (8.5, 40e-6)
    pr = r.probabilities(0.01)
    for i, m in enumerate(r.m_values):
        ke, ko = r.rate_coefficients_m3_s[i]
        assert r.symmetric_per_s[i] == pytest.approx(2 * r.contact_density_m3 * ke)
        assert r.antisymmetric_per_s[i] == pytest.approx(2 * r.contact_density_m3 * ko)
        assert pr["symmetric"][m] == pytest.approx(-np.expm1(-0.01 * r.symmetric_per_s[i]))
        assert pr["product"][m] == pytest.approx(
            0.5 * (pr["symmetric"][m] + pr["antisymmetric"][m])
        )


@pytest.mark.parametrize("c", [1.0, 0.0])
def test_equal_rate_coefficients_through_from_params_give_the_fixed_model(monkeypatch, c):
    """The whole chain (rate coefficients → contact density → dwell → step, coherent
    transfer): with K_even = K_odd = K for every pair the sequence equals the fixed model
    with p = 1 − exp(−2 ρ_c K t)."""
    import spinpair.scattering.inelastic as ie
    from spinpair.sequence import pair_loss as pl
    from spinpair.trap import PairTrap

    K = 3e-19

    def equal_rates(species, field_gauss, temperature_k, up_m=None):
        return {
            (up_m, m2): ie.InelasticRate(up_m, m2, field_gauss, temperature_k, {0: K, 1: K})
            for m2 in range(species.f, -species.f - 1, -1)
        }

    monkeypatch.setattr(ie, "inelastic_rates", equal_rates)
    pl._rates_cached.cache_clear()
    try:
        p = paper_like_params()
        t = 0.02
        computed = with_pair_loss(p, "computed", upper_dwell_s=t)
        rho = PairTrap.from_params(p).contact_density_m3
        fixed = replace(
            p,
            imperfections=replace(p.imperfections, p_inelastic_pair=-np.expm1(-2 * rho * K * t)),
        )
        a = MeasurementSequence.from_params(fixed, chi1_coherence=c).run(tau_s=TAU)
        b = MeasurementSequence.from_params(computed, chi1_coherence=c).run(tau_s=TAU)
        for s in ("P0", "P1", "P2"):
            np.testing.assert_allclose(getattr(a, s), getattr(b, s), atol=1e-13)
    finally:
        pl._rates_cached.cache_clear()


def test_equivalent_dwell_loses_chi1s_pair_with_the_fixed_probability():
    """At the equivalent dwell the computed step loses a symmetric |3,1>|2,-1> pair (chi1
    after the transfer, no pulse) with exactly p_inelastic_pair; bad p is refused."""
    from spinpair.sequence.pair_loss import equivalent_dwell_s, pair_loss_rates

    p = paper_like_params()
    t = equivalent_dwell_s(p)
    r = pair_loss_rates(p)
    lv = Levels(p.f)
    step = ComputedPairLoss(lv, r.symmetric_per_s, r.antisymmetric_per_s, t)
    seq = MeasurementSequence.from_params(Params(), state="chi1", ideal=True)
    seq = seq.with_step("inelastic", step)
    seq = seq.with_step(
        "transfer", LocalChannel(lv, ch.coherent_transfer_kraus(lv, 1.0), "transfer")
    )
    assert seq.run(area=[0.0]).P0[0] == pytest.approx(p.imperfections.p_inelastic_pair, rel=1e-9)
    zero = replace(p, imperfections=replace(p.imperfections, p_inelastic_pair=0.0))
    with pytest.raises(ValueError, match="p_inelastic_pair"):
        equivalent_dwell_s(zero)
