"""Parameter sweeps: grid order, executors agree, validation before running, atomic output."""

import csv
import json

import numpy as np
import pytest

from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.sweep import SweepSpec, run_sweep


def spec_text(axes: str, head: str = 'compute = "raman"\narea = [0.0, 1.5707963]\n') -> str:
    return head + "[axes]\n" + axes


def test_grid_order_and_values_match_direct_runs():
    from spinpair.params import CollisionParams, Params
    from spinpair.sequence import Sequence

    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"collisions.chi1_coherence" = [0.0, 0.5, 1.0]')
    )
    rows = run_sweep(spec)
    assert [r["collisions.chi1_coherence"] for r in rows] == [0.0, 0.5, 1.0]
    for r in rows:
        p = Params(
            collisions=CollisionParams(model="given", chi1_coherence=r["collisions.chi1_coherence"])
        )
        direct = Sequence.from_params(p).run(area=[0.0, 1.5707963])
        assert np.allclose(r["P1"], direct.P1, atol=1e-14)
    # linear in c: the middle point is the average of the ends
    assert np.allclose(rows[1]["P1"], (np.array(rows[0]["P1"]) + rows[2]["P1"]) / 2)


def test_process_pool_gives_identical_rows():
    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.05, 0.1]')
    )
    assert run_sweep(spec, workers=2) == run_sweep(spec, workers=1)


@pytest.mark.parametrize(
    "axes, field",
    [
        ('"trap.colour" = [1]', "trap.colour"),
        ('"trap.temperature_k" = [40e-6, -1.0]', "temperature_k"),
        ('"imperfections.p_loss" = []', "axes.imperfections.p_loss"),
    ],
)
def test_bad_axes_rejected_before_running(axes, field):
    with pytest.raises(InputError, match=field):
        SweepSpec.from_toml_string(spec_text(axes))


def test_cli_sweep_csv_and_no_partial_output(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text(
        'compute = "dynamics"\ntimes_s = [0.0, 0.1]\nmodel = "relaxation"\n'
        '[axes]\n"collisions.rate_scale" = [1.0, 10.0]\n'
    )
    out = tmp_path / "r.csv"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and set(rows[0]) >= {"collisions.rate_scale", "time_s", "chi1"}
    assert float(rows[3]["chi1"]) > float(rows[1]["chi1"]) > 0
    bad = tmp_path / "bad.toml"
    bad.write_text('compute = "dynamics"\ntimes_s = [0.1, 0.0]\n')
    target = tmp_path / "bad.json"
    code = run(["sweep", str(bad), "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "times" in err and not target.exists()
    assert run(["sweep", str(f), "--out", str(tmp_path / "x.txt")]) == 2


def test_json_output_round_trips(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(spec_text('"collisions.model" = ["given"]'))
    out = tmp_path / "r.json"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["compute"] == "raman" and len(d["points"]) == 1


def test_dask_scheduler_gives_identical_rows():
    distributed = pytest.importorskip("dask.distributed")
    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.1]')
    )
    with distributed.LocalCluster(
        n_workers=1, processes=False, dashboard_address=None
    ) as cluster:
        assert run_sweep(spec, scheduler=cluster.scheduler_address) == run_sweep(spec)


def test_scheduler_without_dask_or_bad_workers_is_input_error(monkeypatch):
    import builtins

    spec = SweepSpec.from_toml_string(spec_text('"collisions.model" = ["given"]'))
    with pytest.raises(InputError, match="--workers"):
        run_sweep(spec, workers=0)
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(InputError, match="--scheduler"):
        run_sweep(spec, scheduler="tcp://127.0.0.1:1")
