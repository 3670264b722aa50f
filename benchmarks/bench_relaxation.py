"""Benchmark: the relaxation models against ``qutip.mesolve``.

Both solve the same problem, the paper's setup (85Rb, 40 µK, 0.5 G) with ``rate_scale``
20 from |0,0⟩, 200 hold times over 0.2 s:

* ``relaxation``: one Lindblad equation (Zeeman Hamiltonian, collisional jumps);
* ``ergodic+relaxation``: 256 energy nodes, each with its own Hamiltonian and the jumps,
  populations averaged with the quadrature weights.

spinpair runs ``evolve`` on the full pair space (it reduces to the conserved sector
itself). The peer gets the reduced problem for free: ``qutip.mesolve`` on the 3-state M = 0
symmetric sector (|0,0⟩, chi1, chi2), one call per node, at atol 1e-10, rtol 1e-8. Both
are warmed up first; times are medians of alternating runs in this process (QuTiP's 256
node solve once); the load average is recorded.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

TIMES = np.linspace(0.0, 0.2, 200)
RATE_SCALE = 20.0
REPEATS = 3
QUTIP_OPTIONS = {"atol": 1e-10, "rtol": 1e-8, "nsteps": 100_000}


def _setup():
    from spinpair.dynamics import CollisionSetup
    from spinpair.params import CollisionParams, Params

    return CollisionSetup.from_params(Params(collisions=CollisionParams(rate_scale=RATE_SCALE)))


def _sector_problem(setup, nodes):
    """Hamiltonians (n, 3, 3) in Hz, weights and jumps (J, 3, 3) on the M = 0 sector."""
    from spinpair.dynamics.ergodic import ergodic_hamiltonians_hz
    from spinpair.dynamics.relaxation import jump_operators
    from spinpair.spin import symmetric_sector

    V = symmetric_sector(setup.f, 0).vectors
    J = np.einsum("ai,jab,bk->jik", V.conj(), jump_operators(setup), V)
    J = J[np.max(np.abs(J), axis=(1, 2)) > 0]
    if nodes is None:
        H = (V.conj().T @ setup.zeeman_hz @ V)[None]
        w = np.ones(1)
    else:
        H, w = ergodic_hamiltonians_hz(setup, V, nodes)
    return H, w, J


def _qutip(H, w, J, times):
    import qutip

    c_ops = [qutip.Qobj(j) for j in J]
    rho0 = qutip.fock_dm(3, 0)
    e_ops = [qutip.fock_dm(3, i) for i in range(3)]
    total = np.zeros((3, times.size))
    for h, wi in zip(H, w, strict=True):
        res = qutip.mesolve(
            qutip.Qobj(2 * np.pi * h), rho0, times, c_ops, e_ops=e_ops, options=QUTIP_OPTIONS
        )
        total += wi * np.real(np.array(res.expect))
    return total


def _case(model: str, nodes: int | None, peer_repeats: int) -> dict:
    from spinpair.dynamics import evolve

    setup = _setup()
    H, w, J = _sector_problem(setup, nodes)
    evolve(model, setup, TIMES[:3], "00")  # warm up both (imports, first-call costs)
    _qutip(H[:1], w[:1], J, TIMES[:3])
    ours_t, peer_t = [], []
    load0 = os.getloadavg()
    for i in range(REPEATS):
        t0 = time.perf_counter()
        res = evolve(model, setup, TIMES, "00")
        ours_t.append(time.perf_counter() - t0)
        if i < peer_repeats:
            t0 = time.perf_counter()
            ref = _qutip(H, w, J, TIMES)
            peer_t.append(time.perf_counter() - t0)
    pops = res.populations()
    diff = max(
        float(np.max(np.abs(pops[k] - ref[i]))) for i, k in enumerate(("00", "chi1", "chi2"))
    )
    ours, peer = statistics.median(ours_t), statistics.median(peer_t)
    return {
        "nodes": 1 if nodes is None else len(w),
        "times": int(TIMES.size),
        "spinpair_s": ours,
        "qutip_mesolve_s": peer,
        "ratio qutip/spinpair": peer / ours,
        "max_population_difference": diff,
        "agree (< 1e-6)": bool(diff < 1e-6),
        "chi1_at_end": float(pops["chi1"][-1]),
        "repeats (median): spinpair, qutip": [REPEATS, peer_repeats],
        "load_average_start": [round(v, 2) for v in load0],
        "load_average_end": [round(v, 2) for v in os.getloadavg()],
    }


def run() -> dict:
    from spinpair.dynamics.relaxation import ERGODIC_RELAXATION_NODES

    return {
        "relaxation_vs_qutip_mesolve": _case("relaxation", None, REPEATS),
        "ergodic_relaxation_vs_qutip_mesolve": _case(
            "ergodic+relaxation", ERGODIC_RELAXATION_NODES, 1
        ),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
