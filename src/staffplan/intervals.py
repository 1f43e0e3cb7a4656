"""The interval grid: frequency, slot of day, local days; DST-safe.

Contact-centre data lives on a grid of equal intervals (15, 30 or 60 minutes)
within opening hours.  Everything here works on *wall-clock* time: the slot of
an interval is its local start time divided by the interval length, and its
day is the local calendar day.  On a daylight-saving change day the grid
therefore has a missing slot (spring forward) or a slot that occurs twice
(fall back); both are handled by the functions below instead of being
mistaken for gaps or duplicates.

Timestamps may be naive (local wall clock) or tz-aware; a frame must use one
kind consistently.

This module is the one home of the interval length: :func:`interval_min_for`
infers it from the data or checks a given one against the data, and
:func:`horizon_span` turns a horizon into a duration.  Every entry point
(forecast, backtest, plan, the command line) goes through them, so an integer
horizon means the same everywhere: that many intervals of ``interval_min``.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import numpy as np
import pandas as pd

from staffplan._validation import ALLOWED_INTERVAL_MIN, check_int, check_interval_min, describe

__all__ = [
    "MAX_HORIZON_DAYS",
    "MINUTES_PER_DAY",
    "TimestampError",
    "as_datetime_index",
    "clock_back_hint",
    "clock_changed",
    "daily_open_mask",
    "elapsed_hours",
    "future_grid",
    "horizon_span",
    "infer_interval_min",
    "interval_min_for",
    "local_day",
    "next_operating_day",
    "opening_hours",
    "operating_day",
    "operating_day_start",
    "parse_timestamp_text",
    "slot_of_day",
    "slots_per_day",
    "wall_time",
    "weekday",
]

MINUTES_PER_DAY = 1440
_NS_PER_MIN = 60 * 10**9
#: Longest horizon accepted [days]: the models forecast weeks to months ahead, and a
#: typo such as ``"7000D"`` would otherwise build millions of intervals.
MAX_HORIZON_DAYS = 3 * 366
_UNITLESS = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def clock_back_hint(ts: pd.Timestamp) -> str:
    """The fix to append when a naive wall-clock time repeats at night (clocks put back).

    Returns an empty string for a time zone-aware or a daytime timestamp.
    """
    if ts.tzinfo is None and 0 <= ts.hour <= 3:
        return (
            " (if clocks went back that night, write every timestamp with its UTC offset, "
            f"e.g. {ts:%Y-%m-%d %H:%M}+02:00 and then +01:00)"
        )
    return ""


class TimestampError(ValueError):
    """A timestamp in text that cannot be read without guessing.

    Attributes
    ----------
    row : int
        0-based position of the first offending value.
    value : str
        That value.
    """

    def __init__(self, row: int, value: str, reason: str) -> None:
        self.row = row
        self.value = value
        super().__init__(reason if reason.startswith("cannot") else f"timestamp {value!r} {reason}")


_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
# A numeric day/month date: 05/01/2026, 5.1.2026, 05-01-2026 (the order is the question).
_DMY = r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})((?:[ T].*)?)$"


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy(dtype=bool))[0])


def parse_timestamp_text(
    text: Any, *, dayfirst: bool | None = None, date_format: str | None = None
) -> pd.Series:
    """Parse timestamps written as text, refusing to guess.

    ISO 8601 (``2026-01-05 07:30``, ``2026-01-05T07:30:00+01:00``) is read
    as is.  A numeric day/month date (``05/01/2026``) is read only when
    ``dayfirst`` says the order (``True``: 5 January; ``False``: 1 May);
    ``date_format`` (a ``strftime`` format) reads every value with that exact
    format.  Anything else raises :class:`TimestampError`.

    Time zones: values with a UTC offset come back in UTC (offsets may differ
    across a daylight-saving change); a column must give an offset on every
    value or on none.  Values without one are naive wall-clock times.

    Parameters
    ----------
    text : Series or sequence of str
        The values; empty (missing) values stay NaT.
    dayfirst : bool, optional
        Order of numeric day/month dates.
    date_format : str, optional
        Exact format, e.g. ``"%d/%m/%Y %H:%M"``.

    Returns
    -------
    pandas.Series of datetime64[ns] (tz UTC when the values carry offsets)
    """
    text = pd.Series(text).astype("string").str.strip()
    text = text.mask(text == "")
    present = text.notna()
    has_offset = text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool)
    if has_offset.any() and not has_offset[present].all():
        i = _first(~has_offset & present)
        raise TimestampError(
            i,
            str(text.iloc[i]),
            "has no UTC offset while others have one; write all with an offset or none",
        )
    utc = bool(has_offset.any())
    if date_format is not None:
        parsed = _to_datetime(text, date_format, utc)
        bad = parsed.isna() & present
        if bad.any():
            i = _first(bad)
            raise TimestampError(
                i, str(text.iloc[i]), f"does not match date_format {date_format!r}"
            )
        return parsed
    parts = text.str.extract(_DMY)
    dmy = parts[0].notna()
    if dmy.any():
        if dayfirst is None:
            i = _first(dmy)
            first, second = parts[0].astype(float), parts[2].astype(float)
            hint = ""
            if (first > 12).any():
                j = _first(first > 12)
                hint = f" (row {j + 1} has {text.iloc[j]!r}, which reads day first)"
            elif (second > 12).any():
                j = _first(second > 12)
                hint = f" (row {j + 1} has {text.iloc[j]!r}, which reads month first)"
            raise TimestampError(
                i,
                str(text.iloc[i]),
                "has no stated day/month order (05/01/2026 is 5 January day first, 1 May "
                "month first); say which with dayfirst=True or dayfirst=False, or give "
                f"date_format such as '%d/%m/%Y %H:%M'{hint}",
            )
        short = dmy & (parts[3].str.len() != 4)
        if short.any():
            i = _first(short)
            raise TimestampError(i, str(text.iloc[i]), "needs a four-digit year")
        day, month = (parts[0], parts[2]) if dayfirst else (parts[2], parts[0])
        iso = parts[3] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + parts[4]
        text = text.where(~dmy, iso)
    elif dayfirst is not None and not isinstance(dayfirst, (bool, np.bool_)):
        raise TypeError(f"dayfirst must be True, False or None, got {dayfirst!r}")
    parsed = _to_datetime(text, "ISO8601", utc)
    bad = parsed.isna() & present
    if bad.any():
        i = _first(bad)
        order = "day" if dayfirst else "month"
        reason = (
            f"is not a valid {order}-first date"
            if dmy.iloc[i]
            else f"cannot parse timestamp {_orig(text, parts, dmy, i)!r}; use a form such as "
            "'2026-01-05 07:30' (ISO 8601) or give date_format"
        )
        raise TimestampError(i, _orig(text, parts, dmy, i), reason)
    return parsed


def _to_datetime(text: pd.Series, fmt: str, utc: bool) -> pd.Series:
    """``pd.to_datetime`` with coercion, in nanoseconds, naming a value out of that range.

    Text such as ``'-1'`` reads as the year -1: pandas either raises on it or parses it
    at a coarser unit that nanoseconds cannot hold, so the range is checked here.
    """

    def outside(i: int, value: Any) -> TimestampError:
        return TimestampError(
            i,
            str(value),
            f"is outside the dates a timestamp can hold ({pd.Timestamp.min.year + 1}-"
            f"{pd.Timestamp.max.year - 1}); use a form such as '2026-01-05 07:30'",
        )

    try:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=utc)
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        for i, value in enumerate(text):
            try:
                pd.to_datetime(pd.Series([value]), format=fmt, errors="coerce", utc=utc)
            except (pd.errors.OutOfBoundsDatetime, OverflowError):
                raise outside(i, value) from None
        raise
    try:
        return parsed.dt.as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError):
        lo, hi = pd.Timestamp.min, pd.Timestamp.max
        if utc:
            lo, hi = lo.tz_localize("UTC"), hi.tz_localize("UTC")
        i = _first((parsed < lo) | (parsed > hi))
        raise outside(i, text.iloc[i]) from None


def _orig(text: pd.Series, parts: pd.DataFrame, dmy: pd.Series, i: int) -> str:
    if not dmy.iloc[i]:
        return str(text.iloc[i])
    row = parts.iloc[i]
    return f"{row[0]}{row[1]}{row[2]}{row[1]}{row[3]}{row[4]}"


def as_datetime_index(ds: Any, name: str = "ds") -> pd.DatetimeIndex:
    """Convert timestamps (Series, Index, list, array) to a ``DatetimeIndex``.

    Datetime values are taken as they are; text goes through
    :func:`parse_timestamp_text` (ISO 8601 only: a day/month order is never
    guessed; read files with :func:`staffplan.datasets.read_history` and its
    ``dayfirst`` / ``date_format`` for other forms).  Numbers are refused
    (they would silently become nanoseconds since 1970).

    Raises ``ValueError`` naming ``name`` when values cannot be parsed or are missing.
    """
    if isinstance(ds, pd.DatetimeIndex):
        idx = ds
    elif isinstance(ds, (pd.Series, pd.Index)) and isinstance(
        ds.dtype, (pd.DatetimeTZDtype, np.dtypes.DateTime64DType)
    ):
        idx = pd.DatetimeIndex(ds)
    else:
        values = pd.Series(ds) if np.ndim(ds) else pd.Series([ds])
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            raise ValueError(
                f"{name} must hold timestamps, got numbers (dtype {values.dtype}); "
                "convert them with pd.to_datetime(..., unit=...) first"
            )
        present = values.dropna()
        if len(present) and all(isinstance(v, str) for v in present):
            try:
                idx = pd.DatetimeIndex(parse_timestamp_text(values))
            except TimestampError as exc:
                raise ValueError(f"{name}, row {exc.row + 1}: {exc}") from None
        else:
            if any(isinstance(v, (bool, int, float, complex, np.number)) for v in present):
                raise ValueError(f"{name} must hold timestamps, got numbers among them")
            try:
                idx = pd.DatetimeIndex(pd.to_datetime(values.to_numpy()))
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"{name} must hold timestamps, got values that do not parse ({exc})"
                ) from None
    if idx.hasnans:
        raise ValueError(f"{name} must not contain missing timestamps (NaT)")
    # pandas >= 3 keeps the parsed resolution (s, ms, us); integer arithmetic on
    # ``asi8`` below assumes nanoseconds.
    return idx.as_unit("ns")


def _wall_minutes(idx: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(idx.hour * 60 + idx.minute, dtype=np.int64)


def slots_per_day(interval_min: int) -> int:
    """Number of wall-clock slots in a day for ``interval_min`` [min]."""
    return MINUTES_PER_DAY // check_interval_min(interval_min)


def slot_of_day(ds: Any, interval_min: int) -> np.ndarray:
    """Wall-clock slot index of each timestamp: ``(hour*60 + minute) // interval_min``.

    Parameters
    ----------
    ds : timestamps
        Interval starts, naive (local) or tz-aware (converted to their own local time).
    interval_min : int
        Interval length [min].

    Returns
    -------
    numpy.ndarray of int64, in ``0 .. slots_per_day - 1``.

    Examples
    --------
    >>> slot_of_day(["2024-01-01 07:30"], 30).tolist()
    [15]
    """
    step = check_interval_min(interval_min)
    return _wall_minutes(as_datetime_index(ds)) // step


def wall_time(ds: Any) -> pd.DatetimeIndex:
    """Timestamps as naive local wall-clock time, the roster's and the report's clock.

    Time-zone-aware values keep their zone's clock (09:00+02:00 becomes 09:00), so a
    roster on naive time matches aware history by its wall-clock time.  Missing values
    (NaT, such as the lunch of a shift without one) stay missing; text goes through
    :func:`as_datetime_index` (ISO 8601 only).
    """
    if isinstance(ds, pd.DatetimeIndex):
        idx = ds
    else:
        values = pd.Series(ds) if np.ndim(ds) else pd.Series([ds])
        if pd.api.types.is_datetime64_any_dtype(values.dtype) or values.isna().all():
            idx = pd.DatetimeIndex(values)
        else:
            idx = as_datetime_index(values)
    return idx.tz_localize(None) if idx.tz is not None else idx


def _instants_ns(ts: pd.DatetimeIndex, tz: Any) -> tuple[np.ndarray, np.ndarray]:
    """Earliest and latest UTC instants [ns since 1970] a timestamp can stand for.

    They differ only for a wall-clock time the clocks show twice (fall back); a
    time they skip (spring forward) stands for the moment they jump.  NaT stays NaT.
    """
    if ts.tz is not None or tz is None:
        ns = ts.tz_convert("UTC").asi8 if ts.tz is not None else ts.asi8
        return ns, ns
    n = len(ts)
    try:
        a = ts.tz_localize(tz, ambiguous=np.ones(n, bool), nonexistent="shift_forward").asi8
    except Exception as exc:  # an unknown zone name: zoneinfo and pytz raise several types
        raise ValueError(f"tz must be a time zone such as 'Europe/London', got {tz!r}") from exc
    b = ts.tz_localize(tz, ambiguous=np.zeros(n, bool), nonexistent="shift_forward").asi8
    # Which reading is "DST" depends on the zone's rules; order them by time instead.
    return np.minimum(a, b), np.maximum(a, b)


def clock_changed(ts: Any, tz: Any, *, skipped_only: bool = False) -> np.ndarray:
    """Whether each wall-clock time is one the clocks of ``tz`` show twice or skip.

    The times of the hour repeated when the clocks go back (01:00-01:59 in
    Europe/London on the last Sunday of October) and of the hour skipped when they
    go forward (only those with ``skipped_only``); False for every other time, for
    NaT and when ``tz`` is None.

    Examples
    --------
    >>> clock_changed(["2026-10-25 00:30", "2026-10-25 01:30", "2026-03-29 01:00"],
    ...               "Europe/London").tolist()
    [False, True, True]
    """
    idx = _timestamp_index(ts, "ts")
    if tz is None or idx.tz is not None:
        return np.zeros(len(idx), dtype=bool)
    try:
        placed = idx.tz_localize(
            tz, ambiguous=np.ones(len(idx), bool) if skipped_only else "NaT", nonexistent="NaT"
        )
    except Exception as exc:  # an unknown zone name: zoneinfo and pytz raise several types
        raise ValueError(f"tz must be a time zone such as 'Europe/London', got {tz!r}") from exc
    return np.asarray(placed.isna() & ~idx.isna())


def elapsed_hours(start: Any, end: Any, *, tz: Any = None) -> np.ndarray:
    """Hours that really pass from each ``start`` to its ``end`` [h], across clock changes.

    A shift 19:00-03:00 over the night the clocks go back one hour lasts 9 h, over
    the night they go forward 7 h, any other night 8 h.  Rosters are planned in
    wall-clock time; their paid and worked hours are measured with this function.

    Parameters
    ----------
    start, end : timestamps (scalar, sequence, Series or DatetimeIndex)
        Naive local wall-clock times (read in ``tz``) or tz-aware times; NaT
        gives NaN.  Equal lengths, or one of them a single value.
    tz : str or tzinfo, optional
        Time zone of naive wall-clock times (``None``: no clock changes, the
        wall-clock difference).

    Returns
    -------
    numpy.ndarray of float
        Elapsed hours [h], one per pair.

    Notes
    -----
    A wall-clock time the clocks show twice (the hour repeated when they go
    back) is read so that the span is as short as it can be without being
    negative: a span gains the repeated hour only when it starts before that
    hour and ends after it (19:00-03:00 above), while a lunch 01:30-02:00 inside
    it lasts 30 min and a shift ending at 01:30 ends the first time the clock
    shows 01:30.  A time the clocks skip reads as the moment they jump (a shift
    starting at 01:30 when 01:00-02:00 is skipped starts at 02:00).

    Examples
    --------
    >>> elapsed_hours("2026-10-24 19:00", "2026-10-25 03:00", tz="Europe/London").tolist()
    [9.0]
    >>> elapsed_hours("2026-03-28 19:00", "2026-03-29 03:00", tz="Europe/London").tolist()
    [7.0]
    """
    a, b = _timestamp_index(start, "start"), _timestamp_index(end, "end")
    if (a.tz is None) != (b.tz is None):
        raise ValueError(
            f"start and end must both be tz-aware or both naive, got start tz={a.tz}, end tz={b.tz}"
        )
    if len(a) != len(b) and 1 not in (len(a), len(b)):
        raise ValueError(f"start and end must have equal lengths, got {len(a)} and {len(b)}")
    (a1, a2), (b1, b2) = _instants_ns(a, tz), _instants_ns(b, tz)
    # Every reading of the pair; the shortest that is not negative (the wall-clock
    # length unless the span crosses the clock change).
    spans = np.stack(np.broadcast_arrays(b1 - a2, b1 - a1, b2 - a2, b2 - a1)).astype(float)
    shortest = np.where(spans >= 0, spans, np.inf).min(axis=0, initial=np.inf)
    ns = np.where(np.isfinite(shortest), shortest, spans.max(axis=0, initial=-np.inf))
    missing = np.logical_or(np.asarray(a.isna()), np.asarray(b.isna()))
    return np.where(missing, np.nan, ns / 3.6e12)


def _timestamp_index(ts: Any, name: str) -> pd.DatetimeIndex:
    """Timestamps as a ``DatetimeIndex`` in nanoseconds, missing values kept as NaT."""
    values = pd.Series(ts) if np.ndim(ts) else pd.Series([ts])
    if values.isna().all():
        return pd.DatetimeIndex(pd.to_datetime(values)).as_unit("ns")
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        present = values.notna()
        parsed = as_datetime_index(values[present], name)
        values = pd.Series(pd.NaT, index=values.index, dtype=parsed.dtype)
        values[present] = parsed
    return pd.DatetimeIndex(values).as_unit("ns")


def local_day(ds: Any) -> pd.DatetimeIndex:
    """Local calendar day (naive midnight) of each timestamp."""
    return wall_time(as_datetime_index(ds)).normalize()


def opening_hours(is_open: np.ndarray) -> tuple[int, int]:
    """Opening slot and number of slots from opening to closing of a daily open mask.

    Closing time is where the longest closed run of slots starts (wrapping past midnight);
    the centre opens where it ends.  Round the clock, or never open: ``(0, slots per day)``.
    """
    n_slots = is_open.size
    if is_open.all() or not is_open.any():
        return 0, n_slots
    # Doubling the day makes a closed run across midnight contiguous.
    closed = np.r_[~is_open, ~is_open].astype(np.int8)
    edges = np.diff(np.r_[0, closed, 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    k = int(np.argmax(ends - starts))
    close_slot = int(starts[k]) % n_slots
    open_slot = int(ends[k]) % n_slots
    return open_slot, (close_slot - open_slot) % n_slots


def operating_day_start(is_open: Any) -> int:
    """First slot of the centre's operating day, for a daily open mask (one bool per slot).

    The operating day runs from opening time (:func:`opening_hours`) to the next
    opening.  When it does not cross midnight (a day centre, or round the clock) it
    holds the same open slots as the calendar day, which is then used: slot 0.  A
    night centre open 22:00-06:00 starts its day at 22:00, so the hours after
    midnight belong to the night that began the evening before.
    """
    mask = np.asarray(is_open, dtype=bool)
    open_slot, n_open = opening_hours(mask)
    return open_slot if open_slot + n_open > mask.size else 0


def operating_day(ds: Any, day_start_min: int = 0) -> pd.DatetimeIndex:
    """Operating day (naive midnight of the day it began) of each timestamp.

    ``day_start_min`` is the wall-clock start of the operating day [min after
    midnight]; 0 gives the local calendar day (:func:`local_day`).  With 1320
    (22:00) the interval at 02:00 on 3 March belongs to the day of 2 March.

    Examples
    --------
    >>> operating_day(["2024-03-03 02:00", "2024-03-03 22:00"], 1320).strftime("%d").tolist()
    ['02', '03']
    """
    wall = wall_time(as_datetime_index(ds))
    return (wall - pd.Timedelta(minutes=int(day_start_min))).normalize()


def daily_open_mask(ds: Any, volume: Any, interval_min: int) -> np.ndarray:
    """Daily open mask of a history: the wall-clock slots with contacts on some day.

    Parameters
    ----------
    ds : timestamps
        Interval starts (several queues may repeat them: their hours add up).
    volume : array-like
        Contacts offered in each interval [contacts]; zero or missing is closed.
    interval_min : int
        Interval length [min].

    Returns
    -------
    numpy.ndarray of bool, one per slot of the day (:func:`slots_per_day`).
    """
    mask = np.zeros(slots_per_day(interval_min), dtype=bool)
    busy = np.nan_to_num(np.asarray(volume, dtype=np.float64)) > 0
    mask[slot_of_day(as_datetime_index(ds)[busy], interval_min)] = True
    return mask


def next_operating_day(after: pd.Timestamp, is_open: Any, interval_min: int) -> pd.Timestamp:
    """Start of the first operating day that begins at or after ``after``.

    The operating day starts at :func:`operating_day_start` of the daily open mask
    ``is_open``: midnight for a day centre, a split day or a round-the-clock centre
    (so this is the next midnight), 22:00 for a centre open 22:00-06:00, so that the
    first day is a whole night and not one cut at midnight.

    Parameters
    ----------
    after : Timestamp
        Earliest start (naive wall clock, or tz-aware: the start is then that zone's
        wall-clock time).
    is_open : array-like of bool
        Daily open mask, one per slot (:func:`daily_open_mask`).
    interval_min : int
        Interval length [min] of the mask's slots.

    Examples
    --------
    >>> night = np.zeros(48, dtype=bool)
    >>> night[44:], night[:12] = True, True  # 22:00-06:00
    >>> next_operating_day(pd.Timestamp("2024-03-11 06:00"), night, 30)
    Timestamp('2024-03-11 22:00:00')
    """
    after = pd.Timestamp(after)
    day_start = pd.Timedelta(minutes=operating_day_start(is_open) * interval_min)
    wall = wall_time([after])[0]
    start = operating_day([wall], int(day_start.total_seconds() // 60))[0] + day_start
    if start < wall:
        start += pd.Timedelta(days=1)
    if after.tz is None:
        return start
    # A wall time that occurs twice: the first, unless that is before ``after``.
    out = start.tz_localize(after.tz, ambiguous=True, nonexistent="shift_forward")
    if out < after:
        out = start.tz_localize(after.tz, ambiguous=False, nonexistent="shift_forward")
    return out


def weekday(ds: Any) -> np.ndarray:
    """Local weekday of each timestamp, Monday = 0 .. Sunday = 6."""
    return np.asarray(local_day(ds).day_of_week, dtype=np.int64)


def infer_interval_min(ds: Any, *, name: str = "ds") -> int:
    """Infer the interval length [min] of a series of interval starts.

    The length is the most common positive gap between consecutive distinct
    timestamps (gaps across closed hours or missing days are longer and do not
    count).  Every timestamp must then sit on that grid: a wall-clock start
    that is not a multiple of the length means mixed frequencies and raises.

    Raises
    ------
    ValueError
        Fewer than two distinct timestamps, a length not in 5, 10, 15, 20, 30,
        60 minutes, or timestamps off the grid (mixed frequency).
    """
    idx = as_datetime_index(ds, name)
    step = _most_common_gap_min(idx, name)
    if step is None:
        raise ValueError(
            f"{name} needs at least two distinct timestamps to infer the interval length; "
            "pass interval_min"
        )
    if step not in ALLOWED_INTERVAL_MIN:
        raise ValueError(
            f"{name} has a most common spacing of {step} min; interval_min must be one of "
            f"{', '.join(map(str, ALLOWED_INTERVAL_MIN))} [min]"
        )
    _check_on_grid(idx, step, name)
    return step


def _most_common_gap_min(idx: pd.DatetimeIndex, name: str) -> int | None:
    uniq = np.unique(idx.asi8)
    if uniq.size < 2:
        return None
    gaps = np.diff(uniq)
    if np.any(gaps % _NS_PER_MIN):
        raise ValueError(
            f"{name} must start on whole minutes; found gaps that are not whole minutes"
        )
    values, counts = np.unique(gaps // _NS_PER_MIN, return_counts=True)
    return int(values[np.argmax(counts)])


def interval_min_for(ds: Any, interval_min: Any = None, *, name: str = "ds") -> int:
    """The interval length [min] of ``ds``: inferred, or a given one checked against it.

    Parameters
    ----------
    ds : timestamps
        Interval starts (one queue or several; repeats are fine).
    interval_min : int, optional
        The length the caller states.  ``None`` infers it
        (:func:`infer_interval_min`).
    name : str
        How ``ds`` is named in error messages.

    Returns
    -------
    int
        Interval length [min].

    Raises
    ------
    ValueError
        A given length that disagrees with the data (30-minute history with
        ``interval_min=15`` would double every count per hour, and the
        reverse would leave every other slot empty), timestamps off its grid,
        or a length that cannot be inferred.

    Examples
    --------
    >>> interval_min_for(["2024-01-01 08:00", "2024-01-01 08:30"])
    30
    """
    if interval_min is None:
        return infer_interval_min(ds, name=name)
    step = check_interval_min(interval_min)
    idx = as_datetime_index(ds, name)
    data_step = _most_common_gap_min(idx, name)
    if data_step is not None and data_step != step:
        raise ValueError(
            f"{name}: the intervals are {data_step} min apart, not interval_min={step}; "
            f"pass interval_min={data_step} or leave it out"
        )
    _check_on_grid(idx, step, name)
    return step


def horizon_span(horizon: Any, interval_min: int, *, name: str = "horizon") -> pd.Timedelta:
    """The length of a horizon as a duration.

    A horizon is either a duration *with a unit* (``"7D"``, ``"12h"``, a
    ``Timedelta``) or an ``int`` counting intervals of ``interval_min``
    (``96`` on a 30-minute grid is ``"2D"``).  A number without a unit written
    as text (``"7"``) is refused rather than guessed (pandas would read it as
    7 nanoseconds).

    Parameters
    ----------
    horizon : int, str or Timedelta
        The horizon.
    interval_min : int
        Interval length [min].
    name : str
        How the horizon is named in error messages.

    Returns
    -------
    pandas.Timedelta
        A positive whole number of intervals, at most ``MAX_HORIZON_DAYS`` days.

    Examples
    --------
    >>> horizon_span(96, 30)
    Timedelta('2 days 00:00:00')
    >>> horizon_span("12h", 30)
    Timedelta('0 days 12:00:00')
    """
    step_min = check_interval_min(interval_min)
    step = pd.Timedelta(minutes=step_min)
    if isinstance(horizon, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be an int (a number of intervals) or a duration such as "
            f"'7D', got {horizon!r}"
        )
    if isinstance(horizon, np.timedelta64) and np.datetime_data(horizon.dtype)[0] == "generic":
        # numpy counts a unit-less timedelta64 as an integer: refuse it before the int branch.
        raise ValueError(
            f"{name} {horizon!r} has no unit; give it one, e.g. np.timedelta64(7, 'D')"
        )
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, np.timedelta64):
        n = check_int(horizon, name, minimum=1)
        if n > MAX_HORIZON_DAYS * MINUTES_PER_DAY // step_min:
            raise ValueError(
                f"{name} must be at most {MAX_HORIZON_DAYS} days, got {n} intervals of "
                f"{step_min} min"
            )
        return step * n
    if isinstance(horizon, str):
        text = horizon.strip()
        if _UNITLESS.fullmatch(text):
            count = f"give the integer {text} for that many {step_min}-min intervals"
            raise ValueError(
                f"{name} {horizon!r} has no unit: write '{text}D' for days or '{text}h' for "
                f"hours" + (f", or {count}" if text.isdigit() else "")
            )
        try:
            td = pd.Timedelta(text)
        except (ValueError, OverflowError):
            raise ValueError(
                f"{name} must be a duration such as '7D' or '12h' (or an int number of "
                f"intervals), got {horizon!r}"
            ) from None
    elif isinstance(horizon, (pd.Timedelta, np.timedelta64, _dt.timedelta)):
        td = pd.Timedelta(horizon)
    else:
        raise TypeError(
            f"{name} must be an int (a number of intervals) or a duration such as '7D', "
            f"got {describe(horizon)}"
        )
    if pd.isna(td) or td <= pd.Timedelta(0):
        raise ValueError(f"{name} must be a positive duration, got {horizon!r}")
    if td > pd.Timedelta(days=MAX_HORIZON_DAYS):
        raise ValueError(f"{name} must be at most {MAX_HORIZON_DAYS} days, got {horizon!r}")
    if td % step:
        raise ValueError(
            f"{name} must be a whole number of {step_min}-min intervals, got {horizon!r}"
        )
    return td


def _check_on_grid(idx: pd.DatetimeIndex, step: int, name: str) -> None:
    wall = _wall_minutes(idx)
    off = (wall % step != 0) | (np.asarray(idx.second) != 0)
    if np.any(off):
        bad = idx[np.argmax(off)]
        raise ValueError(
            f"{name} mixes frequencies: {bad} is not on the {step}-minute grid "
            "(resample the history to one interval length first)"
        )


def future_grid(last: pd.Timestamp, n: int, interval_min: int) -> pd.DatetimeIndex:
    """The ``n`` interval starts after ``last``, stepping in absolute time.

    Stepping in absolute (UTC) time is what makes the grid DST-safe: a
    spring-forward day gets one slot fewer, a fall-back day repeats the wall
    slot of the doubled hour, exactly as a real clock does.  For naive
    timestamps the step is plain wall-clock arithmetic.
    """
    n = check_int(n, "n", minimum=0)
    step = pd.Timedelta(minutes=check_interval_min(interval_min))
    last = pd.Timestamp(last)
    if last.tz is not None:
        utc = pd.date_range(last.tz_convert("UTC") + step, periods=n, freq=step)
        return utc.tz_convert(last.tz).as_unit("ns")
    return pd.date_range(last + step, periods=n, freq=step).as_unit("ns")
