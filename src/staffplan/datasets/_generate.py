"""A seeded generator for the bundled sample contact centre.

The intraday and weekday shape come from real public data (see
``WEEKDAY_PROFILE``); level, trend, noise, AHT, a campaign and a holiday are
laid on top so that the sample exercises every stage of a plan.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from staffplan._io import atomic_write_text
from staffplan._validation import (
    check_choice,
    check_fraction,
    check_int,
    check_nonnegative,
    check_positive,
)

__all__ = [
    "SATURDAY_FACTOR",
    "SATURDAY_HOURS",
    "WEEKDAY_FACTOR",
    "WEEKDAY_FACTOR_247",
    "WEEKDAY_PROFILE",
    "events_to_csv",
    "generate_sample",
    "history_to_csv",
    "write_sample",
]

# Share of a weekday's calls per 30-minute slot (07:00-20:30) and the weekday
# factors (0 = Monday), derived from the fpp2 ``calls`` series (a North American
# commercial bank, 2003) by ``staffplan.datasets._derive_profile``.
WEEKDAY_PROFILE: dict[str, float] = {
    "07:00": 0.0149,
    "07:30": 0.0166,
    "08:00": 0.0256,
    "08:30": 0.0338,
    "09:00": 0.0473,
    "09:30": 0.052,
    "10:00": 0.0524,
    "10:30": 0.0523,
    "11:00": 0.0513,
    "11:30": 0.0499,
    "12:00": 0.0484,
    "12:30": 0.0475,
    "13:00": 0.0462,
    "13:30": 0.0458,
    "14:00": 0.0448,
    "14:30": 0.0447,
    "15:00": 0.0434,
    "15:30": 0.0425,
    "16:00": 0.0399,
    "16:30": 0.0358,
    "17:00": 0.0304,
    "17:30": 0.0266,
    "18:00": 0.0233,
    "18:30": 0.0208,
    "19:00": 0.0183,
    "19:30": 0.0167,
    "20:00": 0.015,
    "20:30": 0.0137,
}
WEEKDAY_FACTOR: dict[int, float] = {
    0: 1.1196,
    1: 1.0043,
    2: 0.9467,
    3: 0.9459,
    4: 0.9834,
}

# The bank data has no weekends; the sample centre also opens on Saturday with
# shorter hours and lower volume (a day's total relative to the mean weekday).
SATURDAY_HOURS = ("09:00", "17:00")
SATURDAY_FACTOR = 0.40


@dataclass(frozen=True)
class _Queue:
    daily_volume: float  # contacts on a mean weekday at the start [-]
    aht_s: float  # planning AHT off-peak [s]
    peak_aht_lift: float  # relative AHT increase at the busiest slot [-]
    evening_tilt: float  # relative weight moved from morning to evening [-]
    campaign_lift: float  # relative volume increase inside a campaign window [-]


# Sizes chosen so that the combined peak needs about 40 agents at 80/20.
_QUEUES = {
    "sales": _Queue(1200.0, 250.0, 0.06, 0.4, 0.60),
    "service": _Queue(2500.0, 300.0, 0.08, 0.0, 0.20),
}
_GROWTH_PER_WEEK = 0.005  # volume trend [fraction per week]
_DAY_SIGMA = 0.04  # day-to-day level noise (log scale) [-]
_NB_SHAPE = 150.0  # gamma-Poisson shape: variance = mu + mu^2 / shape [-]
_HANDLE_CV = 0.9  # coefficient of variation of single handle times [-]
_AFTER_HOLIDAY_LIFT = 0.10  # catch-up on the working day after a holiday [-]
_CAMPAIGN_HOURS = ("10:00", "16:00")

# Round the clock (``hours="24/7"``): a day total per weekday relative to a midweek day
# (Monday busiest, the weekend quieter), and a night floor under a morning and an evening
# peak (the shape of a consumer service line).
WEEKDAY_FACTOR_247: tuple[float, ...] = (1.15, 1.05, 1.0, 1.0, 1.05, 0.8, 0.7)
_NIGHT_LEVEL = 0.15  # night rate relative to the morning peak [-]
_PEAKS_247 = ((11.0, 2.4, 1.0), (19.0, 2.0, 0.8))  # (hour, width [h], height) of each peak


def _first_weekday_on_or_after(day: pd.Timestamp, weekday: int) -> pd.Timestamp:
    return day + pd.Timedelta(days=(weekday - day.day_of_week) % 7)


def _slot_shares(interval_min: int) -> tuple[pd.TimedeltaIndex, np.ndarray]:
    """Weekday profile on an ``interval_min`` grid: offsets from midnight and shares."""
    offsets = pd.to_timedelta([f"{s}:00" for s in WEEKDAY_PROFILE])
    shares = np.array(list(WEEKDAY_PROFILE.values()))
    shares = shares / shares.sum()
    if interval_min == 30:
        return pd.TimedeltaIndex(offsets), shares
    if interval_min == 15:
        # No finer data: split each half hour evenly.
        fine = offsets.repeat(2) + pd.to_timedelta(np.tile([0, 15], len(offsets)), unit="min")
        return pd.TimedeltaIndex(fine), np.repeat(shares / 2, 2)
    return pd.TimedeltaIndex(offsets[::2]), shares[::2] + shares[1::2]


def _shares_247(interval_min: int, night_level: float) -> tuple[pd.TimedeltaIndex, np.ndarray]:
    """Round-the-clock profile on an ``interval_min`` grid: offsets from midnight and shares.

    Each interval's share is the mean of the shape at its start and mid-point, so
    the grids of 15, 30 and 60 minutes describe the same day.
    """
    n = 24 * 60 // interval_min
    offsets = pd.to_timedelta(np.arange(n) * interval_min, unit="min")
    hours = (np.arange(n)[:, None] + np.array([0.0, 0.5])[None, :]) * interval_min / 60.0
    peaks = sum(h * np.exp(-0.5 * ((hours - at) / width) ** 2) for at, width, h in _PEAKS_247)
    shape = (night_level + (1.0 - night_level) * peaks).mean(axis=1)
    return pd.TimedeltaIndex(offsets), shape / shape.sum()


def _day_levels(rng: np.random.Generator, n_days: int, sigma: float, ar: float) -> np.ndarray:
    """Day factors ``exp(z_d)`` with ``z_d = ar·z_(d-1) + e_d``, ``e_d ~ N(0, sigma²)``."""
    z = rng.normal(0.0, sigma, size=n_days)
    for i in range(1, n_days) if ar else ():
        z[i] += ar * z[i - 1]
    return np.exp(z)


def generate_sample(
    *,
    weeks: int = 8,
    start: str | pd.Timestamp = "2026-01-05",
    interval_min: int = 30,
    queues: tuple[str, ...] = ("sales", "service"),
    seed: int = 20261122,
    hours: str = "day",
    daily_volume: float | None = None,
    weekday_factor: tuple[float, ...] | None = None,
    night_level: float = _NIGHT_LEVEL,
    day_sigma: float = _DAY_SIGMA,
    day_ar: float = 0.0,
    nb_shape: float | None = _NB_SHAPE,
    growth_per_week: float = _GROWTH_PER_WEEK,
    events: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate the sample centre's interval history and its events.

    A mid-sized centre with two queues, open Monday-Friday 07:00-21:00 and
    Saturday 09:00-17:00, closed on Sunday.  The intraday profile (share of a
    weekday's contacts per 30-minute slot) and the weekday pattern (Monday
    busiest, midweek quietest) are those of the fpp2 ``calls`` series: five-minute
    call volume handled on weekdays 07:00-21:05 at a large North American
    commercial bank, March-October 2003 [1]_, reduced to the constant tables
    ``WEEKDAY_PROFILE`` and ``WEEKDAY_FACTOR`` by
    ``staffplan.datasets._derive_profile``.

    Parameters
    ----------
    weeks : int, optional
        Length of the history [weeks], at least 2.
    start : str or Timestamp, optional
        First day of the history (a Monday keeps weeks aligned).
    interval_min : {15, 30, 60}, optional
        Interval length [min]; at 15 minutes each half hour's share is split evenly.
    queues : tuple of str, optional
        Queue names.  ``"sales"`` and ``"service"`` have their own size and AHT;
        any other name is sized like ``"service"``.
    seed : int, optional
        Seed of the random generator; equal arguments give equal frames.
    hours : {"day", "24/7"}, optional
        ``"day"``: the sample centre's hours above.  ``"24/7"``: open round the
        clock every day, with a night floor under a morning and an evening peak
        (``night_level``) and the weekday pattern ``WEEKDAY_FACTOR_247``; the
        AHT follows the same rules.
    daily_volume : float, optional
        Contacts of every queue on a day of weekday factor 1 [contacts]: the mean
        weekday of the day centre, Wednesday and Thursday of ``WEEKDAY_FACTOR_247``
        (whose Monday-Friday mean is 1.05); by default each queue's own size
        (sales 1200, service 2500).
    weekday_factor : tuple of 7 floats, optional
        Day total per weekday (Monday first) relative to ``daily_volume``, for
        ``hours="24/7"`` (``(1,) * 7``: no weekly pattern; ``0.5`` on Friday and
        Saturday: a Friday-Saturday weekend at half volume).
    night_level : float, optional
        ``hours="24/7"``: the rate at night relative to the morning peak
        [-, in (0, 1]]; 1 gives a constant rate round the clock.
    day_sigma : float, optional
        Standard deviation of the day effect's log innovations [-]; 0 gives no
        day-to-day variation beyond the counts' own noise.
    day_ar : float, optional
        Persistence of the day effect [-, in [0, 1)]: ``z_d = day_ar·z_(d-1) + e_d``
        (0: independent days, as the sample; 0.6 to 0.7: a level that wanders
        for a few days, as real 24/7 lines do).
    nb_shape : float or None, optional
        Gamma-Poisson shape of the counts (variance ``mu + mu²/nb_shape``);
        None gives Poisson counts.
    growth_per_week : float, optional
        Volume trend [fraction per week]; 0 gives a steady level.
    events : bool, optional
        False leaves out the holiday and the campaigns (and returns an empty
        events frame): a history whose only variation is the one asked for.

    Returns
    -------
    history : DataFrame
        One row per queue and open interval: ``queue``, ``ds`` (interval start,
        naive local time), ``volume`` (contacts offered, int64) and ``aht_s``
        (average handle time of the interval [s], 1 decimal).  Closed intervals
        (nights, Sundays, the holiday) are absent.
    events : DataFrame
        ``date`` (day), ``start``, ``end`` (timestamps; a holiday spans the whole
        day), ``name`` and ``kind`` (``"holiday"`` or ``"campaign"``): one holiday
        and one campaign inside the history and one campaign on the first
        Tuesday after it.

    Notes
    -----
    The mean volume of queue *q* in slot *s* of day *d* is

    .. math:: \\mu = V_q \\, f_{wd(d)} \\, (1 + g)^{w(d)} \\, p_{q,s} \\, e^{\\epsilon_d} \\, c_{d,s}

    with ``V_q`` the queue's mean weekday volume (sales 1200, service 2500),
    ``f`` the weekday factor (Saturday 0.40), ``g`` = 0.5 % growth per week,
    ``p`` the intraday share (tilted towards the evening for sales),
    ``epsilon_d ~ N(0, 0.04^2)`` a day effect shared by the queues and ``c`` the
    event effect: +60 % sales and +20 % service inside a campaign window
    (10:00-16:00), +10 % on the working day after the holiday, closed on the
    holiday.  Volumes are negative binomial around ``mu`` (gamma-Poisson with
    shape 150, so counts are overdispersed as real arrivals are).

    The AHT of an interval is the mean of its handle times: the planning AHT
    (sales 250 s, service 300 s) raised at the busiest slots (by up to 6 % and
    8 %), each handle time having a coefficient of variation of 0.9, so the
    interval mean is gamma distributed around it and noisier when volume is low.

    With ``hours="24/7"`` the shares ``p`` come from a night floor
    ``night_level`` under two Gaussian peaks (11:00, width 2.4 h; 19:00, width
    2 h, 0.8 high), ``f`` from ``weekday_factor`` and the day effect from the
    AR(1) above; growth, events and AHT are as for the day centre.

    References
    ----------
    .. [1] R. J. Hyndman, fpp2: Data for "Forecasting: Principles and Practice"
       (2nd ed.), R package, data set ``calls``.

    Examples
    --------
    >>> from staffplan.datasets import generate_sample
    >>> history, events = generate_sample(weeks=2)
    >>> sorted(history["queue"].unique())
    ['sales', 'service']
    >>> list(events["kind"])
    ['holiday', 'campaign', 'campaign']
    """
    weeks = check_int(weeks, "weeks", minimum=2)
    interval_min = check_choice(interval_min, "interval_min", (15, 30, 60))
    seed = check_int(seed, "seed", minimum=0)
    hours = check_choice(hours, "hours", ("day", "24/7"))
    if isinstance(queues, str) or len(queues) == 0:
        raise ValueError(f"queues must be a non-empty tuple of names, got {queues!r}")
    if len(set(queues)) != len(queues):
        raise ValueError(f"queues must be distinct, got {queues!r}")
    try:
        first = pd.Timestamp(start).normalize().as_unit("ns")
    except (TypeError, ValueError):
        raise ValueError(f"start must be a date such as '2026-01-05', got {start!r}") from None
    if daily_volume is not None:
        daily_volume = float(check_positive(daily_volume, "daily_volume"))
    round_the_clock = hours == "24/7"
    if weekday_factor is not None:
        if not round_the_clock:
            raise ValueError(
                "weekday_factor is for hours='24/7' (the day centre keeps its measured "
                f"WEEKDAY_FACTOR), got hours={hours!r}"
            )
        wf = check_positive(weekday_factor, "weekday_factor")
        if wf.shape != (7,):
            raise ValueError(
                f"weekday_factor must hold 7 factors (Monday first), got {len(wf.ravel())}"
            )
    else:
        wf = np.asarray(WEEKDAY_FACTOR_247)
    night = float(check_fraction(night_level, "night_level", high_open=False))
    sigma = float(check_nonnegative(day_sigma, "day_sigma"))
    ar = float(check_fraction(day_ar, "day_ar", low_open=False))
    if nb_shape is not None:
        nb_shape = float(check_positive(nb_shape, "nb_shape"))
    growth = float(check_fraction(growth_per_week, "growth_per_week", low=-1.0))
    if not isinstance(events, (bool, np.bool_)):
        raise TypeError(f"events must be True or False, got {events!r}")

    rng = np.random.default_rng(seed)
    if round_the_clock:
        offsets, shares = _shares_247(interval_min, night)
    else:
        offsets, shares = _slot_shares(interval_min)
    n_slots = len(shares)
    busy = shares / shares.max()
    sat_open = (offsets >= pd.Timedelta(f"{SATURDAY_HOURS[0]}:00")) & (
        offsets < pd.Timedelta(f"{SATURDAY_HOURS[1]}:00")
    )
    camp_window = (offsets >= pd.Timedelta(f"{_CAMPAIGN_HOURS[0]}:00")) & (
        offsets < pd.Timedelta(f"{_CAMPAIGN_HOURS[1]}:00")
    )

    holiday = _first_weekday_on_or_after(first + pd.Timedelta(weeks=weeks * 3 // 4), 0)
    campaign = _first_weekday_on_or_after(first + pd.Timedelta(weeks=weeks // 2), 1)
    future = _first_weekday_on_or_after(first + pd.Timedelta(weeks=weeks), 1)
    after_holiday = holiday + pd.Timedelta(days=1)
    if not events:
        holiday = campaign = after_holiday = pd.NaT

    days = pd.date_range(first, periods=7 * weeks, freq="D")
    day_effect = _day_levels(rng, len(days), sigma, ar)
    frames = []
    for name in queues:
        q = _QUEUES.get(name, _QUEUES["service"])
        volume_q = q.daily_volume if daily_volume is None else daily_volume
        tilt = 1.0 + q.evening_tilt * (np.linspace(0.0, 1.0, n_slots) - 0.5)
        profile = shares * tilt / np.sum(shares * tilt)
        for i, day in enumerate(days):
            wd = day.day_of_week
            if round_the_clock:
                if day == holiday:  # a round-the-clock line works its holiday at half volume
                    level = 0.5 * wf[wd] * profile
                else:
                    level = wf[wd] * profile
                is_open = np.ones(n_slots, dtype=bool)
            elif wd == 6 or day == holiday:
                continue
            elif wd == 5:
                is_open = sat_open
                level = SATURDAY_FACTOR * profile / profile[sat_open].sum()
            else:
                is_open = np.ones(n_slots, dtype=bool)
                level = WEEKDAY_FACTOR[wd] * profile
            weeks_in = (day - first).days / 7.0
            mu = volume_q * level * (1 + growth) ** weeks_in * day_effect[i]
            if day == campaign:
                mu = np.where(camp_window, mu * (1 + q.campaign_lift), mu)
            if day == after_holiday:
                mu = mu * (1 + _AFTER_HOLIDAY_LIFT)
            mu = mu[is_open]
            rate = mu if nb_shape is None else rng.gamma(nb_shape, mu / nb_shape)
            volume = rng.poisson(rate)
            aht_plan = q.aht_s * (1 + q.peak_aht_lift * busy[is_open])
            n = np.maximum(volume, 1)
            shape = n / _HANDLE_CV**2
            aht = rng.gamma(shape, aht_plan / shape)
            # An interval without contacts has no measured AHT; report the planning value.
            aht = np.where(volume > 0, aht, aht_plan)
            frames.append(
                pd.DataFrame(
                    {
                        "queue": name,
                        "ds": day + offsets[is_open],
                        "volume": volume.astype(np.int64),
                        "aht_s": np.round(aht, 1),
                    }
                )
            )
    history = pd.concat(frames, ignore_index=True)

    ev_rows = [
        (campaign, _CAMPAIGN_HOURS, "winter offer", "campaign"),
        (holiday, None, "public holiday", "holiday"),
        (future, _CAMPAIGN_HOURS, "spring offer", "campaign"),
    ]
    if not events:
        ev_rows = []
    records = []
    for day, window, name, kind in ev_rows:
        if window is None:
            begin, end = day, day + pd.Timedelta(days=1)
        else:
            begin = day + pd.Timedelta(f"{window[0]}:00")
            end = day + pd.Timedelta(f"{window[1]}:00")
        records.append({"date": day, "start": begin, "end": end, "name": name, "kind": kind})
    columns = ["date", "start", "end", "name", "kind"]
    table = pd.DataFrame.from_records(records, columns=columns).sort_values("start", kind="stable")
    return history, table.reset_index(drop=True)


def history_to_csv(history: pd.DataFrame) -> str:
    """The bundled CSV text of a history frame (fixed formats, so files are reproducible)."""
    return history.to_csv(
        index=False,
        date_format="%Y-%m-%d %H:%M",
        float_format="%.1f",
        lineterminator="\n",
    )


def events_to_csv(events: pd.DataFrame) -> str:
    """The bundled CSV text of an events frame."""
    out = events.copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    for col in ("start", "end"):
        out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M")
    return out.to_csv(index=False, lineterminator="\n")


def write_sample(directory: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """Regenerate the bundled ``sample_history.csv`` and ``sample_events.csv``.

    Parameters
    ----------
    directory : path, optional
        Where to write; the package's own data directory by default.

    Returns
    -------
    tuple of Path
        The history and events files written (atomically).
    """
    target = Path(__file__).parent if directory is None else Path(directory)
    history, events = generate_sample()
    h = atomic_write_text(target / "sample_history.csv", history_to_csv(history))
    e = atomic_write_text(target / "sample_events.csv", events_to_csv(events))
    return h, e


if __name__ == "__main__":
    for written in write_sample():
        print(written)
