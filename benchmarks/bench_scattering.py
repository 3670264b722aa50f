"""Benchmark: the coupled-channel solver (issue 20) against a renormalised-Numerov
propagation of the same equations, measured in the same run.

* ``a_f_one_field``: the 85Rb f=2 a_F at 0.5 G (12 coupled channels, zero energy). Ours:
  Johnson's log-derivative with a step that follows the local wavenumber. Peer: the same
  pipeline with the short range propagated by renormalised Numerov on a uniform grid at
  the smallest Johnson step (``Numerics(short_range="numerov")``); both give the a_F to
  < 0.01 a_B of each other (recorded). Goal: a_F at one field ≤ 1 s.
* ``s_matrix_100_energies``: |S_fi(E)|² at 100 collision energies (0.1–200 µK) at 0.5 G,
  one call (energies batched). Goal ≤ 10 s on one core.
* MOLSCAT (Hutson & Le Sueur 2019), built and timed in a development session on this kind
  of machine (tests/data/molscat_reference.json → timing): 9 energies at 0.5 G in 0.88 s
  (default -g build) and 0.40 s (-O2). Quoted for context, not measured in this run.

The a_F case is timed by :func:`harness.compare` (same threads, warm-up outside the
timing, interleaved repetitions). The 100-energy case and the 9 MOLSCAT energies are
spinpair alone (goals, not ratios), also through :func:`harness.compare` (same threads, an
untimed warm-up call, then ``S_REPEATS`` rounds: median and range; fewer rounds than the
other cases because one call takes seconds). The load average is recorded with each.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import harness

#: Rounds of the seconds-long S-matrix cases (after one untimed warm-up call).
S_REPEATS = 3


def run() -> dict:
    from spinpair.scattering import Numerics, s_matrix, scattering_lengths
    from spinpair.species import get_species

    sp = get_species("rb85")
    numerov = Numerics(short_range="numerov")
    a_case = harness.compare(
        {
            "spinpair": lambda: scattering_lengths(sp, 0.5),
            "numerov": lambda: scattering_lengths(sp, 0.5, numerics=numerov),
        }
    )
    ours, peer = scattering_lengths(sp, 0.5), scattering_lengths(sp, 0.5, numerics=numerov)
    diff = max(abs(ours.a_f_bohr[F] - peer.a_f_bohr[F]) for F in (0, 2, 4))
    a_case.update(
        {
            "goal <= 1 s": bool(a_case["timings"]["spinpair"]["median_s"] <= 1.0),
            "max_a_F_difference_bohr": diff,
            "a_F_bohr": [ours.a_f_bohr[F] for F in (0, 2, 4)],
        }
    )
    if harness.SMOKE:
        return {"a_f_one_field": a_case}
    energies = np.geomspace(0.1e-6, 200e-6, 100)
    ref = json.loads(
        (Path(__file__).parents[1] / "tests" / "data" / "molscat_reference.json").read_text()
    )
    timing = ref.get("timing", {})
    molscat_9 = timing.get("default_-g_build", {}).get("run_1a_9_energies_wall_s_median")
    molscat_9_o2 = timing.get("O2_build", {}).get("run_1a_9_energies_wall_s_median")
    e9 = np.array(ref["rb85_f2_m0_smatrix_0.5G"]["energies_uK"]) * 1e-6
    s_case = harness.compare(
        {"spinpair": lambda: s_matrix(sp, 0.5, energies)}, min(harness.REPEATS, S_REPEATS)
    )
    t9 = harness.compare(
        {"spinpair": lambda: s_matrix(sp, 0.5, e9)}, min(harness.REPEATS, S_REPEATS)
    )["timings"]["spinpair"]
    res = s_matrix(sp, 0.5, energies)
    t_s = s_case["timings"]["spinpair"]["median_s"]
    s_case.update(
        {
            "energies": int(energies.size),
            "goal <= 10 s": bool(t_s <= 10.0),
            "chi1_peak_uK": float(energies[int(np.argmax(res.probability((2, 1, 2, -1))))] * 1e6),
            "spinpair_9_molscat_energies_s": t9,
            "molscat_9_energies_s_-g (development session, not this run)": molscat_9,
            "molscat_9_energies_s_-O2 (development session, not this run)": molscat_9_o2,
        }
    )
    return {"a_f_one_field": a_case, "s_matrix_100_energies": s_case}


if __name__ == "__main__":
    with harness.same_threads():
        print(json.dumps(run(), indent=2, default=str))
