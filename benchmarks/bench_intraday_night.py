"""Intraday update at a night centre (22:00-06:00): the night as one day vs the calendar day.

    python benchmarks/bench_intraday_night.py [--nights 30] [--quick]

A made-up night centre open 22:00-06:00 every day (30-minute grid): a fixed night
shape times a night level ``exp(z)`` with ``z_n = 0.6 z_(n-1) + N(0, 0.2²)``
shared by every slot of the night, Poisson counts.  For every test night the
forecaster is fitted on the nights before it (a day-ahead forecast), then
updated with the night's actual intervals before 23:00, 00:00, 02:00 and 04:00;
the rest of the night is scored (MASE scaled by the training history's
same-slot-last-week naive MAE, coverage of the central 80% band) for:

* ``day_ahead``: no update;
* ``operating_day``: the update as it is, on the night since 22:00 (weights
  learned on nights re-cut the same way);
* ``calendar_day``: the same forecaster with its operating day forced to the
  calendar day (``operating_day_start`` returning 0), which is how the update
  read a night centre before: at 02:00 only 00:00-02:00 counted, and before
  midnight the hours after it got the next-day factor.

Writes ``benchmarks/results/intraday_night.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench_intraday import LEVELS, _score
from staffplan import forecast, intervals
from staffplan._io import atomic_write_text
from staffplan.forecast._frame import weekly_naive_mae

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "intraday_night.json"
HOURS = (23, 0, 2, 4)  # update times, wall clock


def night_centre(weeks: int = 20, seed: int = 5) -> pd.DataFrame:
    """Nights 22:00-06:00 from 1 January 2024, 30-min slots, AR(1) night level in logs."""
    rng = np.random.default_rng(seed)
    offsets = np.arange(16) * 30  # minutes after 22:00
    shape = 40.0 * np.exp(-0.5 * ((offsets - 90) / 150) ** 2) + 5.0
    z = np.zeros(7 * weeks)
    for n in range(1, z.size):
        z[n] = 0.6 * z[n - 1] + rng.normal(0.0, 0.2)
    first = pd.Timestamp("2024-01-01 22:00")
    frames = []
    for n, lev in enumerate(np.exp(z)):
        ds = first + pd.Timedelta(days=n) + pd.to_timedelta(offsets, unit="min")
        frames.append(pd.DataFrame({"ds": ds, "volume": rng.poisson(shape * lev).astype(float)}))
    return pd.concat(frames, ignore_index=True)


@contextmanager
def calendar_days():
    """Fit as if every centre's operating day were the calendar day (the former rule)."""
    own = intervals.operating_day_start
    intervals.operating_day_start = lambda is_open: 0  # type: ignore[assignment]
    try:
        yield
    finally:
        intervals.operating_day_start = own  # type: ignore[assignment]


def rolling_nights(history: pd.DataFrame, n_nights: int) -> dict[str, Any]:
    night_of = intervals.operating_day(history["ds"], 22 * 60)
    nights = sorted(night_of.unique())[-n_nights:]
    rows: list[dict[str, Any]] = []
    for night in nights:
        start = night + pd.Timedelta(hours=22)
        train = history[history["ds"] < start]
        tonight = history[night_of == night].sort_values("ds")
        ds = pd.DatetimeIndex(tonight["ds"])
        models = {"operating_day": forecast.VolumeForecaster().fit(train)}
        with calendar_days():
            models["calendar_day"] = forecast.VolumeForecaster().fit(train)
        scale = weekly_naive_mae(models["operating_day"].models_["all"].grid.y)
        base = models["operating_day"].predict(ds, quantiles=LEVELS)
        for h in HOURS:
            now = (night if h >= 22 else night + pd.Timedelta(days=1)) + pd.Timedelta(hours=h)
            seen, rest = tonight[tonight["ds"] < now], (tonight["ds"] >= now).to_numpy()
            y = tonight.loc[rest, "volume"].to_numpy(float)
            before = base[(base["ds"] >= now).to_numpy()].reset_index(drop=True)
            rows.append({"hour": h, "forecast": "day_ahead", **_score(y, before, scale)})
            for label, model in models.items():
                fc = model.update(seen, now=now).predict(ds[rest], quantiles=LEVELS)
                rows.append({"hour": h, "forecast": label, **_score(y, fc, scale)})
    table = pd.DataFrame(rows)
    out: dict[str, Any] = {"nights": len(nights), "hours": {}}
    for h in HOURS:
        agg = table[table["hour"] == h].groupby("forecast")[["mase", "in80", "in95"]].mean()
        res = {k: {c: float(v) for c, v in agg.loc[k].items()} for k in agg.index}
        for k in ("operating_day", "calendar_day"):
            res[k]["mase_ratio"] = res[k]["mase"] / res["day_ahead"]["mase"]
        out["hours"][f"{h:02d}:00"] = res
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nights", type=int, default=30, help="test nights (30)")
    ap.add_argument("--quick", action="store_true", help="8 test nights")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    res = rolling_nights(night_centre(), 8 if args.quick else args.nights)
    print(f"night centre 22:00-06:00, {res['nights']} test nights: rest-of-night MASE")
    print(f"{'update at':>9} {'day-ahead':>10} {'operating day':>14} {'calendar day':>13}")
    for h, r in res["hours"].items():
        op, cal = r["operating_day"], r["calendar_day"]
        print(
            f"{h:>9} {r['day_ahead']['mase']:10.3f} {op['mase']:8.3f} ({op['mase_ratio']:.3f}) "
            f"{cal['mase']:7.3f} ({cal['mase_ratio']:.3f})"
        )
    results = {"python": sys.version.split()[0], "machine": platform.machine(), **res}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS, json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
