"""A user's own table in the lake is a table like dea-etl's: `sql`, `dq --table`, `catalog register` and
`table` find it in the lake (no list of dea-etl's tables, no table file needed)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main
from dea_etl.io.parquet import write_parquet
from dea_etl.io.tables import ICEBERG, TableFormat, write_table

PRODUCTS = "productid int, name string, price double, year int"


@pytest.fixture()
def lake(spark: SparkSession, tmp_path: Path) -> Path:
    lake = tmp_path / "lake"
    rows = [(1, "bolt", 0.25, 2014), (2, "nut", 0.1, 2014), (3, None, 7.5, 2015)]
    write_parquet(spark.createDataFrame(rows, PRODUCTS), str(lake / "processedData" / "products"), run_id="r1",
                  partition_by=("year",))
    write_parquet(spark.createDataFrame([(9, "eu")], "id int, region string"),
                  str(lake / "processedData" / "sales" / "eu"), run_id="r1")
    return lake


def _json(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_sql_reads_the_users_tables_by_their_folders(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT COUNT(*) AS n, SUM(price) AS total, (SELECT region FROM sales_eu) AS region FROM products"
    assert main(["sql", query, "--lake", str(lake), "--output-format", "json"]) == 0
    assert _json(capsys.readouterr().out) == [{"n": 3, "total": 7.85, "region": "eu"}]


def test_dq_checks_a_users_table_of_the_lake(lake: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = tmp_path / "products.dqdl"
    ruleset.write_text('Rules = [ IsComplete "productid", IsComplete "name", ColumnValues "price" > 0 ]')
    assert main(["dq", "--ruleset", str(ruleset), "--lake", str(lake), "--table", "products"]) == 1
    out = capsys.readouterr().out
    assert "2 of 3 rules passed" in out and 'IsComplete "name"' in out
    assert main(["dq", "--ruleset", str(ruleset), "--lake", str(lake), "--table", "nothing"]) == 2
    err = capsys.readouterr().err
    assert "no table 'nothing'" in err and "products" in err and "sales/eu" in err


def test_catalog_register_puts_the_users_tables_in_glue_with_the_files_columns(
    lake: Path, aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "register", "--database", "mine", "--lake", str(lake)]) == 0
    glue = boto3.client("glue")
    products = glue.get_table(DatabaseName="mine", Name="products")["Table"]
    assert [(c["Name"], c["Type"]) for c in products["StorageDescriptor"]["Columns"]] == [
        ("productid", "int"), ("name", "string"), ("price", "double")]
    assert products["PartitionKeys"] == [{"Name": "year", "Type": "int"}]
    assert products["StorageDescriptor"]["Location"].endswith("/processedData/products/")
    values = sorted(p["Values"] for p in glue.get_partitions(DatabaseName="mine", TableName="products")["Partitions"])
    assert values == [["2014"], ["2015"]]
    assert glue.get_table(DatabaseName="mine", Name="sales_eu")["Table"]["StorageDescriptor"]["Location"].endswith(
        "/processedData/sales/eu/")


def test_table_commands_find_the_users_tables(
    spark: SparkSession, lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["table", "remove-run", "--lake", str(lake), "--table", "products", "--run", "other"]) == 0
    assert "0 files of run other removed" in capsys.readouterr().err
    write_table(spark.createDataFrame([(1, "a")], "id int, v string"), str(lake / "processedData" / "mine_ice"),
                table_format=TableFormat(ICEBERG), run_id="r1")
    assert main(["table", "history", "--lake", str(lake), "--table", "mine_ice", "--output-format", "json"]) == 0
    assert [r["run_id"] for r in _json(capsys.readouterr().out)] == [None, "r1"]
