"""Statuses and provenance: where a number comes from, and how far to trust it.

One ordered list of statuses, strongest first (the vocabulary of docs/cli.md):

============  =====================================================================
status        meaning
============  =====================================================================
paper         quoted in the paper (Ruksasakchai et al. 2026)
measured      measured elsewhere, with the source named
computed      computed by spinpair, by a validated method, from paper, measured or
              setting values only
setting       an exact choice of the user or of the package (a model, a grid, a
              seed, a switch, a dwell the paper does not give)
calibrated    fitted by spinpair to data, with the model named
tuned         chosen to reproduce a number of the paper (agreement by construction)
illustrative  a plausible value, not from the paper or a measurement
placeholder   a stand-in without a source; results resting on it are not predictions
============  =====================================================================

A number's status is the weakest of the statuses of what it rests on, computed by
:func:`weakest`, never written by hand above it. :class:`Provenance` carries that status
with the inputs it rests on, their sources and warnings; the Python API attaches one to
its results (``result.provenance``), the command line prints it in ``--json`` and in the
header of the CSV files it writes.

Examples
--------
>>> weakest(["paper", "computed", "setting"])
'setting'
>>> from spinpair.paper import paper_like_params
>>> p = Provenance.from_params(paper_like_params(), used=("raman",))
>>> p.status, p.inputs["raman.rabi_frequency_hz"]
('tuned', 'tuned')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .status import _SHORT, STATUS_MEANING, STATUSES, WARN_AT, check_status, rank, weakest
from .validation import FrozenMap

if TYPE_CHECKING:  # pragma: no cover
    from .params import Params


@dataclass(frozen=True)
class Provenance:
    """The status of a result and what it rests on.

    Attributes
    ----------
    status : the weakest status of ``inputs`` and ``method_status``.
    inputs : dotted parameter key (or a name) → its status.
    sources : dotted key → where its value comes from.
    method : how the result was computed (model, solver).
    method_status : status of the method itself (``computed`` for a validated model;
        ``illustrative`` for a model used outside what it was validated for).
    warnings : one line per input weaker than ``setting`` that matters (tuned,
        illustrative, placeholder) and any regime warning of the model.
    """

    status: str
    inputs: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    method: str = ""
    method_status: str = "computed"
    warnings: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        inputs: Mapping[str, str],
        sources: Mapping[str, str] | None = None,
        *,
        method: str = "",
        method_status: str = "computed",
        warnings: Iterable[str] = (),
    ) -> Provenance:
        """The provenance whose status is the weakest of ``inputs`` and
        ``method_status``, with a warning per input of status tuned, illustrative or
        placeholder."""
        ins = {k: check_status(v) for k, v in inputs.items()}
        src = dict(sources or {})
        warn = list(warnings)
        for key, st in ins.items():
            if st in WARN_AT:
                warn.append(f"{key} is {st}: {_SHORT[st]}")
        status = weakest([*ins.values(), check_status(method_status)])
        # read-only: results share provenances (spinpair.dynamics caches them)
        return cls(status, FrozenMap(ins), FrozenMap(src), method, method_status, tuple(warn))

    @classmethod
    def from_params(
        cls,
        params: Params,
        *,
        used: tuple[str, ...] | None = None,
        preset: str | None = None,
        method: str = "",
        method_status: str = "computed",
        ideal: bool = False,
    ) -> Provenance:
        """Provenance of a result computed from ``params``: the statuses of the parameter
        values it uses (dotted-key prefixes ``used``; all when None), as
        :func:`spinpair.presets.parameter_rows` assigns them (a built-in preset's
        ``# [status]`` tags, the paper's values, the species data; a user's own value is a
        ``setting``)."""
        from .presets import parameter_rows

        rows = parameter_rows(params, preset, ideal=ideal, used=used)
        inputs = {r["key"]: r["status"] for r in rows if not _unused(r)}
        sources = {r["key"]: str(r["source"]) for r in rows if not _unused(r)}
        return cls.build(inputs, sources, method=method, method_status=method_status)

    def combine(self, other: Provenance, method: str | None = None) -> Provenance:
        """One provenance for a result resting on both."""
        return Provenance.build(
            {**self.inputs, **other.inputs},
            {**self.sources, **other.sources},
            method=method if method is not None else self.method,
            method_status=weakest([self.method_status, other.method_status]),
            warnings=dict.fromkeys(
                [
                    *(w for w in self.warnings if not _is_input_warning(w, self.inputs)),
                    *(w for w in other.warnings if not _is_input_warning(w, other.inputs)),
                ]
            ),
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``status``, ``method``, ``method_status``, ``inputs`` (key →
        status), ``sources`` and ``warnings``."""
        return {
            "status": self.status,
            "method": self.method,
            "method_status": self.method_status,
            "inputs": dict(self.inputs),
            "sources": dict(self.sources),
            "warnings": list(self.warnings),
        }

    def header_lines(self) -> list[str]:
        """Comment lines for a CSV file (``# provenance: ...``), without the ``#``."""
        lines = [f"provenance status: {self.status}"]
        if self.method:
            lines.append(f"method: {self.method} ({self.method_status})")
        weak = {k: v for k, v in self.inputs.items() if v in WARN_AT}
        if weak:
            lines.append(
                "inputs weaker than setting: "
                + ", ".join(f"{k} [{v}]" for k, v in sorted(weak.items()))
            )
        lines.extend(f"warning: {w}" for w in self.warnings if not _is_input_warning(w, weak))
        return lines


#: Parameter keys that choose a method rather than give a value: named in
#: ``Provenance.method``, not counted among the inputs.
METHOD_KEYS = frozenset({"collisions.model", "collisions.rates", "imperfections.pair_loss"})


def _unused(row: Mapping[str, Any]) -> bool:
    return row["key"] in METHOD_KEYS or str(row.get("source", "")).startswith(
        ("not used", "unused")
    )


def _is_input_warning(w: str, inputs: Mapping[str, str]) -> bool:
    return any(w.startswith(f"{k} is ") for k in inputs)


__all__ = [
    "STATUSES",
    "STATUS_MEANING",
    "WARN_AT",
    "Provenance",
    "check_status",
    "rank",
    "weakest",
]
