"""Named people at a (small) scale: a 24/7 centre with nights, leads and tight contracts.

The failure this guards against shows at scale: shifts of the count roster handed out to
people who cannot take them (nights, a shift type, a day off), agents then dropped to keep
the span of control, and full-timers missing their weekly minimum.  Two weeks of 30 people
with the benchmark's contract mix reproduce it in seconds.  The references are independent:
``roster.check`` re-reads every contract from the instance and the roster frame, and the
coverage is compared with ``roster.lower_bound`` of the same requirement without people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import roster

MON = pd.Timestamp("2024-01-01")  # a Monday
DAYS = 14
SHIFTS = (
    roster.ShiftRules("early", earliest_start="06:00", latest_start="08:00", start_step_min=60,
                      lengths_min=(480,)),
    roster.ShiftRules("day", earliest_start="09:00", latest_start="11:00", start_step_min=60,
                      lengths_min=(480,)),
    roster.ShiftRules("late", earliest_start="13:00", latest_start="16:00", start_step_min=60,
                      lengths_min=(480,)),
    roster.ShiftRules("night", earliest_start="22:00", latest_start="22:00", start_step_min=60,
                      lengths_min=(480,), crosses_midnight=True),
)  # fmt: skip


def _people() -> list[roster.Person]:
    out: list[roster.Person] = []
    out += [
        roster.Person(f"l{t}", role="lead", team=f"T{t}", min_hours_week=32, max_hours_week=40,
                      min_days_off_week=2, days_off_together=True)
        for t in range(6)
    ]  # fmt: skip
    for i in range(23):
        common = {"team": f"T{i % 6}"}
        if i % 4 == 3:  # part-timers: no nights, early or late shifts, hours over 2 weeks
            p = roster.Person(f"a{i:02d}", min_hours_week=16, max_hours_week=24, hours_weeks=2,
                              nights=False, shift_types=("early", "late"), **common)  # fmt: skip
        else:  # full-timers: 5 days a week, two together, at most 5 in a row
            p = roster.Person(f"a{i:02d}", min_hours_week=36, max_hours_week=40,
                              min_days_off_week=2, days_off_together=True,
                              max_consecutive_days=5, **common)  # fmt: skip
        out.append(p)
    return out


def _requirement(people: list[roster.Person]) -> np.ndarray:
    """Hourly 24/7 profile asking for the agents' contract minimum hours on the floor."""
    h = np.arange(24) + 0.5
    shape = 0.25 + np.exp(-(((h - 11) / 3.0) ** 2)) + 0.7 * np.exp(-(((h - 17) / 3.0) ** 2))
    shape[(h >= 22) | (h < 6)] = 0.25
    week = np.concatenate([shape * f for f in (1.05, 1, 1, 1, 0.95, 0.7, 0.6)])
    prof = np.tile(week, DAYS // 7)
    target_h = sum(p.min_hours_week for p in people if p.role == "agent") * DAYS / 7
    return np.floor(prof * target_h / prof.sum())


@pytest.fixture(scope="module")
def solved() -> tuple[roster.RosterInstance, roster.PeopleResult, np.ndarray]:
    people = _people()
    req = _requirement(people)
    span = roster.SpanOfControl(max_agents_per_lead=10, manager_above_agents=None)
    inst = roster.make_instance(req, interval_min=60, start=MON, shifts=SHIFTS, lunch=None,
                                span=span, people=people, cyclic=False)  # fmt: skip
    res = roster.solve_people(inst, time_limit_s=10, num_workers=1)
    assert res.ok, res.reasons
    return inst, res, req


def test_thirty_people_two_weeks_strand_few_shifts(
    solved: tuple[roster.RosterInstance, roster.PeopleResult, np.ndarray],
) -> None:
    inst, res, req = solved
    # Only the elastic contract minimum may be missed; every hard rule holds.
    violations = roster.check(inst, res.roster)
    assert all(", min " in v for v in violations), violations
    # Agent hours short of the requirement: the count roster of the same case (and
    # roster.lower_bound, a separate model) staffs it fully; handing its shifts out blindly
    # (nights, part-timers' shift types, days off) left 6.9 % short here.
    short = float(res.coverage["shortage"].sum()) / float(req.sum())
    assert short <= 0.04, f"{short:.1%} of the required agent hours short"
    anon = roster.make_instance(req, interval_min=60, start=MON, shifts=SHIFTS, lunch=None,
                                span=None, cyclic=False)  # fmt: skip
    bound = roster.lower_bound(anon, time_limit_s=5, num_workers=1)
    on_floor_h = float(res.coverage["on_floor"].sum())
    assert on_floor_h >= 0.96 * bound.on_floor_h


def test_thirty_people_two_weeks_keep_every_minimum(
    solved: tuple[roster.RosterInstance, roster.PeopleResult, np.ndarray],
) -> None:
    # The greedy first roster leaves two full-timers (5 days a week, two together, at most
    # 5 in a row) one shift under their weekly minimum here; the objective alone prefers
    # that to the shortage their moved shifts cause, so only the lexicographic repair of
    # minimums gets every contract kept.  Checked by the independent checker.
    inst, res, _ = solved
    assert roster.check(inst, res.roster) == []
    # The model's own account agrees: every minimum met, and when that happened is reported.
    assert res.metrics["violations"] == 0
    assert 0 < res.metrics["minimums_met_s"] <= res.wall_time_s
