"""Readers for a people table (one row per person, contract columns) and a leave table."""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

import pandas as pd

from staffplan.datasets._read import DataFileError, _parse_numbers, _require_column, read_table

__all__ = ["PEOPLE_COLUMNS", "read_leave", "read_people", "sample_people_paths"]

#: Optional columns of a people table and the ``roster.Person`` field each fills.  Lists
#: (``shift_types``, ``lengths_min``) are written with ``;`` between items; booleans as
#: ``true``/``false`` (or ``yes``/``no``, ``1``/``0``); an empty cell keeps the default.
PEOPLE_COLUMNS = {
    "role": "text",
    "team": "text",
    "min_hours_week": "number",
    "max_hours_week": "number",
    "hours_weeks": "integer",
    "max_days_week": "integer",
    "min_days_off_week": "integer",
    "days_off_together": "bool",
    "max_consecutive_days": "integer",
    "min_rest_h": "number",
    "shift_types": "text list",
    "lengths_min": "integer list",
    "nights": "bool",
    "preferred_start": "text",
}
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}


def _cell(value: Any, kind: str, name: str, column: str, row: int) -> Any:
    text = str(value).strip()
    if kind == "text":
        return text
    if kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise DataFileError(
            name, f"{text!r} is not true/false (or yes/no, 1/0)", column=column, row=row
        )
    if kind.endswith("list"):
        items = [t.strip() for t in text.split(";") if t.strip()]
        if kind == "integer list":
            return tuple(_cell(t, "integer", name, column, row) for t in items)
        return tuple(items)
    number = _parse_numbers(pd.Series([text]), name, column).iloc[0]
    if kind == "integer":
        if number != int(number):
            raise DataFileError(name, f"{text!r} is not a whole number", column=column, row=row)
        return int(number)
    return float(number)


def read_people(
    path: str | os.PathLike[str],
    *,
    leave: str | os.PathLike[str] | pd.DataFrame | None = None,
    name_col: str = "name",
    dayfirst: bool | None = None,
    sep: str | None = None,
    decimal: str | None = None,
) -> list[Any]:
    """Read a people table into ``roster.Person`` objects, with their leave.

    Parameters
    ----------
    path : path
        CSV or Parquet file, one row per person: a ``name_col`` column and any of
        :data:`PEOPLE_COLUMNS` (hours in [h], lengths in [min], ``preferred_start`` as
        ``HH:MM``).  Unknown columns are refused (a misspelt contract column would silently
        fall back to its default).
    leave : path or DataFrame, optional
        A leave table (:func:`read_leave`) whose days become each person's ``leave``.
    name_col : str
        Column holding the unique person names.
    dayfirst : bool, optional
        Day/month order of the leave table's dates when they are ambiguous.
    sep, decimal : str, optional
        Column separator and decimal mark of CSV files (both tables), as in
        :func:`staffplan.datasets.read_history`.

    Returns
    -------
    list of roster.Person
        In file order.

    Raises
    ------
    DataFileError
        Naming the file, row and column: a missing name, a duplicate name, a value that is
        not a number or not true/false, an unknown column, a contract rule ``roster.Person``
        refuses (e.g. ``min_hours_week`` above ``max_hours_week``), leave for someone not in
        the table.

    Examples
    --------
    >>> from staffplan import datasets
    >>> people_csv, leave_csv = datasets.sample_people_paths()
    >>> people = datasets.read_people(people_csv, leave=leave_csv)
    >>> people[0].name, people[0].role, people[0].team
    ('Lena', 'lead', 'T1')
    """
    from staffplan.roster import Person  # the reader builds the roster's own type

    name = os.fspath(path)
    frame = read_table(path, what="people", as_text=True, sep=sep, decimal=decimal)
    _require_column(frame, name, name_col, "name_col")
    unknown = [c for c in frame.columns if c != name_col and c not in PEOPLE_COLUMNS]
    if unknown:
        raise DataFileError(
            name,
            f"unknown column {unknown[0]!r}; people columns are {[name_col, *PEOPLE_COLUMNS]}",
            column=unknown[0],
        )
    days_off: dict[str, list[pd.Timestamp]] = {}
    if leave is not None:
        table = (
            leave
            if isinstance(leave, pd.DataFrame)
            else read_leave(leave, dayfirst=dayfirst, sep=sep)
        )
        for person, a, b in zip(
            table["person"], table["first_day"], table["last_day"], strict=True
        ):
            days_off.setdefault(str(person), []).extend(pd.date_range(a, b, freq="D"))
    people = []
    seen: set[str] = set()
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        values = dict(zip(frame.columns, row, strict=True))
        who = values[name_col]
        if pd.isna(who) or not str(who).strip():
            raise DataFileError(name, "name is empty; fill it in", column=name_col, row=i)
        who = str(who).strip()
        if who in seen:
            raise DataFileError(name, f"name {who!r} appears twice", column=name_col, row=i)
        seen.add(who)
        kw: dict[str, Any] = {}
        for col, kind in PEOPLE_COLUMNS.items():
            v = values.get(col)
            if v is None or pd.isna(v) or not str(v).strip():
                continue
            kw[col] = _cell(v, kind, name, col, i)
        try:
            people.append(Person(who, leave=tuple(days_off.pop(who, ())), **kw))
        except (TypeError, ValueError) as exc:
            raise DataFileError(name, str(exc), row=i) from None
    if days_off:
        stranger = sorted(days_off)[0]
        raise DataFileError(
            "leave" if leave is None or isinstance(leave, pd.DataFrame) else os.fspath(leave),
            f"leave for {stranger!r}, who is not in the people table {name}",
            column="person",
        )
    return people


def read_leave(
    path: str | os.PathLike[str], *, dayfirst: bool | None = None, sep: str | None = None
) -> pd.DataFrame:
    """Read a leave table: approved leave as whole days.

    Parameters
    ----------
    path : path
        CSV or Parquet file with columns ``person``, ``first_day`` and ``last_day`` (dates;
        both days are on leave).
    dayfirst : bool, optional
        Day/month order when the dates are ambiguous (``03/04/2024``); refused, with the
        fix, when it matters and is not given.
    sep : str, optional
        Column separator of a CSV file, as in :func:`staffplan.datasets.read_history`.

    Returns
    -------
    DataFrame
        Columns ``person``, ``first_day``, ``last_day`` (midnight timestamps).

    Raises
    ------
    DataFileError
        A missing column, an unparsable date, a time of day in a date column, or a
        ``last_day`` before its ``first_day`` (naming the row).
    """
    name = os.fspath(path)
    frame = read_table(
        path,
        what="leave",
        as_text=True,
        time_cols=("first_day", "last_day"),
        dayfirst=dayfirst,
        sep=sep,
    )
    for col in ("person", "first_day", "last_day"):
        _require_column(frame, name, col, None)
    for col in ("first_day", "last_day"):
        ts = pd.to_datetime(frame[col])
        timed = (ts != ts.dt.normalize()).to_numpy()
        if timed.any():
            i = int(timed.argmax()) + 1
            raise DataFileError(
                name,
                f"{frame[col].iloc[i - 1]} has a time of day; leave is whole days (write the "
                "date only)",
                column=col,
                row=i,
            )
    back = (pd.to_datetime(frame["last_day"]) < pd.to_datetime(frame["first_day"])).to_numpy()
    if back.any():
        i = int(back.argmax()) + 1
        raise DataFileError(name, "last_day is before first_day", column="last_day", row=i)
    out = frame[["person", "first_day", "last_day"]].copy()
    out["person"] = out["person"].astype(str).str.strip()
    return out.reset_index(drop=True)


def sample_people_paths() -> tuple[str, str]:
    """Paths of the bundled example people table and leave table (CSV)."""
    root = resources.files("staffplan.datasets")
    return str(root / "sample_people.csv"), str(root / "sample_leave.csv")
