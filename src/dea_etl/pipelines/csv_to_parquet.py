"""csv_to_parquet: one table's CSV files -> typed Parquet, bad rows quarantined beside it."""

from __future__ import annotations

from dea_etl.io.csv import check_encoding
from dea_etl.io.lake import quarantine_path
from dea_etl.pipelines.incremental import TableSource, convert_tables, open_bookmarks
from dea_etl.pipelines.specs import CSV_TO_PARQUET
from dea_etl.runtime import JobContext, TableResult
from dea_etl.tables import source_table


def run(ctx: JobContext) -> list[TableResult]:
    output = ctx.arg("output")
    table = TableSource(
        spec=source_table(ctx.arg("table")),
        source=ctx.arg("input"),
        output=output,
        quarantine=ctx.args.get("quarantine") or quarantine_path(output),
        mode=ctx.arg("write_mode"),
        encoding=check_encoding(ctx.arg("encoding")),
    )
    return convert_tables(ctx, open_bookmarks(ctx, tables=[table]), [table])


#: Its declaration: arguments and checks (:mod:`dea_etl.pipelines.specs`).
JOB = CSV_TO_PARQUET
