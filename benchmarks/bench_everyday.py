"""The everyday path: ``import staffplan``, ``staffplan demo`` and the HTML report.

    python benchmarks/bench_everyday.py [--repeats 5] [--baseline-src PATH]

Measures, each in fresh processes so that nothing is cached between repeats:

- ``import staffplan``, ``import staffplan; staffplan.plan`` and
  ``from staffplan.plan import Scenario, ServiceTarget, compare`` [s], and which
  heavy modules (ortools, statsmodels, matplotlib, scipy.stats) they load;
- ``python -m staffplan demo`` end to end [s], with the stage times it prints;
- ``staffplan.report.write_report`` on the demo plan [s]: the first render in a
  process (matplotlib imported on the way) and the median of the next ones.

Medians over ``--repeats``.  With ``--baseline-src`` (the ``src`` directory of
another checkout, e.g. the main branch) every measurement also runs against that
tree, interleaved with this one so that both see the same machine load, and the
ratios baseline / this are printed: on a shared machine the ratios mean more than
the absolute times.  Writes ``benchmarks/results/everyday.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "everyday.json"
SRC = HERE.parent / "src"
HEAVY = ("ortools", "statsmodels", "matplotlib", "scipy.stats")

_IMPORTS = {
    "import staffplan": "import staffplan",
    "staffplan.plan": "import staffplan\nstaffplan.plan",
    "from staffplan.plan import ...": "from staffplan.plan import Scenario, ServiceTarget, compare",
}

_IMPORT_PROBE = """
import sys, time, json
t0 = time.perf_counter()
{code}
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "heavy": [m for m in {heavy!r} if m in sys.modules]}}))
"""

_RENDER_PROBE = """
import json, sys, time
from pathlib import Path
import pandas as pd
from staffplan import report
from staffplan.plan import Plan
plan_dir = Path(sys.argv[1])
plan = Plan.load(plan_dir)
frames = dict(plan.to_frames())
frames["comparison"] = pd.read_csv(plan_dir / "comparison.csv")
kwargs = dict(title="staffplan demo", summary=dict(plan.summary),
              target_service_level=plan.service.service_level)
times = []
for i in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    report.write_report(frames, Path(sys.argv[3]) / f"report{i}.html", **kwargs)
    times.append(time.perf_counter() - t0)
print(json.dumps({"times": times}))
"""


def _env(src: Path) -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(src))
    env.pop("PYTHONSTARTUP", None)
    return env


def _run(args: list[str], src: Path, cwd: Path | None = None) -> str:
    """stdout, then stderr (progress lines go to either, depending on the version)."""
    out = subprocess.run(
        [sys.executable, *args], env=_env(src), capture_output=True, text=True, cwd=cwd
    )
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{out.stderr[-2000:]}")
    return out.stdout + "\n" + out.stderr


def _import(code: str, src: Path) -> dict[str, Any]:
    probe = _IMPORT_PROBE.format(code=code, heavy=HEAVY)
    lines = [ln for ln in _run(["-c", probe], src).splitlines() if ln.startswith("{")]
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _demo(src: Path, work: Path) -> dict[str, Any]:
    out_dir = work / f"demo-{time.monotonic_ns()}"
    t0 = time.perf_counter()
    text = _run(["-m", "staffplan", "demo", "--out", str(out_dir)], src, cwd=work)
    seconds = time.perf_counter() - t0
    stages = {}
    for line in text.splitlines():
        parts = line.split()
        # stage lines read "  <stage words>  <seconds> s   (total ...)"
        if "(total" in line and len(parts) >= 4 and parts[-4] == "s":
            stages[" ".join(parts[: parts.index("s") - 1])] = float(parts[parts.index("s") - 1])
    return {"seconds": seconds, "stages": stages, "out": str(out_dir)}


def _render(src: Path, plan_dir: Path, work: Path, renders: int) -> list[float]:
    text = _run(["-c", _RENDER_PROBE, str(plan_dir), str(renders), str(work)], src)
    lines = [ln for ln in text.splitlines() if ln.startswith("{")]
    times: list[float] = json.loads(lines[-1])["times"]
    return times


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def _turns(trees: dict[str, Path], i: int) -> list[tuple[str, Path]]:
    """The trees in turn, the order reversed every other repeat (no tree always goes first)."""
    items = list(trees.items())
    return items if i % 2 == 0 else items[::-1]


def measure(trees: dict[str, Path], repeats: int) -> dict[str, Any]:
    """Every measurement for every tree, interleaved repeat by repeat."""
    out: dict[str, Any] = {name: {} for name in trees}
    with tempfile.TemporaryDirectory(prefix="bench-everyday-") as tmp:
        work = Path(tmp)
        for label, code in _IMPORTS.items():
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
            for i in range(repeats * 2):  # cheap: twice the repeats
                for name, src in _turns(trees, i):
                    runs[name].append(_import(code, src))
            for name in trees:
                out[name][label] = {
                    "median_s": _median([r["seconds"] for r in runs[name]]),
                    "heavy_modules_loaded": runs[name][-1]["heavy"],
                }
        demos: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        for i in range(repeats):
            for name, src in _turns(trees, i):
                demos[name].append(_demo(src, work))
        # One plan directory (written by this tree's demo) is rendered by every tree.
        plan_dir = Path(demos[next(iter(trees))][0]["out"])
        renders: dict[str, list[list[float]]] = {name: [] for name in trees}
        for i in range(max(1, repeats // 2)):
            for name, src in _turns(trees, i):
                renders[name].append(_render(src, plan_dir, work, renders=3))
        for name in trees:
            stage_names = demos[name][0]["stages"]
            out[name]["staffplan demo"] = {
                "median_s": _median([d["seconds"] for d in demos[name]]),
                "stages_median_s": {
                    s: _median([d["stages"].get(s, float("nan")) for d in demos[name]])
                    for s in stage_names
                },
            }
            out[name]["write_report"] = {
                "first_median_s": _median([r[0] for r in renders[name]]),
                "warm_median_s": _median([t for r in renders[name] for t in r[1:]]),
            }
    return out


def _print(results: dict[str, Any]) -> None:
    names = list(results)
    rows = [
        *(f"{label} [s]" for label in _IMPORTS),
        "staffplan demo [s]",
        "write_report, first in process [s]",
        "write_report, warm [s]",
    ]

    def value(name: str, row: str) -> float:
        r = results[name]
        if row == "staffplan demo [s]":
            return float(r["staffplan demo"]["median_s"])
        if row.startswith("write_report, first"):
            return float(r["write_report"]["first_median_s"])
        if row.startswith("write_report, warm"):
            return float(r["write_report"]["warm_median_s"])
        return float(r[row.removesuffix(" [s]")]["median_s"])

    header = f"{'':38}" + "".join(f"{n:>12}" for n in names)
    if len(names) == 2:
        header += f"{'ratio':>10}"
    print(header)
    for row in rows:
        vals = [value(n, row) for n in names]
        line = f"{row:38}" + "".join(f"{v:12.3f}" for v in vals)
        if len(names) == 2:
            line += f"{vals[1] / vals[0]:10.2f}"
        print(line)
    for name in names:
        print(f"{name}: heavy modules after 'import staffplan; staffplan.plan':",
              results[name]["staffplan.plan"]["heavy_modules_loaded"] or "none")  # fmt: skip
        stages = results[name]["staffplan demo"]["stages_median_s"]
        print(f"{name}: demo stages [s]: " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))


def source_trees(ap: argparse.ArgumentParser, baseline_src: Path | None) -> dict[str, Path]:
    """``{"this": SRC}`` and, when given, ``{"baseline": baseline_src}`` (checked)."""
    trees = {"this": SRC}
    if baseline_src is not None:
        if not (baseline_src / "staffplan" / "__init__.py").is_file():
            ap.error(f"--baseline-src must hold staffplan/__init__.py, got {baseline_src}")
        trees["baseline"] = baseline_src.resolve()
    return trees


def write_results(path: Path, meta: dict[str, Any], results: dict[str, Any]) -> None:
    """The JSON of a run, written atomically with this tree's writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(SRC))
    from staffplan._io import atomic_write_text

    atomic_write_text(path, json.dumps({"meta": meta, "results": results}, indent=2))
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5, help="repeats per measurement (5)")
    ap.add_argument(
        "--baseline-src",
        type=Path,
        help="src directory of another checkout to compare with (ratios baseline / this)",
    )
    args = ap.parse_args(argv)
    trees = source_trees(ap, args.baseline_src)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    results = measure(trees, args.repeats)
    _print(results)
    meta = {
        "repeats": args.repeats,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1min_before": load_before,
        "trees": {name: str(src) for name, src in trees.items()},
    }
    write_results(RESULTS, meta, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
