"""Count data: for each setting (pulse duration ``tau_s`` in s, pulse area ``area`` in rad,
or Ramsey detuning ``detuning_hz`` in Hz), the number of runs and how many ended with 0, 1
and 2 atoms. CSV in and out, validated on load: a bad file names the 1-based data row and
the column (``row 3, column n1``); output files are written atomically.

CSV layout (header required, one setting column, any order)::

    tau_s,runs,n0,n1,n2
    0.0,200,23,55,122

Examples
--------
>>> d = CountData("tau_s", [0.0, 1.6e-6], [200, 200], [23, 30], [55, 20], [122, 150])
>>> d.fractions()[1].round(3).tolist()
[0.15, 0.1, 0.75]
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from ..fileio import atomic_write_text
from ..validation import instance

SETTING_COLUMNS = ("tau_s", "area", "detuning_hz")
COUNT_COLUMNS = ("runs", "n0", "n1", "n2")


#: Largest count accepted: every integer up to 2**53 is exact in a float64 (and in int64).
MAX_COUNT = 2**53

#: A number in a CSV cell: ASCII digits, optional sign, decimal point and exponent (and
#: nan/inf, which are then rejected as not finite). ``float()`` alone would also take
#: Arabic-Indic or full-width digits and underscores.
_CELL_NUMBER = re.compile(
    r"[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf(?:inity)?|nan)",
    re.IGNORECASE | re.ASCII,
)


def _int_column(name: str, values: ArrayLike) -> NDArray[np.int64]:
    a = np.atleast_1d(np.asarray(values, dtype=float))
    for i, v in enumerate(a):
        if not math.isfinite(v) or v < 0 or v != round(v) or v > MAX_COUNT:
            raise InputError(
                f"row {i + 1}, column {name}", float(v), f"an integer in [0, 2**53 = {MAX_COUNT}]"
            )
    return a.astype(np.int64)


@dataclass(frozen=True)
class CountData:
    """Validated count table: ``setting_name`` and arrays ``setting``, ``runs``, ``n0``,
    ``n1``, ``n2`` (one entry per setting; n0 + n1 + n2 = runs > 0).

    The data of a Raman or Ramsey scan: for each setting, how many runs ended with 0, 1
    and 2 atoms counted. Read it from a CSV file with :func:`read_csv` (or from text with
    :func:`parse_csv`), simulate it with :func:`~spinpair.montecarlo.simulate_counts`, or
    build it from arrays; the constructor converts and checks every column (an
    :class:`~spinpair.errors.InputError` names the 1-based row and the column). Frozen.

    Attributes
    ----------
    setting_name : str
        The setting column: ``tau_s`` (pulse duration), ``area`` (pulse area Ωτ) or
        ``detuning_hz`` (Ramsey detuning δ/2π).
    setting : numpy.ndarray
        The settings (rows,), finite: durations [s] (≥ 0), areas [rad] or detunings [Hz].
    runs : numpy.ndarray
        Number of runs at each setting (rows,), integers > 0 [1].
    n0 : numpy.ndarray
        Runs that ended with 0 atoms (rows,), integers ≥ 0 [1].
    n1 : numpy.ndarray
        Runs that ended with 1 atom (rows,), integers ≥ 0 [1].
    n2 : numpy.ndarray
        Runs that ended with 2 atoms (rows,), integers ≥ 0 [1]; n0 + n1 + n2 = runs.

    Examples
    --------
    >>> d = CountData("area", [0.0, 1.5708], [100, 100], [10, 12], [20, 60], [70, 28])
    >>> len(d), d.setting_name, d.runs.tolist()
    (2, 'area', [100, 100])
    >>> d.fractions()[1].tolist()
    [0.12, 0.6, 0.28]
    >>> print(d.to_csv(), end="")
    area,runs,n0,n1,n2
    0.0,100,10,20,70
    1.5708,100,12,60,28
    """

    setting_name: str
    setting: NDArray[np.float64]
    runs: NDArray[np.int64]
    n0: NDArray[np.int64]
    n1: NDArray[np.int64]
    n2: NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.setting_name not in SETTING_COLUMNS:
            raise InputError("setting", self.setting_name, f"one of {list(SETTING_COLUMNS)}")
        x = np.atleast_1d(np.asarray(self.setting, dtype=float))
        if x.ndim != 1 or x.size == 0:
            raise InputError("data", x.size, "at least one row")
        for i, v in enumerate(x):
            if not math.isfinite(v):
                raise InputError(f"row {i + 1}, column {self.setting_name}", v, "a finite number")
        if self.setting_name == "tau_s" and np.any(x < 0):
            i = int(np.argmax(x < 0))
            raise InputError(f"row {i + 1}, column tau_s", float(x[i]), ">= 0 (seconds)")
        cols = {c: _int_column(c, getattr(self, c)) for c in COUNT_COLUMNS}
        for c, a in cols.items():
            if a.shape != x.shape:
                raise InputError(f"column {c}", a.size, f"{x.size} entries, one per row")
        if np.any(cols["runs"] == 0):
            i = int(np.argmax(cols["runs"] == 0))
            raise InputError(f"row {i + 1}, column runs", 0, "a positive integer")
        total = cols["n0"] + cols["n1"] + cols["n2"]
        if np.any(total != cols["runs"]):
            i = int(np.argmax(total != cols["runs"]))
            raise InputError(
                f"row {i + 1}, column runs",
                int(cols["runs"][i]),
                f"n0 + n1 + n2 = {int(total[i])}",
            )
        object.__setattr__(self, "setting", x)
        for c, a in cols.items():
            object.__setattr__(self, c, a)

    def __len__(self) -> int:
        """Number of settings (rows)."""
        return int(self.setting.size)

    @property
    def counts(self) -> NDArray[np.int64]:
        """(rows, 3) array of n0, n1, n2."""
        return np.stack([self.n0, self.n1, self.n2], axis=1)

    def fractions(self) -> NDArray[np.float64]:
        """(rows, 3) observed fractions of 0, 1, 2 atoms."""
        return self.counts / self.runs[:, None]

    def to_csv(self) -> str:
        """The CSV text (header, then one line per setting; full float precision)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([self.setting_name, *COUNT_COLUMNS])
        for i in range(self.setting.size):
            w.writerow(
                [repr(float(self.setting[i])), *(int(getattr(self, c)[i]) for c in COUNT_COLUMNS)]
            )
        return buf.getvalue()


@dataclass(frozen=True)
class PopulationData:
    """Counts of pair states per hold time: ``counts[name][i]`` of ``runs[i]`` runs at
    ``time_s[i]`` (s); the data of :func:`spinpair.analysis.calibrate.calibrate`.

    A measured population curve of the hold step (how many of the runs found the pair in
    ``00``, ``chi1``, … after each hold time), which ``calibrate`` fits with a dynamics
    model. The constructor converts and checks every array (an
    :class:`~spinpair.errors.InputError` names the array and the row). Frozen.

    Attributes
    ----------
    time_s : numpy.ndarray
        Hold times (nt,) [s], as the dynamics accepts them.
    runs : numpy.ndarray
        Number of runs at each time (nt,), integers > 0 [1].
    counts : Mapping[str, numpy.ndarray]
        For each named state (``00``, ``chi1`` …), the runs (nt,) that found the pair in
        it, integers ≥ 0 [1]; at each time they sum to at most ``runs``.

    Examples
    --------
    >>> d = PopulationData([0.0, 0.1], [100, 100], {"00": [100, 60], "chi1": [0, 40]})
    >>> d.time_s.tolist(), d.runs.tolist(), sorted(d.counts)
    ([0.0, 0.1], [100, 100], ['00', 'chi1'])
    >>> d.fractions()["chi1"].tolist()
    [0.0, 0.4]
    """

    time_s: NDArray[np.float64]
    runs: NDArray[np.int64]
    counts: Mapping[str, NDArray[np.int64]]

    def __post_init__(self) -> None:
        from ..dynamics.engine import check_times  # the dynamics' own time check

        t = check_times(self.time_s)
        runs = np.asarray(self.runs)
        if runs.shape != t.shape or np.any(runs <= 0) or np.any(runs != np.round(runs)):
            raise InputError("runs", runs.tolist(), "positive integers, one per time")
        counts = {}
        for k, v in self.counts.items():
            c = np.asarray(v, dtype=float)
            if c.shape != t.shape or np.any(~np.isfinite(c)) or np.any(c < 0):
                raise InputError(f"counts.{k}", c.tolist(), "non-negative integers, one per time")
            if np.any(c != np.round(c)):
                raise InputError(f"counts.{k}", c.tolist(), "integers")
            counts[k] = c.astype(np.int64)
        if not counts:
            raise InputError("counts", {}, "at least one named state")
        total = np.sum(list(counts.values()), axis=0)
        if np.any(total > runs):
            i = int(np.argmax(total > runs))
            raise InputError("counts", int(total[i]), f"at most runs = {int(runs[i])} at row {i}")
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "runs", runs.astype(np.int64))
        object.__setattr__(self, "counts", counts)

    def fractions(self) -> dict[str, NDArray[np.float64]]:
        """Measured population of each named state per time."""
        return {k: v / self.runs for k, v in self.counts.items()}


def write_csv(data: CountData, path: str | Path) -> None:
    """Write ``data`` atomically as CSV."""
    instance("data", data, CountData)
    instance("path", path, (str, os.PathLike), "a file path (str or pathlib.Path)")
    atomic_write_text(path, data.to_csv())


def numeric_columns(
    header: list[str], rows: list[list[str]], columns: tuple[str, ...]
) -> dict[str, list[float]]:
    """Finite numbers of ``columns`` from CSV data rows (1-based row numbers in errors)."""
    idx = {c: header.index(c) for c in columns}
    values: dict[str, list[float]] = {c: [] for c in idx}
    for r, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise InputError(f"row {r}", ",".join(row), f"{len(header)} comma-separated values")
        for c, j in idx.items():
            cell = row[j].strip()
            if not _CELL_NUMBER.fullmatch(cell):
                raise InputError(f"row {r}, column {c}", cell, "a number written with ASCII digits")
            v = float(cell)
            if cell.lstrip("+-").isdigit() and abs(int(cell)) > MAX_COUNT:
                # 2**53 + 1 would silently read as 2**53: refuse rather than round
                raise InputError(
                    f"row {r}, column {c}", cell, f"an integer in [0, 2**53 = {MAX_COUNT}]"
                )
            if not math.isfinite(v):
                raise InputError(f"row {r}, column {c}", cell, "a finite number")
            values[c].append(v)
    return values


def csv_rows(text: str) -> list[list[str]]:
    """The non-empty rows of CSV ``text``; a malformed file (NUL bytes, a field over the
    csv module's size limit, an unclosed quote) raises :class:`InputError`."""
    try:
        return [r for r in csv.reader(io.StringIO(text), strict=True) if any(c.strip() for c in r)]
    except csv.Error as e:
        raise InputError("data", "CSV text", "a well-formed CSV file", str(e)) from None


def parse_csv(text: str) -> CountData:
    """Parse and validate CSV text (see the module docstring)."""
    rows = csv_rows(instance("text", text, str, "the CSV text (a str)"))
    if not rows:
        raise InputError("data", "empty file", "a header and at least one row")
    _check_rows(rows)
    header = [h.strip() for h in rows[0]]
    settings = [c for c in header if c in SETTING_COLUMNS]
    if len(settings) != 1:
        raise InputError(
            "header", ",".join(header), f"exactly one setting column among {list(SETTING_COLUMNS)}"
        )
    for c in COUNT_COLUMNS:
        if c not in header:
            raise InputError("header", ",".join(header), f"a column named {c}")
    unknown = [c for c in header if c not in (*SETTING_COLUMNS, *COUNT_COLUMNS)]
    if unknown:
        raise InputError("header", unknown[0], "only setting, runs, n0, n1, n2 columns")
    if len(rows) < 2:
        raise InputError("data", "header only", "at least one data row")
    values = numeric_columns(header, rows[1:], (settings[0], *COUNT_COLUMNS))
    return CountData(
        settings[0],
        np.array(values[settings[0]]),
        *(np.array(values[c]) for c in COUNT_COLUMNS),
    )


#: The largest data file read (bytes): 64 MiB, about two million rows of counts. Read
#: with this cap, so that a device, a FIFO or a runaway file is refused at once.
MAX_DATA_BYTES = 64 << 20
#: The most data rows a count or population file may hold. The fits' memory is linear in
#: the rows (tests/analysis/test_chi2.py); 10⁶ rows fit in about a minute. Aggregate repeated
#: settings (sum their runs and counts) for larger data sets.
MAX_DATA_ROWS = 1_000_000


def _read_text(path: str | Path) -> str:
    """The UTF-8 text of a CSV file (a byte-order mark is dropped), read with the
    :data:`MAX_DATA_BYTES` cap (devices, FIFOs and folders are refused without reading);
    errors name the file."""
    from ..fileio import read_input_bytes

    data = read_input_bytes("data", path, limit=MAX_DATA_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            "data", str(path), "a UTF-8 text CSV file", f"{e.reason} at byte {e.start}"
        ) from None


def _check_rows(rows: list[list[str]]) -> None:
    if len(rows) - 1 > MAX_DATA_ROWS:
        raise InputError(
            "data",
            f"{len(rows) - 1} rows",
            f"at most {MAX_DATA_ROWS} data rows (sum the runs and counts of repeated settings)",
        )


def read_csv(path: str | Path) -> CountData:
    """Read and validate a count CSV file.

    Parameters
    ----------
    path : str or pathlib.Path
        UTF-8 CSV with a header: ``tau_s`` [s] or ``area`` [rad], then ``runs``, ``n0``,
        ``n1``, ``n2`` (integers in ASCII digits, n0 + n1 + n2 = runs > 0), as written by
        ``spinpair simulate``.

    Returns
    -------
    CountData
        The validated table.

    Raises
    ------
    spinpair.errors.InputError
        Naming the file, row and column of the first bad cell (or a missing, unreadable or
        non-UTF-8 file).

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "counts.csv")
    >>> rows = ["tau_s,runs,n0,n1,n2", "0,100,10,30,60", "8e-7,100,12,20,68"]
    >>> _ = open(path, "w").write("\\n".join(rows))
    >>> d = read_csv(path)
    >>> d.setting_name, d.runs.tolist()
    ('tau_s', [100, 100])
    """
    text = _read_text(path)
    try:
        return parse_csv(text)
    except InputError as e:
        if e.field == "data" and e.value == "CSV text":
            raise InputError("data", str(path), e.allowed, e.detail) from None
        raise


def read_population_csv(path: str | Path) -> PopulationData:
    """Population counts versus hold time for :func:`spinpair.analysis.calibrate.calibrate`:
    columns ``time_s`` [s], ``runs`` and counts of any named pair states (``00``, ``chi1``,
    ``chi2``, …). Errors name the row and column.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "pops.csv"
    >>> _ = f.write_text("time_s,runs,00,chi1\\n0.0,100,100,0\\n0.1,100,60,40\\n")
    >>> read_population_csv(f).counts["chi1"].tolist()
    [0, 40]
    """
    rows = csv_rows(_read_text(path))
    _check_rows(rows)
    if len(rows) < 2:
        raise InputError("data", str(path), "a header and at least one row")
    header = [h.strip() for h in rows[0]]
    for need in ("time_s", "runs"):
        if need not in header:
            raise InputError("header", ",".join(header), f"a column named {need}")
    states = [h for h in header if h not in ("time_s", "runs")]
    if not states:
        raise InputError("header", ",".join(header), "at least one pair-state column")
    cols = numeric_columns(header, rows[1:], tuple(header))
    return PopulationData(
        np.array(cols["time_s"]), np.array(cols["runs"]), {k: np.array(cols[k]) for k in states}
    )


__all__ = [
    "MAX_COUNT",
    "MAX_DATA_BYTES",
    "MAX_DATA_ROWS",
    "CountData",
    "PopulationData",
    "csv_rows",
    "numeric_columns",
    "parse_csv",
    "read_csv",
    "read_population_csv",
    "write_csv",
]
