"""Plots of a plan and a self-contained HTML report.

Every ``plot_*`` function takes plain frames with documented columns and returns
a :class:`matplotlib.figure.Figure` (created without pyplot, so nothing is kept in
a global figure list and a notebook shows each figure once).  Matplotlib comes
with the ``[plot]`` extra (``pip install 'staffplan[plot]'``); without it the
functions raise an ImportError that says so, and :func:`write_report` writes the
tables only.

Time axes show local wall-clock time: time-zone-aware ``ds`` columns are drawn
in their own zone, and closed hours (nights, Sundays) are left as gaps rather
than bridged by a line.
"""

from __future__ import annotations

import ast
import base64
import datetime as _dt
import html
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._io import atomic_write_text
from staffplan._optional import require
from staffplan._validation import check_columns, check_fraction

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_breaks",
    "plot_coverage",
    "plot_forecast",
    "plot_gantt",
    "plot_scenarios",
    "plot_service",
    "write_report",
]

_PLOT_HINT = "Plots need matplotlib: pip install 'staffplan[plot]'"
_BLUE = "#4c78a8"
_ORANGE = "#f58518"
_RED = "#d62728"
_GREEN = "#54a24b"
_GREY = "#7f7f7f"


# --------------------------------------------------------------------------- helpers


def _figure_class() -> type:
    """A Figure subclass that shows itself as PNG in a notebook.

    Figures here are made without pyplot (no global state, no figure left open),
    so a notebook's inline backend does not know them; ``_repr_png_`` lets
    IPython display one returned from a cell, once.
    """
    cls = globals().get("_PlanFigure")
    if cls is None:
        from matplotlib.figure import Figure

        def _repr_png_(self: Figure) -> bytes:
            buf = io.BytesIO()
            self.savefig(buf, format="png", dpi=100)
            return buf.getvalue()

        cls = type("_PlanFigure", (Figure,), {"_repr_png_": _repr_png_, "__module__": __name__})
        globals()["_PlanFigure"] = cls
    return cls


def __getattr__(name: str) -> Any:
    # Unpickling a figure needs its class before any plot has been made.
    if name == "_PlanFigure":
        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _figure(
    width_in: float, height_in: float, *, nrows: int = 1, ncols: int = 1, **kw: Any
) -> tuple[Figure, np.ndarray]:
    """A Figure (Agg canvas, no pyplot) and its axes."""
    require("matplotlib", purpose="plotting")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_class()(figsize=(width_in, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    return fig, axes


def _wall_time(values: Any) -> pd.DatetimeIndex:
    """Timestamps as naive local wall-clock time (tz-aware values keep their zone's clock)."""
    idx = pd.DatetimeIndex(pd.to_datetime(values))
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx


def _num(values: Any) -> np.ndarray:
    from matplotlib import dates as mdates

    return np.asarray(mdates.date2num(_wall_time(values).to_pydatetime()), dtype=float)


def _step_of(ds: pd.DatetimeIndex) -> pd.Timedelta:
    """Interval length: the smallest gap between distinct interval starts (30 min if one)."""
    uniq = np.unique(ds.as_unit("ns").asi8)
    if len(uniq) < 2:
        return pd.Timedelta(minutes=30)
    return pd.Timedelta(int(np.diff(uniq).min()), unit="ns")


def _broken(ds: pd.DatetimeIndex, step: pd.Timedelta, *ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Points at interval starts, with a NaN between runs that are not contiguous.

    Lines drawn from the result break over closed hours instead of bridging them.
    """
    x = _num(ds)
    gap = np.flatnonzero(np.diff(ds.as_unit("ns").asi8) > step.value) + 1
    x = np.insert(x, gap, np.nan)
    out = [x]
    for y in ys:
        out.append(np.insert(np.asarray(y, dtype=float), gap, np.nan))
    return tuple(out)


def _steps(ds: pd.DatetimeIndex, step: pd.Timedelta, *ys: np.ndarray) -> tuple[np.ndarray, ...]:
    """Edges for ``drawstyle="steps-post"``: each run ends at its last interval's end."""
    x = _num(ds)
    step_days = step / pd.Timedelta(days=1)
    run_end = np.append(np.diff(ds.as_unit("ns").asi8) > step.value, True)
    # After each run's last interval add its end point (same value) and a NaN break.
    xs: list[float] = []
    cols: list[list[float]] = [[] for _ in ys]
    for i in range(len(x)):
        xs.append(x[i])
        for c, y in zip(cols, ys, strict=True):
            c.append(float(y[i]))
        if run_end[i]:
            xs.extend([x[i] + step_days, np.nan])
            for c, y in zip(cols, ys, strict=True):
                c.extend([float(y[i]), np.nan])
    return (np.asarray(xs), *(np.asarray(c) for c in cols))


def _time_axis(ax: Axes) -> None:
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, axis="both", alpha=0.3)


def _legend(ax: Axes, *, ncols: int = 4, **kw: Any) -> None:
    """Legend above the axes' right corner, clear of the data and of the left-hand title."""
    ax.legend(
        loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=ncols, fontsize=8, frameon=False,
        borderaxespad=0.1, **kw,
    )  # fmt: skip


def _sorted_by_ds(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    out = frame.copy()
    out["ds"] = _wall_time(out["ds"])
    out = out.sort_values("ds", kind="stable").reset_index(drop=True)
    if out["ds"].duplicated().any():
        first = out.loc[out["ds"].duplicated(), "ds"].iloc[0]
        raise ValueError(
            f"{name} must have one row per interval, got a second row for {first}; "
            "aggregate the queues (sum) before plotting"
        )
    return out


def _quantile_col(q: float) -> str:
    return f"volume_q{q:g}"


# --------------------------------------------------------------------------- forecast


def plot_forecast(
    history: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    *,
    queue: str | None = None,
    quantiles: tuple[float, float] | None = (0.05, 0.95),
    history_days: float | None = 14,
    events: pd.DataFrame | None = None,
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
            band_cols = (_quantile_col(min(lo, hi)), _quantile_col(max(lo, hi)))
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

    fig, axes = _figure(11, 2.9 * len(panels) + 0.6, nrows=len(panels), sharex=True)
    cut = None
    if history_days is not None and forecast is not None and len(forecast):
        cut = _wall_time(forecast["ds"]).min() - pd.Timedelta(days=float(history_days))
    elif history_days is not None and history is not None and len(history):
        cut = _wall_time(history["ds"]).max() - pd.Timedelta(days=float(history_days))

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
    fig.suptitle("Contacts per interval: history and forecast", fontsize=11)
    return fig


# --------------------------------------------------------------------------- coverage


def plot_coverage(coverage: pd.DataFrame) -> Figure:
    """Agents required vs agents on the floor per interval, shortages highlighted.

    Parameters
    ----------
    coverage : DataFrame
        One row per interval: ``ds`` (interval start), ``required`` (agents needed
        on the phones), ``on_floor`` (agents working and not on lunch or break);
        optional ``agents_per_lead`` (agents on the floor per lead present) adds
        a span-of-control panel with the limit of 10.

    Returns
    -------
    matplotlib.figure.Figure
        The first axes holds the ``"on the floor"`` and ``"required"`` lines and,
        when some interval is short, a bar container labelled ``"shortage"`` with
        one red bar per interval where ``on_floor < required``, from ``on_floor``
        up to ``required``.
    """
    check_columns(coverage, ["ds", "required", "on_floor"], "coverage")
    cov = _sorted_by_ds(coverage, "coverage")
    ds = pd.DatetimeIndex(cov["ds"])
    step = _step_of(ds)
    required = cov["required"].to_numpy(dtype=float)
    on_floor = cov["on_floor"].to_numpy(dtype=float)
    span = "agents_per_lead" in cov.columns
    fig, axes = _figure(
        11,
        5.2 if span else 3.8,
        nrows=2 if span else 1,
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1]} if span else None,
    )
    ax = axes[0, 0]
    x, req_s, floor_s = _steps(ds, step, required, on_floor)
    ax.fill_between(x, 0, floor_s, step="post", color=_BLUE, alpha=0.22, lw=0)
    ax.plot(x, floor_s, drawstyle="steps-post", color=_BLUE, lw=1.2, label="on the floor")
    ax.plot(x, req_s, drawstyle="steps-post", color="black", lw=1.2, label="required")
    short = required - on_floor
    mask = short > 1e-9
    step_days = step / pd.Timedelta(days=1)
    if mask.any():
        ax.bar(
            _num(ds[mask]),
            short[mask],
            bottom=on_floor[mask],
            width=step_days,
            align="edge",
            color=_RED,
            alpha=0.75,
            lw=0,
            label="shortage",
        )
    n_short = int(mask.sum())
    worst = float(short[mask].max()) if n_short else 0.0
    ax.set_title(
        f"{n_short} interval(s) short"
        + (f", worst {worst:.1f} agents" if n_short else ": every interval covered"),
        loc="left",
        fontsize=9,
    )
    ax.set_ylabel("agents")
    ax.set_ylim(bottom=0)
    _legend(ax)
    _time_axis(ax)
    if span:
        ax2 = axes[1, 0]
        x, apl = _steps(ds, step, cov["agents_per_lead"].to_numpy(dtype=float))
        ax2.plot(x, apl, drawstyle="steps-post", color=_ORANGE, lw=1.1, label="agents per lead")
        ax2.axhline(10, color=_RED, ls="--", lw=0.9, label="limit (10)")
        ax2.set_ylabel("agents / lead")
        ax2.set_ylim(bottom=0, top=max(12.0, float(np.nanmax(apl)) + 1 if len(apl) else 12.0))
        _legend(ax2)
        _time_axis(ax2)
    fig.suptitle("Coverage: required vs on the floor", fontsize=11)
    return fig


def plot_breaks(coverage: pd.DataFrame) -> Figure:
    """Lunch and break waves: agents off the floor per interval, stacked.

    Parameters
    ----------
    coverage : DataFrame
        ``ds`` (interval start), ``off_lunch`` and ``off_break`` (agents at lunch
        and on a break in the interval).

    Returns
    -------
    matplotlib.figure.Figure
        Two bar containers labelled ``"lunch"`` and ``"break"``, one bar per row each.
    """
    check_columns(coverage, ["ds", "off_lunch", "off_break"], "coverage")
    cov = _sorted_by_ds(coverage, "coverage")
    ds = pd.DatetimeIndex(cov["ds"])
    step_days = _step_of(ds) / pd.Timedelta(days=1)
    x = _num(ds)
    lunch = cov["off_lunch"].to_numpy(dtype=float)
    brk = cov["off_break"].to_numpy(dtype=float)
    fig, axes = _figure(11, 3.4)
    ax = axes[0, 0]
    kw = {"width": step_days * 0.92, "align": "edge", "lw": 0}
    ax.bar(x, lunch, color=_ORANGE, label="lunch", **kw)
    ax.bar(x, brk, bottom=lunch, color=_GREEN, label="break", **kw)
    ax.set_ylabel("agents off the floor")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _legend(ax)
    _time_axis(ax)
    fig.suptitle("Lunch and break waves", fontsize=11)
    return fig


# --------------------------------------------------------------------------- gantt

_ROLE_ORDER = {"manager": 0, "lead": 1, "agent": 2}


def _pairs(value: Any) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Break intervals from a list of pairs (or its string form, as read back from CSV)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        text = text.replace("Timestamp(", "(")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ValueError(
                f"roster breaks must be a list of (start, end) pairs, got {value!r}"
            ) from None
    out = []
    for pair in value:
        if isinstance(pair, str) or len(pair) != 2:
            raise ValueError(f"roster breaks must be a list of (start, end) pairs, got {value!r}")
        s, e = pair
        out.append((pd.Timestamp(s), pd.Timestamp(e)))
    return out


def plot_gantt(roster: pd.DataFrame, *, day: Any = None) -> Figure:
    """Shifts by team as horizontal bars, lunch and breaks drawn inside them.

    Parameters
    ----------
    roster : DataFrame
        One row per person-shift: ``person``, ``role`` (``"agent"``, ``"lead"`` or
        ``"manager"``), ``team``, ``start``, ``end`` (timestamps), and optional
        ``lunch_start``, ``lunch_end`` (timestamps or empty) and ``breaks`` (a list
        of ``(start, end)`` pairs).
    day : date-like, optional
        Plot the shifts starting on this day.  By default the first day of the
        roster (the title says how many days it holds).

    Returns
    -------
    matplotlib.figure.Figure
        Bar containers labelled ``"shift"`` (one bar per plotted row), ``"lunch"``
        and ``"break"``; leads and the manager carry a marker and a bold name, and
        teams are separated by lines and labelled.
    """
    check_columns(roster, ["person", "role", "team", "start", "end"], "roster")
    r = roster.copy()
    for col in ("start", "end", "lunch_start", "lunch_end"):
        if col in r.columns:
            r[col] = _wall_time(r[col])
    days = sorted(r["start"].dt.normalize().unique())
    if not days:
        raise ValueError("roster must have at least one row, got an empty frame")
    chosen = pd.Timestamp(days[0]) if day is None else pd.Timestamp(day).normalize()
    r = r[r["start"].dt.normalize() == chosen]
    if r.empty:
        raise ValueError(
            f"day must be a day of the roster ({pd.Timestamp(days[0]).date()} .. "
            f"{pd.Timestamp(days[-1]).date()}), got {chosen.date()}"
        )
    r["_role"] = r["role"].map(_ROLE_ORDER).fillna(3)
    r["_team"] = r["team"].astype(str)
    # The manager stands above the teams: put that row first whatever its team.
    r["_team_key"] = np.where(r["role"] == "manager", "", r["_team"])
    r = r.sort_values(["_team_key", "_role", "start", "person"], kind="stable").reset_index(
        drop=True
    )
    n = len(r)
    fig, axes = _figure(11, max(3.0, 0.21 * n + 1.6))
    ax = axes[0, 0]
    y = np.arange(n)
    teams = list(dict.fromkeys(r["_team_key"]))
    cmap = [
        "#9ecae9",
        "#ffbf79",
        "#88d27a",
        "#f2cf5b",
        "#b9ac9f",
        "#d6a5c9",
        "#86bcb6",
        "#ff9d98",
        "#c5b0d5",
        "#dbdb8d",
    ]
    team_color = {t: ("#bdbdbd" if t == "" else cmap[i % len(cmap)]) for i, t in enumerate(teams)}
    start = _num(r["start"])
    end = _num(r["end"])
    colors = [team_color[t] for t in r["_team_key"]]
    edge = ["black" if role in ("lead", "manager") else "none" for role in r["role"]]
    ax.barh(
        y, end - start, left=start, height=0.72, color=colors, edgecolor=edge, lw=0.8, label="shift"
    )

    lunch_y, lunch_l, lunch_w = [], [], []
    if "lunch_start" in r.columns and "lunch_end" in r.columns:
        ok = r["lunch_start"].notna() & r["lunch_end"].notna()
        ls = _num(r.loc[ok, "lunch_start"]) if ok.any() else np.array([])
        le = _num(r.loc[ok, "lunch_end"]) if ok.any() else np.array([])
        lunch_y, lunch_l, lunch_w = list(y[ok.to_numpy()]), list(ls), list(le - ls)
    ax.barh(
        lunch_y, lunch_w, left=lunch_l, height=0.72, color="#5b5b5b", hatch="///",
        edgecolor="white", lw=0, label="lunch",
    )  # fmt: skip
    brk_y, brk_l, brk_w = [], [], []
    if "breaks" in r.columns:
        for i, value in enumerate(r["breaks"]):
            for s, e in _pairs(value):
                s_n, e_n = _num([s, e])
                brk_y.append(y[i])
                brk_l.append(s_n)
                brk_w.append(e_n - s_n)
    ax.barh(brk_y, brk_w, left=brk_l, height=0.72, color="#1f1f1f", lw=0, label="break")

    for role, marker, label in (("lead", "D", "lead"), ("manager", "*", "manager")):
        sel = (r["role"] == role).to_numpy()
        if sel.any():
            ax.plot(
                start[sel] - 0.004, y[sel], ls="none", marker=marker, color="black",
                markersize=6 if marker == "D" else 10, label=label,
            )  # fmt: skip

    ax.set_yticks(y)
    ax.set_yticklabels(r["person"].astype(str), fontsize=7 if n > 30 else 8)
    for tick, role in zip(ax.get_yticklabels(), r["role"], strict=True):
        if role in ("lead", "manager"):
            tick.set_fontweight("bold")
    ax.set_ylim(n - 0.4, -0.6)
    # Team separators and labels on the right edge.
    bounds = np.flatnonzero(r["_team_key"].to_numpy()[1:] != r["_team_key"].to_numpy()[:-1]) + 1
    for b in bounds:
        ax.axhline(b - 0.5, color="black", lw=0.6, alpha=0.6)
    first = np.concatenate([[0], bounds])
    last = np.concatenate([bounds, [n]])
    for f_i, l_i in zip(first, last, strict=True):
        t = r["_team_key"].iloc[f_i]
        label = "manager" if t == "" else f"team {t}"
        ax.annotate(
            label,
            (1.0, (f_i + l_i - 1) / 2),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    from matplotlib import dates as mdates

    ax.xaxis.set_major_locator(mdates.HourLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.tick_params(axis="x", labelsize=8, labelrotation=0)
    for lab in ax.get_xticklabels():
        lab.set_horizontalalignment("center")
    ax.grid(True, axis="x", alpha=0.3)
    ax.xaxis.set_ticks_position("both")
    ax.tick_params(axis="x", labeltop=True)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.03 if n > 15 else -0.08), ncols=5,
        fontsize=8, frameon=False,
    )  # fmt: skip
    extra = f" (day 1 of {len(days)})" if day is None and len(days) > 1 else ""
    fig.suptitle(
        f"Roster {chosen:%a %Y-%m-%d}{extra}: {n} shifts, {len([t for t in teams if t])} teams",
        fontsize=11,
    )
    return fig


# --------------------------------------------------------------------------- service


def plot_service(verdict: pd.DataFrame, *, target: float | None = None) -> Figure:
    """Predicted service level per interval, with the target line.

    Parameters
    ----------
    verdict : DataFrame
        ``ds`` (interval start), ``service_level`` (predicted share answered within
        the target time) [fraction]; optional ``sim_service_level`` with
        ``sim_service_level_lo`` / ``_hi`` (simulated, with a 95 % interval),
        ``asa_s`` (average speed of answer) [s] and ``p_abandon`` [fraction], which
        add a lower panel.
    target : float, optional
        Service-level target [fraction], drawn as a dashed line; intervals below
        it are marked.

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled ``"predicted (Erlang)"``, ``"simulated"`` (when present),
        ``"target 80%"`` (when ``target`` is given) and ``"below target"`` markers.
    """
    check_columns(verdict, ["ds", "service_level"], "verdict")
    if target is not None:
        target = float(check_fraction(target, "target", low_open=False, high_open=False))
    v = _sorted_by_ds(verdict, "verdict")
    ds = pd.DatetimeIndex(v["ds"])
    step = _step_of(ds)
    # Under Erlang C nobody abandons: an all-zero abandonment axis says nothing.
    has_abandon = "p_abandon" in v.columns and bool(
        np.nan_to_num(v["p_abandon"].to_numpy(dtype=float)).any()
    )
    lower = [c for c in ("asa_s",) if c in v.columns] + (["p_abandon"] if has_abandon else [])
    fig, axes = _figure(
        11,
        5.2 if lower else 3.6,
        nrows=2 if lower else 1,
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1.4]} if lower else None,
    )
    ax = axes[0, 0]
    sl = v["service_level"].to_numpy(dtype=float)
    x, sl_s = _steps(ds, step, sl)
    ax.plot(x, sl_s * 100, drawstyle="steps-post", color=_BLUE, lw=1.3, label="predicted (Erlang)")
    mid = _num(ds) + (step / pd.Timedelta(days=1)) / 2
    if "sim_service_level" in v.columns:
        sim = v["sim_service_level"].to_numpy(dtype=float) * 100
        if {"sim_service_level_lo", "sim_service_level_hi"} <= set(v.columns):
            lo = v["sim_service_level_lo"].to_numpy(dtype=float) * 100
            hi = v["sim_service_level_hi"].to_numpy(dtype=float) * 100
            ax.errorbar(
                mid, sim, yerr=[sim - lo, hi - sim], fmt="o", ms=2.5, color=_ORANGE,
                ecolor=_ORANGE, elinewidth=0.8, alpha=0.85, label="simulated (95% CI)",
            )  # fmt: skip
        else:
            ax.plot(mid, sim, "o", ms=2.5, color=_ORANGE, label="simulated")
    if target is not None:
        ax.axhline(target * 100, color=_RED, ls="--", lw=1.0, label=f"target {target:.0%}")
        below = sl < target - 1e-12
        ax.plot(mid[below], sl[below] * 100, "v", ms=4, color=_RED, ls="none", label="below target")
        ax.set_title(
            f"{int(below.sum())} of {len(sl)} intervals below target", loc="left", fontsize=9
        )
    ax.set_ylim(0, 104)
    ax.set_ylabel("service level [%]")
    _legend(ax)
    _time_axis(ax)
    if lower:
        ax2 = axes[1, 0]
        handles = []
        if "asa_s" in v.columns:
            x, asa = _steps(ds, step, v["asa_s"].to_numpy(dtype=float))
            handles += ax2.plot(
                x, asa, drawstyle="steps-post", color=_GREY, lw=1.1, label="ASA [s]"
            )
            ax2.set_ylabel("ASA [s]")
            ax2.set_ylim(bottom=0)
        if has_abandon:
            ax3 = ax2.twinx() if "asa_s" in v.columns else ax2
            x, pab = _steps(ds, step, v["p_abandon"].to_numpy(dtype=float) * 100)
            handles += ax3.plot(
                x, pab, drawstyle="steps-post", color=_GREEN, lw=1.1, ls="--", label="abandoned [%]"
            )
            ax3.set_ylabel("abandoned [%]")
            ax3.set_ylim(bottom=0)
        _legend(ax2, handles=handles)
        _time_axis(ax2)
    fig.suptitle("Predicted service per interval", fontsize=11)
    return fig


# --------------------------------------------------------------------------- scenarios

_METRICS: dict[str, tuple[str, str]] = {
    # column: (title, format); "%" formats fractions as percentages
    "agents_needed": ("Agents needed", "{:.1f}"),
    "paid_hours": ("Paid hours [h]", "{:,.0f}"),
    "service_level": ("Service level [%]", "%"),
    "service_level_at_quantile": ("Service level at the volume quantile [%]", "%"),
    "asa_s": ("ASA [s]", "{:.1f}"),
    "p_abandon": ("Abandoned [%]", "%"),
    "occupancy": ("Occupancy [%]", "%"),
    "peak_shortage": ("Peak shortage [agents]", "{:.1f}"),
    "cost": ("Cost", "{:,.0f}"),
}


def _fmt(value: float, fmt: str) -> str:
    if np.isposinf(value):
        return "unbounded"
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.1%}" if fmt == "%" else fmt.format(value)


def plot_scenarios(comparison: pd.DataFrame, *, metrics: Sequence[str] | None = None) -> Figure:
    """Scenario comparison: one small bar chart per metric, scenarios side by side.

    Parameters
    ----------
    comparison : DataFrame
        One row per scenario, named by a ``scenario`` column or by the index; the
        first row is the base and drawn darker.  Numeric columns such as
        ``agents_needed``, ``paid_hours``, ``service_level`` [fraction], ``asa_s``
        [s], ``p_abandon`` [fraction], ``peak_shortage``, ``cost``.
    metrics : sequence of str, optional
        Columns to draw, in order; by default those of ``agents_needed``,
        ``paid_hours``, ``service_level``, ``service_level_at_quantile``, ``asa_s``,
        ``p_abandon``, ``occupancy``, ``peak_shortage``, ``cost`` that are present
        (every numeric column when none is).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per metric, each with one bar per scenario and its value printed.
    """
    if not isinstance(comparison, pd.DataFrame):
        raise TypeError(f"comparison must be a pandas DataFrame, got {type(comparison).__name__}")
    if comparison.empty:
        raise ValueError("comparison must have at least one scenario row, got an empty frame")
    comp = comparison.copy()
    names = (comp["scenario"] if "scenario" in comp.columns else pd.Series(comp.index)).astype(str)
    numeric = [
        c
        for c in comp.columns
        if c != "scenario" and pd.api.types.is_numeric_dtype(comp[c])
        and not pd.api.types.is_bool_dtype(comp[c])
    ]  # fmt: skip
    if metrics is None:
        cols = [c for c in _METRICS if c in numeric] or numeric
    else:
        cols = list(metrics)
        check_columns(comp, cols, "comparison")
    if not cols:
        raise ValueError(f"comparison has no numeric column to draw; it has {list(comp.columns)}")
    ncols = min(3, len(cols))
    nrows = math.ceil(len(cols) / ncols)
    k = len(comp)
    fig, axes = _figure(11, nrows * max(1.9, 0.42 * k + 1.0) + 0.5, nrows=nrows, ncols=ncols)
    y = np.arange(k)
    colors = [_BLUE] + ["#9ecae9"] * (k - 1)
    for i, ax in enumerate(axes.ravel()):
        if i >= len(cols):
            ax.set_visible(False)
            continue
        col = cols[i]
        title, fmt = _METRICS.get(col, (col, "{:.3g}"))
        vals = comp[col].to_numpy(dtype=float)
        shown = vals * 100 if fmt == "%" else vals
        finite = shown[np.isfinite(shown)]
        top = float(finite.max()) if finite.size else 1.0
        top = top if top > 0 else 1.0
        bottom = min(0.0, float(finite.min())) if finite.size else 0.0
        # An unbounded value (ASA of an overloaded queue) runs off the axis: a hatched
        # bar to the edge, labelled inside, so that its length reads as no value at all.
        edge = top * 1.32
        unbounded = np.isposinf(shown)
        drawn = np.where(unbounded, edge, np.nan_to_num(shown, posinf=0.0, neginf=0.0))
        bars = ax.barh(y, drawn, color=colors, height=0.65)
        for bar, off_scale in zip(bars, unbounded, strict=True):
            if off_scale:
                bar.set(facecolor="none", edgecolor=_RED, hatch="///", linewidth=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels(names if i % ncols == 0 else [""] * k, fontsize=8)
        ax.set_ylim(k - 0.5, -0.5)
        ax.set_xlim(bottom, edge)
        for yi, (v_raw, v_drawn, inside) in enumerate(zip(vals, drawn, unbounded, strict=True)):
            ax.annotate(
                _fmt(v_raw, fmt),
                (max(float(v_drawn), 0.0), yi),
                xytext=(-3 if inside else 3, 0),
                textcoords="offset points",
                ha="right" if inside else "left",
                va="center",
                fontsize=8,
                color=_RED if inside else "black",
                backgroundcolor="white" if inside else "none",
            )
        ax.set_title(title, fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle(f"Scenarios compared with the base ({names.iloc[0]}, dark bars)", fontsize=11)
    return fig


# --------------------------------------------------------------------------- report

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;
color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto}.note{color:#8a6d3b;background:#fcf8e3;padding:.5em 1em}
.caption{color:#555;font-size:.85em}
"""

_SECTIONS = (
    ("history", "History"),
    ("forecast", "Forecast"),
    ("requirements", "Requirements"),
    ("roster", "Roster"),
    ("coverage", "Coverage"),
    ("verdict", "Predicted service"),
    ("verdict_quantile", "Predicted service at the volume quantile"),
    ("daily", "Per day"),
    ("peaks", "Peak intervals"),
    ("comparison", "Scenarios"),
)


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _img(fig: Figure, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png(fig)}">'


def _cell(value: Any) -> str:
    """A table cell as a planner reads it: 4 significant digits, minutes, break pairs."""
    if isinstance(value, float | np.floating):
        v = float(value)
        if not np.isfinite(v):
            return "n/a"
        return f"{v:,.4g}" if abs(v) < 1e6 else f"{v:,.0f}"
    if isinstance(value, pd.Timestamp | _dt.datetime):
        return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple) and all(
        isinstance(p, list | tuple) and len(p) == 2 for p in value
    ):
        return ", ".join(f"{pd.Timestamp(a):%H:%M}-{pd.Timestamp(b):%H:%M}" for a, b in value)
    if value is None or value is pd.NaT:
        return ""
    return str(value)


def _table(frame: pd.DataFrame, *, index: bool = False, rows: int | None = 10) -> str:
    part = frame if rows is None else frame.head(rows)
    shown = part.map(_cell) if hasattr(part, "map") else part.applymap(_cell)
    out = shown.to_html(index=index, border=0, escape=True)
    if rows is not None and len(frame) > rows:
        out += f'<p class="caption">first {rows} of {len(frame):,} rows</p>'
    return out


def _plots_for(
    key: str, frames: Mapping[str, pd.DataFrame], target: float | None
) -> list[tuple[Any, str]]:
    frame = frames[key]
    if key == "forecast":
        hist = frames.get("history")
        fc = frame
        qs = sorted(
            float(c.removeprefix("volume_q")) for c in fc.columns if str(c).startswith("volume_q")
        )
        band = (qs[0], qs[-1]) if len(qs) >= 2 else None
        return [(plot_forecast(hist, fc, quantiles=band, events=frames.get("events")), "forecast")]
    if key == "history" and "forecast" not in frames:
        return [(plot_forecast(frame, None, history_days=14), "history")]
    if key == "roster":
        return [(plot_gantt(frame), "roster Gantt chart")]
    if key == "coverage":
        figs = [(plot_coverage(frame), "coverage")]
        if {"off_lunch", "off_break"} <= set(frame.columns):
            figs.append((plot_breaks(frame), "lunch and break waves"))
        return figs
    if key in ("verdict", "verdict_quantile"):
        return [(plot_service(frame, target=target), "predicted service level")]
    if key == "comparison":
        return [(plot_scenarios(frame), "scenario comparison")]
    return []


def _matplotlib_available() -> bool:
    try:
        require("matplotlib", purpose="plotting")
    except ImportError:
        return False
    return True


def write_report(
    frames: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    title: str = "staffplan report",
    summary: Mapping[str, object] | None = None,
    target_service_level: float | None = None,
) -> Path:
    """Write a self-contained HTML report of a plan.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Any of ``history``, ``forecast``, ``requirements``, ``roster``,
        ``coverage``, ``verdict``, ``comparison`` (columns as in the ``plot_*``
        functions; ``events`` shades the forecast plot).  Each present key gets a
        section with its plots and the first rows of the frame; other keys get a
        table only.
    path : path
        The HTML file to write (parent directories are created).
    title : str, optional
        Page title and heading.
    summary : mapping, optional
        Key facts (e.g. ``{"agents at peak": 42, "service level": 0.81}``) shown
        as a table at the top.
    target_service_level : float, optional
        Service-level target [fraction] drawn on the service plot.

    Returns
    -------
    Path
        ``path``.  The file is written atomically: a failure leaves any previous
        report intact.  Plots are PNG images embedded as base64; without
        matplotlib the report holds the tables and a line saying how to get plots.
        A frame that cannot be plotted (e.g. a column missing) gets a note saying
        why instead of its plot, and the rest of the report is still written.
    """
    if not isinstance(frames, Mapping):
        raise TypeError(
            f"frames must be a mapping of name to DataFrame, got {type(frames).__name__}"
        )
    for key, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"frames[{key!r}] must be a pandas DataFrame, got {type(frame).__name__}"
            )
    if target_service_level is not None:
        target_service_level = float(
            check_fraction(target_service_level, "target_service_level", high_open=False)
        )
    plots = _matplotlib_available()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if not plots:
        parts.append(f'<p class="note">{html.escape(_PLOT_HINT)}</p>')
    if summary:
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_cell(v))}</td></tr>"
            for k, v in summary.items()
        )
        parts.append(f"<h2>Summary</h2><table>{rows}</table>")
    known = [k for k, _ in _SECTIONS]
    order = [(k, t) for k, t in _SECTIONS if k in frames] + [
        (k, k.replace("_", " ").capitalize()) for k in frames if k not in known
    ]
    for key, heading in order:
        frame = frames[key]
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if plots and key in known and len(frame):
            try:
                figures = _plots_for(key, frames, target_service_level)
            except (ValueError, TypeError) as exc:
                # One odd frame should not cost the whole report; say why its plot is missing.
                figures = []
                parts.append(f'<p class="note">plot skipped: {html.escape(str(exc))}</p>')
            for fig, alt in figures:
                parts.append(_img(fig, alt))
        is_comparison = key == "comparison"
        parts.append(_table(frame, index=is_comparison and "scenario" not in frame.columns,
                            rows=None if is_comparison else 10))  # fmt: skip
    parts.append("</body></html>")
    return atomic_write_text(path, "\n".join(parts) + "\n")
