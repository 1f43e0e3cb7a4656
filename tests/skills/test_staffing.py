"""Skill-group staffing: the two LP models against Erlang and hand-solved cases.

Reference values: :func:`staffplan.erlang.required_agents` (checked against published
Erlang tables in tests/erlang) for single queues and for the merged stream of a pool, and
LP optima worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import erlang, skills
from staffplan.plan import ServiceTarget

IDX = pd.date_range("2024-01-01 08:00", periods=4, freq="30min")
VOL_EN = np.array([120.0, 80.0, 40.0, 0.0])
VOL_FR = np.array([40.0, 60.0, 10.0, 5.0])
ARR = pd.DataFrame({"en": VOL_EN, "fr": VOL_FR}, index=IDX)
AHT = {"en": 300.0, "fr": 300.0}


def _erlang(volume: np.ndarray, integer: bool = True) -> np.ndarray:
    out = erlang.required_agents(
        volume,
        300.0,
        interval_min=30,
        service_level=0.8,
        target_answer_s=20,
        max_occupancy=0.9,
        integer=integer,
    )
    return np.where(volume > 0, out, 0.0)


def test_dedicated_groups_staff_each_queue_by_erlang() -> None:
    req = skills.skill_requirements(
        ARR, AHT, {"en": ["en"], "fr": ["fr"]}, interval_min=30, simulate=False
    )
    np.testing.assert_allclose(req.dedicated["en"], _erlang(VOL_EN, False), rtol=1e-9)
    # Without cross-training the pooled and flow models agree: each queue on its own.
    np.testing.assert_allclose(req.lower.to_numpy(), req.upper.to_numpy(), atol=1e-7)
    np.testing.assert_array_equal(req.agents["en"], _erlang(VOL_EN))
    np.testing.assert_array_equal(req.agents["fr"], _erlang(VOL_FR))
    assert req.pooling_gain() == pytest.approx(0.0)


def test_one_cross_trained_group_is_one_pool() -> None:
    # Equal AHT and targets: the merged stream is exactly an M/M/n queue (Erlang C).
    req = skills.skill_requirements(
        ARR, AHT, {"all": ["en", "fr"]}, interval_min=30, simulate=False
    )
    np.testing.assert_array_equal(req.agents["all"], _erlang(VOL_EN + VOL_FR))
    # The flow model claims no pooling: the sum of the dedicated requirements.
    np.testing.assert_allclose(
        req.upper["all"], _erlang(VOL_EN, False) + _erlang(VOL_FR, False), rtol=1e-7
    )
    assert (req.total <= req.dedicated_total).all()
    assert req.pooling_gain() > 0.05


def test_pooled_model_matches_the_hand_solved_lp() -> None:
    # min n_en + n_fr + 1.5 n_bi  s.t.  n_en + n_bi >= N_en, n_fr + n_bi >= N_fr,
    # n_en + n_fr + n_bi >= N_pool.  Moving x agents into bi saves 0.5 x until the pool
    # constraint binds: n_bi = N_en + N_fr - N_pool, total = N_pool.
    groups = [
        skills.SkillGroup("en", ("en",)),
        skills.SkillGroup("fr", ("fr",)),
        skills.SkillGroup("bi", ("fr", "en"), cost=1.5),
    ]
    one = ARR.iloc[:1]
    req = skills.skill_requirements(one, AHT, groups, interval_min=30, simulate=False)
    n_en, n_fr = _erlang(VOL_EN[:1], False)[0], _erlang(VOL_FR[:1], False)[0]
    n_pool = _erlang(VOL_EN[:1] + VOL_FR[:1], False)[0]
    low = req.lower.iloc[0]
    assert low["bi"] == pytest.approx(n_en + n_fr - n_pool, rel=1e-6)
    assert low.sum() == pytest.approx(n_pool, rel=1e-6)
    assert low["en"] == pytest.approx(n_en - low["bi"], rel=1e-6)


def test_proficiency_halves_capacity_in_the_flow_model() -> None:
    slow = skills.SkillGroup("slow", ("en",), proficiency={"en": 0.5})
    req = skills.skill_requirements(ARR[["en"]], AHT, [slow], interval_min=30, simulate=False)
    # Contacts take 600 s with these agents: twice the agents of the dedicated queue.
    np.testing.assert_allclose(req.upper["slow"], 2 * _erlang(VOL_EN, False), rtol=1e-7)


def test_caps_leave_a_named_queue_short() -> None:
    groups = [skills.SkillGroup("en", ("en",), max_agents=10), skills.SkillGroup("fr", ("fr",))]
    req = skills.skill_requirements(ARR, AHT, groups, interval_min=30, simulate=False)
    assert (req.agents["en"] <= 10).all()
    assert req.shortfall["en"].iloc[0] == pytest.approx(_erlang(VOL_EN, False)[0] - 10, rel=1e-6)
    assert any("'en'" in n and "caps" in n for n in req.notes)


def test_per_queue_targets_are_used() -> None:
    strict = ServiceTarget(service_level=0.95, target_answer_s=10)
    req = skills.skill_requirements(
        ARR,
        AHT,
        {"en": ["en"], "fr": ["fr"]},
        interval_min=30,
        simulate=False,
        service={"en": strict, "fr": ServiceTarget()},
    )
    ref = erlang.required_agents(
        VOL_EN[:3],
        300.0,
        interval_min=30,
        service_level=0.95,
        target_answer_s=10,
        max_occupancy=0.9,
        integer=False,
    )
    np.testing.assert_allclose(req.dedicated["en"].iloc[:3], ref, rtol=1e-9)


def test_scheduled_divides_by_shrinkage_once() -> None:
    req = skills.skill_requirements(
        ARR, AHT, {"en": ["en"], "fr": ["fr"]}, interval_min=30, simulate=False
    )
    np.testing.assert_allclose(req.scheduled(0.3), req.agents / 0.7)


def test_groups_from_a_frame() -> None:
    table = pd.DataFrame({"group": ["en", "bi"], "skills": ["en", "fr+en"], "cost": [1.0, 1.2]})
    groups = skills.groups_from(table)
    assert [g.skills for g in groups] == [("en",), ("fr", "en")]
    assert groups[1].cost == 1.2


def test_five_skills_a_week_stays_within_the_bounds() -> None:
    rng = np.random.default_rng(5)
    idx = pd.date_range("2024-01-01", periods=7 * 48, freq="30min")
    arr = pd.DataFrame(rng.uniform(0, 150, (idx.size, 5)), index=idx, columns=list("abcde"))
    groups = {**{q: [q] for q in "abcde"}, "ab": ["a", "b"], "cde": ["c", "d", "e"]}
    req = skills.skill_requirements(
        arr, {q: 240 for q in "abcde"}, groups, interval_min=30, simulate=False
    )
    low, up = req.lower.sum(axis=1), req.upper.sum(axis=1)
    assert (low <= up + 1e-6).all()
    # The whole staffing of the pooled model lies between its LP value and dedicated teams.
    assert (req.total >= np.floor(low - 1e-6)).all()
    assert (req.total <= req.dedicated_total).all()


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        ({"en": ["en"]}, r"queue 'fr' is served by no skill group.*Add 'fr'"),
        ({"en": ["en"], "x": ["fr", "de"]}, r"skill 'de', which is not a queue"),
        ({"en": ["en", "en"], "fr": ["fr"]}, r"must not repeat"),
    ],
)
def test_bad_groups_name_the_queue_and_the_fix(groups: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        skills.skill_requirements(ARR, AHT, groups, interval_min=30, simulate=False)


def test_bad_inputs_name_the_parameter() -> None:
    with pytest.raises(ValueError, match=r"aht_s has no handle time for queue 'fr'"):
        skills.skill_requirements(
            ARR, {"en": 300}, {"a": ["en", "fr"]}, interval_min=30, simulate=False
        )
    with pytest.raises(ValueError, match=r"aht_s\['en'\] must be > 0"):
        skills.skill_requirements(
            ARR, {"en": -5, "fr": 300}, {"a": ["en", "fr"]}, interval_min=30, simulate=False
        )
    with pytest.raises(ValueError, match="method must be one of"):
        skills.skill_requirements(
            ARR, AHT, {"a": ["en", "fr"]}, interval_min=30, simulate=False, method="exact"
        )
    with pytest.raises(ValueError, match=r"proficiency names 'fr'"):
        skills.SkillGroup("en", ("en",), proficiency={"fr": 0.9})


def test_inputs_are_not_mutated() -> None:
    arr = ARR.copy()
    aht = dict(AHT)
    skills.skill_requirements(arr, aht, {"a": ["en", "fr"]}, interval_min=30, simulate=False)
    pd.testing.assert_frame_equal(arr, ARR)
    assert aht == AHT


def test_simulation_check_meets_every_target_in_a_fresh_simulation() -> None:
    # Skills-based routing decides; an independent simulation (another seed) of the
    # staffing the check settles on must not show a queue clearly below its target.
    from staffplan.simulate import simulate_queues

    idx = pd.date_range("2024-01-01 08:00", periods=6, freq="30min")
    arr = pd.DataFrame({"en": np.full(6, 120.0), "fr": np.full(6, 40.0)}, index=idx)
    groups = [
        skills.SkillGroup("en", ("en",)),
        skills.SkillGroup("fr", ("fr",)),
        skills.SkillGroup("bi", ("fr", "en"), cost=1.1),
    ]
    req = skills.skill_requirements(arr, AHT, groups, interval_min=30, runs=10, seed=1)
    assert req.simulation is not None and req.simulation["meets"].all()
    # Never below the pooled bound, never above dedicated teams plus the check's additions.
    assert (req.total >= np.floor(req.lower.sum(axis=1) - 1e-6)).all()
    fresh = simulate_queues(
        arr, AHT, 30, req.agents, {g.name: list(g.skills) for g in groups}, runs=40, seed=99
    )
    assert fresh.totals.loc["en", "service_level"] >= 0.8 - 0.03
    assert fresh.totals.loc["fr", "service_level"] >= 0.8 - 0.03


def test_simulation_check_adds_agents_where_the_pool_bound_is_short() -> None:
    # Queue b is served by the cross-trained group only, which gives queue b priority but
    # also takes a's calls: the pooled bound (the MILP's 11 + 14 agents) leaves b short in
    # some intervals of the simulation, and the check adds agents of the only group serving
    # b until every interval meets its target (seeded: the same result every run).
    idx = pd.date_range("2024-01-01 08:00", periods=4, freq="30min")
    arr = pd.DataFrame({"a": np.full(4, 60.0), "b": np.full(4, 60.0)}, index=idx)
    groups = [skills.SkillGroup("a", ("a",)), skills.SkillGroup("ab", ("b", "a"), cost=1.01)]
    req = skills.skill_requirements(arr, {"a": 300, "b": 300}, groups, interval_min=30, runs=10)
    assert (req.total >= np.floor(req.lower.sum(axis=1) - 1e-6)).all()
    assert (req.agents["ab"] > np.floor(req.lower["ab"])).any()
    assert req.simulation is not None and req.simulation["meets"].all()


def test_a_chat_queue_of_concurrency_k_needs_erlang_on_slots_over_k() -> None:
    # n agents holding k chats each are n k voice slots (the simulator's exact equivalence).
    req = skills.skill_requirements(
        ARR,
        AHT,
        {"v": ["en"], "c": ["fr"]},
        interval_min=30,
        simulate=False,
        channel={"en": "voice", "fr": "chat"},
        concurrency={"fr": 3},
    )
    np.testing.assert_allclose(req.dedicated["fr"], _erlang(VOL_FR, False) / 3, rtol=1e-9)
    np.testing.assert_allclose(req.dedicated["en"], _erlang(VOL_EN, False), rtol=1e-9)
    # One chat-only pool of concurrency 3: the merged chat stream on slots, over 3.
    both = skills.skill_requirements(
        ARR,
        AHT,
        {"c": ["en", "fr"]},
        interval_min=30,
        simulate=False,
        channel={"en": "chat", "fr": "chat"},
        concurrency={"en": 3, "fr": 3},
    )
    np.testing.assert_allclose(both.lower["c"], _erlang(VOL_EN + VOL_FR, False) / 3, rtol=1e-6)


def test_chat_and_voice_staffing_passes_its_simulation_check() -> None:
    idx = pd.date_range("2024-01-01 08:00", periods=4, freq="30min")
    arr = pd.DataFrame({"voice": np.full(4, 80.0), "chat": np.full(4, 60.0)}, index=idx)
    req = skills.skill_requirements(
        arr,
        {"voice": 300, "chat": 600},
        {"v": ["voice"], "vc": ["chat", "voice"]},
        interval_min=30,
        channel={"voice": "voice", "chat": "chat"},
        concurrency={"chat": 2},
        runs=10,
    )
    assert req.simulation is not None and req.simulation["meets"].all()
    assert set(req.simulation["channel"]) == {"voice", "chat"}


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"channel": {"en": "voice", "fr": "deferred"}}, r"queue 'fr' is deferred work"),
        ({"channel": {"en": "voice"}}, r"queue 'fr' has no channel"),
        (
            {"channel": {"en": "voice", "fr": "chat"}, "concurrency": {"fr": 0}},
            r"concurrency of queue 'fr' must be a whole number >= 1",
        ),
    ],
)
def test_bad_channels_name_the_queue(kw: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        skills.skill_requirements(
            ARR, AHT, {"a": ["en", "fr"]}, interval_min=30, simulate=False, **kw
        )


@pytest.mark.parametrize("interval_min", [15, 60])
def test_other_grids_scale_the_load_by_the_interval(interval_min: int) -> None:
    idx = pd.date_range("2024-01-01 22:00", periods=8, freq=f"{interval_min}min")  # past midnight
    arr = pd.DataFrame({"en": np.full(8, 50.0), "fr": np.full(8, 10.0)}, index=idx)
    req = skills.skill_requirements(
        arr, AHT, {"en": ["en"], "fr": ["fr"]}, interval_min=interval_min, simulate=False
    )
    ref = erlang.required_agents(
        50.0,
        300.0,
        interval_min=interval_min,
        service_level=0.8,
        target_answer_s=20,
        max_occupancy=0.9,
    )
    assert (req.agents["en"] == ref).all()
