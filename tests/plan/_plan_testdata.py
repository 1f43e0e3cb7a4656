"""Small synthetic centres shared by the plan tests (fast roster limits)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# A 08:00-16:00 weekday centre: small enough that a 2-day roster solves in seconds.
OPEN, CLOSE = "08:00", "16:00"
START = "2024-02-05"  # the Monday after the history
FAST = {"time_limit_s": 5.0, "num_workers": 1, "n_reps": 10, "forecast_method": "profile"}
RULES = {
    "shifts": [
        {"name": "day", "earliest_start": "08:00", "latest_start": "08:00", "lengths_min": [480]},
        {"name": "part", "earliest_start": "08:00", "latest_start": "12:00", "lengths_min": [240]},
    ],
    "lunch": {"length_min": 30, "earliest_start_min": 180, "latest_start_min": 300},
    "breaks": [
        {"length_min": 30, "earliest_start_min": 60, "latest_start_min": 120, "min_shift_min": 480}
    ],
    "span": {"max_agents_per_lead": 10, "manager_above_agents": None},
}


def synthetic_history(
    *,
    weeks: int = 5,
    daily_volume: float = 500.0,
    aht_s: float = 240.0,
    queues: tuple[str, ...] = ("sales",),
    seed: int = 1,
) -> pd.DataFrame:
    """Weekday 30-min history with a morning peak; Poisson volumes, seeded."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2024-01-01", periods=5 * weeks)
    slots = pd.date_range(
        f"2024-01-01 {OPEN}", f"2024-01-01 {CLOSE}", freq="30min", inclusive="left"
    )
    hour = np.asarray(slots.hour + slots.minute / 60, dtype=float)
    shape = np.exp(-0.5 * ((hour - 11.0) / 2.5) ** 2)
    shape = shape / shape.sum()
    frames = []
    for k, queue in enumerate(queues):
        for day in days:
            ds = day + (slots - slots[0].normalize())
            lam = daily_volume * (1 + 0.3 * k) * shape
            frames.append(
                pd.DataFrame(
                    {
                        "queue": queue,
                        "ds": ds,
                        "volume": rng.poisson(lam).astype(float),
                        "aht_s": aht_s * (1 + 0.1 * k),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)
