"""``VolumeForecaster`` (fit once, predict many) and the one-call ``forecast``."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd

from staffplan import defaults, intervals
from staffplan._validation import check_choice, check_fraction, check_int
from staffplan.forecast._events import (
    CALENDAR_YEARS_AHEAD,
    DAY_AFTER,
    EventEffects,
    Occurrence,
    adjacent_occurrences,
    after_closure_days,
    estimate_effects,
    occurrences,
    parse_events,
)
from staffplan.forecast._frame import (
    DEFAULT_QUEUE,
    Columns,
    QueueGrid,
    describe_gaps,
    group_history,
    missing_days,
    missing_intervals,
)
from staffplan.forecast._intervals import ResidualQuantiles
from staffplan.forecast._models import (
    METHODS,
    Config,
    Days,
    min_history_days,
    profile,
    run_config,
    single_blas_thread,
)
from staffplan.forecast._select import select

if TYPE_CHECKING:  # _update builds on this module
    from staffplan.forecast._update import LevelUpdate

__all__ = ["DEFAULT_QUANTILES", "VolumeForecaster", "forecast", "quantile_column"]

DEFAULT_QUANTILES = defaults.QUANTILES
Horizon: TypeAlias = int | str | pd.Timedelta | Sequence[Any] | pd.DatetimeIndex | pd.Series
#: An events frame, a holiday calendar (code or ``holidays`` object), a list of them, or None.
Events: TypeAlias = pd.DataFrame | str | Any | None


def quantile_column(level: float, volume_col: str = "volume") -> str:
    """Column name of a quantile: ``volume_q0.05`` for 0.05."""
    return f"{volume_col}_q{level:g}"


def _check_quantiles(quantiles: Sequence[float]) -> tuple[float, ...]:
    q = np.atleast_1d(check_fraction(list(quantiles), "quantiles"))
    if q.size == 0:
        raise ValueError("quantiles must hold at least one level in (0, 1), got none")
    return tuple(float(v) for v in q)


@dataclass
class _QueueModel:
    grid: QueueGrid
    cal: Days
    y_train: np.ndarray
    open_mask: np.ndarray  # (7, n_slots) weekday × slot open
    config: Config
    scores: dict[str, float]
    residuals: ResidualQuantiles
    effects: EventEffects
    occ: list[Occurrence]
    aht_profile: np.ndarray | None  # (7, n_slots)
    level_update: LevelUpdate | None = None  # how far to trust the morning (intraday update)


class VolumeForecaster:
    """Interval volume forecaster with calibrated quantiles, events and per-queue model choice.

    Parameters
    ----------
    method : {"auto", "snaive", "profile", "twostage", "mstl", "blend"}
        ``"snaive"``: same slot on the last same weekday.  ``"profile"``:
        median or mean of the same weekday × slot over the last k weeks.
        ``"twostage"``: daily total (level × weekday × day-of-month factors,
        robust windows or statsmodels SARIMAX) × weekday intraday profile.
        ``"mstl"``: statsmodels MSTL (daily + weekly) + ETS on the square root.
        ``"blend"``: best two-stage and profile mixed with a backtested weight.
        ``"auto"``: every candidate is scored per queue on a rolling-origin
        backtest over the tail of history (8 weekly origins, 14 days ahead) and
        the five best are averaged.  Within a method, parameters (k, windows,
        mean/median) are chosen the same way.
    interval_min : int, optional
        Interval length [min]; inferred from ``ds`` when omitted, refused when
        it disagrees with the spacing of ``ds``.
    queue_col, ds_col, volume_col, aht_col : str
        Column names of the history frame.
    open_weeks : int
        A weekday × slot counts as open when it had rows in the last
        ``open_weeks`` weeks of history (and that slot of day and that weekday
        had contacts then); other slots are closed and absent from the forecast.
    aht_weeks : int
        Weeks of history in the volume-weighted AHT profile.

    Notes
    -----
    Uncertainty: the held-out errors of the chosen forecast in the backtest
    are split into a day part (held-out day total over forecast day total,
    by lead time: first two days, rest of the first week, later; centred on
    1) and a slot part (scaled by a power of the level, ½ for Poisson
    counts); the quantiles are those of their combination, clipped at 0 and
    monotone across levels.

    Days missing from history are missing, not zero: a weekday without rows
    (a holiday or an outage) is ignored by every model, and the first open day
    after it (often a backlog) is left out of training and its lift learned as
    the ``"(after closure)"`` effect.  Input frames are never modified; rows are
    sorted by queue and ``ds`` internally, so unsorted history is accepted.
    """

    def __init__(
        self,
        method: str = "auto",
        *,
        interval_min: int | None = None,
        queue_col: str = "queue",
        ds_col: str = "ds",
        volume_col: str = "volume",
        aht_col: str = "aht_s",
        open_weeks: int = 8,
        aht_weeks: int = 8,
    ) -> None:
        self.method = method
        self.interval_min = interval_min
        self.queue_col = queue_col
        self.ds_col = ds_col
        self.volume_col = volume_col
        self.aht_col = aht_col
        self.open_weeks = open_weeks
        self.aht_weeks = aht_weeks

    # ------------------------------------------------------------------ fit
    def fit(self, history: pd.DataFrame, events: Events = None) -> VolumeForecaster:
        """Validate ``history``, learn events, pick and calibrate a model per queue.

        Parameters
        ----------
        history : pandas.DataFrame
            Long frame with ``queue`` (optional), ``ds`` (interval start),
            ``volume`` [contacts per interval] and optional ``aht_s`` [s].
        events : pandas.DataFrame, str, holidays calendar or list of them, optional
            Dated events for history and future, or a holiday calendar:
            ``"DE"``, ``"DE-BY"`` (country and subdivision of the ``holidays``
            package, the ``[holidays]`` extra) or a ``holidays`` calendar
            object (see :mod:`staffplan.forecast` and docs/calendars.md).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            Bad columns or values, duplicate timestamps, mixed frequency,
            too little history for ``method``, events before the history.
        """
        check_choice(self.method, "method", METHODS)
        check_int(self.open_weeks, "open_weeks", minimum=1)
        check_int(self.aht_weeks, "aht_weeks", minimum=1)
        self.columns_ = Columns(self.queue_col, self.ds_col, self.volume_col, self.aht_col)
        grids, self.has_queue_ = group_history(
            history, self.columns_, interval_min=self.interval_min
        )
        tz = grids[0].tz
        if any((g.tz is None) != (tz is None) for g in grids):
            raise ValueError("history ds must be all tz-naive or all tz-aware")
        first = min(g.start_day for g in grids)
        years = range(first.year, max(g.last_ds for g in grids).year + 1 + CALENDAR_YEARS_AHEAD)
        self.events_ = parse_events(events, tz, years=years)
        if self.events_ is not None:
            # a calendar lists whole years: its holidays before the history are not the caller's
            self.events_ = self.events_[
                ~(self.events_["calendar"] & (self.events_["end"] <= first))
            ].reset_index(drop=True)
            early = self.events_["end"] <= first
            if early.any():
                row = self.events_[early].iloc[0]
                raise ValueError(
                    f"event {row['name']!r} on {row['start']} lies outside the calendar: "
                    f"history starts on {first.date()}"
                )
        with single_blas_thread():
            absent: dict[Any, pd.DatetimeIndex] = {}
            self.models_ = {g.queue: self._fit_queue(g, absent) for g in grids}
        _warn_missing_days(absent, self.has_queue_)
        self.has_aht_ = all(m.aht_profile is not None for m in self.models_.values())
        return self

    def _fit_queue(self, g: QueueGrid, absent: dict[Any, pd.DatetimeIndex]) -> _QueueModel:
        need = min_history_days(self.method)
        if _covered_days(g) < need:
            last = g.start_day + pd.Timedelta(days=g.n_days - 1)
            raise ValueError(
                f"history for queue {g.queue!r} covers {g.n_days} days "
                f"({g.start_day.date()} to {last.date()}); method {self.method!r} needs at "
                f"least {need} days ({need // 7} weeks): give a longer history, or a method "
                "that needs fewer days (snaive, profile or twostage: 14; blend: 21)"
            )
        cal = Days.from_start(g.start_day, g.n_days)
        occ = occurrences(self.events_, g.queue, g.start_day, g.interval_min)
        covered = np.zeros(g.y.shape, dtype=bool)
        for o in occ:
            if 0 <= o.day < g.n_days:
                covered[o.day, o.s0 : o.s1] = True
        y_train = np.where(covered, np.nan, g.y)
        gaps = missing_intervals(g, covered)
        if len(gaps):
            warnings.warn(
                f"history{f' for queue {g.queue!r}' if self.has_queue_ else ''} has no rows for "
                f"{len(gaps)} interval(s) inside open hours: {describe_gaps(gaps, g.interval_min)}; "
                "they are treated as missing, not as zero contacts (write 0 where the centre "
                "had no contacts)",
                UserWarning,
                stacklevel=4,
            )
        absent[g.queue] = missing_days(g, covered)
        open_mask = _open_mask(y_train, cal, self.open_weeks)
        open_day = np.asarray(open_mask.any(axis=1))
        after = after_closure_days(y_train, cal, open_day)
        y_eval = y_train.copy()
        adjacent = adjacent_occurrences(occ, g.start_day, open_day, y_train.shape[1])
        for o in adjacent:  # learned by name, so neither training data nor a plain closure
            if 0 <= o.day < g.n_days:
                y_train[o.day] = np.nan
                after[o.day] &= o.kind != DAY_AFTER
        occ = occ + adjacent
        y_train[after] = np.nan
        effects = estimate_effects(g.y, y_train, cal, occ, after)
        sel = select(y_train, cal, self.method, y_eval=y_eval)
        residuals = ResidualQuantiles.from_backtest(
            sel.actual, sel.pred, sel.lead_days, n_slots=y_train.shape[1]
        )
        aht = _aht_profile(g, cal, self.aht_weeks) if g.aht is not None else None
        from staffplan.forecast._update import learn_level_update

        level = learn_level_update(
            sel.actual,
            sel.pred,
            sel.lead_days,
            n_slots=y_train.shape[1],
            residuals=residuals,
            day_start_slot=intervals.operating_day_start(open_mask.any(axis=0)),
        )
        return _QueueModel(
            g, cal, y_train, open_mask, sel.config, sel.scores, residuals, effects, occ, aht, level
        )

    # --------------------------------------------------------------- update
    def update(self, actuals: pd.DataFrame, *, now: Any = None) -> VolumeForecaster:
        """Re-level the day of ``now`` with its actuals: a new fitted forecaster.

        Parameters
        ----------
        actuals : pandas.DataFrame
            Observed intervals after the fitted history, in the history's
            columns (``queue`` when it had one, ``ds``, ``volume`` [contacts]).
        now : timestamp, optional
            Start of the first interval not yet observed, on the grid
            (default: the end of the last actual interval).

        Returns
        -------
        VolumeForecaster
            A new object (``self`` is not changed) whose ``predict`` counts its
            horizon from ``now``: the rest of the day and the next day are
            scaled by the shrunk observed level ratio, with narrower quantiles;
            later days are as before.  See :mod:`staffplan.forecast._update`.

        Raises
        ------
        ValueError
            Actuals of an unknown queue, off the grid, duplicated, not after
            the history, at or after ``now``; ``now`` off the grid; an update
            that goes back in time or contradicts an earlier update.
        """
        from staffplan.forecast._update import update_forecaster

        return update_forecaster(self, actuals, now=now)

    # -------------------------------------------------------------- predict
    def predict(
        self, horizon: Horizon, *, quantiles: Sequence[float] = DEFAULT_QUANTILES
    ) -> pd.DataFrame:
        """Forecast every fitted queue over ``horizon``.

        Parameters
        ----------
        horizon : int, str, Timedelta or timestamps
            A duration with a unit after the last history interval (``"14D"``),
            an int counting intervals of ``interval_min`` (``96`` on a 30-min
            grid is ``"2D"``; see :func:`staffplan.intervals.horizon_span`), or
            the explicit future ``ds`` to forecast (explicit timestamps in
            closed slots get 0).  Only the open intervals of a duration are
            returned.
        quantiles : sequence of float
            Levels in (0, 1).

        Returns
        -------
        pandas.DataFrame
            ``queue``, ``ds``, ``volume`` (the mean [contacts]), one
            ``volume_q<level>`` column per level, and ``aht_s`` [s] when the
            history had it.
        """
        if not hasattr(self, "models_"):
            raise ValueError("this VolumeForecaster is not fitted yet: call fit(history) first")
        levels = _check_quantiles(quantiles)
        with single_blas_thread():
            frames = [self._predict_queue(m, horizon, levels) for m in self.models_.values()]
        out = pd.concat(frames, ignore_index=True)
        # AHT may be missing (NaN) for a queue without any; volumes never are.
        vol_cols = [
            c
            for c in out.columns
            if c == self.columns_.volume or c.startswith(f"{self.columns_.volume}_q")
        ]
        values = out[vol_cols].to_numpy(np.float64)
        if not np.isfinite(values).all():  # never hand on an overflowed or missing forecast
            row = out.iloc[int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])]
            raise ValueError(
                f"the forecast for queue {row[self.columns_.queue]!r} at {row[self.columns_.ds]} "
                "is not a finite number; check the history's volume and AHT for that queue"
            )
        return out

    def _predict_queue(
        self, m: _QueueModel, horizon: Horizon, levels: tuple[float, ...]
    ) -> pd.DataFrame:
        g = m.grid
        ds = _resolve_horizon(horizon, g, m.open_mask)
        cols = self.columns_
        day = np.asarray((intervals.local_day(ds) - g.start_day).days, dtype=np.int64)
        slot = intervals.slot_of_day(ds, g.interval_min)
        point = np.zeros(len(ds))
        q = np.zeros((len(ds), len(levels)))
        aht = np.full(len(ds), np.nan)
        if len(ds):
            # A horizon that starts on the last (partial) history day is forecast from the
            # days before it, so every requested day is a model day, never a wrapped index.
            first = min(int(day.min()), g.n_days)
            y_fit, cal_fit = m.y_train[:first], m.cal[:first]
            future = Days.from_start(
                g.start_day + pd.Timedelta(days=first), int(day.max()) - first + 1
            )
            fc = run_config(m.config, y_fit, cal_fit, future)
            fallback = profile(y_fit, cal_fit, future, k=8, agg="median")
            fc = np.where(np.isnan(fc), fallback, fc)
            fc = np.nan_to_num(fc, nan=0.0)
            closed = m.effects.apply(
                fc,
                m.occ,
                first,
                y_train=y_fit,
                cal=cal_fit,
                future=future,
                open_mask=m.open_mask,
            )
            j = day - first
            wd = future.weekday[j]
            shut = closed[j, slot] | ~m.open_mask[wd, slot]
            point = np.where(shut, 0.0, np.maximum(fc[j, slot], 0.0))
            q = m.residuals.quantiles(point, np.maximum(day - g.n_days, 0), levels)
            q[shut] = 0.0
            if m.aht_profile is not None:
                aht = m.aht_profile[wd, slot]
        out = pd.DataFrame(
            {
                cols.queue: np.full(
                    len(ds), g.queue if self.has_queue_ else DEFAULT_QUEUE, dtype=object
                ),
                cols.ds: ds,
                cols.volume: point,
            }
        )
        for k, lev in enumerate(levels):
            out[quantile_column(lev, cols.volume)] = q[:, k]
        if m.aht_profile is not None:
            out[cols.aht] = aht
        return out

    def summary(self) -> pd.DataFrame:
        """Chosen configuration and backtest MAE per queue."""
        if not hasattr(self, "models_"):
            raise ValueError("this VolumeForecaster is not fitted yet: call fit(history) first")
        rows = [
            {
                "queue": q,
                "config": m.config.label,
                "backtest_mae": min(m.scores.values()),
                "interval_min": m.grid.interval_min,
                "open_slots_per_week": int(m.open_mask.sum()),
            }
            for q, m in self.models_.items()
        ]
        return pd.DataFrame(rows)

    def sample_paths(
        self,
        forecast: pd.DataFrame,
        *,
        n_paths: int = 500,
        rng: np.random.Generator | int | None = None,
        rates: bool = False,
    ) -> np.ndarray:
        """Joint sample paths of the volume behind a forecast's quantiles.

        Each path draws one day ratio per calendar day (shared by every slot of
        that day and, through the same uniform, by every queue: queues of a
        centre rise and fall together, as :func:`staffplan.plan` assumes when it
        adds their quantiles) and slot residuals, from the held-out errors that
        calibrate the quantiles (see the class Notes).  A held-out day's slot
        residuals add up to nothing around its own day ratio, so the drawn ones
        are made to add up to nothing over each queue's day too: a day's total
        carries its count noise once, through the day ratio (drawn
        independently, they added it a second time).  Each cell's marginal
        distribution is the one whose quantiles :meth:`predict` returns; the
        paths add how intervals of a day move together.

        Parameters
        ----------
        forecast : pandas.DataFrame
            Output of :meth:`predict` of this forecaster (any subset of its rows).
        n_paths : int, default 500
            Number of paths.
        rng : numpy.random.Generator, int or None
            Random source or seed; the same seed gives the same paths.
        rates : bool, default False
            False draws counts (each cell's marginal is the quantiles').  True
            draws the arrival rates behind them, the input an Erlang formula
            or a simulation expects: the same day ratios, with each cell's
            slot noise shrunk to what exceeds Poisson (on a Poisson history,
            none), since Erlang averages over the Poisson counts itself.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_paths, len(forecast))`` [contacts per interval],
            row-aligned with ``forecast``; 0 where the forecast is 0 (closed or
            a closing event).
        """
        if not hasattr(self, "models_"):
            raise ValueError("this VolumeForecaster is not fitted yet: call fit(history) first")
        from staffplan.forecast._intervals import sample_compound

        n_paths = check_int(n_paths, "n_paths", minimum=1)
        rates = bool(check_choice(rates, "rates", (False, True)))
        cols = self.columns_
        missing = [c for c in (cols.ds, cols.volume) if c not in forecast]
        if missing:
            raise ValueError(f"forecast must be a frame from predict(); it lacks {missing}")
        gen = np.random.default_rng(rng)
        ds = pd.DatetimeIndex(forecast[cols.ds])
        point = forecast[cols.volume].to_numpy(np.float64)
        local = intervals.local_day(ds)
        days = pd.DatetimeIndex(local).unique().sort_values()
        day_u = gen.random((n_paths, len(days)))[:, days.get_indexer(local)]
        queue = (
            forecast[cols.queue].astype(str).to_numpy()
            if cols.queue in forecast
            else np.full(len(forecast), DEFAULT_QUEUE)
        )
        out = np.zeros((n_paths, len(forecast)))
        for name, m in self.models_.items():
            rows = np.flatnonzero(queue == (str(name) if self.has_queue_ else DEFAULT_QUEUE))
            if rows.size == 0:
                continue
            day = np.asarray((local[rows] - m.grid.start_day).days, dtype=np.int64)
            lead = np.maximum(day - m.grid.n_days, 0)
            out[:, rows] = sample_compound(
                m.residuals, point[rows], lead, day_u[:, rows], gen, day=day, rates=rates
            )
        out[:, point <= 0] = 0.0
        return out


def _open_mask(y: np.ndarray, cal: Days, open_weeks: int) -> np.ndarray:
    """Weekday × slot open in the last ``open_weeks`` weeks.

    Open means: rows were present for that weekday and slot, the slot of day
    had contacts on some recent day, and the weekday had contacts on some
    recent day.  So a low-volume 24/7 queue keeps its quiet night slots (zero
    in some weeks is still open), while slots or weekdays that are always
    zero (a frame padded with zeros outside opening hours) count as closed.
    """
    lo = max(0, y.shape[0] - 7 * open_weeks)
    recent = y[lo:]
    wd = cal.weekday[lo:]
    busy = np.nan_to_num(recent) > 0
    slot_active = busy.any(axis=0)
    mask = np.zeros((7, y.shape[1]), dtype=bool)
    for w in range(7):
        sel = wd == w
        if sel.any() and busy[sel].any():
            mask[w] = np.isfinite(recent[sel]).any(axis=0) & slot_active
    return mask


def _aht_profile(g: QueueGrid, cal: Days, weeks: int) -> np.ndarray:
    """Volume-weighted AHT per weekday × slot over recent weeks, with coarser fallbacks."""
    assert g.aht is not None
    lo = max(0, g.n_days - 7 * weeks)
    a, v, wd = g.aht[lo:], g.y[lo:], cal.weekday[lo:]
    ok = np.isfinite(a) & np.isfinite(v)
    num = np.where(ok, a * v, 0.0)
    den = np.where(ok, v, 0.0)
    prof = np.full((7, g.y.shape[1]), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):  # no volume → NaN, filled below
        for w in range(7):
            sel = wd == w
            prof[w] = num[sel].sum(axis=0) / den[sel].sum(axis=0)
        by_slot = num.sum(axis=0) / den.sum(axis=0)
        known = g.aht[np.isfinite(g.aht)]
        # No AHT at all for the queue: NaN, which pooling refuses by name.
        overall = (
            num.sum() / den.sum()
            if den.sum() > 0
            else (float(known.mean()) if known.size else np.nan)
        )
    prof = np.where(np.isfinite(prof), prof, by_slot[None, :])
    return np.where(np.isfinite(prof), prof, overall)


def _resolve_horizon(horizon: Horizon, g: QueueGrid, open_mask: np.ndarray) -> pd.DatetimeIndex:
    if isinstance(horizon, (bool, np.bool_, int, np.integer, str, pd.Timedelta, np.timedelta64)):
        # One rule for every entry point: an int counts intervals, a duration needs a unit.
        span = intervals.horizon_span(horizon, g.interval_min)
        n = int(span // pd.Timedelta(minutes=g.interval_min))
        grid = intervals.future_grid(g.last_ds, n, g.interval_min)
        return grid[_is_open(grid, g, open_mask)]
    ds = intervals.as_datetime_index(horizon, "horizon")
    if (ds.tz is None) != (g.tz is None):
        raise ValueError(
            "horizon timestamps must be tz-aware exactly when history ds is "
            f"(history tz={g.tz}, horizon tz={ds.tz})"
        )
    if g.tz is not None:
        ds = ds.tz_convert(g.tz)
    if len(ds) and ds.min() <= g.last_ds:
        raise ValueError(
            f"horizon timestamps must come after the last history interval {g.last_ds}, "
            f"got {ds.min()}"
        )
    intervals._check_on_grid(ds, g.interval_min, "horizon")
    return ds


def _is_open(ds: pd.DatetimeIndex, g: QueueGrid, open_mask: np.ndarray) -> np.ndarray:
    return open_mask[intervals.weekday(ds), intervals.slot_of_day(ds, g.interval_min)]


def _warn_missing_days(absent: dict[Any, pd.DatetimeIndex], has_queue: bool) -> None:
    """One warning per set of whole days missing inside the history, naming its queues."""
    by_days: dict[tuple[pd.Timestamp, ...], list[Any]] = {}
    for queue, days in absent.items():
        if len(days):
            by_days.setdefault(tuple(days), []).append(queue)
    for days, queues in by_days.items():
        shown = ", ".join(f"{d:%Y-%m-%d} ({d:%a})" for d in days[:3])
        more = f" and {len(days) - 3} more" if len(days) > 3 else ""
        who = ""
        if has_queue and len(queues) < len(absent):
            who = f" for queue{'s' if len(queues) > 1 else ''} {', '.join(map(repr, queues))}"
        warnings.warn(
            f"history{who} has no rows on {len(days)} day(s) whose weekday is open the week "
            f"before and after: {shown}{more}; they are read as closed days (a holiday or "
            "closure) and the next open day as a day after a closure. If they were public "
            "holidays, give them as events (or a holiday calendar) so that the plan closes "
            "them when they come again",
            UserWarning,
            stacklevel=4,
        )


def _covered_days(g: QueueGrid) -> int:
    """Days of history, counting the centre's weekly rest days next to either end.

    A Monday-Saturday centre's four weeks run from a Monday to a Saturday (27 days with
    rows); the Sundays around them, a weekday without rows in any week, are covered too.
    """
    open_weekday = np.zeros(7, dtype=bool)
    open_weekday[g.weekday[g.present]] = True
    first = g.start_day.day_of_week
    before = next(k for k in range(8) if k == 7 or open_weekday[(first - 1 - k) % 7])
    after = next(k for k in range(8) if k == 7 or open_weekday[(first + g.n_days + k) % 7])
    return g.n_days + min(before, 6) + min(after, 6)


def forecast(
    history: pd.DataFrame,
    horizon: Horizon,
    *,
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    events: Events = None,
    method: str = "auto",
    interval_min: int | None = None,
    queue_col: str = "queue",
    ds_col: str = "ds",
    volume_col: str = "volume",
    aht_col: str = "aht_s",
    actuals: pd.DataFrame | None = None,
    now: Any = None,
) -> pd.DataFrame:
    """Forecast interval volume (and AHT) with quantiles: fit and predict in one call.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame: ``queue`` (optional with one series), ``ds`` (interval
        start), ``volume`` [contacts], optional ``aht_s`` [s].
    horizon : int, str, Timedelta or timestamps
        A duration with a unit (``"14D"``), an int counting intervals of
        ``interval_min`` after the last history interval, or explicit ``ds``.
        A unit-less string (``"7"``) is refused.
    quantiles : sequence of float
        Quantile levels in (0, 1) [-].
    events : pandas.DataFrame, str, holidays calendar or list of them, optional
        ``date`` or ``start``/``end``, ``name``, optional ``kind``,
        ``factor``, ``queue``.  Every event must fall within the history and
        horizon calendar.  A holiday calendar (``"US"``, ``"DE-BY"``, a
        ``holidays`` object) adds each public holiday as a ``kind="holiday"``
        event, for the years of the history and the two after it.
    method : str
        See :class:`VolumeForecaster`.
    interval_min : int, optional
        Interval length [min]; inferred when omitted, and refused when it
        disagrees with the spacing of ``ds``.
    actuals : pandas.DataFrame, optional
        Today's observed intervals after the history: the forecast is then
        updated (:meth:`VolumeForecaster.update`) and ``horizon`` counts
        from ``now``.
    now : timestamp, optional
        With ``actuals``: the first interval not yet observed.

    Returns
    -------
    pandas.DataFrame
        ``queue``, ``ds``, ``volume`` (mean), ``volume_q<level>`` per level,
        ``aht_s`` when the history had it.

    Raises
    ------
    ValueError
        Missing columns, duplicate timestamps for a queue (named with the
        timestamp), negative volume, mixed interval lengths, too little
        history for ``method`` (the message says how many days are needed),
        events outside the history + horizon calendar, bad options.

    Notes
    -----
    Events: the effect of each event ``name`` is learned from its
    occurrences in history as a factor on the covered intervals (whole-day
    events also get an intraday shape); a whole day without any rows on an
    event date means the centre was closed, and later occurrences are closed
    (volume 0).  The open day before and after each holiday are learned as
    ``"<name> (day before)"`` / ``"<name> (day after)"``.  A name never seen
    in history uses, in this order: its ``factor`` column (0 = closed); the
    pooled effect of its ``kind`` in history (closed when most holidays were
    closed, else their mean factor); for a holiday with no holiday in history
    the nearest weekly rest day of the centre: closed if that day is closed,
    else that day's recent profile; for any other kind no effect, with a
    warning.  The first open day after a closure gets the backlog factor
    learned from history (``"(after closure)"``).  The full rules are in
    :mod:`staffplan.forecast._events` and docs/calendars.md.

    Unsorted history is sorted internally; rows with a missing volume count
    as missing intervals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ds = pd.date_range("2024-01-01 08:00", periods=35 * 24, freq="h")
    >>> hist = pd.DataFrame({"ds": ds, "volume": 10.0 + (ds.hour == 12) * 5})
    >>> out = forecast(hist, "1D", method="profile")
    >>> list(out.columns)
    ['queue', 'ds', 'volume', 'volume_q0.05', 'volume_q0.5', 'volume_q0.95']
    >>> float(out.loc[out.ds.dt.hour == 12, "volume"].iloc[0])
    15.0
    """
    model = VolumeForecaster(
        method,
        interval_min=interval_min,
        queue_col=queue_col,
        ds_col=ds_col,
        volume_col=volume_col,
        aht_col=aht_col,
    ).fit(history, events=events)
    if actuals is not None:
        model = model.update(actuals, now=now)
    elif now is not None:
        raise ValueError("now is only used with actuals=; pass the actuals observed before now")
    out = model.predict(horizon, quantiles=quantiles)
    if len(out) == 0:
        warnings.warn(
            f"the forecast is empty: the horizon {horizon!r} after the history holds no "
            "interval the centre opens (a weekly rest day, a closure, or the hours after "
            "closing); lengthen the horizon",
            UserWarning,
            stacklevel=2,
        )
    if model.events_ is not None and len(out):
        end = out[ds_col].max()
        end = end.tz_localize(None) if getattr(end, "tz", None) is not None else end
        late = (model.events_["start"] > end) & ~model.events_["calendar"]
        if late.any():
            row = model.events_[late].iloc[0]
            raise ValueError(
                f"event {row['name']!r} on {row['start']} lies outside the calendar: "
                f"the forecast ends at {end}"
            )
    return out
