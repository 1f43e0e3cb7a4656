"""The self-contained HTML report: plots as embedded PNG, tables as a planner reads them."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._io import atomic_write_text
from staffplan._optional import require
from staffplan._validation import check_fraction
from staffplan.report._coverage import plot_breaks, plot_coverage
from staffplan.report._figure import _PLOT_HINT
from staffplan.report._forecast import plot_forecast
from staffplan.report._gantt import plot_gantt
from staffplan.report._scenarios import plot_scenarios
from staffplan.report._service import plot_service

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["write_report"]

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
