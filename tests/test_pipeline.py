"""raw_to_processed and the main pipeline on the course's sample data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from jobs import raw_to_processed
from pyspark.sql import SparkSession

from dea_etl.io import manifest, read_table
from dea_etl.schemas import TABLES

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
    orders_years = sorted({piece.part.split("/")[0] for piece in manifest.latest(str(lake / "processedData/orders")).slices})
    assert orders_years == ["year=2011", "year=2012", "year=2013", "year=2014"]
    assert read_table(spark, str(lake / "processedData" / "tripdata")).where("lpep_pickup_datetime is null").count() == 0
