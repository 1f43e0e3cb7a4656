"""``staffplan roster``: requirements file in, roster (and coverage) file out."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

__all__ = ["build_instance", "prepare_requirements", "register", "run"]

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
lunch or span off).  JSON wins over flags.  Times of day are HH:MM; lunch
and break windows are minutes after the shift starts.
The roster has one row per person-shift; breaks are written as
"start/end" ISO pairs joined by ";".
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


def build_instance(frame: Any, args: argparse.Namespace, interval_min: int) -> Any:
    """A :class:`RosterInstance` from the prepared requirements, flags and ``--rules``.

    ``frame`` has columns ``ds`` and ``required`` (see :func:`prepare_requirements`).
    """
    from staffplan import roster
    from staffplan.cli import UserError
    from staffplan.roster._hours import default_lunch

    lengths = _ints(args.shift_lengths, "--shift-lengths")
    if args.shift_window:
        lo, hi = _pair(args.shift_window, "--shift-window")
        shifts = [
            {
                "name": "shift",
                "earliest_start": lo,
                "latest_start": hi,
                "start_step_min": args.shift_step_min or interval_min,
                "lengths_min": lengths,
                "crosses_midnight": args.crosses_midnight,
            }
        ]
    else:
        try:
            fitted = roster.shifts_for_hours(
                frame["ds"],
                frame["required"],
                interval_min=interval_min,
                lengths_min=lengths,
                names=tuple(f"{v} min" for v in lengths),
                start_step_min=args.shift_step_min or interval_min,
            )
        except ValueError as exc:
            raise UserError(str(exc)) from None
        shifts = [dataclasses.asdict(s) for s in fitted]
    spec: dict[str, Any] = {
        "shifts": shifts,
        "lunch": None,
        "breaks": [],
        "span": None,
        "weights": {"hard_coverage": args.hard_coverage, "lexicographic": args.lexicographic},
        "limits": {
            "max_off_floor": args.max_off_floor,
            "max_agents_per_day": args.max_agents_per_day,
        },
    }
    lunch_min = default_lunch(interval_min).length_min if args.lunch_min is None else args.lunch_min
    if lunch_min:
        a, b = _pair(args.lunch_window, "--lunch-window")
        spec["lunch"] = {
            "length_min": lunch_min,
            "paid": args.paid_lunch,
            "earliest_start_min": int(a),
            "latest_start_min": int(b),
        }
    for item in filter(None, (args.breaks or "").split(",")):
        length, _, window = item.partition("@")
        a, b = _pair(window, "--breaks") if window else ("", "")
        try:
            length_min, earliest, latest = int(length), int(a), int(b)
        except ValueError:
            raise UserError(
                f"--breaks items must look like LEN@A-B in minutes, e.g. 15@60-150, got {item!r}"
            ) from None
        spec["breaks"].append(
            {
                "length_min": length_min,
                "earliest_start_min": earliest,
                "latest_start_min": latest,
                "name": item,
            }
        )
    if args.span:
        spec["span"] = {
            "max_agents_per_lead": args.span,
            "manager_above_agents": None if args.manager_above < 0 else args.manager_above,
            "manager_hours": _pair(args.manager_hours, "--manager-hours")
            if args.manager_hours
            else None,
        }
    kwargs: dict[str, Any] = {
        "shifts": [roster.ShiftRules(**s) for s in spec["shifts"]],
        "lunch": None if spec["lunch"] is None else roster.LunchRule(**spec["lunch"]),
        "breaks": [roster.BreakRule(**b) for b in spec["breaks"]],
        "span": None if spec["span"] is None else roster.SpanOfControl(**spec["span"]),
        "weights": roster.Weights(**spec["weights"]),
        "limits": roster.Limits(**spec["limits"]),
    }
    if args.rules:
        from staffplan.cli._plan import read_rules
        from staffplan.plan import rules_from_mapping

        data = read_rules(args.rules) or {}
        try:
            built = rules_from_mapping(data, interval_min=interval_min)
        except (ValueError, TypeError) as exc:
            raise UserError(f"{args.rules}: {exc}") from None
        kwargs.update({key: built[key] for key in data})
    try:
        return roster.make_instance(
            frame, interval_min=interval_min, ds_col="ds", required_col="required", **kwargs
        )
    except ValueError as exc:
        if str(exc).startswith("requirements"):
            raise UserError(f"{args.requirements}: {exc}") from None
        raise UserError(f"{args.rules}: {exc}" if args.rules else str(exc)) from None


def prepare_requirements(
    frame: Any, path: str, *, ds_col: str, required_col: str | None, interval_min: int | None
) -> tuple[Any, int, list[str]]:
    """One requirement per interval, first to last: ``(frame, interval_min, notes)``.

    The column is ``required_col``, else ``required``, else ``scheduled`` (what
    ``staffplan staff`` writes). Rows sharing an interval (one per queue) are added up;
    intervals the file leaves out (closed hours, as ``staffplan forecast`` writes them)
    need nobody.
    """
    import numpy as np
    import pandas as pd

    from staffplan.cli import UserError

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
    if ds.tz is not None:
        ds = ds.tz_localize(None)  # shifts are planned in local wall-clock time
    notes = []
    per_interval = pd.Series(need.to_numpy(float), index=ds).groupby(level=0).sum()
    if len(per_interval) < len(frame):
        notes.append(
            f"added up {len(frame)} rows into {len(per_interval)} intervals "
            f"(several queues per interval, each staffed on its own)"
        )
    steps = np.diff(per_interval.index.asi8) // 60_000_000_000
    step_min = int(steps.min()) if steps.size else None
    if interval_min is None:
        interval_min = step_min or 30
    elif step_min is not None and step_min > interval_min:
        # Filling the finer grid with zeros would halve the requirement silently.
        raise UserError(
            f"{path}: the intervals are {step_min} min apart, not --interval-min {interval_min}; "
            f"pass --interval-min {step_min} or leave it out"
        )
    grid = pd.date_range(
        per_interval.index.min(), per_interval.index.max(), freq=f"{interval_min}min"
    )
    off_grid = ~per_interval.index.isin(grid)
    if off_grid.any():
        raise UserError(
            f"{path}: interval {per_interval.index[off_grid][0]} is not on the "
            f"{interval_min}-min grid; check --interval-min"
        )
    filled = per_interval.reindex(grid, fill_value=0.0)
    if len(grid) > len(per_interval):
        notes.append(f"{len(grid) - len(per_interval)} intervals missing from the file need nobody")
    out = pd.DataFrame({"ds": grid, "required": filled.to_numpy(float)})
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
    parser.add_argument("--out", required=True, help="roster file (.csv or .parquet)")
    parser.add_argument("--coverage-out", help="per-interval coverage file")
    parser.add_argument("--time-limit-s", type=float, default=30.0, help="solver budget [s] (30)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (2)")
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT random seed (0)")
    parser.add_argument("--ds-col", default="ds", help="interval start column (ds)")
    parser.add_argument(
        "--required-col", help="agents needed on the floor (required, else scheduled)"
    )
    parser.add_argument("--rules", help="RULES.json (see above)")
    parser.add_argument(
        "--shift-window",
        help="start window HH:MM-HH:MM (default: from opening time to the last start "
        "that ends by closing time, as the requirements show them)",
    )
    parser.add_argument("--shift-step-min", type=int, default=0, help="start step [min] (interval)")
    parser.add_argument(
        "--shift-lengths", default="480", help="allowed lengths [min], e.g. 480,510"
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
        "--lunch-window", default="180-300", help="lunch start window after shift start [min]"
    )
    parser.add_argument("--paid-lunch", action="store_true")
    parser.add_argument("--breaks", default="", help="LEN@A-B,... e.g. 15@60-150,15@345-435 [min]")
    parser.add_argument("--span", type=int, default=10, help="max agents per lead; 0 for no leads")
    parser.add_argument(
        "--manager-above", type=int, default=20, help="manager when more agents work; -1 never"
    )
    parser.add_argument(
        "--manager-hours", help="manager window HH:MM-HH:MM (default opening hours)"
    )
    parser.add_argument("--max-off-floor", type=int, help="max people at lunch/break at once")
    parser.add_argument("--max-agents-per-day", type=int, help="max agents working a day")
    parser.add_argument("--hard-coverage", action="store_true", help="forbid any shortage")
    parser.add_argument("--lexicographic", action="store_true", help="coverage first, then cost")
    parser.set_defaults(func=run)


def _serialise(roster_frame: Any) -> Any:
    out = roster_frame.copy()
    out["breaks"] = [
        ";".join(f"{a.isoformat()}/{b.isoformat()}" for a, b in pairs) for pairs in out["breaks"]
    ]
    return out


def run(args: argparse.Namespace) -> int:
    from staffplan import roster
    from staffplan._io import write_frame
    from staffplan.cli import UserError
    from staffplan.cli._forecast import read_table

    frame = read_table(args.requirements, what="requirements", time_cols=(args.ds_col,))
    frame, interval_min, notes = prepare_requirements(
        frame,
        args.requirements,
        ds_col=args.ds_col,
        required_col=args.required_col,
        interval_min=args.interval_min,
    )
    for note in notes:
        print(f"note: {args.requirements}: {note}")
    inst = build_instance(frame, args, interval_min)
    res = roster.solve(
        inst, time_limit_s=args.time_limit_s, num_workers=args.workers, random_seed=args.seed
    )
    if not res.ok:
        raise UserError(f"no roster ({res.status}): " + "; ".join(res.reasons))
    write_frame(_serialise(res.roster), args.out)
    if args.coverage_out:
        write_frame(res.coverage, args.coverage_out)
    cov = res.coverage
    print(
        f"roster: {res.status}, {res.roster['person'].nunique()} people, {len(res.roster)} shifts, "
        f"shortage {int(cov['shortage'].sum())} and surplus {int(cov['surplus'].sum())} agent-intervals, "
        f"gap {res.gap:.2%}, {res.wall_time_s:.1f} s -> {args.out}"
    )
    for note in res.reasons:
        print(f"note: {note}")
    return 0
