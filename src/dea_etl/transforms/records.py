"""RFC 4180 records from CSV text lines: a quoted field may hold line breaks, so a record may span lines.

Most files have no such record, and treating every line as a record is then exact and cheap. The test
:func:`opens_quoted_field` finds a line that starts a record spanning lines (its last field opens a
quoted field that the line does not close); only inputs with such a line need :func:`records_from_lines`,
which orders each file's lines and joins the lines of each record (a sort of each file's lines: paid
only then).

How a line is read, by the quotes it holds (``""`` inside a quoted field counts twice, so it changes nothing):

- outside a record, a line with an even number of quotes is a whole record;
- outside, a line with an odd number whose last field opens a quoted field starts a record spanning lines;
- outside, any other line with an odd number (a quote inside an unquoted field) is a record of its own,
  malformed, so that a stray quote cannot swallow the lines after it;
- inside a record, a line with an even number of quotes continues it, an odd number ends it.

A record whose quotes do not balance (a quoted field never closed before the end of the file, a stray
quote) is rejected by the parser with a reason; nothing here drops or merges text silently.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from dea_etl.transforms.limits import DEFAULT_MAX_LINE_BYTES, LINE_BYTES, PREFIX_CHARS
from dea_etl.transforms.parsing import BAD_BYTES, LINE_NUMBER, RAW_LINE, SOURCE_FILE, quote_count

#: A line whose fields are complete up to a last field that opens a quoted field left open.
_OPENS = r'^(?:(?:[^",]*+|"(?:[^"]|"")*+"),)*+"(?:[^"]|"")*+$'
_IN_AFTER = "_in_after"
_IN_BEFORE = "_in_before"
_OPENS_COL = "_opens"
_ODD = "_odd"
_OPEN_COUNT = "_open_count"
_START = "_record_start"
_RECORD_BYTES = "_record_bytes"
#: Lines of a record are joined with this (the text reader drops the line break; LF stands in for it).
LINE_BREAK = "\n"


def has_odd_quotes(line: Column) -> Column:
    """True when the text holds an odd number of double quotes (cheap for lines without any)."""
    return (F.instr(line, '"') > 0) & (quote_count(line) % 2 == 1)


def opens_quoted_field(line: Column) -> Column:
    """True for a line (read from outside a record) that starts a record spanning lines."""
    return has_odd_quotes(line) & line.rlike(_OPENS)


def records_from_lines(lines_df: DataFrame, max_record_bytes: int = DEFAULT_MAX_LINE_BYTES) -> DataFrame:
    """Lines with ``line_number`` -> records: (RAW_LINE = the record's text, SOURCE_FILE, LINE_NUMBER =
    its first line, LINE_BYTES, and BAD_BYTES when the lines have it: any of its lines'). Other columns are
    dropped. Each file's lines meet in one task, in order.

    A line the reader cut (over the line limit: LINE_BYTES) is a record of its own. A record whose lines
    add up to more than ``max_record_bytes`` is not joined: it keeps its first line's first characters
    and its size in LINE_BYTES (a quoted field never closed cannot gather the rest of a file in memory)."""
    line = F.col(RAW_LINE)
    in_file = Window.partitionBy(SOURCE_FILE).orderBy(LINE_NUMBER)
    upto = in_file.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    flags = [BAD_BYTES] if BAD_BYTES in lines_df.columns else []
    cut_before = F.col(LINE_BYTES) if LINE_BYTES in lines_df.columns else F.lit(None).cast("long")
    whole = cut_before.isNull()
    classed = lines_df.select(
        SOURCE_FILE, LINE_NUMBER, RAW_LINE, *flags, cut_before.alias(LINE_BYTES),
        (has_odd_quotes(line) & whole).alias(_ODD), (opens_quoted_field(line) & whole).alias(_OPENS_COL),
    )
    # Openers seen so far; a stray-quote line (odd, not an opener) resets the state to outside, so
    # the state after a line is the parity of the openers since the last such line.
    counted = classed.withColumn(_OPEN_COUNT, F.sum(F.col(_OPENS_COL).cast("int")).over(upto))
    resets = F.coalesce(F.max(F.when(F.col(_ODD) & ~F.col(_OPENS_COL), F.col(_OPEN_COUNT))).over(upto), F.lit(0))
    stated = counted.withColumn(_IN_AFTER, (F.col(_OPEN_COUNT) - resets) % 2 == 1)
    in_before = F.lag(_IN_AFTER, 1, False).over(in_file)
    # A window's result cannot feed another window in one projection: in_before is projected first.
    started = stated.withColumn(_IN_BEFORE, in_before).withColumn(
        _START, F.max(F.when(~F.col(_IN_BEFORE), F.col(LINE_NUMBER))).over(upto)
    )
    # The record's size first (a window over its lines, which spills to disk), so that only records
    # within the limit have their lines collected and joined.
    sized = started.withColumn(
        _RECORD_BYTES, F.sum(F.octet_length(line)).over(Window.partitionBy(SOURCE_FILE, _START)))
    fits = F.col(_RECORD_BYTES) <= max_record_bytes
    parts = F.array_sort(F.collect_list(F.when(fits, F.struct(F.col(LINE_NUMBER), line))))
    too_big = F.max(_RECORD_BYTES) > max_record_bytes
    return sized.groupBy(SOURCE_FILE, F.col(_START).alias(LINE_NUMBER)).agg(
        F.when(too_big, F.min_by(F.substring(line, 1, PREFIX_CHARS), F.col(LINE_NUMBER)))
        .otherwise(F.concat_ws(LINE_BREAK, F.transform(parts, lambda p: p[RAW_LINE]))).alias(RAW_LINE),
        F.when(too_big, F.max(_RECORD_BYTES)).otherwise(F.max(LINE_BYTES)).alias(LINE_BYTES),
        *(F.max(f).alias(f) for f in flags),
    ).select(RAW_LINE, SOURCE_FILE, LINE_NUMBER, LINE_BYTES, *flags)
