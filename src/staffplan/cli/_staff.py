"""``staffplan staff``: per-interval volume and AHT in, agents needed out (Erlang C or A)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["demo_frame", "register", "run", "staff_frame"]

_HELP = """\
Size staff per interval with Erlang C (or Erlang A with --patience-s).

INPUT is a CSV or Parquet file with columns ds (interval start), volume
(contacts offered per interval) and aht_s (average handle time [s]; or pass
--aht-s), such as the output of 'staffplan forecast' (--volume-col
volume_q0.95 staffs to its 95% quantile).  Every target given is met at once;
agents is the count on the phones, scheduled adds shrinkage (the count to
roster: 'staffplan roster' reads it).  Without --out the table is printed;
--demo prints one day with two peaks.
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
        "--service-level", type=float, default=0.8, help="share answered in time (0.8)"
    )
    parser.add_argument(
        "--target-answer-s", type=float, default=20.0, help="answer target [s] (20)"
    )
    parser.add_argument("--max-asa-s", type=float, help="cap on average speed of answer [s]")
    parser.add_argument("--patience-s", type=float, help="mean patience [s]: Erlang A")
    parser.add_argument("--max-abandon", type=float, help="cap on abandonment (needs --patience-s)")
    parser.add_argument("--max-occupancy", type=float, help="cap on occupancy, e.g. 0.85 (none)")
    parser.add_argument(
        "--shrinkage",
        type=float,
        default=0.0,
        help="share of paid time off the phones, e.g. 0.3 (0)",
    )
    parser.add_argument("--interval-min", type=int, help="interval length [min] (from ds, else 30)")
    parser.add_argument("--aht-s", type=float, help="one AHT [s] for every interval")
    parser.add_argument(
        "--volume-col",
        default="volume",
        help="contacts column to staff, e.g. volume_q0.95 from 'staffplan forecast' (volume)",
    )
    parser.add_argument(
        "--fractional", action="store_true", help="keep fractional agents (no rounding)"
    )
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


def _interval_min(frame: Any, given: int | None) -> int:
    import pandas as pd

    if given is not None:
        return given
    if "ds" in frame.columns and len(frame) > 1:
        ds = pd.to_datetime(frame["ds"], errors="coerce")
        step = ds.diff().dropna()
        step = step[step > pd.Timedelta(0)]
        if len(step):
            return int(step.min().total_seconds() // 60)
    return 30


def staff_frame(frame: Any, args: argparse.Namespace, interval_min: int) -> Any:
    """Add traffic, agents, predicted service and the scheduled count to ``frame``."""
    import numpy as np

    from staffplan import erlang

    volume = frame["volume"].to_numpy(float)
    aht = frame["aht_s"].to_numpy(float)
    targets = {
        "interval_min": interval_min,
        "service_level": args.service_level,
        "target_answer_s": args.target_answer_s,
        "max_asa_s": args.max_asa_s,
        "patience_s": args.patience_s,
        "max_abandon": args.max_abandon,
        "max_occupancy": args.max_occupancy,
    }
    agents = erlang.required_agents(volume, aht, **targets, integer=not args.fractional)
    scheduled = erlang.required_agents(
        volume, aht, **targets, shrinkage=args.shrinkage, integer=not args.fractional
    )
    traffic = erlang.traffic(volume, aht, interval_min=interval_min)
    out = frame.copy()
    out["traffic_erl"] = traffic
    out["agents"] = agents
    busy = agents > 0
    safe = np.where(busy, agents, 1.0)
    if args.patience_s is None:
        sl = erlang.service_level(safe, traffic, aht, args.target_answer_s)
        asa_s = erlang.asa(safe, traffic, aht)
        occ = erlang.occupancy(safe, traffic)
        p_ab = None
    else:
        res = erlang.erlang_a(safe, traffic, aht, args.patience_s, args.target_answer_s)
        sl, asa_s, occ, p_ab = res.service_level, res.asa_s, res.occupancy, res.p_abandon
    # Closed intervals (no contacts, no agents) have nothing to measure.
    out["service_level"] = np.where(busy, sl, np.nan)
    out["asa_s"] = np.where(busy, asa_s, np.nan)
    if p_ab is not None:
        out["p_abandon"] = np.where(busy, p_ab, np.nan)
    out["occupancy"] = np.where(busy, occ, np.nan)
    out["scheduled"] = scheduled
    return out


def _print_table(out: Any, fractional: bool) -> None:
    shown = out.copy()
    if "ds" in shown.columns:
        shown["ds"] = shown["ds"].astype(str).str.slice(0, 16)
    fmt = {
        "volume": "{:.0f}".format,
        "aht_s": "{:.0f}".format,
        "traffic_erl": "{:.2f}".format,
        "agents": ("{:.2f}" if fractional else "{:.0f}").format,
        "service_level": "{:.1%}".format,
        "asa_s": "{:.1f}".format,
        "p_abandon": "{:.1%}".format,
        "occupancy": "{:.1%}".format,
        "scheduled": ("{:.2f}" if fractional else "{:.0f}").format,
    }
    formatters = {k: v for k, v in fmt.items() if k in shown.columns}
    print(shown.to_string(index=False, formatters=formatters, na_rep="-"))


def run(args: argparse.Namespace) -> int:
    from staffplan._io import write_frame
    from staffplan.cli import UserError
    from staffplan.cli._forecast import read_table

    if args.demo == (args.input is not None):
        raise UserError("give either an INPUT file or --demo (one of the two)")
    if args.demo:
        frame, source = demo_frame(), "demo day"
    else:
        frame = read_table(args.input, what="intervals", time_cols=("ds",))
        if args.volume_col != "volume":
            if args.volume_col not in frame.columns:
                raise UserError(
                    f"{args.input}: no column {args.volume_col!r} for --volume-col "
                    f"(columns: {', '.join(map(str, frame.columns))})"
                )
            # Staff to the chosen column; the mean stays beside it when the file has one.
            renamed = {"volume": "volume_mean"} if "volume" in frame.columns else {}
            frame = frame.rename(columns={**renamed, args.volume_col: "volume"})
        frame, source = _check_input(frame, args.input, args.aht_s), args.input
    interval_min = _interval_min(frame, args.interval_min)
    try:
        out = staff_frame(frame, args, interval_min)
    except ValueError as exc:
        # Validation names the parameter; the options use dashes.
        name = str(exc).split(" ", 1)[0]
        if name in vars(args):
            raise UserError(f"--{name.replace('_', '-')}: {exc}") from None
        raise UserError(str(exc)) from None
    if args.out is None:
        _print_table(out, args.fractional)
    model = "Erlang A" if args.patience_s is not None else "Erlang C"
    total = out["scheduled"].sum() * interval_min / 60
    print(
        f"{len(out)} intervals of {interval_min} min from {source} ({model}); "
        f"peak {out['agents'].max():g} on the phones, {total:,.1f} scheduled agent-hours "
        f"with {args.shrinkage:.0%} shrinkage"
    )
    if args.out:
        write_frame(out, args.out)
        print(f"wrote {args.out}")
    return 0
