"""Why the lake's ``s3://`` catalog takes a lock on moto: two processes append to one Iceberg table at once.

``python -m benchmarks.catalog_race [--writes N] [--without-lock]`` starts a moto_server, seeds an Iceberg
table on its S3 and Glue Data Catalog, then two writers (this process and a child) append ``N`` one-row commits each at the same
moment. It prints how many commits the writers reported, how many raised, and how many reported commits are
missing from the table. With Iceberg's DynamoDB lock (the lake's setting for a local endpoint) none is lost;
``--without-lock`` drops the lock, and moto's ``UpdateTable`` (which ignores the table version Glue checks on
AWS) lets two commits both succeed, one of them lost. Not part of ``make bench``: it is a correctness
experiment, quoted in docs/table-formats.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def _session(name: str) -> SparkSession:
    from dea_etl.runtime import get_spark

    spark, _ = get_spark(name, "local[1]")
    spark.sparkContext.setLogLevel("OFF")
    return spark


def _unlocked(spark: SparkSession, lake: str) -> None:
    """The lake's Glue catalog settings without Iceberg's DynamoDB lock."""
    from dea_etl.io.catalogs import apply_aws_credentials, glue_catalog_settings

    apply_aws_credentials(spark)
    settings = glue_catalog_settings(lake)
    settings.pop("lock-impl")
    settings.pop("lock.table")
    for key, value in settings.items():
        spark.conf.set(f"spark.sql.catalog.glue_catalog.{key}", value)


def appends(spark: SparkSession, spec: dict[str, Any]) -> dict[str, Any]:
    """Wait for the start signal, append ``writes`` rows one commit each, return what this writer saw."""
    from dea_etl.testing import race_writes

    return race_writes(spark, spec["table"], spec["writer"], spec["writes"], Path(spec["go"]))


def writer(spec: dict[str, Any]) -> None:
    """The second writer, in its own process (and JVM)."""
    spark = _session(f"writer-{spec['writer']}")
    if spec["without_lock"]:
        _unlocked(spark, spec["lake"])
    print(json.dumps(appends(spark, spec)))


def race(writes: int, without_lock: bool) -> dict[str, Any]:
    """This process seeds the table and is writer ``a``; a child process is writer ``b`` (two JVMs in all)."""
    import boto3

    from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format, write_table
    from dea_etl.testing import moto_environment, start_moto_server

    server, url = start_moto_server()
    try:
        os.environ.update(moto_environment(url))
        boto3.client("s3").create_bucket(Bucket="race")
        lake = "s3://race/processedData"
        table = f"{lake}/t"
        spark = _session("writer-a")
        write_table(
            spark.createDataFrame([("seed", 0)], "writer string, i int"),
            table,
            table_format=TableFormat(ICEBERG),
            run_id="seed",
            mode="overwrite",
        )
        if without_lock:
            _unlocked(spark, lake)
        with tempfile.TemporaryDirectory() as tmp:
            go = Path(tmp) / "go"
            spec: dict[str, Any] = {"table": table, "lake": lake, "writes": writes, "go": str(go),
                                    "without_lock": without_lock}
            child = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.catalog_race", "--writer", json.dumps({**spec, "writer": "b"})],
                stdout=subprocess.PIPE,
                text=True,
            )
            while not go.with_name("go.ready-b").exists():  # the child's JVM up, so the commits overlap
                if child.poll() is not None:
                    raise SystemExit(f"writer b ended before the race ({child.returncode})")
                time.sleep(0.1)
            go.write_text("go")
            seen = {"a": appends(spark, {**spec, "writer": "a"})}
            seen["b"] = json.loads(child.communicate()[0].strip().splitlines()[-1])
        rows = {(r.writer, r.i) for r in read_in_format(spark, table, TableFormat(ICEBERG)).collect()}
        reported = {(n, i) for n, r in seen.items() for i in r["ok"]}
        return {
            "lock": not without_lock,
            "writes": 2 * writes,
            "reported": len(reported),
            "raised": sum(len(r["errors"]) for r in seen.values()),
            "lost": len(reported - rows),
        }
    finally:
        server.terminate()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.catalog_race")
    p.add_argument("--writes", type=int, default=30, help="commits per writer (two writers)")
    p.add_argument("--without-lock", action="store_true", help="drop Iceberg's DynamoDB lock")
    p.add_argument("--writer", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    if ns.writer:
        writer(json.loads(ns.writer))
        return 0
    print(json.dumps(race(ns.writes, ns.without_lock)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
