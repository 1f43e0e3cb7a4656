"""A queue table (queue, channel, target, concurrency) instead of the history's channel columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_queue_verdict import _split_day_history

import staffplan
from staffplan import datasets, erlang
from staffplan.plan import ServiceTarget

_KW = dict(horizon="1D", time_limit_s=8, simulate=False, num_workers=1, n_reps=4)
_SERVICE = ServiceTarget(shrinkage=0.0, max_occupancy=None)
_GROUPS = {"v": ["voice"], "c": ["chat"]}


def _history() -> pd.DataFrame:
    return _split_day_history().drop(columns=["channel", "concurrency"])


def _table_csv(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "queues.csv"
    path.write_text(text)
    return datasets.read_table(path, what="queue table")


def test_queue_table_from_csv_sets_channel_concurrency_and_targets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = _table_csv(
        tmp_path,
        "queue,channel,service_level,target_answer_s,concurrency\n"
        "voice,voice,0.9,30,\nchat,chat,,,2\n",
    )
    p = staffplan.plan(_history(), skills=_GROUPS, queues=table, service=_SERVICE, **_KW)
    vq = p.verdict_queues
    assert vq is not None
    voice, chat = vq[vq["queue"] == "voice"], vq[vq["queue"] == "chat"]
    assert (voice["channel"] == "voice").all() and (chat["channel"] == "chat").all()
    assert (voice["target"] == 0.9).all() and (chat["target"] == 0.8).all()  # empty: the plan's
    # Reference: Erlang C per queue with its own target; chat over agents x 2 slots.
    busy = voice["volume"].to_numpy() > 0
    ref_v = erlang.required_agents(
        voice["volume"].to_numpy()[busy], 240.0, interval_min=30, service_level=0.9,
        target_answer_s=30, integer=False,
    )  # fmt: skip
    np.testing.assert_allclose(voice["required"].to_numpy()[busy], ref_v, rtol=1e-6)
    busy_c = chat["volume"].to_numpy() > 0
    slots = erlang.required_agents(
        chat["volume"].to_numpy()[busy_c], 480.0, interval_min=30, integer=False
    )
    np.testing.assert_allclose(chat["required"].to_numpy()[busy_c], slots / 2, rtol=1e-6)
    assert p.settings["queue_table"]["chat"]["concurrency"] == 2
    assert p.settings["queue_table"]["voice"]["service"]["target_answer_s"] == 30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("queue,channel\nvoice,voice\nchat,chat\nmail,deferred\n",
         r"queue 'mail' is not in the history .*fix the name or drop the row"),
        ("queue,channel\nvoice,voice\nchat,\n", r"queue 'chat' has no channel; fill it"),
        ("queue,channel\nvoice,voice\n", r"queue 'chat' of the history has no row; add it"),
        ("queue,service_level\nvoice,0.8\nchat,0.8\n", r"queue table: no 'channel' column"),
        ("queue,channel\nvoice,voice\nchat,sms\n", r"chat"),
        ("queue,channel,concurrency\nvoice,voice,\nchat,chat,0\n", r"queue 'chat'"),
        ("queue,channel,service_level\nvoice,voice,1.5\nchat,chat,\n",
         r"queue 'voice'.*service_level"),
        ("queue,channel\nvoice,voice\nvoice,chat\nchat,chat\n", r"queue 'voice' has two rows"),
    ],
)  # fmt: skip
def test_bad_queue_tables_are_refused_naming_the_queue(tmp_path, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        staffplan.plan(
            _history(), skills=_GROUPS, queues=_table_csv(tmp_path, text), service=_SERVICE, **_KW
        )


def test_a_queue_table_needs_skills_and_is_not_given_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = _table_csv(tmp_path, "queue,channel\nvoice,voice\nchat,chat\n")
    with pytest.raises(ValueError, match=r"queues= \(a queue table\) is for plans by skill group"):
        staffplan.plan(_history(), queues=table, **_KW)
    with pytest.raises(ValueError, match=r"both give the channels; keep one"):
        staffplan.plan(_split_day_history(), skills=_GROUPS, queues=table, **_KW)


def test_cli_queue_table_error_exits_2_naming_the_queue(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from staffplan.cli import main

    hist = tmp_path / "history.csv"
    _history().to_csv(hist, index=False)
    groups = tmp_path / "groups.csv"
    pd.DataFrame({"group": ["v", "c"], "skills": ["voice", "chat"]}).to_csv(groups, index=False)
    queues = tmp_path / "queues.csv"
    queues.write_text("queue,channel\nvoice,voice\nchats,chat\n")
    args = ["plan", str(hist), "--out", str(tmp_path / "o"), "--skills", str(groups)]
    assert main([*args, "--queues", str(queues), "--horizon", "1D"]) == 2
    assert "queue 'chats' is not in the history" in capsys.readouterr().err


def test_a_pooled_plan_refuses_a_chat_queue_it_would_staff_as_voice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Pooling adds the chat queue's load as voice work (one contact per agent, not two): a
    # plan that looks fine and is wrong. It is refused with the fix, in Python and the CLI.
    hist = _split_day_history()
    with pytest.raises(ValueError, match=r"queue 'chat' is a 'chat' queue .* pass skills="):
        staffplan.plan(hist, **_KW)
    voice_only = hist[hist["channel"] == "voice"]
    assert staffplan.plan(voice_only, **_KW).settings["queues"] == ["voice"]
    from staffplan.cli import main

    path = tmp_path / "h.csv"
    hist.to_csv(path, index=False)
    assert main(["plan", str(path), "--out", str(tmp_path / "out"), "--horizon", "1D"]) == 2
