"""Derive the sample centre's intraday and weekday shape from the fpp2 ``calls`` series.

This script was run once to produce the constant tables ``WEEKDAY_PROFILE`` and
``WEEKDAY_FACTOR`` in :mod:`staffplan.datasets._generate`; the numbers, not the
data file, ship with the package.  It is kept so that anyone holding the data
can reproduce them::

    python -m staffplan.datasets._derive_profile ../shared/data/fpp2_calls/calls_30min.csv

Source: the ``calls`` data set of the R package fpp2 (R. J. Hyndman, *Data for
"Forecasting: Principles and Practice"*, 2nd ed.): five-minute call volume
handled on weekdays between 07:00 and 21:05 at a large North American
commercial bank, 3 March to 24 October 2003, summed here to 30-minute buckets.

Method
------
- Keep the complete 30-minute buckets 07:00-20:30 (28 a day; the partial 21:00
  bucket holds a single five-minute slot and is dropped).
- Intraday profile: for every day, each bucket's share of that day's calls; the
  profile is the mean share per bucket over all days, rounded to 4 decimals
  (the generator renormalises it to sum to 1).
- Weekday factor: mean daily total per weekday divided by the mean over the
  five weekdays, rounded to 4 decimals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

__all__ = ["derive_profile"]

_DEFAULT = (
    Path(__file__).resolve().parents[4] / "shared" / "data" / "fpp2_calls" / "calls_30min.csv"
)


def derive_profile(path: str | Path = _DEFAULT) -> tuple[dict[str, float], dict[int, float]]:
    """Intraday shares per 30-minute slot and weekday factors from ``calls_30min.csv``.

    Parameters
    ----------
    path : str or Path
        The fpp2 ``calls`` series at 30 minutes, with columns ``timestamp``,
        ``calls`` and ``n5`` (number of five-minute slots in the bucket).

    Returns
    -------
    profile : dict
        ``"HH:MM" -> share of the day's calls`` for the 28 slots 07:00-20:30 [fraction],
        rounded to 4 decimals (they sum to 1 within rounding).
    weekday_factor : dict
        ``weekday (0 = Monday) -> mean daily total / mean over weekdays`` [-].
    """
    calls = pd.read_csv(path, parse_dates=["timestamp"])
    calls = calls[calls["n5"] == 6]
    day = calls["timestamp"].dt.normalize()
    total = calls.groupby(day)["calls"].transform("sum")
    share = (calls["calls"] / total).groupby(calls["timestamp"].dt.strftime("%H:%M")).mean()
    profile = {slot: float(v) for slot, v in share.round(4).items()}

    daily = calls.groupby(day)["calls"].sum()
    by_weekday = daily.groupby(daily.index.day_of_week).mean()
    factor = (by_weekday / by_weekday.mean()).round(4)
    weekday_factor = {int(k): float(v) for k, v in factor.items()}
    return profile, weekday_factor


def main(argv: list[str] | None = None) -> None:
    """Print the two tables as Python source to paste into ``_generate.py``."""
    args = sys.argv[1:] if argv is None else argv
    profile, factor = derive_profile(args[0] if args else _DEFAULT)
    print("WEEKDAY_PROFILE = {")
    for slot, v in profile.items():
        print(f'    "{slot}": {v!r},')
    print("}")
    print("WEEKDAY_FACTOR = {")
    for k, v in factor.items():
        print(f"    {k}: {v!r},")
    print("}")


if __name__ == "__main__":
    main()
