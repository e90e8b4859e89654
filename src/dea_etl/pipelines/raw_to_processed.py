"""raw_to_processed: every seed table in a lake's rawData/ -> processedData/ (typed Parquet)."""

from __future__ import annotations

from dea_etl.io.lake import Lake
from dea_etl.pipelines.convert import ConvertRequest, convert, input_files
from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult
from dea_etl.schemas import TABLES, table_spec

DEFAULT_TABLES = ("customers", "employees", "orders", "tripdata")

ARGS = (
    Arg("lake", required=True, help="lake root: a folder or s3://BUCKET[/PREFIX]"),
    Arg("tables", default=",".join(DEFAULT_TABLES), help="comma-separated tables to process"),
)


def run(ctx: JobContext) -> list[TableResult]:
    lake = Lake(ctx.arg("lake"))
    names = [t.strip() for t in (ctx.args.get("tables") or ",".join(DEFAULT_TABLES)).split(",") if t.strip()]
    unknown = [n for n in names if n not in TABLES]
    if unknown:
        raise KeyError(f"unknown tables {unknown}; known: {sorted(TABLES)}")
    results = []
    for name in names:
        request = ConvertRequest(
            spec=table_spec(name),
            input_files=input_files(ctx.spark, lake.raw(name)),
            output=lake.processed(name),
            quarantine=lake.quarantine(name),
            run_id=ctx.run_id,
        )
        results.append(convert(ctx.spark, request))
    return results


JOB = JobSpec("raw_to_processed", ARGS, run, "all seed tables: rawData/ -> processedData/")
