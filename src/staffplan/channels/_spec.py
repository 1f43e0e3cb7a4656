"""What each queue is: its channel, concurrency and per-queue settings, checked once.

The staffing models (:mod:`staffplan.channels`) and the multi-queue simulator
(:func:`staffplan.simulate.simulate_queues`) read queue settings given either as
one value for every queue or as a mapping ``{queue: value}``; this module is the
one place that resolves and checks them, so both give the same message for the
same mistake, naming the queue and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from staffplan._validation import as_float_array, describe

__all__ = ["CHANNELS", "check_business_hours", "check_channels", "per_queue"]

#: The channels a queue can have: ``voice`` (one contact per agent, callers hang up),
#: ``chat`` (an agent holds up to ``concurrency`` chats at once) and ``deferred``
#: (e-mail, back office: a backlog answered within a response target, never abandoned).
CHANNELS = ("voice", "chat", "deferred")


def per_queue(value: Any, queues: Sequence[str], name: str, *, allow_none: bool = False) -> dict:
    """Resolve one value for every queue, or a mapping ``{queue: value}``, to a dict.

    A mapping must name every queue and no other: a queue left out would get no
    setting and a name that is not a queue is a typo.  ``None`` values are kept
    when ``allow_none`` (e.g. no patience for that queue).
    """
    if isinstance(value, Mapping):
        unknown = [q for q in value if q not in queues]
        if unknown:
            raise ValueError(
                f"{name} names queue(s) {unknown} that are not among the queues "
                f"{list(queues)}; fix the name or drop the entry"
            )
        missing = [q for q in queues if q not in value]
        if missing:
            raise ValueError(
                f"{name} has no value for queue(s) {missing}; give one for every queue "
                f"({list(queues)}) or a single value for all"
            )
        out = {q: value[q] for q in queues}
    else:
        out = dict.fromkeys(queues, value)
    if not allow_none:
        for q, v in out.items():
            if v is None:
                raise ValueError(f"{name} for queue {q!r} must be given, got None")
    return out


def check_business_hours(value: Any, n: int) -> np.ndarray | None:
    """Open intervals as booleans, one per interval; None stays None (the caller's default)."""
    if value is None:
        return None
    mask = np.asarray(value)
    if mask.shape != (n,) or mask.dtype != bool:
        raise ValueError(
            f"business_hours must be booleans, one per interval ({n}), got {describe(value)}"
        )
    return mask


def check_channels(
    queues: Sequence[str],
    channel: Mapping[str, str] | None,
    concurrency: Mapping[str, int] | None,
) -> tuple[dict[str, str], dict[str, int]]:
    """Channel and concurrency of every queue, checked.

    Parameters
    ----------
    queues : sequence of str
        Queue names.
    channel : mapping or None
        ``{queue: 'voice' | 'chat' | 'deferred'}`` naming every queue; None
        makes every queue a voice queue.
    concurrency : mapping or None
        ``{queue: k}``: contacts one agent holds at once [contacts], a whole
        number >= 1, for chat queues only; a chat queue left out holds 1.

    Returns
    -------
    (dict, dict)
        Channel and concurrency per queue.

    Raises
    ------
    ValueError
        A queue without a channel, an unknown channel name, a concurrency below
        1 or not whole, or a concurrency above 1 on a voice or deferred queue:
        each names the queue and the fix.
    """
    if channel is None:
        chan = dict.fromkeys(queues, "voice")
    elif not isinstance(channel, Mapping):
        raise TypeError(
            f"channel must be a mapping {{queue: channel}}, got {type(channel).__name__}"
        )
    else:
        unknown = [q for q in channel if q not in queues]
        if unknown:
            raise ValueError(
                f"channel names queue(s) {unknown} that are not among the queues {list(queues)}"
            )
        chan = {}
        for q in queues:
            if q not in channel:
                raise ValueError(
                    f"queue {q!r} has no channel; add channel={{{q!r}: 'voice' | 'chat' | "
                    "'deferred'}"
                )
            c = channel[q]
            if c not in CHANNELS:
                raise ValueError(
                    f"channel of queue {q!r} must be one of: {', '.join(map(repr, CHANNELS))}; "
                    f"got {describe(c)} (e-mail and back office are 'deferred')"
                )
            chan[q] = c
    conc = dict.fromkeys(queues, 1)
    if concurrency is not None:
        if not isinstance(concurrency, Mapping):
            raise TypeError(
                f"concurrency must be a mapping {{queue: chats per agent}}, got "
                f"{type(concurrency).__name__}"
            )
        for q, k in concurrency.items():
            if q not in chan:
                raise ValueError(
                    f"concurrency names queue {q!r}, which is not among the queues {list(queues)}"
                )
            kk = float(as_float_array(k, f"concurrency of queue {q!r}"))
            if not np.isfinite(kk) or kk < 1 or kk != np.floor(kk):
                raise ValueError(
                    f"concurrency of queue {q!r} must be a whole number >= 1 (chats one agent "
                    f"holds at once), got {describe(k)}; use 1 for one chat at a time"
                )
            if kk > 1 and chan[q] != "chat":
                raise ValueError(
                    f"concurrency of queue {q!r} is {int(kk)} but its channel is {chan[q]!r}; "
                    "only chat queues hold several contacts at once: set its channel to 'chat' "
                    "or drop the concurrency"
                )
            conc[q] = int(kk)
    return chan, conc
