"""Erlang C and Erlang A against a seeded discrete-event simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import erlang, simulate

# 99.7% two-sided normal quantile: with four comparisons the family error stays below 1.2%.
Z = 3.0


def _pooled(frame: pd.DataFrame, column: str) -> tuple[float, float]:
    """Per-contact ratio over all intervals and its batch-means (ratio-estimator) error.

    Each 30-minute interval is a batch: ten handle times long, so batches are close
    to independent.  The first interval (starting empty) is dropped as warm-up.
    """
    d = frame.iloc[1:]
    y = d[column] * d["offered"]
    x = d["offered"]
    ratio = y.sum() / x.sum()
    se = np.sqrt(((y - ratio * x) ** 2).sum() / (len(d) * (len(d) - 1))) / x.mean()
    return float(ratio), float(se)


def test_erlang_c_agrees_with_simulation() -> None:
    sim = simulate.simulate_intervals([100] * 300, 180, [14] * 300, n_reps=4, rng=20240601)
    sl, sl_se = _pooled(sim, "service_level")
    asa_s, asa_se = _pooled(sim, "asa_s")
    assert abs(sl - erlang.service_level(14, 10.0, 180, 20)) < Z * sl_se
    assert abs(asa_s - erlang.asa(14, 10.0, 180)) < Z * asa_se
    assert sl_se < 0.01  # the check has teeth: the interval is narrow


@pytest.mark.parametrize(("agents", "patience_s"), [(10, 120.0), (12, 300.0)])
def test_erlang_a_agrees_with_simulation(agents: int, patience_s: float) -> None:
    sim = simulate.simulate_intervals(
        [100] * 300, 180, [agents] * 300, patience_s=patience_s, n_reps=4, rng=7
    )
    theory = erlang.erlang_a(agents, 10.0, 180, patience_s, 20)
    sl, sl_se = _pooled(sim, "service_level")
    ab, ab_se = _pooled(sim, "p_abandon")
    assert abs(sl - theory.service_level) < Z * sl_se
    assert abs(ab - theory.p_abandon) < Z * ab_se
    assert ab_se < 0.005
    # Erlang A's definitions and Erlang C's differ measurably here: the test can tell them apart.
    assert abs(sl - erlang.service_level(agents, 10.0, 180, 20)) > Z * sl_se
