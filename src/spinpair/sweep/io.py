"""Output files of a sweep: ``.csv`` (long table), ``.json`` (provenance and one object per
point, ending with the SHA-256 of its bytes) and ``.nc`` (NetCDF-4 with the layout of
:mod:`spinpair.sweep.netcdf`), each written atomically from (first index, rows) chunks in
grid order, one chunk in memory at a time; and the check that a file already holds a
complete output of a sweep (:func:`holds_sweep`).

Examples
--------
>>> from spinpair.sweep import SweepSpec
>>> spec = SweepSpec.from_toml_string('compute = "raman"\\narea = [0.0]')
>>> sorted(provenance(spec))[:3]
['axes', 'base_params_json', 'compute']
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..errors import InputError
from ..fileio import atomic_write, fitting_name
from .netcdf import nc_complete, require_netcdf, write_nc
from .spec import SweepSpec, provenance

#: Output formats by file suffix.
FORMATS = (".csv", ".json", ".nc")

Chunks = Iterator[tuple[int, list[dict[str, Any]]]]


def check_output(out: str | Path) -> Path:
    """Check an output path before anything runs: a known suffix, an existing writable
    folder, not a folder itself; ``.nc`` needs xarray, h5netcdf and h5py
    (``pip install 'spinpair[netcdf]'``)."""
    if not isinstance(out, (str, Path)) or not str(out):
        raise InputError("--out", out, "a file name ending in .csv, .json or .nc")
    p = Path(out)
    if p.suffix not in FORMATS:
        raise InputError("--out", str(out), "a file name ending in .csv, .json or .nc")
    if p.suffix == ".nc":
        require_netcdf("--out", out)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise InputError("--out", str(out), "a path in an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError("--out", str(out), "a path in a writable folder")
    if p.is_dir():
        raise InputError("--out", str(out), "a file name, not a folder")
    return p


#: Appended to a CSV output's name for its provenance sidecar (JSON).
SIDECAR = ".provenance.json"


def status_of(spec: SweepSpec) -> dict[str, Any]:
    """The status of a sweep's numbers (:class:`spinpair.provenance.Provenance` as a
    dict): the base parameters' statuses, every swept key a ``setting``. A sweep that
    computes points outside its model's regime on request (``outside_regime = "warn"``)
    is ``illustrative`` as a whole: which points were refused is not recorded per point."""
    from ..provenance import Provenance

    base = Provenance.from_params(spec.base_params, method=f"sweep, compute {spec.compute}")
    inputs = {k: v for k, v in base.inputs.items() if not any(_under(k, a) for a in spec.axes)}
    inputs.update(dict.fromkeys(spec.axes, "setting"))
    if spec.outside_regime == "warn":
        return Provenance.build(
            inputs,
            base.sources,
            method=base.method,
            method_status="illustrative",
            warnings=(
                "outside_regime = warn: grid points where the collision model refuses were "
                "computed anyway (spinpair.dynamics.regime)",
            ),
        ).as_dict()
    return Provenance.build(inputs, base.sources, method=base.method).as_dict()


def _under(key: str, axis: str) -> bool:
    return key == axis or key.startswith(axis + ".")


def sidecar_path(path: str | Path) -> Path:
    """``OUT.csv.provenance.json`` (a name too long for that keeps its start and a hash:
    :func:`spinpair.fileio.fitting_name`)."""
    p = Path(path)
    return p.with_name(fitting_name(p.name, len(SIDECAR.encode())) + SIDECAR)


def write_sidecar(spec: SweepSpec, path: str | Path, *, durable: bool = False) -> Path:
    """``OUT.csv.provenance.json`` beside a CSV output: :func:`provenance` and
    :func:`status_of` (a CSV file has no room for them). Deterministic bytes."""
    p = sidecar_path(path)
    doc = {
        "data_file": Path(path).name,
        **provenance(spec),
        "provenance": status_of(spec),
    }
    text = json.dumps(doc, indent=1, sort_keys=True, default=repr) + "\n"
    atomic_write(p, lambda t: t.write_text(text, encoding="utf-8"), durable=durable)
    return p


def holds_sweep(path: str | Path, spec: SweepSpec) -> bool:
    """Whether ``path`` is a complete, intact output of this very sweep. A ``.json`` output
    ends with the SHA-256 of its bytes (``file_sha256``), checked in full with the head
    (provenance: fingerprint, version); a ``.nc`` output must open (HDF5 detects a
    truncated file), carry the sweep's fingerprint and versions, and hold no unwritten
    value. A ``.csv`` has no room for either and is always recomputed."""
    p = Path(path)
    if not p.is_file() or p.is_symlink():
        return False
    try:
        if p.suffix == ".nc":
            return nc_complete(p, spec)
        if p.suffix == ".json":
            return _json_complete(p, spec)
    except Exception:  # not ours, unreadable, truncated: compute anew
        return False
    return False


def _json_complete(p: Path, spec: SweepSpec) -> bool:
    head = _json_head(spec).encode()
    with p.open("rb") as f:
        if f.read(len(head)) != head:
            return False
        size = os.fstat(f.fileno()).st_size
        end = size - len(_json_trailer("0" * 64))
        if end < len(head) + 2:
            return False
        h = hashlib.sha256(head)
        left = end - len(head)
        while left > 0:
            block = f.read(min(left, 1 << 20))
            if not block:
                return False
            h.update(block)
            left -= len(block)
        return f.read() == _json_trailer(h.hexdigest()).encode()


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


def _write_csv(chunks: Chunks, spec: SweepSpec, f: IO[Any]) -> None:
    w = csv.writer(f, lineterminator="\n")
    first = True
    for _, rows in chunks:
        header, table = _flat_rows(rows, list(spec.axes))
        if first:
            w.writerow(header)
            first = False
        w.writerows(table)


def _json_head(spec: SweepSpec) -> str:
    """The start of a ``.json`` output, up to its ``"points": [`` (a function of the
    sweep alone)."""
    head = {"provenance": provenance(spec), "axes": list(spec.axes), "compute": spec.compute}
    return json.dumps(head)[:-1] + ', "points": ['


def _json_trailer(digest: str) -> str:
    """The end of a ``.json`` output: the SHA-256 of every byte before it."""
    return f', "file_sha256": "{digest}"}}\n'


def _write_json(chunks: Chunks, spec: SweepSpec, f: IO[Any]) -> None:
    """One JSON object: provenance, axes, compute, the points, and ``file_sha256`` (the
    SHA-256 of the bytes before that key, so that a truncated or edited file is known)."""
    h = hashlib.sha256()

    def put(text: str) -> None:
        data = text.encode("utf-8")
        h.update(data)
        f.write(data)

    put(_json_head(spec))
    sep = ""
    for _, rows in chunks:
        for r in rows:
            put(sep + json.dumps(r, allow_nan=False))
            sep = ", "
    put("]")
    f.write(_json_trailer(h.hexdigest()).encode())


def write_sweep_chunks(
    chunks: Chunks,
    spec: SweepSpec,
    path: str | Path,
    *,
    durable: bool = False,
) -> None:
    """Write (first index, rows) chunks in grid order to ``path`` atomically, one chunk in
    memory at a time: ``.csv`` (long table), ``.json`` (provenance and one object per
    point) or ``.nc`` (xarray Dataset, NetCDF-4). The bytes depend on the rows alone, not
    on how they are cut into chunks. ``durable``: flushed to disk (``fsync``) before and
    after the rename."""
    p = Path(path)
    if p.suffix == ".csv":

        def writer(tmp: Path) -> None:
            with tmp.open("w", encoding="utf-8", newline="") as f:
                _write_csv(chunks, spec, f)
    elif p.suffix == ".json":

        def writer(tmp: Path) -> None:
            with tmp.open("wb") as f:
                _write_json(chunks, spec, f)
    elif p.suffix == ".nc":

        def writer(tmp: Path) -> None:
            write_nc(chunks, spec, tmp)
    else:
        raise InputError("--out", str(path), "a file name ending in .csv, .json or .nc")
    if p.suffix == ".csv":  # the sidecar first: a CSV never stands without it
        write_sidecar(spec, p, durable=durable)
    atomic_write(p, writer, durable=durable)


def write_sweep(rows: list[dict[str, Any]], spec: SweepSpec, path: str | Path) -> None:
    """Write in-memory results (:func:`run_sweep`) atomically (.csv, .json or .nc)."""
    check_output(path)
    write_sweep_chunks(iter([(0, rows)]), spec, path)


__all__ = [
    "FORMATS",
    "check_output",
    "holds_sweep",
    "provenance",
    "sidecar_path",
    "status_of",
    "write_sidecar",
    "write_sweep",
    "write_sweep_chunks",
]
