"""``staffplan demo``: the whole pipeline on the bundled sample centre."""

from __future__ import annotations

import argparse
import time
from typing import Any

from staffplan import defaults
from staffplan._format import table
from staffplan.cli._plan import _Progress, add_plan_options, make_plan, print_summary, write_outputs

__all__ = ["demo_scenarios", "register", "run"]

_HELP = """\
Plan next week for the bundled sample contact centre (two queues, eight weeks
of 30-minute history with a campaign and a holiday): forecast with quantiles,
Erlang staffing, a roster with lunches, breaks, leads and a manager, the
predicted service checked by simulation, and three what-if scenarios (+40%
contacts with +3% budget; 2.5 s off AHT; a 90/20 target). Writes report.html,
the plan's CSV files and comparison.csv into --out.
"""


def demo_scenarios() -> list[Any]:
    """The what-if questions the demo answers."""
    from staffplan.plan import Scenario

    return [
        Scenario("contacts +40%, budget +3%", volume_factor=1.4, budget_factor=1.03),
        Scenario("AHT -2.5 s", aht_delta_s=-2.5),
        Scenario("target 90/20", service_level=0.9),
    ]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the whole pipeline on bundled sample data (start here)",
        description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", default="staffplan-demo", help="output directory (staffplan-demo)")
    add_plan_options(parser, time_limit_s=defaults.TIME_LIMIT_S)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from staffplan import datasets
    from staffplan.plan import compare

    progress = _Progress(
        report=not args.no_report, freeze=bool(getattr(args, "own_process", False))
    )
    t0 = time.perf_counter()
    history, events = datasets.load_sample()
    progress("load sample", time.perf_counter() - t0)
    result = make_plan(
        history,
        args,
        events=events,
        rules=None if args.rules is None else _read(args.rules),
        rules_source=args.rules or "default rules",
        progress=progress,
    )
    t0 = time.perf_counter()
    comparison = compare(result, *demo_scenarios())
    progress("what-if", time.perf_counter() - t0)
    written = write_outputs(
        result,
        args.out,
        fmt=args.format,
        report=not args.no_report,
        title="staffplan demo: the sample contact centre",
        comparison=comparison,
        events=events,
        progress=progress,
    )
    print_summary(result, written)
    # The roster stays the base one unless a scenario re-rosters: "paid_hours_needed" is what
    # the scenario would cost and "intervals_below_target" what the base roster leaves short.
    cols = [
        "scenario",
        "target",
        "agents_needed",
        "paid_hours",
        "paid_hours_needed",
        "service_level",
        "asa_s",
        "intervals_below_target",
    ]
    print(table(comparison[cols]).to_string(index=False))
    return 0


def _read(path: str) -> Any:
    from staffplan.cli._plan import read_rules

    return read_rules(path)
