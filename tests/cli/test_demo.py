"""``staffplan demo`` and ``staffplan plan``: outputs, progress lines and clear errors."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from staffplan.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from _plan_testdata import RULES, START, synthetic_history

HAS_REPORT = importlib.util.find_spec("matplotlib") is not None
FAST_ARGS = ["--time-limit-s", "5", "--seed", "1", "--forecast-method", "profile"]


def test_demo_writes_the_plan_and_report(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--horizon", "2D", *FAST_ARGS])
    assert code == 0
    captured = capsys.readouterr()
    # Progress and stage timings go to stderr (the staffplan logger), results to stdout.
    for stage in ("load sample", "forecast", "requirements", "roster", "simulation", "write"):
        assert f"  {stage} " in captured.err and f"  {stage} " not in captured.out
    assert "predicted service level" in captured.out
    for name in ("forecast", "requirements", "roster", "coverage", "verdict", "comparison"):
        assert (out / f"{name}.csv").is_file(), name
    roster = pd.read_csv(out / "roster.csv")
    for col in ("person", "role", "team", "start", "end", "lunch_start", "lunch_end", "breaks"):
        assert col in roster
    coverage = pd.read_csv(out / "coverage.csv")
    for col in ("ds", "required", "on_floor", "off_lunch", "leads_on_floor", "shortage"):
        assert col in coverage
    verdict = pd.read_csv(out / "verdict.csv")
    assert verdict["service_level"].dropna().between(0, 1).all()
    comparison = pd.read_csv(out / "comparison.csv")
    assert comparison["scenario"].iloc[0] == "base" and len(comparison) == 4
    if HAS_REPORT:
        assert (out / "report.html").stat().st_size > 1000


def test_demo_with_defaults_runs_as_documented(tmp_path):
    """The README's first command, as a planner would run it (well under 2 minutes)."""
    out = tmp_path / "staffplan-demo"
    script = Path(sys.executable).parent / "staffplan"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "staffplan.cli"]
    proc = subprocess.run(
        [*command, "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.html").is_file() or not HAS_REPORT


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "history.csv"
    synthetic_history(weeks=5).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def rules_json(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "rules.json"
    path.write_text(json.dumps(RULES))
    return path


def test_plan_command(history_csv, rules_json, tmp_path, capsys):
    out = tmp_path / "plan"
    args = ["plan", str(history_csv), "--out", str(out), "--rules", str(rules_json)]
    args += ["--start", START, "--horizon", "1D", "--volume-quantile", "0.9", "--no-report"]
    assert main([*args, *FAST_ARGS]) == 0
    printed = capsys.readouterr().out
    assert "at the 0.9 volume quantile" in printed
    for name in ("forecast", "requirements", "roster", "coverage", "verdict", "verdict_quantile"):
        assert (out / f"{name}.csv").is_file()
    meta = json.loads((out / "plan.json").read_text())
    assert meta["settings"]["volume_quantile"] == 0.9
    assert meta["settings"]["rules"]["shifts"][0]["name"] == "day"


def test_plan_command_treats_an_empty_volume_as_missing(history_csv, tmp_path, capsys):
    # The same rule as forecasting from Python: an empty cell is a missing interval.
    frame = pd.read_csv(history_csv)
    frame.loc[6, "volume"] = None
    holey = tmp_path / "holey.csv"
    frame.to_csv(holey, index=False)
    out = tmp_path / "plan"
    args = ["plan", str(holey), "--out", str(out), "--start", START, "--horizon", "1D"]
    assert main([*args, "--no-report", "--no-simulate", *FAST_ARGS]) == 0
    printed = capsys.readouterr().err
    assert "1 empty volume cell(s) treated as missing intervals" in printed
    assert pd.read_csv(out / "forecast.csv")["volume"].notna().all()


def _run_error(args, capsys) -> str:
    code = main([*args, "--quiet"])  # no progress lines: the error is all of stderr
    captured = capsys.readouterr()
    assert code == 2
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_missing_column_exits_2(history_csv, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    pd.read_csv(history_csv).drop(columns="volume").to_csv(bad, index=False)
    line = _run_error(["plan", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert "bad.csv" in line and "volume" in line


def test_missing_column_fix_is_spelled_as_an_option(history_csv, tmp_path, capsys):
    frame = pd.read_csv(history_csv)
    line = _run_error(
        ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--queue-col", "team"], capsys
    )
    assert "pass --queue-col NAME, or --queue-col none for a single-queue file" in line
    line = _run_error(
        ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--ds-col", "t"], capsys
    )
    assert line.endswith(
        "no column 't' (it has "
        + str(list(frame.columns))
        + "); rename the column or pass --ds-col NAME"
    )


def test_unparsable_timestamp_names_the_row(history_csv, tmp_path, capsys):
    frame = pd.read_csv(history_csv)
    frame.loc[4, "ds"] = "next tuesday"
    bad = tmp_path / "bad_ds.csv"
    frame.to_csv(bad, index=False)
    line = _run_error(["plan", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert "bad_ds.csv" in line and "row 5" in line and "ds" in line


def test_negative_volume_names_the_row(history_csv, tmp_path, capsys):
    frame = pd.read_csv(history_csv)
    frame.loc[9, "volume"] = -3
    bad = tmp_path / "neg.csv"
    frame.to_csv(bad, index=False)
    line = _run_error(["plan", str(bad), "--out", str(tmp_path / "o")], capsys)
    assert "neg.csv" in line and "row 10" in line and "volume" in line


def test_impossible_rules_name_the_file_and_rule(history_csv, tmp_path, capsys):
    rules = dict(RULES)
    rules["lunch"] = {"length_min": 30, "earliest_start_min": 600, "latest_start_min": 700}
    path = tmp_path / "impossible.json"
    path.write_text(json.dumps(rules))
    args = ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--rules", str(path)]
    line = _run_error(args, capsys)
    assert "impossible.json" in line and "LunchRule" in line


def test_infeasible_rules_name_the_reason(history_csv, tmp_path, capsys):
    rules = dict(RULES)
    rules["shifts"] = [
        {"name": "early", "earliest_start": "08:00", "latest_start": "08:00", "lengths_min": [240]}
    ]
    rules["weights"] = {"hard_coverage": True}
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(rules))
    args = ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--rules", str(path)]
    args += ["--start", START, "--horizon", "1D", *FAST_ARGS]
    line = _run_error(args, capsys)
    assert "infeasible.json" in line and "INFEASIBLE" in line and "Relax the rules" in line
    assert not (tmp_path / "o").exists()


def test_rules_that_are_not_json(history_csv, tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text('{"lunch": {"length_min": 30,}}')
    args = ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--rules", str(path)]
    line = _run_error(args, capsys)
    assert "broken.json" in line and "line 1" in line


def test_unknown_rule_key(history_csv, tmp_path, capsys):
    path = tmp_path / "typo.json"
    path.write_text(json.dumps({"lunchh": {}}))
    args = ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--rules", str(path)]
    line = _run_error(args, capsys)
    assert "typo.json" in line and "lunchh" in line


def test_bad_service_target(history_csv, tmp_path, capsys):
    args = ["plan", str(history_csv), "--out", str(tmp_path / "o"), "--shrinkage", "1.2"]
    line = _run_error(args, capsys)
    assert "shrinkage" in line


def test_out_directory_of_other_files_is_refused(history_csv, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    args = ["plan", str(history_csv), "--out", str(out), "--start", START, "--horizon", "1D"]
    line = _run_error([*args, "--no-simulate", "--no-report", *FAST_ARGS], capsys)
    assert "--out" in line and "holds no plan" in line
    assert (out / "notes.txt").read_text() == "keep me"


def test_debug_shows_the_traceback(history_csv, tmp_path):
    bad = tmp_path / "bad.csv"
    pd.read_csv(history_csv).drop(columns="volume").to_csv(bad, index=False)
    with pytest.raises(ValueError, match="volume"):
        main(["--debug", "plan", str(bad), "--out", str(tmp_path / "o")])


def test_help_explains_the_inputs(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    text = capsys.readouterr().out
    for word in ("HISTORY", "--service-level", "--volume-quantile", "--rules", "aht_s"):
        assert word in text
