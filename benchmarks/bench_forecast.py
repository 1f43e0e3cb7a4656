"""Forecast benchmark: the fpp2 ``calls`` protocol, a rolling-origin backtest and speed.

    python benchmarks/bench_forecast.py [--folds 6] [--no-peers] [--no-backtest]

1. Protocol (``../shared/data/fpp2_calls/README.md``): train on the 30-minute
   series up to Friday 2003-10-10, forecast 13-24 October (07:00-21:00), score
   the nine days present.  Every staffplan method and ``auto`` run side by
   side with statsforecast ``MSTL`` + ``AutoETS`` (on log1p) and
   ``SeasonalWindowAverage`` (4 weeks) when statsforecast is installed (the
   ``[bench]`` extra).  statsforecast needs a regular series, so the missing
   weekdays are filled with the same slot one week earlier and weekends are
   left out (periods 28 and 140).  Table: MASE (in-sample same-slot-last-week
   naive), WAPE, central 95% coverage and mean width (contacts), 80% coverage,
   pinball loss at 0.05 and 0.95,
   fit+predict seconds (imports warmed up).
2. Rolling origin: ``forecast.backtest`` over several 2-week folds of the same
   data (a single split is noisy).
3. Speed: fit+predict of one queue with a year of 30-minute history (a
   weekday centre 07:00-21:00 and a 24/7 centre), method ``auto``; median of 3.

Writes ``benchmarks/results/forecast.json``.
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
from staffplan.forecast._frame import Columns, group_history, weekly_naive_mae

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "forecast.json"
DATA = ROOT.parent.parent / "shared" / "data" / "fpp2_calls" / "calls_30min.csv"
LEVELS = (0.025, 0.05, 0.1, 0.5, 0.9, 0.95, 0.975)
OURS = ("snaive", "profile", "twostage", "mstl", "blend", "auto")
CUTOFF = pd.Timestamp("2003-10-11")


def load_calls() -> pd.DataFrame:
    raw = pd.read_csv(DATA, parse_dates=["timestamp"])
    raw = raw[raw["n5"] == 6]  # the 21:00 bucket holds one 5-minute slot only
    return raw.rename(columns={"timestamp": "ds", "calls": "volume"})[["ds", "volume"]]


def score(test: pd.DataFrame, fc: pd.DataFrame, scale: float) -> dict[str, float]:
    j = test.merge(fc, on="ds", how="left", suffixes=("", "_fc"))
    if j["volume_fc"].isna().any():
        raise RuntimeError(f"{int(j['volume_fc'].isna().sum())} test intervals not forecast")
    qs = {
        lev: j[forecast.quantile_column(lev)].to_numpy()
        for lev in LEVELS
        if forecast.quantile_column(lev) in j
    }
    return forecast.accuracy(
        j["volume"].to_numpy(), j["volume_fc"].to_numpy(), scale=scale, quantiles=qs
    )


def run_ours(train: pd.DataFrame, test: pd.DataFrame, scale: float) -> list[dict[str, Any]]:
    forecast.forecast(train, "14D", method="auto")  # warm-up: imports and caches
    rows = []
    for method in OURS:
        t0 = time.perf_counter()
        model = forecast.VolumeForecaster(method).fit(train)
        fc = model.predict("14D", quantiles=LEVELS)
        secs = time.perf_counter() - t0
        rows.append(
            {
                "method": f"staffplan {method}",
                **score(test, fc, scale),
                "seconds": secs,
                "config": model.summary()["config"].iloc[0],
            }
        )
    return rows


def regular_weekday_series(train: pd.DataFrame) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Weekday 07:00-20:30 grid; a missing weekday copies the same slot a week before."""
    days = pd.bdate_range(train["ds"].min().normalize(), train["ds"].max().normalize())
    slots = pd.timedelta_range("07:00:00", periods=28, freq="30min")
    grid = pd.DatetimeIndex([d + s for d in days for s in slots])
    y = train.set_index("ds")["volume"].reindex(grid).to_numpy()
    for i in np.flatnonzero(np.isnan(y)):
        y[i] = y[i - 140]
    return pd.DataFrame({"unique_id": "calls", "ds": np.arange(y.size), "y": y}), grid


def run_peers(train: pd.DataFrame, test: pd.DataFrame, scale: float) -> list[dict[str, Any]]:
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL, AutoETS, SeasonalWindowAverage
    except ImportError:
        print("statsforecast not installed: peers skipped (pip install 'staffplan[bench]')")
        return []
    df, _ = regular_weekday_series(train)
    fut_days = pd.bdate_range("2003-10-13", "2003-10-24")
    fut = pd.DatetimeIndex(
        [d + s for d in fut_days for s in pd.timedelta_range("07:00:00", periods=28, freq="30min")]
    )
    h = fut.size
    rows = []
    specs = [
        (
            "statsforecast MSTL+AutoETS (log1p)",
            True,
            MSTL(season_length=[28, 140], trend_forecaster=AutoETS(model="ZZN")),
        ),
        (
            "statsforecast SeasonalWindowAverage(4 weeks)",
            False,
            SeasonalWindowAverage(season_length=140, window_size=4),
        ),
    ]
    for name, log, model in specs:
        data = df.assign(y=np.log1p(df["y"])) if log else df
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sf = StatsForecast(models=[model], freq=1, n_jobs=1)
            kwargs = {"level": [80, 90, 95]} if log else {}
            out = sf.forecast(df=data, h=h, **kwargs)
        secs = time.perf_counter() - t0
        col = next(c for c in out.columns if c not in ("unique_id", "ds") and "-" not in c)
        back = np.expm1 if log else (lambda v: v)
        fc = pd.DataFrame({"ds": fut, "volume": back(out[col].to_numpy())})
        if log:
            for width, lo, hi in ((80, 0.1, 0.9), (90, 0.05, 0.95), (95, 0.025, 0.975)):
                fc[forecast.quantile_column(lo)] = back(out[f"{col}-lo-{width}"].to_numpy())
                fc[forecast.quantile_column(hi)] = back(out[f"{col}-hi-{width}"].to_numpy())
        rows.append({"method": name, **score(test, fc, scale), "seconds": secs, "config": ""})
    return rows


def rolling(calls: pd.DataFrame, folds: int) -> list[dict[str, Any]]:
    rows = []
    for method in ("snaive", "profile", "twostage", "auto"):
        t0 = time.perf_counter()
        res = forecast.backtest(
            calls, method=method, folds=folds, horizon="14D", step="14D", quantiles=LEVELS
        )
        o = res.overall.iloc[0].to_dict()
        rows.append(
            {
                "method": method,
                "seconds": time.perf_counter() - t0,
                "fold_mase": [round(v, 4) for v in res.folds["mase"]],
                "fold_coverage_95": [round(v, 4) for v in res.folds["coverage_95"]],
                **{k: v for k, v in o.items() if k != "queue"},
            }
        )
    return rows


def year_history(open_247: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if open_247:
        ds = pd.date_range("2023-01-02", periods=364 * 48, freq="30min")
    else:
        days = pd.bdate_range("2023-01-02", periods=260)
        ds = pd.DatetimeIndex(
            [d + pd.Timedelta(minutes=30 * k) for d in days for k in range(14, 42)]
        )
    hour = ds.hour + ds.minute / 60
    mean = 40 + 60 * np.exp(-0.5 * ((hour - 11) / 2.5) ** 2) * (1.2 - 0.1 * ds.day_of_week)
    return pd.DataFrame({"ds": ds, "volume": rng.poisson(mean).astype(float)})


def speed() -> list[dict[str, Any]]:
    rows = []
    for label, is247 in (("weekdays 07-21, 1 year", False), ("24/7, 1 year", True)):
        hist = year_history(is247)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            forecast.forecast(hist, "14D", method="auto")
            times.append(time.perf_counter() - t0)
        rows.append(
            {
                "history": label,
                "rows": len(hist),
                "median_s": statistics.median(times),
                "floor_s": 5.0,
            }
        )
    return rows


def fmt(v: Any, spec: str) -> str:
    return "n/a" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=6, help="rolling-origin 2-week folds (6)")
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast")
    ap.add_argument("--no-backtest", action="store_true", help="skip the rolling-origin part")
    args = ap.parse_args(argv)
    if not DATA.is_file():
        print(f"fpp2 data not found at {DATA}; nothing to benchmark")
        return 1
    calls = load_calls()
    train, test = calls[calls["ds"] < CUTOFF], calls[calls["ds"] >= CUTOFF]
    (grid,), _ = group_history(train, Columns())
    scale = weekly_naive_mae(grid.y)
    table = run_ours(train, test, scale)
    if not args.no_peers:
        table += run_peers(train, test, scale)
    print("\nfpp2 calls protocol: train to 2003-10-10, forecast 13-24 Oct, 9 days x 28 slots")
    head = (
        f"{'method':<46} {'MASE':>6} {'WAPE':>6} {'cov95':>6} {'wid95':>6} {'cov80':>6} "
        f"{'pin.05':>7} {'pin.95':>7} {'sec':>6}"
    )
    print(head)
    print("-" * len(head))
    for r in table:
        print(
            f"{r['method']:<46} {r['mase']:6.3f} {r['wape']:6.3f} "
            f"{fmt(r.get('coverage_95'), '6.3f')} {fmt(r.get('width_95'), '6.0f')} "
            f"{fmt(r.get('coverage_80'), '6.3f')} "
            f"{fmt(r.get('pinball_0.05'), '7.2f')} {fmt(r.get('pinball_0.95'), '7.2f')} "
            f"{r['seconds']:6.2f}"
        )
    auto = next(r for r in table if r["method"] == "staffplan auto")
    print(f"auto chose: {auto['config']}")
    ok = [r for r in table if 0.92 <= r.get("coverage_95", np.nan) <= 0.98]
    if ok:
        narrow = min(ok, key=lambda r: r["width_95"])
        print(f"narrowest 95% band among methods covering 92-98%: {narrow['method']}")
    result: dict[str, Any] = {
        "protocol": table,
        "machine": platform.platform(),
        "python": sys.version.split()[0],
    }
    if not args.no_backtest:
        roll = rolling(calls, args.folds)
        print(f"\nrolling origin: {args.folds} folds x 14 days (step 14 days), whole series")
        print(
            f"{'method':<10} {'MASE':>6} {'WAPE':>6} {'cov95':>6} {'cov90':>6} {'cov80':>6} "
            f"{'sec':>6}  per-fold MASE"
        )
        for r in roll:
            print(
                f"{r['method']:<10} {r['mase']:6.3f} {r['wape']:6.3f} {r['coverage_95']:6.3f} "
                f"{r['coverage_90']:6.3f} {r['coverage_80']:6.3f} {r['seconds']:6.1f}  "
                f"{' '.join(f'{v:.2f}' for v in r['fold_mase'])}"
            )
        result["rolling_origin"] = roll
    sp = speed()
    print("\nfit + predict one queue, method auto (median of 3; floor 5 s)")
    for r in sp:
        print(f"  {r['history']:<24} {r['rows']:>6} rows  {r['median_s']:5.2f} s")
    result["speed"] = sp
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS, json.dumps(result, indent=2, default=float))
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
