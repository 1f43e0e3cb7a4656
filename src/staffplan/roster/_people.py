"""``solve_people``: rosters for named people over weeks, with contracts, teams and fairness.

Steps (every solver run is deterministic, see :mod:`staffplan.roster._search`):

1. *counts*: the shift-design model without people (the count-based roster) is solved
   first (:func:`staffplan.roster.solve`'s steps on one part); its objective is the
   reference the people roster is measured against and its proven bound a bound of it;
2. *hint*: its shifts are given to the named people greedily under their contracts (leads
   first, agents preferring days their lead works, a fixed pair of days off per team and
   week when two days off must be together), people below their minimum hours are topped
   up; the hint is complete and consistent, so CP-SAT accepts it as a first roster at once
   when the greedy broke no rule;
3. *first roster* of the person model (:class:`staffplan.roster._people_model.PeopleModel`),
   hinted, stopping at the first solution;
4. *repair*: contract minimums the first roster misses are made hard a few blocks at a time
   in small neighbourhoods (:func:`_repair`) and held from then on;
5. *improve* with the full objective: targeted neighbourhoods on the days left most short
   (:func:`_improve_days`) and CP-SAT's own large neighbourhood search on big models, the
   plain search on small ones.

Teams are read back per day: agents whose lead works that day sit in their own team; the
others join, for that day, a team whose lead works and has room (at most
``max_agents_per_lead``, covering their shift when ``lead_covers_team``).  The roster frame
keeps ``home_team`` next to the day's ``team``.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from staffplan import defaults
from staffplan._validation import check_columns
from staffplan.roster._assign import records_to_rows
from staffplan.roster._check import check
from staffplan.roster._diagnose import describe_group, minimal_core, shortage_note
from staffplan.roster._instance import Person, RosterInstance
from staffplan.roster._model import RosterModel
from staffplan.roster._model import _ub as ub
from staffplan.roster._people_kinds import KINDS, WEEKEND_DAYS, min_hours, repeats, shift_kinds
from staffplan.roster._people_model import PeopleModel, PeopleWeights, contract_key
from staffplan.roster._search import DET_PER_S, Run, check_args, portfolio
from staffplan.roster._solution import (
    ROSTER_COLUMNS,
    RosterResult,
    coverage_frame,
    empty_roster,
    tally,
)
from staffplan.roster._solve import _Best, _Ctx, _first, _improve
from staffplan.roster._solve import _failed as _solve_failed

__all__ = ["PeopleResult", "diagnose_people", "people_metrics", "roster_changes", "solve_people"]

#: Share of the time limit for the count-based roster (step 1), and its cap [s]: the first
#: people roster waits for it, and a good count roster is found in seconds.
_COUNT_SHARE = 0.1
_COUNT_MAX_S = 12.0
#: Person-shift variables above which the improvement is large neighbourhood search only.
_LNS_ABOVE = 5000
#: Share of what is left for the first people roster (step 3).
_FIRST_SHARE = 0.4
#: Repair of contract minimums: short (person, block) pairs per neighbourhood, agents with
#: time above their minimum freed with them, budget of one neighbourhood [s].
_REPAIR_PEOPLE = 3
_REPAIR_OTHERS = 24
_REPAIR_STEP_S = 1.5
#: Share of the time left the repair may take after the first roster, and the share kept
#: for a second repair after the improvement when minimums are still missed.
_REPAIR_SHARE = 0.6
_REPAIR_KEEP = 0.25
#: Improvement of short days: agents with hours to spare freed per step, budget of a step
#: [s] (CP-SAT's own neighbourhoods get what is left once every short day was tried).
_IMPROVE_AGENTS = 40
_IMPROVE_STEP_S = 6.0
#: Gain that sends the improvement back to days already tried: a tenth of an agent-interval
#: short at a quiet hour (``Weights``), so that preference-sized gains do not loop.
_IMPROVE_MIN = 100.0
#: People at each end (most, fewest shifts of a kind) freed by a fairness neighbourhood.
_FAIR_PEOPLE = 3
#: Up to this many person-shifts CP-SAT's own neighbourhoods still gain (measured: 50
#: people, 4 weeks, ~17,000) and keep ``1 - _TARGETED_SHARE`` of the improvement time;
#: above, loading the model alone took most of what they got.
_GENERIC_UP_TO = 30000
_TARGETED_SHARE = 0.6
#: Price of taking a lead along to make room for an agent's shift in the greedy re-plan
#: [agent-intervals of need]: only where no pattern without one exists.
_LEAD_PRICE = 1000.0


@dataclass(frozen=True, repr=False)
class PeopleResult(RosterResult):
    """A :class:`RosterResult` for named people, with team and fairness measures.

    Attributes
    ----------
    metrics : dict
        ``team_stability`` (share of agent-days on shift with their own lead), ``lead_overlap``
        (share of agents' worked minutes while their own lead is at work),
        ``fairness_spread`` (per kind: largest max - min count of evening, weekend and night
        shifts among people with the same contract), ``design_objective`` (coverage and paid
        hours, the count model's objective, of this roster), ``count_objective`` and
        ``count_bound`` (the count-based roster's objective and proven bound), ``violations``
        (the checker's count), ``build_s`` and ``hint_s`` (time to build the model and to
        reach the hinted first search [s]), ``minimums_met_s`` (time to the first roster
        that meets every contract minimum [s]; NaN when none did: before it, minimums missed
        by the first roster are repaired).
    changes : DataFrame or None
        With :func:`solve_people`'s ``published``: the shifts that changed (see
        :func:`roster_changes`).
    """

    metrics: dict[str, Any] = field(default_factory=dict)
    changes: pd.DataFrame | None = None


class _Greedy:
    """Contract ledger of every person while shifts are handed out (hint building)."""

    def __init__(self, pm: PeopleModel, counts: dict[tuple[str, int], int]) -> None:
        self.pm = pm
        self.days: list[set[int]] = [set() for _ in pm.people]
        self.taken: list[list[int]] = [[] for _ in pm.people]
        self.minutes: list[dict[int, int]] = [defaultdict(int) for _ in pm.people]
        self.mine = [set(ks) for ks in pm.mine]
        self.kinds: list[dict[str, int]] = [defaultdict(int) for _ in pm.people]
        self.last: dict[tuple[int, int], int] = {}  # (person, day) -> shift
        self.reserved: list[set[int]] = [set() for _ in pm.people]
        self.rest_min = [round(p.min_rest_h * 60) for p in pm.people]
        # Days worked in a row up to the horizon (the previous roster's named shifts): the
        # rest after them is in ``pm.mine`` already, their run is counted here.
        self.run_in = list(pm.run_in)
        # The instance computes these from timestamps on every call: once here.
        self.n_days = pm.inst.n_days
        self.need: dict[tuple[int, int], int] = {}
        self.longest = [max((pm.shifts[k].paid * pm.iv for k in ks), default=1) for ks in pm.mine]
        self._reserve_pairs(counts)

    def _reserve_pairs(self, counts: dict[tuple[str, int], int]) -> None:
        """A pair of days off per week for two-together contracts, by team.

        A team (its lead and its agents who rest two days together) takes, week by week, the
        pair of days where the most people of each role stay free beyond what the count
        roster asks that day, preferring a weekend pair it has not had yet, so that a team
        rests together, the floor is never emptied, and weekends go round.
        """
        pm = self.pm
        n_days = pm.inst.n_days
        demand: dict[tuple[str, int], int] = defaultdict(int)
        for (role, k), c in counts.items():
            demand[role, pm.shifts[k].day] += c
        units: dict[str, list[int]] = defaultdict(list)
        for pi, p in enumerate(pm.people):
            if p.days_off_together:
                units[pm.team.get(p.name) or f"_{p.name}"].append(pi)
        weekend = set(pm.weekend_days)
        # Working five days in every week with at most ``max_consecutive_days`` in a row, a
        # unit's pair may move at most that many days past a run of five from one week to
        # the next (a pair moving later strands the days its members must still work).
        run_cap = {
            u: min(pm.people[pi].max_consecutive_days for pi in members)
            for u, members in units.items()
        }
        # Days in a row the unit's members bring in from the previous roster: a first pair
        # later than ``run_cap - run_in`` would strand them in a run too long.
        lead_in = {u: max(self.run_in[pi] for pi in members) for u, members in units.items()}
        prev: dict[str, int] = {}
        head = {role: max(1, sum(1 for p in pm.people if p.role == role)) for role in pm.rm.roles}
        # Slack is compared as a share of each role's headcount: in absolute numbers the
        # few leads' slack decided every team's pair, and agents who must work five fixed
        # days were left more on a quiet day (a last Sunday) than it asks for.
        ahead = {(role, d): head[role] - demand[role, d] for role in head for d in range(n_days)}
        for w0 in range(0, n_days - 6, 7):
            free = {
                (role, d): head[role] - demand[role, d]
                for role in pm.rm.roles
                for d in range(w0, w0 + 7)
            }
            for name in sorted(units, key=lambda u: (-len(units[u]), u)):
                members = units[name]
                roles = {pm.people[pi].role for pi in members}
                best = None
                for d in range(w0, w0 + 6):
                    # Earlier is allowed too, but pairs drifting earlier pile up on the
                    # first days of later weeks: the pair keeps its weekday then.
                    if name in prev and run_cap[name] <= 5 and d != prev[name] + 7:
                        continue
                    if name in prev and d - prev[name] - 2 > run_cap[name]:
                        continue
                    if w0 == 0 and d > 0 and d + lead_in[name] > run_cap[name]:
                        continue  # the days worked before it continue the run they bring in
                    slack = min(free[r, x] / head[r] for r in roles for x in (d, d + 1))
                    if w0 == 0 and run_cap[name] <= 5:
                        # The pair keeps this weekday for the horizon: every week's slack.
                        slack = min(
                            ahead[r, x] / head[r]
                            for r in roles
                            for y in (d, d + 1)
                            for x in range(y, n_days, 7)
                        )
                    wk = {pm.inst.day_start(x).weekday() for x in (d, d + 1)} & weekend
                    had = any(self.reserved[members[0]] & set(range(w0)))
                    turn = 2 / head["agent" if "agent" in roles else min(roles)]
                    key = (
                        slack - (turn if wk and had and self._had_weekend(members[0]) else 0),
                        -d,
                    )
                    if best is None or key > best[0]:
                        best = (key, d)
                assert best is not None
                d = best[1]
                prev[name] = d
                for pi in members:
                    self.reserved[pi] |= {d, d + 1}
                    free[pm.people[pi].role, d] -= 1
                    free[pm.people[pi].role, d + 1] -= 1
                    if w0 == 0 and run_cap[name] <= 5:
                        for x in (*range(d, n_days, 7), *range(d + 1, n_days, 7)):
                            ahead[pm.people[pi].role, x] -= 1

    def _had_weekend(self, pi: int) -> bool:
        weekend = set(self.pm.weekend_days)
        return any(self.pm.inst.day_start(x).weekday() in weekend for x in self.reserved[pi])

    def can(self, pi: int, k: int) -> bool:
        pm = self.pm
        p = pm.people[pi]
        if k not in self.mine[pi]:
            return False
        d = pm.shifts[k].day
        days = self.days[pi]
        if d in days or d in self.reserved[pi]:
            return False
        rest = self.rest_min[pi]
        a, b = pm.start_m[k], pm.end_m[k]
        n, cyc = self.n_days, repeats(pm.inst)
        for x in (d - 2, d - 1, d + 1, d + 2):
            # A repeating rota: days past either end are the other end's, a horizon away.
            k2 = self.last.get((pi, x % n if cyc else x))
            o = (x // n) * n * 1440 if cyc else 0
            if k2 is not None and pm.start_m[k2] + o < b + rest and a < pm.end_m[k2] + o + rest:
                return False
        w0 = d - d % 7
        in_week = sum(1 for x in days if w0 <= x < w0 + 7)
        cap = p.max_days_week
        if w0 + 7 <= self.n_days:
            cap = min(cap, 7 - p.min_days_off_week)
        if in_week >= cap:
            return False
        block = d // (7 * p.hours_weeks)
        span_days = min(7 * p.hours_weeks, self.n_days - block * 7 * p.hours_weeks)
        hi = math.floor(p.max_hours_week * 60 * -(-span_days // 7) + 1e-9)
        if self.minutes[pi][block] + pm.shifts[k].paid * pm.iv > hi:
            return False
        run = 1
        for step in (-1, 1):
            x = d + step
            while (x % n if cyc else x) in days and run <= n:
                run, x = run + 1, x + step
            if step < 0 and x < 0 and not cyc:
                run += self.run_in[pi]  # the run reaches the horizon's start and goes on
        # Past n: a repeating rota worked every day, a run without end.
        return run <= min(n, p.max_consecutive_days)

    def take(self, pi: int, k: int) -> None:
        p = self.pm.people[pi]
        d = self.pm.shifts[k].day
        for kind in self.pm.kinds[k]:
            self.kinds[pi][kind] += 1
        self.days[pi].add(d)
        self.taken[pi].append(k)
        self.last[pi, d] = k
        self.minutes[pi][d // (7 * p.hours_weeks)] += self.pm.shifts[k].paid * self.pm.iv

    def drop(self, pi: int, k: int) -> None:
        """Undo :meth:`take`."""
        p = self.pm.people[pi]
        d = self.pm.shifts[k].day
        for kind in self.pm.kinds[k]:
            self.kinds[pi][kind] -= 1
        self.days[pi].discard(d)
        self.taken[pi].remove(k)
        self.last.pop((pi, d), None)
        self.minutes[pi][d // (7 * p.hours_weeks)] -= self.pm.shifts[k].paid * self.pm.iv

    def slack(self, pi: int, d: int, work_days: set[int]) -> int:
        """Days ``pi`` may still work in their hours block from day ``d`` on, less the days
        their minimum still needs: at 0 or 1, passing them over today strands their minimum."""
        p = self.pm.people[pi]
        weeks = 7 * p.hours_weeks
        block = d // weeks
        need = self.short_min(pi, block)
        if need <= 0:
            return 1 << 20
        end = min((block + 1) * weeks, self.n_days)
        cap = min(p.max_days_week, 7 - p.min_days_off_week)
        free = 0
        w0 = d - d % 7
        while w0 < end:
            lo, hi = max(d, w0), min(w0 + 7, end)
            used = sum(1 for x in self.days[pi] if w0 <= x < w0 + 7)
            open_ = sum(
                1
                for x in range(lo, hi)
                if x in work_days and x not in self.days[pi] and x not in self.reserved[pi]
            )
            free += max(0, min(open_, cap - used))
            w0 += 7
        return free - math.ceil(need / self.longest[pi])

    def ahead(self, pi: int, d: int) -> bool:
        """Whether ``pi`` has worked more of their hours block's maximum than the share of
        the block up to day ``d`` (people with hours over several weeks who take every shift
        early in the block are spent before its last weekend)."""
        p = self.pm.people[pi]
        span = 7 * p.hours_weeks
        if span <= 7:
            return False
        block = d // span
        days = min(span, self.n_days - block * span)
        hi = p.max_hours_week * 60 * -(-days // 7)
        return self.minutes[pi][block] >= hi * (d - block * span + 1) / days

    def short_min(self, pi: int, block: int) -> int:
        """Minutes ``pi`` still needs in hours block ``block`` to reach their minimum."""
        key = (pi, block)
        lo = self.need.get(key)
        if lo is None:
            p = self.pm.people[pi]
            span = 7 * p.hours_weeks
            days = min(span, self.n_days - block * span)
            need_h = min_hours(p, self.pm.inst.day_start(block * span), days)
            lo = math.ceil(need_h * 60 - 1e-9) if need_h > 0 else 0
            self.need[key] = lo
        return max(0, lo - self.minutes[pi][block])


def _greedy_assign(
    pm: PeopleModel,
    counts: dict[tuple[str, int], int],
    floor: dict[str, np.ndarray] | None = None,
) -> list[list[int]]:
    """Shifts per person: the count roster's shifts handed out under contracts, then top-ups.

    ``floor``: leads and managers on the floor per interval in the count roster.  An agent
    shift added to reach someone's minimum hours must keep every interval it covers within
    the span of control and the manager rule of those (agents at work bound agents on the
    floor), so that the hint stays a roster.
    """
    g = _Greedy(pm, counts)
    if floor is not None:
        floor = {r: np.asarray(v, dtype=float).copy() for r, v in floor.items()}
    left = dict(counts)
    for pi, p in enumerate(pm.people):
        for a, b in p.locked:
            k = pm.by_key[pd.Timestamp(a), pd.Timestamp(b)]
            if g.can(pi, k):
                g.take(pi, k)
                left[p.role, k] = left.get((p.role, k), 0) - 1
    index = {p.name: i for i, p in enumerate(pm.people)}
    lead_ix = {t: index[name] for t, name in pm.lead_of.items()}
    by_role: dict[str, list[int]] = defaultdict(list)
    for pi, p in enumerate(pm.people):
        by_role[p.role].append(pi)
    # Day by day; within a day the shifts fewest people may take first (nights, types only
    # some contracts allow), so that the flexible people are still free for them.
    eligible = [0] * len(pm.shifts)
    for ks in pm.mine:
        for k in ks:
            eligible[k] += 1
    order = sorted(
        range(len(pm.shifts)), key=lambda k: (pm.shifts[k].day, eligible[k], pm.start_ts[k])
    )
    work_days = [{pm.shifts[k].day for k in ks} for ks in pm.mine]
    day_shifts: dict[int, list[int]] = defaultdict(list)
    for k in order:
        day_shifts[pm.shifts[k].day].append(k)
    cover = pm.inst.span is not None and pm.inst.span.lead_covers_team
    for role in ("lead", "manager", "agent"):
        staff = by_role.get(role, [])
        for k in order:
            need = left.get((role, k), 0)
            d = pm.shifts[k].day
            s_min = pm.shifts[k].start_min
            while need > 0:
                best = None
                best_key: tuple[Any, ...] = ()
                for pi in staff:
                    if not g.can(pi, k):
                        continue
                    p = pm.people[pi]
                    with_lead: float = 1.0
                    if role == "agent" and p.name in pm.team:
                        li = lead_ix[pm.team[p.name]]
                        lk = [x for x in g.taken[li] if pm.shifts[x].day == d]
                        if lk:
                            inside = pm.start_ts[lk[0]] <= pm.start_ts[k] and (
                                pm.end_ts[k] <= pm.end_ts[lk[0]]
                            )
                            if cover and not inside:
                                continue
                            with_lead = 0 if inside else 0.5
                    block = d // (7 * p.hours_weeks)
                    kinds = sum(g.kinds[pi][kind] for kind in pm.kinds[k])
                    # Whoever worked a shift starting near this one yesterday keeps their
                    # rhythm: a late then an early shift breaks the rest rule and strands days.
                    prev = g.last.get((pi, d - 1))
                    same = prev is not None and abs(pm.shifts[prev].start_min - s_min) <= 120
                    key = (
                        g.slack(pi, d, work_days[pi]) > 1,
                        g.ahead(pi, d),
                        not same,
                        kinds + with_lead,
                        -g.short_min(pi, block),
                        len(g.taken[pi]),
                        pi,
                    )
                    if best is None or key < best_key:
                        best, best_key = pi, key
                if best is None:
                    break
                g.take(best, k)
                need -= 1
            # A lead or manager shift nobody may take leaves its agents over the span of
            # control (they are dropped from the hint): the same day's shift of that role
            # sharing most of its hours with it takes its place.
            while need > 0 and role != "agent":
                alt = None
                alt_key = (0, 0)
                span_k = set(pm.rm.covered[k])
                for k2 in day_shifts[d]:
                    if k2 == k:
                        continue
                    share = len(span_k.intersection(pm.rm.covered[k2]))
                    if 2 * share < len(span_k) or (share, -abs(k2 - k)) <= alt_key:
                        continue
                    who = next((pi for pi in staff if g.can(pi, k2)), None)
                    if who is not None:
                        alt, alt_key = (who, k2), (share, -abs(k2 - k))
                if alt is None:
                    break
                g.take(*alt)
                need -= 1
            left[role, k] = need
    # Top up people under their minimum hours, then cover what the count roster's shifts
    # left open (shifts nobody could take), within each person's contract.
    req = pm.inst.required
    span = pm.inst.span
    agents_at = np.zeros(pm.inst.n_intervals)
    agents_day = np.zeros(pm.inst.n_days)
    leads_day = np.zeros(pm.inst.n_days)
    on: dict[tuple[str, int], int] = defaultdict(int)
    for pi, ks in enumerate(g.taken):
        for k in ks:
            on[pm.people[pi].role, k] += 1
            if pm.people[pi].role == "agent":
                agents_at[pm.rm.covered[k]] += 1
                agents_day[pm.shifts[k].day] += 1
            elif pm.people[pi].role == "lead":
                leads_day[pm.shifts[k].day] += 1

    def room(k: int) -> bool:
        if span is None:
            return True
        if floor is None or cover:
            return False
        t = pm.rm.covered[k]
        n = agents_at[t] + 1
        cap = span.max_agents_per_lead
        if (n > cap * floor["lead"][t] + 1e-9).any():
            return False
        d = pm.shifts[k].day
        if agents_day[d] + 1 > cap * leads_day[d]:
            return False
        above = span.manager_above_agents
        return above is None or not ((n > above) & (floor["manager"][t] < 1 - 1e-9)).any()

    # What is still uncovered, per interval: top-ups go where they cover most of it.
    residual = req.astype(float) - agents_at
    cov_arr = [np.asarray(c, dtype=np.int64) for c in pm.rm.covered]

    def best_shift(pi: int, block: int | None) -> int | None:
        p = pm.people[pi]
        weeks = 7 * p.hours_weeks
        best, best_gain = None, -1.0
        for k in pm.mine[pi]:
            if block is not None and pm.shifts[k].day // weeks != block:
                continue
            gain = float(np.clip(residual[cov_arr[k]], 0, None).sum())
            if gain <= best_gain or (block is None and gain <= 0):
                continue
            if not g.can(pi, k) or on[p.role, k] >= ub(pm.rm.x[p.role][k]):
                continue
            if p.role == "agent" and not room(k):
                continue
            best, best_gain = k, gain
        return best

    def take(pi: int, k: int) -> None:
        p = pm.people[pi]
        if p.role == "agent":
            cov = cov_arr[k]
            agents_at[cov] += 1
            residual[cov] -= 1
            agents_day[pm.shifts[k].day] += 1
        g.take(pi, k)
        on[p.role, k] += 1

    # First everyone under their minimum hours, then anyone with room while demand is open.
    for pi, p in enumerate(pm.people):
        weeks = 7 * p.hours_weeks
        for block in range(-(-pm.inst.n_days // weeks)):
            while g.short_min(pi, block) > 0:
                found = best_shift(pi, block)
                if found is None:
                    break
                take(pi, found)

    def drop(pi: int, k: int) -> None:
        p = pm.people[pi]
        if p.role == "agent":
            cov = cov_arr[k]
            agents_at[cov] -= 1
            residual[cov] += 1
            agents_day[pm.shifts[k].day] -= 1
        g.drop(pi, k)
        on[p.role, k] -= 1

    def clash(pi: int, k: int, k2: int) -> bool:
        rest = g.rest_min[pi]
        return pm.start_m[k2] < pm.end_m[k] + rest and pm.start_m[k] < pm.end_m[k2] + rest

    lead_staff = by_role.get("lead", [])

    def lead_slots(k: int) -> np.ndarray:
        """Intervals a lead on shift ``k`` is on the floor whatever their lunch and breaks."""
        s = pm.shifts[k]
        off = {
            s.start_slot + rel
            for group in s.groups
            for opt in group.options
            for kind, rule, at in opt.places
            for rel in pm.rm._place_slots(kind, rule, at)
        }
        return np.asarray([t for t in pm.rm.covered[k] if t not in off], dtype=np.int64)

    def lead_for(k: int) -> tuple[int, int] | None:
        """A lead free to work a shift of ``k``'s day that gives ``k`` room (fewest shifts
        first), or None (no such lead, or the manager rule, not a lead, is missing)."""
        if span is None or floor is None or cover:
            return None
        found = None
        for k2 in day_shifts[pm.shifts[k].day]:
            if pm.start_m[k2] > pm.start_m[k] or pm.end_m[k2] < pm.end_m[k]:
                continue
            if on["lead", k2] >= ub(pm.rm.x["lead"][k2]):
                continue
            for li in lead_staff:
                key = (len(g.taken[li]), li, k2)
                if (found is None or key < found) and g.can(li, k2):
                    add_lead(li, k2)
                    fits = room(k)
                    add_lead(li, k2, -1)
                    if fits:
                        found = key
        return (found[1], found[2]) if found is not None else None

    def add_lead(li: int, k: int, sign: int = 1) -> None:
        assert floor is not None
        floor["lead"][lead_slots(k)] += sign
        leads_day[pm.shifts[k].day] += sign
        if sign > 0:
            g.take(li, k)
        else:
            g.drop(li, k)
        on["lead", k] += sign

    def replan(pi: int, with_leads: bool) -> bool:
        """Re-plan agent ``pi``'s horizon (weekly hours blocks) to reach every weekly minimum.

        Shifts added one at a time cannot mend a full-timer whose free day clashes with a
        neighbouring shift (rest, a run too long) or has no lead with room that day (the
        last Sunday of a horizon asks for fewer people than work five fixed days): the
        person's whole pattern is chosen again, by dynamic programming over the days
        (which shift, or off; rest, runs, days per week, a pair of days off together and
        hours per week between minimum and maximum), covering the most need still open and
        keeping the shifts they held on ties.  Their shifts stand when no pattern fits.
        """
        p = pm.people[pi]
        n_days = pm.inst.n_days
        if p.locked or p.hours_weeks != 1:
            return False
        old = list(g.taken[pi])
        reserved = set(g.reserved[pi])
        for k in old:
            drop(pi, k)
        g.reserved[pi] = set()
        held = set(old)
        run_max = p.max_consecutive_days
        hi = math.floor(p.max_hours_week * 60 + 1e-9)
        State = tuple[int, int, bool, int, int]  # yesterday's shift or -1, run, pair, days, min
        start: State = (-2, g.run_in[pi], False, 0, 0)
        states: dict[State, tuple[float, tuple[int, ...]]] = {start: (0.0, ())}
        for d in range(n_days):
            w0 = d - d % 7
            full = w0 + 7 <= n_days
            cap = min(p.max_days_week, 7 - p.min_days_off_week) if full else p.max_days_week
            opts = [(-1, 0.0)]
            for k in day_shifts[d]:
                if k not in g.mine[pi] or on[p.role, k] >= ub(pm.rm.x[p.role][k]):
                    continue
                # A shift held had room before it was dropped, and has it again; one
                # without room may take a lead who is free that day along (at a price).
                gain = float(np.clip(residual[cov_arr[k]], 0, None).sum())
                if k in held or room(k):
                    opts.append((k, gain + (0.5 if k in held else 0.0)))
                elif with_leads and lead_for(k) is not None:
                    opts.append((k, gain - _LEAD_PRICE))
            nxt: dict[State, tuple[float, tuple[int, ...]]] = {}
            for (prev, run, pair, n, mins), (score, path) in states.items():
                for k, gain in opts:
                    if k < 0:
                        key: State = (-1, 0, pair or (prev == -1 and d > w0), n, mins)
                    else:
                        if run + 1 > run_max or n + 1 > cap or (prev >= 0 and clash(pi, prev, k)):
                            continue
                        m2 = mins + pm.shifts[k].paid * pm.iv
                        if m2 > hi:
                            continue
                        key = (k, run + 1, pair, n + 1, m2)
                    val = (score + gain, (*path, k))
                    if key not in nxt or val > nxt[key]:
                        nxt[key] = val
            if d == w0 + 6 or d == n_days - 1:
                lo = g.short_min(pi, w0 // 7) if full else 0
                need_pair = p.days_off_together and full
                nxt = {
                    (prev, run, False, 0, 0): val
                    for (prev, run, pair, n, mins), val in nxt.items()
                    if mins >= lo and (pair or not need_pair)
                }
                # Keep the best value per state reached.
                merged: dict[State, tuple[float, tuple[int, ...]]] = {}
                for key, val in nxt.items():
                    if key not in merged or val > merged[key]:
                        merged[key] = val
                nxt = merged
            states = nxt
            if not states:
                break
        best = max(states.values()) if states else None
        chosen = [k for k in best[1] if k >= 0] if best is not None else []
        done: list[int] = []
        leads: list[tuple[int, int]] = []
        for k in chosen:
            if not g.can(pi, k):
                break
            if k not in held and not room(k):
                lead = lead_for(k)
                if lead is None:
                    break
                add_lead(*lead)
                leads.append(lead)
                if not room(k):
                    break
            take(pi, k)
            done.append(k)
        if best is None or len(done) < len(chosen):
            for k in done:
                drop(pi, k)
            for li, k in leads:
                add_lead(li, k, -1)
            for k in old:
                take(pi, k)
            g.reserved[pi] = reserved
            return False
        g.reserved[pi] = set(range(n_days)) - g.days[pi]
        return True

    # Full-timers that shifts added one at a time left short: their pattern chosen again.
    for pi, p in enumerate(pm.people):
        if p.role == "agent" and any(
            g.short_min(pi, b) > 0 for b in range(-(-pm.inst.n_days // (7 * p.hours_weeks)))
        ):
            replan(pi, False) or replan(pi, True)
    agents = sorted(
        (pi for pi, p in enumerate(pm.people) if p.role == "agent"),
        key=lambda pi: (len(g.taken[pi]), pi),
    )
    for pi in agents:
        for _ in range(pm.inst.n_days):
            found = best_shift(pi, None)
            if found is None:
                break
            take(pi, found)
    return g.taken


def _over_span(rm: RosterModel, hint: dict[Any, int]) -> list[int]:
    """Intervals where the hint breaks span of control or the manager rule."""
    span = rm.inst.span
    if span is None:
        return []
    f = rm.hint_floors(hint)
    d = rm.scale
    bad = f["agent"] > span.max_agents_per_lead * f["lead"]
    above = span.manager_above_agents
    if above is not None and "manager" in f:
        for t in rm.manager_ruled:
            big = rm.floor_ub[t] - d * above
            if f["agent"][t] - d * above > -(-big // d) * f["manager"][t]:
                bad[t] = True
    return [int(t) for t in np.flatnonzero(bad)]


def _hint(pm: PeopleModel, count_values: list[int], taken: list[list[int]]) -> None:
    """Hint ``pm`` with the greedy assignment, placements trimmed from the count roster.

    Leads or managers the named people could not take leave intervals over the span of
    control: agents' shifts there are dropped from the hint (the search adds them back where
    it can), so that the hint is a roster and is taken at once.
    """
    rm = pm.rm
    m = pm.model
    m.clear_hints()
    by_index = dict(zip((v.index for v in rm.all_vars), count_values, strict=True))
    x_val: dict[tuple[str, int], int] = defaultdict(int)
    for pi, ks in enumerate(taken):
        for k in ks:
            x_val[pm.people[pi].role, k] += 1
    hint: dict[Any, int] = {}
    for role in rm.roles:
        for k, x in enumerate(rm.x[role]):
            n = x_val.get((role, k), 0)
            hint[x] = n
            for g in range(len(rm.shifts[k].groups)):
                ys = rm.y[role, k, g]
                if len(ys) == 1:
                    continue
                vals = [int(by_index.get(y.index, 0)) for y in ys]
                total = sum(vals)
                for o in range(len(vals) - 1, -1, -1):  # trim from the last placements
                    cut = min(vals[o], max(0, total - n))
                    vals[o] -= cut
                    total -= cut
                vals[0] += n - total
                for y, v in zip(ys, vals, strict=True):
                    hint[y] = v
    agents = [pi for pi, p in enumerate(pm.people) if p.role == "agent"]
    for _ in range(4 * len(pm.shifts)):
        bad = _over_span(rm, hint)
        if not bad:
            break
        t = bad[0]
        # The agent with most shifts on a shift covering t gives it up.
        cands = [(len(taken[pi]), pi, k) for pi in agents for k in taken[pi] if t in rm.covered[k]]
        if not cands:
            break
        _, pi, k = max(cands)
        taken[pi].remove(k)
        hint[rm.x["agent"][k]] -= 1
        for g, group in enumerate(rm.shifts[k].groups):
            ys = rm.y["agent", k, g]
            if len(ys) == 1:
                continue
            # Drop a placement that is at work at t, so that t loses an agent on the floor.
            opts = [o for o, y in enumerate(ys) if hint[y] > 0]
            away = {
                o
                for o in opts
                for _kind, _rule, off in group.options[o].places
                if rm.shifts[k].start_slot + off == t
            }
            o = next((o for o in opts if o not in away), opts[0])
            hint[ys[o]] -= 1
    hint.update(rm.complete_hint(hint))
    for b in rm.manager_needed:
        hint[b] = int(by_index.get(b.index, 0))
    for var, val in hint.items():
        m.add_hint(var, val)
    chosen = {(pi, k) for pi, ks in enumerate(taken) for k in ks}
    for (pi, k), v in pm.w.items():
        m.add_hint(v, int((pi, k) in chosen))
    # The person layer's auxiliaries follow from the shifts: with them the hint is complete,
    # and a complete feasible hint is taken as the first roster without search.
    days = [{pm.shifts[k].day for k in ks} for ks in taken]
    first_pair: dict[tuple[int, int], int] = {}
    for (pi, d), _ in sorted(pm.off2.items(), key=lambda t: t[0]):
        w0 = d - d % 7
        if (pi, w0) not in first_pair and d not in days[pi] and d + 1 not in days[pi]:
            first_pair[pi, w0] = d
    for (pi, d), b in pm.off2.items():
        m.add_hint(b, int(first_pair.get((pi, d - d % 7)) == d))
    lead_ix = {t: pm.index[name] for t, name in pm.lead_of.items()}
    for (ai, d), b in pm.apart.items():
        li = lead_ix[pm.team[pm.people[ai].name]]
        m.add_hint(b, int(d in days[ai] and d not in days[li]))
    for (pi, _), (short, lo_min, ks) in pm.short_min.items():
        mine = set(taken[pi])
        got = sum(pm.shifts[k].paid * pm.iv for k in ks if k in mine)
        m.add_hint(short, max(0, lo_min - got))
    for hi, lo, spread, members, kind in pm.fair:
        counts = [sum(kind in pm.kinds[k] for k in taken[pi]) for pi in members]
        m.add_hint(hi, max(counts))
        m.add_hint(lo, min(counts))
        m.add_hint(spread, max(counts) - min(counts))


def _values(pm: PeopleModel, solver: cp_model.CpSolver) -> dict[int, int]:
    vs = list(pm.w.values())
    vals = solver.values(vs)
    return {v.index: int(x) for v, x in zip(vs, vals, strict=True)}


def _read(pm: PeopleModel, solver: cp_model.CpSolver) -> list[dict[str, Any]]:
    """Rows of the roster: the model's shift records given to the people on them."""
    records = pm.rm.read_shifts(solver)
    assign = pm.assignment(_values(pm, solver))
    on: dict[tuple[str, int], list[str]] = defaultdict(list)
    for pi, ks in enumerate(assign):
        for k in ks:
            on[pm.people[pi].role, k].append(pm.people[pi].name)
    index = {id(s): k for k, s in enumerate(pm.shifts)}
    rows = records_to_rows(pm.rm, records)
    seen: dict[tuple[str, int], int] = defaultdict(int)
    for rec, row in zip(records, rows, strict=True):
        key = (rec["role"], index[id(rec["shift"])])
        names = sorted(on[key])
        row["person"] = names[seen[key]]
        seen[key] += 1
    return rows


def _teams(pm: PeopleModel, rows: list[dict[str, Any]]) -> list[str]:
    """``team`` (that day) and ``home_team`` on every row; notes on agents left teamless."""
    notes: list[str] = []
    span = pm.inst.span
    for r in rows:
        r["home_team"] = pm.team.get(r["person"], "")
        r["team"] = r["home_team"] if r["role"] == "lead" else ""
    if span is None:
        return notes
    k = span.max_agents_per_lead
    by_day: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_day[r["day"]].append(r)
    for d, day_rows in sorted(by_day.items()):
        leads = {r["team"]: r for r in day_rows if r["role"] == "lead"}
        room = dict.fromkeys(leads, k)
        guests = []
        for r in sorted(day_rows, key=lambda r: (r["start"], r["person"])):
            if r["role"] != "agent":
                continue
            if r["home_team"] in leads:
                r["team"] = r["home_team"]
                room[r["home_team"]] -= 1
            else:
                guests.append(r)
        for r in guests:
            fits = []
            for t, lead in leads.items():
                if room[t] <= 0:
                    continue
                inside = lead["start"] <= r["start"] and r["end"] <= lead["end"]
                if span.lead_covers_team and not inside:
                    continue
                overlap = (
                    min(lead["end"], r["end"]) - max(lead["start"], r["start"])
                ).total_seconds()
                fits.append((-overlap, t))
            if fits:
                t = min(fits)[1]
                r["team"] = t
                room[t] -= 1
            else:
                notes.append(
                    f"{r['person']}: no lead with room works alongside on day {d + 1}; "
                    "left without a team that day"
                )
    return notes


def people_metrics(
    instance: RosterInstance,
    roster: pd.DataFrame,
    *,
    weekend_days: Sequence[int] = WEEKEND_DAYS,
) -> dict[str, Any]:
    """Team stability, lead overlap and fairness spread of a named roster.

    Parameters
    ----------
    instance : RosterInstance
        With ``people``.
    roster : DataFrame
        Roster frame (``person``, ``role``, ``start``, ``end``; ``home_team`` when teams are
        stable, else the people's ``Person.team``).
    weekend_days : sequence of int
        Weekdays of the weekend (0 = Monday).

    Returns
    -------
    dict
        ``team_stability`` [share of agent-days on shift with their own lead working],
        ``lead_overlap`` [share of agents' worked minutes during which their own lead is at
        work], ``fairness_spread`` {kind: max - min shifts of that kind per person among
        people with the same contract and no leave or availability limits}.
    """
    if instance.people is None:
        raise ValueError("instance.people must hold the named people, got None")
    people = {p.name: p for p in instance.people}
    check_columns(roster, ["person", "role", "start", "end"], "roster")
    if "home_team" in roster:
        home = dict(zip(roster["person"], roster["home_team"], strict=True))
    else:
        home = {p.name: p.team or "" for p in instance.people}
    lead_of = {home.get(n, ""): n for n, p in people.items() if p.role == "lead"}
    norm0 = instance.start.normalize()
    shifts: dict[tuple[str, int], tuple[pd.Timestamp, pd.Timestamp]] = {}
    for row in roster.itertuples(index=False):
        s = pd.Timestamp(row.start)
        shifts[row.person, (s.normalize() - norm0).days] = (s, pd.Timestamp(row.end))
    days = together = 0
    worked = overlap = 0.0
    for (name, d), (a, b) in shifts.items():
        p = people.get(name)
        if p is None or p.role != "agent":
            continue
        days += 1
        worked += (b - a).total_seconds()
        lead = shifts.get((lead_of.get(home.get(name, ""), ""), d))
        if lead is not None:
            together += 1
            overlap += max(0.0, (min(b, lead[1]) - max(a, lead[0])).total_seconds())
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(KINDS, 0))
    for (name, _), (a, b) in shifts.items():
        for kind in shift_kinds(a, b, weekend_days):
            counts[name][kind] += 1
    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for name, p in people.items():
        if not (p.leave or p.unavailable or p.availability is not None or p.locked):
            groups[contract_key(p)].append(name)
    spread = dict.fromkeys(KINDS, 0)
    for members in groups.values():
        if len(members) < 2:
            continue
        for kind in KINDS:
            vals = [counts[n][kind] for n in members]
            spread[kind] = max(spread[kind], max(vals) - min(vals))
    return {
        "team_stability": together / days if days else math.nan,
        "lead_overlap": overlap / worked if worked else math.nan,
        "fairness_spread": spread,
    }


def roster_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Shifts that differ between two named rosters, one row per person and day.

    Parameters
    ----------
    old, new : DataFrame
        Roster frames with ``person``, ``start``, ``end``.

    Returns
    -------
    DataFrame
        Columns ``person``, ``date``, ``old_start``, ``old_end``, ``new_start``, ``new_end``
        (NaT where there is no shift) and ``change``: ``"removed"``, ``"added"`` or
        ``"moved"``; sorted by date and person.
    """
    check_columns(old, ["person", "start", "end"], "old")
    check_columns(new, ["person", "start", "end"], "new")

    def keyed(frame: pd.DataFrame) -> dict[tuple[str, pd.Timestamp], tuple[Any, Any]]:
        return {
            (str(p), pd.Timestamp(a).normalize()): (pd.Timestamp(a), pd.Timestamp(b))
            for p, a, b in zip(frame["person"], frame["start"], frame["end"], strict=True)
        }

    a, b = keyed(old), keyed(new)
    rows = []
    for key in sorted(set(a) | set(b), key=lambda t: (t[1], t[0])):
        was, now = a.get(key), b.get(key)
        if was == now:
            continue
        change = "added" if was is None else "removed" if now is None else "moved"
        rows.append(
            {
                "person": key[0],
                "date": key[1],
                "old_start": was[0] if was else pd.NaT,
                "old_end": was[1] if was else pd.NaT,
                "new_start": now[0] if now else pd.NaT,
                "new_end": now[1] if now else pd.NaT,
                "change": change,
            }
        )
    cols = ["person", "date", "old_start", "old_end", "new_start", "new_end", "change"]
    out = pd.DataFrame(rows, columns=cols)
    for c in cols[1:6]:
        out[c] = pd.to_datetime(out[c])
    return out


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        frame = empty_roster()
        frame["home_team"] = pd.Series(dtype=object)
        return frame
    frame = pd.DataFrame(rows)
    order = {"manager": 0, "lead": 1, "agent": 2}
    frame = frame.assign(_r=frame["role"].map(order)).sort_values(
        ["start", "_r", "person"], kind="stable"
    )
    cols = [*ROSTER_COLUMNS, "home_team", "shift_type", "paid_h"]
    return frame[cols].reset_index(drop=True)


def solve_people(
    instance: RosterInstance,
    *,
    time_limit_s: float = 60.0,
    num_workers: int = defaults.NUM_WORKERS,
    random_seed: int = defaults.SEED,
    weights: PeopleWeights | None = None,
    weekend_days: Sequence[int] = WEEKEND_DAYS,
    published: pd.DataFrame | RosterResult | None = None,
    deterministic: bool = True,
) -> PeopleResult:
    """Roster named people over the horizon with their contracts inside the optimisation.

    Parameters
    ----------
    instance : RosterInstance
        From :func:`make_instance` with ``people`` (agents; leads and a manager when ``span``
        asks for them).  Horizons up to 4 weeks.
    time_limit_s : float
        Budget of the whole call [s].
    num_workers : int
        Searches run side by side in each step.
    random_seed : int
        Seed of the first search.
    weights : PeopleWeights, optional
        Weights of team stability, fairness, preferences and changes (default
        ``PeopleWeights()``).
    weekend_days : sequence of int
        Weekdays of the weekend (0 = Monday), e.g. ``(4, 5)`` for Friday-Saturday.
    published : DataFrame or RosterResult, optional
        A published roster to repair: the new roster changes as few of its shifts as the
        instance (a sick call as ``leave``, a new requirement) allows; the changes come back in
        ``PeopleResult.changes``.
    deterministic : bool
        Limit searches by deterministic time (same inputs and seed, same roster).

    Returns
    -------
    PeopleResult
        ``ok`` False with ``reasons`` naming person, rule and days (and the smallest relaxation
        found) when the contracts admit no roster.  Minimum hours are kept elastic in the
        search (``PeopleWeights.min_hours``) so that a roster always comes back: when the best
        one misses a minimum and the contracts are proven to conflict, the status is
        ``INFEASIBLE`` and that closest roster is returned with the explanation.

    Raises
    ------
    ValueError
        Teams without a lead, teams larger than ``max_agents_per_lead``, locks that are no
        allowed shift, people whose role the rules do not roster.
    """
    time_limit_s, num_workers, random_seed = check_args(
        instance, time_limit_s, num_workers, random_seed
    )
    if instance.people is None:
        raise ValueError("instance.people must hold the named people (make_instance(people=...))")
    weekend = tuple(int(d) for d in weekend_days)
    if not all(0 <= d <= 6 for d in weekend):
        raise ValueError(f"weekend_days must be weekdays 0-6 (0 = Monday), got {weekend_days!r}")
    pub = published.roster if isinstance(published, RosterResult) else published
    if pub is not None:
        check_columns(pub, ["person", "start", "end"], "published")
    t0 = time.perf_counter()
    params: dict[str, Any] = {
        "max_time_in_seconds": time_limit_s,
        "num_workers": num_workers,
        "random_seed": random_seed,
        "deterministic": bool(deterministic),
    }
    pm = PeopleModel(
        instance, weights=weights or PeopleWeights(), weekend_days=weekend, published=pub
    )
    build_s = time.perf_counter() - t0
    ctx = _Ctx(t0 + 0.9 * time_limit_s, num_workers, random_seed, bool(deterministic))
    budget = 0.9 * time_limit_s - build_s
    # Step 1: the count-based roster, built exactly as the person model's design layer so
    # that its values hint it variable for variable.
    cm = pm.count_model()
    count_budget = min(max(2.0, _COUNT_SHARE * budget), _COUNT_MAX_S)
    # The count stage stops on the wall clock too, at its share: the people need the rest.
    ctx.deadline = time.perf_counter() + count_budget
    out = _first(cm, ctx, 0.4 * count_budget, lp_s=max(1.0, 0.2 * count_budget))
    count_best: _Best | None = None
    if out.found:
        count_best = _improve(cm, _Best(cm, out), 0.6 * count_budget, ctx)
    ctx.deadline = t0 + 0.9 * time_limit_s
    # Step 2: hint.
    if pub is not None:
        index = {p.name: i for i, p in enumerate(pm.people)}
        taken: list[list[int]] = [[] for _ in pm.people]
        for row in pub.itertuples(index=False):
            pi = index.get(row.person)
            k = pm.by_key.get((pd.Timestamp(row.start), pd.Timestamp(row.end)))
            if pi is not None and k is not None and (pi, k) in pm.w:
                taken[pi].append(k)
    else:
        counts: dict[tuple[str, int], int] = {}
        if count_best is not None:
            vals = dict(zip((v.index for v in cm.all_vars), count_best.values, strict=True))
            for role in cm.roles:
                for k, x in enumerate(cm.x[role]):
                    if vals[x.index]:
                        counts[role, k] = vals[x.index]
        floor = None
        if count_best is not None:
            frame = pd.DataFrame(records_to_rows(cm, count_best.records))
            if not frame.empty:
                floor = tally(pm.base, frame)["floor"]
        taken = _greedy_assign(pm, counts, floor)
    _hint(pm, count_best.values if count_best is not None else [0] * len(cm.all_vars), taken)
    greedy_s = time.perf_counter() - t0
    # Step 3: first roster, then improve.
    left = max(0.5, 0.9 * time_limit_s - (time.perf_counter() - t0))
    # Without presolve a complete feasible hint is taken at once (presolving a model of
    # 100,000 person-shift booleans takes longer than the whole first roster should).
    first = ctx.run(
        pm.rm,
        pm.objective,
        min(_FIRST_SHARE * left, max(0.5, 0.1 * left)),
        stop_after_first_solution=True,
        cp_model_presolve=False,
    )
    if not first.found and first.status not in ("INFEASIBLE", "MODEL_INVALID"):
        first = ctx.run(pm.rm, pm.objective, _FIRST_SHARE * left, stop_after_first_solution=True)
    if not first.found or first.solver is None:
        if first.status == "INFEASIBLE":
            why = diagnose_people(
                instance,
                time_limit_s=max(1.0, min(30.0, t0 + time_limit_s - time.perf_counter())),
                random_seed=random_seed,
            )
        else:
            why = [f"no people roster found within time_limit_s={time_limit_s:g}; raise it"]
        params["stage_budgets_s"] = ctx.stages
        return _failed(instance, first.status, why, t0, params, "\n".join(ctx.log))
    first_s = time.perf_counter() - t0
    solver = first.solver
    objective = float(solver.value(pm.objective))
    design = float(solver.value(pm.rm.objective))
    bound = first.bound
    status = first.status
    sol = _solution(solver)
    repaired = False
    if _short_keys(pm, sol) and ctx.left() > 0.5:
        # People the greedy left under their minimum: mend their weeks first, while the
        # whole budget is ahead (the full search rarely picks those few people's weeks).
        sol, fixed = _repair(pm, sol, _REPAIR_SHARE * ctx.left(), ctx)
        repaired = True
        if fixed is not None:
            solver = fixed
            objective = float(solver.objective_value)
            status = "FEASIBLE"
    # When the roster kept first met every contract minimum (the repair's end, or never).
    met_s = time.perf_counter() - t0 if not _short_keys(pm, sol) else math.nan
    if ctx.left() > 0.5:
        _hint_all(pm, sol)
        # Past a few thousand people-shifts, large neighbourhood search interleaved in one
        # deterministic schedule: the move that improves a big roster of named people is to
        # re-solve a few people's weeks; below, the plain search also proves optimality.
        keep = _REPAIR_KEEP if _short_keys(pm, sol) else 0.05
        budget_s = max(0.5, ctx.left() * (1 - keep))
        # No later search may trade a minimum reached back (see _repair). With every
        # minimum met the held model is the one with hard minimums, whose bound bounds every
        # roster that keeps the contracts; with some still missed its bound is not reported.
        _hold_minimums(pm, sol)
        exact = not _short_keys(pm, sol)
        lns = len(pm.w) > _LNS_ABOVE
        if lns:
            # First the days left most short, by targeted neighbourhoods; then CP-SAT's own.
            share = _TARGETED_SHARE if len(pm.w) <= _GENERIC_UP_TO else 1.0
            sol, fixed = _improve_days(pm, sol, objective, share * budget_s, ctx)
            if fixed is not None:
                solver = fixed
                objective = float(solver.objective_value)
            _hint_all(pm, sol)
            more = Run("UNKNOWN", None, math.nan, False)
            if ctx.left() * (1 - keep) > 2.0:
                more = _interleaved(pm, ctx.left() * (1 - keep), ctx)
        else:
            more = ctx.run(pm.rm, pm.objective, budget_s)
        if more.found and more.solver is not None:
            if more.solver.value(pm.objective) <= objective:
                solver = more.solver
                objective = float(solver.value(pm.objective))
                sol = _solution(solver)
            if exact and math.isfinite(more.bound):
                bound = max(bound, more.bound) if math.isfinite(bound) else more.bound
                if more.status == "OPTIMAL":
                    status = "OPTIMAL"
    if repaired and _short_keys(pm, sol) and ctx.left() > 0.5:
        sol, fixed = _repair(pm, sol, ctx.left(), ctx)
        if fixed is not None:
            solver = fixed
            objective = float(solver.objective_value)
    if math.isnan(met_s) and not _short_keys(pm, sol):
        met_s = time.perf_counter() - t0
    design = float(solver.value(pm.rm.objective))
    rows = _read(pm, solver)
    if status != "OPTIMAL":
        status = "FEASIBLE"
    short = sum(int(solver.value(v)) for v, _, _ in pm.short_min.values())
    explain: list[str] = []
    if short:
        # A minimum missed: either the contracts cannot all hold (then say which, and what
        # to relax) or the search ran out of time.
        explain = diagnose_people(
            instance,
            time_limit_s=max(3.0, min(10.0, t0 + time_limit_s - time.perf_counter())),
            random_seed=random_seed,
        )
        if explain and explain[0].startswith("rules in conflict"):
            status = "INFEASIBLE"
            explain.append(
                "the roster returned is the closest found: it misses contract minimum hours "
                f"by {short / 60:g} h in all"
            )
        else:
            explain = [
                f"contract minimum hours missed by {short / 60:g} h in all (no conflict "
                "proven: the search ran out of time); raise time_limit_s"
            ]
    # The count model is a relaxation of the person model (people costs are >= 0 without a
    # published roster): its bound bounds this roster too.
    if count_best is not None and pub is None and math.isfinite(count_best.bound):
        bound = max(bound if math.isfinite(bound) else -math.inf, count_best.bound)
    notes = explain + pm.notes + _teams(pm, rows)
    roster = _frame(rows)
    coverage = coverage_frame(instance, roster)
    violations = check(instance, roster)
    notes += [f"check: {v}" for v in violations[:20]]
    uncovered = shortage_note(coverage, instance.interval_min)
    if uncovered is not None:
        # Contracts and the span of control can leave need uncovered with the roster still
        # FEASIBLE: say so, or a caller reading status alone takes it for full cover.
        notes.append(
            f"{uncovered}: add people (or leads, when agents wait for a lead on the floor) or "
            "widen their contracts"
        )
    metrics = people_metrics(instance, roster, weekend_days=weekend)
    metrics.update(
        design_objective=design,
        count_objective=count_best.objective if count_best is not None else math.nan,
        count_bound=count_best.bound if count_best is not None else math.nan,
        violations=len(violations),
        build_s=round(build_s, 3),
        hint_s=round(greedy_s, 3),
        minimums_met_s=round(met_s, 3) if math.isfinite(met_s) else math.nan,
    )
    notes.append(
        f"team stability {metrics['team_stability']:.1%} of agent-days with their own lead; "
        "fairness spread (max - min per person, same contract): "
        + ", ".join(f"{k} {v}" for k, v in metrics["fairness_spread"].items())
    )
    changes = roster_changes(pub, roster) if pub is not None else None
    if changes is not None:
        notes.append(f"{len(changes)} shift(s) changed against the published roster")
    if ctx.wall_limited:
        notes.append(
            "the wall clock stopped a solver step before its deterministic budget (machine "
            "under load): this roster may differ from run to run; raise time_limit_s"
        )
    gap = abs(objective - bound) / max(1.0, abs(objective)) if math.isfinite(bound) else math.nan
    params["wall_limited"] = bool(ctx.wall_limited)
    return PeopleResult(
        roster=roster,
        coverage=coverage,
        status=status,
        objective=objective,
        best_bound=float(bound) if math.isfinite(bound) else math.nan,
        gap=float(gap),
        wall_time_s=time.perf_counter() - t0,
        reasons=notes,
        first_solution_s=first_s,
        solver_parameters=params,
        solver_log="\n".join(ctx.log),
        metrics=metrics,
        changes=changes,
    )


def _solution(solver: cp_model.CpSolver) -> list[int]:
    """Value of every variable of the solved model, in index order."""
    return [int(v) for v in solver.response_proto.solution]


def _hint_all(pm: PeopleModel, sol: Sequence[int]) -> None:
    """Hint every variable of ``pm``'s model with ``sol`` (a complete, feasible solution)."""
    h = pm.model.proto.solution_hint
    h.vars.clear()
    h.values.clear()
    h.vars.extend(range(len(sol)))
    h.values.extend(int(v) for v in sol)


def _short_keys(pm: PeopleModel, sol: Sequence[int]) -> list[tuple[int, int]]:
    """(person, first day of block) of every hours block below its contract minimum."""
    return [key for key, (v, _, _) in pm.short_min.items() if sol[v.index] > 0]


def _neighbourhood(
    pm: PeopleModel, sol: Sequence[int], keys: list[tuple[int, int]], level: int
) -> set[tuple[int, int]]:
    """Person-shifts a repair of the blocks ``keys`` may change, widening with ``level``.

    0: every shift of the people short in those blocks; 1: also, on the blocks' days (and
    the day either side, where rest and runs tie them to the block), every lead's and
    manager's shift (the floor rules an added agent shift may need); 2: also the shifts of
    the short people's teams and of the agents with most paid time above their own minimum
    (who can give up a shift the short person takes).  Small neighbourhoods first: CP-SAT
    mends one person's week at once when it alone is free, and wanders when thousands of
    person-shifts are.
    """
    short = {pi for pi, _ in keys}
    free = {(pi, k) for pi in short for k in pm.mine[pi]}
    if level == 0:
        return free
    days: set[int] = set()
    for pi, b0 in keys:
        span = 7 * pm.people[pi].hours_weeks
        days.update(range(max(0, b0 - 1), min(pm.inst.n_days, b0 + span + 1)))
    others: set[int] = {pi for pi, p in enumerate(pm.people) if p.role != "agent"}
    if level >= 2:
        teams = {pm.team.get(pm.people[pi].name) for pi in short}
        others |= {pi for pi, p in enumerate(pm.people) if pm.team.get(p.name) in teams}
        above: dict[int, int] = defaultdict(int)
        for (pi, _), (_v, lo, ks) in pm.short_min.items():
            if pi in short or pm.people[pi].role != "agent":
                continue
            if not any(pm.shifts[k].day in days for k in ks):
                continue
            got = sum(pm.shifts[k].paid * pm.iv for k in ks if sol[pm.w[pi, k].index])
            above[pi] = max(above[pi], got - lo)
        ranked = sorted(above.items(), key=lambda t: (-t[1], t[0]))[:_REPAIR_OTHERS]
        others |= {pi for pi, extra in ranked if extra > 0}
    for pi, k in pm.w:
        if pi in others and pm.shifts[k].day in days:
            free.add((pi, k))
    return free


def _hold_minimums(pm: PeopleModel, sol: Sequence[int]) -> None:
    """Let no later search miss a contract minimum by more than ``sol`` does."""
    for v, _, _ in pm.short_min.values():
        dom = pm.model.proto.variables[v.index].domain
        dom[len(dom) - 1] = max(dom[0], sol[v.index])


def _solve_part(
    pm: PeopleModel,
    sol: Sequence[int],
    free: set[tuple[int, int]],
    budget_s: float,
    wall_s: float,
    ctx: _Ctx,
    mend: set[int] | frozenset[int] = frozenset(),
) -> Run:
    """Re-solve the person-shifts ``free`` from ``sol`` with every other one fixed at ``sol``.

    Every contract minimum may get no worse than in ``sol``; those whose slack variable's
    index is in ``mend`` must hold.  The model is restored afterwards.
    """
    proto = pm.model.proto
    saved = []
    for key, v in pm.w.items():
        if key not in free:
            dom = proto.variables[v.index].domain
            saved.append((dom, dom[0], dom[1]))
            dom[0] = dom[1] = sol[v.index]
    for v, _, _ in pm.short_min.values():
        dom = proto.variables[v.index].domain
        saved.append((dom, dom[0], dom[1]))
        dom[1] = 0 if v.index in mend else sol[v.index]
    _hint_all(pm, sol)
    try:
        out = portfolio(
            pm.model,
            budget_s=budget_s,
            wall_s=wall_s,
            num_workers=1,
            random_seed=ctx.seed,
            deterministic=ctx.deterministic,
        )
    finally:
        for dom, lo, hi in saved:
            dom[0], dom[1] = lo, hi
    ctx.stages.append(round(budget_s, 3))
    ctx.wall_limited |= out.wall_limited
    return out


def _improve_days(
    pm: PeopleModel, sol: list[int], objective: float, budget_s: float, ctx: _Ctx
) -> tuple[list[int], cp_model.CpSolver | None]:
    """Targeted neighbourhood search on the days the roster leaves most short.

    The generic neighbourhoods of CP-SAT rarely pick the few people who could still work a
    short weekend evening; here each step takes the day with the most reachable shortage not
    yet tried on the current roster and re-solves, on it and the day either side, the shifts
    of the agents with hours to spare who may work that day (most spare first) and of every
    lead and manager, the rest fixed (:func:`_solve_part`).  A real gain sends it back to
    the days already tried.  With no short day left to try, the fairness groups come next,
    widest spread first: the few people with most and fewest shifts of that kind re-solved
    over the horizon.

    Returns the best solution and the solver that found it (None: no improvement).
    """
    t_end = time.perf_counter() + budget_s
    rm = pm.rm
    n_days = pm.inst.n_days
    per_day = pm.inst.n_intervals // max(1, n_days)
    reach = np.zeros(pm.inst.n_intervals, dtype=bool)
    for cov in rm.covered:
        reach[np.asarray(cov, dtype=np.int64)] = True
    best: cp_model.CpSolver | None = None
    tried: set[int] = set()
    tried_fair: set[int] = set()
    staff = [pi for pi, p in enumerate(pm.people) if p.role != "agent"]
    while True:
        left_s = min(t_end - time.perf_counter(), ctx.left() - 0.3)
        if left_s < 0.5:
            break
        short = np.zeros(n_days)
        for i, t in enumerate(rm.slots):
            if reach[t] and t // per_day < n_days:
                short[t // per_day] += sol[rm.shortage[i].index]
        order = [int(d) for d in np.argsort(-short, kind="stable") if short[d] > 0]
        order = [d for d in order if d not in tried]
        if not order:
            # No short day left to try: even out the spread of evening, weekend and night
            # shifts, the widest first, between the people with most and fewest of them.
            groups = [
                (-sol[spread.index], j)
                for j, (_hi, _lo, spread, _m, _kind) in enumerate(pm.fair)
                if sol[spread.index] > 1 and j not in tried_fair
            ]
            if not groups:
                break
            j = min(groups)[1]
            tried_fair.add(j)
            members, kind = pm.fair[j][3], pm.fair[j][4]
            count = {
                pi: sum(sol[pm.w[pi, k].index] for k in pm.mine[pi] if kind in pm.kinds[k])
                for pi in members
            }
            ranked = sorted(members, key=lambda pi: (count[pi], pi))
            ends = set(ranked[:_FAIR_PEOPLE]) | set(ranked[-_FAIR_PEOPLE:])
            free = {(pi, k) for pi in ends for k in pm.mine[pi]}
            step = min(_IMPROVE_STEP_S, left_s)
            out = _solve_part(pm, sol, free, step, min(left_s, 3 * step), ctx)
            if out.found and out.solver is not None and out.solver.objective_value < objective:
                if objective - out.solver.objective_value >= pm.weights.fairness:
                    tried_fair.discard(j)
                sol, best = _solution(out.solver), out.solver
                objective = out.solver.objective_value
            continue
        d = order[0]
        tried.add(d)
        days = {d - 1, d, d + 1}
        spare: list[tuple[int, int]] = []
        for pi, p in enumerate(pm.people):
            if p.role != "agent" or not any(pm.shifts[k].day == d for k in pm.mine[pi]):
                continue
            span = 7 * p.hours_weeks
            b0 = d - d % span
            got = sum(
                pm.shifts[k].paid * pm.iv
                for k in pm.mine[pi]
                if b0 <= pm.shifts[k].day < b0 + span and sol[pm.w[pi, k].index]
            )
            room = p.max_hours_week * 60 * -(-min(span, n_days - b0) // 7) - got
            if room >= min(pm.shifts[k].paid * pm.iv for k in pm.mine[pi]):
                spare.append((-int(room), pi))
        people = [pi for _, pi in sorted(spare)[:_IMPROVE_AGENTS]] + staff
        free = {(pi, k) for pi in people for k in pm.mine[pi] if pm.shifts[k].day in days}
        step = min(_IMPROVE_STEP_S, left_s)
        # A step the load slows past a few times its budget gives its time to the next day.
        out = _solve_part(pm, sol, free, step, min(left_s, 3 * step), ctx)
        if out.found and out.solver is not None and out.solver.objective_value < objective:
            if objective - out.solver.objective_value >= _IMPROVE_MIN:
                # Worth looking at the other days again (their neighbours moved).
                tried = {d}
            sol, best = _solution(out.solver), out.solver
            objective = out.solver.objective_value
    return sol, best


def _repair(
    pm: PeopleModel, sol: list[int], budget_s: float, ctx: _Ctx
) -> tuple[list[int], cp_model.CpSolver | None]:
    """Targeted neighbourhood search that brings people up to their contract minimum hours.

    A contract minimum is a rule, not a preference: mending one may cost coverage (the
    person's shifts move), and the elastic objective would rather leave it missed.  So the
    short blocks are taken lexicographically: a few at a time, their minimum is made hard,
    every other minimum may get no worse than in ``sol``, every person-shift outside the
    neighbourhood (:func:`_neighbourhood`) is fixed at ``sol``, and the rest is re-solved
    with the full objective.  A group that finds no roster is retried one block at a time,
    and blocks that still fail are retried in the next, wider neighbourhood.

    Returns the best solution (fewest minutes short) and the solver that found it (None:
    nothing mended).
    """
    t_end = time.perf_counter() + budget_s
    best: cp_model.CpSolver | None = None

    def attempt(keys: list[tuple[int, int]], level: int) -> bool:
        nonlocal sol, best
        left_s = min(t_end - time.perf_counter(), ctx.left() - 0.3)
        if left_s < 0.2:
            return False
        free = _neighbourhood(pm, sol, keys, level)
        mend = {pm.short_min[key][0].index for key in keys}
        step = min(_REPAIR_STEP_S, left_s)
        # Loading a big model takes seconds of wall time that count little as work.
        out = _solve_part(pm, sol, free, step, min(left_s, max(3 * step, 10.0)), ctx, mend)
        if not out.found or out.solver is None:
            return False
        sol, best = _solution(out.solver), out.solver
        return True

    todo = sorted(_short_keys(pm, sol), key=lambda t: (t[1], t[0]))
    for level in range(3):
        failed: list[tuple[int, int]] = []
        # Blocks starting the same day together (one presolve of the model for several;
        # blocks of different weeks together made the search much harder).
        groups: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for key in todo:
            groups[key[1]].append(key)
        for same in groups.values():
            for i in range(0, len(same), _REPAIR_PEOPLE):
                group = same[i : i + _REPAIR_PEOPLE]
                if len(group) > 1 and attempt(group, level):
                    continue
                failed += [key for key in group if not attempt([key], level)]
        todo = failed
        if not todo or time.perf_counter() >= t_end - 0.2:
            break
    return sol, best


def _interleaved(pm: PeopleModel, budget_s: float, ctx: _Ctx) -> Run:
    """One CP-SAT run of interleaved subsolvers within ``budget_s`` (deterministic time)."""
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(2, ctx.num_workers)
    p.interleave_search = True
    # Only neighbourhood moves: the full-problem searches spend the budget on one long task
    # each without improving a roster of this size.
    p.use_lns_only = True
    p.random_seed = ctx.seed
    p.relative_gap_limit = defaults.ROSTER_GAP
    wall = max(0.05, ctx.left())
    if ctx.deterministic:
        p.max_deterministic_time = budget_s * DET_PER_S
        p.max_time_in_seconds = wall
    else:
        p.max_time_in_seconds = min(budget_s, wall)
    ctx.stages.append(round(budget_s, 3))
    status = solver.solve(pm.model)
    name = solver.status_name(status)
    if ctx.deterministic and solver.deterministic_time < p.max_deterministic_time * 0.999:
        ctx.wall_limited |= solver.wall_time >= p.max_time_in_seconds * 0.99
    found = name in ("OPTIMAL", "FEASIBLE")
    return Run(name, solver if found else None, solver.best_objective_bound, False)


def _failed(
    inst: RosterInstance,
    status: str,
    reasons: list[str],
    t0: float,
    params: dict[str, Any],
    log: str = "",
) -> PeopleResult:
    base = _solve_failed(inst, status, reasons, t0, params, log=log)
    fields = {f: getattr(base, f) for f in RosterResult.__dataclass_fields__}
    fields["roster"] = _frame([])
    return PeopleResult(**fields)


def _describe(inst: RosterInstance, key: tuple[str, str, int], people: dict[str, Person]) -> str:
    person, rule, day = key
    p = people[person]
    when = f"day {day + 1} ({inst.day_start(day):%a %Y-%m-%d})"
    week = f"the week from {when}"
    text = {
        "max hours": f"at most {p.max_hours_week:g} h a week (over {p.hours_weeks} week(s)) "
        f"in the block from {when}",
        "min hours": f"at least {p.min_hours_week:g} h a week (over {p.hours_weeks} week(s)) "
        f"in the block from {when}",
        "days per week": f"at most {p.max_days_week} working days in {week}",
        "days off per week": f"at least {p.min_days_off_week} days off in {week}",
        "two days off together": f"two consecutive days off in {week}",
        "rest": f"{p.min_rest_h:g} h rest before a shift on {when}",
        "consecutive days": f"at most {p.max_consecutive_days} consecutive working days "
        f"from {when}",
        "locked shift": f"the locked shift on {when}",
        "availability": f"availability/leave/contract shift types on {when}",
        "lead covers team": f"their lead's shift covers theirs on {when}",
    }.get(rule, f"{rule} on {when}")
    return f"person {person!r}, rule {rule!r}: {text}"


def diagnose_people(
    instance: RosterInstance, *, time_limit_s: float = 10.0, random_seed: int = 0
) -> list[str]:
    """Why named people admit no roster: person, contract rule and days, plus a relaxation.

    Every contract rule of every person is enforced per block (week, hours block, day)
    through an assumption literal, as are the design model's rule groups
    (:func:`staffplan.roster.diagnose`); CP-SAT's sufficient assumptions for infeasibility
    are shrunk greedily to a minimal set.  Then each rule of that set is dropped on its own:
    the rules whose removal alone restores a roster are the smallest relaxations (one rule of
    one person on one block).

    Returns
    -------
    list of str
        ``"rules in conflict: person 'ann', rule 'min hours': ..."`` lines, then
        ``"relax: ..."`` lines (or a line saying no single rule restores feasibility).
    """
    if instance.people is None:
        raise ValueError("instance.people must hold the named people, got None")
    t_end = time.perf_counter() + time_limit_s
    pm = PeopleModel(instance, assumptions=True, weights=PeopleWeights(fairness=0, apart=0))
    pm.model.clear_objective()
    pm.model.clear_hints()
    lits = list(pm.literals) + list(pm.rm.literals)
    people = {p.name: p for p in instance.people}

    def words(lit: Any) -> str:
        if lit in pm.literals:
            return _describe(instance, pm.literals[lit], people)
        return describe_group(instance, pm.rm.literals[lit])

    verdict, core, run = minimal_core(pm.model, lits, t_end=t_end, random_seed=random_seed)
    if verdict is None:
        return [f"no roster found and no conflict proven within {time_limit_s:g} s; raise it"]
    if verdict is False:
        return ["every contract rule can hold together; no roster was found within the time limit"]
    if not core:
        return [
            "the shift rules and the design model's rules admit no roster even before "
            "contracts (see roster.diagnose)"
        ]
    out = ["rules in conflict: " + words(lit) for lit in core]
    relax = []
    for lit in core:
        if time.perf_counter() >= t_end:
            break
        v, _ = run([x for x in lits if x is not lit])
        if v is False:
            relax.append("relax: " + words(lit) + " restores a roster")
    out += relax or ["relax: no single rule of the conflict restores a roster on its own"]
    return out
