"""``staffplan replan``: a saved plan and today's actuals in, the rest of the day re-planned."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from staffplan.cli._common import check_out_dir, file_columns, log
from staffplan.cli._forecast import add_timestamp_options, csv_options, timestamp_options

__all__ = ["register", "run"]

_HELP = """\
Re-plan the rest of the day of a saved plan (a folder written by 'staffplan plan')
from the intervals observed so far: the day's level is re-forecast (how far to
trust the morning is learned from the plan's history), the requirement is
recomputed from --now on, and the fewest changes are proposed: overtime (a
shift ends later), early leave (voluntary time off) and lunches or breaks not
yet taken moved, in whole intervals.  Nothing before --now changes.

Writes, into --out: the updated plan (as 'staffplan plan' does; its forecast.csv
is the re-levelled forecast), changes.csv (one row per change), rest.csv (per
interval of the rest of the day: the requirement and the service before and
after the changes) and level.csv (per queue: contacts observed and forecast so
far, their ratio, the weight and the factor applied to the rest of the day and
the next, the rest of the day's contacts as planned and updated).  Prints the
service the rest of the day is heading for, before and after, and per queue the
morning's observed/forecast ratio and the scale applied to the rest of the day
(ratio ** weight; a weight of 0 keeps the forecast: the history's mornings did
not predict their afternoons).  --format parquet writes .parquet files.

ACTUALS is a CSV or Parquet file: ds (interval start), volume (contacts offered)
and queue when the plan has several queues; only intervals before --now.
"""

_EXAMPLE = """\
example:
  staffplan replan next-week actuals.csv --now "2026-03-03 12:00" --out next-week-1200
"""


def register(subparsers: Any) -> None:
    from staffplan import defaults

    parser = subparsers.add_parser(
        "replan",
        help="re-plan the rest of today from a saved plan and the actuals so far",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("plan_dir", metavar="PLAN_DIR", help="a plan folder (staffplan plan)")
    parser.add_argument("actuals", metavar="ACTUALS", help="observed intervals (.csv or .parquet)")
    parser.add_argument(
        "--now",
        required=True,
        help="start of the first interval not yet observed, on the plan's grid "
        "(ISO 8601, e.g. '2026-03-03 12:00')",
    )
    parser.add_argument("--out", help="output directory (default: PLAN_DIR-replan)")
    parser.add_argument(
        "--events",
        help="events for the forecast refit (.csv or .parquet); default: those the plan "
        "records (its events.csv)",
    )
    parser.add_argument(
        "--max-overtime-min",
        type=int,
        default=defaults.MAX_OVERTIME_MIN,
        help=f"longest extension of a shift [min] ({defaults.MAX_OVERTIME_MIN})",
    )
    parser.add_argument(
        "--max-early-leave-min",
        type=int,
        default=defaults.MAX_EARLY_LEAVE_MIN,
        help=f"earliest leave of a shift [min] ({defaults.MAX_EARLY_LEAVE_MIN})",
    )
    parser.add_argument("--no-simulate", action="store_true", help="formula verdict only")
    parser.add_argument(
        "--time-limit-s",
        type=float,
        default=defaults.TIME_LIMIT_S,
        help=f"solver time limit [s] ({defaults.TIME_LIMIT_S:g})",
    )
    parser.add_argument("--seed", type=int, help="seed (default: the plan's)")
    parser.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format (csv)"
    )
    parser.add_argument("--no-report", action="store_true", help="do not write report.html")
    cols = parser.add_argument_group("actuals columns")
    cols.add_argument("--ds-col", default="ds", help="interval start column (ds)")
    cols.add_argument("--volume-col", default="volume", help="contacts column (volume)")
    cols.add_argument("--queue-col", default="queue", help="queue column; optional (queue)")
    add_timestamp_options(parser)
    parser.set_defaults(func=run)


def level_line(row: Any, now: Any) -> str:
    """One queue's re-forecast in words: what was seen, the scale applied and why."""
    import pandas as pd

    def number(contacts: float) -> str:
        return f"{contacts:,.0f}"

    ratio = row.observed_ratio
    # A night centre's day began the evening before (its operating day): say which.
    wall = now.tz_localize(None) if now.tzinfo is not None else now
    day = pd.Timestamp(row.day)
    when = "today" if day == wall.normalize() else f"since the centre's day began ({day:%a %d %b})"
    head = (
        f"queue {row.queue}: {number(row.actual)} contacts {when} up to {now:%H:%M} against "
        f"{number(row.forecast)} forecast: observed/forecast {ratio:.3f} ({ratio - 1:+.1%})"
    )

    def scaled(weight: float, factor: float) -> str:
        if weight == 0:
            return (
                "x1.000 (weight 0: on the history's held-out days the morning's level did "
                "not carry on, so the forecast is kept)"
            )
        return (
            f"x{factor:.3f} (= {ratio:.3f} ** {weight:.2f}, the weight learned on the "
            "history's held-out days)"
        )

    return (
        f"{head}\n  rest of today's forecast {scaled(row.weight_today, row.factor_today)}: "
        f"{number(row.rest_of_day_planned)} -> {number(row.rest_of_day_updated)} contacts\n"
        f"  next day's forecast {scaled(row.weight_next, row.factor_next)}"
    )


def print_replan(result: Any) -> None:
    """What the rest of the day is heading for, and the changes, on stdout."""
    import pandas as pd

    s = result.summary
    target = result.plan.service.service_level
    line = (
        f"rest of the day from {s['now']}: service level {s['service_level_before']:.1%} "
        f"without changes, {s['service_level_after']:.1%} with them (target {target:.0%})"
    )
    print(line)
    if "sim_service_level_after" in s:
        print(
            f"simulation: {s['sim_service_level_before']:.1%} without changes, "
            f"{s['sim_service_level_after']:.1%} with them"
        )
    for row in result.level.itertuples():
        print(level_line(row, pd.Timestamp(s["now"])))
    if not len(result.level):
        print("no actuals on the day of --now: the forecast is unchanged")
    print(
        f"{s['changes']} change(s): overtime {s['overtime_h']:.1f} h, early leave "
        f"{s['early_leave_h']:.1f} h, paid hours {s['paid_hours_change']:+.1f} h"
    )
    if len(result.changes):
        print(result.changes.to_string(index=False))
    for w in result.warnings:
        log.warning("warning: %s", w)


def run(args: argparse.Namespace) -> int:
    from staffplan import datasets
    from staffplan._io import write_frame
    from staffplan.cli._plan import write_outputs
    from staffplan.plan import Plan, replan

    t0 = time.perf_counter()
    out = args.out or f"{Path(args.plan_dir).as_posix().rstrip('/')}-replan"
    check_out_dir(out, args.format)
    plan = Plan.load(args.plan_dir)
    queue_col = None if str(args.queue_col).lower() == "none" else args.queue_col
    columns = file_columns(args.actuals, sep=csv_options(args)["sep"])
    if queue_col == "queue" and columns is not None and queue_col not in columns:
        queue_col = None  # one queue: the default name may be absent
    actuals = datasets.read_history(
        args.actuals,
        queue_col=queue_col,
        ds_col=args.ds_col,
        volume_col=args.volume_col,
        aht_col=None,
        **timestamp_options(args),
        **csv_options(args),
    )
    if queue_col is None and list(plan.settings.get("queues", [])) != ["all"]:
        actuals = actuals.drop(columns="queue", errors="ignore")
    events = (
        datasets.read_events(args.events, **timestamp_options(args), **csv_options(args))
        if args.events
        else None
    )
    log.info("  read           %7.2f s", time.perf_counter() - t0)
    result = replan(
        plan,
        actuals,
        args.now,
        events=events,
        max_overtime_min=args.max_overtime_min,
        max_early_leave_min=args.max_early_leave_min,
        simulate=not args.no_simulate,
        time_limit_s=args.time_limit_s,
        rng=args.seed,
    )
    log.info("  replan         %7.2f s", time.perf_counter() - t0)
    written = write_outputs(
        result.plan, out, fmt=args.format, report=not args.no_report, title="Re-plan"
    )
    target = Path(out)
    suffix = "parquet" if args.format == "parquet" else "csv"
    written.append(write_frame(result.changes, target / f"changes.{suffix}"))
    written.append(write_frame(result.rest, target / f"rest.{suffix}"))
    written.append(write_frame(result.level, target / f"level.{suffix}"))
    print_replan(result)
    log.info("wrote %d files to %s/", len(written), target)
    return 0
