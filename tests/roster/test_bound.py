"""``roster.lower_bound``: hand-checkable cases, and never above a roster the solver finds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from staffplan import roster

from ._helpers import LUNCH60, flat, solved
from .test_edges import _previous, _round_the_clock


def test_two_shifts_cover_six_hours_with_eight() -> None:
    # 1 agent 08:00-14:00; 4 h shifts start 08:00-10:00: at best 08-12 and 10-14, 8 h on floor.
    inst = flat([1] * 6, length_min=240, window=("08:00", "10:00"))
    b = roster.lower_bound(inst, time_limit_s=5)
    assert b.on_floor_h == 8.0 and b.optimal and b.status == "OPTIMAL"
    assert b.required_h == 6.0 and b.unreachable_h == 0.0


def test_lunch_stagger_needs_a_third_agent() -> None:
    # 2 agents 08:00-16:00 with 8 h shifts at 08:00 and a 1 h lunch at 11, 12 or 13: two
    # agents cannot both lunch, so three do, one per slot: 3 x 7 h = 21 h on the floor.
    inst = flat([2] * 8, lunch=LUNCH60)
    b = roster.lower_bound(inst, time_limit_s=5)
    assert b.on_floor_h == 21.0 and b.optimal
    res = solved(inst)
    assert res.coverage["on_floor"].sum() == 21


def test_floor_bound_from_rules_matches_the_instance_bound() -> None:
    # The same hand-checked lunch stagger through the rules-only entry point: 21 h.
    ds = pd.date_range("2024-01-01 08:00", periods=8, freq="60min")
    hours, status = roster.floor_bound(
        pd.DataFrame({"ds": ds, "required": 2.0}),
        interval_min=60,
        shifts=roster.ShiftRules(
            earliest_start="08:00", latest_start="08:00", start_step_min=60, lengths_min=(480,)
        ),
        lunch=LUNCH60,
        time_limit_s=5,
        num_workers=1,
    )
    assert (hours, status) == (21.0, "OPTIMAL")


def test_unreachable_intervals_are_set_apart() -> None:
    # The last two hours lie past the only shift (08:00-12:00): they are short in any roster.
    inst = flat([1] * 6, length_min=240, window=("08:00", "08:00"))
    b = roster.lower_bound(inst, time_limit_s=5)
    assert b.on_floor_h == 4.0 and b.unreachable_h == 2.0 and b.required_h == 4.0


def test_caps_that_forbid_full_coverage_give_no_bound() -> None:
    inst = flat([2] * 8, lunch=LUNCH60, limits=roster.Limits(max_agents_per_day=2))
    b = roster.lower_bound(inst, time_limit_s=5)
    assert b.status == "INFEASIBLE" and math.isnan(b.on_floor_h)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bound_never_exceeds_a_roster(seed: int) -> None:
    # Any roster with no shortage is a roster of the agents-only relaxation: its on-floor hours
    # are at least the bound; leads and a manager only add rules.
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=48, freq="30min")
    need = np.round(rng.uniform(2, 25, 48) * np.sin(np.linspace(0.2, 3.0, 48)) + 1)
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}),
        interval_min=30,
        shifts=roster.ShiftRules(
            earliest_start="00:00",
            latest_start="20:00",
            lengths_min=(240, 480),
            crosses_midnight=True,
        ),
        span=roster.SpanOfControl(),
    )
    b = roster.lower_bound(inst, time_limit_s=5)
    res = solved(inst, time_limit_s=10, num_workers=2)
    assert res.coverage["shortage"].sum() == 0
    floor_h = res.coverage["on_floor"].sum() * 0.5
    assert b.on_floor_h <= floor_h
    assert b.required_h <= b.on_floor_h


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="instance"):
        roster.lower_bound([1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="time_limit_s"):
        roster.lower_bound(flat([1]), time_limit_s=0)


DAY0 = pd.Timestamp("2024-01-01")  # a Monday


def test_a_short_break_counts_its_share() -> None:
    # 1 agent 08:00-12:00 on a 30-min grid, one 4 h shift at 08:00 with a 15-min break: one
    # agent is on the floor 7.5 of the 8 intervals, so two work and each takes half an
    # interval off: 2 x 4 h - 2 x 0.25 h = 7.5 h on the floor.
    ds = pd.date_range(DAY0 + pd.Timedelta(hours=8), periods=8, freq="30min")
    kw = {
        "interval_min": 30,
        "shifts": roster.ShiftRules("am", "08:00", "08:00", lengths_min=(240,)),
        "lunch": None,
        "breaks": roster.BreakRule(length_min=15),
    }
    need = pd.DataFrame({"ds": ds, "required": 1.0})
    inst = roster.make_instance(need, span=None, **kw)
    assert inst.floor_scale == 2
    b = roster.lower_bound(inst, time_limit_s=5)
    assert (b.on_floor_h, b.status) == (7.5, "OPTIMAL")
    assert roster.floor_bound(need, time_limit_s=5, num_workers=1, **kw) == (7.5, "OPTIMAL")


def test_the_previous_roster_counts_in_the_bound() -> None:
    # 2 agents every hour of a day, 8 h shifts at 06:00, 14:00 and 22:00 only; two shifts of
    # 22:00-06:00 carried in from the day before cover 00:00-06:00 (12 h, reached by no shift
    # of the day), then 2 x 8 h + 2 x 8 h + 2 x 2 h (22:00-24:00): 48 h on the floor.
    inst = _round_the_clock(previous_roster=_previous(2))
    b = roster.lower_bound(inst, time_limit_s=5)
    assert (b.on_floor_h, b.required_h, b.unreachable_h) == (48.0, 36.0, 12.0)
    res = solved(inst)
    assert res.coverage["on_floor"].sum() == 48


def test_a_split_shift_gap_reaches_no_interval() -> None:
    # One split shift type 08:00-19:00 off 12:00-14:00 (60-min grid): 1 agent needed 08-12
    # and 14-19 takes one split shift, 9 h on the floor.  Needing someone at 12:00 too, no
    # shift reaches it: lower_bound sets the hour apart, floor_bound has no roster.
    split = roster.ShiftRules(
        "split",
        "08:00",
        "08:00",
        start_step_min=60,
        lengths_min=(660,),
        split_after_min=240,
        split_gap_min=120,
    )
    kw = {"interval_min": 60, "shifts": split, "lunch": None}
    ds = pd.date_range(DAY0 + pd.Timedelta(hours=8), periods=11, freq="60min")
    open_ = np.array([1.0] * 4 + [0.0] * 2 + [1.0] * 5)
    need = pd.DataFrame({"ds": ds, "required": open_})
    b = roster.lower_bound(roster.make_instance(need, span=None, **kw), time_limit_s=5)
    assert (b.on_floor_h, b.status, b.unreachable_h) == (9.0, "OPTIMAL", 0.0)
    need.loc[4, "required"] = 1.0
    b = roster.lower_bound(roster.make_instance(need, span=None, **kw), time_limit_s=5)
    assert (b.on_floor_h, b.unreachable_h) == (9.0, 1.0)
    hours, status = roster.floor_bound(need, time_limit_s=5, num_workers=1, **kw)
    assert status == "INFEASIBLE" and math.isnan(hours)
