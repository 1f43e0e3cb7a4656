"""Coverage (required vs on the floor, span of control) and lunch and break waves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffplan._validation import check_columns
from staffplan.report._figure import (
    _BLUE,
    _GREEN,
    _ORANGE,
    _RED,
    _figure,
    _legend,
    _num,
    _sorted_by_ds,
    _step_of,
    _steps,
    _time_axis,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_breaks", "plot_coverage"]


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
