"""The MSD benchmark loader on a real instance (DataSet1, proven optimum 480)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from staffplan import roster

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _random_example1(shared_data: Path) -> tuple[Any, roster.RosterInstance, dict]:
    """The msd benchmark module and RandomExample1 loaded by it."""
    sys.path.insert(0, str(BENCH))
    try:
        import msd
    finally:
        sys.path.remove(str(BENCH))
    path = shared_data / "msd" / "DataSet1" / "RandomExample1.dzn"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    inst, data = msd.load_instance(path)
    return msd, inst, data


@pytest.mark.realdata
def test_random_example1_reaches_published_optimum(shared_data: Path) -> None:
    msd, inst, data = _random_example1(shared_data)
    assert inst.n_intervals == 7 * 24 and inst.cyclic
    res = roster.solve(inst, time_limit_s=30, num_workers=2)
    # Di Gaspero et al. (2007), DataSet1: RandomExample1 optimum 480 (8 shifts x 60).
    assert res.status == "OPTIMAL"
    assert res.objective + msd.duties_penalty(res, data) == 480
    assert roster.check(inst, res.roster) == []


def test_pattern_count_lp_bound_is_tight_on_a_hand_checked_day() -> None:
    # One cyclic day needing 1 agent every hour, 8 h shifts starting on any hour, 100 per
    # distinct shift: three shifts (e.g. 00-08, 08-16, 16-24) are optimal, cost 300.  Each
    # interval must be reached by a used pattern and a pattern reaches 8 of the 24 intervals,
    # so the LP relaxation itself proves 300 (the big-M links alone gave 75).
    from staffplan.roster._lp import lp_bound, lp_relaxation
    from staffplan.roster._model import RosterModel

    inst = roster.make_instance(
        [1] * 24,
        interval_min=60,
        shifts=roster.ShiftRules(
            earliest_start="00:00",
            latest_start="23:00",
            start_step_min=60,
            lengths_min=(480,),
            crosses_midnight=True,
        ),
        lunch=None,
        span=None,
        weights=roster.Weights(shortage=1000, surplus=0, paid_interval=0, pattern=100),
        interval_weights=[1.0] * 24,
        cyclic=True,
    )
    rm = RosterModel(inst)
    lp = lp_relaxation(rm)
    assert lp is not None
    assert lp_bound(rm, lp) == 300
    res = roster.solve(inst, time_limit_s=10, num_workers=1)
    assert res.objective == 300 and res.best_bound == 300


@pytest.mark.realdata
def test_pattern_count_lp_bound_means_something(shared_data: Path) -> None:
    # RandomExample1's optimum is 480 (Di Gaspero et al. 2007). The LP relaxation of the model
    # must stay below it (a bound) and, with the cover cuts and tight shift-count bounds, reach
    # a real share of it (58 before them, 234 now).
    from staffplan.roster._lp import lp_bound, lp_relaxation
    from staffplan.roster._model import RosterModel

    _, inst, _ = _random_example1(shared_data)
    rm = RosterModel(inst)
    lp = lp_relaxation(rm, time_limit_s=30)
    assert lp is not None
    assert 0.4 * 480 <= lp_bound(rm, lp) <= 480
