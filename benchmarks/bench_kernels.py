"""Benchmark: hot kernels against their straightforward forms, a library peer and the FLOP
bound at the measured zgemm peak (issue 26).

* ``ramsey_periodogram``: the fringe fits' Lomb–Scargle periodogram of a 2001-point
  uniform detuning scan (~10⁴ frequencies): spinpair's FFT (chirp-z) path against the
  direct sums (the previous path, O(points × frequencies)) and ``scipy.signal.lombscargle``.
  Bound: 5 L log₂ L real FLOPs per complex FFT of length L (the split-radix count; 4 FFTs
  of length L = 2^⌈log₂(points + frequencies)⌉ per call, the kernel FFTs being cached).
* ``exp_table``: Σ_p c_p e^{λ_p t} for the ergodic+relaxation model's 2304 eigenvalues, 200
  uniform times and 3 populations: spinpair's factored table (``engine.exp_sums``) against
  the direct ``np.exp(np.outer(t, λ)) @ c`` (the numpy alternative's kernel). Bound: the
  complex product's FLOPs (8 per complex multiply-add) plus one exponential per table
  entry counted as 20 FLOPs (a stated convention: a complex exp is a real exp and a sincos).

Both timed by :func:`harness.compare` (same threads, first calls outside the timing,
interleaved repetitions).
"""

from __future__ import annotations

import math

import numpy as np

import harness

#: FLOPs charged per complex exponential (convention; see the module docstring).
EXP_FLOPS = 20.0


def _periodogram_case(peak: float) -> dict:
    from scipy import signal

    from spinpair.analysis.periodogram import lombscargle_direct, periodogram

    n = 201 if harness.SMOKE else 2001
    d = np.linspace(-150e3, 150e3, n)
    rng = np.random.default_rng(1)
    y = 0.5 + 0.4 * np.cos(2 * np.pi * d / 71e3) + 0.01 * rng.normal(size=n)
    freqs, p_fft = periodogram(d, y)
    yc = y - y.mean()
    omega = 2 * np.pi * freqs
    res = harness.compare(
        {
            "spinpair": lambda: periodogram(d, y),
            "direct_sums": lambda: lombscargle_direct(d, yc, omega),
            "scipy_lombscargle": lambda: signal.lombscargle(d, yc, omega),
        }
    )
    p_direct = lombscargle_direct(d, yc, omega)
    size = 1 << math.ceil(math.log2(n + freqs.size - 1))
    flops = 4 * 5.0 * size * math.log2(size)
    res.update(
        {
            "points": n,
            "frequencies": int(freqs.size),
            "max_relative_difference_fft_vs_direct (powers > 1e-12 of peak)": float(
                np.max(
                    np.abs(p_fft - p_direct)[p_direct > 1e-12 * p_direct.max()]
                    / p_direct[p_direct > 1e-12 * p_direct.max()]
                )
            ),
            "bound (FFT FLOPs at the zgemm peak)": harness.bound_record(
                flops, res["timings"]["spinpair"]["median_s"], peak
            ),
        }
    )
    return res


def _exp_table_case(peak: float) -> dict:
    from spinpair.dynamics.engine import exp_sums

    rng = np.random.default_rng(2)
    N = 288 if harness.SMOKE else 2304  # 256 nodes × 9 Liouvillian eigenvalues
    t = np.linspace(0.0, 0.2, 200)
    lam = -rng.uniform(0, 200, N) + 2j * np.pi * rng.uniform(-3e3, 3e3, N)
    coef = rng.normal(size=(N, 3)) + 1j * rng.normal(size=(N, 3))
    res = harness.compare(
        {
            "spinpair": lambda: exp_sums(lam, coef, t),
            "direct_table": lambda: np.exp(np.outer(t, lam)) @ coef,
        }
    )
    got, want = exp_sums(lam, coef, t), np.exp(np.outer(t, lam)) @ coef
    rows = math.ceil(math.sqrt(t.size))
    nb = -(-t.size // rows)
    flops = 8.0 * rows * N * nb * 3 + EXP_FLOPS * (rows + nb) * N + 6.0 * N * nb * 3
    res.update(
        {
            "eigenvalues": N,
            "times": int(t.size),
            "max_difference_vs_direct (relative to max)": float(
                np.max(np.abs(got - want)) / np.max(np.abs(want))
            ),
            "bound (FLOPs incl. 20 per exp at the zgemm peak)": harness.bound_record(
                flops, res["timings"]["spinpair"]["median_s"], peak
            ),
        }
    )
    return res


def run() -> dict:
    peak = harness.zgemm_peak_gflops()
    return {
        "ramsey_periodogram": {**_periodogram_case(peak), "zgemm_peak_gflops": peak},
        "exp_table": {**_exp_table_case(peak), "zgemm_peak_gflops": peak},
    }


if __name__ == "__main__":
    import json

    with harness.same_threads():
        print(json.dumps(run(), indent=2))
