"""plan(..., skills=groups): queues staffed by skill group, not added into one requirement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import staffplan
from staffplan import erlang
from staffplan.plan import ServiceTarget


def _history(weeks: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    ds = pd.date_range("2024-01-01", periods=weeks * 7 * 24, freq="60min")
    h = np.asarray(ds.hour, float)
    lam = np.where((h >= 8) & (h < 18), 80.0, 0.0)
    return pd.concat(
        [
            pd.DataFrame({"queue": "en", "ds": ds, "volume": rng.poisson(lam), "aht_s": 300.0}),
            pd.DataFrame({"queue": "fr", "ds": ds, "volume": rng.poisson(lam / 4), "aht_s": 300.0}),
        ],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def plans() -> tuple[staffplan.plan.Plan, staffplan.plan.Plan]:  # type: ignore[name-defined]
    hist = _history()
    kw = dict(
        horizon="1D",
        time_limit_s=8,
        simulate=False,
        num_workers=1,
        service=ServiceTarget(shrinkage=0.0, max_occupancy=None),
    )
    pooled = staffplan.plan(hist, **kw)
    dedicated = staffplan.plan(hist, skills={"en": ["en"], "fr": ["fr"]}, **kw)
    return pooled, dedicated


def test_dedicated_groups_are_staffed_queue_by_queue(plans) -> None:  # type: ignore[no-untyped-def]
    pooled, dedicated = plans
    fc = dedicated.forecast
    open_ = dedicated.requirements["volume"] > 0
    # Reference: Erlang C per queue on the forecast means, whole agents per queue.
    ref = 0
    for q in ("en", "fr"):
        f = fc[fc["queue"] == q].set_index("ds")["volume"].reindex(dedicated.requirements["ds"])
        ref = ref + np.where(
            f > 0,
            erlang.required_agents(f.to_numpy(), 300.0, interval_min=60, integer=True),
            0.0,
        )
    np.testing.assert_array_equal(dedicated.requirements["scheduled_int"][open_], ref[open_])
    # Two dedicated teams need more than one pool: the pooled plan adds the queues up.
    assert (
        dedicated.requirements["scheduled_int"][open_]
        >= pooled.requirements["scheduled_int"][open_]
    ).all()
    assert (
        dedicated.requirements["scheduled_int"].sum() > pooled.requirements["scheduled_int"].sum()
    )
    assert dedicated.settings["pooling"] == "skills"
    assert set(dedicated.roster.loc[dedicated.roster["role"] == "agent", "skill_group"]) == {
        "en",
        "fr",
    }
    for key in ("agents_needed[en]", "agents_needed[fr]", "service_level[en]", "service_level[fr]"):
        assert key in dedicated.summary
    assert "skill_group" not in pooled.roster


def test_a_queue_no_group_serves_is_refused() -> None:
    with pytest.raises(ValueError, match=r"queue 'fr' is served by no skill group"):
        staffplan.plan(
            _history(), horizon="1D", skills={"en": ["en"]}, time_limit_s=5, simulate=False
        )


def test_cli_skills_table_with_an_unserved_queue_exits_2_naming_it(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from staffplan.cli import main

    hist = tmp_path / "history.csv"
    _history().to_csv(hist, index=False)
    table = tmp_path / "groups.csv"
    pd.DataFrame({"group": ["en"], "skills": ["en"]}).to_csv(table, index=False)
    rc = main(["plan", str(hist), "--out", str(tmp_path / "out"), "--skills", str(table)])
    assert rc == 2
    err = capsys.readouterr().err
    assert "queue 'fr' is served by no skill group" in err
    assert not (tmp_path / "out" / "report.html").exists()


def test_cli_skills_table_with_a_bad_row_names_the_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from staffplan.cli import main

    hist = tmp_path / "history.csv"
    _history().to_csv(hist, index=False)
    table = tmp_path / "groups.csv"
    pd.DataFrame({"group": ["en", "en"], "skills": ["en", "fr"]}).to_csv(table, index=False)
    rc = main(["plan", str(hist), "--out", str(tmp_path / "out"), "--skills", str(table)])
    assert rc == 2
    assert "groups.csv: skill group names must be unique" in capsys.readouterr().err


def test_pooled_what_if_refuses_skill_scenarios_and_skill_plans(plans) -> None:  # type: ignore[no-untyped-def]
    from staffplan.plan import Scenario, what_if

    pooled, dedicated = plans
    with pytest.raises(ValueError, match=r"staffplan\.skills\.compare"):
        what_if(pooled, Scenario("chat", move_volume=("en", "fr", 0.2)))
    with pytest.raises(ValueError, match=r"plan made with skills="):
        what_if(dedicated, Scenario("+10%", volume_factor=1.1))


def _chat_history(weeks: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    ds = pd.date_range("2024-01-01", periods=weeks * 7 * 24, freq="60min")
    h = np.asarray(ds.hour, float)
    lam = np.where((h >= 8) & (h < 18), 60.0, 0.0)
    voice = pd.DataFrame(
        {"queue": "voice", "channel": "voice", "ds": ds, "volume": rng.poisson(lam), "aht_s": 300.0}
    )
    chat = pd.DataFrame(
        {
            "queue": "chat",
            "channel": "chat",
            "concurrency": 3,
            "ds": ds,
            "volume": rng.poisson(lam),
            "aht_s": 600.0,
        }
    )
    return pd.concat([voice, chat], ignore_index=True)


def test_a_chat_queue_from_the_history_channel_column_is_staffed_with_concurrency() -> None:
    hist = _chat_history()
    kw = dict(
        horizon="1D",
        time_limit_s=8,
        simulate=False,
        num_workers=1,
        service=ServiceTarget(shrinkage=0.0, max_occupancy=None),
    )
    p = staffplan.plan(hist, skills={"v": ["voice"], "c": ["chat"]}, **kw)
    fc = p.forecast
    f = fc[fc["queue"] == "chat"].set_index("ds")["volume"].reindex(p.requirements["ds"])
    # Reference: Erlang C on agents x 3 slots at AHT 600 s, divided by 3, rounded up once.
    slots = np.where(
        f > 0, erlang.required_agents(f.to_numpy(), 600.0, interval_min=60, integer=False), 0.0
    )
    need_c = np.ceil(slots / 3 - 1e-9)
    got = p.roster[p.roster["skill_group"] == "c"]
    assert len(got) > 0
    assert p.summary["agents_needed[c]"] == need_c.max()
    assert "service_level[chat]" in p.summary
    assert not any(w.startswith("predicted service level is below") for w in p.warnings)


def test_a_queue_with_two_channels_is_refused() -> None:
    hist = _chat_history()
    hist.loc[hist.index[-1], "channel"] = "voice"
    with pytest.raises(ValueError, match=r"gives queue 'chat' more than one channel"):
        staffplan.plan(
            hist,
            horizon="1D",
            skills={"v": ["voice"], "c": ["chat"]},
            time_limit_s=5,
            simulate=False,
        )


def test_skills_with_certainty_or_time_stable_staffing_is_refused_before_the_work() -> None:
    with pytest.raises(ValueError, match=r"certainty=0.9 \(--certainty\) is for the pooled"):
        staffplan.plan(_history(), horizon="1D", skills={"en": ["en"], "fr": ["fr"]}, certainty=0.9)
