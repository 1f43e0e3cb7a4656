"""A night centre's plan over daylight-saving changes: paid hours are elapsed time.

Hand-checkable (tz database rules): Europe/London goes back from 02:00 BST (UTC+1) to
01:00 GMT on Sunday 25 October 2026 and forward from 01:00 GMT to 02:00 BST on Sunday
29 March 2026.  Every shift is 19:00-03:00 with an unpaid 30-min lunch: paid 8.5 h over
the night the clocks go back (9 h elapsed), 6.5 h over the night they go forward (7 h),
7.5 h on any other night.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan.cli import main
from staffplan.plan import Plan, Scenario, ServiceTarget, compare, paid_hours, what_if

TZ = "Europe/London"
FAST = {"time_limit_s": 5.0, "num_workers": 1, "forecast_method": "profile", "simulate": False}
RULES = {
    "shifts": [
        {
            "name": "night",
            "earliest_start": "19:00",
            "latest_start": "19:00",
            "lengths_min": [480],
            "crosses_midnight": True,
        }
    ],
    "lunch": {"length_min": 30, "earliest_start_min": 180, "latest_start_min": 300},
    "span": None,
}


def night_history(saturday: str, weeks: int = 4) -> pd.DataFrame:
    """30-min history of a 19:00-03:00 centre up to ``saturday`` 00:00, tz-aware (real time)."""
    end = pd.Timestamp(saturday, tz=TZ)
    ds = pd.date_range(end - pd.Timedelta(weeks=weeks), end, freq="30min", inclusive="left")
    ds = ds.tz_convert("UTC").tz_convert(TZ)  # steps of real time: the clock repeats or skips
    hour = ds.hour + ds.minute / 60
    open_ = (hour >= 19) | (hour < 3)
    rng = np.random.default_rng(4)
    volume = np.where(open_, rng.poisson(30, len(ds)), 0).astype(float)
    return pd.DataFrame({"ds": ds, "volume": volume, "aht_s": 300.0})[open_].reset_index(drop=True)


def paid_by_start_day(roster: pd.DataFrame) -> dict[str, set[float]]:
    days = roster["start"].dt.normalize()
    return {str(d.date()): set(roster.loc[days == d, "paid_h"]) for d in sorted(days.unique())}


@pytest.mark.parametrize(
    ("saturday", "saturday_night_h"),
    [("2026-10-24", 8.5), ("2026-03-28", 6.5), ("2026-06-06", 7.5)],
)
def test_plan_pays_the_night_over_a_clock_change_its_elapsed_time(saturday, saturday_night_h):
    service = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.3)
    p = staffplan.plan(
        night_history(saturday), horizon="2D", service=service, rules=RULES, rng=1, **FAST
    )
    r = p.roster
    assert len(r) > 0 and (r["start"].dt.hour == 19).all() and (r["end"].dt.hour == 3).all()
    sunday = str((pd.Timestamp(saturday) + pd.Timedelta(days=1)).date())
    assert paid_by_start_day(r) == {saturday: {saturday_night_h}, sunday: {7.5}}
    # "2D" from the default start is two whole nights from Saturday's opening (49 or 47 h
    # over a change): Monday 02:30 is the last interval.
    assert p.settings["start"] == str(pd.Timestamp(f"{saturday} 19:00", tz=TZ))
    monday = pd.Timestamp(saturday) + pd.Timedelta(days=2)
    assert p.verdict["ds"].max() == pd.Timestamp(f"{monday.date()} 02:30", tz=TZ)
    n_sat = int((r["start"].dt.normalize() == pd.Timestamp(saturday)).sum())
    expected = saturday_night_h * n_sat + 7.5 * (len(r) - n_sat)
    assert p.summary["paid_hours"] == pytest.approx(expected)
    assert p.summary["agent_paid_hours"] == pytest.approx(expected)  # agents only (no span)
    # Without the paid_h column the shifts' elapsed span counts (no lunch deducted then).
    spans = r.drop(columns="paid_h")
    assert paid_hours(spans, tz=TZ) == pytest.approx(expected + 0.5 * len(r))


def test_scenario_table_pays_elapsed_hours():
    # A re-rostered what-if (+40 % contacts) over the night the clocks go back: its roster
    # and the comparison table count that night's shifts at 8.5 h, the next night's at 7.5 h.
    service = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.3)
    base = staffplan.plan(
        night_history("2026-10-24"), horizon="2D", service=service, rules=RULES, rng=1, **FAST
    )
    busy = what_if(base, Scenario(name="busy", volume_factor=1.4, reroster=True), rng=1)
    assert len(busy.roster) > len(base.roster)
    assert paid_by_start_day(busy.roster) == {"2026-10-24": {8.5}, "2026-10-25": {7.5}}
    n_sat = int((busy.roster["start"].dt.normalize() == pd.Timestamp("2026-10-24")).sum())
    # The fast path keeps the base roster (the repeated hour's two intervals share a slot).
    quick = what_if(base, Scenario(name="quick", volume_factor=1.1))
    paid = compare(base, busy, quick).set_index("scenario")["paid_hours"]
    assert paid["busy"] == pytest.approx(8.5 * n_sat + 7.5 * (len(busy.roster) - n_sat))
    assert paid["base"] == paid["quick"] == pytest.approx(base.roster["paid_h"].sum())


def test_cli_plan_writes_elapsed_paid_hours(tmp_path):
    hist = night_history("2026-10-24")
    csv = tmp_path / "history.csv"
    # Written with UTC offsets, as a centre's export must be to tell the repeated hour apart.
    hist.assign(ds=[t.isoformat() for t in hist["ds"]]).to_csv(csv, index=False)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES))
    out = tmp_path / "plan"
    argv = ["plan", str(csv), "--tz", TZ, "--horizon", "2D", "--rules", str(rules)]
    argv += ["--out", str(out), "--no-report", "--no-simulate", "--time-limit-s", "5"]
    assert main([*argv, "--forecast-method", "profile", "--quiet"]) == 0
    roster = pd.read_csv(out / "roster.csv", parse_dates=["start", "end"])
    assert paid_by_start_day(roster) == {"2026-10-24": {8.5}, "2026-10-25": {7.5}}
    summary = json.loads((out / "plan.json").read_text())["summary"]
    assert summary["paid_hours"] == pytest.approx(roster["paid_h"].sum())
    loaded = Plan.load(out)
    assert loaded.summary["paid_hours"] == pytest.approx(roster["paid_h"].sum())

    # The plan's requirement file carries UTC offsets: `staffplan roster` needs the zone to
    # read them on the centre's clock (not UTC), then pays the same elapsed hours.
    req = out / "requirements.csv"
    ros = tmp_path / "roster.csv"
    argv = ["roster", str(req), "--rules", str(rules), "--out", str(ros), "--time-limit-s", "5"]
    assert main([*argv, "--quiet"]) == 2
    assert main([*argv, "--tz", TZ, "--quiet"]) == 0
    again = pd.read_csv(ros, parse_dates=["start", "end"])
    assert again["start"].min() == pd.Timestamp("2026-10-24 19:00")
    assert paid_by_start_day(again) == {"2026-10-24": {8.5}, "2026-10-25": {7.5}}
    # `staffplan staff` too: refused without the zone (it would write UTC), kept with it.
    staffed = tmp_path / "staffed.csv"
    argv = ["staff", str(out / "forecast.csv"), "--out", str(staffed)]
    assert main([*argv, "--quiet"]) == 2
    assert main([*argv, "--tz", TZ, "--quiet"]) == 0
    assert pd.read_csv(staffed)["ds"].iloc[0] == "2026-10-24 19:00:00+01:00"
