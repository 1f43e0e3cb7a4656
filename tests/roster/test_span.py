"""Span-of-control edge cases, checked by hand."""

from __future__ import annotations

import pytest

from staffplan import roster

from ._helpers import LUNCH60, flat, solved

SPAN = roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=20)


def _roles(res: roster.RosterResult) -> dict[str, int]:
    return res.roster["role"].value_counts().to_dict()


@pytest.mark.parametrize(("agents", "leads"), [(10, 1), (11, 2)])
def test_ten_vs_eleven_agents(agents: int, leads: int) -> None:
    res = solved(flat([agents] * 8, span=SPAN))
    assert _roles(res) == {"agent": agents, "lead": leads}
    assert res.coverage["agents_per_lead"].max() <= 10
    teams = res.roster[res.roster["role"] == "agent"].groupby("team").size()
    assert teams.max() <= 10 and len(teams) == leads


def test_lead_at_lunch_is_not_on_the_floor() -> None:
    # 8 agents (see test_tiny) on the floor all day; one lead would leave the floor unled
    # during their lunch, so two leads with lunches in different slots are needed.
    res = solved(flat([5] * 8, lunch=LUNCH60, span=SPAN))
    leads = res.roster[res.roster["role"] == "lead"]
    assert len(leads) == 2
    assert leads["lunch_start"].nunique() == 2
    assert (res.coverage["leads_on_floor"] >= 1).all()


def test_checker_flags_single_lead_at_lunch() -> None:
    inst = flat([5] * 8, lunch=LUNCH60, span=SPAN)
    res = solved(inst)
    frame = res.roster
    one_lead = frame.drop(frame[frame["role"] == "lead"].index[1:])
    one_lead.loc[one_lead["role"] == "agent", "team"] = one_lead.loc[
        one_lead["role"] == "lead", "team"
    ].iloc[0]
    problems = roster.check(inst, one_lead)
    assert any(
        p.startswith("span of control: ") and "0 lead(s) on the floor" in p for p in problems
    )


@pytest.mark.parametrize(("agents", "managers"), [(20, 0), (21, 1)])
def test_manager_above_twenty_agents(agents: int, managers: int) -> None:
    res = solved(flat([agents] * 8, span=SPAN))
    assert _roles(res).get("manager", 0) == managers
    assert _roles(res)["lead"] == (2 if agents == 20 else 3)


def test_manager_hours_must_fit_shifts() -> None:
    # The manager must be at work 08:00-18:00 but shifts start at 09:00 only: a day with more
    # than 20 agents is impossible, and hard coverage needs 21; the reason names both.
    span = roster.SpanOfControl(manager_above_agents=20, manager_hours=("08:00", "18:00"))
    req = [0] + [21] * 8 + [0]
    inst = flat(
        req, window=("09:00", "09:00"), span=span, weights=roster.Weights(hard_coverage=True)
    )
    res = roster.solve(inst, time_limit_s=5, num_workers=1)
    assert res.status == "INFEASIBLE"
    text = " | ".join(res.reasons)
    assert "manager presence (a manager at work 08:00-18:00 when more than 20 agents work)" in text
    assert "hard coverage" in text


def test_lead_covers_team_option() -> None:
    # Agents on 4 h shifts at 08:00 and 12:00; with lead_covers_team a lead needs an 8 h
    # shift from 08:00 covering both (shift type offers 4 h and 8 h).
    span = roster.SpanOfControl(
        max_agents_per_lead=10, manager_above_agents=None, lead_covers_team=True
    )
    inst = roster.make_instance(
        [3] * 8,
        interval_min=60,
        start="2024-01-01 08:00",
        shifts=roster.ShiftRules(
            earliest_start="08:00", latest_start="12:00", start_step_min=240, lengths_min=(240, 480)
        ),
        lunch=None,
        span=span,
    )
    res = solved(inst)
    agents = res.roster[res.roster["role"] == "agent"]
    leads = res.roster[res.roster["role"] == "lead"]
    for _, a in agents.iterrows():
        lead = leads[leads["team"] == a["team"]].iloc[0]
        assert lead["start"] <= a["start"] and lead["end"] >= a["end"]
