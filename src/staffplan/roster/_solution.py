"""Roster result: the roster and coverage frames plus solver facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from staffplan.roster._instance import RosterInstance

__all__ = ["COVERAGE_COLUMNS", "ROSTER_COLUMNS", "RosterResult", "coverage_frame", "empty_roster"]

ROSTER_COLUMNS = ("person", "role", "team", "start", "end", "lunch_start", "lunch_end", "breaks")
COVERAGE_COLUMNS = (
    "ds",
    "required",
    "on_floor",
    "off_lunch",
    "off_break",
    "leads_on_floor",
    "agents_per_lead",
    "shortage",
    "surplus",
)


@dataclass(frozen=True)
class RosterResult:
    """What :func:`staffplan.roster.solve` returns.

    Attributes
    ----------
    roster : DataFrame
        One row per person-shift: ``person``, ``role`` (agent/lead/manager), ``team``,
        ``start``, ``end``, ``lunch_start``, ``lunch_end`` (NaT without lunch), ``breaks`` (list
        of ``(start, end)`` pairs), plus ``shift_type`` and ``paid_h`` [h].
    coverage : DataFrame
        Per interval: ``ds``, ``required`` (rounded up), ``on_floor`` (agents working, not on
        lunch or break), ``off_lunch``, ``off_break`` (agents), ``leads_on_floor``,
        ``agents_per_lead`` (NaN without a lead on the floor), ``shortage``, ``surplus``;
        computed from the roster frame.
    status : str
        CP-SAT status of the final step: OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID.
    objective, best_bound : float
        Objective of the roster found and the solver's proven lower bound (NaN when none).
    gap : float
        ``(objective - best_bound) / max(1, |objective|)``.
    wall_time_s : float
        Total time of all solver steps [s].
    reasons : list of str
        Why there is no roster (rules and days in conflict) or what to know about this one.
    first_solution_s : float
        Time until the first feasible roster [s] (NaN when none).
    solver_parameters : dict
        ``max_time_in_seconds``, ``num_workers`` and ``random_seed`` as the final step's
        solver held them.
    solver_log : str
        The solver's log of the final step.
    """

    roster: pd.DataFrame
    coverage: pd.DataFrame
    status: str
    objective: float
    best_bound: float
    gap: float
    wall_time_s: float
    reasons: list[str] = field(default_factory=list)
    first_solution_s: float = float("nan")
    solver_parameters: dict[str, Any] = field(default_factory=dict)
    solver_log: str = ""

    @property
    def ok(self) -> bool:
        """True when a roster was found (optimal or feasible)."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    def __repr__(self) -> str:
        return (
            f"RosterResult(status={self.status}, objective={self.objective:g}, "
            f"best_bound={self.best_bound:g}, gap={self.gap:.4f}, people={self.roster['person'].nunique()}, "
            f"shortage={int(self.coverage['shortage'].sum())}, wall_time_s={self.wall_time_s:.2f})"
        )


def empty_roster() -> pd.DataFrame:
    """A roster frame with the contract columns and no rows."""
    return pd.DataFrame(
        {
            "person": pd.Series(dtype=object),
            "role": pd.Series(dtype=object),
            "team": pd.Series(dtype=object),
            "start": pd.Series(dtype="datetime64[ns]"),
            "end": pd.Series(dtype="datetime64[ns]"),
            "lunch_start": pd.Series(dtype="datetime64[ns]"),
            "lunch_end": pd.Series(dtype="datetime64[ns]"),
            "breaks": pd.Series(dtype=object),
        }
    )


def _slot_index(inst: RosterInstance, ts: Any) -> np.ndarray:
    delta = (pd.to_datetime(pd.Series(ts)) - inst.start) / pd.Timedelta(minutes=inst.interval_min)
    return delta.to_numpy(dtype=float)


def _add_spans(inst: RosterInstance, acc: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
    n = inst.n_intervals
    for a, b in zip(starts, ends, strict=True):
        if np.isnan(a):
            continue
        ts = np.arange(int(a), int(b))
        ts = ts % n if inst.cyclic else ts[(ts >= 0) & (ts < n)]
        np.add.at(acc, ts, 1)


def coverage_frame(inst: RosterInstance, roster: pd.DataFrame) -> pd.DataFrame:
    """Per-interval coverage computed from a roster frame (see :class:`RosterResult`)."""
    n = inst.n_intervals
    work = {r: np.zeros(n) for r in ("agent", "lead")}
    lunch = {r: np.zeros(n) for r in ("agent", "lead")}
    brk = {r: np.zeros(n) for r in ("agent", "lead")}
    for role in ("agent", "lead"):
        sub = roster[roster["role"] == role]
        if sub.empty:
            continue
        _add_spans(inst, work[role], _slot_index(inst, sub["start"]), _slot_index(inst, sub["end"]))
        _add_spans(
            inst,
            lunch[role],
            _slot_index(inst, sub["lunch_start"]),
            _slot_index(inst, sub["lunch_end"]),
        )
        pairs = [p for b in sub["breaks"] for p in b]
        if pairs:
            _add_spans(
                inst,
                brk[role],
                _slot_index(inst, [p[0] for p in pairs]),
                _slot_index(inst, [p[1] for p in pairs]),
            )
    on_floor = work["agent"] - lunch["agent"] - brk["agent"]
    leads = work["lead"] - lunch["lead"] - brk["lead"]
    req = inst.required.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):  # no lead on the floor -> NaN
        per_lead = np.where(leads > 0, on_floor / leads, np.nan)
    return pd.DataFrame(
        {
            "ds": inst.timestamps,
            "required": inst.required.astype(np.int64),
            "on_floor": on_floor.astype(np.int64),
            "off_lunch": lunch["agent"].astype(np.int64),
            "off_break": brk["agent"].astype(np.int64),
            "leads_on_floor": leads.astype(np.int64),
            "agents_per_lead": per_lead,
            "shortage": np.maximum(req - on_floor, 0).astype(np.int64),
            "surplus": np.maximum(on_floor - req, 0).astype(np.int64),
        }
    )
