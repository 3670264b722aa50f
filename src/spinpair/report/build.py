"""Build the reproduction report: run every section of :mod:`spinpair.report.sections`
(one module per figure or table, in page order), have the figures drawn and saved, write
``results.json`` and render ``report.html`` from the Jinja2 template
``templates/report.html.j2``. This module only orchestrates; the figures' data, captions,
numbers and tables live in their sections.

The report only renders: every number on the page is a value of ``results.json``, listed
with the key path it is stored under, the method that produced it and its status.
"""

from __future__ import annotations

import functools
import json
import pickle
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_text, to_jsonable
from .context import Context, FigureJob, Figures, Number, Section, lookup
from .context import num as _num

#: Folder of the Jinja2 template and its stylesheet (package data).
TEMPLATES = Path(__file__).parent / "templates"


def compute(
    points: int = 201,
    on_figure: Callable[[str, FigureJob], None] | None = None,
    early: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[Section], dict[str, FigureJob]]:
    """Compute every figure's data. Returns ``(results, sections, figures)`` where
    ``figures`` maps a file stem to a :class:`FigureJob` (call it for the
    :class:`matplotlib.figure.Figure`); with ``on_figure(stem, job)`` each job goes there as
    soon as its data exist instead (and ``figures`` comes back empty), so that drawing and
    saving can overlap the rest of the computation. ``early`` maps names of data functions
    (:data:`EARLY`) to futures of their results computed elsewhere
    (:meth:`Context.computed`). The sections are those of
    :data:`spinpair.report.sections.SECTIONS`, built in its order (the page's)."""
    from ..species import placeholder_notice
    from .sections import SECTIONS

    ctx = Context(points, on_figure, early=early)
    # Fig. 1b(a) runs the first-principles models on the built-in 85Rb a_F
    notice = placeholder_notice(ctx.p_paper, "ergodic")
    ctx.res["placeholders"] = notice["placeholders"] if notice else []
    ctx.res["warnings"] = notice["warnings"] if notice else []
    sections = [module.build(ctx) for module in SECTIONS]
    return ctx.res, sections, ctx.figs


#: Re-exported for the tests and older callers (they live in :mod:`.context`).
__all__ = [
    "Context",
    "FigureJob",
    "Figures",
    "Number",
    "Section",
    "compute",
    "lookup",
    "render",
    "reproduce",
]

_NUMERIC = re.compile(r"^[-+−0-9.eE/ ()p=,]+$")


def _numeric(v: Any) -> bool:
    """True for a table cell that is a number or a number-like compound ("13.1/15 (p = 0.59)")."""
    return isinstance(v, (int, float)) or bool(_NUMERIC.match(str(v)))


def _display_width(png: Path, dpi: float = 300.0, css_px_per_inch: float = 160.0) -> int:
    """On-screen width (CSS px) of a figure saved at ``dpi``: its printed size × 1.67, so
    a single-column figure (3.4 in) shows at about 540 px (the page caps it at 100 %)."""
    head = png.read_bytes()[:24]
    return round(struct.unpack(">I", head[16:20])[0] / dpi * css_px_per_inch)


@functools.cache
def _template() -> Any:
    """The page template (``templates/report.html.j2``), loaded and compiled once."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.tests["numeric"] = _numeric
    return env.get_template("report.html.j2")


def section_rows(results: Mapping[str, Any], section: Section) -> list[dict[str, Any]]:
    """The parameter rows of a section's figures (``results.json → params``)."""
    return [r for k in section.params for r in results["params"][k]["rows"]]


def render(
    results: Mapping[str, Any],
    sections: list[Section],
    widths: Mapping[str, int] | None = None,
    formats: Sequence[str] = ("png", "pdf"),
) -> str:
    """The HTML page (Jinja2, autoescaped) for ``results`` and ``sections``; ``widths``
    maps image files to their display width in CSS pixels; ``formats``: the figure files
    written (each figure's are linked under it)."""
    ctx_sections = []
    for s in sections:
        stem = s.image.removesuffix(".png") if s.image else None
        ctx_sections.append(
            {
                "id": s.id,
                "title": s.title,
                "caption": s.caption,
                "image": s.image,
                "files": [f"{stem}.{fmt}" for fmt in formats] if stem else [],
                "width": (widths or {}).get(s.image or ""),
                "numbers": [n.render(results, section_rows(results, s)) for n in s.numbers],
                "tables": s.tables,
                "params": [{"name": k, **results["params"][k]} for k in s.params],
            }
        )
    return _template().render(
        version=results["spinpair_version"],
        generated=results["generated_utc"],
        sections=ctx_sections,
        status_meaning=results["status_meaning"],
    )


def _save_workers() -> int:
    """Processes that draw figures (and compute :data:`EARLY`) while :func:`compute` runs:
    the option ``workers`` (:func:`spinpair.set_options`) if set, else one CPU fewer than
    this process may use, at most 2, while the machine is idle enough, and none under load.

    Idle enough: the load average over the last minute (runnable processes, ours
    included) is below the CPUs less half a CPU (2 CPUs: 1.5; two busy processes make it
    2 or more). A worker is a fresh interpreter that imports numpy, matplotlib and
    spinpair (~0.6 s of CPU; ``spawn``), and both processes then warm matplotlib up:
    ``reproduce`` takes ~7.5 s of CPU with a worker against ~6 s without. With a free
    core that buys time (parent ~4 s, worker ~3.5 s of CPU); with the CPUs busy it did
    not (2 CPUs shared with other sessions, medians of 5 paired runs: load ~2.3, 7.6 s
    with a worker against 6.2 s without; load ~5, 14.1 s against 11.4 s): the kernel's
    autogroup scheduling gives the processes of one session one share together, so a
    second process gains no CPU time there. On 2 CPUs one worker is the most that can
    pay (the parent computes while it draws)."""
    import os

    from .._options import get_options

    chosen = get_options()["workers"]
    if chosen is not None:
        return int(chosen)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - no load average here
        load = 0.0
    return max(0, min(2, n - 1)) if load < n - 0.5 else 0


#: Data functions of :mod:`spinpair.paper` (no arguments) that ``reproduce`` has its figure
#: workers compute first, while this process computes the other sections: ~1 s of the
#: data's ~2 s of CPU, with small picklable results. Their sections take the results with
#: :meth:`Context.computed`; without workers they are computed in place.
EARLY: tuple[str, ...] = ("prediction_data", "design_data")

#: The figure files ``reproduce`` writes unless asked otherwise: PNG only (the page shows
#: PNG; a PDF of every figure costs ~3 s of CPU more), PDF on request.
DEFAULT_FORMATS: tuple[str, ...] = ("png",)


def reproduce(
    out_dir: str | Path = "results",
    points: int = 201,
    workers: int | None = None,
    formats: str | Sequence[str] = DEFAULT_FORMATS,
) -> Path:
    """Write the paper's figures, ``results.json`` and ``report.html`` into ``out_dir``
    (created if missing); every file is written atomically. Returns the folder.

    ``results.json`` holds every number the page shows (each listed on the page with its
    key path, method and status), and under ``params`` the exact parameter set of each
    figure with the status of every value.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The folder to write into.
    points : int
        Points of the dense curves (default 201, as the paper's figures).
    workers : int or None
        Processes that draw and save figures while this one computes the data (each
        gets a :class:`FigureJob`: plotting function and data, pickled); this process
        draws the figures no worker has taken once its data are done. 0: every figure is
        drawn here. None: the option ``workers`` of :func:`spinpair.set_options`,
        automatic unless set (:func:`_save_workers`). The files are the same either way.
        The workers are a pool of this call's own ('spawn' start method), shut down
        before it returns: pools of the caller (or Dask's) are not touched.
    formats : str or sequence of str
        Figure files: ``"png"`` (default) or ``"png,pdf"`` (also a vector PDF of each
        figure); the page shows the PNG and links each figure's files.

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    spinpair.errors.InputError
        For formats other than PNG and PDF, or without PNG.
    """
    from ..errors import InputError
    from ..plots.style import figure_formats

    fmts = figure_formats(formats)
    if "png" not in fmts:  # the page shows each figure's PNG
        raise InputError("formats", formats, "png or png,pdf (the page shows the PNG)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_workers = _save_workers() if workers is None else max(int(workers), 0)
    pool = _process_pool(n_workers, fmts) if n_workers else None
    if pool is not None:
        from .._pool import terminate_pool

        saver = _Saver(out, fmts, pool, n_workers)
        try:
            early = saver.compute_early(EARLY)
            res, sections, _ = compute(points, on_figure=saver.add, early=early)
            results = _write_results(out, res, sections)
            _template()  # load and compile the page template while the workers draw
            pngs = saver.finish()
        except BaseException:  # interrupted or failed: stop every worker now
            terminate_pool(pool)
            raise
        finally:
            pool.shutdown()
    else:
        saver = _Saver(out, fmts)
        res, sections, _ = compute(points, on_figure=saver.add)
        pngs = saver.finish()
        results = _write_results(out, res, sections)
    widths = {f"{stem}.png": _display_width(png) for stem, png in pngs.items()}
    atomic_write_text(out / "report.html", render(results, sections, widths, fmts))
    return out


class _Saver:
    """The figures of one ``reproduce`` call: each :class:`FigureJob` goes to a worker of
    ``pool`` while fewer than :attr:`AHEAD` jobs per worker wait or run there, else to a
    queue that this process draws from when :meth:`finish` is called (after its data are
    computed), handing the next job to a worker whenever one falls behind. Without a
    pool every figure is drawn here. Writes ``out/<stem>.<format>``."""

    #: Jobs per worker queued or running at a time: 2 keeps a worker busy while this
    #: process computes (it hands jobs over only between sections), and leaves the rest
    #: to whichever process is free first.
    AHEAD = 2

    def __init__(
        self, out: Path, formats: tuple[str, ...], pool: Any = None, workers: int = 0
    ) -> None:
        self.out, self.formats, self.pool, self.workers = out, formats, pool, workers
        self.queue: list[tuple[str, FigureJob]] = []
        self.futures: dict[str, Any] = {}
        self.files: dict[str, Path] = {}

    def compute_early(self, names: Sequence[str]) -> dict[str, Any]:
        """Hand the data functions ``names`` of :mod:`spinpair.paper` to the workers ahead
        of every figure; returns name → future (empty without a pool)."""
        from .. import paper

        if self.pool is None:
            return {}
        try:
            return {name: self.pool.submit(getattr(paper, name)) for name in names}
        except (OSError, RuntimeError):  # no worker processes here: compute them here
            return {}

    def add(self, stem: str, job: FigureJob) -> None:
        """Queue the figure ``stem``; hand jobs to idle workers."""
        self.queue.append((stem, job))
        self._hand_over(self.AHEAD)

    def _hand_over(self, ahead: int) -> None:
        """Submit queued jobs (in page order) while fewer than ``ahead`` per worker are
        queued or running there."""
        if self.pool is None:
            return
        from ._save_worker import draw_and_save

        waiting = sum(not f.done() for f in self.futures.values())
        while self.queue and waiting < ahead * self.workers:
            stem, job = self.queue.pop(0)
            blob = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                self.futures[stem] = self.pool.submit(
                    draw_and_save, blob, str(self.out / stem), self.formats
                )
            except (OSError, RuntimeError):  # no worker processes here: draw them here
                self.queue.insert(0, (stem, job))
                self.pool = None
                return
            waiting += 1

    def finish(self) -> dict[str, Path]:
        """Draw what no worker has taken (the last queued first), hand over between
        figures, wait for the workers; returns each figure's first file (its PNG) by
        stem."""
        import gc

        from ..plots.style import save_figure

        # each figure is a web of reference cycles (~20 MB of canvas and artists): collect
        # it at once, and only it (what lived before is frozen meanwhile, not scanned; a
        # caller's own frozen objects stay frozen: then nothing more is frozen)
        thaw = gc.get_freeze_count() == 0
        if thaw:
            gc.freeze()
        try:
            while self.queue:
                self._hand_over(1)
                if self.queue:
                    stem, job = self.queue.pop()
                    self.files[stem] = save_figure(job(), self.out / stem, self.formats)[0]
                    gc.collect()
        finally:
            if thaw:
                gc.unfreeze()
        for stem, f in self.futures.items():
            self.files[stem] = Path(f.result())
        return self.files


def _process_pool(workers: int, formats: Sequence[str] = DEFAULT_FORMATS) -> Any:
    """A pool of ``workers`` figure-saving processes of our own ('spawn' context,
    :func:`spinpair._pool.process_pool`; initializer :func:`._save_worker.init_worker`),
    or None where this system cannot make one (no POSIX semaphores, as in some
    containers): the figures are then saved in this process."""
    import os
    import threading

    from .._options import get_options
    from .._pool import process_pool
    from ._save_worker import init_worker

    # the kernel's parent-death signal follows the thread that starts a worker: set it
    # only where that is the main thread (workers also watch their parent themselves)
    deathsig = threading.current_thread() is threading.main_thread()
    try:
        return process_pool(
            workers,
            method="spawn",
            initializer=init_worker,
            initargs=(os.getpid(), deathsig, get_options(), tuple(formats)),
        )
    except (OSError, ValueError, NotImplementedError, ImportError):
        return None


def _write_results(out: Path, res: dict[str, Any], sections: list[Section]) -> dict[str, Any]:
    """``results.json`` (with each section's numbers as shown) written into ``out``;
    returns its content."""
    results = to_jsonable(res)
    for s in sections:
        results.setdefault("figures", {})[s.id] = {
            "title": s.title,
            "image": s.image,
            "numbers": [n.render(results, section_rows(results, s)) for n in s.numbers],
            "params": s.params,
        }
    atomic_write_text(out / "results.json", json.dumps(results, indent=2, allow_nan=False) + "\n")
    return results
