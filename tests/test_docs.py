"""Execute every ``python`` and ``bash`` block of README.md and docs/*.md, and compare the
outputs the docs state.

Why a small collector instead of a plugin: pytest-markdown-docs and phmdoctest run Python
blocks only; the docs here are half shell (``spinpair ...`` commands that read
``examples/`` and write files), and their stated outputs are trailing comments
(``print(x)  # 0.5``), which neither plugin compares. Parsing uses markdown-it-py (the
CommonMark parser behind MyST), so fences are found exactly as a Markdown renderer does.

Rules
-----
* Python blocks of one file run in order in one namespace, in a temporary folder with
  ``examples`` and ``src`` of the repository linked in. A top-level ``print(...)`` or bare
  expression whose line ends in a comment that starts like a value (a number, ``[``,
  ``{``, ``(``, ``True``/``False``/``None``, or ``≈`` followed by one) states its output:
  the text before the first ``:`` outside brackets must equal the printed text token by
  token; with ``≈`` numbers agree to the precision shown (at least 1 %); ``...`` ends the
  comparison.
* Shell blocks run line by line with ``bash`` in that folder (one folder per file, so
  files written by one block are read by the next; ``NAME=value`` assignments carry over).
  A ``# {"key": [numbers], ...}`` comment line after a ``--json`` command states values of
  those keys. Lines that cannot run here are listed in :data:`NOT_RUN` with the reason.
* ``spinpair reproduce --out DIR`` runs once per session into the folder that
  tests/report/ share, and is copied to DIR.
* Fenced ``toml``/``csv``/... blocks whose first line is ``# NAME.EXT`` are written to the
  work folder as NAME.EXT (the guide's ``sweep.toml``).
* A file of the repository that the docs name (``examples/...``, ``src/...``) and that is
  missing is a failure that names it (before a command runs, and for the whole text of
  every doc in :func:`test_files_the_docs_name_are_shipped`), never an xfail or a skip.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PY, SH = ("python", "py", "python3"), ("bash", "sh", "shell", "console")
#: Other fenced blocks whose first line is ``# NAME.EXT`` are files the reader saves: they
#: are written into the work folder before the file's shell blocks run.
FILE_LANGS = ("toml", "csv", "json", "ini", "text")

#: Shell lines the suite does not run, with the reason (pattern → reason).
NOT_RUN = {
    r"^make\b": "make targets build the venv and run this suite or the docs build "
    "(CI runs them: .ci/run)",
    r"^python3 -m venv|^\.venv/bin/pip|^pip install": "installs packages (done by make)",
    r"^\.venv/bin/python docs/figures/": "regenerates the committed docs figures in place "
    "(long; run by hand)",
    r"^\.venv/bin/python -m spinpair\.scattering\.tables": "regenerates the shipped "
    "coupled-channel tables in place (about 20 min; run by hand)",
    r"^\.venv/bin/python -m spinpair\.scattering\.inelastic": "regenerates the shipped "
    "inelastic rate tables in place (about 30 min; run by hand)",
    r"--scheduler\s+tcp://": "needs a running Dask scheduler",
    r"--scheduler\s+tls://": "needs a running Dask scheduler and TLS certificates",
    r"^dask (scheduler|worker)\b": "starts a Dask scheduler or worker (a service that runs "
    "until stopped; tests/sweep/test_sweep.py starts its own on a free port)",
}

#: Python blocks that cannot run here (pattern in the block → reason): they are parsed
#: (syntax checked) and skipped with the reason.
NOT_RUN_PY = {
    r"SLURMCluster\(": "submits batch jobs to a SLURM cluster (the job script is tested in "
    "tests/sweep/test_sweep.py)",
}

#: Blocks that run with the slow tests (``make test-slow``, CI) and not in ``make test``
#: (pattern in the block → reason). No later block that is not slow may need what a slow
#: block writes: before a block runs, the earlier blocks of its file that are not slow run
#: first if they have not (``pytest -m slow``), so every block starts from the same folder,
#: shell variables and Python namespace as in a full run.
SLOW = {
    r"spinpair ramsey --state 1,1": "four Ramsey scans",
    r"--plot fig_s4\.png": "two fits with plots (README runs `spinpair fit`)",
    r"spinpair fit .*--nuisance": "fit of every curve with nuisances",
    r"spinpair plan ": "Monte Carlo planning",
    r"spinpair calibrate ": "a_F calibration with a profile plot",
    r"calibrate\(data, CollisionSetup": "a_F calibration",
    r"(?m)^spinpair sweep examples/sweep\.toml --out sweep\.nc": "sweeps to NetCDF (scaling.md's "
    "first block runs one sweep to CSV)",
    r"xr\.open_dataset\(": "reads the NetCDF sweep written by the block before",
    r"LocalCluster\(": "starts a Dask cluster (tests/sweep/test_sweep.py keeps one in make test)",
}

#: Paths of files the repository ships that the docs name (the work folders link
#: ``examples`` and ``src`` in): a missing one fails with its name, not as an xfail.
SHIPPED = re.compile(r"\b(?:examples|src)/[\w./-]*\w")


def unshipped(text: str) -> list[str]:
    """The repository files that ``text`` names and the repository does not have."""
    return sorted({p for p in SHIPPED.findall(text) if not (ROOT / p).exists()})


@dataclass
class Block:
    path: Path
    line: int
    lang: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


_FILES: dict[Path, dict[str, str]] = {}


def _blocks() -> list[Block]:
    md = MarkdownIt("commonmark")
    out = []
    for path in DOCS:
        for tok in md.parse(path.read_text(encoding="utf-8")):
            if tok.type != "fence" or tok.map is None:
                continue
            lang = (tok.info.split() or [""])[0].lower()
            first = tok.content.splitlines()[0] if tok.content else ""
            m = re.match(r"^#\s*([\w.-]+\.\w+)\s*$", first)
            if lang in FILE_LANGS and m:
                name, text = m.group(1), tok.content
                if name.endswith(".csv"):  # CSV has no comments: the name line is not data
                    text = text.split("\n", 1)[1]
                _FILES.setdefault(path, {})[name] = text
            elif lang in PY or lang in SH:
                out.append(
                    Block(path, tok.map[0] + 1, "python" if lang in PY else "bash", tok.content)
                )
    return out


BLOCKS = _blocks()
_WORKDIRS: dict[Path, Path] = {}
_NAMESPACES: dict[Path, dict] = {}
_SHELL_VARS: dict[Path, list[str]] = {}


def _workdir(path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if path not in _WORKDIRS:
        d = tmp_path_factory.mktemp(f"docs-{path.stem}")
        for name in ("examples", "src"):
            (d / name).symlink_to(ROOT / name)
        for name, text in _FILES.get(path, {}).items():
            (d / name).write_text(text, encoding="utf-8")
        _WORKDIRS[path] = d
    return _WORKDIRS[path]


# ------------------------------------------------------------------ stated outputs

_VALUE_START = re.compile(r"^(≈\s*)?(-?\d|\[|\{|\(|True\b|False\b|None\b|'|\")")
_TOKEN = re.compile(
    r"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\.\.|…|None|True|False|nan|inf|'[^']*'|\"[^\"]*\""
)


def _stated(comment: str) -> tuple[str, bool] | None:
    """The output a trailing comment states (text, approximate?) or None."""
    c = comment.strip()
    m = _VALUE_START.match(c)
    if not m:
        return None
    approx = bool(m.group(1))
    c = c[m.end(1) :] if approx else c
    depth, end = 0, len(c)
    for i, ch in enumerate(c):
        if ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == ":" and depth == 0:
            end = i
            break
    return c[:end].strip(), approx


def _decimals(tok: str) -> float:
    mant, _, exp = tok.lower().partition("e")
    dec = len(mant.split(".")[1]) if "." in mant else 0
    return 0.5 * 10.0 ** (-dec + (int(exp) if exp else 0))


def compare(expected: str, actual: str, approx: bool) -> str | None:
    """None if ``actual`` shows ``expected``; else a message."""
    exp, act = _TOKEN.findall(expected), _TOKEN.findall(actual)
    for i, e in enumerate(exp):
        if e in ("...", "…"):
            return None
        if i >= len(act):
            return f"expected {expected!r}, got {actual!r} (too few values)"
        a = act[i]
        if not approx:
            if a != e:
                return f"expected {expected!r}, got {actual!r} ({a} is not {e})"
            continue
        try:
            ev, av = float(e), float(a)
        except ValueError:
            if a != e:
                return f"expected {expected!r}, got {actual!r}"
            continue
        if abs(av - ev) > max(_decimals(e), 0.01 * abs(ev)):
            return f"expected ≈ {expected!r}, got {actual!r} ({a} vs {e})"
    if len(act) > len(exp) and not approx:
        return f"expected {expected!r}, got {actual!r} (extra values)"
    return None


# ------------------------------------------------------------------ python


def _comments(code: str) -> dict[int, str]:
    import tokenize

    out = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            out[tok.start[0]] = tok.string[1:]
    return out


def run_python(block: Block, ns: dict, cwd: Path) -> list[str]:
    """Run a block statement by statement; return the mismatches with stated outputs."""
    tree = ast.parse(block.code)
    comments = _comments(block.code)
    problems = []
    old = Path.cwd()
    os.chdir(cwd)
    try:
        for stmt in tree.body:
            line = stmt.end_lineno or stmt.lineno
            stated = _stated(comments[line]) if line in comments else None
            is_expr = isinstance(stmt, ast.Expr)
            is_print = (
                is_expr
                and isinstance(stmt.value, ast.Call)
                and getattr(stmt.value.func, "id", None) == "print"
            )
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                if is_expr and not is_print:
                    value = eval(compile(ast.Expression(stmt.value), block.id, "eval"), ns)
                    text = repr(value)
                else:
                    exec(compile(ast.Module([stmt], []), block.id, "exec"), ns)
                    text = buf.getvalue().strip()
            if stated and is_expr:
                msg = compare(stated[0], text, stated[1])
                if msg:
                    problems.append(f"line {block.line + line}: {msg}")
    finally:
        os.chdir(old)
    return problems


# ------------------------------------------------------------------ shell


def _shell_lines(code: str) -> list[tuple[str, str | None]]:
    """(command, stated JSON comment or None) for every command of a shell block."""
    joined = code.replace("\\\n", " ")
    out: list[tuple[str, str | None]] = []
    for raw in joined.splitlines():
        s = raw.strip()
        if not s:
            continue
        if s.startswith("#"):
            if out and s[1:].strip().startswith("{") and out[-1][1] is None:
                out[-1] = (out[-1][0], s[1:].strip())
            continue
        out.append((s, None))
    return out


def _check_json(stated: str, stdout: str) -> str | None:
    try:
        got = json.loads(stdout)
    except json.JSONDecodeError:
        return f"not one JSON object: {stdout[:200]!r}"
    for key, body in re.findall(r'"([^"]+)":\s*\[([^\]]*)\]', stated):
        if "..." in body or "…" in body:
            continue
        if key not in got:
            return f"key {key!r} missing"
        msg = compare(body, " ".join(repr(x) for x in got[key]), approx=True)
        if msg:
            return f"{key}: {msg}"
    return None


def run_shell(
    block: Block, cwd: Path, report_dir: Callable[[], Path]
) -> tuple[list[str], list[str]]:
    """Run each command; return (failures, not run with reason).
    ``report_dir()`` gives the session's ``spinpair reproduce`` folder (tests/conftest.py)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    assigns = _SHELL_VARS.setdefault(block.path, [])
    failures, skipped = [], []
    for cmd, stated in _shell_lines(block.code):
        reason = next((r for p, r in NOT_RUN.items() if re.search(p, cmd)), None)
        if reason:
            skipped.append(f"{cmd!r}: {reason}")
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", cmd):
            assigns.append(cmd)
            continue
        m = re.match(r"^spinpair reproduce --out (\S+)\s*(#.*)?$", cmd)
        if m:  # one reproduction per session, shared with tests/report/
            shutil.copytree(report_dir(), cwd / m.group(1), dirs_exist_ok=True)
            continue
        gone = unshipped(cmd)
        if gone:
            failures.append(
                f"{cmd!r} reads {', '.join(gone)}, which the repository does not ship "
                "(add the file, or change the docs)"
            )
            continue
        script = "\n".join(["set -euo pipefail", *assigns, cmd])
        r = subprocess.run(
            ["bash", "-c", script],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if r.returncode != 0:
            failures.append(f"{cmd!r} exited {r.returncode}: {r.stderr.strip()[-400:]}")
            continue
        if stated:
            msg = _check_json(stated, r.stdout)
            if msg:
                failures.append(f"{cmd!r}: {msg}")
    return failures, skipped


def _slow(block: Block) -> bool:
    return any(re.search(p, block.code) for p in SLOW)


_DONE: set[str] = set()


@pytest.mark.parametrize(
    "block",
    [pytest.param(b, id=b.id, marks=[pytest.mark.slow] if _slow(b) else []) for b in BLOCKS],
)
def test_doc_block(block: Block, request: pytest.FixtureRequest) -> None:
    for earlier in BLOCKS[: BLOCKS.index(block)]:  # see SLOW
        if earlier.path == block.path and earlier.id not in _DONE and not _slow(earlier):
            with contextlib.suppress(pytest.skip.Exception):
                _run_block(earlier, request)
    _run_block(block, request)


def _run_block(block: Block, request: pytest.FixtureRequest) -> None:
    _DONE.add(block.id)
    cwd = _workdir(block.path, request.getfixturevalue("tmp_path_factory"))
    if block.lang == "python":
        reasons = [r for pat, r in NOT_RUN_PY.items() if re.search(pat, block.code)]
        if reasons:
            ast.parse(block.code)
            pytest.skip("not run here: " + "; ".join(reasons))
        problems = run_python(block, _NAMESPACES.setdefault(block.path, {}), cwd)
        assert not problems, "\n".join(problems)
        return
    failures, skipped = run_shell(block, cwd, lambda: request.getfixturevalue("report_dir"))
    assert not failures, "\n".join(failures)
    if skipped and len(skipped) == len(_shell_lines(block.code)):
        pytest.skip("not run here: " + "; ".join(skipped))


def test_files_the_docs_name_are_shipped() -> None:
    """Every ``examples/...`` or ``src/...`` file named anywhere in README.md or docs/*.md
    (slow and not-run blocks and prose too) is in the repository."""
    gone = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in DOCS
        for name in unshipped(path.read_text(encoding="utf-8"))
    ]
    assert not gone, "the docs name files the repository does not ship:\n" + "\n".join(gone)


def test_a_command_reading_a_missing_shipped_file_fails(tmp_path: Path) -> None:
    """A shell line that names a shipped file the repository lacks is a failure naming the
    file (it is not run, and not turned into an xfail or a skip)."""
    block = Block(ROOT / "README.md", 1, "bash", "spinpair fit examples/no-such-file.csv\n")

    def no_report() -> Path:
        raise AssertionError("no reproduction needed")

    failures, skipped = run_shell(block, tmp_path, no_report)
    assert skipped == []
    assert len(failures) == 1
    assert "examples/no-such-file.csv" in failures[0]
    assert "does not ship" in failures[0]
    assert unshipped("spinpair sweep examples/sweep.toml --out s.csv") == []


# ------------------------------------------------------------------ the comparator itself


@pytest.mark.parametrize(
    ("comment", "printed", "ok"),
    [
        (" 0.5: maximally entangled", "0.5", True),
        (" 0.5: maximally entangled", "0.4999999999999999", False),
        (" [0.5] [0.] [0.5]: paper Fig. 2a", "[0.5] [0.] [0.5]", True),
        (" [0.5] [0.] [0.5]: paper Fig. 2a", "[0.5] [2.465e-32] [0.5]", False),
        (" ≈ [0, 7.1e-4, 1.27e-3]", "[0.00000000e+00 7.08e-04 1.271e-03]", True),
        (" ≈ [0, 7.1e-4, 1.27e-3]", "[0.00000000e+00 7.5e-04 1.271e-03]", False),
        (" {'P0': 71859.0, 'P1': 71859.0, ...}", "{'P0': 71859.0, 'P1': 71859.0, 'x': 1}", True),
        (" 0.9 0.8", "0.9000000000000001 0.8", False),
    ],
)
def test_comparator(comment: str, printed: str, ok: bool) -> None:
    stated = _stated(comment)
    assert stated is not None
    assert (compare(*stated[:1], printed, stated[1]) is None) is ok


def test_narrative_comments_state_nothing() -> None:
    assert _stated(" best values and 68 % profile intervals") is None
    assert _stated(" ν_r = 102 kHz") is None
