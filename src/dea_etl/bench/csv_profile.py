"""Bench section: the csv_to_parquet profile (see :func:`dea_etl.bench.csv.profile`)."""

from dea_etl.bench.csv import profile as run

__all__ = ["run"]
