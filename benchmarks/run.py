"""Run every benchmark (``make bench``) and write ``benchmarks/results.json`` and
``benchmarks/RESULTS.md``. Speed is quoted as a ratio against a peer run in the same
process on the same machine, never asserted in the test suite."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHES = ("bench_secular",)


def main() -> int:
    sys.path.insert(0, str(HERE))
    results = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        }
    }
    for name in BENCHES:
        print(f"running {name} ...", file=sys.stderr)
        results[name] = importlib.import_module(name).run()
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Benchmark results", "", f"Machine: {results['machine']}", ""]
    for name in BENCHES:
        for case, vals in results[name].items():
            lines.append(f"## {name}: {case}")
            lines.append("")
            lines += [f"- {k}: {v:.4g}" if isinstance(v, float) else f"- {k}: {v}"
                      for k, v in vals.items()]
            lines.append("")
    (HERE / "RESULTS.md").write_text("\n".join(lines))
    print((HERE / "RESULTS.md").read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
