"""The command-line chain against ``staffplan plan`` and ``staffplan.plan()``, default flags.

For each history (the bundled sample; a 24/7 centre; the fpp2 bank calls when
``../shared/data`` is present, with a constant AHT of 300 s since that data has none) the
three paths plan the 7 days after the history with every default: ``staffplan forecast |
staff | roster``, ``staffplan plan`` (no simulation, no report) and ``staffplan.plan()``.
Prints a markdown table (requirement hours, paid hours, short intervals, shortage hours) and
writes ``benchmarks/results/cli_vs_python.json``.

    python benchmarks/bench_cli_vs_python.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "cli"))
from _chain import round_the_clock_history, run_chain, run_plan_cli, run_python, table  # noqa: E402

SHARED = ROOT / ".." / "shared" / "data" / "fpp2_calls" / "calls_30min.csv"


def _histories() -> list[tuple[str, pd.DataFrame, float | None]]:
    from staffplan import datasets

    sample, _ = datasets.load_sample()
    out = [("sample", sample, None), ("24/7", round_the_clock_history(), None)]
    if SHARED.is_file():
        calls = pd.read_csv(SHARED, parse_dates=["timestamp"])
        calls = calls[calls["n5"] == 6]  # the 21:00 bucket holds 5 minutes only
        bank = pd.DataFrame({"ds": calls["timestamp"], "volume": calls["calls"].astype(float)})
        out.append(("fpp2 bank", bank, 300.0))
    else:
        print(f"skipping the fpp2 bank: {SHARED} not found")
    return out


def main() -> None:
    rows, records = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for label, history, aht_s in _histories():
            work = Path(tmp) / label.replace("/", "-").replace(" ", "-")
            work.mkdir()
            src = work / "history.csv"
            history.to_csv(src, index=False)
            aht = [] if aht_s is None else ["--aht-s", f"{aht_s:g}"]
            extra = {"forecast": [], "staff": aht, "roster": [], "plan": aht}
            kwargs = {} if aht_s is None else {"aht_s": aht_s}
            for run in (
                partial(run_chain, src, work, horizon="7D", extra=extra),
                partial(run_plan_cli, src, work, horizon="7D", extra=extra),
                partial(run_python, history, horizon="7D", kwargs=kwargs),
            ):
                t0 = time.perf_counter()
                result = run()
                seconds = time.perf_counter() - t0
                rows.append((label, result))
                records.append(
                    {
                        "history": label,
                        "path": result.name,
                        "requirement_h": result.requirement_hours,
                        "paid_h": result.paid_h,
                        "short_intervals": result.short_intervals,
                        "shortage_h": result.shortage_hours,
                        "seconds": seconds,
                    }
                )
    print(table(rows))
    out = ROOT / "benchmarks" / "results" / "cli_vs_python.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(records, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
