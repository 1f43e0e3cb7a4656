"""Every default of staffplan, in one place.

The Python API (:func:`staffplan.plan`, :class:`staffplan.plan.ServiceTarget`,
:class:`staffplan.roster.Rules`) and every command of the command line take
their defaults from here, so that ``staffplan forecast | staff | roster``,
``staffplan plan`` and ``staffplan.plan()`` plan the same centre the same way.
The documentation quotes these names.

======================  ==============  ==================================================
name                    value           meaning
======================  ==============  ==================================================
SERVICE_LEVEL           0.8             share answered within TARGET_ANSWER_S [fraction]
TARGET_ANSWER_S         20.0            answer-time threshold of the service level [s]
MAX_OCCUPANCY           0.9             cap on agent occupancy [fraction]
SHRINKAGE               0.3             on-floor time lost to meetings, training, absence
HORIZON                 "7D"            length of a plan / forecast
QUANTILES               0.05, 0.5, 0.95 forecast quantile levels
FORECAST_METHOD         "auto"          forecast model, chosen per queue by backtest
SHIFT_LENGTHS_MIN       480, 240        shift types fitted to the opening hours [min]
SHIFT_NAMES             "day", "part"   their names
LUNCH_MIN               30              lunch length [min] (one interval on coarser grids)
BREAK_MIN               15              rostered break [min] (a share of a coarser interval)
TIME_LIMIT_S            20.0            roster solver budget [s]
ROSTER_GAP              0.002           a roster search stops this close to its bound
NUM_WORKERS             2               CP-SAT search workers
SEED                    0               seed of solver and simulation
N_REPS                  20              simulation replications per day
SIM_TOLERANCE           0.05            formula/simulation service-level gap allowed
STAFFING                "erlang"        requirement per interval by the formula alone
ROUND_TOL               1e-6            tolerance of the one rounding to whole agents
MAX_OVERTIME_MIN        120             longest shift extension a re-plan proposes [min]
MAX_EARLY_LEAVE_MIN     120             earliest leave a re-plan proposes [min]
======================  ==============  ==================================================
"""

from __future__ import annotations

__all__ = [
    "BREAK_MIN",
    "FORECAST_METHOD",
    "HORIZON",
    "LUNCH_MIN",
    "MAX_EARLY_LEAVE_MIN",
    "MAX_OCCUPANCY",
    "MAX_OVERTIME_MIN",
    "NUM_WORKERS",
    "N_REPS",
    "QUANTILES",
    "ROSTER_GAP",
    "ROUND_TOL",
    "SEED",
    "SERVICE_LEVEL",
    "SHIFT_LENGTHS_MIN",
    "SHIFT_NAMES",
    "SHRINKAGE",
    "SIM_TOLERANCE",
    "STAFFING",
    "TARGET_ANSWER_S",
    "TIME_LIMIT_S",
]

SERVICE_LEVEL: float = 0.8
TARGET_ANSWER_S: float = 20.0
MAX_OCCUPANCY: float = 0.9
SHRINKAGE: float = 0.3
HORIZON: str = "7D"
QUANTILES: tuple[float, ...] = (0.05, 0.5, 0.95)
FORECAST_METHOD: str = "auto"
SHIFT_LENGTHS_MIN: tuple[int, ...] = (480, 240)
SHIFT_NAMES: tuple[str, ...] = ("day", "part")
LUNCH_MIN: int = 30
BREAK_MIN: int = 15
TIME_LIMIT_S: float = 20.0
#: A CP-SAT search stops once its roster is within this share of its proven bound
#: [fraction]: the last 0.2% of a roster's cost is not worth a planner's wait.
ROSTER_GAP: float = 0.002
NUM_WORKERS: int = 2
SEED: int = 0
N_REPS: int = 20
SIM_TOLERANCE: float = 0.05
#: ``"erlang"`` or ``"time_stable"`` (raised where a simulation that carries backlog over
#: finds the target missed; see :mod:`staffplan.plan._isa`).
STAFFING: str = "erlang"
#: Fractional requirements become whole agents once, as ``ceil(x - ROUND_TOL)``, so that
#: ``2.0000001`` (floating-point noise from a staffing formula) needs 2 agents, not 3.
ROUND_TOL: float = 1e-6
MAX_OVERTIME_MIN: int = 120
MAX_EARLY_LEAVE_MIN: int = 120
