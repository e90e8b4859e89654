"""The SparkSession: reuse the one that exists (spark-submit, Glue, tests) or build a local one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pyspark.sql import SparkSession

from dea_etl.errors import debugging
from dea_etl.io.iceberg import session_conf as iceberg_session_conf
from dea_etl.io.parquet import COMMIT_PROTOCOL, RUN_NAMED_CLOUD_PROTOCOL, RUN_NAMED_PROTOCOL
from dea_etl.io.storage import PARQUET_COMMITTER, S3A_COMMITTER_CONF, hadoop_settings
from dea_etl.javahome import ensure_java_home
from dea_etl.jvm import cds, jar_paths
from dea_etl.runtime.submit import log4j2_java_option

#: SQL settings every dea_etl job relies on; applied to new and reused sessions alike.
SESSION_CONF: dict[str, str] = {
    # M/d/yyyy and M/d/yy H:mm parse with the java.time parser; unparseable -> null -> quarantined.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    # Taxi timestamps are wall-clock times without a zone: keep them as written.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.ansi.enabled": "false",
    # A whole-stage generated method over HotSpot's 8,000-byte limit is never JIT-compiled: every row then
    # runs in the bytecode interpreter. csv_to_parquet's typed projection of orders is 8,754 bytes; with
    # this limit Spark falls back to its per-operator code (split into small methods) for that stage:
    # casting and checking 3,000,000 orders took 12.5 CPU s instead of 34.8 (BENCHMARKS.md). Spark's own
    # documentation recommends 8000 on HotSpot.
    "spark.sql.codegen.hugeMethodLimit": "8000",
}

#: Settings for a session we build ourselves (local runs, tests); the driver logs quietly
#: (:data:`dea_etl.runtime.submit.LOG4J2_CONF`).
LOCAL_BUILD_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.driver.extraJavaOptions": f"-Dderby.system.home=/tmp/dea-etl-derby {log4j2_java_option()}".strip(),
}


#: A short run's JVM (a local session for small inputs, e.g. the sample pipeline): HotSpot's quick compiler
#: only. Its optimizing compiler (C2) spends seconds of CPU on the two cores compiling Spark's planner and
#: generated code, which a run of seconds never earns back: the sample pipeline took 27.5 s with it and
#: 20.4 s without (BENCHMARKS.md, "The sample pipeline"); by hand (medians of 3, 2026-12-07) a ``dea-etl sql``
#: join on the sample lake 9.4 -> 8.6 s, ``dq`` of orders 14.3 -> 11.7 s, csv_to_parquet of customers
#: 11.0 -> 8.2 s. Long runs keep C2 (it makes hot loops faster), and so does the in-process test session,
#: where dropping it gained nothing measurable (72 tests: 64.9-76.9 s with C2, 63.6-67.1 s without).
SHORT_RUN_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"


#: The S3 settings (S3A for every S3 scheme, the endpoint, the magic committer) live with the schemes.
s3a_conf = hadoop_settings


def local_jvm_conf() -> dict[str, str]:
    """Settings for a session built on this machine: the declared jars (fetched if missing) and S3A.

    Under spark-submit (``PYSPARK_GATEWAY_PORT`` set) the JVM already runs with the classpath that
    spark-submit's ``--jars`` gave it, and ``spark.jars`` could no longer reach the driver: none is added.
    """
    if "PYSPARK_GATEWAY_PORT" in os.environ:  # the committer only if --jars brought it: see apply_s3a
        return s3a_conf()
    return {"spark.jars": ",".join(jar_paths()), **s3a_conf(), **S3A_COMMITTER_CONF}


#: S3A's settings for the credentials in ``AWS_*`` variables (its own chain reads the JVM's environment,
#: which is fixed when the JVM starts).
_S3A_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "fs.s3a.access.key",
    "AWS_SECRET_ACCESS_KEY": "fs.s3a.secret.key",
    "AWS_SESSION_TOKEN": "fs.s3a.session.token",
}


def _loadable(spark: SparkSession, class_name: str) -> bool:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    return bool(jvm.org.apache.spark.util.Utils.classIsLoadable(class_name))


def apply_s3a(spark: SparkSession) -> None:
    """Point a running local session's S3A at the endpoint and credentials the environment names now.

    The Python process's environment can change after the JVM started (a test pointing at its
    moto_server, a CLI given another endpoint): its ``AWS_*`` variables are copied into the Hadoop
    configuration, which S3A reads when it opens a bucket. S3A's magic committer is switched on when its
    binding (spark-hadoop-cloud) is on the classpath.
    """
    hadoop_conf = spark.sparkContext._jsc.hadoopConfiguration()
    committer = S3A_COMMITTER_CONF if _loadable(spark, S3A_COMMITTER_CONF[PARQUET_COMMITTER]) else {}
    for key, value in {**s3a_conf(), **committer}.items():
        if key.startswith("spark.hadoop."):
            hadoop_conf.set(key.removeprefix("spark.hadoop."), value)
        else:
            spark.conf.set(key, value)
    if "AWS_ENDPOINT_URL" not in os.environ and "AWS_ENDPOINT_URL_S3" not in os.environ:
        hadoop_conf.unset("fs.s3a.endpoint")
        hadoop_conf.unset("fs.s3a.path.style.access")
    for variable, key in _S3A_CREDENTIALS.items():
        if os.environ.get(variable):
            hadoop_conf.set(key, os.environ[variable])
        else:
            hadoop_conf.unset(key)


def get_spark(
    app_name: str,
    master: str | None = None,
    conf: Mapping[str, str] | None = None,
    *,
    local_defaults: bool = True,
    short_run: bool = False,
) -> tuple[SparkSession, bool]:
    """The active SparkSession, or a new one; returns ``(spark, created)``.

    A session we did not create (spark-submit's, Glue's, a test fixture's) is reused, never stopped by us.
    ``local_defaults=False`` (on Glue and EMR) builds a new session without :data:`LOCAL_BUILD_CONF`, so
    that the platform's own settings (shuffle partitions, UI, log) stay in force; locally Spark's own log
    is off unless :func:`debugging`. ``short_run``: a new local session's JVM is started for a short run
    (:data:`SHORT_RUN_JAVA_OPTIONS`).
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
        local = {**LOCAL_BUILD_CONF, **local_jvm_conf()} if local_defaults else {}
        if local_defaults:
            extra = [cds.java_options(), SHORT_RUN_JAVA_OPTIONS if short_run else ""]
            options = " ".join(filter(None, [LOCAL_BUILD_CONF["spark.driver.extraJavaOptions"], *extra]))
            local["spark.driver.extraJavaOptions"] = options
        # Iceberg's SQL extensions can only be set while the session is built (kept beside any given).
        for key, value in {**local, **iceberg_session_conf(_launch_conf("spark.sql.extensions")), **(conf or {})}.items():
            builder = builder.config(key, value)
        active = builder.getOrCreate()
    for key, value in SESSION_CONF.items():
        active.conf.set(key, value)
    if local_defaults:
        spark_log(active, debugging())
        apply_s3a(active)
    use_run_named_files(active, cloud=local_defaults)
    balance_file_splits(active)
    return active, created


def use_run_named_files(spark: SparkSession, *, cloud: bool) -> None:
    """Make the session's Parquet writes name each file for its run (:mod:`dea_etl.io.parquet`), through
    ``dea-etl-spark.jar``: with Spark's cloud commit protocol (S3A's magic committer) when ``cloud`` (local
    sessions), else with Spark's default protocol, through which Glue and EMR bind their S3 committers.
    Without the jar the setting is left alone, and a plain Parquet write says what is missing."""
    protocol = RUN_NAMED_CLOUD_PROTOCOL if cloud else RUN_NAMED_PROTOCOL
    if _loadable(spark, protocol):
        spark.conf.set(COMMIT_PROTOCOL, protocol)


def spark_log(spark: SparkSession, debug: bool) -> None:
    """A failure is one line of ours: Spark's own log of it (hundreds of lines of Java traces) is off, every
    logger of it; with ``debug``, Spark's warnings and errors show, with their traces."""
    if debug:
        spark.sparkContext.setLogLevel("WARN")
        return
    jvm: Any = spark.sparkContext._jvm
    log4j = jvm.org.apache.logging.log4j
    log4j.core.config.Configurator.setAllLevels(log4j.LogManager.ROOT_LOGGER_NAME, log4j.Level.OFF)


def _launch_conf(key: str) -> str | None:
    """A setting the JVM was launched with (spark-submit's ``--conf``), before any session exists.

    Only under spark-submit (the JVM runs already): launching it here would lose the builder's settings.
    """
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        return None
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized()
    return SparkConf().get(key, None)


def balance_file_splits(spark: SparkSession) -> None:
    """Split input files into at least two tasks per core (unless set already).

    With the default 128 MB splits a 370 MB file makes 3 tasks on 2 cores: the third runs alone and
    the stage takes 1.5x as long as it needs to. Spark sizes splits as
    ``min(maxPartitionBytes, max(openCostInBytes, total / minPartitionNum))``.
    """
    if spark.conf.get("spark.sql.files.minPartitionNum", None) is None:
        cores = spark.sparkContext.defaultParallelism
        spark.conf.set("spark.sql.files.minPartitionNum", str(2 * cores))
