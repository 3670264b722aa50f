"""Parameter sweeps: a grid of parameter sets, each simulated, locally or on a Dask cluster.

A sweep file (TOML) names the base parameters, what to compute at each grid point, and the
axes (dotted parameter keys with lists of values)::

    params = "paper-calibrated.toml"   # optional, relative to this file; default: paper
    compute = "raman"                  # raman | dynamics
    tau_s = [0.0, 0.8e-6, 1.6e-6]      # raman: tau_s or area; optional chi1_coherence
    # compute = "dynamics": times_s = [...], optional model = "ergodic"

    [axes]
    "trap.temperature_k" = [20e-6, 40e-6, 60e-6]
    "collisions.field_gauss" = [0.5, 1.0]

Every point is an independent, validated :class:`~spinpair.params.Params`. Every axis value
is checked before anything runs, and so is every grid point of a grid up to
:data:`FULL_VALIDATION_POINTS` points; on larger grids a combination that is invalid only
together (say a temperature too high for one of the trap depths) is reported when its
point is computed. Results come back in grid order whatever the executor, so a sweep is
reproducible.

Where it runs: in process (``workers=1``), on local worker processes (``workers=N``, each
started with one BLAS thread), or on any Dask cluster through a ``distributed.Client``
(``client=``) or a scheduler address (``scheduler=``): a ``LocalCluster``, or a
``dask_jobqueue.SLURMCluster`` on a batch cluster (docs/scaling.md).

Files (:func:`sweep_to_file`): results are streamed, one chunk of grid points at a time,
into ``OUT.parts/`` next to the output (a manifest and one JSON file per finished chunk),
so memory stays bounded by a chunk. When every chunk is done the output is assembled from
the chunk files into a temporary file and renamed onto ``OUT`` (``.csv``: long table,
``.json``: one object per point, ``.nc``: NetCDF-4 following the CF conventions, with
the grid axes as coordinates and the parameters and provenance as attributes; see
:mod:`spinpair.sweep.netcdf`), then ``OUT.parts/`` is removed. An interrupted sweep keeps
its finished chunks; running the same sweep file with the same output again skips them.

Limits (:func:`check_size`): a grid over :data:`MAX_POINTS` points is refused; one over
:data:`CONFIRM_POINTS` points, or estimated (one point timed first) to take longer than
:data:`CONFIRM_SECONDS`, runs only when confirmed (``yes=True``, ``--yes``).

Examples
--------
>>> spec = SweepSpec.from_toml_string('compute = "dynamics"\\ntimes_s = [0.0, 0.01]\\n'
...     'model = "relaxation"\\n[axes]\\n"collisions.rate_scale" = [1.0, 2.0]')
>>> rows = run_sweep(spec)
>>> [r["collisions.rate_scale"] for r in rows]
[1.0, 2.0]
>>> bool(rows[1]["populations"]["chi1"][1] > rows[0]["populations"]["chi1"][1])
True
>>> ds = rows.to_xarray()  # xarray.Dataset (pip install 'spinpair[netcdf]')
>>> ds["population"].dims, ds["collisions_rate_scale"].attrs["parameter_key"]
(('collisions_rate_scale', 'state', 'time_s'), 'collisions.rate_scale')

The package, along the flow of a sweep:

* :mod:`~spinpair.sweep.spec`: the sweep file, its grid and fingerprint;
* :mod:`~spinpair.sweep.evaluate`: computing one point and one chunk of points;
* :mod:`~spinpair.sweep.executors`: where chunks run (this process, local processes,
  Dask) behind one :func:`map_chunks`; :mod:`~spinpair.sweep.cluster`: Dask settings;
* :mod:`~spinpair.sweep.budget`: size limits and the time estimate;
* :mod:`~spinpair.sweep.store`: the chunk store ``OUT.parts/`` (resume, checksums, lock);
* :mod:`~spinpair.sweep.io` and :mod:`~spinpair.sweep.netcdf`: the output files, with one
  NetCDF/xarray layout;
* :mod:`~spinpair.sweep.run`: :func:`run_sweep` and :func:`sweep_to_file`.
"""

from .._pool import PARENT_POLL_SECONDS
from .budget import CONFIRM_POINTS, CONFIRM_SECONDS, SizeEstimate, check_size, time_one_point
from .cluster import (
    CONNECT_TIMEOUT,
    DASK_CONFIG,
    check_scheduler,
    client_threads,
    dask_environment,
)
from .evaluate import COMPUTE_MODULES, evaluate_chunk, evaluate_point, one_blas_thread
from .executors import (
    BLAS_ENV,
    ChunkExecutor,
    LocalPool,
    WorkerLost,
    _check_workers,  # noqa: F401 - used by the command line
    map_chunks,
    max_local_workers,
    open_executor,
)
from .io import FORMATS, check_output, holds_sweep, provenance, write_sweep, write_sweep_chunks
from .netcdf import NETCDF_SCHEMA_VERSION, to_xarray
from .run import SweepReport, SweepResult, run_sweep, sweep_to_file
from .spec import (
    COMPUTE,
    FULL_VALIDATION_POINTS,
    MAX_POINTS,
    SCHEMA_VERSION,
    SweepSpec,
    chunk_ranges,
    default_chunk_size,
)
from .store import manifest, parts_folder


def to_dataset(rows: list[dict], spec: SweepSpec) -> object:
    """In-memory results as an ``xarray.Dataset`` (the same as :func:`to_xarray` and
    ``run_sweep(spec).to_xarray()``; kept for existing callers)."""
    return to_xarray(rows, spec)


__all__ = [
    "BLAS_ENV",
    "COMPUTE",
    "COMPUTE_MODULES",
    "CONFIRM_POINTS",
    "CONFIRM_SECONDS",
    "CONNECT_TIMEOUT",
    "DASK_CONFIG",
    "FORMATS",
    "FULL_VALIDATION_POINTS",
    "MAX_POINTS",
    "NETCDF_SCHEMA_VERSION",
    "PARENT_POLL_SECONDS",
    "SCHEMA_VERSION",
    "ChunkExecutor",
    "LocalPool",
    "SizeEstimate",
    "SweepReport",
    "SweepResult",
    "SweepSpec",
    "WorkerLost",
    "check_output",
    "check_scheduler",
    "check_size",
    "chunk_ranges",
    "client_threads",
    "dask_environment",
    "default_chunk_size",
    "evaluate_chunk",
    "evaluate_point",
    "holds_sweep",
    "manifest",
    "map_chunks",
    "max_local_workers",
    "one_blas_thread",
    "open_executor",
    "parts_folder",
    "provenance",
    "run_sweep",
    "sweep_to_file",
    "time_one_point",
    "to_dataset",
    "to_xarray",
    "write_sweep",
    "write_sweep_chunks",
]
