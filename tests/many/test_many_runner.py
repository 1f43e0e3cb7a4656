"""The generic many-queue machinery: grouping, executors, failures, progress, streaming.

The work functions here are small and deterministic, so every executor must
give exactly the same frames; the expected values are computed directly with
pandas on the ungrouped data.
"""

from __future__ import annotations

import os
import shutil
import sys
import types
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from staffplan.many import ManyResult, default_batch_size, map_queues
from staffplan.many import _result as result_module
from staffplan.many import _runner as runner_module
from staffplan.many._grouping import group_inputs


def _long_frame(n_queues: int = 7, n_rows: int = 12, *, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-03-30", periods=n_rows, freq="30min", tz="Europe/Paris")
    parts = [
        pd.DataFrame(
            {
                "site": f"s{q % 2}",
                "queue": f"q{q:02d}",
                "ds": ds,
                "volume": rng.poisson(20 + q, n_rows).astype(float),
            }
        )
        for q in range(n_queues)
    ]
    frame = pd.concat(parts, ignore_index=True)
    # Shuffled rows: the result order must not depend on the input order.
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def scaled(data: pd.DataFrame, *, factor: float = 1.0) -> pd.DataFrame:
    """Per-queue work: scale volume and add a running total (order-sensitive)."""
    if (data["volume"] < 0).any():
        raise ValueError("volume must be >= 0")
    out = data[["ds", "volume"]].copy()
    out["scaled"] = out["volume"] * factor
    out["cumulative"] = out["volume"].cumsum()
    return out


def _expected(frame: pd.DataFrame, factor: float, key_cols: list[str]) -> pd.DataFrame:
    ordered = frame.sort_values([*key_cols, "ds"], kind="stable")
    out = ordered[[*key_cols, "ds", "volume"]].copy()
    out["scaled"] = out["volume"] * factor
    out["cumulative"] = out.groupby(key_cols)["volume"].cumsum()
    return out.reset_index(drop=True)


@pytest.mark.parametrize("site_col", [None, "site"])
def test_grouping_sorts_once_into_contiguous_queues(site_col: str | None) -> None:
    frame = _long_frame()
    grouped = group_inputs(frame, site_col=site_col)
    key_cols = ["queue"] if site_col is None else ["site", "queue"]
    by = key_cols[0] if len(key_cols) == 1 else key_cols  # a 1-list groups by 1-tuples
    expected_keys = sorted(frame.groupby(by).groups)
    assert list(grouped.keys) == expected_keys
    batches = grouped.batches(3)
    assert [len(b) for b in batches] == [3, 3, 1]
    seen = []
    for batch in batches:
        for key, data in batch:
            parts = key if isinstance(key, tuple) else (key,)
            for col, value in zip(key_cols, parts, strict=True):
                assert (data[col] == value).all()
            assert data["ds"].is_monotonic_increasing
            seen.append(key)
    assert seen == expected_keys


def test_default_batch_size_gives_about_four_tasks_per_worker() -> None:
    assert default_batch_size(1000, 2) == 125
    assert default_batch_size(3, 8) == 1
    assert default_batch_size(0, 2) == 1


def test_serial_pool_and_threads_agree_and_order_is_deterministic() -> None:
    frame = _long_frame()
    before = frame.copy()
    expected = _expected(frame, 2.0, ["site", "queue"])
    runs = {
        "serial": map_queues(scaled, frame, site_col="site", executor="serial", factor=2.0),
        "default": map_queues(scaled, frame, site_col="site", factor=2.0),
        "threads": map_queues(
            scaled, frame, site_col="site", executor=ThreadPoolExecutor(2), factor=2.0
        ),
    }
    with ProcessPoolExecutor(max_workers=2) as pool:
        runs["processes"] = map_queues(
            scaled, frame, site_col="site", executor=pool, batch_size=2, factor=2.0
        )
    for name, res in runs.items():
        assert res.ok, name
        assert_frame_equal(res.frame, expected, check_dtype=True, obj=name)
        assert res.status[["site", "queue"]].equals(
            expected[["site", "queue"]].drop_duplicates(ignore_index=True)
        )
    status = runs["processes"].status
    assert list(status.columns) == ["site", "queue", "status", "error", "seconds", "cpu_seconds"]
    assert (status["seconds"] > 0).all() and (status["cpu_seconds"] >= 0).all()
    assert_frame_equal(frame, before)  # the caller's frame is untouched


def test_failing_queue_is_reported_and_others_succeed() -> None:
    frame = _long_frame()
    frame.loc[frame["queue"] == "q03", "volume"] = -1.0
    res = map_queues(scaled, frame, executor="serial", batch_size=2)
    assert not res.ok
    failed = res.failed
    assert failed["queue"].tolist() == ["q03"]
    assert failed["error"].iloc[0] == "ValueError: volume must be >= 0"
    assert "Traceback" in res.tracebacks["q03"]
    good = frame[frame["queue"] != "q03"]
    assert_frame_equal(res.frame, _expected(good, 1.0, ["queue"]))
    with pytest.raises(KeyError, match="volume must be >= 0"):
        res["q03"]
    with pytest.raises(RuntimeError, match="1 of 7 queues failed"):
        res.raise_if_failed()


def test_unpicklable_task_fails_its_queues_with_reason() -> None:
    frame = _long_frame(n_queues=4)
    with ProcessPoolExecutor(max_workers=2) as pool:
        res = map_queues(lambda d: d, frame, executor=pool)
    assert (res.status["status"] == "failed").all()
    assert res.status["error"].str.contains("pickle", case=False).all()


@pytest.mark.parametrize("executor", ["serial", "pool"])
def test_progress_callback_counts_every_queue(executor: str) -> None:
    frame = _long_frame()
    calls: list[tuple[int, int, object]] = []
    res = map_queues(
        scaled,
        frame,
        site_col="site",
        executor="serial" if executor == "serial" else None,
        batch_size=2,
        progress=lambda done, total, key: calls.append((done, total, key)),
    )
    assert [c[0] for c in calls] == list(range(1, len(res) + 1))
    assert {c[1] for c in calls} == {len(res)}
    assert sorted(c[2] for c in calls) == res.keys


def test_progress_bar_uses_tqdm(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm", reason="tqdm is not installed (the [progress] extra)")
    map_queues(scaled, _long_frame(n_queues=3), executor="serial", progress=True)
    assert "3/3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("module", "kwargs", "hint"),
    [
        ("tqdm", {"progress": True}, r"pip install 'staffplan\[progress\]'"),
        ("distributed", {"executor": "dask"}, r"pip install 'staffplan\[dask\]'"),
    ],
)
def test_missing_optional_dependency_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, module: str, kwargs: dict, hint: str
) -> None:
    # A None entry in sys.modules makes the import fail as if not installed.
    for name in (module, f"{module}.auto"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=hint):
        map_queues(scaled, _long_frame(n_queues=2), **kwargs)


def test_dask_by_name_without_a_client_says_what_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")

    def no_client() -> None:
        raise ValueError("No clients found")

    monkeypatch.setattr(distributed, "default_client", no_client)
    with pytest.raises(ValueError, match=r"needs a running dask\.distributed\.Client"):
        map_queues(scaled, _long_frame(n_queues=2), executor="dask")


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_out_dir_streams_atomic_files_and_reloads_equal_frames(
    tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch, file_format: str
) -> None:
    if file_format == "parquet":
        pytest.importorskip("pyarrow", reason="pyarrow is not installed (the [parquet] extra)")
    else:
        import staffplan.many._runner as runner

        monkeypatch.setattr(runner, "default_file_format", lambda: "csv")
    frame = _long_frame()
    frame.loc[frame["queue"] == "q05", "volume"] = -3.0
    in_memory = map_queues(scaled, frame, site_col="site", executor="serial", factor=0.5)
    streamed = map_queues(
        scaled, frame, site_col="site", out_dir=tmp_path, batch_size=3, factor=0.5
    )
    assert not streamed._values  # only the status came back
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    ok = streamed.status[streamed.status["status"] == "ok"]
    assert written == sorted(
        [
            "_schema.json",
            "_status.csv",
            *(f"{s}/{q}.{file_format}" for s, q in zip(ok["site"], ok["queue"], strict=True)),
        ]
    )
    on_disk_status = pd.read_csv(tmp_path / "_status.csv", keep_default_na=False)
    assert on_disk_status["status"].tolist() == streamed.status["status"].tolist()
    assert on_disk_status["error"].tolist() == streamed.status["error"].tolist()
    assert not any(name.endswith(".tmp") or "/." in name for name in written)
    assert streamed.status.loc[streamed.status["queue"] == "q05", "path"].item() == ""
    assert_frame_equal(streamed.frame, in_memory.frame)
    assert_frame_equal(streamed[("s0", "q02")], in_memory[("s0", "q02")])
    assert streamed.frame["ds"].dtype == frame["ds"].dtype
    # A later session reopens the folder (moved elsewhere) with the same keys, status and frames.
    moved = Path(tmp_path).parent / f"{Path(tmp_path).name}-moved"
    shutil.move(tmp_path, moved)
    reopened = ManyResult.open(moved)
    assert repr(reopened) == repr(streamed)
    assert reopened.keys == streamed.keys and reopened.key_cols == ("site", "queue")
    assert_frame_equal(reopened.status.drop(columns="path"), streamed.status.drop(columns="path"))
    assert reopened.failed["queue"].tolist() == ["q05"]
    assert_frame_equal(reopened.frame, in_memory.frame)
    with pytest.raises(KeyError, match="failed: ValueError: volume must be >= 0"):
        reopened[("s1", "q05")]


def test_open_names_a_folder_without_a_finished_run(tmp_path: os.PathLike[str]) -> None:
    with pytest.raises(FileNotFoundError, match=r"no _status\.csv here"):
        ManyResult.open(tmp_path)


def test_open_reads_integer_queue_ids_and_a_missing_result_is_named(
    tmp_path: os.PathLike[str],
) -> None:
    frame = _long_frame(n_queues=3).assign(queue=lambda f: f["queue"].str[1:].astype(int))
    streamed = map_queues(scaled, frame, executor="serial", out_dir=tmp_path)
    reopened = ManyResult.open(tmp_path)
    assert reopened.keys == streamed.keys == [0, 1, 2]
    assert_frame_equal(reopened[1], streamed[1])
    next(Path(tmp_path).glob("1.*")).unlink()
    with pytest.raises(FileNotFoundError, match=r"queue 1 is 'ok' in _status\.csv"):
        ManyResult.open(tmp_path)


def test_out_dir_removes_a_stale_result_of_a_now_failing_queue(tmp_path: os.PathLike[str]) -> None:
    frame = _long_frame(n_queues=3)
    map_queues(scaled, frame, executor="serial", out_dir=tmp_path)
    stale = "q00.parquet" if "q00.parquet" in os.listdir(tmp_path) else "q00.csv"
    assert stale in os.listdir(tmp_path)
    frame.loc[frame["queue"] == "q00", "volume"] = -1.0
    res = map_queues(scaled, frame, executor="serial", out_dir=tmp_path)
    assert res.failed["queue"].tolist() == ["q00"]
    assert stale not in os.listdir(tmp_path)


def unwritable(data: pd.DataFrame) -> pd.DataFrame:
    """A result whose last column cannot be stored as Parquet (mixed object types)."""
    out = data[["ds", "volume"]].copy()
    out["note"] = [b"bytes" if i % 2 else 1.5 for i in range(len(out))]
    return out


def test_a_result_that_fails_to_write_leaves_no_partial_file(tmp_path: os.PathLike[str]) -> None:
    pytest.importorskip("pyarrow", reason="pyarrow is not installed (the [parquet] extra)")
    frame = _long_frame(n_queues=2)
    res = map_queues(unwritable, frame, executor="serial", out_dir=tmp_path)
    assert (res.status["status"] == "failed").all()
    assert res.status["error"].str.contains("Arrow|bytes", regex=True).all()
    # No temp or half-written file.
    assert sorted(os.listdir(tmp_path)) == ["_schema.json", "_status.csv"]


def test_mapping_inputs_with_site_tuples() -> None:
    frame = _long_frame(n_queues=4)
    inputs = {
        (s, q): g.drop(columns=["site", "queue"]) for (s, q), g in frame.groupby(["site", "queue"])
    }
    shuffled = dict(reversed(list(inputs.items())))
    res = map_queues(scaled, shuffled, executor="serial")
    assert res.key_cols == ("site", "queue")
    assert res.keys == sorted(inputs)
    assert res.frame.columns[:2].tolist() == ["site", "queue"]
    # rows within a queue stay in the order given (mappings are not re-sorted inside)
    first = inputs[res.keys[0]]
    assert res[res.keys[0]]["volume"].tolist() == first["volume"].tolist()


def parent_marker_seen(data: pd.DataFrame) -> pd.DataFrame:
    """Whether the worker inherited the parent's memory (a forked copy) or started clean."""
    return pd.DataFrame({"seen": ["_staffplan_parent_marker" in sys.modules]})


def test_default_pool_does_not_fork_the_running_process(monkeypatch: pytest.MonkeyPatch) -> None:
    # Forking a process with threads running (tqdm, a Dask client, BLAS) can deadlock the
    # child; the default pool starts clean workers (fork server or spawn) instead.
    monkeypatch.setitem(sys.modules, "_staffplan_parent_marker", types.ModuleType("marker"))
    res = map_queues(parent_marker_seen, _long_frame(n_queues=4), batch_size=1)
    assert res.ok, res.failed
    assert not res.frame["seen"].any()
    assert runner_module.pool_context().get_start_method() in ("forkserver", "spawn")


def test_passed_in_executor_is_left_running() -> None:
    pool = ThreadPoolExecutor(2)
    map_queues(scaled, _long_frame(n_queues=3), executor=pool)
    assert pool.submit(sum, [1, 2]).result() == 3
    pool.shutdown()


def test_empty_frame_gives_empty_result() -> None:
    res = map_queues(scaled, _long_frame().iloc[:0], executor="serial")
    assert isinstance(res, ManyResult)
    assert len(res) == 0
    assert res.ok
    assert res.frame.empty


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"executor": "bogus"}, ValueError, "executor must be"),
        ({"executor": 3}, TypeError, "executor must be"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
        ({"progress": 5}, TypeError, "progress must be"),
        ({"queue_col": "line"}, ValueError, r"missing column\(s\) \['line'\]"),
    ],
)
def test_bad_arguments_raise_clearly(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        map_queues(scaled, _long_frame(n_queues=2), **kwargs)


def test_missing_queue_ids_are_rejected() -> None:
    frame = _long_frame(n_queues=2)
    frame.loc[0, "queue"] = None
    with pytest.raises(ValueError, match="queue must have no missing values, got 1 missing"):
        map_queues(scaled, frame, executor="serial")


def test_dask_cluster_gives_the_same_results(dask_client: object) -> None:
    frame = _long_frame()
    expected = map_queues(scaled, frame, site_col="site", executor="serial", factor=3.0)
    calls: list[int] = []
    on_client = map_queues(
        scaled,
        frame,
        site_col="site",
        executor=dask_client,
        factor=3.0,
        progress=lambda done, total, key: calls.append(done),
    )
    on_executor = map_queues(
        scaled,
        frame,
        site_col="site",
        executor=dask_client.get_executor(),  # type: ignore[attr-defined]
        batch_size=1,
        factor=3.0,
    )
    by_name = map_queues(scaled, frame, site_col="site", executor="dask", factor=3.0)
    assert_frame_equal(by_name.frame, expected.frame)
    assert_frame_equal(on_client.frame, expected.frame)
    assert_frame_equal(on_executor.frame, expected.frame)
    assert calls == list(range(1, len(expected) + 1))


def test_result_module_escapes_keys_into_safe_file_names() -> None:
    rel = result_module.key_relpath(("../etc", "a/b"), ("site", "queue"))
    assert rel.parts == ("%2E.%2Fetc", "a%2Fb")


def test_queue_ids_longer_than_a_file_name_allows_are_written_and_reopened(
    tmp_path: os.PathLike[str],
) -> None:
    # Linux refuses file names past 255 bytes; two ids that share their first 300 characters
    # must still land in distinct files and come back under their own keys.
    frame = _long_frame(n_queues=2)
    long_ids = {"q00": "é" * 300 + "-a", "q01": "é" * 300 + "-b"}
    frame["queue"] = frame["queue"].map(long_ids)
    streamed = map_queues(scaled, frame, executor="serial", out_dir=tmp_path)
    assert streamed.status["status"].tolist() == ["ok", "ok"]
    names = [p.name for p in Path(tmp_path).iterdir() if not p.name.startswith("_")]
    assert len(names) == 2 and all(len(n.encode()) <= 255 for n in names)
    reopened = ManyResult.open(tmp_path)
    for key in long_ids.values():
        assert_frame_equal(reopened[key], streamed[key])
