"""Long history frame ──▶ one day × slot matrix per queue (validated, float64)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan._validation import check_columns

__all__ = [
    "DEFAULT_QUEUE",
    "Columns",
    "QueueGrid",
    "describe_gaps",
    "group_history",
    "missing_days",
    "missing_intervals",
    "weekly_naive_mae",
]

DEFAULT_QUEUE = "all"
#: Largest volume accepted in one interval [contacts]: far above any centre, and low
#: enough that sums over years of intervals stay finite in float64.
MAX_VOLUME = 1e12


@dataclass(frozen=True)
class Columns:
    """Column names of the long frames (overridable by the caller)."""

    queue: str = "queue"
    ds: str = "ds"
    volume: str = "volume"
    aht: str = "aht_s"


@dataclass
class QueueGrid:
    """One queue's history as a matrix of local days × wall-clock slots.

    ``y[d, s]`` is the volume of slot ``s`` on day ``start_day + d``; NaN means
    no row (closed, missing day or the hour skipped by a DST change).  When a
    fall-back day repeats a wall slot the two rows are averaged, so a cell is
    always the volume *per interval*.
    """

    queue: Any
    interval_min: int
    tz: Any
    start_day: pd.Timestamp
    y: np.ndarray
    aht: np.ndarray | None
    last_ds: pd.Timestamp
    first_ds: pd.Timestamp

    @property
    def n_days(self) -> int:
        return int(self.y.shape[0])

    @property
    def weekday(self) -> np.ndarray:
        return (self.start_day.day_of_week + np.arange(self.n_days)) % 7

    @property
    def present(self) -> np.ndarray:
        return ~np.all(np.isnan(self.y), axis=1)


def weekly_naive_mae(y: np.ndarray) -> float:
    """In-sample MAE of the same-slot-last-week naive forecast on a day × slot matrix.

    Pairs where either cell is missing are skipped: a missing day is missing,
    not zero.
    """
    if y.shape[0] <= 7:
        return float("nan")
    err = np.abs(y[7:] - y[:-7])
    return float(np.nanmean(err)) if np.any(np.isfinite(err)) else float("nan")


def _numeric_column(values: pd.Series, label: str) -> np.ndarray:
    """A column as float64; text that is not a number, booleans or complex values raise."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        raise TypeError(f"{label} must hold real numbers, got dtype {dtype}")
    try:
        numbers = pd.to_numeric(values, errors="coerce")
        out = np.asarray(numbers, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{label} must hold real numbers, got dtype {dtype}") from None
    bad = np.isnan(out) & values.notna().to_numpy()
    if np.any(bad):
        i = int(np.argmax(bad))
        raise TypeError(
            f"{label} must hold numbers, got {values.iloc[i]!r} in row {i + 1}; "
            "an unknown interval is an empty cell (NaN)"
        )
    return out


def group_history(
    history: pd.DataFrame,
    cols: Columns,
    *,
    interval_min: int | None = None,
    name: str = "history",
) -> tuple[list[QueueGrid], bool]:
    """Validate ``history`` and build one :class:`QueueGrid` per queue.

    Returns the grids (sorted by queue) and whether the frame had a queue column.
    Rows are sorted by (queue, ds) internally, so an unsorted frame is accepted;
    the caller's frame is never modified.  Rows with a missing volume are
    treated as missing intervals.

    Raises
    ------
    ValueError
        Missing columns, unparsable or duplicate timestamps for a queue,
        negative volume, mixed interval lengths, negative handle time.
    """
    required = [cols.ds, cols.volume]
    check_columns(history, required, name)
    has_queue = cols.queue in history.columns
    if len(history) == 0:
        raise ValueError(f"{name} must have at least one row, got an empty frame")
    ds = intervals.as_datetime_index(history[cols.ds], f"{name}[{cols.ds!r}]")
    vol = _numeric_column(history[cols.volume], f"{name}[{cols.volume!r}]")
    has_aht = cols.aht in history.columns
    aht = None
    if has_aht:
        aht = _numeric_column(history[cols.aht], f"{name}[{cols.aht!r}]")
    queues = history[cols.queue].to_numpy() if has_queue else np.full(len(history), DEFAULT_QUEUE)
    no_queue = pd.isna(queues)
    if np.any(no_queue):
        i = int(np.argmax(no_queue))
        raise ValueError(
            f"{name}[{cols.queue!r}] is empty in row {i + 1} ({cols.ds} {history[cols.ds].iloc[i]}); "
            "give every row its queue id"
        )
    codes, labels = pd.factorize(pd.Series(queues), sort=True)
    order = np.lexsort((ds.asi8, codes))
    codes, ds, vol = codes[order], ds[order], vol[order]
    if aht is not None:
        aht = aht[order]
    keep = ~np.isnan(vol)
    neg = keep & ~((vol >= 0) & (vol <= MAX_VOLUME))
    if np.any(neg):
        i = int(np.argmax(neg))
        rule = ">= 0" if vol[i] < 0 else f"finite, at most {MAX_VOLUME:g} contacts per interval"
        raise ValueError(
            f"{name}[{cols.volume!r}] must be {rule}, got {vol[i]:g} "
            f"(queue {labels[codes[i]]!r}, {cols.ds} {ds[i]}); an unknown interval is NaN"
        )
    if aht is not None:
        bad_aht = keep & ~np.isnan(aht) & ~((aht >= 0) & np.isfinite(aht))
        # Contacts with no handle time: an export's 0 for "unknown" would pull the
        # volume-weighted AHT down and understaff every interval.
        zero = keep & (aht == 0) & (vol > 0)
        if np.any(bad_aht | zero):
            i = int(np.argmax(bad_aht | zero))
            rule = "> 0 [s] in an interval with contacts" if zero[i] else "a finite number >= 0 [s]"
            raise ValueError(
                f"{name}[{cols.aht!r}] must be {rule}, got {aht[i]:g} "
                f"(queue {labels[codes[i]]!r}, {cols.ds} {ds[i]}, {vol[i]:g} contacts); "
                "an unknown AHT is NaN"
            )
    dup = np.r_[False, (codes[1:] == codes[:-1]) & (ds.asi8[1:] == ds.asi8[:-1])]
    if np.any(dup):
        i = int(np.argmax(dup))
        raise ValueError(
            f"{name} has duplicate timestamps for queue {labels[codes[i]]!r}: "
            f"{cols.ds}={ds[i]} appears more than once (aggregate them first)"
            + intervals.clock_back_hint(ds[i])
        )
    offsets = np.r_[0, np.flatnonzero(np.diff(codes)) + 1, codes.size]
    grids = []
    for q in range(len(offsets) - 1):
        lo, hi = offsets[q], offsets[q + 1]
        sel = slice(lo, hi)
        qds, qvol, qkeep = ds[sel], vol[sel], keep[sel]
        qname = (
            f"{name}[{cols.ds!r}] (queue {labels[q]!r})" if has_queue else f"{name}[{cols.ds!r}]"
        )
        step = intervals.interval_min_for(qds, interval_min, name=qname)
        qds, qvol = qds[qkeep], qvol[qkeep]
        qaht = aht[sel][qkeep] if aht is not None else None
        if len(qds) == 0:
            raise ValueError(f"{name} has no non-missing volume for queue {labels[q]!r}")
        if not np.any(qvol > 0):
            raise ValueError(
                f"{name}[{cols.volume!r}] is 0 in every interval for queue {labels[q]!r}: "
                "there is no contact to learn opening hours or a level from; check the "
                "volume column, or leave the queue out"
            )
        grids.append(_to_grid(labels[q], qds, qvol, qaht, step))
    return grids, has_queue


def _to_grid(
    queue: Any, ds: pd.DatetimeIndex, vol: np.ndarray, aht: np.ndarray | None, step: int
) -> QueueGrid:
    day = intervals.local_day(ds)
    start = day[0]
    d = np.asarray((day - start).days, dtype=np.int64)
    s = intervals.slot_of_day(ds, step)
    n_days, n_slots = int(d[-1]) + 1, intervals.slots_per_day(step)
    flat = d * n_slots + s
    size = n_days * n_slots
    cnt = np.bincount(flat, minlength=size).astype(np.float64)
    tot = np.bincount(flat, weights=vol, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):  # empty cells become NaN on purpose
        y = (tot / cnt).reshape(n_days, n_slots)
        a = None
        if aht is not None:
            ok = np.isfinite(aht)
            w = np.where(ok, vol, 0.0)
            num = np.bincount(flat, weights=np.where(ok, aht * vol, 0.0), minlength=size)
            den = np.bincount(flat, weights=w, minlength=size)
            a = (num / den).reshape(n_days, n_slots)
    return QueueGrid(
        queue=queue,
        interval_min=step,
        tz=ds.tz,
        start_day=start,
        y=y,
        aht=a,
        last_ds=ds[-1],
        first_ds=ds[0],
    )


def missing_intervals(g: QueueGrid, covered: np.ndarray | None = None) -> pd.DatetimeIndex:
    """Open intervals without a row inside days that have rows (a gap, not a closure).

    A cell counts as open when the same weekday and slot has a value one
    week before and one week after (whichever exist), so a change of opening
    hours is not a gap.  Whole missing days (closures, holidays), the hours
    before the first and after the last row, cells in ``covered`` (events)
    and wall times that do not exist (the hour skipped by a DST change) are
    not reported.
    """
    y = g.y
    n_days = y.shape[0]
    empty = np.isnan(y)
    prev = np.full(y.shape, np.nan)
    nxt = np.full(y.shape, np.nan)
    prev[7:], nxt[:-7] = y[:-7], y[7:]
    neighbours_open = (
        (np.isfinite(prev) | (np.arange(n_days) < 7)[:, None])
        & (np.isfinite(nxt) | (np.arange(n_days) >= n_days - 7)[:, None])
        & (np.isfinite(prev) | np.isfinite(nxt))
    )
    gap = empty & neighbours_open & g.present[:, None]
    step = g.interval_min
    gap[0, : intervals.slot_of_day(pd.DatetimeIndex([g.first_ds]), step)[0]] = False
    gap[-1, intervals.slot_of_day(pd.DatetimeIndex([g.last_ds]), step)[0] + 1 :] = False
    if covered is not None:
        gap &= ~covered
    d, sl = np.nonzero(gap)
    wall = pd.DatetimeIndex(
        g.start_day + pd.to_timedelta(d, unit="D") + pd.to_timedelta(sl * step, unit="min")
    )
    if g.tz is not None and len(wall):
        stamped = wall.tz_localize(g.tz, nonexistent="NaT", ambiguous=True)
        wall = wall[~stamped.isna()]
    return wall


def missing_days(g: QueueGrid, covered: np.ndarray | None = None) -> pd.DatetimeIndex:
    """Whole days without rows inside the history where the same weekday had rows.

    A day counts when the same weekday has rows one week before and one week
    after (whichever exist): a weekly rest day, or a day whose weekday closed for
    good, is not one.  Days an event touches (``covered``) are the caller's own.
    """
    have = g.present
    if g.n_days <= 7:
        return pd.DatetimeIndex([])
    week_before = np.r_[np.full(7, np.nan), have[:-7]]  # NaN: before the history
    week_after = np.r_[have[7:], np.full(7, np.nan)]
    day = ~have & (week_before != 0) & (week_after != 0) & ((week_before == 1) | (week_after == 1))
    if covered is not None:
        day &= ~covered.any(axis=1)
    return pd.DatetimeIndex(g.start_day + pd.to_timedelta(np.flatnonzero(day), unit="D"))


def describe_gaps(wall: pd.DatetimeIndex, interval_min: int, *, limit: int = 3) -> str:
    """``2024-03-05 02:00-04:30 (6 intervals)`` for the first ``limit`` runs of ``wall``."""
    step = pd.Timedelta(minutes=interval_min)
    breaks = np.flatnonzero(np.diff(wall.asi8) != step.value) + 1
    runs = np.split(np.arange(len(wall)), breaks)
    parts = [
        f"{wall[r[0]]:%Y-%m-%d %H:%M}-{wall[r[-1]] + step:%H:%M} ({r.size} interval{'s' if r.size > 1 else ''})"
        for r in runs[:limit]
    ]
    if len(runs) > limit:
        parts.append(f"and {len(runs) - limit} more gap(s)")
    return ", ".join(parts)
