"""Interval volume forecasting with calibrated quantiles, events and backtests.

History comes in as a long frame (``queue``, ``ds``, ``volume``, optional
``aht_s``); forecasts come out in the same shape with one column per quantile::

    from staffplan import forecast
    out = forecast.forecast(history, "14D", quantiles=(0.05, 0.5, 0.95))
    model = forecast.VolumeForecaster(method="auto").fit(history, events=events)
    out = model.predict(96, quantiles=(0.1, 0.9))
    result = forecast.backtest(history, folds=4, horizon="14D")

Opening hours are learned from history (weekday × slot), so closed slots are
absent from the output.  Days missing from history are missing, never zero.
See :class:`VolumeForecaster` for the methods and how uncertainty is
calibrated, and :mod:`staffplan.forecast._events` (documented on
:func:`forecast`) for the event rules, including the fallback for a holiday
never seen in history.
"""

from __future__ import annotations

from staffplan.forecast._backtest import (
    BACKTEST_QUANTILES,
    BacktestResult,
    accuracy,
    backtest,
    pinball_loss,
)
from staffplan.forecast._events import AFTER_CLOSURE
from staffplan.forecast._forecaster import (
    DEFAULT_QUANTILES,
    VolumeForecaster,
    forecast,
    quantile_column,
)
from staffplan.forecast._models import METHODS

__all__ = [
    "AFTER_CLOSURE",
    "BACKTEST_QUANTILES",
    "DEFAULT_QUANTILES",
    "METHODS",
    "BacktestResult",
    "VolumeForecaster",
    "accuracy",
    "backtest",
    "forecast",
    "pinball_loss",
    "quantile_column",
]
