"""Synthetic contact-centre histories with a known shape."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Weekday factors (Mon..Fri) and an intraday bump peaking late morning.
WEEKDAY_FACTOR = np.array([1.3, 1.1, 1.0, 0.95, 0.9])


def intraday_shape(n_slots: int) -> np.ndarray:
    """A two-peak intraday profile summing to 1."""
    x = np.linspace(0.0, 1.0, n_slots)
    shape = 1.0 + 1.5 * np.exp(-((x - 0.3) ** 2) / 0.02) + 0.8 * np.exp(-((x - 0.75) ** 2) / 0.03)
    return shape / shape.sum()


def make_history(
    *,
    start: str = "2024-01-01",
    weeks: int = 10,
    open_hour: int = 8,
    close_hour: int = 18,
    interval_min: int = 30,
    daily_total: float = 2000.0,
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4),
    rng: int = 0,
    tz: str | None = None,
    noise: bool = True,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Poisson volumes with a known weekday × slot mean; returns (frame, mean per row)."""
    gen = np.random.default_rng(rng)
    n_slots = (close_hour - open_hour) * 60 // interval_min
    shape = intraday_shape(n_slots)
    days = pd.date_range(start, periods=7 * weeks, freq="D")
    rows, means = [], []
    for day in days:
        w = day.day_of_week
        if w not in weekdays:
            continue
        fac = WEEKDAY_FACTOR[w] if w < 5 else 0.5
        stamps = day + pd.to_timedelta(open_hour * 60 + interval_min * np.arange(n_slots), "min")
        mu = daily_total * fac * shape
        rows.append(pd.DataFrame({"ds": stamps, "volume": mu}))
        means.append(mu)
    frame = pd.concat(rows, ignore_index=True)
    mean = np.concatenate(means)
    if noise:
        frame["volume"] = gen.poisson(mean).astype(float)
    if tz is not None:
        frame["ds"] = frame["ds"].dt.tz_localize(tz)
    return frame, mean
