"""Benchmark: the secular thermal ensemble against QuTiP solving it state by state.

Same ensemble, same times: spinpair's batched engine (one node per distinct contact
density, all times in one blocked recurrence) versus ``qutip.sesolve`` on every bright
degenerate manifold's 3×3 spin problem, weighted and summed. Also times the paper-sized
ensemble (> 10^6 motional states, 10^4 times) with spinpair alone.
"""

from __future__ import annotations

import resource
import time

import numpy as np


def _qutip_ensemble(setup, nodes, times):
    import qutip

    from spinpair.dynamics.hamiltonian import contact_coupling_hz_m2, interaction_operator_m
    from spinpair.spin import symmetric_sector

    sector = symmetric_sector(setup.f, 0)
    V = sector.restrict(interaction_operator_m(setup.species))
    Hz = sector.restrict(setup.zeeman_hz)
    g = contact_coupling_hz_m2(setup.species)
    dens, wts = nodes.manifolds
    total = np.zeros((3, times.size))
    psi0 = qutip.basis(3, 0)
    e_ops = [qutip.fock_dm(3, i) for i in range(3)]
    for d, w in zip(dens, wts, strict=True):
        H = qutip.Qobj(2 * np.pi * (g * d * V + Hz))
        res = qutip.sesolve(H, psi0, times, e_ops=e_ops, options={"atol": 1e-10, "rtol": 1e-8})
        total += w * np.real(np.array(res.expect))
    dark = 1.0 - wts.sum() / (1.0 - nodes.info["omitted_weight"])
    total /= 1.0 - nodes.info["omitted_weight"]
    total[0] += dark  # dark states stay in |0,0>
    return total


def run() -> dict:
    from spinpair.dynamics import CollisionSetup, evolve
    from spinpair.dynamics.secular import secular_nodes
    from spinpair.params import Params, TrapParams

    # a moderate ensemble both can solve: the paper's tweezer, colder (2 µK)
    small = CollisionSetup.from_params(Params(trap=TrapParams(temperature_k=2e-6)))
    times = np.linspace(0.0, 0.02, 200)
    nodes = secular_nodes(small)
    t0 = time.perf_counter()
    ours = evolve("secular", small, times).populations()
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = _qutip_ensemble(small, nodes, times)
    t_qutip = time.perf_counter() - t0
    diff = max(
        float(np.max(np.abs(ours[k] - ref[i]))) for i, k in enumerate(("00", "chi1", "chi2"))
    )

    big = CollisionSetup.from_params(Params())
    big_times = np.linspace(0.0, 0.15, 10_000)
    t0 = time.perf_counter()
    info = secular_nodes(big).info
    res = evolve("secular", big, big_times)
    t_big = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "secular_vs_qutip": {
            "motional_states": nodes.info["motional_states"],
            "bright_manifolds_solved_by_qutip": int(nodes.manifolds[0].size),
            "spinpair_nodes": nodes.info["nodes"],
            "times": int(times.size),
            "spinpair_s": t_ours,
            "qutip_sesolve_s": t_qutip,
            "speedup": t_qutip / t_ours,
            "max_population_difference": diff,
        },
        "secular_paper_size": {
            "motional_states": info["motional_states"],
            "bright_states": info["bright_states"],
            "nodes": info["nodes"],
            "times": int(big_times.size),
            "spinpair_s": t_big,
            "peak_rss_mb": peak_mb,
            "chi1_at_100ms": float(res.populations()["chi1"][np.argmin(abs(big_times - 0.1))]),
        },
    }
