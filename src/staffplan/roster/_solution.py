"""Roster result: the roster and coverage frames plus solver facts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from staffplan.intervals import elapsed_hours
from staffplan.roster._instance import RosterInstance

__all__ = [
    "COVERAGE_COLUMNS",
    "ROSTER_COLUMNS",
    "RosterResult",
    "add_shares",
    "coverage_frame",
    "empty_roster",
    "paid_h",
    "tally",
    "with_carried_in",
]

ROSTER_COLUMNS = ("person", "role", "team", "start", "end", "lunch_start", "lunch_end", "breaks")
COVERAGE_COLUMNS = (
    "ds",
    "required",
    "on_floor",
    "off_lunch",
    "off_break",
    "leads_on_floor",
    "managers_on_floor",
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
        of ``(start, end)`` pairs), plus ``shift_type`` and ``paid_h`` [h].  Times are
        wall-clock; ``paid_h`` is elapsed time less an unpaid lunch or split gap (:func:`paid_h`:
        a 19:00-03:00 shift over the night the clocks go back is 9 h long).
    coverage : DataFrame
        Per interval: ``ds``, ``required`` (rounded up), ``on_floor`` (agents working, not on
        lunch or break), ``off_lunch``, ``off_break`` (agents), ``leads_on_floor``,
        ``managers_on_floor``, ``agents_per_lead`` (NaN without a lead on the floor),
        ``shortage``, ``surplus``; computed from the roster frame plus any shifts carried in
        from the previous roster.  A break shorter than the interval counts as the share of
        the interval it lasts (a 15-min break on a 30-min grid: 0.5 off the floor), and the
        counts are then floats.
    status : str
        CP-SAT status of the final step: OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN or MODEL_INVALID.
    objective, best_bound : float
        Objective of the roster found and the solver's proven lower bound (NaN when none),
        in the model's units (``floor_scale`` times the weights' formula, see ``Weights``).
    gap : float
        ``(objective - best_bound) / max(1, |objective|)``.
    wall_time_s : float
        Total time of all solver steps [s].
    reasons : list of str
        Why there is no roster (rules and days in conflict) or what to know about this one.
    first_solution_s : float
        Time until every part had a first feasible roster [s], whole-day branch-and-cut runs
        included (NaN when none).
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
            f"shortage={self.coverage['shortage'].sum():g}, wall_time_s={self.wall_time_s:.2f})"
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


_ROLES = ("agent", "lead", "manager")


def paid_h(
    inst: RosterInstance, start: Any, end: Any, unpaid_start: Any, unpaid_end: Any
) -> np.ndarray:
    """Paid hours of shifts [h]: elapsed time at work less the unpaid piece (NaT: none).

    Elapsed in the instance's time zone (:func:`staffplan.intervals.elapsed_hours`): a
    shift 19:00-03:00 with an unpaid 30-min lunch is paid 8.5 h over the night the clocks go
    back one hour, 6.5 h over the night they go forward, 7.5 h otherwise.  The unpaid piece
    is an unpaid lunch or the gap of a split shift.
    """
    worked = elapsed_hours(start, end, tz=inst.tz)
    unpaid = elapsed_hours(unpaid_start, unpaid_end, tz=inst.tz)
    return worked - np.nan_to_num(unpaid, nan=0.0)


def _minutes_from_start(inst: RosterInstance, ts: Any) -> np.ndarray:
    """Minutes after the horizon start of each timestamp (NaN for NaT)."""
    ser = ts if isinstance(ts, pd.Series) else pd.Series(list(ts), dtype=object)
    delta = pd.to_datetime(ser) - inst.start
    return (delta / pd.Timedelta(minutes=1)).to_numpy(dtype=float)


def add_shares(
    inst: RosterInstance, acc: np.ndarray, a_min: Any, b_min: Any, *, whole: bool = False
) -> None:
    """Add to ``acc`` the share of each interval that the pieces ``[a, b)`` cover.

    ``a_min``, ``b_min`` are minutes after the horizon start; a piece shorter than an interval
    (a 15-min break on a 30-min grid) adds its fraction, or 1 with ``whole``.  Pieces wrap
    when the instance is cyclic and are clipped to the horizon otherwise; NaN pieces are
    skipped.
    """
    iv = inst.interval_min
    n = inst.n_intervals
    for a, b in zip(np.asarray(a_min, float), np.asarray(b_min, float), strict=True):
        if not (np.isfinite(a) and np.isfinite(b)) or b <= a:
            continue
        slots = np.arange(math.floor(a / iv), math.ceil(b / iv))
        share = (np.minimum((slots + 1) * iv, b) - np.maximum(slots * iv, a)) / iv
        if whole:
            share = np.ones_like(share)
        if inst.cyclic:
            slots = slots % n
        else:
            keep = (slots >= 0) & (slots < n)
            slots, share = slots[keep], share[keep]
        np.add.at(acc, slots, share)


def tally(inst: RosterInstance, roster: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """People at work, at lunch and on a break per interval and role [people, fractional].

    Returns ``{"work": {role: array}, "lunch": {...}, "break": {...}, "floor": {...}}`` with
    ``floor = work - lunch - break``.  A manager on a break of part of an interval is
    off the floor (and counted on a break) for all of it.
    """
    n = inst.n_intervals
    out: dict[str, dict[str, np.ndarray]] = {
        k: {r: np.zeros(n) for r in _ROLES} for k in ("work", "lunch", "break")
    }
    for role in _ROLES:
        sub = roster[roster["role"] == role]
        if sub.empty:
            continue
        add_shares(
            inst,
            out["work"][role],
            _minutes_from_start(inst, sub["start"]),
            _minutes_from_start(inst, sub["end"]),
        )
        add_shares(
            inst,
            out["lunch"][role],
            _minutes_from_start(inst, sub["lunch_start"]),
            _minutes_from_start(inst, sub["lunch_end"]),
            whole=role == "manager",
        )
        pairs = [p for b in sub["breaks"] if isinstance(b, (list, tuple)) for p in b]
        if pairs:
            add_shares(
                inst,
                out["break"][role],
                _minutes_from_start(inst, [p[0] for p in pairs]),
                _minutes_from_start(inst, [p[1] for p in pairs]),
                whole=role == "manager",
            )
    out["floor"] = {r: out["work"][r] - out["lunch"][r] - out["break"][r] for r in _ROLES}
    return out


def with_carried_in(inst: RosterInstance, roster: pd.DataFrame) -> pd.DataFrame:
    """``roster`` plus the previous roster's shifts that run into the horizon."""
    if inst.carried_in is None or inst.carried_in.empty:
        return roster
    return pd.concat([roster[list(inst.carried_in.columns)], inst.carried_in], ignore_index=True)


def coverage_frame(inst: RosterInstance, roster: pd.DataFrame) -> pd.DataFrame:
    """Per-interval coverage computed from a roster frame (see :class:`RosterResult`).

    Shifts carried in from a previous roster (``make_instance(previous_roster=...)``) count.
    Counts are whole numbers unless a break is shorter than its interval, when on-floor,
    break, lead and manager columns carry the fraction of the interval people are away
    (float columns).
    """
    c = tally(inst, with_carried_in(inst, roster))
    on_floor = c["floor"]["agent"]
    leads = c["floor"]["lead"]
    req = inst.required.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):  # no lead on the floor -> NaN
        per_lead = np.where(leads > 0, on_floor / leads, np.nan)
    # Shares of intervals are sums of fractions with small denominators: round off noise.
    dtype: Any = np.int64 if inst.floor_scale == 1 else float

    def col(v: np.ndarray) -> np.ndarray:
        return np.round(v, 9).astype(dtype)

    return pd.DataFrame(
        {
            "ds": inst.timestamps,
            "required": inst.required.astype(np.int64),
            "on_floor": col(on_floor),
            "off_lunch": col(c["lunch"]["agent"]),
            "off_break": col(c["break"]["agent"]),
            "leads_on_floor": col(leads),
            "managers_on_floor": col(c["floor"]["manager"]),
            "agents_per_lead": per_lead,
            "shortage": col(np.maximum(req - on_floor, 0)),
            "surplus": col(np.maximum(on_floor - req, 0)),
        }
    )
