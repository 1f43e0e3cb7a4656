"""The interval grid: frequency inference, wall-clock slots, DST-safe future grids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import intervals


def test_infer_interval_min_ignores_closed_hours_and_missing_days():
    day1 = pd.date_range("2024-01-01 08:00", "2024-01-01 17:30", freq="30min")
    day3 = pd.date_range("2024-01-03 08:00", "2024-01-03 17:30", freq="30min")
    assert intervals.infer_interval_min(day1.append(day3)) == 30


def test_mixed_frequency_is_named():
    ds = pd.DatetimeIndex(
        ["2024-01-01 08:00", "2024-01-01 08:30", "2024-01-01 09:00", "2024-01-01 09:45"]
    )
    with pytest.raises(
        ValueError, match="mixes frequencies: 2024-01-01 09:45:00 is not on the 30-minute grid"
    ):
        intervals.infer_interval_min(ds)
    with pytest.raises(ValueError, match="at least two distinct timestamps"):
        intervals.infer_interval_min(ds[:1])


def test_slot_day_weekday_use_local_wall_clock():
    ds = pd.DatetimeIndex(["2024-07-01 23:30"]).tz_localize("America/New_York")
    assert intervals.slot_of_day(ds, 30).tolist() == [47]
    assert intervals.local_day(ds)[0] == pd.Timestamp("2024-07-01")
    assert intervals.weekday(ds).tolist() == [0]
    assert intervals.slots_per_day(15) == 96


def test_future_grid_spring_forward_new_york():
    # 2024-03-10: clocks jump from 02:00 to 03:00 in New York
    last = pd.Timestamp("2024-03-09 23:30", tz="America/New_York")
    grid = intervals.future_grid(last, 46, 30)
    day = grid[grid.normalize() == pd.Timestamp("2024-03-10", tz="America/New_York")]
    assert len(day) == 46
    assert not (day.hour == 2).any()
    assert np.all(np.diff(grid.asi8) == 30 * 60 * 10**9)


def test_future_grid_fall_back_repeats_the_wall_slot():
    # 2024-11-03: 01:00–02:00 happens twice in New York
    last = pd.Timestamp("2024-11-02 23:30", tz="America/New_York")
    grid = intervals.future_grid(last, 50, 30)
    slots = intervals.slot_of_day(grid, 30)
    assert (slots == 2).sum() == 2 and (slots == 3).sum() == 2
    assert grid.is_unique
    assert intervals.local_day(grid).nunique() == 1


def test_naive_grid_is_plain_arithmetic():
    grid = intervals.future_grid(pd.Timestamp("2024-01-01 23:00"), 3, 60)
    assert list(grid.hour) == [0, 1, 2]
