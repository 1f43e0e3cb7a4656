"""Default shift types fitted to opening hours (``roster.shifts_for_hours``).

Reference values are hand arithmetic on the clock: a shift of length L fits an
opening from O to C when it starts between O and C - L.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import roster


def _day(open_hhmm: str, close_hhmm: str, interval_min: int = 30, days: int = 2):
    ds = pd.date_range("2024-03-04", periods=days * 1440 // interval_min, freq=f"{interval_min}min")
    tod = ds.hour * 60 + ds.minute
    lo = int(open_hhmm[:2]) * 60 + int(open_hhmm[3:])
    hi = int(close_hhmm[:2]) * 60 + int(close_hhmm[3:])
    is_open = (tod >= lo) & (tod < hi) if lo < hi else (tod >= lo) | (tod < hi)
    return ds, np.where(is_open, 7.0, 0.0)


def _windows(rules):
    return [
        (r.name, r.earliest_start, r.latest_start, r.lengths_min, r.crosses_midnight) for r in rules
    ]


def test_a_day_centre_gets_starts_from_opening_to_the_last_that_ends_by_closing():
    ds, need = _day("07:00", "21:00")
    got = _windows(roster.shifts_for_hours(ds, need, interval_min=30))
    # 8 h: 07:00 .. 21:00 - 8 h = 13:00; 4 h: 07:00 .. 17:00.
    assert got == [("day", 420, 780, (480,), False), ("part", 420, 1020, (240,), False)]


def test_a_round_the_clock_centre_starts_at_every_step_and_crosses_midnight():
    ds, _ = _day("00:00", "00:00", interval_min=15)
    rules = roster.shifts_for_hours(ds, np.full(len(ds), 3.0), interval_min=15)
    assert _windows(rules) == [
        ("day", 0, 1410, (480,), True),
        ("part", 0, 1410, (240,), True),
    ]
    assert rules[0].start_step_min == 30


def test_a_night_centre_wraps_past_midnight():
    # Open 18:00-06:00: 8 h starts 18:00..22:00 (ending after midnight); 4 h starts
    # 18:00..02:00, split at midnight into an evening and an after-midnight type.
    ds, need = _day("18:00", "06:00")
    got = _windows(roster.shifts_for_hours(ds, need, interval_min=30))
    assert got == [
        ("day", 1080, 1320, (480,), True),
        ("part", 1080, 1410, (240,), True),
        ("part (after midnight)", 0, 120, (240,), False),
    ]


def test_short_opening_hours_shorten_the_shift_and_drop_duplicates():
    ds, need = _day("09:00", "12:00", interval_min=60)
    got = _windows(roster.shifts_for_hours(ds, need, interval_min=60))
    assert got == [("day", 540, 540, (180,), False)]


def test_each_weekday_gets_the_starts_of_its_own_hours():
    # Weekdays 08:00-20:00, Saturday 09:00-13:00, Sunday closed: Monday-Friday start
    # 08:00..12:00 (8 h) and 08:00..16:00 (4 h); Saturday's 4 h cut both lengths to one
    # 4 h type starting at 09:00 only (not at 08:00, before it opens).
    ds = pd.date_range("2024-03-04", periods=7 * 48, freq="30min")
    tod = ds.hour * 60 + ds.minute
    weekday = (ds.day_of_week < 5) & (tod >= 480) & (tod < 1200)
    saturday = (ds.day_of_week == 5) & (tod >= 540) & (tod < 780)
    need = np.where(weekday | saturday, 4.0, 0.0)
    rules = roster.shifts_for_hours(ds, need, interval_min=30)
    assert [(*w, r.days) for w, r in zip(_windows(rules), rules, strict=True)] == [
        ("day", 480, 720, (480,), False, (0, 1, 2, 3, 4)),
        ("day (Sat)", 540, 540, (240,), False, (5,)),
        ("part", 480, 960, (240,), False, (0, 1, 2, 3, 4)),
    ]


def test_same_hours_on_every_open_day_keep_one_type_per_length():
    # Open Sunday-Thursday 08:00-20:00 (a Friday-Saturday weekend): the days it opens
    # all have the same hours, so the types are those of one day, on any weekday.
    ds = pd.date_range("2024-03-04", periods=7 * 48, freq="30min")
    tod = ds.hour * 60 + ds.minute
    need = np.where(~ds.day_of_week.isin([4, 5]) & (tod >= 480) & (tod < 1200), 4.0, 0.0)
    rules = roster.shifts_for_hours(ds, need, interval_min=30)
    assert _windows(rules) == [("day", 480, 720, (480,), False), ("part", 480, 960, (240,), False)]
    assert all(r.days is None for r in rules)


def test_the_fitted_types_roster_a_centre_with_hours_the_old_defaults_missed():
    # 05:00-23:00: the fixed 07:00 defaults left the first and last two hours empty.
    ds, need = _day("05:00", "23:00", interval_min=60, days=1)
    rules = roster.shifts_for_hours(ds, need, interval_min=60)
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}),
        interval_min=60,
        shifts=rules,
        lunch=None,
        span=None,
    )
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.ok
    assert res.coverage["shortage"].sum() == 0
    assert roster.check(inst, res.roster) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"required": [1.0]}, "required must have one value per ds, got 1 values for 48"),
        ({"names": ("a",)}, "names must name each of lengths_min, got 1 names for 2 lengths"),
        ({"start_step_min": 45}, "start_step_min must be a multiple of interval_min=30, got 45"),
        ({"lengths_min": (480, 10)}, "lengths_min"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, message):
    ds, need = _day("07:00", "21:00", days=1)
    args = {"ds": ds, "required": need, "interval_min": 30, **kwargs}
    with pytest.raises(ValueError, match=message):
        roster.shifts_for_hours(**args)


# -- irregular opening hours: open blocks and split shifts -------------------------------------


def _split_day(interval_min: int = 30, days: int = 2, need: float = 7.0):
    """Open 08:00-12:00 and 14:00-19:00."""
    ds = pd.date_range("2024-03-04", periods=days * 1440 // interval_min, freq=f"{interval_min}min")
    tod = ds.hour * 60 + ds.minute
    is_open = ((tod >= 480) & (tod < 720)) | ((tod >= 840) & (tod < 1140))
    return ds, np.where(is_open, need, 0.0)


def test_open_blocks_by_hand():
    day = np.zeros(48, dtype=bool)
    day[16:24] = day[28:38] = True  # 08:00-12:00, 14:00-19:00 on a 30-min grid
    assert roster.open_blocks(day, 2) == [(16, 8), (28, 10)]
    # A closure shorter than the minimum does not split the day.
    assert roster.open_blocks(day, 5) == [(16, 22)]
    night = np.zeros(48, dtype=bool)
    night[36:] = night[:12] = True  # 18:00-06:00
    assert roster.open_blocks(night, 2) == [(36, 24)]
    assert roster.open_blocks(np.ones(48, dtype=bool), 2) == [(0, 48)]


@pytest.mark.parametrize("interval_min", [15, 30, 60])
def test_a_split_day_gets_shift_types_per_block_and_none_straddles_the_closure(interval_min):
    ds, need = _split_day(interval_min)
    rules = roster.shifts_for_hours(ds, need, interval_min=interval_min)
    # 08:00-12:00 is 4 h: both lengths fit to 4 h from 08:00; 14:00-19:00 is 5 h: 8 h is cut
    # to 5 h from 14:00, 4 h starts 14:00..15:00.
    got = [(r.name, r.earliest_start, r.latest_start, r.lengths_min) for r in rules]
    assert got == [
        ("day (08:00-12:00)", 480, 480, (240,)),
        ("day (14:00-19:00)", 840, 840, (300,)),
        ("part (14:00-19:00)", 840, 900, (240,)),
    ]
    for r in rules:
        for start in r.start_mins:
            for length in r.lengths_min:
                assert start + length <= 720 or start >= 840


def test_split_shifts_are_offered_per_pair_of_blocks():
    ds, need = _split_day()
    rules = roster.shifts_for_hours(ds, need, interval_min=30, split=True)
    split = [r for r in rules if r.is_split]
    assert len(split) == 1
    s = split[0]
    # Work 08:00-12:00, away 12:00-14:00, work 14:00-19:00: 11 h from start to end.
    assert (s.earliest_start, s.latest_start, s.lengths_min) == (480, 480, (660,))
    assert (s.split_after_min, s.split_gap_min) == (240, 120)


def test_a_split_shift_roster_by_hand():
    # 7 agents in both blocks and only the split type: 7 split shifts, each paid 9 h (11 h
    # less the 2 h gap), nobody on the floor 12:00-14:00, no lunch (the gap replaces it).
    ds, need = _split_day(days=1)
    split = [
        r for r in roster.shifts_for_hours(ds, need, interval_min=30, split=True) if r.is_split
    ]
    inst = roster.make_instance(
        pd.DataFrame({"ds": ds, "required": need}),
        interval_min=30,
        shifts=split,
        span=None,
    )
    res = roster.solve(inst, time_limit_s=5, num_workers=1)
    assert res.ok and roster.check(inst, res.roster) == []
    r = res.roster
    assert len(r) == 7 and (r["paid_h"] == 9.0).all()
    assert (r["lunch_start"] == pd.Timestamp("2024-03-04 12:00")).all()
    assert (r["lunch_end"] == pd.Timestamp("2024-03-04 14:00")).all()
    cov = res.coverage.set_index("ds")
    assert cov.loc["2024-03-04 12:00":"2024-03-04 13:30", "on_floor"].eq(0).all()
    assert cov["shortage"].sum() == 0 and cov["surplus"].sum() == 0
    # The checker wants the gap where the rule puts it.
    moved = r.copy()
    moved["lunch_start"] = moved["lunch_start"] + pd.Timedelta(minutes=30)
    assert any("split shift needs its gap" in p for p in roster.check(inst, moved))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"split_after_min": 240}, "split_after_min and split_gap_min go together"),
        ({"split_after_min": 240, "split_gap_min": 240}, "lengths_min must exceed"),
    ],
)
def test_split_rules_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        roster.ShiftRules("s", "08:00", "08:00", lengths_min=(480,), **kwargs)


def test_rules_make_instance_fits_an_array_requirement_as_a_frame_one():
    # An array with start= is read as make_instance reads it: the night centre's fitted
    # types are the same as for the frame with the same timestamps (hand rule above).
    ds, need = _day("18:00", "06:00")
    rules = roster.Rules.defaults(30)
    frame = pd.DataFrame({"ds": ds, "required": need})
    from_frame = rules.make_instance(frame, interval_min=30)
    from_array = rules.make_instance(need, interval_min=30, start=ds[0])
    assert _windows(from_array.shifts) == _windows(from_frame.shifts)
    assert _windows(from_array.shifts)[0] == ("day", 1080, 1320, (480,), True)
    np.testing.assert_array_equal(from_array.required, from_frame.required)
    with pytest.raises(ValueError, match="requirements"):
        rules.make_instance(np.array([[1.0, 2.0]]), interval_min=30, start=ds[0])
