"""Parameter sweeps: grid order, executors agree (in process, local processes, Dask), chunked
files that resume after a kill, size limits, signals, NetCDF output."""

import csv
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import spinpair.sweep as sweep
from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.sweep import (
    LocalPool,
    SweepSpec,
    parts_folder,
    run_sweep,
    sweep_to_file,
    to_dataset,
)

REPO = Path(__file__).resolve().parents[2]


def spec_text(axes: str, head: str = 'compute = "raman"\narea = [0.0, 1.5707963]\n') -> str:
    return head + "[axes]\n" + axes


def leftovers(folder: Path) -> list[Path]:
    """Temporary files (atomic writes name them .NAME.xxxx) anywhere under folder."""
    return [p for p in folder.rglob(".*")]


def test_grid_order_and_values_match_direct_runs():
    from spinpair.params import CollisionParams, Params
    from spinpair.sequence import MeasurementSequence

    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"collisions.chi1_coherence" = [0.0, 0.5, 1.0]')
    )
    rows = run_sweep(spec)
    assert [r["collisions.chi1_coherence"] for r in rows] == [0.0, 0.5, 1.0]
    for r in rows:
        p = Params(
            collisions=CollisionParams(model="given", chi1_coherence=r["collisions.chi1_coherence"])
        )
        direct = MeasurementSequence.from_params(p).run(area=[0.0, 1.5707963])
        assert np.allclose(r["P1"], direct.P1, atol=1e-14)
    # linear in c: the middle point is the average of the ends
    assert np.allclose(rows[1]["P1"], (np.array(rows[0]["P1"]) + rows[2]["P1"]) / 2)


def test_point_index_is_row_major_like_itertools_product():
    import itertools

    spec = SweepSpec.from_toml_string(
        spec_text(
            '"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.1, 0.2]\n'
            '"collisions.chi1_coherence" = [0.0, 1.0]'
        )
    )
    combos = list(itertools.product(*spec.axes.values()))
    assert spec.n_points == len(combos) == 6
    assert [tuple(spec.point(i).values()) for i in range(6)] == combos


def test_process_pool_gives_identical_rows():
    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.05, 0.1]')
    )
    assert run_sweep(spec, workers=2, chunk_size=1) == run_sweep(spec, workers=1)


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie. (``Process.is_alive`` can stay
    True for a worker that the executor's own thread has already reaped: its waitpid then
    fails with ECHILD and multiprocessing reports "still running".)"""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_local_workers_run_one_blas_thread_and_never_outlive_the_pool():
    before = {k: os.environ.get(k) for k in sweep.BLAS_ENV}
    pool = LocalPool(2)
    with pytest.raises(RuntimeError, match="boom"), pool as ex:
        infos = [ex.submit(sweep.executors._worker_threads).result() for _ in range(6)]
        procs = pool.processes()
        assert {k: os.environ.get(k) for k in sweep.BLAS_ENV} == before  # never edited
        assert len(procs) == 2 and all(p.is_alive() for p in procs)
        raise RuntimeError("boom")
    assert not any(_running(p.pid) for p in procs)
    for info in infos:
        assert set(info["env"].values()) == {"1"}
        assert info["blas_threads"] and set(info["blas_threads"]) == {1}
    assert {k: os.environ.get(k) for k in sweep.BLAS_ENV} == before  # parent untouched


def _blas_threads() -> set[int]:
    from threadpoolctl import threadpool_info

    return {d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"}


def test_every_chunk_runs_with_one_blas_thread_and_the_cap_is_undone(monkeypatch):
    from threadpoolctl import threadpool_limits

    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.1]')
    )
    seen = []
    real = sweep.evaluate.evaluate_point

    def spy(spec, point):
        seen.append(_blas_threads())
        return real(spec, point)

    monkeypatch.setattr(sweep.evaluate, "evaluate_point", spy)
    with threadpool_limits(limits=2, user_api="blas"):
        outside = _blas_threads()
        if outside != {2}:
            pytest.skip(f"this BLAS cannot run 2 threads here ({outside})")
        rows = sweep.evaluate_chunk(spec, 0, 2)
        assert _blas_threads() == {2}  # restored after the chunk
    assert seen == [{1}, {1}] and len(rows) == 2


CAP_AFTER_LATE_IMPORT = """
import numpy
from threadpoolctl import threadpool_info
from spinpair._threads import single_thread
from spinpair.sweep import one_blas_thread

def blas():
    return sorted({d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"})

@single_thread
def inner():
    return blas()

with one_blas_thread():
    import scipy.linalg  # its own OpenBLAS, loaded inside the cap (a chunk's first import)
    print(inner())
    print(blas())
print(blas())
"""


def test_blas_loaded_inside_a_chunk_is_capped_too():
    """scipy's OpenBLAS loaded after a chunk's cap was set still runs one thread in the
    engine's nested caps, and every library gets its default back afterwards."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2", "SPINPAIR_BLAS_THREADS": "1"}
    res = subprocess.run(
        [sys.executable, "-c", CAP_AFTER_LATE_IMPORT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    inner, outer_block, after = res.stdout.splitlines()
    if after != "[2]":
        pytest.skip(f"this BLAS does not run 2 threads here ({after})")
    assert inner == "[1]"
    assert outer_block == "[1, 2]"  # the outer cap predates scipy's library
    assert after == "[2]"


def _has_module(name: str) -> tuple[int, bool]:
    return os.getpid(), name in sys.modules


def test_local_workers_import_the_compute_module_as_they_start():
    name = sweep.COMPUTE_MODULES["dynamics"]
    pool = LocalPool(2, preload=(name,))
    with pool as ex:
        started = set(pool.wait_started())
        seen = dict(f.result() for f in [ex.submit(_has_module, name) for _ in range(8)])
    assert started and started <= set(seen)
    assert all(seen[pid] for pid in started)
    # nothing asked, nothing imported: a worker starts without the engine
    pool = LocalPool(2)
    with pool as ex:
        pid = pool.wait_started()[0]
        seen = dict(f.result() for f in [ex.submit(_has_module, name) for _ in range(8)])
    assert seen.get(pid) is False


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


def test_bad_value_in_a_large_grid_is_still_caught_before_running(monkeypatch):
    monkeypatch.setattr(sweep.spec, "FULL_VALIDATION_POINTS", 2)
    with pytest.raises(InputError, match="p_loss"):
        SweepSpec.from_toml_string(
            spec_text(
                '"imperfections.p_loss" = [0.0, 0.1, 1.5]\n"trap.temperature_k" = [4e-5, 5e-5]'
            )
        )


def test_cli_sweep_csv_and_no_partial_output(tmp_path, capsys):
    f = tmp_path / "s.toml"
    f.write_text(
        'compute = "dynamics"\ntimes_s = [0.0, 0.002]\nmodel = "relaxation"\n'
        '[axes]\n"collisions.rate_scale" = [1.0, 10.0]\n'
    )
    out = tmp_path / "r.csv"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 4 and set(rows[0]) >= {"collisions.rate_scale", "time_s", "chi1"}
    assert float(rows[3]["chi1"]) > float(rows[1]["chi1"]) > 0
    assert not parts_folder(out).exists() and not leftovers(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('compute = "dynamics"\ntimes_s = [0.1, 0.0]\n')
    target = tmp_path / "bad.json"
    capsys.readouterr()
    code = run(["sweep", str(bad), "--out", str(target)])
    err = capsys.readouterr().err
    assert code == 2 and "times" in err and len(err.splitlines()) == 1 and not target.exists()
    assert run(["sweep", str(f), "--out", str(tmp_path / "x.txt")]) == 2
    assert run(["sweep", str(f), "--out", str(tmp_path / "missing" / "x.csv")]) == 2
    assert not (tmp_path / "missing").exists()
    capsys.readouterr()
    many = tmp_path / "many.csv"
    assert run(["sweep", str(f), "--workers", "1000", "--out", str(many)]) == 2
    err = capsys.readouterr().err
    assert "--workers" in err and "from 1 to" in err and len(err.splitlines()) == 1
    assert not many.exists() and not parts_folder(many).exists()


@pytest.mark.parametrize("suffix", [".json", ".nc"])
def test_finished_output_is_not_recomputed(tmp_path, capsys, suffix):
    if suffix == ".nc":
        pytest.importorskip("h5netcdf")
    f = tmp_path / "s.toml"
    f.write_text(spec_text('"collisions.model" = ["given"]'))
    out = tmp_path / f"r{suffix}"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    if suffix == ".json":
        d = json.loads(out.read_text())
        assert d["compute"] == "raman" and len(d["points"]) == 1
        assert d["provenance"]["sweep_file"] == f.read_text()
    first = out.read_bytes()
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert "nothing to do" in capsys.readouterr().err and out.read_bytes() == first
    f.write_text(spec_text('"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.1]'))
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert "nothing to do" not in capsys.readouterr().err and out.read_bytes() != first


def test_netcdf_is_a_labelled_dataset_equal_to_the_rows(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    text = spec_text(
        '"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.05, 0.1]\n'
        '"collisions.chi1_coherence" = [0.0, 0.5]\n'
    )
    f = tmp_path / "s.toml"
    f.write_text(text)
    spec = SweepSpec.from_toml(f)
    out = tmp_path / "r.nc"
    rep = sweep_to_file(spec, out, chunk_size=4)  # chunks cross rows of the last axis
    assert rep.points == 6 and rep.skipped == 0
    ds = xr.open_dataset(out)
    rows = run_sweep(spec)
    # the in-memory Dataset is the file read back: values, coordinates and attributes
    xr.testing.assert_identical(ds, rows.to_xarray())
    xr.testing.assert_identical(ds, to_dataset(rows, spec))
    assert list(ds["P1"].dims) == [
        "collisions_model",
        "imperfections_p_loss",
        "collisions_chi1_coherence",
        "area",
    ]
    assert ds["imperfections_p_loss"].attrs["parameter_key"] == "imperfections.p_loss"
    assert list(ds["collisions_model_label"].values) == ["given"]  # a text axis: labels
    np.testing.assert_array_equal(ds["imperfections_p_loss"], [0.0, 0.05, 0.1])
    # probabilities, and the point (p_loss 0.1, c 0.5) is where the grid says
    total = ds["P0"] + ds["P1"] + ds["P2"]
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    r = rows[2 * 2 + 1]  # p_loss index 2, c index 1 (row-major)
    assert (r["imperfections.p_loss"], r["collisions.chi1_coherence"]) == (0.1, 0.5)
    np.testing.assert_array_equal(
        ds["P2"].sel({"imperfections_p_loss": 0.1, "collisions_chi1_coherence": 0.5})[0], r["P2"]
    )
    assert ds.attrs["sweep_file"] == text and ds.attrs["spinpair_version"]
    assert ds.attrs["sweep_sha256"] == spec.fingerprint() and "created" not in ds.attrs
    ds.close()


def test_netcdf_dynamics_has_a_state_dimension(tmp_path):
    xr = pytest.importorskip("xarray")
    pytest.importorskip("h5netcdf")
    spec = SweepSpec.from_toml_string(
        'compute = "dynamics"\ntimes_s = [0.0, 0.05, 0.1]\nmodel = "relaxation"\n'
        '[axes]\n"collisions.rate_scale" = [1.0, 3.0]\n'
    )
    out = tmp_path / "d.nc"
    sweep_to_file(spec, out)
    ds = xr.open_dataset(out)
    assert list(ds["population"].dims) == ["collisions_rate_scale", "state", "time_s"]
    np.testing.assert_allclose(ds["population"].sum("state"), 1.0, atol=1e-12)
    xr.testing.assert_identical(ds, run_sweep(spec).to_xarray())
    ds.close()


# --------------------------------------------------------------------------- size limits


def test_a_billion_points_is_refused_at_once(tmp_path, capsys):
    axes = "".join(f'"imperfections.p_loss{i}" = [{", ".join(["0.0"] * 10)}]\n' for i in range(9))
    f = tmp_path / "huge.toml"
    f.write_text(spec_text(axes))
    out = tmp_path / "h.csv"
    assert run(["sweep", str(f), "--out", str(out), "--yes"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "1e+09" in err and "split" in err
    assert not out.exists() and not parts_folder(out).exists()


def test_large_grid_needs_yes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep.budget, "CONFIRM_POINTS", 5)
    f = tmp_path / "s.toml"
    f.write_text(spec_text('"imperfections.p_loss" = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05]'))
    out = tmp_path / "r.csv"
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "--yes" in err and "6 grid points" in err
    assert not out.exists() and not parts_folder(out).exists()
    assert run(["sweep", str(f), "--out", str(out), "--yes"]) == 0 and out.exists()


def test_long_estimate_needs_yes(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sweep.budget, "CONFIRM_SECONDS", 1e-9)
    f = tmp_path / "s.toml"
    f.write_text(spec_text('"imperfections.p_loss" = [0.0, 0.1]'))
    out = tmp_path / "r.json"
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "s per point, measured" in err and "--yes" in err and len(err.splitlines()) == 1
    assert not out.exists() and not parts_folder(out).exists()
    assert run(["sweep", str(f), "--out", str(out), "--yes"]) == 0


# --------------------------------------------------------------------------- resume


def test_interrupted_sweep_keeps_chunks_and_resumes(tmp_path, capsys, monkeypatch):
    text = spec_text('"imperfections.p_loss" = [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.12]')
    f = tmp_path / "s.toml"
    f.write_text(text)
    out = tmp_path / "r.csv"
    real = sweep.evaluate.evaluate_chunk
    calls = []

    def flaky(spec, a, b):
        calls.append(a)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(spec, a, b)

    monkeypatch.setattr(sweep.evaluate, "evaluate_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        sweep_to_file(SweepSpec.from_toml(f), out, chunk_size=2)
    monkeypatch.setattr(sweep.evaluate, "evaluate_chunk", real)
    parts = parts_folder(out)
    kept = sorted(p.name for p in parts.glob("chunk-*"))
    assert kept == ["chunk-00000000.json", "chunk-00000001.json"]
    assert not out.exists() and not leftovers(tmp_path)

    # another sweep file onto the same --out is refused, nothing touched
    f.write_text(text.replace("0.12", "0.13"))
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "differs" in err and str(parts) in err and len(err.splitlines()) == 1
    assert len(list(parts.glob("chunk-*"))) == 2

    # comments do not count: same computation, resumes
    f.write_text("# resumed\n" + text)
    assert run(["sweep", str(f), "--out", str(out), "--chunk-size", "5"]) == 0
    err = capsys.readouterr().err
    assert "skipped 4 of 7 points" in err
    assert not parts.exists() and not leftovers(tmp_path)
    ref = tmp_path / "ref.csv"
    assert run(["sweep", str(f), "--out", str(ref)]) == 0
    assert out.read_bytes() == ref.read_bytes()


KILL_SWEEP = spec_text(
    '"collisions.chi1_coherence" = [0.0, 0.5, 1.0]\n'
    '"imperfections.p_loss" = [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09]\n'
    '"imperfections.prep_efficiency" = [0.85, 0.95]\n',
    head='compute = "raman"\ntau_s = [0.0, 0.8e-6, 1.6e-6, 2.4e-6]\n',
)


@pytest.fixture(scope="module")
def kill_reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ref")
    f = folder / "s.toml"
    f.write_text(KILL_SWEEP)
    out = folder / "ref.csv"
    sweep_to_file(SweepSpec.from_toml(f), out)
    return out.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_killed_cli_sweep_stops_every_worker_and_resumes_identically(
    tmp_path, capsys, kill_reference, sig, code
):
    psutil = pytest.importorskip("psutil")
    f = tmp_path / "s.toml"
    f.write_text(KILL_SWEEP)
    out = tmp_path / "r.csv"
    parts = parts_folder(out)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "spinpair.cli", "sweep", str(f), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--chunk-size", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(parts.glob("chunk-*.json"))) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 2  # the two workers (and multiprocessing's resource tracker)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, err
    lines = err.splitlines()
    assert lines[-1].startswith(f"spinpair: sweep interrupted by {sig.name}")
    assert sum("interrupted" in line for line in lines) == 1
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, alive
    assert not out.exists() and not leftovers(tmp_path)
    kept = len(list(parts.glob("chunk-*.json")))
    assert 3 <= kept < 60

    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    # every kept chunk is reused, except one the signal caught between its rename and the
    # record of its checksum (store.py: "chunk-written"), which is recomputed
    m = re.search(r"skipped (\d+) of 60 points", err)
    assert m is not None and kept - 1 <= int(m.group(1)) <= kept, err
    assert out.read_bytes() == kill_reference
    assert not parts.exists()


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_localcluster_gives_identical_rows_and_files(dask_client, tmp_path):
    spec = SweepSpec.from_toml_string(
        spec_text('"collisions.model" = ["given"]\n"imperfections.p_loss" = [0.0, 0.05, 0.1]')
    )
    local = run_sweep(spec)
    assert run_sweep(spec, client=dask_client, chunk_size=1) == local
    assert run_sweep(spec, scheduler=dask_client.scheduler.address) == local
    out_dask, out_local = tmp_path / "d.json", tmp_path / "l.json"
    sweep_to_file(spec, out_dask, client=dask_client, chunk_size=1)
    sweep_to_file(spec, out_local)
    assert json.loads(out_dask.read_text())["points"] == json.loads(out_local.read_text())["points"]
    # both workers took part, each with one BLAS thread
    infos = dask_client.run(sweep.executors._worker_threads)
    assert len(infos) == 2
    for info in infos.values():
        assert info["env"]["OPENBLAS_NUM_THREADS"] == "1"


def test_one_map_chunks_gives_identical_rows_on_every_executor(dask_client):
    """In process, local processes and a Dask cluster run the same chunks through the one
    map_chunks: identical rows, each chunk handed back once."""
    from spinpair.sweep import chunk_ranges, map_chunks, open_executor

    spec = SweepSpec.from_toml_string(
        spec_text(
            '"imperfections.p_loss" = [0.0, 0.05, 0.1]\n"collisions.chi1_coherence" = [0.0, 1.0]'
        )
    )
    chunks = chunk_ranges(spec.n_points, 4)  # a short last chunk
    results = []
    for kwargs in ({"workers": 1}, {"workers": 2}, {"client": dask_client}):
        got: dict = {}
        with open_executor(**kwargs, warm_up=spec) as ex:
            ex.map_chunks(spec, chunks, lambda k, rows, got=got: got.setdefault(k, rows))
        assert sorted(got) == [0, 1]
        results.append([r for k, _, _ in chunks for r in got[k]])
    direct: dict = {}
    map_chunks(spec, chunks, direct.__setitem__)
    assert results[0] == results[1] == results[2] == [r for k in (0, 1) for r in direct[k]]
    assert [r["imperfections.p_loss"] for r in results[0]] == [0.0, 0.0, 0.05, 0.05, 0.1, 0.1]


@pytest.mark.slow
def test_cli_scheduler_address(dask_client, tmp_path, capsys, monkeypatch):
    f = tmp_path / "s.toml"
    f.write_text(spec_text('"imperfections.p_loss" = [0.0, 0.1]'))
    out = tmp_path / "r.csv"
    address = dask_client.scheduler.address
    assert run(["sweep", str(f), "--scheduler", address, "--out", str(out)]) == 0
    ref = tmp_path / "ref.csv"
    assert run(["sweep", str(f), "--out", str(ref)]) == 0
    assert out.read_bytes() == ref.read_bytes()
    capsys.readouterr()
    monkeypatch.setattr(sweep.cluster, "CONNECT_TIMEOUT", "1s")
    assert run(["sweep", str(f), "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)]) == 2
    assert "--scheduler" in capsys.readouterr().err


@pytest.mark.slow
def test_slurm_recipe_job_script_runs_a_worker_for_the_sweep(tmp_path):
    """The docs/scaling.md recipe without SLURM: build the SLURMCluster, check its job
    script, then run that script with bash (as a SLURM job would) so its worker joins the
    cluster's scheduler, and run a sweep through a Client built from the cluster object."""
    pytest.importorskip("dask_jobqueue")
    from dask_jobqueue import SLURMCluster
    from distributed import Client

    from spinpair.sweep import dask_environment

    with SLURMCluster(
        cores=1,
        processes=1,
        memory="2GB",
        walltime="00:10:00",
        queue="normal",
        account="mylab",
        job_script_prologue=[
            "export OPENBLAS_NUM_THREADS=1",
            *(f"export {k}={shlex.quote(v)}" for k, v in dask_environment().items()),
        ],
        scheduler_options={"host": "127.0.0.1", "dashboard_address": ":0"},
    ) as cluster:
        script = cluster.job_script()
        for line in ("#SBATCH -p normal", "#SBATCH -A mylab", "#SBATCH -t 00:10:00"):
            assert line in script
        assert "export OPENBLAS_NUM_THREADS=1" in script and cluster.scheduler_address in script
        job = tmp_path / "job.sh"
        job.write_text(script)
        # a batch job starts from a clean environment: not with the variables a cluster
        # with Dask's defaults (this module's fixture) has put into this process's
        clean = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
        worker = subprocess.Popen(
            ["bash", str(job)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=clean,
        )
        try:
            with Client(cluster) as client:
                client.wait_for_workers(1, timeout=60)
                spec = SweepSpec.from_toml_string(spec_text('"imperfections.p_loss" = [0.0, 0.1]'))
                assert run_sweep(spec, client=client) == run_sweep(spec)
                # the prologue's Dask settings reached the worker the job started
                (profiling,) = client.run(
                    lambda dask_worker: "profile" in dask_worker.periodic_callbacks
                ).values()
                assert profiling is False
                (trim,) = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_")).values()
                assert trim is None
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


def test_scheduler_without_dask_or_bad_workers_is_input_error(monkeypatch):
    import builtins

    spec = SweepSpec.from_toml_string(spec_text('"collisions.model" = ["given"]'))
    with pytest.raises(InputError, match="--workers"):
        run_sweep(spec, workers=0)
    real_import = builtins.__import__
    # more processes than twice the CPUs only share them: refused before any is started
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert sweep.max_local_workers() == 4
    with pytest.raises(InputError, match=r"--workers.*from 1 to 4"):
        run_sweep(spec, workers=1000)
    assert sweep._check_workers(4) == 4

    def no_dask(name, *args, **kwargs):
        if name.startswith(("dask", "distributed")):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(InputError, match="--scheduler"):
        run_sweep(spec, scheduler="tcp://127.0.0.1:1")


def test_progress_bar_only_on_a_terminal(tmp_path, monkeypatch, capsys):
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    f = tmp_path / "s.toml"
    f.write_text(spec_text('"imperfections.p_loss" = [0.0, 0.1]'))
    assert run(["sweep", str(f), "--out", str(tmp_path / "a.csv")]) == 0
    assert "100%" not in capsys.readouterr().err
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert run(["sweep", str(f), "--out", str(tmp_path / "b.csv")]) == 0
    assert "sweep: 100%" in term.getvalue() and "2/2" in term.getvalue()


def test_dask_config_reaches_the_workers_and_round_trips_through_the_environment(monkeypatch):
    """DASK_CONFIG, set where a LocalCluster starts, is what its workers run with (the nanny
    hands the config on), and dask_environment() gives variables Dask reads back as the
    same settings."""
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from spinpair.sweep import DASK_CONFIG, dask_environment

    env = dask_environment()
    assert env["DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED"] == "False"
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    collected = dask.config.collect(paths=[], env=dict(env))
    for key, value in DASK_CONFIG.items():
        node = collected
        for part in key.split("."):
            node = node[part] if part in node else node[part.replace("-", "_")]
        assert node == value, key

    def worker_settings() -> dict:
        import dask.config

        return {k: dask.config.get(k) for k in DASK_CONFIG}

    def worker_environment() -> dict:
        return {k: os.environ.get(k) for k in ("MALLOC_TRIM_THRESHOLD_", "OPENBLAS_NUM_THREADS")}

    # a cluster started earlier in this process with Dask's defaults (the module's fixture)
    # has put the nanny's variables into os.environ, which a new worker would inherit
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with (
        dask.config.set(DASK_CONFIG),
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        (seen,) = client.run(worker_settings).values()
        (profile,) = client.run(
            lambda dask_worker: "profile" in dask_worker.periodic_callbacks
        ).values()
        (environ,) = client.run(worker_environment).values()
    assert seen == DASK_CONFIG
    assert profile is False  # no statistical profiler running in the worker
    # glibc's own trim threshold (Dask's 64 kB one re-faults every numpy temporary), and
    # the nanny's other variables kept: one BLAS thread
    assert environ == {"MALLOC_TRIM_THRESHOLD_": None, "OPENBLAS_NUM_THREADS": "1"}
