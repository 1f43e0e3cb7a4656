"""Staffing per channel: voice, chat and deferred work, checked against Erlang and simulation.

Reference values: the Erlang C/A staffing of :mod:`staffplan.erlang` (checked against
mpmath tables in tests/erlang), the exact equivalence of k chat slots per agent with k
servers, hand-checkable fluid facts (work conservation, closed hours) and the multi-queue
simulator, which models the same contacts event by event.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from staffplan import channels, erlang, simulate


def _week(interval_min: int = 30, days: int = 7) -> pd.DatetimeIndex:
    return pd.date_range(
        "2026-01-05", periods=days * 24 * 60 // interval_min, freq=f"{interval_min}min"
    )


def _open(idx: pd.DatetimeIndex, start: float = 8, end: float = 20, weekend=(6,)) -> np.ndarray:
    hour = idx.hour + idx.minute / 60
    return np.asarray((hour >= start) & (hour < end) & ~np.isin(idx.day_of_week, weekend))


def test_voice_is_erlang_and_chat_is_erlang_over_slots() -> None:
    idx = _week()[:48]
    vol = pd.DataFrame(
        {"calls": np.linspace(20, 140, 48), "chats": np.linspace(10, 80, 48)}, index=idx
    )
    req = channels.channel_requirements(
        vol, {"calls": 200, "chats": 400}, channel={"calls": "voice", "chats": "chat"},
        concurrency={"chats": 3}, service_level=0.8, target_answer_s={"calls": 20, "chats": 60},
        patience_s={"calls": 120, "chats": None},
    )  # fmt: skip
    voice = erlang.required_agents(vol.calls, 200, interval_min=30, service_level=0.8,
                                   target_answer_s=20, patience_s=120)  # fmt: skip
    slots = erlang.required_agents(vol.chats, 400, interval_min=30, service_level=0.8,
                                   target_answer_s=60)  # fmt: skip
    np.testing.assert_array_equal(req.agents.calls.to_numpy(), np.asarray(voice))
    np.testing.assert_array_equal(req.agents.chats.to_numpy(), np.ceil(np.asarray(slots) / 3))
    assert req.channel == {"calls": "voice", "chats": "chat"}
    assert list(req.by_channel.columns) == ["voice", "chat"]
    assert req.deferred.empty
    # Fractional levels divide by k without rounding.
    frac = channels.channel_requirements(
        vol, {"calls": 200, "chats": 400}, channel={"calls": "voice", "chats": "chat"},
        concurrency={"chats": 3}, target_answer_s={"calls": 20, "chats": 60}, integer=False,
    )  # fmt: skip
    slots_f = erlang.required_agents(vol.chats, 400, interval_min=30, target_answer_s=60,
                                     integer=False)  # fmt: skip
    np.testing.assert_allclose(frac.agents.chats, np.asarray(slots_f) / 3, rtol=1e-12)


def test_chat_slowdown_staffs_the_full_load_handle_time() -> None:
    idx = _week()[:4]
    vol = pd.DataFrame({"chats": [60.0] * 4}, index=idx)
    req = channels.channel_requirements(
        vol, {"chats": 300}, channel={"chats": "chat"}, concurrency={"chats": 3},
        chat_slowdown=0.2, target_answer_s=60,
    )  # fmt: skip
    slots = erlang.required_agents(60, 300 * 1.4, interval_min=30, target_answer_s=60)
    assert (req.agents.chats == np.ceil(slots / 3)).all()


def test_chat_requirement_meets_its_target_in_simulation() -> None:
    # The chat model is exact (n agents with k slots are n·k servers): at the requirement
    # the simulated service level reaches the promise; with one agent less it falls short.
    idx = _week()[16:32]
    vol = pd.DataFrame({"chats": np.full(16, 90.0)}, index=idx)
    kw = dict(channel={"chats": "chat"}, concurrency={"chats": 3})
    req = channels.channel_requirements(vol, {"chats": 420}, target_answer_s=30,
                                        service_level=0.8, **kw)  # fmt: skip
    need = int(req.agents.chats.iloc[0])

    def simulated(agents: int) -> pd.Series:
        staff = pd.DataFrame({"team": np.full(16, agents)}, index=idx)
        res = simulate.simulate_queues(vol, {"chats": 420}, 30, staff, {"team": ["chats"]},
                                       target_answer_s=30, runs=8, seed=3, **kw)  # fmt: skip
        return res.totals.loc["chats"]

    at = simulated(need)
    assert at.service_level_hi >= 0.8 and at.service_level > 0.78
    below = simulated(need - 1)
    assert below.service_level < 0.8


def test_chat_with_slowdown_meets_its_target_in_simulation() -> None:
    # Handle time grows 20% per chat already held: staffing at the full-load handle time
    # keeps the promise in the simulator, which lengthens each chat by what its agent holds.
    idx = _week()[16:32]
    vol = pd.DataFrame({"chats": np.full(16, 90.0)}, index=idx)
    kw = dict(channel={"chats": "chat"}, concurrency={"chats": 3}, chat_slowdown=0.2)
    req = channels.channel_requirements(vol, {"chats": 420}, target_answer_s=30, **kw)
    staff = pd.DataFrame({"team": req.agents.chats.astype(int)}, index=idx)
    res = simulate.simulate_queues(vol, {"chats": 420}, 30, staff, {"team": ["chats"]},
                                   target_answer_s=30, runs=8, seed=5, **kw)  # fmt: skip
    assert res.totals.loc["chats", "service_level_lo"] >= 0.8


def _mail_case(interval_min: int = 30, split: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    idx = _week(interval_min)
    open_ = _open(idx)
    if split:  # 08-12 and 14-19: a lunch closure inside the day
        hour = idx.hour + idx.minute / 60
        open_ &= np.asarray((hour < 12) | ((hour >= 14) & (hour < 19)))
    per_hour = 16.0
    vol = pd.DataFrame({"mail": np.full(len(idx), per_hour * interval_min / 60)}, index=idx)
    return vol, open_


@pytest.mark.parametrize(("interval_min", "split"), [(30, False), (15, True), (60, False)])
def test_deferred_plan_clears_the_backlog_in_business_hours(interval_min: int, split: bool) -> None:
    vol, open_ = _mail_case(interval_min, split)
    req = channels.channel_requirements(
        vol, {"mail": 480}, channel={"mail": "deferred"}, service_level=0.95,
        target_answer_s=8 * 3600, business_hours=open_, integer=False,
    )  # fmt: skip
    x = req.agents.mail.to_numpy()
    plan = req.deferred.xs("mail", level="queue")
    assert (x[~open_] == 0).all()  # nobody works while closed
    # Work conservation (hand-checkable): capacity in open hours covers the work that
    # arrived up to the last open interval, which is then done; what arrives while closed
    # afterwards waits.
    last = np.flatnonzero(open_)[-1]
    work = (vol.mail.to_numpy() * 480)[: last + 1].sum()
    assert (x * interval_min * 60).sum() >= work * (1 - 1e-9)
    assert plan.backlog.iloc[last] == pytest.approx(0, abs=1e-6)
    assert plan.backlog.iloc[-1] == pytest.approx(vol.mail.iloc[last + 1 :].sum())
    # Overnight the backlog grows by exactly what arrives.
    closed = np.flatnonzero(~open_[1:] & ~open_[:-1]) + 1
    np.testing.assert_allclose(
        plan.backlog.to_numpy()[closed] - plan.backlog.to_numpy()[closed - 1],
        vol.mail.to_numpy()[closed],
    )
    assert req.planned_within["mail"] >= 0.95


def test_whole_agents_keep_the_planned_capacity_at_every_time() -> None:
    vol, open_ = _mail_case()
    kw = dict(channel={"mail": "deferred"}, target_answer_s=8 * 3600, business_hours=open_)
    whole = channels.channel_requirements(vol, {"mail": 480}, **kw).agents.mail.to_numpy()
    frac = channels.channel_requirements(vol, {"mail": 480}, integer=False, **kw).agents.mail
    assert np.all(whole == np.round(whole)) and (whole >= 0).all()
    cum_w, cum_f = np.cumsum(whole), np.cumsum(frac.to_numpy())
    assert (cum_w >= cum_f - 1e-6).all() and (cum_w <= cum_f + 1 + 1e-6).all()


def test_deferred_plan_meets_its_response_target_in_simulation() -> None:
    # 95% within 8 business hours, e-mail around the clock, open 08-20 Monday to Saturday.
    vol, open_ = _mail_case()
    req = channels.channel_requirements(
        vol, {"mail": 480}, channel={"mail": "deferred"}, service_level=0.95,
        target_answer_s=8 * 3600, business_hours=open_,
    )  # fmt: skip
    staff = pd.DataFrame({"back": req.agents.mail.astype(int)}, index=vol.index)
    res = simulate.simulate_queues(
        vol, {"mail": 480}, 30, staff, {"back": ["mail"]}, channel={"mail": "deferred"},
        target_answer_s=8 * 3600, business_hours=open_, runs=6, seed=4,
    )  # fmt: skip
    last = np.flatnonzero(open_)[-1]  # later mail belongs to the next week's plan
    within = res.per_run["within"][:, : last + 1, 0].sum(axis=1)
    offered = res.per_run["offered"][:, : last + 1, 0].sum(axis=1)
    assert (within / offered).mean() >= 0.95
    # And it is not lavish: the agents are within 15% of the work.
    work_agents = (vol.mail.to_numpy()[: last + 1] * 480).sum() / 1800
    assert staff.back.sum() <= 1.15 * work_agents


def test_deferred_work_fills_the_troughs_of_the_other_channels() -> None:
    # Calls peak at midday; e-mail that can wait 8 business hours goes where fewer agents
    # are on calls, so the daily peak of the total is the peak of the calls alone.
    idx = _week()[: 48 * 2]
    open_ = _open(idx)
    hour = idx.hour + idx.minute / 60
    calls = np.where(open_, 40 + 120 * np.exp(-(((hour - 13) / 2.5) ** 2)), 0.0)
    vol = pd.DataFrame({"calls": calls, "mail": np.full(len(idx), 6.0)}, index=idx)
    req = channels.channel_requirements(
        vol, {"calls": 240, "mail": 300}, channel={"calls": "voice", "mail": "deferred"},
        service_level={"calls": 0.8, "mail": 0.9}, target_answer_s={"calls": 20, "mail": 8 * 3600},
        business_hours=open_, integer=False,
    )  # fmt: skip
    total = req.agents.sum(axis=1)
    for day in np.unique(idx.normalize()):
        on = (idx.normalize() == day) & open_
        assert total[on].max() == pytest.approx(req.agents.calls[on].max(), rel=1e-6)
    midday = open_ & (hour >= 12) & (hour < 14)
    edges = open_ & ((hour < 10) | (hour >= 18))
    assert req.agents.mail[midday].mean() < req.agents.mail[edges].mean()


def test_inputs_are_not_changed_and_interval_is_inferred() -> None:
    vol, open_ = _mail_case()
    before, open_before = vol.copy(), open_.copy()
    req = channels.channel_requirements(vol, {"mail": 480}, channel={"mail": "deferred"},
                                        target_answer_s=4 * 3600, business_hours=open_)  # fmt: skip
    pd.testing.assert_frame_equal(vol, before)
    np.testing.assert_array_equal(open_, open_before)
    assert req.agents.index.equals(vol.index)
    with pytest.raises(ValueError, match="interval_min=30"):
        channels.channel_requirements(vol, {"mail": 480}, channel={"mail": "deferred"},
                                      interval_min=15, target_answer_s=4 * 3600)  # fmt: skip


def _call(**over: object) -> None:
    idx = _week()[:4]
    kw: dict[str, object] = dict(
        volume=pd.DataFrame({"calls": 10.0, "chats": 5.0, "mail": 3.0}, index=idx),
        aht_s={"calls": 180, "chats": 300, "mail": 400},
        channel={"calls": "voice", "chats": "chat", "mail": "deferred"},
        target_answer_s={"calls": 20, "chats": 60, "mail": 7200},
    )
    kw.update(over)
    channels.channel_requirements(**kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"concurrency": {"chats": 0}}, "concurrency of queue 'chats' must be a whole number >= 1"),
        ({"concurrency": {"mail": 2}}, "only chat queues hold several contacts at once"),
        ({"channel": {"calls": "voice", "chats": "chat"}}, "queue 'mail' has no channel; add"),
        (
            {"channel": {"calls": "phone", "chats": "chat", "mail": "deferred"}},
            "channel of queue 'calls' must be one of: 'voice', 'chat', 'deferred'",
        ),
        (
            {"target_answer_s": {"calls": 20, "chats": 60, "mail": 600}},
            "target_answer_s of deferred queue 'mail' is 600 s, shorter than one interval",
        ),
        ({"patience_s": {"calls": 60, "chats": 60, "mail": 60}}, "deferred work never abandons"),
        ({"business_hours": [True] * 3}, "business_hours must be booleans, one per interval (4)"),
        ({"max_agents": 0.01}, "deferred queue(s) ['mail'] cannot meet their response targets"),
        ({"aht_s": {"calls": 180, "chats": 300}}, "aht_s has no value for queue(s) ['mail']"),
        (
            {"service_level": {"calls": 0.8, "chats": 0.8, "mail": 1.0}},
            "service_level of deferred queue 'mail' must be in (0, 1), got 1",
        ),
        (
            {
                "volume": pd.DataFrame(
                    {"calls": 10.0, "chats": 5.0, "mail": [3.0, -1, 3, 3]}, index=_week()[:4]
                )
            },
            "volume of deferred queue 'mail' must be finite and >= 0 [contacts], got -1",
        ),
    ],
)
def test_bad_input_names_the_queue_and_the_fix(over: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _call(**over)


def test_friday_saturday_weekend_and_a_holiday_carry_the_backlog() -> None:
    # A centre closed Friday and Saturday and on Tuesday (a holiday): mail from three closed
    # days in a row waits for Sunday; the plan still clears it within the week and the
    # simulation meets 90% within 8 business hours.
    vol, _ = _mail_case()
    idx = vol.index
    open_ = _open(idx, weekend=(4, 5)) & np.asarray(idx.normalize() != pd.Timestamp("2026-01-06"))
    kw = dict(channel={"mail": "deferred"}, target_answer_s=8 * 3600)
    req = channels.channel_requirements(
        vol, {"mail": 480}, business_hours=open_, service_level=0.9, **kw
    )
    x = req.agents.mail.to_numpy()
    assert (x[~open_] == 0).all()
    sunday = np.asarray(idx.day_of_week == 6) & open_
    thursday = np.asarray(idx.day_of_week == 3) & open_
    assert x[sunday].sum() > x[thursday].sum()  # Sunday works off the weekend's mail
    staff = pd.DataFrame({"back": x.astype(int)}, index=idx)
    res = simulate.simulate_queues(
        vol, {"mail": 480}, 30, staff, {"back": ["mail"]}, business_hours=open_, runs=4,
        seed=8, **kw,
    )  # fmt: skip
    last = np.flatnonzero(open_)[-1]
    share = res.per_run["within"][:, : last + 1].sum() / res.per_run["offered"][:, : last + 1].sum()
    assert share >= 0.9


def test_two_deferred_queues_are_planned_together() -> None:
    vol, open_ = _mail_case()
    vol = vol.assign(back_office=np.where(open_, 3.0, 0.0))
    req = channels.channel_requirements(
        vol, {"mail": 480, "back_office": 900},
        channel={"mail": "deferred", "back_office": "deferred"},
        service_level={"mail": 0.95, "back_office": 0.8},
        target_answer_s={"mail": 8 * 3600, "back_office": 24 * 3600},
        business_hours=open_, integer=False,
    )  # fmt: skip
    last = np.flatnonzero(open_)[-1]
    for q, aht in (("mail", 480), ("back_office", 900)):
        plan = req.deferred.xs(q, level="queue")
        assert plan.backlog.iloc[last] == pytest.approx(0, abs=1e-6)
        work = (vol[q].to_numpy()[: last + 1] * aht).sum()
        assert (req.agents[q].to_numpy() * 1800).sum() >= work * (1 - 1e-9)
    assert (req.planned_within >= [0.95, 0.8]).all()


def test_check_in_simulation_compares_each_queue_with_its_promise() -> None:
    idx = _week()[: 48 * 2]
    open_ = _open(idx)
    vol = pd.DataFrame(
        {"calls": np.where(open_, 80.0, 0), "chats": np.where(open_, 40.0, 0),
         "mail": np.where(open_, 10.0, 4.0)}, index=idx,
    )  # fmt: skip
    aht = {"calls": 240, "chats": 500, "mail": 420}
    req = channels.channel_requirements(
        vol, aht, channel={"calls": "voice", "chats": "chat", "mail": "deferred"},
        concurrency={"chats": 3}, service_level={"calls": 0.8, "chats": 0.8, "mail": 0.95},
        target_answer_s={"calls": 20, "chats": 60, "mail": 8 * 3600}, business_hours=open_,
    )  # fmt: skip
    check = channels.check_in_simulation(req, vol, aht, runs=6, seed=2)
    assert list(check.index) == ["calls", "chats", "mail"]
    assert check.meets.all()
    assert (check.simulated_lo <= check.simulated).all()
    assert (check.simulated <= check.simulated_hi).all()
    # Two agents fewer on the phones in every open interval: the check says so.
    short = dataclasses.replace(
        req, agents=req.agents.assign(calls=np.maximum(req.agents.calls - 2, 0))
    )
    check = channels.check_in_simulation(short, vol, aht, runs=6, seed=2)
    assert not check.meets["calls"] and check.meets["chats"]
    frac = dataclasses.replace(req, agents=req.agents + 0.5)
    with pytest.raises(ValueError, match=re.escape("integer=True")):
        channels.check_in_simulation(frac, vol, aht)
