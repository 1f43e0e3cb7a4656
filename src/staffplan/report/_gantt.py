"""The roster as a Gantt chart: shifts by team, lunch and breaks inside them."""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._validation import check_columns
from staffplan.report._figure import _RED, _figure, _num, _on, _wall_time

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure

__all__ = ["plot_gantt"]

_ROLE_ORDER = {"manager": 0, "lead": 1, "agent": 2}


def _pairs(value: Any) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Break intervals from a list of pairs (or its string form, as read back from CSV)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        text = text.replace("Timestamp(", "(")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ValueError(
                f"roster breaks must be a list of (start, end) pairs, got {value!r}"
            ) from None
    out = []
    for pair in value:
        if isinstance(pair, str) or len(pair) != 2:
            raise ValueError(f"roster breaks must be a list of (start, end) pairs, got {value!r}")
        s, e = pair
        out.append((pd.Timestamp(s), pd.Timestamp(e)))
    return out


_TEAM_COLORS = (
    "#9ecae9",
    "#ffbf79",
    "#88d27a",
    "#f2cf5b",
    "#b9ac9f",
    "#d6a5c9",
    "#86bcb6",
    "#ff9d98",
    "#c5b0d5",
    "#dbdb8d",
)


def _bars(
    ax: Axes, y: np.ndarray, start: np.ndarray, end: np.ndarray, *, label: str, **style: Any
) -> PolyCollection:
    """Horizontal bars from ``start`` to ``end`` at rows ``y``, as one labelled collection."""
    from matplotlib.collections import PolyCollection

    h = 0.36
    verts = [
        [(s, yi - h), (e, yi - h), (e, yi + h), (s, yi + h)]
        for yi, s, e in zip(y.tolist(), start.tolist(), end.tolist(), strict=True)
    ]
    bars = PolyCollection(verts, label=label, **style)
    ax.add_collection(bars)
    return bars


def plot_gantt(roster: pd.DataFrame, *, day: Any = None, ax: Axes | None = None) -> Figure:
    """Shifts by team as horizontal bars, lunch and breaks drawn inside them.

    Parameters
    ----------
    roster : DataFrame
        One row per person-shift: ``person``, ``role`` (``"agent"``, ``"lead"`` or
        ``"manager"``), ``team``, ``start``, ``end`` (timestamps), and optional
        ``lunch_start``, ``lunch_end`` (timestamps or empty) and ``breaks`` (a list
        of ``(start, end)`` pairs).
    day : date-like, optional
        Plot the shifts starting on this day.  By default the first day of the
        roster (the title says how many days it holds); the HTML report draws
        one chart per day.
    ax : matplotlib Axes, optional
        Draw on this axes and return its figure; by default a new figure sized
        to the number of shifts.

    Returns
    -------
    matplotlib.figure.Figure
        Bar collections (``PolyCollection``) labelled ``"shift"`` (one bar per
        plotted row), ``"lunch"`` and ``"break"``; leads and the manager carry a
        marker and a bold name, and teams are separated by lines and labelled.
    """
    check_columns(roster, ["person", "role", "team", "start", "end"], "roster")
    r = roster.copy()
    for col in ("start", "end", "lunch_start", "lunch_end"):
        if col in r.columns:
            r[col] = _wall_time(r[col])
    days = sorted(r["start"].dt.normalize().unique())
    if not days:
        raise ValueError("roster must have at least one row, got an empty frame")
    chosen = pd.Timestamp(days[0]) if day is None else pd.Timestamp(day).normalize()
    r = r[r["start"].dt.normalize() == chosen]
    if r.empty:
        raise ValueError(
            f"day must be a day of the roster ({pd.Timestamp(days[0]).date()} .. "
            f"{pd.Timestamp(days[-1]).date()}), got {chosen.date()}"
        )
    r["_role"] = r["role"].map(_ROLE_ORDER).fillna(3)
    r["_team"] = r["team"].astype(str)
    # The manager stands above the teams: put that row first whatever its team.
    r["_team_key"] = np.where(r["role"] == "manager", "", r["_team"])
    r = r.sort_values(["_team_key", "_role", "start", "person"], kind="stable").reset_index(
        drop=True
    )
    n = len(r)
    own = ax is None
    if own:
        # Fixed margins instead of a layout engine: a week of tall charts in a report
        # must render quickly, and the margins are known (names left, teams right).
        height_in = max(3.0, 0.21 * n + 1.6)
        fig, axes = _figure(11, height_in, layout=None)
        fig.subplots_adjust(
            left=0.75 / 11, right=1 - 1.15 / 11, top=1 - 0.85 / height_in, bottom=0.7 / height_in
        )
        ax = axes[0, 0]
    else:
        fig, ax = _on(ax, 11, 3.0)
    y = np.arange(n, dtype=float)
    teams = list(dict.fromkeys(r["_team_key"]))
    team_color = {
        t: ("#bdbdbd" if t == "" else _TEAM_COLORS[i % len(_TEAM_COLORS)])
        for i, t in enumerate(teams)
    }
    start = _num(r["start"])
    end = _num(r["end"])
    colors = [team_color[t] for t in r["_team_key"]]
    edge = ["black" if role in ("lead", "manager") else "none" for role in r["role"]]
    # One collection per kind (shift, lunch, break): hundreds of bars draw as one artist.
    _bars(ax, y, start, end, label="shift", facecolors=colors, edgecolors=edge, linewidths=0.8)
    if "lunch_start" in r.columns and "lunch_end" in r.columns:
        ok = (r["lunch_start"].notna() & r["lunch_end"].notna()).to_numpy()
        ls = _num(r.loc[ok, "lunch_start"]) if ok.any() else np.array([])
        le = _num(r.loc[ok, "lunch_end"]) if ok.any() else np.array([])
        _bars(ax, y[ok], ls, le, label="lunch", facecolors="#5b5b5b", edgecolors="none")
    brk_y, brk_s, brk_e = [], [], []
    if "breaks" in r.columns:
        for i, value in enumerate(r["breaks"]):
            for s_, e_ in _pairs(value):
                s_n, e_n = _num([s_, e_])
                brk_y.append(y[i])
                brk_s.append(s_n)
                brk_e.append(e_n)
    _bars(ax, np.asarray(brk_y), np.asarray(brk_s), np.asarray(brk_e), label="break",
          facecolors=_RED, edgecolors="none")  # fmt: skip
    ax.set_xlim(float(start.min()) - 0.012, float(end.max()) + 0.006)

    for role, marker, label in (("lead", "D", "lead"), ("manager", "*", "manager")):
        sel = (r["role"] == role).to_numpy()
        if sel.any():
            ax.plot(
                start[sel] - 0.004, y[sel], ls="none", marker=marker, color="black",
                markersize=6 if marker == "D" else 10, label=label,
            )  # fmt: skip

    # Names as plain text rather than one tick per person (ticks cost five artists each).
    ax.set_yticks([])
    names = ax.get_yaxis_transform()
    size = 7 if n > 30 else 8
    for yi, person, role in zip(y, r["person"].astype(str), r["role"], strict=True):
        ax.text(
            -0.004, yi, person, transform=names, ha="right", va="center", fontsize=size,
            fontweight="bold" if role in ("lead", "manager") else "normal",
        )  # fmt: skip
    ax.set_ylim(n - 0.4, -0.6)
    # Team separators and labels on the right edge.
    bounds = np.flatnonzero(r["_team_key"].to_numpy()[1:] != r["_team_key"].to_numpy()[:-1]) + 1
    for b in bounds:
        ax.axhline(b - 0.5, color="black", lw=0.6, alpha=0.6)
    first = np.concatenate([[0], bounds])
    last = np.concatenate([bounds, [n]])
    for f_i, l_i in zip(first, last, strict=True):
        t = r["_team_key"].iloc[f_i]
        label = "manager" if t == "" else f"team {t}"
        ax.annotate(
            label,
            (1.0, (f_i + l_i - 1) / 2),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    from matplotlib import dates as mdates

    ax.xaxis.set_major_locator(mdates.HourLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    ax.tick_params(axis="x", labelsize=8, labelrotation=0)
    for lab in ax.get_xticklabels():
        lab.set_horizontalalignment("center")
    ax.grid(True, axis="x", alpha=0.3)
    ax.xaxis.set_ticks_position("both")
    ax.tick_params(axis="x", labeltop=True)
    extra = f" (day 1 of {len(days)})" if day is None and len(days) > 1 else ""
    heading = (
        f"Roster {chosen:%a %Y-%m-%d}{extra}: {n} shifts, {len([t for t in teams if t])} teams"
    )
    if own:
        height_in = fig.get_figheight()
        fig.legend(
            *ax.get_legend_handles_labels(), loc="lower center", ncols=5, fontsize=8,
            frameon=False, bbox_to_anchor=(0.5, 0.02 / height_in),
        )  # fmt: skip
        fig.suptitle(heading, fontsize=11, y=1 - 0.12 / height_in, va="top")
    else:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.05), ncols=5, fontsize=8,
                  frameon=False)  # fmt: skip
        ax.set_title(heading, fontsize=10, pad=18)
    return fig
