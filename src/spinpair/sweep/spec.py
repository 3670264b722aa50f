"""The sweep file and its grid: :class:`SweepSpec` (base parameters, what to compute, the
axes), grid points in row-major order, the fingerprint that identifies a sweep, and how
the grid is cut into chunks.

Examples
--------
>>> spec = SweepSpec.from_toml_string('compute = "raman"\\narea = [0.0]\\n[axes]\\n'
...     '"imperfections.p_loss" = [0.0, 0.1]\\n"collisions.chi1_coherence" = [0.0, 1.0]')
>>> spec.shape, spec.point(1)
((2, 2), {'imperfections.p_loss': 0.0, 'collisions.chi1_coherence': 1.0})
>>> spec.params_at(spec.point(3)).imperfections.p_loss
0.1
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_input_bytes
from ..params import Params
from ..validation import instance
from ..validation import size as _size

#: What a sweep can compute at each grid point.
COMPUTE = ("raman", "dynamics")
#: Grids larger than this are refused outright (split the sweep into several files).
MAX_POINTS = 10**7
#: Grids up to this size have every point validated before anything runs.
FULL_VALIDATION_POINTS = 2000
#: Version of the layout of the chunk store ``OUT.parts/`` and of the ``.json`` output;
#: part of the fingerprint, so that a change of layout never resumes from chunks of the
#: old one. (The ``.nc`` layout has its own version: ``NETCDF_SCHEMA_VERSION``.)
SCHEMA_VERSION = 2
#: Keys a sweep file may hold.
SWEEP_KEYS = (
    "params",
    "compute",
    "axes",
    "tau_s",
    "area",
    "chi1_coherence",
    "times_s",
    "model",
    "outside_regime",
)
#: Keys of a sweep file that are settings of the computation (not axes, not parameters).
SETTING_KEYS = ("tau_s", "area", "chi1_coherence", "times_s", "model", "outside_regime")
#: What a sweep does at a grid point where its collision model refuses
#: (:mod:`spinpair.dynamics.regime`): ``"raise"`` (default) stops the sweep before it starts
#: where the check finds such a point (and at the point, for points the check did not
#: visit); ``"warn"`` computes it anyway, and the sweep's numbers are then labelled
#: ``illustrative``.
OUTSIDE_REGIME = ("raise", "warn")
#: Collision models whose regime is checked before a sweep runs (cheap checks: about 10 ms
#: a point); the secular model's check costs as much as the model and runs at the point.
PREFLIGHT_MODELS = ("ground-state", "ergodic", "relaxation", "ergodic+relaxation")
#: What a refusal outside the model's regime tells the user to do.
OUTSIDE_REGIME_HINT = (
    'set outside_regime = "warn" in the sweep file to compute such points anyway (their '
    "numbers are then illustrative)"
)


def grid_point_text(point: Mapping[str, Any]) -> str:
    """A grid point as the messages name it: ``key = value, …`` (``(no axes)``)."""
    return ", ".join(f"{k} = {v}" for k, v in point.items()) or "(no axes)"


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base parameter dictionary, what to compute, and the axes.

    ``base`` is the parameter file's dictionary (empty: the defaults); ``source`` is the
    sweep file's text (kept as provenance, not part of the fingerprint).
    """

    base: Mapping[str, Any]
    compute: str
    settings: Mapping[str, Any]
    axes: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    source: str = ""

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values along each axis, in axis order."""
        return tuple(len(v) for v in self.axes.values())

    @property
    def n_points(self) -> int:
        """Number of grid points (the product of the axis lengths; 1 without axes)."""
        return math.prod(self.shape)

    @functools.cached_property
    def base_params(self) -> Params:
        """The validated base parameters (all of them: defaults filled in)."""
        return Params.from_dict(self.base)

    def point(self, index: int) -> dict[str, Any]:
        """Grid point number ``index`` (row-major, last axis fastest)."""
        out: dict[str, Any] = {}
        rest = index
        keys = list(self.axes)
        for key, n in zip(reversed(keys), reversed(self.shape), strict=True):
            rest, i = divmod(rest, n)
            out[key] = self.axes[key][i]
        return {k: out[k] for k in keys}

    def iter_points(self, start: int = 0, stop: int | None = None) -> Iterator[dict[str, Any]]:
        """Grid points ``start`` to ``stop`` (exclusive), in order, without building a list."""
        stop = self.n_points if stop is None else stop
        for i in range(start, stop):
            yield self.point(i)

    def points(self) -> list[dict[str, Any]]:
        """The grid, in order: one mapping axis key → value per point."""
        return list(self.iter_points())

    def fingerprint(self) -> str:
        """SHA-256 of everything that defines the sweep's points and their order: the axes
        in their order with their values, the resolved base parameters, compute, the
        settings and :data:`SCHEMA_VERSION`. Equal fingerprints give equal results (and
        equal files); comments and layout of the sweep file do not count."""
        blob = json.dumps(
            {
                "schema": SCHEMA_VERSION,
                "base": self.base,
                "compute": self.compute,
                "settings": self.settings,
                "axes": [[k, list(v)] for k, v in self.axes.items()],  # in order
            },
            sort_keys=True,
            default=repr,
        )
        return hashlib.sha256(blob.encode()).hexdigest()

    def params_at(self, point: Mapping[str, Any]) -> Params:
        """The validated parameters of one grid point: the base parameters with the point's
        dotted keys replaced (:meth:`Params.replace <spinpair.params.Params.replace>`).

        As in a parameter file, a ``species`` without ``f`` takes that species' default
        manifold when the sweep has no parameter file (a file fixes ``f``)."""
        if "species" in point and "f" not in point and not self.base:
            default_f = Params.from_dict({"species": point["species"]}).f
            return self.base_params.replace({"f": default_f, **point})
        return self.base_params.replace(point)

    @property
    def outside_regime(self) -> str:
        """``"raise"`` or ``"warn"``: what the sweep does where its model refuses
        (:data:`OUTSIDE_REGIME`)."""
        return str(self.settings.get("outside_regime", "raise"))

    def collision_model(self, params: Params) -> str | None:
        """The dynamics model a grid point runs (None: ``given`` populations, no dynamics)."""
        model = self.settings.get("model") if self.compute == "dynamics" else None
        model = model or params.collisions.model
        return None if model == "given" else str(model)

    def hold_times_s(self, params: Params) -> list[float]:
        """The hold times (s) a grid point's dynamics run to."""
        if self.compute == "dynamics":
            return [float(t) for t in self.settings["times_s"]]
        return [params.collisions.hold_time_s]

    def _check_regime(self, params: Params, where: str) -> None:
        """Refuse, before anything runs, a point where the collision model refuses
        (cheap checks only: :data:`PREFLIGHT_MODELS`)."""
        model = self.collision_model(params)
        if self.outside_regime != "raise" or model not in PREFLIGHT_MODELS:
            return
        from ..dynamics import CollisionSetup
        from ..dynamics.regime import check_regime

        regime = check_regime(model, CollisionSetup.from_params(params), self.hold_times_s(params))
        if regime.status == "refuse":
            raise InputError(
                "collisions.model",
                model,
                f"a model whose regime holds at every grid point ({regime.message()})",
                f"at grid point {where}; {OUTSIDE_REGIME_HINT}",
            )

    def _validate(self) -> None:
        def check(point: Mapping[str, Any]) -> None:
            where = grid_point_text(point)
            try:
                params = self.params_at(point)
            except InputError as e:
                field = e.field
                if field == "key":  # Params.replace: a dotted key that leads nowhere
                    field = f"axes.{e.value}"
                raise InputError(field, e.value, e.allowed, f"at grid point {where}") from None
            self._check_regime(params, where)

        if self.n_points <= FULL_VALIDATION_POINTS:
            for point in self.iter_points():
                check(point)
            return
        first = self.point(0)
        for key, values in self.axes.items():  # every value once, the others at their first
            for v in values:
                check({**first, key: v})

    @classmethod
    def from_toml_string(cls, text: str, folder: Path | None = None) -> SweepSpec:
        """Parse and validate a sweep file's text (``folder`` resolves ``params``)."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise InputError("sweep", "TOML", "valid TOML", str(e)) from None
        for k in data:
            if k not in SWEEP_KEYS:
                raise InputError(k, data[k], f"a key among {sorted(SWEEP_KEYS)}")
        base: dict[str, Any] = {}
        if "params" in data:
            if not isinstance(data["params"], str):
                raise InputError("params", data["params"], "a parameter file name (string)")
            path = Path(data["params"])
            if folder is not None and not path.is_absolute():
                path = folder / path
            base = Params.from_toml(path).to_dict()
        compute = data.get("compute", "raman")
        if compute not in COMPUTE:
            raise InputError("compute", compute, f"one of {list(COMPUTE)}")
        settings: dict[str, Any] = {k: data[k] for k in SETTING_KEYS if k in data}
        if compute == "raman" and ("tau_s" in settings) == ("area" in settings):
            raise InputError("tau_s", None, "exactly one of tau_s or area for compute = raman")
        if compute == "dynamics" and "times_s" not in settings:
            raise InputError("times_s", None, "a list of hold times (s) for compute = dynamics")
        if settings.get("outside_regime", "raise") not in OUTSIDE_REGIME:
            raise InputError(
                "outside_regime", settings["outside_regime"], f"one of {list(OUTSIDE_REGIME)}"
            )
        for k in ("tau_s", "area", "times_s"):
            if k in settings and not _finite_list(settings[k]):
                raise InputError(k, settings[k], "a non-empty list of finite numbers")
        axes = data.get("axes", {})
        if not isinstance(axes, Mapping):
            raise InputError("axes", axes, "a table of dotted key = [values]")
        for k, v in axes.items():
            if not isinstance(v, list) or not v:
                raise InputError(f"axes.{k}", v, "a non-empty list of values")
        spec = cls(base, compute, settings, dict(axes), text)
        n = spec.n_points
        if n > MAX_POINTS:
            shape = " x ".join(str(s) for s in spec.shape)
            raise InputError(
                "axes",
                f"{n:.3g} grid points ({shape})",
                f"at most {MAX_POINTS:.0e} points",
                "split the sweep into several files",
            )
        spec._validate()  # before anything runs
        return spec

    @classmethod
    def from_toml(cls, path: str | Path) -> SweepSpec:
        """Read a sweep file."""
        p = Path(path)
        if not p.exists():
            raise InputError("sweep", str(path), "an existing TOML file")
        raw = read_input_bytes("sweep", path)  # a regular file of at most 1 MB
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError("sweep", str(path), "a UTF-8 text file", str(e)) from None
        return cls.from_toml_string(text, p.parent)


def provenance(spec: SweepSpec) -> dict[str, Any]:
    """Attributes that say where a sweep's results come from. Nothing in them depends on
    the run (no time stamp): the same sweep gives the same bytes, whatever the chunk size,
    the workers and the number of resumes. ``base_params_json`` is the sweep's base
    parameter file as given (``{}``: the defaults; the ``.nc`` layout holds every
    parameter)."""
    instance("spec", spec, SweepSpec, "a SweepSpec (SweepSpec.from_toml)")
    from .. import __version__

    return {
        "spinpair_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "sweep_sha256": spec.fingerprint(),
        "sweep_file": spec.source,
        "compute": spec.compute,
        "settings_json": json.dumps(spec.settings, sort_keys=True),
        "base_params_json": json.dumps(spec.base, sort_keys=True, default=repr),
        "axes": json.dumps(list(spec.axes)),
    }


def _finite_list(v: Any) -> bool:
    return (
        isinstance(v, list)
        and bool(v)
        and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in v
        )
    )


def setting_axis(spec: SweepSpec) -> tuple[str, list[float]]:
    """The name and values of the setting each point scans: ``tau_s`` or ``area``
    (raman), ``time_s`` (dynamics)."""
    s = spec.settings
    if spec.compute == "raman":
        name = "tau_s" if "tau_s" in s else "area"
        return name, list(s[name])
    return "time_s", list(s["times_s"])


def default_chunk_size(n_points: int, parallelism: int) -> int:
    """Points per chunk: about 8 chunks per worker (load balance), at most 256 points (a
    chunk is the unit of memory, of a task on Dask and of what a resume can skip).

    >>> default_chunk_size(10_000, 2)
    256
    """
    n_points = _size("n_points", n_points, 0, MAX_POINTS)
    parallelism = _size("parallelism", parallelism, 1, 10**6)
    return max(1, min(256, math.ceil(n_points / (8 * parallelism))))


def chunk_ranges(n: int, size: int) -> list[tuple[int, int, int]]:
    """The chunks of a grid of ``n`` points: (index, start, stop) with ``size`` points each.

    >>> chunk_ranges(5, 2)
    [(0, 0, 2), (1, 2, 4), (2, 4, 5)]
    """
    n = _size("n", n, 0, MAX_POINTS)
    step = _size("size", size, 1, MAX_POINTS)
    return [(k, a, min(a + step, n)) for k, a in enumerate(range(0, n, step))]


__all__ = [
    "COMPUTE",
    "FULL_VALIDATION_POINTS",
    "MAX_POINTS",
    "SCHEMA_VERSION",
    "SweepSpec",
    "chunk_ranges",
    "default_chunk_size",
    "provenance",
    "setting_axis",
]
