"""Design a calibration run: the hold times (and runs per time) that pin the a_F best.

``spinpair calibrate`` fits the scattering lengths a_F to counts of pair states (00,
chi1, chi2) versus hold time with the zero-range rates. Per run at hold time t the counts
are multinomial over the named states, so the Fisher information about the free a_F is
M(t) = Σ_s ∂_a P_s ∂_a P_sᵀ / P_s (derivatives by central differences, ±1 a_B, of the
relaxation model's populations; :mod:`spinpair.dynamics.pauli`). The design minimises the
sum of the a_F variances (A-optimal, :mod:`spinpair.design.allocation`) for a total number
of runs, and compares with a uniform grid of hold times (default 5 times from 20 to 200
ms, a setting).

The a_F fitted this way are effective parameters of the zero-range rate model; the
design is only as good as the a_F it assumes (those of the parameter file): a design
for an unknown a_F is local, as every non-linear design is.

Examples
--------
>>> from spinpair.params import Params
>>> d = design_hold_times(Params(), 2000)
>>> int(d.runs.sum()), bool(d.runs_ratio >= 1)
(2000, True)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..params import Params
from .allocation import c_optimal_weights, fisher_per_run, round_allocation
from .allocation import variance as design_variance

#: Default candidate hold times (s) and uniform comparison grid (s): settings.
CANDIDATE_TIMES_S = np.geomspace(2e-3, 1.0, 41)
UNIFORM_TIMES_S = np.linspace(0.02, 0.2, 5)
#: Step of the a_F derivatives (Bohr radii).
STEP_BOHR = 1.0


@dataclass(frozen=True)
class HoldTimeDesign:
    """Hold times and runs per time for a calibration of ``free`` (a_F in a_B)."""

    free: tuple[str, ...]
    time_s: NDArray[np.float64]
    runs: NDArray[np.int64]
    sigma_bohr: dict[str, float]
    uniform_time_s: NDArray[np.float64]
    uniform_runs: NDArray[np.int64]
    uniform_sigma_bohr: dict[str, float]
    runs_ratio: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "free": list(self.free),
            "time_s": self.time_s.tolist(),
            "runs": [int(x) for x in self.runs],
            "sigma_bohr": self.sigma_bohr,
            "uniform_time_s": self.uniform_time_s.tolist(),
            "uniform_runs": [int(x) for x in self.uniform_runs],
            "uniform_sigma_bohr": self.uniform_sigma_bohr,
            "runs_ratio": self.runs_ratio if math.isfinite(self.runs_ratio) else None,
            "rates": "zero-range (the calibrate model)",
        }


def hold_time_information(
    params: Params, time_s: ArrayLike, free: Sequence[str] = ("a0", "a2")
) -> NDArray[np.float64]:
    """Fisher matrices per run (times, q, q) about the free a_F at each hold time."""
    from ..dynamics import CollisionSetup
    from ..dynamics.pauli import relaxation_populations

    setup = dataclasses.replace(CollisionSetup.from_params(params), rates="zero-range")
    names = ["00", *(f"chi{k}" for k in range(1, setup.f + 1))]
    chans = []
    for a in free:
        if not (a.startswith("a") and a[1:].isdigit() and int(a[1:]) in setup.species.channels):
            raise InputError("free", a, f"a_F of the channels {list(setup.species.channels)}")
        chans.append(int(a[1:]))
    pops = relaxation_populations(setup, names)
    assert pops is not None  # 00 and chi_k are sector states
    t = np.asarray(time_s, dtype=float)
    p = pops(setup, t).T  # (times, states)
    jac = []
    for ch in chans:
        a0 = setup.species.scattering_lengths_bohr[ch]
        hi = pops(setup.with_scattering_lengths({ch: a0 + STEP_BOHR}), t).T
        lo = pops(setup.with_scattering_lengths({ch: a0 - STEP_BOHR}), t).T
        jac.append((hi - lo) / (2 * STEP_BOHR))
    return fisher_per_run(p, np.stack(jac, axis=-1))


def design_hold_times(
    params: Params,
    runs: int,
    free: Sequence[str] = ("a0", "a2"),
    *,
    candidates_s: ArrayLike | None = None,
    uniform_s: ArrayLike | None = None,
) -> HoldTimeDesign:
    """Hold times and runs that minimise the summed variance of the ``free`` a_F."""
    if isinstance(runs, bool) or int(runs) != runs or not 1 <= runs <= 10**9:
        raise InputError("runs", runs, "an integer in [1, 1e9]")
    cand = np.asarray(CANDIDATE_TIMES_S if candidates_s is None else candidates_s, dtype=float)
    uni = np.asarray(UNIFORM_TIMES_S if uniform_s is None else uniform_s, dtype=float)
    for name, t in (("candidates_s", cand), ("uniform_s", uni)):
        if t.ndim != 1 or t.size == 0 or not np.all(np.isfinite(t)) or np.any(t <= 0):
            raise InputError(name, t.tolist(), "hold times > 0 s")
    q = len(free)
    idx = tuple(range(q))
    M = hold_time_information(params, cand, free)
    alloc = c_optimal_weights(M, int(runs), index=idx)
    n = round_allocation(alloc.weights, int(runs))
    keep = n > 0
    M_u = hold_time_information(params, uni, free)
    n_u = round_allocation(np.ones(uni.size), int(runs))

    def sigmas(nn: NDArray, MM: NDArray) -> dict[str, float]:
        return {a: math.sqrt(design_variance(nn, MM, index=i)) for i, a in enumerate(free)}

    v_d = design_variance(n, M, index=idx)
    v_u = design_variance(n_u, M_u, index=idx)
    return HoldTimeDesign(
        free=tuple(free),
        time_s=cand[keep],
        runs=n[keep],
        sigma_bohr=sigmas(n, M),
        uniform_time_s=uni,
        uniform_runs=n_u,
        uniform_sigma_bohr=sigmas(n_u, M_u),
        runs_ratio=v_u / v_d if v_d > 0 else float("nan"),
    )


__all__ = ["HoldTimeDesign", "design_hold_times", "hold_time_information"]
