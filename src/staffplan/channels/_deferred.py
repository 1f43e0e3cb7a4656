"""Deferred work (e-mail, back office): the cheapest staffing that meets a response target.

What is planned: agents per interval for queues whose contacts wait in a backlog
and must be answered within a response time counted in business hours, e.g. 95%
within 8 business hours.  From what: expected arrivals and handle time per
interval, the open (business) intervals and the agents the other channels need
in each interval.  How: a first-in-first-out (FIFO) backlog model solved as a
linear program (HiGHS through :func:`scipy.optimize.linprog`), per block:

- work arriving in interval ``t`` is ``W_t = arrivals_t · aht_t`` [agent-s]; the
  cumulative capacity ``K`` grows by ``max_occupancy · interval_s · x_t`` where
  ``x_t`` are the agents on this work (only in open intervals); the cumulative
  work done ``C`` grows by at most the capacity and never exceeds the work
  arrived;
- FIFO in the mean: the contacts of interval ``t`` occupy the work range
  ``(W_{<t}, W_{≤t}]``; by their deadline ``d(t)`` (the last interval ending
  within the response target after the end of ``t``, in business time: up to
  one interval conservative) ``C`` covers ``W_{<t}`` plus the target share of
  ``W_t``;
- FIFO with randomness: the deadline of ``t`` holds whenever, for every earlier
  ``s``, the work arriving in ``(s, t]`` fits in the capacity of ``(s, d(t)]``
  (the backlog is empty at worst at ``s``).  Asked for windows of 2^k intervals
  from half the response time up, each with a safety of ``z`` standard
  deviations of the window's work (Poisson counts of exponential handle times:
  variance ``2·N·aht²``).  A contact is late when any window before it
  overflows, so each window gets half the allowed miss share:
  ``z = Φ⁻¹(1 − (1 − share)/2)``, 1.96 for 95%.  Without this term the fluid plan
  runs its agents at 100% occupancy and a simulation misses the target;
- objective: the daily peak of the total staffing (the other channels' agents
  plus this work), summed over days, so that the work fills the troughs of the
  other channels; among equal peaks the cheaper (``cost``) and then the earlier
  intervals.

Blocks of about a week end right after an open interval (where the centre closes,
when it does) and must clear what arrived while open in them, so each starts with
no backlog but what arrived while closed: they are independent programs and the
solve time grows linearly with the horizon.  Every contact of a block is asked to
meet the target share per arrival interval, a stricter reading than over the
period.  The fluid share planned is reported; the simulation
(:func:`staffplan.simulate.simulate_queues`) is the check.

Fallback: none needed; the program is feasible whenever every interval may hold
any number of agents (it becomes infeasible only under ``max_agents``, and the
error says which queue and what to relax).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize, sparse, special

__all__ = ["DeferredInputs", "DeferredPlan", "plan_deferred"]

# Weight of the cost tie-break against the daily peaks (agents): small enough never to
# trade a higher peak for a cheaper hour, large enough for HiGHS to see it.
_TIE = 1e-4


@dataclass(frozen=True)
class DeferredInputs:
    """Checked inputs of the deferred-work program for ``m`` queues over ``n`` intervals.

    ``arrivals`` [contacts], ``aht_s`` [s], ``max_agents`` [agents]: shape (n, m).
    ``target_s`` [business s], ``share`` [fraction], ``max_occupancy`` [fraction]:
    shape (m,).  ``open_mask``, ``day`` (day number), ``base_agents`` (other
    channels' agents), ``cost`` [relative]: shape (n,).
    """

    arrivals: np.ndarray
    aht_s: np.ndarray
    target_s: np.ndarray
    share: np.ndarray
    open_mask: np.ndarray
    day: np.ndarray
    interval_s: float
    base_agents: np.ndarray
    cost: np.ndarray
    max_occupancy: np.ndarray
    max_agents: np.ndarray
    names: list[str]

    def part(self, sl: slice) -> DeferredInputs:
        """The same program over the intervals ``sl``."""
        return replace(
            self,
            arrivals=self.arrivals[sl],
            aht_s=self.aht_s[sl],
            open_mask=self.open_mask[sl],
            day=self.day[sl],
            base_agents=self.base_agents[sl],
            cost=self.cost[sl],
            max_agents=self.max_agents[sl],
        )


@dataclass(frozen=True)
class DeferredPlan:
    """Solution of :func:`plan_deferred` for several deferred queues at once.

    Attributes
    ----------
    agents : numpy.ndarray
        (intervals, queues): fractional agents on each queue's work [agents].
    done_contacts : numpy.ndarray
        (intervals, queues): contacts finished by the end of each interval,
        cumulative [contacts].
    backlog : numpy.ndarray
        (intervals, queues): contacts waiting at the end of each interval [contacts].
    within_share : numpy.ndarray
        (queues,): planned share answered within the target (fluid) [fraction];
        NaN for a queue with no contact to answer in open hours.
    """

    agents: np.ndarray
    done_contacts: np.ndarray
    backlog: np.ndarray
    within_share: np.ndarray


def _deadline_index(open_mask: np.ndarray, interval_s: float, target_s: float) -> np.ndarray:
    """Last interval whose end lies within ``target_s`` business seconds after each end."""
    b_end = np.cumsum(open_mask.astype(float)) * interval_s
    # Tolerance: a target of exactly k intervals reaches the end of the k-th interval.
    return np.searchsorted(b_end, b_end + target_s * (1 + 1e-12), side="right") - 1


def _solve_block(inp: DeferredInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One block's program: agents, cumulative work done, contacts in time, contacts counted."""
    arrivals, aht_s, target_s, share = inp.arrivals, inp.aht_s, inp.target_s, inp.share
    open_mask, interval_s, max_agents = inp.open_mask, inp.interval_s, inp.max_agents
    n, m = arrivals.shape
    work = arrivals * aht_s  # agent-seconds per interval
    w_cum = np.cumsum(work, axis=0)
    a_cum = np.cumsum(arrivals, axis=0)
    # Variance of the work arriving, cumulative: Poisson counts of exponential handle times.
    v_cum = np.cumsum(2.0 * arrivals * aht_s**2, axis=0)
    open_idx = np.flatnonzero(open_mask)
    n_open = open_idx.size
    last_open = int(open_idx[-1]) if n_open else -1
    if not n_open:  # nothing can be done in a block without open intervals: all carries on
        return np.zeros((n, m)), np.zeros((n, m)), np.zeros(m), np.zeros(m)
    # The capacity after interval t is K[kpos[t]] (kpos = -1: none yet); only open intervals
    # add capacity, so K has one variable per open interval.
    kpos = np.cumsum(open_mask) - 1
    days, day_of = np.unique(inp.day[open_idx], return_inverse=True)
    # Variables: per queue j, K (cumulative capacity) then C (cumulative work done) at each
    # open interval [agent-s]; then the daily peaks [agents].
    nk = 2 * m * n_open
    nv = nk + days.size
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    rhs: list[np.ndarray] = []
    r = 0
    lb, ub, c = np.zeros(nv), np.full(nv, np.inf), np.zeros(nv)
    ramp = 1.0 + np.arange(n_open) / max(n_open, 1)
    o = np.arange(n_open)
    lags = 2 ** np.arange(int(np.log2(max(n, 1))) + 1)
    cap = inp.max_occupancy * interval_s  # agent-seconds per agent in an interval
    live_by_queue, deadline_by_queue = [], []
    for j in range(m):
        k0, c0 = 2 * j * n_open, (2 * j + 1) * n_open
        # Work done grows by at most the capacity and never exceeds the work arrived.  Its
        # lower bounds are FIFO in the mean: by the deadline d(t) the work before t and the
        # target share of t's own are done.  (It needs no row to keep it from shrinking: the
        # bounds grow with t, so the running maximum of a solution is a solution.)
        rows += [r + o, r + o, r + o[1:], r + o[1:]]
        cols += [c0 + o, k0 + o, c0 + o[1:] - 1, k0 + o[1:] - 1]
        vals += [np.ones(n_open), -np.ones(n_open), -np.ones(n_open - 1), np.ones(n_open - 1)]
        rhs.append(np.zeros(n_open))
        r += n_open
        ub[c0 : c0 + n_open] = w_cum[open_idx, j]
        # Agents x_o = (K_o − K_{o−1}) / cap in [0, max_agents].
        capped = np.flatnonzero(np.isfinite(max_agents[open_idx, j]))
        if capped.size:
            q = np.arange(capped.size)
            first = capped > 0
            rows += [r + q, r + q[first]]
            cols += [k0 + capped, k0 + capped[first] - 1]
            vals += [np.ones(capped.size), -np.ones(int(first.sum()))]
            rhs.append(cap[j] * max_agents[open_idx[capped], j])
            r += capped.size
        rows += [r + o, r + o[1:]]
        cols += [k0 + o, k0 + o[1:] - 1]
        vals += [-np.ones(n_open), np.ones(n_open - 1)]
        rhs.append(np.zeros(n_open))
        r += n_open
        # Objective: the cost of the agents, Σ cost·x, as a telescoped sum over K.
        w_o = _TIE * inp.cost[open_idx] * ramp / cap[j]
        c[k0 : k0 + n_open] += w_o
        c[k0 : k0 + n_open - 1] -= w_o[1:]
        # FIFO meets the deadline d(t) of interval t when for every earlier s the work
        # arriving in (s, t] fits in the capacity of (s, d(t)] (the backlog is empty at
        # worst at s).  Asked for windows of 2^k intervals, each with a safety of z
        # standard deviations of the work; a deadline is missed when any window overflows,
        # so each window gets half the allowed miss share: z = Φ⁻¹(1 − (1 − share)/2),
        # 1.96 for 95%.  The mean over every s is the work-done bound below.
        d = np.minimum(_deadline_index(open_mask, interval_s, target_s[j]), last_open)
        live = np.flatnonzero((arrivals[:, j] > 0) & (np.arange(n) <= last_open))
        lb_c = np.zeros(n_open)
        np.maximum.at(lb_c, kpos[d[live]], w_cum[live, j] - (1.0 - share[j]) * work[live, j])
        lb_c[-1] = max(lb_c[-1], w_cum[last_open, j])  # all done by the last open interval
        lb[c0 : c0 + n_open] = np.minimum(np.maximum.accumulate(lb_c), ub[c0 : c0 + n_open])
        z = special.ndtri(1.0 - 0.5 * (1.0 - share[j]))
        # Windows much shorter than the response time have the whole response time of
        # capacity after them and never bind: those under half of it are left out.
        for lag in lags[lags >= target_s[j] / interval_s / 2]:
            tt = live[live - lag >= 0]
            s_ = tt - lag
            # The mean part asks only the target share of t's own work.
            need = w_cum[tt, j] - (1.0 - share[j]) * work[tt, j] - w_cum[s_, j]
            need += z * np.sqrt(np.maximum(v_cum[tt, j] - v_cum[s_, j], 0.0))
            hi, lo = kpos[d[tt]], kpos[s_]
            keep = hi > lo
            hi, lo, need = hi[keep], lo[keep], need[keep]
            q = np.arange(hi.size)
            with_lo = lo >= 0
            rows += [r + q, r + q[with_lo]]
            cols += [k0 + hi, k0 + lo[with_lo]]
            vals += [-np.ones(hi.size), np.ones(int(with_lo.sum()))]
            rhs.append(-need)
            r += hi.size
        live_by_queue.append(live)
        deadline_by_queue.append(d)
    # Daily peak: base_t + Σ_j x_{j,t} − z_{day(t)} ≤ 0 in open intervals.
    z0 = nk
    for j in range(m):
        k0 = 2 * j * n_open
        rows += [r + o, r + o[1:]]
        cols += [k0 + o, k0 + o[1:] - 1]
        vals += [np.full(n_open, 1.0 / cap[j]), np.full(n_open - 1, -1.0 / cap[j])]
    rows.append(r + o)
    cols.append(z0 + day_of)
    vals.append(-np.ones(n_open))
    rhs.append(-inp.base_agents[open_idx])
    r += n_open
    c[z0:] = 1.0
    a_ub = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, nv)
    )
    res = optimize.linprog(
        c,
        A_ub=a_ub,
        b_ub=np.concatenate(rhs),
        bounds=np.column_stack([lb, ub]),
        method="highs",
    )
    if res.status != 0:
        raise ValueError(
            f"deferred queue(s) {inp.names} cannot meet their response targets: "
            f"{res.message.strip()} Raise max_agents, open more business hours or relax the target"
        )
    agents = np.zeros((n, m))
    done_work = np.zeros((n, m))
    in_time = np.zeros(m)
    for j in range(m):
        k = res.x[2 * j * n_open : (2 * j + 1) * n_open]
        x = np.diff(k, prepend=0.0) / cap[j]
        agents[open_idx, j] = np.maximum(x, 0.0)
        # Fluid FIFO: work done grows by the capacity, never beyond the work arrived.
        done = 0.0
        capacity = agents[:, j] * cap[j]
        for t in range(n):
            done = min(w_cum[t, j], done + capacity[t])
            done_work[t, j] = done
        live, d = live_by_queue[j], deadline_by_queue[j]
        before = w_cum[live, j] - work[live, j]
        frac = np.clip((done_work[d[live], j] - before) / work[live, j], 0.0, 1.0)
        in_time[j] = float((frac * arrivals[live, j]).sum())
    counted_total = a_cum[last_open] if last_open >= 0 else np.zeros(m)
    return agents, done_work, in_time, counted_total


def _block_ends(open_mask: np.ndarray, block: int) -> list[int]:
    """Where blocks end: right after an open interval, preferably where the centre closes."""
    n = open_mask.size
    after_open = np.flatnonzero(open_mask[:-1]) + 1
    closing = np.flatnonzero(open_mask[:-1] & ~open_mask[1:]) + 1
    ends = []
    start = 0
    while n - start > block:
        lim = start + block
        pick = closing[(closing > start) & (closing <= lim)]
        if not pick.size:
            pick = after_open[(after_open > start) & (after_open <= lim)]
        if not pick.size:  # a closure longer than a block: end after the next open interval
            pick = after_open[after_open > lim][:1]
        if not pick.size:
            break
        start = int(pick[-1])
        ends.append(start)
    return [*ends, n]


def plan_deferred(inp: DeferredInputs, block: int) -> DeferredPlan:
    """Solve the deferred-work program for ``m`` queues over ``n`` intervals, block by block.

    Blocks of about ``block`` intervals end right after an open interval (where
    the centre closes when it does), so each block starts with no backlog but
    what arrived while closed: the blocks are independent programs, and solve
    time grows linearly with the horizon.

    Raises
    ------
    ValueError
        The program is infeasible (only possible with ``max_agents``): names
        the queues and what to relax.
    """
    n, m = inp.arrivals.shape
    work = inp.arrivals * inp.aht_s
    w_cum = np.cumsum(work, axis=0)
    a_cum = np.cumsum(inp.arrivals, axis=0)
    agents = np.zeros((n, m))
    done_work = np.zeros((n, m))
    in_time = np.zeros(m)
    counted = np.zeros(m)
    start = 0
    for end in _block_ends(inp.open_mask, block):
        sl = slice(start, end)
        x, c, y, tot = _solve_block(inp.part(sl))
        offset = w_cum[start - 1] if start else np.zeros(m)
        agents[sl], done_work[sl] = x, c + offset
        in_time += y
        counted += tot
        start = end
    with np.errstate(invalid="ignore", divide="ignore"):
        within = np.where(counted > 0, in_time / counted, np.nan)  # NaN: nothing to answer
    done = np.column_stack(
        [
            np.interp(done_work[:, j], np.r_[0.0, w_cum[:, j]], np.r_[0.0, a_cum[:, j]])
            for j in range(m)
        ]
    )
    return DeferredPlan(
        agents=agents,
        done_contacts=done,
        backlog=np.maximum(a_cum - done, 0.0),
        within_share=np.minimum(within, 1.0),
    )
