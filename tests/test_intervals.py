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


# ------------------------------------------------------- the one home of interval_min
@pytest.mark.parametrize("step", [15, 30, 60])
def test_interval_min_for_infers_and_checks_a_given_length(step):
    # A split day (08-12 + 14-19) on each grid: the closed lunch gap is longer and ignored.
    day = pd.Timestamp("2024-01-01")
    ds = pd.date_range(
        day + pd.Timedelta(hours=8),
        day + pd.Timedelta(hours=12),
        freq=f"{step}min",
        inclusive="left",
    ).append(
        pd.date_range(
            day + pd.Timedelta(hours=14),
            day + pd.Timedelta(hours=19),
            freq=f"{step}min",
            inclusive="left",
        )
    )
    assert intervals.interval_min_for(ds) == step
    assert intervals.interval_min_for(ds, step) == step
    for other in {15, 30, 60} - {step}:
        with pytest.raises(
            ValueError,
            match=rf"intervals are {step} min apart, not "
            rf"interval_min={other}; pass interval_min={step}",
        ):
            intervals.interval_min_for(ds, other)


def test_interval_min_for_one_timestamp_takes_the_given_length_and_asks_otherwise():
    one = ["2024-01-01 08:00"]
    assert intervals.interval_min_for(one, 15) == 15
    with pytest.raises(ValueError, match=r"at least two distinct timestamps .* pass interval_min"):
        intervals.interval_min_for(one)


@pytest.mark.parametrize(
    "horizon, expected",
    [
        (48, "1D"),
        ("2D", "2D"),
        ("12h", "12h"),
        (pd.Timedelta("90min"), "90min"),
        (np.int64(3), "90min"),
    ],
)
def test_horizon_span_int_counts_intervals_and_durations_keep_their_unit(horizon, expected):
    assert intervals.horizon_span(horizon, 30) == pd.Timedelta(expected)


@pytest.mark.parametrize(
    "horizon, match",
    [
        (
            "7",
            r"horizon '7' has no unit: write '7D' for days or '7h' for hours, or give the "
            r"integer 7 for that many 30-min intervals",
        ),
        ("2.5", r"has no unit: write '2.5D' for days or '2.5h' for hours$"),
        ("45min", "a whole number of 30-min intervals"),
        ("0D", "a positive duration"),
        (0, "horizon must be >= 1, got 0"),
        ("2000D", "at most 1098 days"),
        ("soon", "a duration such as '7D'"),
        (np.timedelta64(7), "has no unit"),
    ],
)
def test_horizon_span_refuses_what_it_would_have_to_guess(horizon, match):
    with pytest.raises(ValueError, match=match):
        intervals.horizon_span(horizon, 30)
    with pytest.raises(TypeError, match=r"an int .* or a duration"):
        intervals.horizon_span(7.0, 30)


def test_parse_timestamp_text_reads_iso_and_stated_orders_only():
    iso = intervals.parse_timestamp_text(["2026-01-05 08:00", "2026-01-05T08:30:00", None])
    assert list(iso[:2]) == [pd.Timestamp("2026-01-05 08:00"), pd.Timestamp("2026-01-05 08:30")]
    assert pd.isna(iso[2])
    text = ["05/01/2026 08:00", "06/01/2026 08:00"]
    with pytest.raises(intervals.TimestampError, match="no stated day/month order") as info:
        intervals.parse_timestamp_text(text)
    assert info.value.row == 0
    assert intervals.parse_timestamp_text(text, dayfirst=True)[0] == pd.Timestamp(
        "2026-01-05 08:00"
    )
    assert intervals.parse_timestamp_text(text, dayfirst=False)[0] == pd.Timestamp(
        "2026-05-01 08:00"
    )
    with pytest.raises(intervals.TimestampError, match="four-digit year"):
        intervals.parse_timestamp_text(["05/01/26"], dayfirst=True)
    # Offsets that change across a DST switch come back in UTC, one instant each.
    utc = intervals.parse_timestamp_text(["2026-10-25 02:30+02:00", "2026-10-25 02:30+01:00"])
    assert str(utc.dt.tz) == "UTC" and utc.diff().iloc[1] == pd.Timedelta(hours=1)


@pytest.mark.parametrize("date_format", [None, "%Y-%m-%d"])
def test_a_year_outside_the_timestamp_range_is_named_by_row(date_format):
    # '-1' reads as the year -1 (pandas 3 parses it at a coarser unit, pandas 2 raises);
    # either way the row is named, never a raw pandas OutOfBoundsDatetime.
    text = ["2026-01-05", "-1" if date_format is None else "0001-01-05"]
    with pytest.raises(intervals.TimestampError) as info:
        intervals.parse_timestamp_text(text, date_format=date_format)
    assert info.value.row == 1


def test_wall_time_keeps_the_zone_clock_and_missing_values():
    # Hand-stated: 09:00 at +02:00 is 09:00 on the wall; a shift without lunch keeps NaT.
    aware = pd.DatetimeIndex(["2026-03-02 09:00"]).tz_localize("Europe/Berlin")
    assert intervals.wall_time(aware)[0] == pd.Timestamp("2026-03-02 09:00")
    mixed = pd.Series([pd.Timestamp("2026-03-02 12:00"), pd.NaT])
    out = intervals.wall_time(mixed)
    assert out[0] == pd.Timestamp("2026-03-02 12:00") and pd.isna(out[1])
    with pytest.raises(ValueError, match="ds"):
        intervals.wall_time(["05/01/2026 09:00"])


# Hand-checkable clock changes (tz database rules): Europe/London goes back from
# 02:00 BST (UTC+1) to 01:00 GMT on Sunday 25 October 2026 and forward from 01:00 GMT
# to 02:00 BST on Sunday 29 March 2026; America/New_York goes back from 02:00 EDT to
# 01:00 EST on Sunday 1 November 2026.
@pytest.mark.parametrize(
    ("start", "end", "tz", "hours"),
    [
        # 19:00 BST = 18:00 UTC to 03:00 GMT = 03:00 UTC: 9 h for 8 h on the clock.
        ("2026-10-24 19:00", "2026-10-25 03:00", "Europe/London", 9.0),
        # 19:00 GMT = 19:00 UTC to 03:00 BST = 02:00 UTC: 7 h.
        ("2026-03-28 19:00", "2026-03-29 03:00", "Europe/London", 7.0),
        ("2026-06-06 19:00", "2026-06-07 03:00", "Europe/London", 8.0),
        # 19:00 EDT = 23:00 UTC to 03:00 EST = 08:00 UTC: 9 h.
        ("2026-10-31 19:00", "2026-11-01 03:00", "America/New_York", 9.0),
        # Inside the repeated hour a lunch keeps its clock length, not 90 min.
        ("2026-10-25 01:30", "2026-10-25 02:00", "Europe/London", 0.5),
        ("2026-10-25 01:00", "2026-10-25 01:30", "Europe/London", 0.5),
        # Ending inside it: the first time the clock shows 01:30 (00:30 UTC).
        ("2026-10-24 19:00", "2026-10-25 01:30", "Europe/London", 6.5),
        # Starting in the skipped hour: at 02:00 BST, the moment the clocks jump.
        ("2026-03-29 01:30", "2026-03-29 09:30", "Europe/London", 7.5),
        # Without a zone: the wall-clock difference.
        ("2026-10-24 19:00", "2026-10-25 03:00", None, 8.0),
    ],
)
def test_elapsed_hours_across_clock_changes(start, end, tz, hours):
    assert intervals.elapsed_hours(start, end, tz=tz).tolist() == [hours]


def test_elapsed_hours_takes_arrays_series_aware_times_and_missing_values():
    start = pd.Series(pd.to_datetime(["2026-10-24 19:00", "2026-10-24 19:00", None]))
    end = pd.Series(pd.to_datetime(["2026-10-25 03:00", "2026-10-24 23:00", "2026-10-25 03:00"]))
    out = intervals.elapsed_hours(start, end, tz="Europe/London")
    np.testing.assert_array_equal(out, [9.0, 4.0, np.nan])
    # One start against several ends.
    many = intervals.elapsed_hours("2026-10-24 19:00", list(end[:2]), tz="Europe/London")
    np.testing.assert_array_equal(many, [9.0, 4.0])
    aware = start[:1].dt.tz_localize("Europe/London")
    on_clock = end[:1].dt.tz_localize("Europe/London")
    assert intervals.elapsed_hours(aware, on_clock).tolist() == [9.0]
    assert intervals.elapsed_hours([], []).shape == (0,)


def test_elapsed_hours_refuses_what_it_cannot_measure():
    with pytest.raises(ValueError, match="tz must be a time zone"):
        intervals.elapsed_hours("2026-10-24 19:00", "2026-10-25 03:00", tz="Mars/Olympus")
    with pytest.raises(ValueError, match="both be tz-aware or both naive"):
        intervals.elapsed_hours(
            pd.Timestamp("2026-10-24 19:00", tz="UTC"), pd.Timestamp("2026-10-25 03:00")
        )
    with pytest.raises(ValueError, match="equal lengths, got 2 and 3"):
        intervals.elapsed_hours(["2026-01-01"] * 2, ["2026-01-02"] * 3)


def test_clock_changed_names_the_repeated_and_the_skipped_hour():
    # Europe/London: 01:00-01:59 repeats on 25 October 2026 and is skipped on 29 March 2026.
    ts = ["2026-10-25 00:30", "2026-10-25 01:00", "2026-10-25 01:30", "2026-10-25 02:00",
          "2026-03-29 00:30", "2026-03-29 01:00", "2026-03-29 01:30", "2026-03-29 02:00", None]  # fmt: skip
    both = intervals.clock_changed(ts, "Europe/London")
    assert both.tolist() == [False, True, True, False, False, True, True, False, False]
    skipped = intervals.clock_changed(ts, "Europe/London", skipped_only=True)
    assert skipped.tolist() == [False, False, False, False, False, True, True, False, False]
    assert not intervals.clock_changed(ts, None).any()
