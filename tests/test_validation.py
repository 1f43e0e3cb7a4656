"""The shared validators speak with one voice: parameter, expectation, value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import _validation as v


def test_check_positive_names_parameter_and_value():
    with pytest.raises(ValueError, match=r"^aht_s must be > 0, got -5$"):
        v.check_positive(-5, "aht_s")
    with pytest.raises(ValueError, match=r"aht_s must be a finite number > 0, got nan"):
        v.check_positive([1.0, np.nan], "aht_s")
    assert v.check_positive(pd.Series([1, 2]), "x").dtype == np.float64


def test_check_nonnegative_allows_zero_only():
    np.testing.assert_array_equal(v.check_nonnegative([0, 3], "volume"), [0.0, 3.0])
    with pytest.raises(ValueError, match=r"volume must be >= 0, got -1$"):
        v.check_nonnegative([0, -1], "volume")


def test_check_fraction_bounds():
    with pytest.raises(ValueError, match=r"service_level must be in \(0, 1\), got 1$"):
        v.check_fraction(1.0, "service_level")
    assert float(v.check_fraction(0.0, "shrinkage", low_open=False)) == 0.0


def test_check_int_choice_interval_and_columns():
    assert v.check_int(3.0, "n") == 3
    with pytest.raises(TypeError, match="n must be an integer, got True"):
        v.check_int(True, "n")
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        v.check_int(0, "n", minimum=1)
    with pytest.raises(ValueError, match="method must be one of: 'a', 'b'; got 'c'"):
        v.check_choice("c", "method", ["a", "b"])
    with pytest.raises(ValueError, match=r"interval_min must be one of .* \[min\], got 45"):
        v.check_interval_min(45)
    with pytest.raises(ValueError, match=r"history is missing column\(s\) \['volume'\]"):
        v.check_columns(pd.DataFrame({"ds": []}), ["ds", "volume"], "history")
    with pytest.raises(TypeError, match="must be numeric"):
        v.as_float_array(["a"], "volume")


@pytest.mark.parametrize(
    "value, shown",
    [
        (None, "got None"),
        ("10", "got '10'"),
        (True, "got booleans"),
        (3 + 1j, "got complex numbers"),
        (np.datetime64("2024-01-01"), "got timestamps"),
        ([1.0, [2.0, 3.0]], "ragged"),
        ([1.0, None], "got an element None"),
        # pandas 3 gives text its own dtype; pandas 2 holds it as objects, read element-wise.
        (pd.Series(["a", "b"]), "got (a Series of dtype|an element 'a')"),
    ],
)
def test_as_float_array_refuses_what_it_would_have_to_coerce(value, shown):
    with pytest.raises(TypeError, match=rf"^volume must be numeric .*{shown}"):
        v.as_float_array(value, "volume")


def test_as_float_array_keeps_real_numbers_and_missing_values():
    np.testing.assert_array_equal(v.as_float_array([1, 2.5], "x"), [1.0, 2.5])
    out = v.as_float_array(pd.Series([1.0, None], dtype="Float64"), "x")
    assert out[0] == 1.0 and np.isnan(out[1])
    assert v.as_float_array(np.array([1, 2], dtype=object), "x").dtype == np.float64
    assert v.describe([1, [2, 3]]) == "[1, [2, 3]]"  # a ragged value renders, never raises
