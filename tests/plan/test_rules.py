"""``roster.Rules``: one typed home for the roster rules, through every round trip."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from _plan_testdata import FAST, RULES, START, synthetic_history

import staffplan
from staffplan import defaults, erlang, roster
from staffplan.plan import Plan, Scenario, ServiceTarget, requirements_frame, what_if


def test_defaults_follow_the_grid_and_quote_the_defaults_module():
    fine, half, hourly = (roster.Rules.defaults(m) for m in (15, 30, 60))
    # The 15-min break on every grid (a share of a coarser interval); lunch in whole intervals.
    for rules in (fine, half, hourly):
        assert [b.length_min for b in rules.breaks] == [defaults.BREAK_MIN]
    assert (fine.lunch.length_min, half.lunch.length_min, hourly.lunch.length_min) == (30, 30, 60)
    for rules in (fine, half, hourly):
        assert rules.shifts is None  # fitted to the opening hours
        assert rules.fit_lengths_min == defaults.SHIFT_LENGTHS_MIN
        assert rules.span == roster.SpanOfControl()
        rules.check(60 if rules is hourly else 15 if rules is fine else 30)


def test_from_dict_to_dict_round_trip_through_json_keeps_shifts_not_given():
    given = roster.Rules.from_dict(
        {
            "lunch": {"length_min": 45, "earliest_start_min": 180, "latest_start_min": 300},
            "span": None,
            "limits": {"max_agents_per_day": 12},
            "fit_lengths_min": [480, 360],
            "fit_names": ["long", "short"],
        },
        interval_min=15,
    )
    back = roster.Rules.from_dict(json.loads(json.dumps(given.to_dict())), interval_min=15)
    assert back == given
    assert back.shifts is None and back.span is None and back.lunch.length_min == 45
    assert back.breaks == roster.Rules.defaults(15).breaks  # missing keys take the defaults
    explicit = roster.Rules.from_dict(RULES, interval_min=30)
    assert roster.Rules.from_dict(json.loads(json.dumps(explicit.to_dict()))) == explicit
    assert [s.name for s in explicit.shifts] == ["day", "part"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"shift": []}, "unknown key(s) ['shift']"),
        ({"lunch": {"lenght_min": 30}}, "rules['lunch'] has unknown field(s) ['lenght_min']"),
        ({"shifts": []}, "shifts must hold at least one ShiftRules, or be None"),
        ({"lunch": 30}, "rules['lunch'] must be a LunchRule or a dict, got int"),
    ],
)
def test_bad_rules_name_the_key(data, message):
    with pytest.raises((ValueError, TypeError)) as info:
        roster.Rules.from_dict(data)
    assert message in str(info.value)


def test_rules_are_frozen_and_typed():
    rules = roster.Rules.defaults(30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.lunch = None  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"use Rules\.from_dict"):
        roster.Rules(lunch={"length_min": 30})  # type: ignore[arg-type]


def test_check_finds_a_rule_the_grid_cannot_hold():
    # A 30-min lunch on a 60-min grid is refused before any solve, naming the rule.
    rules = roster.Rules.from_dict({"lunch": {"length_min": 30}}, interval_min=60)
    with pytest.raises(ValueError, match="LunchRule: length_min must be a multiple"):
        rules.check(60)


def test_fitted_shifts_follow_the_requirement():
    ds = pd.date_range("2024-01-01", periods=48, freq="30min")
    need = [0] * 16 + [5] * 26 + [0] * 6  # 08:00-21:00
    fitted = roster.Rules.defaults(30).fitted(ds, need, interval_min=30)
    # Hand-checkable: 8 h from 08:00 must start by 13:00, 4 h by 17:00.
    assert [(s.name, s.earliest_start, s.latest_start) for s in fitted.shifts] == [
        ("day", 480, 780),
        ("part", 480, 1020),
    ]


def test_a_dict_and_rules_give_the_same_plan():
    history = synthetic_history(weeks=4)
    kwargs = dict(horizon="1D", start=START, simulate=False, **FAST)
    from_dict = staffplan.plan(history, rules=RULES, **kwargs)
    from_rules = staffplan.plan(history, rules=roster.Rules.from_dict(RULES), **kwargs)
    assert from_dict.settings["rules"] == from_rules.settings["rules"]
    pd.testing.assert_frame_equal(from_dict.requirements, from_rules.requirements)


def _night_centre(weeks: int = 4) -> pd.DataFrame:
    # Open 18:00-06:00: shifts must be fitted across midnight.
    rng = np.random.default_rng(7)
    ds = pd.date_range("2024-01-01", periods=weeks * 7 * 48, freq="30min")
    ds = ds[(ds.hour >= 18) | (ds.hour < 6)]
    return pd.DataFrame(
        {"ds": ds, "volume": rng.poisson(20, len(ds)).astype(float), "aht_s": 300.0}
    )


def test_shifts_not_given_survive_save_load_and_a_rerostering_scenario(tmp_path):
    history = _night_centre()
    p = staffplan.plan(history, horizon="1D", simulate=False, **FAST)
    assert p.settings["rules"]["shifts"] is None
    used = p.settings["roster_shifts"]
    assert any(s["crosses_midnight"] for s in used)
    loaded = Plan.load(p.save(tmp_path / "night"))
    assert loaded.settings["rules"] == p.settings["rules"]
    assert loaded.rules == p.rules and loaded.rules.shifts is None
    # A re-rostered scenario with a shorter evening (less volume before 21:00) refits the
    # shift types to its own requirement instead of re-using the base plan's.
    sc = Scenario("quiet evenings", volume_factor=0.0, window={"time": ("18:00", "21:00")})
    changed = what_if(loaded, dataclasses.replace(sc, reroster=True))
    assert changed.settings["rules"]["shifts"] is None

    def evening_starts(shifts):
        return {s["earliest_start"] for s in shifts if "after midnight" not in s["name"]}

    assert evening_starts(used) == {18 * 60}
    assert evening_starts(changed.settings["roster_shifts"]) == {21 * 60}  # opens at 21:00
    assert changed.coverage["shortage"].sum() == 0


def test_same_load_gives_the_same_scheduled_agents_through_erlang_and_plan():
    # The five loads: rounding twice gave 25/42/56/12/86, rounding once 25/41/55/11/85.
    volume = np.array([60.0, 110.0, 150.0, 21.0, 240.0])
    aht = 300.0
    service = ServiceTarget(shrinkage=0.3)
    reqs = requirements_frame(
        pd.date_range("2024-01-01 08:00", periods=5, freq="30min"),
        volume,
        np.full(5, aht),
        service=service,
        interval_min=30,
    )
    direct = erlang.required_agents(
        volume,
        aht,
        interval_min=30,
        service_level=service.service_level,
        target_answer_s=service.target_answer_s,
        max_occupancy=service.max_occupancy,
        shrinkage=service.shrinkage,
    )
    assert reqs["scheduled_int"].tolist() == direct.tolist()
    # Rounded once from the fractional level, never above the double-rounded count.
    double = np.ceil(reqs["agents"].to_numpy() / 0.7 - 1e-9)
    assert (direct <= double).all()
    assert (direct == np.ceil(reqs["agents_frac"].to_numpy() / 0.7 - defaults.ROUND_TOL)).all()


def test_python_plan_checks_the_rules_before_the_forecast():
    # An impossible lunch is named before any forecasting (an unknown forecast method
    # would fail later, so the rules error proves the order).
    history = synthetic_history(weeks=4)
    bad = {"lunch": {"length_min": 30, "earliest_start_min": 600, "latest_start_min": 700}}
    with pytest.raises(ValueError, match="LunchRule"):
        staffplan.plan(history, horizon="1D", rules=bad, forecast_method="no such method")
