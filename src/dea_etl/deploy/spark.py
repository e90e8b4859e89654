"""spark-submit settings shared by EMR steps and EMR Serverless runs: library, dependencies, encryption,
and the optional venv archive (``spark.archives``) with its PYSPARK_PYTHON settings."""

from __future__ import annotations

from dea_etl.deploy.config import DeployConfig, Target
from dea_etl.deploy.package import DEPS_ZIP, LIBRARY_ZIP
from dea_etl.io.iceberg import catalog_conf
from dea_etl.io.iceberg import session_conf as iceberg_session_conf
from dea_etl.runtime.platform import FORCE_VARIABLE

VENV_PYTHON = "./environment/bin/python"
#: The Iceberg Spark runtime EMR 7 and EMR Serverless releases ship.
EMR_ICEBERG_JAR = "/usr/share/aws/iceberg/lib/iceberg-spark3-runtime.jar"


def py_files(cfg: DeployConfig) -> str:
    return ",".join(cfg.lake.script_location(name) for name in (LIBRARY_ZIP, DEPS_ZIP))


def _driver_env(cfg: DeployConfig) -> str:
    return (
        "spark.emr-serverless.driverEnv" if cfg.target is Target.EMR_SERVERLESS else "spark.yarn.appMasterEnv"
    )


def platform_conf(cfg: DeployConfig) -> dict[str, str]:
    """Tell the driver where it runs (read by :func:`dea_etl.runtime.detect_platform`)."""
    return {f"{_driver_env(cfg)}.{FORCE_VARIABLE}": cfg.target.value}


def venv_conf(cfg: DeployConfig) -> dict[str, str]:
    """``spark.archives=ARCHIVE#environment`` and the interpreter it carries, for driver and executors."""
    if not cfg.venv_archive:
        return {}
    driver_env = _driver_env(cfg)
    conf = {"spark.archives": f"{cfg.venv_archive}#environment"}
    if cfg.target is Target.EMR_SERVERLESS:
        conf[f"{driver_env}.PYSPARK_DRIVER_PYTHON"] = VENV_PYTHON
    conf[f"{driver_env}.PYSPARK_PYTHON"] = VENV_PYTHON
    conf["spark.executorEnv.PYSPARK_PYTHON"] = VENV_PYTHON
    return conf


def own_jar(cfg: DeployConfig) -> str:
    """dea-etl's own jar in scriptLocation/ (plain Parquet tables name each file for its run)."""
    from dea_etl.jvm import OWN_JAR

    return cfg.lake.script_location(OWN_JAR)


def jars_conf(cfg: DeployConfig) -> dict[str, str]:
    """``spark.jars`` on EMR and EMR Serverless: dea-etl's jar, and with Iceberg the release's own runtime."""
    if cfg.target is Target.GLUE:
        return {}  # Glue takes --extra-jars (see dea_etl.deploy.glue)
    jars = [own_jar(cfg), *([EMR_ICEBERG_JAR] if cfg.table_format == "iceberg" else [])]
    return {"spark.jars": ",".join(jars)}


def iceberg_conf(cfg: DeployConfig) -> dict[str, str]:
    """With ``--table-format iceberg``: Iceberg's SQL extensions and the ``glue_catalog`` catalog (the Glue
    Data Catalog, warehouse ``processedData/``). On EMR and EMR Serverless the release's own Iceberg
    runtime jar is on ``spark.jars`` (:func:`jars_conf`; an EMR cluster must have Iceberg enabled:
    ``iceberg-defaults``)."""
    if cfg.table_format != "iceberg":
        return {}
    return {**iceberg_session_conf(), **catalog_conf(cfg.lake.processed("") + "/")}


def spark_conf(cfg: DeployConfig) -> dict[str, str]:
    return {**platform_conf(cfg), **cfg.encryption.emrfs_conf(), **venv_conf(cfg), **jars_conf(cfg),
            **iceberg_conf(cfg)}


def conf_args(conf: dict[str, str]) -> list[str]:
    return [token for key, value in conf.items() for token in ("--conf", f"{key}={value}")]
