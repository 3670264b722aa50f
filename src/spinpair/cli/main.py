"""The ``spinpair`` command (contract: ``docs/cli.md``). Thin: parse, call, print or write.

Built on the standard library's ``argparse`` (it supports the contract's variadic options
such as ``--area 0 0.785 1.571``). Exit status: 0 success, 2 bad input (one line on
stderr naming the field), 1 internal error (a bug: input, files and signals never cause
it), 130/143 on SIGINT/SIGTERM (temporary files removed, one line on stderr). With
``--json`` stdout holds exactly one JSON object.

Negative numbers work as option values (``--state -1,1``, ``--detuning -5e3``): the
parser treats any ``-<number>`` or ``-<number>,<number>…`` word as a value, never as an
option.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from ..errors import InputError
from . import analysis, basics, design, dynamics, raman, ramsey, reproduce, scattering, sweep
from .common import COMMON_HELP, JSON_SCHEMA, SUBCOMMAND_DOCS, Parser

#: The overview printed by bare ``spinpair`` and ``spinpair --help``.
OVERVIEW = """\
Spin-entangled atom pairs in an optical tweezer: simulate the collisions that make them,
the Raman / Ramsey readout that detects them, and analyse count data.

Every computing subcommand takes --json (one JSON object on stdout). Exit status: 0 ok,
2 bad input (one line on stderr naming the field and the allowed range), 130/143 when
interrupted (SIGINT/SIGTERM; no partial file is left). `spinpair COMMAND --help` shows
each command's options and an example.
"""

OVERVIEW_EXAMPLES = """\
examples:
  spinpair state chi1 --json
  spinpair raman --ideal --state chi1 --area 0 1.5708 3.1416 --json
  spinpair simulate --params examples/paper-like.toml --tau 0 8e-7 1.6e-6 \\
      --runs 500 --seed 1 --out data.csv
  spinpair fit data.csv --params examples/paper-like.toml --json
  spinpair reproduce --out results

Negative numbers work as option values: --state -1,1  --detuning -5e3  --tau -1e-6
(the last is rejected: a duration is >= 0). Every rejected input and its message:
docs/errors.md.
"""


def _complete_help(parser: argparse.ArgumentParser, name: str) -> None:
    """Fill in a description, an example and the help of common options where missing."""
    desc, example = SUBCOMMAND_DOCS.get(name, (None, None))
    if not parser.description:
        parser.description = desc
    if not parser.epilog and example:
        parser.epilog = "example:\n  " + example
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    for action in parser._actions:
        if not action.help:
            action.help = COMMON_HELP.get(action.dest)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``spinpair`` command."""
    from .. import __version__

    p = Parser(prog="spinpair", description=OVERVIEW, epilog=OVERVIEW_EXAMPLES)
    p.add_argument("--version", action="version", version=f"spinpair {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=Parser)
    for module in COMMAND_MODULES:
        module.register(sub)
    for name, parser in sub.choices.items():
        _complete_help(parser, name)
    return p


#: Modules that add subcommands, in the order of ``spinpair --help``: each has
#: ``register(subparsers)`` adding its parsers with ``set_defaults(func=...)``.
COMMAND_MODULES = (basics, raman, reproduce, dynamics, scattering, design, analysis, ramsey, sweep)


# ----------------------------------------------------------------------------- running


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: unwinds like Ctrl-C so every ``finally`` and
    :func:`~spinpair.fileio.atomic_write` cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    # The first signal unwinds (cleanup runs); a second one ends the process at once, so
    # a cleanup that hangs (e.g. waiting for a worker) can still be stopped.
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_DFL)
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, _on_signal)


def _one_line(text: str) -> str:
    """The message on a single line (values may hold newlines), at most 2000 characters."""
    line = " ".join(str(text).split("\n"))
    line = " ".join(line.splitlines())
    return line if len(line) <= 2000 else line[:1997] + "..."


def _undecodable_input(args: argparse.Namespace | None) -> tuple[str, str] | None:
    """The input option and file that is not UTF-8 text, if any."""
    if args is None:
        return None
    for dest in ("data", "params", "file"):
        path = getattr(args, dest, None)
        if isinstance(path, str) and os.path.isfile(path):
            try:
                with open(path, "rb") as fh:
                    fh.read(1 << 24).decode("utf-8")
            except (OSError, UnicodeDecodeError):
                return dest, path
    return None


def _silence_stdout() -> None:
    """Point stdout at /dev/null (after a broken pipe, so that exiting does not complain)."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _error(message: str) -> None:
    print(_one_line(f"spinpair: error: {message}"), file=sys.stderr)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status (never calls sys.exit).

    0 success; 2 bad input, a bad or unreadable input file, an unwritable output (one
    line on stderr); 130/143 on SIGINT/SIGTERM (see :func:`main`); 1 only for a bug.
    """
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        token = JSON_SCHEMA.set(args.command)  # the --json object's schema (spinpair.schemas)
        try:
            return int(args.func(args) or 0)
        finally:
            JSON_SCHEMA.reset(token)
    except SystemExit as e:  # --help / --version
        return e.code if isinstance(e.code, int) else 0
    except InputError as e:
        _error(str(e))
        return 2
    except KeyboardInterrupt as e:
        signum = getattr(e, "signum", signal.SIGINT)
        print(f"spinpair: interrupted by {signal.Signals(signum).name}", file=sys.stderr)
        return 128 + int(signum)
    except UnicodeDecodeError as e:
        bad = _undecodable_input(args)
        where = f"{bad[0]} = {bad[1]!r}" if bad else "an input file"
        _error(f"{where} is invalid: allowed a UTF-8 text file ({e.reason})")
        return 2
    except BrokenPipeError:
        # the reader of stdout went away (`spinpair ... | head`): nothing left to say
        _silence_stdout()
        return 141
    except OSError as e:
        what = e.filename if e.filename is not None else "a file"
        _error(f"{what!r}: {e.strerror or e}")
        return 2
    except MemoryError:
        _error("out of memory: ask for fewer points, settings or runs")
        return 2
    except Exception as e:  # internal error
        from .._options import get_options

        if get_options()["debug"]:
            traceback.print_exc()
        print(_one_line(f"spinpair: internal error: {type(e).__name__}: {e}"), file=sys.stderr)
        return 1


def main() -> None:
    """Console-script entry point: signals become exit 130/143 with one line on stderr;
    BLAS threads capped once for the process (the option ``blas_threads``, see
    :func:`spinpair.set_options`)."""
    from .._threads import cap_process

    install_signal_handlers()
    cap_process()
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = code or 141
    # the work is done and written: spare the interpreter's final garbage collection over
    # every object still alive (after `reproduce`, 0.4 s of matplotlib artists); objects
    # are still released and atexit handlers still run
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
