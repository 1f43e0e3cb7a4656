"""``staffplan demo`` stage by stage, with the plan's quality beside its time.

    python benchmarks/bench_demo.py [--repeats 3] [--baseline-src PATH] [--no-24-7]

Each repeat runs ``python -m staffplan demo`` in a fresh process and records its wall time,
its user and system CPU (the child's ``getrusage``), the stage times it prints, the 1-minute
load average before it started, and what the plan is worth: paid hours, intervals below
target (formula and simulation), the simulated service level, the roster's objective and
its gap; the time outside the stages (process start, imports, printing, exit) is kept
apart.  A 24/7 centre (five weeks of round-the-clock history on 30-minute intervals,
``tests/cli/_chain.round_the_clock_history``) is planned the same way through
``staffplan.plan`` unless ``--no-24-7``.

With ``--baseline-src`` (the ``src`` directory of another checkout) every run is repeated on
that tree, interleaved with this one (the order alternating) so that both see the same load.
Medians over ``--repeats``.  The rosters are deterministic, so the quality columns must agree
between repeats; times on a shared machine do not, so the load average is printed with them.
Writes ``benchmarks/results/demo.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_everyday import _demo, _env, _turns, source_trees, write_results  # noqa: E402

RESULTS = HERE / "results" / "demo.json"
QUALITY = (
    "paid_hours",
    "intervals_below_target",
    "sim_intervals_below_target",
    "sim_service_level",
    "roster_objective",
    "roster_gap",
)

_PLAN_247 = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from _chain import round_the_clock_history
import staffplan
history = round_the_clock_history()
t0 = time.perf_counter()
stages = {}
def progress(stage, seconds):
    stages[stage] = seconds
p = staffplan.plan(history, horizon="7D", progress=progress)
print(json.dumps({"seconds": time.perf_counter() - t0, "stages": stages,
                  "summary": {k: float(v) for k, v in p.summary.items()}}))
"""


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime, r.ru_stime


def _timed(fn: Any, *args: Any) -> dict[str, Any]:
    """``fn(*args)`` (one child process) with its CPU time and the load before it."""
    load = _load()
    user0, sys0 = _cpu()
    out: dict[str, Any] = fn(*args)
    user1, sys1 = _cpu()
    out.update(user_s=user1 - user0, sys_s=sys1 - sys0, load_1min=load)
    return out


def _demo_run(src: Path, work: Path) -> dict[str, Any]:
    out = _demo(src, work)
    summary = json.loads((Path(out["out"]) / "plan.json").read_text())["summary"]
    out["summary"] = {k: summary.get(k) for k in QUALITY}
    return out


def _plan_247(src: Path, work: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    res = subprocess.run(
        [sys.executable, "-c", _PLAN_247, str(HERE.parent / "tests" / "cli")],
        env=_env(src), capture_output=True, text=True, cwd=work,
    )  # fmt: skip
    if res.returncode != 0:
        raise RuntimeError(f"24/7 plan failed:\n{res.stderr[-2000:]}")
    out: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - t0
    out["summary"] = {k: out["summary"].get(k) for k in QUALITY}
    return out


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _digest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    stage_names = list(runs[0]["stages"])
    return {
        "wall_median_s": _median([r.get("wall_s", r["seconds"]) for r in runs]),
        "user_median_s": _median([r["user_s"] for r in runs]),
        "sys_median_s": _median([r["sys_s"] for r in runs]),
        "load_1min": [round(r["load_1min"], 2) for r in runs],
        "stages_median_s": {
            s: _median([r["stages"].get(s, float("nan")) for r in runs]) for s in stage_names
        },
        # Process start, imports before the first stage, printing and the interpreter's exit.
        "outside_stages_median_s": _median(
            [r.get("wall_s", r["seconds"]) - sum(r["stages"].values()) for r in runs]
        ),
        # Deterministic: one value per repeat, listed so that a difference shows.
        "quality": {k: sorted({r["summary"][k] for r in runs}, key=str) for k in QUALITY},
        "runs": [{k: v for k, v in r.items() if k != "out"} for r in runs],
    }


def measure(trees: dict[str, Path], repeats: int, centre_247: bool) -> dict[str, Any]:
    cases: dict[str, Any] = {"demo": _demo_run}
    if centre_247:
        cases["24/7 plan"] = _plan_247
    out: dict[str, Any] = {name: {} for name in trees}
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        work = Path(tmp)
        for case, fn in cases.items():
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
            for i in range(repeats):
                for name, src in _turns(trees, i):
                    runs[name].append(_timed(fn, src, work))
            for name in trees:
                out[name][case] = _digest(runs[name])
    return out


def _print(results: dict[str, Any]) -> None:
    for name, cases in results.items():
        for case, d in cases.items():
            print(f"{name} / {case}: wall {d['wall_median_s']:.2f} s, user CPU "
                  f"{d['user_median_s']:.2f} s, sys {d['sys_median_s']:.2f} s "
                  f"(medians; load {d['load_1min']})")  # fmt: skip
            print("  stages [s]: " + ", ".join(
                f"{k} {v:.2f}" for k, v in d["stages_median_s"].items())
                + f"; outside the stages {d['outside_stages_median_s']:.2f}")  # fmt: skip
            print("  quality: " + ", ".join(f"{k} {v}" for k, v in d["quality"].items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3, help="repeats per tree and case (3)")
    ap.add_argument("--baseline-src", type=Path, help="src directory of another checkout")
    ap.add_argument("--no-24-7", action="store_true", help="skip the 24/7 centre")
    args = ap.parse_args(argv)
    trees = source_trees(ap, args.baseline_src)
    results = measure(trees, args.repeats, not args.no_24_7)
    _print(results)
    meta = {
        "repeats": args.repeats,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "trees": {name: str(src) for name, src in trees.items()},
    }
    write_results(RESULTS, meta, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
