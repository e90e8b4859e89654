"""Plain Parquet tables: Hive layout, every file named for its run, no data copied, nothing but ours deleted."""

from __future__ import annotations

from pathlib import Path

import boto3
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from dea_etl.errors import OutputError
from dea_etl.io import read_table, remove_run, stage_parquet, write_parquet
from dea_etl.io.parquet import run_files, run_of
from dea_etl.io.storage import list_tree
from dea_etl.runtime.session import apply_s3a
from dea_etl.testing.s3_requests import recorded

SCHEMA = "id int, name string, year int, month int"
PARTS = ("year", "month")


def rows(spark: SparkSession, *data: tuple):
    return spark.createDataFrame(list(data), SCHEMA)


def data_files(target: str) -> list[str]:
    return sorted(rel for rel, _ in list_tree(target) if rel.endswith(".parquet") and "/." not in f"/{rel}")


def bare_spark_read(spark: SparkSession, target: str):
    """What Spark reads without dea-etl: the folder, Hive partitions as columns."""
    return spark.read.parquet(target.replace("s3://", "s3a://")).select("id", "name", "year", "month")


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("append", [(1, "a", 2014, 5), (2, "b", 2014, 6), (3, "c", 2014, 6), (4, None, 2015, 1)]),
        ("overwrite-partitions", [(1, "a", 2014, 5), (3, "c", 2014, 6), (4, None, 2015, 1)]),
        ("overwrite", [(3, "c", 2014, 6), (4, None, 2015, 1)]),
    ],
)
def test_each_mode_on_s3_copies_no_data_and_deletes_only_what_it_replaces(
    spark: SparkSession, aws: str, mode: str, expected: list[tuple]
) -> None:
    boto3.client("s3").create_bucket(Bucket="lake")
    apply_s3a(spark)
    target = "s3://lake/processedData/t"
    write_parquet(rows(spark, (1, "a", 2014, 5), (2, "b", 2014, 6)), target, run_id="r1", partition_by=PARTS)
    before = data_files(target)
    with recorded(aws) as write:  # S3A's magic committer: multipart uploads completed at job commit
        staged = stage_parquet(rows(spark, (3, "c", 2014, 6), (4, None, 2015, 1)), target, run_id="r2", mode=mode,
                               partition_by=PARTS)
    assert write.operations()["CopyObject"] == write.operations()["UploadPartCopy"] == 0
    assert set(before) < set(data_files(target))  # writing adds files and deletes none (S3A's own markers aside)
    with recorded(aws) as rec:
        staged.publish()
    ops = rec.operations()
    assert ops["CopyObject"] == ops["UploadPartCopy"] == ops["PutObject"] == ops["UploadPart"] == 0
    replaced = {"append": [], "overwrite-partitions": [f for f in before if "month=6" in f],
                "overwrite": before}[mode]
    assert sorted(set(before) - set(data_files(target))) == sorted(replaced)
    assert ops["DeleteObjects"] == (1 if replaced else 0)  # one request for all replaced files
    assert_df_equality(read_table(spark, target), rows(spark, *expected), ignore_row_order=True)
    assert_df_equality(bare_spark_read(spark, target), rows(spark, *expected), ignore_row_order=True)


def test_every_file_is_named_for_its_run_in_hive_partition_folders(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="20261207T0001-ab12", partition_by=PARTS)
    write_parquet(rows(spark, (2, "b", 2014, 6)), target, run_id="other run!", mode="append", partition_by=PARTS)
    files = data_files(target)
    assert [f.rsplit("/", 1)[0] for f in files] == ["year=2014/month=5", "year=2014/month=6"]
    assert [run_of(f.rsplit("/", 1)[1]) for f in files] == ["20261207T0001-ab12", "other_run_"]
    assert not [rel for rel, _ in list_tree(target) if not rel.rsplit("/", 1)[-1].startswith(("part-", ".", "_"))]


def test_pyarrow_reads_the_table_with_hive_partitioning(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5), (2, None, 2015, 1)), target, run_id="r1", partition_by=PARTS)
    table = pads.dataset(target, format="parquet", partitioning="hive", filesystem=pafs.LocalFileSystem()).to_table()
    got = sorted(zip(*(table.column(c).to_pylist() for c in ("id", "name", "year", "month")), strict=True))
    assert got == [(1, "a", 2014, 5), (2, None, 2015, 1)]


def test_a_failed_write_leaves_the_table_as_it_was(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="r1", partition_by=PARTS)
    staged = stage_parquet(rows(spark, (2, "b", 2014, 5)), target, run_id="r2", mode="append", partition_by=PARTS)
    assert read_table(spark, target).count() == 2  # plain Parquet: visible once written (Glue's contract)
    staged.discard()
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5)))


def test_removing_a_run_removes_exactly_its_files(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="r1", partition_by=PARTS)
    write_parquet(rows(spark, (2, "b", 2014, 5), (3, "c", 2014, 6)), target, run_id="r2", mode="append",
                  partition_by=PARTS)
    write_parquet(rows(spark, (4, "d", 2014, 6)), target, run_id="r2-x", mode="append", partition_by=PARTS)
    theirs = sorted(f for f in data_files(target) if "-r2-w" in f)
    assert len(theirs) == 2 and sorted(run_files(target, "r2")) == theirs
    assert sorted(remove_run(target, "r2")) == theirs
    assert_df_equality(read_table(spark, target), rows(spark, (1, "a", 2014, 5), (4, "d", 2014, 6)),
                       ignore_row_order=True)
    assert not (tmp_path / "t" / "year=2014" / "month=5").joinpath("x").exists()


def test_two_writes_of_one_run_to_one_table_are_told_apart(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)), target, run_id="r1")
    staged = stage_parquet(read_table(spark, target).selectExpr("id + 1 AS id", "name", "year", "month"), target,
                           run_id="r1")
    staged.publish()
    assert_df_equality(read_table(spark, target), rows(spark, (2, "a", 2014, 5)))


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda root: (root / "notes.txt").write_text("mine"), "notes.txt"),
        (lambda root: (root / "keep").mkdir() or (root / "keep" / "data.csv").write_text("x"), "keep/"),
        (lambda root: (root / "customers").mkdir(), "customers/"),
    ],
)
def test_a_folder_that_holds_anything_else_is_refused_before_anything_is_written(
    spark: SparkSession, tmp_path: Path, make, shown: str
) -> None:
    root = tmp_path / "t"
    root.mkdir()
    make(root)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    for mode in ("overwrite", "append"):
        with pytest.raises(OutputError, match=f"holds {shown}.*nothing was written"):
            stage_parquet(rows(spark, (1, "a", 2014, 5)), str(root), run_id="r1", mode=mode, partition_by=PARTS)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_an_iceberg_table_is_not_written_as_parquet(spark: SparkSession, tmp_path: Path) -> None:
    root = tmp_path / "t"
    (root / "metadata").mkdir(parents=True)
    (root / "data").mkdir()
    with pytest.raises(OutputError, match="is an Iceberg table"):
        stage_parquet(rows(spark, (1, "a", 2014, 5)), str(root), run_id="r1")


def test_an_empty_table_keeps_its_columns(spark: SparkSession, tmp_path: Path) -> None:
    target = str(tmp_path / "t")
    write_parquet(rows(spark, (1, "a", 2014, 5)).where("id > 1"), target, run_id="r1", partition_by=PARTS)
    assert read_table(spark, target, rows(spark).schema).schema == rows(spark).schema
    assert read_table(spark, target, rows(spark).schema).count() == 0


def test_a_table_read_without_a_schema_has_the_columns_spark_infers_and_runs_no_job(
    spark: SparkSession, tmp_path: Path
) -> None:
    """The schema comes from one footer read by the driver, not from Spark's inference job; the result is
    the same, for Spark's files (its schema in the footer) and for another writer's (Parquet's own types)."""
    import datetime as dt
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    ours = str(tmp_path / "ours")
    write_parquet(rows(spark, (1, "a", 2014, 5), (2, None, 2015, 1)), ours, run_id="r1", partition_by=PARTS)
    theirs = tmp_path / "theirs" / "year=2014"
    theirs.mkdir(parents=True)
    pq.write_table(pa.table({"id": pa.array([1, None], pa.int64()), "at": [dt.datetime(2014, 5, 1), None],
                             "amount": pa.array([Decimal("1.50"), None], pa.decimal128(9, 2)),
                             "tags": [["x"], []]}), str(theirs / "part-0.parquet"))
    tracker = spark.sparkContext.statusTracker()
    for target in (ours, str(tmp_path / "theirs")):
        spark.sparkContext.setJobGroup("read-schema", "reading a table's schema")
        try:
            schema = read_table(spark, target).schema
        finally:
            spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
        assert tracker.getJobIdsForGroup("read-schema") == []
        assert schema == spark.read.parquet(target).schema
        assert_df_equality(read_table(spark, target), spark.read.parquet(target), ignore_row_order=True)
