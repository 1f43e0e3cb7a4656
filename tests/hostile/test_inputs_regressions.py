"""Named regression cases: each input defect once found, and what now happens instead.

Every case runs through the same judge as the property tests (so it is counted in the
outcome table) and then asserts the exact behaviour: the value, or the message naming
the parameter, file, column or row and the fix.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest
from _hostile_inputs import assert_allowed, base_history, classify_error, judge, run_cli

import staffplan
from staffplan import datasets, erlang, forecast, roster

FAST = {"simulate": False, "time_limit_s": 3.0, "forecast_method": "snaive", "num_workers": 1}
START = "2026-01-26"  # the Monday after base_history(weeks=3)


def _refused(entry: str, call, match: str, exc=ValueError) -> str:
    out = judge(entry, "regression", call, lambda r: f"returned {r!r}")
    assert out[0] == "clear_error", out
    with pytest.raises(exc, match=match):
        call()
    return out[1]


# ------------------------------------------------------------------------- numerics
def test_required_agents_1e17_returns_nan_instead_of_running_forever():
    # 1e17 contacts x 180 s / 1800 s = 1e16 Erlangs: float64 cannot count single agents
    # there (2**53 ~ 9e15), so the documented answer is NaN, and it comes at once.
    t0 = time.perf_counter()
    out = judge(
        "erlang.required_agents",
        "regression",
        lambda: erlang.required_agents(1e17, 180),
        lambda r: bool(np.isnan(r)) or f"{r}",
    )
    assert out == ("correct", "")
    assert time.perf_counter() - t0 < 5.0  # a guard against a hang, not a benchmark


def test_required_agents_at_1e12_erlangs_meets_its_own_target():
    # Halfin-Whitt limit: at this load C ~ 1, so SL = 1 - exp(-(n - a) t / aht) and 80/20
    # with AHT 180 s needs n - a >= 9 ln 5 = 14.48: 15 agents above the load, not 14.
    n = erlang.required_agents(1e13, 180)
    assert n == 1e12 + 15
    assert (
        erlang.service_level(n, 1e12, 180, 20) >= 0.8 > erlang.service_level(n - 1, 1e12, 180, 20)
    )
    with_shrinkage = erlang.required_agents(1e13, 180, shrinkage=0.3)
    assert with_shrinkage == np.ceil((1e12 + 15) / 0.7)  # 1428571428593


def test_huge_agent_counts_are_not_nan():
    # scipy's incomplete gamma is NaN for shapes near 1.6e308; B and C are 0 there.
    assert erlang.erlang_b([1.6363308087894492e308], 3.0)[0] == 0.0
    assert erlang.erlang_c(1.7e308, 3.0) == 0.0
    assert erlang.service_level(1.7e308, 3.0, 180, 20) == 1.0


def test_ragged_list_names_the_parameter_without_numpy_text():
    msg = _refused(
        "erlang.required_agents",
        lambda: erlang.required_agents([100, [200, 300]], 180),
        r"^volume must be numeric .*ragged",
        TypeError,
    )
    assert "inhomogeneous" not in msg and "setting an array element" not in msg


@pytest.mark.parametrize(
    "bad, shown",
    [
        (None, "got None"),
        ([100.0, None], "got an element None"),
        (dt.datetime(2024, 1, 1), "datetime"),
        (np.datetime64("2024-01-01"), "got timestamps"),
        (5 + 1j, "got complex numbers"),
        (np.array([1 + 2j]), "got complex numbers"),
        ("100", "got '100'"),
        (True, "got booleans"),
    ],
)
def test_none_datetimes_complex_text_and_bools_are_refused_not_coerced(bad, shown):
    _refused(
        "erlang.erlang_c",
        lambda: erlang.erlang_c(10, bad),
        rf"^traffic_erl must be numeric .*{shown}",
        TypeError,
    )


def test_nan_in_a_scalar_target_gives_nan_where_it_applies():
    out = erlang.required_agents([100.0, 0.0, 200.0], 180, service_level=np.nan)
    assert np.isnan(out).all()
    mixed = erlang.required_agents([100.0, 200.0], 180, service_level=[np.nan, 0.8])
    assert np.isnan(mixed[0]) and mixed[1] == erlang.required_agents(200.0, 180)
    sl = erlang.service_level(14, 10.0, 180, [np.nan, 20.0])
    assert np.isnan(sl[0]) and sl[1] == erlang.service_level(14, 10.0, 180, 20.0)
    # A bad (not missing) target is still a structural mistake.
    _refused(
        "erlang.required_agents",
        lambda: erlang.required_agents(100, 180, service_level=1.5),
        r"service_level must be in \(0, 1\), got 1.5",
    )


# ------------------------------------------------------------------------- forecast
def test_inf_volume_in_a_frame_is_refused_naming_the_column():
    h = base_history()
    h.loc[7, "volume"] = np.inf
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, "2D", method="snaive"),
        r"history\['volume'\] must be finite, at most 1e\+12 contacts per interval, got inf "
        r"\(queue 'a', ds 2026-01-05 11:30:00\)",
    )


def test_inf_volume_in_a_file_is_refused_by_the_command_naming_row_and_column(tmp_path):
    h = base_history()
    h.loc[7, "volume"] = np.inf
    src = tmp_path / "h.csv"
    h.to_csv(src, index=False)
    code, err = run_cli(["forecast", str(src), "--out", str(tmp_path / "fc.csv")])
    assert code == 2
    assert err.strip().splitlines()[-1] + "\n" == (
        f"staffplan forecast: error: {src}: history['volume'] must be finite, at most 1e+12 "
        "contacts per interval, got inf (queue 'a', ds 2026-01-05 11:30:00); an unknown "
        "interval is NaN\n"
    )
    # The same file through the history reader names the row too.
    with pytest.raises(datasets.DataFileError, match=r"row 8 \(line 9\), column 'volume': 'inf'"):
        datasets.read_history(src)
    assert not (tmp_path / "fc.csv").exists()


def test_all_zero_history_is_refused_instead_of_an_empty_forecast():
    h = base_history()
    h["volume"] = 0.0
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, "7D", method="snaive"),
        r"history\['volume'\] is 0 in every interval for queue 'a'",
    )


def test_empty_queue_id_is_refused_by_forecast_and_plan():
    h = base_history(queues=("a", "b"))
    h["queue"] = h["queue"].astype(object)
    h.loc[3, "queue"] = None
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, "1D", method="snaive"),
        r"history\['queue'\] is empty in row 4",
    )
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(h, horizon="1D", start=START, **FAST),
        r"history\['queue'\] is empty in row 4",
    )


# ----------------------------------------------------------- interval_min and horizon
def test_interval_min_that_disagrees_with_the_history_is_refused():
    h = base_history()  # 30-minute intervals
    fix = r"history\['ds'\] \(queue 'a'\): the intervals are 30 min apart, not interval_min=15"
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, "2D", method="snaive", interval_min=15),
        fix,
    )
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(h, horizon="1D", start=START, interval_min=15, **FAST),
        r"history\['ds'\]: the intervals are 30 min apart, not interval_min=15; pass "
        r"interval_min=30 or leave it out",
    )


@pytest.mark.parametrize("horizon", ["7", " 7 ", "7.5", "1e3"])
def test_unitless_text_horizon_is_refused_everywhere(horizon):
    h = base_history()
    msg = rf"horizon '{horizon}' has no unit: write '{horizon.strip()}D' for days"
    _refused("forecast.forecast", lambda: forecast.forecast(h, horizon, method="snaive"), msg)
    _refused("staffplan.plan", lambda: staffplan.plan(h, horizon=horizon, start=START, **FAST), msg)


def test_generic_timedelta64_horizon_is_refused():
    h = base_history()
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, np.timedelta64(7), method="snaive"),
        r"has no unit; give it one, e.g. np.timedelta64\(7, 'D'\)",
    )


def test_an_int_horizon_counts_intervals_the_same_in_forecast_and_plan():
    h = base_history()
    # 48 intervals of 30 min = 1 day, in every entry point.
    by_int = forecast.forecast(h, 48 * 3, method="snaive")
    by_text = forecast.forecast(h, "3D", method="snaive")
    pd.testing.assert_frame_equal(by_int, by_text)
    p = staffplan.plan(h, horizon=16, start=START + " 08:00", **FAST)
    assert pd.Timestamp(p.settings["end"]) - pd.Timestamp(p.settings["start"]) == pd.Timedelta(
        hours=8
    )
    assert p.requirements["ds"].max() < pd.Timestamp(START + " 16:00")


# ------------------------------------------------------------------------- pooling
def test_pooled_queue_without_aht_is_refused_naming_the_queue():
    h = base_history(queues=("a", "b", "c"))
    h.loc[h["queue"] == "b", "aht_s"] = np.nan
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(h, horizon="1D", start=START, **FAST),
        r"queue\(s\) 'b' have contacts but no usable AHT in \d+ interval\(s\) .* "
        r"pass aht_s=",
    )
    # The fix the message names works, and pools all three queues' work.
    full = staffplan.plan(h, horizon="1D", start=START, aht_s=240.0, **FAST)
    whole = staffplan.plan(base_history(queues=("a", "b", "c")), horizon="1D", start=START, **FAST)
    # History AHT is 240 s everywhere: the same pooled requirement, interval for interval
    # (paid hours would also depend on how far a loaded machine let the roster search run).
    np.testing.assert_allclose(
        full.requirements["scheduled"], whole.requirements["scheduled"], rtol=1e-12
    )
    assert full.requirements["volume"].sum() == pytest.approx(whole.requirements["volume"].sum())


# ---------------------------------------------------------------------- timestamps
DMY = "queue,ds,volume\nq,05/01/2026 08:00,1\nq,13/01/2026 08:00,2\n"


def test_day_month_order_is_refused_unless_stated(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(DMY)
    msg = _refused(
        "datasets.read_history",
        lambda: datasets.read_history(path),
        r"row 1 \(line 2\), column 'ds': timestamp '05/01/2026 08:00' has no stated day/month "
        r"order .*dayfirst=True or dayfirst=False.*\(row 2 has '13/01/2026 08:00', which "
        r"reads day first\)",
    )
    assert "05/01" in msg
    day_first = datasets.read_history(path, dayfirst=True)
    assert list(day_first["ds"]) == [
        pd.Timestamp("2026-01-05 08:00"),
        pd.Timestamp("2026-01-13 08:00"),
    ]
    by_format = datasets.read_history(path, date_format="%d/%m/%Y %H:%M")
    pd.testing.assert_frame_equal(day_first, by_format)
    _refused(
        "datasets.read_history",
        lambda: datasets.read_history(path, dayfirst=False),
        r"timestamp '13/01/2026 08:00' is not a valid month-first date",
    )


def test_day_month_order_on_the_command_line(tmp_path):
    h = base_history()
    src = tmp_path / "h.csv"
    h.assign(ds=h["ds"].dt.strftime("%d/%m/%Y %H:%M")).to_csv(src, index=False)
    out = tmp_path / "fc.csv"
    code, err = run_cli(["forecast", str(src), "--out", str(out), "--method", "snaive"])
    assert code == 2 and err.count(": error: ") == 1
    assert "say which with --dayfirst or --monthfirst, or give --date-format" in err
    args = ["forecast", str(src), "--out", str(out), "--method", "snaive", "--horizon", "3D"]
    assert run_cli([*args, "--dayfirst"])[0] == 0
    first = pd.read_csv(out, parse_dates=["ds"])["ds"].min()
    assert first == pd.Timestamp("2026-01-26 08:00")  # the Monday after Friday 23 January


def test_iso_timestamps_need_no_order(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("queue,ds,volume\nq,2026-01-05T08:00:00,1\nq,2026-01-05 08:30,2\n")
    assert list(datasets.read_history(path)["ds"].dt.minute) == [0, 30]


def test_dst_gap_and_repeat_are_named_by_row(tmp_path):
    # Europe/Amsterdam: 02:00-03:00 is skipped on 2026-03-29 and repeated on 2026-10-25.
    gap = tmp_path / "gap.csv"
    gap.write_text("queue,ds,volume\nq,2026-03-29 01:30,1\nq,2026-03-29 02:30,1\n")
    _refused(
        "datasets.read_history",
        lambda: datasets.read_history(gap, tz="Europe/Amsterdam"),
        r"row 2 \(line 3\), column 'ds': wall-clock time 2026-03-29 02:30:00 does not exist "
        r"\(the hour skipped when clocks go forward\) in Europe/Amsterdam",
    )
    # With offsets the instants are explicit and both days read.
    ok = tmp_path / "ok.csv"
    ok.write_text("queue,ds,volume\nq,2026-10-25 02:30+02:00,1\nq,2026-10-25 02:30+01:00,1\n")
    read = datasets.read_history(ok, tz="Europe/Amsterdam")
    assert read["ds"].diff().iloc[1] == pd.Timedelta(hours=1)
    # Without tz, naive wall-clock times stay naive: no zone, nothing moved.
    assert datasets.read_history(gap)["ds"].dt.tz is None


def test_text_timestamps_in_a_frame_are_not_guessed():
    h = base_history()
    h["ds"] = h["ds"].dt.strftime("%d/%m/%Y %H:%M")
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, "2D", method="snaive"),
        r"history\['ds'\], row 1: timestamp '05/01/2026 08:00' has no stated day/month",
    )
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(h, horizon="1D", **FAST),
        r"history\['ds'\], row 1: timestamp '05/01/2026 08:00'",
    )
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(base_history(), horizon="1D", start="05/01/2026", **FAST),
        r"start, row 1: timestamp '05/01/2026' has no stated day/month order",
    )


def test_numbers_as_timestamps_are_refused():
    h = base_history()
    h["ds"] = h["ds"].astype("int64")
    _refused(
        "forecast.forecast",
        lambda: forecast.forecast(h, "2D", method="snaive"),
        r"history\['ds'\] must hold timestamps, got numbers \(dtype int64\)",
    )


# --------------------------------------------------------------------------- roster
def test_requirement_beyond_any_centre_is_refused_not_rostered_for_ever():
    shift = roster.ShiftRules(
        earliest_start="08:00", latest_start="12:00", start_step_min=60, lengths_min=(240,)
    )
    _refused(
        "roster.make_instance+solve",
        lambda: roster.make_instance(
            [1, 2, 6e16, 1],
            interval_min=60,
            start="2024-01-01 08:00",
            shifts=shift,
            lunch=None,
            span=None,
        ),
        r"requirements must be at most 50,000 agents per interval, got 6e\+16",
    )


def test_shift_lengths_must_be_a_sequence():
    _refused(
        "roster.make_instance+solve",
        lambda: roster.ShiftRules(lengths_min=480),
        r"ShiftRules 'shift': lengths_min must be a sequence such as \(480,\), got 480",
        TypeError,
    )


def test_the_judge_tells_a_raw_error_from_a_clear_one():
    try:
        {}["missing"]
    except KeyError as exc:
        assert classify_error(exc) == "crash"
    try:
        np.asarray([1, [2, 3]], dtype=float)
    except ValueError as exc:  # numpy's own text, raised inside numpy
        assert classify_error(exc) == "crash"
    try:
        erlang.erlang_c(10, -1.0)
    except ValueError as exc:
        assert classify_error(exc) == "clear_error"
    assert_allowed(("correct", ""))


def test_event_dates_in_a_plan_are_not_guessed():
    h = base_history()
    garbage = pd.DataFrame({"date": ["garbage"], "name": ["x"]})
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(h, horizon="1D", start=START, events=garbage, **FAST),
        r"events\['date'\], row 1: cannot parse timestamp 'garbage'",
    )
    # 05/02/2026 would have been read as 2 May and the event dropped from the plan unseen.
    ambiguous = pd.DataFrame({"date": ["05/02/2026"], "name": ["x"]})
    _refused(
        "staffplan.plan",
        lambda: staffplan.plan(h, horizon="1D", start=START, events=ambiguous, **FAST),
        r"events\['date'\], row 1: timestamp '05/02/2026' has no stated day/month order",
    )
