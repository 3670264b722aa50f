"""The benchmark harness runs (one round, tiny sizes) and its bookkeeping is right; no
timing is asserted (benchmarks are run on demand by ``make bench``, never here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def harness(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import harness as h

    monkeypatch.setattr(h, "REPEATS", 1)
    monkeypatch.setattr(h, "SMOKE", True)
    yield h
    sys.modules.pop("bench_kernels", None)


def test_compare_interleaves_warms_up_and_reports_ratios_of_medians(harness):
    calls: list[str] = []
    fns = {name: (lambda n=name: calls.append(n)) for name in ("spinpair", "a", "b")}
    res = harness.compare(fns, repeats=3)
    # one warm-up each, then three rounds with the order rotating
    warm = ["spinpair", "a", "b"]
    rounds = ["spinpair", "a", "b", "a", "b", "spinpair", "b", "spinpair", "a"]
    assert calls == warm + rounds
    t = res["timings"]
    for name in ("a", "b"):
        ratio = t[name]["median_s"] / t["spinpair"]["median_s"]
        assert res[f"ratio {name}/spinpair"] == pytest.approx(ratio)
        lo, hi = res[f"range {name}/spinpair"]
        assert lo <= hi
    assert res["repeats"] == 3 and len(res["load_average_start"]) == 3


def test_kernel_benchmark_smoke_run_agrees_with_direct_forms(harness):
    import bench_kernels

    with harness.same_threads():
        out = bench_kernels.run()
    per = out["ramsey_periodogram"]
    assert per["max_relative_difference_fft_vs_direct (powers > 1e-12 of peak)"] < 1e-9
    assert out["exp_table"]["max_difference_vs_direct (relative to max)"] < 1e-12
    for case in out.values():
        assert set(case["timings"]) >= {"spinpair"}
        assert case["zgemm_peak_gflops"] > 0


def test_summary_row_shows_median_and_range():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    results = {
        "bench_x": {
            "case": {
                "ratio q/spinpair": 4.0,
                "range q/spinpair": [3.0, 5.0],
                "bound (FLOPs)": {"ratio to FLOP bound": 7.0},
                "load_average_start": [1.0, 1.0, 1.0],
            }
        }
    }
    rows = run._summary(results, ["bench_x"])
    assert any("| ratio q/spinpair | 4 [3–5] |" in r for r in rows)
    assert any("time / bound (FLOPs) | 7 |" in r for r in rows)
