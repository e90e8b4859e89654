"""raw_to_processed and the main pipeline on the course's sample data."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from jobs import raw_to_processed
from pyspark.sql import SparkSession
from tests.table_files import data_files

from dea_etl.errors import InputError
from dea_etl.io import read_table
from dea_etl.runtime import JobContext, JobSpec, TableResult, run_job
from dea_etl.tables.seed import TABLES

SAMPLE_ROWS = {"customers": 635, "employees": 17, "orders": 5000, "tripdata": 20000}


def lake_from_samples(root: Path, data_dir: Path) -> Path:
    for table, name in {"customers": "customers.csv", "employees": "employees.csv", "orders": "orders.csv",
                        "tripdata": "tripdata.csv"}.items():
        (root / "rawData" / table).mkdir(parents=True)
        shutil.copy(data_dir / name, root / "rawData" / table / name)
    return root


def test_sample_data_is_processed_whole_and_typed(spark: SparkSession, tmp_path: Path, data_dir: Path) -> None:
    lake = lake_from_samples(tmp_path / "lake", data_dir)
    summary = tmp_path / "summary.json"
    assert raw_to_processed.main(["--lake", str(lake), "--summary-json", str(summary)]) == 0
    tables = {t["table"]: t for t in json.loads(summary.read_text())["tables"]}
    for table, rows in SAMPLE_ROWS.items():
        assert (tables[table]["rows_in"], tables[table]["rows_written"], tables[table]["rows_quarantined"]) == (rows, rows, 0)
        df = read_table(spark, str(lake / "processedData" / table))
        assert df.count() == rows
        assert df.schema.fieldNames() == TABLES[table].processed_schema.fieldNames()
    # The three managers have no manager: a real null, not an empty string or a zero.
    employees = read_table(spark, str(lake / "processedData" / "employees"))
    assert employees.where("managerid is null").count() == 3
    assert employees.where("territory is null").count() == 3
    orders_years = sorted({part.split("/")[0] for part in data_files(lake / "processedData/orders")})
    assert orders_years == ["year=2011", "year=2012", "year=2013", "year=2014"]
    assert read_table(spark, str(lake / "processedData" / "tripdata")).where("lpep_pickup_datetime is null").count() == 0


def test_each_step_shows_progress_and_the_summary_is_printed_once(
    spark: SparkSession, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(ctx: JobContext) -> list[TableResult]:
        with ctx.step("first", 1, 2):
            result = TableResult("t", rows_in=3, rows_written=2, rows_quarantined=1, metrics={"note": "kept"})
        with ctx.step("second", 2, 2):
            raise InputError("second step: nothing to read")
        return [result]

    job = JobSpec("two_steps", (), run, "two steps, the second fails")
    assert run_job(job, []) == 1
    captured = capsys.readouterr()
    assert re.findall(r"\[\d/2\] \w+ \w+", captured.err) == ["[1/2] first done", "[2/2] second failed"]
    assert "error: two_steps: second step: nothing to read" in captured.err

    def ok(ctx: JobContext) -> list[TableResult]:
        with ctx.step("only", 1, 1):
            return [TableResult("t", rows_in=3, rows_written=2, rows_quarantined=1, quarantine_output="q",
                                metrics={"note": "kept"})]

    assert run_job(JobSpec("one_step", (), ok), []) == 0
    out = capsys.readouterr().out
    assert out.count("one_step run") == 1  # the title of the one summary
    assert re.search(r"\bt\W+3\W+=\W+2\W+1\b", out)
    assert "t: quarantine: q" in out and "t: note: kept" in out
    assert "rows in =" not in out  # no second, line-by-line summary
