"""Computing grid points: one point (:func:`evaluate_point`, a pure function, safe in a
worker process) and one chunk of consecutive points with one BLAS thread
(:func:`evaluate_chunk`, the unit of work every executor runs).

Examples
--------
>>> from spinpair.sweep import SweepSpec
>>> spec = SweepSpec.from_toml_string('compute = "raman"\\narea = [0.0]\\n[axes]\\n'
...     '"imperfections.p_loss" = [0.0, 0.1]')
>>> rows = evaluate_chunk(spec, 0, 2)
>>> [r["imperfections.p_loss"] for r in rows], sorted(rows[0])
([0.0, 0.1], ['P0', 'P1', 'P2', 'area', 'imperfections.p_loss'])
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import InputError
from ..params import Params
from ..validation import instance, mapping
from .spec import OUTSIDE_REGIME_HINT, SweepSpec, grid_point_text

#: The module each kind of computation imports on its first point; local workers import it
#: (and compute one point, to load what that point loads lazily) while they start
#: (:class:`~spinpair.sweep.LocalPool` ``preload`` and ``warm_up``), not inside their
#: first chunk.
COMPUTE_MODULES = {"raman": "spinpair.sequence", "dynamics": "spinpair.dynamics"}


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with one BLAS thread (threadpoolctl, through :mod:`spinpair._threads`).

    A sweep parallelises over grid points; each point is small-matrix work where extra BLAS
    threads only compete with the other workers for the same cores. The controller that
    finds the BLAS libraries is built once per process and kept (``threadpool_limits``
    builds a new one on every call, which took milliseconds: more than a small chunk's
    points), and the engine's own one-thread caps nested inside cost nothing.
    """
    from .._threads import blas_threads

    with blas_threads(1):
        yield


def evaluate_point(spec: SweepSpec, point: Mapping[str, Any]) -> dict[str, Any]:
    """Compute one grid point (a pure function: safe in a worker process).

    The row holds the point's axis values, then ``tau_s`` or ``area`` and ``P0``, ``P1``,
    ``P2`` (lists, one value per setting; raman), or ``time_s`` (s) and ``populations``
    (state name → list; dynamics). Where the collision model refuses the point
    (:mod:`spinpair.dynamics.regime`), the sweep's ``outside_regime`` decides: ``"raise"``
    stops with an error that names the grid point, ``"warn"`` computes it.
    """
    instance("spec", spec, SweepSpec, "a SweepSpec (SweepSpec.from_toml)")
    mapping("point", point)
    import warnings

    from ..dynamics.regime import RegimeError, RegimeWarning

    params = spec.params_at(point)
    row: dict[str, Any] = dict(point)
    try:
        with warnings.catch_warnings():
            # the sweep's status says it once (spinpair.sweep.io.status_of), not every point
            warnings.simplefilter("ignore", RegimeWarning)
            row.update(_compute(spec, params))
    except RegimeError as e:
        where = grid_point_text(point)
        raise InputError(
            e.field, e.value, e.allowed, f"{e.detail}; at grid point {where}; {OUTSIDE_REGIME_HINT}"
        ) from None
    return row


def _compute(spec: SweepSpec, params: Params) -> dict[str, Any]:
    s = spec.settings
    outside = spec.outside_regime
    if spec.compute == "raman":
        from ..sequence import MeasurementSequence

        spin_map = None
        if spec.collision_model(params) is not None:
            spin_map = shared_spin_map(params, outside)
        seq = MeasurementSequence.from_params(
            params, chi1_coherence=s.get("chi1_coherence"), spin_map=spin_map
        )
        counts = seq.run(tau_s=s.get("tau_s"), area=s.get("area"))
        return counts.as_dict()
    from ..dynamics import evolve_params

    dyn = evolve_params(params, s["times_s"], model=s.get("model"), outside_regime=outside)
    return {
        "time_s": dyn.time_s.tolist(),
        "populations": {k: v.tolist() for k, v in dyn.populations().items()},
    }


#: Collision maps kept per process (keyed by what the hold step depends on), and the pair
#: states each keeps with their images: grid points that differ only in what comes after
#: the hold (imperfections of the pulse, transfer, push-out, detection) or in the weights of
#: the prepared state share one propagation.
SHARED_MAPS, SHARED_STATES = 8, 32


class _MemoMap:
    """A pair-spin map that remembers its last images (exact: the same input bytes give the
    same output; the map is a deterministic function)."""

    def __init__(self, spin_map: Callable[[Any], Any]) -> None:
        self.spin_map = spin_map
        self.images: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.calls = 0

    def __call__(self, rho_batch: Any) -> Any:
        import numpy as np

        r = np.ascontiguousarray(rho_batch, dtype=complex)
        key = (r.shape, hashlib.blake2b(r.tobytes(), digest_size=16).digest())
        if key in self.images:
            self.images.move_to_end(key)
            return self.images[key].copy()
        self.calls += 1
        out = np.asarray(self.spin_map(r), dtype=complex)
        self.images[key] = out.copy()
        if len(self.images) > SHARED_STATES:
            self.images.popitem(last=False)
        return out


_MAPS: OrderedDict[tuple[Any, ...], _MemoMap] = OrderedDict()


def shared_spin_map(params: Params, outside_regime: str = "raise") -> _MemoMap:
    """The hold step of ``params`` (:func:`spinpair.dynamics.collision_spin_map`), shared by
    every grid point of this process with the same collision setup, model and hold time,
    and remembering the images of the last pair states it was given. Results are those of
    an unshared map, to the bit (tested)."""
    from ..dynamics import CollisionSetup, collision_spin_map

    col = params.collisions
    key = (CollisionSetup.from_params(params), col.model, col.hold_time_s, outside_regime)
    if key in _MAPS:
        _MAPS.move_to_end(key)
        return _MAPS[key]
    memo = _MemoMap(collision_spin_map(params, outside_regime=outside_regime))
    _MAPS[key] = memo
    if len(_MAPS) > SHARED_MAPS:
        _MAPS.popitem(last=False)
    return memo


def evaluate_chunk(spec: SweepSpec, start: int, stop: int) -> list[dict[str, Any]]:
    """Compute grid points ``start`` to ``stop`` (exclusive) with one BLAS thread."""
    with one_blas_thread():
        return [evaluate_point(spec, p) for p in spec.iter_points(start, stop)]


__all__ = ["COMPUTE_MODULES", "evaluate_chunk", "evaluate_point", "one_blas_thread"]
