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
