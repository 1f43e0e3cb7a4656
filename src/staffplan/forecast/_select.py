"""Internal rolling-origin backtest: pick a candidate per queue and keep its residuals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from staffplan.forecast._models import (
    Config,
    Days,
    blend,
    candidate_grid,
    is_slow,
    run_config,
    shared_daily_parts,
)

__all__ = ["Selection", "select"]

_BLEND_WEIGHTS = (0.25, 0.5, 0.75)
_N_COMBINE = 5  # leaders averaged by method="auto"
_MIN_COVER = 0.95  # a candidate must forecast this share of the held-out cells
_N_SLOW_FOLDS = 3  # most recent origins on which slow candidates are refitted
_N_SCREEN_FOLDS = 1  # a slow candidate outside the leaders on these origins is dropped


@dataclass
class Selection:
    """The chosen configuration, the scores of all tried, and held-out residual data."""

    config: Config
    scores: dict[str, float]
    actual: np.ndarray
    pred: np.ndarray
    lead_days: np.ndarray


def _origins(n_days: int, val_days: int, n_folds: int, min_train_days: int) -> list[int]:
    out = [n_days - val_days - 7 * i for i in range(n_folds)]
    return [o for o in out if o >= min_train_days]


def select(
    y: np.ndarray,
    cal: Days,
    method: str,
    *,
    val_days: int = 14,
    n_folds: int = 8,
    min_train_days: int = 7,
    y_eval: np.ndarray | None = None,
) -> Selection:
    """Score every configuration of ``method`` on weekly rolling origins over the tail.

    Each origin holds out the following ``val_days`` days; the score is the
    MAE over held-out cells that have a value.  For ``"auto"`` and
    ``"blend"`` the best robust profile and the best two-stage forecast are also
    blended with weights 0.25/0.5/0.75 (from the stored fold forecasts, no
    refit).  The lowest MAE wins; for ``"auto"`` the five lowest are averaged
    with equal weights.  Slow candidates (MSTL, the SARIMAX two-stage) are
    refitted on the three most recent origins only and ranked by their MAE
    there relative to the best fast candidate on the same origins; one that
    five fast candidates (one for a single method) beat on the most recent
    origin is dropped without further fits.  Held-out cells are scored against
    ``y_eval`` when given (the history with anomalous days kept: they are
    part of what a forecast must expect), else against ``y``.
    """
    truth_src = y if y_eval is None else y_eval
    n_days = y.shape[0]
    val_days = int(min(val_days, max(7, n_days - min_train_days)))
    origins = _origins(n_days, val_days, n_folds, min_train_days)
    if not origins:
        raise ValueError(
            f"history too short for method {method!r}: need at least "
            f"{min_train_days + val_days} days, got {n_days}"
        )
    configs = candidate_grid(method)
    fast = [c for c in configs if not is_slow(c)]
    slow = [c for c in configs if is_slow(c)]
    truth: list[np.ndarray] = []
    leads: list[np.ndarray] = []
    preds: dict[Config, list[np.ndarray]] = {c: [] for c in fast}
    for o in origins:
        stop = min(o + val_days, n_days)
        fut = cal[o:stop]
        truth.append(truth_src[o:stop].ravel())
        leads.append(np.repeat(np.arange(stop - o), y.shape[1]))
        with shared_daily_parts():  # y is not modified here: one memo per origin
            for c in fast:
                preds[c].append(run_config(c, y[:o], cal[:o], fut).ravel())
    actual = np.concatenate(truth)
    lead = np.concatenate(leads)
    have = np.isfinite(actual)
    fold = np.repeat(np.arange(len(origins)), [t.size for t in truth])
    # An early origin whose short training window lost a weekday (a holiday, a gap) may be
    # one that no candidate can forecast; scoring it would rule out every candidate and
    # refuse the history although the later origins judge them fine.
    for i, t in enumerate(truth):
        ok_t = np.isfinite(t)
        n_fold = int(ok_t.sum())
        covered = max((int((ok_t & np.isfinite(preds[c][i])).sum()) for c in fast), default=0)
        if n_fold and covered < _MIN_COVER * n_fold:
            have &= fold != i
    stacked = {c: np.concatenate(p) for c, p in preds.items()}

    def score(p: np.ndarray, where: np.ndarray | None = None) -> float:
        base = have if where is None else have & where
        ok = base & np.isfinite(p)
        if ok.sum() < _MIN_COVER * max(int(base.sum()), 1):
            return float("inf")
        return float(np.mean(np.abs(actual[ok] - p[ok])))

    scores = {c: score(p) for c, p in stacked.items()}
    ref = min(scores, key=scores.__getitem__) if scores else None
    # Slow candidates are refitted on the most recent origins only, and one that does not
    # reach the leaders on the first of them is dropped there: on real centres MSTL and the
    # SARIMAX level cost most of the fit time and rarely enter the combination.
    n_recent = len(origins) if not fast else min(_N_SLOW_FOLDS, len(origins))
    n_leaders = _N_COMBINE if method == "auto" else 1
    for c in slow:
        p = np.full(actual.size, np.nan)
        for i in range(n_recent):
            stop = min(origins[i] + val_days, n_days)
            p[fold == i] = run_config(
                c, y[: origins[i]], cal[: origins[i]], cal[origins[i] : stop]
            ).ravel()
            if fast and i + 1 == _N_SCREEN_FOLDS and i + 1 < n_recent:
                early = fold <= i
                mine = score(p, early)
                beaten_by = sum(score(stacked[f], early) < mine for f in fast)
                if beaten_by >= n_leaders:
                    break
        else:
            stacked[c] = p
            in_recent = fold < n_recent
            mine = score(p, in_recent)
            ref_recent = score(stacked[ref], in_recent) if ref is not None else 0.0
            scores[c] = (
                mine / ref_recent * scores[ref] if ref is not None and ref_recent > 0 else mine
            )
    if method in ("auto", "blend"):
        # Blend members come from forecasts stored for every origin: fast candidates only.
        best_of = {
            m: min((c for c in fast if c.method == m), key=scores.__getitem__, default=None)
            for m in ("twostage", "profile")
        }
        a, b = best_of["twostage"], best_of["profile"]
        if a is not None and b is not None and np.isfinite(scores[a]) and np.isfinite(scores[b]):
            for w in _BLEND_WEIGHTS:
                c = Config("blend", parts=(a, b), weights=(w, 1.0 - w))
                stacked[c] = blend([stacked[a], stacked[b]], c.weights)
                scores[c] = score(stacked[c])
    ranked = sorted((c for c in scores if np.isfinite(scores[c])), key=scores.__getitem__)
    if not ranked:
        raise ValueError(
            f"method {method!r} could not forecast the held-out weeks: history has too few "
            "complete weeks (need at least two weeks with the same weekdays open)"
        )
    best = ranked[0]
    if method == "auto" and len(ranked) > 1:
        # Equal-weight combination of the leaders: their backtest MAEs differ by less
        # than the fold-to-fold noise, and averaging them is steadier than picking one.
        top = tuple(ranked[:_N_COMBINE])
        best = Config("blend", parts=top, weights=tuple(1.0 / len(top) for _ in top))
        stacked[best] = blend([stacked[c] for c in top], best.weights)
        scores[best] = score(stacked[best])
    return Selection(
        config=best,
        scores={c.label: s for c, s in scores.items()},
        actual=actual,
        pred=stacked[best],
        lead_days=lead,
    )
