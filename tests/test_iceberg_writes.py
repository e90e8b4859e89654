"""Iceberg writes: overwrite, overwrite-partitions and append are one snapshot each on main; a failed or
discarded write leaves main (and the lake) as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from dea_etl.io.iceberg import java_table, stage_iceberg, table_ref
from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format, write_table

FMT = TableFormat(ICEBERG)
SCHEMA = "id long, p int, name string"


def _main(spark: SparkSession, path: str) -> list[tuple[str | None, str | None, str | None]]:
    """(run id, write mode, changed partitions) of each snapshot main went through, oldest first."""
    ident = table_ref(spark, path).ident
    rows = spark.sql(f"SELECT s.summary FROM {ident}.history h JOIN {ident}.snapshots s USING (snapshot_id) "
                     "ORDER BY h.made_current_at").collect()
    return [(r.summary.get("dea-etl.run-id"), r.summary.get("dea-etl.write-mode"),
             r.summary.get("changed-partition-count")) for r in rows]


def _rows(spark: SparkSession, *rows: tuple[int, int, str | None]) -> DataFrame:
    return spark.createDataFrame(list(rows), SCHEMA)


def test_each_mode_is_one_snapshot_on_main(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    write_table(_rows(spark, (1, 1, "a"), (2, 2, "b"), (3, 2, None)), path, table_format=FMT, run_id="r1",
                partition_by=["p"])
    write_table(_rows(spark, (4, 2, "d")), path, table_format=FMT, run_id="r2", mode="overwrite-partitions",
                partition_by=["p"])
    write_table(_rows(spark, (5, 3, "e")), path, table_format=FMT, run_id="r3", mode="append", partition_by=["p"])
    assert _main(spark, path) == [(None, None, "0"), ("r1", "overwrite", "2"), ("r2", "overwrite-partitions", "1"),
                                  ("r3", "append", "1")]
    assert_df_equality(read_in_format(spark, path, FMT), _rows(spark, (1, 1, "a"), (4, 2, "d"), (5, 3, "e")),
                       ignore_row_order=True, ignore_nullable=True)


def test_a_write_that_fails_leaves_main_and_no_branch(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    write_table(_rows(spark, (1, 1, "a")), path, table_format=FMT, run_id="r1")
    before = int(java_table(spark, table_ref(spark, path)).currentSnapshot().snapshotId())
    failing = _rows(spark, (2, 1, "b")).withColumn(
        "id", F.when(F.col("id") > 1, F.raise_error(F.lit("boom"))).otherwise(F.col("id")).cast("long"))
    with pytest.raises(Exception, match="boom"):
        write_table(failing, path, table_format=FMT, run_id="r2", mode="append")
    table = java_table(spark, table_ref(spark, path))
    assert int(table.currentSnapshot().snapshotId()) == before
    assert sorted(table.refs().keySet()) == ["main"]
    assert [r.id for r in read_in_format(spark, path, FMT).collect()] == [1]


def test_a_discarded_new_table_is_dropped_and_a_staged_one_is_not_visible(spark: SparkSession, tmp_path: Path) -> None:
    path = str(tmp_path / "t")
    staged = stage_iceberg(_rows(spark, (1, 1, "a")), path, run_id="r1")
    assert staged.staged_df().count() == 1
    assert read_in_format(spark, path, FMT).count() == 0  # created empty; the rows are on the branch only
    staged.discard()
    assert not Path(path).exists()


def test_the_vectorized_reader_reads_many_dictionary_encoded_batches(spark: SparkSession, tmp_path: Path) -> None:
    """Iceberg 1.7.1 under Spark >= 3.5.4 freed the Arrow buffers it reuses after each batch and crashed the JVM
    on this read (docs/table-formats.md); 1.8.1 reads it, and the same rows as the row-based reader."""
    path = str(tmp_path / "t")
    df = spark.range(200_000).select(
        F.col("id"), F.concat(F.lit("vendor_"), (F.col("id") % 7).cast("string")).alias("vendor"),
        (F.col("id") % 13).cast("double").alias("amount"))
    write_table(df, path, table_format=FMT, run_id="r1")
    def query() -> DataFrame:
        return read_in_format(spark, path, FMT).groupBy("vendor").agg(
            F.count("id").alias("n"), F.sum("amount").alias("amount"), F.max("id").alias("last"))

    assert spark.conf.get("spark.sql.iceberg.vectorization.enabled", "true") == "true"
    vectorized = [query().localCheckpoint() for _ in range(3)]
    spark.conf.set("spark.sql.iceberg.vectorization.enabled", "false")
    try:
        rows = query().localCheckpoint()
    finally:
        spark.conf.unset("spark.sql.iceberg.vectorization.enabled")
    for result in vectorized:
        assert_df_equality(result, rows, ignore_row_order=True)
