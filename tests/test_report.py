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
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch
from matplotlib.text import Annotation

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
    assert fig.get_suptitle() == "Contacts per interval: history and forecast"
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


def _steps_of(ax, label: str) -> StepPatch:
    (patch,) = [p for p in ax.patches if isinstance(p, StepPatch) and p.get_label() == label]
    return patch


def _poly(ax, label: str) -> PolyCollection:
    (coll,) = [
        c for c in ax.collections if isinstance(c, PolyCollection) and c.get_label() == label
    ]
    return coll


def _extents(coll: PolyCollection) -> np.ndarray:
    """(x0, x1, y_centre) of each bar of a bar collection."""
    return np.array(
        [
            (p.vertices[:, 0].min(), p.vertices[:, 0].max(), p.vertices[:, 1].mean())
            for p in coll.get_paths()
        ]
    )


def _names(ax) -> list[str]:
    return [t.get_text() for t in ax.texts if not isinstance(t, Annotation)]


def test_plot_breaks_stacks_lunch_and_break():
    cov = make_coverage()
    fig = report.plot_breaks(cov)
    (ax,) = [a for a in fig.axes if a.get_visible()]
    lunch = _steps_of(ax, "lunch").get_data()
    brk = _steps_of(ax, "break").get_data()
    # The day's 30-min grid: slot 14 is 07:00, the first row of the frame.
    np.testing.assert_array_equal(lunch.values[14 : 14 + len(cov)], cov["off_lunch"])
    np.testing.assert_array_equal(brk.baseline[14 : 14 + len(cov)], cov["off_lunch"])
    np.testing.assert_array_equal(
        brk.values[14 : 14 + len(cov)], cov["off_lunch"] + cov["off_break"]
    )
    assert lunch.values.sum() == cov["off_lunch"].sum()  # nothing outside the frame
    # Two separate lunch waves in this frame.
    waves = np.diff(np.concatenate([[0], (lunch.values > 0).astype(int)])) == 1
    assert waves.sum() == 2
    # By hand: lunch 7 + break 0 at 13:00 is the largest wave (breaks peak at 4).
    assert ax.get_title(loc="left") == "Tue 03 Mar: at most 7 off at 13:00"


def test_plot_breaks_one_panel_per_day_and_one_day_on_a_given_axes():
    from matplotlib.figure import Figure as PlainFigure

    second = make_coverage(DAY + pd.Timedelta(days=1)).assign(off_break=0)
    week = pd.concat([make_coverage(), second], ignore_index=True)
    fig = report.plot_breaks(week)
    shown = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title(loc="left")[:10] for a in shown] == ["Tue 03 Mar", "Wed 04 Mar"]
    assert shown[1].get_title(loc="left").endswith("at most 7 off at 13:00")
    # The same window on every panel, clear of the hours nobody is off.
    assert shown[0].get_xlim() == shown[1].get_xlim()
    assert shown[0].get_xlim()[0] >= 8 and shown[0].get_xlim()[1] <= 20
    with pytest.raises(ValueError, match=r"ax= draws one panel.*pass day="):
        report.plot_breaks(week, ax=PlainFigure().subplots())
    own = PlainFigure()
    ax = own.subplots()
    assert report.plot_breaks(week, day="2026-03-04", ax=ax) is own
    assert _steps_of(ax, "break").get_data().values.sum() == second["off_lunch"].sum()
    with pytest.raises(ValueError, match="day must be a day of the coverage"):
        report.plot_breaks(week, day="2026-03-09")


def test_plot_gantt_one_bar_per_shift_and_marks_roles():
    roster = make_roster()
    fig = report.plot_gantt(roster)
    ax = fig.axes[0]
    shifts = _extents(_poly(ax, "shift"))
    lunch = _extents(_poly(ax, "lunch"))
    brk = _extents(_poly(ax, "break"))
    assert len(shifts) == len(lunch) == len(roster)
    assert len(brk) == 2 * len(roster)
    names = _names(ax)
    assert names[0] == "M01"  # the manager on top
    assert sorted(names) == sorted(roster["person"])
    bold = {t.get_text() for t in ax.texts if t.get_fontweight() == "bold"}
    assert bold == set(roster.loc[roster["role"] != "agent", "person"])
    assert {"shift", "lead", "manager", "lunch", "break"} <= {
        t.get_text() for t in fig.legends[0].get_texts()
    }
    # Each lunch and break bar lies inside the shift bar of its row.
    by_row = {round(y): (x0, x1) for x0, x1, y in shifts}
    for x0, x1, y in np.vstack([lunch, brk]):
        s0, s1 = by_row[round(y)]
        assert s0 <= x0 < x1 <= s1


def test_plot_gantt_picks_a_day_and_parses_breaks_read_back_from_csv(tmp_path):
    two_days = pd.concat([make_roster(), make_roster(DAY + pd.Timedelta(days=1), agents=12)])
    path = tmp_path / "roster.csv"
    two_days.to_csv(path, index=False)
    back = pd.read_csv(path, parse_dates=["start", "end", "lunch_start", "lunch_end"])
    fig = report.plot_gantt(back, day="2026-03-04")
    shifts = _poly(fig.axes[0], "shift").get_paths()
    assert len(shifts) == 1 + 2 + 12
    assert len(_poly(fig.axes[0], "break").get_paths()) == 2 * len(shifts)
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
    # forecast, coverage, breaks, service, scenarios (the roster is drawn in HTML)
    assert len(images) == 5
    for img in images:
        assert base64.b64decode(img)[:8] == b"\x89PNG\r\n\x1a\n"
    # A fraction reads as a percentage, a count as a count.
    assert "<td>81.2%</td>" in text and "<th>agents at peak</th><td>42</td>" in text
    for heading in ("Forecast", "Roster", "Coverage", "Predicted service", "Scenarios", "Events"):
        assert f"<h2>{heading}</h2>" in text
    assert "first 10 of" in text  # heads of long frames
    assert "<summary>Tue 2026-03-03: 41 shifts, 4 teams</summary>" in text  # a Gantt per day
    assert "volume +40%" in text
    # Roster rows read as a planner writes them: minutes, and breaks as from-to pairs.
    assert "<td>Tue 2026-03-03 07:00</td>" in text
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


def test_report_shows_warnings_and_numbers_as_a_planner_reads_them(tmp_path):
    daily = pd.DataFrame(
        {
            "date": ["2026-03-02", "2026-03-03"],
            "volume": [21138.93, 4491.37],
            "service_level": [0.83298, 0.8359],
            "asa_s": [13.57, np.inf],
            "sim_gap": [-0.0191, 0.0],
        }
    )
    out = report.write_report(
        {"daily": daily},
        tmp_path / "r.html",
        summary={"volume": 21138.93, "service_level": 0.8394, "asa_s": 13.33, "paid_hours": 3513.5},
        warnings=["roster: 3 intervals short <at 09:00>", "formula and simulation disagree"],
    )
    text = out.read_text(encoding="utf-8")
    assert '<div class="warn"><h2>Warnings (2)</h2>' in text
    assert "<li>roster: 3 intervals short &lt;at 09:00&gt;</li>" in text
    # Summary: labels and units, thousands separators, percentages.
    assert "<th>contacts offered</th><td>21,139</td>" in text
    assert "<th>service level</th><td>83.9%</td>" in text
    assert "<th>average speed of answer</th><td>13.3 s</td>" in text
    assert "<th>paid hours</th><td>3,514 h</td>" in text
    # Tables: weekday names, no exponent, percentages, points, unbounded.
    assert "<td>Mon 2026-03-02</td>" in text and "<td>Tue 2026-03-03</td>" in text
    assert "<td>21,139</td>" in text and "e+0" not in text
    assert "<td>83.3%</td>" in text
    assert "<td>-1.9 pp</td>" in text
    assert "<td>unbounded</td>" in text
    with pytest.raises(TypeError, match="warnings must be a sequence"):
        report.write_report({"daily": daily}, tmp_path / "x.html", warnings="one message")


def test_report_previews_open_intervals_and_lists_service_problems(tmp_path):
    night = (
        make_coverage()
        .head(14)
        .assign(
            ds=lambda f: f["ds"] - pd.Timedelta(hours=7),
            required=0.0, on_floor=0, off_lunch=0, off_break=0,
        )
    )  # fmt: skip
    coverage = pd.concat([night, make_coverage()], ignore_index=True)
    verdict = make_verdict()
    verdict["sim_disagrees"] = False
    verdict.loc[[3, 4], "sim_disagrees"] = True
    verdict.loc[8, "asa_s"] = np.inf
    text = report.write_report(
        {"coverage": coverage, "verdict": verdict},
        tmp_path / "r.html",
        target_service_level=0.8,
    ).read_text(encoding="utf-8")
    # The coverage preview starts at opening (07:00), not with the closed night's zeros.
    cov_section = text[text.index("<h2>Coverage</h2>") : text.index("<h2>Predicted service</h2>")]
    assert "Tue 2026-03-03 07:00" in cov_section and "Tue 2026-03-03 00:00" not in cov_section
    assert "first 10 of 28 intervals with contacts or staff (42 rows)" in cov_section
    below = int((verdict["service_level"] < 0.8).sum())
    assert f"<h3>Intervals below the 80% target ({below})</h3>" in text
    assert "<h3>Formula and simulation apart beyond noise (2 intervals)</h3>" in text
    assert "<td>unbounded</td>" in text
    assert "plot skipped" not in text and text.count("data:image/png") == 3


def test_plot_service_range_unbounded_asa_and_intervals_under_target():
    verdict = make_verdict()
    verdict["sim_asa_s"] = verdict["asa_s"] * 1.1
    verdict["sim_disagrees"] = False
    verdict.loc[[20, 21], "sim_disagrees"] = True
    fig = report.plot_service(verdict, target=0.8)
    ax, ax_asa = fig.axes[0], fig.axes[1]
    # All values are above 55%: the axis starts near them instead of at 0.
    lowest = 100 * min(verdict["service_level"].min(), verdict["sim_service_level_lo"].min())
    bottom, top = ax.get_ylim()
    assert 0 < bottom <= lowest and top == pytest.approx(102)
    # One shaded span per run of intervals under target (a single run here).
    runs = np.diff(np.concatenate([[0], (verdict["service_level"] < 0.8).astype(int)])) == 1
    spans = [
        p
        for p in ax.patches
        if p.get_facecolor()[:3] == pytest.approx((0.839, 0.153, 0.157), abs=1e-2)
    ]
    assert len(spans) == runs.sum() == 1
    assert "formula and simulation apart (2)" in _legend_texts(ax)
    assert "ASA, simulated [s]" in _legend_texts(ax_asa)

    stressed = verdict.copy()
    stressed.loc[5:9, "service_level"] = 0.0
    stressed.loc[5:9, "asa_s"] = np.inf
    fig = report.plot_service(stressed, target=0.8)
    ax, ax_asa = fig.axes[0], fig.axes[1]
    assert ax.get_ylim()[0] == 0  # a zero service level is shown in full
    unbounded = next(line for line in ax_asa.get_lines() if line.get_label().startswith("ASA unb"))
    assert unbounded.get_label() == "ASA unbounded (5)" and len(unbounded.get_xdata()) == 5
    # The ASA axis is scaled to the finite values, and the markers sit inside it.
    finite_top = max(stressed["asa_s"][np.isfinite(stressed["asa_s"])].max(),
                     stressed["sim_asa_s"].max())  # fmt: skip
    assert ax_asa.get_ylim()[1] == pytest.approx(finite_top * 1.15)
    assert (unbounded.get_ydata() < ax_asa.get_ylim()[1]).all()


def test_every_plot_draws_on_a_given_axes_and_renders_to_png(sample, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as PlainFigure

    history, events = sample
    forecast = make_forecast(history)
    calls = {
        "forecast": lambda ax: report.plot_forecast(history, forecast, queue="sales", ax=ax),
        "coverage": lambda ax: report.plot_coverage(make_coverage(), ax=ax),
        "breaks": lambda ax: report.plot_breaks(make_coverage(), ax=ax),
        "gantt": lambda ax: report.plot_gantt(make_roster(), ax=ax),
        "service": lambda ax: report.plot_service(make_verdict(), target=0.8, ax=ax),
        "scenarios": lambda ax: report.plot_scenarios(make_comparison(), metrics=["asa_s"], ax=ax),
    }
    fig = PlainFigure(figsize=(14, 14), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 2).ravel()
    for ax, (name, call) in zip(axes, calls.items(), strict=True):
        assert call(ax) is fig, name
        assert ax.has_data(), name
    fig.savefig(tmp_path / "all.png", dpi=60)
    assert (tmp_path / "all.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # One panel per call: several queues on one axes is refused with the fix.
    with pytest.raises(ValueError, match="pass queue="):
        report.plot_forecast(history, forecast, ax=axes[0])
    with pytest.raises(ValueError, match=r"pass metrics=\[one column\]"):
        report.plot_scenarios(make_comparison(), ax=axes[0])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        report.plot_coverage(make_coverage(), ax="top")
    # Each figure of its own also renders.
    own = [
        report.plot_forecast(history, forecast, events=events),
        report.plot_coverage(make_coverage()),
        report.plot_breaks(make_coverage()),
        report.plot_gantt(make_roster()),
        report.plot_service(make_verdict(), target=0.8),
        report.plot_scenarios(make_comparison()),
    ]
    for i, f in enumerate(own):
        f.savefig(tmp_path / f"{i}.png", dpi=50)
        assert (tmp_path / f"{i}.png").stat().st_size > 5_000


def test_report_gantt_one_chart_per_day_with_bars_placed_by_the_clock():
    from staffplan.report._gantt import gantt_html

    two_days = pd.concat([make_roster(), make_roster(DAY + pd.Timedelta(days=1), agents=12)])
    text = gantt_html(two_days)
    days = re.findall(r"<details( open)?><summary>([^<]+)</summary>", text)
    assert days == [(" open", "Tue 2026-03-03: 41 shifts, 4 teams"),
                    ("", "Wed 2026-03-04: 15 shifts, 2 teams")]  # fmt: skip
    first = text[: text.index("<details><summary>Wed")]
    assert first.count('class="g-row') == 41 and first.count('class="g-row g-boss"') == 5
    # By hand: the day's shifts run 07:00-21:00 (14 h); M01 works 08:00-16:30 with lunch
    # 12:30-13:00 and breaks 10:00-10:15 and 14:30-14:45.
    row = re.search(r'<div class="g-row g-boss" title="M01 \(manager\)[^>]*>.*?</div></div>', first)
    assert row is not None
    assert "08:00-16:30; lunch 12:30-13:00; breaks 10:00-10:15, 14:30-14:45" in row.group(0)
    assert 'class="g-shift" style="left:7.143%;width:60.714%' in row.group(0)
    assert 'class="g-lunch" style="left:39.286%;width:3.571%"' in row.group(0)
    assert 'class="g-break" style="left:21.429%;width:1.786%"' in row.group(0)
    assert first.index("M01") < first.index("L01") < first.index("A001")  # manager on top
    assert '<div class="g-team">team A</div>' in first


def test_plot_coverage_shows_managers_on_the_floor_when_the_roster_has_them():
    cov = make_coverage()
    fig = report.plot_coverage(cov)
    assert "managers on the floor" not in _legend_texts(fig.axes[1])
    cov["managers_on_floor"] = np.where(np.arange(len(cov)) < 14, 1, 0)
    fig = report.plot_coverage(cov)
    line = next(ln for ln in fig.axes[1].get_lines() if ln.get_label() == "managers on the floor")
    # Step edges: each value once per interval, plus the end point of the run.
    assert np.nansum(line.get_ydata()[:-2]) == cov["managers_on_floor"].sum()
