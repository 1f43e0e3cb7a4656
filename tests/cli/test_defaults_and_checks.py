"""Every command quotes ``staffplan.defaults``, and checks its inputs before the work."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan import defaults, roster
from staffplan.cli import build_parser, main
from staffplan.plan import Plan, ServiceTarget

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from _plan_testdata import START, synthetic_history


def _defaults_of(argv: list[str]) -> dict:
    return vars(build_parser().parse_args(argv))


def test_every_command_takes_the_same_defaults():
    service = ServiceTarget()
    assert (service.service_level, service.target_answer_s) == (
        defaults.SERVICE_LEVEL,
        defaults.TARGET_ANSWER_S,
    )
    assert (service.max_occupancy, service.shrinkage) == (
        defaults.MAX_OCCUPANCY,
        defaults.SHRINKAGE,
    )
    for argv in (["plan", "h.csv"], ["staff", "f.csv"], ["demo"]):
        got = _defaults_of(argv)
        assert got["service_level"] == defaults.SERVICE_LEVEL, argv
        assert got["target_answer_s"] == defaults.TARGET_ANSWER_S, argv
        assert got["max_occupancy"] == defaults.MAX_OCCUPANCY, argv
        assert got["shrinkage"] == defaults.SHRINKAGE, argv
    for argv in (["plan", "h.csv"], ["roster", "r.csv", "--out", "r.csv"], ["demo"]):
        assert _defaults_of(argv)["time_limit_s"] == defaults.TIME_LIMIT_S, argv
    assert _defaults_of(["forecast", "h.csv"])["horizon"] == defaults.HORIZON
    assert _defaults_of(["plan", "h.csv"])["horizon"] == defaults.HORIZON
    import inspect

    from staffplan.plan._pipeline import plan as plan_function

    sig = inspect.signature(plan_function)
    assert sig.parameters["time_limit_s"].default == defaults.TIME_LIMIT_S
    assert sig.parameters["horizon"].default == defaults.HORIZON
    assert inspect.signature(roster.solve).parameters["time_limit_s"].default == (
        defaults.TIME_LIMIT_S
    )


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "history.csv"
    synthetic_history(weeks=4).to_csv(path, index=False)
    return path


def _error(argv: list[str], capsys) -> str:
    assert main([*argv, "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_missing_aht_is_refused_before_the_forecast_naming_the_option(
    history_csv, tmp_path, capsys
):
    no_aht = tmp_path / "no_aht.csv"
    pd.read_csv(history_csv).drop(columns="aht_s").to_csv(no_aht, index=False)
    out = tmp_path / "o"
    err = _error(["plan", str(no_aht), "--out", str(out)], capsys)
    assert "--aht-s SECONDS" in err and "aht_s=" not in err
    assert not out.exists()
    # The Python call says the same in its own terms, also before forecasting.
    with pytest.raises(ValueError, match="pass aht_s="):
        staffplan.plan(pd.read_csv(no_aht), horizon="1D", forecast_method="no such method")
    err = _error(["staff", str(no_aht)], capsys)
    assert "--aht-s" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_out_is_refused_before_the_work(history_csv, tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        err = _error(["plan", str(history_csv), "--out", str(locked / "plan")], capsys)
        assert "--out" in err and "not writable" in err
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["forecast", "{h}", "--out", "{t}/fc.txt"], "--out must end in .csv or .parquet"),
        (["staff", "{h}", "--aht-s", "200", "--out", "{t}/req.xlsx"], "--out must end in .csv"),
        (["roster", "{h}", "--out", "{t}/r.csv", "--coverage-out", "{t}/c"], "--coverage-out"),
        (["forecast", "{h}", "--out", "{h}/fc.csv"], "is not a directory"),
    ],
)
def test_bad_out_paths_are_refused_before_reading(history_csv, tmp_path, capsys, argv, message):
    # The history file itself is given where a requirement file would be: had the command
    # read it first, the error would be about its columns, not --out.
    argv = [a.format(h=history_csv, t=tmp_path) for a in argv]
    assert message in _error(argv, capsys)


def test_queue_is_optional_for_plan_as_for_forecast(history_csv, tmp_path, capsys):
    single = tmp_path / "single.csv"
    pd.read_csv(history_csv).drop(columns="queue").to_csv(single, index=False)
    out = tmp_path / "plan"
    argv = ["plan", str(single), "--out", str(out), "--start", START, "--horizon", "1D"]
    argv += ["--no-report", "--no-simulate", "--time-limit-s", "5"]
    assert main([*argv, "--forecast-method", "profile", "--quiet"]) == 0
    assert (out / "roster.csv").is_file()
    argv = ["forecast", str(single), "--out", str(tmp_path / "fc.csv"), "--method", "profile"]
    assert main([*argv, "--quiet"]) == 0


def test_hourly_history_plans_from_the_command_line(tmp_path, capsys):
    # Hourly data used to be refused (fixed 30-min shift steps built before plan()).
    rng = np.random.default_rng(2)
    ds = pd.date_range("2024-01-01", periods=4 * 7 * 24, freq="60min")
    ds = ds[(ds.hour >= 8) & (ds.hour < 20) & (ds.day_of_week < 5)]
    volume = rng.poisson(40 + 50 * np.exp(-0.5 * ((ds.hour - 12) / 2.5) ** 2)).astype(float)
    src = tmp_path / "hourly.csv"
    pd.DataFrame({"ds": ds, "volume": volume, "aht_s": 300.0}).to_csv(src, index=False)
    out = tmp_path / "plan"
    argv = ["plan", str(src), "--out", str(out), "--start", "2024-01-29", "--horizon", "1D"]
    argv += ["--no-report", "--no-simulate", "--time-limit-s", "5", "--forecast-method", "profile"]
    assert main([*argv, "--quiet"]) == 0
    p = Plan.load(out)
    assert p.settings["rules"]["shifts"] is None
    assert {s["start_step_min"] for s in p.settings["roster_shifts"]} == {60}
    assert p.coverage["shortage"].sum() == 0


def test_verbose_shows_the_pipeline_stages(history_csv, tmp_path, capsys):
    out = tmp_path / "plan"
    argv = ["--verbose", "plan", str(history_csv), "--out", str(out), "--start", START]
    argv += ["--horizon", "1D", "--no-report", "--no-simulate", "--time-limit-s", "5"]
    assert main([*argv, "--forecast-method", "profile"]) == 0
    captured = capsys.readouterr()
    # DEBUG lines of the library's own logger (staffplan.plan) appear only with --verbose.
    assert captured.err.count("requirements") >= 2
    assert "requirements" not in captured.out


def test_parquet_by_suffix_and_by_format(history_csv, tmp_path):
    pytest.importorskip("pyarrow")
    fc = tmp_path / "fc.parquet"
    argv = ["forecast", str(history_csv), "--out", str(fc), "--method", "profile"]
    assert main([*argv, "--horizon", "3D", "-q"]) == 0  # a weekend and a Monday
    req = tmp_path / "req.parquet"
    assert main(["staff", str(fc), "--out", str(req), "-q"]) == 0
    assert "scheduled" in pd.read_parquet(req).columns
    ros = tmp_path / "roster.parquet"
    assert main(["roster", str(req), "--out", str(ros), "--time-limit-s", "5", "-q"]) == 0
    assert len(pd.read_parquet(ros)) > 0


def test_rules_file_changes_the_fitted_shift_lengths(history_csv, tmp_path):
    # "fit_lengths_min" keeps shifts fitted to the opening hours, with other lengths.
    import json

    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"fit_lengths_min": [360], "fit_names": ["six"]}))
    out = tmp_path / "plan"
    argv = ["plan", str(history_csv), "--out", str(out), "--start", START, "--horizon", "1D"]
    argv += ["--rules", str(rules), "--no-report", "--no-simulate", "--time-limit-s", "5"]
    assert main([*argv, "--forecast-method", "profile", "--quiet"]) == 0
    p = Plan.load(out)
    assert [s["name"] for s in p.settings["roster_shifts"]] == ["six"]
    assert set(
        p.roster.loc[p.roster["role"] == "agent", "end"]
        - p.roster.loc[p.roster["role"] == "agent", "start"]
    ) == {pd.Timedelta(hours=6)}
