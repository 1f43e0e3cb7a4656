"""``roster.lower_bound``: hand-checkable cases, and never above a roster the solver finds."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from staffplan import roster

from ._helpers import LUNCH60, flat, solved


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
