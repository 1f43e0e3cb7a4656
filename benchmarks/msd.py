"""Minimum Shift Design benchmark (Musliu, Schaerf, Slany; Di Gaspero et al. 2007).

Loads instances in the DBAI MiniZinc format (``name = value;`` lines), solves each with
``staffplan.roster.solve`` and prints one JSON line per instance::

    python benchmarks/msd.py ../shared/data/msd/DataSet1/*.dzn --time-limit 60

The MSD objective maps onto roster weights as: shortage and surplus cost
``weightUnderCover`` / ``weightOverCover`` per person-minute (so ``× interval`` per
person-interval), each distinct (start, length) shift used costs ``weightShiftInstances``
(``Weights.pattern``), paid time costs nothing, the week is cyclic and there are no lunches,
breaks or leads.  The duties-per-week window is not part of the roster model; it is evaluated
on the solution and its penalty (``weightDutiesPerWeek × violation``) added to the objective
printed (it is 0 on DataSet1).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from staffplan import roster

RESULTS = Path(__file__).resolve().parent / "results"
#: Proven optima of DataSet1 (Di Gaspero et al. 2007).
KNOWN_OPTIMA = {
    "RandomExample1": 480,
    "RandomExample2": 300,
    "RandomExample3": 600,
    "RandomExample4": 450,
    "RandomExample5": 480,
}


def parse_dzn(text: str) -> dict[str, Any]:
    """``name = value;`` assignments of a MiniZinc data file (ints, floats and int arrays)."""
    out: dict[str, Any] = {}
    text = re.sub(r"%[^\n]*", "", text)
    for name, value in re.findall(r"(\w+)\s*=\s*(.*?);", text, flags=re.S):
        value = value.strip()
        if value.startswith("["):
            out[name] = [int(v) for v in re.findall(r"-?\d+", value)]
        else:
            out[name] = float(value) if "." in value else int(value)
    return out


def load_instance(path: str | Path) -> tuple[roster.RosterInstance, dict[str, Any]]:
    """A cyclic-week roster instance equivalent to the MSD instance in ``path``."""
    d = parse_dzn(Path(path).read_text())
    iv = int(d["interval"])
    days = int(d["days"])
    demand = np.asarray(d["demand"], dtype=float)
    if demand.size != days * 1440 // iv:
        raise ValueError(f"{path}: demand has {demand.size} slots, expected {days * 1440 // iv}")
    shifts = [
        roster.ShiftRules(
            name=f"type{i + 1}",
            earliest_start=lo * iv,
            latest_start=hi * iv,
            start_step_min=iv,
            lengths_min=tuple(range(a * iv, b * iv + 1, iv)),
            crosses_midnight=True,
        )
        for i, (lo, hi, a, b) in enumerate(
            zip(d["minStart"], d["maxStart"], d["minLength"], d["maxLength"], strict=True)
        )
    ]
    weights = roster.Weights(
        shortage=int(d["weightUnderCover"]) * iv,
        surplus=int(d["weightOverCover"]) * iv,
        paid_interval=0,
        pattern=int(d["weightShiftInstances"]),
        peak_boost=0.0,
    )
    inst = roster.make_instance(
        demand,
        interval_min=iv,
        shifts=shifts,
        lunch=None,
        span=None,
        weights=weights,
        interval_weights=np.ones(demand.size),
        cyclic=True,
    )
    return inst, d


def duties_penalty(result: roster.RosterResult, d: dict[str, Any]) -> float:
    """``weightDutiesPerWeek × violation`` of the average duties per employee window."""
    frame = result.roster
    if frame.empty or not d.get("weightDutiesPerWeek"):
        return 0.0
    minutes = ((frame["end"] - frame["start"]).dt.total_seconds() / 60).sum()
    employees = minutes / float(d["avgMinutes"])
    avg = len(frame) / employees
    violation = max(0.0, d["minDuties"] - avg, avg - d["maxDuties"])
    return float(d["weightDutiesPerWeek"]) * violation


def run(path: str | Path, time_limit_s: float, num_workers: int) -> dict[str, Any]:
    inst, d = load_instance(path)
    t0 = time.perf_counter()
    res = roster.solve(inst, time_limit_s=time_limit_s, num_workers=num_workers)
    seconds = time.perf_counter() - t0
    pen = duties_penalty(res, d) if res.ok else 0.0
    name = Path(path).stem
    violations = roster.check(inst, res.roster) if res.ok else ["no roster"]
    return {
        "instance": name,
        "objective": res.objective + pen if res.ok else None,
        "bound": res.best_bound,
        "gap_pct": round(100 * res.gap, 2) if res.ok else None,
        "status": res.status,
        "seconds": round(seconds, 3),
        "first_solution_s": round(res.first_solution_s, 3),
        "shortage_person_slots": int(res.coverage["shortage"].sum()),
        "surplus_person_slots": int(res.coverage["surplus"].sum()),
        "distinct_shifts": int(
            res.roster.assign(
                m=res.roster["start"].dt.strftime("%H:%M"),
                e=res.roster["end"] - res.roster["start"],
            )
            .drop_duplicates(["m", "e"])
            .shape[0]
        ),
        "duties_penalty": pen,
        "known_optimum": KNOWN_OPTIMA.get(name),
        "check_violations": len(violations),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="MSD instances (.dzn)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="per instance [s]")
    ap.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    ap.add_argument("--out", default=str(RESULTS / "msd.json"), help="JSON results file")
    args = ap.parse_args(argv)
    rows = []
    for f in args.files:
        row = run(f, args.time_limit, args.workers)
        print(json.dumps(row), flush=True)
        rows.append(row)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    from staffplan._io import atomic_write_text

    atomic_write_text(
        out,
        json.dumps(
            {"time_limit_s": args.time_limit, "workers": args.workers, "instances": rows}, indent=2
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
