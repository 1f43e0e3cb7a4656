"""The write stage's shortcuts give what the plain path gives.

Each shortcut (PNG compression on a second thread, the Gantt placed from integer
nanoseconds, the plan saved beside the drawing, the collector kept off old objects) is
checked against the plain computation it replaces, which is the outside reference here:
``Figure.savefig(format="png")``, pandas' own timestamp arithmetic, ``write_report``.
"""

from __future__ import annotations

import base64
import gc
import io
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from staffplan.report._html import _Images, render_report, write_report

pytest.importorskip("matplotlib")

DAY = pd.Timestamp("2026-03-03")


def _roster(day: pd.Timestamp = DAY, tz: str | None = None) -> pd.DataFrame:
    """Three people on a split day, a lead, lunches and breaks (times checkable by hand)."""

    def at(h: float) -> pd.Timestamp:
        t = day + pd.Timedelta(hours=h)
        return t.tz_localize(tz) if tz else t

    rows = [
        ("L01", "lead", "A", 7.0, 15.0, 11.0, 11.5, [(9.0, 9.25)]),
        ("A001", "agent", "A", 8.0, 16.5, 12.5, 13.0, [(10.0, 10.25), (14.5, 14.75)]),
        ("A002", "agent", "B", 13.25, 21.0, None, None, []),
    ]
    return pd.DataFrame(
        {
            "person": [r[0] for r in rows],
            "role": [r[1] for r in rows],
            "team": [r[2] for r in rows],
            "start": [at(r[3]) for r in rows],
            "end": [at(r[4]) for r in rows],
            "lunch_start": [at(r[5]) if r[5] is not None else pd.NaT for r in rows],
            "lunch_end": [at(r[6]) if r[6] is not None else pd.NaT for r in rows],
            "breaks": [[(at(a), at(b)) for a, b in r[7]] for r in rows],
        }
    )


def test_gantt_bars_sit_at_their_clock_times_also_for_a_zoned_roster():
    from staffplan.report._gantt import gantt_html

    naive = gantt_html(_roster())
    # By hand: the day runs 07:00-21:00 (14 h); A001 starts at 08:00 (1 h in: 7.143 %)
    # for 8.5 h (60.714 %), lunches 12:30-13:00 (39.286 %, 3.571 %), breaks at 10:00 and
    # 14:30 for 15 min (21.429 %, 53.571 %; 1.786 %); A002 starts at 13:15 (44.643 %).
    row = re.search(r'title="A001 \(agent\)[^>]*>.*?</div></div>', naive)
    assert row is not None
    text = row.group(0)
    assert "08:00-16:30; lunch 12:30-13:00; breaks 10:00-10:15, 14:30-14:45" in text
    assert 'class="g-shift" style="left:7.143%;width:60.714%' in text
    assert 'class="g-lunch" style="left:39.286%;width:3.571%"' in text
    assert 'class="g-break" style="left:21.429%;width:1.786%"' in text
    assert 'class="g-break" style="left:53.571%;width:1.786%"' in text
    assert re.search(r'title="A002 \(agent\): 13:15-21:00"', naive)
    assert 'style="left:44.643%;width:55.357%' in naive
    # A zoned roster is drawn on its own wall clock: the very same chart (a DST day too).
    assert gantt_html(_roster(tz="Europe/Berlin")) == naive
    dst = pd.Timestamp("2026-03-29")  # clocks go forward at 02:00, after the day's start
    assert gantt_html(_roster(dst, tz="Europe/Berlin")) == gantt_html(_roster(dst))


def _figure():
    from staffplan.report import plot_breaks

    ds = pd.date_range(DAY + pd.Timedelta(hours=8), periods=20, freq="30min")
    lunch = np.where((ds.hour >= 11) & (ds.hour < 14), 3, 0)
    return plot_breaks(pd.DataFrame({"ds": ds, "off_lunch": lunch, "off_break": 1}))


def test_report_images_are_the_bytes_savefig_writes():
    fig = _figure()
    direct = io.BytesIO()
    fig.savefig(direct, format="png", dpi=100)
    with _Images() as images:
        tag = images.img(fig, "waves")
        tag = tag if isinstance(tag, str) else tag.result()
    data = re.fullmatch(r'<img alt="waves" src="data:image/png;base64,([^"]+)">', tag)
    assert data is not None
    assert base64.b64decode(data.group(1)) == direct.getvalue()


def test_render_report_is_the_text_write_report_writes(tmp_path):
    frames = {"roster": _roster(), "coverage": pd.DataFrame({
        "ds": pd.date_range(DAY + pd.Timedelta(hours=8), periods=20, freq="30min"),
        "required": 2.0, "on_floor": 3.0, "off_lunch": 1, "off_break": 0})}  # fmt: skip
    text = render_report(frames, title="t", summary={"paid_hours": 12.0}, warnings=["w"])
    path = write_report(frames, tmp_path / "r.html", title="t", summary={"paid_hours": 12.0},
                        warnings=["w"])  # fmt: skip
    assert path.read_text(encoding="utf-8") == text
    assert text.count("data:image/png") == 2  # coverage and the lunch/break waves


def test_a_figure_whose_compression_fails_is_skipped_with_its_reason(monkeypatch):
    # As when drawing fails: the rest of the report is written, the figure's place says why.
    from staffplan.report import _html

    def broken(*args, **kwargs):
        raise ValueError("no pixels")

    monkeypatch.setattr(_html, "_encoded_tag", broken)
    frames = {"roster": _roster(), "coverage": pd.DataFrame({
        "ds": pd.date_range(DAY + pd.Timedelta(hours=8), periods=20, freq="30min"),
        "required": 2.0, "on_floor": 3.0, "off_lunch": 1, "off_break": 0})}  # fmt: skip
    text = render_report(frames, title="t", summary={"paid_hours": 12.0}, warnings=["w"])
    assert text.count("plot skipped: no pixels") == 2
    assert "data:image/png" not in text
    assert text.rstrip().endswith("</body></html>")


def test_write_stage_leaves_the_garbage_collector_as_it_found_it():
    from staffplan.cli._plan import _old_objects_frozen

    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), _old_objects_frozen():
        assert gc.get_freeze_count() > 0  # objects alive on entry are left alone
        raise RuntimeError("a failed write")
    assert gc.get_freeze_count() == 0


def test_write_stage_in_a_process_that_froze_its_own_objects_keeps_no_garbage():
    # A process embedding the command (a pre-fork server, a notebook) that called gc.freeze
    # itself: the write stage must not freeze what is alive on entry for good, or the cyclic
    # garbage among it is never collected (each call used to keep its own).
    import weakref

    from staffplan.cli._plan import _old_objects_frozen

    class Node:
        me: object = None

    gc.freeze()
    try:
        before = gc.get_freeze_count()
        nodes = [Node() for _ in range(100)]
        for node in nodes:
            node.me = node  # a cycle: only the collector frees it
        refs = [weakref.ref(node) for node in nodes]
        with _old_objects_frozen():
            pass
        del nodes, node
        gc.collect()
        assert all(r() is None for r in refs)
        # Nothing more frozen (frozen objects freed by reference counting may lower it).
        assert gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()  # leave this test process as it was


_EXIT_PROBE = """
import gc, sys
from staffplan.cli import main
sys.argv = ["staffplan", "staff", "--demo"]
main({argv})
print(gc.get_freeze_count() > 0, file=sys.stderr)
"""


@pytest.mark.parametrize(("argv", "frozen"), [("", "True"), ("['staff', '--demo']", "False")])
def test_only_the_command_lines_own_process_freezes_its_objects_before_exit(argv, frozen):
    # A command line run (argv from sys.argv) ends with its process; a call from Python
    # (argv given, e.g. a test) must leave the collector of its caller alone.
    code = _EXIT_PROBE.format(argv=argv)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip().splitlines()[-1] == frozen


@pytest.mark.parametrize("freeze", [True, False])
def test_progress_freezes_a_stages_results_only_in_the_commands_own_process(freeze):
    from staffplan.cli._plan import _old_objects_frozen, _Progress

    assert gc.get_freeze_count() == 0
    kept = [object() for _ in range(10)]  # a stage's results, alive at its end
    try:
        progress = _Progress(bar=False, freeze=freeze)
        progress("forecast", 0.1)
        assert (gc.get_freeze_count() >= len(kept)) is freeze
        with _old_objects_frozen():
            pass
        # The write stage keeps a command's frozen objects frozen, and undoes only its own.
        assert (gc.get_freeze_count() > 0) is freeze
    finally:
        gc.unfreeze()  # leave this test process as it was
