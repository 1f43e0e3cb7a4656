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


# One term of a block of rows: (row numbers from 0, variable indices, coefficients).
_Term = tuple[np.ndarray, np.ndarray, "float | np.ndarray"]


class _Rows:
    """Rows ``A x <= b`` of the program, gathered as coordinate triplets."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.rhs: list[np.ndarray] = []
        self.n = 0

    def add(self, terms: list[_Term], rhs: np.ndarray) -> None:
        """New rows ``Σ vals·x[cols] <= rhs``; each term's row numbers count from 0."""
        for local, cols, vals in terms:
            self.rows.append(self.n + local)
            self.cols.append(cols)
            self.vals.append(np.broadcast_to(vals, cols.shape))
        self.rhs.append(rhs)
        self.n += rhs.size

    def matrix(self, nv: int) -> tuple[sparse.csr_matrix, np.ndarray]:
        rows, cols = np.concatenate(self.rows), np.concatenate(self.cols)
        a = sparse.csr_matrix((np.concatenate(self.vals), (rows, cols)), shape=(self.n, nv))
        return a, np.concatenate(self.rhs)


def _capacity_rows(
    acc: _Rows, k0: int, c0: int, n_open: int, cap_j: float, max_agents: np.ndarray
) -> None:
    """Work done grows by at most the capacity; agents x_o = ΔK_o / cap in [0, max_agents]."""
    o = np.arange(n_open)
    # C_o − C_{o−1} − (K_o − K_{o−1}) ≤ 0.  (No row keeps C from shrinking: its bounds grow
    # with time, so the running maximum of a solution is a solution.)
    acc.add(
        [(o, c0 + o, 1.0), (o, k0 + o, -1.0), (o[1:], c0 + o[1:] - 1, -1.0),
         (o[1:], k0 + o[1:] - 1, 1.0)],
        np.zeros(n_open),
    )  # fmt: skip
    capped = np.flatnonzero(np.isfinite(max_agents))
    if capped.size:
        q, first = np.arange(capped.size), capped > 0
        acc.add(
            [(q, k0 + capped, 1.0), (q[first], k0 + capped[first] - 1, -1.0)],
            cap_j * max_agents[capped],
        )
    acc.add([(o, k0 + o, -1.0), (o[1:], k0 + o[1:] - 1, 1.0)], np.zeros(n_open))


def _window_rows(
    acc: _Rows, k0: int, kpos: np.ndarray, live: np.ndarray, d: np.ndarray, lags: np.ndarray,
    need_mean: np.ndarray, w_cum: np.ndarray, v_cum: np.ndarray, z: float,
) -> None:  # fmt: skip
    """For each lag: work of (t − lag, t] plus z standard deviations ≤ capacity of (t − lag, d(t)]."""
    for lag in lags:
        tt = live[live - lag >= 0]
        s_ = tt - lag
        need = need_mean[tt] - w_cum[s_] + z * np.sqrt(np.maximum(v_cum[tt] - v_cum[s_], 0.0))
        hi, lo = kpos[d[tt]], kpos[s_]
        keep = hi > lo
        hi, lo, need = hi[keep], lo[keep], need[keep]
        q, with_lo = np.arange(hi.size), lo >= 0
        acc.add([(q, k0 + hi, -1.0), (q[with_lo], k0 + lo[with_lo], 1.0)], -need)


def _solve_block(inp: DeferredInputs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One block's program: agents, cumulative work done, contacts in time, contacts counted."""
    arrivals, share, open_mask, interval_s = inp.arrivals, inp.share, inp.open_mask, inp.interval_s
    n, m = arrivals.shape
    work = arrivals * inp.aht_s  # agent-seconds per interval
    w_cum = np.cumsum(work, axis=0)
    a_cum = np.cumsum(arrivals, axis=0)
    # Variance of the work arriving, cumulative: Poisson counts of exponential handle times.
    v_cum = np.cumsum(2.0 * arrivals * inp.aht_s**2, axis=0)
    open_idx = np.flatnonzero(open_mask)
    n_open = open_idx.size
    if not n_open:  # nothing can be done in a block without open intervals: all carries on
        return np.zeros((n, m)), np.zeros((n, m)), np.zeros(m), np.zeros(m)
    last_open = int(open_idx[-1])
    # The capacity after interval t is K[kpos[t]] (kpos = -1: none yet); only open intervals
    # add capacity, so K has one variable per open interval.
    kpos = np.cumsum(open_mask) - 1
    days, day_of = np.unique(inp.day[open_idx], return_inverse=True)
    # Variables: per queue j, K (cumulative capacity) then C (cumulative work done) at each
    # open interval [agent-s]; then the daily peaks [agents].
    z0 = 2 * m * n_open
    nv = z0 + days.size
    acc = _Rows()
    lb, ub, c = np.zeros(nv), np.full(nv, np.inf), np.zeros(nv)
    ramp = 1.0 + np.arange(n_open) / n_open
    o = np.arange(n_open)
    lags = 2 ** np.arange(int(np.log2(max(n, 1))) + 1)
    cap = inp.max_occupancy * interval_s  # agent-seconds per agent in an interval
    live_by_queue, deadline_by_queue = [], []
    for j in range(m):
        k0, c0 = 2 * j * n_open, (2 * j + 1) * n_open
        _capacity_rows(acc, k0, c0, n_open, cap[j], inp.max_agents[open_idx, j])
        ub[c0 : c0 + n_open] = w_cum[open_idx, j]
        # Objective: the cost of the agents, Σ cost·x, as a telescoped sum over K.
        w_o = _TIE * inp.cost[open_idx] * ramp / cap[j]
        c[k0 : k0 + n_open] += w_o
        c[k0 : k0 + n_open - 1] -= w_o[1:]
        # FIFO in the mean: by the deadline d(t) the work before t and the target share of
        # t's own are done (a bound on C at d(t)); all is done by the last open interval.
        d = np.minimum(_deadline_index(open_mask, interval_s, inp.target_s[j]), last_open)
        live = np.flatnonzero((arrivals[:, j] > 0) & (np.arange(n) <= last_open))
        need_mean = w_cum[:, j] - (1.0 - share[j]) * work[:, j]
        lb_c = np.zeros(n_open)
        np.maximum.at(lb_c, kpos[d[live]], need_mean[live])
        lb_c[-1] = max(lb_c[-1], w_cum[last_open, j])
        lb[c0 : c0 + n_open] = np.minimum(np.maximum.accumulate(lb_c), ub[c0 : c0 + n_open])
        # FIFO with randomness: the deadline of t holds when for every earlier s the work
        # arriving in (s, t] fits in the capacity of (s, d(t)] (the backlog is empty at worst
        # at s).  Asked for windows of 2^k intervals with a safety of z standard deviations;
        # a deadline is missed when any window overflows, so each window gets half the
        # allowed miss share: z = Φ⁻¹(1 − (1 − share)/2), 1.96 for 95%.  Windows under half
        # the response time have all of it in capacity after them and never bind.
        z = float(special.ndtri(1.0 - 0.5 * (1.0 - share[j])))
        long_enough = lags[lags >= inp.target_s[j] / interval_s / 2]
        _window_rows(acc, k0, kpos, live, d, long_enough, need_mean, w_cum[:, j], v_cum[:, j], z)
        live_by_queue.append(live)
        deadline_by_queue.append(d)
    # Daily peak: base_t + Σ_j x_{j,t} − z_{day(t)} ≤ 0 in open intervals.
    terms: list[_Term] = [(o, z0 + day_of, -1.0)]
    for j in range(m):
        k0 = 2 * j * n_open
        terms += [
            (o, k0 + o, 1.0 / cap[j]),
            (o[1:], k0 + o[1:] - 1, -1.0 / cap[j]),
        ]
    acc.add(terms, -inp.base_agents[open_idx])
    c[z0:] = 1.0
    a_ub, b_ub = acc.matrix(nv)
    # Devex pricing in the dual simplex: on a year of e-mail worked round the clock (52
    # blocks of 336 open intervals) it takes 1.7 s where HiGHS's default choice takes 2.4 s,
    # with the same solutions; scaling options were faster still but picked other optimal
    # vertices (another planned share), so they are not used.
    res = optimize.linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=np.column_stack([lb, ub]),
        method="highs",
        options={"simplex_dual_edge_weight_strategy": "devex"},
    )
    if res.status != 0:
        raise ValueError(
            f"deferred queue(s) {inp.names} cannot meet their response targets: "
            f"{res.message.strip()} Raise max_agents, open more business hours or relax the target"
        )
    agents = np.zeros((n, m))
    for j in range(m):
        k = res.x[2 * j * n_open : (2 * j + 1) * n_open]
        agents[open_idx, j] = np.maximum(np.diff(k, prepend=0.0) / cap[j], 0.0)
    done_work, in_time = _fluid_outcome(
        agents * cap, work, arrivals, live_by_queue, deadline_by_queue
    )
    return agents, done_work, in_time, a_cum[last_open]


def _fluid_outcome(
    capacity: np.ndarray,
    work: np.ndarray,
    arrivals: np.ndarray,
    live_by_queue: list[np.ndarray],
    deadline_by_queue: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative work done (fluid FIFO) and contacts answered by their deadline, per queue."""
    n, m = work.shape
    w_cum = np.cumsum(work, axis=0)
    done_work = np.zeros((n, m))
    in_time = np.zeros(m)
    for j in range(m):
        done = 0.0
        for t in range(n):  # work done grows by the capacity, never beyond the work arrived
            done = min(w_cum[t, j], done + capacity[t, j])
            done_work[t, j] = done
        live, d = live_by_queue[j], deadline_by_queue[j]
        before = w_cum[live, j] - work[live, j]
        frac = np.clip((done_work[d[live], j] - before) / work[live, j], 0.0, 1.0)
        in_time[j] = float((frac * arrivals[live, j]).sum())
    return done_work, in_time


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
