"""Shift and off-floor pattern enumeration on the interval grid.

A *shift* is a (day, start, length) allowed by some :class:`ShiftRules`.  Lunch and breaks
are *pieces*; pieces whose windows can overlap are placed together (their combinations are
enumerated without overlap), pieces whose windows cannot overlap are independent groups.
Counting each group's choice separately per shift is exact, because any choice of one group
combines with any choice of another, and it keeps the model far smaller than enumerating
start × length × lunch × break1 × break2 patterns.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffplan.intervals import clock_changed, elapsed_hours
from staffplan.roster._hours import opening_hours
from staffplan.roster._instance import RosterInstance

__all__ = [
    "Group",
    "Option",
    "Piece",
    "Shift",
    "coverable",
    "enumerate_shifts",
    "manager_window",
    "piece_groups",
    "piece_min",
]

_MAX_COMBOS = 20000


@dataclass(frozen=True)
class Piece:
    """One off-floor piece: ``kind`` is ``"lunch"`` or ``"break"``, ``rule`` its rule index."""

    kind: str
    rule: int
    length: int  # slots
    offsets: tuple[int, ...]  # allowed start offsets from the shift start [slots]


@dataclass(frozen=True)
class Option:
    """A placement of a group's pieces: ``places`` holds (kind, rule, offset slot)."""

    places: tuple[tuple[str, int, int], ...]
    off: tuple[int, ...]  # relative slots off the floor

    @property
    def lunch_offset(self) -> int | None:
        """Offset of the lunch start [slots] when this option places the lunch."""
        for kind, _, off in self.places:
            if kind == "lunch":
                return off
        return None


@dataclass(frozen=True)
class Group:
    """Pieces that must be placed jointly, with every non-overlapping placement."""

    options: tuple[Option, ...]


@dataclass(frozen=True)
class Shift:
    """A concrete shift: start slot in the horizon (may run past its end)."""

    day: int
    start_slot: int
    start_min: int  # time of day [min]
    length: int  # slots
    type_name: str
    paid: int  # paid slots
    groups: tuple[Group, ...]


def _pieces(inst: RosterInstance, length_min: int, split: int | None = None) -> list[Piece]:
    """Off-floor pieces of a shift; ``split`` is the index of a split shift type.

    A split shift's gap is a piece of kind ``"split"`` (``rule`` = its ShiftRules index)
    with one offset; it replaces the lunch, and breaks go by the minutes worked.
    """
    iv = inst.interval_min
    out: list[Piece] = []
    lu = inst.lunch
    worked = length_min
    if split is not None:
        rules = inst.shifts[split]
        assert rules.split_after_min is not None and rules.split_gap_min is not None
        worked -= rules.split_gap_min
        out.append(Piece("split", split, rules.split_gap_min // iv, (rules.split_after_min // iv,)))
    elif lu is not None and length_min >= lu.min_shift_min:
        offs = tuple(o // iv for o in lu.offsets(length_min, iv))
        out.append(Piece("lunch", 0, lu.length_min // iv, offs))
    for i, b in enumerate(inst.breaks):
        if worked >= b.min_shift_min:
            out.append(
                Piece(
                    "break",
                    i,
                    -(-b.length_min // iv),  # a break shorter than a slot touches one
                    tuple(o // iv for o in b.offsets(length_min, iv)),
                )
            )
    return out


def piece_groups(
    inst: RosterInstance, length_min: int, split: int | None = None
) -> tuple[Group, ...]:
    """Independent groups of pieces for a shift of ``length_min`` with all their placements.

    ``split``: index of the split shift type the shift belongs to, if any.
    """
    key = f"groups{length_min}" if split is None else f"groups{length_min}split{split}"
    if key in inst._cache:
        return inst._cache[key]
    pieces = _pieces(inst, length_min, split)
    spans = [(min(p.offsets), max(p.offsets) + p.length) for p in pieces]
    # Union pieces whose reachable spans overlap: only they can collide.
    parent = list(range(len(pieces)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in itertools.combinations(range(len(pieces)), 2):
        if spans[i][0] < spans[j][1] and spans[j][0] < spans[i][1]:
            parent[find(i)] = find(j)
    comps: dict[int, list[int]] = {}
    for i in range(len(pieces)):
        comps.setdefault(find(i), []).append(i)
    groups: list[Group] = []
    for members in comps.values():
        total = 1
        for m in members:
            total *= len(pieces[m].offsets)
        if total > _MAX_COMBOS:
            raise ValueError(
                f"lunch and break windows of a {length_min}-min shift overlap in {total} ways; "
                "narrow the windows so that they overlap less"
            )
        options: list[Option] = []
        for combo in itertools.product(*(pieces[m].offsets for m in members)):
            slots: list[int] = []
            for m, off in zip(members, combo, strict=True):
                slots.extend(range(off, off + pieces[m].length))
            if len(set(slots)) != len(slots):
                continue
            places = tuple(
                (pieces[m].kind, pieces[m].rule, off) for m, off in zip(members, combo, strict=True)
            )
            options.append(Option(places, tuple(sorted(slots))))
        if not options:
            names = ", ".join(f"{pieces[m].kind} {pieces[m].rule}" for m in members)
            raise ValueError(
                f"BreakRule/LunchRule: {names} cannot all be placed without overlap in a "
                f"{length_min}-min shift"
            )
        groups.append(Group(tuple(options)))
    inst._cache[key] = tuple(groups)
    return inst._cache[key]


def enumerate_shifts(inst: RosterInstance) -> list[Shift]:
    """Every allowed shift starting inside the horizon, deduplicated across shift types."""
    if "shifts" in inst._cache:
        return inst._cache["shifts"]
    iv = inst.interval_min
    first = inst.first_slot_offset
    seen: set[tuple[int, int, int, int | None]] = set()
    out: list[Shift] = []
    for day in range(inst.n_days):
        weekday = inst.day_start(day).weekday()
        for index, rules in enumerate(inst.shifts):
            if not rules.runs_on(weekday):
                continue
            split = index if rules.is_split else None
            for start_min in rules.start_mins:
                slot = day * inst.slots_per_day + start_min // iv - first
                if not 0 <= slot < inst.n_intervals:
                    continue
                for length_min in rules.lengths_min:
                    if not rules.allows(start_min, length_min):
                        continue
                    key = (slot, length_min, day, split)
                    if key in seen:
                        continue
                    seen.add(key)
                    groups = piece_groups(inst, length_min, split)
                    length = length_min // iv
                    paid = length
                    lu = inst.lunch
                    if split is not None:
                        paid -= int(rules.split_gap_min or 0) // iv  # the gap is unpaid
                    elif lu is not None and not lu.paid and length_min >= lu.min_shift_min:
                        paid -= lu.length_min // iv
                    out.append(Shift(day, slot, start_min, length, rules.name, paid, groups))
    if inst.tz is not None and out:
        out = _over_clock_changes(inst, out)
    inst._cache["shifts"] = out
    return out


def _over_clock_changes(inst: RosterInstance, shifts: list[Shift]) -> list[Shift]:
    """Shifts paid their elapsed time, nothing starting or ending inside a changed hour.

    Rosters are on wall-clock slots.  A shift over the night the clocks go back is paid the
    repeated hour too (over spring forward, one hour less), so that costs and contract hours
    count time worked.  The roster has one slot for both occurrences of a repeated interval
    (the verdict gives both its count), so a shift must be at work in both or in neither:
    none starts in the hour the clocks repeat or skip, or ends inside it, and no lunch or
    break is taken there (one in the skipped hour would not happen at all).
    """
    iv = inst.interval_min
    step = pd.Timedelta(minutes=iv)
    start = inst.start + pd.to_timedelta([s.start_slot * iv for s in shifts], "min")
    end = start + pd.to_timedelta([s.length * iv for s in shifts], "min")
    extra = elapsed_hours(start, end, tz=inst.tz) * 60 / iv - [s.length for s in shifts]
    cut = clock_changed(start, inst.tz) | (
        clock_changed(end, inst.tz) & clock_changed(end - step, inst.tz)
    )
    lo = min(s.start_slot for s in shifts)
    hi = max(s.start_slot + s.length for s in shifts)
    changed = clock_changed(inst.start + step * np.arange(lo, hi), inst.tz)
    out = []
    for s, x, bad in zip(shifts, extra.tolist(), cut.tolist(), strict=True):
        if bad:
            continue
        inside = set(np.flatnonzero(changed[s.start_slot - lo : s.start_slot - lo + s.length]))
        groups = s.groups
        if inside:
            groups = tuple(
                Group(tuple(o for o in g.options if not inside.intersection(o.off)))
                for g in s.groups
            )
            if not all(g.options for g in groups):
                continue  # its lunch or break has no place outside the changed hour
        if round(x) or groups is not s.groups:
            s = dataclasses.replace(s, paid=s.paid + round(x), groups=groups)
        out.append(s)
    return out


def piece_min(inst: RosterInstance, kind: str, rule: int) -> int:
    """Length of a lunch, break or split-shift gap [min]."""
    if kind == "lunch":
        assert inst.lunch is not None
        return inst.lunch.length_min
    if kind == "split":
        return int(inst.shifts[rule].split_gap_min or 0)
    return inst.breaks[rule].length_min


def coverable(inst: RosterInstance) -> np.ndarray:
    """Per interval: does some allowed shift have someone on the floor there (a bool array)?

    A slot that every placement of a shift keeps off the floor (a split shift's gap, a lunch
    with one place) is not reached by that shift.
    """
    if "coverable" in inst._cache:
        return inst._cache["coverable"]
    n = inst.n_intervals
    iv = inst.interval_min
    covered = np.zeros(n, dtype=bool)
    for s in enumerate_shifts(inst):
        on = np.ones(s.length, dtype=bool)
        for g in s.groups:
            always_off = np.ones(s.length, dtype=bool)
            for opt in g.options:
                off = np.zeros(s.length, dtype=bool)
                for kind, rule, o in opt.places:
                    off[o : o + piece_min(inst, kind, rule) // iv] = True
                always_off &= off
            on &= ~always_off
        t = s.start_slot + np.flatnonzero(on)
        covered[t % n if inst.cyclic else t[t < n]] = True
    inst._cache["coverable"] = covered
    return covered


def manager_window(inst: RosterInstance, day: int) -> list[int]:
    """Intervals a manager must be at work on ``day`` (0-based) when the day needs one.

    With ``SpanOfControl.manager_hours``: that window of the calendar day.  Without: from
    the first to the last open interval (a positive requirement some shift can staff) of the
    centre's *operating* day, which starts at opening time (see
    :func:`staffplan.roster._hours.opening_hours`): 07:00-21:00 for a day centre, 18:00 to
    06:00 the next morning for a night centre, the calendar day round the clock.  A night
    that began before the horizon needs no manager of the horizon's first day.
    """
    span = inst.span
    assert span is not None
    spd = inst.slots_per_day
    n = inst.n_intervals
    base = day * spd - inst.first_slot_offset
    if span.manager_hours is not None:
        lo, hi = (int(v) // inst.interval_min for v in span.manager_hours)
        return [t for t in range(base + lo, base + hi) if 0 <= t < n]
    if "operating_day" not in inst._cache:
        open_ = coverable(inst) & (inst.required > 0)
        tod = (np.arange(n) + inst.first_slot_offset) % spd
        daily = np.zeros(spd, dtype=bool)
        daily[tod[open_]] = True
        inst._cache["operating_day"] = (open_, opening_hours(daily)[0])
    open_, start_slot = inst._cache["operating_day"]
    first = base + int(start_slot)
    lo = max(first, 0)
    pos = lo + np.flatnonzero(open_[lo : max(lo, min(first + spd, n))])
    return list(range(int(pos[0]), int(pos[-1]) + 1)) if pos.size else []
