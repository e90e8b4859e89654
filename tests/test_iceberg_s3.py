"""Iceberg tables in an s3:// lake on moto_server, with bookmarks: a run killed between its rows and its
bookmark is settled by the next run (the run id in the snapshot summary), nothing appended twice."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from tests.conftest import DATA

from dea_etl.bookmarks import open_store
from dea_etl.io import read_table
from dea_etl.io.iceberg import published_run_ids
from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format
from dea_etl.pipelines import JOBS
from dea_etl.runtime import JobContext, JobSpec, TableResult, run_job
from dea_etl.runtime.session import apply_s3a

BUCKET = "ice-lake"
TABLE = f"s3://{BUCKET}/processedData/customers"
CUSTOMERS = DATA.joinpath("customers.csv").read_text().splitlines(keepends=True)[:9]


def _args(run_id: str) -> list[str]:
    return ["--table", "customers", "--input", f"s3://{BUCKET}/rawData/customers", "--output", TABLE,
            "--table-format", "iceberg", "--job-bookmark-option", "job-bookmark-enable",
            "--bookmark-store", f"s3://{BUCKET}/tmpDir/bookmarks", "--JOB_NAME", "customers_job", "--run-id", run_id]


def _put(name: str, lines: list[str]) -> None:
    boto3.client("s3").put_object(Bucket=BUCKET, Key=f"rawData/customers/{name}", Body="".join(lines).encode())


@pytest.fixture()
def lake(spark: SparkSession, aws: str) -> str:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    apply_s3a(spark)
    return f"s3://{BUCKET}"


def test_a_run_killed_after_publishing_is_settled_by_the_next_run(
    spark: SparkSession, lake: str, tmp_path: Path
) -> None:
    _put("c1.csv", CUSTOMERS[:4])

    def published_then_died(ctx: JobContext) -> list[TableResult]:
        JOBS["csv_to_parquet"].run(ctx)
        raise RuntimeError("driver lost after publishing")

    job = JobSpec("csv_to_parquet", JOBS["csv_to_parquet"].args, published_then_died)
    assert run_job(job, _args("run-1")) == 1
    fmt = TableFormat(ICEBERG)
    assert read_in_format(spark, TABLE, fmt).count() == 4
    store = open_store(f"s3://{BUCKET}/tmpDir/bookmarks")
    assert store.latest("customers_job") is None and len(store.claims("customers_job")) == 1

    _put("c2.csv", CUSTOMERS[4:])
    assert run_job(JOBS["csv_to_parquet"], _args("run-2")) == 0
    entry = store.latest("customers_job")
    assert entry is not None and (entry.version, entry.run_id) == (2, "run-2")
    assert store.claims("customers_job") == []
    assert published_run_ids(spark, TABLE) == {"run-1", "run-2"}
    # one full Parquet conversion of the same nine lines gives the same rows
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "all.csv").write_text("".join(CUSTOMERS))
    assert run_job(JOBS["csv_to_parquet"], ["--table", "customers", "--input", str(tmp_path / "in"),
                                            "--output", str(tmp_path / "out")]) == 0
    assert_df_equality(read_in_format(spark, TABLE, fmt), read_table(spark, str(tmp_path / "out")),
                       ignore_row_order=True, ignore_nullable=True)
    # The table is in the Glue Data Catalog (moto) from its first commit: at its folder, with its columns
    glue = boto3.client("glue").get_table(DatabaseName="dea_etl", Name="customers")["Table"]
    assert glue["Parameters"]["table_type"] == "ICEBERG"
    assert glue["Parameters"]["metadata_location"].startswith(f"{TABLE}/metadata/")
    assert glue["StorageDescriptor"]["Location"] == TABLE
    schema = read_in_format(spark, TABLE, fmt).schema
    assert [(c["Name"], c["Type"]) for c in glue["StorageDescriptor"]["Columns"]] == [
        (f.name, f.dataType.simpleString()) for f in schema.fields]
