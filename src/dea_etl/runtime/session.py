"""The SparkSession: reuse the one that exists (spark-submit, Glue, tests) or build a local one."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pyspark.sql import SparkSession

from dea_etl.javahome import ensure_java_home

#: SQL settings every dea_etl job relies on; applied to new and reused sessions alike.
SESSION_CONF: dict[str, str] = {
    # M/d/yyyy and M/d/yy H:mm parse with the java.time parser; unparseable -> null -> quarantined.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    # Taxi timestamps are wall-clock times without a zone: keep them as written.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.ansi.enabled": "false",
}

#: Settings for a session we build ourselves (local runs, tests).
LOCAL_BUILD_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.extraJavaOptions": "-Dderby.system.home=/tmp/dea-etl-derby",
}


def get_spark(
    app_name: str,
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    *,
    local_defaults: bool = True,
) -> tuple[SparkSession, bool]:
    """The active SparkSession, or a new one; returns ``(spark, created)``.

    A session we did not create (spark-submit's, Glue's, a test fixture's) is reused, never stopped by us.
    ``local_defaults=False`` (on Glue and EMR) builds a new session without :data:`LOCAL_BUILD_CONF`, so
    that the platform's own settings (shuffle partitions, UI, ...) stay in force.
    """
    active = SparkSession.getActiveSession()
    created = active is None
    if active is None:
        ensure_java_home()
        # A local session needs no outside address; also quiets Spark's loopback-hostname warning.
        if not master or master.startswith("local"):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.appName(app_name)
        if master:
            builder = builder.master(master)
        for key, value in {**(LOCAL_BUILD_CONF if local_defaults else {}), **(conf or {})}.items():
            builder = builder.config(key, value)
        active = builder.getOrCreate()
    for key, value in SESSION_CONF.items():
        active.conf.set(key, value)
    balance_file_splits(active)
    return active, created


def balance_file_splits(spark: SparkSession) -> None:
    """Split input files into at least two tasks per core (unless set already).

    With the default 128 MB splits a 370 MB file makes 3 tasks on 2 cores: the third runs alone and
    the stage takes 1.5x as long as it needs to. Spark sizes splits as
    ``min(maxPartitionBytes, max(openCostInBytes, total / minPartitionNum))``.
    """
    if spark.conf.get("spark.sql.files.minPartitionNum", None) is None:
        cores = spark.sparkContext.defaultParallelism
        spark.conf.set("spark.sql.files.minPartitionNum", str(2 * cores))
