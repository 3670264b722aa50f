"""Report sections that live in rooms of their own: ``build(res, figs) -> Section`` each
(the older sections are still computed in :func:`spinpair.report.build.compute`)."""
