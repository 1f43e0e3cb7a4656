"""Cases a new user met on their own files: AHT per queue, --aht-s, --out, busy machines."""

from __future__ import annotations

import json
import math
import types
from pathlib import Path

import pandas as pd
import pytest

import staffplan
from staffplan import datasets
from staffplan.cli import main
from staffplan.plan import ServiceTarget
from staffplan.plan._pipeline import _warnings_for

FAST = ["--horizon", "1D", "--start", "2026-03-02", "--time-limit-s", "3", "--no-simulate"]


@pytest.fixture(scope="module")
def two_queues(tmp_path_factory) -> Path:
    """The sample as queue 'sales' plus a copy as 'support' whose AHT column is empty."""
    history, _ = datasets.load_sample()
    one = history[history["queue"] == history["queue"].iloc[0]]
    sales = one.assign(queue="sales")
    support = one.assign(queue="support", aht_s=math.nan)
    path = tmp_path_factory.mktemp("hist") / "two_queues.csv"
    pd.concat([sales, support]).to_csv(path, index=False)
    return path


def test_a_queue_without_aht_reads_as_missing_and_can_be_left_out(two_queues, tmp_path, capsys):
    read = datasets.read_history(two_queues)
    assert read.groupby("queue")["aht_s"].count().to_dict() == {
        "sales": len(read) // 2,
        "support": 0,
    }
    assert (
        main(["plan", str(two_queues), "--queue", "sales", "--out", str(tmp_path / "p"), *FAST])
        == 0
    )
    capsys.readouterr()
    assert main(["plan", str(two_queues), "--out", str(tmp_path / "q"), *FAST]) == 2
    err = capsys.readouterr().err
    assert "'support'" in err and "'sales'" not in err and "--aht-s" in err


def test_a_hole_in_a_queues_aht_is_named_by_row(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("queue,ds,volume,aht_s\nq,2026-01-05 07:00,1,300\nq,2026-01-05 07:30,1,\n")
    with pytest.raises(ValueError, match=r"row 2 \(line 3\), column 'aht_s': value is empty"):
        datasets.read_history(path)


def test_aht_s_given_replaces_the_historys_own_and_says_so():
    history, _ = datasets.load_sample()
    p = staffplan.plan(
        history, horizon="1D", start="2026-03-02", aht_s=100, simulate=False, time_limit_s=3
    )
    # Reference: the volume-weighted mean AHT of the sample, computed here from its columns.
    own = (history["aht_s"] * history["volume"]).sum() / history["volume"].sum()
    note = next(w for w in p.warnings if "replaces the history's own AHT" in w)
    assert f"mean {own:.0f} s" in note
    assert p.requirements["aht_s"].to_numpy() == pytest.approx(100.0)


@pytest.mark.parametrize("bad", [-5, 0])
def test_a_non_positive_aht_s_is_refused_by_name(bad):
    history, _ = datasets.load_sample()
    with pytest.raises(ValueError, match=rf"aht_s must be > 0, got {bad}"):
        staffplan.plan(history, horizon="1D", aht_s=bad)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_an_out_folder_that_takes_no_files_is_refused_before_the_work(capsys):
    sample = Path(datasets.__file__).parent / "sample_history.csv"
    assert main(["plan", str(sample), "--out", "/proc/staffplan-nope", *FAST]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "does not take new files" in err and ".tmp" not in err


def test_a_roster_the_wall_clock_cut_short_is_a_plan_warning():
    verdict = pd.DataFrame(
        {
            "ds": [pd.Timestamp("2026-03-02 09:00")],
            "shortage": [0.0],
            "meets_target": [True],
            "service_level": [0.9],
        }
    )
    roster = types.SimpleNamespace(
        ok=True,
        status="OPTIMAL",
        gap=0.0,
        wall_time_s=1.0,
        reasons=[],
        solver_parameters={"wall_limited": True},
    )
    out = _warnings_for(verdict, roster, ServiceTarget(), 30)
    assert any("may differ from run to run" in w for w in out)
    roster.solver_parameters = {"wall_limited": False}
    assert _warnings_for(verdict, roster, ServiceTarget(), 30) == []


def test_plan_json_of_a_saved_plan_keeps_the_aht_warning(tmp_path, two_queues):
    out = tmp_path / "p"
    assert (
        main(
            [
                "plan",
                str(two_queues),
                "--queue",
                "sales",
                "--aht-s",
                "150",
                "--out",
                str(out),
                *FAST,
            ]
        )
        == 0
    )
    warnings = json.loads((out / "plan.json").read_text())["warnings"]
    assert any("aht_s=150 s replaces" in w for w in warnings)


def test_a_bare_number_horizon_that_lands_on_closed_hours_says_how_it_was_read(capsys, tmp_path):
    # The sample opens at 07:00: 7 half-hour intervals from midnight hold no open interval.
    sample = Path(datasets.__file__).parent / "sample_history.csv"
    assert (
        main(
            [
                "plan",
                str(sample),
                "--horizon",
                "7",
                "--start",
                "2026-03-02",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "closed for the whole window" in err and "'7D' plans 7 days" in err
    assert "30-min intervals" in err


def _two_queue_history(tmp_path: Path) -> Path:
    """A small voice + chat history (30 min, 08:00-10:00, two days) for --skills cases."""
    rows = [
        f"{q},2026-01-0{d} {h},10,300"
        for d in (5, 6)
        for h in ("08:00", "08:30", "09:00", "09:30")
        for q in ("voice", "chat")
    ]
    path = tmp_path / "two.csv"
    path.write_text("queue,ds,volume,aht_s\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        # 'max_agent' (no s) used to be ignored, so the group's cap silently vanished.
        ("group,skills,max_agent\nv,voice,\nvc,voice+chat,5\n", ["unknown column 'max_agent'"]),
        # float('abc') used to surface without the row or column.
        (
            "group,skills,cost\nv,voice,1\nc,chat,abc\n",
            ["row 1 (group 'c'), column 'cost'", "'abc'"],
        ),
    ],
)
def test_a_bad_skills_table_is_refused_by_column(tmp_path, capsys, table, expected):
    groups = tmp_path / "groups.csv"
    groups.write_text(table)
    hist = _two_queue_history(tmp_path)
    assert main(["plan", str(hist), "--skills", str(groups), "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "groups.csv" in err and all(e in err for e in expected), err


def test_read_history_keeps_channel_and_concurrency(tmp_path):
    # plan(skills=...) staffs chat by concurrency slots from these columns; read_history used
    # to drop them, so `staffplan plan --skills` staffed a 3-at-a-time chat queue as calls.
    path = tmp_path / "h.csv"
    path.write_text(
        "queue,channel,concurrency,ds,volume,aht_s\n"
        "v,voice,,2026-01-05 08:00,10,300\nc, chat ,3,2026-01-05 08:00,10,600\n"
    )
    read = datasets.read_history(path)
    assert read.set_index("queue")["channel"].to_dict() == {"c": "chat", "v": "voice"}
    assert read.set_index("queue")["concurrency"].fillna(0).to_dict() == {"c": 3.0, "v": 0.0}
    path.write_text(path.read_text().replace(",3,", ",2.5,"))
    with pytest.raises(ValueError, match=r"row 2 \(line 3\), column 'concurrency'.*2\.5"):
        datasets.read_history(path)


def test_certainty_with_skills_names_only_what_was_given(tmp_path, capsys):
    # The refusal used to blame "staffing='erlang'" too, the default the user never passed.
    groups = tmp_path / "groups.csv"
    groups.write_text("group,skills\nv,voice\nc,chat\n")
    hist = _two_queue_history(tmp_path)
    out = str(tmp_path / "p")
    assert (
        main(["plan", str(hist), "--skills", str(groups), "--certainty", "0.9", "--out", out]) == 2
    )
    err = capsys.readouterr().err
    assert "certainty=0.9 (--certainty) is for the pooled plan" in err and "erlang" not in err
