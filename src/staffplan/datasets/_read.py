"""Loaders for the bundled sample and for a user's own history and events files."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals

__all__ = ["DataFileError", "load_sample", "read_events", "read_history", "read_table"]


class DataFileError(ValueError):
    """A problem in a user's data file, naming the file, column and row.

    Attributes
    ----------
    path : str
        The file.
    column : str or None
        The offending column, when there is one.
    row : int or None
        The offending data row, 1-based (the header does not count; in a CSV file
        it sits on line ``row + 1``).
    """

    def __init__(
        self, path: str, message: str, *, column: str | None = None, row: int | None = None
    ) -> None:
        self.path = path
        self.column = column
        self.row = row
        where = path
        if row is not None:
            where += f", row {row}"
            if path.lower().endswith(".csv"):
                where += f" (line {row + 1})"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


_CSV = (".csv", ".txt")
_PARQUET = (".parquet", ".pq")


def read_table(
    path: str | os.PathLike[str],
    *,
    what: str = "data",
    as_text: bool = False,
    time_cols: tuple[str, ...] = (),
    tz: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    allow_missing_time: bool = False,
    sep: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read a CSV or Parquet table: the one reader behind every file a user gives.

    Parameters
    ----------
    path : path
        A ``.csv`` (or ``.txt``) or ``.parquet`` file.
    what : str
        What the file is, for messages (``"history"``, ``"requirements"``).
    as_text : bool
        Read every CSV cell as text (so that parse errors can quote the value);
        otherwise numbers are recognised as pandas does.
    time_cols : tuple of str
        Columns present in the file to parse as timestamps, without guessing
        (see :func:`staffplan.intervals.parse_timestamp_text`).
    tz, dayfirst, date_format
        As in :func:`read_history`.
    allow_missing_time : bool
        Whether an empty timestamp cell is allowed (NaT).
    sep, decimal : str, optional
        As in :func:`read_history`.

    Raises
    ------
    DataFileError
        An unsupported, empty, unreadable or row-less file, or a bad timestamp
        (naming the row and column).
    FileNotFoundError
        When ``path`` does not exist.
    """
    name = os.fspath(path)
    p = Path(name)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise DataFileError(name, "a spreadsheet is not read; save the sheet as CSV (.csv)")
    if suffix not in _CSV + _PARQUET:
        raise DataFileError(name, "unsupported file type; use a .csv or .parquet file")
    if not p.is_file():
        raise FileNotFoundError(f"{name}: no such {what} file")
    if suffix in _CSV:
        sep, decimal = _check_separators(p, name, sep, decimal)
        text_kw: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_values": [""]}
        number_kw: dict[str, Any] = {"decimal": decimal} if decimal != "." else {}
        try:
            # As text, parse errors can name the value.
            frame = pd.read_csv(p, sep=sep, **(text_kw if as_text else number_kw))
        except pd.errors.EmptyDataError:
            raise DataFileError(name, "the file is empty; write a header line and rows") from None
        except UnicodeDecodeError:
            raise DataFileError(name, _not_utf8(p)) from None
        except (pd.errors.ParserError, ValueError) as exc:
            msg = " ".join(str(exc).split())
            raise DataFileError(name, f"not a readable CSV file ({msg})") from None
    else:
        try:
            frame = pd.read_parquet(p)
        except ImportError:
            raise ImportError(
                f"reading {name} needs pyarrow: pip install 'staffplan[parquet]'"
            ) from None
        except Exception as exc:  # pyarrow raises its own types for a damaged file
            msg = " ".join(str(exc).split())[:200]
            raise DataFileError(name, f"not a readable Parquet file ({msg})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise DataFileError(name, "the file has a header but no rows")
    if as_text and suffix in _CSV and decimal == ",":
        frame = _decimal_points(frame, skip=time_cols)
    for col in time_cols:
        if col in frame.columns:
            frame[col] = _parse_timestamps(
                frame[col],
                name,
                col,
                tz,
                allow_missing=allow_missing_time,
                dayfirst=dayfirst,
                date_format=date_format,
            )
    return frame


def _not_utf8(path: Path) -> str:
    """Where a file stops being UTF-8 text, and how to save it."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        where = f"line {line} has byte 0x{raw[exc.start]:02x}, which is not UTF-8 text"
    else:
        where = "the file is not UTF-8 text"
    return (
        f"{where} (a Windows or Latin-1 encoding?); save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    )


_SEPARATORS = {",": "','", ";": "';'", "\t": "tabs", "|": "'|'"}


def _check_separators(
    path: Path, name: str, sep: str | None, decimal: str | None
) -> tuple[str, str]:
    """The column separator and decimal mark to read ``path`` with, as the caller said.

    Without ``sep`` a header separated by ';' or tabs is refused (its decimal commas
    would misread) with the options that read it; a ``sep`` given must split the header.
    """
    if sep is not None and sep not in _SEPARATORS:
        raise ValueError(f"sep must be one of ',', ';', '\\t', '|', got {sep!r}")
    if decimal is not None and decimal not in (".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")
    if decimal is not None and decimal == (sep or ","):
        raise ValueError(
            f"decimal and sep are both {decimal!r}; a file with decimal commas separates "
            "its columns with ';' (sep=';')"
        )
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    if sep is None:
        for other in (";", "\t"):
            if other in header and "," not in header:
                shown = _SEPARATORS[other]
                given = "sep='\\t'" if other == "\t" else f"sep={other!r}"
                raise DataFileError(
                    name,
                    f"columns are separated by {shown}, not commas; read it with {given} "
                    "(and decimal=',' when numbers are written like 12,5), or save it as a "
                    "comma-separated CSV with '.' as the decimal mark",
                )
    elif sep not in header:
        raise DataFileError(
            name,
            f"the header {header.strip()[:80]!r} has no {_SEPARATORS[sep]} between its "
            f"columns; give the separator the file uses (sep=)",
        )
    return sep or ",", decimal or "."


_COMMA_NUMBER = r"^\s*[-+]?(\d+(,\d*)?|,\d+)\s*$"


def _decimal_points(frame: pd.DataFrame, *, skip: tuple[str, ...]) -> pd.DataFrame:
    """Text cells of decimal-comma numbers (``12,5``) as ``12.5``, column by column.

    Only a column whose every filled cell is such a number changes, so that names
    and timestamps keep their commas; a column mixing ``12,5`` and ``12.5`` stays
    as it is and its first odd cell is refused where it is read as a number.
    """
    out = frame.copy()
    for col in out.columns:
        if col in skip or not pd.api.types.is_string_dtype(out[col]):
            continue
        cells = out[col].dropna()
        if len(cells) and cells.str.match(_COMMA_NUMBER).all():
            out[col] = out[col].str.replace(",", ".", regex=False)
    return out


def _order_of(date_format: str | None, dayfirst: bool | None) -> bool | None:
    """The day/month order a timestamp format states, for a date-only column beside it."""
    if dayfirst is not None or date_format is None:
        return dayfirst
    day, month = date_format.find("%d"), date_format.find("%m")
    return None if min(day, month) < 0 else day < month


def _require_column(frame: pd.DataFrame, name: str, column: str, keyword: str | None) -> None:
    if column not in frame.columns:
        fix = f"rename the column or pass {keyword}=<name>" if keyword else "add or rename it"
        raise DataFileError(
            name, f"the file has no column {column!r} (it has {list(frame.columns)}); {fix}"
        )


def _parse_timestamps(
    values: pd.Series,
    name: str,
    column: str,
    tz: str | None,
    *,
    allow_missing: bool = False,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:
        try:
            parsed = intervals.parse_timestamp_text(
                values, dayfirst=dayfirst, date_format=date_format
            )
        except intervals.TimestampError as exc:
            raise DataFileError(name, str(exc), column=column, row=exc.row + 1) from None
        parsed.index = values.index
    missing = parsed.isna()
    if missing.any() and not allow_missing:
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise DataFileError(name, "timestamp is empty", column=column, row=i + 1)
    if tz is not None:
        parsed = _in_time_zone(parsed, tz, name, column)
    return parsed


def _in_time_zone(parsed: pd.Series, tz: str, name: str, column: str) -> pd.Series:
    """Naive wall-clock times placed in ``tz`` (refusing DST gaps and repeats), or converted."""
    try:
        if parsed.dt.tz is not None:
            return parsed.dt.tz_convert(tz)
        placed = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    except Exception as exc:  # an unknown zone name: zoneinfo and pytz raise several types
        raise DataFileError(name, f"unknown time zone {tz!r} ({exc})", column=column) from None
    lost = (placed.isna() & parsed.notna()).to_numpy()
    if lost.any():
        i = int(np.flatnonzero(lost)[0])
        value = parsed.iloc[i]
        try:
            pd.Timestamp(value).tz_localize(tz, ambiguous=True)
            what = "occurs twice (the hour repeated when clocks go back)"
        except Exception:  # nonexistent: the skipped hour
            what = "does not exist (the hour skipped when clocks go forward)"
        raise DataFileError(
            name,
            f"wall-clock time {value} {what} in {tz}; write the timestamps with their UTC "
            "offset, e.g. '2026-10-25 02:30+02:00'",
            column=column,
            row=i + 1,
        )
    return placed


def _parse_numbers(
    values: pd.Series, name: str, column: str, *, allow_empty: bool = False
) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.astype(np.float64)
        bad = pd.Series(False, index=values.index)
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text, errors="coerce").astype(np.float64)
        bad = numbers.isna() & text.notna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        hint = ""
        if re.match(_COMMA_NUMBER, str(values.iloc[i])):
            hint = (
                " (a decimal comma: read the file with decimal=','; a thousands separator: "
                "write the number without it)"
            )
        raise DataFileError(
            name, f"{values.iloc[i]!r} is not a number{hint}", column=column, row=i + 1
        )
    infinite = np.isinf(numbers.to_numpy())
    if infinite.any():
        i = int(np.flatnonzero(infinite)[0])
        raise DataFileError(
            name,
            f"{values.iloc[i]!r} is not a finite number; write the count (empty if unknown)",
            column=column,
            row=i + 1,
        )
    missing = numbers.isna()
    if missing.any() and not allow_empty:
        i = int(np.flatnonzero(missing.to_numpy())[0])
        raise DataFileError(name, "value is empty; fill it in", column=column, row=i + 1)
    return numbers


def _checked_numbers(
    frame: pd.DataFrame,
    name: str,
    column: str,
    *,
    ok: Callable[[pd.Series], pd.Series],
    rule: str,
    allow_empty: bool = False,
) -> pd.Series:
    """Parse a numeric column and reject the first row breaking ``rule``."""
    numbers = _parse_numbers(frame[column], name, column, allow_empty=allow_empty)
    bad = ~(ok(numbers) | numbers.isna()).to_numpy()
    if bad.any():
        i = _first_row(bad)
        raise DataFileError(name, f"{rule}, got {numbers.iloc[i - 1]:g}", column=column, row=i)
    return numbers


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + 1


def read_history(
    path: str | os.PathLike[str],
    *,
    queue_col: str | None = "queue",
    ds_col: str = "ds",
    volume_col: str = "volume",
    aht_col: str | None = "aht_s",
    tz: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read an interval history from a CSV or Parquet file.

    Parameters
    ----------
    path : path
        A ``.csv`` or ``.parquet`` file with one row per queue and interval.
    queue_col : str or None, optional
        Column holding the queue id; ``None`` for a single-queue file (the queue
        is then called ``"all"``).
    ds_col : str, optional
        Column holding the interval start (any ISO 8601 form, with or without
        a UTC offset; timestamps with offsets come back in UTC unless ``tz`` is
        given).
    volume_col : str, optional
        Column holding the contacts offered in the interval [-], >= 0.
    aht_col : str or None, optional
        Column holding the average handle time [s], > 0 (empty or 0 where the
        interval had no contacts, read as unknown).  With the default name
        the column may be absent (AHT is optional); a name passed explicitly must
        exist.  ``None`` ignores AHT.
    tz : str, optional
        Time zone (e.g. ``"Europe/Amsterdam"``) to localise naive timestamps in,
        or to convert offset-carrying timestamps to.  A naive wall-clock time that
        does not exist (the hour skipped when clocks go forward) or occurs twice
        (the hour repeated when they go back) is refused, naming the row: write
        such timestamps with their UTC offset.  Without ``tz``, naive
        timestamps stay naive wall-clock times (a DST day then simply has a
        missing or a repeated wall slot, which the grid handles) and offsets
        come back in UTC.
    dayfirst : bool, optional
        Order of numeric dates such as ``05/01/2026``: ``True`` reads 5 January,
        ``False`` 1 May.  Without it (and without ``date_format``) such dates
        are refused rather than guessed; ISO 8601 needs neither.
    date_format : str, optional
        Exact ``strftime`` format of every timestamp, e.g. ``"%d/%m/%Y %H:%M"``.
    sep : {",", ";", "\\t", "|"}, optional
        Column separator of a CSV file (``","`` by default).  A header split by
        ``;`` or tabs is refused without it rather than guessed.
    decimal : {".", ","}, optional
        Decimal mark of a CSV file's numbers (``"."`` by default); ``","``
        reads ``12,5`` as 12.5 (then ``sep`` must not be ``","``).

    Returns
    -------
    DataFrame
        Columns ``queue``, ``ds``, ``volume`` (float64; an empty cell is NaN, a
        missing interval that forecasting skips, not zero contacts) and, when
        present, ``aht_s`` (float64), with the standard names whatever the file
        used, sorted by queue and ``ds``; a ``channel`` (lower case) and a
        ``concurrency`` column are kept when the file has them (plans by skill
        group read them per queue).

    Raises
    ------
    DataFileError
        A ``ValueError`` whose message names the file, the column and the row
        (1-based data row; the CSV line too): a missing column, an unparsable or
        empty timestamp, a non-numeric or negative volume, a non-positive or
        empty AHT, or a repeated (queue, ds) pair.
    FileNotFoundError
        When ``path`` does not exist.

    Examples
    --------
    >>> from staffplan.datasets import read_history
    >>> history = read_history("my_history.csv", ds_col="interval_start")  # doctest: +SKIP
    """
    frame = read_table(path, what="history", as_text=True, sep=sep, decimal=decimal)
    name = os.fspath(path)
    if queue_col is not None:
        if queue_col not in frame.columns:
            raise DataFileError(
                name,
                f"the file has no column {queue_col!r} (it has {list(frame.columns)}); "
                "rename the column, pass queue_col=<name>, or queue_col=None for a "
                "single-queue file",
            )
    _require_column(frame, name, ds_col, "ds_col")
    _require_column(frame, name, volume_col, "volume_col")
    use_aht = aht_col is not None and (aht_col in frame.columns or aht_col != "aht_s")
    if aht_col is not None and use_aht:
        _require_column(frame, name, aht_col, "aht_col")

    out = pd.DataFrame(index=frame.index)
    if queue_col is None:
        out["queue"] = "all"
    else:
        queue = frame[queue_col]
        empty = queue.isna().to_numpy()
        if empty.any():
            raise DataFileError(name, "queue id is empty", column=queue_col, row=_first_row(empty))
        out["queue"] = (
            queue.astype(str).str.strip() if pd.api.types.is_string_dtype(queue) else queue
        )
    out["ds"] = _parse_timestamps(
        frame[ds_col], name, ds_col, tz, dayfirst=dayfirst, date_format=date_format
    )
    # An empty volume is a missing interval (the forecaster skips it), never zero contacts.
    out["volume"] = _checked_numbers(
        frame, name, volume_col, ok=lambda v: v >= 0, rule="volume must be >= 0", allow_empty=True
    )
    if aht_col is not None and use_aht:
        aht = _parse_numbers(frame[aht_col], name, aht_col, allow_empty=True)
        # An interval without contacts has no handle time: exports leave it empty or write 0.
        # Either reads as unknown (it weighs nothing in the volume-weighted AHT).
        no_contacts = out["volume"].fillna(0.0).eq(0.0)
        aht = aht.mask(no_contacts & aht.eq(0.0))
        bad = ~(aht.gt(0.0) | aht.isna()).to_numpy()
        if bad.any():
            i = _first_row(bad)
            raise DataFileError(
                name, f"aht_s must be > 0 [s], got {aht.iloc[i - 1]:g}", column=aht_col, row=i
            )
        out["aht_s"] = aht
        # A hole in a queue's AHT where it had contacts is a data error named by its row; a
        # queue with no AHT at all is read as missing, so that it can be left out (--queue)
        # or given one (aht_s=), and planning it as it is names the queue.
        empty = out["aht_s"].isna() & ~no_contacts
        holes = empty & out.groupby("queue", sort=False)["aht_s"].transform("count").gt(0)
        if holes.any():
            i = _first_row(holes.to_numpy())
            raise DataFileError(
                name,
                f"value is empty in an interval with {out['volume'].iloc[i - 1]:g} contact(s); "
                "write its average handle time [s] (only an interval without contacts may "
                "leave it empty)",
                column=aht_col,
                row=i,
            )
    # Channel and chat concurrency per queue ride along for plans by skill group
    # (checked there, naming the queue: staffplan.skills._plan.queue_channels).
    if "channel" in frame.columns:
        from staffplan.skills._plan import channel_names

        out["channel"] = channel_names(frame["channel"])
    if "concurrency" in frame.columns:
        out["concurrency"] = _checked_numbers(
            frame,
            name,
            "concurrency",
            ok=lambda v: (v >= 1) & (v == np.floor(v)),
            rule="concurrency must be a whole number >= 1 [contacts]",
            allow_empty=True,
        )
    dup = out.duplicated(["queue", "ds"], keep="first").to_numpy()
    if dup.any():
        i = _first_row(dup)
        raise DataFileError(
            name,
            f"queue {out['queue'].iloc[i - 1]!r} has a second row for "
            f"{out['ds'].iloc[i - 1]}; keep one row per queue and interval"
            + intervals.clock_back_hint(out["ds"].iloc[i - 1]),
            column=ds_col,
            row=i,
        )
    return out.sort_values(["queue", "ds"], kind="stable").reset_index(drop=True)


def read_events(
    path: str | os.PathLike[str],
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read known events (holidays, campaigns, launches) from a CSV or Parquet file.

    Each row needs a ``name`` and either a ``date`` (a whole day) or a ``start``
    (with an ``end``; without one the event lasts until the end of its day).
    ``kind`` is optional (``"holiday"``, ``"campaign"``, ...; ``"event"`` when
    absent or empty), and so are ``factor`` (the event's effect on volume [-],
    >= 0; 0 = closed, empty = learned) and ``queue`` (the queue it touches;
    empty = every queue), kept as the forecaster reads them.

    Parameters
    ----------
    path : path
        A ``.csv`` or ``.parquet`` file.
    tz, dayfirst, date_format, sep, decimal : optional
        As in :func:`read_history`.

    Returns
    -------
    DataFrame
        Columns ``date`` (the day the event starts, midnight), ``start``, ``end``
        (timestamps, ``end`` exclusive), ``name`` and ``kind``, plus ``factor``
        (float64) and ``queue`` when the file has them, sorted by ``start``.
        A day-only row spans ``date`` 00:00 to the next midnight.

    Raises
    ------
    DataFileError
        A missing ``name`` column or neither ``date`` nor ``start``, an
        unparsable timestamp, an empty name, or an ``end`` not after its ``start``,
        naming the file, column and row.
    FileNotFoundError
        When ``path`` does not exist.
    """
    frame = read_table(path, what="events", as_text=True, sep=sep, decimal=decimal)
    name = os.fspath(path)
    _require_column(frame, name, "name", None)
    if "date" not in frame.columns and "start" not in frame.columns:
        raise DataFileError(
            name,
            f"the file needs a 'date' column (whole days) or 'start'/'end' columns "
            f"(timestamps); it has {list(frame.columns)}",
        )
    parsed = {
        col: _parse_timestamps(
            frame[col],
            name,
            col,
            tz,
            allow_missing=True,
            dayfirst=_order_of(date_format, dayfirst) if col == "date" else dayfirst,
            date_format=date_format if col != "date" else None,
        )
        for col in ("date", "start", "end")
        if col in frame.columns
    }
    dtype = next(iter(parsed.values())).dtype
    missing = pd.Series(pd.NaT, index=frame.index, dtype=dtype)
    date = parsed["date"].dt.normalize() if "date" in parsed else missing
    start = parsed.get("start", missing)
    end = parsed.get("end", missing)
    start = start.fillna(date)
    no_when = start.isna().to_numpy()
    if no_when.any():
        raise DataFileError(
            name,
            "the event has neither a date nor a start",
            column="date" if "date" in frame.columns else "start",
            row=_first_row(no_when),
        )
    date = date.fillna(start.dt.normalize())
    end = end.fillna(start.dt.normalize() + pd.Timedelta(days=1))
    backwards = (end <= start).to_numpy()
    if backwards.any():
        i = _first_row(backwards)
        raise DataFileError(
            name,
            f"end {end.iloc[i - 1]} is not after start {start.iloc[i - 1]}",
            column="end",
            row=i,
        )
    names = frame["name"]
    empty = names.isna().to_numpy()
    if empty.any():
        raise DataFileError(name, "the event has no name", column="name", row=_first_row(empty))
    if "kind" in frame.columns:
        kind = frame["kind"].fillna("event").astype(str).str.strip()
    else:
        kind = pd.Series("event", index=frame.index)
    out = pd.DataFrame(
        {
            "date": date,
            "start": start,
            "end": end,
            "name": names.astype(str).str.strip(),
            "kind": kind,
        }
    )
    # Dropping these would forecast a day the file closes (factor 0) as an ordinary one.
    if "factor" in frame.columns:
        out["factor"] = _checked_numbers(
            frame,
            name,
            "factor",
            ok=lambda v: v >= 0,
            rule="factor must be >= 0 (0 = closed, 1 = an ordinary day)",
            allow_empty=True,
        )
    if "queue" in frame.columns:
        out["queue"] = frame["queue"].str.strip()
    return out.sort_values("start", kind="stable").reset_index(drop=True)


def _resource_text(filename: str) -> str:
    return resources.files("staffplan.datasets").joinpath(filename).read_text(encoding="utf-8")


def load_sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Load the bundled sample centre: eight weeks of 30-minute history and its events.

    The files were made by :func:`staffplan.datasets.generate_sample` with its
    defaults (the test suite regenerates them and checks they are identical): two
    queues (``sales``, ``service``), 2026-01-05 to 2026-02-28, open Monday-Friday
    07:00-21:00 and Saturday 09:00-17:00, a campaign on 2026-02-03 10:00-16:00 and
    a public holiday on 2026-02-16 (closed), plus a future campaign on 2026-03-03.

    Returns
    -------
    history : DataFrame
        ``queue``, ``ds`` (naive local time), ``volume`` (int64) and ``aht_s`` [s].
    events : DataFrame
        ``date``, ``start``, ``end``, ``name``, ``kind``.

    Examples
    --------
    >>> from staffplan.datasets import load_sample
    >>> history, events = load_sample()
    >>> list(history.columns)
    ['queue', 'ds', 'volume', 'aht_s']
    >>> int(history["ds"].dt.day_of_week.max())  # Saturday; closed on Sunday
    5
    """
    history = pd.read_csv(
        io.StringIO(_resource_text("sample_history.csv")),
        parse_dates=["ds"],
        dtype={"queue": str, "volume": np.int64, "aht_s": np.float64},
    )
    events = pd.read_csv(
        io.StringIO(_resource_text("sample_events.csv")),
        parse_dates=["date", "start", "end"],
        dtype={"name": str, "kind": str},
    )
    # pandas >= 3 parses to second resolution; every frame here is nanosecond.
    history["ds"] = history["ds"].dt.as_unit("ns")
    for col in ("date", "start", "end"):
        events[col] = events[col].dt.as_unit("ns")
    return history, events
