"""Discrete-event simulation of an M/M/n(+M) queue over consecutive intervals."""

from __future__ import annotations

import heapq
from collections import deque

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from staffplan._validation import (
    check_choice,
    check_int,
    check_interval_min,
    check_nonnegative,
    check_positive,
)

__all__ = ["callers_seen_on_arrival", "simulate_intervals"]

_STAT_COLUMNS = ("service_level", "asa_s", "p_abandon")


def _one_replication(
    arrivals: np.ndarray,
    arrival_interval: np.ndarray,
    service: np.ndarray,
    deadline: np.ndarray,
    agents: np.ndarray,
    interval_s: float,
    target_s: float,
    seen: list[int] | None = None,
) -> tuple[np.ndarray, ...]:
    """Simulate one replication; arrays are per call in arrival order.

    ``seen``, when given, receives for each call in arrival order the number of
    callers in the system it finds on arrival (in service plus still waiting).
    """
    k_count = agents.size
    answered = [0.0] * k_count
    within = [0.0] * k_count
    abandoned = [0.0] * k_count
    wait_sum = [0.0] * k_count
    busy_time = [0.0] * k_count
    # Plain Python floats and lists: numpy scalar access costs more than the event logic.
    arr = arrivals.tolist()
    kof = arrival_interval.tolist()
    svc = service.tolist()
    dl = deadline.tolist()
    staff_by_interval = [int(v) for v in agents.tolist()]
    inf = float("inf")
    heappush, heappop = heapq.heappush, heapq.heappop
    completions: list[float] = []
    queue: deque[int] = deque()
    busy = 0
    now = 0.0
    interval = 0
    staff = staff_by_interval[0] if k_count else 0
    n_calls = len(arr)
    i = 0
    horizon = k_count * interval_s
    next_boundary = interval_s if k_count > 1 else inf

    while True:
        next_arrival = arr[i] if i < n_calls else inf
        next_done = completions[0] if completions else inf
        # Two comparisons instead of min(): this line runs once per event.
        t = next_arrival if next_arrival <= next_done else next_done
        if next_boundary < t:
            t = next_boundary
        if t == inf:
            break
        if now < horizon:
            busy_time[interval] += busy * ((t if t < horizon else horizon) - now)
        now = t
        if t == next_boundary:
            interval += 1
            staff = staff_by_interval[interval]
            next_boundary = (interval + 1) * interval_s if interval < k_count - 1 else inf
        elif t == next_done:
            heappop(completions)
            busy -= 1
        else:
            if seen is not None:
                # Callers who hung up stay in the deque until they reach its head: count
                # only those still waiting.
                waiting = len(queue) if dl[i] == inf else sum(1 for c in queue if dl[c] >= t)
                seen.append(busy + waiting)
            queue.append(i)
            i += 1
        while busy < staff and queue:
            call = queue.popleft()
            k = kof[call]
            if dl[call] < t:
                # Hung up while waiting; FCFS lets us settle it when it reaches the head.
                abandoned[k] += 1
                wait_sum[k] += dl[call] - arr[call]
                continue
            w = t - arr[call]
            answered[k] += 1
            wait_sum[k] += w
            if w <= target_s:
                within[k] += 1
            busy += 1
            heappush(completions, t + svc[call])
        if i >= n_calls and not completions and (staff == 0 or not queue):
            break
    # Whatever is still queued with nobody left to answer abandons (at its deadline, or at
    # the end of the horizon when it would never hang up).
    for call in queue:
        k = kof[call]
        abandoned[k] += 1
        wait_sum[k] += (dl[call] if dl[call] < inf else horizon) - arr[call]
    return tuple(np.asarray(v) for v in (answered, within, abandoned, wait_sum, busy_time))


def _draw(
    gen: np.random.Generator,
    vol: np.ndarray,
    aht: np.ndarray,
    pat: np.ndarray,
    empirical: np.ndarray | None,
    interval_s: float,
    *,
    exact: bool = False,
) -> tuple[np.ndarray, ...]:
    """One replication's calls: counts per interval, then per call in arrival order."""
    n_int = vol.size
    counts = np.rint(vol).astype(np.int64) if exact else gen.poisson(vol)
    arrival_interval = np.repeat(np.arange(n_int), counts)
    arrivals = (arrival_interval + gen.random(arrival_interval.size)) * interval_s
    order = np.argsort(arrivals, kind="stable")
    arrivals, arrival_interval = arrivals[order], arrival_interval[order]
    mean_service = aht[arrival_interval]
    if empirical is None:
        service = gen.exponential(mean_service)
    else:
        service = gen.choice(empirical, size=arrivals.size) * mean_service
    deadline = arrivals + gen.exponential(1.0, arrivals.size) * pat[arrival_interval]
    return counts, arrivals, arrival_interval, service, deadline


def simulate_intervals(
    volume: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    *,
    interval_min: int = 30,
    patience_s: ArrayLike | None = None,
    target_answer_s: float = 20,
    n_reps: int = 20,
    handle_times_s: ArrayLike | None = None,
    arrivals: str = "poisson",
    rng: np.random.Generator | int | None = None,
) -> pd.DataFrame:
    """Simulate a FCFS multi-agent queue over consecutive intervals, event by event.

    Parameters
    ----------
    volume : numeric, 1-d
        Expected contacts offered per interval [contacts]; arrivals are Poisson
        with this mean, uniform inside the interval.
    aht_s : numeric
        Average handle time per interval (or one value) [s].  Handle times are
        exponential unless ``handle_times_s`` is given.
    agents : numeric, 1-d
        Agents on the phones per interval [agents], whole numbers.  An agent who
        leaves at an interval boundary finishes the current contact first.
    interval_min : int, default 30
        Interval length [min].
    patience_s : numeric or None
        Mean exponential patience per interval (or one value) [s]; None means
        contacts never hang up (M/M/n).
    target_answer_s : float, default 20
        Answer-time target [s].
    n_reps : int, default 20
        Independent replications; the confidence intervals come from their spread.
    handle_times_s : array or None
        Empirical handle times [s] to resample instead of the exponential, rescaled
        so that each interval's mean equals its ``aht_s``.
    arrivals : {"poisson", "exact"}, default "poisson"
        ``"poisson"``: each interval's count is Poisson with mean ``volume``;
        ``"exact"``: ``volume`` holds the counts themselves (whole numbers: a
        replay of actual arrivals), placed uniformly inside the interval.
    rng : numpy.random.Generator, int or None
        Random source or seed; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        One row per interval (index = interval number, or the index of a Series
        ``volume``): ``agents``, ``offered``, ``answered``, ``abandoned`` (means over
        replications [contacts]), ``service_level`` (answered within the target /
        offered), ``asa_s`` (mean queue time over all offered contacts,
        abandoners included [s]), ``p_abandon`` (abandoned / offered),
        ``occupancy`` (busy agent time / agent time in the interval; agents who
        left at the boundary and finish a call count as busy, so it can exceed 1
        right after a drop in staff; NaN with no agents), and 95%
        confidence limits ``service_level_lo``/``_hi``, ``asa_s_lo``/``_hi``,
        ``p_abandon_lo``/``_hi`` (Student t over replications).  Contacts are
        attributed to the interval they arrive in; calls waiting at a boundary
        carry over.  After the last interval the last agent count keeps working
        until the queue is empty.

    Examples
    --------
    >>> df = simulate_intervals([100, 120], 180, [14, 16], n_reps=3, rng=1)
    >>> list(df.columns[:4])
    ['agents', 'offered', 'answered', 'abandoned']
    """
    arrival_mode = check_choice(arrivals, "arrivals", ("poisson", "exact"))
    interval_min, vol, aht, ag, pat, target, empirical = _check_sim_inputs(
        volume, aht_s, agents, interval_min, patience_s, target_answer_s, handle_times_s
    )
    if arrival_mode == "exact" and np.any(vol != np.floor(vol)):
        raise ValueError(
            "volume must hold whole counts with arrivals='exact', got "
            f"{vol[vol != np.floor(vol)][0]!r}; use arrivals='poisson' for expected volumes"
        )
    n_int = vol.size
    n_reps = check_int(n_reps, "n_reps", minimum=2)
    gen = np.random.default_rng(rng)
    interval_s = 60.0 * interval_min

    names = ("offered", "answered", "abandoned", "within", "wait_s", "busy_s")
    per_rep = {name: np.empty((n_reps, n_int)) for name in names}
    for r in range(n_reps):
        counts, times, arrival_interval, service, deadline = _draw(
            gen, vol, aht, pat, empirical, interval_s, exact=arrival_mode == "exact"
        )
        answered, within, abandoned, wait_sum, busy_time = _one_replication(
            times, arrival_interval, service, deadline, ag, interval_s, target
        )
        per_rep["offered"][r] = counts
        per_rep["answered"][r] = answered
        per_rep["abandoned"][r] = abandoned
        per_rep["within"][r] = within
        per_rep["wait_s"][r] = wait_sum
        per_rep["busy_s"][r] = busy_time

    index = volume.index if isinstance(volume, pd.Series) else pd.RangeIndex(n_int)
    out = pd.DataFrame({"agents": ag}, index=index)
    for name in ("offered", "answered", "abandoned"):
        out[name] = per_rep[name].mean(axis=0)
    t_crit = stats.t.ppf(0.975, n_reps - 1)
    offered = per_rep["offered"]
    total_offered = offered.sum(axis=0)
    bounds = {"service_level": (0.0, 1.0), "asa_s": (0.0, np.inf), "p_abandon": (0.0, 1.0)}
    numerators = {"service_level": "within", "asa_s": "wait_s", "p_abandon": "abandoned"}
    for name, num in numerators.items():
        y = per_rep[num]
        # Ratio of sums over replications (a per-contact estimate; the mean of per-replication
        # ratios is biased because busy intervals have both more contacts and worse service),
        # with the ratio-estimator standard error.
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = y.sum(axis=0) / total_offered
            resid = y - ratio * offered
            mean_x = total_offered / n_reps
            se = np.sqrt((resid**2).sum(axis=0) / (n_reps * (n_reps - 1))) / mean_x
        low, high = bounds[name]
        out[name] = ratio
        out[f"{name}_lo"] = np.clip(ratio - t_crit * se, low, high)
        out[f"{name}_hi"] = np.clip(ratio + t_crit * se, low, high)
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = per_rep["busy_s"].mean(axis=0) / (ag * interval_s)
    out["occupancy"] = np.where(ag > 0, occ, np.nan)
    cols = ["agents", "offered", "answered", "abandoned", "service_level", "asa_s", "p_abandon"]
    cols += ["occupancy"] + [f"{c}_{e}" for c in _STAT_COLUMNS for e in ("lo", "hi")]
    return out[cols]


def _check_sim_inputs(
    volume: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    interval_min: int,
    patience_s: ArrayLike | None,
    target_answer_s: float,
    handle_times_s: ArrayLike | None,
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, np.ndarray | None]:
    """The simulator's inputs as float arrays of one value per interval, checked by name."""
    interval_min = check_interval_min(interval_min)
    vol = check_nonnegative(volume, "volume")
    if vol.ndim != 1:
        raise ValueError(f"volume must be 1-d (one value per interval), got shape {vol.shape}")
    aht = np.broadcast_to(check_positive(aht_s, "aht_s"), vol.shape).astype(float)
    ag = check_nonnegative(agents, "agents")
    if ag.shape != vol.shape:
        raise ValueError(f"agents must have one value per interval {vol.shape}, got {ag.shape}")
    if np.any(ag != np.floor(ag)):
        raise ValueError(f"agents must be whole numbers, got {ag[ag != np.floor(ag)][0]!r}")
    if patience_s is None:
        pat = np.full(vol.shape, np.inf)
    else:
        pat = np.broadcast_to(check_positive(patience_s, "patience_s"), vol.shape).astype(float)
    target = float(check_nonnegative(target_answer_s, "target_answer_s"))
    empirical = None
    if handle_times_s is not None:
        empirical = check_positive(handle_times_s, "handle_times_s").ravel()
        if empirical.size == 0:
            raise ValueError("handle_times_s must hold at least one value, got an empty array")
        empirical = empirical / empirical.mean()
    return interval_min, vol, aht, ag, pat, target, empirical


def callers_seen_on_arrival(
    volume: ArrayLike,
    aht_s: ArrayLike,
    agents: ArrayLike,
    *,
    interval_min: int = 30,
    patience_s: ArrayLike | None = None,
    n_reps: int = 20,
    rng: np.random.Generator | int | None = None,
) -> list[np.ndarray]:
    """How many callers each arrival finds in the system, per interval, over replications.

    The same simulation as :func:`simulate_intervals` (queues carry over interval
    boundaries); each arriving caller records the callers in service plus those
    still waiting when it arrives.  This is the distribution the iterative
    staffing algorithm of Feldman et al. (2008) staffs against.

    Parameters
    ----------
    volume, aht_s, agents, interval_min, patience_s, n_reps, rng
        As for :func:`simulate_intervals` (Poisson arrivals, exponential handle times).

    Returns
    -------
    list of numpy.ndarray
        One integer array per interval: the number in system found by each of
        its arrivals, all replications pooled [callers].

    References
    ----------
    Z. Feldman, A. Mandelbaum, W. A. Massey, W. Whitt (2008), "Staffing of
    time-varying queues to achieve time-stable performance", Management
    Science 54(2), 324-338.
    """
    interval_min, vol, aht, ag, pat, _, _ = _check_sim_inputs(
        volume, aht_s, agents, interval_min, patience_s, 0.0, None
    )
    n_reps = check_int(n_reps, "n_reps", minimum=1)
    gen = np.random.default_rng(rng)
    interval_s = 60.0 * interval_min
    found: list[list[np.ndarray]] = [[] for _ in range(vol.size)]
    for _ in range(n_reps):
        _, arrivals, arrival_interval, service, deadline = _draw(
            gen, vol, aht, pat, None, interval_s
        )
        seen: list[int] = []
        _one_replication(arrivals, arrival_interval, service, deadline, ag, interval_s, 0.0, seen)
        values = np.asarray(seen, dtype=np.int64)
        bounds = np.searchsorted(arrival_interval, np.arange(vol.size + 1))
        for k in range(vol.size):
            found[k].append(values[bounds[k] : bounds[k + 1]])
    return [np.concatenate(parts) for parts in found]
