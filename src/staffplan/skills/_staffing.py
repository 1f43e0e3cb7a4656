"""Agents per skill group and interval: two LP bounds on the pooling of cross-trained agents,
then a simulation check that adds agents where a queue misses its target.

Method (see ``docs/skills.md``), per interval ``t``, queues ``q``, skill groups ``g`` with
cost ``c_g``, speed ``p_gq`` (0 when ``g`` lacks skill ``q``) and staffing ``n_g``:

1. *Dedicated requirement*: ``N_q`` = the Erlang C/A agents queue ``q`` needs on its own
   (fractional, :meth:`staffplan.plan.ServiceTarget.required_on_phones`).
2. *Upper model (flow)*: ``min sum_g c_g n_g`` subject to ``sum_q a_gq <= n_g`` and
   ``sum_g p_gq a_gq >= N_q``: a cross-trained agent's time is split into dedicated slices
   (a flow network group -> queue).  It claims no pooling gain, so it is conservative: every
   queue is staffed as if dedicated.
3. *Lower model (pooled)*: for every non-empty set ``S`` of queues, the agents able to serve
   some queue of ``S`` are at least what ``S`` needs as one pool,
   ``sum_{g serves S} max_{q in S} p_gq n_g >= N(S)``, with ``N(S)`` the Erlang requirement
   of the merged stream (volumes add, AHT volume-weighted, the loosest target of ``S``).
   Every staffing that serves each queue satisfies these (an agent outside ``S``'s groups
   never answers ``S``, and one pool is the best the agents inside can do), so the LP optimum
   is a lower bound up to the Erlang approximation of mixed handle times.  With dedicated
   groups only, the constraints of single queues bind and both models agree.
4. *Simulation check* (``simulate=True``): the lower model rounded up is simulated with
   skills-based routing (:func:`staffplan.simulate.simulate_queues`); wherever a queue's
   simulated service level is below its target by more than 1.96 binomial standard errors
   (over every run's contacts of that interval), one agent is
   added to the cheapest group serving that queue (fewest skills on a tie), and the check
   runs again, at most ``max_rounds`` times.

Both LPs are solved for all intervals at once (one block-diagonal HiGHS call each).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from staffplan._validation import (
    as_float_array,
    check_int,
    check_interval_min,
    check_nonnegative,
    check_positive,
)
from staffplan.channels._spec import check_channels
from staffplan.defaults import ROUND_TOL
from staffplan.plan._service import ServiceTarget
from staffplan.skills._groups import SkillGroup, check_served, groups_from

__all__ = ["SkillRequirement", "skill_requirements"]

#: Queues up to which every subset gets a pooled constraint (2**10 - 1 = 1023 per interval);
#: above it, single queues and the sets of queues joined by a group's skills.
MAX_SUBSET_QUEUES = 10
#: Cost of a missing agent-interval in the LPs (caps can make full service impossible),
#: relative to the dearest group.
_SLACK_COST = 1000.0
#: Standard errors by which a simulated service level may fall below its target before the
#: check adds an agent.
_Z_SIM = 1.96


@dataclass(frozen=True)
class SkillRequirement:
    """What :func:`skill_requirements` returns.

    Attributes
    ----------
    queues : tuple of str
        Queue names (columns of the per-queue frames).
    groups : tuple of SkillGroup
        The skill groups (columns of the per-group frames).
    dedicated : DataFrame
        Agents each queue needs on the phones on its own, fractional [agents]; index the
        interval starts.
    lower : DataFrame
        Agents per group on the phones from the pooled (lower) model [agents].
    upper : DataFrame
        Agents per group on the phones from the flow (upper) model [agents].
    allocation : DataFrame
        The flow model's split of each group over its queues: ``ds``, ``group``, ``queue``,
        ``agents`` [agents], rows with agents > 0.
    agents : DataFrame
        Whole agents per group on the phones after the simulation check (or the chosen
        model rounded up without it) [agents].
    simulation : DataFrame or None
        The last simulation check per (interval, queue): ``ds``, ``queue``, ``offered``,
        ``service_level``, ``asa_s``, ``target``, ``meets``.
    shortfall : DataFrame
        Agents the LPs could not place because of ``max_agents`` caps, per queue [agents].
    notes : list of str
        What to know (caps that bind, checks that did not converge).
    """

    queues: tuple[str, ...]
    groups: tuple[SkillGroup, ...]
    dedicated: pd.DataFrame
    lower: pd.DataFrame
    upper: pd.DataFrame
    allocation: pd.DataFrame
    agents: pd.DataFrame
    simulation: pd.DataFrame | None
    shortfall: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def dedicated_total(self) -> pd.Series:
        """Whole agents per interval with one dedicated team per queue [agents]."""
        return np.ceil(self.dedicated - ROUND_TOL).clip(lower=0).sum(axis=1)

    @property
    def total(self) -> pd.Series:
        """Whole agents per interval on the phones, all groups [agents]."""
        return self.agents.sum(axis=1)

    def pooling_gain(self) -> float:
        """Share of agent-intervals cross-training saves against dedicated teams [fraction]."""
        ded = float(self.dedicated_total.sum())
        return 1.0 - float(self.total.sum()) / ded if ded > 0 else 0.0

    def scheduled(self, shrinkage: float) -> pd.DataFrame:
        """Agents per group to schedule on the floor, fractional [agents].

        ``agents / (1 - shrinkage)``; the roster rounds once (:mod:`staffplan.roster`).
        """
        from staffplan.erlang import scheduled_agents

        return pd.DataFrame(
            scheduled_agents(self.agents.to_numpy(float), shrinkage, integer=False),
            index=self.agents.index,
            columns=self.agents.columns,
        )


def _targets(
    service: ServiceTarget | Mapping[str, ServiceTarget] | None, queues: Sequence[str]
) -> dict[str, ServiceTarget]:
    if service is None:
        service = ServiceTarget()
    if isinstance(service, ServiceTarget):
        return {q: service for q in queues}
    if not isinstance(service, Mapping):
        raise TypeError(
            "service must be a ServiceTarget or a mapping {queue: ServiceTarget}, got "
            f"{type(service).__name__}"
        )
    out = {}
    for q in queues:
        if q not in service:
            raise ValueError(
                f"service has no target for queue {q!r}; give every queue a ServiceTarget "
                "or pass one ServiceTarget for all"
            )
        if not isinstance(service[q], ServiceTarget):
            raise TypeError(f"service[{q!r}] must be a ServiceTarget, got {type(service[q])}")
        out[q] = service[q]
    return out


def _load(
    arrivals: pd.DataFrame, aht_s: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if not isinstance(arrivals, pd.DataFrame):
        raise TypeError(
            "arrivals must be a DataFrame (index: interval starts, one column per queue), got "
            f"{type(arrivals).__name__}"
        )
    if arrivals.shape[0] == 0 or arrivals.shape[1] == 0:
        raise ValueError(f"arrivals must hold intervals and queues, got shape {arrivals.shape}")
    queues = tuple(str(c) for c in arrivals.columns)
    if len(set(queues)) != len(queues):
        raise ValueError(f"arrivals columns (queues) must be unique, got {list(queues)}")
    vol = check_nonnegative(arrivals.to_numpy(dtype=float), "arrivals")
    if not isinstance(aht_s, Mapping):
        raise TypeError(f"aht_s must be a mapping {{queue: AHT [s]}}, got {type(aht_s).__name__}")
    aht = np.empty_like(vol)
    for j, q in enumerate(queues):
        if q not in aht_s:
            raise ValueError(f"aht_s has no handle time for queue {q!r}; add aht_s[{q!r}]")
        col = np.broadcast_to(as_float_array(aht_s[q], f"aht_s[{q!r}]"), (vol.shape[0],))
        check_positive(col, f"aht_s[{q!r}]")
        aht[:, j] = col
    return vol, aht, queues


def _subsets(groups: Sequence[SkillGroup], queues: Sequence[str]) -> list[tuple[int, ...]]:
    """Sets of queue indices that get a pooled constraint."""
    q = len(queues)
    if q <= MAX_SUBSET_QUEUES:
        return [c for r in range(1, q + 1) for c in itertools.combinations(range(q), r)]
    pos = {name: i for i, name in enumerate(queues)}
    sets: set[tuple[int, ...]] = {(i,) for i in range(q)}
    sets |= {tuple(sorted(pos[s] for s in g.skills)) for g in groups}
    return sorted(sets, key=lambda s: (len(s), s))


def _pooled_need(
    vol: np.ndarray,
    aht: np.ndarray,
    subsets: Sequence[tuple[int, ...]],
    targets: Sequence[ServiceTarget],
    interval_min: int,
    slots: np.ndarray,
) -> np.ndarray:
    """Erlang requirement of each subset's merged stream, per interval [agents].

    ``slots``: contacts an agent holds at once per queue (chat concurrency, 1 for voice).
    A set of chat queues of one concurrency ``k`` is Erlang on ``n k`` slots, divided by
    ``k``; a set mixing concurrencies counts a chat as ``aht_s / k`` of an agent's time.
    """
    out = np.zeros((vol.shape[0], len(subsets)))
    for j, s in enumerate(subsets):
        idx = list(s)
        ks = {float(slots[i]) for i in idx}
        per = ks.pop() if len(ks) == 1 else 1.0
        scale = slots[idx] if per == 1.0 else np.ones(len(idx))
        v = vol[:, idx].sum(axis=1)
        work = (vol[:, idx] * aht[:, idx] / scale).sum(axis=1)
        a = np.divide(work, v, out=np.ones_like(v), where=v > 0)
        tg = [targets[i] for i in idx]
        # The loosest target of the set: meeting every queue's own target meets it.
        loosest = min(tg, key=lambda t: (t.service_level, -t.target_answer_s))
        loosest = loosest.replace(
            target_answer_s=max(t.target_answer_s for t in tg),
            max_asa_s=None,
            max_abandon=None,
            max_occupancy=max((t.max_occupancy or 1.0) for t in tg),
        )
        need = loosest.required_on_phones(v, a, interval_min=interval_min, integer=False)
        out[:, j] = need / per
    return np.nan_to_num(out, nan=0.0)


def _solve(
    cost: np.ndarray,
    a_ub: sparse.csr_matrix,
    b_ub: np.ndarray,
    bounds: np.ndarray,
    what: str,
    integrality: np.ndarray | None = None,
) -> np.ndarray:
    res = optimize.linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=bounds,
        method="highs",
        integrality=integrality,
        options={"presolve": True},
    )
    if res.status != 0 or res.x is None:  # pragma: no cover - slack keeps it feasible
        raise RuntimeError(f"the {what} LP failed: {res.message}")
    # HiGHS may return -0.0 or 1e-12 below a bound of 0.
    return np.clip(np.asarray(res.x), 0.0, None)


def _pooled_lp(
    need: np.ndarray,
    subsets: Sequence[tuple[int, ...]],
    groups: Sequence[SkillGroup],
    queues: Sequence[str],
    *,
    integer: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Lower model for all intervals: agents per group (T, G) and slack per subset (T, S).

    ``integer``: whole agents per group (a MILP), the cheapest whole staffing of the model.
    """
    t_n, s_n = need.shape
    g_n = len(groups)
    block = np.zeros((s_n, g_n))
    for j, s in enumerate(subsets):
        for i, g in enumerate(groups):
            block[j, i] = max(g.speed(queues[q]) for q in s)
    # Variables per interval: n (G) then slack (S); rows: -block n - slack <= -need.
    per = sparse.hstack([sparse.csr_matrix(-block), -sparse.identity(s_n)])
    a_ub = sparse.kron(sparse.identity(t_n), per, format="csr")
    c = np.array([g.cost for g in groups])
    cost = np.tile(np.concatenate([c, np.full(s_n, _SLACK_COST * c.max())]), t_n)
    caps = [np.inf if g.max_agents is None else float(g.max_agents) for g in groups]
    bounds = np.tile(
        np.column_stack([np.zeros(g_n + s_n), np.concatenate([caps, np.full(s_n, np.inf)])]),
        (t_n, 1),
    )
    integrality = np.tile(np.r_[np.ones(g_n), np.zeros(s_n)], t_n) if integer else None
    x = _solve(cost, a_ub, -need.ravel(), bounds, "pooled", integrality)
    x = x.reshape(t_n, g_n + s_n)
    return x[:, :g_n], x[:, g_n:]


def _flow_lp(
    ded: np.ndarray, groups: Sequence[SkillGroup], queues: Sequence[str], *, integer: bool = False
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], np.ndarray]:
    """Upper model: agents per group (T, G), flow per edge (T, E), edges, slack (T, Q)."""
    t_n, q_n = ded.shape
    g_n = len(groups)
    edges = [(i, j) for i, g in enumerate(groups) for j, q in enumerate(queues) if q in g.skills]
    e_n = len(edges)
    per = sparse.lil_matrix((g_n + q_n, g_n + e_n + q_n))
    for i in range(g_n):
        per[i, i] = -1.0
    for e, (i, j) in enumerate(edges):
        per[i, g_n + e] = 1.0
        per[g_n + j, g_n + e] = -groups[i].speed(queues[j])
    for j in range(q_n):
        per[g_n + j, g_n + e_n + j] = -1.0
    a_ub = sparse.kron(sparse.identity(t_n), per.tocsr(), format="csr")
    b_ub = np.concatenate([np.zeros((t_n, g_n)), -ded], axis=1).ravel()
    c = np.array([g.cost for g in groups])
    cost = np.tile(np.concatenate([c, np.zeros(e_n), np.full(q_n, _SLACK_COST * c.max())]), t_n)
    caps = [np.inf if g.max_agents is None else float(g.max_agents) for g in groups]
    ub = np.concatenate([caps, np.full(e_n + q_n, np.inf)])
    bounds = np.tile(np.column_stack([np.zeros(g_n + e_n + q_n), ub]), (t_n, 1))
    integrality = np.tile(np.r_[np.ones(g_n), np.zeros(e_n + q_n)], t_n) if integer else None
    x = _solve(cost, a_ub, b_ub, bounds, "flow", integrality).reshape(t_n, g_n + e_n + q_n)
    return x[:, :g_n], x[:, g_n : g_n + e_n], edges, x[:, g_n + e_n :]


def skill_requirements(
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, Any],
    groups: Any,
    *,
    interval_min: int,
    service: ServiceTarget | Mapping[str, ServiceTarget] | None = None,
    method: str = "pooled",
    channel: Mapping[str, str] | None = None,
    concurrency: Mapping[str, int] | None = None,
    simulate: bool = True,
    runs: int = 20,
    seed: int = 0,
    max_rounds: int = 8,
) -> SkillRequirement:
    """Agents per skill group and interval that serve every queue at its target.

    Parameters
    ----------
    arrivals : DataFrame
        Expected contacts per interval [contacts]: index the interval starts, one column per
        queue.
    aht_s : mapping of str to float or array
        Average handle time per queue [s] (a scalar or one value per interval).
    groups : mapping {group: skills}, sequence of SkillGroup, or DataFrame
        The skill groups (:func:`staffplan.skills.groups_from`).
    interval_min : int
        Interval length [min].
    service : ServiceTarget or mapping {queue: ServiceTarget}, optional
        Target per queue (default 80/20, occupancy at most 90 %); ``shrinkage`` is not used
        here (see :meth:`SkillRequirement.scheduled`).
    method : {"pooled", "dedicated"}
        Model the staffing starts from: the pooled lower model (then the simulation check
        adds what pooling does not deliver) or the flow upper model (no pooling gain).
    channel : mapping {queue: "voice" | "chat"}, optional
        Channel of every queue (default all voice); deferred work is refused here.
    concurrency : mapping {queue: int}, optional
        Chats one agent holds at once, chat queues only [contacts]: a chat queue's
        requirement is Erlang on agent x concurrency slots, divided by the concurrency.
    simulate : bool
        Check (and adjust) with :func:`staffplan.simulate.simulate_queues`.
    runs : int
        Simulation replications per check.
    seed : int
        Simulation seed (same inputs and seed, same staffing).
    max_rounds : int
        Most simulation rounds of the check.

    Returns
    -------
    SkillRequirement

    Raises
    ------
    ValueError
        A queue no group serves, a skill that is not a queue, a queue without AHT or target,
        naming it and the fix.
    """
    interval_min = check_interval_min(interval_min)
    vol, aht, queues = _load(arrivals, aht_s)
    grp = groups_from(groups)
    check_served(grp, queues)
    if method not in ("pooled", "dedicated"):
        raise ValueError(f"method must be one of: 'pooled', 'dedicated'; got {method!r}")
    runs = check_int(runs, "runs", minimum=2)
    max_rounds = check_int(max_rounds, "max_rounds", minimum=1)
    targets = _targets(service, queues)
    tg = [targets[q] for q in queues]
    chan, conc = check_channels(queues, channel, concurrency)
    deferred = [q for q in queues if chan[q] == "deferred"]
    if deferred:
        raise ValueError(
            f"queue {deferred[0]!r} is deferred work (a backlog with a response target): "
            "skill groups are staffed here for voice and chat queues; staff it with the "
            "deferred-work model of staffplan.channels and leave it out of arrivals"
        )
    slots = np.array([float(conc[q]) for q in queues])
    # A chat queue of concurrency k on n agents is n k voice slots (no slowdown).
    ded = np.column_stack(
        [
            targets[q].required_on_phones(
                vol[:, j], aht[:, j], interval_min=interval_min, integer=False
            )
            / slots[j]
            for j, q in enumerate(queues)
        ]
    )
    ded = np.nan_to_num(ded, nan=0.0)
    subsets = _subsets(grp, queues)
    need = _pooled_need(vol, aht, subsets, tg, interval_min, slots)
    low = _pooled_lp(need, subsets, grp, queues)[0]
    up, flow, edges, up_slack = _flow_lp(ded, grp, queues)
    index = arrivals.index
    names = [g.name for g in grp]
    notes: list[str] = []
    if (up_slack > 1e-6).any():
        t, j = np.unravel_index(int(np.argmax(up_slack)), up_slack.shape)
        notes.append(
            f"max_agents caps leave queue {queues[j]!r} short of {up_slack[t, j]:.1f} agents "
            f"at {index[t]} ({int((up_slack > 1e-6).sum())} interval-queues short); raise the "
            "caps of the groups serving it or cross-train more agents"
        )
    # The cheapest whole staffing of the chosen model (caps floored: whole people).
    caps = np.array([np.inf if g.max_agents is None else float(g.max_agents) for g in grp])
    whole_grp = tuple(
        dataclasses.replace(
            g, max_agents=None if g.max_agents is None else math.floor(g.max_agents + ROUND_TOL)
        )
        for g in grp
    )
    if method == "pooled":
        whole = _pooled_lp(need, subsets, whole_grp, queues, integer=True)[0]
    else:
        whole = _flow_lp(ded, whole_grp, queues, integer=True)[0]
    whole = np.rint(whole)
    sim = None
    if simulate:
        whole, sim, sim_notes = _simulate_check(
            arrivals,
            aht,
            whole,
            grp,
            queues,
            tg,
            interval_min,
            caps,
            runs,
            seed,
            max_rounds,
            (chan, conc),
        )
        notes += sim_notes
    alloc = [
        (index[t], grp[i].name, queues[j], float(flow[t, e]))
        for t in range(len(index))
        for e, (i, j) in enumerate(edges)
        if flow[t, e] > 1e-9
    ]
    return SkillRequirement(
        queues=queues,
        groups=grp,
        dedicated=pd.DataFrame(ded, index=index, columns=list(queues)),
        lower=pd.DataFrame(low, index=index, columns=names),
        upper=pd.DataFrame(up, index=index, columns=names),
        allocation=pd.DataFrame(alloc, columns=["ds", "group", "queue", "agents"]),
        agents=pd.DataFrame(whole.astype(np.int64), index=index, columns=names),
        simulation=sim,
        shortfall=pd.DataFrame(up_slack, index=index, columns=list(queues)),
        notes=notes,
    )


def _simulate_check(
    arrivals: pd.DataFrame,
    aht: np.ndarray,
    whole: np.ndarray,
    groups: Sequence[SkillGroup],
    queues: Sequence[str],
    targets: Sequence[ServiceTarget],
    interval_min: int,
    caps: np.ndarray,
    runs: int,
    seed: int,
    max_rounds: int,
    channels: tuple[dict[str, str], dict[str, int]],
) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    """Add agents where the simulation shows a queue below its target; see module notes."""
    from staffplan.simulate import simulate_queues

    index = arrivals.index
    names = [g.name for g in groups]
    skills = {g.name: list(g.skills) for g in groups}
    aht_map = {q: aht[:, j] for j, q in enumerate(queues)}
    answer = [t.target_answer_s for t in targets]
    target_s: Any = answer[0] if len(set(answer)) == 1 else dict(zip(queues, answer, strict=True))
    patience = [t.patience_s for t in targets]
    patience_s: Any = (
        patience[0] if len(set(patience)) == 1 else dict(zip(queues, patience, strict=True))
    )
    sl_target = np.array([t.service_level for t in targets])
    pos = {q: j for j, q in enumerate(queues)}
    t_pos = {ts: i for i, ts in enumerate(index)}
    # Cheapest group first, then the most specialised (fewest skills), then the group that
    # holds the queue highest in its priority order.
    order = {
        q: sorted(
            (i for i, g in enumerate(groups) if q in g.skills),
            key=lambda i: (groups[i].cost, len(groups[i].skills), groups[i].skills.index(q)),
        )
        for q in queues
    }
    notes: list[str] = []
    frame = pd.DataFrame()
    whole = whole.copy()
    for rnd in range(max_rounds):
        result = simulate_queues(
            arrivals,
            aht_map,
            interval_min,
            pd.DataFrame(whole.astype(np.int64), index=index, columns=names),
            skills,
            target_answer_s=target_s,
            patience_s=patience_s,
            concurrency=channels[1],
            channel=channels[0],
            runs=runs,
            seed=seed,
        )
        frame = result.intervals.reset_index().rename(columns={"interval": "ds"})
        sl = frame["service_level"].to_numpy(float)
        offered = frame["offered"].to_numpy(float)
        target = sl_target[frame["queue"].map(pos).to_numpy()]
        # Below target beyond the simulation's own noise: the binomial standard error of a
        # share over every run's contacts (the runs' spread is wider than that on an
        # interval of a few dozen contacts, and would let 68 % pass an 80 % target).
        se = np.sqrt(target * (1.0 - target) / np.maximum(offered * runs, 1.0))
        miss = (offered > 0) & (np.nan_to_num(sl, nan=0.0) < target - _Z_SIM * se)
        frame = frame.assign(target=target, meets=~miss)
        if not miss.any():
            break
        if rnd == max_rounds - 1:
            notes.append(
                f"the simulation check still finds {int(miss.sum())} interval-queues below "
                f"target after {max_rounds} rounds; raise max_rounds or check the caps"
            )
            break
        added = False
        for ts, q in zip(frame["ds"][miss], frame["queue"][miss], strict=True):
            t = t_pos[ts]
            for i in order[q]:
                if whole[t, i] + 1 <= caps[i] + ROUND_TOL:
                    whole[t, i] += 1
                    added = True
                    break
        if not added:
            notes.append(
                "the simulation finds queues below target but every group serving them is at "
                "its max_agents cap; raise the caps or cross-train more agents"
            )
            break
    return whole, frame, notes
