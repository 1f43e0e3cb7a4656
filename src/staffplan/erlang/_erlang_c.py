"""Erlang B and C (M/M/n) formulas, ufunc-like, with the continuous extension in agents."""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffplan._validation import check_interval_min, check_nonnegative, check_positive
from staffplan.erlang._core import Numbers, Scalar, SeriesLike, broadcast_inputs, log_inv_erlang_b

__all__ = [
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
    "traffic",
]


@overload
def traffic(volume: Scalar, aht_s: Scalar, *, interval_min: int = 30) -> float: ...  # type: ignore[overload-overlap]
@overload
def traffic(volume: Numbers, aht_s: Numbers, *, interval_min: int = 30) -> np.ndarray: ...
@overload
def traffic(volume: SeriesLike, aht_s: ArrayLike, *, interval_min: int = 30) -> pd.Series: ...
@overload
def traffic(volume: ArrayLike, aht_s: SeriesLike, *, interval_min: int = 30) -> pd.Series: ...


def traffic(
    volume: ArrayLike | SeriesLike, aht_s: ArrayLike | SeriesLike, *, interval_min: int = 30
) -> Any:
    """Offered load in Erlangs: volume × AHT / interval length.

    Parameters
    ----------
    volume : numeric
        Contacts offered in the interval [contacts].
    aht_s : numeric
        Average handle time [s].
    interval_min : int, default 30
        Interval length [min].

    Returns
    -------
    numeric
        Offered traffic [Erlang]; Series in gives Series out.

    Examples
    --------
    >>> float(traffic(100, 180, interval_min=30))
    10.0
    """
    interval_min = check_interval_min(interval_min)
    (v, h), wrap = broadcast_inputs({"volume": volume, "aht_s": aht_s})
    check_nonnegative(v, "volume", allow_nan=True)
    check_positive(h, "aht_s", allow_nan=True)
    return wrap(v * h / (60.0 * interval_min))


def _agents_traffic(
    agents: ArrayLike | SeriesLike,
    traffic_erl: ArrayLike | SeriesLike,
    **extra: ArrayLike | SeriesLike,
) -> Any:
    named = {"agents": agents, "traffic_erl": traffic_erl, **extra}
    arrays, wrap = broadcast_inputs(named)
    # A missing element (NaN) comes out as NaN; only real mistakes raise.
    check_nonnegative(arrays[0], "agents", allow_nan=True)
    check_nonnegative(arrays[1], "traffic_erl", allow_nan=True)
    return arrays, wrap


def _inv_b(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """1 / B(n, a) for every element (a = 0 gives inf for n > 0, 1 for n = 0)."""
    out = np.empty(n.shape)
    pos = a > 0
    out[~pos] = np.where(n[~pos] > 0, np.inf, 1.0)
    with np.errstate(over="ignore"):  # 1/B beyond 1e308 means B underflows to 0
        out[pos] = np.exp(log_inv_erlang_b(n[pos], a[pos]))
    # 1/B >= 1 exactly (B(0, a) = 1); rounding must not push a probability above 1.
    return np.maximum(out, 1.0)


def _erlang_c_arrays(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """P(wait > 0) for broadcast arrays; 1 where traffic >= agents."""
    n, a = np.broadcast_arrays(n, a)
    out = np.ones(n.shape)
    stable = a < n
    ns, as_ = n[stable], a[stable]
    inv_b = _inv_b(ns, as_)
    rho = as_ / ns
    # C = 1 / (rho + (1 - rho) / B): both terms positive, no cancellation.
    with np.errstate(invalid="ignore"):
        out[stable] = np.where(np.isinf(inv_b), 0.0, 1.0 / (rho + (1.0 - rho) * inv_b))
    return out


@overload
def erlang_b(agents: Scalar, traffic_erl: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def erlang_b(agents: Numbers, traffic_erl: Numbers) -> np.ndarray: ...
@overload
def erlang_b(agents: SeriesLike, traffic_erl: ArrayLike) -> pd.Series: ...
@overload
def erlang_b(agents: ArrayLike, traffic_erl: SeriesLike) -> pd.Series: ...


def erlang_b(agents: ArrayLike | SeriesLike, traffic_erl: ArrayLike | SeriesLike) -> Any:
    """Erlang B blocking probability of an M/M/n/n loss system.

    Parameters
    ----------
    agents : numeric
        Servers [agents]; may be fractional (continuous extension).
    traffic_erl : numeric
        Offered traffic [Erlang].

    Returns
    -------
    numeric
        Probability that an arriving contact finds every agent busy [fraction].

    Notes
    -----
    For real ``n`` the continuous extension is used:
    ``1/B(n, a) = a^{-n} e^{a} Γ(n+1, a)``, evaluated as ``Q(n+1, a) / p(n; a)`` with
    ``Q`` the regularized upper incomplete gamma function and ``p`` the Poisson
    probability, both in log space; a continued fraction takes over deep in the
    overload tail.  Relative error is below 1e-9 from 0.01 to 100,000 Erlangs.

    Examples
    --------
    >>> round(float(erlang_b(2, 1.0)), 6)
    0.2
    """
    (n, a), wrap = _agents_traffic(agents, traffic_erl)
    return wrap(1.0 / _inv_b(*np.broadcast_arrays(n, a)))


@overload
def erlang_c(agents: Scalar, traffic_erl: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def erlang_c(agents: Numbers, traffic_erl: Numbers) -> np.ndarray: ...
@overload
def erlang_c(agents: SeriesLike, traffic_erl: ArrayLike) -> pd.Series: ...
@overload
def erlang_c(agents: ArrayLike, traffic_erl: SeriesLike) -> pd.Series: ...


def erlang_c(agents: ArrayLike | SeriesLike, traffic_erl: ArrayLike | SeriesLike) -> Any:
    """Erlang C: probability that a contact waits (M/M/n, infinite patience).

    Parameters
    ----------
    agents : numeric
        Agents on the phones [agents]; may be fractional.
    traffic_erl : numeric
        Offered traffic [Erlang].

    Returns
    -------
    numeric
        P(wait > 0) [fraction].  An unstable element (``traffic_erl >= agents``)
        gives 1: the queue grows without bound and every contact waits.

    Notes
    -----
    ``C = B / (1 − ρ (1 − B))`` with ``ρ = a / n`` and ``B`` the (continuous)
    Erlang B formula.

    Examples
    --------
    >>> round(float(erlang_c(14, 10.0)), 4)
    0.1741
    """
    (n, a), wrap = _agents_traffic(agents, traffic_erl)
    return wrap(_erlang_c_arrays(n, a))


def _service_level_arrays(
    n: np.ndarray, a: np.ndarray, aht: np.ndarray, t: np.ndarray
) -> np.ndarray:
    c = _erlang_c_arrays(n, a)
    with np.errstate(invalid="ignore", over="ignore"):
        sl = 1.0 - c * np.exp(-(n - a) * t / aht)
    return np.where(a < n, sl, 0.0)


@overload
def service_level(  # type: ignore[overload-overlap]
    agents: Scalar, traffic_erl: Scalar, aht_s: Scalar, target_answer_s: Scalar
) -> float: ...
@overload
def service_level(
    agents: Numbers, traffic_erl: Numbers, aht_s: Numbers, target_answer_s: Numbers
) -> np.ndarray: ...
@overload
def service_level(
    agents: SeriesLike, traffic_erl: ArrayLike, aht_s: ArrayLike, target_answer_s: ArrayLike
) -> pd.Series: ...
@overload
def service_level(
    agents: ArrayLike, traffic_erl: SeriesLike, aht_s: ArrayLike, target_answer_s: ArrayLike
) -> pd.Series: ...
@overload
def service_level(
    agents: ArrayLike, traffic_erl: ArrayLike, aht_s: SeriesLike, target_answer_s: ArrayLike
) -> pd.Series: ...
@overload
def service_level(
    agents: ArrayLike, traffic_erl: ArrayLike, aht_s: ArrayLike, target_answer_s: pd.Series
) -> pd.Series: ...


def service_level(
    agents: ArrayLike | SeriesLike,
    traffic_erl: ArrayLike | SeriesLike,
    aht_s: ArrayLike | SeriesLike,
    target_answer_s: ArrayLike | SeriesLike,
) -> Any:
    """Share of contacts answered within ``target_answer_s`` (M/M/n, Erlang C).

    Parameters
    ----------
    agents : numeric
        Agents on the phones [agents]; may be fractional.
    traffic_erl : numeric
        Offered traffic [Erlang].
    aht_s : numeric
        Average handle time [s].
    target_answer_s : numeric
        Answer-time target [s], e.g. 20 for an 80/20 service level.

    Returns
    -------
    numeric
        ``P(wait <= t) = 1 − C(n, a) exp(−(n − a) t / AHT)`` [fraction]; 0 where
        ``traffic_erl >= agents`` (unstable).

    Examples
    --------
    >>> round(float(service_level(14, 10.0, 180, 20)), 4)
    0.8884
    """
    (n, a, h, t), wrap = _agents_traffic(
        agents, traffic_erl, aht_s=aht_s, target_answer_s=target_answer_s
    )
    check_positive(h, "aht_s", allow_nan=True)
    check_nonnegative(t, "target_answer_s", allow_nan=True)
    return wrap(_service_level_arrays(n, a, h, t))


def _asa_arrays(n: np.ndarray, a: np.ndarray, aht: np.ndarray) -> np.ndarray:
    c = _erlang_c_arrays(n, a)
    # n <= a is replaced below; a huge AHT over a tiny gap overflows to an honest inf.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        asa_s = c * aht / (n - a)
    return np.where(a < n, asa_s, np.inf)


@overload
def asa(agents: Scalar, traffic_erl: Scalar, aht_s: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def asa(agents: Numbers, traffic_erl: Numbers, aht_s: Numbers) -> np.ndarray: ...
@overload
def asa(agents: SeriesLike, traffic_erl: ArrayLike, aht_s: ArrayLike) -> pd.Series: ...
@overload
def asa(agents: ArrayLike, traffic_erl: SeriesLike, aht_s: ArrayLike) -> pd.Series: ...
@overload
def asa(agents: ArrayLike, traffic_erl: ArrayLike, aht_s: SeriesLike) -> pd.Series: ...


def asa(
    agents: ArrayLike | SeriesLike,
    traffic_erl: ArrayLike | SeriesLike,
    aht_s: ArrayLike | SeriesLike,
) -> Any:
    """Average speed of answer over all contacts, waiting or not (M/M/n).

    Parameters
    ----------
    agents : numeric
        Agents on the phones [agents]; may be fractional.
    traffic_erl : numeric
        Offered traffic [Erlang].
    aht_s : numeric
        Average handle time [s].

    Returns
    -------
    numeric
        ``C(n, a) · AHT / (n − a)`` [s]; ``inf`` where ``traffic_erl >= agents``.

    Examples
    --------
    >>> round(float(asa(14, 10.0, 180)), 2)
    7.84
    """
    (n, a, h), wrap = _agents_traffic(agents, traffic_erl, aht_s=aht_s)
    check_positive(h, "aht_s", allow_nan=True)
    return wrap(_asa_arrays(n, a, h))


@overload
def occupancy(agents: Scalar, traffic_erl: Scalar) -> float: ...  # type: ignore[overload-overlap]
@overload
def occupancy(agents: Numbers, traffic_erl: Numbers) -> np.ndarray: ...
@overload
def occupancy(agents: SeriesLike, traffic_erl: ArrayLike) -> pd.Series: ...
@overload
def occupancy(agents: ArrayLike, traffic_erl: SeriesLike) -> pd.Series: ...


def occupancy(agents: ArrayLike | SeriesLike, traffic_erl: ArrayLike | SeriesLike) -> Any:
    """Share of agent time spent handling contacts.

    Parameters
    ----------
    agents : numeric
        Agents on the phones [agents].
    traffic_erl : numeric
        Offered traffic [Erlang].

    Returns
    -------
    numeric
        ``min(traffic / agents, 1)`` [fraction]: an overloaded group is fully
        busy.  NaN where ``agents == 0``.

    Examples
    --------
    >>> float(occupancy(20, 15.0))
    0.75
    """
    (n, a), wrap = _agents_traffic(agents, traffic_erl)
    # a / n overflows for a subnormal agent count; the cap at 1 is the answer there.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        occ = np.minimum(a / n, 1.0)
    return wrap(np.where(n > 0, occ, np.nan))
