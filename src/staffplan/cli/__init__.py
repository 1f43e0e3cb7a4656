"""The ``staffplan`` command line.

Each subcommand lives in its own module (``_staff``, ``_forecast``, ``_roster``,
``_plan``, ``_demo``) exposing ``register(subparsers)``; the module sets
``func`` on its parser.  Errors a user can fix (bad file, column, value or
rule) print one line and exit 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["UserError", "build_parser", "main"]

_SUBCOMMANDS = ("_demo", "_forecast", "_staff", "_roster", "_plan")


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
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:  # subcommand not shipped in this build
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (UserError, ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        if args.debug:
            raise
        msg = str(exc).strip().strip("'\"") or type(exc).__name__
        print(f"staffplan {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
