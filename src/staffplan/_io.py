"""Atomic file writing: nothing written is lost half-way."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["atomic_path", "atomic_write_text", "write_frame"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    A crash or exception inside the block leaves any previous file at ``path``
    untouched and removes the temporary file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates owner-only files; give the result the permissions an
        # ordinary open() would (0o666 less the umask).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_frame(frame: pd.DataFrame, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write a DataFrame to CSV or Parquet (by suffix) atomically.

    Cells holding lists or tuples (a roster's ``breaks``) are written as JSON
    lists, timestamps as text: ``[["2026-03-02 10:00:00", "2026-03-02 10:15:00"]]``,
    the one format every command and :meth:`staffplan.plan.Plan.save` use.
    Parquet needs the ``[parquet]`` extra (pyarrow); the error says so.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    frame = _json_cells(frame)
    writer: Callable[[Path], None]
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:  # pragma: no cover - depends on environment
            raise ImportError(
                "writing Parquet needs pyarrow: pip install 'staffplan[parquet]'"
            ) from None

        def writer(p: Path) -> None:
            frame.to_parquet(p, **kwargs)
    elif suffix == ".csv":

        def writer(p: Path) -> None:
            frame.to_csv(p, index=False, **kwargs)
    else:
        raise ValueError(f"path must end in .csv or .parquet, got {str(path)!r}")
    with atomic_path(target) as tmp:
        writer(tmp)
    return target


def _json_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding lists or tuples as JSON text (a copy; ``frame`` is kept)."""
    listy = [
        c
        for c in frame.columns
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, (list, tuple))).any()
    ]
    if not listy:
        return frame
    out = frame.copy()
    for c in listy:
        out[c] = out[c].map(
            lambda v: json.dumps(v, default=str) if isinstance(v, (list, tuple)) else v
        )
    return out
