"""The tasks of the figure-saving worker processes of
:func:`spinpair.report.build.reproduce` (their forkserver preloads
:mod:`spinpair.report._warm`)."""

from __future__ import annotations

import pickle


def draw_and_save(blob: bytes, base: str) -> str:
    """Unpickle a :class:`spinpair.report.build.FigureJob`, draw its figure and save it as
    PNG and PDF (:func:`spinpair.plots.save_figure`); return the PNG's path."""
    from ..plots.style import save_figure

    job = pickle.loads(blob)
    return str(save_figure(job(), base)[0])


def ready() -> bool:
    """A no-op task: submitting one per worker starts the workers early."""
    return True
