"""Dated events (holidays, campaigns, mailings): parsing, effect estimation, application.

An event frame has ``name`` and either ``date`` (whole local days) or
``start``/``end`` (a window of timestamps, end exclusive), plus optional
``kind`` (``"holiday"``, ``"campaign"``, ...), ``factor`` (a user-given
multiplier for events never seen in history) and ``queue`` (restrict to one
queue).  Events are matched on local wall-clock days and slots, like the
history.

Effects are learned per event ``name`` from its occurrences in history: each
occurrence is compared with a baseline (the median of the same weekday × slot
over the four previous ordinary weeks).  A whole-day occurrence whose day has
no rows at all means the centre was closed; otherwise the factor is
actual / baseline on the covered intervals (geometric mean over occurrences)
and, for whole-day events, an intraday shape (the per-slot ratio, shrunk
towards 1 by ``n / (n + 1)`` for ``n`` occurrences).  Event days are removed
from the training data, so a holiday is never learned as a zero-volume day.

Fallback for a name never seen in history, in this order:

1. a ``factor`` given in the frame is applied as is (0 means closed);
2. another ``kind`` than ``"holiday"`` that occurs in history under other
   names (a new campaign after earlier campaigns): the event type's factor,
   the geometric mean over that kind's open history occurrences, applied to
   the event's window;
3. ``kind == "holiday"``: the day behaves like the nearest weekend day
   (Sunday for Monday–Wednesday, Saturday for Thursday–Friday): closed when
   that day is closed at this centre, else that day's recent profile;
4. any other kind: no effect, with a warning.

The first open day after a closure (a missing open weekday in history, or a
closed event in the future) often carries a backlog; its factor is learned
from history the same way under the name ``"(after closure)"``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan._validation import check_columns
from staffplan.forecast._models import Days, profile

__all__ = [
    "AFTER_CLOSURE",
    "EventEffects",
    "Occurrence",
    "after_closure_days",
    "estimate_effects",
    "occurrences",
    "parse_events",
]

AFTER_CLOSURE = "(after closure)"
_BASELINE_WEEKS = 4


@dataclass(frozen=True)
class Occurrence:
    """One event on one local day: day index, slot range [s0, s1), whole-day flag."""

    name: str
    kind: str
    day: int
    s0: int
    s1: int
    whole_day: bool
    factor: float


def parse_events(events: pd.DataFrame | None, tz: Any) -> pd.DataFrame | None:
    """Validate an events frame into columns name, kind, start, end (naive local), factor, queue."""
    if events is None:
        return None
    check_columns(events, ["name"], "events")
    has_date = "date" in events.columns
    if not has_date and not {"start", "end"} <= set(events.columns):
        raise ValueError(
            "events must have a 'date' column (whole days) or 'start' and 'end' columns "
            f"(timestamps); it has {list(events.columns)}"
        )
    out = pd.DataFrame({"name": events["name"].astype(str).to_numpy()})
    out["kind"] = (
        events["kind"].fillna("event").astype(str).to_numpy() if "kind" in events else "event"
    )
    if has_date:
        day = _naive_local(events["date"], tz, "events['date']").normalize()
        start, end = day, day + pd.Timedelta(days=1)
        if "end" in events.columns and "start" not in events.columns:
            last = _naive_local(events["end"], tz, "events['end']").normalize()
            end = last + pd.Timedelta(days=1)  # 'date' .. 'end' inclusive days
    else:
        start = _naive_local(events["start"], tz, "events['start']")
        end = _naive_local(events["end"], tz, "events['end']")
    if np.any(end <= start):
        i = int(np.argmax(np.asarray(end <= start)))
        raise ValueError(f"events row {i} ends before it starts ({start[i]} to {end[i]})")
    out["start"], out["end"] = np.asarray(start), np.asarray(end)
    if "factor" in events.columns:
        fac = pd.to_numeric(events["factor"], errors="coerce").to_numpy(dtype=np.float64)
        if np.any(fac < 0):
            raise ValueError(f"events['factor'] must be >= 0, got {fac[fac < 0][0]:g}")
        out["factor"] = fac
    else:
        out["factor"] = np.nan
    out["queue"] = events["queue"].to_numpy() if "queue" in events.columns else None
    return out


def _naive_local(values: Any, tz: Any, name: str) -> pd.DatetimeIndex:
    idx = intervals.as_datetime_index(values, name)
    if idx.tz is not None:
        idx = idx.tz_convert(tz).tz_localize(None) if tz is not None else idx.tz_localize(None)
    return idx


def occurrences(
    events: pd.DataFrame | None, queue: Any, start_day: pd.Timestamp, interval_min: int
) -> list[Occurrence]:
    """Split each event of ``queue`` into per-day occurrences on the grid starting at ``start_day``."""
    if events is None:
        return []
    n_slots = intervals.slots_per_day(interval_min)
    step = pd.Timedelta(minutes=interval_min)
    out = []
    for row in events.itertuples(index=False):
        if row.queue is not None and not pd.isna(row.queue) and row.queue != queue:
            continue
        t0, t1 = pd.Timestamp(row.start), pd.Timestamp(row.end)
        day = t0.normalize()
        while day < t1:
            nxt = day + pd.Timedelta(days=1)
            a, b = max(t0, day), min(t1, nxt)
            s0 = int((a - day) // step)
            s1 = int(-((day - b) // step))  # ceil: a partial slot counts as covered
            d = int((day - start_day).days)
            whole = s0 == 0 and s1 >= n_slots
            out.append(Occurrence(row.name, row.kind, d, s0, min(s1, n_slots), whole, row.factor))
            day = nxt
    return out


def after_closure_days(y: np.ndarray, cal: Days, open_weekday: np.ndarray) -> np.ndarray:
    """Present days whose previous open weekday had no rows (a closure or outage)."""
    present = ~np.all(np.isnan(y), axis=1)
    out = np.zeros(y.shape[0], dtype=bool)
    last_open_present = None
    for d in range(y.shape[0]):
        if not open_weekday[cal.weekday[d]]:
            continue
        if present[d]:
            out[d] = last_open_present is False
            last_open_present = True
        elif last_open_present is not None:
            last_open_present = False
    return out


@dataclass
class EventEffects:
    """Learned effect per event name: closed flag, factor, intraday shape."""

    closed: dict[str, bool] = field(default_factory=dict)
    factor: dict[str, float] = field(default_factory=dict)
    shape: dict[str, np.ndarray] = field(default_factory=dict)
    kind_factor: dict[str, float] = field(default_factory=dict)

    def apply(
        self,
        forecast: np.ndarray,
        occ: list[Occurrence],
        first_day: int,
        *,
        y_train: np.ndarray,
        cal: Days,
        future: Days,
        open_mask: np.ndarray,
    ) -> np.ndarray:
        """Apply effects to future days in place; return the mask of cells closed by events."""
        closed = np.zeros(forecast.shape, dtype=bool)
        n_days = forecast.shape[0]
        for o in occ:
            j = o.day - first_day
            if j < 0 or j >= n_days:
                continue
            sl = slice(o.s0, o.s1)
            if o.name in self.factor:
                if self.closed[o.name]:
                    closed[j, sl] = True
                else:
                    shape = self.shape.get(o.name) if o.whole_day else None
                    mult = self.factor[o.name] * (shape[sl] if shape is not None else 1.0)
                    forecast[j, sl] *= mult
            elif np.isfinite(o.factor):
                if o.factor == 0:
                    closed[j, sl] = True
                else:
                    forecast[j, sl] *= o.factor
            elif o.kind.lower() in self.kind_factor:
                forecast[j, sl] *= self.kind_factor[o.kind.lower()]
            elif o.kind.lower() == "holiday":
                w = int(future.weekday[j])
                twin = w if w >= 5 else (6 if w <= 2 else 5)
                if not open_mask[twin].any():
                    closed[j, sl] = True
                else:
                    twin_days = Days(np.array([twin]), future.dom[j : j + 1])
                    repl = profile(y_train, cal, twin_days, k=_BASELINE_WEEKS)[0]
                    forecast[j, sl] = np.where(open_mask[twin, sl], np.nan_to_num(repl[sl]), 0.0)
            else:
                warnings.warn(
                    f"event {o.name!r} (kind {o.kind!r}) never occurs in history and has no "
                    "'factor': it is forecast without an effect",
                    UserWarning,
                    stacklevel=4,
                )
        # backlog on the first open day after a future closure
        if AFTER_CLOSURE in self.factor and closed.any():
            shut = closed.all(axis=1) | ~np.array([open_mask[w].any() for w in future.weekday])
            was_closed = False
            for j in range(n_days):
                if shut[j]:
                    was_closed = was_closed or closed[j].all()
                    continue
                if was_closed:
                    forecast[j] *= self.factor[AFTER_CLOSURE]
                was_closed = False
        forecast[closed] = 0.0
        return closed


def _baseline(y: np.ndarray, cal: Days, d: int) -> np.ndarray:
    return profile(y[:d], cal[:d], cal[d : d + 1], k=_BASELINE_WEEKS, agg="median")[0]


def estimate_effects(
    y_raw: np.ndarray,
    y_train: np.ndarray,
    cal: Days,
    occ: list[Occurrence],
    after: np.ndarray,
) -> EventEffects:
    """Learn each event's effect from its history occurrences (and the after-closure lift)."""
    n_days = y_raw.shape[0]
    logs: dict[str, list[float]] = {}
    shapes: dict[str, list[np.ndarray]] = {}
    closed_votes: dict[str, list[bool]] = {}
    kind_logs: dict[str, list[float]] = {}
    items = [(o.name, o.kind, o.day, o.s0, o.s1, o.whole_day) for o in occ if 0 <= o.day < n_days]
    items += [(AFTER_CLOSURE, "", int(d), 0, y_raw.shape[1], True) for d in np.flatnonzero(after)]
    for name, kind, d, s0, s1, whole in items:
        act = y_raw[d, s0:s1]
        if np.all(np.isnan(act)):
            closed_votes.setdefault(name, []).append(True)
            continue
        base = _baseline(y_train, cal, d)[s0:s1]
        ok = np.isfinite(act) & np.isfinite(base)
        if not ok.any() or base[ok].sum() <= 0:
            continue
        ratio = max(act[ok].sum() / base[ok].sum(), 1e-3)
        closed_votes.setdefault(name, []).append(False)
        logs.setdefault(name, []).append(float(np.log(ratio)))
        if kind and kind.lower() != "holiday":
            kind_logs.setdefault(kind.lower(), []).append(float(np.log(ratio)))
        if whole:
            with np.errstate(invalid="ignore", divide="ignore"):
                sh = act / (base * ratio)
            shapes.setdefault(name, []).append(np.where(np.isfinite(sh), sh, 1.0))
    eff = EventEffects()
    for name, votes in closed_votes.items():
        is_closed = sum(votes) > len(votes) / 2
        eff.closed[name] = is_closed
        eff.factor[name] = 0.0 if is_closed else float(np.exp(np.mean(logs[name])))
        if not is_closed and name in shapes:
            n = len(shapes[name])
            eff.shape[name] = 1.0 + (n / (n + 1.0)) * (np.mean(shapes[name], axis=0) - 1.0)
    eff.kind_factor = {k: float(np.exp(np.mean(v))) for k, v in kind_logs.items()}
    return eff
