"""The service target a plan staffs to, and the requirement per interval."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffplan import defaults
from staffplan._validation import check_fraction, check_positive

__all__ = ["ServiceTarget", "pool_queues", "requirements_frame", "with_agents"]


@dataclass(frozen=True)
class ServiceTarget:
    """What "good service" means for a plan.

    Parameters
    ----------
    service_level : float
        Share of contacts to answer within ``target_answer_s`` [fraction, 0-1].
    target_answer_s : float
        Answer-time threshold of the service level [s].
    max_asa_s : float, optional
        Upper limit on the average speed of answer [s].
    patience_s : float, optional
        Mean caller patience [s]. When given, requirements and the verdict use
        Erlang A (callers abandon); otherwise Erlang C (nobody abandons).
    max_abandon : float, optional
        Upper limit on the share of callers who abandon [fraction]; needs
        ``patience_s``.
    max_occupancy : float, optional
        Upper limit on agent occupancy [fraction].
    shrinkage : float
        Share of on-floor time not available for contacts [fraction, 0-1):
        meetings, coaching, training, absence. Lunches and breaks are *not*
        part of it: the roster places them explicitly and the coverage's
        ``on_floor`` already excludes them.

    Notes
    -----
    The convention is: agents needed on the phones ``n`` (Erlang) become a
    scheduled requirement ``n / (1 - shrinkage)`` of agents on the floor, which
    the roster covers; the verdict turns the roster's on-floor count back into
    ``on_floor * (1 - shrinkage)`` agents on the phones.
    """

    service_level: float = defaults.SERVICE_LEVEL
    target_answer_s: float = defaults.TARGET_ANSWER_S
    max_asa_s: float | None = None
    patience_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = defaults.MAX_OCCUPANCY
    shrinkage: float = defaults.SHRINKAGE

    def __post_init__(self) -> None:
        check_fraction(self.service_level, "service_level")
        check_positive(self.target_answer_s, "target_answer_s", allow_zero=True)
        if self.max_asa_s is not None:
            check_positive(self.max_asa_s, "max_asa_s")
        if self.patience_s is not None:
            check_positive(self.patience_s, "patience_s")
        if self.max_abandon is not None:
            check_fraction(self.max_abandon, "max_abandon")
            if self.patience_s is None:
                raise ValueError(
                    "max_abandon needs patience_s (abandonment is modelled with Erlang A), "
                    "got patience_s=None"
                )
        if self.max_occupancy is not None:
            check_fraction(self.max_occupancy, "max_occupancy", high_open=False)
        check_fraction(self.shrinkage, "shrinkage", low_open=False)

    @property
    def model(self) -> str:
        """``"Erlang A"`` when callers abandon (``patience_s`` given), else ``"Erlang C"``."""
        from staffplan.plan._verdict import erlang_model

        return erlang_model(self.patience_s)

    def replace(self, **changes: Any) -> ServiceTarget:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the fields (JSON-ready)."""
        return dataclasses.asdict(self)

    def required_on_phones(
        self, volume: Any, aht_s: Any, *, interval_min: int, integer: bool
    ) -> np.ndarray:
        """Agents needed on the phones per interval (no shrinkage).

        Parameters
        ----------
        volume : array_like
            Contacts offered per interval [contacts].
        aht_s : array_like
            Average handle time [s].
        interval_min : int
            Interval length [min].
        integer : bool
            Smallest whole number of agents (True) or the fractional requirement.

        Returns
        -------
        numpy.ndarray
            Agents [agents]; 0 where no contact is offered.
        """
        from staffplan import erlang

        vol = np.asarray(volume, dtype=np.float64)
        aht = np.asarray(aht_s, dtype=np.float64)
        out = np.asarray(
            erlang.required_agents(
                vol,
                aht,
                interval_min=interval_min,
                service_level=self.service_level,
                target_answer_s=self.target_answer_s,
                max_asa_s=self.max_asa_s,
                patience_s=self.patience_s,
                max_abandon=self.max_abandon,
                max_occupancy=self.max_occupancy,
                shrinkage=0.0,
                integer=integer,
            ),
            dtype=np.float64,
        )
        # An interval without contacts needs nobody on the phones, whatever the core
        # returns for zero traffic.
        return np.where(vol > 0, out, 0.0)


def requirements_frame(
    ds: Any,
    volume: Any,
    aht_s: Any,
    *,
    service: ServiceTarget,
    interval_min: int,
) -> pd.DataFrame:
    """The requirement per interval for a load and a service target.

    Returns
    -------
    pandas.DataFrame
        Columns ``ds``, ``volume`` [contacts], ``aht_s`` [s], ``traffic_erl``
        [Erlang], ``agents`` (whole agents needed on the phones),
        ``agents_frac`` (fractional agents on the phones), ``scheduled``
        (fractional agents on the floor: ``agents_frac / (1 - shrinkage)``) and
        ``scheduled_int`` (the whole number the roster is asked to cover,
        :func:`staffplan.erlang.scheduled_agents`).
    """
    from staffplan.erlang import scheduled_agents

    vol = np.asarray(volume, dtype=np.float64)
    aht = np.asarray(aht_s, dtype=np.float64)
    frac = service.required_on_phones(vol, aht, interval_min=interval_min, integer=False)
    unstaffed = np.isnan(frac)
    if unstaffed.any():
        # A NaN would become a garbage whole count below: name the interval instead.
        i = int(np.flatnonzero(unstaffed)[0])
        raise ValueError(
            f"no agent count can be given for the interval {pd.DatetimeIndex(ds)[i]} "
            f"(volume {vol[i]:g}, aht_s {aht[i]:g}, {vol[i] * aht[i] / (60.0 * interval_min):g} "
            "Erlangs): a value is missing or beyond what can be staffed; check the volume "
            "and AHT and their units"
        )
    whole = service.required_on_phones(vol, aht, interval_min=interval_min, integer=True)
    scheduled = scheduled_agents(frac, service.shrinkage, integer=False)
    # Rounding happens once, at the last step, by the one rule the roster uses too.
    scheduled_int = scheduled_agents(frac, service.shrinkage)
    return pd.DataFrame(
        {
            "ds": pd.DatetimeIndex(ds),
            "volume": vol,
            "aht_s": aht,
            "traffic_erl": vol * aht / (60.0 * interval_min),
            "agents": whole,
            "agents_frac": frac,
            "scheduled": scheduled,
            "scheduled_int": np.maximum(scheduled_int, 0.0).astype(np.int64),
        }
    )


def with_agents(requirements: pd.DataFrame, agents_frac: Any, shrinkage: float) -> pd.DataFrame:
    """A copy of a requirements frame staffed with other fractional agents on the phones.

    ``agents`` (whole), ``agents_frac``, ``scheduled`` and ``scheduled_int``
    follow from ``agents_frac`` by the one rounding rule
    (:func:`staffplan.erlang.scheduled_agents`); the other columns are kept.
    """
    from staffplan import defaults
    from staffplan.erlang import scheduled_agents

    frac = np.asarray(agents_frac, dtype=np.float64)
    out = requirements.copy()
    out["agents"] = np.ceil(frac - defaults.ROUND_TOL)
    out["agents_frac"] = frac
    out["scheduled"] = scheduled_agents(frac, shrinkage, integer=False)
    out["scheduled_int"] = np.maximum(scheduled_agents(frac, shrinkage), 0.0).astype(np.int64)
    return out


def _refuse_missing_aht(fc: pd.DataFrame) -> None:
    """A queue with contacts but no usable AHT would add zero work to the pool: refuse it."""
    aht = fc["aht_s"].to_numpy(dtype=np.float64)
    no_aht = (fc["volume"].to_numpy(dtype=np.float64) > 0) & ~(np.isfinite(aht) & (aht > 0))
    if not no_aht.any():
        return
    lacking = fc.loc[no_aht, "queue"] if "queue" in fc else pd.Series(["all"])
    names = ", ".join(map(repr, sorted(map(str, lacking.unique()))))
    raise ValueError(
        f"queue(s) {names} have contacts but no usable AHT in {int(no_aht.sum())} "
        f"interval(s) (first {fc.loc[no_aht, 'ds'].iloc[0]}): their work would count as zero. "
        "Give the history an aht_s > 0 for them, plan them apart with queue=, or pass aht_s= "
        "(average handle time [s]) for every queue"
    )


def pool_queues(forecast: pd.DataFrame, aht_s: float | None = None) -> pd.DataFrame:
    """Combine queues into one demand per interval (pooled traffic).

    Volumes add; AHT is the volume-weighted mean so that traffic adds too.
    Quantile columns (``volume_q<q>``, and any other ``volume_*``) add as well: the sum of per-queue
    quantiles is the quantile of the total when queues move together (an upper
    bound otherwise, so staffing to it errs on the safe side).  Both
    :func:`staffplan.plan` and ``staffplan staff`` pool this way.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``ds``, ``volume`` [contacts], optional ``queue``, ``aht_s`` [s] and
        quantile columns.
    aht_s : float, optional
        One AHT [s] for every interval, replacing any ``aht_s`` column.

    Returns
    -------
    pandas.DataFrame
        One row per ``ds``, sorted: ``ds``, the volume columns and ``aht_s``.

    Raises
    ------
    ValueError
        When there is no ``aht_s`` column and no ``aht_s`` given, or a queue has
        contacts but no usable AHT (its work would silently count as zero).
    """
    fc = forecast.copy()
    if aht_s is not None:
        fc["aht_s"] = float(aht_s)
    elif "aht_s" not in fc:
        raise ValueError("the data has no 'aht_s' column: pass aht_s= (average handle time [s])")
    _refuse_missing_aht(fc)
    vol_cols = [c for c in fc.columns if c == "volume" or str(c).startswith("volume_")]
    fc["_work"] = fc["volume"].clip(lower=0) * fc["aht_s"]
    grouped = fc.groupby("ds", sort=True)
    pooled = grouped[[*vol_cols, "_work"]].sum()
    mean_aht = grouped["aht_s"].mean()
    vol = pooled["volume"].clip(lower=0)
    aht = np.where(vol > 0, pooled["_work"] / vol.where(vol > 0, 1.0), mean_aht)
    # Closed or empty intervals may carry no AHT; any positive value does there.
    fallback = np.nanmean(aht) if np.isfinite(aht).any() else 1.0
    pooled["aht_s"] = np.where(np.isfinite(aht) & (aht > 0), aht, fallback)
    pooled = pooled.drop(columns="_work").reset_index()
    for c in vol_cols:
        pooled[c] = pooled[c].clip(lower=0)
    return pooled
