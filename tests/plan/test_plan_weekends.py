"""A Friday-Saturday weekend centre and a holiday calendar, end to end through the plan.

References: the generated history (Sunday-Thursday 08:00-16:00, Sunday 40%
busier, closed on the calendar's holidays) and the Erlang requirement being
monotone in volume (a busier day never needs fewer agent-intervals).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _plan_testdata import FAST, RULES

import staffplan
from staffplan.cli import main

holidays = pytest.importorskip("holidays")

SUNDAY_LIFT = 1.4


def _sun_thu_history(
    weeks: int = 6, seed: int = 5, *, closed: tuple[int, ...] = (4, 5), busy: int = 6
) -> pd.DataFrame:
    """08:00-16:00 from Sunday 2024-01-07, closed on ``closed`` weekdays and Saudi holidays;
    the ``busy`` weekday (after the rest days) is ``SUNDAY_LIFT`` busier."""
    rng = np.random.default_rng(seed)
    sa = holidays.country_holidays("SA", years=[2024])
    slots = pd.to_timedelta(8 * 60 + 30 * np.arange(16), unit="min")
    hour = 8 + 0.5 * np.arange(16)
    shape = np.exp(-0.5 * ((hour - 11.0) / 2.5) ** 2)
    shape /= shape.sum()
    frames = []
    for day in pd.date_range("2024-01-07", periods=7 * weeks, freq="D"):
        if day.day_of_week in closed or day.date() in sa:
            continue
        lam = 500.0 * shape * (SUNDAY_LIFT if day.day_of_week == busy else 1.0)
        frames.append(pd.DataFrame({"ds": day + slots, "volume": rng.poisson(lam), "aht_s": 240.0}))
    return pd.concat(frames, ignore_index=True).astype({"volume": float})


def test_a_friday_saturday_weekend_plan_staffs_sunday_to_thursday_only():
    hist = _sun_thu_history()
    start = pd.Timestamp("2024-02-18")  # the Sunday after the history
    p = staffplan.plan(
        hist, horizon="7D", start=start, rules=RULES, simulate=False, events="SA", **FAST
    )
    assert p.settings["roster_status"] in ("OPTIMAL", "FEASIBLE")
    for frame in (p.forecast, p.requirements):
        assert set(frame["ds"].dt.day_of_week) == {6, 0, 1, 2, 3}  # no Friday, no Saturday
    starts = pd.to_datetime(p.roster["start"])
    assert not starts.dt.day_of_week.isin([4, 5]).any()
    need = p.requirements.groupby(p.requirements["ds"].dt.normalize())["agents"].sum()
    sunday, monday = need[start], need[start + pd.Timedelta(days=1)]
    assert sunday > 1.15 * monday  # the day after the weekend carries its backlog
    # Founding Day (Thursday 22 Feb) is in no history: it follows the nearest rest day,
    # Friday, which is closed, so nobody is rostered that day.
    founding = pd.Timestamp("2024-02-22")
    assert need[founding] == 0
    assert not (starts.dt.normalize() == founding).any()


def test_a_six_day_week_closed_on_sunday_plans_monday_to_saturday():
    hist = _sun_thu_history(closed=(6,), busy=0)
    start = pd.Timestamp("2024-02-19")  # a Monday
    p = staffplan.plan(hist, horizon="7D", start=start, rules=RULES, simulate=False, **FAST)
    assert p.settings["roster_status"] in ("OPTIMAL", "FEASIBLE")
    assert set(p.requirements["ds"].dt.day_of_week) == {0, 1, 2, 3, 4, 5}
    assert not pd.to_datetime(p.roster["start"]).dt.day_of_week.eq(6).any()
    need = p.requirements.groupby(p.requirements["ds"].dt.normalize())["agents"].sum()
    assert need[start] > 1.15 * need[start + pd.Timedelta(days=1)]  # Monday's backlog


def test_the_cli_takes_holidays_and_refuses_an_unknown_code(tmp_path, capsys):
    hist = _sun_thu_history(weeks=5)
    path = tmp_path / "history.csv"
    hist.to_csv(path, index=False)
    out = tmp_path / "fc.csv"
    assert (
        main(["forecast", str(path), "--horizon", "7D", "--out", str(out), "--holidays", "SA"]) == 0
    )
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert set(fc["ds"].dt.day_of_week) == {6, 0, 1, 2, 3}
    rc = main(["forecast", str(path), "--horizon", "7D", "--out", str(out), "--holidays", "QQ"])
    err = capsys.readouterr().err
    assert rc != 0
    assert "--holidays must be a holiday calendar code, got 'QQ'" in err
    assert "list_supported_countries" in err
