"""``dea-etl catalog ddl``: Athena CREATE EXTERNAL TABLE statements from the schema modules."""

from __future__ import annotations

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


def test_cli_ddl_prints_database_and_tables_without_aws_access(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")  # no credentials anywhere: DDL reads no lake
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
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
