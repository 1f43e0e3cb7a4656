"""Discrete-event check of a schedule's service level, abandonment and occupancy."""

from __future__ import annotations

from staffplan.simulate._des import callers_seen_on_arrival, simulate_intervals
from staffplan.simulate._multi import MultiQueueResult, simulate_queues

__all__ = ["MultiQueueResult", "callers_seen_on_arrival", "simulate_intervals", "simulate_queues"]
