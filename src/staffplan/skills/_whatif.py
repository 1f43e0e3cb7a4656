"""Skill and channel what-ifs: move contacts between queues, cross-train agents, compare.

``Scenario(move_volume=("voice", "chat", 0.2))`` moves 20 % of the voice contacts to chat;
``Scenario(cross_train=("en", "fr", 10))`` makes 10 English agents bilingual.  Both are
one line each and go through :func:`compare` with the other scenario fields (volume and AHT
changes, targets) that apply to a skills plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._validation import check_fraction, check_int
from staffplan.plan._service import ServiceTarget
from staffplan.skills._groups import SkillGroup, groups_from
from staffplan.skills._staffing import SkillRequirement, skill_requirements

if TYPE_CHECKING:
    from staffplan.plan._scenario import Scenario

__all__ = ["apply_scenario", "check_skill_changes", "compare"]


def check_skill_changes(move_volume: Any, cross_train: Any) -> None:
    """Validate ``Scenario.move_volume`` and ``Scenario.cross_train`` (shapes and ranges)."""
    if move_volume is not None:
        if not isinstance(move_volume, (tuple, list)) or len(move_volume) != 3:
            raise ValueError(
                f"move_volume must be (from_queue, to_queue, share), got {move_volume!r}"
            )
        src, dst, share = move_volume
        if not isinstance(src, str) or not isinstance(dst, str) or src == dst:
            raise ValueError(f"move_volume must name two different queues, got {src!r} and {dst!r}")
        check_fraction(share, "move_volume share", low_open=False, high_open=False)
    if cross_train is not None:
        if not isinstance(cross_train, (tuple, list)) or len(cross_train) != 3:
            raise ValueError(f"cross_train must be (group, skill, agents), got {cross_train!r}")
        group, skill, n = cross_train
        if not isinstance(group, str) or not isinstance(skill, str):
            raise ValueError(f"cross_train must name a group and a skill, got {cross_train!r}")
        check_int(n, "cross_train agents", minimum=1)


def _moved(arrivals: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    out = arrivals.copy()
    idx = pd.DatetimeIndex(out.index)
    mask = np.ones(len(idx), bool) if scenario.window is None else scenario.window.mask(idx)  # type: ignore[union-attr]
    if scenario.move_volume is not None:
        src, dst, share = scenario.move_volume
        for q in (src, dst):
            if q not in out:
                raise ValueError(
                    f"scenario {scenario.name!r}: move_volume names queue {q!r}, which the plan "
                    f"does not have (queues: {list(out.columns)}); add the queue (a column of "
                    "arrivals, zero where it has no contacts) or fix the name"
                )
        moved = np.where(mask, out[src].to_numpy(float) * float(share), 0.0)
        out[src] = out[src] - moved
        out[dst] = out[dst] + moved
    return out


def _trained(groups: Sequence[SkillGroup], scenario: Scenario) -> tuple[SkillGroup, ...]:
    if scenario.cross_train is None:
        return tuple(groups)
    name, skill, n = scenario.cross_train
    by_name = {g.name: g for g in groups}
    if name not in by_name:
        raise ValueError(
            f"scenario {scenario.name!r}: cross_train names group {name!r}, which is not a "
            f"skill group (groups: {list(by_name)})"
        )
    src = by_name[name]
    if skill in src.skills:
        raise ValueError(
            f"scenario {scenario.name!r}: group {name!r} already has skill {skill!r}; "
            "cross-train it in a skill it lacks"
        )
    if src.max_agents is None or src.max_agents < n:
        raise ValueError(
            f"scenario {scenario.name!r}: cross_train moves {n} agents out of group {name!r}, "
            f"which has max_agents={src.max_agents}; give the group its people (max_agents)"
        )
    wanted = set(src.skills) | {skill}
    out = []
    target = None
    for g in groups:
        if g.name == name:
            g = dataclasses.replace(g, max_agents=float(src.max_agents) - n)
        elif set(g.skills) == wanted:
            target = g.name
            cap = None if g.max_agents is None else float(g.max_agents) + n
            g = dataclasses.replace(g, max_agents=cap)
        out.append(g)
    if target is None:
        out.append(
            SkillGroup(
                f"{name}+{skill}",
                (*src.skills, skill),
                cost=src.cost,
                proficiency=src.proficiency,
                max_agents=float(n),
            )
        )
    return tuple(out)


def apply_scenario(
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, Any],
    groups: Any,
    scenario: Scenario,
) -> tuple[pd.DataFrame, dict[str, Any], tuple[SkillGroup, ...]]:
    """Arrivals, AHT and groups under ``scenario`` (volume, AHT, moves and cross-training)."""
    arr = _moved(arrivals, scenario)
    idx = pd.DatetimeIndex(arr.index)
    aht = {}
    for q in arr.columns:
        if q not in aht_s:
            raise ValueError(f"aht_s has no handle time for queue {q!r}; add aht_s[{q!r}]")
        col = np.broadcast_to(np.asarray(aht_s[q], dtype=float), (len(idx),))
        vol, aht[q] = scenario.apply_load(idx, arr[q].to_numpy(float), col)
        arr[q] = vol
    return arr, aht, _trained(groups_from(groups), scenario)


def compare(
    arrivals: pd.DataFrame,
    aht_s: Mapping[str, Any],
    groups: Any,
    *scenarios: Scenario,
    interval_min: int,
    service: ServiceTarget | Mapping[str, ServiceTarget] | None = None,
    simulate: bool = False,
    runs: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Base staffing by skill group and each scenario's, side by side.

    Returns
    -------
    DataFrame
        One row per scenario (``base`` first): ``volume`` [contacts], ``agent_hours``
        [h on the phones, all groups], ``peak_agents``, ``dedicated_hours`` [h, one team per
        queue], ``pooling_gain`` [fraction], ``cost`` [relative units x h], then
        ``hours_<group>`` per group and ``volume_<queue>`` per queue.
    """
    from staffplan.plan._scenario import Scenario

    hours = interval_min / 60.0
    rows = []
    names: set[str] = set()
    cases: list[tuple[str, Scenario | None]] = [("base", None)]
    cases += [(sc.name, sc) for sc in scenarios]
    for name, sc in cases:
        if sc is not None and not isinstance(sc, Scenario):
            raise TypeError(f"scenarios must be Scenario, got {type(sc).__name__}")
        if name in names:
            raise ValueError(f"scenario names must be unique, got {name!r} twice")
        names.add(name)
        arr, aht, grp = (
            (arrivals, dict(aht_s), groups_from(groups))
            if sc is None
            else apply_scenario(arrivals, aht_s, groups, sc)
        )
        svc = service
        if sc is not None and sc.service_changes():
            changes = sc.service_changes()
            if isinstance(service, Mapping):
                svc = {q: t.replace(**changes) for q, t in service.items()}
            else:
                svc = (service or ServiceTarget()).replace(**changes)
        req: SkillRequirement = skill_requirements(
            arr,
            aht,
            grp,
            interval_min=interval_min,
            service=svc,
            simulate=simulate,
            runs=runs,
            seed=seed,
        )
        costs = np.array([g.cost for g in req.groups])
        row: dict[str, Any] = {
            "scenario": name,
            "volume": float(arr.to_numpy().sum()),
            "agent_hours": float(req.total.sum() * hours),
            "peak_agents": float(req.total.max()),
            "dedicated_hours": float(req.dedicated_total.sum() * hours),
            "pooling_gain": req.pooling_gain(),
            "cost": float((req.agents.to_numpy() * costs).sum() * hours),
        }
        row.update({f"hours_{g}": float(req.agents[g].sum() * hours) for g in req.agents})
        row.update({f"volume_{q}": float(arr[q].sum()) for q in arr})
        rows.append(row)
    return pd.DataFrame(rows)
