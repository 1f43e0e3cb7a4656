"""What every command shares: the ``staffplan`` logger, output checks, columns of a file."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "FORMATS",
    "check_out_dir",
    "check_out_file",
    "file_columns",
    "log",
    "out_suffix",
]

#: Progress, stage timings and notes of the commands (stderr; results go to stdout).
log = logging.getLogger("staffplan.cli")

#: File formats every command writes, by suffix.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def out_suffix(fmt: str) -> str:
    """File suffix of a ``--format`` value."""
    return ".parquet" if fmt == "parquet" else ".csv"


def _check_parquet(flag: str) -> None:
    from staffplan.cli import UserError

    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise UserError(
            f"{flag}: writing Parquet needs pyarrow: pip install 'staffplan[parquet]', "
            "or write .csv"
        ) from None


def _check_writable_dir(directory: Path, flag: str, path: Any) -> None:
    from staffplan.cli import UserError

    # The nearest existing ancestor must let us create what is missing below it.
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"{flag}: cannot write {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{flag}: cannot write {path}: {existing} is not writable")
    # os.access says yes to root everywhere; only creating a file shows that a folder
    # (a read-only mount, /proc) takes new files.
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as exc:
        raise UserError(
            f"{flag}: cannot write {path}: {existing} does not take new files "
            f"({exc.strerror}); choose another folder"
        ) from None


def check_out_file(path: str | None, flag: str = "--out") -> None:
    """Refuse an output file that cannot be written, before any work is done.

    The suffix picks the format (``.csv`` or ``.parquet``); Parquet needs pyarrow;
    the directory must exist or be creatable, and be writable.
    """
    from staffplan.cli import UserError

    if path is None:
        return
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise UserError(f"{flag} must end in .csv or .parquet, got {path!r}")
    if FORMATS[suffix] == "parquet":
        _check_parquet(flag)
    if target.is_dir():
        raise UserError(f"{flag}: {path} is a directory; name a file")
    _check_writable_dir(target.parent, flag, path)


def check_out_dir(path: str, fmt: str, flag: str = "--out") -> None:
    """Refuse an output directory that a plan cannot be saved into, before any work."""
    from staffplan.cli import UserError
    from staffplan.plan._plan import _check_replaceable

    target = Path(path)
    if fmt == "parquet":
        _check_parquet("--format parquet")
    if target.exists():
        try:
            _check_replaceable(target)
        except FileExistsError as exc:
            raise UserError(f"{flag}: {exc}") from None
    _check_writable_dir(target if target.exists() else target.parent, flag, path)


def file_columns(path: str) -> list[str] | None:
    """Column names of a CSV or Parquet file without reading its rows (None if unreadable)."""
    p = Path(path)
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return list(pq.read_schema(p).names)
        import pandas as pd

        return [str(c) for c in pd.read_csv(p, nrows=0).columns]
    except Exception:  # the reader proper reports the problem
        return None
