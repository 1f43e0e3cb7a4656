"""Joint sample paths of the calibrated residual model: a day's slot noise adds up to nothing."""

from __future__ import annotations

import numpy as np

from staffplan.forecast._intervals import ResidualQuantiles, sample_compound


def _model() -> ResidualQuantiles:
    # One day ratio (1.0): a path's day total is the forecast's, up to the slot noise's sum.
    slot = np.linspace(-2.0, 2.0, 128)
    return ResidualQuantiles([np.ones(1)] * 3, slot, power=0.5)


def _draw(day: np.ndarray | None, pred: np.ndarray, n: int = 4000) -> np.ndarray:
    rng = np.random.default_rng(1)
    u = np.random.default_rng(2).random((n, 1)).repeat(pred.size, axis=1)
    return sample_compound(_model(), pred, np.zeros(pred.size, dtype=int), u, rng, day=day)


def test_slot_noise_adds_up_to_nothing_over_each_day_and_keeps_its_marginals() -> None:
    # Reference, by hand: residuals uniform on [-2, 2] have sd 2/sqrt(3) = 1.155, scaled by
    # sqrt(forecast): independent draws give a day of 24 slots at 40 a day total sd of
    # 1.155 * sqrt(24 * 40) = 35.8; made to add up to nothing, the total is the forecast's.
    pred = np.full(48, 40.0)
    day = np.repeat([0, 1], 24)
    free, tied = _draw(None, pred), _draw(day, pred)
    free_total = free[:, :24].sum(axis=1)
    tied_total = tied[:, :24].sum(axis=1)
    assert abs(free_total.std() - 35.8) < 2.0
    assert tied_total.std() < 0.05 * free_total.std()
    assert abs(tied_total.mean() - 960.0) < 1.0
    # Each cell keeps its spread: 1.155 * sqrt(40) = 7.30.
    np.testing.assert_allclose(tied.std(axis=0), 7.30, rtol=0.06)
    # The two days' sums move independently of each other.
    assert abs(np.corrcoef(tied[:, :12].sum(axis=1), tied[:, 24:36].sum(axis=1))[0, 1]) < 0.06


def test_closed_cells_stay_closed_and_take_no_part_in_the_days_sum() -> None:
    pred = np.array([0.0, 30.0, 60.0, 0.0, 90.0, 45.0])
    out = _draw(np.zeros(6, dtype=int), pred)
    assert (out[:, [0, 3]] == 0).all()
    # Four open cells: the rescaling that keeps each cell's spread leaves a small day sum
    # (the weights are large on so short a day), far under independent draws' 1.155 * 15.
    assert out.sum(axis=1).std() < 0.1 * 1.155 * np.sqrt(pred.sum())
