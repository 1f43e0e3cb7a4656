"""Count the outcomes of the hostile-input suite per entry point.

Runs ``pytest tests/hostile`` with ``HOSTILE_OUTCOMES`` set, so that every judged call
(hypothesis examples and named regression cases) appends its entry point, input kind and
outcome; then prints the table entry point x inputs tried x outcome and writes it to
``benchmarks/results/hostile_outcomes.json``.

    python benchmarks/hostile_outcomes.py            # HYPOTHESIS_PROFILE=ci: 60 examples
    HYPOTHESIS_PROFILE=thorough python benchmarks/hostile_outcomes.py

Allowed outcomes are ``correct`` and ``clear_error``; the suite fails on any other, so a
green run has zero ``silent_wrong``, ``crash`` and ``hang`` by construction, and this
table shows how many inputs each entry point was tried with and how they ended.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("correct", "clear_error", "silent_wrong", "crash", "hang")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "outcomes.jsonl"
        env = {**os.environ, "HOSTILE_OUTCOMES": str(log), "MPLBACKEND": "Agg"}
        env.setdefault("HYPOTHESIS_PROFILE", "ci")
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/hostile"]
        run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
        rows = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    table: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        table[r["entry"]][r["outcome"]] += 1
        kinds[r["entry"]].add(r["kind"])
    header = f"| entry point | inputs tried | kinds | {' | '.join(OUTCOMES)} |"
    print(header)
    print("|" + "---|" * (3 + len(OUTCOMES)))
    total: Counter[str] = Counter()
    for entry in sorted(table):
        c = table[entry]
        total.update(c)
        cells = " | ".join(str(c[o]) for o in OUTCOMES)
        print(f"| {entry} | {sum(c.values())} | {len(kinds[entry])} | {cells} |")
    cells = " | ".join(str(total[o]) for o in OUTCOMES)
    print(f"| **all** | {sum(total.values())} | | {cells} |")
    print(f"pytest: {summary} (profile {env['HYPOTHESIS_PROFILE']})")
    out = ROOT / "benchmarks" / "results" / "hostile_outcomes.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "profile": env["HYPOTHESIS_PROFILE"],
        "pytest": summary,
        "entries": {e: dict(table[e]) for e in sorted(table)},
        "total": dict(total),
    }
    out.write_text(json.dumps(result, indent=2) + "\n")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
