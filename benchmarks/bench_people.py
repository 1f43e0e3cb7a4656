"""Rosters for named people: 50, 200 and 500 people over 4 weeks of a 24/7 centre at 30 min.

    python benchmarks/bench_people.py [--time-limit 120] [--sizes 50,200,500] [--workers 2]

Each case is a round-the-clock centre (nights at a fifth of the day's peak, weekends lower)
whose requirement asks for the agents' contract minimum hours (less leave) on the floor (the
count roster adds the surplus whole shifts bring), staffed by:

- agents in teams of at most 7 with one lead each (teams fixed for the 4 weeks, a manager on
  the floor past 20 agents); managers work days only (round the clock from 300 people,
  where more than 20 agents work nights), leads round the clock;
- full-timers (60 %): 36-40 h a week, 2 days off together, at most 5 days in a row, 11 h rest;
- part-timers (25 %): 16-24 h a week averaged over 2 weeks, no nights, early or late shifts;
- flexible (15 %): 24-40 h a week averaged over the 4 weeks;
- 5 % on a week of leave, 10 % with two wished days off.

Shifts: 8 h paid plus a 30-min unpaid lunch, starting 06-08, 09-11, 13-16 or 21-22 (nights
cross midnight) on the hour.  ``roster.solve_people`` gets the whole ``--time-limit``; then,
outside that budget, ``roster.lower_bound`` bounds the agent hours on the floor of any roster
of the same requirement.  Printed and written to ``benchmarks/results/people.json``: time to
the first roster, final gap against the proven bound, the design objective (coverage and
paid hours) over the count-based roster's (the same model without people, solved first
inside the budget), agent hours on the floor over ``lower_bound``, shortage (and the share
of it in intervals some shift reaches: ``lower_bound``'s ``unreachable_h`` are short in any
roster), contract violations found by the independent checker (must be 0), the time the
roster first met every contract minimum, team stability and the fairness spread (max - min
evening, weekend and night shifts among people with the same contract); wall and CPU time of
the solve; then a markdown table of the cases.

The machine these numbers come from is shared: timings are under load.
"""

from __future__ import annotations

import argparse
import json
import math
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
INTERVAL_MIN = 30
DAYS = 28
START = pd.Timestamp("2024-01-01")  # a Monday
TEAM = 7

SHIFTS = (
    roster.ShiftRules("early", earliest_start="06:00", latest_start="08:00", start_step_min=60,
                      lengths_min=(510,)),
    roster.ShiftRules("day", earliest_start="09:00", latest_start="11:00", start_step_min=60,
                      lengths_min=(510,)),
    roster.ShiftRules("late", earliest_start="13:00", latest_start="16:00", start_step_min=60,
                      lengths_min=(510,)),
    roster.ShiftRules("night", earliest_start="21:00", latest_start="22:00", start_step_min=60,
                      lengths_min=(510,), crosses_midnight=True),
)  # fmt: skip
LUNCH = roster.LunchRule(length_min=30, earliest_start_min=180, latest_start_min=300)


def people_for(n: int, seed: int = 0) -> list[roster.Person]:
    """``n`` people: managers, leads (one per team of <= 9 agents) and agents."""
    rng = np.random.default_rng(seed)
    # More than 20 agents on the floor some 16 h a day asks the count roster for about 25
    # manager shifts a week (lunches staggered); 5 managers on 5-day contracts hold at most
    # 25 with no room for rest rules: from 200 people on, at least 6.
    managers = max(3 if n < 100 else 6, round(n / 40))
    # From about 300 people more than 20 agents are on the floor at night too (the night
    # requirement is a fifth of the peak): the manager rule then needs managers at night.
    # Round the clock a lead is on the floor whenever agents are (nights too), with lunches staggered: at least 10.
    leads = max(10, math.ceil((n - managers) / (TEAM + 1)))
    agents = n - managers - leads
    out = [
        roster.Person(f"M{i + 1:02d}", role="manager", min_hours_week=32, max_hours_week=40,
                      min_days_off_week=2, nights=n >= 300)
        for i in range(managers)
    ]  # fmt: skip
    out += [
        roster.Person(f"L{i + 1:03d}", role="lead", team=f"T{i + 1:03d}", min_hours_week=32,
                      max_hours_week=40, min_days_off_week=2, days_off_together=True)
        for i in range(leads)
    ]  # fmt: skip
    for i in range(agents):
        u = rng.random()
        team = f"T{i % leads + 1:03d}"
        leave: tuple[pd.Timestamp, ...] = ()
        if rng.random() < 0.05:
            w = int(rng.integers(0, 4))
            leave = tuple(START + pd.Timedelta(days=7 * w + d) for d in range(7))
        wished: tuple[pd.Timestamp, ...] = ()
        if rng.random() < 0.10:
            wished = tuple(START + pd.Timedelta(days=int(d)) for d in rng.choice(DAYS, 2))
        common: dict[str, Any] = {"team": team, "leave": leave, "days_off_wished": wished}
        if u < 0.60:
            p = roster.Person(f"A{i + 1:03d}", min_hours_week=36, max_hours_week=40,
                              min_days_off_week=2, days_off_together=True,
                              max_consecutive_days=5, **common)  # fmt: skip
        elif u < 0.85:
            p = roster.Person(f"A{i + 1:03d}", min_hours_week=16, max_hours_week=24,
                              hours_weeks=2, nights=False, shift_types=("early", "late"),
                              **common)  # fmt: skip
        else:
            p = roster.Person(f"A{i + 1:03d}", min_hours_week=24, max_hours_week=40,
                              hours_weeks=4, **common)  # fmt: skip
        out.append(p)
    return out


def requirement(people: list[roster.Person], share: float = 0.0) -> np.ndarray:
    """A 24/7 profile asking for the agents' minimum hours plus ``share`` of their range (the count roster adds its surplus)."""
    slots = 1440 // INTERVAL_MIN
    h = (np.arange(slots) + 0.5) * INTERVAL_MIN / 60
    shape = 0.2 + 0.8 * np.exp(-(((h - 11) / 3.0) ** 2)) + 0.6 * np.exp(-(((h - 17) / 3.0) ** 2))
    shape[(h >= 22) | (h < 6)] = 0.2
    week = np.concatenate([shape * f for f in (1.05, 1, 1, 1, 0.95, 0.7, 0.6)])
    prof = np.tile(week, DAYS // 7)
    target_h = sum(
        (p.min_hours_week + share * (p.max_hours_week - p.min_hours_week))
        * (1 - len(p.leave) / DAYS)
        for p in people
        if p.role == "agent"
    ) * (DAYS / 7)
    scale = target_h / (prof.sum() * INTERVAL_MIN / 60)
    return np.floor(prof * scale * 2) / 2


def instance(n: int, seed: int = 0) -> roster.RosterInstance:
    people = people_for(n, seed)
    return roster.make_instance(
        requirement(people),
        interval_min=INTERVAL_MIN,
        start=START,
        shifts=SHIFTS,
        lunch=LUNCH,
        span=roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=20),
        people=people,
        cyclic=False,
    )


def run_case(n: int, time_limit_s: float, workers: int, seed: int) -> dict[str, Any]:
    inst = instance(n, seed)
    t0 = time.perf_counter()
    c0 = time.process_time()
    res = roster.solve_people(inst, time_limit_s=time_limit_s, num_workers=workers,
                              random_seed=seed)  # fmt: skip
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    out: dict[str, Any] = {
        "people": n,
        "status": res.status,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
    }
    if not res.ok:
        out["reasons"] = res.reasons[:5]
        return out
    anon = roster.make_instance(
        inst.required_raw, interval_min=INTERVAL_MIN, start=START, shifts=SHIFTS, lunch=LUNCH,
        span=None, cyclic=False,
    )  # fmt: skip
    bound = roster.lower_bound(anon, time_limit_s=10, num_workers=1)
    m = res.metrics
    floor_h = float(res.coverage["on_floor"].sum()) * INTERVAL_MIN / 60
    short_h = float(res.coverage["shortage"].sum()) * INTERVAL_MIN / 60
    out.update(
        first_roster_s=round(res.first_solution_s, 2),
        minimums_met_s=m["minimums_met_s"],
        hint_s=m["hint_s"],
        gap=round(res.gap, 4),
        objective=res.objective,
        best_bound=res.best_bound,
        design_objective=m["design_objective"],
        count_objective=m["count_objective"],
        design_over_count_pct=round(100 * (m["design_objective"] / m["count_objective"] - 1), 2),
        on_floor_h=round(floor_h, 1),
        floor_bound_h=round(bound.on_floor_h, 1),
        floor_over_bound_pct=round(100 * (floor_h / bound.on_floor_h - 1), 2),
        shortage_agent_h=round(short_h, 1),
        # Hours before the first shift can reach them (the first night): short in any roster.
        unreachable_agent_h=round(bound.unreachable_h, 1),
        reachable_shortage_pct=round(
            100 * (short_h - bound.unreachable_h) / max(1e-9, bound.required_h), 2
        ),
        violations=m["violations"],
        team_stability=round(m["team_stability"], 3),
        lead_overlap=round(m["lead_overlap"], 3),
        fairness_spread=m["fairness_spread"],
        build_s=m["build_s"],
        wall_limited=bool(res.solver_parameters.get("wall_limited")),
    )
    return out


def table(rows: list[dict[str, Any]]) -> str:
    """The cases as a markdown table (the one in benchmarks/README.md and docs/people.md)."""
    head = (
        "| people | first roster (all minimums met) | wall / CPU | gap (proven bound) | "
        "floor h vs bound | "
        "shortage (reachable) | checker violations | team stability | spread eve/wkd/night |"
    )
    out = [head, "|" + "---|" * 9]
    for r in rows:
        if "gap" not in r:
            out.append(f"| {r['people']} | {r['status']} | | | | | | | |")
            continue
        f = r["fairness_spread"]
        out.append(
            f"| {r['people']} | {r['first_roster_s']:.1f} s ({r['minimums_met_s']:.1f} s) | "
            f"{r['wall_s']:.0f} / "
            f"{r['cpu_s']:.0f} s | {r['gap']:.2f} | {r['floor_over_bound_pct']:+.1f} % | "
            f"{r['shortage_agent_h']:,.0f} agent-h ({r['reachable_shortage_pct']:.1f} %) | "
            f"{r['violations']} | {100 * r['team_stability']:.1f} % | "
            f"{f['evening']} / {f['weekend']} / {f['night']} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--sizes", default="50,200,500")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        row = run_case(n, args.time_limit, args.workers, args.seed)
        rows.append(row)
        print(json.dumps(row), flush=True)
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "time_limit_s": args.time_limit,
        "workers": args.workers,
        "note": "timings on a shared 2-core machine under load",
        "cases": rows,
    }
    atomic_write_text(RESULTS / "people.json", json.dumps(payload, indent=2, default=str))
    print(table(rows))
    bad = [r for r in rows if r.get("violations", 1) != 0]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
