"""The simulator against Ciw, a peer discrete-event library, on M/M/c and M/M/c+M.

Both simulate the same system from empty over the same horizon; each side's
replications give a mean and a standard error, and the two means must agree
within four combined standard errors (a false alarm about once in 15 000 runs).
For M/M/c, Erlang C's steady-state value is a third, analytic reference.
"""

from __future__ import annotations

import numpy as np
import pytest

from staffplan import erlang, simulate

ciw = pytest.importorskip("ciw", reason="Ciw is the peer simulator (pip install -e '.[dev]')")

INTERVAL_MIN = 30
N_INTERVALS = 12  # six hours
KEEP = 10  # callers arriving in the first five hours: all served before the end
TARGET_S = 20.0
REPS = 30


def _ours(vol: float, aht_s: float, agents: int, patience_s: float | None) -> np.ndarray:
    """Per replication: mean wait [s], P(answered within the target), abandoned share."""
    rows = []
    for seed in range(REPS):
        out = simulate.simulate_intervals(
            np.full(N_INTERVALS, vol), aht_s, np.full(N_INTERVALS, agents),
            interval_min=INTERVAL_MIN, patience_s=patience_s, target_answer_s=TARGET_S,
            n_reps=2, rng=seed,
        ).iloc[:KEEP]  # fmt: skip
        offered = out["offered"]
        rows.append(
            [
                np.sum(out["asa_s"] * offered) / offered.sum(),
                np.sum(out["service_level"] * offered) / offered.sum(),
                np.sum(out["p_abandon"] * offered) / offered.sum(),
            ]
        )
    return np.array(rows)


def _network(vol: float, aht_s: float, agents: int, patience_s: float | None) -> object:
    kwargs = {}
    if patience_s is not None:
        kwargs["reneging_time_distributions"] = [ciw.dists.Exponential(rate=1.0 / patience_s)]
    return ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=vol / (60.0 * INTERVAL_MIN))],
        service_distributions=[ciw.dists.Exponential(rate=1.0 / aht_s)],
        number_of_servers=[agents],
        **kwargs,
    )


def _ciw(vol: float, aht_s: float, agents: int, patience_s: float | None) -> np.ndarray:
    interval_s = 60.0 * INTERVAL_MIN
    network = _network(vol, aht_s, agents, patience_s)
    rows = []
    for seed in range(REPS):
        ciw.seed(1000 + seed)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(N_INTERVALS * interval_s)
        recs = [r for r in sim.get_all_records() if r.arrival_date < KEEP * interval_s]
        wait = np.array([r.waiting_time for r in recs])
        reneged = np.array([r.record_type == "renege" for r in recs])
        rows.append([wait.mean(), np.mean(~reneged & (wait <= TARGET_S)), reneged.mean()])
    return np.array(rows)


def _agree(a: np.ndarray, b: np.ndarray) -> None:
    for k, name in enumerate(("mean wait", "P(wait <= t)", "abandoned share")):
        se = np.sqrt(a[:, k].var(ddof=1) / len(a) + b[:, k].var(ddof=1) / len(b))
        diff = a[:, k].mean() - b[:, k].mean()
        assert abs(diff) <= 4 * se + 1e-12, (name, a[:, k].mean(), b[:, k].mean(), se)


def test_mm_c_agrees_with_ciw_and_erlang_c() -> None:
    vol, aht_s, agents = 100.0, 180.0, 12  # 10 Erlangs on 12 agents: queues of some length
    ours, peer = _ours(vol, aht_s, agents, None), _ciw(vol, aht_s, agents, None)
    _agree(ours, peer)
    assert ours[:, 2].max() == 0.0  # nobody hangs up without patience
    # Erlang C is steady state; starting empty makes the first half hour a little better.
    traffic = vol * aht_s / (60.0 * INTERVAL_MIN)
    assert ours[:, 0].mean() == pytest.approx(erlang.asa(agents, traffic, aht_s), rel=0.2)
    assert ours[:, 1].mean() == pytest.approx(
        erlang.service_level(agents, traffic, aht_s, TARGET_S), abs=0.04
    )


def test_mm_c_m_agrees_with_ciw() -> None:
    vol, aht_s, agents, patience_s = 120.0, 180.0, 11, 90.0  # overloaded: many hang up
    ours, peer = _ours(vol, aht_s, agents, patience_s), _ciw(vol, aht_s, agents, patience_s)
    _agree(ours, peer)
    assert ours[:, 2].mean() > 0.05  # a case where abandonment matters


def test_callers_found_on_arrival_agree_with_ciw() -> None:
    # Ciw records the number in the node each arrival finds (queue_size_at_arrival).
    vol, aht_s, agents = 100.0, 180.0, 12
    seen = simulate.callers_seen_on_arrival(
        np.full(N_INTERVALS, vol), aht_s, np.full(N_INTERVALS, agents),
        interval_min=INTERVAL_MIN, n_reps=REPS, rng=4,
    )  # fmt: skip
    ours = np.concatenate(seen[:KEEP])
    network = _network(vol, aht_s, agents, None)
    peer = []
    for seed in range(REPS):
        ciw.seed(2000 + seed)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(N_INTERVALS * 1800.0)
        peer += [
            r.queue_size_at_arrival for r in sim.get_all_records() if r.arrival_date < KEEP * 1800
        ]
    peer_arr = np.asarray(peer, dtype=float)
    # Means of two large samples of a positively correlated process: agree within 5%.
    assert ours.mean() == pytest.approx(peer_arr.mean(), rel=0.05)
    assert np.mean(ours >= agents) == pytest.approx(np.mean(peer_arr >= agents), abs=0.05)
