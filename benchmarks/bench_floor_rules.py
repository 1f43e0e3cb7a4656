"""Floor rules on real centre shapes, through ``staffplan.plan`` at its defaults.

    python benchmarks/bench_floor_rules.py [--time-limit 20] [--quick]

Cases (synthetic Poisson histories, seeded; the bundled sample for the demo):

- ``demo``: the sample centre, 7 days: intervals with more than 20 agents on the floor and
  no manager on the floor, recounted from the roster frame (a manager on a break of part of
  an interval is off the floor for it); breaks rostered and agents on a break.
- ``24/7`` at 30 and 15 min and a ``night`` centre (18:00-06:00), 7 days: requirement and
  agents on the floor in the first two hours of the horizon, total shortage, on-floor hours.
- ``split-day`` (08:00-12:00 and 14:00-19:00, 5 weekdays): agent on-floor hours against a
  lower bound, the least on-floor hours that cover every interval with the same shift types,
  lunch and break rules, agents only (dropping the lead and manager rules cannot raise it),
  solved to proven optimality by CP-SAT; also against the requirement itself (the bound for
  any shift types) and against the bound of 8 h shifts over the whole day (which straddle the
  midday closure).

Results go to ``benchmarks/results/floor_rules.json``.  Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import staffplan
from staffplan import datasets, roster
from staffplan._io import atomic_write_text

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def history(kind: str, interval_min: int, *, weeks: int = 4, seed: int = 3) -> pd.DataFrame:
    """A synthetic history of ``kind`` ("24/7", "night" or "split-day") [contacts, AHT 300 s]."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(
        "2024-01-01", periods=weeks * 7 * 1440 // interval_min, freq=f"{interval_min}min"
    )
    h = np.asarray(ds.hour + ds.minute / 60, dtype=float)
    if kind == "split-day":
        open_ = (((h >= 8) & (h < 12)) | ((h >= 14) & (h < 19))) & (ds.day_of_week < 5)
        lam = (
            60
            + 50 * np.exp(-0.5 * ((h - 10) / 1.5) ** 2)
            + 40 * np.exp(-0.5 * ((h - 16.5) / 1.5) ** 2)
        )
    else:
        open_ = np.ones(len(ds), dtype=bool) if kind == "24/7" else (h >= 18) | (h < 6)
        lam = (
            40 + 160 * np.exp(-0.5 * ((h - 11) / 3) ** 2) + 60 * np.exp(-0.5 * ((h - 19) / 2) ** 2)
        )
    lam = np.where(open_, lam * interval_min / 30, 0.0)
    return pd.DataFrame({"ds": ds, "volume": rng.poisson(lam).astype(float), "aht_s": 300.0})


def on_floor(frame: pd.DataFrame, ds: pd.DatetimeIndex, role: str, interval_min: int) -> np.ndarray:
    """People of ``role`` on the floor per interval, recounted from a roster frame."""
    t0 = ds.to_numpy("datetime64[ns]").astype(np.int64) / 60e9
    out = np.zeros(len(ds))
    for row in frame[frame["role"] == role].itertuples():

        def m(ts: Any) -> float:
            return pd.Timestamp(ts).value / 60e9

        at = ((t0 >= m(row.start)) & (t0 < m(row.end))).astype(float)
        pieces = list(row.breaks) + (
            [(row.lunch_start, row.lunch_end)] if pd.notna(row.lunch_start) else []
        )
        for a, b in pieces:
            share = np.clip(
                (np.minimum(t0 + interval_min, m(b)) - np.maximum(t0, m(a))) / interval_min, 0, None
            )
            at -= (share > 0) if role == "manager" else share
        out += at
    return out


def run_case(kind: str, interval_min: int, time_limit_s: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    if kind == "demo":
        hist, events = datasets.load_sample()
        p = staffplan.plan(
            hist, horizon="7D", events=events, simulate=False, time_limit_s=time_limit_s
        )
    else:
        start = "2024-01-29"  # the Monday after four weeks of history
        p = staffplan.plan(
            history(kind, interval_min),
            horizon="5D" if kind == "split-day" else "7D",
            start=start,
            simulate=False,
            forecast_method="profile",
            time_limit_s=time_limit_s,
        )
    wall = time.perf_counter() - t0
    cov, r = p.coverage, p.roster
    ds = pd.DatetimeIndex(cov["ds"])
    hours = interval_min / 60
    agents = on_floor(r, ds, "agent", interval_min)
    managers = on_floor(r, ds, "manager", interval_min)
    if p.rules.cyclic is not False:  # wrapped: shifts past the end cover the first hours
        later = ds + len(ds) * pd.Timedelta(minutes=interval_min)
        agents += on_floor(r, later, "agent", interval_min)
        managers += on_floor(r, later, "manager", interval_min)
    if not np.allclose(agents, cov["on_floor"].to_numpy(float)):
        raise AssertionError(f"{kind}: recount and coverage frame disagree")
    first = slice(0, 120 // interval_min)
    out: dict[str, Any] = {
        "case": kind,
        "interval_min": interval_min,
        "roster_status": p.settings["roster_status"],
        "plan_wall_s": round(wall, 1),
        "on_floor_h": round(float(agents.sum()) * hours, 2),
        "required_h": round(float(cov["required"].sum()) * hours, 2),
        "shortage_h": round(float(cov["shortage"].sum()) * hours, 2),
        "first_2h_required": cov["required"].iloc[first].tolist(),
        "first_2h_on_floor": [round(float(v), 2) for v in agents[first]],
        "intervals_over_20": int((agents > 20).sum()),
        "over_20_without_manager": int(((agents > 20) & (managers < 1)).sum()),
        "breaks_rostered": int(sum(len(b) for b in r["breaks"])),
        "agents_on_break_h": round(float(cov["off_break"].sum()) * hours, 2),
    }
    if kind == "split-day":
        rules = roster.Rules.from_dict(
            {"shifts": p.settings["roster_shifts"]}, interval_min=interval_min
        )
        kw = {"interval_min": interval_min, "lunch": rules.lunch, "breaks": rules.breaks}
        bound, status = roster.floor_bound(cov[["ds", "required"]], shifts=rules.shifts, **kw)
        straddling = (
            roster.ShiftRules("day", "08:00", "11:00", lengths_min=(480,)),
            roster.ShiftRules("part", "08:00", "15:00", lengths_min=(240,)),
        )
        straddle_bound, _ = roster.floor_bound(cov[["ds", "required"]], shifts=straddling, **kw)
        out |= {
            "bound_h": round(bound, 2),
            "bound_status": status,
            "excess_over_bound": round(out["on_floor_h"] / bound - 1, 4),
            "excess_over_requirement": round(out["on_floor_h"] / out["required_h"] - 1, 4),
            "straddling_bound_h": round(straddle_bound, 2),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--quick", action="store_true", help="demo and split-day only")
    args = parser.parse_args(argv)
    cases = [("demo", 30), ("split-day", 30)]
    if not args.quick:
        cases += [("24/7", 30), ("24/7", 15), ("night", 30)]
    rows = []
    for kind, iv in cases:
        row = run_case(kind, iv, args.time_limit)
        rows.append(row)
        print(json.dumps(row))
    RESULTS.mkdir(exist_ok=True)
    atomic_write_text(RESULTS / "floor_rules.json", json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
