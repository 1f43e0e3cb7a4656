"""Atomic, durable writes: the previous file or folder survives a failure; normal permissions.

Interruptions of whole plans and results folders are in tests/hostile/test_files_hostile.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from staffplan import _io
from staffplan._io import atomic_dir, atomic_path, atomic_write_text, clean_leftovers, write_frame


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


def test_atomic_dir_replaces_a_folder_whole(tmp_path):
    target = tmp_path / "out"
    with atomic_dir(target) as staged:
        (staged / "a.txt").write_text("1")
        (staged / "b.txt").write_text("1")
    with atomic_dir(target) as staged:
        (staged / "a.txt").write_text("2")
    # The old folder's files do not linger: the new folder replaced it whole.
    assert sorted(p.name for p in target.iterdir()) == ["a.txt"]
    assert (target / "a.txt").read_text() == "2"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_atomic_dir_in_place_renames_the_manifest_last(tmp_path, monkeypatch):
    """A folder whose parent is read-only is updated file by file, the manifest at the end."""
    target = tmp_path / "out"
    with atomic_dir(target) as staged:
        (staged / "old.csv").write_text("stale")
        (staged / "plan.json").write_text("v1")
    inode = target.stat().st_ino
    renamed: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        renamed.append(Path(dst).name)
        return real_replace(src, dst)

    monkeypatch.setattr(_io.os, "access", lambda path, mode: False)
    monkeypatch.setattr(_io.os, "replace", spy)
    with atomic_dir(target, last="plan.json") as staged:
        assert staged.parent == target  # staged inside: no room beside it
        (staged / "plan.json").write_text("v2")
        (staged / "z.csv").write_text("new")
    assert renamed == ["z.csv", "plan.json"]
    assert target.stat().st_ino == inode
    assert sorted(p.name for p in target.iterdir()) == ["plan.json", "z.csv"]
    assert (target / "plan.json").read_text() == "v2"


def test_clean_leftovers_restores_a_folder_cut_mid_swap(tmp_path):
    old = tmp_path / ".out.0123abcd.old"
    old.mkdir()
    (old / "a.txt").write_text("previous")
    half = tmp_path / ".out.4567cdef.tmp"
    half.mkdir()
    removed = clean_leftovers(tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_text() == "previous"
    assert removed == [half] and not half.exists()


def test_atomic_path_refuses_a_nameless_target():
    with pytest.raises(IsADirectoryError, match="give a file name"), atomic_path("/"):
        pass


def test_break_pairs_read_back_what_writers_wrote(tmp_path):
    # The reference is the frame before writing: what write_frame (JSON) and plain
    # pandas to_csv (repr text) wrote must read back as the same (start, end) pairs.
    from staffplan._io import break_pairs

    pair = (pd.Timestamp("2026-03-02 10:00"), pd.Timestamp("2026-03-02 10:15"))
    frame = pd.DataFrame({"person": ["A", "B"], "breaks": [[pair], []]})
    ours = pd.read_csv(write_frame(frame, tmp_path / "ours.csv"))
    frame.to_csv(tmp_path / "plain.csv", index=False)
    plain = pd.read_csv(tmp_path / "plain.csv")
    for back in (ours, plain):
        assert [break_pairs(v) for v in back["breaks"]] == [[pair], []]
    assert break_pairs(float("nan")) == [] and break_pairs("") == []


@pytest.mark.parametrize(
    "cell",
    ["x", "[1, 2]", '[["a", "b"]]', '[["2026-03-02 10:00"]]', 5, "[(Timestamp('x'), os)]"],
)
def test_break_pairs_refuses_what_is_not_pairs_of_times(cell):
    from staffplan._io import break_pairs

    with pytest.raises(ValueError, match="roster breaks"):
        break_pairs(cell, name="roster breaks")
