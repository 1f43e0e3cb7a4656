"""Time-stable staffing (the iterative staffing algorithm) and the at-risk flag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _plan_testdata import FAST, RULES, START
from scipy import special

import staffplan
from staffplan import erlang, simulate
from staffplan.plan import ServiceTarget, requirements_frame
from staffplan.plan._isa import (
    _fewest_agents,
    service_level_given_seen,
    time_stable_agents,
    time_stable_requirements,
)
from staffplan.plan._verdict import mark_at_risk

SERVICE = ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.0, max_occupancy=None)


def _two_peak_day() -> tuple[pd.DatetimeIndex, np.ndarray]:
    """07:00-21:00, a sharp morning peak and a smaller afternoon one (300 s AHT: ~80 agents)."""
    ds = pd.date_range("2026-03-02 07:00", periods=28, freq="30min")
    h = np.arange(28) / 2 + 7
    vol = (
        80
        + 400 * np.exp(-0.5 * ((h - 10.5) / 1.2) ** 2)
        + 150 * np.exp(-0.5 * ((h - 15) / 1.5) ** 2)
    )
    return ds, vol


def test_rule_on_the_stationary_distribution_is_erlang_c() -> None:
    # Reference: Erlang C's service level 1 - C(c, a) exp(-(c - a) t / AHT). By PASTA,
    # arrivals to a stationary M/M/c find n callers with the stationary probability
    # p_n, proportional to a^n/n! below c and a^c/c! (a/c)^(n-c) from c on.
    a, c, aht, t = 10.0, 12, 180.0, 20.0
    n = np.arange(600)
    log_p = np.where(
        n < c,
        n * np.log(a) - special.gammaln(n + 1),
        c * np.log(a) - special.gammaln(c + 1) + (n - c) * np.log(a / c),
    )
    p = np.exp(log_p - log_p.max())
    p /= p.sum()
    got = service_level_given_seen(n, p, np.array([c]), aht, t)[0]
    assert got == pytest.approx(float(erlang.service_level(c, a, aht, t)), rel=1e-9)


def test_rule_with_zero_target_time_is_the_delay_probability_rule() -> None:
    # Feldman et al. staff to P(L >= c) <= alpha: with a zero answer time only callers
    # finding a free agent count. Hand-checkable: L = 0..9 once each, 70% must find one free.
    seen = np.arange(10)
    assert _fewest_agents(seen, 180.0, 0.0, 0.7, 1) == 7  # L < 7 for 7 of 10
    assert _fewest_agents(seen, 180.0, 0.0, 0.7, 8) == 8  # never below the floor
    assert _fewest_agents(np.array([], dtype=int), 180.0, 20.0, 0.8, 5) == 5


def test_time_stable_staffing_repairs_the_intervals_after_a_peak() -> None:
    ds, vol = _two_peak_day()
    base = SERVICE.required_on_phones(vol, 300.0, interval_min=30, integer=True)
    isa, facts = time_stable_agents(ds, vol, 300.0, base, service=SERVICE, interval_min=30, rng=1)
    assert facts["converged"] and (isa >= base).all()
    # Judged by an independent simulation (other seed, more replications).
    judge = {
        name: simulate.simulate_intervals(
            vol, 300.0, a.astype(int), interval_min=30, n_reps=60, rng=99
        )
        for name, a in (("erlang", base), ("isa", isa))
    }
    short = {k: int((v["service_level_hi"] < 0.8).sum()) for k, v in judge.items()}
    assert short["erlang"] >= 2  # the formula's staffing misses after the peaks
    assert short["isa"] == 0
    # At a small price: under 3% more agent-intervals, all of them after the peaks.
    assert 0 < facts["added"] < 0.03 * base.sum()
    peak = int(np.argmax(vol))
    assert (isa[: peak + 1] == base[: peak + 1]).all()


def test_time_stable_requirements_keep_the_frame_contract() -> None:
    ds, vol = _two_peak_day()
    svc = SERVICE.replace(shrinkage=0.3)
    reqs = requirements_frame(ds, vol, 300.0, service=svc, interval_min=30)
    out, facts = time_stable_requirements(reqs, service=svc, interval_min=30, rng=1)
    assert list(out.columns) == list(reqs.columns)
    assert (out["scheduled_int"] >= reqs["scheduled_int"]).all()
    raised = out["agents"] > reqs["agents"]
    assert int(raised.sum()) == facts["raised_intervals"] > 0
    np.testing.assert_allclose(out.loc[raised, "scheduled"], out.loc[raised, "agents"] / 0.7)
    pd.testing.assert_frame_equal(out[~raised], reqs[~raised], check_dtype=False)
    assert reqs is not out and "agents" in reqs  # the input is not mutated


def test_at_risk_needs_the_whole_interval_below_target() -> None:
    v = pd.DataFrame(
        {
            "volume": [10.0, 10.0, 10.0, 0.0],
            "sim_service_level_hi": [0.79, 0.85, np.nan, 0.1],
        }
    )
    assert mark_at_risk(v, 0.8).tolist() == [True, False, False, False]


def test_plan_with_time_stable_staffing(history, service) -> None:
    kw = {"horizon": "1D", "start": START, "service": service, "rules": RULES, "rng": 3, **FAST}
    plain = staffplan.plan(history, **kw)
    stable = staffplan.plan(history, staffing="time_stable", **kw)
    assert stable.settings["staffing"] == "time_stable"
    assert stable.settings["time_stable"]["converged"]
    assert (stable.requirements["scheduled"] >= plain.requirements["scheduled"] - 1e-9).all()
    for p in (plain, stable):
        assert {"sim_service_level", "at_risk"} <= set(p.verdict)
        assert p.summary["intervals_at_risk"] == p.verdict["at_risk"].sum()
        assert "intervals_at_risk" in p.daily
    with pytest.raises(ValueError, match="staffing must be one of"):
        staffplan.plan(history, staffing="isa!", **kw)


def test_service_plot_marks_intervals_at_risk() -> None:
    pytest.importorskip("matplotlib")
    from staffplan import report

    ds = pd.date_range("2026-03-02 08:00", periods=4, freq="30min")
    v = pd.DataFrame(
        {
            "ds": ds,
            "service_level": [0.85, 0.84, 0.86, 0.9],
            "sim_service_level": [0.83, 0.6, 0.85, 0.7],
            "sim_service_level_lo": [0.78, 0.5, 0.8, 0.6],
            "sim_service_level_hi": [0.88, 0.7, 0.9, 0.82],
            "volume": [50.0, 60.0, 55.0, 40.0],
        }
    )
    v["at_risk"] = mark_at_risk(v, 0.8)
    fig = report.plot_service(v, target=0.8)
    ax = fig.axes[0]
    crosses = next(line for line in ax.get_lines() if line.get_label().startswith("at risk"))
    assert crosses.get_label() == "at risk in simulation (1)"
    np.testing.assert_allclose(crosses.get_ydata(), [60.0])
    assert ax.get_title(loc="left").endswith("; 1 at risk in simulation")


def test_time_stable_staffing_on_a_quarter_hour_grid() -> None:
    ds, vol = _two_peak_day()
    quarter = pd.date_range(ds[0], periods=2 * len(ds), freq="15min")
    vol15 = np.repeat(vol / 2.0, 2)
    base = SERVICE.required_on_phones(vol15, 300.0, interval_min=15, integer=True)
    isa, facts = time_stable_agents(
        quarter, vol15, 300.0, base, service=SERVICE, interval_min=15, rng=2
    )
    assert facts["converged"] and (isa >= base).all() and facts["added"] > 0
    judge = simulate.simulate_intervals(
        vol15, 300.0, isa.astype(int), interval_min=15, n_reps=40, rng=98
    )
    assert int((judge["service_level_hi"] < 0.8).sum()) == 0


def test_time_stable_staffing_with_abandonment() -> None:
    # Erlang A: callers hang up after 120 s on average; the simulation counts only those
    # still waiting among the callers an arrival finds.
    ds, vol = _two_peak_day()
    svc = SERVICE.replace(patience_s=120.0)
    base = svc.required_on_phones(vol, 300.0, interval_min=30, integer=True)
    isa, facts = time_stable_agents(ds, vol, 300.0, base, service=svc, interval_min=30, rng=3)
    assert facts["converged"] and (isa >= base).all()
    judge = {
        name: simulate.simulate_intervals(
            vol, 300.0, a.astype(int), interval_min=30, patience_s=120.0, n_reps=40, rng=97
        )
        for name, a in (("erlang", base), ("isa", isa))
    }
    short = {k: int((v["service_level_hi"] < 0.8).sum()) for k, v in judge.items()}
    assert short["isa"] <= short["erlang"]
    assert judge["isa"]["service_level"].min() > judge["erlang"]["service_level"].min()


def test_certainty_and_time_stable_compose(history, service) -> None:
    kw = {"horizon": "1D", "start": START, "service": service, "rules": RULES, "rng": 3, **FAST}
    both = staffplan.plan(history, certainty=0.9, staffing="time_stable", **kw)
    only = staffplan.plan(history, certainty=0.9, **kw)
    assert both.settings["certainty"] == 0.9 and both.settings["staffing"] == "time_stable"
    assert (both.requirements["scheduled"] >= only.requirements["scheduled"] - 1e-9).all()
    assert (both.daily["p_meet_target"] >= 0.9).all()
