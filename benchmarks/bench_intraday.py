"""Intraday benchmark: the rest of the day, forecast in the morning vs updated at 10/12/14h.

    python benchmarks/bench_intraday.py [--days 30] [--no-replan] [--quick]

For every test day the forecaster is fitted on the history before that day
(a day-ahead forecast, refitted every day), then updated with the day's actual
intervals before 10:00, 12:00 and 14:00 (``VolumeForecaster.update``).  The
rest of the day (intervals from the update hour on) is scored for both the
day-ahead and the updated forecast: MASE (scaled by the training history's
same-slot-last-week naive MAE, averaged over days and queues), coverage of
the central 80% and 95% intervals and their mean width [contacts].

Data sets:

1. fpp2 ``calls`` (``../shared/data/fpp2_calls``, a weekday 07:00-21:00 bank,
   30-minute buckets): the last ``--days`` days present.  Skipped cleanly when
   the data is absent.
2. The bundled generator (``staffplan.datasets.generate_sample``, two queues,
   Monday-Saturday), updated per queue.
3. A synthetic 24/7 centre (``generate_sample(hours="24/7")``: 48 slots a
   day, a day level that drifts as an AR(1) in logs and a negative-binomial
   count per interval), to test a day that runs through midnight.

Speed: median time of one update plus the prediction of the rest of the day
(target < 50 ms), beside the plain prediction of the same intervals, and of
``staffplan.replan`` at 12:00 on a one-day plan of the 24/7 centre (which
refits the forecaster on the plan's history, solves the change model and
simulates the rest of the day).  Timings are taken on whatever else the
machine runs.
Writes ``benchmarks/results/intraday.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffplan import forecast
from staffplan._io import atomic_write_text
from staffplan.datasets import generate_sample
from staffplan.forecast._frame import weekly_naive_mae

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "intraday.json"
DATA = ROOT.parent.parent / "shared" / "data" / "fpp2_calls" / "calls_30min.csv"
HOURS = (10, 12, 14)
LEVELS = (0.025, 0.1, 0.5, 0.9, 0.975)


def load_calls() -> pd.DataFrame:
    raw = pd.read_csv(DATA, parse_dates=["timestamp"])
    raw = raw[raw["n5"] == 6]  # the 21:00 bucket holds one 5-minute slot only
    return raw.rename(columns={"timestamp": "ds", "calls": "volume"})[["ds", "volume"]]


def centre_247(weeks: int = 30, seed: int = 7) -> pd.DataFrame:
    """A 24/7 centre: night trough, two day peaks, AR(1) day level, overdispersed counts.

    ``datasets.generate_sample(hours="24/7")``: about 1,600 contacts on a mean weekday,
    a quiet weekend, a log day level ``z_d = 0.7 z_(d-1) + N(0, 0.08²)`` and
    gamma-Poisson counts (shape 100); one queue, volumes only.
    """
    hist, _ = generate_sample(
        hours="24/7", weeks=weeks, seed=seed, queues=("all",), daily_volume=1600.0,
        weekday_factor=(1.2, 1.05, 1.0, 1.0, 0.95, 0.7, 0.55), day_sigma=0.08, day_ar=0.7,
        nb_shape=100.0, growth_per_week=0.0, events=False,
    )  # fmt: skip
    return hist[["ds", "volume"]].assign(volume=hist["volume"].astype(float))


def _score(actual: np.ndarray, fc: pd.DataFrame, scale: float) -> dict[str, float]:
    lo80, hi80 = fc[forecast.quantile_column(0.1)], fc[forecast.quantile_column(0.9)]
    lo95, hi95 = fc[forecast.quantile_column(0.025)], fc[forecast.quantile_column(0.975)]
    return {
        "mase": float(np.mean(np.abs(fc["volume"].to_numpy() - actual)) / scale),
        "in80": float(np.mean((actual >= lo80) & (actual <= hi80))),
        "in95": float(np.mean((actual >= lo95) & (actual <= hi95))),
        "width80": float(np.mean(hi80 - lo80)),
        "width95": float(np.mean(hi95 - lo95)),
        "n": float(actual.size),
    }


def rolling_days(history: pd.DataFrame, n_days: int, *, min_train_days: int = 56) -> dict[str, Any]:
    """Refit before each of the last ``n_days`` days; score the rest of the day per hour."""
    has_queue = "queue" in history
    hist = history if has_queue else history.assign(queue="all")
    day_of = hist["ds"].dt.normalize()
    days = sorted(day_of.unique())
    days = [d for d in days[-n_days:] if (d - days[0]).days >= min_train_days]
    rows: list[dict[str, Any]] = []
    update_s: list[float] = []
    predict_s: list[float] = []
    only_s: list[float] = []
    for day in days:
        train = hist[day_of < day]
        model = forecast.VolumeForecaster().fit(train if has_queue else train.drop(columns="queue"))
        today = hist[day_of == day]
        for q, part in today.groupby("queue"):
            scale = weekly_naive_mae(model.models_[q].grid.y)
            part = part.sort_values("ds")
            base = model.predict(pd.DatetimeIndex(part["ds"]), quantiles=LEVELS)
            base = base[base["queue"] == (q if has_queue else "all")].reset_index(drop=True)
            for h in HOURS:
                now = day + pd.Timedelta(hours=h)
                seen, rest = part[part["ds"] < now], part["ds"] >= now
                if seen.empty or not rest.any():
                    continue
                obs = seen if has_queue else seen.drop(columns="queue")
                rest_ds = pd.DatetimeIndex(part.loc[rest, "ds"])
                t0 = time.perf_counter()
                model.predict(rest_ds, quantiles=LEVELS)
                t1 = time.perf_counter()
                upd = model.update(obs, now=now)
                t2 = time.perf_counter()
                fc = upd.predict(rest_ds, quantiles=LEVELS)
                t3 = time.perf_counter()
                predict_s.append(t1 - t0)
                only_s.append(t2 - t1)
                update_s.append(t3 - t1)
                fc = fc[fc["queue"] == (q if has_queue else "all")].reset_index(drop=True)
                y = part.loc[rest, "volume"].to_numpy(float)
                before = base[(base["ds"] >= now).to_numpy()].reset_index(drop=True)
                for label, frame in (("day_ahead", before), ("updated", fc)):
                    rows.append({"hour": h, "forecast": label, **_score(y, frame, scale)})
    table = pd.DataFrame(rows)
    out: dict[str, Any] = {"days": len(days), "hours": {}}
    for h in HOURS:
        by = table[table["hour"] == h].groupby("forecast")
        agg = by[["mase", "in80", "in95", "width80", "width95"]].mean()
        if agg.empty:
            continue
        out["hours"][str(h)] = {k: {c: float(v) for c, v in agg.loc[k].items()} for k in agg.index}
        out["hours"][str(h)]["mase_ratio"] = float(
            agg.loc["updated", "mase"] / agg.loc["day_ahead", "mase"]
        )
    out["update_median_ms"] = 1000 * statistics.median(update_s) if update_s else float("nan")
    out["predict_median_ms"] = 1000 * statistics.median(predict_s) if predict_s else float("nan")
    out["update_over_predict"] = out["update_median_ms"] / out["predict_median_ms"]
    out["update_only_median_ms"] = 1000 * statistics.median(only_s) if only_s else float("nan")
    return out


def replan_speed(repeats: int) -> dict[str, Any]:
    """Median time of ``staffplan.replan`` at 12:00 on a one-day plan of the 24/7 centre."""
    import staffplan

    hist = centre_247(weeks=12)
    cut = hist["ds"].iloc[-48]
    train, day = hist[hist["ds"] < cut], hist[hist["ds"] >= cut]
    train = train.assign(aht_s=240.0)
    p = staffplan.plan(train, horizon="1D", simulate=False, time_limit_s=10, rng=1)
    now = cut + pd.Timedelta(hours=12)
    actuals = day[day["ds"] < now]
    times, n_changes = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = staffplan.replan(p, actuals, now, time_limit_s=10)
        times.append(time.perf_counter() - t0)
        n_changes = len(r.changes)
    return {"median_s": statistics.median(times), "repeats": repeats, "changes": n_changes}


def _print(name: str, res: dict[str, Any]) -> None:
    print(
        f"\n{name}: {res['days']} days; one update + predict of the rest of the day: median "
        f"{res['update_median_ms']:.1f} ms ({res['update_over_predict']:.2f}x the day-ahead "
        f"predict of the same intervals, {res['predict_median_ms']:.1f} ms); "
        f"update() alone {res['update_only_median_ms']:.1f} ms"
    )
    print(
        f"{'hour':>5} {'forecast':>10} {'MASE':>6} {'cov80':>6} {'cov95':>6} {'w80':>7} {'w95':>7}"
    )
    for h, r in res["hours"].items():
        for k in ("day_ahead", "updated"):
            v = r[k]
            print(
                f"{h:>5} {k:>10} {v['mase']:6.3f} {v['in80']:6.1%} {v['in95']:6.1%} "
                f"{v['width80']:7.1f} {v['width95']:7.1f}"
            )
        print(f"{'':>5} {'ratio':>10} {r['mase_ratio']:6.3f}  (updated / day-ahead MASE)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=30, help="test days per data set (30)")
    ap.add_argument("--quick", action="store_true", help="8 days per data set, 1 replan")
    ap.add_argument("--no-replan", action="store_true", help="skip the replan timing")
    args = ap.parse_args(argv)
    n_days = 8 if args.quick else args.days
    warnings.simplefilter("ignore", UserWarning)
    results: dict[str, Any] = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "note": "timings on a shared machine (other jobs running)",
    }
    if DATA.is_file():
        results["fpp2_bank"] = rolling_days(load_calls(), n_days)
        _print("fpp2 bank (weekdays 07-21, 30 min)", results["fpp2_bank"])
    else:
        print(f"fpp2 data not found at {DATA}; skipped")
        results["fpp2_bank"] = {"skipped": f"no data at {DATA}"}
    sample, _ = generate_sample(weeks=16, seed=11)
    results["generator_two_queues"] = rolling_days(sample, n_days)
    _print("generator (two queues, Mon-Sat)", results["generator_two_queues"])
    results["synthetic_247"] = rolling_days(centre_247(), n_days)
    _print("synthetic 24/7 centre", results["synthetic_247"])
    if not args.no_replan:
        results["replan"] = replan_speed(1 if args.quick else 3)
        print(f"\nreplan of a 24/7 day at 12:00: median {results['replan']['median_s']:.2f} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS, json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
