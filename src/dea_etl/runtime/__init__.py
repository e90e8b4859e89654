"""Where a job runs and how: platform, arguments, SparkSession, JobContext, run summary."""

from dea_etl.runtime.args import COMMON_ARGS, Arg, parse_job_args
from dea_etl.runtime.context import JobContext, JobSpec, new_run_id, run_job
from dea_etl.runtime.platform import Platform, detect_platform
from dea_etl.runtime.session import get_spark
from dea_etl.runtime.summary import RunSummary, TableResult

__all__ = [
    "COMMON_ARGS",
    "Arg",
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
