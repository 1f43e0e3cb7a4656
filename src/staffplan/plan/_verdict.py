"""The verdict: what service the rostered staff deliver, by formula and by simulation."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from staffplan import defaults
from staffplan._validation import check_fraction, check_int, check_nonnegative

__all__ = [
    "DEFAULT_SIM_TOLERANCE",
    "busy_share",
    "check_with_simulation",
    "daily_verdict",
    "evaluate_staffing",
    "mark_at_risk",
    "peak_intervals",
    "simulation_runs",
    "volume_weighted",
]

#: Absolute service-level gap [fraction] allowed beyond the simulation's 95% CI
#: before formula and simulation are said to disagree.
DEFAULT_SIM_TOLERANCE = defaults.SIM_TOLERANCE


def erlang_model(patience_s: float | None) -> str:
    """The formula used: ``"Erlang A"`` when callers abandon (``patience_s`` given), else C."""
    return "Erlang C" if patience_s is None else "Erlang A"


def _erlang_metrics(
    agents: np.ndarray,
    traffic_erl: np.ndarray,
    aht_s: np.ndarray,
    target_answer_s: float,
    patience_s: float | None,
) -> dict[str, np.ndarray]:
    """Erlang C (or A with patience) measures at possibly fractional agent counts."""
    from staffplan import erlang

    if patience_s is None:  # Erlang C, see erlang_model
        sl = np.asarray(erlang.service_level(agents, traffic_erl, aht_s, target_answer_s), float)
        asa = np.asarray(erlang.asa(agents, traffic_erl, aht_s), float)
        occ = np.asarray(erlang.occupancy(agents, traffic_erl), float)
        abandon = np.zeros_like(sl)  # Erlang C: nobody hangs up
    else:
        res = erlang.erlang_a(agents, traffic_erl, aht_s, patience_s, target_answer_s)
        sl = np.asarray(res.service_level, float)
        asa = np.asarray(res.asa_s, float)
        abandon = np.asarray(res.p_abandon, float)
        occ = np.asarray(res.occupancy, float)
    return {"service_level": sl, "asa_s": asa, "p_abandon": abandon, "occupancy": occ}


def _interpolate(lo: np.ndarray, hi: np.ndarray, frac: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        mixed = (1.0 - frac) * lo + frac * hi
    # inf * 0 would give NaN: a whole agent count uses its own value only.
    return np.where(frac <= 0.0, lo, mixed)


def evaluate_staffing(
    ds: Any,
    volume: Any,
    aht_s: Any,
    on_floor: Any,
    *,
    interval_min: int,
    target_answer_s: float = 20.0,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
) -> pd.DataFrame:
    """Predicted service per interval for a given number of agents on the floor.

    Parameters
    ----------
    ds : array_like of datetime
        Interval starts.
    volume : array_like
        Contacts offered per interval [contacts].
    aht_s : array_like
        Average handle time [s].
    on_floor : array_like
        Agents on the floor (working, not on lunch or break) [agents]; may be
        fractional (for example a what-if that adds a share of hours).
    interval_min : int
        Interval length [min].
    target_answer_s : float
        Answer-time threshold of the service level [s].
    patience_s : float, optional
        Mean patience [s]: Erlang A when given, else Erlang C.
    shrinkage : float
        Share of on-floor time lost to meetings, training, absence [fraction].

    Returns
    -------
    pandas.DataFrame
        Columns ``ds``, ``volume``, ``aht_s``, ``traffic_erl`` [Erlang],
        ``on_floor``, ``on_phones`` (``on_floor * (1 - shrinkage)``),
        ``service_level`` [fraction], ``asa_s`` [s], ``p_abandon`` [fraction],
        ``occupancy`` [fraction]. Intervals without contacts have NaN service
        level, ASA and abandonment (nothing to answer).

    Notes
    -----
    ``on_phones`` is generally fractional; the Erlang core's continuous
    extension evaluates it as it is, the same extension the fractional
    requirement (:func:`staffplan.erlang.required_agents` with
    ``integer=False``) is solved on, so staffing exactly to the requirement
    meets the target exactly.
    """
    vol = check_nonnegative(volume, "volume")
    aht = _check_aht(aht_s, vol)
    floor = check_nonnegative(on_floor, "on_floor")
    check_fraction(shrinkage, "shrinkage", low_open=False)
    traffic = vol * aht / (60.0 * interval_min)
    on_phones = floor * (1.0 - shrinkage)
    metrics = _erlang_metrics(on_phones, traffic, aht, target_answer_s, patience_s)
    out = pd.DataFrame(
        {
            "ds": pd.DatetimeIndex(ds),
            "volume": vol,
            "aht_s": aht,
            "traffic_erl": traffic,
            "on_floor": floor,
            "on_phones": on_phones,
        }
    )
    idle = vol <= 0
    for key, value in metrics.items():
        out[key] = np.where(idle, 0.0 if key == "occupancy" else np.nan, value)
    return out


def _check_aht(aht_s: Any, volume: np.ndarray) -> np.ndarray:
    """AHT must be > 0 wherever contacts are offered; elsewhere it is unused."""
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), volume.shape).copy()
    used = volume > 0
    check_nonnegative(np.where(used, aht, 1.0), "aht_s")
    if np.any(used & (aht <= 0)):
        raise ValueError(f"aht_s must be > 0 where volume > 0, got {aht[used & (aht <= 0)][0]}")
    return np.where(used, aht, np.where(np.isfinite(aht) & (aht > 0), aht, 1.0))


def volume_weighted(values: Any, volume: Any) -> float:
    """Mean over contacts: ``values`` weighted by ``volume``.

    Intervals without contacts or with a NaN value do not count; an infinite
    value where contacts are offered (an ASA in an overloaded interval) makes
    the mean infinite, since those contacts wait without bound.
    """
    v = np.asarray(values, dtype=np.float64)
    w = np.asarray(volume, dtype=np.float64)
    used = (w > 0) & ~np.isnan(v)
    if not used.any():
        return float("nan")
    if np.isinf(v[used]).any():
        return float(np.inf)
    return float(np.average(v[used], weights=w[used]))


def busy_share(occupancy: Any, on_phones: Any) -> float:
    """Occupancy over several intervals: busy agent-time over agent-time on the phones.

    Each interval's occupancy (at most 1; with Erlang A it counts only the
    contacts that stay) is weighted by its agents on the phones.
    """
    occ = np.asarray(occupancy, dtype=np.float64)
    n = np.asarray(on_phones, dtype=np.float64)
    used = (n > 0) & np.isfinite(occ)
    return float(np.sum(occ[used] * n[used]) / np.sum(n[used])) if used.any() else float("nan")


def daily_verdict(
    verdict: pd.DataFrame, *, interval_min: int, target_service_level: float | None = None
) -> pd.DataFrame:
    """Aggregate an interval verdict per day.

    Service level, ASA and abandonment are volume-weighted (they are shares
    or means over contacts); occupancy is busy agent-time over agent-time on
    the phones (:func:`busy_share`). Hours are agent-hours [h].
    """
    hours = interval_min / 60.0
    rows = []
    for day, g in verdict.groupby(verdict["ds"].dt.normalize(), sort=True):
        vol = g["volume"]
        row: dict[str, Any] = {
            "date": day,
            "volume": float(vol.sum()),
            "service_level": volume_weighted(g["service_level"], vol),
            "asa_s": volume_weighted(g["asa_s"], vol),
            "p_abandon": volume_weighted(g["p_abandon"], vol),
            "occupancy": busy_share(g["occupancy"], g["on_phones"]),
            "on_floor_hours": float(g["on_floor"].sum() * hours),
            "worst_service_level": float(g["service_level"].min()),
        }
        if "required" in g:
            row["required_hours"] = float(g["required"].sum() * hours)
        if target_service_level is not None:
            below = (g["service_level"] < target_service_level) & (vol > 0)
            row["intervals_below_target"] = int(below.sum())
        if "sim_service_level" in g:
            row["sim_service_level"] = volume_weighted(g["sim_service_level"], vol)
            row["sim_gap"] = row["sim_service_level"] - row["service_level"]
            if "sim_disagrees" in g:
                row["sim_disagreeing_intervals"] = int(g["sim_disagrees"].sum())
            if "at_risk" in g:
                row["intervals_at_risk"] = int(g["at_risk"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def peak_intervals(verdict: pd.DataFrame, *, n: int = 1) -> pd.DataFrame:
    """The ``n`` intervals of each day with the highest requirement (or traffic)."""
    n = check_int(n, "n", minimum=1)
    key = "required" if "required" in verdict else "traffic_erl"
    frame = verdict.assign(date=verdict["ds"].dt.normalize())
    picked = (
        frame.sort_values([key, "ds"], ascending=[False, True])
        .groupby("date", sort=True)
        .head(n)
        .sort_values("ds")
    )
    cols = ["date", "ds", "volume", "traffic_erl", key, "on_floor", "service_level", "asa_s"]
    cols += [c for c in ("p_abandon", "occupancy") if c in picked]
    return picked[cols].reset_index(drop=True)


def simulation_runs(ds: Any, interval_min: int) -> list[np.ndarray]:
    """Positions of the runs of consecutive intervals in ``ds`` (in order).

    A queue carries over from one interval to the next only when the centre
    stays open: a gap (closed hours, a closed day) ends a run, while a 24/7
    centre is one run across midnight.
    """
    t = pd.DatetimeIndex(ds)
    if len(t) == 0:
        return []
    step = pd.Timedelta(minutes=interval_min)
    cuts = np.flatnonzero(np.asarray(t[1:] - t[:-1]) != step.to_timedelta64()) + 1
    return np.split(np.arange(len(t)), cuts)


def mark_at_risk(verdict: pd.DataFrame, target: float) -> pd.Series:
    """Intervals at risk: the simulation's whole 95% interval lies below the target.

    The formula cannot see the backlog an interval inherits; the simulation
    can.  A point estimate under the target is often noise (a busy interval's
    simulated service level scatters by several points), so an interval is
    at risk only when ``sim_service_level_hi`` is below ``target``.
    """
    hi = verdict["sim_service_level_hi"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        risk = (hi < target - 1e-9) & (verdict["volume"].to_numpy(float) > 0)
    return pd.Series(risk, index=verdict.index, name="at_risk")


def check_with_simulation(
    verdict: pd.DataFrame,
    *,
    interval_min: int,
    target_answer_s: float = 20.0,
    patience_s: float | None = None,
    n_reps: int = 20,
    tolerance: float = DEFAULT_SIM_TOLERANCE,
    rng: np.random.Generator | int | None = 0,
) -> tuple[pd.DataFrame, list[str]]:
    """Check a verdict against a seeded discrete-event simulation.

    Each run of consecutive open intervals (:func:`simulation_runs`: a day of a
    centre that closes at night, the whole plan of a 24/7 centre) is simulated
    as one with :func:`staffplan.simulate.simulate_intervals`, so queues carry
    over interval boundaries (and midnight when the centre stays open), using
    the verdict's ``volume``, ``aht_s`` and ``on_phones``. A fractional
    ``on_phones`` is simulated at the two neighbouring whole counts and mixed
    linearly (the fractional agent is there that share of the time).

    Parameters
    ----------
    verdict : pandas.DataFrame
        Output of :func:`evaluate_staffing`.
    interval_min, target_answer_s, patience_s
        As for :func:`evaluate_staffing`; ``patience_s`` is the simulated
        callers' mean patience [s].
    n_reps : int
        Replications per run.
    tolerance : float
        Absolute service-level gap [fraction] allowed outside the simulation's
        95% confidence interval.
    rng : numpy.random.Generator or int or None
        Seed or generator.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The verdict with ``sim_service_level``, ``sim_service_level_lo``,
        ``sim_service_level_hi``, ``sim_asa_s``, ``sim_p_abandon``,
        ``sim_gap`` (simulation minus formula) and ``sim_disagrees`` (formula
        outside the CI widened by ``tolerance``) added; and warning lines.
    """
    from staffplan import simulate

    n_reps = check_int(n_reps, "n_reps", minimum=2)
    check_fraction(tolerance, "tolerance", low_open=False)
    gen = np.random.default_rng(rng)
    out = verdict.copy()
    cols = {
        "service_level": "sim_service_level",
        "service_level_lo": "sim_service_level_lo",
        "service_level_hi": "sim_service_level_hi",
        "asa_s": "sim_asa_s",
        "p_abandon": "sim_p_abandon",
    }
    for col in cols.values():
        out[col] = np.nan
    for idx in simulation_runs(out["ds"], interval_min):
        g = out.iloc[idx]
        if g["volume"].sum() <= 0:
            continue
        on_phones = g["on_phones"].to_numpy(float)
        lo = np.floor(on_phones + 1e-9)
        frac = np.clip(on_phones - lo, 0.0, 1.0)
        counts = [lo] if np.all(frac <= 1e-9) else [lo, lo + 1.0]
        runs = []
        for agents in counts:
            seed = int(gen.integers(2**32))
            runs.append(
                simulate.simulate_intervals(
                    g["volume"].to_numpy(float),
                    g["aht_s"].to_numpy(float),
                    agents.astype(np.int64),
                    interval_min=interval_min,
                    patience_s=patience_s,
                    target_answer_s=target_answer_s,
                    n_reps=n_reps,
                    rng=seed,
                )
            )
        for src, dst in cols.items():
            vals = runs[0][src].to_numpy(float)
            if len(runs) == 2:
                vals = _interpolate(vals, runs[1][src].to_numpy(float), frac)
            out.iloc[idx, out.columns.get_loc(dst)] = vals
    sl = out["service_level"].to_numpy(float)
    lo_ci = out["sim_service_level_lo"].to_numpy(float)
    hi_ci = out["sim_service_level_hi"].to_numpy(float)
    out["sim_gap"] = out["sim_service_level"] - out["service_level"]
    with np.errstate(invalid="ignore"):
        bad = (sl < lo_ci - tolerance) | (sl > hi_ci + tolerance)
    bad &= np.isfinite(sl) & np.isfinite(lo_ci) & (out["volume"].to_numpy(float) > 0)
    out["sim_disagrees"] = bad
    warnings: list[str] = []
    if bad.any():
        gap = out.loc[bad, "sim_gap"]
        worst = gap.abs().idxmax()
        model = erlang_model(patience_s)
        # Lower simulated service is a risk the formula hides; higher is the formula erring
        # on the safe side (an empty queue at opening, callers who hang up).
        lower = int((gap < 0).sum())
        warnings.append(
            f"{model} and the simulation disagree on service level in {int(bad.sum())} of "
            f"{int((out['volume'] > 0).sum())} intervals (beyond the 95% CI plus {tolerance:g}): "
            f"the simulation is lower in {lower} (the formula is optimistic there) and higher "
            f"in {int(bad.sum()) - lower}; largest gap {out.loc[worst, 'sim_gap']:+.3f} at "
            f"{out.loc[worst, 'ds']}: formula {out.loc[worst, 'service_level']:.3f}, "
            f"simulation {out.loc[worst, 'sim_service_level']:.3f}. The simulation sees what "
            "the formula cannot (an empty queue at opening, queues carried over from the "
            "interval before, abandonment); trust it there."
        )
    return out, warnings
