"""Where a job runs and how: platform, arguments, SparkSession, JobContext, run summary.

Importing it does not import pyspark (a job's declaration and its checks run before Spark starts);
:func:`get_spark` loads it on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dea_etl.runtime.args import COMMON_ARGS, Arg, parse_job_args
from dea_etl.runtime.context import Check, Deferred, JobContext, JobSpec, new_run_id, run_job
from dea_etl.runtime.platform import Platform, detect_platform
from dea_etl.runtime.summary import RunSummary, TableResult

if TYPE_CHECKING:
    from dea_etl.runtime.session import get_spark


def __getattr__(name: str) -> Any:
    if name == "get_spark":
        from dea_etl.runtime.session import get_spark

        return get_spark
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMMON_ARGS",
    "Arg",
    "Check",
    "Deferred",
    "JobContext",
    "JobSpec",
    "Platform",
    "RunSummary",
    "TableResult",
    "detect_platform",
    "get_spark",
    "new_run_id",
    "parse_job_args",
    "run_job",
]
