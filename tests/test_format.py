"""Numbers as a planner reads them, shared by the report and the command line."""

from __future__ import annotations

import math

import pandas as pd

from staffplan._format import cell, table


def test_cells_read_as_a_planner_writes_them():
    # Hand-written expectations: thousands separators, percentages, unbounded waits.
    assert cell(3628.0, "paid_hours") == "3,628"
    assert cell(0.00688, "service_level") == "0.7%"
    assert cell(math.inf, "asa_s") == "unbounded"
    assert cell(math.nan, "asa_s") == "n/a"
    assert cell(-0.009, "sim_gap") == "-0.9 pp"
    assert cell(pd.Timestamp("2026-03-02 09:30"), "start") == "Mon 2026-03-02 09:30"


def test_table_formats_each_column_by_its_name():
    frame = pd.DataFrame(
        {
            "scenario": ["base", "+40%"],
            "paid_hours": [3628.0, 3741.5],
            "service_level": [0.828, 0.0069],
        }
    )
    out = table(frame)
    assert out.to_dict("list") == {
        "scenario": ["base", "+40%"],
        "paid_hours": ["3,628", "3,742"],
        "service_level": ["82.8%", "0.7%"],
    }
    assert frame["paid_hours"].tolist() == [3628.0, 3741.5]  # the input is not changed
