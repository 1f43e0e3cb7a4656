"""``staffplan staff`` through ``staffplan.cli.main``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from staffplan import erlang
from staffplan.cli import main


def test_demo_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "--demo", "--shrinkage", "0.3"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    header = out.splitlines()[0].split()
    assert header == [
        "ds", "volume", "aht_s", "traffic_erl", "agents", "scheduled_int", "service_level",
        "asa_s", "occupancy",
    ]  # fmt: skip
    # stdout holds the table only; the summary is a log line on stderr.
    assert len(out.splitlines()) == 1 + 24
    assert "24 intervals of 30 min" in captured.err


def test_quiet_keeps_only_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "--demo", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(captured.out.splitlines()) == 1 + 24
    assert main(["--quiet", "staff", "--demo"]) == 0
    assert capsys.readouterr().err == ""


def test_file_in_file_out_matches_the_library(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame(
        {
            "ds": pd.date_range("2026-01-05 09:00", periods=4, freq="15min"),
            "volume": [0, 50, 100, 400],
            "aht_s": [200, 200, 180, 300],
        }
    ).to_csv(src, index=False)
    dst = tmp_path / "out.csv"
    args = ["staff", str(src), "--out", str(dst), "--shrinkage", "0.25", "--max-occupancy", "0.85"]
    assert main(args) == 0
    got = pd.read_csv(dst)
    load = ([0, 50, 100, 400], [200, 200, 180, 300])
    expected = erlang.required_agents(*load, interval_min=15, max_occupancy=0.85)
    assert got["agents"].tolist() == expected.tolist()
    # One rounding rule: the scheduled count equals erlang.required_agents with shrinkage.
    scheduled = erlang.required_agents(*load, interval_min=15, max_occupancy=0.85, shrinkage=0.25)
    assert got["scheduled_int"].tolist() == scheduled.tolist()
    assert got["scheduled"].to_numpy() == pytest.approx(got["agents_frac"].to_numpy() / 0.75)
    assert got.loc[0, "agents"] == 0 and pd.isna(got.loc[0, "service_level"])
    assert (got.loc[1:, "service_level"] >= 0.8).all()
    assert (got.loc[1:, "occupancy"] <= 0.85).all()


def test_constant_aht_and_erlang_a_options(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    pd.DataFrame({"ds": ["2026-01-05 09:00", "2026-01-05 09:30"], "volume": [100, 300]}).to_csv(
        src, index=False
    )
    dst = tmp_path / "out.csv"
    argv = ["staff", str(src), "--aht-s", "180", "--patience-s", "120", "--max-abandon", "0.03"]
    assert main([*argv, "--out", str(dst)]) == 0
    got = pd.read_csv(dst)
    assert (got["p_abandon"] <= 0.03).all()
    assert (
        got["agents"].tolist()
        == erlang.required_agents([100, 300], 180, patience_s=120, max_abandon=0.03).tolist()
    )


@pytest.mark.parametrize(
    ("frame", "extra", "message"),
    [
        ({"ds": ["2026-01-05 09:00"], "volume": [10]}, [], "missing column 'aht_s'"),
        ({"ds": ["2026-01-05 09:00"], "aht_s": [180]}, [], "missing column 'volume'"),
        (
            {
                "ds": ["2026-01-05 09:00", "2026-01-05 09:30", "2026-01-05 10:00"],
                "volume": [10, -4, 3],
                "aht_s": [180, 180, 180],
            },
            [],
            "column 'volume', line 3",
        ),
        ({"volume": [10, 20], "aht_s": [180, "x"]}, [], "column 'aht_s', line 3"),
        ({"volume": [10], "aht_s": [180]}, ["--service-level", "1.5"], "--service-level"),
        ({"volume": [10], "aht_s": [180]}, ["--max-abandon", "0.1"], "needs patience_s"),
    ],
)
def test_bad_input_is_one_line_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], frame: dict, extra: list, message: str
) -> None:
    src = tmp_path / "bad.csv"
    pd.DataFrame(frame).to_csv(src, index=False)
    assert main(["staff", str(src), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
    if "line" in message or "missing" in message:
        assert str(src) in err


def test_needs_input_or_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff"]) == 2
    assert "--demo" in capsys.readouterr().err
    assert main(["staff", "/nonexistent/volumes.csv"]) == 2
    assert "/nonexistent/volumes.csv" in capsys.readouterr().err


def _forecast_file(tmp_path: Path) -> Path:
    src = tmp_path / "forecast.csv"
    pd.DataFrame(
        {
            "queue": "sales",
            "ds": pd.date_range("2026-01-05 09:00", periods=3, freq="30min"),
            "volume": [40.0, 80.0, 120.0],
            "volume_q0.95": [55.0, 100.0, 150.0],
            "aht_s": 240.0,
        }
    ).to_csv(src, index=False)
    return src


def test_volume_col_staffs_to_a_forecast_quantile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dst = tmp_path / "req.csv"
    argv = ["staff", str(_forecast_file(tmp_path)), "--volume-col", "volume_q0.95"]
    assert main([*argv, "--out", str(dst)]) == 0
    got = pd.read_csv(dst)
    assert got["volume"].tolist() == [55.0, 100.0, 150.0]
    assert got["volume_mean"].tolist() == [40.0, 80.0, 120.0]
    assert got["agents"].tolist() == erlang.required_agents([55, 100, 150], 240).tolist()
    # With --out the table goes to the file; the summary goes to stderr.
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[0].startswith("3 intervals of 30 min")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("ds,volume,aht_s\n", "the file has a header but no rows"),
        (
            "ds,volume,aht_s\n2026-01-05 09:00,10,180\n2026-13-45 25:00,10,180\n",
            "row 2 (line 3), column 'ds': cannot parse timestamp '2026-13-45 25:00'",
        ),
        ("ds,volume,aht_s\n2026-01-05 09:00,-3,180\n", "line 2 (data row 1) is -3;"),
        ("ds,volume,aht_s\n2026-01-05 09:00,,180\n", "line 2 (data row 1) is empty;"),
    ],
)
def test_unreadable_files_are_one_line_naming_file_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text)
    assert main(["staff", str(src)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{src}" in err and message in err


def test_closed_reader_ends_quietly(tmp_path: Path) -> None:
    import subprocess
    import sys

    # 'staffplan staff BIG.csv | head -1': the reader closes the pipe while the table
    # (larger than the pipe's buffer) is still being written.
    src = tmp_path / "big.csv"
    ds = pd.date_range("2026-01-05", periods=4000, freq="15min")
    pd.DataFrame({"ds": ds, "volume": 50.0, "aht_s": 200.0}).to_csv(src, index=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "staffplan", "staff", str(src)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == ""
