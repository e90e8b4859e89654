"""The main pipeline ``make run`` runs: lay out a lake from data/, then each step in order.

The lake is a local folder or ``s3://BUCKET[/PREFIX]``; the sample files of ``--data`` (a local folder)
are copied, or uploaded, into its ``rawData/<table>/`` first.

Steps today: raw -> processed for customers, employees, orders and taxi trips; the data-quality gate on
the processed tables (a quarantine-mode ruleset removes failing rows before anything is built on them);
then the sales marts, and the data-quality gate on the marts (their rulesets check them against the
processed tables they were built from).
"""

from __future__ import annotations

from pathlib import Path

from dea_etl.io.lake import lay_out_lake
from dea_etl.pipelines import data_quality, mart_quality, raw_to_processed, sales_mart
from dea_etl.pipelines.audit import GATE_ARG
from dea_etl.pipelines.formats import FORMAT_ARGS
from dea_etl.pipelines.limits import LIMIT_ARGS
from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult

SAMPLE_FILES = {
    "customers": "customers.csv",
    "employees": "employees.csv",
    "orders": "orders.csv",
    "tripdata": "tripdata.csv",
}

ARGS = (
    Arg("lake", default="lake", help="lake root to lay out and fill: a folder or s3://BUCKET[/PREFIX]"),
    Arg("data", default="data", help="folder with the sample CSV files"),
    data_quality.REPORT_ARG,
    *FORMAT_ARGS,
    *LIMIT_ARGS,
    GATE_ARG,
)

#: The pipeline, in order: the one definition (``make run``, the deployed Glue workflow and the Step Functions
#: state machine all follow it). raw -> processed, the data-quality gate on the processed tables (before the
#: marts, so that a quarantine-mode gate does not leave them built on rows it removed), the marts, then the
#: gate on the marts.
STEPS: tuple[JobSpec, ...] = (raw_to_processed.JOB, data_quality.JOB, sales_mart.JOB, mart_quality.JOB)
PIPELINE_ORDER: tuple[str, ...] = tuple(step.name for step in STEPS)


def run(ctx: JobContext) -> list[TableResult]:
    lay_out_lake(ctx.spark, ctx.arg("lake"), Path(ctx.arg("data")), SAMPLE_FILES)
    results: list[TableResult] = []
    for index, step in enumerate(STEPS, 1):
        with ctx.step(step.name, index, len(STEPS)):
            results.extend(step.run(ctx))
    return results


JOB = JobSpec(
    "pipeline", ARGS, run,
    f"lay out a lake (a folder or s3://BUCKET) from the sample data, then run {' -> '.join(PIPELINE_ORDER)}",
)
