"""LP relaxation of the (purely linear) roster model, for a rounded starting roster.

The CP-SAT model built by :class:`RosterModel` without assumption literals holds only linear
constraints over integer variables, so its LP relaxation is read straight from the model
proto and solved with ``scipy.optimize.linprog`` (HiGHS).  Rounding its shift counts down and
filling the rest greedily (:mod:`staffplan.roster._greedy`) gives CP-SAT a hint close to the
optimum.  The same arrays with integrality (:func:`mip`, HiGHS' branch and cut) solve a
day-sized part outright; CP-SAT reads every roster back and checks it against the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, sparse

from staffplan.roster._model import RosterModel

__all__ = ["Mip", "lp_bound", "lp_relaxation", "mip", "split_bound"]

_INF = 1 << 62
_IPM_ABOVE = 10_000  # variables
#: Weights kept on the proven agents' bound in :func:`split_bound` (the best of them is taken;
#: on the sample week and round-the-clock days 0.99 was best, 0.9 within 0.1 % of it, and
#: 0.9999 lost the leads' cost as the relaxation preferred shortage).
_SPLIT_LAMBDAS = (0.9, 0.99)


def _bound(v: int) -> float:
    return -np.inf if v <= -_INF else np.inf if v >= _INF else float(v)


def _arrays(rm: RosterModel, objective: Any) -> dict[str, Any] | None:
    """The model as ``linprog`` arrays (``objective`` set on it), or None when not linear."""
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
    return {
        "c": obj,
        "A_ub": a_ub if a_ub.shape[0] else None,
        "b_ub": b_ub if a_ub.shape[0] else None,
        "A_eq": a[eq] if eq.any() else None,
        "b_eq": lo_a[eq] if eq.any() else None,
        "bounds": np.column_stack([lb, ub]),
    }


def lp_relaxation(
    rm: RosterModel, *, time_limit_s: float = 5.0, objective: Any = None
) -> np.ndarray | None:
    """Values of every model variable in an optimal LP relaxation of ``rm.objective``.

    ``objective`` (a linear expression of the model) replaces ``rm.objective``; the model's
    objective is left set to it.  Returns None when the model holds a non-linear constraint or
    HiGHS finds no optimum in time.
    """
    arrays = _arrays(rm, objective)
    if arrays is None:
        return None
    n = len(arrays["c"])
    res = optimize.linprog(
        **arrays,
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


@dataclass
class Mip:
    """Outcome of :func:`mip`: the best integer solution HiGHS found and what it proved."""

    values: np.ndarray
    bound: float
    gap: float
    nodes: int
    wall_limited: bool


def mip(rm: RosterModel, *, node_limit: int, time_limit_s: float, gap: float) -> Mip | None:
    """Solve ``rm`` (its objective) as a mixed-integer program with HiGHS' branch and cut.

    HiGHS runs single-threaded and is deterministic given the model and ``node_limit``;
    ``time_limit_s`` is a wall-clock safety net (``wall_limited`` says when it ended the run).
    On small parts (a day of a day centre) its cuts and root heuristics reach a proven
    optimum where CP-SAT's search stalls a few percent above it.

    Parameters
    ----------
    rm : RosterModel
        A model without assumption literals (every constraint linear).
    node_limit : int
        Branch-and-bound nodes HiGHS may explore: the deterministic budget.
    time_limit_s : float
        Wall-clock safety limit [s].
    gap : float
        Stop once the solution is within this share of the proven bound [fraction].

    Returns
    -------
    Mip or None
        The solution (values of every model variable, by proto index), the bound rounded
        up, the gap [fraction] and the nodes used; None when the model is not linear or no
        integer solution was found.
    """
    arrays = _arrays(rm, None)
    if arrays is None:
        return None
    cons = []
    if arrays["A_ub"] is not None:
        cons.append(optimize.LinearConstraint(arrays["A_ub"], -np.inf, arrays["b_ub"]))
    if arrays["A_eq"] is not None:
        cons.append(optimize.LinearConstraint(arrays["A_eq"], arrays["b_eq"], arrays["b_eq"]))
    b = arrays["bounds"]
    res = optimize.milp(
        arrays["c"],
        integrality=np.ones(len(arrays["c"])),
        bounds=optimize.Bounds(b[:, 0], b[:, 1]),
        constraints=cons,
        options={
            "time_limit": max(0.05, float(time_limit_s)),
            "node_limit": max(1, int(node_limit)),
            "mip_rel_gap": float(gap),
            "presolve": True,
        },
    )
    if res.x is None:
        return None
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) if dual is not None and math.isfinite(dual) else -math.inf
    if math.isfinite(bound):
        # The objective has integer coefficients over integers: round the bound up.
        bound = float(math.ceil(bound - 1e-6 * max(1.0, abs(bound))))
    value = float(res.fun)
    return Mip(
        values=np.rint(res.x),
        bound=bound,
        gap=(value - bound) / max(1.0, abs(value)),
        nodes=int(getattr(res, "mip_node_count", 0)),
        # Status 1 is HiGHS' time limit (its node limit is status 4).
        wall_limited=res.status == 1,
    )


def lp_bound(rm: RosterModel, lp: np.ndarray) -> float:
    """Lower bound on ``rm``'s (integer) objective from LP values: rounded up, less a tolerance."""
    proto = rm.model.proto.objective
    value = float(sum(c * lp[v] for v, c in zip(proto.vars, proto.coeffs, strict=True)))
    return float(math.ceil(value - 1e-6 * max(1.0, abs(value))))


def split_bound(
    full: RosterModel, agent_pairs: list[tuple[int, int]], agents: RosterModel, agents_bound: float
) -> float:
    """Lower bound on ``full``'s objective from a proven bound of its agents' part.

    The full objective splits into the agents' terms ``A`` (the variables of ``agent_pairs``,
    weighted as in the agents-only model ``agents``, whose proven bound is ``agents_bound``)
    and the rest ``L`` (leads, manager).  For any ``lam`` in [0, 1] and any roster,
    ``A + L = lam * A + ((1 - lam) * A + L) >= lam * agents_bound + LP((1 - lam) * A + L)``,
    where LP is the full model's linear relaxation: the proven agents keep their integral
    bound, while the small weight left on their coverage still makes the relaxation staff the
    floor and so pay the leads it needs.  With ``lam`` near 1 this bound holds most of what
    the leads and the manager cost, which the agents' bound alone leaves out (on the sample
    week: 1.4 % below the roster instead of 12 %).

    Parameters
    ----------
    full : RosterModel
        The linear model with leads and a manager, its objective set.
    agent_pairs : list of (int, int)
        ``(agents-only variable index, full variable index)`` of every agents' variable.
    agents : RosterModel
        The agents-only model ``agents_bound`` is a bound of.
    agents_bound : float
        Proven lower bound on ``agents``' objective.

    Returns
    -------
    float
        The bound rounded up (the objective is integral), or ``-inf`` when the models are not
        linear, their agents' weights differ or no relaxation solved.
    """
    if not math.isfinite(agents_bound):
        return -math.inf
    arrays = _arrays(full, None)
    if arrays is None:
        return -math.inf
    c = arrays["c"]
    a_obj = agents.model.proto.objective
    c_agents = np.zeros(len(agents.model.proto.variables))
    np.add.at(c_agents, list(a_obj.vars), [float(v) for v in a_obj.coeffs])
    a_idx = np.array([a for a, _ in agent_pairs], dtype=int)
    f_idx = np.array([f for _, f in agent_pairs], dtype=int)
    offset = float(full.model.proto.objective.offset)
    if (
        len(f_idx) == 0
        or not np.array_equal(c[f_idx], c_agents[a_idx])
        or offset != float(a_obj.offset)
        # Every agents' term is among the pairs: nothing of A is counted twice.
        or not set(a_obj.vars) <= set(a_idx.tolist())
    ):
        return -math.inf
    c_a = np.zeros_like(c)
    c_a[f_idx] = c[f_idx]
    best = -math.inf
    for lam in _SPLIT_LAMBDAS:
        res = optimize.linprog(
            (1.0 - lam) * c_a + (c - c_a),
            A_ub=arrays["A_ub"],
            b_ub=arrays["b_ub"],
            A_eq=arrays["A_eq"],
            b_eq=arrays["b_eq"],
            bounds=arrays["bounds"],
            method="highs",
        )
        if res.status != 0:
            continue
        value = float(res.fun) - 1e-6 * max(1.0, abs(float(res.fun)))
        best = max(best, lam * agents_bound + (1.0 - lam) * offset + value)
    return float(math.ceil(best - 1e-6 * max(1.0, abs(best)))) if math.isfinite(best) else best
