"""Predicted service per interval: formula, simulation, target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from staffplan._validation import check_columns, check_fraction
from staffplan.report._figure import (
    _BLUE,
    _GREEN,
    _GREY,
    _ORANGE,
    _RED,
    _figure,
    _legend,
    _num,
    _sorted_by_ds,
    _step_of,
    _steps,
    _time_axis,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["plot_service"]


def plot_service(verdict: pd.DataFrame, *, target: float | None = None) -> Figure:
    """Predicted service level per interval, with the target line.

    Parameters
    ----------
    verdict : DataFrame
        ``ds`` (interval start), ``service_level`` (predicted share answered within
        the target time) [fraction]; optional ``sim_service_level`` with
        ``sim_service_level_lo`` / ``_hi`` (simulated, with a 95 % interval),
        ``asa_s`` (average speed of answer) [s] and ``p_abandon`` [fraction], which
        add a lower panel.
    target : float, optional
        Service-level target [fraction], drawn as a dashed line; intervals below
        it are marked.

    Returns
    -------
    matplotlib.figure.Figure
        Lines labelled ``"predicted (Erlang)"``, ``"simulated"`` (when present),
        ``"target 80%"`` (when ``target`` is given) and ``"below target"`` markers.
    """
    check_columns(verdict, ["ds", "service_level"], "verdict")
    if target is not None:
        target = float(check_fraction(target, "target", low_open=False, high_open=False))
    v = _sorted_by_ds(verdict, "verdict")
    ds = pd.DatetimeIndex(v["ds"])
    step = _step_of(ds)
    # Under Erlang C nobody abandons: an all-zero abandonment axis says nothing.
    has_abandon = "p_abandon" in v.columns and bool(
        np.nan_to_num(v["p_abandon"].to_numpy(dtype=float)).any()
    )
    lower = [c for c in ("asa_s",) if c in v.columns] + (["p_abandon"] if has_abandon else [])
    fig, axes = _figure(
        11,
        5.2 if lower else 3.6,
        nrows=2 if lower else 1,
        sharex=True,
        gridspec_kw={"height_ratios": [3, 1.4]} if lower else None,
    )
    ax = axes[0, 0]
    sl = v["service_level"].to_numpy(dtype=float)
    x, sl_s = _steps(ds, step, sl)
    ax.plot(x, sl_s * 100, drawstyle="steps-post", color=_BLUE, lw=1.3, label="predicted (Erlang)")
    mid = _num(ds) + (step / pd.Timedelta(days=1)) / 2
    if "sim_service_level" in v.columns:
        sim = v["sim_service_level"].to_numpy(dtype=float) * 100
        if {"sim_service_level_lo", "sim_service_level_hi"} <= set(v.columns):
            lo = v["sim_service_level_lo"].to_numpy(dtype=float) * 100
            hi = v["sim_service_level_hi"].to_numpy(dtype=float) * 100
            ax.errorbar(
                mid, sim, yerr=[sim - lo, hi - sim], fmt="o", ms=2.5, color=_ORANGE,
                ecolor=_ORANGE, elinewidth=0.8, alpha=0.85, label="simulated (95% CI)",
            )  # fmt: skip
        else:
            ax.plot(mid, sim, "o", ms=2.5, color=_ORANGE, label="simulated")
    if target is not None:
        ax.axhline(target * 100, color=_RED, ls="--", lw=1.0, label=f"target {target:.0%}")
        below = sl < target - 1e-12
        ax.plot(mid[below], sl[below] * 100, "v", ms=4, color=_RED, ls="none", label="below target")
        ax.set_title(
            f"{int(below.sum())} of {len(sl)} intervals below target", loc="left", fontsize=9
        )
    ax.set_ylim(0, 104)
    ax.set_ylabel("service level [%]")
    _legend(ax)
    _time_axis(ax)
    if lower:
        ax2 = axes[1, 0]
        handles = []
        if "asa_s" in v.columns:
            x, asa = _steps(ds, step, v["asa_s"].to_numpy(dtype=float))
            handles += ax2.plot(
                x, asa, drawstyle="steps-post", color=_GREY, lw=1.1, label="ASA [s]"
            )
            ax2.set_ylabel("ASA [s]")
            ax2.set_ylim(bottom=0)
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
    fig.suptitle("Predicted service per interval", fontsize=11)
    return fig
