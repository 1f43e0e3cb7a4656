"""Intraday re-plan: re-forecast the rest of the day, re-staff, and change as little as possible.

At ``now`` the morning's actuals re-level the rest of the day and the next day
(:mod:`staffplan.forecast._update`; the forecaster is fitted again as the
plan's was, with the events the plan records), the requirement is recomputed
for the intervals from ``now`` on, and a small CP-SAT model over the rest of
the day proposes the fewest changes to the rostered agents that cover it:

* **overtime**: a shift ends later, in whole intervals (at most
  ``max_overtime_min``);
* **early leave** (voluntary time off): a shift ends earlier, in whole
  intervals (at most ``max_early_leave_min``), never before ``now``;
* **lunch and break moves**: a lunch or break that has not started moves to
  another start its rule allows (the rule's window from the shift start), inside
  the shift as it now ends.

Nothing before ``now`` changes: shifts keep their starts, a lunch or break that
has started stays where it is, and the past intervals keep their forecast and
requirement.  Leads and managers keep their shifts; agents on the floor never
exceed what the leads and manager on the floor allow (the span of control), or
the plan's own count where the plan already did.

The objective, in agent-intervals: ``shortage_cost`` per agent short of the
requirement per interval, plus ``change_cost`` per change, plus one per paid
interval added (an early leave saves one per interval).  So changes are made
only where they buy coverage (or save more paid time than they cost), and among
equal rosters the one with the fewest changes wins.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan import defaults, intervals
from staffplan._io import break_pairs
from staffplan._validation import check_int, check_positive
from staffplan.forecast._forecaster import VolumeForecaster, quantile_column
from staffplan.forecast._frame import Columns
from staffplan.forecast._update import (
    adjust,
    check_now,
    day_of_now,
    level_row,
    observed_level,
    read_actuals,
)
from staffplan.plan._pipeline import _seed_of, assemble, build_verdict, requirement_grid
from staffplan.plan._plan import NO_EVENTS_NOTE, Plan, plan_events
from staffplan.plan._service import pool_queues, requirements_frame
from staffplan.plan._verdict import check_with_simulation, volume_weighted

if TYPE_CHECKING:
    from staffplan.roster import RosterInstance

__all__ = ["CHANGE_COLUMNS", "Replan", "replan"]

#: Columns of :attr:`Replan.changes`.
CHANGE_COLUMNS = (
    "person",
    "role",
    "change",
    "from_start",
    "from_end",
    "to_start",
    "to_end",
    "paid_min",
)


@dataclass(frozen=True)
class Replan:
    """What :func:`replan` returns.

    Attributes
    ----------
    plan : Plan
        The plan from ``now`` on: forecast and requirement updated after
        ``now`` (unchanged before), the roster with the changes, its coverage
        and formula verdict.
    changes : pandas.DataFrame
        One row per change: ``person``, ``role``, ``change`` (``"overtime"``,
        ``"early_leave"``, ``"move_lunch"``, ``"move_break"``), ``from_start``,
        ``from_end`` (the shift's end, or the lunch/break moved), ``to_start``,
        ``to_end`` and ``paid_min`` (paid minutes added; negative for an early
        leave).
    rest : pandas.DataFrame
        Per interval of the rest of the day: ``ds``, ``volume`` (updated mean
        [contacts]), ``required`` (agents on the floor), ``on_floor_before``,
        ``on_floor_after``, ``service_level_before``, ``service_level_after``
        (formula), and with ``simulate`` ``sim_service_level_before``/``_after``.
    level : pandas.DataFrame
        Per queue: the ``day`` observed (the operating day of ``now``: at a
        centre open 22:00-06:00, the night since 22:00, dated by its evening),
        the morning's ``actual`` and ``forecast`` contacts over its
        ``slots_observed`` intervals (counted from the day's start), the
        ``observed_ratio`` ((actual + 1) / (forecast + 1)), the weights and
        factors applied (``factor_today`` = ratio ** ``weight_today`` scales the
        rest of the day, ``factor_next`` the next day; see :meth:`staffplan.forecast.VolumeForecaster.update`) and the
        rest of the day's contacts as planned and as updated
        (``rest_of_day_planned``, ``rest_of_day_updated``) [contacts].
    summary : dict
        ``now``, ``service_level_before``, ``service_level_after`` (volume
        weighted over the rest of the day, formula), their ``sim_`` twins,
        ``shortage_before``/``_after`` [agent-intervals], ``overtime_h``,
        ``early_leave_h``, ``paid_hours_change`` [h], ``changes``,
        ``solver_status``, ``solver_wall_time_s``.
    warnings : tuple of str
        What a planner must know (solver limits, a shortage left).
    """

    plan: Plan
    changes: pd.DataFrame
    rest: pd.DataFrame
    level: pd.DataFrame
    summary: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


# -- inputs ------------------------------------------------------------------------


def _plan_tz(plan: Plan) -> Any:
    ds = plan.forecast["ds"]
    return ds.dt.tz if pd.api.types.is_datetime64_any_dtype(ds) else None


def _check_now_in_plan(plan: Plan, now: Any, step: int) -> pd.Timestamp:
    tz = _plan_tz(plan)
    ts = check_now(now, tz=tz, interval_min=step)
    start = intervals.as_datetime_index([plan.settings["start"]], "plan start")[0]
    end = intervals.as_datetime_index([plan.settings["end"]], "plan end")[0]
    if tz is not None:
        start = start.tz_convert(tz) if start.tz is not None else start.tz_localize(tz)
        end = end.tz_convert(tz) if end.tz is not None else end.tz_localize(tz)
    if not start <= ts < end:
        raise ValueError(
            f"now must lie inside the plan ({start} to {end}, end excluded), got {ts}; "
            "re-plan a day the plan covers"
        )
    return ts


def _fit_forecaster(plan: Plan, events: Any) -> VolumeForecaster:
    """The plan's forecaster again: its history, method, grid and events (``events`` given)."""
    if plan.history is None or plan.history.empty:
        raise ValueError(
            "plan has no history to learn the update from; pass forecaster= (a fitted "
            "VolumeForecaster) or make the plan with staffplan.plan, which keeps its history"
        )
    hist = plan.history
    cols = [c for c in ("queue", "ds", "volume", "aht_s") if c in hist]
    model = VolumeForecaster(
        plan.settings.get("forecast_method", "auto"), interval_min=plan.interval_min
    )
    return model.fit(hist[cols], events=events)


def _events_for_refit(plan: Plan, events: Any, notes: list[str]) -> Any:
    """The events given, else the plan's own; a plan that does not record them is named."""
    if events is not None:
        return events
    if plan.events is None:
        notes.append(NO_EVENTS_NOTE)
        return None
    if not len(plan.events):
        return None
    # Rows the forecaster read from a holiday calendar come back as plain rows: the
    # same days, names and kinds, so the refit learns the same effects.
    out = plan.events.copy()
    labels = {}
    if plan.history is not None and "queue" in plan.history:
        labels = {str(q): q for q in pd.unique(plan.history["queue"])}
    out["queue"] = [labels.get(str(q), q) if str(q) != "" else None for q in out["queue"]]
    return out


def updated_forecast(
    plan: Plan,
    forecaster: VolumeForecaster,
    actuals: pd.DataFrame,
    now: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan's forecast with the day of ``now`` and the next re-levelled per queue.

    The morning's ratio is taken against the plan's own forecast, so the update
    moves what was planned; rows before ``now`` are returned unchanged.
    """
    step = plan.interval_min
    fc = plan.forecast
    queues = list(forecaster.models_)
    last = {q: m.grid.last_ds for q, m in forecaster.models_.items()}
    frames, _ = read_actuals(
        actuals,
        Columns(),
        queues=queues,
        has_queue=forecaster.has_queue_,
        interval_min=step,
        tz=_plan_tz(plan),
        after=last,
        now=now,
    )
    levels = tuple(float(q) for q in plan.settings.get("quantiles", ()))
    qcols = [quantile_column(lev) for lev in levels if quantile_column(lev) in fc]
    levels = tuple(lev for lev in levels if quantile_column(lev) in fc)
    out = fc.copy()
    rows = []
    for q, part in frames.items():
        m = forecaster.models_[q]
        label = q if forecaster.has_queue_ else "all"
        mine = (out["queue"].astype(str) == str(label)).to_numpy()
        if m.level_update is None:
            continue
        # The operating day of now: a night centre's night since opening, else the calendar day.
        start = m.level_update.day_start_min
        day, k = day_of_now(now, step, start)
        today = part[intervals.operating_day(part["ds"], start) == day]
        if today.empty:
            continue
        planned = out.loc[mine].set_index("ds")["volume"]
        base = planned.reindex(pd.DatetimeIndex(today["ds"])).to_numpy(np.float64)
        # A night that began before the plan: its earlier hours have no planned forecast
        # to compare with, so they count on neither side of the ratio.
        seen = np.where(np.isnan(base), np.nan, today["volume"].to_numpy(np.float64))
        obs = observed_level(day, k, seen, np.nan_to_num(base))
        later = mine & (out["ds"] >= now).to_numpy()
        rest_today = later & (intervals.operating_day(out["ds"], start) == day)
        planned_rest = float(out.loc[rest_today, "volume"].sum())
        point, qv = adjust(
            m.level_update,
            obs,
            pd.DatetimeIndex(out.loc[later, "ds"]),
            out.loc[later, "volume"].to_numpy(np.float64),
            out.loc[later, qcols].to_numpy(np.float64),
            levels,
        )
        out.loc[later, "volume"] = point
        out.loc[later, qcols] = qv
        rows.append(
            {
                **level_row(label, obs, m.level_update),
                "rest_of_day_planned": planned_rest,
                "rest_of_day_updated": float(out.loc[rest_today, "volume"].sum()),
            }
        )
    return out, pd.DataFrame(rows)


# -- the small model --------------------------------------------------------------------


@dataclass
class _Option:
    """One choice for one piece of one shift: its effect on the floor per interval."""

    value: Any  # new end, or new (start, end) of a lunch/break
    delta: dict[int, float]  # slot -> change of agents on the floor (unscaled)
    paid_min: float = 0.0
    changed: bool = False


@dataclass
class _Shift:
    row: int
    ends: list[_Option]
    pieces: list[tuple[str, int, list[_Option]]]  # (kind, index in breaks or -1, options)


def _shares(
    inst: RosterInstance, a: pd.Timestamp, b: pd.Timestamp, sign: float
) -> dict[int, float]:
    from staffplan.roster._solution import add_shares

    acc = np.zeros(inst.n_intervals)
    mins = np.array([(a - inst.start) / pd.Timedelta(minutes=1)])
    add_shares(inst, acc, mins, mins + (b - a) / pd.Timedelta(minutes=1))
    nz = np.flatnonzero(acc)
    return {int(i): sign * float(acc[i]) for i in nz}


def _merge(*parts: dict[int, float]) -> dict[int, float]:
    out: dict[int, float] = {}
    for p in parts:
        for k, v in p.items():
            out[k] = out.get(k, 0.0) + v
    return {k: v for k, v in out.items() if abs(v) > 1e-12}


def _piece_options(
    inst: RosterInstance,
    start: pd.Timestamp,
    length_min: int,
    piece: tuple[pd.Timestamp, pd.Timestamp],
    offsets: list[int],
    now: pd.Timestamp,
) -> list[_Option]:
    """The original piece and every other start its rule allows that has not begun."""
    a0, b0 = piece
    dur = b0 - a0
    back = _shares(inst, a0, b0, +1.0)  # the piece's agents return to the floor
    opts = [_Option((a0, b0), {})]
    for off in offsets:
        a = start + pd.Timedelta(minutes=off)
        if a == a0 or a < now or a + dur > start + pd.Timedelta(minutes=length_min):
            continue
        opts.append(_Option((a, a + dur), _merge(back, _shares(inst, a, a + dur, -1.0)), 0, True))
    return opts


def _shift_options(
    inst: RosterInstance,
    row: Any,
    rules: Any,
    now: pd.Timestamp,
    window_end: pd.Timestamp,
    max_ot: int,
    max_vto: int,
) -> tuple[list[_Option], list[tuple[str, int, list[_Option]]]]:
    step = pd.Timedelta(minutes=inst.interval_min)
    start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
    length = int((end - start) / pd.Timedelta(minutes=1))
    fixed_end = max(start + step, now)  # nobody leaves in the past, every shift keeps an interval
    pieces: list[tuple[str, int, list[_Option]]] = []
    lunch = (row.lunch_start, row.lunch_end)
    has_lunch = not (pd.isna(lunch[0]) or pd.isna(lunch[1]))
    if has_lunch:
        a0, b0 = pd.Timestamp(lunch[0]), pd.Timestamp(lunch[1])
        rule = rules.lunch
        movable = (
            rule is not None and a0 >= now and (b0 - a0) == pd.Timedelta(minutes=rule.length_min)
        )
        lunch_offs = rule.offsets(length, inst.interval_min) if movable else []
        pieces.append(("lunch", -1, _piece_options(inst, start, length, (a0, b0), lunch_offs, now)))
    for j, (a0, b0) in enumerate(break_pairs(row.breaks)):
        offs: list[int] = []
        if a0 >= now:
            off0 = int((a0 - start) / pd.Timedelta(minutes=1))
            for br in rules.breaks:
                ok = br.offsets(length, inst.interval_min)
                if (b0 - a0) == pd.Timedelta(minutes=br.length_min) and off0 in ok:
                    offs = ok
                    break
        pieces.append(("break", j, _piece_options(inst, start, length, (a0, b0), offs, now)))
    # A piece that has begun pins the end: the shift runs at least to its end.
    for _, _, opts in pieces:
        if not opts[0].changed and opts[0].value[0] < now:
            fixed_end = max(fixed_end, opts[0].value[1])
    ends = [_Option(end, {})]
    for j in range(1, max_ot + 1):
        e = end + j * step
        if e > window_end:
            break
        ends.append(
            _Option(e, _shares(inst, end, e, +1.0), (e - end) / pd.Timedelta(minutes=1), True)
        )
    for j in range(1, max_vto + 1):
        e = end - j * step
        if e < fixed_end:
            break
        ends.append(
            _Option(e, _shares(inst, e, end, -1.0), (e - end) / pd.Timedelta(minutes=1), True)
        )
    return ends, pieces


def _solve_changes(
    inst: RosterInstance,
    roster: pd.DataFrame,
    coverage: pd.DataFrame,
    rules: Any,
    now: pd.Timestamp,
    window: np.ndarray,
    *,
    max_ot: int,
    max_vto: int,
    change_cost: float,
    shortage_cost: float,
    time_limit_s: float,
    seed: int,
) -> tuple[dict[int, dict[str, Any]], str, float]:
    """CP-SAT over the window's slots: one choice per shift end and per piece."""
    from ortools.sat.python import cp_model

    scale = inst.floor_scale
    slots = np.flatnonzero(window)
    window_end = inst.timestamps[slots[-1]] + pd.Timedelta(minutes=inst.interval_min)
    cand = roster.index[
        (roster["role"] == "agent")
        & (pd.to_datetime(roster["end"]) > now)
        & (pd.to_datetime(roster["start"]) < window_end)
    ]
    model = cp_model.CpModel()
    terms: dict[int, list[tuple[Any, int]]] = {int(t): [] for t in slots}
    change_terms: list[Any] = []
    paid_terms: list[tuple[Any, int]] = []
    choice: dict[int, dict[str, Any]] = {}
    in_window = set(terms)

    def add_options(i: int, name: str, opts: list[_Option]) -> list[Any]:
        lits = [model.new_bool_var(f"{name}_{i}_{k}") for k in range(len(opts))]
        model.add_exactly_one(lits)
        for lit, opt in zip(lits, opts, strict=True):
            for t, v in opt.delta.items():
                if t in in_window:
                    terms[t].append((lit, round(v * scale)))
            if opt.changed:
                change_terms.append(lit)
            if opt.paid_min:
                paid_terms.append((lit, round(opt.paid_min / inst.interval_min)))
        return lits

    for i in cand:
        row = roster.loc[i]
        ends, pieces = _shift_options(inst, row, rules, now, window_end, max_ot, max_vto)
        if len(ends) == 1 and all(len(o) == 1 for _, _, o in pieces):
            continue
        end_lits = add_options(int(i), "end", ends)
        piece_lits = [add_options(int(i), f"{kind}{j}", opts) for kind, j, opts in pieces]
        # A piece must end inside the shift (lunch: with the work after it the rule asks).
        after = pd.Timedelta(minutes=rules.lunch.min_work_after_min if rules.lunch else 0)
        for (kind, _, opts), lits in zip(pieces, piece_lits, strict=True):
            need = after if kind == "lunch" else pd.Timedelta(0)
            for e_opt, e_lit in zip(ends, end_lits, strict=True):
                for p_opt, p_lit in zip(opts, lits, strict=True):
                    if p_opt.value[1] + need > e_opt.value and p_opt.value[1] > now:
                        if not (p_opt is opts[0] and e_opt is ends[0]):
                            model.add_bool_or([~e_lit, ~p_lit])
        # Pieces of one shift never overlap.
        for x in range(len(pieces)):
            for y in range(x + 1, len(pieces)):
                for ox, lx in zip(pieces[x][2], piece_lits[x], strict=True):
                    for oy, ly in zip(pieces[y][2], piece_lits[y], strict=True):
                        if ox.value[0] < oy.value[1] and oy.value[0] < ox.value[1]:
                            if ox.changed or oy.changed:
                                model.add_bool_or([~lx, ~ly])
        choice[int(i)] = {
            "ends": (ends, end_lits),
            "pieces": list(zip(pieces, piece_lits, strict=True)),
        }

    base = np.round(coverage["on_floor"].to_numpy(float) * scale).astype(np.int64)
    req = inst.required.astype(np.int64) * scale
    span = rules.span
    short_vars: list[Any] = []
    for slot in slots:
        t = int(slot)
        floor = sum((c * lit for lit, c in terms[t]), int(base[t]))
        if not terms[t]:
            short_vars.append(max(int(req[t] - base[t]), 0))
            continue
        short = model.new_int_var(0, int(max(req[t], 0)), f"short_{t}")
        model.add(short >= int(req[t]) - floor)
        short_vars.append(short)
        if span is not None:
            cap = span.max_agents_per_lead * float(coverage["leads_on_floor"].iloc[t]) * scale
            model.add(floor <= int(max(math.floor(cap + 1e-9), base[t])))
            if (
                span.manager_above_agents is not None
                and float(coverage["managers_on_floor"].iloc[t]) < 1
            ):
                model.add(floor <= int(max(span.manager_above_agents * scale, base[t])))
    # Integer objective: everything counted in 1/scale agent-intervals.
    w_short = round(shortage_cost)
    w_change = round(change_cost * scale)
    model.minimize(
        w_short * sum(short_vars)
        + w_change * sum(change_terms)
        + scale * sum(c * lit for lit, c in paid_terms)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = 1  # small model; one worker keeps it deterministic
    solver.parameters.random_seed = int(seed)
    t0 = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - t0
    name = solver.status_name(status)
    picked: dict[int, dict[str, Any]] = {}
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return picked, name, wall
    for i, c in choice.items():
        ends, lits = c["ends"]
        end = next(o for o, lit in zip(ends, lits, strict=True) if solver.value(lit))
        chosen: list[tuple[str, int, _Option, _Option]] = []
        for (kind, j, opts), plits in c["pieces"]:
            opt = next(o for o, lit in zip(opts, plits, strict=True) if solver.value(lit))
            chosen.append((kind, j, opts[0], opt))
        picked[i] = {"end": end, "old_end": ends[0], "pieces": chosen}
    return picked, name, wall


def _apply(
    roster: pd.DataFrame, picked: dict[int, dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    new = roster.copy()
    new["breaks"] = [list(break_pairs(b)) for b in new["breaks"]]
    rows = []
    for i, c in picked.items():
        r = roster.loc[i]
        if c["end"].changed:
            new.at[i, "end"] = c["end"].value
            if "paid_h" in new:
                new.at[i, "paid_h"] = float(r["paid_h"]) + c["end"].paid_min / 60.0
            rows.append(
                {
                    "person": r["person"],
                    "role": r["role"],
                    "change": "overtime" if c["end"].paid_min > 0 else "early_leave",
                    "from_start": pd.Timestamp(r["start"]),
                    "from_end": pd.Timestamp(r["end"]),
                    "to_start": pd.Timestamp(r["start"]),
                    "to_end": c["end"].value,
                    "paid_min": c["end"].paid_min,
                }
            )
        for kind, j, old, opt in c["pieces"]:
            if not opt.changed:
                continue
            if kind == "lunch":
                new.at[i, "lunch_start"], new.at[i, "lunch_end"] = opt.value
            else:
                pairs = list(new.at[i, "breaks"])
                pairs[j] = opt.value
                new.at[i, "breaks"] = sorted(pairs)
            rows.append(
                {
                    "person": r["person"],
                    "role": r["role"],
                    "change": f"move_{kind}",
                    "from_start": old.value[0],
                    "from_end": old.value[1],
                    "to_start": opt.value[0],
                    "to_end": opt.value[1],
                    "paid_min": 0.0,
                }
            )
    changes = pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))
    return new, changes.sort_values(["from_start", "person"], kind="stable").reset_index(drop=True)


def _coverage(
    inst: RosterInstance,
    old_cov: pd.DataFrame,
    old: pd.DataFrame,
    new: pd.DataFrame,
    changed: list[int],
) -> pd.DataFrame:
    """The plan's coverage with the changed shifts' difference applied, against the new requirement."""
    from staffplan.roster._solution import tally

    cov = old_cov.copy()
    if changed:
        a = tally(inst, old.loc[changed])
        b = tally(inst, new.loc[changed])
        for col, key in (("on_floor", "floor"), ("off_lunch", "lunch"), ("off_break", "break")):
            vals = cov[col].to_numpy(float) + b[key]["agent"] - a[key]["agent"]
            cov[col] = np.round(vals, 9).astype(cov[col].dtype)
    req = inst.required.astype(float)
    cov["required"] = inst.required.astype(np.int64)
    floor = cov["on_floor"].to_numpy(float)
    leads = cov["leads_on_floor"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov["agents_per_lead"] = np.where(leads > 0, floor / leads, np.nan)
    dtype = cov["on_floor"].dtype
    cov["shortage"] = np.round(np.maximum(req - floor, 0), 9).astype(dtype)
    cov["surplus"] = np.round(np.maximum(floor - req, 0), 9).astype(dtype)
    return cov


# -- the entry point ---------------------------------------------------------------------


def _restaff(plan: Plan, fc: pd.DataFrame, now: pd.Timestamp) -> tuple[pd.DataFrame, np.ndarray]:
    """The requirement from ``now`` on for the updated forecast (as planned before ``now``).

    Returns the requirement frame and the mean volume of each of its intervals.
    """
    settings = plan.settings
    vq = settings.get("volume_quantile")
    demand = pool_queues(fc, settings.get("aht_s"))
    staff_col = "volume" if vq is None else quantile_column(float(vq))
    new = requirements_frame(
        demand["ds"],
        demand[staff_col],
        demand["aht_s"],
        service=plan.service,
        interval_min=plan.interval_min,
    )
    old = plan.requirements.reset_index(drop=True)
    reqs = pd.concat(
        [old.loc[(old["ds"] < now).to_numpy(), new.columns], new[(new["ds"] >= now).to_numpy()]],
        ignore_index=True,
    )
    mean = demand.set_index("ds")["volume"].reindex(pd.DatetimeIndex(reqs["ds"]))
    return reqs, mean.fillna(0.0).to_numpy(float)


def _day_end(forecaster: VolumeForecaster, now_wall: pd.Timestamp, step: int) -> pd.Timestamp:
    """End of the centre's operating day of ``now`` (wall clock): the next midnight, or
    the next opening of a centre whose hours (its queues' together) cross midnight."""
    is_open = np.any([m.open_mask.any(axis=0) for m in forecaster.models_.values()], axis=0)
    start_min = intervals.operating_day_start(is_open) * step
    day = intervals.operating_day([now_wall], start_min)[0]
    return day + pd.Timedelta(minutes=start_min) + pd.Timedelta(days=1)


def _window(
    inst: RosterInstance,
    roster: pd.DataFrame,
    now: pd.Timestamp,
    day_end: pd.Timestamp,
    max_ot: int,
) -> np.ndarray:
    """Slots the change model covers: from ``now`` to the day's end, or later for shifts
    at work today that run (or may run, with overtime) past it."""
    extra = pd.Timedelta(minutes=max_ot * inst.interval_min)
    reach = day_end + extra
    ends = pd.to_datetime(roster["end"])
    late = ends[(ends > now) & (pd.to_datetime(roster["start"]) < day_end)]
    if len(late):
        reach = max(reach, late.max() + extra)
    ts = inst.timestamps
    return np.asarray((ts >= now) & (ts < reach))


def replan(
    plan: Plan,
    actuals: pd.DataFrame,
    now: Any,
    *,
    forecaster: VolumeForecaster | None = None,
    events: pd.DataFrame | None = None,
    max_overtime_min: int = defaults.MAX_OVERTIME_MIN,
    max_early_leave_min: int = defaults.MAX_EARLY_LEAVE_MIN,
    change_cost: float = 2.0,
    shortage_cost: float = 100.0,
    simulate: bool = True,
    n_reps: int | None = None,
    time_limit_s: float = defaults.TIME_LIMIT_S,
    rng: np.random.Generator | int | None = None,
) -> Replan:
    """Re-forecast, re-staff and re-roster the rest of the day from ``now``.

    Parameters
    ----------
    plan : Plan
        The plan being run (from :func:`staffplan.plan` or :meth:`Plan.load`).
    actuals : pandas.DataFrame
        Observed intervals before ``now``: ``queue`` (when the plan has
        several), ``ds``, ``volume`` [contacts], after the plan's history.
    now : timestamp
        Start of the first interval not yet observed, on the plan's grid and
        inside the plan.
    forecaster : VolumeForecaster, optional
        The fitted forecaster the plan came from; default: fitted again as
        the plan's was (its history, ``forecast_method``, interval and
        events), which is where the update learns how far to trust the morning.
    events : pandas.DataFrame, str, holidays calendar or list of them, optional
        Events for that fit (as for :func:`staffplan.plan`); default: the
        plan's own (:attr:`Plan.events`).  Given, they replace the plan's
        (``[]``: none) and the re-planned plan records them.  A plan that does
        not record its events (saved before plans kept them) is refitted
        without, with a warning.
    max_overtime_min, max_early_leave_min : int
        Longest extension and earliest leave per shift [min], whole intervals
        (:data:`staffplan.defaults.MAX_OVERTIME_MIN`, ``MAX_EARLY_LEAVE_MIN``: 120).
    change_cost : float
        Cost of one change [agent-intervals of paid time].
    shortage_cost : float
        Cost of one agent short for one interval [agent-intervals].
    simulate : bool
        Also judge the rest of the day by simulation.
    n_reps : int, optional
        Simulation replications (default: the plan's).
    time_limit_s : float
        CP-SAT time limit [s] (:data:`staffplan.defaults.TIME_LIMIT_S`).
    rng : numpy.random.Generator or int or None
        Seed for the solver and the simulation (default: the plan's seed).

    Returns
    -------
    Replan

    Raises
    ------
    ValueError
        ``now`` off the grid or outside the plan; actuals of another queue, off
        the grid, duplicated, at or after ``now``, or inside the plan's history.

    Notes
    -----
    The rest of the day is ``[now, end of the operating day)``: the next local
    midnight, or for a centre whose hours cross midnight the next opening (at
    02:00 in a centre open 22:00-06:00, the rest of the night; the night's
    level is read from 22:00 on).  Shifts working in it may run past its end
    (a night shift keeps its end or changes it as well).
    The verdict uses the plan's service target, shrinkage and AHT.
    """
    if not isinstance(plan, Plan):
        raise TypeError(f"plan must be a staffplan Plan, got {type(plan).__name__}")
    step = plan.interval_min
    max_ot = check_int(max_overtime_min, "max_overtime_min", minimum=0) // step
    max_vto = check_int(max_early_leave_min, "max_early_leave_min", minimum=0) // step
    check_positive(change_cost, "change_cost")
    check_positive(shortage_cost, "shortage_cost")
    check_positive(time_limit_s, "time_limit_s")
    now_ts = _check_now_in_plan(plan, now, step)
    notes: list[str] = []
    kept = plan.events  # what the re-planned plan records for its own re-plans
    if forecaster is None:
        forecaster = _fit_forecaster(plan, _events_for_refit(plan, events, notes))
        if events is not None:
            kept = plan_events(forecaster.events_)
    elif not hasattr(forecaster, "models_"):
        raise ValueError("forecaster must be fitted (call fit(history) first)")
    fc, level = updated_forecast(plan, forecaster, actuals, now_ts)
    service = plan.service
    settings = dict(plan.settings)
    reqs, mean_volume = _restaff(plan, fc, now_ts)
    rules = plan.rules
    grid = requirement_grid(reqs["ds"], reqs["scheduled"], step)
    # Changes happen on a real day: a shift extended past the horizon does not wrap
    # onto its first morning, even when the plan was a weekly template.
    inst = dataclasses.replace(rules, cyclic=False).make_instance(grid, interval_min=step)
    now_wall = intervals.wall_time([now_ts])[0]
    day_end = _day_end(forecaster, now_wall, step)
    old_cov = plan.coverage.set_index("ds").reindex(inst.timestamps).reset_index()
    old_cov = old_cov.rename(columns={"index": "ds"}).fillna(0)
    roster = plan.roster.reset_index(drop=True)
    window = _window(inst, roster, now_wall, day_end, max_ot)
    seed = int(settings.get("seed", 0)) if rng is None else _seed_of(rng)
    picked, status, wall = _solve_changes(
        inst,
        roster,
        old_cov,
        rules,
        now_wall,
        window,
        max_ot=max_ot,
        max_vto=max_vto,
        change_cost=change_cost,
        shortage_cost=shortage_cost,
        time_limit_s=time_limit_s,
        seed=seed,
    )
    if settings.get("certainty") is not None or settings.get("staffing") == "time_stable":
        # The re-plan staffs the rest of the day to the updated mean (or volume quantile);
        # the day-level certainty search and time-stable staffing are not rerun here.
        notes.append(
            "the plan was staffed with certainty= or time-stable staffing; the re-plan "
            "staffs the rest of the day to the updated "
            + ("mean" if settings.get("volume_quantile") is None else "volume quantile")
        )
    if status not in ("OPTIMAL", "FEASIBLE"):
        notes.append(f"the re-plan model found no solution ({status}); the roster is unchanged")
    elif status == "FEASIBLE":
        notes.append(
            f"the re-plan stopped at the {time_limit_s:g} s limit before proving the fewest changes"
        )
    new_roster, changes = _apply(roster, picked)
    changed = sorted(
        {
            i
            for i, c in picked.items()
            if c["end"].changed or any(o.changed for *_, o in c["pieces"])
        }
    )
    cov = _coverage(inst, old_cov, roster, new_roster, changed)
    cov = cov[cov["ds"].isin(plan.coverage["ds"])].reset_index(drop=True)
    rest = _rest_of_day(
        reqs,
        mean_volume,
        old_cov,
        cov,
        now_ts,
        day_end,
        service,
        step,
        simulate,
        int(n_reps or settings.get("n_reps", defaults.N_REPS)),
        float(settings.get("sim_tolerance", defaults.SIM_TOLERANCE)),
        seed,
    )
    settings["replanned_at"] = str(now_ts)
    new_plan = assemble(
        forecast=fc,
        history=plan.history,
        requirements=reqs,
        roster_result=None,
        roster_frame=new_roster,
        coverage=cov,
        service=service,
        interval_min=step,
        mean_volume=mean_volume,
        quantile=settings.get("volume_quantile") is not None,
        simulate=False,
        n_reps=int(settings.get("n_reps", defaults.N_REPS)),
        tolerance=float(settings.get("sim_tolerance", defaults.SIM_TOLERANCE)),
        rng=seed,
        settings=settings,
        warnings=notes,
        events=kept,
    )
    summary = _summarize(rest, changes, now_ts, status, wall, simulate)
    if summary["shortage_after"] > 0:
        notes.append(
            f"the rest of the day stays {summary['shortage_after']:g} agent-intervals short "
            f"after the changes (overtime limited to {max_overtime_min} min a shift)"
        )
    return Replan(new_plan, changes, rest, level, summary, tuple(notes))


def _rest_of_day(
    reqs: pd.DataFrame,
    mean_volume: np.ndarray,
    old_cov: pd.DataFrame,
    cov: pd.DataFrame,
    now: pd.Timestamp,
    day_end: pd.Timestamp,
    service: Any,
    step: int,
    simulate: bool,
    n_reps: int,
    tolerance: float,
    seed: int,
) -> pd.DataFrame:
    """Formula (and simulated) service of the rest of the day, before and after the changes."""
    wall = intervals.wall_time(reqs["ds"])
    keep = np.asarray((reqs["ds"] >= now) & (wall < day_end))
    rest = reqs[keep].reset_index(drop=True)
    mean = mean_volume[keep]
    out = pd.DataFrame(
        {"ds": rest["ds"], "volume": mean, "required": rest["scheduled_int"].to_numpy()}
    )
    for tag, coverage in (("before", old_cov), ("after", cov)):
        v = build_verdict(rest, coverage, service=service, interval_min=step, volume=mean)
        out[f"on_floor_{tag}"] = v["on_floor"].to_numpy()
        out[f"service_level_{tag}"] = v["service_level"].to_numpy()
        if simulate and len(v):
            # The simulation starts at now with an empty queue (no backlog carried in).
            v, _ = check_with_simulation(
                v,
                interval_min=step,
                target_answer_s=service.target_answer_s,
                patience_s=service.patience_s,
                n_reps=n_reps,
                tolerance=tolerance,
                rng=seed,
            )
            out[f"sim_service_level_{tag}"] = v["sim_service_level"].to_numpy()
    return out


def _summarize(
    rest: pd.DataFrame,
    changes: pd.DataFrame,
    now: pd.Timestamp,
    status: str,
    wall: float,
    simulate: bool,
) -> dict[str, Any]:
    vol = rest["volume"].to_numpy(float)
    out: dict[str, Any] = {"now": str(now)}
    for tag in ("before", "after"):
        out[f"service_level_{tag}"] = (
            volume_weighted(rest[f"service_level_{tag}"], vol) if len(rest) else math.nan
        )
        if simulate and f"sim_service_level_{tag}" in rest:
            out[f"sim_service_level_{tag}"] = volume_weighted(rest[f"sim_service_level_{tag}"], vol)
        short = np.maximum(rest["required"] - rest[f"on_floor_{tag}"], 0.0)
        out[f"shortage_{tag}"] = float(short.sum())
    paid = changes["paid_min"].to_numpy(float)
    out["overtime_h"] = float(paid[paid > 0].sum() / 60.0)
    out["early_leave_h"] = float(abs(paid[paid < 0].sum()) / 60.0)
    out["paid_hours_change"] = float(paid.sum() / 60.0)
    out["changes"] = len(changes)
    out["solver_status"] = status
    out["solver_wall_time_s"] = wall
    return out
