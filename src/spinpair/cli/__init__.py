"""The ``spinpair`` command (contract: ``docs/cli.md``). Thin: parse, call one library function,
print or write.

One module per group of subcommands (:mod:`~spinpair.cli.basics`: params, state, zeeman;
:mod:`~spinpair.cli.raman`; :mod:`~spinpair.cli.reproduce`; :mod:`~spinpair.cli.dynamics`:
dynamics, calibrate; :mod:`~spinpair.cli.analysis`: simulate, fit, plan;
:mod:`~spinpair.cli.ramsey`; :mod:`~spinpair.cli.sweep`), shared helpers in
:mod:`~spinpair.cli.common`, the parser and the exit-status policy in
:mod:`~spinpair.cli.main`. Command modules import only :mod:`~spinpair.cli.common` and the
library, never each other: no import cycles.
"""

from .common import emit
from .main import build_parser, main, run

__all__ = ["build_parser", "emit", "main", "run"]
