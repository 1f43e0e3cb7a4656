"""Erlang A (M/M/n+M): Poisson arrivals, exponential service and exponential patience."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffplan._validation import check_nonnegative, check_positive
from staffplan.erlang._core import (
    Numbers,
    Scalar,
    SeriesLike,
    broadcast_inputs,
    log_a_ratio,
    log_inv_erlang_b,
)

__all__ = ["ErlangAResult", "erlang_a"]

#: The container of every field: float (all inputs scalar), ndarray or Series.
_R = TypeVar("_R")


@dataclass(frozen=True)
class ErlangAResult(Generic[_R]):
    """Steady-state measures of an M/M/n+M queue; each field has the broadcast shape.

    Attributes
    ----------
    p_wait : numeric
        Probability that an offered contact has to wait [fraction].
    p_abandon : numeric
        Share of offered contacts that hang up before an answer [fraction].
    service_level : numeric
        Contacts answered within the target time / offered contacts [fraction].
    asa_s : numeric
        Mean time in queue over all offered contacts, abandoners (until they hang up)
        and immediate answers included [s].
    occupancy : numeric
        Served load / agents [fraction].
    """

    p_wait: _R
    p_abandon: _R
    service_level: _R
    asa_s: _R
    occupancy: _R


#: Largest agent count, load or scaled load the Erlang A formulas evaluate.
MAX_SCALE = 1e300


def _erlang_a_arrays(
    n: np.ndarray, a: np.ndarray, aht: np.ndarray, patience: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Erlang A measures for broadcast 1-d arrays; see :func:`erlang_a` for the formulas."""
    size = n.size
    p_wait = np.zeros(size)
    p_ab = np.zeros(size)
    sl = np.ones(size)
    # No agents: every contact waits and eventually abandons.
    none = n <= 0
    # A load per agent below 1/MAX_SCALE (1e-223 Erlangs on 1e100 agents) is no load:
    # rho would underflow to zero and 1/rho overflow, so take the zero-load limit there.
    with np.errstate(under="ignore", divide="ignore", invalid="ignore"):
        idle = a / np.where(none, 1.0, n) < 1.0 / MAX_SCALE
    busy = (a > 0) & ~none & ~idle
    p_wait[none & (a > 0)] = 1.0
    p_ab[none & (a > 0)] = 1.0
    sl[none & (a > 0)] = 0.0
    nb, ab, hb, pb, tb = n[busy], a[busy], aht[busy], patience[busy], t[busy]
    ratio = hb / pb  # theta / mu
    x = nb / ratio
    y = ab / ratio
    rho = ab / nb
    log_inv_b = np.maximum(log_inv_erlang_b(nb, ab), 0.0)
    # A >= 1 exactly; rounding must not make log A negative.
    log_a = np.maximum(log_a_ratio(x, y), 0.0)
    # log(1/B - 1) without cancellation as 1/B -> 1.
    with np.errstate(divide="ignore"):
        log_inv_b_m1 = log_inv_b + np.log(-np.expm1(-log_inv_b))
        pw = 1.0 / (1.0 + np.exp(np.minimum(log_inv_b_m1 - log_a, 700.0)))
    inv_a = np.exp(-log_a)
    pab = pw * (rho - 1.0 + inv_a) / rho
    pab = np.clip(pab, 0.0, pw)
    s = tb / pb  # target time in units of mean patience
    z = y * np.exp(-s)
    log_az = np.maximum(log_a_ratio(x, z), 0.0)
    with np.errstate(divide="ignore"):
        log_az_m1 = log_az + np.log(-np.expm1(-log_az))
    phi = -x * s - y * np.expm1(-s)
    with np.errstate(over="ignore"):
        tail = np.exp(np.minimum(log_az_m1 + phi - log_a, 700.0))
    answered_late_free = pw / rho * (1.0 - inv_a - tail)
    p_wait[busy] = pw
    p_ab[busy] = pab
    sl[busy] = np.clip(1.0 - pw + answered_late_free, 0.0, 1.0)
    asa_s = p_ab * patience
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a * (1.0 - p_ab) / n, 1.0), np.nan)
    return p_wait, p_ab, sl, asa_s, occ


@overload
def erlang_a(  # type: ignore[overload-overlap]
    agents: Scalar,
    traffic_erl: Scalar,
    aht_s: Scalar,
    patience_s: Scalar,
    target_answer_s: Scalar,
) -> ErlangAResult[float]: ...
@overload
def erlang_a(
    agents: Numbers,
    traffic_erl: Numbers,
    aht_s: Numbers,
    patience_s: Numbers,
    target_answer_s: Numbers,
) -> ErlangAResult[np.ndarray]: ...
@overload
def erlang_a(
    agents: SeriesLike,
    traffic_erl: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    target_answer_s: ArrayLike,
) -> ErlangAResult[pd.Series]: ...
@overload
def erlang_a(
    agents: ArrayLike,
    traffic_erl: SeriesLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    target_answer_s: ArrayLike,
) -> ErlangAResult[pd.Series]: ...
@overload
def erlang_a(
    agents: ArrayLike,
    traffic_erl: ArrayLike,
    aht_s: SeriesLike,
    patience_s: ArrayLike,
    target_answer_s: ArrayLike,
) -> ErlangAResult[pd.Series]: ...
@overload
def erlang_a(
    agents: ArrayLike,
    traffic_erl: ArrayLike,
    aht_s: ArrayLike,
    patience_s: SeriesLike,
    target_answer_s: ArrayLike,
) -> ErlangAResult[pd.Series]: ...
@overload
def erlang_a(
    agents: ArrayLike,
    traffic_erl: ArrayLike,
    aht_s: ArrayLike,
    patience_s: ArrayLike,
    target_answer_s: SeriesLike,
) -> ErlangAResult[pd.Series]: ...


def erlang_a(
    agents: ArrayLike | SeriesLike,
    traffic_erl: ArrayLike | SeriesLike,
    aht_s: ArrayLike | SeriesLike,
    patience_s: ArrayLike | SeriesLike,
    target_answer_s: ArrayLike | SeriesLike,
) -> ErlangAResult[Any]:
    """Erlang A (M/M/n+M) waiting, abandonment and service level.

    Parameters
    ----------
    agents : numeric
        Agents on the phones [agents].  Whole numbers are the model; fractional
        values use the same formulas' analytic continuation.
    traffic_erl : numeric
        Offered traffic [Erlang].
    aht_s : numeric
        Average handle time [s].
    patience_s : numeric
        Mean (exponential) patience of a waiting contact [s].
    target_answer_s : numeric
        Answer-time target [s].

    Returns
    -------
    ErlangAResult
        Fields ``p_wait``, ``p_abandon``, ``service_level``, ``asa_s``,
        ``occupancy``, each of the broadcast shape (Series in gives Series out).
        Definitions, all over *offered* contacts: ``service_level`` = answered
        within ``target_answer_s`` / offered; ``asa_s`` = mean time in queue of
        every offered contact (abandoners included, until they hang up);
        ``p_abandon`` = abandoned / offered; ``occupancy`` = served load / agents.
        The model is stable for any load, so no element is undefined; with
        ``agents == 0`` everything abandons and ``occupancy`` is NaN.  Where
        ``max(agents, load, 1) · max(patience/AHT, AHT/patience)`` exceeds
        ``MAX_SCALE`` (1e300) the formulas leave float64: NaN in that element;
        agents or load below ``1 / MAX_SCALE`` count as zero.

    Notes
    -----
    With ``μ = 1/AHT``, ``θ = 1/patience``, ``x = nμ/θ``, ``y = λ/θ``, ``ρ = a/n``
    and ``A(x, y) = x e^{y} y^{−x} γ(x, y)`` (Mandelbaum & Zeltyn 2007;
    Garnett, Mandelbaum & Reiman 2002):

    - ``P(wait) = A B / (1 + (A − 1) B)`` with ``B`` the Erlang B formula;
    - ``P(abandon) = P(wait) (1 − 1/ρ + 1/(ρ A))``;
    - a waiting contact's virtual wait ``V`` satisfies ``e^{−θV} ~ Beta(x, j+1)``
      given ``j`` contacts ahead, which gives answered within ``t`` as
      ``1 − P(wait) + P(wait)/ρ · [1 − 1/A − (A(x, y e^{−θt}) − 1) e^{φ(θt)} / A]``,
      ``φ(s) = −xs + y(1 − e^{−s})``;
    - mean wait over all offered contacts = ``P(abandon) · patience`` (Little's law
      on the queue: abandonment rate θ E[Q] = λ P(abandon)).

    References
    ----------
    Mandelbaum, A. and Zeltyn, S. (2007). Service engineering in action: the
    Palm/Erlang-A queue, with applications to call centers.
    Garnett, O., Mandelbaum, A. and Reiman, M. (2002). Designing a call center
    with impatient customers. Manufacturing & Service Operations Management 4(3).

    Examples
    --------
    >>> r = erlang_a(14, 10.0, 180, 120, 20)
    >>> bool(r.service_level > 0.88)
    True
    """
    (n, a, h, p, t), wrap = broadcast_inputs(
        {
            "agents": agents,
            "traffic_erl": traffic_erl,
            "aht_s": aht_s,
            "patience_s": patience_s,
            "target_answer_s": target_answer_s,
        }
    )
    check_nonnegative(n, "agents", allow_nan=True)
    check_nonnegative(a, "traffic_erl", allow_nan=True)
    check_positive(h, "aht_s", allow_nan=True)
    check_positive(p, "patience_s", allow_nan=True)
    check_nonnegative(t, "target_answer_s", allow_nan=True)
    shape = n.shape
    flat = [np.ascontiguousarray(v, dtype=np.float64).ravel() for v in (n, a, h, p, t)]
    # Below 1/MAX_SCALE agents or Erlangs is zero (1/ρ would overflow): the limit there.
    flat[0] = np.where(flat[0] < 1.0 / MAX_SCALE, 0.0, flat[0])
    flat[1] = np.where(flat[1] < 1.0 / MAX_SCALE, 0.0, flat[1])
    nn, aa, hh, pp, _ = flat
    # x = n·patience/AHT, y = a·patience/AHT and θ = 1/patience overflow past ~1e308.
    with np.errstate(over="ignore", divide="ignore"):
        scale = np.maximum(np.maximum(pp / hh, hh / pp), 1.0)
        out_of_range = np.maximum(np.maximum(nn, aa), 1.0) * scale > MAX_SCALE
    if np.any(out_of_range):
        flat = [np.where(out_of_range, 1.0, v) for v in flat]
    fields: tuple[np.ndarray, ...] = _erlang_a_arrays(*flat)
    if np.any(out_of_range):
        fields = tuple(np.where(out_of_range, np.nan, f) for f in fields)
    return ErlangAResult(*(wrap(f.reshape(shape)) for f in fields))
