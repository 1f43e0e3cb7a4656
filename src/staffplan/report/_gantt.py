"""The roster as a Gantt chart: shifts by team, lunch and breaks inside them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._io import break_pairs
from staffplan._validation import check_columns
from staffplan.intervals import wall_time
from staffplan.report._figure import _RED, _figure, _hour_step, _num, _on

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure

__all__ = ["plot_gantt"]

_ROLE_ORDER = {"manager": 0, "lead": 1, "agent": 2}


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


def _gantt_frame(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with wall-clock times, a role rank and a team key ("" for the manager)."""
    check_columns(roster, ["person", "role", "team", "start", "end"], "roster")
    r = roster.copy()
    for col in ("start", "end", "lunch_start", "lunch_end"):
        if col in r.columns:
            r[col] = wall_time(r[col])
    r["_role"] = r["role"].map(_ROLE_ORDER).fillna(3)
    # The manager stands above the teams: put that row first whatever its team.
    r["_team_key"] = np.where(r["role"] == "manager", "", r["team"].astype(str))
    return r


def _one_day(r: pd.DataFrame, days: list[Any], day: Any) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The shifts of :func:`_gantt_frame` starting on ``day`` (default: the first), sorted."""
    chosen = pd.Timestamp(days[0]) if day is None else pd.Timestamp(day).normalize()
    r = r[r["start"].dt.normalize() == chosen]
    if r.empty:
        raise ValueError(
            f"day must be a day of the roster ({pd.Timestamp(days[0]).date()} .. "
            f"{pd.Timestamp(days[-1]).date()}), got {chosen.date()}"
        )
    r = r.sort_values(["_team_key", "_role", "start", "person"], kind="stable")
    return r.reset_index(drop=True), chosen


def _day_rows(roster: pd.DataFrame, day: Any) -> tuple[pd.DataFrame, pd.Timestamp, list[Any]]:
    """The shifts starting on ``day`` (default: the first), manager first, then by team.

    Returns the rows (wall-clock times, ``_team_key`` column: "" for the manager),
    the day and every day of the roster.
    """
    r = _gantt_frame(roster)
    days = sorted(r["start"].dt.normalize().unique())
    if not days:
        raise ValueError("roster must have at least one row, got an empty frame")
    rows, chosen = _one_day(r, days, day)
    return rows, chosen, days


def _team_colors(teams: list[str]) -> dict[str, str]:
    return {
        t: ("#bdbdbd" if t == "" else _TEAM_COLORS[i % len(_TEAM_COLORS)])
        for i, t in enumerate(teams)
    }


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
    r, chosen, days = _day_rows(roster, day)
    teams = list(dict.fromkeys(r["_team_key"]))
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
    team_color = _team_colors(teams)
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
            for s_, e_ in break_pairs(value, name="roster breaks"):
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

    lo, hi = ax.get_xlim()
    # A round-the-clock day with a label every hour runs the labels together.
    step = _hour_step((hi - lo) * 24, 14)
    ax.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, step)))
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


_GANTT_CSS = """
.gantt{font-size:11px;margin:.4em 0 1em}
.g-row{display:flex;align-items:center;height:13px}
.g-name{width:5.5em;flex:none;text-align:right;padding-right:.5em;white-space:nowrap}
.g-boss .g-name{font-weight:700}
.g-track{position:relative;flex:1;height:10px}
.g-grid{background:linear-gradient(to right,#e4e4e4 1px,transparent 1px) 0 0/var(--hour) 100%}
.g-track i{position:absolute;top:0;bottom:0}
.g-boss .g-shift{box-shadow:inset 0 0 0 1px #000}
.g-lunch{background:#5b5b5b}.g-break{background:#d62728}
.g-team{margin:3px 0 1px 6em;font-size:10px;color:#555;border-top:1px solid #bbb}
.g-axis{position:relative;height:14px;margin-left:6em;color:#555;font-size:10px}
.g-axis span{position:absolute;transform:translateX(-50%)}
.g-key{font-size:10px;color:#555}.g-key i{display:inline-block;width:1.4em;height:.8em;
margin:0 .3em 0 1em;vertical-align:middle}
"""


_HOUR = pd.Timedelta(hours=1)
_NS_PER_H = 3_600_000_000_000
_NS_PER_MIN = 60_000_000_000


def _clock(ns: int) -> str:
    """``HH:MM`` of a naive timestamp given in nanoseconds since the epoch."""
    minute = (ns // _NS_PER_MIN) % 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _ns(values: pd.Series) -> np.ndarray:
    """Naive timestamps as int64 nanoseconds (NaT stays the NaT sentinel)."""
    return pd.DatetimeIndex(values).as_unit("ns").asi8


def gantt_html(roster: pd.DataFrame) -> str:
    """The roster as HTML: one Gantt chart per day, each folded under its day, the first open.

    Drawn with boxes and CSS instead of an image, so that a week of rosters stays
    light and quick to write and each bar tells its times on hover.  Rows, order
    and colours are those of :func:`plot_gantt`.
    """
    import html

    whole = _gantt_frame(roster)
    days = sorted(whole["start"].dt.normalize().unique())
    out = [f"<style>{_GANTT_CSS}</style>"]
    out.append(
        '<p class="g-key"><i class="g-lunch"></i>lunch<i class="g-break"></i>break'
        '<i style="box-shadow:inset 0 0 0 1px #000;background:#ddd"></i>lead or manager'
        " (bold name)</p>"
    )
    has_lunch = "lunch_start" in whole.columns and "lunch_end" in whole.columns
    for k, day in enumerate(days):
        r, chosen = _one_day(whole, days, day)
        teams = list(dict.fromkeys(r["_team_key"]))
        colors = _team_colors(teams)
        hour = _HOUR
        lo = chosen + np.floor((r["start"].min() - chosen) / hour) * hour
        hi = chosen + np.ceil((r["end"].max() - chosen) / hour) * hour
        span_h = max(1.0, (hi - lo) / hour)
        lo_ns = pd.Timestamp(lo).as_unit("ns").value

        def place(start: int, end: int, lo_ns: int = lo_ns, span_h: float = span_h) -> str:
            """CSS left and width [% of the day's window] of a bar from start to end [ns]."""
            left = 100.0 * ((start - lo_ns) / _NS_PER_H) / span_h
            width = 100.0 * ((end - start) / _NS_PER_H) / span_h
            return f"left:{left:.3f}%;width:{width:.3f}%"

        step = 1 if span_h <= 14 else 2
        ticks = "".join(
            f'<span style="left:{100.0 * h / span_h:.3f}%">{_clock(lo_ns + h * _NS_PER_H)}</span>'
            for h in range(0, int(span_h) + 1, step)
        )
        rows = [f'<div class="g-axis">{ticks}</div>']
        starts = _ns(r["start"]).tolist()
        ends = _ns(r["end"]).tolist()
        if has_lunch:
            ok = (r["lunch_start"].notna() & r["lunch_end"].notna()).tolist()
            lunch_s, lunch_e = _ns(r["lunch_start"]).tolist(), _ns(r["lunch_end"]).tolist()
        else:
            ok = [False] * len(r)
            lunch_s = lunch_e = [0] * len(r)
        breaks = r["breaks"].tolist() if "breaks" in r.columns else [None] * len(r)
        previous = None
        for i, (team, person, role) in enumerate(
            zip(r["_team_key"].tolist(), r["person"].tolist(), r["role"].tolist(), strict=True)
        ):
            if team != previous:
                label = "manager" if team == "" else f"team {team}"
                rows.append(f'<div class="g-team">{html.escape(label)}</div>')
                previous = team
            s_ns, e_ns = starts[i], ends[i]
            bars = [
                f'<i class="g-shift" style="{place(s_ns, e_ns)};background:{colors[team]}"></i>'
            ]
            what = [f"{_clock(s_ns)}-{_clock(e_ns)}"]
            if ok[i]:
                bars.append(f'<i class="g-lunch" style="{place(lunch_s[i], lunch_e[i])}"></i>')
                what.append(f"lunch {_clock(lunch_s[i])}-{_clock(lunch_e[i])}")
            # break_pairs gives naive wall-clock pairs: their nanoseconds place them.
            pairs = [(a.value, b.value) for a, b in break_pairs(breaks[i], name="roster breaks")]
            for bs, be in pairs:
                bars.append(f'<i class="g-break" style="{place(bs, be)}"></i>')
            if pairs:
                what.append("breaks " + ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in pairs))
            boss = " g-boss" if role in ("lead", "manager") else ""
            tip = html.escape(f"{person} ({role}): " + "; ".join(what), quote=True)
            rows.append(
                f'<div class="g-row{boss}" title="{tip}"><span class="g-name">'
                f'{html.escape(str(person))}</span><div class="g-track g-grid" '
                f'style="--hour:{100.0 / span_h:.4f}%">{"".join(bars)}</div></div>'
            )
        n_teams = len([t for t in teams if t])
        summary = f"{chosen:%a %Y-%m-%d}: {len(r):,} shifts, {n_teams} teams"
        out.append(
            f"<details{' open' if k == 0 else ''}><summary>{summary}</summary>"
            f'<div class="gantt">{"".join(rows)}</div></details>'
        )
    return "\n".join(out)
