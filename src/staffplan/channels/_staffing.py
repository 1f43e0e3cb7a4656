"""Agents per interval for each queue, with the model its channel needs.

- **voice**: Erlang C, or Erlang A with ``patience_s`` (:func:`staffplan.erlang.required_agents`).
- **chat**: an agent holds up to ``k`` chats, so ``n`` agents are ``n·k`` slots and
  the queue is M/M/(n·k) (Erlang C or A over slots); the agents are the slots
  divided by ``k``, rounded up.  With ``chat_slowdown`` ``s`` a chat lasts
  ``1 + s·m`` times longer when its agent holds ``m`` others; staffing takes the
  full-load handle time ``aht·(1 + s·(k − 1))`` (every slot busy), which is
  conservative: at lower load chats are shorter.
- **deferred**: e-mail and back office, the backlog model of
  :mod:`staffplan.channels._deferred` (a FIFO fluid linear program meeting a
  share answered within a response target in business hours, placed where the
  total staffing is lowest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffplan import intervals
from staffplan._validation import as_float_array, check_interval_min, describe
from staffplan.channels._deferred import DeferredInputs, plan_deferred
from staffplan.channels._spec import CHANNELS, check_business_hours, check_channels, per_queue
from staffplan.defaults import ROUND_TOL
from staffplan.erlang import required_agents

__all__ = ["BLOCK_DAYS", "ChannelRequirement", "channel_requirements"]

#: Deferred work is planned in blocks of about this many days, each clearing the work
#: that arrived while the centre was open in it (see :mod:`staffplan.channels._deferred`).
BLOCK_DAYS = 7


@dataclass(frozen=True)
class ChannelRequirement:
    """Result of :func:`channel_requirements`.

    Attributes
    ----------
    agents : pandas.DataFrame
        Index = intervals, one column per queue: agents needed on that queue's
        contacts [agents] (before shrinkage; whole numbers unless
        ``integer=False``).  NaN where a voice or chat target cannot be met.
    channel : dict
        Channel of each queue.
    concurrency : dict
        Chats per agent of each queue (1 for voice and deferred).
    deferred : pandas.DataFrame
        One row per (interval, deferred queue): ``arrived`` [contacts],
        ``done`` (cumulative contacts finished by the end of the interval),
        ``backlog`` (contacts waiting at its end), ``agents`` (fractional plan).
    planned_within : pandas.Series
        Per deferred queue, the share answered within its response target in
        the fluid plan [fraction] (at least the target; NaN when no contact
        arrived by the last open interval).
    promise : pandas.DataFrame
        Per queue, what was planned for: ``channel``, ``concurrency``,
        ``service_level``, ``target_answer_s``, ``patience_s`` (NaN: none),
        ``chat_slowdown``; :func:`check_in_simulation` reads it.
    business_hours : numpy.ndarray
        Open intervals (booleans) the deferred plan used.
    interval_min : int
        Interval length [min].
    """

    agents: pd.DataFrame
    channel: dict[str, str]
    concurrency: dict[str, int]
    deferred: pd.DataFrame
    planned_within: pd.Series = field(repr=False)
    promise: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    business_hours: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, bool))
    interval_min: int = 30

    @property
    def by_channel(self) -> pd.DataFrame:
        """Agents per interval summed per channel (columns in ``CHANNELS`` order)."""
        names = [c for c in CHANNELS if c in self.channel.values()]
        return pd.DataFrame(
            {
                c: self.agents[[q for q, v in self.channel.items() if v == c]].sum(axis=1)
                for c in names
            }
        )


def _scalar(value: Any) -> float:
    """One number, or NaN for a per-interval setting (kept out of the promise table)."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else np.nan


def _optional_per_queue(value: Any, queues: list[str], name: str) -> dict[str, Any]:
    if value is None:
        return dict.fromkeys(queues)
    return per_queue(value, queues, name, allow_none=True)


def _day_numbers(index: pd.Index, interval_min: int) -> np.ndarray:
    """Calendar day of each interval (blocks of a day's slots for a plain index)."""
    if isinstance(index, pd.DatetimeIndex):
        return intervals.local_day(index).asi8
    return np.arange(len(index)) // intervals.slots_per_day(interval_min)


def _vector(value: Any, n: int, name: str, *, default: float) -> np.ndarray:
    if value is None:
        return np.full(n, default)
    arr = as_float_array(value, name)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be one value or one per interval ({n}), got {arr.shape}")
    return arr


def channel_requirements(
    volume: pd.DataFrame,
    aht_s: Mapping[str, float | ArrayLike],
    *,
    channel: Mapping[str, str],
    interval_min: int | None = None,
    concurrency: Mapping[str, int] | None = None,
    chat_slowdown: Mapping[str, float] | float = 0.0,
    service_level: Mapping[str, float] | float = 0.8,
    target_answer_s: Mapping[str, float] | float = 20,
    patience_s: Mapping[str, float | None] | float | None = None,
    max_abandon: Mapping[str, float | None] | float | None = None,
    max_occupancy: Mapping[str, float | None] | float | None = None,
    business_hours: ArrayLike | None = None,
    cost: ArrayLike | None = None,
    max_agents: Mapping[str, float] | float | None = None,
    integer: bool = True,
) -> ChannelRequirement:
    """Agents needed per interval for voice, chat and deferred queues.

    Parameters
    ----------
    volume : pandas.DataFrame
        Index = interval starts, one column per queue: contacts offered per
        interval [contacts].
    aht_s : mapping
        ``{queue: handle time}``, one value or one per interval [s].
    channel : mapping
        ``{queue: 'voice' | 'chat' | 'deferred'}`` for every queue.
    interval_min : int, optional
        Interval length [min]; inferred from a DatetimeIndex when left out
        (and checked against it when given).
    concurrency : mapping, optional
        ``{queue: k}``: chats one agent holds at once (chat queues; default 1).
    chat_slowdown : float or mapping, default 0
        Handle-time growth per chat already held [fraction]; staffing uses the
        full-load handle time ``aht·(1 + s·(k − 1))``.
    service_level : float or mapping, default 0.8
        Voice and chat: share answered within ``target_answer_s``.  Deferred:
        share answered within the response target (e.g. 0.95) [fraction].
    target_answer_s : float or mapping, default 20
        Voice and chat: answer-time target [s].  Deferred: response target in
        business seconds (e.g. ``8 * 3600``), at least one interval.
    patience_s, max_abandon : float, mapping or None
        Erlang A for voice and chat queues (mean patience [s], cap on the
        abandonment rate [fraction]); one value applies to voice and chat only,
        deferred work never abandons.
    max_occupancy : float, mapping or None
        Cap on occupancy [fraction]; for deferred work the productive share of
        an agent's time (default 1).
    business_hours : array of bool, optional
        Intervals in which deferred work may be staffed and in which the
        response clock runs; default: every interval (a 24/7 back office).
    cost : array, optional
        Relative cost of an agent in each interval (default equal); deferred
        work goes where the daily peak of total staffing stays lowest, then
        where it is cheapest, then earliest.
    max_agents : float or mapping, optional
        Cap on the agents on each deferred queue in any interval [agents].
    integer : bool, default True
        Whole agents (rounded up once per queue) or the fractional levels.

    Returns
    -------
    ChannelRequirement
        Agents per interval and queue, with the deferred backlog plan.

    Raises
    ------
    ValueError
        A queue without a channel or with an unknown one, a concurrency below 1,
        a deferred response target shorter than an interval, patience on a
        deferred queue, or a deferred plan that ``max_agents`` makes
        impossible: each names the queue and the fix.

    Notes
    -----
    Voice and chat are staffed interval by interval (the Erlang formulas are
    vectorized over all intervals).  Deferred queues are planned together in one
    linear program over the whole horizon, since their backlog links intervals.

    Examples
    --------
    >>> idx = pd.date_range("2026-01-05 08:00", periods=4, freq="30min")
    >>> vol = pd.DataFrame({"calls": [100.0] * 4, "chats": [60.0] * 4}, index=idx)
    >>> req = channel_requirements(vol, {"calls": 180, "chats": 300},
    ...                            channel={"calls": "voice", "chats": "chat"},
    ...                            concurrency={"chats": 3})
    >>> req.agents.iloc[0].tolist()
    [14.0, 5.0]
    """
    if not isinstance(volume, pd.DataFrame):
        raise TypeError(
            "volume must be a pandas DataFrame (index = intervals, one column per queue), "
            f"got {type(volume).__name__}"
        )
    if isinstance(volume.index, pd.DatetimeIndex):
        interval_min = intervals.interval_min_for(volume.index, interval_min, name="volume.index")
    elif interval_min is None:
        raise ValueError("interval_min is needed when volume's index holds no timestamps")
    interval_min = check_interval_min(interval_min)
    interval_s = 60.0 * interval_min
    queues = [str(q) for q in volume.columns]
    n = len(volume)
    chan, conc = check_channels(queues, channel, concurrency)
    if not isinstance(aht_s, Mapping):
        raise TypeError(f"aht_s must be a mapping {{queue: seconds}}, got {type(aht_s).__name__}")
    aht_in = per_queue(aht_s, queues, "aht_s")
    sl = per_queue(service_level, queues, "service_level")
    tgt = per_queue(target_answer_s, queues, "target_answer_s")
    pat = _optional_per_queue(patience_s, queues, "patience_s")
    ab = _optional_per_queue(max_abandon, queues, "max_abandon")
    occ = _optional_per_queue(max_occupancy, queues, "max_occupancy")
    slow = per_queue(chat_slowdown, queues, "chat_slowdown")
    deferred = [q for q in queues if chan[q] == "deferred"]
    for q in deferred:
        if (isinstance(patience_s, Mapping) and pat[q] is not None) or (
            isinstance(max_abandon, Mapping) and ab[q] is not None
        ):
            raise ValueError(
                f"patience_s/max_abandon is given for queue {q!r}, a deferred queue; deferred "
                "work never abandons: drop its entry"
            )
        t = float(as_float_array(tgt[q], f"target_answer_s of queue {q!r}"))
        if not t >= interval_s:
            raise ValueError(
                f"target_answer_s of deferred queue {q!r} is {describe(t)} s, shorter than one "
                f"interval ({interval_s:g} s): give the response target in seconds of business "
                "time (8 business hours = 28800), or make the queue 'voice' or 'chat'"
            )
    for q in queues:
        s = float(as_float_array(slow[q], f"chat_slowdown of queue {q!r}"))
        if not (np.isfinite(s) and s >= 0):
            raise ValueError(f"chat_slowdown of queue {q!r} must be >= 0, got {describe(s)}")

    agents = pd.DataFrame(index=volume.index, columns=queues, dtype=float)
    for q in queues:
        if chan[q] == "deferred":
            continue
        k = conc[q]
        aht = as_float_array(aht_in[q], f"aht_s of queue {q!r}")
        if chan[q] == "chat" and k > 1:
            aht = aht * (1.0 + float(slow[q]) * (k - 1))
        need = required_agents(
            as_float_array(volume[q], f"volume[{q!r}]"),
            aht,
            interval_min=interval_min,
            service_level=sl[q],
            target_answer_s=tgt[q],
            patience_s=pat[q],
            max_abandon=ab[q],
            max_occupancy=occ[q],
            integer=integer,
        )
        need = np.broadcast_to(need, (n,)) / k
        # + 0.0 turns the -0.0 that ceil gives an idle interval into 0.
        agents[q] = (np.ceil(need - ROUND_TOL) if integer and k > 1 else need) + 0.0

    plan_frame = pd.DataFrame(
        columns=["arrived", "done", "backlog", "agents"],
        index=pd.MultiIndex.from_arrays([[], []], names=["interval", "queue"]),
        dtype=float,
    )
    within = pd.Series(dtype=float, name="planned_within")
    if deferred:
        plan_frame, within = _staff_deferred(
            volume, deferred, aht_in, sl, tgt, occ, max_agents, business_hours, cost,
            agents, interval_min, integer,
        )  # fmt: skip
    promise = pd.DataFrame(
        {
            "channel": [chan[q] for q in queues],
            "concurrency": [conc[q] for q in queues],
            "service_level": [_scalar(sl[q]) for q in queues],
            "target_answer_s": [_scalar(tgt[q]) for q in queues],
            "patience_s": [
                np.nan if pat[q] is None or chan[q] == "deferred" else _scalar(pat[q])
                for q in queues
            ],
            "chat_slowdown": [float(slow[q]) if chan[q] == "chat" else 0.0 for q in queues],
        },
        index=pd.Index(queues, name="queue"),
    )
    open_mask = check_business_hours(business_hours, n)
    return ChannelRequirement(
        agents=agents,
        channel=chan,
        concurrency=conc,
        deferred=plan_frame,
        planned_within=within,
        promise=promise,
        business_hours=np.ones(n, dtype=bool) if open_mask is None else open_mask.copy(),
        interval_min=interval_min,
    )


def _staff_deferred(
    volume: pd.DataFrame,
    deferred: list[str],
    aht_in: dict[str, Any],
    sl: dict[str, Any],
    tgt: dict[str, Any],
    occ: dict[str, Any],
    max_agents: Any,
    business_hours: Any,
    cost: Any,
    agents: pd.DataFrame,
    interval_min: int,
    integer: bool,
) -> tuple[pd.DataFrame, pd.Series]:
    """Plan the deferred queues together; fills their columns of ``agents`` in place."""
    n = len(volume)
    open_mask = check_business_hours(business_hours, n)
    if open_mask is None:
        open_mask = np.ones(n, dtype=bool)
    cost_arr = _vector(cost, n, "cost", default=1.0)
    if not np.all(np.isfinite(cost_arr) & (cost_arr > 0)):
        raise ValueError(f"cost must be > 0 in every interval, got {describe(cost_arr)}")
    arr = np.column_stack([as_float_array(volume[q], f"volume[{q!r}]") for q in deferred])
    bad = ~(np.isfinite(arr) & (arr >= 0))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"volume of deferred queue {deferred[j]!r} must be finite and >= 0 [contacts], got "
            f"{describe(arr[i, j])} at {volume.index[i]!r}"
        )
    aht = np.column_stack(
        [_vector(aht_in[q], n, f"aht_s of queue {q!r}", default=np.nan) for q in deferred]
    )
    if not np.all(np.isfinite(aht) & (aht > 0)):
        raise ValueError(f"aht_s of the deferred queues {deferred} must be > 0 [s]")
    share = np.array([float(as_float_array(sl[q], f"service_level of {q!r}")) for q in deferred])
    for q, v in zip(deferred, share, strict=True):
        if not 0 < v < 1:
            raise ValueError(
                f"service_level of deferred queue {q!r} must be in (0, 1), got {describe(v)}: a "
                "share answered within the target (0.95); every contact cannot be promised "
                "under random arrivals"
            )
    occ_arr = np.array([1.0 if occ[q] is None else float(occ[q]) for q in deferred])
    if not np.all((occ_arr > 0) & (occ_arr <= 1)):
        raise ValueError(f"max_occupancy of deferred queues must be in (0, 1], got {occ_arr}")
    caps = _optional_per_queue(max_agents, deferred, "max_agents")
    cap_arr = np.column_stack(
        [_vector(caps[q], n, f"max_agents of {q!r}", default=np.inf) for q in deferred]
    )
    others = agents.drop(columns=deferred).to_numpy(dtype=float)
    base = np.nan_to_num(others).sum(axis=1) if others.size else np.zeros(n)
    inputs = DeferredInputs(
        arrivals=arr,
        aht_s=aht,
        target_s=np.array([float(tgt[q]) for q in deferred]),
        share=share,
        open_mask=open_mask,
        day=_day_numbers(volume.index, interval_min),
        interval_s=60.0 * interval_min,
        base_agents=base,
        cost=cost_arr,
        max_occupancy=occ_arr,
        max_agents=cap_arr,
        names=deferred,
    )
    plan = plan_deferred(inputs, BLOCK_DAYS * intervals.slots_per_day(interval_min))
    for j, q in enumerate(deferred):
        x = plan.agents[:, j]
        if integer:
            # Rounded on the running total, not interval by interval: the whole-agent plan
            # has at least the planned capacity by every time (the FIFO deadlines hold) and
            # at most one agent-interval more in all, instead of up to one per interval.
            total = np.ceil(np.cumsum(x) - ROUND_TOL)
            x = np.diff(total, prepend=0.0)
        agents[q] = x + 0.0
    mi = pd.MultiIndex.from_product([volume.index, deferred], names=["interval", "queue"])
    frame = pd.DataFrame(
        {
            "arrived": arr.ravel(),
            "done": plan.done_contacts.ravel(),
            "backlog": plan.backlog.ravel(),
            "agents": plan.agents.ravel(),
        },
        index=mi,
    )
    return frame, pd.Series(plan.within_share, index=pd.Index(deferred, name="queue"))
