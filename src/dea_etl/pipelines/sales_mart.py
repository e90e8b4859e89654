"""sales_mart: processed orders + customers + employees -> the sales marts in processedData/.

One pass over orders: lines become order headers (one shuffle of the order-level columns, partially
aggregated), joined with the broadcast dimensions and kept on local disk; every mart is built from them,
the four marts' jobs running concurrently.
Monthly marts are partitioned by year/month. ``--months 2014-05,2014-06`` rebuilds only those months of
the monthly marts (dynamic partition overwrite) and skips the all-time marts, which need every month.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io.lake import Lake
from dea_etl.io.tables import TableFormat, kept_for_reuse, read_in_format, stage_counted
from dea_etl.pipelines.checks import Month, parse_months
from dea_etl.pipelines.formats import table_format
from dea_etl.pipelines.specs import SALES_MART
from dea_etl.runtime import JobContext, TableResult
from dea_etl.schemas import TableSpec
from dea_etl.tables.marts import MARTS, MartSpec
from dea_etl.tables.seed import CUSTOMERS, EMPLOYEES, ORDERS
from dea_etl.transforms.joins import DEFAULT_BROADCAST_MAX_BYTES
from dea_etl.transforms.marts import MART_BUILDERS, enrich_orders, order_headers


def in_months(months: Sequence[Month]) -> Column:
    """True for rows in one of ``months`` (on the partition columns: Spark reads only those folders)."""
    cond = F.lit(False)
    for m in months:
        cond = cond | ((F.col("year") == m.year) & (F.col("month") == m.month))
    return cond


def read_processed(spark: SparkSession, lake: Lake, spec: TableSpec, fmt: TableFormat) -> DataFrame:
    return read_in_format(spark, lake.processed(spec.name), fmt, spec.processed_schema)


def unknown_key_metrics(headers_df: DataFrame) -> dict[str, int]:
    """Orders, lines and the lines / orders whose customer, employee or manager is unknown."""

    def lines_if(flag: str) -> Column:
        return F.coalesce(F.sum(F.when(F.col(flag), F.col("lines"))), F.lit(0))

    row = headers_df.agg(
        F.count(F.lit(1)).alias("orders"),
        F.coalesce(F.sum("lines"), F.lit(0)).alias("lines"),
        *(
            lines_if(f"has_unknown_{k}").alias(f"lines_unknown_{k}")
            for k in ("customer", "employee", "manager")
        ),
        *(
            F.count_if(F.col(f"has_unknown_{k}")).alias(f"orders_unknown_{k}")
            for k in ("customer", "employee")
        ),
    ).first()
    assert row is not None
    return {k: int(v) for k, v in row.asDict().items()}


def _write_mart(
    headers_df: DataFrame, spec: MartSpec, lake: Lake, run_id: str, partial: bool, fmt: TableFormat
) -> TableResult:
    started = time.monotonic()
    mart_df = headers_df.transform(MART_BUILDERS[spec.name])
    mode = "overwrite-partitions" if partial and spec.partition_by else "overwrite"
    output = lake.processed(spec.name)
    staged, rows = stage_counted(
        mart_df, output, table_format=fmt, run_id=run_id, mode=mode, partition_by=spec.partition_by
    )
    staged.publish()
    return TableResult(
        table=spec.name,
        rows_in=rows,
        rows_written=rows,
        output=output,
        seconds=round(time.monotonic() - started, 3),
        metrics={"write_mode": mode} if partial else {},
    )


def run(ctx: JobContext) -> list[TableResult]:
    started = time.monotonic()
    lake = Lake(ctx.arg("lake"))
    months = parse_months(ctx.args.get("months"))
    broadcast_max_bytes = int(ctx.args.get("broadcast_max_bytes") or DEFAULT_BROADCAST_MAX_BYTES)
    fmt = table_format(ctx)
    orders = read_processed(ctx.spark, lake, ORDERS, fmt)
    if months:
        orders = orders.where(in_months(months))
    enrich = enrich_orders(
        read_processed(ctx.spark, lake, CUSTOMERS, fmt),
        read_processed(ctx.spark, lake, EMPLOYEES, fmt),
        broadcast_max_bytes=broadcast_max_bytes,
    )
    headers = kept_for_reuse(orders.transform(order_headers).transform(enrich))
    try:
        metrics = unknown_key_metrics(headers)
        lines_result = TableResult(
            table="sales_order_lines",
            rows_in=metrics["lines"],
            rows_written=metrics["lines"],
            metrics=metrics,
            seconds=round(time.monotonic() - started, 3),
        )
        specs = [m for m in MARTS.values() if not months or m.partition_by]
        # The marts are small: their jobs wait on scheduling more than on the cores, so run them together.
        with ThreadPoolExecutor(max_workers=len(specs)) as pool:
            marts = list(pool.map(lambda m: _write_mart(headers, m, lake, ctx.run_id, bool(months), fmt), specs))
        return [lines_result, *marts]
    finally:
        headers.unpersist()


#: Its declaration: arguments and checks (:mod:`dea_etl.pipelines.specs`).
JOB = SALES_MART
