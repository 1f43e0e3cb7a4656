"""People and leave tables from files: the bundled example and every refusal, with its fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from staffplan import datasets, roster
from staffplan.datasets import DataFileError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_sample_tables_give_people_with_their_contracts_and_leave() -> None:
    people_csv, leave_csv = datasets.sample_people_paths()
    people = {p.name: p for p in datasets.read_people(people_csv, leave=leave_csv)}
    # Values read from sample_people.csv / sample_leave.csv by hand.
    assert people["Lena"].role == "lead" and people["Lena"].team == "T1"
    assert people["Mia"].shift_types == ("early", "late") and people["Mia"].nights is False
    assert people["Mia"].preferred_start == 8 * 60
    assert people["Caro"].hours_weeks == 2 and people["Caro"].max_hours_week == 24.0
    assert people["Ben"].leave == tuple(pd.date_range("2024-01-08", "2024-01-12"))
    assert people["Hana"].leave == (pd.Timestamp("2024-01-24"),)
    assert people["Ana"].days_off_together is True and people["Dev"].days_off_together is False


def test_sample_people_roster_two_weeks() -> None:
    # A day centre open 07:00-15:00: five agents on weekdays, four at the weekend, one lead
    # a day, a manager past five agents.  The requirement asks for a few more agent shifts
    # (33 a week) than the contract minimums (30), so every rule can hold.
    people_csv, leave_csv = datasets.sample_people_paths()
    people = datasets.read_people(people_csv, leave=leave_csv)
    weekday = [0] * 7 + [5] * 8 + [0] * 9
    weekend = [0] * 7 + [4] * 8 + [0] * 9
    inst = roster.make_instance(
        (weekday * 5 + weekend * 2) * 2,
        interval_min=60,
        start="2024-01-08",
        shifts=roster.ShiftRules("early", earliest_start="07:00", latest_start="07:00",
                                 start_step_min=60),
        lunch=None,
        span=roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=5),
        people=people,
    )  # fmt: skip
    res = roster.solve_people(inst, time_limit_s=8, num_workers=1)
    assert res.ok, res.reasons
    assert roster.check(inst, res.roster) == []
    ben = res.roster[res.roster["person"] == "Ben"]
    on_leave = {pd.Timestamp(d) for d in pd.date_range("2024-01-08", "2024-01-12")}
    assert not set(pd.to_datetime(ben["start"]).dt.normalize()) & on_leave


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name,role\nann,agent\nann,agent\n", "row 2 (line 3), column 'name': name 'ann' appears twice"),
        ("name,nights\nann,maybe\n", "column 'nights': 'maybe' is not true/false"),
        ("name,max_hours\nann,40\n", "unknown column 'max_hours'"),
        ("name,max_days_week\nann,4.5\n", "'4.5' is not a whole number"),
        ("name,min_hours_week,max_hours_week\nann,40,30\n", "min_hours_week must be <= max_hours_week"),
        ("role\nagent\n", "no column 'name'"),
        ("name,role\n,agent\n", "name is empty"),
    ],
)  # fmt: skip
def test_bad_people_tables_are_refused_naming_row_and_column(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, "people.csv", text)
    with pytest.raises(DataFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        datasets.read_people(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("person,first_day,last_day\nann,2024-01-05,2024-01-03\n", "last_day is before first_day"),
        ("person,first_day,last_day\nann,2024-01-05 08:00,2024-01-05\n", "has a time of day"),
        ("person,first_day\nann,2024-01-05\n", "no column 'last_day'"),
        ("person,first_day,last_day\nann,03/04/2024,05/04/2024\n", "dayfirst"),
    ],
)  # fmt: skip
def test_bad_leave_tables_are_refused(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "leave.csv", text)
    with pytest.raises(DataFileError, match=message):
        datasets.read_leave(path)


def test_leave_for_a_stranger_is_refused(tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", "name\nann\n")
    leave = write(tmp_path, "leave.csv", "person,first_day,last_day\nbob,2024-01-01,2024-01-02\n")
    with pytest.raises(DataFileError, match="leave for 'bob', who is not in the people table"):
        datasets.read_people(people, leave=leave)


def test_day_first_leave_dates_read_when_told(tmp_path: Path) -> None:
    people = write(tmp_path, "people.csv", "name\nann\n")
    leave = write(tmp_path, "leave.csv", "person,first_day,last_day\nann,03/04/2024,04/04/2024\n")
    (ann,) = datasets.read_people(people, leave=leave, dayfirst=True)
    assert ann.leave == (pd.Timestamp("2024-04-03"), pd.Timestamp("2024-04-04"))
