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
volume-weighted service level (Erlang C, or Erlang A with patience, at that
path's rates) reaches the target.

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
for 95 % of days with no forecast error (the 95 % point of a Poisson day of
480 over 480), and 1.11 from a profile forecast fitted on 16 weeks (its
slot-by-slot estimation error is shape error beyond Poisson).  Read as rates,
the counts asked 1.165 and 1.20.  In whole agents the rounding covers much of
it (3.29 agents an hour become 4 at the mean).  Plans report the count-noise
part per day (``certainty_scale_count_noise``, from :func:`count_noise_scale`)
and say it in a note when a scale reaches 1.1.

**How "meets its target" compares with a simulation.**  A steady 24/7 line
at a known Poisson rate, staffed with the formula's whole agents at that rate,
paths calibrated on six weeks of held-out Poisson counts, against 600 days of
the discrete-event simulator: ``expected_service_level`` 0.912 / 0.911 / 0.913
where the simulation finds 0.915 / 0.912 / 0.913 (15-min grid at 7 and 5 a
quarter-hour, 60-min at 20 an hour); paths of counts read as rates gave 0.809
/ 0.801 / 0.888.  The paths spread less than simulated days (5 % point 0.89
against 0.87): the queue's own randomness given the rates is not in them.  So
``p_meet_target`` agrees where a day's service sits well above its target
(1.0 against 0.998-1.0 at 80/20) and is too sure close to it (judged against
90/20 at the same staffing: 0.80-0.85 where the simulation finds 0.71-0.73).
A certainty plan (whole agents, certainty 0.95) of 140 held-out days of a line
whose day level wanders (sd 8 %) meets 80/20 on 94.3 % (40 an hour) and 96.4 %
(200 an hour) of them in a simulated replay (4 replications per day pooled),
for 3.4 % and 1.5 % fewer agent-hours than on count paths (99.3 % and 98.6 %).

Not modelled: AHT uncertainty (the forecast's AHT profile is taken as known)
and, as above, the queue's own randomness given the rates (it would lower a
certainty plan's share of days a little where days sit close to the target).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

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
    num = np.zeros((paths.shape[0], n_days))
    den = np.zeros((paths.shape[0], n_days))
    np.add.at(num.T, code, weighted.T)  # transposed views: rows are days
    np.add.at(den.T, code, paths.T)
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

    Returns
    -------
    pandas.DataFrame
        ``date``, ``p_meet_target`` (share of paths on which the day meets the
        target [fraction]), ``expected_service_level`` (mean over paths of the
        day's volume-weighted service level [fraction]) and
        ``service_level_p05`` (its 5 % quantile: one day in twenty does worse).

    Notes
    -----
    ``paths`` are read as Erlang's rates (plans pass
    ``sample_paths(..., rates=True)``).  On a steady 24/7 line staffed to the
    formula at a known rate the expected service is within 0.3 point of a
    simulation at that rate; the chance is too sure where a day's service sits
    close to its target, since the queue's own randomness given the rates is
    not in the paths (module docstring).
    """
    days, code = day_codes(ds)
    paths = np.asarray(paths, dtype=np.float64)
    s = _path_service(
        paths,
        np.broadcast_to(np.asarray(on_phones, dtype=np.float64), paths.shape[1:]),
        np.broadcast_to(np.asarray(aht_s, dtype=np.float64), paths.shape[1:]),
        code,
        len(days),
        service=service,
        interval_min=interval_min,
    )
    return pd.DataFrame(
        {
            "date": days,
            "p_meet_target": np.mean(s >= service.service_level - 1e-9, axis=0),
            "expected_service_level": s.mean(axis=0),
            "service_level_p05": np.quantile(s, 0.05, axis=0),
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

    def chance(scale: np.ndarray) -> np.ndarray:
        agents = service.required_on_phones(
            vol * scale[code], aht, interval_min=interval_min, integer=False
        )
        if whole:  # the rounding is monotone, so the chance still rises with the scale
            agents = erlang.scheduled_agents(agents, service.shrinkage) * (1.0 - service.shrinkage)
        s = _path_service(
            paths, agents, aht, code, n_days, service=service, interval_min=interval_min
        )
        return np.mean(s >= service.service_level - 1e-9, axis=0)

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
) -> np.ndarray:
    """The day-level scale that Poisson count noise alone asks for: a forecast known exactly.

    The same search as :func:`certainty_scale` on rate paths with no forecast
    error: each day's total is drawn Poisson around its mean and scales every
    interval of the day by the same ratio (the slots' own Poisson scatter is
    Erlang's to average).  It tells how much of a certainty plan's scale the
    counts' own noise takes (larger where days hold few contacts: at 20 an hour
    on a 60-min grid 1.075 for 95 % in fractional agents, the Poisson day
    total's 95 % point, and 1.0 in whole agents, whose rounding covers it) and
    how much the forecast's uncertainty adds.

    Parameters
    ----------
    ds, volume, aht_s, certainty, service, interval_min, whole
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
    )
    return out["scale"].to_numpy()
