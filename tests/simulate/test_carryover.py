"""Queues carry over interval boundaries (and midnight when the centre stays open); replays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import erlang, simulate
from staffplan.plan import check_with_simulation, evaluate_staffing
from staffplan.plan._verdict import simulation_runs


def test_exact_arrivals_replay_the_counts() -> None:
    out = simulate.simulate_intervals(
        [12.0, 0.0, 30.0], 200, [3, 1, 6], n_reps=3, arrivals="exact", rng=1
    )
    assert out["offered"].tolist() == [12.0, 0.0, 30.0]
    with pytest.raises(ValueError, match="volume must hold whole counts with arrivals='exact'"):
        simulate.simulate_intervals([12.5], 200, [3], arrivals="exact")
    with pytest.raises(ValueError, match="arrivals must be one of"):
        simulate.simulate_intervals([12.0], 200, [3], arrivals="replay")


def test_callers_seen_follow_erlang_c_in_steady_state() -> None:
    # Reference: by PASTA an arrival to a stationary M/M/c waits with Erlang C's probability
    # and finds on average a + C(c, a) a / (c - a) callers (Little's law on the queue).
    vol, aht, c = 100.0, 180.0, 12  # a = 10 Erlangs
    seen = simulate.callers_seen_on_arrival(
        np.full(24, vol), aht, np.full(24, c), interval_min=30, n_reps=20, rng=3
    )
    found = np.concatenate(seen[4:])  # after two hours the empty start is forgotten
    p_wait = float(erlang.erlang_c(c, 10.0))
    assert np.mean(found >= c) == pytest.approx(p_wait, abs=0.04)
    assert found.mean() == pytest.approx(10.0 + p_wait * 10.0 / 2.0, rel=0.06)
    assert len(seen) == 24 and all(s.dtype.kind == "i" for s in seen)


def test_runs_split_at_closed_hours_and_span_midnight_when_open() -> None:
    weekday = pd.date_range("2026-03-02 08:00", periods=4, freq="30min").append(
        pd.date_range("2026-03-03 08:00", periods=4, freq="30min")
    )
    assert [r.tolist() for r in simulation_runs(weekday, 30)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    round_clock = pd.date_range("2026-03-02 22:00", periods=8, freq="30min")
    assert [r.tolist() for r in simulation_runs(round_clock, 30)] == [list(range(8))]
    split = pd.DatetimeIndex(["2026-03-02 11:00", "2026-03-02 11:30", "2026-03-02 14:00"])
    assert [r.tolist() for r in simulation_runs(split, 30)] == [[0, 1], [2]]
    assert simulation_runs(pd.DatetimeIndex([]), 30) == []


def test_a_backlog_at_midnight_carries_into_the_next_day() -> None:
    # A 24/7 centre badly short at 23:30 leaves a queue for 00:00; simulated apart per
    # calendar day, 00:00 would start empty and look as good as the formula.
    ds = pd.date_range("2026-03-02 23:00", periods=4, freq="30min")
    vol = np.full(4, 100.0)
    verdict = evaluate_staffing(ds, vol, 180.0, [12, 7, 12, 12], interval_min=30)
    checked, _ = check_with_simulation(verdict, interval_min=30, n_reps=20, rng=2)
    midnight = checked.loc[2]
    assert midnight["ds"] == pd.Timestamp("2026-03-03 00:00")
    assert midnight["sim_service_level_hi"] < midnight["service_level"] - 0.2
    assert midnight["sim_asa_s"] > 3 * midnight["asa_s"]
