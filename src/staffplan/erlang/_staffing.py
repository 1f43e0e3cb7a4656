"""Vectorized staffing: the smallest agent count meeting every target in every interval."""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from staffplan._validation import (
    check_fraction,
    check_interval_min,
    check_nonnegative,
    check_positive,
)
from staffplan.defaults import ROUND_TOL
from staffplan.erlang._core import Numbers, Scalar, SeriesLike, broadcast_inputs
from staffplan.erlang._erlang_a import _erlang_a_arrays
from staffplan.erlang._erlang_c import _inv_b

__all__ = ["required_agents", "scheduled_agents"]

_INF = np.inf
_SQRT_HALF = np.sqrt(0.5)
_BLOCK = 1 << 16
_SQRT_2PI = np.sqrt(2.0 * np.pi)
# Agents beyond this multiple of the load (plus a margin) never help; an element still
# failing there is reported as NaN instead of searching forever.
_MAX_FACTOR = 1000.0
#: Largest load [Erlang] staffed.  Above it float64 no longer tells n from n + 1 agents
#: near the answer (2**53 ~ 9e15), so a count could not be exact: such elements are NaN.
MAX_LOAD_ERL = 1e15
_MAX_AGENTS = float(2**52)
# Unit steps by the Erlang B recursion before a search switches to doubling and bisection:
# the square-root guess is within a few agents for every ordinary target, while a
# far-off target (an ASA of microseconds) must not cost one step per agent.
_UNIT_STEPS = 64


def _c_measures(
    n: np.ndarray, a: np.ndarray, inv_b: np.ndarray, aht: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Erlang C service level and ASA from 1/B (n > a > 0 assumed)."""
    # Elements with n <= a are masked out by the caller; silence their divisions.
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        rho = a / n
        c = np.where(np.isinf(inv_b), 0.0, 1.0 / (rho + (1.0 - rho) * inv_b))
        gap = n - a
        sl = 1.0 - c * np.exp(-gap * t / aht)
        asa_s = c * aht / gap
    return sl, asa_s


def _c_meets(
    n: np.ndarray, a: np.ndarray, inv_b: np.ndarray, tg: dict[str, np.ndarray]
) -> np.ndarray:
    sl, asa_s = _c_measures(n, a, inv_b, tg["aht"], tg["t"])
    ok = (n > a) & (sl >= tg["sl"]) & (asa_s <= tg["asa"])
    return ok & (a <= tg["occ"] * n)


def _mills(beta: np.ndarray) -> np.ndarray:
    """Φ(β)/φ(β) for β >= 0 to about 1e-7 (Abramowitz & Stegun 7.1.26): a guess needs no more."""
    t = 1.0 / (1.0 + 0.3275911 * _SQRT_HALF * beta)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return _SQRT_2PI * (np.exp(0.5 * beta * beta) - 0.5 * poly)


def _hw_guess(a: np.ndarray, tg: dict[str, np.ndarray]) -> np.ndarray:
    """Square-root staffing guess a + β√a from the Halfin–Whitt approximation of Erlang C."""
    lo = np.zeros_like(a)
    width = 5.0
    sq = np.sqrt(a)
    sq_tau = sq * (tg["t"] / tg["aht"])
    fail_sl = 1.0 - tg["sl"]
    asa_scaled = tg["asa"] / tg["aht"] * sq
    check_asa = bool(np.isfinite(tg["asa"]).any())
    for _ in range(8):
        width *= 0.5
        beta = lo + width
        c = 1.0 / (1.0 + beta * _mills(beta))
        ok = c * np.exp(-beta * sq_tau) <= fail_sl
        if check_asa:
            ok &= c <= asa_scaled * beta
        # C ≈ 1 / (1 + β Φ(β) / φ(β)) (Halfin & Whitt 1981).
        lo = np.where(ok, lo, beta)
    return np.floor(a + lo * sq)


def _cap(a: np.ndarray) -> np.ndarray:
    return np.minimum(_MAX_FACTOR * a + 1000.0, _MAX_AGENTS)


def _bisect_c(
    a: np.ndarray, lo: np.ndarray, hi: np.ndarray, tg: dict[str, np.ndarray]
) -> np.ndarray:
    """Smallest whole n in (lo, hi] meeting the targets, given hi meets and lo does not."""
    hi = hi.copy()
    lo = lo.copy()
    idx = np.flatnonzero(hi - lo > 1.0)
    while idx.size:
        mid = np.floor(0.5 * (lo[idx] + hi[idx]))
        sub = {k: v[idx] for k, v in tg.items()}
        ok = _c_meets(mid, a[idx], _inv_b(mid, a[idx]), sub)
        hi[idx[ok]] = mid[ok]
        lo[idx[~ok]] = mid[~ok]
        idx = idx[hi[idx] - lo[idx] > 1.0]
    return hi


def _erlang_c_integer(a: np.ndarray, tg: dict[str, np.ndarray]) -> np.ndarray:
    """Smallest whole n meeting the Erlang C targets (0 < a <= MAX_LOAD_ERL everywhere)."""
    lb = np.maximum(np.floor(a) + 1.0, np.ceil(a / tg["occ"] * (1 - 1e-12)))
    n = np.maximum(lb, _hw_guess(a, tg))
    inv_b = _inv_b(n, a)
    meets = _c_meets(n, a, inv_b, tg)
    result = np.full_like(a, np.nan)

    # Elements already meeting the target at the guess: step down while n − 1 still meets.
    idx = np.flatnonzero(meets)
    nn, ii = n[idx], inv_b[idx]
    for _ in range(_UNIT_STEPS):
        if not idx.size:
            break
        can = nn - 1.0 >= lb[idx]
        n_down = nn - 1.0
        # Downward Erlang B recursion: 1/B(n−1) = (a/n)(1/B(n) − 1).
        with np.errstate(invalid="ignore"):
            i_down = a[idx] / nn * (ii - 1.0)
        sub = {k: v[idx] for k, v in tg.items()}
        ok_down = can & _c_meets(n_down, a[idx], i_down, sub)
        done = ~ok_down
        result[idx[done]] = nn[done]
        idx, nn, ii = idx[ok_down], n_down[ok_down], i_down[ok_down]
    if idx.size:  # still meeting far below the guess: the answer lies in [lb, nn]
        sub = {k: v[idx] for k, v in tg.items()}
        result[idx] = _bisect_c(a[idx], lb[idx] - 1.0, nn, sub)

    # Elements failing at the guess: step up with the stable forward recursion.
    idx = np.flatnonzero(~meets)
    nn, ii = n[idx], inv_b[idx]
    for _ in range(_UNIT_STEPS):
        if not idx.size:
            break
        nn = nn + 1.0
        ii = 1.0 + nn / a[idx] * ii
        sub = {k: v[idx] for k, v in tg.items()}
        ok = _c_meets(nn, a[idx], ii, sub)
        result[idx[ok]] = nn[ok]
        idx, nn, ii = idx[~ok], nn[~ok], ii[~ok]
    if idx.size:
        # Far from the guess: double the step until the target is met (or the cap is
        # reached: NaN), then bisect between the last failing and the first meeting count.
        cap = _cap(a[idx])
        lo, hi = nn.copy(), nn.copy()
        step = np.ones_like(nn)
        act = np.arange(idx.size)
        while act.size:
            lo[act] = hi[act]
            hi[act] = np.minimum(hi[act] + step[act], cap[act])
            step[act] *= 2.0
            sub = {k: v[idx[act]] for k, v in tg.items()}
            ok = _c_meets(hi[act], a[idx[act]], _inv_b(hi[act], a[idx[act]]), sub)
            stuck = ~ok & (hi[act] >= cap[act])
            hi[act[stuck]] = np.nan
            act = act[~ok & ~stuck]
        found = np.isfinite(hi)
        sub = {k: v[idx[found]] for k, v in tg.items()}
        result[idx[found]] = _bisect_c(a[idx[found]], lo[found], hi[found], sub)
    return result


def _a_meets(n: np.ndarray, a: np.ndarray, tg: dict[str, np.ndarray]) -> np.ndarray:
    _, p_ab, sl, asa_s, occ = _erlang_a_arrays(n, a, tg["aht"], tg["patience"], tg["t"])
    ok = (sl >= tg["sl"]) & (asa_s <= tg["asa"]) & (p_ab <= tg["ab"])
    return ok & (occ <= tg["occ"])


def _erlang_a_integer(a: np.ndarray, tg: dict[str, np.ndarray]) -> np.ndarray:
    """Smallest whole n meeting the Erlang A targets, by bisection from zero agents."""
    lo = np.zeros_like(a)  # n = 0 never meets a target when a > 0
    cap = _cap(a)
    hi = np.minimum(np.ceil(a + 3.0 * np.sqrt(a) + 5.0), cap)
    ok = _a_meets(hi, a, tg)
    idx = np.flatnonzero(~ok)
    while idx.size:
        lo[idx] = hi[idx]
        hi[idx] = np.minimum(2.0 * hi[idx] + 1.0, cap[idx])
        sub = {k: v[idx] for k, v in tg.items()}
        ok_i = _a_meets(hi[idx], a[idx], sub)
        stuck = ~ok_i & (hi[idx] >= cap[idx])
        hi[idx[stuck]] = np.nan
        idx = idx[~ok_i & ~stuck]
    idx = np.flatnonzero(hi - lo > 1.0)
    while idx.size:
        mid = np.floor(0.5 * (lo[idx] + hi[idx]))
        sub = {k: v[idx] for k, v in tg.items()}
        ok_i = _a_meets(mid, a[idx], sub)
        hi[idx[ok_i]] = mid[ok_i]
        lo[idx[~ok_i]] = mid[~ok_i]
        idx = idx[hi[idx] - lo[idx] > 1.0]
    return hi


def _fractional(
    n_int: np.ndarray, a: np.ndarray, tg: dict[str, np.ndarray], erlang_a: bool
) -> np.ndarray:
    """Exact fractional requirement in (n_int − 1, n_int] by bisection on the continuous model."""
    floor = np.maximum(a, a / tg["occ"]) if not erlang_a else np.zeros_like(a)
    lo = np.maximum(n_int - 1.0, floor)
    hi = n_int.copy()
    idx = np.flatnonzero(np.isfinite(hi) & (hi - lo > 1e-10))
    for _ in range(60):
        if not idx.size:
            break
        mid = 0.5 * (lo[idx] + hi[idx])
        sub = {k: v[idx] for k, v in tg.items()}
        if erlang_a:
            ok = _a_meets(mid, a[idx], sub)
        else:
            ok = _c_meets(mid, a[idx], _inv_b(mid, a[idx]), sub)
        hi[idx[ok]] = mid[ok]
        lo[idx[~ok]] = mid[~ok]
        idx = idx[hi[idx] - lo[idx] > 1e-10 * np.maximum(1.0, hi[idx])]
    return hi


@overload
def required_agents(  # type: ignore[overload-overlap]
    volume: Scalar,
    aht_s: Scalar,
    *,
    interval_min: int = ...,
    service_level: Scalar | None = ...,
    target_answer_s: Scalar = ...,
    max_asa_s: Scalar | None = ...,
    patience_s: Scalar | None = ...,
    max_abandon: Scalar | None = ...,
    max_occupancy: Scalar | None = ...,
    shrinkage: Scalar = ...,
    integer: bool = ...,
) -> float: ...
@overload
def required_agents(
    volume: Numbers,
    aht_s: Numbers,
    *,
    interval_min: int = ...,
    service_level: Numbers | None = ...,
    target_answer_s: Numbers = ...,
    max_asa_s: Numbers | None = ...,
    patience_s: Numbers | None = ...,
    max_abandon: Numbers | None = ...,
    max_occupancy: Numbers | None = ...,
    shrinkage: Numbers = ...,
    integer: bool = ...,
) -> np.ndarray: ...
@overload
def required_agents(
    volume: SeriesLike,
    aht_s: ArrayLike | SeriesLike,
    *,
    interval_min: int = ...,
    service_level: ArrayLike | SeriesLike | None = ...,
    target_answer_s: ArrayLike | SeriesLike = ...,
    max_asa_s: ArrayLike | SeriesLike | None = ...,
    patience_s: ArrayLike | SeriesLike | None = ...,
    max_abandon: ArrayLike | SeriesLike | None = ...,
    max_occupancy: ArrayLike | SeriesLike | None = ...,
    shrinkage: ArrayLike | SeriesLike = ...,
    integer: bool = ...,
) -> pd.Series: ...
@overload
def required_agents(
    volume: ArrayLike,
    aht_s: SeriesLike,
    *,
    interval_min: int = ...,
    service_level: ArrayLike | SeriesLike | None = ...,
    target_answer_s: ArrayLike | SeriesLike = ...,
    max_asa_s: ArrayLike | SeriesLike | None = ...,
    patience_s: ArrayLike | SeriesLike | None = ...,
    max_abandon: ArrayLike | SeriesLike | None = ...,
    max_occupancy: ArrayLike | SeriesLike | None = ...,
    shrinkage: ArrayLike | SeriesLike = ...,
    integer: bool = ...,
) -> pd.Series: ...


def required_agents(
    volume: ArrayLike | SeriesLike,
    aht_s: ArrayLike | SeriesLike,
    *,
    interval_min: int = 30,
    service_level: ArrayLike | SeriesLike | None = 0.8,
    target_answer_s: ArrayLike | SeriesLike = 20,
    max_asa_s: ArrayLike | SeriesLike | None = None,
    patience_s: ArrayLike | SeriesLike | None = None,
    max_abandon: ArrayLike | SeriesLike | None = None,
    max_occupancy: ArrayLike | SeriesLike | None = None,
    shrinkage: ArrayLike | SeriesLike = 0.0,
    integer: bool = True,
) -> Any:
    """Smallest number of agents meeting every given target, per interval.

    Parameters
    ----------
    volume : numeric
        Contacts offered per interval [contacts].
    aht_s : numeric
        Average handle time [s].
    interval_min : int, default 30
        Interval length [min].
    service_level : numeric or None, default 0.8
        Required share answered within ``target_answer_s`` [fraction in (0, 1)];
        None drops the service-level target.
    target_answer_s : numeric, default 20
        Answer-time target [s].
    max_asa_s : numeric or None
        Cap on the average speed of answer [s].
    patience_s : numeric or None
        Mean caller patience [s].  Given: the Erlang A (M/M/n+M) model, where
        ``service_level`` counts answered within the target over *offered*
        contacts, ASA is over all offered contacts, and the requirement may be
        below the load.  None: Erlang C (no abandonment).
    max_abandon : numeric or None
        Cap on the abandonment rate [fraction in (0, 1)]; needs ``patience_s``.
    max_occupancy : numeric or None
        Cap on occupancy [fraction in (0, 1]].
    shrinkage : numeric, default 0
        Share of paid time off the phones [fraction in [0, 1)]; the result is
        the scheduled count ``on_phone / (1 − shrinkage)``.
    integer : bool, default True
        True: whole agents (on the phones, and the scheduled count rounded up).
        False: the exact fractional level from the continuous extension of the
        formulas, for stages that round later.

    Returns
    -------
    numeric
        Agents [agents] of the broadcast shape; Series in gives Series out.
        Zero volume gives 0.  An element whose targets cannot be met by any
        count up to 1000 × the load is NaN; so is an element with a missing (NaN)
        input or target, and one whose load exceeds ``MAX_LOAD_ERL`` (1e15
        Erlangs, where float64 can no longer count single agents).

    Raises
    ------
    ValueError
        For a structural mistake (negative volume, non-positive AHT, a fraction
        outside its range, shapes that do not broadcast, no target at all,
        ``max_abandon`` without ``patience_s``), naming the parameter and value.

    Notes
    -----
    Erlang C: the search starts from the square-root staffing guess
    ``a + β√a`` (Halfin–Whitt), evaluates Erlang B exactly there through the
    incomplete gamma function, then steps every unfinished interval at once with
    the Erlang B recursion until the smallest meeting count is found.  Erlang A:
    bisection from zero agents on all intervals at once.  The loops run over
    iterations, masking finished intervals, never over intervals.

    Examples
    --------
    >>> float(required_agents(100, 180, interval_min=30, service_level=0.8, target_answer_s=20))
    14.0
    """
    interval_min = check_interval_min(interval_min)
    if not isinstance(integer, (bool, np.bool_)):
        raise TypeError(f"integer must be True or False, got {integer!r}")
    if (
        service_level is None
        and max_asa_s is None
        and max_abandon is None
        and max_occupancy is None
    ):
        raise ValueError(
            "at least one target is needed: service_level, max_asa_s, max_abandon or max_occupancy"
        )
    if max_abandon is not None and patience_s is None:
        raise ValueError("max_abandon needs patience_s (the Erlang A model), got patience_s=None")
    named: dict[str, Any] = {
        "volume": volume,
        "aht_s": aht_s,
        "service_level": 0.5 if service_level is None else service_level,
        "target_answer_s": target_answer_s,
        "max_asa_s": 1.0 if max_asa_s is None else max_asa_s,
        "patience_s": 1.0 if patience_s is None else patience_s,
        "max_abandon": 0.5 if max_abandon is None else max_abandon,
        "max_occupancy": 1.0 if max_occupancy is None else max_occupancy,
        "shrinkage": shrinkage,
    }
    arrays, wrap = broadcast_inputs(named)
    vol, aht, sl, t, asa_s, pat, ab, occ, shr = arrays
    check_nonnegative(vol, "volume", allow_nan=True)
    check_positive(aht, "aht_s", allow_nan=True)
    # A missing (NaN) target gives NaN in the intervals it applies to, not an error.
    if service_level is not None:
        check_fraction(sl, "service_level", allow_nan=True)
    check_nonnegative(t, "target_answer_s", allow_nan=True)
    if max_asa_s is not None:
        check_positive(asa_s, "max_asa_s", allow_nan=True)
    if patience_s is not None:
        check_positive(pat, "patience_s", allow_nan=True)
    if max_abandon is not None:
        check_fraction(ab, "max_abandon", allow_nan=True)
    if max_occupancy is not None:
        check_fraction(occ, "max_occupancy", high_open=False, allow_nan=True)
    check_fraction(shr, "shrinkage", low_open=False, allow_nan=True)

    shape = vol.shape
    flat = [np.ascontiguousarray(v, dtype=np.float64).ravel() for v in arrays]
    missing = np.logical_or.reduce([np.isnan(v) for v in flat])
    vol, aht, sl, t, asa_s, pat, ab, occ, shr = flat
    load = vol * aht / (60.0 * interval_min)
    out = np.zeros(load.size)
    out[load > MAX_LOAD_ERL] = np.nan
    idx = np.flatnonzero((load > 0) & (load <= MAX_LOAD_ERL) & ~missing)
    tg = {
        "aht": aht[idx],
        "t": t[idx],
        "sl": sl[idx] if service_level is not None else np.full(idx.size, -_INF),
        "asa": asa_s[idx] if max_asa_s is not None else np.full(idx.size, _INF),
        "ab": ab[idx] if max_abandon is not None else np.full(idx.size, _INF),
        "occ": occ[idx] if max_occupancy is not None else np.ones(idx.size),
        "patience": pat[idx],
    }
    a = load[idx]
    erl_a = patience_s is not None
    n = np.empty_like(a)
    # Blocks that fit in cache: the elementwise chains run 2x faster than on one huge array.
    for start in range(0, a.size, _BLOCK):
        blk = slice(start, start + _BLOCK)
        a_b = a[blk]
        tg_b = {k: v[blk] for k, v in tg.items()}
        n_b = _erlang_a_integer(a_b, tg_b) if erl_a else _erlang_c_integer(a_b, tg_b)
        shr_b = shr[idx][blk]
        if not integer:
            n_b = _fractional(n_b, a_b, tg_b, erl_a)
        elif np.any(shr_b > 0):
            # With shrinkage the whole count is rounded once, from the fractional level
            # (rounding on the phones first and again after shrinkage overstaffs).
            frac = _fractional(n_b.copy(), a_b, tg_b, erl_a)
            n_b = np.where(shr_b > 0, scheduled_agents(frac, shr_b), n_b)
        n[blk] = n_b
    out[idx] = n
    out[missing] = np.nan  # a missing input or target has no requirement, not zero
    if not integer:
        out = scheduled_agents(out, shr, integer=False)
    return wrap(out.reshape(shape))


def scheduled_agents(on_phones: ArrayLike, shrinkage: ArrayLike, *, integer: bool = True) -> Any:
    """Agents to schedule on the floor for a fractional requirement on the phones.

    The one rounding rule of staffplan: ``ceil(on_phones / (1 - shrinkage) - ROUND_TOL)``
    (:data:`staffplan.defaults.ROUND_TOL`), applied once to the fractional level, so
    that :func:`required_agents`, ``staffplan staff`` and :func:`staffplan.plan` give
    the same scheduled count for the same load.

    Parameters
    ----------
    on_phones : numeric
        Fractional agents needed on the phones [agents].
    shrinkage : numeric
        Share of scheduled time off the phones [fraction in [0, 1)].
    integer : bool
        Round up to whole agents (True) or return the fractional count.

    Returns
    -------
    numpy.ndarray
        Scheduled agents [agents], broadcast shape; NaN stays NaN.

    Examples
    --------
    >>> float(scheduled_agents(13.3, 0.3))   # 13.3 / 0.7 = 19.0
    19.0
    """
    shr = check_fraction(
        np.asarray(shrinkage, dtype=np.float64), "shrinkage", low_open=False, allow_nan=True
    )
    scheduled = np.asarray(on_phones, dtype=np.float64) / (1.0 - shr)
    if not integer:
        return scheduled
    return np.ceil(scheduled - ROUND_TOL)
