"""The job scripts as spark-submit runs them (a separate JVM and Python), and as `dea-etl run`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from dea_etl.cli import main as cli_main
from dea_etl.io import read_table
from dea_etl.jvm import jar_paths
from dea_etl.runtime.submit import spark_submit_command, submit_env

REPO = Path(__file__).resolve().parent.parent
JOBS_DOC = REPO / "docs" / "jobs.md"  # where the spark-submit lines are shown


def spark_submit(*args: str) -> subprocess.CompletedProcess[str]:
    """What ``dea-etl submit`` runs (the venv's spark-submit, the jars, the quiet log), with one core."""
    cmd = spark_submit_command(args[0], args[1:], master="local[1]", jars=jar_paths(),
                               conf=["spark.ui.enabled=false"])
    return subprocess.run(cmd, capture_output=True, text=True, env=submit_env(), cwd=REPO, timeout=600, check=False)


@pytest.mark.slow
def test_spark_submit_runs_the_job_script(spark: SparkSession, tmp_path: Path, data_dir: Path) -> None:
    out, summary = tmp_path / "customers", tmp_path / "summary.json"
    proc = spark_submit(
        "jobs/csv_to_parquet.py", "--table", "customers", "--input", str(data_dir / "customers.csv"),
        "--output", str(out), "--summary-json", str(summary),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # The summary's row: table, rows in = written, quarantined.
    assert re.search(r"customers\W+635\W+=\W+635\W+0\b", proc.stdout), proc.stdout[-2000:]
    # The shipped log4j2 configuration: no INFO lines from Spark.
    assert [line for line in (proc.stdout + proc.stderr).splitlines() if " INFO " in line] == []
    assert json.loads(summary.read_text())["tables"][0]["rows_written"] == 635
    assert read_table(spark, str(out)).count() == 635


@pytest.mark.slow
def test_spark_submit_bad_arguments_exit_non_zero_with_one_line(tmp_path: Path) -> None:
    proc = spark_submit("jobs/csv_to_parquet.py", "--table", "customers", "--input", "x")
    assert proc.returncode == 2
    # spark-submit's PythonRunner merges the script's stderr into its stdout.
    errors = [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("error:")]
    assert errors == ["error: csv_to_parquet: the following arguments are required: --output"]


def _readme_line(start: str) -> str:
    text = JOBS_DOC.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(start)]
    assert lines, f"docs/jobs.md has no line starting with {start!r}"
    return lines[0]


@pytest.mark.slow
def test_readme_spark_submit_works_as_written_in_the_activated_venv(spark: SparkSession, tmp_path: Path) -> None:
    """The documented lines (docs/jobs.md), run by bash in a clone's layout: activate the venv, then
    spark-submit."""
    activate, java = _readme_line("source .venv/bin/activate"), _readme_line("export JAVA_HOME=")
    submit = _readme_line('spark-submit --jars "$(dea-etl jars)"')
    out = tmp_path / "customers"
    script = f"{activate}\n{java}\n{submit.replace('out/customers', str(out))}\n"
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_HOME", "PYSPARK_PYTHON", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    venv = Path(sys.prefix)
    if venv != REPO / ".venv":  # the tests run from another venv: give the README's path to that one
        (tmp_path / "clone").mkdir()
        for name in ("jobs", "data"):
            (tmp_path / "clone" / name).symlink_to(REPO / name)
        (tmp_path / "clone" / ".venv").symlink_to(venv)
    cwd = REPO if venv == REPO / ".venv" else tmp_path / "clone"
    env.pop("JAVA_HOME", None)
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, cwd=cwd, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert read_table(spark, str(out)).count() == 635


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
