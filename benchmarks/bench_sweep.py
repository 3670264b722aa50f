"""Sweep speed-up: 2 workers against 1, on local processes and on a Dask LocalCluster.

``python benchmarks/bench_sweep.py`` writes ``benchmarks/sweep_results.json`` and the table
between the ``bench_sweep`` markers in ``docs/scaling.md``; ``run()`` is the entry point
for ``benchmarks/run.py``. Every case is timed in this one run, idle and then with one
extra CPU-bound process running (the machine has its own load too: the 1-minute load
average is recorded before and after each case). Worker start-up is excluded from the
ratios and reported on its own. For context the run also times a pool like the old one (no
thread cap: BLAS threads at their default, start-up included) that made ``--workers 2``
slower than one worker.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "scaling.md"
RESULTS = HERE / "sweep_results.json"

#: The benchmark sweep: dynamics, the ergodic+relaxation model (Liouvillian propagation on
#: small matrices, where BLAS threads hurt), 16 grid points.
SWEEP = """
compute = "dynamics"
model = "ergodic+relaxation"
times_s = [0.0, 0.0125, 0.025, 0.0375, 0.05, 0.0625, 0.075, 0.0875, 0.1]
[axes]
"collisions.rate_scale" = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2,
                           1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0]
"""
REPEATS = 2


def _load() -> float:
    return os.getloadavg()[0]


def _timed(fn) -> dict:
    """Best of REPEATS wall times of fn() (s), with the load average around them."""
    before = _load()
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return {
        "seconds": min(times),
        "all_seconds": times,
        "load_before": before,
        "load_after": _load(),
    }


def _uncapped_pool_run(spec, points) -> None:
    """The pool before the fix: no initializer, no thread cap, BLAS threads at their default
    (spawned without the thread variables, so each worker's OpenBLAS starts its own)."""
    import multiprocessing

    from spinpair.sweep import evaluate_point

    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as ex:
        list(ex.map(evaluate_point, [spec] * len(points), points))


def _cases(spec) -> dict:
    import distributed

    from spinpair.sweep import _chunks, _executor, _run_chunks, run_sweep

    n = spec.n_points
    out: dict = {"points": n}
    run_sweep(spec)  # warm caches and imports in this process

    def local(workers: int) -> dict:
        t0 = time.perf_counter()
        with _executor(workers) as (ex, par):
            startup = time.perf_counter() - t0
            chunks = _chunks(n, 1)
            res = _timed(lambda: _run_chunks(spec, chunks, ex, par, lambda k, r: None))
        res["startup_s"] = startup
        return res

    out["local_1"] = local(1)
    out["local_2"] = local(2)

    env = {k: os.environ.pop(k) for k in list(os.environ) if k.endswith("_NUM_THREADS")}
    try:  # the old pool, as it ran before: default thread variables
        points = spec.points()
        out["old_pool_2_uncapped"] = _timed(lambda: _uncapped_pool_run(spec, points))
    finally:
        os.environ.update(env)

    for workers in (1, 2):
        t0 = time.perf_counter()
        with (
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            run_sweep(spec, client=client, chunk_size=1)  # imports on the workers
            startup = time.perf_counter() - t0
            res = _timed(lambda c=client: run_sweep(spec, client=c, chunk_size=1))
            res["startup_s"] = startup
        out[f"dask_{workers}"] = res
    local = out["local_1"]["seconds"] / out["local_2"]["seconds"]
    out["ratio_2_workers_vs_1_local_processes"] = local
    out["ratio_2_workers_vs_1_dask"] = out["dask_1"]["seconds"] / out["dask_2"]["seconds"]
    out["old_pool_2_uncapped_vs_local_1"] = (
        out["local_1"]["seconds"] / out["old_pool_2_uncapped"]["seconds"]
    )
    return out


def run() -> dict:
    """Idle and under load (one extra busy process); returns flat-ish dicts per case."""
    from spinpair.sweep import SweepSpec

    spec = SweepSpec.from_toml_string(SWEEP)
    results = {"idle": _cases(spec)}
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)
        results["under_load"] = _cases(spec)
    finally:
        busy.terminate()
        busy.wait()
    return results


def render(results: dict) -> str:
    """The Markdown table of docs/scaling.md, from the results."""
    m = results.get("machine", {})
    lines = [
        f"Measured by `python benchmarks/bench_sweep.py` on {m.get('date', '?')} "
        f"({m.get('cpus', '?')} CPU cores, Python {m.get('python', '?')}); 16 grid points of "
        "`ergodic+relaxation` dynamics, one point per task, best of "
        f"{REPEATS} runs, worker start-up excluded (shown apart). Status: measured "
        "(benchmarks/sweep_results.json).",
        "",
        "| condition | executor | 1 worker (s) | 2 workers (s) | speed-up | start-up 2 workers (s) "
        "| load average before → after |",
        "|---|---|---|---|---|---|---|",
    ]
    for cond in ("idle", "under_load"):
        r = results[cond]
        label = "no load added" if cond == "idle" else "+1 busy process"
        for name, key in (("local processes", "local"), ("Dask LocalCluster", "dask")):
            one, two = r[f"{key}_1"], r[f"{key}_2"]
            lines.append(
                f"| {label} | {name} | {one['seconds']:.2f} | {two['seconds']:.2f} | "
                f"×{one['seconds'] / two['seconds']:.2f} | {two['startup_s']:.1f} | "
                f"{one['load_before']:.1f} → {two['load_after']:.1f} |"
            )
        old = r["old_pool_2_uncapped"]
        one = r["local_1"]["seconds"]
        lines.append(
            f"| {label} | old pool (default BLAS threads, incl. start-up) | "
            f"{one:.2f} | {old['seconds']:.2f} | ×{one / old['seconds']:.2f} | – | "
            f"{old['load_before']:.1f} → {old['load_after']:.1f} |"
        )
    return "\n".join(lines)


def update_docs(results: dict, path: Path = DOCS) -> None:
    """Replace the text between the bench_sweep markers of docs/scaling.md."""
    text = path.read_text(encoding="utf-8")
    new = re.sub(
        r"(<!-- bench_sweep:begin -->\n).*?(\n<!-- bench_sweep:end -->)",
        lambda mt: mt.group(1) + render(results) + mt.group(2),
        text,
        flags=re.S,
    )
    path.write_text(new, encoding="utf-8")


def main() -> int:
    import platform

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render-only", action="store_true", help="only rewrite the docs table")
    a = ap.parse_args()
    if a.render_only:
        results = json.loads(RESULTS.read_text())
    else:
        results = {
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            },
            **run(),
        }
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    update_docs(results)
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
