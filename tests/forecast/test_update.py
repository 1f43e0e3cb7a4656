"""Intraday update: VolumeForecaster.update, forecast(actuals=), the learned weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _synth import intraday_shape

from staffplan import forecast
from staffplan.forecast._intervals import ResidualQuantiles
from staffplan.forecast._update import UpdatedForecaster, learn_level_update

LEVELS = (0.1, 0.5, 0.9)


def level_history(
    *,
    days: int = 84,
    open_hour: int = 8,
    close_hour: int = 20,
    interval_min: int = 30,
    level_sd: float = 0.25,
    daily_total: float = 3000.0,
    seed: int = 0,
    queue: str | None = None,
) -> pd.DataFrame:
    """Every day a random level (lognormal, sd ``level_sd``) times a fixed shape, Poisson counts.

    The level is shared by all slots of a day, so what the morning says about the
    afternoon is known: with a level sd of 0.25 and thousands of contacts a day
    the morning's ratio is almost the day's level.
    """
    rng = np.random.default_rng(seed)
    n_slots = (close_hour - open_hour) * 60 // interval_min
    shape = intraday_shape(n_slots)
    start = pd.Timestamp("2024-01-01")
    rows = []
    for d in range(days):
        day = start + pd.Timedelta(days=d)
        level = np.exp(rng.normal(0.0, level_sd)) if level_sd > 0 else 1.0
        stamps = day + pd.to_timedelta(open_hour * 60 + interval_min * np.arange(n_slots), "min")
        vol = rng.poisson(daily_total * level * shape).astype(float)
        rows.append(pd.DataFrame({"ds": stamps, "volume": vol}))
    out = pd.concat(rows, ignore_index=True)
    if queue is not None:
        out.insert(0, "queue", queue)
    return out


def running_at(model, ds, factor: float, seed: int = 0) -> pd.DataFrame:
    """Actuals drawn around the model's own forecast times ``factor``: a day whose level is known."""
    base = model.predict(pd.DatetimeIndex(ds))
    lam = base["volume"].to_numpy() * factor
    vol = np.random.default_rng(seed).poisson(lam).astype(float)
    out = base[["queue", "ds"]].assign(volume=vol)
    return out if model.has_queue_ else out.drop(columns="queue")


@pytest.fixture(scope="module")
def shifting():
    hist = level_history(days=85, seed=1)
    cut = pd.Timestamp("2024-03-25")  # day 84, a Monday
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    model = forecast.VolumeForecaster("profile").fit(train)
    return model, day, cut


# -- the learning step against hand-checkable cases ------------------------------------


def _residuals() -> ResidualQuantiles:
    return ResidualQuantiles([np.ones(1)] * 3, np.zeros(1), 0.5)


def _learn(a: np.ndarray, pred: np.ndarray):
    n_days, n_slots = a.shape
    lead = np.repeat(np.arange(n_days) % 7, n_slots)
    return learn_level_update(
        a.ravel(), pred.ravel(), lead, n_slots=n_slots, residuals=_residuals()
    )


def test_a_level_shared_by_the_whole_day_is_trusted_fully():
    # Every slot of day d is the forecast times e^{L_d}: morning and rest ratios are both
    # L_d (up to the prior count of 1 in 100s), so the least-squares slope is 1 at every k.
    rng = np.random.default_rng(3)
    level = rng.normal(0.0, 0.2, size=60)
    pred = np.full((60, 4), 100.0)
    lu = _learn(pred * np.exp(level)[:, None], pred)
    np.testing.assert_allclose(lu.weights_today[1:4], 1.0, atol=0.02)


def test_a_morning_uncorrelated_with_the_afternoon_is_ignored():
    # Two slots a day; days come in pairs with the same morning level L and afternoon
    # levels +L and -L, so sum(x * y) = 0 exactly: the slope is 0.
    base = np.random.default_rng(4).normal(0.0, 0.2, size=30)
    morning = np.repeat(base, 2)
    afternoon = morning * np.tile([1.0, -1.0], 30)
    pred = np.full((60, 2), 400.0)
    a = np.column_stack([401.0 * np.exp(morning) - 1.0, 401.0 * np.exp(afternoon) - 1.0])
    lu = _learn(a, pred)
    assert lu.weights_today[1] == pytest.approx(0.0, abs=1e-6)


def test_weights_are_zero_without_a_day_level_and_high_with_one():
    # Independent model: morning ratio = L + noise, rest ratio = L + noise, so the
    # best slope is var(L) / (var(L) + var(morning noise)): ~0 without day levels,
    # close to 1 when the level sd (0.25) dwarfs Poisson noise of ~1000 contacts (0.03).
    flat = forecast.VolumeForecaster("profile").fit(level_history(level_sd=0.0, seed=2))
    wavy = forecast.VolumeForecaster("profile").fit(level_history(level_sd=0.25, seed=2))
    mid = 12  # six hours observed of twelve
    w_flat = flat.models_["all"].level_update.weights_today[mid]
    w_wavy = wavy.models_["all"].level_update.weights_today[mid]
    assert w_flat < 0.35
    assert w_wavy > 0.8


# -- update and predict ------------------------------------------------------------------


def test_update_moves_the_rest_of_the_day_by_the_shrunk_ratio(shifting):
    model, day, cut = shifting
    now = cut + pd.Timedelta(hours=13)
    morning = running_at(model, day["ds"][day["ds"] < now], 1.3)  # the day runs 30% high
    kept = morning.copy()
    upd = model.update(morning, now=now)
    pd.testing.assert_frame_equal(morning, kept)  # actuals are not modified
    assert isinstance(upd, UpdatedForecaster) and upd is not model
    rest = upd.predict("7h", quantiles=LEVELS)
    assert rest["ds"].min() == now and rest["ds"].max() < cut + pd.Timedelta(days=1)
    base = model.predict(pd.DatetimeIndex(rest["ds"]), quantiles=LEVELS)
    info = upd.level_updates().iloc[0]
    # The factor is exp(w · x) with x the morning's log ratio; check it by hand.
    y, f = morning["volume"].sum(), info["forecast"]
    assert info["actual"] == pytest.approx(y)
    x = np.log((y + 1) / (f + 1))
    assert info["factor_today"] == pytest.approx(np.exp(info["weight_today"] * x))
    np.testing.assert_allclose(rest["volume"], base["volume"] * info["factor_today"], rtol=1e-12)
    assert info["weight_today"] > 0.8  # a strong day level: the morning is trusted
    # The whole day runs 30% high: the updated rest of the day is nearer to it.
    truth = base["volume"].to_numpy() * 1.3
    err_upd = np.abs(rest["volume"].to_numpy() - truth).mean()
    err_base = np.abs(base["volume"].to_numpy() - truth).mean()
    assert err_upd < 0.7 * err_base
    # The band narrows once the day's level is known.
    width_upd = (rest["volume_q0.9"] - rest["volume_q0.1"]).mean()
    width_base = (base["volume_q0.9"] - base["volume_q0.1"]).mean()
    assert width_upd < 0.8 * width_base


def test_update_does_not_mutate_the_original(shifting):
    model, day, cut = shifting
    before = model.predict("2D", quantiles=LEVELS)
    model.update(day[day["ds"] < cut + pd.Timedelta(hours=10)])
    after = model.predict("2D", quantiles=LEVELS)
    pd.testing.assert_frame_equal(before, after)
    assert not isinstance(model, UpdatedForecaster)


def test_forecast_with_actuals_equals_fit_update_predict():
    hist = level_history(days=50, seed=4)
    cut = pd.Timestamp("2024-02-19")
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    now = cut + pd.Timedelta(hours=11)
    one = forecast.forecast(train, "1D", method="profile", actuals=day[day["ds"] < now], now=now)
    model = forecast.VolumeForecaster("profile").fit(train)
    two = model.update(day[day["ds"] < now], now=now).predict("1D")
    pd.testing.assert_frame_equal(one, two)
    with pytest.raises(ValueError, match="now is only used with actuals"):
        forecast.forecast(train, "1D", method="profile", now=now)


def test_next_day_gets_the_weaker_factor_and_later_days_none(shifting):
    model, day, cut = shifting
    now = cut + pd.Timedelta(hours=14)
    morning = day[day["ds"] < now].assign(volume=lambda f: f["volume"] * 0.7)
    upd = model.update(morning, now=now)
    out = upd.predict("3D", quantiles=LEVELS)
    base = model.predict(pd.DatetimeIndex(out["ds"]), quantiles=LEVELS)
    info = upd.level_updates().iloc[0]
    offset = (out["ds"].dt.normalize() - cut).dt.days.to_numpy()
    ratio = out["volume"].to_numpy() / base["volume"].to_numpy()
    np.testing.assert_allclose(ratio[offset == 0], info["factor_today"], rtol=1e-12)
    np.testing.assert_allclose(ratio[offset == 1], info["factor_next"], rtol=1e-12)
    np.testing.assert_allclose(ratio[offset >= 2], 1.0, rtol=1e-12)
    pd.testing.assert_frame_equal(
        out.loc[offset >= 2].reset_index(drop=True), base.loc[offset >= 2].reset_index(drop=True)
    )
    assert info["factor_today"] < info["factor_next"] <= 1.0


def test_a_second_update_merges_and_refuses_contradictions(shifting):
    model, day, cut = shifting
    t10, t12 = cut + pd.Timedelta(hours=10), cut + pd.Timedelta(hours=12)
    first = model.update(day[day["ds"] < t10], now=t10)
    later = first.update(day[(day["ds"] >= t10) & (day["ds"] < t12)], now=t12)
    direct = model.update(day[day["ds"] < t12], now=t12)
    pd.testing.assert_frame_equal(later.predict("1D"), direct.predict("1D"))
    wrong = day[(day["ds"] >= t10 - pd.Timedelta(hours=1)) & (day["ds"] < t12)].copy()
    wrong["volume"] += 5
    with pytest.raises(ValueError, match="earlier update said"):
        first.update(wrong, now=t12)
    with pytest.raises(ValueError, match="must not go back in time"):
        later.update(day[day["ds"] < t10], now=t10)


def test_24_7_night_crossing_midnight_uses_the_next_day_factor():
    hist = level_history(days=57, open_hour=0, close_hour=24, daily_total=2000.0, seed=5)
    cut = pd.Timestamp("2024-02-26")
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    model = forecast.VolumeForecaster("profile").fit(train)
    now = cut + pd.Timedelta(hours=22)
    upd = model.update(day[day["ds"] < now].assign(volume=lambda f: f["volume"] * 1.25))
    assert upd.now_ == now  # default: the end of the last actual interval
    night = upd.predict("6h")  # 22:00 to 04:00, across midnight
    base = model.predict(pd.DatetimeIndex(night["ds"]))
    info = upd.level_updates().iloc[0]
    ratio = (night["volume"] / base["volume"]).to_numpy()
    before = (night["ds"] < cut + pd.Timedelta(days=1)).to_numpy()
    np.testing.assert_allclose(ratio[before], info["factor_today"], rtol=1e-12)
    np.testing.assert_allclose(ratio[~before], info["factor_next"], rtol=1e-12)
    assert info["slots_observed"] == 44


@pytest.mark.parametrize("interval_min", [15, 60])
def test_other_grids(interval_min):
    hist = level_history(days=57, interval_min=interval_min, seed=6)
    cut = pd.Timestamp("2024-02-26")
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    model = forecast.VolumeForecaster("profile").fit(train)
    now = cut + pd.Timedelta(hours=12)
    upd = model.update(running_at(model, day["ds"][day["ds"] < now], 1.3))
    out = upd.predict("8h")
    step = pd.Timedelta(minutes=interval_min)
    assert (out["ds"].diff().dropna() == step).all() and out["ds"].iloc[0] == now
    assert upd.level_updates()["slots_observed"].iloc[0] == 12 * 60 // interval_min
    assert upd.level_updates()["factor_today"].iloc[0] > 1.15


def test_several_queues_update_per_queue():
    a = level_history(days=57, seed=7, queue="sales")
    b = level_history(days=57, seed=8, queue="service", daily_total=1000.0)
    hist = pd.concat([a, b], ignore_index=True)
    cut = pd.Timestamp("2024-02-26")
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    model = forecast.VolumeForecaster("profile").fit(train)
    now = cut + pd.Timedelta(hours=12)
    seen = day[(day["ds"] < now) & (day["queue"] == "sales")]
    high = running_at(model, seen["ds"], 1.4)
    upd = model.update(high[high["queue"] == "sales"], now=now)
    out = upd.predict("4h")
    base = model.predict(pd.DatetimeIndex(out["ds"].unique()))
    merged = out.merge(base, on=["queue", "ds"], suffixes=("", "_base"))
    ratio = merged["volume"] / merged["volume_base"]
    assert (ratio[merged["queue"] == "sales"] > 1.15).all()
    np.testing.assert_allclose(ratio[merged["queue"] == "service"], 1.0)
    assert list(upd.level_updates()["queue"]) == ["sales"]


# -- bad input ------------------------------------------------------------------------------


def test_bad_actuals_are_refused_by_name(shifting):
    model, day, cut = shifting
    now = cut + pd.Timedelta(hours=10)
    seen = day[day["ds"] < now]
    with pytest.raises(ValueError, match=r"actuals\['queue'\] must be one of .*'nope'"):
        model.update(seen.assign(queue="nope"))
    with pytest.raises(ValueError, match="30-min grid"):
        model.update(seen.assign(ds=seen["ds"] + pd.Timedelta(minutes=15)))
    with pytest.raises(ValueError, match="duplicate rows"):
        model.update(pd.concat([seen, seen.iloc[:1]]))
    with pytest.raises(ValueError, match="must lie before now"):
        model.update(seen, now=cut + pd.Timedelta(hours=9))
    with pytest.raises(ValueError, match="must come after the history"):
        model.update(pd.DataFrame({"ds": [cut - pd.Timedelta(hours=5)], "volume": [3.0]}))
    with pytest.raises(ValueError, match=r"now must be on the 30-min grid.*10:10"):
        model.update(seen, now=cut + pd.Timedelta(hours=10, minutes=10))
    with pytest.raises(ValueError, match="tz-aware exactly when"):
        model.update(seen.assign(ds=seen["ds"].dt.tz_localize("UTC")))
    with pytest.raises(ValueError, match=r"actuals\['volume'\] must be finite and >= 0"):
        model.update(seen.assign(volume=-1.0))
    with pytest.raises(ValueError, match="at least one row"):
        model.update(seen.iloc[:0])
    with pytest.raises(ValueError, match="not fitted"):
        forecast.VolumeForecaster().update(seen)


def test_split_day_keeps_the_midday_closure():
    # 08-12 and 14-19: the closed midday slots are absent from history and stay absent;
    # the afternoon is re-levelled by the morning.
    hist = level_history(days=57, open_hour=8, close_hour=19, seed=12)
    hour = hist["ds"].dt.hour
    hist = hist[(hour < 12) | (hour >= 14)].reset_index(drop=True)
    cut = pd.Timestamp("2024-02-26")
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    model = forecast.VolumeForecaster("profile").fit(train)
    now = cut + pd.Timedelta(hours=12)
    upd = model.update(running_at(model, day["ds"][day["ds"] < now], 1.3), now=now)
    out = upd.predict("7h")
    assert out["ds"].min() == cut + pd.Timedelta(hours=14)  # nothing in the closed hours
    base = model.predict(pd.DatetimeIndex(out["ds"]))
    ratio = out["volume"] / base["volume"]
    np.testing.assert_allclose(ratio, upd.level_updates()["factor_today"].iloc[0])
    assert ratio.iloc[0] > 1.15
