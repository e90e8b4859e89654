"""``dea-etl catalog ddl``: Athena CREATE EXTERNAL TABLE statements from the schema modules."""

from __future__ import annotations

import boto3
import pytest
from pyspark.sql import SparkSession

from dea_etl.catalog import ProjectionRanges, catalog_tables, create_table_ddl
from dea_etl.cli import main

ROOT = "s3://dea-lake/processedData"

CUSTOMERS_DDL = """\
CREATE EXTERNAL TABLE IF NOT EXISTS `sales`.`customers` (
  `customerid` int,
  `firstname` string,
  `lastname` string,
  `fullname` string
)
STORED AS PARQUET
LOCATION 's3://dea-lake/processedData/customers/'
TBLPROPERTIES (
  'classification'='parquet',
  'parquet.compression'='SNAPPY'
);"""

TERRITORY_DDL_TAIL = """\
  `totaldue` double
)
PARTITIONED BY (`year` int, `month` int)
STORED AS PARQUET
LOCATION 's3://dea-lake/processedData/territory_sales_monthly/'
TBLPROPERTIES (
  'classification'='parquet',
  'parquet.compression'='SNAPPY',
  'projection.enabled'='true',
  'projection.year.type'='integer',
  'projection.year.range'='2011,2014',
  'projection.month.type'='integer',
  'projection.month.range'='1,12',
  'storage.location.template'='s3://dea-lake/processedData/territory_sales_monthly/year=${year}/month=${month}/'
);"""


def test_ddl_of_an_unpartitioned_table() -> None:
    (customers,) = catalog_tables(["customers"])
    assert create_table_ddl(customers, ROOT, "sales") == CUSTOMERS_DDL


def test_ddl_of_a_monthly_mart_has_partition_projection() -> None:
    (territory,) = catalog_tables(["territory_sales_monthly"])
    ddl = create_table_ddl(territory, ROOT + "/", "sales", ProjectionRanges(year=(2011, 2014)))
    assert ddl.startswith(
        "CREATE EXTERNAL TABLE IF NOT EXISTS `sales`.`territory_sales_monthly` (\n  `territory` string,"
    )
    assert "  `group` string,\n" in ddl  # a reserved word, quoted
    assert ddl.endswith(TERRITORY_DDL_TAIL)


def test_every_statement_parses_as_hive_ddl(spark: SparkSession) -> None:
    parser = spark._jsparkSession.sessionState().sqlParser()
    for table in catalog_tables():
        plan = parser.parsePlan(create_table_ddl(table, ROOT, "sales").rstrip(";"))
        assert "CreateTable" in str(plan.nodeName()), table.name


def test_cli_ddl_prints_database_and_tables(aws: str, capsys: pytest.CaptureFixture[str]) -> None:
    boto3.client("s3").create_bucket(Bucket="dea-lake")  # an empty lake: no manifest, plain folders
    assert (
        main(
            [
                "catalog",
                "ddl",
                "--lake",
                "s3://dea-lake/",
                "--database",
                "sales",
                "--tables",
                "customers,orders",
                "--year-range",
                "2011,2014",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "CREATE DATABASE IF NOT EXISTS `sales`;\n\nCREATE EXTERNAL TABLE IF NOT EXISTS `sales`.`customers`"
    )
    assert out.count("CREATE EXTERNAL TABLE") == 2
    assert "LOCATION 's3://dea-lake/processedData/orders/'" in out
    assert "'projection.year.range'='2011,2014'" in out


def test_ddl_of_an_s3_lake_needs_no_aws_credentials(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    import os

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(name, os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session made by an earlier test keeps its credentials
    assert main(["catalog", "ddl", "--lake", ROOT + "/", "--database", "sales", "--tables", "customers"]) == 0
    out, err = capsys.readouterr()
    assert CUSTOMERS_DDL in out
    assert err.startswith(f"note: cannot read {ROOT} (Unable to locate credentials): the DDL is for plain Parquet")
