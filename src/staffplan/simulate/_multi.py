"""Discrete-event simulation of several queues served by agent groups with skills.

Contacts of every queue arrive as Poisson streams (uniform inside each
interval); agent groups come and go with the staffing of each interval and
serve the queues in their skill list.  The model, event by event:

- **Routing.**  An arriving contact goes to a free agent among the groups that
  have its queue as a skill, preferring the groups that rank that queue highest
  (a group listing the queue first beats one listing it second); among those,
  the least loaded agent, then the one free the longest (longest idle).
- **A freed agent** takes the oldest waiting contact (FCFS) of its
  highest-priority queue that has one, then of the next, while it has room.
- **Chat.**  A chat queue with concurrency ``k`` lets an agent hold up to ``k``
  of its chats at once: each uses ``1/k`` of the agent.  A voice or deferred
  contact needs the whole agent, so an agent on chats takes a call only once
  its chats are done.  With ``chat_slowdown`` ``s``, a chat that starts while
  the agent already holds ``m`` contacts lasts ``1 + s·m`` times its drawn
  handle time (handle time growing with concurrency).
- **Deferred work** (e-mail, back office) never abandons; its backlog carries
  from interval to interval and across closed hours, and its waits are counted
  in business time: only the time inside open intervals counts towards the
  response target.
- **Staffing changes** at interval boundaries: an agent who leaves finishes the
  contacts held first (idle agents leave first); after the last interval its
  staffing keeps working until every queue it serves is empty.

Event loop: one heap of completions, a merged array of arrivals and a clock of
interval boundaries; waiting contacts sit in one deque per queue and free
agents in per-group, per-load deques with lazy deletion, so each event costs
O(groups × load levels) independent of the number of agents.  Statistics are
computed after the loop from per-contact arrays with numpy.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import gcd
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from staffplan._validation import as_float_array, check_int, check_interval_min, describe
from staffplan.channels._spec import check_business_hours, check_channels, per_queue

__all__ = ["MultiQueueResult", "simulate_queues"]

_INF = float("inf")
_RATIO_STATS = ("service_level", "asa_s", "p_abandon")
# An agent is split into lcm(concurrencies) capacity units, with one free-agent list per
# unit level: beyond this the lists cost more than they save.
_MAX_CAPACITY_UNITS = 1000


@dataclass(frozen=True)
class MultiQueueResult:
    """Outcome of :func:`simulate_queues`.

    Attributes
    ----------
    intervals : pandas.DataFrame
        One row per (interval, queue), index levels ``interval`` (the index of
        ``arrivals``) and ``queue``: ``channel``; ``offered``, ``answered``,
        ``abandoned``, ``unanswered`` (still waiting when the simulation ends)
        [contacts, means over runs, attributed to the interval of arrival];
        ``service_level`` (answered within the target / offered);
        ``asa_s`` (mean wait over offered contacts, abandoners up to their
        hang-up [s]; business seconds for deferred queues); ``p_abandon``;
        ``backlog`` (contacts waiting at the end of the interval [contacts]);
        95% limits ``service_level_lo``/``_hi``, ``asa_s_lo``/``_hi``,
        ``p_abandon_lo``/``_hi`` (Student t over runs, ratio estimator).
    occupancy : pandas.DataFrame
        Index = intervals, one column per group: the share of the group's
        capacity in use [fraction]; a chat of concurrency ``k`` uses ``1/k`` of
        an agent.  NaN where the group has no agents.  Agents who left at a
        boundary and finish their contacts count as busy, so it can exceed 1
        right after a drop in staff.
    totals : pandas.DataFrame
        One row per queue over the whole horizon: ``channel``,
        ``target_answer_s``, the counts and ratios above with their limits.
    per_run : dict of str to numpy.ndarray
        Per-run sums of shape (runs, intervals, queues): ``offered``,
        ``answered``, ``abandoned``, ``within`` (answered within the target),
        ``wait_s``, ``backlog``; for own statistics.
    """

    intervals: pd.DataFrame
    occupancy: pd.DataFrame
    totals: pd.DataFrame
    per_run: dict[str, np.ndarray]


@dataclass
class _Setup:
    """Checked inputs as plain arrays and lists, the shape the event loop reads."""

    queues: list[str]
    groups: list[str]
    channel: dict[str, str]
    vol: np.ndarray  # (n_int, n_q)
    aht: np.ndarray  # (n_int, n_q)
    staff: list[list[int]]  # [interval][group]
    target: np.ndarray  # (n_q,)
    patience: np.ndarray  # (n_q,) mean patience, inf = never hangs up
    units: list[int]  # capacity units a contact of each queue uses
    capacity: int  # capacity units of one agent
    slowdown: list[float]
    group_queues: list[list[int]]  # priority order per group
    tiers: list[list[list[int]]]  # per queue: groups by rank of that queue
    open_mask: np.ndarray  # (n_int,) business hours
    interval_s: float


def _per_queue_floats(
    value: Any, queues: list[str], name: str, *, allow_none: bool = False
) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for q, v in per_queue(value, queues, name, allow_none=allow_none).items():
        out[q] = None if v is None else float(as_float_array(v, f"{name} of queue {q!r}"))
    return out


def _check_frames(
    arrivals: Any, agents: Any
) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Queue and group names, arrivals (n, queues) and staffing (n, groups), checked."""
    for frame, name in ((arrivals, "arrivals"), (agents, "agents")):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                f"{name} must be a pandas DataFrame (index = intervals, one column per "
                f"{'queue' if name == 'arrivals' else 'agent group'}), got {type(frame).__name__}"
            )
    queues = [str(q) for q in arrivals.columns]
    groups = [str(g) for g in agents.columns]
    if not queues or not groups or len(arrivals) == 0:
        raise ValueError(
            "arrivals and agents need at least one interval and one column each, got "
            f"arrivals {arrivals.shape} and agents {agents.shape}"
        )
    if len(set(queues)) != len(queues) or len(set(groups)) != len(groups):
        raise ValueError("queue and group names must be unique (columns of arrivals and agents)")
    if not arrivals.index.equals(agents.index):
        raise ValueError(
            f"agents must have the same index (intervals) as arrivals; got {len(agents)} rows "
            f"starting {describe(agents.index[:1].tolist())}, arrivals has {len(arrivals)} "
            f"starting {describe(arrivals.index[:1].tolist())}"
        )
    vol = np.column_stack([as_float_array(arrivals[q], f"arrivals[{q!r}]") for q in queues])
    bad = ~(np.isfinite(vol) & (vol >= 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"arrivals of queue {queues[j]!r} must be finite and >= 0 [contacts per interval], "
            f"got {describe(vol[i, j])} at {arrivals.index[i]!r}"
        )
    staff_arr = np.column_stack([as_float_array(agents[g], f"agents[{g!r}]") for g in groups])
    bad = ~(np.isfinite(staff_arr) & (staff_arr >= 0) & (staff_arr == np.floor(staff_arr)))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"agents of group {groups[j]!r} must be whole numbers >= 0, got "
            f"{describe(staff_arr[i, j])} at {agents.index[i]!r}"
        )
    return queues, groups, vol, staff_arr


def _check_aht(aht_s: Any, queues: list[str], n_int: int) -> np.ndarray:
    """Handle time (n, queues) [s] from one value or one per interval for each queue."""
    if not isinstance(aht_s, Mapping):
        raise TypeError(f"aht_s must be a mapping {{queue: seconds}}, got {type(aht_s).__name__}")
    aht = np.empty((n_int, len(queues)))
    for j, (q, v) in enumerate(per_queue(aht_s, queues, "aht_s").items()):
        arr = as_float_array(v, f"aht_s of queue {q!r}")
        if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n_int):
            raise ValueError(
                f"aht_s of queue {q!r} must be one value or one per interval ({n_int}), "
                f"got shape {arr.shape}"
            )
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise ValueError(f"aht_s of queue {q!r} must be > 0 [s], got {describe(arr)}")
        aht[:, j] = arr
    return aht


def _check_targets(
    target_answer_s: Any,
    patience_s: Any,
    chat_slowdown: Any,
    queues: list[str],
    chan: dict[str, str],
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Answer targets [s], mean patience [s] (inf: never hangs up) and chat slowdown per queue."""
    target = _per_queue_floats(target_answer_s, queues, "target_answer_s")
    for q, t in target.items():
        if t is None or not np.isfinite(t) or t < 0:
            raise ValueError(f"target_answer_s of queue {q!r} must be >= 0 [s], got {t!r}")
    if patience_s is None:
        patience: dict[str, float | None] = dict.fromkeys(queues)
    else:
        patience = _per_queue_floats(patience_s, queues, "patience_s", allow_none=True)
        for q, p in patience.items():
            if p is None:
                continue
            if chan[q] == "deferred":
                if isinstance(patience_s, Mapping):
                    raise ValueError(
                        f"patience_s is given for queue {q!r}, a deferred queue; deferred work "
                        "never abandons: drop its entry"
                    )
                patience[q] = None  # one value for all applies to voice and chat only
            elif not p > 0:
                raise ValueError(f"patience_s of queue {q!r} must be > 0 [s], got {p!r}")
    slow = _per_queue_floats(chat_slowdown, queues, "chat_slowdown")
    for q, s in slow.items():
        if s is None or not np.isfinite(s) or s < 0:
            raise ValueError(f"chat_slowdown of queue {q!r} must be >= 0, got {s!r}")
        if s > 0 and chan[q] != "chat" and isinstance(chat_slowdown, Mapping):
            raise ValueError(
                f"chat_slowdown is given for queue {q!r} whose channel is {chan[q]!r}; "
                "it applies to chat queues only"
            )
    return (
        np.array([target[q] for q in queues], dtype=float),
        np.array([_INF if patience[q] is None else patience[q] for q in queues]),
        [float(slow[q] or 0.0) if chan[q] == "chat" else 0.0 for q in queues],
    )


def _check_skills(
    skills: Any, groups: list[str], queues: list[str]
) -> tuple[list[list[int]], list[list[list[int]]]]:
    """Queues of each group in priority order, and per queue its groups tier by tier (rank)."""
    if not isinstance(skills, Mapping):
        raise TypeError(
            f"skills must be a mapping {{group: [queues in priority order]}}, got "
            f"{type(skills).__name__}"
        )
    missing = [g for g in groups if g not in skills]
    extra = [g for g in skills if g not in groups]
    if missing or extra:
        raise ValueError(
            f"skills must name exactly the agent groups (columns of agents) {groups}; "
            f"missing {missing}, not a group {extra}"
        )
    qpos = {q: j for j, q in enumerate(queues)}
    group_queues: list[list[int]] = []
    for g in groups:
        served = skills[g]
        if isinstance(served, str) or not isinstance(served, Sequence):
            raise TypeError(
                f"skills of group {g!r} must be a list of queues in priority order, "
                f"got {describe(served)}"
            )
        unknown = [q for q in served if q not in qpos]
        if unknown:
            raise ValueError(
                f"skills of group {g!r} name queue(s) {unknown} that are not columns of "
                f"arrivals {queues}; fix the name"
            )
        if len(set(served)) != len(served):
            raise ValueError(f"skills of group {g!r} list a queue twice: {list(served)}")
        group_queues.append([qpos[q] for q in served])
    tiers: list[list[list[int]]] = []
    for j, q in enumerate(queues):
        ranks: dict[int, list[int]] = {}
        for gi, gq in enumerate(group_queues):
            if j in gq:
                ranks.setdefault(gq.index(j), []).append(gi)
        if not ranks:
            raise ValueError(
                f"queue {q!r} is a skill of no agent group; add it to a group's list in skills "
                "(or drop the queue)"
            )
        tiers.append([ranks[r] for r in sorted(ranks)])
    return group_queues, tiers


def _capacity_units(conc: dict[str, int]) -> int:
    """Units one agent is split into: the least common multiple of the concurrencies."""
    capacity = 1
    for k in conc.values():
        capacity = capacity * k // gcd(capacity, k)
    if capacity > _MAX_CAPACITY_UNITS:
        raise ValueError(
            f"concurrency {conc} has a least common multiple of {capacity}, over "
            f"{_MAX_CAPACITY_UNITS}: the simulator splits an agent into that many units; use "
            "concurrencies with a smaller common multiple (e.g. 2, 3, 4, 6)"
        )
    return capacity


def _check(
    arrivals: Any,
    aht_s: Any,
    interval_min: Any,
    agents: Any,
    skills: Any,
    target_answer_s: Any,
    patience_s: Any,
    concurrency: Any,
    channel: Any,
    chat_slowdown: Any,
    business_hours: Any,
) -> _Setup:
    interval_min = check_interval_min(interval_min)
    queues, groups, vol, staff_arr = _check_frames(arrivals, agents)
    n_int = len(arrivals)
    chan, conc = check_channels(queues, channel, concurrency)
    aht = _check_aht(aht_s, queues, n_int)
    target, patience, slowdown = _check_targets(
        target_answer_s, patience_s, chat_slowdown, queues, chan
    )
    group_queues, tiers = _check_skills(skills, groups, queues)
    open_mask = check_business_hours(business_hours, n_int)
    if open_mask is None:
        open_mask = staff_arr.sum(axis=1) > 0
    capacity = _capacity_units(conc)
    return _Setup(
        queues=queues,
        groups=groups,
        channel=chan,
        vol=vol,
        aht=aht,
        staff=staff_arr.astype(int).tolist(),
        target=target,
        patience=patience,
        units=[capacity // conc[q] for q in queues],
        capacity=capacity,
        slowdown=slowdown,
        group_queues=group_queues,
        tiers=tiers,
        open_mask=open_mask,
        interval_s=60.0 * interval_min,
    )


def _event_loop(
    s: _Setup,
    times: list[float],
    qid: list[int],
    service: list[float],
    deadline: list[float],
) -> tuple[list[float], bytearray, list[list[float]]]:
    """One run: start time of each contact (inf if never), abandon flags, busy units·s."""
    n_int, n_g = len(s.staff), len(s.groups)
    cap, units, slowdown = s.capacity, s.units, s.slowdown
    group_queues, tiers = s.group_queues, s.tiers
    interval_s = s.interval_s
    n_c = len(times)
    start = [_INF] * n_c
    abandoned = bytearray(n_c)
    waiting: list[deque[int]] = [deque() for _ in s.queues]
    # Agents: group, load (capacity units in use), contacts held, stamp (a bucket entry is
    # valid only while it carries the agent's current stamp), leaving flag.
    a_group: list[int] = []
    a_load: list[int] = []
    a_held: list[int] = []
    a_stamp: list[int] = []
    a_leaving: list[bool] = []
    members: list[set[int]] = [set() for _ in range(n_g)]
    leaving: list[set[int]] = [set() for _ in range(n_g)]
    # buckets[g][u]: (free since, agent, stamp) of agents of group g with load u < cap, oldest
    # first; entries go stale instead of being removed (lazy deletion).
    buckets: list[list[deque[tuple[float, int, int]]]] = [
        [deque() for _ in range(cap)] for _ in range(n_g)
    ]
    g_load = [0] * n_g
    g_last = [0.0] * n_g
    busy: list[list[float]] = [[0.0] * n_int for _ in range(n_g)]
    counting = True
    cur = 0
    heap: list[tuple[float, int, int]] = []
    heappush, heappop = heapq.heappush, heapq.heappop

    def load_change(g: int, t: float, du: int) -> None:
        if counting:
            busy[g][cur] += g_load[g] * (t - g_last[g])
            g_last[g] = t
        g_load[g] += du

    def take(a: int, c: int, t: float) -> None:
        q = qid[c]
        start[c] = t
        held = a_held[a]
        svc = service[c] * (1.0 + slowdown[q] * held) if held else service[c]
        heappush(heap, (t + svc, c, a))
        load_change(a_group[a], t, units[q])
        a_load[a] += units[q]
        a_held[a] = held + 1
        a_stamp[a] += 1

    def pull(a: int, t: float) -> None:
        """A free (or newly present) agent takes waiting work, then waits in its bucket."""
        for q in group_queues[a_group[a]]:
            u = units[q]
            dq = waiting[q]
            while dq and a_load[a] + u <= cap:
                c = dq.popleft()
                if deadline[c] < t:  # hung up while waiting; FCFS settles it at the head
                    abandoned[c] = 1
                    continue
                take(a, c, t)
        if a_load[a] < cap:
            a_stamp[a] += 1
            buckets[a_group[a]][a_load[a]].append((t, a, a_stamp[a]))

    def find_agent(q: int) -> int:
        u_need = units[q]
        for tier in tiers[q]:
            for u in range(cap - u_need + 1):
                best, best_since, best_g = -1, _INF, -1
                for g in tier:
                    bk = buckets[g][u]
                    while bk and bk[0][2] != a_stamp[bk[0][1]]:
                        bk.popleft()
                    if bk and (best < 0 or bk[0][0] < best_since):
                        best_since, best, best_g = bk[0][0], bk[0][1], g
                if best >= 0:
                    buckets[best_g][u].popleft()
                    return best
        return -1

    def restaff(b: int, t: float) -> None:
        for g in range(n_g):
            diff = s.staff[b][g] - len(members[g])
            fresh: list[int] = []
            while diff > 0 and leaving[g]:  # agents still finishing stay on instead
                a = min(leaving[g])
                leaving[g].discard(a)
                a_leaving[a] = False
                members[g].add(a)
                fresh.append(a)
                diff -= 1
            for _ in range(max(diff, 0)):
                a = len(a_group)
                a_group.append(g)
                a_load.append(0)
                a_held.append(0)
                a_stamp.append(0)
                a_leaving.append(False)
                members[g].add(a)
                fresh.append(a)
            for a in fresh:
                if a_load[a] < cap:
                    pull(a, t)
            idle = buckets[g][0]
            while diff < 0 and idle:  # idle agents go home first
                _, a, st = idle.pop()
                if st != a_stamp[a]:
                    continue
                a_stamp[a] += 1
                members[g].discard(a)
                diff += 1
            while diff < 0:
                # The least loaded goes first, then the longest on the floor (lowest id: a
                # group's agents keep their order whatever the other groups do).
                a = min(members[g], key=lambda b: (a_load[b], b))
                members[g].discard(a)
                leaving[g].add(a)
                a_leaving[a] = True
                a_stamp[a] += 1
                diff += 1

    restaff(0, 0.0)
    i = 0
    next_boundary = interval_s
    while True:
        ta = times[i] if i < n_c else _INF
        tc = heap[0][0] if heap else _INF
        if next_boundary <= ta and next_boundary <= tc:
            t = next_boundary
            if t == _INF:
                break
            for g in range(n_g):
                load_change(g, t, 0)
            cur += 1
            if cur < n_int:
                restaff(cur, t)
                next_boundary = (cur + 1) * interval_s
            else:
                counting = False  # occupancy is reported inside the horizon only
                next_boundary = _INF
        elif tc <= ta:
            t, c, a = heappop(heap)
            q = qid[c]
            g = a_group[a]
            load_change(g, t, -units[q])
            a_load[a] -= units[q]
            a_held[a] -= 1
            a_stamp[a] += 1
            if a_leaving[a]:
                if a_load[a] == 0:
                    leaving[g].discard(a)
                continue
            pull(a, t)
        else:
            t = ta
            c = i
            i += 1
            q = qid[c]
            dq = waiting[q]
            while dq and deadline[dq[0]] < t:
                abandoned[dq.popleft()] = 1
            if dq:  # someone older waits: no agent with this skill has room
                dq.append(c)
                continue
            a = find_agent(q)
            if a < 0:
                dq.append(c)
                continue
            take(a, c, t)
            if a_load[a] < cap:
                a_stamp[a] += 1
                buckets[a_group[a]][a_load[a]].append((t, a, a_stamp[a]))
        if i >= n_c and not heap and next_boundary == _INF:
            break
    # Contacts still queued with nobody left: those whose patience ran out abandoned.
    for dq in waiting:
        for c in dq:
            if deadline[c] < _INF:
                abandoned[c] = 1
    return start, abandoned, busy


def _business_clock(open_mask: np.ndarray, interval_s: float) -> Any:
    """Map wall seconds to business seconds: only open intervals advance the clock."""
    open_f = open_mask.astype(float)
    before = np.concatenate([[0.0], np.cumsum(open_f) * interval_s])
    n_int = open_mask.size

    def clock(t: np.ndarray) -> np.ndarray:
        k = np.clip(np.floor(t / interval_s).astype(np.int64), 0, n_int)
        inside = np.where(k < n_int, open_f[np.minimum(k, n_int - 1)], 1.0)
        # After the horizon the last staffing keeps working: count that time as open.
        return before[k] + inside * (t - k * interval_s)

    return clock


def _ratio_with_ci(
    num: np.ndarray, den: np.ndarray, low: float, high: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ratio of sums over runs (axis 0) with the ratio-estimator Student-t 95% limits."""
    runs = num.shape[0]
    t_crit = stats.t.ppf(0.975, runs - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = den.sum(axis=0)
        ratio = num.sum(axis=0) / total
        resid = num - ratio * den
        se = np.sqrt((resid**2).sum(axis=0) / (runs * (runs - 1))) / (total / runs)
    return ratio, np.clip(ratio - t_crit * se, low, high), np.clip(ratio + t_crit * se, low, high)


def simulate_queues(
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, float | ArrayLike],
    interval_min: int,
    agents: pd.DataFrame,
    skills: Mapping[str, Sequence[str]],
    target_answer_s: Mapping[str, float] | float = 20,
    patience_s: Mapping[str, float | None] | float | None = None,
    concurrency: Mapping[str, int] | None = None,
    channel: Mapping[str, str] | None = None,
    runs: int = 20,
    seed: int = 0,
    *,
    chat_slowdown: Mapping[str, float] | float = 0.0,
    business_hours: ArrayLike | None = None,
) -> MultiQueueResult:
    """Simulate several queues served by agent groups with skills, event by event.

    Parameters
    ----------
    arrivals : pandas.DataFrame
        Index = interval starts, one column per queue: expected contacts offered
        per interval [contacts] (Poisson, uniform inside the interval).
    aht_s : mapping
        ``{queue: handle time}``: one mean or one per interval [s]; handle times
        are exponential.
    interval_min : int
        Interval length [min].
    agents : pandas.DataFrame
        Same index as ``arrivals``, one column per agent group: agents on the
        floor serving contacts [agents], whole numbers.
    skills : mapping
        ``{group: [queue, ...]}``: the queues each group serves, highest
        priority first.  Every queue must be a skill of some group.
    target_answer_s : float or mapping, default 20
        Answer-time target [s] per queue; for deferred queues the response target
        in business seconds (e.g. ``8 * 3600``).
    patience_s : float, mapping or None
        Mean exponential patience [s] per queue (None: never hangs up).  One
        value applies to voice and chat queues; deferred work never abandons.
    concurrency : mapping or None
        ``{queue: k}``: chats one agent holds at once, chat queues only.
    channel : mapping or None
        ``{queue: 'voice' | 'chat' | 'deferred'}`` for every queue; None makes
        all queues voice.
    runs : int, default 20
        Independent replications (>= 2); confidence limits come from their spread.
    seed : int, default 0
        Random seed; the same seed and inputs give the same result.
    chat_slowdown : float or mapping, default 0
        Handle-time growth with concurrency [fraction per contact already held]:
        a chat that starts while its agent holds ``m`` contacts lasts
        ``1 + chat_slowdown·m`` times its drawn handle time.
    business_hours : array of bool or None
        Open intervals, for the business clock of deferred queues; None counts
        an interval as open when any group has agents in it.

    Returns
    -------
    MultiQueueResult
        Per (interval, queue) frame, group occupancy, totals per queue and the
        per-run sums; see :class:`MultiQueueResult`.

    Raises
    ------
    ValueError
        Structural mistakes, naming the queue or group and the fix: a queue no
        group serves, a skill that is not a queue, a queue without a channel or
        an unknown channel, a concurrency below 1, mismatched indexes, negative
        or fractional agents.

    Notes
    -----
    With one voice queue and one group the model is the one of
    :func:`staffplan.simulate.simulate_intervals` (Poisson arrivals uniform in
    each interval, FCFS, exponential handle times and patience).  A chat queue
    with concurrency ``k`` and no slowdown served by ``n`` agents behaves as
    ``n·k`` voice agents.

    Examples
    --------
    >>> idx = pd.date_range("2026-01-05 08:00", periods=2, freq="30min")
    >>> arr = pd.DataFrame({"calls": [100.0, 120.0], "chats": [40.0, 40.0]}, index=idx)
    >>> staff = pd.DataFrame({"phone": [14, 16], "chat": [4, 4]}, index=idx)
    >>> res = simulate_queues(arr, {"calls": 180, "chats": 300}, 30, staff,
    ...                       {"phone": ["calls"], "chat": ["chats"]},
    ...                       concurrency={"chats": 3}, channel={"calls": "voice", "chats": "chat"},
    ...                       runs=3, seed=1)
    >>> list(res.totals.index)
    ['calls', 'chats']
    """
    s = _check(
        arrivals,
        aht_s,
        interval_min,
        agents,
        skills,
        target_answer_s,
        patience_s,
        concurrency,
        channel,
        chat_slowdown,
        business_hours,
    )
    runs = check_int(runs, "runs", minimum=2)
    seed = check_int(seed, "seed", minimum=0)
    gen = np.random.default_rng(seed)
    n_int, n_q, n_g = s.vol.shape[0], len(s.queues), len(s.groups)
    interval_s = s.interval_s
    horizon = n_int * interval_s
    clock = _business_clock(s.open_mask, interval_s)
    deferred = np.array([s.channel[q] == "deferred" for q in s.queues])
    names = ("offered", "answered", "abandoned", "unanswered", "within", "wait_s", "backlog")
    per_run = {name: np.zeros((runs, n_int, n_q)) for name in names}
    busy = np.zeros((runs, n_g, n_int))
    bins = n_int * n_q
    for r in range(runs):
        counts = gen.poisson(s.vol)  # (n_int, n_q)
        flat = counts.ravel()
        cell = np.repeat(np.arange(bins), flat)
        k_int, q_of = cell // n_q, cell % n_q
        times = (k_int + gen.random(cell.size)) * interval_s
        order = np.argsort(times, kind="stable")
        times, k_int, q_of = times[order], k_int[order], q_of[order]
        service = gen.exponential(s.aht[k_int, q_of])
        deadline = times + gen.exponential(1.0, cell.size) * s.patience[q_of]
        start_l, aband_l, busy_l = _event_loop(
            s, times.tolist(), q_of.tolist(), service.tolist(), deadline.tolist()
        )
        busy[r] = busy_l
        start = np.asarray(start_l)
        aband = np.frombuffer(bytes(aband_l), dtype=np.uint8).astype(bool)
        served = np.isfinite(start)
        left = ~served & ~aband
        end = np.where(served, start, np.where(aband, deadline, horizon))
        wait = end - times
        biz = deferred[q_of]
        if biz.any():
            wait[biz] = clock(end[biz]) - clock(times[biz])
        within = served & (wait <= s.target[q_of])
        key = k_int * n_q + q_of
        for name, w in (
            ("offered", None),
            ("answered", served),
            ("abandoned", aband),
            ("unanswered", left),
            ("within", within),
            ("wait_s", wait),
        ):
            weights = None if w is None else w.astype(float)
            per_run[name][r] = np.bincount(key, weights, minlength=bins).reshape(n_int, n_q)
        # Waiting at the end of interval i: arrived by then, not yet started nor hung up.
        gone_at = np.where(served, start, np.where(aband, deadline, _INF))
        gone_int = np.minimum(np.floor(gone_at / interval_s), n_int).astype(np.int64)
        gone = np.bincount(gone_int * n_q + q_of, minlength=(n_int + 1) * n_q)
        gone = gone.reshape(n_int + 1, n_q)[:n_int]
        per_run["backlog"][r] = np.cumsum(per_run["offered"][r] - gone, axis=0)
    return _assemble(s, arrivals.index, per_run, busy)


def _assemble(
    s: _Setup, index: pd.Index, per_run: dict[str, np.ndarray], busy: np.ndarray
) -> MultiQueueResult:
    n_int = s.vol.shape[0]
    offered = per_run["offered"]
    numerators = {"service_level": "within", "asa_s": "wait_s", "p_abandon": "abandoned"}
    bounds = {"service_level": (0.0, 1.0), "asa_s": (0.0, _INF), "p_abandon": (0.0, 1.0)}
    mi = pd.MultiIndex.from_product([index, s.queues], names=["interval", "queue"])
    cols: dict[str, Any] = {"channel": np.tile([s.channel[q] for q in s.queues], n_int)}
    for name in ("offered", "answered", "abandoned", "unanswered"):
        cols[name] = per_run[name].mean(axis=0).ravel()
    tot: dict[str, Any] = {
        "channel": [s.channel[q] for q in s.queues],
        "target_answer_s": s.target,
    }
    for name in ("offered", "answered", "abandoned", "unanswered"):
        tot[name] = per_run[name].sum(axis=1).mean(axis=0)
    for name, num in numerators.items():
        low, high = bounds[name]
        ratio, lo, hi = _ratio_with_ci(per_run[num], offered, low, high)
        cols[name], cols[f"{name}_lo"], cols[f"{name}_hi"] = ratio.ravel(), lo.ravel(), hi.ravel()
        ratio, lo, hi = _ratio_with_ci(per_run[num].sum(axis=1), offered.sum(axis=1), low, high)
        tot[name], tot[f"{name}_lo"], tot[f"{name}_hi"] = ratio, lo, hi
    cols["backlog"] = per_run["backlog"].mean(axis=0).ravel()
    order = ["channel", "offered", "answered", "abandoned", "unanswered"]
    order += [*_RATIO_STATS, "backlog"] + [f"{c}_{e}" for c in _RATIO_STATS for e in ("lo", "hi")]
    intervals = pd.DataFrame(cols, index=mi)[order]
    totals = pd.DataFrame(tot, index=pd.Index(s.queues, name="queue"))
    totals = totals[["channel", "target_answer_s", *(c for c in order[1:] if c != "backlog")]]
    staff = np.asarray(s.staff, dtype=float)  # (n_int, n_g)
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = busy.mean(axis=0).T / (staff * s.capacity * s.interval_s)
    occupancy = pd.DataFrame(np.where(staff > 0, occ, np.nan), index=index, columns=s.groups)
    return MultiQueueResult(
        intervals=intervals, occupancy=occupancy, totals=totals, per_run=per_run
    )
