"""Small instance builders shared by the roster tests."""

from __future__ import annotations

from typing import Any

from staffplan import roster

DAY = "2024-01-01 08:00"  # a Monday
#: A 60-min lunch starting 3-5 h into shifts of 6 h or more (3 slots on a 60-min grid).
LUNCH60 = roster.LunchRule(
    length_min=60, earliest_start_min=180, latest_start_min=300, min_shift_min=360
)


def flat(
    required: Any,
    *,
    length_min: int = 480,
    window: tuple[str, str] = ("08:00", "08:00"),
    step_min: int = 60,
    lunch: roster.LunchRule | None = None,
    span: roster.SpanOfControl | None = None,
    **kw: Any,
) -> roster.RosterInstance:
    """60-min intervals from Monday 08:00, one shift type."""
    return roster.make_instance(
        required,
        interval_min=60,
        start=DAY,
        shifts=roster.ShiftRules(
            earliest_start=window[0],
            latest_start=window[1],
            start_step_min=step_min,
            lengths_min=(length_min,),
        ),
        lunch=lunch,
        span=span,
        **kw,
    )


def solved(inst: roster.RosterInstance, **kw: Any) -> roster.RosterResult:
    """Solve with small limits on one worker; assert a roster exists and every rule holds."""
    kw = {"time_limit_s": 5.0, "num_workers": 1, "random_seed": 0, **kw}
    res = roster.solve(inst, **kw)
    assert res.ok, res.reasons
    assert roster.check(inst, res.roster) == []
    return res
