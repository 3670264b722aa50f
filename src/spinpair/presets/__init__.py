"""The built-in parameter presets (``presets/*.toml``) and the status of every parameter
value: what the paper quotes, what a preset's ``# [status]`` comments say, and the rows
that a figure or a result's provenance lists.

This is where a value's status is decided (:func:`parameter_rows`);
:class:`spinpair.provenance.Provenance` and the report read it from here. It stands below
the physics (it imports only the parameters and the status vocabulary), so that anything
can ask for the status of its inputs without importing the paper's figures
(:mod:`spinpair.paper` re-exports these names).

Examples
--------
>>> p = paper_like_params()
>>> p.collisions.model, preset_status("paper-like")["raman.rabi_frequency_hz"]
('given', 'tuned')
>>> rows = {r["key"]: r for r in parameter_rows(p, "paper-like")}
>>> rows["collisions.populations.chi1"]["status"]
'paper'
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import InputError
from ..params import SCHEMA, Params
from ..status import STATUS_MEANING as STATUS_MEANING
from ..status import weakest


def paper_params() -> Params:
    """The paper's conditions (all defaults of :class:`~spinpair.params.Params`)."""
    return Params()


def preset_path(name: str) -> Path:
    """Path of a built-in parameter file: ``paper-predicted`` (relaxation dynamics with
    coupled-channel S-matrix rates: nothing fitted), ``paper-like`` (given populations) or
    ``paper-calibrated`` (ergodic + relaxation dynamics calibrated to the paper, zero-range
    rates; superseded by paper-predicted)."""
    p = files("spinpair") / "presets" / f"{name}.toml"
    if not p.is_file():
        raise InputError("preset", name, "paper-predicted, paper-like or paper-calibrated")
    return Path(str(p))


@functools.cache
def _preset(name: str) -> Params:
    """A built-in preset, read once per process (package data; Params is immutable)."""
    return Params.from_toml(preset_path(name))


#: The two readings of the paper's "about 0.37" for chi1. ``prepared`` (the default, the
#: presets' reading): the chi1 fraction among pairs prepared in |0,0⟩, so overall
#: 0.93² × 0.37 = 0.32 of all pairs are in chi1; ``overall``: 0.37 of all pairs, so the
#: fraction among prepared pairs is 0.37 / 0.93² = 0.43. The paper's sentence ("the lower
#: probability (about 0.37) with which the entangled state is prepared compared to the
#: initial state for the unentangled pair") allows both.
CHI1_READINGS: tuple[str, ...] = ("prepared", "overall")


def chi1_population(reading: str = "prepared", prep_efficiency: float = 0.93) -> float:
    """The ``collisions.populations.chi1`` that gives the paper's 0.37 under ``reading``
    (:data:`CHI1_READINGS`), with the per-atom preparation efficiency ``prep_efficiency``
    (a pair is in |0,0⟩ with probability ``prep_efficiency``²).

    >>> chi1_population("prepared"), round(chi1_population("overall"), 4)
    (0.37, 0.4278)
    """
    if reading not in CHI1_READINGS:
        raise InputError("chi1_reading", reading, f"one of {list(CHI1_READINGS)}")
    return 0.37 if reading == "prepared" else 0.37 / prep_efficiency**2


def paper_like_params(chi1_reading: str = "prepared") -> Params:
    """The paper's conditions with illustrative imperfections (``presets/paper-like.toml``):
    ``given`` populations with chi1 = 0.37 and imperfection values that are *not* in the paper
    but make curves resembling Fig. 2b. See the comments in the file.

    ``chi1_reading`` (:data:`CHI1_READINGS`): ``overall`` sets chi1 so that 0.37 of *all*
    pairs are in chi1 (0.4278 among the prepared ones) and scales 00 and chi2 down in
    proportion; ``prepared`` (default) is the preset as written.

    >>> p = paper_like_params("overall")
    >>> round(p.collisions.populations["chi1"] * p.imperfections.prep_efficiency**2, 4)
    0.37
    """
    p = _preset("paper-like")
    if chi1_reading == "prepared":
        return p
    chi1 = chi1_population(chi1_reading, p.imperfections.prep_efficiency)
    pops = dict(p.collisions.populations)
    rest = {k: v for k, v in pops.items() if k != "chi1"}
    scale = (1.0 - chi1) / sum(rest.values())
    new = {**{k: v * scale for k, v in rest.items()}, "chi1": chi1}
    return p.replace({"collisions.populations": new})


#: The paper's collision products after 100 ms at 0.5 G (chi1 quoted; the split of the
#: rest between 00 and chi2 is this package's illustrative choice).
PAPER_POPULATIONS = {"00": 0.40, "chi1": 0.37, "chi2": 0.23}
#: Status of each entry of :data:`PAPER_POPULATIONS`.
PAPER_POPULATIONS_STATUS = {"00": "illustrative", "chi1": "paper", "chi2": "illustrative"}


def paper_predicted_params() -> Params:
    """The paper's experiment with the collision step predicted from first principles
    (``presets/paper-predicted.toml``: relaxation model, coupled-channel S-matrix rates,
    computed a_F, rate_scale 1; nothing fitted)."""
    return _preset("paper-predicted")


# ---------------------------------------------------------------------------------------
# Parameter provenance: which value came from where (shown next to every figure)
# ---------------------------------------------------------------------------------------


def _paper_values() -> dict[str, object]:
    out = {k: v.default for k, v in SCHEMA.items() if v.status == "paper"}
    out["collisions.populations.chi1"] = 0.37  # the paper's P(chi1); 00 and chi2 illustrative
    return out


#: Values the paper quotes (spec §7), by dotted parameter key: the defaults the schema
#: marks ``paper`` (:data:`spinpair.params.SCHEMA`), and the given-mode P(chi1).
PAPER_VALUES: dict[str, object] = _paper_values()

#: Where in the paper a value that is not quoted as a number comes from.
PAPER_SOURCES: dict[str, str] = {
    "imperfections.destroy_coherence": "Ruksasakchai et al. 2026, Fig. 3 text: the destroyed "
    "state is 'an equal mixture of chi_minus and chi1' (coherence 0), and the data agree "
    "with the unentangled model",
}

_TAG = re.compile(
    r"^\s*([A-Za-z0-9_\"]+)\s*=.*#\s*\[(paper|illustrative|calibrated|placeholder|measured"
    r"|computed|setting|tuned)\]"
)
_TABLE = re.compile(r"^\s*\[([A-Za-z0-9_.]+)\]\s*$")


def preset_status(name: str) -> dict[str, str]:
    """Status tags of a built-in preset, read from its ``# [status]`` comments (the preset
    files are the one place where each value's provenance is written down)."""
    return dict(_preset_tags(name))


@functools.cache
def _preset_tags(name: str) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    table = ""
    for line in preset_path(name).read_text(encoding="utf-8").splitlines():
        if m := _TABLE.match(line):
            table = m.group(1) + "."
            continue
        if m := _TAG.match(line):
            out[table + m.group(1).strip('"')] = m.group(2)
    return tuple(out.items())


@functools.cache
def _paper_like_tags() -> MappingProxyType[str, tuple[Any, str]]:
    """The paper-like preset's tagged values: dotted key → (value, status)."""
    like = _flatten(paper_like_params().to_dict())
    return MappingProxyType(
        {k: (like[k], v) for k, v in preset_status("paper-like").items() if k in like}
    )


def _flatten(d: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


def _unit(key: str) -> str:
    """The unit of a dotted parameter key, from the schema (``1``: a plain number)."""
    if key.startswith("scattering_lengths_bohr."):
        return "a_B"
    if key.startswith("collisions.populations."):
        key = "collisions.populations"
    spec = SCHEMA.get(key)
    if spec is None or spec.range is None:
        return ""
    return spec.unit or "1"


def parameter_rows(
    params: Params,
    preset: str | None = None,
    *,
    ideal: bool = False,
    used: tuple[str, ...] | None = None,
    extra: Mapping[str, tuple[object, str, str]] | None = None,
) -> list[dict[str, Any]]:
    """The exact parameters behind a figure, one row per dotted key with ``value``,
    ``unit``, ``status`` (see :data:`STATUS_MEANING`) and ``source``.

    ``preset`` names the built-in preset ``params`` came from (its ``# [status]`` tags take
    precedence); otherwise a value equal to the paper's is ``paper``, the scattering
    lengths carry their species status (``computed``, ``measured``; a user's value is a
    ``setting``), and the rest are defaults
    (``setting`` for switches, ``illustrative`` for numbers). ``ideal`` marks every
    imperfection as switched off; ``used`` keeps only keys with these prefixes;
    ``extra`` adds figure settings (key → (value, unit, status)).

    Examples
    --------
    >>> rows = {r["key"]: r for r in parameter_rows(paper_like_params(), "paper-like")}
    >>> rows["collisions.populations.chi1"]["status"], rows["collisions.populations.00"]["status"]
    ('paper', 'illustrative')
    >>> rows["scattering_lengths_bohr.a4"]["status"]
    'computed'
    """
    tags = preset_status(preset) if preset else {}
    if not preset:  # defaults equal to a tagged value of the paper-like preset share its tag
        default = _flatten(params.to_dict())
        tags = {k: st for k, (v, st) in _paper_like_tags().items() if default.get(k) == v}
    flat = _flatten({k: v for k, v in params.to_dict().items() if k != "schema_version"})
    flat = {k: v for k, v in flat.items() if not k.startswith("scattering_lengths_bohr.")}
    sp = params.species_data()
    for ch, a in sorted(sp.scattering_lengths_bohr.items()):
        flat[f"scattering_lengths_bohr.a{ch}"] = float(a)
    rows = []
    for key, value in flat.items():
        if used is not None and not any(key == u or key.startswith(u + ".") for u in used):
            continue
        source = f"preset {preset}" if preset else "spinpair default"
        leaf = key.rsplit(".", 1)[-1]
        if key.startswith("collisions.populations."):
            overall = chi1_population("overall", params.imperfections.prep_efficiency)
            status = "illustrative"
            if leaf == "chi1" and abs(float(value) - 0.37) < 1e-12:
                status = "paper"
                source = "paper's 0.37 read as the chi1 fraction among prepared pairs"
            elif leaf == "chi1" and abs(float(value) - overall) < 1e-12:
                status = "paper"
                source = "paper's 0.37 read as the overall chi1 fraction (0.37 / prep_efficiency²)"
            if params.collisions.model != "given":
                status, source = "setting", "unused: the collision model computes populations"
        elif key.startswith("scattering_lengths_bohr."):
            data = sp.scattering_length_data[int(leaf[1:])]
            if tags.get(key) in ("calibrated", "tuned", "illustrative"):
                status = weakest(
                    [str(tags[key]), data.status if data.status != "user" else "setting"]
                )
                source = data.source
            else:
                status, source = data.status, data.source
                if status == "user":
                    status = "setting"
        elif key in ("collisions.chi1_coherence", "imperfections.prep_error_weights"):
            status = "setting"
        elif key in tags:
            status = tags[key]
        elif key in PAPER_VALUES and value == PAPER_VALUES[key]:
            status = "paper"
        elif isinstance(value, (str, bool)) or value is None or key.endswith("detuning_hz"):
            status = "setting"
        else:
            status = "illustrative" if preset else "setting"
        unused_given = key == "collisions.rate_scale" or key.startswith("scattering_lengths")
        if params.collisions.model == "given" and unused_given:
            source = f"not used: collision model 'given' ({source})"
            if key == "collisions.rate_scale":
                status = "setting"
        if status == "paper" and key in PAPER_SOURCES:
            source = PAPER_SOURCES[key]
        if ideal and key.startswith("imperfections."):
            value, status, source = "off (ideal apparatus)", "setting", "ideal=True"
        if isinstance(value, (list, tuple)):
            value = json.dumps(value)
        rows.append(
            {"key": key, "value": value, "unit": _unit(key), "status": status, "source": source}
        )
    for key, (value, unit, status) in (extra or {}).items():
        rows.append(
            {"key": key, "value": value, "unit": unit, "status": status, "source": "this figure"}
        )
    return rows


def figure_params(
    params: Params,
    preset: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """What ``results.json → params`` records for one figure: the preset's name, the full
    parameter set (TOML layout) and the status rows of :func:`parameter_rows`."""
    return {
        "preset": preset or "defaults (spinpair.params.Params())",
        "values": params.to_dict(),
        "rows": parameter_rows(params, preset, **kw),
    }


__all__ = [
    "CHI1_READINGS",
    "PAPER_POPULATIONS",
    "PAPER_POPULATIONS_STATUS",
    "PAPER_SOURCES",
    "PAPER_VALUES",
    "chi1_population",
    "figure_params",
    "paper_like_params",
    "paper_params",
    "paper_predicted_params",
    "parameter_rows",
    "preset_path",
    "preset_status",
]
