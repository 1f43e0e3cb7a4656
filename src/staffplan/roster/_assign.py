"""Second step: give the designed shifts to people and form teams.

Anonymous people (no ``people`` in the instance) are created per role by chaining shifts:
each shift goes to the person who finished most recently while still leaving 11 h of rest,
working at most 5 days per 7-day block and at most 6 days in a row; otherwise a new person.

Named people are assigned by a small CP-SAT model over (person, shift class) booleans with
their contract rules: one shift a day, rest between shifts, days and hours per week,
consecutive days (rest and runs across the end of a rota that repeats and from the previous
roster's named shifts), availability, locked shifts and preferred start times.  Shifts that
no one can take are dropped and reported.  Contract fields this cannot keep on shifts designed
without the people (:func:`beyond_assignment`: a weekly minimum, days off, leave...) send
the instance to :func:`staffplan.roster.solve_people` instead (:func:`solve_named`).

Teams are formed per day: the agents working that day are split into teams of at most
``max_agents_per_lead``, each with a lead working that day; agents are ordered by lunch slot
first so that a team tends to lunch together, or matched to leads whose shift covers theirs
when ``lead_covers_team`` is set.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections import defaultdict
from typing import Any

import pandas as pd
from ortools.sat.python import cp_model

from staffplan.roster._instance import Person, RosterInstance
from staffplan.roster._model import RosterModel, ShiftInstance
from staffplan.roster._people_kinds import before_horizon, later_days, run_windows
from staffplan.roster._search import portfolio
from staffplan.roster._solution import RosterResult, paid_h

__all__ = [
    "assign_people",
    "beyond_assignment",
    "form_teams",
    "records_to_rows",
    "solve_named",
]

_PREFIX = {"agent": "A", "lead": "L", "manager": "M"}
_ANON_REST_H = 11.0
_ANON_MAX_DAYS = 5
_ANON_MAX_RUN = 6


#: Contract fields of :class:`Person` that :func:`_named` keeps exactly on the designed shifts
#: (with ``name``, ``role`` and ``skills``, whose misses :func:`skill_mismatches` reports).
#: Every other field at a value other than its default needs the design to know the people
#: (:func:`staffplan.roster.solve_people`): a weekly minimum, say, cannot be met by handing out
#: shifts designed without it.
_ASSIGN_KEEPS = frozenset(
    {
        "name",
        "role",
        "skills",
        "max_hours_week",
        "max_days_week",
        "min_rest_h",
        "max_consecutive_days",
        "availability",
        "locked",
        "preferred_start",
    }
)


def beyond_assignment(inst: RosterInstance) -> list[str]:
    """Contract fields of ``inst.people`` that assigning names after the count roster breaks.

    Returns
    -------
    list of str
        One ``"field (person, ...)"`` per field, in :class:`Person` order, naming up to three
        people who set it; empty when the assignment keeps every contract.
    """
    if not inst.people:
        return []
    default = Person("_")
    who: dict[str, list[str]] = {}
    for f in dataclasses.fields(Person):
        if f.name in _ASSIGN_KEEPS:
            continue
        names = [p.name for p in inst.people if getattr(p, f.name) != getattr(default, f.name)]
        if names:
            who[f.name] = names
    return [
        f"{f} ({', '.join(repr(n) for n in names[:3])}{', ...' if len(names) > 3 else ''})"
        for f, names in who.items()
    ]


def solve_named(
    instance: RosterInstance,
    beyond: list[str],
    time_limit_s: float,
    num_workers: int,
    random_seed: int,
    hint: RosterResult | pd.DataFrame | None,
    deterministic: bool,
) -> RosterResult:
    """``solve`` of people whose contracts only the person model keeps: :func:`solve_people`.

    ``beyond`` is :func:`beyond_assignment`'s list; it goes into the first reason.
    """
    if instance.skill_groups:
        raise ValueError(
            f"people carry contract rules ({beyond[0]}) that only solve_people keeps, and "
            "solve_people does not roster skill groups; drop those fields or the "
            "group_requirements"
        )
    from staffplan.roster._people import solve_people  # imports this module

    res = solve_people(
        instance,
        time_limit_s=time_limit_s,
        num_workers=num_workers,
        random_seed=random_seed,
        deterministic=deterministic,
    )
    note = (
        "rostered by solve_people: the people's contracts set " + ", ".join(beyond) + ", which "
        "naming people after the count roster cannot keep"
    )
    if hint is not None:
        note += " (the hint is not used there)"
    res.reasons.insert(0, note)
    return res


def records_to_rows(model: RosterModel, records: list[ShiftInstance]) -> list[dict[str, Any]]:
    """Timestamped rows from the model's shift records."""
    inst = model.inst
    iv = pd.Timedelta(minutes=inst.interval_min)
    rows = []
    for r in records:
        s = r["shift"]
        lunch = r["lunch"]
        rows.append(
            {
                "role": r["role"],
                "start": inst.start + s.start_slot * iv,
                "end": inst.start + (s.start_slot + s.length) * iv,
                "lunch_start": inst.start + lunch[0] * iv if lunch else pd.NaT,
                "lunch_end": inst.start + lunch[1] * iv if lunch else pd.NaT,
                "breaks": [(inst.start + a * iv, inst.start + b * iv) for a, b in r["breaks"]],
                "shift_type": s.type_name,
                "day": s.day,
            }
        )
    # The unpaid piece sits where the lunch does: a split shift's gap, or an unpaid lunch.
    unpaid_lunch = inst.lunch is not None and not inst.lunch.paid
    unpaid = [bool(r["lunch"]) and (unpaid_lunch or _is_split(r["shift"])) for r in records]
    paid = paid_h(
        inst,
        [r["start"] for r in rows],
        [r["end"] for r in rows],
        [r["lunch_start"] if u else pd.NaT for r, u in zip(rows, unpaid, strict=True)],
        [r["lunch_end"] if u else pd.NaT for r, u in zip(rows, unpaid, strict=True)],
    )
    for row, h in zip(rows, paid.tolist(), strict=True):
        row["paid_h"] = h
    return rows


def _is_split(s: Any) -> bool:
    """Whether a shift has a split gap (it replaces the lunch, see ``_patterns._pieces``)."""
    return any(kind == "split" for g in s.groups for kind, _, _ in g.options[0].places)


def _anonymous(rows: list[dict[str, Any]], role: str) -> None:
    """Chain shifts into people in time linear in the number of shifts (bar list moves).

    Free people are kept sorted by the end of their last shift, so the one who finished most
    recently while leaving enough rest is found by bisection, not by a scan of everyone;
    people whose week is full wait aside until the next week starts.
    """
    rest = pd.Timedelta(hours=_ANON_REST_H)
    people: list[dict[str, Any]] = []
    by_end: list[tuple[pd.Timestamp, int]] = []  # (end of last shift, person index), sorted
    parked: dict[int, list[tuple[pd.Timestamp, int]]] = defaultdict(list)  # by full week
    for row in sorted(rows, key=lambda r: (r["start"], r["end"])):
        week = row["day"] // 7
        for w in [w for w in parked if w < week]:
            for item in parked.pop(w):
                bisect.insort(by_end, item)
        best = None
        pos = bisect.bisect_right(by_end, (row["start"] - rest, len(people)))
        for i in range(pos - 1, -1, -1):  # latest end first
            p = people[by_end[i][1]]
            days = p["days"]
            if row["day"] in days:
                continue
            run = 1
            while row["day"] - run in days:
                run += 1
            if run > _ANON_MAX_RUN:
                continue
            best = p
            del by_end[i]
            break
        if best is None:
            best = {
                "name": f"{_PREFIX[role]}{len(people) + 1:03d}",
                "days": set(),
                "id": len(people),
            }
            people.append(best)
        best["days"].add(row["day"])
        item = (row["end"], best["id"])
        if sum(1 for d in best["days"] if d // 7 == week) >= _ANON_MAX_DAYS:
            parked[week].append(item)
        else:
            bisect.insort(by_end, item)
        row["person"] = best["name"]


def _named(
    inst: RosterInstance,
    rows: list[dict[str, Any]],
    staff: list[Person],
    params: dict[str, Any],
) -> list[str]:
    """Assign rows to named people; rows left without a person get ``person = None``."""
    if not rows:
        return []
    classes: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        classes[r["start"], r["end"]].append(i)
    keys = list(classes)
    before = [before_horizon(inst, p) for p in staff]
    free_at = [b[0] for b in before]
    m = cp_model.CpModel()
    z: dict[tuple[int, int], Any] = {}
    per_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for ci, (a, b) in enumerate(keys):
        day = rows[classes[a, b][0]]["day"]
        for pi, p in enumerate(staff):
            if p.availability is not None and not any(
                lo <= a and b <= hi for lo, hi in p.availability
            ):
                continue
            if free_at[pi] is not None and a < free_at[pi]:
                continue  # within the rest after their last shift of the previous roster
            z[pi, ci] = m.new_bool_var(f"z[{p.name},{a}]")
            per_day[pi, day].append(ci)
    reasons: list[str] = []
    for ci, key in enumerate(keys):
        vs = [z[pi, ci] for pi in range(len(staff)) if (pi, ci) in z]
        if vs:
            m.add(sum(vs) <= len(classes[key]))
    horizon_days = inst.n_days
    base = inst.start.normalize()
    to_min = [int((a - base).total_seconds() // 60) for a, _ in keys]
    end_min = [int((b - base).total_seconds() // 60) for _, b in keys]
    paid = [round(rows[classes[k][0]]["paid_h"] * 60) for k in keys]
    score: list[Any] = []
    for pi, p in enumerate(staff):
        work = {}
        for d in range(horizon_days):
            cs = per_day.get((pi, d), [])
            work[d] = sum(z[pi, c] for c in cs) if cs else 0
            if cs:
                m.add(work[d] <= 1)
        rest = round(p.min_rest_h * 60)
        for d in range(horizon_days):
            for c in per_day.get((pi, d), []):
                # Exact since a day holds one shift: c and every later shift within its rest
                # (across the end of a rota that repeats too) share one slot.
                clash = [
                    c2
                    for d2, offset in later_days(inst, d, end_min[c] + rest)
                    for c2 in per_day.get((pi, d2), [])
                    if to_min[c2] + offset < end_min[c] + rest
                ]
                if clash:
                    m.add(z[pi, c] + sum(z[pi, c2] for c2 in clash) <= 1)
        for w0 in range(0, horizon_days, 7):
            days = range(w0, min(w0 + 7, horizon_days))
            cs = [c for d in days for c in per_day.get((pi, d), [])]
            m.add(sum(work[d] for d in days) <= p.max_days_week)
            hours = sum(z[pi, c] * paid[c] for c in cs) if cs else 0
            m.add(hours <= int(p.max_hours_week * 60))
            need = int(p.min_hours_week * 60 * len(days) / 7)
            if need:
                short = m.new_int_var(0, need, f"short[{p.name},{w0}]")
                m.add(hours + short >= need)
                score.append(-10 * short)
        for window in run_windows(inst, p.max_consecutive_days, before[pi][1]):
            m.add(sum(work[d] for d in window) <= len(window) - 1)
        for a, b in p.locked:
            key = (pd.Timestamp(a), pd.Timestamp(b))
            ci = keys.index(key) if key in keys else -1
            if ci < 0 or (pi, ci) not in z:
                why = (
                    f"starts within their {p.min_rest_h:g} h rest after their last shift "
                    "before the horizon"
                    if free_at[pi] is not None and key[0] < free_at[pi]
                    else "is outside their availability"
                )
                reasons.append(f"locked shift {a}..{b} of {p.name!r} {why}")
                continue
            m.add(z[pi, ci] == 1)
        for (qi, ci), var in z.items():
            if qi != pi:
                continue
            score.append(1000 * paid[ci] * var)
            if p.preferred_start is not None:
                tod = to_min[ci] % 1440
                score.append(-abs(tod - int(p.preferred_start)) // 15 * var)
    m.maximize(sum(score))
    limit = max(0.5, params.get("max_time_in_seconds", 10.0))
    outcome = portfolio(
        m,
        budget_s=limit,
        wall_s=limit,
        num_workers=params.get("num_workers", 1),
        random_seed=params.get("random_seed", 0),
        deterministic=params.get("deterministic", True),
    )
    for r in rows:
        r["person"] = None
    solver = outcome.solver
    if not outcome.found or solver is None:
        reasons.append(
            f"contract rules of the named {staff[0].role}s admit no assignment "
            f"({outcome.status}); the shifts are unassigned"
        )
        return reasons
    free = {k: list(v) for k, v in classes.items()}
    for (pi, ci), var in z.items():
        if solver.value(var):
            rows[free[keys[ci]].pop()]["person"] = staff[pi].name
    return reasons


def assign_people(
    model: RosterModel, records: list[ShiftInstance], params: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Give each designed shift to a person; returns rows and notes."""
    inst = model.inst
    rows = records_to_rows(model, records)
    notes: list[str] = []
    for role in model.roles:
        mine = [r for r in rows if r["role"] == role]
        if inst.people is None:
            _anonymous(mine, role)
            continue
        staff = [p for p in inst.people if p.role == role]
        notes += _named(inst, mine, staff, params)
        lost = [r for r in mine if r["person"] is None]
        if lost:
            notes.append(
                f"{len(lost)} {role} shift(s) could not be given to the named {role}s under their "
                f"contracts (first: {lost[0]['start']}); they are left out of the roster"
            )
    return [r for r in rows if r.get("person") is not None], notes


def _cover_match(
    agents: list[dict[str, Any]], leads: list[dict[str, Any]], k: int
) -> list[int | None]:
    """Match agents to leads whose shift covers theirs, at most ``k`` each."""
    m = cp_model.CpModel()
    v: dict[tuple[int, int], Any] = {}
    for i, a in enumerate(agents):
        for j, lead in enumerate(leads):
            if lead["start"] <= a["start"] and lead["end"] >= a["end"]:
                v[i, j] = m.new_bool_var("")
    for i in range(len(agents)):
        m.add_at_most_one(v[i, j] for j in range(len(leads)) if (i, j) in v)
    for j in range(len(leads)):
        m.add(sum(v[i, j] for i in range(len(agents)) if (i, j) in v) <= k)
    m.maximize(sum(v.values()))
    # One deterministic search: the same roster gives the same teams.
    run = portfolio(m, budget_s=10.0, wall_s=10.0, num_workers=1, random_seed=0)
    out: list[int | None] = [None] * len(agents)
    if run.solver is None:
        return out
    for (i, j), var in v.items():
        if run.solver.value(var):
            out[i] = j
    return out


def _overlap_match(agents: list[dict[str, Any]], leads: list[dict[str, Any]], k: int) -> list[int]:
    """Each agent's lead, at most ``k`` agents each, favouring the time they work together.

    A team whose lead went home hours before its agents started is no team.  Agents and leads
    are grouped into classes of equal (start, end); classes are paired greedily by time
    together, longest first, so the work grows with the number of distinct shifts, not with
    headcount (a 30,000-agent day has a few hundred classes).  A first pass gives every lead
    one agent while there are enough agents to go round; leads of a class then take the
    class's agents in turn, so no lead gets more than ``k``.
    """

    def classes(rows: list[dict[str, Any]]) -> dict[tuple[Any, Any], list[int]]:
        out: dict[tuple[Any, Any], list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            out[r["start"], r["end"]].append(i)
        return out

    a_cls = classes(agents)
    l_cls = classes(leads)
    a_keys = sorted(a_cls)
    l_keys = sorted(l_cls)
    pairs = sorted(
        (
            -max(0.0, (min(ae, le) - max(as_, ls)).total_seconds()),
            ai,
            li,
        )
        for ai, (as_, ae) in enumerate(a_keys)
        for li, (ls, le) in enumerate(l_keys)
    )
    todo = [list(a_cls[key]) for key in a_keys]
    taken: list[list[int]] = [[] for _ in l_keys]  # agents per lead class, in order taken
    for first_pass in (True, False):
        for _, ai, li in pairs:
            n_leads = len(l_cls[l_keys[li]])
            cap = n_leads if first_pass else k * n_leads
            room = cap - len(taken[li])
            if room > 0 and todo[ai]:
                take = min(room, len(todo[ai]))
                taken[li].extend(todo[ai][:take])
                del todo[ai][:take]
    out = [0] * len(agents)
    for li, members in enumerate(taken):
        lead_ids = l_cls[l_keys[li]]
        for pos, i in enumerate(members):
            out[i] = lead_ids[pos % len(lead_ids)]
    return out


def form_teams(inst: RosterInstance, rows: list[dict[str, Any]]) -> list[str]:
    """Set ``team`` on every row (per day); returns notes on team lunch share."""
    span = inst.span
    for r in rows:
        r["team"] = ""
    if span is None:
        return []
    k = span.max_agents_per_lead
    notes: list[str] = []
    together = total = 0
    for day in sorted({r["day"] for r in rows}):
        agents = sorted(
            (r for r in rows if r["day"] == day and r["role"] == "agent"),
            key=lambda r: (
                pd.Timestamp(r["lunch_start"]).value if pd.notna(r["lunch_start"]) else 0,
                r["start"],
            ),
        )
        leads = sorted(
            (r for r in rows if r["day"] == day and r["role"] == "lead"), key=lambda r: r["start"]
        )
        labels = [f"D{day + 1}-T{j + 1:02d}" for j in range(len(leads))]
        for lead, lab in zip(leads, labels, strict=True):
            lead["team"] = lab
        if not agents:
            continue
        if not leads:
            notes.append(f"day {day + 1}: {len(agents)} agents work but no lead; teams left empty")
            continue
        if span.lead_covers_team:
            match = _cover_match(agents, leads, k)
            for a, j in zip(agents, match, strict=True):
                a["team"] = labels[j] if j is not None else ""
        elif span.team_lunch_share is None:
            for a, j in zip(agents, _overlap_match(agents, leads, k), strict=True):
                a["team"] = labels[j]
        else:
            # Consecutive agents in lunch order: teams that can lunch together.
            n_teams = min(len(leads), max(1, math.ceil(len(agents) / k)))
            size, extra = divmod(len(agents), n_teams)
            i = 0
            for j in range(n_teams):
                take = size + (1 if j < extra else 0)
                for a in agents[i : i + take]:
                    a["team"] = labels[j]
                i += take
        if span.team_lunch_share is not None:
            teams: dict[str, list[Any]] = defaultdict(list)
            for a in agents:
                teams[a["team"]].append(a["lunch_start"])
            for members in teams.values():
                counts = pd.Series(members).value_counts()
                total += 1
                together += bool(len(counts)) and counts.iloc[0] >= span.team_lunch_share * len(
                    members
                )
    if span.team_lunch_share is not None and total:
        notes.append(
            f"team lunch: {together} of {total} team-days have at least "
            f"{span.team_lunch_share:.0%} of their agents lunching in the same slot"
        )
    return notes
