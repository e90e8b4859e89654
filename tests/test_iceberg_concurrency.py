"""Two processes writing the same Iceberg table at once, on a local lake (the SQLite catalog) and on the moto
S3 lake (the Glue catalog with Iceberg's DynamoDB lock): every commit either survives or fails saying why;
none is lost.

Appends that meet (one moved ``main`` while the other wrote) are both kept: the later one is cherry-picked
onto the new ``main``. Whole-table overwrites cannot both win: the later one fails naming the other
writer's snapshot, and publishes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from pyspark.sql import SparkSession

from dea_etl.io.iceberg import history
from dea_etl.io.tables import ICEBERG, TableFormat, read_in_format, write_table
from dea_etl.runtime.session import apply_s3a

WRITER = Path(__file__).with_name("iceberg_writer.py")
WRITES = 6
ICE = TableFormat(ICEBERG)


def _race(table: str, mode: str, go: Path) -> dict[str, dict]:
    """Both writers started, then released together; their reports by name."""
    procs = {}
    for name in ("a", "b"):
        spec = {"table": table, "mode": mode, "writer": name, "writes": WRITES, "go": str(go)}
        procs[name] = subprocess.Popen([sys.executable, str(WRITER), json.dumps(spec)], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, env={**os.environ})
    deadline = time.monotonic() + 600
    while not all(go.with_name(f"{go.name}.ready-{name}").exists() for name in procs):  # both JVMs up
        ended = [p for p in procs.values() if p.poll() is not None]
        assert not ended, [p.communicate()[1][-2000:] for p in ended]
        assert time.monotonic() < deadline, "the writers did not start"
        time.sleep(0.1)
    go.write_text("go")
    reports = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-2000:]
        reports[name] = json.loads(out.strip().splitlines()[-1])
    return reports


@pytest.fixture(params=["local", "s3"])
def table(request: pytest.FixtureRequest, spark: SparkSession, tmp_path: Path) -> str:
    if request.param == "local":
        return str(tmp_path / "lake" / "processedData" / "t")
    request.getfixturevalue("aws")
    boto3.client("s3").create_bucket(Bucket="race")
    apply_s3a(spark)
    return "s3://race/processedData/t"


def _seed(spark: SparkSession, table: str) -> None:
    write_table(spark.createDataFrame([("seed", 0)], "writer string, i int"), table, table_format=ICE,
                run_id="seed", mode="overwrite")


@pytest.mark.slow
def test_concurrent_appends_keep_every_commit(spark: SparkSession, table: str, tmp_path: Path) -> None:
    _seed(spark, table)
    reports = _race(table, "append", tmp_path / "go")
    rows = sorted((r.writer, r.i) for r in read_in_format(spark, table, ICE).collect())
    committed = sorted([("seed", 0)] + [(w, i) for w, rep in reports.items() for i in rep["ok"]])
    assert rows == committed  # every reported commit is in the table, and nothing else
    assert all(len(rep["ok"]) + len(rep["errors"]) == WRITES for rep in reports.values())
    assert all("another writer" in e for rep in reports.values() for e in rep["errors"]), reports
    runs = {r.run_id for r in history(spark, table).where("is_current_ancestor").collect()}
    assert {f"{w}-{i}" for w, rep in reports.items() for i in rep["ok"]} <= runs


@pytest.mark.slow
def test_concurrent_overwrites_never_lose_a_reported_commit(spark: SparkSession, table: str, tmp_path: Path) -> None:
    _seed(spark, table)
    reports = _race(table, "overwrite", tmp_path / "go")
    ancestors = history(spark, table).where("is_current_ancestor").orderBy("committed_at", "snapshot_id").collect()
    reported = {f"{w}-{i}" for w, rep in reports.items() for i in rep["ok"]}
    # every write that reported success is a snapshot main went through, in a line (no lost commit) ...
    assert reported <= {r.run_id for r in ancestors}
    # ... the table is the last one's row, and every refused write says why and published nothing
    (last,) = [(r.writer, r.i) for r in read_in_format(spark, table, ICE).collect()]
    assert f"{last[0]}-{last[1]}" == ancestors[-1].run_id
    errors = [e for rep in reports.values() for e in rep["errors"]]
    assert all("another writer committed" in e and "nothing of this run was published" in e for e in errors), errors
    assert len(reported) + len(errors) == 2 * WRITES
