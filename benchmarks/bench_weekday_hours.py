"""Hours paid while closed: shift types fitted per weekday against the union of the hours.

    python benchmarks/bench_weekday_hours.py [--time-limit 20] [--quick]

A centre whose hours differ by weekday (weekdays 08:00-20:00, Saturday 09:00-17:00) used to
get shift types fitted to the union of its hours on every day, so Saturday shifts could start
at 08:00, an hour before it opens.  Each case plans the same history twice at
``staffplan.plan``'s defaults: with the types fitted per weekday (rules without ``shifts``,
today's behaviour) and with the union types given as shifts (the old fit, hand arithmetic:
8 h starting from opening up to closing - 8 h, 4 h up to closing - 4 h, over the union).

Cases (synthetic Poisson histories, seeded, 6 weeks; the bundled sample):

- ``short-saturday``: weekdays 08:00-20:00, Saturday 09:00-17:00, Sunday closed, 30 min,
  about 3,600 paid hours a week, through ``staffplan.plan()`` and through ``staffplan plan`` (the command, in-process);
- ``night``: nights 22:00-06:00, Saturday's 22:00-04:00, 30 min (``plan()``);
- ``sample``: the bundled centre (weekdays 07:00-21:00, Saturday 09:00-17:00), 7 days.

Per run: paid hours, paid hours while closed (intervals of a shift, less an unpaid lunch, at a
weekday and time with no requirement in the plan), shifts starting or ending outside their
day's hours, the roster objective and its gap.  Results go to
``benchmarks/results/weekday_hours.json``.  Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import staffplan
from staffplan import datasets, roster
from staffplan._io import atomic_write_text
from staffplan.cli import main
from staffplan.roster._hours import _week_hours

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"

# Opening hours per weekday (0 = Monday) [min after midnight; a close past 1440 is next day].
SHAPES = {
    "short-saturday": {d: (480, 1200) for d in range(5)} | {5: (540, 1020)},
    "night": {d: (1320, 1800) for d in (0, 1, 2, 3, 4, 6)} | {5: (1320, 1680)},
}
# The union of each shape's hours, as the old fit read them.
UNION = {
    "short-saturday": ("08:00", "12:00", "16:00"),
    "night": ("22:00", "22:00", "02:00"),
    "sample": ("07:00", "13:00", "17:00"),
}


def history(
    shape: str, *, scale: float = 1.0, weeks: int = 6, interval_min: int = 30, seed: int = 0
) -> pd.DataFrame:
    """Poisson calls in the shape's hours, ``scale`` x 40 per half hour round a daily hump."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range(
        "2024-01-01", periods=weeks * 10080 // interval_min, freq=f"{interval_min}min"
    )
    week_min = np.asarray(ds.day_of_week * 1440 + ds.hour * 60 + ds.minute)
    open_ = np.zeros(len(ds), dtype=bool)
    for day, (lo, hi) in SHAPES[shape].items():
        open_ |= (week_min - (day * 1440 + lo)) % 10080 < hi - lo
    hour = np.asarray(ds.hour + ds.minute / 60, dtype=float)
    mean = 40 * scale * (1 + 0.6 * np.sin(np.pi * (hour - 8) / 12)) * interval_min / 30
    volume = rng.poisson(np.where(open_, mean, 0.0))
    return pd.DataFrame({"ds": ds, "volume": volume, "aht_s": 300.0})[open_]


def union_rules(case: str) -> roster.Rules:
    start, last_day, last_part = UNION[case]
    crosses = case == "night"
    shifts = (
        roster.ShiftRules("day", start, last_day, 30, (480,), crosses_midnight=crosses),
        roster.ShiftRules(
            "part", start, "23:30" if crosses else last_part, 30, (240,), crosses_midnight=crosses
        ),
    )
    if crosses:  # the old fit's after-midnight part of the 4 h window
        shifts += (roster.ShiftRules("part (after midnight)", "00:00", last_part, 30, (240,)),)
    return roster.Rules.defaults(30).replace(shifts=shifts)


def closed_quality(
    frame: pd.DataFrame, coverage: pd.DataFrame, interval_min: int
) -> dict[str, Any]:
    """Paid hours while closed and shifts outside their day's hours, from the output frames."""
    ds = pd.DatetimeIndex(pd.to_datetime(coverage["ds"]))
    _, weekly, _ = _week_hours(ds, coverage["required"].to_numpy(float), interval_min)
    slots = 1440 // interval_min
    step = pd.Timedelta(minutes=interval_min)
    closed_h = 0.0
    early = late = 0
    for row in frame.itertuples():
        at = pd.date_range(row.start, row.end - step, freq=step)
        if pd.notna(row.lunch_start):  # an unpaid lunch (the default) is not paid time
            at = at[(at < row.lunch_start) | (at >= row.lunch_end)]
        shut = ~weekly[
            np.asarray(at.day_of_week), (at.hour * 60 + at.minute) // interval_min % slots
        ]
        closed_h += float(shut.sum()) * interval_min / 60
        first, last = pd.Timestamp(row.start), pd.Timestamp(row.end) - step
        early += not weekly[first.day_of_week, (first.hour * 60 + first.minute) // interval_min]
        late += not weekly[last.day_of_week, (last.hour * 60 + last.minute) // interval_min]
    return {"paid_closed_h": closed_h, "shifts_start_closed": early, "shifts_end_closed": late}


def run_plan(
    hist: pd.DataFrame, rules: roster.Rules | None, time_limit_s: float, **kw: Any
) -> dict[str, Any]:
    t = time.perf_counter()
    p = staffplan.plan(hist, rules=rules, simulate=False, time_limit_s=time_limit_s, **kw)
    s = p.summary
    out = {
        "paid_h": float(s["paid_hours"]),
        "objective": float(s["roster_objective"]),
        "gap": float(s["roster_gap"]),
        "shortage_h": float(s["shortage_hours"]),
        "shifts": len(p.roster),
        "wall_s": round(time.perf_counter() - t, 1),
    }
    return out | closed_quality(p.roster, p.coverage, p.settings["interval_min"])


def run_cli(hist: pd.DataFrame, rules: roster.Rules | None, time_limit_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "history.csv", Path(tmp) / "plan"
        hist.to_csv(src, index=False)
        argv = ["plan", str(src), "--out", str(out), "--no-simulate", "--no-report", "--quiet"]
        argv += ["--time-limit-s", str(time_limit_s)]
        if rules is not None:
            (Path(tmp) / "rules.json").write_text(json.dumps(rules.to_dict()))
            argv += ["--rules", str(Path(tmp) / "rules.json")]
        t = time.perf_counter()
        if main(argv) != 0:
            raise RuntimeError(f"staffplan {' '.join(argv)} failed")
        wall = round(time.perf_counter() - t, 1)
        frame = pd.read_csv(
            out / "roster.csv", parse_dates=["start", "end", "lunch_start", "lunch_end"]
        )
        coverage = pd.read_csv(out / "coverage.csv", parse_dates=["ds"])
        summary = json.loads((out / "plan.json").read_text())["summary"]
    return {
        "paid_h": float(summary["paid_hours"]),
        "objective": float(summary["roster_objective"]),
        "gap": float(summary["roster_gap"]),
        "shifts": len(frame),
        "wall_s": wall,
    } | closed_quality(frame, coverage, 30)


def main_(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=20.0, help="roster budget [s]")
    ap.add_argument("--quick", action="store_true", help="5 s budget, no sample, no CLI")
    args = ap.parse_args(argv)
    limit = 5.0 if args.quick else args.time_limit
    cases: dict[str, Any] = {}
    for shape in SHAPES:
        # The short Saturday at the size of the centre where the waste was seen (~3,600
        # paid hours a week).
        hist = history(shape, scale=3.0 if shape == "short-saturday" else 1.0)
        for how, rules in (("weekday", None), ("union", union_rules(shape))):
            cases[f"{shape}/plan()/{how}"] = run_plan(hist, rules, limit)
            print(f"{shape}/plan()/{how}", cases[f"{shape}/plan()/{how}"], file=sys.stderr)
            if shape == "short-saturday" and not args.quick:
                cases[f"{shape}/cli/{how}"] = run_cli(hist, rules, limit)
                print(f"{shape}/cli/{how}", cases[f"{shape}/cli/{how}"], file=sys.stderr)
    if not args.quick:
        sample, events = datasets.load_sample()
        for how, rules in (("weekday", None), ("union", union_rules("sample"))):
            cases[f"sample/plan()/{how}"] = run_plan(sample, rules, limit, events=events)
            print(f"sample/plan()/{how}", cases[f"sample/plan()/{how}"], file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    result = {"time_limit_s": limit, "note": "timings under shared load", "cases": cases}
    atomic_write_text(RESULTS / "weekday_hours.json", json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_())
