"""Count the Spark jobs an action runs (tests that check how many passes an evaluation costs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import SparkSession


def jobs_of(spark: SparkSession, name: str, action: Callable[[], Any]) -> int:
    """Run ``action`` in job group ``name``; the number of Spark jobs it ran."""
    spark.sparkContext.setJobGroup(name, name)
    try:
        action()
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(name))
