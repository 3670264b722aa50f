"""``spinpair dynamics``: the docs/cli.md contract for every model."""

import json

import numpy as np
import pytest

from spinpair.cli import run


@pytest.mark.parametrize(
    "model", ["ground-state", "secular", "ergodic", "relaxation", "ergodic+relaxation"]
)
def test_dynamics_json_contract(capsys, model):
    # the secular model refuses the paper's conditions (tests/dynamics/test_regime.py): allow it
    extra = ["--allow-outside-regime"] if model == "secular" else []
    code = run(["dynamics", "--model", model, "--times", "0", "0.05", "0.1", "--json", *extra])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert d["regime"]["status"] in ("ok", "warn", "refuse")
    assert d["regime"]["model"] == model and isinstance(d["warnings"], list)
    assert (d["regime"]["status"] == "ok") == (d["warnings"] == [])
    assert d["time_s"] == [0.0, 0.05, 0.1]
    pops = d["populations"]
    assert set(pops) == {"00", "chi1", "chi2"}
    total = np.sum([pops[k] for k in pops], axis=0)
    assert np.allclose(total, 1.0, atol=1e-9)
    assert pops["00"][0] == pytest.approx(1.0)
    assert pops["chi1"][-1] > 0  # collisions act


def test_dynamics_overrides_reach_the_model(capsys):
    # early in the rise (2 ms: chi1 ≈ 0.04), where chi1 grows with the rates
    run(["dynamics", "--model", "relaxation", "--times", "0.002", "--json"])
    base = json.loads(capsys.readouterr()[0])["populations"]["chi1"][0]
    run(["dynamics", "--model", "relaxation", "--rate-scale", "10", "--times", "0.002", "--json"])
    fast = json.loads(capsys.readouterr()[0])["populations"]["chi1"][0]
    assert fast > 5 * base
    run(
        ["dynamics", "--model", "relaxation", "--rates", "zero-range", "--times", "0.002", "--json"]
    )
    zr = json.loads(capsys.readouterr()[0])
    assert zr["rates"] == "zero-range" and zr["populations"]["chi1"][0] != base
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


def _population_csv(path, rate=1.0, a=None, times=(0.01, 0.03, 0.1), runs=2000, seed=4):
    from spinpair.dynamics import CollisionSetup
    from spinpair.montecarlo import simulate_populations
    from spinpair.params import CollisionParams, Params

    # a_F given: zero-range rates (the S-matrix rates do not depend on the a_F)
    rates = "zero-range" if a else "auto"
    truth = CollisionSetup.from_params(
        Params(collisions=CollisionParams(rate_scale=rate, rates=rates))
    )
    truth = truth.with_scattering_lengths(a or {})
    d = simulate_populations(truth, "relaxation", list(times), runs, seed=seed)
    lines = ["time_s,runs,00,chi1,chi2"] + [
        f"{t},{n},{x},{y},{z}"
        for t, n, x, y, z in zip(
            d.time_s, d.runs, d.counts["00"], d.counts["chi1"], d.counts["chi2"], strict=True
        )
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_calibrate_cli_rate_scale_round_trip(tmp_path, capsys):
    """rate_scale of the S-matrix rates (the default) recovered from populations made with
    0.3 × the coupled-channel rates."""
    f = _population_csv(tmp_path / "pops.csv", rate=0.3)
    argv = ["calibrate", str(f), "--model", "relaxation", "--free", "rate_scale", "--json"]
    code = run([*argv, "--start", "rate_scale=1", "--grid", "21"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    lo, hi = out["intervals_68"]["rate_scale"]
    assert 0 < lo < out["values"]["rate_scale"] < hi
    assert abs(out["values"]["rate_scale"] - 0.3) < 4 * (hi - lo)
    assert out["verdict_code"] == "identified" and out["valid"] is True


@pytest.mark.slow
def test_calibrate_cli_contract_a_f_with_profile_plot(tmp_path, capsys):
    """docs/cli.md form: --free a0 a2 --rate-scale 1 --json; every minimum, nulls with
    reasons, the verdict and the profiles; --profile writes a PNG."""
    f = _population_csv(tmp_path / "pops.csv", a={0: -600.0, 2: -330.0}, seed=5)
    png = tmp_path / "profile.png"
    argv = ["calibrate", str(f), "--model", "relaxation", "--free", "a0", "a2"]
    argv += ["--rate-scale", "1", "--grid", "9", "--profile-points", "7"]
    code = run([*argv, "--profile", str(png), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert d["free"] == ["a0", "a2"] and d["fixed"]["rate_scale"] == 1.0
    assert d["verdict"] and d["verdict_code"] in ("identified", "mirror", "flat")
    assert len(d["minima"]) >= 1
    for m in d["minima"]:
        for k, iv in m["intervals_68"].items():
            assert (iv is None) == (m["interval_notes"][k] != "valid")
    assert set(d["profiles"]) == {"a0", "a2"}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if d["verdict_code"] != "identified":
        assert "warning" in err and len(err.strip().splitlines()) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--profile", "/nonexistent-folder/p.png"], "--profile"),
        (["--profile", "prof.txt"], "--profile"),
        (["--limits", "a0=1"], "--limits"),
        (["--limits", "a0=5,x"], "--limits"),
        (["--start", "a0"], "--start"),
        (["--free", "a9"], "free"),
        (["--free", "rate_scale", "--limits", "rate_scale=-1,5"], "limits.rate_scale"),
        (["--grid", "2"], "grid"),
        (["--budget", "inf"], "--budget"),
        (["--budget", "-1"], "--budget"),
        (["--max-evaluations", "50"], "--max-evaluations"),
        (["--resolution", "0"], "--resolution"),
        (["--resolution-rate-scale", "nan"], "--resolution-rate-scale"),
    ],
)
def test_calibrate_cli_bad_input_exit_2(tmp_path, capsys, extra, needle):
    f = _population_csv(tmp_path / "pops.csv", times=(0.05,), runs=100)
    code = run(["calibrate", str(f), "--model", "relaxation", *extra, "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err, err
    assert len(err.strip().splitlines()) == 1


def test_calibrate_cli_bad_csv_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("time_s,runs,chi1\n0.1,10,-3\n")
    assert run(["calibrate", str(bad), "--model", "relaxation", "--json"]) == 2
    assert "counts.chi1" in capsys.readouterr().err


def test_calibrate_cli_budget_deprecated_and_output_independent_of_the_clock(
    tmp_path, capsys, monkeypatch
):
    """--budget (seconds) is accepted, ignored and warned about (JSON ``warnings`` and one
    stderr line); the JSON is the same with every clock of the ``time`` module racing
    (a loaded machine), and it reports the search (resolution, evaluations)."""
    import time

    f = _population_csv(tmp_path / "pops.csv", a={0: -600.0}, runs=500, seed=0)
    argv = ["calibrate", str(f), "--model", "relaxation", "--free", "a0", "--json"]
    assert run(argv) == 0
    ref, err = capsys.readouterr()
    d = json.loads(ref)
    assert d["search"]["resolution_bohr"]["a0"] <= 5.0 and d["search"]["evaluations"]["total"]
    assert d["status"] == "calibrated" and "effective a0" in d["values_status"]["a0"]["meaning"]
    assert d["rests_on"]["trap.temperature_k"] == "paper"
    assert run([*argv, "--budget", "1e-9"]) == 0
    out, err = capsys.readouterr()
    assert "--budget" in err and "deprecated" in err
    d2 = json.loads(out)
    assert any("deprecated" in w for w in d2["warnings"])
    d2["warnings"] = d["warnings"]
    assert d2 == d
    clock = [0.0]

    def racing():
        clock[0] += 10.0
        return clock[0]

    for name in ("perf_counter", "monotonic", "time", "process_time"):
        monkeypatch.setattr(time, name, racing)
    assert run(argv) == 0
    assert capsys.readouterr().out == ref


def test_nodes_limits_are_the_options_limits():
    """``--nodes`` and ErgodicOptions accept the same range (the CLI writes it down so that
    building the parser imports no model)."""
    from spinpair.cli import dynamics as cli_dynamics
    from spinpair.dynamics import options

    assert (cli_dynamics.MIN_NODES, cli_dynamics.MAX_NODES) == (
        options.MIN_NODES,
        options.MAX_NODES,
    )
