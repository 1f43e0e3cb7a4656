"""Team forming at headcount scale: by shift class, not an agents x leads matrix."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from staffplan.roster._assign import _overlap_match


def _rows(n_per_class: list[int], starts_h: list[float]) -> list[dict]:
    day = pd.Timestamp("2024-01-01")
    rows = []
    for n, h in zip(n_per_class, starts_h, strict=True):
        start = day + pd.Timedelta(hours=h)
        rows += [{"start": start, "end": start + pd.Timedelta(hours=8)}] * n
    return rows


def test_thirty_thousand_agents_join_leads_of_their_own_shift() -> None:
    # 30 start times (every 30 min from 00:00); each class has 1,000 agents and exactly 100
    # leads (10 each): the only assignment with every team at full overlap keeps agents with
    # leads of their own shift.
    starts = [0.5 * i for i in range(30)]
    agents = _rows([1000] * len(starts), starts)
    leads = _rows([100] * len(starts), starts)
    match = _overlap_match(agents, leads, 10)
    sizes = Counter(match)
    assert len(sizes) == len(leads) and max(sizes.values()) == 10
    assert all(agents[i]["start"] == leads[j]["start"] for i, j in enumerate(match))


def test_every_lead_gets_a_first_agent_before_anyone_a_tenth() -> None:
    # 12 agents 08:00-16:00, leads at 08:00 and at 12:00: the 12:00 lead overlaps less but
    # still gets agents, so no team is empty while agents are left over; at most 10 each.
    agents = _rows([12], [8])
    leads = _rows([1, 1], [8, 12])
    sizes = Counter(_overlap_match(agents, leads, 10))
    assert sorted(sizes.values()) == [2, 10]
