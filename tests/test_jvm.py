"""The JVM jars: declared once in dea_etl/jvm/pom.xml, fetched with mvn, on every session's classpath."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main as cli_main
from dea_etl.io.lake import Lake
from dea_etl.jvm import OWN_JAR, declared_artifacts, jar_paths
from dea_etl.runtime.session import apply_s3a, s3a_conf

#: A class from each declared jar, loaded through the test session's JVM.
CLASSES = {
    "hadoop-aws": "org.apache.hadoop.fs.s3a.S3AFileSystem",
    "aws-java-sdk-bundle": "com.amazonaws.services.s3.AmazonS3Client",
    "deequ": "com.amazon.deequ.dqdl.EvaluateDataQuality",
    "dqdl": "software.amazon.glue.dqdl.parser.DQDLParser",
    "iceberg-spark-runtime-3.5_2.12": "org.apache.iceberg.spark.SparkCatalog",
    "spark-hadoop-cloud_2.12": "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter",
    "iceberg-aws-bundle": "software.amazon.awssdk.services.glue.GlueClient",
    "sqlite-jdbc": "org.sqlite.JDBC",
    # dea-etl's own classes, compiled from src/dea_etl/jvm/java/
    OWN_JAR: "dea_etl.spark.RunNamedCloudCommitProtocol",
}


def test_the_declared_jars_are_pinned_to_the_aws_runtimes() -> None:
    versions = {a.name: a.version for a in declared_artifacts()}
    # pyspark 3.5 bundles the Hadoop 3.3.4 client; hadoop-aws must be the same version, with its SDK.
    assert versions["hadoop-aws"] == "3.3.4"
    assert versions["aws-java-sdk-bundle"] == "1.12.262"
    assert versions["deequ"].endswith("-spark-3.5")
    assert versions["spark-hadoop-cloud_2.12"].startswith("3.5.")
    # Iceberg: the line EMR 7.10 ships (1.8.1); 1.7.1 crashes the JVM under Spark >= 3.5.4 (README: Iceberg).
    assert versions["iceberg-spark-runtime-3.5_2.12"] == versions["iceberg-aws-bundle"] == "1.8.1"
    assert set(versions) | {OWN_JAR} == set(CLASSES)


def test_dea_etl_jars_prints_the_local_paths_comma_separated(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["jars"]) == 0
    printed = capsys.readouterr().out.strip().split(",")
    assert printed == jar_paths()
    assert [Path(p).name for p in printed] == [*(a.file_name for a in declared_artifacts()), OWN_JAR]
    assert all(Path(p).stat().st_size > 0 for p in printed)


@pytest.mark.parametrize("jar", sorted(CLASSES))
def test_every_declared_jar_is_on_the_session_classpath(spark: SparkSession, jar: str) -> None:
    jvm = spark.sparkContext._jvm
    loader = jvm.java.lang.Thread.currentThread().getContextClassLoader()
    assert jvm.java.lang.Class.forName(CLASSES[jar], False, loader).getName() == CLASSES[jar]


def test_s3_and_s3n_go_through_s3a_at_the_endpoint_boto3_uses() -> None:
    conf = s3a_conf({"AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_REGION": "eu-west-1"})
    for scheme in ("s3", "s3n", "s3a"):
        assert conf[f"spark.hadoop.fs.{scheme}.impl"] == "org.apache.hadoop.fs.s3a.S3AFileSystem"
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:5000"
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "eu-west-1"
    # The S3-specific variable wins, as in boto3.
    both = s3a_conf({"AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "https://s3.local:9"})
    assert both["spark.hadoop.fs.s3a.endpoint"] == "https://s3.local:9"
    assert both["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "true"
    # Without an endpoint S3A talks to AWS itself, virtual-host style.
    assert "spark.hadoop.fs.s3a.endpoint" not in s3a_conf({})


def test_a_spark_dataframe_round_trips_through_s3_on_moto_server(spark: SparkSession, aws: str) -> None:
    import boto3

    boto3.client("s3").create_bucket(Bucket="jars-lake")
    apply_s3a(spark)
    df = spark.createDataFrame([(1, "a"), (2, None)], "id int, name string")
    df.write.mode("overwrite").parquet("s3://jars-lake/t")
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket="jars-lake")["Contents"]]
    assert any(k.startswith("t/part-") and k.endswith(".parquet") for k in keys)
    from chispa import assert_df_equality

    assert_df_equality(spark.read.parquet("s3n://jars-lake/t"), df, ignore_row_order=True, ignore_nullable=True)


def test_the_s3a_committer_is_used_only_when_its_class_loads(spark: SparkSession) -> None:
    from dea_etl.runtime.session import PARQUET_COMMITTER, S3A_COMMITTER_CONF, _loadable

    assert _loadable(spark, S3A_COMMITTER_CONF[PARQUET_COMMITTER])  # the declared jars are on the classpath
    assert not _loadable(spark, "org.example.NoSuchCommitter")
    apply_s3a(spark)
    hadoop_conf = spark.sparkContext._jsc.hadoopConfiguration()
    assert spark.conf.get(PARQUET_COMMITTER) == S3A_COMMITTER_CONF[PARQUET_COMMITTER]
    assert hadoop_conf.get("mapreduce.outputcommitter.factory.scheme.s3") == (
        "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory"
    )


#: A local session built by the library, reporting where HotSpot loaded a Spark and an Iceberg class from.
_SESSION_SCRIPT = """
from dea_etl.runtime.session import get_spark
spark, _ = get_spark("cds-check")
spark.range(3).selectExpr("sum(id)").collect()
print(spark.conf.get("spark.driver.extraJavaOptions"))
spark.stop()
"""


def _local_session(tmp_path: Path, **env: str) -> tuple[str, str]:
    """Runs :data:`_SESSION_SCRIPT` in a new process with HotSpot's class-load log in a file; its output and log."""
    import os
    import subprocess
    import sys

    log = tmp_path / "classes.log"
    environ = {**os.environ, "JDK_JAVA_OPTIONS": f"-Xlog:class+load=info:file={log}", **env}
    proc = subprocess.run([sys.executable, "-c", _SESSION_SCRIPT], env=environ, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout + proc.stderr, log.read_text()


def test_a_local_session_maps_spark_from_the_class_data_archive_made_at_setup(tmp_path: Path) -> None:
    from dea_etl.jvm import cds

    archive = cds.archive_path()
    assert archive is not None and archive.is_file(), "make builds the archive (python -m dea_etl.jvm.cds)"
    output, classes = _local_session(tmp_path)
    assert f"-XX:SharedArchiveFile={archive}" in output
    for name in ("org.apache.spark.SparkContext", "org.apache.spark.sql.catalyst.analysis.Analyzer"):
        line = next(line for line in classes.splitlines() if f" {name} " in line)
        assert "shared objects file (top)" in line, line  # the archive's layer over the JDK's own
    assert "[warning]" not in output and "[cds" not in output  # HotSpot says nothing about it


def test_without_the_archive_sessions_start_as_before_and_silently(tmp_path: Path) -> None:
    output, classes = _local_session(tmp_path, DEA_ETL_JVM_ARCHIVE="off")
    assert "SharedArchiveFile" not in output
    line = next(line for line in classes.splitlines() if " org.apache.spark.SparkContext " in line)
    assert "shared objects file" not in line


#: A dea-etl command run in this process, then the kind of VM its session's JVM was (``java.vm.info``).
_VM_INFO_SCRIPT = """
import sys
from pyspark import SparkContext
from dea_etl.cli import main
code = main(sys.argv[1:])
print("exit", code, "vm", SparkContext._jvm.java.lang.System.getProperty("java.vm.info"))
"""


def test_a_command_over_a_small_local_lake_starts_a_quick_compiler_only_jvm(tmp_lake: Lake) -> None:
    """A short run's JVM (SHORT_RUN_JAVA_OPTIONS: C1 only, "emulated-client"); over a lake past
    SHORT_RUN_BYTES the same command keeps HotSpot's optimizing compiler."""
    import subprocess
    import sys

    from dea_etl.pipelines.checks import SHORT_RUN_BYTES

    def vm() -> str:
        proc = subprocess.run([sys.executable, "-c", _VM_INFO_SCRIPT, "sql", "SELECT 1 AS one", "--lake",
                               tmp_lake.root], capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0 and "exit 0" in proc.stdout, proc.stdout + proc.stderr[-2000:]
        return proc.stdout.rsplit("vm ", 1)[1]

    assert "emulated-client" in vm()
    big = Path(tmp_lake.root) / "processedData" / "_big"
    big.mkdir()
    with open(big / "blob", "wb") as blob:  # a sparse file: its size, not its bytes on disk
        blob.truncate(SHORT_RUN_BYTES + 1)
    assert "emulated-client" not in vm()
