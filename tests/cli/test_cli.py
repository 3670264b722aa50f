"""The command line contract of docs/cli.md: JSON keys, exit codes, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from spinpair.cli import run


def call(capsys, *argv):
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_raman_ideal_reproduces_fig2a(capsys):
    code, out, _err = call(
        capsys,
        "raman",
        "--ideal",
        "--state",
        "chi1",
        "--area",
        "0",
        "0.785398",
        "1.570796",
        "3.141593",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    assert set(d) == {"schema_version", "area", "P0", "P1", "P2", "provenance"}
    assert d["provenance"]["status"] == "setting"  # exact choices (δ = 0), nothing tuned
    assert d["P1"] == pytest.approx([1.0, 0.5, 0.0, 1.0], abs=1e-6)
    assert d["P2"] == pytest.approx([0.0, 0.25, 0.5, 0.0], abs=1e-6)
    assert np.allclose(np.sum([d["P0"], d["P1"], d["P2"]], axis=0), 1.0)


def test_raman_ideal_tau_uses_rabi_frequency(capsys):
    tau_half_pi = 0.25 / 156e3  # Ωτ = π/2 at Ω/2π = 156 kHz
    code, out, _ = call(
        capsys, "raman", "--ideal", "--state", "mixed", "--tau", "0", str(tau_half_pi), "--json"
    )
    d = json.loads(out)
    assert code == 0 and "tau_s" in d
    assert d["P1"] == pytest.approx([1.0, 0.5])


def test_state_json(capsys):
    code, out, _ = call(capsys, "state", "chi1", "--json")
    d = json.loads(out)
    assert code == 0
    assert d["negativity"] == pytest.approx(0.5)
    assert d["fidelity_chi1"] == pytest.approx(1.0)
    assert d["purity"] == pytest.approx(1.0)
    code, out, _ = call(capsys, "state", "mixed", "--json")
    d = json.loads(out)
    assert d["negativity"] == pytest.approx(0.0) and d["fidelity_chi1"] == pytest.approx(0.5)
    code, out, _ = call(capsys, "state", "1,1", "--f", "1", "--json")
    assert json.loads(out)["negativity"] == pytest.approx(0.0)


def test_zeeman_json(capsys):
    code, out, _ = call(capsys, "zeeman", "--species", "rb85", "--field", "0.5", "--json")
    d = json.loads(out)
    assert code == 0
    assert set(d["pair_shift_hz"]) == {"chi1", "chi2"}
    assert d["pair_shift_hz"]["chi1"] == pytest.approx(35.94, abs=0.05)


def test_params_show_json_and_toml(capsys, tmp_path):
    code, out, _ = call(capsys, "params", "--show", "--json")
    d = json.loads(out)
    assert code == 0 and d["params"]["imperfections"]["prep_efficiency"] == 0.93
    code, out, _ = call(capsys, "params", "--show")
    f = tmp_path / "p.toml"
    f.write_text(out)
    code, out2, _ = call(capsys, "params", "--show", "--params", str(f), "--json")
    assert code == 0 and json.loads(out2)["params"] == d["params"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["zeeman", "--species", "k40", "--field", "1", "--json"], "species"),
        (["zeeman", "--species", "rb85", "--field", "-1", "--json"], "field"),
        (["zeeman", "--species", "rb85", "--field", "abc", "--json"], "--field"),
        (["raman", "--ideal", "--area", "nan", "--json"], "area"),
        (["raman", "--ideal", "--tau", "-1e-6", "--json"], "tau"),
        (["raman", "--ideal", "--state", "chi9", "--area", "1", "--json"], "state"),
        (["state", "banana", "--json"], "state"),
        (["raman", "--ideal", "--json"], "--area"),
    ],
)
def test_bad_input_exit_2_one_line(capsys, argv, needle):
    code, out, err = call(capsys, *argv)
    assert code == 2
    assert out == ""
    assert needle in err
    assert len(err.strip().splitlines()) == 1


def test_bad_params_file_exit_2(capsys, tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("[imperfections]\np_loss = -0.1\n")
    code, out, err = call(capsys, "params", "--show", "--params", str(f))
    assert code == 2 and "imperfections.p_loss" in err and out == ""


def test_console_script_runs():
    r = subprocess.run(
        [sys.executable, "-m", "spinpair.cli", "state", "chi2", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0
    assert json.loads(r.stdout)["name"] == "chi2"


def test_reproduce_writes_report(report_dir):
    # the session's one `spinpair reproduce` run (tests/conftest.py)
    res = json.loads((report_dir / "results.json").read_text())
    assert {"fig1b_populations_at_100ms", "fig2a", "fig2b", "fig3a", "figS4"} <= set(res)
    for fig in ("fig1b", "fig2a", "fig2b", "fig2b_data", "fig3", "figS4", "fig4"):
        assert (report_dir / f"{fig}.png").stat().st_size > 10_000
    # the range of the prediction (nothing fitted) contains the paper's chi1 at 100 ms
    pr = res["prediction"]["chi1"]
    assert pr["lower"] < 0.37 < pr["upper"] and pr["status"] == "computed"
    assert res["figS4"]["fit"]["unentangled_rejection_sigma"] > 3
    periods = {(r["state"], r["signal"]): r["period_hz"] for r in res["fig4_periods"]}
    assert periods[("chi1", "P1")] == pytest.approx(71e3, rel=0.03)  # paper: 71 kHz
    assert periods[("single", "survival")] / periods[("chi1", "P1")] == pytest.approx(2, rel=0.01)
    assert not list(report_dir.glob(".*"))  # no temporary files left


def test_raman_params_compare_entangled_vs_unentangled(capsys):
    from spinpair.paper import preset_path

    code, out, _ = call(
        capsys,
        "raman",
        "--params",
        str(preset_path("paper-like")),
        "--compare",
        "--area",
        "0",
        "1.5707963",
        "--json",
    )
    assert code == 0
    d = json.loads(out)
    ent, unent = d["entangled"], d["unentangled"]
    # identical before the pulse, different at the π/2 point
    for k in ("P0", "P1", "P2"):
        assert ent[k][0] == pytest.approx(unent[k][0], abs=1e-12)
    assert ent["P1"][1] < unent["P1"][1] - 0.05
    assert np.allclose(np.sum([ent["P0"], ent["P1"], ent["P2"]], axis=0), 1.0)


def test_raman_destroy_moves_toward_unentangled(capsys):
    from spinpair.paper import preset_path

    argv = ["raman", "--params", str(preset_path("paper-like")), "--area", "1.5707963", "--json"]
    _, out_keep, _ = call(capsys, *argv)
    _, out_destroy, _ = call(capsys, *argv, "--destroy")
    _, out_c0, _ = call(capsys, *argv, "--coherence", "0")
    keep, destroy, c0 = (json.loads(o)["P1"][0] for o in (out_keep, out_destroy, out_c0))
    assert keep < destroy  # destruction fills the π/2 dip of the 1-atom curve
    assert c0 > keep
