"""Time-stable staffing: the simulation-based iterative staffing algorithm (ISA).

Erlang C and A staff each interval as if it started in steady state: they
cannot see the backlog an interval inherits from a busy interval before it,
so the intervals right after a peak are short.  The iterative staffing
algorithm of Feldman, Mandelbaum, Massey and Whitt (2008) staffs against
what a simulation with carried-over queues sees:

1. start from the formula's whole agents per interval, ``s⁰``;
2. simulate the day (queues carry over interval boundaries) with ``sᵏ`` and
   record, for every arriving caller, the number of callers ``L`` it finds in
   the system (:func:`staffplan.simulate.callers_seen_on_arrival`);
3. find per interval the fewest agents ``c`` whose service level against
   that ``L`` reaches the target, where a caller who finds ``L``
   callers is answered at once when ``L < c``, and otherwise within ``τ``
   (``target_answer_s``) when at least ``L - c + 1`` of the ``c`` agents
   finish a contact within ``τ``, which is Poisson with mean ``c·τ/AHT``::

       SL(c) = mean over arrivals of [L < c] + [L ≥ c] · P(Poisson(c·τ/AHT) ≥ L - c + 1)

   (with ``τ = 0`` this is the paper's delay-probability rule
   ``P(L ≥ c) ≤ α``), and move ``sᵏ⁺¹`` half way up to it (rounded up) where
   it is above ``sᵏ``;
4. repeat until no interval needs more (common random numbers: every
   iteration replays the same calls), at most ``max_iter`` times.

The paper sets ``sᵏ⁺¹ = c`` outright.  That works when the queue is a small
part of ``L`` (its targets are delay probabilities at high quality); at an
80/20 target the queue is a large part, the first step over-staffs after a
peak, the next sees no queue and drops back, and the plain iteration
alternates between the two for ever (seen on a two-peak day).  Moving up only,
half the gap at a time, lets the intervals before a short one absorb part of
its backlog first, and stops at the first staffing every interval accepts.

Here the result is never below the formula's agents (``sᵏ⁺¹ ≥ s⁰``): the
formula's promise, including its occupancy, ASA and abandonment caps, is
kept, and agents are added where the carried-over backlog would break it.
Abandonment is not in the rule (callers ahead who hang up would shorten the
wait, an arrival's own patience would end it): with ``patience_s`` the rule
errs on the safe side for the first and the optimistic side for the second.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from staffplan._validation import check_int
from staffplan.plan._service import ServiceTarget, with_agents
from staffplan.plan._verdict import simulation_runs

__all__ = [
    "ISA_MAX_ITER",
    "ISA_N_REPS",
    "STAFFING_METHODS",
    "time_stable_agents",
    "time_stable_requirements",
]

#: Iterations of the ISA at most (it usually settles in two to five).
ISA_MAX_ITER = 10
#: Replications per ISA iteration: a busy interval's simulated service level scatters
#: by several points over 20 replications, enough to stop the search early or late.
ISA_N_REPS = 50
#: How :func:`staffplan.plan` turns a load into agents per interval.
STAFFING_METHODS = ("erlang", "time_stable")


def service_level_given_seen(
    values: np.ndarray,
    weights: np.ndarray,
    agents: np.ndarray,
    aht_s: float,
    target_answer_s: float,
) -> np.ndarray:
    """Service level with ``agents`` when arrivals find ``values`` callers with ``weights``.

    A caller who finds ``L < c`` callers is answered at once; one who finds
    ``L >= c`` is answered within ``target_answer_s`` when ``L - c + 1`` contacts
    end within it, Poisson with mean ``c * target_answer_s / aht_s`` (all ``c``
    agents busy, exponential handle times).  Shape: ``agents``'.
    """
    c = np.asarray(agents, dtype=np.float64)[..., None]
    ahead = np.asarray(values, dtype=np.float64) - c + 1.0
    # pdtrc(k, m) = P(Poisson(m) > k): at least `ahead` completions within the target.
    within = special.pdtrc(np.maximum(ahead - 1.0, 0.0), c * target_answer_s / aht_s)
    return np.where(ahead <= 0, 1.0, within) @ np.asarray(weights, dtype=np.float64)


def _fewest_agents(
    seen: np.ndarray, aht_s: float, target_answer_s: float, service_level: float, floor: int
) -> int:
    """Fewest agents (at least ``floor``) whose service level against ``seen`` reaches the target."""
    if seen.size == 0:
        return floor
    values, counts = np.unique(seen, return_counts=True)
    # Past the largest L every arrival is answered at once, so the last candidate meets it.
    cands = np.arange(max(floor, 1), max(int(values.max()) + 2, floor + 1))
    sl = service_level_given_seen(values, counts / counts.sum(), cands, aht_s, target_answer_s)
    ok = np.flatnonzero(sl >= service_level - 1e-12)
    return int(cands[ok[0]]) if ok.size else int(cands[-1])


def time_stable_agents(
    ds: Any,
    volume: Any,
    aht_s: Any,
    agents: Any,
    *,
    service: ServiceTarget,
    interval_min: int,
    n_reps: int = ISA_N_REPS,
    max_iter: int = ISA_MAX_ITER,
    rng: np.random.Generator | int | None = 0,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Whole agents on the phones per interval that keep the target with backlog carried over.

    Parameters
    ----------
    ds : array_like of datetime
        Interval starts; runs of consecutive intervals are simulated as one
        (a 24/7 centre carries its queue over midnight, a closed night breaks it).
    volume : array_like
        Contacts offered per interval [contacts].
    aht_s : array_like
        Average handle time per interval [s].
    agents : array_like
        The formula's whole agents on the phones [agents]: the start and the floor.
    service : ServiceTarget
        ``service_level``, ``target_answer_s`` and ``patience_s`` (simulated callers).
    interval_min : int
        Interval length [min].
    n_reps : int
        Replications per iteration.
    max_iter : int
        Iterations at most.
    rng : numpy.random.Generator, int or None
        Seed of the common random numbers.

    Returns
    -------
    (numpy.ndarray, dict)
        Agents per interval [agents], and facts: ``iterations``, ``converged``
        (no interval needed more in the last iteration) and ``added`` (agent-intervals
        over the formula).

    Notes
    -----
    See the module docstring for the algorithm and its references.
    """
    n_reps = check_int(n_reps, "n_reps", minimum=1)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    from staffplan.simulate import callers_seen_on_arrival

    vol = np.asarray(volume, dtype=np.float64)
    aht = np.broadcast_to(np.asarray(aht_s, dtype=np.float64), vol.shape)
    base = np.ceil(np.asarray(agents, dtype=np.float64) - 1e-9).astype(np.int64)
    gen = np.random.default_rng(rng)
    runs = [r for r in simulation_runs(ds, interval_min) if vol[r].sum() > 0]
    seeds = [int(gen.integers(2**32)) for _ in runs]
    current = base.copy()
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        need = current.copy()
        for run, seed in zip(runs, seeds, strict=True):
            seen = callers_seen_on_arrival(
                vol[run],
                aht[run],
                current[run],
                interval_min=interval_min,
                patience_s=service.patience_s,
                n_reps=n_reps,
                rng=seed,
            )
            for k, found in zip(run, seen, strict=True):
                if vol[k] > 0:
                    need[k] = _fewest_agents(
                        found,
                        float(aht[k]),
                        service.target_answer_s,
                        service.service_level,
                        int(current[k]),
                    )
        if np.array_equal(need, current):
            converged = True
            break
        current = current + (need - current + 1) // 2
    facts = {
        "iterations": iterations,
        "converged": converged,
        "added": int((current - base).sum()),
    }
    return current, facts


def time_stable_requirements(
    requirements: pd.DataFrame,
    *,
    service: ServiceTarget,
    interval_min: int,
    n_reps: int = ISA_N_REPS,
    rng: np.random.Generator | int | None = 0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A requirements frame raised to time-stable staffing (:func:`time_stable_agents`).

    Intervals where the ISA needs more whole agents on the phones than the
    formula get that count as ``agents`` and ``agents_frac``; ``scheduled``
    and ``scheduled_int`` follow by the one shrinkage rule
    (:func:`staffplan.erlang.scheduled_agents`).  Other intervals are unchanged.
    """
    isa, facts = time_stable_agents(
        requirements["ds"],
        requirements["volume"],
        requirements["aht_s"],
        requirements["agents"],
        service=service,
        interval_min=interval_min,
        n_reps=n_reps,
        rng=rng,
    )
    raised = isa > requirements["agents"].to_numpy()
    frac = np.where(raised, isa.astype(float), requirements["agents_frac"].to_numpy(float))
    facts["raised_intervals"] = int(raised.sum())
    return with_agents(requirements, frac, service.shrinkage), facts
