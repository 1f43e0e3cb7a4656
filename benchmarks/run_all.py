"""Run every benchmark in one go and gather their JSON into one summary.

    python benchmarks/run_all.py [--quick] [--only erlang,forecast,roster,msd,many,everyday,demo,files,certainty,channels]

Each benchmark runs as its own process (so one failing or missing peer does not
stop the rest), prints its own table, and writes ``benchmarks/results/<name>.json``;
this script then writes ``benchmarks/results/summary.json`` with each run's exit
status, wall time and parsed results.  ``--quick`` picks the short settings meant
for a smoke run; the numbers quoted in ``benchmarks/README.md`` come from the full
settings.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MSD_DIR = HERE.parent.parent / "shared" / "data" / "msd" / "DataSet1"


def _commands(quick: bool) -> dict[str, list[str]]:
    py = sys.executable
    msd_files = sorted(str(p) for p in MSD_DIR.glob("*.dzn"))
    return {
        "erlang": [py, str(HERE / "bench_erlang.py"), *(["--quick"] if quick else [])],
        "forecast": [py, str(HERE / "bench_forecast.py"), *(["--folds", "2"] if quick else [])],
        "fit_speed": [py, str(HERE / "bench_fit_speed.py"), *(["--quick"] if quick else [])],
        "roster": [py, str(HERE / "bench_roster.py"), "--time-limit", "20" if quick else "60"],
        "msd": [py, str(HERE / "msd.py"), *msd_files, "--time-limit", "20" if quick else "60"]
        if msd_files
        else [],
        "many": [
            py,
            str(HERE / "bench_many.py"),
            "--queues",
            "10,100" if quick else "10,100,1000",
            *(["--repeats", "1"] if quick else []),
        ],
        "everyday": [py, str(HERE / "bench_everyday.py"), "--repeats", "2" if quick else "5"],
        "demo": [py, str(HERE / "bench_demo.py"), "--repeats", "1" if quick else "3"],
        "channels": [py, str(HERE / "bench_channels.py"), *(["--quick"] if quick else [])],
        "files": [py, str(HERE / "bench_files.py"), "--repeats", "3" if quick else "7"],
        "certainty": [py, str(HERE / "bench_certainty.py"), *(["--quick"] if quick else [])],
        "intraday": [py, str(HERE / "bench_intraday.py"), *(["--quick"] if quick else [])],
        "intraday_night": [
            py,
            str(HERE / "bench_intraday_night.py"),
            *(["--quick"] if quick else []),
        ],
        "skills": [py, str(HERE / "bench_skills.py"), *(["--quick"] if quick else [])],
        "weekday_hours": [
            py,
            str(HERE / "bench_weekday_hours.py"),
            *(["--quick"] if quick else []),
        ],
        "people": [
            py,
            str(HERE / "bench_people.py"),
            *(["--sizes", "50", "--time-limit", "30"] if quick else []),
        ],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="short settings for a smoke run")
    ap.add_argument("--only", default="", help="comma-separated subset of benchmarks")
    args = ap.parse_args(argv)
    commands = _commands(args.quick)
    chosen = [s for s in args.only.split(",") if s] or list(commands)
    unknown = sorted(set(chosen) - set(commands))
    if unknown:
        ap.error(f"--only must name some of {', '.join(commands)}; got {', '.join(unknown)}")
    summary: dict[str, dict[str, object]] = {}
    for name in chosen:
        cmd = commands[name]
        if not cmd:
            print(f"== {name}: skipped (no instances under {MSD_DIR})")
            summary[name] = {"status": "skipped", "reason": f"no instances under {MSD_DIR}"}
            continue
        print(f"== {name}: {' '.join(Path(c).name if c.endswith('.py') else c for c in cmd[1:])}")
        t0 = time.perf_counter()
        rc = subprocess.call(cmd)
        seconds = time.perf_counter() - t0
        result_file = RESULTS / f"{name}.json"
        entry: dict[str, object] = {"status": "ok" if rc == 0 else f"exit {rc}", "seconds": seconds}
        if result_file.exists():
            text = result_file.read_text()
            try:
                entry["results"] = json.loads(text)
            except json.JSONDecodeError:  # msd.py writes one JSON object per line
                entry["results"] = [json.loads(line) for line in text.splitlines() if line.strip()]
        summary[name] = entry
    RESULTS.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE.parent / "src"))
    from staffplan._io import atomic_write_text

    atomic_write_text(RESULTS / "summary.json", json.dumps(summary, indent=2, default=str))
    print("\n== summary")
    for name, entry in summary.items():
        secs = entry.get("seconds")
        print(f"  {name:<9} {entry['status']:<8} {'' if secs is None else f'{secs:7.1f} s'}")
    print(f"wrote {RESULTS / 'summary.json'}")
    return 0 if all(e["status"] in ("ok", "skipped") for e in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
