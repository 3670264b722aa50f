"""The fast paths of the dynamics engine equal the straightforward ones (issue 26):
populations without states (``e_ops``), the cached eigendecompositions and rates, and the
factored exponential table."""

from __future__ import annotations

import numpy as np
import pytest

from spinpair.dynamics import CollisionSetup, engine, evolve, population_names
from spinpair.dynamics import relaxation as relax
from spinpair.errors import InputError
from spinpair.params import CollisionParams, Params
from spinpair.spin import named_state

SETUP = CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=20.0)))
T = np.linspace(0.0, 0.05, 41)


@pytest.mark.parametrize(
    ("model", "options"),
    [
        ("ground-state", {}),
        ("ergodic", {"nodes": 64}),
        ("relaxation", {}),
        ("ergodic+relaxation", {"nodes": 32}),
        ("secular", {}),
    ],
)
@pytest.mark.parametrize("state", ["00", "chi1", "mixture"])
def test_populations_without_states_equal_those_from_states(model, options, state):
    """e_ops gives the populations that the full states give, to 1e-12, for every model,
    from a pure state and from a mixture spanning several sectors (several blocks)."""
    names = [*population_names(2), "1,1"]
    if state == "mixture":
        state = 0.5 * named_state("00") + 0.3 * named_state("chi1") + 0.2 * named_state("1,1")
    options = {**options, "outside_regime": "ignore"}  # machinery, not physics
    full = evolve(model, SETUP, T, state, **options)
    fast = evolve(model, SETUP, T, state, e_ops=names, **options)
    assert fast.states is None and full.states is not None
    want = full.populations(names)
    got = fast.populations()
    assert list(got) == names
    for k in names:
        assert np.allclose(got[k], want[k], rtol=0, atol=1e-12), k
    # the JSON of a populations-only result has the keys of a full one
    assert set(fast.as_dict()) == set(full.as_dict())


def test_result_without_states_refuses_what_it_does_not_hold():
    r = evolve("ground-state", SETUP, T, e_ops=["00"])
    with pytest.raises(InputError, match="names"):
        r.populations(["chi1"])
    with pytest.raises(InputError, match="states"):
        r.chi1_coherence()
    assert r.f == 2


def test_fig1b_ground_state_curve_is_populations_only():
    """paper.fig1b_data keeps only populations (no 30 001 × 25 × 25 states) and they equal
    the populations of the states, to 1e-12."""
    from spinpair.dynamics import evolve_params
    from spinpair.paper import fig1b_data, paper_params

    d = fig1b_data(11, models=("ground-state",))
    r = d["models"]["ground-state"]
    assert r.states is None and r.time_s.size > 30_000
    ref = evolve_params(paper_params(), r.time_s[:2001], model="ground-state").populations()
    for k, v in ref.items():
        assert np.allclose(r.populations()[k][:2001], v, rtol=0, atol=1e-12)


@pytest.mark.parametrize("model", ["relaxation", "ergodic+relaxation"])
def test_cached_path_equals_cold_path_and_expm_reference(model):
    """The second call (rates, jumps and eigendecomposition from the caches) equals a cold
    call exactly, and both equal the expm reference path to 1e-12."""
    opts = {"nodes": 16} if model == "ergodic+relaxation" else {}
    relax.clear_caches()
    cold = evolve(model, SETUP, T, "00", **opts).states
    assert len(engine._EIG_CACHE) == 1
    builder = (
        relax.relaxation_ensemble if model == "relaxation" else relax.ergodic_relaxation_ensemble
    )
    hits = builder.cache_info().hits
    warm = evolve(model, SETUP, T, "00", **opts).states
    assert builder.cache_info().hits == hits + 1 and len(engine._EIG_CACHE) == 1
    assert np.array_equal(cold, warm)
    pops = evolve(model, SETUP, T, "00", e_ops=["00", "chi1"], **opts).populations()
    for k, v in pops.items():  # populations from the coefficients (dissipative e_ops path)
        ref_k = evolve(model, SETUP, T, "00", **opts).populations([k])[k]
        assert np.allclose(v, ref_k, rtol=0, atol=1e-12)
    build = (
        relax.relaxation_ensemble(SETUP)
        if model == "relaxation"
        else (relax.ergodic_relaxation_ensemble(SETUP, nodes=16))
    )
    ref = engine.evolve_ensemble(named_state("00"), T, build, method="expm")
    assert np.allclose(warm, ref, rtol=0, atol=1e-12)


def test_cached_arrays_are_read_only():
    J = relax.jump_operators(SETUP)
    with pytest.raises(ValueError):
        J[0, 0, 0] = 1.0
    G = relax.sector_rates(SETUP, 0)
    G[0, 0] = 5.0  # a copy: the cache is untouched
    assert relax.sector_rates(SETUP, 0)[0, 0] == 0.0


@pytest.mark.parametrize("nt", [3, 16, 17, 200, 1001])
def test_factored_exponential_table_equals_direct_table(nt):
    """exp_sums on a uniform grid (table × block factors) equals the direct
    e^{λt} table product to 1e-12 relative to the largest term; non-uniform grids too."""
    rng = np.random.default_rng(nt)
    lam = -rng.uniform(0, 50, 30) + 1j * rng.uniform(-2e3, 2e3, 30)
    coef = rng.normal(size=(30, 4)) + 1j * rng.normal(size=(30, 4))
    for t in (np.linspace(0.01, 0.2, nt), np.sort(rng.uniform(0, 0.2, nt))):
        want = np.exp(np.outer(t, lam)) @ coef
        got = engine.exp_sums(lam, coef, t)
        assert np.allclose(got, want, rtol=0, atol=1e-12 * np.abs(coef).sum(axis=0).max())


def test_max_escape_rate_is_the_largest_total_rate_out_of_a_state():
    """‖Σ_j L_j†L_j‖ (the regime check's collision rate, now cached and a BLAS product)
    equals the direct einsum and the largest column sum Σ_s′ Γ_{s→s′} of the sector rates."""
    from spinpair.dynamics.hamiltonian import conserved_sectors

    relax.clear_caches()
    J = relax.jump_operators(SETUP)
    direct = np.linalg.norm(np.einsum("jba,jbc->ac", J.conj(), J), 2)
    got = relax.max_escape_rate_per_s(SETUP)
    assert got == pytest.approx(direct, rel=1e-12)
    out = [
        relax.sector_rates(SETUP, s.M).sum(axis=0).max()
        for s in conserved_sectors(SETUP.f)
        if s.symmetric and s.size > 1
    ]
    assert got == pytest.approx(max(out), rel=1e-12)
    # ten times the rate scale: ten times the rate (the cache is keyed on the setup)
    ten = relax.max_escape_rate_per_s(
        CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=200.0)))
    )
    assert ten == pytest.approx(10 * got, rel=1e-12)


def test_regime_verdicts_are_cached_but_returned_as_copies():
    from spinpair.dynamics.regime import check_regime

    a = check_regime("ergodic+relaxation", SETUP, T)
    a.numbers["max_rate_per_s"] = -1.0  # a caller's change does not reach the cache
    b = check_regime("ergodic+relaxation", SETUP, T)
    assert b.numbers["max_rate_per_s"] == pytest.approx(relax.max_escape_rate_per_s(SETUP))
    assert b.status == a.status and b.reasons == a.reasons


def test_block_decomposition_is_cached_per_operator_and_read_only():
    """The engine's split of ρ(0) into sector blocks is kept per operator (bytes), and a
    second call with an equal (not identical) operator returns the same parts."""
    relax.clear_caches()
    rho = 0.5 * named_state("00") + 0.5 * named_state("1,1")
    first = engine._blocks(rho, 2)
    assert len(first) == 2 and len(engine._BLOCK_CACHE) == 1
    again = engine._blocks(rho.copy(), 2)
    assert again is first
    with pytest.raises(ValueError):
        first[0][1][0, 0] = 2.0
    # another operator: another entry, with the parts of that operator
    other = engine._blocks(named_state("chi1"), 2)
    assert len(engine._BLOCK_CACHE) == 2 and len(other) == 1
    basis, part = other[0]
    assert np.allclose(basis @ part @ basis.conj().T, named_state("chi1"), atol=1e-14)
