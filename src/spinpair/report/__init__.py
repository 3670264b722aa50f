"""``spinpair reproduce``: every figure and table of the paper that the package can make,
plus ``results.json`` and ``report.html``, written atomically into one folder.

The figure data come from :mod:`spinpair.paper` (one function per figure or table), the
figures from :mod:`spinpair.plots`; this package only assembles and renders them with the
Jinja2 template ``templates/report.html.j2`` (autoescaped). Each figure or table is one
module of :mod:`spinpair.report.sections` (its data, caption, numbers and tables) listed in
the registry ``SECTIONS``; :mod:`spinpair.report.build` only orchestrates. To add a figure,
write one section module and add it to ``SECTIONS``.

Examples
--------
>>> import tempfile
>>> out = reproduce(tempfile.mkdtemp(), points=21)  # doctest: +SKIP
>>> sorted(p.name for p in out.iterdir())[:2]  # doctest: +SKIP
['design.png', 'fig1b.png']

(Run by ``tests/report/test_report.py``; skipped here for speed.)
"""

from __future__ import annotations

from .build import compute, lookup, render, reproduce, to_jsonable

__all__ = ["compute", "lookup", "render", "reproduce", "to_jsonable"]
