"""Certainty per day: how likely each day meets its target, and the least staff that makes it so.

A forecast's error is mostly a matter of the day: when a day runs 10 % above
its forecast, most of its intervals do, and the day's service falls in all of
them at once.  Per-interval quantiles ignore that: staffing every interval to
its own 95 % quantile protects each interval against a bad day *and* against
its own slot noise, which averages out over the day, so it pays for far more
than 95 % of days meeting the target.

Here the uncertainty comes as joint sample paths of the pooled arrival rate
(:meth:`staffplan.forecast.VolumeForecaster.sample_paths` with ``rates=True``:
one day ratio per day shared by its intervals, and slot residuals that add up
to nothing over the day, both from the held-out errors that calibrate the
forecast's quantiles; a day's total thus carries its count noise once).  The
slot residuals are shrunk to their variance beyond Poisson: Erlang's formula
averages over an interval's Poisson count itself, so paths of counts read as
rates counted that noise twice.  A day *meets its target* on a path when its
achieved service level reaches the target.  Given the path's rates that is
still random: arrivals are Poisson within each interval, handle times random,
and a queue carries its luck from one caller to the next.  So each path's day
is its volume-weighted formula service (Erlang C, or Erlang A with patience,
at that path's rates) give or take the queue's own randomness
(:class:`_QueueNoise`: per interval the variance of the answered-within-target
count of a stationary M/M/c(+M) chain, added up over the day, less the day
total's Poisson part that the path's day ratio already carries; the day's
share of misses a gamma of that spread), and the day's chance is the mean
over paths of the probability that it reaches the target.

**Method (day-level scale, all days bisected at once).**  Every interval of a
day is staffed to the target at ``scale × mean`` volume, with the same scale
for the whole day (the shape of the error: one level per day); the scale is
the smallest in ``[1, MAX_SCALE]`` whose staffing meets the day's target on
at least ``certainty`` of the paths.  Each scale is judged at the staffing
the plan will ask for: the fractional requirement rounded up to whole agents
on the floor by the plan's one rounding rule (``whole=True``), so the slack
of the rounding counts toward the certainty instead of coming on top of it.
Scale 1 is the mean plan, so no interval ever gets less than the mean plan
gives it.  The probability rises with the scale (the rounding is monotone),
so a bisection finds it to ``SCALE_TOL``; every day's bracket moves in the
same vectorised step.

A greedy marginal allocation (from the mean plan, one agent at a time where it
adds most service on the paths that decide the chance, then a trim) was
measured against it on a week of the fpp2 bank and of a synthetic 24/7 centre:
it saved 0.25 % and 1.2 % of agent-hours at 20x and 3x the time.  With the
error shaped by one level per day, the scale is close to the least, so it is
what plans use.

**Small intervals.**  Where intervals hold few contacts, the day's own
Poisson total still moves all its intervals: a steady 24/7 line at a known 20
contacts an hour on a 60-min grid needs 1.075x its mean in fractional agents
for 95 % of days from the Poisson day total alone (its 95 % point over 480),
1.16 with the queue's own randomness at those rates, and 1.15-1.18 from a
profile forecast fitted on 16 weeks (1.07-1.11 on its paths alone).  In whole
agents the rounding covers much of it (3.29 agents an hour become 4 at the
mean, whose 91 % service meets 80 % on every simulated day).  Plans report
the part a perfect forecast would still take per day
(``certainty_scale_count_noise``, from :func:`count_noise_scale`) and say it
in a note when a scale reaches 1.1.

**How "meets its target" compares with a simulation.**  Lines at a known
Poisson rate (24/7 and 08-20 centres, 15/30/60-min grids, 7 to 156 contacts
an interval, one with abandonment), staffed with the formula's whole agents
for 80/20, paths calibrated on six weeks of held-out Poisson counts, against
600 days of the discrete-event simulator: where the day's formula service
sits 1-3 points above the target, ``p_meet_target`` is 0.70 / 0.70 / 0.74 /
0.79 / 0.70 where the simulation finds 0.73 / 0.71 / 0.74 / 0.76 / 0.67 of
days (the paths alone said 0.80 / 0.85 / 0.89 / 0.96 / 0.77); 5 points above
(an 08-20 centre, 30 min) 0.85 where the simulation finds 0.85 and the paths
alone said 1.0; 9-13 points above all say 1.0.  The 5 % point of a day's
service is within 0.007 of the simulated one (the paths alone: 0.027-0.06
above it).  ``expected_service_level`` is the paths' mean, unchanged
(within 0.5 point of the simulated mean day).  A certainty plan (whole
agents, certainty 0.95) of 140 held-out days of a line whose day level
wanders (sd 8 %, 40 an hour) meets 80/20 on 96.3 % of simulated days for a
predicted 95.6 %, for 0.6 % more agent-hours than on the paths alone, which
met 94.6 % for a predicted 95.8 %.

The queue's randomness is that of a stationary queue per interval (the
Poisson equation of its birth-death chain, solved by cumulative sums: a few
ms for a week of 30-min intervals), so it leaves out a backlog carried
across intervals beyond what the stationary chain's correlation holds, and
loads above ``RHO_MAX`` are evaluated at ``RHO_MAX`` (such intervals sit far
below any target).  Not modelled: AHT uncertainty (the forecast's AHT profile
is taken as known).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from staffplan import erlang, intervals
from staffplan._validation import check_int
from staffplan.plan._service import ServiceTarget

__all__ = [
    "MAX_SCALE",
    "N_PATHS",
    "SCALE_TOL",
    "certainty_scale",
    "check_certainty",
    "count_noise_scale",
    "day_chance",
    "day_codes",
    "pooled_paths",
]

#: Largest day-level scale the certainty search tries [multiple of the mean].
MAX_SCALE = 4.0
#: Precision of the day-level scale found by bisection.
SCALE_TOL = 2e-3
#: First upper bracket of the scale: most days need less, and a narrow bracket saves steps.
_FIRST_SCALE = 1.5
#: Sample paths of the forecast behind each day's chance (a 95 % chance is
#: then estimated to about ±1 point).
N_PATHS = 500


def check_certainty(certainty: Any, volume_quantile: Any) -> float | None:
    """``certainty`` must lie in (0, 1) and cannot be combined with ``volume_quantile``."""
    if certainty is None:
        return None
    if isinstance(certainty, (bool, np.bool_)) or not isinstance(
        certainty, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            f"certainty must be a number in (0, 1), got {type(certainty).__name__} {certainty!r}"
        )
    value = float(certainty)
    if not 0.0 < value < 1.0:
        raise ValueError(
            f"certainty must be in (0, 1) (the share of days that meet the target, e.g. 0.95), "
            f"got {certainty!r}"
        )
    if volume_quantile is not None:
        raise ValueError(
            f"certainty={value:g} and volume_quantile={volume_quantile!r} contradict each other: "
            "certainty staffs each day to meet its target with that probability, "
            "volume_quantile staffs every interval to one quantile; pass only one"
        )
    return value


def pooled_paths(forecast: pd.DataFrame, paths: np.ndarray, ds: Any) -> np.ndarray:
    """Sample paths of the pooled demand: each forecast row's path added into its ``ds``.

    ``paths`` is row-aligned with ``forecast`` (shape paths × rows); the result
    is aligned with ``ds`` (shape paths × len(ds)), as :func:`pool_queues` adds volumes.
    """
    codes = pd.DatetimeIndex(ds).get_indexer(pd.DatetimeIndex(forecast["ds"]))
    if (codes < 0).any():
        raise ValueError("every forecast row's ds must be one of the pooled intervals")
    out = np.zeros((paths.shape[0], len(ds)))
    np.add.at(out.T, codes, paths.T)
    return out


def day_codes(ds: Any) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """The local days of ``ds`` (sorted) and each interval's position among them."""
    local = intervals.local_day(ds)
    days = pd.DatetimeIndex(local).unique().sort_values()
    return days, days.get_indexer(local)


#: Highest load per agent at which the queue's own randomness is evaluated [fraction]; above
#: it the stationary chain's relaxation time exceeds a day on small teams, so its asymptotic
#: variance would overstate a finite day's (such intervals sit far below any target anyway).
RHO_MAX = 0.95


def _queue_moments(
    lam: np.ndarray,
    agents: np.ndarray,
    aht_s: np.ndarray,
    target_s: float,
    patience_s: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The M/M/c(+M) queue's service level and the variance and covariance rates of its counts.

    For a stationary birth-death chain of the callers in the system (arrivals
    ``lam`` [1/s], ``agents`` whole servers, mean handle ``aht_s`` [s], exponential
    patience ``patience_s`` [s] or none), with each arrival answered within
    ``target_s`` with the probability its state gives (PASTA: Erlang C's
    ``P(Poisson(cμτ) > j)`` with ``j`` callers ahead, Erlang A's
    ``E[U; U ≥ e^{-θτ}]``, ``U ~ Beta(cμ/θ, j + 1)``), returns per element:

    - ``s``: the stationary share answered within target (Erlang C or A itself);
    - ``var``: the asymptotic variance rate of ``W(t) - s N(t)`` (answered within
      target minus ``s`` times offered) [1/s];
    - ``cov``: the asymptotic covariance rate of ``W(t) - s N(t)`` with ``N(t)`` [1/s].

    Both come from the Poisson equation of the birth-death chain, solved by its
    cumulative sums (``π_n λ Δ_n = -Σ_{k≤n} π_k λ (p_k - s)``), with each arrival's
    outcome drawn given its state.  Loads above ``RHO_MAX`` (Erlang C) are
    evaluated at ``RHO_MAX`` per call.
    """
    lam = np.asarray(lam, dtype=np.float64)
    c = np.asarray(agents, dtype=np.int64)
    s_out = np.where(lam > 0, 0.0, 1.0)
    var_out = np.zeros(lam.shape)
    cov_out = np.zeros(lam.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = 1.0 / np.asarray(aht_s, dtype=np.float64)
        load = lam / mu
    # Far more agents than the load (beyond 10 sd of its Poisson spread) leave nobody waiting:
    # everyone is answered in time, without spread (and the chain's window stays small).
    # A handle time of 0 answers everyone at once, as idle agents do.
    idle = (c > load + 10.0 * np.sqrt(np.maximum(load, 0.0)) + 20.0) | (np.isinf(mu) & (c > 0))
    s_out[idle & (lam > 0)] = 1.0
    # Nothing to evaluate where the rate or the handle time is missing or below 0 (no spread).
    ok = (lam > 0) & (c > 0) & ~idle & np.isfinite(load) & (mu > 0)
    if not ok.any():
        return s_out, var_out, cov_out
    lam_all, c, mu = lam[ok], c[ok], mu[ok]
    theta = 0.0 if patience_s is None else 1.0 / patience_s
    lam = lam_all if theta > 0 else np.minimum(lam_all, RHO_MAX * c * mu)
    n_lo, n_hi = _window(lam, c, mu, theta, target_s)
    # The chain's states are a matrix (rows x the widest row's window): rows of similar
    # windows go together, at most _CHAIN_CELLS states at a time, so that a few long
    # windows (an hour's answer target, a long overloaded queue) do not widen every row
    # (a 28-day 15-min plan with a 1 h target peaked at 1.4 GB in one block).
    order = np.argsort(n_hi - n_lo, kind="stable")
    width = (n_hi - n_lo + 1)[order]
    s, var, cov = (np.empty(len(order)) for _ in range(3))
    start = 0
    while start < len(order):
        k = max(1, min(len(order) - start, _CHAIN_CELLS // int(width[start])))
        while k > 1 and k * int(width[start + k - 1]) > _CHAIN_CELLS:
            k //= 2
        rows = order[start : start + k]
        s[rows], var[rows], cov[rows] = _chain(
            lam[rows], c[rows], mu[rows], theta, target_s, n_lo[rows], n_hi[rows]
        )
        start += k
    per_call = lam_all  # the capped load's moments per call, at the actual arrivals
    s_out[ok], var_out[ok], cov_out[ok] = s, var * per_call, cov * per_call
    return s_out, var_out, cov_out


#: States of the birth-death chain evaluated at once by :func:`_queue_moments` (some
#: 15 arrays of this many floats: about 130 MB at most).
_CHAIN_CELLS = 1 << 20


def _window(
    lam: np.ndarray, c: np.ndarray, mu: np.ndarray, theta: float, target_s: float
) -> tuple[np.ndarray, np.ndarray]:
    """The states of the chain kept per row (lowest and highest callers in the system)."""
    a = lam / mu
    x = c * mu * target_s
    j_top = np.ceil(x + 8.0 * np.sqrt(x) + 10.0)
    if theta > 0:  # the queue's own mode and spread under abandonment
        q = np.maximum(lam - c * mu, 0.0) / theta
        j_top = np.maximum(j_top, np.ceil(q + 10.0 * np.sqrt(lam / theta) + 20.0))
    n_lo = np.maximum(np.floor(np.minimum(a, c) - 8.0 * np.sqrt(a) - 10.0), 0).astype(np.int64)
    return n_lo, c + j_top.astype(np.int64)


def _chain(
    lam: np.ndarray,
    c: np.ndarray,
    mu: np.ndarray,
    theta: float,
    target_s: float,
    n_lo: np.ndarray,
    n_hi: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``s`` and the per-call variance and covariance of :func:`_queue_moments`' rows."""
    rho = lam / (c * mu)
    x = c * mu * target_s  # completions expected within the target with all agents busy
    n = n_lo[:, None] + np.arange(int((n_hi - n_lo).max()) + 1)[None, :]
    inside = n <= n_hi[:, None]
    cc = c[:, None]
    death = np.minimum(n, cc) * mu[:, None] + np.maximum(n - cc, 0) * theta
    step = np.log(lam)[:, None] - np.log(np.maximum(death, 1e-300))
    step[:, 0] = 0.0
    log_pi = np.cumsum(np.where(inside, step, 0.0), axis=1)
    log_pi = np.where(inside, log_pi - log_pi.max(axis=1, keepdims=True), -np.inf)
    pi = np.exp(log_pi)
    # Erlang C's tail beyond the window: geometric (ratio rho), nobody answered in time.
    top = pi[np.arange(len(n)), n_hi - n_lo]
    tail = np.zeros(len(n)) if theta > 0 else top * rho / (1.0 - rho)
    z = pi.sum(axis=1) + tail
    pi /= z[:, None]
    tail /= z
    p = np.where(n < cc, 1.0, np.where(inside, _answered_in_time(n - cc, x, theta, target_s), 0.0))
    s = (pi * p).sum(axis=1)
    m = p - s[:, None]
    pm = pi * m
    # F_n = sum_{k<=n} pi_k m_k: forward below the mode, from the top above it (no cancellation
    # against the tiny pi_n at either end).
    forward = np.cumsum(pm, axis=1)
    above = np.flip(np.cumsum(np.flip(pm, axis=1), axis=1), axis=1) - pm - (s * tail)[:, None]
    mode = np.argmax(pi, axis=1)[:, None]
    cum = np.where(np.arange(n.shape[1])[None, :] <= mode, forward, -above)
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(pi > 0, -cum / pi, 0.0)
    d_tail = np.where(tail > 0, -s * rho / (1.0 - rho), 0.0)
    var = (pi * (p * (1.0 - p) + (m + d) ** 2 + d**2)).sum(axis=1)
    var += tail * ((d_tail - s) ** 2 + d_tail**2)
    cov = (pi * (m + d)).sum(axis=1) + tail * (d_tail - s)
    return s, var, cov


def _answered_in_time(j: np.ndarray, x: np.ndarray, theta: float, target_s: float) -> np.ndarray:
    """P(answered within the target | ``j ≥ 0`` callers ahead, all agents busy), per column.

    Erlang C: ``j + 1`` completions at rate ``cμ`` within ``τ``, ``P(Poisson(x) > j)``
    with ``x = cμτ``.  Erlang A: ``E[U; U ≥ e^{−θτ}]`` for ``U ~ Beta(cμ/θ, j + 1)``,
    ``= b'/(b' + j + 1) · I_z(j + 1, b' + 1)`` with ``b' = cμ/θ`` and ``z = 1 − e^{−θτ}``.
    Both by their recursions in ``j`` along the columns (a cumulative product and
    sum; ``scipy.special.betaincc`` costs 100x more), ``j`` rising by one per column.
    Columns with ``j < 0`` hold anything.
    """
    first = j == 0
    later = j > 0
    jj = np.maximum(j, 1).astype(np.float64)
    xc = x[:, None]
    if target_s <= 0:  # a caller who waits at all is late
        return np.zeros(j.shape)
    if theta <= 0:
        if float(np.max(x)) > 500.0:  # e^{-x} would underflow: the special function
            return np.asarray(special.gammainc(np.maximum(j, 0) + 1, xc), dtype=np.float64)
        # Poisson(x) probabilities by their ratio x/j; P(> j) = 1 − their cumulative sum.
        factor = np.where(first, np.exp(-xc), np.where(later, xc / jj, 1.0))
        pmf = np.where(j >= 0, np.cumprod(factor, axis=1), 0.0)
        return np.clip(1.0 - np.cumsum(pmf, axis=1), 0.0, 1.0)
    b = xc / (theta * target_s) + 1.0  # b' + 1, with x = cμτ
    z = -np.expm1(-theta * target_s)
    # I_z(1, b) = 1 − (1 − z)^b; I_z(a + 1, b) = I_z(a, b) − t_a, t_a = z^a (1−z)^b Γ(a+b)/(Γ(a+1)Γ(b)),
    # t_1 = z (1 − z)^b b and t_{a+1} = t_a z (a + b)/(a + 1).
    top = np.exp(-theta * target_s * b)  # (1 − z)^b
    factor = np.where(j == 1, z * top * b, np.where(j > 1, z * (jj - 1.0 + b) / jj, 1.0))
    t = np.where(later, np.cumprod(factor, axis=1), 0.0)
    inc = np.clip(1.0 - top - np.cumsum(t, axis=1), 0.0, 1.0)
    return (b - 1.0) / (b + jj * later) * inc


#: Quantiles of each day's path ratio at which the queue's own randomness is evaluated;
#: a path between them interpolates (in the log of its day ratio), beyond them clamps.
_NOISE_QUANTILES = (0.05, 0.5, 0.95)
#: The grid spans at least this much around the median ratio, so that the slope of the
#: day's service in its level (the day total's Poisson part, already in the paths) is
#: found on days whose paths hardly spread.
_MIN_GRID_SPREAD = 0.02


class _QueueNoise:
    """The spread of a day's service level that the queue's own randomness adds to a path.

    At given rates a day's achieved service level still scatters: arrivals are
    Poisson within each interval and handle times random, and a queue carries
    its luck from one caller to the next.  Per interval, :func:`_queue_moments`
    gives the variance of ``answered within target − s × offered`` of a
    stationary M/M/c(+M) queue; a day adds its intervals up (the day's service
    level ``W/N`` by the delta method).  That variance holds the day total's
    Poisson noise, which rate paths already carry in their day ratio
    (:meth:`VolumeForecaster.sample_paths`, ``rates=True``): its part,
    ``(dS/d ln level)² / N``, is taken out.  Evaluated at three day levels per
    day (the paths' 5 %, 50 % and 95 % day ratio) and interpolated for each path;
    the chain's moments are kept per (level, interval, agents) for the certainty
    search, whose staffing changes step by step while the rates stay.
    """

    def __init__(
        self,
        paths: np.ndarray,
        aht_s: np.ndarray,
        code: np.ndarray,
        n_days: int,
        *,
        service: ServiceTarget,
        interval_min: int,
    ) -> None:
        self.code, self.n_days, self.service = code, n_days, service
        self.interval_s = 60.0 * interval_min
        mean = np.maximum(paths.mean(axis=0), 0.0)
        day_mean = np.bincount(code, mean, minlength=n_days)
        totals = _day_sums(np.maximum(paths, 0.0), code, n_days)
        has = day_mean > 0
        self.ratio = np.where(has, totals / np.where(has, day_mean, 1.0), 1.0)
        grid = np.quantile(self.ratio, _NOISE_QUANTILES, axis=0)  # (3, days)
        mid = grid[1]
        grid[0] = np.minimum(grid[0], mid * (1.0 - _MIN_GRID_SPREAD))
        grid[2] = np.maximum(grid[2], mid * (1.0 + _MIN_GRID_SPREAD))
        self.log_grid = np.log(np.maximum(grid, 1e-12))
        self.count = grid[:, code] * mean[None, :]  # expected contacts (3, intervals)
        self.aht = np.broadcast_to(aht_s, mean.shape)
        self._memo: dict[tuple[int, int, int], tuple[float, float, float]] = {}

    def _moments(self, agents: np.ndarray) -> tuple[np.ndarray, ...]:
        """``s``, variance and covariance rates per (level, interval), whole ``agents``."""
        levels, n_int = self.count.shape
        ks, iis = np.divmod(np.arange(levels * n_int), n_int)
        cs = np.broadcast_to(agents, (levels, n_int)).ravel()
        keys = list(zip(ks.tolist(), iis.tolist(), cs.tolist(), strict=True))
        missing = [i for i, key in enumerate(keys) if key not in self._memo]
        if missing:
            at = np.asarray(missing)
            got = _queue_moments(
                self.count.ravel()[at] / self.interval_s,
                cs[at],
                self.aht[iis[at]],
                self.service.target_answer_s,
                self.service.patience_s,
            )
            for i, s, v, c in zip(missing, *(g.tolist() for g in got), strict=True):
                self._memo[keys[i]] = (s, v, c)
        out = np.array([self._memo[key] for key in keys]).reshape(levels, n_int, 3)
        return out[..., 0], out[..., 1], out[..., 2]

    def sd(self, on_phones: np.ndarray) -> np.ndarray:
        """Standard deviation the queue adds to each day's service level, shape (paths, days)."""
        agents = np.maximum(np.asarray(on_phones, dtype=np.float64), 0.0)
        low = np.floor(agents + 1e-9)
        w = np.clip(agents - low, 0.0, 1.0)[None, :]
        lo = self._moments(low.astype(np.int64))
        if np.any(w > 1e-9):  # fractional agents: between the two whole teams around them
            hi = self._moments(low.astype(np.int64) + 1)
            s, var, cov = ((1 - w) * a + w * b for a, b in zip(lo, hi, strict=True))
        else:
            s, var, cov = lo
        n = self.count
        total = _day_sums(n, self.code, self.n_days)
        day_s = _day_sums(s * n, self.code, self.n_days)
        has = total > 0
        day_s = np.where(has, day_s / np.where(has, total, 1.0), 1.0)
        gap = s - day_s[:, self.code]
        per = self.interval_s * (var + 2.0 * gap * cov) + gap**2 * n
        v = _day_sums(per, self.code, self.n_days)
        v = np.where(has, v / np.where(has, total, 1.0) ** 2, 0.0)
        # The day total's Poisson part is in the paths' day ratio already.
        lg = self.log_grid
        slope = np.stack(
            [
                (day_s[1] - day_s[0]) / (lg[1] - lg[0] + 1e-12),
                (day_s[2] - day_s[0]) / (lg[2] - lg[0] + 1e-12),
                (day_s[2] - day_s[1]) / (lg[2] - lg[1] + 1e-12),
            ]
        )
        v = np.maximum(v - np.where(has, slope**2 / np.where(has, total, 1.0), 0.0), 0.0)
        log_ratio = np.log(np.maximum(self.ratio, 1e-12))
        out = np.empty_like(self.ratio)
        for d in range(self.n_days):
            out[:, d] = np.interp(log_ratio[:, d], lg[:, d], v[:, d])
        return np.sqrt(out)


def _miss_z(s: np.ndarray, sd: np.ndarray, target: np.ndarray | float) -> np.ndarray:
    """Normal score of a day's share of misses reaching ``1 − target`` (``+inf``: never).

    Given its rates, a day's misses are an over-dispersed count (callers who wait
    long come in runs): their share is taken as a gamma with mean ``1 − s`` and
    sd ``sd``, the continuous twin of a negative binomial, through the
    Wilson–Hilferty cube-root normal form, ``((y/m)^{1/3} − (1 − v))/√v`` with
    ``v = sd²/(9m²)``.  The gamma's skew is the simulated days' (a long left tail
    of the service level; a normal instead said 0.39 for a 92 % target where
    400 simulated days met it on 0.47).
    """
    miss = np.maximum(1.0 - s, 0.0)
    allowed = np.maximum(1.0 - np.asarray(target, dtype=np.float64), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = sd**2 / (9.0 * miss**2)
        z = (np.cbrt(allowed / miss) - (1.0 - v)) / np.sqrt(v)
    return np.where((sd > 0) & (miss > 0), z, np.where(s >= target - 1e-9, np.inf, -np.inf))


def _meets(s: np.ndarray, sd: np.ndarray | None, target: float) -> np.ndarray:
    """Probability that each path's day meets ``target``: ``s`` with the queue's spread ``sd``."""
    if sd is None:
        return (s >= target - 1e-9).astype(np.float64)
    return special.ndtr(_miss_z(s, sd, target))


def _mixture_quantile(s: np.ndarray, sd: np.ndarray | None, q: float) -> np.ndarray:
    """The ``q`` quantile per day of the paths' days, each ``s`` with the queue's spread ``sd``."""
    if sd is None:
        return np.quantile(s, q, axis=0)
    lo = np.min(s - 10.0 * sd, axis=0) - 1e-9
    hi = np.max(s, axis=0) + 1e-9
    for _ in range(24):  # bisection to 1e-7 of the bracket
        mid = 0.5 * (lo + hi)
        below = special.ndtr(-_miss_z(s, sd, mid[None, :])).mean(axis=0)
        hi = np.where(below >= q, mid, hi)
        lo = np.where(below >= q, lo, mid)
    return hi


def _day_sums(values: np.ndarray, code: np.ndarray, n_days: int) -> np.ndarray:
    """Sum the columns (intervals) of ``values`` into days: shape (rows, days)."""
    if code.size and np.any(np.diff(code) < 0):
        order = np.argsort(code, kind="stable")
        values, code = values[:, order], code[order]
    out = np.zeros((values.shape[0], n_days))
    present = np.unique(code)
    if present.size:
        out[:, present] = np.add.reduceat(values, np.searchsorted(code, present), axis=1)
    return out


def _path_service(
    paths: np.ndarray,
    on_phones: np.ndarray,
    aht_s: np.ndarray,
    code: np.ndarray,
    n_days: int,
    *,
    service: ServiceTarget,
    interval_min: int,
) -> np.ndarray:
    """Volume-weighted service level of each day on each path, shape (paths, days).

    A day without contacts on a path counts as served (nothing to answer).
    """
    traffic = paths * aht_s[None, :] / (60.0 * interval_min)
    agents = np.broadcast_to(on_phones, paths.shape)
    aht = np.broadcast_to(aht_s, paths.shape)
    # The service level only (ASA and occupancy would double the cost of every search step).
    if service.patience_s is None:
        sl = np.asarray(
            erlang.service_level(agents, traffic, aht, service.target_answer_s), dtype=np.float64
        )
    else:
        sl = np.asarray(
            erlang.erlang_a(
                agents, traffic, aht, service.patience_s, service.target_answer_s
            ).service_level,
            dtype=np.float64,
        )
    weighted = np.where(paths > 0, np.nan_to_num(sl, nan=0.0) * paths, 0.0)
    num = _day_sums(weighted, code, n_days)
    den = _day_sums(paths, code, n_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)


def day_chance(
    ds: Any,
    paths: np.ndarray,
    aht_s: Any,
    on_phones: Any,
    *,
    service: ServiceTarget,
    interval_min: int,
    queue_noise: bool = True,
) -> pd.DataFrame:
    """Per day: the probability that the staffing meets the day's target, and the expected service.

    Parameters
    ----------
    ds : array_like of datetime
        Interval starts (one per column of ``paths``).
    paths : numpy.ndarray
        Sample paths of the volume, shape (paths, intervals) [contacts].
    aht_s : array_like
        Average handle time per interval [s].
    on_phones : array_like
        Agents on the phones per interval [agents] (may be fractional).
    service : ServiceTarget
        The day meets its target when its volume-weighted service level reaches
        ``service.service_level``.
    interval_min : int
        Interval length [min].
    queue_noise : bool, default True
        Add the queue's own randomness at the path's rates (Poisson arrivals
        and random handle times within the day); False reads each path's day
        as its formula service exactly.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``p_meet_target`` (share of paths on which the day meets the
        target [fraction]), ``expected_service_level`` (mean over paths of the
        day's volume-weighted service level [fraction]) and
        ``service_level_p05`` (its 5 % quantile: one day in twenty does worse).

    Notes
    -----
    ``paths`` are read as Erlang's rates whose day ratio carries the day
    total's Poisson noise (plans pass ``sample_paths(..., rates=True)``).
    With ``queue_noise`` (default) each path's day is its formula service
    give or take the queue's own randomness at the path's rates; against a
    simulation at a known rate the chance is within 3 points near the target
    and the 5 % point within 0.007 (module docstring).
    """
    days, code = day_codes(ds)
    paths = np.asarray(paths, dtype=np.float64)
    agents = np.broadcast_to(np.asarray(on_phones, dtype=np.float64), paths.shape[1:])
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), paths.shape[1:])
    s = _path_service(
        paths, agents, aht, code, len(days), service=service, interval_min=interval_min
    )
    sd = None
    if queue_noise:
        noise = _QueueNoise(paths, aht, code, len(days), service=service, interval_min=interval_min)
        sd = noise.sd(agents)
    return pd.DataFrame(
        {
            "date": days,
            "p_meet_target": _meets(s, sd, service.service_level).mean(axis=0),
            "expected_service_level": s.mean(axis=0),
            "service_level_p05": _mixture_quantile(s, sd, 0.05),
        }
    )


def certainty_scale(
    ds: Any,
    volume: Any,
    aht_s: Any,
    paths: np.ndarray,
    *,
    certainty: float,
    service: ServiceTarget,
    interval_min: int,
    max_iter: int = 40,
    whole: bool = True,
    queue_noise: bool = True,
) -> pd.DataFrame:
    """The smallest day-level scale of the mean volume that meets the target with ``certainty``.

    Parameters
    ----------
    ds : array_like of datetime
        Interval starts.
    volume : array_like
        Mean forecast volume per interval [contacts].
    aht_s : array_like
        Average handle time per interval [s].
    paths : numpy.ndarray
        Sample paths of the volume, shape (paths, intervals) [contacts].
    certainty : float
        Share of paths on which each day must meet its target [fraction, (0, 1)].
    service : ServiceTarget
        Target and constraints; the staffing at a scale is
        ``service.required_on_phones(scale × volume)``.
    interval_min : int
        Interval length [min].
    max_iter : int
        Bisection steps at most.
    whole : bool, default True
        Judge each scale at the staffing the plan asks the roster for: the
        fractional requirement rounded up to whole agents on the floor by the one
        rounding rule (:func:`staffplan.erlang.scheduled_agents`), times
        ``1 - shrinkage`` on the phones.  The rounding's own slack then counts
        toward the certainty (with a few agents per interval it is worth as much
        as the day's error: a steady 24/7 line at 40 contacts an hour, 60-min
        grid, asks 6.5 % fewer agent-hours for 95 %).  False judges the
        fractional requirement, the search's own continuous staffing.
    queue_noise : bool, default True
        Judge each day with the queue's own randomness at the path's rates, as
        :func:`day_chance` does.

    Returns
    -------
    pandas.DataFrame
        One row per day: ``date``, ``scale`` (staffed-for volume over the mean
        [-]), ``p_meet_target`` at that staffing [fraction] and ``reached``
        (False when even ``MAX_SCALE`` misses ``certainty``: the day is then
        staffed at ``MAX_SCALE``).

    Notes
    -----
    See the module docstring for the method.
    """
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    paths = np.asarray(paths, dtype=np.float64)
    vol = np.broadcast_to(np.asarray(volume, dtype=np.float64), paths.shape[1:])
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), paths.shape[1:])
    days, code = day_codes(ds)
    n_days = len(days)
    noise = (
        _QueueNoise(paths, aht, code, n_days, service=service, interval_min=interval_min)
        if queue_noise
        else None
    )

    def chance(scale: np.ndarray) -> np.ndarray:
        agents = service.required_on_phones(
            vol * scale[code], aht, interval_min=interval_min, integer=False
        )
        if whole:  # the rounding is monotone, so the chance still rises with the scale
            agents = erlang.scheduled_agents(agents, service.shrinkage) * (1.0 - service.shrinkage)
        s = _path_service(
            paths, agents, aht, code, n_days, service=service, interval_min=interval_min
        )
        sd = None if noise is None else noise.sd(agents)
        return _meets(s, sd, service.service_level).mean(axis=0)

    lo = np.ones(n_days)
    hi = np.full(n_days, _FIRST_SCALE)
    p_lo, p_hi = chance(lo), chance(hi)
    wide = p_hi < certainty
    if wide.any():  # beyond the first bracket: search up to MAX_SCALE
        p_max = chance(np.where(wide, MAX_SCALE, hi))
        lo[wide], hi[wide], p_hi[wide] = _FIRST_SCALE, MAX_SCALE, p_max[wide]
    done = p_lo >= certainty
    hi[done] = 1.0
    p_hi[done] = p_lo[done]
    reached = p_hi >= certainty
    for _ in range(max_iter):
        active = reached & ~done & (hi - lo > SCALE_TOL)
        if not active.any():
            break
        mid = np.where(active, 0.5 * (lo + hi), hi)
        p_mid = chance(mid)
        ok = active & (p_mid >= certainty)
        hi[ok], p_hi[ok] = mid[ok], p_mid[ok]
        short = active & ~ok
        lo[short] = mid[short]
    return pd.DataFrame({"date": days, "scale": hi, "p_meet_target": p_hi, "reached": reached})


def count_noise_scale(
    ds: Any,
    volume: Any,
    aht_s: Any,
    *,
    certainty: float,
    service: ServiceTarget,
    interval_min: int,
    rng: np.random.Generator | int | None = None,
    n_paths: int = N_PATHS,
    whole: bool = True,
    queue_noise: bool = True,
) -> np.ndarray:
    """The day-level scale that the counts' and the queue's own randomness ask for: a
    forecast known exactly.

    The same search as :func:`certainty_scale` on rate paths with no forecast
    error: each day's total is drawn Poisson around its mean and scales every
    interval of the day by the same ratio (the slots' own Poisson scatter is
    Erlang's to average), and the chance adds the queue's own randomness at
    those rates (``queue_noise``).  It tells how much of a certainty plan's
    scale a perfect forecast would still take (larger where days hold few
    contacts: at 20 an hour on a 60-min grid, in fractional agents, 1.075 for
    95 % from the Poisson day total alone, its 95 % point, and 1.16 with the
    queue's randomness; 1.0 in whole agents, whose rounding covers both) and
    how much the forecast's uncertainty adds.

    Parameters
    ----------
    ds, volume, aht_s, certainty, service, interval_min, whole, queue_noise
        As for :func:`certainty_scale`.
    rng : numpy.random.Generator, int or None
        Random source or seed of the Poisson paths.
    n_paths : int
        Number of paths.

    Returns
    -------
    numpy.ndarray
        One scale per day of ``day_codes(ds)`` [-].
    """
    vol = np.maximum(np.asarray(volume, dtype=np.float64), 0.0)
    _, code = day_codes(ds)
    # Rate paths, as the plan's: the day's Poisson total moves every interval of the day
    # together, the slots' own Poisson scatter is Erlang's to average.
    day_mean = np.bincount(code, vol)
    totals = np.random.default_rng(rng).poisson(day_mean, size=(n_paths, day_mean.size))
    ratio = np.where(day_mean > 0, totals / np.where(day_mean > 0, day_mean, 1.0), 1.0)
    out = certainty_scale(
        ds,
        vol,
        aht_s,
        vol[None, :] * ratio[:, code],
        certainty=certainty,
        service=service,
        interval_min=interval_min,
        whole=whole,
        queue_noise=queue_noise,
    )
    return out["scale"].to_numpy()
