"""Shared figure plumbing: a pyplot-free Figure that shows itself in notebooks, time axes, colours.

Every plot draws on a time axis of local wall-clock time: time-zone-aware ``ds``
columns are drawn in their own zone, and closed hours (nights, Sundays) are left
as gaps rather than bridged by a line.
"""

from __future__ import annotations

import io
import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._optional import require
from staffplan.intervals import wall_time

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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


def preload() -> None:
    """Import the drawing stack (matplotlib's Agg canvas, PIL's PNG writer) ahead of use.

    Meant for a background thread while other work runs (the command line runs it during
    the roster search, whose solver threads leave the interpreter free): the report then
    draws without waiting for these imports.  It imports third-party modules only, none
    of which the rest of a plan imports, so the two threads never wait on each other's
    import locks.  Without matplotlib (or when the import fails) it does nothing: the
    report says why when it is written.
    """
    try:
        import matplotlib.backends.backend_agg
        import matplotlib.collections
        import matplotlib.dates
        import matplotlib.figure
        import matplotlib.ticker  # noqa: F401
        from PIL import Image

        Image.preinit()  # the image plugins a first savefig would load
    except Exception:  # a warm-up only: the report raises or notes its own error
        return


#: Margins [in] (left, right, top, bottom) of a time-series figure: y label and ticks,
#: a little air, the title and legend row, and two rows of date labels.
TIME_MARGINS = (0.8, 0.3, 0.8, 0.55)


def _figure(
    width_in: float,
    height_in: float,
    *,
    nrows: int = 1,
    ncols: int = 1,
    layout: str | None = "constrained",
    margins: tuple[float, float, float, float] | None = None,
    gaps_in: tuple[float, float] = (0.0, 0.0),
    panels: int | None = None,
    **kw: Any,
) -> tuple[Figure, np.ndarray]:
    """A Figure (Agg canvas, no pyplot) and its axes.

    With ``margins`` (left, right, top, bottom [in]) and ``gaps_in`` (between rows,
    between columns [in]) the axes get fixed places instead of a layout engine: a
    figure whose labels are known in advance renders a third faster that way.
    With ``panels`` (fewer than ``nrows * ncols``, no shared axes) only the first
    ``panels`` cells, row by row, get an axes; the others hold None.
    """
    require("matplotlib", purpose="plotting")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _figure_class()(
        figsize=(width_in, height_in), layout=None if margins is not None else layout
    )
    FigureCanvasAgg(fig)
    if panels is None or panels >= nrows * ncols:
        axes = fig.subplots(nrows, ncols, squeeze=False, **kw)
    else:
        # An axes costs as much to make as a panel's drawing: no hidden spare cells.
        grid = fig.add_gridspec(nrows, ncols, **kw.get("gridspec_kw", {}))
        axes = np.full((nrows, ncols), None, dtype=object)
        for i in range(panels):
            axes[divmod(i, ncols)] = fig.add_subplot(grid[divmod(i, ncols)])
    if margins is not None:
        left, right, top, bottom = margins
        gap_h, gap_w = gaps_in
        axes_h = (height_in - top - bottom - (nrows - 1) * gap_h) / nrows
        axes_w = (width_in - left - right - (ncols - 1) * gap_w) / ncols
        fig.subplots_adjust(
            left=left / width_in,
            right=1 - right / width_in,
            top=1 - top / height_in,
            bottom=bottom / height_in,
            hspace=gap_h / axes_h if nrows > 1 else 0.0,
            wspace=gap_w / axes_w if ncols > 1 else 0.0,
        )
    return fig, axes


def _on(
    ax: Axes | None,
    width_in: float,
    height_in: float,
    margins: tuple[float, float, float, float] | None = None,
) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: the caller's ``ax`` or a new one-axes figure."""
    if ax is None:
        fig, axes = _figure(width_in, height_in, margins=margins)
        return fig, axes[0, 0]
    require("matplotlib", purpose="plotting")
    from matplotlib.axes import Axes as _Axes

    if not isinstance(ax, _Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    # The root figure also for an axes on a subfigure (``Figure.figure`` is itself).
    parent: Any = ax.figure
    return getattr(parent, "figure", parent), ax


def _with_lower_panel(
    ax: Axes | None,
    lower: bool,
    *,
    heights_in: tuple[float, float],
    ratios: tuple[float, float],
    margins: tuple[float, float, float, float] = TIME_MARGINS,
) -> tuple[Figure, Axes, Axes | None]:
    """A main panel and, when ``lower`` (and no ``ax`` was given), a smaller one under it.

    ``heights_in`` are the figure heights [in] with one and with two panels.
    """
    if lower and ax is None:
        fig, axes = _figure(
            11, heights_in[1], nrows=2, sharex=True, gridspec_kw={"height_ratios": list(ratios)},
            margins=margins, gaps_in=(0.35, 0.0),
        )  # fmt: skip
        return fig, axes[0, 0], axes[1, 0]
    fig, main = _on(ax, 11, heights_in[0], margins=margins)
    return fig, main, None


def _check_single_panel(ax: Axes | None, panels: int, what: str, fix: str) -> None:
    if ax is not None and panels > 1:
        raise ValueError(f"ax= draws one panel, but the {what} needs {panels}; {fix}")


def _num(values: Any) -> np.ndarray:
    from matplotlib import dates as mdates

    return np.asarray(mdates.date2num(wall_time(values).to_pydatetime()), dtype=float)


def _step_of(ds: pd.DatetimeIndex) -> pd.Timedelta:
    """Interval length as :func:`staffplan.intervals.interval_min_for` finds it (30 min if one)."""
    from staffplan import intervals

    if ds.nunique() < 2:
        return pd.Timedelta(minutes=30)
    return pd.Timedelta(minutes=intervals.interval_min_for(ds))


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
    """Date ticks a planner reads: weekday names at day ticks, clock time within a day."""
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%b", "%a %d", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b", "%a %d", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%b %Y", "%a %d %b %Y", "%a %d %b %Y", "%a %d %b %Y %H:%M"],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.grid(True, axis="both", alpha=0.3)


def _hour_step(span_h: float, max_ticks: int) -> int:
    """Hours between clock labels so that at most ``max_ticks`` fit the span (a 24/7 day too)."""
    for step in (1, 2, 3, 4, 6, 8, 12):
        if span_h / step <= max_ticks:
            return step
    return 24


def _day_label(day: Any) -> str:
    """``Mon 02 Mar``: how a planner names a day."""
    return f"{pd.Timestamp(day):%a %d %b}"


def _spans(ds: pd.DatetimeIndex, step: pd.Timedelta, mask: np.ndarray) -> list[tuple[float, float]]:
    """Date-number (start, end) of each run of flagged intervals that is contiguous in time.

    A run breaks at closed hours as well as at an unflagged interval, so that a
    shaded span never covers a night the centre was closed.
    """
    x = _num(ds)
    step_days = step / pd.Timedelta(days=1)
    gap = np.diff(ds.as_unit("ns").asi8) > step.value
    out = []
    for a, b in _runs(mask):
        cuts = [a, *(np.flatnonzero(gap[a : b - 1]) + a + 1).tolist(), b]
        out += [(float(x[i]), float(x[j - 1]) + step_days) for i, j in itertools.pairwise(cuts)]
    return out


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) index pairs of the runs of True in ``mask``."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    edges = np.flatnonzero(np.diff(m.astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _legend(ax: Axes, *, ncols: int = 4, **kw: Any) -> None:
    """Legend above the axes' right corner, clear of the data and of the left-hand title."""
    ax.legend(
        loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=ncols, fontsize=8, frameon=False,
        borderaxespad=0.1, **kw,
    )  # fmt: skip


def _sorted_by_ds(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    out = frame.copy()
    out["ds"] = wall_time(out["ds"])
    out = out.sort_values("ds", kind="stable").reset_index(drop=True)
    if out["ds"].duplicated().any():
        first = out.loc[out["ds"].duplicated(), "ds"].iloc[0]
        raise ValueError(
            f"{name} must have one row per interval, got a second row for {first}; "
            "aggregate the queues (sum) before plotting"
        )
    return out
