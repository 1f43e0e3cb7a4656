"""``solve``: agents first, then leads and the manager, then people, teams and a self-check.

The instance is split into independent parts (days that share no shift or rule, see
:func:`staffplan.roster._model.components`).  With leads or a manager and anonymous staff
(and weights that are not lexicographic: stage B weighs coverage against cost), each part is
designed in two stages (a decomposition that keeps round-the-clock weeks,
where every day is linked to the next, within reach of CP-SAT):

A. *agents*: the agents-only model (:func:`staffplan.roster._bound.agents_only`, a relaxation
   of the instance) is solved in the steps below; its proven bound is a bound of the whole;
B. *leads and manager*: the full model with the agents fixed at stage A's roster finds the
   leads and the manager (a small problem once agents are fixed); then the full model is
   solved again with nothing fixed, hinted with that roster, and the better roster is kept.
   When stage A proved its agents within ``ROSTER_GAP`` and the fixed run proved the leads
   optimal for them, that free run gets only half the fixed run's budget: it is there to
   prove a bound of the whole (which it gains little from more budget: on the sample week,
   a gap of 0.5 % instead of 0.4 % for a 12 % shorter roster step).

With leads or a manager (staged as above), a part that is one day of a centre closed
overnight, with few enough shift options (``_MIP_MAX_SHIFTS``) and admitted by its estimated
root-node time (``_MIP_ROOT_SHARE``), is first solved whole (agents, leads and the manager in
one model) by HiGHS' branch and cut (:func:`staffplan.roster._lp.mip`, limited by nodes:
deterministic), the parts' runs side by side on ``num_workers`` threads.  CP-SAT reads its
roster back; proven within ``_SPLIT_GAP`` it is kept as it is (unless ``hint`` seeds the
search: the MIP does not see it).  Otherwise the part gets its step-0 roster too and the
better of the two goes on: the MIP's by step 3 on the whole model, step 0's by the stages
above; the MIP's bound is kept either way.  On such days the staged CP-SAT search alone
reached the same rosters or up to 0.3 % more without proving them (gaps of 0.3-1.3 %), at
more CPU on the sample week.

The steps of a model (stage A, or the whole model when there is nothing to decompose):

0. *first roster*: hinted with the LP relaxation rounded down and completed greedily
   (:mod:`staffplan.roster._lp`, :mod:`staffplan.roster._greedy`), on parts of several linked
   days (round the clock) also rounded up from a few thresholds and polished by exact
   single-shift moves, the cheapest kept; stop at the first feasible solution (the time
   until every part has a full roster, whole-day branch-and-cut runs included, is
   ``first_solution_s``);
1. *coverage* (lexicographic weights, or objectives counting distinct patterns): minimise the
   coverage cost alone (weighted shortage + surplus);
2. *cost at best coverage*: when step 1 proved its optimum, hold the coverage cost there and
   minimise the full objective; with ``Weights.lexicographic`` this is the answer;
3. *full objective*, hinted with the best solution so far; the reported bound is the better of
   its bound and the LP relaxation's optimum (rounded up, the objective being integer).

Every CP-SAT run is a portfolio of single-worker searches limited by *deterministic* time
(:mod:`staffplan.roster._search`), and every budget is a fixed share of ``time_limit_s`` less
the deterministic time already used, so the same inputs and seed give the same roster.  The
wall clock only stops runs as a safety net: they end by 90 % of ``time_limit_s``, and after the
first roster early enough to leave people, teams and the check the time they need (estimated
from the first roster's number of shifts); a result whose runs the wall clock stopped says so
in ``reasons`` and may differ run to run.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from staffplan import defaults
from staffplan.roster._assign import assign_people, beyond_assignment, form_teams, solve_named
from staffplan.roster._bound import agents_only
from staffplan.roster._check import check
from staffplan.roster._diagnose import diagnose, precheck, uncovered_note
from staffplan.roster._greedy import greedy_hint
from staffplan.roster._instance import RosterInstance
from staffplan.roster._lp import Mip, lp_bound, lp_relaxation, mip, split_bound
from staffplan.roster._model import RosterModel, components
from staffplan.roster._search import Run, check_args, portfolio
from staffplan.roster._skills import group_first_hint, label_rows, skill_mismatches
from staffplan.roster._solution import ROSTER_COLUMNS, RosterResult, coverage_frame, empty_roster

__all__ = ["solve"]

#: Share of ``time_limit_s`` the solver steps may use on the wall clock; the rest is for
#: people, teams, frames and the check.
_SOLVE_SHARE = 0.9
#: Share of the time limit for the first rosters of all parts (step 0).
_FIRST_SHARE = 0.3
#: Wall time people, teams, frames and the check take per rostered shift [s], measured on a
#: loaded 2-core machine (28 days x 500 agents: 17,000 shifts in 5-6 s, 20,000 round the
#: clock in 7 s); the steps after the first roster leave that much of the time limit to them,
#: plus reading solutions back (``_POST_S``).
_POST_S_PER_SHIFT = 4.0e-4
_POST_S = 0.5
#: HiGHS' branch and cut (:func:`staffplan.roster._lp.mip`) solves a whole part (agents, leads
#: and the manager) before CP-SAT when the part is one day of a centre that closes overnight
#: (the horizon splits into such days), with at most ``_MIP_MAX_SHIFTS`` shift options (start
#: and length) and a model of at most ``_MIP_MAX_SIZE`` variables plus constraints.  On such
#: days (up to about 14 open hours: 34 options; 30- and 15-min grids, models of 1,100-1,900)
#: its root node took 0.1-2.5 s and it proved the whole day within 0.2 % in at most a few
#: hundred nodes, where CP-SAT, staged (agents, then leads for them, then both), reached the
#: same rosters or up to 0.3 % more with gaps of 0.3-1.3 % it could not close, and spent more
#: on the sample week (13 s of CPU against 9.4 s).  With more options the root node alone,
#: which no node limit bounds, took 2-6 s on the agents alone (16- and 18-hour days: 42 and 50
#: options) and 4-11 s round the clock, ending 12-57 % above its bound; on round-the-clock
#: centres the budget it took left the roster 7 % more paid hours than CP-SAT alone.
_MIP_MAX_SHIFTS = 36
_MIP_MAX_SIZE = 2000
#: Share of a part's budget after the first rosters that its branch and cut may spend; the
#: rest is for CP-SAT from its roster when the MIP did not prove it within ``_SPLIT_GAP``.
_MIP_SHARE = 0.55
#: Wall time of a branch and cut's root node per model variable plus constraint [s], an upper
#: estimate (whole days of day centres, quiet 2-core machine: 0.1-1.4 ms, most 0.3-0.8 ms);
#: the root node is most of a day's run and no node limit bounds it.
_MIP_ROOT_S_PER_SIZE = 1.0e-3
#: Parts get a branch and cut while their estimated root nodes fit this share of
#: ``time_limit_s`` on each thread: four weeks of a 15-min day centre (24 days of ~1,900) at
#: 20 s would otherwise spend 10 s of wall time in root nodes and run past the deterministic
#: budgets; the sample week (6 days, 1,150 and fewer) takes its branch and cut everywhere.
_MIP_ROOT_SHARE = 0.25
#: The branch-and-cut runs end by this share of ``time_limit_s`` on the wall clock (a safety
#: net, with the 5 s plus four times its budget of each run): on a loaded machine a run stopped
#: by the wall clock may hold a poor roster, and the first rosters and searches of the parts
#: it did not prove need the rest.  Root nodes admitted by ``_MIP_ROOT_SHARE`` plus node
#: budgets (``_MIP_SHARE`` of 70 % of 90 %) stay within it on one thread.
_MIP_WALL_SHARE = 0.75
#: Wall time one branch-and-cut node costs per model variable plus constraint [s] (measured on
#: one core of a loaded 2-core machine: 3.3 ms a node on a 460-sized day, 8.5 ms on 1,150,
#: 11-13 ms on 3,200): node limits follow from it, so that a part's deterministic budget is
#: about its wall time.
_MIP_S_PER_NODE_SIZE = 7.5e-6
#: The free run of stage B, when stage A proved its agents and the fixed run its leads, gets
#: this multiple of the fixed run's budget: enough for CP-SAT to prove most of its bound where
#: it can.
_FREE_RUN_PROOF = 0.5
#: No free run when, besides that, :func:`staffplan.roster._lp.split_bound` proves the roster
#: within this share of the optimum (1.4 % on the sample week, whose free runs found no better
#: roster on any day: they cost 12 % of the roster step and proved 0.5 %).  Likewise no CP-SAT
#: after a whole day's branch and cut that proved its roster within it (on the sample week and
#: a 15-min day centre, CP-SAT from such rosters, 0.1-1.5 % above their bounds, found none
#: better).
_SPLIT_GAP = 0.02
#: :func:`staffplan.roster._lp.split_bound` only on full models up to this many variables (a
#: few simplex solves; a day of a day centre has ~800, three days round the clock ~2,000).
_SPLIT_MAX_VARS = 10_000


#: Evaluations of the first roster's polish per second of its budget (one took 0.2-0.8 ms
#: on a loaded 2-core machine, a week round the clock at 15 min the slowest); on 24/7 weeks
#: it converged within 400-2,000 per start, on a day of a day centre within 100.
_POLISH_EVALS_PER_S = 1000


class _Best:
    """Best solution of one model so far."""

    def __init__(self, rm: RosterModel, run: Run) -> None:
        solver = run.solver
        assert solver is not None
        self.records = rm.read_shifts(solver)
        self.values = rm.values(solver)
        self.objective = float(solver.value(rm.objective))
        self.bound = math.nan
        self.status = run.status


class _Ctx:
    """Settings shared by every run of one :func:`solve` call."""

    def __init__(self, deadline: float, num_workers: int, seed: int, deterministic: bool) -> None:
        self.deadline = deadline
        self.num_workers = num_workers
        self.seed = seed
        self.deterministic = deterministic
        self.log: list[str] = []
        self.stages: list[float] = []
        self.wall_limited = False

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def run(self, rm: RosterModel, objective: Any, budget_s: float, **params: Any) -> Run:
        rm.model.minimize(objective)
        budget_s = max(0.05, budget_s)
        self.stages.append(round(budget_s, 3))
        out = portfolio(
            rm.model,
            budget_s=budget_s,
            wall_s=max(0.05, self.left()),
            num_workers=self.num_workers,
            random_seed=self.seed,
            deterministic=self.deterministic,
            log=self.log,
            **params,
        )
        self.wall_limited |= out.wall_limited
        return out


def _polish_evals(rm: RosterModel, budget_s: float) -> int:
    """Evaluations the first roster's polish may take: in proportion to ``budget_s``
    (:data:`_POLISH_EVALS_PER_S`, deterministic), none on a part of one day.

    A one-day part (a day of a centre that closes overnight) is small: HiGHS or CP-SAT
    improve its first roster within the budget (on the sample week the polish cut the first
    agents' objective 14 % but not the final one, and its time left CP-SAT less on a loaded
    machine), while on round-the-clock parts CP-SAT's later steps stall near the first roster.
    """
    if len(rm.days) <= 1:
        return 0
    return max(100, int(_POLISH_EVALS_PER_S * budget_s))


def _first(rm: RosterModel, ctx: _Ctx, budget_s: float, lp_s: float) -> Run:
    """Step 0: a first feasible roster of ``rm`` from its LP rounded and completed greedily.

    On a part of several linked days (round the clock) the greedy roster is polished by
    single-shift moves from several roundings (:func:`staffplan.roster._greedy.greedy_hint`).
    """
    if not rm.user_hinted:
        lp = lp_relaxation(rm, time_limit_s=max(0.5, lp_s))
        if lp is not None:
            rm.lp_bound = max(rm.lp_bound, lp_bound(rm, lp))
        rm.model.clear_hints()
        # Skill groups: a hint built group by group leaves no group short.
        hint = group_first_hint(
            rm, max(0.5, lp_s), search_s=0.5 * budget_s, seed=ctx.seed
        ) or greedy_hint(rm, lp, polish_evals=_polish_evals(rm, budget_s))
        ctx.wall_limited |= rm.hint_wall_limited
        for var, val in hint.items():
            rm.model.add_hint(var, val)
    # Without presolve a feasible hint is accepted at once; with presolve when it is not.
    out = ctx.run(
        rm,
        rm.objective,
        min(budget_s, max(0.5, 0.1 * budget_s)),
        stop_after_first_solution=True,
        cp_model_presolve=False,
    )
    if out.status == "UNKNOWN":
        out = ctx.run(rm, rm.objective, budget_s, stop_after_first_solution=True)
    return out


def _improve(rm: RosterModel, first: _Best, budget_s: float, ctx: _Ctx) -> _Best:
    """Steps 1-3 on one model within ``budget_s`` (deterministic budget)."""
    lexi = rm.inst.weights.lexicographic
    box = [first]
    spent = [0.0]

    def left() -> float:
        return budget_s - spent[0]

    def run(objective: Any, share: float) -> Run:
        rm.hint(box[0].values)
        out = ctx.run(rm, objective, share)
        spent[0] += out.used_s
        return out

    def keep(out: Run) -> bool:
        if out.found and out.solver is not None:
            if out.solver.value(rm.objective) <= box[0].objective:
                box[0] = _Best(rm, out)
                return True
        return False

    if lexi or rm.has_bool_terms:
        # Step 1: coverage alone; step 2: full objective with coverage held at its optimum.
        out = run(rm.coverage_cost, left() * (0.5 if lexi else 0.3))
        if out.found and out.solver is not None:
            if lexi:
                box[0] = _Best(rm, out)
                box[0].status = "FEASIBLE"
            else:
                box[0].values = rm.values(out.solver)
        if out.status == "OPTIMAL" and out.solver is not None and left() > 0.05:
            rm.set_coverage_cap(round(out.solver.objective_value))
            out = run(rm.objective, left() if lexi else left() * 0.5)
            kept = keep(out)
            rm.set_coverage_cap(None)
            if lexi:
                box[0].bound = out.bound if kept else math.nan
                box[0].status = out.status if kept else "FEASIBLE"
                return box[0]
        elif lexi:
            box[0].status = "FEASIBLE"
            return box[0]
    # Step 3: the full objective, hinted with the best roster so far.
    out = run(rm.objective, max(0.05, left()))
    kept = keep(out)
    # The LP relaxation of the same model is a valid bound too; keep the better one.
    box[0].bound = max(out.bound if out.found else -math.inf, rm.lp_bound)
    if not kept:
        box[0].status = "FEASIBLE"
    repaired, used = _repair(rm, box[0], max(0.05, left()), ctx)
    spent[0] += used
    return repaired


def _mip_size(rm: RosterModel) -> int:
    """Model variables plus constraints of ``rm``: what a branch-and-cut node costs."""
    return len(rm.model.proto.variables) + len(rm.model.proto.constraints)


def _mip_fits(rm: RosterModel, n_parts: int) -> bool:
    """Whether :func:`_mips`' branch and cut suits ``rm`` (see :data:`_MIP_MAX_SHIFTS`).

    ``n_parts`` is how many independent parts the horizon split into: more than one, each of
    one day, only when the centre closes overnight.
    """
    return (
        n_parts > 1
        and len(rm.days) == 1
        and len(rm.shifts) <= _MIP_MAX_SHIFTS
        and _mip_size(rm) <= _MIP_MAX_SIZE
        and not rm.has_bool_terms
        and not rm.inst.weights.lexicographic
    )


def _mip_parts(
    rms: list[RosterModel], budgets_s: list[float], num_workers: int, time_limit_s: float
) -> list[int]:
    """Positions of the models :func:`_mips` solves, largest budget first.

    The models that fit (:func:`_mip_fits`) are taken while their root nodes, which no node
    limit bounds, fit :data:`_MIP_ROOT_SHARE` of ``time_limit_s`` on each of ``num_workers``
    threads by :data:`_MIP_ROOT_S_PER_SIZE`: a count, so which parts get a MIP does not
    depend on the machine.
    """
    cap_s = _MIP_ROOT_SHARE * time_limit_s * num_workers
    todo: list[int] = []
    for j in sorted(range(len(rms)), key=lambda q: -budgets_s[q]):
        root_s = _MIP_ROOT_S_PER_SIZE * _mip_size(rms[j])
        if _mip_fits(rms[j], len(rms)) and root_s <= cap_s:
            todo.append(j)
            cap_s -= root_s
    return todo


def _mips(
    rms: list[RosterModel], budgets_s: list[float], todo: list[int], ctx: _Ctx, end_s: float
) -> dict[int, tuple[Mip | None, int]]:
    """HiGHS' branch and cut on the models at ``todo``, side by side on ``ctx.num_workers``.

    Each run is limited by nodes (deterministic: the budget over a node's cost,
    :data:`_MIP_S_PER_NODE_SIZE`); the wall clock (5 s plus four times the budget, and
    ``end_s`` [perf_counter s] for all runs) only as a safety net: HiGHS' root node must not
    take the whole call on a part it does not suit, nor a loaded machine the time the parts
    it does not prove need.  Returns ``{model position: (outcome, node limit)}``; the outcome
    is None when HiGHS found no roster (``ctx.wall_limited`` set when the wall clock ended
    the run or left it no time).
    """
    limits = {
        j: max(1, int(budgets_s[j] / (_MIP_S_PER_NODE_SIZE * _mip_size(rms[j])))) for j in todo
    }

    def one(j: int) -> tuple[Mip | None, int]:
        t = time.perf_counter()
        wall_s = min(end_s - t, 5.0 + 4.0 * budgets_s[j])
        if wall_s <= 0.05:
            ctx.wall_limited = True
            return None, limits[j]
        found = mip(rms[j], node_limit=limits[j], time_limit_s=wall_s, gap=defaults.ROSTER_GAP)
        if found is None and time.perf_counter() - t >= 0.95 * wall_s:
            # No roster because the wall clock stopped HiGHS: on a quiet machine there may be one.
            ctx.wall_limited = True
        return found, limits[j]

    if len(todo) <= 1 or ctx.num_workers == 1:
        return {j: one(j) for j in todo}
    with ThreadPoolExecutor(max_workers=ctx.num_workers) as pool:
        # Largest first (todo's order), so that the last one to start is short.
        return dict(zip(todo, pool.map(one, todo), strict=True))


def _from_mip(rm: RosterModel, mipped: tuple[Mip | None, int], ctx: _Ctx) -> _Best | None:
    """The roster HiGHS' branch and cut found for ``rm`` (:func:`_mips`), read back.

    CP-SAT reads the MIP's values back (checking them against the model).  The roster's
    bound is the MIP's; its status is OPTIMAL within :data:`staffplan.defaults.ROSTER_GAP`
    of it.  None when the MIP found no roster or CP-SAT does not accept it.
    """
    found, _ = mipped
    if found is None:
        return None
    ctx.wall_limited |= found.wall_limited
    rm.lp_bound = max(rm.lp_bound, found.bound)
    rm.model.clear_hints()
    for i, value in enumerate(found.values):
        rm.model.add_hint(rm.model.get_int_var_from_proto_index(i), int(value))
    out = ctx.run(rm, rm.objective, 0.05, stop_after_first_solution=True, cp_model_presolve=False)
    if not out.found:
        return None
    best = _Best(rm, out)
    best.bound = rm.lp_bound
    best.status = _status(best)
    return best


def _mip_used(budget_s: float, mipped: tuple[Mip | None, int]) -> float:
    """Deterministic budget [s] a branch and cut of ``budget_s`` used: its share of nodes."""
    found, node_limit = mipped
    return budget_s if found is None else budget_s * min(1.0, found.nodes / node_limit)


def _shortage(rm: RosterModel, best: _Best) -> int:
    """Shortage of ``best`` [floor units: agent-intervals times ``rm.scale``]."""
    pos = {v.index: i for i, v in enumerate(rm.all_vars)}
    return int(sum(best.values[pos[v.index]] for v in rm.shortage))


def _repair(rm: RosterModel, best: _Best, budget_s: float, ctx: _Ctx) -> tuple[_Best, float]:
    """Add shifts where ``best`` leaves intervals short and covering them costs less.

    A search stopped by its gap limit or budget can end in a roster with a short interval
    that one more shift would cover more cheaply than the shortage costs (a local minimum
    of the moves CP-SAT's last run explored, not of the objective).  The greedy completion
    of :func:`greedy_hint`, started from ``best`` itself, adds exactly those shifts; CP-SAT
    checks the result against the hard rules (repairing it when it breaks a cap) and it is
    kept only when its objective is lower.  Returns the roster kept and the budget used [s].
    """
    if _shortage(rm, best) == 0:
        return best, 0.0
    vec = np.zeros(len(rm.model.proto.variables))
    for var, val in zip(rm.all_vars, best.values, strict=True):
        vec[var.index] = val
    hint = greedy_hint(rm, vec)
    if all(hint.get(v, 0) == int(vec[v.index]) for role in rm.roles for v in rm.x[role]):
        return best, 0.0
    rm.model.clear_hints()
    for var, val in hint.items():
        rm.model.add_hint(var, val)
    out = ctx.run(
        rm, rm.objective, budget_s, stop_after_first_solution=True, cp_model_presolve=False
    )
    if out.found and out.solver is not None and out.solver.value(rm.objective) < best.objective:
        repaired = _Best(rm, out)
        repaired.bound = best.bound
        repaired.status = "FEASIBLE"
        return repaired, out.used_s
    return best, out.used_s


def _hint_from_roster(rm: RosterModel, roster: pd.DataFrame) -> None:
    inst = rm.inst
    index = {(s.start_slot, s.length): k for k, s in enumerate(rm.shifts)}
    counts: dict[tuple[str, int], int] = {}
    for row in roster.itertuples(index=False):
        a = inst.slot_of(row.start)
        b = inst.slot_of(row.end)
        k = index.get((a, b - a))
        if k is not None and row.role in rm.roles:
            counts[row.role, k] = counts.get((row.role, k), 0) + 1
    rm.model.clear_hints()
    for role in rm.roles:
        for k in range(len(rm.shifts)):
            rm.model.add_hint(rm.x[role][k], counts.get((role, k), 0))
    rm.user_hinted = True


def _agent_pairs(am: RosterModel, fm: RosterModel) -> list[tuple[Any, Any]]:
    """Matching (agents-only model variable, full model variable) pairs."""
    pairs = list(zip(am.x["agent"], fm.x["agent"], strict=True))
    for key, ys in am.y.items():
        if key[0] == "agent":
            pairs += list(zip(ys, fm.y[key], strict=True))
    pairs += list(zip(am.shortage, fm.shortage, strict=True))
    pairs += list(zip(am.surplus, fm.surplus, strict=True))
    for g, xs in am.gx.items():  # skill groups: the agents' split is stage A's too
        pairs += list(zip(xs, fm.gx[g], strict=True))
        pairs += list(zip(am.group_short[g], fm.group_short[g], strict=True))
    for gkey, gys in am.gy.items():
        pairs += list(zip(gys, fm.gy[gkey], strict=True))
    return pairs


def _fix(rm: RosterModel, values: dict[int, int]) -> list[tuple[int, list[int]]]:
    """Fix variables (by index) to values; returns what restores their domains."""
    saved = []
    for index, value in values.items():
        dom = rm.model.proto.variables[index].domain
        saved.append((index, list(dom)))
        dom.clear()
        dom.extend([value, value])
    return saved


def _restore(rm: RosterModel, saved: list[tuple[int, list[int]]]) -> None:
    for index, dom_values in saved:
        dom = rm.model.proto.variables[index].domain
        dom.clear()
        dom.extend(dom_values)


def _stage_b(
    am: RosterModel, agents: _Best, fm: RosterModel, budget_s: float, ctx: _Ctx, first: bool
) -> tuple[_Best | None, float]:
    """Leads and manager for a fixed agent roster, then (unless ``first``) the free model."""
    am_vals = dict(zip((v.index for v in am.all_vars), agents.values, strict=True))
    pairs = _agent_pairs(am, fm)
    fixed = {f.index: int(am_vals[a.index]) for a, f in pairs}
    vec = np.zeros(len(fm.model.proto.variables))
    for index, value in fixed.items():
        vec[index] = value
    fm.model.clear_hints()
    for var, val in greedy_hint(fm, vec, fill_agents=False).items():
        fm.model.add_hint(var, val)
    saved = _fix(fm, fixed)
    spent = 0.0
    try:
        share = budget_s if first else 0.3 * budget_s
        out = ctx.run(
            fm, fm.objective, share, **({"stop_after_first_solution": True} if first else {})
        )
        spent += out.used_s
    finally:
        _restore(fm, saved)
    if not out.found:
        return None, spent
    best = _Best(fm, out)
    if first:
        return best, spent
    if ctx.left() <= 0.05:
        # Out of wall time (a loaded machine): keep the roster with the agents fixed.
        ctx.wall_limited = True
        best.bound = agents.bound
        best.status = "FEASIBLE"
        return best, spent
    if best.objective - agents.bound <= defaults.ROSTER_GAP * max(1.0, abs(best.objective)):
        # Already within the stopping gap of the agents-only bound: the free run could not
        # gain enough to be worth its budget (on a day centre, most of the solve).
        best.bound = agents.bound
        best.status = "FEASIBLE"
        return best, spent
    bound = agents.bound
    if len(fm.model.proto.variables) <= _SPLIT_MAX_VARS:
        # The agents' proven bound plus what the leads and the manager must cost.
        bound = max(bound, split_bound(fm, [(a.index, f.index) for a, f in pairs], am, bound))
    proven = agents.status == "OPTIMAL" and out.status == "OPTIMAL"
    if proven and best.objective - bound <= _SPLIT_GAP * max(1.0, abs(best.objective)):
        # Agents proven within the stopping gap, leads and manager optimal for them, and the
        # whole proven within _SPLIT_GAP: the free run would only tighten the bound (it
        # found no better roster on any of the sample centre's days).
        best.bound = bound
        best.status = _status(best)
        return best, spent
    free_s = budget_s - spent
    if proven:
        # The free run can gain little and is there to prove a bound of the whole; where
        # CP-SAT proves one it does so in about what the fixed run took, and where it does
        # not, more budget did not help either.
        free_s = min(free_s, _FREE_RUN_PROOF * share)
    fm.hint(best.values)
    out2 = ctx.run(fm, fm.objective, max(0.05, free_s))
    spent += out2.used_s
    if out2.found and out2.solver is not None and out2.solver.value(fm.objective) < best.objective:
        best = _Best(fm, out2)
    best.bound = max(out2.bound if out2.found else -math.inf, bound)
    # Optimal with the agents fixed is not optimal: only the free run or a bound proves it.
    best.status = "OPTIMAL" if out2.status == "OPTIMAL" else _status(best)
    return best, spent


def _within(best: _Best, gap: float) -> bool:
    """Whether ``best`` is proven within ``gap`` [fraction] of its bound."""
    return best.objective - best.bound <= gap * max(1.0, abs(best.objective))


def _status(best: _Best) -> str:
    """OPTIMAL when ``best`` is within :data:`staffplan.defaults.ROSTER_GAP` of its bound."""
    return "OPTIMAL" if _within(best, defaults.ROSTER_GAP) else "FEASIBLE"


def _late_leads(
    am: RosterModel,
    agents: _Best,
    agent_first: _Best,
    fm: RosterModel,
    first: _Best,
    ctx: _Ctx,
    last_s: float,
) -> _Best:
    """Out of wall time after stage A (a loaded machine): keep what stage A gained.

    When stage A's agents beat the first roster's, leads and the manager are found for them
    (a first solution, with the agents fixed: a fraction of a second) in the margin left
    before ``last_s`` [perf_counter s]; else, or when that fails, ``first`` is kept.  On a
    machine five times slower than the budgets assume, a 3-day round-the-clock roster kept
    its first agents (8,524) where stage A had reached 6,378.
    """
    first.status = "FEASIBLE"
    first.bound = agents.bound
    if not agents.objective < agent_first.objective:
        return first
    saved = ctx.deadline
    ctx.deadline = max(saved, last_s)
    try:
        full, _ = _stage_b(am, agents, fm, 0.5, ctx, first=True)
    finally:
        ctx.deadline = saved
    if full is None or not full.objective < first.objective:
        return first
    full.status = "FEASIBLE"
    full.bound = agents.bound
    return full


def solve(
    instance: RosterInstance,
    *,
    time_limit_s: float = defaults.TIME_LIMIT_S,
    num_workers: int = defaults.NUM_WORKERS,
    random_seed: int = defaults.SEED,
    hint: RosterResult | pd.DataFrame | None = None,
    deterministic: bool = True,
) -> RosterResult:
    """Roster ``instance``: design shifts, assign people, form teams.

    Parameters
    ----------
    instance : RosterInstance
        From :func:`make_instance`.
    time_limit_s : float
        Budget of the whole call [s]: every solver step, people, teams and the check.
    num_workers : int
        Searches run side by side in each step (threads; see ``deterministic``).
    random_seed : int
        Seed of the first search; search ``i`` uses ``random_seed + i``.
    hint : RosterResult or DataFrame, optional
        A previous roster whose shift counts seed the search.
    deterministic : bool
        Limit each search by CP-SAT's deterministic time (derived from ``time_limit_s``), so
        that the same inputs and seed give the same roster, with any ``num_workers``; the wall
        clock stops a step only as a safety net (on a heavily loaded machine), and ``reasons``
        then says the roster may differ run to run.  ``False`` limits steps by wall time only.

    Returns
    -------
    RosterResult
        ``ok`` is False when no roster exists (``reasons`` names the rules and days in
        conflict) or none was found in time.  When ``instance.people`` set contract fields
        that naming people after the count roster cannot keep (a weekly minimum, days off,
        leave, shift types, nights, a fixed team...), the roster comes from
        :func:`solve_people` (a :class:`PeopleResult`, its first reason saying so).

    Raises
    ------
    ValueError
        Such people together with skill groups (``solve_people`` rosters one pool).
    """
    time_limit_s, num_workers, random_seed = check_args(
        instance, time_limit_s, num_workers, random_seed
    )
    beyond = beyond_assignment(instance)
    if beyond:
        return solve_named(
            instance, beyond, time_limit_s, num_workers, random_seed, hint, deterministic
        )
    t0 = time.perf_counter()
    params: dict[str, Any] = {
        "max_time_in_seconds": time_limit_s,
        "num_workers": num_workers,
        "random_seed": random_seed,
        "deterministic": bool(deterministic),
    }
    reasons = precheck(instance)
    if reasons:
        return _failed(instance, "INFEASIBLE", reasons, t0, params)
    ctx = _Ctx(t0 + _SOLVE_SHARE * time_limit_s, num_workers, random_seed, bool(deterministic))
    comps = components(instance)
    relaxed = agents_only(instance)
    # Lexicographic weights: stage B's runs (leads for fixed agents, then the free model)
    # weigh coverage against cost and would undo stage A's coverage-first order (with cheap
    # shortage, an empty roster came back as OPTIMAL): the full model is solved in steps 1-2.
    staged = (
        relaxed is not instance and instance.people is None and not instance.weights.lexicographic
    )
    days = [None if len(comps) == 1 else c for c in comps]
    models = [RosterModel(instance, days=d) for d in days]
    agent_models = [RosterModel(relaxed, days=d) for d in days] if staged else models
    if hint is not None:
        # Staged, the previous roster's agents seed stage A; leads follow from them.
        for rm in agent_models:
            _hint_from_roster(rm, hint.roster if isinstance(hint, RosterResult) else hint)
    # Deterministic budgets: fixed shares of the time limit, in proportion to each part's size.
    size = [1.0 + float(instance.required[rm.slots].sum()) for rm in models]
    total = sum(size)
    budget = _SOLVE_SHARE * time_limit_s

    def fail(status: str, why: list[str]) -> RosterResult:
        return _failed(instance, status, why, t0, params, log="\n".join(ctx.log))

    # Whole-day branch and cut (HiGHS) on the parts it suits: the whole part, leads and
    # manager included, in one MIP (a deterministic node budget).
    mip_budgets = [
        _MIP_SHARE * (1.0 - _FIRST_SHARE) * budget * size[j] / total for j in range(len(models))
    ]
    mip_parts = _mip_parts(models, mip_budgets, num_workers, time_limit_s) if staged else []
    firsts_at: dict[int, _Best] = {}
    agent_firsts: dict[int, _Best] = {}
    from_mip: set[int] = set()  # parts whose first roster is the MIP's
    mip_bound: dict[int, float] = {}

    def step0(j: int, got: _Best | None) -> RosterResult | None:
        """Step 0 of part ``j`` (a failure to return, or None); ``got``: the MIP's roster."""
        rm, am = models[j], agent_models[j]
        share = _FIRST_SHARE * budget * size[j] / total
        # The rounded LP is most of the first roster's quality (a roster built greedily without
        # it was 38 % over the bound on 28 days round the clock): it may take the whole share.
        out = _first(am, ctx, 0.5 * share if staged else share, lp_s=max(2.0, share))
        if out.found:
            agent_firsts[j] = _Best(am, out)
            full = agent_firsts[j]
            if staged:
                fixed, _ = _stage_b(am, agent_firsts[j], rm, 0.5 * share, ctx, first=True)
                if fixed is None:
                    # The fixed agents leave the leads' rules no roster (caps): the whole model.
                    out = _first(rm, ctx, 0.5 * share, lp_s=max(1.0, 0.25 * share))
                    fixed = _Best(rm, out) if out.found else None
                full = fixed if fixed is not None else full
            if not staged or full is not agent_firsts[j]:
                firsts_at[j] = full
                if got is not None and got.objective < full.objective:
                    firsts_at[j] = got
                    from_mip.add(j)
                return None
        if got is not None:
            # The MIP's roster stands (step 0 found none in the time the wall clock left).
            ctx.wall_limited = True
            firsts_at[j] = got
            from_mip.add(j)
            return None
        if out.status in ("INFEASIBLE", "MODEL_INVALID"):
            why = diagnose(
                instance, time_limit_s=_diagnosis_s(t0, time_limit_s), random_seed=random_seed
            )
            return fail(out.status, why)
        return fail("UNKNOWN", [f"no roster found within time_limit_s={time_limit_s:g}; raise it"])

    # Step 0 on the parts without a MIP first, so that a slow MIP cannot leave them none.
    for j in range(len(models)):
        if j not in mip_parts and (failed := step0(j, None)) is not None:
            return failed
    mip_end_s = t0 + _MIP_WALL_SHARE * time_limit_s
    mipped = _mips(models, mip_budgets, mip_parts, ctx, mip_end_s)
    for j in mip_parts:
        got = _from_mip(models[j], mipped[j], ctx)
        if got is not None:
            mip_bound[j] = got.bound
            # Proven within _SPLIT_GAP: no step 0, unless a previous roster (``hint``) seeds
            # it, which the MIP does not see.
            if _within(got, _SPLIT_GAP) and not agent_models[j].user_hinted:
                firsts_at[j] = got
                from_mip.add(j)
                continue
        # Not proven (the wall clock may have stopped it at a poor roster on a loaded
        # machine): step 0 too, the better kept.
        if (failed := step0(j, got)) is not None:
            return failed
    firsts = [firsts_at[j] for j in range(len(models))]
    first_s = time.perf_counter() - t0
    # Steps 1-3 per part; small parts first.
    order = sorted(range(len(models)), key=lambda q: size[q])
    bests: list[_Best] = list(firsts)
    # What people, teams and the check will need is known from the first roster's size
    # (a count, so budgets stay deterministic); the solver steps leave it to them.
    post_s = _POST_S + _POST_S_PER_SHIFT * sum(len(b.records) for b in firsts)
    ctx.deadline = min(ctx.deadline, t0 + time_limit_s - post_s)
    last_s = t0 + time_limit_s - post_s  # the solver steps' hard end, past ctx.deadline
    rest = max(0.05, min(budget, time_limit_s - post_s) - _FIRST_SHARE * budget)
    for j in order:
        share = rest * size[j] / total
        if j in mipped:
            share = max(0.05, share - _mip_used(mip_budgets[j], mipped[j]))
        if j in from_mip:
            # HiGHS' roster: kept as it is when proven within _SPLIT_GAP; else CP-SAT goes on
            # from it with what is left of the part's budget, the MIP's bound kept.
            best = firsts[j]
            if not _within(best, _SPLIT_GAP):
                if ctx.left() > 0.05:
                    bests[j] = _improve(models[j], best, share, ctx)
                else:
                    ctx.wall_limited = True
            continue
        if ctx.left() <= 0.05:
            # Out of wall time (a loaded machine): the remaining parts keep their first roster.
            ctx.wall_limited = True
            firsts[j].status = "FEASIBLE"
            firsts[j].bound = agent_models[j].lp_bound
            continue
        if not staged:
            bests[j] = _improve(models[j], firsts[j], share, ctx)
            continue
        agents = _improve(agent_models[j], agent_firsts[j], 0.55 * share, ctx)
        if ctx.left() <= 0.05:
            ctx.wall_limited = True
            bests[j] = _late_leads(
                agent_models[j], agents, agent_firsts[j], models[j], firsts[j], ctx, last_s
            )
            continue
        full, _ = _stage_b(agent_models[j], agents, models[j], 0.45 * share, ctx, first=False)
        if full is not None and full.objective <= firsts[j].objective:
            bests[j] = full
        else:
            firsts[j].bound = agents.bound
            firsts[j].status = "FEASIBLE"
    for j, mip_lb in mip_bound.items():
        # The MIP's proven bound holds whichever roster the part kept.
        if not bests[j].bound >= mip_lb:
            bests[j].bound = mip_lb
            if bests[j].status != "OPTIMAL":
                bests[j].status = _status(bests[j])
    best_records = [r for b in bests for r in b.records]
    best_obj = float(sum(b.objective for b in bests))
    bound = float(sum(b.bound for b in bests))
    final_status = "OPTIMAL" if all(b.status == "OPTIMAL" for b in bests) else "FEASIBLE"
    params["stage_budgets_s"] = ctx.stages
    t_post = time.perf_counter()
    left_s = t0 + time_limit_s - t_post
    rows, notes = assign_people(
        models[0], best_records, {**params, "max_time_in_seconds": max(0.5, min(10.0, left_s))}
    )
    label_rows(instance, best_records, rows)
    notes += skill_mismatches(instance, rows)
    notes += form_teams(instance, rows)
    roster = _frame(rows)
    coverage = coverage_frame(instance, roster)
    violations = check(instance, roster)
    notes += [f"check: {v}" for v in violations[:20]]
    if not instance.weights.hard_coverage:
        notes += uncovered_note(instance)
    params["wall_limited"] = bool(ctx.wall_limited)
    if ctx.wall_limited:
        notes.append(
            "the wall clock stopped a solver step before its deterministic budget (machine "
            "under load): this roster may differ from run to run; raise time_limit_s"
        )
    wall = time.perf_counter() - t0
    params["post_solve_s"] = round(time.perf_counter() - t_post, 3)
    gap = abs(best_obj - bound) / max(1.0, abs(best_obj)) if math.isfinite(bound) else math.nan
    if len(models) > 1:
        notes.append(f"solved as {len(models)} independent parts (days sharing no shift or rule)")
    return RosterResult(
        roster=roster,
        coverage=coverage,
        status=final_status,
        objective=float(best_obj),
        best_bound=float(bound) if math.isfinite(bound) else math.nan,
        gap=float(gap),
        wall_time_s=wall,
        reasons=notes,
        first_solution_s=first_s,
        solver_parameters=params,
        solver_log="\n".join(ctx.log),
    )


def _diagnosis_s(t0: float, time_limit_s: float) -> float:
    """What is left of the one time limit for naming the rules in conflict [s]."""
    return max(0.5, min(20.0, t0 + time_limit_s - time.perf_counter()))


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_roster()
    frame = pd.DataFrame(rows)
    cols = [*ROSTER_COLUMNS, "shift_type", "paid_h"]
    if "skill_group" in frame:
        cols.append("skill_group")
    order = {"manager": 0, "lead": 1, "agent": 2}
    frame = frame.assign(_r=frame["role"].map(order)).sort_values(
        ["start", "_r", "person"], kind="stable"
    )
    return frame[cols].reset_index(drop=True)


def _failed(
    inst: RosterInstance,
    status: str,
    reasons: list[str],
    t0: float,
    params: dict[str, Any],
    *,
    log: str = "",
    wall: float | None = None,
) -> RosterResult:
    roster = empty_roster()
    return RosterResult(
        roster=roster,
        coverage=coverage_frame(inst, roster),
        status=status,
        objective=math.nan,
        best_bound=math.nan,
        gap=math.nan,
        wall_time_s=time.perf_counter() - t0 if wall is None else wall,
        reasons=reasons,
        solver_parameters=params,
        solver_log=log,
    )
