"""Every job's declaration: its name, its arguments (``--help`` is made from them), the checks made before
Spark starts (:mod:`dea_etl.pipelines.checks`) and where its work is (imported when the job runs).

Nothing here imports pyspark: ``dea-etl run JOB`` parses the arguments and checks them without a JVM, so
a bad call is refused in a moment. Each job's work is in its own module (``csv_to_parquet.run``, ...).
"""

from __future__ import annotations

from dea_etl.pipelines import checks
from dea_etl.pipelines.formats import FORMAT_ARGS
from dea_etl.pipelines.limits import LIMIT_ARGS
from dea_etl.runtime import Arg, Deferred, JobSpec

#: How a table's output is replaced (:data:`dea_etl.io.parquet.MODES`).
WRITE_MODES = ("overwrite", "overwrite-partitions", "append")
#: sales_mart's default (:data:`dea_etl.transforms.joins.DEFAULT_BROADCAST_MAX_BYTES`).
BROADCAST_MAX_BYTES = 64 * 1024 * 1024
#: What ``--table`` accepts (:data:`dea_etl.tables.TABLE_HELP`).
TABLE_HELP = (
    f"the files' table: a seed table ({', '.join(checks.seed_tables())}), a table file (.json, see "
    "dea_etl.tables.files) or glue://DATABASE/TABLE"
)

LAKE_ARG = Arg("lake", required=True, help="lake root: a folder or s3://BUCKET[/PREFIX]")
GATE_ARG = Arg("dq-gate", default="off", choices=("off", "on"),
               help="check each table's shipped ruleset on the staged rows before publishing (Iceberg)")
REPORT_ARG = Arg("report", help="folder or s3:// prefix: write each table's data-quality report to REPORT/<table>/")


def _work(module: str, function: str = "run") -> Deferred:
    return Deferred(f"dea_etl.pipelines.{module}:{function}")


CSV_TO_PARQUET = JobSpec(
    "csv_to_parquet",
    (
        Arg("table", required=True, help=TABLE_HELP),
        Arg("input", required=True, help="a CSV file or a folder of them"),
        Arg("output", required=True, help="Parquet table folder"),
        Arg("quarantine", help="where rejected rows go (default: <output>_quarantine)"),
        Arg("write-mode", default="overwrite", choices=WRITE_MODES, help="how the output is replaced"),
        Arg("encoding", default="UTF-8", help="the files' text encoding (UTF-8, ISO-8859-1, windows-1252, ...)"),
        *FORMAT_ARGS,
        *LIMIT_ARGS,
        GATE_ARG,
    ),
    _work("csv_to_parquet"), "one table's CSV files -> typed Parquet", checks.csv_to_parquet, checks.short_input,
)

RAW_TO_PROCESSED = JobSpec(
    "raw_to_processed",
    (
        LAKE_ARG,
        Arg("tables", default=",".join(checks.SAMPLE_FILES),
            help="comma-separated tables to process: seed tables, table files (.json) or glue://DATABASE/TABLE"),
        *FORMAT_ARGS,
        *LIMIT_ARGS,
        GATE_ARG,
    ),
    _work("raw_to_processed"), "all seed tables: rawData/ -> processedData/", checks.raw_to_processed,
    checks.short_raw,
)

NYC_TAXI = JobSpec(
    "nyc_taxi",
    (
        Arg("input", required=True, help="tripdata CSV file or folder (with header)"),
        Arg("output", required=True, help="Parquet output folder"),
        *FORMAT_ARGS,
        *LIMIT_ARGS,
    ),
    _work("nyc_taxi"), "NYC green taxi trips CSV -> Parquet", checks.nyc_taxi, checks.short_input,
)

DATA_QUALITY = JobSpec(
    "data_quality",
    (
        LAKE_ARG,
        Arg("tables", help="comma-separated tables or marts to check (default: every seed table with a ruleset)"),
        REPORT_ARG,
        *FORMAT_ARGS,
    ),
    _work("data_quality"), "run the DQDL rulesets on the processed tables or the marts (fail or quarantine)",
    checks.data_quality, checks.short_lake,
)

SALES_MART = JobSpec(
    "sales_mart",
    (
        LAKE_ARG,
        Arg("months", help="comma-separated YYYY-MM: rebuild only these months of the monthly marts"),
        Arg("broadcast-max-bytes", default=str(BROADCAST_MAX_BYTES),
            help="broadcast a dimension whose estimated size is at most this many bytes"),
        *FORMAT_ARGS,
    ),
    _work("sales_mart"), "processed orders, customers, employees -> sales marts", checks.sales_mart,
    checks.short_lake,
)

MART_QUALITY = JobSpec(
    "mart_quality", (LAKE_ARG, REPORT_ARG, *FORMAT_ARGS), _work("data_quality", "run_marts"),
    "run the marts' DQDL rulesets after sales_mart (fail or quarantine)", checks.mart_quality, checks.short_lake,
)

#: The pipeline, in order: the one definition (``make run``, the deployed Glue workflow, EMR steps, EMR
#: Serverless runs and the Step Functions state machine all follow it). raw -> processed, the data-quality
#: gate on the processed tables (before the marts, so that a quarantine-mode gate does not leave them built
#: on rows it removed), the marts, then the gate on the marts.
STEPS: tuple[JobSpec, ...] = (RAW_TO_PROCESSED, DATA_QUALITY, SALES_MART, MART_QUALITY)
PIPELINE_ORDER: tuple[str, ...] = tuple(step.name for step in STEPS)

PIPELINE = JobSpec(
    "pipeline",
    (
        Arg("lake", default="lake", help="lake root to lay out and fill: a folder or s3://BUCKET[/PREFIX]"),
        Arg("data", default="data", help="folder with the sample CSV files"),
        REPORT_ARG,
        *FORMAT_ARGS,
        *LIMIT_ARGS,
        GATE_ARG,
    ),
    _work("pipeline"),
    f"lay out a lake (a folder or s3://BUCKET) from the sample data, then run {' -> '.join(PIPELINE_ORDER)}",
    checks.pipeline,
    checks.short_pipeline,
)

#: Every job by name.
JOBS: dict[str, JobSpec] = {
    job.name: job
    for job in (CSV_TO_PARQUET, RAW_TO_PROCESSED, NYC_TAXI, DATA_QUALITY, SALES_MART, MART_QUALITY, PIPELINE)
}
