"""Plans shared by the plan tests (fast roster limits)."""

from __future__ import annotations

import pandas as pd
import pytest
from _plan_testdata import FAST, RULES, START, synthetic_history

from staffplan.plan import ServiceTarget


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    return synthetic_history()


@pytest.fixture(scope="session")
def service() -> ServiceTarget:
    return ServiceTarget(service_level=0.8, target_answer_s=20, shrinkage=0.3)


@pytest.fixture(scope="session")
def base_plan(history, service):
    """A 2-day plan of the synthetic centre staffed to the mean, simulated."""
    import staffplan

    return staffplan.plan(
        history, horizon="2D", start=START, service=service, rules=RULES, rng=3, **FAST
    )


@pytest.fixture(scope="session")
def quantile_plan(history, service):
    """The same centre staffed to the 0.95 volume quantile, not simulated."""
    import staffplan

    return staffplan.plan(
        history,
        horizon="2D",
        start=START,
        service=service,
        rules=RULES,
        volume_quantile=0.95,
        simulate=False,
        rng=3,
        **FAST,
    )
