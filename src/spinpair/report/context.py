"""What a report section works with: :class:`Number` and :class:`Section` (what the page
shows), :class:`FigureJob` (a figure still to draw) and :class:`Context` (the results being
filled, the figure queue and the inputs that several sections share).

A section is a module of :mod:`spinpair.report.sections` with one function
``build(ctx: Context) -> Section``: it computes its data into ``ctx.res``, queues its
figure with ``ctx.figs.draw`` and returns the :class:`Section` that the page shows.

Examples
--------
>>> ctx = Context(points=21)
>>> ctx.half
11
>>> lookup({"a": {"b": [1.5, 2.5]}}, "a.b.1")
2.5
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .. import __version__
from ..errors import InputError
from ..validation import mapping, text


def lookup(results: Mapping[str, Any], path: str) -> Any:
    """The value of ``results`` at a dotted key path (list indices as integers), e.g.
    ``"figS4.fit.interval_68.0"``."""
    mapping("results", results)
    node: Any = results
    for part in text("path", path).split("."):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise InputError("path", path, "a key path of results", f"no {part!r} there") from None
    return node


#: What a collision-dynamics number of the report rests on (parameter prefixes): the
#: dynamics inputs and the hold time (not the readout's imperfections; the report's
#: predictions run at rate_scale 1, the identity).
DYNAMICS_RESTS_ON = (
    "species",
    "f",
    "trap",
    "collisions.field_gauss",
    "collisions.hold_time_s",
    "scattering_lengths_bohr",
)


@dataclass
class Number:
    """One number shown on the page, by its key path in ``results.json``; ``scale``
    converts the stored SI value to the shown ``unit`` (e.g. 1e6 for s → µs)."""

    label: str
    path: str
    fmt: str = ".4g"
    unit: str = ""
    method: str = ""
    #: The status of the method (and of anything the number rests on that is not a
    #: parameter of its figure); the status shown is never above it.
    status: str = "computed"
    scale: float = 1.0
    #: The figure parameters (dotted-key prefixes of its rows in ``results.json →
    #: params``) the number rests on; None: every parameter of its figure that is not an
    #: exact figure setting.
    rests_on: tuple[str, ...] | None = None

    def status_given(self, rows: Sequence[Mapping[str, Any]] = ()) -> tuple[str, list[str]]:
        """The status shown: the weakest of :attr:`status` and the statuses of the
        parameter ``rows`` it rests on (computed by :func:`spinpair.provenance.weakest`,
        never written above them), and the keys that set it."""
        from ..provenance import weakest

        used = [r for r in rows if self._uses(r)]
        status = weakest([self.status, *(str(r["status"]) for r in used)])
        weak = [str(r["key"]) for r in used if r["status"] == status and status != self.status]
        return status, weak

    def _uses(self, row: Mapping[str, Any]) -> bool:
        key = str(row["key"])
        if str(row.get("source", "")).startswith(("not used", "unused")):
            return False
        if self.rests_on is None:
            return row["status"] != "setting"
        return any(key == p or key.startswith(p + ".") for p in self.rests_on)

    def render(
        self, results: Mapping[str, Any], rows: Sequence[Mapping[str, Any]] = ()
    ) -> dict[str, Any]:
        """The number as the page and ``results.json → figures`` list it; ``rows``: the
        parameter rows of its figure (the status is computed from them)."""
        v = lookup(results, self.path)
        text = "n/a" if v is None else format(v * self.scale, self.fmt)
        status, weak = self.status_given(rows)
        return {
            "label": self.label,
            "path": self.path,
            "value": v,
            "text": text,
            "unit": self.unit,
            "method": self.method,
            "status": status,
            "status_set_by": weak,
        }


@dataclass
class Section:
    """One figure or table of the report."""

    id: str
    title: str
    caption: str
    image: str | None = None
    numbers: list[Number] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    params: list[str] = field(default_factory=list)  # keys of results["params"]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FigureJob:
    """One figure still to draw: ``plot(*args, **kwargs)``, a plotting function of
    :mod:`spinpair.plots` and the data it draws. Picklable (the function by reference, the
    data by value), so a worker process can draw and save it: the process that computes the
    data then never imports matplotlib, and no figure object crosses between processes."""

    plot: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self) -> Any:
        """Draw the figure; returns a :class:`matplotlib.figure.Figure`."""
        return self.plot(*self.args, **self.kwargs)


class Figures(dict[str, FigureJob]):
    """The figures of the report by file stem, as :class:`FigureJob`; with
    ``on_figure`` each goes there as soon as its data exist (and is not kept)."""

    def __init__(self, on_figure: Callable[[str, FigureJob], None] | None = None) -> None:
        super().__init__()
        self._on_figure = on_figure

    def draw(self, stem: str, plot: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """The figure ``stem`` is ``plot(*args, **kwargs)``."""
        job = FigureJob(plot, args, kwargs)
        if self._on_figure is None:
            self[stem] = job
        else:
            self._on_figure(stem, job)


def new_results() -> dict[str, Any]:
    """The head of ``results.json``: version, time stamp (UTC), an empty ``params`` and the
    meaning of each status."""
    from .. import paper

    return {
        "schema_version": 1,  # spinpair/schemas/results.schema.json
        "spinpair_version": __version__,
        "generated_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "params": {},
        "status_meaning": paper.STATUS_MEANING,
    }


class Context:
    """What every section's ``build`` gets: ``res`` (the content of ``results.json`` being
    filled), ``figs`` (the figure queue), ``points`` (points of the dense curves) and the
    inputs that several sections share, each computed once on first use (presets, the
    Fig. 2b / 3 curves, the virtual data of Fig. S4)."""

    def __init__(
        self,
        points: int = 201,
        on_figure: Callable[[str, FigureJob], None] | None = None,
        res: dict[str, Any] | None = None,
        early: Mapping[str, Any] | None = None,
    ) -> None:
        self.points = int(points)
        self.res: dict[str, Any] = new_results() if res is None else res
        self.figs = Figures(on_figure)
        self._early = dict(early or {})

    def computed(self, data: Callable[[], Any]) -> Any:
        """``data()``, a data function without arguments of :mod:`spinpair.paper`: the
        result of the worker process that was asked to compute it early (``early`` maps
        its name to a :class:`concurrent.futures.Future`, see
        :data:`spinpair.report.build.EARLY`), else computed here. The same value either
        way (seeded, one BLAS thread in both processes)."""
        future = self._early.pop(data.__name__, None)
        return data() if future is None else future.result()

    @property
    def half(self) -> int:
        """Points of the curves over half a scan (``points // 2 + 1``)."""
        return self.points // 2 + 1

    @functools.cached_property
    def p_paper(self) -> Any:
        """The paper's conditions (:func:`spinpair.paper.paper_params`)."""
        from .. import paper

        return paper.paper_params()

    @functools.cached_property
    def p_like(self) -> Any:
        """The paper-like preset (:func:`spinpair.paper.paper_like_params`)."""
        from .. import paper

        return paper.paper_like_params()

    @functools.cached_property
    def p_pred(self) -> Any:
        """The paper-predicted preset (:func:`spinpair.paper.paper_predicted_params`)."""
        from .. import paper

        return paper.paper_predicted_params()

    @functools.cached_property
    def fig2b_curves(self) -> Any:
        """Fig. 2b's curves (:func:`spinpair.paper.fig2b_data`, ``half`` points), shared by
        Fig. 2b, Fig. 3 and Fig. 2b with the virtual data."""
        from .. import paper

        return paper.fig2b_data(self.half)

    @functools.cached_property
    def fig3a_curves(self) -> Any:
        """Fig. 3a's curves: Fig. 2b's with the destruction step."""
        from .. import paper

        return paper.fig2b_data(self.half, destroy=True)

    #: The virtual experiment of Fig. S4: runs per point, pulse durations, seed.
    VIRTUAL_RUNS, VIRTUAL_POINTS, VIRTUAL_SEED = 200, 15, 2024

    @functools.cached_property
    def virtual(self) -> dict[str, Any]:
        """The seeded virtual experiment and its analysis (:func:`spinpair.paper.figs4_data`),
        shared by Fig. S4 and Fig. 2b with the virtual data."""
        from .. import paper

        return paper.figs4_data(
            runs=self.VIRTUAL_RUNS, points=self.VIRTUAL_POINTS, seed=self.VIRTUAL_SEED
        )


def num(v: Any) -> Any:
    """Numbers as a reader writes them (``2.2e+07``, ``1e-06``, ``156000``); others as given."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return v
    return format(v, ".6g")


def fmt_p(p: float | None) -> str:
    """A p-value with two significant digits, ``n/a`` for None."""
    return "n/a" if p is None else f"{p:.2g}"
