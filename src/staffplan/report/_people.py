"""A roster of named people over weeks: one row per person, one bar per shift."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffplan._validation import check_columns
from staffplan.report._figure import _num, _on
from staffplan.report._gantt import _ROLE_ORDER, _bars, _team_colors

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_people"]


def plot_people(roster: pd.DataFrame, *, ax: Axes | None = None) -> Figure:
    """Each person's shifts over the horizon, grouped and coloured by their team.

    Parameters
    ----------
    roster : DataFrame
        One row per person-shift: ``person``, ``role``, ``start``, ``end`` and ``team``
        (the team of that day); with ``home_team`` (as :func:`staffplan.roster.solve_people`
        returns) people are grouped by it and a shift spent in another team that day (the
        own lead off) is drawn hatched.
    ax : matplotlib Axes, optional
        Draw on this axes and return its figure; by default a new figure sized to the
        number of people.

    Returns
    -------
    matplotlib.figure.Figure
        Bar collections labelled ``"shift"`` (one per team, coloured by it) and, when any,
        ``"with another lead"``; one row per person, leads in bold; weeks are marked.
    """
    check_columns(roster, ["person", "role", "team", "start", "end"], "roster")
    if roster.empty:
        raise ValueError("roster must have at least one row, got an empty frame")
    r = roster.copy()
    r["_home"] = r["home_team"].astype(str) if "home_team" in r else r["team"].astype(str)
    r.loc[r["role"] == "manager", "_home"] = ""
    r["_role"] = r["role"].map(_ROLE_ORDER).fillna(3)
    people = (
        r.sort_values(["_home", "_role", "person"], kind="stable")
        .drop_duplicates("person")[["person", "role", "_home"]]
        .reset_index(drop=True)
    )
    row_of = {p: i for i, p in enumerate(people["person"])}
    fig, ax = _on(ax, 11, max(3.0, 0.22 * len(people) + 1.5))
    colors = _team_colors(list(dict.fromkeys(people["_home"])))
    y = r["person"].map(row_of).to_numpy(dtype=float)
    start, end = _num(r["start"]), _num(r["end"])
    for team, color in colors.items():
        mine = (r["_home"] == team).to_numpy()
        if mine.any():
            _bars(ax, y[mine], start[mine], end[mine], label="shift", facecolor=color,
                  edgecolor="none")  # fmt: skip
    guest = ((r["team"].astype(str) != r["_home"]) & (r["role"] == "agent")).to_numpy()
    if guest.any():
        _bars(ax, y[guest], start[guest], end[guest], label="with another lead",
              facecolor="none", edgecolor="#444444", hatch="////", linewidth=0.4)  # fmt: skip
    ax.set_yticks(np.arange(len(people)))
    ax.set_yticklabels(people["person"], fontsize=7)
    for label, role in zip(ax.get_yticklabels(), people["role"], strict=True):
        if role != "agent":
            label.set_fontweight("bold")
    ax.set_ylim(len(people) - 0.5, -0.5)
    lo = pd.Timestamp(r["start"].min()).normalize()
    hi = pd.Timestamp(r["end"].max()).ceil("D")
    ax.set_xlim(_num(pd.Series([lo]))[0], _num(pd.Series([hi]))[0])
    weeks = pd.date_range(lo, hi, freq="7D")
    for w in _num(pd.Series(weeks)):
        ax.axvline(w, color="#888888", linewidth=0.6)
    ticks = pd.date_range(lo, hi, freq="D")
    ax.set_xticks(_num(pd.Series(ticks)))
    ax.set_xticklabels([f"{t:%a}\n{t:%d}" if t.weekday() == 0 else f"{t:%a}"[0] for t in ticks],
                       fontsize=6)  # fmt: skip
    bounds = np.flatnonzero(people["_home"].to_numpy()[1:] != people["_home"].to_numpy()[:-1])
    for b in bounds:
        ax.axhline(b + 0.5, color="#666666", linewidth=0.5)
    ax.set_title(
        f"{len(people)} people, {len(r)} shifts, {lo:%Y-%m-%d} .. "
        f"{hi - pd.Timedelta(days=1):%Y-%m-%d}",
        fontsize=9,
    )
    return fig
