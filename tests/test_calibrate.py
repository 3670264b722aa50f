"""Calibration of the collision models on populations versus hold time (synthetic round trips)."""

import numpy as np
import pytest

from spinpair.dynamics import CollisionSetup, evolve
from spinpair.dynamics.calibrate import (
    PopulationData,
    calibrate,
    populations_from_paper,
    simulate_populations,
)
from spinpair.errors import InputError
from spinpair.params import CollisionParams, Params


def setup(rate=1.0, **kw):
    return CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=rate), **kw))


def test_rate_scale_round_trip_covers_truth_over_seeds():
    truth = setup(40.0)
    t = [0.01, 0.03, 0.06, 0.1]
    hits = 0
    seeds = range(12)
    for seed in seeds:
        data = simulate_populations(truth, "relaxation", t, 3000, seed=seed)
        fit = calibrate(data, setup(1.0), "relaxation", start={"rate_scale": 10.0})
        lo, hi = fit.intervals["rate_scale"]
        assert fit.valid and lo < fit.values["rate_scale"] < hi
        hits += lo <= 40.0 <= hi
    # 68 % intervals: expect ~8 of 12; binomial 99.9 % range is 3..12
    assert 3 <= hits <= 12


def test_scattering_length_round_trip_ground_state():
    truth = setup().with_scattering_lengths({2: -470.0})
    t = np.linspace(0.0002, 0.002, 8)  # short: the phase moves ~0.1 rad per a_B
    data = simulate_populations(truth, "ground-state", t, 5000, seed=3)
    fit = calibrate(
        data,
        setup(),
        "ground-state",
        free=("a2",),
        start={"a2": -466.0},
        limits={"a2": (-480.0, -450.0)},
        scan_points=121,
    )
    lo, hi = fit.intervals["a2"]
    assert abs(fit.values["a2"] + 470.0) < 4 * (hi - lo)
    assert hi - lo < 2.0  # coherent oscillations pin a2 to a fraction of a Bohr radius


def test_paper_populations_reachable_with_calibrated_relaxation():
    data = populations_from_paper({"00": 0.4, "chi1": 0.37, "chi2": 0.23}, 0.1, 1000)
    fit = calibrate(
        data,
        setup(),
        "relaxation",
        free=("rate_scale", "a0", "a2"),
        start={"rate_scale": 50.0},
        minos=False,
    )
    p = evolve("relaxation", fit.setup, [0.1]).populations()
    assert p["chi1"][0] == pytest.approx(0.37, abs=0.01)
    assert p["00"][0] == pytest.approx(0.4, abs=0.01)
    # with the rate scale alone, relaxation cannot exceed equal populations
    only_rate = calibrate(data, setup(), "relaxation", start={"rate_scale": 50.0}, minos=False)
    p = evolve("relaxation", only_rate.setup, [0.1]).populations()
    assert p["chi1"][0] <= 1 / 3 + 1e-4


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"runs": [10, -1], "counts": {"chi1": [1, 0]}}, "runs"),
        ({"runs": [10, 10], "counts": {"chi1": [1, -2]}}, "counts.chi1"),
        ({"runs": [10, 10], "counts": {"chi1": [11, 2]}}, "counts"),
        ({"runs": [10, 10], "counts": {"chi1": [1.5, 2]}}, "counts.chi1"),
        ({"runs": [10, 10], "counts": {}}, "counts"),
    ],
)
def test_bad_population_data_rejected(kwargs, field):
    with pytest.raises(InputError, match=field):
        PopulationData(np.array([0.0, 0.1]), **kwargs)


def test_unknown_free_parameter_rejected():
    data = populations_from_paper({"chi1": 0.3}, 0.1, 100)
    with pytest.raises(InputError, match="free"):
        calibrate(data, setup(), "relaxation", free=("a7",))


def test_calibrated_preset_reproduces_paper_populations():
    from spinpair.dynamics import evolve_params
    from spinpair.paper import preset_path

    p = Params.from_toml(preset_path("paper-calibrated"))
    assert p.collisions.model == "ergodic+relaxation"
    pops = evolve_params(p, [0.1]).populations()
    assert pops["chi1"][0] == pytest.approx(0.37, abs=0.005)
    assert pops["00"][0] == pytest.approx(0.40, abs=0.005)
