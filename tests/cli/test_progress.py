"""Progress of long stages: plan() announces the roster's budget; the CLI draws a bar of it."""

from __future__ import annotations

import io

import pytest

import staffplan
from staffplan import datasets
from staffplan.cli._plan import _Progress


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, float]] = []

    def start(self, stage: str, budget_s: float) -> None:
        self.events.append(("start", stage, budget_s))

    def __call__(self, stage: str, seconds: float) -> None:
        self.events.append(("done", stage, seconds))


def test_plan_announces_the_roster_and_its_budget_before_it_runs():
    history, events = datasets.load_sample()
    rec = _Recorder()
    staffplan.plan(
        history,
        horizon="1D",
        start="2026-03-02",
        events=events,
        simulate=False,
        time_limit_s=3,
        progress=rec,
    )
    kinds = [(k, s) for k, s, _ in rec.events]
    i = kinds.index(("start", "roster"))
    assert kinds[i - 1] == ("done", "requirements") and kinds[i + 1] == ("done", "roster")
    assert rec.events[i][2] == pytest.approx(3.0)
    assert [k for k, _ in kinds].count("start") == 1  # only long stages are announced


def test_cli_progress_draws_and_closes_a_bar_of_the_budget():
    out = io.StringIO()
    progress = _Progress(bar=True, file=out)
    progress.start("roster", 20.0)
    progress("roster", 0.1)
    assert "roster" in out.getvalue() and "/20" in out.getvalue()
    assert progress._thread is None  # the bar's thread ended with the stage


def test_cli_progress_draws_no_bar_off_a_terminal():
    out = io.StringIO()  # not a terminal
    progress = _Progress(file=out)
    progress.start("roster", 20.0)
    progress("roster", 0.1)
    assert out.getvalue() == ""


_PRELOAD_PROBE = """
import sys, threading
from staffplan.cli._plan import _Progress
progress = _Progress(bar=False, report={report})
progress.start("roster", 5.0)
started = [t.name for t in threading.enumerate() if t.name == "preload-plots"]
progress("roster", 0.1)
alive = [t.name for t in threading.enumerate() if t.name == "preload-plots"]
print(len(started), len(alive), "matplotlib.backends.backend_agg" in sys.modules)
"""


@pytest.mark.parametrize(("report", "expected"), [(True, "1 0 True"), (False, "0 0 False")])
def test_cli_progress_imports_the_drawing_stack_during_the_roster_only_for_a_report(
    report, expected
):
    # A fresh interpreter: the test process may have imported matplotlib already.
    import subprocess
    import sys

    pytest.importorskip("matplotlib")
    code = _PRELOAD_PROBE.format(report=report)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # With a report the import runs in its own thread and is over when the roster is;
    # without one nothing of matplotlib is loaded.
    assert out.stdout.strip() == expected
