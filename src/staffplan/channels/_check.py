"""A channel plan played contact by contact: service per queue in simulation against its promise."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from staffplan.channels._staffing import ChannelRequirement

__all__ = ["check_in_simulation"]


def check_in_simulation(
    req: ChannelRequirement,
    volume: pd.DataFrame,
    aht_s: Mapping[str, float | ArrayLike],
    *,
    runs: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Simulate a channel plan and compare each queue's service with its promise.

    Each queue gets its own agents (``req.agents``, whole numbers) and the
    settings it was planned with (``req.promise``, ``req.business_hours``); the
    contacts are played by :func:`staffplan.simulate.simulate_queues`.

    Parameters
    ----------
    req : ChannelRequirement
        A plan from :func:`channel_requirements` with ``integer=True``.
    volume : pandas.DataFrame
        The contacts it was planned for [contacts per interval].
    aht_s : mapping
        Handle time per queue [s], as planned.
    runs, seed : int
        Simulation runs and seed.

    Returns
    -------
    pandas.DataFrame
        One row per queue: ``channel``, ``promise`` (share), ``target_answer_s``
        [s; business seconds for deferred queues], ``simulated`` (share answered
        within the target: over all contacts for voice and chat, over those that
        arrived by the last open interval for deferred work, whose later mail
        belongs to the next plan) with 95% limits ``simulated_lo``/``_hi``,
        ``intervals_meeting`` (voice and chat: share of intervals with contacts
        whose simulated service level reaches the promise), ``meets``
        (``simulated >= promise``).

    Raises
    ------
    ValueError
        A fractional plan, or a queue planned with per-interval targets (the
        simulator takes one target per queue).
    """
    from staffplan.simulate import simulate_queues  # the simulator imports channel specs

    agents = req.agents
    if not np.allclose(agents.fillna(0).to_numpy(), np.round(agents.fillna(0).to_numpy())):
        raise ValueError(
            "req must hold whole agents to simulate; plan with channel_requirements(..., "
            "integer=True)"
        )
    promise = req.promise
    per_interval = promise.index[promise[["service_level", "target_answer_s"]].isna().any(axis=1)]
    if len(per_interval):
        raise ValueError(
            f"queue(s) {list(per_interval)} were planned with per-interval targets; the "
            "simulation takes one service_level and target_answer_s per queue"
        )
    queues = list(promise.index)
    patience = {q: None if np.isnan(p) else float(p) for q, p in promise.patience_s.items()}
    res = simulate_queues(
        volume[queues],
        {q: aht_s[q] for q in queues},
        req.interval_min,
        agents[queues].fillna(0).astype(int),
        {q: [q] for q in queues},
        target_answer_s=promise.target_answer_s.to_dict(),
        patience_s=patience,
        concurrency=req.concurrency,
        channel=req.channel,
        runs=runs,
        seed=seed,
        chat_slowdown=promise.chat_slowdown.to_dict(),
        business_hours=req.business_hours,
    )
    open_idx = np.flatnonzero(req.business_hours)
    last_open = int(open_idx[-1]) if open_idx.size else len(volume) - 1
    t_crit = stats.t.ppf(0.975, runs - 1)
    rows = []
    for j, q in enumerate(queues):
        row = {
            "channel": req.channel[q],
            "promise": promise.service_level[q],
            "target_answer_s": promise.target_answer_s[q],
        }
        if req.channel[q] == "deferred":
            within = res.per_run["within"][:, : last_open + 1, j].sum(axis=1)
            offered = res.per_run["offered"][:, : last_open + 1, j].sum(axis=1)
            share = within / np.maximum(offered, 1)
            half = t_crit * share.std(ddof=1) / np.sqrt(runs)
            row |= {
                "simulated": float(within.sum() / max(offered.sum(), 1)),
                "simulated_lo": float(max(share.mean() - half, 0.0)),
                "simulated_hi": float(min(share.mean() + half, 1.0)),
                "intervals_meeting": np.nan,
            }
        else:
            tot = res.totals.loc[q]
            sl = res.intervals.xs(q, level="queue").service_level.to_numpy()
            busy = volume[q].to_numpy() > 0
            row |= {
                "simulated": float(tot.service_level),
                "simulated_lo": float(tot.service_level_lo),
                "simulated_hi": float(tot.service_level_hi),
                "intervals_meeting": float((sl[busy] >= row["promise"]).mean())
                if busy.any()
                else np.nan,
            }
        row["meets"] = bool(row["simulated"] >= row["promise"])
        rows.append(row)
    return pd.DataFrame(rows, index=pd.Index(queues, name="queue"))
