"""Python warnings reach the command line as one ``warning: ...`` line on stderr.

A forecast's gap in the history is a :class:`UserWarning` for library users
(``pytest.warns`` sees it); every command prints such a warning as one clean line, also
under ``--quiet``, never as ``/path/file.py:123: UserWarning: ...`` with a source line.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pandas as pd
import pytest

from staffplan import datasets, forecast
from staffplan.cli import main

_GAP = "has no rows for 4 interval(s) inside open hours"


def _gap_history(path: Path) -> Path:
    """Five weeks round the clock on 30 min, with four intervals missing on 3 January."""
    frame, _ = datasets.generate_sample(
        hours="24/7", weeks=5, start="2024-01-01", queues=("line",), seed=3, events=False
    )
    frame.drop(index=range(100, 104)).to_csv(path, index=False)
    return path


def _assert_one_clean_line(err: str, needle: str) -> None:
    lines = [line for line in err.splitlines() if needle in line]
    assert len(lines) == 1, err
    assert lines[0].startswith("warning: "), lines[0]
    assert "UserWarning" not in err and ".py:" not in err, err


def test_library_users_still_get_a_python_warning(tmp_path: Path) -> None:
    history = pd.read_csv(_gap_history(tmp_path / "h.csv"), parse_dates=["ds"])
    with pytest.warns(UserWarning, match=r"has no rows for 4 interval\(s\)"):
        forecast.forecast(history, "1D", method="profile")


def test_forecast_command_prints_the_gap_as_one_warning_line_under_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _gap_history(tmp_path / "h.csv")
    out = tmp_path / "fc.csv"
    args = ["forecast", str(src), "--out", str(out), "--method", "profile", "--quiet"]
    assert main(args) == 0
    _assert_one_clean_line(capsys.readouterr().err, _GAP)


def test_plan_command_prints_the_gap_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    src = _gap_history(tmp_path / "h.csv")
    args = ["plan", str(src), "--out", str(tmp_path / "p"), "--horizon", "1D", "--quiet"]
    args += ["--forecast-method", "profile", "--no-simulate", "--no-report", "--time-limit-s", "2"]
    assert main(args) == 0
    _assert_one_clean_line(capsys.readouterr().err, _GAP)


@pytest.mark.parametrize(
    ("module", "argv"),
    [
        ("_forecast", ["forecast", "h.csv"]),
        ("_staff", ["staff", "--demo"]),
        ("_roster", ["roster", "req.csv", "--out", "r.csv"]),
        ("_plan", ["plan", "h.csv"]),
        ("_replan", ["replan", "plan", "actuals.csv", "--now", "2026-03-03 12:00"]),
        ("_demo", ["demo"]),
    ],
)
def test_every_command_routes_python_warnings_through_its_log(
    module: str, argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    # Each command's own run() raises a warning as library code would deep inside it.
    mod = importlib.import_module(f"staffplan.cli.{module}")

    def run(args: object) -> int:
        warnings.warn("something the planner must know (pass --aht-s)", UserWarning, stacklevel=2)
        warnings.warn("a library's own kind", RuntimeWarning, stacklevel=2)
        return 0

    monkeypatch.setattr(mod, "run", run)
    assert main([*argv, "--quiet"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "warning: something the planner must know (pass --aht-s)",
        "warning: RuntimeWarning: a library's own kind",
    ]
