"""``spinpair dynamics``: the CLI.md contract for every model."""

import json

import numpy as np
import pytest

from spinpair.cli import run


@pytest.mark.parametrize(
    "model", ["ground-state", "secular", "ergodic", "relaxation", "ergodic+relaxation"]
)
def test_dynamics_json_contract(capsys, model):
    code = run(["dynamics", "--model", model, "--times", "0", "0.05", "0.1", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert d["time_s"] == [0.0, 0.05, 0.1]
    pops = d["populations"]
    assert set(pops) == {"00", "chi1", "chi2"}
    total = np.sum([pops[k] for k in pops], axis=0)
    assert np.allclose(total, 1.0, atol=1e-9)
    assert pops["00"][0] == pytest.approx(1.0)
    assert pops["chi1"][-1] > 0  # collisions act


def test_dynamics_overrides_reach_the_model(capsys):
    run(["dynamics", "--model", "relaxation", "--times", "0.1", "--json"])
    base = json.loads(capsys.readouterr()[0])["populations"]["chi1"][0]
    run(["dynamics", "--model", "relaxation", "--rate-scale", "10", "--times", "0.1", "--json"])
    fast = json.loads(capsys.readouterr()[0])["populations"]["chi1"][0]
    assert fast > 5 * base
    run(["dynamics", "--model", "ergodic", "--species", "na23", "--times", "0", "0.1", "--json"])
    d = json.loads(capsys.readouterr()[0])
    assert set(d["populations"]) == {"00", "chi1"}


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--model", "ergodic", "--times", "0.1", "0.05"], "times"),
        (["--model", "ergodic", "--temperature", "0", "--times", "0.1"], "--temperature"),
        (["--model", "ergodic", "--temperature", "1e300", "--times", "0.1"], "--temperature"),
        (["--model", "relaxation", "--rate-scale", "1e300", "--times", "0.1"], "--rate-scale"),
        (["--model", "ergodic", "--field", "1e300", "--times", "0.1"], "--field"),
        (["--model", "chaotic", "--times", "0.1"], "--model"),
        (["--model", "relaxation", "--nodes", "64", "--times", "0.1"], "--nodes"),
        (["--model", "ergodic", "--field", "-1", "--times", "0.1"], "--field"),
    ],
)
def test_dynamics_bad_input_exit_2(capsys, argv, needle):
    code = run(["dynamics", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err
    assert len(err.strip().splitlines()) == 1


def test_calibrate_cli_round_trip(tmp_path, capsys):
    from spinpair.dynamics import CollisionSetup
    from spinpair.dynamics.calibrate import simulate_populations
    from spinpair.params import CollisionParams, Params

    truth = CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=40.0)))
    d = simulate_populations(truth, "relaxation", [0.02, 0.05, 0.1], 3000, seed=4)
    f = tmp_path / "pops.csv"
    lines = ["time_s,runs,00,chi1,chi2"] + [
        f"{t},{n},{a},{b},{c}"
        for t, n, a, b, c in zip(
            d.time_s, d.runs, d.counts["00"], d.counts["chi1"], d.counts["chi2"], strict=True
        )
    ]
    f.write_text("\n".join(lines) + "\n")
    code = run(["calibrate", str(f), "--model", "relaxation", "--start", "rate_scale=10", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    lo, hi = out["intervals_68"]["rate_scale"]
    assert lo < out["values"]["rate_scale"] < hi
    assert abs(out["values"]["rate_scale"] - 40.0) < 4 * (hi - lo)
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,runs,chi1\n0.1,10,-3\n")
    assert run(["calibrate", str(bad), "--model", "relaxation", "--json"]) == 2
    assert "counts.chi1" in capsys.readouterr().err
