"""The one-call pipeline: history -> forecast -> requirement -> roster -> verdict.

Outside references: the Erlang core itself (``staffplan.erlang``, checked against
mpmath in its own tests) evaluated directly on the roster's coverage, and hand
arithmetic (traffic = volume x AHT / interval, pooled volumes add).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from _plan_testdata import FAST, RULES, START, synthetic_history
from numpy.testing import assert_allclose

import staffplan
from staffplan import datasets, erlang
from staffplan.plan import (
    Plan,
    ServiceTarget,
    evaluate_staffing,
    quantile_column,
    requirements_frame,
)


def test_plan_is_a_function_and_the_subpackage_stays_importable(base_plan):
    import types

    from staffplan.plan import plan as plan_function

    mod = sys.modules["staffplan.plan"]
    assert isinstance(mod, types.ModuleType) and mod.Plan is Plan
    # The one-call entry point is the function itself, not a callable module,
    # whichever of the two was imported first.
    assert staffplan.plan is plan_function
    assert isinstance(staffplan.plan, types.FunctionType)
    assert isinstance(base_plan, Plan)


def test_both_spellings_give_the_same_requirement(history, service):
    kwargs = dict(horizon="1D", start=START, service=service, rules=RULES, simulate=False, **FAST)
    a = staffplan.plan(history, **kwargs)
    b = sys.modules["staffplan.plan"].plan(history, **kwargs)
    pd.testing.assert_frame_equal(a.requirements, b.requirements)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)


def test_plan_frames_and_columns(base_plan):
    frames = base_plan.to_frames()
    for name in ("history", "forecast", "requirements", "roster", "coverage", "verdict", "daily"):
        assert name in frames
    for col in ("ds", "service_level", "asa_s", "p_abandon", "occupancy", "on_floor"):
        assert col in base_plan.verdict
    for col in ("sim_service_level", "sim_service_level_lo", "sim_service_level_hi"):
        assert col in base_plan.verdict
    assert base_plan.settings["roster_status"] in ("OPTIMAL", "FEASIBLE")
    assert set(base_plan.roster["role"]) >= {"agent", "lead"}
    days = base_plan.verdict["ds"].dt.normalize().unique()
    assert len(days) == 2 and pd.Timestamp(START) == days[0]
    assert len(base_plan.daily) == 2 and len(base_plan.peaks) == 2


def test_requirements_match_the_erlang_core(base_plan, service):
    """Requirement per interval = erlang.required_agents on the forecast mean."""
    req = base_plan.requirements
    direct = erlang.required_agents(
        req["volume"].to_numpy(),
        req["aht_s"].to_numpy(),
        interval_min=30,
        service_level=service.service_level,
        target_answer_s=service.target_answer_s,
        max_occupancy=service.max_occupancy,
        integer=False,
    )
    busy = req["volume"].to_numpy() > 0
    assert_allclose(req["agents_frac"].to_numpy()[busy], np.asarray(direct)[busy], rtol=1e-12)
    assert_allclose(req["scheduled"], req["agents_frac"] / (1 - service.shrinkage), rtol=1e-12)
    # Hand arithmetic: traffic = volume x AHT / 1800 s.
    assert_allclose(req["traffic_erl"], req["volume"] * req["aht_s"] / 1800.0)
    fc = base_plan.forecast.groupby("ds")["volume"].sum()
    assert_allclose(req.set_index("ds")["volume"], fc.reindex(req["ds"]).to_numpy())


def test_roster_covers_the_rounded_requirement(base_plan):
    cov = base_plan.coverage.set_index("ds")
    req = base_plan.requirements.set_index("ds")
    assert_allclose(cov.loc[req.index, "required"], np.ceil(req["scheduled"] - 1e-6))


def test_verdict_equals_erlang_on_rostered_staff(base_plan, service):
    """Verdict = Erlang C at the roster's on-floor agents x (1 - shrinkage)."""
    v = base_plan.verdict
    cov = base_plan.coverage.set_index("ds")
    assert_allclose(v["on_floor"], cov["on_floor"].reindex(v["ds"]).to_numpy())
    busy = v[v["volume"] > 0]
    on_phones = cov["on_floor"].reindex(busy["ds"]).to_numpy() * (1 - service.shrinkage)
    a = busy["volume"].to_numpy() * busy["aht_s"].to_numpy() / 1800.0
    aht = busy["aht_s"].to_numpy()
    assert_allclose(busy["on_phones"], on_phones)
    assert_allclose(busy["service_level"], erlang.service_level(on_phones, a, aht, 20.0))
    assert_allclose(busy["asa_s"], erlang.asa(on_phones, a, aht))
    assert_allclose(busy["occupancy"], erlang.occupancy(on_phones, a))
    assert (busy["p_abandon"] == 0).all()  # Erlang C: nobody hangs up


def test_staffing_exactly_to_the_requirement_meets_the_target(base_plan, service):
    req = base_plan.requirements
    busy = req["volume"] > 0
    v = evaluate_staffing(
        req["ds"][busy],
        req["volume"][busy],
        req["aht_s"][busy],
        req["scheduled"][busy],
        interval_min=30,
        shrinkage=service.shrinkage,
    )
    assert (v["service_level"] >= service.service_level - 1e-9).all()


def test_verdict_with_no_shrinkage_is_erlang_at_the_counts():
    ds = pd.date_range("2024-01-01 08:00", periods=4, freq="30min")
    vol = np.array([100.0, 150.0, 80.0, 0.0])
    on_floor = np.array([14.0, 20.0, 9.0, 3.0])
    v = evaluate_staffing(ds, vol, 240.0, on_floor, interval_min=30, target_answer_s=20)
    a = vol * 240 / 1800
    assert_allclose(v["service_level"][:3], erlang.service_level(on_floor, a, 240.0, 20.0)[:3])
    assert_allclose(v["asa_s"][:3], erlang.asa(on_floor, a, 240.0)[:3])
    assert_allclose(v["occupancy"][:3], erlang.occupancy(on_floor, a)[:3])
    assert np.isnan(v["service_level"][3])  # nothing offered, nothing to answer


def test_verdict_uses_erlang_a_with_patience():
    ds = pd.date_range("2024-01-01 08:00", periods=2, freq="30min")
    vol = np.array([100.0, 150.0])
    on_floor = np.array([12.0, 15.0])
    v = evaluate_staffing(
        ds, vol, 240.0, on_floor, interval_min=30, target_answer_s=20, patience_s=120.0
    )
    ref = erlang.erlang_a(on_floor, vol * 240 / 1800, 240.0, 120.0, 20.0)
    assert_allclose(v["p_abandon"], ref.p_abandon)
    assert_allclose(v["service_level"], ref.service_level)
    assert (v["p_abandon"] > 0).all()


def test_quantile_staffing_is_at_least_mean_staffing(base_plan, quantile_plan, service):
    fc = quantile_plan.forecast.groupby("ds")[["volume", quantile_column(0.95)]].sum()
    assert (fc[quantile_column(0.95)] >= fc["volume"] - 1e-9).all()
    q = quantile_plan.requirements.set_index("ds")
    m = base_plan.requirements.set_index("ds").reindex(q.index)
    assert (q["scheduled"] >= m["scheduled"] - 1e-9).all()
    assert q["scheduled"].sum() > m["scheduled"].sum()
    s = quantile_plan.summary
    assert s["volume_at_quantile"] > s["volume"]
    assert s["service_level"] >= s["service_level_at_quantile"]
    assert quantile_plan.verdict_quantile is not None
    assert_allclose(quantile_plan.verdict_quantile["volume"], q["volume"].to_numpy())


def test_queues_are_pooled(service):
    hist = synthetic_history(queues=("sales", "service"), weeks=5, daily_volume=300)
    p = staffplan.plan(
        hist, horizon="1D", start=START, service=service, rules=RULES, simulate=False, **FAST
    )
    fc = p.forecast
    assert set(fc["queue"]) == {"sales", "service"}
    req = p.requirements.set_index("ds")
    total = fc.groupby("ds")["volume"].sum()
    work = (fc["volume"] * fc["aht_s"]).groupby(fc["ds"]).sum()
    assert_allclose(req["volume"], total.reindex(req.index))
    # Pooled traffic is the sum of the queues' traffic.
    assert_allclose(req["traffic_erl"], (work / 1800.0).reindex(req.index), rtol=1e-12)
    one = staffplan.plan(
        hist,
        horizon="1D",
        start=START,
        service=service,
        rules=RULES,
        simulate=False,
        queue="sales",
        **FAST,
    )
    assert set(one.forecast["queue"]) == {"sales"}
    assert one.requirements["volume"].sum() < p.requirements["volume"].sum()


def test_requirements_frame_rounds_once():
    ds = pd.date_range("2024-01-01", periods=3, freq="30min")
    r = requirements_frame(
        ds, [0.0, 50.0, 120.0], 200.0, service=ServiceTarget(shrinkage=0.25), interval_min=30
    )
    assert r["agents"][0] == 0 and r["scheduled"][0] == 0
    assert_allclose(r["scheduled_int"], np.ceil(r["agents_frac"] / 0.75 - 1e-9))
    assert (r["agents"] >= r["agents_frac"] - 1e-9).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": "soon"}, "horizon"),
        ({"start": "2024-01-15"}, "after the end of the history"),
        ({"volume_quantile": 1.5}, "volume_quantile"),
        ({"service": {"service_level": 0.8}}, "ServiceTarget"),
        ({"rules": {"shift": []}}, "unknown key"),
        ({"queue": "billing"}, "queue"),
    ],
)
def test_bad_arguments_name_the_parameter(history, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        staffplan.plan(history, **kwargs)


def test_missing_column_is_named(history):
    with pytest.raises(ValueError, match="volume"):
        staffplan.plan(history.drop(columns="volume"))


def test_service_target_validates():
    with pytest.raises(ValueError, match="shrinkage"):
        ServiceTarget(shrinkage=1.0)
    with pytest.raises(ValueError, match="patience_s"):
        ServiceTarget(max_abandon=0.05)


def test_input_is_not_mutated(service):
    hist = synthetic_history(weeks=5)
    before = hist.copy()
    staffplan.plan(
        hist, horizon="1D", start=START, service=service, rules=RULES, simulate=False, **FAST
    )
    pd.testing.assert_frame_equal(hist, before)


def test_aggregates_over_contacts_and_agent_time():
    from staffplan.plan import busy_share, volume_weighted

    # Hand arithmetic: (0.9 x 100 + 0.5 x 300) / 400 = 0.6.
    assert volume_weighted([0.9, 0.5, np.nan], [100, 300, 0]) == pytest.approx(0.6)
    # Contacts in an overloaded interval wait without bound: the mean ASA is too.
    assert volume_weighted([10.0, np.inf], [100, 1]) == np.inf
    assert volume_weighted([10.0, np.inf], [100, 0]) == 10.0
    # Busy agent-time: (1.0 x 10 + 0.5 x 30) / 40 = 0.625, never above 1.
    assert busy_share([1.0, 0.5, np.nan], [10, 30, 0]) == pytest.approx(0.625)


def test_time_zone_aware_history_meets_the_roster(service, tmp_path):
    hist = synthetic_history(weeks=5)
    hist["ds"] = hist["ds"].dt.tz_localize("Europe/Amsterdam")
    p = staffplan.plan(
        hist, horizon="1D", start=START, service=service, rules=RULES, simulate=False, **FAST
    )
    busy = p.verdict["volume"] > 0
    # The roster clock is naive wall time; the verdict must find its staff there.
    assert (p.verdict.loc[busy, "on_floor"] > 0).all()
    assert p.summary["shortage_hours"] == 0
    loaded = Plan.load(p.save(tmp_path / "tz"))
    pd.testing.assert_series_equal(loaded.verdict["ds"], p.verdict["ds"])


def test_default_shifts_follow_the_opening_hours_of_a_round_the_clock_centre():
    # A 24/7 centre: the default shift types must reach the night, which fixed
    # 07:00 starts cannot (the plan would be short every night).
    history, _ = datasets.generate_sample(
        hours="24/7", weeks=4, start="2024-01-01", queues=("line",), seed=5, daily_volume=1200.0,
        events=False,
    )  # fmt: skip
    rules = {key: value for key, value in RULES.items() if key != "shifts"}
    p = staffplan.plan(history, horizon="1D", rules=rules, simulate=False, **FAST)
    # "Not given" is kept as such; the types the roster used are recorded beside it.
    assert p.settings["rules"]["shifts"] is None
    shifts = p.settings["roster_shifts"]
    assert [(s["earliest_start"], s["latest_start"], s["crosses_midnight"]) for s in shifts] == [
        (0, 1410, True),
        (0, 1410, True),
    ]
    night = p.coverage[p.coverage["ds"].dt.hour < 6]
    assert (night["required"] > 0).all()
    assert night["shortage"].sum() == 0
    assert p.summary["intervals_below_target"] == 0


def test_default_rules_fit_an_hourly_grid():
    # On 60-min intervals a 30-min lunch cannot be placed: the default lunch takes one
    # interval, shifts start on the hour from opening (08:00) and no rule error surfaces.
    rng = np.random.default_rng(2)
    ds = pd.date_range("2024-01-01", periods=4 * 7 * 24, freq="60min")
    ds = ds[(ds.hour >= 8) & (ds.hour < 20) & (ds.day_of_week < 5)]
    volume = rng.poisson(40 + 50 * np.exp(-0.5 * ((ds.hour - 12) / 2.5) ** 2)).astype(float)
    history = pd.DataFrame({"ds": ds, "volume": volume, "aht_s": 300.0})
    p = staffplan.plan(history, horizon="1D", start="2024-01-29", simulate=False, **FAST)
    rules = p.settings["rules"]
    assert rules["lunch"]["length_min"] == 60
    assert [
        (s["earliest_start"], s["latest_start"], s["start_step_min"])
        for s in p.settings["roster_shifts"]
    ] == [
        (480, 720, 60),
        (480, 960, 60),
    ]
    assert p.coverage["shortage"].sum() == 0
