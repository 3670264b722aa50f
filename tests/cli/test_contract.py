"""The contract of docs/cli.md for every input, file and signal (issue 11) and the help texts
(issue 12): exit 0 or 2 only, exactly one stderr line on error, no numpy warning, no file
left behind, 130/143 on signals, and the catalogue of rejected inputs in docs/errors.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spinpair.analysis.data import parse_csv
from spinpair.cli import build_parser, emit, run
from spinpair.errors import InputError, check_range, format_bound
from spinpair.fileio import atomic_folder, atomic_write_text, check_output_path
from spinpair.paper import preset_path

ROOT = Path(__file__).resolve().parents[2]
PRESET = str(preset_path("paper-like"))
SPINPAIR = [sys.executable, "-m", "spinpair.cli"]
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run the command in-process; fail if a warning would have reached stderr."""
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = run(list(argv))
    out, err = capsys.readouterr()
    shown = [
        w
        for w in caught
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))
    ]
    assert not shown, f"a warning would reach stderr: {shown[0].message}"
    return code, out, err


def assert_rejected(code: int, out: str, err: str, needle: str = "") -> None:
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("spinpair: error: ")
    assert needle in lines[0]


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


# ----------------------------------------------------------------------------- negative numbers


def test_negative_product_state_is_a_value(capsys):
    code, out, err = cli(capsys, "state", "-1,1", "--json")
    assert code == 0, err
    d = json.loads(out)
    # |-1,1> is a product state: no entanglement, overlap 1/2 with chi1 = (|1,-1>+|-1,1>)/√2
    assert d["name"] == "-1,1"
    assert d["negativity"] == pytest.approx(0.0, abs=1e-12)
    assert d["fidelity_chi1"] == pytest.approx(0.5)


def test_negative_state_option_and_negative_areas(capsys):
    code, out, err = cli(
        capsys, "raman", "--ideal", "--state", "-1,1", "--area", "-1.5707963", "1.5707963", "--json"
    )
    assert code == 0, err
    d = json.loads(out)
    # a product state: each atom independently, P(one atom left in |-1>) = cos²(area/2), and
    # the pulse acts the same for ±area
    assert d["P0"][0] == pytest.approx(d["P0"][1]) and d["P2"][0] == pytest.approx(d["P2"][1])
    assert np.sum([d["P0"], d["P1"], d["P2"]], axis=0) == pytest.approx([1.0, 1.0])
    code_eq, out_eq, _ = cli(
        capsys, "raman", "--ideal", "--state=-1,1", "--area=-1.5707963", "--json"
    )
    assert code_eq == 0 and json.loads(out_eq)["P0"][0] == pytest.approx(d["P0"][0])


def test_negative_duration_rejected_for_the_right_reason(capsys):
    code, out, err = cli(capsys, "raman", "--ideal", "--tau", "1e-6", "-1e-6", "--json")
    assert_rejected(code, out, err, "--tau = -1e-06 is invalid: allowed >= 0")


def test_negative_detuning_reaches_the_model(capsys):
    base = ["raman", "--ideal", "--state", "chi1", "--area", "1.5707963", "--json"]
    _, out0, _ = cli(capsys, *base)
    code, out1, err = cli(capsys, *base, "--detuning", "-5e3")
    _, out2, _ = cli(capsys, *base, "--detuning", "5e3")
    assert code == 0, err
    p0, p1, p2 = (json.loads(o)["P1"][0] for o in (out0, out1, out2))
    # on resonance chi1 gives P1 = 0 at π/2; a detuning of either sign spoils the dip
    # equally (the pulse depends on δ² for this symmetric state)
    assert p0 == pytest.approx(0.0, abs=1e-12)
    assert p1 > 1e-9 and p1 == pytest.approx(p2, rel=1e-9)


def test_negative_span_and_seed_rejected_for_the_right_reason(capsys, tmp_path):
    code, out, err = cli(capsys, "ramsey", "--wait", "5e-6", "--detuning-span", "-5e3", "--json")
    assert_rejected(code, out, err, "--detuning-span = -5000.0 is invalid: allowed > 0")
    code, out, err = cli(
        capsys,
        "simulate",
        "--tau",
        "0",
        "--runs",
        "5",
        "--seed",
        "-3",
        "--out",
        str(tmp_path / "d.csv"),
    )
    assert_rejected(code, out, err, "--seed = -3")
    assert files_in(tmp_path) == set()


def test_cli_numbers_are_ascii_and_finite(capsys):
    for bad in ("٣", "1_000", "inf", "-inf", "nan", "0x10"):
        code, out, err = cli(capsys, "zeeman", "--field", bad, "--json")
        assert_rejected(code, out, err, "--field")


# ----------------------------------------------------------------------------- conflicts, ranges


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["raman", "--compare", "--coherence", "0.5", "--area", "1"], "--coherence = 0.5"),
        (["raman", "--compare", "--state", "chi1", "--area", "1"], "--compare"),
        (["raman", "--ideal", "--params", PRESET, "--area", "1"], "--ideal"),
        (["plan", "--area", "1.5708", "--fidelity", "0.4"], "allowed (0.5, 1]"),
        (["plan", "--area", "1.5708", "--fidelity", "0.5"], "cannot reject F <= 1/2"),
        (["state", "chi1", "--f", "1000000"], "--f"),
        (["zeeman", "--field", "1e30"], "--field"),
        (["dynamics", "--model", "ergodic", "--nodes", "1000000000", "--times", "0.1"], "--nodes"),
    ],
)
def test_conflicts_and_ranges(capsys, argv, needle):
    code, out, err = cli(capsys, *argv, "--json")
    assert_rejected(code, out, err, needle)


def test_ideal_with_a_params_file_without_imperfections_is_fine(capsys, tmp_path):
    f = tmp_path / "p.toml"
    f.write_text("[raman]\nrabi_frequency_hz = 100e3\n")
    tau = 0.25 / 100e3  # π/2 at the file's Rabi frequency
    code, out, err = cli(
        capsys,
        "raman",
        "--ideal",
        "--state",
        "chi1",
        "--params",
        str(f),
        "--tau",
        str(tau),
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["P1"][0] == pytest.approx(0.0, abs=1e-9)  # chi1's dip at π/2


def test_long_pulse_blames_the_duration_not_p_spont(capsys):
    code, out, err = cli(capsys, "raman", "--params", PRESET, "--tau", "1e3", "--json")
    assert_rejected(code, out, err, "--tau = 1000.0 is invalid")
    # the limit is Ωτ <= π/p_spont_per_pi: τ <= 1/(2 · 156 kHz · 0.01) = 320.5 µs
    m = re.search(r"allowed <= ([0-9.e+-]+) s", err)
    assert m and float(m.group(1)) == pytest.approx(1 / (2 * 156e3 * 0.01), rel=0.01)
    assert float(m.group(1)) < 1e3
    # the limit itself passes
    code, _, err = cli(capsys, "raman", "--params", PRESET, "--tau", "3.2e-4", "--json")
    assert code == 0, err


def test_bounds_are_printed_so_the_rejected_value_never_looks_allowed():
    rng = np.random.default_rng(5)
    for _ in range(2000):
        bound = float(rng.uniform(0.1, 1.0) * 10.0 ** rng.integers(-9, 9))
        value = bound * (1 + float(rng.choice([-1, 1])) * 10 ** float(rng.uniform(-12, -1)))
        s = format_bound(bound, value)
        assert (float(s) > value) == (bound > value) and float(s) != value, (bound, value, s)
    with pytest.raises(InputError) as e:
        check_range("p", 0.26552, 0.0, np.pi / 11.834)
    shown = float(re.search(r", ([0-9.]+)\]", str(e.value)).group(1))
    assert shown < 0.26552


def test_ramsey_collisions_reports_the_state_asked_for(capsys):
    code, out, err = cli(
        capsys,
        "ramsey",
        "--state",
        "collisions",
        "--params",
        PRESET,
        "--wait",
        "5e-6",
        "--points",
        "5",
        "--json",
    )
    assert code == 0, err
    d = json.loads(out)
    assert d["state"] == "collisions" and d["collision_model"] == "given"


# ----------------------------------------------------------------------------- files


def test_atomic_write_creates_no_folder_and_names_the_user_path(tmp_path):
    target = tmp_path / "missing" / "x.txt"
    with pytest.raises(InputError) as e:
        atomic_write_text(target, "x")
    assert str(target) in str(e.value) and ".x.txt." not in str(e.value)
    assert files_in(tmp_path) == set()
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(InputError):
        atomic_write_text(tmp_path / "dir.txt", "x")
    assert files_in(tmp_path) == {"dir.txt"} and not any((tmp_path / "dir.txt").iterdir())


def test_atomic_write_interrupted_leaves_nothing(tmp_path):
    def writer(p: Path) -> None:
        p.write_text("half")
        raise KeyboardInterrupt

    (tmp_path / "keep.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        from spinpair.fileio import atomic_write

        atomic_write(tmp_path / "keep.txt", writer)
    assert files_in(tmp_path) == {"keep.txt"} and (tmp_path / "keep.txt").read_text() == "old"


def test_check_output_path(tmp_path):
    assert check_output_path("--out", tmp_path / "a.csv") == tmp_path / "a.csv"
    with pytest.raises(InputError, match="does not exist; no folders are created"):
        check_output_path("--out", tmp_path / "no" / "a.csv")
    with pytest.raises(InputError, match="existing folder"):
        check_output_path("--out", tmp_path)
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="existing file"):
        check_output_path("--out", tmp_path / "f", folder=True)
    with pytest.raises(InputError, match="is not a folder"):
        check_output_path("--out", tmp_path / "f" / "a.csv")
    if Path("/proc/self").exists():  # not writable even for root
        with pytest.raises(InputError, match="writable"):
            check_output_path("--out", "/proc/a.csv")
    assert files_in(tmp_path) == {"f"}


def test_atomic_folder_all_or_nothing(tmp_path):
    out = tmp_path / "res"
    with pytest.raises(KeyboardInterrupt), atomic_folder(out) as tmp:
        (tmp / "a.png").write_text("1")
        raise KeyboardInterrupt
    assert files_in(tmp_path) == set()
    with atomic_folder(out) as tmp:
        (tmp / "results.json").write_text("{}")
        (tmp / "a.png").write_text("1")
    assert files_in(out) == {"results.json", "a.png"}
    with atomic_folder(out) as tmp:  # a previous result is replaced as a whole
        (tmp / "results.json").write_text("{}")
    assert files_in(out) == {"results.json"} and files_in(tmp_path) == {"res"}


def test_output_paths_checked_before_any_computation(capsys, tmp_path, monkeypatch):
    import spinpair.analysis.chi2 as chi2
    import spinpair.analysis.likelihood as likelihood

    def boom(*a, **k):
        raise AssertionError("computed before checking the output path")

    monkeypatch.setattr(chi2, "fidelity_scan", boom)
    monkeypatch.setattr(likelihood, "fidelity_likelihood", boom)
    data = tmp_path / "d.csv"
    data.write_text("area,runs,n0,n1,n2\n1.57,10,1,2,7\n")
    for option in ("--plot", "--plot-data"):
        code, out, err = cli(
            capsys, "fit", str(data), "--params", PRESET, option, str(tmp_path / "no" / "s.png")
        )
        assert_rejected(code, out, err, f"{option} = ")
    (tmp_path / "d.png").mkdir()
    code, out, err = cli(
        capsys, "fit", str(data), "--params", PRESET, "--plot", str(tmp_path / "d.png")
    )
    assert_rejected(code, out, err, "existing folder")
    assert files_in(tmp_path) == {"d.csv", "d.png"}


def test_reproduce_onto_a_file_or_a_foreign_folder_is_refused(capsys, tmp_path, monkeypatch):
    import spinpair.report

    monkeypatch.setattr(spinpair.report, "reproduce", lambda *a, **k: pytest.fail("computed"))
    (tmp_path / "f").write_text("mine")
    code, out, err = cli(capsys, "reproduce", "--out", str(tmp_path / "f"))
    assert_rejected(code, out, err, "existing file")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "thesis.tex").write_text("mine")
    code, out, err = cli(capsys, "reproduce", "--out", str(tmp_path / "d"))
    assert_rejected(code, out, err, "holds other files")
    code, out, err = cli(capsys, "reproduce", "--out", str(tmp_path / "no" / "res"))
    assert_rejected(code, out, err, "no folders are created")
    (tmp_path / "d" / "results.json").write_text("{}")  # a result folder, but the current one
    monkeypatch.chdir(tmp_path / "d")
    for here in (".", "..", str(tmp_path)):
        code, out, err = cli(capsys, "reproduce", "--out", here)
        assert_rejected(code, out, err, "does not hold the current folder")
    (tmp_path / "d" / "results.json").unlink()
    assert files_in(tmp_path) == {"f", "d"} and files_in(tmp_path / "d") == {"thesis.tex"}


def test_reproduce_keeps_a_previous_result_only_if_it_holds_nothing_else(
    capsys, tmp_path, monkeypatch
):
    """A previous result folder is replaced as a whole: allowed only while it holds the
    files its results.json lists (itself, report.html, each figure's PNG and PDF). A
    user's notes or data added to it are never deleted: the run is refused instead."""
    import json

    import spinpair.report

    def fake(out_dir, **kwargs):
        (Path(out_dir) / "results.json").write_text(
            json.dumps({"figures": {"fig2a": {"image": "fig2a.png"}}})
        )
        for name in ("report.html", "fig2a.png", "fig2a.pdf"):
            (Path(out_dir) / name).write_text("new")
        return Path(out_dir)

    monkeypatch.setattr(spinpair.report, "reproduce", fake)
    res = tmp_path / "res"
    code, _, err = cli(capsys, "reproduce", "--out", str(res))
    assert code == 0, err
    code, _, err = cli(capsys, "reproduce", "--out", str(res))  # its own files only: again
    assert code == 0, err
    (res / "notes.txt").write_text("mine")
    (res / "raw").mkdir()
    code, out, err = cli(capsys, "reproduce", "--out", str(res))
    assert_rejected(code, out, err, "also holds notes.txt, raw")
    assert (res / "notes.txt").read_text() == "mine" and (res / "raw").is_dir()
    (res / "notes.txt").unlink()
    (res / "raw").rmdir()
    (res / "results.json").write_text("not json")  # unreadable: nothing counts as its own
    code, out, err = cli(capsys, "reproduce", "--out", str(res))
    assert_rejected(code, out, err, "also holds")
    assert files_in(res) == {"results.json", "report.html", "fig2a.png", "fig2a.pdf"}


def test_reproduce_writes_through_a_temporary_folder(capsys, tmp_path, monkeypatch):
    import spinpair.report

    seen = []

    def fake(out_dir, **kwargs):
        seen.append(Path(out_dir))
        assert Path(out_dir).is_dir() and Path(out_dir).parent == tmp_path
        assert not (tmp_path / "res").exists()  # nothing at --out while running
        (Path(out_dir) / "results.json").write_text("{}")
        (Path(out_dir) / "report.html").write_text("<html></html>")
        return Path(out_dir)

    monkeypatch.setattr(spinpair.report, "reproduce", fake)
    code, _, err = cli(capsys, "reproduce", "--out", str(tmp_path / "res"))
    assert code == 0, err
    assert files_in(tmp_path) == {"res"} and files_in(tmp_path / "res") == {
        "results.json",
        "report.html",
    }
    assert seen[0].name.startswith(".res.partial-")


def test_reproduce_formats_png_by_default_pdf_on_request(capsys, tmp_path, monkeypatch):
    """--formats reaches reproduce (PNG by default, png,pdf on request); a list without
    PNG (the page shows it) or with another format is refused before any work."""
    import spinpair.report

    seen = []

    def fake(out_dir, **kwargs):
        seen.append(kwargs.get("formats"))
        (Path(out_dir) / "results.json").write_text("{}")
        return Path(out_dir)

    monkeypatch.setattr(spinpair.report, "reproduce", fake)
    for i, args in enumerate(([], ["--formats", "pdf,PNG"], ["--formats", "png"])):
        code, _, err = cli(capsys, "reproduce", "--out", str(tmp_path / f"r{i}"), *args)
        assert code == 0, err
    assert seen == [("png",), ("png", "pdf"), ("png",)]
    for bad in ("pdf", "svg", "png,svg", "", "png,png"):
        code, out, err = cli(capsys, "reproduce", "--out", str(tmp_path / "x"), "--formats", bad)
        assert_rejected(code, out, err, "--formats")
    assert len(seen) == 3 and not (tmp_path / "x").exists()


def test_binary_and_latin1_inputs_exit_2_naming_the_file(capsys, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("tau_s,runs,n0,n1,n2\n0,10,1,1,8 # é\n".encode("latin-1"))
    binary = tmp_path / "bin.toml"
    binary.write_bytes(bytes(range(256)))
    code, out, err = cli(capsys, "fit", str(latin), "--params", PRESET)
    assert_rejected(code, out, err, f"data = '{latin}'")
    code, out, err = cli(capsys, "params", "--params", str(binary))
    assert_rejected(code, out, err, f"--params = '{binary}'")
    code, out, err = cli(capsys, "params", "--params", str(tmp_path))
    assert_rejected(code, out, err, "folder")


def test_any_decode_or_os_error_on_an_input_file_is_exit_2(capsys, tmp_path, monkeypatch):
    """The top-level handler: a reader that lets UnicodeDecodeError or OSError escape still
    gives exit 2 naming the file (never exit 1)."""
    import spinpair.analysis.data as data_module

    latin = tmp_path / "latin.csv"
    latin.write_bytes("tau_s,runs,n0,n1,n2 é\n".encode("latin-1"))

    def naive_reader(path):
        return data_module.parse_csv(Path(path).read_text(encoding="utf-8"))

    monkeypatch.setattr(data_module, "read_csv", naive_reader)
    code, out, err = cli(capsys, "fit", str(latin), "--params", PRESET)
    assert_rejected(code, out, err, f"data = '{latin}' is invalid: allowed a UTF-8 text file")

    def unreadable(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data_module, "read_csv", unreadable)
    code, out, err = cli(capsys, "fit", str(latin), "--params", PRESET)
    assert_rejected(code, out, err, f"'{latin}': Permission denied")


def test_calibrate_latin1_data_is_exit_2(capsys, tmp_path):
    latin = tmp_path / "pops.csv"
    latin.write_bytes("time_s,runs,00,chi1 é\n0.1,10,5,5\n".encode("latin-1"))
    code, out, err = cli(capsys, "calibrate", str(latin), "--model", "relaxation", "--json")
    assert_rejected(code, out, err, str(latin))


def test_csv_count_1e30_one_line_from_the_real_process(tmp_path):
    """A real process: numpy warnings would be printed on stderr before the error."""
    f = tmp_path / "big.csv"
    f.write_text("tau_s,runs,n0,n1,n2\n0,1e30,1e30,0,0\n")
    r = subprocess.run(
        [*SPINPAIR, "fit", str(f), "--params", PRESET, "--json"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and "row 1, column runs" in r.stderr


def test_csv_digits_are_ascii():
    with pytest.raises(InputError, match="ASCII digits"):
        parse_csv("tau_s,runs,n0,n1,n2\n0,١٠,1,1,8\n")
    with pytest.raises(InputError, match="ASCII digits"):
        parse_csv("tau_s,runs,n0,n1,n2\n0,１０,1,1,8\n")  # full-width
    with pytest.raises(InputError, match="ASCII digits"):
        parse_csv("tau_s,runs,n0,n1,n2\n0,1_0,1,1,8\n")
    assert parse_csv("tau_s,runs,n0,n1,n2\n0, 10 ,1,1,8\n").runs.tolist() == [10]


def test_emit_writes_nan_and_inf_as_null(capsys):
    emit({"a": float("nan"), "b": [np.inf, 1.0, np.float64(2.5)], "c": np.int64(3)})
    assert json.loads(capsys.readouterr().out) == {"a": None, "b": [None, 1.0, 2.5], "c": 3}


# ----------------------------------------------------------------------------- signals


def _start(argv: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*SPINPAIR, *argv],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
        start_new_session=True,  # its own process group: we can check nothing survives
    )


def _group_gone(pgid: int, timeout_s: float = 10.0) -> bool:
    """No process of the group is left within ``timeout_s``. Helpers that multiprocessing
    starts (its resource tracker) exit when the CLI does and are then reaped by init,
    which may take a moment, as in the sweep's kill test (``psutil.wait_procs``)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@pytest.mark.parametrize(
    "sig, code", [(signal.SIGTERM, 143), pytest.param(signal.SIGINT, 130, marks=pytest.mark.slow)]
)
def test_interrupted_reproduce_leaves_nothing(tmp_path, sig, code):
    proc = _start(["reproduce", "--out", "X"], tmp_path)
    deadline = time.monotonic() + 60
    # wait until the run has started writing (its temporary folder exists), then ~2 s more
    while not any(p.name.startswith(".X.partial-") for p in tmp_path.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(2.0)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert err.splitlines() == [f"spinpair: interrupted by {sig.name}"]
    assert files_in(tmp_path) == set()  # neither X nor the temporary folder
    assert _group_gone(proc.pid)


# ----------------------------------------------------------------------------- help


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_option_of_every_subcommand_has_help():
    parser = build_parser()
    subs = _subparsers(parser)
    assert {
        "params",
        "state",
        "zeeman",
        "raman",
        "reproduce",
        "simulate",
        "fit",
        "plan",
        "dynamics",
        "ramsey",
        "sweep",
        "calibrate",
    } <= set(subs)
    for name, sp in subs.items():
        assert sp.description and sp.description.strip(), name
        assert sp.epilog and "example" in sp.epilog and f"spinpair {name}" in sp.epilog, name
        for action in sp._actions:
            assert action.help and action.help.strip(), (
                f"{name} {action.option_strings or action.dest}"
            )


def test_help_runs_and_shows_examples(capsys):
    for name in _subparsers(build_parser()):
        code, out, _ = cli(capsys, name, "--help")
        assert code == 0 and "example" in out, name
    code, out, _ = cli(capsys, "reproduce", "--help")
    for written in ("results.json", "report.html", "fig2b", "temporary folder"):
        assert written in out


def test_bare_spinpair_prints_the_overview(tmp_path):
    r = subprocess.run(SPINPAIR, capture_output=True, text=True, env=ENV, check=False, cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == ""
    for name in ("raman", "fit", "reproduce", "examples:"):
        assert name in r.stdout


def test_documented_examples_parse():
    """Every example in the help parses (files aside: parsing only)."""
    parser = build_parser()
    for name, sp in _subparsers(parser).items():
        for line in sp.epilog.splitlines():
            line = line.strip().rstrip("\\").strip()
            if line.startswith("spinpair "):
                argv = shlex.split(line)[1:]
                if ">" in argv:  # a shell redirection
                    argv = argv[: argv.index(">")]
                if line.endswith(("--runs 500 --seed 1 --out data.csv",)):
                    continue
                try:
                    parser.parse_args(argv)
                except InputError as e:  # only "required" continuation lines may miss
                    assert "required" in str(e), (name, line, e)


# ----------------------------------------------------------------------------- the catalogue

DOC = ROOT / "docs" / "errors.md"
ROW = re.compile(r"^\| (?P<cls>.+?) \| `(?P<cmd>spinpair [^`]+)` \| `(?P<msg>.*)` \|$")

FIXTURES: dict[str, bytes | None] = {
    "latin1.csv": "tau_s,runs,n0,n1,n2\n0,10,1,1,8 é\n".encode("latin-1"),
    "binary.csv": bytes(np.random.default_rng(1).integers(0, 256, 200, dtype=np.uint8)),
    "binary.toml": bytes(np.random.default_rng(2).integers(0, 256, 200, dtype=np.uint8)),
    "arabic.csv": "tau_s,runs,n0,n1,n2\n0,١٠,1,1,8\n".encode(),
    "huge.csv": b"tau_s,runs,n0,n1,n2\n0,1e30,1e30,0,0\n",
    "sum.csv": b"tau_s,runs,n0,n1,n2\n0,10,1,1,7\n",
    "half.csv": b"tau_s,runs,n0,n1,n2\n0,10,1,1.5,7.5\n",
    "short.csv": b"tau_s,runs,n0,n1,n2\n0,10,1,9\n",
    "nocol.csv": b"tau_s,runs,n0,n1\n0,10,1,9\n",
    "file.txt": b"mine\n",
    "latin1.toml": "# caf\u00e9\nf = 2\n".encode("latin-1"),
    "bool.toml": b"[imperfections]\nprep_efficiency = true\n",
    "string.toml": b'[trap]\ndepth_hz = "22e6"\n',
    "hot.toml": b"[trap]\ntemperature_k = 1.0\n",
    "deep.toml": b"[trap]\ndepth_hz = 1e300\n",
    "typo.toml": b"[trap]\ntemprature_k = 40e-6\n",
    "badmodel.toml": b'[collisions]\nmodel = "ergodik"\n',
    "field.toml": b"[collisions]\nfield_gauss = 5e4\n",
    "pairloss.toml": b'[imperfections]\npair_loss = "rates"\n',
    "folder.csv": None,  # a folder
    "full": None,  # a folder holding other files
}


def _catalogue_dir(tmp_path: Path) -> Path:
    for name, content in FIXTURES.items():
        if content is None:
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(content)
    (tmp_path / "full" / "notes.txt").write_text("mine")
    shutil.copy(PRESET, tmp_path / "paper-like.toml")
    return tmp_path


def test_catalogue_of_rejected_inputs_matches_the_cli(capsys, tmp_path, monkeypatch):
    """docs/errors.md: every example is rejected with exactly the documented line, and
    writes nothing. SPINPAIR_UPDATE_DOCS=1 rewrites the message column from the CLI."""
    folder = _catalogue_dir(tmp_path)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    monkeypatch.chdir(folder)
    lines = DOC.read_text(encoding="utf-8").splitlines()
    rows = 0
    for i, line in enumerate(lines):
        m = ROW.match(line)
        if not m:
            continue
        rows += 1
        argv = shlex.split(m["cmd"])[1:]
        code, out, err = cli(capsys, *argv)
        assert_rejected(code, out, err)
        message = err.strip().removeprefix("spinpair: error: ")
        assert "`" not in message
        documented = m["msg"].replace("\\|", "|")
        if os.environ.get("SPINPAIR_UPDATE_DOCS"):
            lines[i] = f"| {m['cls']} | `{m['cmd']}` | `{message.replace('|', chr(92) + '|')}` |"
        else:
            assert message == documented, f"docs/errors.md row {m['cmd']!r}"
    assert rows >= 30
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before  # nothing written
    if os.environ.get("SPINPAIR_UPDATE_DOCS"):
        DOC.write_text("\n".join(lines) + "\n", encoding="utf-8")


LIMIT = re.compile(
    r"^\| .+ \| (?P<value>[0-9.e+-]+)[^|]* \| "
    r"`(?P<name>spinpair\.[a-z_.]+)\.(?P<const>[A-Z_]+)` \|$"
)


def test_documented_limits_are_the_code_limits():
    import importlib

    rows = [m for line in DOC.read_text(encoding="utf-8").splitlines() if (m := LIMIT.match(line))]
    assert len(rows) == 11
    for m in rows:
        value = getattr(importlib.import_module(m["name"]), m["const"])
        assert float(m["value"]) == pytest.approx(float(value), rel=1e-12), m["const"]


# ----------------------------------------------------------------------------- property-based

# SPINPAIR_FUZZ_EXAMPLES=2000 for a longer hunt (else the Hypothesis profile's number:
# tests/conftest.py)
FUZZ = settings(
    max_examples=int(os.environ.get("SPINPAIR_FUZZ_EXAMPLES", settings().max_examples)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_csv_bytes_via_the_cli(capsys, tmp_path, data):
    f = tmp_path / "d.csv"
    f.write_bytes(data)
    code, out, err = cli(capsys, "fit", str(f), "--params", PRESET, "--json")
    assert code == 2 or (code == 0 and json.loads(out))
    if code == 2:
        assert_rejected(code, out, err)
    assert files_in(tmp_path) == {"d.csv"}


_cell = st.one_of(
    st.integers(-5, 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "1e30", "-0", "1.5", "١", "nan", "inf", "1_0", "0x1", '"3"']),
    st.text(max_size=4),
)


@FUZZ
@given(st.lists(st.lists(_cell, min_size=5, max_size=5), min_size=1, max_size=4))
def test_random_csv_values_parse_or_input_error(rows):
    text = "tau_s,runs,n0,n1,n2\n" + "\n".join(",".join(r) for r in rows) + "\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            d = parse_csv(text)
        except InputError as e:
            assert len(str(e).splitlines()) <= 1 or "\n" in repr(e.value)
            return
    # accepted: the table is what the contract says
    assert np.all(d.runs > 0) and np.array_equal(d.n0 + d.n1 + d.n2, d.runs)
    assert np.all(np.isfinite(d.setting)) and np.all(d.setting >= 0)


_value = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["-1,1", "1,1", "chi1", "mixed", "", "-", "--", "1e-6", "-5e3", "٣"]),
    st.text(max_size=6),
)


@FUZZ
@given(
    st.sampled_from(
        [
            ["raman", "--ideal", "--state", "chi1", "--area"],
            ["raman", "--ideal", "--state", "chi1", "--tau"],
            ["raman", "--ideal", "--state", "chi1", "--area", "1", "--detuning"],
            ["raman", "--ideal", "--area", "1", "--state"],
            ["raman", "--params", PRESET, "--tau"],
            ["zeeman", "--field"],
            ["zeeman", "--field", "1", "--species"],
            ["state", "chi1", "--f"],
            ["state"],
        ]
    ),
    st.lists(_value, min_size=1, max_size=3),
)
def test_random_option_values(capsys, tmp_path, monkeypatch, prefix, values):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, *prefix, *values, "--json")
    assert code in (0, 2), err
    if code == 0:
        d = json.loads(out)
        if "P0" in d:
            total = np.sum([d["P0"], d["P1"], d["P2"]], axis=0)
            assert np.allclose(total, 1.0) and min(min(d[k]) for k in ("P0", "P1", "P2")) >= -1e-12
    else:
        assert_rejected(code, out, err)
    assert files_in(tmp_path) == set()


@FUZZ
@given(
    st.lists(_value, min_size=1, max_size=2),
    st.sampled_from(["5", "0", "-1", "1e3", "٣", "x"]),
    st.sampled_from(["1", "-1", "0", "1e30"]),
    st.sampled_from(["d.csv", "d.txt", "no/d.csv", "sub", ""]),
)
def test_random_simulate_options(capsys, tmp_path, monkeypatch, taus, runs, seed, out):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir(exist_ok=True)
    for p in tmp_path.iterdir():
        if p.name != "sub":
            p.unlink()
    code, stdout, err = cli(
        capsys,
        "simulate",
        "--params",
        PRESET,
        "--tau",
        *taus,
        "--runs",
        runs,
        "--seed",
        seed,
        "--out",
        out,
    )
    assert code in (0, 2), err
    if code == 0:
        assert files_in(tmp_path) == {"sub", "d.csv", "d.csv.provenance.json"}
        assert parse_csv((tmp_path / "d.csv").read_text()).runs.tolist() == [
            int(float(runs))
        ] * len(taus)
    else:
        assert_rejected(code, stdout, err)
        assert files_in(tmp_path) == {"sub"} and not any((tmp_path / "sub").iterdir())


@FUZZ
@given(
    st.sampled_from(["ground-state", "relaxation", "ergodic"]),
    st.sampled_from(["--field", "--temperature", "--rate-scale", "--state", "--times", "--f"]),
    st.lists(_value, min_size=1, max_size=2),
)
def test_random_dynamics_options(capsys, model, option, values):
    times = [] if option == "--times" else ["--times", "0", "0.1"]
    extra = ["--nodes", "16"] if model == "ergodic" else []
    code, out, err = cli(
        capsys, "dynamics", "--model", model, *extra, *times, option, *values, "--json"
    )
    assert code in (0, 2), err
    if code == 0:
        # populations of the named states (projections: other states, e.g. chi_minus of a
        # product initial state, make the sum < 1)
        pops = json.loads(out)["populations"]
        total = np.sum([v for v in pops.values()], axis=0)
        assert np.all(total <= 1.0 + 1e-9)
        assert min(min(v) for v in pops.values()) >= -1e-9
    else:
        assert_rejected(code, out, err)


@FUZZ
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_arbitrary_parameter_file_bytes(capsys, tmp_path, data):
    f = tmp_path / "p.toml"
    f.write_bytes(data)
    code, out, err = cli(capsys, "params", "--params", str(f), "--json")
    assert code in (0, 2), err
    if code == 0:
        assert "params" in json.loads(out)
    else:
        assert_rejected(code, out, err)
    assert files_in(tmp_path) == {"p.toml"}


def test_file_writing_commands_take_json_and_print_one_summary(capsys, tmp_path, monkeypatch):
    """simulate, sweep and reproduce write files; with --json they also print exactly one
    JSON object on stdout (what was written), as every computing subcommand does."""
    import spinpair.report

    code, out, err = cli(
        capsys, "simulate", "--params", PRESET, "--tau", "0", "1e-6", "--runs", "10",
        "--seed", "1", "--out", str(tmp_path / "s.csv"), "--json",
    )  # fmt: skip
    assert code == 0, err
    got = json.loads(out)
    assert got["out"] == str(tmp_path / "s.csv") and got["points"] == 2 and got["runs"] == 10
    sweep_file = tmp_path / "sw.toml"
    sweep_file.write_text(
        'compute = "raman"\ntau_s = [0.0, 1e-6]\n[axes]\n"imperfections.p_loss" = [0.0, 0.1]\n'
    )
    code, out, err = cli(
        capsys, "sweep", str(sweep_file), "--out", str(tmp_path / "sw.csv"), "--json"
    )
    assert code == 0, err
    got = json.loads(out)
    assert got["points"] == 2 and got["skipped"] == 0 and got["out"] == str(tmp_path / "sw.csv")

    def fake(out_dir, **kwargs):
        (Path(out_dir) / "results.json").write_text("{}")
        return Path(out_dir)

    monkeypatch.setattr(spinpair.report, "reproduce", fake)
    code, out, err = cli(capsys, "reproduce", "--out", str(tmp_path / "rep"), "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["results"].endswith("results.json") and "placeholders" not in got
