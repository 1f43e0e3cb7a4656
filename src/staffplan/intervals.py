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
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from staffplan._validation import ALLOWED_INTERVAL_MIN, check_int, check_interval_min

__all__ = [
    "MINUTES_PER_DAY",
    "as_datetime_index",
    "future_grid",
    "infer_interval_min",
    "local_day",
    "slot_of_day",
    "slots_per_day",
    "weekday",
]

MINUTES_PER_DAY = 1440
_NS_PER_MIN = 60 * 10**9


def as_datetime_index(ds: Any, name: str = "ds") -> pd.DatetimeIndex:
    """Convert timestamps (Series, Index, list, array) to a ``DatetimeIndex``.

    Raises ``ValueError`` naming ``name`` when values cannot be parsed or are missing.
    """
    if isinstance(ds, pd.DatetimeIndex):
        idx = ds
    elif isinstance(ds, (pd.Series, pd.Index)) and isinstance(
        ds.dtype, (pd.DatetimeTZDtype, np.dtypes.DateTime64DType)
    ):
        idx = pd.DatetimeIndex(ds)
    else:
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(ds).to_numpy()))
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


def local_day(ds: Any) -> pd.DatetimeIndex:
    """Local calendar day (naive midnight) of each timestamp."""
    idx = as_datetime_index(ds)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.normalize()


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
    uniq = np.unique(idx.asi8)
    if uniq.size < 2:
        raise ValueError(
            f"{name} needs at least two distinct timestamps to infer the interval length"
        )
    gaps = np.diff(uniq)
    if np.any(gaps % _NS_PER_MIN):
        raise ValueError(
            f"{name} must start on whole minutes; found gaps that are not whole minutes"
        )
    gaps_min = gaps // _NS_PER_MIN
    values, counts = np.unique(gaps_min, return_counts=True)
    step = int(values[np.argmax(counts)])
    if step not in ALLOWED_INTERVAL_MIN:
        raise ValueError(
            f"{name} has a most common spacing of {step} min; interval_min must be one of "
            f"{', '.join(map(str, ALLOWED_INTERVAL_MIN))} [min]"
        )
    _check_on_grid(idx, step, name)
    return step


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
