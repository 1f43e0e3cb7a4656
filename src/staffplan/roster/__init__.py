"""Shift rostering with lunches, breaks, team leads and a manager (OR-Tools CP-SAT).

Collect the rules in a :class:`Rules` (``Rules.defaults(interval_min)``, ``Rules.from_dict``),
build a validated instance with :func:`make_instance` (or ``Rules.make_instance``), roster it
with :func:`solve`, verify any roster frame with :func:`check`.

Examples
--------
>>> from staffplan import roster
>>> inst = roster.make_instance(
...     [2, 2, 3, 3, 2, 2, 1, 1], interval_min=60, start="2024-01-01 08:00",
...     shifts=roster.ShiftRules(earliest_start="08:00", latest_start="12:00",
...                              start_step_min=60, lengths_min=(240,)),
...     lunch=None, span=None)
>>> res = roster.solve(inst, time_limit_s=5, num_workers=1)
>>> res.ok, int(res.coverage["shortage"].sum())
(True, 0)
>>> roster.check(inst, res.roster)
[]
"""

from staffplan.roster._bound import FloorBound, floor_bound, lower_bound
from staffplan.roster._check import check
from staffplan.roster._diagnose import diagnose
from staffplan.roster._hours import open_blocks, shifts_for_hours
from staffplan.roster._instance import (
    ROUND_TOL,
    BreakRule,
    Limits,
    LunchRule,
    Person,
    RosterInstance,
    ShiftRules,
    SpanOfControl,
    Weights,
    make_instance,
)
from staffplan.roster._model import RosterModel
from staffplan.roster._people import (
    PeopleResult,
    diagnose_people,
    people_metrics,
    roster_changes,
    solve_people,
)
from staffplan.roster._people_kinds import shift_kinds
from staffplan.roster._people_model import PeopleWeights
from staffplan.roster._rules import Rules
from staffplan.roster._skills import group_coverage
from staffplan.roster._solution import RosterResult, coverage_frame
from staffplan.roster._solve import solve

__all__ = [
    "ROUND_TOL",
    "BreakRule",
    "FloorBound",
    "Limits",
    "LunchRule",
    "PeopleResult",
    "PeopleWeights",
    "Person",
    "RosterInstance",
    "RosterModel",
    "RosterResult",
    "Rules",
    "ShiftRules",
    "SpanOfControl",
    "Weights",
    "check",
    "coverage_frame",
    "diagnose",
    "diagnose_people",
    "floor_bound",
    "group_coverage",
    "lower_bound",
    "make_instance",
    "open_blocks",
    "people_metrics",
    "roster_changes",
    "shift_kinds",
    "shifts_for_hours",
    "solve",
    "solve_people",
]
