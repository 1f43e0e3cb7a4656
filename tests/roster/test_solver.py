"""Solver settings reach CP-SAT; hints; named people with contract rules."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from staffplan import defaults, roster

from ._helpers import LUNCH60, flat, solved

MON = pd.Timestamp("2024-01-01 06:00")


@pytest.mark.parametrize(("workers", "seed"), [(1, 1234), (2, 7)])
def test_parameters_reach_the_solver(workers: int, seed: int) -> None:
    inst = flat([2, 2, 3, 3, 3, 3, 2, 2], length_min=240, window=("08:00", "16:00"))
    res = solved(inst, time_limit_s=3.0, num_workers=workers, random_seed=seed)
    # The winning search of each step logs the parameters it ran with: one single-worker
    # search per worker, seeded seed, seed + 1, ..., limited by deterministic time.
    lines = [ln for ln in res.solver_log.splitlines() if ln.startswith("Parameters:")]
    assert lines
    for ln in lines:
        assert "num_workers: 1" in ln
        used = int(re.search(r"random_seed: (\d+)", ln).group(1))
        assert seed <= used < seed + workers
        limit = float(re.search(r"max_time_in_seconds: ([0-9.e-]+)", ln).group(1))
        assert 0 < limit <= 3.0
        assert float(re.search(r"max_deterministic_time: ([0-9.e-]+)", ln).group(1)) > 0
        gap = float(re.search(r"relative_gap_limit: ([0-9.e-]+)", ln).group(1))
        assert gap == pytest.approx(defaults.ROSTER_GAP)
    # Each step's budget is a share of the one time limit; together they stay inside it.
    budgets = res.solver_parameters["stage_budgets_s"]
    assert len(budgets) == len(lines) and 0 < sum(budgets) <= 3.0
    assert res.solver_parameters["num_workers"] == workers


@pytest.mark.parametrize("bad", [{"time_limit_s": 0}, {"num_workers": 0}, {"random_seed": -1}])
def test_bad_solver_arguments(bad: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        roster.solve(flat([1]), **bad)


def test_hint_from_previous_roster_is_accepted() -> None:
    inst = flat([2, 2, 3, 3, 3, 3, 2, 2], length_min=240, window=("08:00", "16:00"))
    first = solved(inst)
    again = solved(inst, hint=first)
    assert again.objective == first.objective


def _two_days(people: list[roster.Person] | None) -> roster.RosterInstance:
    # Mon 14:00-22:00 and Tue 06:00-14:00 need one agent; only 8 h shifts at 06:00 or 14:00.
    ds = pd.date_range(MON, periods=40, freq="60min")
    need = ((ds >= MON + pd.Timedelta(hours=8)) & (ds < MON + pd.Timedelta(hours=16))) | (
        (ds >= MON + pd.Timedelta(hours=24)) & (ds < MON + pd.Timedelta(hours=32))
    )
    return roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need.astype(float)}),
        interval_min=60,
        shifts=roster.ShiftRules(
            earliest_start="06:00", latest_start="14:00", start_step_min=480, lengths_min=(480,)
        ),
        lunch=None,
        span=None,
        people=people,
    )


def test_rest_rule_splits_shifts_between_people() -> None:
    # 22:00 -> 06:00 is 8 h of rest, less than 11 h: two different people.
    res = solved(_two_days([roster.Person("ann"), roster.Person("bob")]))
    assert res.roster["person"].nunique() == 2
    anon = solved(_two_days(None))
    assert anon.roster["person"].nunique() == 2


def test_availability_and_locked_shifts() -> None:
    tue = MON + pd.Timedelta(days=1)
    people = [
        roster.Person("ann", locked=[(tue, tue + pd.Timedelta(hours=8))]),
        roster.Person("bob", availability=[(MON, MON + pd.Timedelta(hours=18))]),
    ]
    res = solved(_two_days(people))
    rows = {(r.person, r.start) for r in res.roster.itertuples()}
    assert rows == {("ann", tue), ("bob", MON + pd.Timedelta(hours=8))}


def test_not_enough_people_leaves_shortage_and_says_so() -> None:
    # One person may work one day a week: the other day stays short.
    res = solved(_two_days([roster.Person("ann", max_days_week=1)]))
    assert len(res.roster) == 1
    assert res.coverage["shortage"].sum() == 8
    assert np.isfinite(res.objective)


def test_preferred_start_is_honoured_when_free() -> None:
    people = [
        roster.Person("ann", preferred_start="14:00", max_days_week=2),
        roster.Person("bob", preferred_start="06:00", max_days_week=2),
    ]
    res = solved(_two_days(people))
    by_person = {r.person: r.start.hour for r in res.roster.itertuples()}
    assert by_person == {"ann": 14, "bob": 6}


def test_team_lunch_share_is_reported() -> None:
    span = roster.SpanOfControl(
        max_agents_per_lead=3, manager_above_agents=None, team_lunch_share=0.7
    )
    res = solved(flat([4] * 8, lunch=LUNCH60, span=span))
    notes = [r for r in res.reasons if r.startswith("team lunch: ")]
    assert len(notes) == 1 and "at least 70% of their agents lunching in the same slot" in notes[0]
