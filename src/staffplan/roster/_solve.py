"""``solve``: shift design in steps, then people and teams, then frames and a self-check.

The instance is split into independent parts (days that share no shift or rule, see
:func:`staffplan.roster._model.components`); each part is one CP-SAT model, solved in steps
within a share of one time budget:

0. *first roster*: hinted with the LP relaxation rounded down and completed greedily
   (:mod:`staffplan.roster._lp`, :mod:`staffplan.roster._greedy`), stop at the first feasible
   solution (the time until every part has one is ``first_solution_s``);
1. *coverage* (lexicographic weights, or objectives counting distinct patterns): minimise the
   coverage cost alone (weighted shortage + surplus);
2. *cost at best coverage*: when step 1 proved its optimum, hold the coverage cost there and
   minimise the full objective; with ``Weights.lexicographic`` this is the answer;
3. *full objective*, hinted with the best solution so far; the reported bound is the better of
   its bound and the LP relaxation's optimum (rounded up, the objective being integer).

Each step is hinted with the best solution of the step before.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from staffplan import defaults
from staffplan._validation import check_int, check_positive
from staffplan.roster._assign import assign_people, form_teams
from staffplan.roster._check import check
from staffplan.roster._diagnose import diagnose, precheck, uncovered_note
from staffplan.roster._greedy import greedy_hint
from staffplan.roster._instance import RosterInstance
from staffplan.roster._lp import lp_relaxation
from staffplan.roster._model import RosterModel, components
from staffplan.roster._solution import ROSTER_COLUMNS, RosterResult, coverage_frame, empty_roster

__all__ = ["solve"]

_STATUS: dict[Any, str] = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


class _Best:
    """Best solution of one component so far."""

    def __init__(self, rm: RosterModel, solver: cp_model.CpSolver, status: str) -> None:
        self.records = rm.read_shifts(solver)
        self.values = rm.values(solver)
        self.objective = float(solver.value(rm.objective))
        self.bound = math.nan
        self.status = status


def _improve(
    rm: RosterModel,
    first: _Best,
    budget_s: float,
    num_workers: int,
    random_seed: int,
    log: list[str],
    stages: list[float],
) -> _Best:
    """Steps 1-3 on one component within ``budget_s``."""
    deadline = time.perf_counter() + budget_s
    lexi = rm.inst.weights.lexicographic
    box = [first]

    def left() -> float:
        return deadline - time.perf_counter()

    def run(objective: Any, share: float) -> tuple[Any, cp_model.CpSolver]:
        rm.hint(box[0].values)
        rm.model.minimize(objective)
        solver = _solver(share, num_workers, random_seed, log)
        stages.append(solver.parameters.max_time_in_seconds)
        return solver.solve(rm.model), solver

    def keep(status: Any, solver: cp_model.CpSolver) -> bool:
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found and solver.value(rm.objective) <= box[0].objective:
            box[0] = _Best(rm, solver, _STATUS[status])
            return True
        return False

    if lexi or rm.has_bool_terms:
        # Step 1: coverage alone; step 2: full objective with coverage held at its optimum.
        status, solver = run(rm.coverage_cost, left() * (0.5 if lexi else 0.3))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if lexi:
                box[0] = _Best(rm, solver, "FEASIBLE")
            else:
                box[0].values = rm.values(solver)
        if status == cp_model.OPTIMAL and left() > 0.05:
            rm.set_coverage_cap(round(solver.objective_value))
            status, solver = run(rm.objective, left() if lexi else left() * 0.5)
            kept = keep(status, solver)
            rm.set_coverage_cap(None)
            if lexi:
                box[0].bound = solver.best_objective_bound if kept else math.nan
                box[0].status = _STATUS[status] if kept else "FEASIBLE"
                return box[0]
        elif lexi:
            box[0].status = "FEASIBLE"
            return box[0]
    # Step 3: the full objective, hinted with the best roster so far.
    status, solver = run(rm.objective, max(0.05, left()))
    kept = keep(status, solver)
    # The LP relaxation of the same model is a valid bound too; keep the better one.
    box[0].bound = max(solver.best_objective_bound, rm.lp_bound)
    if not kept:
        box[0].status = "FEASIBLE"
    return box[0]


def _solver(
    budget_s: float, num_workers: int, random_seed: int, log: list[str]
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, budget_s)
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = random_seed
    solver.parameters.log_search_progress = True
    solver.parameters.log_to_stdout = False
    solver.log_callback = log.append
    return solver


def _lp_bound(rm: RosterModel, lp: Any) -> float:
    """Lower bound from LP values: the objective is integer, so round up (less a tolerance)."""
    value = float(
        sum(
            c * lp[v]
            for v, c in zip(
                rm.model.proto.objective.vars, rm.model.proto.objective.coeffs, strict=True
            )
        )
    )
    return float(math.ceil(value - 1e-6 * max(1.0, abs(value))))


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


def solve(
    instance: RosterInstance,
    *,
    time_limit_s: float = defaults.TIME_LIMIT_S,
    num_workers: int = defaults.NUM_WORKERS,
    random_seed: int = defaults.SEED,
    hint: RosterResult | pd.DataFrame | None = None,
) -> RosterResult:
    """Roster ``instance``: design shifts, assign people, form teams.

    Parameters
    ----------
    instance : RosterInstance
        From :func:`make_instance`.
    time_limit_s : float
        Budget for all solver steps together [s] (``max_time_in_seconds`` of each step's
        ``solver.parameters`` is its share of what is left).
    num_workers : int
        CP-SAT search workers (``solver.parameters.num_workers``).
    random_seed : int
        ``solver.parameters.random_seed``.
    hint : RosterResult or DataFrame, optional
        A previous roster whose shift counts seed the search.

    Returns
    -------
    RosterResult
        ``ok`` is False when no roster exists (``reasons`` names the rules and days in
        conflict) or none was found in time.
    """
    if not isinstance(instance, RosterInstance):
        raise TypeError(
            f"instance must be a RosterInstance (see make_instance), got {type(instance).__name__}"
        )
    time_limit_s = float(check_positive(time_limit_s, "time_limit_s"))
    num_workers = check_int(num_workers, "num_workers", minimum=1)
    random_seed = check_int(random_seed, "random_seed", minimum=0)
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    params = {
        "max_time_in_seconds": time_limit_s,
        "num_workers": num_workers,
        "random_seed": random_seed,
    }
    reasons = precheck(instance)
    if reasons:
        return _failed(instance, "INFEASIBLE", reasons, t0, params)
    comps = components(instance)
    models = [RosterModel(instance, days=None if len(comps) == 1 else c) for c in comps]
    if hint is not None:
        for rm in models:
            _hint_from_roster(rm, hint.roster if isinstance(hint, RosterResult) else hint)
    log: list[str] = []
    stages: list[float] = []

    def left() -> float:
        return deadline - time.perf_counter()

    # Step 0: a first feasible roster, component by component.
    firsts: list[_Best] = []
    for i, rm in enumerate(models):
        if not rm.user_hinted:
            # The rounded LP is most of the first roster's quality: a fair share of the budget.
            lp = lp_relaxation(rm, time_limit_s=max(0.5, 0.25 * left() / (len(models) - i)))
            if lp is not None:
                rm.lp_bound = _lp_bound(rm, lp)
            rm.model.clear_hints()
            for var, val in greedy_hint(rm, lp).items():
                rm.model.add_hint(var, val)
        rm.model.minimize(rm.objective)
        share = left() * 0.5 / (len(models) - i)
        # Without presolve a feasible hint is accepted at once; with presolve when it is not.
        for presolve, budget in ((False, min(share, max(0.5, 0.1 * share))), (True, share)):
            solver = _solver(budget, num_workers, random_seed, log)
            solver.parameters.stop_after_first_solution = True
            solver.parameters.cp_model_presolve = presolve
            stages.append(solver.parameters.max_time_in_seconds)
            status = solver.solve(rm.model)
            if status != cp_model.UNKNOWN:
                break
        if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            why = diagnose(
                instance, time_limit_s=max(2.0, min(20.0, left())), random_seed=random_seed
            )
            return _failed(instance, _STATUS[status], why, t0, params, log="\n".join(log))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return _failed(
                instance,
                "UNKNOWN",
                [f"no roster found within time_limit_s={time_limit_s:g}; raise it"],
                t0,
                params,
                log="\n".join(log),
            )
        firsts.append(_Best(rm, solver, _STATUS[status]))
    first_s = time.perf_counter() - t0
    # Steps 1-3 per component, sharing what is left of the budget.
    # Budget in proportion to each part's requirement; small parts first, so that time they
    # leave unused (proven optimal early) goes to the larger ones.
    size = [1.0 + float(instance.required[rm.slots].sum()) for rm in models]
    order = sorted(range(len(models)), key=lambda j: size[j])
    bests = []
    for pos, j in enumerate(order):
        share = left() * size[j] / sum(size[q] for q in order[pos:])
        bests.append(_improve(models[j], firsts[j], share, num_workers, random_seed, log, stages))
    best_records = [r for b in bests for r in b.records]
    best_obj = float(sum(b.objective for b in bests))
    bound = float(sum(b.bound for b in bests))
    statuses = {b.status for b in bests}
    final_status = "OPTIMAL" if statuses == {"OPTIMAL"} else "FEASIBLE"
    rows, notes = assign_people(
        rm, best_records, {**params, "max_time_in_seconds": max(1.0, min(10.0, left()))}
    )
    notes += form_teams(instance, rows)
    roster = _frame(rows)
    coverage = coverage_frame(instance, roster)
    violations = check(instance, roster)
    notes += [f"check: {v}" for v in violations[:20]]
    if not instance.weights.hard_coverage:
        notes += uncovered_note(instance)
    wall = time.perf_counter() - t0
    gap = abs(best_obj - bound) / max(1.0, abs(best_obj)) if not math.isnan(bound) else math.nan
    if len(models) > 1:
        notes.append(f"solved as {len(models)} independent parts (days sharing no shift or rule)")
    return RosterResult(
        roster=roster,
        coverage=coverage,
        status=final_status,
        objective=float(best_obj),
        best_bound=float(bound),
        gap=float(gap),
        wall_time_s=wall,
        reasons=notes,
        first_solution_s=first_s,
        solver_parameters={**params, "stage_time_limits_s": stages},
        solver_log="\n".join(log),
    )


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return empty_roster()
    frame = pd.DataFrame(rows)
    cols = [*ROSTER_COLUMNS, "shift_type", "paid_h"]
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
