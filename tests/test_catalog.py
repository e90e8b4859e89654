"""``dea-etl catalog register`` against moto_server (real HTTP): database, tables, partitions, idempotence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from dea_etl.catalog import catalog_tables, local_partitions
from dea_etl.catalog.glue import PARQUET_SERDE
from dea_etl.cli import main

BUCKET = "dea-lake"
LAKE = f"s3://{BUCKET}/processedData/"
YEARS = range(2006, 2015)  # 9 years x 12 months = 108 partitions: two BatchCreatePartition calls


def _put_lake(s3: Any) -> None:
    s3.create_bucket(Bucket=BUCKET)
    keys = ["processedData/customers/part-0.snappy.parquet"]
    keys += [
        f"processedData/orders/year={y}/month={m}/part-0.snappy.parquet" for y in YEARS for m in range(1, 13)
    ]
    keys += [
        "processedData/orders/year=2014/.month=5.old-r1/part-0.snappy.parquet",  # a rerun's leftover: hidden
        "processedData/orders/_SUCCESS",
        "processedData/employee_sales_monthly/year=2014/month=6/part-0.snappy.parquet",
    ]
    for key in keys:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"")


def _partitions(glue: Any, table: str, database: str = "sales") -> list[tuple[str, ...]]:
    pages = glue.get_paginator("get_partitions").paginate(DatabaseName=database, TableName=table)
    return sorted(tuple(p["Values"]) for page in pages for p in page["Partitions"])


def test_register_creates_tables_and_partitions_idempotently(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    s3, glue = boto3.client("s3"), boto3.client("glue")
    _put_lake(s3)
    assert main(["catalog", "register", "--database", "sales", "--lake", LAKE]) == 0
    first = capsys.readouterr().out
    assert "database sales: created" in first
    assert "sales.orders: created, 108 partitions added" in first

    names = sorted(t["Name"] for t in glue.get_tables(DatabaseName="sales")["TableList"])
    assert names == sorted(t.name for t in catalog_tables())
    orders = glue.get_table(DatabaseName="sales", Name="orders")["Table"]
    sd = orders["StorageDescriptor"]
    assert [(k["Name"], k["Type"]) for k in orders["PartitionKeys"]] == [("year", "int"), ("month", "int")]
    assert sd["Location"] == f"{LAKE}orders/"
    assert sd["SerdeInfo"]["SerializationLibrary"] == PARQUET_SERDE
    assert [(c["Name"], c["Type"]) for c in sd["Columns"]][:3] == [
        ("salesorderid", "int"),
        ("salesorderdetailid", "int"),
        ("orderdate", "date"),
    ]
    assert "year" not in [c["Name"] for c in sd["Columns"]]
    orders_parts = _partitions(glue, "orders")
    assert len(orders_parts) == 108 and ("2014", "5") in orders_parts and ("2006", "1") in orders_parts
    part = glue.get_partition(DatabaseName="sales", TableName="orders", PartitionValues=["2014", "5"])[
        "Partition"
    ]
    assert part["StorageDescriptor"]["Location"] == f"{LAKE}orders/year=2014/month=5/"
    assert _partitions(glue, "employee_sales_monthly") == [("2014", "6")]

    # Second run: nothing changes.
    assert main(["catalog", "register", "--database", "sales", "--lake", LAKE]) == 0
    second = capsys.readouterr().out
    assert "created" not in second and "updated" not in second
    assert "sales.orders: unchanged, 0 partitions added" in second
    assert len(_partitions(glue, "orders")) == 108

    # A new month in the lake and a table edited by hand: both put right.
    s3.put_object(Bucket=BUCKET, Key="processedData/orders/year=2015/month=1/part-0.snappy.parquet", Body=b"")
    customers = glue.get_table(DatabaseName="sales", Name="customers")["Table"]
    customers["StorageDescriptor"]["Columns"] = customers["StorageDescriptor"]["Columns"][:1]
    glue.update_table(
        DatabaseName="sales", TableInput={k: customers[k] for k in ("Name", "StorageDescriptor")}
    )
    assert main(["catalog", "register", "--database", "sales", "--lake", LAKE]) == 0
    third = capsys.readouterr().out
    assert "sales.orders: unchanged, 1 partitions added" in third
    assert "sales.customers: updated" in third
    cols = glue.get_table(DatabaseName="sales", Name="customers")["Table"]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in cols] == ["customerid", "firstname", "lastname", "fullname"]


def test_register_with_given_partitions_and_unknown_table(
    aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    glue = boto3.client("glue")
    args = ["catalog", "register", "--database", "d", "--lake", LAKE, "--tables", "orders"]
    assert main([*args, "--partition", "year=2014/month=5", "--partition", "year=2014/month=6"]) == 0
    assert _partitions(glue, "orders", "d") == [("2014", "5"), ("2014", "6")]
    assert main(["catalog", "register", "--database", "d", "--lake", LAKE, "--tables", "nope"]) == 1
    assert "unknown tables ['nope']" in capsys.readouterr().err


def test_local_partitions_skip_hidden_folders(tmp_path: Path) -> None:
    for rel in (
        "year=2014/month=5",
        "year=2014/month=12",
        "year=2013/month=1",
        "year=2014/.month=6.old-x",
        "_tmp",
    ):
        (tmp_path / rel).mkdir(parents=True)
    assert local_partitions(str(tmp_path), ("year", "month")) == [
        ("2013", "1"),
        ("2014", "5"),
        ("2014", "12"),
    ]
    assert local_partitions(str(tmp_path / "missing"), ("year", "month")) == []
