"""JSON Schemas (draft 2020-12) of the files and ``--json`` outputs scripts build on.

One schema per output: ``results.json`` of ``spinpair reproduce`` (name ``results``),
the ``--json`` object of every subcommand (name = the subcommand: ``state``, ``raman``,
``fit``, ...), the manifest of a sweep's chunk store (``sweep_manifest``) and the
provenance sidecar ``OUT.provenance.json`` beside a CSV output (``provenance_sidecar``). Each file
is ``<name>.schema.json`` in this package, with ``$id``
``https://spinpair.invalid/schemas/<name>/<version>.json``; every ``--json`` output and
``results.json`` carry their ``schema_version`` (an integer). The version goes up only
when a key is renamed or removed or its meaning or unit changes; added keys keep it
(docs/cli.md, "Deprecation policy"). The package validates nothing at run time
(``jsonschema`` is a test dependency); the schemas are for the scripts that read the
outputs.

Examples
--------
>>> from spinpair.schemas import load_schema, schema_version
>>> schema_version("raman")
1
>>> load_schema("raman")["$id"]
'https://spinpair.invalid/schemas/raman/1.json'
>>> sorted(load_schema("raman")["required"])
['P0', 'P1', 'P2', 'schema_version']
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError

#: Schema name → current version; the name of a ``--json`` output is its subcommand.
SCHEMA_VERSIONS: dict[str, int] = {
    "calibrate": 1,
    "dynamics": 1,
    "fit": 1,
    "optimise": 1,
    "params": 1,
    "plan": 1,
    # OUT.provenance.json beside a CSV output (simulate, CSV sweeps): a file whose two
    # forms carry their own version keys (simulate: "schema_version"; sweep: the sweep
    # layout's), the schema's version is in its $id
    "provenance_sidecar": 1,
    "raman": 1,
    "ramsey": 1,
    "reproduce": 1,
    "results": 1,
    "scattering": 1,
    "simulate": 1,
    "state": 1,
    "sweep": 1,
    # the chunk-store manifest OUT.parts/manifest.json of a sweep (a file, not a --json
    # output: it carries its layout in "format" instead of "schema_version")
    "sweep_manifest": 1,
    "zeeman": 1,
}

#: Prefix of every schema's ``$id`` (``<prefix>/<name>/<version>.json``); the ``.invalid``
#: top-level domain never resolves: the ids name the schemas, the files are shipped here.
ID_PREFIX = "https://spinpair.invalid/schemas"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or name not in SCHEMA_VERSIONS:
        raise InputError("schema", name, f"one of {', '.join(sorted(SCHEMA_VERSIONS))}")
    return name


def schema_version(name: str) -> int:
    """The current version of schema ``name`` (the ``schema_version`` its outputs carry).

    Raises :class:`~spinpair.errors.InputError` for an unknown name.
    """
    return SCHEMA_VERSIONS[_check_name(name)]


def schema_path(name: str) -> Path:
    """Path of the shipped file ``<name>.schema.json``."""
    return Path(str(resources.files(__package__) / f"{_check_name(name)}.schema.json"))


@cache
def _load(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of output ``name`` as a dict (a fresh copy on every call)."""
    return json.loads(_load(_check_name(name)))


__all__ = ["ID_PREFIX", "SCHEMA_VERSIONS", "load_schema", "schema_path", "schema_version"]
