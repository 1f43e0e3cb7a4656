"""Channels (and skills): the project's requirement against simulation, and its speed.

    python benchmarks/bench_channels.py [--quick] [--only speed,three_channels]

Sections (each a function in ``SECTIONS``; more can be added, the JSON keeps one key per
section):

- ``speed``: ``channels.channel_requirements`` on a year of 30-min intervals for one
  voice, one chat and one e-mail queue (median of repeats), with e-mail worked in business
  hours (Monday-Saturday 08-20) and with e-mail worked around the clock.
- ``three_channels``: a week of one voice queue (80% in 20 s), one chat queue (3 chats per
  agent, 80% in 60 s) and one e-mail queue (95% within 8 business hours; e-mail arrives
  around the clock, the centre is open Monday-Saturday 08-20), each with its own agents.
  Agents required by the project against the simulation-optimal staffing (the fewest agents
  whose simulation by ``simulate.simulate_queues`` meets every target, searched per
  interval for voice and chat and as the smallest scaling of the planned shape for
  e-mail), and the service per channel in simulation at the project's staffing against
  the promise.

Results go to ``benchmarks/results/channels.json`` (a run with ``--only`` keeps the other
sections of an earlier run).  Timings on a shared machine: the
ratios and agent counts mean more than absolute seconds.
"""

from __future__ import annotations

import argparse
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

from staffplan import channels, simulate

RESULTS = Path(__file__).resolve().parent / "results" / "channels.json"
INTERVAL_MIN = 30
AHT_S = {"calls": 240.0, "chats": 540.0, "mail": 420.0}
CHANNEL = {"calls": "voice", "chats": "chat", "mail": "deferred"}
CONCURRENCY = {"chats": 3}
SERVICE_LEVEL = {"calls": 0.8, "chats": 0.8, "mail": 0.95}
TARGET_S = {"calls": 20.0, "chats": 60.0, "mail": 8 * 3600.0}
GROUP = {"calls": "phone", "chats": "chat", "mail": "back"}


def centre(days: int, start: str = "2026-01-05") -> tuple[pd.DataFrame, np.ndarray]:
    """Contacts per interval of a centre open Monday-Saturday 08-20; e-mail around the clock."""
    idx = pd.date_range(start, periods=days * 24 * 60 // INTERVAL_MIN, freq=f"{INTERVAL_MIN}min")
    hour = idx.hour + idx.minute / 60
    open_ = np.asarray((hour >= 8) & (hour < 20) & (idx.day_of_week < 6))
    # Two daily peaks (late morning, early afternoon), quieter Saturdays.
    shape = 0.6 + np.exp(-(((hour - 10.5) / 1.5) ** 2)) + 0.8 * np.exp(-(((hour - 14.5) / 2) ** 2))
    day = np.where(idx.day_of_week == 5, 0.6, 1.0)
    calls = np.where(open_, 70 * shape * day, 0.0)
    chats = np.where(open_, 35 * shape * day, 0.0)
    mail = np.where(open_, 14.0, 6.0)
    return pd.DataFrame({"calls": calls, "chats": chats, "mail": mail}, index=idx), open_


def _requirements(vol: pd.DataFrame, open_: np.ndarray, **kw: Any) -> channels.ChannelRequirement:
    return channels.channel_requirements(
        vol, AHT_S, channel=CHANNEL, concurrency=CONCURRENCY, service_level=SERVICE_LEVEL,
        target_answer_s=TARGET_S, business_hours=open_, **kw,
    )  # fmt: skip


def run_speed(args: argparse.Namespace) -> dict[str, Any]:
    vol, open_ = centre(365)
    out: dict[str, Any] = {"intervals": len(vol), "queues": list(vol.columns)}
    repeats = 1 if args.quick else 3
    for label, hours in (("e-mail in business hours", open_), ("e-mail around the clock", None)):
        times, cpu = [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            req = _requirements(vol, hours)  # type: ignore[arg-type]
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        out[label] = {
            "median_s": statistics.median(times),
            "median_cpu_s": statistics.median(cpu),
            "all_s": times,
            "agent_intervals": {q: float(req.agents[q].sum()) for q in vol.columns},
            "planned_within_mail": float(req.planned_within["mail"]),
        }
        print(
            f"  year, {label}: {statistics.median(times):.2f} s wall, "
            f"{statistics.median(cpu):.2f} s CPU (median of {repeats})"
        )
    out["simulation"] = _simulation_speed(args)
    return out


def _simulation_speed(args: argparse.Namespace) -> dict[str, Any]:
    """Contacts per second of ``simulate_queues`` (three queues) and ``simulate_intervals``."""
    vol, open_ = centre(2 if args.quick else 7)
    staff = _requirements(vol, open_).agents.rename(columns=GROUP)
    runs = 5 if args.quick else 20
    t0, c0 = time.perf_counter(), time.process_time()
    res = _simulate(vol, staff, open_, list(vol.columns), runs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    contacts = float(res.per_run["offered"].sum())
    t1, c1 = time.perf_counter(), time.process_time()
    one = simulate.simulate_intervals(
        vol.calls.to_numpy(), AHT_S["calls"], staff.phone.to_numpy(), interval_min=INTERVAL_MIN,
        n_reps=runs, rng=7,
    )  # fmt: skip
    wall1, cpu1 = time.perf_counter() - t1, time.process_time() - c1
    contacts1 = float(one.offered.sum() * runs)
    out = {
        "simulate_queues": {"contacts": contacts, "wall_s": wall, "cpu_s": cpu,
                            "contacts_per_cpu_s": contacts / cpu},
        "simulate_intervals_voice_only": {"contacts": contacts1, "wall_s": wall1, "cpu_s": cpu1,
                                          "contacts_per_cpu_s": contacts1 / cpu1},
    }  # fmt: skip
    print(
        f"  simulate_queues, {len(vol) // 48} days x 3 queues x {runs} runs: {contacts:,.0f} "
        f"contacts, {cpu:.2f} s CPU ({contacts / cpu:,.0f} per s); simulate_intervals on the "
        f"voice queue alone: {contacts1 / cpu1:,.0f} per s"
    )
    return out


def _simulate(
    vol: pd.DataFrame, staff: pd.DataFrame, open_: np.ndarray, queues: list[str], runs: int
) -> simulate.MultiQueueResult:
    return simulate.simulate_queues(
        vol[queues], {q: AHT_S[q] for q in queues}, INTERVAL_MIN,
        staff[[GROUP[q] for q in queues]], {GROUP[q]: [q] for q in queues},
        target_answer_s={q: TARGET_S[q] for q in queues},
        concurrency={q: k for q, k in CONCURRENCY.items() if q in queues} or None,
        channel={q: CHANNEL[q] for q in queues}, runs=runs, seed=7, business_hours=open_,
    )  # fmt: skip


def _interval_service(res: simulate.MultiQueueResult, q: str) -> np.ndarray:
    return res.intervals.xs(q, level="queue").service_level.to_numpy()


def _fewest_per_interval(
    vol: pd.DataFrame, start: np.ndarray, open_: np.ndarray, q: str, runs: int
) -> tuple[np.ndarray, int]:
    """Fewest agents per interval whose simulation meets the target in every open interval.

    Greedy with common random numbers (one seed): raise every failing interval by one,
    then try one fewer everywhere and keep the cuts whose interval still meets the target;
    an interval whose cut once failed is not cut again.  Returns the staffing and the
    number of simulations run.
    """
    target = SERVICE_LEVEL[q]
    staff = start.astype(float).copy()
    frozen = np.zeros(staff.size, dtype=bool)
    sims = 0
    frame = pd.DataFrame({GROUP[q]: staff}, index=vol.index)
    has_work = open_ & (vol[q].to_numpy() > 0)
    for _ in range(40):
        frame[GROUP[q]] = staff
        sl = _interval_service(_simulate(vol, frame, open_, [q], runs), q)
        sims += 1
        fail = has_work & ~(sl >= target)
        if fail.any():
            staff[fail] += 1
            frozen |= fail
            continue
        trial = staff.copy()
        cut = has_work & ~frozen & (staff > 0)
        if not cut.any():
            break
        trial[cut] -= 1
        frame[GROUP[q]] = trial
        sl_t = _interval_service(_simulate(vol, frame, open_, [q], runs), q)
        sims += 1
        ok = cut & (sl_t >= target)
        frozen |= cut & ~ok
        if not ok.any():
            break
        staff[ok] -= 1
    return staff, sims


def _mail_share(res: simulate.MultiQueueResult, last_open: int) -> float:
    within = res.per_run["within"][:, : last_open + 1, :].sum(axis=(0, 1))
    offered = res.per_run["offered"][:, : last_open + 1, :].sum(axis=(0, 1))
    return float(within[-1] / offered[-1])


def _fewest_mail(
    vol: pd.DataFrame, plan: np.ndarray, open_: np.ndarray, runs: int
) -> tuple[np.ndarray, int]:
    """Smallest scaling of the planned e-mail shape whose simulation meets the target."""
    last_open = int(np.flatnonzero(open_)[-1])

    def staffing(scale: float) -> np.ndarray:
        return np.diff(np.ceil(np.cumsum(plan * scale) - 1e-9), prepend=0.0)

    def meets(scale: float) -> bool:
        frame = pd.DataFrame({"back": staffing(scale)}, index=vol.index)
        return _mail_share(_simulate(vol, frame, open_, ["mail"], runs), last_open) >= 0.95

    lo, hi, sims = 0.5, 1.0, 0
    while not meets(hi):
        sims += 1
        lo, hi = hi, hi * 1.25
    sims += 1
    for _ in range(7):
        mid = 0.5 * (lo + hi)
        sims += 1
        if meets(mid):
            hi = mid
        else:
            lo = mid
    return staffing(hi), sims


def run_three_channels(args: argparse.Namespace) -> dict[str, Any]:
    days = 3 if args.quick else 7
    runs = 8 if args.quick else 20
    vol, open_ = centre(days)
    req = _requirements(vol, open_)
    staff = req.agents.rename(columns=GROUP)
    res = _simulate(vol, staff, open_, list(vol.columns), runs)
    last_open = int(np.flatnonzero(open_)[-1])
    hours = INTERVAL_MIN / 60
    out: dict[str, Any] = {"days": days, "runs": runs, "channels": {}}
    print(
        "\n| channel | promise | simulated at the project's staffing | intervals meeting it | "
        "project [agent-h] | simulation-optimal [agent-h] | project / optimal |"
    )
    print("|---|---|---|---|---|---|---|")
    for q in vol.columns:
        t0 = time.perf_counter()
        if CHANNEL[q] == "deferred":
            service = _mail_share(res, last_open)
            meeting = float("nan")
            plan = req.deferred.xs(q, level="queue").agents.to_numpy()
            best, sims = _fewest_mail(vol, plan, open_, runs)
            promise = f"{SERVICE_LEVEL[q]:.0%} within {TARGET_S[q] / 3600:g} business h"
        else:
            has_work = open_ & (vol[q].to_numpy() > 0)
            sl = _interval_service(res, q)
            service = float(res.totals.loc[q, "service_level"])
            meeting = float((sl[has_work] >= SERVICE_LEVEL[q]).mean())
            best, sims = _fewest_per_interval(vol, req.agents[q].to_numpy(), open_, q, runs)
            promise = f"{SERVICE_LEVEL[q]:.0%} in {TARGET_S[q]:g} s, every interval"
        project_h = float(req.agents[q].sum() * hours)
        best_h = float(best.sum() * hours)
        out["channels"][q] = {
            "channel": CHANNEL[q],
            "promise": promise,
            "simulated_service": service,
            "share_of_intervals_meeting": meeting,
            "project_agent_hours": project_h,
            "simulation_optimal_agent_hours": best_h,
            "ratio": project_h / best_h,
            "simulations": sims,
            "search_s": time.perf_counter() - t0,
        }
        meet_txt = "" if np.isnan(meeting) else f"{meeting:.0%}"
        print(
            f"| {CHANNEL[q]} ({q}) | {promise} | {service:.3f} | {meet_txt} | {project_h:.1f} | "
            f"{best_h:.1f} | {project_h / best_h:.3f} |"
        )
    return out


#: Benchmark sections in run order; each takes the parsed arguments and returns its JSON.
SECTIONS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "speed": run_speed,
    "three_channels": run_three_channels,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short settings for a smoke run")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(SECTIONS)}")
    args = ap.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or list(SECTIONS)
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        ap.error(f"--only must name some of {', '.join(SECTIONS)}; got {', '.join(unknown)}")
    result: dict[str, Any] = {
        "benchmark": "channels",
        "command": "python benchmarks/bench_channels.py" + (" --quick" if args.quick else ""),
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        },
    }
    if RESULTS.exists():  # keep the sections not run this time
        try:
            old = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            old = {}
        result = {**{k: v for k, v in old.items() if k in SECTIONS}, **result}
    for name in chosen:
        print(f"== {name}")
        result[name] = SECTIONS[name](args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2, default=float))
    tmp.replace(RESULTS)
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
