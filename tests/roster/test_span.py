"""Span-of-control edge cases, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def test_an_interval_no_shift_reaches_stays_short_without_capping_the_day() -> None:
    # 12 agents 08:00-20:00 plus 5 at 01:00, which no 07:00-15:00 start reaches. Opening hours
    # for the manager must not stretch to 01:00: otherwise no manager shift fits, the roster
    # keeps to 20 agents to avoid needing one, and the daytime goes short as well.
    ds = pd.date_range("2026-03-02", periods=48, freq="30min")
    required = np.where((ds.hour >= 8) & (ds.hour < 20), 12, 0)
    required[2] = 5
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": required}),
        interval_min=30,
        shifts=roster.ShiftRules(earliest_start="07:00", latest_start="15:00", lengths_min=(480,)),
    )
    res = roster.solve(inst, time_limit_s=20, num_workers=1)
    assert res.ok and roster.check(inst, res.roster) == []
    short = res.coverage.set_index("ds")["shortage"]
    assert short.sum() == 5 and short[pd.Timestamp("2026-03-02 01:00")] == 5
    cov = res.coverage
    assert (cov.loc[cov["on_floor"] > 20, "managers_on_floor"] >= 1).all()
    assert any("no allowed shift covers them, first 2026-03-02 01:00:00" in r for r in res.reasons)


def _night(agents: int, *, lunch: roster.LunchRule | None = None) -> roster.RosterResult:
    """Open 18:00-06:00 with ``agents`` on the floor, two calendar days on a 30-min grid.

    Cyclic: the second night's shifts cover the first morning, as in a weekly template
    (without it only 4 h shifts from 00:00 and 02:00 reach 00:00-06:00, doubling 02:00-04:00).
    """
    ds = pd.date_range("2026-03-02", periods=96, freq="30min")
    required = np.where((ds.hour >= 18) | (ds.hour < 6), agents, 0)
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": required}),
        interval_min=30,
        shifts=roster.shifts_for_hours(ds, required, interval_min=30),
        lunch=lunch,
        span=SPAN,
        cyclic=True,
    )
    res = roster.solve(inst, time_limit_s=20, num_workers=1)
    assert res.ok and roster.check(inst, res.roster) == []
    assert res.coverage["shortage"].sum() == 0
    return res


def test_a_busy_night_has_a_manager_on_the_floor_all_night() -> None:
    # 24 agents on the floor 18:00-06:00 (> 20): a manager on the floor in every open interval,
    # the first morning included, none through the closed day.
    res = _night(24)
    cov = res.coverage
    busy = cov["on_floor"] > 20
    assert busy.sum() == 2 * 24  # 00:00-06:00 and 18:00-24:00 of two days
    assert (cov.loc[busy, "managers_on_floor"] >= 1).all()
    ds = cov["ds"]
    assert (cov.loc[(ds.dt.hour >= 6) & (ds.dt.hour < 18), "managers_on_floor"] == 0).all()


def test_a_quiet_night_needs_no_manager_but_leads_by_the_ten_rule() -> None:
    # The documented reading for nights with <= 20 agents: no manager; leads still keep
    # agents on the floor <= 10 per lead on the floor, lunches included (15 agents -> 2 leads
    # on the floor whenever more than 10 agents are, so lead lunches are staggered).
    res = _night(15, lunch=roster.LunchRule(min_shift_min=360))
    cov = res.coverage
    assert not (res.roster["role"] == "manager").any()
    assert cov["managers_on_floor"].max() == 0
    assert (cov["on_floor"] <= 10 * cov["leads_on_floor"]).all()
    assert (cov.loc[cov["on_floor"] > 10, "leads_on_floor"] >= 2).all()


def test_agents_join_the_lead_they_work_with() -> None:
    # 10 agents 07:00-11:00 and 5 agents 17:00-21:00 need a lead in each half of the day.
    # Splitting the 15 agents into two teams of 8 and 7 in start order would put two morning
    # agents under the evening lead, who arrives after they left; teams follow the overlap.
    ds = pd.date_range("2026-03-02", periods=24, freq="60min")
    required = np.where(ds.hour < 7, 0, np.where(ds.hour < 11, 10, 0))
    required = np.where((ds.hour >= 17) & (ds.hour < 21), 5, required)
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": required}),
        interval_min=60,
        shifts=roster.ShiftRules(
            earliest_start="07:00", latest_start="17:00", start_step_min=60, lengths_min=(240,)
        ),
        lunch=None,
        span=roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=None),
    )
    res = solved(inst)
    r = res.roster
    leads = r[r["role"] == "lead"].set_index("team")
    agents = r[r["role"] == "agent"]
    assert len(leads) == 2 and len(agents) == 15
    lead_of = leads.loc[agents["team"]]
    overlap = np.minimum(agents["end"].to_numpy(), lead_of["end"].to_numpy()) - np.maximum(
        agents["start"].to_numpy(), lead_of["start"].to_numpy()
    )
    assert (overlap > pd.Timedelta(0)).all()
    assert sorted(agents.groupby("team").size().tolist()) == [5, 10]


def test_no_manager_to_roster_names_the_manager_rule() -> None:
    # 21 agents needed all day (hard coverage) but the named staff has no manager: the
    # reason names coverage, the manager on the floor and the missing managers.
    people = [roster.Person(f"a{i}") for i in range(21)]
    people += [roster.Person(f"l{i}", role="lead") for i in range(3)]
    inst = flat([21] * 8, span=SPAN, people=people, weights=roster.Weights(hard_coverage=True))
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.status == "INFEASIBLE"
    text = " | ".join(res.reasons)
    assert "manager on the floor (a manager, not at lunch or on a break, in every interval" in text
    assert "people available (managers)" in text and "hard coverage" in text


@pytest.mark.parametrize(("level", "carried", "managers"), [(30, 0, 2), (16, 10, 1)])
def test_the_greedy_hint_keeps_a_manager_on_the_floor(
    level: int, carried: int, managers: int
) -> None:
    # ``level`` agents 08:00-12:00 (30-min grid), one 4 h shift type at 08:00 whose 15-min
    # break falls in 09:00-11:00.  At 30: a manager on a break is off the floor for its whole
    # interval, so the busy intervals need two managers taking their breaks apart.  At 16 with
    # 10 agents and a lead carried in from the night until 09:00: 08:00-09:00 has more than
    # 20 agents on the floor and needs a manager.  The starting roster CP-SAT is handed must
    # meet every rule as it stands (it is then taken without search).
    from ortools.sat.python import cp_model

    from staffplan.roster._greedy import greedy_hint
    from staffplan.roster._lp import lp_relaxation
    from staffplan.roster._model import RosterModel

    start = pd.Timestamp("2024-01-01 06:00")
    roles = ["agent"] * carried + ["lead"] * (carried > 0)
    prev = pd.DataFrame(
        {
            "person": [f"N{i}" for i in range(len(roles))],
            "role": roles,
            "start": start - pd.Timedelta(hours=3),
            "end": start + pd.Timedelta(hours=3),
            "lunch_start": pd.NaT,
            "lunch_end": pd.NaT,
            "breaks": [[] for _ in roles],
        }
    )
    need = [0.0] * 4 + [float(level)] * 8
    inst = roster.make_instance(
        pd.DataFrame({"ds": pd.date_range(start, periods=12, freq="30min"), "required": need}),
        interval_min=30,
        shifts=roster.ShiftRules("am", "08:00", "08:00", lengths_min=(240,)),
        lunch=None,
        breaks=roster.BreakRule(length_min=15),
        span=SPAN,
        previous_roster=prev if carried else None,
    )
    rm = RosterModel(inst)
    hint = greedy_hint(rm, lp_relaxation(rm))
    assert set(rm.all_vars) <= set(hint)
    assert sum(hint[v] for v in rm.x["manager"]) == managers
    fixed = rm.model.clone()
    for var, value in hint.items():
        fixed.add(fixed.get_int_var_from_proto_index(var.index) == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
