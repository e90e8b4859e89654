"""Turn CSV text lines into typed rows, with a reason for every row that does not fit.

Pure ``DataFrame -> DataFrame`` steps (use with ``df.transform``). The input has one row per CSV record
(a line, or the lines of a record spanning lines: :mod:`dea_etl.transforms.records`) in :data:`RAW_LINE`
and the file it came from in :data:`SOURCE_FILE`. A row that does not fit (wrong number
of fields, text in a numeric column, an unparseable date, an empty required column) keeps its line and
gets a :data:`REJECT_REASON`; valid rows have a null reason. Nothing is nulled or dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl import schemas
from dea_etl.jvm import functions
from dea_etl.schemas import TableSpec
from dea_etl.transforms.limits import DEFAULT_LIMITS, LINE_BYTES, CsvLimits, field_size_problem, field_too_big, record_problem

RAW_LINE = "_raw_line"
SOURCE_FILE = "_source_file"
REJECT_REASON = "_reject_reason"
#: True when the row does not fit (then REJECT_REASON says why).
REJECTED = "_is_rejected"
CORRUPT_RECORD = "_corrupt_record"
#: True when the line's bytes are not valid in the input's encoding (set by readers that decode).
BAD_BYTES = "_has_bad_bytes"
#: The line's bytes as read, when a reader that decodes found them not valid (else null).
RAW_BYTES = "_raw_bytes"
LINE_NUMBER = "line_number"
_FIELDS = "_fields"
_PARSED = "_parsed"
_QUOTED = "_has_quote"
_RAW_PREFIX = "_raw_"

Transform = Callable[[DataFrame], DataFrame]

UNBALANCED_QUOTES = (
    "malformed CSV record: unbalanced quotes (a quoted field not closed before the end of the file, "
    "or a quote inside an unquoted field)"
)


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def quote_count(line: Column) -> Column:
    """How many double quotes the text holds."""
    return F.length(line) - F.length(F.translate(line, '"', ""))


def parse_csv_lines(spec: TableSpec) -> Transform:
    """Split each line into the spec's raw columns (as text); malformed lines get a reject reason.

    Lines without a double quote are split on commas (exactly what a CSV parser does with them, at a
    fraction of the cost); lines with quotes go through Spark's CSV parser (``from_csv``), which handles
    quoted commas, escaped quotes and (in a record joined from several lines) line breaks. A record with
    an odd number of quotes is malformed. Empty fields become null either way.
    """
    ddl = ", ".join(f"{_quoted(c.raw_name)} STRING" for c in spec.columns) + f", {CORRUPT_RECORD} STRING"
    # RFC 4180: a quote inside a quoted field is written twice ("say ""hi""").
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": CORRUPT_RECORD, "escape": "\""}
    expected = len(spec.columns)

    def step(df: DataFrame) -> DataFrame:
        line = F.col(RAW_LINE)
        has_quote = F.instr(line, '"') > 0
        pieces = F.split(line, ",", -1)
        csv_fields = F.from_csv(line, ddl, options)
        split_df = df.withColumn(_QUOTED, has_quote).withColumn(
            _FIELDS, F.when(~F.col(_QUOTED), pieces)
        ).withColumn(_PARSED, F.when(F.col(_QUOTED), csv_fields))

        def field(i: int, name: str) -> Column:
            piece = F.col(_FIELDS).getItem(i)
            return F.when(F.col(_QUOTED), F.col(f"{_PARSED}.{_quoted(name)}")).otherwise(
                F.when(piece != "", piece)
            )

        found = F.size(F.col(_FIELDS))
        quotes = quote_count(line)
        reason = F.when(
            F.col(_QUOTED),
            F.when(quotes % 2 == 1, F.lit(UNBALANCED_QUOTES)).when(
                F.col(f"{_PARSED}.{CORRUPT_RECORD}").isNotNull(),
                F.lit(f"malformed CSV record: expected {expected} fields"),
            ),
        ).otherwise(
            F.when(found != expected, F.format_string(f"malformed CSV record: expected {expected} fields, found %d", found))
        )
        return split_df.select(
            *(field(i, c.raw_name).alias(c.raw_name) for i, c in enumerate(spec.columns)),
            *(F.col(_quoted(c)) for c in df.columns),  # the line, its file and anything carried along
            reason.alias(REJECT_REASON),
        )

    return step


def _is_finite(value: Column) -> Column:
    """True when the value is a finite number (NaN and the infinities are not), null for null."""
    return ~F.isnan(value) & (F.abs(value) != F.lit(float("inf")))


def _valid_utf8(raw: Column) -> Column:
    """True when the text's bytes are valid UTF-8 (Spark keeps a line's bytes as read; decoding them
    replaces each invalid sequence with U+FFFD, so the round trip differs exactly when one is invalid)."""
    return F.encode(raw, "UTF-8") == raw.cast("binary")


def typed_value(raw: Column, column: schemas.Column) -> Column:
    """The raw text parsed as the column's processed type; null when empty or when it does not fit."""
    if column.type == "date" and column.raw_type == "string" and column.formats:
        # Spark's parse of each format, asked only where the quick one has no answer (it answers only
        # where Spark's would give the same day, so the result is Spark's). Measured on 3 M orders, one
        # warm process: the three dates cost 1.7 s with to_date alone, 0.6 s this way.
        return F.coalesce(*(p for fmt in column.formats for p in (_quick_date(raw, fmt), F.to_date(raw, fmt))))
    if column.type == "timestamp" and column.raw_type == "string" and column.formats:
        parsed = [F.to_timestamp(raw, fmt) for fmt in column.formats]
        return parsed[0] if len(parsed) == 1 else F.coalesce(*parsed)
    if column.type == "string":
        return raw
    # try_cast has ANSI semantics: '1.5' is not an INT (a plain cast would truncate it to 1).
    value = F.expr(f"try_cast({_quoted(column.raw_name)} AS {column.type.upper()})")
    precision = schemas.decimal_precision(column.type)
    if precision:
        value = F.when(_decimal_fits(raw, precision[1]), value)
    if column.type in schemas.FLOATING:
        # Java's syntax is not CSV's: '12d', '1.5f' and '0x1p4' are not numbers here.
        written = _written_as_number(raw)
        if column.allow_non_finite:
            written = written | F.lower(F.trim(raw)).isin(*NON_FINITE_WORDS)
        # The cast comes first in the condition: Spark computes an expression once per row only where
        # it is always evaluated (a CASE's first condition, the left of an AND); written the other way
        # round, each double column was cast three times per row (the parse of 3 M orders: 10.5 s, 9.3 s
        # with the cast first).
        kept = value.isNotNull() if column.allow_non_finite else _is_finite(value)
        value = F.when(kept & written, value)
    return value


#: What a number is written with in a CSV file: digits, a point, an exponent, signs (and blanks around).
_NUMBER_CHARACTERS = "0123456789.eE+- \t"
#: The words a floating-point column with ``allow_non_finite`` also takes (any case).
NON_FINITE_WORDS = ("nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity")
_DECIMAL_TEXT = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"


#: The Spark functions :func:`_written_as_number` and :func:`_quick_date` call (Java UDFs of
#: ``dea-etl-spark.jar``), registered by :func:`register_functions`.
NUMBER_TEXT_FUNCTION = functions.NUMBER_TEXT
DATE_TEXT_FUNCTION = functions.DATE_TEXT


def register_functions(spark: SparkSession) -> None:
    """Make the Java functions the parse calls known to the session (once)."""
    functions.register(spark, NUMBER_TEXT_FUNCTION, DATE_TEXT_FUNCTION)


def _quick_date(raw: Column, fmt: str) -> Column:
    """The day a field written exactly as a simple pattern shows it names (``5/1/2014`` for ``M/d/yyyy``),
    else null (then ask ``to_date``): ``dea_etl.spark.DateText``."""
    return F.date_from_unix_date(F.call_udf(DATE_TEXT_FUNCTION, raw, F.lit(fmt)))


def _written_as_number(raw: Column) -> Column:
    """True when the text holds nothing but what a plain or exponent number is written with (the cast
    then decides whether it is one): no type suffix, no hexadecimal, no word. The same test as
    ``translate(raw, _NUMBER_CHARACTERS, '') = ''`` in one pass over the characters (``dea_etl.spark.NumberText``:
    Spark's translate makes a string and a map lookup per character; the parse of 3 M orders, six double
    columns, took 9.3 s with it, 7.8 s with this, 7.3 s with no test at all); :func:`register_functions`
    registers it."""
    return F.call_udf(NUMBER_TEXT_FUNCTION, raw)


def _decimal_fits(raw: Column, scale: int) -> Column:
    """True when the text is a plain or exponent number with at most ``scale`` decimals once its exponent
    is applied (``1.25e1`` has 1): more would be rounded by the cast."""
    decimals = F.length(F.regexp_extract(raw, r"\.([0-9]*)", 1))
    exponent = F.coalesce(F.regexp_extract(raw, r"[eE]([+-]?[0-9]+)", 1).cast("int"), F.lit(0))
    return raw.rlike(_DECIMAL_TEXT) & (decimals - exponent <= scale)


def _expected(column: schemas.Column) -> str:
    if column.formats:
        return f"a {column.type} like {' or '.join(column.formats)}"
    if column.type in schemas.FLOATING and not column.allow_non_finite:
        return f"a finite {column.type.upper()}"
    return column.type.upper()


def field_problem(raw: Column, typed: Column, column: schemas.Column) -> Column:
    """Null when the field is fine, else a message naming the field, what was expected and the value."""
    bad_value = F.format_string(f"field '{column.raw_name}': expected {_expected(column)}, found '%s'", raw)
    problem = F.when(raw.isNotNull() & typed.isNull(), bad_value)
    if column.required:
        problem = F.when(raw.isNull(), F.lit(f"field '{column.raw_name}': required value is empty")).otherwise(
            problem
        )
    return problem


def field_is_bad(raw: Column, typed: Column, column: schemas.Column) -> Column:
    """True when :func:`field_problem` has a message for the field (the cheap form of the same test)."""
    bad = raw.isNotNull() & typed.isNull()
    return (raw.isNull() | bad) if column.required else bad


def has_bad_bytes(encoding: str) -> Column:
    """True when the record's bytes are not valid in ``encoding``.

    Text read in UTF-8 keeps its bytes as read and is tested here (splitting a line into fields would
    decode it and hide them); text read in another encoding was decoded when read, and the reader's
    :data:`BAD_BYTES` flag tells.
    """
    return ~_valid_utf8(F.col(RAW_LINE)) if is_utf8(encoding) else F.col(BAD_BYTES)


def encoding_problem(encoding: str) -> Column:
    """Null when the record's bytes are valid in ``encoding``, else the reason."""
    return F.when(has_bad_bytes(encoding), F.lit(f"bytes not valid in {encoding}"))


def is_utf8(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").upper() == "UTF8"


def with_typed_columns(spec: TableSpec, encoding: str = "UTF-8", limits: CsvLimits = DEFAULT_LIMITS) -> Transform:
    """Raw text columns -> the processed columns (processed names and types) and the reject reason.

    A record over the line limit (:data:`~dea_etl.transforms.limits.LINE_BYTES`, set by the reader) or
    whose bytes are not valid in ``encoding`` is rejected for that; a row already rejected (malformed)
    keeps its reason; otherwise the reason lists every field that does not fit or is over the field
    limit, separated by '; '. Each value is parsed once: the typed values are projected first and
    the checks refer to them (one projection with the parse repeated in each check costs 4x the time).
    """

    def step(df: DataFrame) -> DataFrame:
        register_functions(df.sparkSession)
        raw_names = {c.raw_name for c in spec.columns} | {REJECT_REASON, REJECTED, BAD_BYTES}
        carried = [_quoted(c) for c in df.columns if c not in raw_names]
        typed_df = df.select(
            *(F.col(_quoted(c.raw_name)).alias(_RAW_PREFIX + c.raw_name) for c in spec.columns),
            *(typed_value(F.col(_quoted(c.raw_name)), c).alias(c.name) for c in spec.columns),
            *carried,
            F.col(REJECT_REASON),
            *([F.col(BAD_BYTES)] if BAD_BYTES in df.columns else []),
        )
        raw = {c.name: F.col(_quoted(_RAW_PREFIX + c.raw_name)) for c in spec.columns}
        problems = F.concat_ws("; ", *(
            p for c in spec.columns for p in (field_size_problem(raw[c.name], c.raw_name, limits),
                                               field_problem(raw[c.name], F.col(_quoted(c.name)), c))))
        oversized = F.col(LINE_BYTES).isNotNull() if LINE_BYTES in df.columns else F.lit(False)
        reason = F.coalesce(record_problem(limits) if LINE_BYTES in df.columns else F.lit(None),
                            encoding_problem(encoding), F.col(REJECT_REASON), F.when(problems != "", problems))
        # The flag is what the main pass filters and counts on; the reason text (16 formatted checks,
        # 3x the cost of the flag) is then only computed for the quarantine.
        bad = oversized | F.col(REJECT_REASON).isNotNull() | has_bad_bytes(encoding)
        # A field can only be over the field limit in a line that is (one test per line, not per field).
        long_line = F.octet_length(F.col(RAW_LINE)) > limits.max_field_bytes
        too_big = F.lit(False)
        for c in spec.columns:
            bad = bad | field_is_bad(raw[c.name], F.col(_quoted(c.name)), c)
            too_big = too_big | field_too_big(raw[c.name], limits)
        bad = bad | (long_line & too_big)
        # The partition-id guard is always true. It makes the flag nondeterministic to Spark's
        # optimizer, which then keeps a later filter on it (valid_rows) above this projection: pushed
        # down, the filter inlines the whole parse and every check and runs them twice per row
        # (measured: about 3x slower). The partition id is free to compute.
        rejected = (F.spark_partition_id() >= 0) & bad
        return typed_df.select(
            *(F.col(_quoted(c.name)) for c in spec.columns),
            *carried,
            reason.alias(REJECT_REASON),
            rejected.alias(REJECTED),
        )

    return step


def with_partition_columns(spec: TableSpec) -> Transform:
    """Add the spec's derived partition columns (``year``/``month`` of a date column)."""
    funcs = {"year": F.year, "month": F.month, "day": F.dayofmonth}

    def step(df: DataFrame) -> DataFrame:
        for name, source in spec.partitions:
            source_name = next(c.name for c in spec.columns if c.raw_name == source or c.name == source)
            df = df.withColumn(name, funcs[name](F.col(_quoted(source_name))))
        return df

    return step


def valid_rows(spec: TableSpec) -> Transform:
    """The rows that fit, as exactly the processed schema's columns."""

    def step(df: DataFrame) -> DataFrame:
        return df.where(~F.col(REJECTED)).select(
            *(F.col(_quoted(f.name)) for f in spec.processed_schema.fields)
        )

    return step



def rejected_rows(df: DataFrame) -> DataFrame:
    """The rows with a reject reason, as (source_file, line_number, raw_line, raw_bytes, reason).

    ``line_number`` is null when the input carries no line numbers. ``raw_line`` is always valid UTF-8
    text, so that every Parquet reader reads it (DuckDB and pyarrow refuse a string column holding other
    bytes): a record whose bytes are not valid in the file's encoding shows each invalid sequence as
    U+FFFD there, and keeps its bytes exactly as read in ``raw_bytes`` (null for every other record).
    """
    line_number = F.col(LINE_NUMBER) if LINE_NUMBER in df.columns else F.lit(None).cast("long")
    raw = F.col(RAW_LINE)
    invalid_utf8 = ~_valid_utf8(raw)
    # Decoded from another encoding, the text is valid and the reader kept the bytes (RAW_BYTES).
    raw_bytes = F.col(RAW_BYTES) if RAW_BYTES in df.columns else F.when(invalid_utf8, raw.cast("binary"))
    return df.where(F.col(REJECTED)).select(
        F.col(SOURCE_FILE).alias("source_file"),
        line_number.alias(LINE_NUMBER),
        F.when(invalid_utf8, F.decode(raw.cast("binary"), "UTF-8")).otherwise(raw).alias("raw_line"),
        raw_bytes.alias("raw_bytes"),
        F.col(REJECT_REASON).alias("reason"),
    )
