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
    coverage = pd.read_csv(cov)
    assert coverage["shortage"].sum() == 0
    assert coverage["required"].tolist() == [2, 2, 3, 3, 3, 3, 2, 3]  # 2.2 rounds up
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
    frame["team"] = frame["team"].fillna("")
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
