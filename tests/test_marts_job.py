"""The sales_mart job end to end on a small lake: marts, partitions, unknown-key counts, reruns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from tests.marts_data import LINES, customers_df, employees_df, orders_rows
from tests.table_files import data_files

from dea_etl.io import read_table
from dea_etl.io.parquet import write_parquet
from dea_etl.pipelines.sales_mart import JOB
from dea_etl.runtime import run_job
from dea_etl.tables.seed import ORDERS

MONTHS = ("year", "month")


def _write_lake(
    spark: SparkSession, root: Path, lines: list[tuple[Any, ...]], run_id: str, mode: str
) -> None:
    processed = root / "processedData"
    orders = spark.createDataFrame(orders_rows(lines), ORDERS.processed_schema)
    write_parquet(orders, str(processed / "orders"), run_id=run_id, mode=mode, partition_by=MONTHS)
    if mode == "overwrite":
        write_parquet(customers_df(spark), str(processed / "customers"), run_id=run_id)
        write_parquet(employees_df(spark), str(processed / "employees"), run_id=run_id)


def _run(root: Path, *extra: str) -> dict[str, Any]:
    summary = root / "summary.json"
    assert run_job(JOB, ["--lake", str(root), "--summary-json", str(summary), *extra]) == 0
    data: dict[str, Any] = json.loads(summary.read_text())
    return {t["table"]: t for t in data["tables"]}


def _without_seconds(tables: dict[str, Any]) -> dict[str, Any]:
    return {k: {**v, "seconds": None} for k, v in tables.items()}


def _partitions(path: Path) -> list[str]:
    """The partition folders of the table, one per Parquet file ("." unpartitioned)."""
    return sorted(part for part, names in data_files(path).items() for _ in names)


def _files(path: Path, part: str) -> list[str]:
    """The Parquet files of one partition of the table."""
    return sorted(data_files(path).get(part, []))


@pytest.fixture(scope="module")
def built(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A small lake and the results of a first sales_mart run over it."""
    root = tmp_path_factory.mktemp("lake")
    _write_lake(spark, root, LINES, "setup", "overwrite")
    return root, _run(root)


@pytest.fixture()
def lake(built: tuple[Path, dict[str, Any]]) -> Path:
    return built[0]


def test_job_writes_marts_and_counts_unknown_keys(built: tuple[Path, dict[str, Any]]) -> None:
    lake, first = built
    second = _run(lake)  # idempotent: same tables, same counts
    assert _without_seconds(first) == _without_seconds(second)
    assert first["sales_order_lines"]["metrics"] == {
        "orders": 6,
        "lines": 8,
        "lines_unknown_customer": 2,
        "lines_unknown_employee": 2,
        "lines_unknown_manager": 2,
        "orders_unknown_customer": 2,
        "orders_unknown_employee": 2,
    }
    assert {k: v["rows_written"] for k, v in first.items()} == {
        "sales_order_lines": 8,
        "customer_sales": 4,
        "employee_sales_monthly": 6,
        "territory_sales_monthly": 3,
        "manager_sales": 4,
    }
    processed = lake / "processedData"
    assert _partitions(processed / "employee_sales_monthly") == ["year=2014/month=5", "year=2014/month=6"]
    assert _partitions(processed / "customer_sales") == ["."]


def test_job_rerun_for_one_month_leaves_the_others(spark: SparkSession, lake: Path) -> None:
    territory = lake / "processedData" / "territory_sales_monthly"
    may_files = _files(territory, "year=2014/month=5")
    june_line = (20, 9, LINES[3][2], 275, 1, 100.0, 8.0, 2.0, 110.0, 100.0)
    _write_lake(spark, lake, [june_line], "june", "overwrite-partitions")
    results = _run(lake, "--months", "2014-06")
    assert sorted(results) == ["employee_sales_monthly", "sales_order_lines", "territory_sales_monthly"]
    assert results["sales_order_lines"]["metrics"]["lines"] == 1
    assert _files(territory, "year=2014/month=5") == may_files
    june = (
        read_table(spark, str(territory))
        .where("month = 6")
        .select("territory", "orders", "totaldue")
        .collect()
    )
    assert [tuple(r) for r in june] == [("Northeast", 1, 110.0)]


def test_job_bad_months_argument_exits_non_zero(lake: Path) -> None:
    assert run_job(JOB, ["--lake", str(lake), "--months", "2014-13"]) != 0
