"""Publish bench driver, run by ``benchmarks/publish.py`` through spark-submit.

``publish_job.py ENDPOINT BASE_ROWS APPEND_ROWS MONTHS RUNS`` appends APPEND_ROWS rows onto a table that
already holds 1x and 10x BASE_ROWS rows, in each table format, on the moto_server at ENDPOINT (plain
Parquet through S3A; Iceberg in the Glue catalog with S3FileIO), and prints one JSON line: per format and
scale the seconds and S3/Glue requests (counted by moto's request recorder) of writing the append and of
publishing it.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.request
from collections import Counter
from typing import Any

import boto3
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io.tables import ICEBERG, PARQUET, TableFormat, stage_table, write_table
from dea_etl.runtime import get_spark

SPACE = re.compile(r"\s*")
PARTITIONS = ("year", "month")


def recorder(endpoint: str, action: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/recorder/{action}", method="POST")
    urllib.request.urlopen(request).close()


def requests(endpoint: str) -> Counter[str]:
    """The recorded requests by kind (CopyObject, else the HTTP method)."""
    raw = urllib.request.urlopen(f"{endpoint}/moto-api/recorder/download-recording").read().decode()
    ops: Counter[str] = Counter()
    at, decoder = 0, json.JSONDecoder()
    while (at := SPACE.match(raw, at).end()) < len(raw):  # type: ignore[union-attr]  # requests may share a line
        entry, at = decoder.raw_decode(raw, at)
        copy = any(k.lower() == "x-amz-copy-source" for k in entry["headers"])
        ops["CopyObject" if copy else entry["method"]] += 1
    return ops


def orders(spark: SparkSession, rows: int, months: int, offset: int = 0) -> DataFrame:
    return spark.range(offset, offset + rows).select(
        F.col("id").alias("salesorderid"),
        (F.col("id") % 997 * 1.5).alias("amount"),
        F.concat(F.lit("customer-"), (F.col("id") % 5000).cast("string")).alias("customer"),
        (2013 + F.col("id") % months / 12).cast("int").alias("year"),
        (1 + F.col("id") % 12).cast("int").alias("month"),
    )


def recorded(endpoint: str, action: Any) -> tuple[float, Counter[str], Any]:
    recorder(endpoint, "reset-recording")
    recorder(endpoint, "start-recording")
    t0 = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - t0
    recorder(endpoint, "stop-recording")
    return seconds, requests(endpoint), result


def measure(spark: SparkSession, endpoint: str, fmt: TableFormat, rows: int, append: int, months: int,
            runs: int) -> dict[str, Any]:
    table = f"s3://bench/processedData/orders_{fmt.name}_{rows}"
    write_table(orders(spark, rows, months), table, table_format=fmt, run_id="first", partition_by=PARTITIONS)
    write_s, publish_s, write_reqs, publish_reqs = [], [], [], []
    for i in range(runs + 1):
        batch = orders(spark, append, months, offset=rows + i * append)
        t_write, w_reqs, staged = recorded(endpoint, lambda b=batch, r=i: stage_table(
            b, table, table_format=fmt, run_id=f"append-{r}", mode="append", partition_by=PARTITIONS))
        t_publish, p_reqs, _ = recorded(endpoint, staged.publish)
        if i:  # the first round warms up
            write_s.append(t_write)
            publish_s.append(t_publish)
            write_reqs.append(w_reqs)
            publish_reqs.append(p_reqs)
    return {
        "rows": rows, "write": write_s, "publish": publish_s,
        "write_requests": [sum(r.values()) for r in write_reqs], "requests": [sum(r.values()) for r in publish_reqs],
        "copies": [r["CopyObject"] for r in [*write_reqs, *publish_reqs]],
    }


def main(argv: list[str]) -> None:
    endpoint, base, append, months, runs = argv[0], int(argv[1]), int(argv[2]), int(argv[3]), int(argv[4])
    spark, _ = get_spark("bench-publish")
    spark.sparkContext.setLogLevel("ERROR")
    boto3.client("s3").create_bucket(Bucket="bench")
    out = {name: {scale: measure(spark, endpoint, TableFormat(name), base * scale, append, months, runs)
                  for scale in (1, 10)} for name in (PARQUET, ICEBERG)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
