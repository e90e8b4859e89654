"""Publish bench driver, run by ``benchmarks/publish.py`` through spark-submit.

``publish_job.py ENDPOINT BASE_ROWS MONTHS RUNS`` appends onto a table of the same size, at 1x and 10x
``BASE_ROWS``, on the moto_server at ENDPOINT, and prints one JSON line: per scale the seconds and S3
requests (counted by moto's request recorder) of staging the append and of publishing it.
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

from dea_etl.io import stage_parquet, write_parquet
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


def orders(spark: SparkSession, rows: int, months: int) -> DataFrame:
    return spark.range(rows).select(
        F.col("id").alias("salesorderid"),
        (F.col("id") % 997 * 1.5).alias("amount"),
        F.concat(F.lit("customer-"), (F.col("id") % 5000).cast("string")).alias("customer"),
        (2013 + F.col("id") % months / 12).cast("int").alias("year"),
        (1 + F.col("id") % 12).cast("int").alias("month"),
    )


def measure(spark: SparkSession, endpoint: str, rows: int, months: int, runs: int) -> dict[str, Any]:
    publish_s: list[float] = []
    write_s: list[float] = []
    reqs: list[Counter[str]] = []
    write_reqs: list[Counter[str]] = []
    scale = rows
    for i in range(runs + 1):
        table = f"s3://bench/processedData/orders_{scale}_{i}"
        write_parquet(orders(spark, rows, months), table, run_id="first", partition_by=PARTITIONS)
        recorder(endpoint, "reset-recording")
        recorder(endpoint, "start-recording")
        t0 = time.perf_counter()
        staged = stage_parquet(orders(spark, rows, months), table, run_id="append", mode="append",
                               partition_by=PARTITIONS)
        t1 = time.perf_counter()
        recorder(endpoint, "stop-recording")
        written = requests(endpoint)
        recorder(endpoint, "reset-recording")
        recorder(endpoint, "start-recording")
        t2 = time.perf_counter()
        staged.publish()
        t3 = time.perf_counter()
        recorder(endpoint, "stop-recording")
        if i:  # the first round warms up
            write_s.append(t1 - t0)
            publish_s.append(t3 - t2)
            reqs.append(requests(endpoint))
            write_reqs.append(written)
    return {
        "rows": rows, "write": write_s, "publish": publish_s,
        "requests": [sum(r.values()) for r in reqs], "copies": [r["CopyObject"] for r in reqs],
        "write_requests": [sum(r.values()) for r in write_reqs],
        "write_copies": [r["CopyObject"] for r in write_reqs],
    }


def main(argv: list[str]) -> None:
    endpoint, base, months, runs = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    spark, _ = get_spark("bench-publish")
    spark.sparkContext.setLogLevel("ERROR")
    boto3.client("s3").create_bucket(Bucket="bench")
    print(json.dumps({scale: measure(spark, endpoint, base * scale, months, runs) for scale in (1, 10)}))


if __name__ == "__main__":
    main(sys.argv[1:])
