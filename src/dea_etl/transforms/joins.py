"""Join helpers: broadcast a dimension when it is small, judged by the optimizer's size estimate."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

#: Dimensions up to this estimated size are broadcast (Spark's own default threshold is 10 MiB).
DEFAULT_BROADCAST_MAX_BYTES = 64 * 1024 * 1024


def estimated_size_bytes(df: DataFrame) -> int:
    """The optimizer's size estimate of ``df`` (``sizeInBytes`` of its optimized logical plan).

    For a Parquet scan this is the files' size scaled to the selected columns. A frame whose size
    Spark cannot tell (one built from a Python list or an RDD) estimates as
    ``spark.sql.defaultSizeInBytes`` (huge), so it is never judged small. No job runs to compute it.
    """
    stats = df._jdf.queryExecution().optimizedPlan().stats()
    return int(str(stats.sizeInBytes()))


def broadcast_if_small(df: DataFrame, max_bytes: int = DEFAULT_BROADCAST_MAX_BYTES) -> DataFrame:
    """``df`` with a broadcast hint when its estimated size is at most ``max_bytes``, else ``df`` as is."""
    return F.broadcast(df) if estimated_size_bytes(df) <= max_bytes else df
