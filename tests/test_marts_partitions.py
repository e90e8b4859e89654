"""Partitioned Parquet output: year=/month= layout, one file per partition, one-month reruns."""

from __future__ import annotations

import math
from pathlib import Path

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import IntegerType, StringType, StructField, StructType
from tests.table_files import data_files

from dea_etl.io import read_table
from dea_etl.io.parquet import records_per_file, write_parquet

SCHEMA = StructType(
    [
        StructField("id", IntegerType(), False),
        StructField("note", StringType(), True),
        StructField("year", IntegerType(), True),
        StructField("month", IntegerType(), True),
    ]
)
MONTHS = ("year", "month")


def _rows(month: int, n: int, note: str | None) -> list[tuple[int, str | None, int, int]]:
    return [(month * 1000 + i, note, 2014, month) for i in range(n)]


def _files(root: Path) -> dict[str, list[str]]:
    """Partition folder (``year=2014/month=5``) -> the Parquet file names the table holds."""
    return data_files(root)


def _spread(spark: SparkSession, rows: list[tuple[int, str | None, int, int]]) -> DataFrame:
    """The rows over 4 partitions, each holding rows of every month (the small-files case)."""
    return spark.createDataFrame(rows, SCHEMA).repartition(4)


def test_one_snappy_file_per_partition(spark: SparkSession, tmp_path: Path) -> None:
    df = _spread(spark, _rows(5, 40, "a") + _rows(6, 40, None) + _rows(7, 40, "c"))
    assert df.rdd.getNumPartitions() == 4
    write_parquet(df, str(tmp_path / "t"), run_id="r1", partition_by=MONTHS)
    files = _files(tmp_path / "t")
    assert sorted(files) == ["year=2014/month=5", "year=2014/month=6", "year=2014/month=7"]
    assert all(len(names) == 1 and names[0].endswith(".snappy.parquet") for names in files.values()), files


def test_without_clustering_each_task_writes_a_file_per_partition(
    spark: SparkSession, tmp_path: Path
) -> None:
    df = _spread(spark, _rows(5, 40, "a") + _rows(6, 40, None))
    write_parquet(df, str(tmp_path / "t"), run_id="r1", partition_by=MONTHS, cluster_partitions=False)
    assert {k: len(v) for k, v in _files(tmp_path / "t").items()} == {
        "year=2014/month=5": 4,
        "year=2014/month=6": 4,
    }


def test_a_partition_larger_than_the_target_is_split(spark: SparkSession, tmp_path: Path) -> None:
    df = _spread(spark, _rows(5, 100, "a") + _rows(6, 10, None))
    target = 30 * int(df._jdf.schema().defaultSize())  # 30 rows per file
    assert records_per_file(df, target) == 30
    write_parquet(df, str(tmp_path / "t"), run_id="r1", partition_by=MONTHS, target_file_bytes=target)
    counts = {k: len(v) for k, v in _files(tmp_path / "t").items()}
    assert counts == {"year=2014/month=5": math.ceil(100 / 30), "year=2014/month=6": 1}


def test_rerun_for_one_month_replaces_only_that_month(spark: SparkSession, tmp_path: Path) -> None:
    target = tmp_path / "t"
    write_parquet(
        _spread(spark, _rows(5, 3, "old") + _rows(6, 3, "old")), str(target), run_id="r1", partition_by=MONTHS
    )
    may_before = _files(target)["year=2014/month=5"]
    june = spark.createDataFrame([(1, "new", 2014, 6), (2, None, 2014, 6)], SCHEMA)
    for run_id in ("r2", "r3"):  # twice: the rerun is idempotent
        write_parquet(june, str(target), run_id=run_id, mode="overwrite-partitions", partition_by=MONTHS)
    assert _files(target)["year=2014/month=5"] == may_before
    expected = spark.createDataFrame([*_rows(5, 3, "old"), (1, "new", 2014, 6), (2, None, 2014, 6)], SCHEMA)
    assert_df_equality(
        read_table(spark, str(target), SCHEMA), expected, ignore_row_order=True, ignore_nullable=True
    )
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "staging left behind"
