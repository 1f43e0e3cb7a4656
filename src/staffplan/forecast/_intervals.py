"""Calibrated quantiles from held-out (rolling-origin) errors, split into day and slot parts.

A held-out day rarely misses slot by slot independently: the whole day runs
a few percent above or below the forecast (weather, a mailing, the economy),
and the slots scatter around that shifted day.  The two parts scale
differently with the level (a day shift is proportional, slot noise grows
like a power ``p`` of the level, ½ for Poisson counts), so they are
measured apart on the backtest residuals:

* day ratio ``D = Σ y / Σ f`` over the open slots of each held-out day,
  pooled by lead-time bucket and divided by its median;
* slot residual ``R = (y - D·f) / max(D·f, 1)^p``, pooled over all leads.

The quantile of level ``tau`` for a forecast ``f`` is that of
``D·f + R·max(D·f, 1)^p`` with ``D`` and ``R`` drawn independently from
their empirical distributions (split-conformal in spirit: the residuals come
from forecasts made without the data they are scored on).  The day ratios
are centred on 1 because their median over the backtest window is a bias of
those weeks, which does not carry over to the next ones: carried over, it
shifts the band off the point forecast and the inner bands under-cover.
The exponent ``p`` is chosen among 0.5, 0.75 and 1 by the mean pinball loss
on the backtest residuals.  Quantiles are clipped at zero and monotone
across levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LEAD_EDGES_DAYS", "ResidualQuantiles", "monotone_quantiles", "sample_compound"]

#: Lead-time buckets in days ahead (0 = the first forecast day).
LEAD_EDGES_DAYS = (0, 2, 7)
_MIN_DAYS_PER_BUCKET = 20  # fewer held-out days in a bucket: use the pooled day ratios
_POWERS = (0.5, 0.75, 1.0)
_SCORE_LEVELS = (0.025, 0.05, 0.1, 0.25, 0.75, 0.9, 0.95, 0.975)
_N_SLOT_POINTS = 128  # slot residuals kept as this many evenly spaced quantiles
_N_RATIO_POINTS = 64  # day ratios kept as at most this many evenly spaced quantiles
_N_GRID = 24  # forecast levels at which the compound quantiles are computed exactly


def _bucket(lead_days: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(LEAD_EDGES_DAYS[1:]), lead_days, side="right")


def _pinball(y: np.ndarray, q: np.ndarray, levels: tuple[float, ...]) -> float:
    diff = y[:, None] - q
    tau = np.asarray(levels)[None, :]
    return float(np.mean(np.maximum(tau * diff, (tau - 1.0) * diff)))


@dataclass
class ResidualQuantiles:
    """Held-out day ratios (per lead-time bucket) and scaled slot residuals."""

    day_ratios: list[np.ndarray]
    slot_residuals: np.ndarray
    power: float = 0.5

    @classmethod
    def from_backtest(
        cls, actual: np.ndarray, pred: np.ndarray, lead_days: np.ndarray, *, n_slots: int
    ) -> ResidualQuantiles:
        """Calibrate on held-out cells laid out as consecutive days of ``n_slots`` slots."""
        a = np.asarray(actual, dtype=np.float64).reshape(-1, n_slots)
        f = np.maximum(np.asarray(pred, dtype=np.float64), 0.0).reshape(-1, n_slots)
        lead = np.asarray(lead_days).reshape(-1, n_slots)[:, 0]
        ok = np.isfinite(a) & np.isfinite(f)
        f_day = np.where(ok, f, 0.0).sum(axis=1)
        good = f_day >= 1.0
        if not good.any():
            return cls([np.ones(1)] * len(LEAD_EDGES_DAYS), np.zeros(1))
        ratio = np.where(good, np.where(ok, a, 0.0).sum(axis=1) / np.where(good, f_day, 1.0), 1.0)
        pooled = ratio[good]
        b = _bucket(lead)
        ratios = []
        for k in range(len(LEAD_EDGES_DAYS)):
            rk = ratio[good & (b == k)]
            rk = rk if rk.size >= _MIN_DAYS_PER_BUCKET else pooled
            rk = rk / np.median(rk)
            if rk.size > _N_RATIO_POINTS:  # evenly spaced quantiles keep the cost bounded
                rk = np.quantile(rk, (np.arange(_N_RATIO_POINTS) + 0.5) / _N_RATIO_POINTS)
            ratios.append(rk)
        cells = ok & good[:, None]
        mu = f * ratio[:, None]
        y_ok, f_ok = a[cells], f[cells]
        lead_ok = np.broadcast_to(lead[:, None], a.shape)[cells]
        best, best_loss = None, np.inf
        for power in _POWERS:
            r = (y_ok - mu[cells]) / np.maximum(mu[cells], 1.0) ** power
            if r.size > _N_SLOT_POINTS:
                r = np.quantile(r, (np.arange(_N_SLOT_POINTS) + 0.5) / _N_SLOT_POINTS)
            cand = cls(ratios, r, power)
            loss = _pinball(y_ok, cand.quantiles(f_ok, lead_ok, _SCORE_LEVELS), _SCORE_LEVELS)
            if loss < best_loss:
                best, best_loss = cand, loss
        assert best is not None
        return best

    def quantiles(
        self, pred: np.ndarray, lead_days: np.ndarray, levels: tuple[float, ...]
    ) -> np.ndarray:
        """Quantile matrix of shape ``(pred.size, len(levels))``, monotone and ≥ 0."""
        pred = np.maximum(np.asarray(pred, dtype=np.float64), 0.0)
        out = np.zeros((pred.size, len(levels)))
        b = _bucket(np.asarray(lead_days))
        for k, ratios in enumerate(self.day_ratios):
            sel = b == k
            if not np.any(sel):
                continue
            f = pred[sel]
            # The compound quantile is smooth in the forecast level: compute it exactly on a
            # geometric grid spanning the forecasts and interpolate between grid points.
            top = max(float(f.max()), 0.1)
            grid = np.concatenate(([0.0], np.geomspace(min(max(f.min(), 0.05), top), top, _N_GRID)))
            grid = np.unique(grid)
            mu = grid[:, None, None] * ratios[None, :, None]
            draws = mu + self.slot_residuals[None, None, :] * np.maximum(mu, 1.0) ** self.power
            qg = np.quantile(draws.reshape(grid.size, -1), levels, axis=1)
            for j in range(len(levels)):
                out[sel, j] = np.interp(f, grid, qg[j])
        return monotone_quantiles(out, levels)


def monotone_quantiles(q: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """Clip at zero and enforce non-decreasing values across increasing levels."""
    order = np.argsort(levels)
    q = np.maximum(q, 0.0)
    sorted_q = np.maximum.accumulate(np.nan_to_num(q[:, order], nan=0.0), axis=1)
    out = np.empty_like(q)
    out[:, order] = sorted_q
    return out


def sample_compound(
    model: ResidualQuantiles,
    pred: np.ndarray,
    lead_days: np.ndarray,
    day_u: np.ndarray,
    rng: np.random.Generator,
    day: np.ndarray | None = None,
    *,
    rates: bool = False,
) -> np.ndarray:
    """Joint sample paths of the model behind :meth:`ResidualQuantiles.quantiles`.

    ``day_u`` (paths × cells) holds the uniform that picks each cell's day
    ratio: cells of one day share it, so a path's slots move together through
    the day's level.  The marginal distribution of each cell is the one whose
    quantiles :meth:`ResidualQuantiles.quantiles` returns.

    ``day`` (one code per cell) names the cells of one day.  A held-out day's
    slot residuals add up to nothing (they are measured around ``D·f`` with
    ``D`` that day's own total ratio), so the day's total is the day ratio's
    alone: drawn independently, the residuals would add the day's count noise
    a second time to its total (on a steady 24/7 centre at 20 contacts an
    hour, a day total's spread of 8 % where the held-out days show 6.5 %).
    With ``day`` given, each day's slot noise is projected onto sums of zero
    (weights proportional to each cell's noise variance) and rescaled cell by
    cell to its own variance, so the marginals stay those of the quantiles
    and the day's total stays ``D`` times its forecast (up to clipping at
    zero).  Without it the slot residuals are drawn independently.

    ``rates=True`` draws the arrival *rates* behind the counts instead: the day
    ratio is kept whole (a day with more contacts, Poisson ones included, is a
    busier day), but each cell's slot noise is shrunk to the variance beyond
    Poisson, ``max(var - D·f, 0)`` with ``var`` the noise's own variance at
    that level, so only over-dispersion and shape error remain.  An Erlang
    formula fed these paths averages over the slots' Poisson counts once, where
    counts read as rates made it count them twice.
    """
    pred = np.maximum(np.asarray(pred, dtype=np.float64), 0.0)
    out = np.empty(day_u.shape)
    b = _bucket(np.asarray(lead_days))
    codes = None if day is None else np.unique(np.asarray(day), return_inverse=True)[1].ravel()
    for k, ratios in enumerate(model.day_ratios):
        sel = b == k
        if not np.any(sel):
            continue
        # Inverse empirical distribution function of the day ratios, as np.quantile reads it.
        d = np.quantile(np.sort(ratios), day_u[:, sel])
        mu = d * pred[sel][None, :]
        scale = np.maximum(mu, 1.0) ** model.power
        noise = rng.choice(model.slot_residuals, size=mu.shape) * scale
        var = scale**2 * float(np.var(model.slot_residuals))
        if rates:
            beyond = np.maximum(var - mu, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                noise *= np.where(var > 0, np.sqrt(beyond / np.where(var > 0, var, 1.0)), 0.0)
            var = beyond
        if codes is not None:
            # A closed cell (forecast 0) has no contacts to move: it takes no part in its
            # day's sum and stays at zero.
            shut = pred[sel] <= 0
            noise[:, shut] = 0.0
            var = np.where(shut[None, :], 0.0, var)
            noise = _zero_sum_per_day(noise, var, codes[sel])
        out[:, sel] = np.maximum(mu + noise, 0.0)
    return out


def _zero_sum_per_day(noise: np.ndarray, var: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Noise (paths × cells) made to add up to zero over each day's cells, marginals kept.

    ``e' = e - w·Σ_day e`` with ``w = var / Σ_day var`` has variance
    ``var·(1 - w)`` for independent ``e``; dividing by ``sqrt(1 - w)`` restores
    ``var`` (the day's sum is then zero up to the spread of that factor, a few
    percent of the noise on days of 24 slots or more).  A day of one cell has
    no slot noise: its day ratio is all there is.
    """
    n_days = int(code.max()) + 1 if code.size else 0
    tot_var = np.zeros((var.shape[0], n_days))
    tot_noise = np.zeros((noise.shape[0], n_days))
    np.add.at(tot_var.T, code, var.T)  # transposed views: rows are days
    np.add.at(tot_noise.T, code, noise.T)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(tot_var[:, code] > 0, var / tot_var[:, code], 1.0)
        keep = np.sqrt(np.maximum(1.0 - w, 0.0))
        centred = noise - w * tot_noise[:, code]
        return np.where(keep > 1e-6, centred / np.where(keep > 1e-6, keep, 1.0), 0.0)
