"""The pytest plugin of :mod:`dea_etl.testing` (registered as the ``pytest11`` entry point
``dea_etl.testing.plugin``): the ``spark``, ``moto_endpoint``, ``aws``, ``tmp_lake`` and ``df_equal`` fixtures."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyspark.sql import SparkSession

from dea_etl.testing import (
    TEST_SPARK_CONF,
    assert_df_equal,
    moto_environment,
    reset_moto_server,
    start_moto_server,
)


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """One local SparkSession for the test session, set up as dea_etl's local sessions are."""
    from dea_etl.io.iceberg import session_conf as iceberg_session_conf
    from dea_etl.io.parquet import COMMIT_PROTOCOL, RUN_NAMED_CLOUD_PROTOCOL
    from dea_etl.javahome import ensure_java_home
    from dea_etl.jvm import cds
    from dea_etl.runtime.session import SESSION_CONF, local_jvm_conf
    from dea_etl.runtime.submit import log4j2_java_option

    ensure_java_home()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    work = tmp_path_factory.mktemp("dea-etl-spark")
    conf = {
        **TEST_SPARK_CONF,
        "spark.sql.warehouse.dir": str(work / "warehouse"),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={work / 'derby'} {log4j2_java_option()} "
                                         f"{cds.java_options()}".strip(),
        # The declared jars (S3A, Deequ, Iceberg), s3:// through S3A and Iceberg's SQL extensions, as every local
        # session the library builds.
        **local_jvm_conf(),
        **iceberg_session_conf(),
        **SESSION_CONF,
        # Parquet files named for the run that wrote them (dea-etl-spark.jar), as in every local session
        COMMIT_PROTOCOL: RUN_NAMED_CLOUD_PROTOCOL,
    }
    builder = SparkSession.builder.master("local[2]").appName("dea-etl-tests")
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real ``moto_server`` on 127.0.0.1 for the test session: AWS APIs over real HTTP."""
    proc, url = start_moto_server()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point boto3 at the moto_server (environment variables only, no patched clients), its state empty."""
    reset_moto_server(moto_endpoint)
    for key, value in moto_environment(moto_endpoint).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield moto_endpoint


@pytest.fixture()
def tmp_lake(tmp_path: Any) -> Any:
    """A lake (:class:`dea_etl.io.lake.Lake`) in a temporary folder, with the bucket's folders."""
    from dea_etl.io.lake import FOLDERS, Lake

    root = tmp_path / "lake"
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True)
    return Lake(str(root))


@pytest.fixture()
def df_equal() -> Callable[..., None]:
    """:func:`dea_etl.testing.assert_df_equal` (chispa, row order and nullability ignored)."""
    return assert_df_equal
