"""The jobs' library calls. ``JOBS`` maps a job name to its :class:`~dea_etl.runtime.JobSpec`."""

from __future__ import annotations

from dea_etl.pipelines import (
    csv_to_parquet,
    data_quality,
    mart_quality,
    nyc_taxi,
    pipeline,
    raw_to_processed,
    sales_mart,
)
from dea_etl.runtime import JobSpec

JOBS: dict[str, JobSpec] = {
    job.name: job
    for job in (
        csv_to_parquet.JOB,
        raw_to_processed.JOB,
        nyc_taxi.JOB,
        data_quality.JOB,
        sales_mart.JOB,
        mart_quality.JOB,
        pipeline.JOB,
    )
}

__all__ = ["JOBS"]
