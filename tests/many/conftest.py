"""A two-worker Dask cluster shared by the many-queue tests (started once, when asked)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A ``LocalCluster`` of 2 worker processes; skips when dask is not installed."""
    distributed = pytest.importorskip(
        "distributed", reason="dask.distributed is not installed (the [dask] extra)"
    )
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
