"""What-if scenarios on a base plan and their side-by-side comparison."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan import defaults, intervals
from staffplan._validation import check_int, check_nonnegative, check_positive
from staffplan.plan._pipeline import _solve_roster, _used_shifts, assemble, previous_roster_of
from staffplan.plan._plan import Plan
from staffplan.plan._service import requirements_frame

if TYPE_CHECKING:
    from staffplan.roster import Rules

__all__ = ["Scenario", "Window", "compare", "requirement_change", "what_if"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _time_of_day(value: Any, name: str) -> int:
    from staffplan.roster._instance import _minutes  # the one HH:MM parser

    minutes = _minutes(value, name)
    if not 0 <= minutes <= 1440:
        raise ValueError(f"{name} must lie in 00:00..24:00, got {value!r}")
    return minutes


@dataclass(frozen=True)
class Window:
    """Where a scenario's change applies; every given part must match.

    Parameters
    ----------
    days : sequence, optional
        Weekdays (``"tue"``, ``"Tuesday"`` or 0 = Monday) and/or dates
        (``"2024-03-05"``); an interval matches when its day is any of them.
    time : (str, str), optional
        Time-of-day window ``("09:00", "13:00")``, start inclusive, end
        exclusive, applied to every matching day.
    start, end : timestamp, optional
        Explicit interval range (a campaign window), start inclusive, end
        exclusive.
    """

    days: tuple[Any, ...] | None = None
    time: tuple[str, str] | None = None
    start: Any = None
    end: Any = None

    def __post_init__(self) -> None:
        if self.days is not None:
            days = (self.days,) if isinstance(self.days, (str, int)) else tuple(self.days)
            if not days:
                raise ValueError("Window.days must name at least one day, got ()")
            parsed = tuple(self._parse_day(d) for d in days)
            object.__setattr__(self, "days", parsed)
        if self.time is not None:
            if len(self.time) != 2:
                raise ValueError(f"Window.time must be (start, end), got {self.time!r}")
            lo = _time_of_day(self.time[0], "Window.time[0]")
            hi = _time_of_day(self.time[1], "Window.time[1]")
            if hi <= lo:
                raise ValueError(f"Window.time must end after it starts, got {self.time!r}")
        for attr in ("start", "end"):
            value = getattr(self, attr)
            if value is not None:
                object.__setattr__(self, attr, pd.Timestamp(value))
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError(f"Window.end must be after Window.start, got {self.start}..{self.end}")

    @staticmethod
    def _parse_day(value: Any) -> int | pd.Timestamp:
        if isinstance(value, str) and value.strip().lower()[:3] in _WEEKDAYS:
            return _WEEKDAYS.index(value.strip().lower()[:3])
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return check_int(value, "Window.days", minimum=0, maximum=6)
        try:
            return pd.Timestamp(value).normalize()
        except (ValueError, TypeError):
            raise ValueError(
                f"Window.days must hold weekdays ('tue', 0-6) or dates, got {value!r}"
            ) from None

    def mask(self, ds: Any) -> np.ndarray:
        """Boolean array: which interval starts ``ds`` fall in the window."""
        idx = pd.DatetimeIndex(ds)
        ok = np.ones(len(idx), dtype=bool)
        if self.days is not None:
            weekdays = {d for d in self.days if isinstance(d, int)}
            dates = {d for d in self.days if isinstance(d, pd.Timestamp)}
            day_ok = (
                np.isin(idx.day_of_week, list(weekdays)) if weekdays else np.zeros(len(idx), bool)
            )
            if dates:
                day_ok |= idx.normalize().isin(list(dates))
            ok &= day_ok
        if self.time is not None:
            minute = idx.hour * 60 + idx.minute
            lo = _time_of_day(self.time[0], "Window.time[0]")
            hi = _time_of_day(self.time[1], "Window.time[1]")
            ok &= (minute >= lo) & (minute < hi)
        if self.start is not None:
            ok &= idx >= self.start
        if self.end is not None:
            ok &= idx < self.end
        return ok


def _as_window(value: Any) -> Window | None:
    if value is None or isinstance(value, Window):
        return value
    if isinstance(value, Mapping):
        return Window(**value)
    if isinstance(value, str):
        return Window(days=(value,))
    raise TypeError(
        f"window must be a Window, a dict or a weekday name, got {type(value).__name__}"
    )


@dataclass(frozen=True)
class Scenario:
    """A what-if change applied to a base plan.

    Parameters
    ----------
    name : str
        Label in comparisons.
    volume_factor : float
        Multiplies the volume inside ``window`` (1.4 = +40% contacts).
    volume_add : float
        Extra contacts *per day* inside ``window``, spread over that day's
        window intervals in proportion to the base volume (evenly where the
        base has none) [contacts/day].
    window : Window or dict or str, optional
        Where volume and AHT changes apply (default: everywhere).
    aht_delta_s : float
        Added to the AHT inside ``window`` [s] (-2.5 = 2.5 s faster).
    aht_factor : float
        Multiplies the AHT inside ``window`` (applied before ``aht_delta_s``).
    shrinkage, service_level, target_answer_s, patience_s : float, optional
        Replace the base service target's value.
    max_agents_per_lead : int, optional
        New span of control (re-rosters).
    lunch : roster.LunchRule or dict, optional
        New lunch rule (re-rosters).
    headcount_cap : int, optional
        At most this many agents per day (re-rosters).
    budget_factor : float, optional
        Paid hours available relative to the base roster (1.03 = +3%). Without
        re-rostering the extra (or missing) hours are spread like the base
        roster's: agents on the floor scale by this factor in every interval.
    reroster : bool
        Re-solve the roster for the new requirement (the base roster is the
        solver's hint). Rule changes (span, lunch, headcount) always re-roster.
    move_volume : (str, str, float), optional
        ``(from_queue, to_queue, share)``: move this share of one queue's contacts
        to another inside ``window`` ("move 20% of calls to chat":
        ``("voice", "chat", 0.2)``); for plans by queue and skill
        (:func:`staffplan.skills.compare`).
    cross_train : (str, str, int), optional
        ``(group, skill, agents)``: that many agents of a skill group learn one
        more skill and join the group holding both skill sets (made when absent)
        ("cross-train 10 agents": ``("en", "fr", 10)``); the group needs
        ``max_agents`` (its people) to take them from.

    Notes
    -----
    Volume inside the window becomes ``volume * volume_factor`` plus its share
    of ``volume_add``; AHT becomes ``aht_s * aht_factor + aht_delta_s``.
    """

    name: str
    volume_factor: float = 1.0
    volume_add: float = 0.0
    window: Window | Mapping[str, Any] | str | None = None
    aht_delta_s: float = 0.0
    aht_factor: float = 1.0
    shrinkage: float | None = None
    service_level: float | None = None
    target_answer_s: float | None = None
    patience_s: float | None = None
    max_agents_per_lead: int | None = None
    lunch: Any = None
    headcount_cap: int | None = None
    budget_factor: float | None = None
    reroster: bool = False
    move_volume: tuple[str, str, float] | None = None
    cross_train: tuple[str, str, int] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string, got {self.name!r}")
        check_nonnegative(self.volume_factor, "volume_factor")
        check_nonnegative(self.volume_add, "volume_add")
        check_positive(self.aht_factor, "aht_factor")
        if not math.isfinite(float(self.aht_delta_s)):
            raise ValueError(f"aht_delta_s must be finite, got {self.aht_delta_s!r}")
        if self.budget_factor is not None:
            check_positive(self.budget_factor, "budget_factor")
        if self.max_agents_per_lead is not None:
            check_int(self.max_agents_per_lead, "max_agents_per_lead", minimum=1)
        if self.headcount_cap is not None:
            check_int(self.headcount_cap, "headcount_cap", minimum=0)
        object.__setattr__(self, "window", _as_window(self.window))
        if self.move_volume is not None or self.cross_train is not None:
            from staffplan.skills._whatif import check_skill_changes  # the one home

            check_skill_changes(self.move_volume, self.cross_train)

    @property
    def changes_rules(self) -> bool:
        """Whether the scenario changes roster rules (and so must re-roster)."""
        return (
            self.max_agents_per_lead is not None
            or self.lunch is not None
            or self.headcount_cap is not None
        )

    def service_changes(self) -> dict[str, Any]:
        """Service-target fields this scenario replaces."""
        names = ("shrinkage", "service_level", "target_answer_s", "patience_s")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def apply_load(
        self, ds: Any, volume: Any, aht_s: Any, *, weights: Any = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scenario volume and AHT per interval.

        ``weights`` (default ``volume``) decides how ``volume_add`` is spread
        over each day's window intervals.
        """
        idx = pd.DatetimeIndex(ds)
        vol = np.asarray(volume, dtype=np.float64)
        aht = np.asarray(aht_s, dtype=np.float64)
        mask = np.ones(len(idx), bool) if self.window is None else self.window.mask(idx)  # type: ignore[union-attr]
        new_vol = np.where(mask, vol * self.volume_factor, vol)
        if self.volume_add:
            w = np.asarray(vol if weights is None else weights, dtype=np.float64)
            days = idx.normalize()
            for day in np.unique(days[mask]):
                sel = mask & (days == day)
                share = np.where(sel, np.clip(w, 0, None), 0.0)
                if share.sum() <= 0:
                    share = sel.astype(float)
                new_vol += self.volume_add * share / share.sum()
        new_aht = np.where(mask, aht * self.aht_factor + self.aht_delta_s, aht)
        if np.any(new_aht[new_vol > 0] <= 0):
            raise ValueError(
                f"scenario {self.name!r} makes aht_s <= 0 in some interval; "
                f"check aht_delta_s={self.aht_delta_s} and aht_factor={self.aht_factor}"
            )
        return new_vol, new_aht


def _rules_for(base: Plan, scenario: Scenario) -> Rules:
    """The base plan's rules (shifts not given stay fitted to the new requirement) changed."""
    from staffplan import roster

    rules = base.rules
    changes: dict[str, Any] = {}
    if scenario.max_agents_per_lead is not None:
        span = rules.span or roster.SpanOfControl()
        changes["span"] = dataclasses.replace(
            span, max_agents_per_lead=scenario.max_agents_per_lead
        )
    if scenario.lunch is not None:
        changes["lunch"] = roster.Rules.from_dict({"lunch": scenario.lunch}).lunch
    caps: dict[str, Any] = {}
    if scenario.headcount_cap is not None:
        caps["max_agents_per_day"] = scenario.headcount_cap
    if scenario.budget_factor is not None and scenario.headcount_cap is None:
        # The roster has no paid-hours cap; the nearest rule is a daily agent cap
        # scaled from the base roster's busiest day.
        agents = base.roster[base.roster["role"] == "agent"]
        if len(agents):
            busiest = int(agents.groupby(agents["start"].dt.normalize())["person"].nunique().max())
            caps["max_agents_per_day"] = math.floor(busiest * scenario.budget_factor + 1e-9)
    if caps:
        changes["limits"] = dataclasses.replace(rules.limits, **caps)
    return rules.replace(**changes)


def _coverage_for(base_coverage: pd.DataFrame, reqs: pd.DataFrame, factor: float) -> pd.DataFrame:
    cov = base_coverage.copy()
    need = (
        reqs["scheduled_int"]
        .set_axis(intervals.wall_time(reqs["ds"]))
        .groupby(level=0)
        .max()  # the hour clocks repeat: one wall slot, the larger need (as the roster's)
        .reindex(intervals.wall_time(cov["ds"]), fill_value=0)
    )
    cov["required"] = need.to_numpy()
    if factor != 1.0:
        cov["on_floor"] = cov["on_floor"] * factor
    cov["shortage"] = np.maximum(cov["required"] - cov["on_floor"], 0)
    cov["surplus"] = np.maximum(cov["on_floor"] - cov["required"], 0)
    return cov


def what_if(
    base: Plan,
    scenario: Scenario,
    *,
    simulate: bool = False,
    time_limit_s: float | None = None,
    rng: np.random.Generator | int | None = None,
) -> Plan:
    """Apply a scenario to a base plan.

    Volume, AHT and target changes take the fast path: the requirement is
    recomputed with the vectorized Erlang core and the *base* roster is
    evaluated against the new load (what service is left?), next to the new
    requirement (what is needed?). With ``scenario.reroster`` or a rule change
    the roster is solved again, with the base roster as the solver's hint.

    Parameters
    ----------
    base : Plan
        The plan to change.
    scenario : Scenario
        The change.
    simulate : bool
        Also check the scenario's verdict by simulation (slower).
    time_limit_s : float, optional
        Roster time limit [s] when re-rostering (default: the base plan's).
    rng : numpy.random.Generator or int or None
        Seed for the simulation and solver (default: the base plan's seed).

    Returns
    -------
    Plan
        The scenario's plan; ``settings["scenario"]`` holds the scenario.
    """
    if not isinstance(base, Plan):
        raise TypeError(f"base must be a Plan, got {type(base).__name__}")
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    if base.settings.get("pooling") == "skills" or (
        scenario.move_volume is not None or scenario.cross_train is not None
    ):
        # The fast path below recomputes one pooled requirement: not what a plan by skill
        # group staffs, and it has no queues to move contacts between or groups to train.
        raise ValueError(
            f"scenario {scenario.name!r}: what-ifs by queue and skill group (move_volume, "
            "cross_train, or any scenario on a plan made with skills=) go through "
            "staffplan.skills.compare(arrivals, aht_s, groups, scenario, interval_min=...)"
        )
    interval_min = base.interval_min
    service = base.service.replace(**scenario.service_changes())
    reqs_base = base.requirements
    mean_base = base.verdict["volume"].to_numpy(float)
    staff_vol, aht = scenario.apply_load(
        reqs_base["ds"], reqs_base["volume"], reqs_base["aht_s"], weights=mean_base
    )
    mean_vol, _ = scenario.apply_load(reqs_base["ds"], mean_base, reqs_base["aht_s"])
    reqs = requirements_frame(
        reqs_base["ds"], staff_vol, aht, service=service, interval_min=interval_min
    )
    seed = base.settings.get("seed", 0) if rng is None else rng
    factor = 1.0 if scenario.budget_factor is None else float(scenario.budget_factor)
    rerostered = scenario.reroster or scenario.changes_rules
    settings = dict(base.settings)
    settings.update(service=service.to_dict(), scenario=_scenario_dict(scenario))
    result = None
    if rerostered:
        rules = _rules_for(base, scenario)
        result = _solve_roster(
            reqs,
            interval_min=interval_min,
            rules=rules,
            time_limit_s=float(
                time_limit_s or base.settings.get("time_limit_s", defaults.TIME_LIMIT_S)
            ),
            num_workers=base.settings.get("num_workers"),
            seed=int(seed) if isinstance(seed, (int, np.integer)) else 0,
            hint=base.roster,
            previous_roster=previous_roster_of(base.settings),
        )
        roster_frame = result.roster
        coverage = _coverage_for(result.coverage, reqs, 1.0)
        settings.update(
            rules=rules.to_dict(),
            roster_shifts=_used_shifts(rules, reqs, interval_min),
            roster_status=result.status,
        )
    else:
        roster_frame = base.roster
        coverage = _coverage_for(base.coverage, reqs, factor)
    settings["rerostered"] = bool(rerostered)
    return assemble(
        forecast=base.forecast,
        history=base.history,
        events=base.events,
        requirements=reqs,
        roster_result=result,
        roster_frame=roster_frame,
        coverage=coverage,
        service=service,
        interval_min=interval_min,
        mean_volume=mean_vol,
        quantile=base.verdict_quantile is not None,
        simulate=simulate,
        n_reps=int(base.settings.get("n_reps", defaults.N_REPS)),
        tolerance=float(base.settings.get("sim_tolerance", defaults.SIM_TOLERANCE)),
        rng=seed,
        settings=settings,
        paid_factor=1.0 if rerostered else factor,
        base_summary=base.summary,
    )


def _scenario_dict(scenario: Scenario) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(scenario):
        value = getattr(scenario, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = {
                k: str(v) if isinstance(v, pd.Timestamp) else v
                for k, v in dataclasses.asdict(value).items()
            }
        out[f.name] = value
    return out


_COMPARE_COLUMNS = (
    "scenario",
    "target",
    "volume",
    "agents_needed",
    "agent_hours_needed",
    "paid_hours",
    "paid_hours_needed",
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "peak_shortage",
    "shortage_hours",
    "intervals_below_target",
)


def compare(
    base: Plan,
    *scenarios: Scenario | Plan,
    rate_per_hour: float | None = None,
    simulate: bool = False,
) -> pd.DataFrame:
    """Base plan and scenarios side by side.

    Parameters
    ----------
    base : Plan
        The base plan (first row, ``scenario == "base"``).
    *scenarios : Scenario or Plan
        Scenarios to apply (or plans already made with :func:`what_if`).
    rate_per_hour : float, optional
        Cost of a paid hour; adds ``cost`` (paid hours × rate) and
        ``cost_needed``.
    simulate : bool
        Simulate each scenario as well (slower).

    Returns
    -------
    pandas.DataFrame
        One row per scenario: ``scenario``, ``target`` (the service target the
        scenario is judged against, e.g. ``"90% in 20 s"``), ``volume`` [contacts],
        ``agents_needed`` (peak agents on the floor needed), ``agent_hours_needed``
        [h], ``paid_hours`` [h] (of the roster evaluated),
        ``paid_hours_needed`` [h] (base paid hours scaled by the change in
        agent-hours needed), ``service_level``, ``asa_s``, ``p_abandon``,
        ``occupancy`` (what the roster delivers), ``peak_shortage`` [agents],
        ``shortage_hours`` [h], ``intervals_below_target``, and ``cost``
        when a rate is given.
    """
    if rate_per_hour is not None:
        check_nonnegative(rate_per_hour, "rate_per_hour")
    rows = []
    base_summary = dict(base.summary)
    base_summary.setdefault("paid_hours_needed", base_summary.get("paid_hours", math.nan))
    rows.append({"scenario": "base", "target": _target_label(base), **base_summary})
    names = {"base"}
    for sc in scenarios:
        result = sc if isinstance(sc, Plan) else what_if(base, sc, simulate=simulate)
        name = (
            sc.name
            if isinstance(sc, Scenario)
            else str((result.settings.get("scenario") or {}).get("name", f"plan {len(rows)}"))
        )
        if name in names:
            raise ValueError(f"scenario names must be unique, got {name!r} twice")
        names.add(name)
        rows.append({"scenario": name, "target": _target_label(result), **result.summary})
    frame = pd.DataFrame(rows)
    cols = [c for c in _COMPARE_COLUMNS if c in frame]
    extra = [c for c in frame.columns if c.endswith("_at_quantile")]
    out = frame[cols + extra].copy()
    if rate_per_hour is not None:
        out["cost"] = out["paid_hours"] * float(rate_per_hour)
        out["cost_needed"] = out["paid_hours_needed"] * float(rate_per_hour)
    return out


def _target_label(p: Plan) -> str:
    """The service target as a planner writes it: ``80% in 20 s``."""
    svc = p.service
    return f"{svc.service_level:.0%} in {svc.target_answer_s:g} s"


def requirement_change(base: Plan, other: Plan) -> pd.DataFrame:
    """Per interval: agents needed on the floor in ``base`` and ``other`` and the change.

    Returns
    -------
    pandas.DataFrame
        ``ds``, ``base`` and ``scenario`` (whole agents on the floor needed),
        ``extra`` (``scenario - base``), ``extra_frac`` (the change in
        fractional requirement), for the intervals where anything changes.
    """
    a = base.requirements.set_index("ds")
    b = other.requirements.set_index("ds").reindex(a.index)
    out = pd.DataFrame(
        {
            "base": a["scheduled_int"],
            "scenario": b["scheduled_int"],
            "extra": b["scheduled_int"] - a["scheduled_int"],
            "extra_frac": b["scheduled"] - a["scheduled"],
            "base_volume": a["volume"],
            "scenario_volume": b["volume"],
        }
    ).reset_index()
    return out[(out["extra"] != 0) | (out["extra_frac"].abs() > 1e-9)].reset_index(drop=True)
