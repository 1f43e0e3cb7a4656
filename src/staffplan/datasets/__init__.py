"""Bundled sample data and loaders for a user's own files.

- :func:`load_sample`: the bundled sample centre (two queues, eight weeks of
  30-minute volumes and AHT, a campaign, a holiday, a future campaign).
- :func:`generate_sample`: the seeded generator that made it, for other sizes,
  interval lengths or seeds, and round-the-clock centres (``hours="24/7"``, with
  a night floor, a weekly pattern, a wandering day level and Poisson or
  overdispersed counts as options).
- :func:`read_history`, :func:`read_events`: a user's CSV or Parquet files, with
  errors that name the file, column and row (:class:`DataFileError`);
  :func:`read_table` is the one reader under them and under every command.
- :func:`read_people`, :func:`read_leave`: a people table (one row per person, contract
  columns) and a leave table for :func:`staffplan.roster.solve_people`; a small example
  ships as :func:`sample_people_paths`.
"""

from __future__ import annotations

from ._generate import WEEKDAY_FACTOR, WEEKDAY_FACTOR_247, WEEKDAY_PROFILE, generate_sample
from ._people import PEOPLE_COLUMNS, read_leave, read_people, sample_people_paths
from ._read import DataFileError, load_sample, read_events, read_history, read_table

__all__ = [
    "PEOPLE_COLUMNS",
    "WEEKDAY_FACTOR",
    "WEEKDAY_FACTOR_247",
    "WEEKDAY_PROFILE",
    "DataFileError",
    "generate_sample",
    "load_sample",
    "read_events",
    "read_history",
    "read_leave",
    "read_people",
    "read_table",
    "sample_people_paths",
]
