"""One submit/collect loop over any ``concurrent.futures``-style executor.

The same loop runs inline (``executor="serial"``), on a local process pool
(the default) and on a Dask cluster (a ``dask.distributed.Client`` or its
``get_executor()``): all three hand out ``concurrent.futures.Future`` objects,
so submission, completion order, progress and failure handling are shared.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
import traceback
import warnings
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import (
    FIRST_COMPLETED,
    BrokenExecutor,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from staffplan._optional import require
from staffplan._validation import describe

from ._grouping import Batch, Grouped, check_batch_size, default_batch_size, key_parts
from ._result import (
    ManyResult,
    Stored,
    clean_out_dir,
    default_file_format,
    remove_stored,
    store_value,
    with_keys,
    write_status,
)

__all__ = [
    "ExecutorLike",
    "InlineExecutor",
    "ProgressLike",
    "cpu_count",
    "pool_context",
    "resolve_executor",
    "run_grouped",
]

ProgressLike = bool | Callable[[int, int, Hashable], object] | None
ExecutorLike = Executor | str | Any | None


def cpu_count() -> int:
    """CPUs this process may use (affinity-aware where the platform tells)."""
    counter = getattr(os, "process_cpu_count", None)
    if counter is not None:
        return max(1, counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


class InlineExecutor(Executor):
    """Run each submitted call at once in the calling thread.

    Returns already-finished futures, so the shared submit/collect loop needs
    no special case for serial runs.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def _is_dask_client(obj: Any) -> bool:
    # Detect without importing dask: only a Client exposes both of these.
    return type(obj).__module__.startswith("distributed") and hasattr(obj, "get_executor")


def _dask_workers(client: Any) -> int:
    return max(1, sum(client.nthreads().values()))


def _current_dask_client() -> Any:
    distributed = require("distributed", purpose="executor='dask'")
    try:
        return distributed.default_client()
    except ValueError:
        raise ValueError(
            "executor='dask' needs a running dask.distributed.Client in this process, e.g. "
            "Client(LocalCluster()) or Client('tcp://scheduler:8786'); none was found"
        ) from None


#: Imported once by the fork server, so that each worker it forks starts warm.
_PRELOAD = ("__main__", "staffplan.many._api", "staffplan.forecast", "staffplan.erlang")


def pool_context() -> Any:
    """The multiprocessing context of the default process pool.

    Forking a process that runs threads (a progress bar, a Dask client, OpenMP or
    BLAS pools) can copy a lock held by another thread and deadlock the child, so
    the pool starts its workers from a fork server (a clean single-threaded
    process) where the platform has one, else by spawning them.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(_PRELOAD))
        return ctx
    return multiprocessing.get_context("spawn")


@dataclass
class _ExecutorPlan:
    n_workers: int
    make: Callable[[int], tuple[Executor, bool]]  # n_tasks -> (executor, shut down after?)


def resolve_executor(executor: ExecutorLike) -> _ExecutorPlan:
    """Turn the ``executor=`` argument into a worker count and an executor factory."""
    if executor is None or executor == "processes":
        n = cpu_count()

        def make_pool(n_tasks: int) -> tuple[Executor, bool]:
            # Even one task runs in a worker process: a queue that crashes its process
            # (a segfault in a native library) must not take the caller down with it.
            return (
                ProcessPoolExecutor(max_workers=max(1, min(n, n_tasks)), mp_context=pool_context()),
                True,
            )

        return _ExecutorPlan(n, make_pool)
    if isinstance(executor, str) and executor == "dask":
        return resolve_executor(_current_dask_client())
    if isinstance(executor, str):
        if executor != "serial":
            raise ValueError(
                "executor must be a concurrent.futures.Executor, a dask.distributed.Client, "
                f"'serial', 'processes', 'dask' or None; got {describe(executor)}"
            )
        return _ExecutorPlan(1, lambda n_tasks: (InlineExecutor(), True))
    if _is_dask_client(executor):
        dask_client: Any = executor
        # pure=False: tasks are distinct work, not cacheable results; it also skips
        # hashing every batch's data to build task keys.
        return _ExecutorPlan(
            _dask_workers(dask_client),
            lambda n_tasks: (dask_client.get_executor(pure=False), True),
        )
    if isinstance(executor, Executor):
        client = getattr(executor, "_client", None)
        if client is not None and _is_dask_client(client):
            n = _dask_workers(client)
        else:
            n = int(getattr(executor, "_max_workers", 0) or cpu_count())
        return _ExecutorPlan(n, lambda n_tasks: (executor, False))
    raise TypeError(
        "executor must be a concurrent.futures.Executor, a dask.distributed.Client, "
        f"'serial' or None; got {type(executor).__name__}"
    )


class _Progress:
    """Counts finished queues and reports them to a tqdm bar or a callback."""

    def __init__(self, progress: ProgressLike, total: int) -> None:
        self.total = total
        self.done = 0
        self._bar: Any = None
        self._callback: Callable[[int, int, Hashable], object] | None = None
        if progress is None or progress is False:
            return
        if progress is True:
            tqdm = require("tqdm.auto", purpose="progress=True (a progress bar)")
            self._bar = tqdm.tqdm(total=total, unit="queue")
        elif callable(progress):
            self._callback = progress
        else:
            raise TypeError(
                "progress must be True, False, None or a callable progress(done, total, key), "
                f"got {type(progress).__name__}"
            )

    def advance(self, keys: tuple[Hashable, ...]) -> None:
        for key in keys:
            self.done += 1
            if self._callback is not None:
                self._callback(self.done, self.total, key)
        if self._bar is not None:
            self._bar.update(len(keys))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@dataclass(frozen=True)
class _Spec:
    """Everything a worker needs besides the batch itself (pickled once per task)."""

    task: Callable[..., Any]
    key_cols: tuple[str, ...]
    kwargs: Mapping[str, Any]
    pass_key: bool
    out_dir: Path | None
    file_format: str


@dataclass(frozen=True)
class _Outcome:
    key: Hashable
    ok: bool
    error: str
    seconds: float
    cpu_seconds: float
    value: Any = None
    stored: Stored | None = None
    traceback: str = field(default="", repr=False)


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _run_batch(spec: _Spec, batch: Batch) -> list[_Outcome]:
    """Worker side: run the task on every queue of the batch, isolating failures."""
    outcomes = []
    for key, data in batch:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            if spec.pass_key:
                value = spec.task(data, key=key, **spec.kwargs)
            else:
                value = spec.task(data, **spec.kwargs)
            if isinstance(value, pd.DataFrame):
                value = with_keys(value, key, spec.key_cols)
            stored = None
            if spec.out_dir is not None:
                stored = store_value(value, spec.out_dir, key, spec.key_cols, spec.file_format)
                value = None  # only the status travels back: memory stays bounded
            outcomes.append(
                _Outcome(
                    key,
                    True,
                    "",
                    time.perf_counter() - t0,
                    time.process_time() - c0,
                    value,
                    stored,
                )
            )
        except Exception as exc:
            if spec.out_dir is not None:
                with contextlib.suppress(OSError):  # the failure reported is the task's
                    remove_stored(spec.out_dir, key, spec.key_cols, spec.file_format)
            outcomes.append(
                _Outcome(
                    key,
                    False,
                    _error_text(exc),
                    time.perf_counter() - t0,
                    time.process_time() - c0,
                    traceback=traceback.format_exc(),
                )
            )
    return outcomes


def _batch_failed(batch: Batch, exc: BaseException, prefix: str = "") -> list[_Outcome]:
    # The task itself failed (a worker died, the inputs did not pickle, ...):
    # every queue of the batch gets that reason; other batches are unaffected.
    text = "".join(traceback.format_exception(exc))
    reason = prefix + _error_text(exc)
    return [_Outcome(key, False, reason, 0.0, 0.0, traceback=text) for key in batch.keys]


def _worker_died(exc: BaseException) -> bool:
    """The task's process died (not an exception of the queue's own work)."""
    # Dask reports a task whose workers kept dying as KilledWorker (no import of dask here).
    return isinstance(exc, BrokenExecutor) or type(exc).__name__ == "KilledWorker"


_CRASHED = (
    "worker crashed: the process running this queue died without an exception (os._exit, "
    "a segfault, out of memory) and died again when the queue ran alone; "
)

_Result = list[_Outcome] | BaseException


def _collect(
    executor: Executor, spec: _Spec, batches: list[Batch], window: int, not_run: list[Batch]
) -> Iterator[tuple[Batch, _Result]]:
    """Submit batches (at most ``window`` in flight) and yield each one's outcomes or exception.

    When the executor is broken (a worker died), batches not yet submitted are put
    in ``not_run`` instead of failing: they are innocent and run again elsewhere.
    """
    todo = iter(batches)
    pending: dict[Future[list[_Outcome]], Batch] = {}
    failed_at_submit: list[tuple[Batch, BaseException]] = []
    broken = False

    def refill() -> None:
        nonlocal broken
        while len(pending) < window and not broken:
            batch = next(todo, None)
            if batch is None:
                return
            try:
                with warnings.catch_warnings():
                    # Each batch carries its own rows on purpose (an executor has no
                    # scatter); their size is bounded by batch_size, so Dask's
                    # "large graph" advice does not apply.
                    warnings.filterwarnings("ignore", message="Sending large graph")
                    pending[executor.submit(_run_batch, spec, batch)] = batch
            except BrokenExecutor:
                broken = True
                not_run.append(batch)
                not_run.extend(todo)
            except Exception as exc:
                failed_at_submit.append((batch, exc))

    try:
        refill()
        while pending or failed_at_submit:
            while failed_at_submit:
                yield failed_at_submit.pop(0)
            if not pending:
                refill()
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: pending[f].index):
                batch = pending.pop(future)
                result: _Result
                try:
                    result = future.result()
                except Exception as exc:
                    broken = broken or isinstance(exc, BrokenExecutor)
                    result = exc
                yield batch, result
            refill()
        if broken:
            not_run.extend(todo)
    finally:
        for future in pending:
            future.cancel()


class _Workers:
    """The executor in use, replaced by a fresh local pool when a worker death broke it."""

    def __init__(self, plan: _ExecutorPlan, n_tasks: int) -> None:
        self.plan = plan
        self.executor, self.owned = plan.make(n_tasks)
        self.broken = False

    def renew(self, n_tasks: int) -> None:
        if not self.broken:
            return
        if self.owned:
            self.executor.shutdown(wait=True)
        # A broken pool (ours or the caller's) takes no more work: go on with a fresh
        # local pool of the same size.
        local = _ExecutorPlan(self.plan.n_workers, resolve_executor(None).make)
        self.executor, self.owned = local.make(min(self.plan.n_workers, n_tasks))
        self.broken = False

    def close(self) -> None:
        if self.owned:
            # Pending futures were cancelled by _collect; running ones finish.
            self.executor.shutdown(wait=True)


def _drain(
    workers: _Workers,
    spec: _Spec,
    batches: list[Batch],
    window: int,
    progress: _Progress,
    outcomes: dict[Hashable, _Outcome],
) -> list[tuple[Batch, BaseException]]:
    """Run ``batches`` until each has outcomes or died; return those whose worker died."""
    died: list[tuple[Batch, BaseException]] = []
    todo = batches
    while todo:
        not_run: list[Batch] = []
        for batch, result in _collect(workers.executor, spec, todo, window, not_run):
            if isinstance(result, BaseException) and _worker_died(result):
                workers.broken = workers.broken or isinstance(result, BrokenExecutor)
                died.append((batch, result))
                continue
            if isinstance(result, BaseException):
                result = _batch_failed(batch, result)
            for outcome in result:
                outcomes[outcome.key] = outcome
            progress.advance(batch.keys)
        if not_run:
            workers.broken = True
        todo = not_run
        workers.renew(len(todo))
    return died


def _singles(died: list[tuple[Batch, BaseException]]) -> list[Batch]:
    return [
        single
        for batch, _ in died
        for single in Grouped(batch.keys, (), items=tuple(d for _, d in batch)).batches(1)
    ]


def _run_all(
    workers: _Workers,
    spec: _Spec,
    batches: list[Batch],
    window: int,
    progress: _Progress,
) -> dict[Hashable, _Outcome]:
    """Every queue's outcome; a batch whose worker died is retried queue by queue.

    A worker that dies takes its whole task (and, in a process pool, every task
    in flight) with it. Those queues run again one per task; the ones caught in
    another crash run once more strictly one at a time, so that a queue is
    reported as crashing only when it crashed alone.
    """
    outcomes: dict[Hashable, _Outcome] = {}
    died = _drain(workers, spec, batches, window, progress, outcomes)
    if died:
        died = _drain(workers, spec, _singles(died), window, progress, outcomes)
    for batch, _ in died:
        alone = _drain(workers, spec, [batch], 1, progress, outcomes)
        for lost, exc in alone:
            for outcome in _batch_failed(lost, exc, prefix=_CRASHED):
                outcomes[outcome.key] = outcome
            progress.advance(lost.keys)
    return outcomes


def run_grouped(
    task: Callable[..., Any],
    grouped: Grouped,
    *,
    executor: ExecutorLike = None,
    batch_size: int | None = None,
    progress: ProgressLike = None,
    out_dir: str | os.PathLike[str] | None = None,
    pass_key: bool = False,
    kwargs: Mapping[str, Any] | None = None,
) -> ManyResult:
    """Run ``task`` on every queue of ``grouped`` in batches and gather a :class:`ManyResult`.

    ``task(data, **kwargs)`` (or ``task(data, key=key, **kwargs)`` with
    ``pass_key``) must be picklable for process pools and clusters: a function
    defined at module level.
    """
    batch_size = check_batch_size(batch_size)
    plan = resolve_executor(executor)
    size = batch_size or default_batch_size(len(grouped), plan.n_workers)
    batches = grouped.batches(size)
    folder = None
    if out_dir is not None:
        folder = Path(out_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
    spec = _Spec(
        task, grouped.key_cols, dict(kwargs or {}), pass_key, folder, default_file_format()
    )
    reporter = _Progress(progress, len(grouped))
    outcomes: dict[Hashable, _Outcome] = {}
    if folder is not None:
        clean_out_dir(folder)  # what an earlier, interrupted run left behind
    if batches:
        workers = _Workers(plan, len(batches))
        # A bounded number of tasks in flight keeps the data shipped to workers bounded.
        window = max(2, 2 * plan.n_workers)
        try:
            outcomes = _run_all(workers, spec, batches, window, reporter)
        finally:
            reporter.close()
            workers.close()
    result = _assemble(grouped, outcomes, folder is not None)
    if folder is not None:
        # A crashed worker could neither finish its files nor remove a stale result.
        clean_out_dir(folder)
        for key, outcome in outcomes.items():
            if not outcome.ok:
                with contextlib.suppress(OSError):
                    remove_stored(folder, key, grouped.key_cols, spec.file_format)
        # The directory describes itself: which queues are there, which failed and why.
        # The schema first: a folder with a status file is a finished, reopenable run.
        write_status(folder, result.status, grouped.key_cols, result._stored)
    return result


def _assemble(grouped: Grouped, outcomes: Mapping[Hashable, _Outcome], on_disk: bool) -> ManyResult:
    rows = []
    for key in grouped.keys:
        o = outcomes[key]
        row: dict[str, Any] = {
            **key_parts(key, grouped.key_cols),
            "status": "ok" if o.ok else "failed",
            "error": o.error,
            "seconds": o.seconds,
            "cpu_seconds": o.cpu_seconds,
        }
        if on_disk:
            row["path"] = str(o.stored.path) if o.stored is not None else ""
        rows.append(row)
    columns = [
        *grouped.key_cols,
        "status",
        "error",
        "seconds",
        "cpu_seconds",
        *(["path"] if on_disk else []),
    ]
    status = pd.DataFrame(rows, columns=columns)
    return ManyResult(
        status,
        grouped.key_cols,
        values={k: o.value for k, o in outcomes.items() if o.ok and not on_disk},
        stored={k: o.stored for k, o in outcomes.items() if o.stored is not None},
        tracebacks={k: o.traceback for k, o in outcomes.items() if not o.ok},
    )
