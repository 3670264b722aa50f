"""Benchmark: the full measurement sequence for 200 pulse durations, three ways.

Sequence: chi1 (given state) with every imperfection on (preparation 0.93, spontaneous
emission 0.02 per π, transfer 0.95, push-out 0.97, inelastic pair loss 0.2, background
loss 0.03, a detection confusion matrix), 200 pulse durations 0–20 µs.

* spinpair ``MeasurementSequence.run`` (populations only; fixed steps in the Heisenberg picture);
* spinpair's straightforward density-matrix path (``MeasurementSequence._count_reference``: every
  step applied to the batch of 49×49 density matrices, Kraus sums by einsum);
* QuTiP: the same Kraus operators (taken from spinpair's channel builders) as ``Qobj``
  tensor products, applied per duration to the 49×49 ``Qobj`` state after the setting-free
  steps, counts by ``qutip.expect`` with the atom-number projectors.

Times are medians of alternating runs in this process; agreement is the largest
difference of P0, P1, P2.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

TAU = np.linspace(0.0, 20e-6, 200)
REPEATS = 5


def _sequence():
    from spinpair.imperfections import Imperfections
    from spinpair.params import Params
    from spinpair.sequence import MeasurementSequence

    imp = Imperfections(
        prep_efficiency=0.93,
        transfer_efficiency=0.95,
        push_efficiency=0.97,
        p_inelastic_pair=0.2,
        p_loss=0.03,
        p_spont_per_pi=0.02,
        detection=((0.99, 0.01, 0.0), (0.02, 0.98, 0.0), (0.0, 0.03, 0.97)),
    )
    return MeasurementSequence.from_params(Params(imperfections=imp), state="chi1")


def _qutip_counts(seq, area):
    """P(reported N) (n, 3) with QuTiP objects, Kraus sums per setting."""
    import qutip

    from spinpair.sequence import InelasticPairLoss, LocalChannel, RamanPulse
    from spinpair.sequence import channels as ch

    lv = seq.levels
    D = lv.D
    eye = qutip.qeye(D)

    def local_ops(K):
        ops = []
        for k in K:
            q = qutip.Qobj(k)
            ops += [qutip.tensor(q, eye), qutip.tensor(eye, q)]
        return ops[0::2], ops[1::2]

    def apply(rho, ops):
        return sum((op * rho * op.dag() for op in ops), 0 * rho)

    k = next(i for i, s in enumerate(seq.steps) if isinstance(s, RamanPulse))
    rho = np.zeros((1, D * D, D * D), dtype=complex)
    rho[0, 0, 0] = 1.0
    for st in seq.steps[:k]:
        rho = st.apply(rho, area[:1])
    rho_q = qutip.Qobj(rho[0], dims=[[D, D], [D, D]])
    fixed = []
    for st in seq.steps[k + 1 :]:
        if isinstance(st, LocalChannel):
            first, second = local_ops(st.kraus)
            fixed += [first, second]
        elif isinstance(st, InelasticPairLoss):
            q = ch.inelastic_pair_mask(lv)
            p = st.p_inelastic_pair
            K0 = np.diag(np.where(q, np.sqrt(1 - p), 1.0)).astype(complex)
            ops = [qutip.Qobj(K0, dims=[[D, D], [D, D]])]
            LL = lv.LOST * D + lv.LOST
            for s in np.flatnonzero(q):
                K = np.zeros((D * D, D * D), dtype=complex)
                K[LL, s] = np.sqrt(p)
                ops.append(qutip.Qobj(K, dims=[[D, D], [D, D]]))
            fixed.append(ops)
        else:  # pragma: no cover - the benchmark's sequence has no other steps
            raise TypeError(st)
    ind = ch.atom_number_indicator(lv)
    proj = [qutip.Qobj(np.diag(ind[:, n]), dims=[[D, D], [D, D]]) for n in range(3)]
    raman = seq.steps[k]
    K_all = ch.raman_kraus(lv, area, raman.detuning_over_rabi, raman.p_spont_per_pi)
    out = np.empty((area.size, 3))
    for j in range(area.size):
        first, second = local_ops(K_all[:, j])
        r = apply(apply(rho_q, first), second)
        for ops in fixed:
            r = apply(r, ops)
        out[j] = [qutip.expect(P, r) for P in proj]
    return np.clip(out @ seq.detection, 0.0, 1.0)


def _median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def run() -> dict:
    seq = _sequence()
    area = 2 * np.pi * seq.rabi_frequency_hz * TAU
    fast = seq.run(tau_s=TAU)
    fast_p = np.stack([fast.P0, fast.P1, fast.P2], axis=1)
    ref_p = seq._count_reference(area)
    q_p = _qutip_counts(seq, area[:5])  # warm-up
    load0 = os.getloadavg()
    t_fast, t_ref = [], []
    for _ in range(REPEATS):
        t_fast.append(_median_time(lambda: seq.run(tau_s=TAU), 1))
        t_ref.append(_median_time(lambda: seq._count_reference(area), 1))
    t0 = time.perf_counter()
    q_p = _qutip_counts(seq, area)
    t_q = time.perf_counter() - t0
    fast_s, ref_s = statistics.median(t_fast), statistics.median(t_ref)
    return {
        "sequence_200_durations": {
            "durations": int(TAU.size),
            "spinpair_run_s": fast_s,
            "spinpair_density_matrix_path_s": ref_s,
            "qutip_kraus_s": t_q,
            "ratio density-matrix path/run": ref_s / fast_s,
            "ratio qutip/spinpair": t_q / fast_s,
            "goal run <= 0.020 s": bool(fast_s <= 0.020),
            "max_difference_run_vs_density_matrix_path": float(np.max(np.abs(fast_p - ref_p))),
            "max_difference_run_vs_qutip": float(np.max(np.abs(fast_p - q_p))),
            "repeats (median): spinpair, qutip": [REPEATS, 1],
            "load_average_start": [round(v, 2) for v in load0],
            "load_average_end": [round(v, 2) for v in os.getloadavg()],
        }
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
