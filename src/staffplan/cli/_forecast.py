"""``staffplan forecast``: interval history file in, forecast with quantiles out."""

from __future__ import annotations

import argparse
import time
from typing import Any

from staffplan import defaults
from staffplan.cli._common import (
    check_offsets,
    check_one_grid,
    check_out_file,
    log,
    warn_short_aht,
)

__all__ = [
    "add_holidays_option",
    "add_timestamp_options",
    "channels_of",
    "csv_options",
    "parse_horizon",
    "read_table",
    "register",
    "run",
    "select_queues",
    "timestamp_options",
    "with_channels",
    "with_file",
    "with_holidays",
]

_HELP = """\
Forecast interval volume (and AHT when the history has it) with quantiles.

HISTORY is a CSV or Parquet file with one row per queue and interval: ds
(interval start), volume (contacts offered) and optionally queue and aht_s.
Opening hours are learned from the history; closed slots are not forecast.
Timestamps with a non-zero UTC offset need --tz (the centre's zone): read as UTC,
every clock time would be UTC.
"""

_EXAMPLE = """\
example:
  staffplan forecast history.csv --horizon 14D --out forecast.csv \\
      --quantiles 0.05,0.5,0.95 --events events.csv --method auto
"""


def read_table(
    path: str,
    *,
    what: str,
    tz: str | None = None,
    time_cols: tuple[str, ...] = (),
    allow_missing_time: bool = False,
    args: argparse.Namespace | None = None,
) -> Any:
    """Read a CSV or Parquet file with :func:`staffplan.datasets.read_table`.

    ``args`` carries the timestamp options (``--dayfirst``, ``--monthfirst``,
    ``--date-format``) and the CSV options (``--sep``, ``--decimal``) when the
    command has them.  Mistakes raise a ``ValueError`` naming the file and, for
    a bad timestamp, its row and column.
    """
    from staffplan.datasets import read_table as read

    return read(
        path,
        what=what,
        time_cols=time_cols,
        tz=tz,
        allow_missing_time=allow_missing_time,
        **timestamp_options(args),
        **csv_options(args),
    )


def add_timestamp_options(parser: Any) -> None:
    """How the input files read: ``--dayfirst`` / ``--monthfirst`` / ``--date-format``
    for dates like 05/01/2026, ``--sep`` / ``--decimal`` for CSV files written with
    ``;`` and decimal commas (every file the command reads takes them)."""
    group = parser.add_argument_group("timestamps (ISO 8601 needs none of these)")
    order = group.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", action="store_true", help="05/01/2026 is 5 January (day first)"
    )
    order.add_argument("--monthfirst", action="store_true", help="05/01/2026 is 1 May")
    order.add_argument("--date-format", help="exact format, e.g. '%%d/%%m/%%Y %%H:%%M'")
    csv = parser.add_argument_group("CSV files (comma-separated with '.' decimals need none)")
    csv.add_argument(
        "--sep",
        choices=[",", ";", "tab", "|"],
        metavar="SEP",
        help="column separator of the input CSV files: ',' (default), ';', tab or '|'",
    )
    csv.add_argument(
        "--decimal",
        choices=[".", ","],
        metavar="MARK",
        help="decimal mark of their numbers: '.' (default) or ',' (12,5 is 12.5; with --sep ';')",
    )


def csv_options(args: argparse.Namespace | None) -> dict[str, Any]:
    """The reader's ``sep`` / ``decimal`` from the parsed options (``tab`` is a tab)."""
    if args is None:
        return {}
    sep = getattr(args, "sep", None)
    return {"sep": "\t" if sep == "tab" else sep, "decimal": getattr(args, "decimal", None)}


def timestamp_options(args: argparse.Namespace | None) -> dict[str, Any]:
    """The reader's ``dayfirst`` / ``date_format`` from the parsed options."""
    if args is None:
        return {}
    dayfirst = True if getattr(args, "dayfirst", False) else None
    if getattr(args, "monthfirst", False):
        dayfirst = False
    return {"dayfirst": dayfirst, "date_format": getattr(args, "date_format", None)}


def with_file(path: str, exc: Exception, *, options: str) -> Exception:
    """``exc`` as a :class:`UserError` naming ``path``, with the fix in command-line terms."""
    from staffplan.cli import UserError

    msg = str(exc)
    if not msg.startswith(path):
        msg = f"{path}: {msg}"
    msg = msg.replace("as keyword arguments", f"with {options}")
    return UserError(msg)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast interval volume with quantiles from a history file",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("history", help="interval history (.csv or .parquet)")
    parser.add_argument(
        "--horizon",
        default=defaults.HORIZON,
        help=f"duration ({defaults.HORIZON}), counted from --start as in 'staffplan plan' "
        "(from the default start, days are the centre's operating days: 7D covers 7 whole "
        "nights of a centre open 22:00-06:00), or a whole number of intervals after the "
        "history (96: two days of 30 min)",
    )
    parser.add_argument(
        "--start",
        help="first interval of a duration horizon (default: the start of the centre's next "
        "operating day after the history: the next midnight, or the next opening of a "
        "centre open across midnight)",
    )
    parser.add_argument(
        "--out", default="forecast.csv", help="output file; .csv or .parquet picks the format"
    )
    parser.add_argument(
        "--quantiles",
        default=",".join(f"{q:g}" for q in defaults.QUANTILES),
        help="comma-separated levels in (0, 1)",
    )
    parser.add_argument("--events", help="events file: date or start/end, name, kind, factor")
    add_holidays_option(parser)
    parser.add_argument(
        "--method",
        default=defaults.FORECAST_METHOD,
        choices=("auto", "snaive", "profile", "twostage", "mstl", "blend"),
        help="model (auto: chosen per queue by backtest)",
    )
    parser.add_argument("--interval-min", type=int, help="interval length [min] (inferred)")
    parser.add_argument("--tz", help="time zone of the timestamps, e.g. Europe/London")
    add_timestamp_options(parser)
    cols = parser.add_argument_group("history columns")
    cols.add_argument("--ds-col", default="ds", help="interval start column (ds)")
    cols.add_argument("--volume-col", default="volume", help="contacts column (volume)")
    cols.add_argument(
        "--queue-col", default="queue", help="queue column; optional: absent means one queue"
    )
    cols.add_argument("--aht-col", default="aht_s", help="AHT column [s] (aht_s)")
    cols.add_argument("--queue", action="append", help="forecast only this queue (repeatable)")
    parser.set_defaults(func=run)


def add_holidays_option(parser: argparse.ArgumentParser) -> None:
    """``--holidays COUNTRY[-SUBDIV]``: a public-holiday calendar as events."""
    parser.add_argument(
        "--holidays",
        metavar="COUNTRY[-SUBDIV]",
        help="public holidays of a country or region ('US', 'DE-BY', 'AE'; the holidays "
        "package, staffplan[holidays]): each holiday and the days around it are learned "
        "from the history like events",
    )


def with_holidays(events: Any, code: str | None) -> Any:
    """The events for the forecast: the ``--events`` frame, the ``--holidays`` code, or both.

    An unknown code is refused here, before any fitting, naming ``--holidays``.
    """
    from staffplan.cli import UserError
    from staffplan.forecast._events import calendar_events

    if not code:
        return events
    try:
        calendar_events(code, range(2000, 2001), name="--holidays")
    except (ValueError, ImportError) as exc:
        raise UserError(str(exc)) from None
    return code if events is None else [events, code]


def _parse_quantiles(text: str) -> tuple[float, ...]:
    from staffplan.cli import UserError

    try:
        levels = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise UserError(f"--quantiles must be numbers like 0.05,0.5,0.95, got {text!r}") from None
    if not levels:
        raise UserError("--quantiles must list at least one level in (0, 1)")
    return levels


def parse_horizon(text: str) -> int | str:
    """``--horizon``: digits count intervals (as an int does in Python); else a duration."""
    return int(text) if text.strip().isdigit() else text


def select_queues(frame: Any, queues: list[str] | None, queue_col: str, path: str) -> Any:
    """Rows of the chosen ``--queue`` values (all rows without ``--queue``)."""
    from staffplan.cli import UserError

    if not queues:
        return frame
    if queue_col not in frame.columns:
        raise UserError(f"{path}: --queue needs a queue column; the file has no {queue_col!r}")
    have = sorted(frame[queue_col].astype(str).unique())
    missing = [q for q in queues if q not in have]
    if missing:
        raise UserError(f"--queue must be one of {have}, got {missing[0]!r}")
    return frame[frame[queue_col].astype(str).isin(queues)].reset_index(drop=True)


def channels_of(history: Any, queue_col: str, path: str) -> dict[str, dict[str, Any]]:
    """Each queue's ``channel``/``concurrency`` from the history's columns (those it has).

    Read before the forecast runs, so that a queue with two channels is refused first.
    They ride along in the forecast (:func:`with_channels`) so that ``staffplan staff``
    knows a chat or deferred queue (and refuses to pool it as voice, as ``plan`` does).
    """
    from staffplan.skills._plan import queue_channels

    cols = [c for c in ("channel", "concurrency") if c in history.columns]
    if not cols:
        return {}
    frame = history[cols].copy()
    frame["queue"] = history[queue_col].astype(str) if queue_col in history.columns else "all"
    try:
        channel, concurrency = queue_channels(frame)
    except ValueError as exc:
        raise with_file(path, exc, options="one channel per queue") from None
    maps = {"channel": channel, "concurrency": concurrency}
    return {col: per_queue for col, per_queue in maps.items() if per_queue is not None}


def with_channels(out: Any, channels: dict[str, dict[str, Any]]) -> Any:
    """The forecast with the columns of :func:`channels_of`, by queue."""
    if not channels:
        return out
    queue = out["queue"].astype(str)
    return out.assign(**{col: queue.map(per_queue) for col, per_queue in channels.items()})


def _predict(
    model: Any, ds: Any, volume: Any, horizon: int | str, start: str | None, levels: Any
) -> Any:
    """The forecast over the plan's window (a duration) or ``horizon`` intervals.

    The window is :func:`staffplan.plan._pipeline.plan_window`'s, on the hours the
    history's ``volume`` shows (a night centre's starts at its next opening).
    """
    import pandas as pd

    from staffplan import intervals
    from staffplan.cli import UserError
    from staffplan.plan._pipeline import plan_window

    if isinstance(horizon, int):
        if start is not None:
            raise UserError("--start needs a duration --horizon such as 7D, not a count")
        return model.predict(horizon, quantiles=levels)
    ds = pd.to_datetime(ds)
    try:
        step = intervals.interval_min_for(ds)
        span = intervals.horizon_span(horizon, step)
        notes: list[str] = []
        volume = pd.to_numeric(volume, errors="coerce")
        first, end = plan_window(ds, start, span, step, volume=volume, notes=notes)
    except ValueError as exc:
        raise UserError(f"--horizon/--start: {exc}") from None
    for note in notes:
        log.warning("warning: --%s", note)
    last = ds.max()
    if first <= last:
        raise UserError(f"--start must be after the end of the history ({last}), got {first}")
    out = model.predict(pd.Timedelta(end - last), quantiles=levels)
    return out[(out["ds"] >= first) & (out["ds"] < end)].reset_index(drop=True)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from staffplan import forecast
    from staffplan._io import write_frame

    t0 = time.perf_counter()
    levels = _parse_quantiles(args.quantiles)  # option mistakes first, before any fitting
    horizon = parse_horizon(args.horizon)
    check_out_file(args.out)
    check_offsets(args.history, args.ds_col, args.tz, sep=csv_options(args)["sep"])
    history = read_table(
        args.history, what="history", tz=args.tz, time_cols=(args.ds_col,), args=args
    )
    history = select_queues(history, args.queue, args.queue_col, args.history)
    if args.queue_col in history.columns:
        check_one_grid(history[args.ds_col], history[args.queue_col], args.history)
    if args.aht_col in history.columns:
        aht = pd.to_numeric(history[args.aht_col], errors="coerce")
        warn_short_aht(aht, f"{args.history}, column {args.aht_col!r}")
    channels = channels_of(history, args.queue_col, args.history)
    events = None
    if args.events:
        from staffplan.datasets import read_events

        # The reader 'plan' uses: day-only dates, factor and queue read by the same rules.
        events = read_events(
            args.events, tz=args.tz, **timestamp_options(args), **csv_options(args)
        )
    events = with_holidays(events, args.holidays)
    try:
        model = forecast.VolumeForecaster(
            args.method,
            interval_min=args.interval_min,
            queue_col=args.queue_col,
            ds_col=args.ds_col,
            volume_col=args.volume_col,
            aht_col=args.aht_col,
        ).fit(history, events=events)
    except (ValueError, TypeError) as exc:
        raise with_file(
            args.history, exc, options="--ds-col, --volume-col, --queue-col or --aht-col"
        ) from None
    out = _predict(
        model, history[args.ds_col], history[args.volume_col], horizon, args.start, levels
    )
    out = with_channels(out, channels)
    write_frame(out, args.out)
    summary = model.summary()
    for row in summary.itertuples(index=False):
        log.info("  queue %s: %s  (backtest MAE %.3g)", row.queue, row.config, row.backtest_mae)
    log.info(
        "wrote %d intervals for %d queue(s) to %s in %.1f s",
        len(out),
        len(summary),
        args.out,
        time.perf_counter() - t0,
    )
    if len(out) == 0:
        log.warning(
            "note: the %s after the history holds no open interval (the history has no "
            "contacts on those days); lengthen --horizon",
            args.horizon,
        )
    return 0
