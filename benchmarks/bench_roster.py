"""Roster benchmark: quality against a proven lower bound, and against pyworkforce.

    python benchmarks/bench_roster.py --cases [--time-limit 20] [--only 24x7-30,split]
    python benchmarks/bench_roster.py [--time-limit 60] [--workers 2] [--no-peer]
    python benchmarks/bench_roster.py --around-the-clock     # the 24/7 week, shifts cross midnight
    python benchmarks/bench_roster.py --first 7 [--only 24x7-60-3d]   # first-roster quality

``--cases`` rosters each case at the default rules of ``staffplan.plan`` (shift types fitted to
the opening hours, lunch, breaks where the grid holds them, leads and a manager) within the
time limit (``plan``'s default 20 s is the whole budget), then proves a lower bound on the
agent hours on the floor (``roster.lower_bound``, outside that budget), and prints per case:
agent hours on the floor, the bound, the excess over it, shortage, the time to the first and
to the final roster.  Cases: a 24/7 week at 30 and at 15 min, the day-centre week below, a
centre open 08-12 and 14-19, 28 days x 500 agents (07-21 and 24/7), a real week of the fpp2
bank (when ``../shared/data`` is there), a day whose peak needs 30,000 agents, and the 24/7
30-min week once more with ``deterministic=False`` (what determinism costs).  Results go to ``benchmarks/results/roster_cases.json``.

Measures, for ``staffplan.roster.solve`` on 2 workers: time to the first feasible roster
(floor < 10 s), gap to the solver's own bound after the time limit (floor <= 2 %), shortage
and over-staffing; then runs pyworkforce (``MinAbsDifference`` and the hard-coverage
``MinRequiredResources``) on the same requirements with the same shifts (each with its lunch
and breaks fixed at the middle of their windows, since pyworkforce cannot place them) and
prints over-staffing %, under-covered intervals and time side by side.  Results go to
``benchmarks/results/roster.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffplan import roster
from staffplan._io import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
INTERVAL_MIN = 15
SLOTS = 1440 // INTERVAL_MIN


def week_requirements(peak: float = 120.0, *, around_the_clock: bool = False) -> pd.DataFrame:
    """Seven days of 15-min requirements: open 07:00-22:00, peaks near 10:45 and 15:15.

    Weekdays reach ``peak`` agents; Saturday 60 % and Sunday 45 % of it; Monday +5 %.
    ``around_the_clock``: open 24/7, the night at the profile's base (8 % of the peak).
    """
    hours = (np.arange(SLOTS) + 0.5) * INTERVAL_MIN / 60
    shape = (
        0.08
        + 0.92 * np.exp(-(((hours - 10.75) / 1.5) ** 2))
        + 0.78 * np.exp(-(((hours - 15.25) / 1.8) ** 2))
    )
    if not around_the_clock:
        shape = np.where((hours >= 7) & (hours < 22), shape, 0.0)
    shape /= shape.max()
    scale = [1.0, 0.96, 0.95, 0.94, 0.9, 0.6, 0.45]
    values = np.concatenate([peak * s * shape for s in scale])
    ds = pd.date_range("2024-01-01", periods=values.size, freq=f"{INTERVAL_MIN}min")
    return pd.DataFrame({"ds": ds, "required": values})


SHIFTS = (
    roster.ShiftRules(
        name="full",
        earliest_start="07:00",
        latest_start="14:00",
        start_step_min=15,
        lengths_min=(510,),
    ),
    roster.ShiftRules(
        name="part",
        earliest_start="07:00",
        latest_start="18:00",
        start_step_min=15,
        lengths_min=(240, 300, 360),
    ),
)
LUNCH = roster.LunchRule(
    length_min=30,
    paid=False,
    earliest_start_min=180,
    latest_start_min=300,
    min_work_before_min=150,
    min_work_after_min=90,
    min_shift_min=360,
)
BREAKS = tuple(
    roster.BreakRule(
        length_min=15, earliest_start_min=lo, latest_start_min=hi, min_shift_min=shortest, name=name
    )
    for name, lo, hi, shortest in (("morning", 60, 150, 240), ("afternoon", 345, 435, 480))
)


def week_instance(*, around_the_clock: bool = False, **kw: Any) -> roster.RosterInstance:
    """The benchmark instance (span of control 10, manager above 20 agents, 08:00-20:00).

    ``around_the_clock``: the 24/7 week with the default shift types fitted to it
    (``roster.shifts_for_hours``: the same lengths starting every 30 min of the day,
    crossing midnight) and a manager round the clock.
    """
    req = week_requirements(around_the_clock=around_the_clock)
    shifts = SHIFTS
    manager_hours: tuple[str, str] | None = ("08:00", "20:00")
    if around_the_clock:
        shifts = roster.shifts_for_hours(
            req["ds"],
            req["required"],
            interval_min=INTERVAL_MIN,
            lengths_min=(510, 360, 300, 240),
            names=("full", "part 6 h", "part 5 h", "part 4 h"),
        )
        manager_hours = None
    return roster.make_instance(
        req,
        interval_min=INTERVAL_MIN,
        shifts=shifts,
        lunch=LUNCH,
        breaks=BREAKS,
        span=roster.SpanOfControl(
            max_agents_per_lead=10, manager_above_agents=20, manager_hours=manager_hours
        ),
        **kw,
    )


def _fixed_coverage(inst: roster.RosterInstance) -> dict[str, list[int]]:
    """Each allowed shift as a 0/1 vector over the day, lunch and breaks at mid-window."""
    out: dict[str, list[int]] = {}
    for rules in inst.shifts:
        for start in rules.start_mins:
            for length in rules.lengths_min:
                vec = np.zeros(SLOTS, dtype=int)
                a = start // INTERVAL_MIN
                vec[a : a + length // INTERVAL_MIN] = 1
                pieces = []
                if inst.lunch is not None and length >= inst.lunch.min_shift_min:
                    offs = inst.lunch.offsets(length, INTERVAL_MIN)
                    pieces.append((offs[len(offs) // 2], inst.lunch.length_min))
                for b in inst.breaks:
                    if length >= b.min_shift_min:
                        offs = b.offsets(length, INTERVAL_MIN)
                        pieces.append((offs[len(offs) // 2], b.length_min))
                for off, ln in pieces:
                    vec[a + off // INTERVAL_MIN : a + (off + ln) // INTERVAL_MIN] = 0
                out[f"{rules.name}_{start:04d}_{length}"] = vec.tolist()
    return out


PEER_CODE = r"""
import json, sys, time
from pyworkforce.scheduling import MinAbsDifference, MinRequiredResources
p = json.load(sys.stdin)
out = {}
for name, cls in (("MinAbsDifference", MinAbsDifference), ("MinRequiredResources", MinRequiredResources)):
    kw = dict(num_days=p["days"], periods=p["periods"], shifts_coverage=p["shifts"],
              required_resources=p["required"], max_period_concurrency=p["max_period"],
              max_shift_concurrency=p["max_shift"], max_search_time=p["time_limit"],
              num_search_workers=p["workers"])
    if cls is MinRequiredResources:
        kw["cost_dict"] = {k: sum(v) for k, v in p["shifts"].items()}
    t0 = time.perf_counter()
    sol = cls(**kw).solve()
    out[name] = {"seconds": time.perf_counter() - t0, "status": sol.get("status"),
                 "cost": sol.get("cost"), "resources_shifts": sol.get("resources_shifts", [])}
print(json.dumps(out))
"""


def run_peer(inst: roster.RosterInstance, time_limit_s: float, workers: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    try:
        from _peers import peer_python
        from _peers import run_peer as run
    except ImportError:
        return {"skipped": "benchmarks/_peers.py not available"}
    python = peer_python("pyworkforce")
    if python is None:
        return {"skipped": "pyworkforce could not be installed (needs Python >= 3.12)"}
    shifts = _fixed_coverage(inst)
    req = inst.required.reshape(7, SLOTS)
    payload = {
        "days": 7,
        "periods": SLOTS,
        "shifts": shifts,
        "required": req.tolist(),
        "max_period": int(req.max() * 3),
        "max_shift": int(req.max() * 2),
        "time_limit": time_limit_s,
        "workers": workers,
    }
    try:
        answer = run(python, PEER_CODE, payload, timeout_s=4 * time_limit_s + 120)
    except RuntimeError as exc:
        return {"skipped": str(exc)}
    out: dict[str, Any] = {}
    for name, sol in answer.items():
        floor = np.zeros((7, SLOTS))
        for rs in sol["resources_shifts"]:
            floor[int(rs["day"])] += int(rs["resources"]) * np.asarray(shifts[rs["shift"]])
        out[name] = {
            "seconds": round(sol["seconds"], 2),
            "status": sol["status"],
            **_quality(inst, floor.ravel()),
        }
    return out


def _quality(inst: roster.RosterInstance, on_floor: np.ndarray) -> dict[str, Any]:
    req = inst.required.astype(float)
    short = np.maximum(req - on_floor, 0)
    over = np.maximum(on_floor - req, 0)
    return {
        "agent_intervals_required": int(req.sum()),
        "agent_intervals_on_floor": int(on_floor.sum()),
        "overstaffing_pct": round(100 * over.sum() / req.sum(), 2),
        "under_covered_intervals": int((short > 0).sum()),
        "shortage_agent_intervals": int(short.sum()),
        "peak_intervals_short": int((short[req >= 0.9 * req.max()] > 0).sum()),
    }


def _coarsen(req: pd.DataFrame, factor: int) -> pd.DataFrame:
    values = req["required"].to_numpy().reshape(-1, factor).mean(axis=1)
    return pd.DataFrame({"ds": req["ds"].iloc[::factor].to_numpy(), "required": values})


def _split_day(days: int = 7) -> pd.DataFrame:
    """30-min requirements of a centre open 08:00-12:00 and 14:00-19:00, peaks 10:00 and 16:30."""
    hours = (np.arange(48) + 0.5) / 2
    shape = (
        5 + 35 * np.exp(-(((hours - 10) / 1.5) ** 2)) + 30 * np.exp(-(((hours - 16.5) / 1.5) ** 2))
    )
    shape = np.where(((hours >= 8) & (hours < 12)) | ((hours >= 14) & (hours < 19)), shape, 0.0)
    scale = [1.0, 0.95, 0.95, 0.9, 0.9, 0.5, 0.0]
    values = np.concatenate([shape * scale[d % 7] for d in range(days)])
    ds = pd.date_range("2024-01-01", periods=values.size, freq="30min")
    return pd.DataFrame({"ds": ds, "required": values})


def _centre_500(
    days: int = 28, peak: float = 500.0, *, around_the_clock: bool = False
) -> pd.DataFrame:
    """30-min requirements of a 07:00-21:00 centre whose weekday peak needs ``peak`` agents.

    ``around_the_clock``: open 24/7, the night at 10 % of the peak.
    """
    hours = (np.arange(48) + 0.5) / 2
    shape = 0.15 + np.exp(-(((hours - 11) / 2.5) ** 2)) + 0.7 * np.exp(-(((hours - 16) / 2) ** 2))
    if around_the_clock:
        shape = shape - 0.05
    else:
        shape = np.where((hours >= 7) & (hours < 21), shape, 0.0)
    shape = peak * shape / shape.max()
    scale = [1.0, 0.97, 0.95, 0.95, 0.9, 0.55, 0.4]
    values = np.concatenate([shape * scale[d % 7] for d in range(days)])
    ds = pd.date_range("2024-01-01", periods=values.size, freq="30min")
    return pd.DataFrame({"ds": ds, "required": values})


BANK = HERE.parent / ".." / "shared" / "data" / "fpp2_calls" / "calls_30min.csv"


def _bank_week() -> pd.DataFrame | None:
    """The fpp2 bank's week of 2003-10-13 (Mon-Fri 07:00-21:00, 30 min) as a requirement.

    Erlang C at 80 % in 20 s with an assumed AHT of 300 s (the data has none) and 30 %
    shrinkage, on a 7-day grid (the weekend closed).
    """
    from staffplan import erlang

    if not BANK.exists():
        return None
    calls = pd.read_csv(BANK, parse_dates=["timestamp"])
    grid = pd.date_range("2003-10-13", periods=7 * 48, freq="30min")
    volume = calls.set_index("timestamp")["calls"].reindex(grid, fill_value=0.0)
    need = erlang.required_agents(
        volume.to_numpy(float), 300.0, interval_min=30, shrinkage=0.3, integer=False
    )
    return pd.DataFrame({"ds": grid, "required": np.nan_to_num(need)})


def _case_instances(only: set[str] | None) -> list[tuple[str, roster.RosterInstance, dict]]:
    out: list[tuple[str, roster.RosterInstance, dict]] = []

    def add(name: str, req: pd.DataFrame | None, iv: int, **solve_kw: Any) -> None:
        if req is None or (only and name not in only):
            return
        # The rules staffplan.plan uses by default, shift types fitted to the requirement.
        inst = roster.Rules.defaults(iv).make_instance(req, interval_min=iv)
        out.append((name, inst, solve_kw))

    week24 = week_requirements(around_the_clock=True)
    add("24x7-30", _coarsen(week24, 2), 30)
    add("24x7-15", week24, 15)
    add("day-15", week_requirements(), 15)
    add("split", _split_day(), 30)
    add("500x28d", _centre_500(), 30)
    add("24x7-500x28d", _centre_500(around_the_clock=True), 30)
    add("bank", _bank_week(), 30)
    # Memory: run alone (``--only 30k-peak``), the peak RSS printed is the process's.
    add("30k-peak", _centre_500(days=1, peak=30000.0), 30)
    add("24x7-30-nondet", _coarsen(week24, 2), 30, deterministic=False)
    return out


def run_cases(time_limit_s: float, workers: int, only: set[str] | None) -> list[dict[str, Any]]:
    """Roster each case, prove its bound, print a table row per case."""
    rows: list[dict[str, Any]] = []
    head = (
        "| case | required [h] | on floor [h] | lower bound [h] | excess | shortage "
        "| first [s] | final [s] |"
    )
    print(head)
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for name, inst, kw in _case_instances(only):
        t0 = time.perf_counter()
        res = roster.solve(inst, time_limit_s=time_limit_s, num_workers=workers, **kw)
        final_s = time.perf_counter() - t0
        bound = roster.lower_bound(inst, time_limit_s=30.0, num_workers=workers)
        floor_h = float(res.coverage["on_floor"].sum()) * inst.interval_min / 60
        row = {
            "case": name,
            "intervals": inst.n_intervals,
            "interval_min": inst.interval_min,
            "peak_required": int(inst.required.max()),
            "required_h": float(inst.required.sum()) * inst.interval_min / 60,
            "on_floor_h": floor_h,
            "lower_bound_h": bound.on_floor_h,
            "bound_status": bound.status,
            "excess_pct": round(100 * bound.excess(floor_h), 2),
            # A fractional break leaves part of an agent short: the sum need not be whole.
            "shortage_agent_intervals": round(float(res.coverage["shortage"].sum()), 2),
            "first_s": round(res.first_solution_s, 2),
            "final_s": round(final_s, 2),
            "status": res.status,
            "gap_pct": round(100 * res.gap, 2),
            "shifts": res.roster["role"].value_counts().to_dict(),
            "check_violations": len(roster.check(inst, res.roster)),
            "wall_clock_cut_in": any("may differ" in r for r in res.reasons),
            "post_solve_s": res.solver_parameters.get("post_solve_s"),
            "process_peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
            **kw,
        }
        rows.append(row)
        print(
            f"| {name} | {row['required_h']:.1f} | {floor_h:.1f} | {bound.on_floor_h:.1f} | {row['excess_pct']:.2f} % | "
            f"{row['shortage_agent_intervals']:g} | {row['first_s']:.1f} | {row['final_s']:.1f} |",
            flush=True,
        )
    return rows


def _first_shapes(only: set[str] | None) -> list[tuple[str, roster.RosterInstance]]:
    """Round-the-clock weeks and 3-day spans at 15/30/60 min, and the day-centre week."""
    week24 = week_requirements(around_the_clock=True)
    out = []
    for iv in (60, 30, 15):
        req = _coarsen(week24, iv // INTERVAL_MIN) if iv > INTERVAL_MIN else week24
        for days in (3, 7):
            name = f"24x7-{iv}-{days}d"
            if not only or name in only:
                part = req.iloc[: days * 1440 // iv].reset_index(drop=True)
                out.append((name, roster.Rules.defaults(iv).make_instance(part, interval_min=iv)))
    if not only or "day-15" in only:
        out.append(
            (
                "day-15",
                roster.Rules.defaults(15).make_instance(week_requirements(), interval_min=15),
            )
        )
    return out


def run_first(improve_s: float, only: set[str] | None) -> list[dict[str, Any]]:
    """First agents' roster (step 0 of ``solve``) per shape: objective against the LP bound.

    Deterministic quantities only: the agents-only model of each part gets its first roster
    (``_first``, budget 5 s, seed 0, one worker), then (``improve_s`` > 0) CP-SAT's steps 1-3
    within ``improve_s`` deterministic seconds, what the first roster is compared with.
    """
    from staffplan.roster._bound import agents_only
    from staffplan.roster._model import RosterModel, components
    from staffplan.roster._solve import _Best, _Ctx, _first, _improve

    rows: list[dict[str, Any]] = []
    print("| shape | first | after improve | first over improved | LP bound | first paid [h] |")
    print("|---|---|---|---|---|---|", flush=True)
    for name, inst in _first_shapes(only):
        relaxed = agents_only(inst)
        comps = components(inst)
        first = improved = lp = paid = 0.0
        for days in [None] if len(comps) == 1 else comps:
            rm = RosterModel(relaxed, days=days)
            ctx = _Ctx(time.perf_counter() + 600.0, 1, 0, True)
            best = _Best(rm, _first(rm, ctx, 5.0, lp_s=5.0))
            first += best.objective
            lp += rm.lp_bound
            paid += sum(r["shift"].paid for r in best.records) * inst.interval_min / 60
            if improve_s > 0:
                improved += _improve(rm, best, improve_s, ctx).objective
        row = {
            "shape": name,
            "first": first,
            "improved": improved if improve_s > 0 else None,
            "lp_bound": lp,
            "first_paid_h": paid,
        }
        over = f"{100 * (first / improved - 1):.1f} %" if improve_s > 0 else "-"
        print(f"| {name} | {first:.0f} | {improved:.0f} | {over} | {lp:.0f} | {paid:.1f} |")
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--time-limit", type=float, default=None, help="solver time limit [s] (60; 20 with --cases)"
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-peer", action="store_true", help="skip pyworkforce")
    ap.add_argument("--out", help="JSON file (results/roster.json, roster_24x7.json)")
    ap.add_argument(
        "--around-the-clock",
        action="store_true",
        help="the 24/7 week with fitted default shifts crossing midnight (no peer)",
    )
    ap.add_argument("--cases", action="store_true", help="the quality table against the bound")
    ap.add_argument("--only", help="comma-separated case names (with --cases or --first)")
    ap.add_argument(
        "--first",
        type=float,
        metavar="IMPROVE_S",
        help="first-roster quality per shape, against CP-SAT's steps within IMPROVE_S (0: none)",
    )
    args = ap.parse_args(argv)
    if args.first is not None:
        only = set(args.only.split(",")) if args.only else None
        doc = {"improve_s": args.first, "shapes": run_first(args.first, only)}
        out = Path(args.out or RESULTS / "roster_first.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(out, json.dumps(doc, indent=2, default=str))
        return 0
    if args.cases:
        limit = 20.0 if args.time_limit is None else args.time_limit
        only = set(args.only.split(",")) if args.only else None
        rows = run_cases(limit, args.workers, only)
        out = Path(args.out or RESULTS / "roster_cases.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        doc = {"time_limit_s": limit, "workers": args.workers, "cases": rows}
        atomic_write_text(out, json.dumps(doc, indent=2, default=str))
        return 0
    if args.time_limit is None:
        args.time_limit = 60.0
    inst = week_instance(around_the_clock=args.around_the_clock)
    if args.out is None:
        args.out = str(RESULTS / ("roster_24x7.json" if args.around_the_clock else "roster.json"))
    t0 = time.perf_counter()
    res = roster.solve(inst, time_limit_s=args.time_limit, num_workers=args.workers)
    seconds = time.perf_counter() - t0
    violations = roster.check(inst, res.roster)
    roles = res.roster["role"].value_counts().to_dict()
    ours = {
        "seconds": round(seconds, 2),
        "status": res.status,
        "first_feasible_s": round(res.first_solution_s, 2),
        "objective": res.objective,
        "best_bound": res.best_bound,
        "gap_pct": round(100 * res.gap, 3),
        "people_shifts": roles,
        "check_violations": len(violations),
        "max_agents_per_lead_on_floor": float(np.nanmax(res.coverage["agents_per_lead"])),
        **_quality(inst, res.coverage["on_floor"].to_numpy(float)),
    }
    print(f"staffplan.roster: {json.dumps(ours)}", flush=True)
    # pyworkforce shifts are 0/1 vectors inside one day: no shift crosses midnight.
    skip_peer = args.no_peer or args.around_the_clock
    peer = {} if skip_peer else run_peer(inst, args.time_limit, args.workers)
    for name, row in peer.items():
        print(f"pyworkforce {name}: {json.dumps(row)}", flush=True)
    summary = {
        "instance": {
            "intervals": inst.n_intervals,
            "interval_min": INTERVAL_MIN,
            "peak_required": int(inst.required.max()),
            "required_agent_intervals": int(inst.required.sum()),
        },
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "staffplan": ours,
        "pyworkforce": peer,
    }
    if "MinAbsDifference" in peer:
        print(
            "over-staffing %: staffplan {:.1f} | MinAbsDifference {:.1f} | MinRequiredResources {}".format(
                ours["overstaffing_pct"],
                peer["MinAbsDifference"]["overstaffing_pct"],
                peer.get("MinRequiredResources", {}).get("overstaffing_pct"),
            )
        )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, json.dumps(summary, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
