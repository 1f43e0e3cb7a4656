"""The internal backtest drops slow candidates that do not reach the leaders early."""

from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from staffplan.forecast import _models, _select
from staffplan.forecast._models import Config, Days


def _weekly_matrix(weeks: int, *, noise: bool, rng: int = 0) -> tuple[np.ndarray, Days]:
    """Mon–Fri, 20 slots: the same week repeated, optionally with Poisson noise."""
    gen = np.random.default_rng(rng)
    week = 50.0 + 40.0 * gen.random((7, 20))
    week[5:] = np.nan  # closed at the weekend
    y = np.tile(week, (weeks, 1))
    if noise:
        y = np.where(np.isnan(y), np.nan, gen.poisson(np.nan_to_num(y)).astype(float))
    return y, Days.from_start("2024-01-01", 7 * weeks)


def _count_fits(monkeypatch: pytest.MonkeyPatch, slow: str) -> dict[str, int]:
    """Mark ``slow`` as a slow candidate and count the fits of each method."""
    calls: dict[str, int] = {}
    real = _models.run_config

    def counting(cfg: Config, y: np.ndarray, cal: Days, future: Days) -> np.ndarray:
        calls[cfg.method] = calls.get(cfg.method, 0) + 1
        return real(cfg, y, cal, future)

    monkeypatch.setattr(_select, "run_config", counting)
    monkeypatch.setattr(_select, "is_slow", lambda c: c.method == slow)
    grid = [Config("snaive"), *_models.candidate_grid("profile")]
    monkeypatch.setattr(_select, "candidate_grid", lambda method: grid)
    return calls


def test_a_slow_candidate_beaten_on_the_first_origin_is_fitted_once(monkeypatch):
    # With Poisson noise the seasonal naive (one week) has about sqrt(2) times the error of a
    # median over 4-8 weeks: all six profile configurations beat it on the first origin.
    y, cal = _weekly_matrix(12, noise=True)
    calls = _count_fits(monkeypatch, slow="snaive")
    sel = _select.select(y, cal, "auto")
    assert calls["snaive"] == 1
    assert calls["profile"] == 6 * 8  # every fast candidate on every one of the 8 origins
    assert "snaive" not in sel.scores and "snaive" not in sel.config.label


def test_a_slow_candidate_that_leads_is_kept_and_refitted_on_three_origins(monkeypatch):
    # An exactly weekly series: the seasonal naive is exact (MAE 0), so it leads.
    y, cal = _weekly_matrix(12, noise=False)
    calls = _count_fits(monkeypatch, slow="snaive")
    sel = _select.select(y, cal, "auto")
    assert calls["snaive"] == 3
    assert sel.scores["snaive"] == pytest.approx(0.0, abs=1e-12)
    assert "snaive" in sel.config.label


def test_statsmodels_candidates_count_as_slow():
    grid = _models.candidate_grid("auto")
    slow = {c.label for c in grid if _models.is_slow(c)}
    assert slow == {"mstl(window_weeks=8)", "twostage(daily=sarimax)"}


def test_fits_run_with_one_blas_thread_when_threadpoolctl_is_there():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library loaded that threadpoolctl can see")
    with _models.single_blas_thread():
        inside = [
            i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
        ]
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    assert inside == [1] * len(blas)
    assert after == [i["num_threads"] for i in blas]  # restored on exit


@settings(max_examples=40)
@given(
    st.integers(0, 12),
    st.integers(1, 6),
    st.floats(0.0, 1.0),
    st.integers(0, 2**31 - 1),
)
def test_the_fast_median_equals_numpys_nanmedian(rows, cols, nan_share, seed):
    # Reference: numpy's own nanmedian, which the models used before.
    gen = np.random.default_rng(seed)
    x = gen.poisson(20.0, (rows, cols)).astype(float)
    x[gen.random(x.shape) < nan_share] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column → NaN
        ref = np.nanmedian(x, axis=0) if rows else np.full(cols, np.nan)
    np.testing.assert_array_equal(_models._nanmedian0(x), ref)


def test_sharing_daily_parts_between_two_stage_fits_changes_no_number(monkeypatch):
    # Reference: the same selection with every two-stage fit computing its own parts.
    y, cal = _weekly_matrix(16, noise=True, rng=3)
    shared = _select.select(y, cal, "twostage")
    monkeypatch.setattr(_select, "shared_daily_parts", contextlib.nullcontext)
    alone = _select.select(y, cal, "twostage")
    assert shared.scores == alone.scores
    np.testing.assert_array_equal(shared.pred, alone.pred)
