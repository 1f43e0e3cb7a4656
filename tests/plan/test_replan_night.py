"""A night centre (open 22:00-06:00) is re-levelled on its operating day, the night since 22:00.

Made-up history: every night the same shape times a night level (lognormal, sd 0.25) shared
by all its slots, so the night's first hours say how the rest of it runs and the update
learns to trust them (the weight is well above 0).  Hand-checkable rule (docs/intraday.md):
after ``k`` slots of the night, ``x = log((Y + 1) / (F + 1))`` over the night's slots seen so
far and the rest of the night is scaled by ``exp(w_k x)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan import datasets, forecast, intervals
from staffplan.forecast._update import _operating_days, day_of_now
from staffplan.plan import replan

NIGHT = pd.Timestamp("2024-03-11 22:00")  # the first night of the plan
NOW = pd.Timestamp("2024-03-12 02:00")
OPEN_MIN = 22 * 60


def night_history(weeks: int = 10, seed: int = 3) -> pd.DataFrame:
    """Nights 22:00-06:00 on a 30-min grid, from 1 January 2024 to 11 March 06:00."""
    rng = np.random.default_rng(seed)
    offsets = np.arange(16) * 30  # minutes after 22:00
    shape = 30.0 * np.exp(-0.5 * ((offsets - 90) / 150) ** 2) + 4.0
    level = np.exp(rng.normal(0.0, 0.25, size=7 * weeks))
    frames = []
    for n, lev in enumerate(level):
        ds = pd.Timestamp("2024-01-01 22:00") + pd.Timedelta(days=n)
        ds = ds + pd.to_timedelta(offsets, unit="min")
        vol = rng.poisson(shape * lev).astype(float)
        frames.append(pd.DataFrame({"ds": ds, "volume": vol, "aht_s": 300.0}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def night_plan():
    return staffplan.plan(
        night_history(),
        horizon="2D",
        start="2024-03-11 06:00",
        time_limit_s=3.0,
        num_workers=1,
        simulate=False,
        rng=1,
    )


def actuals(plan, now: pd.Timestamp, *, before_midnight: float = 1.0) -> pd.DataFrame:
    """The night so far: the plan's forecast rounded, the hours before 00:00 times a factor."""
    fc = plan.forecast
    seen = fc[fc["ds"] < now]
    vol = seen["volume"].round().to_numpy()
    vol = np.where(seen["ds"].dt.hour >= 22, vol * before_midnight, vol)
    return pd.DataFrame({"ds": seen["ds"].to_numpy(), "volume": vol})


def rerun(plan, now: pd.Timestamp, **kw):
    return replan(plan, actuals(plan, now, **kw), now, simulate=False, time_limit_s=3.0)


def volume_at(fc: pd.DataFrame, lo: str, hi: str) -> pd.Series:
    sel = (fc["ds"] >= pd.Timestamp(lo)) & (fc["ds"] < pd.Timestamp(hi))
    return fc.loc[sel].set_index("ds")["volume"]


def test_the_operating_day_of_a_timestamp_and_of_now():
    # By hand: at 02:00 the night began at 22:00 the day before; 8 half hours are seen.
    day, k = day_of_now(NOW, 30, OPEN_MIN)
    assert (day, k) == (pd.Timestamp("2024-03-11"), 8)
    assert day_of_now(NOW, 30) == (pd.Timestamp("2024-03-12"), 4)  # the calendar day
    # At opening the night just ended is the one observed, all 48 slots of it.
    assert day_of_now(NIGHT, 30, OPEN_MIN) == (pd.Timestamp("2024-03-10"), 48)
    days = intervals.operating_day(["2024-03-11 21:30", "2024-03-11 22:00", NOW], OPEN_MIN)
    assert [d.day for d in days] == [10, 11, 11]


def test_the_day_starts_at_opening_only_when_the_hours_cross_midnight():
    mask = np.zeros(48, dtype=bool)
    mask[44:] = mask[:12] = True  # 22:00-06:00
    assert intervals.operating_day_start(mask) == 44
    day = np.zeros(48, dtype=bool)
    day[14:42] = True  # 07:00-21:00: the calendar day holds the same open slots
    assert intervals.operating_day_start(day) == 0
    assert intervals.operating_day_start(np.ones(48, dtype=bool)) == 0  # 24/7


def test_backtest_days_are_recut_into_nights():
    # Two origins: leads 0, 1, 2 and 0, 1; a night needs the next day of the same origin.
    a = np.arange(5 * 4, dtype=float).reshape(5, 4)
    lead = np.array([0, 1, 2, 0, 1])
    a2, f2, lead2 = _operating_days(a, a + 100, lead, 3)
    np.testing.assert_array_equal(lead2, [0, 1, 0])
    np.testing.assert_array_equal(a2[0], [3, 4, 5, 6])  # day 0 from slot 3, day 1 before it
    np.testing.assert_array_equal(a2[2], [15, 16, 17, 18])
    np.testing.assert_array_equal(f2, a2 + 100)


def test_the_forecasters_learn_their_day():
    night = forecast.VolumeForecaster("profile", interval_min=30).fit(night_history())
    assert night.models_["all"].level_update.day_start_min == OPEN_MIN
    hist_247, _ = datasets.generate_sample(
        weeks=6, hours="24/7", queues=("a",), seed=2, events=False
    )
    round_the_clock = forecast.VolumeForecaster("profile").fit(hist_247)
    assert round_the_clock.models_["a"].level_update.day_start_min == 0


def test_the_hours_before_midnight_count_in_the_night_at_0200(night_plan):
    plain = rerun(night_plan, NOW)
    row = plain.level.iloc[0]
    fc = night_plan.forecast
    night = (fc["ds"] >= NIGHT) & (fc["ds"] < NOW)
    assert row["day"] == NIGHT.normalize() and row["slots_observed"] == 8
    assert row["actual"] == actuals(night_plan, NOW)["volume"].sum()
    assert row["forecast"] == pytest.approx(fc.loc[night, "volume"].sum())
    w = row["weight_today"]
    assert w > 0.5  # the history's nights carry their level through: the first hours count

    doubled = rerun(night_plan, NOW, before_midnight=2.0)
    r2 = doubled.level.iloc[0]
    assert r2["weight_today"] == w  # same slots seen, same learned weight
    pre = actuals(night_plan, NOW)
    pre_midnight = pre.loc[pre["ds"] < NOW.normalize(), "volume"].sum()
    assert pre_midnight > 100
    assert r2["actual"] == row["actual"] + pre_midnight
    # The rule by hand: the rest of the night moves by exp(w (x2 - x1)).
    x1 = np.log((row["actual"] + 1) / (row["forecast"] + 1))
    x2 = np.log((r2["actual"] + 1) / (r2["forecast"] + 1))
    planned = volume_at(fc, "2024-03-12 02:00", "2024-03-12 06:00")
    rest1 = volume_at(plain.plan.forecast, "2024-03-12 02:00", "2024-03-12 06:00")
    rest2 = volume_at(doubled.plan.forecast, "2024-03-12 02:00", "2024-03-12 06:00")
    np.testing.assert_allclose(rest1, planned * np.exp(w * x1), rtol=1e-12)
    np.testing.assert_allclose(rest2, planned * np.exp(w * x2), rtol=1e-12)
    assert (rest2 / rest1).min() > 1.2
    # The rest of the day is the rest of the night: nothing of the next night (22:00 on).
    assert plain.rest["ds"].min() == NOW
    assert plain.rest["ds"].max() == pd.Timestamp("2024-03-12 05:30")
    # The next night gets the next-day factor.
    nxt_plan = volume_at(fc, "2024-03-12 22:00", "2024-03-13 06:00")
    nxt = volume_at(doubled.plan.forecast, "2024-03-12 22:00", "2024-03-13 06:00")
    np.testing.assert_allclose(nxt, nxt_plan * r2["factor_next"], rtol=1e-12)


def test_before_midnight_the_rest_of_the_night_gets_todays_factor(night_plan):
    now = pd.Timestamp("2024-03-11 23:30")
    r = rerun(night_plan, now, before_midnight=1.5)
    row = r.level.iloc[0]
    assert row["slots_observed"] == 3 and row["factor_today"] > 1.0
    planned = volume_at(night_plan.forecast, "2024-03-11 23:30", "2024-03-12 06:00")
    updated = volume_at(r.plan.forecast, "2024-03-11 23:30", "2024-03-12 06:00")
    # After midnight too: the calendar day would have given those hours the next-day factor.
    np.testing.assert_allclose(updated, planned * row["factor_today"], rtol=1e-12)
    assert r.rest["ds"].max() == pd.Timestamp("2024-03-12 05:30")
    assert row["rest_of_day_updated"] == pytest.approx(updated.sum())


def test_a_day_centre_keeps_the_calendar_day():
    from _plan_testdata import synthetic_history

    day_centre = forecast.VolumeForecaster("profile").fit(synthetic_history(weeks=5))
    lu = day_centre.models_["sales"].level_update
    assert lu.day_start_min == 0
    # With a start of 0 the operating day is the calendar day, aware or naive, so the
    # update of a day centre (and of a 24/7 one) reads and scales exactly the same days.
    ds = pd.date_range("2024-03-30 21:00", periods=12, freq="30min", tz="Europe/Paris")
    assert intervals.operating_day(ds, 0).equals(intervals.local_day(ds))
    now = pd.Timestamp("2024-02-05 11:00")
    assert day_of_now(now, 30, lu.day_start_min) == (now.normalize(), 22)


def test_the_forecasters_own_update_reads_the_same_night():
    hist = night_history()
    model = forecast.VolumeForecaster("profile", interval_min=30).fit(hist)
    fc = model.predict("2D")
    seen = fc[fc["ds"] < NOW]
    high = seen[["ds"]].assign(volume=np.round(1.5 * seen["volume"].to_numpy()))
    updated = model.update(high, now=NOW)
    row = updated.level_updates().iloc[0]
    assert (row["day"], row["slots_observed"]) == (NIGHT.normalize(), 8)
    assert row["actual"] == high.loc[high["ds"] >= NIGHT, "volume"].sum()  # 22:00 on
    rest = updated.predict("4h")  # 02:00-06:00, counted from now
    base = fc.set_index("ds")["volume"].reindex(rest["ds"]).to_numpy()
    np.testing.assert_allclose(rest["volume"], base * row["factor_today"], rtol=1e-9)
    assert row["factor_today"] > 1.2


def test_the_cli_says_the_night_began_the_evening_before(night_plan, tmp_path, capsys):
    from staffplan.cli import main

    night_plan.save(tmp_path / "p")
    actuals(night_plan, NOW).to_csv(tmp_path / "act.csv", index=False)
    argv = ["replan", str(tmp_path / "p"), str(tmp_path / "act.csv"), "--now", str(NOW)]
    argv += ["--out", str(tmp_path / "r"), "--no-report", "--no-simulate", "-q"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    total = actuals(night_plan, NOW)["volume"].sum()
    assert f"{total:,.0f} contacts since the centre's day began (Mon 11 Mar) up to 02:00" in text
    level = pd.read_csv(tmp_path / "r" / "level.csv")
    assert level["slots_observed"].iloc[0] == 8
