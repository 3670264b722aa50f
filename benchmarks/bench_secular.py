"""Benchmark: the secular thermal ensemble against QuTiP solving it state by state.

Case ``secular_vs_qutip``: one moderate ensemble (a non-degenerate tweezer-like trap at
4 µK, about 10³ motional states, 200 times), solved twice in this process:

* spinpair: ``evolve("secular", …, cluster_factor=0)`` (every state alone, as the peer
  solves them; nodes = distinct contact densities, batched engine);
* peers: the motional states enumerated independently here (meshgrid), each state with
  non-zero contact density solved on its 3×3 M = 0 symmetric-sector Hamiltonian from
  |0,0⟩, populations averaged with the thermal weights, by ``qutip.sesolve`` with
  ``method="diag"`` (QuTiP's exact method for a constant H: its best here,
  ``qutip_diag``), by ``qutip.sesolve`` with its default integrator at atol 1e-12
  (``qutip_default``), and by the "20-line numpy" alternative: one batched ``eigh`` of all
  states and a phase table (``numpy_eigh``). States with zero contact density stay in
  |0,0⟩ and are added analytically, not solved (this favours the peers). QuTiP solves every
  ``QUTIP_STRIDE``-th state and its time is scaled up by that factor (same cost per state).
  All contenders are timed by :func:`harness.compare` (same threads, imports and first
  calls outside the timing, interleaved repetitions).

Cases ``secular_paper_tweezer``, ``secular_paper_tweezer_split`` (ν_y = ν_x(1 + 10⁻⁸)) and
``secular_nondegenerate``: ≥ 10⁶ motional states and 10⁴ times with spinpair alone (default
cluster criterion), each in a fresh process so that its peak memory is its own. On these
long uniform grids the oscillating terms of nodes and clusters are summed by a type-1
non-uniform FFT (FINUFFT); ``secular_nondegenerate`` is the case with ~10⁵ exactly solved
clusters (unresolved neighbours everywhere in a trap without degeneracies).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import resource
import time

import numpy as np

import harness

#: A trap without exact degeneracies (incommensurate frequencies, Hz), tweezer-like.
NONDEG_HZ = (102.3e3, 102.3e3 * math.sqrt(0.75), 24.5e3 * math.sqrt(1.1))
SMALL_T_K = 4e-6
SMALL_TIMES = np.linspace(0.0, 0.05, 200)
#: QuTiP solves every QUTIP_STRIDE-th state (time scaled back up).
QUTIP_STRIDE = 8
BIG_TIMES = np.linspace(0.0, 0.15, 10_000)
#: sesolve tolerances: at atol 1e-10, rtol 1e-8 qutip's own error is ~1e-5 over 50 ms
QUTIP_OPTIONS = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 100_000}


def _setup(freqs, temperature_k, eps=0.0):
    from spinpair.dynamics import CollisionSetup
    from spinpair.species import get_species
    from spinpair.trap import PairTrap

    sp = get_species("rb85")
    if freqs is None:  # the paper's tweezer (22 MHz, 1 µm, 1064 nm)
        trap = PairTrap.from_tweezer(sp, 22e6, 1e-6, 1064e-9, temperature_k)
        if eps:
            fx, fy, fz = trap.frequencies_hz
            trap = PairTrap((fx, fy * (1 + eps), fz), sp.mass_kg, temperature_k)
    else:
        trap = PairTrap(freqs, sp.mass_kg, temperature_k)
    return CollisionSetup(sp, trap, 0.5)


def _states_by_meshgrid(setup, e_cut_kt):
    """Independent enumeration: even-parity n with (E_n − E_0)/k_BT ≤ e_cut, their thermal
    weights (normalised over these states) and contact densities (m⁻³, from Hermite
    polynomials at 0)."""
    from scipy import constants, special

    trap = setup.trap
    x = constants.hbar * trap.omega / trap.kt_j
    nmax = np.floor(e_cut_kt / x).astype(int) + 1
    n = np.stack(np.meshgrid(*(np.arange(m + 1) for m in nmax), indexing="ij"), axis=-1).reshape(
        -1, 3
    )
    e = n @ x
    keep = (e <= e_cut_kt * (1 + 1e-12)) & (n.sum(axis=1) % 2 == 0)
    n, e = n[keep], e[keep]
    w = np.exp(-e)
    w /= w.sum()
    mu, hbar = trap.reduced_mass_kg, constants.hbar
    dens = np.ones(len(n))
    for j, om in enumerate(trap.omega):
        nj = n[:, j].astype(float)
        # |φ_n(0)|² = √(μω/πħ) H_n(0)² / (2^n n!), in logs (H_n(0) = 0 for odd n)
        h0 = special.eval_hermite(n[:, j], 0.0)
        with np.errstate(divide="ignore"):
            log = 2 * np.log(np.abs(h0)) - nj * math.log(2) - special.gammaln(nj + 1)
        dens *= math.sqrt(mu * om / (math.pi * hbar)) * np.where(h0 != 0, np.exp(log), 0.0)
    return n, w, dens


def _qutip_state_by_state(setup, w, dens, times, method="default"):
    import qutip

    from spinpair.dynamics.hamiltonian import contact_coupling_hz_m2, interaction_operator_m
    from spinpair.spin import symmetric_sector

    sector = symmetric_sector(setup.f, 0)
    V = sector.restrict(interaction_operator_m(setup.species))
    Hz = sector.restrict(setup.zeeman_hz)
    g = contact_coupling_hz_m2(setup.species)
    psi0 = qutip.basis(3, 0)
    e_ops = [qutip.fock_dm(3, i) for i in range(3)]
    opts = {"method": "diag"} if method == "diag" else QUTIP_OPTIONS
    total = np.zeros((3, times.size))
    bright = dens > 0
    for d, wi in zip(dens[bright], w[bright], strict=True):
        H = qutip.Qobj(2 * np.pi * (g * d * V + Hz))  # rad/s
        res = qutip.sesolve(H, psi0, times, e_ops=e_ops, options=opts)
        total += wi * np.real(np.array(res.expect))
    total[0] += w[~bright].sum()  # zero contact density: stays in |0,0⟩
    return total, int(bright.sum())


def _exact_state_by_state(setup, w, dens, times):
    """The same average with an exact eigendecomposition per state (accuracy reference)."""
    from spinpair.dynamics.hamiltonian import contact_coupling_hz_m2, interaction_operator_m
    from spinpair.spin import symmetric_sector

    sector = symmetric_sector(setup.f, 0)
    V = sector.restrict(interaction_operator_m(setup.species))
    Hz = sector.restrict(setup.zeeman_hz)
    g = contact_coupling_hz_m2(setup.species)
    E, W = np.linalg.eigh(g * dens[:, None, None] * V + Hz)  # (n, 3), (n, 3, 3)
    amp = W * W[:, 0, :].conj()[:, None, :]  # ⟨s|k⟩⟨k|00⟩
    phase = np.exp(-2j * np.pi * E[:, None, :] * times[None, :, None])  # (n, t, k)
    psi = np.einsum("nsk,ntk->nts", amp, phase)
    return np.einsum("n,nts->st", w, np.abs(psi) ** 2)


def _big_case(freqs, temperature_k, times, eps, queue):
    """Run in a fresh process: nodes, evolution, peak RSS."""
    from spinpair.dynamics import evolve
    from spinpair.dynamics.secular import secular_summary

    setup = _setup(freqs, temperature_k, eps)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()
    t0 = time.perf_counter()
    info = secular_summary(setup)
    t1 = time.perf_counter()
    res = evolve("secular", setup, times, outside_regime="ignore")  # timing, not physics
    t2 = time.perf_counter()
    pops = res.populations()
    queue.put(
        {
            "trap_hz": [round(f, 1) for f in setup.trap.frequencies_hz],
            "temperature_k": temperature_k,
            "motional_states": info["motional_states"],
            "all_even_states": info["all_even_states"],
            "bright_manifolds": info["bright_manifolds"],
            "nodes": info["nodes"],
            "clusters": info["clusters"],
            "unresolved_weight": info["unresolved_weight"],
            "omitted_weight": info["omitted_weight"],
            "interacting_fraction": info["interacting_fraction"],
            "times": int(times.size),
            "nodes_s": t1 - t0,
            "total_s (nodes + evolve)": t2 - t0,
            "rss_before_mb": rss0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "chi1_at_100ms": float(pops["chi1"][np.argmin(abs(times - 0.1))]),
            "load_average_start_end": [[round(v, 2) for v in x] for x in (load, os.getloadavg())],
        }
    )


def _in_fresh_process(*args, eps=0.0):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_big_case, args=(*args, eps, q))
    p.start()
    out = q.get()
    p.join()
    return out


def run() -> dict:
    from spinpair.dynamics import evolve
    from spinpair.dynamics.secular import secular_summary

    small = _setup(NONDEG_HZ, SMALL_T_K)
    info = secular_summary(small, cluster_factor=0)
    n, w, dens = _states_by_meshgrid(small, info["energy_cut_kT"])
    if len(n) != info["motional_states"]:
        raise RuntimeError("independent enumeration disagrees with spinpair's state count")
    names = ("00", "chi1", "chi2")
    times = SMALL_TIMES[:20] if harness.SMOKE else SMALL_TIMES
    sub = slice(None, None, QUTIP_STRIDE)

    def ours():
        return evolve(
            "secular", small, times, cluster_factor=0, e_ops=names, outside_regime="ignore"
        )

    fns = {
        "spinpair": ours,
        "numpy_eigh": lambda: _exact_state_by_state(small, w, dens, times),
        "qutip_diag": lambda: _qutip_state_by_state(small, w[sub], dens[sub], times, "diag"),
        "qutip_default": lambda: _qutip_state_by_state(small, w[sub], dens[sub], times),
    }
    res = harness.compare(fns)
    for q in ("qutip_diag", "qutip_default"):
        for k in ("median_s", "min_s", "max_s"):
            res["timings"][q][k] *= QUTIP_STRIDE
        res[f"ratio {q}/spinpair"] *= QUTIP_STRIDE
        res[f"range {q}/spinpair"] = [v * QUTIP_STRIDE for v in res[f"range {q}/spinpair"]]
    pops = ours().populations()
    got = np.array([pops[k] for k in names])
    exact = _exact_state_by_state(small, w, dens, times)
    ref, n_solved = _qutip_state_by_state(small, w, dens, times, "diag")
    res.update(
        {
            "trap_hz": [round(f, 1) for f in NONDEG_HZ],
            "temperature_k": SMALL_T_K,
            "motional_states": info["motional_states"],
            "states_solved (non-zero contact)": n_solved,
            "qutip_states_timed (every QUTIP_STRIDE-th, time scaled)": int(
                np.count_nonzero(dens[sub] > 0)
            ),
            "spinpair_nodes": info["nodes"],
            "times": int(times.size),
            "qutip_default_atol_rtol": [QUTIP_OPTIONS["atol"], QUTIP_OPTIONS["rtol"]],
            "max_difference_vs_qutip_diag": float(np.max(np.abs(got - ref))),
            "max_difference_vs_numpy_eigh": float(np.max(np.abs(got - exact))),
        }
    )
    out = {"secular_vs_qutip": res}
    if harness.SMOKE:
        return out
    out["secular_paper_tweezer"] = _in_fresh_process(None, 40e-6, BIG_TIMES)
    out["secular_paper_tweezer_split"] = _in_fresh_process(None, 40e-6, BIG_TIMES, eps=1e-8)
    out["secular_nondegenerate"] = _in_fresh_process(NONDEG_HZ, 40e-6, BIG_TIMES)
    out["secular_nondegenerate"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    return out


if __name__ == "__main__":
    import json

    with harness.same_threads():
        print(json.dumps(run(), indent=2))
