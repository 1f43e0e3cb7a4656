"""The pipeline and what-if scenarios: history to a rostered plan and its predicted service.

The one-call entry point is the function :func:`plan`, also reachable as
``staffplan.plan(history, horizon="7D")``; the rest is imported from here
(``from staffplan.plan import Scenario, ServiceTarget, compare``).  Since the
name ``staffplan.plan`` is that function, ``import staffplan.plan as sp`` binds
the function too; ``importlib.import_module("staffplan.plan")`` gives this module.

- :func:`plan`: forecast -> requirement -> roster -> verdict (formula and simulation).
- :class:`Plan`: the result, plain data with ``to_frames``, ``save`` and ``load``.
- :class:`ServiceTarget`: service level, answer time, patience, occupancy, shrinkage.
- :class:`Scenario`, :class:`Window`, :func:`what_if`, :func:`compare`: what-if studies.
- :func:`evaluate_staffing`, :func:`check_with_simulation`: the verdict for any staffing.
- :func:`replan`, :class:`Replan`: the intraday re-plan from today's actuals at ``now``.
"""

from __future__ import annotations

from staffplan.plan._pipeline import (
    build_verdict,
    paid_hours,
    plan,
    quantile_column,
    rules_from_mapping,
    rules_to_mapping,
)
from staffplan.plan._plan import FRAME_NAMES, Plan
from staffplan.plan._replan import Replan, replan
from staffplan.plan._scenario import Scenario, Window, compare, requirement_change, what_if
from staffplan.plan._service import ServiceTarget, requirements_frame
from staffplan.plan._verdict import (
    DEFAULT_SIM_TOLERANCE,
    busy_share,
    check_with_simulation,
    daily_verdict,
    evaluate_staffing,
    peak_intervals,
    volume_weighted,
)

__all__ = [
    "DEFAULT_SIM_TOLERANCE",
    "FRAME_NAMES",
    "Plan",
    "Replan",
    "Scenario",
    "ServiceTarget",
    "Window",
    "build_verdict",
    "busy_share",
    "check_with_simulation",
    "compare",
    "daily_verdict",
    "evaluate_staffing",
    "paid_hours",
    "peak_intervals",
    "plan",
    "quantile_column",
    "replan",
    "requirement_change",
    "requirements_frame",
    "rules_from_mapping",
    "rules_to_mapping",
    "volume_weighted",
    "what_if",
]
