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

An occurrence on a weekday the centre did not open in the four weeks
before it (New Year's Day on a Sunday at a Monday–Friday centre) is not
evidence and is skipped.

Holiday calendars: ``events`` may also be a country code (``"DE"``,
``"DE-BY"`` for a subdivision, ``"AE"``), a calendar object of the
``holidays`` package, or a list mixing them with event frames.  Each
holiday becomes a whole-day event of kind ``"holiday"`` named as in the
calendar (``"Christmas Day"``), for the years of the history and the two
after it; those before the history are dropped.  A ``"holiday"`` row of an
events frame in the same list replaces the calendar's holiday on its date
(a factor for a holiday the centre works, say).

Around every whole-day holiday on an open weekday, the nearest open day
before it and the nearest after it (skipping weekly rest days, and not past
another holiday) are events too, named ``"<holiday> (day before)"`` and
``"<holiday> (day after)"`` of kinds ``"day before holiday"`` and ``"day
after holiday"``; their factor is learned per name and shrunk towards the
kind's pooled factor (one pseudo-occurrence), so a backlog after Christmas is
learned from Christmas and, with one year of history, tempered by the other
holidays.  A missing day next to a holiday is a gap, not a closure.

Fallback for a name never seen in history (one rule for every source), in
this order:

1. a ``factor`` given in the frame is applied as is (0 means closed);
2. its ``kind`` occurs in history under other names: the kind's pooled
   effect — closed when most of the kind's occurrences were closed, else
   the geometric mean factor of its open occurrences (a new campaign after
   earlier campaigns; an unseen holiday after the holidays seen; the day
   after an unseen holiday after the days after the others);
3. ``kind == "holiday"`` and no holiday in history: the day behaves like the
   nearest weekly rest day of this centre (a weekday closed, or below 3/4 of
   the median open weekday's volume; the earlier one on a tie; the quietest
   weekday of a centre without one): closed when that day is closed at
   this centre, else that day's recent profile.  For a Saturday–Sunday
   weekend this is Sunday for Monday–Wednesday and Saturday for
   Thursday–Friday; for a Friday–Saturday weekend Saturday for Sunday–Tuesday
   and Friday for Wednesday–Thursday.  A holiday forecast closed by rule 2
   or 3 comes with a warning that says how to open it (a factor);
4. a day before or after a holiday: no effect (the after-closure rule below
   still applies);
5. any other kind: no effect, with a warning.

The first open day after a closure (a missing open weekday in history, or a
closed event in the future) often carries a backlog; its factor is learned
from history the same way under the name ``"(after closure)"``.  A day that
has a learned "day after" effect takes that one instead.
"""

from __future__ import annotations

import copy
import datetime as _dt
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan._optional import require
from staffplan._validation import check_columns
from staffplan.forecast._models import Days, profile

__all__ = [
    "AFTER_CLOSURE",
    "CALENDAR_YEARS_AHEAD",
    "DAY_AFTER",
    "DAY_BEFORE",
    "EventEffects",
    "Occurrence",
    "adjacent_occurrences",
    "after_closure_days",
    "calendar_events",
    "estimate_effects",
    "occurrences",
    "parse_events",
]

AFTER_CLOSURE = "(after closure)"
DAY_BEFORE = "day before holiday"
DAY_AFTER = "day after holiday"
_ADJACENT = frozenset({DAY_BEFORE, DAY_AFTER})
_BASELINE_WEEKS = 4
_REST_DAY_SHARE = 0.75  # a weekday below this share of the median open weekday is a rest day
#: A calendar lists the history's years and this many after them.
CALENDAR_YEARS_AHEAD = 2
_CODES_HINT = (
    "country codes are ISO 3166-1 alpha-2 ('US', 'DE', 'AE'), with an optional subdivision "
    "after a hyphen ('DE-BY', 'US-CA'); list them with python -c \"import holidays; "
    'print(sorted(holidays.list_supported_countries()))"'
)


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


def calendar_events(calendar: Any, years: range, *, name: str = "events") -> pd.DataFrame:
    """Whole-day ``"holiday"`` events (``date``, ``name``, ``kind``) of a holiday calendar.

    Parameters
    ----------
    calendar : str or holidays.HolidayBase
        ``"COUNTRY"`` or ``"COUNTRY-SUBDIV"`` (``"DE-BY"``), or a calendar
        object of the ``holidays`` package (copied, never modified).
    years : range
        Calendar years to list.
    name : str
        Parameter name used in error messages.

    Raises
    ------
    ValueError
        An unknown country or subdivision code (the message says where to
        find valid codes).
    ImportError
        The ``holidays`` package is missing (``pip install 'staffplan[holidays]'``).
    """
    holidays = require("holidays", purpose=f"{name} as a holiday calendar")
    if isinstance(calendar, str):
        country, _, subdiv = calendar.strip().partition("-")
        supported = holidays.list_supported_countries()
        code = country.upper()
        if code not in supported:
            raise ValueError(
                f"{name} must be a holiday calendar code, got {calendar!r}: unknown country "
                f"{country!r}; {_CODES_HINT}"
            )
        sub: str | None = None
        if subdiv:
            match = [v for v in supported[code] if v.upper() == subdiv.upper()]
            if not match:
                raise ValueError(
                    f"{name} must be a holiday calendar code, got {calendar!r}: {code} has no "
                    f"subdivision {subdiv!r}; its subdivisions are {', '.join(supported[code])}"
                )
            sub = match[0]
        cal = holidays.country_holidays(code, subdiv=sub, years=list(years))
    else:
        cal = copy.deepcopy(calendar)
        for y in years:
            _ = _dt.date(y, 1, 1) in cal  # an expanding calendar fills in the year
    days = sorted(d for d in cal if d.year in years)
    return pd.DataFrame(
        {
            "date": pd.to_datetime(days),
            "name": ["; ".join(sorted(cal.get_list(d))) for d in days],
            "kind": "holiday",
        }
    )


def _is_calendar(events: Any) -> bool:
    return isinstance(events, str) or type(events).__module__.split(".")[0] == "holidays"


def parse_events(events: Any, tz: Any, *, years: range | None = None) -> pd.DataFrame | None:
    """Validate events into columns name, kind, start, end (naive local), factor, queue, calendar.

    ``events`` is a frame, a holiday calendar (code or ``holidays`` object,
    listed for ``years``) or a list of them; ``calendar`` marks rows that
    came from a calendar.
    """
    if events is None:
        return None
    if isinstance(events, (list, tuple)):
        parts = [parse_events(e, tz, years=years) for e in events]
        kept = [p for p in parts if p is not None]
        if not kept:
            return None
        out = pd.concat(kept, ignore_index=True)
        # The caller's own holiday row for a date replaces the calendar's (a factor for a
        # holiday the centre works, say).
        own = out.loc[~out["calendar"] & (out["kind"].str.lower() == "holiday"), "start"]
        own_days = set(pd.DatetimeIndex(own).normalize())
        replaced = out["calendar"] & pd.DatetimeIndex(out["start"]).normalize().isin(own_days)
        return out[~replaced].reset_index(drop=True)
    if _is_calendar(events):
        if years is None:  # pragma: no cover - the forecaster always passes its years
            raise ValueError("a holiday calendar needs the years to list")
        out = parse_events(calendar_events(events, years), tz)
        assert out is not None
        out["calendar"] = True
        return out
    if not isinstance(events, pd.DataFrame):
        raise TypeError(
            "events must be a DataFrame, a holiday calendar code such as 'DE' or 'DE-BY', a "
            f"holidays calendar object, or a list of them; got {type(events).__name__}"
        )
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
    if "start" in events.columns:
        # A row's own times win over its date (read_events gives both): a campaign from
        # 10:00 to 16:00 is that window, not the whole day.
        start = _naive_local_or_nat(events["start"], tz, "events['start']")
        end = (
            _naive_local_or_nat(events["end"], tz, "events['end']")
            if "end" in events.columns
            else pd.DatetimeIndex([pd.NaT] * len(events))
        )
        if has_date:
            day = _naive_local_or_nat(events["date"], tz, "events['date']").normalize()
            start = start.where(start.notna(), day)
        end = end.where(end.notna(), start.normalize() + pd.Timedelta(days=1))
        if start.isna().any():
            i = int(np.argmax(np.asarray(start.isna())))
            raise ValueError(f"events row {i} has neither a date nor a start")
    else:
        day = _naive_local(events["date"], tz, "events['date']").normalize()
        start, end = day, day + pd.Timedelta(days=1)
        if "end" in events.columns:
            last = _naive_local(events["end"], tz, "events['end']").normalize()
            end = last + pd.Timedelta(days=1)  # 'date' .. 'end' inclusive days
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
    out["calendar"] = False
    return out


def _naive_local(values: Any, tz: Any, name: str) -> pd.DatetimeIndex:
    idx = intervals.as_datetime_index(values, name)
    if idx.tz is not None:
        idx = idx.tz_convert(tz).tz_localize(None) if tz is not None else idx.tz_localize(None)
    return idx


def _naive_local_or_nat(values: Any, tz: Any, name: str) -> pd.DatetimeIndex:
    """:func:`_naive_local` of the filled values; missing ones stay NaT (a day-only row)."""
    values = pd.Series(values).reset_index(drop=True)
    filled = values.notna().to_numpy()
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if filled.any():
        out[filled] = _naive_local(values[filled], tz, name).as_unit("ns")
    return pd.DatetimeIndex(out)


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


def adjacent_occurrences(
    occ: list[Occurrence], start_day: pd.Timestamp, open_weekday: np.ndarray, n_slots: int
) -> list[Occurrence]:
    """The open day before and after each whole-day holiday on an open weekday.

    The search skips weekly rest days (weekdays not in ``open_weekday``) for
    up to a week and stops at another holiday, so the day after a run of
    holidays belongs to the last of them.  One occurrence per day and kind.
    """
    wd0 = int(start_day.day_of_week)
    hol = [o for o in occ if o.whole_day and o.kind.lower() == "holiday"]
    hol_days = {o.day for o in hol}

    def is_open(d: int) -> bool:
        return bool(open_weekday[(wd0 + d) % 7])

    out: list[Occurrence] = []
    taken: set[tuple[int, str]] = set()
    for o in hol:
        if not is_open(o.day):
            continue
        for step, kind, label in ((-1, DAY_BEFORE, "day before"), (1, DAY_AFTER, "day after")):
            d = o.day + step
            while d not in hol_days and not is_open(d) and abs(d - o.day) < 7:
                d += step
            if d in hol_days or not is_open(d) or (d, kind) in taken:
                continue
            taken.add((d, kind))
            out.append(Occurrence(f"{o.name} ({label})", kind, d, 0, n_slots, True, np.nan))
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
    kind_closed: dict[str, bool] = field(default_factory=dict)

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
        had_day_after = np.zeros(n_days, dtype=bool)
        for o in occ:
            j = o.day - first_day
            if j < 0 or j >= n_days:
                continue
            sl = slice(o.s0, o.s1)
            if o.kind == DAY_AFTER and (o.name in self.factor or DAY_AFTER in self.kind_factor):
                had_day_after[j] = True
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
                if self.kind_closed.get(o.kind.lower(), False):
                    closed[j, sl] = True
                    if o.kind.lower() == "holiday":
                        _warn_closed_guess(o, "most holidays in the history were closed")
                else:
                    forecast[j, sl] *= self.kind_factor[o.kind.lower()]
            elif o.kind.lower() == "holiday":
                twin = _rest_day_twin(int(future.weekday[j]), y_train, cal, open_mask)
                if not open_mask[twin].any():
                    closed[j, sl] = True
                    _warn_closed_guess(o, "its nearest weekly rest day is closed")
                else:
                    twin_days = Days(np.array([twin]), future.dom[j : j + 1])
                    repl = profile(y_train, cal, twin_days, k=_BASELINE_WEEKS)[0]
                    forecast[j, sl] = np.where(open_mask[twin, sl], np.nan_to_num(repl[sl]), 0.0)
            elif o.kind in _ADJACENT:
                continue  # nothing learned for any holiday's neighbour: no effect
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
                if was_closed and not had_day_after[j]:
                    forecast[j] *= self.factor[AFTER_CLOSURE]
                was_closed = False
        forecast[closed] = 0.0
        return closed


def _warn_closed_guess(o: Occurrence, why: str) -> None:
    warnings.warn(
        f"holiday {o.name!r} never occurs in history: it is forecast closed because {why}; "
        "if the centre opens that day, add an events row with that date, kind 'holiday' and "
        "a factor (1 = an ordinary day)",
        UserWarning,
        stacklevel=6,
    )


def _rest_day_twin(w: int, y: np.ndarray, cal: Days, open_mask: np.ndarray) -> int:
    """The weekly rest day nearest to weekday ``w`` (the earlier one on a tie)."""
    open_day = open_mask.any(axis=1)
    week = Days(np.arange(7), np.ones(7, dtype=np.int64))
    recent = profile(y, cal, week, k=_BASELINE_WEEKS)
    day_total = np.where(open_mask, np.nan_to_num(recent), 0.0).sum(axis=1)
    ref = float(np.median(day_total[open_day])) if open_day.any() else 0.0
    rest = ~open_day | (day_total < _REST_DAY_SHARE * ref)
    if not rest.any():  # no quiet day: the quietest weekday
        rest = day_total == day_total.min()
    cands = np.flatnonzero(rest)
    back, fwd = (w - cands) % 7, (cands - w) % 7
    key = np.minimum(back, fwd) * 2 + (fwd < back)
    return int(cands[np.argmin(key)])


def _opened_before(present: np.ndarray, cal: Days, d: int) -> bool:
    """Whether the weekday of day ``d`` had rows in the four weeks before it."""
    lo = max(0, d - 7 * _BASELINE_WEEKS)
    return bool(np.any(present[lo:d] & (cal.weekday[lo:d] == cal.weekday[d])))


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
    present = ~np.all(np.isnan(y_raw), axis=1)
    logs: dict[str, list[float]] = {}
    shapes: dict[str, list[np.ndarray]] = {}
    closed_votes: dict[str, list[bool]] = {}
    kind_logs: dict[str, list[float]] = {}
    kind_votes: dict[str, list[bool]] = {}
    kind_of: dict[str, str] = {}
    items = [(o.name, o.kind, o.day, o.s0, o.s1, o.whole_day) for o in occ if 0 <= o.day < n_days]
    items += [(AFTER_CLOSURE, "", int(d), 0, y_raw.shape[1], True) for d in np.flatnonzero(after)]
    for name, kind, d, s0, s1, whole in items:
        if kind and not _opened_before(present, cal, d):
            continue  # a weekly rest day (or the first weeks): no evidence either way
        kind_of[name] = kind.lower()
        act = y_raw[d, s0:s1]
        if np.all(np.isnan(act)):
            if kind in _ADJACENT:
                continue  # a missing day next to a holiday is a gap, not a closure
            closed_votes.setdefault(name, []).append(True)
            if kind:
                kind_votes.setdefault(kind.lower(), []).append(True)
            continue
        base = _baseline(y_train, cal, d)[s0:s1]
        ok = np.isfinite(act) & np.isfinite(base)
        if not ok.any() or base[ok].sum() <= 0:
            continue
        ratio = max(act[ok].sum() / base[ok].sum(), 1e-3)
        closed_votes.setdefault(name, []).append(False)
        logs.setdefault(name, []).append(float(np.log(ratio)))
        if kind:
            kind_votes.setdefault(kind.lower(), []).append(False)
            kind_logs.setdefault(kind.lower(), []).append(float(np.log(ratio)))
        if whole:
            with np.errstate(invalid="ignore", divide="ignore"):
                sh = act / (base * ratio)
            shapes.setdefault(name, []).append(np.where(np.isfinite(sh), sh, 1.0))
    eff = EventEffects()
    for k, votes in kind_votes.items():
        eff.kind_closed[k] = sum(votes) > len(votes) / 2
        eff.kind_factor[k] = 0.0 if eff.kind_closed[k] else float(np.exp(np.mean(kind_logs[k])))
    for name, votes in closed_votes.items():
        is_closed = sum(votes) > len(votes) / 2
        eff.closed[name] = is_closed
        if is_closed:
            eff.factor[name] = 0.0
            continue
        own = logs[name]
        if kind_of[name] in _ADJACENT:  # one pseudo-occurrence at the kind's pooled factor
            pooled = float(np.mean(kind_logs[kind_of[name]]))
            eff.factor[name] = float(np.exp((np.sum(own) + pooled) / (len(own) + 1)))
        else:
            eff.factor[name] = float(np.exp(np.mean(own)))
        if name in shapes:
            n = len(shapes[name])
            eff.shape[name] = 1.0 + (n / (n + 1.0)) * (np.mean(shapes[name], axis=0) - 1.0)
    return eff
