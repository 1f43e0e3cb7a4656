"""The service target a plan staffs to, and the requirement per interval."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from staffplan._validation import check_fraction, check_positive

__all__ = ["ServiceTarget", "requirements_frame"]


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

    service_level: float = 0.8
    target_answer_s: float = 20.0
    max_asa_s: float | None = None
    patience_s: float | None = None
    max_abandon: float | None = None
    max_occupancy: float | None = 0.9
    shrinkage: float = 0.3

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
        ``scheduled_int`` (the whole number the roster is asked to cover).
    """
    vol = np.asarray(volume, dtype=np.float64)
    aht = np.asarray(aht_s, dtype=np.float64)
    frac = service.required_on_phones(vol, aht, interval_min=interval_min, integer=False)
    whole = service.required_on_phones(vol, aht, interval_min=interval_min, integer=True)
    scheduled = frac / (1.0 - service.shrinkage)
    # Rounding happens once, at the last step (the roster needs whole agents);
    # the small tolerance keeps 7.0000000001 from becoming 8.
    scheduled_int = np.ceil(scheduled - 1e-9)
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
