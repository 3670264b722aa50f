"""A sweep across a collision model's regime of validity: refused before anything runs
(naming the grid point and the way out), or computed on request and labelled illustrative."""

from __future__ import annotations

import json

import numpy as np
import pytest

from spinpair.cli import run
from spinpair.dynamics import CollisionSetup
from spinpair.dynamics.regime import check_regime
from spinpair.errors import InputError
from spinpair.params import Params
from spinpair.sweep import SweepSpec, run_sweep
from spinpair.sweep.io import status_of

#: 100 nK: the classical contact density of the relaxation model is far off (refused);
#: 40 µK: the paper's temperature (ok).
COLD_K, PAPER_K = 1e-7, 4e-5

DYNAMICS = f"""compute = "dynamics"
model = "relaxation"
times_s = [0.0, 0.05]
{{extra}}
[axes]
"trap.temperature_k" = [{PAPER_K}, {COLD_K}]
"""


def test_the_cold_point_is_outside_the_relaxation_regime():
    """The premise of this file, from the regime check itself."""
    for t, status in ((PAPER_K, "ok"), (COLD_K, "refuse")):
        setup = CollisionSetup.from_params(Params().replace({"trap.temperature_k": t}))
        assert check_regime("relaxation", setup, [0.05]).status == status


def test_a_sweep_over_a_refused_point_is_refused_before_it_runs():
    with pytest.raises(InputError) as e:
        SweepSpec.from_toml_string(DYNAMICS.format(extra=""))
    text = str(e.value)
    assert "collisions.model" in text
    assert f"trap.temperature_k = {COLD_K}" in text  # the grid point
    assert "outside_regime" in text  # the way out


def test_a_raman_sweep_checks_its_collision_model_too():
    text = f"""compute = "raman"
tau_s = [1e-6]
[axes]
"collisions.model" = ["relaxation"]
"trap.temperature_k" = [{COLD_K}]
"""
    with pytest.raises(InputError, match="outside_regime"):
        SweepSpec.from_toml_string(text)
    # "given" populations have no dynamics, so no regime: the same point runs
    given = text.replace('["relaxation"]', '["given"]')
    rows = run_sweep(SweepSpec.from_toml_string(given))
    assert len(rows) == 1 and np.isclose(
        sum(r[0] for r in (rows[0]["P0"], rows[0]["P1"], rows[0]["P2"])), 1.0
    )


def test_outside_regime_warn_computes_the_point_and_labels_the_sweep_illustrative():
    spec = SweepSpec.from_toml_string(DYNAMICS.format(extra='outside_regime = "warn"'))
    rows = run_sweep(spec)
    assert [r["trap.temperature_k"] for r in rows] == [PAPER_K, COLD_K]
    for r in rows:  # populations of a trace-preserving evolution
        total = sum(np.array(v) for v in r["populations"].values())
        assert np.all(total <= 1 + 1e-9) and r["populations"]["00"][0] == pytest.approx(1.0)
    status = status_of(spec)
    assert status["method_status"] == "illustrative"
    assert any("outside_regime" in w for w in status["warnings"])
    # a sweep that stays inside is not downgraded
    inside = SweepSpec.from_toml_string(DYNAMICS.format(extra="").replace(f", {COLD_K}", ""))
    assert status_of(inside)["method_status"] == "computed"


def test_a_bad_outside_regime_value_names_the_choices():
    with pytest.raises(InputError, match=r"outside_regime.*\['raise', 'warn'\]"):
        SweepSpec.from_toml_string(DYNAMICS.format(extra='outside_regime = "ignore"'))


def test_cli_refuses_with_exit_2_and_no_output(tmp_path, capsys):
    f = tmp_path / "cold.toml"
    f.write_text(DYNAMICS.format(extra=""))
    out = tmp_path / "cold.csv"
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "outside_regime" in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.glob("cold.csv*"))
    f.write_text(DYNAMICS.format(extra='outside_regime = "warn"'))
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    side = json.loads((tmp_path / "cold.csv.provenance.json").read_text())
    assert side["provenance"]["method_status"] == "illustrative"
