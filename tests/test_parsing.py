"""CSV lines -> typed rows with reasons: every quirk and every kind of bad row."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from dea_etl.schemas import Column, TableSpec
from dea_etl.tables.seed import CUSTOMERS, ORDERS, TRIPDATA
from dea_etl.transforms.parsing import (
    _NUMBER_CHARACTERS,
    NUMBER_TEXT_FUNCTION,
    REJECT_REASON,
    _quick_date,
    parse_csv_lines,
    register_functions,
    rejected_rows,
    valid_rows,
    with_partition_columns,
    with_typed_columns,
)

MINI = TableSpec(
    name="mini",
    columns=(
        Column("id", "int", required=True),
        Column("name", "string"),
        Column("day", "string", type="date", fmt="M/d/yyyy"),
        Column("amount", "double"),
    ),
)


def lines(spark: SparkSession, *rows: str | None):
    return spark.createDataFrame([(r, "file:/in/mini.csv") for r in rows], "_raw_line string, _source_file string")


def judged(spark: SparkSession, *rows: str | None):
    return lines(spark, *rows).transform(parse_csv_lines(MINI)).transform(with_typed_columns(MINI))


def test_valid_rows_are_typed_and_empty_fields_are_null(spark: SparkSession) -> None:
    df = judged(spark, "1,Ann,5/1/2014,10.5", "2,,,", '3,"Smith, Jo",12/31/2011,0')
    expected = spark.createDataFrame(
        [
            (1, "Ann", dt.date(2014, 5, 1), 10.5),
            (2, None, None, None),
            (3, "Smith, Jo", dt.date(2011, 12, 31), 0.0),
        ],
        "id int, name string, day date, amount double",
    )
    assert_df_equality(df.transform(valid_rows(MINI)), expected, ignore_row_order=True, ignore_nullable=True)
    assert df.where(F.col(REJECT_REASON).isNotNull()).count() == 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("1,Ann,5/1/2014", "malformed CSV record: expected 4 fields, found 3"),
        ("1,Ann,5/1/2014,1,extra", "malformed CSV record: expected 4 fields, found 5"),
        ("x,Ann,5/1/2014,1", "field 'id': expected INT, found 'x'"),
        ("1.5,Ann,5/1/2014,1", "field 'id': expected INT, found '1.5'"),
        ("99999999999,Ann,5/1/2014,1", "field 'id': expected INT, found '99999999999'"),
        ("1,Ann,2014-05-01,1", "field 'day': expected a date like M/d/yyyy, found '2014-05-01'"),
        ("1,Ann,2/30/2014,1", "field 'day': expected a date like M/d/yyyy, found '2/30/2014'"),
        ("1,Ann,5/1/2014,ten", "field 'amount': expected a finite DOUBLE, found 'ten'"),
        (",Ann,5/1/2014,1", "field 'id': required value is empty"),
        ("x,Ann,5/1/2014,ten", "field 'id': expected INT, found 'x'; field 'amount': expected a finite DOUBLE, found 'ten'"),
    ],
)
def test_each_kind_of_bad_row_is_rejected_with_its_reason(spark: SparkSession, line: str, reason: str) -> None:
    df = judged(spark, line)
    expected = spark.createDataFrame(
        [("file:/in/mini.csv", None, line, None, reason)],
        "source_file string, line_number long, raw_line string, raw_bytes binary, reason string",
    )
    assert_df_equality(rejected_rows(df), expected, ignore_nullable=True)
    assert df.transform(valid_rows(MINI)).count() == 0


def test_good_and_bad_rows_partition_the_input(spark: SparkSession) -> None:
    df = judged(spark, "1,a,5/1/2014,1", "oops", "3,c,5/3/2014,3", "4,d,5/4/2014,x")
    assert df.transform(valid_rows(MINI)).count() + rejected_rows(df).count() == 4
    assert sorted(r.raw_line for r in rejected_rows(df).collect()) == ["4,d,5/4/2014,x", "oops"]


def test_taxi_timestamps_parse_as_wall_clock(spark: SparkSession) -> None:
    line = "2,1/1/17 0:01,1/1/17 0:11,N,1,42,166,1,1.71,9,0,0.5,0,0,,0.3,9.8,2,1"
    df = lines(spark, line).transform(parse_csv_lines(TRIPDATA)).transform(with_typed_columns(TRIPDATA))
    row = df.transform(valid_rows(TRIPDATA)).first()
    assert row is not None
    assert row.lpep_pickup_datetime == dt.datetime(2017, 1, 1, 0, 1)
    assert row.lpep_dropoff_datetime == dt.datetime(2017, 1, 1, 0, 11)
    assert row.ehail_fee is None
    assert row.vendor_id == 2 and row.pu_location_id == 42


def test_orders_get_year_and_month_partitions(spark: SparkSession) -> None:
    line = "71782,110667,5/1/2014,5/13/2014,5/8/2014,276,293,33319.986,3182.8264,994.6333,37497.4457,714,3,29.994,0,89.982"
    df = (
        lines(spark, line)
        .transform(parse_csv_lines(ORDERS))
        .transform(with_typed_columns(ORDERS))
        .transform(with_partition_columns(ORDERS))
        .transform(valid_rows(ORDERS))
    )
    row = df.first()
    assert row is not None
    assert (row.orderdate, row.year, row.month) == (dt.date(2014, 5, 1), 2014, 5)
    assert df.columns == [f.name for f in ORDERS.processed_schema.fields]


def test_customers_processed_schema_is_explicit(spark: SparkSession) -> None:
    df = lines(spark, "293,Catherine,Abel,Catherine Abel").transform(parse_csv_lines(CUSTOMERS))
    out = df.transform(with_typed_columns(CUSTOMERS)).transform(valid_rows(CUSTOMERS))
    assert out.schema.simpleString() == "struct<customerid:int,firstname:string,lastname:string,fullname:string>"


@pytest.mark.parametrize(
    ("line", "fields"),
    [
        ('1,"Smith, Jo",5/1/2014,2', (1, "Smith, Jo", dt.date(2014, 5, 1), 2.0)),
        ('1,"say ""hi""",5/1/2014,2', (1, 'say "hi"', dt.date(2014, 5, 1), 2.0)),
        ('"7",plain,,', (7, "plain", None, None)),
        ("8, padded ,5/1/2014, 3", (8, " padded ", dt.date(2014, 5, 1), 3.0)),
    ],
)
def test_quoted_and_unquoted_lines_parse_alike(spark: SparkSession, line: str, fields: tuple) -> None:  # type: ignore[type-arg]
    expected = spark.createDataFrame([fields], "id int, name string, day date, amount double")
    assert_df_equality(judged(spark, line).transform(valid_rows(MINI)), expected, ignore_nullable=True)


def test_quoted_line_with_wrong_field_count_is_rejected(spark: SparkSession) -> None:
    reasons = [r.reason for r in rejected_rows(judged(spark, '1,"a, b",5/1/2014')).collect()]
    assert reasons == ["malformed CSV record: expected 4 fields"]


TYPED = TableSpec(
    name="typed",
    columns=(
        Column("n", "bigint", required=True),
        Column("price", "decimal(10,2)"),
        Column("flag", "boolean"),
        Column("day", "string", type="date", fmt=("yyyy-MM-dd", "M/d/yyyy", "d.M.yyyy")),
        Column("at", "string", type="timestamp"),
        Column("ratio", "double", allow_non_finite=True),
    ),
)


def typed_rows(spark: SparkSession, *rows: str):
    return lines(spark, *rows).transform(parse_csv_lines(TYPED)).transform(with_typed_columns(TYPED))


def test_bigint_decimal_boolean_several_date_formats_iso_timestamps_and_allowed_non_finite(
    spark: SparkSession,
) -> None:
    df = typed_rows(
        spark,
        "9000000000,12.34,true,2014-05-01,2014-05-01 13:45:00,NaN",
        "1,,no,1/5/2014,,Infinity",
        "2,-.5,0,5.1.2014,2014-05-01T01:02:03,-1e400",
    )
    expected = spark.createDataFrame(
        [
            (9000000000, Decimal("12.34"), True, dt.date(2014, 5, 1), dt.datetime(2014, 5, 1, 13, 45), math.nan),
            (1, None, False, dt.date(2014, 1, 5), None, math.inf),
            (2, Decimal("-0.50"), False, dt.date(2014, 1, 5), dt.datetime(2014, 5, 1, 1, 2, 3), -math.inf),
        ],
        "n bigint, price decimal(10,2), flag boolean, day date, at timestamp, ratio double",
    )
    assert_df_equality(
        df.transform(valid_rows(TYPED)), expected, ignore_row_order=True, ignore_nullable=True, allow_nan_equality=True
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("99999999999999999999,1,true,,,", "field 'n': expected BIGINT, found '99999999999999999999'"),
        ("1,12.345,,,,", "field 'price': expected DECIMAL(10,2), found '12.345'"),
        ("1,123456789.1,,,,", "field 'price': expected DECIMAL(10,2), found '123456789.1'"),
        ("1,1.2345e1,,,,", "field 'price': expected DECIMAL(10,2), found '1.2345e1'"),
        ("1,12d,,,,", "field 'price': expected DECIMAL(10,2), found '12d'"),
        ("1,,,,,0x1p4", "field 'ratio': expected DOUBLE, found '0x1p4'"),
        ("1,,,,,12d", "field 'ratio': expected DOUBLE, found '12d'"),
        ("1,,maybe,,,", "field 'flag': expected BOOLEAN, found 'maybe'"),
        ("1,,,2014-13-01,,", "field 'day': expected a date like yyyy-MM-dd or M/d/yyyy or d.M.yyyy, found '2014-13-01'"),
        ("1,,,,noon,", "field 'at': expected TIMESTAMP, found 'noon'"),
        ("1,,,,,x", "field 'ratio': expected DOUBLE, found 'x'"),
    ],
)
def test_new_types_reject_what_does_not_fit(spark: SparkSession, line: str, reason: str) -> None:
    assert [r.reason for r in rejected_rows(typed_rows(spark, line)).collect()] == [reason]


@pytest.mark.parametrize("text", ["12d", "1.5f", "0x1p4", "1.5D", "0X1P4", "1e5f", "1_000", "\uff11\uff12", "Infinity"])
def test_a_double_is_written_as_csv_writes_it_not_as_java_parses_it(spark: SparkSession, text: str) -> None:
    assert [r.reason for r in rejected_rows(judged(spark, f"1,Ann,5/1/2014,{text}")).collect()] == [
        f"field 'amount': expected a finite DOUBLE, found '{text}'"]


def test_the_number_text_function_is_the_translate_test_it_replaces(spark: SparkSession) -> None:
    """``dea_etl.spark.NumberText`` against Spark's own ``translate`` over every character class a
    field may hold (digits, signs, exponents, blanks, letters, control and non-ASCII characters)."""
    texts = ["", " ", "\t", "1", "-1.5e+3", " 3.5 ", "1E+2", ".", "e", "12d", "0x1p4", "NaN", "Infinity",
             "1,5", "1\n", "\x0b1", "\x001", "1_000", "\uff11", "\u0661", "\U0001d7cf", "1 2", "+-.eE\t ", None]
    register_functions(spark)
    df = spark.createDataFrame([(t,) for t in texts], "t string")
    translated = F.translate("t", _NUMBER_CHARACTERS, "") == ""
    assert_df_equality(
        df.select("t", F.call_udf(NUMBER_TEXT_FUNCTION, F.col("t")).alias("ok")),
        df.select("t", translated.alias("ok")),
        ignore_row_order=True,
    )


def _date_texts() -> list[str | None]:
    days = [dt.date(2014, 5, 1), dt.date(2012, 2, 29), dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1970, 1, 1)]
    texts: list[str | None] = [None, "", " ", "5/1/2014", "05/01/2014", "5/01/2014", "2/29/2013", "2/29/2012",
                               "2/30/2014", "4/31/2014", "0/1/2014", "13/1/2014", "1/0/2014", "1/32/2014",
                               "1/5/0000", "1/5/0001", "1/5/99999", "1/5/14", "005/1/2014", " 5/1/2014",
                               "5/1/2014 ", "+5/1/2014", "5//2014", "5/1/", "5-1-2014", "\u0665/1/2014",
                               "2014-05-01", "2014-5-1", "1.5.2014", "01.05.2014", "20140501", "5/1/2014x"]
    for day in days:
        texts += [f"{day.month}/{day.day}/{day.year:04d}", f"{day.month:02d}/{day.day:02d}/{day.year:04d}",
                  f"{day.year:04d}-{day.month:02d}-{day.day:02d}", f"{day.day}.{day.month}.{day.year:04d}"]
    return texts


@pytest.mark.parametrize(("fmt", "declined"), [
    ("M/d/yyyy", {"1/5/0000", "005/1/2014"}),  # year 0 and a three-digit month: Spark's parse tells
    ("MM/dd/yyyy", set()), ("yyyy-MM-dd", set()), ("d.M.yyyy", set()),
    ("yyyyMMdd", {"20140501"}), ("M/d/yy", {"1/5/14"}), ("d MMM yyyy", set()),  # not simple patterns
])
def test_the_quick_date_answers_only_what_to_date_answers_alike(
    spark: SparkSession, fmt: str, declined: set[str]
) -> None:
    """``dea_etl.spark.DateText`` gives a day only where Spark's ``to_date`` gives the same day, and null
    where it leaves the answer to ``to_date``: only the forms it does not read, named above."""
    register_functions(spark)
    df = spark.createDataFrame([(t,) for t in _date_texts()], "t string").select(
        "t", _quick_date(F.col("t"), fmt).cast("string").alias("quick"),
        F.to_date("t", fmt).cast("string").alias("spark"))  # as text: Python has no year 0
    assert df.where(F.col("quick").isNotNull() & ~F.col("quick").eqNullSafe(F.col("spark"))).collect() == []
    assert {r.t for r in df.where(F.col("quick").isNull() & F.col("spark").isNotNull()).collect()} == declined
    assert (df.where(F.col("quick").isNotNull()).count() > 0) == (fmt in ("M/d/yyyy", "MM/dd/yyyy", "yyyy-MM-dd", "d.M.yyyy"))


def test_plain_and_exponent_forms_are_numbers(spark: SparkSession) -> None:
    texts = ["1e5", "-1.5E-3", ".5", "5.", "+2", " 3.5 ", "1E+2"]
    df = judged(spark, *(f"{i},Ann,5/1/2014,{t}" for i, t in enumerate(texts)))
    assert [r.amount for r in df.transform(valid_rows(MINI)).orderBy("id").collect()] == [
        100000.0, -0.0015, 0.5, 5.0, 2.0, 3.5, 100.0]
    prices = typed_rows(spark, "1,1e2,,,,", "2,1.5E1,,,,", "3,1.2345e2,,,,", "4,-125e-2,,,,", "5,,,,,-INF")
    assert [(r.price, r.ratio) for r in prices.transform(valid_rows(TYPED)).orderBy("n").collect()] == [
        (Decimal("100.00"), None), (Decimal("15.00"), None), (Decimal("123.45"), None), (Decimal("-1.25"), None),
        (None, -math.inf)]


def test_a_schema_with_an_unknown_type_or_a_misplaced_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown type 'decimal\\(40,2\\)'"):
        Column("x", "decimal(40,2)")
    with pytest.raises(ValueError, match="fmt is for date/timestamp columns"):
        Column("x", "int", fmt="M/d/yyyy")
