"""Plan.save / Plan.load: round trip, checksums and atomic writes.

Tampered and foreign plan folders are in tests/hostile/test_files_hostile.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json

import pandas as pd
import pytest

from staffplan.plan import Plan, _plan


def _assert_same(a: Plan, b: Plan) -> None:
    fa, fb = a.to_frames(), b.to_frames()
    assert fa.keys() == fb.keys()
    for name in fa:
        pd.testing.assert_frame_equal(
            fa[name].reset_index(drop=True), fb[name], check_dtype=False, obj=name
        )
    assert dict(a.settings) == dict(b.settings)
    assert json.loads(json.dumps(_plan._jsonable(a.summary))) == dict(b.summary)
    assert a.warnings == b.warnings


def test_roundtrip_csv(base_plan, tmp_path):
    target = base_plan.save(tmp_path / "plan")
    assert (target / "plan.json").is_file() and (target / "roster.csv").is_file()
    loaded = Plan.load(target)
    _assert_same(base_plan, loaded)
    # Break lists come back as (start, end) timestamp pairs.
    pairs = [p for b in loaded.roster["breaks"] for p in b]
    assert all(isinstance(p[0], pd.Timestamp) for p in pairs)
    assert loaded.service == base_plan.service
    # plan.json records the format and the SHA-256 of every frame file (hashlib, recomputed here).
    meta = json.loads((target / "plan.json").read_text())
    assert meta["format_version"] == 2
    assert set(meta["frames"]) == set(base_plan.to_frames())
    for name, info in meta["frames"].items():
        digest = hashlib.sha256((target / f"{name}.csv").read_bytes()).hexdigest()
        assert info["sha256"] == digest, name


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="needs pyarrow")
def test_roundtrip_parquet(base_plan, tmp_path):
    loaded = Plan.load(base_plan.save(tmp_path / "plan", format="parquet"))
    _assert_same(base_plan, loaded)


def test_existing_directory_needs_overwrite(base_plan, tmp_path):
    target = base_plan.save(tmp_path / "plan")
    (target / "report.html").write_text("<html></html>")
    with pytest.raises(FileExistsError, match="overwrite"):
        base_plan.save(target)
    base_plan.save(target, overwrite=True)
    assert (target / "report.html").read_text() == "<html></html>"  # not ours: kept


def test_failed_save_leaves_nothing_behind(base_plan, tmp_path, monkeypatch):
    calls = {"n": 0}
    real = _plan.write_frame

    def flaky(frame, path, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(frame, path, **kwargs)

    monkeypatch.setattr(_plan, "write_frame", flaky)
    with pytest.raises(OSError, match="disk full"):
        base_plan.save(tmp_path / "plan")
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_plan(base_plan, tmp_path, monkeypatch):
    target = base_plan.save(tmp_path / "plan")
    before = sorted(p.name for p in target.iterdir())
    monkeypatch.setattr(
        _plan, "write_frame", lambda *a, **k: (_ for _ in ()).throw(OSError("boom"))
    )
    with pytest.raises(OSError, match="boom"):
        base_plan.save(target, overwrite=True)
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan"]
    _assert_same(base_plan, Plan.load(target))


def test_load_names_a_missing_plan(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"plan\.json"):
        Plan.load(tmp_path)


def test_overwrite_refuses_a_directory_that_holds_no_plan(base_plan, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="holds no plan"):
        base_plan.save(tmp_path, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
