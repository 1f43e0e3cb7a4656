"""Staffing per channel: voice (Erlang), chat (concurrency) and deferred work (backlog).

- :data:`CHANNELS`: the channel names a queue can have.
"""

from __future__ import annotations

from staffplan.channels._spec import CHANNELS

__all__ = ["CHANNELS"]
