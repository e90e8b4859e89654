"""Publishing by manifest: no data file copied, renamed or moved; readers see one whole version."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from tests.s3_requests import recorded

from dea_etl.errors import OutputError
from dea_etl.io import clean, manifest, read_table, stage_parquet, write_parquet
from dea_etl.runtime.session import apply_s3a

SCHEMA = "id int, name string, year int, month int"
PARTS = ("year", "month")


def rows(spark: SparkSession, *data: tuple):
    return spark.createDataFrame(list(data), SCHEMA)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("append", [(1, "a", 2014, 5), (2, "b", 2014, 6), (3, "c", 2014, 6), (4, None, 2015, 1)]),
        ("overwrite-partitions", [(1, "a", 2014, 5), (3, "c", 2014, 6), (4, None, 2015, 1)]),
        ("overwrite", [(3, "c", 2014, 6), (4, None, 2015, 1)]),
    ],
)
def test_writing_and_publishing_on_s3_copy_no_data_and_publishing_is_one_manifest_put(
    spark: SparkSession, aws: str, mode: str, expected: list[tuple]
) -> None:
    boto3.client("s3").create_bucket(Bucket="lake")
    apply_s3a(spark)
    target = "s3://lake/processedData/t"
    write_parquet(rows(spark, (1, "a", 2014, 5), (2, "b", 2014, 6)), target, run_id="r1", partition_by=PARTS)
    with recorded(aws) as write:  # S3A's magic committer: multipart uploads completed at job commit
        staged = stage_parquet(rows(spark, (3, "c", 2014, 6), (4, None, 2015, 1)), target, run_id="r2", mode=mode,
                               partition_by=PARTS)
    assert write.operations()["PutObject"] > 0 and write.operations()["CopyObject"] == 0
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5), (2, "b", 2014, 6)),
                       ignore_row_order=True)  # staged, not visible

    with recorded(aws) as rec:
        staged.publish()

    ops = rec.operations()
    assert ops["CopyObject"] == ops["UploadPartCopy"] == 0
    assert rec.keys("PutObject") == ["/lake/processedData/t/_dea_manifest/0000000002.json"]
    assert ops["DeleteObject"] == ops["DeleteObjects"] == 0  # the replaced data stays for readers (grace)
    assert_df_equality(read_table(spark, target), rows(spark, *expected), ignore_row_order=True)


def test_an_unpublished_run_is_invisible_and_a_later_clean_deletes_its_leftovers(
    spark: SparkSession, tmp_path: Path
) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="r1", partition_by=PARTS)
    stage_parquet(rows(spark, (2, "b", 2014, 5)), target, run_id="killed", mode="append", partition_by=PARTS)
    legacy = [tmp_path / ".t.staging-old", tmp_path / ".t.old-old"]  # what renaming publishers left behind
    for folder in legacy:
        folder.mkdir()
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5)))
    assert len(manifest.started_runs(target)) == 2

    assert clean(spark, target) == sorted(str(p) for p in legacy)  # the killed run is younger than the grace period
    deleted = clean(spark, target, grace_ms=0)
    assert [Path(p).name.split("-")[0] for p in deleted] == ["dea_run=killed"]
    assert list(manifest.started_runs(target)) == [s.run for s in manifest.latest(target).slices]
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5)))


def test_a_rerun_with_the_same_run_id_never_writes_into_the_visible_data(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="r1")
    staged = stage_parquet(read_table(spark, target).withColumn("id", F.col("id") + 1), target, run_id="r1")
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5)))
    staged.publish()
    assert_df_equality(read_table(spark, target), rows(spark, (2, "a", 2014, 5)))


def test_superseded_data_is_deleted_once_no_version_in_the_grace_period_needs_it(
    spark: SparkSession, tmp_path: Path
) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="r1")
    write_parquet(rows(spark, (2, "b", 2014, 5)), target, run_id="r2")
    first = manifest.history(target)[-1].slices[0].run
    assert clean(spark, target) == []  # version 1 is recent: a reader may still be reading r1's files
    assert clean(spark, target, grace_ms=0) == [manifest.run_prefix(target, first)]
    assert_df_equality(read_table(spark, target), rows(spark, (2, "b", 2014, 5)))


def test_a_plain_parquet_folder_is_read_as_before_and_can_only_be_replaced(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    rows(spark, (1, "a", 2014, 5)).write.partitionBy(*PARTS).parquet(target)
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5)))
    with pytest.raises(OutputError, match="written without a manifest"):
        stage_parquet(rows(spark, (2, "b", 2014, 5)), target, run_id="r1", mode="append", partition_by=PARTS)
    write_parquet(rows(spark, (2, "b", 2014, 6)), target, run_id="r1", partition_by=PARTS)
    assert_df_equality(read_table(spark, target), rows(spark, (2, "b", 2014, 6)))
    assert [p.name for p in Path(target).iterdir() if not p.name.startswith(("_", "."))] == []  # plain files gone


def test_an_empty_table_keeps_its_columns(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)).where("id > 1"), target, run_id="r1", partition_by=PARTS)
    assert read_table(spark, target).schema == rows(spark).schema
    assert read_table(spark, target).count() == 0


def test_rolling_back_a_publication_puts_back_what_it_replaced(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5), (2, "b", 2014, 6)), target, run_id="r1", partition_by=PARTS)
    staged = stage_parquet(rows(spark, (3, "c", 2014, 6)), target, run_id="r2", mode="overwrite-partitions",
                           partition_by=PARTS)
    staged.publish()
    pub = json.loads(json.dumps(staged.publication.to_dict()))  # as a claim keeps it
    assert manifest.settle([pub], forward=False) == [f"{target}: rolled back run {staged.publication.run}"]
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5), (2, "b", 2014, 6)),
                       ignore_row_order=True)
    assert manifest.settle([pub], forward=False) == []  # nothing left to undo
    assert manifest.settle([pub], forward=True) == [f"{target}: published run {staged.publication.run}"]
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5), (3, "c", 2014, 6)),
                       ignore_row_order=True)
