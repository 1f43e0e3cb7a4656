"""Many queues and sites in parallel: forecast, staff and plan them all at once.

One submit/collect loop runs inline (``executor="serial"``), on a local
process pool (the default) or on a Dask cluster (a ``dask.distributed.Client``,
``[dask]`` extra). Queues are grouped once and shipped in batches; results come
back sorted by (site, queue) with a per-queue status, and one queue failing
never loses the others.

>>> from staffplan.many import staff_many
>>> res = staff_many(history, 48 * 7, site_col="site", service_level=0.8)  # doctest: +SKIP
>>> res.frame            # forecast + traffic_erl + agents, all queues  # doctest: +SKIP
>>> res.status           # site, queue, status, error, seconds         # doctest: +SKIP
"""

from __future__ import annotations

from ._api import forecast_many, map_queues, plan_many, staff_many
from ._grouping import default_batch_size
from ._result import ManyResult
from ._runner import InlineExecutor, cpu_count

__all__ = [
    "InlineExecutor",
    "ManyResult",
    "cpu_count",
    "default_batch_size",
    "forecast_many",
    "map_queues",
    "plan_many",
    "staff_many",
]
