"""Certainty per day: sample paths, the day's chance of meeting its target, certainty staffing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from _plan_testdata import FAST, RULES, START, synthetic_history
from scipy import stats

import staffplan
from staffplan import datasets, erlang, forecast
from staffplan.forecast._intervals import ResidualQuantiles, sample_compound
from staffplan.plan import Plan, ServiceTarget
from staffplan.plan._certainty import (
    certainty_scale,
    check_certainty,
    count_noise_scale,
    day_chance,
    day_codes,
    pooled_paths,
)

SERVICE = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.3, max_occupancy=None)


@pytest.fixture(scope="module")
def fitted() -> tuple[forecast.VolumeForecaster, pd.DataFrame]:
    hist = synthetic_history(weeks=8, queues=("sales", "care"))
    model = forecast.VolumeForecaster("profile").fit(hist)
    return model, model.predict("7D", quantiles=(0.05, 0.5, 0.95))


# -- sample paths -----------------------------------------------------------------------


def test_paths_have_the_forecast_quantiles_as_marginals(fitted) -> None:
    # Reference: the forecaster's own quantiles, computed on an exact compound grid
    # (ResidualQuantiles.quantiles), not by sampling.
    model, fc = fitted
    paths = model.sample_paths(fc, n_paths=6000, rng=1)
    assert paths.shape == (6000, len(fc))
    busy = fc["volume"].to_numpy() > 20
    for level in (0.05, 0.5, 0.95):
        got = np.quantile(paths, level, axis=0)[busy]
        want = fc[forecast.quantile_column(level)].to_numpy()[busy]
        np.testing.assert_allclose(got, want, rtol=0.06)


def test_paths_move_together_within_a_day_and_across_queues(fitted) -> None:
    model, fc = fitted
    paths = model.sample_paths(fc, n_paths=3000, rng=2)
    day = fc["ds"].dt.normalize()
    ratio = paths / np.maximum(fc["volume"].to_numpy(), 1e-9)
    d0, d1 = day.unique()[:2]
    a = (fc["queue"] == "sales") & (day == d0) & (fc["volume"] > 20)
    b = (fc["queue"] == "care") & (day == d0) & (fc["volume"] > 20)
    c = (fc["queue"] == "sales") & (day == d1) & (fc["volume"] > 20)
    same_day = np.corrcoef(ratio[:, a].mean(axis=1), ratio[:, b].mean(axis=1))[0, 1]
    other_day = np.corrcoef(ratio[:, a].mean(axis=1), ratio[:, c].mean(axis=1))[0, 1]
    # One day ratio for both queues of a day (slot noise dilutes it); days independent.
    # With 3000 paths a correlation's standard error is about 0.02.
    assert same_day > 0.25
    assert abs(other_day) < 0.08
    first = model.sample_paths(fc, n_paths=50, rng=9)
    np.testing.assert_array_equal(first, model.sample_paths(fc, n_paths=50, rng=9))
    assert not np.array_equal(first, model.sample_paths(fc, n_paths=50, rng=10))


def test_sample_paths_refuses_an_unfitted_model_and_bad_counts(fitted) -> None:
    model, fc = fitted
    with pytest.raises(ValueError, match="not fitted"):
        forecast.VolumeForecaster().sample_paths(fc)
    with pytest.raises(ValueError, match="n_paths must be >= 1"):
        model.sample_paths(fc, n_paths=0)
    with pytest.raises(ValueError, match="rates must be one of: False, True; got 'yes'"):
        model.sample_paths(fc, rates="yes")  # type: ignore[arg-type]


def test_pooled_paths_add_queues_per_interval(fitted) -> None:
    model, fc = fitted
    paths = model.sample_paths(fc, n_paths=20, rng=3)
    ds = pd.DatetimeIndex(sorted(fc["ds"].unique()))
    pooled = pooled_paths(fc, paths, ds)
    k = 5
    want = paths[:, (fc["ds"] == ds[k]).to_numpy()].sum(axis=1)
    np.testing.assert_allclose(pooled[:, k], want)


# -- a day's chance ----------------------------------------------------------------------


def test_day_chance_matches_a_path_by_path_computation() -> None:
    # Reference: the same definition computed path by path with erlang.service_level.
    rng = np.random.default_rng(4)
    ds = pd.date_range("2026-03-02 08:00", periods=16, freq="30min").append(
        pd.date_range("2026-03-03 08:00", periods=16, freq="30min")
    )
    mean = np.tile(np.linspace(40, 120, 16), 2)
    paths = mean * rng.lognormal(0, 0.1, (200, 1)) * rng.lognormal(0, 0.05, (200, 32))
    agents = np.ceil(mean * 240 / 1800 * 1.15)
    out = day_chance(ds, paths, 240.0, agents, service=SERVICE, interval_min=30, queue_noise=False)
    # The queue's own randomness given the rates spreads each path's day without moving
    # its mean (checked against a simulation below).
    noisy = day_chance(ds, paths, 240.0, agents, service=SERVICE, interval_min=30)
    np.testing.assert_allclose(noisy["expected_service_level"], out["expected_service_level"])
    for d in range(2):
        cols = slice(16 * d, 16 * (d + 1))
        day_sl = []
        for v in paths[:, cols]:
            sl = erlang.service_level(agents[cols], v * 240 / 1800, 240.0, 20.0)
            day_sl.append(np.sum(sl * v) / v.sum())
        day_sl = np.array(day_sl)
        assert out.loc[d, "p_meet_target"] == pytest.approx(np.mean(day_sl >= 0.8))
        assert out.loc[d, "expected_service_level"] == pytest.approx(day_sl.mean())
    assert list(out["date"]) == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-03")]


@pytest.mark.parametrize("patience_s", [None, 120.0, 600.0])
def test_the_queue_chain_gives_the_formulas_service_level(patience_s) -> None:
    # Outside reference: Erlang C and Erlang A's closed forms (staffplan.erlang, its own
    # derivation).  The chain behind the queue's randomness answers each arrival in time
    # with the probability its state gives; by PASTA its stationary share must be theirs.
    from staffplan.plan._certainty import _queue_moments

    agents = np.array([1, 3, 4, 5, 12, 21, 60, 150])
    traffic = agents * np.array([0.6, 0.7, 0.83, 0.8, 0.85, 0.79, 0.9, 0.93])
    lam = traffic / AHT_S
    s, var, cov = _queue_moments(lam, agents, np.full(agents.size, AHT_S), 20.0, patience_s)
    if patience_s is None:
        want = erlang.service_level(agents, traffic, AHT_S, 20.0)
    else:
        want = erlang.erlang_a(agents, traffic, AHT_S, patience_s, 20.0).service_level
    np.testing.assert_allclose(s, want, atol=1e-9)
    assert (var > 0).all() and np.isfinite(cov).all()
    # Far more agents than the load: nobody waits, no spread; no handle time: no spread.
    s, var, _ = _queue_moments(
        np.array([0.01, 0.01]), np.array([10_000, 4]), np.array([AHT_S, np.nan]), 20.0, None
    )
    assert s[0] == 1.0 and (var == 0).all()
    # A handle time of 0 answers everyone at once; one below 0 is not evaluated (it raised).
    s, var, cov = _queue_moments(
        np.array([0.01, 0.01]), np.array([4, 4]), np.array([0.0, -5.0]), 20.0, None
    )
    assert s[0] == 1.0 and (var == 0).all() and (cov == 0).all()


def test_the_queue_chain_in_blocks_gives_each_row_its_own_moments(monkeypatch) -> None:
    # Reference: each row evaluated alone.  Rows of an hour's target (windows of ~1,000
    # states) among rows of a few: the chain is evaluated in blocks of at most
    # _CHAIN_CELLS states (a 28-day 15-min plan with a 1 h target took 1.4 GB in one).
    from staffplan.plan import _certainty

    rng = np.random.default_rng(3)
    agents = rng.integers(1, 90, 60)
    aht = rng.uniform(120.0, 600.0, 60)
    lam = agents / aht * rng.uniform(0.4, 1.2, 60)
    for target_s, patience_s in ((20.0, None), (3600.0, None), (60.0, 900.0)):
        alone = np.array(
            [
                [m[0] for m in _certainty._queue_moments(lam[i : i + 1], agents[i : i + 1],
                                                         aht[i : i + 1], target_s, patience_s)]
                for i in range(60)
            ]
        )  # fmt: skip
        blocks: list[tuple[int, int]] = []
        chain = _certainty._chain

        def recorded(*args, chain=chain, blocks=blocks):  # type: ignore[no-untyped-def]
            n_lo, n_hi = args[-2:]
            blocks.append((len(n_lo), len(n_lo) * int((n_hi - n_lo).max() + 1)))
            return chain(*args)

        monkeypatch.setattr(_certainty, "_CHAIN_CELLS", 4000)
        monkeypatch.setattr(_certainty, "_chain", recorded)
        together = np.column_stack(
            _certainty._queue_moments(lam, agents, aht, target_s, patience_s)
        )
        monkeypatch.undo()
        # A block holds one row, or rows whose windows fit the budget together.
        assert len(blocks) > 1 and sum(rows for rows, _ in blocks) == 60
        assert all(rows == 1 or cells <= 4000 for rows, cells in blocks)
        np.testing.assert_allclose(together, alone, rtol=1e-9, atol=1e-13)


def test_certainty_scale_is_the_quantile_of_a_pure_day_factor() -> None:
    # Hand-checkable: without slot noise a day staffed to the target at s x mean meets it
    # exactly when its day factor is at most s, so the scale is the certainty quantile of
    # the day factors (the smallest order statistic with that share at or below it).
    rng = np.random.default_rng(5)
    ds = pd.date_range("2026-03-02 08:00", periods=12, freq="30min")
    mean = np.linspace(60, 150, 12)
    factor = rng.lognormal(0, 0.12, 400)
    paths = factor[:, None] * mean[None, :]
    out = certainty_scale(
        ds, mean, 200.0, paths, certainty=0.9, service=SERVICE, interval_min=30, whole=False,
        queue_noise=False,
    )  # fmt: skip
    want = np.sort(factor)[math.ceil(0.9 * 400) - 1]
    assert out.loc[0, "scale"] == pytest.approx(want, abs=2e-3)
    assert out.loc[0, "p_meet_target"] >= 0.9
    assert bool(out.loc[0, "reached"])


def test_certainty_scale_never_goes_below_the_mean() -> None:
    ds = pd.date_range("2026-03-02 08:00", periods=4, freq="h")
    mean = np.full(4, 100.0)
    paths = np.tile(mean * 0.5, (50, 1))  # every path far below the mean
    out = certainty_scale(ds, mean, 180.0, paths, certainty=0.99, service=SERVICE, interval_min=60)
    assert out.loc[0, "scale"] == 1.0


# -- the plan -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    hist = synthetic_history(weeks=8)
    svc = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.3)
    kw = {"horizon": "2D", "start": "2024-02-26", "service": svc, "rules": RULES, "rng": 3}
    kw |= {**FAST, "simulate": False}
    return {
        "mean": staffplan.plan(hist, **kw),
        "quantile": staffplan.plan(hist, volume_quantile=0.95, **kw),
        "certainty": staffplan.plan(hist, certainty=0.95, **kw),
    }


def test_certainty_plan_meets_each_day_with_the_probability_asked(plans) -> None:
    p = plans["certainty"]
    assert (p.daily["p_meet_target"] >= 0.95).all()
    assert (p.daily["certainty_scale"] >= 1.0).all()
    assert p.settings["certainty"] == 0.95
    # The mean plan's promise carries risk; the verdict says so per day.
    assert (plans["mean"].daily["p_meet_target"] < 0.95).any()
    # Never fewer agents than the mean plan in any interval's requirement.
    assert (p.requirements["scheduled"] >= plans["mean"].requirements["scheduled"] - 1e-9).all()


def test_certainty_costs_less_than_per_interval_quantile_staffing(plans) -> None:
    cert, quant = plans["certainty"].requirements, plans["quantile"].requirements
    assert cert["scheduled"].sum() < quant["scheduled"].sum()


def test_daily_chance_columns_and_summary(plans) -> None:
    for p in plans.values():
        assert {"p_meet_target", "expected_service_level", "service_level_p05"} <= set(p.daily)
        assert p.daily["p_meet_target"].between(0, 1).all()
        assert p.summary["p_day_meets_target"] == pytest.approx(p.daily["p_meet_target"].mean())


def test_certainty_plan_is_reproducible(plans) -> None:
    hist = synthetic_history(weeks=8)
    svc = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.3)
    again = staffplan.plan(
        hist, horizon="2D", start="2024-02-26", service=svc, rules=RULES, rng=3,
        certainty=0.95, **{**FAST, "simulate": False},
    )  # fmt: skip
    pd.testing.assert_frame_equal(again.daily, plans["certainty"].daily)


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 1, 1.0, -0.1, 1.5, float("nan"), float("inf")])
def test_certainty_outside_the_open_unit_interval_is_refused(value) -> None:
    with pytest.raises(ValueError, match=r"certainty must be in \(0, 1\)"):
        check_certainty(value, None)


@pytest.mark.parametrize("value", ["0.95", True, [0.95]])
def test_certainty_that_is_not_a_number_is_refused(value) -> None:
    with pytest.raises(TypeError, match="certainty must be a number"):
        check_certainty(value, None)


def test_certainty_with_a_volume_quantile_is_refused_before_any_work(history) -> None:
    with pytest.raises(ValueError, match=r"certainty=0\.95 and volume_quantile=0\.9 contradict"):
        staffplan.plan(history, start=START, certainty=0.95, volume_quantile=0.9)
    with pytest.raises(ValueError, match=r"certainty must be in \(0, 1\).*got 1.2"):
        staffplan.plan(history, start=START, certainty=1.2)


def test_paths_share_a_level_per_calendar_day_on_a_247_quarter_hour_grid() -> None:
    # A 24/7 centre on 15-min intervals with a Friday-Saturday weekend (quieter days): the
    # night before midnight and after it belong to different days and move apart.
    hist, _ = datasets.generate_sample(
        hours="24/7", interval_min=15, weeks=6, queues=("line",), seed=6, daily_volume=96 * 40,
        weekday_factor=(1.0, 1.0, 1.0, 1.0, 0.6, 0.6, 1.0), night_level=1.0, day_sigma=0.08,
        nb_shape=None, growth_per_week=0.0, events=False,
    )  # fmt: skip
    model = forecast.VolumeForecaster("profile").fit(hist)
    fc = model.predict("3D")
    paths = model.sample_paths(fc, n_paths=2000, rng=7)
    ratio = paths / fc["volume"].to_numpy()
    hour = fc["ds"].dt.hour.to_numpy()
    day = fc["ds"].dt.normalize().to_numpy()
    d0, d1 = np.unique(day)[:2]
    late = ratio[:, (day == d0) & (hour == 23)].mean(axis=1)
    early_same = ratio[:, (day == d0) & (hour < 2)].mean(axis=1)
    early_next = ratio[:, (day == d1) & (hour < 2)].mean(axis=1)
    assert np.corrcoef(late, early_same)[0, 1] > 0.25
    assert abs(np.corrcoef(late, early_next)[0, 1]) < 0.08


def test_certainty_plan_saves_and_loads(plans, tmp_path) -> None:
    p = plans["certainty"]
    back = Plan.load(p.save(tmp_path / "p"))
    pd.testing.assert_frame_equal(back.daily, p.daily)
    assert back.settings["certainty"] == 0.95 and back.settings["n_paths"] > 0


def test_a_day_beyond_reach_is_staffed_at_the_cap_and_said() -> None:
    ds = pd.date_range("2026-03-02 08:00", periods=4, freq="h")
    mean = np.full(4, 100.0)
    paths = np.tile(mean * 6.0, (50, 1))  # every path six times the mean
    out = certainty_scale(ds, mean, 180.0, paths, certainty=0.9, service=SERVICE, interval_min=60)
    assert not bool(out.loc[0, "reached"])
    assert out.loc[0, "scale"] == 4.0 and out.loc[0, "p_meet_target"] < 1e-6


# -- steady 24/7 centres: outside references -----------------------------------------------

AHT_S = 300.0
STEADY = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.0, max_occupancy=None)


def _steady_247(
    per_hour: float, *, weeks: int, day_sigma: float = 0.0, seed: int = 0, interval_min: int = 60
):
    """A 24/7 line at a known constant rate (Poisson counts, no trend or events)."""
    hist, _ = datasets.generate_sample(
        hours="24/7", interval_min=interval_min, weeks=weeks, queues=("line",), seed=seed,
        daily_volume=24 * per_hour, weekday_factor=(1.0,) * 7, night_level=1.0,
        day_sigma=day_sigma, nb_shape=None, growth_per_week=0.0, events=False,
    )  # fmt: skip
    return hist.assign(aht_s=AHT_S)


@pytest.fixture(scope="module")
def held_out() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """A line at 40 an hour with a lognormal day level (sd 0.08): fitted on 16 weeks, the
    next 20 weeks' forecast, its paths, each interval's day and the actual counts."""
    hist = _steady_247(40.0, weeks=36, day_sigma=0.08, seed=2)
    cut = hist["ds"].min() + pd.Timedelta(weeks=16)
    train, test = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    model = forecast.VolumeForecaster("profile").fit(train)
    fc = model.predict(test["ds"])
    _, code = day_codes(fc["ds"])
    # Rate paths, as plans draw them (the queue's randomness is the chance's to add).
    paths = model.sample_paths(fc, n_paths=500, rng=1, rates=True)
    return fc, paths, code, test["volume"].to_numpy(float)


def _scale_of(ds, volume, paths, certainty=0.95, whole=False, queue_noise=False):
    # Fractional staffing and the paths alone by default: the references below are about
    # the paths, not rounding nor the queue's own randomness.
    return certainty_scale(
        ds, volume, AHT_S, paths, certainty=certainty, service=STEADY, interval_min=60,
        whole=whole, queue_noise=queue_noise,
    )  # fmt: skip


def _replayed_days(counts, agents, code, *, interval_min, n_reps, seed):
    """Each day's service level (answered within 20 s / offered) in ``n_reps`` simulated
    replays of the actual ``counts`` (arrival times and handle times drawn, queues carried
    over midnight), shape (n_reps, days): every replication of a day is one day's outcome."""
    from staffplan.simulate._des import _draw, _one_replication

    gen = np.random.default_rng(seed)
    interval_s = 60.0 * interval_min
    n = counts.size
    out = []
    for _ in range(n_reps):
        drawn, times, where, handle, deadline = _draw(
            gen, counts, np.full(n, AHT_S), np.full(n, np.inf), None, interval_s, exact=True
        )
        _, within, *_ = _one_replication(
            times, where, handle, deadline, agents.astype(int), interval_s, 20.0
        )
        out.append(np.bincount(code, within) / np.bincount(code, drawn))
    return np.array(out)


@pytest.mark.parametrize("interval_min", [15, 30, 60])
def test_paths_carry_a_days_count_noise_once_on_a_steady_247_centre(interval_min) -> None:
    # Outside reference: a constant Poisson rate of 200 an hour gives a day total of
    # 4,800 with relative sd 1/sqrt(4800) = 1.44 %; the profile forecast (a mean of the
    # same hour over 6 weeks) adds a level error of that over sqrt(6).  The paths' day
    # totals must spread by that much, not sqrt(2) times the count noise on top (the
    # slot residuals drawn independently added the day's count noise a second time: 2.1 %).
    # The day is 96, 48 or 24 slots: the same day, the same spread.
    hist = _steady_247(200.0, weeks=16, interval_min=interval_min)
    model = forecast.VolumeForecaster("profile").fit(hist)
    fc = model.predict("7D")
    paths = model.sample_paths(fc, n_paths=4000, rng=3)
    day = fc["ds"].dt.normalize().to_numpy()
    totals = np.stack([paths[:, day == d].sum(axis=1) for d in np.unique(day)], axis=1)
    spread = float(np.mean(totals.std(axis=0) / totals.mean(axis=0)))
    want = math.sqrt((1 + 1 / 6) / 4800)
    assert spread == pytest.approx(want, rel=0.2)
    # And each slot keeps its own marginal spread (Poisson: sqrt(mean), plus the forecast's).
    per_slot = 200.0 * interval_min / 60
    slot_sd = float(np.mean(paths.std(axis=0)))
    assert slot_sd == pytest.approx(math.sqrt(per_slot * (1 + 1 / 6)), rel=0.15)


def test_certainty_on_a_steady_247_centre_stays_near_the_known_rate_answer() -> None:
    # The shape of a certainty plan that staffed days at 1.22-1.33x their mean: 20
    # contacts an hour, 60-min grid.  Reference (computed here from the known rate, not
    # from the forecaster): Poisson paths at the true rate, times a day level error of a
    # 6-week mean of the same hour; the smallest scale meeting the day's pooled target
    # on 95 % of them is about 1.17.  Count noise alone (a perfect forecast) needs 1.165.
    per_hour = 20.0
    hist = _steady_247(per_hour, weeks=16)
    model = forecast.VolumeForecaster("profile").fit(hist)
    fc = model.predict("7D")
    got = _scale_of(fc["ds"], fc["volume"], model.sample_paths(fc, n_paths=500, rng=1))
    staffed_for = float(np.mean(fc["volume"].to_numpy() * np.repeat(got["scale"], 24))) / per_hour
    gen = np.random.default_rng(99)
    level = 1 + gen.normal(0, 1 / math.sqrt(6 * 24 * per_hour), (4000, 7))
    ref_paths = gen.poisson(per_hour * np.repeat(level, 24, axis=1)).astype(float)
    ref = float(_scale_of(fc["ds"], np.full(len(fc), per_hour), ref_paths)["scale"].mean())
    count_only = gen.poisson(per_hour, (4000, len(fc))).astype(float)
    floor = float(_scale_of(fc["ds"], np.full(len(fc), per_hour), count_only)["scale"].mean())
    assert 1.15 < floor < ref < 1.2
    # Stated margin: 0.035 (a fifth of the reference's own 0.17 above the mean); the
    # independent slot draw gave 1.216-1.230 here, over it.
    assert floor - 0.01 <= staffed_for <= ref + 0.035


@pytest.fixture(scope="module")
def replayed(held_out) -> dict[str, np.ndarray]:
    """The held-out line staffed with certainty 0.95 in whole agents (as plans staff it, the
    queue's own randomness in the chance), and its days replayed by the simulation."""
    fc, paths, code, actual = held_out
    scales = _scale_of(fc["ds"], fc["volume"], paths, whole=True, queue_noise=True)
    agents = STEADY.required_on_phones(
        fc["volume"].to_numpy() * scales["scale"].to_numpy()[code], AHT_S,
        interval_min=60, integer=True,
    )  # fmt: skip
    sim = _replayed_days(actual, agents, code, interval_min=60, n_reps=4, seed=3)
    return {"agents": agents, "predicted": scales["p_meet_target"].to_numpy(), "sim": sim}


def test_days_meeting_target_in_a_simulated_replay_match_the_chance_predicted(replayed) -> None:
    # A 24/7 line whose day level is lognormal (sd 0.08) around 40 an hour: fitted on 16
    # weeks, staffed with certainty 0.95 for the next 20 weeks in whole agents, each
    # held-out day replayed with its actual counts by the discrete-event simulation (the
    # outside reference: arrival times and handle times drawn, 4 replications, each one a
    # day's outcome).  The share of days meeting 80/20 must match the chance the search
    # predicted (its mean over days, at least 0.95 by construction: whole agents overshoot)
    # within 3 binomial sd of 140 independent days (replications of one day share its
    # counts; counting 140 and not 560 keeps the band honest) plus 1.5 points for the
    # forecast's own calibration on 16 weeks.  On count paths without the queue's noise the
    # same line met 99.3 % of days (over-staffed); on rate paths without it, 94.3 % for a
    # promised 95 % (under-staffed: the chance was too sure near the target).
    met = float(np.mean(replayed["sim"] >= 0.8))
    want = float(replayed["predicted"].mean())
    assert (replayed["predicted"] >= 0.95).all()
    assert met == pytest.approx(want, abs=3 * math.sqrt(want * (1 - want) / 140) + 0.015)
    assert met >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / 140)


def test_count_noise_scale_against_the_known_rate() -> None:
    # Reference (scipy): at 20 contacts an hour on a known rate, the fractional
    # requirement at scale s meets 80/20 exactly at rate s x 20, so a day meets it when
    # its Poisson total of mean 480 is at most 480 s: the scale is that total's 95 %
    # quantile over 480.  The slots' own Poisson scatter is Erlang's to average, not the
    # paths' (read as rates, it asked 1.165x).  Margin 0.012: the 95 % quantile of 2,000
    # paths (sd about 0.003) and the bisection's 0.002.  In whole agents the mean already
    # asks 4 (3.29 rounded up), whose Erlang service of 0.912 holds to 22 an hour, beyond
    # any 95 % day, so the scale is 1.
    ds = pd.date_range("2026-03-02", periods=48, freq="h")
    vol = np.full(48, 20.0)
    kw = {"certainty": 0.95, "service": STEADY, "interval_min": 60, "rng": 4, "n_paths": 2000}
    frac = count_noise_scale(ds, vol, AHT_S, whole=False, queue_noise=False, **kw)
    want = stats.poisson.ppf(0.95, 480) / 480
    np.testing.assert_allclose(frac, want, atol=0.012)
    # The queue's own randomness at the known rate asks for more on top (a day at exactly
    # 80 % by the formula meets 80 % on only about half of its simulated days).
    assert (count_noise_scale(ds, vol, AHT_S, whole=False, **kw) > want + 0.02).all()
    assert float(erlang.service_level(4, 20 * AHT_S / 3600, AHT_S, 20.0)) == pytest.approx(
        0.912, abs=0.001
    )
    np.testing.assert_array_equal(count_noise_scale(ds, vol, AHT_S, **kw), [1.0, 1.0])


def test_a_certainty_plan_says_how_much_of_its_scale_the_count_noise_takes() -> None:
    # A day level of 15 %: the scale reaches the note's 1.1 (at 8 % the whole agents'
    # rounding covers it, now that the slots' Poisson scatter is not counted twice).
    hist = _steady_247(20.0, weeks=8, day_sigma=0.15, seed=3)
    p = staffplan.plan(
        hist, horizon="1D", certainty=0.95, rng=1,
        **{**FAST, "simulate": False, "time_limit_s": 3.0},
    )  # fmt: skip
    day = p.daily.iloc[0]
    assert 1.0 <= day["certainty_scale_count_noise"] < day["certainty_scale"]
    assert day["certainty_scale"] >= 1.1  # the note is due
    note = next(w for w in p.warnings if w.startswith("certainty=0.95 staffs days for"))
    per_hour = p.forecast["volume"].mean()
    assert 19 < per_hour < 22 and f"about {per_hour:.0f} contacts per 60-min interval" in note
    assert f"for {day['certainty_scale']:.2f}x their mean volume" in note
    assert f"need {day['certainty_scale_count_noise']:.2f}x even with a perfect forecast" in note


def test_whole_agents_count_their_rounding_toward_the_certainty(held_out, replayed) -> None:
    # The plan staffs whole agents on the floor; judging the scale at that staffing uses the
    # rounding's slack.  Reference: the simulated replay of 140 held-out days (fixture
    # ``replayed``) still meets 95 % of days within binomial noise, for fewer agent-hours
    # than rounding up the plan found in fractional agents.
    fc, paths, code, _ = held_out
    frac = _scale_of(fc["ds"], fc["volume"], paths, queue_noise=True)["scale"].to_numpy()
    rounded = STEADY.required_on_phones(
        fc["volume"].to_numpy() * frac[code], AHT_S, interval_min=60, integer=True
    )
    assert replayed["agents"].sum() < 0.95 * rounded.sum()
    assert float(np.mean(replayed["sim"] >= 0.8)) >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / 140)


@pytest.mark.parametrize("whole", [False, True])
def test_the_scale_found_is_the_smallest_that_meets_the_certainty(held_out, whole) -> None:
    # Reference: day_chance (the chance computed on its own, not by the search) at the
    # staffing of the scale found meets 95 %, and a scale one tolerance step below misses it.
    from staffplan.erlang import scheduled_agents
    from staffplan.plan._certainty import SCALE_TOL

    fc, paths, code, _ = held_out
    week = code < 7
    ds, vol = fc["ds"][week], fc["volume"].to_numpy()[week]
    out = _scale_of(ds, vol, paths[:, week], whole=whole, queue_noise=True)

    def chance(scale: np.ndarray) -> np.ndarray:
        agents = STEADY.required_on_phones(
            vol * scale[code[week]], AHT_S, interval_min=60, integer=False
        )
        if whole:
            agents = scheduled_agents(agents, STEADY.shrinkage) * (1 - STEADY.shrinkage)
        frame = day_chance(ds, paths[:, week], AHT_S, agents, service=STEADY, interval_min=60)
        return frame["p_meet_target"].to_numpy()

    found = out["scale"].to_numpy()
    assert (found > 1).all()  # a day level of 8 %: every day needs more than the mean
    np.testing.assert_array_equal(chance(found), out["p_meet_target"])
    assert (chance(found) >= 0.95).all()
    assert (chance(found - SCALE_TOL) < 0.95).all()


def _simulated_days(volume, agents, *, interval_min, n_days, seed, patience_s=None, drain=False):
    """Each simulated day's service level (answered within 20 s / offered) at a known
    Poisson rate per interval (``volume``: one day), one replication of ``n_days``
    consecutive days: queues carry over midnight, or with ``drain`` (a centre closed at
    night) a closed interval with ample staff empties the queue between days."""
    from staffplan.simulate._des import _draw, _one_replication

    if drain:
        volume, agents = np.append(volume, 0.0), np.append(agents, 3 * agents.max())
    per_day = agents.size
    n = per_day * n_days
    gen = np.random.default_rng(seed)
    interval_s = 60.0 * interval_min
    patience = np.full(n, np.inf if patience_s is None else patience_s)
    counts, times, where, handle, deadline = _draw(
        gen, np.tile(volume, n_days), np.full(n, AHT_S), patience, None, interval_s
    )
    _, within, *_ = _one_replication(
        times, where, handle, deadline, np.tile(agents, n_days).astype(int), interval_s, 20.0
    )
    return within.reshape(n_days, per_day).sum(axis=1) / counts.reshape(n_days, per_day).sum(axis=1)


def _day_shape(n: int) -> np.ndarray:
    """A day centre's intraday shape: a morning peak, a lull, an afternoon peak, a tail."""
    return np.interp(np.arange(n), [0, n / 4, n / 2, 3 * n / 4, n - 1], [0.5, 1.3, 1.0, 1.2, 0.4])


#: (grid [min], one day's rate per interval [contacts], patience [s] or None, open hours
#: only, targets): each staffed with the formula's whole agents for 80/20 at that rate and
#: judged against targets far from the formula's day service (0.80 where it gives 0.87-0.91)
#: and near it (within 1-3 points).
CHANCE_CASES = {
    "24/7, 15 min, 7": (15, np.full(96, 7.0), None, False, (0.8, 0.9)),
    "24/7, 60 min, 20": (60, np.full(24, 20.0), None, False, (0.8, 0.9)),
    "08-20, 30 min, 16-52": (30, 40.0 * _day_shape(24), None, True, (0.8, 0.85)),
    "08-20, 60 min, 16-52, patience 180 s": (60, 40.0 * _day_shape(12), 180.0, True, (0.8, 0.85)),
}
SLOW_CHANCE_CASES = {
    "24/7, 30 min, 100": (30, np.full(48, 100.0), None, False, (0.7, 0.8, 0.81)),
    "08-20, 15 min, 48-156": (15, 120.0 * _day_shape(48), None, True, (0.8, 0.82)),
}


def _check_chance_against_simulation(interval_min, volume, patience_s, drain, targets):
    # Outside reference: the discrete-event simulator at a known Poisson rate, n simulated
    # days (seeds fixed).  The paths are calibrated on 6 weeks of Poisson counts held out
    # against that same rate, drawn as rates (as plans draw them).  Tolerances:
    # - p_meet_target: 3 binomial sd of the simulated share, plus 2 points for the model
    #   (the paths also carry the level error of a 6-week calibration, which the simulation
    #   at the known rate has not, and the stationary queue stands in for each interval);
    # - service_level_p05: 0.01 (the simulated 5 % point of n >= 600 days has an sd of
    #   about 0.003); the paths alone sat 0.027-0.05 above it (their days spread too little);
    # - expected_service_level: 0.01 of the simulated mean day (its sd 0.0015).
    per_day = volume.size
    n_days = 600
    service = STEADY.replace(patience_s=patience_s)
    agents = service.required_on_phones(volume, AHT_S, interval_min=interval_min, integer=True)
    gen = np.random.default_rng(5)
    held = gen.poisson(np.tile(volume, 42)).astype(float)
    model = ResidualQuantiles.from_backtest(
        held, np.tile(volume, 42), np.zeros(held.size, int), n_slots=per_day
    )
    first = pd.Timestamp("2026-03-02 08:00" if drain else "2026-03-02")
    ds = pd.DatetimeIndex(
        np.concatenate(
            [pd.date_range(first + pd.Timedelta(days=d), periods=per_day, freq=f"{interval_min}min")
             for d in range(7)]
        )
    )  # fmt: skip
    day = np.repeat(np.arange(7), per_day)
    mean = np.tile(volume, 7)
    g = np.random.default_rng(1)
    day_u = np.repeat(g.random((1000, 7)), per_day, axis=1)
    paths = sample_compound(model, mean, np.zeros(ds.size, int), day_u, g, day=day, rates=True)
    sim = _simulated_days(
        volume, agents, interval_min=interval_min, n_days=n_days, seed=7,
        patience_s=patience_s, drain=drain,
    )  # fmt: skip
    miss_now = miss_alone = 0.0
    for target in targets:
        svc = service.replace(service_level=target)
        kw = {"service": svc, "interval_min": interval_min}
        got = day_chance(ds, paths, AHT_S, np.tile(agents, 7), **kw)
        alone = day_chance(ds, paths, AHT_S, np.tile(agents, 7), queue_noise=False, **kw)
        share = float(np.mean(sim >= target))
        p = float(got["p_meet_target"].mean())
        tol = 3 * math.sqrt(share * (1 - share) / n_days) + 0.02
        assert p == pytest.approx(share, abs=tol), (target, p, share)
        miss_now += abs(p - share)
        miss_alone += abs(float(alone["p_meet_target"].mean()) - share)
    # Near the target the paths alone were too sure (0.80-0.85 for 71-73 % of days at 90/20;
    # 1.0 for 85 % at 80/20 on the day centre); over a case's targets the chance is closer.
    assert miss_now < miss_alone
    assert float(got["service_level_p05"].mean()) == pytest.approx(np.quantile(sim, 0.05), abs=0.01)
    assert float(alone["service_level_p05"].mean()) > np.quantile(sim, 0.05) + 0.02
    assert float(got["expected_service_level"].mean()) == pytest.approx(sim.mean(), abs=0.01)


@pytest.mark.parametrize("case", list(CHANCE_CASES))
def test_day_chance_matches_a_simulation_at_the_known_rate(case) -> None:
    _check_chance_against_simulation(*CHANCE_CASES[case])


@pytest.mark.slow
@pytest.mark.parametrize("case", list(SLOW_CHANCE_CASES))
def test_day_chance_matches_a_simulation_at_high_volume(case) -> None:
    _check_chance_against_simulation(*SLOW_CHANCE_CASES[case])
