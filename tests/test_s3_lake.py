"""Every job on an S3 lake (a real moto_server over HTTP, through S3A and boto3) equals its local run.

The pipeline runs once on ``s3://`` and once on a local folder for the whole module (both module-scoped);
the tests compare them table by table and look at what landed in the bucket. The moto state is emptied
once, when the module starts; no test of this module empties it again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from chispa import assert_df_equality
from jobs import csv_to_parquet, nyc_taxi, raw_to_processed
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from tests.conftest import DATA, REPO
from tests.foreign import columns_of, fingerprint_sql, pyarrow_s3_table, with_bare_spark, with_dea_etl_sql, with_duckdb_arrow

from dea_etl.bookmarks import open_store
from dea_etl.bookmarks.model import file_key
from dea_etl.catalog import catalog_tables
from dea_etl.catalog.tables import view_name
from dea_etl.cli import main as cli_main
from dea_etl.io import FileInfo, read_table
from dea_etl.io.lake import lay_out_lake
from dea_etl.io.tables import lake_tables
from dea_etl.jvm import jar_paths
from dea_etl.pipelines.pipeline import SAMPLE_FILES
from dea_etl.runtime.session import apply_s3a
from dea_etl.testing import moto_environment, reset_moto_server

pytestmark = pytest.mark.slow

BUCKET = "dea-etl-s3-lake"
S3_LAKE = f"s3://{BUCKET}"
#: Dropped into rawData/orders/ of both lakes before the pipeline runs: an order line that parses but
#: breaks the orders ruleset (orderqty 0: the data-quality gate quarantines it) and a line with three
#: fields (the CSV parser quarantines it).
EXTRA_ORDERS = "extra_orders.csv"
EXTRA_LINES = b"999001,999001,5/1/2014,5/13/2014,5/8/2014,276,293,10.0,1.0,1.0,12.0,714,0,5.0,0,0.0\r\nnot,an,order\r\n"
PIPELINE_ARGS = ["--data", str(DATA), "--job-bookmark-option", "job-bookmark-enable"]


@dataclass(frozen=True)
class Lakes:
    local: Path
    summary_local: dict[str, Any]


@pytest.fixture(scope="module")
def s3(spark: SparkSession, moto_endpoint: str) -> Iterator[Any]:
    """An empty moto_server with the lake's bucket; boto3 and the test session's S3A point at it."""
    with pytest.MonkeyPatch.context() as mp:
        reset_moto_server(moto_endpoint)
        for key, value in moto_environment(moto_endpoint).items():
            mp.setenv(key, value)
        mp.delenv("AWS_PROFILE", raising=False)
        apply_s3a(spark)
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture(scope="module")
def lakes(spark: SparkSession, s3: Any, tmp_path_factory: pytest.TempPathFactory) -> Lakes:
    """``dea-etl pipeline`` once on the S3 lake and once on a local one, from the same inputs."""
    local = tmp_path_factory.mktemp("lakes") / "lake"
    (local / "rawData" / "orders").mkdir(parents=True)
    (local / "rawData" / "orders" / EXTRA_ORDERS).write_bytes(EXTRA_LINES)
    s3.put_object(Bucket=BUCKET, Key=f"rawData/orders/{EXTRA_ORDERS}", Body=EXTRA_LINES)
    summary = local.parent / "summary.json"
    assert cli_main(["pipeline", "--lake", str(local), "--summary-json", str(summary), *PIPELINE_ARGS]) == 0
    s3_summary = f"{S3_LAKE}/tmpDir/summary/pipeline.json"
    assert cli_main(["pipeline", "--lake", S3_LAKE, "--summary-json", s3_summary, *PIPELINE_ARGS]) == 0
    return Lakes(local, json.loads(summary.read_text()))


def _comparable(df: DataFrame) -> DataFrame:
    """What must be equal between two runs: no run ids or times; the source file by name only; metric maps
    as sorted entries (maps cannot be sorted, chispa sorts the rows)."""
    dropped = df.drop("run_id", "evaluated_at")
    if "source_file" in df.columns:
        dropped = dropped.withColumn("source_file", F.regexp_extract("source_file", r"[^/]+$", 0))
    for labels_or_metrics in ("EvaluatedMetrics", "Labels", "labels"):
        if labels_or_metrics in df.columns:
            dropped = dropped.withColumn(labels_or_metrics, F.array_sort(F.map_entries(labels_or_metrics)))
    return dropped


#: Every table the pipeline writes, relative to the lake: every table of the catalog (processed tables,
#: marts, the data-quality metric history and outcomes; of the data-quality quarantines only orders' has
#: rows) and the CSV quarantine of orders.
PIPELINE_TABLES = [
    t.location("processedData").rstrip("/") for t in catalog_tables()
    if not t.name.endswith("_dq_quarantine") or t.name == "orders_dq_quarantine"
] + ["processedData/orders_quarantine"]


@pytest.mark.parametrize("table", PIPELINE_TABLES)
def test_every_table_of_the_pipeline_on_s3_equals_the_local_run(spark: SparkSession, lakes: Lakes, table: str) -> None:
    on_s3 = read_table(spark, f"{S3_LAKE}/{table}")
    local = read_table(spark, str(lakes.local / table))
    assert local.count() > 0
    assert_df_equality(_comparable(on_s3), _comparable(local), ignore_row_order=True, ignore_nullable=True)


def test_both_quarantines_hold_the_extra_lines(spark: SparkSession, lakes: Lakes) -> None:
    parsed = read_table(spark, f"{S3_LAKE}/processedData/orders_quarantine").select("source_file", "raw_line").collect()
    assert [(r.source_file, r.raw_line) for r in parsed] == [(f"{S3_LAKE}/rawData/orders/{EXTRA_ORDERS}", "not,an,order")]
    gated = read_table(spark, f"{S3_LAKE}/processedData/_dq/orders/quarantine").collect()
    assert [(r.salesorderdetailid, r.orderqty) for r in gated] == [(999001, 0)]


def test_the_pipeline_uploads_data_into_raw_data_once(spark: SparkSession, s3: Any, lakes: Lakes) -> None:
    for table, name in SAMPLE_FILES.items():
        body = s3.get_object(Bucket=BUCKET, Key=f"rawData/{table}/{name}")["Body"].read()
        assert body == (DATA / name).read_bytes()
    folders = {p["Prefix"] for p in s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")["CommonPrefixes"]}
    assert {"rawData/", "processedData/", "tmpDir/"} <= folders
    # An unchanged rerun uploads nothing (the objects keep their LastModified, which bookmarks read).
    assert lay_out_lake(spark, S3_LAKE, DATA, SAMPLE_FILES) == []


def test_the_run_summary_lands_in_s3_and_no_local_folder_is_made(s3: Any, lakes: Lakes) -> None:
    raw = s3.get_object(Bucket=BUCKET, Key="tmpDir/summary/pipeline.json")["Body"].read()
    summary = json.loads(raw)
    assert summary["status"] == "succeeded"

    def counts(s: dict[str, Any]) -> list[tuple[str, int, int, int]]:
        return [(t["table"], t["rows_in"], t["rows_written"], t["rows_quarantined"]) for t in s["tables"]]

    assert counts(summary) == counts(lakes.summary_local)
    assert ("orders", 5002, 5001, 1) in counts(summary)
    assert ("dq:orders", 5001, 5000, 1) in counts(summary)
    assert not (Path.cwd() / "s3:").exists() and not (REPO / "s3:").exists()


def _ms(when: datetime) -> int:
    return round(when.timestamp() * 1000)


def test_bookmarks_list_s3_and_keep_their_state_in_the_bucket(s3: Any, lakes: Lakes) -> None:
    store = open_store(f"{S3_LAKE}/tmpDir/bookmarks")
    entry = store.latest("pipeline")
    assert entry is not None
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="tmpDir/bookmarks/")["Contents"]}
    assert f"tmpDir/bookmarks/pipeline/{entry.version:010d}.json" in keys
    # The raw files were uploaded just before the run started, inside the consistency band: the state
    # keeps each one's hash of path and S3 LastModified (as S3A lists it).
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="rawData/orders/")["Contents"]
    wanted = {file_key(FileInfo(f"{S3_LAKE}/{o['Key']}", o["Size"], _ms(o["LastModified"]))) for o in listed}
    assert len(wanted) == 2 and wanted <= entry.sources["orders_source"].include


def test_a_bookmarked_rerun_on_s3_reads_no_file_again(s3: Any, lakes: Lakes, tmp_path: Path) -> None:
    before = s3.list_objects_v2(Bucket=BUCKET, Prefix="processedData/orders/")["Contents"]
    summary = f"{S3_LAKE}/tmpDir/summary/rerun.json"
    args = ["--lake", S3_LAKE, "--JOB_NAME", "pipeline", "--job-bookmark-option", "job-bookmark-enable"]
    assert raw_to_processed.main([*args, "--summary-json", summary]) == 0
    tables = json.loads(s3.get_object(Bucket=BUCKET, Key="tmpDir/summary/rerun.json")["Body"].read())["tables"]
    assert {t["table"]: (t["files_read"], t["files_skipped"]) for t in tables} == {
        "customers": (0, 1), "employees": (0, 1), "orders": (0, 2), "tripdata": (0, 1),
    }
    after = s3.list_objects_v2(Bucket=BUCKET, Prefix="processedData/orders/")["Contents"]
    assert [(o["Key"], o["ETag"]) for o in after] == [(o["Key"], o["ETag"]) for o in before]


def test_catalog_register_points_glue_at_the_s3_tables(spark: SparkSession, s3: Any, lakes: Lakes) -> None:
    assert cli_main(["catalog", "register", "--database", "sales", "--lake", f"s3a://{BUCKET}"]) == 0
    glue = boto3.client("glue")
    tables = {t["Name"]: t for t in glue.get_tables(DatabaseName="sales")["TableList"]}
    locations = {t: tables[t]["StorageDescriptor"]["Location"] for t in tables}
    # every table of the lake: the course's, and the quarantine the sample orders produce (two bad rows)
    assert set(locations) == {t.name for t in catalog_tables()} | {"orders_quarantine"}
    for name in ("orders", "customer_sales", "dq_metrics"):  # the columns and types a reader finds in the files
        table = tables[name]
        declared = [(c["Name"], c["Type"]) for c in [*table["StorageDescriptor"]["Columns"], *table["PartitionKeys"]]]
        found = spark.read.parquet(locations[name].replace("s3://", "s3a://")).schema
        assert declared == [(f.name, f.dataType.simpleString()) for f in found.fields], name
    assert all(location.startswith(f"{S3_LAKE}/processedData/") for location in locations.values())
    # Plain Hive layout: each table at its folder, one catalog partition per year=/month= folder.
    assert (locations["orders"], locations["customer_sales"], locations["dq_metrics"], locations["orders_dq_outcomes"]) == (
        f"{S3_LAKE}/processedData/orders/", f"{S3_LAKE}/processedData/customer_sales/",
        f"{S3_LAKE}/processedData/_dq/metrics/", f"{S3_LAKE}/processedData/_dq/orders/outcomes/",
    )
    partitions = glue.get_partitions(DatabaseName="sales", TableName="orders", MaxResults=1000)["Partitions"]
    folders = {o["Key"].rsplit("/", 1)[0] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="processedData/orders/",
                                                                      MaxKeys=1000)["Contents"]
               if o["Key"].endswith(".parquet")}
    assert {tuple(p["Values"]): p["StorageDescriptor"]["Location"] for p in partitions} == {
        tuple(kv.split("=")[1] for kv in f.split("/")[2:]): f"{S3_LAKE}/{f}/" for f in folders
    }
    assert {p["Values"][0] for p in partitions} == {"2011", "2012", "2013", "2014"}


def test_sql_and_dq_read_the_s3_lake(s3: Any, lakes: Lakes, capsys: pytest.CaptureFixture[str]) -> None:
    query = "SELECT COUNT(*) AS n, COUNT(DISTINCT customerid) AS customers FROM orders"
    assert cli_main(["sql", query, "--lake", str(lakes.local), "--output-format", "json"]) == 0
    local = capsys.readouterr().out
    assert cli_main(["sql", query, "--lake", S3_LAKE, "--output-format", "json"]) == 0
    assert capsys.readouterr().out == local
    assert json.loads(local)["n"] == 5000
    s3.put_object(Bucket=BUCKET, Key="rules/customers.dqdl", Body=(REPO / "rules" / "customers.dqdl").read_bytes())
    assert cli_main(["dq", "--ruleset", f"{S3_LAKE}/rules/customers.dqdl", "--table", "customers", "--lake", S3_LAKE]) == 0
    assert "7 of 7 rules passed" in capsys.readouterr().out
    assert cli_main(["dq", "--ruleset", f"{S3_LAKE}/rules/missing.dqdl", "--table", "customers", "--lake", S3_LAKE]) == 2
    assert "cannot read ruleset" in capsys.readouterr().err


def test_nyc_taxi_on_s3_equals_the_local_run(spark: SparkSession, s3: Any, tmp_path: Path) -> None:
    s3.upload_file(str(DATA / "tripdata.csv"), BUCKET, "jobs/raw/tripdata.csv")
    assert nyc_taxi.main(["--input", f"{S3_LAKE}/jobs/raw/tripdata.csv", "--output", f"{S3_LAKE}/jobs/tripdata"]) == 0
    assert nyc_taxi.main(["--input", str(DATA / "tripdata.csv"), "--output", str(tmp_path / "tripdata")]) == 0
    assert_df_equality(read_table(spark, f"{S3_LAKE}/jobs/tripdata"), read_table(spark, str(tmp_path / "tripdata")),
                       ignore_row_order=True, ignore_nullable=True)


def test_csv_to_parquet_on_s3_appends_only_new_files_and_equals_a_local_full_run(
    spark: SparkSession, s3: Any, tmp_path: Path
) -> None:
    lines = (DATA / "customers.csv").read_bytes().splitlines(keepends=True)
    first, second = b"".join(lines[:300]) + b"bad,line\r\n", b"".join(lines[300:])
    local_raw = tmp_path / "raw"
    local_raw.mkdir()
    (local_raw / "a.csv").write_bytes(first)
    (local_raw / "b.csv").write_bytes(second)
    out = f"{S3_LAKE}/jobs/customers"
    args = ["--table", "customers", "--input", f"{S3_LAKE}/jobs/raw/customers/", "--output", out,
            "--job-bookmark-option", "job-bookmark-enable", "--bookmark-store", f"{S3_LAKE}/jobs/bookmarks"]
    s3.put_object(Bucket=BUCKET, Key="jobs/raw/customers/a.csv", Body=first)
    assert csv_to_parquet.main(args) == 0
    s3.put_object(Bucket=BUCKET, Key="jobs/raw/customers/b.csv", Body=second)
    assert csv_to_parquet.main([*args, "--summary-json", f"{S3_LAKE}/jobs/run2.json"]) == 0
    run2 = json.loads(s3.get_object(Bucket=BUCKET, Key="jobs/run2.json")["Body"].read())["tables"][0]
    assert (run2["files_read"], run2["files_skipped"], run2["rows_in"]) == (1, 1, len(lines) - 300)
    bookmarks = s3.list_objects_v2(Bucket=BUCKET, Prefix="jobs/bookmarks/csv_to_parquet/")["Contents"]
    assert [o["Key"].rsplit("/", 1)[1] for o in bookmarks] == ["0000000001.json", "0000000002.json", "attempt.json"]

    local_out = str(tmp_path / "customers")
    assert csv_to_parquet.main(["--table", "customers", "--input", str(local_raw), "--output", local_out]) == 0
    assert_df_equality(read_table(spark, out), read_table(spark, local_out), ignore_row_order=True, ignore_nullable=True)
    assert_df_equality(
        _comparable(read_table(spark, f"{out}_quarantine")), _comparable(read_table(spark, f"{local_out}_quarantine")),
        ignore_row_order=True, ignore_nullable=True,
    )
    assert read_table(spark, f"{out}_quarantine").count() == 1


def test_readers_we_did_not_write_see_the_s3_lake_as_dea_etl_sql_does(
    spark: SparkSession, s3: Any, lakes: Lakes, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    views = {folder: view_name(folder) for folder in lake_tables(S3_LAKE)}
    assert {"orders", "customers", "customer_sales", "_dq/metrics"} <= set(views)
    # Spark without dea-etl: S3A configured as Hadoop's documentation says, at the moto_server
    jars = [j for j in jar_paths() if "hadoop-aws" in j or "aws-java-sdk-bundle" in j]
    conf = {"spark.hadoop.fs.s3a.endpoint": moto_endpoint, "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
            "spark.hadoop.fs.s3a.access.key": os.environ["AWS_ACCESS_KEY_ID"],
            "spark.hadoop.fs.s3a.secret.key": os.environ["AWS_SECRET_ACCESS_KEY"]}
    bare: dict[str, Any] = {"conf": conf, "tables": {}}
    expected = {}
    for folder, view in views.items():
        uri = f"{S3_LAKE}/processedData/{folder}"
        columns = columns_of(read_table(spark, uri).schema)
        expected[view] = with_dea_etl_sql(capsys, S3_LAKE, view, columns)
        assert with_duckdb_arrow(pyarrow_s3_table(moto_endpoint, uri), columns) == expected[view], view
        bare["tables"][view] = {"read": "parquet", "path": uri.replace("s3://", "s3a://"),
                                "sql": fingerprint_sql(columns, "t", "`")}
    assert with_bare_spark(bare, jars) == expected
