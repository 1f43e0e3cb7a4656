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

One module per figure family: ``_forecast`` (history and forecast), ``_coverage``
(coverage, lunch and break waves), ``_gantt`` (the roster), ``_service`` (predicted
service), ``_queues`` (service per queue of a plan by skill group or channel), ``_scenarios`` (what-if comparison) and ``_html`` (the report writer).
"""

from __future__ import annotations

from typing import Any

from staffplan.report._coverage import plot_breaks, plot_coverage
from staffplan.report._forecast import plot_forecast
from staffplan.report._gantt import plot_gantt
from staffplan.report._html import render_report, write_report
from staffplan.report._people import plot_people
from staffplan.report._queues import plot_queue_service, queue_intervals, queue_table
from staffplan.report._scenarios import plot_scenarios
from staffplan.report._service import plot_service

__all__ = [
    "plot_breaks",
    "plot_coverage",
    "plot_forecast",
    "plot_gantt",
    "plot_people",
    "plot_queue_service",
    "plot_scenarios",
    "plot_service",
    "queue_intervals",
    "queue_table",
    "render_report",
    "write_report",
]


def __getattr__(name: str) -> Any:
    # Figures pickled before the plots moved into this package name their class here.
    if name == "_PlanFigure":
        from staffplan.report._figure import _figure_class

        return _figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
