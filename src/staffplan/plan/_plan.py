"""The :class:`Plan` result: plain data with frames, settings and warnings."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._io import (
    CorruptFileError,
    atomic_dir,
    clean_leftovers,
    inside,
    json_digest,
    sha256_file,
    write_frame,
)
from staffplan._validation import check_choice
from staffplan.plan._service import ServiceTarget

if TYPE_CHECKING:  # the roster (and OR-Tools) loads when the rules are asked for
    from staffplan.roster import Rules

__all__ = [
    "EVENT_COLUMNS",
    "FRAME_NAMES",
    "NO_EVENTS_NOTE",
    "Plan",
    "plain_settings",
    "plan_events",
]

#: Frames a plan holds, in the order they are written.
FRAME_NAMES = (
    "history",
    "events",
    "forecast",
    "requirements",
    "roster",
    "coverage",
    "verdict",
    "daily",
    "peaks",
    "verdict_quantile",
    "verdict_queues",
    "verdict_groups",
)
_META_FILE = "plan.json"
#: 2: plan.json carries the SHA-256 of every frame file and of its own contents.
_FORMAT_VERSION = 2
#: Columns of :attr:`Plan.events` (the forecaster's own reading of the events it was given).
EVENT_COLUMNS = ("name", "kind", "start", "end", "factor", "queue", "calendar")
#: Said when a plan does not record its events (saved before plans kept them).
NO_EVENTS_NOTE = (
    "this plan does not record the events its forecast knew (it was saved before plans kept "
    "them): a re-plan refits the forecaster without holidays or campaigns unless they are "
    "given again (events=, --events)"
)


def plan_events(events: pd.DataFrame | None) -> pd.DataFrame:
    """The events a forecaster was fitted with, as a plan keeps them (empty when none).

    ``events`` is :attr:`staffplan.forecast.VolumeForecaster.events_`: one row
    per event, holiday calendars already listed, times as naive local wall time.
    """
    if events is None:
        empty = {c: pd.Series(dtype=object) for c in EVENT_COLUMNS}
        empty["start"] = empty["end"] = pd.Series(dtype="datetime64[ns]")
        empty["factor"] = pd.Series(dtype=float)
        empty["calendar"] = pd.Series(dtype=bool)
        return pd.DataFrame(empty)
    out = events.loc[:, [c for c in EVENT_COLUMNS if c in events]].reset_index(drop=True)
    # Queue labels as text ("" for every queue), so that they read back from a file as
    # written; replan maps them onto the history's own labels.
    out["queue"] = [str(q) if q is not None and not pd.isna(q) else "" for q in out["queue"]]
    return out


@dataclass(frozen=True)
class Plan:
    """A staffing plan: forecast, requirement, roster and the service it delivers.

    Build one with :func:`staffplan.plan`; it is plain data (frames plus a few
    scalars) and does not change after it is made.

    Attributes
    ----------
    forecast : pandas.DataFrame
        Per queue and interval: ``queue``, ``ds``, ``volume`` (mean) and one
        ``volume_q<q>`` column per quantile, plus ``aht_s`` [s].
    requirements : pandas.DataFrame
        Per interval of the combined demand: ``ds``, ``volume`` (what was
        staffed for: the mean or the chosen quantile), ``aht_s``,
        ``traffic_erl``, ``agents`` (whole agents on the phones),
        ``agents_frac``, ``scheduled`` (on the floor, after shrinkage,
        fractional) and ``scheduled_int``.
    roster : pandas.DataFrame
        One row per person-shift (see :func:`staffplan.roster.solve`).
    coverage : pandas.DataFrame
        Per interval: ``required``, ``on_floor``, ``off_lunch``, ...
    verdict : pandas.DataFrame
        Predicted service per interval for the rostered staff at the mean
        forecast: ``service_level``, ``asa_s``, ``p_abandon``, ``occupancy``,
        ``on_floor``, ``on_phones``, ``required``, and, after a simulation
        check, ``sim_*`` columns and the ``sim_disagrees`` flag.
    daily : pandas.DataFrame
        The verdict per day (volume-weighted).
    peaks : pandas.DataFrame
        The peak interval(s) of each day with their verdict.
    verdict_quantile : pandas.DataFrame or None
        The same verdict at the staffed-for volume quantile, when staffing to a
        quantile.
    verdict_queues : pandas.DataFrame or None
        Plans by skill group (``plan(..., skills=...)``): the verdict per (interval,
        queue): requirement, allocated agents, formula promise and simulated service
        with its 95% interval, ``at_risk`` (see
        :func:`staffplan.skills._plan.queue_verdict`). ``verdict``, ``peaks`` and
        ``verdict_quantile`` then judge the total floor as one pooled voice queue and
        carry their service columns as ``pooled_<column>``; this frame is the one to read.
    verdict_groups : pandas.DataFrame or None
        Plans by skill group: agents needed and rostered per (interval, group).
    history : pandas.DataFrame or None
        The history the forecast was fitted to (for plots and reports).
    events : pandas.DataFrame or None
        The events the forecast was fitted with, as the forecaster read them
        (see :func:`plan_events`): ``name``, ``kind``, ``start``, ``end``
        (naive local wall time, end exclusive), ``factor``, ``queue`` (as
        text; ``""``: every queue) and ``calendar`` (the row came from a
        holiday calendar).  Empty when the
        plan had no events; None for a plan saved before plans kept them
        (loading one says so in ``warnings``).  :func:`staffplan.replan` refits
        the forecaster with them.  Saved as ``events.<format>`` (no file when
        there are none).
    settings : dict
        Everything needed to repeat the plan: service target, horizon,
        interval, quantile, rules summary, solver facts.
    summary : dict
        Headline numbers (floats), e.g. ``service_level``, ``paid_hours``.
    warnings : tuple of str
        Things a planner must know: shortages, solver limits, formula and
        simulation disagreeing.
    """

    forecast: pd.DataFrame
    requirements: pd.DataFrame
    roster: pd.DataFrame
    coverage: pd.DataFrame
    verdict: pd.DataFrame
    daily: pd.DataFrame
    peaks: pd.DataFrame
    verdict_quantile: pd.DataFrame | None = None
    verdict_queues: pd.DataFrame | None = None
    verdict_groups: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    # -- conveniences -----------------------------------------------------------------
    @property
    def service(self) -> ServiceTarget:
        """The service target the plan was made for."""
        return ServiceTarget(**self.settings["service"])

    @property
    def rules(self) -> Rules:
        """The roster rules the plan was made with (``shifts`` None: fitted to the requirement)."""
        from staffplan.roster import Rules

        return Rules.from_dict(self.settings.get("rules"), interval_min=self.interval_min)

    @property
    def interval_min(self) -> int:
        """Interval length [min]."""
        return int(self.settings["interval_min"])

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The plan's frames by name (those that exist), e.g. for a report.

        ``events`` is left out when the plan had none (an empty record).
        """
        out: dict[str, pd.DataFrame] = {}
        for name in FRAME_NAMES:
            frame = getattr(self, name)
            if frame is not None and not (name == "events" and frame.empty):
                out[name] = frame
        return out

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"Plan({self.settings.get('start')} + {self.settings.get('horizon')}, "
            f"{len(self.roster)} shifts, paid_hours={s.get('paid_hours', float('nan')):.1f}, "
            f"service_level={s.get('service_level', float('nan')):.3f}, "
            f"warnings={len(self.warnings)})"
        )

    # -- persistence -----------------------------------------------------------------
    def save(
        self, path: str | os.PathLike[str], *, format: str = "csv", overwrite: bool = False
    ) -> Path:
        """Write the plan to a directory: one file per frame plus ``plan.json``.

        ``plan.json`` records the format version and the SHA-256 checksum of
        every frame file, so that :meth:`load` can tell an intact plan from an
        edited or truncated one. The directory is written in full beside
        ``path``, flushed to disk and exchanged with any previous plan in one
        step (see :func:`staffplan._io.atomic_dir`): an interruption leaves the
        previous plan, never a half-written or missing one.

        Parameters
        ----------
        path : path-like
            Target directory (``"."`` works: the plan is then written into the
            current directory file by file, ``plan.json`` last).
        format : {"csv", "parquet"}
            File format of the frames (Parquet needs the ``[parquet]`` extra).
        overwrite : bool
            Replace an existing directory at ``path``: it must be empty or
            hold a plan (files only). Files in it that are not part of a plan
            (a report) are kept.

        Returns
        -------
        pathlib.Path
            ``path``.
        """
        check_choice(format, "format", ("csv", "parquet"))
        target = Path(path)
        clean_leftovers(target)
        if target.exists() and not overwrite:
            raise FileExistsError(
                f"{target} already exists; pass overwrite=True to replace the plan in it"
            )
        if target.exists():
            _check_replaceable(target)
        with atomic_dir(target, last=_META_FILE) as staged:
            meta: dict[str, Any] = {
                "format_version": _FORMAT_VERSION,
                "format": format,
                "settings": _jsonable(self.settings),
                "summary": _jsonable(self.summary),
                "warnings": list(self.warnings),
                # Written since plans keep their events: a plan.json without it is older.
                "events_recorded": True,
                "frames": {},
            }
            for name, frame in self.to_frames().items():
                encoded, info = _encode_frame(frame)
                file = staged / f"{name}.{format}"
                write_frame(encoded, file, staged=True)
                info["sha256"] = sha256_file(file)
                meta["frames"][name] = info
            meta["sha256"] = json_digest(meta)
            (staged / _META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
            if target.exists():
                _merge_keep_extras(target, staged, format)
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Plan:
        """Read a plan written by :meth:`save`, checking that every file is as written.

        Parameters
        ----------
        path : path-like
            The plan directory.

        Returns
        -------
        Plan

        Raises
        ------
        FileNotFoundError
            When ``plan.json`` or a frame file it lists is missing (named).
        staffplan._io.CorruptFileError
            A ``ValueError`` naming the file and what to do, when ``plan.json``
            is not valid JSON or not a plan, has an unknown ``format_version``,
            names a frame the format does not have or differs from its own
            checksum (a setting or column type edited), or when a frame file's
            checksum differs from the recorded one (edited, truncated or
            replaced), points outside the directory (a symlink) or does not
            read back.

        Notes
        -----
        Nothing in the folder is imported or unpickled; frame files are found
        by their fixed names, never by a path taken from ``plan.json``.  A plan
        saved before plans kept their events loads with ``events`` None and a
        warning saying so (:data:`NO_EVENTS_NOTE`); a plan saved since then
        without an events file had none (``events`` empty). When
        ``path`` is missing because a save was cut between its two renames
        (file systems that cannot exchange folders), the previous plan is
        moved back first.
        """
        source = Path(path)
        clean_leftovers(source, remove=False)  # restore a plan cut mid-swap; delete nothing
        meta_path = source / _META_FILE
        meta = _read_meta(meta_path)
        fmt = meta["format"]
        frames: dict[str, pd.DataFrame | None] = {name: None for name in FRAME_NAMES}
        for name, info in meta["frames"].items():
            file = source / f"{name}.{fmt}"
            _verify_frame_file(source, file, info, meta_path)
            try:
                raw = pd.read_parquet(file) if fmt == "parquet" else pd.read_csv(file)
                frames[name] = _decode_frame(raw, info)
            except (ValueError, KeyError, TypeError, OSError) as exc:
                raise CorruptFileError(
                    f"{file}: does not read back as the plan's {name!r} frame "
                    f"({type(exc).__name__}: {exc}); make the plan again"
                ) from None
        notes = tuple(meta["warnings"])
        if meta.get("events_recorded"):
            if frames["events"] is None:  # written without events.csv: it had none
                frames["events"] = plan_events(None)
        elif NO_EVENTS_NOTE not in notes:
            notes += (NO_EVENTS_NOTE,)
        return cls(
            **{k: v for k, v in frames.items() if k in FRAME_NAMES},
            settings=meta["settings"],
            summary=meta["summary"],
            warnings=notes,
        )


#: Frames every plan has (the others are optional).
_REQUIRED_FRAMES = ("forecast", "requirements", "roster", "coverage", "verdict", "daily", "peaks")


def _read_meta(meta_path: Path) -> dict[str, Any]:
    """``plan.json`` checked field by field: a clear error naming the file, never a KeyError."""
    source = meta_path.parent
    if not meta_path.is_file():
        raise FileNotFoundError(
            f"{source} holds no plan: {_META_FILE} is missing; give a folder written by Plan.save"
        )
    redo = "make the plan again (or restore the folder from a copy)"
    if not inside(source, meta_path):
        raise CorruptFileError(
            f"{meta_path}: points outside the plan folder (a symlink); replace the link by "
            f"the file or {redo}"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptFileError(f"{meta_path}: not valid JSON ({exc}); {redo}") from None
    if not isinstance(meta, dict):
        raise CorruptFileError(
            f"{meta_path}: expected a JSON object, got {type(meta).__name__}; {redo}"
        )
    version = meta.get("format_version")
    if version != _FORMAT_VERSION:
        hint = (
            "it was written before plans carried checksums and cannot be verified"
            if version == 1
            else "it was written by another staffplan version or edited"
        )
        raise CorruptFileError(
            f"{meta_path}: format_version must be {_FORMAT_VERSION}, got {version!r}; "
            f"{hint}: {redo}"
        )
    expected = {
        "format": str,
        "frames": dict,
        "settings": dict,
        "summary": dict,
        "warnings": list,
    }
    for key, kind in expected.items():
        if not isinstance(meta.get(key), kind):
            raise CorruptFileError(
                f"{meta_path}: {key!r} must be a JSON {kind.__name__}, got "
                f"{type(meta.get(key)).__name__}; {redo}"
            )
    if meta["format"] not in ("csv", "parquet"):
        raise CorruptFileError(
            f"{meta_path}: format must be 'csv' or 'parquet', got {meta['format']!r}; {redo}"
        )
    unknown = [n for n in meta["frames"] if n not in FRAME_NAMES]
    if unknown:
        raise CorruptFileError(
            f"{meta_path}: frames {unknown} are not part of a plan (it holds only "
            f"{', '.join(FRAME_NAMES)}); files are read only by these names: {redo}"
        )
    missing = [n for n in _REQUIRED_FRAMES if n not in meta["frames"]]
    if missing:
        raise CorruptFileError(f"{meta_path}: frames {missing} are missing; {redo}")
    if not all(isinstance(w, str) for w in meta["warnings"]):
        raise CorruptFileError(f"{meta_path}: 'warnings' must be a list of strings; {redo}")
    for name, info in meta["frames"].items():
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            raise CorruptFileError(
                f"{meta_path}: the entry of {name}.{meta['format']} has no sha256 checksum; {redo}"
            )
    try:
        digest = json_digest(meta)
    except ValueError:  # NaN or Infinity literals: never written by save
        digest = ""
    if meta.get("sha256") != digest:
        raise CorruptFileError(
            f"{meta_path}: its contents differ from its own sha256 (a setting, summary, "
            f"warning or column type was edited after saving); {redo}"
        )
    return meta


def _verify_frame_file(source: Path, file: Path, info: Any, meta_path: Path) -> None:
    """The frame file is a regular file inside the plan and has the checksum recorded."""
    if not inside(source, file):
        raise CorruptFileError(
            f"{file}: points outside the plan folder {source} (a symlink); a plan reads only "
            "its own files: replace the link by the file or make the plan again"
        )
    if not file.is_file():
        raise FileNotFoundError(
            f"{file} is missing ({meta_path} lists it); restore it or make the plan again"
        )
    if sha256_file(file) != info["sha256"]:
        raise CorruptFileError(
            f"{file}: its contents differ from what {meta_path} recorded (sha256 mismatch: "
            "the file was edited, truncated or replaced after saving); restore it or make "
            "the plan again"
        )


def _check_replaceable(target: Path) -> None:
    """Only an empty directory or one holding a plan is replaced (never, say, ``.``)."""
    if not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a directory; choose another path")
    items = list(target.iterdir())
    if items and not (target / _META_FILE).is_file():
        raise FileExistsError(
            f"{target} is not empty and holds no plan ({_META_FILE} is missing); "
            "choose a new or empty directory"
        )
    if any(item.is_dir() for item in items):
        raise FileExistsError(
            f"{target} holds subdirectories; a plan directory holds files only, "
            "choose a new or empty directory"
        )


def _merge_keep_extras(target: Path, tmp: Path, fmt: str) -> None:
    """Carry files that are not part of a plan (e.g. a report) into the new directory."""
    ours = {_META_FILE} | {f"{n}.{ext}" for n in FRAME_NAMES for ext in ("csv", "parquet")}
    for item in target.iterdir():
        # Files only: the staging folder itself sits inside target when writing in place.
        if item.is_file() and item.name not in ours and not (tmp / item.name).exists():
            shutil.copy2(item, tmp / item.name, follow_symlinks=False)


def _encode_frame(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Frame ready for CSV/Parquet plus the dtype facts needed to read it back."""
    out = frame.copy()
    info: dict[str, Any] = {"datetime": [], "timedelta": [], "json": [], "bool": [], "str": []}
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            info["datetime"].append(col)
            if s.dt.tz is not None:
                info.setdefault("tz", {})[col] = str(s.dt.tz)
        elif pd.api.types.is_timedelta64_dtype(s):
            info["timedelta"].append(col)
            out[col] = s.dt.total_seconds()
        elif pd.api.types.is_bool_dtype(s):
            info["bool"].append(col)
        elif s.dtype == object and s.map(lambda v: isinstance(v, (list, tuple))).any():
            info["json"].append(col)
            out[col] = s.map(lambda v: json.dumps(_jsonable(v)))
        elif pd.api.types.is_string_dtype(s) and s.map(lambda v: isinstance(v, str)).all():
            info["str"].append(col)
    return out, info


def _decode_frame(raw: pd.DataFrame, info: Mapping[str, Any]) -> pd.DataFrame:
    out = raw.copy()
    zones = info.get("tz", {})
    for col in info.get("datetime", []):
        # Written by to_csv in ISO 8601: parse exactly that, never guess a format.
        if col in zones:
            out[col] = pd.to_datetime(out[col], utc=True, format="ISO8601")
            out[col] = out[col].dt.tz_convert(zones[col])
        else:
            out[col] = pd.to_datetime(out[col], format="ISO8601")
        # pandas >= 3 parses to the text's resolution; frames here are nanosecond.
        out[col] = out[col].dt.as_unit("ns")
    for col in info.get("timedelta", []):
        out[col] = pd.to_timedelta(out[col], unit="s")
    for col in info.get("bool", []):
        # pandas >= 3 may read the column as strings, and bool("False") is True.
        out[col] = out[col].map(
            lambda v: v if isinstance(v, (bool, np.bool_)) else str(v) == "True"
        )
        out[col] = out[col].astype(bool)
    for col in info.get("str", []):
        # CSV reads "" back as NaN; the column held only strings.
        out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    for col in info.get("json", []):
        out[col] = out[col].map(_decode_json_cell)
    return out


def _decode_json_cell(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    value = json.loads(text)
    if isinstance(value, list):
        return [_maybe_pair(v) for v in value]
    return value


def _maybe_pair(v: Any) -> Any:
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v):
        try:
            return (pd.Timestamp(v[0]), pd.Timestamp(v[1]))
        except ValueError:
            return tuple(v)
    return v


def plain_settings(value: Mapping[str, Any]) -> dict[str, Any]:
    """Settings in the exact form they take after a JSON round trip."""
    return json.loads(json.dumps(_jsonable(value)))


def _jsonable(value: Any) -> Any:
    """Plain JSON types for settings, summaries and list cells."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return str(pd.Timestamp(value))
    if isinstance(value, pd.Timedelta):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else str(value)
    return value
