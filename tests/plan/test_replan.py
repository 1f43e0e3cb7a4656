"""staffplan.replan on a planned synthetic centre: past untouched, coverage, direction, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _plan_testdata import FAST, RULES, synthetic_history

import staffplan
from staffplan import roster
from staffplan._io import break_pairs
from staffplan.cli import main
from staffplan.plan import Replan, replan
from staffplan.roster._solution import coverage_frame

START = "2024-02-26"  # the Monday after eight weeks of history
NOW = pd.Timestamp(START) + pd.Timedelta(hours=11)


def level_history(weeks: int = 8, seed: int = 5) -> pd.DataFrame:
    """The plan tests' weekday centre with a day level (lognormal, sd 0.2) shared by its slots.

    Days that run high or low all day are what the morning can reveal: without them the
    update learns (rightly) not to trust the morning.
    """
    hist = synthetic_history(weeks=weeks, daily_volume=500.0, seed=seed)
    day = hist["ds"].dt.normalize()
    codes, days = pd.factorize(day)
    level = np.exp(np.random.default_rng(seed).normal(0.0, 0.2, size=len(days)))
    hist["volume"] = (
        np.random.default_rng(seed + 1)
        .poisson(hist["volume"].to_numpy() * level[codes])
        .astype(float)
    )
    return hist


@pytest.fixture(scope="module")
def base_plan(service):
    return staffplan.plan(
        level_history(), horizon="2D", start=START, service=service, rules=RULES, rng=3, **FAST
    )


def actuals_at(plan, factor: float, now: pd.Timestamp = NOW, seed: int = 0) -> pd.DataFrame:
    """The morning's actuals: Poisson around the plan's own forecast times ``factor``."""
    fc = plan.forecast
    seen = fc[fc["ds"] < now]  # the plan's own intervals before now
    vol = np.random.default_rng(seed).poisson(seen["volume"].to_numpy() * factor)
    return pd.DataFrame({"queue": seen["queue"], "ds": seen["ds"], "volume": vol.astype(float)})


@pytest.fixture(scope="module")
def high(base_plan):
    return replan(base_plan, actuals_at(base_plan, 1.5), NOW, n_reps=5)


@pytest.fixture(scope="module")
def low(base_plan):
    return replan(base_plan, actuals_at(base_plan, 0.5), NOW, simulate=False)


def test_entry_points_are_the_same_function():
    assert staffplan.replan is replan


def test_a_busy_morning_gets_overtime_and_better_service(high):
    assert isinstance(high, Replan)
    s = high.summary
    lvl = high.level.iloc[0]
    assert lvl["factor_today"] > 1.2  # the level moved with the morning
    assert s["shortage_before"] > 0
    assert s["shortage_after"] < s["shortage_before"]
    assert s["service_level_after"] > s["service_level_before"]
    assert s["sim_service_level_after"] >= s["sim_service_level_before"] - 0.01
    assert s["overtime_h"] > 0 and s["early_leave_h"] == 0
    assert s["changes"] == len(high.changes) > 0
    assert set(high.changes["change"]) <= {"overtime", "move_lunch", "move_break"}


def test_a_quiet_morning_sends_people_home_early(low):
    s = low.summary
    assert low.level["factor_today"].iloc[0] < 0.8
    assert s["early_leave_h"] > 0 and s["overtime_h"] == 0
    assert s["paid_hours_change"] < 0
    assert (low.changes["change"] == "early_leave").any()


@pytest.mark.parametrize("which", ["high", "low"])
def test_nothing_before_now_changes(base_plan, which, request):
    r = request.getfixturevalue(which)
    old, new = base_plan.roster.reset_index(drop=True), r.plan.roster.reset_index(drop=True)
    assert len(old) == len(new)
    pd.testing.assert_series_equal(old["start"], new["start"])
    moved_end = old["end"] != new["end"]
    assert (new.loc[moved_end, "end"] >= NOW).all()
    for (_, o), (_, n) in zip(old.iterrows(), new.iterrows(), strict=True):
        for a, b in zip(break_pairs(o["breaks"]), break_pairs(n["breaks"]), strict=True):
            if a[0] < NOW:
                assert a == b
            else:
                assert b[0] >= NOW
        if pd.notna(o["lunch_start"]) and o["lunch_start"] < NOW:
            assert n["lunch_start"] == o["lunch_start"]
    moves = r.changes["change"].str.startswith("move").to_numpy()
    assert (r.changes.loc[moves, "from_start"] >= NOW).all()
    assert (r.changes.loc[moves, "to_start"] >= NOW).all()
    past = base_plan.forecast["ds"] < NOW
    pd.testing.assert_frame_equal(
        base_plan.forecast[past].reset_index(drop=True),
        r.plan.forecast[past].reset_index(drop=True),
    )
    req_old = base_plan.requirements[base_plan.requirements["ds"] < NOW].reset_index(drop=True)
    req_new = r.plan.requirements[r.plan.requirements["ds"] < NOW].reset_index(drop=True)
    pd.testing.assert_frame_equal(req_old, req_new)


def test_leads_keep_their_shifts_and_span_holds(base_plan, high):
    old, new = base_plan.roster, high.plan.roster
    lead = (old["role"] != "agent").to_numpy()
    pd.testing.assert_frame_equal(old[lead], new[lead])
    assert (high.changes["role"] == "agent").all()
    cov = high.plan.coverage
    span = RULES["span"]["max_agents_per_lead"]
    planned = base_plan.coverage.set_index("ds")["on_floor"].reindex(cov["ds"]).to_numpy()
    cap = np.maximum(span * cov["leads_on_floor"].to_numpy(), planned)
    assert (cov["on_floor"].to_numpy() <= cap + 1e-9).all()


def test_coverage_is_a_recount_of_the_new_roster(high):
    # Independent recount: the roster module's own coverage of the changed roster.
    p = high.plan
    rules = p.rules
    from staffplan.plan._pipeline import requirement_grid

    grid = requirement_grid(p.requirements["ds"], p.requirements["scheduled"], p.interval_min)
    inst = rules.make_instance(grid, interval_min=p.interval_min)
    recount = coverage_frame(inst, p.roster)
    mine = p.coverage.set_index("ds")
    theirs = recount.set_index("ds").reindex(mine.index)
    for col in ("on_floor", "off_lunch", "off_break", "required", "shortage"):
        np.testing.assert_allclose(mine[col].to_numpy(float), theirs[col].to_numpy(float))
    rest = high.rest.set_index("ds")
    np.testing.assert_allclose(
        rest["on_floor_after"], mine["on_floor"].reindex(rest.index).to_numpy(float)
    )


def test_changes_follow_the_rules(high):
    # roster.check flags lunches and breaks outside their windows and overlaps; shift
    # lengths and starts change with overtime on purpose, so only those lines are allowed.
    p = high.plan
    from staffplan.plan._pipeline import requirement_grid

    grid = requirement_grid(p.requirements["ds"], p.requirements["scheduled"], p.interval_min)
    inst = roster.Rules.from_dict(RULES, interval_min=30).make_instance(grid, interval_min=30)
    problems = roster.check(inst, p.roster)
    changed = set(high.changes.loc[high.changes["change"] == "overtime", "person"])
    for line in problems:
        assert any(str(person) in line for person in changed), line


def test_same_inputs_same_replan(base_plan, low):
    again = replan(base_plan, actuals_at(base_plan, 0.5), NOW, simulate=False)
    pd.testing.assert_frame_equal(again.changes, low.changes)
    pd.testing.assert_frame_equal(again.plan.roster, low.plan.roster)


def test_bad_input_names_the_parameter(base_plan):
    act = actuals_at(base_plan, 1.0)
    with pytest.raises(ValueError, match=r"now must lie inside the plan"):
        replan(base_plan, act, pd.Timestamp(START) + pd.Timedelta(days=5))
    with pytest.raises(ValueError, match=r"now must lie inside the plan"):
        replan(base_plan, act, pd.Timestamp(START) - pd.Timedelta(days=1))
    with pytest.raises(ValueError, match=r"now must be on the 30-min grid"):
        replan(base_plan, act, NOW + pd.Timedelta(minutes=20))
    with pytest.raises(ValueError, match=r"actuals\['queue'\] must be one of"):
        replan(base_plan, act.assign(queue="other"), NOW)
    with pytest.raises(ValueError, match=r"must lie before now"):
        replan(base_plan, act, NOW - pd.Timedelta(hours=1))
    with pytest.raises(ValueError, match="duplicate rows"):
        replan(base_plan, pd.concat([act, act.iloc[:1]]), NOW)
    with pytest.raises(ValueError, match="30-min grid"):
        replan(base_plan, act.assign(ds=act["ds"] + pd.Timedelta(minutes=15)), NOW)
    hist_row = base_plan.history.iloc[[-1]][["queue", "ds", "volume"]]
    with pytest.raises(ValueError, match="must come after the history"):
        replan(base_plan, pd.concat([hist_row, act]), NOW)
    with pytest.raises(TypeError, match="plan must be a staffplan Plan"):
        replan(base_plan.roster, act, NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_overtime_min must be"):
        replan(base_plan, act, NOW, max_overtime_min=-30)


def test_cli_replan_writes_the_day_and_refuses_an_off_grid_now(base_plan, tmp_path, capsys):
    base_plan.save(tmp_path / "p")
    actuals_at(base_plan, 1.5).to_csv(tmp_path / "act.csv", index=False)
    out = tmp_path / "r"
    rc = main(
        [
            "replan",
            str(tmp_path / "p"),
            str(tmp_path / "act.csv"),
            "--now",
            str(NOW),
            "--out",
            str(out),
            "--no-report",
            "--no-simulate",
            "-q",
        ]
    )
    assert rc == 0
    text = capsys.readouterr().out
    assert "rest of the day from" in text and "change(s)" in text
    changes = pd.read_csv(out / "changes.csv")
    assert len(changes) > 0 and (changes["change"] == "overtime").any()
    again = staffplan.plan.__module__  # the saved re-plan loads as a plan
    from staffplan.plan import Plan

    loaded = Plan.load(out)
    assert loaded.settings["replanned_at"] == str(NOW) and again
    rc = main(
        ["replan", str(tmp_path / "p"), str(tmp_path / "act.csv"), "--now", "2024-02-05 11:10"]
    )
    assert rc == 2
    assert "now must be on the 30-min grid" in capsys.readouterr().err


def test_a_tz_aware_plan_is_replanned_on_its_wall_clock(service):
    hist = level_history(weeks=6, seed=9)
    hist["ds"] = hist["ds"].dt.tz_localize("Europe/Paris")
    start = pd.Timestamp("2024-02-12", tz="Europe/Paris")
    p = staffplan.plan(hist, horizon="1D", start=start, service=service, rules=RULES, rng=3, **FAST)
    now = start + pd.Timedelta(hours=11)
    fc = p.forecast[p.forecast["ds"] < now]
    act = fc[["queue", "ds"]].assign(volume=np.round(fc["volume"].to_numpy() * 1.5))
    r = replan(p, act, now, simulate=False)
    assert r.rest["ds"].iloc[0] == now
    moved = r.changes["change"].str.startswith("move").to_numpy()
    assert (r.changes.loc[moved, "from_start"] >= now.tz_localize(None)).all()
    assert r.summary["shortage_after"] <= r.summary["shortage_before"]
    with pytest.raises(ValueError, match="tz-aware exactly when"):
        replan(p, act, now.tz_localize(None))


def test_a_quantile_plan_is_restaffed_to_the_updated_quantile(service):
    p = staffplan.plan(
        level_history(weeks=6, seed=4),
        horizon="1D",
        start="2024-02-12",
        service=service,
        rules=RULES,
        volume_quantile=0.95,
        simulate=False,
        rng=3,
        **FAST,
    )
    now = pd.Timestamp("2024-02-12 12:00")
    r = replan(p, actuals_at(p, 1.3, now=now), now, simulate=False)
    fc, req = r.plan.forecast, r.plan.requirements
    later = (req["ds"] >= now).to_numpy()
    pooled = fc.groupby("ds")["volume_q0.95"].sum().reindex(req.loc[later, "ds"])
    np.testing.assert_allclose(req.loc[later, "volume"].to_numpy(), pooled.to_numpy())
    # The band narrows once the morning is seen: the 0.95 quantile sits closer to the mean.
    old = p.forecast[p.forecast["ds"] >= now]
    new = fc[fc["ds"] >= now]
    old_gap = (old["volume_q0.95"] / old["volume"]).mean()
    new_gap = (new["volume_q0.95"] / new["volume"]).mean()
    assert new_gap < old_gap


def test_a_certainty_plan_is_told_how_the_rest_of_the_day_is_staffed(base_plan):
    import dataclasses

    p = dataclasses.replace(base_plan, settings={**base_plan.settings, "certainty": 0.9})
    r = replan(p, actuals_at(p, 1.0), NOW, simulate=False)
    assert any("certainty= or time-stable" in w for w in r.plan.warnings)
    plain = replan(base_plan, actuals_at(base_plan, 1.0), NOW, simulate=False)
    assert not any("certainty= or time-stable" in w for w in plain.plan.warnings)


def test_cli_replan_says_what_the_factor_means_and_writes_the_level(base_plan, tmp_path, capsys):
    base_plan.save(tmp_path / "p")
    actuals = actuals_at(base_plan, 1.5)
    actuals.to_csv(tmp_path / "act.csv", index=False)
    out = tmp_path / "r"
    argv = ["replan", str(tmp_path / "p"), str(tmp_path / "act.csv"), "--now", str(NOW)]
    argv += ["--out", str(out), "--no-report", "--no-simulate", "-q", "--format", "parquet"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    level = pd.read_parquet(out / "level.parquet")
    assert len(level) == 1
    row = level.iloc[0]
    # By hand from the inputs: the morning's contacts and the plan's forecast before now.
    fc = base_plan.forecast
    seen = fc[(fc["ds"] < NOW) & (fc["ds"].dt.normalize() == NOW.normalize())]
    assert row["actual"] == actuals["volume"][actuals["ds"] >= NOW.normalize()].sum()
    assert row["forecast"] == pytest.approx(seen["volume"].sum())
    ratio = (row["actual"] + 1) / (row["forecast"] + 1)  # one contact of prior on each side
    assert row["observed_ratio"] == pytest.approx(ratio)
    assert row["factor_today"] == pytest.approx(ratio ** row["weight_today"])
    rest = fc[(fc["ds"] >= NOW) & (fc["ds"].dt.normalize() == NOW.normalize())]
    assert row["rest_of_day_planned"] == pytest.approx(rest["volume"].sum())
    assert row["rest_of_day_updated"] == pytest.approx(row["factor_today"] * rest["volume"].sum())
    # The updated forecast written with the plan holds the same rest of the day.
    written = pd.read_parquet(out / "forecast.parquet")
    after = written[(written["ds"] >= NOW) & (written["ds"].dt.normalize() == NOW.normalize())]
    assert after["volume"].sum() == pytest.approx(row["rest_of_day_updated"])
    # What the factor is, in words and units, on stdout.
    assert f"observed/forecast {ratio:.3f}" in text
    assert f"x{row['factor_today']:.3f} (= {ratio:.3f} ** {row['weight_today']:.2f}" in text
    planned, updated = f"{row['rest_of_day_planned']:,.0f}", f"{row['rest_of_day_updated']:,.0f}"
    assert f"{planned} -> {updated} contacts" in text
    if row["weight_next"] == 0:
        assert "next day's forecast x1.000 (weight 0: on the history's held-out days" in text
