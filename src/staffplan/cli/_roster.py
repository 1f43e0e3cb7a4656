"""``staffplan roster``: requirements file in, roster (and coverage) file out."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from staffplan import defaults
from staffplan.cli._common import check_out_file, log
from staffplan.cli._forecast import add_timestamp_options

__all__ = ["build_instance", "build_rules", "prepare_requirements", "register", "run"]

_HELP = """\
Roster shifts with lunches, breaks, team leads and a manager (CP-SAT).

REQUIREMENTS is a CSV or Parquet file with a timestamp column (ds) and the
agents needed on the floor per interval: a column required, or the scheduled
column that 'staffplan staff' writes (fractional values are rounded up).
Several rows for one interval (one per queue) are added up, and intervals
missing from the file (closed hours) need nobody.  Rules come from flags or
from --rules RULES.json, whose keys shifts (list), lunch, breaks (list), span,
weights, limits and people (list) take the keyword arguments of ShiftRules,
LunchRule, BreakRule, SpanOfControl, Weights, Limits and Person (null turns
lunch or span off).  JSON wins over flags; rules neither give take the
defaults 'staffplan plan' uses (roster.Rules.defaults): 8 h and 4 h shifts
fitted to the opening hours, a 30-min lunch (one interval on coarser grids), a
15-min break on grids of 15 min or finer, a lead per 10 agents and a manager
above 20.  Times of day are HH:MM; lunch and break windows are minutes after
the shift starts.  The roster has one row per person-shift; breaks are written
as a JSON list of [start, end] pairs, as in a saved plan.

--people FILE names the staff from a people table (datasets.read_people:
weekly hours, days off, rest, shift types, nights; leave from --leave FILE).
Contracts that naming people after a count roster cannot keep (a weekly
minimum, days off, leave, shift types, nights, fixed teams) are rostered with
the people inside the optimisation (roster.solve_people), as in Python.
"""

_EXAMPLE = """\
example:
  staffplan roster requirements.csv --interval-min 15 --out roster.csv \\
      --coverage-out coverage.csv --time-limit-s 30 \\
      --shift-window 07:00-14:00 --shift-lengths 480,510 --lunch-min 30 \\
      --breaks 15@60-150,15@345-435 --span 10 --manager-hours 08:00-20:00
"""


def _pair(text: str, flag: str) -> tuple[str, str]:
    from staffplan.cli import UserError

    parts = text.split("-")
    if len(parts) != 2:
        raise UserError(f"{flag} must look like A-B, got {text!r}")
    return parts[0].strip(), parts[1].strip()


def _ints(text: str, flag: str) -> tuple[int, ...]:
    from staffplan.cli import UserError

    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise UserError(f"{flag} must be comma-separated minutes, got {text!r}") from None


def build_rules(args: argparse.Namespace, interval_min: int) -> Any:
    """The :class:`staffplan.roster.Rules` of the flags and ``--rules`` (JSON wins).

    Rules that neither gives are :meth:`Rules.defaults` for the grid, the same rules
    ``staffplan plan`` starts from.
    """
    from staffplan import roster
    from staffplan.cli import UserError

    base = roster.Rules.defaults(interval_min)
    changes: dict[str, Any] = {}
    try:
        if args.shift_lengths:
            lengths = _ints(args.shift_lengths, "--shift-lengths")
            changes["fit_lengths_min"] = lengths
            changes["fit_names"] = tuple(f"{v} min" for v in lengths)
        if args.shift_step_min:
            changes["fit_start_step_min"] = args.shift_step_min
        if args.shift_window:
            lo, hi = _pair(args.shift_window, "--shift-window")
            lengths = changes.get("fit_lengths_min", base.fit_lengths_min)
            changes["shifts"] = (
                roster.ShiftRules(
                    name="shift",
                    earliest_start=lo,
                    latest_start=hi,
                    start_step_min=args.shift_step_min or interval_min,
                    lengths_min=lengths,
                    crosses_midnight=args.crosses_midnight,
                ),
            )
        changes.update(_lunch_changes(args, base))
        if args.breaks is not None:
            changes["breaks"] = tuple(_break(item) for item in args.breaks.split(",") if item)
        if args.span is not None or args.manager_above is not None or args.manager_hours:
            changes["span"] = _span(args)
        changes["weights"] = dataclasses.replace(
            base.weights,
            hard_coverage=args.hard_coverage or base.weights.hard_coverage,
            lexicographic=args.lexicographic or base.weights.lexicographic,
        )
        changes["limits"] = roster.Limits(
            max_off_floor=args.max_off_floor, max_agents_per_day=args.max_agents_per_day
        )
        rules = base.replace(**changes)
    except (ValueError, TypeError) as exc:
        raise UserError(str(exc)) from None
    if args.rules:
        from staffplan.cli._plan import read_rules

        data = read_rules(args.rules) or {}
        try:
            given = roster.Rules.from_dict(data, interval_min=interval_min)
        except (ValueError, TypeError) as exc:
            raise UserError(f"{args.rules}: {exc}") from None
        rules = rules.replace(**{key: getattr(given, key) for key in data})
    if args.people or args.leave:
        rules = rules.replace(people=_people(args, rules))
    return rules


def _people(args: argparse.Namespace, rules: Any) -> tuple[Any, ...]:
    """``--people FILE`` (with ``--leave FILE``) read by :func:`staffplan.datasets.read_people`."""
    from staffplan import datasets
    from staffplan.cli import UserError
    from staffplan.cli._forecast import csv_options, timestamp_options

    if not args.people:
        raise UserError("--leave needs --people (the people table the leave belongs to)")
    if rules.people is not None and args.rules:
        raise UserError(f"people come from both --people and {args.rules}; drop one of them")
    dayfirst = timestamp_options(args)["dayfirst"]
    return tuple(
        datasets.read_people(args.people, leave=args.leave, dayfirst=dayfirst, **csv_options(args))
    )


def _lunch_changes(args: argparse.Namespace, base: Any) -> dict[str, Any]:
    from staffplan import roster

    if args.lunch_min is None and args.lunch_window is None and not args.paid_lunch:
        return {}
    if args.lunch_min == 0:
        return {"lunch": None}
    lunch = base.lunch or roster.LunchRule()
    fields: dict[str, Any] = {"paid": args.paid_lunch or lunch.paid}
    if args.lunch_min is not None:
        fields["length_min"] = args.lunch_min
    if args.lunch_window is not None:
        a, b = _pair(args.lunch_window, "--lunch-window")
        fields["earliest_start_min"], fields["latest_start_min"] = int(a), int(b)
    return {"lunch": dataclasses.replace(lunch, **fields)}


def _break(item: str) -> Any:
    from staffplan import roster
    from staffplan.cli import UserError

    length, _, window = item.partition("@")
    a, b = _pair(window, "--breaks") if window else ("", "")
    try:
        length_min, earliest, latest = int(length), int(a), int(b)
    except ValueError:
        raise UserError(
            f"--breaks items must look like LEN@A-B in minutes, e.g. 15@60-150, got {item!r}"
        ) from None
    return roster.BreakRule(
        length_min=length_min, earliest_start_min=earliest, latest_start_min=latest, name=item
    )


def _span(args: argparse.Namespace) -> Any:
    from staffplan import roster

    if args.span == 0:
        return None
    default = roster.SpanOfControl()
    above = args.manager_above
    return roster.SpanOfControl(
        max_agents_per_lead=default.max_agents_per_lead if args.span is None else args.span,
        manager_above_agents=default.manager_above_agents
        if above is None
        else (None if above < 0 else above),
        manager_hours=_pair(args.manager_hours, "--manager-hours") if args.manager_hours else None,
    )


def build_instance(frame: Any, args: argparse.Namespace, interval_min: int) -> Any:
    """A :class:`RosterInstance` from the prepared requirements, flags and ``--rules``.

    ``frame`` has columns ``ds`` and ``required`` (see :func:`prepare_requirements`).
    """
    from staffplan.cli import UserError

    rules = build_rules(args, interval_min)
    try:
        return rules.make_instance(frame, interval_min=interval_min, tz=getattr(args, "tz", None))
    except ValueError as exc:
        if str(exc).startswith("requirements"):
            raise UserError(f"{args.requirements}: {exc}") from None
        raise UserError(f"{args.rules}: {exc}" if args.rules else str(exc)) from None


def prepare_requirements(
    frame: Any, path: str, *, ds_col: str, required_col: str | None, interval_min: int | None
) -> tuple[Any, int, list[str]]:
    """One requirement per interval, first to last: ``(frame, interval_min, notes)``.

    The column is ``required_col``, else ``required``, else ``scheduled`` (the
    fractional count ``staffplan staff`` writes, rounded up once by the roster).
    Rows sharing an interval (one per queue) are added up; intervals the file
    leaves out (closed hours, as ``staffplan forecast`` writes them) need nobody;
    the grid covers whole days as in ``staffplan plan``.
    """
    import numpy as np
    import pandas as pd

    from staffplan import intervals
    from staffplan.cli import UserError
    from staffplan.plan._pipeline import requirement_grid

    columns = ", ".join(map(str, frame.columns))
    if ds_col not in frame.columns:
        raise UserError(
            f"{path}: no column {ds_col!r} (columns: {columns}); add it or use --ds-col"
        )
    if required_col is None:
        required_col = next((c for c in ("required", "scheduled") if c in frame.columns), None)
        if required_col is None:
            raise UserError(
                f"{path}: no column 'required' or 'scheduled' (columns: {columns}); "
                "name the agents-needed column with --required-col"
            )
    elif required_col not in frame.columns:
        raise UserError(
            f"{path}: no column {required_col!r} for --required-col (columns: {columns})"
        )
    need = pd.to_numeric(frame[required_col], errors="coerce")
    bad = need.isna() | (need < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise UserError(
            f"{path}, row {row + 1}, column {required_col!r}: {frame[required_col].tolist()[row]!r} "
            "is not a number >= 0"
        )
    ds = pd.DatetimeIndex(frame[ds_col])
    notes = []
    # Queues add up per interval of real time; the repeated hour of a clock change stays
    # two intervals until the wall-clock grid below keeps the larger of them.
    per_interval = pd.Series(need.to_numpy(float), index=ds).groupby(level=0).sum()
    if len(per_interval) < len(frame):
        notes.append(
            f"added up {len(frame)} rows into {len(per_interval)} intervals "
            f"(several queues per interval, each staffed on its own)"
        )
    if len(per_interval) > 1:
        # A stated length must agree with the file: zeros on a finer grid would halve it.
        interval_min = intervals.interval_min_for(per_interval.index, interval_min, name=path)
    elif interval_min is None:
        interval_min = 30
    grid = pd.date_range(
        per_interval.index.min(), per_interval.index.max(), freq=f"{interval_min}min"
    )
    off_grid = ~per_interval.index.isin(grid)
    if off_grid.any():
        raise UserError(
            f"{path}: interval {per_interval.index[off_grid][0]} is not on the "
            f"{interval_min}-min grid; check --interval-min"
        )
    if len(grid) > len(per_interval):
        notes.append(f"{len(grid) - len(per_interval)} intervals missing from the file need nobody")
    # Whole days, as 'staffplan plan' rosters them.
    out = requirement_grid(per_interval.index, per_interval.to_numpy(float), interval_min)
    return out, interval_min, notes


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "roster",
        help="roster shifts, lunches, breaks, leads and a manager",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "requirements", metavar="REQUIREMENTS", help="CSV/Parquet with ds and required/scheduled"
    )
    parser.add_argument(
        "--interval-min", type=int, help="interval length [min] (the smallest step in ds)"
    )
    parser.add_argument(
        "--out", required=True, help="roster file; .csv or .parquet picks the format"
    )
    parser.add_argument("--coverage-out", help="per-interval coverage file (.csv or .parquet)")
    parser.add_argument(
        "--time-limit-s",
        type=float,
        default=defaults.TIME_LIMIT_S,
        help=f"solver budget [s] ({defaults.TIME_LIMIT_S:g})",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.NUM_WORKERS,
        help=f"CP-SAT workers ({defaults.NUM_WORKERS})",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults.SEED, help=f"CP-SAT random seed ({defaults.SEED})"
    )
    parser.add_argument("--ds-col", default="ds", help="interval start column (ds)")
    parser.add_argument(
        "--tz",
        help="time zone of the centre, e.g. Europe/London: timestamps with UTC offsets are "
        "read into it, and shifts over a clock change are paid their elapsed time",
    )
    parser.add_argument(
        "--required-col", help="agents needed on the floor (required, else scheduled)"
    )
    parser.add_argument("--rules", help="RULES.json (see above)")
    parser.add_argument(
        "--people",
        metavar="FILE",
        help="people table (CSV/Parquet, one row per person with contract columns, see "
        "datasets.read_people); contracts a count roster cannot keep are rostered with "
        "roster.solve_people",
    )
    parser.add_argument(
        "--leave", metavar="FILE", help="leave table for --people (person, first_day, last_day)"
    )
    parser.add_argument(
        "--shift-window",
        help="start window HH:MM-HH:MM (default: from opening time to the last start "
        "that ends by closing time, as the requirements show them)",
    )
    parser.add_argument(
        "--shift-step-min",
        type=int,
        help="start step [min] (30, or the interval when longer or not dividing 30)",
    )
    parser.add_argument(
        "--shift-lengths",
        help="allowed lengths [min], one fitted type each, e.g. 480,510 "
        f"({','.join(map(str, defaults.SHIFT_LENGTHS_MIN))})",
    )
    parser.add_argument(
        "--crosses-midnight", action="store_true", help="shifts may end after 24:00"
    )
    parser.add_argument(
        "--lunch-min",
        type=int,
        help="lunch length [min]; 0 for none (30, or one interval on a coarser grid)",
    )
    parser.add_argument(
        "--lunch-window", help="lunch start window after shift start [min] (180-300)"
    )
    parser.add_argument("--paid-lunch", action="store_true")
    parser.add_argument(
        "--breaks",
        help="LEN@A-B,... e.g. 15@60-150,15@345-435 [min]; '' for none "
        "(15@60-150 on grids of 15 min or finer)",
    )
    parser.add_argument("--span", type=int, help="max agents per lead; 0 for no leads (10)")
    parser.add_argument(
        "--manager-above", type=int, help="manager when more agents work; -1 never (20)"
    )
    parser.add_argument(
        "--manager-hours", help="manager window HH:MM-HH:MM (default opening hours)"
    )
    parser.add_argument("--max-off-floor", type=int, help="max people at lunch/break at once")
    parser.add_argument("--max-agents-per-day", type=int, help="max agents working a day")
    parser.add_argument("--hard-coverage", action="store_true", help="forbid any shortage")
    parser.add_argument("--lexicographic", action="store_true", help="coverage first, then cost")
    add_timestamp_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from staffplan import roster
    from staffplan._io import write_frame
    from staffplan.cli import UserError
    from staffplan.cli._common import check_offsets
    from staffplan.cli._forecast import csv_options, read_table
    from staffplan.plan import paid_hours

    check_out_file(args.out)
    check_out_file(args.coverage_out, "--coverage-out")
    check_offsets(args.requirements, args.ds_col, args.tz, sep=csv_options(args)["sep"])
    frame = read_table(
        args.requirements, what="requirements", tz=args.tz, time_cols=(args.ds_col,), args=args
    )
    frame, interval_min, notes = prepare_requirements(
        frame,
        args.requirements,
        ds_col=args.ds_col,
        required_col=args.required_col,
        interval_min=args.interval_min,
    )
    for note in notes:
        log.info("note: %s: %s", args.requirements, note)
    inst = build_instance(frame, args, interval_min)
    res = roster.solve(
        inst, time_limit_s=args.time_limit_s, num_workers=args.workers, random_seed=args.seed
    )
    if not res.ok:
        raise UserError(f"no roster ({res.status}): " + "; ".join(res.reasons))
    write_frame(res.roster, args.out)
    if args.coverage_out:
        write_frame(res.coverage, args.coverage_out)
    cov = res.coverage
    print(
        f"roster: {res.status}, {res.roster['person'].nunique()} people, {len(res.roster)} shifts, "
        f"{paid_hours(res.roster):,.1f} paid hours, shortage {int(cov['shortage'].sum())} and "
        f"surplus {int(cov['surplus'].sum())} agent-intervals, gap {res.gap:.2%}, "
        f"{res.wall_time_s:.1f} s -> {args.out}"
    )
    for note in res.reasons:
        # A roster that may differ from run to run is a warning, shown even with --quiet.
        wall = res.solver_parameters.get("wall_limited") and "run to run" in note
        (log.warning if wall else log.info)("note: %s", note)
    return 0
