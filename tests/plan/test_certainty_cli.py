"""``staffplan plan --certainty``: the same plan as Python, and a clear refusal of bad values."""

from __future__ import annotations

import pandas as pd
import pytest
from _plan_testdata import synthetic_history

import staffplan
from staffplan.cli import main
from staffplan.plan import Plan, ServiceTarget

START = "2024-02-26"


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "history.csv"
    synthetic_history(weeks=8).to_csv(path, index=False)
    return path


def _argv(history_csv, out) -> list[str]:
    argv = ["plan", str(history_csv), "--out", str(out), "--start", START, "--horizon", "1D"]
    return [*argv, "--no-report", "--no-simulate", "--time-limit-s", "5", "-q"]


def test_certainty_flag_plans_as_python_does(history_csv, tmp_path, capsys) -> None:
    out = tmp_path / "plan"
    argv = [*_argv(history_csv, out), "--forecast-method", "profile", "--certainty", "0.9"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "days meeting the target" in printed
    cli = Plan.load(out)
    py = staffplan.plan(
        pd.read_csv(history_csv, parse_dates=["ds"]),
        horizon="1D",
        start=START,
        certainty=0.9,
        forecast_method="profile",
        simulate=False,
        time_limit_s=5,
        service=ServiceTarget(),
    )
    assert cli.settings["certainty"] == 0.9
    pd.testing.assert_series_equal(
        cli.requirements["scheduled"], py.requirements["scheduled"], check_exact=False
    )
    assert (cli.daily["p_meet_target"] >= 0.9).all()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--certainty", "1.5"], "--certainty: certainty must be in (0, 1)"),
        (["--certainty", "0"], "--certainty: certainty must be in (0, 1)"),
        (["--certainty", "0.95", "--volume-quantile", "0.9"], "contradict each other"),
    ],
)
def test_bad_certainty_exits_2_naming_the_option(history_csv, tmp_path, capsys, extra, message):
    assert main([*_argv(history_csv, tmp_path / "p"), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "p").exists()  # refused before any work


def test_staffing_flag_reaches_the_plan(history_csv, tmp_path) -> None:
    out = tmp_path / "plan"
    argv = [*_argv(history_csv, out), "--forecast-method", "profile", "--staffing", "time_stable"]
    assert main(argv) == 0
    assert Plan.load(out).settings["staffing"] == "time_stable"
    with pytest.raises(SystemExit) as exc:  # argparse refuses an unknown choice by name
        main([*_argv(history_csv, tmp_path / "q"), "--staffing", "isa"])
    assert exc.value.code == 2
