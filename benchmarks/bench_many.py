"""Many queues in parallel: forecast + Erlang staffing for N synthetic queues.

Each queue has a year of 30-minute history (07:00-21:00 every day; a daily
double-peak shape, weekday factors, Poisson arrivals, a per-queue level and
AHT). For N = 10, 100, 1,000 queues, ``staffplan.many.staff_many`` runs
serially, on a local process pool (the default executor) and on a Dask
``LocalCluster`` (one single-threaded worker process per CPU), printing wall
time, queues per second and the growth in time from 10 to 100 to 1,000 queues
(linear scaling means x10 per step). The forecasting method is the weekly
profile (``method="profile"``), fast enough for thousands of queues.

    python benchmarks/bench_many.py [--queues 10,100,1000] [--repeats 3]

Writes ``benchmarks/results/many.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffplan._io import atomic_write_text
from staffplan.many import cpu_count, staff_many

RESULTS = Path(__file__).resolve().parent / "results" / "many.json"
INTERVAL_MIN = 30
OPEN_HOURS = (7, 21)
WEEKDAY_FACTORS = np.array([1.12, 1.0, 0.95, 0.95, 0.98, 0.55, 0.35])  # Monday first


def synthetic_history(n_queues: int, *, days: int = 364, seed: int = 0) -> pd.DataFrame:
    """A year of 30-minute volume and AHT per queue, generated with numpy in one go."""
    rng = np.random.default_rng(seed)
    slots_per_day = (OPEN_HOURS[1] - OPEN_HOURS[0]) * 60 // INTERVAL_MIN
    hour = OPEN_HOURS[0] + (np.arange(slots_per_day) + 0.5) * INTERVAL_MIN / 60
    # Morning peak and a smaller afternoon peak, as in most inbound centres.
    daily = np.exp(-0.5 * ((hour - 10.5) / 1.8) ** 2) + 0.75 * np.exp(
        -0.5 * ((hour - 15.0) / 2.2) ** 2
    )
    daily /= daily.sum()
    start = pd.Timestamp("2025-01-06")  # a Monday
    day_index = np.arange(days)
    weekday = (start.day_of_week + day_index) % 7
    level = rng.lognormal(np.log(800.0), 0.8, size=n_queues)  # contacts per mean day
    rate = level[:, None, None] * WEEKDAY_FACTORS[weekday][None, :, None] * daily[None, None, :]
    volume = rng.poisson(rate).astype(np.float64).reshape(n_queues, -1)
    aht_mean = rng.uniform(180.0, 420.0, size=n_queues)
    aht = np.round(aht_mean[:, None] * rng.lognormal(0.0, 0.05, size=volume.shape), 1)
    day_start = start + pd.to_timedelta(day_index, unit="D") + pd.Timedelta(hours=OPEN_HOURS[0])
    offsets = pd.to_timedelta(np.arange(slots_per_day) * INTERVAL_MIN, unit="min")
    ds = (day_start.values[:, None] + offsets.values[None, :]).ravel()
    names = [f"q{i:04d}" for i in range(n_queues)]
    return pd.DataFrame(
        {
            "queue": pd.Categorical(np.repeat(names, ds.size), categories=names),
            "ds": np.tile(ds, n_queues),
            "volume": volume.ravel(),
            "aht_s": aht.ravel(),
        }
    )


def statsforecast_peer(history: pd.DataFrame, n_jobs: int) -> pd.DataFrame:
    """The closest peer step: statsforecast's seasonal window average over the same series.

    Forecast only (a point forecast of the weekly profile's kind, no quantiles,
    no staffing), on integer time steps of the open intervals: a floor for
    what the forecasting part of the pipeline can cost per queue.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalWindowAverage

    df = history.rename(columns={"queue": "unique_id", "volume": "y"})[["unique_id", "ds", "y"]]
    df["unique_id"] = df["unique_id"].astype(str)
    df["ds"] = df.groupby("unique_id").cumcount()
    week = (OPEN_HOURS[1] - OPEN_HOURS[0]) * 60 // INTERVAL_MIN * 7
    model = SeasonalWindowAverage(season_length=week, window_size=6)
    return StatsForecast(models=[model], freq=1, n_jobs=n_jobs).forecast(df=df, h=week)


def _timed(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float], float, Any]:
    """Median wall time [s], every run's wall time, this process's CPU time per run [s]."""
    times, out = [], None
    c0 = time.process_time()
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times, (time.process_time() - c0) / repeats, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queues", default="10,100,1000", help="comma-separated queue counts")
    parser.add_argument("--repeats", type=int, default=3, help="runs per point (median kept)")
    parser.add_argument("--horizon", default="7D", help="forecast horizon (default one week)")
    parser.add_argument("--method", default="profile", help="forecast method")
    parser.add_argument(
        "--backends", default="serial,processes,dask", help="subset of serial,processes,dask"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the statsforecast line")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.queues.split(",")]
    backends = args.backends.split(",")
    n_cpu = cpu_count()
    kwargs = {"method": args.method, "service_level": 0.8, "target_answer_s": 20}

    client = cluster = None
    cluster_start_s = None
    if "dask" in backends:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            print("dask.distributed is not installed (the [dask] extra): skipping dask")
            backends.remove("dask")
        else:
            t0 = time.perf_counter()
            cluster = LocalCluster(
                n_workers=n_cpu, threads_per_worker=1, processes=True, dashboard_address=":0"
            )
            client = Client(cluster)
            cluster_start_s = time.perf_counter() - t0
            # Warm the workers (imports) so that the timings below measure the work.
            staff_many(synthetic_history(2, days=28), args.horizon, executor=client, **kwargs)

    peer_ok = not args.no_peer
    if peer_ok:
        try:
            statsforecast_peer(synthetic_history(2, days=56), 1)  # compile its kernels once
        except ImportError:
            print("statsforecast is not installed (the [bench] extra): no peer line")
            peer_ok = False
    executors: dict[str, Any] = {"serial": "serial", "processes": None, "dask": client}
    records = []
    print(
        f"staff_many: forecast (method={args.method!r}, horizon {args.horizon}) + Erlang C "
        f"staffing; a year of 30-min history per queue; {n_cpu} CPUs"
    )
    print(
        "cpu/q = worker CPU time per queue [ms] (load-independent cost); cpus = worker CPU "
        "time / wall (CPUs really obtained); parent = CPU of this process besides the queues "
        "[s] (grouping, pickling, collecting); load = 1-min load average of the machine"
    )
    print(
        f"{'queues':>7} {'backend':>10} {'gen [s]':>8} {'wall [s]':>9} {'queues/s':>9} "
        f"{'vs serial':>9} {'cpu/q':>8} {'cpus':>5} {'parent':>7} {'load':>5}"
    )
    try:
        for n in sizes:
            t0 = time.perf_counter()
            history = synthetic_history(n, seed=n)
            gen_s = time.perf_counter() - t0
            repeats = args.repeats if n <= 100 else 1
            serial_s = None
            for backend in backends:
                med, times, parent_cpu_s, res = _timed(
                    lambda h=history, b=backend: staff_many(
                        h, args.horizon, executor=executors[b], **kwargs
                    ),
                    repeats,
                )
                n_failed = int((res.status["status"] != "ok").sum())
                cpu_s = float(res.status["cpu_seconds"].sum())
                if backend == "serial":
                    parent_cpu_s -= cpu_s  # inline: the queues ran in this process
                cpu_ms_per_queue = 1e3 * cpu_s / n
                if backend == "serial":
                    serial_s = med
                ratio = serial_s / med if serial_s else float("nan")
                load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
                print(
                    f"{n:>7} {backend:>10} {gen_s:>8.2f} {med:>9.2f} {n / med:>9.1f} {ratio:>8.2f}x"
                    f" {cpu_ms_per_queue:>8.1f} {cpu_s / times[-1]:>5.2f} {parent_cpu_s:>7.2f}"
                    f" {load:>5.2f}" + (f"  ({n_failed} failed)" if n_failed else "")
                )
                records.append(
                    {
                        "queues": n,
                        "rows": len(history),
                        "backend": backend,
                        "wall_s_median": med,
                        "wall_s_runs": times,
                        "queues_per_s": n / med,
                        "speedup_vs_serial": ratio,
                        "failed": n_failed,
                        "worker_cpu_s": cpu_s,
                        "worker_cpu_ms_per_queue": cpu_ms_per_queue,
                        "cpus_used": cpu_s / times[-1],
                        "parent_cpu_s": parent_cpu_s,
                        "load_avg_1min": load,
                    }
                )
            if peer_ok:
                for n_jobs in sorted({1, n_cpu}):
                    med, times, _, _ = _timed(
                        lambda h=history, j=n_jobs: statsforecast_peer(h, j), repeats
                    )
                    label = f"peer:sf-{n_jobs}"
                    print(f"{n:>7} {label:>10} {gen_s:>8.2f} {med:>9.2f} {n / med:>9.1f}")
                    records.append(
                        {
                            "queues": n,
                            "rows": len(history),
                            "backend": label,
                            "what": "statsforecast SeasonalWindowAverage(6 weeks), forecast only",
                            "wall_s_median": med,
                            "wall_s_runs": times,
                            "queues_per_s": n / med,
                        }
                    )
            del history
    finally:
        if client is not None:
            client.close()
            cluster.close()

    growth: dict[str, list[dict[str, float]]] = {}
    print("\ngrowth of wall time (linear = x10 per x10 queues)")
    for backend in [*backends, *sorted({r["backend"] for r in records} - set(backends))]:
        rows = sorted((r for r in records if r["backend"] == backend), key=lambda r: r["queues"])
        steps = []
        for a, b in itertools.pairwise(rows):
            factor = b["wall_s_median"] / a["wall_s_median"]
            step = {"from": a["queues"], "to": b["queues"], "time_factor": factor}
            line = f"  {backend:>10}: {a['queues']} -> {b['queues']} queues: x{factor:.1f} wall"
            if "worker_cpu_s" in a:
                step["cpu_factor"] = b["worker_cpu_s"] / a["worker_cpu_s"]
                line += f", x{step['cpu_factor']:.1f} worker CPU"
            steps.append(step)
            print(line)
        growth[backend] = steps

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": "many",
        "what": "staff_many: forecast + Erlang C staffing per queue",
        "method": args.method,
        "horizon": args.horizon,
        "history": "364 days x 28 half-hours (07:00-21:00) per queue",
        "cpus": n_cpu,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "dask_cluster_start_s": cluster_start_s,
        "records": records,
        "growth": growth,
    }
    atomic_write_text(RESULTS, json.dumps(payload, indent=2))
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
