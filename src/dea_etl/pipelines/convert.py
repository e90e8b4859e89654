"""CSV -> typed Parquet for one table, accounting for every row.

One pass over the input writes the valid rows and counts (with ``DataFrame.observe``) the records, rows
and rejects, taking each line as a record. The same pass counts the lines that open a quoted field they
do not close (an RFC 4180 record spanning lines); when there is one, that staging is discarded and the
input is read again with the records joined (:mod:`dea_etl.transforms.records`): files without such a
record never pay for it. Only when rows were rejected does a second pass write them to the quarantine,
with the file, the record's first line number, its original text and the reason. Both outputs are
written and published together only when ``rows_in == rows_written + rows_quarantined``; otherwise both
are discarded (a Parquet write's files deleted, an Iceberg branch dropped).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from dea_etl.errors import AccountingError, InputError, OutputError, root_cause
from dea_etl.io import files
from dea_etl.io.csv import is_skipped_line, read_lines, with_line_numbers
from dea_etl.io.paths import check_outputs
from dea_etl.io.tables import DEFAULT_FORMAT, Staged, TableFormat, stage_table
from dea_etl.runtime.summary import TableResult
from dea_etl.schemas import TableSpec
from dea_etl.transforms.limits import DEFAULT_LIMITS, CsvLimits
from dea_etl.transforms.parsing import (
    RAW_LINE,
    REJECTED,
    parse_csv_lines,
    rejected_rows,
    valid_rows,
    with_partition_columns,
    with_typed_columns,
)
from dea_etl.transforms.records import opens_quoted_field, records_from_lines

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
    #: The files' text encoding (bytes not valid in it send the record to the quarantine).
    encoding: str = "UTF-8"
    table_format: TableFormat = DEFAULT_FORMAT
    #: Line and field size limits: larger records are quarantined (see :mod:`dea_etl.transforms.limits`).
    limits: CsvLimits = DEFAULT_LIMITS


def parsed_rows(
    records_df: DataFrame, spec: TableSpec, encoding: str = "UTF-8", limits: CsvLimits = DEFAULT_LIMITS
) -> DataFrame:
    """Records (header and blank ones already removed) -> processed columns + reject reason."""
    return (
        records_df.transform(parse_csv_lines(spec))
        .transform(with_typed_columns(spec, encoding, limits))
        .transform(with_partition_columns(spec))
    )


def read_records(spark: SparkSession, req: ConvertRequest, *, spanning: bool, numbered: bool) -> DataFrame:
    """The input's records: each line (``spanning`` False) or RFC 4180 records joined from their lines
    (``spanning`` True, always numbered); ``numbered`` adds each record's first line number."""
    lines = read_lines(spark, req.input_files, req.encoding, req.limits.max_line_bytes)
    if spanning:
        return records_from_lines(with_line_numbers(lines), req.limits.max_line_bytes)
    return with_line_numbers(lines) if numbered else lines


def _observed(obs: Observation, counted: Callable[[], DataFrame], *metrics: Column) -> dict[str, int]:
    """The metrics ``obs`` collected, or, when it collected none, the same ``metrics`` of ``counted()`` by
    an aggregation of their own. Adaptive execution drops an observation from the plan when a shuffle after
    it turns out empty (no valid row of a partitioned table), and an empty input runs no task: the
    counts are then taken again rather than assumed to be zero."""
    found = obs.get
    if not found:
        found = counted().agg(*metrics).first().asDict()  # type: ignore[union-attr]
    return {k: int(v or 0) for k, v in found.items()}


def _stage_counted(
    df: DataFrame, target: str, req: ConvertRequest, mode: str, partition_by: Sequence[str], cluster: bool = True
) -> tuple[Staged, int]:
    rows = F.count(F.lit(1)).alias("rows")
    counted = Observation()
    try:
        staged = stage_table(
            df.observe(counted, rows), target, table_format=req.table_format, run_id=req.run_id, mode=mode,
            partition_by=partition_by, cluster_partitions=cluster,
        )
    except OutputError:
        raise
    except Exception as exc:  # Py4J / Spark: say which path and why, in one line
        raise OutputError(f"writing {target} failed: {root_cause(exc)}") from exc
    # When the observation is dropped (see _observed), what was staged is counted, not the input again.
    return staged, _observed(counted, staged.new_rows_df, rows)["rows"]


def read_csv_table(spark: SparkSession, spec: TableSpec, paths: Sequence[str]) -> tuple[DataFrame, DataFrame]:
    """CSV files of table ``spec`` as two lazy DataFrames: the typed rows that fit, and the rows that do not
    (``source_file``, ``line_number``, ``raw_line``, ``reason``). Every line but a header or a blank one is
    in exactly one of them. ``paths``: files or folders. Records may span lines (RFC 4180): each file's
    lines are joined into records, which costs a sort of each file's lines (the jobs pay it only when a
    line opens such a record)."""
    files_ = [f for p in paths for f in input_files(spark, p)]
    records = records_from_lines(with_line_numbers(read_lines(spark, files_))).where(~is_skipped_line(spec))
    rows = parsed_rows(records, spec)
    return rows.transform(valid_rows(spec)), rejected_rows(rows)


def _stage_quarantine(spark: SparkSession, req: ConvertRequest, spanning: bool) -> tuple[Staged, int]:
    records = read_records(spark, req, spanning=spanning, numbered=True)
    bad = parsed_rows(records.where(~is_skipped_line(req.spec)), req.spec, req.encoding, req.limits)
    return _stage_counted(
        rejected_rows(bad).withColumns({"run_id": F.lit(req.run_id), "table": F.lit(req.spec.name)}),
        req.quarantine, req, "append" if req.mode == "append" else "overwrite", (),
    )


@dataclass
class _Pass:
    """The main pass: valid rows staged, and what it counted."""

    staged: Staged
    rows_in: int
    rows_written: int
    rejected: int
    skipped: int
    spanning: int


def _main_pass(spark: SparkSession, req: ConvertRequest, spanning: bool) -> _Pass:
    # The skipped-record test runs once per record; the count and the filter both read its result.
    records = read_records(spark, req, spanning=spanning, numbered=False)
    records = records.withColumn(_SKIPPED, is_skipped_line(req.spec))
    opening = opens_quoted_field(F.col(RAW_LINE)) if not spanning else F.lit(False)
    record_metrics = (F.count_if(F.col(_SKIPPED)).alias("skipped"), F.count_if(opening).alias("spanning"))
    seen = Observation()

    def rows() -> DataFrame:  # the rows again, only when an observation was dropped (see _observed)
        return parsed_rows(records.where(~F.col(_SKIPPED)).drop(_SKIPPED), req.spec, req.encoding, req.limits)

    row_metrics = (F.count(F.lit(1)).alias("rows_in"), F.count_if(F.col(REJECTED)).alias("rejected"))
    judged = Observation()
    observed_rows = parsed_rows(
        records.observe(seen, *record_metrics).where(~F.col(_SKIPPED)).drop(_SKIPPED), req.spec, req.encoding,
        req.limits,
    ).observe(judged, *row_metrics)
    staged, written = _stage_counted(
        observed_rows.transform(valid_rows(req.spec)), req.output, req, req.mode, req.spec.partition_by,
        req.cluster_partitions,
    )
    counts = _observed(seen, lambda: records, *record_metrics) | _observed(judged, rows, *row_metrics)
    return _Pass(staged, counts["rows_in"], written, counts["rejected"], counts["skipped"], counts["spanning"])


@dataclass
class StagedConversion:
    """A conversion written to staging and checked, waiting to be published (or discarded)."""

    result: TableResult
    staged: list[Staged]

    @property
    def publications(self) -> list[dict[str, Any]]:
        """What each staged table publishes: a Parquet run's files, or an Iceberg branch."""
        return [s.claim_record() for s in self.staged]

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
    check_outputs(spark, req.input_files, [req.output, req.quarantine])
    main = _main_pass(spark, req, spanning=False)
    spanning = main.spanning > 0
    if spanning:  # a record spans lines: read again, joining each record's lines
        main.staged.discard()
        main = _main_pass(spark, req, spanning=True)
    staged = [main.staged]
    try:
        rows_quarantined = 0
        if main.rejected:
            staged_q, rows_quarantined = _stage_quarantine(spark, req, spanning)
            staged.append(staged_q)
        if main.rows_in != main.rows_written + rows_quarantined or main.rejected != rows_quarantined:
            raise AccountingError(
                f"{req.spec.name}: {main.rows_in} rows in != {main.rows_written} written + {rows_quarantined} "
                "quarantined (did the input change during the run?); nothing was published"
            )
    except BaseException:
        for s in staged:
            s.discard()
        raise
    result = TableResult(
        table=req.spec.name,
        rows_in=main.rows_in,
        rows_written=main.rows_written,
        rows_quarantined=rows_quarantined,
        files_read=len(req.input_files),
        lines_skipped=main.skipped,
        output=req.output,
        quarantine_output=req.quarantine if rows_quarantined else None,
        seconds=round(time.monotonic() - started, 3),
    )
    if spanning:
        result.metrics["records_spanning_lines"] = "yes: records joined from their lines (second read)"
    return StagedConversion(result, staged)


def input_files(spark: SparkSession, path: str) -> list[str]:
    """The data files at ``path`` (file or folder); raises :class:`InputError` when there are none."""
    found = files.list_files(spark, path)
    if not found:
        raise InputError(f"no input files under {path}")
    return [f.path for f in found]
