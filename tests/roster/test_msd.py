"""The MSD benchmark loader on a real instance (DataSet1, proven optimum 480)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from staffplan import roster

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.realdata
def test_random_example1_reaches_published_optimum(shared_data: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import msd
    finally:
        sys.path.remove(str(BENCH))
    path = shared_data / "msd" / "DataSet1" / "RandomExample1.dzn"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    inst, data = msd.load_instance(path)
    assert inst.n_intervals == 7 * 24 and inst.cyclic
    res = roster.solve(inst, time_limit_s=30, num_workers=2)
    # Di Gaspero et al. (2007), DataSet1: RandomExample1 optimum 480 (8 shifts x 60).
    assert res.status == "OPTIMAL"
    assert res.objective + msd.duties_penalty(res, data) == 480
    assert roster.check(inst, res.roster) == []
