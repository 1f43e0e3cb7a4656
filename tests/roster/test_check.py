"""The independent checker catches each kind of broken roster (built by hand from a good one)."""

from __future__ import annotations

import pandas as pd
import pytest

from staffplan import roster

from ._helpers import LUNCH60, flat, solved

BREAK = roster.BreakRule(
    length_min=60, earliest_start_min=60, latest_start_min=120, min_shift_min=240, name="am"
)
H = pd.Timedelta(hours=1)


@pytest.fixture(scope="module")
def good() -> tuple[roster.RosterInstance, pd.DataFrame]:
    inst = flat(
        [3] * 8, lunch=LUNCH60, breaks=BREAK, span=roster.SpanOfControl(max_agents_per_lead=2)
    )
    return inst, solved(inst).roster


def _first(frame: pd.DataFrame, role: str = "agent") -> int:
    return int(frame.index[frame["role"] == role][0])


def test_good_roster_passes(good: tuple) -> None:
    inst, frame = good
    assert roster.check(inst, frame) == []


def test_lunch_outside_window(good: tuple) -> None:
    inst, frame = good
    bad = frame.copy()
    i = _first(bad)
    bad.loc[i, "lunch_start"] = bad.loc[i, "start"] + 6 * H  # 6 h in: after the window
    bad.loc[i, "lunch_end"] = bad.loc[i, "start"] + 7 * H
    assert any(
        "lunch starts 360 min into the shift; LunchRule allows 180-300" in p
        for p in roster.check(inst, bad)
    )


def test_missing_lunch_and_overlap(good: tuple) -> None:
    inst, frame = good
    bad = frame.copy()
    i = _first(bad)
    bad.loc[i, ["lunch_start", "lunch_end"]] = pd.NaT
    assert any("needs a lunch" in p for p in roster.check(inst, bad))
    bad = frame.copy()
    bad.at[i, "breaks"] = [(bad.loc[i, "lunch_start"], bad.loc[i, "lunch_end"])]
    problems = roster.check(inst, bad)
    assert any("lunch and break overlap" in p for p in problems)


def test_shift_not_allowed(good: tuple) -> None:
    inst, frame = good
    bad = frame.copy()
    i = _first(bad)
    bad.loc[i, "end"] = bad.loc[i, "end"] - H
    assert any(
        "a 420-min shift starting Mon 08:00 is not allowed" in p for p in roster.check(inst, bad)
    )


def test_team_too_big_and_team_without_lead(good: tuple) -> None:
    inst, frame = good
    bad = frame.copy()
    bad.loc[bad["role"] == "agent", "team"] = "X"
    problems = roster.check(inst, bad)
    n = int((bad["role"] == "agent").sum())
    assert n > 2
    assert f"team X on day 1: {n} agents, max 2" in problems
    assert any(p == "team X on day 1: 0 leads, needs exactly 1" for p in problems)


def test_manager_missing() -> None:
    inst = flat([3] * 8, span=roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=2))
    frame = solved(inst).roster
    assert (frame["role"] == "manager").sum() == 1
    problems = roster.check(inst, frame[frame["role"] != "manager"])
    assert any(
        p.startswith("manager on the floor: 3 agents on the floor (> 2) but no manager")
        and "(8 interval(s))" in p
        for p in problems
    )


def test_manager_at_lunch_is_not_on_the_floor() -> None:
    # 3 agents all day, a manager above 2: the manager's lunch leaves the floor without one.
    # By hand: the solver needs two managers with lunches apart (8 h shift, 1 h lunch).
    span = roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=2)
    inst = flat([3] * 8, lunch=LUNCH60, span=span)
    frame = solved(inst).roster
    managers = frame[frame["role"] == "manager"]
    assert len(managers) == 2 and managers["lunch_start"].nunique() == 2
    one = frame.drop(managers.index[1:])
    lunch = pd.Timestamp(managers["lunch_start"].iloc[0])
    problems = roster.check(inst, one)
    assert any(
        p.startswith("manager on the floor:") and f"at {lunch}" in p and "(1 interval(s))" in p
        for p in problems
    )


def test_people_contract_rules() -> None:
    inst = flat(
        [1] * 8,
        window=("08:00", "08:00"),
        people=[roster.Person("ann", max_days_week=5, min_rest_h=11, max_hours_week=6)],
    )
    start = pd.Timestamp("2024-01-01 08:00")
    frame = pd.DataFrame(
        {
            "person": ["ann", "bob"],
            "role": ["agent", "agent"],
            "team": ["", ""],
            "start": [start, start],
            "end": [start + 8 * H, start + 8 * H],
            "lunch_start": [pd.NaT, pd.NaT],
            "lunch_end": [pd.NaT, pd.NaT],
            "breaks": [[], []],
        }
    )
    problems = roster.check(inst, frame)
    assert "bob: not among the named people" in problems
    assert "ann: 8 h in the week from day 1, max 6" in problems
