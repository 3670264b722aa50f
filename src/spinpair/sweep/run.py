"""Running a sweep: in memory (:func:`run_sweep`, rows in grid order) or into a file
(:func:`sweep_to_file`: size check, chunks streamed into the chunk store, resume, atomic
assembly of the output). Both run their chunks through the one
:func:`~spinpair.sweep.executors.map_chunks`.

Examples
--------
>>> from spinpair.sweep import SweepSpec
>>> spec = SweepSpec.from_toml_string('compute = "raman"\\narea = [0.0, 1.5707963]\\n'
...     '[axes]\\n"imperfections.p_loss" = [0.0, 0.1]')
>>> result = run_sweep(spec)
>>> [r["imperfections.p_loss"] for r in result]
[0.0, 0.1]
>>> result.to_xarray()["P2"].dims
('imperfections_p_loss', 'area')
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from . import store as _store
from .budget import SizeEstimate, check_size
from .cluster import check_scheduler
from .executors import WorkerLost, _check_workers, open_executor
from .io import check_output, holds_sweep, write_sweep_chunks
from .netcdf import to_xarray
from .spec import SweepSpec, chunk_ranges, default_chunk_size


def _log(msg: str) -> None:
    print(f"spinpair: sweep: {msg}", file=sys.stderr, flush=True)


def _progress(total: int) -> Any:
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc="sweep", unit="point", file=sys.stderr)
    return None


class SweepResult(list[dict[str, Any]]):
    """The rows of :func:`run_sweep` in grid order (a ``list`` of dicts, one per point),
    with the sweep they come from (``spec``)."""

    def __init__(self, rows: list[dict[str, Any]], spec: SweepSpec) -> None:
        super().__init__(rows)
        self.spec = spec

    def to_xarray(self) -> Any:
        """The results as an ``xarray.Dataset`` (grid axes and setting as coordinates, CF
        units and long names; the layout of :func:`spinpair.sweep.netcdf.nc_layout`), equal
        to the ``.nc`` output of the same sweep read back. Needs
        ``pip install 'spinpair[netcdf]'`` (:class:`~spinpair.errors.InputError` otherwise).
        """
        return to_xarray(self, self.spec)


def run_sweep(
    spec: SweepSpec,
    workers: int = 1,
    scheduler: str | None = None,
    *,
    client: Any = None,
    chunk_size: int | None = None,
) -> SweepResult:
    """Evaluate every grid point in memory and return the rows in grid order
    (:class:`SweepResult`: a list with ``.to_xarray()``).

    ``workers`` > 1 uses local processes; ``client`` (a ``distributed.Client``, or any
    object with its ``get_executor`` and ``nthreads``) or ``scheduler`` (an address) a Dask
    cluster (``pip install 'spinpair[dask]'``). For large grids use :func:`sweep_to_file`,
    which streams to disk, resumes, and checks the size first.
    """
    workers = _check_workers(workers)
    n = spec.n_points
    with open_executor(workers, client, scheduler, spec) as ex:
        chunks = chunk_ranges(n, chunk_size or default_chunk_size(n, ex.parallelism))
        out: list[list[dict[str, Any]]] = [[] for _ in chunks]
        bar = _progress(n)
        try:

            def done(k: int, rows: list[dict[str, Any]]) -> None:
                out[k] = rows
                if bar:
                    bar.update(len(rows))

            ex.map_chunks(spec, chunks, done)
        finally:
            if bar:
                bar.close()
    return SweepResult([r for rows in out for r in rows], spec)


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_to_file` did: grid points in the output, points skipped because a
    previous run had finished them, and chunks computed now."""

    out: Path
    points: int
    skipped: int
    computed_chunks: int
    estimate: SizeEstimate | None


def sweep_to_file(
    spec: SweepSpec,
    out: str | Path,
    *,
    workers: int = 1,
    client: Any = None,
    scheduler: str | None = None,
    yes: bool = False,
    chunk_size: int | None = None,
    log: Callable[[str], None] = _log,
) -> SweepReport:
    """Run a sweep into ``out`` (.csv, .json or .nc): size check, chunks streamed to
    ``OUT.parts/``, resume from finished chunks, atomic assembly of the output.

    ``client`` is a ``distributed.Client`` (or an object with its ``get_executor`` and
    ``nthreads``), for example built from a ``LocalCluster`` or a
    ``dask_jobqueue.SLURMCluster``; ``scheduler`` is a scheduler address; otherwise
    ``workers`` local processes. On any interruption (exception, KeyboardInterrupt, a
    signal handler that raises) the workers are stopped, temporary files removed, and the
    finished chunks kept for the next run; a local worker that dies raises
    :class:`~spinpair.sweep.WorkerLost`.

    What is guaranteed after a crash (``kill -9``, a lost node) at any instant: ``out`` is
    absent, the previous file, or the complete new one; the next run with the same sweep
    resumes from the intact chunks (each checked against its SHA-256), removes the
    temporary files the crash left, and writes the same bytes as an uninterrupted run.
    The output is flushed to disk (``fsync``) before and after its final rename, so a
    power loss after the run has returned cannot lose or truncate it; chunk files are not
    flushed, and one damaged by a power loss fails its checksum and is recomputed.
    """
    workers = _check_workers(workers)
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1
    ):
        raise InputError("--chunk-size", chunk_size, "an integer >= 1")
    if scheduler is not None:
        check_scheduler(scheduler)
    p = check_output(out)
    if not os.path.lexists(_store.parts_folder(p)) and holds_sweep(p, spec):
        log(f"{p} already holds this sweep's {spec.n_points} points: nothing to do")
        return SweepReport(p, spec.n_points, spec.n_points, 0, None)
    store = _store._Store(spec, p, log)
    store.open()  # refuses a folder not ours, a live lock, another sweep's manifest
    try:
        if holds_sweep(p, spec):  # published by a run killed while removing its chunks
            store.remove()
            log(f"{p} already holds this sweep's {spec.n_points} points: nothing to do")
            return SweepReport(p, spec.n_points, spec.n_points, 0, None)
        with open_executor(workers, client, scheduler, spec) as ex:
            store.prepare(chunk_size or default_chunk_size(spec.n_points, ex.parallelism))
            done = store.finished()
            skipped = sum(b - a for k, a, b in store.chunks if k in done)
            if store.resumed:
                log(f"resuming from {store.folder}: skipped {skipped} of {spec.n_points} points")
            todo = [c for c in store.chunks if c[0] not in done]
            try:
                first = todo[0][1] if todo else 0
                est = check_size(spec, spec.n_points - skipped, ex.parallelism, yes, first)
            except InputError:
                if not done:
                    store.remove()  # refused before anything ran: leave nothing behind
                raise
            if est is not None:
                log(est.describe())
            bar = _progress(spec.n_points)
            if bar:
                bar.update(skipped)
            try:

                def finished(k: int, rows: list[dict[str, Any]]) -> None:
                    store.write(k, rows)
                    if bar:
                        bar.update(len(rows))

                try:
                    ex.map_chunks(spec, todo, finished)
                except WorkerLost as e:
                    raise WorkerLost(
                        f"{e}, finished chunks kept in {store.folder}; run the same command "
                        "again to resume"
                    ) from None
            finally:
                if bar:
                    bar.close()
        write_sweep_chunks(store.rows(), spec, p, durable=True)
        _store._fault_point("published")
        store.remove()
    finally:
        store.close()
    return SweepReport(p, spec.n_points, skipped, len(todo), est)


__all__ = ["SweepReport", "SweepResult", "run_sweep", "sweep_to_file"]
