"""``staffplan roster``: requirements file in, roster and coverage files out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from staffplan import roster
from staffplan.cli import main


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    ds = pd.date_range("2024-01-01 08:00", periods=8, freq="60min")
    path = tmp_path / "req.csv"
    pd.DataFrame({"ds": ds, "required": [2, 2, 3, 3, 3, 3, 2, 2.2]}).to_csv(path, index=False)
    return path


def _args(req: Path, out: Path, *extra: str) -> list[str]:
    return [
        "roster",
        str(req),
        "--interval-min",
        "60",
        "--out",
        str(out),
        "--time-limit-s",
        "5",
        "--workers",
        "1",
        "--shift-window",
        "08:00-12:00",
        "--shift-lengths",
        "240,480",
        *extra,
    ]


def test_roster_and_coverage_files(
    requirements: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out, cov = tmp_path / "roster.csv", tmp_path / "coverage.csv"
    code = main(
        _args(requirements, out, "--coverage-out", str(cov), "--lunch-min", "0", "--span", "2")
    )
    assert code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns[:8]) == [
        "person",
        "role",
        "team",
        "start",
        "end",
        "lunch_start",
        "lunch_end",
        "breaks",
    ]
    assert set(frame["role"]) == {"agent", "lead"}
    coverage = pd.read_csv(cov, parse_dates=["ds"])
    assert coverage["shortage"].sum() == 0
    # Whole days, as 'staffplan plan' rosters them: nobody needed outside 08:00-16:00.
    assert len(coverage) == 24
    open_hours = coverage["ds"].dt.hour.between(8, 15)
    assert coverage.loc[open_hours, "required"].tolist() == [2, 2, 3, 3, 3, 3, 2, 3]  # 2.2 -> 3
    assert coverage.loc[~open_hours, "required"].eq(0).all()
    assert "roster: OPTIMAL" in capsys.readouterr().out


def test_rules_json_and_written_roster_passes_check(requirements: Path, tmp_path: Path) -> None:
    rules = {
        "shifts": [
            {
                "name": "day",
                "earliest_start": "08:00",
                "latest_start": "08:00",
                "start_step_min": 60,
                "lengths_min": [480],
            }
        ],
        "lunch": {
            "length_min": 60,
            "earliest_start_min": 180,
            "latest_start_min": 300,
            "min_shift_min": 360,
        },
        "span": None,
    }
    (tmp_path / "rules.json").write_text(json.dumps(rules))
    out = tmp_path / "roster.csv"
    assert main(_args(requirements, out, "--rules", str(tmp_path / "rules.json"))) == 0
    frame = pd.read_csv(out, parse_dates=["start", "end", "lunch_start", "lunch_end"])
    frame["team"] = frame["team"].astype(object).fillna("")
    frame["breaks"] = [[] for _ in range(len(frame))]
    inst = roster.make_instance(
        pd.read_csv(requirements, parse_dates=["ds"]),
        interval_min=60,
        shifts=roster.ShiftRules(**{**rules["shifts"][0], "lengths_min": (480,)}),
        lunch=roster.LunchRule(**rules["lunch"]),
        span=None,
    )
    assert roster.check(inst, frame) == []


def test_bad_rule_is_one_line_exit_2(
    requirements: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(
        _args(requirements, tmp_path / "r.csv", "--lunch-min", "60", "--lunch-window", "400-420")
    )
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("staffplan roster: error: LunchRule:") and "\n" not in err


def test_infeasible_names_reason(
    requirements: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(
        _args(
            requirements,
            tmp_path / "r.csv",
            "--lunch-min",
            "0",
            "--span",
            "0",
            "--hard-coverage",
            "--shift-window",
            "08:00-08:00",
            "--shift-lengths",
            "240",
        )
    )
    assert code == 2
    assert "no allowed shift covers them" in capsys.readouterr().err
    assert not (tmp_path / "r.csv").exists()


def test_named_people_from_rules(requirements: Path, tmp_path: Path) -> None:
    rules = {
        "people": [{"name": "ann"}, {"name": "bob"}, {"name": "cy"}],
        "span": None,
        "lunch": None,
    }
    (tmp_path / "rules.json").write_text(json.dumps(rules))
    out = tmp_path / "roster.csv"
    assert main(_args(requirements, out, "--rules", str(tmp_path / "rules.json"))) == 0
    assert set(pd.read_csv(out)["person"]) <= {"ann", "bob", "cy"}


def test_staff_output_of_several_queues_with_closed_hours_rosters_as_documented(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    # The README pipeline: 'staffplan staff FORECAST --out REQ' then 'staffplan roster REQ'.
    # A forecast has one row per queue and open interval (no rows overnight); the roster
    # needs one requirement per interval from the first to the last.
    ds = [
        pd.Timestamp(day) + pd.Timedelta(minutes=30 * k)
        for day in ("2026-03-02 08:00", "2026-03-03 08:00")
        for k in range(6)
    ]
    forecast = pd.concat(
        [
            pd.DataFrame({"queue": q, "ds": ds, "volume": v, "aht_s": 240.0})
            for q, v in (("sales", 30.0), ("service", 50.0))
        ]
    )
    src, req = tmp_path / "forecast.csv", tmp_path / "req.csv"
    forecast.to_csv(src, index=False)
    assert main(["staff", str(src), "--shrinkage", "0.3", "--out", str(req)]) == 0
    staffed = pd.read_csv(req, parse_dates=["ds"])
    out, cov = tmp_path / "roster.csv", tmp_path / "coverage.csv"
    argv = ["roster", str(req), "--out", str(out), "--coverage-out", str(cov)]
    assert main([*argv, "--shift-window", "08:00-09:00", "--time-limit-s", "5"]) == 0
    printed = capsys.readouterr().err
    # 'staff' pools the queues per interval as 'plan' does: one row per interval.
    assert "pooled 2 queues per interval" in printed
    assert len(staffed) == 12
    assert "42 intervals missing from the file need nobody" in printed
    coverage = pd.read_csv(cov, parse_dates=["ds"]).set_index("ds")
    assert len(coverage) == 96  # two whole days of 30-min intervals (inferred)
    # The roster rounds the fractional 'scheduled' once, to staff's scheduled_int.
    expected = staffed.set_index("ds")["scheduled_int"]
    assert coverage.loc[expected.index, "required"].tolist() == expected.tolist()
    assert coverage["required"].drop(expected.index).eq(0).all()


def test_interval_min_finer_than_the_file_is_refused(
    requirements: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    argv = _args(requirements, tmp_path / "r.csv")
    argv[argv.index("--interval-min") + 1] = "30"
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"staffplan roster: error: {requirements}: the intervals are 60 min apart, "
        "not --interval-min 30; pass --interval-min 60 or leave it out"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--breaks", "15"], "--breaks items must look like LEN@A-B in minutes, e.g. 15@60-150"),
        (["--breaks", "x@1-2"], "got 'x@1-2'"),
        # A message ending in a quote keeps it.
        (["--shift-window", "8-12"], "earliest_start must be minutes or 'HH:MM', got '8'"),
        (["--required-col", "agents"], "no column 'agents' for --required-col"),
    ],
)
def test_flag_mistakes_are_one_line(
    requirements: Path, tmp_path: Path, capsys: pytest.CaptureFixture, extra: list, message: str
) -> None:
    assert main(_args(requirements, tmp_path / "r.csv", *extra)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_rules_file_mistake_names_the_file_and_field(
    requirements: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"lunch": {"lenght_min": 30}}))
    assert main(_args(requirements, tmp_path / "r.csv", "--rules", str(rules))) == 2
    err = capsys.readouterr().err
    assert f"{rules}: rules['lunch'] has unknown field(s) ['lenght_min']" in err


def test_default_shift_window_follows_the_opening_hours(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    # Open 05:00-23:00: without --shift-window, 8 h shifts start 05:00..15:00 and 4 h
    # shifts 05:00..19:00 (the defaults of 'staffplan plan'), covering the whole day (a
    # fixed 07:00-15:00 window would leave 05:00-07:00 short).
    ds = pd.date_range("2024-01-01", periods=48, freq="30min")
    need = [0.0] * 10 + [3.0] * 36 + [0.0] * 2
    req, out, cov = tmp_path / "req.csv", tmp_path / "roster.csv", tmp_path / "cov.csv"
    pd.DataFrame({"ds": ds, "required": need}).to_csv(req, index=False)
    argv = ["roster", str(req), "--out", str(out), "--coverage-out", str(cov)]
    assert main([*argv, "--time-limit-s", "5", "--workers", "1", "--span", "0"]) == 0
    coverage = pd.read_csv(cov, parse_dates=["ds"])
    assert coverage["shortage"].sum() == 0
    frame = pd.read_csv(out, parse_dates=["start", "end"])
    starts, hours = frame["start"], (frame["end"] - frame["start"]).dt.total_seconds() / 3600
    assert starts.min() == pd.Timestamp("2024-01-01 05:00")
    assert set(hours) <= {8.0, 4.0}
    assert (starts[hours == 8].dt.hour <= 15).all() and (starts.dt.hour <= 19).all()
