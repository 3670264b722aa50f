"""``spinpair simulate`` / ``fit`` / ``plan``: the CLI.md contract end to end."""

import json

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
    ],
)
def test_fit_rejects_malformed_csv_without_output(tmp_path, capsys, content, needle):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    plot = tmp_path / "s4.png"
    code = run(["fit", str(f), "--params", PRESET, "--json", "--plot", str(plot)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err and not plot.exists()
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
