"""``forecast | staff | roster`` plans what ``staffplan plan`` and ``staffplan.plan()`` plan.

The three paths get the same options (a short horizon, a quick forecast method and solver
budget to keep the suite fast; otherwise their defaults) and must give the same requirement
in every interval, exactly, and the same roster request.  Roster *quality* may differ by
what a time-limited CP-SAT search with two workers leaves to chance; the tolerance below is
that of the search, not of the plan: paid hours within 10% and at most 2 more short
intervals (measured: 0% and 0 on the sample and on a day of the 24/7 centre with a 5 s
budget; up to 4.5% on two days of it, where the search stops with a gap).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from staffplan import datasets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _chain import round_the_clock_history, run_chain, run_plan_cli, run_python

PAID_RTOL = 0.10
EXTRA_SHORT = 2


def _extra(time_limit: str) -> dict[str, list[str]]:
    return {
        "forecast": ["--method", "profile"],
        "roster": ["--time-limit-s", time_limit],
        "plan": ["--forecast-method", "profile", "--time-limit-s", time_limit],
    }


@pytest.mark.parametrize(
    ("name", "horizon", "time_limit"),
    [("sample", "2D", "5"), ("24/7", "1D", "5")],
)
def test_chain_plan_cli_and_python_plan_the_same(
    tmp_path: Path, name: str, horizon: str, time_limit: str
):
    if name == "sample":
        history, _ = datasets.load_sample()  # two queues, 30 min, closed Sundays
    else:
        history = round_the_clock_history()
    src = tmp_path / "history.csv"
    history.to_csv(src, index=False)
    extra = _extra(time_limit)
    chain = run_chain(src, tmp_path, horizon=horizon, extra=extra)
    cli = run_plan_cli(src, tmp_path, horizon=horizon, extra=extra)
    python = run_python(
        history,
        horizon=horizon,
        kwargs={"forecast_method": "profile", "time_limit_s": float(time_limit)},
    )
    for other in (cli, python):
        # Interval for interval the same requirement (queues pooled, shrinkage rounded once).
        pd.testing.assert_index_equal(chain.requirement.index, other.requirement.index)
        np.testing.assert_allclose(chain.requirement, other.requirement, rtol=1e-12)
        # The same whole-day grid and whole agents asked of the roster.
        pd.testing.assert_series_equal(chain.required, other.required, check_names=False)
    if name == "24/7":
        # Shifts fitted round the clock: the night is asked for and covered.
        night = chain.required[chain.required.index.hour < 6]
        assert (night > 0).all()
        assert chain.shortage[night.index].sum() <= EXTRA_SHORT
    for a, b in ((chain, cli), (chain, python), (cli, python)):
        assert a.paid_h == pytest.approx(b.paid_h, rel=PAID_RTOL), (a.name, b.name)
        assert abs(a.short_intervals - b.short_intervals) <= EXTRA_SHORT, (a.name, b.name)


def test_roster_breaks_are_written_as_json_like_a_saved_plan(tmp_path: Path):
    # One documented format for the breaks column: a JSON list of [start, end] pairs.
    import json

    ds = pd.date_range("2024-01-01", periods=96, freq="15min")
    need = np.where((ds.hour >= 8) & (ds.hour < 16), 3.0, 0.0)
    req, out = tmp_path / "req.csv", tmp_path / "roster.csv"
    pd.DataFrame({"ds": ds, "required": need}).to_csv(req, index=False)
    from staffplan.cli import main

    assert main(["roster", str(req), "--out", str(out), "--time-limit-s", "5", "--quiet"]) == 0
    cells = pd.read_csv(out)["breaks"]
    pairs = [p for cell in cells for p in json.loads(cell)]
    assert pairs  # a 15-min grid rosters the default 15-min break
    for start, end in pairs:
        assert pd.Timestamp(end) - pd.Timestamp(start) == pd.Timedelta(minutes=15)
