"""The joins broadcast the small dimensions (by estimated size) and never shuffle the orders side."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from tests.marts_data import customers_df, employees_df, lines_df

from dea_etl.io import read_table
from dea_etl.transforms.joins import broadcast_if_small, estimated_size_bytes
from dea_etl.transforms.marts import enrich_orders


def _children(node: Any) -> list[Any]:
    seq = node.children()
    return [seq.apply(i) for i in range(seq.size())]


def _streamed_side(plan: Any) -> tuple[list[str], list[str]]:
    """(join node names, node names) met walking from the root down the streamed side of every join."""
    joins, nodes = [], []
    stack = [plan]
    while stack:
        node = stack.pop()
        name = str(node.nodeName())
        nodes.append(name)
        if "Join" in name:
            joins.append(name)
            if name == "BroadcastHashJoin":
                assert str(node.buildSide()) == "BuildRight", "the orders side must be the streamed side"
                stack.append(node.left())
                continue
        stack.extend(_children(node))
    return joins, nodes


def _initial_plan(df: DataFrame) -> Any:
    plan = df._jdf.queryExecution().executedPlan()
    return plan.inputPlan() if str(plan.nodeName()) == "AdaptiveSparkPlan" else plan


@pytest.fixture(scope="module")
def tables(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> dict[str, DataFrame]:
    """The test tables written to Parquet and read back: their scans carry real size estimates."""
    root = tmp_path_factory.mktemp("plan")
    out = {}
    for name, make in (("orders", lines_df), ("customers", customers_df), ("employees", employees_df)):
        make(spark).write.parquet(str(root / name))
        out[name] = read_table(spark, str(root / name))
    return out


def test_enrich_orders_broadcasts_dimensions_and_never_shuffles_orders(tables: dict[str, DataFrame]) -> None:
    enriched = tables["orders"].transform(enrich_orders(tables["customers"], tables["employees"]))
    joins, nodes = _streamed_side(_initial_plan(enriched))
    assert joins == ["BroadcastHashJoin", "BroadcastHashJoin"]
    assert not [n for n in nodes if "Exchange" in n], nodes
    assert nodes[-1] == "FileSourceScanExec" or "Scan" in nodes[-1]


def test_broadcast_decided_by_estimated_size(spark: SparkSession, tables: dict[str, DataFrame]) -> None:
    customers = tables["customers"]
    size = estimated_size_bytes(customers)
    assert 0 < size < 10_000
    hinted = broadcast_if_small(customers, max_bytes=size)
    not_hinted = broadcast_if_small(customers, max_bytes=size - 1)
    assert "broadcast" in hinted._jdf.queryExecution().analyzed().toString().lower()
    assert "broadcast" not in not_hinted._jdf.queryExecution().analyzed().toString().lower()
    # Over the byte budget (and with Spark's own auto-broadcast off) the joins fall back to shuffle joins.
    previous = spark.conf.get("spark.sql.autoBroadcastJoinThreshold")
    spark.conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")
    try:
        enrich = enrich_orders(tables["customers"], tables["employees"], broadcast_max_bytes=0)
        enriched = tables["orders"].transform(enrich)
        joins, _ = _streamed_side(_initial_plan(enriched))
        assert "BroadcastHashJoin" not in joins
    finally:
        spark.conf.set("spark.sql.autoBroadcastJoinThreshold", previous)
