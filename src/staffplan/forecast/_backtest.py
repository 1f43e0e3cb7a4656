"""Rolling-origin backtest and accuracy metrics."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan._validation import check_int
from staffplan.forecast._forecaster import (
    Events,
    VolumeForecaster,
    _check_quantiles,
    quantile_column,
)
from staffplan.forecast._frame import Columns, group_history, weekly_naive_mae

__all__ = ["BACKTEST_QUANTILES", "BacktestResult", "accuracy", "backtest", "pinball_loss"]

#: Levels scored by default: the central 80%, 90% and 95% intervals and the median.
BACKTEST_QUANTILES = (0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975)


def pinball_loss(actual: np.ndarray, q_pred: np.ndarray, level: float) -> float:
    """Mean pinball (quantile) loss: ``mean(max(tau·(y - q), (tau - 1)·(y - q)))``."""
    diff = np.asarray(actual, dtype=np.float64) - np.asarray(q_pred, dtype=np.float64)
    return float(np.mean(np.maximum(level * diff, (level - 1.0) * diff)))


def accuracy(
    actual: np.ndarray,
    point: np.ndarray,
    *,
    scale: float,
    quantiles: dict[float, np.ndarray] | None = None,
) -> dict[str, float]:
    """Point and interval accuracy of one set of forecasts.

    Parameters
    ----------
    actual, point : array
        Observed and forecast volume [contacts].
    scale : float
        MASE denominator: the in-sample MAE of the same-slot-last-week naive.
    quantiles : dict, optional
        Level → quantile forecasts.  Coverage of the central 80%, 90% and 95%
        intervals is reported when both of its ends are present.

    Returns
    -------
    dict
        n, mae, rmse, wape (sum |e| / sum y), mase, bias (mean forecast − actual),
        ``pinball_<level>``, ``coverage_80`` / ``_90`` / ``_95`` and the mean width
        of those intervals ``width_80`` / ``_90`` / ``_95`` [contacts] (sharpness).
    """
    y = np.asarray(actual, dtype=np.float64)
    f = np.asarray(point, dtype=np.float64)
    err = f - y
    mae = float(np.mean(np.abs(err))) if y.size else float("nan")
    total = float(np.sum(y))
    out = {
        "n": float(y.size),
        "mae": mae,
        "rmse": float(np.sqrt(np.mean(err**2))) if y.size else float("nan"),
        "wape": float(np.sum(np.abs(err)) / total) if total > 0 else float("nan"),
        "mase": mae / scale if scale > 0 else float("nan"),
        "bias": float(np.mean(err)) if y.size else float("nan"),
    }
    quantiles = quantiles or {}
    for lev, qp in sorted(quantiles.items()):
        out[f"pinball_{lev:g}"] = pinball_loss(y, qp, lev)
    for width in (80, 90, 95):
        lo, hi = round((1 - width / 100) / 2, 6), round(1 - (1 - width / 100) / 2, 6)
        los = [k for k in quantiles if abs(k - lo) < 1e-9]
        his = [k for k in quantiles if abs(k - hi) < 1e-9]
        if los and his:
            inside = (y >= quantiles[los[0]]) & (y <= quantiles[his[0]])
            out[f"coverage_{width}"] = float(np.mean(inside)) if y.size else float("nan")
            band = quantiles[his[0]] - quantiles[los[0]]
            out[f"width_{width}"] = float(np.mean(band)) if y.size else float("nan")
    return out


@dataclass
class BacktestResult:
    """Rolling-origin evaluation.

    Attributes
    ----------
    folds : pandas.DataFrame
        One row per queue × fold: cutoff, metrics (see :func:`accuracy`).
    overall : pandas.DataFrame
        One row per queue: the metrics over all folds pooled (MASE uses the
        mean of the fold scales).
    predictions : pandas.DataFrame
        Every scored interval: queue, fold, cutoff, ds, actual, volume and the quantiles.
    """

    folds: pd.DataFrame
    overall: pd.DataFrame
    predictions: pd.DataFrame


def backtest(
    history: pd.DataFrame,
    *,
    method: str = "auto",
    folds: int = 4,
    horizon: str | pd.Timedelta | int = "14D",
    step: str | pd.Timedelta | int | None = None,
    quantiles: Sequence[float] = BACKTEST_QUANTILES,
    events: Events = None,
    interval_min: int | None = None,
    queue_col: str = "queue",
    ds_col: str = "ds",
    volume_col: str = "volume",
    aht_col: str = "aht_s",
) -> BacktestResult:
    """Rolling-origin backtest: refit before each cutoff, forecast ``horizon``, score.

    The last fold ends with the history; earlier cutoffs step back by
    ``step`` (default: ``horizon``).  Cutoffs fall on local midnight.  Each
    fold forecasts exactly the intervals present in the held-out part (days
    missing from history are not scored) and MASE divides by the in-sample
    same-slot-last-week naive MAE of that fold's training data.

    Parameters
    ----------
    history : pandas.DataFrame
        As for :func:`forecast`.
    method : str
        Forecasting method (see :class:`VolumeForecaster`).
    folds : int
        Number of origins.
    horizon, step : str, Timedelta or int
        Length of each held-out window and spacing of the cutoffs (whole days;
        an int counts intervals, as in :func:`forecast`).
    quantiles : sequence of float
        Levels scored with the pinball loss; central-interval coverage needs
        the matching pairs (0.1/0.9, 0.05/0.95, 0.025/0.975).

    Returns
    -------
    BacktestResult
    """
    folds = check_int(folds, "folds", minimum=1)
    levels = _check_quantiles(quantiles)
    cols = Columns(queue_col, ds_col, volume_col, aht_col)
    grids, has_queue = group_history(history, cols, interval_min=interval_min)
    step_min = grids[0].interval_min
    h = intervals.horizon_span(horizon, step_min)
    s = intervals.horizon_span(step, step_min, name="step") if step is not None else h
    for name, td in (("horizon", h), ("step", s)):
        if td % pd.Timedelta(days=1):
            raise ValueError(f"{name} must be a positive whole number of days, got {td}")
    ds_all = intervals.as_datetime_index(history[ds_col], f"history[{ds_col!r}]")
    day_all = intervals.local_day(ds_all)
    last_day = day_all.max()
    first_cutoff = last_day + pd.Timedelta(days=1) - h - (folds - 1) * s
    if first_cutoff <= day_all.min():
        raise ValueError(
            f"folds={folds} with horizon {h} and step {s} reaches before the history: the "
            f"first cutoff would be {first_cutoff.date()}, history starts {day_all.min().date()}"
        )
    template = VolumeForecaster(
        method,
        interval_min=interval_min,
        queue_col=queue_col,
        ds_col=ds_col,
        volume_col=volume_col,
        aht_col=aht_col,
    )
    fold_rows, pred_frames = [], []
    for k in range(folds):
        cutoff = last_day + pd.Timedelta(days=1) - h - k * s
        train_mask = np.asarray(day_all < cutoff)
        test_mask = np.asarray((day_all >= cutoff) & (day_all < cutoff + h))
        train = history.loc[train_mask]
        test = history.loc[test_mask]
        if len(train) == 0 or len(test) == 0:
            raise ValueError(
                f"folds={folds} with horizon {h} and step {s} reaches before the history "
                f"(fold {k + 1} cutoff {cutoff.date()})"
            )
        model = copy.copy(template).fit(train, events=events)
        for q, m in model.models_.items():
            sub = test[test[queue_col] == q] if has_queue else test
            sub = sub[pd.to_numeric(sub[volume_col], errors="coerce").notna()]
            if len(sub) == 0:
                continue
            sub = sub.sort_values(ds_col)
            pred = model._predict_queue(m, pd.DatetimeIndex(sub[ds_col]), levels)
            actual = sub[volume_col].to_numpy(dtype=np.float64)
            qcols = {lev: pred[quantile_column(lev, volume_col)].to_numpy() for lev in levels}
            scale = weekly_naive_mae(m.grid.y)
            met = accuracy(actual, pred[volume_col].to_numpy(), scale=scale, quantiles=qcols)
            fold_rows.append(
                {
                    "queue": q,
                    "fold": k + 1,
                    "cutoff": cutoff,
                    "scale": scale,
                    "config": m.config.label,
                    **met,
                }
            )
            pred.insert(2, "actual", actual)
            pred.insert(0, "fold", k + 1)
            pred.insert(1, "cutoff", cutoff)
            pred_frames.append(pred)
    folds_df = pd.DataFrame(fold_rows).sort_values(["queue", "fold"], ignore_index=True)
    preds = pd.concat(pred_frames, ignore_index=True)
    overall_rows = []
    for q, grp in preds.groupby(queue_col, sort=True):
        qcols = {lev: grp[quantile_column(lev, volume_col)].to_numpy() for lev in levels}
        scale = float(folds_df.loc[folds_df["queue"] == q, "scale"].mean())
        met = accuracy(
            grp["actual"].to_numpy(), grp[volume_col].to_numpy(), scale=scale, quantiles=qcols
        )
        overall_rows.append({"queue": q, "folds": int(grp["fold"].nunique()), **met})
    if not has_queue:
        folds_df = folds_df.drop(columns="queue")
    return BacktestResult(folds=folds_df, overall=pd.DataFrame(overall_rows), predictions=preds)
