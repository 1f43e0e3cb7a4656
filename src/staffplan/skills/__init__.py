"""Skills: agents with several skills, staffed with the pooling cross-training gives.

- :class:`SkillGroup`: a skill set (queues in priority order), its cost, speed and cap.
- :func:`skill_requirements`: agents per group and interval from a pooled lower LP and a
  flow upper LP, checked and adjusted by skills-based simulation.
- :func:`compare`: the base and what-if scenarios side by side, with
  ``Scenario(move_volume=...)`` and ``Scenario(cross_train=...)`` one line each.

See ``docs/skills.md`` for the method and its limits.

Examples
--------
>>> import pandas as pd
>>> from staffplan import skills
>>> arrivals = pd.DataFrame({"en": [120.0], "fr": [40.0]},
...                         index=pd.DatetimeIndex(["2024-01-01 09:00"]))
>>> req = skills.skill_requirements(arrivals, {"en": 300, "fr": 300},
...     {"en": ["en"], "bi": ["fr", "en"]}, interval_min=30, simulate=False)
>>> int(req.agents.sum(axis=1).iloc[0]) <= int(req.dedicated_total.iloc[0])
True
"""

from __future__ import annotations

from staffplan.skills._groups import SkillGroup, check_served, groups_from
from staffplan.skills._staffing import SkillRequirement, skill_requirements
from staffplan.skills._whatif import apply_scenario, compare

__all__ = [
    "SkillGroup",
    "SkillRequirement",
    "apply_scenario",
    "check_served",
    "compare",
    "groups_from",
    "skill_requirements",
]
