"""Shared validators: one message style for every public function.

Every structural mistake raises ``ValueError`` (or ``TypeError`` for a wrong
type) with a message of the form ``"<name> must be <expectation>, got <value>"``
so that a user always learns which parameter, what was expected and what was
given.  Elementwise numerics never call these on per-element *values* that can
legitimately be impossible (for example traffic above the agent count); those
return NaN or a status instead.
"""

from __future__ import annotations

import numbers
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
    arr = None
    if not isinstance(value, (str, bytes)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):  # ragged nesting: fall back to repr
            arr = None
    if arr is not None and arr.ndim > 0:
        if arr.size > 6:
            return f"array of shape {arr.shape} (e.g. {arr.ravel()[:3].tolist()} ...)"
        return repr(arr.tolist())
    if arr is not None and arr.ndim == 0 and arr.dtype.kind == "f":
        # -5.0 reads as "-5", 0.25 as "0.25": the number the user typed.
        return np.format_float_positional(float(arr), trim="-")
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_KIND_NAMES = {
    "b": "booleans",
    "c": "complex numbers",
    "M": "timestamps",
    "m": "durations",
    "U": "text",
    "S": "bytes",
    "V": "raw records",
}


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def as_float_array(value: Any, name: str) -> np.ndarray:
    """Convert real numbers (scalar, nested list, array or Series) to a float64 ndarray.

    Only real numbers are accepted: ``None``, booleans, text, complex numbers,
    timestamps and ragged lists raise ``TypeError`` naming ``name`` instead of
    being coerced (``None`` would become NaN, ``"10"`` 10, ``True`` 1, a
    datetime its nanosecond count).  A missing element is written as NaN
    (a nullable pandas ``NA`` counts as NaN).
    """
    what = f"{name} must be numeric (real numbers: a number, list, array or Series)"
    if isinstance(value, (pd.Series, pd.Index)):
        dtype = value.dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            if pd.api.types.is_object_dtype(dtype):
                value = value.to_numpy()
            else:
                raise TypeError(f"{what}, got a Series of dtype {dtype}")
        elif pd.api.types.is_complex_dtype(dtype):
            raise TypeError(f"{what}, got a Series of dtype {dtype}")
        else:
            return value.to_numpy(dtype=np.float64, na_value=np.nan)
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{what}, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(
            f"{what}, got a ragged or nested value that is not a rectangular array: "
            f"{describe(value)}"
        ) from None
    kind = arr.dtype.kind
    if kind in "iuf":
        return arr.astype(np.float64, copy=False)
    if kind == "O":
        flat = arr.ravel()
        for x in flat:
            if not _is_real(x) and x is not pd.NA:
                raise TypeError(f"{what}, got an element {describe(x)} ({type(x).__name__})")
        return np.array([np.nan if x is pd.NA else float(x) for x in flat]).reshape(arr.shape)
    shown = _KIND_NAMES.get(kind, f"dtype {arr.dtype}")
    raise TypeError(f"{what}, got {shown}: {describe(value)}")


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
    allow_nan: bool = False,
) -> np.ndarray:
    """Require every element to lie in an interval such as (0, 1) or [0, 1).

    NaN is rejected unless ``allow_nan`` (an elementwise target that is
    missing in some intervals gives NaN there, not an error for the array).
    """
    arr = as_float_array(value, name)
    lo_ok = arr > low if low_open else arr >= low
    hi_ok = arr < high if high_open else arr <= high
    bad = ~(lo_ok & hi_ok)
    if allow_nan:
        bad &= ~np.isnan(arr)
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
