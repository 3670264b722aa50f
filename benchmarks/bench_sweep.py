"""Sweep speed-up: 2 workers against 1, on local processes and on a Dask LocalCluster.

``run()`` is the entry point for ``benchmarks/run.py`` (``make bench``); it also writes
``benchmarks/sweep_results.json`` and the table between the ``bench_sweep`` markers in
``docs/scaling.md``, so the docs show the numbers of the same run. ``python
benchmarks/bench_sweep.py`` runs it alone; ``--render-only`` rewrites the docs table from
``sweep_results.json``.

The workload is a sweep a user would run: a 2-D grid (trap temperature × collision-rate
scale, 640 points) of ``ergodic+relaxation`` dynamics at 41 hold times, about 20 s on one
worker on an idle machine, split into the default chunks (about 8 per worker), so the
per-task costs (pickling, Dask scheduling, a chunk's thread cap) are small against the work.
Every case runs in this one run, back to back (1 worker, then 2), first as the machine is
("no load added") and then with one extra CPU-bound process running. For each case the
wall time, the CPU seconds of every process involved (this one, its workers, Dask's nannies
and workers; not the extra busy process) and the 1-minute load average before and after
are recorded. Worker start-up (spawning, importing spinpair in the workers and computing one
warm-up point each, which loads what a point loads lazily; for Dask the whole LocalCluster)
is timed apart: the headline ratios are for the sweep on running
workers; for local processes the ratio with start-up included (what ``--workers 2`` costs
a user on the command line) is reported too.

The CPU seconds say what the wall times cannot on a shared machine: if two workers spend
about the CPU time one worker does, the parallel overhead is small and a ratio below 2 is
the machine's other load taking CPU time away from the workers, not work the sweep wastes.
For context the run also times, on 32 of the points, a pool like the old one (no thread
cap anywhere: BLAS threads at their default in both workers), which made ``--workers 2``
slower than one worker.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import functools
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from spinpair import set_options

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "scaling.md"
RESULTS = HERE / "sweep_results.json"

TEMPERATURES_K = [round((20 + 2 * i) * 1e-6, 12) for i in range(16)]
RATE_SCALES = [round(0.5 + 0.05 * i, 4) for i in range(40)]
TIMES_S = [round(0.0025 * i, 6) for i in range(41)]
#: The benchmark sweep (640 grid points).
SWEEP = f"""
compute = "dynamics"
model = "ergodic+relaxation"
times_s = {TIMES_S}
[axes]
"trap.temperature_k" = {TEMPERATURES_K}
"collisions.rate_scale" = {RATE_SCALES}
"""
#: Points timed with the old (uncapped) pool, and the longest it may run (s) before it is
#: stopped: it has been measured up to 124 s for 16 points.
OLD_POOL_POINTS = 32
OLD_POOL_TIMEOUT_S = 60.0
#: How long an idle Dask cluster's own CPU use is measured (s).
IDLE_S = 4.0
#: How long each busy-loop control runs (s).
CONTROL_S = 4.0


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _cpu_seconds(exclude: set[int]) -> dict[int, float]:
    """CPU seconds (user + system) so far of this process and all its descendants, by pid."""
    import psutil

    me = psutil.Process()
    out: dict[int, float] = {}
    for p in [me, *me.children(recursive=True)]:
        if p.pid in exclude:
            continue
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def _measure(fn: Callable[[], object], exclude: set[int]) -> dict[str, float]:
    """Wall time (s), CPU seconds of this process tree, and the load around ``fn()``."""
    before_load = _load()
    cpu0 = _cpu_seconds(exclude)
    t0 = time.perf_counter()
    fn()
    wall = time.perf_counter() - t0
    cpu1 = _cpu_seconds(exclude)
    cpu = sum(v - cpu0.get(pid, 0.0) for pid, v in cpu1.items())
    return {"s": wall, "cpu_s": cpu, "load_before": before_load, "load_after": _load()}


def _busy_loops_share(k: int, seconds: float = CONTROL_S) -> float:
    """Cores used by ``k`` busy-loop processes started from this one (this session) over
    ``seconds``."""
    import psutil

    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(k)]
    try:
        time.sleep(0.3)
        ps = [psutil.Process(p.pid) for p in procs]
        c0 = sum(q.cpu_times().user + q.cpu_times().system for q in ps)
        t0 = time.perf_counter()
        time.sleep(seconds)
        c1 = sum(q.cpu_times().user + q.cpu_times().system for q in ps)
        return (c1 - c0) / (time.perf_counter() - t0)
    finally:
        for p in procs:
            p.kill()
            p.wait()


def _control() -> dict[str, float]:
    """What the machine gives a second process of this session right now, whatever the code:
    the CPU of 2 busy loops over that of 1 (2 on a quiet 2-core machine; near 1 when other
    sessions keep the cores busy and the kernel shares CPU between sessions)."""
    one = _busy_loops_share(1)
    two = _busy_loops_share(2)
    return {"control_1_busy_loop_cores": one, "control_2_busy_loops_cores": two}


#: One of the independent half-sweep processes of :func:`_independent_halves`: it warms
#: up, says "ready", waits for a line on stdin, runs its half in process and prints the
#: times it started and ended (s since the epoch).
HALF_SCRIPT = """
import sys, time
from spinpair.sweep import SweepSpec, run_sweep
run_sweep(SweepSpec.from_toml_string(sys.argv[1]))
spec = SweepSpec.from_toml_string(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
t0 = time.time()
run_sweep(spec)
print(t0, time.time(), flush=True)
sys.stdin.readline()  # stay (not a zombie) until the CPU times are read
"""


def _run_parts(parts: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run each sweep of ``parts`` (TOML) in process, in its own Python started from here
    (with ``env``), all at once once every one has warmed up. Returns the wall time from
    the first start to the last end (s) and the user and system CPU seconds of the
    processes."""
    import psutil

    procs = [
        subprocess.Popen(
            [sys.executable, "-c", HALF_SCRIPT, SWEEP_SMALL, part],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for part in parts
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        ps = [psutil.Process(p.pid) for p in procs]
        t0 = [q.cpu_times() for q in ps]
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        spans = [tuple(map(float, p.stdout.readline().split())) for p in procs]  # type: ignore[union-attr]
        t1 = [q.cpu_times() for q in ps]
    finally:
        for p in procs:
            p.kill()
            p.wait()
    return {
        "s": max(e for _, e in spans) - min(s for s, _ in spans),
        "user_s": sum(b.user - a.user for a, b in zip(t0, t1, strict=True)),
        "sys_s": sum(b.system - a.system for a, b in zip(t0, t1, strict=True)),
    }


def _independent_halves() -> dict[str, float]:
    """The benchmark grid split in two halves (temperature axis), each run in process by
    its own Python started from here, both at once: no pool, no pickling, no scheduler.
    Against the whole grid in one process this is the most a second worker of this code
    can gain on this machine at this moment (memory, caches and the hypervisor included,
    which the busy-loop control does not load). Returns the wall time from the first
    start to the last end (s) and the CPU seconds of the two processes."""
    halves = [
        SWEEP.replace(str(TEMPERATURES_K), str(TEMPERATURES_K[:8])),
        SWEEP.replace(str(TEMPERATURES_K), str(TEMPERATURES_K[8:])),
    ]
    assert all(h != SWEEP for h in halves)
    r = _run_parts(halves)
    return {"s": r["s"], "cpu_s": r["user_s"] + r["sys_s"]}


#: Grid temperatures of the MALLOC_TRIM_THRESHOLD_ comparison (a quarter of the grid),
#: and how many times each setting runs (alternating).
TRIM_TEMPERATURES = 4
TRIM_REPEATS = 3


def _malloc_trim_effect(repeats: int = TRIM_REPEATS) -> dict[str, float]:
    """A quarter of the grid in one process, with Dask's nanny setting
    MALLOC_TRIM_THRESHOLD_=65536 and with glibc's default (unset, as DASK_CONFIG leaves
    it), alternating ``repeats`` times: the medians of wall time and system CPU (the page
    faults of memory handed back and taken again)."""
    import statistics

    part = SWEEP.replace(str(TEMPERATURES_K), str(TEMPERATURES_K[:TRIM_TEMPERATURES]))
    plain = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
    runs: dict[str, list[dict[str, float]]] = {"default": [], "trim_64k": []}
    for _ in range(repeats):
        runs["default"].append(_run_parts([part], plain))
        runs["trim_64k"].append(_run_parts([part], {**plain, "MALLOC_TRIM_THRESHOLD_": "65536"}))
    out: dict[str, float] = {}
    for name, rs in runs.items():
        out[f"{name}_s"] = statistics.median(r["s"] for r in rs)
        out[f"{name}_sys_s"] = statistics.median(r["sys_s"] for r in rs)
    out["ratio_trim_64k_vs_default"] = out["trim_64k_s"] / out["default_s"]
    return out


def _uncapped_pool_run(spec, n: int) -> float | None:
    """Wall time (s) of the first ``n`` points on the pool as it was before the thread caps:
    no initializer, BLAS threads at their default in each worker (spawned without the
    thread variables and with spinpair's own caps off); None if it took longer than
    OLD_POOL_TIMEOUT_S (then it is stopped)."""
    import multiprocessing

    from spinpair.sweep import evaluate_point

    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.endswith("_NUM_THREADS")}
    ex = cf.ProcessPoolExecutor(
        2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=functools.partial(set_options, blas_threads=None),  # caps off
    )
    try:
        t0 = time.perf_counter()
        futures = [ex.submit(evaluate_point, spec, spec.point(i)) for i in range(n)]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    _, pending = cf.wait(futures, timeout=OLD_POOL_TIMEOUT_S)
    wall = time.perf_counter() - t0
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        p.terminate()
        p.join(10)
    return None if pending else wall


def _cases(spec, exclude: set[int]) -> dict:
    """Every case of one condition, back to back: in process, 2 local processes, Dask with
    1 and 2 workers, and the old pool on a subset."""
    import dask
    import distributed

    from spinpair.sweep import (
        COMPUTE_MODULES,
        DASK_CONFIG,
        LocalPool,
        SweepSpec,
        chunk_ranges,
        default_chunk_size,
        map_chunks,
        run_sweep,
    )
    from spinpair.sweep.executors import _start_worker

    n = spec.n_points
    preload = (COMPUTE_MODULES[spec.compute],)
    out: dict = {
        "points": n,
        "load_average_start": [round(v, 2) for v in os.getloadavg()],
        "chunk_points_2_workers": default_chunk_size(n, 2),
    }

    def put(name: str, res: dict) -> None:
        for k, v in res.items():
            out[f"{name}_{k}"] = round(v, 4) if isinstance(v, float) else v
        shown = ", ".join(f"{k} {v:.3g}" for k, v in res.items())
        print(f"  bench_sweep: {name}: {shown}", file=sys.stderr, flush=True)

    run_sweep(SweepSpec.from_toml_string(SWEEP_SMALL))  # imports and caches in this process
    control = _control()
    out.update({k: round(v, 4) for k, v in control.items()})
    out["control_2_vs_1"] = round(
        control["control_2_busy_loops_cores"] / control["control_1_busy_loop_cores"], 4
    )
    print(f"  bench_sweep: control: {control}", file=sys.stderr, flush=True)
    one = _measure(lambda: run_sweep(spec), exclude)
    put("in_process_1", one)
    put("independent_2", _independent_halves())
    if not exclude:  # no load added: what Dask's MALLOC_TRIM_THRESHOLD_ costs a point
        put("malloc", _malloc_trim_effect())

    t0 = time.perf_counter()
    pool = LocalPool(2, preload, spec)
    with pool as ex:
        pool.wait_started()
        startup = time.perf_counter() - t0
        chunks = chunk_ranges(n, default_chunk_size(n, 2))
        two = _measure(lambda: map_chunks(spec, chunks, lambda k, r: None, ex, 2), exclude)
    end_to_end = time.perf_counter() - t0
    put("local_2", {**two, "startup_s": startup, "end_to_end_s": end_to_end})

    for workers in (1, 2):
        t0 = time.perf_counter()
        with (
            dask.config.set(DASK_CONFIG),  # the monitor settings docs/scaling.md recommends
            distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            client.run(_start_worker, preload, spec)  # as the local workers do
            startup = time.perf_counter() - t0
            time.sleep(1.0)
            idle = _measure(lambda: time.sleep(IDLE_S), exclude)
            res = _measure(lambda c=client: run_sweep(spec, client=c), exclude)
        put(f"dask_{workers}", {**res, "startup_s": startup})
        # what the cluster's own processes (scheduler, nannies, workers) take with no task
        out[f"dask_{workers}_idle_cores"] = round(idle["cpu_s"] / idle["s"], 4)

    # the same idle measurement on a 2-worker cluster with Dask's default settings; its
    # nannies put their variables (MALLOC_TRIM_THRESHOLD_ among them) into this process's
    # environment, which every process started later would inherit: put it back after
    environ = dict(os.environ)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster),
    ):
        time.sleep(1.0)
        idle = _measure(lambda: time.sleep(IDLE_S), exclude)
    out["dask_2_idle_cores_default_config"] = round(idle["cpu_s"] / idle["s"], 4)
    os.environ.clear()
    os.environ.update(environ)

    sub = SweepSpec(spec.base, spec.compute, spec.settings, _first_axes(spec, OLD_POOL_POINTS))
    m = sub.n_points
    out["old_pool_points"] = m
    out["old_pool_in_process_1_s"] = round(_measure(lambda: run_sweep(sub), exclude)["s"], 4)
    old = _uncapped_pool_run(sub, m)
    out["old_pool_2_uncapped_s"] = round(old, 4) if old is not None else None
    out["old_pool_timeout_s"] = OLD_POOL_TIMEOUT_S
    print(
        f"  bench_sweep: old pool: {old} s (in process {out['old_pool_in_process_1_s']} s)",
        file=sys.stderr,
        flush=True,
    )

    out["ratio_2_workers_vs_1_local_processes"] = out["in_process_1_s"] / out["local_2_s"]
    out["ratio_2_workers_vs_1_local_incl_startup"] = (
        out["in_process_1_s"] / out["local_2_end_to_end_s"]
    )
    out["ratio_2_workers_vs_1_dask"] = out["dask_1_s"] / out["dask_2_s"]
    out["ratio_2_independent_vs_1"] = out["in_process_1_s"] / out["independent_2_s"]
    if "malloc_trim_64k_s" in out:
        out["ratio_malloc_trim_64k_vs_default"] = out["malloc_ratio_trim_64k_vs_default"]
    out["cpu_2_workers_over_1_local"] = out["local_2_cpu_s"] / out["in_process_1_cpu_s"]
    out["cpu_2_workers_over_1_dask"] = out["dask_2_cpu_s"] / out["dask_1_cpu_s"]
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


#: A 4-point sweep of the same kind, to warm up imports and caches before timing.
SWEEP_SMALL = """
compute = "dynamics"
model = "ergodic+relaxation"
times_s = [0.0, 0.05, 0.1]
[axes]
"collisions.rate_scale" = [0.5, 1.0, 1.5, 2.0]
"""


def _first_axes(spec, m: int) -> dict:
    """Axes of the first ``m`` grid points (the last axis cut to ``m`` values; the others
    to their first value)."""
    keys = list(spec.axes)
    axes = {k: list(spec.axes[k])[:1] for k in keys[:-1]}
    axes[keys[-1]] = list(spec.axes[keys[-1]])[:m]
    return axes


def run() -> dict:
    """Both conditions (as the machine is, then with one extra busy process); also writes
    ``sweep_results.json`` and the docs table."""
    from spinpair.sweep import SweepSpec

    spec = SweepSpec.from_toml_string(SWEEP)
    results: dict = {"idle": _cases(spec, set())}
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)
        results["under_load"] = _cases(spec, {busy.pid})
    finally:
        busy.terminate()
        busy.wait()
    record = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "sched_autogroup": _autogroup(),
        },
        **results,
    }
    RESULTS.write_text(json.dumps(record, indent=2) + "\n")
    update_docs(record)
    return results


def _autogroup() -> bool | None:
    """Whether Linux shares CPU time between sessions (autogroup) rather than processes."""
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return None


def _f(v, fmt: str) -> str:
    return "–" if v is None else format(v, fmt)


def render(results: dict) -> str:
    """The Markdown table of docs/scaling.md, from the results."""
    m = results.get("machine", {})
    idle = results["idle"]
    lines = [
        f"Measured by `benchmarks/bench_sweep.py` on {m.get('date', '?')} "
        f"({m.get('cpus', '?')} CPU cores, Python {m.get('python', '?')}); "
        f"{idle['points']} grid points of `ergodic+relaxation` dynamics (41 hold times), "
        f"{idle['chunk_points_2_workers']} points per task with 2 workers, one run per case; "
        "worker start-up (imports and one warm-up point per worker) shown apart. CPU: CPU "
        "seconds of every process of the sweep, 2 workers over 1. "
        "Status: measured (benchmarks/sweep_results.json).",
        "",
        "| condition | executor | 1 worker (s) | 2 workers (s) | speed-up | CPU 2/1 "
        "| start-up 2 workers (s) | load average before → after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cond in ("idle", "under_load"):
        r = results[cond]
        label = "no load added" if cond == "idle" else "+1 busy process"
        one, two = r["in_process_1_s"], r["local_2_s"]
        lines.append(
            f"| {label} | local processes (1 = in process) | {one:.2f} | {two:.2f} | "
            f"×{one / two:.2f} | {r['cpu_2_workers_over_1_local']:.2f} | "
            f"{r['local_2_startup_s']:.1f} | "
            f"{r['in_process_1_load_before']:.1f} → {r['local_2_load_after']:.1f} |"
        )
        e2e = r["local_2_end_to_end_s"]
        lines.append(
            f"| {label} | local processes, start-up included | {one:.2f} | {e2e:.2f} | "
            f"×{one / e2e:.2f} | – | – | "
            f"{r['in_process_1_load_before']:.1f} → {r['local_2_load_after']:.1f} |"
        )
        if "independent_2_s" in r:  # the peer: what 2 processes of this code can gain
            ind = r["independent_2_s"]
            lines.append(
                f"| {label} | 2 independent processes, half the grid each (no pool: the "
                f"machine's ceiling) | {one:.2f} | {ind:.2f} | ×{one / ind:.2f} "
                f"| {r['independent_2_cpu_s'] / r['in_process_1_cpu_s']:.2f} | – | – |"
            )
        one, two = r["dask_1_s"], r["dask_2_s"]
        lines.append(
            f"| {label} | Dask LocalCluster, `DASK_CONFIG` | {one:.2f} | {two:.2f} | "
            f"×{one / two:.2f} | "
            f"{r['cpu_2_workers_over_1_dask']:.2f} | {r['dask_2_startup_s']:.1f} | "
            f"{r['dask_1_load_before']:.1f} → {r['dask_2_load_after']:.1f} |"
        )
        one, old = r["old_pool_in_process_1_s"], r["old_pool_2_uncapped_s"]
        speed = "–" if old is None else f"×{one / old:.2f}"
        lines.append(
            f"| {label} | old pool, default BLAS threads ({r['old_pool_points']} points, "
            f"start-up included) | {one:.2f} | "
            f"{_f(old, '.2f') if old is not None else '> ' + str(r['old_pool_timeout_s'])} | "
            f"{speed} | – | – | – |"
        )
    idle, busy = results["idle"], results["under_load"]
    lines += [
        "",
        "With no task running and `DASK_CONFIG` set, the 2-worker LocalCluster's own "
        "processes (scheduler, nannies, workers: heartbeats, monitors) used "
        f"{_f(idle.get('dask_2_idle_cores'), '.2f')} of a core (no load added) and "
        f"{_f(busy.get('dask_2_idle_cores'), '.2f')} (+1 busy process); a 1-worker cluster "
        f"{_f(idle.get('dask_1_idle_cores'), '.2f')} and "
        f"{_f(busy.get('dask_1_idle_cores'), '.2f')}; a 2-worker cluster with Dask's default "
        f"settings {_f(idle.get('dask_2_idle_cores_default_config'), '.2f')} and "
        f"{_f(busy.get('dask_2_idle_cores_default_config'), '.2f')}. "
        f"One point took {1e3 * idle['in_process_1_s'] / idle['points']:.0f} ms in process "
        "(no load added).",
        "",
        *(
            [
                f"Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536 (glibc hands "
                "freed memory back at once); `DASK_CONFIG` leaves it unset. A quarter of the "
                "grid in one process took "
                f"{idle['malloc_trim_64k_s']:.2f} s with it against "
                f"{idle['malloc_default_s']:.2f} s without "
                f"(×{idle['malloc_trim_64k_s'] / idle['malloc_default_s']:.2f}; system CPU "
                f"{idle['malloc_trim_64k_sys_s']:.2f} s against "
                f"{idle['malloc_default_sys_s']:.2f} s: page faults), medians of "
                f"{TRIM_REPEATS} alternating runs, no load added.",
                "",
            ]
            if "malloc_trim_64k_s" in idle
            else []
        ),
        "Control, measured just before each condition's cases: 2 busy-loop processes started "
        "from the benchmark got "
        f"×{_f(idle.get('control_2_vs_1'), '.2f')} the CPU time of 1 (no load added) and "
        f"×{_f(busy.get('control_2_vs_1'), '.2f')} (+1 busy process): the most any 2-worker "
        "sweep could have gained from its second worker at that moment. Linux autogroup "
        f"scheduling (CPU shared between sessions, not processes): "
        f"{ {True: 'on', False: 'off', None: 'unknown'}[m.get('sched_autogroup')] }.",
    ]
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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render-only", action="store_true", help="only rewrite the docs table")
    a = ap.parse_args()
    if a.render_only:
        record = json.loads(RESULTS.read_text())
        update_docs(record)
    else:
        run()
        record = json.loads(RESULTS.read_text())
    print(render(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
