"""Weekly rest days other than Sunday, and gaps in a 24/7 history.

Each history is generated with a known weekday set, a known lift on the day
after the weekly rest day (a backlog) and a known evening surge that day; the
forecast must leave the rest days out (absent, not zero) and reproduce both.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _synth import intraday_shape

from staffplan import datasets, forecast

DAILY = 2000.0
LIFT = 1.4  # the day after the weekly rest day
EVENING = 1.5  # and its 17:00-19:00 surge on top


def _centre(open_days: tuple[int, ...], after_rest: int, *, weeks: int = 10, rng: int = 0):
    """08:00-20:00, 30-min slots, Monday 2024-01-01 onwards; weekdays Monday = 0."""
    gen = np.random.default_rng(rng)
    shape = intraday_shape(24)
    hours = 8 + 0.5 * np.arange(24)
    evening = (hours >= 17) & (hours < 19)
    slots = pd.to_timedelta(8 * 60 + 30 * np.arange(24), unit="min")
    frames = []
    for day in pd.date_range("2024-01-01", periods=7 * weeks, freq="D"):
        if day.day_of_week not in open_days:
            continue
        mu = DAILY * shape
        if day.day_of_week == after_rest:
            mu = LIFT * mu * np.where(evening, EVENING, 1.0)
        frames.append(pd.DataFrame({"ds": day + slots, "volume": gen.poisson(mu)}))
    return pd.concat(frames, ignore_index=True).astype({"volume": float}), evening


CENTRES = {
    "friday-saturday weekend": ((6, 0, 1, 2, 3), 6),
    "closed on sunday only": ((0, 1, 2, 3, 4, 5), 0),
    "six days, closed on friday": ((5, 6, 0, 1, 2, 3), 5),
}


@pytest.mark.parametrize("name", list(CENTRES))
def test_rest_days_are_absent_and_the_day_after_keeps_its_backlog(name):
    open_days, after_rest = CENTRES[name]
    hist, evening = _centre(open_days, after_rest)
    out = forecast.forecast(hist, "14D")  # method auto, as a planner runs it
    wd = out["ds"].dt.day_of_week
    assert set(wd) == set(open_days)  # rest days absent, not forecast as zero
    assert len(out) == 2 * len(open_days) * 24
    day = out.groupby(out["ds"].dt.normalize())["volume"].sum()
    after = day[day.index.day_of_week == after_rest].mean()
    others = day[day.index.day_of_week != after_rest].mean()
    day_lift = LIFT * (1 + (EVENING - 1) * intraday_shape(24)[evening].sum())
    assert after / others == pytest.approx(day_lift, rel=0.05)
    slot = ((out["ds"].dt.hour - 8) * 2 + out["ds"].dt.minute // 30).to_numpy()
    eve = evening[slot]
    ev_after = out.loc[(wd == after_rest).to_numpy() & eve, "volume"].sum() / 2
    ev_other = out.loc[(wd != after_rest).to_numpy() & eve, "volume"].sum() / (
        2 * (len(open_days) - 1)
    )
    assert ev_after / ev_other == pytest.approx(LIFT * EVENING, rel=0.06)


def test_an_unseen_holiday_in_a_friday_saturday_centre_is_closed_like_its_weekend():
    hist, _ = _centre((6, 0, 1, 2, 3), 6, weeks=6)
    events = pd.DataFrame({"date": ["2024-02-13"], "name": ["national day"], "kind": "holiday"})
    with pytest.warns(UserWarning, match="its nearest weekly rest day is closed"):
        out = forecast.forecast(hist, "14D", events=events, method="profile")
    day = out.groupby(out["ds"].dt.normalize())["volume"].sum()
    assert day[pd.Timestamp("2024-02-13")] == 0.0  # Tuesday: nearest rest day Saturday, closed
    assert day[pd.Timestamp("2024-02-14")] > 0.5 * DAILY


def test_a_seven_day_centre_with_a_quiet_friday_and_saturday_maps_an_unseen_holiday_there():
    # Open every day; Friday and Saturday at 40% (the local weekend). A Monday holiday with
    # no holiday in history behaves like the nearest quiet day: Saturday, at 40%.
    hist, _ = datasets.generate_sample(
        hours="24/7", interval_min=60, weeks=8, start="2024-01-01", queues=("line",), seed=4,
        daily_volume=2400.0, weekday_factor=(1.0, 1.0, 1.0, 1.0, 0.4, 0.4, 1.0),
        night_level=1.0, day_sigma=0.0, nb_shape=None, growth_per_week=0.0, events=False,
    )  # fmt: skip
    events = pd.DataFrame({"date": ["2024-02-26"], "name": ["founders day"], "kind": "holiday"})
    out = forecast.forecast(hist, "7D", events=events, method="profile")
    day = out.groupby(out["ds"].dt.normalize())["volume"].sum()
    assert day[pd.Timestamp("2024-02-26")] / day[pd.Timestamp("2024-02-27")] == pytest.approx(
        0.4, rel=0.1
    )


def _hours_247(
    weeks: int = 6, tz: str | None = None, start: str = "2024-01-01", interval_min: int = 30
):
    """A steady line from the shared 24/7 generator: about 40 contacts an interval on any
    grid, the night at 60 % of the peak, no day-to-day wander, trend or events.

    With ``tz`` the stamps are localised; the hour a spring-forward skips does not exist on
    the wall clock and is dropped, as a real time-zone-aware export has no rows for it.
    """
    hist, _ = datasets.generate_sample(
        hours="24/7", interval_min=interval_min, weeks=weeks, start=start, queues=("line",),
        seed=2, daily_volume=40.0 * 24 * 60 / interval_min, night_level=0.6, day_sigma=0.0,
        growth_per_week=0.0, events=False,
    )  # fmt: skip
    if tz is not None:
        hist["ds"] = hist["ds"].dt.tz_localize(tz, nonexistent="NaT", ambiguous="raise")
        hist = hist.dropna(subset=["ds"]).reset_index(drop=True)
    return hist


@pytest.mark.parametrize(("interval_min", "n"), [(15, 12), (30, 6), (60, 3)])
def test_a_247_history_with_missing_hours_warns_naming_the_gap(interval_min, n):
    hist = _hours_247(interval_min=interval_min)
    night = (hist["ds"] >= "2024-01-10 02:00") & (hist["ds"] < "2024-01-10 05:00")
    gap = rf"{n} interval\(s\) inside open hours: 2024-01-10 02:00-05:00 \({n} intervals\)"
    with pytest.warns(UserWarning, match=gap):
        out = forecast.forecast(hist[~night], "7D", method="profile")
    # the gap is missing, not zero: that Wednesday night is forecast like the others
    wed = out[(out["ds"].dt.day_of_week == 2) & out["ds"].dt.hour.isin([2, 3, 4])]
    thu = out[(out["ds"].dt.day_of_week == 3) & out["ds"].dt.hour.isin([2, 3, 4])]
    assert wed["volume"].sum() / thu["volume"].sum() == pytest.approx(1.0, rel=0.1)


def test_no_gap_warning_for_a_dst_change_new_hours_or_a_partial_last_day():
    # London 24/7 across the 31 March spring-forward (01:00-02:00 does not exist), ending
    # at noon; a weekday centre that opens two hours later from its fifth week on.
    hist = _hours_247(weeks=6, tz="Europe/London", start="2024-03-04")
    hist = hist[hist["ds"] < pd.Timestamp("2024-04-14 12:00", tz="Europe/London")]
    days = pd.bdate_range("2024-01-01", periods=40)
    rows = [
        d + pd.Timedelta(minutes=30 * k)
        for i, d in enumerate(days)
        for k in range(16 if i < 20 else 20, 36)
    ]
    late = pd.DataFrame({"ds": rows, "volume": 10.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        forecast.forecast(hist, "2D", method="profile")
        forecast.forecast(late, "4D", method="profile")  # to the Monday after
