"""Default shift types and lunch fitted to the centre: its opening hours and its grid."""

from __future__ import annotations

import collections
import dataclasses
import itertools
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffplan import defaults
from staffplan._validation import check_int, check_interval_min
from staffplan.intervals import (
    as_datetime_index,
    local_day,
    opening_hours,
    slot_of_day,
    slots_per_day,
    weekday,
)
from staffplan.roster._instance import LunchRule, ShiftRules

__all__ = [
    "default_lunch",
    "open_blocks",
    "opening_hours",
    "outside_hours_note",
    "shifts_for_hours",
]

_DAY_MIN = 1440
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _window(name: str, lo: int, hi: int, step: int, length: int) -> list[ShiftRules]:
    """Shift types starting every ``step`` in ``lo..hi`` [min, may pass midnight]."""
    hi = lo + (hi - lo) // step * step
    crosses = hi + length > _DAY_MIN
    if hi < _DAY_MIN:
        return [ShiftRules(name, lo, hi, step, (length,), crosses_midnight=crosses)]
    # A window running past midnight is two types: the evening part and the early part.
    first_next = lo + -(-(_DAY_MIN - lo) // step) * step
    parts = [ShiftRules(name, lo, first_next - step, step, (length,), crosses_midnight=True)]
    parts.append(
        ShiftRules(
            f"{name} (after midnight)", first_next - _DAY_MIN, hi - _DAY_MIN, step, (length,)
        )
    )
    return parts


def open_blocks(is_open: np.ndarray, min_closure_slots: int = 1) -> list[tuple[int, int]]:
    """Open blocks of a daily open mask as (opening slot, number of slots), in day order.

    A closed run shorter than ``min_closure_slots`` does not split a block.  Blocks may run
    past midnight (the first then starts late in the day).  Round the clock, or never open:
    one block ``(0, slots per day)``.
    """
    n_slots = is_open.size
    is_open = is_open.astype(bool)
    if is_open.all() or not is_open.any():
        return [(0, n_slots)]
    # Rotated to start at an open slot, no closed run wraps past the end of the day.
    r0 = int(np.argmax(is_open))
    closed = ~np.roll(is_open, -r0)
    edges = np.diff(np.r_[0, closed.astype(np.int8), 0])
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_ = (ends - starts) >= max(1, min_closure_slots)
    cuts = [(int(a), int(b)) for a, b in zip(starts[long_], ends[long_], strict=True)]
    if not cuts:
        return [(0, n_slots)]
    out = []
    for i, (_, b) in enumerate(cuts):
        next_close = cuts[(i + 1) % len(cuts)][0]
        out.append(((b + r0) % n_slots, (next_close - b) % n_slots or n_slots))
    return sorted(out)


def _hhmm(minutes: int) -> str:
    minutes %= _DAY_MIN
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def default_lunch(interval_min: int) -> LunchRule:
    """The default 30-min lunch, lengthened to whole intervals on a coarser grid (60 on 60)."""
    interval_min = check_interval_min(interval_min)
    return LunchRule(length_min=-(-defaults.LUNCH_MIN // interval_min) * interval_min)


def shifts_for_hours(
    ds: ArrayLike,
    required: ArrayLike,
    *,
    interval_min: int,
    lengths_min: tuple[int, ...] = defaults.SHIFT_LENGTHS_MIN,
    names: tuple[str, ...] = defaults.SHIFT_NAMES,
    start_step_min: int | None = None,
    min_closure_min: int = 60,
    split: bool = False,
) -> tuple[ShiftRules, ...]:
    """Shift types whose starts span the opening hours of a requirement, block by block.

    The opening hours are the times of day with any requirement, per weekday.  Closed
    stretches of at least ``min_closure_min`` split the day into open blocks (08:00-12:00
    and 14:00-19:00 for a centre closed at midday); a centre with one block closes where
    its longest closed stretch starts (wrapping past midnight).  In each block each length
    gets a type starting from the block's opening up to the last start that ends by its
    closing, lengths longer than the block being cut to it; so no shift straddles a
    closure.  A centre open round the clock gets starts at every step of the day, crossing
    midnight.

    A centre open the same hours on every day it opens gets types for every weekday.  One
    whose hours differ by weekday (a shorter Saturday, a Friday-Saturday weekend with a
    short Thursday, a shorter Saturday night) is fitted on the blocks of the whole week,
    so no shift starts before its day opens or ends after it closes: each type runs on
    the weekdays (``days``) that share its start window; the weekdays of the most common
    window keep the plain name and the others carry theirs (``"day"`` Monday-Friday from
    08:00, ``"day (Sat)"`` from 09:00).  A weekday or time the requirement does not show
    (a horizon shorter than a week) takes the hours of any day.

    Parameters
    ----------
    ds : array-like of timestamps
        Interval starts [local wall-clock time].
    required : array-like of float
        Agents needed per interval [agents]; > 0 means open.
    interval_min : int
        Interval length [min].
    lengths_min : tuple of int
        Shift lengths [min], one type each, longest first; a length longer than
        the opening hours is replaced by the opening hours, and duplicates are
        dropped.
    names : tuple of str
        Type names, one per length.
    start_step_min : int, optional
        Spacing of starts [min]; default 30 min, or the interval when it is
        longer or does not divide 30.
    min_closure_min : int
        Shortest closed stretch that separates two open blocks [min]; shorter
        quiet stretches count as open.
    split : bool
        Also offer a split shift per pair of consecutive blocks: it works the
        whole first block, leaves for the closure (unpaid), and works the whole
        second block (see ``ShiftRules.split_after_min``).

    Returns
    -------
    tuple of ShiftRules
        With the defaults and a centre open 07:00–21:00: 8 h ``day`` shifts
        starting 07:00–13:00 and 4 h ``part`` shifts starting 07:00–17:00.  With
        blocks, type names carry the block (``"day (14:00-19:00)"``); with hours that
        differ by weekday, the weekdays of types other than the most common
        (``"day (Sat)"``, ``"part (Sun, after midnight)"``).

    Raises
    ------
    ValueError
        Mismatched lengths of ``ds`` and ``required``, bad lengths or names.

    Examples
    --------
    >>> import pandas as pd
    >>> ds = pd.date_range("2024-01-01", periods=48, freq="30min")
    >>> need = [0] * 16 + [5] * 26 + [0] * 6   # 08:00-21:00
    >>> [(s.name, s.earliest_start, s.latest_start) for s in
    ...  shifts_for_hours(ds, need, interval_min=30)]
    [('day', 480, 780), ('part', 480, 1020)]
    """
    interval_min = check_interval_min(interval_min)
    idx = as_datetime_index(ds)
    need = np.asarray(required, dtype=float).ravel()
    if need.size != len(idx):
        raise ValueError(
            f"required must have one value per ds, got {need.size} values for {len(idx)} intervals"
        )
    if len(names) != len(lengths_min) or not lengths_min:
        raise ValueError(
            f"names must name each of lengths_min, got {len(names)} names "
            f"for {len(lengths_min)} lengths"
        )
    for v in lengths_min:
        check_int(v, "lengths_min", minimum=interval_min)
    if start_step_min is None:
        start_step_min = 30 if 30 % interval_min == 0 else interval_min
    step = check_int(start_step_min, "start_step_min", minimum=interval_min)
    if step % interval_min:
        raise ValueError(
            f"start_step_min must be a multiple of interval_min={interval_min}, got {step}"
        )
    closure = check_int(min_closure_min, "min_closure_min", minimum=interval_min)
    is_open, weekly, seen = _week_hours(idx, need, interval_min)
    closure_slots = -(-closure // interval_min)
    kinds = tuple(zip(names, lengths_min, strict=True))
    if all(not day.any() or np.array_equal(day, is_open) for day in weekly):
        return _daily_types(is_open, kinds, interval_min, step, closure_slots, split)
    return _weekly_types(
        weekly, seen, kinds, interval_min, step, closure_slots, split, opening_hours(is_open)[0]
    )


def _week_hours(
    idx: pd.DatetimeIndex, need: np.ndarray, interval_min: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Open masks of a requirement: any day (slots), per weekday (7, slots), weekdays seen.

    A weekday the requirement does not reach (a horizon shorter than a week) takes the
    hours of any day, so that a night running past the horizon's last day, or one
    wrapping round to its first, stays whole.  Inside the horizon (whole days, as the
    roster's grid) an absent interval is closed.
    """
    n_slots = slots_per_day(interval_min)
    open_ds = idx[need > 0]
    tod = slot_of_day(open_ds, interval_min)
    is_open = np.zeros(n_slots, dtype=bool)
    is_open[tod] = True
    weekly = np.zeros((7, n_slots), dtype=bool)
    weekly[weekday(open_ds), tod] = True
    seen = np.zeros(7, dtype=bool)
    if len(idx):
        days = local_day(idx)
        seen[weekday(pd.date_range(days.min(), days.max(), freq="D")[:7])] = True
    weekly[~seen] = is_open
    return is_open, weekly, seen


def outside_hours_note(
    roster_frame: pd.DataFrame, ds: ArrayLike, required: ArrayLike, *, interval_min: int
) -> str | None:
    """A warning naming rostered shifts that start before or end after their day's hours.

    The hours are those :func:`shifts_for_hours` fits to (the intervals of each weekday
    with a requirement); fitted types never do this, given types may.  None when no
    shift does.

    Parameters
    ----------
    roster_frame : pandas.DataFrame
        A roster with ``person``, ``start`` and ``end`` [local wall-clock time].
    ds, required : array-like
        The requirement the roster covers: interval starts and agents [agents].
    interval_min : int
        Interval length [min].
    """
    if roster_frame.empty:
        return None
    _, weekly, _ = _week_hours(
        as_datetime_index(ds), np.asarray(required, dtype=float).ravel(), interval_min
    )
    start = pd.DatetimeIndex(roster_frame["start"])
    last = pd.DatetimeIndex(roster_frame["end"]) - pd.Timedelta(minutes=interval_min)
    early = ~weekly[weekday(start), slot_of_day(start, interval_min)]
    late = ~weekly[weekday(last), slot_of_day(last, interval_min)]
    bad = np.flatnonzero(early | late)
    if not bad.size:
        return None
    first = roster_frame.iloc[int(bad[0])]
    return (
        f"{bad.size} of {len(roster_frame)} shifts of the given shift types start before "
        f"their day opens or end after it closes (no requirement there), e.g. "
        f"{first['person']} {pd.Timestamp(first['start']):%a %Y-%m-%d %H:%M}-"
        f"{pd.Timestamp(first['end']):%H:%M}: paid time without work; shift types fitted to "
        "the opening hours of each weekday (rules without shifts) avoid it"
    )


def _fits(kinds: tuple[tuple[str, int], ...], hours_min: int) -> list[tuple[str, int]]:
    """(name, length) per type in a block of ``hours_min`` [min]: cut to it, repeats dropped."""
    out: list[tuple[str, int]] = []
    for name, length in kinds:
        fit = min(length, hours_min)  # both are whole intervals
        if all(fit != f for _, f in out):
            out.append((name, fit))
    return out


def _daily_types(
    is_open: np.ndarray,
    kinds: tuple[tuple[str, int], ...],
    interval_min: int,
    step: int,
    closure_slots: int,
    split: bool,
) -> tuple[ShiftRules, ...]:
    """Shift types of a centre open the same hours on every day it opens (any weekday)."""
    n_slots = is_open.size
    blocks = open_blocks(is_open, closure_slots)
    if blocks == [(0, n_slots)]:
        return tuple(
            ShiftRules(name, 0, _DAY_MIN - step, step, (length,), crosses_midnight=True)
            for name, length in kinds
        )
    out: list[ShiftRules] = []
    for open_slot, hours in blocks:
        open_min = open_slot * interval_min
        hours_min = hours * interval_min
        label = f" ({_hhmm(open_min)}-{_hhmm(open_min + hours_min)})" if len(blocks) > 1 else ""
        # Start on the step grid counted from opening time.
        for name, fit in _fits(kinds, hours_min):
            out.extend(_window(name + label, open_min, open_min + hours_min - fit, step, fit))
    if split and len(blocks) > 1:
        # Pair blocks in the order of the operating day, which starts after its longest
        # closure (the night for a day centre): no split shift spans that closure.
        day_open = opening_hours(is_open)[0]
        order = sorted(blocks, key=lambda b: (b[0] - day_open) % n_slots)
        for (a, a_len), (b, b_len) in itertools.pairwise(order):
            out.append(_split_type(a, a_len, b, b_len, interval_min, step, None))
    return tuple(out)


def _split_type(
    a: int, a_len: int, b: int, b_len: int, interval_min: int, step: int, days: Any
) -> ShiftRules:
    """The split shift working all of block ``a`` and all of the next block ``b`` [slots]."""
    a_min, b_min = a * interval_min, b * interval_min
    first = a_len * interval_min
    gap = (b_min - a_min - first) % _DAY_MIN
    length = first + gap + b_len * interval_min
    a_min %= _DAY_MIN
    return ShiftRules(
        f"split ({_hhmm(a_min)}-{_hhmm(a_min + first)} + "
        f"{_hhmm(b_min)}-{_hhmm(b_min + b_len * interval_min)})",
        a_min,
        a_min,
        step,
        (length,),
        days=days,
        crosses_midnight=a_min + length > _DAY_MIN,
        split_after_min=first,
        split_gap_min=gap,
    )


def _weekly_types(
    weekly: np.ndarray,
    seen: np.ndarray,
    kinds: tuple[tuple[str, int], ...],
    interval_min: int,
    step: int,
    closure_slots: int,
    split: bool,
    day_open: int,
) -> tuple[ShiftRules, ...]:
    """Shift types of a centre whose hours differ by weekday, fitted to each day's hours.

    ``weekly`` is the (7, slots per day) open mask from Monday 00:00, ``seen`` the
    weekdays the requirement shows (types start only on them).  The open blocks of
    the whole week (a night runs into the next day) are fitted as in
    :func:`shifts_for_hours`; starts are then grouped by weekday into types with ``days``:
    weekdays with the same start window share one type.  In each family of types (a
    length, a block, evening or after-midnight starts), the type with the most weekdays
    keeps the plain name and the others name their days (``"day"`` Mon-Fri and
    ``"day (Sat)"``).
    """
    n_slots = weekly.shape[1]
    week = weekly.size
    blocks = open_blocks(weekly.ravel(), closure_slots)
    openings = np.bincount([b0 // n_slots for b0, _ in blocks], minlength=7)
    # (name, block label, after midnight) -> (fit, first start, last start) -> weekdays
    families: dict[tuple[str, str, bool], dict[tuple[int, int, int], set[int]]] = {}
    for b0, b_len in blocks:
        open_min, hours_min = b0 * interval_min, b_len * interval_min
        block = f"{_hhmm(open_min)}-{_hhmm(open_min + hours_min)}" if openings.max() > 1 else ""
        for name, fit in _fits(kinds, hours_min):
            by_day: dict[int, list[int]] = {}
            # Start on the step grid counted from opening time; a day is a run of starts.
            for start in range(open_min, open_min + hours_min - fit + 1, step):
                by_day.setdefault(start // _DAY_MIN, []).append(start % _DAY_MIN)
            for day, starts in by_day.items():
                if not seen[day % 7]:
                    continue
                tail = hours_min < _DAY_MIN and day != b0 // n_slots
                family = families.setdefault((name, block, tail), {})
                family.setdefault((fit, starts[0], starts[-1]), set()).add(day % 7)
    out: list[ShiftRules] = []
    for (name, block, tail), windows in families.items():
        plain = min(windows.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))[0]
        for (fit, lo, hi), days in windows.items():
            labels = [_days_label(days) if (fit, lo, hi) != plain else "", block]
            labels.append("after midnight" if tail else "")
            text = ", ".join(v for v in labels if v)
            out.append(
                ShiftRules(
                    f"{name} ({text})" if text else name,
                    lo,
                    hi,
                    step,
                    (fit,),
                    days=None if len(days) == 7 else tuple(sorted(days)),
                    crosses_midnight=hi + fit > _DAY_MIN,
                )
            )
    # Two windows of one family on the same weekdays (a block opening and closing on that
    # day, a week apart) are told apart by their starts.
    counts = collections.Counter(r.name for r in out)
    out = [
        dataclasses.replace(
            r, name=f"{r.name} {_hhmm(int(r.earliest_start))}-{_hhmm(int(r.latest_start))}"
        )
        if counts[r.name] > 1
        else r
        for r in out
    ]
    if split and len(blocks) > 1:
        # Pair the blocks of one operating day (from the centre's opening time): no split
        # shift spans the closure between two operating days.
        def operating_day(b: tuple[int, int]) -> int:
            return ((b[0] - day_open) % week) // n_slots

        pairs: dict[tuple[int, int, int, int], set[int]] = {}
        order = sorted(blocks, key=lambda b: (b[0] - day_open) % week)
        for (a, a_len), (b, b_len) in itertools.pairwise(order):
            if operating_day((a, a_len)) == operating_day((b, b_len)) and seen[a // n_slots]:
                key = (a % n_slots, a_len, a % n_slots + (b - a) % week, b_len)
                pairs.setdefault(key, set()).add(a // n_slots)
        for (a, a_len, b, b_len), days in pairs.items():
            out.append(
                _split_type(
                    a,
                    a_len,
                    b,
                    b_len,
                    interval_min,
                    step,
                    None if len(days) == 7 else tuple(sorted(days)),
                )
            )
    return tuple(out)


def _days_label(days: set[int]) -> str:
    """Weekdays as text, runs joined: ``{0, 1, 2, 3, 4}`` is ``"Mon-Fri"``."""
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(
        _DAY_NAMES[r[0]] if len(r) == 1 else f"{_DAY_NAMES[r[0]]}-{_DAY_NAMES[r[-1]]}" for r in runs
    )
