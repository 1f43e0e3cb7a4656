"""A lower bound on the agent hours a requirement needs on the floor under given shift rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from staffplan.roster._instance import BreakRule, LunchRule, ShiftRules, Weights, make_instance
from staffplan.roster._solve import solve

__all__ = ["floor_bound"]


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

    An agents-only roster (no leads, no manager: dropping rules cannot raise the optimum)
    with the same shift types, lunch and break rules, hard coverage, minimising the surplus,
    which is the on-floor hours less the fixed requirement.  Any roster of the same rules
    without shortage has at least this many agent hours on the floor.

    Parameters
    ----------
    requirements : array-like or DataFrame
        As for :func:`staffplan.roster.make_instance` [agents per interval].
    interval_min : int
        Interval length [min].
    shifts, lunch, breaks, cyclic
        The rules the bound is for.
    time_limit_s : float
        Solver budget [s].
    num_workers : int
        CP-SAT workers.

    Returns
    -------
    hours : float
        On-floor agent hours of the best roster found [h]; a bound only when ``status`` is
        ``"OPTIMAL"`` (otherwise an upper estimate of it).
    status : str
        The solver's status.
    """
    inst = make_instance(
        requirements,
        interval_min=interval_min,
        shifts=shifts,
        lunch=lunch,
        breaks=breaks,
        span=None,
        cyclic=cyclic,
        weights=Weights(hard_coverage=True, surplus=1, paid_interval=0, peak_boost=0),
    )
    res = solve(inst, time_limit_s=time_limit_s, num_workers=num_workers)
    return float(res.coverage["on_floor"].sum()) * interval_min / 60, res.status
