"""The discrete-event check of a verdict and its disagreement flag.

The outside reference is the simulation itself (``staffplan.simulate``): an
Erlang C verdict for an understaffed day must disagree with simulated callers
who hang up after a few seconds (they leave the queue, so those who stay are
answered far faster than Erlang C's ever-growing queue predicts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from staffplan.plan import check_with_simulation, evaluate_staffing


def _day(volume_scale: float, agents: float) -> pd.DataFrame:
    ds = pd.date_range("2024-01-01 08:00", periods=8, freq="30min")
    vol = volume_scale * np.array([60, 80, 100, 110, 100, 90, 70, 60], float)
    return evaluate_staffing(
        ds, vol, 180.0, np.full(8, agents), interval_min=30, target_answer_s=20
    )


def test_flags_disagreement_with_impatient_callers():
    # About 11 Erlang offered to 9 agents: Erlang C says the queue explodes (SL 0).
    verdict = _day(1.0, 9.0)
    assert (verdict["service_level"].iloc[2:6] < 0.05).all()
    checked, warnings = check_with_simulation(
        verdict, interval_min=30, target_answer_s=20, patience_s=5.0, n_reps=10, rng=1
    )
    assert checked["sim_disagrees"].any()
    assert (checked["sim_gap"].iloc[2:6] > 0.1).all()
    assert len(warnings) == 1 and "disagree" in warnings[0]
    # Callers who hang up leave a shorter queue: the simulation is higher, not lower.
    flagged = int(checked["sim_disagrees"].sum())
    assert (
        f"the simulation is lower in 0 (the formula is optimistic there) and higher in {flagged}"
        in warnings[0]
    )


def test_agrees_when_the_model_holds():
    # A well-staffed day without abandonment: Erlang C and the simulation agree
    # within the simulation's CI plus the default tolerance.
    verdict = _day(1.0, 16.0)
    checked, warnings = check_with_simulation(
        verdict, interval_min=30, target_answer_s=20, patience_s=None, n_reps=20, rng=2
    )
    assert not checked["sim_disagrees"].any()
    assert warnings == []
    lo, hi = checked["sim_service_level_lo"], checked["sim_service_level_hi"]
    assert (lo <= checked["sim_service_level"]).all() and (checked["sim_service_level"] <= hi).all()


def test_seeded_check_is_reproducible():
    verdict = _day(0.8, 12.0)
    a, _ = check_with_simulation(verdict, interval_min=30, n_reps=5, rng=7)
    b, _ = check_with_simulation(verdict, interval_min=30, n_reps=5, rng=7)
    pd.testing.assert_frame_equal(a, b)


def test_fractional_staff_is_simulated_between_whole_counts():
    ds = pd.date_range("2024-01-01 08:00", periods=4, freq="30min")
    vol = np.array([80.0, 90.0, 90.0, 80.0])
    sims = {}
    for n in (12.0, 12.5, 13.0):
        verdict = evaluate_staffing(ds, vol, 180.0, np.full(4, n), interval_min=30)
        sims[n], _ = check_with_simulation(verdict, interval_min=30, n_reps=40, rng=3)
    # 12 and 12.5 share their first run (same seed): the mix adds half of a 13-agent run.
    lo, mid, hi = (sims[n]["sim_service_level"].to_numpy() for n in (12.0, 12.5, 13.0))
    assert (mid >= lo - 1e-12).all()
    assert (mid <= hi + 0.05).all()


def test_plan_reports_both_verdicts(base_plan):
    v = base_plan.verdict
    busy = v["volume"] > 0
    assert v.loc[busy, "sim_service_level"].notna().all()
    np.testing.assert_allclose(
        v["sim_gap"], v["sim_service_level"] - v["service_level"], equal_nan=True
    )
    s = base_plan.summary
    assert np.isclose(s["sim_gap"], s["sim_service_level"] - s["service_level"])
    flagged = int(v["sim_disagrees"].sum())
    daily = base_plan.daily
    np.testing.assert_allclose(
        daily["sim_gap"], daily["sim_service_level"] - daily["service_level"]
    )
    assert daily["sim_disagreeing_intervals"].sum() == flagged
    assert s["sim_disagreeing_intervals"] == flagged
    assert any("disagree" in w for w in base_plan.warnings) == (flagged > 0)


def test_a_backlog_carried_over_makes_the_formula_optimistic():
    # 220 calls / 30 min at 180 s (22 Erlang): 24 agents, then 17 for one interval (the
    # queue grows without bound in steady state), then 24 again. Erlang C treats each
    # interval alone; the simulated callers still queued from the short interval wait in
    # the next one, so there the simulation is far below the formula.
    ds = pd.date_range("2024-01-01 08:00", periods=6, freq="30min")
    agents = np.array([24, 24, 17, 24, 24, 24], float)
    verdict = evaluate_staffing(ds, np.full(6, 220.0), 180.0, agents, interval_min=30)
    checked, warnings = check_with_simulation(verdict, interval_min=30, n_reps=20, rng=1)
    after = checked.iloc[3]
    assert after["sim_disagrees"] and after["sim_gap"] < -0.2
    lower = int((checked["sim_disagrees"] & (checked["sim_gap"] < 0)).sum())
    assert lower >= 1
    assert f"the simulation is lower in {lower} (the formula is optimistic there)" in warnings[0]
