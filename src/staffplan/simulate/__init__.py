"""Discrete-event check of a schedule's service level, abandonment and occupancy."""

from __future__ import annotations

from staffplan.simulate._des import simulate_intervals

__all__ = ["simulate_intervals"]
