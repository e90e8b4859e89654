"""A bookmarked Iceberg run killed (SIGKILL) while publishing its tables, settled by `dea-etl bookmark release`.

The claim records each Iceberg write (table, run, branch, the snapshot ``main`` was at): `release` rolls a
published table's ``main`` back and drops the staged branches, `release --commit` fast-forwards what was
not published yet and commits the entry. Either way the next run gives the table of one uninterrupted
history: no rows twice, none lost.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from tests.conftest import DATA

from dea_etl.bookmarks import open_store
from dea_etl.cli import main
from dea_etl.faults import KILL_ENV
from dea_etl.io.iceberg import published_run_ids
from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format
from dea_etl.pipelines import JOBS
from dea_etl.runtime import run_job

CUSTOMERS = DATA.joinpath("customers.csv").read_text().splitlines(keepends=True)[:9]
BAD = "12,not a number,,,\n"
ICE = TableFormat(ICEBERG)
#: (kill point, settle with --commit, rows of the table after the kill: run 1's 4 or runs 1 and 2's 9)
POINTS = [
    ("publish:out_quarantine", False, 9),  # the table published, its quarantine still on its branch
    ("publish:out_quarantine", True, 9),
    ("published", False, 9),  # both published, the bookmark not committed
    ("claimed", True, 4),  # nothing published yet
]


def _args(lake: Path, inputs: Path, out: str, run_id: str) -> list[str]:
    return ["--table", "customers", "--input", str(inputs), "--output", str(lake / out),
            "--table-format", "iceberg", "--bookmark-store", str(lake / "bookmarks"), "--JOB_NAME", f"job-{out}",
            "--job-bookmark-option", "job-bookmark-enable", "--run-id", run_id]


def _run(args: list[str], kill_at: str | None = None) -> None:
    env = {**os.environ, **({KILL_ENV: kill_at} if kill_at else {})}
    proc = subprocess.run([str(Path(sys.executable).with_name("dea-etl")), "run", "csv_to_parquet", *args],
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == (-signal.SIGKILL if kill_at else 0), proc.stderr[-2000:]


def _table(spark: SparkSession, path: Path) -> DataFrame:
    return read_in_format(spark, str(path), ICE).localCheckpoint()


@pytest.mark.slow
@pytest.mark.parametrize(("point", "commit", "rows_after_kill"), POINTS, ids=[f"{p}-{c}" for p, c, _ in POINTS])
def test_release_settles_a_killed_iceberg_run(
    spark: SparkSession, tmp_path: Path, point: str, commit: bool, rows_after_kill: int
) -> None:
    lake, inputs = tmp_path / "lake", tmp_path / "in"
    inputs.mkdir()
    (inputs / "c1.csv").write_text("".join(CUSTOMERS[:4]))
    _run(_args(lake, inputs, "out", "run-1"))  # every run in its own process, as on a cluster
    run1 = _table(spark, lake / "out")
    (inputs / "c2.csv").write_text("".join([*CUSTOMERS[4:], BAD]))
    _run(_args(lake, inputs, "out", "run-2"), kill_at=point)
    assert _table(spark, lake / "out").count() == rows_after_kill

    release = ["bookmark", "release", "--job", "job-out", "--bookmark-store", str(lake / "bookmarks")]
    assert main(release + (["--commit"] if commit else [])) == 0
    store = open_store(str(lake / "bookmarks"))
    assert store.claims("job-out") == []
    assert published_run_ids(spark, str(lake / "out")) == ({"run-1", "run-2"} if commit else {"run-1"})
    if not commit:
        assert_df_equality(_table(spark, lake / "out"), run1, ignore_row_order=True)
        assert read_in_format(spark, str(lake / "out_quarantine"), ICE).count() == 0

    assert run_job(JOBS["csv_to_parquet"], _args(lake, inputs, "out", "run-3")) == 0
    # one uninterrupted history of the same files: 9 rows, the bad line quarantined once
    full_inputs = tmp_path / "all"
    full_inputs.mkdir()
    (full_inputs / "all.csv").write_text("".join([*CUSTOMERS, BAD]))
    assert run_job(JOBS["csv_to_parquet"], _args(tmp_path / "ref", full_inputs, "out", "ref-1")) == 0
    assert_df_equality(_table(spark, lake / "out"), _table(spark, tmp_path / "ref" / "out"),
                       ignore_row_order=True, ignore_nullable=True)
    quarantine = ("raw_line", "reason")  # the file and line differ: the reference read one file
    assert_df_equality(_table(spark, lake / "out_quarantine").select(*quarantine),
                       _table(spark, tmp_path / "ref" / "out_quarantine").select(*quarantine), ignore_nullable=True)
