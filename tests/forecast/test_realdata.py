"""The fpp2 ``calls`` protocol (../shared/data/fpp2_calls/README.md): the floor of the issue.

Train on the 30-minute series up to Friday 2003-10-10, forecast Monday 13 to
Friday 24 October (07:00–21:00, the partial 21:00 bucket dropped), score the
nine days present.  MASE is scaled by the in-sample same-slot-last-week naive
MAE.  Reference baselines measured on this protocol (README): seasonal naive
0.981, 4-week slot mean 0.833, statsforecast MSTL+AutoETS 0.777.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import forecast
from staffplan.forecast._frame import Columns, group_history, weekly_naive_mae

pytestmark = [
    pytest.mark.realdata,
    # The bank's series misses whole weekdays (2003-04-04, 04-07, 05-26...); the forecaster
    # names them in a warning, tested on made-up gaps in tests/cli/test_real_shapes.py.
    pytest.mark.filterwarnings("ignore:history has no rows on:UserWarning"),
]

LEVELS = (0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975)


def load_calls(shared_data) -> pd.DataFrame:
    raw = pd.read_csv(shared_data / "fpp2_calls" / "calls_30min.csv", parse_dates=["timestamp"])
    raw = raw[raw["n5"] == 6]  # drop the 21:00–21:05 partial bucket
    return raw.rename(columns={"timestamp": "ds", "calls": "volume"})[["ds", "volume"]]


def test_fpp2_protocol_floor(shared_data):
    calls = load_calls(shared_data)
    train = calls[calls["ds"] < "2003-10-11"]
    test = calls[calls["ds"] >= "2003-10-11"]
    out = forecast.forecast(train, "14D", quantiles=LEVELS)
    # every open weekday slot of the two weeks is forecast, nothing on weekends
    assert len(out) == 10 * 28
    joined = test.merge(out, on="ds", how="left", suffixes=("", "_fc"))
    assert joined["volume_fc"].notna().all() and len(joined) == 9 * 28
    (grid,), _ = group_history(train, Columns())
    scale = weekly_naive_mae(grid.y)
    qs = {lev: joined[forecast.quantile_column(lev)].to_numpy() for lev in LEVELS}
    m = forecast.accuracy(
        joined["volume"].to_numpy(), joined["volume_fc"].to_numpy(), scale=scale, quantiles=qs
    )
    assert m["mase"] <= 0.75
    assert 0.92 <= m["coverage_95"] <= 0.98
    assert np.isfinite(m["pinball_0.95"])


def test_fpp2_rolling_origin_bands_calibrated(shared_data):
    # Six 2-week folds over the whole series (the benchmark's rolling origin).  Errors within
    # a day move together, so coverage varies like ~58 independent days, not 1,624 intervals:
    # the day-clustered standard error of the 80% coverage measured about 2.5 points, and
    # the bounds are two of those around each nominal level.
    calls = load_calls(shared_data)
    res = forecast.backtest(calls, folds=6, horizon="14D", step="14D", quantiles=LEVELS)
    m = res.overall.iloc[0]
    assert 0.75 <= m["coverage_80"] <= 0.85
    assert 0.85 <= m["coverage_90"] <= 0.95
    assert 0.92 <= m["coverage_95"] <= 0.98
