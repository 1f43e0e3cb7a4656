"""``staffplan roster --people FILE``: contracts a count roster cannot keep go the person model's
way, as ``roster.solve`` does in Python (recounted by hand from the files written)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from staffplan.cli import main


@pytest.fixture
def week(tmp_path: Path) -> Path:
    """One agent needed 08-16 every day for a week (hourly rows in open hours only)."""
    ds = [
        pd.Timestamp("2024-01-01 08:00") + pd.Timedelta(days=d, hours=h)
        for d in range(7)
        for h in range(8)
    ]
    path = tmp_path / "req.csv"
    pd.DataFrame({"ds": ds, "required": 1}).to_csv(path, index=False)
    return path


#: One 8 h shift a day from 08:00, no lunch, no leads.
FLAGS = (
    "--interval-min 60 --time-limit-s 6 --workers 1 --shift-window 08:00-08:00 "
    "--shift-lengths 480 --lunch-min 0 --span 0"
).split()


def _args(req: Path, out: Path, *extra: str) -> list[str]:
    return ["roster", str(req), "--out", str(out), *FLAGS, *extra]


def test_people_file_minimums_and_leave_hold(
    week: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Three agents with a 32 h minimum need 12 shifts of 8 h; the requirement alone asks for
    # 7.  A count roster named afterwards leaves 40 h of minimums unmet; the person model
    # adds the shifts (one agent over need on 5 days) and keeps ann off on her day of leave.
    people = tmp_path / "people.csv"
    pd.DataFrame({"name": ["ann", "bob", "cy"], "min_hours_week": 32, "max_hours_week": 40}).to_csv(
        people, index=False
    )
    leave = tmp_path / "leave.csv"
    pd.DataFrame(
        {"person": ["ann"], "first_day": ["2024-01-03"], "last_day": ["2024-01-03"]}
    ).to_csv(leave, index=False)
    out = tmp_path / "roster.csv"
    with caplog.at_level("INFO", logger="staffplan"):
        code = main(_args(week, out, "--people", str(people), "--leave", str(leave)))
    assert code == 0
    frame = pd.read_csv(out, parse_dates=["start", "end"])
    hours = frame.groupby("person")["paid_h"].sum()
    # ann's leave day counts toward her minimum: 32 * 6/7 h, so 4 shifts (32 h) suffice.
    assert hours["bob"] >= 32 and hours["cy"] >= 32 and hours["ann"] >= 32 * 6 / 7
    assert not (
        frame.loc[frame["person"] == "ann", "start"].dt.date.astype(str) == "2024-01-03"
    ).any()
    days = frame["start"].dt.normalize().value_counts()
    assert len(days) == 7  # every day covered
    assert "rostered by solve_people" in caplog.text


def test_leave_without_people_is_refused(
    week: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    leave = tmp_path / "leave.csv"
    pd.DataFrame(
        {"person": ["ann"], "first_day": ["2024-01-03"], "last_day": ["2024-01-03"]}
    ).to_csv(leave, index=False)
    assert main(_args(week, tmp_path / "r.csv", "--leave", str(leave))) == 2
    assert "--leave needs --people" in capsys.readouterr().err
