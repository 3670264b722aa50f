"""Benchmark: BLAS thread caps (spinpair._threads) on, against the process default (off).

Each case runs alternately with the caps on and off
(``spinpair.set_options(blas_threads=None)``), in this
process, several times; the medians and their ratio are reported, once with the machine as
it is and once with one extra CPU-bound process (``python -c "while True: pass"``)
started here and killed afterwards. numpy and scipy get their default thread counts back in
this module: "off" runs with one BLAS thread per core (what an unconfigured process gets)
even if the benchmark process was started with OPENBLAS_NUM_THREADS=1.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from spinpair import set_options

REPEATS = 5
#: This module sets thread counts itself (its subject): run.py does not cap it.
OWN_THREADS = True
#: The extra CPU-bound process; it also stops by itself after 15 min, should this process
#: die before killing it.
BUSY = "import time\nt = time.time()\nwhile time.time() - t < 900: pass"


def _cases() -> dict[str, Callable[[], object]]:
    from spinpair.dynamics import CollisionSetup, evolve
    from spinpair.params import Params
    from spinpair.sequence import MeasurementSequence
    from spinpair.species import get_species
    from spinpair.trap import PairTrap

    p = Params()
    setup = CollisionSetup.from_params(p)
    t200 = np.linspace(0.0, 0.1, 200)
    seq = MeasurementSequence.from_params(p, state="chi1")
    tau = np.linspace(0.0, 20e-6, 200)
    sp = get_species("rb85")
    trap = PairTrap((102.3e3, 102.3e3 * 0.866, 25.7e3), sp.mass_kg, 40e-6)
    sec = CollisionSetup(sp, trap, 0.5)
    t_sec = np.linspace(0.0, 0.1, 1500)
    return {
        "ergodic (1024 nodes, 200 times)": lambda: evolve("ergodic", setup, t200),
        "ergodic+relaxation (256 nodes, 200 times)": lambda: evolve(
            "ergodic+relaxation", setup, t200
        ),
        "sequence run (200 tau)": lambda: seq.run(tau_s=tau),
        "secular (40 uK tweezer, 1500 times; large product threaded)": lambda: evolve(
            "secular",
            sec,
            t_sec,
            outside_regime="ignore",  # timing; the model refuses 40 µK
        ),
    }


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _measure(cases: dict[str, Callable[[], object]], label: str) -> dict:
    out: dict = {}
    for name, fn in cases.items():
        fn()  # warm caches
        on, off = [], []
        load0 = os.getloadavg()
        repeats = 3 if name.startswith("secular") else REPEATS
        for _ in range(repeats):
            with set_options(blas_threads=None):
                off.append(_time(fn))
            with set_options(blas_threads=1):
                on.append(_time(fn))
        m_on, m_off = statistics.median(on), statistics.median(off)
        out[f"{name} [{label}]"] = {
            "capped_median_s": m_on,
            "default_threads_median_s": m_off,
            "ratio default/capped": m_off / m_on,
            "repeats": repeats,
            "load_average_start": [round(v, 2) for v in load0],
            "load_average_end": [round(v, 2) for v in os.getloadavg()],
        }
    return out


def run() -> dict:
    from threadpoolctl import threadpool_info, threadpool_limits

    import spinpair._threads as thr

    cases = _cases()  # imports numpy and scipy.linalg: both OpenBLAS copies are loaded
    info = threadpool_info()
    env = max((i["num_threads"] for i in info if i["user_api"] == "blas"), default=1)
    # what an unconfigured process gets (one thread per core), whatever this process's
    # OPENBLAS_NUM_THREADS says
    default = os.cpu_count() or 1
    out: dict = {
        "setup": {
            "blas_threads_uncapped": default,
            "blas_threads_from_environment": env,
            "cpus": os.cpu_count(),
        }
    }
    try:
        with threadpool_limits(limits=default, user_api="blas"):
            thr._state.update(controller=None, default=None)  # re-read the defaults
            out.update(_measure(cases, "as is"))
            busy = subprocess.Popen([sys.executable, "-c", BUSY])
            try:
                time.sleep(1.0)
                out.update(_measure(cases, "+1 busy process"))
            finally:
                busy.kill()
                busy.wait()
    finally:
        thr._state.update(controller=None, default=None)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
