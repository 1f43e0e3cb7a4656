"""Cross-check of the multi-queue simulator against the peer library Ciw on a two-skill case.

Two voice queues ``a`` and ``b``; a dedicated group for each and a cross-trained group
serving both (``a`` first).  An ``a`` contact goes to the longest-idle free agent of the
``a`` specialists and the cross-trained group (both rank ``a`` first); a ``b`` contact to a
``b`` specialist first and to the cross-trained group second; a freed cross-trained agent
takes the oldest ``a`` contact before any ``b`` contact.  Ciw has no skill-based routing out of the box, so one Ciw node
holds all agents and a small Node subclass below restricts which agent serves which class
with the same rules; everything else (event handling, random draws, records) is Ciw's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from staffplan import simulate

ciw = pytest.importorskip("ciw", reason="Ciw is the peer simulator (pip install -e '.[dev]')")

AHT_S = 240.0
RATE_PER_S = {"a": 40 / 1800, "b": 30 / 1800}  # 40 and 30 contacts per 30 min
GROUPS = {"a_only": 5, "b_only": 4, "both": 3}
SKILLS = {"a_only": ["a"], "b_only": ["b"], "both": ["a", "b"]}
HOURS = 24
TARGET_S = 20.0


def _group_of_server(groups: dict[str, int]) -> dict[int, str]:
    ids: dict[int, str] = {}
    n = 0
    for g, k in groups.items():
        for _ in range(k):
            n += 1
            ids[n] = g
    return ids


def _ciw_run(
    seed: int, groups: dict[str, int], patience_s: float | None
) -> dict[str, tuple[int, int, float, int]]:
    """(offered, answered within target, summed wait, abandoned) per class over the horizon."""
    group_of = _group_of_server(groups)
    tiers: dict[str, list[set[str]]] = {}
    for q in RATE_PER_S:
        ranks = sorted({gq.index(q) for gq in SKILLS.values() if q in gq})
        tiers[q] = [{g for g, gq in SKILLS.items() if q in gq and gq.index(q) == r} for r in ranks]
    idle_since: dict[int, float] = dict.fromkeys(group_of, 0.0)

    class SkillNode(ciw.Node):  # type: ignore[misc, name-defined]
        def _start(self, ind: Any, server: Any) -> None:
            self.attach_server(server, ind)
            ind.service_start_date = self.now
            ind.service_time = self.get_service_time(ind)
            ind.service_end_date = self.now + ind.service_time
            self.number_in_service += 1
            self.reset_class_change(ind)
            server.next_end_service_date = ind.service_end_date

        def begin_service_if_possible_accept(self, next_individual: Any) -> None:
            next_individual.arrival_date = self.now
            if self.reneging is True:
                next_individual.reneging_date = self.get_reneging_date(next_individual)
            self.decide_class_change(next_individual)
            for tier in tiers[next_individual.customer_class]:
                free = [s for s in self.servers if not s.busy and group_of[s.id_number] in tier]
                if free:  # longest idle first
                    srv = min(free, key=lambda s: (idle_since[s.id_number], s.id_number))
                    self._start(next_individual, srv)
                    return

        def begin_service_if_possible_release(self, next_individual: Any, server: Any) -> None:
            if server is None or server not in self.servers:
                return
            waiting = [i for i in self.individuals[0] if not i.server]
            for q in SKILLS[group_of[server.id_number]]:
                mine = [i for i in waiting if i.customer_class == q]
                if mine:
                    self._start(min(mine, key=lambda i: i.arrival_date), server)
                    return
            idle_since[server.id_number] = self.now

    ciw.seed(seed)
    extra = {}
    if patience_s is not None:
        extra["reneging_time_distributions"] = {
            q: [ciw.dists.Exponential(1 / patience_s)] for q in RATE_PER_S
        }
    network = ciw.create_network(
        arrival_distributions={q: [ciw.dists.Exponential(r)] for q, r in RATE_PER_S.items()},
        service_distributions={q: [ciw.dists.Exponential(1 / AHT_S)] for q in RATE_PER_S},
        number_of_servers=[sum(groups.values())],
        **extra,
    )
    sim = ciw.Simulation(network, node_class=SkillNode)
    horizon = HOURS * 3600.0
    sim.simulate_until_max_time(horizon * 3)  # long enough that every contact is served
    recs = [r for r in sim.get_all_records() if r.arrival_date < horizon]
    out = {}
    for q in RATE_PER_S:
        mine = [r for r in recs if r.customer_class == q]
        waits = np.array([r.waiting_time for r in mine])
        served = np.array([r.record_type == "service" for r in mine])
        within = int(((waits <= TARGET_S) & served).sum())
        out[q] = (waits.size, within, float(waits.sum()), int((~served).sum()))
    return out


@pytest.mark.parametrize(
    ("groups", "patience_s"),
    [(GROUPS, None), ({"a_only": 4, "b_only": 3, "both": 3}, 120.0)],
    ids=["no abandonment", "callers hang up"],
)
def test_two_skill_case_agrees_with_ciw(groups: dict[str, int], patience_s: float | None) -> None:
    runs = 10
    idx = pd.date_range("2026-01-05 08:00", periods=2 * HOURS, freq="30min")
    arrivals = pd.DataFrame({q: r * 1800 for q, r in RATE_PER_S.items()}, index=idx)
    agents = pd.DataFrame(groups, index=idx)
    ours = simulate.simulate_queues(
        arrivals, dict.fromkeys(RATE_PER_S, AHT_S), 30, agents, SKILLS,
        target_answer_s=TARGET_S, patience_s=patience_s, runs=runs, seed=21,
    ).totals  # fmt: skip
    peer = [_ciw_run(seed, groups, patience_s) for seed in range(runs)]
    stats_cols = [("service_level", 1), ("asa_s", 2)]
    if patience_s is not None:
        stats_cols.append(("p_abandon", 3))
    for q in RATE_PER_S:
        offered = np.array([p[q][0] for p in peer], dtype=float)
        for stat, col in stats_cols:
            per_run = np.array([p[q][col] for p in peer]) / offered
            peer_mean = float(np.array([p[q][col] for p in peer]).sum() / offered.sum())
            peer_se = float(per_run.std(ddof=1) / np.sqrt(runs))
            t_crit = 2.262  # Student t, 97.5%, 9 degrees of freedom: ours are 95% limits
            ours_se = float(ours.loc[q, f"{stat}_hi"] - ours.loc[q, f"{stat}_lo"]) / (2 * t_crit)
            diff = abs(float(ours.loc[q, stat]) - peer_mean)
            # Two independent estimates of one quantity: the difference is within three
            # standard errors of the difference.
            assert diff <= 3 * np.hypot(peer_se, ours_se), (q, stat, ours.loc[q, stat], peer_mean)
        if patience_s is not None:
            assert ours.loc[q, "p_abandon"] > 0.01  # the case does exercise abandonment
    # The routing matters: queue b, with fewer specialists and second rank for the
    # cross-trained group, waits longer than queue a in both simulators.
    assert ours.loc["b", "asa_s"] > ours.loc["a", "asa_s"]
    assert sum(p["b"][2] for p in peer) / sum(p["b"][0] for p in peer) > sum(
        p["a"][2] for p in peer
    ) / sum(p["a"][0] for p in peer)
