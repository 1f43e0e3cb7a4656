"""Typed, validated roster instance: rules as frozen dataclasses, requirements on a grid.

Everything a model needs is checked here, once, when the instance is built, so that a
mistake in the rules (a lunch window that fits no allowed shift, a break longer than its
shift, a length that is not a whole number of intervals) is reported with the rule's name
before any solver runs.

Times of day are minutes after midnight (``int``) or ``"HH:MM"`` strings; offsets inside a
shift (lunch and break windows) are minutes after the shift starts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan._io import break_pairs
from staffplan._validation import (
    as_float_array,
    check_columns,
    check_fraction,
    check_int,
    check_interval_min,
    check_nonnegative,
)
from staffplan.defaults import ROUND_TOL

__all__ = [
    "DEFAULT_START",
    "ROUND_TOL",
    "BreakRule",
    "Limits",
    "LunchRule",
    "Person",
    "RosterInstance",
    "ShiftRules",
    "SpanOfControl",
    "Weights",
    "make_instance",
]

#: Start of the grid when requirements come as a bare array (a Monday).
DEFAULT_START = pd.Timestamp("2024-01-01 00:00")
_DAY_MIN = 1440
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _minutes(value: Any, name: str) -> int:
    """A time of day or a duration as whole minutes; accepts ``int`` or ``"HH:MM"``."""
    if isinstance(value, str):
        try:
            hh, mm = value.strip().split(":")
            return int(hh) * 60 + int(mm)
        except ValueError:
            raise ValueError(f"{name} must be minutes or 'HH:MM', got {value!r}") from None
    return check_int(value, name, minimum=0)


#: Largest requirement a roster is built for [agents per interval]: above the 30,000-agent
#: peak the roster is measured on (benchmarks/bench_roster.py), far below values that only a
#: unit mistake gives and that would keep the greedy placing agents one by one for hours.
MAX_REQUIRED = 50_000


def _weekday(value: Any, name: str) -> int:
    if isinstance(value, str) and value.strip().lower()[:3] in _WEEKDAYS:
        return _WEEKDAYS.index(value.strip().lower()[:3])
    return check_int(value, name, minimum=0, maximum=6)


@dataclass(frozen=True)
class ShiftRules:
    """One shift type: when it may start, how long it lasts and on which days it runs.

    Parameters
    ----------
    name : str
        Label used in messages and in the roster (``"early"``, ``"late"``).
    earliest_start, latest_start : int or str
        Start window as time of day, inclusive [min after midnight or ``"HH:MM"``].
    start_step_min : int
        Spacing of allowed starts inside the window [min]; a multiple of the interval.
    lengths_min : sequence of int
        Allowed shift lengths including any lunch [min]; multiples of the interval.
    days : sequence of int or str, optional
        Weekdays the type may run (0 = Monday or ``"mon"``); default every day.
    crosses_midnight : bool
        Whether a shift of this type may end after midnight of its start day.
    split_after_min, split_gap_min : int or None
        A *split shift*: work ``split_after_min`` from the start, leave for an unpaid gap of
        ``split_gap_min``, then work the rest of the length (``lengths_min`` run from the
        first start to the final end, gap included) [min].  For a centre closed at midday
        (08:00-12:00 and 14:00-19:00): start 08:00, length 660, split after 240, gap 120.
        A split shift has no lunch (the gap is the meal break) and shows its gap in the
        roster's lunch columns; breaks follow ``BreakRule`` outside the gap.  Both or neither.
    """

    name: str = "shift"
    earliest_start: int | str = "07:00"
    latest_start: int | str = "15:00"
    start_step_min: int = 30
    lengths_min: tuple[int, ...] = (480,)
    days: tuple[int, ...] | None = None
    crosses_midnight: bool = False
    split_after_min: int | None = None
    split_gap_min: int | None = None

    def __post_init__(self) -> None:
        n = f"ShiftRules {self.name!r}"
        lo = _minutes(self.earliest_start, f"{n}: earliest_start")
        hi = _minutes(self.latest_start, f"{n}: latest_start")
        if not 0 <= lo <= hi < _DAY_MIN:
            raise ValueError(
                f"{n}: start window must satisfy 00:00 <= earliest_start <= latest_start < 24:00, "
                f"got {self.earliest_start!r}..{self.latest_start!r}"
            )
        object.__setattr__(self, "earliest_start", lo)
        object.__setattr__(self, "latest_start", hi)
        check_int(self.start_step_min, f"{n}: start_step_min", minimum=1)
        for attr in ("lengths_min", "days"):
            value = getattr(self, attr)
            absent_ok = attr == "days" and value is None  # None: every day
            if not absent_ok and not isinstance(value, (tuple, list, range, np.ndarray)):
                raise TypeError(f"{n}: {attr} must be a sequence such as (480,), got {value!r}")
        lengths = tuple(
            sorted({check_int(v, f"{n}: lengths_min", minimum=1) for v in self.lengths_min})
        )
        if not lengths:
            raise ValueError(f"{n}: lengths_min must hold at least one length, got ()")
        object.__setattr__(self, "lengths_min", lengths)
        if self.days is not None:
            days = tuple(sorted({_weekday(d, f"{n}: days") for d in self.days}))
            object.__setattr__(self, "days", days)
        if (self.split_after_min is None) != (self.split_gap_min is None):
            raise ValueError(
                f"{n}: split_after_min and split_gap_min go together, got "
                f"split_after_min={self.split_after_min!r}, split_gap_min={self.split_gap_min!r}"
            )
        if self.split_after_min is not None and self.split_gap_min is not None:
            after = check_int(self.split_after_min, f"{n}: split_after_min", minimum=1)
            gap = check_int(self.split_gap_min, f"{n}: split_gap_min", minimum=1)
            short = [v for v in lengths if v <= after + gap]
            if short:
                raise ValueError(
                    f"{n}: lengths_min must exceed split_after_min + split_gap_min = "
                    f"{after + gap} (work on both sides of the gap), got {short[0]}"
                )
        if not self.crosses_midnight:
            late = [v for v in lengths if hi + v > _DAY_MIN and lo + v > _DAY_MIN]
            if late:
                raise ValueError(
                    f"{n}: every start + length {late[0]} min ends after midnight but "
                    "crosses_midnight is False; a night shift says so: crosses_midnight=True "
                    '(in a rules file "crosses_midnight": true)'
                )

    @property
    def start_mins(self) -> tuple[int, ...]:
        """Allowed start times of day [min after midnight]."""
        return tuple(
            range(int(self.earliest_start), int(self.latest_start) + 1, self.start_step_min)
        )

    @property
    def is_split(self) -> bool:
        """Whether shifts of this type are split by an unpaid gap."""
        return self.split_gap_min is not None

    def runs_on(self, weekday: int) -> bool:
        """Whether this type may start on ``weekday`` (0 = Monday)."""
        return self.days is None or weekday in self.days

    def allows(self, start_min: int, length_min: int) -> bool:
        """Whether a shift starting at ``start_min`` [min] lasting ``length_min`` is of this type."""
        return (
            start_min in self.start_mins
            and length_min in self.lengths_min
            and (self.crosses_midnight or start_min + length_min <= _DAY_MIN)
        )


@dataclass(frozen=True)
class LunchRule:
    """The meal break inside a shift.

    Parameters
    ----------
    length_min : int
        Lunch length [min].
    paid : bool
        Paid lunches count towards paid hours; unpaid ones do not.
    earliest_start_min, latest_start_min : int
        Window for the lunch *start*, measured from the shift start [min].
    min_work_before_min, min_work_after_min : int
        Work required before the lunch and after it ends [min].
    min_shift_min : int
        Only shifts at least this long get a lunch [min]; shorter shifts have none.
    """

    length_min: int = 30
    paid: bool = False
    earliest_start_min: int = 180
    latest_start_min: int = 300
    min_work_before_min: int = 120
    min_work_after_min: int = 60
    min_shift_min: int = 360

    def __post_init__(self) -> None:
        for name in (
            "length_min",
            "earliest_start_min",
            "latest_start_min",
            "min_work_before_min",
            "min_work_after_min",
            "min_shift_min",
        ):
            check_int(
                getattr(self, name), f"LunchRule: {name}", minimum=1 if name == "length_min" else 0
            )
        if self.latest_start_min < self.earliest_start_min:
            raise ValueError(
                "LunchRule: latest_start_min must be >= earliest_start_min, got "
                f"{self.latest_start_min} < {self.earliest_start_min}"
            )

    def offsets(self, shift_min: int, step_min: int) -> list[int]:
        """Allowed lunch start offsets [min] for a shift of ``shift_min``; [] when none fits."""
        lo = max(self.earliest_start_min, self.min_work_before_min)
        hi = min(self.latest_start_min, shift_min - self.min_work_after_min - self.length_min)
        first = -(-lo // step_min) * step_min
        return list(range(first, hi + 1, step_min))


@dataclass(frozen=True)
class BreakRule:
    """A short break (e.g. 15 min) with its own window measured from the shift start.

    Parameters
    ----------
    length_min : int
        Break length [min].  It need not be a whole number of intervals: a break starts on
        the interval grid and takes off the floor, in each interval it touches, the share of
        the interval it lasts (a 15-min break on a 30-min grid is half an agent off the floor
        in its interval, on a 60-min grid a quarter).
    earliest_start_min, latest_start_min : int
        Window for the break start, from the shift start [min].
    min_shift_min : int
        Only shifts at least this long get this break [min].
    name : str
        Label used in messages.
    """

    length_min: int = 15
    earliest_start_min: int = 60
    latest_start_min: int = 150
    min_shift_min: int = 240
    name: str = "break"

    def __post_init__(self) -> None:
        n = f"BreakRule {self.name!r}"
        check_int(self.length_min, f"{n}: length_min", minimum=1)
        check_int(self.earliest_start_min, f"{n}: earliest_start_min", minimum=0)
        check_int(self.latest_start_min, f"{n}: latest_start_min", minimum=0)
        check_int(self.min_shift_min, f"{n}: min_shift_min", minimum=0)
        if self.latest_start_min < self.earliest_start_min:
            raise ValueError(
                f"{n}: latest_start_min must be >= earliest_start_min, got "
                f"{self.latest_start_min} < {self.earliest_start_min}"
            )

    def offsets(self, shift_min: int, step_min: int) -> list[int]:
        """Allowed break start offsets [min] for a shift of ``shift_min``."""
        hi = min(self.latest_start_min, shift_min - self.length_min)
        first = -(-self.earliest_start_min // step_min) * step_min
        return list(range(first, hi + 1, step_min))


@dataclass(frozen=True)
class SpanOfControl:
    """Team leads and a manager above them.

    Parameters
    ----------
    max_agents_per_lead : int
        Teams hold at most this many agents, each team has one lead working that day, and in
        every interval agents on the floor <= this × leads on the floor (a lead at lunch or on
        a break is not on the floor, so leads stagger their lunches with their teams).
    manager_above_agents : int or None
        In every interval with more agents than this on the floor, a customer-service manager
        is on the floor: at work and not at lunch or on a break (a manager on a break that
        lasts part of the interval is off the floor for all of it).  An interval with this
        many agents or fewer (a quiet night) needs no manager; its leads still follow
        ``max_agents_per_lead``.  ``None`` never requires a manager.
    manager_hours : (int or str, int or str) or None
        Optional daily window [time of day] through which, on a day when more than
        ``manager_above_agents`` agents work, a manager must also be at work (on top of the
        rule per interval); ``None`` adds no such window.
    lead_covers_team : bool
        A lead's shift starts no later and ends no earlier than every agent of their team.
    team_lunch_share : float or None
        Wish that at least this share of each team takes lunch in the same slot; pursued in
        the objective (``Weights.team_lunch``) and when teams are formed, reported, not forced.
    """

    max_agents_per_lead: int = 10
    manager_above_agents: int | None = 20
    manager_hours: tuple[int | str, int | str] | None = None
    lead_covers_team: bool = False
    team_lunch_share: float | None = None

    def __post_init__(self) -> None:
        check_int(self.max_agents_per_lead, "SpanOfControl: max_agents_per_lead", minimum=1)
        if self.manager_above_agents is not None:
            check_int(self.manager_above_agents, "SpanOfControl: manager_above_agents", minimum=0)
        if self.manager_hours is not None:
            lo = _minutes(self.manager_hours[0], "SpanOfControl: manager_hours[0]")
            hi = _minutes(self.manager_hours[1], "SpanOfControl: manager_hours[1]")
            if not 0 <= lo < hi <= _DAY_MIN:
                raise ValueError(
                    "SpanOfControl: manager_hours must satisfy 00:00 <= start < end <= 24:00, "
                    f"got {self.manager_hours!r}"
                )
            object.__setattr__(self, "manager_hours", (lo, hi))
        if self.team_lunch_share is not None:
            check_fraction(
                self.team_lunch_share, "SpanOfControl: team_lunch_share", high_open=False
            )


@dataclass(frozen=True)
class Weights:
    """Objective weights (all non-negative integers).

    The objective minimised is::

        sum_t shortage * peak_weight[t] * shortage_t + surplus * surplus_t
        + paid_interval * (paid agent-, lead- and manager-intervals)
        + pattern * (distinct (start time, length) agent shifts used)
        + team_lunch * (distinct (day, lunch slot) pairs used by agents)

    with ``peak_weight[t] = 1 + peak_boost * r[t] / max(r on that day)`` where ``r`` is the
    rounded requirement, so with the default ``peak_boost = 1`` a missing agent at the day's
    peak costs twice one at a quiet hour.  ``interval_weights`` passed to
    :func:`make_instance` replace ``peak_weight``.  When breaks are not whole intervals (a
    15-min break on a 30-min grid) shortage and surplus are counted in ``1 / floor_scale``
    agent-intervals (see :attr:`RosterInstance.floor_scale`) and every other weight is
    multiplied by ``floor_scale``: the objective is ``floor_scale`` times the formula, the
    same optimum.

    Parameters
    ----------
    shortage : int
        Per missing agent-interval (times the peak weight).
    surplus : int
        Per extra agent-interval on the floor.
    paid_interval : int
        Per paid interval of any person.
    pattern : int
        Per distinct agent shift (start time of day, length) used anywhere in the horizon.
        Off by default: counting patterns links every day of the horizon into one model,
        which is slower than solving days that share no shift one by one.
    team_lunch : int
        Per (day, lunch slot) pair used; only when ``SpanOfControl.team_lunch_share`` is set.
    peak_boost : float
        Extra shortage weight at the day's peak (see formula).
    lexicographic : bool
        Minimise weighted shortage first, then everything else with shortage held at its best.
    hard_coverage : bool
        Forbid any shortage (infeasible instances then name the intervals).
    """

    shortage: int = 1000
    surplus: int = 10
    paid_interval: int = 1
    pattern: int = 0
    team_lunch: int = 5
    peak_boost: float = 1.0
    lexicographic: bool = False
    hard_coverage: bool = False

    def __post_init__(self) -> None:
        for name in ("shortage", "surplus", "paid_interval", "pattern", "team_lunch"):
            check_int(getattr(self, name), f"Weights: {name}", minimum=0)
        check_nonnegative(self.peak_boost, "Weights: peak_boost")


@dataclass(frozen=True)
class Limits:
    """Headcount caps.

    Parameters
    ----------
    max_off_floor : int or None
        At most this many people (any role) off the floor for lunch or a break at once.
    max_agents_per_day : int or None
        At most this many agents work on any day.
    """

    max_off_floor: int | None = None
    max_agents_per_day: int | None = None

    def __post_init__(self) -> None:
        if self.max_off_floor is not None:
            check_int(self.max_off_floor, "Limits: max_off_floor", minimum=0)
        if self.max_agents_per_day is not None:
            check_int(self.max_agents_per_day, "Limits: max_agents_per_day", minimum=0)


def _contract_fields(p: Any, n: str) -> None:
    """Validate and normalise the contract fields of a :class:`Person` (in place)."""
    check_int(p.hours_weeks, f"{n}: hours_weeks", minimum=1, maximum=6)
    check_int(p.min_days_off_week, f"{n}: min_days_off_week", minimum=0, maximum=7)
    for attr in ("shift_types", "lengths_min"):
        val = getattr(p, attr)
        if val is None:
            continue
        if isinstance(val, (str, int)):
            raise TypeError(f"{n}: {attr} must be a sequence such as ('early',), got {val!r}")
        items = (
            tuple(str(v) for v in val)
            if attr == "shift_types"
            else tuple(check_int(v, f"{n}: {attr}", minimum=1) for v in val)
        )
        object.__setattr__(p, attr, items)
    for attr in ("leave", "days_off_wished"):
        val = getattr(p, attr)
        if isinstance(val, (str, pd.Timestamp)):
            val = (val,)
        try:
            days = tuple(sorted({pd.Timestamp(v).normalize() for v in val}))
        except (TypeError, ValueError):
            raise ValueError(f"{n}: {attr} must hold dates, got {val!r}") from None
        object.__setattr__(p, attr, days)


@dataclass(frozen=True)
class Person:
    """A named employee with contract rules.

    Parameters
    ----------
    name : str
        Unique name.
    role : {"agent", "lead", "manager"}
    min_hours_week, max_hours_week : float
        Paid hours per 7-day block of the horizon [h].
    max_days_week : int
        Working days per 7-day block.
    min_rest_h : float
        Rest between the end of one shift and the start of the next [h].
    max_consecutive_days : int
        Longest run of working days.
    availability : sequence of (start, end) timestamps, optional
        When given, every shift must lie inside one of these windows.
    locked : sequence of (start, end) timestamps
        Shifts this person must work exactly (they are forced into the design).
    preferred_start : int or str, optional
        Preferred start time of day; shifts starting near it are favoured.
    skills : sequence of str, optional
        Queues this person serves (an agent); with skill groups in the instance, they may
        work the shifts of every group whose skills they all have.  ``None``: every skill.
    team : str, optional
        Team kept for the whole horizon (agents and their one lead share it); ``None`` lets
        :func:`staffplan.roster.solve_people` place the agent in a team.
    hours_weeks : int
        Weeks (1-6) over which ``min_hours_week``/``max_hours_week`` hold on average: the
        hours of each block of this many weeks from the horizon start lie between
        ``min_hours_week * weeks`` (less the share of the block on ``leave``) and
        ``max_hours_week * weeks``.
    min_days_off_week : int
        Days without a shift start in every 7-day block.
    days_off_together : bool
        At least two of those days off are consecutive, inside the block.
    shift_types : sequence of str, optional
        Names of the ``ShiftRules`` this person may work (default: all).
    lengths_min : sequence of int, optional
        Shift lengths this person may work [min] (default: all).
    nights : bool
        Whether this person may work night shifts (shifts with work between 00:00 and 06:00).
    unavailable : sequence of (start, end) timestamps
        Hours this person cannot work (no shift may overlap them).
    leave : sequence of dates
        Approved leave: no shift starts on these dates.
    days_off_wished : sequence of dates
        Days off this person asked for; granted where coverage allows (soft).
    """

    name: str
    role: str = "agent"
    min_hours_week: float = 0.0
    max_hours_week: float = 40.0
    max_days_week: int = 5
    min_rest_h: float = 11.0
    max_consecutive_days: int = 6
    availability: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] | None = None
    locked: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = ()
    preferred_start: int | str | None = None
    skills: tuple[str, ...] | None = None
    team: str | None = None
    hours_weeks: int = 1
    min_days_off_week: int = 0
    days_off_together: bool = False
    shift_types: tuple[str, ...] | None = None
    lengths_min: tuple[int, ...] | None = None
    nights: bool = True
    unavailable: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] = ()
    leave: tuple[pd.Timestamp, ...] = ()
    days_off_wished: tuple[pd.Timestamp, ...] = ()

    def __post_init__(self) -> None:
        n = f"Person {self.name!r}"
        _contract_fields(self, n)
        if self.skills is not None:
            sk = (self.skills,) if isinstance(self.skills, str) else tuple(self.skills)
            if not all(isinstance(v, str) and v for v in sk):
                raise ValueError(f"{n}: skills must be queue names (strings), got {sk!r}")
            object.__setattr__(self, "skills", sk)
        if self.role not in ("agent", "lead", "manager"):
            raise ValueError(
                f"{n}: role must be one of: 'agent', 'lead', 'manager'; got {self.role!r}"
            )
        check_nonnegative(self.min_hours_week, f"{n}: min_hours_week")
        check_nonnegative(self.max_hours_week, f"{n}: max_hours_week")
        if self.min_hours_week > self.max_hours_week:
            raise ValueError(
                f"{n}: min_hours_week must be <= max_hours_week, got "
                f"{self.min_hours_week} > {self.max_hours_week}"
            )
        check_int(self.max_days_week, f"{n}: max_days_week", minimum=0, maximum=7)
        check_nonnegative(self.min_rest_h, f"{n}: min_rest_h")
        check_int(self.max_consecutive_days, f"{n}: max_consecutive_days", minimum=1)
        for attr in ("availability", "locked", "unavailable"):
            val = getattr(self, attr)
            if val is None:
                continue
            pairs = tuple((pd.Timestamp(a), pd.Timestamp(b)) for a, b in val)
            bad = [p for p in pairs if p[1] <= p[0]]
            if bad:
                raise ValueError(f"{n}: {attr} windows must end after they start, got {bad[0]}")
            object.__setattr__(self, attr, pairs)
        if self.preferred_start is not None:
            object.__setattr__(
                self, "preferred_start", _minutes(self.preferred_start, f"{n}: preferred_start")
            )


@dataclass(frozen=True)
class RosterInstance:
    """A validated roster problem; build it with :func:`make_instance`.

    Attributes
    ----------
    required : ndarray of int
        Agents needed on the floor per interval (rounded up from the input).
    required_raw : ndarray of float
        The requirement as given.
    interval_min : int
        Interval length [min].
    start : Timestamp
        Start of the first interval.
    interval_weights : ndarray of float
        Shortage weight per interval (peak weights unless given).
    cyclic : bool
        Whether the horizon wraps (a shift running past the end continues at the start).
    skill_groups : tuple of str
        Agent skill groups whose coverage is counted apart (empty: one pool of agents).
    group_skills : tuple of tuple of str
        Skills of each group; a group holding every skill of another may cover its need.
    group_required : ndarray of int or None
        Agents needed on the floor per group (rows) and interval (columns), rounded up.
    carried_in : DataFrame or None
        Shifts of the previous roster that run into the horizon (columns ``role``,
        ``start``, ``end``, ``lunch_start``, ``lunch_end``, ``breaks``): they count on the
        floor (coverage, leads, manager) but are not the solver's to change.
    previous_shifts : DataFrame or None
        Shifts of named people in the week before the horizon (columns ``person``, ``start``,
        ``end``), from a ``previous_roster`` with a ``person`` column: each person's rest and
        run of working days continue from them into the horizon.
    tz : str, tzinfo or None
        Time zone of the wall-clock grid (``None``: no clock changes).  The grid and every
        roster time stay wall-clock; the zone only measures elapsed time, so that a shift
        over the night the clocks go back is paid one hour more
        (:func:`staffplan.intervals.elapsed_hours`).
    """

    required: np.ndarray
    required_raw: np.ndarray
    interval_min: int
    start: pd.Timestamp
    shifts: tuple[ShiftRules, ...]
    lunch: LunchRule | None
    breaks: tuple[BreakRule, ...]
    span: SpanOfControl | None
    weights: Weights
    limits: Limits
    people: tuple[Person, ...] | None
    interval_weights: np.ndarray
    cyclic: bool = False
    skill_groups: tuple[str, ...] = ()
    group_skills: tuple[tuple[str, ...], ...] = ()
    group_required: np.ndarray | None = field(default=None, compare=False, repr=False)
    carried_in: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    previous_shifts: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    tz: Any = None
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def n_intervals(self) -> int:
        """Number of intervals in the horizon."""
        return int(self.required.size)

    @property
    def floor_scale(self) -> int:
        """Units per agent in which the model counts people on the floor.

        1 when every break is a whole number of intervals; otherwise the smallest count that
        makes each break's share of an interval whole (2 for a 15-min break on a 30-min grid,
        4 on a 60-min grid), breaks of shifts carried in from a previous roster included.
        """
        g = self.interval_min
        for b in self.breaks:
            g = math.gcd(g, b.length_min)
        if self.carried_in is not None:
            # A carried-in break off the grid (10:00-10:15 on a 30-min grid) is a share of
            # an interval too; counted in whole units it would vanish from the floor.
            ends = [t for pairs in self.carried_in["breaks"] for pair in pairs for t in pair]
            for t in ends:
                g = math.gcd(g, int((t - self.start) / pd.Timedelta(minutes=1)) % g)
        return self.interval_min // g

    @property
    def slots_per_day(self) -> int:
        """Intervals per 24 h."""
        return _DAY_MIN // self.interval_min

    @property
    def n_days(self) -> int:
        """Calendar days touched by the horizon, counting from the start's midnight."""
        first = self.first_slot_offset
        return -(-(first + self.n_intervals) // self.slots_per_day)

    @property
    def first_slot_offset(self) -> int:
        """Intervals between midnight of the start day and the first interval."""
        return int((self.start - self.start.normalize()) / pd.Timedelta(minutes=self.interval_min))

    @property
    def timestamps(self) -> pd.DatetimeIndex:
        """Start of each interval."""
        return pd.date_range(self.start, periods=self.n_intervals, freq=f"{self.interval_min}min")

    @property
    def skipped(self) -> np.ndarray:
        """Per interval: does the clock skip it (spring forward in ``tz``)?  A bool array.

        The wall-clock grid keeps those slots with nobody needed; no time passes there.
        """
        if "skipped" not in self._cache:
            self._cache["skipped"] = intervals.clock_changed(
                self.timestamps, self.tz, skipped_only=True
            )
        return self._cache["skipped"]

    def day_start(self, day: int) -> pd.Timestamp:
        """Midnight of calendar day ``day`` of the horizon."""
        return self.start.normalize() + pd.Timedelta(days=day)

    def slot_of(self, ts: pd.Timestamp) -> int:
        """Interval index of timestamp ``ts`` (may be outside ``[0, n_intervals)``)."""
        return int((pd.Timestamp(ts) - self.start) / pd.Timedelta(minutes=self.interval_min))


def _requirements(
    requirements: Any, interval_min: int, start: Any, ds_col: str, required_col: str
) -> tuple[np.ndarray, pd.Timestamp]:
    if isinstance(requirements, pd.DataFrame):
        frame = check_columns(requirements, [ds_col, required_col], "requirements")
        ds = pd.Series(intervals.as_datetime_index(frame[ds_col], f"requirements[{ds_col!r}]"))
        if ds.dt.tz is not None:
            ds = ds.dt.tz_localize(None)
        order = np.argsort(ds.to_numpy(), kind="stable")
        ds = ds.iloc[order].reset_index(drop=True)
        values = as_float_array(frame[required_col].to_numpy()[order], "requirements")
        if len(ds) > 1:
            step = ds.diff().iloc[1:]
            bad = step != pd.Timedelta(minutes=interval_min)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0]) + 1
                raise ValueError(
                    f"requirements[{ds_col!r}] must be consecutive {interval_min}-min intervals, "
                    f"got a step of {step.iloc[i - 1]} before {ds.iloc[i]}"
                )
        first = ds.iloc[0] if len(ds) else DEFAULT_START
        if start is not None and pd.Timestamp(start) != first:
            raise ValueError(f"start must match the first {ds_col!r} ({first}), got {start}")
        start_ts = pd.Timestamp(first)
    else:
        if isinstance(requirements, pd.Series) and isinstance(requirements.index, pd.DatetimeIndex):
            start = requirements.index[0] if start is None else start
        values = as_float_array(requirements, "requirements")
        start_ts = DEFAULT_START if start is None else pd.Timestamp(start)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"requirements must be a non-empty 1-D sequence, got shape {values.shape}")
    check_nonnegative(values, "requirements")
    if values.max() > MAX_REQUIRED:
        # Beyond any centre, and each agent is placed one by one: refuse, don't stall.
        raise ValueError(
            f"requirements must be at most {MAX_REQUIRED:,} agents per interval, got "
            f"{values.max():g}; check the units of the requirement column"
        )
    if (start_ts - start_ts.normalize()) % pd.Timedelta(minutes=interval_min):
        raise ValueError(f"start must lie on the {interval_min}-min grid, got {start_ts}")
    return values, start_ts


def peak_weights(required: np.ndarray, slots_per_day: int, offset: int, boost: float) -> np.ndarray:
    """``1 + boost * r[t] / max(r on t's day)``; days with no requirement weigh 1."""
    day = (np.arange(required.size) + offset) // slots_per_day
    day_max = np.zeros(day.max() + 1)
    np.maximum.at(day_max, day, required)
    denom = day_max[day]
    ratio = np.divide(required, denom, out=np.zeros(required.size), where=denom > 0)
    return 1.0 + boost * ratio


def _check_multiple(value: int, interval_min: int, what: str) -> None:
    if value % interval_min:
        raise ValueError(
            f"{what} must be a multiple of interval_min={interval_min} [min], got {value}"
        )


def _validate_rules(inst: RosterInstance) -> None:
    iv = inst.interval_min
    if not inst.shifts:
        raise ValueError("shifts must hold at least one ShiftRules, got ()")
    names = [s.name for s in inst.shifts]
    if len(set(names)) != len(names):
        raise ValueError(f"shift type names must be unique, got {names}")
    horizon_min = inst.n_intervals * iv
    if horizon_min > 28 * _DAY_MIN:
        raise ValueError(
            f"the horizon must be at most 4 weeks, got {horizon_min / _DAY_MIN:g} days"
        )
    for s in inst.shifts:
        n = f"ShiftRules {s.name!r}"
        _check_multiple(int(s.earliest_start), iv, f"{n}: earliest_start")
        _check_multiple(s.start_step_min, iv, f"{n}: start_step_min")
        if s.split_after_min is not None and s.split_gap_min is not None:
            _check_multiple(s.split_after_min, iv, f"{n}: split_after_min")
            _check_multiple(s.split_gap_min, iv, f"{n}: split_gap_min")
        for length in s.lengths_min:
            _check_multiple(length, iv, f"{n}: lengths_min")
            if length > _DAY_MIN:
                raise ValueError(f"{n}: lengths_min must be <= 1440, got {length}")
            if not s.is_split and inst.lunch is not None and length >= inst.lunch.min_shift_min:
                if not inst.lunch.offsets(length, iv):
                    lu = inst.lunch
                    raise ValueError(
                        f"LunchRule: a {lu.length_min}-min lunch starting {lu.earliest_start_min}-"
                        f"{lu.latest_start_min} min after the start with {lu.min_work_before_min} "
                        f"min work before and {lu.min_work_after_min} after cannot fit in the "
                        f"{length}-min shifts of {n} (shifts >= {lu.min_shift_min} min need a lunch)"
                    )
            for b in inst.breaks:
                if length >= b.min_shift_min and not b.offsets(length, iv):
                    raise ValueError(
                        f"BreakRule {b.name!r}: a {b.length_min}-min break starting "
                        f"{b.earliest_start_min}-{b.latest_start_min} min after the start cannot "
                        f"fit in the {length}-min shifts of {n}"
                    )
    if inst.lunch is not None:
        _check_multiple(inst.lunch.length_min, iv, "LunchRule: length_min")
    if inst.span is not None and inst.span.manager_hours is not None:
        for v in inst.span.manager_hours:
            _check_multiple(int(v), iv, "SpanOfControl: manager_hours")
    if inst.people is not None:
        seen: set[str] = set()
        for p in inst.people:
            if p.name in seen:
                raise ValueError(f"people names must be unique, got {p.name!r} twice")
            seen.add(p.name)


_CARRY_COLS = ("role", "start", "end", "lunch_start", "lunch_end", "breaks")


def _carried_in(previous: Any, start: pd.Timestamp) -> pd.DataFrame | None:
    """Rows of ``previous`` still at work at ``start``, with naive timestamps."""
    if previous is None:
        return None
    if isinstance(previous, pd.DataFrame):
        frame = previous
    elif hasattr(previous, "roster") and isinstance(previous.roster, pd.DataFrame):
        frame = previous.roster  # a RosterResult or a Plan
    else:
        raise TypeError(
            "previous_roster must be a roster frame (or a RosterResult), got "
            f"{type(previous).__name__}"
        )
    check_columns(frame, ["role", "start", "end"], "previous_roster")
    roles = set(frame["role"])
    if not roles <= {"agent", "lead", "manager"}:
        bad = sorted(map(str, roles - {"agent", "lead", "manager"}))
        raise ValueError(
            f"previous_roster['role'] must be 'agent', 'lead' or 'manager', got {bad[0]!r}"
        )
    nat = pd.Series(pd.NaT, index=range(len(frame)), dtype="datetime64[ns]")
    out = pd.DataFrame(
        {
            "role": frame["role"].to_numpy(),
            "start": pd.Series(intervals.wall_time(frame["start"])),
            "end": pd.Series(intervals.wall_time(frame["end"])),
            "lunch_start": pd.Series(intervals.wall_time(frame["lunch_start"]))
            if "lunch_start" in frame
            else nat,
            "lunch_end": pd.Series(intervals.wall_time(frame["lunch_end"]))
            if "lunch_end" in frame
            else nat,
            "breaks": [
                break_pairs(v, name="previous_roster['breaks']")
                for v in (frame["breaks"] if "breaks" in frame else [[]] * len(frame))
            ],
        }
    )
    if (out["end"] <= out["start"]).any():
        i = int((out["end"] <= out["start"]).to_numpy().argmax())
        raise ValueError(
            f"previous_roster shifts must end after they start, got {out['start'][i]}..{out['end'][i]}"
        )
    late = out["start"] >= start
    if late.any():
        raise ValueError(
            f"previous_roster must hold shifts that start before the horizon ({start}), got one "
            f"starting {out['start'][late.to_numpy().argmax()]}; pass only the previous roster"
        )
    return out[out["end"] > start].reset_index(drop=True)


def _previous_shifts(previous: Any, start: pd.Timestamp) -> pd.DataFrame | None:
    """Named shifts of ``previous`` (already checked by :func:`_carried_in`) in the last week."""
    if previous is None:
        return None
    frame = previous if isinstance(previous, pd.DataFrame) else previous.roster
    if "person" not in frame:
        return None
    out = pd.DataFrame(
        {
            "person": frame["person"].astype(str).to_numpy(),
            "start": pd.Series(intervals.wall_time(frame["start"])),
            "end": pd.Series(intervals.wall_time(frame["end"])),
        }
    )
    recent = out["end"] > start - pd.Timedelta(days=7)
    return out[recent].sort_values(["person", "start"]).reset_index(drop=True)


def make_instance(
    requirements: Any,
    *,
    interval_min: int,
    start: Any = None,
    shifts: ShiftRules | Sequence[ShiftRules] = (ShiftRules(),),
    lunch: LunchRule | None = LunchRule(),
    breaks: BreakRule | Sequence[BreakRule] = (),
    span: SpanOfControl | None = SpanOfControl(),
    people: Sequence[Person] | None = None,
    weights: Weights = Weights(),
    limits: Limits = Limits(),
    interval_weights: Any = None,
    cyclic: bool | None = False,
    previous_roster: Any = None,
    ds_col: str = "ds",
    required_col: str = "required",
    group_requirements: Any = None,
    group_skills: Mapping[str, Sequence[str]] | None = None,
    tz: Any = None,
) -> RosterInstance:
    """Build a validated :class:`RosterInstance`.

    Parameters
    ----------
    requirements : array-like or DataFrame
        Agents needed on the floor per interval (fractional allowed), or a frame with a
        timestamp column ``ds_col`` and a requirement column ``required_col``.  Values are
        rounded up as ``ceil(r - ROUND_TOL)``.
    interval_min : {15, 30, 60, ...}
        Interval length [min].
    start : timestamp, optional
        Start of the first interval for array input (default Monday 2024-01-01 00:00).
    shifts : ShiftRules or sequence of ShiftRules
        Allowed shift types.
    lunch : LunchRule or None
        The lunch rule; ``None`` for no lunches.
    breaks : BreakRule or sequence of BreakRule
        Short breaks.
    span : SpanOfControl or None
        Leads and manager rules; ``None`` rosters agents only.
    people : sequence of Person, optional
        Named staff; without it the roster sizes anonymous shifts and names them A001, L001...
    weights : Weights
        Objective weights.
    limits : Limits
        Headcount caps.
    interval_weights : array-like, optional
        Shortage weight per interval, replacing the peak weights.
    cyclic : bool or None
        The horizon wraps around (a weekly template: Sunday night shifts run into Monday).
        ``None``: wrap when the horizon is whole days from midnight and no
        ``previous_roster`` is given, so that a 24/7 or night centre's first hours are
        covered by its last night (a day centre's roster is the same either way).
    previous_roster : DataFrame or RosterResult, optional
        The roster before the horizon (or its tail): columns ``role``, ``start``, ``end`` and
        optionally ``lunch_start``, ``lunch_end``, ``breaks``.  Its shifts still at work when
        the horizon starts count on the floor for coverage, leads and the manager (for
        example last Sunday's night shift covering Monday 00:00-06:00).  With a ``person``
        column, named ``people`` keep their rest after their last shift and their run of
        working days across the horizon's start.  Not with ``cyclic``.
    ds_col, required_col : str
        Column names for frame input.  Time-zone-aware timestamps are read as local wall-clock
        time (the zone is dropped), which is how shifts are planned.
    group_requirements : mapping {group: array-like} or DataFrame, optional
        Agents needed on the floor per agent skill group and interval (one value per interval
        of ``requirements``, or a frame with ``ds_col`` and one column per group).  Each agent
        shift then belongs to one group (roster column ``skill_group``) and every group is
        covered on its own, besides the total ``requirements`` (normally their sum).
    group_skills : mapping {group: skills}, optional
        Skills (queue names) of each group: a group that has every skill of another may cover
        that group's need; named ``people`` work a group's shifts only with all its skills.
        Default: each group its own single skill (no cover between groups).
    tz : str or tzinfo, optional
        Time zone of the wall-clock grid, e.g. ``"Europe/London"``; taken from
        time-zone-aware ``ds_col`` values when not given.  Paid hours are then elapsed
        time: a shift 19:00-03:00 over the night the clocks go back is 9 h long.

    Returns
    -------
    RosterInstance

    Raises
    ------
    ValueError
        Naming the rule or parameter that is wrong, e.g. a lunch window that fits no shift.
    """
    interval_min = check_interval_min(interval_min)
    tz = _zone(requirements, ds_col, tz)
    values, start_ts = _requirements(requirements, interval_min, start, ds_col, required_col)
    required = np.ceil(values - ROUND_TOL).clip(min=0).astype(np.int64)
    if isinstance(shifts, ShiftRules):
        shifts = (shifts,)
    if isinstance(breaks, BreakRule):
        breaks = (breaks,)
    shifts_t = tuple(shifts)
    for s in shifts_t:
        if not isinstance(s, ShiftRules):
            raise TypeError(f"shifts must hold ShiftRules, got {type(s).__name__}")
    slots_per_day = _DAY_MIN // interval_min
    offset = int((start_ts - start_ts.normalize()) / pd.Timedelta(minutes=interval_min))
    if interval_weights is None:
        iw = peak_weights(required.astype(float), slots_per_day, offset, float(weights.peak_boost))
    else:
        iw = check_nonnegative(interval_weights, "interval_weights")
        if iw.shape != required.shape:
            raise ValueError(
                f"interval_weights must have one value per interval ({required.size}), "
                f"got shape {iw.shape}"
            )
    if cyclic is None:
        cyclic = previous_roster is None and offset == 0 and required.size % slots_per_day == 0
    if cyclic and (offset != 0 or required.size % slots_per_day):
        raise ValueError("cyclic requires whole days starting at midnight")
    if cyclic and previous_roster is not None:
        raise ValueError(
            "cyclic=True wraps the horizon onto itself, previous_roster carries shifts in from "
            "before it: pass one of them, not both"
        )
    carried = _carried_in(previous_roster, start_ts)
    groups, skills_t, group_req = _groups(
        group_requirements, group_skills, start_ts, required.size, interval_min, ds_col
    )
    inst = RosterInstance(
        required=required,
        required_raw=values.copy(),
        interval_min=interval_min,
        start=start_ts,
        shifts=shifts_t,
        lunch=lunch,
        breaks=tuple(breaks),
        span=span,
        weights=weights,
        limits=limits,
        people=None if people is None else tuple(people),
        interval_weights=np.asarray(iw, dtype=float),
        cyclic=bool(cyclic),
        skill_groups=groups,
        group_skills=skills_t,
        group_required=group_req,
        carried_in=carried,
        previous_shifts=_previous_shifts(previous_roster, start_ts),
        tz=tz,
    )
    _validate_rules(inst)
    _validate_skills(inst)
    return inst


def _zone(requirements: Any, ds_col: str, tz: Any) -> Any:
    """The grid's time zone: ``tz``, else that of tz-aware requirement timestamps."""
    data_tz = None
    if isinstance(requirements, pd.DataFrame) and ds_col in requirements:
        ds = requirements[ds_col]
        if isinstance(ds.dtype, pd.DatetimeTZDtype):
            data_tz = ds.dt.tz
    elif isinstance(requirements, pd.Series) and isinstance(requirements.index, pd.DatetimeIndex):
        data_tz = requirements.index.tz
    if tz is None:
        return data_tz
    try:
        pd.Timestamp("2024-01-01").tz_localize(tz)
    except Exception:  # an unknown zone name: zoneinfo and pytz raise several types
        raise ValueError(f"tz must be a time zone such as 'Europe/London', got {tz!r}") from None
    if data_tz is not None and str(data_tz) != str(tz):
        raise ValueError(
            f"tz={tz!r} disagrees with the requirement timestamps' zone {data_tz}; pass one of them"
        )
    return tz


def _groups(
    group_requirements: Any,
    group_skills: Mapping[str, Sequence[str]] | None,
    start: pd.Timestamp,
    n: int,
    interval_min: int,
    ds_col: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], np.ndarray | None]:
    """Group names, skills and rounded requirement (G, n) from ``make_instance``'s input."""
    if group_requirements is None:
        if group_skills is not None:
            raise ValueError("group_skills needs group_requirements (agents per group), got None")
        return (), (), None
    if isinstance(group_requirements, pd.DataFrame):
        frame = group_requirements
        if ds_col in frame:
            ds = pd.Series(
                intervals.as_datetime_index(frame[ds_col], f"group_requirements[{ds_col!r}]")
            )
            if ds.dt.tz is not None:
                ds = ds.dt.tz_localize(None)
            order = np.argsort(ds.to_numpy(), kind="stable")
            grid = pd.date_range(start, periods=n, freq=f"{interval_min}min")
            if len(ds) != n or not (ds.iloc[order].to_numpy() == grid.to_numpy()).all():
                raise ValueError(
                    f"group_requirements[{ds_col!r}] must hold the requirement's {n} intervals "
                    f"from {start}, got {len(ds)} rows"
                )
            frame = frame.drop(columns=[ds_col]).iloc[order]
        mapping: Mapping[str, Any] = {str(c): frame[c].to_numpy() for c in frame.columns}
    elif isinstance(group_requirements, Mapping):
        mapping = group_requirements
    else:
        raise TypeError(
            "group_requirements must be a mapping {group: agents per interval} or a DataFrame, "
            f"got {type(group_requirements).__name__}"
        )
    if not mapping:
        raise ValueError("group_requirements must name at least one group, got none")
    names = tuple(str(g) for g in mapping)
    rows = []
    for g, values in mapping.items():
        arr = as_float_array(values, f"group_requirements[{g!r}]")
        if arr.shape != (n,):
            raise ValueError(
                f"group_requirements[{g!r}] must have one value per interval ({n}), "
                f"got shape {arr.shape}"
            )
        check_nonnegative(arr, f"group_requirements[{g!r}]")
        if arr.max(initial=0.0) > MAX_REQUIRED:
            raise ValueError(
                f"group_requirements[{g!r}] must be at most {MAX_REQUIRED:,} agents per "
                f"interval, got {arr.max():g}"
            )
        rows.append(np.ceil(arr - ROUND_TOL).clip(min=0).astype(np.int64))
    skills = dict(group_skills or {})
    extra = sorted(set(map(str, skills)) - set(names))
    if extra:
        raise ValueError(
            f"group_skills names group {extra[0]!r}, which has no requirement; groups are "
            f"{list(names)}"
        )
    sk = []
    for g in names:
        v = skills.get(g, (g,))
        v = (v,) if isinstance(v, str) else tuple(v)
        if not v or not all(isinstance(x, str) and x for x in v):
            raise ValueError(f"group_skills[{g!r}] must name one or more skills, got {v!r}")
        sk.append(v)
    return names, tuple(sk), np.vstack(rows)


def _validate_skills(inst: RosterInstance) -> None:
    """Named agents with skills can work every group some agent is needed in."""
    if inst.group_required is None or inst.people is None:
        return
    agents = [p for p in inst.people if p.role == "agent"]
    for g, skills, need in zip(
        inst.skill_groups, inst.group_skills, inst.group_required, strict=True
    ):
        if need.max(initial=0) <= 0:
            continue
        if not any(p.skills is None or set(skills) <= set(p.skills) for p in agents):
            raise ValueError(
                f"skill group {g!r} needs agents with skills {list(skills)} but no named agent "
                f"has them all; give some Person skills={tuple(skills)!r} or leave the group "
                "out of group_requirements"
            )
