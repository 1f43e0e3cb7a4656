"""Forecast, staff and plan many queues (and sites) in parallel."""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from staffplan import defaults
from staffplan._validation import check_fraction, check_int, check_positive, describe
from staffplan.forecast._forecaster import quantile_column

from ._grouping import Grouped, group_inputs
from ._result import ManyResult
from ._runner import ExecutorLike, ProgressLike, run_grouped

__all__ = ["forecast_many", "map_queues", "plan_many", "staff_many"]

_SHARED_DOC = """
    executor : concurrent.futures.Executor, dask.distributed.Client, str or None
        Where the work runs. ``None`` (default) or ``"processes"``: a local
        process pool sized to the CPUs this process may use, whose workers start
        from a fork server (spawned where there is none), never as forks of this
        process, which may run threads; a function given to ``map_queues`` must
        then be importable (defined in a module, not in a notebook). ``"serial"``:
        inline, in this process. Any ``concurrent.futures.Executor`` (a
        ``ThreadPoolExecutor``, a ``ProcessPoolExecutor`` you configured,
        ``client.get_executor()``), a ``dask.distributed.Client`` to run on its
        cluster, or ``"dask"`` for the Client already running in this process
        (``[dask]`` extra). Executors you pass in are not shut down. A queue
        whose work kills its worker process (a crash in native code, the
        out-of-memory killer) is retried alone and reported as failed with the
        reason; the other queues of its task are run again and come back. A
        process pool broken by such a crash is replaced by a fresh local one.
    batch_size : int, optional
        Queues per task. Default: enough for about 4 tasks per worker, which
        amortises pickling and scheduling while balancing the load.
    progress : bool or callable, optional
        ``True``: a tqdm progress bar (``[progress]`` extra). A callable is
        called as ``progress(done, total, key)`` for every finished queue
        (``done`` counts from 1 to ``total``), as tasks complete, for local and
        Dask runs alike.
    out_dir : path-like, optional
        Stream each queue's result to a file under this directory as soon as its
        task finishes (Parquet with the ``[parquet]`` extra, else CSV; written
        atomically; ``<queue>`` or ``<site>/<queue>``; objects with ``save`` and
        ``load``, such as a Plan, in a folder of that name), and keep only the
        status in memory; the status is also written to ``_status.csv`` there.
        The result object reads the files back when asked;
        ``ManyResult.open(out_dir)`` reopens the folder later."""


def _with_shared_doc(func: Callable[..., Any]) -> Callable[..., Any]:
    func.__doc__ = (func.__doc__ or "").replace("    {shared}", _SHARED_DOC.strip("\n"))
    return func


@_with_shared_doc
def map_queues(
    func: Callable[..., Any],
    inputs: pd.DataFrame | Mapping[Hashable, Any],
    *,
    executor: ExecutorLike = None,
    queue_col: str = "queue",
    site_col: str | None = None,
    ds_col: str | None = "ds",
    batch_size: int | None = None,
    progress: ProgressLike = None,
    out_dir: str | os.PathLike[str] | None = None,
    **kwargs: Any,
) -> ManyResult:
    """Apply ``func`` to every queue's input in parallel, isolating failures.

    Parameters
    ----------
    func : callable
        ``func(data, **kwargs)`` for one queue; returns a DataFrame (the key
        columns are added when missing) or any object. Must be picklable (a
        module-level function) for process pools and clusters.
    inputs : DataFrame or mapping
        A long frame with a ``queue_col`` (and optional ``site_col``) column,
        split into one sub-frame per queue (rows in ``ds_col`` order when that
        column exists); or a mapping ``{queue: data}`` /
        ``{(site, queue): data}``.
    queue_col, site_col, ds_col : str
        Column names.
    {shared}
    **kwargs
        Passed to ``func``.

    Returns
    -------
    ManyResult
        Per-queue results and a status frame, sorted by (site, queue).

    Examples
    --------
    >>> import pandas as pd
    >>> from staffplan.many import map_queues
    >>> frame = pd.DataFrame({"queue": ["b", "a", "a"], "volume": [1.0, 2.0, 3.0]})
    >>> res = map_queues(pd.DataFrame.sum, frame, executor="serial", numeric_only=True)
    >>> res.status[["queue", "status"]].to_dict("list")
    {'queue': ['a', 'b'], 'status': ['ok', 'ok']}
    >>> float(res["a"]["volume"])
    5.0
    """
    grouped = group_inputs(inputs, queue_col=queue_col, site_col=site_col, ds_col=ds_col)
    return _run(func, grouped, kwargs, (executor, batch_size, progress, out_dir), pass_key=False)


# -- tasks run in the workers (module level, so they pickle by reference) --------------


def _queue_of(key: Hashable) -> Any:
    return key[-1] if isinstance(key, tuple) else key


def _with_queue(
    history: pd.DataFrame, key: Hashable, queue_col: str, *, strict: bool = True
) -> pd.DataFrame:
    # Histories given as {queue: frame} may leave the queue column out.
    queue = _queue_of(key)
    if queue_col not in history.columns:
        return history.assign(**{queue_col: queue})
    if strict:
        found = pd.unique(history[queue_col])
        if len(found) != 1 or found[0] != queue:
            raise ValueError(
                f"history of queue {queue!r} holds {queue_col} values {describe(list(found))}; "
                f"the key names the queue: drop the {queue_col!r} column or make it match"
            )
    return history


def _forecast_task(
    history: pd.DataFrame, *, key: Hashable, horizon: Any, queue_col: str, **forecast_kwargs: Any
) -> pd.DataFrame:
    from staffplan import forecast

    history = _with_queue(history, key, queue_col)
    return forecast.forecast(history, horizon, queue_col=queue_col, **forecast_kwargs)


def _interval_min_of(ds: pd.Series) -> int:
    from staffplan import intervals

    return intervals.interval_min_for(ds)


def _staff_task(
    history: pd.DataFrame,
    *,
    key: Hashable,
    horizon: Any,
    queue_col: str,
    volume_column: str,
    aht_s: float | None,
    forecast_kwargs: Mapping[str, Any],
    staffing_kwargs: Mapping[str, Any],
) -> pd.DataFrame:
    from staffplan import erlang

    fc = _forecast_task(history, key=key, horizon=horizon, queue_col=queue_col, **forecast_kwargs)
    if volume_column not in fc.columns:
        raise ValueError(
            f"forecast has no column {volume_column!r} to staff for; it has {list(fc.columns)}"
        )
    if aht_s is None:
        if "aht_s" not in fc.columns:
            raise ValueError("aht_s must be given when the history has no aht_s column")
        aht = fc["aht_s"].to_numpy(dtype=np.float64)
    else:
        aht = np.full(len(fc), aht_s, dtype=np.float64)
    staffing = dict(staffing_kwargs)
    if staffing.get("interval_min") is None:
        ds_col = forecast_kwargs.get("ds_col", "ds")
        source = fc if len(fc) > 1 else history
        staffing["interval_min"] = _interval_min_of(source[ds_col])
    volume = fc[volume_column].to_numpy(dtype=np.float64)
    out = fc.copy()
    if aht_s is not None:
        out["aht_s"] = aht
    out["traffic_erl"] = erlang.traffic(volume, aht, interval_min=staffing["interval_min"])
    out["agents"] = np.asarray(erlang.required_agents(volume, aht, **staffing))
    return out


def _plan_task(history: Any, *, key: Hashable, queue_col: str, **plan_kwargs: Any) -> Any:
    plan_module = importlib.import_module("staffplan.plan")
    if isinstance(history, pd.DataFrame):
        # A mapping may hold several queues per key (e.g. a site planned as one).
        history = _with_queue(history, key, queue_col, strict=False)
    return plan_module.plan(history, **plan_kwargs)


# -- public entry points ---------------------------------------------------------------


def _run(
    task: Callable[..., Any],
    grouped: Grouped,
    kwargs: Mapping[str, Any],
    where: tuple[ExecutorLike, int | None, ProgressLike, str | os.PathLike[str] | None],
    *,
    pass_key: bool = True,
) -> ManyResult:
    # ``where``: (executor, batch_size, progress, out_dir) as the public function got them.
    executor, batch_size, progress, out_dir = where
    return run_grouped(
        task,
        grouped,
        executor=executor,
        batch_size=batch_size,
        progress=progress,
        out_dir=out_dir,
        pass_key=pass_key,
        kwargs=kwargs,
    )


def _check_horizon(horizon: Any) -> Any:
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool):
        return check_int(horizon, "horizon", minimum=1)
    return horizon


@_with_shared_doc
def forecast_many(
    history: pd.DataFrame | Mapping[Hashable, pd.DataFrame],
    horizon: Any,
    *,
    executor: ExecutorLike = None,
    queue_col: str = "queue",
    site_col: str | None = None,
    batch_size: int | None = None,
    progress: ProgressLike = None,
    out_dir: str | os.PathLike[str] | None = None,
    **forecast_kwargs: Any,
) -> ManyResult:
    """Forecast every queue of a long history in parallel.

    Each queue is forecast on its own with :func:`staffplan.forecast.forecast`;
    a queue that fails (too little history, bad values) is reported in the
    status frame with its reason and the others are unaffected.

    Parameters
    ----------
    history : DataFrame or mapping
        Long frame with ``queue``, ``ds``, ``volume`` (and optional ``aht_s``
        and ``site``) columns, or a mapping ``{queue: history}`` /
        ``{(site, queue): history}`` of per-queue frames.
    horizon : int, str, Timedelta or timestamps
        How far ahead to forecast: a number of intervals, a duration such as
        ``"7D"``, or the interval starts (as :func:`staffplan.forecast.forecast`).
    queue_col, site_col : str
        Key columns; ``site_col=None`` means queues only.
    {shared}
    **forecast_kwargs
        Passed to :func:`staffplan.forecast.forecast` (``quantiles``,
        ``events``, ``method``, ``interval_min``, ``ds_col``, ...).

    Returns
    -------
    ManyResult
        ``.frame``: the forecasts of all successful queues concatenated, sorted
        by (site, queue); ``.status``: one row per queue.

    Examples
    --------
    >>> from staffplan.many import forecast_many
    >>> res = forecast_many(history, "7D", site_col="site")  # doctest: +SKIP
    >>> res.status.query("status == 'failed'")  # doctest: +SKIP
    """
    kwargs = {"horizon": _check_horizon(horizon), "queue_col": queue_col, **forecast_kwargs}
    return _run(
        _forecast_task,
        group_inputs(
            history, queue_col=queue_col, site_col=site_col, ds_col=kwargs.get("ds_col", "ds")
        ),
        kwargs,
        (executor, batch_size, progress, out_dir),
    )


def _parameters(func: Callable[..., Any], skip: Sequence[str]) -> set[str]:
    return {p for p in inspect.signature(func).parameters if p not in skip}


def _split_staff_kwargs(kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from staffplan import erlang, forecast

    fc_names = _parameters(forecast.forecast, ("history", "horizon", "queue_col"))
    st_names = _parameters(erlang.required_agents, ("volume", "aht_s"))
    unknown = sorted(set(kwargs) - fc_names - st_names)
    if unknown:
        raise TypeError(
            f"staff_many() got unexpected keyword argument(s) {unknown}; it takes the keywords "
            "of staffplan.forecast.forecast and staffplan.erlang.required_agents"
        )
    fc_kwargs = {k: v for k, v in kwargs.items() if k in fc_names}
    st_kwargs = {k: v for k, v in kwargs.items() if k in st_names}
    return fc_kwargs, st_kwargs


@_with_shared_doc
def staff_many(
    history: pd.DataFrame | Mapping[Hashable, pd.DataFrame],
    horizon: Any,
    *,
    aht_s: float | None = None,
    volume_quantile: float | None = None,
    executor: ExecutorLike = None,
    queue_col: str = "queue",
    site_col: str | None = None,
    batch_size: int | None = None,
    progress: ProgressLike = None,
    out_dir: str | os.PathLike[str] | None = None,
    **kwargs: Any,
) -> ManyResult:
    """Forecast every queue and size its staff per interval with Erlang, in parallel.

    For each queue: :func:`staffplan.forecast.forecast`, then
    :func:`staffplan.erlang.required_agents` on the forecast volume (the mean,
    or the ``volume_quantile`` quantile) and AHT.

    Parameters
    ----------
    history : DataFrame or mapping
        As for :func:`forecast_many`.
    horizon : int, str, Timedelta or timestamps
        How far ahead to plan, as for :func:`forecast_many`.
    aht_s : float, optional
        Average handle time [s] for every interval. Default: the forecast
        ``aht_s`` column (the history must then have one).
    volume_quantile : float, optional
        Staff for this forecast quantile (e.g. 0.95: enough for the volume
        exceeded with 5% probability) instead of the mean; added to the
        forecast quantiles when missing.
    queue_col, site_col : str
        Key columns.
    {shared}
    **kwargs
        Keywords of :func:`staffplan.forecast.forecast` (``method``,
        ``quantiles``, ``events``, ...) and of
        :func:`staffplan.erlang.required_agents` (``service_level``,
        ``target_answer_s``, ``shrinkage``, ...), routed by name;
        ``interval_min`` goes to both and is inferred from the data when
        omitted.

    Returns
    -------
    ManyResult
        ``.frame``: the forecast columns plus ``traffic_erl`` [Erl] and
        ``agents`` (required agents per interval) for all successful queues.
    """
    horizon = _check_horizon(horizon)
    if aht_s is not None:
        aht_s = float(check_positive(aht_s, "aht_s"))
    fc_kwargs, st_kwargs = _split_staff_kwargs(kwargs)
    volume_column = "volume"
    if volume_quantile is not None:
        q = float(check_fraction(volume_quantile, "volume_quantile"))
        quantiles = tuple(fc_kwargs.get("quantiles", defaults.QUANTILES))
        if not any(np.isclose(q, x) for x in quantiles):
            fc_kwargs["quantiles"] = tuple(sorted((*quantiles, q)))
        volume_column = quantile_column(q)
    return _run(
        _staff_task,
        group_inputs(
            history, queue_col=queue_col, site_col=site_col, ds_col=fc_kwargs.get("ds_col", "ds")
        ),
        {
            "horizon": horizon,
            "queue_col": queue_col,
            "volume_column": volume_column,
            "aht_s": aht_s,
            "forecast_kwargs": fc_kwargs,
            "staffing_kwargs": st_kwargs,
        },
        (executor, batch_size, progress, out_dir),
    )


@_with_shared_doc
def plan_many(
    inputs: pd.DataFrame | Mapping[Hashable, Any],
    *,
    executor: ExecutorLike = None,
    queue_col: str = "queue",
    site_col: str | None = None,
    batch_size: int | None = None,
    progress: ProgressLike = None,
    out_dir: str | os.PathLike[str] | None = None,
    **plan_kwargs: Any,
) -> ManyResult:
    """Make a full plan (forecast, staffing, roster, verdict) per queue, in parallel.

    Parameters
    ----------
    inputs : DataFrame or mapping
        A long history frame with a ``queue`` (and optional ``site``) column,
        or a mapping ``{queue: history}`` / ``{(site, queue): history}``.
    queue_col, site_col : str
        Key columns.
    {shared}
    **plan_kwargs
        Passed to :func:`staffplan.plan` for every queue (``horizon``,
        ``service``, ``rules``, ``time_limit_s``, ...). ``num_workers`` (roster
        solver threads per plan) defaults to 1 here, since the queues already
        run in parallel.

    Returns
    -------
    ManyResult
        ``.plans``: ``{key: Plan}`` of the successful queues (read back with
        ``Plan.load`` when streamed to ``out_dir``); ``.status``: one row per
        queue, with the reason of each failure (bad data, infeasible rules).
    """
    # Parallelism comes from running queues side by side: one solver thread per
    # plan unless asked otherwise, so that the workers do not oversubscribe the CPUs.
    plan_kwargs.setdefault("num_workers", 1)
    return _run(
        _plan_task,
        group_inputs(inputs, queue_col=queue_col, site_col=site_col, name="inputs"),
        {"queue_col": queue_col, **plan_kwargs},
        (executor, batch_size, progress, out_dir),
    )
