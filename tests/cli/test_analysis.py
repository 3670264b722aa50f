"""``spinpair simulate`` / ``fit`` / ``plan``: the docs/cli.md contract end to end."""

import json

import numpy as np
import pytest

from spinpair.cli import run
from spinpair.paper import preset_path

PRESET = str(preset_path("paper-like"))
TAUS = [str(x * 1e-6) for x in (0.0, 0.4, 0.8, 1.2, 1.6, 2.0, 2.4, 2.8, 3.2)]


@pytest.mark.parametrize("truth", [1.0, 0.5])
def test_simulate_then_fit_recovers_fidelity(tmp_path, capsys, truth):
    out = tmp_path / "d.csv"
    code = run(
        [
            "simulate",
            "--params",
            PRESET,
            "--tau",
            *TAUS,
            "--runs",
            "3000",
            "--seed",
            "7",
            "--fidelity",
            str(truth),
            "--out",
            str(out),
        ]
    )
    assert code == 0 and out.exists()
    capsys.readouterr()
    code = run(["fit", str(out), "--params", PRESET, "--json", "--plot", str(tmp_path / "s4.png")])
    d = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(d) >= {
        "fidelity",
        "fidelity_interval_68",
        "fidelity_lower_95",
        "chi2_table",
        "unentangled_rejection_sigma",
    }
    lo, hi = d["fidelity_interval_68"]
    assert lo - 0.02 <= truth <= hi + 0.02
    assert set(d["chi2_table"]) == {"entangled", "unentangled"}
    assert set(d["chi2_table"]["entangled"]["P2"]) == {"chi2", "dof", "p_value"}
    assert (tmp_path / "s4.png").stat().st_size > 10_000
    if truth == 1.0:
        assert d["unentangled_rejection_sigma"] > 5
    else:
        assert d["unentangled_rejection_sigma"] < 3


@pytest.mark.parametrize(
    "content, needle",
    [
        ("", "data"),
        ("tau_s,runs,n0,n1\n0,10,1,9\n", "n2"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,-1,10\n", "n1"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,7\n", "runs"),
        ("tau_s,runs,n0,n1,n2\nnan,10,1,1,8\n", "tau_s"),
        ("tau_s,runs,n0,n1,n2\n0,10,1,1,8\n1e-6,10,1,1.5,7.5\n", "row 2, column n1"),
        ("tau_s,area,runs,n0,n1,n2\n0,0,10,1,1,8\n", "header"),
        ("runs,n0,n1,n2\n10,1,1,8\n", "header"),
    ],
)
def test_fit_rejects_malformed_csv_without_output(tmp_path, capsys, content, needle):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    plot = tmp_path / "s4.png"
    plot_data = tmp_path / "data.png"
    code = run(
        [
            "fit",
            str(f),
            "--params",
            PRESET,
            "--json",
            "--plot",
            str(plot),
            "--plot-data",
            str(plot_data),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # nothing written
    assert len(err.strip().splitlines()) == 1


def test_simulate_bad_input_writes_nothing(tmp_path, capsys):
    out = tmp_path / "d.csv"
    assert (
        run(
            [
                "simulate",
                "--params",
                PRESET,
                "--tau",
                "1e-6",
                "--runs",
                "0",
                "--seed",
                "1",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert (
        run(
            [
                "simulate",
                "--params",
                PRESET,
                "--tau",
                "-1e-6",
                "--runs",
                "5",
                "--seed",
                "1",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert (
        run(
            [
                "simulate",
                "--params",
                PRESET,
                "--tau",
                "1e-6",
                "--runs",
                "5",
                "--seed",
                "1",
                "--fidelity",
                "1.5",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert not out.exists()
    assert "fidelity" in capsys.readouterr().err


def test_fit_all_curves_with_nuisances_and_data_plot(tmp_path, capsys):
    out = tmp_path / "d.csv"
    argv = ["simulate", "--params", PRESET, "--area", "0", "0.8", "1.57", "2.4", "3.14"]
    assert run([*argv, "--runs", "500", "--seed", "3", "--fidelity", "0.8", "--out", str(out)]) == 0
    text = out.read_text().splitlines()
    assert text[0] == "area,runs,n0,n1,n2" and len(text) == 6
    capsys.readouterr()
    code = run(
        [
            "fit",
            str(out),
            "--params",
            PRESET,
            "--curve",
            "all",
            "--json",
            "--nuisance",
            "p_loss=0.02,0.01",
            "push_efficiency=0.9:1",
            "--interval",
            "clopper-pearson",
            "--plot-data",
            str(tmp_path / "data.png"),
        ]
    )
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["curve"] == "all" and set(d["nuisance"]) == {"p_loss", "push_efficiency"}
    lo, hi = d["fidelity_interval_68"]
    assert lo <= d["fidelity"] <= hi and d["fidelity_lower_95"] <= lo
    assert d["chi2_best_fit"]["all"]["dof"] == 2 * 5 - 3  # rows x 2 minus F and 2 nuisances
    pts = d["points"]
    assert pts["interval"] == "clopper-pearson" and len(pts["lower"]) == 5
    lo, frac, hi = (np.array(pts[k]) for k in ("lower", "fraction", "upper"))
    assert lo.shape == (5, 3) and np.all(lo <= frac) and np.all(frac <= hi)
    assert (tmp_path / "data.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--curve", "3"], "--curve"),
        (["--nuisance", "p_loss=abc"], "--nuisance"),
        (["--nuisance", "rabi=0.1,0.01"], "--nuisance"),
        (["--plot", "x.txt"], "--plot"),
        (["--cl", "1.5"], "--cl"),
    ],
)
def test_fit_bad_options_exit_2(tmp_path, capsys, extra, needle):
    f = tmp_path / "d.csv"
    f.write_text("area,runs,n0,n1,n2\n1.57,10,1,2,7\n")
    code = run(["fit", str(f), "--params", PRESET, "--json", *extra])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_plan_json(capsys):
    code = run(
        [
            "plan",
            "--params",
            PRESET,
            "--area",
            "1.5707963",
            "--trials",
            "40",
            "--candidates",
            "50",
            "3000",
            "--json",
        ]
    )
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["power"][0] < d["power"][1]


def test_fit_warns_when_the_model_cannot_see_the_fidelity(tmp_path, capsys):
    """A collision model that makes no chi1 (all a_F equal, zero-range rates) cannot
    constrain the fidelity: the fit must say so. The first-principles defaults (coupled-
    channel S-matrix rates: chi1 ≈ 0.39 after 100 ms) and the paper-like preset can."""
    out = tmp_path / "d.csv"
    argv = ["simulate", "--tau", "0", "1.6e-6", "--runs", "50", "--seed", "1", "--out", str(out)]
    assert run(argv) == 0
    capsys.readouterr()
    flat = tmp_path / "flat.toml"
    flat.write_text(
        '[collisions]\nrates = "zero-range"\n'
        "[scattering_lengths_bohr]\na0 = -470.0\na2 = -470.0\na4 = -470.0\n"
    )
    assert run(["fit", str(out), "--params", str(flat), "--json"]) == 0
    assert "cannot constrain the fidelity" in capsys.readouterr().err
    assert run(["fit", str(out), "--json"]) == 0
    assert "cannot constrain" not in capsys.readouterr().err
    assert run(["fit", str(out), "--params", str(preset_path("paper-like")), "--json"]) == 0
    assert "cannot constrain" not in capsys.readouterr().err


def test_fit_without_degrees_of_freedom_gives_null_p_values(tmp_path, capsys):
    """One pulse duration: a per-curve χ² of the best fit has 0 degrees of freedom, so its
    p-value is undefined: null in JSON (never 1.0), "n/a" in the text output."""
    f = tmp_path / "one.csv"
    f.write_text("tau_s,runs,n0,n1,n2\n1.6e-6,200,30,23,147\n")
    assert run(["fit", str(f), "--params", PRESET, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    best = out["chi2_best_fit"]
    assert best["P2"]["dof"] == 0 and best["P2"]["p_value"] is None
    assert best["all"]["dof"] == 1 and 0 < best["all"]["p_value"] < 1
    assert out["fidelity_scan"]["dof"] == 0 and out["fidelity_scan"]["p_value"] is None
    assert run(["fit", str(f), "--params", PRESET]) == 0
    assert "chi2_min" in capsys.readouterr().out
