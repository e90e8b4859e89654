"""Write-audit-publish on Iceberg: the gate runs on the staged rows; a failing gate publishes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from dea_etl.io.iceberg import java_table, table_ref
from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format
from dea_etl.pipelines.raw_to_processed import JOB as RAW_TO_PROCESSED
from dea_etl.runtime import run_job

ICEBERG_FORMAT = TableFormat(ICEBERG)
GATED = ("--table-format", "iceberg", "--dq-gate", "on", "--tables", "customers,employees,orders")
#: The first sample order line with a new line id and an order quantity of 0 ("orderqty" > 0 fails).
BAD_ORDER_LINE = ("71782,999001,5/1/2014,5/13/2014,5/8/2014,276,293,33319.986,3182.8264,994.6333,37497.4457,"
                  "714,0,29.994,0,89.982\n")


def _run(lake: Path, tmp_path: Path, run_id: str, *extra: str) -> tuple[int, dict[str, Any]]:
    summary = tmp_path / f"{run_id}.json"
    code = run_job(RAW_TO_PROCESSED, ["--lake", str(lake), "--run-id", run_id, "--summary-json", str(summary),
                                      *GATED, *extra])
    return code, {t["table"]: t for t in json.loads(summary.read_text())["tables"]}


def _main_snapshot(spark: SparkSession, path: Path) -> int:
    return int(java_table(spark, table_ref(spark, str(path))).currentSnapshot().snapshotId())


def _refs(spark: SparkSession, path: Path) -> list[str]:
    return sorted(r.name for r in spark.sql(f"SELECT name FROM {table_ref(spark, str(path)).ident}.refs").collect())


@pytest.fixture()
def lake(spark: SparkSession, tmp_path: Path, data_dir: Path) -> Path:
    root = tmp_path / "lake"
    for table in ("customers", "employees", "orders"):
        (root / "rawData" / table).mkdir(parents=True)
        shutil.copy(data_dir / f"{table}.csv", root / "rawData" / table / f"{table}.csv")
    code, tables = _run(root, tmp_path, "run-1")
    assert code == 0
    assert (tables["orders"]["rows_written"], tables["orders"]["rows_quarantined"]) == (5000, 0)
    return root


def test_a_failing_fail_mode_gate_leaves_every_main_snapshot_unchanged(
    spark: SparkSession, lake: Path, tmp_path: Path
) -> None:
    processed = lake / "processedData"
    before = {t: _main_snapshot(spark, processed / t) for t in ("customers", "employees", "orders")}
    # a second file repeating a customer: IsUnique "customerid" fails, and customers' mode is fail
    (lake / "rawData" / "customers" / "again.csv").write_text("293,Catherine,Abel,Catherine Abel\n")
    assert run_job(RAW_TO_PROCESSED, ["--lake", str(lake), "--run-id", "run-2", *GATED]) == 1
    after = {t: _main_snapshot(spark, processed / t) for t in before}
    assert after == before
    assert all(_refs(spark, processed / t) == ["main"] for t in before)
    assert read_in_format(spark, str(processed / "customers"), ICEBERG_FORMAT).count() == 635
    outcomes = read_in_format(spark, str(processed / "_dq" / "customers" / "outcomes"), ICEBERG_FORMAT)
    failed = outcomes.where("run_id = 'run-2' AND Outcome = 'Failed'").select("Rule").collect()
    assert [r.Rule for r in failed] == ['IsUnique "customerid"']


def test_quarantine_mode_keeps_the_failing_rows_off_main(spark: SparkSession, lake: Path, tmp_path: Path) -> None:
    processed = lake / "processedData"
    (lake / "rawData" / "orders" / "late.csv").write_text(BAD_ORDER_LINE)
    code, tables = _run(lake, tmp_path, "run-3")
    assert code == 0
    assert (tables["orders"]["rows_in"], tables["orders"]["rows_written"], tables["orders"]["rows_quarantined"]) == (
        5001, 5000, 1)
    orders = read_in_format(spark, str(processed / "orders"), ICEBERG_FORMAT)
    assert orders.count() == 5000
    assert orders.where("salesorderdetailid = 999001").count() == 0
    quarantined = read_in_format(spark, str(processed / "_dq" / "orders" / "quarantine"), ICEBERG_FORMAT)
    assert [(r.salesorderdetailid, r.run_id) for r in quarantined.collect()] == [(999001, "run-3")]
    assert 'ColumnValues "orderqty" > 0' in quarantined.first()["reason"]
    assert _refs(spark, processed / "orders") == ["main"]
