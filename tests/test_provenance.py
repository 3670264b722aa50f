"""Statuses never above what a number rests on: one ordered list, the weakest input
decides, computed by code for dynamics results, sequence results and simulated data."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from spinpair.dynamics import evolve_params
from spinpair.errors import InputError
from spinpair.paper import paper_like_params, paper_predicted_params, preset_path
from spinpair.params import Params
from spinpair.provenance import STATUSES, Provenance, rank, weakest
from spinpair.sequence import MeasurementSequence


def test_one_ordered_list():
    assert STATUSES[0] == "paper" and STATUSES[-1] == "placeholder"
    assert STATUSES.index("computed") < STATUSES.index("setting") < STATUSES.index("tuned")
    assert weakest(["paper", "measured"]) == "measured"
    assert weakest(["tuned", "calibrated", "computed"]) == "tuned"
    assert weakest([]) == "setting"
    with pytest.raises(InputError, match="status"):
        weakest(["paper", "guessed"])


@pytest.mark.parametrize(
    "inputs",
    [
        {"a": "paper"},
        {"a": "paper", "b": "computed", "c": "illustrative"},
        {"a": "measured", "b": "placeholder"},
        {"a": "setting", "b": "tuned"},
    ],
)
def test_status_is_the_weakest_input_and_weak_inputs_warn(inputs):
    p = Provenance.build(inputs, method="m")
    assert all(rank(p.status) >= rank(s) for s in inputs.values())
    assert p.status in inputs.values() or p.status == "computed"
    weak = [k for k, s in inputs.items() if s in ("tuned", "illustrative", "placeholder")]
    assert len(p.warnings) == len(weak) and all(any(k in w for w in p.warnings) for k in weak)


def test_dynamics_results_carry_their_status():
    """The coupled-channel prediction is computed; the paper-calibrated preset's a_F,
    fitted to illustrative targets, make its result illustrative and say so; a user's
    own temperature makes the result a setting (not the paper's experiment)."""
    t = [0.0, 0.1]
    r = evolve_params(paper_predicted_params(), t, model="relaxation")
    assert r.provenance.status == "computed" and r.provenance.warnings == ()
    cal = Params.from_toml(preset_path("paper-calibrated"))
    r = evolve_params(cal, t, model="relaxation")
    assert r.provenance.status == "illustrative"
    assert any("scattering_lengths_bohr.a0" in w for w in r.provenance.warnings)
    hot = paper_predicted_params().replace({"trap.temperature_k": 30e-6})
    assert evolve_params(hot, t, model="relaxation").provenance.status == "setting"


def test_sequence_results_carry_their_status():
    """Fig. 2b from the paper-like preset rests on illustrative imperfections; an ideal
    apparatus with a named state still rests on the Rabi frequency, tuned to Fig. 4."""
    r = MeasurementSequence.from_params(paper_like_params()).run(tau_s=[0.0, 1e-6])
    assert r.provenance.status == "illustrative"
    assert r.provenance.inputs["imperfections.p_loss"] == "illustrative"
    ideal = MeasurementSequence.from_params(paper_like_params(), state="chi1", ideal=True)
    p = ideal.run(area=[0.0]).provenance
    assert p.status == "tuned" and "raman.rabi_frequency_hz" in p.inputs
    assert not any(k.startswith("imperfections") for k in p.inputs)
    assert not any(k.startswith("collisions.populations") for k in p.inputs)


def _cli(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "spinpair.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def test_simulated_csv_has_a_provenance_sidecar(tmp_path):
    out = tmp_path / "d.csv"
    r = _cli(
        "simulate", "--params", str(preset_path("paper-like")), "--tau", "0", "1e-6",
        "--runs", "10", "--seed", "3", "--out", str(out), "--json", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    side = json.loads((tmp_path / "d.csv.provenance.json").read_text())
    assert side["data_file"] == "d.csv" and side["options"]["seed"] == 3
    assert side["provenance"]["status"] == "illustrative"
    assert side["provenance"] == json.loads(r.stdout)["provenance"]
    assert Params.from_dict(side["params"]) == paper_like_params()
    long = "x" * 245 + ".csv"  # legal, but the sidecar's name would not be
    r = _cli("simulate", "--tau", "0", "--runs", "1", "--seed", "1", "--out", long, cwd=tmp_path)
    assert r.returncode == 2 and "at most 239 bytes" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv", "d.csv.provenance.json"]


def test_dynamics_json_has_provenance(tmp_path):
    r = _cli(
        "dynamics", "--params", str(preset_path("paper-predicted")), "--model", "relaxation",
        "--times", "0", "0.1", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    prov = json.loads(r.stdout)["provenance"]
    assert prov["status"] == "computed"
    assert prov["inputs"]["scattering_lengths_bohr.a0"] == "computed"
    assert np.isfinite(json.loads(r.stdout)["time_s"]).all()


def test_the_037_reading_is_selectable_and_labelled():
    """Both readings of the paper's 0.37 give 0.37 where they say: among prepared pairs,
    or overall (× prep_efficiency² of pairs prepared in |0,0⟩), through the sequence's
    ideal readout; both are labelled paper with the reading named."""
    from spinpair.paper import chi1_population, parameter_rows

    for reading in ("prepared", "overall"):
        p = paper_like_params(chi1_reading=reading)
        pops = p.collisions.populations
        assert sum(pops.values()) == pytest.approx(1.0, abs=1e-12)
        overall = pops["chi1"] * p.imperfections.prep_efficiency**2
        assert (pops["chi1"] if reading == "prepared" else overall) == pytest.approx(0.37)
        row = {r["key"]: r for r in parameter_rows(p, "paper-like")}
        chi1 = row["collisions.populations.chi1"]
        assert chi1["status"] == "paper" and reading.replace("prepared", "among") in chi1["source"]
    assert chi1_population("overall", 1.0) == pytest.approx(0.37)
    with pytest.raises(InputError, match="chi1_reading"):
        chi1_population("both")


def test_sweep_csv_has_a_deterministic_provenance_sidecar(tmp_path):
    """A CSV sweep comes with OUT.csv.provenance.json: the base parameters' statuses,
    the swept keys as settings, the sweep's fingerprint; the same bytes whatever the
    chunk size."""
    from spinpair.sweep import SweepSpec, sweep_to_file

    f = tmp_path / "s.toml"
    f.write_text(
        f'params = "{preset_path("paper-like")}"\ncompute = "raman"\ntau_s = [0.0, 1e-6]\n'
        '[axes]\n"imperfections.p_loss" = [0.0, 0.01, 0.02]\n'
    )
    spec = SweepSpec.from_toml(f)
    sides = []
    for chunk in (1, 3):
        out = tmp_path / f"c{chunk}" / "o.csv"
        out.parent.mkdir()
        sweep_to_file(spec, out, chunk_size=chunk)
        sides.append((out.parent / "o.csv.provenance.json").read_bytes())
    assert sides[0] == sides[1]
    doc = json.loads(sides[0])
    assert doc["data_file"] == "o.csv" and doc["sweep_sha256"] == spec.fingerprint()
    prov = doc["provenance"]
    assert prov["inputs"]["imperfections.p_loss"] == "setting"
    assert prov["status"] == "illustrative"  # the paper-like imperfections
