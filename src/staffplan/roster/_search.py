"""CP-SAT runs that give the same answer every time: a portfolio of single-worker searches.

CP-SAT's parallel search shares solutions between workers as they are found, so which
roster comes back depends on thread timing. Here each worker is a separate single-threaded
solve (deterministic given its model, hint, seed and *deterministic* time limit), the workers
run side by side in threads, and the best roster wins, ties going to the lowest worker. The
answer then depends only on the inputs, whatever the machine's load, as long as the
deterministic limit is reached before the wall-clock safety limit (the run says when not).

What it costs: workers do not share solutions or bounds during a run (CP-SAT's
``interleave_search`` does, deterministically, but was several times slower on rosters).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from staffplan import defaults
from staffplan._validation import check_int, check_positive
from staffplan.roster._instance import RosterInstance

__all__ = ["DET_PER_S", "Run", "check_args", "portfolio"]

#: Deterministic time units CP-SAT counts per wall-clock second of one worker, roughly
#: (measured on 2-core machines: 0.6-1.1 for roster models); budgets in seconds are turned into
#: deterministic limits with it, so that the same budget gives the same roster everywhere.
DET_PER_S = 0.8

_STATUS: dict[Any, str] = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


@dataclass
class Run:
    """Outcome of one portfolio run: the winning solver and what all workers proved."""

    status: str
    solver: cp_model.CpSolver | None
    bound: float
    wall_limited: bool
    used_s: float = 0.0

    @property
    def found(self) -> bool:
        """Whether a solution was found."""
        return self.status in ("OPTIMAL", "FEASIBLE")


def _params(
    solver: cp_model.CpSolver,
    i: int,
    budget_s: float,
    wall_s: float,
    seed: int,
    deterministic: bool,
) -> None:
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = seed + i
    p.relative_gap_limit = defaults.ROSTER_GAP
    if deterministic:
        p.max_deterministic_time = max(0.02, budget_s * DET_PER_S)
        p.max_time_in_seconds = max(0.05, wall_s)
    else:
        p.max_time_in_seconds = max(0.05, min(budget_s, wall_s))
    if i % 2:
        # A second view of the same model: LP cuts at every node instead of the root only.
        p.linearization_level = 2


def portfolio(
    model: cp_model.CpModel,
    *,
    budget_s: float,
    wall_s: float,
    num_workers: int,
    random_seed: int,
    deterministic: bool = True,
    log: list[str] | None = None,
    **params: Any,
) -> Run:
    """Solve ``model`` with ``num_workers`` single-worker searches side by side.

    Parameters
    ----------
    model : CpModel
        With its objective and hint set.
    budget_s : float
        Budget of each worker [s]; a deterministic limit of ``budget_s * DET_PER_S`` when
        ``deterministic``, a wall-clock limit otherwise.
    wall_s : float
        Wall-clock safety limit [s] (the caller's time left).
    num_workers : int
        Searches run in parallel (threads).
    random_seed : int
        Seed of worker 0; worker ``i`` uses ``random_seed + i``.
    deterministic : bool
        Limit by deterministic time (same answer every run) or by wall time.
    log : list of str, optional
        Receives the search log of the winning worker.
    **params
        Further ``solver.parameters`` for every worker (e.g. ``stop_after_first_solution``).
    """
    solvers = []
    logs: list[list[str]] = [[] for _ in range(num_workers)]
    for i in range(num_workers):
        s = cp_model.CpSolver()
        _params(s, i, budget_s, wall_s, random_seed, deterministic)
        for key, value in params.items():
            setattr(s.parameters, key, value)
        if log is not None:
            s.parameters.log_search_progress = True
            s.parameters.log_to_stdout = False
            s.log_callback = logs[i].append
        solvers.append(s)
    statuses: list[Any] = [cp_model.UNKNOWN] * num_workers

    def work(i: int) -> None:
        statuses[i] = solvers[i].solve(model)

    if num_workers == 1:
        work(0)
    else:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(num_workers)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    names = [_STATUS[s] for s in statuses]
    # Budget used, in the unit the budget was given in: deterministic time when deterministic,
    # so that what later steps get does not depend on the machine's load either.
    used = max(s.deterministic_time / DET_PER_S if deterministic else s.wall_time for s in solvers)
    for bad in ("MODEL_INVALID", "INFEASIBLE"):
        if bad in names:
            return Run(bad, solvers[names.index(bad)], float("nan"), False, used)
    found = [i for i, n in enumerate(names) if n in ("OPTIMAL", "FEASIBLE")]
    wall_limited = deterministic and any(
        s.deterministic_time < s.parameters.max_deterministic_time * 0.999
        and s.wall_time >= s.parameters.max_time_in_seconds * 0.99
        for s in solvers
    )
    if not found:
        return Run("UNKNOWN", None, float("nan"), wall_limited, used)
    best = min(found, key=lambda i: (solvers[i].objective_value, i))
    bound = max(solvers[i].best_objective_bound for i in found)
    status = "OPTIMAL" if "OPTIMAL" in names else "FEASIBLE"
    if log is not None:
        log.extend(logs[best])
    return Run(status, solvers[best], bound, wall_limited, used)


def check_args(
    instance: Any, time_limit_s: Any, num_workers: Any, random_seed: Any
) -> tuple[float, int, int]:
    """Validate the arguments every solving entry point takes; returns them typed."""
    if not isinstance(instance, RosterInstance):
        raise TypeError(
            f"instance must be a RosterInstance (see make_instance), got {type(instance).__name__}"
        )
    return (
        float(check_positive(time_limit_s, "time_limit_s")),
        check_int(num_workers, "num_workers", minimum=1),
        check_int(random_seed, "random_seed", minimum=0),
    )
