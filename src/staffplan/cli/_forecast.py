"""``staffplan forecast``: interval history file in, forecast with quantiles out."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

__all__ = ["read_table", "register", "run"]

_HELP = """\
Forecast interval volume (and AHT when the history has it) with quantiles.

HISTORY is a CSV or Parquet file with one row per queue and interval: ds
(interval start), volume (contacts offered) and optionally queue and aht_s.
Opening hours are learned from the history; closed slots are not forecast.
Timestamps with UTC offsets are read as UTC and shown in --tz when given.
"""

_EXAMPLE = """\
example:
  staffplan forecast history.csv --horizon 14D --out forecast.csv \\
      --quantiles 0.05,0.5,0.95 --events events.csv --method auto
"""


def read_table(
    path: str, *, what: str, tz: str | None = None, time_cols: tuple[str, ...] = ()
) -> Any:
    """Read a CSV or Parquet file; parse ``time_cols`` present in it as timestamps."""
    import pandas as pd

    from staffplan.cli import UserError

    p = Path(path)
    if not p.is_file():
        raise UserError(f"{path}: no such {what} file")
    suffix = p.suffix.lower()
    if suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(p)
    elif suffix in (".csv", ".txt"):
        frame = pd.read_csv(p)
    else:
        raise UserError(f"{path}: {what} must be a .csv or .parquet file")
    for col in time_cols:
        if col not in frame.columns or not frame[col].dtype == object:
            continue
        text = frame[col].astype(str)
        has_offset = text.str.contains(r"(?:[+-]\d\d:?\d\d|Z)$", regex=True).any()
        try:
            parsed = pd.to_datetime(frame[col], utc=bool(has_offset))
        except (TypeError, ValueError) as exc:
            raise UserError(
                f"{path}: column {col!r} holds values that are not timestamps ({exc})"
            ) from None
        if tz is not None:
            parsed = parsed.dt.tz_convert(tz) if has_offset else parsed.dt.tz_localize(tz)
        frame[col] = parsed
    return frame


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "forecast",
        help="forecast interval volume with quantiles from a history file",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("history", help="interval history (.csv or .parquet)")
    parser.add_argument("--horizon", default="14D", help="duration (14D) or number of intervals")
    parser.add_argument("--out", default="forecast.csv", help="output file, .csv or .parquet")
    parser.add_argument(
        "--quantiles", default="0.05,0.5,0.95", help="comma-separated levels in (0, 1)"
    )
    parser.add_argument("--events", help="events file: date or start/end, name, kind, factor")
    parser.add_argument(
        "--method",
        default="auto",
        choices=("auto", "snaive", "profile", "twostage", "mstl", "blend"),
        help="model (auto: chosen per queue by backtest)",
    )
    parser.add_argument("--interval-min", type=int, help="interval length [min] (inferred)")
    parser.add_argument("--tz", help="time zone of the timestamps, e.g. Europe/London")
    cols = parser.add_argument_group("history columns")
    cols.add_argument("--ds-col", default="ds", help="interval start column (ds)")
    cols.add_argument("--volume-col", default="volume", help="contacts column (volume)")
    cols.add_argument("--queue-col", default="queue", help="queue column (queue)")
    cols.add_argument("--aht-col", default="aht_s", help="AHT column [s] (aht_s)")
    parser.set_defaults(func=run)


def _parse_quantiles(text: str) -> tuple[float, ...]:
    from staffplan.cli import UserError

    try:
        levels = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise UserError(f"--quantiles must be numbers like 0.05,0.5,0.95, got {text!r}") from None
    if not levels:
        raise UserError("--quantiles must list at least one level in (0, 1)")
    return levels


def _parse_horizon(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text


def run(args: argparse.Namespace) -> int:
    from staffplan import forecast
    from staffplan._io import write_frame

    t0 = time.perf_counter()
    levels = _parse_quantiles(args.quantiles)  # option mistakes first, before any fitting
    horizon = _parse_horizon(args.horizon)
    history = read_table(args.history, what="history", tz=args.tz, time_cols=(args.ds_col,))
    events = None
    if args.events:
        events = read_table(args.events, what="events", tz=args.tz, time_cols=("start", "end"))
    model = forecast.VolumeForecaster(
        args.method,
        interval_min=args.interval_min,
        queue_col=args.queue_col,
        ds_col=args.ds_col,
        volume_col=args.volume_col,
        aht_col=args.aht_col,
    ).fit(history, events=events)
    out = model.predict(horizon, quantiles=levels)
    write_frame(out, args.out)
    summary = model.summary()
    for row in summary.itertuples(index=False):
        print(f"  queue {row.queue}: {row.config}  (backtest MAE {row.backtest_mae:.3g})")
    print(
        f"wrote {len(out)} intervals for {len(summary)} queue(s) to {args.out} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    return 0
