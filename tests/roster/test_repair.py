"""The repair step that covers intervals a search left short (``_solve._repair``)."""

from __future__ import annotations

import time

from staffplan.roster._model import RosterModel
from staffplan.roster._solve import _Best, _Ctx, _repair, _shortage

from ._helpers import flat


def _empty_roster(rm: RosterModel) -> _Best:
    """No shift at all: every required agent-interval short (values built, not searched)."""
    coverage = rm.complete_hint({})
    best = _Best.__new__(_Best)
    best.records = []
    best.values = [int(coverage.get(v, 0)) for v in rm.all_vars]
    w = rm.inst.weights
    best.objective = float(
        sum(w.shortage * rm.inst.interval_weights[t] * rm.inst.required[t] for t in rm.slots)
    )
    best.bound = 0.0
    best.status = "FEASIBLE"
    return best


def test_repair_covers_a_short_day_round_the_clock() -> None:
    # 1 agent every hour round the clock (24 h from Monday 08:00), 8 h shifts that may start
    # at any hour: three shifts (08:00, 16:00, 00:00) cover the day exactly, so by hand the
    # cheapest roster has no shortage, no surplus and 24 paid agent-hours (objective 24 at
    # paid_interval=1), far below the empty roster's 24 short intervals.
    rm = RosterModel(flat([1] * 24, window=("00:00", "23:00")))
    empty = _empty_roster(rm)
    assert _shortage(rm, empty) == 24 * rm.scale
    ctx = _Ctx(time.perf_counter() + 10.0, num_workers=1, seed=0, deterministic=True)
    fixed, used_s = _repair(rm, empty, 2.0, ctx)
    assert _shortage(rm, fixed) == 0
    assert fixed.objective == 24 * rm.inst.weights.paid_interval
    assert len(fixed.records) == 3
    assert fixed.bound == empty.bound and fixed.status == "FEASIBLE"
    assert 0.0 <= used_s <= 2.0  # within the budget given


def test_repair_leaves_a_roster_without_shortage_alone() -> None:
    rm = RosterModel(flat([1] * 24, window=("00:00", "23:00")))
    empty = _empty_roster(rm)
    ctx = _Ctx(time.perf_counter() + 10.0, num_workers=1, seed=0, deterministic=True)
    fixed, _ = _repair(rm, empty, 2.0, ctx)
    again, used_s = _repair(rm, fixed, 2.0, ctx)
    assert again is fixed and used_s == 0.0
