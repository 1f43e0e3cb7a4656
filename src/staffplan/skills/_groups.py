"""Skill groups: which queues an agent can serve, in what priority, at what speed and cost.

A *skill group* is a set of agents with the same skill set (``"en"``, ``"en+fr"``).  Its
skills are queue names in priority order (an idle agent takes the first skill's waiting
contact first).  Groups are validated against the queues once, at the public boundary: a
queue no group serves, or a skill that names no queue, is refused with the fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from staffplan._validation import check_nonnegative, check_positive

__all__ = ["SkillGroup", "check_served", "groups_from", "serving"]


@dataclass(frozen=True)
class SkillGroup:
    """Agents sharing one skill set.

    Parameters
    ----------
    name : str
        Unique label (``"en"``, ``"en+fr"``).
    skills : sequence of str
        Queues these agents serve, highest priority first.
    cost : float
        Relative cost of one agent of this group per interval (1.0 for the base rate; a
        cross-trained agent may cost more) [relative units].
    proficiency : mapping of str to float, optional
        Handle speed per skill relative to the queue's AHT [fraction]: 0.8 means contacts of
        that queue take ``aht_s / 0.8`` with these agents.  Default 1 for every skill.  Used
        by the allocation (a slower agent is less capacity); the simulation check routes at
        the queue's AHT (documented limit, see ``docs/skills.md``).
    max_agents : float, optional
        At most this many agents of the group on the phones in any interval [agents]
        (the people trained in it); ``None`` for no cap.
    """

    name: str
    skills: tuple[str, ...]
    cost: float = 1.0
    proficiency: Mapping[str, float] | None = None
    max_agents: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"SkillGroup name must be a non-empty string, got {self.name!r}")
        n = f"SkillGroup {self.name!r}"
        skills = (self.skills,) if isinstance(self.skills, str) else tuple(self.skills)
        if not skills:
            raise ValueError(f"{n}: skills must name at least one queue, got ()")
        if len(set(skills)) != len(skills):
            raise ValueError(f"{n}: skills must not repeat a queue, got {list(skills)}")
        for s in skills:
            if not isinstance(s, str) or not s:
                raise ValueError(f"{n}: skills must be queue names (strings), got {s!r}")
        object.__setattr__(self, "skills", skills)
        check_positive(self.cost, f"{n}: cost")
        if self.proficiency is not None:
            prof = dict(self.proficiency)
            extra = sorted(set(prof) - set(skills))
            if extra:
                raise ValueError(
                    f"{n}: proficiency names {extra[0]!r}, which is not one of its skills "
                    f"{list(skills)}; add it to skills or drop it from proficiency"
                )
            for q, v in prof.items():
                check_positive(v, f"{n}: proficiency[{q!r}]")
            object.__setattr__(self, "proficiency", prof)
        if self.max_agents is not None:
            check_nonnegative(self.max_agents, f"{n}: max_agents", allow_inf=True)

    def speed(self, queue: str) -> float:
        """Handle speed on ``queue`` relative to its AHT (0 when the group lacks the skill)."""
        if queue not in self.skills:
            return 0.0
        return float((self.proficiency or {}).get(queue, 1.0))


def groups_from(groups: Any) -> tuple[SkillGroup, ...]:
    """Skill groups from ``{name: skills}``, a sequence of :class:`SkillGroup` or a frame.

    A frame has columns ``group`` and ``skills`` (queue names separated by ``+`` or ``,``,
    in priority order) and optionally ``cost`` and ``max_agents``.
    """
    if isinstance(groups, pd.DataFrame):
        from staffplan._validation import check_columns

        check_columns(groups, ["group", "skills"], "skill groups")
        known = ("group", "skills", "cost", "max_agents")
        unknown = [c for c in groups.columns if c not in known]
        if unknown:
            # A misspelt 'max_agents' would silently drop the cap: refuse it instead.
            raise ValueError(
                f"skill groups: unknown column {unknown[0]!r}; the columns are {list(known)}"
            )
        out = []
        for i, row in enumerate(groups.to_dict("records")):
            skills = [s.strip() for s in str(row["skills"]).replace(",", "+").split("+")]
            kwargs: dict[str, Any] = {}
            for col in ("cost", "max_agents"):
                if col in row and pd.notna(row[col]):
                    try:
                        kwargs[col] = float(row[col])
                    except (TypeError, ValueError):
                        raise ValueError(
                            f"skill groups: row {i} (group {row['group']!r}), column {col!r}: "
                            f"expected a number, got {row[col]!r}"
                        ) from None
            out.append(SkillGroup(str(row["group"]), tuple(s for s in skills if s), **kwargs))
        groups = out
    elif isinstance(groups, Mapping):
        groups = [
            g if isinstance(g, SkillGroup) else SkillGroup(str(name), g)
            for name, g in groups.items()
        ]
    elif isinstance(groups, SkillGroup):
        groups = [groups]
    if not isinstance(groups, Iterable):
        raise TypeError(
            "groups must be a mapping {group: skills}, a sequence of SkillGroup or a frame, "
            f"got {type(groups).__name__}"
        )
    out_t = tuple(groups)
    if not out_t:
        raise ValueError("groups must hold at least one skill group, got none")
    for g in out_t:
        if not isinstance(g, SkillGroup):
            raise TypeError(f"groups must hold SkillGroup, got {type(g).__name__}")
    names = [g.name for g in out_t]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"skill group names must be unique, got {dup[0]!r} twice")
    return out_t


def check_served(groups: Sequence[SkillGroup], queues: Sequence[str]) -> None:
    """Every queue has a group serving it and every skill is a queue; else say the fix."""
    have = set(queues)
    for g in groups:
        for s in g.skills:
            if s not in have:
                raise ValueError(
                    f"skill group {g.name!r} has skill {s!r}, which is not a queue "
                    f"(queues: {sorted(have)}); rename the skill to its queue or add the queue"
                )
    served = {s for g in groups for s in g.skills}
    for q in queues:
        if q not in served:
            raise ValueError(
                f"queue {q!r} is served by no skill group: no agent has skill {q!r}. Add "
                f"{q!r} to a group's skills (e.g. SkillGroup('{q}', ('{q}',))) or leave the "
                "queue out of the plan"
            )


def serving(groups: Sequence[SkillGroup], queue: str) -> list[int]:
    """Indices of the groups that serve ``queue``."""
    return [i for i, g in enumerate(groups) if queue in g.skills]
