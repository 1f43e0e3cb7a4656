"""``staffplan roster``: requirements file in, roster (and coverage) file out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["build_instance", "register", "run"]

_HELP = """\
Roster shifts with lunches, breaks, team leads and a manager (CP-SAT).

REQUIREMENTS is a CSV or Parquet file with a timestamp column (ds) and the
agents needed on the floor per interval (required; fractional values are
rounded up). Rules come from flags or from --rules RULES.json, whose keys
shifts (list), lunch, breaks (list), span, weights, limits and people (list)
take the keyword arguments of ShiftRules, LunchRule, BreakRule,
SpanOfControl, Weights, Limits and Person (null turns lunch or span off).
JSON wins over flags.
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


def build_instance(frame: Any, args: argparse.Namespace) -> Any:
    """A :class:`RosterInstance` from the requirements frame, flags and ``--rules``."""
    from staffplan import roster
    from staffplan.cli import UserError

    lo, hi = _pair(args.shift_window, "--shift-window")
    spec: dict[str, Any] = {
        "shifts": [
            {
                "name": "shift",
                "earliest_start": lo,
                "latest_start": hi,
                "start_step_min": args.shift_step_min or args.interval_min,
                "lengths_min": _ints(args.shift_lengths, "--shift-lengths"),
                "crosses_midnight": args.crosses_midnight,
            }
        ],
        "lunch": None,
        "breaks": [],
        "span": None,
        "weights": {"hard_coverage": args.hard_coverage, "lexicographic": args.lexicographic},
        "limits": {
            "max_off_floor": args.max_off_floor,
            "max_agents_per_day": args.max_agents_per_day,
        },
    }
    if args.lunch_min:
        a, b = _pair(args.lunch_window, "--lunch-window")
        spec["lunch"] = {
            "length_min": args.lunch_min,
            "paid": args.paid_lunch,
            "earliest_start_min": int(a),
            "latest_start_min": int(b),
        }
    for item in filter(None, (args.breaks or "").split(",")):
        length, _, window = item.partition("@")
        a, b = _pair(window, "--breaks")
        spec["breaks"].append(
            {
                "length_min": int(length),
                "earliest_start_min": int(a),
                "latest_start_min": int(b),
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
    if args.rules:
        path = Path(args.rules)
        if not path.is_file():
            raise UserError(f"{args.rules}: no such rules file")
        try:
            spec.update(json.loads(path.read_text()))
        except json.JSONDecodeError as exc:
            raise UserError(f"{args.rules}: not valid JSON ({exc})") from None
    try:
        return roster.make_instance(
            frame,
            interval_min=args.interval_min,
            shifts=[roster.ShiftRules(**s) for s in spec["shifts"]],
            lunch=None if spec.get("lunch") is None else roster.LunchRule(**spec["lunch"]),
            breaks=[roster.BreakRule(**b) for b in spec.get("breaks") or []],
            span=None if spec.get("span") is None else roster.SpanOfControl(**spec["span"]),
            weights=roster.Weights(**(spec.get("weights") or {})),
            limits=roster.Limits(**(spec.get("limits") or {})),
            people=None
            if spec.get("people") is None
            else [roster.Person(**p) for p in spec["people"]],
            ds_col=args.ds_col,
            required_col=args.required_col,
        )
    except TypeError as exc:
        raise UserError(f"rules: {exc}") from None


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "roster",
        help="roster shifts, lunches, breaks, leads and a manager",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "requirements", metavar="REQUIREMENTS", help="CSV/Parquet with ds and required"
    )
    parser.add_argument("--interval-min", type=int, required=True, help="interval length [min]")
    parser.add_argument("--out", required=True, help="roster file (.csv or .parquet)")
    parser.add_argument("--coverage-out", help="per-interval coverage file")
    parser.add_argument("--time-limit-s", type=float, default=30.0, help="solver budget [s] (30)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (2)")
    parser.add_argument("--seed", type=int, default=0, help="CP-SAT random seed (0)")
    parser.add_argument("--ds-col", default="ds")
    parser.add_argument("--required-col", default="required")
    parser.add_argument("--rules", help="RULES.json (see above)")
    parser.add_argument("--shift-window", default="07:00-15:00", help="start window HH:MM-HH:MM")
    parser.add_argument("--shift-step-min", type=int, default=0, help="start step [min] (interval)")
    parser.add_argument(
        "--shift-lengths", default="480", help="allowed lengths [min], e.g. 480,510"
    )
    parser.add_argument(
        "--crosses-midnight", action="store_true", help="shifts may end after 24:00"
    )
    parser.add_argument("--lunch-min", type=int, default=30, help="lunch length [min]; 0 for none")
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
    inst = build_instance(frame, args)
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
