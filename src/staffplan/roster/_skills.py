"""Skill groups in a roster: label each agent shift with its group, coverage per group.

The model (:meth:`staffplan.roster.RosterModel._add_skill_groups`) decides how many agents of
each skill group work each shift; :func:`label_rows` carries the group onto the roster rows
(``skill_group`` column) after people are assigned, and :func:`group_coverage` counts each
group on the floor against its need, with the cover a cross-trained group gives a group whose
skills it holds (a transport problem, solved per interval).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import optimize

from staffplan.roster._instance import RosterInstance
from staffplan.roster._solution import tally

if TYPE_CHECKING:
    from staffplan.roster._model import RosterModel

__all__ = ["group_coverage", "group_first_hint", "label_rows", "skill_mismatches"]


def _key(role: Any, start: Any, end: Any, lunch: Any, breaks: Any) -> tuple[Any, ...]:
    lunch_t = None if lunch is None or pd.isna(lunch) else pd.Timestamp(lunch)
    return (role, pd.Timestamp(start), pd.Timestamp(end), lunch_t, tuple(map(tuple, breaks)))


def label_rows(inst: RosterInstance, records: list[Any], rows: list[dict[str, Any]]) -> None:
    """Set ``row["skill_group"]`` for agent rows from the model's shift records (in place).

    Rows and records match by role, start, end, lunch start and breaks (shifts alike in all
    of these are interchangeable, so any matching group is right).
    """
    if inst.group_required is None:
        return
    iv = pd.Timedelta(minutes=inst.interval_min)
    pool: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for r in records:
        if "skill_group" not in r:
            continue
        s = r["shift"]
        lunch = r["lunch"]
        key = _key(
            r["role"],
            inst.start + s.start_slot * iv,
            inst.start + (s.start_slot + s.length) * iv,
            inst.start + lunch[0] * iv if lunch else None,
            [(inst.start + a * iv, inst.start + b * iv) for a, b in r["breaks"]],
        )
        pool[key].append(r["skill_group"])
    for row in rows:
        if row["role"] != "agent":
            row["skill_group"] = ""
            continue
        key = _key(row["role"], row["start"], row["end"], row["lunch_start"], row["breaks"])
        labels = pool.get(key)
        row["skill_group"] = labels.pop() if labels else ""


def group_coverage(inst: RosterInstance, roster: pd.DataFrame) -> pd.DataFrame:
    """Per interval and skill group: need, agents on the floor, and shortage after cover.

    Parameters
    ----------
    inst : RosterInstance
        An instance with ``group_requirements``.
    roster : DataFrame
        A roster with a ``skill_group`` column (from :func:`staffplan.roster.solve`).

    Returns
    -------
    DataFrame
        ``ds``, ``skill_group``, ``required`` [agents], ``on_floor`` [agents of the group],
        ``shortage`` [agents]: need left uncovered when groups holding every skill of a
        group lend it their surplus, allocated to keep the total shortage least (an LP per
        interval).
    """
    if inst.group_required is None:
        raise ValueError("group_coverage needs an instance made with group_requirements")
    if "skill_group" not in roster:
        raise ValueError("roster has no 'skill_group' column; roster a skills instance first")
    names = inst.skill_groups
    n_g = len(names)
    floor = np.zeros((n_g, inst.n_intervals))
    agents = roster[roster["role"] == "agent"]
    for g, name in enumerate(names):
        floor[g] = tally(inst, agents[agents["skill_group"] == name])["floor"]["agent"]
    need = inst.group_required.astype(float)
    skills = [set(v) for v in inst.group_skills]
    edges = [(h, g) for h in range(n_g) for g in range(n_g) if skills[g] <= skills[h]]
    short = np.zeros_like(need)
    for t in range(inst.n_intervals):
        if need[:, t].sum() <= 0:
            continue
        # max flow supply h -> demand g: maximise covered need (min -sum flow).
        a_ub = np.zeros((2 * n_g, len(edges)))
        for e, (h, g) in enumerate(edges):
            a_ub[h, e] = 1.0
            a_ub[n_g + g, e] = 1.0
        res = optimize.linprog(
            -np.ones(len(edges)),
            A_ub=a_ub,
            b_ub=np.concatenate([floor[:, t], need[:, t]]),
            bounds=(0, None),
            method="highs",
        )
        got = np.zeros(n_g)
        for e, (_, g) in enumerate(edges):
            got[g] += res.x[e]
        short[:, t] = np.maximum(need[:, t] - got, 0.0)
    ds = np.tile(inst.timestamps, n_g)
    return pd.DataFrame(
        {
            "ds": ds,
            "skill_group": np.repeat(names, inst.n_intervals),
            "required": need.ravel(),
            "on_floor": np.round(floor.ravel(), 9),
            "shortage": np.round(short.ravel(), 9),
        }
    )


def group_first_hint(
    rm: RosterModel, time_limit_s: float, *, search_s: float = 0.0, seed: int = 0
) -> dict[Any, int] | None:
    """A first roster hint built group by group: each group rostered alone, then added up.

    Each skill group is rostered alone (its need, the same shift rules, agents only) from
    the LP relaxation and greedy completion of :func:`staffplan.roster._greedy.greedy_hint`,
    improved by a deterministic CP-SAT search of ``search_s`` per group when given; the
    groups' agents add up to the hint's agents, and leads and the manager are hinted for
    them.  No group is short where a shift reaches it (cover between groups is left to the
    search).  None when the instance has no groups or the parts do not line up.
    """
    from staffplan.roster._greedy import greedy_hint
    from staffplan.roster._lp import lp_relaxation
    from staffplan.roster._model import RosterModel
    from staffplan.roster._search import portfolio

    inst = rm.inst
    if inst.group_required is None or inst.carried_in is not None:
        return None
    days = None if len(rm.days) == inst.n_days else frozenset(rm.days)
    vec = np.zeros(len(rm.model.proto.variables))
    split: dict[Any, int] = {}
    for g in range(len(inst.skill_groups)):
        need = inst.group_required[g]
        sub_inst = dataclasses.replace(
            inst,
            required=need.copy(),
            required_raw=need.astype(float),
            skill_groups=(),
            group_skills=(),
            group_required=None,
            span=None,
            people=None,
        )
        sub = RosterModel(sub_inst, days=days)
        if len(sub.shifts) != len(rm.shifts) or sub.scale != rm.scale:
            return None
        lp = lp_relaxation(sub, time_limit_s=time_limit_s)
        h = greedy_hint(sub, lp)
        if search_s > 0:
            sub.model.clear_hints()
            for var, val in h.items():
                sub.model.add_hint(var, val)
            sub.model.minimize(sub.objective)
            run = portfolio(
                sub.model, budget_s=search_s, wall_s=10 * search_s, num_workers=1, random_seed=seed
            )
            # The wall clock cutting the search in would make the roster differ run to run.
            rm.hint_wall_limited |= run.wall_limited
            if run.found and run.solver is not None:
                solver = run.solver
                h = {v: int(solver.value(v)) for v in sub.all_vars}
        for k, var in enumerate(sub.x["agent"]):
            c = int(h.get(var, 0))
            split[rm.gx[g][k]] = c
            vec[rm.x["agent"][k].index] += c
        for (role, k, p), ys in sub.y.items():
            if role != "agent" or len(ys) == 1:
                continue
            for o, var in enumerate(ys):
                c = int(h.get(var, 0))
                split[rm.gy[g, k, p][o]] = c
                vec[rm.y["agent", k, p][o].index] += c
        for i, var in enumerate(sub.shortage):
            split[rm.group_short[g][i]] = int(h.get(var, 0))
    hint = greedy_hint(rm, vec, fill_agents=False)
    hint.update(split)
    return hint


def skill_mismatches(inst: RosterInstance, rows: list[dict[str, Any]]) -> list[str]:
    """Notes for named agents given a shift of a group whose skills they lack.

    The model caps each group's shifts per day by the people who can work it; the assignment
    of shifts to named people does not look at skills, so this says where it went wrong.
    """
    if inst.group_required is None or inst.people is None:
        return []
    skills = {p.name: p.skills for p in inst.people}
    need = dict(zip(inst.skill_groups, inst.group_skills, strict=True))
    bad = [
        r
        for r in rows
        if r.get("skill_group")
        and r.get("person") in skills
        and skills[r["person"]] is not None
        and not set(need[r["skill_group"]]) <= set(skills[r["person"]] or ())
    ]
    if not bad:
        return []
    r = bad[0]
    return [
        f"{len(bad)} shift(s) went to named agents without the skills of the shift's group "
        f"(first: {r['person']!r} on a {r['skill_group']!r} shift at {r['start']}); swap them "
        "with agents who have those skills"
    ]
