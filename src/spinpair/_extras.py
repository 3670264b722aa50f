"""Optional features and the pip extra that installs each (``pyproject.toml``
``[project.optional-dependencies]``).

A feature that needs an optional package calls :func:`require` before it does any work: a
missing package is then bad input for that feature (:class:`MissingExtraError`, a
:class:`~spinpair.errors.InputError`: exit 2 on the command line) with the pip command
that fixes it, never an internal error half-way through a run.

Every module of an extra is imported, not only looked up: an installed package whose own
dependency is missing (h5netcdf without h5py) counts as missing.

Examples
--------
>>> require("qutip")            # installed here (the test extra has it)
>>> try:
...     require("no-such-feature")
... except KeyError as e:
...     print(e.args[0][:30])
unknown optional feature 'no-s
"""

from __future__ import annotations

import importlib

from .errors import InputError

#: Optional feature → (extra name in pyproject.toml, modules it needs, what it is for).
EXTRAS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "netcdf": ("netcdf", ("xarray", "h5netcdf", "h5py"), "NetCDF (.nc) sweep output"),
    "dask": ("dask", ("dask", "distributed"), "a Dask scheduler"),
    "dask-jobqueue": ("dask", ("dask", "distributed", "dask_jobqueue"), "batch clusters"),
    "qutip": ("qutip", ("qutip",), "QuTiP interoperability"),
    "pandas": ("pandas", ("pandas",), "fit results as pandas DataFrames"),
}


class MissingExtraError(InputError):
    """An optional feature was asked for without its extra installed.

    ``feature``: the key of :data:`EXTRAS`; ``module``: the module that failed to import;
    ``extra``: the pip extra; ``command``: the pip command that installs it.
    """

    def __init__(self, feature: str, module: str, field: str | None = None) -> None:
        extra, _, purpose = EXTRAS[feature]
        self.feature, self.module, self.extra = feature, module, extra
        self.command = f"pip install 'spinpair[{extra}]'"
        super().__init__(
            field or feature,
            f"{purpose} without the Python package {module}",
            f"the optional extra '{extra}' installed: {self.command}",
        )


def missing(feature: str) -> str | None:
    """The first module of ``feature`` that cannot be imported, or None if all can."""
    if feature not in EXTRAS:
        raise KeyError(f"unknown optional feature {feature!r}: one of {sorted(EXTRAS)}")
    for module in EXTRAS[feature][1]:
        try:
            importlib.import_module(module)
        except ImportError:
            return module
    return None


def require(feature: str, field: str | None = None) -> None:
    """Raise :class:`MissingExtraError` (naming ``field``, default the feature, and the pip
    command) unless every module of ``feature`` imports."""
    module = missing(feature)
    if module is not None:
        raise MissingExtraError(feature, module, field)


def available(feature: str) -> bool:
    """Whether every module of ``feature`` imports."""
    return missing(feature) is None


__all__ = ["EXTRAS", "MissingExtraError", "available", "missing", "require"]
