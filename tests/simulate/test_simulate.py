"""The interval simulator: contract, reproducibility, boundaries and input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import erlang, simulate

COLUMNS = [
    "agents", "offered", "answered", "abandoned", "service_level", "asa_s", "p_abandon",
    "occupancy", "service_level_lo", "service_level_hi", "asa_s_lo", "asa_s_hi",
    "p_abandon_lo", "p_abandon_hi",
]  # fmt: skip


def test_contract_columns_and_seeded_reproducibility() -> None:
    a = simulate.simulate_intervals([50, 80, 120], 200, [8, 11, 15], n_reps=5, rng=3)
    b = simulate.simulate_intervals([50, 80, 120], 200, [8, 11, 15], n_reps=5, rng=3)
    c = simulate.simulate_intervals([50, 80, 120], 200, [8, 11, 15], n_reps=5, rng=4)
    assert list(a.columns) == COLUMNS
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    assert (a.service_level_lo <= a.service_level).all() and (
        a.service_level <= a.service_level_hi
    ).all()
    assert np.allclose(a.answered + a.abandoned, a.offered)  # nobody is lost without patience
    assert (a.abandoned == 0).all()


def test_series_index_is_kept_and_generator_accepted() -> None:
    idx = pd.date_range("2026-01-05 08:00", periods=4, freq="30min")
    vol = pd.Series([20.0, 40.0, 40.0, 10.0], index=idx)
    out = simulate.simulate_intervals(
        vol, 240, [4, 7, 7, 3], n_reps=3, rng=np.random.default_rng(1)
    )
    assert out.index.equals(idx)


def test_leaving_agents_finish_calls_and_queue_carries_over() -> None:
    # No agents in the second interval: calls arriving then wait for the third; with
    # infinite patience none is lost and their waits span the boundary.
    out = simulate.simulate_intervals([30, 30, 30], 300, [10, 0, 10], n_reps=4, rng=5)
    assert out.loc[1, "answered"] == pytest.approx(out.loc[1, "offered"])
    assert out.loc[1, "service_level"] < 0.05
    assert out.loc[1, "asa_s"] > 600  # on average at least the rest of the interval
    assert np.isnan(out.loc[1, "occupancy"])
    # Agents still on calls at the end of interval 0 finish them inside interval 1's time.
    assert out.loc[0, "occupancy"] < 1.0


def test_abandonment_when_understaffed() -> None:
    out = simulate.simulate_intervals([200] * 4, 300, [5] * 4, patience_s=60, n_reps=3, rng=2)
    assert (out.p_abandon > 0.5).all()
    assert np.allclose(out.answered + out.abandoned, out.offered, atol=1.0)


def test_empirical_handle_times_keep_the_interval_aht() -> None:
    # Deterministic handle times (all equal): M/D/n waits are shorter than M/M/n waits.
    out_d = simulate.simulate_intervals(
        [100] * 60, 180, [11] * 60, handle_times_s=[5.0] * 10, n_reps=2, rng=8
    )
    out_m = simulate.simulate_intervals([100] * 60, 180, [11] * 60, n_reps=2, rng=8)
    assert out_d.occupancy.mean() == pytest.approx(10 / 11, rel=0.05)
    assert out_d.asa_s.mean() < out_m.asa_s.mean()
    assert out_m.asa_s.mean() == pytest.approx(float(erlang.asa(11, 10.0, 180)), rel=0.35)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"agents": [1.5, 2.0]}, "agents must be whole numbers"),
        ({"agents": [1.0]}, "agents must have one value per interval"),
        ({"aht_s": -3}, "aht_s must be > 0"),
        ({"patience_s": 0}, "patience_s must be > 0"),
        ({"n_reps": 1}, "n_reps must be >= 2"),
        ({"handle_times_s": []}, "handle_times_s must hold at least one value"),
    ],
)
def test_bad_input_names_the_parameter(kwargs: dict, message: str) -> None:
    args = {"volume": [10.0, 20.0], "aht_s": 180, "agents": [2.0, 3.0]}
    args |= kwargs
    with pytest.raises(ValueError, match=message):
        simulate.simulate_intervals(
            args.pop("volume"), args.pop("aht_s"), args.pop("agents"), **args
        )
