"""A proven lower bound on agent hours on the floor, from the agents-only shift model.

Leads, the manager and named people only add rules, so every roster of an instance is also a
roster of the same instance without them (:func:`agents_only`): the agents-only model with the
same shift types, lunch and break rules and caps is a *relaxation*.  Among its rosters that
leave no interval short that some shift can reach, the fewest agent-intervals on the floor is
therefore a lower bound for every roster of the instance that leaves none short either.
It is proven twice over: the LP relaxation of that model, rounded up (fast, exact as a bound),
and CP-SAT's proven bound on the integer model (usually equal to its optimum, so the bound is
what an agents-only roster really reaches, not just an LP value).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from staffplan.roster._greedy import greedy_hint
from staffplan.roster._instance import (
    BreakRule,
    LunchRule,
    RosterInstance,
    ShiftRules,
    make_instance,
)
from staffplan.roster._lp import lp_bound, lp_relaxation
from staffplan.roster._model import RosterModel
from staffplan.roster._patterns import coverable
from staffplan.roster._search import check_args, portfolio

__all__ = ["FloorBound", "agents_only", "floor_bound", "lower_bound"]


@dataclass(frozen=True)
class FloorBound:
    """What :func:`lower_bound` proves.

    Attributes
    ----------
    agent_intervals : float
        No roster that leaves no reachable interval short has fewer agent-intervals on the
        floor [agent-intervals], counted as the coverage frame counts them (fractional breaks
        as their share, shifts carried in from a previous roster included); NaN when no such
        roster exists (caps forbid full coverage).
    on_floor_h : float
        The same in agent hours [h].
    required_h : float
        Agent hours required in intervals some shift can reach [h].
    unreachable_h : float
        Agent hours required in intervals no allowed shift reaches [h] (short in every roster).
    optimal : bool
        Whether an agents-only roster reaching the bound was found (the bound is then exact
        for the agents-only model).
    status : str
        ``"OPTIMAL"``, ``"BOUND"`` (proven but not reached in time) or ``"INFEASIBLE"``.
    wall_time_s : float
        Time taken [s].
    """

    agent_intervals: float
    on_floor_h: float
    required_h: float
    unreachable_h: float
    optimal: bool
    status: str
    wall_time_s: float

    def excess(self, on_floor_h: float) -> float:
        """Share by which ``on_floor_h`` [h] exceeds the bound (0.03 is 3 %)."""
        return float(on_floor_h / self.on_floor_h - 1.0) if self.on_floor_h > 0 else math.nan


def agents_only(inst: RosterInstance) -> RosterInstance:
    """``inst`` without leads, the manager and named people: a relaxation of it."""
    if inst.span is None and inst.people is None:
        return inst
    return dataclasses.replace(inst, span=None, people=None)


def lower_bound(
    instance: RosterInstance,
    *,
    time_limit_s: float = 10.0,
    num_workers: int = 1,
    random_seed: int = 0,
) -> FloorBound:
    """Proven lower bound on the agent hours on the floor of any roster of ``instance``.

    Parameters
    ----------
    instance : RosterInstance
        From :func:`make_instance`.
    time_limit_s : float
        Budget of the CP-SAT step that tightens the LP bound [s]; the LP itself runs first.
    num_workers : int
        Parallel single-worker searches (see :func:`staffplan.roster.solve`).
    random_seed : int
        Seed of the first search.

    Returns
    -------
    FloorBound
        Valid for rosters with no shortage in intervals some shift reaches (with skill groups,
        no group short there either: ``make_instance(group_requirements=...)``); compare a roster's
        ``coverage["on_floor"].sum() * interval_min / 60`` with ``on_floor_h``.

    Examples
    --------
    >>> from staffplan import roster
    >>> inst = roster.make_instance([1, 1, 1, 1, 1, 1], interval_min=60,
    ...     shifts=roster.ShiftRules(earliest_start="00:00", latest_start="02:00",
    ...                              start_step_min=60, lengths_min=(240,)),
    ...     lunch=None, span=None)
    >>> roster.lower_bound(inst).on_floor_h   # two 4 h shifts cover 6 h at best with 8 h
    8.0
    """
    time_limit_s, num_workers, random_seed = check_args(
        instance, time_limit_s, num_workers, random_seed
    )
    t0 = time.perf_counter()
    relaxed = agents_only(instance)
    reach = coverable(relaxed)
    req = relaxed.required
    required = float(req[reach].sum())
    hours = relaxed.interval_min / 60
    unreachable_h = float(req[~reach].sum()) * hours
    rm = RosterModel(relaxed)
    proto = rm.model.proto
    for i, t in enumerate(rm.slots):
        if reach[t]:
            # Skill groups: no group short either where a shift reaches.
            for v in [rm.shortage[i]] + [s[i] for s in rm.group_short.values()]:
                dom = proto.variables[v.index].domain
                dom.clear()
                dom.extend([0, 0])
    # No shift reaches the other intervals: their floor is what the previous roster carries
    # in, a constant added below rather than surplus to minimise.
    surplus = cp_model.LinearExpr.sum([rm.surplus[i] for i, t in enumerate(rm.slots) if reach[t]])
    carried = float(rm.carry_floor["agent"][~reach].sum()) / rm.scale
    lp = lp_relaxation(rm, time_limit_s=max(1.0, time_limit_s), objective=surplus)
    bound = lp_bound(rm, lp) if lp is not None else 0.0
    rm.model.clear_hints()
    for var, val in greedy_hint(rm, lp).items():
        rm.model.add_hint(var, val)
    run = portfolio(
        rm.model,
        budget_s=time_limit_s,
        wall_s=max(0.1, time_limit_s - (time.perf_counter() - t0)),
        num_workers=num_workers,
        random_seed=random_seed,
    )
    if run.status == "INFEASIBLE":
        nan = float("nan")
        return FloorBound(
            nan, nan, required * hours, unreachable_h, False, "INFEASIBLE", time.perf_counter() - t0
        )
    optimal = run.status == "OPTIMAL"
    if run.found:
        bound = max(bound, float(math.ceil(run.bound - 1e-6)))
    # The model counts the floor in fractions of an agent (``scale`` units per agent, for
    # breaks shorter than an interval): surplus too.
    total = required + bound / rm.scale + carried
    return FloorBound(
        agent_intervals=total,
        on_floor_h=total * hours,
        required_h=required * hours,
        unreachable_h=unreachable_h,
        optimal=optimal,
        status="OPTIMAL" if optimal else "BOUND",
        wall_time_s=time.perf_counter() - t0,
    )


def floor_bound(
    requirements: Any,
    *,
    interval_min: int,
    shifts: ShiftRules | Sequence[ShiftRules],
    lunch: LunchRule | None,
    breaks: BreakRule | Sequence[BreakRule] = (),
    cyclic: bool | None = False,
    time_limit_s: float = 60.0,
    num_workers: int = 2,
) -> tuple[float, str]:
    """Least agent on-floor hours that cover every interval with these shift types [h].

    :func:`lower_bound` of the instance these rules make (agents only: leads and a manager
    cannot lower it), with every interval to be covered: an interval no allowed shift reaches
    makes the rules infeasible here, where :func:`lower_bound` sets it apart.

    Parameters
    ----------
    requirements : array-like or DataFrame
        As for :func:`staffplan.roster.make_instance` [agents per interval].
    interval_min : int
        Interval length [min].
    shifts, lunch, breaks, cyclic
        The rules the bound is for (no leads or manager: they cannot lower it).
    time_limit_s : float
        Budget of the bound's CP-SAT step [s].
    num_workers : int
        Parallel searches.

    Returns
    -------
    hours : float
        Proven least agent hours on the floor of any roster of these rules that leaves no
        interval short [h]; NaN when ``status`` is ``"INFEASIBLE"``.
    status : str
        ``"OPTIMAL"`` when an agents-only roster reaches it, ``"BOUND"`` when it is proven but
        not reached in time, ``"INFEASIBLE"`` when no roster covers every interval (one no
        shift reaches, or caps).
    """
    inst = make_instance(
        requirements,
        interval_min=interval_min,
        shifts=shifts,
        lunch=lunch,
        breaks=breaks,
        span=None,
        cyclic=cyclic,
    )
    b = lower_bound(inst, time_limit_s=time_limit_s, num_workers=num_workers)
    if b.unreachable_h > 0:
        return math.nan, "INFEASIBLE"
    return b.on_floor_h, b.status
