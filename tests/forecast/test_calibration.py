"""Quantile bands cover what they claim where the truth is known.

References: Poisson and Poisson–lognormal probabilities from ``scipy.stats.poisson`` (the
mixture over the day factor integrated with Gauss–Hermite nodes from numpy).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from staffplan import forecast
from staffplan.forecast._intervals import ResidualQuantiles

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _synth import make_history


def _mixture_cdf(k: float, mean: float, sigma: float) -> float:
    """P(Y ≤ k) for Y ~ Poisson(mean · exp(sigma · Z)), Z standard normal."""
    z, w = np.polynomial.hermite_e.hermegauss(60)
    return float(np.sum(w / w.sum() * stats.poisson.cdf(k, mean * np.exp(sigma * z))))


@pytest.mark.parametrize("seed", [0, 1])
def test_day_shift_and_slot_noise_calibrated_at_every_level(seed):
    # Held-out days share a lognormal day factor (sd 8%), slots add Poisson noise.  At low
    # levels the band must follow the Poisson part, at high levels the proportional day part:
    # a single power-of-the-level scaling cannot do both.
    rng = np.random.default_rng(seed)
    n_days, n_slots, sigma = 300, 28, 0.08
    shape = np.geomspace(2.0, 300.0, n_slots)
    pred = np.tile(shape, (n_days, 1))
    day = np.exp(sigma * rng.standard_normal(n_days))
    actual = rng.poisson(pred * day[:, None]).astype(float)
    lead = np.repeat(np.arange(n_days) % 14, n_slots)
    rq = ResidualQuantiles.from_backtest(actual.ravel(), pred.ravel(), lead, n_slots=n_slots)
    # From 40 contacts up the count distribution is fine enough to hit a level closely.
    levels_f = np.array([40.0, 150.0, 300.0])
    q = rq.quantiles(levels_f, np.full(levels_f.size, 3), (0.025, 0.1, 0.9, 0.975))
    for i, f in enumerate(levels_f):
        cov80 = _mixture_cdf(np.floor(q[i, 2]), f, sigma) - _mixture_cdf(
            np.ceil(q[i, 1]) - 1, f, sigma
        )
        cov95 = _mixture_cdf(np.floor(q[i, 3]), f, sigma) - _mixture_cdf(
            np.ceil(q[i, 0]) - 1, f, sigma
        )
        assert cov80 == pytest.approx(0.80, abs=0.04), f
        assert cov95 == pytest.approx(0.95, abs=0.02), f


@pytest.mark.parametrize(
    "kwargs",
    [
        {"interval_min": 15},
        {
            "interval_min": 30,
            "open_hour": 0,
            "close_hour": 24,
            "weekdays": tuple(range(7)),
            "daily_total": 800.0,
        },
    ],
    ids=["weekdays-15min", "24-7-30min"],
)
def test_poisson_known_mean_band_covers_its_level(kwargs):
    weeks = 30
    hist, mean = make_history(weeks=weeks, rng=3, **kwargs)
    cut = hist["ds"].iloc[0].normalize() + pd.Timedelta(weeks=weeks - 2)
    train, test = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    mu = mean[np.asarray(hist["ds"] >= cut)]
    out = forecast.forecast(train, pd.DatetimeIndex(test["ds"]), quantiles=(0.1, 0.9, 0.025, 0.975))
    y = test["volume"].to_numpy()
    lo, hi = out["volume_q0.1"].to_numpy(), out["volume_q0.9"].to_numpy()
    n = y.size
    # Held-out Poisson draws are independent: coverage is binomial, 3 standard errors.
    cov80 = np.mean((y >= lo) & (y <= hi))
    assert abs(cov80 - 0.80) <= 3 * np.sqrt(0.8 * 0.2 / n)
    cov95 = np.mean((y >= out["volume_q0.025"]) & (y <= out["volume_q0.975"]))
    assert abs(cov95 - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / n)
    # The band holds the Poisson noise of the true mean plus a little forecast error.
    poisson_width = np.mean(stats.poisson.ppf(0.9, mu) - stats.poisson.ppf(0.1, mu))
    assert 0.95 <= np.mean(hi - lo) / poisson_width <= 1.25
