"""The self-contained HTML report: plots as embedded PNG, tables as a planner reads them."""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._format import cell as _cell
from staffplan._format import table
from staffplan._io import atomic_write_text
from staffplan._optional import require
from staffplan._validation import check_fraction
from staffplan.report._coverage import plot_breaks, plot_coverage
from staffplan.report._figure import _PLOT_HINT
from staffplan.report._forecast import plot_forecast
from staffplan.report._gantt import gantt_html
from staffplan.report._queues import plot_queue_service, queue_intervals, queue_table
from staffplan.report._scenarios import plot_scenarios
from staffplan.report._service import plot_service

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["render_report", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:1100px;
color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
h3{font-size:1em;margin:1.2em 0 .3em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
img{max-width:100%;height:auto}.note{color:#8a6d3b;background:#fcf8e3;padding:.5em 1em}
.warn{background:#fdecea;border-left:4px solid #d62728;padding:.3em 1em;margin:1em 0}
.warn li{margin:.3em 0}
details{margin:.3em 0}summary{cursor:pointer;font-weight:600}
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
    ("verdict_queues", "Service per queue"),
    ("verdict_groups", "Agents per skill group"),
    ("daily", "Per day"),
    ("peaks", "Peak intervals"),
    ("comparison", "Scenarios"),
)

#: Columns and summary keys holding a fraction, shown as a percentage.


def _png(fig: Figure, dpi: int = 100) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _tag(alt: str, png: bytes | str) -> str:
    data = png if isinstance(png, str) else base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


class _Images:
    """Figures as ``<img>`` tags, PNG-compressed on a second thread.

    The figure is drawn here (matplotlib stays on one thread) into raw RGBA, and the
    compression, about a fifth of a figure's time, runs beside the drawing of the
    next figure: PIL's encoder releases the interpreter.  The bytes are those of
    ``savefig(format="png")``: the same writer (``matplotlib.image.imsave``) is called
    on the same pixels.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report-png")

    def __enter__(self) -> _Images:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True)

    def img(self, fig: Figure, alt: str, dpi: int = 100) -> str | Future[str]:
        """The tag of ``fig`` (a future of it while its PNG is compressed)."""
        raw = io.BytesIO()
        fig.savefig(raw, format="rgba", dpi=dpi)
        renderer: Any = getattr(fig.canvas, "renderer", None)
        width, height = int(getattr(renderer, "width", 0)), int(getattr(renderer, "height", 0))
        if width * height * 4 != raw.getbuffer().nbytes:  # not the canvas drawn: no shortcut
            return _tag(alt, _png(fig, dpi))
        rgba = np.frombuffer(raw.getbuffer(), dtype=np.uint8).reshape(height, width, 4)
        return self._pool.submit(_encoded_tag, rgba, alt, dpi)


def _encoded_tag(rgba: np.ndarray, alt: str, dpi: int) -> str:
    from matplotlib.image import imsave

    buf = io.BytesIO()
    imsave(buf, rgba, format="png", origin="upper", dpi=dpi)
    return _tag(alt, buf.getvalue())


#: Summary keys as a planner names them, with their unit.
_LABELS = {
    "volume": ("contacts offered", ""),
    "service_level": ("service level", ""),
    "asa_s": ("average speed of answer", " s"),
    "p_abandon": ("abandoned", ""),
    "occupancy": ("occupancy", ""),
    "paid_hours": ("paid hours", " h"),
    "headcount": ("people rostered", ""),
    "agents_needed": ("agents needed at the peak", ""),
    "peak_shortage": ("largest shortage", " agents"),
    "service_level_at_quantile": ("service level at the volume quantile", ""),
    "sim_service_level": ("service level, simulated", ""),
    "sim_gap": ("simulation minus formula", ""),
}


def _open_rows(frame: pd.DataFrame) -> pd.Series | None:
    """Rows of intervals with contacts or staff (a preview skips closed nights), if known."""
    cols = [c for c in ("volume", "required", "on_floor") if c in frame.columns]
    if not cols or "ds" not in frame.columns:
        return None
    values = frame[cols].apply(pd.to_numeric, errors="coerce").fillna(0.0)
    return (values > 0).any(axis=1)


def _table(frame: pd.DataFrame, *, index: bool = False, rows: int | None = 10) -> str:
    part, caption = frame, ""
    if rows is not None:
        open_rows = _open_rows(frame)
        if open_rows is not None and not open_rows.all() and open_rows.any():
            part = frame[open_rows]
            caption = (
                f"first {min(rows, len(part))} of {len(part):,} intervals with contacts or "
                f"staff ({len(frame):,} rows)"
            )
        elif len(frame) > rows:
            caption = f"first {rows} of {len(frame):,} rows"
        part = part.head(rows)
    shown = table(part)
    out = shown.to_html(index=index, border=0, escape=True)
    if caption:
        out += f'<p class="caption">{html.escape(caption)}</p>'
    return out


def _summary(summary: Mapping[str, object]) -> str:
    rows = []
    for key, value in summary.items():
        label, unit = _LABELS.get(str(key), (str(key).replace("_", " "), ""))
        text = _cell(value, str(key))
        if unit and text not in ("n/a", "unbounded", ""):
            text += unit
        rows.append(f"<tr><th>{html.escape(label)}</th><td>{html.escape(text)}</td></tr>")
    return f"<h2>Summary</h2><table>{''.join(rows)}</table>"


def _warnings(warnings: Sequence[str]) -> str:
    items = "".join(f"<li>{html.escape(str(w))}</li>" for w in warnings)
    return f'<div class="warn"><h2>Warnings ({len(warnings)})</h2><ul>{items}</ul></div>'


def _service_extras(verdict: pd.DataFrame, target: float | None) -> list[str]:
    """Tables beside the service plot: intervals under target, formula vs simulation apart."""
    out = []
    cols = [
        c
        for c in ("ds", "volume", "required", "on_floor", "service_level", "asa_s",
                  "sim_service_level", "sim_service_level_lo", "sim_service_level_hi",
                  "sim_asa_s")
        if c in verdict.columns
    ]  # fmt: skip
    if target is not None:
        below = verdict[verdict["service_level"] < target - 1e-12]
        if len(below):
            out.append(f"<h3>Intervals below the {target:.0%} target ({len(below):,})</h3>")
            out.append(_table(below[cols], rows=20))
    if "sim_disagrees" in verdict.columns:
        apart = verdict[verdict["sim_disagrees"].fillna(False).astype(bool)]
        if len(apart):
            out.append(
                f"<h3>Formula and simulation apart beyond noise ({len(apart):,} intervals)</h3>"
            )
            out.append(_table(apart[cols], rows=20))
    return out


#: Frames of the pooled verdict: with a per-queue verdict they judge every queue as voice.
_POOLED_FRAMES = ("verdict", "verdict_quantile", "peaks")


def _queue_extras(verdict_queues: pd.DataFrame) -> list[str]:
    """The per-interval section of a plan by skill group: each queue by its own channel."""
    wide = queue_intervals(verdict_queues)
    out = ["<h3>Per queue over the plan</h3>"]
    out.append(_table(queue_table(verdict_queues), index=True, rows=None))
    if "below_target" in wide:
        below = wide[wide["below_target"] != ""]
        if len(below):
            out.append(f"<h3>Intervals with a queue below its target ({len(below):,})</h3>")
            out.append(_table(below, rows=20))
    out.append(
        "<details><summary>Per interval and queue: the formula of the queue's channel "
        "(promise) and the simulation of the rostered groups (simulated)</summary>"
        + _table(wide, rows=None)
        + "</details>"
    )
    out.append(
        '<p class="caption">The pooled verdict (every queue judged as one voice queue, a '
        "chat counted as a call) is saved with the plan under pooled_* columns; it is no "
        "queue's service and is not shown here.</p>"
    )
    return out


def _plots_for(
    key: str, frames: Mapping[str, pd.DataFrame], target: float | None, images: _Images
) -> list[str | Future[str]]:
    """The figures (as HTML) of one section."""
    _img = images.img
    frame = frames[key]
    if key == "forecast":
        hist = frames.get("history")
        qs = sorted(
            float(c.removeprefix("volume_q"))
            for c in frame.columns
            if str(c).startswith("volume_q")
        )
        band = (qs[0], qs[-1]) if len(qs) >= 2 else None
        fig = plot_forecast(hist, frame, quantiles=band, events=frames.get("events"))
        return [_img(fig, "forecast")]
    if key == "history" and "forecast" not in frames:
        return [_img(plot_forecast(frame, None, history_days=14), "history")]
    if key == "roster":
        return [gantt_html(frame)]
    if key == "coverage":
        out: list[str | Future[str]] = [_img(plot_coverage(frame), "coverage")]
        if {"off_lunch", "off_break"} <= set(frame.columns):
            out.append(_img(plot_breaks(frame), "lunch and break waves per day"))
        return out
    if key in ("verdict", "verdict_quantile"):
        return [_img(plot_service(frame, target=target), "predicted service level")]
    if key == "verdict_queues":
        return [_img(plot_queue_service(frame, target=target), "simulated service per queue")]
    if key == "comparison":
        return [_img(plot_scenarios(frame), "scenario comparison")]
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
    warnings: Sequence[str] = (),
) -> Path:
    """Write a self-contained HTML report of a plan.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Any of ``history``, ``forecast``, ``requirements``, ``roster``,
        ``coverage``, ``verdict``, ``comparison`` (columns as in the ``plot_*``
        functions; ``events`` shades the forecast plot).  Each present key gets a
        section with its plots and the first rows of the frame (intervals with
        contacts or staff first, so closed nights do not fill the preview); other
        keys get a table only.  The roster gets one Gantt chart per day, each
        under its day's heading; the verdict gets tables of the intervals below
        target and of those where formula and simulation disagree; ``verdict_queues``
        (a plan by skill group) gets the simulated service of each queue over time,
        a table per queue (:func:`staffplan.report.queue_table`) and the per-interval
        view of each queue (:func:`staffplan.report.queue_intervals`), and then
        ``verdict``, ``verdict_quantile`` and ``peaks`` (the pooled verdict, every
        queue judged as voice) are left out.
    path : path
        The HTML file to write (parent directories are created).
    title : str, optional
        Page title and heading.
    summary : mapping, optional
        Key facts (e.g. ``{"agents_needed": 42, "service_level": 0.81}``) shown
        as a table at the top; known keys get a planner's label and unit, and
        fractions such as ``service_level`` are shown as percentages.
    target_service_level : float, optional
        Service-level target [fraction] drawn on the service plot.
    warnings : sequence of str, optional
        What a planner must know (e.g. :attr:`staffplan.plan.Plan.warnings`),
        listed at the top.

    Returns
    -------
    Path
        ``path``.  The file is written atomically: a failure leaves any previous
        report intact.  Plots are PNG images embedded as base64; without
        matplotlib the report holds the tables and a line saying how to get plots.
        A frame that cannot be plotted (e.g. a column missing) gets a note saying
        why instead of its plot, and the rest of the report is still written.
    """
    text = render_report(
        frames,
        title=title,
        summary=summary,
        target_service_level=target_service_level,
        warnings=warnings,
    )
    return atomic_write_text(path, text)


def render_report(
    frames: Mapping[str, pd.DataFrame],
    *,
    title: str = "staffplan report",
    summary: Mapping[str, object] | None = None,
    target_service_level: float | None = None,
    warnings: Sequence[str] = (),
) -> str:
    """The HTML text of the report :func:`write_report` writes, without writing a file.

    Parameters
    ----------
    frames, title, summary, target_service_level, warnings
        As for :func:`write_report`.

    Returns
    -------
    str
        A self-contained HTML page (plots embedded as base64 PNG), e.g. to serve or to
        write elsewhere; ``write_report`` writes exactly this text.

    Examples
    --------
    >>> import pandas as pd
    >>> from staffplan.report import render_report
    >>> page = render_report({"daily": pd.DataFrame({"day": ["Mon"], "paid_hours": [8.0]})})
    >>> page.startswith("<!DOCTYPE html>") and "<h2>Per day</h2>" in page
    True
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
    if isinstance(warnings, str):
        raise TypeError("warnings must be a sequence of messages, got one str; wrap it in a list")
    if target_service_level is not None:
        target_service_level = float(
            check_fraction(target_service_level, "target_service_level", high_open=False)
        )
    plots = _matplotlib_available()
    parts: list[str | Future[str]] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if not plots:
        parts.append(f'<p class="note">{html.escape(_PLOT_HINT)}</p>')
    if warnings:
        parts.append(_warnings(list(warnings)))
    if summary:
        parts.append(_summary(summary))
    known = [k for k, _ in _SECTIONS]
    # A plan by skill group is judged per queue; its pooled frames would read chat as voice.
    shown = [k for k in frames if "verdict_queues" not in frames or k not in _POOLED_FRAMES]
    order = [(k, t) for k, t in _SECTIONS if k in shown] + [
        (k, k.replace("_", " ").capitalize()) for k in shown if k not in known
    ]
    with _Images() as images:
        _sections(parts, frames, order, plots=plots, target=target_service_level, images=images)
        text = "\n".join(p if isinstance(p, str) else _resolved(p) for p in parts)
    return text + "\n"


def _resolved(tag: Future[str]) -> str:
    """A figure's tag once compressed, or why it is missing (as when it is drawn)."""
    try:
        return tag.result()
    except (ValueError, TypeError) as exc:
        return f'<p class="note">plot skipped: {html.escape(str(exc))}</p>'


def _sections(
    parts: list[str | Future[str]],
    frames: Mapping[str, pd.DataFrame],
    order: list[tuple[str, str]],
    *,
    plots: bool,
    target: float | None,
    images: _Images,
) -> None:
    """Each section's heading, figures, extra tables and preview, appended to ``parts``."""
    known = [k for k, _ in _SECTIONS]
    for key, heading in order:
        frame = frames[key]
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        if plots and key in known and len(frame):
            try:
                parts.extend(_plots_for(key, frames, target, images))
            except (ValueError, TypeError) as exc:
                # One odd frame should not cost the whole report; say why its plot is missing.
                parts.append(f'<p class="note">plot skipped: {html.escape(str(exc))}</p>')
        if key in ("verdict", "verdict_quantile") and "service_level" in frame.columns:
            parts.extend(_service_extras(frame, target))
        if key == "verdict_queues" and len(frame):
            parts.extend(_queue_extras(frame))
        is_comparison = key == "comparison"
        parts.append(_table(frame, index=is_comparison and "scenario" not in frame.columns,
                            rows=None if is_comparison else 10))  # fmt: skip
    parts.append("</body></html>")
