"""A queue table: channel, service target and chat concurrency per queue, in one place.

The alternative to a history's ``channel``/``concurrency`` columns for
``plan(..., skills=groups, queues=table)`` (and ``staffplan plan --queues FILE``): one row
per queue with ``queue``, ``channel`` and optionally ``service_level`` [fraction],
``target_answer_s`` [s; business seconds for deferred work] and ``concurrency`` [contacts].
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from staffplan.plan._service import ServiceTarget

__all__ = ["queue_settings"]

_OPTIONAL = ("service_level", "target_answer_s", "concurrency")


def _number(row: Any, col: str, q: str) -> float | None:
    value = row.get(col)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"queue table: {col} of queue {q!r} must be a number, got {value!r}"
        ) from None


def queue_settings(
    table: pd.DataFrame, queues: Sequence[str], service: ServiceTarget
) -> tuple[dict[str, str], dict[str, int], dict[str, ServiceTarget]]:
    """Channel, concurrency and service target per queue from a queue table.

    Parameters
    ----------
    table : DataFrame
        ``queue``, ``channel`` and optional ``service_level`` [fraction],
        ``target_answer_s`` [s] and ``concurrency`` [contacts]; an empty optional cell
        keeps ``service``'s value (concurrency 1).
    queues : sequence of str
        The queues of the history: each needs one row, and the table names no other.
    service : ServiceTarget
        The plan's target: shrinkage, patience and the fields a row leaves empty.

    Returns
    -------
    (dict, dict, dict)
        Channel, concurrency (chat queues) and :class:`ServiceTarget` per queue.

    Raises
    ------
    ValueError
        A missing ``queue`` or ``channel`` column, a queue the history does not have, a
        queue of the history the table lacks, a queue given twice, an empty channel, a
        target out of range: each naming the queue and the fix.
    """
    from staffplan.channels._spec import check_channels

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"queues must be a DataFrame (a queue table), got {type(table).__name__}")
    for col in ("queue", "channel"):
        if col not in table.columns:
            raise ValueError(
                f"queue table: no {col!r} column (it has {list(map(str, table.columns))}); "
                "give one row per queue with queue, channel and optionally service_level, "
                "target_answer_s, concurrency"
            )
    names = table["queue"].astype(str).str.strip()
    dup = names[names.duplicated()]
    if len(dup):
        raise ValueError(f"queue table: queue {dup.iloc[0]!r} has two rows; keep one per queue")
    unknown = [q for q in names if q not in queues]
    if unknown:
        raise ValueError(
            f"queue table: queue {unknown[0]!r} is not in the history (its queues: "
            f"{', '.join(queues)}); fix the name or drop the row"
        )
    missing = [q for q in queues if q not in set(names)]
    if missing:
        raise ValueError(
            f"queue table: queue {missing[0]!r} of the history has no row; add it with its "
            "channel ('voice', 'chat' or 'deferred')"
        )
    channel: dict[str, str] = {}
    concurrency: dict[str, int] = {}
    targets: dict[str, ServiceTarget] = {}
    for q, (_, row) in zip(names, table.iterrows(), strict=True):
        chan = row["channel"]
        if chan is None or (isinstance(chan, float) and np.isnan(chan)) or not str(chan).strip():
            raise ValueError(
                f"queue table: queue {q!r} has no channel; fill it with 'voice', 'chat' or "
                "'deferred'"
            )
        channel[q] = str(chan).strip().lower()
        k = _number(row, "concurrency", q)
        if k is not None:
            if k != round(k):
                raise ValueError(
                    f"queue table: concurrency of queue {q!r} must be a whole number, got {k:g}"
                )
            concurrency[q] = int(k)
        changes: dict[str, float] = {}
        for col in ("service_level", "target_answer_s"):
            value = _number(row, col, q)
            if value is not None:
                changes[col] = value
        try:
            targets[q] = dataclasses.replace(service, **changes) if changes else service
        except (ValueError, TypeError) as exc:
            raise ValueError(f"queue table: queue {q!r}: {exc}") from None
    channel, concurrency = check_channels(list(queues), channel, concurrency or None)
    return channel, concurrency, targets
