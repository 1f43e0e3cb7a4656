"""Where a plan starts by default: the centre's next operating day after the history.

A night centre open 22:00-06:00 whose history ends at 06:00 used to be planned from the
next midnight: its first night lost 22:00-24:00 (nobody rostered for it, no requirement
row, no word about it).  The default start is now the start of the next operating day
(:func:`staffplan.intervals.next_operating_day`): 22:00 for that centre, the next
midnight as before for a day centre, a split day and a 24/7 centre.

References are hand-checkable: the made-up histories below have known opening hours, so
the first night's 16 half hours (22:00-05:30) and the old rule for day centres (the
midnight after the last interval, ``(last + step).ceil("D")``) are known without the code.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan import intervals, roster
from staffplan.cli import main
from staffplan.plan._pipeline import plan_window
from staffplan.roster import _search, _solve

FAST = {"time_limit_s": 3.0, "num_workers": 1, "rng": 1, "forecast_method": "profile"}

# The night history: 42 nights, the first opening Sunday 4 January 2026 at 22:00, the
# last closing Sunday 15 February at 06:00 (last interval 05:30).
NIGHT_OPENS = pd.Timestamp("2026-01-04 22:00")
FIRST_NIGHT = pd.Timestamp("2026-02-15 22:00")


def centre_history(
    hours: list[tuple[str, str]],
    *,
    first: str = "2026-01-05",
    days: int = 42,
    interval_min: int = 30,
    seed: int = 5,
) -> pd.DataFrame:
    """``days`` days of Poisson contacts in each ``(open, close)`` block of the day.

    A block whose close is not after its open crosses midnight (``("22:00", "06:00")``):
    its day is the day it opens.  Outside the blocks there are no rows.
    """
    rng = np.random.default_rng(seed)
    step = pd.Timedelta(minutes=interval_min)
    frames = []
    for day in pd.date_range(first, periods=days, freq="D"):
        for open_, close in hours:
            lo = day + pd.Timedelta(open_ + ":00")
            hi = day + pd.Timedelta(close + ":00")
            if hi <= lo:
                hi += pd.Timedelta(days=1)
            ds = pd.date_range(lo, hi, freq=step, inclusive="left")
            frames.append(
                pd.DataFrame(
                    {"ds": ds, "volume": rng.poisson(40, len(ds)).astype(float), "aht_s": 300.0}
                )
            )
    return pd.concat(frames, ignore_index=True)


def night_history(interval_min: int = 30) -> pd.DataFrame:
    return centre_history(
        [("22:00", "06:00")], first=str(NIGHT_OPENS.date()), interval_min=interval_min
    )


SHAPES = {
    "day": [("07:00", "21:00")],
    "split": [("08:00", "12:00"), ("14:00", "19:00")],
    "24/7": [("00:00", "00:00")],
}


def _window(history: pd.DataFrame, start=None, horizon="7D", interval_min=30):
    notes: list[str] = []
    span = intervals.horizon_span(horizon, interval_min)
    first, end = plan_window(
        history["ds"], start, span, interval_min, volume=history["volume"], notes=notes
    )
    return first, end, notes


# -- the operating day helpers, by hand ----------------------------------------------


def _mask(blocks: list[tuple[str, str]], interval_min: int = 30) -> np.ndarray:
    one_day = centre_history(blocks, days=1, interval_min=interval_min)
    return intervals.daily_open_mask(one_day["ds"], np.ones(len(one_day)), interval_min)


@pytest.mark.parametrize("interval_min", [15, 30, 60])
@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("2026-02-15 06:00", "2026-02-15 22:00"),  # the history ends at closing
        ("2026-02-15 22:00", "2026-02-15 22:00"),  # at opening: that night
        ("2026-02-15 23:00", "2026-02-16 22:00"),  # mid-night: the next whole one
        ("2026-02-16 02:00", "2026-02-16 22:00"),
    ],
)
def test_a_night_centre_starts_its_day_at_opening(after, expected, interval_min):
    night = _mask([("22:00", "06:00")], interval_min)
    assert night.sum() == 8 * 60 // interval_min  # 22:00-06:00 by construction
    got = intervals.next_operating_day(pd.Timestamp(after), night, interval_min)
    assert got == pd.Timestamp(expected)


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("after", ["2026-02-15 00:00", "2026-02-15 06:00", "2026-02-15 21:00"])
def test_day_split_and_round_the_clock_centres_start_at_the_next_midnight(shape, after):
    mask = _mask(SHAPES[shape])
    got = intervals.next_operating_day(pd.Timestamp(after), mask, 30)
    assert got == pd.Timestamp(after).ceil("D")  # the rule before: the next midnight


def test_a_tz_aware_night_starts_at_opening_in_its_zone():
    night = _mask([("22:00", "06:00")])
    after = pd.Timestamp("2026-02-15 06:00", tz="Europe/Berlin")
    got = intervals.next_operating_day(after, night, 30)
    assert got == pd.Timestamp("2026-02-15 22:00", tz="Europe/Berlin")


def test_the_open_mask_counts_contacts_of_any_queue_and_not_empty_rows():
    ds = pd.to_datetime(["2026-01-05 07:00", "2026-01-05 07:30", "2026-01-05 23:00"] * 2)
    volume = [3.0, 0.0, np.nan, 0.0, 0.0, 1.0]  # two queues: 07:00 by one, 23:00 by the other
    mask = intervals.daily_open_mask(ds, volume, 30)
    assert np.flatnonzero(mask).tolist() == [14, 46]


# -- the plan's window -----------------------------------------------------------------


@pytest.mark.parametrize("interval_min", [15, 30, 60])
@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("trim_h", [0, 5])  # the history ends at closing, or mid-day
def test_other_centres_keep_the_midnight_after_the_history(shape, interval_min, trim_h):
    history = centre_history(SHAPES[shape], interval_min=interval_min)
    history = history[history["ds"] <= history["ds"].max() - pd.Timedelta(hours=trim_h)]
    step = pd.Timedelta(minutes=interval_min)
    first, end, notes = _window(history, interval_min=interval_min)
    assert first == (history["ds"].max() + step).ceil("D")
    assert end == first + pd.Timedelta(days=7)
    if trim_h:
        # Ended mid-day: the rest of that day is not planned, and the plan says so.
        after = history["ds"].max() + step
        assert len(notes) == 1 and "is not planned" in notes[0]
        assert f"pass start={after:%Y-%m-%d %H:%M}" in notes[0]
    else:
        assert notes == []


def test_a_history_ending_mid_night_says_the_rest_of_the_night_is_not_planned():
    # By hand: the last night opened Saturday 14 February at 22:00 and closes at 06:00; a
    # history ending at 02:00 leaves 02:00-06:00 (4 hours) before the next whole night.
    history = night_history()
    history = history[history["ds"] < pd.Timestamp("2026-02-15 02:00")]
    first, _, notes = _window(history)
    assert first == FIRST_NIGHT
    assert len(notes) == 1
    assert "ends at 2026-02-15 02:00, inside the centre's operating day" in notes[0]
    assert "(2026-02-14 22:00-06:00)" in notes[0]
    assert "the rest of that day (4 hours) is not planned" in notes[0]


@pytest.mark.parametrize("interval_min", [15, 30, 60])
def test_a_night_centres_7_days_are_7_whole_nights(interval_min):
    history = night_history(interval_min)
    assert history["ds"].max() == pd.Timestamp("2026-02-15 06:00") - pd.Timedelta(
        minutes=interval_min
    )
    first, end, notes = _window(history, interval_min=interval_min)
    assert (first, end, notes) == (FIRST_NIGHT, FIRST_NIGHT + pd.Timedelta(days=7), [])


def test_a_tz_aware_night_centres_week_runs_from_opening_to_opening_over_a_clock_change():
    # 42 nights up to the morning of Thursday 26 March 2026; clocks go forward on the 29th.
    naive = centre_history([("22:00", "06:00")], first="2026-02-12")
    history = naive.assign(ds=naive["ds"].dt.tz_localize("Europe/Berlin"))
    first, end, notes = _window(history)
    assert first == pd.Timestamp("2026-03-26 22:00", tz="Europe/Berlin")
    assert end == pd.Timestamp("2026-04-02 22:00", tz="Europe/Berlin")  # 7 nights, 167 h
    assert end - first == pd.Timedelta(hours=167) and notes == []


def test_a_given_start_is_kept_and_one_cutting_the_night_says_how_to_fix_it():
    history = night_history()
    first, end, notes = _window(history, start="2026-02-16")
    assert first == pd.Timestamp("2026-02-16 00:00") and end == pd.Timestamp("2026-02-23")
    assert len(notes) == 1
    assert "cuts the centre's operating day in half" in notes[0]
    assert "first 2 hours are not planned" in notes[0]
    assert "start at 2026-02-15 22:00" in notes[0]
    for whole in ("2026-02-15 22:00", "2026-02-16 06:00", "2026-02-16 12:00"):
        assert _window(history, start=whole)[2] == []  # at opening or while closed


def test_a_given_start_inside_a_day_centres_hours_gets_the_note_too():
    history = centre_history(SHAPES["split"])
    day = history["ds"].max().normalize() + pd.Timedelta(days=1)
    notes = _window(history, start=day + pd.Timedelta(hours=13))[2]  # in the lunch closure
    assert len(notes) == 1 and f"start at {day + pd.Timedelta(hours=8):%Y-%m-%d %H:%M}" in notes[0]
    assert _window(history, start=day)[2] == []


# -- the plan, in Python and on the command line ----------------------------------------


@pytest.fixture(scope="module")
def night_plan():
    # A deterministic roster budget well inside the wall clock (as in
    # tests/cli/test_chain_equals_plan.py): the same roster on a busy machine.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_search, "DET_PER_S", _search.DET_PER_S / 8)
        mp.setattr(_solve, "_MIP_S_PER_NODE_SIZE", _solve._MIP_S_PER_NODE_SIZE * 8)
        kw = {**FAST, "time_limit_s": 20.0}
        return staffplan.plan(night_history(), horizon="7D", simulate=False, **kw)


def test_the_plan_of_a_night_centre_starts_with_a_whole_night(night_plan):
    p = night_plan
    assert pd.Timestamp(p.settings["start"]) == FIRST_NIGHT
    assert pd.Timestamp(p.settings["end"]) == FIRST_NIGHT + pd.Timedelta(days=7)
    reqs = p.requirements
    nights = intervals.operating_day(reqs["ds"], 22 * 60)
    # 7 operating days of 16 half hours each, the first one from 22:00 to 05:30.
    assert nights.value_counts().sort_index().tolist() == [16] * 7
    first = reqs[nights == FIRST_NIGHT.normalize()]
    assert first["ds"].iloc[0] == FIRST_NIGHT
    assert first["ds"].iloc[-1] == pd.Timestamp("2026-02-16 05:30")
    assert (first["scheduled"] > 0).all()
    # The evening of the first night is rostered: agents on the floor at 22:00-24:00.
    cov = p.coverage.set_index("ds")
    evening = cov.loc[FIRST_NIGHT : FIRST_NIGHT + pd.Timedelta(minutes=90)]
    assert len(evening) == 4 and (evening["required"] > 0).all()
    assert (evening["on_floor"] > 0).all()
    if not any("too busy for the roster" in w for w in p.warnings):
        assert (evening["on_floor"] >= evening["required"]).all()
    # Nothing is rostered outside the plan's window.
    assert p.roster["start"].min() == FIRST_NIGHT
    assert p.roster["end"].max() <= FIRST_NIGHT + pd.Timedelta(days=7)
    assert not any("cuts the centre's operating day" in w for w in p.warnings)


def test_python_warns_when_a_given_start_cuts_the_first_night():
    p = staffplan.plan(night_history(), horizon="1D", start="2026-02-16", simulate=False, **FAST)
    assert p.settings["start"] == "2026-02-16 00:00:00"
    notes = [w for w in p.warnings if "cuts the centre's operating day" in w]
    assert len(notes) == 1 and "start at 2026-02-15 22:00" in notes[0]


@pytest.mark.parametrize("shape", ["day", "24/7"])
def test_day_and_round_the_clock_plans_are_those_of_the_old_start(shape, monkeypatch):
    # A small deterministic roster budget well inside a 20 s wall clock (as in
    # tests/cli/test_chain_equals_plan.py), so that equal instances give equal rosters.
    monkeypatch.setattr(_search, "DET_PER_S", _search.DET_PER_S / 32)
    monkeypatch.setattr(_solve, "_MIP_S_PER_NODE_SIZE", _solve._MIP_S_PER_NODE_SIZE * 32)
    asked: list[tuple[Any, Any]] = []
    solve = roster.solve

    def recorded(instance: Any, **kwargs: Any) -> Any:
        res = solve(instance, **kwargs)
        asked.append((instance, res))
        return res

    monkeypatch.setattr(roster, "solve", recorded)
    history = centre_history(SHAPES[shape], days=28)
    old = (history["ds"].max() + pd.Timedelta(minutes=30)).ceil("D")  # the rule before
    kw = {**FAST, "time_limit_s": 20.0, "horizon": "2D", "simulate": False}
    new = staffplan.plan(history, **kw)
    given = staffplan.plan(history, start=old, **kw)
    assert new.settings["start"] == str(old)
    assert new.settings["end"] == str(old + pd.Timedelta(days=2))
    pd.testing.assert_frame_equal(new.forecast, given.forecast)
    pd.testing.assert_frame_equal(new.requirements, given.requirements)
    (a, ra), (b, rb) = asked
    assert a.start == b.start == old  # the roster's grid, and what it asks for
    np.testing.assert_array_equal(a.required, b.required)
    assert a.shifts == b.shifts
    if not (ra.solver_parameters.get("wall_limited") or rb.solver_parameters.get("wall_limited")):
        pd.testing.assert_frame_equal(new.coverage, given.coverage)
        pd.testing.assert_frame_equal(new.roster, given.roster)
    # The same notes (the solver's wall time in them aside), and none about the start.
    assert [_untimed(w) for w in new.warnings] == [_untimed(w) for w in given.warnings]


def _untimed(note: str) -> str:
    return re.sub(r"after [\d.]+ s\b", "after _ s", note)


def test_the_command_line_plans_the_whole_first_night(tmp_path, capsys):
    src = tmp_path / "night.csv"
    night_history().to_csv(src, index=False)
    out = tmp_path / "plan"
    argv = ["plan", str(src), "--out", str(out), "--horizon", "2D", "--no-report"]
    argv += ["--no-simulate", "--time-limit-s", "3", "--forecast-method", "profile"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "plan 2026-02-15 22:00 .. 2026-02-17 22:00:" in printed
    settings = json.loads((out / "plan.json").read_text())["settings"]
    assert settings["start"] == "2026-02-15 22:00:00"
    reqs = pd.read_csv(out / "requirements.csv", parse_dates=["ds"])
    assert reqs["ds"].iloc[0] == FIRST_NIGHT and len(reqs) == 2 * 16
    cov = pd.read_csv(out / "coverage.csv", parse_dates=["ds"]).set_index("ds")
    evening = cov.loc[FIRST_NIGHT : FIRST_NIGHT + pd.Timedelta(minutes=90)]
    assert (evening["required"] > 0).all() and (evening["on_floor"] >= evening["required"]).all()


def test_the_forecast_command_covers_the_same_whole_nights(tmp_path, capsys):
    src = tmp_path / "night.csv"
    night_history().to_csv(src, index=False)
    out = tmp_path / "fc.csv"
    base = ["forecast", str(src), "--out", str(out), "--method", "profile", "--horizon", "7D"]
    assert main([*base, "--quiet"]) == 0
    fc = pd.read_csv(out, parse_dates=["ds"])
    nights = intervals.operating_day(fc["ds"], 22 * 60)
    assert fc["ds"].iloc[0] == FIRST_NIGHT
    assert nights.value_counts().sort_index().tolist() == [16] * 7
    capsys.readouterr()
    assert main([*base, "--start", "2026-02-16", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "cuts the centre's operating day in half" in err
    assert "start at 2026-02-15 22:00" in err


def test_a_short_saturday_ending_at_its_own_close_leaves_nothing_unplanned():
    # Weekdays 07:00-21:00, Saturday 09:00-17:00 (the sample centre's week), Sunday closed:
    # a history ending at Saturday's close has no rest of day; one ending at Saturday noon
    # leaves 12:00-17:00 (5 hours, by hand), not the weekdays' 12:00-21:00.
    week = centre_history([("07:00", "21:00")], first="2026-01-05", days=41)  # Mon..Sat
    day = week["ds"].dt.normalize()
    hour = week["ds"].dt.hour
    saturday = day.dt.day_of_week == 5
    week = week[~(day.dt.day_of_week == 6) & (~saturday | ((hour >= 9) & (hour < 17)))]
    assert week["ds"].max() == pd.Timestamp("2026-02-14 16:30")  # a Saturday
    assert _window(week)[2] == []
    noon = week[week["ds"] < pd.Timestamp("2026-02-14 12:00")]
    notes = _window(noon)[2]
    assert len(notes) == 1
    assert "(2026-02-14 09:00-17:00)" in notes[0]
    assert "the rest of that day (5 hours) is not planned" in notes[0]
