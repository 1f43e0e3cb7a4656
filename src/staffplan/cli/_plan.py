"""``staffplan plan``: history file in, rostered plan, predicted service and report out."""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from staffplan import defaults
from staffplan.cli._common import (
    check_offsets,
    check_one_grid,
    check_out_dir,
    file_columns,
    log,
    note_horizon_count,
    warn_short_aht,
)
from staffplan.cli._forecast import (
    add_holidays_option,
    add_timestamp_options,
    csv_options,
    parse_horizon,
    timestamp_options,
    with_holidays,
)
from staffplan.cli._staff import service_from_args

__all__ = [
    "add_plan_options",
    "check_rules",
    "register",
    "run",
    "service_from_args",
    "write_outputs",
]

_HELP = """\
Forecast the next days from an interval history, size the staff with Erlang C
(or Erlang A with --patience-s), roster shifts with lunches, breaks, team leads
and a manager, and predict the service level the roster delivers (checked by
simulation). Writes, into --out: forecast.csv, requirements.csv, roster.csv,
coverage.csv, verdict.csv, daily.csv, peaks.csv, plan.json and report.html.

HISTORY is a CSV or Parquet file with one row per queue and interval:
columns ds (interval start), volume (contacts offered) and optionally queue and
aht_s (average handle time in seconds; else pass --aht-s).  Defaults are those
of staffplan.plan() and of 'staffplan forecast | staff | roster', which give
the same requirement and roster (staffplan.defaults).
"""

_EXAMPLE = """\
example:
  staffplan plan history.csv --out next-week --events events.csv \\
      --service-level 0.8 --target-answer-s 20 --shrinkage 0.3 --volume-quantile 0.95

rules file (--rules RULES.json), every key optional:
  {"shifts": [{"name": "day", "earliest_start": "07:00", "latest_start": "13:00",
               "lengths_min": [480]}],
   "lunch": {"length_min": 30, "earliest_start_min": 180, "latest_start_min": 300},
   "breaks": [{"length_min": 15, "earliest_start_min": 60, "latest_start_min": 150}],
   "span": {"max_agents_per_lead": 10, "manager_above_agents": 20}}
  Without "shifts", 8 h and 4 h shifts start from opening time to the last
  start that ends by closing time, as the forecast shows them (round the
  clock, crossing midnight, for a 24/7 centre); "fit_lengths_min": [480, 360]
  changes the fitted lengths.  Keys not given take roster.Rules.defaults.
"""


class _Progress:
    """Logs one line per finished stage with its time (logger ``staffplan.cli``, stderr).

    A long stage with a time budget (the roster) also gets a tqdm bar of its seconds on
    stderr, when tqdm is installed (``staffplan[progress]``), stderr is a terminal and the
    log shows progress (not ``--quiet``); ``bar`` forces it on or off.

    With ``report`` (a report will be written) the roster stage also imports the drawing
    stack in a background thread (:func:`staffplan.report._figure.preload`): the solver's
    threads release the interpreter, so the import costs the write stage nothing.  The
    thread is joined when the roster stage ends, before the plan goes on.

    With ``freeze`` (the command is its own process) the objects alive at the end of each
    stage are frozen (:func:`gc.freeze`): they are the stage's results, kept to the end of
    the command, and every later full garbage collection would walk them again (the
    demo's forecast and roster leave some 200,000).  They are still freed by reference
    counting; only cyclic garbage alive at that moment stays until the process exits.
    """

    def __init__(
        self,
        *,
        bar: bool | None = None,
        file: Any = None,
        report: bool = False,
        freeze: bool = False,
    ) -> None:
        self.t0 = time.perf_counter()
        self.report = report
        self.freeze = freeze
        self._preload: threading.Thread | None = None
        self.file = sys.stderr if file is None else file
        if bar is None:
            bar = bool(getattr(self.file, "isatty", lambda: False)()) and log.isEnabledFor(
                logging.INFO
            )
        self.bar = bar and importlib.util.find_spec("tqdm") is not None
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self, stage: str, budget_s: float) -> None:
        """Draw a bar of ``budget_s`` seconds for ``stage`` until it finishes."""
        if stage == "roster" and self.report and self._preload is None:
            # The report package in this thread; only third-party imports in the other.
            from staffplan.report._figure import preload

            self._preload = threading.Thread(target=preload, name="preload-plots", daemon=True)
            self._preload.start()
        if not self.bar:
            return
        from tqdm import tqdm

        stop = threading.Event()
        t_start = time.perf_counter()
        total = max(1, round(budget_s))
        pbar = tqdm(total=total, desc=f"  {stage}", unit="s", file=self.file, leave=False)

        def tick() -> None:
            # The bar shows time used of the budget: a solver step's progress is not knowable.
            while not stop.wait(0.5):
                pbar.n = min(total, round(time.perf_counter() - t_start))
                pbar.refresh()
            pbar.close()

        self._stop, self._thread = stop, threading.Thread(target=tick, daemon=True)
        self._thread.start()

    def __call__(self, stage: str, seconds: float) -> None:
        if stage == "roster" and self._preload is not None:
            self._preload.join()
        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._stop = self._thread = None
        total = time.perf_counter() - self.t0
        log.info("  %-14s %7.2f s   (total %6.1f s)", stage, seconds, total)
        if self.freeze:
            gc.freeze()


def add_plan_options(parser: argparse.ArgumentParser, *, time_limit_s: float) -> None:
    """Options shared by ``plan`` and ``demo``."""
    parser.add_argument(
        "--horizon",
        default=defaults.HORIZON,
        help=f"length of the plan with a unit, e.g. 7D or 12h, or a whole number of "
        f"intervals (default {defaults.HORIZON}); from the default start, days are the "
        "centre's operating days (7D covers 7 whole nights of a centre open 22:00-06:00)",
    )
    parser.add_argument(
        "--start",
        help="first interval of the plan, kept as given (default: the start of the centre's "
        "next operating day after the history: the next midnight, or the next opening of a "
        "centre open across midnight, e.g. 22:00)",
    )
    svc = parser.add_argument_group("service target")
    svc.add_argument(
        "--service-level",
        type=float,
        default=defaults.SERVICE_LEVEL,
        help=f"target share answered in time ({defaults.SERVICE_LEVEL:g})",
    )
    svc.add_argument(
        "--target-answer-s",
        type=float,
        default=defaults.TARGET_ANSWER_S,
        help=f"answer within this many seconds ({defaults.TARGET_ANSWER_S:g})",
    )
    svc.add_argument("--max-asa-s", type=float, help="cap on average speed of answer [s]")
    svc.add_argument("--patience-s", type=float, help="mean caller patience [s]: use Erlang A")
    svc.add_argument(
        "--max-abandon", type=float, help="cap on abandonment share (needs --patience-s)"
    )
    svc.add_argument(
        "--max-occupancy",
        type=float,
        default=defaults.MAX_OCCUPANCY,
        help=f"cap on occupancy; 1 for none ({defaults.MAX_OCCUPANCY:g})",
    )
    svc.add_argument(
        "--shrinkage",
        type=float,
        default=defaults.SHRINKAGE,
        help="share of on-floor time lost to meetings, training, absence; lunches and breaks "
        f"are rostered, not shrinkage ({defaults.SHRINKAGE:g})",
    )
    svc.add_argument(
        "--volume-quantile",
        type=float,
        help="staff to this forecast quantile instead of the mean, e.g. 0.95",
    )
    svc.add_argument(
        "--certainty",
        type=float,
        help="staff so that each day meets the target with this probability, e.g. 0.95 "
        "(at the least staff; not with --volume-quantile)",
    )
    svc.add_argument(
        "--staffing",
        choices=("erlang", "time_stable"),
        default=defaults.STAFFING,
        help="erlang: each interval by the formula; time_stable: raised where a simulation "
        f"carrying backlog over finds the target missed (slower) ({defaults.STAFFING})",
    )
    run_opts = parser.add_argument_group("run")
    run_opts.add_argument("--rules", help="roster rules as JSON (see below)")
    run_opts.add_argument(
        "--forecast-method",
        default=defaults.FORECAST_METHOD,
        help="forecast method: auto (picked by backtest), snaive, profile, twostage, mstl, blend",
    )
    run_opts.add_argument(
        "--time-limit-s",
        type=float,
        default=time_limit_s,
        help=f"roster solver time limit ({time_limit_s:g})",
    )
    run_opts.add_argument(
        "--seed",
        type=int,
        default=defaults.SEED,
        help=f"seed for solver and simulation ({defaults.SEED})",
    )
    run_opts.add_argument("--no-simulate", action="store_true", help="skip the simulation check")
    run_opts.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="frame files (csv)"
    )
    run_opts.add_argument("--no-report", action="store_true", help="do not write report.html")
    run_opts.add_argument(
        "--skills",
        help="skill groups table (.csv/.parquet: group, skills as 'fr+en', optional cost, "
        "max_agents): staff queues by group instead of one pool (docs/skills.md)",
    )
    run_opts.add_argument(
        "--queues",
        help="with --skills: queue table (.csv/.parquet: queue, channel, optional "
        "service_level, target_answer_s, concurrency) instead of the history's channel columns",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan",
        help="forecast, staff, roster and predict service from a history file",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("history", help="interval history (.csv or .parquet)")
    parser.add_argument("--out", default="staffplan-plan", help="output directory (staffplan-plan)")
    parser.add_argument(
        "--events", help="known events (.csv or .parquet): date or start/end, name, kind"
    )
    add_holidays_option(parser)
    cols = parser.add_argument_group("history columns")
    cols.add_argument("--ds-col", default="ds", help="interval start column (ds)")
    cols.add_argument("--volume-col", default="volume", help="contacts column (volume)")
    cols.add_argument(
        "--queue-col",
        default="queue",
        help="queue column; optional: absent (or 'none') means one queue (queue)",
    )
    cols.add_argument("--aht-col", default="aht_s", help="AHT column [s] (aht_s)")
    cols.add_argument(
        "--aht-s",
        type=float,
        help="AHT [s] for every interval: needed when the history has none; replaces "
        "the history's own AHT otherwise (the plan warns)",
    )
    cols.add_argument("--queue", action="append", help="plan only this queue (repeatable)")
    add_timestamp_options(parser)
    parser.add_argument(
        "--tz",
        help="time zone of the centre, e.g. Europe/Berlin: timestamps with UTC offsets are "
        "read into it and the plan keeps its clock (needed for such timestamps)",
    )
    add_plan_options(parser, time_limit_s=defaults.TIME_LIMIT_S)
    parser.set_defaults(func=run)


def read_rules(path: str | None) -> dict[str, Any] | None:
    """Rules JSON as a mapping; errors name the file and the fix."""
    from staffplan.cli import UserError

    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{path}: no such rules file")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); "
            "fix the file (see 'staffplan plan --help' for an example)"
        ) from None
    if not isinstance(data, Mapping):
        raise UserError(f'{path}: the rules must be a JSON object such as {{"lunch": {{...}}}}')
    return dict(data)


def check_rules(rules: Any, *, interval_min: int, source: str) -> Any:
    """The :class:`staffplan.roster.Rules` of a rules file, checked before any long stage."""
    from staffplan.cli import UserError
    from staffplan.roster import Rules

    try:
        return Rules.from_dict(rules, interval_min=interval_min).check(interval_min)
    except (ValueError, TypeError) as exc:
        raise UserError(f"{source}: {exc}") from None


def check_certainty_option(args: argparse.Namespace) -> None:
    """``--certainty`` in (0, 1) and not with ``--volume-quantile``, before any work."""
    from staffplan.cli import UserError
    from staffplan.plan._certainty import check_certainty

    try:
        check_certainty(args.certainty, args.volume_quantile)
    except ValueError as exc:
        raise UserError(f"--certainty: {exc}") from None


def _read_skills(path: str | None) -> Any:
    """Skill groups from a table file, checked (a bad row names the group and the fix)."""
    if path is None:
        return None
    from staffplan import datasets
    from staffplan.cli import UserError
    from staffplan.skills import groups_from

    try:
        return groups_from(datasets.read_table(path, what="skill groups"))
    except (ValueError, TypeError) as exc:
        raise UserError(f"{path}: {exc}") from None


def _read_queues(path: str | None) -> Any:
    """The queue table as read (checked against the history's queues by the plan)."""
    if path is None:
        return None
    from staffplan import datasets

    return datasets.read_table(path, what="queue table")


def make_plan(
    history: Any,
    args: argparse.Namespace,
    *,
    events: Any,
    rules: Mapping[str, Any] | None,
    rules_source: str,
    progress: Callable[[str, float], None],
    **extra: Any,
) -> Any:
    """Run :func:`staffplan.plan` with the command-line options; a failed roster is an error.

    Every check that needs no forecast (service target, interval, rules, AHT)
    runs first.
    """
    from staffplan.cli import UserError
    from staffplan.intervals import infer_interval_min
    from staffplan.plan import plan

    service = service_from_args(args)
    check_certainty_option(args)
    if "queue" in history:
        check_one_grid(history["ds"], history["queue"], str(getattr(args, "history", "history")))
    interval_min = infer_interval_min(history["ds"], name="history ds")
    note_horizon_count(parse_horizon(args.horizon), interval_min)
    built = check_rules(rules, interval_min=interval_min, source=rules_source)
    if "aht_s" not in history.columns and extra.get("aht_s") is None:
        raise UserError(
            "the history has no AHT column (aht_s, or the one named by --aht-col): pass "
            "--aht-s SECONDS (average handle time)"
        )
    result = plan(
        history,
        horizon=parse_horizon(args.horizon),
        start=args.start,
        events=events,
        service=service,
        rules=built,
        volume_quantile=args.volume_quantile,
        certainty=args.certainty,
        staffing=args.staffing,
        interval_min=interval_min,
        forecast_method=args.forecast_method,
        simulate=not args.no_simulate,
        rng=args.seed,
        time_limit_s=args.time_limit_s,
        progress=progress,
        **extra,
    )
    if result.settings["roster_status"] not in ("OPTIMAL", "FEASIBLE"):
        reason = next((w for w in result.warnings if "roster" in w), "no roster found")
        raise UserError(
            f"{rules_source}: {reason}. Relax the rules (longer start windows, more shift "
            "lengths) or raise --time-limit-s"
        )
    return result


def write_outputs(
    result: Any,
    out: str,
    *,
    fmt: str = "csv",
    report: bool = True,
    title: str = "Staffing plan",
    comparison: Any = None,
    events: Any = None,
    progress: Callable[[str, float], None] | None = None,
) -> list[Path]:
    """Save the plan's frames (and a report) into ``out``; returns the files written."""
    t0 = time.perf_counter()
    with _old_objects_frozen(own_process=bool(getattr(progress, "freeze", False))):
        written = _write(result, out, fmt=fmt, report=report, title=title,
                         comparison=comparison, events=events)  # fmt: skip
    if progress is not None:
        progress("write", time.perf_counter() - t0)
    return written


@contextlib.contextmanager
def _old_objects_frozen(*, own_process: bool = False) -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects alive on entry, until the exit.

    Drawing makes many short-lived objects, so the collector runs often, and a full
    collection walks every object of the plan and of the modules loaded for it: after a
    roster that is a sizeable part of the write stage.  Frozen objects are still freed
    when their references go; the freeze only keeps the collector from scanning them.
    ``own_process`` (the command line's own process, which freezes every stage's results
    and ends after this stage) keeps the freeze.
    """
    if own_process:
        gc.freeze()
        yield
        return
    if gc.get_freeze_count() > 0:
        # Objects frozen already (by a process embedding the command): a freeze here could
        # not be undone alone (``gc.unfreeze`` releases every frozen object), and kept it
        # would hold the cyclic garbage of this and every later call for the process's life.
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _write(
    result: Any,
    out: str,
    *,
    fmt: str,
    report: bool,
    title: str,
    comparison: Any,
    events: Any,
) -> list[Path]:
    from concurrent.futures import ThreadPoolExecutor

    from staffplan._io import atomic_write_text, write_frame
    from staffplan.cli import UserError

    text = None
    # The plan's files go on a second thread while the report is drawn on this one: writing
    # them waits mostly on the disk (every file is flushed), which the drawing then hides.
    # The report is written once the plan's folder is in place (saving replaces it whole).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="save-plan") as pool:
        saving = pool.submit(result.save, out, format=fmt, overwrite=True)
        if report:
            text = _report_text(result, title=title, comparison=comparison, events=events)
        try:
            target = saving.result()
        except FileExistsError as exc:
            raise UserError(f"--out: {exc}") from None
    written = [target / f"{name}.{fmt}" for name in result.to_frames()] + [target / "plan.json"]
    if comparison is not None:
        written.append(write_frame(comparison, target / f"comparison.{fmt}"))
    if text is not None:
        written.append(atomic_write_text(target / "report.html", text))
    return written


def _report_text(result: Any, *, title: str, comparison: Any, events: Any) -> str | None:
    """The report's HTML (None, with a warning, when the report package cannot load)."""
    frames = dict(result.to_frames())
    if comparison is not None:
        frames["comparison"] = comparison
    if events is not None:
        frames["events"] = events
    try:
        from staffplan.report._html import render_report
    except ImportError as exc:
        log.warning("report skipped: %s", exc)
        return None
    return render_report(
        frames,
        title=title,
        summary=_headline(result),
        target_service_level=result.service.service_level,
        warnings=result.warnings,
    )


def _headline(result: Any) -> dict[str, Any]:
    s = result.summary
    keys = (
        "volume",
        "service_level",
        "asa_s",
        "p_abandon",
        "occupancy",
        "paid_hours",
        "headcount",
        "agents_needed",
        "peak_shortage",
        "service_level_at_quantile",
        "p_day_meets_target",
        "sim_service_level",
    )
    if getattr(result, "verdict_queues", None) is None:
        return {k: s[k] for k in keys if k in s}
    # A plan by skill group: its summary's headline is the per-queue verdict's (the
    # pooled verdict's numbers are kept as pooled_<key> in the summary, not shown here).
    by_queue = ("intervals_below_target", "intervals_at_risk")
    return {
        "service measured": "per queue, simulated on the rostered skill groups, each queue "
        "against its own target",
        **{k: s[k] for k in (*keys, *by_queue) if k in s},
    }


def print_summary(result: Any, written: list[Path]) -> None:
    """A planner-readable summary of the plan on stdout."""
    s = result.summary
    svc = result.service
    print(
        f"plan {_when(result.settings['start'])} .. {_when(result.settings['end'])}: "
        f"{s['volume']:.0f} contacts, {len(result.roster)} shifts, {s['paid_hours']:.0f} paid hours"
    )
    if getattr(result, "verdict_queues", None) is not None:
        _print_by_queue(result)
        _print_notes(result, written)
        return
    print(
        f"predicted service level {s['service_level']:.1%} (target {svc.service_level:.0%} in "
        f"{svc.target_answer_s:g} s), ASA {s['asa_s']:.0f} s, abandon {s['p_abandon']:.1%}, "
        f"occupancy {s['occupancy']:.1%}"
    )
    if "service_level_at_quantile" in s:
        q = result.settings["volume_quantile"]
        print(f"at the {q:g} volume quantile: service level {s['service_level_at_quantile']:.1%}")
    if "p_day_meets_target" in s:
        print(
            f"days meeting the target: {s['p_day_meets_target']:.0%} expected (worst day "
            f"{s['min_p_day_meets_target']:.0%}); expected service level "
            f"{s['expected_service_level']:.1%} under the forecast's uncertainty"
        )
    if "sim_service_level" in s:
        print(
            f"simulation: service level {s['sim_service_level']:.1%} "
            f"(difference {s['sim_gap']:+.1%})"
        )
    if "intervals_at_risk" in s:
        print(
            f"per interval, with backlog carried over: {s['sim_intervals_below_target']:.0f} "
            f"below target in simulation, {s['intervals_at_risk']:.0f} at risk (beyond its noise)"
        )
    _print_notes(result, written)


def _when(text: str) -> str:
    """A plan's start or end: the day, with the time when it is not midnight (a night
    centre's plan runs from opening to opening)."""
    day, _, clock = text.partition(" ")
    return day if clock[:5] in ("", "00:00") else f"{day} {clock[:5]}"


def _print_by_queue(result: Any) -> None:
    """A plan by skill group: the headline of its per-queue verdict, then the table."""
    import numpy as np

    from staffplan._format import number, table
    from staffplan.report._queues import queue_table

    s = result.summary
    n = int(result.verdict_queues["ds"].nunique())
    asa = f"{s['asa_s']:.1f}" if np.isfinite(s["asa_s"]) else number(s["asa_s"])
    print(
        f"service by queue, simulated on the rostered skill groups (each queue against its "
        f"own target): {s['service_level']:.1%} of contacts answered in time, "
        f"ASA {asa} s, abandon {s['p_abandon']:.1%}, occupancy "
        f"{s['occupancy']:.1%}; {s['intervals_below_target']:.0f} of {n} intervals with a "
        f"queue below its target, {s['intervals_at_risk']:.0f} at risk (beyond its noise)"
    )
    print(table(queue_table(result.verdict_queues)).to_string())


def _print_notes(result: Any, written: list[Path]) -> None:
    for w in result.warnings:
        log.warning("warning: %s", w)
    if written:
        log.info("wrote %d files to %s/", len(written), written[0].parent)


def run(args: argparse.Namespace) -> int:
    from staffplan import datasets
    from staffplan.cli import UserError

    progress = _Progress(
        report=not args.no_report, freeze=bool(getattr(args, "own_process", False))
    )
    t0 = time.perf_counter()
    service_from_args(args)  # option mistakes first
    check_certainty_option(args)
    check_out_dir(args.out, args.format)
    rules = read_rules(args.rules)
    queue_col = None if str(args.queue_col).lower() == "none" else args.queue_col
    columns = file_columns(args.history, sep=csv_options(args)["sep"])
    if queue_col == "queue" and columns is not None and queue_col not in columns:
        queue_col = None  # the default name may be absent: one queue, as in 'forecast'
    if args.aht_s is None and columns is not None and args.aht_col not in columns:
        raise UserError(
            f"{args.history}: no AHT column {args.aht_col!r} (columns: {', '.join(columns)}); "
            "pass --aht-s SECONDS (average handle time) or name the column with --aht-col"
        )
    check_offsets(args.history, args.ds_col, args.tz, sep=csv_options(args)["sep"])
    history = datasets.read_history(
        args.history,
        tz=args.tz,
        queue_col=queue_col,
        ds_col=args.ds_col,
        volume_col=args.volume_col,
        aht_col=args.aht_col,
        **timestamp_options(args),
        **csv_options(args),
    )
    if args.aht_s is not None:
        warn_short_aht([args.aht_s], "--aht-s")
    elif "aht_s" in history:
        warn_short_aht(history["aht_s"], f"{args.history}, column {args.aht_col!r}")
    empty = int(history["volume"].isna().sum())
    if empty:
        log.warning(
            "note: %s: %d empty volume cell(s) treated as missing intervals (not zero "
            "contacts); write 0 where the centre had no contacts",
            args.history,
            empty,
        )
    events = (
        datasets.read_events(
            args.events, tz=args.tz, **timestamp_options(args), **csv_options(args)
        )
        if args.events
        else None
    )
    progress("read", time.perf_counter() - t0)
    result = make_plan(
        history,
        args,
        events=with_holidays(events, args.holidays),
        rules=rules,
        rules_source=args.rules or "default rules",
        progress=progress,
        queue=args.queue,
        aht_s=args.aht_s,
        skills=_read_skills(args.skills),
        queues=_read_queues(getattr(args, "queues", None)),
    )
    written = write_outputs(
        result,
        args.out,
        fmt=args.format,
        report=not args.no_report,
        events=events,
        progress=progress,
    )
    print_summary(result, written)
    return 0
