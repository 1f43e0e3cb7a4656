"""Containers, broadcasting, documented edge values and error messages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from staffplan import erlang


def _three_ways(func, *args):  # type: ignore[no-untyped-def]
    scalar = [func(*(a[i] for a in args)) for i in range(len(args[0]))]
    array = func(*(np.asarray(a) for a in args))
    index = pd.Index([f"i{i}" for i in range(len(args[0]))])
    series = func(*(pd.Series(a, index=index) for a in args))
    return scalar, array, series, index


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (erlang.erlang_b, ([3, 14, 20.5], [2.0, 10.0, 12.5])),
        (erlang.erlang_c, ([3, 14, 20.5], [2.0, 10.0, 12.5])),
        (erlang.service_level, ([3, 14, 20.5], [2.0, 10.0, 12.5], [180, 180, 300], [20, 20, 30])),
        (erlang.asa, ([3, 14, 20.5], [2.0, 10.0, 12.5], [180, 180, 300])),
        (erlang.occupancy, ([3, 14, 20.5], [2.0, 10.0, 12.5])),
        (erlang.traffic, ([10, 100, 250], [180, 180, 300])),
    ],
)
def test_scalar_array_series_give_the_same_numbers(func, args) -> None:  # type: ignore[no-untyped-def]
    scalar, array, series, index = _three_ways(func, *args)
    assert all(isinstance(s, np.float64) for s in scalar)
    assert isinstance(array, np.ndarray) and array.shape == (3,)
    assert isinstance(series, pd.Series) and series.index.equals(index)
    assert_allclose(scalar, array, rtol=0)
    assert_allclose(series.to_numpy(), array, rtol=0)


def test_required_agents_and_erlang_a_three_ways() -> None:
    vol, aht = [0.0, 100.0, 2500.0], [180.0, 180.0, 240.0]
    scalar, array, series, index = _three_ways(erlang.required_agents, vol, aht)
    assert_allclose(scalar, array)
    assert series.index.equals(index)
    assert_allclose(series.to_numpy(), array)
    idx = pd.RangeIndex(3)
    r_series = erlang.erlang_a(pd.Series([5, 14, 30], index=idx), 10.0, 180, 120, 20)
    r_array = erlang.erlang_a(np.array([5, 14, 30]), 10.0, 180, 120, 20)
    r_scalar = erlang.erlang_a(14, 10.0, 180, 120, 20)
    assert isinstance(r_series.service_level, pd.Series)
    assert isinstance(r_scalar.p_wait, np.float64)
    for field in ("p_wait", "p_abandon", "service_level", "asa_s", "occupancy"):
        assert_allclose(getattr(r_series, field).to_numpy(), getattr(r_array, field))
        assert getattr(r_scalar, field) == pytest.approx(getattr(r_array, field)[1], rel=1e-14)


def test_broadcasting_like_scipy_special() -> None:
    out = erlang.erlang_c(np.arange(10, 15)[:, None], [5.0, 8.0, 9.5])
    assert out.shape == (5, 3)
    assert_allclose(out[2, 1], erlang.erlang_c(12, 8.0))


def test_unstable_elements_are_defined_not_raised() -> None:
    n, a = np.array([5.0, 10.0, 10.0]), np.array([5.0, 12.0, 8.0])
    assert_allclose(erlang.erlang_c(n, a)[:2], 1.0)
    assert_allclose(erlang.service_level(n, a, 180, 20)[:2], 0.0)
    assert np.all(np.isinf(erlang.asa(n, a, 180)[:2]))
    assert erlang.occupancy(10, 12.0) == 1.0
    assert 0 < erlang.erlang_c(n, a)[2] < 1


def test_extreme_loads_are_finite() -> None:
    a = np.array([0.01, 1e3, 1e5, 1e5])
    n = np.array([1.0, 900.0, 100_000.0, 101_000.0])
    b = erlang.erlang_b(n, a)
    assert np.all(np.isfinite(b)) and np.all((b > 0) & (b <= 1))
    c = erlang.erlang_c(n[[0, 3]], a[[0, 3]])
    assert np.all(np.isfinite(c)) and np.all(c < 1)
    # Deep overload: 1/B is close to a/(a − n) and must not be lost to underflow.
    assert erlang.erlang_b(10, 1e5) == pytest.approx(1 - 10 / 1e5, rel=1e-6)
    assert erlang.required_agents(2e7, 18_000, interval_min=60) > 1e5


def test_zero_volume_and_shrinkage() -> None:
    assert erlang.required_agents(0, 300) == 0
    frac = erlang.required_agents(100, 180, integer=False)
    assert 13 < frac <= 14
    # Rounded once from the fractional level: ceil(13.04 / 0.7) = 19, where rounding on
    # the phones first would give ceil(14 / 0.7) = 20.
    assert erlang.required_agents(100, 180, shrinkage=0.3) == math.ceil(frac / 0.7) == 19
    # 0.04 contacts need one scheduled agent, not two.
    assert erlang.required_agents(0.04, 180, shrinkage=0.3) == 1
    assert erlang.required_agents(100, 180, shrinkage=0.3, integer=False) == pytest.approx(
        frac / 0.7
    )


def test_inputs_are_not_mutated() -> None:
    vol = np.array([100.0, 200.0])
    ser = pd.Series([180.0, 240.0])
    before = (vol.copy(), ser.copy())
    erlang.required_agents(vol, ser.to_numpy(), shrinkage=0.2)
    erlang.erlang_a(vol / 10, 10.0, ser, 60, 20)
    assert_allclose(vol, before[0])
    pd.testing.assert_series_equal(ser, before[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang.required_agents(100, -5), "aht_s must be > 0, got -5"),
        (
            lambda: erlang.required_agents(100, 180, service_level=1.2),
            "service_level must be in (0, 1), got 1.2",
        ),
        (lambda: erlang.required_agents(-1, 180), "volume must be >= 0"),
        (lambda: erlang.required_agents([1, 2, 3], [180, 200]), "broadcastable shapes"),
        (lambda: erlang.required_agents(100, 180, shrinkage=1.0), "shrinkage must be in [0, 1)"),
        (
            lambda: erlang.required_agents(100, 180, max_abandon=0.05),
            "max_abandon needs patience_s",
        ),
        (lambda: erlang.required_agents(100, 180, service_level=None), "at least one target"),
        (lambda: erlang.required_agents(100, 180, interval_min=7), "interval_min must be one of"),
        (lambda: erlang.erlang_c(-1, 3.0), "agents must be >= 0"),
        (lambda: erlang.service_level(5, 3.0, 0, 20), "aht_s must be > 0"),
        (lambda: erlang.erlang_a(5, 3.0, 180, -60, 20), "patience_s must be > 0"),
    ],
)
def test_structural_mistakes_name_the_parameter(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)


def test_series_with_different_indexes_are_refused() -> None:
    with pytest.raises(ValueError, match="aht_s must share the index"):
        erlang.required_agents(pd.Series([1.0, 2.0]), pd.Series([180.0, 180.0], index=[5, 6]))


def test_missing_elements_give_nan_without_failing_the_array():
    # Like scipy.special: a NaN input element is NaN out; its neighbours are untouched
    # (the neighbours' values are the classic 14 agents / 10 Erlangs / 180 s / 20 s case).
    nan = np.nan
    agents = np.array([14.0, nan, 14.0])
    traffic_erl = np.array([10.0, 10.0, nan])
    for out in (
        erlang.erlang_b(agents, traffic_erl),
        erlang.erlang_c(agents, traffic_erl),
        erlang.service_level(agents, traffic_erl, 180.0, 20.0),
        erlang.asa(agents, traffic_erl, 180.0),
        erlang.occupancy(agents, traffic_erl),
    ):
        assert np.isnan(out[1:]).all()
        assert np.isfinite(out[0])
    res_a = erlang.erlang_a(agents, traffic_erl, 180.0, 120.0, 20.0)
    for out in (res_a.p_wait, res_a.p_abandon, res_a.service_level, res_a.asa_s, res_a.occupancy):
        assert np.isnan(out[1:]).all()
        assert np.isfinite(out[0])
    np.testing.assert_allclose(
        erlang.service_level(agents, traffic_erl, 180.0, 20.0)[0],
        erlang.service_level(14.0, 10.0, 180.0, 20.0),
    )
    need = erlang.required_agents(
        pd.Series([100.0, nan, 0.0, 100.0]), pd.Series([180.0, 180.0, 180.0, nan])
    )
    assert need.iloc[0] == 14 and need.iloc[2] == 0
    assert need.iloc[[1, 3]].isna().all()
    # a negative value is a mistake, not a missing element: it still raises
    with pytest.raises(ValueError, match="volume must be >= 0, got -1"):
        erlang.required_agents([100.0, -1.0], 180.0)


def test_occupancy_of_a_subnormal_agent_count_is_capped_without_a_warning() -> None:
    import warnings

    from staffplan import erlang

    # Hand-stated: 10 Erlangs on 5e-324 agents overflow traffic / agents; the group is full.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(erlang.occupancy(5e-324, 10.0)) == 1.0


def test_erlang_a_of_a_vanishing_load_per_agent_is_the_zero_load_limit() -> None:
    import warnings

    from staffplan import erlang

    # Found by the hostile suite: 1e-223 Erlangs on 4.75e100 agents (load per agent below
    # 1e-300) gave NaN. Hand-stated limit: nobody waits, nobody abandons, all answered.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = erlang.erlang_a(4.75431766188008e100, 1.1744725130756135e-223, 180.0, 1.0, 20.0)
    assert (r.p_wait, r.p_abandon, r.service_level, r.asa_s) == (0.0, 0.0, 1.0, 0.0)
    assert 0.0 <= r.occupancy < 1e-300
