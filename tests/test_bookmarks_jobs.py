"""Jobs with bookmarks end to end: incremental runs reproduce one full run; failures commit nothing."""

from __future__ import annotations

import gzip
import json
import os
import time
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from tests.conftest import DATA

from dea_etl.bookmarks import open_store, start_session
from dea_etl.cli import main
from dea_etl.io import read_table
from dea_etl.io.incremental import new_files
from dea_etl.io.parquet import write_parquet
from dea_etl.pipelines import JOBS
from dea_etl.pipelines.incremental import TableSource, bookmark_location, convert_tables, open_bookmarks
from dea_etl.runtime import Arg, JobContext, JobSpec, Platform, TableResult, run_job
from dea_etl.tables.seed import TABLES

ENABLE = ["--job-bookmark-option", "job-bookmark-enable"]
CUSTOMERS = DATA.joinpath("customers.csv").read_text().splitlines(keepends=True)[:9]
ORDERS = DATA.joinpath("orders.csv").read_text().splitlines(keepends=True)[:30]
BAD_ORDER = "1,2,not a date,,,,,,,,,,,,,\n"


def drop(folder: Path, name: str, lines: list[str], *, age_s: float = 0) -> None:
    """Write a CSV file into ``folder``; ``age_s`` sets its modification time that far in the past."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(lines))
    if age_s:
        stamp = time.time() - age_s
        os.utime(path, (stamp, stamp))


def summary(path: Path) -> dict[str, dict]:
    return {t["table"]: t for t in json.loads(path.read_text())["tables"]}


def processed(spark: SparkSession, lake: Path, table: str) -> DataFrame:
    return read_table(spark, str(lake / "processedData" / table))


def test_incremental_runs_of_raw_to_processed_reproduce_one_full_run(
    spark: SparkSession, tmp_path: Path
) -> None:
    inc, full = tmp_path / "inc", tmp_path / "full"
    job = JOBS["raw_to_processed"]

    def run_inc(*extra: str) -> int:
        return run_job(job, ["--lake", str(inc), "--tables", "customers,orders", *ENABLE, *extra])

    drop(inc / "rawData/customers", "c1.csv", CUSTOMERS[:4], age_s=3 * 3600)
    drop(inc / "rawData/orders", "o1.csv", ORDERS[:15], age_s=3 * 3600)
    assert run_inc() == 0
    store = open_store(str(inc / "tmpDir/bookmarks"))

    # failure at read: one of the new orders files cannot be decompressed
    drop(inc / "rawData/customers", "c2.csv", CUSTOMERS[4:])
    drop(inc / "rawData/orders", "o2.csv", [*ORDERS[15:], BAD_ORDER])
    (inc / "rawData/orders/o3.csv.gz").write_bytes(b"this is not gzip")
    before = store.latest("raw_to_processed")
    assert run_inc() == 1
    assert store.latest("raw_to_processed") == before
    assert processed(spark, inc, "customers").count() == 4  # customers' new rows were not published either
    (inc / "rawData/orders/o3.csv.gz").write_bytes(gzip.compress("".join(ORDERS[:1]).encode()))  # fixed

    assert run_inc("--summary-json", str(tmp_path / "run2.json")) == 0  # reads c2, o2 and o3 again
    run2 = summary(tmp_path / "run2.json")
    assert {t: (r["files_read"], r["files_skipped"], r["rows_written"]) for t, r in run2.items()} == {
        "customers": (1, 1, 5),
        "orders": (2, 1, 16),
    }
    assert run_inc("--summary-json", str(tmp_path / "run3.json")) == 0  # nothing new: 0 rows, success
    run3 = summary(tmp_path / "run3.json")
    assert {t: (r["files_read"], r["files_skipped"], r["rows_in"]) for t, r in run3.items()} == {
        "customers": (0, 2, 0),
        "orders": (0, 3, 0),
    }
    latest = store.latest("raw_to_processed")
    assert latest is not None and (latest.version, latest.run, latest.attempt) == (3, 3, 0)
    assert [e.attempt for e in store.history("raw_to_processed")] == [0, 1, 0]

    for table in ("customers", "orders"):
        (full / "rawData" / table).mkdir(parents=True)
        for f in (inc / "rawData" / table).iterdir():
            (full / "rawData" / table / f.name).write_bytes(f.read_bytes())
    assert run_job(job, ["--lake", str(full), "--tables", "customers,orders"]) == 0
    for table in ("customers", "orders", "orders_quarantine"):
        inc_df, full_df = processed(spark, inc, table), processed(spark, full, table)
        if table.endswith("_quarantine"):  # same rows, apart from the run and the lake they came from
            inc_df, full_df = (
                df.drop("run_id").withColumn("source_file", F.regexp_extract("source_file", "[^/]+$", 0))
                for df in (inc_df, full_df)
            )
        assert_df_equality(
            inc_df, full_df, ignore_row_order=True, ignore_nullable=True, ignore_column_order=True
        )
    assert processed(spark, inc, "orders").count() == 31  # 30 lines, the first one twice (o1 and o3)
    assert processed(spark, inc, "orders_quarantine").select("reason").count() == 1


def test_failure_at_write_commits_nothing(spark: SparkSession, tmp_path: Path) -> None:
    drop(tmp_path / "in", "c1.csv", CUSTOMERS[:3], age_s=3600)
    (tmp_path / "blocker").write_text("a file where the output's parent folder should be")
    store = str(tmp_path / "bookmarks")
    args = ["--table", "customers", "--input", str(tmp_path / "in"), "--bookmark-store", store, *ENABLE]
    job = JOBS["csv_to_parquet"]
    assert run_job(job, [*args, "--output", str(tmp_path / "blocker" / "out")]) == 1
    assert open_store(store).latest("csv_to_parquet") is None
    assert run_job(job, [*args, "--output", str(tmp_path / "out")]) == 0
    assert read_table(spark, str(tmp_path / "out")).count() == 3


def _failing_transform(ctx: JobContext) -> list[TableResult]:
    session = open_bookmarks(ctx)
    selection = new_files(ctx.spark, ctx.arg("input"), "customers_source", session)
    lines = ctx.spark.read.text([f.path for f in selection.files])
    broken = lines.withColumn("checked", F.raise_error(F.concat(F.lit("bad line: "), F.col("value"))))
    write_parquet(broken, ctx.arg("output"), run_id=ctx.run_id)
    return [TableResult("customers", files_read=len(selection.files))]


def test_failure_in_a_transform_commits_nothing(spark: SparkSession, tmp_path: Path) -> None:
    drop(tmp_path / "in", "c1.csv", CUSTOMERS[:3], age_s=3600)
    store = str(tmp_path / "bookmarks")
    common = [
        "--input",
        str(tmp_path / "in"),
        "--output",
        str(tmp_path / "out"),
        "--bookmark-store",
        store,
        "--JOB_NAME",
        "customers_job",
        *ENABLE,
    ]
    failing = JobSpec("failing", (Arg("input"), Arg("output")), _failing_transform)
    assert run_job(failing, common) == 1
    assert open_store(store).latest("customers_job") is None
    assert run_job(JOBS["csv_to_parquet"], [*common, "--table", "customers"]) == 0
    assert read_table(spark, str(tmp_path / "out")).count() == 3
    entry = open_store(store).latest("customers_job")
    assert entry is not None and (entry.run, entry.attempt) == (1, 1)


def _customers_args(tmp_path: Path) -> list[str]:
    return [
        "--table", "customers", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
        "--bookmark-store", str(tmp_path / "bookmarks"), "--JOB_NAME", "customers_job", *ENABLE,
    ]


def test_a_run_whose_commit_conflicts_fails_and_commits_nothing(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop(tmp_path / "in", "c1.csv", CUSTOMERS[:3], age_s=3600)
    store = open_store(str(tmp_path / "bookmarks"))
    concurrent = start_session("customers_job", "concurrent", "job-bookmark-enable", store)
    concurrent.select("customers_source", [])

    def convert_while_the_other_run_commits(ctx: JobContext) -> list[TableResult]:
        session = open_bookmarks(ctx)  # this run starts from "no bookmark" ...
        concurrent.commit()  # ... and the other run, started at the same time, commits first
        table = TableSource(TABLES["customers"], ctx.arg("input"), ctx.arg("output"), str(tmp_path / "q"))
        return convert_tables(ctx, session, [table])

    job = JobSpec("csv_to_parquet", JOBS["csv_to_parquet"].args, convert_while_the_other_run_commits)
    args = _customers_args(tmp_path)
    assert run_job(job, args) == 1
    assert "bookmark version conflict for job 'customers_job'" in capsys.readouterr().err
    assert [e.run_id for e in store.history("customers_job")] == ["concurrent"]
    # the loser wrote nothing: plain Parquet claims the bookmark before its first file
    assert not list((tmp_path / "out").rglob("*.parquet"))


def test_a_run_that_stops_after_publishing_keeps_its_claim_so_nothing_is_appended_twice(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drop(tmp_path / "in", "c1.csv", CUSTOMERS[:4], age_s=3600)

    def published_then_died(ctx: JobContext) -> list[TableResult]:
        JOBS["csv_to_parquet"].run(ctx)
        raise RuntimeError("driver lost after publishing")

    job = JobSpec("csv_to_parquet", JOBS["csv_to_parquet"].args, published_then_died)
    assert run_job(job, _customers_args(tmp_path)) == 1
    assert read_table(spark, str(tmp_path / "out")).count() == 4
    store = open_store(str(tmp_path / "bookmarks"))
    assert store.latest("customers_job") is None and len(store.claims("customers_job")) == 1
    capsys.readouterr()
    assert run_job(JOBS["csv_to_parquet"], _customers_args(tmp_path)) == 1  # would append c1's rows again
    assert "version 1 is claimed by run" in capsys.readouterr().err
    assert read_table(spark, str(tmp_path / "out")).count() == 4
    release = ["bookmark", "release", "--job", "customers_job", "--bookmark-store", str(tmp_path / "bookmarks")]
    assert main([*release, "--commit"]) == 1  # plain Parquet cannot be rolled forward: it may be half written
    assert "cannot be rolled forward" in capsys.readouterr().err
    assert main(release) == 0  # back: the run's files are removed
    assert not list((tmp_path / "out").rglob("*.parquet"))
    assert run_job(JOBS["csv_to_parquet"], _customers_args(tmp_path)) == 0  # c1 again, once
    assert read_table(spark, str(tmp_path / "out")).count() == 4
    entry = store.latest("customers_job")
    assert entry is not None and (entry.version, entry.run) == (1, 1) and store.claims("customers_job") == []


def test_the_store_is_bookmark_store_else_tempdir_else_the_jobs_default(spark: SparkSession) -> None:
    def location(platform: Platform = Platform.GLUE, **args: str) -> str | None:
        ctx = JobContext(spark, "job", "run", platform, args)
        return bookmark_location(ctx, "lake/tmpDir/bookmarks")

    assert location(bookmark_store="s3://b/p", TempDir="s3://b/tmp/") == "s3://b/p"
    assert location(TempDir="s3://b/tmp/") == "glue"  # on Glue: Glue's own bookmarks
    assert location(Platform.EMR, TempDir="s3://b/tmp/") == "s3://b/tmp/bookmarks"
    assert location(Platform.EMR) == "lake/tmpDir/bookmarks"
