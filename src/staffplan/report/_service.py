"""Predicted service per interval: formula, simulation, target."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from staffplan._validation import check_columns, check_fraction
from staffplan.report._figure import (
    _BLUE,
    _GREEN,
    _GREY,
    _ORANGE,
    _RED,
    TIME_MARGINS,
    _legend,
    _num,
    _sorted_by_ds,
    _spans,
    _step_of,
    _steps,
    _time_axis,
    _with_lower_panel,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["plot_service"]

#: Top of the ASA axis at most [s]; longer (finite) waits run off the top.
_ASA_CAP_S = 600.0


def plot_service(
    verdict: pd.DataFrame, *, target: float | None = None, ax: Axes | None = None
) -> Figure:
    """Predicted service level per interval: formula, simulation and target.

    Parameters
    ----------
    verdict : DataFrame
        ``ds`` (interval start), ``service_level`` (predicted share answered within
        the target time) [fraction]; optional ``sim_service_level`` with
        ``sim_service_level_lo`` / ``_hi`` (simulated, with a 95 % interval) and
        ``sim_disagrees`` (formula and simulation apart beyond noise),
        ``at_risk`` (the simulation, which carries backlog over, has the
        interval below target beyond its noise: marked with a red cross),
        ``asa_s`` (average speed of answer) [s], ``sim_asa_s`` [s] and
        ``p_abandon`` [fraction], which add a lower panel.
    target : float, optional
        Service-level target [fraction], drawn as a dashed line; intervals below
        it are shaded red and marked.
    ax : matplotlib Axes, optional
        Draw the service-level panel on this axes (no ASA panel) and return its
        figure; by default a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled ``"predicted (Erlang)"``, ``"simulated (95% CI)"`` (when
        present), ``"target 80%"`` (when ``target`` is given) and ``"below target"``
        markers, and ``"at risk in simulation (n)"`` crosses when ``at_risk`` is
        set.  The service-level axis spans the values shown (not always
        0-100%); an interval whose ASA is unbounded (more traffic than agents) is
        marked ``"ASA unbounded"`` at the top of the ASA panel, which is scaled to
        the finite values up to ten minutes (longer waits run off its top).
    """
    check_columns(verdict, ["ds", "service_level"], "verdict")
    if target is not None:
        target = float(check_fraction(target, "target", low_open=False, high_open=False))
    v = _sorted_by_ds(verdict, "verdict")
    ds = pd.DatetimeIndex(v["ds"])
    step = _step_of(ds)
    step_days = step / pd.Timedelta(days=1)
    # Under Erlang C nobody abandons: an all-zero abandonment axis says nothing.
    has_abandon = "p_abandon" in v.columns and bool(
        np.nan_to_num(v["p_abandon"].to_numpy(dtype=float)).any()
    )
    lower = "asa_s" in v.columns or has_abandon
    # A twin abandonment axis needs the right margin for its labels.
    left, right, top, bottom = TIME_MARGINS
    margins = (left, 0.75 if has_abandon and "asa_s" in v.columns else right, top, bottom)
    fig, ax, ax_lower = _with_lower_panel(
        ax, lower, heights_in=(3.6, 5.6), ratios=(3, 1.5), margins=margins
    )
    sl = v["service_level"].to_numpy(dtype=float)
    x, sl_s = _steps(ds, step, sl)
    ax.plot(x, sl_s * 100, drawstyle="steps-post", color=_BLUE, lw=1.3, label="predicted (Erlang)")
    mid = _num(ds) + step_days / 2
    shown = [sl]
    if "sim_service_level" in v.columns:
        sim = v["sim_service_level"].to_numpy(dtype=float)
        if {"sim_service_level_lo", "sim_service_level_hi"} <= set(v.columns):
            lo = v["sim_service_level_lo"].to_numpy(dtype=float)
            hi = v["sim_service_level_hi"].to_numpy(dtype=float)
            ax.errorbar(
                mid, sim * 100, yerr=[(sim - lo) * 100, (hi - sim) * 100], fmt="o", ms=2.5,
                color=_ORANGE, ecolor=_ORANGE, elinewidth=0.8, alpha=0.85,
                label="simulated (95% CI)",
            )  # fmt: skip
            shown.append(lo)
        else:
            ax.plot(mid, sim * 100, "o", ms=2.5, color=_ORANGE, label="simulated")
            shown.append(sim)
        if "sim_disagrees" in v.columns:
            apart = v["sim_disagrees"].fillna(False).to_numpy(dtype=bool)
            if apart.any():
                ax.plot(
                    mid[apart], sim[apart] * 100, "o", ms=7, mfc="none", mec="black", mew=0.9,
                    ls="none", label=f"formula and simulation apart ({int(apart.sum())})",
                )  # fmt: skip
    risk = (
        v["at_risk"].fillna(False).to_numpy(dtype=bool)
        if "at_risk" in v.columns and "sim_service_level" in v.columns
        else np.zeros(len(v), dtype=bool)
    )
    if risk.any():
        ax.plot(
            mid[risk], v["sim_service_level"].to_numpy(dtype=float)[risk] * 100, "x", ms=7,
            mew=1.6, color=_RED, ls="none", label=f"at risk in simulation ({int(risk.sum())})",
        )  # fmt: skip
    title = f"{len(sl)} intervals"
    if target is not None:
        ax.axhline(target * 100, color=_RED, ls="--", lw=1.0, label=f"target {target:.0%}")
        below = sl < target - 1e-12
        # Shade each run of intervals under target so that a single one stays visible
        # on a week-long axis.
        for x0, x1 in _spans(ds, step, below):
            ax.axvspan(x0, x1, color=_RED, alpha=0.12, lw=0)
        ax.plot(mid[below], sl[below] * 100, "v", ms=4, color=_RED, ls="none", label="below target")
        title = f"{int(below.sum())} of {len(sl)} intervals below target"
    if "at_risk" in v.columns:
        title += f"; {int(risk.sum())} at risk in simulation"
        shown.append(np.array([target]))
    values = np.concatenate([np.ravel(a) for a in shown]) * 100
    values = values[np.isfinite(values)]
    floor = float(values.min()) if values.size else 0.0
    # A useful range: from a little under the lowest value shown, in steps of 10%.
    ax.set_ylim(max(0.0, np.floor(floor / 10.0) * 10.0 - 5.0) if floor > 15 else 0.0, 102)
    ax.set_title(title, loc="left", fontsize=9)
    ax.set_ylabel("service level [%]")
    _legend(ax, ncols=3)
    _time_axis(ax)
    if ax_lower is not None:
        _asa_panel(ax_lower, v, ds, step, has_abandon=has_abandon)
        fig.suptitle("Predicted service per interval", fontsize=11)
    return fig


def _asa_panel(
    ax2: Axes, v: pd.DataFrame, ds: pd.DatetimeIndex, step: pd.Timedelta, *, has_abandon: bool
) -> None:
    """ASA per interval on a scale of its finite values; unbounded intervals marked at the top."""
    handles: list[Any] = []
    step_days = step / pd.Timedelta(days=1)
    mid = _num(ds) + step_days / 2
    if "asa_s" in v.columns:
        asa = v["asa_s"].to_numpy(dtype=float)
        sim_asa = v["sim_asa_s"].to_numpy(dtype=float) if "sim_asa_s" in v.columns else None
        finite = [a[np.isfinite(a)] for a in (asa, sim_asa) if a is not None]
        finite_all = np.concatenate(finite) if finite else np.array([])
        # Past ten minutes the exact wait hardly matters and would squash the rest:
        # longer waits run off the top of the axis.
        top = min(float(finite_all.max()), _ASA_CAP_S) * 1.15 if finite_all.size else 1.0
        top = top if top > 0 else 1.0
        unbounded = np.isposinf(asa)
        x, asa_s = _steps(ds, step, np.where(unbounded, np.nan, asa))
        handles += ax2.plot(
            x, asa_s, drawstyle="steps-post", color=_GREY, lw=1.1, label="ASA, Erlang [s]"
        )
        if sim_asa is not None:
            handles += ax2.plot(
                mid, np.minimum(sim_asa, top), "o", ms=2.2, color=_ORANGE, ls="none",
                label="ASA, simulated [s]",
            )  # fmt: skip
        if unbounded.any():
            for x0, x1 in _spans(ds, step, unbounded):
                ax2.axvspan(x0, x1, color=_RED, alpha=0.15, lw=0)
            handles += ax2.plot(
                mid[unbounded], np.full(int(unbounded.sum()), top * 0.97), "^", ms=4,
                color=_RED, ls="none", label=f"ASA unbounded ({int(unbounded.sum())})",
            )  # fmt: skip
        ax2.set_ylabel("ASA [s]")
        ax2.set_ylim(0, top)
    if has_abandon:
        ax3 = ax2.twinx() if "asa_s" in v.columns else ax2
        x, pab = _steps(ds, step, v["p_abandon"].to_numpy(dtype=float) * 100)
        handles += ax3.plot(
            x, pab, drawstyle="steps-post", color=_GREEN, lw=1.1, ls="--", label="abandoned [%]"
        )
        ax3.set_ylabel("abandoned [%]")
        ax3.set_ylim(bottom=0)
    _legend(ax2, handles=handles)
    _time_axis(ax2)
