"""Files and flags a new user brings from elsewhere: each ends in a right plan or one clear error.

Each test here failed before its fix: a semicolon file was reported as missing its AHT
column, an Excel workbook's bytes were listed as its columns, ``--max-occupancy 90`` meant
"no cap", two queues on a 15- and a 30-min grid were told to pass a flag ``plan`` does not
have, AHT in minutes planned a fraction of the agents without a word, a repeated hour in
naive local time (clocks going back) gave no hint of the fix, and ``--horizon 12`` planned
12 intervals without saying so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffplan import datasets, forecast
from staffplan.cli import main


def _history(freq: str = "30min", days: int = 35, hours: tuple[int, int] = (8, 18)) -> pd.DataFrame:
    """A weekday centre (or 24/7 with hours (0, 24)), 300 s AHT, from Monday 2025-02-03."""
    ds = pd.date_range("2025-02-03", periods=days * 24 * 60 // pd.Timedelta(freq).seconds * 60,
                       freq=freq)  # fmt: skip
    h = ds.hour + ds.minute / 60
    keep = np.asarray((h >= hours[0]) & (h < hours[1]))
    if hours != (0, 24):
        keep &= np.asarray(ds.day_of_week < 5)
    ds = ds[keep]
    vol = np.random.default_rng(0).poisson(40, len(ds)).astype(float)
    return pd.DataFrame({"ds": ds.strftime("%Y-%m-%d %H:%M"), "volume": vol, "aht_s": 300.0})


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def _one_clear_error(err: str) -> str:
    lines = [x for x in err.splitlines() if ": error: " in x]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


FORECAST = ["--method", "snaive", "--horizon", "1D"]


def test_a_semicolon_file_with_decimal_commas_is_refused_naming_the_separator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "h.csv"
    path.write_text(_history().assign(aht_s=297.5).to_csv(index=False, sep=";", decimal=","))
    for cmd in (["plan", str(path), "--out", str(tmp_path / "p")],
                ["forecast", str(path), "--out", str(tmp_path / "f.csv"), *FORECAST]):  # fmt: skip
        code, err = _run(cmd, capsys)
        line = _one_clear_error(err)
        assert code == 2 and "separated by ';', not commas" in line
        assert "no AHT column" not in line
    with pytest.raises(ValueError, match="separated by ';'"):
        datasets.read_history(path)


def test_an_excel_workbook_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(200))  # a zip container, as every .xlsx is
    code, err = _run(["plan", str(path), "--out", str(tmp_path / "p")], capsys)
    line = _one_clear_error(err)
    assert code == 2 and "save the sheet as CSV" in line and "PK" not in line


@pytest.mark.parametrize("command", ["plan", "staff"])
@pytest.mark.parametrize(
    ("flag", "value", "fix"),
    [("--max-occupancy", "90", "write 0.9 for 90%"), ("--shrinkage", "30", "write 0.3 for 30%"),
     ("--service-level", "80", "write 0.8 for 80%")],
)  # fmt: skip
def test_shares_given_as_percentages_are_refused_with_the_share(
    command: str, flag: str, value: str, fix: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    # --max-occupancy 90 was read as "no cap"; the others were refused without the fix.
    path = tmp_path / "h.csv"
    _history(days=7).to_csv(path, index=False)
    out = tmp_path / ("p" if command == "plan" else "s.csv")
    code, err = _run([command, str(path), "--out", str(out), flag, value], capsys)
    line = _one_clear_error(err)
    assert code == 2 and flag in line and fix in line
    assert not out.exists()


def test_queues_on_two_grids_are_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = pd.concat([_history("30min").assign(queue="a"), _history("15min").assign(queue="b")])
    path = tmp_path / "h.csv"
    both.to_csv(path, index=False)
    for cmd in (["plan", str(path), "--out", str(tmp_path / "p")],
                ["forecast", str(path), "--out", str(tmp_path / "f.csv"), *FORECAST]):  # fmt: skip
        code, err = _run(cmd, capsys)
        line = _one_clear_error(err)
        assert code == 2 and "--interval-min" not in line
        assert "queue 'b' is on a 15-min grid and queue 'a' on a 30-min grid" in line
        assert "--queue" in line


def test_aht_that_looks_like_minutes_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    minutes = tmp_path / "minutes.csv"
    _history().assign(aht_s=4.8).to_csv(minutes, index=False)
    seconds = tmp_path / "seconds.csv"
    _history().to_csv(seconds, index=False)
    code, err = _run(["forecast", str(minutes), "--out", str(tmp_path / "f.csv"), *FORECAST],
                     capsys)  # fmt: skip
    assert code == 0
    assert "median AHT 4.8 s per contact" in err and "multiply it by 60" in err
    code, err = _run(["forecast", str(seconds), "--out", str(tmp_path / "g.csv"), *FORECAST],
                     capsys)  # fmt: skip
    assert code == 0 and "multiply it by 60" not in err


def test_a_repeated_local_hour_names_the_utc_offset_fix(tmp_path: Path) -> None:
    # Europe/Berlin, 2025-10-26: 02:00-03:00 happens twice; naive local times repeat it.
    ds = pd.date_range("2025-10-26 00:00", "2025-10-26 05:45", freq="15min", tz="Europe/Berlin")
    path = tmp_path / "h.csv"
    pd.DataFrame({"ds": ds.strftime("%Y-%m-%d %H:%M"), "volume": 1.0}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"second row for 2025-10-26 02:00:00.*UTC offset"):
        datasets.read_history(path, queue_col=None)
    # The forecast's own check (a frame, or 'staffplan forecast') names the same fix.
    frame = pd.read_csv(path).assign(queue="q", ds=lambda f: pd.to_datetime(f["ds"]))
    with pytest.raises(ValueError, match=r"2025-10-26 02:00:00 appears more than once.*UTC offset"):
        forecast.VolumeForecaster("snaive").fit(frame)
    # Written with offsets (the fix named), the same instants read as 24 distinct intervals.
    path.write_text("ds,volume\n" + "".join(f"{t.isoformat()},1\n" for t in ds))
    read = datasets.read_history(path, queue_col=None)
    assert read["ds"].nunique() == len(ds) == 7 * 4  # six hours of clock, seven of time


def test_a_bare_horizon_count_says_it_counts_intervals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "h.csv"
    _history("60min", days=28, hours=(0, 24)).to_csv(path, index=False)
    out = tmp_path / "p"
    argv = ["plan", str(path), "--out", str(out), "--horizon", "12", "--no-simulate",
            "--no-report", "--time-limit-s", "2", "--forecast-method", "snaive"]  # fmt: skip
    code, err = _run(argv, capsys)
    assert code == 0
    assert "--horizon 12 counts 60-min intervals: the plan covers 12 h; write 12D" in err
    assert len(pd.read_csv(out / "forecast.csv")) == 12


def test_bom_crlf_and_offsets_read_as_the_plain_file(tmp_path: Path) -> None:
    plain = _history(days=7)
    ref = tmp_path / "plain.csv"
    plain.to_csv(ref, index=False)
    bom = tmp_path / "bom.csv"
    bom.write_bytes(("\ufeff" + plain.to_csv(index=False, lineterminator="\r\n")).encode())
    expected = datasets.read_history(ref, queue_col=None)
    pd.testing.assert_frame_equal(datasets.read_history(bom, queue_col=None), expected)
    berlin = pd.to_datetime(plain["ds"]).dt.tz_localize("Europe/Berlin")
    offsets = tmp_path / "offsets.csv"
    plain.assign(ds=berlin.map(lambda t: t.isoformat())).to_csv(offsets, index=False)
    read = datasets.read_history(offsets, queue_col=None)
    assert (read["ds"].dt.tz_convert("Europe/Berlin").dt.tz_localize(None) == expected["ds"]).all()


def test_offsets_across_summer_time_need_the_centres_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Open 08-18 in Berlin; the history crosses 2025-03-30. Read as UTC, the day's shape moved
    # by an hour inside the history and the roster's clock times were UTC (06:00 for 08:00).
    ds = pd.date_range("2025-02-24", "2025-04-05", freq="30min", tz="Europe/Berlin",
                       inclusive="left")  # fmt: skip
    h = ds.hour + ds.minute / 60
    ds = ds[np.asarray((h >= 8) & (h < 18) & (ds.day_of_week < 5))]
    path = tmp_path / "h.csv"
    pd.DataFrame({"ds": [t.isoformat() for t in ds], "volume": 40.0, "aht_s": 300.0}).to_csv(
        path, index=False
    )
    argv = ["plan", str(path), "--horizon", "1D", "--start", "2025-04-07", "--no-simulate",
            "--no-report", "--time-limit-s", "2", "--forecast-method", "snaive"]  # fmt: skip
    code, err = _run([*argv, "--out", str(tmp_path / "utc")], capsys)
    line = _one_clear_error(err)
    assert code == 2 and "UTC offsets (+01:00, +02:00)" in line and "--tz Europe/Berlin" in line
    code, err = _run([*argv, "--out", str(tmp_path / "p"), "--tz", "Europe/Berlin"], capsys)
    assert code == 0, err
    fc = pd.read_csv(tmp_path / "p" / "forecast.csv")
    busy = pd.to_datetime(fc.loc[fc["volume"] > 0, "ds"].str[:16])  # local wall clock
    assert busy.min() == pd.Timestamp("2025-04-07 08:00")
    assert busy.max() == pd.Timestamp("2025-04-07 17:30")
    roster = pd.read_csv(tmp_path / "p" / "roster.csv")
    assert pd.to_datetime(roster["start"].str[:16]).min() >= pd.Timestamp("2025-04-07 08:00")
