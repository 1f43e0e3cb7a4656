"""The person-indexed CP-SAT model: named people over weeks, contracts inside the optimisation.

The shift-design model (:class:`staffplan.roster._model.RosterModel`, counts ``x[role, k]``
per concrete shift ``k`` with lunch and break placements, coverage, span of control and the
manager) is kept as it stands; on top of it sits one boolean ``w[p, k]`` per person ``p``
and shift ``k`` that person may work, linked by ``sum_p w[p, k] == x[role, k]``.  Lunches
and breaks stay counted per shift (which of the people on the same shift takes which
placement does not change coverage or any contract), so the model grows with people x
allowed shifts, not with people x placements.

Contract rules on ``w`` (per person):

- one shift a day; rest between shifts (``w[k] + sum(w[k'] on a later day starting within
  the rest) <= 1``, one constraint per shift and later day: exact since a day holds one shift),
  across the end of a rota that repeats too (a cyclic horizon of whole weeks: the last
  shift is followed by the first);
- days per 7-day block <= ``max_days_week`` and <= ``7 - min_days_off_week``; with
  ``days_off_together`` a pair of consecutive days off inside each full block;
- paid hours per block of ``hours_weeks`` weeks within ``[min, max] x weeks`` (the minimum
  on blocks of whole weeks, less the share of the block on leave);
- runs of at most ``max_consecutive_days`` working days (wrapping when the rota repeats);
- allowed shift types, lengths, nights, availability windows, unavailable hours, leave and
  the rest after the person's last shift of the previous roster (``previous_shifts``)
  remove ``w`` variables; locked shifts fix them to 1; a run of working days carried in
  from that roster shortens the first window of consecutive days.

Teams are fixed for the horizon (:func:`teams_of`): each agent's team has one lead.  When
``SpanOfControl.lead_covers_team`` is set, on a day an agent and their own lead both work the
lead's shift starts no later and ends no earlier (linear, big-M on the two work indicators).
Soft terms: team stability (an agent at work while their lead is off costs
``PeopleWeights.apart``), fairness (max - min of evening, weekend and night shifts among
people with the same contract), preferred start, wished days off, and, when repairing a
published roster, every changed shift.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from staffplan._validation import check_int
from staffplan.roster._instance import Person, RosterInstance
from staffplan.roster._model import RosterModel
from staffplan.roster._people_kinds import (
    KINDS,
    WEEKEND_DAYS,
    before_horizon,
    later_days,
    min_hours,
    run_windows,
    shift_kinds,
)

__all__ = ["PeopleModel", "PeopleWeights", "contract_key", "teams_of"]

_DAY_MIN = 1440


@dataclass(frozen=True)
class PeopleWeights:
    """Weights of the person model's soft terms (added to the coverage objective).

    The coverage objective (:class:`staffplan.roster.Weights`: 1000 per missing agent-interval
    at a quiet hour, 10 per extra one, 1 per paid interval) dominates these, so a roster never
    leaves an interval short to please a preference.

    Parameters
    ----------
    apart : int
        Per agent-day at work while the agent's own lead is off (team stability).
    fairness : int
        Per shift of spread (max - min per person) of evening, weekend and night shifts among
        people with the same contract.
    preference : int
        Per hour between a shift's start and the person's preferred start time of day.
    day_off_wish : int
        Per wished day off that is worked.
    change : int
        Per changed shift when repairing a published roster (a shift removed or added).
    min_hours : int
        Per minute a person works below their contract minimum (kept elastic so that a
        first roster always exists).  Mending a minimum can cost more shortage than this
        saves, so :func:`staffplan.roster.solve_people` does not rely on it: it makes missed
        minimums hard block by block and holds those reached; the checker reports any left.
    """

    apart: int = 3
    fairness: int = 40
    preference: int = 2
    day_off_wish: int = 30
    change: int = 200
    min_hours: int = 200

    def __post_init__(self) -> None:
        for name in ("apart", "fairness", "preference", "day_off_wish", "change", "min_hours"):
            check_int(getattr(self, name), f"PeopleWeights: {name}", minimum=0)


def contract_key(p: Person) -> tuple[Any, ...]:
    """People with equal keys have the same contract (compared for fairness)."""
    return (
        p.role,
        p.min_hours_week,
        p.max_hours_week,
        p.hours_weeks,
        p.max_days_week,
        p.min_days_off_week,
        p.shift_types,
        p.lengths_min,
        p.nights,
    )


def teams_of(inst: RosterInstance) -> tuple[dict[str, str], dict[str, str]]:
    """Team of every agent and lead for the horizon, and the lead of every team.

    Leads without a team get ``T01``, ``T02``... in name order; agents without a team join the
    smallest team with room (at most ``max_agents_per_lead``), in name order.

    Raises
    ------
    ValueError
        A team with no lead or with two, more agents than ``max_agents_per_lead``, or agents
        that no team has room for.
    """
    people = inst.people or ()
    span = inst.span
    if span is None:
        return {}, {}
    k = span.max_agents_per_lead
    leads = [p for p in people if p.role == "lead"]
    team: dict[str, str] = {}
    lead_of: dict[str, str] = {}
    used = {p.team for p in leads if p.team is not None}
    j = 0
    for p in sorted(leads, key=lambda q: q.name):
        t = p.team
        if t is None:
            j += 1
            while f"T{j:02d}" in used:
                j += 1
            t = f"T{j:02d}"
        if t in lead_of:
            raise ValueError(
                f"team {t!r} must have one lead, got {lead_of[t]!r} and {p.name!r}; give one "
                "of them another team"
            )
        lead_of[t] = p.name
        team[p.name] = t
    size: dict[str, int] = dict.fromkeys(lead_of, 0)
    agents = sorted((p for p in people if p.role == "agent"), key=lambda q: q.name)
    for p in agents:
        if p.team is None:
            continue
        if p.team not in lead_of:
            raise ValueError(
                f"Person {p.name!r}: team {p.team!r} has no lead; add a Person with role='lead' "
                f"and team={p.team!r} (teams with leads: {sorted(lead_of)})"
            )
        team[p.name] = p.team
        size[p.team] += 1
    full = [t for t, c in size.items() if c > k]
    if full:
        raise ValueError(
            f"team {full[0]!r} has {size[full[0]]} agents, max_agents_per_lead is {k}; "
            "split the team or add a lead"
        )
    for p in agents:
        if p.team is not None:
            continue
        room = [t for t in sorted(size) if size[t] < k]
        if not room:
            raise ValueError(
                f"Person {p.name!r}: no team has room (at most {k} agents per lead, "
                f"{len(lead_of)} leads); add leads"
            )
        t = min(room, key=lambda q: (size[q], q))
        team[p.name] = t
        size[t] += 1
    return team, lead_of


class PeopleModel:
    """The shift-design model of ``inst`` with named people on top.

    Parameters
    ----------
    inst : RosterInstance
        With ``people``.
    weights : PeopleWeights
    weekend_days : sequence of int
        Weekdays of the weekend (0 = Monday).
    assumptions : bool
        Enforce each (person, rule, block) through an assumption literal (diagnosis).
    published : DataFrame, optional
        A published roster (``person``, ``start``, ``end``); changes to it are penalised.
    """

    def __init__(
        self,
        inst: RosterInstance,
        *,
        weights: PeopleWeights = PeopleWeights(),
        weekend_days: Sequence[int] = WEEKEND_DAYS,
        assumptions: bool = False,
        published: pd.DataFrame | None = None,
    ) -> None:
        if inst.people is None:
            raise ValueError("instance.people must hold the named people, got None")
        self.inst = inst
        self.people: tuple[Person, ...] = tuple(inst.people)
        self.weights = weights
        self.weekend_days = tuple(weekend_days)
        self.assumptions = assumptions
        # The design model without its aggregate people rules: the person layer implies them,
        # and without them the count roster solved first is found at once (with them its
        # greedy hint breaks the caps and the first search can take minutes).
        self.base = replace(inst, people=None)
        # Contract minimums may need more agents on a shift than the peak it covers.
        self.surplus = any(p.role == "agent" and p.min_hours_week > 0 for p in self.people)
        self.rm = RosterModel(
            self.base, assumptions=assumptions, cuts=not assumptions, surplus=self.surplus
        )
        self.model = self.rm.model
        self.literals: dict[Any, tuple[str, str, int]] = {}
        self._lit_by_key: dict[tuple[str, str, int], Any] = {}
        roles = {p.role for p in self.people}
        self.notes: list[str] = []
        self._check_roles(roles)
        extra = sorted(roles - set(self.rm.roles))
        if extra:
            raise ValueError(
                f"people hold role {extra[0]!r} but the rules roster no {extra[0]}s "
                "(SpanOfControl); remove them or set span"
            )
        self.team, self.lead_of = teams_of(inst)
        iv = inst.interval_min
        self.iv = iv
        self.shifts = self.rm.shifts
        self.start_ts = [inst.start + pd.Timedelta(minutes=s.start_slot * iv) for s in self.shifts]
        self.end_ts = [
            a + pd.Timedelta(minutes=s.length * iv)
            for a, s in zip(self.start_ts, self.shifts, strict=True)
        ]
        self.kinds = [
            shift_kinds(a, b, self.weekend_days)
            for a, b in zip(self.start_ts, self.end_ts, strict=True)
        ]
        # Minutes from the horizon's midnight, for quick rest arithmetic.
        base = inst.start.normalize()
        self.start_m = [int((a - base).total_seconds() // 60) for a in self.start_ts]
        self.end_m = [int((b - base).total_seconds() // 60) for b in self.end_ts]
        self.by_key = {
            (a, b): k for k, (a, b) in enumerate(zip(self.start_ts, self.end_ts, strict=True))
        }
        self.w: dict[tuple[int, int], Any] = {}
        self.mine: list[list[int]] = []  # shift indices each person may work
        self.work: list[dict[int, Any]] = []  # person -> day -> 0/1 expression
        self.cost_terms: list[tuple[Any, int]] = []
        self.off2: dict[tuple[int, int], Any] = {}
        # (slack [min], minimum [min], shifts of the block) per (person, first day of block)
        self.short_min: dict[tuple[int, int], tuple[Any, int, list[int]]] = {}
        self.apart: dict[tuple[int, int], Any] = {}
        self.index = {p.name: i for i, p in enumerate(self.people)}
        # (hi, lo, spread, members, kind) of each fairness group
        self.fair: list[tuple[Any, Any, Any, list[int], str]] = []
        self.const_cost = 0
        # Rest and runs carried over from the previous roster's named shifts.
        before = {p.name: before_horizon(inst, p) for p in self.people}
        self.free_from = {n: b[0] for n, b in before.items() if b[0] is not None}
        self.run_in = [before[p.name][1] for p in self.people]
        self._add_person_vars()
        self._link_counts()
        for pi in range(len(self.people)):
            self._add_contract(pi)
        self._add_teams()
        self._add_fairness()
        self._add_preferences()
        if published is not None:
            self._add_changes(published)
        people_cost = cp_model.LinearExpr.weighted_sum(
            [v for v, _ in self.cost_terms], [c for _, c in self.cost_terms]
        )
        self.people_cost = people_cost + self.const_cost
        self.objective = self.rm.objective + self.people_cost
        self.model.minimize(self.objective)

    # -- helpers -------------------------------------------------------------------------------
    def _check_roles(self, roles: set[str]) -> None:
        """Leads are needed whenever agents work; a manager only where the rule asks for one.

        The manager rule is the design model's (:meth:`RosterModel._add_manager_on_floor`):
        a manager on the floor in every interval with more than ``manager_above_agents``
        agents on the floor.  Without a named manager the link ``x[manager] == 0`` keeps the
        agents on the floor at or below the threshold, which is that same rule, so a small
        centre needs no manager; a centre whose agents could pass it is told so in the notes.
        """
        missing = [r for r in self.rm.roles if r not in roles and r != "manager"]
        if missing:
            raise ValueError(
                f"the rules need people with role {missing[0]!r} (span of control), got none; "
                "add them to people or pass span=None"
            )
        span = self.inst.span
        above = span.manager_above_agents if span is not None else None
        n_agents = sum(p.role == "agent" for p in self.people)
        if above is not None and "manager" not in roles and n_agents > above:
            a_day = " and at work a day (manager_hours)" if span and span.manager_hours else ""
            self.notes.append(
                f"no manager among the people: at most {above} of the {n_agents} agents are on "
                f"the floor at once{a_day} (SpanOfControl.manager_above_agents={above}); add a "
                "Person with role='manager' to roster more"
            )

    def count_model(self) -> RosterModel:
        """The count-based design model of the same rules, with roles nobody holds kept at 0.

        Solved first to hint this model; without the pin it would roster a manager the
        people cannot staff and its hint would break the manager rule.
        """
        cm = RosterModel(self.base, surplus=self.surplus)
        roles = {p.role for p in self.people}
        for role in cm.roles:
            if role not in roles:
                for x in cm.x[role]:
                    cm.model.add(x == 0)
        return cm

    def _enforce(self, ct: Any, person: str, rule: str, day: int) -> None:
        if not self.assumptions:
            return
        key = (person, rule, day)
        lit = self._lit_by_key.get(key)
        if lit is None:
            lit = self.model.new_bool_var(f"assume[{person}|{rule}|{day}]")
            self._lit_by_key[key] = lit
            self.literals[lit] = key
        ct.only_enforce_if(lit)

    def allowed(self, p: Person, k: int) -> bool:
        """Whether ``p``'s contract and availability let them work shift ``k``."""
        free = self.free_from.get(p.name)
        if free is not None and self.start_ts[k] < free:
            return False  # within the rest after their last shift of the previous roster
        return self._available(p, k)

    def _available(self, p: Person, k: int) -> bool:
        """Shift types, lengths, nights, leave and availability windows allow shift ``k``."""
        s = self.shifts[k]
        a, b = self.start_ts[k], self.end_ts[k]
        if p.shift_types is not None:
            names = set(p.shift_types)
            weekday = self.inst.day_start(s.day).weekday()
            if not any(
                r.name in names and r.runs_on(weekday) and r.allows(s.start_min, s.length * self.iv)
                for r in self.inst.shifts
            ):
                return False
        if p.lengths_min is not None and s.length * self.iv not in p.lengths_min:
            return False
        if not p.nights and "night" in self.kinds[k]:
            return False
        if a.normalize() in p.leave:
            return False
        if any(lo < b and a < hi for lo, hi in p.unavailable):
            return False
        return p.availability is None or any(lo <= a and b <= hi for lo, hi in p.availability)

    # -- variables -----------------------------------------------------------------------------
    def _add_person_vars(self) -> None:
        for pi, p in enumerate(self.people):
            locked = {(pd.Timestamp(a), pd.Timestamp(b)) for a, b in p.locked}
            for a, b in sorted(locked):
                if (a, b) not in self.by_key:
                    raise ValueError(
                        f"Person {p.name!r}: locked shift {a}..{b} is not an allowed shift "
                        "(check ShiftRules start window, step, lengths and days)"
                    )
            mine = []
            for k in range(len(self.shifts)):
                key = (self.start_ts[k], self.end_ts[k])
                ok = self.allowed(p, k)
                if ok or key in locked:
                    v = self.model.new_bool_var(f"w[{p.name},{k}]")
                    self.w[pi, k] = v
                    mine.append(k)
                    if not ok:
                        # A lock the contract forbids: kept so that diagnosis names the rule.
                        ct = self.model.add(v == 0)
                        rule = "availability" if not self._available(p, k) else "rest"
                        self._enforce(ct, p.name, rule, self.shifts[k].day)
                if key in locked:
                    ct = self.model.add(self.w[pi, k] == 1)
                    self._enforce(ct, p.name, "locked shift", self.shifts[k].day)
            self.mine.append(mine)

    def _link_counts(self) -> None:
        by_role_k: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for (pi, k), v in self.w.items():
            by_role_k[self.people[pi].role, k].append(v)
        for role in self.rm.roles:
            for k, x in enumerate(self.rm.x[role]):
                vs = by_role_k.get((role, k), [])
                self.model.add(x == cp_model.LinearExpr.sum(vs) if vs else x == 0)

    def _add_contract(self, pi: int) -> None:
        p = self.people[pi]
        m = self.model
        n_days = self.inst.n_days
        by_day: dict[int, list[int]] = defaultdict(list)
        for k in self.mine[pi]:
            by_day[self.shifts[k].day].append(k)
        work: dict[int, Any] = {}
        for d in range(n_days):
            ks = by_day.get(d, [])
            work[d] = cp_model.LinearExpr.sum([self.w[pi, k] for k in ks]) if ks else 0
            if len(ks) > 1:
                if self.assumptions:
                    m.add(work[d] <= 1)
                else:
                    m.add_at_most_one(self.w[pi, k] for k in ks)
        self.work.append(work)
        self._add_rest(pi, by_day)
        for w0 in range(0, n_days, 7):
            days = range(w0, min(w0 + 7, n_days))
            full = len(days) == 7
            cap = p.max_days_week
            if full:
                cap = min(cap, 7 - p.min_days_off_week)
            if cap < len(days):
                ct = m.add(sum(work[d] for d in days) <= cap)
                rule = "days per week" if cap == p.max_days_week else "days off per week"
                self._enforce(ct, p.name, rule, w0)
            if full and p.days_off_together:
                pairs = []
                for d in range(w0, w0 + 6):
                    b = m.new_bool_var(f"off2[{p.name},{d}]")
                    self.off2[pi, d] = b
                    m.add(work[d] + b <= 1)
                    m.add(work[d + 1] + b <= 1)
                    pairs.append(b)
                ct = m.add(sum(pairs) >= 1)
                self._enforce(ct, p.name, "two days off together", w0)
        span = 7 * p.hours_weeks
        for b0 in range(0, n_days, span):
            days = range(b0, min(b0 + span, n_days))
            ks = [k for d in days for k in by_day.get(d, [])]
            minutes = cp_model.LinearExpr.weighted_sum(
                [self.w[pi, k] for k in ks], [self.shifts[k].paid * self.iv for k in ks]
            )
            hi = math.floor(p.max_hours_week * 60 * -(-len(days) // 7) + 1e-9)
            ct = m.add(minutes <= hi)
            self._enforce(ct, p.name, "max hours", b0)
            need_h = min_hours(p, self.inst.day_start(b0), len(days))
            if need_h > 0:
                lo = math.ceil(need_h * 60 - 1e-9)
                if self.assumptions:
                    ct = m.add(minutes >= lo)
                    self._enforce(ct, p.name, "min hours", b0)
                else:
                    # Elastic at a price above any shortage: a first roster always exists
                    # and a minimum missed only where nothing else fits is reported.
                    short = m.new_int_var(0, lo, f"short_min[{p.name},{b0}]")
                    m.add(minutes + short >= lo)
                    self.short_min[pi, b0] = (short, lo, ks)
                    self.cost_terms.append((short, self.weights.min_hours))
        # Cyclic: runs that cross the end of the horizon continue at its start.
        for window in run_windows(self.inst, p.max_consecutive_days, self.run_in[pi]):
            ct = m.add(sum(work[d] for d in window) <= len(window) - 1)
            self._enforce(ct, p.name, "consecutive days", window[0])

    def _add_rest(self, pi: int, by_day: dict[int, list[int]]) -> None:
        """``w[k] + sum(w[k2] starting within the rest after k) <= 1`` per shift and later day.

        Exact since a day holds one shift; the later days wrap when the rota repeats
        (:func:`staffplan.roster._people_kinds.later_days`).
        """
        p = self.people[pi]
        rest = round(p.min_rest_h * 60)
        for k in self.mine[pi]:
            end = self.end_m[k] + rest
            for d2, offset in later_days(self.inst, self.shifts[k].day, end):
                clash = [k2 for k2 in by_day.get(d2, []) if self.start_m[k2] + offset < end]
                if clash:
                    ct = self.model.add(
                        cp_model.LinearExpr.sum([self.w[pi, k]] + [self.w[pi, k2] for k2 in clash])
                        <= 1
                    )
                    self._enforce(ct, p.name, "rest", d2)

    def _add_teams(self) -> None:
        """Stable teams: cost when an agent works without their lead; lead covers team."""
        span = self.inst.span
        if span is None:
            return
        index = self.index
        big = 3 * _DAY_MIN
        for ai, p in enumerate(self.people):
            if p.role != "agent":
                continue
            li = index[self.lead_of[self.team[p.name]]]
            for d, wa in self.work[ai].items():
                if isinstance(wa, int):
                    continue
                wl = self.work[li][d]
                if self.weights.apart:
                    b = self.model.new_bool_var(f"apart[{p.name},{d}]")
                    self.model.add(b >= wa - wl)
                    self.apart[ai, d] = b
                    self.cost_terms.append((b, self.weights.apart))
                if span.lead_covers_team and not isinstance(wl, int):
                    sa, ea = self._times(ai, d)
                    sl, el = self._times(li, d)
                    both = 2 - wa - wl
                    ct = self.model.add(sa - sl >= -big * both)
                    self._enforce(ct, p.name, "lead covers team", d)
                    ct = self.model.add(el - ea >= -big * both)
                    self._enforce(ct, p.name, "lead covers team", d)

    def _times(self, pi: int, d: int) -> tuple[Any, Any]:
        """Start and end of ``pi``'s shift on day ``d`` [min from the horizon's midnight]."""
        base = self.inst.start.normalize()
        ks = [k for k in self.mine[pi] if self.shifts[k].day == d]
        vs = [self.w[pi, k] for k in ks]
        starts = [int((self.start_ts[k] - base).total_seconds() // 60) for k in ks]
        ends = [int((self.end_ts[k] - base).total_seconds() // 60) for k in ks]
        return (
            cp_model.LinearExpr.weighted_sum(vs, starts),
            cp_model.LinearExpr.weighted_sum(vs, ends),
        )

    def fairness_groups(self) -> dict[tuple[Any, ...], list[int]]:
        """People compared for fairness: same contract, no leave or availability limits."""
        groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
        for pi, p in enumerate(self.people):
            if p.leave or p.unavailable or p.availability is not None or p.locked:
                continue
            groups[contract_key(p)].append(pi)
        return {key: g for key, g in groups.items() if len(g) > 1}

    def _add_fairness(self) -> None:
        self.spread: dict[tuple[tuple[Any, ...], str], Any] = {}
        if not self.weights.fairness:
            return
        for key, members in self.fairness_groups().items():
            for kind in KINDS:
                counts = []
                for pi in members:
                    ks = [k for k in self.mine[pi] if kind in self.kinds[k]]
                    counts.append(cp_model.LinearExpr.sum([self.w[pi, k] for k in ks]))
                if not any(kind in self.kinds[k] for pi in members for k in self.mine[pi]):
                    continue
                ub = self.inst.n_days
                hi = self.model.new_int_var(0, ub, f"hi[{kind}]")
                lo = self.model.new_int_var(0, ub, f"lo[{kind}]")
                for c in counts:
                    self.model.add(hi >= c)
                    self.model.add(lo <= c)
                spread = self.model.new_int_var(0, ub, f"spread[{kind}]")
                self.model.add(spread == hi - lo)
                self.spread[key, kind] = spread
                self.fair.append((hi, lo, spread, members, kind))
                self.cost_terms.append((spread, self.weights.fairness))

    def _add_preferences(self) -> None:
        for pi, p in enumerate(self.people):
            if p.preferred_start is not None and self.weights.preference:
                pref = int(p.preferred_start)
                for k in self.mine[pi]:
                    diff = abs(self.shifts[k].start_min - pref)
                    hours = min(diff, _DAY_MIN - diff) // 60
                    if hours:
                        self.cost_terms.append((self.w[pi, k], self.weights.preference * hours))
            if p.days_off_wished and self.weights.day_off_wish:
                wished = set(p.days_off_wished)
                for k in self.mine[pi]:
                    if self.start_ts[k].normalize() in wished:
                        self.cost_terms.append((self.w[pi, k], self.weights.day_off_wish))

    def _add_changes(self, published: pd.DataFrame) -> None:
        """Cost ``change`` per published shift dropped and per new shift."""
        index = {p.name: i for i, p in enumerate(self.people)}
        had: set[tuple[int, int]] = set()
        for row in published.itertuples(index=False):
            pi = index.get(row.person)
            k = self.by_key.get((pd.Timestamp(row.start), pd.Timestamp(row.end)))
            if pi is None or k is None:
                continue  # a person gone or a shift no longer allowed: a change whatever we do
            had.add((pi, k))
        c = self.weights.change
        self.changes: list[tuple[Any, bool]] = []
        for (pi, k), v in self.w.items():
            if (pi, k) in had:
                self.const_cost += c
                self.cost_terms.append((v, -c))
            else:
                self.cost_terms.append((v, c))
            self.changes.append((v, (pi, k) in had))
        dropped = {(pi, k) for pi, k in had if (pi, k) not in self.w}
        self.const_cost += c * len(dropped)

    # -- reading a solution --------------------------------------------------------------------
    def assignment(self, values: dict[int, int]) -> list[list[int]]:
        """Shift indices each person works, from ``values`` (variable index -> value)."""
        out: list[list[int]] = [[] for _ in self.people]
        for (pi, k), v in self.w.items():
            if values.get(v.index, 0):
                out[pi].append(k)
        return out
