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
import re
import struct
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..fileio import atomic_write_text, to_jsonable
from .context import Context, FigureJob, Figures, Number, Section, lookup
from .context import num as _num

#: Folder of the Jinja2 template and its stylesheet (package data).
TEMPLATES = Path(__file__).parent / "templates"


def compute(
    points: int = 201, on_figure: Callable[[str, FigureJob], None] | None = None
) -> tuple[dict[str, Any], list[Section], dict[str, FigureJob]]:
    """Compute every figure's data. Returns ``(results, sections, figures)`` where
    ``figures`` maps a file stem to a :class:`FigureJob` (call it for the
    :class:`matplotlib.figure.Figure`); with ``on_figure(stem, job)`` each job goes there as
    soon as its data exist instead (and ``figures`` comes back empty), so that drawing and
    saving can overlap the rest of the computation. The sections are those of
    :data:`spinpair.report.sections.SECTIONS`, built in its order (the page's)."""
    from ..species import placeholder_notice
    from .sections import SECTIONS

    ctx = Context(points, on_figure)
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
) -> str:
    """The HTML page (Jinja2, autoescaped) for ``results`` and ``sections``; ``widths``
    maps image files to their display width in CSS pixels."""
    ctx_sections = []
    for s in sections:
        ctx_sections.append(
            {
                "id": s.id,
                "title": s.title,
                "caption": s.caption,
                "image": s.image,
                "pdf": s.image.replace(".png", ".pdf") if s.image else None,
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
    """Processes that save figures while :func:`compute` runs: the option ``workers``
    (:func:`spinpair.set_options`) if set, else one CPU fewer than this process may use,
    at most 2 (2 CPUs: 1 worker; 1 CPU: 0, save here). Each worker is a fresh interpreter
    that imports and warms matplotlib up (~1.5 s of CPU); on 2 cores one worker keeps up
    with the computation (the figures' ~6 s of CPU against the data's ~8 s), and a second
    one cost more CPU than it saved: ``spinpair reproduce`` took 14.6 s of CPU with one
    worker against 16.0 s with two (one run each, load ~8)."""
    import os

    from .._options import get_options

    chosen = get_options()["workers"]
    if chosen is not None:
        return int(chosen)
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        n = os.cpu_count() or 1
    return max(0, min(2, n - 1))


def reproduce(
    out_dir: str | Path = "results", points: int = 201, workers: int | None = None
) -> Path:
    """Write the paper's figures (PNG and PDF), ``results.json`` and ``report.html`` into
    ``out_dir`` (created if missing); every file is written atomically. Returns the folder.

    ``results.json`` holds every number the page shows (each listed on the page with its
    key path, method and status), and under ``params`` the exact parameter set of each
    figure with the status of every value.

    Figures are drawn and saved by ``workers`` processes (each gets a :class:`FigureJob`:
    plotting function and data) while the data of the next figures are computed (drawing
    and writing the files is most of the run; this process then never imports
    matplotlib); 0 draws and saves in this process; default: the option ``workers`` of
    :func:`spinpair.set_options`, automatic unless set (:func:`_save_workers`: 1 on 2
    CPUs). The files
    are the same either way. The workers are a pool of this call's own ('spawn' start
    method), shut down before it returns: pools of the caller (or Dask's) are not touched.
    """
    from ..plots.style import save_figure

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n_workers = _save_workers() if workers is None else max(int(workers), 0)
    pngs: dict[str, Any] = {}
    pool = _process_pool(n_workers) if n_workers else None
    if pool is not None:
        import pickle
        from concurrent.futures import Future

        from .._pool import terminate_pool
        from ._save_worker import draw_and_save, ready

        try:
            # one task per worker starts them now: they import and warm matplotlib up
            # (their initializer) while this process computes
            for _ in range(n_workers):
                pool.submit(ready)

            def submit(stem: str, job: FigureJob) -> None:
                blob = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
                try:
                    pngs[stem] = pool.submit(draw_and_save, blob, str(out / stem))
                except (OSError, RuntimeError):  # no worker processes here: save in this one
                    done: Future[str] = Future()
                    done.set_result(str(save_figure(job(), out / stem)[0]))
                    pngs[stem] = done

            res, sections, _ = compute(points, on_figure=submit)
            results = _write_results(out, res, sections)  # while the workers save
            _template()  # load and compile the page template meanwhile too
            pngs = {stem: Path(f.result()) for stem, f in pngs.items()}
        except BaseException:  # interrupted or failed: stop every worker now
            terminate_pool(pool)
            raise
        finally:
            pool.shutdown()
    else:
        res, sections, figs = compute(points)
        pngs = {stem: save_figure(job(), out / stem)[0] for stem, job in figs.items()}
        results = _write_results(out, res, sections)
    widths = {f"{stem}.png": _display_width(png) for stem, png in pngs.items()}
    atomic_write_text(out / "report.html", render(results, sections, widths))
    return out


def _process_pool(workers: int) -> Any:
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
            initargs=(os.getpid(), deathsig, get_options()),
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
