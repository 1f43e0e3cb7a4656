"""The ``staffplan`` command line.

Each subcommand lives in its own module (``_staff``, ``_forecast``, ``_roster``,
``_plan``, ``_demo``, ``_replan``) exposing ``register(subparsers)``; the module sets
``func`` on its parser.  Errors a user can fix (bad file, column, value or
rule) print one line and exit 2; ``--debug`` shows the traceback instead.

Results (tables, summaries) go to stdout; progress, stage timings and notes go
through :mod:`logging` (logger ``staffplan``) to stderr: ``--quiet`` keeps only
warnings, ``--verbose`` adds debug detail.  Python warnings raised while a command
runs (a forecast's gap in the history, an unseen holiday) are printed the same way,
as one ``warning: ...`` line, not as ``file.py:123: UserWarning: ...``; the library
itself still raises them as Python warnings.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import re
import sys
import warnings
from collections.abc import Sequence
from typing import TextIO

__all__ = ["UserError", "build_parser", "main"]

_SUBCOMMANDS = ("_demo", "_forecast", "_staff", "_roster", "_plan", "_replan")


class UserError(Exception):
    """A mistake in the user's input: printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staffplan",
        description=(
            "Contact-centre workforce planning: forecast interval volume, size staff with "
            "Erlang C/A, roster shifts with lunches, breaks and team leads, and predict service."
        ),
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    _add_verbosity(parser, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # subcommand not shipped in this build
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():
        # Also after the command (``staffplan plan h.csv --quiet``); the one given wins.
        _add_verbosity(command, argparse.SUPPRESS)
    return parser


def _add_verbosity(parser: argparse.ArgumentParser, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=logging.WARNING,
        default=default,
        help="print only results, warnings and errors (no progress)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=logging.DEBUG,
        default=default,
        help="print debug detail on stderr",
    )


class _StderrHandler(logging.StreamHandler):
    """Writes to the *current* ``sys.stderr`` (which tests and pipes may swap)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _logging_for(level: int) -> tuple[logging.Logger, logging.Handler, int]:
    logger = logging.getLogger("staffplan")
    handler = _StderrHandler()
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    return logger, handler, previous


def _cli_spelling(message: str) -> str:
    """A library's fix in option terms: ``pass ds_col=<name>`` -> ``pass --ds-col NAME``."""
    message = message.replace("queue_col=None", "--queue-col none").replace(" to plan()", "")
    message = message.replace("dayfirst=True or dayfirst=False", "--dayfirst or --monthfirst")
    message = message.replace("give date_format", "give --date-format")
    message = re.sub(r"\bsep='\\t'", "--sep tab", message)
    message = re.sub(r"\b(sep|decimal)=('.')", r"--\1 \2", message)
    message = message.replace("(sep=)", "(--sep)")
    message = re.sub(
        r"\bpass (\w+)= ", lambda m: f"pass --{m.group(1).replace('_', '-')} ", message
    )
    message = re.sub(r"\binterval_min=(\d+)", r"--interval-min \1", message)
    return re.sub(r"\b(\w+)_col=<name>", lambda m: f"--{m.group(1)}-col NAME", message)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Run as its own process (not called from Python): the command may spare the garbage
    # collector the objects it keeps to its end (``staffplan.cli._plan._Progress``).
    args.own_process = argv is None
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logger, handler, previous = _logging_for(getattr(args, "verbosity", logging.INFO))
    try:
        with warnings.catch_warnings():
            # The filters stay as they are (a warning shown once stays shown once); only
            # how a shown warning is printed changes.
            warnings.showwarning = _log_warning
            return _run(args)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
        if argv is None:
            # The command line's own process ends here: its exit would otherwise walk
            # every object of the plan in a last garbage collection (~0.3 s after a demo).
            gc.freeze()


def _log_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A Python warning as one ``warning: ...`` line of the command's log (stderr)."""
    text = " ".join(str(message).split())
    if category is not UserWarning:
        text = f"{category.__name__}: {text}"  # another kind (a library's own) says which
    logging.getLogger("staffplan.cli").warning("warning: %s", _cli_spelling(text))


def _run(args: argparse.Namespace) -> int:
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (``staffplan staff --demo | head``): stop quietly, and keep
        # Python from complaining about the closed stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (UserError, ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        if args.debug:
            raise
        # str() of a KeyError quotes its key; other messages may end in a quote of their own.
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        text = _cli_spelling(" ".join(str(msg).split())) or type(exc).__name__
        print(f"staffplan {args.command}: error: {text}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
