"""Paths looked at before Spark starts: :mod:`dea_etl.io.paths` (Spark-free) is where they are looked at."""

from __future__ import annotations

from dea_etl.io.paths import check_input, check_outputs, exists, folders, is_file, normalized

__all__ = ["check_input", "check_outputs", "exists", "folders", "is_file", "normalized"]
