"""Hostile files and interrupted writes: plans, results folders, atomic writes, crashing queues.

Every case names its entry point and the only outcome allowed for it:

- ``error``: a ``CorruptFileError`` (a ``ValueError``) or ``FileNotFoundError`` whose
  message names the offending file and says what to do; never a raw ``KeyError``,
  ``JSONDecodeError`` or an import/unpickle driven by the file;
- ``correct``: the data read back equals what was written (intact plans, legacy
  spellings that are still safe, recovered interrupted writes).

The expected values are the frames the test itself wrote (a hand-made plan), so a
case fails if a tampered file were ever read silently.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import pickle
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from staffplan import _io
from staffplan._io import CorruptFileError, atomic_write_text, write_frame
from staffplan.many import ManyResult, map_queues
from staffplan.many import _runner as runner_module
from staffplan.plan import Plan

# -- a small hand-made plan (no solver): every column type a plan stores ---------------------


def _tiny_plan() -> Plan:
    ds = pd.date_range("2024-03-30 22:00", periods=6, freq="30min", tz="Europe/Paris")
    forecast = pd.DataFrame(
        {"queue": "sales", "ds": ds, "volume": [10.0, 12, 9, 0, 4, 8], "aht_s": 240.0}
    )
    requirements = pd.DataFrame(
        {
            "ds": ds,
            "agents": [3, 4, 3, 0, 2, 3],
            "closed": [False, False, False, True, False, False],
        }
    )
    start = pd.Timestamp("2024-03-30 22:00", tz="Europe/Paris")
    roster = pd.DataFrame(
        {
            "person": ["a1", "a2"],
            "role": ["agent", "lead"],
            "start": [start, start],
            "length": pd.to_timedelta([180, 120], unit="min"),
            "breaks": [
                [(start + pd.Timedelta(minutes=60), start + pd.Timedelta(minutes=75))],
                [],
            ],
            "note": ["", "night"],
        }
    )
    coverage = pd.DataFrame({"ds": ds, "required": [3, 4, 3, 0, 2, 3], "on_floor": 2})
    verdict = pd.DataFrame({"ds": ds, "service_level": [0.8, 0.7, np.nan, np.nan, 0.9, 0.85]})
    daily = pd.DataFrame({"date": ["2024-03-30"], "service_level": [0.81]})
    peaks = pd.DataFrame({"ds": ds[:1], "volume": [12.0]})
    return Plan(
        forecast=forecast,
        requirements=requirements,
        roster=roster,
        coverage=coverage,
        verdict=verdict,
        daily=daily,
        peaks=peaks,
        settings={"interval_min": 30, "horizon": "3h"},
        summary={"paid_hours": 5.0},
        warnings=("night shift crosses the DST change",),
    )


@pytest.fixture(scope="module")
def tiny_plan() -> Plan:
    return _tiny_plan()


def _assert_plan_equal(a: Plan, b: Plan) -> None:
    fa, fb = a.to_frames(), b.to_frames()
    assert fa.keys() == fb.keys()
    for name in fa:
        assert_frame_equal(fa[name], fb[name], check_dtype=False, obj=name)
    assert dict(a.settings) == dict(b.settings)
    assert a.warnings == b.warnings


def _meta(folder: Path) -> dict:
    return json.loads((folder / "plan.json").read_text())


def _put_meta(folder: Path, meta: dict) -> None:
    (folder / "plan.json").write_text(json.dumps(meta))


def _edit_meta(change: Callable[[dict], None], *, resum: bool = False) -> Callable[[Path], None]:
    """Edit plan.json; ``resum`` also recomputes its own checksum (a careful forger)."""

    def apply(folder: Path) -> None:
        meta = _meta(folder)
        change(meta)
        if resum:
            meta["sha256"] = _io.json_digest(meta)
        _put_meta(folder, meta)

    return apply


def _rewrite_csv(name: str, change: Callable[[pd.DataFrame], pd.DataFrame], *, resum: bool):
    """Edit a frame file; ``resum`` also records the new checksum (a careful forger)."""

    def apply(folder: Path) -> None:
        path = folder / f"{name}.csv"
        change(pd.read_csv(path)).to_csv(path, index=False)
        if resum:
            digest = _io.sha256_file(path)
            _edit_meta(lambda m: m["frames"][name].__setitem__("sha256", digest), resum=True)(
                folder
            )

    return apply


def _link_outside(name: str) -> Callable[[Path], None]:
    """Replace ``name`` by a symlink to a copy outside the folder (same bytes, same checksum)."""

    def apply(folder: Path) -> None:
        outside = folder.parent / f"outside-{name}"
        shutil.copy(folder / name, outside)
        (folder / name).unlink()
        (folder / name).symlink_to(outside)

    return apply


def _rename_frame(new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        meta = _meta(folder)
        meta["frames"][new] = meta["frames"].pop("peaks")
        _put_meta(folder, meta)

    return apply


def _set(key: str, value: object) -> Callable[[Path], None]:
    return _edit_meta(lambda m: m.__setitem__(key, value))


def _write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / "plan.json").write_bytes(data)


def _drop_frame_key(name: str, key: str) -> Callable[[Path], None]:
    return _edit_meta(lambda m: m["frames"][name].pop(key))


#: (case id, how to spoil a saved plan, expected error, text the message must contain)
PLAN_CASES: list[tuple[str, Callable[[Path], None], type[Exception], str]] = [
    ("frame-name-dotdot", _rename_frame("../x"), CorruptFileError, "plan.json.*not part of"),
    ("frame-name-absolute", _rename_frame("/etc/passwd"), CorruptFileError, "not part of"),
    ("frame-name-nested", _rename_frame("history/../../x"), CorruptFileError, "not part of"),
    (
        "symlink-escapes",
        _link_outside("roster.csv"),
        CorruptFileError,
        "roster.csv.*outside the plan",
    ),
    (
        "meta-symlink-escapes",
        _link_outside("plan.json"),
        CorruptFileError,
        "plan.json: points outside",
    ),
    ("format-version-99", _set("format_version", 99), CorruptFileError, "got 99"),
    (
        "format-version-missing",
        _edit_meta(lambda m: m.pop("format_version")),
        CorruptFileError,
        "got None",
    ),
    ("format-version-1-unverifiable", _set("format_version", 1), CorruptFileError, "checksums"),
    ("format-version-text", _set("format_version", "2"), CorruptFileError, "got '2'"),
    ("format-pickle", _set("format", "pickle"), CorruptFileError, "'csv' or 'parquet'"),
    (
        "rows-deleted",
        _rewrite_csv("roster", lambda f: f.iloc[:1], resum=False),
        CorruptFileError,
        "roster.csv.*sha256 mismatch",
    ),
    (
        "column-zeroed",
        _rewrite_csv("requirements", lambda f: f.assign(agents=0), resum=False),
        CorruptFileError,
        "requirements.csv.*sha256 mismatch",
    ),
    (
        "one-byte-flipped",
        lambda d: (d / "verdict.csv").write_bytes(
            (d / "verdict.csv").read_bytes().replace(b"0.8", b"0.9", 1)
        ),
        CorruptFileError,
        "verdict.csv.*sha256",
    ),
    (
        "frame-missing",
        lambda d: (d / "coverage.csv").unlink(),
        FileNotFoundError,
        "coverage.csv is missing",
    ),
    (
        "frame-is-a-folder",
        lambda d: ((d / "peaks.csv").unlink(), (d / "peaks.csv").mkdir()),
        FileNotFoundError,
        "peaks.csv is missing",
    ),
    (
        "meta-missing",
        lambda d: (d / "plan.json").unlink(),
        FileNotFoundError,
        "plan.json is missing",
    ),
    (
        "meta-truncated",
        lambda d: (d / "plan.json").write_text((d / "plan.json").read_text()[:50]),
        CorruptFileError,
        "plan.json: not valid JSON",
    ),
    ("meta-empty", _write_bytes(b""), CorruptFileError, "plan.json: not valid JSON"),
    (
        "meta-not-utf8",
        _write_bytes(b"\xff\xfe{\x00"),
        CorruptFileError,
        "plan.json: not valid JSON",
    ),
    ("meta-a-list", _write_bytes(b"[1, 2]"), CorruptFileError, "plan.json: expected a JSON object"),
    ("meta-nan-literal", _write_bytes(b"NaN"), CorruptFileError, "expected a JSON object"),
    ("frames-missing", _edit_meta(lambda m: m.pop("frames")), CorruptFileError, "'frames' must be"),
    ("frames-a-list", _set("frames", ["roster"]), CorruptFileError, "'frames' must be"),
    ("settings-a-string", _set("settings", "x"), CorruptFileError, "'settings' must be"),
    ("summary-null", _set("summary", None), CorruptFileError, "'summary' must be"),
    ("warnings-not-strings", _set("warnings", [1, {"a": 2}]), CorruptFileError, "list of strings"),
    (
        "checksum-missing",
        _drop_frame_key("roster", "sha256"),
        CorruptFileError,
        "roster.csv has no sha256",
    ),
    (
        "checksum-a-number",
        _edit_meta(lambda m: m["frames"]["roster"].__setitem__("sha256", 0)),
        CorruptFileError,
        "no sha256",
    ),
    (
        "required-frame-dropped",
        _edit_meta(lambda m: m["frames"].pop("roster")),
        CorruptFileError,
        "'roster'.*missing",
    ),
    (
        "forged-checksum-bad-dates",
        _rewrite_csv("forecast", lambda f: f.assign(ds="not a date"), resum=True),
        CorruptFileError,
        "forecast.csv: does not read back",
    ),
    (
        "forged-checksum-bad-breaks",
        _rewrite_csv("roster", lambda f: f.assign(breaks="[[1, 2"), resum=True),
        CorruptFileError,
        "roster.csv: does not read back",
    ),
    (
        "info-names-unknown-column",
        _edit_meta(lambda m: m["frames"]["coverage"]["timedelta"].append("nope"), resum=True),
        CorruptFileError,
        "coverage.csv: does not read back",
    ),
    (
        "column-type-edited",
        _edit_meta(lambda m: m["frames"]["requirements"]["bool"].clear()),
        CorruptFileError,
        "plan.json: its contents differ from its own sha256",
    ),
    (
        "setting-edited",
        _edit_meta(lambda m: m["settings"].__setitem__("interval_min", 15)),
        CorruptFileError,
        "plan.json: its contents differ from its own sha256",
    ),
    (
        "summary-edited",
        _edit_meta(lambda m: m["summary"].__setitem__("paid_hours", 50.0)),
        CorruptFileError,
        "its own sha256",
    ),
    (
        "warning-dropped",
        _edit_meta(lambda m: m["warnings"].clear()),
        CorruptFileError,
        "its own sha256",
    ),
    (
        "self-checksum-removed",
        _edit_meta(lambda m: m.pop("sha256")),
        CorruptFileError,
        "its own sha256",
    ),
    (
        "infinity-literal",
        lambda d: (d / "plan.json").write_text(
            (d / "plan.json").read_text().replace('"paid_hours": 5.0', '"paid_hours": Infinity')
        ),
        CorruptFileError,
        "its own sha256",
    ),
    (
        "info-a-string",
        _edit_meta(lambda m: m["frames"].__setitem__("daily", "x")),
        CorruptFileError,
        "daily.csv has no sha256",
    ),
]


@pytest.mark.parametrize(
    ("spoil", "error", "match"), [c[1:] for c in PLAN_CASES], ids=[c[0] for c in PLAN_CASES]
)
def test_plan_load_refuses_hostile_folder(tiny_plan, tmp_path, spoil, error, match):
    folder = tiny_plan.save(tmp_path / "plan")
    spoil(folder)
    with pytest.raises(error, match=match) as info:
        Plan.load(folder)
    message = str(info.value)
    assert str(folder) in message  # the file is named with its folder
    assert any(w in message for w in ("make the plan again", "restore", "Plan.save"))


_MUTATIONS = st.one_of(
    st.tuples(st.just("set"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 255)),
)


def _mutate(path: Path, mutation: tuple[str, int, int]) -> bool:
    """Apply one byte-level change; False when it left the bytes as they were."""
    kind, offset, value = mutation
    data = path.read_bytes()
    at = offset % (len(data) + 1)
    if kind == "set" and data:
        at = min(at, len(data) - 1)
        new = data[:at] + bytes([value]) + data[at + 1 :]
    elif kind == "truncate":
        new = data[:at]
    else:
        new = data[:at] + bytes([value]) + data[at:]
    path.write_bytes(new)
    return new != data


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_index=st.integers(0, 20), mutation=_MUTATIONS)
def test_plan_load_fuzzed_bytes(tiny_plan, tmp_path_factory, file_index, mutation):
    """Any one-byte change to any file of a plan: the plan as saved, or a clear error."""
    folder = tmp_path_factory.mktemp("fuzz") / "plan"
    tiny_plan.save(folder)
    files = sorted(folder.iterdir())
    target = files[file_index % len(files)]
    changed = _mutate(target, mutation)
    try:
        loaded = Plan.load(folder)
    except (CorruptFileError, FileNotFoundError) as exc:
        assert changed and target.name in str(exc)
        return
    # Loaded: only a change JSON ignores (whitespace in plan.json) may get here.
    assert not changed or target.name == "plan.json"
    _assert_plan_equal(tiny_plan, loaded)
    assert dict(loaded.summary) == dict(tiny_plan.summary)


def test_plan_load_of_intact_plan_is_correct(tiny_plan, tmp_path):
    loaded = Plan.load(tiny_plan.save(tmp_path / "plan"))
    _assert_plan_equal(tiny_plan, loaded)
    assert loaded.roster["breaks"][0][0][0] == tiny_plan.roster["breaks"][0][0][0]


def test_plan_load_parquet_intact_and_tampered(tiny_plan, tmp_path):
    pytest.importorskip("pyarrow", reason="pyarrow is not installed (the [parquet] extra)")
    folder = tiny_plan.save(tmp_path / "plan", format="parquet")
    _assert_plan_equal(tiny_plan, Plan.load(folder))
    table = pd.read_parquet(folder / "requirements.parquet").assign(agents=0)
    table.to_parquet(folder / "requirements.parquet")
    with pytest.raises(CorruptFileError, match=r"requirements\.parquet.*sha256 mismatch"):
        Plan.load(folder)


def test_plan_json_cannot_name_code(tiny_plan, tmp_path, monkeypatch):
    """Extra keys are data: a plan that names a module to import loads without importing it."""
    folder = tiny_plan.save(tmp_path / "plan")
    evil = tmp_path / "evil_plan_mod.py"
    evil.write_text(f"open({str(tmp_path / 'ran')!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    add = _edit_meta(lambda m: m.update(loader="evil_plan_mod:Plan", module="x"), resum=True)
    add(folder)
    _assert_plan_equal(tiny_plan, Plan.load(folder))
    assert not (tmp_path / "ran").exists() and "evil_plan_mod" not in sys.modules


# -- results folders (ManyResult.open) --------------------------------------------------------


def per_queue(data: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"volume": [float(data["volume"].sum())], "n": [len(data)]})


def _history(queues: tuple[str, ...] = ("a", "b", "c")) -> pd.DataFrame:
    return pd.DataFrame(
        {"queue": [q for q in queues for _ in range(3)], "volume": np.arange(3.0 * len(queues))}
    )


@pytest.fixture
def results_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(runner_module, "default_file_format", lambda: "csv")
    out = tmp_path / "run"
    map_queues(per_queue, _history(), executor="serial", out_dir=out)
    return out


def _schema_edit(change: Callable[[dict], None], *, resum: bool = False) -> Callable[[Path], None]:
    """Edit _schema.json; ``resum`` also recomputes its own checksum (a careful forger)."""

    def apply(folder: Path) -> None:
        schema = json.loads((folder / "_schema.json").read_text())
        change(schema)
        if resum:
            schema["sha256"] = _io.json_digest(schema)
        (folder / "_schema.json").write_text(json.dumps(schema))

    return apply


def _set_loader(name: str) -> Callable[[Path], None]:
    return _schema_edit(lambda s: s["results"]["a.csv"].__setitem__("loader", name))


def _pickle_bomb(folder: Path) -> None:
    # A pickle that would create a file if it were ever unpickled.
    marker = folder.parent / "unpickled"
    payload = pickle.dumps(_Marker(str(marker)))
    (folder / "a.csv").write_bytes(payload)
    _set_loader("pandas:read_pickle")(folder)


class _Marker:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _status_edit(
    change: Callable[[pd.DataFrame], pd.DataFrame], *, resum: bool = False
) -> Callable[[Path], None]:
    """Edit _status.csv; ``resum`` also records its new checksum in the schema."""

    def apply(folder: Path) -> None:
        path = folder / "_status.csv"
        change(pd.read_csv(path, keep_default_na=False)).to_csv(path, index=False)
        if resum:
            digest = _io.sha256_file(path)
            _schema_edit(lambda s: s.__setitem__("status_sha256", digest), resum=True)(folder)

    return apply


#: (case id, spoil, expected error, message must contain, raised at "open" or "read")
OPEN_CASES: list[tuple[str, Callable[[Path], None], type[Exception], str, str]] = [
    (
        "loader-module-path",
        _set_loader("evil_results_mod:Loader"),
        CorruptFileError,
        "loader 'evil_results_mod:Loader'",
        "open",
    ),
    (
        "loader-builtins-eval",
        _set_loader("builtins:eval"),
        CorruptFileError,
        "never names code",
        "open",
    ),
    ("loader-os-system", _set_loader("os:system"), CorruptFileError, "never names code", "open"),
    ("loader-pickle-bomb", _pickle_bomb, CorruptFileError, "pandas:read_pickle", "open"),
    ("loader-not-a-string", _set_loader(["plan"]), CorruptFileError, "loader", "open"),  # type: ignore[arg-type]
    (
        "schema-truncated",
        lambda d: (d / "_schema.json").write_text('{"format_version": 2, "ke'),
        CorruptFileError,
        "_schema.json: not valid JSON",
        "open",
    ),
    (
        "schema-not-utf8",
        lambda d: (d / "_schema.json").write_bytes(b"\xff\xfe"),
        CorruptFileError,
        "not valid JSON",
        "open",
    ),
    (
        "schema-a-list",
        lambda d: (d / "_schema.json").write_text("[]"),
        CorruptFileError,
        "expected a JSON object",
        "open",
    ),
    (
        "schema-version-99",
        _schema_edit(lambda s: s.__setitem__("format_version", 99)),
        CorruptFileError,
        "got 99",
        "open",
    ),
    (
        "key-cols-a-string",
        _schema_edit(lambda s: s.__setitem__("key_cols", "queue")),
        CorruptFileError,
        "key_cols",
        "open",
    ),
    (
        "key-cols-unknown-column",
        _schema_edit(lambda s: s.__setitem__("key_cols", ["site", "queue"]), resum=True),
        CorruptFileError,
        "not columns of _status.csv",
        "open",
    ),
    (
        "dtype-not-a-type",
        _schema_edit(lambda s: s["status_dtypes"].__setitem__("seconds", "os.system"), resum=True),
        CorruptFileError,
        "'os.system' is not a column type",
        "open",
    ),
    (
        "results-entry-a-string",
        _schema_edit(lambda s: s["results"].__setitem__("a.csv", "x")),
        CorruptFileError,
        "'a.csv' must be a JSON object",
        "open",
    ),
    (
        "names-not-strings",
        _schema_edit(lambda s: s["results"]["a.csv"].__setitem__("names", [1])),
        CorruptFileError,
        "list of strings",
        "open",
    ),
    (
        "checksums-wrong-count",
        _schema_edit(lambda s: s["results"]["a.csv"]["sha256"].append("00")),
        CorruptFileError,
        "checksums",
        "open",
    ),
    (
        "result-symlink-escapes",
        _link_outside("b.csv"),
        CorruptFileError,
        "b.csv: points outside",
        "open",
    ),
    (
        "schema-symlink-escapes",
        _link_outside("_schema.json"),
        CorruptFileError,
        "_schema.json: points outside",
        "open",
    ),
    (
        "status-symlink-escapes",
        _link_outside("_status.csv"),
        CorruptFileError,
        "_status.csv: points outside",
        "open",
    ),
    (
        "status-no-status-column",
        _status_edit(lambda f: f.drop(columns="status")),
        CorruptFileError,
        "_status.csv.*'status'",
        "open",
    ),
    (
        "status-empty-file",
        lambda d: (d / "_status.csv").write_text(""),
        CorruptFileError,
        "_status.csv: does not read back",
        "open",
    ),
    (
        "status-missing",
        lambda d: (d / "_status.csv").unlink(),
        FileNotFoundError,
        "no _status.csv",
        "open",
    ),
    (
        "status-key-traversal",
        _status_edit(lambda f: f.assign(queue=["../../x", "b", "c"]), resum=True),
        FileNotFoundError,
        "'../../x' is 'ok'",
        "open",
    ),
    (
        "status-flipped-to-failed",
        _status_edit(lambda f: f.assign(status=["ok", "failed", "ok"])),
        CorruptFileError,
        "_status.csv: its contents differ",
        "open",
    ),
    (
        "status-key-renamed",
        _status_edit(lambda f: f.assign(queue=["a", "b", "z"])),
        CorruptFileError,
        "_status.csv: its contents differ",
        "open",
    ),
    (
        "column-type-edited",
        _schema_edit(lambda s: s["results"]["a.csv"]["dtypes"][0].__setitem__("volume", "int8")),
        CorruptFileError,
        "_schema.json: its contents differ from its own sha256",
        "open",
    ),
    (
        "schema-self-checksum-removed",
        _schema_edit(lambda s: s.pop("sha256")),
        CorruptFileError,
        "its own sha256",
        "open",
    ),
    (
        "status-checksum-edited",
        _schema_edit(lambda s: s.__setitem__("status_sha256", "0" * 64), resum=True),
        CorruptFileError,
        "_status.csv: its contents differ",
        "open",
    ),
    (
        "result-missing",
        lambda d: (d / "c.csv").unlink(),
        FileNotFoundError,
        "queue 'c' is 'ok'.*missing",
        "open",
    ),
    (
        "rows-deleted",
        lambda d: (d / "b.csv").write_text("queue,volume,n\n"),
        CorruptFileError,
        "b.csv.*sha256 mismatch",
        "read",
    ),
    (
        "value-changed",
        lambda d: (d / "a.csv").write_text((d / "a.csv").read_text().replace("3", "0")),
        CorruptFileError,
        "a.csv.*sha256 mismatch",
        "read",
    ),
]


@pytest.mark.parametrize(
    ("spoil", "error", "match", "when"), [c[1:] for c in OPEN_CASES], ids=[c[0] for c in OPEN_CASES]
)
def test_many_open_refuses_hostile_folder(results_dir, monkeypatch, spoil, error, match, when):
    evil = results_dir.parent / "evil_results_mod.py"
    evil.write_text(f"open({str(results_dir.parent / 'imported')!r}, 'w').close()\n")
    monkeypatch.syspath_prepend(str(results_dir.parent))
    spoil(results_dir)
    with pytest.raises(error, match=match) as info:
        reopened = ManyResult.open(results_dir)
        if when == "read":
            reopened.frame  # noqa: B018 - reading is the step under test
    assert when == "open" or "reopened" in locals()
    assert str(results_dir) in str(info.value)
    # Nothing named by the folder ran: no import, no unpickling.
    assert not (results_dir.parent / "imported").exists()
    assert not (results_dir.parent / "unpickled").exists()
    assert "evil_results_mod" not in sys.modules


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(file_index=st.integers(0, 20), mutation=_MUTATIONS)
def test_many_open_fuzzed_bytes(tmp_path_factory, monkeypatch, file_index, mutation):
    """Any one-byte change to any file of a results folder: the results, or a clear error."""
    monkeypatch.setattr(runner_module, "default_file_format", lambda: "csv")
    out = tmp_path_factory.mktemp("fuzz") / "run"
    expected = map_queues(per_queue, _history(), executor="serial", out_dir=out).frame
    files = sorted(out.iterdir())
    target = files[file_index % len(files)]
    changed = _mutate(target, mutation)
    try:
        frame = ManyResult.open(out).frame
    except (CorruptFileError, FileNotFoundError) as exc:
        assert changed and target.name in str(exc)
        return
    assert not changed or target.name == "_schema.json"
    assert_frame_equal(frame, expected)


def test_many_open_of_intact_and_legacy_folders_is_correct(results_dir, tmp_path):
    expected = map_queues(per_queue, _history(), executor="serial").frame
    assert_frame_equal(ManyResult.open(results_dir).frame, expected)
    # The first schema version named the plan loader by its import path: still read,
    # but only because that exact text maps onto the allow-listed name.
    _schema_edit(lambda s: s.__setitem__("format_version", 1))(results_dir)
    assert_frame_equal(ManyResult.open(results_dir).frame, expected)
    from staffplan.many._result import _check_entry

    entry = {"names": None, "dtypes": [], "loader": "staffplan.plan._plan:Plan"}
    _check_entry(tmp_path, "x", entry)
    assert entry["loader"] == "plan"


def _code_loading_calls(tree: ast.AST) -> list[int]:
    """Lines that could turn file contents into code: pickle, eval, dynamic imports."""
    forbidden = {"pickle", "read_pickle", "eval", "exec", "allow_pickle", "marshal", "shelve"}
    lines = []
    for node in ast.walk(tree):
        name = (
            getattr(node, "id", None) or getattr(node, "attr", None) or getattr(node, "arg", None)
        )
        if name in forbidden or name == "__import__":
            lines.append(node.lineno)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(n.split(".")[0] in forbidden for n in names):
                lines.append(node.lineno)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module":
            arg = node.args[0] if node.args else None
            fixed = isinstance(arg, ast.Constant) or (
                isinstance(arg, ast.JoinedStr)
                and ast.unparse(arg.values[0]) in ("'staffplan", "{__name__}", "__name__")
            )
            if not fixed:
                lines.append(node.lineno)
    return lines


def test_no_code_loading_calls_in_the_library():
    """Files hold data: the library never imports, unpickles or evaluates what it reads.

    ``_optional.require(module)`` imports optional extras named in the code (its callers
    pass string constants); every other ``import_module`` takes a fixed name.
    """
    src = Path(__file__).resolve().parents[2] / "src" / "staffplan"
    hits = []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line in _code_loading_calls(tree):
            if path.name != "_optional.py":
                hits.append(f"{path.relative_to(src)}:{line}")
    assert hits == []
    # The check itself sees what it must refuse.
    assert _code_loading_calls(ast.parse("import pickle\nx = importlib.import_module(name)"))
    assert _code_loading_calls(ast.parse("pd.read_pickle(p); np.load(p, allow_pickle=True)"))


# -- interrupted writes ------------------------------------------------------------------------


class _Killed(BaseException):
    """Stands for the process dying: no ``except Exception`` clean-up runs for it."""


def _fail_replace(monkeypatch, exc: BaseException, *, folder_in: bool = False) -> None:
    """Make the first rename (or the first that moves a staged folder in) raise ``exc``."""
    real = os.replace

    def replace(src, dst, *a, **k):
        if not folder_in or (Path(src).is_dir() and Path(src).name.endswith(".tmp")):
            raise exc
        return real(src, dst, *a, **k)

    monkeypatch.setattr(_io.os, "replace", replace)


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_interrupted_file_write_keeps_old_and_next_write_cleans(tmp_path, monkeypatch):
    target = tmp_path / "a.csv"
    write_frame(pd.DataFrame({"x": [1]}), target)
    # The rename fails (disk full, EPERM): the old file stays, the temp file goes.
    _fail_replace(monkeypatch, OSError("rename failed"))
    with pytest.raises(OSError, match="rename failed"):
        write_frame(pd.DataFrame({"x": [2]}), target)
    monkeypatch.undo()
    assert pd.read_csv(target)["x"].tolist() == [1] and _hidden(tmp_path) == []
    # A process killed mid-write leaves its temp file (and perhaps an unrelated one).
    (tmp_path / ".a.csv.0123abcd.tmp").write_text("half")
    (tmp_path / ".a.csv.b.0123abcd.tmp").write_text("someone else's")
    write_frame(pd.DataFrame({"x": [3]}), target)
    assert pd.read_csv(target)["x"].tolist() == [3]
    assert _hidden(tmp_path) == [".a.csv.b.0123abcd.tmp"]  # only a.csv's leftovers go


def test_interrupted_text_write_keeps_old(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    atomic_write_text(target, "old")

    def half_then_fail(self, *args, **kwargs):
        Path.write_bytes(self, b"ha")
        raise OSError("no space left")

    monkeypatch.setattr(_io.Path, "write_text", half_then_fail)
    with pytest.raises(OSError, match="no space"):
        atomic_write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old" and _hidden(tmp_path) == []


def test_writes_are_fsynced_file_and_folder(tmp_path, monkeypatch, tiny_plan):
    synced: list[str] = []
    real = os.fsync

    def spy(fd):
        synced.append(
            os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else "?"
        )
        return real(fd)

    monkeypatch.setattr(_io.os, "fsync", spy)
    write_frame(pd.DataFrame({"x": [1]}), tmp_path / "f.csv")
    if os.path.exists("/proc/self/fd"):
        # The temp file is flushed before the rename, the folder after it.
        assert any(s.endswith(".tmp") for s in synced) and str(tmp_path) in synced
    synced.clear()
    tiny_plan.save(tmp_path / "plan")
    if os.path.exists("/proc/self/fd"):
        assert str(tmp_path) in synced  # the folder holding the renamed plan
        assert sum(s.endswith(".csv") for s in synced) >= len(tiny_plan.to_frames())


@pytest.mark.parametrize("exchange", ["renameat2", "two-renames"])
def test_interrupted_plan_overwrite_keeps_old_plan(tiny_plan, tmp_path, monkeypatch, exchange):
    target = tiny_plan.save(tmp_path / "plan")
    newer = Plan(**{**tiny_plan.__dict__, "warnings": ("newer",)})
    if exchange == "two-renames":
        monkeypatch.setattr(_io, "_exchange", lambda a, b: False)
        _fail_replace(monkeypatch, OSError("rename failed"), folder_in=True)
    else:
        monkeypatch.setattr(_io, "_exchange", lambda a, b: (_ for _ in ()).throw(OSError("EIO")))
    with pytest.raises(OSError):
        newer.save(target, overwrite=True)
    monkeypatch.undo()
    assert _hidden(tmp_path) == []
    _assert_plan_equal(tiny_plan, Plan.load(target))


def test_plan_overwrite_cut_between_renames_is_recovered(tiny_plan, tmp_path, monkeypatch):
    """The process dies after moving the old plan aside: the next load puts it back."""
    target = tiny_plan.save(tmp_path / "plan")
    newer = Plan(**{**tiny_plan.__dict__, "warnings": ("newer",)})
    monkeypatch.setattr(_io, "_exchange", lambda a, b: False)
    _fail_replace(monkeypatch, _Killed(), folder_in=True)
    with pytest.raises(_Killed):
        newer.save(target, overwrite=True)
    monkeypatch.undo()
    assert not target.exists() and [p.endswith(".old") for p in _hidden(tmp_path)] == [True]
    _assert_plan_equal(tiny_plan, Plan.load(target))  # recovered by the load
    assert _hidden(tmp_path) == []
    # A staging folder left by a process killed while writing is removed by the next save.
    (tmp_path / ".plan.89abcdef.tmp").mkdir()
    (tmp_path / ".plan.89abcdef.tmp" / "roster.csv").write_text("half")
    newer.save(target, overwrite=True)
    assert _hidden(tmp_path) == [] and Plan.load(target).warnings == ("newer",)


def test_plan_overwrite_has_no_missing_target_window(tiny_plan, tmp_path, monkeypatch):
    """At every rename of an overwrite, the target folder exists and holds a whole plan."""
    target = tiny_plan.save(tmp_path / "plan")
    newer = Plan(**{**tiny_plan.__dict__, "warnings": ("newer",)})
    seen: list[tuple[str, ...]] = []
    real_exchange = _io._exchange

    def watch(a, b):
        done = real_exchange(a, b)
        seen.append(Plan.load(target).warnings)
        return done

    monkeypatch.setattr(_io, "_exchange", watch)
    newer.save(target, overwrite=True)
    if seen == [tiny_plan.warnings]:
        pytest.skip("this file system cannot exchange folders; the two-rename path is tested above")
    assert seen == [("newer",)]
    assert Plan.load(target).warnings == ("newer",) and _hidden(tmp_path) == []


@pytest.mark.parametrize("state", ["empty", "holds-a-plan"])
def test_save_into_the_working_folder(tiny_plan, tmp_path, monkeypatch, state):
    """``--out .``: no temp name in the error, the folder (the shell's cwd) is not swapped."""
    work = tmp_path / "work"
    work.mkdir()
    if state == "holds-a-plan":
        Plan(**{**tiny_plan.__dict__, "warnings": ("old",)}).save(work, overwrite=True)
        (work / "report.html").write_text("keep")
    inode = work.stat().st_ino
    monkeypatch.chdir(work)
    tiny_plan.save(".", overwrite=True)
    assert work.stat().st_ino == inode  # same folder, updated in place
    _assert_plan_equal(tiny_plan, Plan.load("."))
    assert _hidden(work) == []
    if state == "holds-a-plan":
        assert (work / "report.html").read_text() == "keep"


def test_cli_demo_out_dot(tmp_path, monkeypatch):
    from staffplan.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--out", ".", "--horizon", "2D", "--time-limit-s", "3"]) == 0
    loaded = Plan.load(tmp_path)
    assert len(loaded.roster) > 0 and (tmp_path / "comparison.csv").is_file()
    assert _hidden(tmp_path) == []


def test_many_out_dir_leftovers_are_cleaned_by_the_next_run(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "default_file_format", lambda: "csv")
    out = tmp_path / "run"
    map_queues(per_queue, _history(), executor="serial", out_dir=out)
    # What a killed worker leaves: a temp file, and a plan folder cut mid-swap.
    (out / ".a.csv.0badf00d.tmp").write_text("half")
    (out / ".p.0badf00d.tmp").mkdir()
    res = map_queues(per_queue, _history(), executor="serial", out_dir=out)
    assert res.ok and _hidden(out) == []


# -- many queues: a worker that dies -----------------------------------------------------------


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (no pytest-timeout here)."""
    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a hang")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def crash_on_bad(data: pd.DataFrame) -> pd.DataFrame:
    """Per-queue work that kills its own process for queues named ``bad*``."""
    queue = str(data["queue"].iloc[0])
    if queue.startswith("bad-exit"):
        os._exit(7)
    if queue.startswith("bad-kill"):
        os.kill(os.getpid(), signal.SIGKILL)  # what a segfault or the OOM killer does
    return per_queue(data)


def _crash_history(bad: tuple[str, ...], n_good: int = 7) -> pd.DataFrame:
    good = tuple(f"q{i}" for i in range(n_good))
    return _history((*good, *bad))


CRASH_CASES = [
    ("os-exit-in-a-batch", ("bad-exit",), {"batch_size": 3}),
    ("sigkill-in-a-batch", ("bad-kill",), {"batch_size": 3}),
    ("one-batch-holds-all", ("bad-exit",), {"batch_size": 100}),
    ("two-crashers", ("bad-exit", "bad-kill"), {"batch_size": 2}),
    ("only-queue", ("bad-exit",), {"batch_size": 1, "n_good": 0}),
    ("callers-pool", ("bad-kill",), {"batch_size": 2, "own_pool": True}),
    ("streamed-to-out-dir", ("bad-exit",), {"batch_size": 3, "out_dir": True}),
]


@pytest.mark.parametrize(
    ("bad", "options"), [c[1:] for c in CRASH_CASES], ids=[c[0] for c in CRASH_CASES]
)
def test_many_crashing_queue_loses_no_good_queue(tmp_path, bad, options):
    history = _crash_history(bad, options.get("n_good", 7))
    expected = map_queues(per_queue, history[~history["queue"].isin(bad)], executor="serial")
    kwargs = {"batch_size": options["batch_size"]}
    if options.get("out_dir"):
        kwargs["out_dir"] = tmp_path / "run"
    pool = ProcessPoolExecutor(2) if options.get("own_pool") else None
    try:
        with _deadline(120):
            res = map_queues(crash_on_bad, history, executor=pool, **kwargs)
    finally:
        if pool is not None:
            pool.shutdown()
    failed = res.failed.set_index("queue")
    assert sorted(failed.index) == sorted(bad)
    assert failed["error"].str.startswith("worker crashed").all()
    assert failed["error"].str.contains("ran alone").all()
    if expected.keys:
        assert_frame_equal(res.frame, expected.frame)
    if options.get("out_dir"):
        reopened = ManyResult.open(tmp_path / "run")
        assert_frame_equal(reopened.frame, expected.frame)
        assert _hidden(tmp_path / "run") == []
        assert not any((tmp_path / "run").glob("bad*"))


class _TwoFrames:
    """A result that is several frames (not a Plan): stored as a folder of files."""

    def __init__(self, data: pd.DataFrame) -> None:
        self.data = data

    def to_frames(self) -> dict[str, pd.DataFrame]:
        return {"total": per_queue(self.data), "rows": self.data[["volume"]]}


def two_frames(data: pd.DataFrame) -> _TwoFrames:
    return _TwoFrames(data)


def test_many_multi_frame_result_is_checked_on_read(tmp_path, monkeypatch):
    monkeypatch.setattr(runner_module, "default_file_format", lambda: "csv")
    out = tmp_path / "run"
    map_queues(two_frames, _history(), executor="serial", out_dir=out)
    reopened = ManyResult.open(out)
    assert reopened["a"]["total"]["volume"].item() == 0.0 + 1.0 + 2.0
    (out / "b" / "rows.csv").write_text("volume\n99\n")
    with pytest.raises(CorruptFileError, match=r"b/rows\.csv.*sha256 mismatch"):
        ManyResult.open(out)["b"]
    # Run again over the same folder: the result folder is replaced whole.
    map_queues(two_frames, _history(), executor="serial", out_dir=out)
    assert ManyResult.open(out)["b"]["rows"]["volume"].tolist() == [3.0, 4.0, 5.0]
    assert _hidden(out) == [] and _hidden(out / "b") == []
