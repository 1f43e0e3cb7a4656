"""Run a history through ``forecast | staff | roster``, ``staffplan plan`` and ``staffplan.plan()``.

Shared by the chain-equals-plan test and ``benchmarks/bench_cli_vs_python.py``; each path
gets the same options and returns its requirement per interval and its roster quality.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import staffplan
from staffplan.cli import main
from staffplan.plan import Plan, paid_hours


@dataclass
class PathResult:
    """What one path produced: requirement per interval and roster quality."""

    name: str
    requirement: pd.Series  # fractional agents on the floor per interval, by ds
    required: pd.Series  # whole agents the roster was asked for, by ds (whole days)
    shortage: pd.Series  # agents short per interval of the roster, by ds
    paid_h: float

    def __post_init__(self) -> None:
        # Files read back keep their text's resolution (pandas >= 3); compare in ns.
        for attr in ("requirement", "required", "shortage"):
            series = getattr(self, attr)
            setattr(self, attr, series.set_axis(pd.DatetimeIndex(series.index).as_unit("ns")))

    @property
    def requirement_hours(self) -> float:
        step_h = _step_h(self.required.index)
        return float(self.requirement.sum() * step_h)

    @property
    def short_intervals(self) -> int:
        return int((self.shortage > 0).sum())

    @property
    def shortage_hours(self) -> float:
        return float(self.shortage.sum() * _step_h(self.required.index))


def _step_h(idx: pd.Index) -> float:
    return float(pd.Series(idx).diff().min() / pd.Timedelta(hours=1))


def _run(argv: list[str]) -> None:
    code = main([*argv, "--quiet"])
    if code != 0:
        raise AssertionError(f"staffplan {' '.join(argv)} exited with {code}")


def run_chain(
    history_csv: Path, work: Path, *, horizon: str, extra: dict[str, list[str]]
) -> PathResult:
    fc, req = work / "forecast.csv", work / "requirements.csv"
    roster_csv, cov = work / "roster.csv", work / "coverage.csv"
    _run(["forecast", str(history_csv), "--out", str(fc), "--horizon", horizon, *extra["forecast"]])
    _run(["staff", str(fc), "--out", str(req), *extra.get("staff", [])])
    _run(
        ["roster", str(req), "--out", str(roster_csv), "--coverage-out", str(cov), *extra["roster"]]
    )
    staffed = pd.read_csv(req, parse_dates=["ds"]).set_index("ds")
    coverage = pd.read_csv(cov, parse_dates=["ds"]).set_index("ds")
    roster = pd.read_csv(roster_csv, parse_dates=["start", "end"])
    return PathResult(
        "chain",
        staffed["scheduled"],
        coverage["required"],
        coverage["shortage"],
        paid_hours(roster),
    )


def run_plan_cli(
    history_csv: Path, work: Path, *, horizon: str, extra: dict[str, list[str]]
) -> PathResult:
    out = work / "plan"
    _run(["plan", str(history_csv), "--out", str(out), "--horizon", horizon, "--no-simulate",
          "--no-report", *extra["plan"]])  # fmt: skip
    loaded = Plan.load(out)
    return _of_plan("plan CLI", loaded)


def run_python(history: pd.DataFrame, *, horizon: str, kwargs: dict) -> PathResult:
    return _of_plan("plan()", staffplan.plan(history, horizon=horizon, simulate=False, **kwargs))


def _of_plan(name: str, p: Plan) -> PathResult:
    reqs = p.requirements.set_index("ds")
    cov = p.coverage.set_index("ds")
    return PathResult(
        name, reqs["scheduled"], cov["required"], cov["shortage"], paid_hours(p.roster)
    )


def table(rows: list[tuple[str, PathResult]]) -> str:
    lines = ["| history | path | requirement h | paid h | short intervals | shortage h |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for label, r in rows:
        lines.append(
            f"| {label} | {r.name} | {r.requirement_hours:,.1f} | {r.paid_h:,.1f} | "
            f"{r.short_intervals} | {r.shortage_hours:,.1f} |"
        )
    return "\n".join(lines)


def round_the_clock_history(weeks: int = 5, seed: int = 5) -> pd.DataFrame:
    """A 24/7 centre on 30-min intervals: a day peak and a steady night load (seeded)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=weeks * 7 * 48, freq="30min")
    hour = ds.hour + ds.minute / 60
    volume = rng.poisson(15 + 25 * np.exp(-0.5 * ((hour - 12) / 3) ** 2)).astype(float)
    return pd.DataFrame({"queue": "support", "ds": ds, "volume": volume, "aht_s": 240.0})
