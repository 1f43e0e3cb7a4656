"""forecast_many / staff_many / plan_many against the single-queue functions they wrap.

The reference for every queue is the public single-queue function called
directly on that queue's rows (``staffplan.forecast.forecast``,
``staffplan.erlang.required_agents``, ``staffplan.plan``): running many queues
in batches, in other processes or on a Dask cluster must not change a number.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from staffplan.datasets import generate_sample

# The generated histories close a holiday (2026-01-26) these tests do not pass as an event;
# the forecaster's warning naming such a day is tested in tests/cli/test_real_shapes.py.
pytestmark = pytest.mark.filterwarnings("ignore:history has no rows on:UserWarning")

forecast = pytest.importorskip("staffplan.forecast")
erlang = pytest.importorskip("staffplan.erlang")

from staffplan.many import ManyResult, forecast_many, plan_many, staff_many  # noqa: E402

HORIZON = "7D"
FAST = {"method": "profile"}


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """Two sites x three queues, five weeks of 30-min history, rows shuffled."""
    parts = []
    for i, site in enumerate(("north", "south")):
        h, _ = generate_sample(weeks=5, queues=("sales", "service", "claims"), seed=100 + i)
        parts.append(h.assign(site=site))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)


def _one_queue(history: pd.DataFrame, site: str, queue: str) -> pd.DataFrame:
    rows = history[(history["site"] == site) & (history["queue"] == queue)]
    return rows.drop(columns="site").sort_values("ds").reset_index(drop=True)


def _reference_forecasts(history: pd.DataFrame, **kwargs: object) -> pd.DataFrame:
    parts = []
    for site, queue in sorted(history.groupby(["site", "queue"]).groups):
        fc = forecast.forecast(_one_queue(history, site, queue), HORIZON, **kwargs)
        parts.append(fc.assign(site=site)[["site", *fc.columns]])
    return pd.concat(parts, ignore_index=True)


def test_forecast_many_equals_each_queue_forecast_alone(history: pd.DataFrame) -> None:
    res = forecast_many(history, HORIZON, site_col="site", executor="serial", **FAST)
    assert res.ok, res.failed
    expected = _reference_forecasts(history, **FAST)
    assert_frame_equal(res.frame[expected.columns], expected)
    assert res.keys == sorted(history.groupby(["site", "queue"]).groups)


def test_forecast_many_same_on_serial_pool_and_dask(
    history: pd.DataFrame, dask_client: object
) -> None:
    serial = forecast_many(history, HORIZON, site_col="site", executor="serial", **FAST)
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = forecast_many(history, HORIZON, site_col="site", executor=pool, **FAST)
    on_dask = forecast_many(history, HORIZON, site_col="site", executor=dask_client, **FAST)
    assert_frame_equal(pooled.frame, serial.frame)
    assert_frame_equal(on_dask.frame, serial.frame)
    cols = ["site", "queue", "status", "error"]
    assert_frame_equal(pooled.status[cols], serial.status[cols])
    assert_frame_equal(on_dask.status[cols], serial.status[cols])


def test_bad_queues_fail_with_reason_and_the_others_succeed(history: pd.DataFrame) -> None:
    frame = history.copy()
    negative = (frame["site"] == "north") & (frame["queue"] == "claims")
    frame.loc[negative, "volume"] = -5
    short = (frame["site"] == "south") & (frame["queue"] == "sales")
    first_days = frame["ds"] < frame["ds"].min() + pd.Timedelta(days=3)
    frame = frame[~short | first_days]
    calls: list[tuple[int, int, object]] = []
    res = forecast_many(
        frame,
        HORIZON,
        site_col="site",
        executor=None,
        batch_size=2,
        progress=lambda *a: calls.append(a),
        **FAST,
    )
    failed = res.failed.set_index(["site", "queue"])["error"]
    assert sorted(failed.index) == [("north", "claims"), ("south", "sales")]
    assert "volume" in failed[("north", "claims")]
    assert "history" in failed[("south", "sales")] or "days" in failed[("south", "sales")]
    good = history[~negative & ~short]
    assert_frame_equal(res.frame, _reference_forecasts(good, **FAST)[res.frame.columns])
    assert [c[0] for c in calls] == list(range(1, 7))


def test_staff_many_matches_erlang_on_each_forecast(history: pd.DataFrame) -> None:
    res = staff_many(
        history,
        HORIZON,
        site_col="site",
        executor="serial",
        service_level=0.8,
        target_answer_s=20,
        shrinkage=0.3,
        **FAST,
    )
    assert res.ok, res.failed
    fc = _reference_forecasts(history, **FAST)
    agents = erlang.required_agents(
        fc["volume"].to_numpy(),
        fc["aht_s"].to_numpy(),
        interval_min=30,
        service_level=0.8,
        target_answer_s=20,
        shrinkage=0.3,
    )
    np.testing.assert_array_equal(res.frame["agents"].to_numpy(), np.asarray(agents))
    traffic = erlang.traffic(fc["volume"].to_numpy(), fc["aht_s"].to_numpy(), interval_min=30)
    np.testing.assert_allclose(res.frame["traffic_erl"].to_numpy(), np.asarray(traffic))


def test_staff_many_to_a_quantile_with_fixed_aht(history: pd.DataFrame) -> None:
    res = staff_many(
        history,
        HORIZON,
        executor="serial",
        aht_s=300.0,
        volume_quantile=0.9,
        site_col="site",
        **FAST,
    )
    assert res.ok, res.failed
    frame = res.frame
    assert "volume_q0.9" in frame.columns
    expected = erlang.required_agents(frame["volume_q0.9"].to_numpy(), 300.0, interval_min=30)
    np.testing.assert_array_equal(frame["agents"].to_numpy(), np.asarray(expected))
    assert (frame["aht_s"] == 300.0).all()


def test_mapping_history_must_match_its_key(history: pd.DataFrame) -> None:
    north = history[history["site"] == "north"].drop(columns="site")
    inputs = {q: g for q, g in north.groupby("queue")}
    inputs["renamed"] = inputs.pop("claims")  # its queue column still says "claims"
    inputs["bare"] = inputs["sales"].drop(columns="queue")
    res = forecast_many(inputs, HORIZON, executor="serial", **FAST)
    assert res.failed["queue"].tolist() == ["renamed"]
    assert "the key names the queue" in res.failed["error"].item()
    assert (res["bare"]["queue"] == "bare").all()
    sales = res["sales"].drop(columns="queue")
    assert_frame_equal(res["bare"].drop(columns="queue"), sales)


def test_staff_many_rejects_unknown_keywords(history: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['servce_level'\]"):
        staff_many(history, HORIZON, servce_level=0.8)
    with pytest.raises(ValueError, match="volume_quantile must be in"):
        staff_many(history, HORIZON, volume_quantile=1.5)


def test_forecast_many_streams_to_out_dir(
    history: pd.DataFrame, tmp_path: os.PathLike[str]
) -> None:
    in_memory = forecast_many(history, HORIZON, site_col="site", executor="serial", **FAST)
    streamed = forecast_many(history, HORIZON, site_col="site", out_dir=tmp_path, **FAST)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files[:2] == ["_schema.json", "_status.csv"]
    assert len(files) == 8 and files[2].startswith("north/")
    assert_frame_equal(streamed.frame, in_memory.frame)
    reopened = ManyResult.open(tmp_path)
    assert reopened.keys == streamed.keys
    assert_frame_equal(reopened.status, streamed.status)
    assert_frame_equal(reopened.frame, in_memory.frame)


def test_plan_many_plans_each_queue_and_reports_failures(
    history: pd.DataFrame, tmp_path: os.PathLike[str]
) -> None:
    plan_module = pytest.importorskip("staffplan.plan")
    north = history[history["site"] == "north"].drop(columns="site")
    inputs = {q: g for q, g in north.groupby("queue") if q != "claims"}
    inputs["tiny"] = inputs["sales"].sort_values("ds").head(20).drop(columns="queue")
    kwargs = {"horizon": "2D", "simulate": False, "time_limit_s": 5.0, "forecast_method": "profile"}
    res = plan_many(inputs, executor="serial", **kwargs)
    assert res.status["queue"].tolist() == ["sales", "service", "tiny"]
    assert res.status["status"].tolist() == ["ok", "ok", "failed"]
    assert "needs at least" in res.status["error"].iloc[2]
    assert set(res.plans) == {"sales", "service"}
    direct = plan_module.plan(inputs["sales"], **kwargs)
    assert_frame_equal(res.plans["sales"].requirements, direct.requirements)
    streamed = plan_many(inputs, out_dir=tmp_path, **kwargs)
    assert (tmp_path / "sales" / "plan.json").is_file()
    loaded = streamed["sales"]
    assert isinstance(loaded, plan_module.Plan)
    assert_frame_equal(
        loaded.requirements, res.plans["sales"].requirements, check_dtype=False, check_freq=False
    )
    reopened = ManyResult.open(tmp_path)
    assert reopened.status["status"].tolist() == ["ok", "ok", "failed"]
    assert "needs at least" in reopened.failed["error"].item()
    assert isinstance(reopened["sales"], plan_module.Plan)
    assert_frame_equal(reopened["service"].roster, streamed["service"].roster)


def test_plan_many_over_sites_on_a_process_pool(history: pd.DataFrame) -> None:
    plan_module = pytest.importorskip("staffplan.plan")
    frame = history[history["queue"] != "claims"]
    kwargs = {"horizon": "2D", "simulate": False, "time_limit_s": 5.0, "forecast_method": "profile"}
    res = plan_many(frame, site_col="site", batch_size=1, **kwargs)
    assert res.ok, res.failed
    assert res.keys == [
        ("north", "sales"),
        ("north", "service"),
        ("south", "sales"),
        ("south", "service"),
    ]
    direct = plan_module.plan(_one_queue(history, "south", "service"), num_workers=1, **kwargs)
    assert_frame_equal(res.plans[("south", "service")].requirements, direct.requirements)
