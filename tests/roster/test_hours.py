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


def test_opening_hours_are_the_union_over_days():
    # Weekdays 08:00-20:00, Saturday 09:00-13:00: the window is 08:00-20:00.
    ds = pd.date_range("2024-03-04", periods=7 * 48, freq="30min")
    tod = ds.hour * 60 + ds.minute
    weekday = (ds.day_of_week < 5) & (tod >= 480) & (tod < 1200)
    saturday = (ds.day_of_week == 5) & (tod >= 540) & (tod < 780)
    need = np.where(weekday | saturday, 4.0, 0.0)
    got = _windows(roster.shifts_for_hours(ds, need, interval_min=30))
    assert got == [("day", 480, 720, (480,), False), ("part", 480, 960, (240,), False)]


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
