"""Service per queue of a plan by skill group or channel: a table and a plot over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffplan._validation import check_columns, check_fraction
from staffplan.intervals import wall_time
from staffplan.report._figure import (
    _BLUE,
    _GREEN,
    _GREY,
    _ORANGE,
    _RED,
    TIME_MARGINS,
    _legend,
    _num,
    _on,
    _step_of,
    _steps,
    _time_axis,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_queue_service", "queue_intervals", "queue_table"]

#: Colours of the queues, in the order they first appear (then repeated).
_COLOURS = (_BLUE, _ORANGE, _GREEN, "#b279a2", "#9d755d", _GREY)
_COLUMNS = ["ds", "queue", "volume", "sim_service_level"]


def queue_table(verdict_queues: pd.DataFrame) -> pd.DataFrame:
    """One row per queue: contacts, formula promise, simulated service, intervals below target.

    Parameters
    ----------
    verdict_queues : DataFrame
        :attr:`staffplan.plan.Plan.verdict_queues`: ``queue``, ``volume``
        [contacts], ``sim_service_level`` [fraction]; optional ``channel``,
        ``promise`` [fraction], ``sim_offered`` [contacts], ``sim_service_level_lo`` /
        ``_hi``, ``meets_target`` and ``at_risk``.

    Returns
    -------
    DataFrame
        Index ``queue`` (in order of appearance): ``channel``, ``contacts`` (forecast,
        mean) [contacts], ``promise`` (the formula's service level, volume-weighted over
        intervals with contacts; NaN for deferred work) [fraction], ``simulated`` (share
        answered within the target over every simulated contact, as the plan's
        ``summary["service_level[<queue>]"]``) [fraction], ``intervals`` (with contacts),
        ``below_target`` (of those, simulated under the target) and ``at_risk`` (the
        whole 95% interval under the target).
    """
    check_columns(verdict_queues, _COLUMNS[1:], "verdict_queues")
    rows = []
    for q, v in verdict_queues.groupby("queue", sort=False):
        vol = v["volume"].to_numpy(float)
        busy = vol > 0
        promise = v["promise"].to_numpy(float) if "promise" in v else np.full(len(v), np.nan)
        judged = busy & np.isfinite(promise)
        weights = v["sim_offered"].to_numpy(float) if "sim_offered" in v else vol
        sim = np.nan_to_num(v["sim_service_level"].to_numpy(float))
        meets = v["meets_target"].to_numpy(bool) if "meets_target" in v else np.ones(len(v), bool)
        risk = v["at_risk"].to_numpy(bool) if "at_risk" in v else np.zeros(len(v), bool)
        rows.append(
            {
                "queue": str(q),
                "channel": str(v["channel"].iloc[0]) if "channel" in v else "voice",
                "contacts": float(vol.sum()),
                "promise": float(np.average(promise[judged], weights=vol[judged]))
                if judged.any()
                else np.nan,
                "simulated": float(np.average(sim, weights=weights))
                if weights.sum() > 0
                else np.nan,
                "intervals": int(busy.sum()),
                "below_target": int((busy & ~meets).sum()),
                "at_risk": int((busy & risk).sum()),
            }
        )
    return pd.DataFrame(rows).set_index("queue")


def queue_intervals(verdict_queues: pd.DataFrame) -> pd.DataFrame:
    """The per-interval view of a plan by skill group: each queue judged by its own channel.

    Parameters
    ----------
    verdict_queues : DataFrame
        :attr:`staffplan.plan.Plan.verdict_queues`: ``ds``, ``queue``, ``volume``
        [contacts], ``sim_service_level`` [fraction]; optional ``channel``, ``allocated``
        [agents], ``promise`` [fraction] and ``meets_target``.

    Returns
    -------
    DataFrame
        One row per interval start (``ds``), columns per queue ``q``: ``volume[q]``
        [contacts], ``allocated[q]`` (agents on the phones its groups give it) [agents],
        ``promise[q]`` (the formula of the queue's channel: Erlang C/A for voice, over
        ``allocated·k`` slots for chat, none for deferred work) [fraction],
        ``simulated[q]`` (the rostered groups simulated with skills-based routing)
        [fraction]; ``below_target`` names the queues under their target there.
    """
    check_columns(verdict_queues, _COLUMNS, "verdict_queues")
    v = verdict_queues
    out = pd.DataFrame(index=pd.Index(v["ds"].drop_duplicates().sort_values(), name="ds"))
    for q, rows in v.groupby("queue", sort=False):
        r = rows.set_index("ds").reindex(out.index)
        out[f"volume[{q}]"] = r["volume"].to_numpy(float)
        for col in ("allocated", "promise"):
            if col in r:
                out[f"{col}[{q}]"] = r[col].to_numpy(float)
        out[f"simulated[{q}]"] = r["sim_service_level"].to_numpy(float)
    if "meets_target" in v:
        below = v[~v["meets_target"].astype(bool)]
        names = below.groupby("ds", sort=False)["queue"].agg(lambda s: ", ".join(map(str, s)))
        out["below_target"] = names.reindex(out.index).fillna("").to_numpy(object)
    return out.reset_index()


def plot_queue_service(
    verdict_queues: pd.DataFrame, *, target: float | None = None, ax: Axes | None = None
) -> Figure:
    """Simulated service level of each queue over time, with its 95% interval and promise.

    Parameters
    ----------
    verdict_queues : DataFrame
        :attr:`staffplan.plan.Plan.verdict_queues`: ``ds`` (interval start), ``queue``,
        ``volume`` [contacts], ``sim_service_level`` [fraction]; optional
        ``sim_service_level_lo`` / ``_hi`` (a shaded band), ``promise`` (a thin dashed
        line, the formula's service level) and ``at_risk`` (red crosses).
    target : float, optional
        Service-level target [fraction], drawn as a dashed red line.
    ax : matplotlib Axes, optional
        Draw on this axes and return its figure; by default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        One step line per queue labelled ``"<queue> (<channel>)"``, intervals without
        contacts left as gaps, ``"target 80%"`` when ``target`` is given and
        ``"at risk (n)"`` when some interval is.
    """
    check_columns(verdict_queues, _COLUMNS, "verdict_queues")
    if target is not None:
        target = float(check_fraction(target, "target", low_open=False, high_open=False))
    v = verdict_queues.copy()
    v["ds"] = wall_time(v["ds"])
    if v.duplicated(["ds", "queue"]).any():
        first = v.loc[v.duplicated(["ds", "queue"]), ["ds", "queue"]].iloc[0]
        raise ValueError(
            f"verdict_queues must have one row per (interval, queue), got a second row for "
            f"{first['ds']} and queue {first['queue']!r}; give one plan's verdict_queues"
        )
    v = v.sort_values(["ds"], kind="stable").reset_index(drop=True)
    fig, ax = _on(ax, 10.0, 3.8, margins=TIME_MARGINS)
    step = _step_of(pd.DatetimeIndex(v["ds"].drop_duplicates()))
    step_days = step / pd.Timedelta(days=1)
    risk_x: list[np.ndarray] = []
    risk_y: list[np.ndarray] = []
    lowest = 100.0
    for i, (q, rows) in enumerate(v.groupby("queue", sort=False)):
        colour = _COLOURS[i % len(_COLOURS)]
        rows = rows[rows["volume"].to_numpy(float) > 0]  # nothing to answer: a gap
        if rows.empty:
            continue
        ds = pd.DatetimeIndex(rows["ds"])
        sim = rows["sim_service_level"].to_numpy(float) * 100
        channel = f" ({rows['channel'].iloc[0]})" if "channel" in rows else ""
        x, y = _steps(ds, step, sim)
        ax.plot(x, y, drawstyle="steps-post", color=colour, lw=1.4, label=f"{q}{channel}")
        if {"sim_service_level_lo", "sim_service_level_hi"} <= set(rows.columns):
            lo = rows["sim_service_level_lo"].to_numpy(float) * 100
            hi = rows["sim_service_level_hi"].to_numpy(float) * 100
            xb, lo_s, hi_s = _steps(ds, step, lo, hi)
            ax.fill_between(xb, lo_s, hi_s, step="post", color=colour, alpha=0.15, lw=0)
            lowest = min(lowest, float(np.nanmin(lo, initial=100.0)))
        if "promise" in rows and rows["promise"].notna().any():
            xp, pr = _steps(ds, step, rows["promise"].to_numpy(float) * 100)
            ax.plot(xp, pr, drawstyle="steps-post", color=colour, lw=0.8, ls=":")
        lowest = min(lowest, float(np.nanmin(sim, initial=100.0)))
        if "at_risk" in rows:
            flag = rows["at_risk"].to_numpy(bool)
            risk_x.append(_num(ds[flag]) + step_days / 2)
            risk_y.append(sim[flag])
    n_risk = sum(len(r) for r in risk_x)
    if n_risk:
        ax.plot(
            np.concatenate(risk_x), np.concatenate(risk_y), "x", ms=7, mew=1.6, color=_RED,
            ls="none", label=f"at risk ({n_risk})",
        )  # fmt: skip
    if target is not None:
        ax.axhline(target * 100, color=_RED, ls="--", lw=1.0, label=f"target {target:.0%}")
        lowest = min(lowest, target * 100)
    ax.plot([], [], color=_GREY, lw=0.8, ls=":", label="formula promise")
    ax.set_ylim(max(0.0, np.floor(lowest / 10.0) * 10.0 - 5.0) if lowest > 15 else 0.0, 102)
    ax.set_ylabel("service level [%]")
    ax.set_title("Simulated service per queue (band: 95% interval)", loc="left", fontsize=9)
    _legend(ax, ncols=4)
    _time_axis(ax)
    return fig
