"""Regime of validity checked at run time: the secular model's second-order error estimate
against a brute-force motion ⊗ spin solve, its C² and t scaling, the refusal at the paper's
conditions (Python API and CLI), and every model's regime check on a good and a bad set."""

import json
import math
import warnings

import numpy as np
import pytest
from scipy import constants

from spinpair.cli import run
from spinpair.dynamics import CollisionSetup, evolve
from spinpair.dynamics.hamiltonian import contact_coupling_hz_m2, interaction_operator_m
from spinpair.dynamics.regime import (
    RegimeError,
    RegimeWarning,
    check_regime,
    enforce,
)
from spinpair.dynamics.secular import (
    density_scale_m3,
    secular_error,
    secular_nodes,
    secular_summary,
)
from spinpair.dynamics.secular.levels import _Grid
from spinpair.errors import InputError
from spinpair.params import CollisionParams, Params, TrapParams
from spinpair.species import get_species
from spinpair.spin import symmetric_sector
from spinpair.trap import PairTrap

NONDEG = (40e3, 40e3 * math.sqrt(2), 40e3 * math.sqrt(3) * 0.61)
A_TEST = {0: -445.0, 2: -460.0, 4: -443.0}


def small_setup(scale, field_gauss, temperature_k=2e-6):
    """A non-degenerate trap at 2 µK (61 states with contact), a_F scaled by ``scale``."""
    a = {F: v * scale for F, v in A_TEST.items()}
    sp = get_species("rb85").with_scattering_lengths(a, "test values", "user")
    return CollisionSetup(sp, PairTrap(NONDEG, sp.mass_kg, temperature_k), field_gauss)


def brute_force(s, t, e_cut_kT):
    """Populations (nt, 3) of 00, chi1, chi2 from the motion ⊗ spin Hamiltonian of every
    kept state with contact (all couplings, none dropped), thermal motion, spin |0,0⟩; the
    dark states stay in |0,0⟩. Same truncation as the model."""
    trap = s.trap
    x = constants.hbar * trap.omega / trap.kt_j
    grid = _Grid(x)
    e, c = grid.bright_states(e_cut_kT)
    sector = symmetric_sector(2, 0)
    V = sector.restrict(interaction_operator_m(s.species)).real
    Z = sector.restrict(s.zeeman_hz).real
    g = contact_coupling_hz_m2(s.species) * density_scale_m3(trap)
    n = e.size
    amp = np.sqrt(c)
    H = np.kron(np.diag(e * trap.kt_j / constants.h), np.eye(3)) + np.kron(np.eye(n), Z)
    H += g * np.kron(np.outer(amp, amp), V)
    ev, W = np.linalg.eigh(H)
    w = np.exp(-e)
    W0 = W.reshape(n, 3, 3 * n)[:, 0, :]
    _, kept = grid.count_and_weight(e_cut_kT)
    out = []
    for ti in t:
        A = ((W * np.exp(-2j * np.pi * ev * ti)) @ W0.conj().T).reshape(n, 3, n)
        p = np.einsum("l,msl->s", w, np.abs(A) ** 2) / kept
        p[0] += 1 - w.sum() / kept
        out.append(p)
    return np.array(out)


OPTS = dict(weight_tolerance=1e-4, hold_time_s=0.3)
TIMES = np.array([0.01, 0.03, 0.1, 0.3])


@pytest.mark.parametrize("field_gauss", [0.0, 0.5])
@pytest.mark.parametrize("scale", [0.003, 0.01, 0.03])
def test_error_estimate_bounds_the_gap_to_brute_force(scale, field_gauss):
    """Inside and at the edge of the regime the estimate is >= the actual gap to the full
    motion ⊗ spin solution; at zero field (the spin state moves fully) it is at most 20×
    the gap (measured 1.6–14×). At 0.5 G the Zeeman energy keeps the moved populations at
    10⁻⁴–10⁻³ and the estimate, a bound on the state distance, is conservative (up to 10⁴)."""
    s = small_setup(scale, field_gauss)
    nodes = secular_nodes(s, **OPTS)
    est = secular_error(s, nodes)
    model = evolve("secular", s, TIMES, outside_regime="ignore", **OPTS).populations()
    ref = brute_force(s, TIMES, nodes.info["energy_cut_kT"])
    gap = np.max([np.abs(model[k] - ref[:, i]) for i, k in enumerate(("00", "chi1", "chi2"))], 0)
    bound = np.array([est.estimate(t) for t in TIMES])
    assert np.all(bound >= gap)
    assert np.max(gap) > 1e-7  # the comparison has teeth
    if field_gauss == 0.0:
        assert np.all(bound <= 20 * gap)
        assert ref[-1, 1] > 0.04  # the spin state does move


def test_error_estimate_scales_as_interaction_squared_and_linearly_in_time():
    """Uncapped parts: admixture and dephasing ∝ λ² for a_F → λa_F (same levels, no
    clusters), dephasing ∝ t; the capped estimate is linear in t while far below 1."""
    base = secular_error(
        small_setup(0.01, 0.5), secular_nodes(small_setup(0.01, 0.5), cluster_factor=0)
    )
    s3 = small_setup(0.03, 0.5)
    triple = secular_error(s3, secular_nodes(s3, cluster_factor=0))
    for key in ("admixture", "dephasing"):
        assert triple.parts(0.1)[key] == pytest.approx(9 * base.parts(0.1)[key], rel=1e-9)
    d = [base.parts(t)["dephasing"] for t in (0.1, 0.2, 0.3)]
    assert d[1] == pytest.approx(2 * d[0], rel=1e-12) and d[2] == pytest.approx(3 * d[0], rel=1e-12)
    e = [base.estimate(t) for t in (0.0, 0.01, 0.02)]
    assert e[0] == pytest.approx(base.parts(0.0)["admixture"], rel=1e-12)
    assert e[2] - e[1] == pytest.approx(e[1] - e[0], rel=1e-6)
    assert 0 < e[0] < e[1] < 0.01


def test_secular_refuses_the_papers_conditions():
    """At the paper's conditions (40 µK, 0.5 G, 100 ms) the estimate caps every interacting
    level: the model refuses, names the reason, the numbers and the relaxation model; it
    still refuses with κ = 3 and 0 and max_levels = 16 (the audit's spread 0.014–0.020)."""
    s = CollisionSetup.from_params(Params())
    r = check_regime("secular", s, [0.1])
    assert r.status == "refuse" and r.alternative == "relaxation"
    assert r.numbers["error_share_of_interacting"] > 0.5
    assert r.numbers["error_dephasing"] > 100  # C²t/(ħΔE) ≫ 1
    for opts in ({"cluster_factor": 3.0}, {"cluster_factor": 0.0}, {"max_levels": 16}):
        assert check_regime("secular", s, [0.1], **opts).status == "refuse"
    with pytest.raises(RegimeError, match="relaxation") as err:
        evolve("secular", s, [0.0, 0.1])
    assert isinstance(err.value, InputError) and "dephasing" in str(err.value)
    with pytest.warns(RegimeWarning, match="refuse"):
        res = evolve("secular", s, [0.0, 0.1], outside_regime="warn")
    assert res.as_dict()["regime"]["status"] == "refuse" and res.info["warnings"]


def test_cli_refuses_secular_at_the_papers_conditions(capsys):
    code = run(["dynamics", "--model", "secular", "--times", "0.1", "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "secular" in err and "relaxation" in err and "estimate" in err
    code = run(
        ["dynamics", "--model", "secular", "--times", "0.1", "--json", "--allow-outside-regime"]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "warning" in err
    d = json.loads(out)
    assert d["regime"]["status"] == "refuse" and d["warnings"]


def test_unresolved_weight_counts_merged_spans():
    """Shells split by 0.37 and 1.01 Hz over 1 s: every level solved (max_levels 16) leaves
    nothing unresolved; one level per cluster (max_levels 1) merges ~Hz spreads, which the
    unresolved weight and the estimate's merged-level part now count."""
    nu = 30e3
    sp = get_species("rb85").with_scattering_lengths({0: -380.0, 2: -520.0, 4: -443.0}, "t", "user")
    s = CollisionSetup(sp, PairTrap((nu, nu + 0.37, nu + 1.01), sp.mass_kg, 0.55e-6), 0.5)
    opts = dict(weight_tolerance=1e-9, hold_time_s=1.0, level_resolution=0)
    fine = secular_summary(s, max_levels=16, **opts)
    merged_nodes = secular_nodes(s, max_levels=1, **opts)
    assert fine["unresolved_weight"] == 0.0
    assert merged_nodes.info["max_level_span_hz"] > 0.3
    assert merged_nodes.info["unresolved_weight"] > 0.01  # shells N >= 2 (1.6 %)
    assert secular_error(s, merged_nodes).parts(1.0)["merged_levels"] > 0.01


def test_secular_inside_its_regime_is_ok_and_agrees():
    """Inside its regime the model runs without a warning, agrees with the brute-force
    motion ⊗ spin solve within its estimate (≤ 0.01), and moving κ or max_levels changes it
    by less than the two estimates together (convergence in the cluster options)."""
    s = small_setup(0.003, 0.0)
    t = np.array([0.0, 0.1])
    r = check_regime("secular", s, t, **OPTS)
    assert r.status == "ok" and r.numbers["error_estimate"] <= 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("error", RegimeWarning)
        res = evolve("secular", s, t, **OPTS)
    assert res.info["regime"]["status"] == "ok" and res.info["warnings"] == []
    ref = brute_force(s, t, secular_nodes(s, **OPTS).info["energy_cut_kT"])
    chi1 = res.populations()["chi1"]
    assert abs(chi1[-1] - ref[-1, 1]) <= r.numbers["error_estimate"]
    assert ref[-1, 1] > 0.01  # it moves
    for other in ({"cluster_factor": 3.0}, {"cluster_factor": 0.0}, {"max_levels": 16}):
        o = {**OPTS, **other}
        r2 = check_regime("secular", s, t, **o)
        chi1_2 = evolve("secular", s, t, **o).populations()["chi1"]
        bound = r.numbers["error_estimate"] + r2.numbers["error_estimate"]
        assert abs(chi1_2[-1] - chi1[-1]) <= bound


# ------------------------------------------------------------- every model: good and bad


def _setup(**kw):
    return CollisionSetup.from_params(Params(**kw))


def test_ground_state_regime():
    cold = CollisionSetup(
        get_species("rb87", 1),
        PairTrap((102e3, 102e3, 24.5e3), get_species("rb87", 1).mass_kg, 0.05e-6),
    )
    good = check_regime("ground-state", cold, [0.1])
    assert good.status == "ok", good.message()
    assert good.numbers["ground_occupation"] > 0.99
    bad = check_regime("ground-state", _setup(), [0.1])  # 40 µK: 4e-4 in the ground state
    assert bad.status == "warn" and bad.numbers["ground_occupation"] < 1e-3
    assert "ground state" in bad.message() and bad.alternative == "relaxation"


def test_relaxation_regime():
    good = check_regime("relaxation", _setup(), [0.1])
    assert good.status == "ok" and good.numbers["contact_density_error"] < 0.01
    fast = _setup(collisions=CollisionParams(rate_scale=1e4))  # rates ≫ trap frequency
    bad = check_regime("relaxation", fast, [0.1])
    assert bad.status == "refuse" and bad.numbers["rate_over_trap"] > 1
    assert "trap frequency" in bad.message()
    cold = check_regime("relaxation", _setup(trap=TrapParams(temperature_k=1e-6)), [0.1])
    assert cold.status in ("warn", "refuse") and cold.numbers["contact_density_error"] > 0.05
    with pytest.raises(RegimeError):
        evolve("relaxation", fast, [0.1])


def test_ergodic_regime():
    good = check_regime("ergodic", _setup(), [0.1])
    assert good.status == "ok" and good.numbers["capped_weight"] < 1e-3
    bad = check_regime("ergodic", _setup(trap=TrapParams(temperature_k=0.3e-6)), [0.1])
    assert bad.status != "ok" and bad.numbers["capped_weight"] > 0.01
    both = check_regime(
        "ergodic+relaxation", _setup(collisions=CollisionParams(rate_scale=1e4)), [0.1]
    )
    assert both.status == "refuse" and "capped_weight" in both.numbers


def test_enforce_modes():
    r = check_regime("ground-state", _setup(), [0.1])
    with pytest.warns(RegimeWarning):
        assert enforce(r, "raise") == [r.message()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert enforce(r, "ignore") == [r.message()]
    with pytest.raises(InputError, match="outside_regime"):
        evolve("relaxation", _setup(), [0.1], outside_regime="maybe")


def test_measurement_sequence_checks_the_collision_model():
    """The hold step of the sequence (collision_spin_map) checks the regime at the hold time."""
    from spinpair.dynamics import collision_spin_map

    p = Params(collisions=CollisionParams(model="secular"))
    with pytest.raises(RegimeError, match="secular"):
        collision_spin_map(p)
    with pytest.warns(RegimeWarning):
        spin_map = collision_spin_map(p, outside_regime="warn")
    assert callable(spin_map)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RegimeWarning)
        collision_spin_map(Params(collisions=CollisionParams(model="relaxation")))
