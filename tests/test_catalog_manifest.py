"""The Glue catalog and Athena DDL follow a table's manifest: one partition per slice, at the slice's prefix."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main
from dea_etl.io import manifest, write_parquet

ORDERS = "salesorderid int, year int, month int"


def _register(lake: Path) -> int:
    return main(["catalog", "register", "--database", "sales", "--lake", str(lake), "--tables", "customers,orders"])


def _partitions(glue, table: str) -> dict[tuple[str, ...], str]:
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName="sales", TableName=table)
    return {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for page in pages for p in page["Partitions"]}


def test_register_points_each_partition_at_a_slice_and_follows_new_versions(
    spark: SparkSession, aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = tmp_path / "lake"
    orders, customers = str(lake / "processedData/orders"), str(lake / "processedData/customers")
    write_parquet(spark.createDataFrame([(1, 2014, 5), (2, 2014, 6)], ORDERS), orders, run_id="r1",
                  partition_by=("year", "month"))
    write_parquet(spark.createDataFrame([(3, 2014, 6)], ORDERS), orders, run_id="r2", mode="append",
                  partition_by=("year", "month"))
    write_parquet(spark.createDataFrame([(7,)], "customerid int"), customers, run_id="r1")
    r1, r2 = (s.run for s in sorted(manifest.latest(orders).slices)[::2])  # (r1, 5), (r1, 6), (r2, 6)

    assert _register(lake) == 0
    glue = boto3.client("glue")
    table = glue.get_table(DatabaseName="sales", Name="orders")["Table"]
    root = lake.resolve().as_uri() + "/processedData/orders/_dea_runs/"
    assert table["StorageDescriptor"]["Location"] == root
    assert [k["Name"] for k in table["PartitionKeys"]] == ["dea_run", "year", "month"]
    assert _partitions(glue, "orders") == {
        (r1, "2014", "5"): f"{root}dea_run={r1}/year=2014/month=5/",
        (r1, "2014", "6"): f"{root}dea_run={r1}/year=2014/month=6/",
        (r2, "2014", "6"): f"{root}dea_run={r2}/year=2014/month=6/",
    }
    (c1,) = manifest.latest(customers).slices
    assert list(_partitions(glue, "customers")) == [(c1.run,)]

    write_parquet(spark.createDataFrame([(4, 2014, 6)], ORDERS), orders, run_id="r3", mode="overwrite-partitions",
                  partition_by=("year", "month"))
    r3 = next(s.run for s in manifest.latest(orders).slices if s.run.startswith("r3"))
    capsys.readouterr()
    assert _register(lake) == 0
    assert "sales.orders: unchanged, 1 partitions added, 2 removed" in capsys.readouterr().out
    assert sorted(_partitions(glue, "orders")) == [(r1, "2014", "5"), (r3, "2014", "6")]


def test_ddl_adds_the_slices_as_partitions_without_projection(
    spark: SparkSession, aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orders = str(tmp_path / "lake/processedData/orders")
    write_parquet(spark.createDataFrame([(1, 2014, 5)], ORDERS), orders, run_id="r1", partition_by=("year", "month"))
    (run,) = (s.run for s in manifest.latest(orders).slices)
    assert main(["catalog", "ddl", "--lake", str(tmp_path / "lake"), "--tables", "orders"]) == 0
    out = capsys.readouterr().out
    root = (tmp_path / "lake").resolve().as_uri() + "/processedData/orders/_dea_runs/"
    assert "PARTITIONED BY (`dea_run` string, `year` int, `month` int)" in out
    assert "projection" not in out
    assert f"PARTITION (`dea_run`='{run}', `year`=2014, `month`=5) LOCATION '{root}dea_run={run}/year=2014/month=5/'" in out
