"""Sort and group many queues once, then cut them into batches of contiguous rows.

A long frame is sorted a single time by ``(site, queue[, ds])``; every queue is
then a contiguous row range ``[start, stop)`` of that sorted frame.  A batch is
one contiguous slice holding several whole queues plus their row ranges, so a
task ships one frame (a few arrays) instead of one pickled frame per queue.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffplan._validation import check_columns, check_int, describe

__all__ = [
    "Batch",
    "Grouped",
    "check_batch_size",
    "default_batch_size",
    "group_inputs",
    "key_parts",
    "sort_keys",
]

TASKS_PER_WORKER = 4


@dataclass(frozen=True)
class Batch:
    """Several whole queues shipped to a worker as one task.

    Either ``frame`` holds the contiguous rows of every queue in the batch and
    ``bounds`` the row range of each, or ``items`` holds one input per key (for
    inputs given as a mapping).
    """

    index: int
    keys: tuple[Hashable, ...]
    frame: pd.DataFrame | None = None
    bounds: tuple[tuple[int, int], ...] = ()
    items: tuple[Any, ...] = ()

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[tuple[Hashable, Any]]:
        if self.frame is None:
            yield from zip(self.keys, self.items, strict=True)
            return
        for key, (start, stop) in zip(self.keys, self.bounds, strict=True):
            yield key, self.frame.iloc[start:stop].reset_index(drop=True)


@dataclass(frozen=True)
class Grouped:
    """Queues in their deterministic order, ready to be cut into batches.

    ``keys`` are queue ids, or ``(site, queue)`` tuples when ``key_cols`` has
    two names.
    """

    keys: tuple[Hashable, ...]
    key_cols: tuple[str, ...]
    frame: pd.DataFrame | None = None
    starts: np.ndarray | None = None
    stops: np.ndarray | None = None
    items: tuple[Any, ...] = ()

    def __len__(self) -> int:
        return len(self.keys)

    def batches(self, batch_size: int) -> list[Batch]:
        """Cut the queues, in order, into batches of at most ``batch_size`` queues."""
        out = []
        for index, lo in enumerate(range(0, len(self.keys), batch_size)):
            hi = min(lo + batch_size, len(self.keys))
            keys = self.keys[lo:hi]
            if self.frame is None:
                out.append(Batch(index, keys, items=self.items[lo:hi]))
                continue
            assert self.starts is not None and self.stops is not None
            row0, row1 = int(self.starts[lo]), int(self.stops[hi - 1])
            bounds = tuple(
                (int(a) - row0, int(b) - row0)
                for a, b in zip(self.starts[lo:hi], self.stops[lo:hi], strict=True)
            )
            out.append(Batch(index, keys, frame=self.frame.iloc[row0:row1], bounds=bounds))
        return out


def default_batch_size(n_items: int, n_workers: int) -> int:
    """Queues per task so that each worker gets about ``TASKS_PER_WORKER`` tasks.

    Several tasks per worker keep the workers busy when queues differ in cost,
    while batching amortises the per-task pickling and scheduling overhead.
    """
    return max(1, math.ceil(n_items / (TASKS_PER_WORKER * max(1, n_workers))))


def sort_keys(keys: Sequence[Hashable]) -> list[Hashable]:
    """Sort keys naturally when they compare, else by their text (still deterministic)."""
    try:
        return sorted(keys)  # type: ignore[type-var]
    except TypeError:
        return sorted(keys, key=repr)


def key_parts(key: Hashable, key_cols: Sequence[str]) -> dict[str, Any]:
    """Map a key onto its column names: ``{"queue": q}`` or ``{"site": s, "queue": q}``."""
    if len(key_cols) == 1:
        return {key_cols[0]: key}
    return dict(zip(key_cols, key, strict=True))  # type: ignore[call-overload]


def _group_frame(frame: pd.DataFrame, key_cols: tuple[str, ...], ds_col: str | None) -> Grouped:
    for col in key_cols:
        n_missing = int(frame[col].isna().sum())
        if n_missing:
            raise ValueError(f"{col} must have no missing values, got {n_missing} missing")
    sort_cols = [*key_cols]
    if ds_col is not None and ds_col in frame.columns:
        sort_cols.append(ds_col)
    try:
        # One stable sort of the whole frame; afterwards every queue is a row range.
        ordered = frame.sort_values(sort_cols, kind="stable", ignore_index=True)
    except TypeError as exc:
        raise TypeError(
            f"{'/'.join(key_cols)} values must be comparable to sort them "
            f"(for example all strings or all numbers): {exc}"
        ) from None
    n = len(ordered)
    if n == 0:
        return Grouped((), key_cols, ordered, np.zeros(0, int), np.zeros(0, int))
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for col in key_cols:
        column = ordered[col]
        # Categorical keys compare by their integer codes: no object array of labels.
        values = (
            column.cat.codes.to_numpy()
            if isinstance(column.dtype, pd.CategoricalDtype)
            else column.to_numpy()
        )
        change[1:] |= values[1:] != values[:-1]
    starts = np.flatnonzero(change)
    stops = np.append(starts[1:], n)
    columns = [ordered[col].iloc[starts].tolist() for col in key_cols]
    keys: tuple[Hashable, ...]
    keys = tuple(columns[0]) if len(key_cols) == 1 else tuple(zip(*columns, strict=True))
    return Grouped(keys, key_cols, ordered, starts, stops)


def _group_mapping(inputs: Mapping[Hashable, Any], key_cols: tuple[str, ...]) -> Grouped:
    keys = sort_keys(list(inputs))
    if len(key_cols) == 2:
        bad = [k for k in keys if not (isinstance(k, tuple) and len(k) == 2)]
        if bad:
            raise ValueError(
                f"inputs keys must be (site, queue) tuples when site_col is given, "
                f"got {describe(bad[0])}"
            )
    elif any(isinstance(k, tuple) and len(k) == 2 for k in keys):
        # A mapping keyed by (site, queue) pairs: name the first part a site.
        if not all(isinstance(k, tuple) and len(k) == 2 for k in keys):
            raise ValueError(
                "inputs keys must be all queue ids or all (site, queue) tuples, "
                f"got a mix such as {describe(keys[0])} and {describe(keys[-1])}"
            )
        key_cols = ("site", *key_cols)
    return Grouped(tuple(keys), key_cols, items=tuple(inputs[k] for k in keys))


def group_inputs(
    inputs: pd.DataFrame | Mapping[Hashable, Any],
    *,
    queue_col: str = "queue",
    site_col: str | None = None,
    ds_col: str | None = "ds",
    name: str = "history",
) -> Grouped:
    """Group a long frame by ``(site, queue)`` (or take a mapping) in sorted key order.

    Parameters
    ----------
    inputs : DataFrame or mapping
        A long frame with a ``queue_col`` (and optional ``site_col``) column, or
        a mapping ``{queue: input}`` / ``{(site, queue): input}``.
    queue_col, site_col : str
        Names of the key columns.
    ds_col : str or None
        Interval-start column; rows of each queue are put in time order when present.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    Grouped
        Keys in deterministic (sorted) order and the data to cut into batches.
    """
    key_cols: tuple[str, ...] = (queue_col,) if site_col is None else (site_col, queue_col)
    if isinstance(inputs, pd.DataFrame):
        check_columns(inputs, list(key_cols), name)
        return _group_frame(inputs, key_cols, ds_col)
    if isinstance(inputs, Mapping):
        return _group_mapping(inputs, key_cols)
    raise TypeError(
        f"{name} must be a pandas DataFrame with a {queue_col!r} column or a mapping "
        f"{{queue: input}}, got {type(inputs).__name__}"
    )


def check_batch_size(batch_size: Any) -> int | None:
    """``None`` (choose automatically) or a whole number >= 1."""
    if batch_size is None:
        return None
    return check_int(batch_size, "batch_size", minimum=1)
