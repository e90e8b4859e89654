"""CSV -> typed Parquet for one table, accounting for every row.

One pass over the input writes the valid rows and counts (with ``DataFrame.observe``) the lines, rows
and rejects. Only when rows were rejected does a second pass write them to the quarantine, with the
file, the physical line number, the original line and the reason. Both outputs are staged and published
together only when ``rows_in == rows_written + rows_quarantined``; otherwise nothing is published.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F

from dea_etl.errors import AccountingError, InputError
from dea_etl.io import files
from dea_etl.io.csv import is_skipped_line, read_lines
from dea_etl.io.parquet import StagedParquet
from dea_etl.io.tables import DEFAULT_FORMAT, Staged, TableFormat, stage_counted
from dea_etl.runtime.summary import TableResult
from dea_etl.schemas import TableSpec
from dea_etl.transforms.parsing import (
    LINE_NUMBER,
    REJECTED,
    SOURCE_FILE,
    parse_csv_lines,
    rejected_rows,
    valid_rows,
    with_partition_columns,
    with_typed_columns,
)

_BLOCK = "_block_start"
_INDEX = "_index"
_SKIPPED = "_is_skipped"


@dataclass(frozen=True)
class ConvertRequest:
    """Convert ``input_files`` of table ``spec`` into ``output`` (quarantine beside it)."""

    spec: TableSpec
    input_files: Sequence[str]
    output: str
    quarantine: str
    run_id: str
    mode: str = "overwrite"
    #: Partitioned output: one file per partition (a shuffle by the partition columns), or as the tasks write.
    cluster_partitions: bool = True
    table_format: TableFormat = DEFAULT_FORMAT


def parsed_rows(lines_df: DataFrame, spec: TableSpec) -> DataFrame:
    """Lines (header and blank ones already removed) -> processed columns + reject reason."""
    return (
        lines_df.transform(parse_csv_lines(spec))
        .transform(with_typed_columns(spec))
        .transform(with_partition_columns(spec))
    )


def with_line_numbers(lines_df: DataFrame) -> DataFrame:
    """Add ``line_number``: the physical, 1-based line number of each line in its file.

    Each file chunk read by one task keeps its order; chunks of a file are ordered by their start
    offset. Lines before a chunk = the line counts of the file's earlier chunks. Costs a scan, so it is
    used only for the quarantine pass.
    """
    indexed = lines_df.withColumn(_BLOCK, F.input_file_block_start()).withColumn(
        _INDEX, F.monotonically_increasing_id()
    )
    chunks = indexed.groupBy(SOURCE_FILE, _BLOCK).agg(
        F.min(_INDEX).alias("_first"), F.count(F.lit(1)).alias("_n")
    )
    earlier = Window.partitionBy(SOURCE_FILE).orderBy(_BLOCK).rowsBetween(Window.unboundedPreceding, -1)
    chunks = chunks.withColumn("_before", F.coalesce(F.sum("_n").over(earlier), F.lit(0)))
    return (
        indexed.join(F.broadcast(chunks), [SOURCE_FILE, _BLOCK])
        .withColumn(LINE_NUMBER, (F.col("_before") + F.col(_INDEX) - F.col("_first") + 1).cast("long"))
        .drop(_BLOCK, _INDEX, "_first", "_n", "_before")
    )


def read_csv_table(spark: SparkSession, spec: TableSpec, paths: Sequence[str]) -> tuple[DataFrame, DataFrame]:
    """CSV files of table ``spec`` as two lazy DataFrames: the typed rows that fit, and the rows that do not
    (``source_file``, ``line_number``, ``raw_line``, ``reason``). Every line but a header or a blank one is
    in exactly one of them. ``paths``: files or folders."""
    files_ = [f for p in paths for f in input_files(spark, p)]
    lines = with_line_numbers(read_lines(spark, files_)).where(~is_skipped_line(spec))
    rows = parsed_rows(lines, spec)
    return rows.transform(valid_rows(spec)), rejected_rows(rows)


def _stage_quarantine(spark: SparkSession, req: ConvertRequest) -> tuple[Staged, int]:
    lines = with_line_numbers(read_lines(spark, req.input_files))
    bad = parsed_rows(lines.where(~is_skipped_line(req.spec)), req.spec)
    return _stage_counted(
        rejected_rows(bad).withColumns({"run_id": F.lit(req.run_id), "table": F.lit(req.spec.name)}),
        req.quarantine, req, "append" if req.mode == "append" else "overwrite", (),
    )


def _stage_counted(
    df: DataFrame, target: str, req: ConvertRequest, mode: str, partition_by: Sequence[str], cluster: bool = True
) -> tuple[Staged, int]:
    return stage_counted(
        df, target, table_format=req.table_format, run_id=req.run_id, mode=mode, partition_by=partition_by,
        cluster_partitions=cluster,
    )


@dataclass
class StagedConversion:
    """A conversion written to staging and checked, waiting to be published (or discarded)."""

    result: TableResult
    staged: list[Staged]

    @property
    def publications(self) -> list[dict[str, Any]]:
        """The manifest publications of the Parquet tables (Iceberg tables settle from their snapshots)."""
        return [s.publication.to_dict() for s in self.staged if isinstance(s, StagedParquet)]

    def publish(self) -> None:
        for s in self.staged:
            s.publish()

    def discard(self) -> None:
        for s in self.staged:
            s.discard()


def convert(spark: SparkSession, req: ConvertRequest) -> TableResult:
    """Run the conversion; returns the table's result. Raises on unreadable input or lost rows."""
    conversion = stage_conversion(spark, req)
    try:
        conversion.publish()
    except BaseException:
        conversion.discard()
        raise
    return conversion.result


def stage_conversion(spark: SparkSession, req: ConvertRequest) -> StagedConversion:
    """Stage the conversion and check that every row is accounted for; publish nothing yet."""
    started = time.monotonic()
    if not req.input_files:
        raise InputError(f"{req.spec.name}: no input files")
    # The skipped-line test runs once per line; the count and the filter both read its result.
    lines = read_lines(spark, req.input_files).withColumn(_SKIPPED, is_skipped_line(req.spec))
    seen = Observation()
    lines = lines.observe(seen, F.count(F.lit(1)).alias("lines"), F.count_if(F.col(_SKIPPED)).alias("skipped"))
    rows = parsed_rows(lines.where(~F.col(_SKIPPED)).drop(_SKIPPED), req.spec)
    judged = Observation()
    rows = rows.observe(judged, F.count(F.lit(1)).alias("rows_in"), F.count_if(F.col(REJECTED)).alias("rejected"))
    staged_table, rows_written = _stage_counted(
        rows.transform(valid_rows(req.spec)), req.output, req, req.mode, req.spec.partition_by,
        req.cluster_partitions,
    )
    staged = [staged_table]
    try:
        rows_in, rejected = int(judged.get["rows_in"]), int(judged.get["rejected"])
        rows_quarantined = 0
        if rejected:
            staged_q, rows_quarantined = _stage_quarantine(spark, req)
            staged.append(staged_q)
        if rows_in != rows_written + rows_quarantined or rejected != rows_quarantined:
            raise AccountingError(
                f"{req.spec.name}: {rows_in} rows in != {rows_written} written + {rows_quarantined} quarantined "
                f"(did the input change during the run?); nothing was published"
            )
    except BaseException:
        for s in staged:
            s.discard()
        raise
    result = TableResult(
        table=req.spec.name,
        rows_in=rows_in,
        rows_written=rows_written,
        rows_quarantined=rows_quarantined,
        files_read=len(req.input_files),
        lines_skipped=int(seen.get["skipped"]),
        output=req.output,
        quarantine_output=req.quarantine if rows_quarantined else None,
        seconds=round(time.monotonic() - started, 3),
    )
    return StagedConversion(result, staged)


def input_files(spark: SparkSession, path: str) -> list[str]:
    """The data files at ``path`` (file or folder); raises :class:`InputError` when there are none."""
    found = files.list_files(spark, path)
    if not found:
        raise InputError(f"no input files under {path}")
    return [f.path for f in found]
