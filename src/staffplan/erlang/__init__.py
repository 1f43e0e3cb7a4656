"""Vectorized queueing formulas and staffing for contact centres.

Every function is ufunc-like: scalars, lists, numpy arrays or pandas Series in,
broadcast like :mod:`scipy.special`; Series in gives Series out with the same
index, scalars give a numpy float64.  An element that is legitimately
impossible (traffic at or above the agent count in Erlang C) gets a documented
value (P(wait) = 1, service level 0, ASA = inf); a structural mistake (negative
AHT, a fraction outside its range, shapes that do not broadcast) raises a
``ValueError`` naming the parameter and value.

- :func:`traffic`: offered load [Erlang].
- :func:`erlang_b`, :func:`erlang_c`, :func:`service_level`, :func:`asa`,
  :func:`occupancy`: M/M/n measures, agents may be fractional.
- :func:`erlang_a`: M/M/n+M measures with exponential patience.
- :func:`required_agents`: smallest staffing meeting every target at once.
- :func:`scheduled_agents`: on-phone agents to scheduled agents, rounded once.
"""

from __future__ import annotations

from staffplan.erlang._erlang_a import ErlangAResult, erlang_a
from staffplan.erlang._erlang_c import asa, erlang_b, erlang_c, occupancy, service_level, traffic
from staffplan.erlang._staffing import required_agents, scheduled_agents

__all__ = [
    "ErlangAResult",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "scheduled_agents",
    "service_level",
    "traffic",
]
