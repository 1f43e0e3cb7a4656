"""Tiny instances whose optimum is known by hand, and infeasible ones with their reasons."""

from __future__ import annotations

import pandas as pd
import pytest

from staffplan import roster

from ._helpers import DAY, LUNCH60, flat, solved


def test_one_interval() -> None:
    # One 60-min interval needing 3 agents, shifts of exactly 60 min: 3 shifts, no surplus.
    inst = flat([3], length_min=60)
    res = solved(inst)
    assert res.status == "OPTIMAL"
    assert len(res.roster) == 3
    assert res.coverage[["on_floor", "shortage", "surplus"]].iloc[0].tolist() == [3, 0, 0]
    assert res.objective == pytest.approx(3.0)  # paid_interval=1 x 3 agent-hours


def test_exact_fit() -> None:
    # [2,2,3,3,3,3,2,2] is 2 shifts at 08:00, 1 at 10:00, 2 at 12:00 of 4 h each: the paid time
    # (20 agent-hours) equals the requirement, so the optimum is 20 with nothing short or over.
    inst = flat([2, 2, 3, 3, 3, 3, 2, 2], length_min=240, window=("08:00", "16:00"))
    res = solved(inst)
    assert res.status == "OPTIMAL"
    assert res.objective == pytest.approx(20.0)
    assert res.coverage["shortage"].sum() == 0 and res.coverage["surplus"].sum() == 0
    starts = res.roster["start"].dt.strftime("%H:%M").value_counts().to_dict()
    assert starts == {"08:00": 2, "10:00": 1, "12:00": 2}


def test_empty_requirement_gives_empty_roster() -> None:
    res = solved(flat([0] * 8))
    assert res.roster.empty and res.objective == 0


def test_one_named_person() -> None:
    inst = flat([1] * 8, people=[roster.Person("ann")])
    res = solved(inst)
    assert res.roster["person"].tolist() == ["ann"]
    assert res.roster["start"].iloc[0] == pd.Timestamp(DAY)


def test_lunch_is_staggered_to_keep_the_floor_covered() -> None:
    # 8 h shifts from 08:00 only, a 60-min lunch starting 3-5 h in (3 possible slots), 5 agents
    # needed all day: x agents leave x - ceil(x/3) on the floor at the busiest lunch slot, so
    # x = 8 is the least that covers (7 - 3 = 4 < 5 <= 8 - 3).
    res = solved(flat([5] * 8, lunch=LUNCH60))
    agents = res.roster[res.roster["role"] == "agent"]
    assert len(agents) == 8
    assert res.coverage["shortage"].sum() == 0
    assert sorted(agents["lunch_start"].dt.hour.value_counts().tolist()) == [2, 3, 3]


def test_infeasible_rules_are_named_with_day() -> None:
    inst = flat(
        [2] * 8,
        weights=roster.Weights(hard_coverage=True),
        limits=roster.Limits(max_agents_per_day=1),
    )
    res = roster.solve(inst, time_limit_s=5, num_workers=1)
    assert not res.ok and res.status == "INFEASIBLE"
    text = " | ".join(res.reasons)
    assert "hard coverage" in text and "headcount cap (at most 1 agents a day)" in text
    assert "day 1 (Mon 2024-01-01)" in text
    assert res.roster.empty


def test_lunch_cap_conflict_names_the_cap() -> None:
    inst = flat(
        [1] * 8,
        lunch=LUNCH60,
        weights=roster.Weights(hard_coverage=True),
        limits=roster.Limits(max_off_floor=0),
    )
    res = roster.solve(inst, time_limit_s=5, num_workers=1)
    assert res.status == "INFEASIBLE"
    text = " | ".join(res.reasons)
    assert "off-floor cap" in text and "hard coverage" in text


def test_uncoverable_interval_is_reported_before_solving() -> None:
    # Shifts can only start at 08:00 and last 4 h; 14:00 needs an agent.
    inst = flat([1] * 8, length_min=240, weights=roster.Weights(hard_coverage=True))
    res = roster.solve(inst, time_limit_s=5, num_workers=1)
    assert res.status == "INFEASIBLE"
    assert "no allowed shift covers them, first 2024-01-01 12:00:00" in res.reasons[0]


def test_soft_coverage_reports_shortage_instead() -> None:
    res = solved(flat([1] * 8, length_min=240))
    assert res.coverage["shortage"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def test_lexicographic_never_trades_coverage_for_cost() -> None:
    # A 4 h shift costs 4 paid units; with shortage weight 1 and paid weight 5, the weighted
    # objective prefers no shift at all, the lexicographic one covers first.
    w = {"shortage": 1, "surplus": 0, "paid_interval": 5, "peak_boost": 0.0}
    weighted = solved(flat([1] * 4, length_min=240, weights=roster.Weights(**w)))
    lexi = solved(flat([1] * 4, length_min=240, weights=roster.Weights(**w, lexicographic=True)))
    assert weighted.roster.empty and weighted.coverage["shortage"].sum() == 4
    assert len(lexi.roster) == 1 and lexi.coverage["shortage"].sum() == 0


def test_lexicographic_with_leads_still_covers_first() -> None:
    # As above, with a lead for every 10 agents (no manager): covering first takes one agent
    # and one lead, 4 h each (hand-checked: paid 8 units x 5 = 40, nothing short).  The leads'
    # stage weighed coverage against cost and returned the empty roster, reported OPTIMAL
    # with a bound (20) above its own objective (4).
    w = {"shortage": 1, "surplus": 0, "paid_interval": 5, "peak_boost": 0.0}
    span = roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=None)
    inst = flat([1] * 4, length_min=240, span=span, weights=roster.Weights(**w, lexicographic=True))
    lexi = solved(inst)
    assert sorted(lexi.roster["role"]) == ["agent", "lead"]
    assert lexi.coverage["shortage"].sum() == 0
    assert lexi.objective == pytest.approx(40.0)
    assert lexi.best_bound <= lexi.objective


def test_night_shift_crosses_midnight() -> None:
    # Two days from Monday 00:00; 2 agents needed 22:00-06:00 Monday night, only 8 h night shifts
    # starting 22:00: exactly 2 shifts running into Tuesday, nothing short or over.
    req = [0] * 22 + [2] * 8 + [0] * 18
    night = roster.ShiftRules(
        name="night",
        earliest_start="22:00",
        latest_start="22:00",
        start_step_min=60,
        lengths_min=(480,),
        crosses_midnight=True,
    )
    inst = roster.make_instance(req, interval_min=60, shifts=night, lunch=None, span=None)
    res = solved(inst)
    assert len(res.roster) == 2
    assert (res.roster["end"] == pd.Timestamp("2024-01-02 06:00")).all()
    assert res.coverage["shortage"].sum() == 0 and res.coverage["surplus"].sum() == 0
    with pytest.raises(ValueError, match="crosses_midnight is False"):
        roster.ShiftRules(earliest_start="22:00", latest_start="22:00", lengths_min=(480,))


def test_shift_type_days() -> None:
    # Monday and Tuesday need one agent 08:00-16:00; the only type runs on Tuesdays.
    req = ([0] * 8 + [1] * 8 + [0] * 8) * 2
    tue = roster.ShiftRules(
        earliest_start="08:00",
        latest_start="08:00",
        start_step_min=60,
        lengths_min=(480,),
        days=("tue",),
    )
    inst = roster.make_instance(req, interval_min=60, shifts=tue, lunch=None, span=None)
    res = solved(inst)
    assert res.roster["start"].tolist() == [pd.Timestamp("2024-01-02 08:00")]
    assert res.coverage["shortage"].sum() == 8
    moved = res.roster.assign(start=res.roster["start"] - pd.Timedelta(days=1))
    moved["end"] = moved["end"] - pd.Timedelta(days=1)
    assert any("starting Mon 08:00 is not allowed" in p for p in roster.check(inst, moved))
