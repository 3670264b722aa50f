"""The NetCDF / xarray form of a sweep: ONE layout (:func:`nc_layout`: dimensions,
coordinates, data variables, attributes, following the CF conventions 1.8) from which both
the streamed ``.nc`` writer (:func:`write_nc`, h5netcdf, bounded memory) and the in-memory
``xarray.Dataset`` (:func:`to_xarray`) are built, so the two cannot drift apart.

The layout (version :data:`NETCDF_SCHEMA_VERSION`, the ``schema_version`` attribute):

* one dimension per grid axis, named after its dotted parameter key with the dots made
  underscores (``trap.temperature_k`` → ``trap_temperature_k``), the dotted key kept in the
  coordinate's ``parameter_key`` attribute; then ``tau_s`` or ``area`` (raman) or
  ``state`` and ``time_s`` (dynamics);
* a coordinate variable (same name as its dimension) where the values are numbers in
  strictly monotonic order, as CF requires; otherwise an auxiliary coordinate named in
  the data variables' ``coordinates`` attribute: ``NAME_label`` for text (the collision
  model; the pair spin states ``state_label``), written as a UTF-8 char array, and
  ``NAME_value`` for numbers out of order or repeated. Select by label after
  ``ds.set_xindex("state_label")``;
* data variables ``P0``, ``P1``, ``P2`` (raman) or ``population`` (dynamics), NaN where not
  (yet) written;
* ``units`` and ``long_name`` on every coordinate and data variable, the units of a
  parameter axis taken from the parameter docs (:func:`parameter_units`);
* global attributes: ``Conventions = "CF-1.8"``, ``title``, ``source``, the sweep's
  provenance (:func:`~spinpair.sweep.spec.provenance`) with ``base_params_json`` holding
  every base parameter (defaults filled in), and ``schema_version``.

xarray, h5netcdf and h5py are an optional extra: ``pip install 'spinpair[netcdf]'``.

Examples
--------
>>> netcdf_name("trap.temperature_k"), parameter_units("trap.temperature_k")
('trap_temperature_k', 'K')
>>> parameter_long_name("trap.temperature_k")
'temperature of the relative motion'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..validation import instance, mapping
from .spec import SweepSpec, setting_axis

#: Version of the ``.nc`` layout (its ``schema_version`` attribute). 3: plain dimension
#: names with ``parameter_key``, CF ``units``/``long_name`` everywhere, full
#: ``base_params_json``, ``area`` in ``radian``. (2: dotted dimension names.)
NETCDF_SCHEMA_VERSION = 3
#: The pip command that installs what ``.nc`` output and :func:`to_xarray` need.
NETCDF_EXTRA = "pip install 'spinpair[netcdf]'"
#: A NetCDF/CF name: a letter, then letters, digits and underscores.
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")

#: Units as the parameter docs write them → CF (UDUNITS) units.
_CF_UNITS = {
    "Hz": "Hz",
    "m": "m",
    "K": "K",
    "s": "s",
    "G": "gauss",
    "1": "1",
}
_BRACKET = re.compile(r"\[([^\]]*)\]")
_LONG_NAME_END = re.compile(r"\s+in\s+\[|\s*\[|:|;")
_SETTINGS = {
    "tau_s": ("s", "Raman pulse duration"),
    "area": ("radian", "Raman pulse area"),
    "time_s": ("s", "hold time with collisions"),
}


def _param_doc(key: str) -> tuple[str, bool]:
    """The documentation line of a parameter key, or of its table for keys inside a table
    such as ``collisions.populations.chi1`` (then False: not the key's own); empty if none.
    The one place that reads the parameter docs: point it at the parameter schema."""
    from ..params import PARAM_DOCS

    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        doc = PARAM_DOCS.get(".".join(parts[:n]))
        if doc is not None:
            return doc, n == len(parts)
    return "", False


def parameter_units(key: str) -> str:
    """CF units of a parameter (dotted key), from its docs; ``"1"`` when it has none
    (dimensionless, or not a number).

    >>> parameter_units("collisions.field_gauss"), parameter_units("imperfections.p_loss")
    ('gauss', '1')
    >>> parameter_units("scattering_lengths_bohr.a0")
    '5.29177210544e-11 m'
    """
    if key == "scattering_lengths_bohr" or key.startswith("scattering_lengths_bohr."):
        from scipy.constants import physical_constants

        return f"{physical_constants['Bohr radius'][0]!r} m"
    for inside in _BRACKET.findall(_param_doc(key)[0]):
        unit = inside.split(",")[0].strip()
        if unit in _CF_UNITS:
            return _CF_UNITS[unit]
    return "1"


def parameter_long_name(key: str) -> str:
    """A short description of a parameter (dotted key), from its docs; ``parameter KEY``
    when it has none."""
    doc, own = _param_doc(key)
    text = _LONG_NAME_END.split(doc, maxsplit=1)[0].strip()
    if not text:
        return f"parameter {key}"
    return text if own else f"{text}: {key.rsplit('.', 1)[-1]}"


def netcdf_name(key: str) -> str:
    """The NetCDF dimension and coordinate name of a grid axis: the dotted key with every
    character outside ``[A-Za-z0-9_]`` made ``_`` (a leading digit gets ``p_``)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", key)
    return name if NAME.match(name) else f"p_{name}"


@dataclass(frozen=True)
class NcVariable:
    """One variable of the layout: name, dimensions, attributes; a coordinate also has
    its ``values`` (``text``: strings), a data variable its HDF5 ``chunks``."""

    name: str
    dims: tuple[str, ...]
    attrs: dict[str, Any]
    values: Any = None
    text: bool = False
    chunks: tuple[int, ...] | None = None


#: Suffixes of the auxiliary coordinate that holds the values of a dimension whose values
#: cannot make a CF coordinate variable (numeric and strictly monotonic): text values
#: (labels, CF 1.8 section 6.1) and numbers out of order or repeated.
LABEL, VALUE = "_label", "_value"


@dataclass(frozen=True)
class NcLayout:
    """Dimensions (name → size), coordinates, data variables and global attributes of a
    sweep's NetCDF file and Dataset."""

    dims: dict[str, int]
    coords: list[NcVariable]
    data_vars: list[NcVariable]
    attrs: dict[str, Any] = field(default_factory=dict)


def _coord_values(values: Sequence[Any]) -> tuple[Any, bool]:
    """Axis values as an array for a coordinate, and whether they are text."""
    import numpy as np

    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        if all(isinstance(v, int) for v in values):
            return np.asarray(values, dtype=np.int64), False
        return np.asarray(values, dtype=np.float64), False
    return np.asarray([str(v) for v in values], dtype=object), True


def _coordinate(dim: str, values: Sequence[Any], attrs: dict[str, Any]) -> NcVariable:
    """The coordinate of dimension ``dim``: a coordinate variable named ``dim`` if its
    values are numbers in strictly monotonic order, else an auxiliary coordinate
    ``dim_label`` (text) or ``dim_value`` (numbers), the dimension keeping no index."""
    import numpy as np

    array, text = _coord_values(values)
    if text:
        return NcVariable(dim + LABEL, (dim,), attrs, array, True)
    step = np.diff(array)
    monotonic = bool(np.all(step > 0) or np.all(step < 0))
    return NcVariable(dim if monotonic else dim + VALUE, (dim,), attrs, array)


def nc_layout(spec: SweepSpec, states: Sequence[str] | None = None) -> NcLayout:
    """The one NetCDF/xarray layout of ``spec`` (``states``: the named pair spin states of a
    dynamics sweep, from its first row)."""
    import numpy as np

    from .spec import provenance

    names = [netcdf_name(k) for k in spec.axes]
    if len(set(names)) < len(names):
        raise InputError(
            "axes",
            list(spec.axes),
            "axes whose keys stay distinct with dots made underscores, for .nc output",
            "use .csv or .json",
        )
    setting, svals = setting_axis(spec)
    shape = spec.shape
    coords = []
    for key, name in zip(spec.axes, names, strict=True):
        attrs = {
            "long_name": parameter_long_name(key),
            "units": parameter_units(key),
            "parameter_key": key,
        }
        coords.append(_coordinate(name, spec.axes[key], attrs))
    units, long_name = _SETTINGS[setting]
    values = [float(x) for x in svals]
    coords.append(_coordinate(setting, values, {"long_name": long_name, "units": units}))
    dims = {**dict(zip(names, shape, strict=True)), setting: len(svals)}
    lead = (*([1] * len(names[:-1])), *([min(shape[-1], 256)] if names else []))
    if spec.compute == "raman":
        data_vars = [
            NcVariable(
                n,
                (*names, setting),
                {
                    "long_name": f"probability to count {i} atom{'s' if i != 1 else ''}",
                    "units": "1",
                },
                chunks=(*lead, len(svals)),
            )
            for i, n in enumerate(("P0", "P1", "P2"))
        ]
    else:
        if states is None:
            raise ValueError("a dynamics layout needs the names of its states")
        coords.insert(
            len(names),
            NcVariable(
                "state" + LABEL,
                ("state",),
                {"long_name": "named pair spin state", "units": "1"},
                np.asarray(list(states), dtype=object),
                True,
            ),
        )
        dims = {**dict(zip(names, shape, strict=True)), "state": len(states), setting: len(svals)}
        data_vars = [
            NcVariable(
                "population",
                (*names, "state", setting),
                {"long_name": "population of each named pair spin state", "units": "1"},
                chunks=(*lead, len(states), len(svals)),
            )
        ]
    from .. import __version__

    global_attrs: dict[str, Any] = {
        "Conventions": "CF-1.8",
        "title": f"spinpair sweep ({spec.compute})",
        "source": f"spinpair {__version__}",
        **provenance(spec),
        "schema_version": NETCDF_SCHEMA_VERSION,
        "base_params_json": json.dumps(spec.base_params.to_dict(), sort_keys=True),
    }
    return NcLayout(dims, coords, data_vars, global_attrs)


def _states(spec: SweepSpec, rows: Sequence[Mapping[str, Any]]) -> list[str] | None:
    return list(rows[0]["populations"]) if spec.compute == "dynamics" and rows else None


def _block(
    spec: SweepSpec, rows: Sequence[Mapping[str, Any]], states: Sequence[str] | None
) -> dict[str, Any]:
    """The data variables' values of consecutive ``rows`` (first axis: the rows)."""
    import numpy as np

    if spec.compute == "raman":
        return {n: np.array([r[n] for r in rows], dtype=float) for n in ("P0", "P1", "P2")}
    assert states is not None
    if any(list(r["populations"]) != list(states) for r in rows):
        raise InputError(
            "axes",
            list(spec.axes),
            "axes that keep the named states (species, f) for .nc output",
            "use .csv or .json",
        )
    pops = [[r["populations"][n] for n in states] for r in rows]
    return {"population": np.array(pops, dtype=float)}


def require_netcdf(field: str = "--out", value: Any = ".nc") -> None:
    """Raise :class:`~spinpair.errors.InputError` naming ``field`` and
    :data:`NETCDF_EXTRA` unless xarray, h5netcdf and h5py import."""
    try:
        import h5netcdf  # noqa: F401
        import h5py  # noqa: F401
        import xarray  # noqa: F401
    except ImportError as e:
        raise InputError(
            field, str(value), f".csv or .json, or .nc with {NETCDF_EXTRA}", str(e)
        ) from None


def to_xarray(rows: Sequence[Mapping[str, Any]], spec: SweepSpec) -> Any:
    """In-memory results (rows in grid order) as an ``xarray.Dataset`` with the layout of
    :func:`nc_layout`: equal to the ``.nc`` file of the same sweep read back with
    ``xarray.open_dataset``."""
    instance("spec", spec, SweepSpec, "a SweepSpec (SweepSpec.from_toml)")
    rows = instance("rows", rows, (list, tuple), "a list of result rows (run_sweep)")
    for row in rows:
        mapping("rows[i]", row)
    if len(rows) != spec.n_points:
        raise InputError("rows", len(rows), f"{spec.n_points} rows (one per grid point)")
    try:
        import numpy as np
        import xarray as xr
    except ImportError as e:
        raise InputError("xarray", "not installed", NETCDF_EXTRA, str(e)) from None

    states = _states(spec, rows)
    layout = nc_layout(spec, states)
    coords = {c.name: xr.Variable(c.dims, c.values, attrs=dict(c.attrs)) for c in layout.coords}
    block = _block(spec, rows, states)
    data = {}
    for v in layout.data_vars:
        sizes = tuple(layout.dims[d] for d in v.dims)
        values = np.asarray(block[v.name]).reshape(sizes)
        data[v.name] = xr.Variable(v.dims, values, attrs=dict(v.attrs))
    return xr.Dataset(data, coords=coords, attrs=dict(layout.attrs))


def _aligned(
    chunks: Iterator[tuple[int, list[dict[str, Any]]]], shape: tuple[int, ...], width: int
) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """Regroup (start, rows) chunks into blocks that each fill one HDF5 chunk of a NetCDF
    variable (``width`` points along the last axis, within one row of it), so that every
    HDF5 chunk is written once, in order: the file's bytes then do not depend on how the
    sweep cut its rows into chunks. At most ``width`` rows are held."""
    if not shape:
        yield from chunks
        return
    last = shape[-1]
    block: list[dict[str, Any]] = []
    first = 0
    key: tuple[int, int] | None = None
    for start, rows in chunks:
        for i, row in enumerate(rows):
            index = start + i
            k = (index // last, (index % last) // width)
            if block and k != key:
                yield first, block
                block = []
            if not block:
                first = index
            key = k
            block.append(row)
    if block:
        yield first, block


def _write_block(var: Any, data: Any, start: int, shape: tuple[int, ...]) -> None:
    """Write rows ``start`` … of the flattened grid into ``var`` (dims: axes…, rest…), in
    runs along the last axis."""
    import numpy as np

    if not shape:
        var[...] = data[0]
        return
    n = len(data)
    i = 0
    while i < n:
        idx = np.unravel_index(start + i, shape)
        run = min(n - i, shape[-1] - int(idx[-1]))
        lead = tuple(int(x) for x in idx[:-1])
        var[(*lead, slice(int(idx[-1]), int(idx[-1]) + run))] = data[i : i + run]
        i += run


def write_nc(
    chunks: Iterator[tuple[int, list[dict[str, Any]]]], spec: SweepSpec, path: str | Path
) -> None:
    """Write (first index, rows) chunks in grid order to ``path`` as NetCDF-4 (HDF5)
    through h5netcdf with the layout of :func:`nc_layout`, filled one HDF5 chunk at a time
    (bounded memory); read it with ``xarray.open_dataset(path)``."""
    import h5netcdf
    import numpy as np

    shape = spec.shape
    chunks = iter(chunks)
    first = next(chunks, None)
    if first is None:
        raise ValueError("no rows to write")
    states = _states(spec, first[1])
    layout = nc_layout(spec, states)
    width = layout.data_vars[0].chunks[len(shape) - 1] if shape else 1  # type: ignore[index]

    def all_chunks() -> Iterator[tuple[int, list[dict[str, Any]]]]:
        yield first
        yield from chunks

    with h5netcdf.File(path, "w") as f:
        f.dimensions = dict(layout.dims)
        for c in layout.coords:
            if c.text:  # labels as char arrays (CF 1.8 section 2.2), decoded by xarray
                chars = _char_array(c.values)
                f.dimensions[c.name + "_strlen"] = chars.shape[-1]
                var = f.create_variable(c.name, (*c.dims, c.name + "_strlen"), "S1", data=chars)
                var.attrs["_Encoding"] = "utf-8"
            else:
                var = f.create_variable(c.name, c.dims, c.values.dtype, data=c.values)
            var.attrs.update(c.attrs)
        auxiliary = " ".join(c.name for c in layout.coords if c.name != c.dims[0])
        variables = {}
        for v in layout.data_vars:
            var = f.create_variable(
                v.name, v.dims, np.float64, fillvalue=np.nan, chunks=v.chunks, compression="gzip"
            )
            var.attrs.update(v.attrs)
            if auxiliary:
                var.attrs["coordinates"] = auxiliary
            variables[v.name] = var
        for start, rows in _aligned(all_chunks(), shape, width):
            for name, data in _block(spec, rows, states).items():
                _write_block(variables[name], data, start, shape)
        for k, value in layout.attrs.items():
            f.attrs[k] = value


def _char_array(values: Sequence[str]) -> Any:
    """Strings as a NetCDF char array (one more dimension: UTF-8 bytes, NUL padded)."""
    import numpy as np

    data = [str(v).encode("utf-8") for v in values]
    width = max(1, *(len(b) for b in data))
    return np.array(data, dtype=f"S{width}").reshape(-1, 1).view("S1")


def nc_complete(p: Path, spec: SweepSpec) -> bool:
    """Whether the ``.nc`` file ``p`` is a complete output of ``spec`` in this layout: it
    opens, carries the sweep's fingerprint, spinpair version and
    :data:`NETCDF_SCHEMA_VERSION`, and holds no unwritten (NaN) value."""
    import h5netcdf
    import numpy as np

    from .. import __version__

    with h5netcdf.File(p, "r") as f:
        want = {
            "sweep_sha256": spec.fingerprint(),
            "spinpair_version": __version__,
            "schema_version": NETCDF_SCHEMA_VERSION,
        }
        if any(f.attrs.get(k) != v for k, v in want.items()):
            return False
        names = ("population",) if spec.compute == "dynamics" else ("P0", "P1", "P2")
        for name in names:
            var = f.variables[name]
            first = var.shape[0] if var.ndim > 1 and var.shape else 1
            for i in range(first):
                block = np.asarray(var[i] if var.ndim > 1 else var[...])
                if np.isnan(block).any():
                    return False
    return True


__all__ = [
    "NETCDF_EXTRA",
    "NETCDF_SCHEMA_VERSION",
    "NcLayout",
    "NcVariable",
    "nc_complete",
    "nc_layout",
    "netcdf_name",
    "parameter_long_name",
    "parameter_units",
    "require_netcdf",
    "to_xarray",
    "write_nc",
]
