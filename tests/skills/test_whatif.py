"""Skill and channel what-ifs: one line each, checked against recomputed base staffings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import skills
from staffplan.plan import Scenario

IDX = pd.date_range("2024-01-01 08:00", periods=4, freq="30min")
ARR = pd.DataFrame(
    {"voice": [100.0, 80.0, 60.0, 40.0], "chat": [10.0, 10.0, 10.0, 10.0]}, index=IDX
)
AHT = {"voice": 300.0, "chat": 300.0}
GROUPS = [
    skills.SkillGroup("voice", ("voice",), max_agents=40),
    skills.SkillGroup("chat", ("chat",)),
]


def test_moving_calls_to_chat_is_the_base_on_moved_volumes() -> None:
    sc = Scenario("20% of calls to chat", move_volume=("voice", "chat", 0.2))
    out = skills.compare(ARR, AHT, GROUPS, sc, interval_min=30)
    moved = ARR.assign(voice=ARR["voice"] * 0.8, chat=ARR["chat"] + ARR["voice"] * 0.2)
    ref = skills.skill_requirements(moved, AHT, GROUPS, interval_min=30, simulate=False)
    row = out.set_index("scenario").loc["20% of calls to chat"]
    assert row["volume_voice"] == pytest.approx(0.8 * ARR["voice"].sum())
    assert row["volume"] == pytest.approx(ARR.to_numpy().sum())  # nothing lost
    assert row["agent_hours"] == pytest.approx(ref.total.sum() * 0.5)


def test_cross_training_ten_agents_makes_a_bilingual_group_and_saves_agents() -> None:
    sc = Scenario("cross-train 10", cross_train=("voice", "chat", 10))
    _, _, groups = skills.apply_scenario(ARR, AHT, GROUPS, sc)
    by = {g.name: g for g in groups}
    assert by["voice"].max_agents == 30
    assert by["voice+chat"].skills == ("voice", "chat") and by["voice+chat"].max_agents == 10
    out = skills.compare(ARR, AHT, GROUPS, sc, interval_min=30).set_index("scenario")
    # Cross-trained agents pool two queues: never more agents than dedicated teams, and here
    # (equal AHT, a small chat queue) fewer.
    assert out.loc["cross-train 10", "agent_hours"] < out.loc["base", "agent_hours"]
    assert out.loc["base", "pooling_gain"] == pytest.approx(0.0)


def test_volume_and_target_fields_apply_per_queue() -> None:
    sc = Scenario("+40%", volume_factor=1.4, service_level=0.9)
    out = skills.compare(ARR, AHT, GROUPS, sc, interval_min=30).set_index("scenario")
    assert out.loc["+40%", "volume"] == pytest.approx(1.4 * ARR.to_numpy().sum())
    assert out.loc["+40%", "agent_hours"] > out.loc["base", "agent_hours"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"move_volume": ("voice", "voice", 0.2)}, "two different queues"),
        ({"move_volume": ("voice", "chat", 1.5)}, r"move_volume share must be in \[0, 1\]"),
        ({"cross_train": ("voice", "chat", 0)}, "cross_train agents must be >= 1"),
        ({"cross_train": ("voice", 3)}, r"cross_train must be \(group, skill, agents\)"),
    ],
)
def test_bad_skill_scenarios_are_refused_when_made(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Scenario("bad", **kwargs)


def test_scenarios_name_missing_queues_and_groups() -> None:
    with pytest.raises(ValueError, match=r"move_volume names queue 'email'"):
        skills.compare(
            ARR, AHT, GROUPS, Scenario("m", move_volume=("voice", "email", 0.1)), interval_min=30
        )
    with pytest.raises(ValueError, match=r"cross_train names group 'fr'"):
        skills.compare(
            ARR, AHT, GROUPS, Scenario("c", cross_train=("fr", "voice", 2)), interval_min=30
        )
    with pytest.raises(ValueError, match=r"has max_agents=None"):
        skills.compare(
            ARR, AHT, GROUPS, Scenario("c", cross_train=("chat", "voice", 2)), interval_min=30
        )
    np.testing.assert_array_equal(ARR["voice"], [100.0, 80.0, 60.0, 40.0])  # not mutated
