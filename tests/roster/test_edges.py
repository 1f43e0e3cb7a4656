"""The horizon edge (wrap or carry in the previous roster) and breaks shorter than an interval.

Every expected number is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import roster

from ._helpers import solved

DAY0 = pd.Timestamp("2024-01-01")  # a Monday, midnight
#: 8 h shifts at 06:00, 14:00 and 22:00 only: the night shift runs past midnight.
THREE = roster.ShiftRules(
    "3x8", "06:00", "22:00", start_step_min=480, lengths_min=(480,), crosses_midnight=True
)


def _round_the_clock(**kw: object) -> roster.RosterInstance:
    """Two agents needed every hour of one day (60-min grid), three 8 h shifts a day."""
    return roster.make_instance(
        [2] * 24, interval_min=60, start=DAY0, shifts=THREE, lunch=None, span=None, **kw
    )


def test_without_wrap_the_first_hours_start_empty() -> None:
    # No shift starts before 06:00 of the horizon, so 00:00-06:00 (6 h x 2 agents) is short.
    res = solved(_round_the_clock())
    assert res.coverage["shortage"].iloc[:6].tolist() == [2] * 6
    assert int(res.coverage["shortage"].sum()) == 12


def test_a_cyclic_horizon_covers_its_first_hours() -> None:
    # Wrapped, the 22:00 shifts cover 00:00-06:00: 2 x 3 shifts cover 24 h x 2 exactly.
    res = solved(_round_the_clock(cyclic=True))
    assert int(res.coverage["shortage"].sum()) == 0
    assert res.coverage["on_floor"].iloc[:2].tolist() == [2, 2]
    assert len(res.roster) == 6 and int(res.coverage["surplus"].sum()) == 0


def _previous(n_agents: int, n_leads: int = 0) -> pd.DataFrame:
    start, end = DAY0 - pd.Timedelta(hours=2), DAY0 + pd.Timedelta(hours=6)
    roles = ["agent"] * n_agents + ["lead"] * n_leads
    return pd.DataFrame(
        {
            "person": [f"P{i}" for i in range(len(roles))],
            "role": roles,
            "start": start,
            "end": end,
            "lunch_start": pd.NaT,
            "lunch_end": pd.NaT,
            "breaks": [[] for _ in roles],
        }
    )


def test_previous_roster_shifts_count_on_the_floor() -> None:
    # Sunday's two 22:00-06:00 shifts cover Monday 00:00-06:00; the horizon adds 2 x 06:00,
    # 2 x 14:00 and 2 x 22:00 (running past its end): no shortage, nothing spare.
    inst = _round_the_clock(
        previous_roster=_previous(2), weights=roster.Weights(hard_coverage=True)
    )
    res = solved(inst)
    cov = res.coverage
    assert int(cov["shortage"].sum()) == 0 and int(cov["surplus"].sum()) == 0
    assert cov["on_floor"].iloc[:6].tolist() == [2] * 6
    # The carried-in shifts are not part of this horizon's roster ...
    assert len(res.roster) == 6 and res.roster["start"].min() == DAY0 + pd.Timedelta(hours=6)
    # ... but the checker counts them: without them the same roster is 12 agent-hours short.
    assert roster.check(inst, res.roster) == []
    bare = _round_the_clock(weights=roster.Weights(hard_coverage=True))
    assert any(
        p.startswith("hard coverage: 6 interval(s) short") for p in roster.check(bare, res.roster)
    )


def test_carried_in_lead_counts_for_span_of_control() -> None:
    # 2 agents and their lead carried in until 06:00: no new lead is needed before 06:00,
    # and the coverage shows the carried lead on the floor.
    span = roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=None)
    inst = roster.make_instance(
        [2] * 24,
        interval_min=60,
        start=DAY0,
        shifts=THREE,
        lunch=None,
        span=span,
        previous_roster=_previous(2, 1),
    )
    res = solved(inst)
    assert res.coverage["leads_on_floor"].iloc[:6].tolist() == [1] * 6
    leads = res.roster[res.roster["role"] == "lead"]
    assert leads["start"].min() == DAY0 + pd.Timedelta(hours=6)


def test_previous_roster_is_validated() -> None:
    with pytest.raises(ValueError, match="pass one of them, not both"):
        _round_the_clock(cyclic=True, previous_roster=_previous(1))
    late = _previous(1).assign(start=DAY0 + pd.Timedelta(hours=1), end=DAY0 + pd.Timedelta(hours=9))
    with pytest.raises(ValueError, match="must hold shifts that start before the horizon"):
        _round_the_clock(previous_roster=late)
    with pytest.raises(ValueError, match=r"previous_roster\['role'\] must be"):
        _round_the_clock(previous_roster=_previous(1).assign(role="boss"))
    with pytest.raises(ValueError, match="previous_roster is missing column"):
        _round_the_clock(previous_roster=_previous(1).drop(columns="end"))


# -- breaks shorter than the interval ---------------------------------------------------------

BREAK15 = roster.BreakRule(length_min=15, earliest_start_min=60, latest_start_min=150)


def _morning(
    interval_min: int, need: int, brk: roster.BreakRule = BREAK15, **kw: object
) -> roster.RosterInstance:
    """``need`` agents 08:00-12:00, one 4 h shift type at 08:00, a break ``brk`` each."""
    n = 240 // interval_min
    return roster.make_instance(
        [need] * n,
        interval_min=interval_min,
        start=DAY0 + pd.Timedelta(hours=8),
        shifts=roster.ShiftRules(
            "am", "08:00", "08:00", start_step_min=interval_min, lengths_min=(240,)
        ),
        lunch=None,
        breaks=brk,
        span=None,
        **kw,
    )


@pytest.mark.parametrize(("interval_min", "share"), [(15, 1.0), (30, 0.5), (60, 0.25)])
def test_a_15_min_break_is_its_share_of_an_interval(interval_min: int, share: float) -> None:
    # Hard coverage of 2 agents: two agents lose a break each, so a third is needed; each
    # break is 15 min long in the roster and takes 15/interval_min of an agent off the floor.
    inst = _morning(interval_min, 2, weights=roster.Weights(hard_coverage=True))
    assert inst.floor_scale == interval_min // 15
    res = solved(inst)
    assert len(res.roster) == 3
    for pairs in res.roster["breaks"]:
        assert len(pairs) == 1 and pairs[0][1] - pairs[0][0] == pd.Timedelta(minutes=15)
    cov = res.coverage
    assert float(cov["off_break"].sum()) == pytest.approx(3 * share)
    n = 240 // interval_min
    assert float(cov["on_floor"].sum()) == pytest.approx(3 * n - 3 * share)
    assert (cov["on_floor"] >= 2).all()


def test_soft_coverage_counts_half_an_agent_short_on_a_30_min_grid() -> None:
    # One agent needed, one 4 h shift: the break leaves half an agent missing in one
    # interval. With a shortage weight of 1 per agent-interval (at most 2 with the peak
    # weight) that costs at most 1, far less than a second agent's 8 paid intervals.
    res = solved(_morning(30, 1, weights=roster.Weights(shortage=1)))
    cov = res.coverage
    assert len(res.roster) == 1
    assert float(cov["shortage"].sum()) == 0.5 and float(cov["on_floor"].min()) == 0.5


def test_checker_counts_the_break_share() -> None:
    inst = _morning(30, 2, weights=roster.Weights(hard_coverage=True))
    frame = solved(inst).roster
    # Two agents only: 1.5 on the floor in each break's interval.
    two = frame.iloc[:2]
    problems = roster.check(inst, two)
    assert any("(1.5 on the floor, 2 required)" in p for p in problems)
    # Dropping a break is caught too.
    dropped = frame.copy()
    dropped.at[dropped.index[0], "breaks"] = []
    assert any("0 break(s), BreakRules give 1" in p for p in roster.check(inst, dropped))


def test_break_rounding_of_the_scale() -> None:
    # 10-min breaks on a 15-min grid are thirds of an interval; 45-min breaks on a 30-min grid
    # a whole interval and a half.
    inst = _morning(
        15, 1, roster.BreakRule(length_min=10, earliest_start_min=60, latest_start_min=150)
    )
    assert inst.floor_scale == 3
    res = solved(inst)
    assert float(res.coverage["off_break"].sum()) == pytest.approx(len(res.roster) * 10 / 15)
    brk = roster.BreakRule(length_min=45, earliest_start_min=60, latest_start_min=120)
    # One agent, short while on the break.
    inst = _morning(30, 1, brk, weights=roster.Weights(shortage=1))
    res = solved(inst)
    off = res.coverage["off_break"].to_numpy()
    assert sorted(off[off > 0].tolist()) == [0.5, 1.0]
    assert np.isclose(off.sum(), 1.5)


def test_cyclic_none_wraps_whole_days_without_a_previous_roster() -> None:
    # The default of roster.Rules (and so of plan() and the command line).
    assert _round_the_clock(cyclic=None).cyclic
    assert not _round_the_clock(cyclic=None, previous_roster=_previous(2)).cyclic
    part_day = roster.make_instance(
        [1] * 8,
        interval_min=60,
        start=DAY0 + pd.Timedelta(hours=8),
        shifts=roster.ShiftRules("am", "08:00", "08:00", start_step_min=60, lengths_min=(480,)),
        lunch=None,
        span=None,
        cyclic=None,
    )
    assert not part_day.cyclic
    assert roster.Rules().cyclic is None


def test_floor_bound_by_hand() -> None:
    # Two agents round the clock with three 8 h shifts a day: 48 agent-hours, no less, when
    # wrapped; without the wrap 00:00-06:00 cannot be covered and no bound exists.
    kw = {"interval_min": 60, "shifts": THREE, "lunch": None, "time_limit_s": 5}
    need = pd.DataFrame({"ds": pd.date_range(DAY0, periods=24, freq="60min"), "required": 2})
    assert roster.floor_bound(need, cyclic=True, **kw) == (48.0, "OPTIMAL")
    assert roster.floor_bound(need, cyclic=False, **kw)[1] == "INFEASIBLE"


def test_previous_roster_read_from_a_file_keeps_its_breaks(tmp_path) -> None:
    # A roster read back from CSV holds its breaks as the JSON text write_frame wrote;
    # a carried-in break must still take its share of the floor (it was once read as none).
    from staffplan._io import write_frame

    prev = _previous(2)
    brk = (DAY0 + pd.Timedelta(hours=1), DAY0 + pd.Timedelta(minutes=90))
    prev["breaks"] = [[brk], []]
    path = write_frame(prev, tmp_path / "previous.csv")
    from_file = pd.read_csv(path, parse_dates=["start", "end", "lunch_start", "lunch_end"])
    assert isinstance(from_file["breaks"].iloc[0], str)
    in_memory = solved(_round_the_clock(previous_roster=prev)).coverage
    read_back = solved(_round_the_clock(previous_roster=from_file)).coverage
    # Hour 01:00 on a 60-min grid: one agent on a 30-min break is half an agent off the floor.
    assert read_back["off_break"].iloc[1] == pytest.approx(0.5)
    pd.testing.assert_frame_equal(read_back, in_memory)


def test_previous_roster_with_unreadable_breaks_is_refused() -> None:
    prev = _previous(1)
    prev["breaks"] = ["[[1, 2, 3]]"]
    with pytest.raises(ValueError, match=r"previous_roster\['breaks'\]"):
        _round_the_clock(previous_roster=prev)
