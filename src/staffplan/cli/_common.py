"""What every command shares: the ``staffplan`` logger, output checks, columns of a file."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = [
    "FORMATS",
    "check_offsets",
    "check_one_grid",
    "check_out_dir",
    "check_out_file",
    "file_columns",
    "log",
    "note_horizon_count",
    "out_suffix",
    "warn_short_aht",
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


def file_columns(path: str, *, sep: str | None = None) -> list[str] | None:
    """Column names of a CSV or Parquet file without reading its rows (None if unreadable).

    None too for a file the reader refuses (another suffix, a CSV not separated by
    commas), so that the reader's message, not a column list of one odd name, is shown.
    """
    p = Path(path)
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            return list(pq.read_schema(p).names)
        if p.suffix.lower() not in (".csv", ".txt"):
            return None
        import pandas as pd

        names = [str(c) for c in pd.read_csv(p, nrows=0, sep=sep or ",").columns]
    except Exception:  # the reader proper reports the problem
        return None
    return None if len(names) == 1 and any(c in names[0] for c in ",;\t|") else names


#: A median handle time below this is more likely minutes than seconds [s].
_SHORT_AHT_S = 30.0


def warn_short_aht(aht_s: Any, source: str) -> None:
    """Warn when handle times look like minutes: a contact is rarely handled in under 30 s.

    A heuristic, so a warning and not a refusal (an automated line may be that short);
    the plan it would give is several times too small.
    """
    import numpy as np

    values = np.asarray(aht_s, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size and float(np.median(values)) < _SHORT_AHT_S:
        log.warning(
            "warning: %s: %s %.3g s per contact; AHT is in seconds: if this is in minutes, "
            "multiply it by 60 (a contact is rarely handled in under %.0f s)",
            source,
            "AHT" if values.size == 1 else "median AHT",
            float(np.median(values)),
            _SHORT_AHT_S,
        )


def check_offsets(path: str, ds_col: str, tz: str | None, *, sep: str | None = None) -> None:
    """Refuse timestamps written with a UTC offset other than zero when no ``--tz`` is given.

    They are read as UTC: opening hours and shift times would then be UTC clock times, and
    across a change of summer time the day's shape would move by an hour in the history.
    """
    import re

    if tz is not None or Path(path).suffix.lower() not in (".csv", ".txt"):
        return
    import pandas as pd

    try:
        text = pd.read_csv(path, usecols=[ds_col], dtype=str, sep=sep or ",")[ds_col].dropna()
    except Exception:  # the reader proper reports the problem
        return
    found = text.str.extract(r"([+-]\d\d:?\d\d)\s*$", expand=False).dropna()
    shown = sorted({o for o in found.unique() if re.sub(r"[-+:0]", "", o)})
    if shown:
        from staffplan.cli import UserError

        raise UserError(
            f"{path}, column {ds_col!r}: timestamps carry UTC offsets ({', '.join(shown[:3])}); "
            "read as UTC, every clock time (opening hours, shifts) would be UTC; pass --tz with the "
            "centre's time zone (e.g. --tz Europe/Berlin), or --tz UTC to plan in UTC"
        )


def check_one_grid(ds: Any, queue: Any, source: str) -> None:
    """Refuse queues on different interval grids (15 and 30 min), naming both and the fix."""
    import pandas as pd

    from staffplan import intervals
    from staffplan.cli import UserError

    steps: dict[str, int] = {}
    for q, rows in pd.Series(ds).groupby(pd.Series(queue).astype(str).to_numpy(), sort=True):
        if rows.nunique() > 1:
            try:
                steps[str(q)] = intervals.infer_interval_min(rows, name=f"queue {q!r}")
            except ValueError:
                continue  # the pipeline names what is wrong with this queue's grid
    if len(set(steps.values())) > 1:
        qa, qb = min(steps, key=steps.__getitem__), max(steps, key=steps.__getitem__)
        a, b = steps[qa], steps[qb]
        raise UserError(
            f"{source}: queue {qa!r} is on a {a}-min grid and queue {qb!r} on a {b}-min grid; "
            f"one plan has one grid: plan them apart with --queue, or sum the {a}-min rows "
            f"into {b}-min intervals"
        )


def note_horizon_count(horizon: Any, interval_min: int) -> None:
    """Say what a bare ``--horizon`` count means: intervals, not days."""
    if isinstance(horizon, int):
        hours = horizon * interval_min / 60
        log.warning(
            "note: --horizon %d counts %d-min intervals: the plan covers %g h; write %dD "
            "for %d days",
            horizon,
            interval_min,
            hours,
            horizon,
            horizon,
        )
