"""raw_to_processed: every seed table in a lake's rawData/ -> processedData/ (typed Parquet)."""

from __future__ import annotations

from dea_etl.io.lake import Lake
from dea_etl.pipelines.checks import SAMPLE_FILES
from dea_etl.pipelines.incremental import TableSource, convert_tables, open_bookmarks
from dea_etl.pipelines.specs import RAW_TO_PROCESSED
from dea_etl.runtime import JobContext, TableResult
from dea_etl.tables import source_table

DEFAULT_TABLES = tuple(SAMPLE_FILES)


def run(ctx: JobContext) -> list[TableResult]:
    lake = Lake(ctx.arg("lake"))
    names = [t.strip() for t in (ctx.args.get("tables") or ",".join(DEFAULT_TABLES)).split(",") if t.strip()]
    specs = [source_table(n) for n in names]
    tables = [
        TableSource(s, lake.raw(s.name), lake.processed(s.name), lake.quarantine(s.name)) for s in specs
    ]
    return convert_tables(ctx, open_bookmarks(ctx, lake.bookmarks, tables), tables)


#: Its declaration: arguments and checks (:mod:`dea_etl.pipelines.specs`).
JOB = RAW_TO_PROCESSED
