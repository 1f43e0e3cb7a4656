"""Candidate point forecasts on a day × slot matrix.

Every candidate is a pure function ``f(y, cal, future, **params)`` that
receives the training matrix ``y`` (local days × wall slots, NaN = missing)
with the :class:`Days` calendar of its rows, and returns the forecast matrix
for the consecutive days described by ``future`` (NaN where nothing is known).  Missing days stay
missing: nothing here ever reads a NaN as zero.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "CANDIDATES",
    "METHODS",
    "SLOW_METHODS",
    "Config",
    "Days",
    "blend",
    "candidate_grid",
    "is_slow",
    "min_history_days",
    "mstl_ets",
    "profile",
    "run_config",
    "seasonal_naive",
    "shared_daily_parts",
    "single_blas_thread",
    "two_stage",
]


@dataclass(frozen=True)
class Days:
    """Calendar of consecutive local days: weekday (Monday = 0) and day of month."""

    weekday: np.ndarray
    dom: np.ndarray

    @classmethod
    def from_start(cls, start: Any, n: int) -> Days:
        import pandas as pd

        idx = pd.date_range(pd.Timestamp(start), periods=n, freq="D")
        return cls(np.asarray(idx.day_of_week, dtype=np.int64), np.asarray(idx.day, dtype=np.int64))

    def __getitem__(self, sel: slice) -> Days:
        return Days(self.weekday[sel], self.dom[sel])

    @property
    def size(self) -> int:
        return int(self.weekday.size)


def _nanmedian0(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """``np.nanmedian(x, axis=0)`` for the few rows the models aggregate.

    numpy takes the median of fewer than 600 rows through masked arrays,
    whose overhead was a third of a fit; sorting once (NaN sorts last) and
    reading the middle of the finite part gives the same numbers.
    """
    if axis != 0:  # pragma: no cover - the models aggregate rows only
        raise ValueError(f"axis must be 0, got {axis}")
    if x.shape[0] == 0:
        return np.full(x.shape[1:], np.nan)[()]
    s = np.sort(x, axis=0)
    n = np.sum(~np.isnan(x), axis=0)
    lo = np.take_along_axis(s, np.expand_dims(np.maximum(n - 1, 0) // 2, 0), axis=0)[0]
    hi = np.take_along_axis(s, np.expand_dims(n // 2, 0), axis=0)[0]
    return np.where(n > 0, (lo + hi) / 2.0, np.nan)[()]


_AGG: dict[str, Callable[..., np.ndarray]] = {
    "mean": np.nanmean,
    "median": _nanmedian0,
}


def _last_days(present: np.ndarray, weekday: np.ndarray, w: int, k: int) -> np.ndarray:
    """Row indices of the last ``k`` present days falling on weekday ``w``."""
    idx = np.flatnonzero(present & (weekday == w))
    return idx[-k:]


def _agg(rows: np.ndarray, how: str) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slot → NaN, by design
        return _AGG[how](rows, axis=0)


def seasonal_naive(y: np.ndarray, cal: Days, future: Days) -> np.ndarray:
    """Same slot on the last observed day with the same weekday (normally last week)."""
    present = ~np.all(np.isnan(y), axis=1)
    out = np.full((future.size, y.shape[1]), np.nan)
    for w in np.unique(future.weekday):
        rows = _last_days(present, cal.weekday, int(w), 1)
        if rows.size:
            out[future.weekday == w] = y[rows[-1]]
    return out


def profile(
    y: np.ndarray, cal: Days, future: Days, *, k: int = 6, agg: str = "median"
) -> np.ndarray:
    """Robust weekly profile: mean or median of the same weekday × slot over the last ``k`` weeks."""
    present = ~np.all(np.isnan(y), axis=1)
    out = np.full((future.size, y.shape[1]), np.nan)
    for w in np.unique(future.weekday):
        rows = _last_days(present, cal.weekday, int(w), k)
        if rows.size:
            out[future.weekday == w] = _agg(y[rows], agg)
    return out


def _daily_parts(
    y: np.ndarray, weekday: np.ndarray, *, kw: int, ks: int, agg: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Daily totals, weekday factors (mean 1 over open weekdays) and intraday shares."""
    present = ~np.all(np.isnan(y), axis=1)
    total = np.where(present, np.nansum(y, axis=1), np.nan)
    n_slots = y.shape[1]
    wfac = np.full(7, np.nan)
    shares = np.full((7, n_slots), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):  # zero-volume days give NaN shares
        share_rows = y / total[:, None]
    usable = present & (total > 0)
    for w in range(7):
        rows = _last_days(usable, weekday, w, kw)
        if rows.size:
            wfac[w] = _agg(total[rows], agg)
        rows = _last_days(usable, weekday, w, ks)
        if rows.size:
            # NaN-aware: a slot opened recently keeps its share from the days it was open
            sh = np.nan_to_num(_agg(share_rows[rows], agg))
            s = sh.sum()
            shares[w] = sh / s if s > 0 else sh
    finite = np.isfinite(wfac)
    mean_fac = float(np.mean(wfac[finite])) if finite.any() else 0.0
    if mean_fac > 0:
        wfac = wfac / mean_fac
    else:
        wfac = np.where(finite, 1.0, np.nan)
    return total, present, wfac, shares


#: Day-of-month factors need this many calendar days of history; below it they are 1.
DOM_MIN_DAYS = 84
_DOM_BANDWIDTH = 2  # ± days of month pooled (triangular kernel, wraps round the month)
_DOM_PRIOR = 3.0  # pseudo-observations at factor 1: shrinks thinly estimated days
_DOM_CLIP = 0.15  # log-ratio cap: one anomalous day (an outage, a catch-up) must not set a factor


def day_of_month_factors(adj: np.ndarray, dom: np.ndarray) -> np.ndarray:
    """Multiplicative day-of-month factors (index 1..31) of weekday-adjusted daily totals.

    Each day is compared with the median of the surrounding 29 days, so slow
    level changes do not leak into the factor; log-ratios are pooled over
    neighbouring days of the month and shrunk towards 1.  Month turns
    (statements, salaries, bills) move contact volume in many centres; where
    they do not, the factors stay close to 1.
    """
    out = np.ones(32)
    if adj.size < DOM_MIN_DAYS:
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        base = _centred_median(adj, 29)
        rel = np.log(adj / base)
    rel = np.clip(rel, -_DOM_CLIP, _DOM_CLIP)
    ok = np.isfinite(rel)
    sums = np.bincount(dom[ok], weights=rel[ok], minlength=32)[1:32]
    cnt = np.bincount(dom[ok], minlength=32)[1:32].astype(np.float64)
    bw = _DOM_BANDWIDTH
    kernel = (bw + 1 - np.abs(np.arange(-bw, bw + 1))).astype(np.float64)
    s = np.zeros(31)
    c = np.zeros(31)
    for off, wt in zip(range(-bw, bw + 1), kernel, strict=True):
        s += wt * np.roll(sums, -off)
        c += wt * np.roll(cnt, -off)
    out[1:] = np.exp(s / (c + _DOM_PRIOR * kernel.sum()))
    return out


def _centred_median(x: np.ndarray, window: int) -> np.ndarray:
    import pandas as pd

    return pd.Series(x).rolling(window, center=True, min_periods=window // 3).median().to_numpy()


_SHARED = threading.local()


@contextlib.contextmanager
def shared_daily_parts() -> Iterator[None]:
    """Let two-stage fits on the same training rows share their daily parts in this block.

    The backtest fits a dozen two-stage configurations on each origin's rows;
    they differ in the level windows only, so the weekday factors, intraday
    shares and day-of-month factors are computed once per origin and
    aggregation.  The memo is keyed by the rows' memory (alive and unchanged
    for the whole block) and is private to the thread.
    """
    outer = getattr(_SHARED, "parts", None)
    _SHARED.parts = {} if outer is None else outer
    try:
        yield
    finally:
        _SHARED.parts = outer


def two_stage(
    y: np.ndarray,
    cal: Days,
    future: Days,
    *,
    level_weeks: tuple[int, ...] = (4, 8),
    factor_weeks: int = 12,
    share_weeks: int = 12,
    agg: str = "median",
    daily: str = "robust",
    dom: bool = True,
) -> np.ndarray:
    """Daily total × weekday intraday profile (the classic call-centre forecast).

    The daily total is level × weekday factor × day-of-month factor.  With
    ``daily="robust"`` the level is the average over ``level_weeks`` windows of
    the ``agg`` of the adjusted daily totals in each window (several windows
    hedge between a fast and a stable level); with ``daily="sarimax"`` it is a
    statsmodels SARIMAX(1,0,0) with a constant on the log adjusted totals of the
    last ``factor_weeks`` weeks, back-transformed for the mean as
    ``exp(mu + s²/2)``.  The intraday profile of each weekday is the ``agg`` of
    its daily shares over ``share_weeks`` weeks.
    """
    memo = getattr(_SHARED, "parts", None)
    key = (
        y.__array_interface__["data"][0],
        y.shape,
        y.strides,
        factor_weeks,
        share_weeks,
        agg,
        dom,
    )
    if memo is not None and key in memo:
        present, wfac, shares, dfac, adj = memo[key]
    else:
        total, present, wfac, shares = _daily_parts(
            y, cal.weekday, kw=factor_weeks, ks=share_weeks, agg=agg
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            adj = total / wfac[cal.weekday]
        dfac = day_of_month_factors(adj, cal.dom) if dom else np.ones(32)
        adj = adj / dfac[cal.dom]
        if memo is not None:
            memo[key] = (present, wfac, shares, dfac, adj)
    ok = present & np.isfinite(adj) & (wfac[cal.weekday] > 0)
    idx = np.flatnonzero(ok)
    open_days = np.isfinite(wfac) & (wfac > 0)
    n_days = y.shape[0]
    if daily == "robust":
        levels = []
        for kl in level_weeks:
            recent = idx[idx >= n_days - 7 * kl]
            if recent.size == 0:
                recent = idx[-max(1, int(open_days.sum())) :]
            if recent.size:
                levels.append(float(_agg(adj[recent], agg)))
        level = np.full(future.size, np.mean(levels) if levels else np.nan)
    elif daily == "sarimax":
        level = _sarimax_level(adj[idx[idx >= n_days - 7 * factor_weeks]], future, open_days)
    else:  # pragma: no cover - configs are built internally
        raise ValueError(f"daily must be 'robust' or 'sarimax', got {daily!r}")
    day_total = level * wfac[future.weekday] * dfac[future.dom]
    return day_total[:, None] * shares[future.weekday]


def _sarimax_level(adj: np.ndarray, future: Days, open_days: np.ndarray) -> np.ndarray:
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    level = np.full(future.size, np.nan)
    z = np.log(adj[adj > 0])
    if z.size < 10:
        return np.full(future.size, float(np.exp(np.mean(z))) if z.size else np.nan)
    fut = np.flatnonzero(open_days[future.weekday])
    if fut.size == 0:
        return level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short, flat series
        res = SARIMAX(z, order=(1, 0, 0), trend="c").fit(disp=False, maxiter=50)
        fc = res.get_forecast(fut.size)
        mu = np.asarray(fc.predicted_mean)
        var = np.asarray(fc.var_pred_mean)
    level[fut] = np.exp(mu + var / 2.0)
    return level


def _stl_kwargs(longest_period: int) -> dict[str, int]:
    """STL settings: ``seasonal_deg=0`` as in R and statsforecast (statsmodels' default of
    1 costs accuracy), and the trend and low-pass smoothers evaluated every ``jump`` points
    and interpolated, as R's ``stl`` does (jump ≈ window / 10), which keeps a weekly
    period of hundreds of slots fast."""
    jump = max(1, -(-longest_period // 20))
    return {"seasonal_deg": 0, "trend_jump": jump, "low_pass_jump": jump}


def mstl_ets(y: np.ndarray, cal: Days, future: Days, *, window_weeks: int = 12) -> np.ndarray:
    """statsmodels MSTL (daily + weekly, ``seasonal_deg=0``) + ETS(A,N,N) on the square root.

    The series is the open grid only (slots and weekdays open in the window),
    so the daily and weekly periods are exact; missing days are filled with the
    median weekly profile before decomposition (never with zeros).  The mean is
    back-transformed as ``mu² + s²``.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.seasonal import MSTL

    n_days = y.shape[0]
    lo = max(0, n_days - 7 * window_weeks)
    y = y[lo:]
    cal = cal[lo:]
    present = ~np.all(np.isnan(y), axis=1)
    slot_open = np.any(np.nan_to_num(y[present]) > 0, axis=0)
    day_open = np.zeros(7, dtype=bool)
    day_open[np.unique(cal.weekday[present])] = True
    out = np.full((future.size, y.shape[1]), np.nan)
    rows = np.flatnonzero(day_open[cal.weekday])
    n_open_days, n_open_slots = int(day_open.sum()), int(slot_open.sum())
    if rows.size < 2 * n_open_days or n_open_slots < 2:
        return out
    fill = profile(y, cal, cal, k=8, agg="median")
    grid = np.nan_to_num(np.where(np.isnan(y), fill, y)[rows][:, slot_open])
    z = np.sqrt(np.maximum(grid, 0.0)).ravel()
    p_day = n_open_slots
    periods: tuple[int, ...] = (p_day, p_day * n_open_days) if n_open_days > 1 else (p_day,)
    if z.size < 2 * periods[-1]:
        return out
    fut_rows = np.flatnonzero(day_open[future.weekday])
    n_fut = fut_rows.size * p_day
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # optimiser chatter on short or flat series
            res = MSTL(z, periods=periods, stl_kwargs=_stl_kwargs(periods[-1])).fit()
            seas = np.asarray(res.seasonal).reshape(z.size, -1)
            ets = ETSModel(z - seas.sum(axis=1), error="add", trend=None).fit(
                disp=False, maxiter=100
            )
            base = np.asarray(ets.forecast(n_fut))
            sigma2 = float(np.var(np.asarray(ets.resid)))
    except (ValueError, np.linalg.LinAlgError):
        return out  # the backtest then scores this candidate as unavailable
    periods = periods[: seas.shape[1]]  # MSTL drops a period longer than half the series
    pos = np.arange(n_fut)
    s_fc = np.zeros(n_fut)
    for j, p in enumerate(periods):
        s_fc += seas[z.size - p + pos % p, j]
    mean = np.maximum(base + s_fc, 0.0) ** 2 + sigma2
    block = np.full((fut_rows.size, y.shape[1]), np.nan)
    block[:, slot_open] = mean.reshape(fut_rows.size, p_day)
    out[fut_rows] = block
    return out


def blend(preds: list[np.ndarray], weights: tuple[float, ...]) -> np.ndarray:
    """Weighted average of forecasts, cell by cell over the members that have a value."""
    num = np.zeros_like(preds[0])
    den = np.zeros_like(preds[0])
    for p, w in zip(preds, weights, strict=True):
        ok = np.isfinite(p)
        num += np.where(ok, w * p, 0.0)
        den += np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # no member → NaN
        return num / den


CANDIDATES: dict[str, Callable[..., np.ndarray]] = {
    "snaive": seasonal_naive,
    "profile": profile,
    "twostage": two_stage,
    "mstl": mstl_ets,
}
#: Candidates refitted on fewer backtest origins because each fit takes a noticeable time.
SLOW_METHODS = frozenset({"mstl"})
METHODS = ("auto", "snaive", "profile", "twostage", "mstl", "blend")


@dataclass(frozen=True)
class Config:
    """One candidate with its parameters; a blend holds its members and weights."""

    method: str
    params: tuple[tuple[str, Any], ...] = ()
    parts: tuple[Config, ...] = field(default=())
    weights: tuple[float, ...] = ()

    @property
    def label(self) -> str:
        if self.parts:
            inner = " + ".join(
                f"{w:.2g}·{c.label}" for c, w in zip(self.parts, self.weights, strict=True)
            )
            return f"blend({inner})"
        if not self.params:
            return self.method
        return f"{self.method}(" + ", ".join(f"{k}={v}" for k, v in self.params) + ")"


def is_slow(cfg: Config) -> bool:
    """Whether one fit of ``cfg`` costs a statsmodels optimisation (MSTL + ETS, SARIMAX).

    Such a fit takes tens of milliseconds where the robust candidates take
    about one; the backtest screens them on the most recent origin first.
    """
    return cfg.method in SLOW_METHODS or dict(cfg.params).get("daily") == "sarimax"


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the enclosed fits with one BLAS thread when threadpoolctl is installed.

    The statsmodels fits multiply small matrices: threads gain nothing there,
    and on a busy machine each spinning BLAS thread takes a core from other
    work (a SARIMAX fit ran 2.5 times slower with two threads than with one
    next to a busy core).  Without threadpoolctl (the ``[fast]`` extra) the
    BLAS keeps its own setting, e.g. ``OPENBLAS_NUM_THREADS`` set before the
    start of Python.
    """
    controller = _blas_controller()
    if controller is None:
        yield
        return
    with controller.limit(limits=1, user_api="blas"):
        yield


_CONTROLLER: list[Any] = [None, -1]  # threadpoolctl controller, len(sys.modules) when made


def _blas_controller() -> Any:
    """A threadpoolctl controller, found again only when modules were imported since.

    Finding the loaded BLAS libraries takes milliseconds (a scan of every
    shared library), a noticeable share of a small queue's fit; the libraries
    change only when a module loads one (scipy's BLAS with statsmodels).
    """
    import sys

    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    if _CONTROLLER[1] != len(sys.modules):
        _CONTROLLER[:] = [ThreadpoolController(), len(sys.modules)]
    return _CONTROLLER[0]


def run_config(cfg: Config, y: np.ndarray, cal: Days, future: Days) -> np.ndarray:
    """Point forecast of ``cfg`` for the days after ``y``."""
    if cfg.parts:
        return blend([run_config(c, y, cal, future) for c in cfg.parts], cfg.weights)
    return CANDIDATES[cfg.method](y, cal, future, **dict(cfg.params))


def candidate_grid(method: str) -> list[Config]:
    """Configurations tried by the internal backtest for ``method``."""
    grids: dict[str, list[Config]] = {
        "snaive": [Config("snaive")],
        "profile": [
            Config("profile", (("k", k), ("agg", agg)))
            for agg in ("median", "mean")
            for k in (4, 6, 8)
        ],
        "twostage": [
            *(
                Config("twostage", (("level_weeks", kl), ("agg", agg), ("dom", dom)))
                for dom in (True, False)
                for agg in ("median", "mean")
                for kl in ((4,), (8,), (4, 8))
            ),
            Config("twostage", (("daily", "sarimax"),)),
        ],
        "mstl": [Config("mstl", (("window_weeks", 8),))],
    }
    if method == "auto":
        return [c for m in ("snaive", "profile", "twostage", "mstl") for c in grids[m]]
    if method == "blend":
        return [*grids["profile"], *grids["twostage"]]
    return grids[method]


def min_history_days(method: str) -> int:
    """Calendar days of history a method needs (training plus one validation fold)."""
    return {"snaive": 14, "profile": 14, "twostage": 14, "blend": 21, "mstl": 28, "auto": 28}[
        method
    ]
