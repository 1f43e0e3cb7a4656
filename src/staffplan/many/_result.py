"""Per-queue results of a many-queue run, in memory or streamed to disk."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd

from staffplan._io import (
    CorruptFileError,
    atomic_dir,
    atomic_path,
    atomic_write_text,
    clean_leftovers,
    inside,
    json_digest,
    sha256_file,
    write_frame,
)

from ._grouping import key_parts

__all__ = [
    "SCHEMA_FILE",
    "STATUS_FILE",
    "ManyResult",
    "Stored",
    "clean_out_dir",
    "default_file_format",
    "load_stored",
    "remove_stored",
    "store_value",
    "with_keys",
    "write_schema",
    "write_status",
]


def default_file_format() -> str:
    """Parquet when pyarrow is installed (the ``[parquet]`` extra), else CSV."""
    return "parquet" if importlib.util.find_spec("pyarrow") is not None else "csv"


@dataclass(frozen=True)
class Stored:
    """Where one queue's result lives on disk, and what is needed to read it back."""

    path: Path
    names: tuple[str, ...] | None = None  # frame names of a multi-frame result
    dtypes: tuple[dict[str, Any], ...] = field(default=())
    loader: str | None = None  # a name in _LOADERS, for results saved by their own ``save``
    sha256: tuple[str, ...] = ()  # of each frame file, in ``names`` order; empty: not checked


STATUS_FILE = "_status.csv"
#: Beside the status: how each stored result reads back (frame names, column dtypes,
#: loader name, checksums).
SCHEMA_FILE = "_schema.json"
#: 2: loaders are names from a fixed list and frame files carry their SHA-256.
SCHEMA_VERSION = 2


def _plan_class() -> Any:
    from staffplan.plan import Plan

    return Plan


#: The only objects a results folder can ask to be rebuilt, by plain name. A folder is
#: data: it never names code to import (a name outside this list is refused).
_LOADERS = {"plan": _plan_class}
#: How the first schema version spelled the one loader it could hold.
_LEGACY_LOADERS = {"staffplan.plan._plan:Plan": "plan"}


def _loader_for(value: Any) -> str | None:
    for name, get in _LOADERS.items():
        if isinstance(value, get()):
            return name
    return None


#: Longest file-name part written for a key (room left for a suffix and a temp prefix).
_MAX_NAME = 160


def _safe_part(value: Any) -> str:
    # Keys become file names: escape separators, a leading dot (no "..", no hidden
    # files) and a leading underscore (reserved for STATUS_FILE).
    text = quote(str(value), safe="")
    if text[:1] in (".", "_"):
        text = f"%{ord(text[0]):02X}" + text[1:]
    if len(text) > _MAX_NAME:
        # File systems refuse names past 255 bytes: keep a readable head and make the name
        # unique with a digest of the whole key (keys are stored, so nothing is lost).
        digest = hashlib.sha256(str(value).encode()).hexdigest()[:16]
        text = f"{text[: _MAX_NAME - 17]}~{digest}"
    return text


def key_relpath(key: Hashable, key_cols: Sequence[str]) -> Path:
    """``queue`` or ``site/queue`` as a path of escaped names."""
    parts = key_parts(key, key_cols)
    return Path(*(_safe_part(parts[c]) for c in key_cols))


def with_keys(frame: pd.DataFrame, key: Hashable, key_cols: Sequence[str]) -> pd.DataFrame:
    """Put the key columns first when the result does not carry them already."""
    missing = [(c, v) for c, v in key_parts(key, key_cols).items() if c not in frame.columns]
    if not missing:
        return frame
    out = frame.copy(deep=False)
    for col, value in reversed(missing):
        out.insert(0, col, value)
    return out


def store_value(
    value: Any, out_dir: Path, key: Hashable, key_cols: Sequence[str], file_format: str
) -> Stored:
    """Write a frame (or every frame of ``value.to_frames()``) atomically under ``out_dir``."""
    rel = key_relpath(key, key_cols)
    if isinstance(value, pd.DataFrame):
        path = out_dir / rel.with_name(f"{rel.name}.{file_format}")
        # The run sweeps out_dir for leftovers itself (see clean_out_dir).
        write_frame(value, path, clean=False)
        return Stored(path, dtypes=(dict(value.dtypes),), sha256=(sha256_file(path),))
    folder = out_dir / rel
    loader = _loader_for(value)
    if loader is not None:
        # Objects that persist themselves (a Plan) round-trip through their own format.
        value.save(folder, format=file_format, overwrite=True)
        return Stored(folder, loader=loader)
    to_frames = getattr(value, "to_frames", None)
    if to_frames is None:
        raise TypeError(
            "out_dir needs each result to be a DataFrame, a staffplan Plan or an object "
            f"with to_frames() returning {{name: DataFrame}}; got {type(value).__name__}"
        )
    frames: Mapping[str, pd.DataFrame] = to_frames()
    checksums = []
    with atomic_dir(folder, clean=False) as staged:
        for name, frame in frames.items():
            file = staged / f"{_safe_part(name)}.{file_format}"
            write_frame(frame, file, staged=True)
            checksums.append(sha256_file(file))
    return Stored(
        folder,
        names=tuple(frames),
        dtypes=tuple(dict(f.dtypes) for f in frames.values()),
        sha256=tuple(checksums),
    )


def remove_stored(out_dir: Path, key: Hashable, key_cols: Sequence[str], file_format: str) -> None:
    """Drop a result left by an earlier run so a failed queue is never read as fresh."""
    rel = key_relpath(key, key_cols)
    single = out_dir / rel.with_name(f"{rel.name}.{file_format}")
    # A folder result (a saved plan) is left alone: half-deleting it would leave a broken
    # plan, and _status.csv already marks the queue as failed.
    if single.is_file():
        single.unlink()


def _read_frame(path: Path, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    # CSV keeps no types: read text columns as text, then restore what was written.
    as_text = {c: str for c, t in dtypes.items() if pd.api.types.is_object_dtype(t)}
    frame = pd.read_csv(path, dtype=as_text)
    for col, dtype in dtypes.items():
        if col not in frame.columns or frame[col].dtype == dtype:
            continue
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_convert(dtype.tz)
            frame[col] = frame[col].dt.as_unit(dtype.unit)
        elif pd.api.types.is_datetime64_dtype(dtype):
            frame[col] = pd.to_datetime(frame[col]).astype(dtype)
        else:
            frame[col] = frame[col].astype(dtype)
    return frame


def _verified(path: Path, sha256: str | None) -> Path:
    if sha256 is not None and sha256_file(path) != sha256:
        raise CorruptFileError(
            f"{path}: its contents differ from what {SCHEMA_FILE} recorded (sha256 mismatch: "
            "edited, truncated or replaced after the run); restore it or run the queue again"
        )
    return path


def load_stored(stored: Stored) -> Any:
    """Read back one stored result: a frame, the saved object, or a dict of frames."""
    if stored.loader is not None:
        return _LOADERS[stored.loader]().load(stored.path)
    checks: Sequence[str | None] = stored.sha256 or [None] * len(stored.dtypes)
    if stored.names is None:
        return _read_frame(_verified(stored.path, checks[0]), stored.dtypes[0])
    suffix = "parquet" if any(stored.path.glob("*.parquet")) else "csv"
    return {
        name: _read_frame(_verified(stored.path / f"{_safe_part(name)}.{suffix}", sha), dtypes)
        for name, dtypes, sha in zip(stored.names, stored.dtypes, checks, strict=True)
    }


def write_schema(
    folder: Path,
    status: pd.DataFrame,
    key_cols: Sequence[str],
    stored: Mapping[Hashable, Stored],
    status_sha256: str | None = None,
) -> Path:
    """Write ``SCHEMA_FILE``: what :meth:`ManyResult.open` needs beyond ``_status.csv``.

    It records the SHA-256 of ``_status.csv`` (when given) and of its own
    canonical contents, so that an edited status or column type is noticed.
    """
    results = {}
    for s in stored.values():
        results[s.path.relative_to(folder).as_posix()] = {
            "names": None if s.names is None else list(s.names),
            "dtypes": [{c: str(t) for c, t in d.items()} for d in s.dtypes],
            "loader": s.loader,
            "sha256": list(s.sha256),
        }
    schema = {
        "format_version": SCHEMA_VERSION,
        "key_cols": list(key_cols),
        "status_dtypes": {c: str(t) for c, t in status.dtypes.items()},
        "results": results,
        "status_sha256": status_sha256,
    }
    schema["sha256"] = json_digest(schema)
    return atomic_write_text(folder / SCHEMA_FILE, json.dumps(schema, indent=1))


def write_status(folder: Path, status: pd.DataFrame, key_cols: Sequence[str], stored: Any) -> None:
    """Write ``_status.csv`` and, just before it appears, the schema that holds its checksum.

    The status file marks a finished run, so it is renamed into place last.
    """
    with atomic_path(folder / STATUS_FILE) as tmp:
        status.to_csv(tmp, index=False)
        write_schema(folder, status, key_cols, stored, sha256_file(tmp))


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.(tmp|old)")


def clean_out_dir(folder: Path) -> None:
    """Tidy what interrupted writes (a crashed worker) left anywhere in ``folder``.

    Each leftover is handed to :func:`staffplan._io.clean_leftovers` for its
    target, which restores a result cut mid-swap and deletes the rest.
    """
    targets = set()
    for item in folder.rglob(".*"):
        match = _LEFTOVER.fullmatch(item.name)
        if match and inside(folder, item.parent):
            targets.add(item.parent / match["name"])
    for target in sorted(targets):
        clean_leftovers(target)


def _schema_error(folder: Path, what: str) -> CorruptFileError:
    return CorruptFileError(
        f"{folder / SCHEMA_FILE}: {what}; the folder was edited or not written by staffplan: "
        "run the queues again (or delete the file to read the frames without their types)"
    )


def _dtype(folder: Path, text: Any) -> Any:
    try:
        return pd.api.types.pandas_dtype(text)
    except (TypeError, ValueError):
        raise _schema_error(folder, f"{text!r} is not a column type") from None


def _read_schema(folder: Path) -> dict[str, Any]:
    """``_schema.json`` checked field by field (an empty schema when the file is absent)."""
    path = folder / SCHEMA_FILE
    if not path.is_file():
        return {}
    if not inside(folder, path):
        raise _schema_error(folder, "points outside the results folder (a symlink)")
    try:
        schema = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _schema_error(folder, f"not valid JSON ({exc})") from None
    if not isinstance(schema, dict):
        raise _schema_error(folder, "expected a JSON object")
    version = schema.get("format_version")
    if version not in (1, SCHEMA_VERSION):
        raise _schema_error(folder, f"format_version must be 1 or 2, got {version!r}")
    key_cols = schema.get("key_cols")
    if not (
        isinstance(key_cols, list)
        and 1 <= len(key_cols) <= 2
        and all(isinstance(c, str) for c in key_cols)
    ):
        raise _schema_error(folder, f"key_cols must be 1 or 2 column names, got {key_cols!r}")
    for name, kind in (("status_dtypes", dict), ("results", dict)):
        if not isinstance(schema.get(name), kind):
            raise _schema_error(folder, f"{name!r} must be a JSON object")
    try:
        digest = json_digest(schema)  # before the entries are normalised below
    except ValueError:  # NaN or Infinity literals: never written by a run
        digest = ""
    for rel, entry in schema["results"].items():
        _check_entry(folder, rel, entry)
    if version == SCHEMA_VERSION and schema.get("sha256") != digest:
        raise _schema_error(
            folder,
            "its contents differ from its own sha256 (a column type, loader or checksum "
            "was edited after the run)",
        )
    return schema


def _check_entry(folder: Path, rel: str, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise _schema_error(folder, f"the entry of {rel!r} must be a JSON object")
    names = entry.get("names")
    if names is not None and not (
        isinstance(names, list) and all(isinstance(n, str) for n in names)
    ):
        raise _schema_error(folder, f"names of {rel!r} must be a list of strings")
    dtypes = entry.get("dtypes")
    if not (isinstance(dtypes, list) and all(isinstance(d, dict) for d in dtypes)):
        raise _schema_error(folder, f"dtypes of {rel!r} must be a list of objects")
    loader = entry.get("loader")
    loader = _LEGACY_LOADERS.get(loader, loader) if isinstance(loader, str) else loader
    if loader is not None and (not isinstance(loader, str) or loader not in _LOADERS):
        raise _schema_error(
            folder,
            f"{rel!r} asks for loader {loader!r}; results are read only as frames or with "
            f"one of {sorted(_LOADERS)} (a results folder never names code to run)",
        )
    entry["loader"] = loader
    if loader is None and len(dtypes) != (1 if names is None else len(names)):
        raise _schema_error(folder, f"{rel!r} lists {len(dtypes)} dtype sets for its frames")
    sha = entry.get("sha256", [])
    if not (isinstance(sha, list) and all(isinstance(x, str) for x in sha)):
        raise _schema_error(folder, f"sha256 of {rel!r} must be a list of strings")
    if sha and len(sha) != len(dtypes):
        raise _schema_error(folder, f"{rel!r} lists {len(sha)} checksums for its frames")


def _stored_from_disk(folder: Path, path: Path, entry: Mapping[str, Any] | None) -> Stored:
    """A :class:`Stored` for ``path`` from its schema entry, or guessed from the files."""
    if entry is not None:
        return Stored(
            path,
            names=None if entry["names"] is None else tuple(entry["names"]),
            dtypes=tuple({c: _dtype(folder, t) for c, t in d.items()} for d in entry["dtypes"]),
            loader=entry["loader"],
            sha256=tuple(entry.get("sha256", ())),
        )
    if path.is_file():
        return Stored(path, dtypes=({},))
    if (path / "plan.json").is_file():
        return Stored(path, loader="plan")
    files = sorted(
        p for p in path.iterdir() if p.suffix in (".csv", ".parquet") and inside(folder, p)
    )
    return Stored(path, names=tuple(p.stem for p in files), dtypes=tuple({} for _ in files))


def _read_status(path: Path, dtypes: Mapping[str, Any]) -> pd.DataFrame:
    """``_status.csv`` with its recorded types; a clear error when it is not a status."""
    text_cols = {c: str for c, t in dtypes.items() if pd.api.types.is_object_dtype(t)}
    try:
        status = pd.read_csv(
            path, dtype={"error": str, "path": str, **text_cols}, keep_default_na=False
        )
        for col, dtype in dtypes.items():
            if col in status.columns and status[col].dtype != dtype:
                status[col] = status[col].astype(dtype)
    except (ValueError, TypeError, pd.errors.ParserError) as exc:
        raise CorruptFileError(
            f"{path}: does not read back as a run's status ({type(exc).__name__}: {exc}); "
            "run the queues again"
        ) from None
    missing = [c for c in ("status", "error") if c not in status.columns]
    if missing:
        raise CorruptFileError(f"{path}: columns {missing} are missing; run the queues again")
    return status


class ManyResult:
    """Results of one many-queue run, in deterministic ``(site, queue)`` order.

    Attributes
    ----------
    status : DataFrame
        One row per queue: the key column(s), ``status`` (``"ok"`` or
        ``"failed"``), ``error`` (empty when ok), ``seconds`` (wall time spent on
        the queue in its worker [s]), ``cpu_seconds`` (CPU time of the worker
        process meanwhile [s]; far below ``seconds`` when CPUs are contended)
        and, when results were streamed to disk, ``path``.
    key_cols : tuple of str
        ``(queue_col,)`` or ``(site_col, queue_col)``.
    tracebacks : dict
        Full traceback text of each failed queue, by key.

    Notes
    -----
    Results streamed to ``out_dir`` stay on disk: ``frame``, ``plans``,
    ``result[key]`` and ``items()`` read them when asked (``items()`` one
    queue at a time, so memory stays bounded).
    """

    def __init__(
        self,
        status: pd.DataFrame,
        key_cols: tuple[str, ...],
        values: Mapping[Hashable, Any],
        stored: Mapping[Hashable, Stored],
        tracebacks: Mapping[Hashable, str],
    ) -> None:
        self.status = status
        self.key_cols = key_cols
        self.tracebacks = dict(tracebacks)
        self._values = dict(values)
        self._stored = dict(stored)
        keys = status[list(key_cols)].itertuples(index=False, name=None)
        self._keys = [k[0] if len(key_cols) == 1 else k for k in keys]
        self._errors = dict(zip(self._keys, status["error"], strict=True))
        self._ok = dict(zip(self._keys, status["status"].eq("ok"), strict=True))

    @classmethod
    def open(cls, out_dir: str | os.PathLike[str]) -> ManyResult:
        """Reopen the results a finished run streamed to ``out_dir``.

        Parameters
        ----------
        out_dir : path
            The ``out_dir`` of an earlier ``forecast_many`` / ``staff_many`` /
            ``plan_many`` / ``map_queues`` run: its ``_status.csv`` lists the
            queues, and the per-queue files hold the results.

        Returns
        -------
        ManyResult
            The same status, keys and results as the run returned (read from
            disk when asked); ``tracebacks`` is empty (only the one-line errors
            are kept on disk).

        Raises
        ------
        FileNotFoundError
            When ``out_dir`` holds no ``_status.csv`` (not a finished run's folder),
            or a queue marked ok has no result file.
        staffplan._io.CorruptFileError
            A ``ValueError`` naming the file and what to do, when
            ``_schema.json`` or ``_status.csv`` is broken, has an unknown
            format version or asks for a loader outside the fixed list (a
            results folder never names code to import), or a result points
            outside the folder. A frame whose checksum differs from the
            recorded one raises this error when it is read.

        Notes
        -----
        The folder is data: nothing in it is imported, unpickled or evaluated.
        """
        folder = Path(out_dir).resolve()
        status_path = folder / STATUS_FILE
        if not status_path.is_file():
            raise FileNotFoundError(
                f"{folder}: no {STATUS_FILE} here; give the out_dir of a finished run"
            )
        if not inside(folder, status_path):
            raise CorruptFileError(
                f"{status_path}: points outside the results folder (a symlink); replace the "
                "link by the file or run the queues again"
            )
        schema = _read_schema(folder)
        dtypes = {c: _dtype(folder, t) for c, t in schema.get("status_dtypes", {}).items()}
        status = _read_status(status_path, dtypes)
        if schema.get("status_sha256") and sha256_file(status_path) != schema["status_sha256"]:
            raise CorruptFileError(
                f"{status_path}: its contents differ from what {SCHEMA_FILE} recorded (sha256 "
                "mismatch: a queue's status, error or key was edited after the run); run the "
                "queues again"
            )
        if "key_cols" in schema:
            key_cols = tuple(schema["key_cols"])
        else:
            key_cols = tuple(status.columns[: list(status.columns).index("status")])
        if not key_cols or any(c not in status.columns for c in key_cols):
            raise _schema_error(
                folder, f"key_cols {list(key_cols)} are not columns of {STATUS_FILE}"
            )
        entries = schema.get("results", {})
        try:
            result = cls(status, key_cols, values={}, stored={}, tracebacks={})
        except (TypeError, ValueError) as exc:
            raise CorruptFileError(
                f"{status_path}: its keys do not read back ({exc}); run the queues again"
            ) from None
        for key in result._keys:
            if not result._ok[key]:
                continue
            # Found by key, not by the recorded path: the folder may have moved since.
            rel = key_relpath(key, key_cols)
            names = [rel.with_name(f"{rel.name}.{ext}") for ext in ("parquet", "csv")] + [rel]
            found = next((n for n in names if (folder / n).exists()), None)
            if found is None:
                raise FileNotFoundError(
                    f"{folder}: queue {key!r} is 'ok' in {STATUS_FILE} but its result "
                    f"({rel.as_posix()}.parquet, .csv or folder) is missing"
                )
            if not inside(folder, folder / found):
                raise CorruptFileError(
                    f"{folder / found}: points outside the results folder {folder} (a symlink); "
                    "a results folder reads only its own files: replace the link by the file"
                )
            entry = entries.get(found.as_posix())
            result._stored[key] = _stored_from_disk(folder, folder / found, entry)
        return result

    def __repr__(self) -> str:
        n_ok = sum(self._ok.values())
        where = "on disk" if self._stored else "in memory"
        return f"ManyResult({n_ok} ok, {len(self._keys) - n_ok} failed, {where})"

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def keys(self) -> list[Hashable]:
        """Every queue key, ok or failed, in order."""
        return list(self._keys)

    @property
    def ok(self) -> bool:
        """True when every queue succeeded."""
        return all(self._ok.values())

    @property
    def failed(self) -> pd.DataFrame:
        """Status rows of the queues that failed, with their error."""
        return self.status[self.status["status"].ne("ok")].reset_index(drop=True)

    def raise_if_failed(self) -> ManyResult:
        """Raise ``RuntimeError`` listing the failed queues; return ``self`` when all are ok."""
        if self.ok:
            return self
        lines = [f"{k!r}: {self._errors[k]}" for k in self._keys if not self._ok[k]]
        raise RuntimeError(f"{len(lines)} of {len(self)} queues failed:\n" + "\n".join(lines))

    def __getitem__(self, key: Hashable) -> Any:
        if key not in self._ok:
            raise KeyError(key)
        if not self._ok[key]:
            raise KeyError(f"queue {key!r} failed: {self._errors[key]}")
        if key in self._stored:
            return load_stored(self._stored[key])
        return self._values[key]

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        """``(key, result)`` of each successful queue in order, loading one at a time."""
        for key in self._keys:
            if self._ok[key]:
                yield key, self[key]

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """All successful frame results concatenated in key order (read once from disk)."""
        parts = [value for _, value in self.items()]
        if not parts:
            return pd.DataFrame(columns=list(self.key_cols))
        if not all(isinstance(p, pd.DataFrame) for p in parts):
            raise TypeError("results are not frames; use .plans or items() instead")
        return pd.concat(parts, ignore_index=True)

    @functools.cached_property
    def plans(self) -> dict[Hashable, Any]:
        """Successful results by key: the objects themselves, or their frames when on disk."""
        return dict(self.items())

    @property
    def out_paths(self) -> dict[Hashable, os.PathLike[str]]:
        """Where each streamed result was written."""
        return {k: s.path for k, s in self._stored.items()}
