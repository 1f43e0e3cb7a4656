"""Independent checker: re-verify every rule of an instance from a roster frame alone.

Nothing here uses the model or its enumeration of shifts: each rule is read from the
instance's dataclasses and tested against the timestamps in the frame.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from staffplan._validation import check_columns
from staffplan.roster._instance import RosterInstance
from staffplan.roster._patterns import manager_window
from staffplan.roster._people_kinds import min_hours, repeats, shift_kinds
from staffplan.roster._solution import paid_h

__all__ = ["check"]

#: Tolerance for sums of interval shares (a 15-min break is 0.5 of a 30-min interval).
_EPS = 1e-9
_COLS = ("person", "role", "team", "start", "end", "lunch_start", "lunch_end", "breaks")


def _mins(delta: pd.Timedelta) -> float:
    return delta.total_seconds() / 60.0


class _Grid:
    """Per-interval counters over the horizon (wrapping when cyclic)."""

    def __init__(self, inst: RosterInstance) -> None:
        self.inst = inst
        self.n = inst.n_intervals
        self.td = pd.Timedelta(minutes=inst.interval_min)

    def slots(self, a: pd.Timestamp, b: pd.Timestamp) -> np.ndarray:
        """Intervals that ``[a, b)`` touches."""
        return self.shares(a, b)[0]

    def shares(self, a: pd.Timestamp, b: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        """Intervals that ``[a, b)`` touches and the share of each it covers."""
        i = int((a - self.inst.start) // self.td)
        j = int(-((self.inst.start - b) // self.td))
        ts = np.arange(i, j)
        a_iv, b_iv = (a - self.inst.start) / self.td, (b - self.inst.start) / self.td
        share = np.minimum(ts + 1.0, b_iv) - np.maximum(ts.astype(float), a_iv)
        if self.inst.cyclic:
            return ts % self.n, share
        keep = (ts >= 0) & (ts < self.n)
        return ts[keep], share[keep]


def _check_row(inst: RosterInstance, row: Any, label: str) -> list[str]:
    out: list[str] = []
    iv = inst.interval_min
    td = pd.Timedelta(minutes=iv)
    start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
    if row.role not in ("agent", "lead", "manager"):
        out.append(f"{label}: role must be agent, lead or manager, got {row.role!r}")
    if (start - inst.start) % td or (end - inst.start) % td:
        out.append(f"{label}: start/end off the {iv}-min grid")
    if not inst.start <= start < inst.start + inst.n_intervals * td:
        out.append(f"{label}: starts outside the horizon")
    length = int(_mins(end - start))
    tod = int(_mins(start - start.normalize()))
    allowed = [r for r in inst.shifts if r.runs_on(start.weekday()) and r.allows(tod, length)]
    if not allowed:
        out.append(
            f"{label}: a {length}-min shift starting {start:%a %H:%M} is not allowed by any ShiftRules"
        )
    pieces: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
    lu = inst.lunch
    has_lunch = pd.notna(row.lunch_start) and pd.notna(row.lunch_end)
    gap = _split_gap(inst, row)
    worked = length
    if gap is not None:
        # A split shift: the lunch columns hold its gap, which replaces the lunch.
        pieces.append((gap[0], gap[1], "split gap"))
        worked -= int(_mins(gap[1] - gap[0]))
        needs_lunch = has_lunch = False
    elif allowed and all(r.is_split for r in allowed):
        out.append(
            f"{label}: a split shift needs its gap in lunch_start/lunch_end "
            "(ShiftRules.split_after_min, split_gap_min)"
        )
        needs_lunch = has_lunch = False
    else:
        needs_lunch = lu is not None and length >= lu.min_shift_min
    if needs_lunch and not has_lunch:
        out.append(f"{label}: a {length}-min shift needs a lunch (LunchRule.min_shift_min)")
    if has_lunch and not needs_lunch:
        out.append(f"{label}: has a lunch but LunchRule gives none to a {length}-min shift")
    if has_lunch and lu is not None:
        ls, le = pd.Timestamp(row.lunch_start), pd.Timestamp(row.lunch_end)
        off = _mins(ls - start)
        if _mins(le - ls) != lu.length_min:
            out.append(
                f"{label}: lunch lasts {_mins(le - ls):g} min, LunchRule wants {lu.length_min}"
            )
        lo = max(lu.earliest_start_min, lu.min_work_before_min)
        hi = min(lu.latest_start_min, length - lu.min_work_after_min - lu.length_min)
        if not lo <= off <= hi or (ls - inst.start) % td:
            out.append(
                f"{label}: lunch starts {off:g} min into the shift; LunchRule allows {lo}-{hi} "
                "(window and work before/after) on the grid"
            )
        pieces.append((ls, le, "lunch"))
    rules = [b for b in inst.breaks if worked >= b.min_shift_min]
    got = [(pd.Timestamp(a), pd.Timestamp(b)) for a, b in (row.breaks or [])]
    if len(got) != len(rules):
        out.append(
            f"{label}: {len(got)} break(s), BreakRules give {len(rules)} to a {length}-min shift"
        )
    else:

        def fits(pair: tuple[pd.Timestamp, pd.Timestamp], rule: Any) -> bool:
            off = _mins(pair[0] - start)
            return (
                _mins(pair[1] - pair[0]) == rule.length_min
                and rule.earliest_start_min <= off <= rule.latest_start_min
                and off + rule.length_min <= length
                and not (pair[0] - inst.start) % td
            )

        if not any(
            all(fits(p, r) for p, r in zip(got, perm, strict=True))
            for perm in itertools.permutations(rules)
        ):
            out.append(
                f"{label}: breaks {[(f'{a:%H:%M}', f'{b:%H:%M}') for a, b in got]} miss their BreakRule windows"
            )
    pieces += [(a, b, "break") for a, b in got]
    for a, b, kind in pieces:
        if a < start or b > end:
            out.append(f"{label}: {kind} {a:%H:%M}-{b:%H:%M} outside the shift")
    for (a1, b1, k1), (a2, b2, k2) in itertools.combinations(pieces, 2):
        if a1 < b2 and a2 < b1:
            out.append(f"{label}: {k1} and {k2} overlap")
    return out


def _split_gap(inst: RosterInstance, row: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The gap of a split shift when the row is one (its lunch columns hold the gap)."""
    if pd.isna(row.lunch_start) or pd.isna(row.lunch_end):
        return None
    start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
    a, b = pd.Timestamp(row.lunch_start), pd.Timestamp(row.lunch_end)
    length = int(_mins(end - start))
    tod = int(_mins(start - start.normalize()))
    for r in inst.shifts:
        if (
            r.is_split
            and r.runs_on(start.weekday())
            and r.allows(tod, length)
            and _mins(a - start) == r.split_after_min
            and _mins(b - a) == r.split_gap_min
        ):
            return a, b
    return None


def _paid_h(inst: RosterInstance, row: Any) -> float:
    """Paid hours of a roster row, elapsed in the instance's time zone (:func:`paid_h`)."""
    gap = _split_gap(inst, row)
    if gap is None and inst.lunch is not None and not inst.lunch.paid:
        gap = (row.lunch_start, row.lunch_end)
    unpaid = (pd.NaT, pd.NaT) if gap is None else gap
    return float(paid_h(inst, row.start, row.end, unpaid[0], unpaid[1])[0])


def _check_people(inst: RosterInstance, roster: pd.DataFrame, day_of: pd.Series) -> list[str]:
    out: list[str] = []
    named = {p.name: p for p in inst.people} if inst.people is not None else None
    if named is None:
        # Anonymous staff have only overlaps to check: vectorised, linear in headcount.
        f = roster.sort_values(["person", "start"], kind="stable")
        who = f["person"].to_numpy()
        starts_v = pd.to_datetime(f["start"]).to_numpy()
        bad = (who[1:] == who[:-1]) & (starts_v[1:] < pd.to_datetime(f["end"]).to_numpy()[:-1])
        return [
            f"{p}: shifts overlap at {pd.Timestamp(t)}"
            for p, t in zip(who[1:][bad], starts_v[1:][bad], strict=True)
        ]
    for person, sub in roster.groupby("person", sort=False):
        sub = sub.sort_values("start")
        starts = list(pd.to_datetime(sub["start"]))
        ends = list(pd.to_datetime(sub["end"]))
        for i in range(1, len(starts)):
            if starts[i] < ends[i - 1]:
                out.append(f"{person}: shifts overlap at {starts[i]}")
        if named is None:
            continue
        p = named.get(person)
        if p is None:
            out.append(f"{person}: not among the named people")
            continue
        if set(sub["role"]) != {p.role}:
            out.append(
                f"{person}: rostered as {sorted(set(sub['role']))}, contract role is {p.role}"
            )
        out += _check_rest(inst, p, starts, ends)
        days = sorted(day_of[sub.index])
        if len(days) != len(set(days)):
            out.append(f"{person}: more than one shift on a day")
        paid = [_paid_h(inst, r) for r in sub.itertuples(index=False)]
        for w0 in range(0, inst.n_days, 7):
            in_w = [i for i, d in enumerate(days) if w0 <= d < w0 + 7]
            dd = {days[i] for i in in_w}
            if len(dd) > p.max_days_week:
                out.append(
                    f"{person}: {len(dd)} days in the week from day {w0 + 1}, max {p.max_days_week}"
                )
        out += _check_hours(inst, p, days, paid)
        out += _check_contract(inst, p, starts, ends, set(days))
        out += _check_run(inst, p, set(days))
        if p.availability is not None:
            for a, b in zip(starts, ends, strict=True):
                if not any(lo <= a and b <= hi for lo, hi in p.availability):
                    out.append(f"{person}: shift {a}..{b} outside their availability")
        have = set(zip(starts, ends, strict=True))
        for a, b in p.locked:
            if (pd.Timestamp(a), pd.Timestamp(b)) not in have:
                out.append(f"{person}: locked shift {a}..{b} is missing")
    # People without a shift break only what asks for work: minimum hours and locks.
    rostered = set(roster["person"])
    for p in inst.people or ():
        if p.name not in rostered:
            out += _check_hours(inst, p, [], [])
            out += [f"{p.name}: locked shift {a}..{b} is missing" for a, b in p.locked]
    return out


def _check_rest(
    inst: RosterInstance, p: Any, starts: list[pd.Timestamp], ends: list[pd.Timestamp]
) -> list[str]:
    """Rest between consecutive shifts of one person (sorted by start).

    A cyclic horizon of whole weeks is a rota that repeats (:func:`repeats`), so the person's
    first shift follows their last one a horizon later: the rest from the last shift's end to
    the first shift's next start counts too.  Otherwise the first shift follows the person's
    last shift of the previous roster (``previous_shifts``), when there is one.
    """
    out = []
    pairs = [(ends[i - 1], starts[i], "") for i in range(1, len(starts))]
    prev = inst.previous_shifts
    if prev is not None and starts:
        mine = prev.loc[prev["person"] == p.name, "end"]
        if len(mine):
            pairs.insert(0, (mine.max(), starts[0], " (after their last shift before the horizon)"))
    if repeats(inst) and starts:
        cycle = pd.Timedelta(minutes=inst.n_intervals * inst.interval_min)
        pairs.append((ends[-1], starts[0] + cycle, " (the horizon repeats: the first shift again)"))
    for end, start, why in pairs:
        rest_h = _mins(start - end) / 60
        if rest_h < p.min_rest_h:
            out.append(
                f"{p.name}: {rest_h:g} h rest before {start}{why}, contract needs {p.min_rest_h:g}"
            )
    return out


def _check_run(inst: RosterInstance, p: Any, days: set[int]) -> list[str]:
    """Longest run of working days; in a rota that repeats runs continue across its end.

    Days of the person's shifts before the horizon (``previous_shifts``, negative day
    numbers) join the run that reaches into it.
    """
    n = inst.n_days
    cyc = repeats(inst)
    prev = inst.previous_shifts
    if prev is not None and days:
        norm0 = inst.start.normalize()
        starts = prev.loc[prev["person"] == p.name, "start"]
        days = days | {(pd.Timestamp(t).normalize() - norm0).days for t in starts}
    if cyc and days and len(days) == n:
        return [
            f"{p.name}: works all {n} days of a repeating horizon, a run without end; max "
            f"{p.max_consecutive_days} consecutive days"
        ]
    best = 0
    for d in days:
        if ((d - 1) % n if cyc else d - 1) in days:
            continue  # not the first day of its run
        run = 1
        while ((d + run) % n if cyc else d + run) in days:
            run += 1
        if d + run > 0:  # a run wholly before the horizon is the previous roster's
            best = max(best, run)
    if best > p.max_consecutive_days:
        return [f"{p.name}: {best} consecutive days, max {p.max_consecutive_days}"]
    return []


def _check_hours(inst: RosterInstance, p: Any, days: list[int], paid: list[float]) -> list[str]:
    """Paid hours per block of ``hours_weeks`` weeks: ``[min, max] x weeks`` on average.

    On a last, shorter block the maximum counts every week the block touches and the minimum
    holds only when the block is whole weeks; days of leave count as worked for the minimum
    (:func:`staffplan.roster._people_kinds.min_hours`).
    """
    out = []
    span = 7 * p.hours_weeks
    what = "the week" if p.hours_weeks == 1 else f"the {p.hours_weeks} weeks"
    for b0 in range(0, inst.n_days, span):
        n = min(span, inst.n_days - b0)
        hours = sum(h for d, h in zip(days, paid, strict=True) if b0 <= d < b0 + n)
        hi = p.max_hours_week * -(-n // 7)
        if hours > hi + 1e-9:
            out.append(f"{p.name}: {hours:g} h in {what} from day {b0 + 1}, max {hi:g}")
        lo = min_hours(p, inst.day_start(b0), n)
        if lo > 0 and hours < lo - 1e-9:
            out.append(f"{p.name}: {hours:g} h in {what} from day {b0 + 1}, min {lo:g}")
    return out


def _check_contract(
    inst: RosterInstance,
    p: Any,
    starts: list[pd.Timestamp],
    ends: list[pd.Timestamp],
    days: set[int],
) -> list[str]:
    """Days off, shift types, lengths, nights, unavailable hours and leave of one person."""
    out = []
    name = p.name
    for w0 in range(0, inst.n_days - 6, 7):
        week = range(w0, w0 + 7)
        off = [d for d in week if d not in days]
        if len(off) < p.min_days_off_week:
            out.append(
                f"{name}: days off: {len(off)} in the week from day {w0 + 1}, "
                f"min {p.min_days_off_week}"
            )
        if p.days_off_together and not any(d + 1 in off for d in off):
            out.append(f"{name}: two days off together: none in the week from day {w0 + 1}")
    norm0 = inst.start.normalize()
    for a, b in zip(starts, ends, strict=True):
        day = (a.normalize() - norm0).days + 1
        length = int(_mins(b - a))
        tod = int(_mins(a - a.normalize()))
        if p.shift_types is not None and not any(
            r.name in p.shift_types and r.runs_on(a.weekday()) and r.allows(tod, length)
            for r in inst.shifts
        ):
            out.append(
                f"{name}: shift types: the {a:%H:%M} {length}-min shift on day {day} is none of "
                f"{list(p.shift_types)}"
            )
        if p.lengths_min is not None and length not in p.lengths_min:
            out.append(
                f"{name}: shift lengths: {length} min on day {day}, allowed {list(p.lengths_min)}"
            )
        if not p.nights and "night" in shift_kinds(a, b):
            out.append(f"{name}: nights: a night shift {a}..{b} on day {day}, contract has none")
        if a.normalize() in p.leave:
            out.append(f"{name}: leave: a shift on day {day} ({a:%Y-%m-%d}), a day of leave")
        for lo, hi in p.unavailable:
            if lo < b and a < hi:
                out.append(f"{name}: unavailable: shift {a}..{b} on day {day} overlaps {lo}..{hi}")
    return out


def check(instance: RosterInstance, roster: pd.DataFrame) -> list[str]:
    """Every rule of ``instance`` that ``roster`` breaks, as readable strings.

    Parameters
    ----------
    instance : RosterInstance
    roster : DataFrame
        A roster frame (columns person, role, team, start, end, lunch_start, lunch_end, breaks).

    Returns
    -------
    list of str
        Empty when every rule holds: allowed shifts, lunch and break windows with work before
        and after, no overlaps, span of control per interval, team sizes and leads, a manager
        on the floor in every interval with more than ``manager_above_agents`` agents on the
        floor (and at work through ``manager_hours``), off-floor and headcount caps, hard
        coverage and named people's contracts.

    Notes
    -----
    Shifts carried in from the previous roster (``instance.carried_in``) count on the floor
    but are not judged.  A break shorter than its interval takes its share of the interval
    off the floor (half an agent for 15 min of 30); a manager on such a break is off the
    floor for the whole interval.
    """
    inst = instance
    check_columns(roster, list(_COLS), "roster")
    out: list[str] = []
    grid = _Grid(inst)
    n = inst.n_intervals
    norm0 = inst.start.normalize()
    day_of = pd.Series(
        [(pd.Timestamp(s).normalize() - norm0).days for s in roster["start"]],
        index=roster.index,
        dtype=int,
    )
    floor = {r: np.zeros(n) for r in ("agent", "lead", "manager")}
    work = {r: np.zeros(n) for r in ("agent", "lead", "manager")}
    off = np.zeros(n)
    carried = [] if inst.carried_in is None else list(inst.carried_in.itertuples())
    for row in [*roster.itertuples(), *carried]:
        from_before = not hasattr(row, "person")  # carried in: counted, not judged
        if not from_before:
            label = f"{row.person} ({row.role}) {pd.Timestamp(row.start):%a %Y-%m-%d %H:%M}"
            out += _check_row(inst, row, label)
        if row.role not in floor:
            continue
        ws, share = grid.shares(pd.Timestamp(row.start), pd.Timestamp(row.end))
        np.add.at(work[row.role], ws, share)
        np.add.at(floor[row.role], ws, share)
        pieces = [(a, b, True) for a, b in (row.breaks or [])]
        if pd.notna(row.lunch_start):
            # A split shift's gap is off the floor but not at work: no off-floor cap.
            at_work = from_before or _split_gap(inst, row) is None
            pieces.append((row.lunch_start, row.lunch_end, at_work))
        for a, b, at_work in pieces:
            ps, share = grid.shares(pd.Timestamp(a), pd.Timestamp(b))
            # A short break takes its share of an agent or lead off the floor; a manager on
            # a break of part of an interval is off the floor for all of it.
            np.add.at(floor[row.role], ps, -1.0 if row.role == "manager" else -share)
            if not from_before and at_work:
                np.add.at(off, ps, 1)
    ts = inst.timestamps
    if inst.weights.hard_coverage:
        bad = np.flatnonzero(floor["agent"] < inst.required - _EPS)
        if bad.size:
            out.append(
                f"hard coverage: {bad.size} interval(s) short, first {ts[bad[0]]} "
                f"({floor['agent'][bad[0]]:g} on the floor, {int(inst.required[bad[0]])} required)"
            )
    lim = inst.limits
    if lim.max_off_floor is not None:
        bad = np.flatnonzero(off > lim.max_off_floor)
        if bad.size:
            out.append(
                f"off-floor cap: {int(off[bad[0]])} people off at {ts[bad[0]]}, max {lim.max_off_floor}"
            )
    agents_per_day = day_of[roster["role"] == "agent"].value_counts()
    if lim.max_agents_per_day is not None:
        for d, c in agents_per_day.items():
            if c > lim.max_agents_per_day:
                out.append(
                    f"headcount cap: {c} agents on day {d + 1}, max {lim.max_agents_per_day}"
                )
    span = inst.span
    if span is not None:
        out += _check_span(inst, roster, day_of, floor, work, agents_per_day)
    out += _check_people(inst, roster, day_of)
    return out


def _check_span(
    inst: RosterInstance,
    roster: pd.DataFrame,
    day_of: pd.Series,
    floor: dict[str, np.ndarray],
    work: dict[str, np.ndarray],
    agents_per_day: pd.Series,
) -> list[str]:
    span = inst.span
    assert span is not None
    out: list[str] = []
    k = span.max_agents_per_lead
    ts = inst.timestamps
    bad = np.flatnonzero(floor["agent"] > k * floor["lead"] + _EPS)
    if bad.size:
        t = bad[0]
        out.append(
            f"span of control: {floor['agent'][t]:g} agents but {floor['lead'][t]:g} lead(s) on "
            f"the floor at {ts[t]} ({bad.size} interval(s)), max {k} per lead"
        )
    teams: dict[tuple[int, str], dict[str, list[Any]]] = defaultdict(
        lambda: {"agent": [], "lead": []}
    )
    for idx, row in roster.iterrows():
        if row["role"] == "agent" and not row["team"]:
            out.append(f"{row['person']}: agent without a team on day {day_of[idx] + 1}")
        if row["role"] in ("agent", "lead") and row["team"]:
            teams[day_of[idx], row["team"]][row["role"]].append(row)
    for (d, team), members in teams.items():
        na, nl = len(members["agent"]), len(members["lead"])
        if na > k:
            out.append(f"team {team} on day {d + 1}: {na} agents, max {k}")
        if nl != 1:
            out.append(f"team {team} on day {d + 1}: {nl} leads, needs exactly 1")
        if span.lead_covers_team and nl == 1:
            lead = members["lead"][0]
            for a in members["agent"]:
                if a["start"] < lead["start"] or a["end"] > lead["end"]:
                    out.append(
                        f"team {team} on day {d + 1}: {a['person']}'s shift is not inside the lead's"
                    )
    above = span.manager_above_agents
    if above is not None:
        bad = np.flatnonzero((floor["agent"] > above + _EPS) & (floor["manager"] < 1 - _EPS))
        if bad.size:
            t = bad[0]
            out.append(
                f"manager on the floor: {floor['agent'][t]:g} agents on the floor (> {above}) but no "
                f"manager on the floor (at work, not at lunch or on a break) at {ts[t]} "
                f"({bad.size} interval(s))"
            )
    if above is not None and span.manager_hours is not None:
        td = pd.Timedelta(minutes=inst.interval_min)
        for d, c in agents_per_day.items():
            if c <= above:
                continue
            need = manager_window(inst, int(d))
            missing = [t for t in need if work["manager"][t] < 1 - _EPS]
            if missing:
                out.append(
                    f"manager hours: {c} agents work on day {int(d) + 1} (> {above}) but no "
                    f"manager at work at {ts[missing[0]]} ({len(missing)} interval(s) of {td})"
                )
    return out
