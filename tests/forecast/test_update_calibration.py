"""Calibration of the updated quantiles on rolling origins (held-out days, refit each day)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_update import level_history

from staffplan import forecast


def test_updated_bands_cover_the_rest_of_the_day_and_are_narrower():
    # Independent reference: the held-out actuals themselves.  Days with a random level
    # (sd 0.15) are what the update is for: the morning tells the level, so the updated
    # 80% band must still hold about 80% of the afternoon intervals while being narrower.
    hist = level_history(days=84 + 14, level_sd=0.15, daily_total=2500.0, seed=11)
    day_of = hist["ds"].dt.normalize()
    inside_upd, inside_base, width_upd, width_base = [], [], [], []
    for day in sorted(day_of.unique())[-14:]:
        train, today = hist[day_of < day], hist[day_of == day]
        model = forecast.VolumeForecaster("profile").fit(train)
        now = day + pd.Timedelta(hours=13)
        rest = pd.DatetimeIndex(today["ds"][today["ds"] >= now])
        y = today["volume"][today["ds"] >= now].to_numpy()
        upd = model.update(today[today["ds"] < now]).predict(rest, quantiles=(0.1, 0.9))
        base = model.predict(rest, quantiles=(0.1, 0.9))
        for fc, inside, width in ((upd, inside_upd, width_upd), (base, inside_base, width_base)):
            lo, hi = fc["volume_q0.1"].to_numpy(), fc["volume_q0.9"].to_numpy()
            inside.extend((y >= lo) & (y <= hi))
            width.append(np.mean(hi - lo))
    cover = np.mean(inside_upd)
    assert 0.7 <= cover <= 0.92, cover
    assert np.mean(width_upd) < 0.75 * np.mean(width_base)
