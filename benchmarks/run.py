"""Run every benchmark module ``benchmarks/bench_*.py`` (``make bench``) and write
``benchmarks/results.json`` and ``benchmarks/RESULTS.md``.

Each module has ``run() -> dict`` mapping case names to flat dicts of numbers. Speed is
quoted as a ratio against a peer run in the same process on the same machine, never
asserted in the test suite. The load average is recorded: other work on the machine slows
every case.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def bench_modules() -> list[str]:
    """Names of the benchmark modules in this directory, sorted."""
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def main() -> int:
    sys.path.insert(0, str(HERE))
    import numpy as np
    import scipy

    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    }
    names = bench_modules()
    for name in names:
        print(f"running {name} ...", file=sys.stderr)
        t0 = time.perf_counter()
        results[name] = importlib.import_module(name).run()
        print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    m = results["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` on {m['cpus']} CPUs, Python {m['python']}, numpy {m['numpy']}, "
        f"scipy {m['scipy']}, {m['platform']}, {m['date']}. Times in seconds, memory in MB.",
        "",
    ]
    for name in names:
        doc = (importlib.import_module(name).__doc__ or "").strip().splitlines()
        for case, vals in results[name].items():
            lines += [f"## {name}: {case}", ""]
            if doc:
                lines += [f"_{doc[0]}_", ""]
                doc = []
            lines += [f"- {k}: {_fmt(v)}" for k, v in vals.items()]
            lines.append("")
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    print((HERE / "RESULTS.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
