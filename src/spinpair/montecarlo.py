"""Virtual experiment: seeded multinomial draws from the models (spec §5).

Sampling only (planning how many runs an experiment needs is
:mod:`spinpair.analysis.planning`):

* :func:`sample_counts` — (n0, n1, n2) per row from given count probabilities;
* :func:`simulate_counts` — for a parameter set (or a built
  :class:`~spinpair.sequence.MeasurementSequence`) and a scan of pulse durations ``tau_s`` (s) or
  areas ``area`` (rad), draw (n0, n1, n2) for ``runs`` runs per setting with
  ``numpy.random.Generator.multinomial``;
* :func:`simulate_populations` — counts of named pair states versus hold time from a
  collision model (a virtual paper Fig. S1, the input of
  :func:`spinpair.analysis.calibrate.calibrate`).

Only seeded ``numpy.random.Generator`` objects are used: the same seed gives the same data.

Examples
--------
>>> from spinpair.paper import preset_path
>>> from spinpair.params import Params
>>> p = Params.from_toml(preset_path("paper-like"))
>>> d = simulate_counts(p, tau_s=[0.0, 1.6e-6], runs=200, seed=1)
>>> int(d.runs.sum()), d.setting_name
(400, 'tau_s')
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._rng import as_generator
from .analysis.data import CountData
from .errors import InputError, check_range
from .params import Params

if TYPE_CHECKING:  # pragma: no cover
    from .analysis.data import PopulationData
    from .dynamics import CollisionSetup
    from .sequence import MeasurementSequence


def _runs(runs: int | ArrayLike, rows: int) -> NDArray[np.int64]:
    r = np.asarray(runs, dtype=float)
    if r.ndim > 1 or (r.ndim == 1 and r.size != rows):
        raise InputError("runs", r.tolist(), f"one integer or {rows} integers (one per setting)")
    r = np.broadcast_to(r, (rows,))
    bad = ~np.isfinite(r) | (r <= 0) | (r != np.round(r))
    if np.any(bad):
        raise InputError("runs", float(r[bad][0]), "a positive integer")
    return r.astype(np.int64)


def sample_counts(
    probs: NDArray[np.float64],
    setting_name: str,
    setting: ArrayLike,
    runs: int | ArrayLike,
    seed: int | np.random.Generator | None = None,
    *,
    rng: np.random.Generator | None = None,
) -> CountData:
    """Multinomial draws of (n0, n1, n2) per row from probabilities (rows, 3).

    Examples
    --------
    >>> d = sample_counts(np.array([[0.2, 0.3, 0.5]]), "area", [1.57], 100, seed=3)
    >>> int(d.n0[0] + d.n1[0] + d.n2[0])
    100
    """
    g = as_generator(seed, rng)
    p = np.clip(np.asarray(probs, dtype=float), 0, 1)
    if p.ndim != 2 or p.shape[1] != 3:
        raise InputError("probs", p.shape, "an array (rows, 3) of P0, P1, P2")
    p = p / p.sum(axis=1, keepdims=True)
    n = _runs(runs, p.shape[0])
    draws = g.multinomial(n, p)
    return CountData(setting_name, np.asarray(setting, dtype=float), n, *draws.T)


def simulate_counts(
    params: Params | MeasurementSequence,
    *,
    tau_s: ArrayLike | None = None,
    area: ArrayLike | None = None,
    runs: int | ArrayLike,
    seed: int | np.random.Generator | None = None,
    rng: np.random.Generator | None = None,
    fidelity: float | None = None,
    destroy: bool = False,
) -> CountData:
    """Seeded virtual count data from the measurement sequence.

    Each setting's ``runs`` outcomes of 0, 1 or 2 counted atoms are one multinomial draw
    with the sequence model's P0, P1, P2.

    Parameters
    ----------
    params : spinpair.params.Params or spinpair.sequence.MeasurementSequence
        The parameter set (the sequence is built from it) or a built sequence.
    tau_s : array_like, optional
        Pulse durations τ [s], ≥ 0; exactly one of ``tau_s`` and ``area``.
    area : array_like, optional
        Pulse areas Ωτ [rad].
    runs : int or array_like
        Runs per setting: one positive integer, or one per setting.
    seed : int or numpy.random.Generator, optional
        Seed (integer ≥ 0) of the generator: the same seed gives the same data.
    rng : numpy.random.Generator, optional
        A generator to draw from instead of ``seed``.
    fidelity : float, optional
        Override the fidelity F = (1 + c)/2 of the chi1 part, in [0, 1] (only with a
        parameter set; default: the parameter set's).
    destroy : bool, optional
        Insert the entanglement-destruction step (only with a parameter set).

    Returns
    -------
    spinpair.analysis.data.CountData
        ``setting_name`` (``tau_s`` or ``area``), ``setting``, ``runs``, ``n0``, ``n1``,
        ``n2`` per setting.

    Raises
    ------
    spinpair.errors.InputError
        For both or neither of ``tau_s`` and ``area``, non-positive runs, a bad seed or
        fidelity.

    Examples
    --------
    >>> from spinpair import Params, simulate_counts
    >>> d = simulate_counts(Params(), area=[0.0, 1.5708], runs=100, seed=1)
    >>> d.setting_name, [int(x) for x in d.n0 + d.n1 + d.n2]
    ('area', [100, 100])
    """
    from .sequence import MeasurementSequence

    if (tau_s is None) == (area is None):
        raise InputError("setting", None, "exactly one of tau_s or area")
    name, setting = ("tau_s", tau_s) if tau_s is not None else ("area", area)
    g = as_generator(seed, rng)
    if isinstance(params, MeasurementSequence):
        if fidelity is not None or destroy:
            raise InputError(
                "fidelity",
                fidelity,
                "None with a built MeasurementSequence (pass Params to override)",
            )
        seq = params
    else:
        c = None if fidelity is None else 2 * check_range("fidelity", fidelity, 0.0, 1.0) - 1
        seq = MeasurementSequence.from_params(params, destroy=destroy, chi1_coherence=c)
    r = seq.run(**{name: setting})
    probs = np.stack([r.P0, r.P1, r.P2], axis=1)
    return sample_counts(probs, name, r.setting, runs, rng=g)


def simulate_populations(
    setup: CollisionSetup,
    model: str,
    times_s: ArrayLike,
    runs: int,
    seed: int | np.random.Generator,
    names: Seq[str] | None = None,
    **options: Any,
) -> PopulationData:
    """Seeded multinomial draws of pair-state counts from collision ``model`` started in
    ``00`` at hold times ``times_s`` (s), ``runs`` per time: the named states ``names``
    (default 00, chi1 … chi_f) and the rest lumped into "other" (a virtual Fig. S1).

    Examples
    --------
    >>> from spinpair.dynamics import CollisionSetup
    >>> d = simulate_populations(CollisionSetup.from_params(Params()), "relaxation",
    ...                          [0.01, 0.1], 100, seed=1)
    >>> sorted(d.counts), d.runs.tolist()
    (['00', 'chi1', 'chi2'], [100, 100])
    """
    from .analysis.data import PopulationData
    from .dynamics import evolve
    from .dynamics.engine import check_times

    rng = as_generator(seed)
    if int(runs) != runs or runs <= 0:
        raise InputError("runs", runs, "a positive integer")
    t = check_times(times_s)
    names = tuple(names or ("00", *(f"chi{k}" for k in range(1, setup.f + 1))))
    res = evolve(model, setup, t, "00", **options)
    pops = res.populations(names)
    p = np.clip(np.array([pops[k] for k in names]), 0.0, 1.0)
    other = np.clip(1.0 - p.sum(axis=0), 0.0, 1.0)
    probs = np.vstack([p, other[None]])
    probs /= probs.sum(axis=0)
    draws = np.array([rng.multinomial(int(runs), probs[:, i]) for i in range(t.size)])
    counts = {k: draws[:, j] for j, k in enumerate(names)}
    return PopulationData(t, np.full(t.size, int(runs)), counts)


__all__ = ["as_generator", "sample_counts", "simulate_counts", "simulate_populations"]
