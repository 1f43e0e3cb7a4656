"""Atomic, durable writes and verified reads: nothing written is lost or read half-way.

Every file the library writes goes through :func:`atomic_path`: a temporary
file in the target's own folder, flushed to disk (``fsync``), renamed onto the
target, and the folder itself flushed so the rename survives a power cut.
Folders (a saved plan) go through :func:`atomic_dir`: the new folder is
written in full beside the old one and exchanged with it in one step, so
there is no moment when the target is missing. Leftovers of an interrupted
write (``.<name>.<8 hex>.tmp`` / ``.old``) are cleaned, or restored when they
hold the only copy, by the next write or read of that target.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CorruptFileError",
    "atomic_dir",
    "atomic_path",
    "atomic_write_text",
    "break_pairs",
    "clean_leftovers",
    "fsync_dir",
    "inside",
    "json_digest",
    "sha256_file",
    "write_frame",
]

_TMP, _OLD = ".tmp", ".old"
# Long names are cut so that ".<name>.<token>.tmp" stays within the usual 255-byte limit.
_NAME_MAX = 200


class CorruptFileError(ValueError):
    """A file staffplan wrote does not read back as written (edited, truncated or foreign)."""


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (a rename into it) to disk, where the platform allows."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:  # pragma: no cover - platforms without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - file systems that refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def json_digest(document: Any, *, skip: str = "sha256") -> str:
    """Hex SHA-256 of a JSON document in canonical form, leaving out its own ``skip`` key.

    A manifest stores this digest of itself, so that an edit of any value (a
    setting, a column type) is noticed even when the JSON stays valid; the
    canonical form (sorted keys, no spaces) ignores re-indentation.
    """
    body = {k: v for k, v in document.items() if k != skip}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inside(folder: Path, path: Path) -> bool:
    """True when ``path`` (symlinks followed) lies within ``folder``."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _stem(target: Path) -> str:
    return target.name[:_NAME_MAX]


def _sibling(target: Path, suffix: str, where: Path | None = None) -> Path:
    # Our own token (not mkstemp's) so that leftovers are recognised exactly:
    # ".a.<8 hex>.tmp" belongs to "a", never to "a.b".
    folder = target.parent if where is None else where
    return folder / f".{_stem(target)}.{secrets.token_hex(4)}{suffix}"


def _leftovers(target: Path, folder: Path) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(_stem(target))}\.[0-9a-f]{{8}}(\{_TMP}|\{_OLD})")
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(folder / n for n in names if pattern.fullmatch(n))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def clean_leftovers(path: str | os.PathLike[str], *, remove: bool = True) -> list[Path]:
    """Tidy what an interrupted write of ``path`` left behind; return what was removed.

    When ``path`` itself is missing and a folder swap was cut between its two
    renames, the previous version (``.<name>.<token>.old``) is moved back first:
    the target is never lost to an interruption. Other ``.tmp``/``.old``
    leftovers of this target (beside it, or inside it for in-place writes) are
    deleted unless ``remove=False`` (a reader: another process may be writing).
    """
    target = Path(os.path.abspath(path))  # "." and "a/.." name their real folder
    found = _leftovers(target, target.parent)
    if not target.exists() and not target.is_symlink():
        olds = [p for p in found if p.name.endswith(_OLD)]
        if olds:
            newest = max(olds, key=lambda p: p.stat().st_mtime_ns)
            os.replace(newest, target)
            fsync_dir(target.parent)
            found.remove(newest)
    if not remove:
        return []
    if target.is_dir() and not target.is_symlink():
        found += _leftovers(target, target)
    for item in found:
        _remove(item)
    return found


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, clean: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success make it ``path`` durably.

    The temporary file is created in the target's folder (so the rename is
    atomic), with the permissions an ordinary ``open()`` gives. After the block
    the file is fsynced, renamed onto ``path`` and the folder fsynced. An
    exception inside the block leaves any previous file at ``path`` untouched
    and removes the temporary file. Leftovers of an earlier crash are removed
    unless ``clean=False`` (a caller that sweeps the whole folder itself).
    """
    target = Path(path).absolute()
    if not target.name:
        raise IsADirectoryError(f"{path}: give a file name, not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    if clean:
        clean_leftovers(target)
    tmp = _sibling(target, _TMP)
    # O_EXCL: never write through a file (or symlink) someone else put there.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield tmp
        _fsync_file(tmp)
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically and durably (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_frame(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    clean: bool = True,
    staged: bool = False,
    **kwargs: Any,
) -> Path:
    """Write a DataFrame to CSV or Parquet (by suffix) atomically and durably.

    Cells holding lists or tuples (a roster's ``breaks``) are written as JSON
    lists, timestamps as text: ``[["2026-03-02 10:00:00", "2026-03-02 10:15:00"]]``,
    the one format every command and :meth:`staffplan.plan.Plan.save` use.
    Parquet needs the ``[parquet]`` extra (pyarrow); the error says so.
    ``staged=True`` writes straight to ``path``, for a file inside an
    :func:`atomic_dir` staging folder, which flushes and renames the folder
    whole. ``clean`` is passed to :func:`atomic_path`.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    frame = _json_cells(frame)
    writer: Callable[[Path], None]
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:  # pragma: no cover - depends on environment
            raise ImportError(
                "writing Parquet needs pyarrow: pip install 'staffplan[parquet]'"
            ) from None

        def writer(p: Path) -> None:
            frame.to_parquet(p, **kwargs)
    elif suffix == ".csv":

        def writer(p: Path) -> None:
            frame.to_csv(p, index=False, **kwargs)
    else:
        raise ValueError(f"path must end in .csv or .parquet, got {str(path)!r}")
    if staged:
        writer(target)
        return target
    with atomic_path(target, clean=clean) as tmp:
        writer(tmp)
    return target


def _json_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding lists or tuples as JSON text (a copy; ``frame`` is kept)."""
    listy = [
        c
        for c in frame.columns
        if frame[c].dtype == object and frame[c].map(lambda v: isinstance(v, (list, tuple))).any()
    ]
    if not listy:
        return frame
    out = frame.copy()
    for c in listy:
        out[c] = out[c].map(
            lambda v: json.dumps(v, default=str) if isinstance(v, (list, tuple)) else v
        )
    return out


# -- folders ------------------------------------------------------------------------------


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - libc without renameat2
        return False
    c_int, c_path = ctypes.c_int, ctypes.c_char_p
    renameat2.argtypes = [c_int, c_path, c_int, c_path, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # the file system cannot exchange: use the two-rename fallback
    raise OSError(err, os.strerror(err), str(b))  # pragma: no cover - real I/O error


def _sync_tree(folder: Path) -> None:
    for item in folder.iterdir():
        if item.is_file() and not item.is_symlink():
            _fsync_file(item)
    fsync_dir(folder)


def _swap_in(staged: Path, target: Path) -> None:
    """Put the finished ``staged`` folder at ``target``, never leaving ``target`` missing."""
    if _exchange(staged, target):
        fsync_dir(target.parent)
        _remove(staged)  # now the previous version; a crash here leaves a .tmp to clean
        return
    # Fallback: two renames. Cut between them, the target is briefly absent, but the
    # previous version waits as ".old" and clean_leftovers() moves it back.
    old = _sibling(target, _OLD)
    os.replace(target, old)
    try:
        os.replace(staged, target)
    except Exception:
        os.replace(old, target)  # put the previous version back before reporting
        raise
    fsync_dir(target.parent)
    _remove(old)


def _in_place(target: Path) -> bool:
    # Swapping the folder this process works in (``--out .``) would leave the shell in
    # a deleted folder; a read-only parent leaves no room for a sibling. Both update
    # the folder file by file instead.
    if not target.is_dir():
        return False
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working folder was deleted: it cannot be inside target
        return not os.access(target.parent, os.W_OK)
    return cwd == target or target in cwd.parents or not os.access(target.parent, os.W_OK)


@contextlib.contextmanager
def atomic_dir(
    path: str | os.PathLike[str], *, last: str | None = None, clean: bool = True
) -> Iterator[Path]:
    """Yield an empty staging folder; on success it becomes ``path`` in one step.

    Parameters
    ----------
    path : path-like
        The folder to create or replace.
    last : str, optional
        Name of the file that describes the others (a manifest). In the
        in-place mode below it is renamed last, so that a reader never sees a
        manifest newer than its files.
    clean : bool
        Tidy leftovers of earlier interrupted writes of ``path`` first (see
        :func:`clean_leftovers`); ``False`` for a caller that sweeps the whole
        parent folder itself.

    Notes
    -----
    The staging folder is written beside ``path``, every file and the folder
    are fsynced, and it is exchanged with the old folder atomically where the
    system can (Linux), else by two renames with recovery by
    :func:`clean_leftovers`. When ``path`` holds the current working folder
    (``--out .``) or its parent is read-only, files are staged inside ``path``
    and renamed into it one by one, ``last`` at the end, and files of the old
    version that the new one does not have are removed afterwards. The caller
    decides what the new folder holds (copy what must be kept into it).
    """
    target = Path(path).resolve()
    if target == Path(target.anchor):
        raise IsADirectoryError(f"{path}: cannot write over the file-system root")
    target.parent.mkdir(parents=True, exist_ok=True)
    if clean:
        clean_leftovers(target)
    in_place = _in_place(target)
    staged = _sibling(target, _TMP, where=target if in_place else None)
    os.mkdir(staged, 0o777)
    try:
        yield staged
        _sync_tree(staged)
        if in_place:
            names = sorted(p.name for p in staged.iterdir())
            if last in names:
                names.remove(last)
                names.append(last)
            for name in names:
                os.replace(staged / name, target / name)
            fsync_dir(target)
            for item in target.iterdir():
                if item.name not in names and item.is_file():
                    item.unlink()
        elif target.exists():
            _swap_in(staged, target)
        else:
            os.replace(staged, target)
            fsync_dir(target.parent)
    finally:
        if staged.exists():
            _remove(staged)


def break_pairs(value: Any, *, name: str = "breaks") -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """One roster ``breaks`` cell as naive ``(start, end)`` pairs.

    Takes the cell as the roster holds it (a list of pairs) or as files hold it (the
    JSON text :func:`staffplan._io.write_frame` writes, or the text plain
    ``DataFrame.to_csv`` writes for a list of ``Timestamp`` pairs); empty or missing means
    no break.  Anything else raises ``ValueError`` naming ``name``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        try:
            value = json.loads(_from_pandas_repr(value))
        except (ValueError, RecursionError):
            raise ValueError(
                f"{name} must be a JSON list of [start, end] pairs, got {value[:80]!r}"
            ) from None
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise ValueError(f"{name} must be a list of (start, end) pairs, got {value!r}")
    out = []
    for pair in value:
        if isinstance(pair, str) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"{name} must be a list of (start, end) pairs, got {value!r}")
        try:
            a, b = (pd.Timestamp(t) for t in pair)
        except (TypeError, ValueError):
            raise ValueError(f"{name} holds a time that does not parse: {pair!r}") from None
        if a is pd.NaT or b is pd.NaT:
            raise ValueError(f"{name} holds a missing time: {pair!r}")
        out.append((a.tz_localize(None) if a.tz else a, b.tz_localize(None) if b.tz else b))
    return out


_TIMESTAMP_REPR = re.compile(r"Timestamp\('([^']*)'\)")


def _from_pandas_repr(text: str) -> str:
    """``[(Timestamp('a'), Timestamp('b'))]`` (pandas' own CSV text) as JSON; JSON unchanged.

    Rewritten as text and read as JSON, so nothing in a file is ever evaluated.
    """
    if "Timestamp(" not in text:
        return text
    return _TIMESTAMP_REPR.sub(r'"\1"', text).replace("(", "[").replace(")", "]")
