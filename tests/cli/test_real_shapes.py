"""Files and frames shaped like real centres' exports, through the CLI and Python alike.

Each test is a case where the plan was silently wrong or refused a reasonable file; the
reference is hand-checkable (a volume-weighted mean, the same data written another way).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan import datasets, forecast
from staffplan.cli import main


@pytest.fixture(scope="module")
def day_history() -> pd.DataFrame:
    history, _ = datasets.generate_sample(weeks=5, seed=7, events=False)
    return history


def _quiet_slots(history: pd.DataFrame, n: int = 40) -> pd.Index:
    """Rows of ``n`` early-morning intervals, set to no contacts by the tests."""
    early = history[history["ds"].dt.hour == 7]
    return early.index[:n]


def test_aht_empty_or_zero_where_no_contacts_is_read_as_unknown(day_history, tmp_path, capsys):
    # An ACD export leaves AHT empty (or writes 0) where an interval had no contacts.
    quiet = _quiet_slots(day_history)
    base = day_history.copy()
    base.loc[quiet, "volume"] = 0
    h = base.assign(aht_s=base["aht_s"].astype(object))
    h.loc[quiet[::2], "aht_s"] = ""
    h.loc[quiet[1::2], "aht_s"] = 0
    path = tmp_path / "export.csv"
    h.to_csv(path, index=False)

    read = datasets.read_history(path)
    assert read["aht_s"].isna().sum() == len(quiet)
    assert (read.loc[read["volume"] > 0, "aht_s"] > 0).all()

    out = tmp_path / "fc.csv"
    assert main(["forecast", str(path), "--out", str(out), "--horizon", "3D", "--quiet"]) == 0
    capsys.readouterr()
    cli = pd.read_csv(out, parse_dates=["ds"])
    # Python on the same data with the unknown AHT as NaN gives the same forecast AHT
    # (forecast() counts its horizon from the last row, the command from the next day).
    ref = base.assign(aht_s=base["aht_s"].where(base["volume"] > 0))
    py = forecast.forecast(ref, "3D")
    both = cli.merge(py, on=["queue", "ds"], suffixes=("_cli", "_py"))
    assert len(both) == len(py) > 0
    np.testing.assert_allclose(both["aht_s_cli"], both["aht_s_py"], rtol=1e-9)


def test_an_empty_aht_where_there_were_contacts_names_the_row_and_the_fix(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(
        "queue,ds,volume,aht_s\nq,2026-01-05 07:00,0,\nq,2026-01-05 07:30,5,300\n"
        "q,2026-01-05 08:00,7,\n"
    )
    with pytest.raises(ValueError) as info:
        datasets.read_history(path)
    msg = str(info.value)
    assert "row 3 (line 4), column 'aht_s'" in msg and "7 contact(s)" in msg
    assert "average handle time" in msg


def test_a_frame_with_zero_aht_where_there_were_contacts_is_refused(day_history):
    # Before: 30% of rows at AHT 0 (an export's "unknown") pulled the forecast AHT from
    # 289 s to 207 s, silently understaffing every interval by about a quarter.
    h = day_history.copy()
    h.loc[h.sample(frac=0.3, random_state=1).index, "aht_s"] = 0.0
    with pytest.raises(
        ValueError, match=r"aht_s'\] must be > 0 \[s\] in an interval with contacts"
    ):
        forecast.forecast(h, "1D")


def test_a_frame_with_zero_aht_where_no_contacts_equals_unknown_aht(day_history):
    quiet = _quiet_slots(day_history)
    zero = day_history.copy()
    zero.loc[quiet, "volume"] = 0
    unknown = zero.copy()
    zero.loc[quiet, "aht_s"] = 0.0
    unknown.loc[quiet, "aht_s"] = np.nan
    # A week: the day after this history is closed (an empty forecast proves nothing).
    a = forecast.forecast(zero, "7D")["aht_s"].dropna().to_numpy()
    b = forecast.forecast(unknown, "7D")["aht_s"].dropna().to_numpy()
    np.testing.assert_array_equal(a, b)
    assert a.size > 0 and np.all(a > 100)


@pytest.fixture(scope="module")
def two_spellings(tmp_path_factory, day_history):
    """The same history and events as a comma CSV and as ';' with decimal commas."""
    _, events = datasets.generate_sample(weeks=5, seed=7)
    events = events[events["start"] < day_history["ds"].max()]
    d = tmp_path_factory.mktemp("spellings")
    day_history.to_csv(d / "comma.csv", index=False)
    day_history.to_csv(d / "semi.csv", index=False, sep=";", decimal=",")
    events.to_csv(d / "events_comma.csv", index=False)
    events.to_csv(d / "events_semi.csv", index=False, sep=";")
    return d


def test_semicolon_file_with_decimal_commas_reads_when_told(two_spellings):
    d = two_spellings
    comma = datasets.read_history(d / "comma.csv")
    semi = datasets.read_history(d / "semi.csv", sep=";", decimal=",")
    pd.testing.assert_frame_equal(semi, comma)
    assert (semi["aht_s"] % 1 != 0).any()  # the decimals were read, not dropped
    pd.testing.assert_frame_equal(
        datasets.read_events(d / "events_semi.csv", sep=";"),
        datasets.read_events(d / "events_comma.csv"),
    )


def test_semicolon_file_is_refused_with_the_options_that_read_it(two_spellings, capsys):
    semi = str(two_spellings / "semi.csv")
    for argv in (["plan", semi, "--out", str(two_spellings / "x")], ["forecast", semi]):
        assert main([*argv, "--horizon", "1D"]) == 2
        err = capsys.readouterr().err
        assert "separated by ';'" in err and "--sep ';'" in err and "--decimal ','" in err
    # told the separator only, the first decimal comma is named with the missing option
    assert main(["plan", semi, "--sep", ";", "--out", str(two_spellings / "x")]) == 2
    err = capsys.readouterr().err
    assert "row 1 (line 2), column 'aht_s'" in err and "--decimal ','" in err
    with pytest.raises(ValueError, match="decimal and sep are both ','"):
        datasets.read_history(two_spellings / "comma.csv", decimal=",")
    with pytest.raises(ValueError, match="has no ';' between its columns"):
        datasets.read_history(two_spellings / "comma.csv", sep=";")


def test_a_column_mixing_decimal_marks_is_refused_not_guessed(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("ds;volume;aht_s\n2026-01-05 07:00;3;12,5\n2026-01-05 07:30;4;12.5\n")
    with pytest.raises(ValueError, match=r"row 1 \(line 2\), column 'aht_s': '12,5' is not"):
        datasets.read_history(path, queue_col=None, sep=";", decimal=",")


def test_plan_and_forecast_read_the_semicolon_file_like_the_comma_file(two_spellings, capsys):
    d = two_spellings
    runs = {}
    for name, hist, ev, opts in (
        ("comma", "comma.csv", "events_comma.csv", []),
        ("semi", "semi.csv", "events_semi.csv", ["--sep", ";", "--decimal", ","]),
    ):
        fc = d / f"fc_{name}.csv"
        assert main(["forecast", str(d / hist), "--out", str(fc), "--horizon", "3D", *opts]) == 0
        out = d / f"plan_{name}"
        argv = ["plan", str(d / hist), "--events", str(d / ev), "--out", str(out), *opts]
        argv += ["--horizon", "1D", "--start", "2026-02-09", "--no-simulate", "--no-report"]
        assert main([*argv, "--time-limit-s", "3"]) == 0
        runs[name] = (fc.read_bytes(), (out / "requirements.csv").read_bytes())
    capsys.readouterr()
    assert runs["semi"] == runs["comma"]
    assert len(runs["comma"][1].splitlines()) > 20


def test_four_weeks_of_a_centre_closed_on_sunday_are_enough_for_auto(tmp_path, capsys):
    # Monday 5 Jan to Saturday 31 Jan: four whole weeks, 27 days with rows. It was refused
    # ("covers 27 days; method 'auto' needs at least 28 days") with no fix named.
    history, _ = datasets.generate_sample(weeks=4, seed=2, events=False)
    path = tmp_path / "four_weeks.csv"
    history.to_csv(path, index=False)
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(path), "--out", str(out), "--horizon", "7D", "--quiet"]) == 0
    capsys.readouterr()
    fc = pd.read_csv(out, parse_dates=["ds"])
    days = fc.groupby(fc["ds"].dt.normalize())["volume"].sum()
    assert list(days.index.day_name()) == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
    ]  # fmt: skip
    # a Saturday (open 09:00-17:00) is well below a weekday, as in the history (0.40)
    assert days.iloc[5] < 0.6 * days.iloc[:5].mean()


def test_too_short_a_history_names_its_dates_and_the_methods_that_fit(day_history):
    short = day_history[day_history["ds"] >= "2026-01-20"]
    with pytest.raises(ValueError) as info:
        forecast.forecast(short, "1D")
    msg = str(info.value)
    assert "(2026-01-20 to 2026-02-07)" in msg and "needs at least 28 days" in msg
    assert "twostage: 14" in msg
    assert len(forecast.forecast(short, "3D", method="twostage")) > 0


def test_whole_days_missing_inside_the_history_are_named(day_history, capsys, tmp_path):
    # Tuesday to Thursday of the third week have no rows: read as closed days without a word,
    # the plan could not say that unlisted holidays will be staffed when they come again.
    gone = ["2026-01-20", "2026-01-21", "2026-01-22"]
    h = day_history[~day_history["ds"].dt.strftime("%Y-%m-%d").isin(gone)]
    with pytest.warns(UserWarning, match="has no rows on 3 day") as record:
        forecast.forecast(h, "3D")
    msg = str(next(w.message for w in record if "has no rows on" in str(w.message)))
    assert "2026-01-20 (Tue), 2026-01-21 (Wed), 2026-01-22 (Thu)" in msg
    path = tmp_path / "gap.csv"
    h.to_csv(path, index=False)
    argv = ["plan", str(path), "--out", str(tmp_path / "p"), "--horizon", "1D"]
    argv += ["--start", "2026-02-09", "--no-simulate", "--no-report", "--time-limit-s", "3"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("no rows on 3 day(s)") == 1  # once for both queues, which share the days
    one = h[~((h["queue"] == "sales") & (h["ds"].dt.strftime("%Y-%m-%d") == "2026-02-04"))]
    with pytest.warns(UserWarning) as record:
        forecast.forecast(one, "3D")
    said = [str(w.message) for w in record if "no rows on" in str(w.message)]
    assert len(said) == 2
    assert "for queue 'sales' has no rows on 4 day(s)" in said[0]
    assert "for queue 'service' has no rows on 3 day(s)" in said[1]


@pytest.mark.parametrize("closed", [(6,), (4, 5)], ids=["sunday", "friday-saturday"])
def test_weekly_rest_days_and_listed_holidays_are_not_missing_days(closed):
    import warnings

    history, events = datasets.generate_sample(weeks=5, hours="24/7", seed=3)
    h = history[~history["ds"].dt.day_of_week.isin(closed)]
    holiday = events[events["kind"] == "holiday"]
    h = h[h["ds"].dt.normalize() != holiday["date"].iloc[0]]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        forecast.forecast(h, "3D", events=holiday)
    assert not [w for w in record if "no rows on" in str(w.message)]


def test_an_events_factor_closes_the_day_in_plan_as_in_forecast(day_history, tmp_path, capsys):
    # 'plan' read events through a reader that dropped 'factor': a day the file closes
    # (factor 0) was staffed as an ordinary Wednesday (1003 agent-intervals, about 500
    # paid hours) with a warning that the event "has no 'factor'".
    hist = tmp_path / "h.csv"
    day_history.to_csv(hist, index=False)
    ev = tmp_path / "ev.csv"
    ev.write_text("date,name,kind,factor,queue\n2026-02-11,company day,closure,0,\n")
    span = ["--horizon", "3D", "--start", "2026-02-10"]
    fc = tmp_path / "fc.csv"
    assert main(["forecast", str(hist), "--events", str(ev), "--out", str(fc), *span]) == 0
    out = tmp_path / "p"
    argv = ["plan", str(hist), "--events", str(ev), "--out", str(out), *span]
    assert main([*argv, "--no-simulate", "--no-report", "--time-limit-s", "3"]) == 0
    err = capsys.readouterr().err
    assert "has no 'factor'" not in err
    day = pd.Timestamp("2026-02-11")
    f = pd.read_csv(fc, parse_dates=["ds"])
    req = pd.read_csv(out / "requirements.csv", parse_dates=["ds"])
    roster = pd.read_csv(out / "roster.csv", parse_dates=["start"])
    for frame, col in ((f, "volume"), (req, "scheduled_int")):
        by_day = frame.groupby(frame["ds"].dt.normalize())[col].sum()
        assert by_day[day] == 0 and by_day.drop(day).min() > 0
    assert not (roster["start"].dt.normalize() == day).any()


def test_events_keep_factor_and_queue_and_refuse_a_negative_factor(tmp_path):
    path = tmp_path / "ev.csv"
    path.write_text(
        "date,name,kind,factor,queue\n2026-02-11,launch,campaign,1.5,sales\n"
        "2026-02-12,fair,campaign,,\n"
    )
    ev = datasets.read_events(path)
    assert ev["factor"].iloc[0] == 1.5 and np.isnan(ev["factor"].iloc[1])
    assert ev["queue"].iloc[0] == "sales" and pd.isna(ev["queue"].iloc[1])
    path.write_text("date,name,factor\n2026-02-11,launch,-1\n")
    with pytest.raises(ValueError, match=r"row 1 \(line 2\), column 'factor': factor must be >= 0"):
        datasets.read_events(path)


def test_day_first_event_dates_read_by_forecast_and_plan_alike(tmp_path, capsys):
    history, events = datasets.generate_sample(weeks=5, seed=7)
    h = history.assign(ds=history["ds"].dt.strftime("%d/%m/%Y %H:%M"))
    hist = tmp_path / "h.csv"
    h.to_csv(hist, index=False)
    ev = tmp_path / "ev.csv"
    events.assign(
        date=events["date"].dt.strftime("%d/%m/%Y"),
        start=events["start"].dt.strftime("%d/%m/%Y %H:%M"),
        end=events["end"].dt.strftime("%d/%m/%Y %H:%M"),
    ).to_csv(ev, index=False)
    outs = []
    for order in (["--dayfirst"], ["--date-format", "%d/%m/%Y %H:%M"]):
        out = tmp_path / f"fc{len(outs)}.csv"
        argv = ["forecast", str(hist), "--events", str(ev), "--out", str(out), *order]
        assert main([*argv, "--horizon", "3D"]) == 0, capsys.readouterr().err
        outs.append(out.read_bytes())
    capsys.readouterr()
    assert outs[0] == outs[1]
    iso = tmp_path / "iso.csv"
    history.to_csv(iso, index=False)
    events.to_csv(tmp_path / "ev_iso.csv", index=False)
    out = tmp_path / "fc_iso.csv"
    argv = ["forecast", str(iso), "--events", str(tmp_path / "ev_iso.csv"), "--out", str(out)]
    assert main([*argv, "--horizon", "3D"]) == 0
    assert out.read_bytes() == outs[0]


def test_a_latin1_file_is_refused_naming_the_line_and_the_fix(tmp_path, capsys):
    path = tmp_path / "h.csv"
    text = "queue,ds,volume\nsales,2026-01-05 07:00,3\nVerkäufe,2026-01-05 07:00,4\n"
    path.write_bytes(text.encode("latin-1"))
    argv = ["plan", str(path), "--out", str(tmp_path / "p"), "--aht-s", "300"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert (
        "line 3 has byte 0xe4, which is not UTF-8 text" in err and "save the file as UTF-8" in err
    )
    assert "codec" not in err


def test_a_forecast_horizon_on_a_rest_day_says_it_is_empty(day_history):
    # The history ends on a Saturday; the centre is closed on Sunday. The command line
    # noted it, forecast() returned an empty frame without a word.
    with pytest.warns(UserWarning, match="the forecast is empty: the horizon '1D'"):
        out = forecast.forecast(day_history, "1D")
    assert len(out) == 0
    assert len(forecast.forecast(day_history, "2D")) > 0


def test_a_night_shift_rule_without_crosses_midnight_names_the_key(tmp_path, capsys):
    rules = tmp_path / "rules.json"
    rules.write_text(
        '{"shifts": [{"name": "night", "earliest_start": "22:00", "latest_start": "23:00", '
        '"lengths_min": [480]}]}'
    )
    req = tmp_path / "req.csv"
    ds = pd.date_range("2026-02-09 22:00", periods=16, freq="30min")
    pd.DataFrame({"ds": ds, "required": 5}).to_csv(req, index=False)
    argv = ["roster", str(req), "--rules", str(rules), "--out", str(tmp_path / "r.csv")]
    assert main(argv) == 2
    assert '"crosses_midnight": true' in capsys.readouterr().err


def test_a_campaign_window_is_its_hours_not_its_whole_day():
    # The sample's events (as load_sample and read_events give them) carry a date and a
    # start/end; the date won, so the new 10:00-16:00 campaign raised sales all day by
    # x1.342 (the generator's truth: +60% inside the window, nothing outside it).
    history, events = datasets.load_sample()
    with_it = forecast.forecast(history, "7D", events=events)
    without = forecast.forecast(history, "7D", events=events[events["name"] != "spring offer"])
    day = with_it["ds"].dt.normalize() == pd.Timestamp("2026-03-03")
    ratio = with_it["volume"][day].to_numpy() / without["volume"][day].to_numpy()
    hours = with_it.loc[day, "ds"].dt.hour.to_numpy()
    sales = with_it.loc[day, "queue"].to_numpy() == "sales"
    inside = (hours >= 10) & (hours < 16)
    np.testing.assert_allclose(ratio[~inside], 1.0)
    assert np.all(ratio[inside & sales] > 1.4)  # +60% in the generator
    assert np.all(ratio[inside & ~sales] > 1.0)  # +20% in the generator


def test_an_event_across_midnight_touches_its_own_night(tmp_path, capsys):
    history, _ = datasets.generate_sample(weeks=5, hours="24/7", seed=1, events=False)
    night = history[(history["ds"].dt.hour >= 22) | (history["ds"].dt.hour < 6)]
    hist = tmp_path / "night.csv"
    night.to_csv(hist, index=False)
    ev = tmp_path / "ev.csv"
    ev.write_text(
        "start,end,name,kind,factor\n2026-02-10 22:00,2026-02-11 02:00,promo,campaign,1.5\n"
    )
    runs = []
    for extra in ([], ["--events", str(ev)]):
        out = tmp_path / f"fc{len(runs)}.csv"
        assert main(["forecast", str(hist), "--out", str(out), "--horizon", "3D", *extra]) == 0
        runs.append(pd.read_csv(out, parse_dates=["ds"]).groupby("ds")["volume"].sum())
    capsys.readouterr()
    ratio = (runs[1] / runs[0]).round(9)
    raised = ratio[ratio != 1.0]
    want = pd.date_range("2026-02-10 22:00", "2026-02-11 01:30", freq="30min")
    assert list(raised.index) == list(want) and np.allclose(raised, 1.5)
    # the reader keeps the row's own start (its date is the same day at midnight)
    read = datasets.read_events(ev)
    assert read["start"].iloc[0] == pd.Timestamp("2026-02-10 22:00")


def test_aht_s_replaces_a_history_aht_with_zeros(day_history):
    # aht_s= replaces the history's AHT in every interval; a 0 in that column (an export's
    # "unknown") must not refuse the plan now that such zeros are refused where they count.
    h = day_history.copy()
    h.loc[h.index[[5, 9]], "aht_s"] = [0.0, np.nan]
    p = staffplan.plan(
        h, aht_s=300, horizon="1D", start="2026-02-09", simulate=False, time_limit_s=3
    )
    assert p.requirements["aht_s"].to_numpy() == pytest.approx(300.0)
    note = next(w for w in p.warnings if "replaces the history's own AHT" in w)
    good = h[h["aht_s"] > 0]  # reference: the volume-weighted mean of the known AHT
    own = (good["aht_s"] * good["volume"]).sum() / good["volume"].sum()
    assert f"mean {own:.0f} s" in note
    assert h.loc[h.index[5], "aht_s"] == 0.0  # the caller's frame is not touched
