"""Design tools: the preparation optimiser, the measurement design and the sequential design.

Physics and statistics checked against independent methods: the optimal hold time against
a root of dP(chi1)/dt from the full Lindblad evolution, the c-optimal allocation against a
brute-force search over two-point designs, the batch fidelity fit against iminuit's MINOS
(the one likelihood), and the designs' advantage against seeded virtual experiments.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from spinpair.analysis.data import CountData
from spinpair.analysis.likelihood import fidelity_likelihood
from spinpair.design import optimise_preparation
from spinpair.design.allocation import c_optimal_weights, round_allocation, variance
from spinpair.design.calibration import design_hold_times
from spinpair.design.measurement import (
    design_fidelity_scan,
    fidelity_information,
    fit_fidelity_batch,
    next_shots,
)
from spinpair.design.preparation import PreparationObjective, _Box, _search
from spinpair.errors import InputError
from spinpair.paper import preset_path
from spinpair.params import Params

PAPER_LIKE = Params.from_toml(preset_path("paper-like"))


# ----------------------------------------------------------------- the optimiser


class _Closed:
    """A closed-form objective with the optimiser's interface: a Rabi-like
    sin²(π t / (2 t*)) that peaks at t* = 37 ms, times a Gaussian in the field at 3.3 G."""

    evaluations = 0

    def __call__(self, values):
        self.evaluations += 1
        t, b = values["hold_time_s"], values["field_gauss"]
        return math.sin(0.5 * math.pi * t / 0.037) ** 2 * math.exp(-(((b - 3.3) / 2.0) ** 2))


def test_search_finds_a_closed_form_optimum():
    box = _Box({"hold_time_s": (1e-3, 0.06), "field_gauss": (0.0, 10.0)})
    f = _Closed()
    best, val = _search(f, box, {}, np.array([0.2, 0.2]), 300, seed=3)  # type: ignore[arg-type]
    assert best["hold_time_s"] == pytest.approx(0.037, rel=2e-3)
    assert best["field_gauss"] == pytest.approx(3.3, abs=0.02)
    assert val == pytest.approx(1.0, abs=1e-6)
    assert f.evaluations <= 300 + 10  # the budget is a count, not a clock


def test_best_hold_time_is_the_root_of_dchi1_dt_from_the_lindblad_model():
    """Independent check: the full relaxation (Lindblad) evolution of the pair density
    matrix on a dense grid; dP(chi1)/dt = 0 found by interpolation of its differences."""
    from spinpair.dynamics import CollisionSetup, evolve

    r = optimise_preparation(Params(), knobs=["hold_time_s"], max_evaluations=200)
    setup = CollisionSetup.from_params(Params())
    t = np.linspace(0.04, 0.14, 401)
    p = evolve("relaxation", setup, t, "00").populations(["chi1"])["chi1"]
    dp = np.gradient(p, t)
    i = int(np.argmax(dp < 0))  # first sign change
    t_star = t[i - 1] - dp[i - 1] * (t[i] - t[i - 1]) / (dp[i] - dp[i - 1])
    assert r.optimum.knobs["hold_time_s"] == pytest.approx(t_star, rel=5e-3)
    assert r.optimum.objective == pytest.approx(float(np.max(p)), abs=1e-6)
    # populations are probabilities, and the optimum is no worse than the paper's point
    assert sum(r.optimum.populations.values()) == pytest.approx(1.0, abs=1e-9)
    assert r.optimum.objective >= r.baseline.objective


def test_rate_model_caps_chi1_and_depth_trades_against_hold_time():
    """In the rate model the contact density scales every rate alike (∝ U0^{3/2}), so the
    hold time at the optimum scales as depth^{-3/2} and the maximum of P(chi1) does not move."""
    p = Params()
    a = optimise_preparation(p, knobs=["hold_time_s"], max_evaluations=150, landscape_points=0)
    deep = p.replace({"trap.depth_hz": 2 * p.trap.depth_hz})
    b = optimise_preparation(deep, knobs=["hold_time_s"], max_evaluations=150, landscape_points=0)
    ratio = a.optimum.knobs["hold_time_s"] / b.optimum.knobs["hold_time_s"]
    assert ratio == pytest.approx(2**1.5, rel=0.02)
    assert b.optimum.objective == pytest.approx(a.optimum.objective, abs=2e-3)


def test_bounds_are_respected_and_a_bound_that_binds_is_said():
    r = optimise_preparation(
        Params(),
        knobs=["hold_time_s"],
        bounds={"hold_time_s": (1e-3, 0.02)},
        max_evaluations=60,
        landscape_points=0,
    )
    t = r.optimum.knobs["hold_time_s"]
    assert 1e-3 <= t <= 0.02
    assert t == pytest.approx(0.02, rel=1e-3)  # chi1 still rises at 20 ms
    assert any("upper end of its stated range" in w for w in r.warnings)


def test_band_sensitivity_and_determinism():
    kw = dict(knobs=["hold_time_s", "field_gauss"], max_evaluations=120, landscape_points=5)
    a = optimise_preparation(Params(), **kw)
    b = optimise_preparation(Params(), **kw)
    assert json.dumps(a.as_dict()) == json.dumps(b.as_dict())
    assert a.band["lower"] <= a.optimum.objective <= a.band["upper"]
    assert set(a.band["contributions"]) == {
        "potentials: singlet",
        "potentials: triplet",
        "temperature",
    }
    s = a.sensitivity["hold_time_s"]
    lo, hi = s["within_0.01"]
    assert lo < a.optimum.knobs["hold_time_s"] < hi
    assert a.landscape is not None and len(a.landscape["objective"]) == 5
    assert a.status == "computed"


def test_two_step_hold_reduces_to_one_step():
    obj = PreparationObjective(Params())
    one = obj.populations({"hold_time_s": 0.1, "field_gauss": 2.0})
    two = obj.populations(
        {"hold_time_s": 0.1, "field_gauss": 2.0, "field2_gauss": 2.0, "ramp_fraction": 0.3}
    )
    for k in one:
        assert two[k] == pytest.approx(one[k], abs=1e-12)


def test_gain_with_postselection_beats_the_mixture():
    r = optimise_preparation(
        Params(), "gain", ["hold_time_s", "postselect"], max_evaluations=60, landscape_points=0
    )
    assert r.optimum.knobs["postselect"] == 1.0
    assert r.optimum.objective > r.baseline.objective  # baseline: no post-selection
    # post-selected pairs per attempt: 4 p F (2π T)² / (2 (2π T)²) = 2 p for ideal pulses,
    # less with the parameter file's imperfections
    assert r.optimum.objective < 2 * r.optimum.populations["chi1"] + 1e-9


@pytest.mark.parametrize(
    "kw",
    [
        {"knobs": ["nonsense"]},
        {"knobs": ["field2_gauss"]},
        {"knobs": ["postselect"]},
        {"target": "fidelity"},
        {"bounds": {"hold_time_s": (0.5, 0.1)}},
        {"bounds": {"depth_hz": (1.0, 2e6)}},
        {"max_evaluations": 3},
    ],
)
def test_bad_input_is_refused(kw):
    with pytest.raises(InputError):
        optimise_preparation(Params(), **kw)


# ----------------------------------------------------------------- allocation


def test_one_parameter_design_puts_every_run_at_the_most_informative_point():
    M, _, _ = fidelity_information(PAPER_LIKE, np.linspace(0, 3.2e-6, 21), 0.9)
    w = c_optimal_weights(M, 1000).weights
    assert int(np.argmax(w)) == int(np.argmax(M[:, 0, 0]))
    assert w.max() == pytest.approx(1.0)


def test_c_optimal_weights_match_a_brute_force_search():
    tau = np.linspace(0, 3.2e-6, 9)
    M, prior, _ = fidelity_information(
        PAPER_LIKE, tau, 0.9, nuisance={"prep_efficiency": (0.93, 0.02), "p_loss": (0.02, 0.01)}
    )
    N = 2000
    a = c_optimal_weights(M, N, prior)
    best = math.inf
    grid = np.linspace(0, 1, 101)
    for i, j, k in itertools.combinations(range(tau.size), 3):
        for x in grid:
            for y in grid[grid <= 1 - x][::2]:
                n = np.zeros(tau.size)
                n[[i, j, k]] = N * np.array([x, y, 1 - x - y])
                best = min(best, variance(n, M, prior))
    assert a.variance <= best * (1 + 1e-3)
    assert a.efficiency_gap < 1e-3  # the equivalence theorem holds at the optimum


def test_round_allocation_sums_and_follows_weights():
    n = round_allocation([0.61, 0.29, 0.1], 1001)
    assert n.sum() == 1001
    assert np.all(np.abs(n - 1001 * np.array([0.61, 0.29, 0.1])) < 1)


# ----------------------------------------------------------------- fidelity design


def test_batch_fit_agrees_with_minos():
    tau = np.linspace(0, 3.2e-6, 6)
    model = fidelity_information(PAPER_LIKE, tau, 0.8)[2]
    rng = np.random.default_rng(5)
    probs = model.probs(0.8)
    counts = rng.multinomial(300, probs / probs.sum(axis=1, keepdims=True))
    data = CountData("tau_s", tau, counts.sum(axis=1), counts[:, 0], counts[:, 1], counts[:, 2])
    ref = fidelity_likelihood(data, model, "P2")
    best, lo, hi = fit_fidelity_batch(counts, model, "P2")
    assert best[0] == pytest.approx(ref.best, abs=1e-5)
    assert lo[0] == pytest.approx(ref.interval_68[0], abs=2e-4)
    assert hi[0] == pytest.approx(ref.interval_68[1], abs=2e-4)


def test_designed_grid_needs_fewer_shots_than_uniform_in_toys():
    d = design_fidelity_scan(PAPER_LIKE, 10000, fidelity=0.7, toys=400, seed=2)
    assert d.shots.sum() == d.total_shots
    assert d.shots_ratio > 1.5
    toys = d.toys
    assert toys is not None
    assert toys["designed_width_mean"] < toys["uniform_width_mean"]
    # away from the F = 1 boundary the toys confirm the Fisher ratio
    assert toys["shots_ratio"] == pytest.approx(d.shots_ratio, rel=0.15)
    assert toys["designed_width_mean"] == pytest.approx(d.expected_interval_width, rel=0.1)


def test_nuisances_spread_the_design_and_widen_the_interval():
    plain = design_fidelity_scan(PAPER_LIKE, 2000, fidelity=0.8, toys=0)
    nu = design_fidelity_scan(
        PAPER_LIKE,
        2000,
        fidelity=0.8,
        toys=0,
        nuisance={"p_loss": (0.02, 0.01)},  # loss lowers P2 at pi/2 as a lower F does
    )
    assert plain.tau_s.size == 1
    assert nu.tau_s.size >= 2
    # the pi pulse (every chi1 pair gives one atom) separates loss from fidelity
    assert np.any(np.isclose(nu.tau_s, 0.5 / PAPER_LIKE.raman.rabi_frequency_hz))
    assert nu.expected_interval_width > plain.expected_interval_width


@pytest.mark.slow
def test_adaptive_campaign_reaches_the_target_in_fewer_shots():
    """Toy campaigns at F = 0.8: a 100-shot pilot on 5 points, then batches of 100 shots
    placed by next_shots, against batches spread on the 11-point uniform grid, until the
    68 % interval is narrower than 0.06."""
    tau_u = np.linspace(0, 0.5 / PAPER_LIKE.raman.rabi_frequency_hz, 11)
    cand = np.linspace(0, 0.5 / PAPER_LIKE.raman.rabi_frequency_hz, 21)
    model = fidelity_information(PAPER_LIKE, cand, 0.8)[2]
    idx_u = np.searchsorted(cand, tau_u - 1e-15)
    truth = model.probs(0.8)
    truth = truth / truth.sum(axis=1, keepdims=True)

    def campaign(adaptive: bool, rng: np.random.Generator) -> int:
        counts = np.zeros((cand.size, 3), dtype=np.int64)
        for i in idx_u[::2]:
            counts[i] += rng.multinomial(20, truth[i])
        while True:
            rows = counts.sum(axis=1) > 0
            data = CountData(
                "tau_s", cand[rows], counts[rows].sum(axis=1), *counts[rows].T.astype(np.int64)
            )
            _, lo, hi = fit_fidelity_batch(counts[rows][None], _sub(model, rows), "P2")
            if hi[0] - lo[0] < 0.06 or counts.sum() >= 20000:
                return int(counts.sum())
            if adaptive:
                nxt = next_shots(data, PAPER_LIKE, 100, candidates_tau_s=cand)
                where = np.searchsorted(cand, nxt.tau_s - 1e-15)
                for i, n in zip(where, nxt.shots, strict=True):
                    counts[i] += rng.multinomial(int(n), truth[i])
            else:
                for i, n in zip(idx_u, round_allocation(np.ones(11), 100), strict=True):
                    counts[i] += rng.multinomial(int(n), truth[i])

    adaptive = [campaign(True, np.random.default_rng(s)) for s in range(6)]
    uniform = [campaign(False, np.random.default_rng(100 + s)) for s in range(6)]
    assert np.mean(adaptive) < 0.75 * np.mean(uniform)


def _sub(model, rows):
    from spinpair.analysis.model import FidelityModel

    return FidelityModel(model.p_unentangled[rows], model.p_entangled[rows])


def test_design_bad_input():
    for kw in ({"shots": 0}, {"shots": 2.5}, {"shots": 10, "candidates_tau_s": [-1e-6]}):
        with pytest.raises(InputError):
            design_fidelity_scan(PAPER_LIKE, toys=0, **kw)
    with pytest.raises(InputError):
        design_fidelity_scan(PAPER_LIKE, 100, candidates_tau_s=[0.0], toys=0)  # no information


# ----------------------------------------------------------------- calibration design


def test_hold_time_design_beats_the_uniform_grid():
    d = design_hold_times(Params(), 2000)
    assert d.runs.sum() == 2000
    assert d.runs_ratio >= 1.0
    for a in ("a0", "a2"):
        assert d.sigma_bohr[a] <= d.uniform_sigma_bohr[a] * 1.0001 or d.runs_ratio > 1
    with pytest.raises(InputError):
        design_hold_times(Params(), 100, ("a7",))


# ----------------------------------------------------------------- command line


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spinpair.cli", *args], capture_output=True, text=True, check=False
    )


def test_cli_optimise_and_plan_design():
    r = run_cli(
        "optimise",
        "--knobs",
        "hold_time_s",
        "--max-evaluations",
        "60",
        "--landscape-points",
        "0",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"target", "baseline", "optimum", "sensitivity", "warnings"} <= set(out)
    assert {"knobs", "objective", "band"} <= set(out["optimum"])
    r = run_cli(
        "plan",
        "--design",
        "--params",
        str(preset_path("paper-like")),
        "--shots",
        "500",
        "--trials",
        "50",
        "--json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    keys = {"tau_s", "shots", "expected_interval_width", "uniform_interval_width", "shots_ratio"}
    assert keys <= set(out)
    assert sum(out["shots"]) == 500
    for bad in (
        ("optimise", "--knobs", "colour"),
        ("optimise", "--bounds", "hold_time_s=1"),
        ("optimise", "--max-evaluations", "5"),
        ("plan", "--design"),
        ("plan", "--design", "--shots", "0"),
        ("plan", "--shots", "10", "--area", "1.5"),
    ):
        r = run_cli(*bad)
        assert r.returncode == 2, (bad, r.stderr)
        assert r.stdout == ""
