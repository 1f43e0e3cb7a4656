"""Hostile inputs for the public entry points, and the judge of what comes back.

Every hostile call ends in one of five outcomes:

``correct``
    A result that agrees with its inputs (the entry point's own check says so).
``clear_error``
    A ``ValueError``/``TypeError``/``FileNotFoundError`` raised by staffplan's own
    code with a readable message (for the command line: exit status 2 and one line).
``silent_wrong``
    A result that contradicts its inputs (a staffing below its target, a forecast
    with a non-finite value, a plan on another grid than its history).
``crash``
    A raw internal exception: any other type, or one raised from inside numpy,
    pandas, scipy or OR-Tools rather than by staffplan, or numpy/pandas text.
``hang``
    No answer within the time limit.

Only the first two are allowed.  With ``HOSTILE_OUTCOMES=<file>`` in the
environment every judged call appends one JSON line (entry point, input kind,
outcome) to that file; ``benchmarks/hostile_outcomes.py`` counts them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import signal
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

import staffplan
from staffplan.cli import main

OUTCOMES = ("correct", "clear_error", "silent_wrong", "crash", "hang")
ALLOWED = ("correct", "clear_error")
_PACKAGE = str(Path(staffplan.__file__).resolve().parent)
_CLEAR_TYPES = (ValueError, TypeError, FileNotFoundError)
# Text that only numpy or pandas write: an error carrying it was not written for a user.
_RAW_TEXT = (
    "setting an array element with a sequence",
    "inhomogeneous",
    "could not convert",
    "unsupported operand",
    "has no attribute",
    "not subscriptable",
    "truth value of",
    "ufunc",
    "dtype('",
    "Unable to parse string",
    "Out of bounds nanosecond",
    "NaTType",
    "invalid literal for int",
    "object of type",
    "Length of values",
    "unhashable type",
    "not supported between instances",
    "is not iterable",
    "object is not callable",
    "missing 1 required",
    "unexpected keyword argument",
)


class CliRefused(Exception):
    """A command that exited 2 with one readable error line (a boundary error)."""


class Hang(Exception):
    """Raised by the alarm when a call runs past its time limit."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang


def _raised_by_staffplan(exc: BaseException) -> bool:
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    return str(Path(last.tb_frame.f_code.co_filename).resolve()).startswith(_PACKAGE)


def classify_error(exc: BaseException) -> str:
    """``clear_error`` for a readable boundary error written by staffplan, else ``crash``."""
    msg = str(exc)
    if isinstance(exc, CliRefused):
        return "clear_error"
    if not isinstance(exc, _CLEAR_TYPES) or not _raised_by_staffplan(exc):
        return "crash"
    if len(msg) < 15 or any(t in msg for t in _RAW_TEXT):
        return "crash"
    return "clear_error"


def record(entry: str, kind: str, outcome: str, detail: str = "") -> None:
    path = os.environ.get("HOSTILE_OUTCOMES")
    if path:
        line = {"entry": entry, "kind": kind, "outcome": outcome, "detail": detail[:300]}
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


def judge(
    entry: str,
    kind: str,
    call: Callable[[], Any],
    check: Callable[[Any], bool | str],
    *,
    timeout_s: float = 30.0,
) -> tuple[str, str]:
    """Run ``call`` under a time limit and judge its outcome; record it; return it.

    ``check(result)`` returns True when the result agrees with its inputs, or a
    string (or False) saying how it does not.
    """
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    detail = ""
    verdict: bool | str = True
    try:
        try:
            result = call()
        except Hang:
            raise
        except Exception as exc:
            outcome = classify_error(exc)
            detail = f"{type(exc).__name__}: {exc}"
        else:
            verdict = check(result)  # inside the time limit too: a check of a huge result
            outcome = "correct" if verdict is True else "silent_wrong"
            detail = "" if verdict is True else str(verdict)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except Hang:
        outcome = "hang"
    finally:
        signal.signal(signal.SIGALRM, old)
    record(entry, kind, outcome, detail)
    return outcome, detail


def run_cli(argv: list[str]) -> tuple[int, str]:
    """Exit status and stderr; an option argparse rejects exits 2 after its usage line."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse: "usage: ..." then "staffplan X: error: ..."
            if exc.code != 2:
                raise
            lines = err.getvalue().strip().splitlines()
            assert lines[0].startswith("usage:"), lines
            return 2, lines[-1] + "\n"
    return code, err.getvalue()


def assert_allowed(outcome: tuple[str, str], what: Any = "") -> None:
    assert outcome[0] in ALLOWED, f"{outcome[0]} for {what!r}: {outcome[1]}"


# ---------------------------------------------------------------- numbers
finite = st.floats(-1e6, 1e6, allow_nan=False)
hostile_float = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 5e-324, 1e17, 1e300, -1.0, np.nan, np.inf, -np.inf]),
)
hostile_scalar = st.one_of(
    hostile_float,
    st.integers(-(10**20), 10**20),
    st.none(),
    st.booleans(),
    st.text(max_size=4),
    st.complex_numbers(max_magnitude=1e3),
    st.datetimes(),
    st.just(np.datetime64("2024-01-01")),
)


@st.composite
def hostile_number_input(draw: st.DrawFn) -> Any:
    """A number, a list (maybe ragged or mixed), an array, a Series, or something else."""
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return draw(hostile_scalar)
    if choice == 1:
        return draw(st.lists(hostile_scalar, max_size=4))
    if choice == 2:  # ragged
        return [draw(hostile_float), [draw(hostile_float), draw(hostile_float)]]
    if choice == 3:
        return np.array(draw(st.lists(hostile_float, min_size=1, max_size=5)))
    if choice == 4:
        return pd.Series(draw(st.lists(hostile_float, min_size=1, max_size=5)))
    return draw(st.sampled_from([{}, object(), "1e3", b"7", (1, 2, 3), [[1.0, 2.0], [3.0, 4.0]]]))


plausible_volume = st.one_of(st.floats(0, 1e4), st.sampled_from([0.0, 1e8, 1e13, 1e15, 1e17]))
plausible_aht = st.one_of(st.floats(1.0, 3600.0), st.sampled_from([1e-3, 1e4]))


# ------------------------------------------------------------ timestamps
@st.composite
def timestamp_texts(draw: st.DrawFn) -> tuple[list[Any], str]:
    """A column of interval starts written in one of many ways, and the way's name."""
    day = draw(st.integers(1, 28))
    month = draw(st.integers(1, 12))
    base = pd.Timestamp(2026, month, day, 8)
    stamps = [base + pd.Timedelta(minutes=30 * i) for i in range(4)]
    form = draw(
        st.sampled_from(
            [
                "iso",
                "iso_t",
                "iso_offset",
                "dmy",
                "mdy",
                "dmy_dots",
                "two_digit_year",
                "mixed_offset",
                "garbage",
                "none",
                "numbers",
                "words",
                "dst_gap",
            ]
        )
    )
    if form == "iso":
        return [s.strftime("%Y-%m-%d %H:%M") for s in stamps], form
    if form == "iso_t":
        return [s.strftime("%Y-%m-%dT%H:%M:%S") for s in stamps], form
    if form == "iso_offset":
        return [s.strftime("%Y-%m-%d %H:%M+01:00") for s in stamps], form
    if form == "dmy":
        return [s.strftime("%d/%m/%Y %H:%M") for s in stamps], form
    if form == "mdy":
        return [s.strftime("%m/%d/%Y %H:%M") for s in stamps], form
    if form == "dmy_dots":
        return [s.strftime("%d.%m.%Y %H:%M") for s in stamps], form
    if form == "two_digit_year":
        return [s.strftime("%d/%m/%y %H:%M") for s in stamps], form
    if form == "mixed_offset":
        return [
            s.strftime("%Y-%m-%d %H:%M") + ("+01:00" if i else "") for i, s in enumerate(stamps)
        ], form
    if form == "garbage":
        return [draw(st.text(string.printable, max_size=12)) for _ in stamps], form
    if form == "none":
        return [None, *[s.strftime("%Y-%m-%d %H:%M") for s in stamps[1:]]], form
    if form == "numbers":
        return [draw(st.integers(-(10**12), 10**12)) for _ in stamps], form
    if form == "words":
        return [s.strftime("%d %B %Y %H:%M") for s in stamps], form
    gap = pd.Timestamp("2026-03-29 01:00")  # Europe/Amsterdam skips 02:00-03:00
    return [(gap + pd.Timedelta(minutes=30 * i)).strftime("%Y-%m-%d %H:%M") for i in range(4)], form


# ----------------------------------------------------------------- frames
def base_history(
    *, weeks: int = 3, interval_min: int = 30, queues: tuple[str, ...] = ("a",), seed: int = 0
) -> pd.DataFrame:
    """A small weekday 08:00-12:00 history with AHT: the starting point of every mutation."""
    gen = np.random.default_rng(seed)
    days = [d for d in pd.date_range("2026-01-05", periods=7 * weeks, freq="D") if d.weekday() < 5]
    per_day = 4 * 60 // interval_min
    frames = []
    for q in queues:
        ds = [
            d + pd.Timedelta(hours=8, minutes=interval_min * i)
            for d in days
            for i in range(per_day)
        ]
        vol = gen.poisson(20.0 * interval_min / 30, len(ds)).astype(float)
        frames.append(pd.DataFrame({"queue": q, "ds": ds, "volume": vol, "aht_s": 240.0}))
    out = pd.concat(frames, ignore_index=True)
    out["ds"] = out["ds"].astype("datetime64[ns]")
    return out


MUTATIONS = (
    "none",
    "drop_volume",
    "drop_ds",
    "rename_ds",
    "volume_nan",
    "volume_inf",
    "volume_negative",
    "volume_huge",
    "volume_text",
    "volume_bool",
    "volume_complex",
    "all_zero",
    "one_row",
    "empty",
    "duplicate_row",
    "shuffled",
    "mixed_grid",
    "ds_text_iso",
    "ds_text_dmy",
    "ds_ints",
    "ds_nat",
    "tz_aware",
    "aht_nan_queue",
    "aht_negative",
    "aht_text",
    "queue_none",
    "object_column",
)


def mutate(frame: pd.DataFrame, how: str, gen: np.random.Generator) -> pd.DataFrame:
    """``frame`` changed in the way ``how`` names (a copy; the original is untouched)."""
    h = frame.copy()
    i = int(gen.integers(0, len(h)))
    if how == "drop_volume":
        return h.drop(columns="volume")
    if how == "drop_ds":
        return h.drop(columns="ds")
    if how == "rename_ds":
        return h.rename(columns={"ds": "when"})
    if how == "volume_nan":
        h.loc[i, "volume"] = np.nan
    elif how == "volume_inf":
        h.loc[i, "volume"] = np.inf
    elif how == "volume_negative":
        h.loc[i, "volume"] = -3.0
    elif how == "volume_huge":
        h.loc[i, "volume"] = 1e300
    elif how == "volume_text":
        h["volume"] = h["volume"].astype(object)
        h.loc[i, "volume"] = "twelve"
    elif how == "volume_bool":
        h["volume"] = h["volume"] > 20
    elif how == "volume_complex":
        h["volume"] = h["volume"].astype(complex)
    elif how == "all_zero":
        h["volume"] = 0.0
    elif how == "one_row":
        return h.iloc[[i]].reset_index(drop=True)
    elif how == "empty":
        return h.iloc[:0]
    elif how == "duplicate_row":
        return pd.concat([h, h.iloc[[i]]], ignore_index=True)
    elif how == "shuffled":
        return h.sample(frac=1.0, random_state=int(gen.integers(0, 1000))).reset_index(drop=True)
    elif how == "mixed_grid":
        h.loc[i, "ds"] = h.loc[i, "ds"] + pd.Timedelta(minutes=15)
    elif how == "ds_text_iso":
        h["ds"] = h["ds"].dt.strftime("%Y-%m-%d %H:%M")
    elif how == "ds_text_dmy":
        h["ds"] = h["ds"].dt.strftime("%d/%m/%Y %H:%M")
    elif how == "ds_ints":
        h["ds"] = h["ds"].astype("int64")
    elif how == "ds_nat":
        h.loc[i, "ds"] = pd.NaT
    elif how == "tz_aware":
        h["ds"] = h["ds"].dt.tz_localize("Europe/Amsterdam")
    elif how == "aht_nan_queue":
        h.loc[h["queue"] == h["queue"].iloc[-1], "aht_s"] = np.nan
    elif how == "aht_negative":
        h.loc[i, "aht_s"] = -5.0
    elif how == "aht_text":
        h["aht_s"] = h["aht_s"].astype(object)
        h.loc[i, "aht_s"] = "fast"
    elif how == "queue_none":
        h["queue"] = h["queue"].astype(object)
        h.loc[i, "queue"] = None
    elif how == "object_column":
        h["volume"] = h["volume"].astype(object)
    return h


# ---------------------------------------------------------------- horizons
hostile_horizon = st.one_of(
    st.sampled_from(
        [
            "1D",
            "2D",
            "7",
            "7.5",
            "0D",
            "-1D",
            "45min",
            "1h",
            "abc",
            "",
            "9999D",
            "1000000D",
            7,
            0,
            -3,
            48,
            10**9,
            True,
            None,
            7.0,
            pd.Timedelta("1D"),
        ]
    ),
    st.integers(-5, 200),
    st.text(max_size=5),
)


# ------------------------------------------------------------ rule objects
VALID_SHIFT = {
    "earliest_start": "08:00",
    "latest_start": "12:00",
    "start_step_min": 60,
    "lengths_min": (240,),
}


@st.composite
def shift_rules_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):  # half the draws valid, with one field made hostile or not
        kwargs = dict(VALID_SHIFT)
        if draw(st.booleans()):
            key = draw(st.sampled_from(sorted(VALID_SHIFT)))
            kwargs[key] = draw(st.sampled_from([-60, 0, 45, "25:00", (), (250,), 10**6]))
        return kwargs
    times = st.one_of(
        st.integers(-100, 2000),
        st.sampled_from(["07:00", "12:00", "23:30", "24:00", "7", "25:61", "", "noon"]),
        st.none(),
        st.floats(allow_nan=True),
    )
    return {
        "earliest_start": draw(times),
        "latest_start": draw(times),
        "start_step_min": draw(
            st.one_of(st.integers(-30, 300), st.sampled_from([0.5, None, "30"]))
        ),
        "lengths_min": draw(
            st.one_of(
                st.lists(st.integers(-60, 1500), max_size=3),
                st.sampled_from([(), (240.5,), ("240",), None, 480]),
            )
        ),
        "days": draw(
            st.one_of(st.none(), st.lists(st.sampled_from([0, 6, 7, -1, "mon", "xyz"]), max_size=3))
        ),
        "crosses_midnight": draw(st.sampled_from([False, True, "yes", None])),
    }


hostile_rules_mapping = st.one_of(
    st.sampled_from(
        [
            {"shifts": "early"},
            {"lunch": {"length_min": -30}},
            {"lunch": {"length_min": 30, "bogus": 1}},
            {"breaks": [{"length_min": 7}]},
            {"span": {"agents_per_lead": 0}},
            {"weights": {"shortage": float("nan")}},
            {"limits": {"max_agents_per_day": -1}},
            {"unknown_rule": True},
            {"shifts": [{"earliest_start": "25:00"}]},
            {"shifts": []},
            [],
            "rules.json",
        ]
    ),
    st.dictionaries(
        st.sampled_from(["shifts", "lunch", "breaks", "span", "x"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=3)),
        max_size=2,
    ),
)


def texts_for_csv(values: list[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def finite_frame(frame: pd.DataFrame, columns: list[str]) -> bool | str:
    """True when every listed numeric column is finite and >= 0."""
    for c in columns:
        v = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        if not np.all(np.isfinite(v)):
            return f"column {c!r} holds a non-finite value"
        if np.any(v < 0):
            return f"column {c!r} holds a negative value"
    return True


def naive_days(ts: Any) -> dt.date:
    return pd.Timestamp(ts).date()
