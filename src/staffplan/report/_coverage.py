"""Coverage (required vs on the floor, span of control) and lunch and break waves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._validation import check_columns
from staffplan.report._figure import (
    _BLUE,
    _GREEN,
    _GREY,
    _ORANGE,
    _RED,
    _check_single_panel,
    _day_label,
    _figure,
    _hour_step,
    _legend,
    _num,
    _on,
    _sorted_by_ds,
    _step_of,
    _steps,
    _time_axis,
    _with_lower_panel,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_breaks", "plot_coverage"]


def plot_coverage(coverage: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Agents required vs agents on the floor per interval, shortages highlighted.

    Parameters
    ----------
    coverage : DataFrame
        One row per interval: ``ds`` (interval start), ``required`` (agents needed
        on the phones), ``on_floor`` (agents working and not on lunch or break);
        optional ``agents_per_lead`` (agents on the floor per lead present) adds
        a span-of-control panel with the limit of 10, and ``managers_on_floor``
        (when the roster has it) the managers present, in the same panel.
    ax : matplotlib Axes, optional
        Draw the coverage panel on this axes (no span-of-control panel) and
        return its figure; by default a new figure.

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
    own = ax is None
    fig, ax, ax2 = _with_lower_panel(
        ax, "agents_per_lead" in cov.columns, heights_in=(3.8, 5.4), ratios=(3, 1)
    )
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
    if ax2 is not None:
        x, apl = _steps(ds, step, cov["agents_per_lead"].to_numpy(dtype=float))
        ax2.plot(x, apl, drawstyle="steps-post", color=_ORANGE, lw=1.1, label="agents per lead")
        ax2.axhline(10, color=_RED, ls="--", lw=0.9, label="limit (10)")
        if "managers_on_floor" in cov.columns:
            x, mgr = _steps(ds, step, cov["managers_on_floor"].to_numpy(dtype=float))
            ax2.plot(x, mgr, drawstyle="steps-post", color=_GREY, lw=1.0, ls=":",
                     label="managers on the floor")  # fmt: skip
        ax2.set_ylabel("agents / lead")
        ax2.set_ylim(bottom=0, top=max(12.0, float(np.nanmax(apl)) + 1 if len(apl) else 12.0))
        _legend(ax2)
        _time_axis(ax2)
    if own:
        fig.suptitle("Coverage: required vs on the floor", fontsize=11)
    return fig


def plot_breaks(coverage: pd.DataFrame, *, day: Any = None, ax: Axes | None = None) -> Figure:
    """Lunch and break waves: agents off the floor per interval, one panel per day.

    Parameters
    ----------
    coverage : DataFrame
        ``ds`` (interval start), ``off_lunch`` and ``off_break`` (agents at lunch
        and on a break in the interval).
    day : date-like, optional
        Draw only this day.  By default every day with staff on it, one panel
        each on a shared time-of-day axis, so that a week's waves stay readable.
    ax : matplotlib Axes, optional
        Draw one day on this axes (``day`` is then needed when the coverage holds
        several days) and return its figure.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per day, each with two filled step patches (``StepPatch``)
        labelled ``"lunch"`` and ``"break"`` (break stacked on lunch) on the
        day's interval grid; the x axis is the hour of the day [h], the title
        names the day and its largest wave.
    """
    check_columns(coverage, ["ds", "off_lunch", "off_break"], "coverage")
    cov = _sorted_by_ds(coverage, "coverage")
    ds = pd.DatetimeIndex(cov["ds"])
    step_h = _step_of(ds) / pd.Timedelta(hours=1)
    days_of_row = ds.normalize()
    lunch = cov["off_lunch"].to_numpy(dtype=float)
    brk = cov["off_break"].to_numpy(dtype=float)
    staffed = lunch + brk > 0
    if "on_floor" in cov.columns:
        staffed |= cov["on_floor"].to_numpy(dtype=float) > 0
    all_days = list(days_of_row.unique())
    if day is not None:
        chosen = pd.Timestamp(day).normalize()
        if chosen not in set(all_days):
            raise ValueError(
                f"day must be a day of the coverage ({_day_label(all_days[0])} .. "
                f"{_day_label(all_days[-1])}), got {chosen.date()}"
            )
        days = [chosen]
    else:
        days = [d for d in all_days if staffed[days_of_row == d].any()] or all_days[:1]
    _check_single_panel(ax, len(days), "coverage", "pass day= to pick one")
    # Hours of the day with anyone off the floor on any day, so every panel shares
    # one readable window rather than 24 hours of mostly nothing.
    hours = (ds - days_of_row) / pd.Timedelta(hours=1)
    hours = np.asarray(hours, dtype=float)
    busy = (lunch + brk > 0) & days_of_row.isin(days)
    if busy.any():
        lo_h = max(0.0, np.floor(hours[busy].min()) - 1)
        hi_h = min(24.0 + step_h, np.ceil(hours[busy].max() + step_h) + 1)
    else:
        lo_h, hi_h = 0.0, 24.0
    top = float((lunch + brk)[days_of_row.isin(days)].max(initial=0.0))
    if ax is not None:
        fig, ax = _on(ax, 11, 3.2)
        axes_list = [ax]
    else:
        ncols = min(len(days), 3)
        nrows = -(-len(days) // ncols)
        fig, grid = _figure(
            11, 2.3 * nrows + 0.7, nrows=nrows, ncols=ncols, sharey=True,
            margins=(0.7, 0.35, 0.75, 0.35), gaps_in=(0.6, 0.3),
        )  # fmt: skip
        axes_list = list(grid.ravel())
        for extra in axes_list[len(days) :]:
            extra.set_visible(False)
    from matplotlib.patches import StepPatch
    from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

    for i, (a, d) in enumerate(zip(axes_list, days, strict=False)):
        sel = days_of_row == d
        x = hours[sel]
        # Stairs on the day's full grid: one artist per kind instead of a bar per interval.
        grid = np.arange(0.0, 24.0 + step_h / 2, step_h)
        slot = np.clip(np.round(x / step_h).astype(int), 0, len(grid) - 2)
        day_lunch = np.zeros(len(grid) - 1)
        day_brk = np.zeros(len(grid) - 1)
        np.add.at(day_lunch, slot, lunch[sel])
        np.add.at(day_brk, slot, brk[sel])
        # Added as artists, not with ``stairs``: the limits are set below, and letting the
        # axes measure each step patch's outline for them costs more than drawing it.
        a.add_artist(StepPatch(day_lunch, grid, fill=True, facecolor=_ORANGE, lw=0, label="lunch"))
        # (An array baseline is documented; matplotlib's type stub says float only.)
        a.add_artist(StepPatch(day_lunch + day_brk, grid, baseline=day_lunch,  # type: ignore[arg-type]
                               fill=True, facecolor=_GREEN, lw=0, label="break"))  # fmt: skip
        wave = lunch[sel] + brk[sel]
        peak = float(wave.max(initial=0.0))
        if peak > 0:
            at = float(x[int(np.argmax(wave))])
            when = f"{int(at):02d}:{round((at % 1) * 60):02d}"
            a.set_title(
                f"{_day_label(d)}: at most {peak:.0f} off at {when}", loc="left", fontsize=9
            )
        else:
            a.set_title(f"{_day_label(d)}: nobody off the floor", loc="left", fontsize=9)
        a.set_xlim(lo_h, hi_h)
        a.set_ylim(0, max(1.0, top * 1.08))
        # Small panels: a 24 h span labelled every 2 h would run its labels together.
        a.xaxis.set_major_locator(MultipleLocator(_hour_step(hi_h - lo_h, 6 if ax is None else 12)))
        a.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{int(v) % 24:02d}:00"))
        a.tick_params(axis="both", labelsize=8)
        a.yaxis.set_major_locator(MaxNLocator(integer=True))
        a.grid(True, axis="both", alpha=0.3)
        if i % 3 == 0:
            a.set_ylabel("agents off the floor", fontsize=8)
    if ax is not None:
        _legend(ax, ncols=2)
    else:
        handles, labels = axes_list[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="upper right", ncols=2, fontsize=8, frameon=False)
        fig.suptitle("Lunch and break waves per day", fontsize=11)
    return fig
