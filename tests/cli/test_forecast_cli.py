"""``staffplan forecast``: file in, forecast file out, one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from staffplan.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "forecast"))
from _synth import make_history


def test_forecast_command_writes_quantiles(tmp_path, capsys):
    hist, _ = make_history(weeks=6)
    hist["queue"] = "sales"
    src = tmp_path / "history.csv"
    hist.to_csv(src, index=False)
    events = tmp_path / "events.csv"
    pd.DataFrame({"date": ["2024-02-14"], "name": ["promo"], "factor": [1.5]}).to_csv(
        events, index=False
    )
    out = tmp_path / "fc.csv"
    code = main(
        [
            "forecast",
            str(src),
            "--horizon",
            "7D",
            "--out",
            str(out),
            "--quantiles",
            "0.1,0.9",
            "--events",
            str(events),
            "--method",
            "profile",
        ]
    )
    assert code == 0
    assert "wrote 100 intervals for 1 queue(s)" in capsys.readouterr().err
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert list(fc.columns) == ["queue", "ds", "volume", "volume_q0.1", "volume_q0.9"]
    assert (fc["volume_q0.1"] <= fc["volume_q0.9"]).all()
    day = fc.groupby(fc["ds"].dt.normalize())["volume"].sum()
    assert day[pd.Timestamp("2024-02-14")] > 1.3 * day[pd.Timestamp("2024-02-15")]


def test_forecast_command_tz_offsets_and_interval_count(tmp_path):
    hist, _ = make_history(weeks=5, tz="Europe/London")
    src = tmp_path / "h.csv"
    hist.to_csv(src, index=False)  # written with +00:00 offsets
    out = tmp_path / "fc.parquet"
    code = main(
        [
            "forecast",
            str(src),
            "--horizon",
            "136",  # intervals, as an int horizon in Python: Friday 18:00 to Monday 14:00
            "--out",
            str(out),
            "--method",
            "snaive",
            "--tz",
            "Europe/London",
        ]
    )
    assert code == 0
    fc = pd.read_parquet(out)
    # Open of those: Monday 08:00-13:30 (the centre is closed nights and weekends).
    assert len(fc) == 12 and str(fc["ds"].dt.tz) == "Europe/London"
    assert fc["ds"].min().day_name() == "Monday" and fc["ds"].dt.hour.min() == 8


def test_forecast_command_errors_are_one_line(tmp_path, capsys):
    assert main(["forecast", str(tmp_path / "nope.csv")]) == 2
    assert "no such history file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"ds": ["2024-01-01 08:00", "2024-01-01 08:00"], "volume": [1, 2]}).to_csv(
        bad, index=False
    )
    assert main(["forecast", str(bad), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "duplicate timestamps" in err
    assert main(["forecast", str(bad), "--quantiles", "a,b"]) == 2
    assert "--quantiles must be numbers" in capsys.readouterr().err


def test_forecast_command_bad_files_name_the_file_row_and_column(tmp_path, capsys):
    hist, _ = make_history(weeks=3)
    cases = {
        "empty.csv": ("", "empty.csv: the file is empty"),
        "header.csv": ("ds,volume\n", "header.csv: the file has a header but no rows"),
    }
    bad_ts = hist.astype({"ds": str})
    bad_ts.loc[4, "ds"] = "2024-13-45 25:00"
    negative = hist.copy()
    negative.loc[6, "volume"] = -3
    missing = hist.drop(columns="volume")
    for name, frame in (("ts.csv", bad_ts), ("neg.csv", negative), ("nocol.csv", missing)):
        frame.to_csv(tmp_path / name, index=False)
    cases["ts.csv"] = (None, "ts.csv, row 5 (line 6), column 'ds': cannot parse timestamp")
    cases["neg.csv"] = (None, "neg.csv: history['volume'] must be >= 0, got -3")
    cases["nocol.csv"] = (None, "nocol.csv: history is missing column(s) ['volume']")
    for name, (text, message) in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text)
        argv = ["forecast", str(tmp_path / name), "--out", str(tmp_path / "o.csv")]
        assert main(argv) == 2, name
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert "--volume-col" in err  # the fix in command-line terms


def test_forecast_command_says_when_the_horizon_holds_no_open_interval(tmp_path, capsys):
    from staffplan.datasets import load_sample

    history, _ = load_sample()
    src = tmp_path / "sales.csv"
    history[history["queue"] == "sales"].to_csv(src, index=False)
    assert history["ds"].max().day_name() == "Saturday"  # the centre is closed on Sunday
    out = tmp_path / "fc.csv"
    argv = ["forecast", str(src), "--horizon", "1D", "--method", "snaive", "--out", str(out)]
    assert main(argv) == 0
    assert pd.read_csv(out).empty
    assert "note: the 1D after the history holds no open interval" in capsys.readouterr().err
