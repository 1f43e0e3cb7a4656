"""Floor rules through ``staffplan.plan``: the demo's manager, breaks on 30-min data, the
horizon edge of a 24/7 plan.

References: the rules themselves, recounted here from the roster frame by hand (people at
work, minus lunch, minus the share of the interval a break takes), never from the solver.
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan import datasets
from staffplan.plan import Plan, Scenario, ServiceTarget, rules_from_mapping, what_if

IV = pd.Timedelta(minutes=30)


def _recount(roster_frame: pd.DataFrame, ds: pd.DatetimeIndex, role: str) -> np.ndarray:
    """People of ``role`` on the floor per 30-min interval; a manager on a break is off."""
    t0 = ds.to_numpy("datetime64[ns]").astype(np.int64) / 60e9  # interval starts [min]
    out = np.zeros(len(ds))

    def minutes(ts: object) -> float:
        return pd.Timestamp(ts).value / 60e9

    for row in roster_frame[roster_frame["role"] == role].itertuples():
        at = ((t0 >= minutes(row.start)) & (t0 < minutes(row.end))).astype(float)
        pieces = list(row.breaks)
        if pd.notna(row.lunch_start):
            pieces.append((row.lunch_start, row.lunch_end))
        for a, b in pieces:
            share = np.clip(
                (np.minimum(t0 + 30, minutes(b)) - np.maximum(t0, minutes(a))) / 30, 0, None
            )
            at -= np.where(share > 0, 1.0, 0.0) if role == "manager" else share
        out += at
    return out


@pytest.fixture(scope="module")
def demo() -> Plan:
    history, events = datasets.load_sample()
    return staffplan.plan(
        history,
        horizon="3D",
        events=events,
        service=ServiceTarget(shrinkage=0.3),
        simulate=False,
        time_limit_s=10,
        num_workers=2,
    )


def test_demo_has_a_manager_on_the_floor_whenever_more_than_20_agents_are(demo) -> None:
    # Before the rule was per interval, the demo's manager lunched after the 09:30 peak:
    # 4 intervals of these 3 days (11 of the week) had > 20 agents and no manager there.
    ds = pd.DatetimeIndex(demo.coverage["ds"])
    agents = _recount(demo.roster, ds, "agent")
    managers = _recount(demo.roster, ds, "manager")
    assert np.allclose(agents, demo.coverage["on_floor"].to_numpy(float))
    assert np.allclose(managers, demo.coverage["managers_on_floor"].to_numpy(float))
    busy = agents > 20
    assert busy.sum() > 20  # the rule is exercised
    assert int((busy & (managers < 1)).sum()) == 0


def test_demo_rosters_breaks_on_its_30_min_grid(demo) -> None:
    # Shrinkage excludes breaks, so every shift of 4 h or more gets its 15-min break, and
    # coverage shows half an agent off the floor per break in its interval.
    assert len(rules_from_mapping(None, interval_min=30).breaks) == 1
    r = demo.roster
    long_ = (r["end"] - r["start"]) >= pd.Timedelta(hours=4)
    assert long_.any()
    assert all(len(b) == 1 for b in r.loc[long_, "breaks"])
    agents_with_break = int(sum(len(b) for b in r.loc[r["role"] == "agent", "breaks"]))
    assert float(demo.coverage["off_break"].sum()) == pytest.approx(0.5 * agents_with_break)


def _history_247(weeks: int = 3, seed: int = 3) -> pd.DataFrame:
    """A 24/7 line on 30 min: a night floor under an 11:00 and a 19:00 peak, ~4,900 a day."""
    hist, _ = datasets.generate_sample(
        hours="24/7", weeks=weeks, start="2024-01-01", queues=("line",), seed=seed,
        daily_volume=4900.0, night_level=0.2, events=False,
    )  # fmt: skip
    return hist


FAST = {"simulate": False, "forecast_method": "profile", "time_limit_s": 10, "num_workers": 2}


@pytest.fixture(scope="module")
def plan_247() -> Plan:
    return staffplan.plan(_history_247(), horizon="2D", **FAST)


def test_a_24_7_plan_wraps_and_covers_its_first_two_hours(plan_247) -> None:
    cov = plan_247.coverage
    assert (cov["required"].iloc[:4] > 0).all()
    assert (cov["shortage"].iloc[:4] == 0).all()
    # Wrapped: some night shift runs past the end of the horizon into its first morning.
    end = cov["ds"].iloc[-1] + IV
    assert (plan_247.roster["end"] > end).any()
    ds = pd.DatetimeIndex(cov["ds"])
    # Cyclic: interval t also holds whoever works the same time one horizon later.
    recount = _recount(plan_247.roster, ds, "agent") + _recount(
        plan_247.roster, ds + (end - ds[0]), "agent"
    )
    assert np.allclose(recount, cov["on_floor"].to_numpy(float))


def test_a_previous_roster_carries_into_the_next_plan(plan_247) -> None:
    prev = plan_247.roster
    start = pd.Timestamp(plan_247.coverage["ds"].iloc[-1]) + IV
    nxt = staffplan.plan(_history_247(), horizon="2D", start=start, previous_roster=prev, **FAST)
    cov = nxt.coverage
    ds = pd.DatetimeIndex(cov["ds"])
    carried = _recount(prev, ds, "agent")
    assert carried[0] > 0  # last night's shifts reach into the new horizon
    own = _recount(nxt.roster, ds, "agent")
    assert np.allclose(own + carried, cov["on_floor"].to_numpy(float))
    assert (cov["shortage"].iloc[:4] == 0).all()
    # Not wrapped: nothing of the new roster is counted before its own start.
    assert nxt.roster["start"].min() >= start
    # The plan keeps the carried-in shifts: a scenario that re-rosters, and the plan
    # saved and loaded, count the same night shifts instead of wrapping the week.
    assert len(nxt.settings["previous_roster"]) == int((prev["end"] > start).sum())
    again = what_if(nxt, Scenario("re-roster", reroster=True), simulate=False)
    cov2 = again.coverage
    assert np.allclose(
        _recount(again.roster, ds, "agent") + carried, cov2["on_floor"].to_numpy(float)
    )
    assert again.roster["start"].min() >= start
    with tempfile.TemporaryDirectory() as tmp:
        nxt.save(f"{tmp}/plan")
        loaded = Plan.load(f"{tmp}/plan")
    assert loaded.settings["previous_roster"] == nxt.settings["previous_roster"]


def _history_split_day(weeks: int = 3, seed: int = 5) -> pd.DataFrame:
    """Weekdays open 08:00-12:00 and 14:00-19:00, peaks at 10:00 and 16:30."""
    rng = np.random.default_rng(seed)
    frames = []
    for day in pd.bdate_range("2024-01-01", periods=5 * weeks):
        ds = pd.date_range(day, periods=48, freq="30min")
        h = ds.hour + ds.minute / 60
        open_ = ((h >= 8) & (h < 12)) | ((h >= 14) & (h < 19))
        shape = 60 + 50 * np.exp(-0.5 * ((h - 10) / 1.5) ** 2)
        lam = np.where(open_, shape + 40 * np.exp(-0.5 * ((h - 16.5) / 1.5) ** 2), 0.0)
        frames.append(pd.DataFrame({"ds": ds, "volume": rng.poisson(lam).astype(float)}))
    return pd.concat(frames, ignore_index=True).assign(aht_s=300.0)


def _agent_floor_bound(coverage: pd.DataFrame, shifts: tuple, rules: Any) -> float:
    """The least agent on-floor hours with these shift types (``roster.floor_bound``)."""
    from staffplan import roster

    hours, status = roster.floor_bound(
        coverage[["ds", "required"]],
        interval_min=30,
        shifts=shifts,
        lunch=rules.lunch,
        breaks=rules.breaks,
        time_limit_s=30,
    )
    assert status == "OPTIMAL"
    return hours


def test_a_split_day_centre_is_staffed_within_5_percent_of_its_bound() -> None:
    from staffplan import roster

    p = staffplan.plan(_history_split_day(), horizon="2D", start="2024-01-22", **FAST)
    cov = p.coverage
    assert float(cov["shortage"].sum()) == 0
    on_floor_h = float(cov["on_floor"].sum()) / 2
    # Bound: agents only (leads and manager dropped), same shift types, lunch and breaks,
    # hard coverage, least on-floor hours, proven optimal by CP-SAT.
    rules = rules_from_mapping({"shifts": p.settings["roster_shifts"]}, interval_min=30)
    assert rules.lunch == p.rules.lunch and rules.breaks == p.rules.breaks
    bound = _agent_floor_bound(cov, rules.shifts, rules)
    assert on_floor_h <= 1.05 * bound
    # 8 h shifts over the whole day (08:00-11:00 starts; 4 h 08:00-15:00) straddle the
    # closure: their own bound is over 10% above what the per-block types reach.
    straddling = (
        roster.ShiftRules("day", "08:00", "11:00", lengths_min=(480,)),
        roster.ShiftRules("part", "08:00", "15:00", lengths_min=(240,)),
    )
    assert _agent_floor_bound(cov, straddling, rules) > 1.10 * on_floor_h
