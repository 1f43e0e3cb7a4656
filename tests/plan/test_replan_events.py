"""A plan keeps the events its forecast knew; replan refits with them unless told otherwise.

The bundled sample has a campaign ("spring offer", 10:00-16:00) on Tuesday 3 March 2026
and a public holiday and an earlier campaign in its history.
"""

from __future__ import annotations

import dataclasses
import json
import warnings

import pandas as pd
import pytest

import staffplan
from staffplan import datasets, forecast
from staffplan._io import json_digest
from staffplan.cli import main
from staffplan.plan import Plan, replan
from staffplan.plan._plan import EVENT_COLUMNS, NO_EVENTS_NOTE

DAY = pd.Timestamp("2026-03-03")
NOW = DAY + pd.Timedelta(hours=12)
FAST = {"time_limit_s": 3.0, "num_workers": 1, "simulate": False}


@pytest.fixture(scope="module")
def sample():
    return datasets.load_sample()


@pytest.fixture(scope="module")
def campaign_plan(sample):
    history, events = sample
    return staffplan.plan(history, horizon="1D", start=DAY, events=events, rng=1, **FAST)


def morning(plan: Plan, factor: float = 1.1) -> pd.DataFrame:
    fc = plan.forecast
    seen = fc[fc["ds"] < NOW]
    return seen[["queue", "ds"]].assign(volume=(factor * seen["volume"]).round())


def rerun(plan: Plan, **kwargs) -> staffplan.plan.Replan:
    return replan(plan, morning(plan), NOW, simulate=False, time_limit_s=3.0, **kwargs)


@pytest.fixture(scope="module")
def default(campaign_plan):
    return rerun(campaign_plan)


def test_the_plan_records_the_events_its_forecaster_read(campaign_plan, sample):
    ev = campaign_plan.events
    assert tuple(ev.columns) == EVENT_COLUMNS
    spring = ev[ev["name"] == "spring offer"].iloc[0]
    assert (spring["start"], spring["end"]) == (
        DAY + pd.Timedelta(hours=10),
        DAY + pd.Timedelta(hours=16),
    )
    assert set(ev["name"]) == set(sample[1]["name"])


def test_replan_refits_with_the_plans_events_by_default(campaign_plan, sample, default):
    explicit = rerun(campaign_plan, events=sample[1])
    pd.testing.assert_frame_equal(default.level, explicit.level)
    pd.testing.assert_frame_equal(default.plan.forecast, explicit.plan.forecast)
    # Without events the refit treats the history's campaign and holiday as ordinary days,
    # learns other weights and moves the rest of the day differently: the events do reach it.
    with pytest.warns(UserWarning, match="2026-02-16"):  # the holiday, unknown without events
        without = rerun(campaign_plan, events=[])
    assert not default.level["weight_today"].equals(without.level["weight_today"])
    assert not any(NO_EVENTS_NOTE in w for w in default.warnings)


def test_the_campaign_uplift_stays_in_the_rest_of_the_day(campaign_plan, default):
    # Reference: the same forecaster fitted without events knows no campaign on Tuesday.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the holiday then reads as a missing day
        plain = forecast.VolumeForecaster(
            campaign_plan.settings["forecast_method"], interval_min=campaign_plan.interval_min
        ).fit(campaign_plan.history)
        base = plain.predict("3D")
    window = (DAY + pd.Timedelta(hours=12), DAY + pd.Timedelta(hours=16))

    def in_window(fc: pd.DataFrame) -> pd.Series:
        sel = (fc["ds"] >= window[0]) & (fc["ds"] < window[1])
        return fc[sel].groupby("queue")["volume"].sum()

    planned, updated, no_campaign = (
        in_window(f) for f in (campaign_plan.forecast, default.plan.forecast, base)
    )
    lift = planned / no_campaign
    assert lift["sales"] > 1.4  # the campaign lifts the plan's sales afternoon
    factor = default.level.set_index("queue")["factor_today"]
    # Re-levelled, the afternoon is the campaign's forecast times the day's factor.
    pd.testing.assert_series_equal(updated, planned * factor, check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(updated / no_campaign, lift * factor, check_names=False)
    assert (updated / no_campaign)["sales"] > 1.4


def test_save_load_and_the_cli_replan_keep_the_events(campaign_plan, default, tmp_path, capsys):
    campaign_plan.save(tmp_path / "p")
    loaded = Plan.load(tmp_path / "p")
    pd.testing.assert_frame_equal(loaded.events, campaign_plan.events, check_dtype=False)
    assert NO_EVENTS_NOTE not in loaded.warnings
    again = rerun(loaded)
    pd.testing.assert_frame_equal(again.level, default.level, check_dtype=False)
    morning(campaign_plan).to_csv(tmp_path / "act.csv", index=False)
    argv = ["replan", str(tmp_path / "p"), str(tmp_path / "act.csv"), "--now", str(NOW)]
    argv += ["--out", str(tmp_path / "r"), "--no-report", "--no-simulate", "-q"]
    argv += ["--time-limit-s", "3"]
    assert main(argv) == 0
    capsys.readouterr()
    level = pd.read_csv(tmp_path / "r" / "level.csv")
    for col in ("weight_today", "factor_today", "rest_of_day_updated"):
        assert level[col].to_numpy() == pytest.approx(default.level[col].to_numpy(), rel=1e-12)
    # The re-planned plan records the events too, for the next re-plan.
    replanned = Plan.load(tmp_path / "r")
    pd.testing.assert_frame_equal(replanned.events, loaded.events)


def test_a_plan_without_events_saves_an_empty_record(sample, tmp_path):
    history, _ = sample
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the holiday reads as a missing day without events
        p = staffplan.plan(history, horizon="1D", start=DAY, rng=1, **FAST)
    assert p.events is not None and p.events.empty
    p.save(tmp_path / "p")
    back = Plan.load(tmp_path / "p")
    assert back.events is not None and back.events.empty
    assert NO_EVENTS_NOTE not in back.warnings
    assert not (tmp_path / "p" / "events.csv").exists()  # nothing to record
    assert "events" not in p.to_frames()  # nor to report
    # A plan built by hand without an events record saves as one without events.
    bare = dataclasses.replace(p, events=None)
    bare.save(tmp_path / "bare")
    back = Plan.load(tmp_path / "bare")
    assert back.warnings == bare.warnings and back.events is not None and back.events.empty


def test_an_old_plan_without_an_events_record_loads_with_a_note(campaign_plan, sample, tmp_path):
    # A plan saved before plans kept their events: no events file, no entry for one, and
    # no "events_recorded" in its plan.json (whose own checksum matches).
    dataclasses.replace(campaign_plan, events=None).save(tmp_path / "old")
    assert not (tmp_path / "old" / "events.csv").exists()
    meta_path = tmp_path / "old" / "plan.json"
    meta = json.loads(meta_path.read_text())
    del meta["events_recorded"]
    meta["sha256"] = json_digest(meta)
    meta_path.write_text(json.dumps(meta))
    old = Plan.load(tmp_path / "old")
    assert old.events is None
    assert old.warnings.count(NO_EVENTS_NOTE) == 1
    old.save(tmp_path / "resaved")  # the note is not repeated after a second round trip
    assert Plan.load(tmp_path / "resaved").warnings.count(NO_EVENTS_NOTE) == 1
    with pytest.warns(UserWarning, match="2026-02-16"):  # the holiday, unknown without events
        r = rerun(old)
    assert NO_EVENTS_NOTE in r.warnings
    fixed = rerun(old, events=sample[1])  # giving them again repairs the refit
    assert NO_EVENTS_NOTE not in fixed.warnings
    pd.testing.assert_frame_equal(fixed.level, rerun(campaign_plan).level, check_dtype=False)
    assert fixed.plan.events is not None and len(fixed.plan.events) == len(campaign_plan.events)
