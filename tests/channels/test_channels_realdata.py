"""Channel staffing on the fpp2 bank's real call arrivals (a weekday centre, 07:00-21:00).

The bank's week of 2003-10-13 gives the voice queue (real 30-min volumes, up to about 600
calls); e-mail arrives around the clock at a tenth of the week's calls.  References: Erlang C
for voice, and the multi-queue simulator for the whole plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from staffplan import channels, erlang

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def bank_week(shared_data) -> tuple[pd.DataFrame, np.ndarray]:  # type: ignore[no-untyped-def]
    calls = pd.read_csv(shared_data / "fpp2_calls" / "calls_30min.csv", parse_dates=["timestamp"])
    calls = calls[calls.n5 == 6].set_index("timestamp").calls.astype(float)
    idx = pd.date_range("2003-10-13", "2003-10-18", freq="30min", inclusive="left")
    voice = calls.reindex(idx, fill_value=0.0)
    open_ = np.asarray(voice > 0)
    mail = np.full(len(idx), voice.sum() * 0.1 / len(idx))
    return pd.DataFrame({"calls": voice.to_numpy(), "mail": mail}, index=idx), open_


def test_bank_week_voice_is_erlang_and_mail_fills_the_troughs(bank_week) -> None:  # type: ignore[no-untyped-def]
    vol, open_ = bank_week
    aht = {"calls": 300, "mail": 360}
    req = channels.channel_requirements(
        vol, aht, channel={"calls": "voice", "mail": "deferred"},
        service_level={"calls": 0.8, "mail": 0.95}, target_answer_s={"calls": 20, "mail": 4 * 3600},
        business_hours=open_,
    )  # fmt: skip
    np.testing.assert_array_equal(
        req.agents.calls, erlang.required_agents(vol.calls.to_numpy(), 300, target_answer_s=20)
    )
    assert req.planned_within["mail"] >= 0.95
    # Mail goes where the phones need fewer agents: more mail agents in the quietest third
    # of the open intervals than in the busiest third.
    calls_open = req.agents.calls[open_]
    low, high = calls_open.quantile([1 / 3, 2 / 3])
    mail_open = req.agents.mail[open_]
    assert mail_open[calls_open <= low].mean() > mail_open[calls_open >= high].mean()
    check = channels.check_in_simulation(req, vol, aht, runs=4, seed=1)
    assert check.meets.all(), check
