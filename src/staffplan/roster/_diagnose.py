"""Why an instance has no roster: a static pre-check, then assumption cores over rule groups.

Every rule group (hard coverage, span of control, teams, manager on the floor, manager hours,
caps, people) is enforced
per day through an assumption literal; when the model is infeasible, CP-SAT's
``sufficient_assumptions_for_infeasibility`` returns a set of literals whose rules cannot hold
together, which is shrunk greedily to a minimal set and reported in words.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from staffplan.roster._instance import RosterInstance
from staffplan.roster._model import RosterModel
from staffplan.roster._patterns import coverable, enumerate_shifts
from staffplan.roster._solution import tally

__all__ = [
    "describe_group",
    "diagnose",
    "minimal_core",
    "precheck",
    "shortage_note",
    "uncovered_note",
]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _uncovered(inst: RosterInstance) -> np.ndarray:
    """Intervals that need more agents than are carried in but lie inside no allowed shift."""
    carried = np.zeros(inst.n_intervals)
    if inst.carried_in is not None and not inst.carried_in.empty:
        carried = tally(inst, inst.carried_in)["floor"]["agent"]
    return np.flatnonzero(~coverable(inst) & (inst.required > carried + 1e-9))


def _uncovered_text(inst: RosterInstance, bad: np.ndarray) -> str:
    ts = inst.timestamps
    return (
        f"{bad.size} interval(s) need agents but no allowed shift covers them, "
        f"first {ts[bad[0]]} (requires {int(inst.required[bad[0]])})"
    )


def precheck(inst: RosterInstance) -> list[str]:
    """Conflicts visible without a solver (hard coverage of intervals no shift covers)."""
    shifts = enumerate_shifts(inst)
    reasons = []
    if not shifts:
        reasons.append(
            "ShiftRules: no allowed shift starts inside the horizon "
            f"({inst.start} .. {inst.timestamps[-1]}); check start windows and days"
        )
    if inst.weights.hard_coverage:
        bad = _uncovered(inst)
        if bad.size:
            reasons.append(f"hard coverage: {_uncovered_text(inst, bad)}")
    return reasons


def shortage_note(coverage: Any, interval_min: int) -> str | None:
    """One line on the need a roster leaves uncovered, or None when nothing is short.

    ``coverage`` holds ``ds`` and ``shortage`` [agents] per interval of ``interval_min``
    [min] (a roster's coverage or a plan's verdict).
    """
    short = coverage[coverage["shortage"] > 0]
    if short.empty:
        return None
    worst = short["shortage"].idxmax()
    return (
        f"the roster is short of the requirement in {len(short)} intervals "
        f"({short['shortage'].sum() * interval_min / 60:.1f} agent-hours); worst "
        f"{short.loc[worst, 'shortage']:.0f} agents at {short.loc[worst, 'ds']}"
    )


def uncovered_note(inst: RosterInstance) -> list[str]:
    """With soft coverage, a note on intervals that stay short whatever the roster."""
    bad = _uncovered(inst)
    if not bad.size:
        return []
    return [
        f"coverage: {_uncovered_text(inst, bad)}; they stay short: widen the shift start "
        "windows or lengths to reach them"
    ]


def describe_group(inst: RosterInstance, key: str) -> str:
    """Words for an assumption name ``"group|day"``."""
    group, day_s = key.rsplit("|", 1)
    day = int(day_s)
    day_ts = inst.day_start(day)
    when = f"day {day + 1} ({day_ts:%a %Y-%m-%d})"
    span = inst.span
    k = span.max_agents_per_lead if span is not None else 0
    if group == "coverage":
        slots = [t for t in range(inst.n_intervals) if inst.timestamps[t].normalize() == day_ts]
        peak = max(slots, key=lambda t: inst.required[t]) if slots else None
        extra = (
            f", peak {inst.required[peak]} agents at {inst.timestamps[peak]:%H:%M}"
            if peak is not None
            else ""
        )
        return f"hard coverage (every interval fully staffed) on {when}{extra}"
    if group == "span":
        return f"span of control (agents on the floor <= {k} x leads on the floor) on {when}"
    if group == "teams":
        return f"teams (at most {k} agents per lead working that day) on {when}"
    if group == "manager":
        assert span is not None
        return (
            f"manager on the floor (a manager, not at lunch or on a break, in every interval "
            f"with more than {span.manager_above_agents} agents on the floor) on {when}"
        )
    if group == "manager hours":
        assert span is not None and span.manager_hours is not None
        hours = f"{_hhmm(int(span.manager_hours[0]))}-{_hhmm(int(span.manager_hours[1]))}"
        return (
            f"manager presence (a manager at work {hours} when more than "
            f"{span.manager_above_agents} agents work) on {when}"
        )
    if group == "off-floor cap":
        return (
            f"off-floor cap (at most {inst.limits.max_off_floor} people at lunch or break at once; "
            f"LunchRule/BreakRule windows) on {when}"
        )
    if group == "max agents per day":
        return f"headcount cap (at most {inst.limits.max_agents_per_day} agents a day) on {when}"
    if group == "lead covers team":
        return f"lead covers team (each agent's shift inside their lead's shift) on {when}"
    if group.startswith("contract hours"):
        return f"{group}: weekly hours of the named people from {when}"
    return f"{group} on {when}"


Prover = Callable[[list[Any]], tuple[bool | None, list[int]]]


def minimal_core(
    model: cp_model.CpModel, lits: list[Any], *, t_end: float, random_seed: int
) -> tuple[bool | None, list[Any], Prover]:
    """A minimal set of assumption literals of ``model`` that cannot hold together.

    CP-SAT's sufficient assumptions for infeasibility (single-thread search) are shrunk
    greedily: a literal is dropped when the rest stays infeasible.  Returns the verdict on
    all of ``lits`` (True: infeasible, False: feasible, None: unknown by ``t_end``), the
    core (empty unless infeasible) and the prover, which callers reuse to test relaxations.
    """

    def prove(active: list[Any]) -> tuple[bool | None, list[int]]:
        model.clear_assumptions()
        model.add_assumptions(active)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.5, t_end - time.perf_counter())
        # Cores of assumptions come from the single-thread search.
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = random_seed
        status = solver.solve(model)
        if status == cp_model.INFEASIBLE:
            return True, list(solver.sufficient_assumptions_for_infeasibility())
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, []
        return None, []

    verdict, core_idx = prove(lits)
    if verdict is not True:
        return verdict, [], prove
    by_index = {lit.index: lit for lit in lits}
    core = [by_index[i] for i in core_idx if i in by_index]
    i = 0
    while i < len(core) and time.perf_counter() < t_end:
        trial = core[:i] + core[i + 1 :]
        v, _ = prove(trial)
        if v:
            core = trial
        else:
            i += 1
    return True, core, prove


def diagnose(
    inst: RosterInstance, *, time_limit_s: float = 10.0, random_seed: int = 0
) -> list[str]:
    """Name the rule groups (and days) that cannot hold together.

    Returns
    -------
    list of str
        One line per rule group in a minimal conflicting set, or a single line saying that
        no conflict was proven within the time limit.
    """
    t_end = time.perf_counter() + time_limit_s
    rm = RosterModel(inst, assumptions=True)
    rm.model.clear_objective()
    lits = list(rm.literals)

    verdict, core, _ = minimal_core(rm.model, lits, t_end=t_end, random_seed=random_seed)
    if verdict is None:
        return [
            f"no roster found and no conflict proven within {time_limit_s:g} s; raise the time limit"
        ]
    if verdict is False:
        return ["every rule group can hold together; no roster was found within the time limit"]
    if not core:
        return [
            "ShiftRules/LunchRule/BreakRule: the allowed shifts, lunches and breaks admit no "
            "roster even before coverage, team and people rules"
        ]
    return ["rules in conflict: " + describe_group(inst, rm.literals[lit]) for lit in core]
