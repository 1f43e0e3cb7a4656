"""Paid hours across daylight-saving changes: elapsed time, not the wall-clock span.

Hand-checkable (tz database rules): Europe/London goes back from 02:00 BST (UTC+1) to
01:00 GMT on Sunday 25 October 2026 and forward from 01:00 GMT to 02:00 BST on Sunday
29 March 2026; America/New_York goes back from 02:00 EDT to 01:00 EST on Sunday
1 November 2026.  A night shift 19:00-03:00 with an unpaid 30-min lunch is paid 7.5 h on
an ordinary night, 8.5 h over the night the clocks go back (9 h elapsed), 6.5 h over the
night they go forward (7 h elapsed).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from staffplan import roster

NIGHT = roster.ShiftRules(
    name="night",
    earliest_start="19:00",
    latest_start="19:00",
    lengths_min=(480,),
    crosses_midnight=True,
)
LUNCH = roster.LunchRule(length_min=30, earliest_start_min=180, latest_start_min=300)


def night_frame(saturday: str, agents: int = 3) -> pd.DataFrame:
    """Two nights, Saturday and Sunday, 19:00-03:00 on a 30-min wall-clock grid."""
    ds = pd.date_range(saturday, periods=3 * 48, freq="30min")
    hour = (ds - pd.Timestamp(saturday)) / pd.Timedelta(hours=1)
    night = ((hour >= 19) & (hour < 27)) | ((hour >= 43) & (hour < 51))
    return pd.DataFrame({"ds": ds, "required": np.where(night, float(agents), 0.0)})


def solve_nights(frame: pd.DataFrame, **kw):
    inst = roster.make_instance(
        frame, interval_min=30, shifts=NIGHT, lunch=LUNCH, span=None, cyclic=False, **kw
    )
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.ok, res.reasons
    return inst, res


def paid_by_night(res) -> dict[str, list[float]]:
    r = res.roster
    return {
        str(day.date()): sorted(set(r.loc[r["start"].dt.normalize() == day, "paid_h"]))
        for day in sorted(r["start"].dt.normalize().unique())
    }


@pytest.mark.parametrize(
    ("saturday", "tz", "first_night_h"),
    [
        ("2026-10-24", "Europe/London", 8.5),  # clocks back: 9 h less the lunch
        ("2026-03-28", "Europe/London", 6.5),  # clocks forward: 7 h less the lunch
        ("2026-10-31", "America/New_York", 8.5),
        ("2026-06-06", "Europe/London", 7.5),  # no change that night
    ],
)
def test_night_shift_over_a_clock_change_is_paid_its_elapsed_time(saturday, tz, first_night_h):
    inst, res = solve_nights(night_frame(saturday), tz=tz)
    sunday = str((pd.Timestamp(saturday) + pd.Timedelta(days=1)).date())
    # The roster stays on the wall clock: every shift reads 19:00-03:00.
    assert (res.roster["start"].dt.hour == 19).all() and (res.roster["end"].dt.hour == 3).all()
    assert paid_by_night(res) == {saturday: [first_night_h], sunday: [7.5]}
    # 3 on the floor all night and a lunch each: 4 agents a night, the same both nights.
    assert res.roster["start"].dt.normalize().value_counts().tolist() == [4, 4]
    assert roster.check(inst, res.roster) == []


def test_without_a_zone_paid_hours_are_the_wall_clock_span():
    _, res = solve_nights(night_frame("2026-10-24"))
    assert paid_by_night(res) == {"2026-10-24": [7.5], "2026-10-25": [7.5]}


def test_the_zone_comes_from_time_zone_aware_requirements():
    frame = night_frame("2026-10-24")
    # Aware timestamps in order of time: the repeated hour appears twice; keep the wall
    # grid of the naive frame by localizing it (the clock times are the same).
    aware = frame.assign(
        ds=frame["ds"].dt.tz_localize("Europe/London", ambiguous=True, nonexistent="NaT")
    )
    inst = roster.make_instance(aware, interval_min=30, shifts=NIGHT, lunch=LUNCH, span=None)
    assert str(inst.tz) == "Europe/London"
    with pytest.raises(ValueError, match="disagrees with the requirement timestamps' zone"):
        roster.make_instance(aware, interval_min=30, span=None, tz="America/New_York")
    with pytest.raises(ValueError, match="tz must be a time zone"):
        roster.make_instance(frame, interval_min=30, span=None, tz="Mars/Olympus")


def test_contract_hours_count_the_repeated_hour():
    # One named agent allowed 8 h a week: the 19:00-03:00 shift over the night the clocks
    # go back is paid 8.5 h, which breaks that maximum; on an ordinary night (7.5 h) it holds.
    person = roster.Person(name="Ann", max_hours_week=8, min_hours_week=0)
    for saturday, broken in (("2026-10-24", True), ("2026-06-06", False)):
        frame = night_frame(saturday, agents=1)
        frame.loc[frame["ds"] >= pd.Timestamp(saturday) + pd.Timedelta(hours=30), "required"] = 0
        inst = roster.make_instance(
            frame, interval_min=30, shifts=NIGHT, lunch=LUNCH, span=None, tz="Europe/London",
            people=[person], cyclic=False,
        )  # fmt: skip
        start = pd.Timestamp(saturday) + pd.Timedelta(hours=19)
        shift = pd.DataFrame(
            {
                "person": ["Ann"], "role": ["agent"], "team": [""], "start": [start],
                "end": [start + pd.Timedelta(hours=8)],
                "lunch_start": [start + pd.Timedelta(hours=3)],
                "lunch_end": [start + pd.Timedelta(hours=3.5)], "breaks": [[]],
            }
        )  # fmt: skip
        problems = roster.check(inst, shift)
        assert any("8.5 h in the week" in p and "max 8" in p for p in problems) == broken, problems
        # The model counts the same hours: it leaves the shift out rather than break the cap.
        res = roster.solve(inst, time_limit_s=10, num_workers=1)
        assert (len(res.roster) == 0) == broken, res.roster


@pytest.mark.parametrize(
    ("sunday", "tz", "changed"),
    [
        ("2026-10-25", "Europe/London", True),  # 01:00-01:59 shown twice
        ("2026-03-29", "Europe/London", True),  # 01:00-01:59 skipped
        ("2026-06-07", "Europe/London", False),
        ("2026-10-25", None, False),  # no zone: no clock change known
    ],
)
def test_no_shift_starts_or_ends_inside_the_changed_hour(sunday, tz, changed):
    # One agent needed 01:00-05:00; 4-h shifts may start every 30 min from 00:00 to 03:00.
    # On an ordinary night the exact fit 01:00-05:00 is the roster.  Over a clock change a
    # shift starting at 01:00 (which 01:00: the first or the repeated one?) or ending at
    # 01:30 would be at work in one occurrence of the repeated hour while the roster's single
    # slot for it counts it in both, and a skipped time is no time to start: such shifts
    # are not offered, and 01:00-05:00 is covered from outside the hour.
    day = pd.Timestamp(sunday)
    ds = pd.date_range(day, periods=48, freq="30min")
    need = ((ds >= day + pd.Timedelta(hours=1)) & (ds < day + pd.Timedelta(hours=5))).astype(float)
    four = roster.ShiftRules(earliest_start="00:00", latest_start="03:00", lengths_min=(240,))
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}), interval_min=30, shifts=four, lunch=None,
        span=None, cyclic=False, tz=tz,
    )  # fmt: skip
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.ok
    hours = {(r.start.strftime("%H:%M"), r.end.strftime("%H:%M")) for r in res.roster.itertuples()}
    if not changed:
        assert hours == {("01:00", "05:00")}
    else:
        inside = [h for h in hours if "01:00" <= h[0] < "02:00" or "01:00" < h[1] < "02:00"]
        assert inside == [], hours
        assert res.coverage["shortage"].sum() == 0


@pytest.mark.parametrize(
    ("saturday", "changed"),
    [("2026-10-24", True), ("2026-03-28", True), ("2026-06-06", False)],
)
def test_no_lunch_inside_the_changed_hour(saturday, changed):
    # Shifts 22:00-06:00 with a 30-min lunch starting 01:00-03:00; nobody is needed at
    # 01:00-02:00 (as on the night the clocks skip it, where the plan's grid needs nobody).
    # On an ordinary night every lunch goes there (no agent is missed).  Over a clock change
    # a lunch there would not happen (skipped) or be counted off the floor in both
    # occurrences of the repeated hour: lunches go to 02:00 or later.
    day = pd.Timestamp(saturday)
    ds = pd.date_range(day, periods=2 * 48, freq="30min")
    hour = (ds - day) / pd.Timedelta(hours=1)
    need = np.where((hour >= 22) & (hour < 30) & ~((hour >= 25) & (hour < 26)), 3.0, 0.0)
    late = roster.ShiftRules(
        earliest_start="22:00", latest_start="22:00", lengths_min=(480,), crosses_midnight=True
    )
    lunch = roster.LunchRule(length_min=30, earliest_start_min=180, latest_start_min=300)
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}), interval_min=30, shifts=late, lunch=lunch,
        span=None, cyclic=False, tz="Europe/London",
    )  # fmt: skip
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.ok
    lunch_at = set(res.roster["lunch_start"].dt.strftime("%H:%M"))
    if changed:
        assert lunch_at and min(lunch_at) >= "02:00", lunch_at
    else:
        assert lunch_at <= {"01:00", "01:30"}, lunch_at


def test_the_skipped_hour_costs_no_surplus():
    # Three agents 22:00-06:00 over the night the clocks skip 01:00-02:00 (the grid keeps
    # those slots, nobody needed).  One 22:00-06:00 shift (7 h) or two, 22:00-01:00 (3 h)
    # and 02:00-06:00 (4 h), pay the same 7 h; the single pattern is cheaper by the pattern
    # weight (1), unless on-floor time in the skipped slots were charged as surplus (10 a
    # slot), which time that does not pass must not be.
    day = pd.Timestamp("2026-03-28")
    ds = pd.date_range(day, periods=2 * 48, freq="30min")
    hour = (ds - day) / pd.Timedelta(hours=1)
    need = np.where((hour >= 22) & (hour < 30) & ~((hour >= 25) & (hour < 26)), 3.0, 0.0)
    shifts = (
        roster.ShiftRules(name="whole", earliest_start="22:00", latest_start="22:00",
                          lengths_min=(480,), crosses_midnight=True),
        roster.ShiftRules(name="before", earliest_start="22:00", latest_start="22:00",
                          lengths_min=(180,), crosses_midnight=True),
        roster.ShiftRules(name="after", earliest_start="02:00", latest_start="02:00",
                          lengths_min=(240,)),
    )  # fmt: skip
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}), interval_min=30, shifts=shifts, lunch=None,
        span=None, cyclic=False, tz="Europe/London", weights=roster.Weights(pattern=1),
    )  # fmt: skip
    assert inst.skipped.sum() == 2  # 01:00 and 01:30 on 29 March
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.status == "OPTIMAL"
    assert set(res.roster["shift_type"]) == {"whole"} and len(res.roster) == 3
    assert res.roster["paid_h"].tolist() == [7.0, 7.0, 7.0]


@pytest.mark.parametrize(("saturday", "nights"), [("2026-10-24", 1), ("2026-06-06", 2)])
def test_people_roster_keeps_weekly_hours_in_elapsed_time(saturday, nights):
    # Ann may work 16 h a week; one agent is needed on Saturday and Sunday night, 19:00-03:00
    # without lunch.  On an ordinary weekend she works both (8 + 8 = 16 h); over the night
    # the clocks go back the first lasts 9 h, and 9 + 8 = 17 h is over her maximum.
    frame = night_frame(saturday, agents=1)
    ann = roster.Person(name="Ann", max_hours_week=16, min_hours_week=0)
    inst = roster.make_instance(
        frame, interval_min=30, shifts=NIGHT, lunch=None, span=None, tz="Europe/London",
        people=[ann], cyclic=False,
    )  # fmt: skip
    res = roster.solve_people(inst, time_limit_s=10, num_workers=1)
    assert len(res.roster) == nights
    assert res.roster["paid_h"].sum() <= 16
    assert roster.check(inst, res.roster) == []


@pytest.mark.parametrize("interval_min", [15, 60])
def test_elapsed_pay_on_15_and_60_minute_grids(interval_min):
    # No lunch: 19:00-03:00 is 9 h over the night the clocks go back, 8 h the next night.
    ds = pd.date_range("2026-10-24", periods=3 * 1440 // interval_min, freq=f"{interval_min}min")
    hour = (ds - pd.Timestamp("2026-10-24")) / pd.Timedelta(hours=1)
    need = np.where(((hour >= 19) & (hour < 27)) | ((hour >= 43) & (hour < 51)), 2.0, 0.0)
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}), interval_min=interval_min,
        shifts=dataclasses.replace(NIGHT, start_step_min=60), lunch=None, span=None,
        cyclic=False, tz="Europe/London",
    )  # fmt: skip
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert paid_by_night(res) == {"2026-10-24": [9.0], "2026-10-25": [8.0]}
