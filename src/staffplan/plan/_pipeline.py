"""One call from history to a rostered plan and its predicted service."""

from __future__ import annotations

import dataclasses
import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan import defaults, intervals
from staffplan._validation import (
    check_choice,
    check_columns,
    check_fraction,
    check_int,
    check_positive,
)
from staffplan.forecast._forecaster import quantile_column
from staffplan.plan._certainty import (
    MAX_SCALE,
    N_PATHS,
    certainty_scale,
    check_certainty,
    count_noise_scale,
    day_chance,
    day_codes,
    pooled_paths,
)
from staffplan.plan._isa import STAFFING_METHODS, time_stable_requirements
from staffplan.plan._plan import Plan, plain_settings, plan_events
from staffplan.plan._service import ServiceTarget, pool_queues, requirements_frame
from staffplan.plan._verdict import (
    busy_share,
    check_with_simulation,
    daily_verdict,
    evaluate_staffing,
    mark_at_risk,
    peak_intervals,
    volume_weighted,
)

if TYPE_CHECKING:  # the roster (and OR-Tools) loads when a roster is made
    from staffplan.roster import Rules

__all__ = [
    "Progress",
    "assemble",
    "build_verdict",
    "paid_hours",
    "plan",
    "plan_window",
    "pooled_channel_conflict",
    "quantile_column",
    "requirement_grid",
    "rules_from_mapping",
    "rules_to_mapping",
    "summarize",
]

#: Called after each stage with its name and duration [s].
Progress = Callable[[str, float], None]

_log = logging.getLogger(__name__)


def rules_from_mapping(
    rules: Rules | Mapping[str, Any] | None, *, interval_min: int | None = None
) -> Rules:
    """Roster rules from a plain dict: :meth:`staffplan.roster.Rules.from_dict`."""
    from staffplan.roster import Rules

    return Rules.from_dict(rules, interval_min=interval_min)


def rules_to_mapping(rules: Rules | Mapping[str, Any]) -> dict[str, Any]:
    """JSON-ready roster rules: :meth:`staffplan.roster.Rules.to_dict`."""
    from staffplan.roster import Rules

    return Rules.from_dict(rules).to_dict()


# -- stages --------------------------------------------------------------------------


def _prepare_history(
    history: pd.DataFrame, queue: str | Sequence[str] | None
) -> tuple[pd.DataFrame, list[str]]:
    check_columns(history, ["ds", "volume"], "history")
    frame = history.copy()
    if "queue" not in frame:
        frame["queue"] = "all"
    if frame["queue"].isna().any():
        i = int(np.flatnonzero(frame["queue"].isna().to_numpy())[0])
        raise ValueError(f"history['queue'] is empty in row {i + 1}; give every row its queue id")
    frame["ds"] = pd.Series(intervals.as_datetime_index(frame["ds"], "history['ds']"), frame.index)
    if queue is not None:
        wanted = [queue] if isinstance(queue, str) else list(queue)
        have = sorted(frame["queue"].astype(str).unique())
        missing = [q for q in wanted if q not in have]
        if missing:
            raise ValueError(f"queue must be one of {have}, got {missing[0]!r}")
        frame = frame[frame["queue"].isin(wanted)]
    return frame, sorted(frame["queue"].astype(str).unique())


def _forecast(history: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    """Forecast the plan's window (keywords of :func:`_forecast_model`); warnings go to ``notes``."""
    return _forecast_model(history, **kwargs)[0]


def _forecast_model(
    history: pd.DataFrame,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    interval_min: int,
    quantiles: tuple[float, ...],
    events: Any,
    method: str,
    notes: list[str],
) -> tuple[pd.DataFrame, Any]:
    """Forecast the plan's window and return the fitted forecaster too (for sample paths).

    The forecaster's warnings go to ``notes``.
    """
    from staffplan import forecast

    last = history["ds"].max()
    if start <= last:
        raise ValueError(
            f"start must be after the end of the history ({last}), got {start}; "
            "plan the days that follow the history"
        )
    # The forecaster counts its horizon from the last history interval: ask for
    # enough to reach the end of the plan, then keep the plan's window. Events
    # after the plan do not concern it (and the forecaster rejects events outside
    # its calendar).
    if isinstance(events, pd.DataFrame):
        events = events[_event_starts(events) < end.tz_localize(None)]
    elif isinstance(events, (list, tuple)):  # frames mixed with holiday calendars
        events = [
            e[_event_starts(e) < end.tz_localize(None)] if isinstance(e, pd.DataFrame) else e
            for e in events
        ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = forecast.VolumeForecaster(method, interval_min=interval_min).fit(
            history, events=events
        )
        fc = model.predict(pd.Timedelta(end - last), quantiles=quantiles)
    for w in caught:
        if not issubclass(w.category, UserWarning):  # pragma: no cover - not ours to hide
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif str(w.message) not in notes:
            notes.append(str(w.message))
    fc = fc[(fc["ds"] >= start) & (fc["ds"] < end)].reset_index(drop=True)
    if fc.empty:
        raise ValueError(
            f"the forecast holds no interval between {start} and {end}: the centre is closed "
            f"for the whole window. Give the horizon a unit ('7D' plans 7 days; a bare number "
            f"counts {interval_min}-min intervals) or a later start"
        )
    return fc, model


def _event_starts(events: pd.DataFrame) -> pd.Series:
    """When each event begins, as naive wall time, parsed without guessing (NaT if unknown)."""
    check_columns(events, [], "events")
    out = pd.Series(pd.NaT, index=events.index, dtype="datetime64[ns]")
    for col in ("start", "date"):
        if col not in events:
            continue
        values = events[col]
        if not pd.api.types.is_datetime64_any_dtype(values):
            try:
                values = intervals.parse_timestamp_text(values).set_axis(events.index)
            except intervals.TimestampError as exc:
                raise ValueError(f"events[{col!r}], row {exc.row + 1}: {exc}") from None
        if values.dt.tz is not None:
            values = values.dt.tz_localize(None)
        out = out.fillna(values.dt.as_unit("ns"))
    return out


def requirement_grid(ds: Any, required: Any, interval_min: int) -> pd.DataFrame:
    """The roster's requirement: ``ds``, ``required`` on whole days of wall-clock intervals.

    Interval starts become naive local wall time; a clock change that repeats a
    wall-clock hour keeps the larger requirement; intervals absent from ``ds``
    (closed hours, days outside) need nobody.  ``staffplan plan`` and
    ``staffplan roster`` both roster this frame.
    """
    wall = intervals.wall_time(ds)
    need = pd.Series(np.asarray(required, dtype=float), index=wall).groupby(level=0).max()
    first = need.index.min().normalize()
    last = need.index.max().normalize() + pd.Timedelta(days=1)
    grid = pd.date_range(first, last, freq=f"{interval_min}min", inclusive="left")
    return pd.DataFrame({"ds": grid, "required": need.reindex(grid, fill_value=0.0).to_numpy()})


def _solve_roster(
    requirements: pd.DataFrame,
    *,
    interval_min: int,
    rules: Rules,
    time_limit_s: float,
    num_workers: int | None,
    seed: int,
    hint: Any = None,
    previous_roster: Any = None,
    groups: pd.DataFrame | None = None,
    group_skills: Mapping[str, Sequence[str]] | None = None,
) -> Any:
    """Roster the requirement's ``scheduled`` agents on its wall-clock grid under ``rules``.

    ``previous_roster``: shifts before the grid that still count on it; ``groups``: agents
    per skill group (``ds`` and one column per group) with their ``group_skills``.
    """
    from staffplan import roster

    instance = _roster_instance(
        requirements,
        interval_min=interval_min,
        rules=rules,
        previous_roster=previous_roster,
        groups=groups,
        group_skills=group_skills,
    )
    kwargs: dict[str, Any] = {"time_limit_s": time_limit_s, "random_seed": seed}
    if num_workers is not None:
        kwargs["num_workers"] = num_workers
    if hint is not None:
        kwargs["hint"] = hint
    return roster.solve(instance, **kwargs)


def carried_in_records(previous_roster: Any, requirements: pd.DataFrame) -> list[dict[str, Any]]:
    """The shifts of ``previous_roster`` still at work when the roster's grid starts, as JSON.

    A plan keeps them in ``settings["previous_roster"]`` so that a scenario that
    re-rosters, or a plan loaded from disk, counts the same shifts on the floor instead
    of wrapping the week onto itself.
    """
    from staffplan.roster._instance import _carried_in

    start = intervals.wall_time(requirements["ds"]).min().normalize()
    frame = _carried_in(previous_roster, start)
    if frame is None:
        return []

    def iso(ts: Any) -> str | None:
        return None if pd.isna(ts) else pd.Timestamp(ts).isoformat()

    return [
        {
            "role": str(r.role),
            "start": iso(r.start),
            "end": iso(r.end),
            "lunch_start": iso(r.lunch_start),
            "lunch_end": iso(r.lunch_end),
            "breaks": [[iso(a), iso(b)] for a, b in r.breaks],
        }
        for r in frame.itertuples(index=False)
    ]


def previous_roster_of(settings: Mapping[str, Any]) -> pd.DataFrame | None:
    """The carried-in shifts a plan was made with (None: the plan wraps its week)."""
    records = settings.get("previous_roster")
    if records is None:
        return None
    frame = pd.DataFrame(
        list(records), columns=["role", "start", "end", "lunch_start", "lunch_end", "breaks"]
    )
    for col in ("start", "end", "lunch_start", "lunch_end"):
        frame[col] = pd.to_datetime(frame[col], format="ISO8601")
    return frame


def _roster_instance(
    requirements: pd.DataFrame,
    *,
    interval_min: int,
    rules: Rules,
    previous_roster: Any = None,
    groups: pd.DataFrame | None = None,
    group_skills: Mapping[str, Sequence[str]] | None = None,
) -> Any:
    """The roster instance of a requirement frame (and skill groups) on its wall-clock grid."""
    frame = requirement_grid(requirements["ds"], requirements["scheduled"], interval_min)
    extra: dict[str, Any] = {}
    if groups is not None:
        extra["group_requirements"] = {
            str(g): requirement_grid(groups["ds"], groups[g], interval_min)["required"].to_numpy()
            for g in groups.columns
            if g != "ds"
        }
        extra["group_skills"] = group_skills
    return rules.make_instance(
        frame,
        interval_min=interval_min,
        previous_roster=previous_roster,
        tz=intervals.as_datetime_index(requirements["ds"]).tz,
        **extra,
    )


def pooled_channel_conflict(hist: pd.DataFrame) -> tuple[str, str] | None:
    """The first queue (and what it is) that pooling would wrongly staff as voice, if any.

    Read from the ``channel``/``concurrency`` columns (and ``queue``); None when every
    queue is voice at concurrency 1 or the columns are absent.  The one rule of
    :func:`staffplan.plan` and ``staffplan staff``.
    """
    if "channel" not in hist and "concurrency" not in hist:
        return None
    from staffplan.skills._plan import queue_channels

    channel, concurrency = queue_channels(hist)
    other = {q: f"a {c!r} queue" for q, c in (channel or {}).items() if c != "voice"}
    for q, k in (concurrency or {}).items():
        if float(k) != 1 and q not in other:
            other[q] = f"at concurrency {float(k):g}"
    return sorted(other.items())[0] if other else None


def _refuse_pooled_channels(hist: pd.DataFrame) -> None:
    """A pooled plan staffs every queue as voice: chat or deferred queues need ``skills=``."""
    conflict = pooled_channel_conflict(hist)
    if conflict:
        q, what = conflict
        raise ValueError(
            f"queue {q!r} is {what} in the history's channel/concurrency columns, but a "
            "pooled plan staffs every queue as voice: pass skills= (one group per queue, "
            "e.g. skills={q: [q] for q in queues}; --skills GROUPS.csv on the command line) "
            "to plan channels, or drop the columns to plan all as voice"
        )


def _on_floor_at(coverage: pd.DataFrame, ds: pd.Series) -> np.ndarray:
    return (
        coverage.set_index("ds")["on_floor"]
        .reindex(intervals.wall_time(ds), fill_value=0)
        .to_numpy(float)
    )


def build_verdict(
    requirements: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    service: ServiceTarget,
    interval_min: int,
    volume: Any = None,
    on_floor_factor: float = 1.0,
) -> pd.DataFrame:
    """Verdict per interval of the requirement's intervals for a coverage frame.

    ``volume`` overrides the requirement's volume (e.g. the mean when staffing
    to a quantile); ``on_floor_factor`` scales the rostered on-floor count
    (a what-if that adds or removes a share of hours).
    """
    ds = requirements["ds"]
    on_floor = _on_floor_at(coverage, ds) * on_floor_factor
    vol = requirements["volume"] if volume is None else volume
    verdict = evaluate_staffing(
        ds,
        vol,
        requirements["aht_s"],
        on_floor,
        interval_min=interval_min,
        target_answer_s=service.target_answer_s,
        patience_s=service.patience_s,
        shrinkage=service.shrinkage,
    )
    verdict["required"] = requirements["scheduled_int"].to_numpy()
    verdict["shortage"] = np.maximum(verdict["required"] - verdict["on_floor"], 0.0)
    verdict["meets_target"] = (verdict["service_level"] >= service.service_level - 1e-9) | (
        verdict["volume"] <= 0
    )
    return verdict


def paid_hours(roster_frame: pd.DataFrame, *, role: str | None = None, tz: Any = None) -> float:
    """Paid hours of a roster [h]: its ``paid_h`` column, else the shifts' elapsed length.

    ``tz`` is the zone of wall-clock ``start``/``end`` when there is no ``paid_h`` column
    (a shift over the night the clocks go back lasts an hour more than its wall-clock
    span, see :func:`staffplan.intervals.elapsed_hours`).
    """
    frame = roster_frame if role is None else roster_frame[roster_frame["role"] == role]
    if frame.empty:
        return 0.0
    if "paid_h" in frame:
        return float(frame["paid_h"].sum())
    return float(intervals.elapsed_hours(frame["start"], frame["end"], tz=tz).sum())


def summarize(
    verdict: pd.DataFrame,
    requirements: pd.DataFrame,
    roster_frame: pd.DataFrame,
    *,
    interval_min: int,
    on_floor_factor: float = 1.0,
) -> dict[str, float]:
    """Headline numbers of a plan or scenario."""
    hours = interval_min / 60.0
    vol = verdict["volume"].to_numpy(float)

    def wavg(col: str) -> float:
        return volume_weighted(verdict[col], vol)

    shortage = requirements["scheduled"].to_numpy(float) - verdict["on_floor"].to_numpy(float)
    tz = intervals.as_datetime_index(requirements["ds"]).tz if len(requirements) else None
    return {
        "volume": float(vol.sum()),
        "service_level": wavg("service_level"),
        "asa_s": wavg("asa_s"),
        "p_abandon": wavg("p_abandon"),
        "occupancy": busy_share(verdict["occupancy"], verdict["on_phones"]),
        "agents_needed": float(requirements["scheduled_int"].max()),
        "agent_hours_needed": float(requirements["scheduled"].sum() * hours),
        "on_floor_hours": float(verdict["on_floor"].sum() * hours),
        "paid_hours": paid_hours(roster_frame, tz=tz) * on_floor_factor,
        "agent_paid_hours": paid_hours(roster_frame, role="agent", tz=tz) * on_floor_factor,
        "headcount": float(roster_frame["person"].nunique()) if len(roster_frame) else 0.0,
        "peak_shortage": float(max(0.0, np.max(shortage, initial=0.0))),
        "shortage_hours": float(np.clip(shortage, 0, None).sum() * hours),
        "intervals_below_target": float((~verdict["meets_target"]).sum()),
    }


def _warnings_for(
    verdict: pd.DataFrame, roster_result: Any, service: ServiceTarget, interval_min: int
) -> list[str]:
    out: list[str] = []
    if roster_result is not None and not roster_result.ok:
        out.append(
            f"the roster solver found no roster (status {roster_result.status}): "
            + "; ".join(roster_result.reasons or ["no reason given"])
        )
    elif (
        roster_result is not None
        and roster_result.status != "OPTIMAL"
        # Within the gap at which the search stops by design, there is nothing to warn about.
        and not roster_result.gap <= defaults.ROSTER_GAP
    ):
        out.append(
            f"the roster is feasible but not proven optimal (gap {roster_result.gap:.1%} to the "
            f"solver's lower bound after {roster_result.wall_time_s:.1f} s; leads and the "
            "manager enter that bound only through a relaxation, so the gap can overstate "
            "what is left: roster.lower_bound gives the agents' proven floor hours); a longer "
            "time_limit_s may do better"
        )
    if roster_result is not None and roster_result.solver_parameters.get("wall_limited"):
        out.append(
            "the machine was too busy for the roster's deterministic budget (the wall clock "
            "stopped a solver step first): this roster may differ from run to run; raise "
            "time_limit_s or plan on a quieter machine"
        )
    from staffplan.roster._diagnose import shortage_note  # ortools: load when planning only

    short = shortage_note(verdict, interval_min)
    if short is not None:
        out.append(short)
    below = verdict[~verdict["meets_target"]]
    if not below.empty:
        worst = below["service_level"].idxmin()
        out.append(
            f"predicted service level is below the {service.service_level:.0%} target in "
            f"{len(below)} intervals; lowest {below.loc[worst, 'service_level']:.1%} at "
            f"{below.loc[worst, 'ds']}"
        )
    return out


def _seed_of(rng: np.random.Generator | int | None) -> int:
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return int(rng) % (2**31)
    return int(np.random.default_rng(rng).integers(2**31))


def plan(
    history: pd.DataFrame,
    *,
    horizon: str | pd.Timedelta | int = defaults.HORIZON,
    start: Any = None,
    events: Any = None,
    service: ServiceTarget | None = None,
    rules: Rules | Mapping[str, Any] | None = None,
    volume_quantile: float | None = None,
    certainty: float | None = None,
    staffing: str = defaults.STAFFING,
    quantiles: Sequence[float] = defaults.QUANTILES,
    interval_min: int | None = None,
    forecast_method: str = defaults.FORECAST_METHOD,
    queue: str | Sequence[str] | None = None,
    aht_s: float | None = None,
    simulate: bool = True,
    n_reps: int = defaults.N_REPS,
    sim_tolerance: float = defaults.SIM_TOLERANCE,
    rng: np.random.Generator | int | None = defaults.SEED,
    time_limit_s: float = defaults.TIME_LIMIT_S,
    num_workers: int | None = None,
    progress: Progress | None = None,
    previous_roster: Any = None,
    skills: Any = None,
    queues: pd.DataFrame | None = None,
) -> Plan:
    """Forecast, staff, roster and predict service in one call.

    Parameters
    ----------
    history : pandas.DataFrame
        Long frame with ``ds`` (interval start), ``volume`` [contacts] and
        optionally ``queue`` and ``aht_s`` [s].
    horizon : str, Timedelta or int
        Length of the plan with a unit, e.g. ``"7D"`` (whole days work best; they
        are calendar days, 167 or 169 h over a clock change), or an int counting
        intervals (see :func:`staffplan.intervals.horizon_span`).
        Counted from ``start``: from the default start, days are operating days
        (``"7D"`` covers 7 whole nights of a centre open 22:00-06:00).
    start : timestamp, optional
        First interval of the plan, kept as given (a note says when it cuts the
        centre's operating day in half).  Default: the start of the centre's next
        operating day after the history, the next midnight, or for a centre open
        across midnight (22:00-06:00) its next opening, so the first night is whole.
    events : pandas.DataFrame, str, holidays calendar or list of them, optional
        Known future and past events for the forecast (``date`` or
        ``start``/``end``, ``name``, optional ``kind``), or a public-holiday
        calendar (``"DE-BY"``; see :func:`staffplan.forecast.forecast`).
    service : ServiceTarget, optional
        Service target, shrinkage and patience; default 80/20, occupancy
        at most 90%, shrinkage 30% (:mod:`staffplan.defaults`).
    rules : staffplan.roster.Rules or mapping, optional
        Roster rules; a plain dict is read with
        :meth:`staffplan.roster.Rules.from_dict`, and missing rules take
        ``Rules.defaults(interval_min)``. Without ``shifts``, two
        shift types fitted to the opening hours the requirement shows (see
        :func:`staffplan.roster.shifts_for_hours`): 8 h days and 4 h
        part-timers starting from opening time up to the last start that ends
        by closing time (07:00-13:00 and 07:00-17:00 for a 07:00-21:00 centre;
        round the clock, crossing midnight, for a 24/7 centre; per weekday when
        the hours differ by weekday, e.g. from 09:00 on a Saturday opening
        then); by default also
        a 30-min lunch (60 min on an hourly grid), a 15-min break (on a 30-
        or 60-min grid its share of the interval is off the floor) and
        leads/manager per the span of control rules.  Unless the rules set
        ``cyclic``, the plan wraps when no ``previous_roster`` is given (a
        weekly template), so a 24/7 or night centre does not start empty.
    volume_quantile : float, optional
        Staff to this forecast quantile (e.g. 0.95: "95% sure") instead of the
        mean. The verdict is then reported at the mean (``verdict``) and at
        the quantile (``verdict_quantile``).
    certainty : float, optional
        Staff so that each day meets its service target with this probability
        under the forecast's uncertainty [fraction, in (0, 1)], at the least
        staff within the method of :mod:`staffplan.plan._certainty` (every
        interval of a day staffed to the target at one day-level scale of the
        mean, never below the mean plan). Contradicts ``volume_quantile``.
        Every plan's ``daily`` frame reports, per day, ``p_meet_target`` and
        ``expected_service_level`` over the forecast's sample paths.
    staffing : {"erlang", "time_stable"}
        ``"erlang"``: each interval staffed by the formula (Erlang C, or A with
        ``patience_s``) as if it started empty. ``"time_stable"``: then raised
        where a simulation that carries each interval's backlog into the next
        finds the target missed (the iterative staffing algorithm of Feldman et
        al. 2008, :mod:`staffplan.plan._isa`); slower (simulation runs).
    quantiles : sequence of float
        Quantiles the forecast carries (``volume_quantile`` is added).
    interval_min : int, optional
        Interval length [min]; inferred from the history by default, refused
        when it disagrees with the history's spacing.
    forecast_method : str
        Passed to :func:`staffplan.forecast.forecast`.
    queue : str or sequence of str, optional
        Plan only these queues. By default every queue is planned together.
    aht_s : float, optional
        Average handle time [s] to use when the history has no ``aht_s``
        column (or to override it).
    simulate : bool
        Check the verdict with a discrete-event simulation.
    n_reps : int
        Simulation replications per day.
    sim_tolerance : float
        Service-level gap [fraction] allowed outside the simulation's 95% CI.
    rng : numpy.random.Generator or int or None
        Seed for the simulation and the roster solver.
    time_limit_s : float
        Roster solver time limit [s].
    num_workers : int, optional
        Roster solver workers.
    progress : callable, optional
        Called as ``progress(stage, seconds)`` after each stage; the stage
        timings are also logged (``logging``, logger ``staffplan.plan``, DEBUG).
        When it also has a method ``start(stage, budget_s)``, that is called as
        a long stage begins with its time budget [s]: the roster, with
        ``time_limit_s`` (the command line draws a progress bar with it).
    skills : mapping {group: skills}, sequence of SkillGroup or DataFrame, optional
        Agent skill groups (:func:`staffplan.skills.groups_from`).  The queues are
        then staffed by group with the pooling cross-training gives
        (:func:`staffplan.skills.skill_requirements`, ``docs/skills.md``) instead of
        being added into one requirement; the roster covers each group and the
        summary adds ``agents_needed[<group>]`` and ``service_level[<queue>]``
        (simulated on the rostered groups).  A queue no group serves is refused.
    queues : DataFrame, optional
        With ``skills``: a queue table (``queue``, ``channel``, optional
        ``service_level`` [fraction], ``target_answer_s`` [s], ``concurrency``),
        one row per queue of the history, instead of the history's ``channel`` /
        ``concurrency`` columns (:func:`staffplan.skills._queues.queue_settings`);
        empty cells keep ``service``'s values.
    previous_roster : DataFrame or Plan or RosterResult, optional
        The roster before ``start`` (or its tail): its shifts still at work
        when the plan starts count on the floor (coverage, leads, manager; see
        :func:`staffplan.roster.make_instance`), and the plan does not wrap.

    Returns
    -------
    Plan

    Notes
    -----
    **Several queues** are pooled: volumes add and AHT is the volume-weighted
    mean, so traffic adds, and one requirement is computed on the total. The
    roster staffs one pool of agents (it has no skills per person), so the only
    model consistent with the roster is one pooled queue; summing per-queue
    requirements would staff dedicated teams the roster cannot express and
    overstaff (two 10-Erlang queues need more agents apart than together).
    Plan queues one by one with ``queue=`` when agents are dedicated.

    **Shrinkage** excludes lunches and breaks (the roster places them):
    requirement on the floor = agents on the phones / (1 - shrinkage); the
    verdict uses on-floor agents × (1 - shrinkage) on the phones.

    **The verdict** is Erlang C (Erlang A with ``patience_s``) at those
    agents per interval; the simulation check adds ``sim_*`` columns and the
    ``sim_disagrees`` flag, and a warning when formula and simulation differ
    beyond the simulation's 95% CI plus ``sim_tolerance``.

    Examples
    --------
    >>> import staffplan
    >>> from staffplan import datasets
    >>> from staffplan.plan import Scenario, ServiceTarget, compare
    >>> history, events = datasets.load_sample()
    >>> p = staffplan.plan(history, horizon="2D", start="2026-03-02", events=events,
    ...                    service=ServiceTarget(shrinkage=0.3), time_limit_s=10)  # doctest: +SKIP
    >>> p.summary["service_level"], p.daily, p.warnings  # doctest: +SKIP
    >>> compare(p, Scenario("+40%, +3% budget", volume_factor=1.4, budget_factor=1.03))  # doctest: +SKIP
    """
    notes: list[str] = []
    tick = time.perf_counter()

    def done(stage: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        _log.debug("%-14s %7.2f s", stage, now - tick)
        if progress is not None:
            progress(stage, now - tick)
        tick = now

    service = _check_inputs(service, volume_quantile, time_limit_s, forecast_method)
    certainty = check_certainty(certainty, volume_quantile)
    check_choice(staffing, "staffing", STAFFING_METHODS)
    n_reps = check_int(n_reps, "n_reps", minimum=2)
    hist, queues_in = _prepare_history(history, queue)
    channels: tuple[Any, Any] = (None, None)
    skill_service: ServiceTarget | dict[str, ServiceTarget] = service
    if skills is not None:  # every queue served, every skill a queue: before the work
        from staffplan.skills import check_served, groups_from
        from staffplan.skills._plan import queue_channels

        check_served(groups_from(skills), queues_in)
        pooled_only = [f"certainty={certainty!r} (--certainty)"] if certainty is not None else []
        if staffing != defaults.STAFFING:
            pooled_only.append(f"staffing={staffing!r} (--staffing)")
        if pooled_only:
            # Name only what was given: the default staffing is no mistake of the caller's.
            raise ValueError(
                "skills= (--skills) staffs each skill group at the mean or a volume_quantile; "
                f"{' and '.join(pooled_only)} {'is' if len(pooled_only) == 1 else 'are'} for "
                "the pooled plan: drop it or plan without skills"
            )
        channels = queue_channels(hist)
        if queues is not None:
            from staffplan.skills._queues import queue_settings

            if channels != (None, None):
                raise ValueError(
                    "queues= and the history's channel/concurrency columns both give the "
                    "channels; keep one: drop the columns or the queue table"
                )
            chan, conc, per_queue = queue_settings(queues, queues_in, service)
            channels = (chan, conc)
            skill_service = per_queue
    elif queues is not None:
        raise ValueError(
            "queues= (a queue table) is for plans by skill group; pass skills= too "
            "(one group per queue staffs them apart)"
        )
    else:
        _refuse_pooled_channels(hist)
    if "aht_s" not in hist and aht_s is None:
        raise ValueError(
            "history has no 'aht_s' column: pass aht_s= (average handle time [s]) to plan()"
        )
    if aht_s is not None:
        aht_s = float(check_positive(aht_s, "aht_s"))
        if "aht_s" in hist:
            # Replaced in every interval: an export's 0 for "unknown" blocks nothing.
            own_aht = pd.to_numeric(hist["aht_s"], errors="coerce")
            hist["aht_s"] = own_aht.where(own_aht > 0)
        if "aht_s" in hist and hist["aht_s"].notna().any():
            own = volume_weighted(hist["aht_s"], hist["volume"].fillna(0.0))
            notes.append(
                f"aht_s={aht_s:g} s replaces the history's own AHT (volume-weighted mean "
                f"{own:.0f} s) in every interval"
            )
    interval_min = intervals.interval_min_for(hist["ds"], interval_min, name="history['ds']")
    span = intervals.horizon_span(horizon, interval_min)
    # The rules are checked on the grid now, not after the forecast.
    roster_rules = _rules(rules, interval_min).check(interval_min)
    first, end = plan_window(
        hist["ds"], start, span, interval_min, volume=hist["volume"], notes=notes
    )
    qs = tuple(
        sorted({float(q) for q in quantiles} | ({volume_quantile} if volume_quantile else set()))
    )
    for q in qs:
        check_fraction(q, "quantiles")
    done("prepare")

    seed = _seed_of(rng)
    fc, model = _forecast_model(
        hist,
        start=first,
        end=end,
        interval_min=interval_min,
        quantiles=qs,
        events=events,
        method=forecast_method,
        notes=notes,
    )
    done("forecast")

    demand = pool_queues(fc, aht_s)
    # Joint sample paths of the pooled volume: the per-day chance of meeting the target.
    paths = pooled_paths(
        fc,
        model.sample_paths(fc, n_paths=N_PATHS, rng=np.random.default_rng([seed, 1]), rates=True),
        demand["ds"],
    )
    reqs, scales = _requirements(
        demand,
        paths,
        service,
        interval_min,
        volume_quantile,
        certainty,
        notes,
        rng=np.random.default_rng([seed, 3]),
    )
    isa_facts = None
    if staffing == "time_stable":
        reqs, isa_facts = time_stable_requirements(
            reqs, service=service, interval_min=interval_min, rng=np.random.default_rng([seed, 2])
        )
        if not isa_facts["converged"]:
            notes.append(
                f"time-stable staffing stopped after {isa_facts['iterations']} iterations with "
                "intervals still short in simulation; the verdict's simulation shows where"
            )
    staff_col = "volume" if volume_quantile is None else quantile_column(volume_quantile)
    group_frame = skill_req = None
    if skills is not None:  # by skill group: staffplan.skills._plan
        from staffplan.skills._plan import skill_stage

        reqs, group_frame, skill_req = skill_stage(
            fc,
            skills,
            staff_col=staff_col,
            aht_s=aht_s,
            service=skill_service,
            interval_min=interval_min,
            simulate=simulate,
            seed=seed,
            channels=channels,
        )
    done("requirements")

    start_stage = getattr(progress, "start", None)
    if callable(start_stage):
        start_stage("roster", float(time_limit_s))
    result = _solve_roster(
        reqs,
        interval_min=interval_min,
        rules=roster_rules,
        time_limit_s=time_limit_s,
        num_workers=num_workers,
        seed=seed,
        previous_roster=previous_roster,
        groups=group_frame,
        group_skills=None if skill_req is None else {g.name: g.skills for g in skill_req.groups},
    )
    if roster_rules.shifts is not None and result.ok:
        from staffplan.roster._hours import outside_hours_note

        wall = intervals.wall_time(reqs["ds"])
        note = outside_hours_note(result.roster, wall, reqs["scheduled"], interval_min=interval_min)
        if note is not None:
            notes.append(note)
    done("roster")

    settings = {
        "start": str(first),
        "end": str(end),
        "horizon": str(horizon),
        "interval_min": interval_min,
        "queues": queues_in,
        "pooling": "pooled",
        "service": service.to_dict(),
        "volume_quantile": volume_quantile,
        "certainty": certainty,
        "n_paths": N_PATHS,
        "staffing": staffing,
        "time_stable": isa_facts,
        "quantiles": list(qs),
        "forecast_method": forecast_method,
        "aht_s": aht_s,
        # The rules as given ("shifts": None stays "fit to the requirement"), and the
        # shift types the roster used.
        "rules": roster_rules.to_dict(),
        "roster_shifts": _used_shifts(roster_rules, reqs, interval_min),
        "simulate": bool(simulate),
        "n_reps": n_reps,
        "sim_tolerance": sim_tolerance,
        "seed": seed,
        "time_limit_s": float(time_limit_s),
        "num_workers": num_workers,
        "roster_status": result.status,
        # Shifts carried in from before the plan (None: the week wraps onto itself).
        "previous_roster": None
        if previous_roster is None
        else carried_in_records(previous_roster, reqs),
    }
    if queues is not None:  # the queue table as read: channel, concurrency, target per queue
        settings["queue_table"] = {
            q: {
                "channel": channels[0][q],
                "concurrency": channels[1].get(q, 1),
                "service": skill_service[q].to_dict(),
            }
            for q in queues_in
            if isinstance(skill_service, dict) and channels[0] is not None
        }
    plan_ = assemble(
        forecast=fc,
        history=hist.reset_index(drop=True),
        requirements=reqs,
        roster_result=result,
        roster_frame=result.roster,
        coverage=result.coverage,
        service=service,
        interval_min=interval_min,
        mean_volume=demand["volume"].to_numpy(float),
        quantile=volume_quantile is not None,
        simulate=simulate,
        n_reps=n_reps,
        tolerance=sim_tolerance,
        rng=rng,
        settings=settings,
        warnings=notes,
        done=done,
        volume_paths=paths,
        certainty_scales=scales,
        events=plan_events(model.events_),
    )
    if skill_req is not None and group_frame is not None:
        from staffplan.skills._plan import finish_plan

        plan_ = finish_plan(
            plan_,
            skill_req,
            fc,
            staff_col=staff_col,
            aht_s=aht_s,
            reqs=reqs,
            groups=group_frame,
            rules=roster_rules,
            previous_roster=previous_roster,
            service=skill_service,
            interval_min=interval_min,
            runs=n_reps,
            seed=seed,
            channels=channels,
        )
    done("summary")
    return plan_


def _requirements(
    demand: pd.DataFrame,
    paths: np.ndarray,
    service: ServiceTarget,
    interval_min: int,
    volume_quantile: float | None,
    certainty: float | None,
    notes: list[str],
    rng: np.random.Generator | int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The requirement staffed for: the mean, a volume quantile or a day-level certainty.

    ``rng`` draws the count-noise-only paths behind ``scale_count_noise``.
    """
    staffed = (
        demand["volume"] if volume_quantile is None else demand[quantile_column(volume_quantile)]
    )
    scales = None
    if certainty is not None:
        scales = certainty_scale(
            demand["ds"],
            demand["volume"],
            demand["aht_s"],
            paths,
            certainty=certainty,
            service=service,
            interval_min=interval_min,
        )
        scales["scale_count_noise"] = count_noise_scale(
            demand["ds"],
            demand["volume"],
            demand["aht_s"],
            certainty=certainty,
            service=service,
            interval_min=interval_min,
            rng=rng,
        )
        _certainty_note(scales, demand, certainty, interval_min, notes)
        _, code = day_codes(demand["ds"])
        staffed = demand["volume"] * scales["scale"].to_numpy()[code]
        for _, row in scales[~scales["reached"]].iterrows():
            notes.append(
                f"{row['date'].date()} meets its target on only {row['p_meet_target']:.0%} of "
                f"the forecast's paths even staffed for {MAX_SCALE:g}x its mean volume, short of "
                f"certainty={certainty:g}: its forecast is too uncertain; plan it at a lower "
                "certainty or re-forecast closer to the day"
            )
    reqs = requirements_frame(
        demand["ds"], staffed, demand["aht_s"], service=service, interval_min=interval_min
    )
    return reqs, scales


#: A certainty scale at or above this gets a note saying where it comes from.
_NOTABLE_SCALE = 1.1


def _certainty_note(
    scales: pd.DataFrame,
    demand: pd.DataFrame,
    certainty: float,
    interval_min: int,
    notes: list[str],
) -> None:
    """Say why days are staffed well above their mean: the counts' own noise, or the forecast's."""
    scale = scales["scale"].to_numpy()
    if scale.max() < _NOTABLE_SCALE:
        return
    count = scales["scale_count_noise"].to_numpy()
    busy = demand["volume"].to_numpy() > 0
    per_interval = float(demand["volume"][busy].mean()) if busy.any() else 0.0

    def span(x: np.ndarray) -> str:
        lo, hi = f"{x.min():.2f}", f"{x.max():.2f}"
        return f"{lo}x" if lo == hi else f"{lo}-{hi}x"

    notes.append(
        f"certainty={certainty:g} staffs days for {span(scale)} their mean volume; with about "
        f"{per_interval:.0f} contacts per {interval_min}-min interval the counts' and the "
        f"queue's own randomness would need {span(count)} even with a perfect forecast (daily "
        "'certainty_scale_count_noise'); the rest covers the forecast's day-level error"
    )


def _check_inputs(
    service: ServiceTarget | None,
    volume_quantile: float | None,
    time_limit_s: float,
    forecast_method: Any,
) -> ServiceTarget:
    """The scalar arguments of :func:`plan`, checked before any data is read."""
    service = ServiceTarget() if service is None else service
    if not isinstance(service, ServiceTarget):
        raise TypeError(f"service must be a ServiceTarget, got {type(service).__name__}")
    if volume_quantile is not None:
        check_fraction(volume_quantile, "volume_quantile")
    check_positive(time_limit_s, "time_limit_s")
    if not isinstance(forecast_method, str):
        raise TypeError(f"forecast_method must be a string, got {type(forecast_method).__name__}")
    return service


def plan_window(
    ds: pd.Series,
    start: Any,
    span: pd.Timedelta,
    interval_min: int,
    *,
    volume: Any,
    notes: list[str],
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First interval and end of a plan of length ``span`` after a history's ``ds``.

    By default the plan starts with the centre's next operating day after the history
    (:func:`staffplan.intervals.next_operating_day`, on the hours the history's
    ``volume`` shows): the next midnight, or for a night centre open 22:00-06:00 the
    next 22:00, so that its first night is whole.  A horizon in days then counts
    operating days.  ``staffplan forecast`` uses the same window, so the chain plans
    the same days.  A given ``start`` is kept; one that cuts an operating day in half
    adds a note with the fix to ``notes``, as does a history that ends inside an operating
    day (by that weekday's hours), whose rest the default start leaves unplanned.
    """
    is_open = intervals.daily_open_mask(ds, volume, interval_min)
    if start is None:
        after = ds.max() + pd.Timedelta(minutes=interval_min)
        first = intervals.next_operating_day(after, is_open, interval_min)
        rest = _rest_of_day_note(after, first, ds, volume, is_open, interval_min)
        if rest:
            notes.append(rest)
    else:
        first = intervals.as_datetime_index([start], "start")[0]
    tz = ds.dt.tz
    if tz is not None and first.tz is None:
        first = first.tz_localize(tz)
    elif tz is None and first.tz is not None:
        raise ValueError(f"start must be naive like history['ds'], got {first}")
    if start is not None:
        cut = _cut_day_note(first, is_open, interval_min)
        if cut:
            notes.append(cut)
    if first.tz is not None and span % pd.Timedelta(days=1) == pd.Timedelta(0):
        # Whole days are calendar days: "7D" over the night the clocks go back is 169 h
        # and ends at midnight, not at 23:00 with the week's last hour left unplanned.
        end = (first.tz_localize(None) + span).tz_localize(
            first.tz, ambiguous=True, nonexistent="shift_forward"
        )
        return first, end
    return first, first + span


def _rest_of_day_note(
    after: pd.Timestamp,
    first: pd.Timestamp,
    ds: pd.Series,
    volume: Any,
    is_open: np.ndarray,
    interval_min: int,
) -> str | None:
    """The note for a history that ends inside the centre's open hours: the default start,
    the next operating day, leaves the rest of that day unplanned (None when it does not).

    The hours are that weekday's own, from the history (a short Saturday closes before the
    week's latest closing: a history ending at its close leaves nothing unplanned).
    """
    if first <= after:
        return None
    day_start_min = intervals.operating_day_start(is_open) * interval_min
    hist = intervals.wall_time(ds)
    days = intervals.operating_day(hist, day_start_min)
    wall = intervals.wall_time([after])[0]
    day = intervals.operating_day([wall], day_start_min)[0]
    minute = pd.Timedelta(minutes=1)
    since = np.asarray((hist - days) / minute) - day_start_min
    busy = np.nan_to_num(np.asarray(volume, dtype=np.float64)) > 0
    open_min = since[busy & (intervals.weekday(days) == intervals.weekday([day])[0])]
    now = (wall - day) / minute - day_start_min
    if not (open_min < now).any() or not (open_min >= now).any():
        return None
    opens = day + pd.Timedelta(minutes=day_start_min + float(open_min.min()))
    closes = day + pd.Timedelta(minutes=day_start_min + float(open_min.max()) + interval_min)
    return (
        f"the history ends at {wall:%Y-%m-%d %H:%M}, inside the centre's operating day "
        f"({opens:%Y-%m-%d %H:%M}-{closes:%H:%M}): the plan starts with the next one, at "
        f"{intervals.wall_time([first])[0]:%Y-%m-%d %H:%M}, and the rest of that day "
        f"({_hours(closes - wall)}) is not planned; pass start={wall:%Y-%m-%d %H:%M} to plan "
        "it as a partial first day"
    )


def _cut_day_note(first: pd.Timestamp, is_open: np.ndarray, interval_min: int) -> str | None:
    """The note for a start inside the centre's open hours (None for one that is not)."""
    open_slot, n_open = intervals.opening_hours(is_open)
    day_start_min = intervals.operating_day_start(is_open) * interval_min
    wall = intervals.wall_time([first])[0]
    day = intervals.operating_day([wall], day_start_min)[0]
    opens = day + pd.Timedelta(minutes=(open_slot * interval_min - day_start_min) % 1440)
    opens += pd.Timedelta(minutes=day_start_min)
    closes = opens + pd.Timedelta(minutes=n_open * interval_min)
    if not opens < wall < closes:
        return None
    return (
        f"start {wall:%Y-%m-%d %H:%M} cuts the centre's operating day in half: its hours "
        f"began at {opens:%Y-%m-%d %H:%M} and their first {_hours(wall - opens)} are not "
        f"planned; start at {opens:%Y-%m-%d %H:%M} to plan whole operating days"
    )


def _hours(span: pd.Timedelta) -> str:
    h = span / pd.Timedelta(hours=1)
    return f"{h:g} hour{'' if h == 1 else 's'}"


def _rules(rules: Rules | Mapping[str, Any] | None, interval_min: int) -> Rules:
    """The public boundary of rules: a ``Rules``, a dict (converted) or None (defaults)."""
    from staffplan.roster import Rules

    return Rules.from_dict(rules, interval_min=interval_min)


def _used_shifts(rules: Rules, reqs: pd.DataFrame, interval_min: int) -> list[dict[str, Any]]:
    """The shift types the roster was given (fitted when the rules give none)."""
    fitted = rules.fitted(
        intervals.wall_time(reqs["ds"]), reqs["scheduled"], interval_min=interval_min
    )
    return [dataclasses.asdict(s) for s in fitted.shifts or ()]


def assemble(
    *,
    forecast: pd.DataFrame,
    history: pd.DataFrame | None,
    requirements: pd.DataFrame,
    roster_result: Any,
    roster_frame: pd.DataFrame,
    coverage: pd.DataFrame,
    service: ServiceTarget,
    interval_min: int,
    mean_volume: np.ndarray,
    quantile: bool,
    simulate: bool,
    n_reps: int,
    tolerance: float,
    rng: np.random.Generator | int | None,
    settings: Mapping[str, Any],
    warnings: Sequence[str] = (),
    paid_factor: float = 1.0,
    base_summary: Mapping[str, Any] | None = None,
    done: Callable[[str], None] | None = None,
    volume_paths: np.ndarray | None = None,
    certainty_scales: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
) -> Plan:
    """Judge a roster against a requirement and package everything as a :class:`Plan`.

    ``roster_result`` (a :class:`staffplan.roster.RosterResult`, or None when
    an existing roster is re-used) adds solver facts and warnings;
    ``paid_factor`` scales paid hours (a budget what-if); ``base_summary``
    lets a scenario estimate the paid hours its requirement needs;
    ``volume_paths`` (sample paths of the pooled volume, paths × intervals)
    add each day's ``p_meet_target`` and ``expected_service_level`` to
    ``daily``, and ``certainty_scales`` (from
    :func:`staffplan.plan._certainty.certainty_scale`) the scale each day was
    staffed for; ``events`` are the forecaster's events (:func:`plan_events`).
    """
    verdict = build_verdict(
        requirements, coverage, service=service, interval_min=interval_min, volume=mean_volume
    )
    verdict_q = (
        build_verdict(requirements, coverage, service=service, interval_min=interval_min)
        if quantile
        else None
    )
    notes = list(warnings) + _warnings_for(verdict, roster_result, service, interval_min)
    if done is not None:
        done("verdict")
    if simulate:
        verdict, sim_notes = check_with_simulation(
            verdict,
            interval_min=interval_min,
            target_answer_s=service.target_answer_s,
            patience_s=service.patience_s,
            n_reps=n_reps,
            tolerance=tolerance,
            rng=rng,
        )
        notes += sim_notes
        verdict["at_risk"] = mark_at_risk(verdict, service.service_level)
        if done is not None:
            done("simulation")
    summary = summarize(
        verdict, requirements, roster_frame, interval_min=interval_min, on_floor_factor=paid_factor
    )
    if base_summary is not None:
        needed = float(base_summary.get("agent_hours_needed", math.nan))
        paid = float(base_summary.get("paid_hours", math.nan))
        summary["paid_hours_needed"] = (
            paid * summary["agent_hours_needed"] / needed if needed > 0 else math.nan
        )
    if verdict_q is not None:
        at_q = summarize(verdict_q, requirements, roster_frame, interval_min=interval_min)
        for key in ("volume", "service_level", "asa_s", "p_abandon", "occupancy"):
            summary[f"{key}_at_quantile"] = at_q[key]
    if simulate:
        summary["sim_service_level"] = volume_weighted(
            verdict["sim_service_level"], verdict["volume"]
        )
        busy = verdict["volume"] > 0
        summary["sim_intervals_below_target"] = float(
            (busy & (verdict["sim_service_level"] < service.service_level - 1e-9)).sum()
        )
        summary["intervals_at_risk"] = float(verdict["at_risk"].sum())
        summary["sim_gap"] = summary["sim_service_level"] - summary["service_level"]
        summary["sim_disagreeing_intervals"] = float(verdict["sim_disagrees"].sum())
    if roster_result is not None:
        summary["roster_objective"] = float(roster_result.objective)
        summary["roster_gap"] = float(roster_result.gap)
        summary["roster_wall_time_s"] = float(roster_result.wall_time_s)
    daily = daily_verdict(
        verdict, interval_min=interval_min, target_service_level=service.service_level
    )
    if volume_paths is not None:
        daily = _add_day_chance(daily, verdict, volume_paths, service, interval_min, summary)
    if certainty_scales is not None:
        daily["certainty_scale"] = certainty_scales["scale"].to_numpy()
        if "scale_count_noise" in certainty_scales:
            daily["certainty_scale_count_noise"] = certainty_scales["scale_count_noise"].to_numpy()
    return Plan(
        forecast=forecast,
        requirements=requirements,
        roster=roster_frame,
        coverage=coverage,
        verdict=verdict,
        daily=daily,
        peaks=peak_intervals(verdict),
        verdict_quantile=verdict_q,
        history=history,
        events=events,
        settings=plain_settings(settings),
        summary=summary,
        warnings=tuple(notes),
    )


def _add_day_chance(
    daily: pd.DataFrame,
    verdict: pd.DataFrame,
    paths: np.ndarray,
    service: ServiceTarget,
    interval_min: int,
    summary: dict[str, Any],
) -> pd.DataFrame:
    """Each day's chance of meeting the target with the rostered staff, and the summary's."""
    chance = day_chance(
        verdict["ds"],
        paths,
        verdict["aht_s"],
        verdict["on_phones"],
        service=service,
        interval_min=interval_min,
    )
    if len(chance) != len(daily):  # pragma: no cover - both group the same intervals by day
        raise RuntimeError("the day chance and the daily verdict disagree on the days")
    out = daily.copy()
    for col in ("p_meet_target", "expected_service_level", "service_level_p05"):
        out[col] = chance[col].to_numpy()
    summary["p_day_meets_target"] = float(chance["p_meet_target"].mean())
    summary["min_p_day_meets_target"] = float(chance["p_meet_target"].min())
    summary["expected_service_level"] = volume_weighted(
        chance["expected_service_level"], daily["volume"]
    )
    return out
