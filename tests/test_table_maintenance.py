"""`dea-etl table ...` over time: Iceberg's own maintenance procedures, a killed Parquet run's files removed,
a lake converted between the formats (and out of dea-etl 0.1's manifest format), one format per lake."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from tests.conftest import DATA

from dea_etl.cli import main
from dea_etl.io.parquet import write_parquet
from dea_etl.io.tables import ICEBERG, PARQUET, TableFormat, lake_format, read_table, write_table
from dea_etl.pipelines import JOBS
from dea_etl.runtime import run_job

ICE = TableFormat(ICEBERG)
SCHEMA = "id int, name string, year int, month int"
PARTS = ("year", "month")
DAY_S = 86_400


def rows(spark: SparkSession, *data: tuple) -> DataFrame:
    return spark.createDataFrame(list(data), SCHEMA)


def _lake(tmp_path: Path) -> tuple[Path, str]:
    lake = tmp_path / "lake"
    return lake, str(lake / "processedData" / "t")


def _iceberg_appends(spark: SparkSession, table: str, n: int) -> DataFrame:
    data = [(i, f"n{i}", 2014, 5 + i % 2) for i in range(n)]
    for i, row in enumerate(data):
        write_table(rows(spark, row), table, table_format=ICE, run_id=f"r{i}", mode="append", partition_by=PARTS)
    return rows(spark, *data)


def _snapshots(spark: SparkSession, table: str) -> list[int]:
    """The table's snapshots, oldest first."""
    query = f"SELECT snapshot_id FROM {_ident(spark, table)}.snapshots ORDER BY committed_at, snapshot_id"
    return [r.snapshot_id for r in spark.sql(query).collect()]


def _ident(spark: SparkSession, table: str) -> str:
    from dea_etl.io.catalogs import table_ref

    return table_ref(spark, table).ident


def _data_files(spark: SparkSession, table: str) -> int:
    return int(spark.sql(f"SELECT COUNT(*) AS n FROM {_ident(spark, table)}.files").first().n)


def test_compact_rewrites_small_files_and_keeps_the_rows(spark: SparkSession, tmp_path: Path) -> None:
    lake, table = _lake(tmp_path)
    expected = _iceberg_appends(spark, table, 6)
    assert _data_files(spark, table) == 6
    assert main(["table", "compact", "--lake", str(lake)]) == 0
    assert _data_files(spark, table) == 2  # one file per partition (month 5, month 6)
    assert_df_equality(read_table(spark, table).select(*expected.columns), expected, ignore_row_order=True,
                       ignore_nullable=True)


def test_expire_snapshots_keeps_the_newest_and_what_branches_hold(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake, table = _lake(tmp_path)
    expected = _iceberg_appends(spark, table, 5)
    before = _snapshots(spark, table)
    assert len(before) == 6  # the table's empty first snapshot, then one per append
    assert main(["table", "expire-snapshots", "--lake", str(lake), "--table", "t", "--older-than", "0s",
                 "--retain-last", "2"]) == 0
    after = _snapshots(spark, table)
    assert after == before[-2:]
    assert "files deleted" in capsys.readouterr().err
    assert main(["table", "rollback", "--lake", str(lake), "--table", "t", "--to", str(before[0])]) == 1
    assert "is not one main went through" in capsys.readouterr().err
    assert_df_equality(read_table(spark, table).select(*expected.columns), expected, ignore_row_order=True,
                       ignore_nullable=True)


def test_remove_orphans_deletes_old_unreferenced_files_only(spark: SparkSession, tmp_path: Path) -> None:
    lake, table = _lake(tmp_path)
    expected = _iceberg_appends(spark, table, 2)
    data = Path(table) / "data"
    old, young = data / "killed-old.parquet", data / "killed-young.parquet"
    for orphan in (old, young):
        orphan.write_bytes(b"PAR1 left by a killed write")
    os.utime(old, (time.time() - 4 * DAY_S, time.time() - 4 * DAY_S))
    assert main(["table", "remove-orphans", "--lake", str(lake)]) == 0  # default: older than 3 days
    assert not old.exists() and young.exists()
    assert_df_equality(read_table(spark, table).select(*expected.columns), expected, ignore_row_order=True,
                       ignore_nullable=True)


def test_parquet_leftovers_and_a_killed_runs_files_are_removed(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake, table = _lake(tmp_path)
    write_parquet(rows(spark, (1, "a", 2014, 5)), table, run_id="r1", partition_by=PARTS)
    write_parquet(rows(spark, (2, "b", 2014, 5), (3, "c", 2014, 6)), table, run_id="killed", mode="append",
                  partition_by=PARTS)
    leftover = Path(table) / "_temporary" / "0" / "part-00000.parquet"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x")
    os.utime(leftover, (time.time() - 4 * DAY_S, time.time() - 4 * DAY_S))
    assert main(["table", "remove-run", "--lake", str(lake), "--table", "t", "--run", "killed"]) == 0
    assert "2 files of run killed removed" in capsys.readouterr().err
    assert main(["table", "remove-orphans", "--lake", str(lake), "--table", "t"]) == 0
    assert not leftover.exists()
    assert_df_equality(read_table(spark, table), rows(spark, (1, "a", 2014, 5)), ignore_nullable=True)
    assert main(["table", "compact", "--lake", str(lake), "--table", "t"]) == 1  # Iceberg's procedure only
    assert "is a parquet table, not an iceberg table" in capsys.readouterr().err


def test_convert_moves_a_lake_between_the_formats_with_the_same_rows(spark: SparkSession, tmp_path: Path) -> None:
    lake, table = _lake(tmp_path)
    expected = rows(spark, (1, "a", 2014, 5), (2, None, 2014, 6), (3, "c", 2015, 1))
    write_parquet(expected, table, run_id="r1", partition_by=PARTS)
    write_parquet(rows(spark, (9, "x", 0, 0)).select("id", "name"), str(lake / "processedData" / "flat"), run_id="r1")
    assert lake_format(str(lake)) == PARQUET
    assert main(["table", "convert", "--lake", str(lake), "--to", "iceberg"]) == 0
    assert lake_format(str(lake)) == ICEBERG
    assert not list(Path(table).glob("year=*"))  # the Parquet files are gone, Iceberg's data/ holds the rows
    assert_df_equality(read_table(spark, table).select(*expected.columns), expected, ignore_row_order=True,
                       ignore_nullable=True)
    assert main(["table", "convert", "--lake", str(lake), "--to", "parquet"]) == 0
    assert lake_format(str(lake)) == PARQUET
    assert not (Path(table) / "metadata").exists() and not (Path(table) / "data").exists()
    assert sorted(p.name for p in Path(table).glob("year=*")) == ["year=2014", "year=2015"]
    assert_df_equality(read_table(spark, table), expected, ignore_row_order=True, ignore_nullable=True)


def _legacy_table(spark: SparkSession, table: Path) -> DataFrame:
    """A table as dea-etl 0.1 published it: data under _dea_runs/, the files that count in a manifest."""
    df = rows(spark, (1, "a", 2014, 5), (2, "b", 2014, 6))
    df.write.partitionBy(*PARTS).parquet(str(table / "_dea_runs" / "dea_run=r1-x"))
    rows(spark, (7, "stale", 2014, 5)).write.partitionBy(*PARTS).parquet(str(table / "_dea_runs" / "dea_run=r0-x"))
    manifest = {"Format": 1, "Version": 2, "Writer": "r1-x", "CreatedMs": 0, "PartitionBy": list(PARTS),
                "Schema": json.loads(df.schema.json()),
                "Slices": [{"Run": "r1-x", "Part": "year=2014/month=5"}, {"Run": "r1-x", "Part": "year=2014/month=6"}]}
    (table / "_dea_manifest").mkdir()
    (table / "_dea_manifest" / "0000000002.json").write_text(json.dumps(manifest))
    return df


def test_a_lake_of_dea_etl_0_1_is_refused_in_one_line_until_converted(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = tmp_path / "lake"
    table = lake / "processedData" / "orders"
    expected = _legacy_table(spark, table)
    assert main(["sql", "SELECT COUNT(*) FROM orders", "--lake", str(lake)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "dea-etl table convert --lake LAKE --to parquet" in err
    args = ["--table", "customers", "--input", str(DATA / "customers.csv"), "--output",
            str(lake / "processedData" / "customers")]
    assert run_job(JOBS["csv_to_parquet"], args) == 1  # no job writes into such a lake either
    assert "manifest format of dea-etl 0.1" in capsys.readouterr().err
    assert main(["table", "convert", "--lake", str(lake), "--to", "parquet"]) == 0
    assert not (table / "_dea_runs").exists() and not (table / "_dea_manifest").exists()
    assert_df_equality(spark.read.parquet(str(table)).select(*expected.columns), expected, ignore_row_order=True,
                       ignore_nullable=True)  # plain Parquet: read without dea-etl, the stale run not in it


def test_a_lake_keeps_one_format(spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    args = ["--table", "customers", "--input", str(DATA / "customers.csv"), "--output",
            str(lake / "processedData" / "customers")]
    assert run_job(JOBS["csv_to_parquet"], args) == 0
    capsys.readouterr()
    assert run_job(JOBS["csv_to_parquet"], [*args, "--table-format", "iceberg"]) == 2
    err = capsys.readouterr().err.strip()
    assert "holds parquet tables" in err and "dea-etl table convert" in err and len(err.splitlines()) == 1
    other = ["--table", "employees", "--input", str(DATA / "employees.csv"), "--output",
             str(lake / "processedData" / "employees")]
    assert run_job(JOBS["csv_to_parquet"], other) == 0  # without --table-format: the lake's format
    assert lake_format(str(lake)) == PARQUET and not (lake / "iceberg_catalog.db").exists()
