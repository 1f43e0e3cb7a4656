"""The re-plan's small CP-SAT model on tiny rosters whose best change is known by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import roster
from staffplan.plan._replan import _apply, _solve_changes
from staffplan.roster._solution import coverage_frame

DAY = pd.Timestamp("2024-01-01")
LUNCH = roster.LunchRule(
    length_min=60,
    earliest_start_min=180,
    latest_start_min=300,
    min_work_before_min=60,
    min_work_after_min=60,
    min_shift_min=360,
)


def shift(person, start_h, end_h, lunch_h=None, breaks=()):
    start, end = DAY + pd.Timedelta(hours=start_h), DAY + pd.Timedelta(hours=end_h)
    lunch = (DAY + pd.Timedelta(hours=lunch_h)) if lunch_h is not None else pd.NaT
    return {
        "person": person,
        "role": "agent",
        "team": "T1",
        "start": start,
        "end": end,
        "lunch_start": lunch,
        "lunch_end": lunch + pd.Timedelta(hours=1) if lunch_h is not None else pd.NaT,
        "breaks": [
            (DAY + pd.Timedelta(minutes=a), DAY + pd.Timedelta(minutes=b)) for a, b in breaks
        ],
        "paid_h": end_h - start_h - (1 if lunch_h is not None else 0),
    }


def run(required, rows, now_h, *, lunch=None, breaks=(), interval_min=60, max_ot=2, max_vto=4):
    shifts = roster.ShiftRules(
        earliest_start="00:00",
        latest_start="23:00",
        start_step_min=60,
        lengths_min=(60,),
        crosses_midnight=True,
    )
    inst = roster.make_instance(
        required,
        interval_min=interval_min,
        start=DAY,
        shifts=shifts,
        lunch=None,
        breaks=(),
        span=None,
    )
    rules = roster.Rules(lunch=lunch, breaks=tuple(breaks), span=None)
    frame = pd.DataFrame(rows)
    cov = coverage_frame(inst, frame)
    now = DAY + pd.Timedelta(hours=now_h)
    window = np.asarray(inst.timestamps >= now)
    picked, status, _ = _solve_changes(
        inst,
        frame,
        cov,
        rules,
        now,
        window,
        max_ot=max_ot,
        max_vto=max_vto,
        change_cost=2.0,
        shortage_cost=100.0,
        time_limit_s=10.0,
        seed=0,
    )
    assert status == "OPTIMAL"
    new, changes = _apply(frame, picked)
    return inst, frame, new, changes


def need(hours: dict[tuple[int, int], int], n_hours: int = 24) -> list[int]:
    out = [0] * n_hours
    for (a, b), k in hours.items():
        for h in range(a, b):
            out[h] = k
    return out


def test_a_short_afternoon_gets_exactly_the_overtime_it_needs():
    # One agent 08-12, one agent needed 08-13: one hour of overtime (cost 1 + change 2)
    # beats an hour short (cost 100); a second hour would only add pay.
    _, old, new, changes = run(need({(8, 13): 1}), [shift("A", 8, 12)], 10)
    assert list(changes["change"]) == ["overtime"]
    assert changes["to_end"].iloc[0] == DAY + pd.Timedelta(hours=13)
    assert changes["paid_min"].iloc[0] == 60
    assert new["paid_h"].iloc[0] == pytest.approx(old["paid_h"].iloc[0] + 1)
    assert new["start"].iloc[0] == old["start"].iloc[0]


def test_overtime_is_capped():
    _, _, _, changes = run(need({(8, 18): 1}), [shift("A", 8, 12)], 10, max_ot=2)
    assert changes["to_end"].iloc[0] == DAY + pd.Timedelta(hours=14)


def test_an_idle_afternoon_sends_the_agent_home_at_now_at_the_earliest():
    # Needed until 10:00, at work until 13:00, now 10:00: leaving at 10:00 saves three
    # paid hours (3) for one change (2).  Leaving before now is impossible.
    _, _, _, changes = run(need({(8, 10): 1}), [shift("A", 8, 13)], 10)
    assert list(changes["change"]) == ["early_leave"]
    assert changes["to_end"].iloc[0] == DAY + pd.Timedelta(hours=10)
    assert changes["paid_min"].iloc[0] == -180


def test_a_saving_smaller_than_a_change_is_not_proposed():
    # Idle only in the last hour: leaving saves 1 < 2 (the change): no change.
    _, _, _, changes = run(need({(8, 12): 1}), [shift("A", 8, 13)], 10)
    assert changes.empty


def test_a_lunch_not_yet_taken_moves_off_the_peak_and_a_started_one_stays():
    # Agent A: 08-16, lunch 11-12 (window 11:00-13:00 from the rule).  Needed all day
    # except 12-13: the lunch moves to 12:00 (13:00 would leave 13-14 short).  Agent B
    # (06-11) took lunch at 09:00, before now: it stays.
    req = need({(8, 12): 1, (13, 16): 1})
    rows = [shift("A", 8, 16, lunch_h=11), shift("B", 6, 11, lunch_h=9)]
    _, old, new, changes = run(req, rows, 10, lunch=LUNCH, max_ot=0, max_vto=0)
    assert list(changes["change"]) == ["move_lunch"]
    assert changes["person"].iloc[0] == "A"
    assert new.loc[0, "lunch_start"] == DAY + pd.Timedelta(hours=12)
    assert new.loc[1, ["lunch_start", "lunch_end"]].equals(old.loc[1, ["lunch_start", "lunch_end"]])


def test_a_night_shift_is_extended_across_midnight():
    # 24/7, 60-min grid over two days: a night agent 20:00-04:00 and demand until 06:00.
    req = need({(20, 24): 1}, 24) + need({(0, 6): 1}, 24)
    _, _, new, changes = run(req, [shift("N", 20, 28)], 22)
    assert list(changes["change"]) == ["overtime"]
    assert new["end"].iloc[0] == DAY + pd.Timedelta(hours=30)


def test_15_min_grid_and_a_break_share():
    # 15-min grid: A's 15-min break at 10:00 leaves the 10:00-11:00 need of two short;
    # B (10-12) covers 11:00-12:00 alone, so the break moves into 11:00-11:45.
    req = [0] * 32 + [1] * 8 + [2] * 4 + [1] * 20 + [0] * 32
    brk = roster.BreakRule(length_min=15, earliest_start_min=60, latest_start_min=240)
    rows = [shift("A", 8, 16, breaks=[(600, 615)]), shift("B", 10, 12)]
    _, _, new, changes = run(req, rows, 9, breaks=[brk], interval_min=15, max_ot=0, max_vto=0)
    assert list(changes["change"]) == ["move_break"]
    moved = changes["to_start"].iloc[0]
    assert DAY + pd.Timedelta(hours=11) <= moved <= DAY + pd.Timedelta(hours=11, minutes=45)
    assert new.loc[0, "breaks"] == [(moved, moved + pd.Timedelta(minutes=15))]
