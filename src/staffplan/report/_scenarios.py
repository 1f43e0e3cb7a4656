"""Scenario comparison: one small bar chart per metric."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffplan._validation import check_columns
from staffplan.report._figure import _BLUE, _RED, _check_single_panel, _figure, _on

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_scenarios"]

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


def plot_scenarios(
    comparison: pd.DataFrame, *, metrics: Sequence[str] | None = None, ax: Axes | None = None
) -> Figure:
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
    ax : matplotlib Axes, optional
        Draw one metric (``metrics`` of length one) on this axes and return its
        figure; by default a new figure with one panel per metric.

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
    _check_single_panel(ax, len(cols), "comparison", "pass metrics=[one column]")
    own = ax is None
    if ax is None:
        # Fixed margins, not a layout engine (a third of the render): the scenario names
        # (8 pt, about 0.06 in a character) on the left, titles above each row.
        left = min(4.0, 0.3 + 0.058 * max(len(n) for n in names))
        fig, axes = _figure(
            11, nrows * max(1.9, 0.42 * k + 1.0) + 0.5, nrows=nrows, ncols=ncols,
            margins=(left, 0.2, 0.65, 0.35), gaps_in=(0.55, 0.35), panels=len(cols),
        )  # fmt: skip
    else:
        fig, one = _on(ax, 4, 2.5)
        axes = np.array([[one]], dtype=object)
    y = np.arange(k)
    colors = [_BLUE] + ["#9ecae9"] * (k - 1)
    for i, ax in enumerate(axes.ravel()[: len(cols)]):
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
    if own:
        fig.suptitle(f"Scenarios compared with the base ({names.iloc[0]}, dark bars)", fontsize=11)
    return fig
