"""Definitions the person model, the independent checker and the metrics share.

What kind of shift a shift is (night, evening, weekend), how many hours a contract's
minimum asks for in a block of weeks, and which days follow a day on a horizon that may
repeat (rest and runs of working days), so that each means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = [
    "EVENING_AFTER_MIN",
    "KINDS",
    "NIGHT_BEFORE_MIN",
    "WEEKEND_DAYS",
    "before_horizon",
    "later_days",
    "min_hours",
    "repeats",
    "run_windows",
    "shift_kinds",
]

_DAY_MIN = 1440

#: A shift with any work between midnight and this time of day is a *night* shift [min].
NIGHT_BEFORE_MIN = 360
#: A shift (not a night shift) that ends after this time of day is an *evening* shift [min].
EVENING_AFTER_MIN = 20 * 60
#: Weekdays of the weekend by default (0 = Monday): Saturday and Sunday.
WEEKEND_DAYS: tuple[int, ...] = (5, 6)
#: The kinds whose spread across people is reported (and evened out by the person model).
KINDS = ("evening", "weekend", "night")


def shift_kinds(
    start: pd.Timestamp, end: pd.Timestamp, weekend_days: Iterable[int] = WEEKEND_DAYS
) -> frozenset[str]:
    """Kinds of the shift ``[start, end)``: a subset of ``{"night", "evening", "weekend"}``.

    Parameters
    ----------
    start, end : Timestamp
        Shift start and end (the end may fall on a later day).
    weekend_days : iterable of int
        Weekdays counted as weekend (0 = Monday); a shift is a weekend shift when it starts
        on one of them.
    """
    out = set()
    day = start.normalize()
    while day < end:
        if min(end, day + pd.Timedelta(minutes=NIGHT_BEFORE_MIN)) > max(start, day):
            out.add("night")
            break
        day += pd.Timedelta(days=1)
    if "night" not in out and end > start.normalize() + pd.Timedelta(minutes=EVENING_AFTER_MIN):
        out.add("evening")
    if start.weekday() in set(weekend_days):
        out.add("weekend")
    return frozenset(out)


def min_hours(person: Any, first_day: pd.Timestamp, n_days: int) -> float:
    """Hours ``person``'s contract minimum asks for in the block of ``n_days`` from ``first_day``.

    ``min_hours_week`` per week of the block, less the share of the block on approved leave
    (paid leave counts as worked); 0 when the block is not whole weeks (the rest of the week
    lies outside the horizon) [h].
    """
    if n_days % 7 or person.min_hours_week <= 0:
        return 0.0
    end = first_day + pd.Timedelta(days=n_days)
    on_leave = sum(1 for d in person.leave if first_day <= d < end)
    return float(person.min_hours_week) * (n_days - on_leave) / 7


def repeats(inst: Any) -> bool:
    """Whether people's rest and runs of working days wrap across the end of the horizon.

    A cyclic horizon of whole weeks is a rota that repeats: each person's first shift follows
    their last one a horizon later.  A cyclic horizon of other lengths (``make_instance``
    wraps any whole-day horizon without a previous roster when ``cyclic=None``, so a night
    shift covers the first hours) wraps the floor only; as a rota, two days repeating would
    have everyone work every day for ever.
    """
    return bool(inst.cyclic) and inst.n_days % 7 == 0


def later_days(inst: Any, day: int, until_min: int) -> list[tuple[int, int]]:
    """Days after ``day`` whose shifts may start before ``until_min``, with their offsets.

    Parameters
    ----------
    inst : RosterInstance
    day : int
        Day of the horizon (0 = the start's date).
    until_min : int
        A time in minutes from the horizon's first midnight (the end of a shift plus its
        rest, say).

    Returns
    -------
    list of (int, int)
        ``(day2, offset_min)``: a shift of ``day2`` starting ``m`` minutes from the first
        midnight starts ``m + offset_min`` on the time line of ``day``.  When the rota
        :func:`repeats`, the days past its end are its first days again one horizon later
        (the last shift of a person is followed by their first); otherwise they are
        outside the roster.  A shift starts on its own date, so the days up to the one
        holding ``until_min`` suffice.
    """
    n = inst.n_days
    out = []
    for d2 in range(day + 1, (until_min - 1) // _DAY_MIN + 1):
        if d2 < n:
            out.append((d2, 0))
        elif repeats(inst):
            out.append((d2 % n, (d2 // n) * n * _DAY_MIN))
    return out


def before_horizon(inst: Any, person: Any) -> tuple[pd.Timestamp | None, int]:
    """What ``person``'s shifts before the horizon (``inst.previous_shifts``) leave them.

    Returns
    -------
    Timestamp or None
        The earliest start their rest allows: the end of their last shift before the
        horizon plus ``min_rest_h`` (None: no shift before it).
    int
        Consecutive days up to the horizon's first date on which they started a shift.
    """
    prev = inst.previous_shifts
    if prev is None or prev.empty:
        return None, 0
    mine = prev[prev["person"] == person.name]
    if mine.empty:
        return None, 0
    free = mine["end"].max() + pd.Timedelta(hours=person.min_rest_h)
    day0 = inst.start.normalize()
    days = {(pd.Timestamp(t).normalize() - day0).days for t in mine["start"]}
    run = 0
    while -(run + 1) in days:
        run += 1
    return free, run


def run_windows(inst: Any, max_run: int, run_in: int = 0) -> list[list[int]]:
    """Windows of days of which at least one must be off to keep runs within ``max_run``.

    ``max_run + 1`` consecutive days; when the rota :func:`repeats` they wrap past its end,
    and a rota of at most ``max_run`` days gives one window of all its days (working every
    day of it is a run without end).  ``run_in`` days worked just before the
    horizon (:func:`before_horizon`) shorten the first window to ``max_run - run_in + 1``
    days (day 0 alone once the run is already at its maximum).
    """
    n = inst.n_days
    if not repeats(inst):
        out = [list(range(d, d + max_run + 1)) for d in range(n - max_run)]
        first = max(1, max_run - run_in + 1)
        if run_in and first <= n:
            out.insert(0, list(range(first)))
        return out
    if n <= max_run:
        return [list(range(n))]
    return [[(d + i) % n for i in range(max_run + 1)] for d in range(n)]
