"""History and forecast volume with the forecast's quantile band."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._validation import check_columns, check_fraction
from staffplan.forecast._forecaster import quantile_column
from staffplan.intervals import wall_time
from staffplan.report._figure import (
    _BLUE,
    _GREEN,
    _GREY,
    _RED,
    TIME_MARGINS,
    _broken,
    _check_single_panel,
    _figure,
    _legend,
    _num,
    _on,
    _sorted_by_ds,
    _step_of,
    _time_axis,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_forecast"]


def plot_forecast(
    history: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    *,
    queue: str | None = None,
    quantiles: tuple[float, float] | None = (0.05, 0.95),
    history_days: float | None = 14,
    events: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Figure:
    """History and forecast volume per interval with the forecast's quantile band.

    Parameters
    ----------
    history : DataFrame or None
        ``queue``, ``ds`` (interval start), ``volume`` (contacts offered) [-].
    forecast : DataFrame or None
        ``queue``, ``ds``, ``volume`` (mean forecast) and the quantile columns
        ``volume_q<q>`` named by ``quantiles`` (e.g. ``volume_q0.05``) [-].
    queue : str, optional
        Plot only this queue; by default one panel per queue.
    quantiles : (float, float) or None, optional
        Lower and upper quantile of the band [fraction]; ``None`` draws no band.
    history_days : float or None, optional
        Show only the last ``history_days`` days of history before the forecast
        [days] (``None``: all of it), so that the intraday shape stays readable.
    events : DataFrame, optional
        ``start``, ``end``, ``name`` (as from :func:`staffplan.datasets.read_events`);
        events inside the plotted range are shaded and labelled.
    ax : matplotlib Axes, optional
        Draw one queue (``queue``, or the only one) on this axes and return its
        figure; by default a new figure with one panel per queue.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per queue; lines labelled ``"history"``, ``"forecast (mean)"`` and
        the band ``"q0.05-q0.95"``.

    Raises
    ------
    ValueError
        A missing column, a quantile column absent from ``forecast`` (the message
        lists those present) or a queue found in neither frame.
    """
    if history is None and forecast is None:
        raise ValueError("plot_forecast needs history or forecast, got neither")
    if history is not None:
        check_columns(history, ["ds", "volume"], "history")
    band_cols: tuple[str, str] | None = None
    if forecast is not None:
        check_columns(forecast, ["ds", "volume"], "forecast")
        if quantiles is not None:
            lo, hi = (float(q) for q in quantiles)
            check_fraction([lo, hi], "quantiles")
            band_cols = (quantile_column(min(lo, hi)), quantile_column(max(lo, hi)))
            absent = [c for c in band_cols if c not in forecast.columns]
            if absent:
                present = [c for c in forecast.columns if str(c).startswith("volume_q")]
                raise ValueError(
                    f"forecast has no column(s) {absent} for quantiles={quantiles}; it has "
                    f"{present}. Pass quantiles=(lo, hi) matching them, or quantiles=None"
                )

    def queues_of(frame: pd.DataFrame | None) -> list[Any]:
        if frame is None or "queue" not in frame.columns:
            return []
        return list(pd.unique(frame["queue"]))

    all_queues = list(dict.fromkeys([*queues_of(history), *queues_of(forecast)]))
    if queue is not None:
        if all_queues and queue not in all_queues:
            raise ValueError(f"queue must be one of: {all_queues!r}; got {queue!r}")
        panels: list[Any] = [queue]
    else:
        panels = all_queues or [None]

    _check_single_panel(ax, len(panels), "forecast", "pass queue= to pick one")
    own = ax is None
    if ax is None:
        fig, axes = _figure(
            11, 2.9 * len(panels) + 0.6, nrows=len(panels), sharex=True,
            margins=TIME_MARGINS, gaps_in=(0.4, 0.0),
        )  # fmt: skip
    else:
        fig, one = _on(ax, 11, 3.5)
        axes = np.array([[one]], dtype=object)
    cut = None
    if history_days is not None and forecast is not None and len(forecast):
        cut = wall_time(forecast["ds"]).min() - pd.Timedelta(days=float(history_days))
    elif history_days is not None and history is not None and len(history):
        cut = wall_time(history["ds"]).max() - pd.Timedelta(days=float(history_days))

    def select(frame: pd.DataFrame | None, q: Any) -> pd.DataFrame | None:
        if frame is None:
            return None
        part = frame if q is None or "queue" not in frame.columns else frame[frame["queue"] == q]
        return _sorted_by_ds(part, "history/forecast of one queue")

    lo_x = hi_x = None
    for ax, q in zip(axes[:, 0], panels, strict=True):
        h = select(history, q)
        f = select(forecast, q)
        ref = pd.concat([d["ds"] for d in (h, f) if d is not None and len(d)])
        step = _step_of(pd.DatetimeIndex(ref))
        if h is not None and len(h):
            if cut is not None:
                h = h[h["ds"] >= cut]
            x, y = _broken(pd.DatetimeIndex(h["ds"]), step, h["volume"].to_numpy())
            ax.plot(x, y, color=_GREY, lw=1.0, label="history")
        if f is not None and len(f):
            fds = pd.DatetimeIndex(f["ds"])
            if band_cols is not None:
                x, lo_y, hi_y = _broken(
                    fds, step, f[band_cols[0]].to_numpy(), f[band_cols[1]].to_numpy()
                )
                label = (
                    f"{band_cols[0].removeprefix('volume_')}-{band_cols[1].removeprefix('volume_')}"
                )
                ax.fill_between(x, lo_y, hi_y, color=_BLUE, alpha=0.25, lw=0, label=label)
            x, y = _broken(fds, step, f["volume"].to_numpy())
            ax.plot(x, y, color=_BLUE, lw=1.4, label="forecast (mean)")
            ax.axvline(_num(fds[:1])[0], color="black", lw=0.8, ls=":")
        x_all = ax.get_xlim()
        lo_x = x_all[0] if lo_x is None else min(lo_x, x_all[0])
        hi_x = x_all[1] if hi_x is None else max(hi_x, x_all[1])
        ax.set_ylabel("contacts per interval")
        ax.set_ylim(bottom=0)
        ax.set_title(f"queue {q}" if q is not None else "volume", loc="left", fontsize=10)
        _time_axis(ax)
        _legend(ax)
    if events is not None and len(events):
        check_columns(events, ["start", "end", "name"], "events")
        for ax in axes[:, 0]:
            x0, x1 = ax.get_xlim()
            for _, ev in events.iterrows():
                s, e = _num([ev["start"], ev["end"]])
                if e <= x0 or s >= x1:
                    continue
                kind = str(ev.get("kind", ""))
                color = _RED if kind == "holiday" else _GREEN
                ax.axvspan(s, e, color=color, alpha=0.12, lw=0)
                ax.annotate(
                    str(ev["name"]),
                    (max(s, x0), 0.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(2, 3),
                    textcoords="offset points",
                    fontsize=7,
                    color=color,
                )
    if own:
        fig.suptitle("Contacts per interval: history and forecast", fontsize=11)
    return fig
