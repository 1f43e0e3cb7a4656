"""Skills: a two-skill voice centre staffed by skill group, checked by simulation; its roster.

    python benchmarks/bench_skills.py [--quick] [--time-limit 60]

Cases (synthetic, seeded):

- ``two-skill``: English (120 calls / 30 min) and French (40) lines, AHT 300 s, 80/20, with
  English, French and bilingual agents (bilingual cost 1.1, French first).  Agents the project
  staffs (``skills.skill_requirements``, simulation check on) against the *simulation-optimal*
  staffing (the fewest agents, searched over group mixes, whose fresh simulation meets 80 % on
  both queues over the horizon), against one dedicated team per queue and against one pool
  (Erlang on the merged load: no staffing can do better); the service each queue gets in a
  fresh simulation (another seed, 40 runs) against the 80 % promise; the pooling gain of
  cross-training (agents needed dedicated vs cross-trained).
- ``speed``: 5 skills x a week of 30-min intervals, 8 groups, the two LPs and the MILP
  (no simulation): median of 3 wall times.
- ``roster``: two-skill roster (English, French, bilingual) for about 200 agents x a week,
  30-min grid, leads and a manager, within ``--time-limit``: agent on-floor hours against
  ``roster.lower_bound`` of the same grouped instance, group shortages after cover.

Results go to ``benchmarks/results/skills.json``.  Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from staffplan import roster, skills
from staffplan._io import atomic_write_text
from staffplan.simulate import simulate_queues

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
AHT = {"en": 300.0, "fr": 300.0}
GROUPS = [
    skills.SkillGroup("en", ("en",)),
    skills.SkillGroup("fr", ("fr",)),
    skills.SkillGroup("bi", ("fr", "en"), cost=1.1),
]
SKILLS = {g.name: list(g.skills) for g in GROUPS}


def _served(arr: pd.DataFrame, agents: pd.DataFrame, runs: int, seed: int) -> dict[str, float]:
    res = simulate_queues(arr, AHT, 30, agents, SKILLS, runs=runs, seed=seed)
    return {q: float(res.totals.loc[q, "service_level"]) for q in arr.columns}


def two_skill(quick: bool) -> dict[str, Any]:
    n = 4 if quick else 8
    idx = pd.date_range("2024-01-01 08:00", periods=n, freq="30min")
    arr = pd.DataFrame({"en": np.full(n, 120.0), "fr": np.full(n, 40.0)}, index=idx)
    t0 = time.perf_counter()
    req = skills.skill_requirements(arr, AHT, GROUPS, interval_min=30, runs=20, seed=0)
    staff_s = time.perf_counter() - t0
    project = int(req.total.max())
    pooled = skills.skill_requirements(
        arr, AHT, {"all": ["en", "fr"]}, interval_min=30, simulate=False
    )
    one_pool = int(pooled.total.max())
    dedicated = int(req.dedicated_total.max())
    served = _served(arr, req.agents, runs=40, seed=12345)
    # Simulation-optimal: the fewest agents (any mix) whose fresh simulation meets 80 %.
    best: dict[str, Any] | None = None
    tried = 0
    for total in range(one_pool, dedicated + 1):
        for n_bi in range(0, 7):
            for n_fr in range(max(0, 6 - n_bi), 11 - n_bi):
                n_en = total - n_bi - n_fr
                if n_en < 0:
                    continue
                mix = pd.DataFrame({"en": n_en, "fr": n_fr, "bi": n_bi}, index=idx)
                tried += 1
                sl = _served(arr, mix, runs=20, seed=777)
                if min(sl.values()) >= 0.8:
                    best = {"total": total, "en": n_en, "fr": n_fr, "bi": n_bi, "service": sl}
                    break
            if best:
                break
        if best:
            break
    return {
        "case": "two-skill",
        "intervals": n,
        "project_agents": project,
        "project_mix": {k: int(v) for k, v in req.agents.loc[req.total.idxmax()].items()},
        "simulation_optimal_agents": None if best is None else best["total"],
        "simulation_optimal_mix": best,
        "mixes_simulated": tried,
        "dedicated_agents": dedicated,
        "one_pool_agents": one_pool,
        "pooling_gain_agents": dedicated - project,
        "pooling_gain_share": round(req.pooling_gain(), 4),
        "served_in_simulation": {q: round(v, 4) for q, v in served.items()},
        "promise": 0.8,
        "staffing_s": round(staff_s, 3),
    }


def speed(quick: bool) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    idx = pd.date_range("2024-01-01", periods=7 * 48, freq="30min")
    arr = pd.DataFrame(rng.uniform(0, 150, (idx.size, 5)), index=idx, columns=list("abcde"))
    groups = {
        **{q: [q] for q in "abcde"},
        "ab": ["a", "b"],
        "cde": ["c", "d", "e"],
        "all": list("abcde"),
    }
    times = []
    for _ in range(1 if quick else 3):
        t0 = time.perf_counter()
        req = skills.skill_requirements(
            arr, {q: 240.0 for q in "abcde"}, groups, interval_min=30, simulate=False
        )
        times.append(time.perf_counter() - t0)
    return {
        "case": "speed",
        "skills": 5,
        "groups": len(groups),
        "intervals": idx.size,
        "median_s": round(statistics.median(times), 3),
        "limit_s": 10.0,
        "pooling_gain_share": round(req.pooling_gain(), 4),
    }


def week_roster(time_limit_s: float) -> dict[str, Any]:
    idx = pd.date_range("2024-01-01", periods=7 * 48, freq="30min")
    h = np.asarray(idx.hour + idx.minute / 60, dtype=float)
    shape = np.where((h >= 7) & (h < 21), np.sin(np.pi * (h - 7) / 14).clip(0) ** 0.7, 0.0)
    arr = pd.DataFrame({"en": 280 * shape, "fr": 90 * shape}, index=idx)
    groups = [*GROUPS[:2], skills.SkillGroup("bi", ("fr", "en"), cost=1.1, max_agents=12)]
    req = skills.skill_requirements(
        arr, {"en": 300.0, "fr": 360.0}, groups, interval_min=30, simulate=False
    )
    sched = req.scheduled(0.3)
    inst = roster.make_instance(
        sched.sum(axis=1).to_numpy(),
        interval_min=30,
        start=idx[0],
        shifts=[
            roster.ShiftRules("day", "07:00", "13:00", 30, (480,)),
            roster.ShiftRules("part", "07:00", "17:00", 30, (240,)),
        ],
        breaks=roster.BreakRule(),
        group_requirements={c: sched[c].to_numpy() for c in sched},
        group_skills={g.name: g.skills for g in groups},
    )
    t0 = time.perf_counter()
    res = roster.solve(inst, time_limit_s=time_limit_s, num_workers=2)
    wall = time.perf_counter() - t0
    bound = roster.lower_bound(inst, time_limit_s=30, num_workers=2)
    on_floor_h = float(res.coverage["on_floor"].sum()) * 0.5
    cov = roster.group_coverage(inst, res.roster)
    agents = res.roster[res.roster["role"] == "agent"]
    return {
        "case": "roster",
        "agents": int(agents["person"].nunique()),
        "agent_shifts": len(agents),
        "by_group": {str(k): int(v) for k, v in agents.groupby("skill_group").size().items()},
        "time_limit_s": time_limit_s,
        "wall_s": round(wall, 2),
        "status": res.status,
        "on_floor_h": on_floor_h,
        "bound_h": bound.on_floor_h,
        "bound_status": bound.status,
        "excess_over_bound": round(bound.excess(on_floor_h), 4),
        "group_shortage_h": float(cov["shortage"].sum()) * 0.5,
        "total_shortage_h": float(res.coverage["shortage"].sum()) * 0.5,
        "wall_limited": bool(res.solver_parameters.get("wall_limited")),
        "violations": len(roster.check(inst, res.roster)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--time-limit", type=float, default=60.0)
    args = ap.parse_args(argv)
    rows = [two_skill(args.quick), speed(args.quick), week_roster(args.time_limit)]
    for r in rows:
        print(json.dumps(r))
    RESULTS.mkdir(exist_ok=True)
    atomic_write_text(RESULTS / "skills.json", json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
