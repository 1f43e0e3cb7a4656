"""The multi-queue simulator: contract, routing, chat, deferred work and bad input.

Reference values: the single-queue simulator and Erlang C (itself checked against mpmath
tables in tests/erlang), exact equivalences (a chat queue of concurrency k on n agents is
n·k voice agents) and hand-checkable routing cases.  The cross-check against the peer
library Ciw lives in test_multi_ciw.py.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from staffplan import erlang, simulate

IDX = pd.date_range("2026-01-05 08:00", periods=16, freq="30min")


def _frame(idx: pd.Index, **cols: float | list[float]) -> pd.DataFrame:
    return pd.DataFrame(cols, index=idx)


def _within(value: float, lo: float, hi: float, slack: float = 0.0) -> bool:
    return lo - slack <= value <= hi + slack


def test_contract_and_seeded_reproducibility() -> None:
    arr = _frame(IDX, calls=100.0, chats=40.0)
    staff = _frame(IDX, phone=14, chat=5)
    kw = dict(
        skills={"phone": ["calls"], "chat": ["chats"]},
        concurrency={"chats": 2},
        channel={"calls": "voice", "chats": "chat"},
        patience_s=120,
        runs=4,
    )
    a = simulate.simulate_queues(arr, {"calls": 180, "chats": 400}, 30, staff, seed=3, **kw)
    b = simulate.simulate_queues(arr, {"calls": 180, "chats": 400}, 30, staff, seed=3, **kw)
    c = simulate.simulate_queues(arr, {"calls": 180, "chats": 400}, 30, staff, seed=4, **kw)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)
    assert not a.intervals.equals(c.intervals)
    assert a.intervals.index.names == ["interval", "queue"]
    assert a.intervals.index.get_level_values("interval").unique().equals(IDX)
    assert list(a.occupancy.columns) == ["phone", "chat"]
    assert list(a.totals.index) == ["calls", "chats"]
    iv = a.intervals
    assert np.allclose(iv.answered + iv.abandoned + iv.unanswered, iv.offered)
    assert (iv.service_level_lo <= iv.service_level + 1e-12).all()
    assert (iv.service_level <= iv.service_level_hi + 1e-12).all()
    # Totals are sums over intervals of the same runs.
    by_queue = iv.groupby(level="queue").offered.sum()
    assert np.allclose(by_queue[a.totals.index], a.totals.offered)
    assert a.per_run["offered"].shape == (4, len(IDX), 2)
    # Nothing the caller passed is changed.
    assert (arr.calls == 100.0).all() and (staff.phone == 14).all()


def test_one_voice_queue_agrees_with_the_single_queue_simulator() -> None:
    # Same model (Poisson arrivals uniform in each interval, FCFS, exponential handle times
    # and patience): the two simulators' service level, ASA and abandonment agree within
    # their confidence limits over a day of varying load and staff.
    idx = pd.date_range("2026-01-05 08:00", periods=20, freq="30min")
    vol = np.array([40, 60, 90, 120, 140, 150, 140, 120, 100, 90] * 2, dtype=float)
    staff = np.array([7, 9, 12, 15, 17, 18, 17, 15, 13, 12] * 2)
    multi = simulate.simulate_queues(
        _frame(idx, calls=vol), {"calls": 240}, 30, _frame(idx, team=staff),
        {"team": ["calls"]}, patience_s=90, runs=30, seed=11,
    )  # fmt: skip
    single = simulate.simulate_intervals(
        pd.Series(vol, index=idx), 240, staff, interval_min=30, patience_s=90,
        target_answer_s=20, n_reps=30, rng=12,
    )  # fmt: skip
    tot = multi.totals.loc["calls"]
    w = single.offered
    for stat in ("service_level", "asa_s", "p_abandon"):
        ref = float((single[stat] * w).sum() / w.sum())
        half = float(tot[f"{stat}_hi"] - tot[f"{stat}_lo"]) / 2
        # Two independent estimates: their difference lies within ~sqrt(2) half-widths.
        assert abs(tot[stat] - ref) <= 1.5 * half + 1e-9, (stat, tot[stat], ref, half)
    occ = multi.occupancy["team"].to_numpy()
    assert np.abs(occ - single.occupancy.to_numpy()).max() < 0.05


def test_steady_voice_queue_matches_erlang_c() -> None:
    # 10 Erlang on 12 agents, no abandonment: Erlang C gives the service level and ASA.
    idx = pd.date_range("2026-01-05", periods=48, freq="30min")
    res = simulate.simulate_queues(
        _frame(idx, calls=100.0), {"calls": 180}, 30, _frame(idx, team=12),
        {"team": ["calls"]}, runs=10, seed=2,
    )  # fmt: skip
    tot = res.totals.loc["calls"]
    sl = float(erlang.service_level(12, 10.0, 180, 20))
    asa = float(erlang.asa(12, 10.0, 180))
    # Start-up from an empty system biases early intervals slightly: allow a small slack.
    assert _within(sl, tot.service_level_lo, tot.service_level_hi, slack=0.01)
    assert _within(asa, tot.asa_s_lo, tot.asa_s_hi, slack=1.0)
    assert res.occupancy["team"].iloc[2:].mean() == pytest.approx(10 / 12, abs=0.02)


def test_chat_concurrency_k_on_n_agents_is_n_times_k_voice_agents() -> None:
    # Without slowdown an agent with k slots is k servers: same draws, same starts.
    idx = IDX[:8]
    arr = _frame(idx, q=[30.0, 60, 90, 80, 70, 60, 40, 20])
    chat = simulate.simulate_queues(
        arr, {"q": 400}, 30, _frame(idx, g=5), {"g": ["q"]}, concurrency={"q": 3},
        channel={"q": "chat"}, patience_s=200, runs=3, seed=5,
    )  # fmt: skip
    voice = simulate.simulate_queues(
        arr, {"q": 400}, 30, _frame(idx, g=15), {"g": ["q"]}, channel={"q": "voice"},
        patience_s=200, runs=3, seed=5,
    )  # fmt: skip
    for name in ("offered", "answered", "abandoned", "within", "wait_s"):
        np.testing.assert_allclose(chat.per_run[name], voice.per_run[name], rtol=1e-12)
    np.testing.assert_allclose(chat.occupancy.g, voice.occupancy.g, rtol=1e-12)


def test_chat_slowdown_lengthens_chats_held_together() -> None:
    idx = IDX[:8]
    kw = dict(concurrency={"q": 3}, channel={"q": "chat"}, runs=3, seed=7)
    arr, staff = _frame(idx, q=80.0), _frame(idx, g=8)
    plain = simulate.simulate_queues(arr, {"q": 400}, 30, staff, {"g": ["q"]}, **kw)
    slow = simulate.simulate_queues(
        arr, {"q": 400}, 30, staff, {"g": ["q"]}, chat_slowdown=0.25, **kw
    )
    # Same arrivals; slower chats hold capacity longer: higher occupancy and waits.
    np.testing.assert_array_equal(plain.per_run["offered"], slow.per_run["offered"])
    assert slow.occupancy.g.mean() > plain.occupancy.g.mean() + 0.02
    assert slow.totals.loc["q", "asa_s"] > plain.totals.loc["q", "asa_s"]


def test_specialists_first_then_cross_trained_agents() -> None:
    # Queue a ranks first for group "a_only" and second for "both": with plenty of
    # specialists the cross-trained group never takes an "a" contact.
    idx = IDX[:6]
    arr = _frame(idx, a=60.0, b=0.0)
    res = simulate.simulate_queues(
        arr, {"a": 180, "b": 180}, 30, _frame(idx, a_only=40, both=5),
        {"a_only": ["a"], "both": ["b", "a"]}, runs=2, seed=1,
    )  # fmt: skip
    assert (res.occupancy["both"] == 0).all()
    assert (res.occupancy["a_only"] > 0).all()
    # No specialists: the cross-trained group serves the queue.
    res = simulate.simulate_queues(
        arr, {"a": 180, "b": 180}, 30, _frame(idx, a_only=0, both=10),
        {"a_only": ["a"], "both": ["b", "a"]}, runs=2, seed=1,
    )  # fmt: skip
    assert (res.occupancy["both"] > 0.3).all()
    assert res.totals.loc["a", "answered"] == res.totals.loc["a", "offered"]


def test_a_freed_agent_takes_its_highest_priority_queue_first() -> None:
    # One group serves two equally loaded queues, overloaded together: the queue it lists
    # first waits and abandons far less; swapping the order swaps the outcome.
    idx = IDX[:8]
    arr, staff = _frame(idx, hi=45.0, lo=45.0), _frame(idx, g=14)
    for order in (["hi", "lo"], ["lo", "hi"]):
        res = simulate.simulate_queues(
            arr, {"hi": 300, "lo": 300}, 30, staff, {"g": order}, patience_s=300, runs=3, seed=4
        )
        first, second = res.totals.loc[order[0]], res.totals.loc[order[1]]
        assert second.asa_s > 2 * first.asa_s
        assert second.p_abandon > 2 * first.p_abandon
        assert first.service_level > second.service_level + 0.1


def test_deferred_backlog_carries_over_closed_hours_in_business_time() -> None:
    # E-mails arrive around the clock; eight agents work 08:00-16:00 only.  Overnight the
    # backlog grows by exactly what arrives; waits count business time only, so mail
    # that came in at night and is answered soon after opening is within 4 business
    # hours, while on the wall clock it waited the whole night.
    # The horizon ends at 16:00 on day 3, open: its staff work on until the backlog is empty.
    idx = pd.date_range("2026-01-05", periods=48 * 2 + 32, freq="30min")
    hours = idx.hour
    staff = _frame(idx, back=np.where((hours >= 8) & (hours < 16), 8, 0))
    arr = _frame(idx, mail=6.0)
    kw = dict(channel={"mail": "deferred"}, target_answer_s=4 * 3600, runs=3, seed=9)
    res = simulate.simulate_queues(
        arr, {"mail": 600}, 30, staff, {"back": ["mail"]}, patience_s=60, **kw
    )
    tot = res.totals.loc["mail"]
    assert tot.abandoned == 0  # deferred work never abandons, whatever patience says
    assert tot.unanswered == 0
    assert tot.answered == tot.offered
    backlog = res.per_run["backlog"][:, :, 0]
    offered = res.per_run["offered"][:, :, 0]
    closed = np.flatnonzero(staff.back.to_numpy() == 0)
    night = closed[(closed > 32) & (closed < 48 + 16)]  # 16:00 day 1 .. 08:00 day 2
    night = night[night > 32]
    grow = backlog[:, night[1:]] - backlog[:, night[:-1]]
    np.testing.assert_allclose(grow, offered[:, night[1:]])
    assert tot.service_level > 0.9
    wall = simulate.simulate_queues(
        arr, {"mail": 600}, 30, staff, {"back": ["mail"]},
        business_hours=np.ones(len(idx), dtype=bool), **kw,
    )  # fmt: skip
    assert wall.totals.loc["mail", "service_level"] < 0.5
    assert wall.totals.loc["mail", "asa_s"] > 3 * tot.asa_s


def test_leaving_agents_finish_their_chats() -> None:
    # Chat agents drop from 6 to 0: their chats in progress are finished, not lost, and
    # chats arriving with nobody on carry over to the next staffed interval.
    idx = IDX[:4]
    res = simulate.simulate_queues(
        _frame(idx, q=60.0), {"q": 600}, 30, _frame(idx, g=[6, 0, 0, 6]), {"g": ["q"]},
        concurrency={"q": 2}, channel={"q": "chat"}, runs=3, seed=2,
    )  # fmt: skip
    tot = res.totals.loc["q"]
    assert tot.answered == tot.offered
    assert res.occupancy.g.iloc[1:3].isna().all()
    iv = res.intervals.xs("q", level="queue")
    assert iv.backlog.iloc[1] > 0 and iv.asa_s.iloc[1] > 600


def _call(**over: object) -> None:
    idx = IDX[:2]
    kw: dict[str, object] = dict(
        arrivals=_frame(idx, calls=10.0, chats=5.0),
        aht_s={"calls": 180, "chats": 300},
        interval_min=30,
        agents=_frame(idx, g=3),
        skills={"g": ["calls", "chats"]},
        channel={"calls": "voice", "chats": "chat"},
        runs=2,
    )
    kw.update(over)
    simulate.simulate_queues(**kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"concurrency": {"chats": 0}}, "concurrency of queue 'chats' must be a whole number >= 1"),
        ({"concurrency": {"chats": 2.5}}, "concurrency of queue 'chats' must be a whole number"),
        ({"concurrency": {"calls": 2}}, "only chat queues hold several"),
        ({"channel": {"calls": "voice"}}, "queue 'chats' has no channel"),
        (
            {"channel": {"calls": "voice", "chats": "email"}},
            "e-mail and back office are 'deferred'",
        ),
        ({"skills": {"g": ["calls"]}}, "queue 'chats' is a skill of no agent group"),
        ({"skills": {"g": ["calls", "chat"]}}, "name queue(s) ['chat'] that are not columns"),
        ({"skills": {"h": ["calls"]}}, "skills must name exactly the agent groups"),
        ({"aht_s": {"calls": 180}}, "aht_s has no value for queue(s) ['chats']"),
        ({"aht_s": {"calls": 180, "chats": -1}}, "aht_s of queue 'chats' must be > 0"),
        ({"agents": _frame(IDX[:2], g=[1.5, 2])}, "agents of group 'g' must be whole numbers"),
        ({"agents": _frame(IDX[2:4], g=3)}, "agents must have the same index"),
        ({"runs": 1}, "runs must be >= 2"),
        (
            {
                "channel": {"calls": "chat", "chats": "chat"},
                "concurrency": {"calls": 37, "chats": 41},
            },
            "least common multiple of 1517",
        ),
        ({"interval_min": 7}, "interval_min must be one of"),
        (
            {
                "channel": {"calls": "voice", "chats": "deferred"},
                "patience_s": {"calls": 60, "chats": 60},
            },
            "deferred work never abandons",
        ),
    ],
)
def test_bad_input_names_the_queue_and_the_fix(over: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _call(**over)


def test_handle_time_per_interval_sets_each_intervals_load() -> None:
    # Light load on many agents, nobody waits: a contact arriving uniformly in an interval of
    # length L with exponential handle time of mean h spends on average h²/L of it after the
    # interval's end, so interval i is busy load_i·(1 − h_i/L) + load_{i−1}·h_{i−1}/L.
    idx = IDX[:4]
    res = simulate.simulate_queues(
        _frame(idx, q=60.0), {"q": [60.0, 240.0, 60.0, 240.0]}, 30, _frame(idx, g=40),
        {"g": ["q"]}, runs=20, seed=6,
    )  # fmt: skip
    own = np.array([60 * 60 * (1 - 60 / 1800), 60 * 240 * (1 - 240 / 1800)])
    spill_in = np.array([0.0, 60 * 60 * 60 / 1800])
    expected = (own + spill_in) / 1800 / 40
    np.testing.assert_allclose(res.occupancy.g.to_numpy()[:2], expected, rtol=0.08)
    with pytest.raises(ValueError, match=re.escape("aht_s of queue 'q' must be one value or one")):
        simulate.simulate_queues(
            _frame(idx, q=60.0), {"q": [120.0]}, 30, _frame(idx, g=4), {"g": ["q"]}
        )
    with pytest.raises(ValueError, match=re.escape("business_hours must be booleans, one per")):
        simulate.simulate_queues(
            _frame(idx, q=60.0), {"q": 120.0}, 30, _frame(idx, g=4), {"g": ["q"]},
            business_hours=[1, 0],
        )  # fmt: skip


def test_separate_groups_do_not_affect_each_other() -> None:
    # Chat agents come and go (who leaves depends only on their own group); the voice
    # group's size must not change a single chat outcome.
    idx = IDX[:8]
    arr = _frame(idx, calls=80.0, chats=50.0)
    kw = dict(
        skills={"phone": ["calls"], "chat": ["chats"]}, concurrency={"chats": 3},
        channel={"calls": "voice", "chats": "chat"}, runs=3, seed=2,
    )  # fmt: skip
    chat_staff = [6, 4, 6, 3, 5, 2, 6, 4]
    a = simulate.simulate_queues(
        arr, {"calls": 240, "chats": 500}, 30, _frame(idx, phone=14, chat=chat_staff), **kw
    )
    b = simulate.simulate_queues(
        arr, {"calls": 240, "chats": 500}, 30, _frame(idx, phone=[9, 20] * 4, chat=chat_staff),
        **kw,
    )  # fmt: skip
    for name in ("answered", "within", "wait_s", "backlog"):
        np.testing.assert_array_equal(a.per_run[name][:, :, 1], b.per_run[name][:, :, 1])
    assert not np.array_equal(a.per_run["wait_s"][:, :, 0], b.per_run["wait_s"][:, :, 0])
