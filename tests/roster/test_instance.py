"""Validation at construction: clear errors naming the rule; requirement rounding; peak weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import roster

from ._helpers import flat


def test_lunch_window_that_fits_no_shift_names_the_rule() -> None:
    # 360-min shift, lunch must start 300-330 min in but 60 min of work must follow a 60-min
    # lunch: the latest start is 360 - 60 - 60 = 240 < 300.
    lunch = roster.LunchRule(
        length_min=60,
        earliest_start_min=300,
        latest_start_min=330,
        min_work_after_min=60,
        min_shift_min=300,
    )
    with pytest.raises(ValueError, match=r"LunchRule: .*cannot fit in the 360-min shifts"):
        flat([1] * 6, length_min=360, lunch=lunch)


def test_break_longer_than_its_window_allows_names_the_rule() -> None:
    brk = roster.BreakRule(
        length_min=60, earliest_start_min=200, latest_start_min=230, min_shift_min=0, name="late"
    )
    with pytest.raises(ValueError, match="BreakRule 'late'"):
        flat([1] * 4, length_min=240, breaks=brk)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"interval_min": 7}, "interval_min must be one of"),
        (
            {"shifts": roster.ShiftRules(start_step_min=60, lengths_min=(470,))},
            "lengths_min must be a multiple of interval_min=60",
        ),
        (
            {"shifts": roster.ShiftRules(earliest_start="07:30")},
            "earliest_start must be a multiple",
        ),
    ],
)
def test_rule_errors(kwargs: dict, match: str) -> None:
    base = {"interval_min": 60, "lunch": None, "shifts": roster.ShiftRules(start_step_min=60)}
    with pytest.raises(ValueError, match=match):
        roster.make_instance(np.ones(8), **{**base, **kwargs})


def test_dataclass_errors_name_field() -> None:
    with pytest.raises(ValueError, match="ShiftRules 'x': start window"):
        roster.ShiftRules(name="x", earliest_start="15:00", latest_start="07:00")
    with pytest.raises(ValueError, match="SpanOfControl: max_agents_per_lead must be >= 1, got 0"):
        roster.SpanOfControl(max_agents_per_lead=0)
    with pytest.raises(ValueError, match="crosses_midnight is False"):
        roster.ShiftRules(earliest_start="20:00", latest_start="22:00", lengths_min=(480,))
    with pytest.raises(ValueError, match="Weights: shortage must be >= 0"):
        roster.Weights(shortage=-1)


def test_horizon_longer_than_four_weeks_rejected() -> None:
    with pytest.raises(ValueError, match="at most 4 weeks"):
        roster.make_instance(np.ones(29 * 24), interval_min=60, lunch=None)


def test_negative_requirement_rejected() -> None:
    with pytest.raises(ValueError, match="requirements must be >= 0"):
        roster.make_instance([1, -1], interval_min=60, lunch=None)


def test_fractional_requirements_round_up_with_tolerance() -> None:
    inst = roster.make_instance([0.2, 2.0000000001, 2.5, 3.0], interval_min=30, lunch=None)
    # ceil(r - 1e-6): noise just above an integer does not add an agent.
    assert inst.required.tolist() == [1, 2, 3, 3]
    assert inst.required_raw.tolist() == [0.2, 2.0000000001, 2.5, 3.0]


def test_frame_input_and_gaps() -> None:
    ds = pd.date_range("2024-03-04 06:00", periods=4, freq="15min")
    frame = pd.DataFrame({"ds": ds[::-1], "required": [4.0, 3.0, 2.0, 1.0]})
    before = frame.copy()
    inst = roster.make_instance(
        frame, interval_min=15, lunch=None, shifts=roster.ShiftRules(start_step_min=15)
    )
    assert inst.start == ds[0]
    assert inst.required.tolist() == [1, 2, 3, 4]  # sorted by ds
    pd.testing.assert_frame_equal(frame, before)  # input untouched
    gappy = pd.DataFrame({"ds": ds[[0, 1, 3]], "required": [1, 1, 1]})
    with pytest.raises(ValueError, match="consecutive 15-min intervals"):
        roster.make_instance(gappy, interval_min=15, lunch=None)


def test_peak_weights_follow_documented_formula() -> None:
    # weight = 1 + peak_boost * r / max(r of that day); day 2 has its own maximum.
    req = np.r_[np.zeros(23), 4.0, [2.0, 1.0], np.zeros(22)]
    inst = roster.make_instance(
        req,
        interval_min=60,
        lunch=None,
        shifts=roster.ShiftRules(start_step_min=60),
        weights=roster.Weights(peak_boost=1.5),
    )
    w = inst.interval_weights
    assert w[23] == pytest.approx(2.5)
    assert w[24] == pytest.approx(2.5) and w[25] == pytest.approx(1.75)
    assert w[0] == pytest.approx(1.0)
