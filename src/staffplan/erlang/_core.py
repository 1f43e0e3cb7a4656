"""Numerical kernels shared by the Erlang formulas, and the ufunc-like wrapping.

Everything here works on float64 ndarrays that are already broadcast and
validated.  The kernels are written for relative accuracy over the whole range
a contact centre meets (0.01 to 100,000 Erlangs): ratios of incomplete gamma
functions to Poisson probabilities are formed in log space, with the Poisson
log-probability computed in the saddle-point form (Loader 2000) so that no
large terms cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeAlias

import numpy as np
import pandas as pd
from scipy import special

from staffplan._validation import describe

__all__ = [
    "Numbers",
    "Scalar",
    "SeriesLike",
    "broadcast_inputs",
    "log_a_ratio",
    "log_inv_erlang_b",
    "log_poisson_pmf",
]

#: One number: a Python int or float or a numpy scalar (a scalar result is a float).
Scalar: TypeAlias = float | np.floating[Any] | np.integer[Any]
#: Numbers that are not a Series: a scalar, an ndarray or a (nested) list; the
#: overloads of the public functions use it so that only a Series gives a Series.
Numbers: TypeAlias = Scalar | np.ndarray | Sequence[float] | Sequence[Sequence[float]]


class SeriesLike(Protocol):
    """A pandas Series as the overloads see it: values with an index.

    pandas ships no type information, so ``pd.Series`` is ``Any`` to a type
    checker without pandas-stubs; an overload taking ``Any`` would swallow every
    array.  A Series has ``index`` and ``iloc``; an ndarray or a list has not.
    """

    @property
    def index(self) -> Any: ...

    @property
    def iloc(self) -> Any: ...


_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
# Below this log-probability scipy's incomplete gamma loses relative accuracy
# or underflows; the continued fractions / series take over there.
_LOG_TINY = -500.0


def broadcast_inputs(
    named: dict[str, Any],
) -> tuple[list[np.ndarray], Callable[[np.ndarray], Any]]:
    """Broadcast inputs and return a function that restores the caller's container.

    Series in gives Series out (index of the first Series); all-scalar input
    gives a numpy float64 scalar; anything else gives an ndarray.
    """
    from staffplan._validation import as_float_array

    arrays = [as_float_array(v, k) for k, v in named.items()]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(f"{k}={a.shape}" for k, a in zip(named, arrays, strict=True))
        raise ValueError(f"inputs must have broadcastable shapes, got {shapes}") from None
    series = [v for v in named.values() if isinstance(v, pd.Series)]
    index = series[0].index if series else None
    for k, v in named.items():
        if isinstance(v, pd.Series) and not v.index.equals(index):
            raise ValueError(
                f"{k} must share the index of the other Series inputs, got index "
                f"{describe(v.index[:3].tolist())} ..."
            )
    out = [np.broadcast_to(a, shape) for a in arrays]
    # A missing input element (NaN) gives a NaN result in that element, whatever
    # branch (stable/unstable) the kernels took for it.
    missing = None
    if any(np.isnan(a).any() for a in arrays):
        missing = np.logical_or.reduce([np.isnan(a) for a in out])

    def wrap(result: np.ndarray) -> Any:
        result = np.asarray(result, dtype=np.float64)
        if missing is not None and result.shape == missing.shape:
            result = np.where(missing, np.nan, result)
        if index is not None and result.ndim == 1 and len(result) == len(index):
            return pd.Series(result, index=index)
        if result.ndim == 0:
            return np.float64(result)
        return result

    return out, wrap


def _stirling_error(k: np.ndarray) -> np.ndarray:
    """log Γ(k+1) − [(k+½) log k − k + ½ log 2π] for k > 0."""
    out = np.empty_like(k)
    big = k >= 10.0
    all_big = bool(big.all())
    kb = k if all_big else k[big]
    with np.errstate(
        over="ignore"
    ):  # k beyond 1e154: k² is inf and the series term 0, as it should
        k2 = kb * kb
    series = (
        1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / (1188 * k2)) / k2) / k2) / k2
    ) / kb
    if all_big:
        return series
    out[big] = series
    ks = k[~big]
    out[~big] = special.gammaln(ks + 1.0) - (ks + 0.5) * np.log(ks) + ks - _HALF_LOG_2PI
    return out


def _bd0(k: np.ndarray, m: np.ndarray) -> np.ndarray:
    """k log(k/m) + m − k without cancellation when k is close to m."""
    out = np.empty_like(k)
    d = k - m
    near = np.abs(d) < 0.1 * (k + m)
    all_near = bool(near.all())
    kn, dn, mn = (k, d, m) if all_near else (k[near], d[near], m[near])
    v = dn / (kn + mn)
    s = dn * v
    ej = 2.0 * kn * v
    v2 = v * v
    # |v| < 0.05 here, so 12 terms of the odd series reach double precision.
    for j in range(1, 13):
        ej = ej * v2
        s = s + ej / (2 * j + 1)
    if all_near:
        return s
    out[near] = s
    far = ~near
    kf, mf = k[far], m[far]
    with np.errstate(over="ignore"):  # k/m beyond 1e308: the log-probability is -inf, as it is
        out[far] = special.xlogy(kf, kf / mf) + mf - kf
    return out


def log_poisson_pmf(k: np.ndarray, m: np.ndarray) -> np.ndarray:
    """log(m^k e^{−m} / Γ(k+1)) for real k >= 0 and m > 0, accurate for large k and m."""
    k = np.asarray(k, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    out = np.empty(np.broadcast_shapes(k.shape, m.shape))
    k, m = np.broadcast_to(k, out.shape), np.broadcast_to(m, out.shape)
    big = k >= 1.0
    if big.all():
        return -_stirling_error(k) - _bd0(k, m) - 0.5 * np.log(k) - _HALF_LOG_2PI
    kb, mb = k[big], m[big]
    out[big] = -_stirling_error(kb) - _bd0(kb, mb) - 0.5 * np.log(kb) - _HALF_LOG_2PI
    ks, ms = k[~big], m[~big]
    out[~big] = special.xlogy(ks, ms) - ms - special.gammaln(ks + 1.0)
    return out


def _upper_gamma_cf(s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Γ(s, x) x^{−s} e^{x} by the Legendre continued fraction (modified Lentz), x > s − 1."""
    tiny = 1e-300
    b = x + 1.0 - s
    c = np.full_like(b, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    active = np.arange(b.size)
    for i in range(1, 5000):
        if active.size == 0:
            break
        an = -i * (i - s[active])
        b[active] += 2.0
        dd = an * d[active] + b[active]
        dd = np.where(np.abs(dd) < tiny, tiny, dd)
        cc = b[active] + an / c[active]
        cc = np.where(np.abs(cc) < tiny, tiny, cc)
        dd = 1.0 / dd
        delta = dd * cc
        d[active], c[active] = dd, cc
        h[active] *= delta
        active = active[np.abs(delta - 1.0) > 1e-16]
    return h


def _gammaincc(s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Regularized upper incomplete gamma Q(s, x), defined also where scipy gives NaN.

    scipy returns NaN for shapes beyond about 1.5e308 (agents counted in the 1e308s);
    there the distribution is so concentrated around ``s`` that Q is 1 below ``s/2``
    and 0 above ``2s`` to double precision.
    """
    q = special.gammaincc(s, x)
    bad = np.isnan(q) & ~np.isnan(s) & ~np.isnan(x)
    if np.any(bad):
        with np.errstate(over="ignore"):  # 2s is inf there: the comparison stays right
            q = np.where(bad & (x <= 0.5 * s), 1.0, np.where(bad & (x >= 2.0 * s), 0.0, q))
    return q


def log_inv_erlang_b(n: np.ndarray, a: np.ndarray) -> np.ndarray:
    """log(1 / B(n, a)) for real n >= 0, a > 0 (continuous Erlang B).

    1/B(n, a) = a^{−n} e^{a} Γ(n+1, a) = Q(n+1, a) / p(n; a), with Q the
    regularized upper incomplete gamma function and p the Poisson probability
    extended to real n.
    """
    n = np.ascontiguousarray(n, dtype=np.float64).ravel()
    a = np.ascontiguousarray(a, dtype=np.float64).ravel()
    logp = log_poisson_pmf(n, a)
    out = np.empty_like(n)
    cf = (a > n + 1.0) & (logp < _LOG_TINY)
    if not cf.any():
        return np.log(_gammaincc(n + 1.0, a)) - logp
    reg = ~cf
    with np.errstate(divide="ignore"):  # Q may underflow only where cf takes over
        out[reg] = np.log(_gammaincc(n[reg] + 1.0, a[reg])) - logp[reg]
    if np.any(cf):
        out[cf] = np.log(a[cf] * _upper_gamma_cf(n[cf] + 1.0, a[cf]))
    return out


def log_a_ratio(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """log A(x, y) with A(x, y) = x e^{y} y^{−x} γ(x, y) = ₁F₁(1; x+1; y), for x > 0, y >= 0.

    A(x, y) = P(x, y) / p(x; y) = 1 + Σ_{j≥1} y^j / ((x+1)···(x+j)).
    """
    x = np.ascontiguousarray(x, dtype=np.float64).ravel()
    y = np.ascontiguousarray(y, dtype=np.float64).ravel()
    out = np.zeros_like(x)
    pos = y > 0
    logp = np.full_like(x, -np.inf)
    logp[pos] = log_poisson_pmf(x[pos], y[pos])
    series = pos & (x > y + 1.0) & (logp < _LOG_TINY)
    reg = pos & ~series
    p_low = special.gammainc(x[reg], y[reg])
    # scipy's NaN for shapes in the 1e308s: P is 0 well below the shape (see _gammaincc).
    p_low = np.where(np.isnan(p_low) & (y[reg] <= 0.5 * x[reg]), 0.0, p_low)
    with np.errstate(divide="ignore"):
        out[reg] = np.log(p_low) - logp[reg]
    idx = np.flatnonzero(series)
    if idx.size:
        xs, ys = x[idx], y[idx]
        term = np.ones_like(xs)
        total = np.ones_like(xs)
        act = np.arange(idx.size)
        # Terms shrink at least geometrically (ratio y/(x+j) < 1) in this region.
        for j in range(1, 200_000):
            if act.size == 0:
                break
            term[act] *= ys[act] / (xs[act] + j)
            total[act] += term[act]
            act = act[term[act] > 1e-17 * total[act]]
        out[idx] = np.log(total)
    return out
