"""Staffing per channel: voice (Erlang), chat (concurrency) and deferred work (backlog).

- :data:`CHANNELS`: the channel names a queue can have.
- :func:`channel_requirements`: agents per interval and queue, each channel with
  its model (Erlang C/A for voice, Erlang over ``n·k`` slots for chat, a FIFO
  backlog linear program for e-mail and back office).
- :func:`check_in_simulation`: such a plan played contact by contact, service per
  queue against its promise.
"""

from __future__ import annotations

from staffplan.channels._check import check_in_simulation
from staffplan.channels._spec import CHANNELS
from staffplan.channels._staffing import ChannelRequirement, channel_requirements

__all__ = ["CHANNELS", "ChannelRequirement", "channel_requirements", "check_in_simulation"]
