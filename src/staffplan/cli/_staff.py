"""``staffplan staff``: per-interval volume and AHT in, agents needed out (Erlang C or A)."""

from __future__ import annotations

import argparse
from typing import Any

from staffplan import defaults
from staffplan.cli._common import check_out_file, log
from staffplan.cli._forecast import add_timestamp_options

__all__ = ["demo_frame", "register", "run", "service_from_args", "staff_frame"]

_HELP = """\
Size staff per interval with Erlang C (or Erlang A with --patience-s).

INPUT is a CSV or Parquet file with columns ds (interval start), volume
(contacts offered per interval) and aht_s (average handle time [s]; or pass
--aht-s), such as the output of 'staffplan forecast' (--volume-col
volume_q0.95 staffs to its 95% quantile).  Several queues (a queue column) are
pooled per interval as 'staffplan plan' pools them: volumes add, AHT is the
volume-weighted mean.  A chat or deferred queue (channel/concurrency columns, which
'staffplan forecast' copies from the history) is refused, as 'staffplan plan' refuses
it without --skills.  Every target given is met at once; the defaults are
those of 'staffplan plan' (80/20, occupancy at most 0.9, shrinkage 0.3).
agents is the whole count on the phones, agents_frac its fractional level,
scheduled = agents_frac / (1 - shrinkage) the fractional count on the floor
that 'staffplan roster' reads, and scheduled_int that count rounded up once.
Without --out the table is printed; --demo prints one day with two peaks.
"""

_EXAMPLE = """\
examples:
  staffplan staff --demo
  staffplan staff volumes.csv --out staffing.csv --service-level 0.8 \\
      --target-answer-s 20 --shrinkage 0.3
  staffplan staff volumes.csv --aht-s 240 --patience-s 120 --max-abandon 0.05
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "staff",
        help="agents needed per interval (Erlang C / Erlang A) from volume and AHT",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", nargs="?", help="intervals file (.csv or .parquet)")
    parser.add_argument("--demo", action="store_true", help="staff a built-in day with two peaks")
    parser.add_argument("--out", help="write the table here (.csv or .parquet)")
    parser.add_argument(
        "--tz",
        help="time zone of the centre, e.g. Europe/London: timestamps with UTC offsets are "
        "read into it and written on its clock (needed for such timestamps)",
    )
    parser.add_argument(
        "--service-level",
        type=float,
        default=defaults.SERVICE_LEVEL,
        help=f"share answered in time ({defaults.SERVICE_LEVEL:g})",
    )
    parser.add_argument(
        "--target-answer-s",
        type=float,
        default=defaults.TARGET_ANSWER_S,
        help=f"answer target [s] ({defaults.TARGET_ANSWER_S:g})",
    )
    parser.add_argument("--max-asa-s", type=float, help="cap on average speed of answer [s]")
    parser.add_argument("--patience-s", type=float, help="mean patience [s]: Erlang A")
    parser.add_argument("--max-abandon", type=float, help="cap on abandonment (needs --patience-s)")
    parser.add_argument(
        "--max-occupancy",
        type=float,
        default=defaults.MAX_OCCUPANCY,
        help=f"cap on occupancy; 1 for none ({defaults.MAX_OCCUPANCY:g})",
    )
    parser.add_argument(
        "--shrinkage",
        type=float,
        default=defaults.SHRINKAGE,
        help="share of on-floor time off the phones (meetings, training, absence; lunches "
        f"and breaks are rostered) ({defaults.SHRINKAGE:g})",
    )
    parser.add_argument("--interval-min", type=int, help="interval length [min] (from ds, else 30)")
    parser.add_argument("--aht-s", type=float, help="one AHT [s] for every interval")
    parser.add_argument(
        "--volume-col",
        default="volume",
        help="contacts column to staff, e.g. volume_q0.95 from 'staffplan forecast' (volume)",
    )
    parser.add_argument("--queue", action="append", help="staff only this queue (repeatable)")
    parser.add_argument(
        "--fractional", action="store_true", help="print fractional agents in the table"
    )
    add_timestamp_options(parser)
    parser.set_defaults(func=run)


def demo_frame() -> Any:
    """One weekday of 30-minute intervals 08:00–20:00 with a morning and an afternoon peak."""
    import numpy as np
    import pandas as pd

    ds = pd.date_range("2026-03-02 08:00", periods=24, freq="30min")
    hour = ds.hour + ds.minute / 60 + 0.25
    volume = 30 + 170 * np.exp(-0.5 * ((hour - 10.5) / 1.1) ** 2)
    volume += 130 * np.exp(-0.5 * ((hour - 15.0) / 1.3) ** 2)
    aht_s = 260 - 20 * np.exp(-0.5 * ((hour - 12.5) / 2.0) ** 2)
    return pd.DataFrame({"ds": ds, "volume": np.round(volume), "aht_s": np.round(aht_s)})


def _check_input(frame: Any, path: str, aht_s: float | None) -> Any:
    import numpy as np
    import pandas as pd

    from staffplan.cli import UserError

    needed = ["volume"] if aht_s is not None else ["volume", "aht_s"]
    for col in needed:
        if col not in frame.columns:
            hint = " or pass --aht-s SECONDS" if col == "aht_s" else ""
            raise UserError(
                f"{path}: missing column {col!r} (columns: {', '.join(map(str, frame.columns))}); "
                f"add it{hint}"
            )
    if aht_s is not None:
        frame = frame.assign(aht_s=aht_s)
    for col, rule, ok in (
        ("volume", ">= 0", lambda v: v >= 0),
        ("aht_s", "> 0", lambda v: v > 0),
    ):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | ~ok(values.fillna(0.0 if col == "volume" else 1.0))
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            value = frame[col].tolist()[row]  # a plain Python value: prints as -3, not np.int64(-3)
            shown = "empty" if pd.isna(value) else repr(value)
            raise UserError(
                f"{path}: column {col!r}, line {row + 2} (data row {row + 1}) is "
                f"{shown}; it must be a number {rule}"
            )
        frame[col] = values.astype(float)
    return frame


def _refuse_channels(frame: Any, path: str) -> None:
    """Queues pool as voice here: a chat or deferred queue is refused, as ``plan`` does."""
    from staffplan.cli import UserError
    from staffplan.plan._pipeline import pooled_channel_conflict

    with_queue = frame if "queue" in frame.columns else frame.assign(queue="all")
    try:
        conflict = pooled_channel_conflict(with_queue)
    except ValueError as exc:
        raise UserError(f"{path}: {exc}") from None
    if conflict:
        q, what = conflict
        raise UserError(
            f"{path}: queue {q!r} is {what} (its channel/concurrency columns), but "
            "'staffplan staff' pools every queue as voice, which would staff it wrongly. "
            "Staff channels with 'staffplan plan HISTORY --skills GROUPS.csv' (one group per "
            "queue, or shared groups; docs/skills.md), staff only the voice queues with "
            "--queue NAME, or drop the channel and concurrency columns to staff all as voice"
        )


def _interval_min(frame: Any, given: int | None) -> int:
    from staffplan import intervals
    from staffplan._validation import check_interval_min

    if "ds" in frame.columns and frame["ds"].nunique() > 1:
        return intervals.interval_min_for(frame["ds"], given, name="column 'ds'")
    # One interval (or no timestamps) tells nothing about the grid: the stated length.
    return 30 if given is None else check_interval_min(given, "--interval-min")


#: Service options given as a share (0-1), often typed as a percentage.
_SHARES = ("service_level", "shrinkage", "max_abandon")


def service_from_args(args: argparse.Namespace) -> Any:
    """The :class:`staffplan.plan.ServiceTarget` of the service options."""
    from staffplan.cli import UserError
    from staffplan.plan import ServiceTarget

    occupancy = args.max_occupancy
    if occupancy is not None and occupancy > 1:
        # 1 means no cap; 90 is a percentage, not "no cap".
        raise UserError(
            f"--max-occupancy: a share in (0, 1] (1 for no cap), got {occupancy:g}; "
            f"write {occupancy / 100:g} for {occupancy:g}%"
        )
    try:
        return ServiceTarget(
            service_level=args.service_level,
            target_answer_s=args.target_answer_s,
            max_asa_s=args.max_asa_s,
            patience_s=args.patience_s,
            max_abandon=args.max_abandon,
            max_occupancy=None if occupancy is not None and occupancy >= 1 else occupancy,
            shrinkage=args.shrinkage,
        )
    except ValueError as exc:
        # Validation names the parameter; the options use dashes.
        name = str(exc).split(" ", 1)[0]
        flag = f"--{name.replace('_', '-')}: " if name in vars(args) else "service target: "
        given = vars(args).get(name)
        hint = ""
        if name in _SHARES and isinstance(given, int | float) and 1 < given <= 100:
            hint = f"; write {given / 100:g} for {given:g}%"  # a percentage, not a share
        raise UserError(f"{flag}{exc}{hint}") from None


def staff_frame(frame: Any, service: Any, interval_min: int) -> Any:
    """The requirement per interval of ``frame`` (ds, volume, aht_s) and its predicted service.

    The columns of :func:`staffplan.plan.requirements_frame` (the same numbers
    ``staffplan plan`` rosters) plus ``service_level``, ``asa_s``,
    ``p_abandon`` (Erlang A) and ``occupancy`` at ``agents`` on the phones.
    """
    import numpy as np
    import pandas as pd

    from staffplan.plan import evaluate_staffing, requirements_frame

    # A file without interval starts is a list of intervals in order.
    ds = frame["ds"] if "ds" in frame.columns else pd.Series(pd.NaT, index=frame.index)
    out = requirements_frame(
        ds, frame["volume"], frame["aht_s"], service=service, interval_min=interval_min
    )
    measured = evaluate_staffing(
        out["ds"],
        out["volume"],
        out["aht_s"],
        out["agents"],
        interval_min=interval_min,
        target_answer_s=service.target_answer_s,
        patience_s=service.patience_s,
    )
    busy = out["agents"].to_numpy() > 0
    keep = ["service_level", "asa_s", "occupancy"]
    if service.patience_s is not None:
        keep.insert(2, "p_abandon")
    for col in keep:
        # Closed intervals (no contacts, no agents) have nothing to measure.
        out[col] = np.where(busy, measured[col].to_numpy(float), np.nan)
    extra = [c for c in frame.columns if c not in out.columns and c not in ("queue",)]
    for col in extra:
        out[col] = frame[col].to_numpy()
    return out if "ds" in frame.columns else out.drop(columns="ds")


def _print_table(out: Any, fractional: bool) -> None:
    shown = out.copy()
    if "ds" in shown.columns:
        shown["ds"] = shown["ds"].astype(str).str.slice(0, 16)
    fmt = {
        "volume": "{:.0f}".format,
        "aht_s": "{:.0f}".format,
        "traffic_erl": "{:.2f}".format,
        "agents": "{:.0f}".format,
        "agents_frac": "{:.2f}".format,
        "service_level": "{:.1%}".format,
        "asa_s": "{:.1f}".format,
        "p_abandon": "{:.1%}".format,
        "occupancy": "{:.1%}".format,
        "scheduled": "{:.2f}".format,
        "scheduled_int": "{:.0f}".format,
    }
    hidden = ("scheduled_int", "agents") if fractional else ("scheduled", "agents_frac")
    shown = shown.drop(columns=[c for c in hidden if c in shown.columns])
    formatters = {k: v for k, v in fmt.items() if k in shown.columns}
    print(shown.to_string(index=False, formatters=formatters, na_rep="-"))


def run(args: argparse.Namespace) -> int:
    from staffplan._io import write_frame
    from staffplan.cli import UserError
    from staffplan.cli._common import check_offsets
    from staffplan.cli._forecast import csv_options, read_table, select_queues
    from staffplan.plan._service import pool_queues

    if args.demo == (args.input is not None):
        raise UserError("give either an INPUT file or --demo (one of the two)")
    service = service_from_args(args)  # option mistakes first
    check_out_file(args.out)
    if args.demo:
        frame, source = demo_frame(), "demo day"
    else:
        check_offsets(args.input, "ds", args.tz, sep=csv_options(args)["sep"])
        frame = read_table(args.input, what="intervals", tz=args.tz, time_cols=("ds",), args=args)
        if args.volume_col != "volume":
            if args.volume_col not in frame.columns:
                raise UserError(
                    f"{args.input}: no column {args.volume_col!r} for --volume-col "
                    f"(columns: {', '.join(map(str, frame.columns))})"
                )
            # Staff to the chosen column; the mean stays beside it when the file has one.
            renamed = {"volume": "volume_mean"} if "volume" in frame.columns else {}
            frame = frame.rename(columns={**renamed, args.volume_col: "volume"})
        frame = select_queues(frame, args.queue, "queue", args.input)
        frame, source = _check_input(frame, args.input, args.aht_s), args.input
        _refuse_channels(frame, source)
        if "ds" in frame.columns:
            n_queues = frame["queue"].nunique() if "queue" in frame.columns else 1
            frame = pool_queues(frame)
            if n_queues > 1:
                log.info(
                    "%s: pooled %d queues per interval (as 'staffplan plan')", source, n_queues
                )
    interval_min = _interval_min(frame, args.interval_min)
    try:
        out = staff_frame(frame, service, interval_min)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.out is None:
        _print_table(out, args.fractional)
    total = out["scheduled"].sum() * interval_min / 60
    log.info(
        "%d intervals of %d min from %s (%s); peak %g on the phones, %s scheduled agent-hours "
        "with %.0f%% shrinkage",
        len(out),
        interval_min,
        source,
        service.model,
        out["agents"].max(),
        f"{total:,.1f}",
        100 * service.shrinkage,
    )
    if args.out:
        write_frame(out, args.out)
        log.info("wrote %s", args.out)
    return 0
