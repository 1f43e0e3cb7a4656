"""Shared validators: one message style for every public function.

Every structural mistake raises ``ValueError`` (or ``TypeError`` for a wrong
type) with a message of the form ``"<name> must be <expectation>, got <value>"``
so that a user always learns which parameter, what was expected and what was
given.  Elementwise numerics never call these on per-element *values* that can
legitimately be impossible (for example traffic above the agent count); those
return NaN or a status instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "as_float_array",
    "check_choice",
    "check_columns",
    "check_fraction",
    "check_int",
    "check_interval_min",
    "check_nonnegative",
    "check_positive",
    "describe",
]

ALLOWED_INTERVAL_MIN = (5, 10, 15, 20, 30, 60)


def describe(value: Any) -> str:
    """Short, readable rendering of an offending value for error messages."""
    arr = np.asarray(value) if not isinstance(value, str) else None
    if arr is not None and arr.ndim > 0:
        if arr.size > 6:
            return f"array of shape {arr.shape} (e.g. {arr.ravel()[:3].tolist()} ...)"
        return repr(arr.tolist())
    if arr is not None and arr.ndim == 0 and arr.dtype.kind == "f":
        # -5.0 reads as "-5", 0.25 as "0.25": the number the user typed.
        return np.format_float_positional(float(arr), trim="-")
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def as_float_array(value: Any, name: str) -> np.ndarray:
    """Convert scalars, lists, arrays or Series to a float64 ndarray.

    Raises ``TypeError`` naming ``name`` when the input is not numeric.
    """
    if isinstance(value, (pd.Series, pd.Index)):
        value = value.to_numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be numeric (a number, list, array or Series), got {describe(value)}"
        ) from None
    return arr


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> float:
    return float(arr[bad].ravel()[0] if np.ndim(arr) else arr)


def check_positive(
    value: Any,
    name: str,
    *,
    allow_zero: bool = False,
    allow_inf: bool = False,
    allow_nan: bool = False,
) -> np.ndarray:
    """Require every element to be > 0 (or >= 0 with ``allow_zero``).

    NaN is rejected unless ``allow_nan``: elementwise numerics let a missing
    element through, to come out as NaN, instead of failing the whole array.
    """
    arr = as_float_array(value, name)
    nan = np.isnan(arr)
    ok = arr >= 0 if allow_zero else arr > 0
    if not allow_inf:
        ok &= np.isfinite(arr)
    if allow_nan:
        ok |= nan
    bad = ~ok
    if np.any(bad):
        op = ">= 0" if allow_zero else "> 0"
        v = _first_bad(arr, bad)
        what = op if np.isfinite(v) or (allow_inf and not np.isnan(v)) else f"a finite number {op}"
        raise ValueError(f"{name} must be {what}, got {describe(v)}")
    return arr


def check_nonnegative(
    value: Any, name: str, *, allow_inf: bool = False, allow_nan: bool = False
) -> np.ndarray:
    """Require every element to be >= 0 and (by default) finite and not NaN."""
    return check_positive(value, name, allow_zero=True, allow_inf=allow_inf, allow_nan=allow_nan)


def check_fraction(
    value: Any,
    name: str,
    *,
    low: float = 0.0,
    high: float = 1.0,
    low_open: bool = True,
    high_open: bool = True,
) -> np.ndarray:
    """Require every element to lie in an interval such as (0, 1) or [0, 1)."""
    arr = as_float_array(value, name)
    lo_ok = arr > low if low_open else arr >= low
    hi_ok = arr < high if high_open else arr <= high
    bad = ~(lo_ok & hi_ok)
    if np.any(bad):
        lb = "(" if low_open else "["
        rb = ")" if high_open else "]"
        v = _first_bad(arr, bad)
        raise ValueError(f"{name} must be in {lb}{low:g}, {high:g}{rb}, got {describe(v)}")
    return arr


def check_int(
    value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """Require a whole number (bools rejected) within optional bounds."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def check_choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    """Require ``value`` to be one of ``options``."""
    opts = list(options)
    if value not in opts:
        raise ValueError(
            f"{name} must be one of: {', '.join(map(repr, opts))}; got {describe(value)}"
        )
    return value


def check_interval_min(value: Any, name: str = "interval_min") -> int:
    """Interval length in minutes: a divisor of 60 from ``ALLOWED_INTERVAL_MIN``."""
    v = check_int(value, name, minimum=1)
    if v not in ALLOWED_INTERVAL_MIN:
        raise ValueError(
            f"{name} must be one of {', '.join(map(str, ALLOWED_INTERVAL_MIN))} [min], got {v}"
        )
    return v


def check_columns(frame: Any, required: Sequence[str], name: str) -> pd.DataFrame:
    """Require a DataFrame holding every column in ``required``."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} is missing column(s) {missing}; it has {list(frame.columns)}. "
            "Rename them or pass the column names as keyword arguments."
        )
    return frame
