"""The README's speed table is the one benchmarks/run.py renders from benchmarks/results.json
(numbers in the docs are never typed by hand)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_speed_table_matches_results_json() -> None:
    run = _run_module()
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    readme = (ROOT / "README.md").read_text()
    i, j = readme.index(run.README_START), readme.index(run.README_END)
    block = readme[i : j + len(run.README_END)]
    assert block == run.readme_block(results)
    # every ratio row of the table is a number taken from results.json
    rows = [r for r in block.splitlines() if r.startswith("| bench_")]
    assert rows, "the README speed table is empty: run make bench"


def test_update_readme_rewrites_only_the_block(tmp_path: Path) -> None:
    run = _run_module()
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{run.README_START}\nold\n{run.README_END}\nafter\n")
    results = {"machine": {"cpus": 2}, "bench_x": {"case": {"ratio_a": 2.0}}}
    run.update_readme(results, readme)
    text = readme.read_text()
    assert text.startswith("before\n") and text.endswith("\nafter\n") and "old" not in text
