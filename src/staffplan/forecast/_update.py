"""Intraday re-forecast: shrink the day's observed level towards the forecast.

By mid-morning a centre knows whether the day runs high or low.  The update
keeps the forecast's intraday shape and moves its level, by how much learned
from history (Shen & Huang 2008 update the day's level the same way, by
penalised least squares):

* after ``k`` slots of a day, the morning's log level ratio is
  ``x = log((Y_k + c) / (F_k + c))`` (``Y_k``, ``F_k`` actual and forecast
  contacts in the open slots observed so far, ``c`` = 1 contact so that a
  quiet early morning says little);
* the rest of the day is scaled by ``exp(w_k · x)`` and the next day by
  ``exp(v_k · x)``;
* ``w_k`` (and ``v_k``) are the least-squares slopes of the rest-of-day (next
  day) log ratio on ``x`` over the held-out days of the forecaster's own
  rolling-origin backtest, with a roughness penalty ``λ Σ (w_{k+1} - w_k)²``
  across update times; ``λ`` is chosen by 5-fold cross-validation over days.
  ``w = 0`` trusts the forecast, ``w = 1`` the morning; weights are clipped
  to ``[0, 1]``.

Quantiles: the held-out residual ``e = r - w_k x`` of each backtest day is
that day's level error *after* the update; it replaces the day ratios of
:class:`~staffplan.forecast._intervals.ResidualQuantiles` for the rest of the
day (and the next day), while the slot residuals stay.  The part of ``e``'s
spread that is slot noise (already in the slot residuals) is removed, so the
band narrows as the day is observed and tends to the slot noise alone late in
the day.

A *day* is the queue's operating day (:func:`staffplan.intervals.operating_day_start`):
the local calendar day, except for a centre whose hours cross midnight (open
22:00-06:00), whose day starts at opening, so the night's hours before and after
midnight are one day: at 02:00 the level is that of the night since 22:00.  The
weights are learned on the same days (the backtest's days re-cut to start at
opening).  Round the clock the day is the calendar day: a shift crossing
midnight is scaled by today's factor until 00:00 and by the (weaker) next-day
factor after.  Only the day of ``now`` informs the update; earlier whole days in
the actuals are checked but not used (refit the forecaster to learn from them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan._validation import check_columns
from staffplan.forecast._forecaster import (
    Horizon,
    VolumeForecaster,
    _QueueModel,
    _resolve_horizon,
    quantile_column,
)
from staffplan.forecast._frame import DEFAULT_QUEUE, Columns, _numeric_column
from staffplan.forecast._intervals import LEAD_EDGES_DAYS, ResidualQuantiles

__all__ = [
    "LevelUpdate",
    "Observed",
    "UpdatedForecaster",
    "adjust",
    "check_now",
    "learn_level_update",
    "level_row",
    "observed_level",
    "read_actuals",
    "update_forecaster",
]

#: Prior count [contacts] added to both sides of a level ratio.
PRIOR_CONTACTS = 1.0
_MAX_LEAD_DAYS = 7  # learn from held-out days of the first forecast week
_MIN_DAYS = 10  # fewer usable days at an update time: the band falls back
_N_FOLDS = 5
_LAMBDAS = (0.01, 0.1, 1.0, 10.0, 100.0)  # × mean Σx² per update time
_N_RATIO_POINTS = 64
_MIN_LEVEL_SHARE = 0.1  # the level part keeps at least this share of the residual variance


@dataclass(frozen=True)
class LevelUpdate:
    """What a queue's backtest teaches about trusting the morning.

    Attributes
    ----------
    weights_today, weights_next : numpy.ndarray
        Shape ``(n_slots + 1,)``: weight [-] of the morning's log level ratio
        after ``k`` observed slots, for the rest of the day and the next day.
    ratios_today, ratios_next : list of numpy.ndarray
        Per ``k``: held-out level ratios [-] left after the update (centred on 1).
    slot_residuals : numpy.ndarray
        Scaled slot residuals of the forecaster's quantiles.
    power : float
        Their level exponent.
    n_days : int
        Held-out days the weights were learned from.
    day_start_min : int
        Wall-clock start of the operating day the weights count ``k`` from
        [min after midnight] (0: the calendar day; see
        :func:`staffplan.intervals.operating_day_start`).
    """

    weights_today: np.ndarray
    weights_next: np.ndarray
    ratios_today: list[np.ndarray]
    ratios_next: list[np.ndarray]
    slot_residuals: np.ndarray
    power: float
    n_days: int
    day_start_min: int = 0

    def quantiles(
        self, pred: np.ndarray, k: int, next_day: bool, levels: tuple[float, ...]
    ) -> np.ndarray:
        """Quantiles ``(pred.size, len(levels))`` after ``k`` observed slots."""
        ratios = (self.ratios_next if next_day else self.ratios_today)[k]
        rq = ResidualQuantiles([ratios] * len(LEAD_EDGES_DAYS), self.slot_residuals, self.power)
        return rq.quantiles(pred, np.zeros(np.size(pred), dtype=np.int64), levels)


def _log_ratio(actual: np.ndarray, pred: np.ndarray) -> np.ndarray:
    return np.log((actual + PRIOR_CONTACTS) / (pred + PRIOR_CONTACTS))


def _smooth_slopes(sxx: np.ndarray, sxy: np.ndarray, lam: float) -> np.ndarray:
    """Minimise Σ_k (Sxx_k w_k² - 2 Sxy_k w_k) + lam Σ (w_{k+1} - w_k)²."""
    n = sxx.size
    a = np.diag(sxx + 1e-9 * max(float(sxx.mean()), 1e-12))
    if n > 1:
        d = np.diff(np.eye(n), axis=0)
        a = a + lam * d.T @ d
    return np.asarray(np.linalg.solve(a, sxy))


def _fit_weights(x: np.ndarray, y: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Penalised slopes per update time; λ by K-fold cross-validation over days."""
    x0, y0 = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
    n_days = x.shape[0]
    scale = max(float((x0**2).sum(axis=0).mean()), 1e-12)
    if n_days < _N_FOLDS:
        return np.zeros(x.shape[1])
    fold = np.arange(n_days) % _N_FOLDS
    best_lam, best_err = _LAMBDAS[-1], np.inf
    for s in _LAMBDAS:
        err = 0.0
        for f in range(_N_FOLDS):
            tr, te = fold != f, fold == f
            w = _smooth_slopes((x0[tr] ** 2).sum(0), (x0[tr] * y0[tr]).sum(0), s * scale)
            w = np.clip(w, 0.0, 1.0)
            err += float(((y0[te] - w * x0[te]) ** 2).sum())
        if err < best_err:
            best_lam, best_err = s, err
    w = _smooth_slopes((x0**2).sum(0), (x0 * y0).sum(0), best_lam * scale)
    return np.clip(w, 0.0, 1.0)


def _residual_ratios(
    e: np.ndarray, ok: np.ndarray, noise_var: np.ndarray, fallback: np.ndarray
) -> list[np.ndarray]:
    """Post-update level ratios per update time, centred and with the slot noise taken out."""
    out = []
    for k in range(e.shape[1]):
        ek = e[ok[:, k], k]
        if ek.size < _MIN_DAYS:
            out.append(fallback)
            continue
        ek = ek - np.median(ek)
        total = float(np.mean(ek**2))
        noise = float(np.mean(noise_var[ok[:, k], k]))
        level = max(total - noise, _MIN_LEVEL_SHARE * total)
        ek = ek * np.sqrt(level / total) if total > 0 else ek
        if ek.size > _N_RATIO_POINTS:
            ek = np.quantile(ek, (np.arange(_N_RATIO_POINTS) + 0.5) / _N_RATIO_POINTS)
        out.append(np.exp(ek))
    return out


def _operating_days(
    a: np.ndarray, f: np.ndarray, lead: np.ndarray, start: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Calendar-day rows re-cut into operating days starting at slot ``start``.

    An operating day is a day's slots from ``start`` on and the next day's before
    it; only days whose next day is held out from the same origin make one.
    """
    if start == 0:
        return a, f, lead
    whole = np.r_[lead[1:] == lead[:-1] + 1, False]
    nxt = np.minimum(np.arange(len(lead)) + 1, len(lead) - 1)
    a2 = np.hstack([a[:, start:], a[nxt, :start]])[whole]
    f2 = np.hstack([f[:, start:], f[nxt, :start]])[whole]
    return a2, f2, lead[whole]


def learn_level_update(
    actual: np.ndarray,
    pred: np.ndarray,
    lead_days: np.ndarray,
    *,
    n_slots: int,
    residuals: ResidualQuantiles,
    day_start_slot: int = 0,
) -> LevelUpdate:
    """Learn the update weights and post-update bands from held-out backtest days.

    ``actual``, ``pred`` and ``lead_days`` are the backtest's held-out cells,
    laid out as consecutive days of ``n_slots`` slots (as the forecaster's
    selection returns them); consecutive rows with consecutive leads are
    consecutive days of one origin.  ``day_start_slot`` re-cuts them into
    operating days starting at that slot (a night centre's day starts at
    opening), on which the weights are then learned.
    """
    a = np.asarray(actual, dtype=np.float64).reshape(-1, n_slots)
    f = np.maximum(np.asarray(pred, dtype=np.float64), 0.0).reshape(-1, n_slots)
    lead = np.asarray(lead_days).reshape(-1, n_slots)[:, 0]
    a, f, lead = _operating_days(a, f, lead, int(day_start_slot))
    ok = np.isfinite(a) & np.isfinite(f)
    a0, f0 = np.where(ok, a, 0.0), np.where(ok, f, 0.0)
    zero = np.zeros((a.shape[0], 1))
    big_a = np.hstack([zero, np.cumsum(a0, axis=1)])
    big_f = np.hstack([zero, np.cumsum(f0, axis=1)])
    tot_a, tot_f = big_a[:, -1:], big_f[:, -1:]
    rest_f = tot_f - big_f
    x = _log_ratio(big_a, big_f)
    y_today = _log_ratio(tot_a - big_a, rest_f)
    day_ok = (tot_f[:, 0] >= 1.0) & (ok.sum(axis=1) > 0)
    first_week = lead < _MAX_LEAD_DAYS
    use = day_ok & (first_week if (day_ok & first_week).sum() >= 2 * _MIN_DAYS else True)
    ok_today = use[:, None] & (rest_f >= 1.0)
    # Next day: the following row when it is the next day of the same origin.
    nxt = np.r_[lead[1:] == lead[:-1] + 1, False]
    idx = np.minimum(np.arange(a.shape[0]) + 1, a.shape[0] - 1)
    y_next = np.broadcast_to(_log_ratio(tot_a[idx], tot_f[idx]), x.shape)
    ok_next = np.broadcast_to((use & nxt & day_ok[idx])[:, None], x.shape)
    w_today = _fit_weights(x, y_today, ok_today)
    w_next = _fit_weights(x, y_next, ok_next)
    # Slot noise in a log ratio of a sum: Σ var(R)·max(f,1)^(2p) / (Σ f + c)².
    var_r = float(np.var(residuals.slot_residuals))
    slot_var = np.where(ok, var_r * np.maximum(f, 1.0) ** (2 * residuals.power), 0.0)
    rest_var = np.hstack([np.cumsum(slot_var[:, ::-1], axis=1)[:, ::-1], zero])
    noise_today = rest_var / (rest_f + PRIOR_CONTACTS) ** 2
    noise_next = np.broadcast_to((rest_var[idx, :1] / (tot_f[idx] + PRIOR_CONTACTS) ** 2), x.shape)
    fallback = residuals.day_ratios[0]
    return LevelUpdate(
        weights_today=w_today,
        weights_next=w_next,
        ratios_today=_residual_ratios(y_today - w_today * x, ok_today, noise_today, fallback),
        ratios_next=_residual_ratios(y_next - w_next * x, ok_next, noise_next, fallback),
        slot_residuals=residuals.slot_residuals,
        power=residuals.power,
        n_days=int(use.sum()),
        day_start_min=int(day_start_slot) * (intervals.MINUTES_PER_DAY // n_slots),
    )


# -- what today says ------------------------------------------------------------------


@dataclass(frozen=True)
class Observed:
    """One queue's day of ``now``: the slots observed and the morning's log level ratio."""

    day: pd.Timestamp  # naive local midnight of the day being observed
    k: int  # slots of that day before ``now``
    log_ratio: float  # x = log((Y + c) / (F + c))
    actual: float  # Y [contacts]
    forecast: float  # F [contacts]


def observed_level(day: pd.Timestamp, k: int, actual: np.ndarray, forecast: np.ndarray) -> Observed:
    """The morning's level ratio from the actual and forecast volume of its observed slots."""
    y = float(np.nansum(actual))
    f = float(np.nansum(np.where(np.isfinite(actual), forecast, 0.0)))
    x = float(np.log((y + PRIOR_CONTACTS) / (f + PRIOR_CONTACTS)))
    return Observed(day=day, k=k, log_ratio=x, actual=y, forecast=f)


def level_row(queue: Any, obs: Observed, lu: LevelUpdate) -> dict[str, Any]:
    """One queue's update in words and numbers: what was seen and the factors applied."""
    wt, wn = float(lu.weights_today[obs.k]), float(lu.weights_next[obs.k])
    return {
        "queue": queue,
        "day": obs.day,
        "slots_observed": obs.k,
        "actual": obs.actual,
        "forecast": obs.forecast,
        "observed_ratio": float(np.exp(obs.log_ratio)),
        "weight_today": wt,
        "factor_today": float(np.exp(wt * obs.log_ratio)),
        "weight_next": wn,
        "factor_next": float(np.exp(wn * obs.log_ratio)),
    }


def adjust(
    lu: LevelUpdate,
    obs: Observed,
    ds: pd.DatetimeIndex,
    point: np.ndarray,
    quantiles: np.ndarray,
    levels: tuple[float, ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Updated point forecast and quantiles for ``ds`` (after ``now``) of one queue.

    Rows on the (operating) day of ``now`` get the rest-of-day factor and band,
    rows on the next day the next-day ones; later rows are returned unchanged.
    """
    point = np.asarray(point, dtype=np.float64).copy()
    q = np.asarray(quantiles, dtype=np.float64).copy()
    day = intervals.operating_day(ds, lu.day_start_min)
    offset = np.asarray((day - obs.day).days, dtype=np.int64)
    for off, weights in ((0, lu.weights_today), (1, lu.weights_next)):
        sel = (offset == off) & (point > 0)  # closed slots stay closed
        if not sel.any():
            continue
        point[sel] *= float(np.exp(weights[obs.k] * obs.log_ratio))
        q[sel] = lu.quantiles(point[sel], obs.k, off == 1, levels)
    return point, q


# -- the actuals at the public boundary -------------------------------------------------


def _in_tz(idx: pd.DatetimeIndex, tz: Any, name: str) -> pd.DatetimeIndex:
    """Timestamps in the forecast's zone; naive and aware are never mixed."""
    if (idx.tz is None) != (tz is None):
        raise ValueError(
            f"{name} must be tz-aware exactly when the forecast's ds are "
            f"(forecast tz={tz}, {name} tz={idx.tz})"
        )
    return idx.tz_convert(tz) if tz is not None else idx


def check_now(now: Any, *, tz: Any, interval_min: int, name: str = "now") -> pd.Timestamp:
    """``now`` as a timestamp on the ``interval_min`` grid, tz-aware exactly when ``tz`` is."""
    if isinstance(now, (bool, int, float, np.number)):
        raise TypeError(f"{name} must be a timestamp, got {type(now).__name__} {now!r}")
    ts = _in_tz(intervals.as_datetime_index([now], name), tz, name)[0]
    wall = ts.hour * 60 + ts.minute
    if wall % interval_min or ts.second or ts.microsecond or ts.nanosecond:
        lo = ts.floor(f"{interval_min}min")
        raise ValueError(
            f"{name} must be on the {interval_min}-min grid (the start of an interval), "
            f"got {ts}; use {lo} or {lo + pd.Timedelta(minutes=interval_min)}"
        )
    return ts


def read_actuals(
    actuals: pd.DataFrame,
    cols: Columns,
    *,
    queues: Sequence[Any],
    has_queue: bool,
    interval_min: int,
    tz: Any,
    after: pd.Timestamp | Mapping[Any, pd.Timestamp],
    now: Any = None,
    name: str = "actuals",
) -> tuple[dict[Any, pd.DataFrame], pd.Timestamp]:
    """Validate ``actuals`` against a forecast's queues and grid; split them by queue.

    Returns one frame per queue (``ds``, ``volume``, sorted, missing volumes
    dropped) and ``now`` (given, else the end of the last actual interval).

    Raises
    ------
    ValueError
        Missing columns, an unknown queue, timestamps off the ``interval_min``
        grid or in another time zone, duplicates, negative volume, actuals not
        after ``after`` (the history the forecast was fitted on), or at or after
        ``now``; ``now`` off the grid.
    """
    check_columns(actuals, [cols.ds, cols.volume], name)
    if len(actuals) == 0:
        raise ValueError(f"{name} must have at least one row (the intervals observed so far)")
    label = f"{name}[{cols.ds!r}]"
    ds = _in_tz(intervals.as_datetime_index(actuals[cols.ds], label), tz, label)
    vol = _numeric_column(actuals[cols.volume], f"{name}[{cols.volume!r}]")
    bad = ~np.isnan(vol) & ~((vol >= 0) & np.isfinite(vol))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"{name}[{cols.volume!r}] must be finite and >= 0 [contacts], got {vol[i]:g} "
            f"in row {i + 1} ({cols.ds} {ds[i]}); an unknown interval is NaN"
        )
    if cols.queue in actuals.columns:
        queue = actuals[cols.queue].to_numpy()
    elif has_queue and len(queues) > 1:
        raise ValueError(
            f"{name} has no {cols.queue!r} column but the forecast has queues "
            f"{list(queues)}; give every row its queue"
        )
    else:
        queue = np.full(len(actuals), queues[0] if has_queue else DEFAULT_QUEUE, dtype=object)
    known = {str(q): q for q in queues} if has_queue else {DEFAULT_QUEUE: DEFAULT_QUEUE}
    unknown = [q for q in pd.unique(queue) if str(q) not in known]
    if unknown:
        raise ValueError(
            f"{name}[{cols.queue!r}] must be one of the forecast's queues {list(known)}, "
            f"got {unknown[0]!r}"
        )
    wall = np.asarray(ds.hour * 60 + ds.minute)
    off = (wall % interval_min != 0) | (np.asarray(ds.second) != 0)
    if off.any():
        i = int(np.argmax(off))
        raise ValueError(
            f"{name}[{cols.ds!r}] must be on the forecast's {interval_min}-min grid, "
            f"got {ds[i]} in row {i + 1}; aggregate the actuals to {interval_min}-min intervals"
        )
    frame = pd.DataFrame({"queue": [known[str(q)] for q in queue], "ds": ds, "volume": vol})
    dup = frame.duplicated(["queue", "ds"])
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise ValueError(
            f"{name} has duplicate rows for queue {frame['queue'].iloc[i]!r} at "
            f"{cols.ds}={ds[i]}; give one row per queue and interval"
        )
    step = pd.Timedelta(minutes=interval_min)
    last = ds.max() + step
    now_ts = last if now is None else check_now(now, tz=tz, interval_min=interval_min)
    if ds.max() >= now_ts:
        raise ValueError(
            f"{name}[{cols.ds!r}] must lie before now={now_ts} (intervals already over), "
            f"got {ds.max()}"
        )
    out: dict[Any, pd.DataFrame] = {}
    for q, part in frame.groupby("queue", sort=False):
        start = after[q] if isinstance(after, Mapping) else after
        early = part["ds"] <= start
        if early.any():
            raise ValueError(
                f"{name}[{cols.ds!r}] for queue {q!r} must come after the history the "
                f"forecast was fitted on (last {start}), got {part['ds'][early].iloc[0]}; "
                "leave out intervals the history already holds"
            )
        part = part[np.isfinite(part["volume"].to_numpy())]
        out[q] = part.sort_values("ds").reset_index(drop=True)
    return out, now_ts


def day_of_now(
    now: pd.Timestamp, interval_min: int, day_start_min: int = 0
) -> tuple[pd.Timestamp, int]:
    """The day being observed (that of the last interval before ``now``) and its slots.

    The day is the operating day starting at ``day_start_min`` [min after
    midnight; 0: the local calendar day]; its slots are counted from that
    start.  When ``now`` is the start of a day, the day just ended is the
    observed one (all its slots seen), so the new day gets the next-day factor.
    """
    last = now - pd.Timedelta(minutes=interval_min)
    day = intervals.operating_day([last], day_start_min)[0]
    n_slots = intervals.slots_per_day(interval_min)
    slot = int(intervals.slot_of_day([last], interval_min)[0])
    return day, (slot - day_start_min // interval_min) % n_slots + 1


# -- the updated forecaster -------------------------------------------------------------


def _merge_actuals(
    old: Mapping[Any, pd.DataFrame], new: Mapping[Any, pd.DataFrame], name: str
) -> dict[Any, pd.DataFrame]:
    """Earlier actuals plus new ones; an interval given twice must agree."""
    out = dict(old)
    for q, part in new.items():
        if q not in out:
            out[q] = part
            continue
        both = out[q].merge(part, on="ds", how="inner", suffixes=("_old", "_new"))
        clash = ~np.isclose(both["volume_old"], both["volume_new"], rtol=1e-9, atol=1e-9)
        if clash.any():
            row = both[clash].iloc[0]
            raise ValueError(
                f"{name} for queue {q!r} at {row['ds']} says {row['volume_new']:g} contacts, "
                f"but the earlier update said {row['volume_old']:g}; give each interval once, "
                "or update the original forecaster with the corrected actuals"
            )
        merged = pd.concat([out[q], part], ignore_index=True).drop_duplicates("ds")
        out[q] = merged.sort_values("ds").reset_index(drop=True)
    return out


class UpdatedForecaster(VolumeForecaster):
    """A fitted :class:`VolumeForecaster` whose day of ``now`` is re-levelled by actuals.

    Made by :meth:`VolumeForecaster.update`; ``predict`` counts its horizon from
    ``now_`` and returns the updated rest of the day, the next day updated, and
    later days as the original forecaster.  Attributes: ``base_`` (the original,
    untouched), ``now_``, ``day_`` and ``slots_observed_`` (per queue: the
    operating day of ``now`` and its slots before ``now``; see
    :func:`day_of_now`), ``actuals_`` (per queue) and ``today_`` (per queue,
    the actual intervals of its ``day_``).
    """

    base_: VolumeForecaster
    now_: pd.Timestamp
    day_: dict[Any, pd.Timestamp]
    slots_observed_: dict[Any, int]
    actuals_: dict[Any, pd.DataFrame]
    today_: dict[Any, pd.DataFrame]
    _observed: dict[Any, Observed]

    def _base_with_morning(
        self, m: _QueueModel, ds: pd.DatetimeIndex, levels: tuple[float, ...]
    ) -> tuple[pd.DataFrame, Observed | None]:
        """The original forecast of ``ds`` and the morning's level, from one model run."""
        today = self.today_.get(m.grid.queue)
        if today is None:
            return super()._predict_queue(m, ds, levels), None
        seen = pd.DatetimeIndex(today["ds"])
        both = super()._predict_queue(m, seen.append(ds), levels)
        obs = observed_level(
            self.day_[m.grid.queue],
            self.slots_observed_[m.grid.queue],
            today["volume"].to_numpy(np.float64),
            both[self.columns_.volume].to_numpy(np.float64)[: len(seen)],
        )
        self._observed[m.grid.queue] = obs  # a cache on this new object only
        return both.iloc[len(seen) :].reset_index(drop=True), obs

    def _predict_queue(
        self, m: _QueueModel, horizon: Horizon, levels: tuple[float, ...]
    ) -> pd.DataFrame:
        g = m.grid
        step = pd.Timedelta(minutes=g.interval_min)
        ds = _resolve_horizon(horizon, replace(g, last_ds=self.now_ - step), m.open_mask)
        out, obs = self._base_with_morning(m, ds, levels)
        if m.level_update is None or obs is None or not len(out):
            return out
        qcols = [quantile_column(lev, self.columns_.volume) for lev in levels]
        point, q = adjust(
            m.level_update,
            obs,
            pd.DatetimeIndex(out[self.columns_.ds]),
            out[self.columns_.volume].to_numpy(np.float64),
            out[qcols].to_numpy(np.float64),
            levels,
        )
        out[self.columns_.volume] = point
        out[qcols] = q
        return out

    def observed(self, queue: Any) -> Observed | None:
        """The morning of ``queue`` (None without actuals on the day of ``now``)."""
        if queue not in self._observed and queue in self.today_:
            self._base_with_morning(self.models_[queue], pd.DatetimeIndex([]), (0.5,))
        return self._observed.get(queue)

    def level_updates(self) -> pd.DataFrame:
        """Per queue: the day observed, slots seen, actual and forecast so far, factors.

        Columns ``queue``, ``day``, ``slots_observed``, ``actual``, ``forecast``
        [contacts], ``observed_ratio`` (``(Y + 1) / (F + 1)``), ``weight_today``,
        ``factor_today``, ``weight_next``, ``factor_next`` [-].
        """
        rows = []
        for q, m in self.models_.items():
            obs = self.observed(q)
            if obs is not None and m.level_update is not None:
                rows.append(level_row(q, obs, m.level_update))
        return pd.DataFrame(rows)


def update_forecaster(
    model: VolumeForecaster, actuals: pd.DataFrame, *, now: Any = None
) -> UpdatedForecaster:
    """The work of :meth:`VolumeForecaster.update` (see there)."""
    if not hasattr(model, "models_"):
        raise ValueError("this VolumeForecaster is not fitted yet: call fit(history) first")
    base = model.base_ if isinstance(model, UpdatedForecaster) else model
    first = next(iter(base.models_.values())).grid
    step = first.interval_min
    frames, now_ts = read_actuals(
        actuals,
        base.columns_,
        queues=list(base.models_),
        has_queue=base.has_queue_,
        interval_min=step,
        tz=first.tz,
        after={q: m.grid.last_ds for q, m in base.models_.items()},
        now=now,
    )
    if isinstance(model, UpdatedForecaster):
        if now_ts < model.now_:
            raise ValueError(
                f"now must not go back in time: this forecaster was updated to {model.now_}, "
                f"got {now_ts}"
            )
        frames = _merge_actuals(model.actuals_, frames, "actuals")
    days, slots, today = {}, {}, {}
    for q, m in base.models_.items():
        start = 0 if m.level_update is None else m.level_update.day_start_min
        days[q], slots[q] = day_of_now(now_ts, step, start)
        part = frames.get(q)
        if part is not None:
            mine = part[intervals.operating_day(part["ds"], start) == days[q]]
            if not mine.empty:
                today[q] = mine.reset_index(drop=True)
    new = UpdatedForecaster.__new__(UpdatedForecaster)
    new.__dict__.update(base.__dict__)  # shares the fitted models, which are never mutated
    new.base_ = base
    new.now_ = now_ts
    new.day_ = days
    new.slots_observed_ = slots
    new.actuals_ = frames
    new.today_ = today
    new._observed = {}
    return new
