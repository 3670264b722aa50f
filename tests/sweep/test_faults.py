"""Fault injection for sweeps and outputs: crashes at every dangerous instant, edited and
planted files, neighbours holding the lock, workers and parents killed with SIGKILL, hostile
input files. What must hold: the output is complete or absent, never mixed; the next run
repairs and resumes; the bytes equal those of an uninterrupted run; no process outlives
its parent."""

import contextlib
import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import spinpair.sweep as sweep
from spinpair.cli import run
from spinpair.errors import InputError
from spinpair.fileio import atomic_folder, read_input_bytes, remove_stale_folders
from spinpair.sweep import SweepSpec, parts_folder, sweep_to_file
from spinpair.sweep.io import sidecar_path

AXES = (
    '"imperfections.p_loss" = [0.0, 0.02, 0.04, 0.06]\n'
    '"collisions.chi1_coherence" = [0.0, 0.5, 1.0]\n'
)
HEAD = 'compute = "raman"\narea = [0.0, 0.7853981, 1.5707963]\n'
SWEEP = HEAD + "[axes]\n" + AXES  # 12 points: 6 chunks of 2


class Crash(BaseException):
    """A crash at a fault point (unwinds like a kill would not: used where that is fine)."""


def hidden(folder: Path) -> list[str]:
    """Hidden entries (temporaries) anywhere under ``folder``."""
    return sorted(p.name for p in folder.rglob(".*"))


def write_sweep_file(folder: Path, text: str = SWEEP, name: str = "s.toml") -> Path:
    f = folder / name
    f.write_text(text)
    return f


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Uninterrupted outputs of SWEEP, one per format, with the default chunk size."""
    folder = tmp_path_factory.mktemp("ref")
    spec = SweepSpec.from_toml(write_sweep_file(folder))
    out = {}
    for suffix in (".csv", ".json"):
        p = folder / f"ref{suffix}"
        sweep_to_file(spec, p)
        out[suffix] = p.read_bytes()
    return out


def crash_at(monkeypatch, point: str, count: int = 1, action=None):
    """Make the ``count``-th passage through fault point ``point`` crash (or run ``action``)."""
    seen = []

    def hook(name: str) -> None:
        if name == point:
            seen.append(name)
            if len(seen) == count:
                if action is None:
                    raise Crash(point)
                action()

    monkeypatch.setattr(sweep.store, "_fault_point", hook)
    return seen


def interrupted_parts(tmp_path, monkeypatch, out_name="r.csv", chunks=3, text=SWEEP):
    """A sweep file and an OUT.parts/ holding ``chunks`` finished chunks (of 6)."""
    f = write_sweep_file(tmp_path, text)
    out = tmp_path / out_name
    crash_at(monkeypatch, "chunk-recorded", chunks)
    with pytest.raises(Crash):
        sweep_to_file(SweepSpec.from_toml(f), out, chunk_size=2)
    monkeypatch.setattr(sweep.store, "_fault_point", lambda name: None)
    assert not out.exists()
    assert len(list(parts_folder(out).glob("chunk-*.json"))) == chunks
    return f, out


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_covers_axis_order_values_and_schema(monkeypatch):
    a = SweepSpec.from_toml_string(SWEEP)
    lines = AXES.splitlines()
    swapped = SweepSpec.from_toml_string(HEAD + "[axes]\n" + "\n".join(reversed(lines)) + "\n")
    assert a.fingerprint() != swapped.fingerprint()
    comment = SweepSpec.from_toml_string("# a comment\n" + SWEEP)
    assert comment.fingerprint() == a.fingerprint()
    other = SweepSpec.from_toml_string(SWEEP.replace("0.06", "0.07"))
    assert other.fingerprint() != a.fingerprint()
    settings = SweepSpec.from_toml_string(SWEEP.replace("1.5707963]", "1.5707964]"))
    assert settings.fingerprint() != a.fingerprint()
    before = a.fingerprint()
    monkeypatch.setattr(sweep.spec, "SCHEMA_VERSION", sweep.SCHEMA_VERSION + 1)
    assert a.fingerprint() != before


def test_reordered_axes_after_a_kill_are_refused_never_mixed(tmp_path, monkeypatch, capsys):
    f, out = interrupted_parts(tmp_path, monkeypatch)
    parts = parts_folder(out)
    before = {p.name: p.read_bytes() for p in parts.iterdir()}
    lines = AXES.splitlines()
    f.write_text(HEAD + "[axes]\n" + "\n".join(reversed(lines)) + "\n")
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "differs" in err and "order" in err and len(err.splitlines()) == 1
    assert not out.exists()
    assert {p.name: p.read_bytes() for p in parts.iterdir()} == before  # untouched
    # started over in a clean place, the swapped sweep is its own, complete grid
    fresh = tmp_path / "fresh.csv"
    assert run(["sweep", str(f), "--out", str(fresh)]) == 0
    rows = fresh.read_text().splitlines()
    assert rows[0].startswith("collisions.chi1_coherence,imperfections.p_loss,area")
    points = [tuple(r.split(",")[:3]) for r in rows[1:]]
    assert len(points) == len(set(points)) == 36


# --------------------------------------------------------------------------- chunks


def _edit_number(p: Path) -> None:
    d = json.loads(p.read_text())
    d["rows"][0]["P1"][1] += 1e-3
    p.write_text(json.dumps(d))


def _plant_nan(p: Path) -> None:
    text = p.read_text()
    d = json.loads(text)
    value = json.dumps(d["rows"][1]["P0"][2])
    p.write_text(text.replace(value, "NaN", 1))


def _copy_other(p: Path) -> None:
    p.write_bytes((p.parent / "chunk-00000001.json").read_bytes())


@pytest.mark.parametrize("edit", [_edit_number, _plant_nan, _copy_other])
def test_edited_chunk_is_detected_and_recomputed(tmp_path, monkeypatch, capsys, reference, edit):
    f, out = interrupted_parts(tmp_path, monkeypatch)
    chunk = parts_folder(out) / "chunk-00000000.json"
    edit(chunk)
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{chunk} does not match its checksum" in err and "recomputing" in err
    assert "skipped 4 of 12 points" in err
    assert out.read_bytes() == reference[".csv"]
    assert not parts_folder(out).exists() and not hidden(tmp_path)


def test_chunk_changed_after_the_resume_check_is_recomputed_at_assembly(
    tmp_path, monkeypatch, capsys, reference
):
    f = write_sweep_file(tmp_path)
    out = tmp_path / "r.json"
    ref = tmp_path / "ref.json"
    sweep_to_file(SweepSpec.from_toml(f), ref)

    def tamper() -> None:  # after the last chunk: edit the first, already checked
        _edit_number(parts_folder(out) / "chunk-00000000.json")

    crash_at(monkeypatch, "chunk-recorded", 6, tamper)
    sweep_to_file(SweepSpec.from_toml(f), out, chunk_size=2)
    err = capsys.readouterr().err
    assert "chunk-00000000.json changed after it was checked: recomputing it" in err
    assert out.read_bytes() == ref.read_bytes()


def test_chunk_written_but_not_recorded_is_recomputed_silently(tmp_path, monkeypatch, capsys):
    f = write_sweep_file(tmp_path)
    out = tmp_path / "r.csv"
    crash_at(monkeypatch, "chunk-written", 2)
    with pytest.raises(Crash):
        sweep_to_file(SweepSpec.from_toml(f), out, chunk_size=2)
    monkeypatch.setattr(sweep.store, "_fault_point", lambda name: None)
    assert len(list(parts_folder(out).glob("chunk-*.json"))) == 2
    capsys.readouterr()
    rep = sweep_to_file(SweepSpec.from_toml(f), out)
    assert rep.skipped == 2 and "checksum" not in capsys.readouterr().err


# --------------------------------------------------------------------------- the folder


def test_symlinked_planted_or_foreign_parts_folder_is_refused(tmp_path, capsys):
    f = write_sweep_file(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("mine")
    cases = {}
    out = tmp_path / "a.csv"
    parts_folder(out).symlink_to(elsewhere, target_is_directory=True)
    cases[out] = "symbolic link"
    out = tmp_path / "b.csv"
    parts_folder(out).mkdir()
    (parts_folder(out) / "notes.txt").write_text("mine")
    cases[out] = "not a sweep's (notes.txt)"
    out = tmp_path / "c.csv"
    parts_folder(out).write_text("a file")
    cases[out] = "not a folder"
    out = tmp_path / "d.csv"  # a planted chunk that links elsewhere
    parts_folder(out).mkdir()
    (parts_folder(out) / "chunk-00000000.json").symlink_to(elsewhere / "precious.txt")
    for out, why in cases.items():
        capsys.readouterr()
        assert run(["sweep", str(f), "--out", str(out)]) == 2, out
        err = capsys.readouterr().err
        assert why in err and str(parts_folder(out)) in err and len(err.splitlines()) == 1
        assert not out.exists()
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt"]
    # a planted chunk symlink is not followed: removed, the chunk computed anew
    out = tmp_path / "d.csv"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert (elsewhere / "precious.txt").read_text() == "mine"


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_parts_folder_without_manifest_is_recovered(
    tmp_path, monkeypatch, capsys, reference, suffix
):
    f = write_sweep_file(tmp_path)
    out = tmp_path / f"r{suffix}"
    # killed while removing the folder after publishing: manifest gone, chunks left
    crash_at(monkeypatch, "removing")
    with pytest.raises(Crash):
        sweep_to_file(SweepSpec.from_toml(f), out, chunk_size=2)
    monkeypatch.setattr(sweep.store, "_fault_point", lambda name: None)
    parts = parts_folder(out)
    assert not (parts / "manifest.json").exists() and list(parts.glob("chunk-*"))
    out.unlink() if suffix == ".csv" else None  # as if killed before the output, too
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    if suffix == ".json":
        assert "nothing to do" in err
    else:
        assert "no manifest" in err and "starting over" in err
    assert out.read_bytes() == reference[suffix]
    assert not parts.exists() and not hidden(tmp_path)


def test_killed_before_the_manifest_then_recovered(tmp_path, monkeypatch, reference):
    f = write_sweep_file(tmp_path)
    out = tmp_path / "r.csv"
    crash_at(monkeypatch, "manifest")
    with pytest.raises(Crash):
        sweep_to_file(SweepSpec.from_toml(f), out)
    monkeypatch.setattr(sweep.store, "_fault_point", lambda name: None)
    assert parts_folder(out).is_dir() and not (parts_folder(out) / "manifest.json").exists()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert out.read_bytes() == reference[".csv"]


@pytest.mark.parametrize("bad", [{"chunk_size": 0}, {"chunk_size": True}, {"format": 1}, None])
def test_damaged_manifest_starts_over(tmp_path, monkeypatch, capsys, reference, bad):
    f, out = interrupted_parts(tmp_path, monkeypatch)
    manifest = parts_folder(out) / "manifest.json"
    if bad is None:
        manifest.write_text('{"format": 2, "chunk_')  # torn
    else:
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), **bad}))
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert "starting over" in capsys.readouterr().err
    assert out.read_bytes() == reference[".csv"]


def test_hidden_temporaries_of_a_killed_run_are_removed(tmp_path, monkeypatch, reference):
    f, out = interrupted_parts(tmp_path, monkeypatch)
    parts = parts_folder(out)
    # what a kill inside an atomic write leaves: the output's and a chunk's temporary
    (tmp_path / ".r.csv.k1ll_9ab.csv").write_text("half")
    (parts / ".chunk-00000004.json.abc_1234.json").write_text("{")
    (parts / ".manifest.json.zz99zz99.json").write_text("")
    (tmp_path / ".other.csv.abcdefgh.csv").write_text("a neighbour's")  # not ours: kept
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert hidden(tmp_path) == [".other.csv.abcdefgh.csv"]
    assert out.read_bytes() == reference[".csv"]


# --------------------------------------------------------------------------- finished output


def test_truncated_or_edited_json_output_is_not_called_complete(tmp_path, capsys, reference):
    f = write_sweep_file(tmp_path)
    out = tmp_path / "r.json"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    data = out.read_bytes()
    assert data == reference[".json"]
    d = json.loads(data)
    assert d["file_sha256"] == hashlib.sha256(data[: data.rindex(b', "file_sha256"')]).hexdigest()
    for damaged in (
        data[: int(0.7 * len(data))],
        data.replace(b"0.5", b"0.6", 1),
        data[:-3] + b"}\n",
    ):
        out.write_bytes(damaged)
        capsys.readouterr()
        assert run(["sweep", str(f), "--out", str(out)]) == 0
        assert "nothing to do" not in capsys.readouterr().err
        assert out.read_bytes() == data
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert "nothing to do" in capsys.readouterr().err


def test_truncated_netcdf_output_is_not_called_complete(tmp_path, capsys):
    pytest.importorskip("h5netcdf")
    f = write_sweep_file(tmp_path)
    out = tmp_path / "r.nc"
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    data = out.read_bytes()
    out.write_bytes(data[: int(0.7 * len(data))])
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert "nothing to do" not in capsys.readouterr().err
    assert out.read_bytes() == data


# --------------------------------------------------------------------------- lock


def test_live_lock_is_refused_and_a_stale_one_taken_over(tmp_path, monkeypatch, capsys, reference):
    import fcntl

    f, out = interrupted_parts(tmp_path, monkeypatch)
    lock = parts_folder(out) / "lock"
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a neighbour running this sweep
        os.ftruncate(fd, 0)
        os.write(fd, b"4242\n")
        capsys.readouterr()
        assert run(["sweep", str(f), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "pid 4242" in err and "holds" in err and len(err.splitlines()) == 1
        assert len(list(parts_folder(out).glob("chunk-*"))) == 3 and not out.exists()
    finally:
        os.close(fd)  # the neighbour dies: its lock goes with it
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock.write_text(f"{dead.pid}\n")
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"taking over {parts_folder(out)} from an earlier run (pid {dead.pid})" in err
    assert "skipped 6 of 12 points" in err
    assert out.read_bytes() == reference[".csv"]


# --------------------------------------------------------------------------- same bytes


def test_same_bytes_whatever_the_chunk_size_and_workers(tmp_path, reference):
    spec = SweepSpec.from_toml(write_sweep_file(tmp_path))
    for suffix in (".csv", ".json"):
        for size in (1, 5, 12):
            p = tmp_path / f"c{size}{suffix}"
            sweep_to_file(spec, p, chunk_size=size)
            assert p.read_bytes() == reference[suffix], (suffix, size)
    p = tmp_path / "w2.json"
    sweep_to_file(spec, p, chunk_size=1, workers=2)
    assert p.read_bytes() == reference[".json"]


def test_netcdf_same_bytes_whatever_the_chunk_size(tmp_path):
    pytest.importorskip("h5netcdf")
    spec = SweepSpec.from_toml(write_sweep_file(tmp_path))
    files = []
    for size in (1, 5, 12):
        p = tmp_path / f"c{size}.nc"
        sweep_to_file(spec, p, chunk_size=size)
        files.append(p.read_bytes())
    assert files[0] == files[1] == files[2]


KILLER = textwrap.dedent(
    """
    import json, os, signal, sys
    import spinpair.sweep as sw

    point, count, file, out, size, workers, pids = sys.argv[1:]
    seen = []

    def hook(name):
        if name == point:
            seen.append(name)
            if len(seen) == int(count):
                if pids != "-":
                    import psutil
                    kids = psutil.Process().children(recursive=True)
                    with open(pids, "w") as f:
                        json.dump([k.pid for k in kids], f)
                os.kill(os.getpid(), signal.SIGKILL)

    sw.store._fault_point = hook
    sw.sweep_to_file(
        sw.SweepSpec.from_toml(file), out, chunk_size=int(size), workers=int(workers)
    )
    """
)


def kill9_at(tmp_path, point, count, f, out, size=2, workers=1, pids="-"):
    """Run a sweep in a new process that kills itself (SIGKILL) at a fault point. Its
    output goes to a file, not a pipe: an orphan holding a pipe would block the wait."""
    log = tmp_path / "killed.log"
    with log.open("w") as err:
        proc = subprocess.run(
            [sys.executable, "-c", KILLER, point, *map(str, (count, f, out, size, workers, pids))],
            stdout=subprocess.DEVNULL,
            stderr=err,
            timeout=300,
            cwd=tmp_path,
        )
    assert proc.returncode == -signal.SIGKILL, log.read_text()
    log.unlink()


@pytest.mark.parametrize(
    "point, count, suffix",
    [
        ("chunk-written", 3, ".csv"),  # a chunk renamed into place, its checksum not recorded
        ("chunk-recorded", 5, ".json"),
        ("published", 1, ".csv"),  # the output in place, its chunks not yet removed
        ("removing", 1, ".json"),
    ],
)
def test_kill9_then_resume_gives_the_same_bytes(tmp_path, capsys, reference, point, count, suffix):
    f = write_sweep_file(tmp_path)
    out = tmp_path / f"r{suffix}"
    kill9_at(tmp_path, point, count, f, out)
    assert parts_folder(out).is_dir()
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out), "--chunk-size", "5"]) == 0
    assert out.read_bytes() == reference[suffix]
    assert not parts_folder(out).exists() and not hidden(tmp_path)


# --------------------------------------------------------------------------- processes


def _gone(pids: list[int], timeout: float = 60.0) -> list[int]:
    """The pids still running (not zombies) after waiting up to ``timeout`` for them."""
    psutil = pytest.importorskip("psutil")
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


LONG_SWEEP = (
    HEAD
    + "[axes]\n"
    + '"imperfections.p_loss" = ['
    + ", ".join(f"{0.005 * i:.3f}" for i in range(24))
    + "]\n"
)


def test_no_worker_outlives_a_kill9_of_the_main_process(tmp_path, reference):
    pytest.importorskip("psutil")
    f = write_sweep_file(tmp_path, LONG_SWEEP)
    out = tmp_path / "r.csv"
    pids = tmp_path / "pids.json"
    kill9_at(tmp_path, "chunk-recorded", 1, f, out, size=1, workers=2, pids=pids)
    children = json.loads(pids.read_text())
    assert len(children) >= 2  # two workers (and multiprocessing's resource tracker)
    alive = _gone(children)
    for pid in alive:  # on failure, leave no orphan of ours behind
        os.kill(pid, signal.SIGKILL)
    assert alive == []
    assert run(["sweep", str(f), "--out", str(out)]) == 0  # resumes


WORKER_KILLER = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys, time
    import spinpair.sweep as sw
    from spinpair.cli.main import run

    def hook(name):
        if name == "chunk-recorded" and not getattr(hook, "done", False):
            hook.done = True
            os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)
            time.sleep(0.5)

    sw.store._fault_point = hook
    sys.exit(run(["sweep", sys.argv[1], "--out", sys.argv[2], "--workers", "2",
                  "--chunk-size", "1"]))
    """
)


def test_a_killed_worker_is_reported_and_the_sweep_resumes(tmp_path, capsys):
    f = write_sweep_file(tmp_path, LONG_SWEEP)
    out = tmp_path / "r.csv"
    proc = subprocess.run(
        [sys.executable, "-c", WORKER_KILLER, str(f), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.splitlines()[-1]
    assert "a worker process (pid" in line and "killed by SIGKILL" in line
    assert "run the same command again to resume" in line and "Traceback" not in proc.stderr
    assert not out.exists()
    ref = tmp_path / "ref.csv"
    assert run(["sweep", str(f), "--out", str(ref)]) == 0
    capsys.readouterr()
    assert run(["sweep", str(f), "--out", str(out)]) == 0
    assert "resuming" in capsys.readouterr().err
    assert out.read_bytes() == ref.read_bytes()


def test_worker_exits_when_its_parent_is_gone(monkeypatch):
    """The watcher thread: a parent that is no longer this process's parent ends it."""
    exits = []

    def fake_exit(code):
        exits.append(code)
        raise SystemExit(code)

    monkeypatch.setattr(os, "_exit", fake_exit)
    with pytest.raises(SystemExit):
        sweep.executors._exit_with_parent(os.getppid() + 12345, deathsig=False)
    assert exits == [1]


# --------------------------------------------------------------------------- inputs


def test_parameter_and_sweep_files_refuse_devices_and_fifos(tmp_path, capsys):
    fifo = tmp_path / "p.toml"
    os.mkfifo(fifo)
    for args, field in (
        (["params", "--show", "--params", "/dev/zero"], "--params"),
        (["params", "--show", "--params", str(fifo)], "--params"),
        (["sweep", "/dev/zero", "--out", str(tmp_path / "a.csv")], "sweep"),
        (["sweep", str(fifo), "--out", str(tmp_path / "b.csv")], "sweep"),
    ):
        capsys.readouterr()
        assert run(args) == 2, args
        err = capsys.readouterr().err
        assert f"{field} = " in err and "a regular file (this is a" in err
        assert len(err.splitlines()) == 1
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (1 << 20) + b"\n")
    capsys.readouterr()
    assert run(["params", "--show", "--params", str(big)]) == 2
    assert "at most 1048576 bytes" in capsys.readouterr().err
    with pytest.raises(InputError, match="FIFO"):
        read_input_bytes("x", fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # never opened for writing: nothing waited


def test_a_fifo_does_not_block_the_command(tmp_path):
    """In a new process, so that a regression hangs that process, not the test run."""
    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "spinpair.cli", "sweep", str(fifo), "--out", "r.csv"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 2 and "FIFO" in proc.stderr


@pytest.mark.parametrize(
    "address", ["localhost:8786", "http://h:1", "tcp://", "tcp://h:0", "tcp://h:99999", "tcp://a b"]
)
def test_malformed_scheduler_address_is_exit_2(tmp_path, capsys, address):
    f = write_sweep_file(tmp_path)
    capsys.readouterr()
    assert run(["sweep", str(f), "--scheduler", address, "--out", str(tmp_path / "r.csv")]) == 2
    err = capsys.readouterr().err
    assert "--scheduler" in err and "tls://" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tls://sched.example.org:8786"])
def test_scheduler_address_forms_accepted(address):
    assert sweep.check_scheduler(address) == address
    assert sweep.check_scheduler("tcp://[::1]:8786") == "tcp://[::1]:8786"


def test_a_254_character_output_name_works(tmp_path, reference):
    f = write_sweep_file(tmp_path)
    out = tmp_path / ("o" * 250 + ".csv")
    assert len(out.name) == 254
    assert len(parts_folder(out).name.encode()) <= 255
    assert run(["sweep", str(f), "--out", str(out), "--chunk-size", "2"]) == 0
    assert out.read_bytes() == reference[".csv"]
    side = sidecar_path(out).name  # OUT.csv.provenance.json, shortened to fit
    assert len(side.encode()) <= 255 and side.endswith(".provenance.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, side, "s.toml"])


# --------------------------------------------------------------------------- reproduce's folder


def test_atomic_folder_swaps_and_removes_what_a_killed_run_left(tmp_path):
    out = tmp_path / "rk"
    with atomic_folder(out) as tmp:
        (tmp / "results.json").write_text("old")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".rk.partial-{dead.pid}-abcd_123"
    stale.mkdir()
    legacy = tmp_path / ".rk.old-zz_99abc"
    legacy.mkdir()
    live = tmp_path / f".rk.partial-{os.getpid()}-live_123"  # a neighbour still writing
    live.mkdir()
    with atomic_folder(out) as tmp:
        assert not stale.exists() and not legacy.exists() and live.exists()
        (tmp / "results.json").write_text("new")
    assert (out / "results.json").read_text() == "new"
    assert hidden(tmp_path) == [live.name]
    # the fallback swap killed between its two renames: the old result is put back
    live.rmdir()
    old = tmp_path / f".rk.old-{dead.pid}-abcd_123"
    old.mkdir()
    os.rename(out, old / "rk")
    assert remove_stale_folders(out) == [old]
    assert (out / "results.json").read_text() == "new" and not hidden(tmp_path)


GUARDED = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    from spinpair._pool import guard_descendants

    early = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with guard_descendants():
        child = subprocess.Popen(
            [sys.executable, "-c",
             "import subprocess, sys, time; "
             "g = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
             "open(sys.argv[1], 'w').write(str(g.pid)); "
             "time.sleep(120)", sys.argv[1] + ".g"]
        )
        while not os.path.exists(sys.argv[1] + ".g"):
            time.sleep(0.05)
        time.sleep(1.0)  # let the watchdog see the child and its own child
        with open(sys.argv[1], "w") as f:
            f.write(f"{early.pid} {child.pid}")
        if sys.argv[2] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.parametrize("how", ["kill", "exit"])
def test_guard_descendants_kills_what_a_killed_process_started(tmp_path, how):
    pytest.importorskip("psutil")
    if not Path("/proc/self").is_dir():
        pytest.skip("needs /proc")
    pids = tmp_path / "pids"
    proc = subprocess.Popen([sys.executable, "-c", GUARDED, str(pids), how])
    proc.wait(timeout=120)
    early, child = map(int, pids.read_text().split())
    grandchildren = [int((tmp_path / "pids.g").read_text())]
    try:
        if how == "kill":
            assert proc.returncode == -signal.SIGKILL
            assert _gone([child, *grandchildren]) == []
        else:  # a normal exit: the watchdog ends without touching anything
            assert proc.returncode == 0
            assert _gone([child], timeout=1.0) == [child]
        assert _gone([early], timeout=0.5) == [early]  # older than the guard: untouched
    finally:
        for pid in (early, child, *grandchildren):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_no_process_of_reproduce_outlives_a_kill9(tmp_path):
    """kill -9 of `spinpair reproduce` once its figure workers run: the workers, the
    resource tracker and the watchdog all end; the next run completes. (One worker is
    asked for: the automatic choice starts none on a busy machine.)"""
    psutil = pytest.importorskip("psutil")
    log = (tmp_path / "log").open("w")
    code = (
        "import sys, spinpair; spinpair.set_options(workers=1); "
        "sys.argv = ['spinpair', 'reproduce', '--out', 'res']; "
        "from spinpair.cli.main import main; main()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=log,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 300
        me = psutil.Process(proc.pid)
        while len(me.children(recursive=True)) < 3:  # watchdog, tracker, >= 1 worker
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        children = [p.pid for p in me.children(recursive=True)]
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    alive = _gone(children)
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []
    assert not (tmp_path / "res").exists()
    assert run(["reproduce", "--out", str(tmp_path / "res")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log", "res"]
