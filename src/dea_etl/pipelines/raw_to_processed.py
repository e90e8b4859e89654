"""raw_to_processed: every seed table in a lake's rawData/ -> processedData/ (typed Parquet)."""

from __future__ import annotations

from dea_etl.io.lake import Lake
from dea_etl.pipelines.audit import GATE_ARG
from dea_etl.pipelines.formats import FORMAT_ARGS
from dea_etl.pipelines.incremental import TableSource, convert_tables, open_bookmarks
from dea_etl.pipelines.limits import LIMIT_ARGS
from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult
from dea_etl.tables import source_table

DEFAULT_TABLES = ("customers", "employees", "orders", "tripdata")

ARGS = (
    Arg("lake", required=True, help="lake root: a folder or s3://BUCKET[/PREFIX]"),
    Arg("tables", default=",".join(DEFAULT_TABLES),
        help="comma-separated tables to process: seed tables, table files (.json) or glue://DATABASE/TABLE"),
    *FORMAT_ARGS,
    *LIMIT_ARGS,
    GATE_ARG,
)


def run(ctx: JobContext) -> list[TableResult]:
    lake = Lake(ctx.arg("lake"))
    names = [t.strip() for t in (ctx.args.get("tables") or ",".join(DEFAULT_TABLES)).split(",") if t.strip()]
    specs = [source_table(n) for n in names]
    tables = [
        TableSource(s, lake.raw(s.name), lake.processed(s.name), lake.quarantine(s.name)) for s in specs
    ]
    return convert_tables(ctx, open_bookmarks(ctx, lake.bookmarks, tables), tables)


JOB = JobSpec("raw_to_processed", ARGS, run, "all seed tables: rawData/ -> processedData/")
