"""Fit + predict speed of ``method="auto"`` on a year of 30-minute history, idle and busy.

    python benchmarks/bench_fit_speed.py [--repeats 5] [--folds 6] [--baseline main] [--quick]

1. Speed: fit + predict 14 days of one queue with a year of 30-minute history
   (a weekday centre 07:00-21:00 and a 24/7 centre, as in ``bench_forecast``),
   median of ``--repeats`` runs; once on an idle machine and once with a
   busy-loop process taking the other core.  Goal: < 1 s median in both.
2. Accuracy: rolling-origin MASE of ``auto`` (``forecast.backtest``, 14-day
   folds) on the fpp2 bank calls (skipped when ``../shared/data`` is absent)
   and on the synthetic 24/7 year, so a faster selection is seen not to cost
   accuracy.
3. ``--baseline REF`` runs the same measurements on the package as it is at
   git revision ``REF`` (extracted with ``git archive`` into a temporary
   directory, run in a subprocess) and reports the ratios.
4. statsforecast ``MSTL`` (daily + weekly seasonality, AutoETS trend) on the
   same 24/7 year, when installed (the ``[bench]`` extra).

Writes ``benchmarks/results/fit_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from bench_forecast import DATA, load_calls, year_history

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results" / "fit_speed.json"
GOAL_S = 1.0


def _spin() -> None:  # pragma: no cover - runs in the busy child process
    while True:
        pass


class _BusyCore:
    """A child process spinning on one core for the duration of a ``with`` block."""

    def __enter__(self) -> _BusyCore:
        self.proc = mp.get_context("spawn").Process(target=_spin, daemon=True)
        self.proc.start()
        time.sleep(0.2)  # let it reach the loop
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.join()


def _fit_predict_times(repeats: int) -> list[dict[str, Any]]:
    from staffplan import forecast

    rows = []
    for label, is247 in (("weekdays 07-21, 1 year", False), ("24/7, 1 year", True)):
        hist = year_history(is247)
        forecast.forecast(hist, "14D", method="auto")  # warm-up: imports and caches
        for busy in (False, True):
            times, cpu = [], []
            with _BusyCore() if busy else _Idle():
                for _ in range(repeats):
                    t0, c0 = time.perf_counter(), time.process_time()
                    forecast.VolumeForecaster("auto").fit(hist).predict("14D")
                    times.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
            rows.append(
                {
                    "history": label,
                    "other_core": "busy" if busy else "idle",
                    "rows": len(hist),
                    "median_s": statistics.median(times),
                    "cpu_median_s": statistics.median(cpu),
                    "times_s": [round(t, 4) for t in times],
                }
            )
    return rows


class _Idle:
    def __enter__(self) -> _Idle:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _accuracy(folds: int) -> list[dict[str, Any]]:
    from staffplan import forecast

    sets = []
    if DATA.is_file():
        sets.append(("fpp2 bank calls", load_calls()))
    else:
        print(f"fpp2 data not found at {DATA}: its accuracy is skipped")
    sets.append(("synthetic 24/7 year", year_history(True)))
    rows = []
    for name, hist in sets:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res = forecast.backtest(hist, method="auto", folds=folds, horizon="14D", step="14D")
        o = res.overall.iloc[0]
        rows.append(
            {
                "data": name,
                "folds": folds,
                "mase": float(o["mase"]),
                "coverage_95": float(o["coverage_95"]),
                "fold_mase": [round(float(v), 4) for v in res.folds["mase"]],
                "backtest_s": time.perf_counter() - t0,
            }
        )
    return rows


def measure(repeats: int, folds: int) -> dict[str, Any]:
    """Speed and accuracy of the staffplan found on ``sys.path``."""
    import staffplan

    return {
        "package": str(Path(staffplan.__file__).parent),
        "speed": _fit_predict_times(repeats),
        "accuracy": _accuracy(folds),
    }


def _baseline(ref: str, repeats: int, folds: int) -> dict[str, Any] | None:
    """The same measurements on the package at git revision ``ref``, in a subprocess."""
    repo = ROOT.parent
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "src.tar"
        try:
            subprocess.run(
                ["git", "-C", str(repo), "archive", "-o", str(archive), ref, "src"],
                check=True,
                capture_output=True,
            )
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"--baseline {ref}: git archive failed ({exc}); baseline skipped")
            return None
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        cmd = [
            sys.executable,
            __file__,
            "--worker",
            "--repeats",
            str(repeats),
            "--folds",
            str(folds),
        ]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            print(f"--baseline {ref} failed:\n{out.stderr[-2000:]}")
            return None
        result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        result["ref"] = ref
        return result


def _statsforecast_mstl(repeats: int) -> dict[str, Any] | None:
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL, AutoETS
    except ImportError:
        print("statsforecast not installed: peer skipped (pip install 'staffplan[bench]')")
        return None
    import numpy as np
    import pandas as pd

    hist = year_history(True)
    df = pd.DataFrame({"unique_id": "q", "ds": np.arange(len(hist)), "y": hist["volume"]})

    def run() -> None:
        model = MSTL(season_length=[48, 336], trend_forecaster=AutoETS(model="ZZN"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            StatsForecast(models=[model], freq=1, n_jobs=1).forecast(df=df, h=14 * 48)

    run()  # warm-up: numba compiles on the first call
    times = []
    for _ in range(min(repeats, 3)):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return {"peer": "statsforecast MSTL+AutoETS, 24/7 year", "median_s": statistics.median(times)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per case (5)")
    ap.add_argument("--folds", type=int, default=6, help="14-day backtest folds (6)")
    ap.add_argument("--baseline", help="git revision to compare with, e.g. main")
    ap.add_argument("--quick", action="store_true", help="3 repeats, 2 folds")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.repeats, args.folds = 3, 2
    if args.worker:
        print(json.dumps(measure(args.repeats, args.folds)))
        return 0
    ours = measure(args.repeats, args.folds)
    base = _baseline(args.baseline, args.repeats, args.folds) if args.baseline else None
    peer = _statsforecast_mstl(args.repeats)
    print(f"\nfit + predict 14 days, method auto, median of {args.repeats} (goal < {GOAL_S:g} s)")
    print("(cpu: CPU seconds of this process, BLAS threads included; wall time moves with load)")
    print(
        f"{'history':<24} {'other core':<10} {'now s':>7} {'base s':>7} {'speed-up':>8} "
        f"{'now cpu':>8} {'base cpu':>8}"
    )
    for i, r in enumerate(ours["speed"]):
        b = base["speed"][i] if base else {}
        b_s, b_cpu = b.get("median_s", float("nan")), b.get("cpu_median_s", float("nan"))
        print(
            f"{r['history']:<24} {r['other_core']:<10} {r['median_s']:7.3f} {b_s:7.3f} "
            f"{b_s / r['median_s']:8.2f} {r['cpu_median_s']:8.3f} {b_cpu:8.3f}"
        )
    print(f"\nrolling-origin MASE of auto ({args.folds} folds x 14 days)")
    print(f"{'data':<22} {'now':>6} {'base':>6} {'cov95 now':>9}")
    for i, r in enumerate(ours["accuracy"]):
        b = base["accuracy"][i]["mase"] if base else float("nan")
        print(f"{r['data']:<22} {r['mase']:6.3f} {b:6.3f} {r['coverage_95']:9.3f}")
    if peer:
        print(f"\n{peer['peer']}: {peer['median_s']:.3f} s")
    result = {
        "goal_s": GOAL_S,
        "current": ours,
        "baseline": base,
        "peer": peer,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    from staffplan._io import atomic_write_text

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(RESULTS, json.dumps(result, indent=2, default=float))
    print(f"\nwrote {RESULTS}")
    slow = [r for r in ours["speed"] if r["median_s"] >= GOAL_S]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
