"""The whole pipeline with --table-format iceberg: the same rows as with Parquet, each write one commit.

The pipelines run as `dea-etl run ...` in processes of their own (as from a shell); the test session reads
and compares what they wrote."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from tests.foreign import (
    columns_of,
    fingerprint_sql,
    pyiceberg_glue_table,
    pyiceberg_sqlite_table,
    with_bare_spark,
    with_dea_etl_sql,
    with_duckdb_arrow,
    with_duckdb_files,
)

from dea_etl.catalog.tables import view_name
from dea_etl.io import read_table
from dea_etl.io.catalogs import catalog_table_name
from dea_etl.io.iceberg import RUN_ID_PROPERTY, table_ref
from dea_etl.io.tables import ICEBERG, TableFormat, lake_tables, read_in_format
from dea_etl.jvm import jar_paths
from dea_etl.pipelines.pipeline import SAMPLE_FILES, STEPS
from dea_etl.tables import MARTS, TABLES

ICEBERG_FORMAT = TableFormat(ICEBERG)
pytestmark = pytest.mark.slow  # the pipeline end to end, twice (and once more on S3)


def _dea_etl(*args: str) -> str:
    """``dea-etl ARGS`` in its own process (and JVM): the test session only reads what it wrote. Its standard
    error, which holds no log line of Spark's or Iceberg's (WARN, INFO): a normal run is quiet."""
    cli = Path(sys.executable).with_name("dea-etl")
    proc = subprocess.run([str(cli), *args], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    noise = [line[:200] for line in proc.stderr.splitlines() if re.search(r" (WARN|INFO) ", line)]
    assert noise == []
    return proc.stderr


def _run_pipeline(lake: Path, data_dir: Path, *extra: str) -> None:
    err = _dea_etl("run", "pipeline", "--lake", str(lake), "--data", str(data_dir), "--run-id", "run-1", *extra)
    # each step is a line when it starts and one when it ends (the output is not a terminal: no live bars)
    steps = [line for line in err.splitlines() if line.startswith("[")]
    assert [line.split(" in ")[0] for line in steps] == [
        f"[{i}/{len(STEPS)}] {step.name} {what}" for i, step in enumerate(STEPS, 1) for what in ("...", "done")]


@pytest.fixture(scope="module")
def lakes(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    data_dir = Path(__file__).resolve().parent.parent / "data"
    parquet, iceberg = tmp_path_factory.mktemp("parquet") / "lake", tmp_path_factory.mktemp("iceberg") / "lake"
    _run_pipeline(parquet, data_dir)
    _run_pipeline(iceberg, data_dir, "--table-format", "iceberg")
    return parquet, iceberg


def _both(spark: SparkSession, lakes: tuple[Path, Path], *parts: str) -> tuple[DataFrame, DataFrame]:
    parquet, iceberg = (str(lake / "processedData" / "/".join(parts)) for lake in lakes)
    iceberg_df = read_in_format(spark, iceberg, ICEBERG_FORMAT)
    return read_table(spark, parquet).select(*iceberg_df.columns), iceberg_df


@pytest.mark.parametrize("table", [*TABLES, *MARTS])
def test_every_table_and_mart_has_the_parquet_rows(spark: SparkSession, lakes: tuple[Path, Path], table: str) -> None:
    parquet_df, iceberg_df = _both(spark, lakes, table)
    assert iceberg_df.count() > 0
    assert_df_equality(iceberg_df, parquet_df, ignore_row_order=True, ignore_nullable=True)


@pytest.mark.parametrize("table", ["orders", "customer_sales"])
def test_dq_outcomes_are_the_parquet_outcomes(spark: SparkSession, lakes: tuple[Path, Path], table: str) -> None:
    parquet_df, iceberg_df = _both(spark, lakes, "_dq", table, "outcomes")
    assert iceberg_df.count() > 0

    def comparable(df: DataFrame) -> DataFrame:
        # rows with a map cannot be sorted: the metrics as JSON, rounded (a sum of doubles depends on the
        # order the files are read in: AggregateMatch is 0.9999999999999998 on one, ...92 on the other)
        rounded = F.transform_values("EvaluatedMetrics", lambda _, v: F.round(v, 9))
        metrics = F.to_json(F.array_sort(F.map_entries(rounded)))
        labels = F.to_json(F.array_sort(F.map_entries("Labels")))
        return df.drop("evaluated_at").withColumn("EvaluatedMetrics", metrics).withColumn("Labels", labels)

    assert_df_equality(comparable(iceberg_df), comparable(parquet_df), ignore_row_order=True, ignore_nullable=True)


def test_the_metric_history_is_an_iceberg_table_with_the_parquet_metrics(
    spark: SparkSession, lakes: tuple[Path, Path]
) -> None:
    """The `_dq/metrics` history in the job's format too: one snapshot per data-quality step (every table it
    checked appended together), the same metrics."""
    parquet_df, iceberg_df = _both(spark, lakes, "_dq", "metrics")
    assert iceberg_df.count() > 0
    keys = ("table", "ruleset", "kind", "rule", "outcome", "metric")
    assert_df_equality(iceberg_df.select(*keys, F.round("value", 9).alias("value")),
                       parquet_df.select(*keys, F.round("value", 9).alias("value")),
                       ignore_row_order=True, ignore_nullable=True)
    ident = table_ref(spark, str(lakes[1] / "processedData" / "_dq" / "metrics")).ident
    runs = spark.sql(f"SELECT s.summary['{RUN_ID_PROPERTY}'] AS run_id FROM {ident}.snapshots s").collect()
    assert [r.run_id for r in runs].count("run-1") == 2  # one commit per step: data_quality, mart_quality


def test_the_tables_are_iceberg_tables_in_the_lakes_sqlite_catalog(lakes: tuple[Path, Path]) -> None:
    orders = lakes[1] / "processedData" / "orders"
    with sqlite3.connect(lakes[1] / "iceberg_catalog.db") as db:
        rows = dict(db.execute("SELECT table_name, metadata_location FROM iceberg_tables WHERE catalog_name = 'lake' "
                               "AND table_namespace = 'dea_etl'").fetchall())
    assert {"customers", "employees", "orders", "tripdata", "customer_sales", "dq_metrics"} <= set(rows)
    assert rows["orders"].startswith(f"file:{orders}/metadata/") and Path(rows["orders"][5:]).is_file()
    assert sorted(p.name for p in (orders / "data").iterdir()) == ["year=2011", "year=2012", "year=2013", "year=2014"]


def test_each_write_is_one_snapshot_on_main_carrying_the_run_id(spark: SparkSession, lakes: tuple[Path, Path]) -> None:
    ident = table_ref(spark, str(lakes[1] / "processedData" / "customer_sales")).ident
    history = spark.sql(f"SELECT h.snapshot_id, s.summary['{RUN_ID_PROPERTY}'] AS run_id, s.operation "
                        f"FROM {ident}.history h JOIN {ident}.snapshots s USING (snapshot_id) "
                        "ORDER BY h.made_current_at").collect()
    # the empty table, then the job's rows in one snapshot, main moved once; no staging branch is left
    assert [(r.run_id, r.operation) for r in history] == [(None, "append"), ("run-1", "overwrite")]
    assert [r.name for r in spark.sql(f"SELECT name FROM {ident}.refs").collect()] == ["main"]


def test_the_pipeline_steps_on_the_moto_s3_lake_give_the_same_marts(
    spark: SparkSession, lakes: tuple[Path, Path], aws: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    from dea_etl.runtime.session import apply_s3a

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="ice-pipeline")
    for table, name in SAMPLE_FILES.items():
        s3.upload_file(str(data_dir / name), "ice-pipeline", f"rawData/{table}/{name}")
    apply_s3a(spark)
    lake = "s3://ice-pipeline"
    for step in STEPS:
        _dea_etl("run", step.name, "--lake", lake, "--run-id", "run-s3", "--table-format", "iceberg")
    for table in ("orders", "customer_sales", "territory_sales_monthly"):
        s3_df = read_in_format(spark, f"{lake}/processedData/{table}", ICEBERG_FORMAT)
        local_df = read_table(spark, str(lakes[0] / "processedData" / table)).select(*s3_df.columns)
        assert_df_equality(s3_df, local_df, ignore_row_order=True, ignore_nullable=True)
    glue = boto3.client("glue")
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="dea_etl")["TableList"]}
    for name in ("orders", "customer_sales", "dq_metrics"):  # pyiceberg through the same Glue catalog
        columns = columns_of(read_in_format(spark, f"{lake}/processedData/{name.replace('dq_', '_dq/')}",
                                            ICEBERG_FORMAT).schema)
        expected = with_dea_etl_sql(capsys, lake, name, columns)
        assert with_duckdb_arrow(pyiceberg_glue_table(aws, f"dea_etl.{name}"), columns) == expected
    assert {"orders", "customer_sales", "dq_metrics", "dq_orders_outcomes"} <= set(tables)
    assert tables["orders"]["StorageDescriptor"]["Location"] == f"{lake}/processedData/orders"
    assert tables["orders"]["Parameters"]["table_type"] == "ICEBERG"


def _lake_views(lake: Path) -> dict[str, str]:
    """Each table of the lake (its folder under processedData/) by the name `dea-etl sql` knows it."""
    return {folder: view_name(folder) for folder in lake_tables(str(lake))}


def test_readers_we_did_not_write_see_the_parquet_lake_as_dea_etl_sql_does(
    spark: SparkSession, lakes: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lake = lakes[0]
    views = _lake_views(lake)
    assert {"orders", "customers", "customer_sales", "_dq/metrics", "_dq/orders/outcomes"} <= set(views)
    bare: dict = {"conf": {}, "tables": {}}
    expected = {}
    for folder, view in views.items():
        path = lake / "processedData" / folder
        columns = columns_of(read_table(spark, str(path)).schema)
        expected[view] = with_dea_etl_sql(capsys, str(lake), view, columns)
        assert with_duckdb_files(path, columns) == expected[view], view
        bare["tables"][view] = {"read": "parquet", "path": str(path), "sql": fingerprint_sql(columns, "t", "`")}
    assert with_bare_spark(bare) == expected


def test_readers_we_did_not_write_see_the_iceberg_lake_as_dea_etl_sql_does(
    spark: SparkSession, lakes: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    lake = lakes[1]
    catalog_file = lake / "iceberg_catalog.db"
    views = _lake_views(lake)
    assert set(views.values()) >= {"orders", "customers", "customer_sales", "dq_metrics", "orders_dq_outcomes"}
    # a Spark session configured only as Iceberg's documentation says (JDBC catalog, sqlite-jdbc on the path)
    jars = [j for j in jar_paths() if "iceberg-spark-runtime" in j or "sqlite-jdbc" in j]
    conf = {"spark.sql.catalog.lake": "org.apache.iceberg.spark.SparkCatalog", "spark.sql.catalog.lake.type": "jdbc",
            "spark.sql.catalog.lake.uri": f"jdbc:sqlite:{catalog_file}",
            "spark.sql.catalog.lake.warehouse": f"file:{lake}"}
    bare: dict = {"conf": conf, "tables": {}}
    expected = {}
    for folder, view in views.items():
        name = catalog_table_name(str(lake / "processedData" / folder))
        columns = columns_of(read_in_format(spark, str(lake / "processedData" / folder), ICEBERG_FORMAT).schema)
        expected[view] = with_dea_etl_sql(capsys, str(lake), view, columns)
        assert with_duckdb_arrow(pyiceberg_sqlite_table(catalog_file, f"dea_etl.{name}"), columns) == expected[view]
        bare["tables"][view] = {"read": "table", "path": f"lake.dea_etl.{name}", "sql": fingerprint_sql(columns, "t", "`")}
    assert with_bare_spark(bare, jars) == expected
