"""Hypothesis: random small instances solve, and the independent checker finds no violation."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from staffplan import roster


@st.composite
def instances(draw: st.DrawFn) -> roster.RosterInstance:
    n = draw(st.integers(6, 12))
    req = draw(st.lists(st.floats(0, 6, allow_nan=False), min_size=n, max_size=n))
    lengths = draw(
        st.lists(st.sampled_from([180, 240, 360, 420]), min_size=1, max_size=3, unique=True)
    )
    lunch = draw(
        st.sampled_from(
            [
                None,
                roster.LunchRule(
                    length_min=60, earliest_start_min=120, latest_start_min=240, min_shift_min=360
                ),
            ]
        )
    )
    brk = draw(
        st.sampled_from(
            [
                (),
                (
                    roster.BreakRule(
                        length_min=60, earliest_start_min=60, latest_start_min=60, min_shift_min=420
                    ),
                ),
                # overlaps the lunch window: lunch and break are placed jointly
                (
                    roster.BreakRule(
                        length_min=60,
                        earliest_start_min=120,
                        latest_start_min=180,
                        min_shift_min=360,
                    ),
                ),
            ]
        )
    )
    span = draw(
        st.one_of(
            st.none(),
            st.builds(
                roster.SpanOfControl,
                max_agents_per_lead=st.integers(1, 4),
                manager_above_agents=st.one_of(st.none(), st.integers(2, 8)),
                lead_covers_team=st.booleans(),
                team_lunch_share=st.one_of(st.none(), st.just(0.7)),
            ),
        )
    )
    limits = roster.Limits(max_off_floor=draw(st.one_of(st.none(), st.integers(1, 3))))
    return roster.make_instance(
        np.asarray(req),
        interval_min=60,
        start="2024-01-06 06:00",  # a Saturday
        shifts=roster.ShiftRules(
            earliest_start="06:00",
            latest_start=f"{6 + draw(st.integers(0, 5)):02d}:00",
            start_step_min=60,
            lengths_min=tuple(lengths),
        ),
        lunch=lunch,
        breaks=brk,
        span=span,
        limits=limits,
        weights=roster.Weights(hard_coverage=draw(st.booleans())),
    )


@settings(max_examples=30, deadline=None)
@given(instances())
def test_every_solution_passes_the_checker(inst: roster.RosterInstance) -> None:
    res = roster.solve(inst, time_limit_s=2, num_workers=1)
    if not res.ok:
        # Only hard coverage can make these rules unsatisfiable; never a silent empty result.
        assert inst.weights.hard_coverage
        assert res.status == "INFEASIBLE" and res.roster.empty
        assert res.reasons and all(isinstance(r, str) and r for r in res.reasons)
        return
    assert roster.check(inst, res.roster) == []
    cov = res.coverage
    # Frames agree with each other: on-floor = required - shortage + surplus per interval.
    assert (cov["on_floor"] == cov["required"] - cov["shortage"] + cov["surplus"]).all()
    assert res.objective >= res.best_bound - 1e-6 or np.isnan(res.best_bound)
