"""Service per queue in the report: the table (counted by hand), the plot and the CLI output."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from staffplan import report

pytest.importorskip("matplotlib")


def _verdict_queues() -> pd.DataFrame:
    """Two voice/chat queues and a deferred one over four 30-min intervals, split day:
    08:00, 08:30, then 14:00, 14:30 (closed between)."""
    ds = pd.to_datetime(
        ["2026-03-02 08:00", "2026-03-02 08:30", "2026-03-02 14:00", "2026-03-02 14:30"]
    )
    rows = []
    for q, ch, vol, promise, sim, hi in (
        ("calls", "voice", [10, 30, 0, 20], [0.9, 0.7, np.nan, 0.8], [0.95, 0.6, np.nan, 0.75],
         [1.0, 0.7, np.nan, 0.85]),
        ("chats", "chat", [5, 5, 5, 5], [0.85, 0.85, 0.85, 0.85], [0.9, 0.9, 0.5, 0.9],
         [1.0, 1.0, 0.6, 1.0]),
        ("mail", "deferred", [4, 0, 0, 4], [np.nan] * 4, [1.0, np.nan, np.nan, 0.5],
         [1.0, np.nan, np.nan, 0.9]),
    ):  # fmt: skip
        for i in range(4):
            rows.append(
                {
                    "ds": ds[i],
                    "queue": q,
                    "channel": ch,
                    "volume": float(vol[i]),
                    "promise": promise[i],
                    "sim_offered": float(vol[i]),
                    "sim_service_level": sim[i],
                    "sim_service_level_lo": sim[i] - 0.1 if np.isfinite(sim[i]) else np.nan,
                    "sim_service_level_hi": hi[i],
                    "meets_target": bool(vol[i] == 0 or sim[i] >= 0.8),
                    "at_risk": bool(vol[i] > 0 and hi[i] < 0.8),
                }
            )
    return pd.DataFrame(rows).sort_values(["ds", "queue"]).reset_index(drop=True)


def test_queue_table_counts_by_hand() -> None:
    t = report.queue_table(_verdict_queues())
    assert list(t.index) == ["calls", "chats", "mail"]
    assert t.loc["calls", "contacts"] == 60
    # Volume-weighted over intervals with contacts: (10*.9 + 30*.7 + 20*.8) / 60.
    assert t.loc["calls", "promise"] == pytest.approx((9 + 21 + 16) / 60)
    assert t.loc["calls", "simulated"] == pytest.approx((10 * 0.95 + 30 * 0.6 + 20 * 0.75) / 60)
    assert t.loc["calls", "intervals"] == 3
    assert t.loc["calls", "below_target"] == 2  # 60% and 75%
    assert t.loc["calls", "at_risk"] == 1  # 08:30: 95% interval tops out at 70%
    assert t.loc["chats", "below_target"] == 1 and t.loc["chats", "at_risk"] == 1
    assert t.loc["chats", "simulated"] == pytest.approx((0.9 * 3 + 0.5) / 4)
    assert np.isnan(t.loc["mail", "promise"])  # no per-interval formula for deferred work
    assert t.loc["mail", "simulated"] == pytest.approx(0.75)
    assert t.loc["mail", "channel"] == "deferred"


def test_plot_queue_service_draws_each_queue_with_gaps_and_risk() -> None:
    v = _verdict_queues()
    fig = report.plot_queue_service(v, target=0.8)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert {"calls (voice)", "chats (chat)", "mail (deferred)", "target 80%", "at risk (2)"} <= set(
        lines
    )
    y = np.asarray(lines["calls (voice)"].get_ydata(), float)
    # 08:00, 08:30 (+ end point), break over the closed hours, 14:30 (+ end point): the
    # interval without contacts at 14:00 is a gap, not a zero.
    np.testing.assert_allclose(y[np.isfinite(y)], [95, 60, 60, 75, 75])
    assert np.isnan(y).sum() == 2
    risk = np.sort(np.asarray(lines["at risk (2)"].get_ydata(), float))
    np.testing.assert_allclose(risk, [50, 60])


def test_plot_queue_service_on_a_given_axes_and_refuses_repeated_rows() -> None:
    from matplotlib.figure import Figure

    own = Figure()
    ax = own.subplots()
    assert report.plot_queue_service(_verdict_queues(), ax=ax) is own
    v = _verdict_queues()
    with pytest.raises(ValueError, match=r"one row per \(interval, queue\).*'calls'"):
        report.plot_queue_service(pd.concat([v, v.iloc[[0]]]))
    with pytest.raises(ValueError, match=r"sim_service_level"):
        report.plot_queue_service(v.drop(columns="sim_service_level"))


def test_html_report_has_the_queue_plot_and_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = report.write_report(
        {"verdict_queues": _verdict_queues()}, tmp_path / "r.html", target_service_level=0.8
    )
    text = path.read_text()
    assert "<h2>Service per queue</h2>" in text
    assert 'alt="simulated service per queue"' in text
    row = re.search(r"<th>calls</th>(.*?)</tr>", text, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    # channel, contacts, promise, simulated, intervals, below target, at risk
    assert cells == ["voice", "60", "76.7%", "70.8%", "3", "2", "1"]
