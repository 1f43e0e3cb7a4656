"""Numbers, times and break pairs as a planner reads them (the report and the command line)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["cell", "number", "table"]

_PERCENT = frozenset(
    {
        "service_level",
        "sim_service_level",
        "sim_service_level_lo",
        "sim_service_level_hi",
        "service_level_at_quantile",
        "worst_service_level",
        "p_abandon",
        "sim_p_abandon",
        "p_wait",
        "occupancy",
        "shrinkage",
        "max_occupancy",
        "pooling_gain",
        "promise",
        "simulated",
        "target",
    }
)
#: Differences of two fractions, shown in percentage points.
_POINTS = frozenset({"sim_gap"})


def number(v: float) -> str:
    """Thousands separators and no exponent for the sizes a plan has."""
    if np.isposinf(v):
        return "unbounded"
    if not np.isfinite(v):
        return "n/a"
    if abs(v) >= 1000 or v == round(v):
        return f"{v:,.0f}"
    return f"{v:,.3g}" if abs(v) >= 1e-3 else f"{v:.1e}"


def cell(value: Any, name: str = "") -> str:
    """A value as a planner reads it: %, thousands separators, weekday and clock, break pairs."""
    key = str(name).strip().lower().replace(" ", "_")
    key = key.split("[", 1)[0]  # per queue or group: "service_level[fr]" reads as its measure
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if key in _PERCENT and np.isfinite(v):
            return f"{v:.1%}"
        if key in _POINTS and np.isfinite(v):
            return f"{v * 100:+.1f} pp"
        return number(v)
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date) or (
        key == "date" and isinstance(value, str)
    ):
        if pd.isna(value):
            return ""
        ts = pd.Timestamp(value)
        if key == "date" or (not isinstance(value, _dt.datetime) and isinstance(value, _dt.date)):
            return f"{ts:%a %Y-%m-%d}"
        return f"{ts:%a %Y-%m-%d %H:%M}"
    if isinstance(value, list | tuple) and all(
        isinstance(p, list | tuple) and len(p) == 2 for p in value
    ):
        return ", ".join(f"{pd.Timestamp(a):%H:%M}-{pd.Timestamp(b):%H:%M}" for a, b in value)
    if value is None or value is pd.NaT:
        return ""
    return str(value)


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every cell formatted by :func:`cell` under its column's name."""
    return pd.DataFrame(
        {c: [cell(v, str(c)) for v in frame[c]] for c in frame.columns}, index=frame.index
    )
