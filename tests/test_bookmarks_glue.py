"""Glue's own job bookmarks (``--bookmark-store glue``, the default on Glue), end to end through run_job.

Glue's bookmark logic runs in Glue's JVM, which does not exist outside Glue, so ``FakeGlue`` stands in for
it: a GlueContext whose S3 reader returns the rows of the files its per-ctx state has not covered and a
Job whose ``commit()`` commits what the run's readers read — Glue's contract for file sources. What is
checked is our side of that contract: sources are read through Glue with their transformation_ctx, only
the files Glue returns are converted, Job.commit runs only after success, and no state is kept elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from tests.test_runtime_glue import GLUE_ARGV

from dea_etl.io import read_table
from dea_etl.io.glue_files import same_file
from dea_etl.pipelines.csv_to_parquet import JOB
from dea_etl.runtime import run_job


class _Frame:
    def __init__(self, df: DataFrame) -> None:
        self.df = df

    def toDF(self) -> DataFrame:  # noqa: N802 - awsglue's name
        return self.df


class FakeGlue:
    """GlueContext + Job of a fake Glue runtime, with file-source bookmarks kept per transformation_ctx."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark
        self.committed: dict[str, set[str]] = {}
        self.pending: dict[str, set[str]] = {}
        self.reads: list[dict[str, Any]] = []
        self.calls: list[str] = []

    # GlueContext
    @property
    def glue_context(self) -> FakeGlue:
        return self

    @property
    def create_dynamic_frame(self) -> FakeGlue:
        return self

    def from_options(self, connection_type: str, connection_options: Mapping[str, Any], format: str,  # noqa: A002
                     format_options: Mapping[str, Any], transformation_ctx: str) -> _Frame:
        self.reads.append({"connection_type": connection_type, "format": format, "ctx": transformation_ctx,
                           **connection_options, **format_options})
        root = Path(connection_options["paths"][0])
        present = {str(p) for p in root.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))}
        new = sorted(present - self.committed.get(transformation_ctx, set()))
        self.pending[transformation_ctx] = set(new)
        column = connection_options["attachFilename"]
        if not new:
            return _Frame(self.spark.createDataFrame([], f"`{column}` string"))
        return _Frame(self.spark.read.text(new).select(F.input_file_name().alias(column)))

    # Job
    def init(self, job_name: str, args: Mapping[str, Any]) -> None:
        self.calls.append(f"init {job_name} {args['job_bookmark_option']}")
        self.pending = {}

    def commit(self) -> None:
        self.calls.append("commit")
        for ctx, read in self.pending.items():
            self.committed.setdefault(ctx, set()).update(read)


def _drop(folder: Path, name: str, rows: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join(f"{r}\r\n" for r in rows))


@pytest.fixture()
def glue(spark: SparkSession, aws: str) -> FakeGlue:
    boto3.client("s3").create_bucket(Bucket="lake")  # --TempDir's bucket: nothing may be written there
    return FakeGlue(spark)


def _run(glue: FakeGlue, tmp_path: Path, output: Path, summary: Path) -> int:
    argv = [*GLUE_ARGV, "--table", "customers", "--input", str(tmp_path / "in"), "--output", str(output),
            "--summary-json", str(summary)]
    return run_job(JOB, argv, glue_job_factory=lambda s: glue)


def test_on_glue_sources_are_read_through_glue_with_their_ctx_and_appended(
    spark: SparkSession, glue: FakeGlue, tmp_path: Path
) -> None:
    out, summary = tmp_path / "out", tmp_path / "summary.json"
    _drop(tmp_path / "in", "c1.csv", ["293,Catherine,Abel,Catherine Abel", "295,Kim,Abercrombie,Kim Abercrombie"])
    assert _run(glue, tmp_path, out, summary) == 0
    read = glue.reads[0]
    assert (read["connection_type"], read["format"], read["ctx"], read["recurse"]) == ("s3", "csv", "customers_source", True)
    assert (read["withHeader"], read["quoteChar"]) == (False, -1)  # every physical line is one record
    assert glue.calls == ["init dea-etl-csv_to_parquet job-bookmark-enable", "commit"]
    assert read_table(spark, str(out)).count() == 2

    _drop(tmp_path / "in", "c2.csv", ["38,Kim,Abercrombie,Kim Abercrombie"])
    assert _run(glue, tmp_path, out, summary) == 0
    table = json.loads(summary.read_text())["tables"][0]
    assert (table["rows_in"], table["files_read"], table["files_skipped"]) == (1, 1, 1)
    assert sorted(r.customerid for r in read_table(spark, str(out)).collect()) == [38, 293, 295]
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket="lake")  # no state of ours


def test_on_glue_a_failed_run_does_not_commit_glues_bookmark(
    spark: SparkSession, glue: FakeGlue, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _drop(tmp_path / "in", "c1.csv", ["293,Catherine,Abel,Catherine Abel"])
    (tmp_path / "blocker").write_text("a file where the output's parent folder should be")
    assert _run(glue, tmp_path, tmp_path / "blocker" / "out", tmp_path / "s.json") == 1
    assert glue.calls == ["init dea-etl-csv_to_parquet job-bookmark-enable"] and glue.committed == {}
    assert _run(glue, tmp_path, tmp_path / "out", tmp_path / "s.json") == 0  # reads c1 again
    assert read_table(spark, str(tmp_path / "out")).count() == 1
    assert glue.committed == {"customers_source": {str(tmp_path / "in" / "c1.csv")}}


def test_glue_bookmarks_need_the_glue_runtime(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _drop(tmp_path / "in", "c1.csv", ["293,Catherine,Abel,Catherine Abel"])
    argv = ["--table", "customers", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
            "--job-bookmark-option", "job-bookmark-enable", "--bookmark-store", "glue"]
    assert run_job(JOB, argv) == 2  # a bad argument here (JobArgumentError)
    assert "--bookmark-store glue needs the Glue runtime" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("glue_path", "listed"),
    [
        ("file:///tmp/in/a%20b.csv", "file:/tmp/in/a b.csv"),
        ("s3a://bucket/raw/x.csv", "s3://bucket/raw/x.csv"),
        ("s3://bucket/raw/x.csv", "s3://bucket/raw/x.csv"),
    ],
)
def test_paths_from_glue_and_from_the_listing_compare_equal(glue_path: str, listed: str) -> None:
    assert same_file(glue_path) == same_file(listed)
