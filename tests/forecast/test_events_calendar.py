"""Holiday calendars as events: learned closures, the day before/after, fallbacks, bad codes.

References: the generator of each history knows its truth (closed on the
calendar's holidays, a known lift on the open day after each one); the
neighbour days are checked by hand on a calendar; the holiday dates come from
the ``holidays`` package itself.
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from _synth import intraday_shape

from staffplan import datasets, forecast
from staffplan.forecast._events import DAY_AFTER, DAY_BEFORE, Occurrence, adjacent_occurrences

holidays = pytest.importorskip("holidays")

DAILY = 2000.0
LIFT = 1.3  # the open day after a holiday carries a 30% backlog


def _holiday_centre(*, open_on_holidays: float | None, end: str = "2024-04-26", rng: int = 0):
    """A Monday–Friday 08:00–18:00 centre in Germany, 2023-01-02 to ``end``.

    Closed on German public holidays (``open_on_holidays=None``) or open at that
    share of a normal day; the next open day after each holiday is ``LIFT`` busier.
    """
    gen = np.random.default_rng(rng)
    de = holidays.country_holidays("DE", years=[2023, 2024])
    days = pd.bdate_range("2023-01-02", end)
    hol = {d for d in days if d.date() in de}
    shape = intraday_shape(20)
    slots = pd.to_timedelta(8 * 60 + 30 * np.arange(20), unit="min")
    frames = []
    prev_hol = False
    for day in days:
        is_hol = day in hol
        if is_hol and open_on_holidays is None:
            prev_hol = True
            continue
        level = DAILY * (open_on_holidays if is_hol else (LIFT if prev_hol else 1.0))
        prev_hol = is_hol
        frames.append(pd.DataFrame({"ds": day + slots, "volume": gen.poisson(level * shape)}))
    return pd.concat(frames, ignore_index=True).astype({"volume": float})


def _by_day(out: pd.DataFrame) -> pd.Series:
    return out.groupby(out["ds"].dt.normalize())["volume"].sum()


def test_a_country_code_learns_each_holiday_and_the_backlog_the_day_after():
    hist = _holiday_centre(open_on_holidays=None)
    out = forecast.forecast(hist, "14D", events="DE", method="profile")
    day = _by_day(out)
    assert day[pd.Timestamp("2024-05-01")] == 0.0  # Labour Day: closed in 2023, so closed
    assert day[pd.Timestamp("2024-05-09")] == 0.0  # Ascension Day
    ordinary = day[[pd.Timestamp(d) for d in ("2024-04-29", "2024-05-06", "2024-05-07")]]
    # the day after each holiday carries the backlog the history showed (2 May, 10 May)
    assert day[pd.Timestamp("2024-05-02")] / ordinary.mean() == pytest.approx(LIFT, rel=0.06)
    assert day[pd.Timestamp("2024-05-10")] / ordinary.mean() == pytest.approx(LIFT, rel=0.06)
    # the day before has no effect in this centre
    assert day[pd.Timestamp("2024-04-30")] / ordinary.mean() == pytest.approx(1.0, rel=0.06)


def test_a_calendar_object_equals_its_code_and_is_not_modified():
    hist = _holiday_centre(open_on_holidays=None)
    cal = holidays.country_holidays("DE")
    years_before = set(cal.years)
    a = forecast.forecast(hist, "7D", events=cal, method="profile")
    b = forecast.forecast(hist, "7D", events="DE", method="profile")
    pd.testing.assert_frame_equal(a, b)
    assert set(cal.years) == years_before


def test_an_unseen_holiday_takes_the_pooled_holiday_effect():
    # Open on holidays at 40% of a normal day: a holiday never seen in history (a frame
    # event next to the calendar) gets that pooled 40%, not a closed weekend day's 0.
    hist = _holiday_centre(open_on_holidays=0.4)
    extra = pd.DataFrame({"date": ["2024-05-07"], "name": ["founders day"], "kind": "holiday"})
    out = forecast.forecast(hist, "14D", events=["DE", extra], method="profile")
    day = _by_day(out)
    ordinary = day[[pd.Timestamp(d) for d in ("2024-04-29", "2024-05-03", "2024-05-06")]]
    assert day[pd.Timestamp("2024-05-07")] / ordinary.mean() == pytest.approx(0.4, rel=0.08)
    # a seen holiday keeps its own effect (40% here too)
    assert day[pd.Timestamp("2024-05-01")] / ordinary.mean() == pytest.approx(0.4, rel=0.08)


def test_neighbour_days_skip_weekly_rest_days_and_stop_at_another_holiday():
    # Sunday-Thursday centre (Friday-Saturday weekend); day 0 is a Sunday.
    start = pd.Timestamp("2024-01-07")
    open_weekday = np.array([True, True, True, True, False, False, True])  # Mon..Sun
    occ = [
        Occurrence("national day", "holiday", 4, 0, 48, True, np.nan),  # Thursday
        Occurrence("eid 1", "holiday", 14, 0, 48, True, np.nan),  # Sunday
        Occurrence("eid 2", "holiday", 15, 0, 48, True, np.nan),  # Monday
        Occurrence("launch", "campaign", 20, 0, 48, True, np.nan),  # not a holiday
    ]
    adj = {(o.name, o.day, o.kind) for o in adjacent_occurrences(occ, start, open_weekday, 48)}
    assert adj == {
        ("national day (day before)", 3, DAY_BEFORE),  # Wednesday
        ("national day (day after)", 7, DAY_AFTER),  # the Sunday after the weekend
        ("eid 1 (day before)", 11, DAY_BEFORE),  # the Thursday before the weekend
        ("eid 2 (day after)", 16, DAY_AFTER),  # the run of holidays ends on Monday
    }


@pytest.mark.parametrize(
    ("code", "match"),
    [
        ("XX", r"events must be a holiday calendar code, got 'XX'.*list_supported_countries"),
        ("DE-ZZ", r"DE has no subdivision 'ZZ'; its subdivisions are BB, BE"),
    ],
)
def test_an_unknown_country_or_subdivision_is_refused_with_where_to_look(code, match):
    hist = _holiday_centre(open_on_holidays=None, end="2023-03-31")
    with pytest.raises(ValueError, match=match):
        forecast.forecast(hist, "7D", events=code, method="profile")


def test_a_subdivision_adds_its_own_holidays():
    # Epiphany (6 January) is a holiday in Bavaria, not in Germany as a whole.
    cal = forecast.VolumeForecaster("profile").fit(
        _holiday_centre(open_on_holidays=None, end="2023-03-31"), events="de-by"
    )
    names = set(cal.events_["name"])
    assert "Epiphany" in names
    plain = forecast.VolumeForecaster("profile").fit(
        _holiday_centre(open_on_holidays=None, end="2023-03-31"), events="DE"
    )
    assert "Epiphany" not in set(plain.events_["name"])


def test_events_of_another_type_are_refused_by_name():
    hist = _holiday_centre(open_on_holidays=None, end="2023-03-31")
    with pytest.raises(TypeError, match="events must be a DataFrame, a holiday calendar code"):
        forecast.forecast(hist, "7D", events=42, method="profile")


def test_without_the_holidays_package_the_error_names_the_extra(monkeypatch):
    hist = _holiday_centre(open_on_holidays=None, end="2023-03-31")
    monkeypatch.setitem(sys.modules, "holidays", None)  # import holidays now fails
    with pytest.raises(ImportError, match=r"pip install 'staffplan\[holidays\]'"):
        forecast.forecast(hist, "7D", events="DE", method="profile")


def test_calendar_holidays_outside_the_history_and_horizon_are_not_errors():
    # A frame event after the forecast is refused (a typo in a date); the calendar's own
    # later holidays are not the caller's and are simply not used.
    hist = _holiday_centre(open_on_holidays=None, end="2023-03-31")
    out = forecast.forecast(hist, "3D", events="DE", method="profile")
    assert len(out) > 0
    late = pd.DataFrame({"date": ["2023-06-01"], "name": ["typo"], "kind": "holiday"})
    with pytest.raises(ValueError, match="'typo' on 2023-06-01 00:00:00 lies outside"):
        forecast.forecast(hist, "3D", events=["DE", late], method="profile")


def test_an_unseen_holiday_forecast_closed_warns_and_an_own_row_opens_it():
    # History 2 Jan - 31 Mar 2023 holds no German holiday (1 January was a Sunday), so Good
    # Friday (7 April) follows the nearest rest day, Saturday: closed, with a warning.
    hist = _holiday_centre(open_on_holidays=None, end="2023-03-31")
    with pytest.warns(UserWarning, match="'Good Friday' never occurs in history: it is forecast"):
        out = forecast.forecast(hist, "7D", events="DE", method="profile")
    good_friday = pd.Timestamp("2023-04-07")
    assert _by_day(out)[good_friday] == 0.0
    # The caller's own row for that date replaces the calendar's: open, an ordinary Friday.
    own = pd.DataFrame({"date": [good_friday], "name": ["open"], "kind": "holiday", "factor": 1.0})
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        day = _by_day(forecast.forecast(hist, "7D", events=["DE", own], method="profile"))
    assert day[good_friday] / day[pd.Timestamp("2023-04-06")] == pytest.approx(1.0, rel=0.08)


def test_each_queue_learns_its_own_holidays():
    # Sales closes on public holidays; the service line opens at 40% of a normal day.
    sales = _holiday_centre(open_on_holidays=None).assign(queue="sales")
    service = _holiday_centre(open_on_holidays=0.4, rng=1).assign(queue="service")
    out = forecast.forecast(pd.concat([sales, service]), "14D", events="DE", method="profile")
    for queue, share in (("sales", 0.0), ("service", 0.4)):
        day = _by_day(out[out["queue"] == queue])
        ordinary = day[[pd.Timestamp(d) for d in ("2024-04-29", "2024-05-06", "2024-05-07")]]
        assert day[pd.Timestamp("2024-05-01")] / ordinary.mean() == pytest.approx(share, abs=0.03)


def test_a_holiday_in_the_first_week_of_a_short_history_still_forecasts():
    # Six weeks of a 24/7 hourly centre from Sun 2026-01-04; Bavaria's Epiphany (Tue
    # 2026-01-06) leaves the earliest backtest origin (7 training days) without a Tuesday,
    # which no candidate can forecast. That origin used to rule out every candidate and the
    # history was refused as "too few complete weeks" although 5 full weeks follow.
    # A steady line at 100 an hour (Poisson, no weekly pattern, wander, trend or events).
    history, _ = datasets.generate_sample(
        hours="24/7", interval_min=60, weeks=6, start="2026-01-04", queues=("line",), seed=3,
        daily_volume=2400.0, weekday_factor=(1.0,) * 7, night_level=1.0, day_sigma=0.0,
        nb_shape=None, growth_per_week=0.0, events=False,
    )  # fmt: skip
    plain = forecast.forecast(history, "7D")
    with_calendar = forecast.forecast(history, "7D", events="DE-BY")
    # No Bavarian holiday falls in the week forecast (2026-02-15..21), so the calendar must
    # leave the level alone: hand check, 7 days x 24 h x 100 contacts = 16,800.
    assert with_calendar["volume"].sum() == pytest.approx(16_800, rel=0.05)
    assert with_calendar["volume"].sum() == pytest.approx(plain["volume"].sum(), rel=0.02)
