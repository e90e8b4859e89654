"""A bookmarked append killed (SIGKILL) at each step of publishing, on a local disk and on S3 (moto_server).

After each kill the table is a prefix of the run history (run 1, or runs 1 and 2: never part of run 2);
`bookmark release` (back) or `release --commit` (forward) settles the claim, and a rerun gives exactly
the table of one uninterrupted history.
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

from dea_etl.cli import main
from dea_etl.faults import KILL_ENV
from dea_etl.io import clean, manifest, read_table
from dea_etl.pipelines import JOBS
from dea_etl.runtime import run_job
from dea_etl.runtime.session import apply_s3a

CUSTOMERS = DATA.joinpath("customers.csv").read_text().splitlines(keepends=True)[:9]
BAD = "12,not a number,,,\n"
#: (kill point, settle with --commit, what the table holds after the kill: rows of run 1 or of runs 1 and 2)
POINTS = [
    ("staged", False, 4),
    ("claimed", True, 4),
    ("publish:out", False, 4),
    ("publish:out_quarantine", True, 9),
    ("published", False, 9),
]


@pytest.fixture(params=["local", "s3"])
def root(request: pytest.FixtureRequest, spark: SparkSession, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "lake")
    request.getfixturevalue("aws")
    boto3.client("s3").create_bucket(Bucket="lake")
    apply_s3a(spark)
    return "s3://lake"


def _args(root: str, inputs: Path, output: str) -> list[str]:
    return ["--table", "customers", "--input", str(inputs), "--output", f"{root}/{output}",
            "--bookmark-store", f"{root}/bookmarks", "--JOB_NAME", f"job-{output}",
            "--job-bookmark-option", "job-bookmark-enable"]


def _killed_run(args: list[str], point: str) -> None:
    exe = Path(sys.executable).with_name("dea-etl")
    proc = subprocess.run([str(exe), "run", "csv_to_parquet", *args], env={**os.environ, KILL_ENV: point},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


def _table(spark: SparkSession, path: str) -> DataFrame:
    return read_table(spark, path).localCheckpoint()


@pytest.mark.slow
def test_a_killed_append_leaves_a_prefix_of_the_history_and_settles_to_the_full_run(
    spark: SparkSession, tmp_path: Path, root: str
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "c1.csv").write_text("".join(CUSTOMERS[:4]))
    reference = _args(root, inputs, "reference")
    assert run_job(JOBS["csv_to_parquet"], reference) == 0
    run1 = _table(spark, f"{root}/reference")
    (inputs / "c2.csv").write_text("".join([*CUSTOMERS[4:], BAD]))
    assert run_job(JOBS["csv_to_parquet"], reference) == 0
    full, full_q = _table(spark, f"{root}/reference"), _table(spark, f"{root}/reference_quarantine")
    assert (run1.count(), full.count(), full_q.count()) == (4, 9, 1)

    for i, (point, commit, rows_after_kill) in enumerate(POINTS):
        out = f"t{i}"
        table = f"{root}/{out}"
        (inputs / "c2.csv").unlink()
        args = _args(root, inputs, out)
        assert run_job(JOBS["csv_to_parquet"], args) == 0
        (inputs / "c2.csv").write_text("".join([*CUSTOMERS[4:], BAD]))

        _killed_run(args, point.replace(":out", f":{out}"))  # publish:t2, publish:t3_quarantine
        assert_df_equality(_table(spark, table), run1 if rows_after_kill == 4 else full, ignore_row_order=True)

        release = ["bookmark", "release", "--job", f"job-{out}", "--bookmark-store", f"{root}/bookmarks"]
        assert main(release + (["--commit"] if commit else [])) == 0, point
        assert run_job(JOBS["csv_to_parquet"], args) == 0, point
        assert_df_equality(_table(spark, table), full, ignore_row_order=True)
        assert_df_equality(_table(spark, f"{table}_quarantine").drop("run_id"), full_q.drop("run_id"),
                           ignore_row_order=True)
        clean(spark, table, grace_ms=0)
        kept = {s.run for s in manifest.latest(table).slices}
        assert set(manifest.started_runs(table)) == kept, point  # the killed run's leftovers are gone
