"""Test helpers for jobs built on dea_etl, shipped as a pytest plugin (``dea_etl.testing.plugin``).

Installing dea_etl with the ``testing`` extra (``pip install dea-etl[testing]``: pytest, chispa, moto)
makes these fixtures available in every test of the project, with no conftest.py code:

=================  =========  ==============================================================================
fixture            scope      what it is
=================  =========  ==============================================================================
``spark``          session    one local SparkSession (local[2], UI off, 2 shuffle partitions, the JVM jars,
                              ``s3://`` through S3A, dea_etl's SQL settings, quiet log); stopped at the end
``moto_endpoint``  session    a real ``moto_server`` on 127.0.0.1 (AWS APIs over HTTP), its URL
``aws``            function   ``moto_endpoint`` reset to empty, the ``AWS_*`` variables pointing boto3 (and
                              sessions through ``apply_s3a``) at it; the endpoint URL
``tmp_lake``       function   a :class:`~dea_etl.io.lake.Lake` in a temporary folder, its bucket folders made
``df_equal``       function   :func:`assert_df_equal`
=================  =========  ==============================================================================

:func:`assert_df_equal` is chispa's DataFrame equality with the project's defaults (row order and
nullability ignored); :func:`race_writes` is one writer of a commit race on an Iceberg table (run it in two
processes to see that no reported commit is lost). Without the plugin's auto-loading (``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), add
``pytest_plugins = ["dea_etl.testing.plugin"]`` to a conftest.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame

#: Settings of the test session besides dea_etl's own (jars, S3A, SQL settings).
TEST_SPARK_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "2g",
}


def assert_df_equal(actual: DataFrame, expected: DataFrame, **options: Any) -> None:
    """chispa's ``assert_df_equality``, by default ignoring row order and nullability (any option overrides)."""
    from chispa import assert_df_equality

    assert_df_equality(actual, expected, **{"ignore_row_order": True, "ignore_nullable": True, **options})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto_server(timeout: float = 30.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``moto_server`` (from this Python's bin folder) on 127.0.0.1; the process and its URL."""
    port = free_port()
    exe = Path(sys.executable).with_name("moto_server")
    # moto's request recorder (off until a test starts it) writes its log here, not into the working folder
    recording = Path(tempfile.mkdtemp(prefix="dea-etl-moto-")) / "recording.jsonl"
    proc = subprocess.Popen(
        [str(exe), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_RECORDER_FILEPATH": str(recording)},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError(f"moto_server did not start on {url}") from None
            time.sleep(0.2)


def reset_moto_server(url: str) -> None:
    """Forget every resource the server holds."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).close()


#: The environment that points boto3 (and S3A, through ``apply_s3a``) at a moto_server.
def moto_environment(url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def race_writes(spark: Any, table: str, writer: str, writes: int, go: Path, mode: str = "append") -> dict[str, Any]:
    """One writer of a commit race on the Iceberg table ``table`` (its own process and session): says it is
    ready (``<go>.ready-<writer>``), waits for the file ``go``, then writes ``writes`` one-row commits
    ``(writer, i)`` with ``mode``; returns ``{"ok": [i, ...], "errors": [message, ...]}`` (a refused commit's
    message, on one line)."""
    from dea_etl.io.tables import ICEBERG, TableFormat, write_table

    spark.range(1).count()  # the JVM warmed up: every writer starts from the same point
    go.with_name(f"{go.name}.ready-{writer}").write_text("ready")
    while not go.exists():
        time.sleep(0.05)
    ok, errors = [], []
    for i in range(writes):
        df = spark.createDataFrame([(writer, i)], "writer string, i int")
        try:
            write_table(df, table, table_format=TableFormat(ICEBERG), run_id=f"{writer}-{i}", mode=mode)
            ok.append(i)
        except Exception as exc:  # a refused commit: its message is the caller's to read
            errors.append(" ".join(str(exc).split())[:300])
    return {"ok": ok, "errors": errors}


__all__ = [
    "TEST_SPARK_CONF",
    "assert_df_equal",
    "free_port",
    "moto_environment",
    "race_writes",
    "reset_moto_server",
    "start_moto_server",
]
