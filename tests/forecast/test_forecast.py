"""Forecasts recover known shapes, respect opening hours, events and DST, and fail clearly."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from staffplan import forecast

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _synth import WEEKDAY_FACTOR, intraday_shape, make_history


def _truth(out: pd.DataFrame, daily_total: float = 2000.0, n_slots: int = 20) -> np.ndarray:
    shape = intraday_shape(n_slots)
    wd = out["ds"].dt.day_of_week.to_numpy()
    slot = ((out["ds"].dt.hour - 8) * 2 + out["ds"].dt.minute // 30).to_numpy()
    return daily_total * WEEKDAY_FACTOR[wd] * shape[slot]


def test_recovers_intraday_and_weekly_shape():
    hist, _ = make_history(weeks=12)
    out = forecast.forecast(hist, "7D")
    truth = _truth(out)
    # 5 weekdays × 20 open slots (08:00-18:00), weekend absent
    assert len(out) == 100
    assert set(out["ds"].dt.day_of_week) == {0, 1, 2, 3, 4}
    rel_err = np.abs(out["volume"].to_numpy() - truth).sum() / truth.sum()
    assert rel_err < 0.06
    assert np.corrcoef(out["volume"], truth)[0, 1] > 0.99
    daily = out.groupby(out["ds"].dt.day_of_week)["volume"].sum().to_numpy()
    np.testing.assert_allclose(
        daily / daily.mean(), WEEKDAY_FACTOR / WEEKDAY_FACTOR.mean(), rtol=0.04
    )


def test_fit_predict_equals_forecast_and_input_not_mutated():
    hist, _ = make_history(weeks=8)
    before = hist.copy()
    a = forecast.forecast(hist, "3D", quantiles=(0.1, 0.9), method="profile")
    b = forecast.VolumeForecaster(method="profile").fit(hist).predict("3D", quantiles=(0.1, 0.9))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(hist, before)
    assert list(a.columns) == ["queue", "ds", "volume", "volume_q0.1", "volume_q0.9"]


def test_unsorted_history_gives_the_same_forecast():
    hist, _ = make_history(weeks=8)
    shuffled = hist.sample(frac=1.0, random_state=3)
    # A week: the two days after this history are closed (an empty forecast proves nothing).
    a = forecast.forecast(hist, "7D", method="twostage")
    b = forecast.forecast(shuffled, "7D", method="twostage")
    assert a["volume"].sum() > 0
    pd.testing.assert_frame_equal(a, b)


def test_closed_slots_stay_closed_and_explicit_closed_ds_is_zero():
    hist, _ = make_history(weeks=8, open_hour=9, close_hour=17)
    # An int horizon counts intervals (336 half hours = one week); only the open ones come back.
    out = forecast.forecast(hist, 336, method="profile")
    assert len(out) == 5 * 16  # Monday-Friday, 09:00-17:00
    hours = out["ds"].dt.hour
    assert hours.min() >= 9 and hours.max() <= 16
    assert (out["ds"].dt.day_of_week < 5).all()
    last = hist["ds"].max()
    night = pd.DatetimeIndex([last.normalize() + pd.Timedelta(days=3, hours=2)])
    res = forecast.VolumeForecaster(method="profile").fit(hist).predict(night)
    assert res["volume"].iloc[0] == 0.0 and res["volume_q0.95"].iloc[0] == 0.0


def test_missing_weekday_is_not_learned_as_zero():
    hist, _ = make_history(weeks=8)
    # drop every Wednesday of the last three weeks: a holiday-like gap, not zero volume
    last = hist["ds"].max().normalize()
    gap = (hist["ds"].dt.day_of_week == 2) & (hist["ds"] > last - pd.Timedelta(days=20))
    out = forecast.forecast(hist[~gap], "7D")
    wed = out[out["ds"].dt.day_of_week == 2]
    assert len(wed) == 20
    truth = _truth(wed)
    assert abs(wed["volume"].sum() / truth.sum() - 1.0) < 0.08


def test_gaps_and_zeros_are_handled():
    hist, _ = make_history(weeks=6, daily_total=60.0, rng=5)
    hist = hist.drop(index=hist.index[100:160])  # a gap of rows
    assert (hist["volume"] == 0).any()  # low counts: many zero intervals
    with pytest.warns(UserWarning, match="history has no rows on 3 day"):  # the gap, named
        out = forecast.forecast(hist, "7D", quantiles=(0.05, 0.5, 0.95))
    vals = out[["volume", "volume_q0.05", "volume_q0.5", "volume_q0.95"]].to_numpy()
    assert np.isfinite(vals).all() and (vals >= 0).all()
    assert 0.5 < out["volume"].sum() / (60.0 * 5) < 1.5


def test_multiple_queues_and_aht_profile():
    a, _ = make_history(weeks=8, daily_total=1000.0, rng=1)
    b, _ = make_history(weeks=8, daily_total=3000.0, rng=2)
    a["queue"], b["queue"] = "billing", "sales"
    # AHT 300 s in the morning, 200 s in the afternoon for billing; flat 250 s for sales
    a["aht_s"] = np.where(a["ds"].dt.hour < 13, 300.0, 200.0)
    b["aht_s"] = 250.0
    hist = pd.concat([b, a], ignore_index=True)
    out = forecast.forecast(hist, "7D", method="profile")
    assert list(out["queue"].unique()) == ["billing", "sales"]
    assert "aht_s" in out
    bill = out[out["queue"] == "billing"]
    np.testing.assert_allclose(bill.loc[bill["ds"].dt.hour < 13, "aht_s"], 300.0)
    np.testing.assert_allclose(bill.loc[bill["ds"].dt.hour >= 13, "aht_s"], 200.0)
    ratio = out.groupby("queue")["volume"].sum()
    assert 2.6 < ratio["sales"] / ratio["billing"] < 3.4


def test_event_lift_is_recovered_and_applied():
    hist, _ = make_history(weeks=12, rng=7)
    days = pd.to_datetime(["2024-01-17", "2024-02-07", "2024-02-28", "2024-03-12"])
    lift = hist["ds"].dt.normalize().isin(days)
    hist.loc[lift, "volume"] = np.round(hist.loc[lift, "volume"] * 1.5)
    future_day = pd.Timestamp("2024-03-27")  # a Wednesday in the horizon
    events = pd.DataFrame({"date": [*days, future_day], "name": "mailing", "kind": "campaign"})
    model = forecast.VolumeForecaster().fit(hist, events=events)
    assert model.models_["all"].effects.factor["mailing"] == pytest.approx(1.5, rel=0.06)
    out = model.predict("14D")
    day = out["ds"].dt.normalize()
    lifted = out.loc[day == future_day, "volume"].sum()
    normal = out.loc[day == future_day + pd.Timedelta(days=7), "volume"].sum()
    assert lifted / normal == pytest.approx(1.5, rel=0.08)


def test_holidays_closed_in_history_and_unseen_holiday_fallbacks():
    hist, _ = make_history(weeks=10)
    closed_day = pd.Timestamp("2024-02-19")  # a Monday with no rows: the centre was closed
    hist = hist[hist["ds"].dt.normalize() != closed_day]
    events = pd.DataFrame(
        {
            "date": [
                closed_day,
                pd.Timestamp("2024-03-11"),
                pd.Timestamp("2024-03-12"),
                pd.Timestamp("2024-03-13"),
            ],
            "name": ["presidents_day", "presidents_day", "new_holiday", "promo"],
            "kind": ["holiday", "holiday", "holiday", "campaign"],
            "factor": [np.nan, np.nan, np.nan, 2.0],
        }
    )
    # The unseen holiday is forecast closed, and the forecast says so with the fix.
    with pytest.warns(UserWarning, match="'new_holiday' never occurs in history.*closed"):
        out = forecast.forecast(hist, "7D", events=events, method="profile")
    by_day = out.groupby(out["ds"].dt.normalize())["volume"].sum()
    assert by_day[pd.Timestamp("2024-03-11")] == 0.0  # learned: closed on this holiday
    assert by_day[pd.Timestamp("2024-03-12")] == 0.0  # unseen holiday, weekends closed → closed
    thu = by_day[pd.Timestamp("2024-03-14")]
    assert by_day[pd.Timestamp("2024-03-13")] == pytest.approx(2.0 * thu * 1.0 / 0.95, rel=0.1)


def test_unseen_campaign_without_factor_warns():
    hist, _ = make_history(weeks=6)
    events = pd.DataFrame({"date": [pd.Timestamp("2024-02-13")], "name": ["launch"]})
    with pytest.warns(UserWarning, match="never occurs in history"):
        forecast.forecast(hist, "7D", events=events, method="profile")


def test_dst_spring_forward_and_fall_back_tz_aware():
    # 24/7 centre in London: history spans the October 2023 fall-back, the horizon
    # crosses the 31 March 2024 spring-forward (01:00 → 02:00 local).
    idx = pd.date_range("2023-10-02", "2024-03-29 23:30", freq="30min", tz="Europe/London")
    hour = idx.hour + idx.minute / 60.0
    mean = 20.0 + 15.0 * np.sin(np.pi * hour / 24.0) ** 2
    gen = np.random.default_rng(11)
    hist = pd.DataFrame({"ds": idx, "volume": gen.poisson(mean).astype(float)})
    # the fall-back hour appears twice, with distinct instants: not duplicates
    assert (hist["ds"].dt.tz_localize(None).duplicated()).sum() == 2
    out = forecast.forecast(hist, "3D", method="profile")
    assert str(out["ds"].dt.tz) == "Europe/London"
    assert out["ds"].is_unique
    day = out[out["ds"].dt.normalize() == pd.Timestamp("2024-03-31", tz="Europe/London")]
    assert len(day) == 46  # one hour fewer on the spring-forward day
    assert not (day["ds"].dt.hour == 1).any()
    two_am = day.loc[day["ds"].dt.hour == 2, "volume"].iloc[0]
    assert two_am == pytest.approx(20.0 + 15.0 * np.sin(np.pi * 2 / 24) ** 2, rel=0.2)


def test_interval_length_and_horizon_forms():
    hist, _ = make_history(weeks=6, interval_min=15)
    model = forecast.VolumeForecaster(method="snaive").fit(hist)
    assert model.models_["all"].grid.interval_min == 15
    # 10 intervals of 15 min from the last history interval (Friday 17:45) reach 20:15 on a
    # centre closed from 18:00: the open ones of those, none; a week of them holds the next days.
    assert model.predict(10).empty
    by_count = model.predict(7 * 96)
    pd.testing.assert_frame_equal(by_count, model.predict("7D"))
    assert len(by_count) == 5 * 40 and (by_count["ds"].dt.hour >= 8).all()
    ds = by_count["ds"].iloc[[0, 3]]
    explicit = model.predict(ds)
    np.testing.assert_allclose(explicit["volume"], by_count["volume"].iloc[[0, 3]])


@given(
    level=st.floats(0.5, 400.0),
    zero_share=st.floats(0.0, 0.6),
    levels=st.lists(st.floats(0.01, 0.99), min_size=1, max_size=5, unique=True),
    seed=st.integers(0, 2**16),
)
def test_quantiles_monotone_and_nonnegative(level, zero_share, levels, seed):
    gen = np.random.default_rng(seed)
    hist, mean = make_history(weeks=5, daily_total=level * 20, noise=False)
    vol = gen.poisson(mean) * (gen.random(mean.size) > zero_share)
    hist["volume"] = vol.astype(float)
    out = forecast.forecast(hist, "3D", quantiles=levels, method="profile")
    order = np.argsort(levels)
    cols = [forecast.quantile_column(levels[i]) for i in order]
    q = out[cols].to_numpy()
    assert (q >= 0).all() and (out["volume"] >= 0).all()
    assert (np.diff(q, axis=1) >= 0).all()


# ----------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def small():
    return make_history(weeks=5)[0]


def test_duplicate_timestamp_names_queue_and_time(small):
    bad = pd.concat([small, small.iloc[[7]]], ignore_index=True)
    bad["queue"] = "sales"
    with pytest.raises(
        ValueError, match=r"duplicate timestamps for queue 'sales'.*2024-01-01 11:30"
    ):
        forecast.forecast(bad, "1D")


def test_negative_volume(small):
    bad = small.copy()
    bad.loc[3, "volume"] = -2.0
    with pytest.raises(ValueError, match=r"volume'\] must be >= 0, got -2"):
        forecast.forecast(bad, "1D")


def test_mixed_frequency(small):
    bad = small.copy()
    bad.loc[5, "ds"] = bad.loc[5, "ds"] + pd.Timedelta(minutes=10)
    with pytest.raises(ValueError, match="mixes frequencies"):
        forecast.forecast(bad, "1D")


def test_missing_columns_and_bad_options(small):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['volume'\]"):
        forecast.forecast(small.rename(columns={"volume": "calls"}), "1D")
    hist = small.rename(columns={"volume": "calls"})
    assert len(forecast.forecast(hist, "4D", volume_col="calls", method="snaive")) == 40
    with pytest.raises(ValueError, match="method must be one of"):
        forecast.forecast(small, "1D", method="prophet")
    with pytest.raises(ValueError, match=r"quantiles must be in \(0, 1\)"):
        forecast.forecast(small, "1D", quantiles=(0.5, 1.0), method="snaive")


def test_too_little_history_says_how_much(small):
    short = small[small["ds"] < "2024-01-20"]
    with pytest.raises(
        ValueError, match=r"covers 19 days \(.*\); method 'auto' needs at least 28 days"
    ):
        forecast.forecast(short, "1D")


def test_events_outside_calendar(small):
    early = pd.DataFrame({"date": ["2023-06-01"], "name": ["x"]})
    with pytest.raises(ValueError, match="outside the calendar: history starts on 2024-01-01"):
        forecast.forecast(small, "1D", events=early, method="profile")
    late = pd.DataFrame({"date": ["2025-06-02"], "name": ["y"], "factor": [1.2]})
    with pytest.raises(ValueError, match="outside the calendar: the forecast ends"):
        forecast.forecast(small, "4D", events=late, method="profile")
    with pytest.raises(ValueError, match=r"'date' column .* or 'start' and 'end'"):
        forecast.forecast(small, "1D", events=pd.DataFrame({"name": ["z"]}), method="profile")


def test_window_event_lifts_only_its_slots():
    hist, _ = make_history(weeks=10, rng=4)
    starts = pd.to_datetime(["2024-01-10 10:00", "2024-01-24 10:00", "2024-02-07 10:00"])
    inside = np.zeros(len(hist), dtype=bool)
    for s in starts:
        inside |= (hist["ds"] >= s) & (hist["ds"] < s + pd.Timedelta(hours=2))
    hist.loc[inside, "volume"] = np.round(hist.loc[inside, "volume"] * 2.0)
    future = pd.Timestamp("2024-03-13 10:00")  # a Wednesday in the horizon
    events = pd.DataFrame(
        {
            "start": [*starts, future],
            "end": [*(starts + pd.Timedelta(hours=2)), future + pd.Timedelta(hours=2)],
            "name": "tv_spot",
        }
    )
    model = forecast.VolumeForecaster(method="profile").fit(hist, events=events)
    assert model.models_["all"].effects.factor["tv_spot"] == pytest.approx(2.0, rel=0.08)
    out = model.predict("7D").set_index("ds")["volume"]
    thursday = pd.Timedelta(days=1)
    wed_to_thu = WEEKDAY_FACTOR[2] / WEEKDAY_FACTOR[3]
    # inside the window: twice the same slot on the Thursday (scaled by the weekday factors)
    assert out[future] / (out[future + thursday] * wed_to_thu) == pytest.approx(2.0, rel=0.15)
    # after the window: no lift
    later = future + pd.Timedelta(hours=3)
    assert out[later] / (out[later + thursday] * wed_to_thu) == pytest.approx(1.0, rel=0.15)


def test_new_event_name_takes_the_learned_effect_of_its_kind():
    # Three past "tv_spot" campaigns doubled volume for two hours; a future campaign
    # under a new name gets the campaign kind's learned factor on its own window.
    hist, _ = make_history(weeks=10, rng=4)
    starts = pd.to_datetime(["2024-01-10 10:00", "2024-01-24 10:00", "2024-02-07 10:00"])
    inside = np.zeros(len(hist), dtype=bool)
    for s in starts:
        inside |= (hist["ds"] >= s) & (hist["ds"] < s + pd.Timedelta(hours=2))
    hist.loc[inside, "volume"] = np.round(hist.loc[inside, "volume"] * 2.0)
    future = pd.Timestamp("2024-03-13 10:00")
    events = pd.DataFrame(
        {
            "start": [*starts, future],
            "end": [*(starts + pd.Timedelta(hours=2)), future + pd.Timedelta(hours=2)],
            "name": ["tv_spot"] * 3 + ["radio_spot"],
            "kind": "campaign",
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "never occurs in history" warning
        out = forecast.forecast(hist, "7D", events=events, method="profile").set_index("ds")
    vol = out["volume"]
    thursday = pd.Timedelta(days=1)
    wed_to_thu = WEEKDAY_FACTOR[2] / WEEKDAY_FACTOR[3]
    assert vol[future] / (vol[future + thursday] * wed_to_thu) == pytest.approx(2.0, rel=0.15)
    later = future + pd.Timedelta(hours=3)
    assert vol[later] / (vol[later + thursday] * wed_to_thu) == pytest.approx(1.0, rel=0.15)


def test_unseen_holiday_in_a_seven_day_centre_follows_the_nearest_weekend_day():
    hist, _ = make_history(weeks=8, weekdays=(0, 1, 2, 3, 4, 5, 6), rng=9)
    events = pd.DataFrame({"date": ["2024-03-01"], "name": ["founders_day"], "kind": "holiday"})
    out = forecast.forecast(hist, "7D", events=events, method="profile")
    by_day = out.groupby(out["ds"].dt.normalize())["volume"].sum()
    # a Friday holiday behaves like the Saturday (weekend factor 0.5 of 2000 here)
    assert by_day[pd.Timestamp("2024-03-01")] == pytest.approx(1000.0, rel=0.1)
    assert by_day[pd.Timestamp("2024-02-26")] == pytest.approx(2600.0, rel=0.1)


def test_horizon_starting_on_a_partial_last_day():
    ds = pd.date_range("2024-01-01", "2024-02-11 11:30", freq="30min")  # ends at noon, Sunday
    mean = np.where(ds.hour < 12, 10.0, 40.0) * np.where(ds.day_of_week == 6, 0.5, 1.0)
    hist = pd.DataFrame({"ds": ds, "volume": mean})
    out = forecast.forecast(hist, "18h", method="profile")
    assert out["ds"].iloc[0] == pd.Timestamp("2024-02-11 12:00")
    sunday_pm = out[out["ds"].dt.day_of_week == 6]
    monday_am = out[(out["ds"].dt.day_of_week == 0) & (out["ds"].dt.hour < 6)]
    np.testing.assert_allclose(sunday_pm["volume"], 20.0)
    np.testing.assert_allclose(monday_am["volume"], 10.0)
