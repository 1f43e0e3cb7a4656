"""The CP-SAT shift-design model: integer counts per (role, shift, day) and per lunch/break placement.

Variables (``k`` indexes a concrete shift: day, start, length):

- ``x[role, k]``: how many people of ``role`` work shift ``k``;
- ``y[role, k, g][o]``: how many of them use placement ``o`` of lunch/break group ``g``
  (``sum_o y = x``; a group with a single placement needs no variable);
- ``shortage[t]``, ``surplus[t]``: agents on the floor minus requirement, split by sign.

People on the floor are counted in units of ``1 / inst.floor_scale`` agents, so that a
break shorter than its interval takes its share of the interval off the floor (half an agent
for a 15-min break on a 30-min grid); with whole-interval breaks the unit is one agent.
Shifts carried in from the previous roster (``inst.carried_in``) add constants.

Names are not needed for coverage, so people are assigned afterwards
(:mod:`staffplan.roster._assign`); that keeps the model size independent of headcount.

Rule groups (coverage, span of control, teams, manager, caps, people) can be enforced through
assumption literals, one per (group, day), so that an infeasible instance names the rules and
days in conflict (:mod:`staffplan.roster._diagnose`).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from ortools.sat.python import cp_model

from staffplan.roster._instance import RosterInstance
from staffplan.roster._patterns import Shift, enumerate_shifts, manager_window, piece_min
from staffplan.roster._solution import tally

__all__ = ["ROLES", "RosterModel", "ShiftInstance", "components"]

ROLES = ("agent", "lead", "manager")
_BIG = 1 << 40
#: Skill groups up to which every set of groups gets a cover constraint (2**4 - 1 = 15 per
#: interval); beyond, single groups and all groups together.
_HALL_MAX_GROUPS = 4


class ShiftInstance(dict):
    """One worked shift read back from a solution (keys: role, shift, lunch, breaks)."""


class RosterModel:
    """Build the CP-SAT model of ``inst``.

    Parameters
    ----------
    inst : RosterInstance
    assumptions : bool
        Enforce every rule group through an assumption literal (for diagnosis).
    days : frozenset of int, optional
        Model only these days (an independent component, see :func:`components`).
    cuts : bool
        Add the redundant cuts of :meth:`_add_redundant_cuts` (not with ``assumptions``).
    surplus : bool
        Let agent shifts without lunch or breaks exceed the peak they cover (people with a
        contract minimum may need the extra shifts; otherwise one fewer is never worse).
    """

    def __init__(
        self,
        inst: RosterInstance,
        *,
        assumptions: bool = False,
        days: frozenset[int] | None = None,
        cuts: bool = True,
        surplus: bool = False,
    ) -> None:
        self.inst = inst
        self.allow_surplus = surplus
        self.model = cp_model.CpModel()
        shifts = enumerate_shifts(inst)
        if days is not None:
            shifts = [s for s in shifts if s.day in days]
        self.days = list(range(inst.n_days)) if days is None else sorted(days)
        self.shifts: list[Shift] = shifts
        # The offset is a Timestamp computation: once per model, not once per slot.
        self._first_slot = inst.first_slot_offset
        self.slots = [
            t for t in range(inst.n_intervals) if days is None or self._day_of_slot(t) in days
        ]
        self.assumptions = assumptions
        self.user_hinted = False
        self.lp_bound = -math.inf
        self.lp_values: np.ndarray | None = None  # last LP relaxation (roster._lp)
        self.hint_wall_limited = False  # a search building the hint was cut by the wall clock
        self.literals: dict[cp_model.IntVar, str] = {}
        self._lit_by_name: dict[str, cp_model.IntVar] = {}
        span = inst.span
        roles = ["agent"]
        if span is not None:
            roles.append("lead")
            if span.manager_above_agents is not None:
                roles.append("manager")
        if inst.people is not None:
            for p in inst.people:
                if p.role not in roles:
                    roles.append(p.role)
        self.roles = tuple(r for r in ROLES if r in roles)
        n = inst.n_intervals
        self.scale = inst.floor_scale
        self._carry_in()
        self.covered: list[list[int]] = []
        for s in self.shifts:
            slots = [s.start_slot + i for i in range(s.length)]
            self.covered.append(
                [t % n for t in slots] if inst.cyclic else [t for t in slots if t < n]
            )
        self.all_vars: list[cp_model.IntVar] = []
        self._add_shift_vars()
        self._add_breaks()
        self._add_coverage()
        self._add_skill_groups()
        self._add_span_of_control()
        if cuts and not assumptions:
            # The cuts rely on rules that diagnosis may switch off.
            self._add_redundant_cuts()
        self._add_limits()
        self._add_people()
        self._add_objective()

    # -- helpers -------------------------------------------------------------------------------
    def _day_of_slot(self, t: int) -> int:
        return (t + self._first_slot) // self.inst.slots_per_day

    def _lit(self, name: str) -> cp_model.IntVar | None:
        """Assumption literal of a rule group (None when not diagnosing)."""
        if not self.assumptions:
            return None
        lit = self._lit_by_name.get(name)
        if lit is None:
            lit = self.model.new_bool_var(f"assume[{name}]")
            self._lit_by_name[name] = lit
            self.literals[lit] = name
        return lit

    def _enforce(self, ct: cp_model.Constraint, name: str) -> None:
        lit = self._lit(name)
        if lit is not None:
            ct.only_enforce_if(lit)

    def _day_label(self, day: int) -> str:
        ts = self.inst.day_start(day)
        return f"day {day + 1} ({ts:%a %Y-%m-%d})"

    def _new_int(self, lb: int, ub: int, name: str) -> cp_model.IntVar:
        v = self.model.new_int_var(lb, ub, name)
        self.all_vars.append(v)
        return v

    def _piece_min(self, kind: str, rule: int) -> int:
        """Length of a lunch, break or split-shift gap [min]."""
        return piece_min(self.inst, kind, rule)

    def _place_slots(self, kind: str, rule: int, off: int) -> range:
        """Slots a lunch, break or gap placed at ``off`` touches (a short break: one slot)."""
        return range(off, off + -(-self._piece_min(kind, rule) // self.inst.interval_min))

    def _place_units(self, kind: str, rule: int, role: str) -> list[int]:
        """Floor units (``1 / scale`` agents) a piece takes off in each slot it touches.

        A manager on a break of part of an interval is off the floor for all of it.
        """
        iv, d = self.inst.interval_min, self.scale
        length = self._piece_min(kind, rule)
        slots = range(-(-length // iv))
        if role == "manager":
            return [d for _ in slots]
        return [min(iv, length - j * iv) * d // iv for j in slots]

    def _place_end(self, kind: str, rule: int, off: int) -> float:
        """End of a piece placed at ``off`` [slots, fractional for a short break]."""
        whole, part = divmod(self._piece_min(kind, rule), self.inst.interval_min)
        return off + whole + (part / self.inst.interval_min if part else 0)

    def _carry_in(self) -> None:
        """Constants from shifts carried in: people at work and floor units per slot."""
        inst = self.inst
        n = inst.n_intervals
        self.carry_work = {r: np.zeros(n, dtype=np.int64) for r in ROLES}
        self.carry_floor = {r: np.zeros(n, dtype=np.int64) for r in ROLES}
        if inst.carried_in is None or inst.carried_in.empty:
            return
        c = tally(inst, inst.carried_in)
        for r in ROLES:
            # A person at work for part of an interval (a shift ending off the grid) is not
            # counted as at work there; their floor share counts.
            self.carry_work[r] = np.floor(c["work"][r] + 1e-9).astype(np.int64)
            floor = c["floor"][r] if r != "manager" else np.floor(c["floor"][r] + 1e-9)
            self.carry_floor[r] = np.floor(floor * self.scale + 1e-9).astype(np.int64)

    # -- variables -----------------------------------------------------------------------------
    def _add_shift_vars(self) -> None:
        req = self.inst.required
        k_span = self.inst.span.max_agents_per_lead if self.inst.span is not None else 10
        locked = self._locked_counts()
        self.x: dict[str, list[cp_model.IntVar]] = {}
        for role in self.roles:
            xs = []
            for k, s in enumerate(self.shifts):
                cov = self.covered[k]
                peak = int(req[cov].max()) if cov else 0
                if role == "agent":
                    # Without lunch or breaks an agent of shift k is on the floor all through
                    # it, so more than the peak it covers is surplus everywhere: one fewer
                    # is never worse (dominance), and the tighter bound strengthens the LP of
                    # anything linked to x (pattern counts, span of control).
                    tight = not s.groups and self.inst.people is None and not self.allow_surplus
                    ub = peak if tight else 2 * peak + 2
                elif role == "lead":
                    ub = math.ceil((2 * peak + 2) / k_span) + 1
                else:
                    ub = 2
                ub = max(ub, locked.get((role, k), 0))
                xs.append(self._new_int(0, ub, f"x[{role},{s.day},{s.start_min},{s.length}]"))
            self.x[role] = xs
        self.day_count: dict[str, list[Any]] = {}
        for role in self.roles:
            per_day: list[list[cp_model.IntVar]] = [[] for _ in range(self.inst.n_days)]
            for k, s in enumerate(self.shifts):
                per_day[s.day].append(self.x[role][k])
            self.day_count[role] = [cp_model.LinearExpr.sum(v) for v in per_day]

    def _add_breaks(self) -> None:
        """Lunch and break placements per shift; off-floor terms per interval."""
        n = self.inst.n_intervals
        cyc = self.inst.cyclic
        self.y: dict[tuple[str, int, int], list[Any]] = {}
        self.off_lunch: dict[str, list[list[Any]]] = {r: [[] for _ in range(n)] for r in self.roles}
        self.off_break: dict[str, list[list[Any]]] = {r: [[] for _ in range(n)] for r in self.roles}
        # (count variable, floor units it takes off) per role and slot
        self.off_units: dict[str, list[list[tuple[Any, int]]]] = {
            r: [[] for _ in range(n)] for r in self.roles
        }
        self.lunch_starts: dict[int, list[Any]] = defaultdict(list)  # agent lunches by slot
        for role in self.roles:
            for k, s in enumerate(self.shifts):
                xk = self.x[role][k]
                for g, group in enumerate(s.groups):
                    if len(group.options) == 1:
                        counts: list[Any] = [xk]
                    else:
                        counts = [
                            self._new_int(0, _ub(xk), f"y[{role},{k},{g},{o}]")
                            for o in range(len(group.options))
                        ]
                        self.model.add(cp_model.LinearExpr.sum(counts) == xk)
                    self.y[role, k, g] = counts
                    for opt, var in zip(group.options, counts, strict=True):
                        for kind, rule, off in opt.places:
                            # A split shift's gap is off the floor but not a lunch or break
                            # at work (the off-floor cap does not count it).
                            target = {"lunch": self.off_lunch, "break": self.off_break}.get(kind)
                            units = self._place_units(kind, rule, role)
                            for j, rel in enumerate(self._place_slots(kind, rule, off)):
                                t = s.start_slot + rel
                                if cyc:
                                    t %= n
                                elif t >= n:
                                    continue
                                if target is not None:
                                    target[role][t].append(var)
                                self.off_units[role][t].append((var, units[j]))
                            if kind == "lunch" and role == "agent":
                                self.lunch_starts[s.start_slot + off].append(var)

    def _add_coverage(self) -> None:
        inst = self.inst
        n = inst.n_intervals
        d = self.scale
        work: dict[str, list[list[Any]]] = {r: [[] for _ in range(n)] for r in self.roles}
        for role in self.roles:
            for k, cov in enumerate(self.covered):
                for t in cov:
                    work[role][t].append(self.x[role][k])
        self.work = {
            r: [
                cp_model.LinearExpr.sum(v) + int(self.carry_work[r][t])
                for t, v in enumerate(work[r])
            ]
            for r in self.roles
        }
        # On the floor, in units of 1/scale agents.
        self.floor = {
            r: {
                t: d * cp_model.LinearExpr.sum(work[r][t])
                - cp_model.LinearExpr.weighted_sum(
                    [v for v, _ in self.off_units[r][t]], [u for _, u in self.off_units[r][t]]
                )
                + int(self.carry_floor[r][t])
                for t in self.slots
            }
            for r in self.roles
        }
        self.floor_ub = {
            t: d * (sum(_ub(v) for v in work["agent"][t]) + int(self.carry_work["agent"][t]))
            for t in self.slots
        }
        hard = inst.weights.hard_coverage
        self.shortage = []
        self.surplus = []
        for t in self.slots:
            r = d * int(inst.required[t])
            ub_surplus = max(1, len(work["agent"][t])) * (2 * int(inst.required.max()) + 2) * d
            ub_surplus = max(ub_surplus, self.floor_ub[t])
            sh = self._new_int(0, 0 if hard and not self.assumptions else r, f"shortage[{t}]")
            su = self._new_int(0, ub_surplus, f"surplus[{t}]")
            self.model.add(self.floor["agent"][t] + sh - su == r)
            if hard and self.assumptions:
                self._enforce(self.model.add(sh == 0), f"coverage|{self._day_of_slot(t)}")
            self.shortage.append(sh)
            self.surplus.append(su)

    def _add_skill_groups(self) -> None:
        """Agents per skill group: shift and placement counts split by group, cover per group.

        ``gx[g][k]`` agents of group ``g`` work shift ``k`` (``sum_g gx = x_agent``) and
        ``gy[g, k, p]`` of them use placement option list ``p`` (``sum_g gy = y_agent``), so
        each group's floor count is exact, breaks included.  A group whose skills include
        every skill of another may cover that group's need: with ``N(D)`` the groups that can
        cover some group of a set ``D``, the per-group need is met (a transport problem, by
        Hall's theorem) exactly when for every ``D``: ``sum_{h in N(D)} floor_h +
        sum_{g in D} short_g >= sum_{g in D} need_g``.  Every ``D`` up to
        ``_HALL_MAX_GROUPS`` groups; beyond, single groups and the set of all.  Without
        groups nothing is added (the single-pool model is unchanged).
        """
        inst = self.inst
        self.gx: dict[int, list[Any]] = {}
        self.gy: dict[tuple[int, int, int], list[Any]] = {}
        self.group_floor: dict[int, dict[int, Any]] = {}
        self.group_short: dict[int, list[Any]] = {}
        if inst.group_required is None:
            return
        n = inst.n_intervals
        d = self.scale
        n_g = len(inst.skill_groups)
        work: dict[int, list[list[Any]]] = {g: [[] for _ in range(n)] for g in range(n_g)}
        off: dict[int, list[list[tuple[Any, int]]]] = {
            g: [[] for _ in range(n)] for g in range(n_g)
        }
        for g in range(n_g):
            self.gx[g] = [
                self._new_int(0, _ub(xk), f"gx[{g},{k}]") for k, xk in enumerate(self.x["agent"])
            ]
        for k, s in enumerate(self.shifts):
            self.model.add(
                cp_model.LinearExpr.sum([self.gx[g][k] for g in range(n_g)]) == self.x["agent"][k]
            )
            for g in range(n_g):
                for t in self.covered[k]:
                    work[g][t].append(self.gx[g][k])
            for p, group in enumerate(s.groups):
                total = self.y["agent", k, p]
                for g in range(n_g):
                    if len(group.options) == 1:
                        self.gy[g, k, p] = [self.gx[g][k]]
                        continue
                    self.gy[g, k, p] = [
                        self._new_int(0, _ub(v), f"gy[{g},{k},{p},{o}]")
                        for o, v in enumerate(total)
                    ]
                    self.model.add(cp_model.LinearExpr.sum(self.gy[g, k, p]) == self.gx[g][k])
                if len(group.options) > 1:
                    for o, v in enumerate(total):
                        self.model.add(
                            cp_model.LinearExpr.sum([self.gy[g, k, p][o] for g in range(n_g)]) == v
                        )
                for o, opt in enumerate(group.options):
                    for kind, rule, at in opt.places:
                        units = self._place_units(kind, rule, "agent")
                        for j, rel in enumerate(self._place_slots(kind, rule, at)):
                            t = s.start_slot + rel
                            if inst.cyclic:
                                t %= n
                            elif t >= n:
                                continue
                            for g in range(n_g):
                                off[g][t].append((self.gy[g, k, p][o], units[j]))
        for g in range(n_g):
            self.group_floor[g] = {
                t: d * cp_model.LinearExpr.sum(work[g][t])
                - cp_model.LinearExpr.weighted_sum(
                    [v for v, _ in off[g][t]], [u for _, u in off[g][t]]
                )
                for t in self.slots
            }
        need = inst.group_required
        self.group_short = {
            g: [self._new_int(0, d * int(need[g, t]), f"gshort[{g},{t}]") for t in self.slots]
            for g in range(n_g)
        }
        skills = [set(v) for v in inst.group_skills]
        covers = [[h for h in range(n_g) if skills[g] <= skills[h]] for g in range(n_g)]
        if n_g <= _HALL_MAX_GROUPS:
            sets = [c for r in range(1, n_g + 1) for c in itertools.combinations(range(n_g), r)]
        else:
            sets = [(g,) for g in range(n_g)] + [tuple(range(n_g))]
        for dset in sets:
            helpers = sorted({h for g in dset for h in covers[g]})
            for i, t in enumerate(self.slots):
                r = d * int(sum(need[g, t] for g in dset))
                if r == 0:
                    continue
                lhs = cp_model.LinearExpr.sum([self.group_floor[h][t] for h in helpers])
                shorts = cp_model.LinearExpr.sum([self.group_short[g][i] for g in dset])
                ct = self.model.add(lhs + shorts >= r)
                self._enforce(ct, f"skill coverage|{self._day_of_slot(t)}")
        if inst.people is not None:
            agents = [p for p in inst.people if p.role == "agent"]
            for g in range(n_g):
                for day in range(inst.n_days):
                    lo, hi = inst.day_start(day), inst.day_start(day + 1)
                    avail = sum(
                        1
                        for p in agents
                        if (p.skills is None or skills[g] <= set(p.skills))
                        and (
                            p.availability is None
                            or any(a < hi and b > lo for a, b in p.availability)
                        )
                    )
                    terms = [self.gx[g][k] for k, s in enumerate(self.shifts) if s.day == day]
                    if terms:
                        ct = self.model.add(cp_model.LinearExpr.sum(terms) <= avail)
                        self._enforce(ct, f"people with skills ({inst.skill_groups[g]})|{day}")

    def group_hint(self, hint: dict[Any, int]) -> dict[Any, int]:
        """Split hinted agent shifts among skill groups where groups need them.

        Groups with the most skills go first (only they can cover their need): each takes,
        one by one, the hinted agent (shift and placement) that covers most of its remaining
        need, while any does.  Agents left over go to the group whose need they cover most
        (the one with the fewest skills on a tie).  The group shortages follow.
        """
        inst = self.inst
        if inst.group_required is None:
            return {}
        n = inst.n_intervals
        d = self.scale
        n_g = len(inst.skill_groups)
        agents: list[tuple[int, list[tuple[int, int]]]] = []  # (shift, [(group, option)])
        for k, s in enumerate(self.shifts):
            c = int(hint.get(self.x["agent"][k], 0))
            per_agent: list[list[tuple[int, int]]] = [[] for _ in range(c)]
            for p, group in enumerate(s.groups):
                i = 0
                for o, v in enumerate(self.y["agent", k, p]):
                    m = c if len(group.options) == 1 else int(hint.get(v, 0))
                    for _ in range(min(m, c - i)):
                        per_agent[i].append((p, o))
                        i += 1
            agents += [(k, places) for places in per_agent]
        floor = np.zeros((len(agents), n), dtype=np.int64)
        for a, (k, places) in enumerate(agents):
            s = self.shifts[k]
            floor[a, np.asarray(self.covered[k], dtype=np.int64)] += d
            for p, o in places:
                for kind, rule, at in s.groups[p].options[o].places:
                    units = self._place_units(kind, rule, "agent")
                    for j, rel in enumerate(self._place_slots(kind, rule, at)):
                        t = s.start_slot + rel
                        t = t % n if inst.cyclic else t
                        if t < n:
                            floor[a, t] -= units[j]
        deficit = d * inst.group_required.astype(np.int64)
        owner = np.full(len(agents), -1)
        if self.lp_values is not None and len(self.lp_values) == len(self.model.proto.variables):
            # The LP relaxation splits shifts among groups too: its whole part goes first.
            quota = {
                (g, k): math.floor(self.lp_values[self.gx[g][k].index] + 1e-6)
                for g in range(n_g)
                for k in range(len(self.shifts))
            }
            for a, (k, _) in enumerate(agents):
                for g in range(n_g):
                    if quota[g, k] > 0:
                        quota[g, k] -= 1
                        owner[a] = g
                        deficit[g] -= floor[a]
                        break
        by_skills = sorted(range(n_g), key=lambda g: (-len(inst.group_skills[g]), g))
        for size in sorted({len(v) for v in inst.group_skills}, reverse=True):
            tier = [g for g in by_skills if len(inst.group_skills[g]) == size]
            while True:
                free = np.flatnonzero(owner < 0)
                if not free.size:
                    break
                gains = np.stack(
                    [
                        np.minimum(floor[free], np.clip(deficit[g], 0, None)).sum(axis=1)
                        for g in tier
                    ]
                )
                gi, best = (int(v) for v in np.unravel_index(int(np.argmax(gains)), gains.shape))
                if gains[gi, best] <= 0:
                    break
                owner[free[best]] = tier[gi]
                deficit[tier[gi]] -= floor[free[best]]
        fewest_first = by_skills[::-1]
        for left in np.flatnonzero(owner < 0).tolist():
            gain = [
                np.minimum(floor[left], np.clip(deficit[h], 0, None)).sum() for h in fewest_first
            ]
            pick = fewest_first[int(np.argmax(gain))]
            owner[left] = pick
            deficit[pick] -= floor[left]
        counts: dict[tuple[int, int], int] = defaultdict(int)
        gy_counts: dict[tuple[int, int, int, int], int] = defaultdict(int)
        for a, (k, places) in enumerate(agents):
            counts[int(owner[a]), k] += 1
            for p, o in places:
                gy_counts[int(owner[a]), k, p, o] += 1
        out: dict[Any, int] = {}
        for g in range(n_g):
            for k, s in enumerate(self.shifts):
                out[self.gx[g][k]] = counts[g, k]
                for p, group in enumerate(s.groups):
                    if len(group.options) > 1:
                        for o, v in enumerate(self.gy[g, k, p]):
                            out[v] = gy_counts[g, k, p, o]
        # Shortages as the model counts them: Hall sets with the cover between groups.
        for g in range(n_g):
            for i, t in enumerate(self.slots):
                out[self.group_short[g][i]] = max(0, int(deficit[g, t]))
        return out

    def _manager_slots(self, day: int) -> list[int]:
        """Where a manager is likely needed on ``day`` (used to build hints).

        With ``manager_hours``: that window; otherwise the day's intervals whose requirement
        exceeds ``manager_above_agents``.
        """
        span = self.inst.span
        assert span is not None
        if span.manager_hours is not None:
            return manager_window(self.inst, day)
        above = span.manager_above_agents if span.manager_above_agents is not None else 0
        return [
            t
            for t in self.slots
            if self._day_of_slot(t) == day and int(self.inst.required[t]) > above
        ]

    def _add_span_of_control(self) -> None:
        inst = self.inst
        span = inst.span
        self.manager_needed: list[Any] = []
        self.manager_ruled: set[int] = set()  # slots where agents may pass the threshold
        if span is None:
            return
        k = span.max_agents_per_lead
        for t in self.slots:
            ct = self.model.add(self.floor["agent"][t] <= k * self.floor["lead"][t])
            self._enforce(ct, f"span|{self._day_of_slot(t)}")
        for d in self.days:
            ct = self.model.add(self.day_count["agent"][d] <= k * self.day_count["lead"][d])
            self._enforce(ct, f"teams|{d}")
        if span.manager_above_agents is not None:
            self._add_manager_on_floor(span.manager_above_agents)
            for d in self.days:
                # One per day, also without manager_hours: the greedy hint sets it.
                b = self.model.new_bool_var(f"manager_needed[{d}]")
                self.all_vars.append(b)
                self.manager_needed.append(b)
                if span.manager_hours is None:
                    continue
                self.model.add(self.day_count["agent"][d] <= span.manager_above_agents + _BIG * b)
                for t in self._manager_slots(d):
                    ct = self.model.add(self.work["manager"][t] >= b)
                    self._enforce(ct, f"manager hours|{d}")
        if span.lead_covers_team:
            self._add_lead_covers_team(k)

    def _add_manager_on_floor(self, above: int) -> None:
        """More than ``above`` agents on the floor at ``t`` -> a manager on the floor at ``t``.

        In floor units (``1 / scale`` agents): ``floor_agent - scale * above <= M *
        floor_manager`` with ``M = ceil((ub - scale * above) / scale)``, ``ub`` the most agents
        that can be on the floor.  A manager counts ``scale`` units or nothing (a manager on a
        break of part of the interval is off the floor for all of it), so without a manager
        the agents stay at or below ``above`` and with one the cap is lifted.  Stated on the
        manager count itself rather than through a literal per interval: the search proves
        rosters optimal several times faster.  Intervals whose agents can never pass
        ``above`` get no constraint.
        """
        d = self.scale
        for t in self.slots:
            big = self.floor_ub[t] - d * above
            if big <= 0:
                continue
            self.manager_ruled.add(t)
            ct = self.model.add(
                self.floor["agent"][t] - d * above <= -(-big // d) * self.floor["manager"][t]
            )
            self._enforce(ct, f"manager|{self._day_of_slot(t)}")

    def _add_redundant_cuts(self) -> None:
        """Implied constraints stated on shift counts alone.

        ``floor = work - off`` has the placement counts with negative signs, which weakens
        bound propagation on the shift counts.  Since ``floor_agent[t] = required[t] -
        shortage[t] + surplus[t]`` and ``off >= 0``, it follows that ``work_agent[t] +
        shortage[t] >= required[t]``; with span of control ``k * work_lead[t] >=
        floor_agent[t] >= required[t] - shortage[t]`` as well.  When ``required[t]`` exceeds
        the manager threshold ``a``, the interval has more than ``a`` agents on the floor
        unless ``shortage[t] >= required[t] - a``, so a manager is on the floor (``scale``
        units) or the shortage is that large: ``(required[t] - a) * floor_manager[t] +
        shortage[t] >= scale * (required[t] - a)``, and ``work_manager[t] + shortage[t] >= 1``.
        (Shortage and floor counts in floor units of ``1 / scale`` agents.)
        """
        span = self.inst.span
        d = self.scale
        above = span.manager_above_agents if span is not None else None
        for i, t in enumerate(self.slots):
            r = int(self.inst.required[t])
            if r == 0:
                continue
            self.model.add(d * self.work["agent"][t] + self.shortage[i] >= d * r)
            if span is not None:
                k = span.max_agents_per_lead
                self.model.add(d * k * self.work["lead"][t] + self.shortage[i] >= d * r)
            if t in self.manager_ruled and above is not None and r > above:
                self.model.add(
                    (r - above) * self.floor["manager"][t] + self.shortage[i] >= d * (r - above)
                )
                self.model.add(self.work["manager"][t] + self.shortage[i] >= 1)

    def _add_lead_covers_team(self, k: int) -> None:
        by_day: dict[int, dict[tuple[int, int], list[int]]] = defaultdict(lambda: defaultdict(list))
        for i, s in enumerate(self.shifts):
            by_day[s.day][s.start_slot, s.length].append(i)
        for d, classes in by_day.items():
            keys = list(classes)
            agents = {
                c: cp_model.LinearExpr.sum([self.x["agent"][i] for i in classes[c]]) for c in keys
            }
            leads = {
                c: cp_model.LinearExpr.sum([self.x["lead"][i] for i in classes[c]]) for c in keys
            }
            into: dict[tuple[int, int], list[Any]] = defaultdict(list)
            for a in keys:
                flows = []
                for lc in keys:
                    if lc[0] <= a[0] and lc[0] + lc[1] >= a[0] + a[1]:
                        f = self._new_int(
                            0, _ub(self.x["agent"][classes[a][0]]) * len(classes[a]), "f"
                        )
                        flows.append(f)
                        into[lc].append(f)
                ct = self.model.add(cp_model.LinearExpr.sum(flows) == agents[a])
                self._enforce(ct, f"lead covers team|{d}")
            for lc in keys:
                if into[lc]:
                    ct = self.model.add(cp_model.LinearExpr.sum(into[lc]) <= k * leads[lc])
                    self._enforce(ct, f"lead covers team|{d}")

    def _add_limits(self) -> None:
        inst = self.inst
        lim = inst.limits
        if lim.max_off_floor is not None:
            for t in self.slots:
                off = [v for r in self.roles for v in self.off_lunch[r][t] + self.off_break[r][t]]
                if off:
                    ct = self.model.add(cp_model.LinearExpr.sum(off) <= lim.max_off_floor)
                    self._enforce(ct, f"off-floor cap|{self._day_of_slot(t)}")
        if lim.max_agents_per_day is not None:
            for d in self.days:
                ct = self.model.add(self.day_count["agent"][d] <= lim.max_agents_per_day)
                self._enforce(ct, f"max agents per day|{d}")

    def _locked_counts(self) -> dict[tuple[str, int], int]:
        """Locked shifts of named people as counts per (role, shift index)."""
        if "locked" in self.__dict__:
            return self.__dict__["locked"]
        inst = self.inst
        out: dict[tuple[str, int], int] = defaultdict(int)
        owners: dict[tuple[str, int], list[str]] = defaultdict(list)
        index = {
            (self._shift_start(s), s.length * inst.interval_min): i
            for i, s in enumerate(self.shifts)
        }
        for p in inst.people or ():
            for a, b in p.locked:
                key = (
                    pd.Timestamp(a),
                    int((pd.Timestamp(b) - pd.Timestamp(a)).total_seconds() // 60),
                )
                if key not in index:
                    raise ValueError(
                        f"Person {p.name!r}: locked shift {a}..{b} is not an allowed shift "
                        "(check ShiftRules start window, step, lengths and days)"
                    )
                out[p.role, index[key]] += 1
                owners[p.role, index[key]].append(p.name)
        self.__dict__["locked"] = dict(out)
        self.locked_owners = dict(owners)
        return self.__dict__["locked"]

    def _shift_start(self, s: Shift) -> pd.Timestamp:
        return self.inst.start + pd.Timedelta(minutes=s.start_slot * self.inst.interval_min)

    def _add_people(self) -> None:
        inst = self.inst
        if inst.people is None:
            return
        for (role, k), c in self._locked_counts().items():
            names = ", ".join(self.locked_owners[role, k])
            ct = self.model.add(self.x[role][k] >= c)
            self._enforce(ct, f"locked shifts ({names})|{self.shifts[k].day}")
        for role in self.roles:
            staff = [p for p in inst.people if p.role == role]
            for d in range(inst.n_days):
                lo, hi = inst.day_start(d), inst.day_start(d + 1)
                avail = sum(
                    1
                    for p in staff
                    if p.availability is None or any(a < hi and b > lo for a, b in p.availability)
                )
                ct = self.model.add(self.day_count[role][d] <= avail)
                self._enforce(ct, f"people available ({role}s)|{d}")
            per_week: dict[int, list[tuple[Any, int]]] = defaultdict(list)
            for k, s in enumerate(self.shifts):
                per_week[s.day // 7].append((self.x[role][k], s.paid))
            cap = int(sum(p.max_hours_week for p in staff) * 60 // inst.interval_min)
            for w, terms in per_week.items():
                expr = cp_model.LinearExpr.weighted_sum(
                    [v for v, _ in terms], [c for _, c in terms]
                )
                ct = self.model.add(expr <= cap)
                self._enforce(ct, f"contract hours ({role}s)|{7 * w}")

    def _add_objective(self) -> None:
        inst = self.inst
        w = inst.weights
        # Shortage and surplus are in floor units (1/scale agents): other costs scale up.
        d = self.scale
        cw = np.rint(w.shortage * inst.interval_weights).astype(np.int64)
        cov_vars = self.shortage + self.surplus
        cov_coef = [int(cw[t]) for t in self.slots] + [
            0 if inst.skipped[t] else w.surplus
            for t in self.slots  # no time passes there
        ]
        for shorts in self.group_short.values():
            # A group short of agents costs like the total short of them.
            cov_vars += [shorts[i] for i in range(len(self.slots))]
            cov_coef += [int(cw[t]) for t in self.slots]
        self.coverage_cost = cp_model.LinearExpr.weighted_sum(cov_vars, cov_coef)
        cost_vars: list[Any] = []
        cost_coef: list[int] = []
        if w.paid_interval:
            for role in self.roles:
                for k, s in enumerate(self.shifts):
                    cost_vars.append(self.x[role][k])
                    cost_coef.append(d * w.paid_interval * s.paid)
            # A cross-trained agent is the scarcer resource: each skill beyond the fewest any
            # group has costs one more paid interval, so a group covers another's need only
            # where that saves shortage or surplus.
            fewest = min((len(v) for v in inst.group_skills), default=0)
            for g, xs in self.gx.items():
                extra = len(inst.group_skills[g]) - fewest
                if extra:
                    for k, s in enumerate(self.shifts):
                        cost_vars.append(xs[k])
                        cost_coef.append(d * w.paid_interval * s.paid * extra)
        self.pattern_used: dict[tuple[int, int], Any] = {}
        if w.pattern:
            groups: dict[tuple[int, int], list[int]] = defaultdict(list)
            for k, s in enumerate(self.shifts):
                groups[s.start_min, s.length].append(k)
            users: dict[int, dict[tuple[int, int], Any]] = defaultdict(dict)
            for key, ks in groups.items():
                b = self.model.new_bool_var(f"pattern_used[{key}]")
                self.all_vars.append(b)
                self.pattern_used[key] = b
                for k in ks:
                    self.model.add(self.x["agent"][k] <= _ub(self.x["agent"][k]) * b)
                    for t in self.covered[k]:
                        users[t][key] = b
                cost_vars.append(b)
                cost_coef.append(d * w.pattern)
            # Cover cuts: an interval that is not short has an agent at work, so some pattern
            # reaching it is used.  Implied for integers, but the big-M links above let the
            # LP use a sliver of each pattern; these make it pay for whole ones (a set-cover
            # bound on the pattern count).  Shortage is in floor units: any shortfall is >= 1.
            for i, t in enumerate(self.slots):
                if self.inst.required[t] > 0 and users[t]:
                    used = cp_model.LinearExpr.sum(list(users[t].values()))
                    self.model.add(used + self.shortage[i] >= 1)
        span = inst.span
        self.lunch_slot_terms = False
        self.lunch_slot_used: dict[int, Any] = {}
        if span is not None and span.team_lunch_share is not None and w.team_lunch:
            self.lunch_slot_terms = bool(self.lunch_starts)
            for slot, vars_ in self.lunch_starts.items():
                b = self.model.new_bool_var(f"lunch_slot_used[{slot}]")
                self.lunch_slot_used[slot] = b
                self.all_vars.append(b)
                total = sum(_ub(v) for v in vars_)
                self.model.add(cp_model.LinearExpr.sum(vars_) <= total * b)
                cost_vars.append(b)
                cost_coef.append(d * w.team_lunch)
        self.other_cost = cp_model.LinearExpr.weighted_sum(cost_vars, cost_coef)
        self.objective = self.coverage_cost + self.other_cost
        self.has_bool_terms = bool(self.pattern_used) or self.lunch_slot_terms
        # Upper bound on the coverage cost, tightened in place by the lexicographic step.
        self.coverage_cap = self.model.new_int_var(0, _BIG, "coverage_cap")
        self.all_vars.append(self.coverage_cap)  # hinted too: a complete hint is taken at once
        self.model.add(self.coverage_cost <= self.coverage_cap)
        self.model.minimize(self.objective)

    # -- reading a solution --------------------------------------------------------------------
    def read_shifts(self, solver: cp_model.CpSolver) -> list[ShiftInstance]:
        """Expand counts into one record per worked shift with its lunch and breaks."""
        out: list[ShiftInstance] = []
        for role, _k, s, label, xv, ys in self._count_sources():
            c = int(solver.value(xv))
            if c == 0:
                continue
            rows = [ShiftInstance(role=role, shift=s, lunch=None, breaks=[]) for _ in range(c)]
            if label is not None:
                for r in rows:
                    r["skill_group"] = label
            for g, group in enumerate(s.groups):
                i = 0
                for opt, var in zip(group.options, ys(g), strict=True):
                    for _ in range(int(solver.value(var))):
                        for kind, rule, off in opt.places:
                            end = self._place_end(kind, rule, off)
                            piece = (s.start_slot + off, s.start_slot + end)
                            if kind in ("lunch", "split"):
                                rows[i]["lunch"] = piece
                            else:
                                rows[i]["breaks"].append(piece)
                        i += 1
            for r in rows:
                r["breaks"].sort()
            out.extend(rows)
        return out

    def _count_sources(self) -> list[tuple[str, int, Shift, str | None, Any, Any]]:
        """(role, shift index, shift, skill group, count var, placement vars by group).

        Agents come per skill group when the instance has groups.
        """
        out: list[tuple[str, int, Shift, str | None, Any, Any]] = []
        grouped = self.inst.group_required is not None
        for role in self.roles:
            for k, s in enumerate(self.shifts):
                if role == "agent" and grouped:
                    for g, label in enumerate(self.inst.skill_groups):
                        out.append((role, k, s, label, self.gx[g][k], partial(_gys, self.gy, g, k)))
                else:
                    out.append((role, k, s, None, self.x[role][k], partial(_ys, self.y, role, k)))
        return out

    def hint_floors(self, hint: dict[Any, int]) -> dict[str, np.ndarray]:
        """People on the floor per interval and role of a shift/placement hint [floor units].

        ``hint`` maps ``x`` and ``y`` variables to values (missing ones count 0).
        """
        d = self.scale
        floor = {r: self.carry_floor[r].astype(np.int64).copy() for r in self.roles}
        for role in self.roles:
            for k, cov in enumerate(self.covered):
                c = int(hint.get(self.x[role][k], 0))
                if c:
                    np.add.at(floor[role], np.asarray(cov, dtype=np.int64), d * c)
            for t in range(self.inst.n_intervals):
                for var, u in self.off_units[role][t]:
                    floor[role][t] -= u * int(hint.get(var, 0))
        return floor

    def complete_hint(self, hint: dict[Any, int]) -> dict[Any, int]:
        """Shortage, surplus and indicators that agree with shift and placement hints.

        ``hint`` maps ``x`` and ``y`` variables to values (missing ones count 0); the result
        holds the coverage variables computed exactly, in floor units, and the pattern, lunch
        slot and manager indicators, so that a hint that meets the rules is accepted as it
        stands.
        """
        d = self.scale
        floor = self.hint_floors(hint)
        out: dict[Any, int] = {}
        for i, t in enumerate(self.slots):
            diff = int(floor["agent"][t]) - d * int(self.inst.required[t])
            out[self.shortage[i]] = max(0, -diff)
            out[self.surplus[i]] = max(0, diff)
        # Indicator variables follow from the counts: with them the hint is complete, and
        # CP-SAT takes a complete feasible hint as its first solution without searching.
        for b in self.manager_needed:
            out[b] = int(hint.get(b, 0))
        used = {
            (s.start_min, s.length)
            for k, s in enumerate(self.shifts)
            if hint.get(self.x["agent"][k], 0)
        }
        for key, b in self.pattern_used.items():
            out[b] = int(key in used)
        for slot, b in self.lunch_slot_used.items():
            out[b] = int(any(hint.get(v, 0) > 0 for v in self.lunch_starts[slot]))
        out[self.coverage_cap] = _ub(self.coverage_cap)
        out.update(self.group_hint({**hint, **out}))
        return out

    def values(self, solver: cp_model.CpSolver) -> list[int]:
        """Values of every decision variable, for hints."""
        return [int(v) for v in solver.values(self.all_vars)]

    def hint(self, values: list[int]) -> None:
        """Replace the model's hint with ``values`` (from :meth:`values`)."""
        self.model.clear_hints()
        for var, val in zip(self.all_vars, values, strict=True):
            self.model.add_hint(var, val)

    def set_coverage_cap(self, cap: int | None) -> None:
        """Hold the coverage cost at or below ``cap`` (lexicographic second step)."""
        dom = self.model.proto.variables[self.coverage_cap.index].domain
        dom.clear()
        dom.extend([0, _BIG if cap is None else int(cap)])

    def day_name(self, group_key: str) -> str:
        """Readable label of an assumption literal name ``"group|day"``."""
        group, day = group_key.rsplit("|", 1)
        return f"{group} on {self._day_label(int(day))}"


def components(inst: RosterInstance) -> list[frozenset[int]]:
    """Groups of days that share no variable or rule, solvable one by one.

    Days are linked by a shift that covers intervals of another day, and all days are
    linked when the objective counts distinct shift patterns or when named people carry
    weekly contract rules.
    """
    n_days = inst.n_days
    if inst.weights.pattern or inst.people is not None:
        return [frozenset(range(n_days))]
    parent = list(range(n_days))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    n = inst.n_intervals
    first = inst.first_slot_offset
    spd = inst.slots_per_day
    for s in enumerate_shifts(inst):
        last = s.start_slot + s.length - 1
        end_slot = last % n if inst.cyclic else min(last, n - 1)
        for t in (s.start_slot, end_slot):
            d = (t + first) // spd
            parent[find(d)] = find(s.day)
    groups: dict[int, set[int]] = defaultdict(set)
    for d in range(n_days):
        groups[find(d)].add(d)
    return [frozenset(g) for g in sorted(groups.values(), key=min)]


def _ys(y: dict[tuple[str, int, int], list[Any]], role: str, k: int, g: int) -> list[Any]:
    return y[role, k, g]


def _gys(gy: dict[tuple[int, int, int], list[Any]], grp: int, k: int, g: int) -> list[Any]:
    return gy[grp, k, g]


def _ub(var: cp_model.IntVar) -> int:
    return int(list(var.proto.domain)[-1])
