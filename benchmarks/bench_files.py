"""What file safety costs: durable plan saves, verified loads, and a queue that crashes its worker.

1. ``Plan.save`` (CSV, overwrite) and ``Plan.load`` of a plan with realistic frame sizes
   (4 weeks of 15-minute intervals for 20 pooled queues' forecast, 1,500 shifts), built
   directly from frames (no solver): median wall time, and the same with ``os.fsync``
   and the SHA-256 checks switched off, so the ratio is the price of durability and
   verification.
2. ``map_queues`` of 40 queues on a 2-process pool, batches of 5, with and without one
   queue that calls ``os._exit``: median wall time; every good queue must come back.

    python benchmarks/bench_files.py [--repeats 7]

Writes ``benchmarks/results/files.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from staffplan import _io
from staffplan._io import atomic_write_text
from staffplan.many import map_queues
from staffplan.many._runner import pool_context
from staffplan.plan import Plan

RESULTS = Path(__file__).resolve().parent / "results" / "files.json"


def big_plan(seed: int = 0) -> Plan:
    """Frames of the size a 4-week, 15-minute, 20-queue plan has."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2026-03-02", periods=4 * 7 * 96, freq="15min", tz="Europe/Paris")
    queues = [f"q{i:02d}" for i in range(20)]
    forecast = pd.DataFrame(
        {
            "queue": np.repeat(queues, len(ds)),
            "ds": np.tile(ds, len(queues)),
            "volume": rng.gamma(4.0, 5.0, len(ds) * len(queues)),
            "aht_s": rng.uniform(180, 420, len(ds) * len(queues)),
        }
    )
    per_interval = pd.DataFrame(
        {
            "ds": ds,
            "agents": rng.integers(0, 80, len(ds)),
            "required": rng.uniform(0, 80, len(ds)),
            "closed": rng.random(len(ds)) < 0.1,
        }
    )
    starts = ds[rng.integers(0, len(ds) - 40, 1500)]
    roster = pd.DataFrame(
        {
            "person": [f"a{i}" for i in range(1500)],
            "role": rng.choice(["agent", "lead"], 1500, p=[0.9, 0.1]),
            "start": starts,
            "end": starts + pd.Timedelta(hours=8),
            "breaks": [[(s + pd.Timedelta(hours=2), s + pd.Timedelta(hours=2.25))] for s in starts],
        }
    )
    daily = pd.DataFrame({"date": ds.normalize().unique().astype(str), "service_level": 0.8})
    return Plan(
        forecast=forecast,
        requirements=per_interval,
        roster=roster,
        coverage=per_interval,
        verdict=per_interval.assign(service_level=rng.uniform(0.6, 0.95, len(ds))),
        daily=daily,
        peaks=per_interval.head(28),
        settings={"interval_min": 15, "horizon": "28D"},
        summary={"paid_hours": 12000.0},
    )


@contextlib.contextmanager
def without_safety() -> Iterator[None]:
    """No fsync and no checksum work: what the same code costs without durability."""
    with (
        mock.patch.object(_io.os, "fsync", lambda fd: None),
        mock.patch("staffplan.plan._plan.sha256_file", lambda p: "0" * 64),
        mock.patch("staffplan.plan._plan._verify_frame_file", lambda *a: None),
    ):
        yield


def median_s(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def crashing(data: pd.DataFrame) -> pd.DataFrame:
    if data["queue"].iloc[0] == "bad":
        os._exit(7)
    return pd.DataFrame({"volume": [float(data["volume"].sum())]})


def crash_run(with_crash: bool) -> None:
    names = [f"q{i:02d}" for i in range(39)] + ["bad" if with_crash else "q39"]
    frame = pd.DataFrame({"queue": np.repeat(names, 3), "volume": np.arange(120.0)})
    with ProcessPoolExecutor(2, mp_context=pool_context()) as pool:
        res = map_queues(crashing, frame, executor=pool, batch_size=5)
    assert len(res.frame) == 39 + (not with_crash), res.failed


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    plan = big_plan()
    out: dict[str, Any] = {"python": sys.version.split()[0], "machine": platform.machine()}
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent) as tmp:
        target = Path(tmp) / "plan"
        plan.save(target)
        save = median_s(lambda: plan.save(target, overwrite=True), args.repeats)
        load = median_s(lambda: Plan.load(target), args.repeats)
        with without_safety():
            save_bare = median_s(lambda: plan.save(target, overwrite=True), args.repeats)
            load_bare = median_s(lambda: Plan.load(target), args.repeats)
        size_mb = sum(p.stat().st_size for p in target.iterdir()) / 1e6
    out["plan"] = {
        "files_mb": round(size_mb, 2),
        "save_s": save,
        "save_without_fsync_s": save_bare,
        "save_ratio": save / save_bare,
        "load_s": load,
        "load_without_checksums_s": load_bare,
        "load_ratio": load / load_bare,
    }
    print(
        f"plan ({size_mb:.1f} MB of CSV): save {save:.3f} s (without fsync {save_bare:.3f} s, "
        f"x{save / save_bare:.2f}); load {load:.3f} s (without checksums {load_bare:.3f} s, "
        f"x{load / load_bare:.2f})"
    )
    clean = median_s(lambda: crash_run(False), max(3, args.repeats // 2))
    crash = median_s(lambda: crash_run(True), max(3, args.repeats // 2))
    out["crash"] = {"no_crash_s": clean, "one_crash_s": crash, "ratio": crash / clean}
    print(
        f"40 queues, 2 workers: {clean:.2f} s; with one crashing queue {crash:.2f} s "
        f"(x{crash / clean:.2f}; 39 good queues back)"
    )
    atomic_write_text(RESULTS, json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
