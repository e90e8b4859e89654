"""The job scripts as spark-submit runs them (a separate JVM and Python), and as `dea-etl run`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyspark
import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main as cli_main
from dea_etl.io import read_table
from dea_etl.javahome import java_home
from dea_etl.jvm import jar_paths

REPO = Path(__file__).resolve().parent.parent
SPARK_SUBMIT = Path(sys.executable).with_name("spark-submit")


def spark_submit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "JAVA_HOME": java_home() or "",
        "SPARK_HOME": str(Path(pyspark.__file__).parent),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
    }
    cmd = [str(SPARK_SUBMIT), "--master", "local[1]", "--conf", "spark.ui.enabled=false",
           "--jars", ",".join(jar_paths()), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False)


@pytest.mark.slow
def test_spark_submit_runs_the_job_script(spark: SparkSession, tmp_path: Path, data_dir: Path) -> None:
    out, summary = tmp_path / "customers", tmp_path / "summary.json"
    proc = spark_submit(
        "jobs/csv_to_parquet.py", "--table", "customers", "--input", str(data_dir / "customers.csv"),
        "--output", str(out), "--summary-json", str(summary),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "customers: 635 rows in = 635 written + 0 quarantined" in proc.stdout
    assert json.loads(summary.read_text())["tables"][0]["rows_written"] == 635
    assert read_table(spark, str(out)).count() == 635


@pytest.mark.slow
def test_spark_submit_bad_arguments_exit_non_zero_with_one_line(tmp_path: Path) -> None:
    proc = spark_submit("jobs/csv_to_parquet.py", "--table", "customers", "--input", "x")
    assert proc.returncode == 2
    # spark-submit's PythonRunner merges the script's stderr into its stdout.
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("error:")]
    assert errors == ["error: csv_to_parquet: the following arguments are required: --output"]


def test_dea_etl_run_is_the_same_job(spark: SparkSession, tmp_path: Path, data_dir: Path) -> None:
    out, summary = tmp_path / "employees", tmp_path / "summary.json"
    code = cli_main(
        ["run", "csv_to_parquet", "--table", "employees", "--input", str(data_dir / "employees.csv"),
         "--output", str(out), "--summary-json", str(summary)]
    )
    assert code == 0
    result = json.loads(summary.read_text())
    assert result["job"] == "csv_to_parquet" and result["status"] == "succeeded"
    assert result["tables"][0]["rows_written"] == 17
    assert read_table(spark, str(out)).where("managerid is null").count() == 3


def test_dea_etl_run_unknown_job(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["run", "no_such_job"]) == 2
    assert "unknown job 'no_such_job'" in capsys.readouterr().err
