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

Every point is an independent, validated :class:`~spinpair.params.Params`; a bad axis key
or value is reported before anything runs. Results come back in grid order whatever the
executor, so a sweep is reproducible.

Example
-------
>>> spec = SweepSpec.from_toml_string('compute = "dynamics"\\ntimes_s = [0.0, 0.1]\\n'
...     'model = "relaxation"\\n[axes]\\n"collisions.rate_scale" = [1.0, 2.0]')
>>> rows = run_sweep(spec)
>>> [r["collisions.rate_scale"] for r in rows]
[1.0, 2.0]
>>> bool(rows[1]["populations"]["chi1"][1] > rows[0]["populations"]["chi1"][1])
True
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import json
import math
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .fileio import atomic_write_text
from .params import Params

COMPUTE = ("raman", "dynamics")


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base parameter dictionary, what to compute, and the axes."""

    base: Mapping[str, Any]
    compute: str
    settings: Mapping[str, Any]
    axes: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def points(self) -> list[dict[str, Any]]:
        """The grid, in order: one mapping axis key → value per point."""
        keys = list(self.axes)
        return [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(self.axes[k] for k in keys))
        ]

    def params_at(self, point: Mapping[str, Any]) -> Params:
        """The validated parameters of one grid point."""
        d = copy.deepcopy(dict(self.base))
        for key, value in point.items():
            *tables, leaf = key.split(".")
            node = d
            for t in tables:
                node = node.setdefault(t, {})
                if not isinstance(node, dict):
                    raise InputError(f"axes.{key}", value, "a dotted key into a parameter table")
            node[leaf] = value
        return Params.from_dict(d)

    @classmethod
    def from_toml_string(cls, text: str, folder: Path | None = None) -> SweepSpec:
        """Parse and validate a sweep file's text (``folder`` resolves ``params``)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise InputError("sweep", "TOML", "valid TOML", str(e)) from None
        known = {"params", "compute", "axes", "tau_s", "area", "chi1_coherence", "times_s", "model"}
        for k in data:
            if k not in known:
                raise InputError(k, data[k], f"a key among {sorted(known)}")
        base: dict[str, Any] = {}
        if "params" in data:
            path = Path(data["params"])
            if folder is not None and not path.is_absolute():
                path = folder / path
            base = Params.from_toml(path).to_dict()
        compute = data.get("compute", "raman")
        if compute not in COMPUTE:
            raise InputError("compute", compute, f"one of {list(COMPUTE)}")
        settings = {
            k: data[k] for k in ("tau_s", "area", "chi1_coherence", "times_s", "model") if k in data
        }
        if compute == "raman" and ("tau_s" in settings) == ("area" in settings):
            raise InputError("tau_s", None, "exactly one of tau_s or area for compute = raman")
        if compute == "dynamics" and "times_s" not in settings:
            raise InputError("times_s", None, "a list of hold times (s) for compute = dynamics")
        for k in ("tau_s", "area", "times_s"):
            if k in settings:
                v = settings[k]
                if (
                    not isinstance(v, list)
                    or not v
                    or not all(isinstance(x, (int, float)) and math.isfinite(x) for x in v)
                ):
                    raise InputError(k, v, "a non-empty list of finite numbers")
        axes = data.get("axes", {})
        if not isinstance(axes, Mapping):
            raise InputError("axes", axes, "a table of dotted key = [values]")
        for k, v in axes.items():
            if not isinstance(v, list) or not v:
                raise InputError(f"axes.{k}", v, "a non-empty list of values")
        spec = cls(base, compute, settings, dict(axes))
        for point in spec.points():  # validate every point before anything runs
            try:
                spec.params_at(point)
            except InputError as e:
                where = ", ".join(f"{k} = {v}" for k, v in point.items())
                raise InputError(e.field, e.value, e.allowed, f"at grid point {where}") from None
        return spec

    @classmethod
    def from_toml(cls, path: str | Path) -> SweepSpec:
        """Read a sweep file."""
        p = Path(path)
        if not p.is_file():
            raise InputError("sweep", str(path), "an existing TOML file")
        return cls.from_toml_string(p.read_text(encoding="utf-8"), p.parent)


def evaluate_point(spec: SweepSpec, point: Mapping[str, Any]) -> dict[str, Any]:
    """Compute one grid point (a pure function: safe in a worker process)."""
    params = spec.params_at(point)
    s = spec.settings
    row: dict[str, Any] = dict(point)
    if spec.compute == "raman":
        from .sequence import Sequence

        seq = Sequence.from_params(params, chi1_coherence=s.get("chi1_coherence"))
        res = seq.run(tau_s=s.get("tau_s"), area=s.get("area"))
        row.update(res.as_dict())
    else:
        from .dynamics import evolve_params

        res = evolve_params(params, s["times_s"], model=s.get("model"))
        row["time_s"] = res.time_s.tolist()
        row["populations"] = {k: v.tolist() for k, v in res.populations().items()}
    return row


def _progress(total: int):
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm(total=total, desc="sweep", unit="point", file=sys.stderr)
    return None


def run_sweep(
    spec: SweepSpec, workers: int = 1, scheduler: str | None = None
) -> list[dict[str, Any]]:
    """Evaluate every grid point; ``workers`` > 1 uses local processes, ``scheduler`` a
    Dask cluster (``pip install 'spinpair[dask]'``). Rows are returned in grid order."""
    points = spec.points()
    if int(workers) != workers or workers < 1:
        raise InputError("--workers", workers, "an integer >= 1")
    bar = _progress(len(points))
    rows: list[dict[str, Any]] = []
    if scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError(
                "--scheduler", scheduler, "Dask installed: pip install 'spinpair[dask]'"
            ) from None
        with Client(scheduler) as client:
            futures = client.map(lambda p: evaluate_point(spec, p), points, pure=False)
            rows = client.gather(futures)
        if bar:
            bar.update(len(points))
    elif workers == 1:
        for p in points:
            rows.append(evaluate_point(spec, p))
            if bar:
                bar.update()
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=int(workers)) as ex:
            for r in ex.map(evaluate_point, itertools.repeat(spec), points):
                rows.append(r)
                if bar:
                    bar.update()
    if bar:
        bar.close()
    return rows


def _flat_rows(rows: list[dict[str, Any]], axes: Sequence[str]) -> tuple[list[str], list[list]]:
    """Long format: one line per grid point and setting."""
    header: list[str] = list(axes)
    out: list[list] = []
    for r in rows:
        if "populations" in r:
            names = list(r["populations"])
            if len(header) == len(axes):
                header += ["time_s", *names]
            for i, t in enumerate(r["time_s"]):
                out.append([r[a] for a in axes] + [t] + [r["populations"][n][i] for n in names])
        else:
            setting = "tau_s" if "tau_s" in r else "area"
            if len(header) == len(axes):
                header += [setting, "P0", "P1", "P2"]
            for i, x in enumerate(r[setting]):
                out.append([r[a] for a in axes] + [x, r["P0"][i], r["P1"][i], r["P2"][i]])
    return header, out


def write_sweep(rows: list[dict[str, Any]], spec: SweepSpec, path: str | Path) -> None:
    """Write results atomically: ``.json`` (one object per point) or ``.csv`` (long)."""
    p = Path(path)
    if p.suffix == ".json":
        text = json.dumps(
            {"axes": list(spec.axes), "compute": spec.compute, "points": rows}, allow_nan=False
        )
    elif p.suffix == ".csv":
        header, table = _flat_rows(rows, list(spec.axes))
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(table)
        text = buf.getvalue()
    else:
        raise InputError("--out", str(path), "a .json or .csv file name")
    atomic_write_text(p, text)


__all__ = ["SweepSpec", "evaluate_point", "run_sweep", "write_sweep"]
