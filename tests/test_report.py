"""Tests for staffplan.report: each plot's artists, and the HTML report's content and atomicity."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib import dates as mdates
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from staffplan import report
from staffplan.datasets import load_sample
from staffplan.report import _figure as report_figure
from staffplan.report import _html as report_html

DAY = pd.Timestamp("2026-03-03")


# --------------------------------------------------------------------------- frames


def make_forecast(history: pd.DataFrame, days: int = 3) -> pd.DataFrame:
    """A seasonal-mean forecast of the next ``days`` open days with a sqrt-scaled band."""
    last = history["ds"].max().normalize()
    hist = history.assign(wd=history["ds"].dt.day_of_week, hm=history["ds"].dt.strftime("%H:%M"))
    mean = hist.groupby(["queue", "wd", "hm"])["volume"].mean().rename("volume").reset_index()
    rows = []
    day = last + pd.Timedelta(days=1)
    while len(rows) < days:
        if day.day_of_week != 6:
            rows.append(day)
        day += pd.Timedelta(days=1)
    out = []
    for d in rows:
        part = mean[mean["wd"] == d.day_of_week].copy()
        part["ds"] = d + pd.to_timedelta(part["hm"] + ":00")
        out.append(part)
    fc = pd.concat(out, ignore_index=True)[["queue", "ds", "volume"]]
    sd = np.sqrt(fc["volume"]) * 1.3
    fc["volume_q0.05"] = (fc["volume"] - 1.645 * sd).clip(lower=0)
    fc["volume_q0.5"] = fc["volume"]
    fc["volume_q0.95"] = fc["volume"] + 1.645 * sd
    return fc.sort_values(["queue", "ds"]).reset_index(drop=True)


def make_coverage(day: pd.Timestamp = DAY) -> pd.DataFrame:
    """One day 07:00-21:00 with a two-wave lunch dip and a late-morning shortage."""
    ds = pd.date_range(day + pd.Timedelta(hours=7), periods=28, freq="30min")
    slot = np.arange(28)
    required = np.round(8 + 32 * np.exp(-(((slot - 7) / 6.0) ** 2)) + 10 * (slot < 20), 1)
    on_floor = np.ceil(required + 2).astype(int)
    off_lunch = np.zeros(28, dtype=int)
    off_lunch[[9, 10]] = [6, 6]  # first wave 11:30-12:30
    off_lunch[[12, 13]] = [7, 5]  # second wave 13:00-14:00
    off_break = np.zeros(28, dtype=int)
    off_break[[5, 6, 16, 17, 22]] = [3, 2, 4, 3, 2]
    on_floor = on_floor - off_lunch - off_break + 2 * (off_lunch > 0)
    on_floor[[7, 8]] -= 5  # the peak is short
    leads = np.clip(np.ceil(on_floor / 9), 1, None).astype(int)
    frame = pd.DataFrame(
        {
            "ds": ds,
            "required": required,
            "on_floor": on_floor,
            "off_lunch": off_lunch,
            "off_break": off_break,
            "leads_on_floor": leads,
            "agents_per_lead": on_floor / leads,
        }
    )
    frame["shortage"] = (frame["required"] - frame["on_floor"]).clip(lower=0)
    frame["surplus"] = (frame["on_floor"] - frame["required"]).clip(lower=0)
    return frame


def make_roster(day: pd.Timestamp = DAY, agents: int = 36) -> pd.DataFrame:
    """A manager, four leads and ``agents`` agents in teams of at most 10, two lunch waves."""
    rows = []
    hour = pd.Timedelta(hours=1)
    starts = [7, 7.5, 8, 8.5, 9, 10, 11, 12.5]

    def shift(person: str, role: str, team: str, i: int) -> dict[str, object]:
        s = day + starts[i % len(starts)] * hour
        e = s + 8.5 * hour
        lunch = s + (4 if i % 2 else 4.5) * hour
        return {
            "person": person,
            "role": role,
            "team": team,
            "start": s,
            "end": e,
            "lunch_start": lunch,
            "lunch_end": lunch + 0.5 * hour,
            "breaks": [(s + 2 * hour, s + 2.25 * hour), (s + 6.5 * hour, s + 6.75 * hour)],
        }

    rows.append(shift("M01", "manager", "A", 2))
    n_teams = -(-agents // 10)
    for t in range(n_teams):
        team = "ABCDEFGH"[t]
        rows.append(shift(f"L{t + 1:02d}", "lead", team, t + 1))
        for a in range(t * 10, min(agents, t * 10 + 10)):
            rows.append(shift(f"A{a + 1:03d}", "agent", team, a))
    return pd.DataFrame(rows)


def make_verdict(day: pd.Timestamp = DAY) -> pd.DataFrame:
    ds = pd.date_range(day + pd.Timedelta(hours=7), periods=28, freq="30min")
    slot = np.arange(28)
    sl = np.clip(0.86 - 0.25 * np.exp(-(((slot - 7.5) / 1.5) ** 2)), 0, 1)
    sim = np.clip(sl + 0.02 * np.sin(slot), 0, 1)
    return pd.DataFrame(
        {
            "ds": ds,
            "service_level": sl,
            "sim_service_level": sim,
            "sim_service_level_lo": np.clip(sim - 0.05, 0, 1),
            "sim_service_level_hi": np.clip(sim + 0.05, 0, 1),
            "asa_s": 60 * (1 - sl),
            "p_abandon": 0.2 * (1 - sl),
        }
    )


def make_comparison() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": ["base", "volume +40%", "budget +3%", "AHT -2.5 s"],
            "agents_needed": [41.2, 55.8, 42.4, 40.7],
            "paid_hours": [2480.0, 3370.0, 2554.0, 2450.0],
            "service_level": [0.81, 0.42, 0.45, 0.82],
            "asa_s": [18.5, 120.3, 101.0, 17.2],
            "p_abandon": [0.021, 0.15, 0.13, 0.019],
            "peak_shortage": [0.0, 14.6, 13.4, 0.0],
        }
    )


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def _containers(ax, label: str) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer) and c.get_label() == label]


def _legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


# --------------------------------------------------------------------------- plots


def test_plot_forecast_panels_band_and_breaks(sample):
    history, events = sample
    fc = make_forecast(history)
    fig = report.plot_forecast(history, fc, events=events)
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2  # one panel per queue
    for ax in axes:
        labels = _legend_texts(ax)
        assert labels == ["history", "q0.05-q0.95", "forecast (mean)"]
        hist_line = next(line for line in ax.get_lines() if line.get_label() == "history")
        x = hist_line.get_xdata()
        # Closed nights are gaps (NaN breaks), not bridged by the line.
        assert np.isnan(x).sum() >= 10
        # Only the last 14 days of history before the forecast are shown.
        cut = fc["ds"].min() - pd.Timedelta(days=14)
        first_shown = history.loc[history["ds"] >= cut, "ds"].min()
        assert mdates.num2date(np.nanmin(x)).replace(tzinfo=None) == first_shown
        assert mdates.num2date(np.nanmax(x)).replace(tzinfo=None) == history["ds"].max()
    # The band spans q0.05..q0.95 of the forecast.
    band = next(c for c in axes[0].collections if c.get_label() == "q0.05-q0.95")
    ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    sales = fc[fc["queue"] == "sales"]
    assert ys.max() == pytest.approx(sales["volume_q0.95"].max())
    assert ys.min() == pytest.approx(sales["volume_q0.05"].min())


def test_plot_forecast_single_queue_and_quantile_errors(sample):
    history, _ = sample
    fc = make_forecast(history)
    fig = report.plot_forecast(history, fc, queue="service", quantiles=None)
    (ax,) = fig.axes
    assert "service" in ax.get_title(loc="left")
    assert _legend_texts(ax) == ["history", "forecast (mean)"]
    with pytest.raises(ValueError, match=r"no column\(s\) \['volume_q0.1', 'volume_q0.9'\]"):
        report.plot_forecast(history, fc, quantiles=(0.1, 0.9))
    with pytest.raises(ValueError, match="queue must be one of"):
        report.plot_forecast(history, fc, queue="billing")
    with pytest.raises(ValueError, match="history is missing column"):
        report.plot_forecast(history.drop(columns="volume"), fc)


def test_plot_forecast_keeps_wall_clock_of_tz_aware_input(sample):
    history, _ = sample
    part = history[history["ds"] < "2026-01-06"].copy()
    aware = part.assign(ds=part["ds"].dt.tz_localize("America/New_York"))
    fig = report.plot_forecast(aware, None, history_days=None)
    x = fig.axes[0].get_lines()[0].get_xdata()
    first = mdates.num2date(np.nanmin(x))
    assert (first.hour, first.minute) == (7, 0)  # 07:00 local, not 12:00 UTC


def test_plot_coverage_highlights_each_short_interval():
    cov = make_coverage()
    fig = report.plot_coverage(cov)
    ax = fig.axes[0]
    (short,) = _containers(ax, "shortage")
    expected = cov[cov["required"] > cov["on_floor"]]
    assert len(expected) >= 2
    assert len(short) == len(expected)
    # Each red bar fills the gap from on_floor up to required in its interval.
    for bar, (_, row) in zip(short, expected.iterrows(), strict=True):
        assert mdates.num2date(bar.get_x()).replace(tzinfo=None) == row["ds"]
        assert bar.get_y() == pytest.approx(row["on_floor"])
        assert bar.get_y() + bar.get_height() == pytest.approx(row["required"])
    assert _legend_texts(ax) == ["on the floor", "required", "shortage"]
    # The span-of-control panel draws the limit of 10.
    assert any(
        line.get_label() == "limit (10)" and line.get_ydata()[0] == 10
        for line in fig.axes[1].get_lines()
    )


def test_plot_coverage_without_shortage_has_no_red_bars():
    cov = make_coverage().drop(columns=["agents_per_lead"])
    cov["on_floor"] = np.ceil(cov["required"]) + 1
    fig = report.plot_coverage(cov)
    assert len(fig.axes) == 1
    assert _containers(fig.axes[0], "shortage") == []
    assert _legend_texts(fig.axes[0]) == ["on the floor", "required"]
    assert "every interval covered" in fig.axes[0].get_title(loc="left")


def test_plot_coverage_rejects_duplicate_intervals():
    cov = make_coverage()
    with pytest.raises(ValueError, match="one row per interval"):
        report.plot_coverage(pd.concat([cov, cov.iloc[:1]]))


def test_plot_breaks_stacks_lunch_and_break():
    cov = make_coverage()
    fig = report.plot_breaks(cov)
    ax = fig.axes[0]
    (lunch,) = _containers(ax, "lunch")
    (brk,) = _containers(ax, "break")
    assert len(lunch) == len(brk) == len(cov)
    heights = np.array([b.get_height() for b in lunch])
    np.testing.assert_array_equal(heights, cov["off_lunch"])
    bottoms = np.array([b.get_y() for b in brk])
    np.testing.assert_array_equal(bottoms, cov["off_lunch"])
    # Two separate lunch waves in this frame.
    waves = np.diff(np.concatenate([[0], (heights > 0).astype(int)])) == 1
    assert waves.sum() == 2


def test_plot_gantt_one_bar_per_shift_and_marks_roles():
    roster = make_roster()
    fig = report.plot_gantt(roster)
    ax = fig.axes[0]
    (shifts,) = _containers(ax, "shift")
    assert len(shifts) == len(roster)
    (lunch,) = _containers(ax, "lunch")
    (brk,) = _containers(ax, "break")
    assert len(lunch) == len(roster)
    assert len(brk) == 2 * len(roster)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "M01"  # the manager on top
    assert sorted(labels) == sorted(roster["person"])
    bold = {t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"}
    assert bold == set(roster.loc[roster["role"] != "agent", "person"])
    assert {"lead", "manager", "lunch", "break"} <= set(_legend_texts(ax))
    # Each lunch bar lies inside its shift bar.
    for s, lu in zip(shifts, lunch, strict=False):
        assert s.get_x() <= lu.get_x() and lu.get_x() + lu.get_width() <= s.get_x() + s.get_width()


def test_plot_gantt_picks_a_day_and_parses_breaks_read_back_from_csv(tmp_path):
    two_days = pd.concat([make_roster(), make_roster(DAY + pd.Timedelta(days=1), agents=12)])
    path = tmp_path / "roster.csv"
    two_days.to_csv(path, index=False)
    back = pd.read_csv(path, parse_dates=["start", "end", "lunch_start", "lunch_end"])
    fig = report.plot_gantt(back, day="2026-03-04")
    (shifts,) = _containers(fig.axes[0], "shift")
    assert len(shifts) == 1 + 2 + 12
    (brk,) = _containers(fig.axes[0], "break")
    assert len(brk) == 2 * len(shifts)
    fig = report.plot_gantt(two_days)
    assert "(day 1 of 2)" in fig.get_suptitle()
    with pytest.raises(ValueError, match="day must be a day of the roster"):
        report.plot_gantt(two_days, day="2026-03-09")


def test_plot_service_target_and_simulation():
    verdict = make_verdict()
    fig = report.plot_service(verdict, target=0.8)
    ax = fig.axes[0]
    texts = _legend_texts(ax)
    assert texts[:2] == ["predicted (Erlang)", "target 80%"]
    assert "simulated (95% CI)" in texts and "below target" in texts
    below = next(line for line in ax.get_lines() if line.get_label() == "below target")
    assert len(below.get_xdata()) == int((verdict["service_level"] < 0.8).sum()) > 0
    target = next(line for line in ax.get_lines() if line.get_label() == "target 80%")
    assert target.get_ydata()[0] == pytest.approx(80)
    assert len(fig.axes) == 3  # SL, ASA and its abandonment twin axis
    # Erlang C (nobody abandons): no abandonment axis
    fig = report.plot_service(verdict.assign(p_abandon=0.0), target=0.8)
    assert len(fig.axes) == 2
    assert "abandoned [%]" not in _legend_texts(fig.axes[1])
    fig = report.plot_service(verdict[["ds", "service_level"]])
    assert len(fig.axes) == 1 and _legend_texts(fig.axes[0]) == ["predicted (Erlang)"]
    with pytest.raises(ValueError, match="target must be in"):
        report.plot_service(verdict, target=80)


def test_plot_scenarios_one_panel_per_metric():
    comp = make_comparison()
    fig = report.plot_scenarios(comp)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    metrics = [c for c in comp.columns if c != "scenario"]
    assert len(visible) == len(metrics)
    titles = [ax.get_title(loc="left") for ax in visible]
    assert titles[:3] == ["Agents needed", "Paid hours [h]", "Service level [%]"]
    sl_ax = visible[2]
    widths = [p.get_width() for p in sl_ax.patches]
    np.testing.assert_allclose(widths, comp["service_level"] * 100)
    assert [t.get_text() for t in sl_ax.texts] == ["81.0%", "42.0%", "45.0%", "82.0%"]
    assert [t.get_text() for t in visible[0].get_yticklabels()] == list(comp["scenario"])
    # Other numeric columns are left out while known metrics exist, drawn when none does.
    fig = report.plot_scenarios(comp.assign(shortage_hours=1.0))
    assert sum(ax.get_visible() for ax in fig.axes) == len(metrics)
    fig = report.plot_scenarios(pd.DataFrame({"scenario": ["a", "b"], "x": [1, 2], "y": [3, 4]}))
    assert [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()] == ["x", "y"]
    # Scenario names may also come from the index.
    fig = report.plot_scenarios(comp.set_index("scenario"), metrics=["asa_s"])
    assert [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()] == ["ASA [s]"]


# --------------------------------------------------------------------------- report


def _frames(sample) -> dict[str, pd.DataFrame]:
    history, events = sample
    return {
        "history": history,
        "forecast": make_forecast(history),
        "events": events,
        "roster": make_roster(),
        "coverage": make_coverage(),
        "verdict": make_verdict(),
        "comparison": make_comparison(),
    }


def test_write_report_embeds_plots_and_tables(sample, tmp_path):
    out = report.write_report(
        _frames(sample),
        tmp_path / "sub" / "report.html",
        title="Week 10 <plan>",
        summary={"agents at peak": 42, "service level": 0.8123},
        target_service_level=0.8,
    )
    assert out == tmp_path / "sub" / "report.html"
    text = out.read_text(encoding="utf-8")
    assert "<h1>Week 10 &lt;plan&gt;</h1>" in text
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    # forecast, gantt, coverage, breaks, service, scenarios
    assert len(images) == 6
    for img in images:
        assert base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<td>0.8123</td>" in text and "agents at peak" in text
    for heading in ("Forecast", "Roster", "Coverage", "Predicted service", "Scenarios", "Events"):
        assert f"<h2>{heading}</h2>" in text
    assert "first 10 of" in text  # heads of long frames
    assert "volume +40%" in text
    # Roster rows read as a planner writes them: minutes, and breaks as from-to pairs.
    assert "<td>2026-03-03 07:00</td>" in text
    assert "<td>09:00-09:15, 13:30-13:45</td>" in text
    assert list(tmp_path.joinpath("sub").iterdir()) == [out]  # no temp file left


def test_write_report_is_atomic(sample, tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    path.write_text("previous report", encoding="utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_html, "_table", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        report.write_report({"coverage": make_coverage()}, path)
    assert path.read_text(encoding="utf-8") == "previous report"

    # A failure while writing the file itself also keeps the old one.
    monkeypatch.undo()
    import staffplan._io as io_mod

    def failing_write(self, *args, **kwargs):
        Path.write_bytes(self, b"half")
        raise OSError("interrupted")

    monkeypatch.setattr(io_mod.Path, "write_text", failing_write)
    with pytest.raises(OSError, match="interrupted"):
        report.write_report({"coverage": make_coverage()}, path)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_write_report_without_matplotlib(sample, tmp_path, monkeypatch):
    def missing(module, *, purpose):
        raise ImportError(f"{purpose} needs {module}")

    monkeypatch.setattr(report_html, "require", missing)
    monkeypatch.setattr(report_figure, "require", missing)
    out = report.write_report(_frames(sample), tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert "data:image/png" not in text
    assert "pip install &#x27;staffplan[plot]&#x27;" in text
    assert "<h2>Coverage</h2>" in text and "<table" in text
    with pytest.raises(ImportError, match="plotting needs matplotlib"):
        report.plot_coverage(make_coverage())


def test_write_report_rejects_non_frames(tmp_path):
    with pytest.raises(TypeError, match=r"frames\['roster'\] must be a pandas DataFrame"):
        report.write_report({"roster": [1, 2]}, tmp_path / "r.html")


def test_figures_show_as_png_in_a_notebook():
    # Figures are made without pyplot, so they carry their own notebook display.
    fig = report.plot_breaks(make_coverage())
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_write_report_notes_a_frame_it_cannot_plot(tmp_path):
    bad = make_coverage().drop(columns="on_floor")
    out = report.write_report(
        {"coverage": bad, "comparison": make_comparison()}, tmp_path / "r.html"
    )
    text = out.read_text(encoding="utf-8")
    assert "plot skipped: coverage is missing column(s) [&#x27;on_floor&#x27;]" in text
    assert text.count("data:image/png") == 1  # the scenario chart is still there


def test_history_only_report_plots_the_recent_history(sample, tmp_path):
    history, _ = sample
    text = report.write_report({"history": history}, tmp_path / "r.html").read_text("utf-8")
    assert text.count("data:image/png") == 1


def test_import_does_not_load_matplotlib():
    # The [plot] extra is optional: importing the module must work without it.
    import subprocess
    import sys

    code = "import sys, staffplan.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plot_scenarios_labels_unbounded_asa_without_overflow():
    import warnings

    comparison = pd.DataFrame(
        {"scenario": ["base", "+40%"], "asa_s": [12.0, np.inf], "service_level": [0.84, 0.01]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = report.plot_scenarios(comparison)
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "unbounded" in labels
    assert "12.0" in labels
    # The unbounded bar runs to the axis edge, hatched, labelled inside the axes: its
    # length must not read as a value just above the finite one.
    asa_ax = next(ax for ax in fig.axes if ax.get_title(loc="left") == "ASA [s]")
    finite_bar, unbounded_bar = asa_ax.patches
    right = asa_ax.get_xlim()[1]
    assert unbounded_bar.get_width() == pytest.approx(right)
    assert unbounded_bar.get_hatch() and not finite_bar.get_hatch()
    label = next(t for t in asa_ax.texts if t.get_text() == "unbounded")
    assert label.get_horizontalalignment() == "right" and label.xy[0] <= right
