"""Atomic writes: the previous file survives a failure; results get normal permissions."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from staffplan._io import atomic_path, atomic_write_text, write_frame


def test_atomic_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_failure_keeps_previous_file(tmp_path):
    target = tmp_path / "a.txt"
    atomic_write_text(target, "keep me")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash mid-write")
    assert target.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_written_file_permissions_follow_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "b.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_write_frame_csv_roundtrip_and_bad_suffix(tmp_path):
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
    out = write_frame(frame, tmp_path / "f.csv")
    pd.testing.assert_frame_equal(pd.read_csv(out), frame)
    with pytest.raises(ValueError, match=r"path must end in \.csv or \.parquet"):
        write_frame(frame, tmp_path / "f.txt")
