"""staffplan: contact-centre workforce planning.

Four stages, each usable on its own:

- :mod:`staffplan.forecast`: interval volume (and AHT) forecasts with quantiles.
- :mod:`staffplan.erlang`: vectorized Erlang B / C / A staffing.
- :mod:`staffplan.roster`: CP-SAT shift rostering with lunches, breaks and span of control.
- :mod:`staffplan.plan`: the pipeline and what-if scenarios.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = ("erlang", "forecast", "roster", "simulate", "plan", "datasets", "report", "many")


def __getattr__(name: str) -> Any:
    # Subpackages load on first use so that ``import staffplan`` stays fast and
    # a missing optional extra only matters to the stage that needs it.
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'staffplan' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])
