"""Dask clusters for sweeps: the settings that suit clusters of single-threaded workers
(:data:`DASK_CONFIG`, also as environment variables for a batch job's prologue), checking a
scheduler address, connecting to it, and counting a client's worker threads.

Examples
--------
>>> check_scheduler("tcp://10.0.0.5:8786")
'tcp://10.0.0.5:8786'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from ..validation import mapping, text

#: How long to try to reach a Dask scheduler given by address.
CONNECT_TIMEOUT = "10s"

#: Dask settings for clusters of single-threaded workers on few cores: a worker's own
#: monitors sample every 10–100 ms by default, a share of a small machine that the
#: workers feel (``docs/scaling.md`` gives what an idle LocalCluster takes with and
#: without these settings, measured by ``benchmarks/bench_sweep.py``). Apply them where
#: the cluster starts: ``with dask.config.set(DASK_CONFIG): LocalCluster(...)``, or as
#: environment variables (:func:`dask_environment`) in a batch job's prologue. What each
#: one gives up:
DASK_CONFIG: dict[str, object] = {
    # the statistical profiler samples every worker thread 100 times a second (the
    # dashboard's "Profile" page stays empty without it)
    "distributed.worker.profile.enabled": False,
    # event-loop responsiveness check, 20 ms by default (a blocked loop is then reported
    # after 200 ms instead of 20 ms)
    "distributed.admin.tick.interval": "200ms",
    # memory limit checks (pause, spill, restart), 100 ms by default: a sweep's chunk
    # holds a few MB
    "distributed.worker.memory.monitor-interval": "1s",
    # CPU/memory/network history for the dashboard, 500 ms by default
    "distributed.admin.system-monitor.interval": "2s",
    # the nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so that glibc hands freed
    # memory back to the OS at once; a point's numpy temporaries are then faulted in anew
    # each time: about 2.4 times the page faults and system CPU of glibc's default, and
    # more time per point (docs/scaling.md gives both, measured by the benchmark). None
    # leaves the variable unset (glibc's default); a worker's unmanaged memory may then
    # stay higher between tasks
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


def dask_environment(config: Mapping[str, object] | None = None) -> dict[str, str]:
    """``config`` (default :data:`DASK_CONFIG`) as the environment variables Dask reads at
    start-up, for a batch job's prologue or a shell, e.g.
    ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``. Dask lower-cases the names of
    such variables, so a key that names an environment variable (upper case, as
    ``MALLOC_TRIM_THRESHOLD_`` under ``distributed.nanny.pre-spawn-environ``) goes into
    one variable for its parent, holding a Python dict literal that Dask merges into the
    parent (quote it in a shell: ``shlex.quote``).

    >>> dask_environment({"distributed.admin.tick.interval": "200ms"})
    {'DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL': '200ms'}
    >>> dask_environment({"distributed.nanny.environ.MY_VAR": None})
    {'DASK_DISTRIBUTED__NANNY__ENVIRON': "{'MY_VAR': None}"}
    """
    env: dict[str, str] = {}
    merged: dict[str, dict[str, object]] = {}
    config = DASK_CONFIG if config is None else mapping("config", config)
    for key, value in config.items():
        *parents, last = text("config key", key).split(".")
        if last != last.lower():  # a case-sensitive name: merged into its parent's dict
            path, entry = parents, {last: value}
        else:
            path, entry = key.split("."), None
        name = "DASK_" + "__".join(part.upper().replace("-", "_") for part in path)
        if entry is None:
            env[name] = str(value)
        else:
            merged.setdefault(name, {}).update(entry)
    env.update({name: repr(d) for name, d in merged.items()})
    return env


_ADDRESS = re.compile(
    r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_]([A-Za-z0-9_.-]{0,251}[A-Za-z0-9_])?)"
    r"(:(\d{1,5}))?\Z"
)


def check_scheduler(address: Any) -> str:
    """Check a Dask scheduler address before connecting: ``tcp://HOST[:PORT]`` or
    ``tls://HOST[:PORT]`` (HOST a name, an IPv4 address or ``[IPv6]``, PORT 1 to 65535).

    >>> check_scheduler("tls://10.0.0.5:8786")
    'tls://10.0.0.5:8786'
    """
    m = _ADDRESS.match(address) if isinstance(address, str) else None
    if m is None or (m.group(5) is not None and not 1 <= int(m.group(5)) <= 65535):
        raise InputError(
            "--scheduler",
            address,
            "a Dask scheduler address tcp://HOST:PORT or tls://HOST:PORT "
            "(e.g. tcp://10.0.0.5:8786)",
        )
    return address


def dask_client(scheduler: str) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``scheduler`` (checked with
    :func:`check_scheduler`), trying for :data:`CONNECT_TIMEOUT`. Dask missing or no
    scheduler there: :class:`~spinpair.errors.InputError` naming ``--scheduler``."""
    check_scheduler(scheduler)
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--scheduler", scheduler, "Dask installed: pip install 'spinpair[dask]'"
        ) from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise InputError(
            "--scheduler", scheduler, "the address of a running Dask scheduler", str(e)
        ) from None


def client_threads(client: Any) -> int:
    """Total worker threads of a ``distributed.Client`` (at least 1: a cluster may still be
    starting its workers)."""
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:
        return 1


__all__ = [
    "CONNECT_TIMEOUT",
    "DASK_CONFIG",
    "check_scheduler",
    "client_threads",
    "dask_client",
    "dask_environment",
]
