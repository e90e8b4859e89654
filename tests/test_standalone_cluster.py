"""Proof on a real distributed Spark: a standalone cluster on 127.0.0.1 (a master and two workers started
from the pyspark distribution's ``spark-class``) runs the packaged job with the very ``spark-submit``
arguments of the EMR step ``dea-etl deploy`` adds (``--py-files dea_etl.zip,deps.zip
jobs/csv_to_parquet.py ...``, built by ``dea_etl.deploy.emr.spark_submit``) with local paths, and the
outputs equal those of a local-mode run.

Differences from the EMR step, both forced by Spark itself: standalone clusters do not support
``--deploy-mode cluster`` for Python applications, so the driver runs in client mode; and paths are local
folders instead of ``s3://`` (no S3 connector locally).

The driver and the workers run a Python interpreter that sees the venv's site-packages (pyspark, rich)
but not the editable install of ``dea_etl`` and not ``src/``: the library can only come from the zip.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyspark
import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from dea_etl.deploy import emr
from dea_etl.deploy.config import DeployConfig, JobDeployment, Target
from dea_etl.deploy.package import DEPS_ZIP, LIBRARY_ZIP, build
from dea_etl.io import read_table
from dea_etl.pipelines.csv_to_parquet import JOB
from dea_etl.runtime import run_job
from dea_etl.testing import free_port

REPO = Path(__file__).resolve().parent.parent
SPARK_HOME = Path(pyspark.__file__).resolve().parent
TABLES = {"customers": "customers.csv", "orders": "orders.csv"}
#: Short-lived JVMs: C1 JIT only and the serial collector cut the CPU they burn (the machine is shared).
QUICK_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"

pytestmark = pytest.mark.slow


def _site_packages() -> Path:
    return Path(pyspark.__file__).resolve().parent.parent


def make_cluster_python(root: Path) -> Path:
    """A venv whose only link to ours is a .pth naming our site-packages: their packages import, but
    their .pth files (the editable install of dea_etl, which adds src/) are not processed."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site = next((root / "lib").glob("python3.*")) / "site-packages"
    (site / "deps_from_dev_venv.pth").write_text(f"{_site_packages()}\n", encoding="utf-8")
    return root / "bin" / "python"


def cluster_env(python: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "SPARK_HOME"}}
    env.update(
        SPARK_HOME=str(SPARK_HOME),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_DAEMON_MEMORY="256m",
        PYSPARK_PYTHON=str(python),
        PYSPARK_DRIVER_PYTHON=str(python),
        JAVA_HOME=os.environ["JAVA_HOME"],
        SPARK_NO_DAEMONIZE="1",
        SPARK_DAEMON_JAVA_OPTS=QUICK_JVM,
    )
    return env


def _alive_workers(webui: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{webui}/json/", timeout=2) as resp:
            return int(json.load(resp).get("aliveworkers", 0))
    except OSError:
        return 0


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@contextmanager
def standalone_cluster(workdir: Path, env: dict[str, str], workers: int = 2) -> Iterator[str]:
    """Start a master and ``workers`` workers (1 core, 768 MiB each) on 127.0.0.1; stop them on exit."""
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    port, webui = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []

    def start(name: str, *args: str) -> None:
        log = (workdir / f"{name}.log").open("wb")
        procs.append(
            subprocess.Popen(
                [spark_class, *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    try:
        start(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(webui),
        )
        for i in range(workers):
            start(
                f"worker{i}",
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                "127.0.0.1",
                "--cores",
                "1",
                "--memory",
                "768m",
                "--webui-port",
                str(free_port()),
                "--work-dir",
                str(workdir / f"work{i}"),
                url,
            )
        deadline = time.monotonic() + 90
        while _alive_workers(webui) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                logs = "\n".join(
                    (workdir / f).read_text(errors="replace")[-2000:] for f in ("master.log", "worker0.log")
                )
                raise RuntimeError(f"standalone cluster did not start with {workers} workers:\n{logs}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(procs)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build(out, REPO)
    return out


def test_cluster_python_cannot_import_dea_etl_without_the_zip(tmp_path: Path, dist: Path) -> None:
    python = make_cluster_python(tmp_path / "venv")
    env = cluster_env(python)
    assert "src" not in env.get("PYTHONPATH", "")
    bare = subprocess.run([str(python), "-c", "import dea_etl"], env=env, capture_output=True, text=True)
    assert bare.returncode != 0 and "No module named 'dea_etl'" in bare.stderr
    zipped = subprocess.run(
        [str(python), "-c", "import dea_etl.runtime, dea_etl.pipelines; print(dea_etl.__file__)"],
        env={**env, "PYTHONPATH": str(dist / LIBRARY_ZIP)},
        capture_output=True,
        text=True,
    )
    assert zipped.returncode == 0, zipped.stderr
    assert zipped.stdout.strip() == str(dist / LIBRARY_ZIP / "dea_etl" / "__init__.py")


def emr_step_as_local_submit(dist: Path, table: str, input_path: Path, output: Path) -> list[str]:
    """The EMR step ``dea-etl deploy`` adds, made local: its ``spark-submit`` arguments with the bucket's
    ``scriptLocation/`` replaced by ``dist/`` and without ``--deploy-mode cluster`` (which standalone
    clusters refuse for Python)."""
    job = JobDeployment(
        "csv_to_parquet", (("table", table), ("input", str(input_path)), ("output", str(output)))
    )
    cfg = DeployConfig(Target.EMR, "lake", (job,), cluster_id="j-local")
    args = emr.spark_submit(cfg, job)
    assert args[:3] == ["spark-submit", "--deploy-mode", "cluster"]
    scripts = cfg.lake.script_location() + "/"
    return [a.replace(scripts, f"{dist}/") for a in args[3:]]


def test_packaged_job_on_standalone_cluster_equals_local_run(
    spark: SparkSession, tmp_path: Path, dist: Path, data_dir: Path
) -> None:
    python = make_cluster_python(tmp_path / "venv")
    env = cluster_env(python)
    submit = str(SPARK_HOME / "bin" / "spark-submit")
    resources = ["--driver-memory", "512m", "--executor-memory", "512m", "--total-executor-cores", "2"]
    resources += ["--conf", f"spark.driver.extraJavaOptions={QUICK_JVM}"]
    resources += [
        "--conf",
        f"spark.executor.extraJavaOptions={QUICK_JVM}",
        "--conf",
        "spark.ui.enabled=false",
    ]
    with standalone_cluster(tmp_path, env) as master:
        for table, file_name in TABLES.items():
            step = emr_step_as_local_submit(dist, table, data_dir / file_name, tmp_path / "cluster" / table)
            assert f"{dist / LIBRARY_ZIP},{dist / DEPS_ZIP}" in step
            summary_json = tmp_path / f"cluster-{table}.json"
            cmd = [submit, "--master", master, *resources, *step, "--summary-json", str(summary_json)]
            # The step's spark.yarn.appMasterEnv.DEA_ETL_PLATFORM=emr, as YARN gives it to the driver on EMR
            # (a standalone master ignores spark.yarn.*): the job runs with EMR's settings, not a local run's.
            assert "spark.yarn.appMasterEnv.DEA_ETL_PLATFORM=emr" in step
            driver_env = {**env, "DEA_ETL_PLATFORM": "emr"}
            proc = subprocess.run(cmd, env=driver_env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
            said = [line for line in proc.stderr.splitlines() if line.startswith(("error:", "Traceback"))]
            assert proc.returncode == 0, "\n".join([*said, proc.stdout[-2000:], proc.stderr[-2000:]])
            summary = json.loads(summary_json.read_text())
            assert (summary["status"], summary["job"]) == ("succeeded", "dea-etl-csv_to_parquet")
    # Both workers ran executors of both applications (one work folder per application and worker).
    for i in range(2):
        assert len(list((tmp_path / f"work{i}").glob("app-*"))) == len(TABLES)

    for table, file_name in TABLES.items():
        local_out = tmp_path / "local" / table
        assert (
            run_job(
                JOB,
                [
                    "--table",
                    table,
                    "--input",
                    str(data_dir / file_name),
                    "--output",
                    str(local_out),
                    "--summary-json",
                    str(tmp_path / f"local-{table}.json"),
                ],
            )
            == 0
        )
        cluster_df = read_table(spark, str(tmp_path / "cluster" / table))
        local_df = read_table(spark, str(local_out))
        assert cluster_df.count() > 0
        assert_df_equality(
            cluster_df, local_df, ignore_row_order=True, ignore_nullable=True, ignore_column_order=True
        )
        cluster_rows = json.loads((tmp_path / f"cluster-{table}.json").read_text())["tables"][0]
        local_rows = json.loads((tmp_path / f"local-{table}.json").read_text())["tables"][0]
        for key in ("rows_in", "rows_written", "rows_quarantined"):
            assert cluster_rows[key] == local_rows[key]


def test_package_builds_the_wheel(dist: Path) -> None:
    import zipfile

    manifest = json.loads((dist / "manifest.json").read_text())
    wheels = [name for name in manifest["artifacts"] if name.endswith(".whl")]
    assert wheels == [f"dea_etl-{manifest['version']}-py3-none-any.whl"]
    with zipfile.ZipFile(dist / wheels[0]) as whl:
        names = whl.namelist()
        entry_points = whl.read(f"dea_etl-{manifest['version']}.dist-info/entry_points.txt").decode()
    assert "dea_etl/deploy/package.py" in names
    assert "dea-etl = dea_etl.cli:main" in entry_points
