"""Speed of ``staffplan.erlang.required_agents`` and a side-by-side run of pyworkforce.

    python benchmarks/bench_erlang.py [--quick] [--peer-budget-s 120] [--no-peers]

Cases (Erlang C target 80% within 20 s unless stated; medians over repeats, imports warm):

- year: 17,520 half-hour intervals of a contact-centre year (two daily peaks, weekday and
  seasonal factors, AHT 120-600 s, loads about 0.1-400 Erlangs);
- million: 1,000,000 intervals with loads log-uniform in 0.1-5,000 Erlangs and AHT
  uniform in 120-600 s;
- year Erlang A: the year with 120 s mean patience, 80/20 and at most 5% abandonment;
- year fractional: the year with ``integer=False``.

pyworkforce's ``ErlangC.required_positions`` (Python >= 3.12, in a cached venv built by
``_peers.py``) runs on the year in its own interpreter: on the whole year when a first
sample says it fits in ``--peer-budget-s``, otherwise on a random sample of intervals with
the per-interval time extrapolated (the table says which).  Its answers are compared with
ours on every interval it ran.  Results go to ``benchmarks/results/erlang.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import peer_python, run_peer
from staffplan import erlang

RESULTS = Path(__file__).resolve().parent / "results" / "erlang.json"
PEER_SPEC = "pyworkforce>=0.5.2"

PEER_CODE = r"""
import json, sys, time
from pyworkforce.queuing import ErlangC
d = json.load(sys.stdin)
out = []
t0 = time.perf_counter()
for vol, aht_min in zip(d["volume"], d["aht_min"]):
    e = ErlangC(transactions=vol, aht=aht_min, asa=d["target_min"], interval=d["interval"])
    out.append(e.required_positions(service_level=d["sl"])["raw_positions"])
elapsed = time.perf_counter() - t0
import pyworkforce
print(json.dumps({"positions": out, "seconds": elapsed,
                  "version": getattr(pyworkforce, "__version__", "?")}))
"""


def year_profile(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Volume and AHT for 365 days × 48 half-hours."""
    slot = np.arange(17_520) % 48
    day = np.arange(17_520) // 48
    hour = slot / 2 + 0.25
    shape = 0.02 + np.exp(-0.5 * ((hour - 10.5) / 1.3) ** 2)
    shape += 0.75 * np.exp(-0.5 * ((hour - 15.0) / 1.6) ** 2)
    weekday = np.array([1.0, 0.95, 0.92, 0.93, 0.88, 0.5, 0.3])[day % 7]
    season = 1 + 0.25 * np.cos(2 * np.pi * (day - 20) / 365)
    volume = rng.poisson(1500 * shape * weekday * season).astype(float) + 1.0
    aht = np.clip(rng.normal(300 + 60 * np.sin(2 * np.pi * hour / 24), 60), 120, 600)
    return volume, np.round(aht)


def million(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    load = np.exp(rng.uniform(np.log(0.1), np.log(5000), n))
    aht = rng.uniform(120, 600, n)
    return load * 1800 / aht, aht


def timed(func: Any, repeats: int) -> tuple[float, Any]:
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def run_pyworkforce(
    volume: np.ndarray, aht: np.ndarray, budget_s: float, sample: int, rng: np.random.Generator
) -> dict[str, Any] | None:
    python = peer_python(PEER_SPEC)
    if python is None:
        return None

    def call(idx: np.ndarray) -> dict[str, Any]:
        payload = {
            "volume": volume[idx].tolist(),
            "aht_min": (aht[idx] / 60).tolist(),
            "target_min": 20 / 60,
            "interval": 30,
            "sl": 0.8,
        }
        res = run_peer(python, PEER_CODE, payload, timeout_s=max(600.0, 3 * budget_s))
        res["idx"] = idx
        return res

    first = call(np.sort(rng.choice(volume.size, size=min(sample, volume.size), replace=False)))
    per = first["seconds"] / first["idx"].size
    if per * volume.size <= budget_s:
        full = call(np.arange(volume.size))
        full["mode"] = "whole set"
        return full
    first["mode"] = f"random sample of {first['idx'].size}"
    return first


def compare(
    res: dict[str, Any],
    ours_all: np.ndarray,
    vol: np.ndarray,
    aht: np.ndarray,
    ours_s: float,
    label: str,
) -> dict[str, Any]:
    """Per-interval times and answer agreement of a pyworkforce run against ours."""
    idx = res["idx"]
    theirs = np.asarray(res["positions"], dtype=float)
    mine = ours_all[idx]
    diff = np.flatnonzero(theirs != mine)
    load = vol * aht / 1800
    per_peer = res["seconds"] / idx.size
    per_ours = ours_s / vol.size
    out = {
        "label": label,
        "package": f"pyworkforce {res['version']}",
        "mode": res["mode"],
        "intervals_run": int(idx.size),
        "seconds": res["seconds"],
        "per_interval_s": per_peer,
        "staffplan_per_interval_s": per_ours,
        "all_s_extrapolated": per_peer * vol.size,
        "ratio_per_interval": per_peer / per_ours,
        "identical": int(idx.size - diff.size),
        "different": int(diff.size),
        "differences": [
            {
                "interval": int(i),
                "load_erl": float(load[i]),
                "staffplan": float(ours_all[i]),
                "pyworkforce": float(theirs[k]),
                "service_level_at_staffplan": float(
                    erlang.service_level(ours_all[i], load[i], aht[i], 20)
                ),
            }
            for k, i in zip(diff[:20], idx[diff[:20]], strict=True)
        ],
    }
    print(
        f"  {out['mode']}: {res['seconds']:.2f} s for {idx.size:,} intervals, "
        f"{per_peer * 1e3:.3f} ms per interval; identical answers on "
        f"{out['identical']:,}/{idx.size:,}",
        flush=True,
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller peer sample")
    parser.add_argument("--no-peers", action="store_true", help="skip pyworkforce")
    parser.add_argument("--peer-budget-s", type=float, default=120.0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(20260101)
    reps = 3 if args.quick else 7
    vol_y, aht_y = year_profile(rng)
    vol_m, aht_m = million(rng, 1_000_000)
    erlang.required_agents(vol_y[:100], aht_y[:100])  # warm imports and caches

    cases: dict[str, dict[str, Any]] = {}

    def case(name: str, n: int, func: Any, repeats: int) -> np.ndarray:
        med, out = timed(func, repeats)
        cases[name] = {"intervals": n, "median_s": med, "repeats": repeats}
        print(f"  {name:<28} {med:8.3f} s  ({n:,} intervals, median of {repeats})", flush=True)
        return out

    print("staffplan.erlang.required_agents:")
    vol_w, aht_w = million(rng, 17_520)
    ours = {
        "year": case(
            "year, Erlang C 80/20", vol_y.size, lambda: erlang.required_agents(vol_y, aht_y), reps
        ),
        "wide": case(
            "17,520 wide-load, Erlang C",
            vol_w.size,
            lambda: erlang.required_agents(vol_w, aht_w),
            reps,
        ),
    }
    case(
        "1M intervals, Erlang C 80/20",
        vol_m.size,
        lambda: erlang.required_agents(vol_m, aht_m),
        3 if args.quick else 5,
    )
    case(
        "year, Erlang A (+ abandon)",
        vol_y.size,
        lambda: erlang.required_agents(vol_y, aht_y, patience_s=120, max_abandon=0.05),
        reps,
    )
    case(
        "year, Erlang C fractional",
        vol_y.size,
        lambda: erlang.required_agents(vol_y, aht_y, integer=False),
        reps,
    )
    load_y = vol_y * aht_y / 1800
    print(f"  year loads {load_y.min():.2f}-{load_y.max():.0f} Erlangs")

    peers: dict[str, Any] = {}
    if not args.no_peers:
        sample = 200 if args.quick else 1000
        for key, label, vol, aht, case_name in (
            ("year", "the year", vol_y, aht_y, "year, Erlang C 80/20"),
            (
                "wide",
                "17,520 intervals, loads 0.1-5,000 Erlangs",
                vol_w,
                aht_w,
                "17,520 wide-load, Erlang C",
            ),
        ):
            print(f"{PEER_SPEC} ErlangC.required_positions on {label}:", flush=True)
            try:
                res = run_pyworkforce(vol, aht, args.peer_budget_s, sample, rng)
            except RuntimeError as exc:  # a crashing peer is reported, not fatal
                print(f"  skipped: {exc}")
                peers[key] = {"skipped": str(exc)}
                break
            if res is None:
                break
            peers[key] = compare(res, ours[key], vol, aht, cases[case_name]["median_s"], label)

    print()
    print("| case | intervals | staffplan median [s] | per interval [µs] | floor |")
    print("|---|---|---|---|---|")
    floors = {"1M intervals, Erlang C 80/20": "< 1 s", "year, Erlang A (+ abandon)": "< 1 s"}
    for name, c in cases.items():
        print(
            f"| {name} | {c['intervals']:,} | {c['median_s']:.3f} | "
            f"{c['median_s'] / c['intervals'] * 1e6:.2f} | {floors.get(name, '')} |"
        )
    if peers:
        print()
        print(
            "| pyworkforce ErlangC vs staffplan, 80/20 | pyworkforce per interval [ms] | "
            "staffplan per interval [ms] | ratio | pyworkforce for all 17,520 [s] | "
            "identical answers |"
        )
        print("|---|---|---|---|---|---|")
        for p in peers.values():
            if "skipped" in p:
                print(f"| skipped: {p['skipped']} | | | | | |")
                continue
            extrap = "" if p["mode"] == "whole set" else " (extrapolated)"
            print(
                f"| {p['label']} | {p['per_interval_s'] * 1e3:.3f} | "
                f"{p['staffplan_per_interval_s'] * 1e3:.5f} | {p['ratio_per_interval']:,.0f}× | "
                f"{p['all_s_extrapolated']:.1f}{extrap} | {p['identical']:,} of "
                f"{p['intervals_run']:,} ({p['mode']}) |"
            )
    result = {
        "benchmark": "erlang",
        "command": "python benchmarks/bench_erlang.py" + (" --quick" if args.quick else ""),
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        },
        "cases": cases,
        "pyworkforce": peers or None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2))
    tmp.replace(RESULTS)
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
