"""A bookmarked append killed (SIGKILL) between any two of its writes and publications, in both formats.

Each case runs once whole (run 1), then kills run 2 at a point, settles it the way the format allows and
runs again: the tables (data and quarantine) then equal those of one uninterrupted history of the same
files, with no row twice and none lost.

- plain Parquet: a file is visible once written, so a kill may leave part of run 2; `bookmark release`
  removes every file of run 2 (named with its run id) from every table of its claim, and the rerun
  writes them once. `release --commit` is refused (a write may have stopped half way).
- Iceberg: nothing is visible before publishing; a run that published some tables is finished by the
  next run (the rest rolled forward from their branches: the lost-quarantine case), or by `release`
  (back) / `release --commit` (forward).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from tests.conftest import DATA

from dea_etl.bookmarks import open_store
from dea_etl.cli import main
from dea_etl.faults import KILL_ENV
from dea_etl.io.tables import read_table
from dea_etl.pipelines import JOBS
from dea_etl.runtime import run_job
from dea_etl.runtime.session import apply_s3a
from dea_etl.tables.seed import TABLES

CUSTOMERS = DATA.joinpath("customers.csv").read_text().splitlines(keepends=True)[:9]
BAD = "12,not a number,,,\n"
SCHEMA = TABLES["customers"].processed_schema

#: (format, kill point, how the claim is settled: "release", "commit" (release --commit) or "next" (the next
#: run settles it by itself))
CASES = [
    ("parquet", "claimed", "release"),  # claimed, nothing written
    ("parquet", "written:out", "release"),  # the table written, its quarantine not
    ("parquet", "written:out_quarantine", "release"),  # both written
    ("parquet", "published", "release"),  # both published, the bookmark not committed
    ("iceberg", "written:out", "next"),  # a branch, not claimed: the next run goes on (the branch is orphaned)
    ("iceberg", "claimed", "release"),  # claimed, nothing published
    ("iceberg", "publish:out", "commit"),  # nothing published: release --commit publishes both
    ("iceberg", "publish:out_quarantine", "next"),  # the table published, its quarantine on its branch
    ("iceberg", "publish:out_quarantine", "release"),
    ("iceberg", "published", "next"),  # both published, the bookmark not committed
]


def _args(root: str, inputs: Path, fmt: str, run_id: str, out: str = "out") -> list[str]:
    return ["--table", "customers", "--input", str(inputs), "--output", f"{root}/{out}", "--table-format", fmt,
            "--bookmark-store", f"{root}/bookmarks", "--JOB_NAME", "job", "--job-bookmark-option",
            "job-bookmark-enable", "--run-id", run_id]


def _killed(args: list[str], point: str) -> None:
    proc = subprocess.run([str(Path(sys.executable).with_name("dea-etl")), "run", "csv_to_parquet", *args],
                          env={**os.environ, KILL_ENV: point}, capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


def _table(spark: SparkSession, path: str) -> DataFrame:
    return read_table(spark, path, SCHEMA).localCheckpoint()


def _quarantine(spark: SparkSession, path: str) -> DataFrame:
    return read_table(spark, path).select("raw_line", "reason").localCheckpoint()  # file and line differ


def _history(spark: SparkSession, root: str, inputs: Path, fmt: str, point: str, settle: str) -> None:
    (inputs / "c1.csv").write_text("".join(CUSTOMERS[:4]))
    assert run_job(JOBS["csv_to_parquet"], _args(root, inputs, fmt, "run-1")) == 0
    (inputs / "c2.csv").write_text("".join([*CUSTOMERS[4:], BAD]))
    _killed(_args(root, inputs, fmt, "run-2"), point)
    store = open_store(f"{root}/bookmarks")
    if settle != "next":
        release = ["bookmark", "release", "--job", "job", "--bookmark-store", f"{root}/bookmarks"]
        assert main(release + (["--commit"] if settle == "commit" else [])) == 0
        assert store.claims("job") == []
    assert run_job(JOBS["csv_to_parquet"], _args(root, inputs, fmt, "run-3")) == 0
    assert store.claims("job") == []


def _reference(spark: SparkSession, tmp_path: Path, fmt: str) -> tuple[DataFrame, DataFrame]:
    """One uninterrupted history of the same lines, in one run."""
    inputs = tmp_path / "all"
    inputs.mkdir()
    (inputs / "all.csv").write_text("".join([*CUSTOMERS, BAD]))
    root = str(tmp_path / "ref")
    assert run_job(JOBS["csv_to_parquet"], _args(root, inputs, fmt, "ref-1")) == 0
    return _table(spark, f"{root}/out"), _quarantine(spark, f"{root}/out_quarantine")


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "point", "settle"), CASES, ids=[f"{f}-{p}-{s}" for f, p, s in CASES])
def test_a_killed_append_settles_to_the_uninterrupted_history(
    spark: SparkSession, tmp_path: Path, fmt: str, point: str, settle: str
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    root = str(tmp_path / "lake")
    _history(spark, root, inputs, fmt, point, settle)
    table, quarantine = _reference(spark, tmp_path, fmt)
    assert_df_equality(_table(spark, f"{root}/out"), table, ignore_row_order=True, ignore_nullable=True)
    assert_df_equality(_quarantine(spark, f"{root}/out_quarantine"), quarantine, ignore_row_order=True,
                       ignore_nullable=True)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["written:out", "written:out_quarantine"])
def test_a_killed_parquet_append_on_s3_settles_to_the_uninterrupted_history(
    spark: SparkSession, aws: str, tmp_path: Path, point: str
) -> None:
    boto3.client("s3").create_bucket(Bucket="lake")
    apply_s3a(spark)
    inputs = tmp_path / "in"
    inputs.mkdir()
    _history(spark, "s3://lake", inputs, "parquet", point, "release")
    table, quarantine = _reference(spark, tmp_path, "parquet")
    assert_df_equality(_table(spark, "s3://lake/out"), table, ignore_row_order=True, ignore_nullable=True)
    assert_df_equality(_quarantine(spark, "s3://lake/out_quarantine"), quarantine, ignore_row_order=True,
                       ignore_nullable=True)


@pytest.mark.slow
def test_a_parquet_claim_is_not_rolled_forward(spark: SparkSession, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    root = str(tmp_path / "lake")
    (inputs / "c1.csv").write_text("".join(CUSTOMERS[:4]))
    _killed(_args(root, inputs, "parquet", "run-1"), "written:out")
    assert run_job(JOBS["csv_to_parquet"], _args(root, inputs, "parquet", "run-2")) == 1  # the claim holds
    assert "is claimed by run 'run-1'" in capsys.readouterr().err
    release = ["bookmark", "release", "--job", "job", "--bookmark-store", f"{root}/bookmarks"]
    assert main([*release, "--commit"]) == 1
    assert "cannot be rolled forward" in capsys.readouterr().err
    assert main(release) == 0
    assert "removed the" in capsys.readouterr().out
