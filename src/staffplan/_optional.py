"""Imports of optional dependencies with a clear install hint."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]

_EXTRA_FOR = {
    "matplotlib": "plot",
    "pyarrow": "parquet",
    "dask": "dask",
    "distributed": "dask",
    "tqdm": "progress",
    "statsforecast": "bench",
    "holidays": "holidays",
    "threadpoolctl": "fast",
}


def require(module: str, *, purpose: str) -> ModuleType:
    """Import ``module`` or raise ImportError naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        extra = _EXTRA_FOR.get(top, "dev")
        raise ImportError(
            f"{purpose} needs {top}, which is not installed: pip install 'staffplan[{extra}]'"
        ) from None
