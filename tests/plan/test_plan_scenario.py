"""What-if scenarios: the fast path, windows, budgets, re-rostering and compare().

Outside references: the Erlang core called directly on the hand-scaled load
(``erlang.required_agents`` on 1.4 x volume), and hand arithmetic for traffic,
minutes of handle time and contacts added.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from staffplan import erlang
from staffplan.plan import Scenario, Window, compare, requirement_change, what_if


def _erlang_need(volume, aht_s, service):
    return np.asarray(
        erlang.required_agents(
            np.asarray(volume, float),
            np.asarray(aht_s, float),
            interval_min=30,
            service_level=service.service_level,
            target_answer_s=service.target_answer_s,
            max_occupancy=service.max_occupancy,
            integer=False,
        )
    )


def test_volume_growth_fast_path_matches_the_erlang_core(base_plan):
    grown = what_if(base_plan, Scenario("+40%", volume_factor=1.4))
    base_req = base_plan.requirements
    req = grown.requirements
    # Hand computation: 40% more contacts is 40% more traffic.
    assert_allclose(req["traffic_erl"], 1.4 * base_req["traffic_erl"], rtol=1e-12)
    busy = base_req["volume"].to_numpy() > 0
    direct = _erlang_need(1.4 * base_req["volume"], base_req["aht_s"], base_plan.service)
    assert_allclose(req["agents_frac"].to_numpy()[busy], direct[busy], rtol=1e-12)
    assert_allclose(req["scheduled"], req["agents_frac"] / 0.7, rtol=1e-12)
    # The base roster is kept and judged against the heavier load.
    pd.testing.assert_frame_equal(grown.roster, base_plan.roster)
    assert grown.summary["service_level"] < base_plan.summary["service_level"]
    assert grown.summary["agents_needed"] > base_plan.summary["agents_needed"]


def test_aht_cut_frees_handle_time_at_500_contacts(base_plan):
    faster = what_if(base_plan, Scenario("AHT -2.5 s", aht_delta_s=-2.5))
    base_req = base_plan.requirements
    freed_erl_h = (base_req["traffic_erl"] - faster.requirements["traffic_erl"]).sum() * 0.5
    contacts = base_req["volume"].sum()
    # Hand arithmetic: every contact is 2.5 s shorter.
    assert_allclose(freed_erl_h * 60, contacts * 2.5 / 60, rtol=1e-12)
    # The docs' rule of thumb: 500 contacts x 2.5 s = 20.8 minutes.
    assert_allclose(500 * 2.5 / 60, 20.833333, rtol=1e-6)
    assert faster.summary["agent_hours_needed"] < base_plan.summary["agent_hours_needed"]
    assert faster.summary["service_level"] >= base_plan.summary["service_level"]


def test_budget_factor_scales_hours_and_helps_service(base_plan):
    plain = what_if(base_plan, Scenario("+40%", volume_factor=1.4))
    funded = what_if(base_plan, Scenario("+40% +3%", volume_factor=1.4, budget_factor=1.03))
    assert_allclose(funded.summary["paid_hours"], 1.03 * base_plan.summary["paid_hours"])
    assert_allclose(funded.verdict["on_floor"], 1.03 * plain.verdict["on_floor"])
    assert funded.summary["service_level"] >= plain.summary["service_level"]
    assert funded.summary["service_level"] < base_plan.summary["service_level"]
    # Overloaded intervals: agents are busy all the time, never more.
    assert funded.summary["occupancy"] <= 1.0
    overloaded = np.isinf(plain.verdict["asa_s"]) & (plain.verdict["volume"] > 0)
    assert np.isinf(plain.summary["asa_s"]) == bool(overloaded.any())


def test_campaign_window_adds_contacts_where_asked(base_plan):
    day = base_plan.requirements["ds"].dt.normalize().iloc[0]
    window = Window(days=[day.day_name()], time=("10:00", "12:00"))
    campaign = what_if(base_plan, Scenario("campaign", volume_add=120, window=window))
    base_vol = base_plan.verdict.set_index("ds")["volume"]
    new_vol = campaign.verdict.set_index("ds")["volume"]
    added = new_vol - base_vol
    inside = window.mask(added.index)
    assert_allclose(added[inside].sum(), 120.0)
    assert (added[~inside] == 0).all()
    change = requirement_change(base_plan, campaign)
    assert not change.empty
    assert window.mask(change["ds"]).all()
    assert (change["extra_frac"] > 0).all()


def test_window_parts():
    ds = pd.date_range("2024-01-01", "2024-01-09", freq="30min", inclusive="left")
    tue = Window(days=["tue"]).mask(ds)
    assert set(ds[tue].day_name()) == {"Tuesday"}
    morning = Window(time=("09:00", "10:00")).mask(ds)
    assert morning.sum() == 2 * 8
    both = Window(days=["2024-01-03"], time=("09:00", "10:00")).mask(ds)
    assert list(ds[both]) == [pd.Timestamp("2024-01-03 09:00"), pd.Timestamp("2024-01-03 09:30")]
    span = Window(start="2024-01-02 23:00", end="2024-01-03 01:00").mask(ds)
    assert span.sum() == 4
    with pytest.raises(ValueError, match=r"Window\.time"):
        Window(time=("10:00", "09:00"))


def test_target_change_recomputes_requirement(base_plan):
    strict = what_if(base_plan, Scenario("90/20", service_level=0.9, shrinkage=0.35))
    assert strict.service.service_level == 0.9 and strict.service.shrinkage == 0.35
    req = strict.requirements
    busy = req["volume"] > 0
    direct = _erlang_need(req["volume"], req["aht_s"], strict.service)
    assert_allclose(req["agents_frac"][busy], direct[busy.to_numpy()], rtol=1e-12)
    assert_allclose(req["scheduled"], req["agents_frac"] / 0.65, rtol=1e-12)
    # More shrinkage leaves fewer agents on the phones from the same roster.
    assert_allclose(strict.verdict["on_phones"], base_plan.verdict["on_floor"] * 0.65)


def test_compare_side_by_side(base_plan):
    table = compare(
        base_plan,
        Scenario("+40% +3%", volume_factor=1.4, budget_factor=1.03),
        Scenario("AHT -2.5 s", aht_delta_s=-2.5),
        rate_per_hour=25.0,
    )
    assert list(table["scenario"]) == ["base", "+40% +3%", "AHT -2.5 s"]
    for col in (
        "agents_needed",
        "paid_hours",
        "service_level",
        "asa_s",
        "p_abandon",
        "peak_shortage",
        "cost",
    ):
        assert col in table
    assert_allclose(table["cost"], table["paid_hours"] * 25.0)
    assert table.loc[1, "peak_shortage"] > 0
    # Each row names the target it is judged against; a stricter target keeps the base
    # roster (no re-roster) and shows what that roster leaves below the new target.
    strict = compare(base_plan, Scenario("90/20", service_level=0.9))
    assert list(strict["target"]) == [
        f"{base_plan.service.service_level:.0%} in {base_plan.service.target_answer_s:g} s",
        f"90% in {base_plan.service.target_answer_s:g} s",
    ]
    assert strict.loc[1, "paid_hours"] == strict.loc[0, "paid_hours"]
    assert strict.loc[1, "paid_hours_needed"] > strict.loc[0, "paid_hours_needed"]
    assert strict.loc[1, "intervals_below_target"] >= strict.loc[0, "intervals_below_target"]
    with pytest.raises(ValueError, match="unique"):
        compare(base_plan, Scenario("x"), Scenario("x"))


def test_reroster_uses_a_new_roster(base_plan):
    grown = what_if(base_plan, Scenario("+20% rerostered", volume_factor=1.2, reroster=True))
    fast = what_if(base_plan, Scenario("+20%", volume_factor=1.2))
    assert grown.settings["rerostered"] is True
    assert grown.settings["roster_status"] in ("OPTIMAL", "FEASIBLE")
    assert grown.summary["shortage_hours"] < fast.summary["shortage_hours"]
    assert grown.summary["paid_hours"] > base_plan.summary["paid_hours"]


def test_budget_with_reroster_caps_agents_per_day(base_plan):
    agents = base_plan.roster[base_plan.roster["role"] == "agent"]
    busiest = agents.groupby(agents["start"].dt.normalize())["person"].nunique().max()
    capped = what_if(
        base_plan,
        Scenario("+40%, same budget", volume_factor=1.4, budget_factor=1.0, reroster=True),
    )
    assert capped.settings["rules"]["limits"]["max_agents_per_day"] == busiest
    new = capped.roster[capped.roster["role"] == "agent"]
    assert new.groupby(new["start"].dt.normalize())["person"].nunique().max() <= busiest
    assert capped.summary["shortage_hours"] > 0


def test_lunch_and_headcount_changes_reroster(base_plan):
    lunch = {"length_min": 60, "earliest_start_min": 180, "latest_start_min": 300}
    changed = what_if(base_plan, Scenario("hour lunch, 12 agents", lunch=lunch, headcount_cap=12))
    assert changed.settings["rerostered"] is True
    roster = changed.roster
    with_lunch = roster.dropna(subset=["lunch_start"])
    assert not with_lunch.empty
    minutes = (with_lunch["lunch_end"] - with_lunch["lunch_start"]).dt.total_seconds() / 60
    assert (minutes == 60).all()
    agents = roster[roster["role"] == "agent"]
    assert agents.groupby(agents["start"].dt.normalize())["person"].nunique().max() <= 12


def test_span_of_control_change_rerosters(base_plan):
    tight = what_if(base_plan, Scenario("span 5", max_agents_per_lead=5))
    assert tight.settings["rerostered"] is True
    agents = tight.coverage["on_floor"]
    leads = tight.coverage["leads_on_floor"]
    assert (agents <= 5 * leads).all()
    assert tight.settings["rules"]["span"]["max_agents_per_lead"] == 5


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"volume_factor": -1}, "volume_factor"),
        ({"aht_factor": 0}, "aht_factor"),
        ({"budget_factor": 0}, "budget_factor"),
        ({"window": 3.5}, "window"),
        ({"max_agents_per_lead": 0}, "max_agents_per_lead"),
    ],
)
def test_scenario_validates(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Scenario("bad", **kwargs)


def test_aht_cannot_go_negative(base_plan):
    with pytest.raises(ValueError, match="aht_s"):
        what_if(base_plan, Scenario("absurd", aht_delta_s=-1e6))
