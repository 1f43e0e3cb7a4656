"""LP relaxation of the (purely linear) roster model, for a rounded starting roster.

The CP-SAT model built by :class:`RosterModel` without assumption literals holds only linear
constraints over integer variables, so its LP relaxation is read straight from the model
proto and solved with ``scipy.optimize.linprog`` (HiGHS).  Rounding its shift counts down and
filling the rest greedily (:mod:`staffplan.roster._greedy`) gives CP-SAT a hint close to the
optimum; CP-SAT remains the solver of record (solution and bound).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, sparse

from staffplan.roster._model import RosterModel

__all__ = ["lp_bound", "lp_relaxation"]

_INF = 1 << 62
_IPM_ABOVE = 10_000  # variables


def _bound(v: int) -> float:
    return -np.inf if v <= -_INF else np.inf if v >= _INF else float(v)


def lp_relaxation(
    rm: RosterModel, *, time_limit_s: float = 5.0, objective: Any = None
) -> np.ndarray | None:
    """Values of every model variable in an optimal LP relaxation of ``rm.objective``.

    ``objective`` (a linear expression of the model) replaces ``rm.objective``; the model's
    objective is left set to it.  Returns None when the model holds a non-linear constraint or
    HiGHS finds no optimum in time.
    """
    proto = rm.model.proto
    rm.model.minimize(rm.objective if objective is None else objective)
    n = len(proto.variables)
    lb = np.empty(n)
    ub = np.empty(n)
    for i, var in enumerate(proto.variables):
        dom = list(var.domain)
        lb[i], ub[i] = _bound(dom[0]), _bound(dom[-1])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for ct in proto.constraints:
        if not ct.has_linear() or len(ct.enforcement_literal):
            return None
        lin = ct.linear
        dom = list(lin.domain)
        r = len(lo)
        vs = list(lin.vars)
        rows.extend([r] * len(vs))
        cols.extend(vs)
        vals.extend(float(c) for c in lin.coeffs)
        lo.append(_bound(dom[0]))
        hi.append(_bound(dom[-1]))
    obj = np.zeros(n)
    np.add.at(obj, list(proto.objective.vars), [float(c) for c in proto.objective.coeffs])
    a = sparse.csr_matrix((vals, (rows, cols)), shape=(len(lo), n))
    lo_a, hi_a = np.array(lo), np.array(hi)
    eq = lo_a == hi_a
    up = ~eq & np.isfinite(hi_a)
    dn = ~eq & np.isfinite(lo_a)
    a_ub = sparse.vstack([a[up], -a[dn]]).tocsr()
    b_ub = np.concatenate([hi_a[up], -lo_a[dn]])
    res = optimize.linprog(
        obj,
        A_ub=a_ub if a_ub.shape[0] else None,
        b_ub=b_ub if a_ub.shape[0] else None,
        A_eq=a[eq] if eq.any() else None,
        b_eq=lo_a[eq] if eq.any() else None,
        bounds=np.column_stack([lb, ub]),
        # Interior point is 3x faster than simplex on week-long parts whose shifts cross
        # midnight (~25,000 variables); on day-sized parts simplex is a little faster.
        method="highs-ipm" if n > _IPM_ABOVE else "highs",
        options={"time_limit": float(time_limit_s), "presolve": True},
    )
    if res.status != 0 or res.x is None:
        return None
    # Kept for hints that split the rounded counts further (skill groups).
    rm.lp_values = np.asarray(res.x)
    return rm.lp_values


def lp_bound(rm: RosterModel, lp: np.ndarray) -> float:
    """Lower bound on ``rm``'s (integer) objective from LP values: rounded up, less a tolerance."""
    proto = rm.model.proto.objective
    value = float(sum(c * lp[v] for v, c in zip(proto.vars, proto.coeffs, strict=True)))
    return float(math.ceil(value - 1e-6 * max(1.0, abs(value))))
