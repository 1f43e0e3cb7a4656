"""staffplan: contact-centre workforce planning.

Four stages, each usable on its own:

- :mod:`staffplan.forecast`: interval volume (and AHT) forecasts with quantiles.
- :mod:`staffplan.erlang`: vectorized Erlang B / C / A staffing.
- :mod:`staffplan.roster`: CP-SAT shift rostering with lunches, breaks and span of control.
- :func:`staffplan.plan`: the whole pipeline in one call; :mod:`staffplan.plan` (imported
  with ``from staffplan.plan import ...``) holds its result, scenarios and verdict.
- :func:`staffplan.replan`: the intraday re-plan of a running plan from today's actuals.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from staffplan.plan._pipeline import plan as plan
    from staffplan.plan._replan import replan as replan

__version__ = "0.1.0"

_SUBMODULES = (
    "erlang",
    "forecast",
    "roster",
    "simulate",
    "datasets",
    "report",
    "many",
    "channels",
    "skills",
)


class _Package(types.ModuleType):
    """Keeps ``staffplan.plan`` the function when the subpackage of that name is imported.

    Importing ``staffplan.plan`` (e.g. ``from staffplan.plan import Scenario``) binds
    the subpackage as an attribute of its parent; the one-call entry point keeps the
    name instead, so ``staffplan.plan(...)`` is a plain function to the reader and
    to a type checker.  The subpackage stays in ``sys.modules["staffplan.plan"]``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "plan" and isinstance(value, types.ModuleType):
            value = value.plan
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    # Subpackages load on first use so that ``import staffplan`` stays fast and
    # a missing optional extra only matters to the stage that needs it.
    if name == "plan":
        module = importlib.import_module(f"{__name__}.plan")
        return globals().get("plan", module.plan)
    if name == "replan":  # the intraday re-plan of a running plan
        return importlib.import_module(f"{__name__}.plan").replan
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'staffplan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES, "plan", "replan"])
