"""A greedy roster used as the CP-SAT hint: good starting points make the search converge.

Agents: repeatedly add the shift (with the lunch and break placement that costs least
coverage) whose net gain ``sum over on-floor intervals of value[t] - paid cost`` is highest,
where ``value[t]`` is the peak-weighted shortage cost while the interval is short and minus
the surplus cost once it is covered; stop when no shift gains.  Leads: the same with the
deficit ``ceil(agents on floor / max_agents_per_lead) - leads on floor``, then enough leads per
day for the teams.  Managers: on the floor wherever the hint has more agents on the floor than
``manager_above_agents`` (and at work through ``manager_hours`` when set).

Hard rules beyond these (caps, people) are not enforced here; CP-SAT repairs the hint.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from staffplan.roster._model import RosterModel

__all__ = ["greedy_hint"]


class _Table:
    """Vectorised gains of every (shift, best placement) against a value vector."""

    def __init__(self, rm: RosterModel) -> None:
        inst = rm.inst
        self.n = inst.n_intervals
        self.cyclic = inst.cyclic
        shifts = rm.shifts
        self.start = np.array([s.start_slot for s in shifts], dtype=np.int64)
        self.length = np.array([s.length for s in shifts], dtype=np.int64)
        self.paid = np.array([s.paid for s in shifts], dtype=float)
        self.max_len = int(self.length.max()) if shifts else 0
        # One entry per slot a piece touches, weighted by the share of an agent it takes off
        # the floor there (a 15-min break on a 30-min grid: 0.5).
        piece_slot: list[int] = []
        piece_w: list[float] = []
        piece_opt: list[int] = []
        opt_group: list[int] = []
        group_shift: list[int] = []
        self.group_first: list[int] = []  # first option index of each group
        self.options: list[tuple[int, int, int]] = []  # (shift, group, option)
        for k, s in enumerate(shifts):
            for g, group in enumerate(s.groups):
                gi = len(group_shift)
                group_shift.append(k)
                self.group_first.append(len(opt_group))
                for o, opt in enumerate(group.options):
                    oi = len(opt_group)
                    opt_group.append(gi)
                    self.options.append((k, g, o))
                    for kind, rule, off in opt.places:
                        sl = rm._place_slots(kind, rule, off)
                        units = rm._place_units(kind, rule, "agent")
                        for j, rel in enumerate(sl):
                            piece_slot.append(s.start_slot + rel)
                            piece_w.append(units[j] / rm.scale)
                            piece_opt.append(oi)
        self.piece_slot = np.array(piece_slot, dtype=np.int64)
        self.piece_w = np.array(piece_w, dtype=float)
        self.piece_opt = np.array(piece_opt, dtype=np.int64)
        self.opt_group = np.array(opt_group, dtype=np.int64)
        self.group_shift = np.array(group_shift, dtype=np.int64)
        self.group_first_arr = np.array(self.group_first, dtype=np.int64)
        self.n_opts = len(opt_group)
        self.n_groups = len(group_shift)
        self.k = len(shifts)

    def _ext(self, v: np.ndarray) -> np.ndarray:
        return (
            np.concatenate([v, v]) if self.cyclic else np.concatenate([v, np.zeros(self.max_len)])
        )

    def _prefix(self, v: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(self._ext(v))])

    def gains(self, v: np.ndarray, paid_w: float) -> tuple[np.ndarray, np.ndarray]:
        """Net gain per shift and the chosen (least costly) option per group."""
        p = self._prefix(v)
        work = p[self.start + self.length] - p[self.start]
        best_opt: np.ndarray = np.zeros(self.n_groups, dtype=np.int64)
        off: np.ndarray
        if self.n_groups:
            piece = self._ext(v)[self.piece_slot] * self.piece_w
            opt_sum = np.bincount(self.piece_opt, weights=piece, minlength=self.n_opts)
            gmin = np.minimum.reduceat(opt_sum, self.group_first_arr)
            # index of the minimum inside each group
            is_min = opt_sum <= gmin[self.opt_group] + 1e-9
            idx = np.flatnonzero(is_min)
            first_min = np.full(self.n_groups, -1, dtype=np.int64)
            grp = self.opt_group[idx]
            order = np.argsort(grp, kind="stable")
            grp, idx = grp[order], idx[order]
            uniq, pos = np.unique(grp, return_index=True)
            first_min[uniq] = idx[pos]
            best_opt = first_min
            off = np.bincount(self.group_shift, weights=gmin, minlength=self.k)
        else:
            off = np.zeros(self.k)
        return work - off - paid_w * self.paid, best_opt

    def floor_slots(self, k: int, best_opt: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """Slots of shift ``k``, its on-floor share in each with the chosen options, those options."""
        slots = np.arange(self.start[k], self.start[k] + self.length[k])
        opts = [int(best_opt[g]) for g in np.flatnonzero(self.group_shift == k)]
        share = np.ones(slots.size)
        if opts:
            sel = np.isin(self.piece_opt, opts)
            np.add.at(share, self.piece_slot[sel] - self.start[k], -self.piece_w[sel])
        keep = slots < self.n if not self.cyclic else np.ones(slots.size, dtype=bool)
        return slots[keep] % self.n, share[keep], opts

    def work_slots(self, k: int) -> np.ndarray:
        return self._wrap(np.arange(self.start[k], self.start[k] + self.length[k]))

    def _wrap(self, ts: np.ndarray) -> np.ndarray:
        return ts % self.n if self.cyclic else ts[ts < self.n]


def _fill(
    table: _Table,
    value_of: Any,
    paid_w: float,
    counts: np.ndarray,
    opt_counts: np.ndarray,
    state: np.ndarray,
    max_iter: int,
) -> None:
    """Add shifts while the best one gains; ``state`` counts people on the floor per slot."""
    for _ in range(max_iter):
        gain, best_opt = table.gains(value_of(state), paid_w)
        if not gain.size:
            return
        k = int(np.argmax(gain))
        if gain[k] <= 0:
            return
        floor, share, opts = table.floor_slots(k, best_opt)
        counts[k] += 1
        for o in opts:
            opt_counts[o] += 1
        np.add.at(state, floor, share)


def _rounded(
    rm: RosterModel, table: _Table, role: str, lp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """LP counts rounded down; placements by largest remainder so each group sums to x."""
    x = np.array([lp[v.index] for v in rm.x[role]])
    counts = np.floor(x + 1e-6).astype(np.int64)
    opt_counts = np.zeros(table.n_opts, dtype=np.int64)
    for gi, first in enumerate(table.group_first):
        last = table.group_first[gi + 1] if gi + 1 < len(table.group_first) else table.n_opts
        k, g, _ = table.options[first]
        ys = (
            np.array([lp[v.index] for v in rm.y[role, k, g]])
            if last - first > 1
            else np.array([x[k]])
        )
        base = np.floor(ys + 1e-6).astype(np.int64)
        rest = int(counts[k] - base.sum())
        if rest > 0:
            base[np.argsort(-(ys - base), kind="stable")[:rest]] += 1
        elif rest < 0:
            for i in np.argsort(ys - base, kind="stable"):
                take = min(int(base[i]), -rest)
                base[i] -= take
                rest += take
                if rest == 0:
                    break
        opt_counts[first:last] = base
    return counts, opt_counts


def _state(table: _Table, counts: np.ndarray, opt_counts: np.ndarray) -> np.ndarray:
    """People on the floor per slot."""
    state = np.zeros(table.n)
    for k in np.flatnonzero(counts):
        np.add.at(state, table.work_slots(int(k)), counts[k])
    for oi in np.flatnonzero(opt_counts):
        sel = table.piece_opt == oi
        slots = table.piece_slot[sel]
        keep = slots < table.n if not table.cyclic else np.ones(slots.size, dtype=bool)
        np.add.at(state, slots[keep] % table.n, -opt_counts[oi] * table.piece_w[sel][keep])
    return state


def greedy_hint(
    rm: RosterModel, lp: np.ndarray | None = None, *, fill_agents: bool = True
) -> dict[Any, int]:
    """Hint values (variable -> value) for the model's shift, placement and coverage variables.

    With ``lp`` (values of an LP relaxation) the greedy starts from its rounded-down counts;
    ``fill_agents=False`` keeps the agents of ``lp`` as they are (an integer agent roster
    whose leads and manager are to be found).
    """
    inst = rm.inst
    table = _Table(rm)

    def start(role: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts, placements and people on the floor per slot (carried-in shifts included).

        On the floor for managers too: the rule wants one on the floor, not at a break.
        """
        carried = rm.carry_floor[role] / rm.scale
        if lp is None or role not in rm.roles:
            return (
                np.zeros(table.k, dtype=np.int64),
                np.zeros(table.n_opts, dtype=np.int64),
                carried.astype(float),
            )
        c, o = _rounded(rm, table, role, lp)
        return c, o, _state(table, c, o) + carried

    n = inst.n_intervals
    in_comp = np.zeros(n, dtype=bool)
    in_comp[rm.slots] = True
    w = inst.weights
    req = inst.required.astype(float)
    w_short = w.shortage * inst.interval_weights
    paid_w = float(w.paid_interval) + 1e-3  # a tiny cost keeps zero-cost models from overfilling
    hint: dict[Any, int] = {}
    limit = 4 * int(req.sum()) + 10

    def agent_value(floor: np.ndarray) -> np.ndarray:
        return np.where(~in_comp, 0.0, np.where(floor < req, w_short, -float(w.surplus) - 1e-3))

    per_role: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    counts, opt_counts, agents = start("agent")
    if fill_agents:
        _fill(table, agent_value, paid_w, counts, opt_counts, agents, limit)
    per_role["agent"] = (counts, opt_counts)
    span = inst.span
    if span is not None and "lead" in rm.roles:
        k_span = span.max_agents_per_lead
        need = np.ceil(agents / k_span)
        lcounts, lopt, leads = start("lead")

        def lead_value(floor: np.ndarray) -> np.ndarray:
            return np.where(in_comp & (floor < need), 1000.0, -1.0)

        _fill(table, lead_value, paid_w, lcounts, lopt, leads, limit)
        day = np.array([s.day for s in rm.shifts])
        for d in rm.days:
            a_day = int(counts[day == d].sum())
            while lcounts[day == d].sum() * k_span < a_day:
                cand = np.flatnonzero(day == d)
                gain, best_opt = table.gains(lead_value(leads), paid_w)
                k = int(cand[np.argmax(gain[cand])])
                floor, share, opts = table.floor_slots(k, best_opt)
                lcounts[k] += 1
                for o in opts:
                    lopt[o] += 1
                np.add.at(leads, floor, share)
        per_role["lead"] = (lcounts, lopt)
        if "manager" in rm.roles and span.manager_above_agents is not None:
            above = span.manager_above_agents
            mcounts, mopt, covered = start("manager")
            slot_day = (np.arange(n) + inst.first_slot_offset) // inst.slots_per_day
            for i, d in enumerate(rm.days):
                window = np.zeros(n, dtype=bool)
                window[rm._manager_slots(d)] = True
                if span.manager_hours is None:
                    # Wherever this hint puts more agents on the floor than the threshold.
                    window |= (slot_day == d) & in_comp & (agents > above + 1e-9)
                elif counts[day == d].sum() <= above:
                    continue
                else:
                    hint[rm.manager_needed[i]] = 1
                for _ in range(24):
                    todo = window & (covered < 1)
                    if not todo.any():
                        break
                    # Lunch and breaks placed where no manager is needed, if they can be.
                    gain, best_opt = table.gains(todo.astype(float), 0.0)
                    k = int(np.argmax(gain))
                    if gain[k] <= 0:
                        break
                    floor, share, opts = table.floor_slots(k, best_opt)
                    mcounts[k] += 1
                    for o in opts:
                        mopt[o] += 1
                    # A manager on a break of part of an interval is off the floor for all of it.
                    np.add.at(covered, floor, (share > 1 - 1e-9).astype(float))
            per_role["manager"] = (mcounts, mopt)
    for role, (cnt, opt_cnt) in per_role.items():
        for kx, var in enumerate(rm.x[role]):
            hint[var] = int(min(cnt[kx], _ub(var)))
        for oi, (ks, gs, os_) in enumerate(table.options):
            var = rm.y[role, ks, gs][os_]
            if var is not rm.x[role][ks]:
                hint[var] = int(opt_cnt[oi])
    hint.update(rm.complete_hint(hint))
    return hint


def _ub(var: Any) -> int:
    return int(list(var.proto.domain)[-1])
