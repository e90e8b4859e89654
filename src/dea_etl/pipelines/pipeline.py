"""The main pipeline ``make run`` runs: lay out a local lake from data/, then each step in order.

Steps today: raw -> processed for customers, employees, orders and taxi trips; the data-quality gate on
the processed tables (a quarantine-mode ruleset removes failing rows before anything is built on them);
then the sales marts, and the data-quality gate on the marts (their rulesets check them against the
processed tables they were built from).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dea_etl.io.lake import lay_out_local_lake
from dea_etl.pipelines import data_quality, raw_to_processed, sales_mart
from dea_etl.pipelines.audit import GATE_ARG
from dea_etl.pipelines.formats import FORMAT_ARGS
from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult

SAMPLE_FILES = {
    "customers": "customers.csv",
    "employees": "employees.csv",
    "orders": "orders.csv",
    "tripdata": "tripdata.csv",
}

ARGS = (
    Arg("lake", default="lake", help="local lake folder to lay out and fill"),
    Arg("data", default="data", help="folder with the sample CSV files"),
    data_quality.REPORT_ARG,
    *FORMAT_ARGS,
    GATE_ARG,
)

Step = Callable[[JobContext], list[TableResult]]
STEPS: list[tuple[str, Step]] = [
    ("raw_to_processed", raw_to_processed.run),
    ("data_quality", data_quality.run),
    ("sales_mart", sales_mart.run),
    ("mart_quality", data_quality.run_marts),
]


def run(ctx: JobContext) -> list[TableResult]:
    lay_out_local_lake(Path(ctx.arg("lake")), Path(ctx.arg("data")), SAMPLE_FILES)
    results: list[TableResult] = []
    for _name, step in STEPS:
        results.extend(step(ctx))
    return results


JOB = JobSpec("pipeline", ARGS, run, "lay out lake/ from data/ and run every step")
