"""The skills branch of :func:`staffplan.plan`: requirement per skill group, service per queue.

With ``plan(..., skills=groups)`` the queues are no longer added into one requirement: the
forecast per queue is staffed by skill group (:func:`skill_requirements`), the roster covers
each group (``group_requirements``), and the rostered groups are simulated with skills-based
routing to give the service each queue gets (:func:`queue_service`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from staffplan import intervals
from staffplan.defaults import ROUND_TOL
from staffplan.plan._service import ServiceTarget, requirements_frame
from staffplan.skills._groups import SkillGroup, check_served, groups_from
from staffplan.skills._staffing import SkillRequirement, _targets, skill_requirements

#: One target for every queue, or one per queue.
Service = ServiceTarget | Mapping[str, ServiceTarget]


def _split_service(service: Service, queues: Any) -> tuple[dict[str, ServiceTarget], float]:
    """Target per queue and the shrinkage the groups are scheduled with (the largest)."""
    targets = _targets(service, [str(q) for q in queues])
    return targets, max((t.shrinkage for t in targets.values()), default=0.0)


__all__ = [
    "channel_names",
    "finish_plan",
    "group_floor_at",
    "group_verdict",
    "label_pooled",
    "queue_channels",
    "queue_promise",
    "queue_service",
    "queue_verdict",
    "skill_stage",
    "skills_daily",
    "skills_headline",
]


def channel_names(channel: pd.Series) -> pd.Series:
    """Channel names as the library spells them (``" Voice"`` reads as ``"voice"``); gaps kept."""
    return channel.where(channel.isna(), channel.astype(str).str.strip().str.lower())


def queue_channels(
    history: pd.DataFrame,
) -> tuple[dict[str, str] | None, dict[str, int] | None]:
    """Channel and chat concurrency per queue from the history's ``channel`` and
    ``concurrency`` columns (None for a column the history does not have).

    Each queue has one channel (and one concurrency); a queue with two, or with no channel
    in a history that has the column, is refused naming the queue and the fix.
    """
    out: list[dict[str, Any] | None] = []
    if "channel" in history:
        history = history.assign(channel=channel_names(history["channel"]))
    for col in ("channel", "concurrency"):
        if col not in history:
            out.append(None)
            continue
        per: dict[str, Any] = {}
        for q, values in history.groupby(history["queue"].astype(str))[col]:
            seen = values.dropna().unique()
            if len(seen) == 0:
                if col == "channel":
                    raise ValueError(
                        f"queue {q!r} has no channel in history['channel']; fill it with "
                        "'voice', 'chat' or 'deferred'"
                    )
                continue
            if len(seen) > 1:
                raise ValueError(
                    f"history[{col!r}] gives queue {q!r} more than one {col} "
                    f"({', '.join(map(str, seen[:2]))}); one {col} per queue"
                )
            per[str(q)] = str(seen[0]) if col == "channel" else seen[0]
        out.append(per)
    return out[0], out[1]


def _per_queue(
    fc: pd.DataFrame, column: str, aht_s: float | None
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Contacts (``column``) and AHT per queue, one row per interval start."""
    frame = fc.copy()
    if "queue" not in frame:
        frame["queue"] = "all"
    frame["queue"] = frame["queue"].astype(str)
    if aht_s is not None:
        frame["aht_s"] = float(aht_s)
    if "aht_s" not in frame:
        raise ValueError("the forecast has no 'aht_s': pass aht_s= to plan()")
    vol = frame.pivot_table(index="ds", columns="queue", values=column, aggfunc="sum")
    vol = vol.fillna(0.0).sort_index()
    aht = frame.pivot_table(index="ds", columns="queue", values="aht_s", aggfunc="mean")
    aht = aht.reindex(vol.index)
    out_aht = {}
    for q in vol.columns:
        col = aht[q]
        # A queue with no contacts in an interval needs no AHT there; elsewhere it must have one.
        fill = float(col.mean()) if col.notna().any() else np.nan
        out_aht[str(q)] = col.fillna(fill).to_numpy(float)
    vol.columns = [str(c) for c in vol.columns]
    vol.columns.name = None
    return vol, out_aht


def skill_stage(
    fc: pd.DataFrame,
    groups: Any,
    *,
    staff_col: str,
    aht_s: float | None,
    service: ServiceTarget | Mapping[str, ServiceTarget],
    interval_min: int,
    simulate: bool,
    seed: int,
    channels: tuple[dict[str, str] | None, dict[str, int] | None] = (None, None),
) -> tuple[pd.DataFrame, pd.DataFrame, SkillRequirement]:
    """Requirement frame of the plan, scheduled agents per group, and the staffing.

    The requirement frame has the pooled frame's columns (``volume``, ``aht_s`` and
    ``traffic_erl`` of all queues together) with ``agents``, ``agents_frac``, ``scheduled``
    and ``scheduled_int`` the sums over groups (each group rounded once).
    """
    arrivals, aht = _per_queue(fc, staff_col, aht_s)
    grp = groups_from(groups)
    check_served(grp, list(arrivals.columns))
    req = skill_requirements(
        arrivals,
        aht,
        grp,
        interval_min=interval_min,
        service=service,
        simulate=simulate,
        seed=seed,
        channel=channels[0],
        concurrency=channels[1],
    )
    shrink = (
        service.shrinkage
        if isinstance(service, ServiceTarget)
        else max(t.shrinkage for t in service.values())
    )
    sched = req.scheduled(shrink)
    vol = arrivals.sum(axis=1).to_numpy(float)
    work = sum(arrivals[q].to_numpy(float) * aht[q] for q in arrivals.columns)
    mean_aht = np.divide(work, vol, out=np.full_like(vol, np.nan), where=vol > 0)
    mean_aht = np.where(
        np.isnan(mean_aht), np.nanmean(mean_aht) if (vol > 0).any() else 1.0, mean_aht
    )
    base = service if isinstance(service, ServiceTarget) else next(iter(service.values()))
    reqs = requirements_frame(
        arrivals.index, vol, mean_aht, service=base, interval_min=interval_min
    )
    reqs["agents"] = req.total.to_numpy(float)
    reqs["agents_frac"] = req.total.to_numpy(float)
    reqs["scheduled"] = sched.sum(axis=1).to_numpy(float)
    reqs["scheduled_int"] = np.ceil(sched.to_numpy() - ROUND_TOL).clip(min=0).sum(axis=1)
    return reqs, sched.reset_index(names="ds"), req


def queue_service(
    requirement: SkillRequirement,
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, Any],
    group_floor: pd.DataFrame,
    *,
    interval_min: int,
    service: Service,
    runs: int,
    seed: int,
    channels: tuple[dict[str, str] | None, dict[str, int] | None] = (None, None),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Service each queue gets from the rostered groups, by simulation, per interval.

    ``group_floor`` holds agents of each group on the floor per interval (index the
    interval starts); on the phones are ``floor * (1 - shrinkage)`` rounded to the nearest
    whole agent (shrinkage is an average share of time; the simulation needs whole agents).
    Returns ``ds``, ``queue``, ``channel``, ``offered``, ``service_level`` with its 95%
    limits ``service_level_lo``/``_hi``, ``asa_s``, ``p_abandon``, ``meets_target``; and
    the simulated occupancy of each group per interval (index the interval starts, one
    column per group; a chat of concurrency ``k`` uses ``1/k`` of an agent) [fraction].
    """
    from staffplan.simulate import simulate_queues

    groups: tuple[SkillGroup, ...] = requirement.groups
    targets, shrink = _split_service(service, arrivals.columns)
    on_phones = np.floor(group_floor.to_numpy(float) * (1.0 - shrink) + 0.5)
    agents = pd.DataFrame(
        on_phones.astype(np.int64), index=arrivals.index, columns=group_floor.columns
    )
    res = simulate_queues(
        arrivals,
        dict(aht_s),
        interval_min,
        agents,
        {g.name: list(g.skills) for g in groups},
        target_answer_s={q: t.target_answer_s for q, t in targets.items()},
        patience_s={q: t.patience_s for q, t in targets.items()},
        concurrency=channels[1],
        channel=channels[0],
        runs=runs,
        seed=seed,
    )
    frame = res.intervals.reset_index().rename(columns={"interval": "ds"})
    goal = frame["queue"].map({q: t.service_level for q, t in targets.items()})
    frame["meets_target"] = (frame["service_level"] >= goal - 1e-9) | (frame["offered"] <= 0)
    cols = ["ds", "queue", "channel", "offered", "service_level", "service_level_lo"]
    cols += ["service_level_hi", "asa_s", "p_abandon", "meets_target"]
    return frame[cols], res.occupancy.set_axis(arrivals.index)


def queue_promise(
    requirement: SkillRequirement,
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, Any],
    on_phones: pd.DataFrame,
    *,
    interval_min: int,
    service: Service,
    channels: tuple[dict[str, str] | None, dict[str, int] | None] = (None, None),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agents each queue gets from the groups and the formula's service with them.

    Each group's agents on the phones (``on_phones``, index the interval starts, one column
    per group) are split over its queues, times the group's speed on the queue: groups with
    fewer skills first, each in proportion to what its queues still lack of the agents they
    need on their own (``requirement.dedicated``), or to that need when nothing is lacking,
    or evenly when its queues need nobody.  The formula then judges each queue on its own
    with its share: Erlang C/A for voice, Erlang over ``agents·k`` slots for chat with
    concurrency ``k``; deferred work has no per-interval formula (NaN).  Splitting ignores
    the pooling gain of cross-trained agents, so for shared groups the promise is
    conservative; with dedicated groups it is the Erlang service of each queue.

    Returns
    -------
    (DataFrame, DataFrame)
        Allocated agents on the phones [agents] and the formula service level [fraction],
        both index the interval starts and one column per queue.
    """
    from staffplan.channels._spec import check_channels
    from staffplan.plan._verdict import evaluate_staffing

    queues = list(arrivals.columns)
    chan, conc = check_channels(queues, channels[0], channels[1])
    targets, _ = _split_service(service, queues)
    need = requirement.dedicated.reindex(index=arrivals.index, columns=queues).fillna(0.0)
    need_np = need.to_numpy(float)
    given = np.zeros((len(arrivals), len(queues)))
    # Fewest skills first: dedicated agents serve their queue, cross-trained ones then fill
    # what each queue still lacks of its own need.
    for g in sorted(requirement.groups, key=lambda g: len(g.skills)):
        mask = np.array([q in g.skills for q in queues], dtype=float)
        speed = np.array([g.speed(q) for q in queues])
        short = np.clip(need_np - given, 0.0, None) * mask
        split = np.where(short.sum(axis=1, keepdims=True) > 0, short, need_np * mask)
        split = np.where(split.sum(axis=1, keepdims=True) > 0, split, mask)
        split = split / split.sum(axis=1, keepdims=True)
        given += on_phones[g.name].to_numpy(float)[:, None] * split * speed
    allocated = pd.DataFrame(given, index=arrivals.index, columns=queues)
    promise = pd.DataFrame(np.nan, index=arrivals.index, columns=queues)
    for j, q in enumerate(queues):
        if chan[q] == "deferred":
            continue
        slots = given[:, j] * (conc.get(q, 1) if chan[q] == "chat" else 1)
        judged = evaluate_staffing(
            arrivals.index,
            arrivals[q].to_numpy(float),
            np.asarray(aht_s[q], dtype=float) * np.ones(len(arrivals)),
            slots,
            interval_min=interval_min,
            target_answer_s=targets[q].target_answer_s,
            patience_s=targets[q].patience_s,
        )
        promise[q] = judged["service_level"].to_numpy(float)
    return allocated, promise


def queue_verdict(
    requirement: SkillRequirement,
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, Any],
    group_floor: pd.DataFrame,
    simulated: pd.DataFrame,
    *,
    interval_min: int,
    service: Service,
    channels: tuple[dict[str, str] | None, dict[str, int] | None] = (None, None),
) -> pd.DataFrame:
    """The verdict of a plan by skill group per (interval, queue).

    Parameters
    ----------
    requirement : SkillRequirement
        The staffing the roster covered.
    arrivals : DataFrame
        Contacts per interval and queue at the mean forecast [contacts].
    aht_s : mapping
        Handle time per queue [s].
    group_floor : DataFrame
        Rostered agents of each group on the floor per interval [agents].
    simulated : DataFrame
        :func:`queue_service` of the same roster.
    interval_min : int
        Interval length [min].
    service : ServiceTarget or mapping of str to ServiceTarget
        The target every queue (or each queue) was planned for.
    channels : (dict or None, dict or None)
        Channel and concurrency per queue.

    Returns
    -------
    DataFrame
        One row per (interval, queue): ``ds``, ``queue``, ``channel``, ``volume``
        [contacts], ``target`` (its service-level target) [fraction], ``required``
        (agents the queue needs on the phones on its own at the staffed-for volume,
        fractional) [agents], ``allocated`` (rostered agents on the
        phones its groups give it, see :func:`queue_promise`) [agents], ``promise`` (the
        formula's service level with ``allocated``) [fraction], ``sim_offered`` (contacts
        offered in the simulation, mean over runs) [contacts], ``sim_service_level`` with
        95% limits ``sim_service_level_lo``/``_hi`` [fraction], ``sim_asa_s`` [s],
        ``sim_p_abandon`` [fraction], ``meets_target`` (simulated service at the target,
        or no contacts) and ``at_risk`` (the whole 95% interval below the target).
    """
    targets, shrink = _split_service(service, arrivals.columns)
    on_phones = group_floor * (1.0 - shrink)
    allocated, promise = queue_promise(
        requirement,
        arrivals,
        aht_s,
        on_phones,
        interval_min=interval_min,
        service=service,
        channels=channels,
    )
    sim = simulated.set_index(["ds", "queue"])
    ded = requirement.dedicated.reindex(index=arrivals.index, columns=arrivals.columns)
    rows = []
    for q in arrivals.columns:
        s_q = sim.xs(q, level="queue").reindex(arrivals.index)
        rows.append(
            pd.DataFrame(
                {
                    "ds": arrivals.index,
                    "queue": q,
                    "channel": s_q["channel"].to_numpy(),
                    "volume": arrivals[q].to_numpy(float),
                    "target": targets[str(q)].service_level,
                    "required": ded[q].fillna(0.0).to_numpy(float),
                    "allocated": allocated[q].to_numpy(float),
                    "promise": promise[q].to_numpy(float),
                    "sim_offered": s_q["offered"].to_numpy(float),
                    "sim_service_level": s_q["service_level"].to_numpy(float),
                    "sim_service_level_lo": s_q["service_level_lo"].to_numpy(float),
                    "sim_service_level_hi": s_q["service_level_hi"].to_numpy(float),
                    "sim_asa_s": s_q["asa_s"].to_numpy(float),
                    "sim_p_abandon": s_q["p_abandon"].to_numpy(float),
                    "meets_target": s_q["meets_target"].to_numpy(bool),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True).sort_values(["ds", "queue"], kind="stable")
    out = out.reset_index(drop=True)
    with np.errstate(invalid="ignore"):
        out["at_risk"] = (
            out["sim_service_level_hi"].to_numpy(float) < out["target"].to_numpy(float) - 1e-9
        ) & (out["volume"].to_numpy(float) > 0)
    return out


def group_verdict(
    scheduled: pd.DataFrame,
    group_floor: pd.DataFrame,
    *,
    shrinkage: float,
    occupancy: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Agents per (interval, skill group): needed on the floor against rostered.

    ``scheduled``: ``ds`` and one column per group, agents to schedule on the floor
    (fractional); ``group_floor``: rostered agents of each group on the floor (index the
    interval starts).  Returns ``ds``, ``group``, ``required`` (fractional) and
    ``required_int`` [agents], ``on_floor``, ``on_phones`` (``on_floor·(1 - shrinkage)``)
    and ``shortage`` (``required_int - on_floor``, at least 0) [agents]; with
    ``occupancy`` (per group, from :func:`queue_service`) ``sim_occupancy``, the share of
    the group's agents on the phones busy in the simulation [fraction].
    """
    need = scheduled.set_index("ds").reindex(group_floor.index).fillna(0.0)
    rows = []
    for g in group_floor.columns:
        req = need[g].to_numpy(float) if g in need else np.zeros(len(group_floor))
        req_int = np.ceil(req - ROUND_TOL).clip(min=0)
        floor = group_floor[g].to_numpy(float)
        cols = {
            "ds": group_floor.index,
            "group": str(g),
            "required": req,
            "required_int": req_int,
            "on_floor": floor,
            "on_phones": floor * (1.0 - shrinkage),
            "shortage": np.maximum(req_int - floor, 0.0),
        }
        if occupancy is not None:
            cols["sim_occupancy"] = occupancy[g].reindex(group_floor.index).to_numpy(float)
        rows.append(pd.DataFrame(cols))
    out = pd.concat(rows, ignore_index=True).sort_values(["ds", "group"], kind="stable")
    return out.reset_index(drop=True)


def group_floor_at(roster_frame: pd.DataFrame, inst: Any, ds: Any) -> pd.DataFrame:
    """Agents of each group on the floor at the plan's intervals (wall-clock matched)."""
    from staffplan.roster._solution import tally

    agents = roster_frame[roster_frame["role"] == "agent"]
    out = {}
    for name in inst.skill_groups:
        floor = tally(inst, agents[agents["skill_group"] == name])["floor"]["agent"]
        out[name] = (
            pd.Series(floor, index=inst.timestamps)
            .reindex(intervals.wall_time(ds), fill_value=0.0)
            .to_numpy(float)
        )
    return pd.DataFrame(out, index=pd.DatetimeIndex(ds))


#: Headline numbers that judge the total floor as one voice queue (chat counted as voice,
#: groups as one pool): a plan by skill group keeps them only under ``pooled_<key>``.
POOLED_HEADLINE = (
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "intervals_below_target",
    "sim_service_level",
    "sim_intervals_below_target",
    "intervals_at_risk",
    "sim_gap",
    "sim_disagreeing_intervals",
    "p_day_meets_target",
    "min_p_day_meets_target",
    "expected_service_level",
)


def skills_headline(
    pooled: Mapping[str, Any], verdict_q: pd.DataFrame, verdict_g: pd.DataFrame
) -> dict[str, Any]:
    """The summary of a plan by skill group: its headline from the per-queue verdict.

    ``service_level`` [fraction], ``asa_s`` [s] and ``p_abandon`` [fraction] are the
    simulated per-queue values weighted by contacts (each queue against its own target;
    ASA over the voice and chat queues only, a deferred queue's wait being counted in
    business hours); ``occupancy`` is the simulated busy share of the groups' agents on
    the phones; ``intervals_below_target`` and ``intervals_at_risk`` count intervals in
    which at least one queue is below its target (or at risk), ``queue_intervals_*`` the
    (interval, queue) pairs.  Numbers of the pooled verdict stay as ``pooled_<key>``.
    """
    from staffplan.plan._verdict import busy_share, volume_weighted

    summary = {k: v for k, v in pooled.items() if not _pooled_key(k)}
    summary.update({f"pooled_{k}": v for k, v in pooled.items() if _pooled_key(k)})
    vol = verdict_q["sim_offered"]  # the contacts the simulated shares are over
    summary["service_level"] = volume_weighted(verdict_q["sim_service_level"].fillna(0.0), vol)
    real_time = verdict_q["channel"] != "deferred"
    timed = verdict_q[real_time] if real_time.any() else verdict_q
    summary["asa_s"] = volume_weighted(timed["sim_asa_s"], timed["sim_offered"])
    summary["p_abandon"] = volume_weighted(verdict_q["sim_p_abandon"], vol)
    if "sim_occupancy" in verdict_g:
        summary["occupancy"] = busy_share(verdict_g["sim_occupancy"], verdict_g["on_phones"])
    below = ~verdict_q["meets_target"].astype(bool)
    summary["intervals_below_target"] = float(below.groupby(verdict_q["ds"]).any().sum())
    summary["queue_intervals_below_target"] = float(below.sum())
    at_risk = verdict_q["at_risk"].astype(bool)
    summary["intervals_at_risk"] = float(at_risk.groupby(verdict_q["ds"]).any().sum())
    summary["queue_intervals_at_risk"] = float(at_risk.sum())
    return summary


#: Columns of the per-day frame that judge the total floor as one voice queue.
_POOLED_DAILY = (
    "service_level",
    "asa_s",
    "p_abandon",
    "occupancy",
    "worst_service_level",
    "intervals_below_target",
    "p_meet_target",
    "expected_service_level",
    "service_level_p05",
    "sim_service_level",
    "sim_gap",
    "sim_disagreeing_intervals",
    "sim_intervals_below_target",
    "intervals_at_risk",
)


def skills_daily(
    pooled: pd.DataFrame, verdict_q: pd.DataFrame, verdict_g: pd.DataFrame
) -> pd.DataFrame:
    """The per-day frame of a plan by skill group, its service from the per-queue verdict.

    Per day, as :func:`skills_headline` over the plan: ``service_level``, ``asa_s``,
    ``p_abandon`` (simulated per queue, weighted by contacts), ``occupancy`` (simulated,
    of the groups' agents on the phones), ``worst_service_level`` (the lowest simulated
    service of a queue in an interval with contacts), ``intervals_below_target`` and
    ``intervals_at_risk`` (intervals with a queue below its target, or at risk).  Hours
    come from the pooled frame (they count the roster, not a service); its service
    columns are kept as ``pooled_<column>``.
    """
    rows = []
    days_g = verdict_g["ds"].dt.normalize()
    for day, vq in verdict_q.groupby(verdict_q["ds"].dt.normalize(), sort=True):
        head = skills_headline(pooled={}, verdict_q=vq, verdict_g=verdict_g[days_g == day])
        busy = vq["volume"] > 0
        worst = vq.loc[busy, "sim_service_level"].min() if busy.any() else np.nan
        measured = ("service_level", "asa_s", "p_abandon", "occupancy")
        rows.append(
            {
                "date": day,
                **{k: head[k] for k in measured if k in head},
                "worst_service_level": float(worst),
                "intervals_below_target": int(head["intervals_below_target"]),
                "intervals_at_risk": int(head["intervals_at_risk"]),
            }
        )
    per_day = pd.DataFrame(rows)
    renamed = pooled.rename(columns={c: f"pooled_{c}" for c in _POOLED_DAILY if c in pooled})
    out = renamed.merge(per_day, on="date", how="left")
    first = [c for c in ("date", "volume") if c in out]
    ours = [c for c in per_day.columns if c != "date"]
    rest = [c for c in out.columns if c not in first and c not in ours]
    return out[first + ours + rest]


#: Columns of the per-interval frames (``verdict``, ``peaks``, ``verdict_quantile``) that judge
#: the total floor as one pooled voice queue: a plan by skill group keeps them only as
#: ``pooled_<column>``, so no file or table reads a chat queue's service as voice.
POOLED_INTERVAL = (
    *_POOLED_DAILY,
    "meets_target",
    "sim_service_level_lo",
    "sim_service_level_hi",
    "sim_asa_s",
    "sim_p_abandon",
    "sim_disagrees",
    "at_risk",
)


def label_pooled(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """A per-interval frame of the pooled verdict with its service columns named ``pooled_*``.

    Volumes, traffic and agent counts keep their names: they count the plan, not a service.
    """
    if frame is None:
        return None
    return frame.rename(columns={c: f"pooled_{c}" for c in POOLED_INTERVAL if c in frame})


def _pooled_key(key: str) -> bool:
    return key in POOLED_HEADLINE or key.endswith("_at_quantile")


def finish_plan(
    plan_: Any,
    requirement: SkillRequirement,
    fc: pd.DataFrame,
    *,
    staff_col: str,
    aht_s: float | None,
    reqs: pd.DataFrame,
    groups: pd.DataFrame,
    rules: Any,
    previous_roster: Any,
    service: Service,
    interval_min: int,
    runs: int,
    seed: int,
    channels: tuple[dict[str, str] | None, dict[str, int] | None] = (None, None),
) -> Any:
    """The plan with per-queue service (simulated on the rostered groups) and per-group need.

    Adds to ``summary``: ``agents_needed[<group>]`` (peak agents on the floor needed per
    group), ``service_level[<queue>]`` (volume-weighted simulated service level of each
    queue) and ``pooling_gain``; the headline (service level, ASA, abandonment, occupancy,
    intervals below target or at risk) comes from the per-queue and per-group verdict
    (:func:`skills_headline`; the pooled formula's is no measure of a plan by group and
    stays only as ``pooled_<key>``); the
    frames ``verdict_queues`` (:func:`queue_verdict`) and ``verdict_groups``
    (:func:`group_verdict`); a warning per queue whose simulated
    service is below the target replaces the pooled verdict's service warnings;
    ``settings["skill_groups"]``.  The per-interval frames of the pooled verdict
    (``verdict``, ``peaks``, ``verdict_quantile``) keep their service columns only as
    ``pooled_<column>`` (:func:`label_pooled`).
    """
    import dataclasses

    from staffplan.plan._pipeline import _roster_instance
    from staffplan.plan._verdict import volume_weighted

    inst = _roster_instance(
        reqs,
        interval_min=interval_min,
        rules=rules,
        previous_roster=previous_roster,
        groups=groups,
        group_skills={g.name: g.skills for g in requirement.groups},
    )
    arrivals, aht = _per_queue(fc, "volume", aht_s)  # service at the mean
    floor = group_floor_at(plan_.roster, inst, arrivals.index)
    per_q, occupancy = queue_service(
        requirement,
        arrivals,
        aht,
        floor,
        interval_min=interval_min,
        service=service,
        runs=runs,
        seed=seed,
        channels=channels,
    )
    verdict_q = queue_verdict(
        requirement,
        arrivals,
        aht,
        floor,
        per_q,
        interval_min=interval_min,
        service=service,
        channels=channels,
    )
    targets, shrink = _split_service(service, arrivals.columns)
    verdict_g = group_verdict(groups, floor, shrinkage=shrink, occupancy=occupancy)
    summary = skills_headline(plan_.summary, verdict_q, verdict_g)
    # The per-interval verdict judges the total floor as one pooled voice queue: its
    # service warnings would mislead here (chat counted as voice, groups as one pool).
    # The service per queue below, simulated on the rostered groups, replaces them.
    notes = [
        w
        for w in plan_.warnings
        if not w.startswith("predicted service level is below")
        and "and the simulation disagree" not in w
    ]
    sched = groups.set_index("ds")
    for g in sched.columns:
        summary[f"agents_needed[{g}]"] = float(np.ceil(sched[g] - ROUND_TOL).clip(0).max()) + 0.0
    for q, rows in per_q.groupby("queue", sort=False):
        sl = volume_weighted(rows["service_level"].fillna(0.0), rows["offered"])
        summary[f"service_level[{q}]"] = sl
        goal = targets[str(q)].service_level
        if sl < goal - 1e-9:
            notes.append(
                f"queue {q!r}: simulated service level {sl:.1%} with the rostered skill groups "
                f"is below the {goal:.0%} target"
            )
    summary["pooling_gain"] = requirement.pooling_gain()
    settings = dict(plan_.settings)
    settings["pooling"] = "skills"
    settings["skill_groups"] = [
        {"name": g.name, "skills": list(g.skills), "cost": g.cost, "max_agents": g.max_agents}
        for g in requirement.groups
    ]
    return dataclasses.replace(
        plan_,
        daily=skills_daily(plan_.daily, verdict_q, verdict_g),
        verdict=label_pooled(plan_.verdict),
        peaks=label_pooled(plan_.peaks),
        verdict_quantile=label_pooled(plan_.verdict_quantile),
        summary=summary,
        settings=settings,
        warnings=tuple(notes),
        verdict_queues=verdict_q,
        verdict_groups=verdict_g,
    )
