"""Hostile inputs through every public entry point: only a correct answer or a clear error.

Each test draws inputs from the strategies in ``_hostile_inputs`` (numbers, timestamps,
history frames, horizons, rule objects), calls one entry point under a time limit and
judges the outcome; ``silent_wrong``, ``crash`` and ``hang`` fail the test.  The checks
of a returned result are independent of the code under test where it matters: a staffing
is re-evaluated with the service-level formula, a forecast is checked for finite,
non-negative, monotone values on the history's grid, a parsed timestamp against the
intended one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _hostile_inputs import (
    MUTATIONS,
    VALID_SHIFT,
    CliRefused,
    assert_allowed,
    base_history,
    finite_frame,
    hostile_horizon,
    hostile_number_input,
    hostile_rules_mapping,
    judge,
    mutate,
    plausible_aht,
    plausible_volume,
    run_cli,
    shift_rules_kwargs,
    texts_for_csv,
    timestamp_texts,
)
from hypothesis import example, given, settings
from hypothesis import strategies as st

import staffplan
from staffplan import datasets, erlang, forecast, roster
from staffplan.erlang._erlang_a import MAX_SCALE

# --------------------------------------------------------------------------- erlang
_GOOD_OR_HOSTILE_AGENTS = st.one_of(st.floats(0, 200), hostile_number_input())
_GOOD_OR_HOSTILE_TRAFFIC = st.one_of(st.floats(0, 150), hostile_number_input())
_GOOD_OR_HOSTILE_AHT = st.one_of(plausible_aht, hostile_number_input())
_GOOD_OR_HOSTILE_T = st.one_of(st.floats(0, 120), hostile_number_input())


def _as_float(x: Any) -> np.ndarray:
    return np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x, dtype=np.float64)


def _nan_only_where_input_nan(result: Any, inputs: list[Any], documented: Any = None) -> bool | str:
    """Result values are NaN only where an input is (or where the docstring says so)."""
    out = _as_float(result)
    try:
        arrays = [_as_float(x) for x in inputs]
    except (TypeError, ValueError):
        return f"accepted a non-numeric input: {inputs!r}"
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    if out.shape != shape:
        return f"result shape {out.shape} is not the broadcast shape {shape}"
    any_nan = np.logical_or.reduce([np.isnan(np.broadcast_to(a, shape)) for a in arrays])
    if documented is not None:
        any_nan |= np.broadcast_to(documented(*arrays), shape)
    if np.any(np.isnan(out) & ~any_nan):
        return "NaN out of valid inputs"
    return True


def _in_unit_interval(result: Any) -> bool | str:
    v = _as_float(result)
    ok = np.isnan(v) | ((v >= 0) & (v <= 1))
    return True if np.all(ok) else f"values outside [0, 1]: {v[~ok][:3]}"


@given(
    fn=st.sampled_from(["erlang_b", "erlang_c", "occupancy"]),
    agents=_GOOD_OR_HOSTILE_AGENTS,
    traffic=_GOOD_OR_HOSTILE_TRAFFIC,
)
def test_erlang_probabilities_hostile(fn, agents, traffic):
    def check(res: Any) -> bool | str:
        # Documented: occupancy is NaN with no agents (nobody to be busy).
        zero_agents = (lambda n, a: n == 0) if fn == "occupancy" else None
        first = _nan_only_where_input_nan(res, [agents, traffic], zero_agents)
        return first if first is not True else _in_unit_interval(res)

    out = judge(f"erlang.{fn}", "numbers", lambda: getattr(erlang, fn)(agents, traffic), check)
    assert_allowed(out, (fn, agents, traffic))


@given(
    agents=_GOOD_OR_HOSTILE_AGENTS,
    traffic=_GOOD_OR_HOSTILE_TRAFFIC,
    aht=_GOOD_OR_HOSTILE_AHT,
    t=_GOOD_OR_HOSTILE_T,
)
def test_service_level_asa_hostile(agents, traffic, aht, t):
    def check_sl(res: Any) -> bool | str:
        first = _nan_only_where_input_nan(res, [agents, traffic, aht, t])
        return first if first is not True else _in_unit_interval(res)

    def check_asa(res: Any) -> bool | str:
        first = _nan_only_where_input_nan(res, [agents, traffic, aht])
        v = _as_float(res)
        return first if first is not True else bool(np.all(np.isnan(v) | (v >= 0))) or "ASA < 0"

    out = judge(
        "erlang.service_level",
        "numbers",
        lambda: erlang.service_level(agents, traffic, aht, t),
        check_sl,
    )
    assert_allowed(out, (agents, traffic, aht, t))
    out = judge("erlang.asa", "numbers", lambda: erlang.asa(agents, traffic, aht), check_asa)
    assert_allowed(out, (agents, traffic, aht))


@given(
    volume=st.one_of(plausible_volume, hostile_number_input()),
    aht=_GOOD_OR_HOSTILE_AHT,
    interval_min=st.one_of(
        st.sampled_from([15, 30, 60]), st.sampled_from([0, 45, 30.0, "30", None])
    ),
)
def test_traffic_hostile(volume, aht, interval_min):
    def check(res: Any) -> bool | str:
        first = _nan_only_where_input_nan(res, [volume, aht])
        if first is not True:
            return first
        want = _as_float(volume) * _as_float(aht) / (60.0 * float(interval_min))
        return bool(np.allclose(_as_float(res), want, rtol=1e-12, equal_nan=True)) or "wrong load"

    out = judge(
        "erlang.traffic",
        "numbers",
        lambda: erlang.traffic(volume, aht, interval_min=interval_min),
        check,
    )
    assert_allowed(out, (volume, aht, interval_min))


@given(
    agents=_GOOD_OR_HOSTILE_AGENTS,
    traffic=_GOOD_OR_HOSTILE_TRAFFIC,
    patience=st.one_of(st.floats(1, 600), hostile_number_input()),
)
def test_erlang_a_hostile(agents, traffic, patience):
    def check(res: Any) -> bool | str:
        for field in ("service_level", "p_abandon", "occupancy"):
            verdict = _in_unit_interval(getattr(res, field))
            if verdict is not True:
                return f"{field}: {verdict}"

        # Documented: beyond MAX_SCALE the formulas leave float64 and give NaN.
        def too_big(n: Any, a: Any, p: Any) -> Any:
            with np.errstate(over="ignore", divide="ignore"):
                scale = np.maximum(np.maximum(p / 180.0, 180.0 / p), 1.0)
                return np.maximum(np.maximum(n, a), 1.0) * scale > MAX_SCALE

        return _nan_only_where_input_nan(res.service_level, [agents, traffic, patience], too_big)

    out = judge(
        "erlang.erlang_a",
        "numbers",
        lambda: erlang.erlang_a(agents, traffic, 180.0, patience, 20.0),
        check,
    )
    assert_allowed(out, (agents, traffic, patience))


def staffing_check(volume: Any, aht: Any, target: Any, interval_min: int = 30):
    """A returned staffing meets its own target and is the smallest that does (Erlang C)."""

    def check(res: Any) -> bool | str:
        n = _as_float(res)
        try:
            vol, h, sl = (_as_float(x) for x in (volume, aht, target))
        except (TypeError, ValueError):
            return "accepted a non-numeric input"
        shape = n.shape
        vol, h, sl = (np.broadcast_to(x, shape) for x in (vol, h, sl))
        load = vol * h / (60.0 * interval_min)
        missing = np.isnan(vol) | np.isnan(h) | np.isnan(sl) | (load > erlang_max_load())
        if np.any(np.isnan(n) & ~missing):
            return "NaN out of valid inputs"
        ok = ~np.isnan(n)
        if np.any(n[ok] != np.round(n[ok])) or np.any(n[ok] < 0):
            return "not a whole non-negative count"
        busy = ok & (load > 0)
        if np.any(n[ok & (load == 0)] != 0):
            return "agents without contacts"
        if busy.any():
            got = erlang.service_level(n[busy], load[busy], h[busy], 20.0)
            if np.any(got < sl[busy] - 1e-9):
                return f"staffing misses its target: SL {got.min():.6f} < {sl[busy].max()}"
            fewer = n[busy] - 1.0
            stable = fewer > load[busy]
            sl_fewer = erlang.service_level(
                fewer[stable], load[busy][stable], h[busy][stable], 20.0
            )
            if np.any(sl_fewer >= sl[busy][stable] + 1e-9):
                return "one agent fewer also meets the target: not the smallest"
        return True

    return check


def erlang_max_load() -> float:
    from staffplan.erlang._staffing import MAX_LOAD_ERL

    return MAX_LOAD_ERL


@given(
    volume=st.one_of(
        plausible_volume, st.lists(plausible_volume, min_size=1, max_size=4), hostile_number_input()
    ),
    aht=_GOOD_OR_HOSTILE_AHT,
    target=st.one_of(
        st.floats(0.05, 0.99), st.sampled_from([np.nan, [0.8, np.nan]]), hostile_number_input()
    ),
)
@settings(max_examples=60)
def test_required_agents_hostile(volume, aht, target):
    out = judge(
        "erlang.required_agents",
        "numbers",
        lambda: erlang.required_agents(volume, aht, service_level=target, target_answer_s=20),
        staffing_check(volume, aht, target),
        timeout_s=20.0,
    )
    assert_allowed(out, (volume, aht, target))


# ------------------------------------------------------------------------- forecast
HISTORY = base_history(weeks=3, queues=("a", "b"))
BACKTEST_HISTORY = base_history(weeks=6)


def forecast_check(history: pd.DataFrame, horizon: Any, step_min: int = 30):
    """Finite, non-negative, monotone quantiles, on the history's grid, after its end."""
    last = pd.Timestamp(HISTORY["ds"].max())

    def check(out: pd.DataFrame) -> bool | str:
        if not isinstance(out, pd.DataFrame):
            return f"not a frame: {type(out).__name__}"
        qcols = [c for c in out.columns if c.startswith("volume_q")]
        verdict = finite_frame(out, ["volume", *qcols])
        if verdict is not True:
            return verdict
        q = out[sorted(qcols, key=lambda c: float(c[len("volume_q") :]))].to_numpy()
        if q.size and np.any(np.diff(q, axis=1) < -1e-9):
            return "quantiles not monotone"
        ds = pd.DatetimeIndex(out["ds"])
        if ds.tz is not None:
            ds = ds.tz_localize(None)
        if len(ds) and ds.min() <= last:
            return "forecast inside the history"
        if len(ds) and np.any((ds.hour * 60 + ds.minute) % step_min):
            return f"forecast off the {step_min}-min grid of the history"
        if (
            isinstance(horizon, int)
            and len(ds)
            and ds.max() > last + pd.Timedelta(minutes=step_min * horizon)
        ):
            return "forecast beyond its integer horizon"
        return True

    return check


# A mutated history may end where the next open interval lies beyond the horizon: the
# forecast is then empty, and says so.
@pytest.mark.filterwarnings("ignore:the forecast is empty:UserWarning")
@given(
    how=st.sampled_from(MUTATIONS),
    horizon=st.one_of(st.sampled_from(["2D", 96]), hostile_horizon),
    interval_min=st.sampled_from([None, None, 30, 15, 60, 45, "30", 0]),
    seed=st.integers(0, 10),
)
@settings(max_examples=60)
def test_forecast_hostile(how, horizon, interval_min, seed):
    frame = mutate(HISTORY, how, np.random.default_rng(seed))
    before = frame.copy()
    out = judge(
        "forecast.forecast",
        f"frame:{how}",
        lambda: forecast.forecast(
            frame, horizon, method="snaive", interval_min=interval_min, quantiles=(0.1, 0.9)
        ),
        forecast_check(frame, horizon),
    )
    assert_allowed(out, (how, horizon, interval_min))
    pd.testing.assert_frame_equal(frame, before)  # nothing the caller passed is mutated


@given(ts=timestamp_texts())
@settings(max_examples=40)
def test_forecaster_predict_hostile_timestamps(ts):
    values, form = ts
    model = _fitted()
    last = pd.Timestamp(HISTORY["ds"].max())
    out = judge(
        "forecast.VolumeForecaster.predict",
        f"timestamps:{form}",
        lambda: model.predict(values, quantiles=(0.5,)),
        # Naive history: a naive 02:30 on a DST day is a plain wall-clock time there.
        lambda res: (
            (form in ("iso", "iso_t", "dst_gap") or f"accepted {form} {values!r}")
            if len(res)
            else True
        ),
    )
    assert_allowed(out, values)
    del last


_MODEL: list[Any] = []


def _fitted() -> Any:
    if not _MODEL:
        _MODEL.append(forecast.VolumeForecaster("snaive").fit(HISTORY))
    return _MODEL[0]


@given(
    horizon=st.one_of(st.sampled_from(["7D", 336, "14D"]), hostile_horizon),
    folds=st.one_of(st.integers(-1, 3), st.sampled_from([1.5, "2", None])),
)
@settings(max_examples=30)
@example(horizon="7D", folds=2)
@example(horizon=336, folds=1)
def test_backtest_hostile(horizon, folds):
    def check(res: Any) -> bool | str:
        return finite_frame(res.predictions, ["actual", "volume"])

    out = judge(
        "forecast.backtest",
        "options",
        lambda: forecast.backtest(BACKTEST_HISTORY, method="snaive", folds=folds, horizon=horizon),
        check,
    )
    assert_allowed(out, (horizon, folds))


# ----------------------------------------------------------------------------- plan
# The history ends on a Friday; the plan starts on the Monday after (weekends are closed).
PLAN_KW = {
    "simulate": False,
    "time_limit_s": 3.0,
    "forecast_method": "snaive",
    "num_workers": 1,
    "start": "2026-01-26",
}


def plan_check(frame: pd.DataFrame, horizon: Any):
    def check(p: Any) -> bool | str:
        if p.interval_min != 30:
            return f"a plan on a {p.interval_min}-min grid from 30-min history"
        span = pd.Timestamp(p.settings["end"]) - pd.Timestamp(p.settings["start"])
        if span < pd.Timedelta(minutes=30):
            return f"a plan of {span}"
        req = p.requirements
        verdict = finite_frame(req, ["scheduled"])
        if verdict is not True:
            return verdict
        paid = float(p.summary["paid_hours"])
        if not np.isfinite(paid) or paid < 0:
            return f"paid hours {paid}"
        return True

    return check


@given(
    how=st.sampled_from(MUTATIONS),
    horizon=st.one_of(st.just("1D"), hostile_horizon),
    interval_min=st.sampled_from([None, None, 30, 15, 60]),
    rules=st.one_of(st.none(), st.none(), hostile_rules_mapping),
    seed=st.integers(0, 5),
)
@settings(max_examples=25)
@example(how="none", horizon="1D", interval_min=None, rules=None, seed=0)
@example(how="shuffled", horizon=48, interval_min=30, rules=None, seed=1)
def test_plan_hostile(how, horizon, interval_min, rules, seed):
    frame = mutate(HISTORY, how, np.random.default_rng(seed))
    out = judge(
        "staffplan.plan",
        f"frame:{how}",
        lambda: staffplan.plan(
            frame, horizon=horizon, interval_min=interval_min, rules=rules, **PLAN_KW
        ),
        plan_check(frame, horizon),
        timeout_s=60.0,
    )
    assert_allowed(out, (how, horizon, interval_min, rules))


# --------------------------------------------------------------------------- roster
@given(
    required=st.one_of(
        st.lists(st.integers(0, 6), min_size=8, max_size=16),
        hostile_number_input(),
        st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=8),
    ),
    interval_min=st.sampled_from([60, 30, 45, 0, "60", None]),
    shift=shift_rules_kwargs(),
)
@settings(max_examples=60)
@example(required=[1, 2, 3, 3, 2, 1, 1, 1], interval_min=60, shift=VALID_SHIFT)
def test_roster_hostile(required, interval_min, shift):
    def build_and_solve() -> Any:
        rules = roster.ShiftRules(**shift)
        inst = roster.make_instance(
            required,
            interval_min=interval_min,
            start="2024-01-01 08:00",
            shifts=rules,
            lunch=None,
            span=None,
        )
        return inst, roster.solve(inst, time_limit_s=2.0, num_workers=1)

    def check(res: Any) -> bool | str:
        inst, result = res
        if result.ok:
            problems = roster.check(inst, result.roster)
            return True if not problems else f"roster breaks its rules: {problems[:2]}"
        return True if result.reasons else "no roster and no reason"

    out = judge("roster.make_instance+solve", "rules", build_and_solve, check)
    assert_allowed(out, (required, interval_min, shift))


# ------------------------------------------------------------------------- datasets
@given(
    ts=timestamp_texts(),
    volume=st.lists(
        st.one_of(
            st.integers(0, 100).map(str),
            st.sampled_from(["", "inf", "-inf", "nan", "1e400", "-3", "twelve", "1,5", "0x10"]),
        ),
        min_size=4,
        max_size=4,
    ),
    dayfirst=st.sampled_from([None, True, False]),
    tz=st.sampled_from([None, None, "Europe/Amsterdam", "Mars/Olympus"]),
)
@settings(max_examples=60)
def test_read_history_hostile(ts, volume, dayfirst, tz):
    values, form = ts
    intended = None
    if form in ("iso", "iso_t", "dst_gap"):
        intended = pd.to_datetime(values, format="ISO8601")
    if form in ("dmy", "dmy_dots") and dayfirst is True:
        fmt = "%d/%m/%Y %H:%M" if form == "dmy" else "%d.%m.%Y %H:%M"
        intended = pd.to_datetime(values, format=fmt)
    if form == "mdy" and dayfirst is False:
        intended = pd.to_datetime(values, format="%m/%d/%Y %H:%M")

    def check(out: pd.DataFrame) -> bool | str:
        v = out["volume"].to_numpy(dtype=float)
        if np.any(np.isinf(v)) or np.any(v < 0):
            return "non-finite or negative volume accepted"
        if form in ("dmy", "mdy", "dmy_dots") and dayfirst is None:
            return f"day/month order guessed for {values!r}"
        if intended is not None and tz is None and out["ds"].dt.tz is None:
            got = pd.DatetimeIndex(out["ds"]).sort_values()
            if not got.equals(pd.DatetimeIndex(intended).sort_values().as_unit("ns")):
                return f"timestamps read as {list(got)} from {values!r}"
        return True

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.csv"
        pd.DataFrame({"queue": "q", "ds": texts_for_csv(values), "volume": volume}).to_csv(
            path, index=False
        )
        out = judge(
            "datasets.read_history",
            f"timestamps:{form}",
            lambda: datasets.read_history(path, dayfirst=dayfirst, tz=tz),
            check,
        )
    assert_allowed(out, (values, volume, dayfirst, tz))


# ------------------------------------------------------------------------------ CLI
def cli_check(out_path: Path | None, numeric: list[str]):
    from staffplan.erlang._staffing import MAX_LOAD_ERL

    def check(res: tuple[int, str]) -> bool | str:
        code, err = res
        if code == 2:
            errors = [line for line in err.strip().splitlines() if ": error: " in line]
            return True if len(errors) == 1 else f"exit 2 without one error line: {err!r}"
        if code != 0:
            return f"exit {code}"
        if out_path is not None and out_path.suffix == ".csv" and out_path.exists():
            frame = pd.read_csv(out_path)
            if "traffic_erl" in frame:  # documented: no agent count beyond MAX_LOAD_ERL
                frame = frame[frame["traffic_erl"] <= MAX_LOAD_ERL]
            cols = [c for c in frame.columns if c in numeric or c.startswith("volume_q")]
            return finite_frame(frame, cols)
        return True

    return check


class _CliError(Exception):
    pass


def _judge_cli(entry: str, kind: str, argv: list[str], out: Path | None, numeric: list[str]):
    def call() -> tuple[int, str]:
        code, err = run_cli(argv)
        if code == 2:
            # An exit-2 line is a boundary error only if it is one readable line.
            # Progress lines may come first; the error is one line, and the last.
            lines = err.strip().splitlines()
            errors = [line for line in lines if ": error: " in line]
            msg = errors[-1] if errors else err
            bad = ("Traceback", "KeyError", "IndexError", "inhomogeneous", "dtype('")
            if any(b in err for b in bad) or len(errors) != 1 or lines[-1] != msg:
                raise _CliError(err)
            raise CliRefused(msg)
        return code, err

    return judge(entry, kind, call, cli_check(out, numeric), timeout_s=60.0)


@given(
    how=st.sampled_from(MUTATIONS),
    horizon=st.sampled_from(["1D", "7", "48", "0", "-1D", "abc", "1h", "45min"]),
    extra=st.sampled_from(
        [
            [],
            ["--dayfirst"],
            ["--monthfirst"],
            ["--date-format", "%d/%m/%Y %H:%M"],
            ["--interval-min", "15"],
            ["--interval-min", "45"],
            ["--quantiles", "0.5,2"],
            ["--tz", "Europe/Amsterdam"],
            ["--tz", "Nowhere/Land"],
        ]
    ),
    seed=st.integers(0, 5),
)
@settings(max_examples=40)
def test_cli_forecast_hostile(how, horizon, extra, seed):
    frame = mutate(HISTORY, how, np.random.default_rng(seed))
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "h.csv", Path(tmp) / "fc.csv"
        frame.to_csv(src, index=False)
        argv = [
            "forecast",
            str(src),
            "--horizon",
            horizon,
            "--method",
            "snaive",
            "--out",
            str(dst),
            *extra,
        ]
        out = _judge_cli("cli forecast", f"file:{how}", argv, dst, ["volume", "aht_s"])
    assert_allowed(out, argv)


@given(
    volume=st.lists(
        st.sampled_from(["10", "0", "", "-1", "inf", "x", "1e20", "nan"]), min_size=3, max_size=3
    ),
    aht=st.lists(st.sampled_from(["180", "0", "", "-5", "inf", "fast"]), min_size=3, max_size=3),
    ds=timestamp_texts(),
    extra=st.sampled_from(
        [
            [],
            ["--interval-min", "15"],
            ["--interval-min", "30"],
            ["--shrinkage", "1.5"],
            ["--service-level", "nan"],
            ["--dayfirst"],
        ]
    ),
)
@settings(max_examples=40)
def test_cli_staff_hostile(volume, aht, ds, extra):
    values, form = ds
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "fc.csv", Path(tmp) / "req.csv"
        pd.DataFrame({"ds": texts_for_csv(values[:3]), "volume": volume, "aht_s": aht}).to_csv(
            src, index=False
        )
        argv = ["staff", str(src), "--out", str(dst), *extra]
        out = _judge_cli("cli staff", f"file:{form}", argv, dst, ["volume", "agents", "scheduled"])
    assert_allowed(out, argv)


@given(
    required=st.lists(
        st.sampled_from(["2", "0", "", "-1", "inf", "x", "2.5", "1e9"]), min_size=8, max_size=8
    ),
    ds=st.sampled_from(["iso", "dmy", "gap", "shuffled"]),
    extra=st.sampled_from([[], ["--dayfirst"], ["--time-limit-s", "0"], ["--time-limit-s", "nan"]]),
)
@settings(max_examples=25)
def test_cli_roster_hostile(required, ds, extra):
    stamps = pd.date_range("2024-01-01 08:00", periods=8, freq="60min")
    if ds == "gap":
        stamps = stamps.delete(3).append(pd.DatetimeIndex([stamps[-1] + pd.Timedelta("1h")]))
    text = stamps.strftime("%d/%m/%Y %H:%M" if ds == "dmy" else "%Y-%m-%d %H:%M").tolist()
    if ds == "shuffled":
        text = text[::-1]
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "req.csv", Path(tmp) / "roster.csv"
        pd.DataFrame({"ds": text, "scheduled": required}).to_csv(src, index=False)
        argv = ["roster", str(src), "--out", str(dst), "--time-limit-s", "3", *extra]
        out = _judge_cli("cli roster", f"file:{ds}", argv, None, [])
    assert_allowed(out, argv)


@pytest.mark.parametrize(
    "how, horizon, extra",
    [
        ("none", "7", []),
        ("none", "40", []),  # 40 intervals from Monday 00:00: through 08:00-20:00
        ("none", "1D", ["--start", "05/01/2026"]),
        ("ds_text_dmy", "1D", []),
        ("volume_inf", "1D", []),
        ("all_zero", "1D", []),
        ("aht_nan_queue", "1D", []),
        ("none", "abc", []),
    ],
)
def test_cli_plan_hostile(how, horizon, extra, tmp_path):
    frame = mutate(HISTORY, how, np.random.default_rng(0))
    src = tmp_path / "h.csv"
    frame.to_csv(src, index=False)
    argv = [
        "plan",
        str(src),
        "--out",
        str(tmp_path / "out"),
        "--horizon",
        horizon,
        "--no-simulate",
        "--no-report",
        "--time-limit-s",
        "3",
        "--forecast-method",
        "snaive",
        "--start",
        "2026-01-26",  # the Monday after the history (extra may restate it)
        *extra,
    ]
    out = _judge_cli("cli plan", f"file:{how}", argv, None, [])
    assert_allowed(out, argv)
