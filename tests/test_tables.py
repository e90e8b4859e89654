"""A user's own table: a table file or a Glue Data Catalog table, through csv_to_parquet, bookmarks and DQ."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import boto3
import pytest
from chispa import assert_df_equality
from jobs import csv_to_parquet, raw_to_processed
from pyspark.sql import SparkSession
from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType, TimestampType

from dea_etl.catalog import catalog_tables
from dea_etl.cli import main as cli
from dea_etl.errors import EXIT_USAGE, InputError
from dea_etl.io import read_table
from dea_etl.io.lake import Lake
from dea_etl.schemas import Column, TableSpec
from dea_etl.tables import MARTS, TABLES, lake_table, lake_tables, source_table
from dea_etl.tables.files import TableFileError, read_table_file

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SENSORS_SCHEMA = StructType([
    StructField("sensor_id", IntegerType(), False),
    StructField("read_at", TimestampType(), False),
    StructField("site", StringType(), True),
    StructField("value", DoubleType(), True),
    StructField("year", IntegerType(), True),
    StructField("month", IntegerType(), True),
])


def test_the_example_table_file_reads_into_a_table_spec() -> None:
    spec = read_table_file(EXAMPLES / "sensors.json")
    assert spec == TableSpec(
        name="sensors",
        columns=(
            Column("sensor_id", "int", required=True),
            Column("read_at", "string", "read_at", "timestamp", fmt="yyyy-MM-dd HH:mm:ss", required=True),
            Column("Site Name", "string", "site", "string"),
            Column("value", "double"),
        ),
        header=True,
        partitions=(("year", "read_at"), ("month", "read_at")),
        description="readings of the plant's sensors (an example of a user's own table)",
    )
    assert spec.schema == SENSORS_SCHEMA
    assert source_table(str(EXAMPLES / "sensors.json")) == spec


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"name": "t", "columns": [{"name": "a", "type": "int"},]}', "line 1, column 56: invalid JSON"),
        ('{"name": "t"}', "t.json: missing 'columns'"),
        ('{"name": "t", "columns": [], "extra": 1}', "t.json: unknown key 'extra'"),
        ('{"name": "t-1", "columns": [{"name": "a", "type": "int"}]}', "t.json: name: expected letters"),
        ('{"name": "t", "columns": [{"name": "a", "type": "varchar"}]}',
         "t.json: columns[0].type: expected one of int, bigint, double, float, boolean, string, date, timestamp, "
         "decimal(p,s), found 'varchar'"),
        ('{"name": "t", "columns": [{"name": "a", "type": "int", "format": "yyyy"}]}',
         "t.json: columns[0].format: only a date or timestamp column has a format"),
        ('{"name": "t", "columns": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}',
         "t.json: columns[1].name: 'a' appears twice"),
        ('{"name": "t", "columns": [{"name": "a", "type": "int", "required": "yes"}]}',
         't.json: columns[0].required: expected true or false, found "yes"'),
        ('{"name": "t", "columns": [{"name": "a", "type": "int"}], "partition_by": {"column": "a", "parts": ["year"]}}',
         "t.json: partition_by.column: expected a date or timestamp column (none), found 'a'"),
        ('{"name": "t", "columns": [{"name": "d", "type": "date"}], "partition_by": {"column": "d", "parts": ["week"]}}',
         't.json: partition_by.parts: expected a list of year, month, day, found ["week"]'),
        ('{"name": "t", "columns": [{"name": "d", "type": "date", "format": []}]}',
         "t.json: columns[0].format: expected a datetime pattern or a non-empty list of them, found []"),
        ('{"name": "t", "columns": [{"name": "d", "type": "date", "format": ["M/d/yyyy", 3]}]}',
         "t.json: columns[0].format[1]: expected a datetime pattern, found 3"),
        ('{"name": "t", "columns": [{"name": "a", "type": "int", "allow_non_finite": true}]}',
         "t.json: columns[0].allow_non_finite: only a double or float column holds NaN/Infinity (this one is int)"),
    ],
)
def test_an_invalid_table_file_is_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(TableFileError) as caught:
        read_table_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.exit_code == EXIT_USAGE


def test_a_table_file_says_what_a_table_in_code_says(tmp_path: Path) -> None:
    """Several date patterns and non-finite doubles, as the seed tables (themselves table files) may use."""
    path = tmp_path / "readings.json"
    path.write_text(json.dumps({"name": "readings", "columns": [
        {"name": "day", "type": "date", "format": ["M/d/yyyy", "yyyy-MM-dd"], "required": True},
        {"name": "ratio", "type": "double", "allow_non_finite": True},
        {"name": "price", "type": "decimal(10,2)"},
    ]}))
    assert read_table_file(path).columns == (
        Column("day", "string", "day", "date", ("M/d/yyyy", "yyyy-MM-dd"), required=True),
        Column("ratio", "double", allow_non_finite=True),
        Column("price", "decimal(10,2)"),
    )


def test_the_seed_tables_are_table_files_of_the_package() -> None:
    assert sorted(p.name for p in resources.files("dea_etl.tables.seed").iterdir() if p.name.endswith(".json")) == [
        f"{name}.json" for name in sorted(TABLES)]
    assert TABLES["orders"].columns[2] == Column("orderdate", "string", "orderdate", "date", "M/d/yyyy", required=True)
    assert TABLES["tripdata"].header and TABLES["tripdata"].columns[0] == Column("VendorID", "int", "vendor_id", "int")


def test_one_registry_holds_seed_tables_and_marts() -> None:
    assert list(lake_tables()) == [*TABLES, *MARTS]
    assert lake_table("orders").partition_by == ("year", "month")
    assert lake_table("customer_sales").partition_by == ()
    names = [t.name for t in catalog_tables(["customers", str(EXAMPLES / "sensors.json")])]
    assert names == ["customers", "sensors"]


def _sensors_rows() -> list[tuple[object, ...]]:
    return [
        (1, datetime(2024, 1, 5, 10), "North", 20.5, 2024, 1),
        (2, datetime(2024, 1, 5, 10), "South", None, 2024, 1),
        (1, datetime(2024, 2, 1, 8, 30), "North", 21.0, 2024, 2),
    ]


def test_user_table_file_through_csv_to_parquet_bookmarks_and_dq(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "sensors.csv").write_bytes((EXAMPLES / "sensors.csv").read_bytes())
    out, summary = tmp_path / "out" / "sensors", tmp_path / "summary.json"
    args = ["--table", str(EXAMPLES / "sensors.json"), "--input", str(src), "--output", str(out),
            "--job-bookmark-option", "job-bookmark-enable", "--bookmark-store", str(tmp_path / "bookmarks"),
            "--summary-json", str(summary)]
    assert csv_to_parquet.main(args) == 0
    table = json.loads(summary.read_text())["tables"][0]
    assert (table["table"], table["rows_in"], table["rows_written"], table["rows_quarantined"]) == ("sensors", 5, 3, 2)
    expected = spark.createDataFrame(_sensors_rows(), SENSORS_SCHEMA)
    assert_df_equality(read_table(spark, str(out)).select(*SENSORS_SCHEMA.fieldNames()), expected,
                       ignore_row_order=True, ignore_nullable=True)
    reasons = sorted(r.reason for r in read_table(spark, str(out) + "_quarantine").collect())
    assert len(reasons) == 2
    assert any("sensor_id" in r for r in reasons) and any("read_at" in r for r in reasons)
    # The bookmark: a second run finds nothing new and leaves the table as it was.
    assert csv_to_parquet.main(args) == 0
    assert json.loads(summary.read_text())["tables"][0]["files_skipped"] == 1
    assert read_table(spark, str(out)).count() == 3
    # DQ on the same CSV, read with the user's table file.
    capsys.readouterr()
    code = cli(["dq", "--ruleset", str(EXAMPLES / "sensors.dqdl"), "--input", str(src), "--format", "csv",
                "--table", str(EXAMPLES / "sensors.json")])
    out = capsys.readouterr().out
    assert "3 of 3 rules passed" in out
    # The two lines that do not parse are accounted for, and fail the check (as `dq --input csv` does).
    assert "rows in 5 = evaluated 3 + quarantined 2" in out
    assert code == 1


def _create_glue_table(database: str, name: str) -> None:
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": database})
    glue.create_table(DatabaseName=database, TableInput={
        "Name": name,
        "Parameters": {"skip.header.line.count": "1", "classification": "csv"},
        "StorageDescriptor": {
            "Columns": [{"Name": "sensor_id", "Type": "int"}, {"Name": "read_at", "Type": "timestamp"},
                        {"Name": "Site Name", "Type": "varchar(20)"}, {"Name": "value", "Type": "double"}],
            "Location": "s3://lake/rawData/sensors/",
        },
        "PartitionKeys": [{"Name": "ingest_day", "Type": "string"}],
    })


def test_glue_catalog_table_as_the_schema(spark: SparkSession, aws: str, tmp_path: Path) -> None:
    _create_glue_table("plant", "sensors")
    spec = source_table("glue://plant/sensors")
    assert [(c.raw_name, c.name, c.type) for c in spec.columns] == [
        ("sensor_id", "sensor_id", "int"), ("read_at", "read_at", "timestamp"),
        ("Site Name", "site_name", "string"), ("value", "value", "double"),
    ]
    assert spec.header
    src = tmp_path / "sensors.csv"
    src.write_text("sensor_id,read_at,Site Name,value\n7,2024-03-01 00:00:00,West,3.5\n")
    out = tmp_path / "out"
    assert csv_to_parquet.main(["--table", "glue://plant/sensors", "--input", str(src), "--output", str(out)]) == 0
    row = read_table(spark, str(out)).collect()[0]
    assert (row["sensor_id"], row["read_at"], row["site_name"], row["value"]) == (7, datetime(2024, 3, 1), "West", 3.5)


def test_a_missing_glue_table_is_one_line_naming_it(aws: str) -> None:
    with pytest.raises(InputError, match=r"glue://plant/nope: glue GetTable failed: .*EntityNotFoundException"):
        source_table("glue://plant/nope")


def test_user_table_file_in_raw_to_processed(spark: SparkSession, tmp_lake: Lake, tmp_path: Path) -> None:
    raw = Path(tmp_lake.raw("sensors"))
    raw.mkdir(parents=True)
    (raw / "sensors.csv").write_bytes((EXAMPLES / "sensors.csv").read_bytes())
    summary = tmp_path / "summary.json"
    code = raw_to_processed.main(["--lake", tmp_lake.root, "--tables", str(EXAMPLES / "sensors.json"),
                                  "--summary-json", str(summary)])
    assert code == 0
    table = json.loads(summary.read_text())["tables"][0]
    assert (table["table"], table["rows_written"], table["rows_quarantined"]) == ("sensors", 3, 2)
    assert_df_equality(read_table(spark, tmp_lake.processed("sensors")).select(*SENSORS_SCHEMA.fieldNames()),
                       spark.createDataFrame(_sensors_rows(), SENSORS_SCHEMA), ignore_row_order=True,
                       ignore_nullable=True)
    assert read_table(spark, tmp_lake.quarantine("sensors")).count() == 2
