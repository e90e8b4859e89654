"""csv_to_parquet: one table's CSV files -> typed Parquet, bad rows quarantined beside it."""

from __future__ import annotations

from dea_etl.io.csv import check_encoding
from dea_etl.io.lake import quarantine_path
from dea_etl.io.parquet import MODES
from dea_etl.pipelines.audit import GATE_ARG
from dea_etl.pipelines.formats import FORMAT_ARGS
from dea_etl.pipelines.incremental import TableSource, convert_tables, open_bookmarks
from dea_etl.pipelines.limits import LIMIT_ARGS
from dea_etl.runtime import Arg, JobContext, JobSpec, TableResult
from dea_etl.tables import TABLE_HELP, source_table

ARGS = (
    Arg("table", required=True, help=TABLE_HELP),
    Arg("input", required=True, help="a CSV file or a folder of them"),
    Arg("output", required=True, help="Parquet table folder"),
    Arg("quarantine", help="where rejected rows go (default: <output>_quarantine)"),
    Arg("write-mode", default="overwrite", choices=MODES, help="how the output is replaced"),
    Arg("encoding", default="UTF-8", help="the files' text encoding (UTF-8, ISO-8859-1, windows-1252, ...)"),
    *FORMAT_ARGS,
    *LIMIT_ARGS,
    GATE_ARG,
)


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


JOB = JobSpec("csv_to_parquet", ARGS, run, "one table's CSV files -> typed Parquet")
