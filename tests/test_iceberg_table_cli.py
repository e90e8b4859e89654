"""dea-etl table history|rollback, dea-etl sql over Iceberg tables and their metadata tables, Athena DDL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from dea_etl.catalog import catalog_tables
from dea_etl.catalog.athena import create_iceberg_table_ddl
from dea_etl.cli import main
from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format, write_table
from dea_etl.tables.seed import CUSTOMERS

FMT = TableFormat(ICEBERG)


@pytest.fixture()
def lake(spark: SparkSession, tmp_path: Path) -> Path:
    schema = CUSTOMERS.processed_schema
    path = str(tmp_path / "lake" / "processedData" / "customers")
    write_table(spark.createDataFrame([(1, "Ann", "Lee", "Ann Lee"), (2, None, "Kim", "Kim")], schema), path,
                table_format=FMT, run_id="run-a")
    write_table(spark.createDataFrame([(3, "Bo", "Park", "Bo Park")], schema), path, table_format=FMT,
                run_id="run-b", mode="append")
    return tmp_path / "lake"


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_history_lists_the_snapshots_with_their_run_ids(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["table", "history", "--table", "customers", "--lake", str(lake), "--output-format", "json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [(r["run_id"], r["operation"], r["total_records"], r["is_current"]) for r in rows] == [
        (None, "append", 0, False), ("run-a", "overwrite", 2, False), ("run-b", "append", 3, True)]


def test_rollback_moves_main_back_and_sql_reads_the_table_and_its_snapshots(
    spark: SparkSession, lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["table", "history", "--table", "customers", "--lake", str(lake), "--output-format", "json"]) == 0
    run_a = next(r["snapshot_id"] for r in _json_lines(capsys.readouterr().out) if r["run_id"] == "run-a")
    assert main(["table", "rollback", "--table", "customers", "--lake", str(lake), "--to", str(run_a)]) == 0
    assert f"back to {run_a}" in capsys.readouterr().err
    customers = read_in_format(spark, str(lake / "processedData" / "customers"), FMT)
    assert sorted(r.customerid for r in customers.collect()) == [1, 2]
    query = ("SELECT (SELECT COUNT(*) FROM customers) AS n, "
             "(SELECT COUNT(*) FROM dea_etl.customers.snapshots) AS snapshots, "
             "(SELECT snapshot_id FROM dea_etl.customers.history ORDER BY made_current_at DESC LIMIT 1) AS current")
    assert main(["sql", query, "--lake", str(lake), "--output-format", "json"]) == 0
    assert _json_lines(capsys.readouterr().out) == [{"n": 2, "snapshots": 3, "current": run_a}]
    assert spark.catalog.currentCatalog() == "spark_catalog"  # the sql command leaves the session as it was


def test_rollback_refuses_a_snapshot_main_never_had_and_a_name_outside_the_lake(
    lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["table", "rollback", "--table", "customers", "--lake", str(lake), "--to", "42"]) == 1
    assert "snapshot 42 is not one main went through" in capsys.readouterr().err
    assert main(["table", "history", "--table", "../customers", "--lake", str(lake)]) == 2
    assert "expected a table name under processedData/" in capsys.readouterr().err
    assert main(["table", "history", "--table", "orders", "--lake", str(lake)]) == 2  # a user's mistake
    assert capsys.readouterr().err.strip() == (
        f"error: table history: no table 'orders' in {lake}/processedData; its tables: customers")


def test_rollback_to_previous_undoes_the_last_write(
    spark: SparkSession, lake: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["table", "rollback", "--table", "customers", "--lake", str(lake), "--to", "previous"]) == 0
    assert "main moved from snapshot" in capsys.readouterr().err
    customers = read_in_format(spark, str(lake / "processedData" / "customers"), FMT)
    assert sorted(r.customerid for r in customers.collect()) == [1, 2]  # run-b's append is undone


def test_athena_ddl_for_iceberg_tables() -> None:
    (orders,) = catalog_tables(["orders"])
    ddl = create_iceberg_table_ddl(orders, "s3://b/processedData", "sales")
    assert ddl.startswith("CREATE TABLE IF NOT EXISTS `sales`.`orders` (\n  `salesorderid` int,")
    assert "  `year` int,\n  `month` int\n)\nPARTITIONED BY (`year`, `month`)\n" in ddl
    assert "LOCATION 's3://b/processedData/orders/'" in ddl
    assert ddl.endswith("TBLPROPERTIES (\n  'table_type'='ICEBERG',\n  'format'='parquet',\n"
                        "  'write_compression'='snappy'\n);")


def test_dq_checks_an_iceberg_table_of_the_lake(lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = Path(__file__).resolve().parent.parent / "rules" / "customers.dqdl"
    assert main(["dq", "--ruleset", str(ruleset), "--table", "customers", "--lake", str(lake)]) == 0
    assert 'IsUnique "customerid"' in capsys.readouterr().out
