"""Calibrated quantiles from held-out (rolling-origin) residuals.

The spread of count forecasts grows with the level: like its square root for
pure Poisson noise, faster when the daily level itself is uncertain.  A
held-out error ``y - f`` is therefore scaled to ``r = (y - f) / max(f, 1)^p``
and the quantile of level ``tau`` for a new forecast ``f`` at lead ``h`` is
``f + Q_tau(r | bucket(h)) · max(f, 1)^p`` (split-conformal in spirit: the
residuals come from forecasts made without the data they are scored on).  The
exponent ``p`` is chosen among 0.5 (Poisson), 0.75 and 1 (proportional) by the
mean pinball loss of the resulting quantiles on those residuals.  Quantiles
are clipped at zero and made monotone across levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LEAD_EDGES_DAYS", "ResidualQuantiles", "monotone_quantiles"]

#: Lead-time buckets in days ahead (0 = the first forecast day).
LEAD_EDGES_DAYS = (0, 2, 7)
_MIN_PER_BUCKET = 200
_POWERS = (0.5, 0.75, 1.0)
_SCORE_LEVELS = (0.025, 0.05, 0.1, 0.25, 0.75, 0.9, 0.95, 0.975)


def _bucket(lead_days: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(LEAD_EDGES_DAYS[1:]), lead_days, side="right")


def _scale(pred: np.ndarray, power: float) -> np.ndarray:
    return np.maximum(pred, 1.0) ** power


@dataclass
class ResidualQuantiles:
    """Scaled held-out residuals, pooled by lead-time bucket."""

    residuals: list[np.ndarray]
    pooled: np.ndarray
    power: float = 0.5

    @classmethod
    def from_backtest(
        cls, actual: np.ndarray, pred: np.ndarray, lead_days: np.ndarray
    ) -> ResidualQuantiles:
        ok = np.isfinite(actual) & np.isfinite(pred)
        y, f, lead = actual[ok], np.maximum(pred[ok], 0.0), lead_days[ok]
        best, best_loss = None, np.inf
        for power in _POWERS:
            cand = cls._build(y, f, lead, power)
            if y.size == 0:
                return cand
            q = cand.quantiles(f, lead, _SCORE_LEVELS)
            diff = y[:, None] - q
            tau = np.asarray(_SCORE_LEVELS)[None, :]
            loss = float(np.mean(np.maximum(tau * diff, (tau - 1.0) * diff)))
            if loss < best_loss:
                best, best_loss = cand, loss
        assert best is not None
        return best

    @classmethod
    def _build(
        cls, y: np.ndarray, f: np.ndarray, lead: np.ndarray, power: float
    ) -> ResidualQuantiles:
        r = (y - f) / _scale(f, power)
        b = _bucket(lead)
        pooled = r if r.size else np.zeros(1)
        per = []
        for k in range(len(LEAD_EDGES_DAYS)):
            rk = r[b == k]
            per.append(rk if rk.size >= _MIN_PER_BUCKET else pooled)
        return cls(residuals=per, pooled=pooled, power=power)

    def quantiles(
        self, pred: np.ndarray, lead_days: np.ndarray, levels: tuple[float, ...]
    ) -> np.ndarray:
        """Quantile matrix of shape ``(pred.size, len(levels))``, monotone and ≥ 0."""
        pred = np.asarray(pred, dtype=np.float64)
        out = np.empty((pred.size, len(levels)))
        b = _bucket(np.asarray(lead_days))
        scale = _scale(pred, self.power)
        for k, res in enumerate(self.residuals):
            sel = b == k
            if not np.any(sel):
                continue
            qr = np.quantile(res, levels)
            out[sel] = pred[sel, None] + qr[None, :] * scale[sel, None]
        return monotone_quantiles(out, levels)


def monotone_quantiles(q: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """Clip at zero and enforce non-decreasing values across increasing levels."""
    order = np.argsort(levels)
    q = np.maximum(q, 0.0)
    sorted_q = np.maximum.accumulate(np.nan_to_num(q[:, order], nan=0.0), axis=1)
    out = np.empty_like(q)
    out[:, order] = sorted_q
    return out
