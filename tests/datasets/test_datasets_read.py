"""Loaders for a user's own files: results, and errors that name the file, column and row."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffplan.datasets import DataFileError, load_sample, read_events, read_history

GOOD = """queue,ds,volume,aht_s
sales,2026-01-05 07:30,12,250.5
sales,2026-01-05 07:00,10,240
service,2026-01-05 07:00,30,300
"""


def write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_history_standard_columns_sorted(tmp_path):
    out = read_history(write(tmp_path, GOOD))
    assert list(out.columns) == ["queue", "ds", "volume", "aht_s"]
    assert list(out["queue"]) == ["sales", "sales", "service"]
    assert list(out["ds"].dt.strftime("%H:%M")) == ["07:00", "07:30", "07:00"]
    np.testing.assert_array_equal(out["volume"], [10, 12, 30])
    assert out["volume"].dtype == np.float64 and out["aht_s"].dtype == np.float64


def test_read_history_empty_volume_is_a_missing_interval_not_zero(tmp_path):
    text = "queue,ds,volume\nq,2026-01-05 07:00,4\nq,2026-01-05 07:30,\nq,2026-01-05 08:00,0\n"
    out = read_history(write(tmp_path, text))
    assert np.isnan(out["volume"].iloc[1])
    assert out["volume"].iloc[[0, 2]].tolist() == [4.0, 0.0]


def test_read_history_renamed_columns_single_queue_and_tz(tmp_path):
    text = "when;calls\n2026-03-29 01:30;5\n2026-03-29 03:00;7\n".replace(";", ",")
    out = read_history(
        write(tmp_path, text), queue_col=None, ds_col="when", volume_col="calls",
        tz="Europe/Amsterdam",
    )  # fmt: skip
    assert list(out.columns) == ["queue", "ds", "volume"]  # AHT is optional
    assert (out["queue"] == "all").all()
    assert str(out["ds"].dt.tz) == "Europe/Amsterdam"
    # 01:30 is before and 03:00 after the spring-forward gap: 30 minutes apart in real time.
    assert out["ds"].diff().iloc[1] == pd.Timedelta(minutes=30)


def test_read_history_ambiguous_local_time_says_how_to_fix(tmp_path):
    # 02:30 happens twice in Amsterdam on 2026-10-25 (clocks go back at 03:00).
    text = "queue,ds,volume\nq,2026-10-25 02:30,1\nq,2026-10-25 02:30,2\n"
    with pytest.raises(
        DataFileError,
        match=r"row 1 \(line 2\), column 'ds': wall-clock time 2026-10-25 02:30:00 occurs twice "
        r"\(the hour repeated when clocks go back\) in Europe/Amsterdam; write the timestamps "
        r"with their UTC offset",
    ):
        read_history(write(tmp_path, text), tz="Europe/Amsterdam")


def test_read_history_offsets_across_a_dst_change(tmp_path):
    text = "queue,ds,volume\nq,2026-10-25T02:30:00+02:00,1\nq,2026-10-25T02:30:00+01:00,2\n"
    path = write(tmp_path, text)
    local = read_history(path, tz="Europe/Amsterdam")
    assert local["ds"].diff().iloc[1] == pd.Timedelta(hours=1)
    assert list(local["ds"].dt.strftime("%H:%M%z")) == ["02:30+0200", "02:30+0100"]
    utc = read_history(path)
    assert str(utc["ds"].dt.tz) == "UTC"
    assert list(utc["ds"].dt.strftime("%H:%M")) == ["00:30", "01:30"]
    mixed = "queue,ds,volume\nq,2026-10-25T02:30:00+02:00,1\nq,2026-10-25 03:30,2\n"
    with pytest.raises(DataFileError, match=r"row 2 \(line 3\), column 'ds': timestamp "):
        read_history(write(tmp_path, mixed))


def test_read_history_offsets_converted_to_tz(tmp_path):
    text = "queue,ds,volume\nq,2026-03-29T00:30:00+00:00,1\nq,2026-03-29T01:00:00+00:00,2\n"
    out = read_history(write(tmp_path, text), tz="Europe/Amsterdam")
    assert list(out["ds"].dt.strftime("%H:%M")) == ["01:30", "03:00"]


def test_read_history_round_trips_the_sample_as_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    history, _ = load_sample()
    path = tmp_path / "h.parquet"
    history.to_parquet(path)
    out = read_history(path)
    pd.testing.assert_frame_equal(out, history.astype({"volume": np.float64}))


@pytest.mark.parametrize(
    "text, kwargs, message",
    [
        (
            "queue,when,volume\nq,2026-01-05 07:00,1\n",
            {},
            "history.csv: the file has no column 'ds' (it has ['queue', 'when', 'volume']); "
            "rename the column or pass ds_col=<name>",
        ),
        (
            "queue,ds,calls\nq,2026-01-05 07:00,1\n",
            {},
            "history.csv: the file has no column 'volume' (it has ['queue', 'ds', 'calls']); "
            "rename the column or pass volume_col=<name>",
        ),
        (
            "ds,volume\n2026-01-05 07:00,1\n",
            {},
            "history.csv: the file has no column 'queue' (it has ['ds', 'volume']); rename the "
            "column, pass queue_col=<name>, or queue_col=None for a single-queue file",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\n",
            {"aht_col": "handle_s"},
            "history.csv: the file has no column 'handle_s' (it has ['queue', 'ds', 'volume']); "
            "rename the column or pass aht_col=<name>",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\nq,2026-01-05 07:30,2\nq,05/01/2026 25:00,3\n",
            {},
            "history.csv, row 3 (line 4), column 'ds': timestamp '05/01/2026 25:00' has no "
            "stated day/month order (05/01/2026 is 5 January day first, 1 May month first); "
            "say which with dayfirst=True or dayfirst=False, or give date_format such as "
            "'%d/%m/%Y %H:%M'",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\nq,2026-01-05 07:30,2\nq,05/01/2026 25:00,3\n",
            {"dayfirst": True},
            "history.csv, row 3 (line 4), column 'ds': timestamp '05/01/2026 25:00' is not a "
            "valid day-first date",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\nq,2026-01-05 07:30,inf\n",
            {},
            "history.csv, row 2 (line 3), column 'volume': 'inf' is not a finite number; write "
            "the count (empty if unknown)",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\nq,,2\n",
            {},
            "history.csv, row 2 (line 3), column 'ds': timestamp is empty",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\nq,2026-01-05 07:30,-4\n",
            {},
            "history.csv, row 2 (line 3), column 'volume': volume must be >= 0, got -4",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,twelve\n",
            {},
            "history.csv, row 1 (line 2), column 'volume': 'twelve' is not a number",
        ),
        (
            "queue,ds,volume,aht_s\nq,2026-01-05 07:00,1,300\nq,2026-01-05 07:30,1,\n",
            {},
            "history.csv, row 2 (line 3), column 'aht_s': value is empty in an interval with "
            "1 contact(s); write its average handle time [s] (only an interval without "
            "contacts may leave it empty)",
        ),
        (
            "queue,ds,volume,aht_s\nq,2026-01-05 07:00,1,300\nq,2026-01-05 07:30,1,0\n",
            {},
            "history.csv, row 2 (line 3), column 'aht_s': aht_s must be > 0 [s], got 0",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\nq,2026-01-05 07:00,2\n",
            {},
            "history.csv, row 2 (line 3), column 'ds': queue 'q' has a second row for "
            "2026-01-05 07:00:00; keep one row per queue and interval",
        ),
        (
            "queue,ds,volume\nq,2026-01-05 07:00,1\n,2026-01-05 07:00,1\n",
            {},
            "history.csv, row 2 (line 3), column 'queue': queue id is empty",
        ),
        (
            "queue,ds,volume\n",
            {},
            "history.csv: the file has a header but no rows",
        ),
        ("", {}, "history.csv: the file is empty; write a header line and rows"),
    ],
)
def test_read_history_errors(tmp_path, text, kwargs, message):
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as info:
        read_history(path, **kwargs)
    assert str(info.value) == f"{tmp_path}/{message}"
    assert isinstance(info.value, ValueError)  # the command line turns it into one line


def test_read_history_error_attributes(tmp_path):
    path = write(tmp_path, "queue,ds,volume\nq,2026-01-05 07:00,1\nq,2026-01-05 07:30,-4\n")
    with pytest.raises(DataFileError) as info:
        read_history(path)
    err = info.value
    assert (err.path, err.column, err.row) == (str(path), "volume", 2)


def test_read_history_parquet_rows_have_no_line_numbers(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "h.parquet"
    pd.DataFrame(
        {"queue": ["q", "q"], "ds": ["2026-01-05 07:00", "soon"], "volume": [1, 2]}
    ).to_parquet(path)
    with pytest.raises(
        DataFileError, match=re.escape("h.parquet, row 2, column 'ds': cannot parse")
    ):
        read_history(path)


def test_read_history_file_type_and_missing_file(tmp_path):
    with pytest.raises(
        DataFileError, match=r"history\.xlsx: a spreadsheet is not read; save the sheet as CSV"
    ):
        read_history(tmp_path / "history.xlsx")
    with pytest.raises(FileNotFoundError, match=r"nope\.csv: no such history file"):
        read_history(tmp_path / "nope.csv")


EVENTS = """name,kind,date,start,end
launch,campaign,,2026-03-03 10:00,2026-03-03 16:00
new year,holiday,2026-01-01,,
open day,,2026-02-07,,
"""


def test_read_events_fills_date_start_end(tmp_path):
    out = read_events(write(tmp_path, EVENTS, "events.csv"))
    assert list(out.columns) == ["date", "start", "end", "name", "kind"]
    assert list(out["name"]) == ["new year", "open day", "launch"]  # sorted by start
    assert list(out["kind"]) == ["holiday", "event", "campaign"]
    assert out.loc[0, "start"] == pd.Timestamp("2026-01-01")
    assert out.loc[0, "end"] == pd.Timestamp("2026-01-02")
    assert out.loc[2, "date"] == pd.Timestamp("2026-03-03")


def test_read_events_reads_the_sample_file():
    from importlib import resources

    with resources.as_file(
        resources.files("staffplan.datasets").joinpath("sample_events.csv")
    ) as path:
        out = read_events(path)
    _, events = load_sample()
    pd.testing.assert_frame_equal(out, events)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "date,kind\n2026-01-01,holiday\n",
            "events.csv: the file has no column 'name' (it has ['date', 'kind']); add or rename it",
        ),
        (
            "name,kind\nx,holiday\n",
            "events.csv: the file needs a 'date' column (whole days) or 'start'/'end' columns "
            "(timestamps); it has ['name', 'kind']",
        ),
        (
            "name,date\nx,2026-01-01\ny,next tuesday\n",
            "events.csv, row 2 (line 3), column 'date': cannot parse timestamp 'next tuesday'; "
            "use a form such as '2026-01-05 07:30' (ISO 8601) or give date_format",
        ),
        (
            "name,start,end\nx,2026-03-03 16:00,2026-03-03 10:00\n",
            "events.csv, row 1 (line 2), column 'end': end 2026-03-03 10:00:00 is not after "
            "start 2026-03-03 16:00:00",
        ),
        (
            "name,date,start\nx,2026-01-01,\ny,,\n",
            "events.csv, row 2 (line 3), column 'date': the event has neither a date nor a start",
        ),
        (
            "name,date\nx,2026-01-01\n,2026-01-02\n",
            "events.csv, row 2 (line 3), column 'name': the event has no name",
        ),
    ],
)
def test_read_events_errors(tmp_path, text, message):
    path = write(tmp_path, text, "events.csv")
    with pytest.raises(DataFileError) as info:
        read_events(path)
    assert str(info.value) == f"{tmp_path}/{message}"
