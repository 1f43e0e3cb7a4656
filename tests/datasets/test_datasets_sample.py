"""The bundled sample centre: reproducible from its generator, shaped like the real data it copies."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from staffplan.datasets import WEEKDAY_FACTOR, WEEKDAY_PROFILE, generate_sample, load_sample
from staffplan.datasets._derive_profile import derive_profile
from staffplan.datasets._generate import events_to_csv, history_to_csv


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def _bundled(name: str) -> str:
    return resources.files("staffplan.datasets").joinpath(name).read_text(encoding="utf-8")


def test_bundled_files_are_reproduced_exactly_by_the_generator():
    history, events = generate_sample()
    assert history_to_csv(history) == _bundled("sample_history.csv")
    assert events_to_csv(events) == _bundled("sample_events.csv")


def test_load_sample_equals_generate_sample(sample):
    history, events = sample
    gen_history, gen_events = generate_sample()
    pd.testing.assert_frame_equal(history, gen_history)
    pd.testing.assert_frame_equal(events, gen_events)
    assert list(history.columns) == ["queue", "ds", "volume", "aht_s"]
    assert history["volume"].dtype == np.int64 and history["aht_s"].dtype == np.float64
    assert list(events.columns) == ["date", "start", "end", "name", "kind"]


def test_bundled_files_are_small():
    root = resources.files("staffplan.datasets")
    size = sum(
        len(root.joinpath(n).read_bytes()) for n in ("sample_history.csv", "sample_events.csv")
    )
    assert size < 300_000


@pytest.mark.realdata
def test_embedded_profile_matches_the_fpp2_calls_data(shared_data):
    # The constant tables are what _derive_profile computes from the public data.
    profile, factor = derive_profile(shared_data / "fpp2_calls" / "calls_30min.csv")
    assert profile == WEEKDAY_PROFILE
    assert factor == WEEKDAY_FACTOR


def test_opening_hours_sunday_and_holiday(sample):
    history, events = sample
    ds = history["ds"]
    assert not (ds.dt.day_of_week == 6).any()  # closed on Sunday
    holiday = events.loc[events["kind"] == "holiday", "date"].iloc[0]
    assert holiday.day_of_week < 5 and history["ds"].min() < holiday < history["ds"].max()
    assert not (ds.dt.normalize() == holiday).any()  # closed on the holiday
    hm = ds.dt.strftime("%H:%M")
    weekday = ds.dt.day_of_week < 5
    assert hm[weekday].min() == "07:00" and hm[weekday].max() == "20:30"
    sat = ds.dt.day_of_week == 5
    assert hm[sat].min() == "09:00" and hm[sat].max() == "16:30"
    per_day = history.groupby(["queue", ds.dt.normalize()]).size()
    assert set(per_day.unique()) == {28, 16}
    assert history["ds"].min() == pd.Timestamp("2026-01-05 07:00")
    assert history["ds"].max() == pd.Timestamp("2026-02-28 16:30")  # eight weeks


def test_intraday_shape_follows_the_bank_data(sample):
    # Volumes are noisy draws around the fpp2 profile: the average weekday share per slot of the
    # service queue (no evening tilt) stays close to the published profile it was built from.
    history, events = sample
    h = history[(history["queue"] == "service") & (history["ds"].dt.day_of_week < 5)].copy()
    special = set(events["date"]) | {d + pd.Timedelta(days=1) for d in events["date"]}
    h = h[~h["ds"].dt.normalize().isin(special)]
    h["day"] = h["ds"].dt.normalize()
    h["share"] = h["volume"] / h.groupby("day")["volume"].transform("sum")
    share = h.groupby(h["ds"].dt.strftime("%H:%M"))["share"].mean()
    expected = pd.Series(WEEKDAY_PROFILE)
    expected = expected / expected.sum()
    np.testing.assert_allclose(share[expected.index], expected, atol=0.003)
    # Sales peaks later in the day than service.
    s = history[history["queue"] == "sales"].groupby(history["ds"].dt.hour)["volume"].sum()
    v = history[history["queue"] == "service"].groupby(history["ds"].dt.hour)["volume"].sum()
    assert (s.loc[17:] / s.sum()).sum() > (v.loc[17:] / v.sum()).sum()


def test_weekly_pattern_monday_busiest_saturday_low(sample):
    history, _ = sample
    daily = history.groupby(history["ds"].dt.normalize())["volume"].sum()
    by_wd = daily.groupby(daily.index.day_of_week).mean()
    assert by_wd.idxmax() == 0
    assert 0.3 < by_wd[5] / by_wd[:5].mean() < 0.5  # Saturday 40 % of a weekday


def test_campaign_lifts_volume_inside_its_window(sample):
    history, events = sample
    past = events[(events["kind"] == "campaign") & (events["start"] < history["ds"].max())].iloc[0]
    h = history[history["ds"].dt.day_of_week == past["date"].day_of_week]
    in_window = (h["ds"].dt.time >= past["start"].time()) & (h["ds"].dt.time < past["end"].time())
    on_day = h["ds"].dt.normalize() == past["date"]
    for queue, lift in (("sales", 1.6), ("service", 1.2)):
        q = h["queue"] == queue
        campaign = h.loc[q & on_day & in_window, "volume"].sum()
        usual = h.loc[q & ~on_day & in_window].groupby(h["ds"].dt.normalize())["volume"].sum()
        assert campaign / usual.mean() == pytest.approx(lift, rel=0.12)
    # Outside the window the campaign day is an ordinary day.
    ratio = h.loc[on_day & ~in_window, "volume"].sum() / (
        h.loc[~on_day & ~in_window].groupby(h["ds"].dt.normalize())["volume"].sum().mean()
    )
    assert ratio == pytest.approx(1.0, abs=0.12)


def test_future_campaign_is_after_the_history(sample):
    history, events = sample
    future = events[events["start"] > history["ds"].max()]
    assert list(future["kind"]) == ["campaign"]
    assert future["date"].iloc[0] == pd.Timestamp("2026-03-03")  # first Tuesday after


def _extra_cv(ds: pd.Series, counts: pd.Series, keys: list[pd.Series]) -> float:
    """Median coefficient of variation beyond Poisson of the same slot over the weeks, Tue-Fri.

    For counts with mean m and variance v it is sqrt((v - m) / m^2): 0 for Poisson counts,
    the size of the day-to-day level wobble for real arrivals.
    """
    keep = ds.dt.day_of_week.between(1, 4).to_numpy()
    g = counts[keep].groupby(
        [k[keep] for k in keys] + [ds[keep].dt.day_of_week, ds[keep].dt.strftime("%H:%M")]
    )
    m, v = g.mean(), g.var()
    return float(np.sqrt(((v - m) / m**2).clip(lower=0)).median())


def test_counts_are_overdispersed(sample):
    history, events = sample
    h = history[~history["ds"].dt.normalize().isin(set(events["date"]))]
    # Poisson counts would give about 0 (sampling noise alone stays below 0.02 at these sizes).
    assert _extra_cv(h["ds"], h["volume"], [h["queue"]]) > 0.04


@pytest.mark.realdata
def test_overdispersion_matches_the_bank_data(sample, shared_data):
    # The same statistic on eight-week windows of the fpp2 calls series (the real data the
    # sample copies) ranges about 0.05-0.08; the sample must sit in that neighbourhood.
    calls = pd.read_csv(shared_data / "fpp2_calls" / "calls_30min.csv", parse_dates=["timestamp"])
    calls = calls[calls["n5"] == 6]
    real = []
    for first in pd.date_range("2003-03-03", "2003-08-25", freq="8W-MON"):
        part = calls[
            (calls["timestamp"] >= first) & (calls["timestamp"] < first + pd.Timedelta(weeks=8))
        ]
        real.append(_extra_cv(part["timestamp"], part["calls"], []))
    history, events = sample
    h = history[~history["ds"].dt.normalize().isin(set(events["date"]))]
    ours = _extra_cv(h["ds"], h["volume"], [h["queue"]])
    assert 0.8 * min(real) <= ours <= 1.2 * max(real)


def test_aht_is_realistic_and_higher_for_service(sample):
    history, _ = sample
    med = history.groupby("queue")["aht_s"].median()
    assert 240 <= med["sales"] <= 330 and 240 <= med["service"] <= 330
    assert med["service"] > med["sales"]
    assert (history["aht_s"] > 0).all() and history["aht_s"].notna().all()
    # Busier intervals carry a longer AHT.
    service = history[history["queue"] == "service"]
    assert np.corrcoef(service["volume"], service["aht_s"])[0, 1] > 0.1


def test_peak_needs_more_than_twenty_agents(sample):
    # Agents on the phones must exceed the offered traffic (Erlangs) for a stable queue, so a
    # combined peak traffic above 25 Erl means the peak needs more than 25 agents at any target.
    history, _ = sample
    traffic = history["volume"] * history["aht_s"] / 1800.0
    per_interval = traffic.groupby(history["ds"]).sum()
    typical_peak = per_interval.groupby(per_interval.index.normalize()).max().median()
    assert typical_peak > 25


def test_generator_is_seeded_and_sized():
    a, _ = generate_sample(weeks=2, seed=1)
    b, _ = generate_sample(weeks=2, seed=1)
    c, _ = generate_sample(weeks=2, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["volume"].equals(c["volume"])
    assert a["ds"].dt.normalize().nunique() == 2 * 6 - 1  # two weeks minus Sundays and the holiday


@pytest.mark.parametrize("interval_min, slots", [(15, 56), (60, 14)])
def test_generator_other_interval_lengths(interval_min, slots):
    h, _ = generate_sample(weeks=2, interval_min=interval_min, queues=("service",))
    weekday = h[h["ds"].dt.day_of_week < 5]
    assert weekday.groupby(weekday["ds"].dt.normalize()).size().eq(slots).all()
    assert (h["ds"].dt.minute % interval_min == 0).all()
    # The daily total does not depend on the interval length (same mean volume).
    h30, _ = generate_sample(weeks=2, queues=("service",))
    assert h["volume"].sum() == pytest.approx(h30["volume"].sum(), rel=0.05)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"weeks": 1}, "weeks must be >= 2, got 1"),
        ({"interval_min": 20}, "interval_min must be one of: 15, 30, 60; got 20"),
        ({"queues": ()}, "queues must be a non-empty tuple"),
        ({"queues": ("a", "a")}, "queues must be distinct"),
        ({"start": "soon"}, "start must be a date"),
    ],
)
def test_generator_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_sample(**kwargs)


def test_write_sample_regenerates_the_bundled_files(tmp_path):
    from staffplan.datasets._generate import write_sample

    history_path, events_path = write_sample(tmp_path)
    assert history_path.read_text(encoding="utf-8") == _bundled("sample_history.csv")
    assert events_path.read_text(encoding="utf-8") == _bundled("sample_events.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample_events.csv", "sample_history.csv"]


# -- round the clock (hours="24/7") ----------------------------------------------------------


@pytest.mark.parametrize("interval_min", [15, 30, 60])
def test_247_mode_is_open_round_the_clock_on_every_grid(interval_min):
    h, ev = generate_sample(
        hours="24/7", interval_min=interval_min, weeks=2, queues=("line",), events=False
    )
    per_day = h.groupby(h["ds"].dt.normalize()).size()
    assert len(per_day) == 14 and per_day.eq(24 * 60 // interval_min).all()
    assert ev.empty and list(ev.columns) == ["date", "start", "end", "name", "kind"]
    # Night floor under day peaks: 03:00 quieter than 11:00 by about the night level.
    by_hour = h.groupby(h["ds"].dt.hour)["volume"].mean()
    assert 0.08 < by_hour[3] / by_hour[11] < 0.25


def test_247_mode_steady_poisson_has_the_asked_mean_and_count_noise_only():
    # Reference: with no day effect, trend or weekly pattern and Poisson counts, each
    # hour is Poisson(20): mean 20, variance 20, and day totals vary like Poisson(480).
    h, _ = generate_sample(
        hours="24/7", interval_min=60, weeks=20, queues=("line",), daily_volume=480,
        weekday_factor=(1.0,) * 7, night_level=1.0, day_sigma=0.0, nb_shape=None,
        growth_per_week=0.0, events=False, seed=4,
    )  # fmt: skip
    v = h["volume"].to_numpy(float)
    assert v.mean() == pytest.approx(20.0, abs=3 * (20 / v.size) ** 0.5)
    assert v.var() == pytest.approx(20.0, rel=0.1)
    days = h.groupby(h["ds"].dt.normalize())["volume"].sum()
    assert days.std() == pytest.approx(480**0.5, rel=0.25)  # 140 days: chi sd about 6 %


def test_247_mode_day_level_has_the_asked_spread_and_persistence():
    # Reference: log day level z_d = 0.6 z_(d-1) + N(0, 0.06²), stationary sd
    # 0.06 / sqrt(1 - 0.36) = 0.075 and lag-one correlation 0.6; counts add 1/sqrt(4800).
    h, _ = generate_sample(
        hours="24/7", weeks=40, queues=("line",), daily_volume=4800, weekday_factor=(1.0,) * 7,
        day_sigma=0.06, day_ar=0.6, nb_shape=None, growth_per_week=0.0, events=False, seed=2,
    )  # fmt: skip
    z = np.log(h.groupby(h["ds"].dt.normalize())["volume"].sum().to_numpy())
    assert z.std() == pytest.approx((0.075**2 + 1 / 4800) ** 0.5, rel=0.2)
    assert np.corrcoef(z[:-1], z[1:])[0, 1] == pytest.approx(0.6, abs=0.15)


def test_247_mode_weekday_factors_and_a_worked_holiday():
    weekly = (1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 1.0)  # a Friday-Saturday weekend at half volume
    h, ev = generate_sample(
        hours="24/7", weeks=12, queues=("line",), weekday_factor=weekly, day_sigma=0.0,
        growth_per_week=0.0,
    )  # fmt: skip
    holiday = ev.loc[ev["kind"] == "holiday", "date"].iloc[0]
    day = h["ds"].dt.normalize()
    totals = h[day != holiday].groupby(day)["volume"].sum()
    wd = totals.index.day_of_week
    ratio = totals[np.isin(wd, (4, 5))].mean() / totals[~np.isin(wd, (4, 5))].mean()
    assert ratio == pytest.approx(0.5, rel=0.05)
    # The line works its holiday at half volume: its hours are present, and its total is
    # half that of the same weekday in other weeks (no day effect or trend here).
    assert (day == holiday).sum() == 48
    same_weekday = totals[wd == holiday.day_of_week].mean()
    held = h.loc[day == holiday, "volume"].sum()
    assert held / same_weekday == pytest.approx(0.5, rel=0.05)
    # and the day after it catches up by the generator's 10 % (one day: a few % of noise)
    after = holiday + pd.Timedelta(days=1)
    lift = totals[after] / totals[(wd == after.day_of_week) & (totals.index != after)].mean()
    assert lift == pytest.approx(1.10, abs=0.04)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"hours": "nights"}, "hours must be one of: 'day', '24/7'; got 'nights'"),
        ({"weekday_factor": (1.0,) * 7}, "weekday_factor is for hours='24/7'"),
        ({"hours": "24/7", "weekday_factor": (1.0,) * 6}, "must hold 7 factors.*got 6"),
        ({"hours": "24/7", "night_level": 0.0}, r"night_level must be in \(0, 1\]"),
        ({"day_ar": 1.0}, r"day_ar must be in \[0, 1\)"),
        ({"day_sigma": -0.1}, "day_sigma must be >= 0"),
        ({"nb_shape": 0}, "nb_shape must be > 0"),
        ({"daily_volume": -5}, "daily_volume must be > 0, got -5"),
    ],
)
def test_247_options_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_sample(**kwargs)
