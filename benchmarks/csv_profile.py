"""Bench section: the csv_to_parquet profile (see :func:`benchmarks.csv.profile`)."""

from benchmarks.csv import profile as run

__all__ = ["run"]
