"""Backtest metrics against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from staffplan import forecast


def test_accuracy_by_hand():
    actual = np.array([10.0, 20.0, 30.0])
    point = np.array([12.0, 18.0, 33.0])
    q = {0.1: np.array([9.0, 21.0, 25.0]), 0.9: np.array([11.0, 22.0, 29.0])}
    m = forecast.accuracy(actual, point, scale=2.0, quantiles=q)
    assert m["mae"] == pytest.approx(7 / 3)
    assert m["rmse"] == pytest.approx(math.sqrt(17 / 3))
    assert m["wape"] == pytest.approx(7 / 60)
    assert m["mase"] == pytest.approx(7 / 6)
    assert m["bias"] == pytest.approx(1.0)
    # tau = 0.1: y - q = [1, -1, 5] → [0.1, 0.9, 0.5]; tau = 0.9: [-1, -2, 1] → [0.1, 0.2, 0.9]
    assert m["pinball_0.1"] == pytest.approx(1.5 / 3)
    assert m["pinball_0.9"] == pytest.approx(1.2 / 3)
    # inside [q0.1, q0.9]: 10 in [9, 11] yes; 20 in [21, 22] no; 30 in [25, 29] no
    assert m["coverage_80"] == pytest.approx(1 / 3)
    assert m["width_80"] == pytest.approx((2 + 1 + 4) / 3)
    assert "coverage_95" not in m


def _weekly_ramp(weeks: int = 6) -> pd.DataFrame:
    """Value = 10 + 2·week + slot + 3·weekday on weekdays 09:00–11:00 (hourly)."""
    rows = []
    for w in range(weeks):
        for wd in range(5):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * w + wd)
            for slot in range(3):
                rows.append((day + pd.Timedelta(hours=9 + slot), 10.0 + 2 * w + slot + 3 * wd))
    return pd.DataFrame(rows, columns=["ds", "volume"])


def test_backtest_seasonal_naive_by_hand():
    hist = _weekly_ramp(6)
    res = forecast.backtest(hist, method="snaive", folds=2, horizon="7D")
    f = res.folds.set_index("fold")
    # each week is last week + 2 in every cell: the naive is 2 low everywhere
    np.testing.assert_allclose(f["mae"], [2.0, 2.0])
    np.testing.assert_allclose(f["rmse"], [2.0, 2.0])
    np.testing.assert_allclose(f["bias"], [-2.0, -2.0])
    np.testing.assert_allclose(f["scale"], [2.0, 2.0])  # in-sample weekly naive MAE
    np.testing.assert_allclose(f["mase"], [1.0, 1.0])
    # fold 1 scores week 5: sum = 15·20 + 5·3 + 3·3·10 = 405; fold 2 week 4: 375
    np.testing.assert_allclose(f["wape"], [30 / 405, 30 / 375])
    assert list(f["n"]) == [15, 15]
    assert f.loc[1, "cutoff"] == pd.Timestamp("2024-02-03")
    assert f.loc[2, "cutoff"] == pd.Timestamp("2024-01-27")
    o = res.overall.iloc[0]
    assert o["mae"] == pytest.approx(2.0) and o["mase"] == pytest.approx(1.0)
    assert o["wape"] == pytest.approx(60 / 780)
    for col in ("coverage_80", "coverage_90", "coverage_95", "pinball_0.5"):
        assert 0.0 <= o[col] <= (1.0 if col.startswith("cov") else 10.0)
    assert len(res.predictions) == 30


def test_backtest_rejects_bad_settings():
    hist = _weekly_ramp(6)
    with pytest.raises(ValueError, match="horizon must be a positive whole number of days"):
        forecast.backtest(hist, method="snaive", horizon="36h")
    with pytest.raises(ValueError, match="reaches before the history"):
        forecast.backtest(hist, method="snaive", folds=6, horizon="7D")


def test_backtest_per_queue_rows():
    a, b = _weekly_ramp(6), _weekly_ramp(6)
    a["queue"], b["queue"] = "a", "b"
    b["volume"] *= 3.0
    res = forecast.backtest(pd.concat([a, b]), method="snaive", folds=2, horizon="7D")
    assert list(res.folds["queue"]) == ["a", "a", "b", "b"]
    # scaling a queue by 3 scales MAE by 3 and leaves MASE and WAPE unchanged
    o = res.overall.set_index("queue")
    assert o.loc["b", "mae"] == pytest.approx(3 * o.loc["a", "mae"])
    assert o.loc["b", "mase"] == pytest.approx(o.loc["a", "mase"])
    assert o.loc["b", "wape"] == pytest.approx(o.loc["a", "wape"])
